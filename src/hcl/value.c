/*
 * Values and types: constructors that keep the canonical forms described in
 * value.h, structural equality, the total order used by sets and sort(), and
 * deep copies between arenas.
 */
#include "hcl/value.h"

#include <stdlib.h>
#include <string.h>

const hcl_type hcl_type_dynamic = {.kind = HCL_TYPE_DYNAMIC};
const hcl_type hcl_type_string = {.kind = HCL_TYPE_STRING};
const hcl_type hcl_type_number = {.kind = HCL_TYPE_NUMBER};
const hcl_type hcl_type_bool = {.kind = HCL_TYPE_BOOL};

const hcl_value hcl_null_dynamic = {.kind = HCL_VAL_NULL, .type = &hcl_type_dynamic};
const hcl_value hcl_unknown_dynamic = {.kind = HCL_VAL_UNKNOWN, .type = &hcl_type_dynamic};
const hcl_value hcl_true = {.kind = HCL_VAL_BOOL, .type = &hcl_type_bool, .u.b = true};
const hcl_value hcl_false = {.kind = HCL_VAL_BOOL, .type = &hcl_type_bool, .u.b = false};

/* ---- types ------------------------------------------------------------- */

static const hcl_type *type_collection(gf_arena *a, hcl_type_kind kind, const hcl_type *elem)
{
	hcl_type *t = gf_arena_alloc(a, sizeof(*t));
	t->kind = kind;
	t->elem = elem;
	return t;
}

const hcl_type *hcl_type_list(gf_arena *a, const hcl_type *elem)
{
	return type_collection(a, HCL_TYPE_LIST, elem);
}

const hcl_type *hcl_type_set(gf_arena *a, const hcl_type *elem)
{
	return type_collection(a, HCL_TYPE_SET, elem);
}

const hcl_type *hcl_type_map(gf_arena *a, const hcl_type *elem)
{
	return type_collection(a, HCL_TYPE_MAP, elem);
}

const hcl_type *hcl_type_tuple(gf_arena *a, const hcl_type **types, size_t n)
{
	hcl_type *t = gf_arena_alloc(a, sizeof(*t));
	t->kind = HCL_TYPE_TUPLE;
	t->n = n;
	t->types = types;
	return t;
}

const hcl_type *hcl_type_object(gf_arena *a, const char **names, const hcl_type **types, size_t n)
{
	return hcl_type_object_ex(a, names, types, NULL, NULL, n);
}

const hcl_type *hcl_type_object_ex(gf_arena *a, const char **names, const hcl_type **types,
                                   bool *optional, const hcl_value **defaults, size_t n)
{
	/* Insertion sort: attribute lists are short, and the parallel arrays
	 * move together. */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *nm = names[j];
			names[j] = names[j - 1];
			names[j - 1] = nm;
			const hcl_type *ty = types[j];
			types[j] = types[j - 1];
			types[j - 1] = ty;
			if (optional) {
				bool o = optional[j];
				optional[j] = optional[j - 1];
				optional[j - 1] = o;
			}
			if (defaults) {
				const hcl_value *d = defaults[j];
				defaults[j] = defaults[j - 1];
				defaults[j - 1] = d;
			}
		}
	}
	hcl_type *t = gf_arena_alloc(a, sizeof(*t));
	t->kind = HCL_TYPE_OBJECT;
	t->n = n;
	t->names = names;
	t->types = types;
	t->optional = optional;
	t->defaults = defaults;
	return t;
}

