/* A resource body decoded against its schema, with Terraform's
 * diagnostics for every structural mistake, all reported in one pass. */
#include "hcl/json_syntax.h"
#include "provider/provider.h"

#include <stdlib.h>
#include <string.h>

/* Names a body may set: every non-computed-only attribute. */
static const char **settable_names(gf_arena *a, const provider_block_schema *s, size_t *n)
{
	const char **names = gf_arena_alloc(a, (s->nattrs + 1) * sizeof(*names));
	*n = 0;
	for (size_t i = 0; i < s->nattrs; i++)
		if (s->attrs[i].flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL))
			names[(*n)++] = s->attrs[i].name;
	return names;
}

static const char **block_names(gf_arena *a, const provider_block_schema *s)
{
	const char **names = gf_arena_alloc(a, (s->nblocks + 1) * sizeof(*names));
	for (size_t i = 0; i < s->nblocks; i++)
		names[i] = s->blocks[i].name;
	return names;
}

static void unsupported_argument(gf_arena *a, const provider_block_schema *s,
                                 const hcl_attribute *at, hcl_diags *diags)
{
	if (provider_block_find(s, at->name)) {
		hcl_diags_add(
		        diags, HCL_DIAG_ERROR, &at->name_range, "Unsupported argument",
		        "An argument named \"%s\" is not expected here. Did you mean to define "
		        "a block of type \"%s\"?",
		        at->name, at->name);
		return;
	}
	const provider_attr *pa = provider_attr_find(s, at->name);
	if (pa) { /* computed only */
		hcl_diags_add(
		        diags, HCL_DIAG_ERROR, &at->name_range, "Invalid or unknown key",
		        "The argument \"%s\" is computed by the provider and cannot be set in "
		        "the configuration; remove it.",
		        at->name);
		return;
	}
	size_t n;
	const char **names = settable_names(a, s, &n);
	const char *sug = hcl_suggest(at->name, names, n);
	hcl_diags_add(diags, HCL_DIAG_ERROR, &at->name_range, "Unsupported argument",
	              "An argument named \"%s\" is not expected here.%s", at->name,
	              sug ? gf_arena_printf(a, " Did you mean \"%s\"?", sug) : "");
}

static void too_many(gf_arena *a, const char *type, const hcl_range *r, hcl_diags *diags)
{
	hcl_diags_add(diags, HCL_DIAG_ERROR, r, gf_arena_printf(a, "Too many %s blocks", type),
	              "No more than 1 \"%s\" blocks are allowed", type);
}

static const hcl_type *et_of(gf_arena *a, const provider_block *pb)
{
	return provider_object_type(a, pb->schema);
}

/* A block the schema does not take: `type` is its type, or the label of a
 * dynamic block. */
static void unsupported_block(gf_arena *a, const provider_block_schema *s, const hcl_block *b,
                              const char *type, hcl_diags *diags)
{
	const provider_block *pb = provider_block_find(s, type);
	if (pb) { /* computed: a data source's nested objects */
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
		              "Blocks of type \"%s\" are computed by the provider and cannot be "
		              "set in the configuration; remove the block.",
		              type);
		return;
	}
	if (provider_attr_find(s, type)) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
		              "Blocks of type \"%s\" are not expected here. Did you mean to define "
		              "argument \"%s\"? If so, use the equals sign to assign it a value.",
		              type, type);
		return;
	}
	const char *sug = hcl_suggest(type, block_names(a, s), s->nblocks);
	hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
	              "Blocks of type \"%s\" are not expected here.%s", type,
	              sug ? gf_arena_printf(a, " Did you mean \"%s\"?", sug) : "");
}

/* Terraform's meta-arguments and blocks, which the configuration loader
 * reads; a resource body keeps them, the schema never has them. */
static bool is_meta(const hcl_body_item *it)
{
	static const char *const attrs[] = {"count", "for_each", "depends_on", "provider"};
	static const char *const blocks[] = {"lifecycle", "provisioner", "connection"};
	const char *name = it->kind == HCL_ITEM_ATTRIBUTE ? it->u.attr->name : it->u.block->type;
	const char *const *list = it->kind == HCL_ITEM_ATTRIBUTE ? attrs : blocks;
	size_t n = it->kind == HCL_ITEM_ATTRIBUTE ? GF_ARRAY_LEN(attrs) : GF_ARRAY_LEN(blocks);
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* ---- dynamic blocks ------------------------------------------------------------ */

/* The scope of a dynamic block's content: NAME.key and NAME.value of its
 * iterator, everything else from the enclosing scope (which may be the
 * content scope of an outer dynamic block). */
typedef struct {
	const hcl_scope *inner;
	const char *name;
	const hcl_value *key, *value;
} iter_scope;

static const hcl_value *iter_lookup(void *payload, const hcl_ref *ref, gf_arena *a,
                                    hcl_diags *diags)
{
	const iter_scope *s = payload;
	if (ref->kind == HCL_REF_RESOURCE && strcmp(ref->type, s->name) == 0) {
		if (strcmp(ref->name, "key") == 0)
			return s->key;
		if (strcmp(ref->name, "value") == 0)
			return s->value;
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Unsupported attribute",
		              "The iterator \"%s\" of a dynamic block has only the attributes "
		              "\"key\" and \"value\".",
		              s->name);
		return NULL;
	}
	if (!s->inner->lookup)
		return hcl_ref_undeclared(diags, ref, NULL, 0, "the root module");
	return s->inner->lookup(s->inner->payload, ref, a, diags);
}

