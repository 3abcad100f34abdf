/* The daemon core: taking the home, restoring the inventory, the reconciler
 * tick (observe → plan → act) and the life of instance processes. See the
 * state diagrams in cloud.h. Everything runs on the daemon's loop thread. */
#include "cloud/daemon_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_MAX          (10 << 20)    /* bytes per instance log before rotation */
#define RELEASE_GRACE    3600.0        /* s an unreferenced release is kept */
#define INSTANCE_HISTORY (3600 * 1000) /* ms a gone instance stays listed */

char *cloud_home_default(void)
{
	const char *env = getenv("GITFLEET_HOME");
	if (env && *env)
		return gf_xstrdup(env);
	if (geteuid() == 0)
		return gf_xstrdup("/var/lib/gitfleet");
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(geteuid());
		home = pw ? pw->pw_dir : "/tmp";
	}
	return gf_xasprintf("%s/.local/share/gitfleet", home);
}

const char *cloud_daemon_home(const cloud_daemon *d)
{
	return d->home;
}

/* ---- events ------------------------------------------------------------------ */

void cloud_event(cloud_daemon *d, const char *type, const char *resource, json_t *data)
{
	int64_t ts = gf_wall_ms(), id = 0;
	char *text = json_dumps(data, JSON_COMPACT);
	if (cloud_store_event_add(d->store, &id, ts, type, resource, text) < 0)
		gf_log(GF_LOG_ERROR, "cannot record event", "err=%s", GF_LOG_QUOTED(gf_err_msg()));
	free(text);
	json_object_set_new(data, "id", json_integer(id));
	json_object_set_new(data, "time_ms", json_integer(ts));
	json_object_set_new(data, "type", json_string(type));
	json_object_set_new(data, "resource", json_string(resource));
	char *all = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	char q[512];
	const char *msg = json_string_value(json_object_get(data, "message"));
	gf_log(GF_LOG_INFO, type, "resource=%s message=%s", resource,
	       gf_log_quote(q, sizeof(q), msg ? msg : ""));
	for (struct cloud_sub *s = d->subs; s;) {
		struct cloud_sub *next = s->next; /* a callback may unsubscribe */
		s->cb(id, all, s->payload);
		s = next;
	}
	free(all);
	json_decref(data);
}

static void event_msg(cloud_daemon *d, const char *type, const char *resource, const char *fmt, ...)
        GF_PRINTF(4, 5);
static void event_msg(cloud_daemon *d, const char *type, const char *resource, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cloud_event(d, type, resource, json_pack("{s:s}", "message", msg));
}

typedef struct {
	cloud_event_cb cb;
	void *payload;
	int64_t last;
	int n;
} replay_ctx;

