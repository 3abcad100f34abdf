/* A resource body decoded against its schema, with Terraform's
 * diagnostics for every structural mistake, all reported in one pass. */
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

static void unsupported_block(gf_arena *a, const provider_block_schema *s, const hcl_block *b,
                              hcl_diags *diags)
{
	if (strcmp(b->type, "dynamic") == 0) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
		              "gitfleet does not expand dynamic blocks in resources yet; write the "
		              "nested blocks out directly.");
		return;
	}
	if (provider_attr_find(s, b->type)) {
		hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
		              "Blocks of type \"%s\" are not expected here. Did you mean to define "
		              "argument \"%s\"? If so, use the equals sign to assign it a value.",
		              b->type, b->type);
		return;
	}
	const char *sug = hcl_suggest(b->type, block_names(a, s), s->nblocks);
	hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range, "Unsupported block type",
	              "Blocks of type \"%s\" are not expected here.%s", b->type,
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

static const hcl_value *decode_block(gf_arena *a, const provider_block_schema *s,
                                     const hcl_body *body, const hcl_range *owner,
                                     const hcl_scope *scope, hcl_diags *diags, bool top)
{
	size_t n = s->nattrs + s->nblocks;
	const char **keys = gf_arena_alloc(a, n * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, n * sizeof(*vals));
	GF_VEC(const hcl_value *) *blocks = gf_arena_alloc(a, (s->nblocks + 1) * sizeof(*blocks));
	size_t errors = diags->errors;

	for (size_t i = 0; i < s->nattrs; i++) {
		keys[i] = s->attrs[i].name;
		vals[i] = hcl_null(a, s->attrs[i].type);
	}
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (top && is_meta(it))
			continue;
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
		const hcl_block *b = it->u.block;
		const provider_block *pb = provider_block_find(s, b->type);
		if (!pb) {
			unsupported_block(a, s, b, diags);
			continue;
		}
		size_t bi = (size_t)(pb - s->blocks);
		if (b->nlabels) {
			hcl_diags_add(diags, HCL_DIAG_ERROR, &b->labels[0].range,
			              "Extraneous label for %s",
			              "No labels are expected for %s blocks.", b->type);
			continue;
		}
		if (blocks[bi].len >= 1 && !pb->many) {
			hcl_diags_add(diags, HCL_DIAG_ERROR, &b->type_range,
			              gf_arena_printf(a, "Too many %s blocks", b->type),
			              "No more than 1 \"%s\" blocks are allowed", b->type);
			continue;
		}
		const hcl_value *inner =
		        decode_block(a, pb->schema, b->body, &b->open_brace, scope, diags, false);
		if (inner)
			gf_vec_push(&blocks[bi], inner);
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
		if (pb->required && blocks[i].len == 0)
			hcl_diags_add(diags, HCL_DIAG_ERROR, owner,
			              gf_arena_printf(a, "Insufficient %s blocks", pb->name),
			              "At least 1 \"%s\" blocks are required.", pb->name);
		const hcl_type *et = provider_object_type(a, pb->schema);
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
