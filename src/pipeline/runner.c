/*
 * The build runner: one shell runs every command of a build, so `cd` and
 * `export` carry from one command to the next and across phases, as in
 * CodeBuild's buildspec version 0.2.
 *
 * How one shell runs all commands. The shell (/bin/bash or /bin/sh) is
 * started with its script on a pipe: `bash /dev/fd/3`. The runner writes
 * each command to a file of its own (scratch/cmd-N.sh, so quoting,
 * here-documents and multi-line commands need no escaping) and feeds the
 * shell, through fd 3, one line per command:
 *
 *     . 'scratch/cmd-N.sh'; printf '\036GF:<nonce>:%d\n' "$?"
 *
 * The command's output and the marker share the shell's stdout, so the
 * marker arrives after every byte the command printed; the nonce is random
 * per build, so output cannot forge a marker. Only after a marker is read
 * is the next command fed (pipeline_steps decides which). The shell's
 * stdin is /dev/null, so a command that reads stdin cannot swallow the
 * commands that follow it.
 *
 * Processes. The shell leads a new session (its own process group). A
 * timeout or a stop sends SIGTERM to the group, SIGKILL 3 s later; when the
 * shell exits, whatever it left running in its group is killed too, and
 * the output pipe is drained for at most 2 s (a process that left the
 * group with setsid could otherwise hold it open forever).
 *
 * Logs. Every output line is written to the log file with a UTC timestamp,
 * after masking the values the caller declared secret; phase markers
 * (`==> phase BUILD`) and commands (`$ make`) are logged the same way.
 *
 * The reason. Since the runner hands out one command at a time, it knows
 * which one a failing marker ends; it keeps the telling lines of the
 * running command's output (pipeline_output_tail) and, at the build's
 * first failure, what the reason will say (reason.c).
 */
#include "pipeline/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define LINE_MAX_BYTES (64u << 10) /* a longer output line is split */
#define KILL_GRACE_MS  3000
#define DRAIN_MS       2000

struct pipeline_run {
	uv_loop_t *loop;
	uv_process_t proc;
	uv_pipe_t out;
	uv_timer_t timeout, kill_timer, drain;
	int handles;
	int ctl; /* the write end of the shell's fd 3; -1 once closed */
	int log; /* the log file */
	const pipeline_buildspec *spec;
	pipeline_steps steps;
	char nonce[33];
	char *scratch;
	char **mask;
	size_t nmask;
	int ncmd;
	int cur_phase; /* -1 before the first command */
	bool pending;  /* a command runs; its marker is awaited */
	/* The running command, as steps handed it out, and its output. */
	const char *cmd;
	pipeline_phase_kind cmd_phase;
	bool cmd_finally;
	pipeline_output_tail tail;
	/* The first failure of the build: the reason names it. */
	bool failed;
	pipeline_failure failure;
	char *failure_cmd;  /* masked; owned */
	char *failure_step; /* masked; owned */
	char failure_out[PIPELINE_REASON_LINE_MAX + 4];
	bool told_failed;
	bool shell_exited, out_eof, finished, freeing;
	bool memory_limited, out_of_memory; /* a limit is set; the output said memory ran out */
	bool limits_set;                    /* the shell confirmed its resource limits */
	int64_t memory_mb;
	bool set_user; /* the shell runs as another user, of group gid */
	gid_t gid;
	int64_t shell_status;
	int shell_signal;
	pipeline_build_status forced; /* TIMED_OUT or STOPPED; IN_PROGRESS if none */
	gf_buf line;
	pipeline_run_result result;
	pipeline_run_cb cb;
	void *payload;
};

const char *pipeline_build_status_name(pipeline_build_status s)
{
	static const char *const names[] = {"QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
	                                    "FAULT",  "TIMED_OUT",   "STOPPED"};
	return (size_t)s < GF_ARRAY_LEN(names) ? names[s] : "?";
}