static void replay_one(int64_t id, int64_t ts, const char *type, const char *resource,
                       const char *data, void *payload)
{
	replay_ctx *r = payload;
	json_t *j = json_loads(data, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	json_object_set_new(j, "id", json_integer(id));
	json_object_set_new(j, "time_ms", json_integer(ts));
	json_object_set_new(j, "type", json_string(type));
	json_object_set_new(j, "resource", json_string(resource));
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	r->cb(id, text, r->payload);
	free(text);
	json_decref(j);
	r->last = id;
	r->n++;
}

cloud_sub *cloud_subscribe(cloud_daemon *d, int64_t after, cloud_event_cb cb, void *payload)
{
	replay_ctx r = {cb, payload, after, 0};
	do {
		r.n = 0;
		cloud_store_events(d->store, r.last, 1000, replay_one, &r);
	} while (r.n == 1000);
	cloud_sub *s = gf_xcalloc(1, sizeof(*s));
	s->cb = cb;
	s->payload = payload;
	s->next = d->subs;
	d->subs = s;
	return s;
}

void cloud_unsubscribe(cloud_daemon *d, cloud_sub *s)
{
	for (cloud_sub **p = &d->subs; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			free(s);
			return;
		}
}

/* ---- groups -------------------------------------------------------------------- */

group *cloud_group_find(cloud_daemon *d, const char *name)
{
	for (size_t i = 0; i < d->groups.len; i++)
		if (strcmp(d->groups.items[i]->name, name) == 0)
			return d->groups.items[i];
	return NULL;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void group_free(group *g)
{
	json_decref(g->spec);
	free_strs(g->tgs, g->ntgs);
	free(g);
}

static int resolve_version(cloud_daemon *d, const json_t *spec)
{
	const char *tmpl = json_string_value(json_object_get(spec, "launch_template"));
	json_t *v = json_object_get(spec, "launch_template_version");
	int want = json_is_integer(v) ? (int)json_integer_value(v) : 0, got = 0;
	if (cloud_store_version_get(d->store, NULL, &got, tmpl, want) < 0)
		return 0;
	return got;
}

int cloud_save_group(cloud_daemon *d, group *g)
{
	json_t *j = json_pack("{s:i, s:i, s:s, s:b}", "good_version", g->pg.good_version,
	                      "failed_version", g->pg.failed_version, "reason", g->pg.reason,
	                      "deleting", g->pg.deleting);
	char *text = json_dumps(j, JSON_COMPACT);
	char key[96];
	snprintf(key, sizeof(key), "asg:%s", g->name);
	int rc = cloud_store_meta_put(d->store, key, text);
	if (rc < 0)
		gf_log(GF_LOG_ERROR, "cannot record group state", "group=%s err=%s", g->name,
		       GF_LOG_QUOTED(gf_err_msg()));
	free(text);
	json_decref(j);
	return rc;
}

int cloud_group_load(cloud_daemon *d, const char *name, const json_t *spec, bool put)
{
	group *g = cloud_group_find(d, name);
	if (!g) {
		g = gf_xcalloc(1, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
		metrics_hist_init(&g->refresh_converged, cloud_refresh_bounds,
		                  GF_ARRAY_LEN(cloud_refresh_bounds));
		metrics_hist_init(&g->refresh_failed, cloud_refresh_bounds,
		                  GF_ARRAY_LEN(cloud_refresh_bounds));
		gf_vec_push(&d->groups, g);
		char key[96], *rt = NULL;
		snprintf(key, sizeof(key), "asg:%s", name);
		if (cloud_store_meta_get(d->store, &rt, key) == 0) {
			json_t *j = json_loads(rt, 0, NULL);
			g->pg.good_version =
			        (int)json_integer_value(json_object_get(j, "good_version"));
			g->pg.failed_version =
			        (int)json_integer_value(json_object_get(j, "failed_version"));
			snprintf(g->pg.reason, sizeof(g->pg.reason), "%s",
			         json_string_value(json_object_get(j, "reason"))
			                 ? json_string_value(json_object_get(j, "reason"))
			                 : "");
			/* A DELETE answered 202 before a restart still drains. */
			g->pg.deleting = json_is_true(json_object_get(j, "deleting"));
			json_decref(j);
		}
		free(rt);
	}
	json_decref(g->spec);
	g->spec = json_deep_copy(spec);
	char **old = g->tgs;
	size_t nold = g->ntgs;
	json_t *tgs = json_object_get(spec, "target_group_ids");
	g->ntgs = json_array_size(tgs);
	g->tgs = gf_xcalloc(g->ntgs + 1, sizeof(char *));
	for (size_t i = 0; i < g->ntgs; i++)
		g->tgs[i] = gf_xstrdup(json_string_value(json_array_get(tgs, i)));
	g->pg.desired = (int)json_integer_value(json_object_get(spec, "desired_capacity"));
	g->pg.min_healthy_percentage =
	        (int)json_integer_value(json_object_get(spec, "min_healthy_percentage"));
	g->pg.grace = json_number_value(json_object_get(spec, "health_check_grace_period"));
	g->pg.version = resolve_version(d, spec);
	if (put && g->pg.failed_version) {
		/* A PUT is a request to try again. */
		g->pg.failed_version = 0;
		g->pg.reason[0] = '\0';
		cloud_save_group(d, g);
	}
	g->have_phase = false;
	if (put)
		cloud_group_retarget_tgs(d, g, old, nold);
	free_strs(old, nold);
	cloud_kick(d);
	return 0;
}

void cloud_groups_retarget(cloud_daemon *d, const char *tmpl)
{
	for (size_t i = 0; i < d->groups.len; i++) {
		group *g = d->groups.items[i];
		const char *t = json_string_value(json_object_get(g->spec, "launch_template"));
		if (t && strcmp(t, tmpl) == 0)
			g->pg.version = resolve_version(d, g->spec);
	}
	cloud_kick(d);
}

static bool inst_registered(cloud_inst_state s)
{
	return s == CLOUD_INST_STARTING || s == CLOUD_INST_IN_SERVICE;
}

static void target_addr(char *out, size_t n, const inst *x)
{
	snprintf(out, n, "127.0.0.1:%d", x->rec.port);
}

void cloud_group_retarget_tgs(cloud_daemon *d, group *g, char **old, size_t nold)
{
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (strcmp(x->rec.group, g->name) != 0 || !inst_registered(x->rec.state))
			continue;
		char addr[64];
		target_addr(addr, sizeof(addr), x);
		for (size_t k = 0; k < nold; k++) {
			bool still = false;
			for (size_t j = 0; j < g->ntgs; j++)
				still |= strcmp(g->tgs[j], old[k]) == 0;
			if (!still)
				lb_target_deregister(d->lb, old[k], addr);
		}
		for (size_t j = 0; j < g->ntgs; j++)
			lb_target_add(d->lb, g->tgs[j], addr);
	}
}

void cloud_tg_settings(lb_group_settings *out, const json_t *spec)
{
	lb_group_settings_default(out);
	json_t *hc = json_object_get(spec, "health_check");
	snprintf(out->health.path, sizeof(out->health.path), "%s",
	         json_string_value(json_object_get(hc, "path")));
	out->health.interval = json_number_value(json_object_get(hc, "interval"));
	out->health.timeout = json_number_value(json_object_get(hc, "timeout"));
	out->health.healthy_threshold =
	        (int)json_integer_value(json_object_get(hc, "healthy_threshold"));
	out->health.unhealthy_threshold =
	        (int)json_integer_value(json_object_get(hc, "unhealthy_threshold"));
	lb_matcher_parse(&out->health.matcher, json_string_value(json_object_get(hc, "matcher")));
	lb_algorithm_parse(&out->algorithm, json_string_value(json_object_get(spec, "algorithm")));
	out->deregistration_delay =
	        json_number_value(json_object_get(spec, "deregistration_delay"));
}

/* ---- instances ------------------------------------------------------------------ */

/* Moves x to state s; `reason` NULL keeps the current one. Recorded in the
 * store and in the event log. */
static void set_state(inst *x, cloud_inst_state s, const char *reason)
{
	x->rec.state = s;
	x->since = gf_now();
	if (reason)
		snprintf(x->rec.reason, sizeof(x->rec.reason), "%s", reason);
	if (cloud_store_inst_put(x->d->store, &x->rec) < 0)
		gf_log(GF_LOG_ERROR, "cannot record instance", "id=%s err=%s", x->rec.id,
		       GF_LOG_QUOTED(gf_err_msg()));
	char msg[400];
	snprintf(msg, sizeof(msg), "instance %s %s%s%s", x->rec.id, cloud_inst_state_name(s),
	         x->rec.reason[0] ? ": " : "", x->rec.reason);
	cloud_event(x->d, "instance.state", x->rec.id,
	            json_pack("{s:s, s:s, s:s, s:i}", "state", cloud_inst_state_name(s), "group",
	                      x->rec.group, "message", msg, "version", x->rec.version));
}

static void on_proc_exit(cloud_proc *p, const char *reason, void *payload)
{
	inst *x = payload;
	x->alive = false;
	snprintf(x->exit_reason, sizeof(x->exit_reason), "%s", reason);
	cloud_proc_free(x->proc);
	x->proc = NULL;
	if (x->rec.state == CLOUD_INST_TERMINATING)
		set_state(x, CLOUD_INST_TERMINATED, NULL);
	else if (x->rec.state == CLOUD_INST_UNHEALTHY)
		set_state(x, CLOUD_INST_FAILED, NULL);
	if (!x->d->stopping)
		cloud_kick(x->d);
}

static bool port_taken(cloud_daemon *d, int port, const lb_snapshot *snap)
{
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (x->rec.port == port && (x->alive || inst_registered(x->rec.state) ||
		                            x->rec.state == CLOUD_INST_DRAINING))
			return true;
	}
	char addr[32];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	for (size_t i = 0; snap && i < snap->ntargets; i++)
		if (strcmp(snap->targets[i].address, addr) == 0)
			return true;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool busy = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0;
	close(fd);
	return busy;
}

static int free_port(cloud_daemon *d, const lb_snapshot *snap)
{
	int span = d->port_hi - d->port_lo + 1;
	for (int i = 0; i < span; i++) {
		int p = d->port_lo + (d->port_next - d->port_lo + i) % span;
		if (!port_taken(d, p, snap)) {
			d->port_next = p + 1 > d->port_hi ? d->port_lo : p + 1;
			return p;
		}
	}
	return gf_err_set(GF_EAGAIN, "no free port in %d-%d for a new instance", d->port_lo,
	                  d->port_hi);
}

static inst *inst_new(cloud_daemon *d)
{
	inst *x = gf_xcalloc(1, sizeof(*x));
	x->d = d;
	x->stop_grace = 10;
	gf_vec_push(&d->insts, x);
	return x;
}

static char *log_path(cloud_daemon *d, const char *id)
{
	return gf_xasprintf("%s/%s.log", d->logs, id);
}

static void register_targets(cloud_daemon *d, group *g, inst *x)
{
	char addr[64];
	target_addr(addr, sizeof(addr), x);
	for (size_t j = 0; j < g->ntgs; j++)
		if (lb_target_add(d->lb, g->tgs[j], addr) < 0 && gf_err_code() != GF_EEXISTS)
			gf_log(GF_LOG_WARN, "cannot register target", "group=%s target=%s err=%s",
			       g->tgs[j], addr, GF_LOG_QUOTED(gf_err_msg()));
}

static void deregister_targets(cloud_daemon *d, group *g, inst *x)
{
	char addr[64];
	target_addr(addr, sizeof(addr), x);
	for (size_t j = 0; g && j < g->ntgs; j++)
		lb_target_deregister(d->lb, g->tgs[j], addr);
}

/* Starts one instance of `version` for group g. */
static void launch(cloud_daemon *d, group *g, int version, const lb_snapshot *snap)
{
	const char *tmpl = json_string_value(json_object_get(g->spec, "launch_template"));
	char *spec_text = NULL, *logp = NULL, *rel = NULL;
	json_t *spec = NULL;
	GF_VEC(char *) argv = {0};
	GF_VEC(char *) env = {0};
	int64_t seq;
	int port;
	if (cloud_store_version_get(d->store, &spec_text, NULL, tmpl, version) < 0 ||
	    cloud_store_next_seq(d->store, &seq) < 0 || (port = free_port(d, snap)) < 0) {
		event_msg(d, "group.error", g->name, "cannot launch an instance: %s", gf_err_msg());
		/* Not every tick: the cause (ports, disk) takes a while to go. */
		g->pg.next_launch_at = gf_now() + 1;
		goto done;
	}
	spec = json_loads(spec_text, 0, NULL);
	inst *x = inst_new(d);
	cloud_inst_rec *r = &x->rec;
	snprintf(r->id, sizeof(r->id), "i-%lld", (long long)seq);
	r->seq = seq;
	snprintf(r->group, sizeof(r->group), "%s", g->name);
	snprintf(r->tmpl, sizeof(r->tmpl), "%s", tmpl);
	r->version = version;
	snprintf(r->release, sizeof(r->release), "%s",
	         json_string_value(json_object_get(spec, "release")));
	r->port = port;
	r->created_ms = gf_wall_ms();
	x->stop_grace = json_number_value(json_object_get(spec, "stop_grace_period"));
	rel = gf_path_join(d->releases, r->release);
	logp = log_path(d, r->id);
	set_state(x, CLOUD_INST_PENDING, "");

	json_t *cmd = json_object_get(spec, "command");
	if (cmd) {
		for (size_t i = 0; i < json_array_size(cmd); i++)
			gf_vec_push(&argv, gf_xstrdup(json_string_value(json_array_get(cmd, i))));
	} else {
		gf_vec_push(&argv, gf_xstrdup(d->exe));
		gf_vec_push(&argv, gf_xstrdup("www"));
		gf_vec_push(&argv, gf_xstrdup("--root"));
		gf_vec_push(&argv, gf_xstrdup(rel));
	}
	gf_vec_push(&argv, NULL);
	static const char *const inherit[] = {"PATH", "HOME", "LANG",
	                                      "TZ",   "USER", "GITFLEET_LOG_FORMAT"};
	for (size_t i = 0; i < GF_ARRAY_LEN(inherit); i++)
		if (getenv(inherit[i]))
			gf_vec_push(&env, gf_xasprintf("%s=%s", inherit[i], getenv(inherit[i])));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(spec, "env"), k, v)
	        gf_vec_push(&env, gf_xasprintf("%s=%s", k, json_string_value(v)));
	gf_vec_push(&env, gf_xasprintf("PORT=%d", port));
	gf_vec_push(&env, gf_xasprintf("GITFLEET_INSTANCE_ID=%s", r->id));
	gf_vec_push(&env, gf_xasprintf("GITFLEET_RELEASE=%s", rel));
	gf_vec_push(&env, NULL);

	json_t *lim = json_object_get(spec, "limits");
	cloud_proc_options po = {
	        .argv = (const char *const *)argv.items,
	        .env = (const char *const *)env.items,
	        .cwd = rel,
	        .log_path = logp,
	        .memory_mb = json_integer_value(json_object_get(lim, "memory_mb")),
	        .open_files = json_integer_value(json_object_get(lim, "open_files")),
	        .processes = json_integer_value(json_object_get(lim, "processes")),
	        .cpu_seconds = json_integer_value(json_object_get(lim, "cpu_seconds")),
	};
	if (cloud_proc_spawn(&x->proc, d->loop, &po, on_proc_exit, x) < 0) {
		snprintf(x->exit_reason, sizeof(x->exit_reason), "%s", gf_err_msg());
		x->alive = false;
		/* The planner sees a starting instance that is not alive: a failure. */
		set_state(x, CLOUD_INST_STARTING, gf_err_msg());
		goto done;
	}
	x->alive = true;
	r->pid = cloud_proc_pid(x->proc);
	set_state(x, CLOUD_INST_STARTING, "");
	register_targets(d, g, x);
done:
	for (size_t i = 0; i < argv.len; i++)
		free(argv.items[i]);
	for (size_t i = 0; i < env.len; i++)
		free(env.items[i]);
	gf_vec_dispose(&argv);
	gf_vec_dispose(&env);
	json_decref(spec);
	free(spec_text);
	free(logp);
	free(rel);
}

