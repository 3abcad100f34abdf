/* The server's listeners and connections on the caller's libuv loop: the
 * connection life of api.h (note 3), reading, framing of request bodies,
 * dispatch to routes, and closing. Answers are built in respond.c. */
#include "http/server_internal.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK     65536
#define LINGER_SECONDS 2.0
/* Pipelined bytes buffered while a request is with its handler. */
#define PIPELINE_MAX 65536

static void conn_process(srv_conn *c);
static void conn_read_start(srv_conn *c);
static void server_maybe_done(http_server *s);

void http_server_config_init(http_server_config *c)
{
	memset(c, 0, sizeof(*c));
	c->header_timeout = 10;
	c->idle_timeout = 60;
	c->limits = http_limits_default;
	c->max_body = 1u << 20;
	c->max_queued = 8u << 20;
	c->max_connections = 1024;
}

int http_server_new(http_server **out, uv_loop_t *loop, const http_server_config *cfg)
{
	/* libuv writes with write(2): a peer that left would kill the process
	 * with SIGPIPE instead of failing the write with EPIPE. */
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	http_server *s = gf_xcalloc(1, sizeof(*s));
	s->loop = loop;
	if (cfg)
		s->cfg = *cfg;
	else
		http_server_config_init(&s->cfg);
	s->router = http_router_new();
	*out = s;
	return 0;
}

int http_server_route(http_server *s, const char *method, const char *pattern, http_handler_fn fn,
                      void *payload, const http_route_opts *opts)
{
	srv_route *r = gf_xcalloc(1, sizeof(*r));
	r->fn = fn;
	r->payload = payload;
	if (opts)
		r->opts = *opts;
	if (!r->opts.max_body)
		r->opts.max_body = s->cfg.max_body;
	int rc = http_router_add(s->router, method, pattern, r);
	if (rc) {
		free(r);
		return rc;
	}
	gf_vec_push(&s->routes, r);
	return 0;
}

/* ---- closing ----------------------------------------------------------- */

static void server_release(http_server *s)
{
	for (size_t i = 0; i < s->routes.len; i++)
		free(s->routes.items[i]);
	gf_vec_dispose(&s->routes);
	http_router_free(s->router);
	free(s);
}

/* Called whenever a handle closed: finishes a shutdown or a free. */
static void server_maybe_done(http_server *s)
{
	if (!s->closing || s->listeners || s->conns || s->handles)
		return;
	if (s->freeing) {
		server_release(s);
		return;
	}
	void (*done)(void *) = s->done;
	s->done = NULL;
	if (done)
		done(s->done_payload);
}

void srv_req_tell_closed(http_req *req)
{
	void (*fn)(http_req *, void *) = req->close_fn;
	if (!fn)
		return;
	req->close_fn = NULL;
	/* Whatever the callback does with req, the server frees it. */
	req->ending = true;
	fn(req, req->close_payload);
	req->ending = false;
}

void srv_req_free(http_req *req)
{
	if (!req)
		return;
	gf_buf_dispose(&req->head);
	gf_buf_dispose(&req->body);
	gf_buf_dispose(&req->resp_headers);
	gf_arena_dispose(&req->arena);
	free(req);
}

static void conn_handle_closed(uv_handle_t *h)
{
	srv_conn *c = h->data;
	http_server *s = c->srv;
	s->handles--;
	if (--c->open_handles > 0)
		return;
	http_req *req = c->req;
	c->req = NULL;
	if (req)
		srv_req_tell_closed(req);
	srv_req_free(req);
	if (c->counted)
		s->nconns--;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	gf_buf_dispose(&c->in);
	free(c);
	server_maybe_done(s);
}

void srv_conn_close(srv_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close(&c->h.h, conn_handle_closed);
	uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
}

static void linger_timeout(uv_timer_t *t)
{
	srv_conn_close(t->data);
}

static void shutdown_done(uv_shutdown_t *sr, int status)
{
	srv_conn *c = sr->data;
	if (status < 0 || c->eof)
		srv_conn_close(c);
}