int pipeline_build_status_parse(pipeline_build_status *out, const char *name)
{
	for (int i = 0; i <= PIPELINE_BUILD_STOPPED; i++)
		if (!strcmp(name, pipeline_build_status_name((pipeline_build_status)i))) {
			*out = (pipeline_build_status)i;
			return 0;
		}
	return gf_err_set(GF_EINVALID, "unknown build status \"%s\"", name);
}

bool pipeline_build_status_final(pipeline_build_status s)
{
	return s >= PIPELINE_BUILD_SUCCEEDED;
}

/* ---- logging -------------------------------------------------------------- */

static void mask_into(gf_buf *out, const char *text, size_t len, char *const *mask, size_t nmask)
{
	size_t i = 0;
	while (i < len) {
		size_t hit = 0;
		for (size_t m = 0; m < nmask && !hit; m++) {
			size_t ml = strlen(mask[m]);
			if (ml <= len - i && !memcmp(text + i, mask[m], ml))
				hit = ml;
		}
		if (hit) {
			gf_buf_puts(out, "***");
			i += hit;
		} else {
			gf_buf_putc(out, text[i++]);
		}
	}
}

void pipeline_log_line(gf_buf *out, int64_t wall_ms, const char *text, size_t len,
                       char *const *mask, size_t nmask)
{
	time_t sec = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	gf_buf_printf(out, "%s.%03dZ ", ts, (int)(wall_ms % 1000));
	mask_into(out, text, len, mask, nmask);
	gf_buf_putc(out, '\n');
}

static void run_log(pipeline_run *r, const char *text, size_t len)
{
	gf_buf b = GF_BUF_INIT;
	pipeline_log_line(&b, gf_wall_ms(), text, len, r->mask, r->nmask);
	if (r->log >= 0 && write(r->log, b.ptr, b.len) < 0)
		gf_log(GF_LOG_WARN, "cannot write a build log", "error=%d", errno);
	gf_buf_dispose(&b);
}

GF_PRINTF(2, 3)
static void run_logf(pipeline_run *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	run_log(r, buf, n < 0 ? 0 : GF_MIN((size_t)n, sizeof(buf) - 1));
}

/* ---- the life of a run ------------------------------------------------------ */

static void on_closed(uv_handle_t *h)
{
	pipeline_run *r = h->data;
	if (--r->handles == 0) {
		for (size_t i = 0; i < r->nmask; i++)
			free(r->mask[i]);
		free(r->mask);
		free(r->scratch);
		free(r->failure_cmd);
		free(r->failure_step);
		gf_buf_dispose(&r->line);
		json_decref(r->result.exported);
		free(r);
	}
}

/* The first failing command of the build, for its reason: true if this
 * is it. */
static bool note_failure(pipeline_run *r, int status, bool shell_ended, int shell_signal)
{
	if (r->failed)
		return false;
	r->failed = true;
	gf_buf cmd = GF_BUF_INIT;
	mask_into(&cmd, r->cmd, strlen(r->cmd), r->mask, r->nmask);
	r->failure_cmd = gf_buf_detach(&cmd);
	snprintf(r->failure_out, sizeof(r->failure_out), "%s", pipeline_output_tail_best(&r->tail));
	r->failure = (pipeline_failure){.phase = r->cmd_phase,
	                                .is_finally = r->cmd_finally,
	                                .command = r->failure_cmd,
	                                .status = status,
	                                .shell_ended = shell_ended,
	                                .shell_signal = shell_signal,
	                                .output = r->failure_out};
	return true;
}

/* The step of the first failing command that failed (see bash_prologue). */
static void note_step(pipeline_run *r, const char *step, size_t len)
{
	if (!len)
		return;
	gf_buf b = GF_BUF_INIT;
	mask_into(&b, step, len, r->mask, r->nmask);
	r->failure_step = gf_buf_detach(&b);
	r->failure.step = r->failure_step;
}

