/*
 * Type conversion and unification with cty's rules, and cty's messages for
 * values that do not fit a type.
 *
 * Two layers: hclv_convert_type answers "can a value of type G become a
 * value of type W, and of which type is the result" without a value (used
 * for null and unknown values, and to word mismatches); hcl_convert walks
 * an actual value, where a string may still fail to become a number.
 * Errors carry the path of the offending element, outermost first:
 * `attribute "ports": element 2: a number is required`.
 */
#include "hcl/value_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_primitive(const hcl_type *t)
{
	return t->kind == HCL_TYPE_STRING || t->kind == HCL_TYPE_NUMBER || t->kind == HCL_TYPE_BOOL;
}

static bool is_collection_type(const hcl_type *t)
{
	return t->kind == HCL_TYPE_LIST || t->kind == HCL_TYPE_SET || t->kind == HCL_TYPE_MAP;
}

static bool attr_optional(const hcl_type *t, size_t i)
{
	return t->optional && t->optional[i];
}

/* ---- unification ------------------------------------------------------- */

static const hcl_type *unify_objects(gf_arena *a, const hcl_type *const *types, size_t n)
{
	const hcl_type *first = types[0];
	bool same_names = true;
	for (size_t i = 1; i < n && same_names; i++) {
		if (types[i]->n != first->n) {
			same_names = false;
			break;
		}
		for (size_t j = 0; j < first->n; j++)
			if (strcmp(types[i]->names[j], first->names[j]) != 0)
				same_names = false;
	}
	if (same_names) {
		const hcl_type **attrs = gf_arena_alloc(a, (first->n + 1) * sizeof(*attrs));
		const hcl_type **col = gf_arena_alloc(a, n * sizeof(*col));
		for (size_t j = 0; j < first->n; j++) {
			for (size_t i = 0; i < n; i++)
				col[i] = types[i]->types[j];
			attrs[j] = hclv_unify(a, col, n);
			if (!attrs[j])
				return NULL;
		}
		return hcl_type_object(a, (const char **)first->names, attrs, first->n);
	}
	/* Different attributes: the objects can only meet as a map. */
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += types[i]->n;
	const hcl_type **all = gf_arena_alloc(a, (total + 1) * sizeof(*all));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < types[i]->n; j++)
			all[k++] = types[i]->types[j];
	const hcl_type *elem = k ? hclv_unify(a, all, k) : &hcl_type_dynamic;
	return elem ? hcl_type_map(a, elem) : NULL;
}

static const hcl_type *unify_tuples(gf_arena *a, const hcl_type *const *types, size_t n)
{
	const hcl_type *first = types[0];
	bool same_len = true;
	for (size_t i = 1; i < n; i++)
		if (types[i]->n != first->n)
			same_len = false;
	if (same_len) {
		const hcl_type **elems = gf_arena_alloc(a, (first->n + 1) * sizeof(*elems));
		const hcl_type **col = gf_arena_alloc(a, n * sizeof(*col));
		for (size_t j = 0; j < first->n; j++) {
			for (size_t i = 0; i < n; i++)
				col[i] = types[i]->types[j];
			elems[j] = hclv_unify(a, col, n);
			if (!elems[j])
				return NULL;
		}
		return hcl_type_tuple(a, elems, first->n);
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += types[i]->n;
	const hcl_type **all = gf_arena_alloc(a, (total + 1) * sizeof(*all));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < types[i]->n; j++)
			all[k++] = types[i]->types[j];
	const hcl_type *elem = k ? hclv_unify(a, all, k) : &hcl_type_dynamic;
	return elem ? hcl_type_list(a, elem) : NULL;
}