static void stop(cloud_daemon *d, group *g, inst *x, bool failed, const char *reason)
{
	if (x->rec.state != CLOUD_INST_DRAINING)
		deregister_targets(d, g, x);
	if (x->alive && x->proc) {
		set_state(x, failed ? CLOUD_INST_UNHEALTHY : CLOUD_INST_TERMINATING, reason);
		cloud_proc_stop(x->proc, x->stop_grace);
	} else {
		set_state(x, failed ? CLOUD_INST_FAILED : CLOUD_INST_TERMINATED, reason);
	}
}

/* ---- the reconciler --------------------------------------------------------------- */

static const lb_target_stats *find_target(const lb_snapshot *s, const char *tg, const char *addr)
{
	for (size_t i = 0; i < s->ntargets; i++)
		if (strcmp(s->targets[i].group, tg) == 0 &&
		    strcmp(s->targets[i].address, addr) == 0)
			return &s->targets[i];
	return NULL;
}

/* Health of x over all of g's target groups, and the reason when not. */
static cloud_health observe_health(cloud_daemon *d, group *g, inst *x, const lb_snapshot *s,
                                   char *why, size_t n, bool *drained)
{
	char addr[64];
	target_addr(addr, sizeof(addr), x);
	cloud_health h = CLOUD_HEALTH_HEALTHY;
	*drained = true;
	why[0] = '\0';
	for (size_t j = 0; j < g->ntgs; j++) {
		const lb_target_stats *t = find_target(s, g->tgs[j], addr);
		if (t)
			*drained = false;
		if (!t || t->state == LB_TARGET_INITIAL || t->state == LB_TARGET_DRAINING) {
			if (h == CLOUD_HEALTH_HEALTHY)
				h = CLOUD_HEALTH_UNKNOWN;
		} else if (t->state == LB_TARGET_UNHEALTHY) {
			h = CLOUD_HEALTH_UNHEALTHY;
		}
		if (t && t->reason && *t->reason && !*why) {
			char *spec = NULL;
			const char *path = "/";
			json_t *tj = NULL;
			if (cloud_store_get(d->store, &spec, CLOUD_TARGET_GROUP, g->tgs[j]) == 0 &&
			    (tj = json_loads(spec, 0, NULL)))
				path = json_string_value(json_object_get(
				        json_object_get(tj, "health_check"), "path"));
			int code;
			char want[64];
			if (sscanf(t->reason, "status %d does not match %63s", &code, want) == 2)
				snprintf(why, n,
				         "GET %s returned %d, expected %s (target group %s)",
				         path ? path : "/", code, want, g->tgs[j]);
			else
				snprintf(why, n, "GET %s: %s (target group %s)", path ? path : "/",
				         t->reason, g->tgs[j]);
			json_decref(tj);
			free(spec);
		}
	}
	return h;
}

