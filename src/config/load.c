/*
 * Loading a module: the directory's .tf and .tf.json files in lexical
 * order, parsed, override files merged in (override.c), and read block by
 * block into a config_module, with Terraform's structure
 * diagnostics (configs.Parser and configs.Module). Local child modules are
 * loaded recursively.
 */
#include "config/config_impl.h"
#include "state/state.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE_SIZE    (64u << 20)
#define MAX_MODULE_DEPTH 32

static const char *const TOP_BLOCKS[] = {"terraform", "provider", "variable", "locals", "output",
                                         "module",    "resource", "data",     "moved",  "import",
                                         "check",     "removed",  NULL};
static const char *const NO_NAMES[] = {NULL};
static const char *const NAME_LABEL[] = {"name", NULL};
static const char *const TYPE_NAME_LABELS[] = {"type", "name", NULL};

static bool valid_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static const char *range_str(config *cfg, const hcl_range *r)
{
	return hcl_range_string(&cfg->arena, r);
}

/* ---- variable ---------------------------------------------------------- */

static void load_checks(config *cfg, const hcl_block *b, const char *type, config_check **out,
                        size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < b->body->len; i++)
		cap += b->body->items[i].kind == HCL_ITEM_BLOCK &&
		       !strcmp(b->body->items[i].u.block->type, type);
	*out = gf_arena_alloc(&cfg->arena, (cap + 1) * sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind != HCL_ITEM_BLOCK || strcmp(it->u.block->type, type) != 0)
			continue;
		const hcl_block *vb = it->u.block;
		cfgi_labels(cfg, vb, NO_NAMES);
		cfgi_check_body(cfg, vb->body, vb,
		                (const char *const[]){"!condition", "!error_message", NULL}, NULL);
		const hcl_attribute *c = hcl_body_attribute(vb->body, "condition");
		const hcl_attribute *m = hcl_body_attribute(vb->body, "error_message");
		if (!c || !m)
			continue;
		(*out)[(*n)++] = (config_check){c->expr, m->expr, vb->type_range};
	}
}

static const char *const MODULE_RESERVED[] = {"source",     "version",   "count",     "for_each",
                                              "depends_on", "providers", "lifecycle", NULL};

static void load_variable(config *cfg, config_module *mod, const hcl_block *b)
{
	gf_arena *a = &cfg->arena;
	if (!cfgi_labels(cfg, b, NAME_LABEL))
		return;
	config_variable v = {.name = b->labels[0].value,
	                     .decl_range = cfgi_decl_range(b),
	                     .type = &hcl_type_dynamic,
	                     .literal_cli = true,
	                     .nullable = true};
	cfgi_check_body(cfg, b->body, b,
	                (const char *const[]){"type", "default", "description", "sensitive",
	                                      "nullable", "ephemeral", NULL},
	                (const char *const[]){"validation", NULL});
	if (!valid_identifier(v.name))
		cfgi_error(cfg, &b->labels[0].range, "Invalid variable name",
		           "A name must start with a letter or underscore and may contain only "
		           "letters, digits, underscores, and dashes.");
	for (const char *const *r = MODULE_RESERVED; *r; r++)
		if (!strcmp(*r, v.name))
			cfgi_error(
			        cfg, &b->labels[0].range, "Invalid variable name",
			        "The variable name \"%s\" is reserved due to its special meaning "
			        "inside module blocks.",
			        v.name);
	cfgi_const_string(cfg, b->body, "description", &v.description);
	cfgi_const_bool(cfg, b->body, "sensitive", &v.sensitive);
	cfgi_const_bool(cfg, b->body, "nullable", &v.nullable);
	const hcl_attribute *ta = hcl_body_attribute(b->body, "type");
	bool type_ok = true;
	if (ta) {
		const char *kw = hcl_expr_as_keyword(ta->expr);
		const char *s;
		size_t n;
		if (hcl_expr_as_string(ta->expr, &s, &n)) {
			cfgi_error(
			        cfg, &ta->expr->range, "Invalid quoted type constraints",
			        "Terraform 0.11 and earlier required type constraints to be given "
			        "in quotes, but that form is now deprecated and will be removed in "
			        "a future version of Terraform. Remove the quotes around \"%s\".",
			        s);
			type_ok = false;
		} else if (kw && !strcmp(kw, "list")) {
			v.type = hcl_type_list(a, &hcl_type_dynamic);
		} else if (kw && !strcmp(kw, "map")) {
			v.type = hcl_type_map(a, &hcl_type_dynamic);
		} else {
			const hcl_type *t = config_parse_type(a, ta->expr, &cfg->diags);
			type_ok = t != NULL;
			if (t)
				v.type = t;
		}
		int k = v.type->kind;
		v.literal_cli = k == HCL_TYPE_STRING || k == HCL_TYPE_NUMBER ||
		                k == HCL_TYPE_BOOL || (k == HCL_TYPE_DYNAMIC && !type_ok);
	}
	const hcl_attribute *da = hcl_body_attribute(b->body, "default");
	if (da) {
		v.default_expr = da->expr;
		const hcl_value *d = cfgi_const_value(cfg, da->expr);
		if (d && type_ok) {
			const char *why = NULL;
			const hcl_value *c = hcl_convert(a, d, v.type, &why);
			if (!c)
				cfgi_error(cfg, &da->expr->range,
				           "Invalid default value for variable",
				           "This default value is not compatible with the "
				           "variable's type "
				           "constraint: %s.",
				           why);
			d = c;
		}
		if (d && !v.nullable && d->kind == HCL_VAL_NULL)
			cfgi_error(cfg, &da->expr->range, "Invalid default value for variable",
			           "A null default value is not valid when nullable=false.");
		v.default_value = d ? d : &hcl_unknown_dynamic;
	}
	load_checks(cfg, b, "validation", &v.validations, &v.nvalidations);
	long prev = cfgi_ix_add(mod, CFGI_IX_VAR, NULL, v.name, mod->variables.len);
	if (prev >= 0) {
		cfgi_error(
		        cfg, &v.decl_range, "Duplicate variable declaration",
		        "A variable named \"%s\" was already declared at %s. Variable names must "
		        "be unique within a module.",
		        v.name, range_str(cfg, &mod->variables.items[prev].decl_range));
		return;
	}
	gf_vec_push(&mod->variables, v);
}