const hcl_type *hcl_type_attr(const hcl_type *t, const char *name)
{
	if (t->kind != HCL_TYPE_OBJECT)
		return NULL;
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->names[mid], name);
		if (c == 0)
			return t->types[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool hcl_type_equal(const hcl_type *a, const hcl_type *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET:
	case HCL_TYPE_MAP:
		return hcl_type_equal(a->elem, b->elem);
	case HCL_TYPE_TUPLE:
	case HCL_TYPE_OBJECT:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++) {
			if (a->kind == HCL_TYPE_OBJECT && strcmp(a->names[i], b->names[i]) != 0)
				return false;
			if (!hcl_type_equal(a->types[i], b->types[i]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

bool hcl_type_has_dynamic(const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_DYNAMIC:
		return true;
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET:
	case HCL_TYPE_MAP:
		return hcl_type_has_dynamic(t->elem);
	case HCL_TYPE_TUPLE:
	case HCL_TYPE_OBJECT:
		for (size_t i = 0; i < t->n; i++)
			if (hcl_type_has_dynamic(t->types[i]))
				return true;
		return false;
	default:
		return false;
	}
}

static void type_string_to(gf_buf *b, const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_DYNAMIC:
		gf_buf_puts(b, "any");
		break;
	case HCL_TYPE_STRING:
		gf_buf_puts(b, "string");
		break;
	case HCL_TYPE_NUMBER:
		gf_buf_puts(b, "number");
		break;
	case HCL_TYPE_BOOL:
		gf_buf_puts(b, "bool");
		break;
	case HCL_TYPE_LIST:
	case HCL_TYPE_SET:
	case HCL_TYPE_MAP:
		gf_buf_puts(b, t->kind == HCL_TYPE_LIST  ? "list("
		               : t->kind == HCL_TYPE_SET ? "set("
		                                         : "map(");
		type_string_to(b, t->elem);
		gf_buf_putc(b, ')');
		break;
	case HCL_TYPE_TUPLE:
		gf_buf_puts(b, "tuple([");
		for (size_t i = 0; i < t->n; i++) {
			if (i)
				gf_buf_putc(b, ',');
			type_string_to(b, t->types[i]);
		}
		gf_buf_puts(b, "])");
		break;
	case HCL_TYPE_OBJECT:
		gf_buf_puts(b, "object({");
		for (size_t i = 0; i < t->n; i++) {
			if (i)
				gf_buf_putc(b, ',');
			gf_buf_printf(b, "%s=", t->names[i]);
			if (t->optional && t->optional[i]) {
				gf_buf_puts(b, "optional(");
				type_string_to(b, t->types[i]);
				gf_buf_putc(b, ')');
			} else {
				type_string_to(b, t->types[i]);
			}
		}
		gf_buf_puts(b, "})");
		break;
	}
}

char *hcl_type_string_of(gf_arena *a, const hcl_type *t)
{
	gf_buf b = GF_BUF_INIT;
	type_string_to(&b, t);
	char *s = gf_arena_strdup(a, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return s;
}

const char *hcl_type_friendly(gf_arena *a, const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_DYNAMIC:
		return "dynamic";
	case HCL_TYPE_STRING:
		return "string";
	case HCL_TYPE_NUMBER:
		return "number";
	case HCL_TYPE_BOOL:
		return "bool";
	case HCL_TYPE_LIST:
		return gf_arena_printf(a, "list of %s", hcl_type_friendly(a, t->elem));
	case HCL_TYPE_SET:
		return gf_arena_printf(a, "set of %s", hcl_type_friendly(a, t->elem));
	case HCL_TYPE_MAP:
		return gf_arena_printf(a, "map of %s", hcl_type_friendly(a, t->elem));
	case HCL_TYPE_TUPLE:
		return "tuple";
	case HCL_TYPE_OBJECT:
		return "object";
	}
	return "dynamic";
}

/* ---- value constructors ------------------------------------------------ */

static hcl_value *value_new(gf_arena *a, hcl_value_kind kind, const hcl_type *t)
{
	hcl_value *v = gf_arena_alloc(a, sizeof(*v));
	v->kind = kind;
	v->type = t;
	return v;
}

const hcl_value *hcl_null(gf_arena *a, const hcl_type *t)
{
	if (t->kind == HCL_TYPE_DYNAMIC)
		return &hcl_null_dynamic;
	return value_new(a, HCL_VAL_NULL, t);
}

const hcl_value *hcl_unknown(gf_arena *a, const hcl_type *t)
{
	if (t->kind == HCL_TYPE_DYNAMIC)
		return &hcl_unknown_dynamic;
	return value_new(a, HCL_VAL_UNKNOWN, t);
}

const hcl_value *hcl_string(gf_arena *a, const char *s, size_t len)
{
	hcl_value *v = value_new(a, HCL_VAL_STRING, &hcl_type_string);
	char *p = gf_arena_alloc(a, len + 1);
	if (len)
		memcpy(p, s, len);
	v->u.str.ptr = p;
	v->u.str.len = len;
	return v;
}

const hcl_value *hcl_cstring(gf_arena *a, const char *s)
{
	return hcl_string(a, s, strlen(s));
}

const hcl_value *hcl_number(gf_arena *a, double n)
{
	hcl_value *v = value_new(a, HCL_VAL_NUMBER, &hcl_type_number);
	v->u.num = n == 0 ? 0.0 : n; /* no negative zero: cty has none */
	return v;
}

const hcl_value *hcl_bool(bool b)
{
	return b ? &hcl_true : &hcl_false;
}

const hcl_value *hcl_list(gf_arena *a, const hcl_type *elem, const hcl_value **items, size_t n)
{
	hcl_value *v = value_new(a, HCL_VAL_LIST, hcl_type_list(a, elem));
	v->u.coll.len = n;
	v->u.coll.items = items;
	return v;
}

static int cmp_value_ptr(const void *x, const void *y)
{
	return hcl_value_compare(*(const hcl_value *const *)x, *(const hcl_value *const *)y);
}

const hcl_value *hcl_set(gf_arena *a, const hcl_type *elem, const hcl_value **items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp_value_ptr);
	/* Unknown elements stay: two unknowns are not known to be the same. */
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && hcl_value_is_wholly_known(items[i]) &&
		    hcl_value_equal(items[out - 1], items[i])) {
			items[out - 1] = hcl_mark(a, items[out - 1], items[i]->marks);
			continue;
		}
		items[out++] = items[i];
	}
	hcl_value *v = value_new(a, HCL_VAL_SET, hcl_type_set(a, elem));
	v->u.coll.len = out;
	v->u.coll.items = items;
	return v;
}

