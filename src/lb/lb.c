/* The C API: the control model (groups, targets, listeners) under lb->mu,
 * and the snapshots published to the workers. */
#include "lb/lb_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const double lb_latency_bounds[LB_LATENCY_BUCKETS - 1] = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
};

void lb_count_response(lb_slot_counters *s, int status, uint64_t latency_ns)
{
	int cls = status / 100;
	if (cls >= 1 && cls <= 5)
		lb_count(s, LB_CIDX(responses) + (size_t)(cls - 1), 1);
	double sec = (double)latency_ns / 1e9;
	size_t b = 0;
	while (b < LB_LATENCY_BUCKETS - 1 && sec > lb_latency_bounds[b])
		b++;
	lb_count(s, LB_CIDX(latency) + b, 1);
	LB_COUNT(s, latency_sum_us, latency_ns / 1000);
}

void lb_options_default(lb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout = 5;
	o->client_idle_timeout = 60;
	o->request_head_timeout = 30;
	o->response_timeout = 60;
	o->max_header_bytes = 16 * 1024;
	o->max_headers = 100;
	o->max_uri = 8 * 1024;
	o->pool_max_idle = 128;
}

void lb_group_settings_default(lb_group_settings *s)
{
	s->algorithm = LB_ALG_ROUND_ROBIN;
	lb_health_settings_default(&s->health);
	s->deregistration_delay = 300;
}

/* ---- references ---------------------------------------------------------- */

void lb_group_unref(lb_group *g)
{
	if (!g || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	free(g->name);
	free(g);
}

void lb_target_unref(lb_target *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	lb_group_unref(t->group);
	free(t->address);
	free(t);
}

void lb_listener_unref(lb_listener *l)
{
	if (!l || atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	int fd = atomic_exchange(&l->fd0, -1);
	if (fd >= 0)
		close(fd);
	lb_group_unref(l->group);
	free(l->name);
	free(l->address);
	free(l);
}

void lb_conf_unref(lb_conf *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->nlisteners; i++) {
		lb_listener_unref(c->listeners[i].l);
		lb_acl_free(c->listeners[i].acl);
	}
	for (size_t i = 0; i < c->ngroups; i++) {
		struct lb_conf_group *g = &c->groups[i];
		if (!g->g)
			continue;
		for (size_t j = 0; j < g->ntargets; j++)
			lb_target_unref(g->targets[j]);
		lb_group_unref(g->g);
		free(g->targets);
		free(g->cursor);
	}
	free(c->listeners);
	free(c->groups);
	free(c);
}

/* ---- snapshots ------------------------------------------------------------ */

uint64_t lb_publish(lb_balancer *lb)
{
	lb_conf *c = gf_xcalloc(1, sizeof(*c));
	atomic_init(&c->refs, 1);
	c->gen = ++lb->gen;
	c->nlisteners = lb->listeners.len;
	c->listeners = gf_xcalloc(c->nlisteners + 1, sizeof(*c->listeners));
	for (size_t i = 0; i < c->nlisteners; i++) {
		lb_mlistener *m = &lb->listeners.items[i];
		atomic_fetch_add(&m->l->refs, 1);
		c->listeners[i].l = m->l;
		/* Each snapshot owns a copy of the ACL, so that replacing one
		 * never frees what a worker is reading. */
		c->listeners[i].acl = lb_acl_dup(m->acl);
	}
	c->ngroups = lb->groups.len;
	c->groups = gf_xcalloc(c->ngroups + 1, sizeof(*c->groups));
	for (size_t i = 0; i < c->ngroups; i++) {
		lb_group *g = lb->groups.items[i];
		if (!g)
			continue;
		struct lb_conf_group *cg = &c->groups[i];
		atomic_fetch_add(&g->refs, 1);
		cg->g = g;
		cg->algorithm = g->s.algorithm;
		/* A failure benches a target until the next successful check
		 * clears it; this bound only matters when checks are off. */
		const lb_health_settings *h = &g->s.health;
		double hold =
		        h->path[0] ? h->interval * (h->unhealthy_threshold + 1) + h->timeout : 2;
		cg->suspect_hold_ns = (int64_t)(hold * 1e9);
		cg->cursor = gf_xcalloc(lb->nworkers, sizeof(uint32_t));
		cg->targets = gf_xcalloc(lb->targets.len + 1, sizeof(lb_target *));
		for (size_t j = 0; j < lb->targets.len; j++) {
			lb_target *t = lb->targets.items[j];
			if (t->group != g)
				continue;
			atomic_fetch_add(&t->refs, 1);
			cg->targets[cg->ntargets++] = t;
		}
	}
	for (unsigned w = 0; w < lb->nworkers; w++) {
		lb_msg *m = gf_xcalloc(1, sizeof(*m));
		m->kind = LB_MSG_CONF;
		atomic_fetch_add(&c->refs, 1);
		m->conf = c;
		lb_queue_post(&lb->workers[w]->q, m);
	}
	lb_conf_unref(lb->conf);
	lb->conf = c;
	return c->gen;
}

void lb_post_target(lb_balancer *lb, lb_msg_kind kind, lb_target *t)
{
	for (unsigned w = 0; w < lb->nworkers; w++) {
		lb_msg *m = gf_xcalloc(1, sizeof(*m));
		m->kind = kind;
		atomic_fetch_add(&t->refs, 1);
		m->target = t;
		lb_queue_post(&lb->workers[w]->q, m);
	}
}

/* Posts a message about `t` (a new reference) to the control thread. */
static void post_ctl(lb_balancer *lb, lb_msg_kind kind, lb_target *t)
{
	lb_msg *m = gf_xcalloc(1, sizeof(*m));
	m->kind = kind;
	atomic_fetch_add(&t->refs, 1);
	m->target = t;
	lb_queue_post(&lb->ctl_q, m);
}

/* ---- addresses ------------------------------------------------------------ */

int lb_parse_address(struct sockaddr_storage *out, const char *address)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(address, ':');
	memset(out, 0, sizeof(*out));
	if (!colon || (size_t)(colon - address) >= sizeof(host))
		goto bad;
	size_t hlen = (size_t)(colon - address);
	memcpy(host, address, hlen);
	host[hlen] = '\0';
	int64_t port;
	if (gf_str_to_i64(&port, colon + 1, 0, 65535) < 0)
		goto bad;
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		goto bad;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	return 0;
bad:
	return gf_err_set(GF_EINVALID,
	                  "invalid address \"%s\": use IPv4:PORT like 127.0.0.1:8080 or "
	                  "[IPv6]:PORT like [::1]:8080",
	                  address);
}