/* A refresh lasts from entering refreshing to converging on the new
 * version, or to failing after its rollback; other ends (a scale, a
 * delete) are not timed. */
static void time_refresh(group *g, cloud_phase to, double now)
{
	if (to == CLOUD_PHASE_REFRESHING || to == CLOUD_PHASE_ROLLING_BACK) {
		if (!g->refresh_start)
			g->refresh_start = now;
		return;
	}
	if (g->refresh_start && to == CLOUD_PHASE_CONVERGED)
		metrics_hist_observe(&g->refresh_converged, now - g->refresh_start);
	else if (g->refresh_start && to == CLOUD_PHASE_FAILED)
		metrics_hist_observe(&g->refresh_failed, now - g->refresh_start);
	g->refresh_start = 0;
}

static void plan_group(cloud_daemon *d, group *g, const lb_snapshot *snap, double now)
{
	GF_VEC(inst *) mine = {0};
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (strcmp(x->rec.group, g->name) == 0 && x->rec.state != CLOUD_INST_TERMINATED &&
		    x->rec.state != CLOUD_INST_FAILED)
			gf_vec_push(&mine, x);
	}
	cloud_plan_instance *pi = gf_xcalloc(mine.len + 1, sizeof(*pi));
	char(*why)[200] = gf_xcalloc(mine.len + 1, sizeof(*why));
	for (size_t i = 0; i < mine.len; i++) {
		inst *x = mine.items[i];
		bool drained;
		pi[i].id = x->rec.id;
		pi[i].seq = x->rec.seq;
		pi[i].version = x->rec.version;
		pi[i].state = x->rec.state;
		pi[i].since = x->since;
		pi[i].alive = x->alive;
		pi[i].health = observe_health(d, g, x, snap, why[i], sizeof(why[i]), &drained);
		pi[i].drained = drained;
		pi[i].reason = x->alive ? why[i] : x->exit_reason;
	}
	int good = g->pg.good_version, failed = g->pg.failed_version;
	cloud_plan p = {0};
	cloud_plan_step(&p, &g->pg, pi, mine.len, now);
	for (size_t k = 0; k < p.actions.len; k++) {
		cloud_action *a = &p.actions.items[k];
		inst *x = a->kind == CLOUD_ACT_LAUNCH ? NULL : mine.items[a->inst];
		switch (a->kind) {
		case CLOUD_ACT_LAUNCH:
			launch(d, g, a->version, snap);
			break;
		case CLOUD_ACT_IN_SERVICE:
			set_state(x, CLOUD_INST_IN_SERVICE, "healthy in every target group");
			break;
		case CLOUD_ACT_DRAIN:
			deregister_targets(d, g, x);
			set_state(x, CLOUD_INST_DRAINING, a->reason);
			break;
		case CLOUD_ACT_STOP:
			stop(d, g, x, a->failed, a->reason);
			break;
		}
	}
	if (good != g->pg.good_version || failed != g->pg.failed_version) {
		cloud_save_group(d, g);
		if (failed != g->pg.failed_version && g->pg.failed_version)
			event_msg(d, "group.rollout_failed", g->name, "%s", g->pg.reason);
	}
	if (!g->have_phase || p.phase != g->phase) {
		time_refresh(g, p.phase, now);
		g->phase = p.phase;
		g->have_phase = true;
		char msg[512];
		snprintf(msg, sizeof(msg), "group %s %s: version %d, %d of %d in service%s%s",
		         g->name, cloud_phase_name(p.phase), g->pg.version, p.in_service,
		         g->pg.deleting ? 0 : g->pg.desired, g->pg.failed_version ? ": " : "",
		         g->pg.failed_version ? g->pg.reason : "");
		cloud_event(d, "group.phase", g->name,
		            json_pack("{s:s, s:s, s:i, s:i}", "phase", cloud_phase_name(p.phase),
		                      "message", msg, "version", g->pg.version, "in_service",
		                      p.in_service));
	}
	cloud_plan_dispose(&p);
	free(pi);
	free(why);
	gf_vec_dispose(&mine);
}

