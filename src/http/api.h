/*
 * http/api.h — the HTTP server and client of the daemon's JSON API, its
 * webhooks, the Terraform http state backend and every CLI command. Built
 * on the codec of http.h; this is the second public header of src/http
 * (http.h is the codec, shared with the data plane).
 *
 * NOTES ON THE DESIGN
 *
 * 1. The server runs on a libuv loop the caller owns (the daemon's main
 *    loop) and is single-threaded: every handler, callback and response
 *    function runs on, and must be called from, the loop's thread. It
 *    listens on unix sockets and/or on TCP. A unix socket is trusted (its
 *    file is mode 0600) unless it takes application tokens only (the
 *    pipeline's build socket: http_unix_opts); a TCP listener may require
 *    `Authorization: Bearer <token>` (compared in constant time) on every
 *    route not marked public.
 *
 * 2. Routes are METHOD + pattern, the pattern's segments literal or
 *    `{name}` (`/v1/lbs/{name}`); parameters are percent-decoded. When
 *    several routes match, the one whose first differing segment is
 *    literal wins (`/v1/builds/latest` over `/v1/builds/{id}`). A GET route
 *    answers HEAD too. No route: 404; the path exists with other methods:
 *    405 with `Allow`. Errors the server itself answers carry the standard
 *    error body (http_respond_error): {"error": {"code", "message", "field"}}.
 *
 * 3. A connection handles one request at a time, so pipelined requests are
 *    answered in order. Its life:
 *
 *      accept ──► HEAD (idle timeout before the first byte, header timeout after)
 *                  │ head parsed; auth (401), route (404/405), cap (413:
 *                  │ refused from Content-Length before any body byte)
 *                  ▼
 *                 BODY (collected up to the route's cap, or streamed to
 *                  │    its on_body; 100 Continue sent when asked)
 *                  ▼
 *                 HANDLER ── the handler answers now, or later (async) ──►
 *                  │         response written (whole, or streamed)
 *                  ├─ keep-alive ──► HEAD (next pipelined request)
 *                  └─ close ──► LINGER (write side shut, input drained ≤ 2 s,
 *                               so an unread body cannot turn the close
 *                               into a RST that destroys the response)
 *
 *    While a request is in the HANDLER state the connection keeps reading,
 *    so a client that goes away is noticed at once: the request's close
 *    callback runs (http_req_on_close), and that is the last moment the
 *    http_req pointer is valid. (A client that shuts down only its write
 *    side after the request counts as gone: HTTP clients do not do that.)
 *
 * 4. Request life and ownership. The server owns every http_req. A handler
 *    must, exactly once, either answer (http_respond*, or http_stream_begin
 *    ... http_stream_end) or keep the request for later — and then it must
 *    set a close callback before returning, so it learns when to forget the
 *    pointer. A handler that returns without doing either is a bug: the
 *    server answers 500 and logs it. After the answer is complete the
 *    pointer is invalid.
 *
 * 5. The client is blocking (poll(2) with deadlines, no libuv) for the CLI
 *    and tests. It sends the whole request, reads the answer with the codec
 *    (length, chunked or close-delimited) and stops sending a body as soon
 *    as the server answers early (a 413 or 401 before the body is read).
 *    Errors name the peer and say what to do (http_client_req.peer_name and
 *    .hint); unreachable peers have their own code so the CLI can word it.
 */
#ifndef GF_HTTP_API_H
#define GF_HTTP_API_H

#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Error codes of this header, besides base.h's GF_E*. */
enum {
	HTTP_EUNREACHABLE = -40, /* nothing listens there (refused, no socket file) */
	HTTP_ETIMEOUT = -41,     /* connect or total timeout */
	HTTP_ESTATUS = -42,      /* http_client_json: a non-2xx answer */
};

/* ---- router (pure; used by the server, exposed for tests and fuzzing) --- */

#define HTTP_ROUTE_MAX_PARAMS 8

typedef struct http_router http_router;

typedef struct {
	void *route;    /* what was given to http_router_add */
	size_t nparams; /* path parameters, in pattern order */
	const char *names[HTTP_ROUTE_MAX_PARAMS];
	char *values[HTTP_ROUTE_MAX_PARAMS]; /* decoded, NUL-terminated, in the arena */
	char allow[128];                     /* on GF_ENOTFOUND: methods of the path ("" → 404) */
} http_route_match;

http_router *http_router_new(void);
void http_router_free(http_router *r);
/* Adds METHOD + pattern → route. GF_EINVALID for a method that is not a
 * token or a malformed pattern (not starting with '/', a `{` not spanning a
 * whole segment, a duplicate or empty name, more than
 * HTTP_ROUTE_MAX_PARAMS), GF_EEXISTS when the same method and shape (the
 * same literals and parameter positions) are already there. */
