/* The API's operations on resources: PUT validates everything (document,
 * references, conflicts) before changing anything, applies the change to
 * the data plane, then stores it (one transaction), putting the data
 * plane back if the store fails; DELETE stores first, then removes from
 * the data plane. GET returns the spec with the observed status. Errors
 * follow docs/api.md: 400 malformed, 422 invalid, 404 unknown, 409
 * conflicting, 500 store_failed (nothing changed). */
#include "cloud/daemon_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cloud_reply_error(cloud_reply *r, int status, const char *code, const char *field,
                       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (field)
		json_object_set_new(e, "field", json_string(field));
	r->status = status;
	r->body = json_pack("{s:o}", "error", e);
}

static void reply(cloud_reply *r, int status, json_t *body)
{
	r->status = status;
	r->body = body;
}

static json_t *load(cloud_daemon *d, cloud_kind k, const char *name)
{
	char *text = NULL;
	if (cloud_store_get(d->store, &text, k, name) < 0)
		return NULL;
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	return j;
}

static bool exists(cloud_daemon *d, cloud_kind k, const char *name)
{
	json_t *j = load(d, k, name);
	json_decref(j);
	return j != NULL;
}

typedef struct {
	json_t *items;
} list_ctx;

static void collect(const char *name, const char *spec, void *payload)
{
	json_t *j = json_loads(spec, 0, NULL);
	if (j)
		json_array_append_new(((list_ctx *)payload)->items, j);
}

/* Every stored spec of kind k, as a new array. */
static json_t *all(cloud_daemon *d, cloud_kind k)
{
	list_ctx c = {json_array()};
	cloud_store_list(d->store, k, collect, &c);
	return c.items;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *listener_tg(const json_t *l)
{
	return str(json_object_get(l, "default_action"), "target_group_id");
}

/* ---- the data plane ------------------------------------------------------------ */

/* A listener lives in the data plane under one of two names, NAME or
 * NAME#2, so that a change opens the new sockets (SO_REUSEPORT) before the
 * old ones close: the port keeps accepting throughout. */
static void lb_names(char *cur, char *next, size_t n, cloud_daemon *d, const char *name)
{
	char alt[96];
	snprintf(alt, sizeof(alt), "%s#2", name);
	bool plain = lb_listener_port(d->lb, name) >= 0;
	snprintf(cur, n, "%s", plain ? name : alt);
	snprintf(next, n, "%s", plain ? alt : name);
}

bool cloud_listener_lb_name(const char *lb_name, const char *name)
{
	size_t n = strlen(name);
	return strncmp(lb_name, name, n) == 0 &&
	       (lb_name[n] == '\0' || strcmp(lb_name + n, "#2") == 0);
}

void cloud_remove_listener(cloud_daemon *d, const char *name)
{
	char cur[96], next[96];
	lb_names(cur, next, sizeof(cur), d, name);
	lb_listener_remove(d->lb, cur);
	lb_listener_remove(d->lb, next);
}

int cloud_apply_listener(cloud_daemon *d, const json_t *spec, const json_t *old)
{
	const char *name = str(spec, "name");
	char addr[96], cur[96], next[96];
	const char *host = str(spec, "address");
	snprintf(addr, sizeof(addr), strchr(host, ':') ? "[%s]:%lld" : "%s:%lld", host,
	         (long long)json_integer_value(json_object_get(spec, "port")));
	lb_names(cur, next, sizeof(cur), d, name);
	const char *use = old ? next : cur;
	int rc = lb_listener_add(d->lb, use, addr, listener_tg(spec));
	if (rc < 0)
		return rc;
	json_t *cidrs = json_object_get(spec, "allow_cidrs");
	size_t n = json_array_size(cidrs);
	const char **v = gf_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(cidrs, i));
	rc = lb_listener_set_allow(d->lb, use, v, n);
	free(v);
	if (rc < 0) {
		lb_listener_remove(d->lb, use);
		return rc;
	}
	if (old)
		lb_listener_remove(d->lb, cur);
	return 0;
}

/* ---- PUT ------------------------------------------------------------------------ */

