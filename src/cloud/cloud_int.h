/* Private to src/cloud: the store and the supervisor. */
#ifndef GF_CLOUD_INT_H
#define GF_CLOUD_INT_H

#include "cloud/cloud.h"

#include <uv.h>

/* ---- store.c: the SQLite inventory ---------------------------------------- */

typedef struct cloud_store cloud_store;

/* Opens (creating and migrating) the inventory at `path` in WAL mode. */
int cloud_store_open(cloud_store **out, const char *path);
void cloud_store_close(cloud_store *s);
/* One transaction around several writes: a request is applied whole. */
int cloud_store_begin(cloud_store *s);
int cloud_store_commit(cloud_store *s);
void cloud_store_rollback(cloud_store *s);

/* Resource specs (JSON text), one row per kind and name. */
int cloud_store_put(cloud_store *s, cloud_kind k, const char *name, const char *spec);
/* GF_ENOTFOUND when absent; *spec is malloc'd. */
int cloud_store_get(cloud_store *s, char **spec, cloud_kind k, const char *name);
int cloud_store_delete(cloud_store *s, cloud_kind k, const char *name);
typedef void (*cloud_store_row_cb)(const char *name, const char *spec, void *payload);
int cloud_store_list(cloud_store *s, cloud_kind k, cloud_store_row_cb cb, void *payload);

/* Launch template versions: 1, 2, ... per template. */
int cloud_store_version_add(cloud_store *s, int *out, const char *tmpl, const char *spec);
/* Version 0 means the latest. GF_ENOTFOUND when absent. */
int cloud_store_version_get(cloud_store *s, char **spec, int *version, const char *tmpl, int want);
int cloud_store_versions_delete(cloud_store *s, const char *tmpl);
/* Every release some template version refers to. */
int cloud_store_releases(cloud_store *s, cloud_store_row_cb cb, void *payload);

/* Instances. */
typedef struct {
	char id[24];
	int64_t seq;
	char group[64];
	char tmpl[64];
	int version;
	char release[CLOUD_SHA256_HEX];
	int port;
	int pid;
	cloud_inst_state state;
	char reason[320];
	int64_t created_ms, updated_ms;
} cloud_inst_rec;

/* The next instance number (i-<n>), never reused. */
int cloud_store_next_seq(cloud_store *s, int64_t *out);
int cloud_store_inst_put(cloud_store *s, const cloud_inst_rec *r);
typedef void (*cloud_store_inst_cb)(const cloud_inst_rec *r, void *payload);
int cloud_store_inst_list(cloud_store *s, cloud_store_inst_cb cb, void *payload);
/* Forgets terminated and failed instances last changed before `ms`. */
int cloud_store_inst_prune(cloud_store *s, int64_t before_ms);

/* Small named values (group runtime state, counters) as JSON text. */
int cloud_store_meta_put(cloud_store *s, const char *key, const char *value);
int cloud_store_meta_get(cloud_store *s, char **value, const char *key);
int cloud_store_meta_delete(cloud_store *s, const char *key);

/* The event log. `data` is a JSON object text. */
int cloud_store_event_add(cloud_store *s, int64_t *id, int64_t ts_ms, const char *type,
                          const char *resource, const char *data);
typedef void (*cloud_store_event_cb)(int64_t id, int64_t ts_ms, const char *type,
                                     const char *resource, const char *data, void *payload);
/* Events with id > after, oldest first, at most `limit`. */
int cloud_store_events(cloud_store *s, int64_t after, int limit, cloud_store_event_cb cb,
                       void *payload);
/* The id of the newest event (0 when there is none). */
int cloud_store_events_last(cloud_store *s, int64_t *id);

/* ---- proc.c: the supervisor ------------------------------------------------- */

typedef struct cloud_proc cloud_proc;

/* Called once when the process is gone: `status` is its exit status or
 * -1, `sig` the signal that killed it or 0. `reason` says it in words. */
typedef void (*cloud_proc_exit_cb)(cloud_proc *p, const char *reason, void *payload);

typedef struct {
	const char *const *argv;
	const char *const *env; /* NAME=value, NULL-terminated */
	const char *cwd;
	const char *log_path;                                  /* stdout and stderr, appended */
	int64_t memory_mb, open_files, processes, cpu_seconds; /* 0: unlimited */
} cloud_proc_options;

/* Starts a process in a new session (its own process group). */
int cloud_proc_spawn(cloud_proc **out, uv_loop_t *loop, const cloud_proc_options *o,
                     cloud_proc_exit_cb cb, void *payload);
/* Watches a process that is not our child (it outlived a crashed daemon).
 * GF_ENOTFOUND if it is gone or its environment does not carry
 * GITFLEET_INSTANCE_ID=`id`. With `pid` 0 (never recorded) the process is
 * looked for by that id. */
int cloud_proc_adopt(cloud_proc **out, uv_loop_t *loop, int pid, const char *id,
                     cloud_proc_exit_cb cb, void *payload);
int cloud_proc_pid(const cloud_proc *p);
/* SIGTERM to the process group, SIGKILL to it after `grace` seconds. The
 * exit callback still comes. */
void cloud_proc_stop(cloud_proc *p, double grace);
/* Frees a process whose exit callback has run (or, at shutdown, one that
 * is still alive: the handles are closed and nothing is called again). */
void cloud_proc_free(cloud_proc *p);

/* Keeps a log file under `max` bytes: when larger, it is copied to
 * PATH.1 and truncated (the writer appends, so it goes on at offset 0). */
int cloud_log_rotate(const char *path, int64_t max);

#endif
