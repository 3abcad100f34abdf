/* The upstream half of a request: choosing a target, the per-worker
 * connection pools, connecting, streaming the request body up and the
 * response down, retries, and WebSocket tunnels after 101. */
#include "lb/lb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The balancer looks at this many targets of a group at most. */
#define PICK_MAX 256

static lb_slot_counters *tslot(lb_upconn *u)
{
	return &u->t->slot[u->w->id].c;
}

static lb_slot_counters *lslot(lb_conn *c)
{
	return &c->l->slot[c->w->id];
}

static void on_up_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void forward_response(lb_conn *c);
static void response_complete(lb_conn *c);

/* ---- pool ---------------------------------------------------------------------- */

static void pool_remove(lb_upconn *u)
{
	struct lb_tslot *s = &u->t->slot[u->w->id];
	if (u->prev)
		u->prev->next = u->next;
	else
		s->idle = u->next;
	if (u->next)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
	u->pooled = false;
	s->nidle--;
}

static void pool_push(lb_upconn *u)
{
	struct lb_tslot *s = &u->t->slot[u->w->id];
	u->prev = NULL;
	u->next = s->idle;
	if (s->idle)
		s->idle->prev = u;
	s->idle = u;
	u->pooled = true;
	s->nidle++;
}

static void on_up_closed(uv_handle_t *h)
{
	lb_upconn *u = h->data;
	lb_uncount(tslot(u), LB_CIDX(active));
	gf_buf_dispose(&u->in);
	lb_target_unref(u->t);
	free(u);
}

void lb_up_close(lb_upconn *u)
{
	if (u->closing)
		return;
	u->closing = true;
	if (u->pooled)
		pool_remove(u);
	if (u->c) {
		u->c->up = NULL;
		u->c = NULL;
	}
	uv_close((uv_handle_t *)&u->tcp, on_up_closed);
}

void lb_pool_close_target(lb_worker *w, lb_target *t)
{
	while (t->slot[w->id].idle)
		lb_up_close(t->slot[w->id].idle);
}

static void up_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	lb_upconn *u = h->data;
	if (u->done || !u->c) {
		/* Nothing more is expected: whatever comes is refused unread
		 * (on_up_read), and `in` may be under a write to the client. */
		*buf = uv_buf_init(u->w->scratch, sizeof(u->w->scratch));
		return;
	}
	if (!lb_buf_room(&u->in, u->head_done ? LB_BODY_CHUNK : LB_HEAD_CHUNK, false, buf))
		*buf = uv_buf_init(NULL, 0);
}

static void up_read(lb_upconn *u)
{
	uv_read_start((uv_stream_t *)&u->tcp, up_alloc, on_up_read);
}

/* Ends the current attempt: the target's outstanding count goes down and
 * the connection returns to the pool when it is clean, else closes. */
static void end_attempt(lb_conn *c, bool reusable)
{
	lb_upconn *u = c->up;
	lb_worker *w = c->w;
	atomic_fetch_sub_explicit(&u->t->outstanding, 1, memory_order_relaxed);
	c->up = NULL;
	u->c = NULL;
	if (reusable && !u->writing && u->in.len == 0 && !w->shutting_down &&
	    atomic_load_explicit(&u->t->state, memory_order_relaxed) != LB_TARGET_DRAINING &&
	    u->t->slot[w->id].nidle < w->lb->o.pool_max_idle) {
		u->reused = true;
		lb_buf_idle(&u->in);
		pool_push(u);
		up_read(u);
		return;
	}
	lb_up_close(u);
}

void lb_up_abort(lb_conn *c)
{
	end_attempt(c, false);
}

/* ---- writes to the target ------------------------------------------------------ */

static void on_up_written(uv_write_t *req, int status);

static void up_write(lb_upconn *u, uv_buf_t *bufs, unsigned n)
{
	size_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += bufs[i].len;
	LB_COUNT(tslot(u), bytes_out, total);
	u->writing = true;
	u->wreq.data = u;
	if (lb_write_now((uv_stream_t *)&u->tcp, bufs, &n)) {
		on_up_written(&u->wreq, 0);
		return;
	}
	int rc = uv_write(&u->wreq, (uv_stream_t *)&u->tcp, bufs, n, on_up_written);
	if (rc < 0) {
		/* Report it like a failed asynchronous write. */
		u->writing = false;
		uv_read_stop((uv_stream_t *)&u->tcp);
		on_up_written(&u->wreq, rc);
	}
}

