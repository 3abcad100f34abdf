/*
 * Override files (override.tf, *_override.tf and their .tf.json forms),
 * merged into the primary files' blocks before the module is read, with
 * the rules of Terraform's configs.Module mergers:
 *
 *   - a top-level block overrides the primary block of the same type and
 *     labels: its arguments replace (or add to) the primary's, and its
 *     nested blocks of a type replace all the primary's blocks of that type;
 *   - resource and data: `lifecycle` is merged argument by argument, and
 *     `depends_on` may not be overridden;
 *   - locals: each local value replaces the one of the same name, wherever
 *     the primary files define it;
 *   - terraform: required_providers merged entry by entry; a backend or
 *     cloud block replaces the primary's backend and cloud blocks;
 *   - a block (or local value) that overrides nothing is an error.
 *
 * Merging bodies rather than decoded declarations keeps the loader
 * unaware of overrides: it reads merged blocks as if they had been written
 * so, and every argument keeps the range of the file that set it.
 */
#include "config/config_impl.h"

#include <stdlib.h>
#include <string.h>

typedef GF_VEC(hcl_body_item) item_vec;

static bool same_block(const hcl_block *a, const hcl_block *b)
{
	if (strcmp(a->type, b->type) != 0 || a->nlabels != b->nlabels)
		return false;
	for (size_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].value, b->labels[i].value) != 0)
			return false;
	return true;
}

static bool has_block_type(const hcl_body *b, const char *type)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->items[i].kind == HCL_ITEM_BLOCK && !strcmp(b->items[i].u.block->type, type))
			return true;
	return false;
}

static void set_items(gf_arena *a, hcl_body *b, item_vec *v)
{
	b->items = gf_arena_alloc(a, (v->len + 1) * sizeof(*v->items));
	if (v->len)
		memcpy(b->items, v->items, v->len * sizeof(*v->items));
	b->len = v->len;
	gf_vec_dispose(v);
}

static void put_attr(item_vec *v, hcl_attribute *at)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i].kind == HCL_ITEM_ATTRIBUTE &&
		    !strcmp(v->items[i].u.attr->name, at->name)) {
			v->items[i].u.attr = at;
			return;
		}
	gf_vec_push(v, ((hcl_body_item){.kind = HCL_ITEM_ATTRIBUTE, .u.attr = at}));
}

/* `merged` names block types merged recursively rather than replaced
 * (resource's lifecycle); with `backend_rule`, a backend or cloud block
 * replaces the base's backend and cloud blocks both. */
static void merge_body(config *cfg, hcl_body *base, const hcl_body *ovr, const char *const *merged,
                       bool backend_rule)
{
	item_vec v = {0};
	for (size_t i = 0; i < base->len; i++) {
		const hcl_body_item *it = &base->items[i];
		/* A JSON argument may stand for nested blocks (known only from a
		 * provider schema), so it and blocks of its name replace each
		 * other across the two syntaxes. */
		if (it->kind == HCL_ITEM_ATTRIBUTE && base->json &&
		    has_block_type(ovr, it->u.attr->name))
			continue;
		if (it->kind == HCL_ITEM_BLOCK && ovr->json &&
		    hcl_body_attribute(ovr, it->u.block->type))
			continue;
		if (it->kind == HCL_ITEM_BLOCK) {
			const char *t = it->u.block->type;
			bool is_merged = false;
			for (const char *const *m = merged; m && *m; m++)
				is_merged |= !strcmp(*m, t);
			bool replaced = !is_merged && has_block_type(ovr, t);
			if (backend_rule && (!strcmp(t, "backend") || !strcmp(t, "cloud")))
				replaced = has_block_type(ovr, "backend") ||
				           has_block_type(ovr, "cloud");
			if (replaced)
				continue;
		}
		gf_vec_push(&v, *it);
	}
	for (size_t i = 0; i < ovr->len; i++) {
		const hcl_body_item *it = &ovr->items[i];
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			put_attr(&v, it->u.attr);
			continue;
		}
		hcl_block *ob = it->u.block;
		bool is_merged = false;
		for (const char *const *m = merged; m && *m; m++)
			is_merged |= !strcmp(*m, ob->type);
		hcl_block *target = NULL;
		for (size_t k = 0; is_merged && k < v.len && !target; k++)
			if (v.items[k].kind == HCL_ITEM_BLOCK && same_block(v.items[k].u.block, ob))
				target = v.items[k].u.block;
		if (target) {
			hcl_block *copy = gf_arena_memdup(&cfg->arena, target, sizeof(*target));
			copy->body =
			        gf_arena_memdup(&cfg->arena, target->body, sizeof(*target->body));
			merge_body(cfg, copy->body, ob->body, NULL, false);
			for (size_t k = 0; k < v.len; k++)
				if (v.items[k].kind == HCL_ITEM_BLOCK &&
				    v.items[k].u.block == target)
					v.items[k].u.block = copy;
			continue;
		}
		gf_vec_push(&v, *it);
	}
	set_items(&cfg->arena, base, &v);
	base->json |= ovr->json;
}

