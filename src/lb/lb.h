/*
 * lb — the load balancer data plane: an HTTP/1.1 reverse proxy with target
 * groups, active and passive health checks, connection pools, draining and
 * retries, driven through a C API by the daemon (one lb_balancer per daemon)
 * and by `gitfleet lb` (one listener, one target group).
 *
 * NOTES ON THE DESIGN
 *
 * Objects. An lb_balancer holds listeners and target groups, named like their AWS
 * counterparts. A listener (an address) forwards to one target group; a
 * target group holds targets (host:port), a balancing algorithm, health
 * check settings and a deregistration delay.
 *
 * Threads. lb_new() starts N worker threads (default: one per core) and one
 * control thread (health checks, drain timers; ctl.c). Each thread owns one libuv loop and everything hanging off
 * it; no handle is ever touched by another thread. Every listener is opened
 * once per worker with SO_REUSEPORT, so the kernel spreads accepted
 * connections over the workers. A client connection lives and dies on the
 * worker that accepted it, with its upstream connections.
 *
 * Control. The API functions may be called from any one thread at a time
 * (they serialise on lb->mu, never taken by a worker on the hot path). A
 * change edits the control model, then publishes an immutable, reference-
 * counted configuration snapshot (struct lb_conf: listeners with their
 * allow-lists, and per target group its algorithm and target list) to every
 * worker through a message queue + uv_async. A worker swaps its snapshot
 * between two callbacks, so a request sees one consistent configuration,
 * and drops its reference to the old one; the last reference frees it.
 * Targets, listeners and groups are reference counted as well, so a
 * connection in flight keeps what it uses alive after it was removed.
 * The listener calls (add, remove, allow-list) return only once every
 * worker has swapped to the new snapshot (lb_wait_applied), so that a
 * connection made after the call sees the change: a removed listener
 * refuses it, a new allow-list judges it.
 * Nothing is closed by a configuration change except what the change is
 * about: removing a listener closes its listening sockets but not its
 * connections; deregistering a target drains it.
 *
 * Shared state written by several threads is limited to: a target's health
 * state and suspect deadline (atomics written by the health thread and by
 * workers), its outstanding-request count (atomic add/sub, read by
 * least_outstanding_requests, and by the drain watcher), and the counters.
 * Counters are per worker slots written by their worker only, with relaxed
 * atomic stores, and summed by lb_stats() when read: no lock, and no locked
 * instruction but the outstanding count's add and sub per request.
 *
 * Target life (the control thread drives it, as AWS target groups do):
 *
 *     lb_target_add ──► INITIAL ──(healthy_threshold successes)──► HEALTHY
 *                          │                                   ▲      │
 *            (unhealthy_threshold failures)   (healthy_threshold   (unhealthy_threshold
 *                          ▼                   successes)  │      failures)
 *                      UNHEALTHY ──────────────────────────┘      │
 *                          ▲──────────────────────────────────────┘
 *     any state ──lb_target_deregister──► DRAINING ──(no request in flight,
 *                                          or deregistration delay over)──► removed
 *
 * A new target is checked at once, not after a full interval, and gets
 * traffic only when HEALTHY. Until its port has accepted a connection once
 * (a process still starting), a refused connection is retried every
 * LB_HC_REFUSED_RETRY_MS and counted as a failure only once per interval:
 * the first check that can succeed runs as soon as the port accepts, and
 * a target that never listens still fails at the configured pace. Without a health check (path unset) a target is
 * HEALTHY as soon as it is registered. Passive checks: a failed connect (or
 * a reset on a fresh connection) marks the target suspect; the balancer
 * skips suspect targets until the next successful active check (or, without
 * active checks, for a fixed hold time), unless every healthy target is
 * suspect, in which case suspects are tried rather than refusing traffic.
 * With no HEALTHY target at all the listener answers 503.
 *
 * Client connection state machine (conn.c, upstream.c). One uv_timer per
 * client connection carries whichever timeout the state has; upstream
 * connections have none of their own (the client's covers them while
 * bound). The deadline is `progress + timeout`: streaming moves `progress`
 * instead of re-arming, and a new deadline later than the armed timer
 * leaves it alone; a timer that fires early is set again for the rest.
 *
 *     accept ──(allow-list refuses)──► 403 ──► CLOSING (lingering close:
 *        │                                             half-close, drain ≤ 2 s)
 *        │
 *        ▼
 *     HEAD ◄──────────────────────────────────────────────┐ keep-alive,
 *        │  read, parse head (request head timeout → 408;  │ both bodies done
 *        │  idle keep-alive timeout → silent close;        │
 *        │  limits → 400/413/414/431)                      │
 *        ▼                                                 │
 *     PICK ──(no healthy target → 503)──► CLOSING            │
 *        │ balancer; pooled connection or connect          │
 *        ▼ (connect timeout / failure → retry or 502/504)  │
 *     UPSTREAM: request head sent, request body streamed ──┤
 *        │  response head awaited (response timeout → 504; │
 *        │  1xx relayed; a small response read whole;      │
 *        │  reset before the client got the head →         │
 *        │  retry per lb_retry_allowed, or 502)            │
 *        ▼                                                 │
 *     RESPONSE: response body streamed to the client ──────┘
 *        │ 101 Switching Protocols
 *        ▼
 *     TUNNEL: raw bytes both ways until either side closes ──► CLOSING
 *
 * Every answer of the proxy's own (403, 408, 4xx limits, 502, 503, 504)
 * ends in CLOSING; so does a response when the client or the target asked
 * for it, or when the proxy shuts down.
 *
 * Bodies are never buffered whole, but for the small responses held for
 * retries (below): each direction has one buffer with a
 * hard cap and at most one write in flight; while a body write is pending
 * the side it comes from is not read (backpressure). Request and response
 * bodies may overlap (a backend may answer before it read the whole
 * request); a response that ends before its request body makes both
 * connections close after it (the client's with a lingering close). Between
 * bodies both sides stay readable: a client's close or pipelined request and
 * a pooled connection's close are noticed, and no epoll_ctl is spent per
 * request. Writes go out with uv_try_write first and are queued only for
 * what the socket does not take, completing on the spot otherwise.
 *
 * Upstream pools: per worker and per target, a list of idle keep-alive
 * connections (capped). Idle connections keep reading, so a backend that
 * closes one is noticed and the connection dropped before reuse. Draining
 * and removed targets get no new requests and their idle connections are
 * closed; a connection that finishes a request to a draining target is
 * closed instead of pooled; when the deregistration delay ends, connections
 * still busy with it are closed.
 *
 * Retries: a request is retried on another target when the attempt failed
 * without costing the client anything (see lb_retry_allowed): always after a
 * failed connect; after a reset or close, if the method is idempotent (RFC
 * 9110 §9.2.2; this covers a pooled connection that the target closed as
 * the request went out, and a target killed under its requests) or if no
 * request byte was accepted by the kernel and no response byte came back.
 * A small response (≤ LB_HOLD_MAX, framed by Content-Length) to an
 * idempotent request is read whole before any of it is sent, so a target
 * killed in the middle of it is retried too; once a response head went to
 * the client, nothing is retried. Nor is a request whose body was already
 * streamed past the first write (the bytes are gone). At most
 * LB_MAX_ATTEMPTS attempts, each on a target not tried yet. A response
 * timeout is never retried: the target may still be working.
 *
 * Invariants:
 *   1. A handle belongs to the loop of the thread that created it.
 *   2. Every buffer has a cap; a peer can never grow memory without bound.
 *   3. A client connection has at most one upstream connection bound.
 *   4. A pooled connection is idle: no client bound, nothing unread expected.
 *   5. A target's outstanding count is raised once when a request is
 *      assigned to it and lowered once when that attempt ends.
 *   6. Bytes under a write in flight never move: their buffer is neither
 *      consumed nor reallocated until the write completes (reads meanwhile
 *      get only its spare capacity, lb_buf_room).
 */
