/* The supervisor: instance processes started with uv_spawn (exit reported
 * by libuv's SIGCHLD handling in the loop, never a blocking waitpid), each
 * in its own session so that stopping signals its whole process group.
 * Processes that outlived a crashed daemon are watched through a pidfd. */
#include "cloud/cloud_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cloud_proc {
	uv_process_t child; /* spawned: libuv reaps it */
	uv_poll_t poll;     /* adopted: pidfd readable = exited */
	uv_timer_t kill_timer;
	int pid, pidfd;
	bool adopted, exited, freed;
	int handles; /* open handles; the struct is freed when all closed */
	cloud_proc_exit_cb cb;
	void *payload;
};

static void on_closed(uv_handle_t *h)
{
	cloud_proc *p = h->data;
	if (--p->handles == 0) {
		if (p->pidfd >= 0)
			close(p->pidfd);
		free(p);
	}
}

static void report(cloud_proc *p, const char *reason)
{
	if (p->exited)
		return;
	p->exited = true;
	uv_timer_stop(&p->kill_timer);
	/* Whatever the leader left behind in its group goes with it. */
	kill(-p->pid, SIGKILL);
	if (!p->freed && p->cb)
		p->cb(p, reason, p->payload);
}

static void on_exit_cb(uv_process_t *h, int64_t status, int sig)
{
	char why[64];
	if (sig)
		snprintf(why, sizeof(why), "killed by signal %d (%s)", sig, strsignal(sig));
	else
		snprintf(why, sizeof(why), "exited with status %lld", (long long)status);
	report(h->data, why);
}

static void on_pidfd(uv_poll_t *h, int status, int events)
{
	cloud_proc *p = h->data;
	uv_poll_stop(h);
	report(p, "exited (status unknown: it was adopted after a daemon restart)");
}

static void on_kill_timer(uv_timer_t *t)
{
	cloud_proc *p = t->data;
	if (!p->exited)
		kill(-p->pid, SIGKILL);
}

static cloud_proc *proc_new(uv_loop_t *loop, cloud_proc_exit_cb cb, void *payload)
{
	cloud_proc *p = gf_xcalloc(1, sizeof(*p));
	p->pidfd = -1;
	p->cb = cb;
	p->payload = payload;
	uv_timer_init(loop, &p->kill_timer);
	p->kill_timer.data = p;
	p->handles = 1;
	return p;
}

static void set_limit(int pid, int res, int64_t v)
{
	if (v <= 0)
		return;
	struct rlimit rl = {(rlim_t)v, (rlim_t)v};
	prlimit(pid, res, &rl, NULL);
}

int cloud_proc_spawn(cloud_proc **out, uv_loop_t *loop, const cloud_proc_options *o,
                     cloud_proc_exit_cb cb, void *payload)
{
	int fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return gf_err_errno("cannot open log file %s", o->log_path);
	cloud_proc *p = proc_new(loop, cb, payload);
	uv_stdio_container_t stdio[3];
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = fd;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = fd;
	uv_process_options_t po;
	memset(&po, 0, sizeof(po));
	po.exit_cb = on_exit_cb;
	po.file = o->argv[0];
	po.args = (char **)o->argv;
	po.env = (char **)o->env;
	po.cwd = o->cwd;
	/* DETACHED = setsid(): a new session and process group led by the
	 * child, so signals to -pid reach everything it starts. */
	po.flags = UV_PROCESS_DETACHED;
	po.stdio = stdio;
	po.stdio_count = 3;
	p->child.data = p;
	int r = uv_spawn(loop, &p->child, &po);
	close(fd);
	if (r < 0) {
		int rc = gf_err_set(GF_EIO, "cannot start %s: %s", o->argv[0], uv_strerror(r));
		p->handles++;
		uv_close((uv_handle_t *)&p->child, on_closed);
		uv_close((uv_handle_t *)&p->kill_timer, on_closed);
		p->freed = true;
		return rc;
	}
	p->handles++;
	p->pid = p->child.pid;
	/* Limits apply from here on; the window before is a few instructions
	 * of exec, far below any limit a template may set. */
	set_limit(p->pid, RLIMIT_AS, o->memory_mb * 1024 * 1024);
	set_limit(p->pid, RLIMIT_NOFILE, o->open_files);
	set_limit(p->pid, RLIMIT_NPROC, o->processes);
	set_limit(p->pid, RLIMIT_CPU, o->cpu_seconds);
	*out = p;
	return 0;
}

