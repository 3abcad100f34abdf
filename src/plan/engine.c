/* plan_make: refresh, expansion of module calls, count and for_each,
 * lifecycle rules, one action per instance, data source reads, orphans,
 * outputs (plan.h, notes 1, 2 and 2b). */
#include "plan/plan_int.h"

#include "hcl/hcl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *plan_action_name(plan_action a)
{
	static const char *const names[] = {"no-op",   "create",  "update", "delete",
	                                    "replace", "replace", "read",   "forget"};
	return names[a];
}

/* A JSON value of the state as a dynamic value, as hcl_value_from_json
 * reads the same text: objects, tuples, strings, numbers (an integer that
 * a double cannot hold exactly is refused), booleans and null. Built
 * straight from the parsed tree: the state's attributes of every instance
 * go through here on each plan, and printing them to parse them again cost
 * more than the rest of the plan. NULL with *why set on failure. */
static const hcl_value *value_of_json(gf_arena *a, const json_t *j, int depth, const char **why)
{
	if (depth > HCL_MAX_DEPTH) {
		*why = gf_arena_printf(a, "JSON nested deeper than %d levels", HCL_MAX_DEPTH);
		return NULL;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(j), i = 0;
		const char **keys = gf_arena_alloc(a, (n ? n : 1) * sizeof(*keys));
		const hcl_value **vals = gf_arena_alloc(a, (n ? n : 1) * sizeof(*vals));
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
		{
			keys[i] = gf_arena_strdup(a, k);
			if (!(vals[i++] = value_of_json(a, v, depth + 1, why)))
				return NULL;
		}
		return hcl_object(a, keys, vals, n);
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		const hcl_value **items = gf_arena_alloc(a, (n ? n : 1) * sizeof(*items));
		for (size_t i = 0; i < n; i++)
			if (!(items[i] = value_of_json(a, json_array_get(j, i), depth + 1, why)))
				return NULL;
		return hcl_tuple(a, items, n);
	}
	case JSON_STRING:
		return hcl_string(a, json_string_value(j), json_string_length(j));
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(j);
		double d = (double)i;
		if ((d >= 9223372036854775808.0 || (json_int_t)d != i)) {
			*why = gf_arena_printf(a,
			                       "the integer %lld cannot be represented exactly "
			                       "(numbers are 64-bit floating point, exact to "
			                       "9007199254740992); quote it as a string to keep "
			                       "every digit",
			                       (long long)i);
			return NULL;
		}
		return hcl_number(a, d);
	}
	case JSON_REAL:
		return hcl_number(a, json_real_value(j));
	case JSON_TRUE:
		return &hcl_true;
	case JSON_FALSE:
		return &hcl_false;
	default:
		return &hcl_null_dynamic;
	}
}

const hcl_value *plani_object_from_json(gf_arena *a, const provider_schema *s, const json_t *j)
{
	const char *why = NULL;
	const hcl_value *v = value_of_json(a, j, 1, &why);
	const hcl_value *c = v ? hcl_convert(a, v, provider_object_type(a, &s->body), &why) : NULL;
	if (!c)
		gf_err_set(GF_EINVALID, "attributes do not fit the schema of %s: %s", s->type,
		           why ? why : "?");
	return c;
}

json_t *plani_object_to_json(gf_arena *a, const hcl_value *v)
{
	const char *text = hcl_value_to_json(a, v);
	return text ? json_loads(text, JSON_DECODE_ANY, NULL) : json_null();
}

static hcl_diag *error_at(plani_engine *e, const hcl_range *r, const char *summary, const char *fmt,
                          ...) GF_PRINTF(4, 5);