/* ---- locals and outputs ------------------------------------------------ */

static void load_locals(config *cfg, config_module *mod, const hcl_block *b)
{
	cfgi_labels(cfg, b, NO_NAMES);
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind == HCL_ITEM_BLOCK) {
			cfgi_error(cfg, &it->u.block->type_range, "Unsupported block type",
			           "Blocks of type \"%s\" are not expected here.",
			           it->u.block->type);
			continue;
		}
		const hcl_attribute *at = it->u.attr;
		long prev = cfgi_ix_add(mod, CFGI_IX_LOCAL, NULL, at->name, mod->locals.len);
		if (prev >= 0)
			cfgi_error(
			        cfg, &at->name_range, "Duplicate local value definition",
			        "A local value named \"%s\" was already defined at %s. Local value "
			        "names must be unique within a module.",
			        at->name, range_str(cfg, &mod->locals.items[prev].range));
		else
			gf_vec_push(&mod->locals,
			            ((config_local){at->name, at->expr, at->name_range}));
	}
}

static void load_output(config *cfg, config_module *mod, const hcl_block *b)
{
	if (!cfgi_labels(cfg, b, NAME_LABEL))
		return;
	config_output o = {.name = b->labels[0].value, .decl_range = cfgi_decl_range(b)};
	cfgi_check_body(cfg, b->body, b,
	                (const char *const[]){"!value", "description", "sensitive", "depends_on",
	                                      "ephemeral", NULL},
	                (const char *const[]){"precondition", NULL});
	const hcl_attribute *v = hcl_body_attribute(b->body, "value");
	o.value = v ? v->expr : NULL;
	const hcl_attribute *d = hcl_body_attribute(b->body, "depends_on");
	o.depends_on = d ? d->expr : NULL;
	cfgi_const_string(cfg, b->body, "description", &o.description);
	cfgi_const_bool(cfg, b->body, "sensitive", &o.sensitive);
	load_checks(cfg, b, "precondition", &o.preconditions, &o.npreconditions);
	long prev = cfgi_ix_add(mod, CFGI_IX_OUTPUT, NULL, o.name, mod->outputs.len);
	if (prev >= 0) {
		cfgi_error(cfg, &o.decl_range, "Duplicate output definition",
		           "An output named \"%s\" was already defined at %s. Output names must be "
		           "unique within a module.",
		           o.name, range_str(cfg, &mod->outputs.items[prev].decl_range));
		return;
	}
	gf_vec_push(&mod->outputs, o);
}

/* ---- resources and data ------------------------------------------------ */

static const hcl_expr *attr_expr(const hcl_body *b, const char *name)
{
	const hcl_attribute *a = hcl_body_attribute(b, name);
	return a ? a->expr : NULL;
}

static void check_count_for_each(config *cfg, const hcl_body *body, const char *what)
{
	const hcl_attribute *c = hcl_body_attribute(body, "count");
	const hcl_attribute *f = hcl_body_attribute(body, "for_each");
	if (c && f)
		cfgi_error(cfg, &f->name_range, "Invalid combination of \"count\" and \"for_each\"",
		           "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, "
		           "only one should be used to be explicit about the number of %s to be "
		           "created.",
		           what);
}