/* Forgets a deleted group, in memory only once the store forgot it (in one
 * transaction): else a restart would bring it back. */
static int forget_group(cloud_daemon *d, size_t i)
{
	group *g = d->groups.items[i];
	char key[96];
	snprintf(key, sizeof(key), "asg:%s", g->name);
	int rc = cloud_store_begin(d->store);
	if (rc == 0 && (rc = cloud_store_meta_delete(d->store, key)) == 0 &&
	    (rc = cloud_store_delete(d->store, CLOUD_ASG, g->name)) == 0)
		rc = cloud_store_commit(d->store);
	if (rc < 0) {
		cloud_store_rollback(d->store);
		gf_log(GF_LOG_ERROR, "cannot forget a deleted group", "group=%s err=%s", g->name,
		       GF_LOG_QUOTED(gf_err_msg()));
		return rc;
	}
	event_msg(d, "group.deleted", g->name, "autoscaling group %s deleted", g->name);
	group_free(g);
	d->groups.items[i] = d->groups.items[--d->groups.len];
	return 0;
}

static void wake_waiters(cloud_daemon *d, double now)
{
	for (struct cloud_waiter **p = &d->waiters; *p;) {
		struct cloud_waiter *w = *p;
		const char *outcome = NULL, *reason = "";
		if (w->kind == CLOUD_ASG) {
			group *g = cloud_group_find(d, w->name);
			if (!g)
				outcome = "converged"; /* deleted */
			else if (g->have_phase && g->phase == CLOUD_PHASE_CONVERGED)
				outcome = "converged";
			else if (g->have_phase && g->phase == CLOUD_PHASE_FAILED) {
				outcome = "failed";
				reason = g->pg.reason;
			}
		} else {
			outcome = "converged";
		}
		if (!outcome && now >= w->deadline)
			outcome = "timeout";
		if (!outcome) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		w->cb(outcome, reason, w->payload);
		free(w);
	}
}

