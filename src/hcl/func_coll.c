/*
 * Collection functions: alltrue anytrue chunklist coalesce coalescelist
 * compact concat contains distinct element flatten index keys length
 * lookup matchkeys merge one range reverse slice sort sum transpose values
 * zipmap. Lists stay lists and tuples stay tuples where Terraform keeps
 * them; a map gives lists, an object gives tuples.
 */
#include "hcl/func_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef GF_VEC(const hcl_value *) value_vec;

static const hcl_type list_number = {.kind = HCL_TYPE_LIST, .elem = &hcl_type_number};

#define ITEMS(v) ((v)->u.coll.items)
#define LEN(v)   ((v)->u.coll.len)

static bool is_seq(const hcl_value *v)
{
	return v->kind == HCL_VAL_LIST || v->kind == HCL_VAL_SET || v->kind == HCL_VAL_TUPLE;
}

static bool is_mapping(const hcl_value *v)
{
	return v->kind == HCL_VAL_MAP || v->kind == HCL_VAL_OBJECT;
}

static const hcl_value **items_new(hclv_call *c, size_t n)
{
	return gf_arena_alloc(c->a, (n + 1) * sizeof(const hcl_value *));
}

/* A fresh array holding src[0..n); src may be NULL when n is 0. */
static const hcl_value **items_copy(hclv_call *c, const hcl_value *const *src, size_t n)
{
	const hcl_value **out = items_new(c, n);
	if (n)
		memcpy(out, src, n * sizeof(*out));
	return out;
}

/* A sequence shaped like `like`: a tuple stays a tuple, otherwise a list
 * of like's element type. */
static const hcl_value *seq_like(hclv_call *c, const hcl_value *like, const hcl_value **items,
                                 size_t n)
{
	if (like->kind == HCL_VAL_TUPLE)
		return hcl_tuple(c->a, items, n);
	return hcl_list(c->a, like->type->elem, items, n);
}

static const hcl_value *fn_alltrue(hclv_call *c, const hcl_value *const *args, size_t n)
{
	for (size_t i = 0; i < LEN(args[0]); i++) {
		const hcl_value *e = ITEMS(args[0])[i];
		if (e->kind == HCL_VAL_UNKNOWN)
			return hcl_unknown(c->a, &hcl_type_bool);
		if (e->kind == HCL_VAL_NULL || !e->u.b)
			return &hcl_false;
	}
	return &hcl_true;
}

static const hcl_value *fn_anytrue(hclv_call *c, const hcl_value *const *args, size_t n)
{
	bool unknown = false;
	for (size_t i = 0; i < LEN(args[0]); i++) {
		const hcl_value *e = ITEMS(args[0])[i];
		if (e->kind == HCL_VAL_UNKNOWN)
			unknown = true;
		if (e->kind == HCL_VAL_BOOL && e->u.b)
			return &hcl_true;
	}
	return unknown ? hcl_unknown(c->a, &hcl_type_bool) : &hcl_false;
}

static const hcl_value *fn_chunklist(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *list = args[0];
	int64_t size;
	if (!hclv_arg_int(c, 1, args[1], &size))
		return NULL;
	if (size < 0)
		return hclv_call_error(c, "the size argument must be positive");
	const hcl_type *lt = list->type;
	if (size == 0 || LEN(list) == 0) {
		const hcl_value **one = items_new(c, 1);
		one[0] = list;
		return hcl_list(c->a, lt, one, LEN(list) ? 1 : 0);
	}
	size_t nchunks = (LEN(list) + (size_t)size - 1) / (size_t)size;
	const hcl_value **chunks = items_new(c, nchunks);
	for (size_t k = 0; k < nchunks; k++) {
		size_t start = k * (size_t)size;
		size_t m = GF_MIN((size_t)size, LEN(list) - start);
		const hcl_value **part = items_copy(c, ITEMS(list) + start, m);
		chunks[k] = hcl_list(c->a, lt->elem, part, m);
	}
	return hcl_list(c->a, lt, chunks, nchunks);
}