static hcl_diag *error_at(plani_engine *e, const hcl_range *r, const char *summary, const char *fmt,
                          ...)
{
	gf_buf b = GF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	gf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hcl_diag *d =
	        hcl_diags_add(&e->cfg->diags, HCL_DIAG_ERROR, r, summary, "%s", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return d;
}

static plan_change *change_new(plani_engine *e, const state_addr *sa, const provider_schema *s,
                               plani_modinst *mi)
{
	plan_change *c = gf_arena_alloc(&e->p->arena, sizeof(*c));
	c->mi = mi;
	state_addr_copy(&c->saddr, sa);
	char *text = state_addr_string(sa);
	c->addr = gf_arena_strdup(&e->p->arena, text);
	free(text);
	c->schema = s;
	c->seq = e->p->changes.len;
	gf_vec_push(&e->p->changes, c);
	return c;
}

/* ---- refresh ------------------------------------------------------------------ */

static const hcl_value *prior_object(plani_engine *e, const state_addr *sa,
                                     const provider_schema *s, state_instance **inst)
{
	char *key = state_addr_string(sa);
	state_instance *i = plani_map_get(&e->by_addr, key);
	if (inst)
		*inst = i;
	const hcl_value *v = i ? plani_object_from_json(&e->p->arena, s, i->attributes) : NULL;
	if (i && !v)
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_ERROR, NULL, "Invalid resource state",
		              "The state of %s cannot be read: %s.", key, gf_err_msg());
	free(key);
	return v;
}

static int index_one(const state_resource *r, state_instance *i, void *payload)
{
	plani_engine *e = payload;
	state_addr a;
	if (state_instance_addr(&a, r, i) < 0)
		return 0;
	char *key = state_addr_string(&a);
	plani_map_put(&e->by_addr, gf_arena_strdup(&e->p->arena, key), i);
	free(key);
	state_addr_dispose(&a);
	return 0;
}

/* Indexes the prior instances by address (again after refresh removed
 * some). */
static void index_prior(plani_engine *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->p->prior->resources.len; i++)
		n += e->p->prior->resources.items[i]->instances.len;
	plani_map_init(&e->by_addr, &e->p->arena, n);
	state_foreach_instance(e->p->prior, index_one, e);
}

static bool refresh(plani_engine *e, const provider_conn *conn)
{
	index_prior(e);
	char **addrs = NULL;
	size_t n = state_list(&addrs, e->p->prior, NULL, 0);
	bool ok = true;
	for (size_t k = 0; k < n && ok; k++) {
		state_addr sa;
		if (state_addr_parse(&sa, addrs[k]) < 0)
			continue;
		const provider_schema *s = sa.type ? provider_schema_find(sa.type) : NULL;
		if (!s || sa.mode != STATE_MANAGED) {
			state_addr_dispose(&sa);
			continue;
		}
		state_instance *si = NULL;
		const hcl_value *before = prior_object(e, &sa, s, &si);
		const hcl_value *after = NULL;
		if (before && e->p->opts.on_refresh)
			e->p->opts.on_refresh(addrs[k], provider_object_id(before),
			                      e->p->opts.payload);
		if (!before) {
			ok = false;
		} else if (provider_read(&after, &e->p->arena, conn, s, before) < 0) {
			error_at(e, NULL, "Failed to read the current state", "Refreshing %s: %s",
			         addrs[k], gf_err_msg());
			ok = false;
		} else if (!after) {
			plan_drift d = {gf_arena_strdup(&e->p->arena, addrs[k]), s, before, NULL};
			gf_vec_push(&e->p->drift, d);
			state_instance_remove(e->p->prior, &sa);
		} else if (!hcl_value_equal(before, after)) {
			plan_drift d = {gf_arena_strdup(&e->p->arena, addrs[k]), s, before, after};
			gf_vec_push(&e->p->drift, d);
			state_instance_set_attributes(si,
			                              plani_object_to_json(&e->p->arena, after));
		}
		state_addr_dispose(&sa);
	}
	state_strings_free(addrs, n);
	return ok;
}

/* ---- one instance -------------------------------------------------------------- */

static bool addr_listed(const state_addr *sa, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		state_addr t;
		if (state_addr_parse(&t, list[i]) < 0)
			continue;
		bool eq = state_addr_equal(&t, sa);
		state_addr_dispose(&t);
		if (eq)
			return true;
	}
	return false;
}