cloud_waiter *cloud_wait(cloud_daemon *d, cloud_kind k, const char *name, double timeout,
                         cloud_wait_cb cb, void *payload)
{
	struct cloud_waiter *w = gf_xcalloc(1, sizeof(*w));
	w->kind = k;
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->deadline = gf_now() + timeout;
	w->cb = cb;
	w->payload = payload;
	w->next = d->waiters;
	d->waiters = w;
	/* Let the planner look at the new spec before judging. */
	if (k == CLOUD_ASG) {
		group *g = cloud_group_find(d, name);
		if (g)
			g->have_phase = false;
	}
	cloud_kick(d);
	return w;
}

void cloud_wait_cancel(cloud_daemon *d, cloud_waiter *w)
{
	for (struct cloud_waiter **p = &d->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			free(w);
			return;
		}
}

typedef GF_VEC(char *) str_vec;

static void collect_release(const char *name, const char *spec, void *payload)
{
	gf_vec_push((str_vec *)payload, gf_xstrdup(name));
}

static void housekeeping(cloud_daemon *d)
{
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (x->alive) {
			char *p = log_path(d, x->rec.id);
			cloud_log_rotate(p, LOG_MAX);
			free(p);
		}
	}
	/* Gone instances leave the in-memory list after an hour; the store
	 * forgets them at the same time. */
	int64_t cutoff = gf_wall_ms() - INSTANCE_HISTORY;
	for (size_t i = 0; i < d->insts.len;) {
		inst *x = d->insts.items[i];
		if ((x->rec.state == CLOUD_INST_TERMINATED || x->rec.state == CLOUD_INST_FAILED) &&
		    !x->proc && x->rec.updated_ms && x->rec.updated_ms < cutoff) {
			free(x);
			d->insts.items[i] = d->insts.items[--d->insts.len];
		} else {
			i++;
		}
	}
	cloud_store_inst_prune(d->store, cutoff);
	str_vec keep = {0};
	cloud_store_releases(d->store, collect_release, &keep);
	for (size_t i = 0; i < d->insts.len; i++)
		gf_vec_push(&keep, gf_xstrdup(d->insts.items[i]->rec.release));
	int n = cloud_release_gc(d->releases, (const char *const *)keep.items, keep.len,
	                         RELEASE_GRACE);
	if (n > 0)
		gf_log(GF_LOG_INFO, "releases collected", "count=%d", n);
	for (size_t i = 0; i < keep.len; i++)
		free(keep.items[i]);
	gf_vec_dispose(&keep);
}