/* Sorts keys with their items (stable, so that of duplicate keys the last
 * one written wins) and drops duplicates. Returns the new count. */
static size_t sort_keyed(const char **keys, const hcl_value **items, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *k = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = k;
			const hcl_value *x = items[j];
			items[j] = items[j - 1];
			items[j - 1] = x;
		}
	}
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(keys[out - 1], keys[i]) == 0) {
			items[out - 1] = items[i];
			continue;
		}
		keys[out] = keys[i];
		items[out] = items[i];
		out++;
	}
	return out;
}

/* Insertion sort is quadratic: fall back to a merge-free path for big
 * inputs by sorting an index with qsort. */
typedef struct {
	const char *key;
	const hcl_value *item;
	size_t pos;
} keyed_item;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed_item *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static size_t sort_keyed_any(gf_arena *ar, const char **keys, const hcl_value **items, size_t n)
{
	if (n <= 16)
		return sort_keyed(keys, items, n);
	keyed_item *tmp = gf_xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		tmp[i] = (keyed_item){keys[i], items[i], i};
	qsort(tmp, n, sizeof(*tmp), cmp_keyed);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(keys[out - 1], tmp[i].key) == 0) {
			items[out - 1] = tmp[i].item;
			continue;
		}
		keys[out] = tmp[i].key;
		items[out] = tmp[i].item;
		out++;
	}
	free(tmp);
	(void)ar;
	return out;
}

const hcl_value *hcl_map(gf_arena *a, const hcl_type *elem, const char **keys,
                         const hcl_value **items, size_t n)
{
	n = sort_keyed_any(a, keys, items, n);
	hcl_value *v = value_new(a, HCL_VAL_MAP, hcl_type_map(a, elem));
	v->u.coll.len = n;
	v->u.coll.items = items;
	v->u.coll.keys = keys;
	return v;
}