static bool ports_clash(const json_t *a, const json_t *b)
{
	if (json_integer_value(json_object_get(a, "port")) !=
	    json_integer_value(json_object_get(b, "port")))
		return false;
	const char *x = str(a, "address"), *y = str(b, "address");
	return strcmp(x, y) == 0 || strcmp(x, "0.0.0.0") == 0 || strcmp(y, "0.0.0.0") == 0 ||
	       strcmp(x, "::") == 0 || strcmp(y, "::") == 0;
}

static int put_listener(cloud_daemon *d, cloud_reply *r, const json_t *spec, const json_t *old)
{
	const char *name = str(spec, "name");
	if (!exists(d, CLOUD_LB, str(spec, "load_balancer_id"))) {
		cloud_reply_error(r, 422, "unknown_reference", "load_balancer_id",
		                  "load_balancer_id \"%s\": no such lb; create it first with PUT "
		                  "/v1/lbs/%s",
		                  str(spec, "load_balancer_id"), str(spec, "load_balancer_id"));
		return GF_EINVALID;
	}
	if (!exists(d, CLOUD_TARGET_GROUP, listener_tg(spec))) {
		cloud_reply_error(r, 422, "unknown_reference", "default_action.target_group_id",
		                  "default_action.target_group_id \"%s\": no such target group; "
		                  "create it first with PUT /v1/target-groups/%s",
		                  listener_tg(spec), listener_tg(spec));
		return GF_EINVALID;
	}
	json_t *ls = all(d, CLOUD_LISTENER);
	size_t i;
	json_t *l;
	json_array_foreach(ls, i, l)
	{
		if (strcmp(str(l, "name"), name) != 0 && ports_clash(l, spec)) {
			cloud_reply_error(
			        r, 409, "conflict", "port",
			        "port %lld is already used by listener \"%s\": pick another "
			        "port or change that listener first",
			        (long long)json_integer_value(json_object_get(spec, "port")),
			        str(l, "name"));
			json_decref(ls);
			return GF_EEXISTS;
		}
	}
	json_decref(ls);
	if (old && json_equal(old, spec))
		return 0;
	if (cloud_apply_listener(d, spec, old) < 0) {
		cloud_reply_error(
		        r, 422, "port_unavailable", "port", "cannot listen on port %lld: %s",
		        (long long)json_integer_value(json_object_get(spec, "port")), gf_err_msg());
		return GF_EIO;
	}
	return 0;
}

static int put_tg(cloud_daemon *d, cloud_reply *r, const json_t *spec, const json_t *old)
{
	lb_group_settings s;
	cloud_tg_settings(&s, spec);
	if (lb_health_settings_check(&s.health) < 0) {
		cloud_reply_error(r, 422, "invalid_value", "health_check", "%s", gf_err_msg());
		return GF_EINVALID;
	}
	int rc = old ? lb_group_update(d->lb, str(spec, "name"), &s)
	             : lb_group_add(d->lb, str(spec, "name"), &s);
	if (rc < 0)
		cloud_reply_error(r, 500, "internal", NULL, "%s", gf_err_msg());
	return rc;
}

static int put_lt(cloud_daemon *d, cloud_reply *r, const json_t *spec)
{
	char *dir = gf_path_join(d->releases, str(spec, "release"));
	bool have = gf_fs_is_dir(dir);
	free(dir);
	if (!have) {
		cloud_reply_error(r, 422, "unknown_reference", "release",
		                  "release %s has not been uploaded: PUT the tar archive to "
		                  "/v1/releases/%s first",
		                  str(spec, "release"), str(spec, "release"));
		return GF_EINVALID;
	}
	return 0;
}