static void merge_locals(config *cfg, hcl_body *const *primary, size_t np, const hcl_block *ob)
{
	for (size_t i = 0; i < ob->body->len; i++) {
		if (ob->body->items[i].kind != HCL_ITEM_ATTRIBUTE)
			continue;
		hcl_attribute *at = ob->body->items[i].u.attr;
		bool found = false;
		for (size_t f = 0; f < np; f++)
			for (size_t k = 0; k < primary[f]->len; k++) {
				hcl_body_item *it = &primary[f]->items[k];
				if (it->kind != HCL_ITEM_BLOCK ||
				    strcmp(it->u.block->type, "locals"))
					continue;
				hcl_body *lb = it->u.block->body;
				for (size_t j = 0; j < lb->len; j++)
					if (lb->items[j].kind == HCL_ITEM_ATTRIBUTE &&
					    !strcmp(lb->items[j].u.attr->name, at->name)) {
						lb->items[j].u.attr = at;
						found = true;
					}
			}
		if (!found)
			cfgi_error(
			        cfg, &at->name_range,
			        "Missing base local value definition to override",
			        "There is no local value named \"%s\". An override file can only "
			        "override a local value defined in a primary configuration file.",
			        at->name);
	}
}

static void merge_required_providers(config *cfg, hcl_body *base, const hcl_block *ob)
{
	for (size_t i = 0; i < base->len; i++)
		if (base->items[i].kind == HCL_ITEM_BLOCK &&
		    !strcmp(base->items[i].u.block->type, "required_providers")) {
			hcl_block *rb = base->items[i].u.block;
			hcl_block *copy = gf_arena_memdup(&cfg->arena, rb, sizeof(*rb));
			copy->body = gf_arena_memdup(&cfg->arena, rb->body, sizeof(*rb->body));
			merge_body(cfg, copy->body, ob->body, NULL, false);
			base->items[i].u.block = copy;
			return;
		}
	item_vec v = {0};
	for (size_t i = 0; i < base->len; i++)
		gf_vec_push(&v, base->items[i]);
	gf_vec_push(&v, ((hcl_body_item){.kind = HCL_ITEM_BLOCK, .u.block = (hcl_block *)ob}));
	set_items(&cfg->arena, base, &v);
}