/* Answered and closing: shut the write side once the answer is out and
 * drain what the peer still sends, so the close does not become a RST. */
static void conn_linger(srv_conn *c)
{
	if (c->closing || c->state == CONN_LINGER)
		return;
	c->state = CONN_LINGER;
	c->shutdown.data = c;
	if (uv_shutdown(&c->shutdown, &c->h.s, shutdown_done) != 0) {
		srv_conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, linger_timeout, (uint64_t)(LINGER_SECONDS * 1000), 0);
	conn_read_start(c); /* stopped if a pipeline filled the buffer */
}

/* ---- writing ----------------------------------------------------------- */

typedef struct {
	uv_write_t req;
	srv_conn *conn;
	size_t len;
	char data[];
} srv_write;

static void write_done(uv_write_t *w, int status)
{
	srv_write *sw = (srv_write *)w;
	srv_conn *c = sw->conn;
	c->queued -= sw->len;
	free(sw);
	if (status < 0) {
		c->eof = true;
		srv_conn_close(c);
	}
}

int srv_conn_write(srv_conn *c, const void *data, size_t len)
{
	if (c->closing || c->eof)
		return gf_err_set(GF_EIO, "the client of %s is gone", c->peer.addr);
	srv_write *sw = gf_xmalloc(sizeof(*sw) + len);
	sw->conn = c;
	sw->len = len;
	memcpy(sw->data, data, len);
	uv_buf_t b = uv_buf_init(sw->data, (unsigned)len);
	int rc = uv_write(&sw->req, &c->h.s, &b, 1, write_done);
	if (rc < 0) {
		free(sw);
		srv_conn_close(c);
		return gf_err_set(GF_EIO, "writing to %s: %s", c->peer.addr, uv_strerror(rc));
	}
	c->queued += len;
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	srv_conn *c = h->data;
	size_t room = c->in.max - c->in.len;
	size_t want = GF_MIN(room, (size_t)READ_CHUNK);
	if (c->state == CONN_LINGER) {
		/* Drained input is dropped: reuse the buffer from its start. */
		gf_buf_clear(&c->in);
		want = READ_CHUNK;
	}
	if (want == 0 || gf_buf_grow(&c->in, want) != 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init(c->in.ptr + c->in.len, (unsigned)want);
}

static void conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf);

static void conn_read_start(srv_conn *c)
{
	if (!c->reading && !c->closing && !c->eof &&
	    uv_read_start(&c->h.s, conn_alloc, conn_read) == 0)
		c->reading = true;
}

static void conn_read_stop(srv_conn *c)
{
	if (c->reading)
		uv_read_stop(&c->h.s);
	c->reading = false;
}

static void conn_timeout(uv_timer_t *t);

static void timer_arm(srv_conn *c, double seconds)
{
	if (seconds > 0)
		uv_timer_start(&c->timer, conn_timeout, (uint64_t)(seconds * 1000), 0);
	else
		uv_timer_stop(&c->timer);
}

/* Starts a request's memory when its first byte arrives. */
static http_req *req_new(srv_conn *c)
{
	http_req *req = gf_xcalloc(1, sizeof(*req));
	req->conn = c;
	gf_arena_init(&req->arena);
	gf_buf_init(&req->head, 0);
	gf_buf_init(&req->body, 0);
	gf_buf_init(&req->resp_headers, 0);
	req->method = "";
	req->path = "";
	req->query = "";
	req->started = gf_now();
	return req;
}

/* Answers an error the server decides itself. With `keep` false the
 * connection closes after it: the rest of the request is not read. */
static void conn_fail(srv_conn *c, bool keep, int status, const char *code, const char *msg)
{
	if (!c->req)
		c->req = req_new(c);
	http_req *req = c->req;
	/* A streamed body's handler may hold state for the request: the
	 * request ends without its answer, so it is told. */
	srv_req_tell_closed(req);
	req->keep_alive = req->keep_alive && keep;
	c->state = CONN_HANDLER;
	http_respond_error(req, status, code, NULL, "%s", msg);
}