static const hcl_value *fn_coalesce(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_type *t = hcl_unify_types(c->a, args, n);
	if (!t)
		return hclv_call_error(c, "all arguments must have the same type");
	for (size_t i = 0; i < n; i++) {
		const hcl_value *v = args[i];
		if (v->kind == HCL_VAL_UNKNOWN)
			return hcl_unknown(c->a, t);
		if (v->kind == HCL_VAL_NULL)
			continue;
		const hcl_value *cv = hcl_convert(c->a, v, t, NULL);
		if (!cv)
			return hclv_call_error(c, "all arguments must have the same type");
		if (cv->kind == HCL_VAL_STRING && cv->u.str.len == 0)
			continue;
		return cv;
	}
	return hclv_call_error(c, "no non-null, non-empty-string arguments");
}

static const hcl_value *fn_coalescelist(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (n == 0)
		return hclv_call_error(c, "at least one argument is required");
	for (size_t i = 0; i < n; i++) {
		const hcl_value *v = args[i];
		if (v->kind == HCL_VAL_NULL)
			continue;
		if (v->kind == HCL_VAL_UNKNOWN)
			return &hcl_unknown_dynamic;
		if (v->type->kind != HCL_TYPE_LIST && v->type->kind != HCL_TYPE_TUPLE)
			return hclv_call_error(c, "coalescelist arguments must be lists or tuples");
		if (LEN(v) > 0)
			return v;
	}
	return hclv_call_error(c, "no non-null arguments");
}

static const hcl_value *fn_compact(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *list = args[0];
	const hcl_value **out = items_new(c, LEN(list));
	size_t k = 0;
	for (size_t i = 0; i < LEN(list); i++) {
		const hcl_value *e = ITEMS(list)[i];
		if (e->kind == HCL_VAL_NULL || (e->kind == HCL_VAL_STRING && e->u.str.len == 0))
			continue;
		out[k++] = e;
	}
	return hcl_list(c->a, &hcl_type_string, out, k);
}

static const hcl_value *fn_concat(hclv_call *c, const hcl_value *const *args, size_t n)
{
	size_t total = 0;
	bool all_lists = true, unknown = false;
	if (n == 0)
		return hclv_call_error(c, "at least one argument is required");
	for (size_t i = 0; i < n; i++) {
		const hcl_value *v = args[i];
		bool list_type = v->type->kind == HCL_TYPE_LIST;
		if (!list_type && v->type->kind != HCL_TYPE_TUPLE)
			return hclv_arg_error(c, i, "all arguments must be lists or tuples; got %s",
			                      hcl_type_friendly(c->a, v->type));
		if (v->kind == HCL_VAL_NULL)
			return hclv_arg_error(c, i, "argument must not be null");
		if (v->kind == HCL_VAL_UNKNOWN) {
			unknown = true;
			continue;
		}
		if (!list_type || !hcl_type_equal(v->type, args[0]->type))
			all_lists = false;
		total += LEN(v);
	}
	if (unknown)
		return all_lists && n > 0 ? hcl_unknown(c->a, args[0]->type) : &hcl_unknown_dynamic;
	const hcl_value **out = items_new(c, total);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < LEN(args[i]); j++)
			out[k++] = ITEMS(args[i])[j];
	if (all_lists && n > 0)
		return hcl_list(c->a, args[0]->type->elem, out, k);
	return hcl_tuple(c->a, out, k);
}

/* Whether v equals an element of seq (cty's Equals: values of different
 * types are never equal). */
static bool seq_contains(const hcl_value *seq, const hcl_value *v, size_t *at)
{
	for (size_t i = 0; i < LEN(seq); i++) {
		if (hcl_value_equal(ITEMS(seq)[i], v)) {
			if (at)
				*at = i;
			return true;
		}
	}
	return false;
}

static const hcl_value *fn_contains(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (!is_seq(args[0]))
		return hclv_call_error(c, "argument must be list, tuple, or set");
	return hcl_bool(seq_contains(args[0], args[1], NULL));
}

static const hcl_value *fn_index(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (args[0]->kind != HCL_VAL_LIST && args[0]->kind != HCL_VAL_TUPLE)
		return hclv_call_error(c, "argument must be a list or tuple");
	if (LEN(args[0]) == 0)
		return hclv_call_error(c, "cannot search an empty list");
	size_t at;
	if (!seq_contains(args[0], args[1], &at))
		return hclv_call_error(c, "item not found");
	return hcl_number(c->a, (double)at);
}

