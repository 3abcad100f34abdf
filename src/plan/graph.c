/* The dependency graph of the resources and data sources of every module:
 * edges from every reference (directly, or through local values, module
 * inputs and outputs) and depends_on, also of the module calls above a
 * resource (plan.h, note 2b); order by depth-first search, a cycle
 * reported with its path. */
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

plani_node *plani_node_find(plani_engine *e, size_t m, config_mode mode, const char *type,
                            const char *name)
{
	char key[512];
	const char *mod = e->mods[m].mod->addr;
	if (snprintf(key, sizeof(key), "%s%s%s%s.%s", mod, *mod ? "." : "",
	             mode == CONFIG_DATA ? "data." : "", type, name) >= (int)sizeof(key))
		return NULL;
	return plani_map_get(&e->by_name, key);
}

plani_node *plani_node_of(plani_engine *e, const state_addr *sa)
{
	if (!sa->type)
		return NULL;
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < sa->nmodules; i++)
		gf_buf_printf(&b, "module.%s.", sa->modules[i].name);
	gf_buf_printf(&b, "%s%s.%s", sa->mode == STATE_DATA ? "data." : "", sa->type, sa->name);
	plani_node *n = plani_map_get(&e->by_name, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return n;
}

typedef struct {
	plani_engine *e;
	GF_VEC(size_t) deps;
	size_t m; /* the static module the expression being walked is in */
	hcl_diags scratch;
} walk_ctx;

static void walk_expr(walk_ctx *w, size_t m, const hcl_expr *x);

static void add_dep(walk_ctx *w, const plani_node *n)
{
	size_t idx = (size_t)(n - w->e->nodes);
	for (size_t i = 0; i < w->deps.len; i++)
		if (w->deps.items[i] == idx)
			return;
	gf_vec_push(&w->deps, idx);
}

/* Every node of static module m and of the modules below it. */
static void add_subtree(walk_ctx *w, size_t m)
{
	for (size_t i = 0; i < w->e->n; i++) {
		size_t k = w->e->nodes[i].m;
		while (k != m && w->e->mods[k].parent >= 0)
			k = (size_t)w->e->mods[k].parent;
		if (k == m)
			add_dep(w, &w->e->nodes[i]);
	}
}

static void walk_output(walk_ctx *w, size_t c, size_t k)
{
	plani_mod *cm = &w->e->mods[c];
	if (cm->seen_output[k])
		return;
	cm->seen_output[k] = 1;
	walk_expr(w, c, cm->mod->outputs.items[k].value);
	walk_expr(w, c, cm->mod->outputs.items[k].depends_on);
}

/* module.NAME[...].OUTPUT in module m: the output's expression in the
 * child; module.NAME alone (depends_on, a whole object): everything. */
static void walk_module_ref(walk_ctx *w, size_t m, const hcl_ref *ref)
{
	config_module *mod = w->e->mods[m].mod;
	long c = -1;
	for (size_t k = 0; k < mod->calls.len && c < 0; k++)
		if (!strcmp(mod->calls.items[k].name, ref->name))
			c = w->e->mods[m].child[k];
	if (c < 0)
		return;
	const hcl_steps *st = &ref->expr->u.scope.steps;
	size_t i = ref->nsteps;
	if (i < st->len && st->steps[i].kind != HCL_STEP_ATTR)
		i++; /* an instance key */
	config_module *cm = w->e->mods[c].mod;
	if (i < st->len && st->steps[i].kind == HCL_STEP_ATTR) {
		for (size_t k = 0; k < cm->outputs.len; k++)
			if (!strcmp(cm->outputs.items[k].name, st->steps[i].name))
				walk_output(w, (size_t)c, k);
		return;
	}
	add_subtree(w, (size_t)c);
	for (size_t k = 0; k < cm->outputs.len; k++)
		walk_output(w, (size_t)c, k);
}

static int on_traversal(const hcl_expr *t, void *payload)
{
	walk_ctx *w = payload;
	hcl_ref ref;
	if (!hcl_ref_parse(&ref, t, &w->scratch))
		return 0;
	plani_mod *pm = &w->e->mods[w->m];
	config_module *m = pm->mod;
	if (ref.kind == HCL_REF_RESOURCE || ref.kind == HCL_REF_DATA) {
		plani_node *n = plani_node_find(
		        w->e, w->m, ref.kind == HCL_REF_DATA ? CONFIG_DATA : CONFIG_MANAGED,
		        ref.type, ref.name);
		if (n)
			add_dep(w, n);
	} else if (ref.kind == HCL_REF_LOCAL) {
		for (size_t i = 0; i < m->locals.len; i++)
			if (!strcmp(m->locals.items[i].name, ref.name) && !pm->seen_local[i]) {
				pm->seen_local[i] = 1;
				walk_expr(w, w->m, m->locals.items[i].expr);
			}
	} else if (ref.kind == HCL_REF_VAR && pm->parent >= 0) {
		for (size_t i = 0; i < m->variables.len; i++)
			if (!strcmp(m->variables.items[i].name, ref.name) && !pm->seen_var[i]) {
				pm->seen_var[i] = 1;
				const config_module_call *c =
				        &w->e->mods[pm->parent].mod->calls.items[pm->call];
				const hcl_attribute *a = hcl_body_attribute(c->body, ref.name);
				if (a)
					walk_expr(w, (size_t)pm->parent, a->expr);
			}
	} else if (ref.kind == HCL_REF_MODULE) {
		walk_module_ref(w, w->m, &ref);
	}
	return 0;
}