static int put_asg(cloud_daemon *d, cloud_reply *r, const json_t *spec)
{
	const char *tmpl = str(spec, "launch_template");
	json_t *v = json_object_get(spec, "launch_template_version");
	int want = json_is_integer(v) ? (int)json_integer_value(v) : 0, got;
	if (!exists(d, CLOUD_LAUNCH_TEMPLATE, tmpl)) {
		cloud_reply_error(r, 422, "unknown_reference", "launch_template",
		                  "launch_template \"%s\": no such launch template; create it "
		                  "first with PUT /v1/launch-templates/%s",
		                  tmpl, tmpl);
		return GF_EINVALID;
	}
	if (cloud_store_version_get(d->store, NULL, &got, tmpl, want) < 0) {
		cloud_reply_error(r, 422, "unknown_reference", "launch_template_version",
		                  "launch template \"%s\" has no version %d: use \"$Latest\" or "
		                  "an existing version",
		                  tmpl, want);
		return GF_EINVALID;
	}
	json_t *tgs = json_object_get(spec, "target_group_ids");
	size_t i;
	json_t *t;
	json_array_foreach(tgs, i, t)
	{
		if (!exists(d, CLOUD_TARGET_GROUP, json_string_value(t))) {
			char field[64];
			snprintf(field, sizeof(field), "target_group_ids[%zu]", i);
			cloud_reply_error(r, 422, "unknown_reference", field,
			                  "%s \"%s\": no such target group; create it first with "
			                  "PUT /v1/target-groups/%s",
			                  field, json_string_value(t), json_string_value(t));
			return GF_EINVALID;
		}
	}
	group *g = cloud_group_find(d, str(spec, "name"));
	if (g && g->pg.deleting) {
		cloud_reply_error(r, 409, "conflict", NULL,
		                  "autoscaling group \"%s\" is being deleted: wait until it is "
		                  "gone, then create it again",
		                  str(spec, "name"));
		return GF_EEXISTS;
	}
	return 0;
}

/* Puts the data plane back as the store has it (`want`, NULL: absent)
 * after a change to it (`have`, NULL: removed) could not be stored, so
 * that a failed request changes nothing (cloud.h, invariant 3). */
static void dataplane_restore(cloud_daemon *d, cloud_kind k, const char *name, const json_t *want,
                              const json_t *have)
{
	int rc = 0;
	lb_group_settings s;
	if (k == CLOUD_LISTENER && !want)
		cloud_remove_listener(d, name);
	else if (k == CLOUD_LISTENER && !json_equal(want, have))
		rc = cloud_apply_listener(d, want, have);
	else if (k == CLOUD_TARGET_GROUP && !want)
		rc = lb_group_remove(d->lb, name);
	else if (k == CLOUD_TARGET_GROUP) {
		cloud_tg_settings(&s, want);
		rc = have ? lb_group_update(d->lb, name, &s) : lb_group_add(d->lb, name, &s);
	}
	if (rc < 0)
		gf_log(GF_LOG_ERROR, "cannot restore the data plane", "kind=%s name=%s err=%s",
		       cloud_kind_path(k), name, GF_LOG_QUOTED(gf_err_msg()));
}

/* Stores spec `text` of k/name, and for a launch template a new version
 * when it differs from the latest (*version: the latest), in one
 * transaction. */
static int store_spec(cloud_daemon *d, int *version, cloud_kind k, const char *name,
                      const json_t *spec, const char *text)
{
	int rc = cloud_store_begin(d->store);
	if (rc == 0)
		rc = cloud_store_put(d->store, k, name, text);
	if (rc == 0 && k == CLOUD_LAUNCH_TEMPLATE) {
		char *latest = NULL;
		json_t *lj = NULL;
		if (cloud_store_version_get(d->store, &latest, version, name, 0) == 0)
			lj = json_loads(latest, 0, NULL);
		if (!lj || !json_equal(lj, spec))
			rc = cloud_store_version_add(d->store, version, name, text);
		json_decref(lj);
		free(latest);
	}
	if (rc == 0)
		rc = cloud_store_commit(d->store);
	if (rc < 0)
		cloud_store_rollback(d->store);
	return rc;
}

