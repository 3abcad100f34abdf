/*
 * Type constraint expressions (hcl's ext/typeexpr, with optional()) and
 * version constraints (hashicorp/go-version's syntax) — the two small
 * languages inside the terraform and variable blocks.
 */
#include "config/config_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define INVALID_TYPE "Invalid type specification"

static const hcl_type *type_error(hcl_diags *diags, const hcl_expr *e, const char *detail,
                                  const char *arg)
{
	hcl_diags_add(diags, HCL_DIAG_ERROR, &e->range, INVALID_TYPE, detail, arg);
	return NULL;
}

static const hcl_type *parse_type(gf_arena *a, const hcl_expr *e, hcl_diags *diags);

static const char *object_key_name(const hcl_object_item *it)
{
	if (it->key_ident)
		return it->key->u.scope.root;
	const char *kw = hcl_expr_as_keyword(it->key);
	if (kw)
		return kw;
	const char *s;
	size_t n;
	if (hcl_expr_as_string(it->key, &s, &n) && strlen(s) == n)
		return s;
	return NULL;
}

static const hcl_type *parse_optional(gf_arena *a, const hcl_expr *e, hcl_diags *diags,
                                      const hcl_value **def)
{
	size_t n = e->u.call.nargs;
	if (n == 0)
		return type_error(diags, e,
		                  "Optional attribute modifier requires the attribute type as its "
		                  "argument.%s",
		                  "");
	if (n > 2)
		return type_error(diags, e,
		                  "Optional attribute modifier expects at most two arguments: the "
		                  "attribute type, and a default value.%s",
		                  "");
	const hcl_type *t = parse_type(a, e->u.call.args[0], diags);
	if (!t || n == 1)
		return t;
	static const hcl_scope none = {.no_functions = true};
	const hcl_value *v = hcl_eval(a, e->u.call.args[1], &none, diags);
	if (!v)
		return NULL;
	const char *why = NULL;
	*def = hcl_convert(a, v, t, &why);
	if (!*def) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &e->u.call.args[1]->range,
		              "Invalid default value for optional attribute",
		              "This default value is not compatible with the attribute's type "
		              "constraint: %s.",
		              why);
		return NULL;
	}
	return t;
}

static const hcl_type *parse_object(gf_arena *a, const hcl_expr *e, hcl_diags *diags)
{
	const hcl_expr *arg = e->u.call.args[0];
	if (arg->kind != HCL_EXPR_OBJECT)
		return type_error(diags, arg,
		                  "Object type constructor requires a map whose keys are attribute "
		                  "names and whose values are the corresponding attribute types.%s",
		                  "");
	size_t n = arg->u.object.len;
	const char **names = gf_arena_alloc(a, (n + 1) * sizeof(*names));
	const hcl_type **types = gf_arena_alloc(a, (n + 1) * sizeof(*types));
	bool *opt = gf_arena_alloc(a, n + 1);
	const hcl_value **defs = gf_arena_alloc(a, (n + 1) * sizeof(*defs));
	bool ok = true, any_opt = false;
	for (size_t i = 0; i < n; i++) {
		const hcl_object_item *it = &arg->u.object.items[i];
		names[i] = object_key_name(it);
		if (!names[i]) {
			type_error(diags, it->key,
			           "Object constructor map keys must be attribute names.%s", "");
			ok = false;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (names[j] && strcmp(names[j], names[i]) == 0) {
				type_error(diags, it->key,
				           "Object constructor map keys must be unique.%s", "");
				ok = false;
			}
		}
		const hcl_expr *v = it->value;
		if (v->kind == HCL_EXPR_CALL && strcmp(v->u.call.name, "optional") == 0) {
			types[i] = parse_optional(a, v, diags, &defs[i]);
			opt[i] = any_opt = true;
		} else {
			types[i] = parse_type(a, v, diags);
		}
		ok &= types[i] != NULL;
	}
	if (!ok)
		return NULL;
	if (any_opt)
		return hcl_type_object_ex(a, names, types, opt, defs, n);
	return hcl_type_object(a, names, types, n);
}

static const hcl_type *parse_call(gf_arena *a, const hcl_expr *e, hcl_diags *diags)
{
	const char *name = e->u.call.name;
	size_t n = e->u.call.nargs;
	if (!strcmp(name, "string") || !strcmp(name, "number") || !strcmp(name, "bool"))
		return type_error(diags, e,
		                  "Primitive type keyword \"%s\" does not expect arguments.", name);
	if (!strcmp(name, "any"))
		return type_error(diags, e,
		                  "Type constraint keyword \"%s\" does not expect arguments.",
		                  name);
	if (!strcmp(name, "optional"))
		return type_error(diags, e,
		                  "Keyword \"%s\" is valid only as a modifier for object type "
		                  "attributes.",
		                  name);
	bool coll = !strcmp(name, "list") || !strcmp(name, "set") || !strcmp(name, "map");
	if (coll) {
		if (n != 1)
			return type_error(
			        diags, e,
			        "The %s type constructor requires one argument specifying "
			        "the element type.",
			        name);
		const hcl_type *el = parse_type(a, e->u.call.args[0], diags);
		if (!el)
			return NULL;
		return name[0] == 'l'   ? hcl_type_list(a, el)
		       : name[0] == 's' ? hcl_type_set(a, el)
		                        : hcl_type_map(a, el);
	}
	if (!strcmp(name, "object")) {
		if (n != 1)
			return type_error(diags, e,
			                  "The object type constructor requires one argument "
			                  "specifying the attribute types and values as a map.%s",
			                  "");
		return parse_object(a, e, diags);
	}
	if (!strcmp(name, "tuple")) {
		const hcl_expr *arg = n == 1 ? e->u.call.args[0] : NULL;
		if (!arg || arg->kind != HCL_EXPR_TUPLE)
			return type_error(diags, arg ? arg : e,
			                  "The tuple type constructor requires one argument "
			                  "specifying the element types as a list.%s",
			                  "");
		size_t m = arg->u.tuple.len;
		const hcl_type **types = gf_arena_alloc(a, (m + 1) * sizeof(*types));
		bool ok = true;
		for (size_t i = 0; i < m; i++) {
			types[i] = parse_type(a, arg->u.tuple.items[i], diags);
			ok &= types[i] != NULL;
		}
		return ok ? hcl_type_tuple(a, types, m) : NULL;
	}
	return type_error(diags, e, "Keyword \"%s\" is not a valid type constructor.", name);
}

