/* Private to src/pipeline: the daemon side (service.c: projects, webhooks,
 * queue, build life; api.c: the HTTP routes). */
#ifndef GF_PIPELINE_SERVICE_INT_H
#define GF_PIPELINE_SERVICE_INT_H

#include "pipeline/pipeline.h"

#include <sqlite3.h>
#include <sys/types.h>

/* Default resource limits of a build (docs/pipeline.md, "Limits"). */
#define PL_DEFAULT_MEMORY_MIB    4096
#define PL_DEFAULT_FILE_SIZE_MIB 4096
#define PL_DEFAULT_PROCESSES     1024
#define PL_DEFAULT_OPEN_FILES    4096

/* workspace.c: who runs builds (see the top of workspace.c). */
typedef struct {
	bool drop; /* the daemon can switch users: builds switch to uid/gid */
	uid_t uid;
	gid_t gid;
	char name[64];
	char err[512]; /* set: no build can run (no such user); they end FAULT with it */
} pl_build_user;

typedef struct pl_build {
	struct pipeline_service *ps;
	char id[128];
	char project[64];
	int64_t number;
	pipeline_build_status status;
	json_t *info;         /* what started it: initiator, event, refs, versions ... */
	json_t *project_spec; /* the project as it was when the build was queued */
	char token[65];
	bool read_only;
	char *dir; /* builds/<project>/<number> in the home: log, artifacts */
	char *ws;  /* <build-dir>/<project>/<number>: the workspace (workspace.c) */
	pipeline_buildspec *spec;
	pipeline_run *run;
	char **env, **mask;
	int64_t queued_ms, start_ms;
	bool preparing, stop_requested;
	/* filled by the preparation on a worker thread */
	uv_work_t work;
	int prep_rc;
	pipeline_build_status prep_status;
	char prep_err[512];
	char resolved[48];
	char *spec_text;
	size_t spec_len;
} pl_build;

struct pipeline_service {
	uv_loop_t *loop;
	sqlite3 *db;
	char *home, *exe, *sock, *public_url, *repos, *mirrors, *builds;
	char *build_dir, *build_sock, *api_token;
	pl_build_user user;
	GF_VEC(pl_build *) live; /* queued and running builds */
	uv_timer_t poll;
	json_t *polls; /* project → {"due": ms, "busy": bool, "refs": {ref: commit}} */
	int polling;   /* poll fetches on the thread pool */
	bool closing;
};

/* builds.c: `bytes` random bytes as 2 * bytes hex digits (+ NUL) into out. */
void pl_random_hex(char *out, size_t bytes);
/* Runs one SQL statement on the pipeline's connection, binding the
 * variadic arguments by `fmt` ('t' text, anything else int64); 0 or GF_EIO
 * with the message set and logged. */
int pl_db_exec(pipeline_service *ps, const char *sql, const char *fmt, ...);

/* builds.c: a string member of a JSON object, "" when absent. */
const char *pl_jstr(const json_t *obj, const char *key);

/* builds.c: one PUSH event of `repo_path` (hosted repository or mirror)
 * through the project's filter groups; queues a build when they match.
 * *result says what happened ({"ref", "build", "build_id" | "reason"}). */
int pl_push_event(pipeline_service *ps, json_t **result, const char *project, const char *repo_path,
                  const char *ref, const char *before, const char *after, const char *initiator);

/* poll.c: starts the fetches of GIT projects whose poll is due. */
void pl_poll_projects(pipeline_service *ps);

/* notify.c: POSTs a status change to the project's notify_url, if any. */
void pl_notify(pipeline_service *ps, const json_t *project_spec, const char *id,
               const char *project, const char *status, const char *reason);