void cloud_put(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name, const json_t *body)
{
	cloud_spec_error err;
	json_t *spec = NULL, *old = NULL;
	if (cloud_spec_decode(&spec, &err, k, name, body) < 0) {
		cloud_reply_error(r, err.status,
		                  err.status == 400 ? "invalid_request" : "invalid_value",
		                  err.field[0] ? err.field : NULL, "%s", err.message);
		return;
	}
	old = load(d, k, name);
	int rc = 0;
	switch (k) {
	case CLOUD_LISTENER:
		rc = put_listener(d, r, spec, old);
		break;
	case CLOUD_TARGET_GROUP:
		rc = put_tg(d, r, spec, old);
		break;
	case CLOUD_LAUNCH_TEMPLATE:
		rc = put_lt(d, r, spec);
		break;
	case CLOUD_ASG:
		rc = put_asg(d, r, spec);
		break;
	default:
		break;
	}
	if (rc < 0)
		goto done;
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	int version = 0;
	bool created = old == NULL;
	rc = store_spec(d, &version, k, name, spec, text);
	free(text);
	if (rc < 0) {
		cloud_reply_error(r, 500, "store_failed", NULL, "%s \"%s\" was not changed: %s",
		                  cloud_kind_name(k), name, gf_err_msg());
		dataplane_restore(d, k, name, old, spec);
		goto done;
	}
	if (k == CLOUD_LAUNCH_TEMPLATE)
		cloud_groups_retarget(d, name);
	if (k == CLOUD_ASG)
		cloud_group_load(d, name, spec, true);
	if (!old || !json_equal(old, spec)) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s %s %s%s", cloud_kind_name(k), name,
		         created ? "created" : "updated",
		         k == CLOUD_LAUNCH_TEMPLATE ? " (see latest_version)" : "");
		json_t *ev = json_pack("{s:s, s:s}", "message", msg, "kind", cloud_kind_path(k));
		if (version)
			json_object_set_new(ev, "latest_version", json_integer(version));
		cloud_event(d, created ? "resource.created" : "resource.updated", name, ev);
	}
	cloud_get(d, r, k, name);
	if (created && r->status == 200)
		r->status = 201;
done:
	json_decref(spec);
	json_decref(old);
}

/* ---- GET --------------------------------------------------------------------------- */

static json_t *inst_json(cloud_daemon *d, const inst *x)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:s, s:s, s:I, s:f}", "id",
	                      x->rec.id, "group", x->rec.group, "launch_template", x->rec.tmpl,
	                      "version", x->rec.version, "release", x->rec.release, "port",
	                      x->rec.port, "pid", x->alive ? x->rec.pid : 0, "state",
	                      cloud_inst_state_name(x->rec.state), "reason", x->rec.reason,
	                      "created_ms", (json_int_t)x->rec.created_ms, "age_seconds",
	                      (double)(gf_wall_ms() - x->rec.created_ms) / 1000.0);
	return j;
}

void cloud_group_status(cloud_daemon *d, json_t *out, group *g)
{
	json_t *insts = json_array();
	int in_service = 0;
	for (size_t i = 0; i < d->insts.len; i++) {
		inst *x = d->insts.items[i];
		if (strcmp(x->rec.group, g->name) != 0 || x->rec.state == CLOUD_INST_TERMINATED ||
		    x->rec.state == CLOUD_INST_FAILED)
			continue;
		in_service += x->rec.state == CLOUD_INST_IN_SERVICE;
		json_array_append_new(insts, inst_json(d, x));
	}
	json_t *st = json_pack("{s:s, s:i, s:i, s:i, s:o}", "phase",
	                       g->pg.deleting  ? "deleting"
	                       : g->have_phase ? cloud_phase_name(g->phase)
	                                       : "pending",
	                       "version", g->pg.version, "good_version", g->pg.good_version,
	                       "in_service", in_service, "instances", insts);
	if (g->pg.failed_version) {
		json_object_set_new(st, "failed_version", json_integer(g->pg.failed_version));
		json_object_set_new(st, "reason", json_string(g->pg.reason));
	}
	json_object_set_new(out, "status", st);
}