static void load_lifecycle(config *cfg, config_resource *r)
{
	for (size_t i = 0; i < r->body->len; i++) {
		const hcl_body_item *it = &r->body->items[i];
		if (it->kind != HCL_ITEM_BLOCK || strcmp(it->u.block->type, "lifecycle") != 0)
			continue;
		const hcl_block *lb = it->u.block;
		cfgi_labels(cfg, lb, NO_NAMES);
		if (r->mode == CONFIG_MANAGED)
			cfgi_check_body(
			        cfg, lb->body, lb,
			        (const char *const[]){"create_before_destroy", "prevent_destroy",
			                              "ignore_changes", "replace_triggered_by",
			                              NULL},
			        (const char *const[]){"precondition", "postcondition", NULL});
		else
			cfgi_check_body(
			        cfg, lb->body, lb, NO_NAMES,
			        (const char *const[]){"precondition", "postcondition", NULL});
		config_lifecycle *l = &r->lifecycle;
		cfgi_const_bool(cfg, lb->body, "create_before_destroy", &l->create_before_destroy);
		cfgi_const_bool(cfg, lb->body, "prevent_destroy", &l->prevent_destroy);
		l->ignore_changes = attr_expr(lb->body, "ignore_changes");
		l->replace_triggered_by = attr_expr(lb->body, "replace_triggered_by");
		load_checks(cfg, lb, "precondition", &l->preconditions, &l->npreconditions);
		load_checks(cfg, lb, "postcondition", &l->postconditions, &l->npostconditions);
	}
}

static void load_resource(config *cfg, config_module *mod, const hcl_block *b, config_mode mode)
{
	if (!cfgi_labels(cfg, b, TYPE_NAME_LABELS))
		return;
	config_resource r = {.mode = mode,
	                     .type = b->labels[0].value,
	                     .name = b->labels[1].value,
	                     .decl_range = cfgi_decl_range(b),
	                     .body = b->body};
	if (!valid_identifier(r.name))
		cfgi_error(cfg, &b->labels[1].range, "Invalid resource name",
		           "A name must start with a letter or underscore and may contain only "
		           "letters, digits, underscores, and dashes.");
	r.count = attr_expr(b->body, "count");
	r.for_each = attr_expr(b->body, "for_each");
	r.depends_on = attr_expr(b->body, "depends_on");
	check_count_for_each(cfg, b->body, "resources");
	const hcl_expr *p = attr_expr(b->body, "provider");
	if (p) {
		if (p->kind != HCL_EXPR_SCOPE_TRAVERSAL || p->u.scope.steps.len > 1 ||
		    (p->u.scope.steps.len == 1 && p->u.scope.steps.steps[0].kind != HCL_STEP_ATTR))
			cfgi_error(
			        cfg, &p->range, "Invalid provider reference",
			        "A provider reference is a provider name, optionally followed by a "
			        "dot and an alias name, like fleet.west.");
		else
			r.provider = hcl_traversal_string(&cfg->arena, p);
	}
	load_lifecycle(cfg, &r);
	long prev = cfgi_ix_add(mod, mode == CONFIG_DATA ? CFGI_IX_DATA : CFGI_IX_MANAGED, r.type,
	                        r.name, mod->resources.len);
	if (prev >= 0) {
		const config_resource *o = &mod->resources.items[prev];
		if (mode == CONFIG_MANAGED)
			cfgi_error(
			        cfg, &r.decl_range,
			        gf_arena_printf(&cfg->arena,
			                        "Duplicate resource \"%s\" configuration", r.type),
			        "A %s resource named \"%s\" was already declared at %s. Resource "
			        "names must be unique per type in each module.",
			        r.type, r.name, range_str(cfg, &o->decl_range));
		else
			cfgi_error(cfg, &r.decl_range,
			           gf_arena_printf(&cfg->arena,
			                           "Duplicate data \"%s\" configuration", r.type),
			           "A %s data resource named \"%s\" was already declared at %s. "
			           "Resource "
			           "names must be unique per type in each module.",
			           r.type, r.name, range_str(cfg, &o->decl_range));
		return;
	}
	gf_vec_push(&mod->resources, r);
}

/* ---- modules ----------------------------------------------------------- */

static bool is_local_source(const char *s)
{
	return gf_str_has_prefix(s, "./") || gf_str_has_prefix(s, "../") || !strcmp(s, ".") ||
	       !strcmp(s, "..");
}

/* A path cleaned lexically as Go's filepath.Clean does ("./app" in "."
 * is "app", "a/../b" is "b"), so that path.module reads as Terraform's. */
static const char *clean_path(gf_arena *a, const char *path)
{
	bool rooted = path[0] == '/';
	size_t n = strlen(path);
	char *out = gf_arena_alloc(a, n + 2);
	size_t len = 0, floor = 0; /* floor: ".." prefix that cannot be undone */
	for (const char *p = path; *p;) {
		const char *e = strchr(p, '/');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == 0 || (k == 1 && p[0] == '.')) {
			/* empty or "." */
		} else if (k == 2 && p[0] == '.' && p[1] == '.') {
			if (len > floor) {
				while (len > floor && out[len - 1] != '/')
					len--;
				if (len > floor)
					len--;
			} else if (!rooted) {
				if (len)
					out[len++] = '/';
				memcpy(out + len, "..", 2);
				len += 2;
				floor = len;
			}
		} else {
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, k);
			len += k;
		}
		p += k + (e != NULL);
	}
	out[len] = '\0';
	if (rooted) {
		memmove(out + 1, out, len + 1);
		out[0] = '/';
	} else if (len == 0) {
		out[0] = '.';
		out[1] = '\0';
	}
	return out;
}

