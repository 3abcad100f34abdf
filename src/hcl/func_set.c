/*
 * Set functions: setintersection setproduct setsubtract setunion. The
 * arguments' element types are unified first (cty: "given sets must all
 * have compatible element types"); results are sets, except setproduct of
 * any list, which is a list of tuples as in Terraform.
 */
#include "hcl/func_impl.h"

#include <stdlib.h>

#include <string.h>

/* Converts every set to the unified element type; NULL (reported) if
 * there is none. */
static const hcl_value **unify_sets(hclv_call *c, const hcl_value *const *args, size_t n,
                                    const hcl_type **elem)
{
	const hcl_type **ts = gf_arena_alloc(c->a, (n + 1) * sizeof(*ts));
	for (size_t i = 0; i < n; i++)
		ts[i] = args[i]->type->elem;
	*elem = hclv_unify(c->a, ts, n);
	if (!*elem) {
		hclv_call_error(c, "given sets must all have compatible element types");
		return NULL;
	}
	const hcl_value **out = gf_arena_alloc(c->a, (n + 1) * sizeof(*out));
	const hcl_type *st = hcl_type_set(c->a, *elem);
	for (size_t i = 0; i < n; i++) {
		const char *why;
		out[i] = hcl_convert(c->a, args[i], st, &why);
		if (!out[i]) {
			hclv_call_error(c, "given sets must all have compatible element types");
			return NULL;
		}
	}
	return out;
}

/* Sets are sorted in hcl_value_compare order: binary search. */
static bool set_has(const hcl_value *set, const hcl_value *v)
{
	size_t lo = 0, hi = set->u.coll.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = hcl_value_compare(set->u.coll.items[mid], v);
		if (c == 0)
			return hcl_value_equal(set->u.coll.items[mid], v);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* mode 0: union, 1: intersection, 2: subtraction */
static const hcl_value *set_op(hclv_call *c, const hcl_value *const *args, size_t n, int mode)
{
	const hcl_type *elem;
	const hcl_value **sets = unify_sets(c, args, n, &elem);
	if (!sets)
		return NULL;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += sets[i]->u.coll.len;
	const hcl_value **out = gf_arena_alloc(c->a, (total + 1) * sizeof(*out));
	size_t k = 0;
	if (mode == 0) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < sets[i]->u.coll.len; j++)
				out[k++] = sets[i]->u.coll.items[j];
	} else {
		for (size_t j = 0; j < sets[0]->u.coll.len; j++) {
			const hcl_value *e = sets[0]->u.coll.items[j];
			bool keep = true;
			for (size_t i = 1; i < n && keep; i++)
				keep = mode == 1 ? set_has(sets[i], e) : !set_has(sets[i], e);
			if (keep)
				out[k++] = e;
		}
	}
	return hcl_set(c->a, elem, out, k);
}

static const hcl_value *fn_setunion(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return set_op(c, args, n, 0);
}

static const hcl_value *fn_setintersection(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return set_op(c, args, n, 1);
}

static const hcl_value *fn_setsubtract(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return set_op(c, args, n, 2);
}

static const hcl_value *fn_setproduct(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (n < 2)
		return hclv_call_error(c, "at least two arguments are required");
	bool any_list = false;
	size_t total = 1;
	for (size_t i = 0; i < n; i++) {
		const hcl_value *v = args[i];
		if (v->kind != HCL_VAL_LIST && v->kind != HCL_VAL_SET && v->kind != HCL_VAL_TUPLE)
			return hclv_arg_error(c, i, "a set or a list is required");
		if (v->kind != HCL_VAL_SET)
			any_list = true;
		total *= v->u.coll.len;
		if (total > 100000)
			return hclv_call_error(c, "the product has more than 100000 elements");
	}
	const hcl_value **out = gf_arena_alloc(c->a, (total + 1) * sizeof(*out));
	size_t *idx = gf_arena_alloc(c->a, n * sizeof(*idx));
	for (size_t k = 0; k < total; k++) {
		const hcl_value **t = gf_arena_alloc(c->a, n * sizeof(*t));
		for (size_t i = 0; i < n; i++)
			t[i] = args[i]->u.coll.items[idx[i]];
		out[k] = hcl_tuple(c->a, t, n);
		for (size_t i = n; i-- > 0;) {
			if (++idx[i] < args[i]->u.coll.len)
				break;
			idx[i] = 0;
		}
	}
	const hcl_type *et;
	if (total > 0) {
		et = out[0]->type;
		/* element types must agree: tuples of differently typed elements
		 * make the result a list of the unified tuple type */
		const hcl_type *u = hcl_unify_types(c->a, out, total);
		if (!u)
			return hclv_call_error(
			        c, "all elements of each argument must have the same type");
		for (size_t k = 0; k < total; k++)
			out[k] = hcl_convert(c->a, out[k], u, NULL);
		et = u;
	} else {
		const hcl_type **ts = gf_arena_alloc(c->a, n * sizeof(*ts));
		for (size_t i = 0; i < n; i++)
			ts[i] = args[i]->kind == HCL_VAL_TUPLE ? &hcl_type_dynamic
			                                       : args[i]->type->elem;
		et = hcl_type_tuple(c->a, ts, n);
	}
	if (any_list)
		return hcl_list(c->a, et, out, total);
	return hcl_set(c->a, et, out, total);
}

const hclv_func hclv_funcs_set[] = {
        HCLV_FUNC("setintersection", fn_setintersection, &hcl_type_dynamic,
                  HCLV_VAR("other_sets", &hclv_set_any, 0), {"first_set", &hclv_set_any, 0}),
        HCLV_FUNCV("setproduct", fn_setproduct, &hcl_type_dynamic,
                   HCLV_VAR("sets", &hcl_type_dynamic, 0)),
        HCLV_FUNC("setsubtract", fn_setsubtract, &hcl_type_dynamic, NULL, {"a", &hclv_set_any, 0},
                  {"b", &hclv_set_any, 0}),
        HCLV_FUNC("setunion", fn_setunion, &hcl_type_dynamic,
                  HCLV_VAR("other_sets", &hclv_set_any, 0), {"first_set", &hclv_set_any, 0}),
};
const size_t hclv_nfuncs_set = GF_ARRAY_LEN(hclv_funcs_set);