static bool triggered(plani_engine *e, const plani_node *self)
{
	const hcl_expr *x = self->res->lifecycle.replace_triggered_by;
	if (!x || x->kind != HCL_EXPR_TUPLE)
		return false;
	for (size_t i = 0; i < x->u.tuple.len; i++) {
		const hcl_expr *t = x->u.tuple.items[i];
		hcl_ref ref;
		if (t->kind != HCL_EXPR_SCOPE_TRAVERSAL ||
		    !hcl_ref_parse(&ref, t, &e->cfg->diags) || ref.kind != HCL_REF_RESOURCE)
			continue;
		plani_node *n = plani_node_find(e, self->m, CONFIG_MANAGED, ref.type, ref.name);
		/* as Terraform: an update or replacement triggers, a creation
		 * does not (the instance referring to it is new then too) */
		for (size_t k = 0; n && k < n->insts.len; k++) {
			plan_action act = n->insts.items[k]->action;
			if (act == PLAN_UPDATE || act == PLAN_DELETE_CREATE ||
			    act == PLAN_CREATE_DELETE)
				return true;
		}
	}
	return false;
}

static const hcl_value *ignore_changes(plani_engine *e, const plani_node *n, const hcl_value *cfgv,
                                       const hcl_value *before)
{
	const hcl_expr *x = n->res->lifecycle.ignore_changes;
	if (!x || !before)
		return cfgv;
	gf_arena *a = &e->p->arena;
	const char *kw = hcl_expr_as_keyword(x);
	bool all = kw && strcmp(kw, "all") == 0;
	const hcl_value *out = cfgv;
	for (size_t i = 0; i < cfgv->u.coll.len; i++) {
		const char *name = cfgv->u.coll.keys[i];
		bool ignore = all;
		for (size_t k = 0; !all && x->kind == HCL_EXPR_TUPLE && k < x->u.tuple.len; k++) {
			const hcl_expr *t = x->u.tuple.items[k];
			if (t->kind == HCL_EXPR_SCOPE_TRAVERSAL && !strcmp(t->u.scope.root, name))
				ignore = true;
		}
		if (ignore) {
			const hcl_value *bv = hcl_value_get(before, name);
			const provider_attr *pa = provider_attr_find(&n->schema->body, name);
			if (bv && (!pa || pa->flags != PROVIDER_COMPUTED)) {
				const char **keys =
				        gf_arena_alloc(a, out->u.coll.len * sizeof(*keys));
				const hcl_value **vals =
				        gf_arena_alloc(a, out->u.coll.len * sizeof(*vals));
				for (size_t j = 0; j < out->u.coll.len; j++) {
					keys[j] = out->u.coll.keys[j];
					vals[j] = j == i ? bv : out->u.coll.items[j];
				}
				out = hcl_object(a, keys, vals, out->u.coll.len);
			}
		}
	}
	return out;
}

const hcl_value *plani_decode(plani_engine *e, const plan_change *c)
{
	config_context ctx = {0};
	ctx.count_index = c->count_index;
	ctx.each_key = c->each_key;
	ctx.each_value = c->each_value;
	return provider_decode(&e->p->arena, c->schema, c->res->body, &c->res->decl_range,
	                       plani_scope(e, c->mi, &ctx), &e->cfg->diags);
}

const hcl_value *plani_planned_lookup(void *payload, const char *type, const char *id)
{
	plani_engine *e = payload;
	for (size_t i = 0; i < e->p->changes.len; i++) {
		plan_change *c = e->p->changes.items[i];
		const hcl_value *v = plani_change_value(e, c);
		if (v && c->saddr.mode == STATE_MANAGED && !strcmp(c->schema->type, type)) {
			const char *cid = provider_object_id(v);
			if (cid && !strcmp(cid, id))
				return v;
		}
	}
	return NULL;
}

static void set_deps(plani_engine *e, plan_change *c, const plani_node *n)
{
	c->ndeps = n->ndeps;
	c->deps = gf_arena_alloc(&e->p->arena, (n->ndeps + 1) * sizeof(char *));
	for (size_t i = 0; i < n->ndeps; i++)
		c->deps[i] = e->nodes[n->deps[i]].addr;
}

/* The change of one instance of node n, with its key bound. */
static plan_change *instance_new(plani_engine *e, plani_node *n, plani_modinst *mi,
                                 const state_addr *sa, const plani_key *k)
{
	plan_change *c = change_new(e, sa, n->schema, mi);
	c->res = n->res;
	c->create_before_destroy = n->cbd;
	if (n->res->count)
		c->count_index = k->index;
	else if (n->res->for_each) {
		c->each_key = k->index;
		c->each_value = k->each_value;
	}
	set_deps(e, c, n);
	gf_vec_push(&n->insts, c);
	return c;
}