static void conn_timeout(uv_timer_t *t)
{
	srv_conn *c = t->data;
	if (c->state == CONN_HEAD && c->in.len == 0) {
		srv_conn_close(c);
	} else if (c->state == CONN_HEAD || c->state == CONN_BODY) {
		conn_fail(c, false, 408, "request_timeout",
		          c->state == CONN_HEAD ? "the request head did not arrive in time"
		                                : "the request body did not arrive in time");
	}
}

void srv_req_complete(http_req *req)
{
	srv_conn *c = req->conn;
	http_server *s = c->srv;
	if (req->ending)
		return;
	if (s->cfg.access_log) {
		char path[256];
		gf_log(GF_LOG_INFO, "request", "method=%s path=%s status=%d ms=%.1f peer=%s",
		       req->method, gf_log_quote(path, sizeof(path), req->path), req->status,
		       (gf_now() - req->started) * 1000, c->peer.addr);
	}
	bool keep = req->keep_alive && !s->closing;
	c->req = NULL;
	srv_req_free(req);
	if (c->closing)
		return;
	if (!keep) {
		conn_linger(c);
		return;
	}
	c->state = CONN_HEAD;
	timer_arm(c, c->in.len ? s->cfg.header_timeout : s->cfg.idle_timeout);
	conn_read_start(c);
	if (!c->processing)
		conn_process(c);
}

/* ---- requests ---------------------------------------------------------- */

static void dispatch(srv_conn *c)
{
	http_req *req = c->req;
	c->state = CONN_HANDLER;
	timer_arm(c, 0);
	req->route->fn(req, req->route->payload);
	if (c->req != req || req->close_fn)
		return;
	if (req->begun) {
		gf_log(GF_LOG_ERROR, "a streamed answer was kept without http_req_on_close",
		       "method=%s path=%s", req->method, req->path);
		return;
	}
	gf_log(GF_LOG_ERROR, "handler returned without answering or keeping the request",
	       "method=%s path=%s", req->method, req->path);
	http_respond_error(req, 500, "internal", NULL,
	                   "the server did not answer this request (a bug: please report it)");
}

/* Body bytes of the current request: collected or streamed. False when
 * the request was refused (answered and closing). */
static bool body_deliver(srv_conn *c, const char *data, size_t len)
{
	http_req *req = c->req;
	if (len == 0)
		return true;
	if (req->route->opts.on_body) {
		int status = req->route->opts.on_body(req, data, len, req->route->payload);
		if (status) {
			conn_fail(c, false, status >= 400 && status <= 599 ? status : 500,
			          "body_refused", gf_err_msg());
			return false;
		}
		return true;
	}
	if (gf_buf_put(&req->body, data, len) != 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes",
		         req->route->opts.max_body);
		conn_fail(c, false, 413, "too_large", msg);
		return false;
	}
	return true;
}

/* Reads body bytes from c->in; dispatches when the body is complete. */
static void body_step(srv_conn *c)
{
	http_req *req = c->req;
	if (req->framing.kind == HTTP_BODY_LENGTH) {
		size_t n = (size_t)GF_MIN((uint64_t)c->in.len, req->body_left);
		if (!body_deliver(c, c->in.ptr, n))
			return;
		gf_buf_consume(&c->in, n);
		req->body_left -= n;
		if (req->body_left == 0)
			dispatch(c);
		return;
	}
	size_t off = 0;
	for (;;) {
		size_t used = 0;
		http_str d = {0};
		int rc = http_chunked_decode(&req->chunked, c->in.ptr + off, c->in.len - off, &used,
		                             &d);
		off += used;
		if (rc == HTTP_CHUNK_DATA) {
			if (!body_deliver(c, d.ptr, d.len))
				return;
			continue;
		}
		gf_buf_consume(&c->in, off);
		if (rc == HTTP_CHUNK_DONE)
			dispatch(c);
		else if (rc != GF_EAGAIN)
			conn_fail(c, false, 400, "bad_request", gf_err_msg());
		return;
	}
}

