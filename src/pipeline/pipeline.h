/*
 * pipeline — CodeBuild's role in gitfleet: a project's events pass its
 * webhook's filter groups, a build is queued, the build runs the
 * repository's buildspec.yaml in one shell, and its history is kept.
 *
 * NOTES ON THE DESIGN
 *
 * Parts, each in its own file and each usable (and tested) alone:
 *
 *   buildspec.c  buildspec.yaml version 0.2 → pipeline_buildspec. A pure
 *                function of the file's bytes: no file, process or
 *                environment is touched, so every error is unit tested and
 *                the parser is fuzzed (tests/fuzz/fuzz_buildspec.c).
 *   filter.c     webhook filter groups with CodeBuild's semantics, a pure
 *                function of (groups, event): compiled once (PCRE2), then
 *                matched against every event.
 *   steps.c      the phase rules (finally, on-failure, post_build after a
 *                failed build) as a pure state machine: which command next.
 *   runner.c     one shell per build, fed command by command (how, and
 *                why, is at the top of runner.c and in docs/buildspec.md);
 *                timestamped, masked log; timeout and stop on the process
 *                group.
 *   reason.c     the reason of a failed build: the first failing command,
 *                how it ended, and the line of its output that says why.
 *   service.c    the daemon side: projects and webhooks in the inventory
 *                (pl_* tables, the cloud store's migration 2);
 *   builds.c     the queue and each build's life (below), build tokens;
 *   poll.c       polling of GIT projects; notify.c  notify_url POSTs;
 *   workspace.c  the build user, the workspaces outside the home, and
 *                every walk of a build's files (never following links);
 *   githttp.c    git's smart HTTP for hosted repositories (a CGI);
 *   api.c        the HTTP routes (docs/pipeline.md).
 *
 * Isolation (docs/pipeline.md): a root daemon, or one given the
 * capabilities listed in workspace.c, runs builds as an unprivileged
 * user; builds reach the daemon only through the build socket, which
 * takes nothing but their tokens, so a pull request's read-only token
 * cannot be bypassed through the trusted admin socket.
 *
 * The buildspec. A parse yields everything a runner needs, owned by one
 * arena freed by pipeline_buildspec_free:
 *
 *   env.shell               "bash" (default) or "sh"
 *   env.variables           name → value, in file order
 *   env.exported-variables  names whose final values the build reports
 *   env.secrets             name → project secret name (the value comes
 *                           from the project, never from the repository)
 *   phases.<phase>          commands, finally, on-failure (ABORT default)
 *   artifacts               files (globs), base-directory, discard-paths
 *
 * Errors name the file, the line and column of the offending node, and
 * what is wrong: `buildspec.yaml:7:5: phases.build.commands must be a list
 * of strings`. Keys that CodeBuild knows but gitfleet does not implement
 * (run-as, proxy, batch, reports, cache, env.parameter-store,
 * env.secrets-manager, env.git-credential-helper, runtime-versions) are
 * accepted and listed in `ignored` so that the runner can log a warning;
 * keys nobody knows are errors with a "did you mean" suggestion, because a
 * misspelt `pre-build:` that silently never runs is worse than a failed
 * build (docs/buildspec.md explains the difference with CodeBuild).
 *
 * A build's life (the runner drives it; phases run in the order below):
 *
 *   QUEUED ──dequeued: no other build of the project runs──► IN_PROGRESS
 *   QUEUED ──stop──► STOPPED
 *   IN_PROGRESS:
 *     checkout (fetch, fresh workspace) ──fails──► FAULT
 *     buildspec parse                   ──fails──► FAILED (file:line:col)
 *     install → pre_build → build → post_build, each phase:
 *       commands in order; the first failing command ends the phase's
 *       commands; `finally` runs; then the phase's on-failure decides:
 *         ABORT     → later phases are skipped, except that a failed
 *                     build phase still runs post_build with
 *                     CODEBUILD_BUILD_SUCCEEDING=0 (as CodeBuild does)
 *         CONTINUE  → the next phase runs; the build stays failed
 *   IN_PROGRESS ──all phases done, none failed──► SUCCEEDED
 *   IN_PROGRESS ──a phase failed──► FAILED
 *   IN_PROGRESS ──build_timeout on the whole process group──► TIMED_OUT
 *   IN_PROGRESS ──stop──► STOPPED
 *   IN_PROGRESS ──the daemon could not run the build──► FAULT
 */