static void close_phase(pipeline_run *r)
{
	if (r->cur_phase < 0)
		return;
	pipeline_phase_result *p = &r->result.phases[r->cur_phase];
	p->end_ms = gf_wall_ms();
	p->status = r->steps.status[r->cur_phase] == PIPELINE_PHASE_FAILED
	                    ? PIPELINE_PHASE_FAILED
	                    : PIPELINE_PHASE_SUCCEEDED;
	p->exit_code = r->steps.exit_code[r->cur_phase];
	run_logf(r, "==> phase %s %s (exit %d, %.2f s)", pipeline_phase_name(r->cur_phase),
	         pipeline_phase_status_name(p->status), p->exit_code,
	         (double)(p->end_ms - p->start_ms) / 1000.0);
	r->cur_phase = -1;
}

static void output_line(pipeline_run *r, const char *s, size_t len);

static void finish(pipeline_run *r)
{
	if (r->finished || !r->shell_exited || !r->out_eof)
		return;
	r->finished = true;
	uv_timer_stop(&r->timeout);
	uv_timer_stop(&r->kill_timer);
	uv_timer_stop(&r->drain);
	if (r->line.len)
		output_line(r, r->line.ptr, r->line.len);
	gf_buf_clear(&r->line);
	if (r->pending) {
		/* The shell is gone while a command ran (exit, set -e, a kill). */
		int code = r->shell_signal ? 128 + r->shell_signal : (int)r->shell_status;
		if (r->forced == PIPELINE_BUILD_IN_PROGRESS) {
			run_logf(r,
			         "the shell exited during the command (status %d); the "
			         "commands after it cannot run",
			         code);
			note_failure(r, (int)r->shell_status, true, r->shell_signal);
		}
		pipeline_steps_report(&r->steps, code ? code : 1);
		r->pending = false;
	}
	close_phase(r);
	if (!r->limits_set && r->forced == PIPELINE_BUILD_IN_PROGRESS) {
		r->forced = PIPELINE_BUILD_FAULT;
		snprintf(r->result.reason, sizeof(r->result.reason),
		         "the build shell ended before it confirmed its resource limits "
		         "(ulimit), so no command ran: the log says why");
	}
	if (r->forced != PIPELINE_BUILD_IN_PROGRESS)
		r->result.status = r->forced;
	else if (r->steps.build_failed)
		r->result.status = PIPELINE_BUILD_FAILED;
	else
		r->result.status = PIPELINE_BUILD_SUCCEEDED;
	if (!r->result.reason[0] && r->result.status == PIPELINE_BUILD_FAILED && r->failed) {
		char note[200] = "";
		if (r->out_of_memory)
			snprintf(
			        note, sizeof(note),
			        "after running out of memory (the build's memory limit is %lld MiB "
			        "per process: raise the project's environment.memory_limit_mib)",
			        (long long)r->memory_mb);
		r->failure.note = note;
		pipeline_failure_reason(r->result.reason, sizeof(r->result.reason), &r->failure);
		r->failure.note = NULL;
	}
	run_logf(r, "==> build %s%s%s", pipeline_build_status_name(r->result.status),
	         r->result.reason[0] ? ": " : "", r->result.reason);
	if (r->log >= 0)
		close(r->log);
	r->log = -1;
	if (r->cb)
		r->cb(r, &r->result, r->payload);
}

static void close_ctl(pipeline_run *r)
{
	if (r->ctl >= 0)
		close(r->ctl);
	r->ctl = -1;
}

static void kill_group(pipeline_run *r, int sig)
{
	if (r->proc.pid > 0)
		kill(-r->proc.pid, sig);
}

/* After the last command: the shell prints the exported variables' final
 * values (their first line), each on a marker line of its own. */