static const hcl_value *fn_distinct(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *list = args[0];
	const hcl_value **out = items_new(c, LEN(list));
	size_t k = 0;
	for (size_t i = 0; i < LEN(list); i++) {
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = hcl_value_equal(out[j], ITEMS(list)[i]);
		if (!seen)
			out[k++] = ITEMS(list)[i];
	}
	return hcl_list(c->a, list->type->elem, out, k);
}

static const hcl_value *fn_element(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *list = args[0];
	if (list->kind != HCL_VAL_LIST && list->kind != HCL_VAL_TUPLE)
		return hclv_call_error(c, "cannot read elements from %s",
		                       hcl_type_friendly(c->a, list->type));
	int64_t idx;
	if (!hclv_arg_int(c, 1, args[1], &idx))
		return NULL;
	if (LEN(list) == 0)
		return hclv_call_error(c, "cannot use element function with an empty list");
	/* cty wraps in both directions: -1 is the last element */
	int64_t len = (int64_t)LEN(list);
	idx %= len;
	if (idx < 0)
		idx += len;
	return ITEMS(list)[idx];
}

static bool flatten_into(hclv_call *c, const hcl_value *v, value_vec *out, int depth)
{
	for (size_t i = 0; i < LEN(v); i++) {
		const hcl_value *e = ITEMS(v)[i];
		if (e->kind == HCL_VAL_UNKNOWN)
			return false;
		if (is_seq(e) && depth < 256) {
			if (!flatten_into(c, e, out, depth + 1))
				return false;
		} else {
			gf_vec_push(out, e);
		}
	}
	return true;
}

static const hcl_value *fn_flatten(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (!is_seq(args[0]))
		return hclv_call_error(c, "can only flatten lists, sets and tuples");
	value_vec out = {0};
	const hcl_value *r;
	if (!flatten_into(c, args[0], &out, 0)) {
		r = &hcl_unknown_dynamic;
	} else {
		const hcl_value **items = items_copy(c, out.items, out.len);
		r = hcl_tuple(c->a, items, out.len);
	}
	gf_vec_dispose(&out);
	return r;
}

static const hcl_value *fn_keys(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *m = args[0];
	if (!is_mapping(m))
		return hclv_arg_error(c, 0, "must have map or object type");
	const hcl_value **out = items_new(c, LEN(m));
	for (size_t i = 0; i < LEN(m); i++)
		out[i] = hclv_cstr(c, m->u.coll.keys[i]);
	if (m->kind == HCL_VAL_OBJECT)
		return hcl_tuple(c->a, out, LEN(m));
	return hcl_list(c->a, &hcl_type_string, out, LEN(m));
}

static const hcl_value *fn_values(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *m = args[0];
	if (!is_mapping(m))
		return hclv_call_error(c, "values() requires a map as the first argument");
	const hcl_value **out = items_copy(c, ITEMS(m), LEN(m));
	if (m->kind == HCL_VAL_OBJECT)
		return hcl_tuple(c->a, out, LEN(m));
	return hcl_list(c->a, m->type->elem, out, LEN(m));
}

static const hcl_value *fn_length(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *v = args[0];
	if (v->kind == HCL_VAL_UNKNOWN) {
		if (v->type->kind == HCL_TYPE_TUPLE || v->type->kind == HCL_TYPE_OBJECT)
			return hcl_number(c->a, (double)v->type->n);
		return hcl_unknown(c->a, &hcl_type_number);
	}
	if (v->kind == HCL_VAL_STRING)
		return hcl_number(c->a, (double)hclv_grapheme_count(v->u.str.ptr, v->u.str.len));
	if (v->kind >= HCL_VAL_LIST) {
		/* a set with unknown elements may shrink once they are known */
		if (v->kind == HCL_VAL_SET && !hcl_value_is_wholly_known(v))
			return hcl_unknown(c->a, &hcl_type_number);
		return hcl_number(c->a, (double)LEN(v));
	}
	return hclv_arg_error(c, 0,
	                      "argument must be a string, a collection type, or a structural "
	                      "type");
}

