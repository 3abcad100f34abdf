/* Module instances: the root, and the instances of each module call,
 * made when a call is first expanded (its count or for_each evaluated in
 * the calling instance); the instance keys of count and for_each, shared
 * by resources and module calls (plan.h, note 2b). */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

bool plani_instance_keys(plani_engine *e, plani_modinst *mi, const hcl_expr *count,
                         const hcl_expr *for_each, plani_key **out, size_t *n)
{
	gf_arena *a = &e->p->arena;
	*out = NULL;
	*n = 0;
	if (!count && !for_each) {
		*out = gf_xcalloc(1, sizeof(**out));
		*n = 1;
		return true;
	}
	const hcl_expr *x = count ? count : for_each;
	const hcl_value *v = hcl_eval(a, x, plani_scope(e, mi, NULL), &e->cfg->diags);
	if (!v)
		return false;
	if (!hcl_value_is_wholly_known(v)) {
		hcl_diags_add(
		        &e->cfg->diags, HCL_DIAG_ERROR, &x->range,
		        count ? "Invalid count argument" : "Invalid for_each argument",
		        "The \"%s\" value depends on resource attributes that cannot be "
		        "determined until apply, so gitfleet cannot predict how many instances "
		        "will be created. To work around this, use the -target argument to first "
		        "apply only the resources that the %s depends on.",
		        count ? "count" : "for_each", count ? "count" : "for_each");
		return false;
	}
	if (count) {
		const char *why = NULL;
		const hcl_value *num = hcl_convert(a, v, &hcl_type_number, &why);
		if (!num || num->kind != HCL_VAL_NUMBER || num->u.num < 0 ||
		    num->u.num != (double)(long long)num->u.num) {
			hcl_diags_add(
			        &e->cfg->diags, HCL_DIAG_ERROR, &x->range, "Invalid count argument",
			        "The given \"count\" argument value is unsuitable: must be a whole "
			        "number, zero or greater.");
			return false;
		}
		size_t total = (size_t)num->u.num;
		*out = gf_xcalloc(total + 1, sizeof(**out));
		for (size_t i = 0; i < total; i++)
			(*out)[i] = (plani_key){
			        {STATE_KEY_INT, (int64_t)i, NULL}, hcl_number(a, (double)i), NULL};
		*n = total;
		return true;
	}
	bool set = v->kind == HCL_VAL_SET;
	if (v->kind != HCL_VAL_MAP && v->kind != HCL_VAL_OBJECT && !set) {
		hcl_diags_add(
		        &e->cfg->diags, HCL_DIAG_ERROR, &x->range, "Invalid for_each argument",
		        "The given \"for_each\" argument value is unsuitable: the \"for_each\" "
		        "argument must be a map, or set of strings, and you have provided a value "
		        "of type %s.",
		        hcl_type_friendly(a, v->type));
		return false;
	}
	*out = gf_xcalloc(v->u.coll.len + 1, sizeof(**out));
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *item = v->u.coll.items[i];
		const char *key = set ? (item->kind == HCL_VAL_STRING ? item->u.str.ptr : NULL)
		                      : v->u.coll.keys[i];
		if (!key) {
			hcl_diags_add(
			        &e->cfg->diags, HCL_DIAG_ERROR, &x->range,
			        "Invalid for_each set argument",
			        "The given \"for_each\" argument value is unsuitable: \"for_each\" "
			        "supports sets of strings only.");
			free(*out);
			*out = NULL;
			return false;
		}
		(*out)[i] =
		        (plani_key){{STATE_KEY_STRING, 0, (char *)key}, hcl_cstring(a, key), item};
	}
	*n = v->u.coll.len;
	return true;
}

/* ---- module instances ------------------------------------------------------- */