static void send_exports(pipeline_run *r)
{
	if (r->ctl < 0 || r->forced != PIPELINE_BUILD_IN_PROGRESS || !r->spec->nexported)
		return;
	gf_buf text = GF_BUF_INIT;
	for (size_t i = 0; i < r->spec->nexported; i++)
		gf_buf_printf(&text, "printf '\\036GFV:%s:%s:%%s\\n' \"${%s-}\"\n", r->nonce,
		              r->spec->exported[i], r->spec->exported[i]);
	if (write(r->ctl, text.ptr, text.len) != (ssize_t)text.len)
		run_logf(r, "cannot ask the shell for the exported variables: %s", strerror(errno));
	gf_buf_dispose(&text);
}

/* Feeds the next command, or ends the shell's script when none is left. */
static void feed_next(pipeline_run *r)
{
	pipeline_phase_kind ph;
	const char *cmd;
	bool fin, entering;
	if (r->forced != PIPELINE_BUILD_IN_PROGRESS ||
	    !pipeline_steps_next(&r->steps, &ph, &cmd, &fin, &entering)) {
		send_exports(r);
		close_ctl(r);
		return;
	}
	if (entering) {
		close_phase(r);
		r->cur_phase = (int)ph;
		r->result.phases[ph].start_ms = gf_wall_ms();
		run_logf(r, "==> phase %s", pipeline_phase_name(ph));
	}
	gf_buf text = GF_BUF_INIT;
	if (r->steps.build_failed && !r->told_failed) {
		gf_buf_puts(&text,
		            "export CODEBUILD_BUILD_SUCCEEDING=0 GITFLEET_BUILD_SUCCEEDING=0\n");
		r->told_failed = true;
	}
	r->cmd = cmd;
	r->cmd_phase = ph;
	r->cmd_finally = fin;
	pipeline_output_tail_reset(&r->tail);
	char *path = gf_xasprintf("%s/cmd-%d.sh", r->scratch, ++r->ncmd);
	int rc = gf_fs_write_scratch(path, cmd, strlen(cmd), 0640);
	/* Readable by the build user through its group, writable only by us. */
	if (rc == 0 && r->set_user && chown(path, (uid_t)-1, r->gid) != 0)
		rc = gf_err_errno("cannot give %s to the build user's group", path);
	gf_buf logged = GF_BUF_INIT;
	gf_buf_printf(&logged, "$ %s%s", fin ? "(finally) " : "", cmd);
	run_log(r, logged.ptr, logged.len);
	gf_buf_dispose(&logged);
	gf_buf_printf(&text,
	              "__gitfleet_step=; . '%s'\nprintf '\\036GF:%s:%%d:%%s\\n' \"$?\" "
	              "\"${__gitfleet_step-}\"\n",
	              path, r->nonce);
	free(path);
	r->pending = true;
	if (rc < 0 || write(r->ctl, text.ptr, text.len) != (ssize_t)text.len) {
		run_logf(r, "cannot hand the command to the shell: %s",
		         rc < 0 ? gf_err_msg() : strerror(errno));
		snprintf(r->result.reason, sizeof(r->result.reason), "the runner failed: %s",
		         rc < 0 ? gf_err_msg() : strerror(errno));
		r->forced = PIPELINE_BUILD_FAULT;
		close_ctl(r);
		kill_group(r, SIGKILL);
	}
	gf_buf_dispose(&text);
}

/* A memory limit (RLIMIT_DATA) makes allocations fail rather than kill:
 * programs then say so in their own words. These are the words of libc
 * (strerror(ENOMEM)), bash, Python, C++, Go, Node and glib. */
static bool says_out_of_memory(const char *s, size_t len)
{
	static const char *const words[] = {"cannot allocate memory",
	                                    "out of memory",
	                                    "memoryerror",
	                                    "bad_alloc",
	                                    "memory exhausted",
	                                    "failed to allocate",
	                                    "allocation failed",
	                                    "xmalloc: cannot allocate"};
	for (size_t w = 0; w < GF_ARRAY_LEN(words); w++) {
		size_t wl = strlen(words[w]);
		for (size_t i = 0; i + wl <= len; i++)
			if (!strncasecmp(s + i, words[w], wl))
				return true;
	}
	return false;
}