static const hcl_type *parse_type(gf_arena *a, const hcl_expr *e, hcl_diags *diags)
{
	while (e->kind == HCL_EXPR_PARENS)
		e = e->u.parens.inner;
	const char *kw = hcl_expr_as_keyword(e);
	if (kw) {
		if (!strcmp(kw, "string"))
			return &hcl_type_string;
		if (!strcmp(kw, "number"))
			return &hcl_type_number;
		if (!strcmp(kw, "bool"))
			return &hcl_type_bool;
		if (!strcmp(kw, "any"))
			return &hcl_type_dynamic;
		if (!strcmp(kw, "list") || !strcmp(kw, "map") || !strcmp(kw, "set"))
			return type_error(
			        diags, e,
			        "The %s type constructor requires one argument specifying "
			        "the element type.",
			        kw);
		if (!strcmp(kw, "object"))
			return type_error(diags, e,
			                  "The object type constructor requires one argument "
			                  "specifying the attribute types and values as a map.%s",
			                  "");
		if (!strcmp(kw, "tuple"))
			return type_error(
			        diags, e,
			        "The tuple type constructor requires one argument specifying "
			        "the element types as a list.%s",
			        "");
		return type_error(diags, e, "The keyword \"%s\" is not a valid type specification.",
		                  kw);
	}
	if (e->kind == HCL_EXPR_CALL)
		return parse_call(a, e, diags);
	return type_error(diags, e,
	                  "A type specification is either a primitive type keyword (bool, "
	                  "number, string) or a complex type constructor call, like "
	                  "list(string).%s",
	                  "");
}

const hcl_type *config_parse_type(gf_arena *a, const hcl_expr *e, hcl_diags *diags)
{
	return parse_type(a, e, diags);
}

/* ---- version constraints ----------------------------------------------- */

typedef struct {
	long seg[3];
	int n;
} version;

static bool parse_version(version *v, const char *s, const char **end)
{
	memset(v, 0, sizeof(*v));
	if (*s == 'v')
		s++;
	while (v->n < 3) {
		if (!isdigit((unsigned char)*s))
			return false;
		char *e;
		v->seg[v->n++] = strtol(s, &e, 10);
		s = e;
		if (*s != '.')
			break;
		s++;
	}
	/* pre-release and build metadata do not take part in comparisons here */
	if (*s == '-' || *s == '+')
		while (*s && !isspace((unsigned char)*s) && *s != ',')
			s++;
	*end = s;
	return true;
}

static int cmp_version(const version *a, const version *b)
{
	for (int i = 0; i < 3; i++)
		if (a->seg[i] != b->seg[i])
			return a->seg[i] < b->seg[i] ? -1 : 1;
	return 0;
}

static int check_one(const char *s, const version *have)
{
	while (isspace((unsigned char)*s))
		s++;
	static const char *const ops[] = {"~>", ">=", "<=", "!=", ">", "<", "="};
	const char *op = "=";
	for (size_t i = 0; i < GF_ARRAY_LEN(ops); i++) {
		if (gf_str_has_prefix(s, ops[i])) {
			op = ops[i];
			s += strlen(ops[i]);
			break;
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	version want;
	const char *end;
	if (!parse_version(&want, s, &end))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	int c = cmp_version(have, &want);
	if (!strcmp(op, "~>")) {
		version upper = {{0, 0, 0}, 3};
		if (want.n <= 2)
			upper.seg[0] = want.seg[0] + 1;
		else {
			upper.seg[0] = want.seg[0];
			upper.seg[1] = want.seg[1] + 1;
		}
		return c >= 0 && cmp_version(have, &upper) < 0;
	}
	if (!strcmp(op, ">="))
		return c >= 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, ">"))
		return c > 0;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "!="))
		return c != 0;
	return c == 0;
}

int config_version_check(const char *constraint, const char *version_str)
{
	version have;
	const char *end;
	if (!parse_version(&have, version_str, &end))
		return -1;
	int result = 1;
	char *copy = gf_xstrdup(constraint), *save = NULL;
	bool any = false;
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		any = true;
		int r = check_one(part, &have);
		if (r < 0) {
			result = -1;
			break;
		}
		if (r == 0)
			result = 0;
	}
	free(copy);
	return any ? result : -1;
}
