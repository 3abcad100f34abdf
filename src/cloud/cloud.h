/*
 * cloud — the local cloud run by `gitfleet daemon`: load balancers,
 * listeners, target groups, launch templates with immutable releases, and
 * autoscaling groups of supervised processes ("instances") that roll to a
 * new template version without dropping a request.
 *
 * NOTES ON THE DESIGN
 *
 * Layers. The parts, each in its own file, each usable alone:
 *
 *   release_hash.c  the content hash of a directory (docs/releases.md); the
 *                   IaC provider calls it to name a release without
 *                   uploading it.
 *   release_tar.c   the tar of a directory, as an upload of it: what the
 *                   IaC provider sends when the daemon lacks a release.
 *   release.c       releases/<sha256>/: unpacking an uploaded tar
 *                   (libarchive), checking its hash, publishing it with one
 *                   rename, and collecting unreferenced ones.
 *   spec.c          JSON specs of every resource kind: decoding with field
 *                   paths in every error, defaults, invariants (fuzzed).
 *   planner.c       the autoscaling planner: a pure function from a group's
 *                   state, a clock and observations to actions. No process,
 *                   socket or database is touched, so every rollout rule is
 *                   unit tested with a fake clock.
 *   store.c         the SQLite inventory (WAL, migrations by user_version):
 *                   specs, template versions, instances, group runtime state,
 *                   the event log.
 *   proc.c          the supervisor: uv_spawn in a new session (own process
 *                   group), capped per-instance log files, resource limits,
 *                   SIGTERM to the group then SIGKILL, re-adoption of
 *                   processes that outlived a crashed daemon (pidfd).
 *   daemon.c        the reconciler: owns the uv loop, the lb data plane, the
 *                   store and the instances; every tick (and at once after a
 *                   change) it observes (process exits, lb health), runs the
 *                   planner per group and applies the actions. Also the
 *                   home lock, restore after a restart, events and ?wait.
 *   resources.c     the API operations: PUT validates everything (document,
 *                   references, conflicts) before changing anything, then
 *                   applies to the data plane and stores; GET adds status.
 *   api.c           the HTTP routes (http/api.h) over those (docs/api.md).
 *   metrics.c       what /metrics says of the cloud: the data plane's
 *                   counters (summed from per-worker slots by lb_stats),
 *                   instances, groups and refresh durations.
 *   ui.c            GET /metrics, the dashboard's files (src/ui) and its
 *                   read-only sessions (docs/dashboard.md).
 *
 * Threads. Everything here runs on the daemon's one libuv loop thread; the
 * lb data plane has its own threads behind its thread-safe C API.
 *
 * Instance life (planner.c decides, daemon.c applies; each arrow names the
 * planner action that causes it):
 *
 *   pending ──spawn──► starting ──IN_SERVICE: healthy in every attached
 *      │                  │        target group──► in_service
 *      │ spawn fails      │ STOP(failed): exited, or not healthy          │
 *      │                  │ within health_check_grace_period              │ DRAIN: scale in,
 *      │                  ▼                                               │ replaced by refresh
 *      │              unhealthy ◄──STOP(failed): exited, or marked ───────┤
 *      │                  │         unhealthy by its target group         ▼
 *      │                  │ process gone                              draining
 *      ▼                  ▼                                               │ STOP: drained
 *    failed ◄─────────── failed                  terminated ◄──exit── terminating
 *
 * A failed instance is replaced at once the first time, then with a
 * crash-loop backoff (0.5 s, 1 s, 2 s ... 30 s) until an instance reaches
 * in_service again. The instance record (id i-<n>, port, pid, version) is
 * kept in the store, so ids are stable across daemon restarts.
 *
 * Rolling refresh. A group follows one template version (a number or
 * "$Latest"). When it changes, the group itself is untouched and the
 * planner replaces instances surge first:
 *
 *   converged ──version changes──► refreshing
 *     refreshing: launch one instance of the new version (at most
 *       desired + 1 live); when it is in_service (healthy in every target
 *       group, so it already takes traffic) drain the oldest instance of an
 *       old version, provided in_service - 1 >= min_healthy_percentage of
 *       desired; repeat.
 *   refreshing ──all live instances new, desired in_service──► converged
 *              (the new version becomes the group's good version)
 *   refreshing ──a new instance fails (exit, or not healthy within
 *              health_check_grace_period)──► rolling_back
 *     rolling_back: the target is the good version again: new instances
 *       still starting are stopped, in-service ones are drained once
 *       replacements of the good version serve. The reason is kept.
 *   rolling_back ──converged on the good version──► failed (reason kept
 *              until the group is PUT again or its version changes)
 *
 * Scaling in drains instances of old versions first, then the oldest.
 *
 * Invariants:
 *   1. min_size <= desired_capacity <= max_size for every stored group.
 *   2. Never fewer in_service instances than min_healthy_percentage of
 *      desired because of a planned action (failures can still take some).
 *   3. A spec is validated completely before anything is stored or applied:
 *      a rejected request changes nothing.
 *   4. A release directory is complete and matches its name, or absent.
 *   5. No instance process outlives a clean daemon shutdown.
 */