#ifndef GF_PIPELINE_H
#define GF_PIPELINE_H

#include "base/base.h"
#include "hooks/hooks.h"
#include "metrics/metrics.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

/* ---- buildspec --------------------------------------------------------- */

/* A buildspec larger than this is refused before it is parsed. */
#define PIPELINE_BUILDSPEC_MAX (1u << 20)

typedef enum {
	PIPELINE_PHASE_INSTALL,
	PIPELINE_PHASE_PRE_BUILD,
	PIPELINE_PHASE_BUILD,
	PIPELINE_PHASE_POST_BUILD,
	PIPELINE_PHASE_COUNT
} pipeline_phase_kind;

/* "install", "pre_build", "build", "post_build". */
const char *pipeline_phase_name(pipeline_phase_kind k);

typedef enum {
	PIPELINE_ON_FAILURE_ABORT,
	PIPELINE_ON_FAILURE_CONTINUE
} pipeline_on_failure;

typedef struct {
	const char *name;
	const char *value;
} pipeline_kv;

typedef struct {
	bool present; /* the phase was declared */
	const char **commands;
	size_t ncommands;
	const char **finally_cmds;
	size_t nfinally;
	pipeline_on_failure on_failure;
} pipeline_phase;

typedef struct {
	gf_arena arena;    /* owns every string and array below */
	const char *shell; /* "bash" or "sh" */
	pipeline_kv *variables;
	size_t nvariables;
	const char **exported;
	size_t nexported;
	pipeline_kv *secrets; /* variable name → project secret name */
	size_t nsecrets;
	pipeline_phase phases[PIPELINE_PHASE_COUNT];
	const char **artifact_files;
	size_t nartifact_files;
	const char *base_directory; /* NULL: the source directory */
	bool discard_paths;
	const char **ignored; /* "file:line:col: key" of accepted, unused keys */
	size_t nignored;
} pipeline_buildspec;

/*
 * Parses buildspec text. `file` is the name used in messages. On success
 * *out owns a new buildspec (pipeline_buildspec_free). On failure returns
 * GF_EINVALID (GF_ETOOBIG past PIPELINE_BUILDSPEC_MAX) with
 * "file:line:col: reason" in gf_err_msg() and *out NULL.
 */
int pipeline_buildspec_parse(pipeline_buildspec **out, const char *file, const char *text,
                             size_t len);
void pipeline_buildspec_free(pipeline_buildspec *spec);

/* ---- the order of commands (steps.c) ----------------------------------- */

typedef enum {
	PIPELINE_PHASE_NOT_RUN, /* not declared, or skipped after an ABORT */
	PIPELINE_PHASE_SUCCEEDED,
	PIPELINE_PHASE_FAILED,
} pipeline_phase_status;

const char *pipeline_phase_status_name(pipeline_phase_status s);

/*
 * Which command runs next, given how the previous ones ended: the phase
 * rules of the build life above, as a pure state machine so that every
 * rule is unit tested without a shell. Use: init, then loop { next → run
 * the command → report its exit status } until next returns false.
 */
