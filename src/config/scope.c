/*
 * The scope of a module: config_scope's lookup answers each reference
 * kind from the module (see config.h, note 3). Local values are evaluated
 * on first use, which orders them by dependency; a local met again while
 * it is being evaluated closes a cycle, reported with its path.
 */
#include "config/config_impl.h"

#include <stdlib.h>
#include <string.h>

/* Chains of locals deeper than this are refused rather than recursed into:
 * each level takes a few C stack frames. */
#define MAX_LOCAL_DEPTH 500

typedef struct {
	config *cfg;
	config_module *mod;
	config_context ctx;
} scope_payload;

static const char *module_desc(config *cfg, const config_module *mod)
{
	return *mod->addr ? mod->addr : "the root module";
}

static const char **names_of(gf_arena *a, size_t n)
{
	return gf_arena_alloc(a, (n + 1) * sizeof(const char *));
}

const hcl_value *cfgi_local_value(config *cfg, config_module *mod, size_t i, const hcl_ref *ref)
{
	int st = mod->local_state[i];
	if (st < 0)
		return mod->local_values[i];
	if (st > 0) {
		/* A cycle: the locals being evaluated from depth st to the top. */
		size_t n = mod->locals.len;
		gf_buf path = GF_BUF_INIT;
		for (int d = st; d <= mod->local_depth; d++)
			for (size_t k = 0; k < n; k++)
				if (mod->local_state[k] == d)
					gf_buf_printf(&path, "local.%s → ",
					              mod->locals.items[k].name);
		gf_buf_printf(&path, "local.%s", mod->locals.items[i].name);
		cfgi_error(
		        cfg, ref ? &ref->range : &mod->locals.items[i].range,
		        "Cycle in local values",
		        "The local value \"%s\" depends on itself: %s. A local value cannot refer "
		        "to itself, directly or through other local values.",
		        mod->locals.items[i].name, gf_buf_cstr(&path));
		gf_buf_dispose(&path);
		return &hcl_unknown_dynamic;
	}
	if (mod->local_depth >= MAX_LOCAL_DEPTH) {
		cfgi_error(
		        cfg, ref ? &ref->range : &mod->locals.items[i].range,
		        "Local values nested too deeply",
		        "Evaluating local.%s needs more than %d local values that each depend on "
		        "the next; gitfleet stops there to protect its stack.",
		        mod->locals.items[i].name, MAX_LOCAL_DEPTH);
		return &hcl_unknown_dynamic;
	}
	mod->local_state[i] = ++mod->local_depth;
	const hcl_value *v = config_eval(cfg, mod, mod->locals.items[i].expr, NULL);
	mod->local_depth--;
	mod->local_values[i] = v ? v : &hcl_unknown_dynamic;
	mod->local_state[i] = -1;
	return mod->local_values[i];
}

static const hcl_value *module_object(config *cfg, const config_module_call *c)
{
	if (!c->child || c->count || c->for_each)
		return &hcl_unknown_dynamic;
	gf_arena *a = &cfg->arena;
	size_t n = c->child->outputs.len;
	const char **keys = names_of(a, n);
	const hcl_value **vals = gf_arena_alloc(a, (n + 1) * sizeof(*vals));
	for (size_t i = 0; i < n; i++) {
		keys[i] = c->child->outputs.items[i].name;
		vals[i] = &hcl_unknown_dynamic;
	}
	return hcl_object(a, keys, vals, n);
}

/* A resource is unknown until apply; with count or for_each, an attribute
 * taken from the whole (fleet_lb.web.id rather than fleet_lb.web[0].id) is
 * Terraform's "Missing resource instance key". */
static const hcl_value *resource_value(const config_resource *r, const hcl_ref *ref, gf_arena *a,
                                       hcl_diags *diags)
{
	const hcl_steps *st = &ref->expr->u.scope.steps;
	if ((r->count || r->for_each) && st->len > ref->nsteps &&
	    st->steps[ref->nsteps].kind == HCL_STEP_ATTR) {
		char *addr = hcl_ref_string(a, ref);
		hcl_diags_add(
		        diags, HCL_DIAG_ERROR, &ref->expr->range, "Missing resource instance key",
		        "Because %s has \"%s\" set, its attributes must be accessed on specific "
		        "instances.\n\nFor example, to correlate with indices of a referring "
		        "resource, use:\n    %s[%s]",
		        addr, r->count ? "count" : "for_each", addr,
		        r->count ? "count.index" : "each.key");
		return NULL;
	}
	return &hcl_unknown_dynamic;
}

static const hcl_value *iterator_value(const config_iterator *it, const hcl_ref *ref,
                                       hcl_diags *diags)
{
	if (!strcmp(ref->name, "key"))
		return it->key;
	if (!strcmp(ref->name, "value"))
		return it->value;
	hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Unsupported attribute",
	              "The iterator \"%s\" of a dynamic block has only the attributes \"key\" and "
	              "\"value\".",
	              it->name);
	return NULL;
}