int http_router_add(http_router *r, const char *method, const char *pattern, void *route);
/*
 * Matches a request path (no query) for `method`. 0: found. GF_ENOTFOUND:
 * no route for this method, m->allow lists the methods the path has
 * ("GET, HEAD, PUT"; empty when none → 404). GF_EINVALID: a parameter has
 * a malformed %-escape or decodes to NUL (→ 400). Values live in `arena`.
 */
int http_router_match(http_route_match *m, const http_router *r, const char *method,
                      const char *path, size_t len, gf_arena *arena);

/* ---- server ------------------------------------------------------------ */

typedef struct http_server http_server;
typedef struct http_req http_req;

typedef struct {
	double header_timeout;  /* seconds for a request head and between body reads (408); 10 */
	double idle_timeout;    /* seconds a keep-alive connection may stay idle; 60 */
	http_limits limits;     /* head limits; the codec's defaults */
	size_t max_body;        /* default per-route body cap; 1 MiB */
	size_t max_queued;      /* response bytes queued to a slow reader before it is dropped;
	                          8 MiB */
	size_t max_connections; /* more are answered 503 and closed; 1024 */
	bool access_log;        /* one gf_log line per request */
} http_server_config;

void http_server_config_init(http_server_config *c);

/* `loop` stays the caller's; cfg NULL means the defaults. Sets SIGPIPE to
 * be ignored if it has its default action (which would kill the process
 * when a client leaves during a write). */
int http_server_new(http_server **out, uv_loop_t *loop, const http_server_config *cfg);
/*
 * Listens on a unix socket created with mode 0600. An existing socket file
 * is replaced only if nobody answers on it (a stale one from a crash);
 * GF_EEXISTS if a live server holds it, GF_EINVALID for a non-socket file
 * or a path too long for sun_path. The file is removed on close.
 * Connections on it are trusted (no token asked).
 */
int http_server_listen_unix(http_server *s, const char *path);

typedef struct {
	unsigned mode; /* of the socket file; 0: 0600 */
	/* Only tokens the application accepts (http_server_set_auth) open
	 * this listener: no request is trusted for arriving on it, public
	 * routes included. The pipeline's build socket, which the build user
	 * can reach, is one (docs/pipeline.md). */
	bool app_tokens_only;
} http_unix_opts;

/* http_server_listen_unix with options (o NULL: the defaults above). */
int http_server_listen_unix_opts(http_server *s, const char *path, const http_unix_opts *o);
/*
 * Listens on TCP host:port ("127.0.0.1", "::1", "0.0.0.0", "localhost");
 * port 0 picks a free port, reported in *bound_port (may be NULL). With a
 * token, every non-public route requires `Authorization: Bearer <token>`
 * (401 with `WWW-Authenticate: Bearer` otherwise).
 */
int http_server_listen_tcp(http_server *s, const char *host, int port, const char *token,
                           int *bound_port);

/*
 * Tokens the application issues itself (the pipeline's per-build tokens,
 * the dashboard's sessions): called for every request carrying
 * `Authorization: Bearer <token>`, on every listener (unix too), after
 * routing and before the listener's own token rule. Return 0 to leave the
 * request to the next check and then to that rule, 1 to authorize it, or
 * an HTTP status ≥ 400 (403: a known token that may not do this) to refuse
 * it with `why` as the error message. Checks run in the order they were
 * added (at most 4; GF_ETOOBIG past that); the first nonzero answer wins.
 */
typedef int (*http_auth_fn)(const char *method, const char *path, const char *token, char *why,
                            size_t why_len, void *payload);
int http_server_add_auth(http_server *s, http_auth_fn fn, void *payload);

typedef void (*http_handler_fn)(http_req *req, void *payload);
/* Streaming request body: called per chunk as it arrives, before the
 * handler (which then sees an empty body). Return 0 to go on, or an HTTP
 * status ≥ 400 to refuse: it is answered with gf_err_msg() as the message
 * and the connection closed. */
typedef int (*http_body_fn)(http_req *req, const char *data, size_t len, void *payload);

typedef struct {
	size_t max_body;      /* 0: the server's default; a bigger body is refused with 413 */
	bool public;          /* no bearer token needed (webhooks, signed otherwise) */
	http_body_fn on_body; /* stream the body instead of collecting it */
} http_route_opts;

/* Registers a handler; opts may be NULL. Same errors as http_router_add. */
int http_server_route(http_server *s, const char *method, const char *pattern, http_handler_fn fn,
                      void *payload, const http_route_opts *opts);