/* service.c */
json_t *pl_project_get(pipeline_service *ps, const char *name);
/* Every project as pl_project_public shows it, by name. */
json_t *pl_projects_list(pipeline_service *ps);
json_t *pl_webhook_get(pipeline_service *ps, const char *project);
/* Queues a build of `project` for `info` (consumed). *id receives the id. */
int pl_build_enqueue(pipeline_service *ps, char id[128], const char *project, json_t *info);
/* Builds an info object from an event (source_version = the commit). */
json_t *pl_event_info(const hooks_event *ev, const char *initiator);
/* The info for a push to a hosted repository, with changed files from git. */
int pl_hosted_push(pipeline_service *ps, json_t **result, const char *project, const char *ref,
                   const char *before, const char *after);
pl_build *pl_build_live(pipeline_service *ps, const char *id);
json_t *pl_build_json(pipeline_service *ps, const char *id);
json_t *pl_builds_list(pipeline_service *ps, const char *project);
/* GF_ENOTFOUND, or 0 once the stop is under way. */
int pl_build_stop(pipeline_service *ps, const char *id);
/* The build's directory (malloc'd) when the build exists. */
char *pl_build_dir(pipeline_service *ps, const char *id);
/* True if the delivery was seen before (and records it otherwise). */
bool pl_delivery_seen(pipeline_service *ps, const char *forge, const char *id);
int pl_project_put(pipeline_service *ps, json_t **out, char *err, size_t errlen, const char *name,
                   const json_t *body);
int pl_project_delete(pipeline_service *ps, const char *name);
int pl_webhook_put(pipeline_service *ps, json_t **out, char *err, size_t errlen,
                   const char *project, const json_t *body);
int pl_webhook_delete(pipeline_service *ps, const char *project);
/* Adds computed fields (repo_url, payload_urls) and hides secret values. */
json_t *pl_project_public(pipeline_service *ps, const char *name, const json_t *spec);
json_t *pl_webhook_public(pipeline_service *ps, const char *project, const json_t *spec);
/* The auth hook for build tokens (http_server_add_auth). */
int pl_token_check(const char *method, const char *path, const char *token, char *why,
                   size_t why_len, void *payload);

/* workspace.c */
/* The build user for --build-user `name` (NULL: the default); u->err says
 * why builds cannot run. */
void pl_build_user_resolve(pl_build_user *u, const char *name);
/* How many of the capabilities a non-root daemon needs to run builds as
 * the build user it lacks (in its effective set); their names, spaced, in
 * out. */
size_t pl_build_caps_missing(char *out, size_t n);
/* 0 if the build user may pass through every directory to `path` and has
 * `want` (R_OK, W_OK, X_OK bits) on it; otherwise GF_E* with the first
 * obstacle in `why`. */
int pl_build_user_can_reach(const pl_build_user *u, const char *path, int want, char *why,
                            size_t n);
/* Makes the workspace `ws` (removing a stale one) with scratch/, home/,
 * tmp/ owned as the top of workspace.c draws. */
int pl_workspace_create(const pl_build_user *u, const char *ws);
/* Hands the tree `dir` (a fresh checkout, made by the daemon) to the
 * build user: every file and directory in it becomes theirs. */
int pl_workspace_give(const pl_build_user *u, const char *dir);
/* 0 if `root`/`rel` is a regular file reached through directories, with
 * no symbolic link on the way below `root`; GF_ENOTFOUND if it is
 * missing, GF_EINVALID (naming the link) otherwise. For files the daemon
 * reads in a checkout it has not handed over yet. */
int pl_workspace_plain_file(const char *root, const char *rel);
/* Removes the tree `path` without following any link in it. */
int pl_tree_remove(const char *path);
/* Copies the files of spec's artifacts from the checkout `src` (its
 * base-directory, without following links) into `dest`; the count copied. */
int pl_artifacts_collect(const char *src, const pipeline_buildspec *spec, const char *dest);

/* workspace.c: removes a workspace on the thread pool. */
void pl_workspace_remove_async(pipeline_service *ps, const char *path);

/* githttp.c: git's smart HTTP on /git/{repo}/... (docs/pipeline.md). */
int pl_githttp_register(http_server *s, pipeline_service *ps);

#endif