/* A line the build printed: logged, and kept for the reason while it may
 * be the telling line of the running command. */
static void output_line(pipeline_run *r, const char *s, size_t len)
{
	if (r->memory_limited && !r->out_of_memory && says_out_of_memory(s, len))
		r->out_of_memory = true;
	gf_buf masked = GF_BUF_INIT;
	mask_into(&masked, s, len, r->mask, r->nmask);
	gf_buf line = GF_BUF_INIT;
	pipeline_log_line(&line, gf_wall_ms(), masked.ptr ? masked.ptr : "", masked.len, NULL, 0);
	if (r->log >= 0 && write(r->log, line.ptr, line.len) < 0)
		gf_log(GF_LOG_WARN, "cannot write a build log", "error=%d", errno);
	if (r->pending)
		pipeline_output_tail_add(&r->tail, masked.ptr ? masked.ptr : "", masked.len);
	gf_buf_dispose(&line);
	gf_buf_dispose(&masked);
}

/* One output line: a marker ends the pending command; anything else is
 * logged. Text before a marker on the same line is output that did not
 * end with a newline. */
static void on_line(pipeline_run *r, const char *s, size_t len)
{
	char tag[48];
	int tn = snprintf(tag, sizeof(tag), "\036GF:%s:", r->nonce);
	const char *m = NULL;
	for (size_t i = 0; i + (size_t)tn <= len; i++)
		if (s[i] == '\036' && !memcmp(s + i, tag, (size_t)tn)) {
			m = s + i;
			break;
		}
	char ltag[48];
	int ln = snprintf(ltag, sizeof(ltag), "\036GFL:%s", r->nonce);
	if (len == (size_t)ln && !memcmp(s, ltag, (size_t)ln)) {
		r->limits_set = true;
		return;
	}
	char vtag[48];
	int vn = snprintf(vtag, sizeof(vtag), "\036GFV:%s:", r->nonce);
	if (len >= (size_t)vn && !memcmp(s, vtag, (size_t)vn)) {
		const char *name = s + vn, *colon = memchr(name, ':', len - (size_t)vn);
		if (colon) {
			char *n = gf_xstrndup(name, (size_t)(colon - name));
			gf_buf v = GF_BUF_INIT;
			mask_into(&v, colon + 1, len - (size_t)(colon + 1 - s), r->mask, r->nmask);
			json_object_set_new(r->result.exported, n, json_string(gf_buf_cstr(&v)));
			gf_buf_dispose(&v);
			free(n);
		}
		return;
	}
	if (!m) {
		output_line(r, s, len);
		return;
	}
	if (m > s)
		output_line(r, s, (size_t)(m - s));
	int code = atoi(m + tn);
	const char *step = memchr(m + tn, ':', len - (size_t)(m + tn - s));
	if (!r->pending)
		return;
	r->pending = false;
	pipeline_steps_report(&r->steps, code);
	if (code != 0) {
		run_logf(r, "command failed with exit status %d", code);
		if (note_failure(r, code, false, 0) && step)
			note_step(r, step + 1, len - (size_t)(step + 1 - s));
	}
	feed_next(r);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char chunk[16384];
	(void)h;
	(void)suggested;
	buf->base = chunk;
	buf->len = sizeof(chunk);
}

static void end_output(pipeline_run *r)
{
	if (r->out_eof)
		return;
	r->out_eof = true;
	uv_read_stop((uv_stream_t *)&r->out);
	finish(r);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	pipeline_run *r = s->data;
	if (n < 0) {
		end_output(r);
		return;
	}
	for (ssize_t i = 0; i < n && !r->out_eof; i++) {
		char c = buf->base[i];
		if (c == '\n' || r->line.len >= LINE_MAX_BYTES) {
			on_line(r, r->line.ptr ? r->line.ptr : "", r->line.len);
			gf_buf_clear(&r->line);
			if (c == '\n')
				continue;
		}
		gf_buf_putc(&r->line, c);
	}
}