/* A complete head of `len` bytes is at the start of c->in. */
static void head_done(srv_conn *c, size_t len)
{
	http_server *s = c->srv;
	http_req *req = c->req;
	http_parser p;
	gf_buf_put(&req->head, c->in.ptr, len);
	gf_buf_consume(&c->in, len);
	http_parser_init(&p);
	http_parse_request(&p, &req->msg, req->head.ptr, req->head.len, &s->cfg.limits);
	req->method =
	        gf_arena_strndup(&req->arena, req->msg.method_name.ptr, req->msg.method_name.len);
	const char *path = req->msg.path.ptr;
	size_t plen = req->msg.path.len;
	const char *q = memchr(path, '?', plen);
	req->path = gf_arena_strndup(&req->arena, path, q ? (size_t)(q - path) : plen);
	req->query = q ? gf_arena_strndup(&req->arena, q + 1, plen - (size_t)(q - path) - 1) : "";
	req->framing = http_request_framing(&req->msg);
	req->no_body = req->msg.method == HTTP_HEAD;
	req->keep_alive = req->msg.keep_alive;
	/* Refusals before the body is read keep the connection only if there
	 * is no body to skip. */
	bool keep = req->framing.kind == HTTP_BODY_NONE ||
	            (req->framing.kind == HTTP_BODY_LENGTH && req->framing.length == 0);

	int rc = http_router_match(&req->match, s->router, req->method, req->path,
	                           strlen(req->path), &req->arena);
	const srv_route *route = rc == 0 ? req->match.route : NULL;
	const char *auth = http_req_header(req, "Authorization");
	int app = 0;
	for (size_t i = 0; i < s->nauth && app == 0 && auth && strncasecmp(auth, "Bearer ", 7) == 0;
	     i++) {
		char why[300] = "";
		app = s->auth[i].fn(req->method, req->path, auth + 7, why, sizeof(why),
		                    s->auth[i].payload);
		if (app >= 400) {
			conn_fail(c, keep, app, app == 403 ? "forbidden" : "unauthorized", why);
			return;
		}
	}
	c->peer.app_token = app == 1;
	c->peer.authorized = app == 1 || (!c->lis->app_tokens_only &&
	                                  (!c->lis->token || http_bearer_ok(auth, c->lis->token)));
	if (!c->peer.authorized && (c->lis->app_tokens_only || !(route && route->opts.public))) {
		http_resp_header(req, "WWW-Authenticate", "Bearer");
		conn_fail(
		        c, keep, 401, "unauthorized",
		        c->lis->app_tokens_only
		                ? "this socket takes only the tokens the server issued (a build's "
		                  "GITFLEET_TOKEN): send Authorization: Bearer <token>"
		        : auth ? "the bearer token is not valid for this server"
		               : "this listener needs an Authorization: Bearer token");
		return;
	}
	if (req->msg.expect_other) {
		conn_fail(c, keep, 417, "expectation_failed",
		          "only Expect: 100-continue is supported");
		return;
	}
	if (rc == GF_EINVALID) {
		conn_fail(c, keep, 400, "invalid_path", gf_err_msg());
		return;
	}
	if (!route) {
		char msg[400];
		if (req->match.allow[0]) {
			http_resp_header(req, "Allow", req->match.allow);
			snprintf(msg, sizeof(msg), "%s is not allowed on %.200s (allowed: %s)",
			         req->method, req->path, req->match.allow);
			conn_fail(c, keep, 405, "method_not_allowed", msg);
		} else {
			snprintf(msg, sizeof(msg), "nothing here: %.200s", req->path);
			conn_fail(c, keep, 404, "not_found", msg);
		}
		return;
	}
	req->route = route;
	gf_buf_init(&req->body, route->opts.max_body);
	if (req->framing.kind == HTTP_BODY_LENGTH && req->framing.length > route->opts.max_body) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "the request body (%llu bytes) is larger than the %zu bytes allowed here",
		         (unsigned long long)req->framing.length, route->opts.max_body);
		conn_fail(c, false, 413, "too_large", msg);
		return;
	}
	if (req->framing.kind == HTTP_BODY_NONE ||
	    (req->framing.kind == HTTP_BODY_LENGTH && req->framing.length == 0)) {
		dispatch(c);
		return;
	}
	c->state = CONN_BODY;
	req->body_left = req->framing.length;
	http_chunked_init(&req->chunked, &s->cfg.limits);
	if (req->msg.expect_continue && req->msg.version == 11) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		srv_conn_write(c, cont, sizeof(cont) - 1);
	}
	timer_arm(c, s->cfg.header_timeout);
}