/* Whether instance sa is selected by a -target (all are without any). */
static bool targets_match(plani_engine *e, const state_addr *sa)
{
	bool any = e->p->opts.ntargets == 0;
	for (size_t i = 0; i < e->p->opts.ntargets && !any; i++) {
		state_addr t;
		if (state_addr_parse(&t, e->p->opts.targets[i]) < 0)
			continue;
		any = state_addr_matches(&t, sa);
		state_addr_dispose(&t);
	}
	return any;
}

/* Whether instance sa of node n is planned under -target. */
static bool in_targets(plani_engine *e, const plani_node *n, const state_addr *sa)
{
	return n->targeted && (n->targeted_all || targets_match(e, sa));
}

/* Whether a dependency of n has changes planned: its read waits. */
static bool pending(plani_engine *e, const plani_node *n)
{
	for (size_t i = 0; i < n->ndeps; i++) {
		const plani_node *d = &e->nodes[n->deps[i]];
		for (size_t k = 0; k < d->insts.len; k++)
			if (d->insts.items[k]->action != PLAN_NOOP)
				return true;
	}
	return false;
}

/* A data source instance: read now, or planned as a read during apply
 * (plan.h, note 2b). */
static void plan_data(plani_engine *e, plani_node *n, plani_modinst *mi, const state_addr *sa,
                      const plani_key *k)
{
	plan_change *c = instance_new(e, n, mi, sa, k);
	c->action = PLAN_NOOP;
	if (!in_targets(e, n, sa)) { /* -target: what the state has */
		c->before = c->after = prior_object(e, sa, n->schema, NULL);
		return;
	}
	const hcl_value *cfgv = plani_decode(e, c);
	if (!cfgv)
		return;
	c->config = cfgv;
	bool unknown = !hcl_value_is_wholly_known(cfgv);
	if (unknown || pending(e, n)) {
		c->action = PLAN_READ;
		c->after = provider_data_plan(&e->p->arena, n->schema, cfgv);
		c->reason = unknown ? "config refers to values not yet known"
		                    : "depends on a resource or a module with changes pending";
		return;
	}
	const plan_options *o = &e->p->opts;
	double started = gf_now();
	if (o->on_read)
		o->on_read(c->addr, false, NULL, 0, o->payload);
	if (provider_data_read(&c->after, &e->p->arena, e->conn, n->schema, cfgv) < 0) {
		error_at(e, &n->res->decl_range, "Failed to read data source", "%s: %s", c->addr,
		         gf_err_msg());
		return;
	}
	if (o->on_read)
		o->on_read(c->addr, true, provider_object_id(c->after), gf_now() - started,
		           o->payload);
	c->before = c->after;
}

static void plan_instance(plani_engine *e, plani_node *n, plani_modinst *mi, const state_addr *sa,
                          const plani_key *k)
{
	plan_change *c = instance_new(e, n, mi, sa, k);
	state_instance *si = NULL;
	c->before = prior_object(e, sa, n->schema, &si);
	if (!in_targets(e, n, sa)) { /* -target: left as it is */
		c->after = c->before;
		c->action = PLAN_NOOP;
		return;
	}
	const hcl_value *cfgv = plani_decode(e, c);
	if (!cfgv)
		return;
	c->config = cfgv = ignore_changes(e, n, cfgv, c->before);
	bool force = false;
	if (c->before && si && si->tainted) {
		force = true;
		c->reason = "because it is tainted, so it must be replaced";
	} else if (c->before && addr_listed(sa, e->p->opts.replaces, e->p->opts.nreplaces)) {
		force = true;
		c->reason = "because of -replace";
	} else if (c->before && triggered(e, n)) {
		force = true;
		c->reason = "because of a change in a replace_triggered_by reference";
	}
	provider_plan_ctx pctx = {plani_planned_lookup, e};
	c->after = provider_plan(&e->p->arena, n->schema, cfgv, force ? NULL : c->before, &pctx,
	                         &c->replace_paths, &c->nreplace);
	if (!c->after) {
		error_at(e, &n->res->decl_range, "Invalid resource configuration", "%s: %s",
		         c->addr, gf_err_msg());
		return;
	}
	if (e->p->opts.refresh_only) {
		c->after = c->before;
		c->action = PLAN_NOOP;
		return;
	}
	if (!c->before)
		c->action = PLAN_CREATE;
	else if (force || c->nreplace)
		c->action = c->create_before_destroy ? PLAN_CREATE_DELETE : PLAN_DELETE_CREATE;
	else
		c->action = hcl_value_equal(c->before, c->after) ? PLAN_NOOP : PLAN_UPDATE;
	if (force && !c->nreplace && c->action != PLAN_CREATE) {
		/* everything computed is new: known after apply */
		c->after = provider_plan(&e->p->arena, n->schema, cfgv, NULL, &pctx,
		                         &c->replace_paths, &c->nreplace);
	}
	if ((c->action == PLAN_DELETE_CREATE || c->action == PLAN_CREATE_DELETE) &&
	    n->res->lifecycle.prevent_destroy)
		error_at(e, &n->res->decl_range, "Instance cannot be destroyed",
		         "Resource %s has lifecycle.prevent_destroy set, but the plan calls for "
		         "this resource to be destroyed. To avoid this error and continue with "
		         "the plan, either disable lifecycle.prevent_destroy or reduce the scope "
		         "of the plan using the -target flag.",
		         c->addr);
}

