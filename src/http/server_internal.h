/* The server's structures, shared by server.c (connections) and respond.c
 * (requests and answers) only. */
#ifndef GF_HTTP_SERVER_INTERNAL_H
#define GF_HTTP_SERVER_INTERNAL_H

#include "http/api.h"

typedef struct srv_listener srv_listener;
typedef struct srv_conn srv_conn;

typedef struct {
	http_handler_fn fn;
	void *payload;
	http_route_opts opts;
} srv_route;

struct srv_listener {
	union {
		uv_handle_t h;
		uv_stream_t s;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} h;
	http_server *srv;
	srv_listener *next;
	char *path;           /* unix socket file, removed on close; NULL for TCP */
	char *token;          /* bearer token; NULL: none asked */
	bool app_tokens_only; /* only application tokens (http_unix_opts) */
};

typedef enum {
	CONN_HEAD,    /* reading a request head (idle while nothing is buffered) */
	CONN_BODY,    /* reading the body of req */
	CONN_HANDLER, /* req is with its handler, or being answered */
	CONN_LINGER,  /* answered, write side shut, draining input before close */
} srv_conn_state;

struct srv_conn {
	union {
		uv_handle_t h;
		uv_stream_t s;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} h;
	uv_timer_t timer; /* the timeout of the state, or the heartbeat of a stream */
	uv_shutdown_t shutdown;
	http_server *srv;
	srv_listener *lis;
	srv_conn *prev, *next;
	srv_conn_state state;
	gf_buf in; /* bytes read and not yet used */
	http_parser parser;
	http_req *req; /* the request being read or answered; NULL when idle */
	http_peer peer;
	size_t queued; /* bytes handed to uv_write and not yet written */
	int open_handles;
	bool closing;    /* uv_close called */
	bool reading;    /* uv_read_start in effect */
	bool processing; /* inside conn_process: do not re-enter */
	bool eof;        /* the peer closed its side */
	bool counted;    /* in srv->nconns */
};

struct http_req {
	srv_conn *conn;
	gf_arena arena;
	gf_buf head; /* a copy of the head; msg points into it */
	http_msg msg;
	const char *method, *path, *query;
	http_route_match match;
	const srv_route *route;
	http_framing framing;
	uint64_t body_left; /* HTTP_BODY_LENGTH: bytes still to read */
	http_chunked chunked;
	gf_buf body;
	gf_buf resp_headers; /* fields added by http_resp_header */
	void *data;
	void (*close_fn)(http_req *req, void *payload);
	void *close_payload;
	double started;  /* gf_now() when the head was complete */
	int status;      /* of the answer, once begun */
	bool begun;      /* the answer's head is sent */
	bool streaming;  /* chunked (or close-delimited for HTTP/1.0) answer */
	bool no_body;    /* HEAD request: heads only */
	bool keep_alive; /* the connection may serve another request after this */
	bool ending;     /* in its close callback: answers are ignored */
};

struct http_server {
	uv_loop_t *loop;
	http_server_config cfg;
	http_router *router;
	GF_VEC(srv_route *) routes;
	srv_listener *listeners;
	srv_conn *conns;
	size_t handles;     /* open libuv handles (listeners, connections, timers) */
	size_t nconns;      /* accepted connections not yet closed */
	double busy_logged; /* when "too many connections" was last logged */
	bool closing;       /* shutdown or free began */
	bool freeing;
	void (*done)(void *payload);
	void *done_payload;
	struct {
		http_auth_fn fn; /* application tokens (http_server_add_auth) */
		void *payload;
	} auth[4];
	size_t nauth;
};

/* server.c */
int srv_conn_write(srv_conn *c, const void *data, size_t len);
/* The answer of c->req is complete: free it, go on with the connection. */
void srv_req_complete(http_req *req);
void srv_conn_close(srv_conn *c);
void srv_req_free(http_req *req);
/* Runs the request's close callback, if any, once. */
void srv_req_tell_closed(http_req *req);

#endif