/* Uses the buffered input as far as the state allows. */
static void conn_process(srv_conn *c)
{
	http_server *s = c->srv;
	c->processing = true;
	while (!c->closing) {
		if (c->state == CONN_BODY) {
			if (c->in.len == 0 && c->req->framing.kind == HTTP_BODY_LENGTH)
				break;
			size_t before = c->in.len;
			body_step(c);
			if (c->state == CONN_BODY && c->in.len == before)
				break;
			continue;
		}
		if (c->state != CONN_HEAD || c->in.len == 0)
			break;
		if (!c->req) {
			c->req = req_new(c);
			timer_arm(c, s->cfg.header_timeout);
		}
		int rc = http_parse_request(&c->parser, &c->req->msg, c->in.ptr, c->in.len,
		                            &s->cfg.limits);
		if (rc == GF_EAGAIN)
			break;
		if (rc < 0) {
			conn_fail(c, false, c->req->msg.err_status ? c->req->msg.err_status : 400,
			          "bad_request",
			          c->req->msg.err_msg ? c->req->msg.err_msg : gf_err_msg());
			break;
		}
		head_done(c, (size_t)rc);
	}
	c->processing = false;
	/* While a request is with its handler, keep reading to notice the
	 * client leave, but do not buffer an unbounded pipeline. */
	if (c->state == CONN_HANDLER && c->in.len >= PIPELINE_MAX)
		conn_read_stop(c);
}

static void conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	srv_conn *c = st->data;
	if (n == UV_ENOBUFS) {
		conn_read_stop(c);
		return;
	}
	if (n < 0) {
		c->eof = true;
		conn_read_stop(c);
		/* An answer still being written to a peer that only shut its
		 * write side is finished before the close. */
		if (c->state == CONN_HEAD && c->queued > 0 && !c->req)
			conn_linger(c);
		else
			srv_conn_close(c);
		return;
	}
	if (n == 0)
		return;
	if (c->state == CONN_LINGER) {
		gf_buf_clear(&c->in);
		return;
	}
	c->in.len += (size_t)n;
	c->in.ptr[c->in.len] = '\0';
	if (c->state == CONN_BODY)
		timer_arm(c, c->srv->cfg.header_timeout);
	if (!c->processing)
		conn_process(c);
}

/* ---- accepting --------------------------------------------------------- */

static void peer_describe(srv_conn *c)
{
	c->peer.uid = -1;
	if (c->lis->path) {
		c->peer.kind = HTTP_PEER_UNIX;
		snprintf(c->peer.addr, sizeof(c->peer.addr), "unix:%s", c->lis->path);
		uv_os_fd_t fd;
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		if (uv_fileno(&c->h.h, &fd) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
			c->peer.uid = (long)cred.uid;
		return;
	}
	c->peer.kind = HTTP_PEER_TCP;
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char ip[64] = "?";
	int port = 0;
	if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			snprintf(c->peer.addr, sizeof(c->peer.addr), "[%s]:%d", ip, port);
			return;
		}
		uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	snprintf(c->peer.addr, sizeof(c->peer.addr), "%s:%d", ip, port);
}

