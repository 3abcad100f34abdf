/* Client connections: accept, allow-list, request heads, timeouts, error
 * answers and keep-alive. The upstream half of a request is upstream.c. */
#include "lb/lb_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lb_slot_counters *lslot(lb_conn *c)
{
	return &c->l->slot[c->w->id];
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void parse_head(lb_conn *c);

static void on_conn_closed(uv_handle_t *h)
{
	lb_conn *c = h->data;
	if (--c->handles > 0)
		return;
	lb_worker *w = c->w;
	lb_uncount(lslot(c), LB_CIDX(active));
	gf_buf_dispose(&c->in);
	gf_buf_dispose(&c->head);
	gf_buf_dispose(&c->out);
	lb_listener_unref(c->l);
	free(c);
	lb_worker_conn_gone(w);
}

void lb_conn_close(lb_conn *c)
{
	if (c->state == LB_C_CLOSING && c->closed)
		return;
	c->state = LB_C_CLOSING;
	c->closed = true;
	if (c->up)
		lb_up_abort(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		c->w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->w->nconns--;
	uv_close((uv_handle_t *)&c->timer, on_conn_closed);
	uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

void lb_conn_shutdown(lb_conn *c)
{
	c->keep_alive = false;
	if (c->state == LB_C_HEAD && c->in.len == 0 && !c->writing)
		lb_conn_close(c);
}

/* ---- timeouts ------------------------------------------------------------------ */

static void on_timeout(uv_timer_t *t)
{
	lb_conn *c = t->data;
	uint64_t now = uv_now(&c->w->loop);
	uint64_t limit = (uint64_t)(c->timeout * 1000);
	/* The deadline is `progress` + `timeout`. Streaming states push
	 * `progress` forward instead of re-arming the timer on every read,
	 * and lb_conn_arm leaves a timer that fires earlier in place: either
	 * way, a timer that fires before the deadline is set again for the
	 * rest, at most one timer operation per timeout period. */
	if (now - c->progress < limit) {
		uv_timer_start(&c->timer, on_timeout, limit - (now - c->progress), 0);
		return;
	}
	switch (c->state) {
	case LB_C_HEAD:
		if (c->in.len == 0 || c->timeout_status == 0)
			lb_conn_close(c);
		else
			lb_conn_respond_error(c, 408, "request head not received within %g seconds",
			                      c->timeout);
		break;
	case LB_C_PICK:
	case LB_C_UPSTREAM:
		lb_up_timeout(c);
		break;
	default:
		lb_conn_close(c);
		break;
	}
}

void lb_conn_arm(lb_conn *c, double seconds, int status)
{
	c->timeout = seconds;
	c->timeout_status = status;
	c->progress = uv_now(&c->w->loop);
	uint64_t ms = (uint64_t)(seconds * 1000) + 1;
	/* Re-arming costs two heap operations; a timer due sooner than the
	 * new deadline is kept, and on_timeout moves it on. */
	if (!uv_is_active((uv_handle_t *)&c->timer) || uv_timer_get_due_in(&c->timer) > ms)
		uv_timer_start(&c->timer, on_timeout, ms, 0);
}

/* ---- closing after an answer ----------------------------------------------------- */

static void linger_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	lb_conn *c = h->data;
	*buf = uv_buf_init(c->w->scratch, sizeof(c->w->scratch));
}

static void on_linger_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	if (n < 0)
		lb_conn_close(s->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	lb_conn *c = req->data;
	if (status < 0 && !c->closed)
		lb_conn_close(c);
}

/*
 * Closes after an answer while the client may still be sending (an error,
 * or a target that answered before the whole body arrived). Closing at
 * once with unread input makes the kernel send a reset, which can destroy
 * the answer before the client reads it; so the write side is shut down,
 * and what comes in is read and dropped until the client closes or for
 * two seconds (RFC 9112 §9.6).
 */
void lb_conn_linger(lb_conn *c)
{
	if (c->closed)
		return;
	if (c->up)
		lb_up_abort(c);
	c->state = LB_C_CLOSING;
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_read_start((uv_stream_t *)&c->tcp, linger_alloc, on_linger_read);
	c->sreq.data = c;
	if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
		lb_conn_close(c);
		return;
	}
	lb_conn_arm(c, 2, 0);
}

/* ---- writes to the client ------------------------------------------------------ */

static void on_client_written(uv_write_t *req, int status)
{
	lb_conn *c = req->data;
	c->writing = false;
	if (c->closed)
		return;
	if (status < 0) {
		lb_conn_close(c);
		return;
	}
	if (c->close_after) {
		lb_conn_linger(c);
		return;
	}
	c->progress = uv_now(&c->w->loop);
	lb_up_client_wrote(c);
}

bool lb_write_now(uv_stream_t *s, uv_buf_t *bufs, unsigned *n)
{
	int w = uv_try_write(s, bufs, *n);
	if (w <= 0)
		return false; /* UV_EAGAIN, or an error that uv_write reports */
	size_t left = (size_t)w;
	unsigned i = 0;
	while (i < *n && left >= bufs[i].len)
		left -= bufs[i++].len;
	if (i == *n)
		return true;
	bufs[i].base += left;
	bufs[i].len -= left;
	memmove(bufs, bufs + i, (*n - i) * sizeof(*bufs));
	*n -= i;
	return false;
}

void lb_conn_write(lb_conn *c, uv_buf_t *bufs, unsigned n)
{
	size_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += bufs[i].len;
	LB_COUNT(lslot(c), bytes_out, total);
	c->writing = true;
	c->wc.data = c;
	if (lb_write_now((uv_stream_t *)&c->tcp, bufs, &n)) {
		on_client_written(&c->wc, 0);
		return;
	}
	int rc = uv_write(&c->wc, (uv_stream_t *)&c->tcp, bufs, n, on_client_written);
	if (rc < 0) {
		c->writing = false;
		lb_conn_close(c);
	}
}

void lb_conn_respond_error(lb_conn *c, int status, const char *fmt, ...)
{
	char body[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(body, sizeof(body) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(body) - 2)
		n = sizeof(body) - 2;
	body[n++] = '\n';
	body[n] = '\0';
	if (c->up)
		lb_up_abort(c);
	if (c->writing) {
		/* Something (a 1xx) is on its way already; no room for more. */
		lb_conn_close(c);
		return;
	}
	uint64_t latency = c->t_head ? uv_hrtime() - c->t_head : 0;
	lb_count_response(lslot(c), status, latency);
	gf_buf_clear(&c->out);
	gf_buf_printf(&c->out,
	              "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	              "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
	              status, http_reason(status), n, body);
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->state = LB_C_CLOSING;
	c->close_after = true;
	/* A client that does not read its answer does not keep the socket. */
	lb_conn_arm(c, 5, 0);
	uv_buf_t b = uv_buf_init(c->out.ptr, (unsigned)c->out.len);
	lb_conn_write(c, &b, 1);
}

/* ---- reading ------------------------------------------------------------------- */

bool lb_buf_room(gf_buf *b, size_t chunk, bool pinned, uv_buf_t *out)
{
	size_t spare = b->cap ? b->cap - b->len - 1 : 0;
	size_t want = GF_MIN(chunk, b->max - b->len);
	if (pinned || spare > chunk / 4)
		want = GF_MIN(want, spare);
	if (want == 0 || gf_buf_grow(b, want) < 0)
		return false;
	*out = uv_buf_init(b->ptr + b->len, (unsigned)(b->cap - b->len - 1));
	return true;
}

void lb_buf_idle(gf_buf *b)
{
	if (b->len == 0 && b->cap > LB_HEAD_CHUNK + 1)
		gf_buf_dispose(b);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	lb_conn *c = h->data;
	/* While a write to the target points into `in`, it must not move. */
	bool pinned = c->up && c->up->writing;
	size_t chunk = c->state == LB_C_HEAD ? LB_HEAD_CHUNK : LB_BODY_CHUNK;
	if (!lb_buf_room(&c->in, chunk, pinned, buf))
		*buf = uv_buf_init(NULL, 0);
}

void lb_conn_read(lb_conn *c)
{
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_client_read);
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	lb_conn *c = s->data;
	if (n == 0)
		return;
	if (n == UV_ENOBUFS) {
		uv_read_stop(s);
		return;
	}
	if (n < 0) {
		uv_read_stop(s);
		c->client_eof = true;
		/* Half-closed after a whole request: the answer can still go. */
		if (c->req_end && (c->state == LB_C_PICK || c->state == LB_C_UPSTREAM ||
		                   c->state == LB_C_RESPONSE)) {
			c->keep_alive = false;
			return;
		}
		lb_conn_close(c);
		return;
	}
	bool first = c->in.len == 0;
	c->in.len += (size_t)n;
	c->in.ptr[c->in.len] = '\0';
	LB_COUNT(lslot(c), bytes_in, n);
	switch (c->state) {
	case LB_C_HEAD:
		if (first && c->timeout_status == 0)
			lb_conn_arm(c, c->w->lb->o.request_head_timeout, 408);
		parse_head(c);
		break;
	case LB_C_PICK:
	case LB_C_UPSTREAM:
	case LB_C_RESPONSE:
		c->progress = uv_now(&c->w->loop);
		if (c->req_end) {
			/* A pipelined request: kept for later, within the cap of a
			 * head. Reading on spares a stop and a start per request. */
			if (c->in.len >= c->w->lb->o.max_header_bytes)
				uv_read_stop(s);
			break;
		}
		uv_read_stop(s);
		lb_up_forward_body(c);
		break;
	case LB_C_TUNNEL:
		c->progress = uv_now(&c->w->loop);
		uv_read_stop(s);
		lb_up_tunnel_up(c);
		break;
	default:
		uv_read_stop(s);
		break;
	}
}

/* ---- request heads --------------------------------------------------------------- */

static void parse_head(lb_conn *c)
{
	lb_worker *w = c->w;
	lb_balancer *lb = w->lb;
	http_msg *m = &w->msg;
	int r = http_parse_request(&c->p, m, c->in.ptr, c->in.len, &lb->limits);
	if (r == GF_EAGAIN) {
		if (c->in.len == c->in.max)
			lb_conn_respond_error(c, 431, "request head larger than %zu bytes",
			                      lb->o.max_header_bytes);
		return;
	}
	LB_COUNT(lslot(c), requests, 1);
	c->t_head = uv_hrtime();
	if (r < 0) {
		lb_conn_respond_error(c, m->err_status ? m->err_status : 400, "%s",
		                      m->err_msg ? m->err_msg : gf_err_msg());
		return;
	}
	if (m->method == HTTP_CONNECT) {
		lb_conn_respond_error(c, 405, "CONNECT is not supported by this load balancer");
		return;
	}
	if (m->expect_other) {
		lb_conn_respond_error(c, 417, "only the expectation 100-continue is supported");
		return;
	}
	if (m->path.len > lb->o.max_uri) {
		lb_conn_respond_error(c, 414, "request target longer than %zu bytes",
		                      lb->o.max_uri);
		return;
	}
	http_framing fr = http_request_framing(m);
	if (fr.kind == HTTP_BODY_LENGTH && lb->o.max_body && fr.length > lb->o.max_body) {
		lb_conn_respond_error(c, 413, "request body larger than %llu bytes",
		                      (unsigned long long)lb->o.max_body);
		return;
	}
	c->method = m->method;
	c->idempotent = lb_method_idempotent(m->method_name.ptr, m->method_name.len);
	c->keep_alive = m->keep_alive && !w->shutting_down;
	c->http10 = m->version == 10;
	c->upgrade = m->upgrade;
	gf_buf_clear(&c->head);
	lb_fwd f = {.client_ip = c->client_ip, .proto = "http", .target_host = c->l->address};
	if (lb_rewrite_request(&c->head, m, &f) < 0) {
		lb_conn_respond_error(c, 431, "request head too large once forwarded");
		return;
	}
	gf_buf_consume(&c->in, (size_t)r);
	c->req_framing = fr;
	c->req_left = fr.kind == HTTP_BODY_LENGTH ? fr.length : 0;
	c->req_ready = 0;
	c->req_end = fr.kind == HTTP_BODY_NONE;
	c->req_done = false;
	c->body_streamed = false;
	if (fr.kind == HTTP_BODY_CHUNKED)
		http_chunked_init(&c->req_chunked, &lb->limits);
	c->req_body = 0;
	c->attempts = 0;
	c->last_status = 0;
	c->resp_head_sent = false;
	c->tunnel_started = false;
	/* A body is read as it can be forwarded; without one the client stays
	 * readable (its close is noticed, pipelined requests wait in `in`). */
	if (!c->req_end)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->state = LB_C_PICK;
	lb_up_dispatch(c);
}

/* The response went out whole: next request, or close. */
void lb_conn_request_done(lb_conn *c)
{
	c->t_head = 0;
	if (!c->keep_alive || c->client_eof || c->w->shutting_down) {
		lb_conn_close(c);
		return;
	}
	c->state = LB_C_HEAD;
	http_parser_init(&c->p);
	if (c->in.len > 0) {
		/* A pipelined request: it is answered after this one, in order. */
		lb_conn_arm(c, c->w->lb->o.request_head_timeout, 408);
		parse_head(c);
		if (c->state == LB_C_HEAD)
			lb_conn_read(c);
		return;
	}
	lb_buf_idle(&c->in);
	lb_conn_arm(c, c->w->lb->o.client_idle_timeout, 0);
	lb_conn_read(c);
}

/* ---- accept ----------------------------------------------------------------------- */

static void format_ip(char *out, size_t size, const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], out, (socklen_t)size);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)size);
	} else if (sa->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		          (socklen_t)size);
	} else {
		snprintf(out, size, "unknown");
	}
}

void lb_conn_accept(lb_worker *w, lb_listener *l, lb_acl *acl, uv_stream_t *server)
{
	lb_conn *c = gf_xcalloc(1, sizeof(*c));
	c->w = w;
	uv_tcp_init(&w->loop, &c->tcp);
	uv_timer_init(&w->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->handles = 2;
	atomic_fetch_add(&l->refs, 1);
	c->l = l;
	LB_COUNT(lslot(c), active, 1);
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	gf_buf_init(&c->in, w->lb->o.max_header_bytes + LB_BODY_CHUNK + 1);
	http_parser_init(&c->p);
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
		lb_conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	struct sockaddr_storage sa;
	int len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &len);
	format_ip(c->client_ip, sizeof(c->client_ip), &sa);
	c->state = LB_C_HEAD;
	if (!lb_acl_allows(acl, (struct sockaddr *)&sa)) {
		/* Counted as a request, so that requests = sum of responses. */
		LB_COUNT(lslot(c), requests, 1);
		lb_conn_respond_error(c, 403, "client address %s is not allowed by listener \"%s\"",
		                      c->client_ip, l->name);
		return;
	}
	lb_conn_arm(c, w->lb->o.client_idle_timeout, 0);
	lb_conn_read(c);
}