/*
 * Graceful close: stops listening (the unix socket file is removed),
 * closes idle connections, lets requests in flight finish (their
 * connections then close), and ends streamed answers cleanly (their close
 * callbacks run first, then the last chunk is sent). `done` (may be NULL)
 * runs once everything is closed; then http_server_free frees at once.
 * A kept request (a long poll) delays `done` until it is answered: bound
 * the wait with a timer and http_server_free.
 */
void http_server_shutdown(http_server *s, void (*done)(void *payload), void *payload);
/* Closes everything now (close callbacks of kept requests run) and frees
 * the server once libuv has closed its handles: keep running the loop
 * (uv_run returns when they are) before uv_loop_close. */
void http_server_free(http_server *s);

/* ---- requests ---------------------------------------------------------- */

typedef enum {
	HTTP_PEER_UNIX,
	HTTP_PEER_TCP,
} http_peer_kind;

typedef struct {
	http_peer_kind kind;
	char addr[80];   /* "127.0.0.1:51234", "[::1]:51234", or "unix:" + socket path */
	long uid;        /* the peer's uid on a unix socket (SO_PEERCRED); -1 on TCP */
	bool authorized; /* unix, or TCP with the listener's token (or a listener without one),
	                    or an application token (http_server_set_auth) */
	bool app_token;  /* authorized by an application token */
} http_peer;

/* The parsed head (slices stay valid while the request is). */
const http_msg *http_req_msg(const http_req *req);
const char *http_req_method(const http_req *req); /* "GET", "LOCK", ... */
const char *http_req_path(const http_req *req);   /* raw path, without the query */
const char *http_req_query(const http_req *req);  /* raw query without '?', "" if none */
/* A path parameter by name, decoded; NULL if the pattern has no such name. */
const char *http_req_param(const http_req *req, const char *name);
/* The first value of a query parameter, %-decoded ('+' as space); NULL if
 * absent or malformed (a bad escape, %00). */
const char *http_req_query_param(http_req *req, const char *name);
/* The first field of that name, NUL-terminated; NULL if absent. */
const char *http_req_header(http_req *req, const char *name);
/* The collected body (NUL-terminated; "" and 0 when there is none). */
const char *http_req_body(const http_req *req, size_t *len);
/* Parses the body as JSON (duplicate keys are an error). On failure
 * answers 400 (code "invalid_json", with the line and column) and returns
 * GF_EINVALID: the handler just returns. */
int http_req_json(json_t **out, http_req *req);
const http_peer *http_req_peer(const http_req *req);
/* The Last-Event-ID of an event-stream request; NULL if absent. */
const char *http_req_last_event_id(http_req *req);
/* Memory that lives as long as the request. */
gf_arena *http_req_arena(http_req *req);
/* A pointer for the handler's own use (streamed bodies, async state). */
void http_req_set_data(http_req *req, void *data);
void *http_req_data(const http_req *req);
/*
 * Keeps the request for an answer later (long polls, event streams). `fn`
 * runs once if the request ends before the handler's answer is complete:
 * the client went away, the server closed, or (for a streamed body, whose
 * on_body may set it) the server refused the rest of the request. When
 * `fn` returns `req` is freed; answers given from inside `fn` are ignored.
 * It does not run once the answer is complete.
 */
void http_req_on_close(http_req *req, void (*fn)(http_req *req, void *payload), void *payload);

/* ---- responses --------------------------------------------------------- */

/* Adds a response field (before the answer starts). Date, Content-Length,
 * Transfer-Encoding and Connection are the server's. */
void http_resp_header(http_req *req, const char *name, const char *value);
/* Answers with a whole body (copied); content_type may be NULL. */
void http_respond(http_req *req, int status, const char *content_type, const void *body,
                  size_t len);
/* Answers with `body` serialized (application/json), and json_decref()s
 * it: the reference is consumed, like json_object_set_new. */
void http_respond_json(http_req *req, int status, json_t *body);
/* The standard error shape, {"error": {"code": "not_found", "message":
 * "...", "field": "name"}} ("field" only when not NULL). */
json_t *http_error_json(const char *code, const char *field, const char *message);
void http_respond_error(http_req *req, int status, const char *code, const char *field,
                        const char *fmt, ...) GF_PRINTF(5, 6);

/* Starts a streamed (chunked) answer; content_type may be NULL. */
void http_stream_begin(http_req *req, int status, const char *content_type);
/* Sends one chunk. GF_EIO if the client is gone (the close callback will
 * run from the loop), GF_ETOOBIG if it reads too slowly: it is dropped. */
int http_stream_write(http_req *req, const void *data, size_t len);
/* Bytes written and not yet taken by the client: a producer that can wait
 * (a pipe) pauses above its own mark, well before max_queued drops it. */
size_t http_stream_queued(const http_req *req);
/* Ends the answer (last chunk); the request is then complete. */
void http_stream_end(http_req *req);

