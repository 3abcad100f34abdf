/*
 * Collections: tuple and object constructors, `for` expressions (both
 * forms, with `if` filters and `...` grouping) and splats, with the
 * diagnostics of hclsyntax.
 */
#include "hcl/eval_impl.h"

#include <stdlib.h>
#include <string.h>

bool hcle_iterable(const hcl_value *v)
{
	switch (v->type->kind) {
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET:
	case HCL_TYPE_TUPLE:
	case HCL_TYPE_MAP:
	case HCL_TYPE_OBJECT:
	case HCL_TYPE_DYNAMIC:
		return true;
	default:
		return false;
	}
}

bool hcle_iterate(hcle_ctx *c, const hcl_value *coll, hcle_iter_fn fn, void *payload)
{
	for (size_t i = 0; i < coll->u.coll.len; i++) {
		const hcl_value *val = hcl_mark(c->a, coll->u.coll.items[i], coll->marks);
		const hcl_value *key;
		if (coll->kind == HCL_VAL_MAP || coll->kind == HCL_VAL_OBJECT)
			key = hcl_cstring(c->a, coll->u.coll.keys[i]);
		else if (coll->kind == HCL_VAL_SET)
			key = val;
		else
			key = hcl_number(c->a, (double)i);
		if (!fn(c, hcl_mark(c->a, key, coll->marks), val, payload))
			return false;
	}
	return true;
}

/* ---- constructors ------------------------------------------------------ */

const hcl_value *hcle_tuple(hcle_ctx *c, const hcl_expr *e)
{
	size_t n = e->u.tuple.len;
	const hcl_value **items = gf_arena_alloc(c->a, (n + 1) * sizeof(*items));
	bool failed = false;
	for (size_t i = 0; i < n; i++) {
		items[i] = hcle_eval(c, e->u.tuple.items[i]);
		failed |= !items[i];
	}
	return failed ? NULL : hcl_tuple(c->a, items, n);
}

/* A key of an object constructor or object `for` as a string value, or
 * NULL after an error; unknown stays unknown. */
static const hcl_value *object_key(hcle_ctx *c, const hcl_value *k, const hcl_expr *ke, bool in_for)
{
	if (k->kind == HCL_VAL_NULL)
		return in_for ? hcle_error(c, &ke->range, NULL, "Invalid object key",
		                           "Key expression in 'for' expression must not produce a "
		                           "null value.")
		              : hcle_error(c, &ke->range, NULL, "Null value as key",
		                           "Can't use a null value as a key.");
	const char *why = NULL;
	const hcl_value *s = hcl_convert(c->a, k, &hcl_type_string, &why);
	if (!s)
		return in_for ? hcle_error(c, &ke->range, NULL, "Invalid object key",
		                           "The key expression produced an invalid result: %s.",
		                           why)
		              : hcle_error(c, &ke->range, NULL, "Incorrect key type",
		                           "Can't use this value as a key: %s.", why);
	return s;
}