/* Finds how many bytes at the start of c->in belong to the request body
 * (c->req_ready) and whether its end is among them (c->req_end). */
static int scan_request_body(lb_conn *c)
{
	if (c->req_end)
		return 0;
	if (c->req_framing.kind == HTTP_BODY_LENGTH) {
		uint64_t n = GF_MIN((uint64_t)(c->in.len - c->req_ready), c->req_left);
		c->req_ready += (size_t)n;
		c->req_left -= n;
		c->req_end = c->req_left == 0;
		return 0;
	}
	uint64_t max_body = c->w->lb->o.max_body;
	while (c->req_ready < c->in.len) {
		size_t used = 0;
		http_str data = {NULL, 0};
		int r = http_chunked_decode(&c->req_chunked, c->in.ptr + c->req_ready,
		                            c->in.len - c->req_ready, &used, &data);
		if (r < 0 && r != GF_EAGAIN)
			return gf_err_set(GF_EINVALID, "malformed chunked request body: %s",
			                  gf_err_msg());
		c->req_ready += used;
		c->req_body += data.len;
		if (max_body && c->req_body > max_body)
			return GF_ETOOBIG;
		if (r == HTTP_CHUNK_DONE) {
			c->req_end = true;
			break;
		}
		if (r == GF_EAGAIN)
			break;
	}
	return 0;
}

void lb_up_forward_body(lb_conn *c)
{
	lb_upconn *u = c->up;
	if (!u || u->writing || !u->connected)
		return;
	int rc = scan_request_body(c);
	if (rc < 0) {
		if (c->resp_head_sent)
			lb_conn_close(c);
		else if (rc == GF_ETOOBIG)
			lb_conn_respond_error(c, 413, "request body larger than %llu bytes",
			                      (unsigned long long)c->w->lb->o.max_body);
		else
			lb_conn_respond_error(c, 400, "%s", gf_err_msg());
		return;
	}
	if (c->req_ready > 0) {
		uv_buf_t b = uv_buf_init(c->in.ptr, (unsigned)c->req_ready);
		up_write(u, &b, 1);
		return;
	}
	if (!c->req_end && !c->client_eof)
		lb_conn_read(c);
}

static void attempt_failed(lb_conn *c, int err);

static void on_up_written(uv_write_t *req, int status)
{
	lb_upconn *u = req->data;
	u->writing = false;
	lb_conn *c = u->c;
	if (!c)
		return;
	if (status < 0) {
		attempt_failed(c, status);
		return;
	}
	u->request_written = true;
	c->progress = uv_now(&c->w->loop);
	if (c->state == LB_C_TUNNEL) {
		gf_buf_consume(&c->in, c->tun_sent);
		c->tun_sent = 0;
		lb_conn_read(c);
		return;
	}
	if (c->req_ready) {
		gf_buf_consume(&c->in, c->req_ready);
		c->req_ready = 0;
		c->body_streamed = true;
	}
	if (c->req_end) {
		c->req_done = true;
		/* With the end of the response still being written to the
		 * client, lb_up_client_wrote completes it. */
		if (u->done && !c->writing)
			response_complete(c);
		return;
	}
	lb_up_forward_body(c);
}

/* ---- choosing a target and connecting ----------------------------------------- */

static struct lb_conf_group *conf_group(lb_conn *c)
{
	lb_conf *conf = c->w->conf;
	lb_group *g = c->l->group;
	if (conf && g->slot < conf->ngroups && conf->groups[g->slot].g == g)
		return &conf->groups[g->slot];
	return NULL;
}

static void send_request(lb_conn *c)
{
	lb_upconn *u = c->up;
	c->state = LB_C_UPSTREAM;
	u->response_begun = false;
	u->request_written = false;
	u->head_done = false;
	u->done = false;
	http_parser_init(&u->p);
	LB_COUNT(tslot(u), requests, 1);
	uv_buf_t b[2];
	unsigned n = 0;
	b[n++] = uv_buf_init(c->head.ptr, (unsigned)c->head.len);
	int rc = scan_request_body(c);
	if (rc < 0) {
		lb_conn_respond_error(c, rc == GF_ETOOBIG ? 413 : 400, "%s",
		                      rc == GF_ETOOBIG ? "request body too large" : gf_err_msg());
		return;
	}
	if (c->req_ready)
		b[n++] = uv_buf_init(c->in.ptr, (unsigned)c->req_ready);
	lb_conn_arm(c, c->w->lb->o.response_timeout, 504);
	up_read(u);
	up_write(u, b, n);
}