#ifndef GF_CLOUD_H
#define GF_CLOUD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "metrics/metrics.h"

/* ---- release hash (docs/releases.md) ------------------------------------- */

#define CLOUD_SHA256_HEX 65 /* 64 hex digits and a NUL */

/*
 * Hashes the directory tree under `dir` as docs/releases.md defines it:
 * sorted relative paths, normalised modes (644, 755, symlink, directory)
 * and contents. Writes 64 lowercase hex digits to `out`. Fails with
 * GF_EINVALID on a special file (socket, device, fifo), GF_EIO on a read
 * error.
 */
int cloud_release_hash_dir(char out[CLOUD_SHA256_HEX], const char *dir);
/* True when `s` is 64 lowercase hex digits. */
bool cloud_is_sha256(const char *s);
/*
 * Appends to `out` a tar archive (POSIX ustar, pax headers where needed) of
 * the tree under `dir`: what the hash above covers, which the daemon's
 * cloud_release_unpack takes. Written without libarchive (release_tar.c
 * says why). GF_EINVALID on a special file, GF_ETOOBIG past out's cap,
 * GF_EIO on a read error.
 */
int cloud_release_tar(gf_buf *out, const char *dir);

/* ---- releases ------------------------------------------------------------ */

/* What one release may unpack to: a small compressed archive must not fill
 * the disk, nor keep the daemon's loop busy hashing what it wrote. */
#define CLOUD_RELEASE_MAX_BYTES   (1ull << 30) /* the files' sizes together */
#define CLOUD_RELEASE_MAX_ENTRIES 100000

/*
 * Unpacks a tar archive (plain or compressed, anything libarchive reads)
 * held in memory into `releases_dir`/<sha256>, where sha256 must be the
 * hash of its content. Refuses absolute paths, "..", links pointing out of
 * the tree, hard links and special files (GF_EINVALID, naming the entry), a
 * hash mismatch (GF_EINVALID, saying both hashes), and an archive that
 * would unpack to more than CLOUD_RELEASE_MAX_BYTES or
 * CLOUD_RELEASE_MAX_ENTRIES (GF_ETOOBIG), checked from the entries'
 * headers before their data is written. Publishing is one rename of a
 * complete directory; an existing release is left as it is (GF_EEXISTS).
 */
int cloud_release_unpack(const char *releases_dir, const char *sha256, const void *tar, size_t len);
/*
 * Removes releases not named in `keep` whose directory is older than
 * `grace` seconds, and leftovers of interrupted uploads. Returns how many
 * were removed, or a negative code.
 */
int cloud_release_gc(const char *releases_dir, const char *const *keep, size_t nkeep, double grace);

/* ---- specs ----------------------------------------------------------------- */

typedef enum {
	CLOUD_LB,
	CLOUD_LISTENER,
	CLOUD_TARGET_GROUP,
	CLOUD_LAUNCH_TEMPLATE,
	CLOUD_ASG,
	CLOUD_KIND_COUNT
} cloud_kind;