static void on_tick(uv_timer_t *t)
{
	cloud_daemon *d = t->data;
	if (d->stopping)
		return;
	double now = gf_now();
	lb_snapshot snap;
	memset(&snap, 0, sizeof(snap));
	lb_stats(d->lb, &snap);
	for (size_t i = 0; i < d->groups.len; i++)
		plan_group(d, d->groups.items[i], &snap, now);
	for (size_t i = 0; i < d->groups.len;) {
		group *g = d->groups.items[i];
		bool gone = g->pg.deleting && g->have_phase && g->phase == CLOUD_PHASE_DELETED;
		if (gone && now >= g->forget_at) {
			if (forget_group(d, i) == 0)
				continue;
			g->forget_at = now + 30; /* a store failure: retried, not every tick */
		}
		i++;
	}
	lb_snapshot_dispose(&snap);
	wake_waiters(d, now);
	if (now >= d->next_housekeeping) {
		d->next_housekeeping = now + 30;
		housekeeping(d);
	}
	uv_timer_start(&d->tick, on_tick, (uint64_t)(d->tick_interval * 1000), 0);
}

void cloud_kick(cloud_daemon *d)
{
	if (!d->stopping)
		uv_timer_start(&d->tick, on_tick, 0, 0);
}

/* The data plane's control thread: a target's health changed or a drain
 * ended. The reconciler runs at once rather than at its next tick, so an
 * instance that turned healthy takes over without waiting for the poll. */
static void lb_on_change(void *payload)
{
	uv_async_send(payload);
}

static void on_lb_changed(uv_async_t *a)
{
	cloud_kick(a->data);
}

/* ---- taking the home, restoring ------------------------------------------------ */

static int lock_home(cloud_daemon *d)
{
	d->lock_fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0)
		return gf_err_errno("cannot open %s", d->lock_path);
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(d->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(d->lock_fd);
		d->lock_fd = -1;
		return gf_err_set(GF_ELOCKED,
		                  "another gitfleet daemon (pid %s) is running on %s: stop it "
		                  "first, or use another --home",
		                  *pid ? pid : "?", d->home);
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(d->lock_fd, 0) != 0 || pwrite(d->lock_fd, pid, (size_t)n, 0) != n)
		return gf_err_errno("cannot write %s", d->lock_path);
	return 0;
}

static void restore_tg(const char *name, const char *spec, void *payload)
{
	cloud_daemon *d = payload;
	json_t *j = json_loads(spec, 0, NULL);
	lb_group_settings s;
	cloud_tg_settings(&s, j);
	if (lb_group_add(d->lb, name, &s) < 0)
		gf_log(GF_LOG_ERROR, "cannot restore target group", "name=%s err=%s", name,
		       GF_LOG_QUOTED(gf_err_msg()));
	json_decref(j);
}

static void restore_listener(const char *name, const char *spec, void *payload)
{
	cloud_daemon *d = payload;
	json_t *j = json_loads(spec, 0, NULL);
	if (cloud_apply_listener(d, j, NULL) < 0)
		event_msg(d, "listener.error", name, "cannot listen again: %s", gf_err_msg());
	json_decref(j);
}

static void restore_group(const char *name, const char *spec, void *payload)
{
	cloud_daemon *d = payload;
	json_t *j = json_loads(spec, 0, NULL);
	cloud_group_load(d, name, j, false);
	json_decref(j);
}

static void restore_inst(const cloud_inst_rec *r, void *payload)
{
	cloud_daemon *d = payload;
	inst *x = inst_new(d);
	x->rec = *r;
	x->since = gf_now();
	if (r->state == CLOUD_INST_TERMINATED || r->state == CLOUD_INST_FAILED)
		return;
	if (cloud_proc_adopt(&x->proc, d->loop, r->pid, r->id, on_proc_exit, x) < 0) {
		set_state(x, CLOUD_INST_FAILED, "lost while the daemon was not running");
		return;
	}
	x->alive = true;
	if (x->rec.pid != cloud_proc_pid(x->proc)) {
		/* Found by its id: its pid was never recorded. */
		x->rec.pid = cloud_proc_pid(x->proc);
		set_state(x, CLOUD_INST_STARTING, NULL);
	}
	group *g = cloud_group_find(d, r->group);
	if (!g) {
		stop(d, NULL, x, false, "its group no longer exists");
		return;
	}
	switch (r->state) {
	case CLOUD_INST_PENDING:
	case CLOUD_INST_STARTING:
	case CLOUD_INST_IN_SERVICE:
		/* Registered again: the lb checks it at once; in_service ones
		 * serve again after healthy_threshold checks. */
		register_targets(d, g, x);
		event_msg(d, "instance.adopted", r->id, "instance %s (pid %d) adopted", r->id,
		          r->pid);
		break;
	default:
		stop(d, g, x, r->state == CLOUD_INST_UNHEALTHY, "stopped after a daemon restart");
		break;
	}
}