typedef struct {
	const pipeline_buildspec *spec;
	int phase;       /* current phase; PIPELINE_PHASE_COUNT when done */
	bool in_finally; /* running the phase's finally commands */
	size_t index;    /* of the next command in the current list */
	bool started;    /* the current phase has begun */
	bool announced;  /* its first command was handed out */
	bool finally_failed;
	bool build_failed;
	bool skip_to_post_build; /* a failed build phase with ABORT */
	bool abort_all;          /* ABORT in another phase: nothing more runs */
	pipeline_phase_status status[PIPELINE_PHASE_COUNT];
	int exit_code[PIPELINE_PHASE_COUNT]; /* of the failing command, else 0 */
} pipeline_steps;

void pipeline_steps_init(pipeline_steps *s, const pipeline_buildspec *spec);
/* The next command: true with *phase, *command and *is_finally set, or
 * false when the build's commands are over. *entering is true for the
 * first command of a phase (to log the phase marker). */
bool pipeline_steps_next(pipeline_steps *s, pipeline_phase_kind *phase, const char **command,
                         bool *is_finally, bool *entering);
/* The exit status of the command `next` returned. */
void pipeline_steps_report(pipeline_steps *s, int exit_code);

/* ---- the reason of a failed build (reason.c) ------------------------------ */

/* The longest output line a reason quotes, and the longest command it
 * names, in bytes (a longer one is cut, with "..."). */
#define PIPELINE_REASON_LINE_MAX    200
#define PIPELINE_REASON_COMMAND_MAX 80

/*
 * Cleans len bytes of program output into one line of valid UTF-8 as a
 * terminal shows it: escape sequences (colours), control characters and
 * what a carriage return overwrote are dropped, a tab becomes a space, a
 * byte that is not UTF-8 becomes '?'. Past max bytes the text is cut on a
 * character boundary and "..." appended: out needs max + 4 bytes. Returns
 * the length written.
 */
size_t pipeline_text_clean(char *out, size_t max, const char *s, size_t len);

/*
 * The lines of one command's output that a reason may quote, fed line by
 * line (already masked): the last that starts with "Error:" — how gitfleet
 * and terraform print errors, once box drawing (│) and colours are set
 * aside — and the last with any text. Both cleaned and cut as above.
 */
typedef struct {
	char error[PIPELINE_REASON_LINE_MAX + 4];
	char last[PIPELINE_REASON_LINE_MAX + 4];
} pipeline_output_tail;

void pipeline_output_tail_reset(pipeline_output_tail *t);
void pipeline_output_tail_add(pipeline_output_tail *t, const char *line, size_t len);
/* The "Error:" line if there was one, else the last line with text, else "". */
const char *pipeline_output_tail_best(const pipeline_output_tail *t);

/* How the first failing command of a build ended. */
typedef struct {
	pipeline_phase_kind phase;
	bool is_finally;
	const char *command; /* as the buildspec has it (masked); its first line is named */
	const char *step;    /* the simple command in it that failed last (bash), or NULL */
	int status;          /* the shell's $?: 128+N when signal N ended the command */
	bool shell_ended;    /* the shell itself ended during the command ... */
	int shell_signal;    /* ... killed by this signal; 0: it exited with `status` */
	const char *note;    /* said after the status, or NULL */
	const char *output;  /* the output line quoted (pipeline_output_tail_best), or NULL */
} pipeline_failure;

/*
 * Writes the reason of a failed build into out (n bytes, always
 * terminated, cut on a character boundary):
 *   phase build failed: command "gitfleet apply tfplan" exited with status 1: Error: ...
 *   phase build failed: command "sleep 100" was killed by SIGTERM (status 143)
 *   phase build failed: command "if [ -n \"$X\" ]; then ..." at "make test" exited ...
 *   phase post_build failed: finally command "exit 3" ended the build shell (status 3),
 *   so the commands after it could not run
 */
void pipeline_failure_reason(char *out, size_t n, const pipeline_failure *f);

/* ---- builds and the runner (runner.c) ----------------------------------- */

