/* Threads: lb_new/lb_free, the message queues, and the worker loop with its
 * listening sockets. */
#include "lb/lb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- queues ------------------------------------------------------------------ */

void lb_queue_init(lb_queue *q, uv_loop_t *loop, uv_async_cb cb)
{
	pthread_mutex_init(&q->mu, NULL);
	q->head = q->tail = NULL;
	uv_async_init(loop, &q->async, cb);
}

void lb_queue_dispose(lb_queue *q)
{
	lb_msg *m = lb_queue_take(q);
	while (m) {
		lb_msg *next = m->next;
		lb_msg_free(m);
		m = next;
	}
	pthread_mutex_destroy(&q->mu);
}

void lb_queue_post(lb_queue *q, lb_msg *m)
{
	m->next = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	pthread_mutex_unlock(&q->mu);
	uv_async_send(&q->async);
}

lb_msg *lb_queue_take(lb_queue *q)
{
	pthread_mutex_lock(&q->mu);
	lb_msg *m = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return m;
}

void lb_msg_free(lb_msg *m)
{
	lb_conf_unref(m->conf);
	lb_target_unref(m->target);
	free(m);
}

/* ---- listening sockets ---------------------------------------------------------- */

static void on_listener_closed(uv_handle_t *h)
{
	free(h);
}

static lb_acl *conf_acl(lb_conf *c, lb_listener *l)
{
	for (size_t i = 0; i < c->nlisteners; i++)
		if (c->listeners[i].l == l)
			return c->listeners[i].acl;
	return NULL;
}

static void on_accept(uv_stream_t *server, int status)
{
	lb_worker *w = server->loop->data;
	lb_listener *l = server->data;
	if (status < 0) {
		gf_log(GF_LOG_WARN, "accept failed", "listener=%s error=%s", l->name,
		       uv_err_name(status));
		return;
	}
	lb_conn_accept(w, l, conf_acl(w->conf, l), server);
}

static void open_listener(lb_worker *w, lb_listener *l)
{
	int fd = w->id == 0 ? atomic_exchange(&l->fd0, -1) : -1;
	if (fd < 0 && lb_listen_fd(&fd, l) < 0) {
		gf_log(GF_LOG_ERROR, "worker cannot listen", "worker=%u listener=%s error=%s",
		       w->id, l->name, gf_err_msg());
		return;
	}
	uv_tcp_t *tcp = gf_xcalloc(1, sizeof(*tcp));
	uv_tcp_init(&w->loop, tcp);
	tcp->data = l;
	int rc = uv_tcp_open(tcp, fd);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)tcp, 1024, on_accept);
	if (rc < 0) {
		gf_log(GF_LOG_ERROR, "worker cannot listen", "worker=%u listener=%s error=%s",
		       w->id, l->name, uv_strerror(rc));
		uv_close((uv_handle_t *)tcp, on_listener_closed);
		return;
	}
	atomic_fetch_add(&l->refs, 1);
	struct lb_wlistener wl = {.l = l, .tcp = tcp};
	gf_vec_push(&w->listeners, wl);
}

static void close_listener(lb_worker *w, size_t i)
{
	struct lb_wlistener wl = w->listeners.items[i];
	w->listeners.items[i] = w->listeners.items[--w->listeners.len];
	uv_close((uv_handle_t *)wl.tcp, on_listener_closed);
	lb_listener_unref(wl.l);
}

static bool conf_has(const lb_conf *c, const lb_listener *l)
{
	for (size_t i = 0; i < c->nlisteners; i++)
		if (c->listeners[i].l == l)
			return true;
	return false;
}

/* Opens what the new snapshot adds, closes what it removes (everything
 * when shutting down). */
static void sync_listeners(lb_worker *w)
{
	lb_conf *c = w->conf;
	for (size_t i = 0; i < w->listeners.len;) {
		if (w->shutting_down || !conf_has(c, w->listeners.items[i].l))
			close_listener(w, i);
		else
			i++;
	}
	if (w->shutting_down)
		return;
	for (size_t j = 0; j < c->nlisteners; j++) {
		bool open = false;
		for (size_t i = 0; i < w->listeners.len; i++)
			open |= w->listeners.items[i].l == c->listeners[j].l;
		if (!open)
			open_listener(w, c->listeners[j].l);
	}
}

/* ---- the worker loop ------------------------------------------------------------ */

