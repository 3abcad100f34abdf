/* The scope of plan and apply: resource references see planned (or, while
 * applying, applied) objects; local values are evaluated through this
 * scope so that they see them too; everything else is config_scope's. */
#include "plan/plan_int.h"

#include <string.h>

typedef struct {
	plani_engine *e;
	const hcl_scope *inner;
} scope_payload;

const hcl_value *plani_change_value(plani_engine *e, const plan_change *c)
{
	if (e->current)
		return e->current[c->seq];
	return c->action == PLAN_DELETE ? NULL : c->after;
}

const hcl_value *plani_node_value(plani_engine *e, plani_node *n)
{
	gf_arena *a = &e->p->arena;
	if (!n->evaluated)
		return &hcl_unknown_dynamic;
	size_t len = 0;
	const hcl_value **items = gf_arena_alloc(a, (n->insts.len + 1) * sizeof(*items));
	const char **keys = gf_arena_alloc(a, (n->insts.len + 1) * sizeof(*keys));
	for (size_t i = 0; i < n->insts.len; i++) {
		const plan_change *c = n->insts.items[i];
		const hcl_value *v = plani_change_value(e, c);
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

static const hcl_value *local_value(plani_engine *e, size_t i, const hcl_ref *ref, hcl_diags *diags)
{
	if (e->local_state[i] == 2)
		return e->locals[i];
	if (e->local_state[i] == 1) /* a cycle: config_validate reports it */
		return &hcl_unknown_dynamic;
	e->local_state[i] = 1;
	const hcl_value *v =
	        hcl_eval(&e->p->arena, e->mod->locals.items[i].expr, plani_scope(e, NULL), diags);
	e->locals[i] = v ? v : &hcl_unknown_dynamic;
	e->local_state[i] = 2;
	return e->locals[i];
}

static const hcl_value *lookup(void *payload, const hcl_ref *ref, gf_arena *a, hcl_diags *diags)
{
	scope_payload *p = payload;
	plani_engine *e = p->e;
	if (ref->kind == HCL_REF_RESOURCE) {
		plani_node *n = plani_node_find(e, ref->type, ref->name);
		if (n && n->res->mode == CONFIG_MANAGED)
			return plani_node_value(e, n);
	} else if (ref->kind == HCL_REF_LOCAL && !e->current) {
		for (size_t i = 0; i < e->mod->locals.len; i++)
			if (!strcmp(e->mod->locals.items[i].name, ref->name))
				return local_value(e, i, ref, diags);
	} else if (ref->kind == HCL_REF_LOCAL) {
		/* apply: values change as objects are applied, so no caching */
		for (size_t i = 0; i < e->mod->locals.len; i++)
			if (!strcmp(e->mod->locals.items[i].name, ref->name))
				return hcl_eval(a, e->mod->locals.items[i].expr,
				                plani_scope(e, NULL), diags);
	}
	return p->inner->lookup(p->inner->payload, ref, a, diags);
}

const hcl_scope *plani_scope(plani_engine *e, const config_context *ctx)
{
	gf_arena *a = &e->p->arena;
	scope_payload *p = gf_arena_alloc(a, sizeof(*p));
	p->e = e;
	p->inner = config_scope(e->cfg, e->mod, ctx);
	hcl_scope *s = gf_arena_alloc(a, sizeof(*s));
	*s = *p->inner;
	s->lookup = lookup;
	s->payload = p;
	return s;
}