typedef enum {
	PIPELINE_BUILD_QUEUED,
	PIPELINE_BUILD_IN_PROGRESS,
	PIPELINE_BUILD_SUCCEEDED,
	PIPELINE_BUILD_FAILED,
	PIPELINE_BUILD_FAULT,
	PIPELINE_BUILD_TIMED_OUT,
	PIPELINE_BUILD_STOPPED,
} pipeline_build_status;

const char *pipeline_build_status_name(pipeline_build_status s);
int pipeline_build_status_parse(pipeline_build_status *out, const char *name);
/* SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED: the build is over. */
bool pipeline_build_status_final(pipeline_build_status s);

/* Appends one log line: "2026-01-02T03:04:05.678Z text\n", every value of
 * `mask` replaced by "***". */
void pipeline_log_line(gf_buf *out, int64_t wall_ms, const char *text, size_t len,
                       char *const *mask, size_t nmask);

typedef struct {
	pipeline_phase_status status;
	int64_t start_ms, end_ms; /* wall clock; 0 if the phase did not run */
	int exit_code;
} pipeline_phase_result;

typedef struct {
	pipeline_build_status status; /* SUCCEEDED, FAILED, FAULT, TIMED_OUT or STOPPED */
	char reason[512];             /* why it did not succeed; "" if it did */
	int64_t timeout_ms;
	pipeline_phase_result phases[PIPELINE_PHASE_COUNT];
	json_t *exported; /* env.exported-variables: NAME → final value (first line, masked);
	                     owned by the run */
} pipeline_run_result;

typedef struct {
	const char *cwd;         /* the source directory */
	const char *const *env;  /* NAME=value, NULL-terminated: the whole environment */
	const char *log_path;    /* appended */
	const char *scratch;     /* a directory for the command files, which the build may
	                            read (they are written 0640) but not write */
	const char *const *mask; /* values masked in the log (3 characters or more) */
	double timeout;          /* seconds; 0: none */
	/* Resource limits of every process of the build; 0: unlimited.
	 * memory_mb is RLIMIT_DATA (docs/pipeline.md says why not RLIMIT_AS);
	 * processes is RLIMIT_NPROC, which counts every process of the user. */
	int64_t memory_mb, open_files, processes, file_size_mb;
	/* Run the shell as this user (the daemon can switch users); user
	 * names it in the log. The command files in scratch are given to gid. */
	bool set_user;
	unsigned uid, gid;
	const char *user;
} pipeline_run_options;

typedef struct pipeline_run pipeline_run;
/* Called once, on the loop, when the build's commands are over. */
typedef void (*pipeline_run_cb)(pipeline_run *r, const pipeline_run_result *res, void *payload);

/* Starts the shell and the first command. `spec` must outlive the run. */
int pipeline_run_start(pipeline_run **out, uv_loop_t *loop, const pipeline_buildspec *spec,
                       const pipeline_run_options *o, pipeline_run_cb cb, void *payload);
/* Ends the build as STOPPED (SIGTERM to its group, SIGKILL 3 s later). */
void pipeline_run_stop(pipeline_run *r, const char *reason);
/* Frees the run (killing its group if it still runs; the callback is then
 * never called). Memory goes once libuv has closed the handles. */
void pipeline_run_free(pipeline_run *r);

/* ---- filter groups ----------------------------------------------------- */

typedef enum {
	PIPELINE_FILTER_EVENT,
	PIPELINE_FILTER_HEAD_REF,
	PIPELINE_FILTER_BASE_REF,
	PIPELINE_FILTER_FILE_PATH,
	PIPELINE_FILTER_COMMIT_MESSAGE,
	PIPELINE_FILTER_ACTOR_ACCOUNT_ID,
	PIPELINE_FILTER_TAG_NAME,
	PIPELINE_FILTER_COUNT
} pipeline_filter_type;

/* "EVENT", "HEAD_REF", ... ; and the reverse (GF_EINVALID if unknown). */
const char *pipeline_filter_type_name(pipeline_filter_type t);
int pipeline_filter_type_parse(pipeline_filter_type *out, const char *name);