static void on_drain(uv_timer_t *t)
{
	end_output(t->data);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	pipeline_run *r = p->data;
	r->shell_exited = true;
	r->shell_status = status;
	r->shell_signal = sig;
	close_ctl(r);
	/* Whatever the build left running in its group goes with it. */
	kill_group(r, SIGKILL);
	uv_timer_start(&r->drain, on_drain, DRAIN_MS, 0);
	finish(r);
}

static void on_kill(uv_timer_t *t)
{
	kill_group(t->data, SIGKILL);
}

static void force_end(pipeline_run *r, pipeline_build_status why, const char *reason)
{
	if (r->finished || r->forced != PIPELINE_BUILD_IN_PROGRESS)
		return;
	r->forced = why;
	snprintf(r->result.reason, sizeof(r->result.reason), "%s", reason);
	run_logf(r, "%s", reason);
	close_ctl(r);
	kill_group(r, SIGTERM);
	uv_timer_start(&r->kill_timer, on_kill, KILL_GRACE_MS, 0);
}

static void on_timeout(uv_timer_t *t)
{
	pipeline_run *r = t->data;
	char why[128];
	snprintf(why, sizeof(why), "the build ran longer than its timeout of %g s: stopped",
	         (double)r->result.timeout_ms / 1000.0);
	force_end(r, PIPELINE_BUILD_TIMED_OUT, why);
}

void pipeline_run_stop(pipeline_run *r, const char *reason)
{
	force_end(r, PIPELINE_BUILD_STOPPED, reason ? reason : "the build was stopped");
}

/*
 * Resource limits. The shell sets them on itself with `ulimit` before the
 * first command (soft and hard: the build cannot raise them again), and
 * confirms with a marker line; a shell that cannot set them exits and the
 * build is a FAULT. Why not prlimit(2) from the daemon: changing another
 * user's process needs CAP_SYS_RESOURCE, which a daemon in a container
 * often lacks; and libuv gives no hook between fork and exec. Units:
 * `ulimit -d` is KiB in every shell, `-f` is 1024-byte blocks in bash but
 * 512-byte blocks in POSIX sh, and dash calls the process limit -p.
 */
static void limit_line(gf_buf *b, const char *opt, int res, int64_t v, int64_t unit)
{
	/* The shell inherits the daemon's limits: never ask above them (only
	 * root could raise a hard limit, and builds do not run as root). */
	struct rlimit cur;
	if (v <= 0 || (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
	               (rlim_t)(v * unit) >= cur.rlim_max))
		return;
	gf_buf_printf(b, "ulimit %s %lld && ", opt, (long long)v);
}

static void send_limits(pipeline_run *r, const pipeline_run_options *o, bool posix_sh)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_puts(&b, "ulimit -c 0 && ");
	limit_line(&b, "-d", RLIMIT_DATA, o->memory_mb * 1024, 1024);
	limit_line(&b, "-f", RLIMIT_FSIZE, o->file_size_mb * (posix_sh ? 2048 : 1024),
	           posix_sh ? 512 : 1024);
	limit_line(&b, "-n", RLIMIT_NOFILE, o->open_files, 1);
	struct rlimit cur;
	if (o->processes > 0 &&
	    (getrlimit(RLIMIT_NPROC, &cur) != 0 || cur.rlim_max == RLIM_INFINITY ||
	     (rlim_t)o->processes < cur.rlim_max))
		gf_buf_printf(&b, "{ ulimit -u %lld 2>/dev/null || ulimit -p %lld; } && ",
		              (long long)o->processes, (long long)o->processes);
	gf_buf_printf(&b, "printf '\\036GFL:%s\\n' || exit 125\n", r->nonce);
	if (write(r->ctl, b.ptr, b.len) != (ssize_t)b.len)
		run_logf(r, "cannot hand the resource limits to the shell: %s", strerror(errno));
	gf_buf_dispose(&b);
}

