/* Private to src/lb: the shared objects, the per-thread structures and the
 * messages between them. See lb.h for the design. */
#ifndef GF_LB_INT_H
#define GF_LB_INT_H

#include "base/base.h"
#include "http/http.h"
#include "lb/lb.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <uv.h>

typedef struct lb_worker lb_worker;
typedef struct lb_upconn lb_upconn;

/* Read sizes. Buffers are powers of two and gf_buf keeps a byte for a NUL,
 * hence the -1: a head read takes a 16 KiB buffer, a body read 64 KiB. An
 * idle connection keeps at most a head-sized buffer (lb_buf_idle). */
#define LB_HEAD_CHUNK (16 * 1024 - 1)
#define LB_BODY_CHUNK (64 * 1024 - 1)
/* Responses up to this size are read whole before the client gets any of
 * them, so that a target dying mid-response can be retried (hold_whole). */
#define LB_HOLD_MAX (64 * 1024)

/* Where to read into `b`: its spare room if the buffer is pinned (a write
 * points into it) or if that room is over a quarter of `chunk`, else room
 * for `chunk` more bytes. False when there is none (the caller stops
 * reading). */
bool lb_buf_room(gf_buf *b, size_t chunk, bool pinned, uv_buf_t *out);
/* Frees a buffer that grew past a head's size once it is empty. */
void lb_buf_idle(gf_buf *b);

/* ---- counters: one slot per worker, written by that worker only --------- */

#define LB_NCOUNTERS   (sizeof(lb_counters) / sizeof(uint64_t))
#define LB_CIDX(field) (offsetof(lb_counters, field) / sizeof(uint64_t))

typedef struct {
	_Alignas(64) _Atomic uint64_t v[LB_NCOUNTERS];
} lb_slot_counters;

/* A plain add: the slot has one writer, readers only need untorn values. */
static inline void lb_count(lb_slot_counters *s, size_t idx, uint64_t n)
{
	atomic_store_explicit(&s->v[idx],
	                      atomic_load_explicit(&s->v[idx], memory_order_relaxed) + n,
	                      memory_order_relaxed);
}
#define LB_COUNT(slot, field, n) lb_count((slot), LB_CIDX(field), (uint64_t)(n))
static inline void lb_uncount(lb_slot_counters *s, size_t idx)
{
	atomic_store_explicit(&s->v[idx],
	                      atomic_load_explicit(&s->v[idx], memory_order_relaxed) - 1,
	                      memory_order_relaxed);
}
void lb_count_response(lb_slot_counters *s, int status, uint64_t latency_ns);

/* ---- shared objects (reference counted) ---------------------------------- */

typedef struct lb_group {
	atomic_int refs;
	char *name;
	size_t slot;         /* index in lb_conf.groups, stable for its life */
	lb_group_settings s; /* under lb->mu */
} lb_group;

typedef struct lb_target {
	atomic_int refs;
	lb_balancer *lb;
	lb_group *group; /* a reference */
	char *address;   /* as registered: "127.0.0.1:9101" */
	struct sockaddr_storage sa;
	_Atomic int state;             /* lb_target_state */
	_Atomic int64_t suspect_until; /* uv_hrtime() ns; 0 = not suspect */
	atomic_uint outstanding;
	bool draining;         /* under lb->mu */
	double drain_deadline; /* gf_now() */
	lb_health health;      /* under lb->mu, written by the control thread */
	struct lb_tslot {
		lb_slot_counters c;
		lb_upconn *idle; /* this worker's pool: a doubly linked list */
		size_t nidle;
	} slot[];
} lb_target;

typedef struct lb_listener {
	atomic_int refs;
	char *name;
	char *address;
	int port;
	lb_group *group; /* a reference */
	atomic_int fd0;  /* the socket bound by lb_listener_add, for worker 0 */
	lb_slot_counters slot[];
} lb_listener;

/* An immutable configuration snapshot; see lb.h "Control". */
typedef struct lb_conf {
	atomic_int refs;
	uint64_t gen; /* lb->gen when published */
	size_t nlisteners;
	struct lb_conf_listener {
		lb_listener *l;
		lb_acl *acl; /* shared by snapshots; freed with the listener's model */
	} * listeners;
	size_t ngroups; /* slots; a removed group leaves a NULL */
	struct lb_conf_group {
		lb_group *g;
		lb_algorithm algorithm;
		size_t ntargets;
		lb_target **targets;
		uint32_t *cursor;        /* one per worker, written by that worker */
		int64_t suspect_hold_ns; /* passive: how long a failure benches */
	} * groups;
} lb_conf;

void lb_target_unref(lb_target *t);
void lb_listener_unref(lb_listener *l);
void lb_group_unref(lb_group *g);
void lb_conf_unref(lb_conf *c);

/* ---- messages ------------------------------------------------------------ */