/* "lbs", "listeners", "target-groups", "launch-templates",
 * "autoscaling-groups": the API collection names. */
const char *cloud_kind_path(cloud_kind k);
/* "lb", "listener", ...: the singular used in messages and events. */
const char *cloud_kind_name(cloud_kind k);
int cloud_kind_from_path(cloud_kind *out, const char *path);

/* A rejected spec: the HTTP status (400 malformed, 422 invariant broken),
 * the field path ("health_check.interval", "" for the whole body) and a
 * message saying what to do. */
typedef struct {
	int status;
	char field[128];
	char message[512];
} cloud_spec_error;

/* True when `name` is a DNS label: 1-63 of [a-z0-9-], not starting or
 * ending with '-'. */
bool cloud_name_valid(const char *name);

/*
 * Validates `body` as a spec of kind `k` named `name`, and returns in *out a
 * new normalised spec (defaults filled in, "name" set). On failure returns
 * GF_EINVALID and fills `err`. Only the document is checked here;
 * references to other resources are checked by the daemon.
 */
int cloud_spec_decode(json_t **out, cloud_spec_error *err, cloud_kind k, const char *name,
                      const json_t *body);

/* ---- the autoscaling planner ------------------------------------------------ */

typedef enum {
	CLOUD_INST_PENDING,
	CLOUD_INST_STARTING,
	CLOUD_INST_IN_SERVICE,
	CLOUD_INST_DRAINING,
	CLOUD_INST_TERMINATING,
	CLOUD_INST_TERMINATED,
	CLOUD_INST_UNHEALTHY,
	CLOUD_INST_FAILED,
} cloud_inst_state;

const char *cloud_inst_state_name(cloud_inst_state s);
int cloud_inst_state_parse(cloud_inst_state *out, const char *name);

typedef enum {
	CLOUD_HEALTH_UNKNOWN, /* not yet judged by every target group */
	CLOUD_HEALTH_HEALTHY, /* healthy in every attached target group */
	CLOUD_HEALTH_UNHEALTHY,
} cloud_health;

/* What the planner sees of one instance. */
typedef struct {
	const char *id;
	int64_t seq; /* launch order: lower is older */
	int version;
	cloud_inst_state state;
	double since; /* when it entered `state`, on the planner's clock */
	bool alive;   /* its process runs */
	bool drained; /* no target group still holds it (draining only) */
	cloud_health health;
	const char *reason; /* why unhealthy or why it exited; "" if none */
} cloud_plan_instance;

/* A group's spec and the runtime state the planner carries between ticks
 * (the daemon stores the latter). */
typedef struct {
	int desired, min_healthy_percentage;
	double grace;       /* health_check_grace_period, s */
	int version;        /* the template version the group follows */
	bool deleting;      /* drain everything, launch nothing */
	int good_version;   /* last version fully rolled out; 0 none */
	int failed_version; /* version whose rollout failed; 0 none */
	int failures;       /* consecutive instance failures */
	double next_launch_at;
	char reason[320]; /* why failed_version failed */
} cloud_plan_group;

typedef enum {
	CLOUD_ACT_LAUNCH,     /* start an instance of `version` */
	CLOUD_ACT_IN_SERVICE, /* starting → in_service */
	CLOUD_ACT_DRAIN,      /* deregister from every target group */
	CLOUD_ACT_STOP,       /* SIGTERM; `failed` says it is a failure */
} cloud_action_kind;

typedef struct {
	cloud_action_kind kind;
	size_t inst; /* index into the instances given to the planner */
	int version; /* LAUNCH */
	bool failed; /* STOP */
	char reason[320];
} cloud_action;

typedef enum {
	CLOUD_PHASE_CONVERGED,
	CLOUD_PHASE_SCALING,
	CLOUD_PHASE_REFRESHING,
	CLOUD_PHASE_ROLLING_BACK,
	CLOUD_PHASE_FAILED,  /* converged on the good version after a rollback,
			       or the first version cannot start */
	CLOUD_PHASE_DELETED, /* deleting, and no instance is left */
} cloud_phase;