static const hcl_value *fn_lookup(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *m = args[0];
	if (n > 3)
		return hclv_call_error(c, "lookup() takes two or three arguments, got %zu", n);
	if (!is_mapping(m))
		return hclv_arg_error(c, 0, "lookup() requires a map as the first argument");
	const hcl_value *def = n == 3 ? args[2] : NULL;
	if (def && m->kind == HCL_VAL_MAP && !hcl_convert(c->a, def, m->type->elem, NULL))
		return hclv_arg_error(c, 2,
		                      "the default value must have the same type as the map "
		                      "elements");
	const hcl_value *v = hcl_value_get(m, args[1]->u.str.ptr);
	if (v)
		return v;
	if (def)
		return m->kind == HCL_VAL_MAP ? hcl_convert(c->a, def, m->type->elem, NULL) : def;
	gf_buf q = GF_BUF_INIT;
	hclv_quote_go(&q, args[1]->u.str.ptr, args[1]->u.str.len);
	const hcl_value *r =
	        m->kind == HCL_VAL_OBJECT
	                ? hclv_arg_error(c, 0, "the given object has no attribute %s", q.ptr)
	                : hclv_call_error(c, "lookup failed to find key %s", q.ptr);
	gf_buf_dispose(&q);
	return r;
}

static const hcl_value *fn_matchkeys(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *vals = args[0], *keys = args[1], *search = args[2];
	const hcl_type *t = hcl_unify_types(c->a, (const hcl_value *[]){keys, search}, 2);
	if (!t)
		return hclv_call_error(c, "keys and searchset must be of the same type");
	if (LEN(vals) != LEN(keys))
		return hclv_call_error(c, "length of keys and values should be equal");
	keys = hcl_convert(c->a, keys, t, NULL);
	search = hcl_convert(c->a, search, t, NULL);
	const hcl_value **out = items_new(c, LEN(vals));
	size_t k = 0;
	for (size_t i = 0; keys && search && i < LEN(keys); i++)
		if (seq_contains(search, ITEMS(keys)[i], NULL))
			out[k++] = ITEMS(vals)[i];
	return hcl_list(c->a, vals->type->elem, out, k);
}

static const hcl_value *fn_merge(hclv_call *c, const hcl_value *const *args, size_t n)
{
	size_t total = 0;
	bool all_maps = true;
	for (size_t i = 0; i < n; i++) {
		const hcl_value *v = args[i];
		if (v->kind == HCL_VAL_NULL)
			continue;
		if (v->type->kind != HCL_TYPE_MAP && v->type->kind != HCL_TYPE_OBJECT)
			return hclv_call_error(c, "arguments must be maps or objects, got \"%s\"",
			                       hcl_type_friendly(c->a, v->type));
		if (v->kind == HCL_VAL_UNKNOWN)
			return &hcl_unknown_dynamic;
		if (v->kind != HCL_VAL_MAP)
			all_maps = false;
		total += LEN(v);
	}
	const char **keys = gf_arena_alloc(c->a, (total + 1) * sizeof(*keys));
	const hcl_value **out = items_new(c, total);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (args[i]->kind == HCL_VAL_NULL)
			continue;
		for (size_t j = 0; j < LEN(args[i]); j++) {
			keys[k] = args[i]->u.coll.keys[j];
			out[k++] = ITEMS(args[i])[j];
		}
	}
	if (all_maps) {
		const hcl_type *t = hcl_unify_types(c->a, out, k);
		if (t) {
			for (size_t i = 0; i < k; i++)
				out[i] = hcl_convert(c->a, out[i], t, NULL);
			return hcl_map(c->a, t, keys, out, k);
		}
	}
	return hcl_object(c->a, keys, out, k);
}

static const hcl_value *fn_one(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *v = args[0];
	if (!is_seq(v) || LEN(v) > 1)
		return hclv_arg_error(c, 0,
		                      "must be a list, set, or tuple value with either zero or one "
		                      "elements");
	if (LEN(v) == 0)
		return hcl_null(c->a, v->kind == HCL_VAL_TUPLE ? &hcl_type_dynamic : v->type->elem);
	return ITEMS(v)[0];
}