typedef enum {
	LB_MSG_CONF,         /* a new snapshot (reference handed over) */
	LB_MSG_CLOSE_IDLE,   /* close the target's pooled connections */
	LB_MSG_CLOSE_TARGET, /* ... and every connection busy with it */
	LB_MSG_SHUTDOWN,     /* stop accepting; finish in-flight requests */
	LB_MSG_STOP,         /* close everything and leave the loop */
	LB_MSG_HC_ADD,       /* control thread: start checking a target */
	LB_MSG_DRAIN,        /* control thread: watch a draining target */
} lb_msg_kind;

typedef struct lb_msg {
	struct lb_msg *next;
	lb_msg_kind kind;
	lb_conf *conf;
	lb_target *target; /* a reference */
} lb_msg;

typedef struct {
	pthread_mutex_t mu;
	lb_msg *head, *tail;
	uv_async_t async;
} lb_queue;

void lb_queue_post(lb_queue *q, lb_msg *m);
/* Takes every message, oldest first. */
lb_msg *lb_queue_take(lb_queue *q);
void lb_msg_free(lb_msg *m);

/* ---- the load balancer --------------------------------------------------- */

typedef struct lb_mtarget lb_mtarget;
typedef struct lb_mlistener {
	lb_listener *l;
	lb_acl *acl;
	struct sockaddr_storage sa;
} lb_mlistener;

struct lb_balancer {
	lb_options o;
	http_limits limits;      /* request heads */
	http_limits resp_limits; /* response heads */
	unsigned nworkers;
	lb_worker **workers;
	/* control thread: health checks and drain timers */
	pthread_t ctl_thread;
	uv_loop_t ctl_loop;
	lb_queue ctl_q;
	struct lb_ctl *ctl;
	pthread_mutex_t mu;        /* the model below, and the publishing of snapshots */
	GF_VEC(lb_group *) groups; /* indexed by slot; NULL = free slot */
	GF_VEC(lb_target *) targets;
	GF_VEC(lb_mlistener) listeners;
	lb_conf *conf; /* the last published */
	uint64_t gen;  /* snapshots published so far, under mu */
	/* shutdown: workers count down when they have no connection left */
	pthread_mutex_t done_mu;
	pthread_cond_t done_cv;
	unsigned workers_idle;
	/* each worker's lb_worker.applied, under done_mu; broadcast on change */
	pthread_cond_t applied_cv;
};

/* Builds a snapshot of the model and sends it to every worker. With mu.
 * Returns its generation, for lb_wait_applied. */
uint64_t lb_publish(lb_balancer *lb);
/* Without mu: returns once every worker has swapped to the snapshot of
 * generation `gen` or a later one (bounded: a stuck worker is logged). */
void lb_wait_applied(lb_balancer *lb, uint64_t gen);
/* Posts a message about `t` (a new reference is taken) to every worker. */
void lb_post_target(lb_balancer *lb, lb_msg_kind kind, lb_target *t);
/* Control thread: the deregistration of `t` is complete. Takes mu. */
void lb_target_finish_drain(lb_balancer *lb, lb_target *t);
int lb_parse_address(struct sockaddr_storage *out, const char *address);
/* A listening socket of `l` for one more worker (SO_REUSEPORT). */
int lb_listen_fd(int *out, const lb_listener *l);
lb_acl *lb_acl_dup(const lb_acl *acl);
void lb_queue_init(lb_queue *q, uv_loop_t *loop, uv_async_cb cb);
void lb_queue_dispose(lb_queue *q);

/* ctl.c: the control thread. */
int lb_ctl_start(lb_balancer *lb);
void lb_ctl_stop(lb_balancer *lb);

/* ---- workers (worker.c) ---------------------------------------------------- */

struct lb_worker {
	lb_balancer *lb;
	unsigned id;
	pthread_t thread;
	uv_loop_t loop;
	lb_queue q;
	lb_conf *conf;
	uint64_t applied; /* conf->gen, copied under lb->done_mu for lb_wait_applied */
	GF_VEC(struct lb_wlistener {
		lb_listener *l;
		uv_tcp_t *tcp;
	})
	listeners;
	/* every client connection, for shutdown and for closing a target */
	struct lb_conn *conns;
	size_t nconns;
	bool shutting_down;
	bool reported_idle;
	http_msg msg;       /* parse scratch: fields are copied out at once */
	char scratch[4096]; /* where unwanted bytes are read and dropped */
};

int lb_worker_start(lb_worker **out, lb_balancer *lb, unsigned id);
void lb_worker_join(lb_worker *w);
/* A connection closed: when shutting down, the last one reports. */
void lb_worker_conn_gone(lb_worker *w);

/* ---- connections (conn.c, upstream.c) ----------------------------------- */

typedef enum {
	LB_C_HEAD,
	LB_C_PICK,
	LB_C_UPSTREAM,
	LB_C_RESPONSE,
	LB_C_TUNNEL,
	LB_C_CLOSING,
} lb_conn_state;