const char *cloud_phase_name(cloud_phase p);

typedef struct {
	GF_VEC(cloud_action) actions;
	cloud_phase phase;
	int in_service; /* after the actions */
} cloud_plan;

/*
 * One planner step: updates g's runtime fields and fills `out` (initialised
 * to zero by the caller, disposed with cloud_plan_dispose) with the actions
 * to take now. Pure: the same input always gives the same output.
 */
void cloud_plan_step(cloud_plan *out, cloud_plan_group *g, const cloud_plan_instance *inst,
                     size_t n, double now);
void cloud_plan_dispose(cloud_plan *p);

/* ---- the daemon --------------------------------------------------------------- */

typedef struct cloud_daemon cloud_daemon;
typedef struct uv_loop_s uv_loop_t;

typedef struct {
	const char *home;     /* required */
	const char *exe;      /* the gitfleet binary instances run by default */
	int port_lo, port_hi; /* instance ports; default 41000-48999 */
	double tick;          /* s between reconciler passes; default 0.05 */
} cloud_options;

/* $GITFLEET_HOME, else /var/lib/gitfleet as root, else
 * ~/.local/share/gitfleet. malloc'd. */
char *cloud_home_default(void);

/*
 * Takes the home (GF_ELOCKED naming the pid of the daemon holding it),
 * opens the inventory and restores everything: target groups and listeners
 * are bound again, instances still running are re-adopted (others are
 * replaced by the planner), refreshes continue where they stopped.
 */
int cloud_daemon_open(cloud_daemon **out, uv_loop_t *loop, const cloud_options *o);
/*
 * Clean shutdown: stops accepting on listeners, lets requests in flight
 * finish (at most `grace` s), stops every instance (SIGTERM, SIGKILL after
 * its stop_grace_period) and runs the loop until all have exited. Frees d.
 */
void cloud_daemon_shutdown(cloud_daemon *d, double grace);
/* Paths inside the home. */
const char *cloud_daemon_home(const cloud_daemon *d);

/* The answer to one API call: an HTTP status and a JSON body (owned). */
typedef struct {
	int status;
	json_t *body;
} cloud_reply;

/* Builds the standard error body {"error": {"code", "message", "field"}}. */
void cloud_reply_error(cloud_reply *r, int status, const char *code, const char *field,
                       const char *fmt, ...) GF_PRINTF(5, 6);

void cloud_put(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name, const json_t *body);
void cloud_get(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name);
void cloud_list(cloud_daemon *d, cloud_reply *r, cloud_kind k);
void cloud_delete(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name);
/* 200 when the release exists, 404 when not. */
void cloud_release_head(cloud_daemon *d, cloud_reply *r, const char *sha256);
void cloud_release_put(cloud_daemon *d, cloud_reply *r, const char *sha256, const void *tar,
                       size_t len);
void cloud_instances(cloud_daemon *d, cloud_reply *r);
/* Path of an instance's log file (GF_ENOTFOUND for an unknown id). */
int cloud_instance_log(cloud_daemon *d, char **path, const char *id);

/* ?wait: calls `cb` once when the resource converged or failed, or after
 * `timeout` s, with "converged", "failed" (and the reason) or "timeout".
 * The returned handle cancels the wait (cb is then never called). */
typedef struct cloud_waiter cloud_waiter;
typedef void (*cloud_wait_cb)(const char *outcome, const char *reason, void *payload);
cloud_waiter *cloud_wait(cloud_daemon *d, cloud_kind k, const char *name, double timeout,
                         cloud_wait_cb cb, void *payload);
void cloud_wait_cancel(cloud_daemon *d, cloud_waiter *w);

/* The event log: `cb` gets every event with id > `after` (old ones first,
 * then live ones) as a JSON object text {"id", "time", "type", "resource",
 * ...}. */
typedef struct cloud_sub cloud_sub;
typedef void (*cloud_event_cb)(int64_t id, const char *json, void *payload);
cloud_sub *cloud_subscribe(cloud_daemon *d, int64_t after, cloud_event_cb cb, void *payload);
void cloud_unsubscribe(cloud_daemon *d, cloud_sub *s);