const char *cloud_target_instance(cloud_daemon *d, const char *address)
{
	const char *colon = strrchr(address, ':');
	int port = colon ? atoi(colon + 1) : 0;
	const char *id = NULL;
	for (size_t k = 0; k < d->insts.len; k++)
		if (d->insts.items[k]->rec.port == port &&
		    d->insts.items[k]->rec.state != CLOUD_INST_TERMINATED &&
		    d->insts.items[k]->rec.state != CLOUD_INST_FAILED)
			id = d->insts.items[k]->rec.id;
	return id;
}

static json_t *tg_status(cloud_daemon *d, const char *name)
{
	lb_snapshot s;
	memset(&s, 0, sizeof(s));
	json_t *targets = json_array();
	if (lb_stats(d->lb, &s) == 0) {
		for (size_t i = 0; i < s.ntargets; i++) {
			lb_target_stats *t = &s.targets[i];
			if (strcmp(t->group, name) != 0)
				continue;
			json_t *tj = json_pack("{s:s, s:s, s:s, s:I}", "address", t->address,
			                       "state", lb_target_state_name(t->state), "reason",
			                       t->reason ? t->reason : "", "requests",
			                       (json_int_t)t->c.requests);
			const char *id = cloud_target_instance(d, t->address);
			if (id)
				json_object_set_new(tj, "instance", json_string(id));
			json_array_append_new(targets, tj);
		}
		lb_snapshot_dispose(&s);
	}
	return json_pack("{s:o}", "targets", targets);
}

/* {"1xx": N, ... "5xx": N} */
static json_t *responses_json(const lb_counters *c)
{
	json_t *r = json_object();
	for (int k = 0; k < 5; k++) {
		char cls[8];
		snprintf(cls, sizeof(cls), "%dxx", k + 1);
		json_object_set_new(r, cls, json_integer((json_int_t)c->responses[k]));
	}
	return r;
}

/* {"bounds": [s...], "buckets": [N... one more than bounds, not cumulative],
 *  "sum_seconds": s}: enough for a client to compute rates and quantiles. */
static json_t *latency_json(const lb_counters *c)
{
	json_t *bounds = json_array(), *buckets = json_array();
	for (size_t b = 0; b < LB_LATENCY_BUCKETS; b++) {
		if (b < LB_LATENCY_BUCKETS - 1)
			json_array_append_new(bounds, json_real(lb_latency_bounds[b]));
		json_array_append_new(buckets, json_integer((json_int_t)c->latency[b]));
	}
	return json_pack("{s:o, s:o, s:f}", "bounds", bounds, "buckets", buckets, "sum_seconds",
	                 (double)c->latency_sum_us / 1e6);
}

static json_t *listener_status(cloud_daemon *d, const char *name)
{
	lb_snapshot s;
	memset(&s, 0, sizeof(s));
	json_t *st = json_pack("{s:b}", "bound", false);
	if (lb_stats(d->lb, &s) == 0) {
		for (size_t i = 0; i < s.nlisteners; i++) {
			lb_listener_stats *l = &s.listeners[i];
			if (!cloud_listener_lb_name(l->name, name))
				continue;
			json_decref(st);
			st = json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:I}", "bound", true,
			               "address", l->address, "requests", (json_int_t)l->c.requests,
			               "responses_5xx", (json_int_t)l->c.responses[4],
			               "active_connections", (json_int_t)l->c.active, "bytes_in",
			               (json_int_t)l->c.bytes_in, "bytes_out",
			               (json_int_t)l->c.bytes_out);
			json_object_set_new(st, "responses", responses_json(&l->c));
			json_object_set_new(st, "latency", latency_json(&l->c));
		}
		lb_snapshot_dispose(&s);
	}
	return st;
}