const hcl_type *hclv_unify(gf_arena *a, const hcl_type *const *in, size_t n_in)
{
	/* `dynamic` (an untyped null or unknown) fits whatever the others are. */
	const hcl_type **types = gf_arena_alloc(a, (n_in + 1) * sizeof(*types));
	size_t n = 0;
	for (size_t i = 0; i < n_in; i++)
		if (in[i]->kind != HCL_TYPE_DYNAMIC)
			types[n++] = in[i];
	if (n == 0)
		return &hcl_type_dynamic;
	bool all_same = true;
	for (size_t i = 1; i < n; i++)
		if (!hcl_type_equal(types[0], types[i]))
			all_same = false;
	if (all_same)
		return types[0];

	hcl_type_kind k = types[0]->kind;
	bool same_kind = true;
	for (size_t i = 1; i < n; i++)
		if (types[i]->kind != k)
			same_kind = false;
	if (same_kind && k == HCL_TYPE_OBJECT)
		return unify_objects(a, types, n);
	if (same_kind && k == HCL_TYPE_TUPLE)
		return unify_tuples(a, types, n);
	if (same_kind && is_collection_type(types[0])) {
		const hcl_type **elems = gf_arena_alloc(a, n * sizeof(*elems));
		for (size_t i = 0; i < n; i++)
			elems[i] = types[i]->elem;
		const hcl_type *e = hclv_unify(a, elems, n);
		if (!e)
			return NULL;
		return k == HCL_TYPE_LIST  ? hcl_type_list(a, e)
		       : k == HCL_TYPE_SET ? hcl_type_set(a, e)
		                           : hcl_type_map(a, e);
	}
	/* Lists meet tuples as a list, maps meet objects as a map, of all their
	 * element types unified (cty's unifyTuplesAsList/unifyObjectsAsMaps):
	 * `cond ? [] : var.names` is a list(string). */
	size_t nlist = 0, ntuple = 0, nmap = 0, nobject = 0, nelems = 0;
	for (size_t i = 0; i < n; i++) {
		hcl_type_kind ki = types[i]->kind;
		nlist += ki == HCL_TYPE_LIST;
		nmap += ki == HCL_TYPE_MAP;
		ntuple += ki == HCL_TYPE_TUPLE;
		nobject += ki == HCL_TYPE_OBJECT;
		nelems += ki == HCL_TYPE_TUPLE || ki == HCL_TYPE_OBJECT ? types[i]->n : 1;
	}
	if (ntuple && nobject)
		return NULL;
	if ((nlist && nlist + ntuple == n) || (nmap && nmap + nobject == n)) {
		const hcl_type **elems = gf_arena_alloc(a, (nelems + 1) * sizeof(*elems));
		size_t ne = 0;
		for (size_t i = 0; i < n; i++) {
			if (types[i]->kind == HCL_TYPE_TUPLE || types[i]->kind == HCL_TYPE_OBJECT)
				for (size_t j = 0; j < types[i]->n; j++)
					elems[ne++] = types[i]->types[j];
			else
				elems[ne++] = types[i]->elem;
		}
		const hcl_type *e = hclv_unify(a, elems, ne);
		if (e)
			return nlist ? hcl_type_list(a, e) : hcl_type_map(a, e);
	}
	/* Otherwise one of the types must take all the others, as cty's
	 * UnifyUnsafe finds it: string first (it takes numbers and bools),
	 * then the others in order. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t c = 0; c < n; c++) {
			if ((types[c]->kind == HCL_TYPE_STRING) != (pass == 0))
				continue;
			bool ok = true;
			for (size_t i = 0; i < n && ok; i++)
				ok = hcl_type_equal(types[i], types[c]) ||
				     hclv_convert_type(a, types[i], types[c]) != NULL;
			if (ok)
				return types[c];
		}
	}
	return NULL;
}

const hcl_type *hcl_unify_types(gf_arena *a, const hcl_value *const *values, size_t n)
{
	const hcl_type **types = gf_arena_alloc(a, (n + 1) * sizeof(*types));
	for (size_t i = 0; i < n; i++)
		types[i] = values[i]->type;
	return hclv_unify(a, types, n);
}

/* ---- type-level conversion --------------------------------------------- */

static const hcl_type *seq_elem_type(gf_arena *a, const hcl_type *got, const hcl_type *elem)
{
	if (got->kind == HCL_TYPE_LIST || got->kind == HCL_TYPE_SET)
		return hclv_convert_type(a, got->elem, elem);
	if (got->kind != HCL_TYPE_TUPLE)
		return NULL;
	if (elem->kind == HCL_TYPE_DYNAMIC)
		return hclv_unify(a, got->types, got->n);
	for (size_t i = 0; i < got->n; i++)
		if (!hclv_convert_type(a, got->types[i], elem))
			return NULL;
	return elem;
}

const hcl_type *hclv_convert_type(gf_arena *a, const hcl_type *got, const hcl_type *want)
{
	if (want->kind == HCL_TYPE_DYNAMIC)
		return got;
	if (got->kind == HCL_TYPE_DYNAMIC)
		return want;
	if (is_primitive(want)) {
		if (got->kind == want->kind)
			return want;
		if (!is_primitive(got))
			return NULL;
		if (want->kind == HCL_TYPE_STRING || got->kind == HCL_TYPE_STRING)
			return want;
		return NULL; /* number and bool never convert to each other */
	}
	switch (want->kind) {
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET: {
		const hcl_type *e = seq_elem_type(a, got, want->elem);
		if (!e)
			return NULL;
		return want->kind == HCL_TYPE_LIST ? hcl_type_list(a, e) : hcl_type_set(a, e);
	}
	case HCL_TYPE_MAP: {
		const hcl_type *e = NULL;
		if (got->kind == HCL_TYPE_MAP) {
			e = hclv_convert_type(a, got->elem, want->elem);
		} else if (got->kind == HCL_TYPE_OBJECT) {
			if (want->elem->kind == HCL_TYPE_DYNAMIC) {
				e = hclv_unify(a, got->types, got->n);
			} else {
				e = want->elem;
				for (size_t i = 0; i < got->n && e; i++)
					if (!hclv_convert_type(a, got->types[i], want->elem))
						e = NULL;
			}
		}
		return e ? hcl_type_map(a, e) : NULL;
	}
	case HCL_TYPE_TUPLE: {
		if (got->kind == HCL_TYPE_LIST || got->kind == HCL_TYPE_SET) {
			for (size_t i = 0; i < want->n; i++)
				if (!hclv_convert_type(a, got->elem, want->types[i]))
					return NULL;
			return want;
		}
		if (got->kind != HCL_TYPE_TUPLE || got->n != want->n)
			return NULL;
		const hcl_type **ts = gf_arena_alloc(a, (want->n + 1) * sizeof(*ts));
		for (size_t i = 0; i < want->n; i++)
			if (!(ts[i] = hclv_convert_type(a, got->types[i], want->types[i])))
				return NULL;
		return hcl_type_tuple(a, ts, want->n);
	}
	case HCL_TYPE_OBJECT: {
		if (got->kind != HCL_TYPE_OBJECT && got->kind != HCL_TYPE_MAP)
			return NULL;
		const hcl_type **ts = gf_arena_alloc(a, (want->n + 1) * sizeof(*ts));
		for (size_t i = 0; i < want->n; i++) {
			const hcl_type *g = got->kind == HCL_TYPE_MAP
			                            ? got->elem
			                            : hcl_type_attr(got, want->names[i]);
			if (!g) {
				if (!attr_optional(want, i))
					return NULL;
				ts[i] = want->types[i];
				continue;
			}
			if (!(ts[i] = hclv_convert_type(a, g, want->types[i])))
				return NULL;
		}
		const char **names = gf_arena_alloc(a, (want->n + 1) * sizeof(*names));
		for (size_t i = 0; i < want->n; i++)
			names[i] = want->names[i];
		return hcl_type_object(a, names, ts, want->n);
	}
	default:
		return NULL;
	}
}

/* ---- messages ---------------------------------------------------------- */

const char *hclv_friendly_constraint(gf_arena *a, const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_DYNAMIC:
		return "any type";
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET:
	case HCL_TYPE_MAP:
		if (t->elem->kind == HCL_TYPE_DYNAMIC)
			return gf_arena_printf(a, "%s of any single type",
			                       t->kind == HCL_TYPE_LIST  ? "list"
			                       : t->kind == HCL_TYPE_SET ? "set"
			                                                 : "map");
		return gf_arena_printf(a, "%s of %s",
		                       t->kind == HCL_TYPE_LIST  ? "list"
		                       : t->kind == HCL_TYPE_SET ? "set"
		                                                 : "map",
		                       hclv_friendly_constraint(a, t->elem));
	default:
		return hcl_type_friendly(a, t);
	}
}