const hcl_value *hcle_object(hcle_ctx *c, const hcl_expr *e)
{
	size_t n = e->u.object.len;
	const char **keys = gf_arena_alloc(c->a, (n + 1) * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(c->a, (n + 1) * sizeof(*vals));
	bool failed = false, unknown = false;
	unsigned marks = 0;
	for (size_t i = 0; i < n; i++) {
		const hcl_object_item *it = &e->u.object.items[i];
		keys[i] = NULL;
		if (it->key_ident) {
			keys[i] = it->key->u.scope.root;
		} else {
			const hcl_value *k = hcle_eval(c, it->key);
			if (k)
				k = object_key(c, k, it->key, false);
			if (!k)
				failed = true;
			else if (k->kind == HCL_VAL_UNKNOWN)
				unknown = true;
			else
				keys[i] = k->u.str.ptr;
			if (k)
				marks |= k->marks;
		}
		vals[i] = hcle_eval(c, it->value);
		failed |= !vals[i];
		if (!keys[i])
			continue;
		for (size_t j = 0; j < i; j++) {
			if (keys[j] && strcmp(keys[j], keys[i]) == 0) {
				hcle_error(
				        c, &it->key->range, &e->range, "Duplicate object key",
				        "The key \"%s\" was already defined at %s. Each key may "
				        "appear only once in an object.",
				        keys[i],
				        hcl_range_string(c->a, &e->u.object.items[j].key->range));
				failed = true;
				break;
			}
		}
	}
	if (failed)
		return NULL;
	if (unknown)
		return hcl_mark(c->a, &hcl_unknown_dynamic, marks);
	return hcl_mark(c->a, hcl_object(c->a, keys, vals, n), marks);
}

/* ---- for expressions --------------------------------------------------- */

typedef struct {
	const hcl_expr *e;
	GF_VEC(const char *) keys; /* object form */
	GF_VEC(const hcl_value *) vals;
	bool failed, unknown;
	unsigned marks;
} for_state;

static bool for_item(hcle_ctx *c, const hcl_value *key, const hcl_value *val, void *payload)
{
	for_state *st = payload;
	const hcl_expr *e = st->e;
	hcle_binding kb = {e->u.for_.key_var, key, c->bindings};
	hcle_binding vb = {e->u.for_.value_var, val, e->u.for_.key_var ? &kb : c->bindings};
	const hcle_binding *saved = c->bindings;
	c->bindings = &vb;
	if (e->u.for_.cond) {
		const hcl_value *cv = hcle_eval(c, e->u.for_.cond);
		if (cv && cv->kind == HCL_VAL_NULL) {
			hcle_error(c, &e->u.for_.cond->range, &e->range, "Condition is null",
			           "The value of the 'if' clause must not be null.");
			cv = NULL;
		} else if (cv) {
			const char *why = NULL;
			const hcl_value *b = hcl_convert(c->a, cv, &hcl_type_bool, &why);
			if (!b)
				hcle_error(c, &e->u.for_.cond->range, &e->range,
				           "Invalid 'for' condition",
				           "The 'if' clause value is invalid: %s.", why);
			cv = b;
		}
		if (!cv) {
			st->failed = true;
			goto done;
		}
		st->marks |= cv->marks;
		if (cv->kind == HCL_VAL_UNKNOWN) {
			st->unknown = true;
			goto done;
		}
		if (!cv->u.b)
			goto done;
	}
	const char *k = NULL;
	if (e->u.for_.object) {
		const hcl_value *kv = hcle_eval(c, e->u.for_.key_expr);
		if (kv)
			kv = object_key(c, kv, e->u.for_.key_expr, true);
		if (!kv)
			st->failed = true;
		else if (kv->kind == HCL_VAL_UNKNOWN)
			st->unknown = true;
		else
			k = kv->u.str.ptr;
		if (kv)
			st->marks |= kv->marks;
	}
	const hcl_value *v = hcle_eval(c, e->u.for_.value_expr);
	if (!v)
		st->failed = true;
	if (st->failed || st->unknown)
		goto done;
	if (e->u.for_.object) {
		if (!e->u.for_.group) {
			for (size_t i = 0; i < st->keys.len; i++) {
				if (strcmp(st->keys.items[i], k) == 0) {
					hcle_error(c, &e->u.for_.key_expr->range, &e->range,
					           "Duplicate object key",
					           "Two different items produced the key \"%s\" in "
					           "this "
					           "'for' expression. If duplicates are expected, "
					           "use the "
					           "ellipsis (...) after the value expression to "
					           "enable "
					           "grouping by key.",
					           k);
					st->failed = true;
					goto done;
				}
			}
		}
		gf_vec_push(&st->keys, k);
	}
	gf_vec_push(&st->vals, v);
done:
	c->bindings = saved;
	return true;
}

/* {for ... : k => v...}: one tuple per distinct key, in first-seen order. */
static const hcl_value *group_result(hcle_ctx *c, for_state *st)
{
	size_t n = st->keys.len, ng = 0;
	const char **gkeys = gf_arena_alloc(c->a, (n + 1) * sizeof(*gkeys));
	const hcl_value **gvals = gf_arena_alloc(c->a, (n + 1) * sizeof(*gvals));
	bool *used = gf_arena_alloc(c->a, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (used[i])
			continue;
		size_t cnt = 0;
		for (size_t j = i; j < n; j++)
			cnt += strcmp(st->keys.items[j], st->keys.items[i]) == 0;
		const hcl_value **items = gf_arena_alloc(c->a, (cnt + 1) * sizeof(*items));
		cnt = 0;
		for (size_t j = i; j < n; j++) {
			if (strcmp(st->keys.items[j], st->keys.items[i]) == 0) {
				used[j] = true;
				items[cnt++] = st->vals.items[j];
			}
		}
		gkeys[ng] = st->keys.items[i];
		gvals[ng++] = hcl_tuple(c->a, items, cnt);
	}
	return hcl_object(c->a, gkeys, gvals, ng);
}

/* A vector's items as an arena array (never NULL, even when empty). */
static void *arena_copy(gf_arena *a, const void *items, size_t n)
{
	void *p = gf_arena_alloc(a, (n + 1) * sizeof(void *));
	if (n)
		memcpy(p, items, n * sizeof(void *));
	return p;
}

const hcl_value *hcle_for(hcle_ctx *c, const hcl_expr *e)
{
	const hcl_value *coll = hcle_eval(c, e->u.for_.coll);
	if (!coll)
		return NULL;
	if (coll->kind == HCL_VAL_NULL)
		return hcle_error(c, &e->u.for_.coll->range, &e->range, "Iteration over null value",
		                  "A null value cannot be used as the collection in a 'for' "
		                  "expression.");
	if (!hcle_iterable(coll))
		return hcle_error(c, &e->u.for_.coll->range, &e->range,
		                  "Iteration over non-iterable value",
		                  "A value of type %s cannot be used as the collection in a 'for' "
		                  "expression.",
		                  hcl_type_string_of(c->a, coll->type));
	if (coll->kind == HCL_VAL_UNKNOWN)
		return hcl_mark(c->a, &hcl_unknown_dynamic, coll->marks);
	for_state st = {.e = e, .marks = coll->marks};
	hcle_iterate(c, coll, for_item, &st);
	const hcl_value *r = NULL;
	if (st.failed)
		r = NULL;
	else if (st.unknown)
		r = &hcl_unknown_dynamic;
	else if (!e->u.for_.object)
		r = hcl_tuple(c->a, arena_copy(c->a, st.vals.items, st.vals.len), st.vals.len);
	else if (e->u.for_.group)
		r = group_result(c, &st);
	else
		r = hcl_object(c->a, (const char **)arena_copy(c->a, st.keys.items, st.keys.len),
		               arena_copy(c->a, st.vals.items, st.vals.len), st.vals.len);
	gf_vec_dispose(&st.keys);
	gf_vec_dispose(&st.vals);
	return r ? hcl_mark(c->a, r, st.marks) : NULL;
}

/* ---- splats ------------------------------------------------------------ */

const hcl_value *hcle_splat(hcle_ctx *c, const hcl_expr *e)
{
	const hcl_value *src = hcle_eval(c, e->u.splat.source);
	if (!src)
		return NULL;
	unsigned marks = src->marks;
	if (src->kind == HCL_VAL_NULL)
		return hcl_mark(c->a, hcl_tuple(c->a, gf_arena_alloc(c->a, sizeof(hcl_value *)), 0),
		                marks);
	hcl_type_kind tk = src->type->kind;
	bool is_list = tk == HCL_TYPE_LIST || tk == HCL_TYPE_SET;
	if (src->kind == HCL_VAL_UNKNOWN) {
		if (!is_list)
			return hcl_mark(c->a, &hcl_unknown_dynamic, marks);
		return hcl_mark(c->a, hcl_unknown(c->a, hcl_type_list(c->a, &hcl_type_dynamic)),
		                marks);
	}
	if (!is_list && tk != HCL_TYPE_TUPLE) {
		/* A single value is treated as a one-element tuple. */
		const hcl_value **one = gf_arena_alloc(c->a, 2 * sizeof(*one));
		one[0] = src;
		src = hcl_tuple(c->a, one, 1);
	}
	size_t n = src->u.coll.len;
	const hcl_value **out = gf_arena_alloc(c->a, (n + 1) * sizeof(*out));
	bool failed = false;
	const hcle_binding *saved = c->bindings;
	for (size_t i = 0; i < n; i++) {
		hcle_binding anon = {NULL, hcl_mark(c->a, src->u.coll.items[i], marks), saved};
		c->bindings = &anon;
		out[i] = hcle_eval(c, e->u.splat.each);
		c->bindings = saved;
		failed |= !out[i];
	}
	if (failed)
		return NULL;
	const hcl_value *r;
	if (is_list) {
		const hcl_type *et = n ? hcl_unify_types(c->a, out, n) : &hcl_type_dynamic;
		if (et) {
			for (size_t i = 0; i < n; i++)
				out[i] = hcl_convert(c->a, out[i], et, NULL);
			r = hcl_list(c->a, et, out, n);
		} else {
			r = hcl_tuple(c->a, out, n);
		}
	} else {
		r = hcl_tuple(c->a, out, n);
	}
	return hcl_mark(c->a, r, marks);
}