/* Every instance of node n: in every instance of its module, one per key
 * of its count or for_each. */
static void expand(plani_engine *e, plani_node *n)
{
	plani_modinst **mis = NULL;
	size_t nmi = 0;
	plani_modinsts_of(e, n->m, &mis, &nmi);
	for (size_t i = 0; i < nmi; i++) {
		plani_key *keys = NULL;
		size_t nk = 0;
		if (!plani_instance_keys(e, mis[i], n->res->count, n->res->for_each, &keys, &nk))
			continue;
		for (size_t k = 0; k < nk; k++) {
			state_addr sa = {.modules = mis[i]->steps,
			                 .nmodules = mis[i]->nsteps,
			                 .type = (char *)n->res->type,
			                 .name = (char *)n->res->name,
			                 .mode = n->res->mode == CONFIG_DATA ? STATE_DATA
			                                                     : STATE_MANAGED,
			                 .key = keys[k].key};
			if (n->res->mode == CONFIG_DATA)
				plan_data(e, n, mis[i], &sa, &keys[k]);
			else
				plan_instance(e, n, mis[i], &sa, &keys[k]);
		}
		free(keys);
	}
	free(mis);
}

/* ---- orphans, destroy, outputs ------------------------------------------------------ */

/* Whether node n has instances planned in sa's module instance. */
static bool module_planned(const plani_node *n, const state_addr *sa)
{
	for (size_t i = 0; n && i < n->insts.len; i++) {
		state_addr m = n->insts.items[i]->saddr;
		m.key = sa->key;
		if (state_addr_equal(&m, sa))
			return true;
	}
	return false;
}

/* "module.web[\"b\"]": the module part of sa, arena string. */
static const char *module_text(plani_engine *e, const state_addr *sa)
{
	char *t = state_addr_module_string(sa);
	const char *out = gf_arena_strdup(&e->p->arena, t);
	free(t);
	return out;
}

