/* The control thread: active health checks (one timer per checked target,
 * one short-lived connection per check) and the deregistration of draining
 * targets. Results go to the model under lb->mu and to the target's atomic
 * state, which the workers read. */
#include "lb/lb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hc hc;

typedef struct {
	uv_tcp_t tcp;
	uv_connect_t creq;
	uv_write_t wreq;
	hc *h; /* NULL once the check has a result */
	gf_buf req;
	gf_buf in;
	http_parser p;
} hc_probe;

struct hc {
	struct lb_ctl *ctl;
	lb_target *t; /* a reference */
	uv_timer_t timer;
	hc_probe *probe;
	double started; /* gf_now() of the current check */
	double interval;
	bool accepted;      /* the target's port accepted a connection once */
	double count_after; /* a refused connection before that is retried, not counted */
	bool retry_soon;    /* a counted refusal: the next attempt follows quickly too */
	lb_matcher m;
	char matcher[64];
	hc *prev, *next;
};

struct lb_ctl {
	lb_balancer *lb;
	hc *checks;
	GF_VEC(lb_target *) draining;
	uv_timer_t drain_timer;
	http_msg msg;
};

/* ---- one check ---------------------------------------------------------------- */

static void on_probe_closed(uv_handle_t *h)
{
	hc_probe *p = h->data;
	gf_buf_dispose(&p->req);
	gf_buf_dispose(&p->in);
	free(p);
}

static void on_hc_timer(uv_timer_t *timer);

static void notify_change(lb_balancer *lb)
{
	if (lb->o.on_change)
		lb->o.on_change(lb->o.on_change_payload);
}

static void close_probe(hc *h)
{
	if (h->probe) {
		h->probe->h = NULL;
		uv_close((uv_handle_t *)&h->probe->tcp, on_probe_closed);
		h->probe = NULL;
	}
}

/* A target whose port never accepted is a process still starting: its
 * refused connections are retried quickly, and one counts as a failure
 * only when a whole interval passed since the last counted result. True
 * when the attempt was not counted and a retry is scheduled. */
static bool retry_refused(hc *h, int status)
{
	if (status != UV_ECONNREFUSED || h->accepted)
		return false;
	double now = gf_now();
	if (h->count_after == 0)
		h->count_after = h->started + h->interval;
	if (now >= h->count_after) {
		h->count_after = now + h->interval;
		h->retry_soon = true;
		return false;
	}
	close_probe(h);
	uv_timer_start(&h->timer, on_hc_timer, LB_HC_REFUSED_RETRY_MS, 0);
	return true;
}