static void check_module_inputs(config *cfg, const config_module_call *c, const hcl_block *b)
{
	const config_module *child = c->child;
	const char **names =
	        gf_arena_alloc(&cfg->arena, (child->variables.len + 1) * sizeof(*names));
	for (size_t i = 0; i < child->variables.len; i++)
		names[i] = child->variables.items[i].name;
	for (size_t i = 0; i < c->body->len; i++) {
		const hcl_body_item *it = &c->body->items[i];
		if (it->kind != HCL_ITEM_ATTRIBUTE)
			continue;
		const char *n = it->u.attr->name;
		bool meta = false;
		for (const char *const *m = MODULE_RESERVED; *m; m++)
			meta |= !strcmp(*m, n);
		bool known = false;
		for (size_t j = 0; j < child->variables.len; j++)
			known |= !strcmp(names[j], n);
		if (meta || known)
			continue;
		const char *s = hcl_suggest(n, names, child->variables.len);
		cfgi_error(cfg, &it->u.attr->name_range, "Unsupported argument",
		           "An argument named \"%s\" is not expected here.%s", n,
		           s ? gf_arena_printf(&cfg->arena, " Did you mean \"%s\"?", s) : "");
	}
	for (size_t j = 0; j < child->variables.len; j++) {
		const config_variable *v = &child->variables.items[j];
		if (v->default_value || hcl_body_attribute(c->body, v->name))
			continue;
		hcl_range r = cfgi_missing_range(b);
		cfgi_error(cfg, &r, "Missing required argument",
		           "The argument \"%s\" is required, but no definition was found.",
		           v->name);
	}
}

static void load_module_call(config *cfg, config_module *mod, const hcl_block *b, int depth)
{
	if (!cfgi_labels(cfg, b, NAME_LABEL))
		return;
	config_module_call c = {
	        .name = b->labels[0].value, .decl_range = cfgi_decl_range(b), .body = b->body};
	for (size_t i = 0; i < b->body->len; i++)
		if (b->body->items[i].kind == HCL_ITEM_BLOCK)
			cfgi_error(cfg, &b->body->items[i].u.block->type_range,
			           "Unsupported block type",
			           "Blocks of type \"%s\" are not expected here.",
			           b->body->items[i].u.block->type);
	c.count = attr_expr(b->body, "count");
	c.for_each = attr_expr(b->body, "for_each");
	c.depends_on = attr_expr(b->body, "depends_on");
	check_count_for_each(cfg, b->body, "module instances");
	const hcl_attribute *src = hcl_body_attribute(b->body, "source");
	long prev = cfgi_ix_add(mod, CFGI_IX_CALL, NULL, c.name, mod->calls.len);
	if (prev >= 0) {
		cfgi_error(
		        cfg, &c.decl_range, "Duplicate module call",
		        "A module call named \"%s\" was already defined at %s. Module calls must "
		        "have unique names within a module.",
		        c.name, range_str(cfg, &mod->calls.items[prev].decl_range));
		return;
	}
	if (!src) {
		hcl_range r = cfgi_missing_range(b);
		cfgi_error(cfg, &r, "Missing required argument",
		           "The argument \"source\" is required, but no definition was found.");
	} else if (cfgi_const_string(cfg, b->body, "source", &c.source) && c.source) {
		c.source_range = src->expr->range;
		if (!is_local_source(c.source)) {
			cfgi_error(
			        cfg, &src->expr->range, "Unsupported module source",
			        "The module source \"%s\" is not a local path. gitfleet loads "
			        "modules from local directories only: use a path that starts with "
			        "\"./\" or \"../\".",
			        c.source);
		} else if (depth >= MAX_MODULE_DEPTH) {
			cfgi_error(cfg, &src->expr->range, "Module nesting too deep",
			           "Modules are nested more than %d levels deep here; a module "
			           "probably "
			           "includes itself.",
			           MAX_MODULE_DEPTH);
		} else {
			char *dir = gf_path_join(mod->dir, c.source);
			const char *d = clean_path(&cfg->arena, dir);
			free(dir);
			if (!gf_fs_is_dir(d)) {
				cfgi_error(cfg, &src->expr->range, "Unreadable module directory",
				           "The directory %s does not exist or cannot be read.", d);
			} else {
				const char *addr =
				        gf_arena_printf(&cfg->arena, "%s%smodule.%s", mod->addr,
				                        *mod->addr ? "." : "", c.name);
				c.child = cfgi_load_module(cfg, d, addr, depth + 1);
				if (c.child)
					check_module_inputs(cfg, &c, b);
			}
		}
	}
	gf_vec_push(&mod->calls, c);
}