/* True when /proc/PID/environ holds GITFLEET_INSTANCE_ID=id. */
static bool environ_has_id(int pid, const char *id)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	gf_buf b;
	gf_buf_init(&b, 1 << 20);
	bool found = false;
	if (gf_fs_read(&b, path) == 0) {
		char want[64];
		int n = snprintf(want, sizeof(want), "GITFLEET_INSTANCE_ID=%s", id);
		for (size_t i = 0; i < b.len && !found; i += strlen(b.ptr + i) + 1)
			found = strncmp(b.ptr + i, want, (size_t)n + 1) == 0;
	}
	gf_buf_dispose(&b);
	return found;
}

/* The session leader whose environment carries the instance id, or 0. An
 * instance is spawned as the leader of a new session; what it starts
 * inherits the id but not the leadership. */
static int find_by_id(const char *id)
{
	DIR *dir = opendir("/proc");
	int found = 0;
	struct dirent *e;
	while (dir && !found && (e = readdir(dir))) {
		int64_t pid;
		if (gf_str_to_i64(&pid, e->d_name, 1, INT32_MAX) == 0 &&
		    getsid((pid_t)pid) == pid && environ_has_id((int)pid, id))
			found = (int)pid;
	}
	if (dir)
		closedir(dir);
	gf_err_clear();
	return found;
}

int cloud_proc_adopt(cloud_proc **out, uv_loop_t *loop, int pid, const char *id,
                     cloud_proc_exit_cb cb, void *payload)
{
	/* No pid recorded: the daemon died between starting the process and
	 * recording it. The process may run all the same. */
	if (pid <= 0)
		pid = find_by_id(id);
	if (pid <= 0 || !environ_has_id(pid, id))
		return gf_err_set(GF_ENOTFOUND, "instance %s (pid %d) is not running", id, pid);
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return gf_err_errno("cannot watch pid %d", pid);
	cloud_proc *p = proc_new(loop, cb, payload);
	p->adopted = true;
	p->pid = pid;
	p->pidfd = pfd;
	uv_poll_init(loop, &p->poll, pfd);
	p->poll.data = p;
	p->handles++;
	uv_poll_start(&p->poll, UV_READABLE, on_pidfd);
	*out = p;
	return 0;
}

int cloud_proc_pid(const cloud_proc *p)
{
	return p->pid;
}

void cloud_proc_stop(cloud_proc *p, double grace)
{
	if (p->exited)
		return;
	kill(-p->pid, SIGTERM);
	uv_timer_start(&p->kill_timer, on_kill_timer, (uint64_t)(grace * 1000), 0);
}

void cloud_proc_free(cloud_proc *p)
{
	if (!p)
		return;
	p->freed = true;
	uv_close((uv_handle_t *)&p->kill_timer, on_closed);
	uv_close(p->adopted ? (uv_handle_t *)&p->poll : (uv_handle_t *)&p->child, on_closed);
}

int cloud_log_rotate(const char *path, int64_t max)
{
	struct stat st;
	if (stat(path, &st) != 0 || st.st_size <= max)
		return 0;
	char *old = gf_xasprintf("%s.1", path);
	int rc = 0;
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int outfd = open(old, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (in < 0 || outfd < 0) {
		rc = gf_err_errno("cannot rotate %s", path);
		goto done;
	}
	/* Keep the newest `max` bytes in PATH.1. */
	off_t from = st.st_size > max ? st.st_size - max : 0;
	char buf[65536];
	ssize_t n;
	while ((n = pread(in, buf, sizeof(buf), from)) > 0) {
		if (write(outfd, buf, (size_t)n) != n) {
			rc = gf_err_errno("cannot rotate %s", path);
			goto done;
		}
		from += n;
	}
	if (truncate(path, 0) != 0)
		rc = gf_err_errno("cannot truncate %s", path);
done:
	if (in >= 0)
		close(in);
	if (outfd >= 0)
		close(outfd);
	free(old);
	return rc;
}