static void report_idle(lb_worker *w)
{
	if (!w->shutting_down || w->nconns > 0 || w->reported_idle)
		return;
	w->reported_idle = true;
	pthread_mutex_lock(&w->lb->done_mu);
	w->lb->workers_idle++;
	pthread_cond_broadcast(&w->lb->done_cv);
	pthread_mutex_unlock(&w->lb->done_mu);
}

void lb_worker_conn_gone(lb_worker *w)
{
	report_idle(w);
}

static void close_target_conns(lb_worker *w, lb_target *t)
{
	lb_conn *c = w->conns;
	while (c) {
		lb_conn *next = c->next;
		if (c->up && c->up->t == t)
			lb_conn_close(c);
		c = next;
	}
	lb_pool_close_target(w, t);
}

static void close_all(lb_worker *w)
{
	while (w->listeners.len)
		close_listener(w, w->listeners.len - 1);
	while (w->conns)
		lb_conn_close(w->conns);
	lb_conf *c = w->conf;
	for (size_t g = 0; c && g < c->ngroups; g++)
		for (size_t i = 0; i < c->groups[g].ntargets; i++)
			lb_pool_close_target(w, c->groups[g].targets[i]);
	uv_close((uv_handle_t *)&w->q.async, NULL);
}

static void on_message(uv_async_t *a)
{
	lb_worker *w = a->loop->data;
	lb_msg *m = lb_queue_take(&w->q);
	while (m) {
		lb_msg *next = m->next;
		switch (m->kind) {
		case LB_MSG_CONF:
			lb_conf_unref(w->conf);
			w->conf = m->conf;
			m->conf = NULL;
			sync_listeners(w);
			pthread_mutex_lock(&w->lb->done_mu);
			w->applied = w->conf->gen;
			pthread_cond_broadcast(&w->lb->applied_cv);
			pthread_mutex_unlock(&w->lb->done_mu);
			break;
		case LB_MSG_CLOSE_IDLE:
			lb_pool_close_target(w, m->target);
			break;
		case LB_MSG_CLOSE_TARGET:
			close_target_conns(w, m->target);
			break;
		case LB_MSG_SHUTDOWN:
			w->shutting_down = true;
			sync_listeners(w);
			for (lb_conn *c = w->conns, *cn; c; c = cn) {
				cn = c->next;
				lb_conn_shutdown(c);
			}
			report_idle(w);
			break;
		case LB_MSG_STOP:
			close_all(w);
			break;
		default:
			break;
		}
		lb_msg_free(m);
		m = next;
	}
}

static void *worker_main(void *arg)
{
	lb_worker *w = arg;
	uv_run(&w->loop, UV_RUN_DEFAULT);
	lb_conf_unref(w->conf);
	w->conf = NULL;
	return NULL;
}

int lb_worker_start(lb_worker **out, lb_balancer *lb, unsigned id)
{
	lb_worker *w = gf_xcalloc(1, sizeof(*w));
	w->lb = lb;
	w->id = id;
	int rc = uv_loop_init(&w->loop);
	if (rc < 0) {
		free(w);
		return gf_err_set(GF_EIO, "cannot create an event loop: %s", uv_strerror(rc));
	}
	w->loop.data = w;
	lb_queue_init(&w->q, &w->loop, on_message);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		uv_close((uv_handle_t *)&w->q.async, NULL);
		uv_run(&w->loop, UV_RUN_DEFAULT);
		uv_loop_close(&w->loop);
		free(w);
		return gf_err_set(GF_EIO, "cannot start a worker thread");
	}
	*out = w;
	return 0;
}

void lb_worker_join(lb_worker *w)
{
	lb_msg *m = gf_xcalloc(1, sizeof(*m));
	m->kind = LB_MSG_STOP;
	lb_queue_post(&w->q, m);
	pthread_join(w->thread, NULL);
	lb_queue_dispose(&w->q);
	uv_loop_close(&w->loop);
	gf_vec_dispose(&w->listeners);
	free(w);
}

/* ---- lb_new / lb_free ------------------------------------------------------------- */