/* Frees the memory, the store and the home lock of d (the loop's handles
 * and the data plane are closed by the caller). */
static void daemon_free(cloud_daemon *d)
{
	for (size_t i = 0; i < d->insts.len; i++)
		free(d->insts.items[i]);
	gf_vec_dispose(&d->insts);
	for (size_t i = 0; i < d->groups.len; i++)
		group_free(d->groups.items[i]);
	gf_vec_dispose(&d->groups);
	cloud_ui_free(d->ui);
	cloud_store_close(d->store);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	free(d->home);
	free(d->exe);
	free(d->releases);
	free(d->logs);
	free(d->lock_path);
	free(d);
}

int cloud_daemon_open(cloud_daemon **out, uv_loop_t *loop, const cloud_options *o)
{
	cloud_daemon *d = gf_xcalloc(1, sizeof(*d));
	int rc = 0;
	d->loop = loop;
	d->lock_fd = -1;
	d->home = gf_xstrdup(o->home);
	d->exe = gf_xstrdup(o->exe ? o->exe : "gitfleet");
	d->releases = gf_path_join(o->home, "releases");
	d->logs = gf_path_join(o->home, "logs");
	d->lock_path = gf_path_join(o->home, "run/daemon.lock");
	d->port_lo = o->port_lo ? o->port_lo : 41000;
	d->port_hi = o->port_hi ? o->port_hi : 48999;
	d->port_next = d->port_lo;
	d->tick_interval = o->tick > 0 ? o->tick : 0.05;
	char *run = gf_path_join(o->home, "run"), *db = gf_path_join(o->home, "inventory.db");
	if ((rc = gf_fs_mkdirs(run, 0700)) < 0 || (rc = gf_fs_mkdirs(d->releases, 0755)) < 0 ||
	    (rc = gf_fs_mkdirs(d->logs, 0750)) < 0)
		goto fail;
	if ((rc = lock_home(d)) < 0)
		goto fail;
	if ((rc = cloud_store_open(&d->store, db)) < 0)
		goto fail;
	uv_async_init(loop, &d->lb_changed, on_lb_changed);
	d->lb_changed.data = d;
	lb_options lo;
	lb_options_default(&lo);
	lo.workers = 2;
	lo.on_change = lb_on_change;
	lo.on_change_payload = &d->lb_changed;
	if ((rc = lb_new(&d->lb, &lo)) < 0)
		goto fail;
	uv_timer_init(loop, &d->tick);
	d->tick.data = d;
	cloud_store_list(d->store, CLOUD_TARGET_GROUP, restore_tg, d);
	cloud_store_list(d->store, CLOUD_LISTENER, restore_listener, d);
	cloud_store_list(d->store, CLOUD_ASG, restore_group, d);
	cloud_store_inst_list(d->store, restore_inst, d);
	event_msg(d, "daemon.started", "daemon", "daemon started (pid %d)", (int)getpid());
	cloud_kick(d);
	free(run);
	free(db);
	*out = d;
	return 0;
fail:
	free(run);
	free(db);
	if (d->lb)
		lb_free(d->lb, 0);
	if (d->lb_changed.loop) {
		uv_close((uv_handle_t *)&d->lb_changed, NULL);
		uv_run(loop, UV_RUN_NOWAIT);
	}
	daemon_free(d);
	return rc;
}

static bool any_alive(cloud_daemon *d)
{
	for (size_t i = 0; i < d->insts.len; i++)
		if (d->insts.items[i]->alive)
			return true;
	return false;
}

void cloud_daemon_shutdown(cloud_daemon *d, double grace)
{
	d->stopping = true;
	uv_timer_stop(&d->tick);
	/* Requests in flight need their instances: the data plane finishes
	 * them first, then the instances are stopped. */
	lb_free(d->lb, grace);
	d->lb = NULL;
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (x->alive && x->proc) {
			set_state(x, CLOUD_INST_TERMINATING, "the daemon is stopping");
			cloud_proc_stop(x->proc, x->stop_grace);
		}
	}
	while (any_alive(d))
		uv_run(d->loop, UV_RUN_ONCE);
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (x->rec.state != CLOUD_INST_TERMINATED && x->rec.state != CLOUD_INST_FAILED) {
			set_state(x, CLOUD_INST_TERMINATED, "the daemon stopped");
		}
	}
	event_msg(d, "daemon.stopped", "daemon", "daemon stopped");
	while (d->waiters) {
		struct cloud_waiter *w = d->waiters;
		d->waiters = w->next;
		w->cb("timeout", "the daemon is stopping", w->payload);
		free(w);
	}
	while (d->subs)
		cloud_unsubscribe(d, d->subs);
	uv_close((uv_handle_t *)&d->tick, NULL);
	uv_close((uv_handle_t *)&d->lb_changed, NULL);
	uv_run(d->loop, UV_RUN_NOWAIT);
	daemon_free(d);
}