static const hcl_scope *iter_scope_new(gf_arena *a, const hcl_scope *inner, const char *name,
                                       const hcl_value *key, const hcl_value *value)
{
	iter_scope *p = gf_arena_alloc(a, sizeof(*p));
	*p = (iter_scope){inner, name, key, value};
	hcl_scope *s = gf_arena_alloc(a, sizeof(*s));
	*s = *inner;
	s->lookup = iter_lookup;
	s->payload = p;
	return s;
}

static const hcl_value *decode_block(gf_arena *a, const provider_block_schema *s,
                                     const hcl_body *body, const hcl_range *owner,
                                     const hcl_scope *scope, hcl_diags *diags, bool top);

/* What a dynamic block generates: each content evaluated per element. */
typedef struct {
	GF_VEC(const hcl_value *) items;
	bool unknown; /* for_each not known yet: the whole list is unknown */
} generated;

/*
 * Expands `dynamic "LABEL" { for_each, iterator, content {} }` as
 * Terraform does: the key is the index of a list or tuple, the key of a
 * map or object, the element itself of a set; the iterator is named by
 * `iterator` or else the label. Nested dynamic blocks inside content are
 * expanded by decode_block with the iterator in scope.
 */
static void expand_dynamic(generated *out, gf_arena *a, const provider_block *pb,
                           const hcl_block *b, const hcl_scope *scope, hcl_diags *diags)
{
	const hcl_attribute *fe = hcl_body_attribute(b->body, "for_each");
	const hcl_block *content = NULL;
	for (size_t i = 0; i < b->body->len; i++) {
		const hcl_body_item *it = &b->body->items[i];
		if (it->kind == HCL_ITEM_BLOCK && strcmp(it->u.block->type, "content") == 0)
			content = it->u.block;
	}
	if (!fe || !content) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Invalid dynamic block",
		              "A dynamic block needs a \"for_each\" argument and a nested "
		              "\"content\" block.");
		return;
	}
	const char *iter = b->labels[0].value;
	const hcl_attribute *ia = hcl_body_attribute(b->body, "iterator");
	if (ia) {
		iter = hcl_expr_as_keyword(ia->expr);
		if (!iter) {
			hcl_diags_add(diags, HCL_DIAG_ERROR, &ia->expr->range,
			              "Invalid dynamic iterator name",
			              "Dynamic iterator must be a single variable name.");
			return;
		}
	}
	const hcl_value *v = hcl_eval(a, fe->expr, scope, diags);
	if (!v)
		return;
	if (!hcl_value_is_wholly_known(v)) {
		out->unknown = true;
		return;
	}
	bool keyed = v->kind == HCL_VAL_MAP || v->kind == HCL_VAL_OBJECT;
	bool seq = v->kind == HCL_VAL_LIST || v->kind == HCL_VAL_TUPLE || v->kind == HCL_VAL_SET;
	if (!keyed && !seq) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &fe->expr->range,
		              "Invalid dynamic for_each value",
		              "Cannot use a %s value in for_each. An iterable collection is "
		              "required.",
		              v->kind == HCL_VAL_NULL ? "null" : hcl_type_friendly(a, v->type));
		return;
	}
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *item = v->u.coll.items[i];
		const hcl_value *key = keyed                    ? hcl_cstring(a, v->u.coll.keys[i])
		                       : v->kind == HCL_VAL_SET ? item
		                                                : hcl_number(a, (double)i);
		const hcl_value *inner =
		        decode_block(a, pb->schema, content->body, &content->open_brace,
		                     iter_scope_new(a, scope, iter, key, item), diags, false);
		if (inner)
			gf_vec_push(&out->items, inner);
	}
}

typedef GF_VEC(const hcl_value *) value_vec;

/* One nested block b of a body of schema s, appended to its type's list: a
 * static block, or every block a dynamic one generates (unknown[] marks a
 * type whose dynamic for_each is not known yet). */