static void walk_expr(walk_ctx *w, size_t m, const hcl_expr *x)
{
	if (!x)
		return;
	size_t saved = w->m;
	w->m = m;
	hcl_expr_walk_traversals(x, on_traversal, w);
	w->m = saved;
}

static void walk_body(walk_ctx *w, size_t m, const hcl_body *b)
{
	for (size_t i = 0; i < b->len; i++) {
		if (b->items[i].kind == HCL_ITEM_ATTRIBUTE)
			walk_expr(w, m, b->items[i].u.attr->expr);
		else
			walk_body(w, m, b->items[i].u.block->body);
	}
}

/* The static modules, depth first from the root. */
static void add_mods(plani_engine *e, config_module *mod, long parent, size_t call, size_t *cap)
{
	if (e->nmods == *cap) {
		*cap *= 2;
		plani_mod *grown = gf_arena_alloc(&e->p->arena, *cap * sizeof(*grown));
		memcpy(grown, e->mods, e->nmods * sizeof(*grown));
		e->mods = grown;
	}
	gf_arena *a = &e->p->arena;
	size_t me = e->nmods++;
	e->mods[me] = (plani_mod){
	        .mod = mod,
	        .parent = parent,
	        .call = call,
	        .seen_local = gf_arena_alloc(a, (mod->locals.len + 1) * sizeof(int)),
	        .seen_var = gf_arena_alloc(a, (mod->variables.len + 1) * sizeof(int)),
	        .seen_output = gf_arena_alloc(a, (mod->outputs.len + 1) * sizeof(int)),
	        .child = gf_arena_alloc(a, (mod->calls.len + 1) * sizeof(long)),
	};
	for (size_t k = 0; k < mod->calls.len; k++) {
		e->mods[me].child[k] = -1;
		if (mod->calls.items[k].child) {
			long c = (long)e->nmods;
			add_mods(e, mod->calls.items[k].child, (long)me, k, cap);
			e->mods[me].child[k] = c;
		}
	}
}

static void reset_seen(plani_engine *e)
{
	for (size_t i = 0; i < e->nmods; i++) {
		config_module *m = e->mods[i].mod;
		memset(e->mods[i].seen_local, 0, (m->locals.len + 1) * sizeof(int));
		memset(e->mods[i].seen_var, 0, (m->variables.len + 1) * sizeof(int));
		memset(e->mods[i].seen_output, 0, (m->outputs.len + 1) * sizeof(int));
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
	gf_arena *a = &e->p->arena;
	size_t cap = 8, total = 0;
	e->mods = gf_arena_alloc(a, cap * sizeof(*e->mods));
	e->nmods = 0;
	add_mods(e, e->cfg->root, -1, 0, &cap);
	for (size_t m = 0; m < e->nmods; m++)
		total += e->mods[m].mod->resources.len;
	e->nodes = gf_arena_alloc(a, (total + 1) * sizeof(*e->nodes));
	e->n = 0;
	for (size_t m = 0; m < e->nmods; m++) {
		config_module *mod = e->mods[m].mod;
		for (size_t i = 0; i < mod->resources.len; i++) {
			config_resource *r = &mod->resources.items[i];
			plani_node *n = &e->nodes[e->n++];
			n->res = r;
			n->m = m;
			n->addr = gf_arena_printf(
			        a, "%s%s%s%s.%s", mod->addr, *mod->addr ? "." : "",
			        r->mode == CONFIG_DATA ? "data." : "", r->type, r->name);
			n->cbd = r->lifecycle.create_before_destroy;
			n->has_count = r->count != NULL;
			n->has_each = r->for_each != NULL;
		}
	}
	plani_map_init(&e->by_name, a, e->n);
	for (size_t i = 0; i < e->n; i++)
		plani_map_put(&e->by_name, e->nodes[i].addr, &e->nodes[i]);
	for (size_t i = 0; i < e->n; i++) {
		plani_node *n = &e->nodes[i];
		walk_ctx w = {.e = e, .m = n->m};
		reset_seen(e);
		gf_arena scratch_arena;
		gf_arena_init(&scratch_arena);
		hcl_diags_init(&w.scratch, &scratch_arena);
		walk_body(&w, n->m, n->res->body);
		walk_expr(&w, n->m, n->res->count);
		walk_expr(&w, n->m, n->res->for_each);
		walk_expr(&w, n->m, n->res->depends_on);
		walk_expr(&w, n->m, n->res->lifecycle.replace_triggered_by);
		/* the module calls above it: their count, for_each, depends_on */
		for (size_t k = n->m; e->mods[k].parent >= 0; k = (size_t)e->mods[k].parent) {
			size_t parent = (size_t)e->mods[k].parent;
			const config_module_call *c =
			        &e->mods[parent].mod->calls.items[e->mods[k].call];
			walk_expr(&w, parent, c->count);
			walk_expr(&w, parent, c->for_each);
			walk_expr(&w, parent, c->depends_on);
		}
		hcl_diags_dispose(&w.scratch);
		gf_arena_dispose(&scratch_arena);
		for (size_t k = 0; k < w.deps.len; k++) /* a module's whole object */
			if (w.deps.items[k] == i)
				w.deps.items[k--] = w.deps.items[--w.deps.len];
		n->ndeps = w.deps.len;
		n->deps = gf_arena_alloc(a, (w.deps.len + 1) * sizeof(size_t));
		if (w.deps.len)
			memcpy(n->deps, w.deps.items, w.deps.len * sizeof(size_t));
		gf_vec_dispose(&w.deps);
	}

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