static void merge_terraform(config *cfg, hcl_body *const *primary, size_t np, hcl_block *ob)
{
	hcl_block *target = NULL;
	for (size_t f = 0; f < np && !target; f++)
		for (size_t k = 0; k < primary[f]->len && !target; k++)
			if (primary[f]->items[k].kind == HCL_ITEM_BLOCK &&
			    !strcmp(primary[f]->items[k].u.block->type, "terraform"))
				target = primary[f]->items[k].u.block;
	if (!target) {
		/* Settings with nothing to override are settings all the same. */
		item_vec v = {0};
		for (size_t i = 0; i < primary[0]->len; i++)
			gf_vec_push(&v, primary[0]->items[i]);
		gf_vec_push(&v, ((hcl_body_item){.kind = HCL_ITEM_BLOCK, .u.block = ob}));
		set_items(&cfg->arena, primary[0], &v);
		return;
	}
	hcl_body rest = *ob->body;
	item_vec v = {0};
	for (size_t i = 0; i < ob->body->len; i++) {
		const hcl_body_item *it = &ob->body->items[i];
		if (it->kind == HCL_ITEM_BLOCK && !strcmp(it->u.block->type, "required_providers"))
			merge_required_providers(cfg, target->body, it->u.block);
		else
			gf_vec_push(&v, *it);
	}
	rest.items = v.items;
	rest.len = v.len;
	merge_body(cfg, target->body, &rest, NULL, true);
	gf_vec_dispose(&v);
}

static const char *kind_name(const char *type)
{
	if (!strcmp(type, "data"))
		return "data resource";
	if (!strcmp(type, "module"))
		return "module call";
	if (!strcmp(type, "provider"))
		return "provider configuration";
	return type;
}

static void merge_block(config *cfg, hcl_body *const *primary, size_t np, hcl_block *ob)
{
	hcl_block *target = NULL;
	for (size_t f = 0; f < np && !target; f++)
		for (size_t k = 0; k < primary[f]->len && !target; k++)
			if (primary[f]->items[k].kind == HCL_ITEM_BLOCK &&
			    same_block(primary[f]->items[k].u.block, ob))
				target = primary[f]->items[k].u.block;
	if (!target) {
		gf_buf labels = GF_BUF_INIT;
		for (size_t i = 0; i < ob->nlabels; i++)
			gf_buf_printf(&labels, " \"%s\"", ob->labels[i].value);
		cfgi_error(cfg, &ob->type_range,
		           gf_arena_printf(&cfg->arena, "Missing base %s to override",
		                           kind_name(ob->type)),
		           "There is no %s%s block in the primary configuration files. An "
		           "override file can only override a block defined in a primary "
		           "configuration file.",
		           ob->type, gf_buf_cstr(&labels));
		gf_buf_dispose(&labels);
		return;
	}
	bool resource = !strcmp(ob->type, "resource") || !strcmp(ob->type, "data");
	const hcl_attribute *dep = resource ? hcl_body_attribute(ob->body, "depends_on") : NULL;
	if (dep) {
		cfgi_error(cfg, &dep->name_range, "Unsupported override",
		           "The depends_on argument may not be overridden. Set it in the primary "
		           "configuration file instead.");
		return;
	}
	static const char *const LIFECYCLE[] = {"lifecycle", NULL};
	hcl_body *nb = gf_arena_memdup(&cfg->arena, target->body, sizeof(*target->body));
	merge_body(cfg, nb, ob->body, resource ? LIFECYCLE : NULL, false);
	target->body = nb;
}

void cfgi_merge_overrides(config *cfg, hcl_body *const *primary, size_t nprimary,
                          hcl_body *const *overrides, size_t noverrides)
{
	for (size_t f = 0; f < noverrides; f++)
		for (size_t i = 0; i < overrides[f]->len; i++) {
			const hcl_body_item *it = &overrides[f]->items[i];
			if (it->kind != HCL_ITEM_BLOCK)
				continue;
			hcl_block *ob = it->u.block;
			if (!strcmp(ob->type, "locals"))
				merge_locals(cfg, primary, nprimary, ob);
			else if (!strcmp(ob->type, "terraform") && nprimary)
				merge_terraform(cfg, primary, nprimary, ob);
			else
				merge_block(cfg, primary, nprimary, ob);
		}
}