static void on_connect(uv_connect_t *req, int status)
{
	lb_upconn *u = req->data;
	lb_conn *c = u->c;
	if (!c)
		return;
	if (status < 0) {
		attempt_failed(c, status);
		return;
	}
	u->connected = true;
	uv_tcp_nodelay(&u->tcp, 1);
	send_request(c);
}

static void no_target(lb_conn *c)
{
	if (c->attempts > 0)
		lb_conn_respond_error(c, c->last_status, "%s", c->err);
	else
		lb_conn_respond_error(c, 503, "no healthy target in target group \"%s\"",
		                      c->l->group->name);
}

void lb_up_dispatch(lb_conn *c)
{
	lb_worker *w = c->w;
	struct lb_conf_group *cg = conf_group(c);
	size_t n = cg ? GF_MIN(cg->ntargets, (size_t)PICK_MAX) : 0;
	lb_candidate cand[PICK_MAX];
	int64_t now = (int64_t)uv_hrtime();
	for (size_t i = 0; i < n; i++) {
		lb_target *t = cg->targets[i];
		cand[i].state = atomic_load_explicit(&t->state, memory_order_relaxed);
		cand[i].suspect =
		        atomic_load_explicit(&t->suspect_until, memory_order_relaxed) > now;
		cand[i].outstanding = atomic_load_explicit(&t->outstanding, memory_order_relaxed);
		cand[i].tried = false;
		for (int k = 0; k < c->attempts; k++)
			cand[i].tried |= c->tried[k] == t;
	}
	int i = n ? lb_balance_pick(cand, n, cg->algorithm, &cg->cursor[w->id]) : -1;
	if (i < 0) {
		no_target(c);
		return;
	}
	lb_target *t = cg->targets[i];
	c->tried[c->attempts++] = t;
	atomic_fetch_add_explicit(&t->outstanding, 1, memory_order_relaxed);
	lb_upconn *u = t->slot[w->id].idle;
	if (u) {
		pool_remove(u);
		u->c = c;
		c->up = u;
		send_request(c);
		return;
	}
	u = gf_xcalloc(1, sizeof(*u));
	u->w = w;
	atomic_fetch_add(&t->refs, 1);
	u->t = t;
	uv_tcp_init(&w->loop, &u->tcp);
	u->tcp.data = u;
	u->creq.data = u;
	gf_buf_init(&u->in, w->lb->resp_limits.max_head + LB_BODY_CHUNK + 1);
	LB_COUNT(tslot(u), active, 1);
	u->c = c;
	c->up = u;
	c->state = LB_C_PICK;
	int rc = uv_tcp_connect(&u->creq, &u->tcp, (const struct sockaddr *)&t->sa, on_connect);
	if (rc < 0) {
		attempt_failed(c, rc);
		return;
	}
	lb_conn_arm(c, w->lb->o.connect_timeout, 504);
}

/* ---- failures and retries -------------------------------------------------------- */

static void attempt_failed(lb_conn *c, int err)
{
	lb_upconn *u = c->up;
	lb_target *t = u->t;
	lb_attempt a = {
	        .idempotent = c->idempotent,
	        .connect_failed = !u->connected,
	        .reused = u->reused,
	        .response_begun = u->response_begun,
	        .response_sent = c->resp_head_sent,
	        .request_written = u->request_written,
	        .body_streamed = c->body_streamed,
	        .attempts = c->attempts,
	};
	LB_COUNT(tslot(u), conn_errors, 1);
	/* Passive health: a fresh connection that fails says something about
	 * the target; a pooled one that the target closed while idle does not. */
	if (!u->connected || !u->reused) {
		struct lb_conf_group *cg = conf_group(c);
		int64_t hold = cg ? cg->suspect_hold_ns : 2000000000;
		atomic_store(&t->suspect_until, (int64_t)uv_hrtime() + hold);
	}
	const char *what = !u->connected         ? "connection failed"
	                   : err == UV_ETIMEDOUT ? "timed out"
	                   : u->response_begun   ? "closed the connection during its response"
	                                         : "closed the connection before answering";
	snprintf(c->err, sizeof(c->err), "target %s: %s (%s)", t->address, what, uv_strerror(err));
	c->last_status = err == UV_ETIMEDOUT ? 504 : 502;
	bool retry = lb_retry_allowed(&a);
	gf_log(GF_LOG_WARN, "upstream attempt failed", "target=%s error=%s retry=%s", t->address,
	       uv_err_name(err), retry ? "yes" : "no");
	if (retry)
		LB_COUNT(tslot(u), retries, 1);
	end_attempt(c, false);
	if (retry) {
		lb_up_dispatch(c);
		return;
	}
	if (c->resp_head_sent)
		lb_conn_close(c);
	else
		lb_conn_respond_error(c, c->last_status, "%s", c->err);
}