typedef struct pipeline_filters pipeline_filters;

/*
 * Compiles filter groups from their JSON form (the body of
 * PUT /v1/webhooks/{project}):
 *   [ [ {"type": "EVENT", "pattern": "PUSH", "exclude_matched_pattern": false}, ... ], ... ]
 * NULL or an empty array means "no groups": every PUSH builds. Errors
 * (GF_EINVALID) name the group and filter by index, e.g.
 * `filter_groups[1][0].pattern: ...`; EVENT patterns are checked against
 * the known event names and regexes are compiled, so a bad pattern is
 * refused when the webhook is saved, not when an event arrives.
 */
int pipeline_filters_compile(pipeline_filters **out, const json_t *groups);
void pipeline_filters_free(pipeline_filters *f);
/* True if the event starts a build: any group matches, and a group matches
 * when all its filters do. */
bool pipeline_filters_match(const pipeline_filters *f, const hooks_event *ev);

/* ---- the daemon side (service.c, api.c) ---------------------------------- */

typedef struct pipeline_service pipeline_service;
typedef struct http_server http_server;

/* Builds run as this user, when the daemon can switch users, unless
 * --build-user names another. */
#define PIPELINE_BUILD_USER_DEFAULT "gitfleet-build"

typedef struct {
	const char *home;       /* the daemon's home: repos/, mirrors/, builds/, inventory.db */
	const char *exe;        /* the daemon's own gitfleet binary */
	const char *socket;     /* the trusted admin socket (hooks of hosted repositories) */
	const char *public_url; /* "http://HOST:PORT" of the TCP API, or NULL */
	const char *api_token;  /* the TCP API's token (git over HTTP), or NULL */
	/* Builds: their workspaces and their token-only socket live in
	 * build_dir (outside the 0700 home); build_user as --build-user. The
	 * daemon listens on build_socket; pipeline_service_open checks that
	 * the build user can reach it and the gitfleet binary. */
	const char *build_dir;
	const char *build_socket;
	const char *build_user; /* NULL: PIPELINE_BUILD_USER_DEFAULT */
} pipeline_service_options;

/* Keeps the daemon's capabilities to the daemon: clears its ambient and
 * inheritable sets (a non-root daemon given CAP_SETUID and the others by
 * systemd's AmbientCapabilities, to run builds as the build user), so
 * that nothing it starts — builds, instances, git — inherits them. Call
 * once at start, before any child. Failures are logged. */
void pipeline_caps_confine(void);

/* The default build directory of a home: "HOME-builds" (malloc'd). */
char *pipeline_build_dir_default(const char *home);

/* Validates the body of PUT /v1/projects/{name} and normalises it into
 * the stored spec, every default filled in (docs/pipeline.md). On
 * failure GF_EINVALID with "field: what is wrong" in err and *out NULL.
 * Pure: no store, no repository. */
int pipeline_project_decode(json_t **out, char *err, size_t errlen, const char *name,
                            const json_t *body);

/* Opens the pipeline on the daemon's loop, after the cloud (which created
 * the tables). Builds left IN_PROGRESS by a crashed daemon become FAULT;
 * queued ones start again. */
int pipeline_service_open(pipeline_service **out, uv_loop_t *loop,
                          const pipeline_service_options *o);
/* Stops running builds (STOPPED) and frees the service once their
 * processes are gone; keep running the loop afterwards. */
void pipeline_service_close(pipeline_service *ps);
/* Registers /v1/projects, /v1/webhooks, /v1/builds and /hooks (docs/pipeline.md),
 * and the build-token check on `s`. */
int pipeline_api_register(http_server *s, pipeline_service *ps);
/* The pipeline's /metrics families (stats.c): builds by project and status,
 * and build durations. `payload` is the pipeline_service (cloud_metrics_add). */
void pipeline_metrics_write(metrics_writer *w, void *payload);

#endif