/* ---- provider and terraform -------------------------------------------- */

static void load_provider(config *cfg, config_module *mod, const hcl_block *b)
{
	if (!cfgi_labels(cfg, b, NAME_LABEL))
		return;
	config_provider p = {
	        .name = b->labels[0].value, .decl_range = cfgi_decl_range(b), .body = b->body};
	cfgi_const_string(cfg, b->body, "alias", &p.alias);
	for (size_t i = 0; i < mod->providers.len; i++) {
		const config_provider *o = &mod->providers.items[i];
		if (strcmp(o->name, p.name) != 0)
			continue;
		if (!o->alias && !p.alias) {
			cfgi_error(
			        cfg, &p.decl_range, "Duplicate provider configuration",
			        "A default (non-aliased) provider configuration for \"%s\" was "
			        "already given at %s. If multiple configurations are required, set "
			        "the \"alias\" argument for alternative configurations.",
			        p.name, range_str(cfg, &o->decl_range));
			return;
		}
		if (o->alias && p.alias && !strcmp(o->alias, p.alias)) {
			cfgi_error(
			        cfg, &p.decl_range, "Duplicate provider configuration",
			        "A provider configuration for \"%s\" with alias \"%s\" was already "
			        "given at %s. Each configuration for the same provider must have a "
			        "distinct alias.",
			        p.name, p.alias, range_str(cfg, &o->decl_range));
			return;
		}
	}
	gf_vec_push(&mod->providers, p);
}

static void load_required_providers(config *cfg, config_module *mod, const hcl_block *b)
{
	cfgi_labels(cfg, b, NO_NAMES);
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind != HCL_ITEM_ATTRIBUTE) {
			cfgi_error(cfg, &it->u.block->type_range, "Unsupported block type",
			           "Blocks of type \"%s\" are not expected here.",
			           it->u.block->type);
			continue;
		}
		const hcl_value *v = cfgi_const_value(cfg, it->u.attr->expr);
		if (!v)
			continue;
		config_required_provider rp = {.name = it->u.attr->name};
		if (v->kind == HCL_VAL_STRING) {
			rp.version = v->u.str.ptr;
		} else if (v->kind == HCL_VAL_OBJECT) {
			const hcl_value *s = hcl_value_get(v, "source");
			const hcl_value *ver = hcl_value_get(v, "version");
			rp.source = s && s->kind == HCL_VAL_STRING ? s->u.str.ptr : NULL;
			rp.version = ver && ver->kind == HCL_VAL_STRING ? ver->u.str.ptr : NULL;
		} else {
			cfgi_error(cfg, &it->u.attr->expr->range,
			           "Invalid required_providers object",
			           "required_providers entries must be objects with \"source\" and "
			           "\"version\" attributes.");
			continue;
		}
		gf_vec_push(&mod->required_providers, rp);
	}
}

static void load_terraform(config *cfg, config_module *mod, const hcl_block *b)
{
	cfgi_labels(cfg, b, NO_NAMES);
	cfgi_check_body(cfg, b->body, b,
	                (const char *const[]){"required_version", "experiments", NULL},
	                (const char *const[]){"required_providers", "backend", "cloud",
	                                      "provider_meta", NULL});
	const char *rv = NULL;
	const hcl_attribute *rva = hcl_body_attribute(b->body, "required_version");
	if (rva && cfgi_const_string(cfg, b->body, "required_version", &rv) && rv) {
		mod->required_version = rv;
		int ok = config_version_check(rv, CONFIG_LANGUAGE_VERSION);
		if (ok < 0)
			cfgi_error(cfg, &rva->expr->range, "Invalid version constraint",
			           "This string does not use correct version constraint syntax.");
		else if (ok == 0)
			cfgi_error(
			        cfg, &rva->expr->range, "Unsupported Terraform Core version",
			        "This configuration does not support Terraform version %s, the "
			        "version of the language gitfleet implements. To proceed, either "
			        "choose another supported Terraform version or update this version "
			        "constraint. Version constraints are normally set for good reason, "
			        "so updating the constraint may lead to other errors or unexpected "
			        "behavior.",
			        CONFIG_LANGUAGE_VERSION);
	}
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind != HCL_ITEM_BLOCK)
			continue;
		const hcl_block *sb = it->u.block;
		if (!strcmp(sb->type, "required_providers")) {
			load_required_providers(cfg, mod, sb);
		} else if (!strcmp(sb->type, "backend")) {
			if (!cfgi_labels(cfg, sb, (const char *const[]){"type", NULL}))
				continue;
			if (mod->backend_type) {
				cfgi_error(cfg, &sb->type_range,
				           "Duplicate 'backend' configuration block",
				           "A module may have only one 'backend' configuration "
				           "block. The "
				           "backend was previously configured at %s.",
				           range_str(cfg, &mod->backend_range));
				continue;
			}
			mod->backend_type = sb->labels[0].value;
			mod->backend_body = sb->body;
			mod->backend_range = cfgi_decl_range(sb);
		}
	}
}