static void on_connection(uv_stream_t *ls, int status)
{
	srv_listener *l = ls->data;
	http_server *s = l->srv;
	if (status < 0 || s->closing)
		return;
	srv_conn *c = gf_xcalloc(1, sizeof(*c));
	c->srv = s;
	c->lis = l;
	c->state = CONN_HEAD;
	gf_buf_init(&c->in, s->cfg.limits.max_head + PIPELINE_MAX);
	if (l->path)
		uv_pipe_init(s->loop, &c->h.pipe, 0);
	else
		uv_tcp_init(s->loop, &c->h.tcp);
	uv_timer_init(s->loop, &c->timer);
	c->h.h.data = c;
	c->timer.data = c;
	c->open_handles = 2;
	s->handles += 2;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	if (uv_accept(ls, &c->h.s) != 0) {
		srv_conn_close(c);
		return;
	}
	if (!l->path)
		uv_tcp_nodelay(&c->h.tcp, 1);
	peer_describe(c);
	c->counted = true;
	if (++s->nconns > s->cfg.max_connections) {
		static const char body[] = "{\"error\":{\"code\":\"busy\",\"message\":\"too many "
		                           "connections; try again later\"}}\n";
		char busy[512];
		int n = snprintf(
		        busy, sizeof(busy),
		        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
		        "Content-Length: %zu\r\nConnection: close\r\nRetry-After: 1\r\n\r\n%s",
		        sizeof(body) - 1, body);
		double now = gf_now();
		if (now - s->busy_logged >= 1) {
			gf_log(GF_LOG_WARN, "too many connections: refusing new ones",
			       "max=%zu peer=%s", s->cfg.max_connections, c->peer.addr);
			s->busy_logged = now;
		}
		srv_conn_write(c, busy, (size_t)n);
		conn_linger(c);
		return;
	}
	timer_arm(c, s->cfg.idle_timeout);
	conn_read_start(c);
}

/* ---- listening --------------------------------------------------------- */

static void listener_closed(uv_handle_t *h)
{
	srv_listener *l = h->data;
	http_server *s = l->srv;
	s->handles--;
	free(l->path);
	free(l->token);
	free(l);
	server_maybe_done(s);
}

static void listeners_close(http_server *s)
{
	for (srv_listener *l = s->listeners, *next; l; l = next) {
		next = l->next;
		if (l->path)
			unlink(l->path);
		uv_close(&l->h.h, listener_closed);
	}
	s->listeners = NULL;
}

/* A listener that could not start: out of the list, handle closed. */
static void listener_abort(http_server *s, srv_listener *l)
{
	s->listeners = l->next;
	uv_close(&l->h.h, listener_closed);
}

static void listener_add(http_server *s, srv_listener *l)
{
	l->srv = s;
	l->h.h.data = l;
	l->next = s->listeners;
	s->listeners = l;
}

/* Is somebody accepting connections on the unix socket at `path`? */
static bool unix_socket_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
	            (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return live;
}

int http_server_listen_unix(http_server *s, const char *path)
{
	return http_server_listen_unix_opts(s, path, NULL);
}