static const hcl_value *lookup(void *payload, const hcl_ref *ref, gf_arena *a, hcl_diags *diags)
{
	scope_payload *p = payload;
	config *cfg = p->cfg;
	config_module *mod = p->mod;
	const char *desc = module_desc(cfg, mod);
	switch (ref->kind) {
	case HCL_REF_VAR: {
		long i = cfgi_ix_find(mod, CFGI_IX_VAR, NULL, ref->name);
		if (i >= 0) {
			const config_variable *v = &mod->variables.items[i];
			const hcl_value *val = v->value;
			if (!val || cfg->unknown_variables)
				val = hcl_unknown(a, v->type);
			return v->sensitive ? hcl_mark(a, val, HCL_MARK_SENSITIVE) : val;
		}
		const char **names = names_of(a, mod->variables.len);
		for (size_t k = 0; k < mod->variables.len; k++)
			names[k] = mod->variables.items[k].name;
		return hcl_ref_undeclared(diags, ref, names, mod->variables.len, desc);
	}
	case HCL_REF_LOCAL: {
		long i = cfgi_ix_find(mod, CFGI_IX_LOCAL, NULL, ref->name);
		if (i >= 0)
			return cfgi_local_value(cfg, mod, (size_t)i, ref);
		const char **names = names_of(a, mod->locals.len);
		for (size_t k = 0; k < mod->locals.len; k++)
			names[k] = mod->locals.items[k].name;
		return hcl_ref_undeclared(diags, ref, names, mod->locals.len, desc);
	}
	case HCL_REF_RESOURCE:
	case HCL_REF_DATA: {
		for (const config_iterator *it = p->ctx.iterators; it; it = it->next)
			if (ref->kind == HCL_REF_RESOURCE && !strcmp(it->name, ref->type))
				return iterator_value(it, ref, diags);
		config_mode mode = ref->kind == HCL_REF_DATA ? CONFIG_DATA : CONFIG_MANAGED;
		long i = cfgi_ix_find(mod, mode == CONFIG_DATA ? CFGI_IX_DATA : CFGI_IX_MANAGED,
		                      ref->type, ref->name);
		if (i >= 0)
			return resource_value(&mod->resources.items[i], ref, a, diags);
		const char **names = names_of(a, mod->resources.len);
		size_t n = 0;
		for (size_t k = 0; k < mod->resources.len; k++) {
			const config_resource *r = &mod->resources.items[k];
			if (r->mode == mode)
				names[n++] = gf_arena_printf(a, "%s.%s", r->type, r->name);
		}
		return hcl_ref_undeclared(diags, ref, names, n, desc);
	}
	case HCL_REF_MODULE: {
		long i = cfgi_ix_find(mod, CFGI_IX_CALL, NULL, ref->name);
		if (i >= 0)
			return module_object(cfg, &mod->calls.items[i]);
		const char **names = names_of(a, mod->calls.len);
		for (size_t k = 0; k < mod->calls.len; k++)
			names[k] = mod->calls.items[k].name;
		return hcl_ref_undeclared(diags, ref, names, mod->calls.len, desc);
	}
	case HCL_REF_PATH:
		if (!strcmp(ref->name, "module"))
			return hcl_cstring(a, mod->dir);
		if (!strcmp(ref->name, "root"))
			return hcl_cstring(a, cfg->root->dir);
		return hcl_cstring(a, cfg->cwd);
	case HCL_REF_TERRAFORM:
		return hcl_cstring(a, cfg->workspace);
	case HCL_REF_COUNT:
		return p->ctx.count_index ? p->ctx.count_index : hcl_ref_not_allowed(diags, ref);
	case HCL_REF_EACH:
		if (!p->ctx.each_key)
			return hcl_ref_not_allowed(diags, ref);
		return !strcmp(ref->name, "key") ? p->ctx.each_key : p->ctx.each_value;
	case HCL_REF_SELF:
		return p->ctx.self ? p->ctx.self : hcl_ref_not_allowed(diags, ref);
	}
	return NULL;
}

static void scope_init(hcl_scope *s, scope_payload *p, config *cfg, config_module *mod,
                       const config_context *ctx)
{
	*p = (scope_payload){.cfg = cfg, .mod = mod};
	if (ctx)
		p->ctx = *ctx;
	*s = (hcl_scope){.lookup = lookup, .payload = p, .base_dir = mod->dir};
}

const hcl_scope *config_scope(config *cfg, config_module *mod, const config_context *ctx)
{
	scope_payload *p = gf_arena_alloc(&cfg->arena, sizeof(*p));
	hcl_scope *s = gf_arena_alloc(&cfg->arena, sizeof(*s));
	scope_init(s, p, cfg, mod, ctx);
	return s;
}

const hcl_value *config_eval(config *cfg, config_module *mod, const hcl_expr *e,
                             const config_context *ctx)
{
	/* The scope lives for this evaluation only (hcl_eval keeps no pointer
	 * to it): on the stack, not 96 bytes of arena per expression. */
	scope_payload p;
	hcl_scope s;
	scope_init(&s, &p, cfg, mod, ctx);
	return hcl_eval(&cfg->arena, e, &s, &cfg->diags);
}

const hcl_value *config_output_value(config *cfg, config_module *mod, const config_output *o)
{
	if (!o->value)
		return NULL;
	const hcl_value *v = config_eval(cfg, mod, o->value, NULL);
	if (!v)
		return NULL;
	if (o->depends_on)
		config_eval(cfg, mod, o->depends_on, NULL);
	if (mod == cfg->root && !o->sensitive && (hcl_value_deep_marks(v) & HCL_MARK_SENSITIVE)) {
		cfgi_error(cfg, &o->value->range, "Output refers to sensitive values",
		           "To reduce the risk of accidentally exporting sensitive data that was "
		           "intended to be only internal, Terraform requires that any root module "
		           "output containing sensitive data be explicitly marked as sensitive, to "
		           "confirm your intent.\n\nIf you do intend to export this data, annotate "
		           "the output value as sensitive by adding the following argument:\n    "
		           "sensitive = true");
		return NULL;
	}
	return o->sensitive ? hcl_mark(&cfg->arena, v, HCL_MARK_SENSITIVE) : v;
}