/* ---- lookups (with mu) ----------------------------------------------------- */

static lb_group *find_group(lb_balancer *lb, const char *name)
{
	for (size_t i = 0; i < lb->groups.len; i++)
		if (lb->groups.items[i] && strcmp(lb->groups.items[i]->name, name) == 0)
			return lb->groups.items[i];
	gf_err_set(GF_ENOTFOUND, "target group \"%s\" does not exist", name);
	return NULL;
}

static ssize_t find_target(lb_balancer *lb, lb_group *g, const char *address, bool live_only)
{
	for (size_t i = 0; i < lb->targets.len; i++) {
		lb_target *t = lb->targets.items[i];
		if (t->group == g && strcmp(t->address, address) == 0 &&
		    !(live_only && t->draining))
			return (ssize_t)i;
	}
	return -1;
}

static ssize_t find_listener(lb_balancer *lb, const char *name)
{
	for (size_t i = 0; i < lb->listeners.len; i++)
		if (strcmp(lb->listeners.items[i].l->name, name) == 0)
			return (ssize_t)i;
	gf_err_set(GF_ENOTFOUND, "listener \"%s\" does not exist", name);
	return -1;
}

/* ---- groups ---------------------------------------------------------------- */

static int check_group_settings(const lb_group_settings *s)
{
	if (lb_health_settings_check(&s->health) < 0)
		return GF_EINVALID;
	if (!(s->deregistration_delay >= 0 && s->deregistration_delay <= 3600))
		return gf_err_set(GF_EINVALID, "deregistration delay must be 0 to 3600 seconds");
	return 0;
}