static const hcl_value *fn_range(hclv_call *c, const hcl_value *const *args, size_t n)
{
	double start = 0, limit, step = 1;
	if (n == 0 || n > 3)
		return hclv_call_error(c, "must have one, two, or three arguments");
	if (n == 1) {
		limit = args[0]->u.num;
	} else {
		start = args[0]->u.num;
		limit = args[1]->u.num;
		if (n == 3)
			step = args[2]->u.num;
	}
	if (n < 3 && start > limit)
		step = -1;
	if (step == 0)
		return hclv_arg_error(c, 2, "step must not be zero");
	if (step < 0 && limit > start)
		return hclv_arg_error(c, 1, "end must be less than start when step is negative");
	if (step > 0 && limit < start)
		return hclv_arg_error(c, 1, "end must be greater than start when step is positive");
	GF_VEC(const hcl_value *) out = {0};
	const hcl_value *r = NULL;
	for (double v = start; step > 0 ? v < limit : v > limit; v += step) {
		if (out.len >= 1024) {
			hclv_call_error(c,
			                "more than 1024 values were generated; either decrease the "
			                "difference between start and end or use a smaller step");
			goto done;
		}
		gf_vec_push(&out, hcl_number(c->a, v));
	}
	const hcl_value **items = items_copy(c, out.items, out.len);
	r = hcl_list(c->a, &hcl_type_number, items, out.len);
done:
	gf_vec_dispose(&out);
	return r;
}

static const hcl_value *fn_reverse(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *v = args[0];
	if (!is_seq(v))
		return hclv_arg_error(c, 0, "can only reverse list or tuple values, not %s",
		                      hcl_type_friendly(c->a, v->type));
	const hcl_value **out = items_new(c, LEN(v));
	for (size_t i = 0; i < LEN(v); i++)
		out[i] = ITEMS(v)[LEN(v) - 1 - i];
	return seq_like(c, v, out, LEN(v));
}

static const hcl_value *fn_slice(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *v = args[0];
	if (v->kind == HCL_VAL_SET)
		return hclv_arg_error(c, 0,
		                      "cannot slice a set, because its elements do not have "
		                      "indices; explicitly convert to a list if the ordering of "
		                      "the result is not important");
	if (v->kind != HCL_VAL_LIST && v->kind != HCL_VAL_TUPLE)
		return hclv_arg_error(c, 0, "must be a list or tuple value");
	int64_t start, end;
	if (!hclv_arg_int(c, 1, args[1], &start) || !hclv_arg_int(c, 2, args[2], &end))
		return NULL;
	if (start < 0)
		return hclv_arg_error(c, 1, "start index must not be less than zero");
	if (start > (int64_t)LEN(v))
		return hclv_arg_error(c, 1,
		                      "start index must not be greater than the length of the "
		                      "list");
	if (end < 0)
		return hclv_arg_error(c, 2, "end index must not be less than zero");
	if (end > (int64_t)LEN(v))
		return hclv_arg_error(c, 2,
		                      "end index must not be greater than the length of the list");
	if (start > end)
		return hclv_arg_error(c, 1, "start index must not be greater than end index");
	size_t m = (size_t)(end - start);
	const hcl_value **out = items_copy(c, m ? ITEMS(v) + start : NULL, m);
	return seq_like(c, v, out, m);
}

static int cmp_strings(const void *x, const void *y)
{
	return hcl_value_compare(*(const hcl_value *const *)x, *(const hcl_value *const *)y);
}

static const hcl_value *fn_sort(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *list = args[0];
	const hcl_value **out = items_new(c, LEN(list));
	for (size_t i = 0; i < LEN(list); i++) {
		if (ITEMS(list)[i]->kind == HCL_VAL_NULL)
			return hclv_call_error(
			        c,
			        "given list element %zu is null; a null string cannot be "
			        "sorted",
			        i);
		out[i] = ITEMS(list)[i];
	}
	qsort(out, LEN(list), sizeof(*out), cmp_strings);
	return hcl_list(c->a, &hcl_type_string, out, LEN(list));
}

static const hcl_value *fn_sum(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *v = args[0];
	if (v->kind < HCL_VAL_LIST)
		return hclv_arg_error(c, 0, "cannot sum noniterable");
	if (LEN(v) == 0)
		return hclv_arg_error(c, 0, "cannot sum an empty list");
	if (!is_seq(v))
		return hclv_arg_error(c, 0, "argument must be list, set, or tuple. Received %s",
		                      hcl_type_friendly(c->a, v->type));
	double total = 0;
	for (size_t i = 0; i < LEN(v); i++) {
		const hcl_value *e = ITEMS(v)[i];
		if (e->kind == HCL_VAL_NULL)
			return hclv_arg_error(c, 0,
			                      "argument must be list, set, or tuple of number "
			                      "values");
		const hcl_value *num = hcl_convert(c->a, e, &hcl_type_number, NULL);
		if (!num)
			return hclv_arg_error(c, 0,
			                      "argument must be list, set, or tuple of number "
			                      "values");
		total += num->u.num;
	}
	if (!isfinite(total))
		return hclv_call_error(c, "the result is not a finite number");
	return hcl_number(c->a, total);
}