const hcl_value *hcl_tuple(gf_arena *a, const hcl_value **items, size_t n)
{
	const hcl_type **types = gf_arena_alloc(a, (n ? n : 1) * sizeof(*types));
	for (size_t i = 0; i < n; i++)
		types[i] = items[i]->type;
	hcl_value *v = value_new(a, HCL_VAL_TUPLE, hcl_type_tuple(a, types, n));
	v->u.coll.len = n;
	v->u.coll.items = items;
	return v;
}

const hcl_value *hcl_object(gf_arena *a, const char **keys, const hcl_value **items, size_t n)
{
	n = sort_keyed_any(a, keys, items, n);
	const hcl_type **types = gf_arena_alloc(a, (n ? n : 1) * sizeof(*types));
	for (size_t i = 0; i < n; i++)
		types[i] = items[i]->type;
	hcl_type *t = gf_arena_alloc(a, sizeof(*t));
	t->kind = HCL_TYPE_OBJECT;
	t->n = n;
	t->names = keys;
	t->types = types;
	hcl_value *v = value_new(a, HCL_VAL_OBJECT, t);
	v->u.coll.len = n;
	v->u.coll.items = items;
	v->u.coll.keys = keys;
	return v;
}

const hcl_value *hcl_mark(gf_arena *a, const hcl_value *v, unsigned marks)
{
	if ((v->marks | marks) == v->marks)
		return v;
	hcl_value *m = gf_arena_memdup(a, v, sizeof(*v));
	m->marks |= marks;
	return m;
}

const hcl_value *hcl_unmark(gf_arena *a, const hcl_value *v)
{
	if (!v->marks)
		return v;
	hcl_value *m = gf_arena_memdup(a, v, sizeof(*v));
	m->marks = 0;
	return m;
}

/* ---- queries ----------------------------------------------------------- */

static bool is_collection(const hcl_value *v)
{
	return v->kind >= HCL_VAL_LIST;
}

bool hcl_value_is_wholly_known(const hcl_value *v)
{
	if (v->kind == HCL_VAL_UNKNOWN)
		return false;
	if (is_collection(v))
		for (size_t i = 0; i < v->u.coll.len; i++)
			if (!hcl_value_is_wholly_known(v->u.coll.items[i]))
				return false;
	return true;
}

unsigned hcl_value_deep_marks(const hcl_value *v)
{
	unsigned m = v->marks;
	if (is_collection(v))
		for (size_t i = 0; i < v->u.coll.len; i++)
			m |= hcl_value_deep_marks(v->u.coll.items[i]);
	return m;
}

bool hcl_value_equal(const hcl_value *a, const hcl_value *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind || !hcl_type_equal(a->type, b->type))
		return false;
	return hcl_value_compare(a, b) == 0;
}

static int kind_rank(hcl_value_kind k)
{
	switch (k) {
	case HCL_VAL_BOOL:
		return 0;
	case HCL_VAL_NUMBER:
		return 1;
	case HCL_VAL_STRING:
		return 2;
	case HCL_VAL_LIST:
	case HCL_VAL_SET:
	case HCL_VAL_TUPLE:
		return 3;
	case HCL_VAL_MAP:
	case HCL_VAL_OBJECT:
		return 4;
	case HCL_VAL_NULL:
		return 5;
	case HCL_VAL_UNKNOWN:
		return 6;
	}
	return 7;
}