int lb_group_add(lb_balancer *lb, const char *name, const lb_group_settings *s)
{
	if (check_group_settings(s) < 0)
		return GF_EINVALID;
	pthread_mutex_lock(&lb->mu);
	int rc = 0;
	for (size_t i = 0; i < lb->groups.len; i++)
		if (lb->groups.items[i] && strcmp(lb->groups.items[i]->name, name) == 0) {
			rc = gf_err_set(GF_EEXISTS, "target group \"%s\" exists already", name);
			goto out;
		}
	lb_group *g = gf_xcalloc(1, sizeof(*g));
	atomic_init(&g->refs, 1);
	g->name = gf_xstrdup(name);
	g->s = *s;
	g->slot = lb->groups.len;
	for (size_t i = 0; i < lb->groups.len; i++)
		if (!lb->groups.items[i]) {
			g->slot = i;
			break;
		}
	if (g->slot == lb->groups.len)
		gf_vec_push(&lb->groups, g);
	else
		lb->groups.items[g->slot] = g;
	lb_publish(lb);
out:
	pthread_mutex_unlock(&lb->mu);
	return rc;
}

int lb_group_update(lb_balancer *lb, const char *name, const lb_group_settings *s)
{
	if (check_group_settings(s) < 0)
		return GF_EINVALID;
	pthread_mutex_lock(&lb->mu);
	int rc = GF_ENOTFOUND;
	lb_group *g = find_group(lb, name);
	if (g) {
		bool was_checked = g->s.health.path[0] != '\0';
		g->s = *s;
		/* Turning checks off makes every target usable at once, as if
		 * registered without checks; turning them on keeps the current
		 * states until the checks say otherwise. */
		for (size_t i = 0; i < lb->targets.len; i++) {
			lb_target *t = lb->targets.items[i];
			if (t->group != g || t->draining)
				continue;
			if (was_checked && s->health.path[0] == '\0') {
				lb_health_init(&t->health, false);
				atomic_store(&t->state, LB_TARGET_HEALTHY);
			} else if (!was_checked && s->health.path[0] != '\0') {
				post_ctl(lb, LB_MSG_HC_ADD, t);
			}
		}
		lb_publish(lb);
		rc = 0;
	}
	pthread_mutex_unlock(&lb->mu);
	return rc;
}

int lb_group_remove(lb_balancer *lb, const char *name)
{
	pthread_mutex_lock(&lb->mu);
	int rc = GF_ENOTFOUND;
	lb_group *g = find_group(lb, name);
	if (!g)
		goto out;
	for (size_t i = 0; i < lb->listeners.len; i++)
		if (lb->listeners.items[i].l->group == g) {
			rc = gf_err_set(
			        GF_EINVALID,
			        "target group \"%s\" is used by listener \"%s\": remove the "
			        "listener first",
			        name, lb->listeners.items[i].l->name);
			goto out;
		}
	for (size_t i = 0; i < lb->targets.len; i++)
		if (lb->targets.items[i]->group == g) {
			rc = gf_err_set(
			        GF_EINVALID,
			        "target group \"%s\" still has targets: deregister them first",
			        name);
			goto out;
		}
	lb->groups.items[g->slot] = NULL;
	lb_group_unref(g);
	lb_publish(lb);
	rc = 0;
out:
	pthread_mutex_unlock(&lb->mu);
	return rc;
}

/* ---- targets --------------------------------------------------------------- */

int lb_target_add(lb_balancer *lb, const char *group, const char *address)
{
	struct sockaddr_storage sa;
	if (lb_parse_address(&sa, address) < 0)
		return GF_EINVALID;
	pthread_mutex_lock(&lb->mu);
	int rc = GF_ENOTFOUND;
	lb_group *g = find_group(lb, group);
	if (!g)
		goto out;
	if (find_target(lb, g, address, true) >= 0) {
		rc = gf_err_set(GF_EEXISTS, "target %s is registered in \"%s\" already", address,
		                group);
		goto out;
	}
	lb_target *t = gf_xcalloc(1, sizeof(*t) + lb->nworkers * sizeof(t->slot[0]));
	atomic_init(&t->refs, 1);
	t->lb = lb;
	atomic_fetch_add(&g->refs, 1);
	t->group = g;
	t->address = gf_xstrdup(address);
	t->sa = sa;
	bool checked = g->s.health.path[0] != '\0';
	lb_health_init(&t->health, checked);
	atomic_init(&t->state, (int)t->health.state);
	gf_vec_push(&lb->targets, t);
	lb_publish(lb);
	if (checked) {
		post_ctl(lb, LB_MSG_HC_ADD, t);
	}
	rc = 0;
out:
	pthread_mutex_unlock(&lb->mu);
	return rc;
}