int http_server_listen_unix_opts(http_server *s, const char *path, const http_unix_opts *o)
{
	mode_t mode = o && o->mode ? (mode_t)o->mode : 0600;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd = -1, rc = 0;
	if (strlen(path) >= sizeof(sa.sun_path))
		return gf_err_set(GF_EINVALID,
		                  "unix socket path %s is longer than the %zu bytes a socket "
		                  "address holds: choose a shorter path",
		                  path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return gf_err_set(GF_EINVALID,
			                  "cannot listen on unix:%s: the file exists and is not a "
			                  "socket (remove it or choose another path)",
			                  path);
		if (unix_socket_live(&sa))
			return gf_err_set(
			        GF_EEXISTS,
			        "cannot listen on unix:%s: another server is answering on "
			        "it (stop it first)",
			        path);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return gf_err_errno("cannot create a unix socket for %s", path);
	/* On Linux the socket file takes the mode of the unbound socket's
	 * inode: set it before bind so there is no moment the file is open to
	 * others; the chmod after bind covers other kernels. */
	if (fchmod(fd, mode) != 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = gf_err_errno("cannot listen on unix:%s", path);
		close(fd);
		return rc;
	}
	if (chmod(path, mode) != 0 || listen(fd, 128) != 0) {
		rc = gf_err_errno("cannot listen on unix:%s", path);
		close(fd);
		unlink(path);
		return rc;
	}
	srv_listener *l = gf_xcalloc(1, sizeof(*l));
	uv_pipe_init(s->loop, &l->h.pipe, 0);
	s->handles++;
	listener_add(s, l);
	int urc = uv_pipe_open(&l->h.pipe, fd);
	bool owned = urc == 0; /* the handle closes fd from now on */
	if (urc == 0)
		urc = uv_listen(&l->h.s, 128, on_connection);
	if (urc != 0) {
		rc = gf_err_set(GF_EIO, "cannot listen on unix:%s: %s", path, uv_strerror(urc));
		if (!owned)
			close(fd);
		listener_abort(s, l);
		unlink(path);
		return rc;
	}
	l->path = gf_xstrdup(path);
	l->app_tokens_only = o && o->app_tokens_only;
	return 0;
}

int http_server_add_auth(http_server *s, http_auth_fn fn, void *payload)
{
	if (s->nauth == GF_ARRAY_LEN(s->auth))
		return gf_err_set(GF_ETOOBIG, "too many token checks on one server");
	s->auth[s->nauth].fn = fn;
	s->auth[s->nauth].payload = payload;
	s->nauth++;
	return 0;
}

int http_server_listen_tcp(http_server *s, const char *host, int port, const char *token,
                           int *bound_port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char portstr[16];
	if (token && !*token)
		return gf_err_set(
		        GF_EINVALID,
		        "cannot listen on %s:%d with an empty bearer token: give a token, "
		        "or none to ask for none",
		        host, port);
	snprintf(portstr, sizeof(portstr), "%d", port);
	int grc = getaddrinfo(host, portstr, &hints, &ai);
	if (grc != 0)
		return gf_err_set(GF_EINVALID, "cannot listen on %s:%d: %s", host, port,
		                  gai_strerror(grc));
	srv_listener *l = gf_xcalloc(1, sizeof(*l));
	uv_tcp_init(s->loop, &l->h.tcp);
	s->handles++;
	listener_add(s, l);
	int rc = uv_tcp_bind(&l->h.tcp, ai->ai_addr, 0);
	freeaddrinfo(ai);
	if (rc == 0)
		rc = uv_listen(&l->h.s, 128, on_connection);
	if (rc != 0) {
		listener_abort(s, l);
		return gf_err_set(rc == UV_EADDRINUSE ? GF_EEXISTS : GF_EIO,
		                  "cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
	}
	if (token)
		l->token = gf_xstrdup(token);
	if (bound_port) {
		struct sockaddr_storage ss;
		int len = sizeof(ss);
		uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len);
		*bound_port =
		        ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		                                       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	return 0;
}

void http_server_shutdown(http_server *s, void (*done)(void *payload), void *payload)
{
	s->done = done;
	s->done_payload = payload;
	s->closing = true;
	listeners_close(s);
	for (srv_conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->state == CONN_HEAD && c->in.len == 0) {
			srv_conn_close(c);
		} else if (c->req && c->req->streaming && !c->closing) {
			/* Streams never finish by themselves: the handler is told
			 * (its close callback) and the client sees a clean end. */
			http_req *req = c->req;
			srv_req_tell_closed(req);
			http_stream_end(req);
		}
	}
	server_maybe_done(s);
}

void http_server_free(http_server *s)
{
	if (!s)
		return;
	s->closing = true;
	s->freeing = true;
	s->done = NULL;
	listeners_close(s);
	for (srv_conn *c = s->conns; c; c = c->next)
		srv_conn_close(c);
	server_maybe_done(s);
}
