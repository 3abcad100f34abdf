/* The dependency graph of the root module's resources: edges from every
 * reference (directly, or through local values) and depends_on; order
 * by depth-first search, a cycle reported with its path. */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

void plani_map_init(plani_map *m, gf_arena *a, size_t n)
{
	m->cap = 16;
	while (m->cap < 2 * n + 2)
		m->cap *= 2;
	m->keys = gf_arena_alloc(a, m->cap * sizeof(*m->keys));
	m->vals = gf_arena_alloc(a, m->cap * sizeof(*m->vals));
}

void plani_map_put(plani_map *m, const char *key, void *val)
{
	size_t i = hash(key) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = key;
	m->vals[i] = val;
}

void *plani_map_get(const plani_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = hash(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

plani_node *plani_node_find(plani_engine *e, const char *type, const char *name)
{
	char key[256];
	if (snprintf(key, sizeof(key), "%s.%s", type, name) >= (int)sizeof(key))
		return NULL;
	return plani_map_get(&e->by_name, key);
}

typedef struct {
	plani_engine *e;
	GF_VEC(size_t) deps;
	int *local_seen; /* locals already walked for this node */
	hcl_diags scratch;
} walk_ctx;

static int walk_expr(walk_ctx *w, const hcl_expr *x);

static int on_traversal(const hcl_expr *t, void *payload)
{
	walk_ctx *w = payload;
	hcl_ref ref;
	if (!hcl_ref_parse(&ref, t, &w->scratch))
		return 0;
	if (ref.kind == HCL_REF_RESOURCE) {
		plani_node *n = plani_node_find(w->e, ref.type, ref.name);
		if (n) {
			size_t idx = (size_t)(n - w->e->nodes);
			for (size_t i = 0; i < w->deps.len; i++)
				if (w->deps.items[i] == idx)
					return 0;
			gf_vec_push(&w->deps, idx);
		}
	} else if (ref.kind == HCL_REF_LOCAL) {
		config_module *m = w->e->mod;
		for (size_t i = 0; i < m->locals.len; i++)
			if (!strcmp(m->locals.items[i].name, ref.name) && !w->local_seen[i]) {
				w->local_seen[i] = 1;
				walk_expr(w, m->locals.items[i].expr);
			}
	}
	return 0;
}

static int walk_expr(walk_ctx *w, const hcl_expr *x)
{
	return x ? hcl_expr_walk_traversals(x, on_traversal, w) : 0;
}

static void walk_body(walk_ctx *w, const hcl_body *b)
{
	for (size_t i = 0; i < b->len; i++) {
		if (b->items[i].kind == HCL_ITEM_ATTRIBUTE)
			walk_expr(w, b->items[i].u.attr->expr);
		else
			walk_body(w, b->items[i].u.block->body);
	}
}

/* Depth-first: colour 0 new, 1 on the stack, 2 done. */
static bool visit(plani_engine *e, size_t i, int *colour, size_t *stack, size_t depth, size_t *out,
                  size_t *nout)
{
	if (colour[i] == 2)
		return true;
	if (colour[i] == 1) {
		size_t from = depth;
		while (from > 0 && stack[from - 1] != i)
			from--;
		gf_buf b = GF_BUF_INIT;
		for (size_t k = from - 1; k < depth; k++)
			gf_buf_printf(&b, "%s%s", k > from - 1 ? ", " : "",
			              e->nodes[stack[k]].addr);
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_ERROR, &e->nodes[i].res->decl_range,
		              gf_arena_printf(&e->cfg->arena, "Cycle: %s", gf_buf_cstr(&b)),
		              "These resources refer to each other in a loop, so none of them can "
		              "be created first. Remove one of the references (or depends_on "
		              "entries) to break the cycle.");
		gf_buf_dispose(&b);
		return false;
	}
	colour[i] = 1;
	stack[depth] = i;
	for (size_t k = 0; k < e->nodes[i].ndeps; k++)
		if (!visit(e, e->nodes[i].deps[k], colour, stack, depth + 1, out, nout))
			return false;
	colour[i] = 2;
	out[(*nout)++] = i;
	return true;
}

bool plani_graph_build(plani_engine *e)
{
	config_module *m = e->mod;
	gf_arena *a = &e->p->arena;
	e->nodes = gf_arena_alloc(a, (m->resources.len + 1) * sizeof(*e->nodes));
	e->n = 0;
	for (size_t i = 0; i < m->resources.len; i++) {
		config_resource *r = &m->resources.items[i];
		plani_node *n = &e->nodes[e->n++];
		n->res = r;
		n->addr = gf_arena_printf(a, "%s%s.%s", r->mode == CONFIG_DATA ? "data." : "",
		                          r->type, r->name);
		n->cbd = r->lifecycle.create_before_destroy;
		n->has_count = r->count != NULL;
		n->has_each = r->for_each != NULL;
	}
	plani_map_init(&e->by_name, a, e->n);
	for (size_t i = 0; i < e->n; i++)
		if (e->nodes[i].res->mode == CONFIG_MANAGED)
			plani_map_put(&e->by_name, e->nodes[i].addr, &e->nodes[i]);
	int *seen = gf_xcalloc(m->locals.len + 1, sizeof(int));
	for (size_t i = 0; i < e->n; i++) {
		plani_node *n = &e->nodes[i];
		walk_ctx w = {.e = e, .local_seen = seen};
		memset(seen, 0, (m->locals.len + 1) * sizeof(int));
		gf_arena scratch_arena;
		gf_arena_init(&scratch_arena);
		hcl_diags_init(&w.scratch, &scratch_arena);
		walk_body(&w, n->res->body);
		walk_expr(&w, n->res->count);
		walk_expr(&w, n->res->for_each);
		walk_expr(&w, n->res->depends_on);
		walk_expr(&w, n->res->lifecycle.replace_triggered_by);
		hcl_diags_dispose(&w.scratch);
		gf_arena_dispose(&scratch_arena);
		n->ndeps = w.deps.len;
		n->deps = gf_arena_alloc(a, (w.deps.len + 1) * sizeof(size_t));
		if (w.deps.len)
			memcpy(n->deps, w.deps.items, w.deps.len * sizeof(size_t));
		gf_vec_dispose(&w.deps);
	}
	free(seen);

	int *colour = gf_xcalloc(e->n + 1, sizeof(int));
	size_t *stack = gf_xcalloc(e->n + 1, sizeof(size_t));
	e->order = gf_arena_alloc(a, (e->n + 1) * sizeof(size_t));
	size_t nout = 0;
	bool ok = true;
	for (size_t i = 0; i < e->n && ok; i++)
		ok = visit(e, i, colour, stack, 0, e->order, &nout);
	free(colour);
	free(stack);
	if (!ok)
		return false;
	/* create_before_destroy flows from a resource to its dependencies
	 * (plan.h, note 2): dependents come later in the order. */
	for (size_t k = e->n; k-- > 0;) {
		plani_node *n = &e->nodes[e->order[k]];
		if (n->cbd)
			for (size_t d = 0; d < n->ndeps; d++)
				e->nodes[n->deps[d]].cbd = true;
	}
	return true;
}