int lb_target_deregister(lb_balancer *lb, const char *group, const char *address)
{
	pthread_mutex_lock(&lb->mu);
	int rc = GF_ENOTFOUND;
	lb_group *g = find_group(lb, group);
	if (!g)
		goto out;
	ssize_t i = find_target(lb, g, address, true);
	if (i < 0) {
		rc = gf_err_set(GF_ENOTFOUND, "target %s is not registered in \"%s\"", address,
		                group);
		goto out;
	}
	lb_target *t = lb->targets.items[i];
	t->draining = true;
	t->drain_deadline = gf_now() + g->s.deregistration_delay;
	t->health.state = LB_TARGET_DRAINING;
	atomic_store(&t->state, LB_TARGET_DRAINING);
	lb_post_target(lb, LB_MSG_CLOSE_IDLE, t);
	post_ctl(lb, LB_MSG_DRAIN, t);
	rc = 0;
out:
	pthread_mutex_unlock(&lb->mu);
	return rc;
}

void lb_target_finish_drain(lb_balancer *lb, lb_target *t)
{
	pthread_mutex_lock(&lb->mu);
	for (size_t i = 0; i < lb->targets.len; i++) {
		if (lb->targets.items[i] != t)
			continue;
		lb->targets.items[i] = lb->targets.items[--lb->targets.len];
		lb_publish(lb);
		lb_post_target(lb, LB_MSG_CLOSE_TARGET, t);
		lb_target_unref(t);
		break;
	}
	pthread_mutex_unlock(&lb->mu);
}

/* ---- listeners -------------------------------------------------------------- */

static int bind_socket(int *out, const struct sockaddr_storage *sa, const char *address)
{
	int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gf_err_errno("listener %s: socket", address);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)sa,
	         sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                   : sizeof(struct sockaddr_in)) < 0 ||
	    listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return gf_err_errno("cannot listen on %s%s", address,
		                    e == EADDRINUSE ? " (is another server using the port?)" : "");
	}
	*out = fd;
	return 0;
}

int lb_listen_fd(int *out, const lb_listener *l)
{
	struct sockaddr_storage sa;
	if (lb_parse_address(&sa, l->address) < 0)
		return GF_EINVALID;
	/* Workers after the first join the port that worker 0 holds. */
	if (sa.ss_family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)l->port);
	else
		((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)l->port);
	return bind_socket(out, &sa, l->address);
}

int lb_listener_add(lb_balancer *lb, const char *name, const char *address, const char *group)
{
	struct sockaddr_storage sa;
	if (lb_parse_address(&sa, address) < 0)
		return GF_EINVALID;
	pthread_mutex_lock(&lb->mu);
	int rc = GF_ENOTFOUND, fd = -1;
	uint64_t gen = 0;
	lb_group *g = find_group(lb, group);
	if (!g)
		goto out;
	for (size_t i = 0; i < lb->listeners.len; i++)
		if (strcmp(lb->listeners.items[i].l->name, name) == 0) {
			rc = gf_err_set(GF_EEXISTS, "listener \"%s\" exists already", name);
			goto out;
		}
	if ((rc = bind_socket(&fd, &sa, address)) < 0)
		goto out;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	getsockname(fd, (struct sockaddr *)&bound, &blen);
	lb_listener *l = gf_xcalloc(1, sizeof(*l) + lb->nworkers * sizeof(l->slot[0]));
	atomic_init(&l->refs, 1);
	l->name = gf_xstrdup(name);
	l->address = gf_xstrdup(address);
	l->port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
	                                           : ((struct sockaddr_in6 *)&bound)->sin6_port);
	atomic_fetch_add(&g->refs, 1);
	l->group = g;
	atomic_init(&l->fd0, fd);
	lb_mlistener m = {.l = l, .acl = NULL, .sa = sa};
	gf_vec_push(&lb->listeners, m);
	gen = lb_publish(lb);
	rc = 0;
out:
	pthread_mutex_unlock(&lb->mu);
	if (gen)
		lb_wait_applied(lb, gen);
	return rc;
}