typedef struct lb_conn {
	uv_tcp_t tcp; /* first: the handle's data is the connection */
	uv_timer_t timer;
	lb_worker *w;
	lb_listener *l; /* a reference */
	struct lb_conn *prev, *next;
	lb_conn_state state;
	bool closed;
	int handles;        /* open handles; freed when 0 */
	uint64_t progress;  /* uv_now() of the last byte moved while streaming */
	double timeout;     /* seconds, of the armed timer */
	int timeout_status; /* 0: the idle timer, else the status it answers */
	char client_ip[INET6_ADDRSTRLEN];

	gf_buf in; /* from the client: head, then body bytes */
	http_parser p;

	/* the request in progress */
	http_method method;
	bool idempotent, keep_alive, upgrade, http10;
	http_framing req_framing;
	http_chunked req_chunked;
	uint64_t req_left;  /* LENGTH: body bytes not yet scanned */
	uint64_t req_body;  /* CHUNKED: data bytes scanned */
	size_t req_ready;   /* bytes at the start of `in` that are body, unsent */
	bool req_end;       /* the end of the body is among the scanned bytes */
	bool req_done;      /* the whole request was written to the target */
	bool body_streamed; /* body bytes were consumed: no retry */
	bool client_eof;
	gf_buf head;                       /* the request head as sent upstream, kept for retries */
	lb_target *tried[LB_MAX_ATTEMPTS]; /* compared, never dereferenced */
	int attempts;
	int last_status; /* 502 or 504: what the last failed attempt answers */
	char err[192];
	uint64_t t_head; /* uv_hrtime() at the end of the request head */
	lb_upconn *up;
	bool resp_head_sent; /* the final response head went to the client */
	bool tunnel_started;
	size_t tun_sent; /* tunnel: bytes of `in` being written upstream */

	/* writes to the client: one at a time */
	uv_write_t wc;
	uv_shutdown_t sreq;
	bool writing;
	bool close_after; /* close once the current write is done */
	gf_buf out;       /* a response head being written */
} lb_conn;

/* Decoded chunks sent to an HTTP/1.0 client in one write, at most. */
#define LB_SLICES 16

struct lb_upconn {
	uv_tcp_t tcp; /* first */
	uv_connect_t creq;
	uv_write_t wreq;
	lb_worker *w;
	lb_target *t;           /* a reference */
	lb_conn *c;             /* the bound client, NULL when pooled or closing */
	lb_upconn *prev, *next; /* the pool */
	bool connected, reused, pooled, closing, writing;
	bool response_begun, request_written;
	gf_buf in; /* from the target */
	http_parser p;
	bool head_done;
	http_framing framing;
	http_chunked chunked;
	bool dechunk;   /* HTTP/1.0 client: send the chunks' data only */
	uint64_t left;  /* LENGTH: body bytes not yet scanned */
	size_t consume; /* bytes of `in` in the write to the client */
	bool done;      /* the end of the response is among the scanned bytes */
	bool keep_alive;
};

void lb_conn_accept(lb_worker *w, lb_listener *l, lb_acl *acl, uv_stream_t *server);
/* Closes `c` now, and its upstream connection if one is bound. */
void lb_conn_close(lb_conn *c);
/* Shutdown: close if idle, else close after the current response. */
void lb_conn_shutdown(lb_conn *c);

/* conn.c */
/*
 * Writes what the socket takes at once. True when that was everything
 * (the caller completes the write on the spot), else `bufs`/`n` are left
 * with what remains to queue with uv_write. A response that fits the
 * socket buffer so costs no write request and no epoll_ctl (libuv re-arms
 * the descriptor each time its write queue drains). Completing on the spot
 * is safe because every caller writes last, touching nothing after.
 */
bool lb_write_now(uv_stream_t *s, uv_buf_t *bufs, unsigned *n);
/* Writes to the client; on_client_written's logic runs when it is done,
 * possibly before this returns. */
void lb_conn_write(lb_conn *c, uv_buf_t *bufs, unsigned n);
void lb_conn_read(lb_conn *c);
void lb_conn_respond_error(lb_conn *c, int status, const char *fmt, ...) GF_PRINTF(3, 4);
/* The response went out whole: serve the next request or close. */
void lb_conn_request_done(lb_conn *c);
/* Half-closes, drains what the client still sends, then closes. */
void lb_conn_linger(lb_conn *c);
/* Arms the connection's timer; `status` is answered when it fires in a
 * state that can still answer (0: close silently). */
void lb_conn_arm(lb_conn *c, double seconds, int status);

/* upstream.c */
/* The request head in `c` is ready: pick a target and send it. */
void lb_up_dispatch(lb_conn *c);
/* Streams what the client sent of the request body. */
void lb_up_forward_body(lb_conn *c);
/* A write to the client completed. */
void lb_up_client_wrote(lb_conn *c);
/* The connection's timer fired while waiting for the target. */
void lb_up_timeout(lb_conn *c);
/* Tunnel: forward client bytes to the target. */
void lb_up_tunnel_up(lb_conn *c);
/* Ends the attempt of `c` and closes its upstream connection. */
void lb_up_abort(lb_conn *c);
void lb_up_close(lb_upconn *u);
void lb_pool_close_target(lb_worker *w, lb_target *t);

#endif