static void plan_deletes(plani_engine *e)
{
	char **addrs = NULL;
	size_t n = state_list(&addrs, e->p->prior, NULL, 0);
	plani_map by_addr;
	plani_map_init(&by_addr, &e->p->arena, e->p->changes.len);
	for (size_t i = 0; i < e->p->changes.len; i++)
		plani_map_put(&by_addr, e->p->changes.items[i]->addr, e->p->changes.items[i]);
	for (size_t k = 0; k < n; k++) {
		state_addr sa;
		if (state_addr_parse(&sa, addrs[k]) < 0)
			continue;
		if (sa.mode != STATE_MANAGED) {
			state_addr_dispose(&sa);
			continue;
		}
		const provider_schema *s = provider_schema_find(sa.type);
		plani_node *node = plani_node_of(e, &sa);
		plan_change *planned = plani_map_get(&by_addr, addrs[k]);
		bool targeted = targets_match(e, &sa);
		if (!s) {
			error_at(e, NULL, "Unknown resource type in state",
			         "The state holds %s, whose type gitfleet does not know.",
			         addrs[k]);
		} else if (e->p->opts.destroy && targeted) {
			plan_change *c = planned;
			if (!c)
				c = change_new(e, &sa, s, NULL);
			state_instance *si = NULL;
			c->before = prior_object(e, &sa, s, &si);
			c->after = NULL;
			c->action = PLAN_DELETE;
			c->ndeps = si ? si->ndependencies : 0;
			c->deps = si ? si->dependencies : NULL;
			if (node && node->res->lifecycle.prevent_destroy)
				error_at(
				        e, &node->res->decl_range, "Instance cannot be destroyed",
				        "Resource %s has lifecycle.prevent_destroy set, but the "
				        "plan "
				        "calls for this resource to be destroyed. To avoid this "
				        "error "
				        "and continue with the plan, either disable "
				        "lifecycle.prevent_destroy or reduce the scope of the plan "
				        "using the -target flag.",
				        addrs[k]);
		} else if (!planned && targeted && !e->p->opts.refresh_only) {
			plan_change *c = change_new(e, &sa, s, NULL);
			state_instance *si = NULL;
			c->before = prior_object(e, &sa, s, &si);
			c->action = PLAN_DELETE;
			c->ndeps = si ? si->ndependencies : 0;
			c->deps = si ? si->dependencies : NULL;
			if (!node)
				c->reason = gf_arena_printf(&e->p->arena,
				                            "because %s.%s is not in configuration",
				                            sa.type, sa.name);
			else if (sa.nmodules && !module_planned(node, &sa))
				c->reason = gf_arena_printf(&e->p->arena,
				                            "because %s is not in configuration",
				                            module_text(e, &sa));
			else if (sa.key.kind == STATE_KEY_INT)
				c->reason =
				        gf_arena_printf(&e->p->arena,
				                        "because index [%lld] is out of range for "
				                        "count",
				                        (long long)sa.key.i);
			else if (sa.key.kind == STATE_KEY_STRING)
				c->reason = gf_arena_printf(
				        &e->p->arena, "because key [\"%s\"] is not in for_each map",
				        sa.key.s);
			else
				c->reason = node->has_count
				                    ? "because resource does not use count"
				                    : "because resource does not use for_each";
			if (!node && plani_removed_forget(e, &sa)) {
				c->action = PLAN_FORGET;
				c->after = c->before; /* shown as it is, and kept */
				c->reason = NULL;
			}
			if (node && node->res->lifecycle.prevent_destroy)
				error_at(e, &node->res->decl_range, "Instance cannot be destroyed",
				         "Resource %s has lifecycle.prevent_destroy set, but the "
				         "plan "
				         "calls for this resource to be destroyed.",
				         addrs[k]);
		}
		state_addr_dispose(&sa);
	}
	state_strings_free(addrs, n);
}

/* Terraform's warning under a plan that forgets objects. */
static void forget_warning(plani_engine *e)
{
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < e->p->changes.len; i++)
		if (e->p->changes.items[i]->action == PLAN_FORGET)
			gf_buf_printf(&b, "\n - %s", e->p->changes.items[i]->addr);
	if (b.len)
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_WARNING, NULL,
		              "Some objects will no longer be managed by gitfleet",
		              "If you apply this plan, gitfleet will discard its tracking "
		              "information for the following objects, but it will not delete "
		              "them:%s\n\nAfter applying this plan, gitfleet will no longer manage "
		              "these objects.",
		              gf_buf_cstr(&b));
	gf_buf_dispose(&b);
}