#ifndef GF_LB_H
#define GF_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "http/http.h"

struct sockaddr;

typedef struct lb_balancer lb_balancer;

/* ---- building blocks (pure; unit tested on their own) ------------------- */

typedef enum {
	LB_ALG_ROUND_ROBIN,
	LB_ALG_LEAST_OUTSTANDING,
} lb_algorithm;

/* "round_robin" or "least_outstanding_requests"; GF_EINVALID otherwise. */
int lb_algorithm_parse(lb_algorithm *out, const char *name);
const char *lb_algorithm_name(lb_algorithm alg);

typedef enum {
	LB_TARGET_INITIAL,
	LB_TARGET_HEALTHY,
	LB_TARGET_UNHEALTHY,
	LB_TARGET_DRAINING,
} lb_target_state;

const char *lb_target_state_name(lb_target_state s);

/* What the balancer needs to know of one target. */
typedef struct {
	lb_target_state state;
	bool suspect;         /* a recent connection failure (passive check) */
	bool tried;           /* already failed for this request: never again */
	uint32_t outstanding; /* requests in flight to it */
} lb_candidate;

/*
 * Picks a target among `n` candidates: only HEALTHY, untried ones; among
 * those, non-suspect ones first, suspect ones only when no other is left.
 * round_robin rotates `*cursor`; least_outstanding_requests takes the
 * lowest `outstanding`, breaking ties in round-robin order. Returns the
 * index, or -1 when no candidate may be used.
 */