/* Adds "status" (and for templates "latest_version") to a spec. */
static void add_status(cloud_daemon *d, cloud_kind k, json_t *spec)
{
	const char *name = str(spec, "name");
	json_object_set_new(spec, "id", json_string(name));
	switch (k) {
	case CLOUD_LB: {
		json_t *ls = all(d, CLOUD_LISTENER), *names = json_array();
		size_t i;
		json_t *l;
		json_array_foreach(ls, i, l) if (strcmp(str(l, "load_balancer_id"), name) == 0)
		        json_array_append_new(names, json_string(str(l, "name")));
		json_decref(ls);
		json_object_set_new(spec, "status", json_pack("{s:o}", "listeners", names));
		break;
	}
	case CLOUD_LISTENER:
		json_object_set_new(spec, "status", listener_status(d, name));
		break;
	case CLOUD_TARGET_GROUP:
		json_object_set_new(spec, "status", tg_status(d, name));
		break;
	case CLOUD_LAUNCH_TEMPLATE: {
		int v = 0;
		cloud_store_version_get(d->store, NULL, &v, name, 0);
		json_object_set_new(spec, "latest_version", json_integer(v));
		json_object_set_new(spec, "status", json_pack("{s:i}", "latest_version", v));
		break;
	}
	case CLOUD_ASG: {
		group *g = cloud_group_find(d, name);
		if (g)
			cloud_group_status(d, spec, g);
		break;
	}
	default:
		break;
	}
}

void cloud_get(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name)
{
	json_t *spec = load(d, k, name);
	if (!spec) {
		cloud_reply_error(r, 404, "not_found", NULL, "%s \"%s\" not found",
		                  cloud_kind_name(k), name);
		return;
	}
	add_status(d, k, spec);
	reply(r, 200, spec);
}