static void add_block(gf_arena *a, const provider_block_schema *s, const hcl_block *b,
                      value_vec *blocks, bool *unknown, const hcl_scope *scope, hcl_diags *diags)
{
	bool dynamic = strcmp(b->type, "dynamic") == 0 && b->nlabels == 1;
	const char *type = dynamic ? b->labels[0].value : b->type;
	const provider_block *pb = provider_block_find(s, type);
	if (!pb || (pb->flags & PROVIDER_COMPUTED)) {
		unsupported_block(a, s, b, type, diags);
		return;
	}
	size_t bi = (size_t)(pb - s->blocks);
	if (dynamic) {
		generated g = {0};
		expand_dynamic(&g, a, pb, b, scope, diags);
		unknown[bi] |= g.unknown;
		for (size_t k = 0; k < g.items.len; k++) {
			if (blocks[bi].len >= 1 && !pb->many) {
				too_many(a, pb->name, &b->type_range, diags);
				break;
			}
			gf_vec_push(&blocks[bi], g.items.items[k]);
		}
		gf_vec_dispose(&g.items);
		return;
	}
	if (b->nlabels) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->labels[0].range, "Extraneous label for %s",
		              "No labels are expected for %s blocks.", b->type);
		return;
	}
	if (blocks[bi].len >= 1 && !pb->many) {
		too_many(a, b->type, &b->type_range, diags);
		return;
	}
	const hcl_value *inner =
	        decode_block(a, pb->schema, b->body, &b->open_brace, scope, diags, false);
	if (inner)
		gf_vec_push(&blocks[bi], inner);
}

static const hcl_value *decode_block(gf_arena *a, const provider_block_schema *s,
                                     const hcl_body *body, const hcl_range *owner,
                                     const hcl_scope *scope, hcl_diags *diags, bool top)
{
	size_t n = s->nattrs + s->nblocks;
	const char **keys = gf_arena_alloc(a, n * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, n * sizeof(*vals));
	value_vec *blocks = gf_arena_alloc(a, (s->nblocks + 1) * sizeof(*blocks));
	bool *unknown = gf_arena_alloc(a, (s->nblocks + 1) * sizeof(*unknown));
	size_t errors = diags->errors;

	for (size_t i = 0; i < s->nattrs; i++) {
		keys[i] = s->attrs[i].name;
		vals[i] = hcl_null(a, s->attrs[i].type);
	}
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (top && is_meta(it))
			continue;
		if (it->kind == HCL_ITEM_ATTRIBUTE && body->json &&
		    provider_block_find(s, it->u.attr->name)) {
			/* JSON syntax: the schema says this property is blocks. */
			hcl_block *jb;
			long nb = hcl_json_expr_blocks(a, it->u.attr, &jb, diags);
			for (long k = 0; k < nb; k++)
				add_block(a, s, &jb[k], blocks, unknown, scope, diags);
			continue;
		}
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			const hcl_attribute *at = it->u.attr;
			const provider_attr *pa = provider_attr_find(s, at->name);
			if (!pa || !(pa->flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL))) {
				unsupported_argument(a, s, at, diags);
				continue;
			}
			const hcl_value *v = hcl_eval(a, at->expr, scope, diags);
			if (!v)
				continue;
			const char *why = NULL;
			const hcl_value *c = hcl_convert(a, v, pa->type, &why);
			if (!c) {
				hcl_diags_add(diags, HCL_DIAG_ERROR, &at->expr->range,
				              "Incorrect attribute value type",
				              "Inappropriate value for attribute \"%s\": %s.",
				              at->name, why);
				continue;
			}
			vals[pa - s->attrs] = c;
			continue;
		}
		add_block(a, s, it->u.block, blocks, unknown, scope, diags);
	}
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		if ((pa->flags & PROVIDER_REQUIRED) && !hcl_body_attribute(body, pa->name))
			hcl_diags_add(
			        diags, HCL_DIAG_ERROR, owner, "Missing required argument",
			        "The argument \"%s\" is required, but no definition was found.",
			        pa->name);
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		const provider_block *pb = &s->blocks[i];
		keys[s->nattrs + i] = pb->name;
		if (unknown[i]) {
			vals[s->nattrs + i] = hcl_unknown(a, hcl_type_list(a, et_of(a, pb)));
			gf_vec_dispose(&blocks[i]);
			continue;
		}
		if (pb->required && blocks[i].len == 0)
			hcl_diags_add(diags, HCL_DIAG_ERROR, owner,
			              gf_arena_printf(a, "Insufficient %s blocks", pb->name),
			              "At least 1 \"%s\" blocks are required.", pb->name);
		const hcl_type *et = et_of(a, pb);
		const hcl_value **items = gf_arena_alloc(a, (blocks[i].len + 1) * sizeof(*items));
		for (size_t j = 0; j < blocks[i].len; j++)
			items[j] = blocks[i].items[j];
		vals[s->nattrs + i] = hcl_list(a, et, items, blocks[i].len);
		gf_vec_dispose(&blocks[i]);
	}
	if (diags->errors > errors)
		return NULL;
	return hcl_object(a, keys, vals, n);
}

const hcl_value *provider_decode(gf_arena *a, const provider_schema *s, const hcl_body *body,
                                 const hcl_range *owner, const hcl_scope *scope, hcl_diags *diags)
{
	return decode_block(a, &s->body, body, owner, scope, diags, true);
}