static void finish(hc *h, bool ok, const char *fmt, ...) GF_PRINTF(3, 4);
static void finish(hc *h, bool ok, const char *fmt, ...)
{
	char why[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	close_probe(h);
	lb_target *t = h->t;
	lb_balancer *lb = h->ctl->lb;
	pthread_mutex_lock(&lb->mu);
	bool changed = false;
	if (!t->draining) {
		changed = lb_health_record(&t->health, &t->group->s.health, ok, why);
		atomic_store(&t->state, (int)t->health.state);
		if (ok)
			atomic_store(&t->suspect_until, 0);
	}
	lb_target_state state = t->health.state;
	pthread_mutex_unlock(&lb->mu);
	if (changed) {
		char q[128];
		gf_log(state == LB_TARGET_HEALTHY ? GF_LOG_INFO : GF_LOG_WARN,
		       "target health changed", "group=%s target=%s state=%s reason=%s",
		       t->group->name, t->address, lb_target_state_name(state),
		       gf_log_quote(q, sizeof(q), why));
		notify_change(lb);
	}
	double next = h->retry_soon ? LB_HC_REFUSED_RETRY_MS / 1000.0
	                            : h->started + h->interval - gf_now();
	h->retry_soon = false;
	uv_timer_start(&h->timer, on_hc_timer, next > 0 ? (uint64_t)(next * 1000) : 0, 0);
}

static void probe_alloc(uv_handle_t *handle, size_t hint, uv_buf_t *buf)
{
	hc_probe *p = handle->data;
	if (gf_buf_grow(&p->in, 4096) < 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init(p->in.ptr + p->in.len, (unsigned)(p->in.cap - p->in.len - 1));
}

static void on_probe_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	hc_probe *p = s->data;
	hc *h = p->h;
	if (!h || n == 0)
		return;
	if (n < 0) {
		finish(h, false, "%s before a response head",
		       n == UV_ENOBUFS ? "response head too large" : "connection closed");
		return;
	}
	p->in.len += (size_t)n;
	p->in.ptr[p->in.len] = '\0';
	http_msg *m = &h->ctl->msg;
	int r = http_parse_response(&p->p, m, p->in.ptr, p->in.len, &h->ctl->lb->resp_limits);
	if (r == GF_EAGAIN)
		return;
	if (r < 0) {
		finish(h, false, "invalid response: %s", m->err_msg ? m->err_msg : "malformed");
		return;
	}
	if (m->status < 200)
		finish(h, false, "interim response %d to a health check", m->status);
	else if (lb_matcher_match(&h->m, m->status))
		finish(h, true, "%s", "");
	else
		finish(h, false, "status %d does not match %s", m->status, h->matcher);
}

static void on_probe_written(uv_write_t *req, int status)
{
	hc_probe *p = req->data;
	if (p->h && status < 0)
		finish(p->h, false, "cannot send the check: %s", uv_strerror(status));
}

static void on_probe_connect(uv_connect_t *req, int status)
{
	hc_probe *p = req->data;
	if (!p->h)
		return;
	if (status < 0) {
		if (!retry_refused(p->h, status))
			finish(p->h, false, "connection failed: %s", uv_strerror(status));
		return;
	}
	p->h->accepted = true;
	uv_buf_t b = uv_buf_init(p->req.ptr, (unsigned)p->req.len);
	p->wreq.data = p;
	uv_write(&p->wreq, (uv_stream_t *)&p->tcp, &b, 1, on_probe_written);
	uv_read_start((uv_stream_t *)&p->tcp, probe_alloc, on_probe_read);
}

static void on_hc_closed(uv_handle_t *handle)
{
	hc *h = handle->data;
	lb_target_unref(h->t);
	free(h);
}

static void hc_stop(hc *h)
{
	close_probe(h);
	if (h->prev)
		h->prev->next = h->next;
	else
		h->ctl->checks = h->next;
	if (h->next)
		h->next->prev = h->prev;
	uv_close((uv_handle_t *)&h->timer, on_hc_closed);
}

static void format_matcher(char *out, size_t size, const lb_matcher *m)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < m->n && len < size; i++) {
		int w = m->lo[i] == m->hi[i]
		                ? snprintf(out + len, size - len, "%s%u", i ? "," : "", m->lo[i])
		                : snprintf(out + len, size - len, "%s%u-%u", i ? "," : "", m->lo[i],
		                           m->hi[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static void on_hc_timer(uv_timer_t *timer)
{
	hc *h = timer->data;
	if (h->probe) {
		finish(h, false, "no response within the %g s timeout", gf_now() - h->started);
		return;
	}
	lb_balancer *lb = h->ctl->lb;
	pthread_mutex_lock(&lb->mu);
	lb_health_settings s = h->t->group->s.health;
	bool stop = h->t->draining || s.path[0] == '\0';
	pthread_mutex_unlock(&lb->mu);
	if (stop) {
		hc_stop(h);
		return;
	}
	h->interval = s.interval;
	h->m = s.matcher;
	format_matcher(h->matcher, sizeof(h->matcher), &s.matcher);
	h->started = gf_now();
	hc_probe *p = gf_xcalloc(1, sizeof(*p));
	p->h = h;
	gf_buf_init(&p->req, 0);
	gf_buf_init(&p->in, 64 * 1024);
	http_parser_init(&p->p);
	gf_buf_printf(&p->req,
	              "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gitfleet-health-check\r\n"
	              "Accept: */*\r\nConnection: close\r\n\r\n",
	              s.path, h->t->address);
	uv_tcp_init(timer->loop, &p->tcp);
	p->tcp.data = p;
	p->creq.data = p;
	h->probe = p;
	int rc = uv_tcp_connect(&p->creq, &p->tcp, (const struct sockaddr *)&h->t->sa,
	                        on_probe_connect);
	if (rc < 0) {
		if (!retry_refused(h, rc))
			finish(h, false, "connection failed: %s", uv_strerror(rc));
		return;
	}
	uv_timer_start(&h->timer, on_hc_timer, (uint64_t)(s.timeout * 1000), 0);
}

static void hc_add(struct lb_ctl *ctl, uv_loop_t *loop, lb_target *t)
{
	for (hc *h = ctl->checks; h; h = h->next)
		if (h->t == t) {
			lb_target_unref(t);
			return;
		}
	hc *h = gf_xcalloc(1, sizeof(*h));
	h->ctl = ctl;
	h->t = t;
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	h->next = ctl->checks;
	if (ctl->checks)
		ctl->checks->prev = h;
	ctl->checks = h;
	/* A new target is checked at once, not after a whole interval. */
	uv_timer_start(&h->timer, on_hc_timer, 0, 0);
}

/* ---- draining -------------------------------------------------------------------- */

static void on_drain_timer(uv_timer_t *timer)
{
	struct lb_ctl *ctl = timer->data;
	lb_balancer *lb = ctl->lb;
	double now = gf_now();
	for (size_t i = 0; i < ctl->draining.len;) {
		lb_target *t = ctl->draining.items[i];
		pthread_mutex_lock(&lb->mu);
		double deadline = t->drain_deadline;
		pthread_mutex_unlock(&lb->mu);
		unsigned busy = atomic_load(&t->outstanding);
		if (busy > 0 && now < deadline) {
			i++;
			continue;
		}
		gf_log(GF_LOG_INFO, "target deregistered", "group=%s target=%s in_flight=%u",
		       t->group->name, t->address, busy);
		lb_target_finish_drain(lb, t);
		lb_target_unref(t);
		ctl->draining.items[i] = ctl->draining.items[--ctl->draining.len];
		notify_change(lb);
	}
	if (ctl->draining.len == 0)
		uv_timer_stop(timer);
}

/* ---- the thread -------------------------------------------------------------------- */

static void on_ctl_message(uv_async_t *a)
{
	lb_balancer *lb = a->loop->data;
	struct lb_ctl *ctl = lb->ctl;
	lb_msg *m = lb_queue_take(&lb->ctl_q);
	while (m) {
		lb_msg *next = m->next;
		switch (m->kind) {
		case LB_MSG_HC_ADD:
			hc_add(ctl, a->loop, m->target);
			m->target = NULL;
			break;
		case LB_MSG_DRAIN:
			gf_vec_push(&ctl->draining, m->target);
			m->target = NULL;
			if (!uv_is_active((uv_handle_t *)&ctl->drain_timer))
				uv_timer_start(&ctl->drain_timer, on_drain_timer, 50, 50);
			break;
		case LB_MSG_STOP:
			while (ctl->checks)
				hc_stop(ctl->checks);
			for (size_t i = 0; i < ctl->draining.len; i++)
				lb_target_unref(ctl->draining.items[i]);
			ctl->draining.len = 0;
			uv_close((uv_handle_t *)&ctl->drain_timer, NULL);
			uv_close((uv_handle_t *)a, NULL);
			break;
		default:
			break;
		}
		lb_msg_free(m);
		m = next;
	}
}

static void *ctl_main(void *arg)
{
	lb_balancer *lb = arg;
	uv_run(&lb->ctl_loop, UV_RUN_DEFAULT);
	return NULL;
}

int lb_ctl_start(lb_balancer *lb)
{
	int rc = uv_loop_init(&lb->ctl_loop);
	if (rc < 0)
		return gf_err_set(GF_EIO, "cannot create an event loop: %s", uv_strerror(rc));
	lb->ctl_loop.data = lb;
	struct lb_ctl *ctl = gf_xcalloc(1, sizeof(*ctl));
	ctl->lb = lb;
	lb->ctl = ctl;
	lb_queue_init(&lb->ctl_q, &lb->ctl_loop, on_ctl_message);
	uv_timer_init(&lb->ctl_loop, &ctl->drain_timer);
	ctl->drain_timer.data = ctl;
	if (pthread_create(&lb->ctl_thread, NULL, ctl_main, lb) != 0)
		return gf_err_set(GF_EIO, "cannot start the control thread");
	return 0;
}

void lb_ctl_stop(lb_balancer *lb)
{
	lb_msg *m = gf_xcalloc(1, sizeof(*m));
	m->kind = LB_MSG_STOP;
	lb_queue_post(&lb->ctl_q, m);
	pthread_join(lb->ctl_thread, NULL);
	lb_queue_dispose(&lb->ctl_q);
	uv_loop_close(&lb->ctl_loop);
	gf_vec_dispose(&lb->ctl->draining);
	free(lb->ctl);
	lb->ctl = NULL;
}