static const hcl_value *fn_transpose(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *m = args[0];
	GF_VEC(const char *) keys = {0};
	GF_VEC(GF_VEC(const hcl_value *)) lists = {0};
	const hcl_value *r = NULL;
	for (size_t i = 0; i < LEN(m); i++) {
		const hcl_value *list = ITEMS(m)[i];
		if (list->kind == HCL_VAL_NULL) {
			hclv_arg_error(c, 0, "input map contains a null value");
			goto done;
		}
		for (size_t j = 0; j < LEN(list); j++) {
			const hcl_value *e = ITEMS(list)[j];
			if (e->kind == HCL_VAL_NULL) {
				hclv_arg_error(c, 0, "input list contains a null value");
				goto done;
			}
			size_t k = 0;
			while (k < keys.len && strcmp(keys.items[k], e->u.str.ptr) != 0)
				k++;
			if (k == keys.len) {
				gf_vec_push(&keys, e->u.str.ptr);
				gf_vec_reserve(&lists, 1);
				memset(&lists.items[lists.len++], 0, sizeof(lists.items[0]));
			}
			gf_vec_push(&lists.items[k], hclv_cstr(c, m->u.coll.keys[i]));
		}
	}
	const char **rk = gf_arena_alloc(c->a, (keys.len + 1) * sizeof(*rk));
	const hcl_value **rv = items_new(c, keys.len);
	for (size_t k = 0; k < keys.len; k++) {
		rk[k] = keys.items[k];
		const hcl_value **items = items_copy(c, lists.items[k].items, lists.items[k].len);
		qsort(items, lists.items[k].len, sizeof(*items), cmp_strings);
		rv[k] = hcl_list(c->a, &hcl_type_string, items, lists.items[k].len);
	}
	r = hcl_map(c->a, &hclv_list_string, rk, rv, keys.len);
done:
	for (size_t k = 0; k < lists.len; k++)
		gf_vec_dispose(&lists.items[k]);
	gf_vec_dispose(&lists);
	gf_vec_dispose(&keys);
	return r;
}

static const hcl_value *fn_zipmap(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *keys = args[0], *vals = args[1];
	if (vals->kind != HCL_VAL_LIST && vals->kind != HCL_VAL_TUPLE)
		return hclv_call_error(c, "values argument must be a list or tuple value");
	if (LEN(keys) != LEN(vals))
		return hclv_call_error(c,
		                       "number of keys (%zu) does not match number of values (%zu)",
		                       LEN(keys), LEN(vals));
	const char **k = gf_arena_alloc(c->a, (LEN(keys) + 1) * sizeof(*k));
	const hcl_value **v = items_new(c, LEN(vals));
	for (size_t i = 0; i < LEN(keys); i++) {
		if (ITEMS(keys)[i]->kind == HCL_VAL_NULL)
			return hclv_call_error(c, "keys list has null value at index %zu", i);
		k[i] = ITEMS(keys)[i]->u.str.ptr;
		v[i] = ITEMS(vals)[i];
	}
	if (vals->kind == HCL_VAL_LIST)
		return hcl_map(c->a, vals->type->elem, k, v, LEN(keys));
	return hcl_object(c->a, k, v, LEN(keys));
}

#define DYN(nm)                          \
	{                                \
		nm, &hcl_type_dynamic, 0 \
	}
#define DYN_PARTIAL(nm)                                   \
	{                                                 \
		nm, &hcl_type_dynamic, HCLV_ALLOW_PARTIAL \
	}

