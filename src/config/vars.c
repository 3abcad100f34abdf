/*
 * Input variable values of the root module, with Terraform's precedence
 * (config.h, config_set_variables): each source overrides the ones before
 * it; every value is converted to the declared type where it is given, so
 * that an error names its source; validation blocks run on the result.
 */
#include "config/config_impl.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARFILE_SIZE (16u << 20)

typedef struct {
	const char *kind; /* "file", "flag", "env" */
	const char *text; /* the flag, or the environment variable's name */
	hcl_range range;  /* the expression in a file */
} source;

static config_variable *find_var(config *cfg, const char *name)
{
	config_module *m = cfg->root;
	for (size_t i = 0; i < m->variables.len; i++)
		if (!strcmp(m->variables.items[i].name, name))
			return &m->variables.items[i];
	return NULL;
}

static void assign(config *cfg, config_variable *v, const hcl_value *val, const source *src)
{
	const char *why = NULL;
	const hcl_value *c = hcl_convert(&cfg->arena, val, v->type, &why);
	const char *decl = hcl_range_string(&cfg->arena, &v->decl_range);
	if (c) {
		v->value = c;
		v->value_range = src->range;
		return;
	}
	if (!strcmp(src->kind, "env"))
		cfgi_error(
		        cfg, NULL, "Invalid value for input variable",
		        "The environment variable %s does not contain a valid value for variable "
		        "\"%s\": %s.",
		        src->text, v->name, why);
	else if (!strcmp(src->kind, "flag"))
		cfgi_error(cfg, NULL, "Invalid value for input variable",
		           "The value given by the option -var=\"%s\" is not suitable for var.%s "
		           "declared at %s: %s.",
		           src->text, v->name, decl, why);
	else
		cfgi_error(cfg, &src->range, "Invalid value for input variable",
		           "The given value is not suitable for var.%s declared at %s: %s.",
		           v->name, decl, why);
}

/* A -var or TF_VAR_ value: the raw string for primitive (and untyped)
 * variables, an HCL expression otherwise, as Terraform's parsing modes. */
static const hcl_value *parse_cli_value(config *cfg, const config_variable *v, const char *text)
{
	if (v->literal_cli)
		return hcl_cstring(&cfg->arena, text);
	const char *fname = gf_arena_printf(&cfg->arena, "<value for var.%s>", v->name);
	hcl_expr *e = hcl_parse_expression(fname, text, strlen(text), hcl_pos_start(), &cfg->arena,
	                                   &cfg->diags);
	hcl_sources_add(&cfg->sources, fname, gf_arena_strdup(&cfg->arena, text), strlen(text),
	                NULL);
	if (e->kind == HCL_EXPR_INVALID)
		return NULL;
	return cfgi_const_value(cfg, e);
}

static void undeclared_in_file(config *cfg, const char *name, const char *file, const hcl_range *r)
{
	hcl_diags_add(
	        &cfg->diags, HCL_DIAG_WARNING, r, "Value for undeclared variable",
	        "The root module does not declare a variable named \"%s\" but a value was found in "
	        "file \"%s\". If you meant to use this value, add a \"variable\" block to the "
	        "configuration.\n\nTo silence these warnings, use TF_VAR_... environment "
	        "variables to provide certain \"global\" settings to all configurations in your "
	        "organization. To reduce the verbosity of these warnings, use the "
	        "-compact-warnings option.",
	        name, file);
}

static void load_tfvars_hcl(config *cfg, const char *path, const char *src, size_t len)
{
	hcl_body *body = hcl_parse_file(path, src, len, &cfg->arena, &cfg->diags);
	hcl_sources_add(&cfg->sources, body->range.filename ? body->range.filename : path, src, len,
	                body);
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (it->kind == HCL_ITEM_BLOCK) {
			cfgi_error(cfg, &it->u.block->type_range, "Unexpected block",
			           "Blocks are not allowed in a variables file; \"%s\" is a block.",
			           it->u.block->type);
			continue;
		}
		const hcl_attribute *at = it->u.attr;
		config_variable *v = find_var(cfg, at->name);
		if (!v) {
			undeclared_in_file(cfg, at->name, path, &at->name_range);
			continue;
		}
		const hcl_value *val = cfgi_const_value(cfg, at->expr);
		if (val)
			assign(cfg, v, val, &(source){"file", path, at->expr->range});
	}
}