/* Starts a text/event-stream answer (no caching, no proxy buffering), with
 * a comment line every `heartbeat` seconds (0: none) so that proxies and
 * clients know it is alive. End it with http_stream_end. */
void http_sse_begin(http_req *req, double heartbeat);
/* Sends one event: `id:` and `event:` lines when not NULL, one `data:` line
 * per line of data. Same errors as http_stream_write. */
int http_sse_send(http_req *req, const char *id, const char *event, const char *data);
/* Appends the event-stream framing of one event to `out` (pure). */
int http_sse_format(gf_buf *out, const char *id, const char *event, const char *data);

/* Constant-time check of an Authorization field against `token` (both may
 * be NULL). The scheme "Bearer" is case-insensitive. */
bool http_bearer_ok(const char *authorization, const char *token);

/* ---- event-stream parser (for clients) --------------------------------- */

typedef struct {
	const char *id;    /* last id seen in the stream ("" if none) */
	const char *event; /* "message" when not named */
	const char *data;  /* data lines joined with '\n' */
} http_sse_event;

/* Return 0 to go on, > 0 to stop reading, or a negative GF_E* code (after
 * gf_err_set) to fail with it. */
typedef int (*http_sse_fn)(const http_sse_event *ev, void *payload);

typedef struct {
	gf_buf line, data, event, id;
	bool has_data; /* a data: line came since the last event */
	bool after_cr; /* the last byte was CR: a LF right after it is the same line end */
} http_sse_parser;

void http_sse_parser_init(http_sse_parser *p);
void http_sse_parser_dispose(http_sse_parser *p);
/* Feeds stream bytes; calls fn per complete event. Returns 0, fn's
 * first nonzero result, or GF_ETOOBIG for a line or event over 1 MiB. */
int http_sse_parser_feed(http_sse_parser *p, const char *data, size_t len, http_sse_fn fn,
                         void *payload);

/* ---- client ------------------------------------------------------------ */

typedef struct {
	const char *method; /* NULL: GET (POST-less: no body implied) */
	/* "unix:/path/to/sock" or "http://host:port[/prefix]" */
	const char *url;
	/* appended to the URL's path ("/v1/lbs/web?wait=5"); NULL: the URL's path or "/" */
	const char *path;
	const char *token;          /* sent as Authorization: Bearer; NULL: none */
	const char *const *headers; /* "Name: value" strings, NULL-terminated, or NULL */
	const char *content_type;   /* of the body */
	const void *body;
	size_t body_len;
	double connect_timeout; /* seconds; 0: 5 */
	double timeout;         /* seconds for the whole exchange; 0: 30. For streams
	                                (on_data/on_event): the longest silence allowed */
	size_t max_body;        /* response body cap; 0: 64 MiB */
	/* Streaming reads: with either set, a 2xx body goes to the callback
	 * instead of being collected (other answers are still collected).
	 * A callback returns 0 to go on, > 0 to stop reading (the call then
	 * returns 0 with resp->stopped set), or a negative GF_E* code (after
	 * gf_err_set) that the call returns. */
	int (*on_data)(const char *data, size_t len, void *payload);
	http_sse_fn on_event;
	void *payload;
	/* For error messages: "cannot reach <peer_name> at <url>: <why> (<hint>)" */
	const char *peer_name; /* NULL: "the server" */
	const char *hint;      /* what to do when unreachable; NULL: nothing */
} http_client_req;

typedef struct {
	int status;
	size_t nheaders;
	struct {
		char *name, *value;
	} * headers;
	gf_buf body;  /* NUL-terminated */
	bool stopped; /* a stream callback stopped the read */
} http_client_resp;

/*
 * Performs one request on a fresh connection (Connection: close). 0 with
 * *resp filled for any status; HTTP_EUNREACHABLE, HTTP_ETIMEOUT, GF_ETOOBIG
 * (body over max_body), GF_EINVALID (malformed answer, bad URL) or GF_EIO
 * with a message that names the peer. Dispose *resp in every case.
 */
int http_client_request(http_client_resp *resp, const http_client_req *req);
void http_client_resp_dispose(http_client_resp *resp);
/* The first response field of that name (case-insensitive), or NULL. */
const char *http_client_header(const http_client_resp *resp, const char *name);

/*
 * JSON round trip: sends `body` (may be NULL; not consumed) as
 * application/json and parses the answer. 0 on a 2xx, *out the parsed body
 * (json null when empty). HTTP_ESTATUS on another status, *out the parsed
 * body if it is JSON and the message built from the standard error shape
 * ("404 Not Found: lb \"web\" not found"). GF_EINVALID when the answer is
 * not JSON. *status (may be NULL) is 0 when no answer came. *out is NULL or
 * owned by the caller.
 */
int http_client_json(json_t **out, int *status, const http_client_req *req, json_t *body);

#endif
