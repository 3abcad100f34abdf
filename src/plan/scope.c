/* The scope of plan and apply over one module instance: resource and data
 * references see planned (or, while applying, applied) objects; local
 * values, a child module's variables (the call's arguments, converted,
 * defaulted and validated) and module outputs are evaluated through this
 * scope so that they see them too; everything else is config_scope's
 * (path.module is the module's own directory there). */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	plani_engine *e;
	plani_modinst *mi;
	const hcl_scope *inner;
} scope_payload;

const hcl_value *plani_change_value(plani_engine *e, const plan_change *c)
{
	if (e->current)
		return e->current[c->seq];
	return c->action == PLAN_DELETE ? NULL : c->after;
}

const hcl_value *plani_node_value(plani_engine *e, plani_node *n, const plani_modinst *mi)
{
	gf_arena *a = &e->p->arena;
	if (!n->evaluated)
		return &hcl_unknown_dynamic;
	size_t len = 0;
	const hcl_value **items = gf_arena_alloc(a, (n->insts.len + 1) * sizeof(*items));
	const char **keys = gf_arena_alloc(a, (n->insts.len + 1) * sizeof(*keys));
	for (size_t i = 0; i < n->insts.len; i++) {
		const plan_change *c = n->insts.items[i];
		const hcl_value *v = c->mi == mi ? plani_change_value(e, c) : NULL;
		if (!v)
			continue;
		keys[len] = c->saddr.key.kind == STATE_KEY_STRING ? c->saddr.key.s : "";
		items[len++] = v;
	}
	if (n->has_each)
		return hcl_object(a, keys, items, len);
	if (n->has_count)
		return hcl_tuple(a, items, len);
	return len ? items[0] : &hcl_unknown_dynamic;
}

/* ---- values of a module instance ------------------------------------------------ */

static const hcl_value *local_value(plani_engine *e, plani_modinst *mi, size_t i, hcl_diags *diags,
                                    gf_arena *a)
{
	const hcl_expr *x = e->mods[mi->m].mod->locals.items[i].expr;
	if (e->current) /* apply: values change as objects are applied */
		return hcl_eval(a, x, plani_scope(e, mi, NULL), diags);
	if (mi->local_state[i] == 2)
		return mi->locals[i];
	if (mi->local_state[i] == 1) /* a cycle: config_validate reports it */
		return &hcl_unknown_dynamic;
	mi->local_state[i] = 1;
	const hcl_value *v = hcl_eval(&e->p->arena, x, plani_scope(e, mi, NULL), diags);
	mi->locals[i] = v ? v : &hcl_unknown_dynamic;
	mi->local_state[i] = 2;
	return mi->locals[i];
}

/* each.value of a module instance: during apply the call's for_each is
 * evaluated again, as values known only after apply are now known. */
static const hcl_value *each_value(plani_engine *e, plani_modinst *mi, const config_module_call *c)
{
	if (!e->current || !c->for_each || !mi->each_key)
		return mi->each_value;
	hcl_diags scratch;
	hcl_diags_init(&scratch, &e->p->arena);
	const hcl_value *fe =
	        hcl_eval(&e->p->arena, c->for_each, plani_scope(e, mi->parent, NULL), &scratch);
	hcl_diags_dispose(&scratch);
	const hcl_value *v = NULL;
	if (fe && (fe->kind == HCL_VAL_MAP || fe->kind == HCL_VAL_OBJECT))
		v = hcl_value_get(fe, mi->each_key->u.str.ptr);
	return v ? v : mi->each_value;
}

/* var.NAME in a child module instance: the call's argument evaluated in
 * the parent instance (with the call's count.index / each), converted to
 * the variable's type, its default when absent (or null and not
 * nullable), validated once at plan. */
static const hcl_value *var_value(plani_engine *e, plani_modinst *mi, size_t i, hcl_diags *diags,
                                  gf_arena *a)
{
	if (!e->current && mi->var_state[i] == 2)
		return mi->vars[i];
	if (!e->current && mi->var_state[i] == 1)
		return &hcl_unknown_dynamic;
	config_module *mod = e->mods[mi->m].mod;
	const config_variable *v = &mod->variables.items[i];
	const config_module_call *c = &e->mods[mi->parent->m].mod->calls.items[e->mods[mi->m].call];
	const hcl_attribute *at = hcl_body_attribute(c->body, v->name);
	mi->var_state[i] = 1;
	const hcl_value *val = NULL, *conv = NULL;
	bool failed = false;
	if (at) {
		config_context ctx = {.count_index = mi->count_index,
		                      .each_key = mi->each_key,
		                      .each_value = each_value(e, mi, c)};
		val = hcl_eval(a, at->expr, plani_scope(e, mi->parent, &ctx), diags);
		failed = val == NULL;
	}
	if (!failed && (!val || (val->kind == HCL_VAL_NULL && !v->nullable)))
		val = v->default_value ? v->default_value : hcl_null(a, v->type);
	const char *why = NULL;
	if (val && !(conv = hcl_convert(a, val, v->type, &why))) {
		char *addr = state_addr_module_string(
		        &(state_addr){.modules = mi->steps, .nmodules = mi->nsteps});
		hcl_diags_add(diags, HCL_DIAG_ERROR, at ? &at->expr->range : &c->decl_range,
		              "Invalid value for input variable",
		              "The given value is not suitable for %s's input variable \"%s\" "
		              "declared at %s: %s.",
		              addr, v->name, hcl_range_string(a, &v->decl_range), why);
		free(addr);
	}
	if (!conv)
		conv = hcl_unknown(a, v->type);
	if (v->sensitive)
		conv = hcl_mark(a, conv, HCL_MARK_SENSITIVE);
	if (e->current)
		return conv;
	mi->vars[i] = conv;
	mi->var_state[i] = 2;
	if (v->nvalidations && hcl_value_is_wholly_known(conv))
		config_check_variable(e->cfg, v, plani_scope(e, mi, NULL),
		                      at ? &at->expr->range : &c->decl_range);
	return conv;
}