static const char *mismatch_objects(gf_arena *a, const hcl_type *got, const hcl_type *want)
{
	gf_buf missing = GF_BUF_INIT;
	size_t nmissing = 0;
	const char *last = NULL, *first_bad = NULL;
	for (size_t i = 0; i < want->n; i++) {
		const hcl_type *g = hcl_type_attr(got, want->names[i]);
		if (!g) {
			if (!attr_optional(want, i)) {
				if (last) {
					gf_buf_printf(&missing, "%s\"%s\"",
					              nmissing > 1 ? ", " : "", last);
				}
				last = want->names[i];
				nmissing++;
			}
			continue;
		}
		if (!first_bad && !hclv_convert_type(a, g, want->types[i]))
			first_bad = gf_arena_printf(a, "attribute \"%s\": %s", want->names[i],
			                            hclv_mismatch(a, g, want->types[i]));
	}
	const char *msg;
	if (nmissing == 1)
		msg = gf_arena_printf(a, "attribute \"%s\" is required", last);
	else if (nmissing == 2)
		msg = gf_arena_printf(a, "attributes %s and \"%s\" are required",
		                      gf_buf_cstr(&missing), last);
	else if (nmissing > 2)
		msg = gf_arena_printf(a, "attributes %s, and \"%s\" are required",
		                      gf_buf_cstr(&missing), last);
	else
		msg = first_bad ? first_bad : "incorrect object attributes";
	gf_buf_dispose(&missing);
	return msg;
}