/* ---- moved ------------------------------------------------------------- */

/* The address of a moved or removed block: a static reference (hcl's
 * AbsTraversalForExpr) that is an address; canonical text in *out. */
static bool static_address(config *cfg, const hcl_attribute *at, const char **out, state_addr *addr)
{
	const hcl_expr *e = at->expr;
	bool ok = e->kind == HCL_EXPR_SCOPE_TRAVERSAL;
	for (size_t i = 0; ok && i < e->u.scope.steps.len; i++) {
		const hcl_step *st = &e->u.scope.steps.steps[i];
		ok = st->kind == HCL_STEP_ATTR || st->key.kind == HCL_LIT_STRING ||
		     st->key.kind == HCL_LIT_NUMBER;
	}
	if (!ok) {
		cfgi_error(cfg, &e->range, "Invalid expression",
		           "A single static variable reference is required: only attribute "
		           "access and indexing with constant keys. No calculations, function "
		           "calls, template expressions, etc are allowed here.");
		return false;
	}
	const char *text = hcl_traversal_string(&cfg->arena, e);
	if (state_addr_parse(addr, text) < 0) {
		cfgi_error(cfg, &e->range, "Invalid address", "%s.", gf_err_msg());
		return false;
	}
	char *canon = state_addr_string(addr);
	*out = gf_arena_strdup(&cfg->arena, canon);
	free(canon);
	return true;
}

static void load_moved(config *cfg, config_module *mod, const hcl_block *b)
{
	cfgi_labels(cfg, b, NO_NAMES);
	cfgi_check_body(cfg, b->body, b, (const char *const[]){"!from", "!to", NULL}, NULL);
	const hcl_attribute *fa = hcl_body_attribute(b->body, "from");
	const hcl_attribute *ta = hcl_body_attribute(b->body, "to");
	config_moved m = {.decl_range = b->type_range};
	state_addr from = {0}, to = {0};
	bool ok_from = fa && static_address(cfg, fa, &m.from, &from);
	bool ok_to = ta && static_address(cfg, ta, &m.to, &to);
	const state_addr *data = ok_from && from.type && from.mode == STATE_DATA ? &from
	                         : ok_to && to.type && to.mode == STATE_DATA     ? &to
	                                                                         : NULL;
	if (data) {
		cfgi_error(cfg, data == &from ? &fa->expr->range : &ta->expr->range,
		           "Invalid \"moved\" address",
		           "%s is a data source. Data sources are read again by every plan and "
		           "have nothing to move: rename the data block instead.",
		           data == &from ? m.from : m.to);
	} else if (ok_from && ok_to) {
		m.from_range = fa->expr->range;
		m.to_range = ta->expr->range;
		if (!from.type != !to.type)
			cfgi_error(cfg, &m.decl_range, "Invalid \"moved\" addresses",
			           "The \"from\" and \"to\" addresses must either both refer to "
			           "resources or both refer to modules.");
		else if (!strcmp(m.from, m.to))
			cfgi_error(cfg, &m.decl_range, "Redundant move statement",
			           "This statement declares a move from %s to the same address, "
			           "which is the same as not declaring this move at all.",
			           m.from);
		else if (from.type && strcmp(from.type, to.type) != 0)
			cfgi_error(cfg, &m.decl_range, "Resource type mismatch",
			           "This statement declares a move from %s to %s, which is a %s "
			           "of a different type.",
			           m.from, m.to,
			           from.key.kind || to.key.kind ? "resource instance" : "resource");
		else
			gf_vec_push(&mod->moved, m);
	}
	state_addr_dispose(&from);
	state_addr_dispose(&to);
}

static void load_removed(config *cfg, config_module *mod, const hcl_block *b)
{
	cfgi_labels(cfg, b, NO_NAMES);
	cfgi_check_body(cfg, b->body, b, (const char *const[]){"!from", NULL},
	                (const char *const[]){"lifecycle", NULL});
	config_removed r = {.destroy = true, .decl_range = b->type_range};
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind != HCL_ITEM_BLOCK || strcmp(it->u.block->type, "lifecycle") != 0)
			continue;
		cfgi_labels(cfg, it->u.block, NO_NAMES);
		cfgi_check_body(cfg, it->u.block->body, it->u.block,
		                (const char *const[]){"destroy", NULL}, NULL);
		cfgi_const_bool(cfg, it->u.block->body, "destroy", &r.destroy);
	}
	const hcl_attribute *fa = hcl_body_attribute(b->body, "from");
	state_addr from = {0};
	if (!fa || !static_address(cfg, fa, &r.from, &from))
		return;
	r.from_range = fa->expr->range;
	bool keyed = from.key.kind != STATE_KEY_NONE;
	for (size_t i = 0; i < from.nmodules; i++)
		keyed |= from.modules[i].key.kind != STATE_KEY_NONE;
	if (from.type && from.mode == STATE_DATA)
		cfgi_error(cfg, &r.from_range, "Data source address is not allowed",
		           "Data sources cannot be destroyed, and therefore, 'removed' blocks are "
		           "not allowed to target them. To remove data sources from the state, "
		           "you can remove the data source block from the configuration.");
	else if (keyed && from.type)
		cfgi_error(cfg, &r.from_range, "Resource instance address with keys is not allowed",
		           "Resource address cannot be a resource instance (e.g. "
		           "\"fleet_lb.a[0]\"), it must be a resource instead (e.g. "
		           "\"fleet_lb.a\").");
	else if (keyed)
		cfgi_error(cfg, &r.from_range, "Module instance address with keys is not allowed",
		           "Module address cannot be a module instance (e.g. \"module.a[0]\"), "
		           "it must be a module instead (e.g. \"module.a\").");
	else
		gf_vec_push(&mod->removed, r);
	state_addr_dispose(&from);
}