void cloud_list(cloud_daemon *d, cloud_reply *r, cloud_kind k)
{
	json_t *items = all(d, k);
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) add_status(d, k, x);
	reply(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- DELETE ------------------------------------------------------------------------ */

/* 409 naming the first resource of kind `by` whose `key` (or, with `in`,
 * whose array `key`) refers to `name`. */
static bool referenced(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name,
                       cloud_kind by, const char *key, bool in_action, bool in_array)
{
	json_t *items = all(d, by);
	size_t i;
	json_t *x;
	bool found = false;
	json_array_foreach(items, i, x)
	{
		json_t *v = in_action ? json_object_get(json_object_get(x, "default_action"), key)
		                      : json_object_get(x, key);
		bool hit = false;
		if (in_array) {
			size_t j;
			json_t *e;
			json_array_foreach(v, j, e) hit |= strcmp(json_string_value(e), name) == 0;
		} else {
			hit = json_is_string(v) && strcmp(json_string_value(v), name) == 0;
		}
		if (hit) {
			cloud_reply_error(r, 409, "conflict", NULL,
			                  "%s \"%s\" is still used by %s \"%s\": change or delete "
			                  "that first",
			                  cloud_kind_name(k), name, cloud_kind_name(by),
			                  str(x, "name"));
			found = true;
			break;
		}
	}
	json_decref(items);
	return found;
}

void cloud_delete(cloud_daemon *d, cloud_reply *r, cloud_kind k, const char *name)
{
	json_t *spec = load(d, k, name);
	if (!spec) {
		cloud_reply_error(r, 404, "not_found", NULL, "%s \"%s\" not found",
		                  cloud_kind_name(k), name);
		return;
	}
	switch (k) {
	case CLOUD_LB:
		if (referenced(d, r, k, name, CLOUD_LISTENER, "load_balancer_id", false, false))
			goto done;
		break;
	case CLOUD_TARGET_GROUP:
		if (referenced(d, r, k, name, CLOUD_LISTENER, "target_group_id", true, false) ||
		    referenced(d, r, k, name, CLOUD_ASG, "target_group_ids", false, true))
			goto done;
		if (lb_group_remove(d->lb, name) < 0 && gf_err_code() != GF_ENOTFOUND) {
			cloud_reply_error(r, 409, "conflict", NULL,
			                  "target group \"%s\" still drains targets (%s): retry "
			                  "after its deregistration_delay",
			                  name, gf_err_msg());
			goto done;
		}
		break;
	case CLOUD_LAUNCH_TEMPLATE:
		if (referenced(d, r, k, name, CLOUD_ASG, "launch_template", false, false))
			goto done;
		break;
	case CLOUD_ASG: {
		group *g = cloud_group_find(d, name);
		if (g) {
			/* The planner drains every instance; the group is forgotten
			 * when the last one is gone. Recorded first, so that a
			 * restart in between goes on deleting. */
			g->pg.deleting = true;
			if (cloud_save_group(d, g) < 0) {
				g->pg.deleting = false;
				cloud_reply_error(r, 500, "store_failed", NULL,
				                  "autoscaling group \"%s\" was not deleted: %s",
				                  name, gf_err_msg());
				goto done;
			}
			g->have_phase = false;
			cloud_kick(d);
			cloud_event(d, "resource.deleting", name,
			            json_pack("{s:s}", "message", "autoscaling group deleting"));
			reply(r, 202, json_pack("{s:s, s:s}", "name", name, "status", "deleting"));
			goto done;
		}
		break;
	}
	default:
		break;
	}
	int rc = cloud_store_begin(d->store);
	if (rc == 0 && k == CLOUD_LAUNCH_TEMPLATE)
		rc = cloud_store_versions_delete(d->store, name);
	if (rc == 0)
		rc = cloud_store_delete(d->store, k, name);
	if (rc == 0)
		rc = cloud_store_commit(d->store);
	if (rc < 0) {
		cloud_store_rollback(d->store);
		cloud_reply_error(r, 500, "store_failed", NULL, "%s \"%s\" was not deleted: %s",
		                  cloud_kind_name(k), name, gf_err_msg());
		if (k == CLOUD_TARGET_GROUP) /* the only kind already removed */
			dataplane_restore(d, k, name, spec, NULL);
		goto done;
	}
	if (k == CLOUD_LISTENER)
		cloud_remove_listener(d, name);
	char msg[160];
	snprintf(msg, sizeof(msg), "%s %s deleted", cloud_kind_name(k), name);
	cloud_event(d, "resource.deleted", name, json_pack("{s:s}", "message", msg));
	reply(r, 200, json_pack("{s:s, s:s}", "name", name, "status", "deleted"));
done:
	json_decref(spec);
}

/* ---- releases, instances -------------------------------------------------------- */

void cloud_release_head(cloud_daemon *d, cloud_reply *r, const char *sha256)
{
	char *dir = gf_path_join(d->releases, sha256);
	if (cloud_is_sha256(sha256) && gf_fs_is_dir(dir))
		reply(r, 200, json_pack("{s:s}", "id", sha256));
	else
		cloud_reply_error(r, 404, "not_found", NULL, "release %s has not been uploaded",
		                  sha256);
	free(dir);
}

void cloud_release_put(cloud_daemon *d, cloud_reply *r, const char *sha256, const void *tar,
                       size_t len)
{
	int rc = cloud_release_unpack(d->releases, sha256, tar, len);
	if (rc == GF_EEXISTS) {
		reply(r, 200, json_pack("{s:s, s:b}", "id", sha256, "created", false));
	} else if (rc == GF_EINVALID) {
		cloud_reply_error(r, 422, "invalid_release", NULL, "%s", gf_err_msg());
	} else if (rc == GF_ETOOBIG) {
		cloud_reply_error(r, 413, "too_large", NULL, "%s", gf_err_msg());
	} else if (rc < 0) {
		cloud_reply_error(r, 500, "internal", NULL, "%s", gf_err_msg());
	} else {
		cloud_event(d, "release.uploaded", sha256,
		            json_pack("{s:s}", "message", "release uploaded"));
		reply(r, 201, json_pack("{s:s, s:b}", "id", sha256, "created", true));
	}
}

void cloud_instances(cloud_daemon *d, cloud_reply *r)
{
	json_t *items = json_array();
	for (size_t i = 0; i < d->insts.len; i++)
		json_array_append_new(items, inst_json(d, d->insts.items[i]));
	reply(r, 200, json_pack("{s:o}", "items", items));
}

int cloud_instance_log(cloud_daemon *d, char **path, const char *id)
{
	for (size_t i = 0; i < d->insts.len; i++)
		if (strcmp(d->insts.items[i]->rec.id, id) == 0) {
			*path = gf_xasprintf("%s/%s.log", d->logs, id);
			return 0;
		}
	return gf_err_set(GF_ENOTFOUND, "instance %s not found", id);
}