static bool likely_confusing(const hcl_type *got, const hcl_type *want)
{
	if (is_primitive(got) != is_primitive(want))
		return false;
	if (want->kind == HCL_TYPE_STRING)
		return false;
	if ((want->kind == HCL_TYPE_BOOL && got->kind == HCL_TYPE_NUMBER) ||
	    (got->kind == HCL_TYPE_BOOL && want->kind == HCL_TYPE_NUMBER))
		return false;
	if (is_collection_type(got) && is_collection_type(want) &&
	    !hcl_type_has_dynamic(got->elem) && hcl_type_has_dynamic(want->elem))
		return false;
	if (got->kind == HCL_TYPE_TUPLE && want->kind == HCL_TYPE_OBJECT)
		return false;
	return true;
}

const char *hclv_mismatch(gf_arena *a, const hcl_type *got, const hcl_type *want)
{
	bool want_any_elem = is_collection_type(want) && want->elem->kind == HCL_TYPE_DYNAMIC;
	if (got->kind == HCL_TYPE_OBJECT && want->kind == HCL_TYPE_OBJECT)
		return mismatch_objects(a, got, want);
	if (got->kind == HCL_TYPE_TUPLE && want->kind == HCL_TYPE_LIST && want_any_elem)
		return "all list elements must have the same type";
	if (got->kind == HCL_TYPE_TUPLE && want->kind == HCL_TYPE_SET && want_any_elem)
		return "all set elements must have the same type";
	if (got->kind == HCL_TYPE_OBJECT && want->kind == HCL_TYPE_MAP && want_any_elem)
		return "all map elements must have the same type";
	const char *req = gf_arena_printf(a, "%s required", hclv_friendly_constraint(a, want));
	if ((got->kind == HCL_TYPE_TUPLE || got->kind == HCL_TYPE_OBJECT) &&
	    is_collection_type(want)) {
		if ((want->kind == HCL_TYPE_MAP) != (got->kind == HCL_TYPE_OBJECT))
			return req;
		for (size_t i = 0; i < got->n; i++) {
			if (hclv_convert_type(a, got->types[i], want->elem))
				continue;
			const char *inner = hclv_mismatch(a, got->types[i], want->elem);
			if (got->kind == HCL_TYPE_TUPLE)
				return gf_arena_printf(a, "element %zu: %s", i, inner);
			return gf_arena_printf(a, "element \"%s\": %s", got->names[i], inner);
		}
		return gf_arena_printf(a, "all elements must be %s",
		                       hclv_friendly_constraint(a, want->elem));
	}
	if (is_collection_type(got) && is_collection_type(want)) {
		bool got_seq = got->kind == HCL_TYPE_LIST || got->kind == HCL_TYPE_SET;
		if ((want->kind == HCL_TYPE_MAP) == got_seq)
			return req;
		return gf_arena_printf(a, "incorrect %s element type: %s",
		                       want->kind == HCL_TYPE_LIST  ? "list"
		                       : want->kind == HCL_TYPE_SET ? "set"
		                                                    : "map",
		                       hclv_mismatch(a, got->elem, want->elem));
	}
	if (!likely_confusing(got, want))
		return gf_arena_printf(a, "%s required, but have %s", hcl_type_friendly(a, want),
		                       hcl_type_friendly(a, got));
	return req;
}