void lb_up_timeout(lb_conn *c)
{
	lb_upconn *u = c->up;
	if (!u) {
		lb_conn_close(c);
		return;
	}
	if (!u->connected) {
		attempt_failed(c, UV_ETIMEDOUT);
		return;
	}
	/* The target may still be working on it: never retried. */
	double s = c->timeout;
	const char *addr = u->t->address;
	snprintf(c->err, sizeof(c->err), "target %s did not answer within %g seconds", addr, s);
	end_attempt(c, false);
	if (c->resp_head_sent)
		lb_conn_close(c);
	else
		lb_conn_respond_error(c, 504, "%s", c->err);
}

/* ---- responses -------------------------------------------------------------------- */

static void write_client(lb_conn *c, uv_buf_t *extra, unsigned nextra)
{
	uv_buf_t b[LB_SLICES + 1];
	unsigned n = 0;
	if (c->out.len)
		b[n++] = uv_buf_init(c->out.ptr, (unsigned)c->out.len);
	for (unsigned i = 0; i < nextra; i++)
		b[n++] = extra[i];
	lb_conn_write(c, b, n);
}

static void start_tunnel(lb_conn *c)
{
	lb_upconn *u = c->up;
	c->state = LB_C_TUNNEL;
	lb_conn_arm(c, c->w->lb->o.client_idle_timeout, 0);
	u->consume = u->in.len;
	uv_read_stop((uv_stream_t *)&u->tcp);
	uv_buf_t b = uv_buf_init(u->in.ptr, (unsigned)u->in.len);
	write_client(c, &b, u->in.len ? 1 : 0);
}

/* A small response to a request that may be repeated is read whole before
 * any of it goes to the client: when its target dies in the middle of it
 * (a crash, kill -9), the attempt is retried on another target and the
 * client never sees a truncated page. Larger responses, and those framed
 * by chunks or by the close, stream as they come. */
static bool hold_whole(const lb_conn *c, const http_framing *fr, size_t head_len)
{
	const lb_upconn *u = c->up;
	return c->idempotent && !c->body_streamed && c->attempts < LB_MAX_ATTEMPTS &&
	       fr->kind == HTTP_BODY_LENGTH && fr->length <= LB_HOLD_MAX &&
	       head_len + fr->length <= u->in.max && u->in.len - head_len < fr->length;
}