static void plan_outputs(plani_engine *e)
{
	gf_arena *a = &e->p->arena;
	config_module *m = e->cfg->root;
	for (size_t i = 0; i < m->outputs.len && !e->p->opts.destroy; i++) {
		const config_output *o = &m->outputs.items[i];
		plan_output po = {o->name, NULL, NULL, o->sensitive, PLAN_NOOP};
		const state_output *so = state_output_find(e->p->prior, o->name);
		if (so) {
			char *t = json_dumps(so->value, JSON_ENCODE_ANY | JSON_COMPACT);
			const char *why;
			po.before = hcl_value_from_json(a, t, strlen(t), &why);
			free(t);
		}
		po.after =
		        o->value ? hcl_eval(a, o->value, plani_scope(e, NULL, NULL), &e->cfg->diags)
		                 : NULL;
		if (!po.after)
			continue;
		if (!po.before)
			po.action = PLAN_CREATE;
		else if (!hcl_value_is_wholly_known(po.after))
			po.action = PLAN_UPDATE;
		else {
			const char *why;
			const char *t = hcl_value_to_json(a, po.after);
			const hcl_value *norm = hcl_value_from_json(a, t, strlen(t), &why);
			po.action = hcl_value_equal(norm, po.before) ? PLAN_NOOP : PLAN_UPDATE;
		}
		gf_vec_push(&e->p->outputs, po);
	}
	for (size_t i = 0; i < e->p->prior->outputs.len; i++) {
		const state_output *so = e->p->prior->outputs.items[i];
		bool kept = false;
		for (size_t k = 0; k < m->outputs.len && !e->p->opts.destroy; k++)
			kept |= !strcmp(m->outputs.items[k].name, so->name);
		if (kept)
			continue;
		char *t = json_dumps(so->value, JSON_ENCODE_ANY | JSON_COMPACT);
		const char *why;
		plan_output po = {gf_arena_strdup(a, so->name),
		                  hcl_value_from_json(a, t, strlen(t), &why), NULL, so->sensitive,
		                  PLAN_DELETE};
		free(t);
		gf_vec_push(&e->p->outputs, po);
	}
}

/* n is targeted; `all`: every instance (a dependency of a target), else
 * the instances the -target addresses select. */
static void mark_targeted(plani_engine *e, plani_node *n, bool all)
{
	if (n->targeted && (n->targeted_all || !all))
		return;
	n->targeted = true;
	n->targeted_all |= all;
	for (size_t i = 0; i < n->ndeps; i++)
		mark_targeted(e, &e->nodes[n->deps[i]], true);
}

static void select_targets(plani_engine *e)
{
	for (size_t i = 0; i < e->n; i++)
		e->nodes[i].targeted = e->nodes[i].targeted_all = e->p->opts.ntargets == 0;
	for (size_t t = 0; t < e->p->opts.ntargets; t++) {
		state_addr pat;
		if (state_addr_parse(&pat, e->p->opts.targets[t]) < 0) {
			error_at(e, NULL, "Invalid target address", "-target=%s: %s",
			         e->p->opts.targets[t], gf_err_msg());
			continue;
		}
		/* node granularity: the keys of the target select nothing finer
		 * than the resource (or module call) they are keys of */
		state_addr p2 = pat;
		p2.key.kind = STATE_KEY_NONE;
		state_module_step *steps = gf_xcalloc(pat.nmodules + 1, sizeof(*steps));
		for (size_t k = 0; k < pat.nmodules; k++)
			steps[k].name = pat.modules[k].name;
		p2.modules = steps;
		for (size_t i = 0; i < e->n; i++) {
			plani_node *nd = &e->nodes[i];
			state_addr ra;
			if (state_addr_parse(&ra, nd->addr) < 0)
				continue;
			if (state_addr_matches(&p2, &ra))
				mark_targeted(e, nd, false);
			state_addr_dispose(&ra);
		}
		free(steps);
		state_addr_dispose(&pat);
	}
}