/* ---- value conversion -------------------------------------------------- */

typedef struct {
	gf_arena *a;
	const char *why;
} conv_ctx;

static const hcl_value *conv(conv_ctx *c, const hcl_value *v, const hcl_type *want);

static const hcl_value *fail(conv_ctx *c, const char *msg)
{
	c->why = msg;
	return NULL;
}

/* Prefixes the error of a nested conversion with where it happened. */
static const hcl_value *fail_nested(conv_ctx *c, const char *step)
{
	c->why = gf_arena_printf(c->a, "%s: %s", step, c->why);
	return NULL;
}

/* cty.ParseNumberVal: a decimal number, nothing around it. */
static bool parse_number_string(const char *s, size_t len, double *out)
{
	size_t i = 0;
	bool digits = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits = true;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		bool ed = false;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			ed = true;
		}
		if (!ed)
			return false;
	}
	if (i != len)
		return false;
	errno = 0;
	double d = strtod(s, NULL);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

static const hcl_value *conv_primitive(conv_ctx *c, const hcl_value *v, const hcl_type *want)
{
	if (v->type->kind == want->kind)
		return v;
	switch (want->kind) {
	case HCL_TYPE_STRING:
		if (v->kind == HCL_VAL_NUMBER)
			return hcl_cstring(c->a, hcl_number_format(c->a, v->u.num));
		return hcl_cstring(c->a, v->u.b ? "true" : "false");
	case HCL_TYPE_NUMBER: {
		double d;
		if (!parse_number_string(v->u.str.ptr, v->u.str.len, &d))
			return fail(c, "a number is required");
		return hcl_number(c->a, d);
	}
	default: {
		const char *s = v->u.str.ptr;
		if (!strcmp(s, "true") || !strcmp(s, "1"))
			return &hcl_true;
		if (!strcmp(s, "false") || !strcmp(s, "0"))
			return &hcl_false;
		if (!strcasecmp(s, "true"))
			return fail(c, "a bool is required; to convert from string, use lowercase "
			               "\"true\"");
		if (!strcasecmp(s, "false"))
			return fail(c, "a bool is required; to convert from string, use lowercase "
			               "\"false\"");
		return fail(c, "a bool is required");
	}
	}
}

/* Converts every element of a list, set or tuple to `elem` (for `dynamic`,
 * to the elements' unified type). Fills *items and *out_elem. */
static bool conv_elems(conv_ctx *c, const hcl_value *v, const hcl_type *want,
                       const hcl_value ***items, const hcl_type **out_elem)
{
	size_t n = v->u.coll.len;
	const hcl_type *elem = want->elem;
	if (elem->kind == HCL_TYPE_DYNAMIC) {
		if (v->kind == HCL_VAL_TUPLE || v->kind == HCL_VAL_OBJECT) {
			elem = hclv_unify(c->a, v->type->types, v->type->n);
			if (!elem) {
				fail(c, hclv_mismatch(c->a, v->type, want));
				return false;
			}
		} else {
			elem = v->type->elem;
		}
	}
	const hcl_value **out = gf_arena_alloc(c->a, (n + 1) * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		out[i] = conv(c, v->u.coll.items[i], elem);
		if (!out[i]) {
			if (v->kind == HCL_VAL_MAP || v->kind == HCL_VAL_OBJECT)
				fail_nested(c, gf_arena_printf(c->a, "element \"%s\"",
				                               v->u.coll.keys[i]));
			else
				fail_nested(c, gf_arena_printf(c->a, "element %zu", i));
			return false;
		}
	}
	*items = out;
	*out_elem = elem;
	return true;
}