static plani_modinst *modinst_new(plani_engine *e, size_t m, plani_modinst *parent)
{
	gf_arena *a = &e->p->arena;
	config_module *mod = e->mods[m].mod;
	plani_modinst *mi = gf_arena_alloc(a, sizeof(*mi));
	mi->m = m;
	mi->parent = parent;
	mi->locals = gf_arena_alloc(a, (mod->locals.len + 1) * sizeof(*mi->locals));
	mi->local_state = gf_arena_alloc(a, (mod->locals.len + 1) * sizeof(int));
	mi->vars = gf_arena_alloc(a, (mod->variables.len + 1) * sizeof(*mi->vars));
	mi->var_state = gf_arena_alloc(a, (mod->variables.len + 1) * sizeof(int));
	mi->calls = gf_arena_alloc(a, (mod->calls.len + 1) * sizeof(*mi->calls));
	if (parent) {
		mi->nsteps = parent->nsteps + 1;
		mi->steps = gf_arena_alloc(a, mi->nsteps * sizeof(*mi->steps));
		if (parent->nsteps)
			memcpy(mi->steps, parent->steps, parent->nsteps * sizeof(*mi->steps));
	}
	return mi;
}

plani_modinst *plani_root(plani_engine *e)
{
	if (!e->root)
		e->root = modinst_new(e, 0, NULL);
	return e->root;
}

const struct plani_calls *plani_expand_call(plani_engine *e, plani_modinst *mi, size_t call)
{
	struct plani_calls *cs = &mi->calls[call];
	if (cs->done)
		return cs->items ? cs : NULL;
	cs->done = true;
	const config_module_call *c = &e->mods[mi->m].mod->calls.items[call];
	long m = e->mods[mi->m].child[call];
	plani_key *keys = NULL;
	size_t n = 0;
	if (m < 0 || !plani_instance_keys(e, mi, c->count, c->for_each, &keys, &n))
		return NULL;
	cs->items = gf_arena_alloc(&e->p->arena, (n + 1) * sizeof(*cs->items));
	for (size_t i = 0; i < n; i++) {
		plani_modinst *ci = modinst_new(e, (size_t)m, mi);
		ci->steps[ci->nsteps - 1] = (state_module_step){(char *)c->name, keys[i].key};
		if (c->count)
			ci->count_index = keys[i].index;
		else if (c->for_each) {
			ci->each_key = keys[i].index;
			ci->each_value = keys[i].each_value;
		}
		cs->items[cs->len++] = ci;
	}
	free(keys);
	return cs;
}

plani_modinst *plani_modinst_at(plani_engine *e, const state_addr *sa)
{
	plani_modinst *mi = plani_root(e);
	for (size_t s = 0; s < sa->nmodules && mi; s++) {
		config_module *mod = e->mods[mi->m].mod;
		const struct plani_calls *cs = NULL;
		for (size_t k = 0; k < mod->calls.len && !cs; k++)
			if (!strcmp(mod->calls.items[k].name, sa->modules[s].name))
				cs = plani_expand_call(e, mi, k);
		plani_modinst *next = NULL;
		for (size_t i = 0; cs && i < cs->len && !next; i++)
			if (state_key_equal(&cs->items[i]->steps[s].key, &sa->modules[s].key))
				next = cs->items[i];
		mi = next;
	}
	return mi;
}

bool plani_modinsts_of(plani_engine *e, size_t m, plani_modinst ***out, size_t *n)
{
	if (e->mods[m].parent < 0) {
		*out = gf_xmalloc(sizeof(**out));
		(*out)[0] = plani_root(e);
		*n = 1;
		return true;
	}
	plani_modinst **parents = NULL;
	size_t np = 0;
	if (!plani_modinsts_of(e, (size_t)e->mods[m].parent, &parents, &np))
		return false;
	GF_VEC(plani_modinst *) v = {0};
	bool ok = true;
	for (size_t i = 0; i < np; i++) {
		const struct plani_calls *cs = plani_expand_call(e, parents[i], e->mods[m].call);
		ok &= cs != NULL;
		for (size_t k = 0; cs && k < cs->len; k++)
			gf_vec_push(&v, cs->items[k]);
	}
	free(parents);
	*out = v.items;
	*n = v.len;
	if (!*out)
		*out = gf_xmalloc(sizeof(**out));
	return ok;
}