static bool check_types(plani_engine *e)
{
	size_t n = 0;
	const provider_schema *const *all = provider_schemas(&n);
	const char **names = gf_arena_alloc(&e->p->arena, n * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = all[i]->type;
	bool ok = true;
	for (size_t i = 0; i < e->n; i++) {
		plani_node *nd = &e->nodes[i];
		if (nd->res->mode == CONFIG_DATA) {
			size_t nds = 0;
			const provider_schema *const *ds = provider_data_schemas(&nds);
			const char **dnames = gf_arena_alloc(&e->p->arena, nds * sizeof(*dnames));
			for (size_t k = 0; k < nds; k++)
				dnames[k] = ds[k]->type;
			nd->schema = provider_data_schema_find(nd->res->type);
			if (!nd->schema) {
				const char *sug = hcl_suggest(nd->res->type, dnames, nds);
				error_at(e, &nd->res->decl_range, "Invalid data source",
				         "The provider does not support data source \"%s\".%s",
				         nd->res->type,
				         sug ? gf_arena_printf(&e->p->arena,
				                               " Did you mean \"%s\"?", sug)
				             : "");
				ok = false;
			}
			continue;
		}
		nd->schema = provider_schema_find(nd->res->type);
		if (!nd->schema) {
			const char *sug = hcl_suggest(nd->res->type, names, n);
			error_at(e, &nd->res->decl_range, "Invalid resource type",
			         "The provider does not support resource type \"%s\".%s",
			         nd->res->type,
			         sug ? gf_arena_printf(&e->p->arena, " Did you mean \"%s\"?", sug)
			             : "");
			ok = false;
		}
	}
	return ok;
}

static void variables_json(plan *p, config *cfg)
{
	gf_arena a;
	gf_arena_init(&a);
	p->variables = json_object();
	for (size_t i = 0; i < cfg->root->variables.len; i++) {
		const config_variable *v = &cfg->root->variables.items[i];
		if (v->value && hcl_value_is_wholly_known(v->value))
			json_object_set_new(p->variables, v->name,
			                    plani_object_to_json(&a, v->value));
	}
	gf_arena_dispose(&a);
}

bool plani_engine_init(plani_engine *e, plan *p, config *cfg)
{
	memset(e, 0, sizeof(*e));
	e->p = p;
	e->cfg = cfg;
	return plani_graph_build(e) && check_types(e);
}

plan *plan_make(config *cfg, const state *st, const plan_options *opts, const provider_conn *conn)
{
	plan *p = gf_xcalloc(1, sizeof(*p));
	gf_arena_init(&p->arena);
	p->opts = *opts;
	p->prior = st ? state_copy(st) : state_new();
	if (st) {
		p->state_existed = true;
		p->state_serial = st->serial;
		memcpy(p->state_lineage, st->lineage, sizeof(p->state_lineage));
	}
	plan_config_hash(p->config_hash, cfg);
	variables_json(p, cfg);
	plani_engine e;
	size_t errors = cfg->diags.errors;
	/* an unknown resource type is reported, and everything else is
	 * still planned so that one run reports every problem */
	if (!plani_engine_init(&e, p, cfg) && !e.order)
		goto done;
	e.conn = conn;
	if (!plani_moves_apply(&e) || (opts->refresh && !refresh(&e, conn)))
		goto done;
	index_prior(&e);
	select_targets(&e);
	for (size_t k = 0; k < e.n && !opts->destroy; k++) {
		plani_node *n = &e.nodes[e.order[k]];
		if (n->schema)
			expand(&e, n);
		n->evaluated = true;
	}
	plan_deletes(&e);
	if (!opts->destroy)
		plani_moves_validate(&e);
	plani_removed_validate(&e);
	forget_warning(&e);
	plani_moves_annotate(p);
	plan_outputs(&e);
done:
	for (size_t i = 0; i < e.n; i++)
		gf_vec_dispose(&e.nodes[i].insts);
	if (cfg->diags.errors > errors) {
		plan_free(p);
		return NULL;
	}
	return p;
}

void plan_free(plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->changes.len; i++)
		state_addr_dispose(&p->changes.items[i]->saddr);
	gf_vec_dispose(&p->changes);
	gf_vec_dispose(&p->drift);
	gf_vec_dispose(&p->outputs);
	gf_vec_dispose(&p->moves);
	state_free(p->prior);
	json_decref(p->variables);
	gf_arena_dispose(&p->arena);
	free(p);
}

void plan_counts(const plan *p, int *add, int *change, int *destroy)
{
	*add = *change = *destroy = 0;
	for (size_t i = 0; i < p->changes.len; i++) {
		switch (p->changes.items[i]->action) {
		case PLAN_CREATE:
			(*add)++;
			break;
		case PLAN_UPDATE:
			(*change)++;
			break;
		case PLAN_DELETE:
			(*destroy)++;
			break;
		case PLAN_DELETE_CREATE:
		case PLAN_CREATE_DELETE:
			(*add)++;
			(*destroy)++;
			break;
		case PLAN_NOOP:
		case PLAN_READ:
		case PLAN_FORGET:
			break;
		}
	}
}

bool plan_is_empty(const plan *p)
{
	if (p->moves.len)
		return false; /* apply must write the moved state */
	for (size_t i = 0; i < p->changes.len; i++)
		if (p->changes.items[i]->action != PLAN_NOOP)
			return false;
	for (size_t i = 0; i < p->outputs.len; i++)
		if (p->outputs.items[i].action != PLAN_NOOP)
			return false;
	return true;
}