static void parse_response(lb_conn *c)
{
	lb_upconn *u = c->up;
	lb_worker *w = c->w;
	http_msg *m = &w->msg;
	if (c->writing) {
		/* A 1xx is on its way to the client; resume after it. */
		uv_read_stop((uv_stream_t *)&u->tcp);
		return;
	}
	int r = http_parse_response(&u->p, m, u->in.ptr, u->in.len, &w->lb->resp_limits);
	if (r == GF_EAGAIN)
		return;
	if (r < 0) {
		LB_COUNT(tslot(u), conn_errors, 1);
		snprintf(c->err, sizeof(c->err), "target %s sent an invalid response: %s",
		         u->t->address, m->err_msg ? m->err_msg : gf_err_msg());
		end_attempt(c, false);
		lb_conn_respond_error(c, 502, "%s", c->err);
		return;
	}
	if (m->status < 200 && m->status != 101) {
		gf_buf_consume(&u->in, (size_t)r);
		http_parser_init(&u->p);
		if (c->http10) {
			/* HTTP/1.0 clients know no interim responses. */
			if (u->in.len)
				parse_response(c);
			return;
		}
		gf_buf_clear(&c->out);
		lb_rewrite_response(&c->out, m, false, false, false);
		u->consume = 0;
		uv_read_stop((uv_stream_t *)&u->tcp);
		write_client(c, NULL, 0);
		return;
	}
	http_framing fr = http_response_framing(m, c->method);
	if (hold_whole(c, &fr, (size_t)r))
		return; /* parsed again when more arrives */
	uint64_t latency = uv_hrtime() - c->t_head;
	lb_count_response(lslot(c), m->status, latency);
	lb_count_response(tslot(u), m->status, latency);
	if (m->status == 101 && !c->upgrade) {
		snprintf(c->err, sizeof(c->err), "target %s switched protocols unasked",
		         u->t->address);
		end_attempt(c, false);
		lb_conn_respond_error(c, 502, "%s", c->err);
		return;
	}
	bool dechunk = c->http10 && fr.kind == HTTP_BODY_CHUNKED;
	bool close = !c->keep_alive || !c->req_end || fr.kind == HTTP_BODY_UNTIL_CLOSE || dechunk ||
	             w->shutting_down || c->client_eof;
	if (close)
		c->keep_alive = false;
	u->keep_alive = m->keep_alive;
	u->framing = fr;
	u->left = fr.kind == HTTP_BODY_LENGTH ? fr.length : 0;
	u->dechunk = dechunk;
	if (fr.kind == HTTP_BODY_CHUNKED)
		http_chunked_init(&u->chunked, &w->lb->resp_limits);
	u->head_done = true;
	gf_buf_clear(&c->out);
	if (lb_rewrite_response(&c->out, m, close, c->http10 && !close,
	                        fr.kind == HTTP_BODY_CHUNKED && !dechunk) < 0) {
		end_attempt(c, false);
		lb_conn_respond_error(c, 502, "target %s sent a response head too large",
		                      c->tried[c->attempts - 1]->address);
		return;
	}
	gf_buf_consume(&u->in, (size_t)r);
	c->resp_head_sent = true;
	if (m->status == 101) {
		start_tunnel(c);
		return;
	}
	c->state = LB_C_RESPONSE;
	forward_response(c);
}

/* Finds the response body bytes at the start of u->in: u->consume bytes
 * to drop once written, sent as `slices` (one slice, or the decoded data
 * of each chunk for an HTTP/1.0 client). */
static int scan_response_body(lb_upconn *u, uv_buf_t *slices, unsigned *nslices)
{
	*nslices = 0;
	u->consume = 0;
	switch (u->framing.kind) {
	case HTTP_BODY_NONE:
		u->done = true;
		return 0;
	case HTTP_BODY_UNTIL_CLOSE:
		u->consume = u->in.len;
		break;
	case HTTP_BODY_LENGTH: {
		uint64_t n = GF_MIN((uint64_t)u->in.len, u->left);
		u->consume = (size_t)n;
		u->left -= n;
		u->done = u->left == 0;
		break;
	}
	case HTTP_BODY_CHUNKED:
		while (u->consume < u->in.len && *nslices < LB_SLICES) {
			size_t used = 0;
			http_str data = {NULL, 0};
			int r = http_chunked_decode(&u->chunked, u->in.ptr + u->consume,
			                            u->in.len - u->consume, &used, &data);
			if (r < 0 && r != GF_EAGAIN)
				return GF_EINVALID;
			if (u->dechunk && data.len)
				slices[(*nslices)++] =
				        uv_buf_init((char *)data.ptr, (unsigned)data.len);
			u->consume += used;
			if (r == HTTP_CHUNK_DONE) {
				u->done = true;
				break;
			}
			if (r == GF_EAGAIN)
				break;
		}
		if (u->dechunk)
			return 0;
		break;
	}
	if (u->consume)
		slices[(*nslices)++] = uv_buf_init(u->in.ptr, (unsigned)u->consume);
	return 0;
}

static void forward_response(lb_conn *c)
{
	lb_upconn *u = c->up;
	uv_buf_t slices[LB_SLICES];
	unsigned n = 0;
	if (scan_response_body(u, slices, &n) < 0) {
		gf_log(GF_LOG_WARN, "malformed chunked response", "target=%s", u->t->address);
		lb_conn_close(c);
		return;
	}
	/* Backpressure: no more from the target until this reached the
	 * client, unless the response is complete (then reading goes on, to
	 * notice a close while the connection waits in the pool). */
	if (!u->done)
		uv_read_stop((uv_stream_t *)&u->tcp);
	if (n == 0 && c->out.len == 0) {
		/* Nothing to send: chunk framing only, or no bytes yet. */
		gf_buf_consume(&u->in, u->consume);
		u->consume = 0;
		if (u->done)
			response_complete(c);
		else
			up_read(u);
		return;
	}
	write_client(c, slices, n);
}