static void load_tfvars_json(config *cfg, const char *path, const char *src, size_t len)
{
	const char *why = NULL;
	const hcl_value *obj = hcl_value_from_json(&cfg->arena, src, len, &why);
	hcl_range whole = {.filename = path, .start = {1, 1, 0}, .end = {1, 1, 0}};
	if (!obj || obj->kind != HCL_VAL_OBJECT) {
		cfgi_error(cfg, &whole, "Invalid variables file",
		           "The file %s must contain one JSON object whose properties are variable "
		           "values%s%s.",
		           path, why ? ": " : "", why ? why : "");
		return;
	}
	for (size_t i = 0; i < obj->u.coll.len; i++) {
		const char *name = obj->u.coll.keys[i];
		config_variable *v = find_var(cfg, name);
		if (!v)
			undeclared_in_file(cfg, name, path, NULL);
		else
			assign(cfg, v, obj->u.coll.items[i], &(source){"file", path, whole});
	}
}

/* Reads a variables file; `must_exist` for -var-file. */
static void load_var_file(config *cfg, const char *path, bool must_exist)
{
	gf_buf b;
	gf_buf_init(&b, MAX_VARFILE_SIZE);
	int rc = gf_fs_read(&b, path);
	if (rc == GF_ENOTFOUND && !must_exist) {
		gf_buf_dispose(&b);
		return;
	}
	if (rc < 0) {
		cfgi_error(cfg, NULL, "Failed to read variables file",
		           rc == GF_ENOTFOUND ? "Given variables file %s does not exist."
		                              : "Error while reading %s.",
		           path);
		gf_buf_dispose(&b);
		return;
	}
	size_t len = b.len;
	const char *src = gf_arena_memdup(&cfg->arena, gf_buf_cstr(&b), len + 1);
	gf_buf_dispose(&b);
	if (gf_str_has_suffix(path, ".json"))
		load_tfvars_json(cfg, path, src, len);
	else
		load_tfvars_hcl(cfg, path, src, len);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static char *in_root(config *cfg, const char *name)
{
	const char *dir = cfg->root->dir;
	return strcmp(dir, ".") == 0 ? gf_xstrdup(name) : gf_path_join(dir, name);
}

static void load_auto_files(config *cfg)
{
	static const char *const fixed[] = {"terraform.tfvars", "terraform.tfvars.json"};
	for (size_t i = 0; i < GF_ARRAY_LEN(fixed); i++) {
		char *p = in_root(cfg, fixed[i]);
		load_var_file(cfg, p, false);
		free(p);
	}
	DIR *d = opendir(cfg->root->dir);
	if (!d)
		return;
	GF_VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (gf_str_has_suffix(de->d_name, ".auto.tfvars") ||
		    gf_str_has_suffix(de->d_name, ".auto.tfvars.json"))
			gf_vec_push(&names, gf_xstrdup(de->d_name));
	closedir(d);
	if (names.len)
		qsort(names.items, names.len, sizeof(*names.items), cmp_str);
	for (size_t i = 0; i < names.len; i++) {
		char *p = in_root(cfg, names.items[i]);
		load_var_file(cfg, p, true);
		free(p);
		free(names.items[i]);
	}
	gf_vec_dispose(&names);
}

static void load_env(config *cfg, char *const *environ)
{
	for (; environ && *environ; environ++) {
		const char *e = *environ;
		if (!gf_str_has_prefix(e, "TF_VAR_"))
			continue;
		const char *eq = strchr(e, '=');
		if (!eq)
			continue;
		char *name = gf_arena_strndup(&cfg->arena, e + 7, (size_t)(eq - e - 7));
		config_variable *v = find_var(cfg, name);
		if (!v)
			continue; /* TF_VAR_ values for undeclared variables are ignored */
		const hcl_value *val = parse_cli_value(cfg, v, eq + 1);
		const char *env = gf_arena_printf(&cfg->arena, "TF_VAR_%s", name);
		if (val)
			assign(cfg, v, val, &(source){"env", env, {0}});
	}
}

static void load_flag(config *cfg, const char *text)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text) {
		cfgi_error(cfg, NULL, "Invalid -var option",
		           "The given -var option \"%s\" is not correctly specified. Must be a "
		           "variable name and value separated by an equals sign, like "
		           "-var=\"key=value\".",
		           text);
		return;
	}
	char *name = gf_arena_strndup(&cfg->arena, text, (size_t)(eq - text));
	config_variable *v = find_var(cfg, name);
	if (!v) {
		cfgi_error(
		        cfg, NULL, "Value for undeclared variable",
		        "A variable named \"%s\" was assigned on the command line, but the root "
		        "module does not declare a variable of that name. To use this value, add "
		        "a \"variable\" block to the configuration.",
		        name);
		return;
	}
	const hcl_value *val = parse_cli_value(cfg, v, eq + 1);
	if (val)
		assign(cfg, v, val, &(source){"flag", text, {0}});
}

