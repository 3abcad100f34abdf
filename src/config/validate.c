/*
 * config_validate: what `terraform validate` checks beyond structure. Every
 * expression of every module is evaluated with input variables unknown of
 * their declared types and resources unknown, so that what is reported is
 * what is wrong whatever the values: undeclared references, type errors in
 * constant parts, unknown functions and wrong arities, unsuitable count and
 * for_each values, module inputs that do not fit the child's variables.
 */
#include "config/config_impl.h"

#include <string.h>

static const char *const RESOURCE_META[] = {"count", "for_each", "depends_on", "provider", NULL};
static const char *const MODULE_META[] = {"source",     "version",   "count", "for_each",
                                          "depends_on", "providers", NULL};

static bool in_list(const char *s, const char *const *l)
{
	for (; l && *l; l++)
		if (!strcmp(s, *l))
			return true;
	return false;
}

static void eval(config *cfg, config_module *mod, const hcl_expr *e, const config_context *ctx)
{
	if (e)
		config_eval(cfg, mod, e, ctx);
}

static void check_count(config *cfg, config_module *mod, const hcl_expr *e)
{
	const hcl_value *v = config_eval(cfg, mod, e, NULL);
	if (!v || v->kind == HCL_VAL_UNKNOWN)
		return;
	if (v->kind == HCL_VAL_NULL) {
		cfgi_error(cfg, &e->range, "Invalid count argument",
		           "The given \"count\" argument value is null. An integer is required.");
		return;
	}
	const char *why = NULL;
	const hcl_value *n = hcl_convert(&cfg->arena, v, &hcl_type_number, &why);
	if (!n)
		cfgi_error(cfg, &e->range, "Invalid count argument",
		           "The given \"count\" argument value is unsuitable: %s.", why);
	else if (n->kind == HCL_VAL_NUMBER &&
	         (n->u.num < 0 || n->u.num != (double)(long long)n->u.num))
		cfgi_error(cfg, &e->range, "Invalid count argument",
		           "The given \"count\" argument value is unsuitable: %s.",
		           n->u.num < 0 ? "must be greater than or equal to zero"
		                        : "value must be a whole number");
}

static void check_for_each(config *cfg, config_module *mod, const hcl_expr *e)
{
	const hcl_value *v = config_eval(cfg, mod, e, NULL);
	if (!v || v->kind == HCL_VAL_UNKNOWN)
		return;
	hcl_type_kind k = v->type->kind;
	if (v->kind == HCL_VAL_NULL) {
		cfgi_error(cfg, &e->range, "Invalid for_each argument",
		           "The given \"for_each\" argument value is unsuitable: the given "
		           "\"for_each\" argument value is null. A map, or set of strings is "
		           "allowed.");
		return;
	}
	if (k == HCL_TYPE_MAP || k == HCL_TYPE_OBJECT ||
	    (k == HCL_TYPE_SET &&
	     (v->type->elem->kind == HCL_TYPE_STRING || v->type->elem->kind == HCL_TYPE_DYNAMIC)))
		return;
	cfgi_error(cfg, &e->range, "Invalid for_each argument",
	           "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument "
	           "must be a map, or set of strings, and you have provided a value of type %s.",
	           hcl_type_friendly(&cfg->arena, v->type));
}

static void walk_body(config *cfg, config_module *mod, const hcl_body *body,
                      const config_context *ctx, const char *const *skip);

static void walk_checks(config *cfg, config_module *mod, const config_check *c, size_t n,
                        const config_context *ctx)
{
	for (size_t i = 0; i < n; i++) {
		eval(cfg, mod, c[i].condition, ctx);
		eval(cfg, mod, c[i].error_message, ctx);
	}
}

static void walk_dynamic(config *cfg, config_module *mod, const hcl_block *b,
                         const config_context *ctx)
{
	if (!cfgi_labels(cfg, b, (const char *const[]){"name", NULL}))
		return;
	cfgi_check_body(cfg, b->body, b,
	                (const char *const[]){"!for_each", "iterator", "labels", NULL},
	                (const char *const[]){"content", NULL});
	const hcl_attribute *fe = hcl_body_attribute(b->body, "for_each");
	if (fe)
		eval(cfg, mod, fe->expr, ctx);
	const char *iter = b->labels[0].value;
	const hcl_attribute *it = hcl_body_attribute(b->body, "iterator");
	if (it) {
		const char *kw = hcl_expr_as_keyword(it->expr);
		if (!kw)
			cfgi_error(cfg, &it->expr->range, "Invalid dynamic iterator name",
			           "Dynamic iterator must be a single variable name.");
		else
			iter = kw;
	}
	config_iterator ci = {iter, &hcl_unknown_dynamic, &hcl_unknown_dynamic, ctx->iterators};
	config_context inner = *ctx;
	inner.iterators = &ci;
	const hcl_attribute *labels = hcl_body_attribute(b->body, "labels");
	if (labels)
		eval(cfg, mod, labels->expr, &inner);
	size_t ncontent = 0;
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *bi = &b->body->items[i];
		if (bi->kind != HCL_ITEM_BLOCK || strcmp(bi->u.block->type, "content") != 0)
			continue;
		if (ncontent++) {
			cfgi_error(
			        cfg, &bi->u.block->type_range, "Extraneous content block",
			        "Only one nested content block is allowed for each dynamic block.");
			continue;
		}
		cfgi_labels(cfg, bi->u.block, (const char *const[]){NULL});
		walk_body(cfg, mod, bi->u.block->body, &inner, NULL);
	}
	if (ncontent == 0) {
		hcl_range r = cfgi_missing_range(b);
		cfgi_error(
		        cfg, &r, "Missing content block",
		        "A dynamic block must have a nested block of type \"content\" to describe "
		        "the body of each generated block.");
	}
}

