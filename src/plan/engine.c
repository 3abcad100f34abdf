/* plan_make: refresh, expansion of count and for_each, lifecycle rules,
 * one action per instance, orphans, outputs (plan.h, notes 1 and 2). */
#include "plan/plan_int.h"

#include "hcl/hcl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *plan_action_name(plan_action a)
{
	static const char *const names[] = {"no-op",  "create",  "update",
	                                    "delete", "replace", "replace"};
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

static plan_change *change_new(plani_engine *e, const state_addr *sa, const provider_schema *s)
{
	plan_change *c = gf_arena_alloc(&e->p->arena, sizeof(*c));
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
	free(key);
	if (inst)
		*inst = i;
	if (!i)
		return NULL;
	const hcl_value *v = plani_object_from_json(&e->p->arena, s, i->attributes);
	if (!v)
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_ERROR, NULL, "Invalid resource state",
		              "The state of %s cannot be read: %s.", state_addr_string(sa),
		              gf_err_msg());
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
		if (!s || sa.mode != STATE_MANAGED || sa.nmodules) {
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

static bool triggered(plani_engine *e, const config_resource *r)
{
	const hcl_expr *x = r->lifecycle.replace_triggered_by;
	if (!x || x->kind != HCL_EXPR_TUPLE)
		return false;
	for (size_t i = 0; i < x->u.tuple.len; i++) {
		const hcl_expr *t = x->u.tuple.items[i];
		hcl_ref ref;
		if (t->kind != HCL_EXPR_SCOPE_TRAVERSAL ||
		    !hcl_ref_parse(&ref, t, &e->cfg->diags) || ref.kind != HCL_REF_RESOURCE)
			continue;
		plani_node *n = plani_node_find(e, ref.type, ref.name);
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

static const hcl_value *ignore_changes(plani_engine *e, const config_resource *r,
                                       const hcl_value *cfgv, const hcl_value *before)
{
	const hcl_expr *x = r->lifecycle.ignore_changes;
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
			const provider_attr *pa =
			        provider_attr_find(&provider_schema_find(r->type)->body, name);
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
	                       plani_scope(e, &ctx), &e->cfg->diags);
}

const hcl_value *plani_planned_lookup(void *payload, const char *type, const char *id)
{
	plani_engine *e = payload;
	for (size_t i = 0; i < e->p->changes.len; i++) {
		plan_change *c = e->p->changes.items[i];
		const hcl_value *v = plani_change_value(e, c);
		if (v && !strcmp(c->schema->type, type)) {
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

static void plan_instance(plani_engine *e, plani_node *n, const state_addr *sa,
                          const hcl_value *index, const hcl_value *each_value)
{
	plan_change *c = change_new(e, sa, n->schema);
	c->res = n->res;
	c->create_before_destroy = n->cbd;
	if (index && index->kind == HCL_VAL_NUMBER)
		c->count_index = index;
	else if (index) {
		c->each_key = index;
		c->each_value = each_value;
	}
	set_deps(e, c, n);
	gf_vec_push(&n->insts, c);
	state_instance *si = NULL;
	c->before = prior_object(e, sa, n->schema, &si);
	if (!n->targeted) { /* -target: left as it is */
		c->after = c->before;
		c->action = PLAN_NOOP;
		return;
	}
	const hcl_value *cfgv = plani_decode(e, c);
	if (!cfgv)
		return;
	c->config = cfgv = ignore_changes(e, n->res, cfgv, c->before);
	bool force = false;
	if (c->before && si && si->tainted) {
		force = true;
		c->reason = "because it is tainted, so it must be replaced";
	} else if (c->before && addr_listed(sa, e->p->opts.replaces, e->p->opts.nreplaces)) {
		force = true;
		c->reason = "because of -replace";
	} else if (c->before && triggered(e, n->res)) {
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

/* The instance keys of node n: NULL index for a single instance. */
static void expand(plani_engine *e, plani_node *n)
{
	gf_arena *a = &e->p->arena;
	state_addr sa = {0};
	sa.type = (char *)n->res->type;
	sa.name = (char *)n->res->name;
	sa.mode = STATE_MANAGED;
	if (!n->res->count && !n->res->for_each) {
		plan_instance(e, n, &sa, NULL, NULL);
		return;
	}
	const hcl_value *v = hcl_eval(a, n->res->count ? n->res->count : n->res->for_each,
	                              plani_scope(e, NULL), &e->cfg->diags);
	if (!v)
		return;
	const hcl_expr *x = n->res->count ? n->res->count : n->res->for_each;
	if (!hcl_value_is_wholly_known(v)) {
		error_at(e, &x->range,
		         n->res->count ? "Invalid count argument" : "Invalid for_each argument",
		         "The \"%s\" value depends on resource attributes that cannot be "
		         "determined until apply, so gitfleet cannot predict how many instances "
		         "will be created. To work around this, use the -target argument to first "
		         "apply only the resources that the %s depends on.",
		         n->res->count ? "count" : "for_each",
		         n->res->count ? "count" : "for_each");
		return;
	}
	if (n->res->count) {
		const char *why = NULL;
		const hcl_value *num = hcl_convert(a, v, &hcl_type_number, &why);
		if (!num || num->kind != HCL_VAL_NUMBER || num->u.num < 0 ||
		    num->u.num != (double)(long long)num->u.num) {
			error_at(
			        e, &x->range, "Invalid count argument",
			        "The given \"count\" argument value is unsuitable: must be a whole "
			        "number, zero or greater.");
			return;
		}
		for (long long i = 0; i < (long long)num->u.num; i++) {
			sa.key.kind = STATE_KEY_INT;
			sa.key.i = i;
			plan_instance(e, n, &sa, hcl_number(a, (double)i), NULL);
		}
		return;
	}
	bool set = v->kind == HCL_VAL_SET;
	if (v->kind != HCL_VAL_MAP && v->kind != HCL_VAL_OBJECT && !set) {
		error_at(e, &x->range, "Invalid for_each argument",
		         "The given \"for_each\" argument value is unsuitable: the \"for_each\" "
		         "argument must be a map, or set of strings, and you have provided a value "
		         "of type %s.",
		         hcl_type_friendly(a, v->type));
		return;
	}
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *item = v->u.coll.items[i];
		const char *key = set ? (item->kind == HCL_VAL_STRING ? item->u.str.ptr : NULL)
		                      : v->u.coll.keys[i];
		if (!key) {
			error_at(
			        e, &x->range, "Invalid for_each set argument",
			        "The given \"for_each\" argument value is unsuitable: \"for_each\" "
			        "supports sets of strings only.");
			return;
		}
		sa.key.kind = STATE_KEY_STRING;
		sa.key.s = (char *)key;
		plan_instance(e, n, &sa, hcl_cstring(a, key), item);
	}
}

/* ---- orphans, destroy, outputs ------------------------------------------------------ */

static bool planned_already(plani_engine *e, const state_addr *sa)
{
	plani_node *n = sa->type ? plani_node_find(e, sa->type, sa->name) : NULL;
	for (size_t i = 0; n && i < n->insts.len; i++)
		if (state_key_equal(&n->insts.items[i]->saddr.key, &sa->key))
			return true;
	return false;
}

static void plan_deletes(plani_engine *e)
{
	char **addrs = NULL;
	size_t n = state_list(&addrs, e->p->prior, NULL, 0);
	for (size_t k = 0; k < n; k++) {
		state_addr sa;
		if (state_addr_parse(&sa, addrs[k]) < 0)
			continue;
		if (sa.nmodules || sa.mode != STATE_MANAGED) {
			state_addr_dispose(&sa);
			continue;
		}
		const provider_schema *s = provider_schema_find(sa.type);
		plani_node *node = plani_node_find(e, sa.type, sa.name);
		bool targeted = !e->p->opts.ntargets || (node && node->targeted) ||
		                addr_listed(&sa, e->p->opts.targets, e->p->opts.ntargets);
		if (!s) {
			error_at(e, NULL, "Unknown resource type in state",
			         "The state holds %s, whose type gitfleet does not know.",
			         addrs[k]);
		} else if (e->p->opts.destroy && targeted) {
			plan_change *c = NULL;
			for (size_t i = 0; node && i < node->insts.len; i++)
				if (state_key_equal(&node->insts.items[i]->saddr.key, &sa.key))
					c = node->insts.items[i];
			if (!c)
				c = change_new(e, &sa, s);
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
		} else if (!planned_already(e, &sa) && targeted && !e->p->opts.refresh_only) {
			plan_change *c = change_new(e, &sa, s);
			state_instance *si = NULL;
			c->before = prior_object(e, &sa, s, &si);
			c->action = PLAN_DELETE;
			c->ndeps = si ? si->ndependencies : 0;
			c->deps = si ? si->dependencies : NULL;
			if (!node)
				c->reason = gf_arena_printf(&e->p->arena,
				                            "because %s.%s is not in configuration",
				                            sa.type, sa.name);
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

static void plan_outputs(plani_engine *e)
{
	gf_arena *a = &e->p->arena;
	config_module *m = e->mod;
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
		po.after = o->value ? hcl_eval(a, o->value, plani_scope(e, NULL), &e->cfg->diags)
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

static void mark_targeted(plani_engine *e, plani_node *n)
{
	if (n->targeted)
		return;
	n->targeted = true;
	for (size_t i = 0; i < n->ndeps; i++)
		mark_targeted(e, &e->nodes[n->deps[i]]);
}

static void select_targets(plani_engine *e)
{
	for (size_t i = 0; i < e->n; i++)
		e->nodes[i].targeted = e->p->opts.ntargets == 0;
	for (size_t t = 0; t < e->p->opts.ntargets; t++) {
		state_addr pat;
		if (state_addr_parse(&pat, e->p->opts.targets[t]) < 0) {
			error_at(e, NULL, "Invalid target address", "-target=%s: %s",
			         e->p->opts.targets[t], gf_err_msg());
			continue;
		}
		for (size_t i = 0; i < e->n; i++) {
			state_addr ra = {0};
			ra.type = (char *)e->nodes[i].res->type;
			ra.name = (char *)e->nodes[i].res->name;
			ra.mode = STATE_MANAGED;
			state_addr p2 = pat;
			p2.key.kind = STATE_KEY_NONE;
			if (state_addr_matches(&p2, &ra))
				mark_targeted(e, &e->nodes[i]);
		}
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
			error_at(e, &nd->res->decl_range, "Invalid data source",
			         "The provider does not support data source \"%s\": gitfleet's "
			         "providers have no data sources yet.",
			         nd->res->type);
			ok = false;
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
	if (e->mod->calls.len) {
		error_at(e, &e->mod->calls.items[0].decl_range, "Modules are not planned yet",
		         "gitfleet's plan engine does not expand module calls yet; move the "
		         "module's resources into the root module for now.");
		ok = false;
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
	e->mod = cfg->root;
	e->locals = gf_arena_alloc(&p->arena, (cfg->root->locals.len + 1) * sizeof(*e->locals));
	e->local_state = gf_arena_alloc(&p->arena, (cfg->root->locals.len + 1) * sizeof(int));
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
	if (opts->refresh && !refresh(&e, conn))
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
			break;
		}
	}
}

bool plan_is_empty(const plan *p)
{
	for (size_t i = 0; i < p->changes.len; i++)
		if (p->changes.items[i]->action != PLAN_NOOP)
			return false;
	for (size_t i = 0; i < p->outputs.len; i++)
		if (p->outputs.items[i].action != PLAN_NOOP)
			return false;
	return true;
}