/*
 * Blocks gitfleet does not execute yet. import changes what plan and
 * apply do to existing objects: ignoring it would leave unmanaged what the
 * author meant to manage, so it is refused by name. A
 * check block never changes what apply does (Terraform reports failed
 * checks as warnings only), so it is accepted with a warning that it is not
 * evaluated.
 */
static void load_unsupported(config *cfg, const hcl_block *b)
{
	if (strcmp(b->type, "check") == 0) {
		hcl_diags_add(&cfg->diags, HCL_DIAG_WARNING, &b->type_range, "Block ignored",
		              "gitfleet does not evaluate \"check\" blocks yet: its assertions are "
		              "not checked.");
		return;
	}
	hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
	              "gitfleet does not support \"%s\" blocks yet. Remove the block, or make "
	              "the change it describes by hand.",
	              b->type);
}

/* ---- files and modules ------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool ignored_file(const char *n)
{
	return n[0] == '.' || n[0] == '#' || gf_str_has_suffix(n, "~");
}

/* Parses one file, native or JSON syntax by its name; NULL when it cannot
 * be read (reported). */
static hcl_body *parse_file(config *cfg, const char *path)
{
	char *src;
	size_t len;
	if (gf_fs_read_arena(&src, &len, &cfg->arena, path, MAX_FILE_SIZE) < 0) {
		cfgi_error(cfg, NULL, "Failed to read file",
		           "The file \"%s\" could not be read: %s.", path, gf_err_msg());
		return NULL;
	}
	hcl_body *body = gf_str_has_suffix(path, ".json")
	                         ? hcl_parse_json_file(path, src, len, cfgi_json_schema(),
	                                               &cfg->arena, &cfg->diags)
	                         : hcl_parse_file(path, src, len, &cfg->arena, &cfg->diags);
	hcl_sources_add(&cfg->sources, body->range.filename ? body->range.filename : path, src, len,
	                body);
	cfgi_check_body(cfg, body, NULL, NO_NAMES, TOP_BLOCKS);
	return body;
}

static void load_body(config *cfg, config_module *mod, const hcl_body *body, int depth)
{
	for (size_t i = 0; i < body->len; i++) {
		if (body->items[i].kind != HCL_ITEM_BLOCK)
			continue;
		const hcl_block *bl = body->items[i].u.block;
		const char *t = bl->type;
		if (!strcmp(t, "variable"))
			load_variable(cfg, mod, bl);
		else if (!strcmp(t, "locals"))
			load_locals(cfg, mod, bl);
		else if (!strcmp(t, "output"))
			load_output(cfg, mod, bl);
		else if (!strcmp(t, "resource"))
			load_resource(cfg, mod, bl, CONFIG_MANAGED);
		else if (!strcmp(t, "data"))
			load_resource(cfg, mod, bl, CONFIG_DATA);
		else if (!strcmp(t, "module"))
			load_module_call(cfg, mod, bl, depth);
		else if (!strcmp(t, "provider"))
			load_provider(cfg, mod, bl);
		else if (!strcmp(t, "terraform"))
			load_terraform(cfg, mod, bl);
		else if (!strcmp(t, "moved"))
			load_moved(cfg, mod, bl);
		else if (!strcmp(t, "removed"))
			load_removed(cfg, mod, bl);
		else if (!strcmp(t, "import") || !strcmp(t, "check"))
			load_unsupported(cfg, bl);
	}
}

/* Sizes the module's declaration lists and name index for every block of
 * its files before they are loaded: grown one by one they were copied at
 * each doubling, into fresh memory each time (page faults). */