static void walk_body(config *cfg, config_module *mod, const hcl_body *body,
                      const config_context *ctx, const char *const *skip)
{
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			if (!in_list(it->u.attr->name, skip))
				eval(cfg, mod, it->u.attr->expr, ctx);
			continue;
		}
		const hcl_block *b = it->u.block;
		if (!strcmp(b->type, "dynamic")) {
			walk_dynamic(cfg, mod, b, ctx);
		} else if (!strcmp(b->type, "provisioner") || !strcmp(b->type, "connection")) {
			config_context inner = *ctx;
			inner.self = &hcl_unknown_dynamic;
			walk_body(cfg, mod, b->body, &inner,
			          (const char *const[]){"when", "on_failure", NULL});
		} else if (!strcmp(b->type, "lifecycle") && skip == RESOURCE_META) {
			continue; /* walked from the decoded config_lifecycle */
		} else {
			walk_body(cfg, mod, b->body, ctx, NULL);
		}
	}
}

static void validate_resource(config *cfg, config_module *mod, const config_resource *r)
{
	config_context ctx = {0};
	if (r->count) {
		check_count(cfg, mod, r->count);
		ctx.count_index = hcl_unknown(&cfg->arena, &hcl_type_number);
	}
	if (r->for_each) {
		check_for_each(cfg, mod, r->for_each);
		ctx.each_key = hcl_unknown(&cfg->arena, &hcl_type_string);
		ctx.each_value = &hcl_unknown_dynamic;
	}
	eval(cfg, mod, r->depends_on, NULL);
	walk_body(cfg, mod, r->body, &ctx, RESOURCE_META);
	const config_lifecycle *l = &r->lifecycle;
	eval(cfg, mod, l->replace_triggered_by, &ctx);
	walk_checks(cfg, mod, l->preconditions, l->npreconditions, &ctx);
	config_context post = ctx;
	post.self = &hcl_unknown_dynamic;
	walk_checks(cfg, mod, l->postconditions, l->npostconditions, &post);
}

static void validate_module(config *cfg, config_module *mod);

static void validate_call(config *cfg, config_module *mod, const config_module_call *c)
{
	config_context ctx = {0};
	if (c->count) {
		check_count(cfg, mod, c->count);
		ctx.count_index = hcl_unknown(&cfg->arena, &hcl_type_number);
	}
	if (c->for_each) {
		check_for_each(cfg, mod, c->for_each);
		ctx.each_key = hcl_unknown(&cfg->arena, &hcl_type_string);
		ctx.each_value = &hcl_unknown_dynamic;
	}
	eval(cfg, mod, c->depends_on, NULL);
	for (size_t i = 0; i < c->body->len; i++) {
		const hcl_body_item *it = &c->body->items[i];
		if (it->kind != HCL_ITEM_ATTRIBUTE || in_list(it->u.attr->name, MODULE_META))
			continue;
		const hcl_value *v = config_eval(cfg, mod, it->u.attr->expr, &ctx);
		if (!v || !c->child || !hcl_value_is_wholly_known(v))
			continue;
		for (size_t j = 0; j < c->child->variables.len; j++) {
			const config_variable *var = &c->child->variables.items[j];
			if (strcmp(var->name, it->u.attr->name) != 0)
				continue;
			const char *why = NULL;
			if (!hcl_convert(&cfg->arena, v, var->type, &why))
				cfgi_error(cfg, &it->u.attr->expr->range,
				           "Invalid value for input variable",
				           "The given value is not suitable for var.%s declared at "
				           "%s: %s.",
				           var->name,
				           hcl_range_string(&cfg->arena, &var->decl_range), why);
		}
	}
	if (c->child)
		validate_module(cfg, c->child);
}

static void validate_module(config *cfg, config_module *mod)
{
	for (size_t i = 0; i < mod->variables.len; i++) {
		const config_variable *v = &mod->variables.items[i];
		walk_checks(cfg, mod, v->validations, v->nvalidations, NULL);
	}
	for (size_t i = 0; i < mod->locals.len; i++)
		cfgi_local_value(cfg, mod, i, NULL);
	for (size_t i = 0; i < mod->providers.len; i++)
		walk_body(cfg, mod, mod->providers.items[i].body, &(config_context){0},
		          (const char *const[]){"alias", NULL});
	if (mod->backend_body)
		for (size_t i = 0; i < mod->backend_body->len; i++)
			if (mod->backend_body->items[i].kind == HCL_ITEM_ATTRIBUTE)
				cfgi_const_value(cfg, mod->backend_body->items[i].u.attr->expr);
	for (size_t i = 0; i < mod->resources.len; i++)
		validate_resource(cfg, mod, &mod->resources.items[i]);
	for (size_t i = 0; i < mod->calls.len; i++)
		validate_call(cfg, mod, &mod->calls.items[i]);
	for (size_t i = 0; i < mod->outputs.len; i++)
		config_output_value(cfg, mod, &mod->outputs.items[i]);
}

bool config_validate(config *cfg)
{
	cfg->unknown_variables = true;
	validate_module(cfg, cfg->root);
	return !hcl_diags_has_errors(&cfg->diags);
}