static const hcl_value *conv_object(conv_ctx *c, const hcl_value *v, const hcl_type *want)
{
	size_t n = want->n;
	const char **keys = gf_arena_alloc(c->a, (n + 1) * sizeof(*keys));
	const hcl_value **items = gf_arena_alloc(c->a, (n + 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		keys[i] = want->names[i];
		const hcl_value *got = hcl_value_get(v, want->names[i]);
		if (!got || (got->kind == HCL_VAL_NULL && attr_optional(want, i))) {
			if (!got && !attr_optional(want, i))
				return fail(c, hclv_mismatch(c->a, v->type, want));
			const hcl_value *def = want->defaults ? want->defaults[i] : NULL;
			got = def ? def : hcl_null(c->a, want->types[i]);
		}
		items[i] = conv(c, got, want->types[i]);
		if (!items[i])
			return fail_nested(c, gf_arena_printf(c->a, "attribute \"%s\"", keys[i]));
	}
	return hcl_object(c->a, keys, items, n);
}

static const hcl_value *conv(conv_ctx *c, const hcl_value *v, const hcl_type *want)
{
	if (want->kind == HCL_TYPE_DYNAMIC)
		return v;
	if (v->kind == HCL_VAL_NULL || v->kind == HCL_VAL_UNKNOWN) {
		const hcl_type *t = hclv_convert_type(c->a, v->type, want);
		if (!t)
			return fail(c, hclv_mismatch(c->a, v->type, want));
		const hcl_value *r =
		        v->kind == HCL_VAL_NULL ? hcl_null(c->a, t) : hcl_unknown(c->a, t);
		return hcl_mark(c->a, r, v->marks);
	}
	const hcl_value *r = NULL;
	const hcl_value **items;
	const hcl_type *elem;
	if (is_primitive(want)) {
		if (!is_primitive(v->type) ||
		    (v->kind != HCL_VAL_STRING && want->kind != HCL_TYPE_STRING &&
		     v->type->kind != want->kind))
			return fail(c, hclv_mismatch(c->a, v->type, want));
		r = conv_primitive(c, v, want);
	} else if (want->kind == HCL_TYPE_LIST || want->kind == HCL_TYPE_SET) {
		if (v->kind != HCL_VAL_LIST && v->kind != HCL_VAL_SET && v->kind != HCL_VAL_TUPLE)
			return fail(c, hclv_mismatch(c->a, v->type, want));
		if (!conv_elems(c, v, want, &items, &elem))
			return NULL;
		if (want->kind == HCL_TYPE_LIST)
			r = hcl_list(c->a, elem, items, v->u.coll.len);
		else
			r = hcl_set(c->a, elem, items, v->u.coll.len);
	} else if (want->kind == HCL_TYPE_MAP) {
		if (v->kind != HCL_VAL_MAP && v->kind != HCL_VAL_OBJECT)
			return fail(c, hclv_mismatch(c->a, v->type, want));
		if (!conv_elems(c, v, want, &items, &elem))
			return NULL;
		size_t n = v->u.coll.len;
		const char **keys = gf_arena_alloc(c->a, (n + 1) * sizeof(*keys));
		for (size_t i = 0; i < n; i++)
			keys[i] = v->u.coll.keys[i];
		r = hcl_map(c->a, elem, keys, items, n);
	} else if (want->kind == HCL_TYPE_TUPLE) {
		if ((v->kind != HCL_VAL_TUPLE && v->kind != HCL_VAL_LIST &&
		     v->kind != HCL_VAL_SET) ||
		    v->u.coll.len != want->n)
			return fail(c, hclv_mismatch(c->a, v->type, want));
		const hcl_value **out = gf_arena_alloc(c->a, (want->n + 1) * sizeof(*out));
		for (size_t i = 0; i < want->n; i++) {
			out[i] = conv(c, v->u.coll.items[i], want->types[i]);
			if (!out[i])
				return fail_nested(c, gf_arena_printf(c->a, "element %zu", i));
		}
		r = hcl_tuple(c->a, out, want->n);
	} else if (want->kind == HCL_TYPE_OBJECT) {
		if (v->kind != HCL_VAL_OBJECT && v->kind != HCL_VAL_MAP)
			return fail(c, hclv_mismatch(c->a, v->type, want));
		r = conv_object(c, v, want);
	}
	if (!r)
		return NULL;
	return hcl_mark(c->a, r, v->marks);
}

const hcl_value *hcl_convert(gf_arena *a, const hcl_value *v, const hcl_type *want,
                             const char **why)
{
	conv_ctx c = {.a = a};
	const hcl_value *r = conv(&c, v, want);
	if (!r && why)
		*why = c.why ? c.why : "incompatible value";
	return r;
}