int lb_new(lb_balancer **out, const lb_options *opts)
{
	lb_balancer *lb = gf_xcalloc(1, sizeof(*lb));
	lb->o = *opts;
	lb->limits = http_limits_default;
	lb->limits.max_head = opts->max_header_bytes;
	lb->limits.max_headers = GF_MIN(opts->max_headers, (size_t)HTTP_MAX_HEADERS);
	lb->limits.max_line = opts->max_uri + 32;
	/* Targets are trusted more than clients, not blindly: cookies make
	 * response heads larger than request heads. */
	lb->resp_limits = http_limits_default;
	lb->resp_limits.max_head = 64 * 1024;
	lb->resp_limits.max_headers = HTTP_MAX_HEADERS;
	lb->nworkers = opts->workers ? opts->workers : uv_available_parallelism();
	if (lb->nworkers > 256)
		lb->nworkers = 256;
	pthread_mutex_init(&lb->mu, NULL);
	pthread_mutex_init(&lb->done_mu, NULL);
	pthread_cond_init(&lb->done_cv, NULL);
	pthread_cond_init(&lb->applied_cv, NULL);
	lb->workers = gf_xcalloc(lb->nworkers, sizeof(*lb->workers));
	int rc = 0;
	for (unsigned i = 0; i < lb->nworkers; i++) {
		if ((rc = lb_worker_start(&lb->workers[i], lb, i)) < 0) {
			lb->nworkers = i;
			goto fail;
		}
	}
	if ((rc = lb_ctl_start(lb)) < 0)
		goto fail;
	pthread_mutex_lock(&lb->mu);
	lb_publish(lb);
	pthread_mutex_unlock(&lb->mu);
	*out = lb;
	return 0;
fail:
	for (unsigned i = 0; i < lb->nworkers; i++)
		lb_worker_join(lb->workers[i]);
	free(lb->workers);
	free(lb);
	return rc;
}

/* The absolute CLOCK_REALTIME time `seconds` from now, for timed waits. */
static struct timespec deadline_in(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	double end = (double)until.tv_sec + until.tv_nsec / 1e9 + seconds;
	until.tv_sec = (time_t)end;
	until.tv_nsec = (long)((end - (double)until.tv_sec) * 1e9);
	return until;
}

static bool all_applied(const lb_balancer *lb, uint64_t gen)
{
	for (unsigned i = 0; i < lb->nworkers; i++)
		if (lb->workers[i]->applied < gen)
			return false;
	return true;
}

void lb_wait_applied(lb_balancer *lb, uint64_t gen)
{
	/* A worker swaps snapshots between two callbacks, which take
	 * microseconds; the bound only keeps a wedged worker from hanging
	 * the caller (the daemon's loop) for good. */
	struct timespec until = deadline_in(10);
	pthread_mutex_lock(&lb->done_mu);
	bool done;
	while (!(done = all_applied(lb, gen)))
		if (pthread_cond_timedwait(&lb->applied_cv, &lb->done_mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&lb->done_mu);
	if (!done)
		gf_log(GF_LOG_ERROR, "a worker did not apply a configuration change in 10 s",
		       "generation=%llu", (unsigned long long)gen);
}

void lb_free(lb_balancer *lb, double grace)
{
	if (!lb)
		return;
	for (unsigned i = 0; i < lb->nworkers; i++) {
		lb_msg *m = gf_xcalloc(1, sizeof(*m));
		m->kind = LB_MSG_SHUTDOWN;
		lb_queue_post(&lb->workers[i]->q, m);
	}
	struct timespec until = deadline_in(grace);
	pthread_mutex_lock(&lb->done_mu);
	while (lb->workers_idle < lb->nworkers)
		if (pthread_cond_timedwait(&lb->done_cv, &lb->done_mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&lb->done_mu);
	lb_ctl_stop(lb);
	for (unsigned i = 0; i < lb->nworkers; i++)
		lb_worker_join(lb->workers[i]);
	free(lb->workers);
	lb_conf_unref(lb->conf);
	for (size_t i = 0; i < lb->listeners.len; i++) {
		lb_acl_free(lb->listeners.items[i].acl);
		lb_listener_unref(lb->listeners.items[i].l);
	}
	for (size_t i = 0; i < lb->targets.len; i++)
		lb_target_unref(lb->targets.items[i]);
	for (size_t i = 0; i < lb->groups.len; i++)
		lb_group_unref(lb->groups.items[i]);
	gf_vec_dispose(&lb->listeners);
	gf_vec_dispose(&lb->targets);
	gf_vec_dispose(&lb->groups);
	pthread_mutex_destroy(&lb->mu);
	pthread_mutex_destroy(&lb->done_mu);
	pthread_cond_destroy(&lb->done_cv);
	pthread_cond_destroy(&lb->applied_cv);
	free(lb);
}