static void reserve_declarations(config_module *mod, hcl_body *const *bodies, size_t n)
{
	size_t variables = 0, locals = 0, outputs = 0, resources = 0;
	for (size_t f = 0; f < n; f++) {
		for (size_t i = 0; i < bodies[f]->len; i++) {
			if (bodies[f]->items[i].kind != HCL_ITEM_BLOCK)
				continue;
			const hcl_block *bl = bodies[f]->items[i].u.block;
			if (!strcmp(bl->type, "resource") || !strcmp(bl->type, "data"))
				resources++;
			else if (!strcmp(bl->type, "locals"))
				locals += bl->body->len;
			else if (!strcmp(bl->type, "output"))
				outputs++;
			else if (!strcmp(bl->type, "variable"))
				variables++;
		}
	}
	gf_vec_reserve(&mod->variables, variables);
	gf_vec_reserve(&mod->locals, locals);
	gf_vec_reserve(&mod->outputs, outputs);
	gf_vec_reserve(&mod->resources, resources);
	cfgi_ix_reserve(mod, variables + locals + outputs + resources);
}

static bool config_file(const char *n)
{
	return !ignored_file(n) &&
	       (gf_str_has_suffix(n, ".tf") || gf_str_has_suffix(n, ".tf.json"));
}

/* override.tf, x_override.tf and their .tf.json forms. */
static bool override_file(const char *n)
{
	size_t l = strlen(n) - (gf_str_has_suffix(n, ".json") ? 8 : 3);
	return (l == 8 && !strncmp(n, "override", 8)) ||
	       (l >= 9 && !strncmp(n + l - 9, "_override", 9));
}

config_module *cfgi_load_module(config *cfg, const char *dir, const char *addr, int depth)
{
	DIR *d = opendir(dir);
	if (!d) {
		cfgi_error(cfg, NULL, "Failed to read module directory",
		           "Module directory %s does not exist or cannot be read.", dir);
		return NULL;
	}
	GF_VEC(char *) files = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (config_file(de->d_name))
			gf_vec_push(&files, gf_xstrdup(de->d_name));
	closedir(d);
	if (files.len)
		qsort(files.items, files.len, sizeof(*files.items), cmp_str);
	config_module *mod = gf_arena_alloc(&cfg->arena, sizeof(*mod));
	mod->dir = gf_arena_strdup(&cfg->arena, dir);
	mod->addr = addr;
	mod->nfiles = files.len;
	GF_VEC(hcl_body *) primary = {0}, overrides = {0};
	for (size_t i = 0; i < files.len; i++) {
		char *path = strcmp(dir, ".") == 0 ? gf_xstrdup(files.items[i])
		                                   : gf_path_join(dir, files.items[i]);
		hcl_body *body = parse_file(cfg, path);
		if (body && override_file(files.items[i]))
			gf_vec_push(&overrides, body);
		else if (body)
			gf_vec_push(&primary, body);
		free(path);
		free(files.items[i]);
	}
	gf_vec_dispose(&files);
	cfgi_merge_overrides(cfg, primary.items, primary.len, overrides.items, overrides.len);
	reserve_declarations(mod, primary.items, primary.len);
	for (size_t i = 0; i < primary.len; i++)
		load_body(cfg, mod, primary.items[i], depth);
	gf_vec_dispose(&primary);
	gf_vec_dispose(&overrides);
	size_t n = mod->locals.len;
	mod->local_values = gf_arena_alloc(&cfg->arena, (n + 1) * sizeof(*mod->local_values));
	mod->local_state = gf_arena_alloc(&cfg->arena, (n + 1) * sizeof(*mod->local_state));
	return mod;
}

config *config_load(const char *dir)
{
	config *cfg = gf_xcalloc(1, sizeof(*cfg));
	gf_arena_init(&cfg->arena);
	hcl_diags_init(&cfg->diags, &cfg->arena);
	cfg->workspace = "default";
	char *cwd = getcwd(NULL, 0);
	cfg->cwd = gf_arena_strdup(&cfg->arena, cwd ? cwd : ".");
	free(cwd);
	cfg->root = cfgi_load_module(cfg, dir, "", 0);
	if (!cfg->root) {
		cfg->root = gf_arena_alloc(&cfg->arena, sizeof(*cfg->root));
		cfg->root->dir = gf_arena_strdup(&cfg->arena, dir);
		cfg->root->addr = "";
		cfg->root->local_values = gf_arena_alloc(&cfg->arena, sizeof(void *));
		cfg->root->local_state = gf_arena_alloc(&cfg->arena, sizeof(int));
	}
	return cfg;
}

static void module_dispose(config_module *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->calls.len; i++)
		module_dispose(m->calls.items[i].child);
	gf_vec_dispose(&m->variables);
	gf_vec_dispose(&m->locals);
	gf_vec_dispose(&m->outputs);
	gf_vec_dispose(&m->resources);
	gf_vec_dispose(&m->calls);
	gf_vec_dispose(&m->providers);
	gf_vec_dispose(&m->required_providers);
	gf_vec_dispose(&m->moved);
	gf_vec_dispose(&m->removed);
	cfgi_ix_free(m);
}

void config_free(config *cfg)
{
	if (!cfg)
		return;
	module_dispose(cfg->root);
	hcl_sources_dispose(&cfg->sources);
	hcl_diags_dispose(&cfg->diags);
	gf_arena_dispose(&cfg->arena);
	free(cfg);
}