int lb_balance_pick(const lb_candidate *c, size_t n, lb_algorithm alg, uint32_t *cursor);

/* A health check status matcher: "200", "200-299", "200,301,302-308". */
#define LB_MATCHER_MAX 16
/* ms between connection attempts to a target whose port never accepted
 * yet (lb.h's target life). */
#define LB_HC_REFUSED_RETRY_MS 5
typedef struct {
	uint16_t lo[LB_MATCHER_MAX], hi[LB_MATCHER_MAX];
	size_t n;
} lb_matcher;

int lb_matcher_parse(lb_matcher *out, const char *spec);
bool lb_matcher_match(const lb_matcher *m, int status);

typedef struct {
	char path[256];  /* "" disables active checks */
	double interval; /* seconds between checks (fractions allowed) */
	double timeout;  /* seconds before a check counts as failed */
	int healthy_threshold;
	int unhealthy_threshold;
	lb_matcher matcher;
} lb_health_settings;

/* AWS defaults: path "/", 1 s interval here (30 s in AWS), 1 s timeout,
 * thresholds 2 and 2, matcher 200-399. */
void lb_health_settings_default(lb_health_settings *s);
/* GF_EINVALID with a message naming the bad field. */
int lb_health_settings_check(const lb_health_settings *s);

/* The health state machine of one target, driven by check results. */
typedef struct {
	lb_target_state state;
	int successes; /* consecutive */
	int failures;  /* consecutive */
	char reason[96];
} lb_health;

void lb_health_init(lb_health *h, bool checks_enabled);
/* Records one check result; `why` says why it failed ("" when ok). Returns
 * true when the state changed. DRAINING never changes here. */
bool lb_health_record(lb_health *h, const lb_health_settings *s, bool ok, const char *why);

/* Allow-lists of IPv4/IPv6 CIDRs. An empty list allows everybody. IPv4
 * addresses, IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) and rules written
 * either way match each other. */
typedef struct lb_acl lb_acl;

/* Parses the CIDRs ("10.0.0.0/8", "::1/128", "192.0.2.7" = /32). On error
 * returns GF_EINVALID naming the bad entry. */
int lb_acl_new(lb_acl **out, const char *const *cidrs, size_t n);
void lb_acl_free(lb_acl *acl);
bool lb_acl_allows(const lb_acl *acl, const struct sockaddr *addr);

/* The facts of one failed attempt, for lb_retry_allowed. */
typedef struct {
	bool idempotent;      /* GET HEAD OPTIONS TRACE PUT DELETE */
	bool connect_failed;  /* no connection was made */
	bool reused;          /* the connection came from the pool */
	bool response_begun;  /* a response byte arrived */
	bool response_sent;   /* the final response head went to the client */
	bool request_written; /* the kernel accepted request bytes */
	bool body_streamed;   /* body bytes were consumed and cannot be replayed */
	int attempts;         /* attempts made so far, this one included */
} lb_attempt;

#define LB_MAX_ATTEMPTS 3

bool lb_retry_allowed(const lb_attempt *a);
bool lb_method_idempotent(const char *method, size_t len);

/* What the proxy adds to a forwarded request. */
typedef struct {
	const char *client_ip;   /* appended to X-Forwarded-For */
	const char *proto;       /* X-Forwarded-Proto: "http" */
	const char *target_host; /* Host to send when the client sent none */
} lb_fwd;

/*
 * Writes the head to send upstream for the parsed request `req`: origin-form
 * request line in HTTP/1.1, every field but the hop-by-hop ones (RFC 9110
 * §7.6.1: Connection, the fields it names, Keep-Alive, Proxy-Connection,
 * TE, Trailer, Transfer-Encoding, Upgrade) and X-Forwarded-*, then
 * X-Forwarded-For (the client's list with the client appended),
 * X-Forwarded-Proto, X-Forwarded-Host (the Host the client asked for), and
 * back what the proxy itself forwards: Upgrade with "Connection: upgrade"
 * for an upgrade request, "Transfer-Encoding: chunked" for a chunked body
 * (relayed as received). GF_ETOOBIG past out's cap.
 */
int lb_rewrite_request(gf_buf *out, const http_msg *req, const lb_fwd *f);
/*
 * Writes the head to send to the client for the parsed response `res`:
 * HTTP/1.1 status line, fields but hop-by-hop ones, "Connection: close" if
 * `close`, else "Connection: keep-alive" if `keep_alive_10` (an HTTP/1.0
 * client), "Transfer-Encoding: chunked" if `chunked`, Upgrade back on 101.
 */
int lb_rewrite_response(gf_buf *out, const http_msg *res, bool close, bool keep_alive_10,
                        bool chunked);

/* ---- counters ---------------------------------------------------------- */