const hclv_func hclv_funcs_coll[] = {
        HCLV_FUNC("alltrue", fn_alltrue, &hcl_type_bool, NULL,
                  {"list", &hclv_list_bool, HCLV_ALLOW_PARTIAL}),
        HCLV_FUNC("anytrue", fn_anytrue, &hcl_type_bool, NULL,
                  {"list", &hclv_list_bool, HCLV_ALLOW_PARTIAL}),
        HCLV_FUNC("chunklist", fn_chunklist, &hcl_type_dynamic, NULL,
                  {"list", &hclv_list_any, HCLV_ALLOW_PARTIAL}, {"size", &hcl_type_number, 0}),
        HCLV_FUNCV("coalesce", fn_coalesce, &hcl_type_dynamic,
                   HCLV_VAR("vals", &hcl_type_dynamic,
                            HCLV_ALLOW_NULL | HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL)),
        HCLV_FUNCV("coalescelist", fn_coalescelist, &hcl_type_dynamic,
                   HCLV_VAR("vals", &hcl_type_dynamic,
                            HCLV_ALLOW_NULL | HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL)),
        HCLV_FUNC("compact", fn_compact, &hclv_list_string, NULL, {"list", &hclv_list_string, 0}),
        HCLV_FUNCV("concat", fn_concat, &hcl_type_dynamic,
                   HCLV_VAR("seqs", &hcl_type_dynamic, HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL)),
        HCLV_FUNC("contains", fn_contains, &hcl_type_bool, NULL, DYN("list"), DYN("value")),
        HCLV_FUNC("distinct", fn_distinct, &hcl_type_dynamic, NULL, {"list", &hclv_list_any, 0}),
        HCLV_FUNC("element", fn_element, &hcl_type_dynamic, NULL, DYN_PARTIAL("list"),
                  {"index", &hcl_type_number, 0}),
        HCLV_FUNC("flatten", fn_flatten, &hcl_type_dynamic, NULL, DYN_PARTIAL("list")),
        HCLV_FUNC("index", fn_index, &hcl_type_number, NULL, DYN("list"), DYN("value")),
        HCLV_FUNC("keys", fn_keys, &hcl_type_dynamic, NULL, DYN_PARTIAL("inputMap")),
        HCLV_FUNC("length", fn_length, &hcl_type_number, NULL,
                  {"value", &hcl_type_dynamic, HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL}),
        HCLV_FUNC("lookup", fn_lookup, &hcl_type_dynamic,
                  HCLV_VAR("default", &hcl_type_dynamic,
                           HCLV_ALLOW_NULL | HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL),
                  DYN_PARTIAL("inputMap"), {"key", &hcl_type_string, 0}),
        HCLV_FUNC("matchkeys", fn_matchkeys, &hcl_type_dynamic, NULL, {"values", &hclv_list_any, 0},
                  {"keys", &hclv_list_any, 0}, {"searchset", &hclv_list_any, 0}),
        HCLV_FUNCV("merge", fn_merge, &hcl_type_dynamic,
                   HCLV_VAR("maps", &hcl_type_dynamic, HCLV_ALLOW_NULL | HCLV_ALLOW_PARTIAL)),
        HCLV_FUNC("one", fn_one, &hcl_type_dynamic, NULL, DYN_PARTIAL("list")),
        HCLV_FUNCV("range", fn_range, &list_number, HCLV_VAR("params", &hcl_type_number, 0)),
        HCLV_FUNC("reverse", fn_reverse, &hcl_type_dynamic, NULL, DYN_PARTIAL("list")),
        HCLV_FUNC("slice", fn_slice, &hcl_type_dynamic, NULL, DYN_PARTIAL("list"),
                  {"start_index", &hcl_type_number, 0}, {"end_index", &hcl_type_number, 0}),
        HCLV_FUNC("sort", fn_sort, &hclv_list_string, NULL, {"list", &hclv_list_string, 0}),
        HCLV_FUNC("sum", fn_sum, &hcl_type_number, NULL, DYN("list")),
        HCLV_FUNC("transpose", fn_transpose, &hclv_map_list_string, NULL,
                  {"values", &hclv_map_list_string, 0}),
        HCLV_FUNC("values", fn_values, &hcl_type_dynamic, NULL, DYN_PARTIAL("mapping")),
        HCLV_FUNC("zipmap", fn_zipmap, &hcl_type_dynamic, NULL, {"keys", &hclv_list_string, 0},
                  DYN_PARTIAL("values")),
};
const size_t hclv_nfuncs_coll = GF_ARRAY_LEN(hclv_funcs_coll);
