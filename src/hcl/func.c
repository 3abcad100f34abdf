/*
 * The function library's dispatcher: one table of every function (the
 * family tables of func_*.c), and hcl_func_call, which does for every
 * function what HCL's call expression and cty's function.Call do (see
 * func_impl.h). Diagnostics use HCL's and Terraform's wording.
 */
#include "hcl/func_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hcl_type hclv_list_string = {.kind = HCL_TYPE_LIST, .elem = &hcl_type_string};
const hcl_type hclv_list_any = {.kind = HCL_TYPE_LIST, .elem = &hcl_type_dynamic};
const hcl_type hclv_list_bool = {.kind = HCL_TYPE_LIST, .elem = &hcl_type_bool};
const hcl_type hclv_set_any = {.kind = HCL_TYPE_SET, .elem = &hcl_type_dynamic};
const hcl_type hclv_map_any = {.kind = HCL_TYPE_MAP, .elem = &hcl_type_dynamic};
const hcl_type hclv_map_list_string = {.kind = HCL_TYPE_MAP, .elem = &hclv_list_string};

/* try() and can() take unevaluated expressions, and sensitive(),
 * nonsensitive() and issensitive() work on the marks the dispatcher strips:
 * the evaluator implements them; they are listed here so that names, arity
 * and suggestions know them. */
static const hclv_func evaluator_funcs[] = {
        HCLV_FUNC("can", NULL, &hcl_type_bool, NULL, {"expression", &hcl_type_dynamic, 0}),
        HCLV_FUNC("issensitive", NULL, &hcl_type_bool, NULL, {"value", &hcl_type_dynamic, 0}),
        HCLV_FUNC("nonsensitive", NULL, &hcl_type_dynamic, NULL, {"value", &hcl_type_dynamic, 0}),
        HCLV_FUNC("sensitive", NULL, &hcl_type_dynamic, NULL, {"value", &hcl_type_dynamic, 0}),
        HCLV_FUNC("try", NULL, &hcl_type_dynamic, HCLV_VAR("expressions", &hcl_type_dynamic, 0),
                  {"expressions", &hcl_type_dynamic, 0}),
};

typedef struct {
	const hclv_func *table;
	const size_t *n;
} family;

static const size_t n_evaluator = GF_ARRAY_LEN(evaluator_funcs);

static const family families[] = {
        {evaluator_funcs, &n_evaluator},          {hclv_funcs_num, &hclv_nfuncs_num},
        {hclv_funcs_string, &hclv_nfuncs_string}, {hclv_funcs_format, &hclv_nfuncs_format},
        {hclv_funcs_regex, &hclv_nfuncs_regex},   {hclv_funcs_coll, &hclv_nfuncs_coll},
        {hclv_funcs_set, &hclv_nfuncs_set},       {hclv_funcs_encoding, &hclv_nfuncs_encoding},
        {hclv_funcs_file, &hclv_nfuncs_file},     {hclv_funcs_crypto, &hclv_nfuncs_crypto},
        {hclv_funcs_conv, &hclv_nfuncs_conv},     {hclv_funcs_net, &hclv_nfuncs_net},
        {hclv_funcs_time, &hclv_nfuncs_time},     {hclv_funcs_yaml, &hclv_nfuncs_yaml},
        {hclv_funcs_digest, &hclv_nfuncs_digest},
};

/* Every function, sorted by name (ties in table order, so that the first
 * family defining a name wins), and the names alone in the same order;
 * and a hash table over them, since every call expression looks its
 * function up (a bisection was 8 strcmp calls a lookup). Built once. */
typedef struct {
	const hclv_func *f;
	size_t order;
} func_entry;