/* The object of one module instance: its outputs. */
static const hcl_value *outputs_object(plani_engine *e, plani_modinst *ci, hcl_diags *diags,
                                       gf_arena *a)
{
	config_module *mod = e->mods[ci->m].mod;
	size_t n = mod->outputs.len;
	const char **keys = gf_arena_alloc(a, (n + 1) * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, (n + 1) * sizeof(*vals));
	for (size_t i = 0; i < n; i++) {
		const config_output *o = &mod->outputs.items[i];
		keys[i] = o->name;
		const hcl_value *v =
		        o->value ? hcl_eval(a, o->value, plani_scope(e, ci, NULL), diags) : NULL;
		if (!v)
			v = &hcl_unknown_dynamic;
		vals[i] = o->sensitive ? hcl_mark(a, v, HCL_MARK_SENSITIVE) : v;
	}
	return hcl_object(a, keys, vals, n);
}

/* module.NAME: an object of outputs; a tuple of them with count, an
 * object by key with for_each. */
static const hcl_value *module_value(plani_engine *e, plani_modinst *mi, size_t call,
                                     hcl_diags *diags, gf_arena *a)
{
	const config_module_call *c = &e->mods[mi->m].mod->calls.items[call];
	const struct plani_calls *cs = plani_expand_call(e, mi, call);
	if (!cs)
		return &hcl_unknown_dynamic;
	const hcl_value **items = gf_arena_alloc(a, (cs->len + 1) * sizeof(*items));
	const char **keys = gf_arena_alloc(a, (cs->len + 1) * sizeof(*keys));
	for (size_t i = 0; i < cs->len; i++) {
		plani_modinst *ci = cs->items[i];
		items[i] = outputs_object(e, ci, diags, a);
		keys[i] = ci->steps[ci->nsteps - 1].key.s;
	}
	if (c->for_each)
		return hcl_object(a, keys, items, cs->len);
	if (c->count)
		return hcl_tuple(a, items, cs->len);
	return cs->len ? items[0] : &hcl_unknown_dynamic;
}

static const hcl_value *lookup(void *payload, const hcl_ref *ref, gf_arena *a, hcl_diags *diags)
{
	scope_payload *p = payload;
	plani_engine *e = p->e;
	plani_modinst *mi = p->mi;
	config_module *mod = e->mods[mi->m].mod;
	if (ref->kind == HCL_REF_RESOURCE || ref->kind == HCL_REF_DATA) {
		plani_node *n = plani_node_find(
		        e, mi->m, ref->kind == HCL_REF_DATA ? CONFIG_DATA : CONFIG_MANAGED,
		        ref->type, ref->name);
		if (n)
			return plani_node_value(e, n, mi);
	} else if (ref->kind == HCL_REF_LOCAL) {
		for (size_t i = 0; i < mod->locals.len; i++)
			if (!strcmp(mod->locals.items[i].name, ref->name))
				return local_value(e, mi, i, diags, a);
	} else if (ref->kind == HCL_REF_VAR && mi->parent) {
		for (size_t i = 0; i < mod->variables.len; i++)
			if (!strcmp(mod->variables.items[i].name, ref->name))
				return var_value(e, mi, i, diags, a);
	} else if (ref->kind == HCL_REF_MODULE) {
		for (size_t i = 0; i < mod->calls.len; i++)
			if (!strcmp(mod->calls.items[i].name, ref->name))
				return module_value(e, mi, i, diags, a);
	}
	return p->inner->lookup(p->inner->payload, ref, a, diags);
}

const hcl_scope *plani_scope(plani_engine *e, plani_modinst *mi, const config_context *ctx)
{
	gf_arena *a = &e->p->arena;
	if (!mi)
		mi = plani_root(e);
	scope_payload *p = gf_arena_alloc(a, sizeof(*p));
	p->e = e;
	p->mi = mi;
	p->inner = config_scope(e->cfg, e->mods[mi->m].mod, ctx);
	hcl_scope *s = gf_arena_alloc(a, sizeof(*s));
	*s = *p->inner;
	s->lookup = lookup;
	s->payload = p;
	return s;
}