/*
 * Which step of a command failed. A command can be a whole script (an `if`
 * around `gitfleet apply`); bash runs its ERR trap after each failing
 * simple command, with the command's text in BASH_COMMAND, so the trap
 * keeps the last one (its first line) and the marker reports it. The
 * trap skips the `.` of the command file itself, which runs in the
 * script on fd 3. A build that sets an ERR trap of its own replaces this
 * one: its reasons then name the command alone. POSIX sh has no
 * BASH_COMMAND.
 */
static void bash_prologue(pipeline_run *r)
{
	static const char trap[] = "trap '[ \"${BASH_SOURCE[0]-}\" = /dev/fd/3 ] || "
	                           "__gitfleet_step=${BASH_COMMAND%%$'\\''\\n'\\''*}' ERR\n";
	if (write(r->ctl, trap, sizeof(trap) - 1) != (ssize_t)sizeof(trap) - 1)
		run_logf(r, "cannot hand the shell its ERR trap: %s", strerror(errno));
}

static const char *limit_text(char *buf, size_t n, int64_t v, const char *unit)
{
	if (v <= 0)
		return "unlimited";
	snprintf(buf, n, "%lld%s", (long long)v, unit);
	return buf;
}

int pipeline_run_start(pipeline_run **out, uv_loop_t *loop, const pipeline_buildspec *spec,
                       const pipeline_run_options *o, pipeline_run_cb cb, void *payload)
{
	*out = NULL;
	int ctl[2] = {-1, -1}, outp[2] = {-1, -1};
	int log = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log < 0)
		return gf_err_errno("cannot open the build log %s", o->log_path);
	if (pipe2(ctl, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		int rc = gf_err_errno("cannot make pipes for the build shell");
		close(log);
		for (int i = 0; i < 2; i++) {
			if (ctl[i] >= 0)
				close(ctl[i]);
			if (outp[i] >= 0)
				close(outp[i]);
		}
		return rc;
	}
	/* The shell opens its script as /dev/fd/3, which checks the pipe's
	 * owner: the build user's, when the shell runs as one. */
	if (o->set_user && fchown(ctl[0], (uid_t)o->uid, (gid_t)o->gid) != 0) {
		int rc = gf_err_errno("cannot hand the build shell its script pipe");
		close(log);
		for (int i = 0; i < 2; i++) {
			close(ctl[i]);
			close(outp[i]);
		}
		return rc;
	}
	pipeline_run *r = gf_xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->log = log;
	r->ctl = ctl[1];
	r->spec = spec;
	r->cur_phase = -1;
	r->forced = PIPELINE_BUILD_IN_PROGRESS;
	r->scratch = gf_xstrdup(o->scratch);
	r->set_user = o->set_user;
	r->gid = (gid_t)o->gid;
	r->cb = cb;
	r->payload = payload;
	r->result.timeout_ms = (int64_t)(o->timeout * 1000);
	r->result.exported = json_object();
	for (size_t i = 0; o->mask && o->mask[i]; i++)
		if (strlen(o->mask[i]) >= 3) {
			r->mask = gf_xrealloc(r->mask, (r->nmask + 1) * sizeof(char *));
			r->mask[r->nmask++] = gf_xstrdup(o->mask[i]);
		}
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		gf_die("no randomness for a build nonce");
	for (int i = 0; i < 16; i++)
		snprintf(r->nonce + 2 * i, 3, "%02x", rnd[i]);
	pipeline_steps_init(&r->steps, spec);

	uv_pipe_init(loop, &r->out, 0);
	uv_timer_init(loop, &r->timeout);
	uv_timer_init(loop, &r->kill_timer);
	uv_timer_init(loop, &r->drain);
	r->out.data = r->timeout.data = r->kill_timer.data = r->drain.data = r->proc.data = r;
	r->handles = 4;
	uv_pipe_open(&r->out, outp[0]);

	const char *shell = strcmp(spec->shell, "sh") ? "/bin/bash" : "/bin/sh";
	char *argv[] = {(char *)shell, "/dev/fd/3", NULL};
	uv_stdio_container_t stdio[4];
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = outp[1];
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = outp[1];
	stdio[3].flags = UV_INHERIT_FD;
	stdio[3].data.fd = ctl[0];
	uv_process_options_t po;
	memset(&po, 0, sizeof(po));
	po.exit_cb = on_exit_cb;
	po.file = shell;
	po.args = argv;
	po.env = (char **)o->env;
	po.cwd = o->cwd;
	po.flags = UV_PROCESS_DETACHED; /* setsid: its own process group */
	if (o->set_user) {
		/* libuv also drops the daemon's supplementary groups. */
		po.flags |= UV_PROCESS_SETUID | UV_PROCESS_SETGID;
		po.uid = (uv_uid_t)o->uid;
		po.gid = (uv_gid_t)o->gid;
	}
	po.stdio = stdio;
	po.stdio_count = 4;
	int e = uv_spawn(loop, &r->proc, &po);
	close(outp[1]);
	close(ctl[0]);
	if (e < 0) {
		int rc = gf_err_set(GF_EIO, "cannot start %s for the build: %s", shell,
		                    uv_strerror(e));
		close_ctl(r);
		close(r->log);
		r->handles++;
		r->finished = true;
		uv_close((uv_handle_t *)&r->proc, on_closed);
		uv_close((uv_handle_t *)&r->out, on_closed);
		uv_close((uv_handle_t *)&r->timeout, on_closed);
		uv_close((uv_handle_t *)&r->kill_timer, on_closed);
		uv_close((uv_handle_t *)&r->drain, on_closed);
		return rc;
	}
	r->handles++;
	char mem[32], fsz[32], nof[32], npr[32];
	r->memory_limited = o->memory_mb > 0;
	r->memory_mb = o->memory_mb;
	uv_read_start((uv_stream_t *)&r->out, on_alloc, on_read);
	if (o->timeout > 0)
		uv_timer_start(&r->timeout, on_timeout, (uint64_t)(o->timeout * 1000), 0);
	run_logf(r, "==> build started: %s in %s, as user %s", shell, o->cwd,
	         o->user ? o->user : "of the daemon");
	run_logf(r,
	         "==> limits per process: memory %s, files %s, open files %s; processes of "
	         "the user %s",
	         limit_text(mem, sizeof(mem), o->memory_mb, " MiB"),
	         limit_text(fsz, sizeof(fsz), o->file_size_mb, " MiB"),
	         limit_text(nof, sizeof(nof), o->open_files, ""),
	         limit_text(npr, sizeof(npr), o->processes, ""));
	for (size_t i = 0; i < spec->nignored; i++)
		run_logf(r, "warning: %s is not supported by gitfleet and was ignored",
		         spec->ignored[i]);
	if (strcmp(shell, "/bin/sh"))
		bash_prologue(r);
	send_limits(r, o, !strcmp(shell, "/bin/sh"));
	feed_next(r);
	*out = r;
	return 0;
}

void pipeline_run_free(pipeline_run *r)
{
	if (!r || r->freeing)
		return;
	r->freeing = true;
	r->cb = NULL;
	if (!r->finished) {
		close_ctl(r);
		kill_group(r, SIGKILL);
		if (r->log >= 0)
			close(r->log);
		r->log = -1;
		r->finished = true;
	}
	uv_close((uv_handle_t *)&r->proc, on_closed);
	uv_close((uv_handle_t *)&r->out, on_closed);
	uv_close((uv_handle_t *)&r->timeout, on_closed);
	uv_close((uv_handle_t *)&r->kill_timer, on_closed);
	uv_close((uv_handle_t *)&r->drain, on_closed);
}