static func_entry *sorted_funcs;
static const char **sorted_names;
static size_t n_names;
static const hclv_func **func_slots; /* open addressing; NULL: empty */
static size_t func_mask;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static int cmp_entry(const void *a, const void *b)
{
	const func_entry *x = a, *y = b;
	int c = strcmp(x->f->name, y->f->name);
	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void names_init(void)
{
	size_t n = 0;
	for (size_t f = 0; f < GF_ARRAY_LEN(families); f++)
		n += *families[f].n;
	sorted_funcs = gf_xmalloc(n * sizeof(*sorted_funcs));
	sorted_names = gf_xmalloc(n * sizeof(*sorted_names));
	for (size_t f = 0; f < GF_ARRAY_LEN(families); f++)
		for (size_t i = 0; i < *families[f].n; i++) {
			sorted_funcs[n_names].f = &families[f].table[i];
			sorted_funcs[n_names].order = n_names;
			n_names++;
		}
	qsort(sorted_funcs, n_names, sizeof(*sorted_funcs), cmp_entry);
	for (size_t i = 0; i < n_names; i++)
		sorted_names[i] = sorted_funcs[i].f->name;
	size_t cap = 64;
	while (cap < 4 * n_names)
		cap *= 2;
	func_slots = gf_xcalloc(cap, sizeof(*func_slots));
	func_mask = cap - 1;
	for (size_t i = 0; i < n_names; i++) {
		if (i > 0 && !strcmp(sorted_names[i], sorted_names[i - 1]))
			continue; /* a later family's function of the same name */
		size_t h = name_hash(sorted_names[i]) & func_mask;
		while (func_slots[h])
			h = (h + 1) & func_mask;
		func_slots[h] = sorted_funcs[i].f;
	}
}

static const hclv_func *func_find(const char *name)
{
	pthread_once(&names_once, names_init);
	for (size_t h = name_hash(name) & func_mask; func_slots[h]; h = (h + 1) & func_mask)
		if (!strcmp(func_slots[h]->name, name))
			return func_slots[h];
	return NULL;
}

const char *const *hcl_func_names(size_t *n)
{
	pthread_once(&names_once, names_init);
	*n = n_names;
	return sorted_names;
}

bool hcl_func_exists(const char *name)
{
	return func_find(name) != NULL;
}

int hcl_func_arity(const char *name, int *min, int *max)
{
	const hclv_func *f = func_find(name);
	if (!f)
		return gf_err_set(GF_ENOTFOUND, "there is no function named \"%s\"", name);
	*min = (int)f->nparams;
	*max = f->variadic ? -1 : (int)f->nparams;
	return 0;
}

/* ---- errors and helpers for implementations ---------------------------- */

static const hclv_param *param_at(const hclv_func *f, size_t i)
{
	return i < f->nparams ? &f->params[i] : f->variadic;
}

const hcl_value *hclv_arg_error(hclv_call *c, size_t arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf_buf b = GF_BUF_INIT;
	gf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	const hclv_param *p = param_at(c->fn, arg);
	c->err->arg = (int)arg;
	c->err->summary = "Invalid function argument";
	c->err->detail = gf_arena_printf(c->a, "Invalid value for \"%s\" parameter: %s.",
	                                 p ? p->name : "?", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return NULL;
}

const hcl_value *hclv_call_error(hclv_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf_buf b = GF_BUF_INIT;
	gf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->err->arg = -1;
	c->err->summary = "Error in function call";
	c->err->detail = gf_arena_printf(c->a, "Call to function \"%s\" failed: %s.", c->fn->name,
	                                 gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return NULL;
}

const hcl_value *hclv_str(hclv_call *c, const char *s, size_t len)
{
	return hcl_string(c->a, s, len);
}

const hcl_value *hclv_cstr(hclv_call *c, const char *s)
{
	return hcl_cstring(c->a, s);
}

bool hclv_arg_int(hclv_call *c, size_t arg, const hcl_value *v, int64_t *out)
{
	double d = v->u.num;
	if (d != floor(d) || fabs(d) > 9007199254740992.0) {
		hclv_arg_error(c, arg, "value must be a whole number");
		return false;
	}
	*out = (int64_t)d;
	return true;
}

/* ---- the call ---------------------------------------------------------- */

static const hcl_value *unknown_result(hclv_call *c, unsigned marks)
{
	const hcl_type *t = c->fn->ret ? c->fn->ret : &hcl_type_dynamic;
	return hcl_mark(c->a, hcl_unknown(c->a, t), marks);
}

const hcl_value *hcl_func_call(const hcl_func_env *env, const char *name,
                               const hcl_value *const *args_in, size_t nargs, bool expand_last,
                               hcl_func_error *err)
{
	gf_arena *a = env->arena;
	err->arg = -1;
	err->summary = err->detail = NULL;
	const hclv_func *f = func_find(name);
	if (!f) {
		size_t n;
		const char *const *names = hcl_func_names(&n);
		const char *s = gf_str_suggest(name, names, n);
		err->summary = "Call to unknown function";
		err->detail = s ? gf_arena_printf(a,
		                                  "There is no function named \"%s\". Did you mean "
		                                  "\"%s\"?",
		                                  name, s)
		                : gf_arena_printf(a, "There is no function named \"%s\".", name);
		return NULL;
	}
	hclv_call c = {.env = env, .a = a, .fn = f, .err = err};
	if (!f->impl)
		return hclv_call_error(&c, "%s() must be evaluated by the expression evaluator",
		                       name);

	const hcl_value **args = gf_arena_alloc(a, (nargs + 1) * sizeof(*args));
	if (nargs)
		memcpy(args, args_in, nargs * sizeof(*args));
	unsigned marks = 0;
	if (expand_last && nargs > 0) {
		const hcl_value *last = args[nargs - 1];
		if (last->kind == HCL_VAL_UNKNOWN)
			return hcl_mark(a, &hcl_unknown_dynamic, last->marks);
		bool seq = last->kind == HCL_VAL_LIST || last->kind == HCL_VAL_SET ||
		           last->kind == HCL_VAL_TUPLE;
		if (last->kind == HCL_VAL_NULL || !seq) {
			err->arg = (int)nargs - 1;
			err->summary = "Invalid expanding argument value";
			err->detail =
			        last->kind == HCL_VAL_NULL
			                ? "The expanding argument (indicated by ...) must not be "
			                  "null."
			                : "The expanding argument (indicated by ...) must be of a "
			                  "tuple, list, or set type.";
			return NULL;
		}
		marks |= last->marks;
		size_t extra = last->u.coll.len;
		const hcl_value **exp = gf_arena_alloc(a, (nargs + extra) * sizeof(*exp));
		memcpy(exp, args, (nargs - 1) * sizeof(*exp));
		for (size_t i = 0; i < extra; i++)
			exp[nargs - 1 + i] = last->u.coll.items[i];
		args = exp;
		nargs = nargs - 1 + extra;
	}
	if (nargs < f->nparams) {
		err->summary = "Not enough function arguments";
		err->detail = gf_arena_printf(
		        a, "Function \"%s\" expects%s %zu argument(s). Missing value for \"%s\".",
		        name, f->variadic ? " at least" : "", f->nparams, f->params[nargs].name);
		return NULL;
	}
	if (!f->variadic && nargs > f->nparams) {
		err->arg = (int)f->nparams;
		err->summary = "Too many function arguments";
		err->detail = gf_arena_printf(a, "Function \"%s\" expects only %zu argument(s).",
		                              name, f->nparams);
		return NULL;
	}

	bool unknown = false;
	for (size_t i = 0; i < nargs; i++) {
		const hclv_param *p = param_at(f, i);
		const hcl_value *v = args[i];
		if (v->kind == HCL_VAL_NULL && !(p->flags & HCLV_ALLOW_NULL))
			return hclv_arg_error(&c, i, "argument must not be null");
		const char *why = NULL;
		const hcl_value *cv = hcl_convert(a, v, p->type, &why);
		if (!cv)
			return hclv_arg_error(&c, i, "%s", why);
		marks |= hcl_value_deep_marks(cv);
		if (cv->kind == HCL_VAL_UNKNOWN && !(p->flags & HCLV_ALLOW_UNKNOWN))
			unknown = true;
		else if (!(p->flags & (HCLV_ALLOW_PARTIAL | HCLV_ALLOW_UNKNOWN)) &&
		         !hcl_value_is_wholly_known(cv))
			unknown = true;
		args[i] = (p->flags & HCLV_KEEP_MARKS) ? cv : hcl_unmark(a, cv);
	}
	if (unknown)
		return unknown_result(&c, marks);
	const hcl_value *r = f->impl(&c, args, nargs);
	if (!r)
		return NULL;
	return hcl_mark(a, r, marks);
}