int hcl_value_compare(const hcl_value *a, const hcl_value *b)
{
	int ra = kind_rank(a->kind), rb = kind_rank(b->kind);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (a->kind) {
	case HCL_VAL_NULL:
	case HCL_VAL_UNKNOWN:
		return 0;
	case HCL_VAL_BOOL:
		return (int)a->u.b - (int)b->u.b;
	case HCL_VAL_NUMBER:
		return a->u.num < b->u.num ? -1 : a->u.num > b->u.num;
	case HCL_VAL_STRING: {
		size_t n = GF_MIN(a->u.str.len, b->u.str.len);
		int c = n ? memcmp(a->u.str.ptr, b->u.str.ptr, n) : 0;
		if (c)
			return c < 0 ? -1 : 1;
		return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
	}
	default:
		break;
	}
	size_t n = GF_MIN(a->u.coll.len, b->u.coll.len);
	bool has_keys = a->kind == HCL_VAL_MAP || a->kind == HCL_VAL_OBJECT;
	for (size_t i = 0; i < n; i++) {
		if (has_keys) {
			int c = strcmp(a->u.coll.keys[i], b->u.coll.keys[i]);
			if (c)
				return c < 0 ? -1 : 1;
		}
		int c = hcl_value_compare(a->u.coll.items[i], b->u.coll.items[i]);
		if (c)
			return c;
	}
	return a->u.coll.len < b->u.coll.len ? -1 : a->u.coll.len > b->u.coll.len;
}

const hcl_value *hcl_value_get(const hcl_value *v, const char *key)
{
	if (v->kind != HCL_VAL_MAP && v->kind != HCL_VAL_OBJECT)
		return NULL;
	size_t lo = 0, hi = v->u.coll.len;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v->u.coll.keys[mid], key);
		if (c == 0)
			return v->u.coll.items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- copies ------------------------------------------------------------ */

static bool type_is_static(const hcl_type *t)
{
	return t == &hcl_type_dynamic || t == &hcl_type_string || t == &hcl_type_number ||
	       t == &hcl_type_bool;
}

static const hcl_type *type_copy(gf_arena *to, const hcl_type *t)
{
	if (type_is_static(t))
		return t;
	hcl_type *c = gf_arena_memdup(to, t, sizeof(*t));
	if (t->elem)
		c->elem = type_copy(to, t->elem);
	if (t->n) {
		const hcl_type **types = gf_arena_alloc(to, t->n * sizeof(*types));
		for (size_t i = 0; i < t->n; i++)
			types[i] = type_copy(to, t->types[i]);
		c->types = types;
		if (t->names) {
			const char **names = gf_arena_alloc(to, t->n * sizeof(*names));
			for (size_t i = 0; i < t->n; i++)
				names[i] = gf_arena_strdup(to, t->names[i]);
			c->names = names;
		}
		if (t->optional)
			c->optional = gf_arena_memdup(to, t->optional, t->n * sizeof(bool));
		if (t->defaults) {
			const hcl_value **defs = gf_arena_alloc(to, t->n * sizeof(*defs));
			for (size_t i = 0; i < t->n; i++)
				defs[i] =
				        t->defaults[i] ? hcl_value_copy(to, t->defaults[i]) : NULL;
			c->defaults = defs;
		}
	}
	return c;
}

const hcl_value *hcl_value_copy(gf_arena *to, const hcl_value *v)
{
	if (v == &hcl_null_dynamic || v == &hcl_unknown_dynamic || v == &hcl_true ||
	    v == &hcl_false)
		return v;
	hcl_value *c = gf_arena_memdup(to, v, sizeof(*v));
	c->type = type_copy(to, v->type);
	if (v->kind == HCL_VAL_STRING) {
		char *p = gf_arena_alloc(to, v->u.str.len + 1);
		memcpy(p, v->u.str.ptr, v->u.str.len);
		c->u.str.ptr = p;
	} else if (is_collection(v)) {
		size_t n = v->u.coll.len;
		const hcl_value **items = gf_arena_alloc(to, (n ? n : 1) * sizeof(*items));
		for (size_t i = 0; i < n; i++)
			items[i] = hcl_value_copy(to, v->u.coll.items[i]);
		c->u.coll.items = items;
		if (v->u.coll.keys) {
			const char **keys = gf_arena_alloc(to, (n ? n : 1) * sizeof(*keys));
			for (size_t i = 0; i < n; i++)
				keys[i] = gf_arena_strdup(to, v->u.coll.keys[i]);
			c->u.coll.keys = keys;
			/* An object's type shares its names with its keys. */
			if (v->kind == HCL_VAL_OBJECT)
				((hcl_type *)c->type)->names = keys;
		}
	}
	return c;
}