int lb_listener_port(lb_balancer *lb, const char *name)
{
	pthread_mutex_lock(&lb->mu);
	ssize_t i = find_listener(lb, name);
	int port = i < 0 ? GF_ENOTFOUND : lb->listeners.items[i].l->port;
	pthread_mutex_unlock(&lb->mu);
	return port;
}

int lb_listener_remove(lb_balancer *lb, const char *name)
{
	pthread_mutex_lock(&lb->mu);
	uint64_t gen = 0;
	ssize_t i = find_listener(lb, name);
	if (i >= 0) {
		lb_mlistener m = lb->listeners.items[i];
		lb->listeners.items[i] = lb->listeners.items[--lb->listeners.len];
		gen = lb_publish(lb);
		lb_acl_free(m.acl);
		lb_listener_unref(m.l);
	}
	pthread_mutex_unlock(&lb->mu);
	if (gen)
		lb_wait_applied(lb, gen);
	return i < 0 ? GF_ENOTFOUND : 0;
}

int lb_listener_set_allow(lb_balancer *lb, const char *name, const char *const *cidrs, size_t n)
{
	lb_acl *acl = NULL;
	if (n > 0 && lb_acl_new(&acl, cidrs, n) < 0)
		return GF_EINVALID;
	pthread_mutex_lock(&lb->mu);
	uint64_t gen = 0;
	ssize_t i = find_listener(lb, name);
	if (i >= 0) {
		lb_acl_free(lb->listeners.items[i].acl);
		lb->listeners.items[i].acl = acl;
		acl = NULL;
		gen = lb_publish(lb);
	}
	pthread_mutex_unlock(&lb->mu);
	if (gen)
		lb_wait_applied(lb, gen);
	lb_acl_free(acl);
	return i < 0 ? GF_ENOTFOUND : 0;
}

/* ---- counters ---------------------------------------------------------------- */

static void sum_slots(lb_counters *out, const lb_slot_counters *slots, size_t stride, unsigned n)
{
	uint64_t *dst = (uint64_t *)(void *)out;
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < n; w++) {
		const lb_slot_counters *s =
		        (const lb_slot_counters *)(const void *)((const char *)slots + w * stride);
		for (size_t k = 0; k < LB_NCOUNTERS; k++)
			dst[k] += atomic_load_explicit(&s->v[k], memory_order_relaxed);
	}
}

int lb_stats(lb_balancer *lb, lb_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&lb->mu);
	out->nlisteners = lb->listeners.len;
	out->listeners = gf_xcalloc(out->nlisteners + 1, sizeof(*out->listeners));
	for (size_t i = 0; i < out->nlisteners; i++) {
		lb_listener *l = lb->listeners.items[i].l;
		lb_listener_stats *s = &out->listeners[i];
		s->name = gf_xstrdup(l->name);
		s->address = gf_xasprintf("%s", l->address);
		s->group = gf_xstrdup(l->group->name);
		sum_slots(&s->c, l->slot, sizeof(l->slot[0]), lb->nworkers);
	}
	out->ntargets = lb->targets.len;
	out->targets = gf_xcalloc(out->ntargets + 1, sizeof(*out->targets));
	for (size_t i = 0; i < out->ntargets; i++) {
		lb_target *t = lb->targets.items[i];
		lb_target_stats *s = &out->targets[i];
		s->group = gf_xstrdup(t->group->name);
		s->address = gf_xstrdup(t->address);
		s->state = (lb_target_state)atomic_load(&t->state);
		s->reason = gf_xstrdup(t->health.reason);
		sum_slots(&s->c, &t->slot[0].c, sizeof(t->slot[0]), lb->nworkers);
	}
	pthread_mutex_unlock(&lb->mu);
	return 0;
}

void lb_snapshot_dispose(lb_snapshot *s)
{
	for (size_t i = 0; i < s->nlisteners; i++) {
		free(s->listeners[i].name);
		free(s->listeners[i].address);
		free(s->listeners[i].group);
	}
	for (size_t i = 0; i < s->ntargets; i++) {
		free(s->targets[i].group);
		free(s->targets[i].address);
		free(s->targets[i].reason);
	}
	free(s->listeners);
	free(s->targets);
	memset(s, 0, sizeof(*s));
}