/* Registers every route of docs/api.md on an http/api.h server (api.c). */
typedef struct http_server http_server;
int cloud_api_register(http_server *s, cloud_daemon *d);

/* ---- /metrics and the dashboard (metrics.c, ui.c) ------------------------- */

/* More families for /metrics from another part of the daemon (the
 * pipeline's builds). Called on the loop thread at every scrape. */
typedef void (*cloud_metrics_fn)(metrics_writer *w, void *payload);
/* At most 4 sources; GF_ETOOBIG past that. */
int cloud_metrics_add(cloud_daemon *d, cloud_metrics_fn fn, void *payload);
/* Every family of docs/api.md "Metrics": the data plane's listeners and
 * targets, instances, groups and refreshes, the sources added, and the
 * process. */
void cloud_metrics_write(cloud_daemon *d, metrics_writer *w);

/*
 * Registers GET /metrics, the dashboard (`/` and `/ui/{file}`, public: the
 * files hold no data) and its sessions (POST /ui/session), and the auth
 * hook that accepts dashboard sessions (docs/dashboard.md):
 *
 *   - a session is a random bearer token that authorizes GET and HEAD of
 *     /v1/... (but /v1/state/...) and /metrics: the dashboard only watches;
 *     changes go through git and the CLI, with the API token;
 *   - POST /ui/session gives one to a client that sends `api_token` (the
 *     TCP listener's token; NULL: no TCP listener) as {"token": "..."},
 *     or, with an empty body, to a trusted client: the unix socket, or a
 *     loopback TCP peer whose Host is a loopback name (127.0.0.1,
 *     localhost, [::1]; a DNS name rebound to 127.0.0.1 is not trusted);
 *   - sessions end after 12 hours without a request, and with the daemon.
 */
int cloud_ui_register(http_server *s, cloud_daemon *d, const char *api_token);
/* Pure parts of the session rule, exposed for tests: is this peer address
 * ("127.0.0.1:5000", "[::1]:5000", "unix:...") with this Host field one
 * the dashboard trusts without a login? */
bool cloud_ui_trusted(const char *peer_addr, const char *host);
/* May a dashboard session do METHOD on PATH? */
bool cloud_ui_session_allows(const char *method, const char *path);

/* ---- reaching the daemon (clients: CLI commands, provider, state backend) -- */

/* Names used in every client's "cannot reach" message (http_client_req). */
#define CLOUD_PEER_NAME        "the gitfleet daemon"
#define CLOUD_UNREACHABLE_HINT "start it with: gitfleet daemon"

typedef struct {
	char *url;   /* "unix:/home/run/gitfleet.sock" or "http://host:port" */
	char *token; /* bearer token; NULL for the unix socket */
} cloud_endpoint;

/*
 * How every client finds the daemon (the provider, the gitfleet state
 * backend, the CLI's daemon commands), in this order:
 *
 *   1. GITFLEET_ADDR, with GITFLEET_TOKEN (or no token). The daemon sets
 *      both in every build: they name the daemon running the build and
 *      carry the build's own token (read-only for pull requests), which a
 *      configuration in the repository must not be able to step around.
 *   2. `address`/`token` from the configuration (provider "fleet" or
 *      backend "gitfleet"; either may be NULL).
 *   3. The unix socket of the default home (cloud_home_default()), with
 *      the configuration's token if it gave one.
 *
 * An address and its token are never mixed across 1 and 2. The reasoning
 * is in docs/state.md ("Reaching the daemon"). An address is a URL as
 * http_client_req takes it ("unix:/path", "http://host:port"), an absolute
 * socket path, or "host:port" (TCP). Dispose *out.
 */
void cloud_endpoint_resolve(cloud_endpoint *out, const char *address, const char *token);
/* The unix socket of `home` (HOME/run/gitfleet.sock), no token: for a
 * command-line --home, which wins over the environment as flags do. */
void cloud_endpoint_home(cloud_endpoint *out, const char *home);
void cloud_endpoint_dispose(cloud_endpoint *e);

#endif