/* Upper bounds (seconds) of the latency histogram buckets; the last bucket
 * is +Inf. Latency is from the end of the request head to the response
 * head, the time to first byte that a client of the proxy sees. */
#define LB_LATENCY_BUCKETS 12
extern const double lb_latency_bounds[LB_LATENCY_BUCKETS - 1];

typedef struct {
	uint64_t requests;
	uint64_t responses[5];                /* by class: [0] 1xx ... [4] 5xx */
	uint64_t bytes_in;                    /* listener: from clients; target: from target */
	uint64_t bytes_out;                   /* listener: to clients; target: to target */
	uint64_t active;                      /* open connections (gauge) */
	uint64_t conn_errors;                 /* target: failed connects and resets */
	uint64_t retries;                     /* target: attempts retried elsewhere */
	uint64_t latency[LB_LATENCY_BUCKETS]; /* not cumulative */
	uint64_t latency_sum_us;
} lb_counters;

typedef struct {
	char *name;
	char *address;
	char *group;
	lb_counters c;
} lb_listener_stats;

typedef struct {
	char *group;
	char *address;
	lb_target_state state;
	char *reason; /* last health check failure, "" when none */
	lb_counters c;
} lb_target_stats;

typedef struct {
	lb_listener_stats *listeners;
	size_t nlisteners;
	lb_target_stats *targets;
	size_t ntargets;
} lb_snapshot;

/* ---- the load balancer -------------------------------------------------- */

typedef struct {
	unsigned workers;            /* 0: one per core */
	double connect_timeout;      /* s; default 5 */
	double client_idle_timeout;  /* s between keep-alive requests; default 60 */
	double request_head_timeout; /* s to receive a request head; default 30 */
	double response_timeout;     /* s waiting for the target; default 60 */
	size_t max_header_bytes;     /* request head size; default 16 KiB */
	size_t max_headers;          /* header fields; default 100 */
	size_t max_uri;              /* request-target length; default 8 KiB */
	uint64_t max_body;           /* request body; 0 = unlimited */
	size_t pool_max_idle;        /* idle upstream connections per target and
					worker; default 128 */
	/* Called on the control thread after a target's health state changed
	 * and after a draining target was removed, so that an owner (the
	 * daemon's reconciler) acts at once instead of at its next poll. Must
	 * be quick and thread-safe (uv_async_send); NULL: not called. */
	void (*on_change)(void *payload);
	void *on_change_payload;
} lb_options;

void lb_options_default(lb_options *o);

/* Starts the threads. No listener yet. */
int lb_new(lb_balancer **out, const lb_options *opts);
/*
 * Stops accepting, lets requests in flight finish (idle keep-alive
 * connections are closed at once), waits at most `grace` seconds, then
 * closes what is left, stops the threads and frees everything.
 */
void lb_free(lb_balancer *lb, double grace);

typedef struct {
	lb_algorithm algorithm;
	lb_health_settings health;
	double deregistration_delay; /* s; default 300 as AWS */
} lb_group_settings;

void lb_group_settings_default(lb_group_settings *s);

/* Creates a target group. GF_EEXISTS if the name is taken. */
int lb_group_add(lb_balancer *lb, const char *name, const lb_group_settings *s);
/* Changes algorithm, health settings and delay of a live group. */
int lb_group_update(lb_balancer *lb, const char *name, const lb_group_settings *s);
/* Removes an empty group that no listener uses. */
int lb_group_remove(lb_balancer *lb, const char *name);

/* Registers host:port (IPv4 "a.b.c.d:p" or IPv6 "[::1]:p") in a group. It
 * is health checked at once. GF_EEXISTS if registered and not draining. */
int lb_target_add(lb_balancer *lb, const char *group, const char *address);
/* Drains the target, then removes it: see the diagram above. */
int lb_target_deregister(lb_balancer *lb, const char *group, const char *address);

/* Opens a listener on "host:port" forwarding to `group`. The port is bound
 * before this returns (GF_EIO with the reason if it cannot be); port 0
 * picks a free one, see lb_listener_port. */
int lb_listener_add(lb_balancer *lb, const char *name, const char *address, const char *group);
int lb_listener_port(lb_balancer *lb, const char *name);
/* Closes the listening sockets before it returns; its connections finish
 * normally. */
int lb_listener_remove(lb_balancer *lb, const char *name);
/* Replaces the allow-list (n == 0: everybody). Applies to every connection
 * accepted after it returns; refused ones get 403. */
int lb_listener_set_allow(lb_balancer *lb, const char *name, const char *const *cidrs, size_t n);

/* A copy of every counter and state, summed over workers. */
int lb_stats(lb_balancer *lb, lb_snapshot *out);
void lb_snapshot_dispose(lb_snapshot *s);

#endif