void config_check_variable(config *cfg, const config_variable *v, const hcl_scope *scope,
                           const hcl_range *subject)
{
	for (size_t i = 0; i < v->nvalidations; i++) {
		const config_check *ck = &v->validations[i];
		const hcl_value *c = hcl_eval(&cfg->arena, ck->condition, scope, &cfg->diags);
		if (!c || c->kind == HCL_VAL_UNKNOWN)
			continue;
		const hcl_value *b = hcl_convert(&cfg->arena, c, &hcl_type_bool, NULL);
		if (!b || b->kind == HCL_VAL_NULL) {
			cfgi_error(cfg, &ck->condition->range, "Invalid variable validation result",
			           "Validation condition expression must return either true or "
			           "false.");
			continue;
		}
		if (b->kind != HCL_VAL_BOOL || b->u.b)
			continue;
		const hcl_value *m = hcl_eval(&cfg->arena, ck->error_message, scope, &cfg->diags);
		const hcl_value *ms =
		        m ? hcl_convert(&cfg->arena, m, &hcl_type_string, NULL) : NULL;
		const char *msg = ms && ms->kind == HCL_VAL_STRING ? ms->u.str.ptr
		                                                   : "The value is not valid.";
		cfgi_error(cfg, subject, "Invalid value for variable",
		           "%s\n\nThis was checked by the validation rule at %s.", msg,
		           hcl_range_string(&cfg->arena, &ck->range));
	}
}

bool config_set_variables(config *cfg, const config_var_arg *args, size_t nargs,
                          char *const *environ)
{
	size_t before = cfg->diags.errors;
	config_module *m = cfg->root;
	for (size_t i = 0; i < m->variables.len; i++) {
		config_variable *v = &m->variables.items[i];
		v->value = v->default_value;
		v->value_range = v->default_expr ? v->default_expr->range : (hcl_range){0};
	}
	load_env(cfg, environ);
	load_auto_files(cfg);
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].is_file)
			load_var_file(cfg, args[i].text, true);
		else
			load_flag(cfg, args[i].text);
	}
	for (size_t i = 0; i < m->variables.len; i++) {
		config_variable *v = &m->variables.items[i];
		if (!v->value) {
			cfgi_error(
			        cfg, &v->decl_range, "No value for required variable",
			        "The root module input variable \"%s\" is not set, and has no "
			        "default "
			        "value. Use a -var or -var-file command line argument to provide a "
			        "value for this variable.",
			        v->name);
			continue;
		}
		if (v->value->kind == HCL_VAL_NULL && !v->nullable) {
			if (v->default_value && v->default_value->kind != HCL_VAL_NULL) {
				v->value = v->default_value;
			} else {
				cfgi_error(cfg, &v->decl_range, "Required variable not set",
				           "The variable \"%s\" is required, but the given value "
				           "is null.",
				           v->name);
				continue;
			}
		}
	}
	if (cfg->diags.errors != before)
		return false;
	for (size_t i = 0; i < m->variables.len; i++) {
		const config_variable *v = &m->variables.items[i];
		config_check_variable(cfg, v, config_scope(cfg, m, NULL),
		                      v->value_range.filename ? &v->value_range : &v->decl_range);
	}
	return cfg->diags.errors == before;
}