/* Everything the target sent for the last write reached the client. */
void lb_up_client_wrote(lb_conn *c)
{
	lb_upconn *u = c->up;
	gf_buf_clear(&c->out);
	if (!u) {
		lb_conn_close(c);
		return;
	}
	gf_buf_consume(&u->in, u->consume);
	u->consume = 0;
	switch (c->state) {
	case LB_C_UPSTREAM: /* a 1xx went out */
		if (u->in.len)
			parse_response(c);
		else
			up_read(u);
		break;
	case LB_C_RESPONSE:
		if (u->done)
			response_complete(c);
		else if (u->in.len)
			forward_response(c);
		else
			up_read(u);
		break;
	case LB_C_TUNNEL:
		if (u->in.len) {
			u->consume = u->in.len;
			write_client(c, &(uv_buf_t){.base = u->in.ptr, .len = u->in.len}, 1);
		} else {
			up_read(u);
		}
		if (!c->tunnel_started) {
			c->tunnel_started = true;
			lb_up_tunnel_up(c);
		}
		break;
	default:
		break;
	}
}

static void response_complete(lb_conn *c)
{
	lb_upconn *u = c->up;
	if (u->writing && c->req_end)
		return; /* the end of the request is being written: on_up_written */
	bool reusable = u->keep_alive && c->req_end && u->framing.kind != HTTP_BODY_UNTIL_CLOSE;
	end_attempt(c, reusable);
	if (!c->req_end) {
		lb_conn_linger(c);
		return;
	}
	lb_conn_request_done(c);
}

/* ---- reading from the target ----------------------------------------------------- */

static void up_eof(lb_conn *c, int err)
{
	lb_upconn *u = c->up;
	if (!u->head_done) {
		attempt_failed(c, err == UV_EOF ? UV_ECONNRESET : err);
		return;
	}
	if (c->state == LB_C_RESPONSE && u->framing.kind == HTTP_BODY_UNTIL_CLOSE) {
		u->done = true;
		u->keep_alive = false;
		response_complete(c);
		return;
	}
	if (c->state == LB_C_RESPONSE)
		gf_log(GF_LOG_WARN, "target closed the connection in the middle of a response",
		       "target=%s", u->t->address);
	lb_conn_close(c);
}

static void on_up_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	lb_upconn *u = s->data;
	lb_conn *c = u->c;
	if (n == 0)
		return;
	if (!c) {
		/* Pooled: the target closed it, or sent what nobody asked for. */
		lb_up_close(u);
		return;
	}
	if (n == UV_ENOBUFS) {
		uv_read_stop(s);
		return;
	}
	if (u->done) {
		/* After the end of its response the target closed, or sent more
		 * than it should have: the response stands, the connection is
		 * not reused. */
		u->keep_alive = false;
		uv_read_stop(s);
		return;
	}
	if (n < 0) {
		uv_read_stop(s);
		up_eof(c, (int)n);
		return;
	}
	u->in.len += (size_t)n;
	u->in.ptr[u->in.len] = '\0';
	LB_COUNT(tslot(u), bytes_in, n);
	u->response_begun = true;
	c->progress = uv_now(&c->w->loop);
	switch (c->state) {
	case LB_C_UPSTREAM:
		parse_response(c);
		break;
	case LB_C_RESPONSE:
		forward_response(c);
		break;
	case LB_C_TUNNEL:
		uv_read_stop(s);
		if (!c->writing) {
			u->consume = u->in.len;
			write_client(c, &(uv_buf_t){.base = u->in.ptr, .len = u->in.len}, 1);
		}
		break;
	default:
		uv_read_stop(s);
		break;
	}
}

/* Tunnel, client to target: send what the client sent, or read more. */
void lb_up_tunnel_up(lb_conn *c)
{
	lb_upconn *u = c->up;
	if (!u || u->writing)
		return;
	if (c->in.len == 0) {
		if (c->client_eof)
			lb_conn_close(c);
		else
			lb_conn_read(c);
		return;
	}
	c->tun_sent = c->in.len;
	uv_buf_t b = uv_buf_init(c->in.ptr, (unsigned)c->in.len);
	up_write(u, &b, 1);
}
