/* Moved blocks (plan.h, note 5): the statements of every module, ordered
 * so that chains collapse, applied to the plan's prior state with
 * state_move, validated against the configuration once it is expanded,
 * and shown on the changes as their previous address. And removed blocks:
 * which orphans are forgotten, and that what they name is gone from the
 * configuration. */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	const config_moved *m;
	size_t mod;            /* the static module declaring it */
	state_addr from, to;   /* relative to that module */
	state_addr sfrom, sto; /* static: the module's call names (no keys) first */
	bool calls;            /* both sides whole module calls (no key on the last step) */
} stmt;

/* The call names from the root to static module m, outermost first. */
static const char **mod_path(const plani_engine *e, size_t m, size_t *n)
{
	size_t d = 0;
	for (long i = (long)m; e->mods[i].parent >= 0; i = e->mods[i].parent)
		d++;
	const char **names = gf_xcalloc(d + 1, sizeof(*names));
	*n = d;
	for (long i = (long)m; e->mods[i].parent >= 0; i = e->mods[i].parent)
		names[--d] = e->mods[e->mods[i].parent].mod->calls.items[e->mods[i].call].name;
	return names;
}

/* *out = the module steps `pre` (n of them) followed by `rel`. */
static void join(state_addr *out, const state_module_step *pre, size_t n, const state_addr *rel)
{
	state_addr_copy(out, rel);
	state_module_step *m = gf_xcalloc(n + out->nmodules + 1, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		m[i].name = gf_xstrdup(pre[i].name);
		state_key_copy(&m[i].key, &pre[i].key);
	}
	if (out->nmodules)
		memcpy(m + n, out->modules, out->nmodules * sizeof(*m));
	free(out->modules);
	out->modules = m;
	out->nmodules += n;
}

static void stmts_free(stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		state_addr_dispose(&v[i].from);
		state_addr_dispose(&v[i].to);
		state_addr_dispose(&v[i].sfrom);
		state_addr_dispose(&v[i].sto);
	}
	free(v);
}

/* Every statement of every static module (the loader checked them). */
static stmt *collect(const plani_engine *e, size_t *n)
{
	GF_VEC(stmt) v = {0};
	for (size_t m = 0; m < e->nmods; m++) {
		const config_module *mod = e->mods[m].mod;
		size_t depth = 0;
		const char **names = mod_path(e, m, &depth);
		state_module_step *pre = gf_xcalloc(depth + 1, sizeof(*pre));
		for (size_t i = 0; i < depth; i++)
			pre[i].name = (char *)names[i];
		for (size_t i = 0; i < mod->moved.len; i++) {
			stmt s = {.m = &mod->moved.items[i], .mod = m};
			if (state_addr_parse(&s.from, s.m->from) < 0 ||
			    state_addr_parse(&s.to, s.m->to) < 0) {
				state_addr_dispose(&s.from);
				continue;
			}
			join(&s.sfrom, pre, depth, &s.from);
			join(&s.sto, pre, depth, &s.to);
			s.calls = !s.from.type && !s.to.type &&
			          s.from.modules[s.from.nmodules - 1].key.kind == STATE_KEY_NONE &&
			          s.to.modules[s.to.nmodules - 1].key.kind == STATE_KEY_NONE;
			gf_vec_push(&v, s);
		}
		free(pre);
		free(names);
	}
	*n = v.len;
	return v.items;
}

/* Keys compared only where both sides have one: the static addresses
 * leave the declaring module's keys out. */
static bool keys_meet(const state_key *a, const state_key *b)
{
	return a->kind == STATE_KEY_NONE || b->kind == STATE_KEY_NONE || state_key_equal(a, b);
}

/* Whether address x starts at, or lies within, the destination of t:
 * then x's statement runs after t (a chain, or a move inside a moved
 * module). */
static bool within(const state_addr *x, const stmt *t)
{
	const state_addr *to = &t->sto;
	if (to->nmodules > x->nmodules)
		return false;
	for (size_t i = 0; i < to->nmodules; i++)
		if (strcmp(to->modules[i].name, x->modules[i].name) != 0 ||
		    !keys_meet(&to->modules[i].key, &x->modules[i].key))
			return false;
	if (!to->type)
		return true;
	return x->type && x->nmodules == to->nmodules && x->mode == to->mode &&
	       !strcmp(x->type, to->type) && !strcmp(x->name, to->name) &&
	       keys_meet(&to->key, &x->key);
}

static bool reaches(const stmt *v, size_t n, size_t from, size_t target, bool *seen)
{
	for (size_t j = 0; j < n; j++) {
		/* j runs after `from` */
		if (j == from || seen[j] || !within(&v[j].sfrom, &v[from]))
			continue;
		if (j == target)
			return true;
		seen[j] = true;
		if (reaches(v, n, j, target, seen))
			return true;
	}
	return false;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *start_string(gf_arena *a, const hcl_range *r)
{
	return gf_arena_printf(a, "%s:%d,%d", r->filename ? r->filename : "", r->start.line,
	                       r->start.column);
}

/* The statements in the order they run (Kahn's algorithm over "runs
 * after"); false after reporting the statements on a cycle. */
static bool order(plani_engine *e, const stmt *v, size_t n, size_t *out)
{
	size_t *pending = gf_xcalloc(n + 1, sizeof(*pending)), done = 0;
	bool *placed = gf_xcalloc(n + 1, sizeof(*placed));
	for (size_t j = 0; j < n; j++)
		for (size_t i = 0; i < n; i++)
			pending[j] += i != j && within(&v[j].sfrom, &v[i]);
	for (bool progress = true; progress;) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			if (placed[i] || pending[i])
				continue;
			placed[i] = progress = true;
			out[done++] = i;
			for (size_t j = 0; j < n; j++)
				if (j != i && within(&v[j].sfrom, &v[i]))
					pending[j]--;
		}
	}
	if (done < n) {
		gf_arena *a = &e->p->arena;
		const char **lines = gf_xcalloc(n + 1, sizeof(*lines));
		size_t nl = 0;
		for (size_t i = 0; i < n; i++) {
			bool *seen = gf_xcalloc(n + 1, sizeof(*seen));
			if (!placed[i] && reaches(v, n, i, i, seen))
				lines[nl++] = gf_arena_printf(a, "\n  - %s: %s → %s",
				                              start_string(a, &v[i].m->decl_range),
				                              v[i].m->from, v[i].m->to);
			free(seen);
		}
		qsort(lines, nl, sizeof(*lines), cmp_text);
		gf_buf b = GF_BUF_INIT;
		for (size_t i = 0; i < nl; i++)
			gf_buf_puts(&b, lines[i]);
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_ERROR, NULL,
		              "Cyclic dependency in move statements",
		              "The following chained move statements form a cycle, and so there is "
		              "no final location to move objects to:%s\n\nA chain of move "
		              "statements must end with an address that doesn't appear in any "
		              "other statements, and which typically also refers to an object "
		              "still declared in the configuration.",
		              gf_buf_cstr(&b));
		gf_buf_dispose(&b);
		free(lines);
	}
	free(pending);
	free(placed);
	return done == n;
}

/* ---- applying them ----------------------------------------------------------- */

/* The module instances in the state whose path starts with the `n`
 * call names `names`: their first n steps, each once. */
static size_t state_prefixes(const state *s, const char **names, size_t n, state_addr **out)
{
	GF_VEC(state_addr) v = {0};
	if (n == 0)
		gf_vec_push(&v, ((state_addr){0}));
	for (size_t r = 0; n && r < s->resources.len; r++) {
		state_addr m;
		if (state_addr_parse_module(&m, s->resources.items[r]->module) < 0)
			continue;
		bool match = m.nmodules >= n;
		for (size_t i = 0; match && i < n; i++)
			match = !strcmp(m.modules[i].name, names[i]);
		for (size_t i = n; i < m.nmodules; i++) {
			free(m.modules[i].name);
			state_key_dispose(&m.modules[i].key);
		}
		m.nmodules = GF_MIN(m.nmodules, n);
		for (size_t k = 0; match && k < v.len; k++)
			match = !state_addr_equal(&v.items[k], &m);
		if (match)
			gf_vec_push(&v, m);
		else
			state_addr_dispose(&m);
	}
	*out = v.items;
	return v.len;
}

/* Chains collapse: an object that already moved to `from` now ends at `to`. */
static void on_moved(const state_addr *from, const state_addr *to, void *payload)
{
	plan *p = payload;
	char *f = state_addr_string(from), *t = state_addr_string(to);
	size_t i = 0;
	while (i < p->moves.len && strcmp(p->moves.items[i].to, f) != 0)
		i++;
	if (i < p->moves.len)
		p->moves.items[i].to = gf_arena_strdup(&p->arena, t);
	else
		gf_vec_push(&p->moves, ((plan_move){gf_arena_strdup(&p->arena, f),
		                                    gf_arena_strdup(&p->arena, t)}));
	free(f);
	free(t);
}

static void move_one(plani_engine *e, const state_addr *f, const state_addr *t, gf_buf *blocked)
{
	if (state_move_each(e->p->prior, f, t, on_moved, e->p) != GF_EEXISTS)
		return; /* moved, or nothing to move: a no-op */
	char *ft = state_addr_string(f), *tt = state_addr_string(t);
	gf_buf_printf(blocked, "\n  - %s could not move to %s", ft, tt);
	free(ft);
	free(tt);
}

/* A whole module call moves every instance of it, keys kept. */
static void move_calls(plani_engine *e, state_addr *f, state_addr *t, gf_buf *blocked)
{
	const state *s = e->p->prior;
	size_t last = f->nmodules - 1;
	GF_VEC(state_key) keys = {0};
	for (size_t r = 0; r < s->resources.len; r++) {
		state_addr m;
		if (state_addr_parse_module(&m, s->resources.items[r]->module) < 0)
			continue;
		bool match =
		        m.nmodules > last && !strcmp(m.modules[last].name, f->modules[last].name);
		for (size_t i = 0; match && i < last; i++)
			match = !strcmp(m.modules[i].name, f->modules[i].name) &&
			        state_key_equal(&m.modules[i].key, &f->modules[i].key);
		for (size_t k = 0; match && k < keys.len; k++)
			match = !state_key_equal(&keys.items[k], &m.modules[last].key);
		if (match) {
			state_key k;
			state_key_copy(&k, &m.modules[last].key);
			gf_vec_push(&keys, k);
		}
		state_addr_dispose(&m);
	}
	for (size_t k = 0; k < keys.len; k++) {
		state_key_dispose(&f->modules[last].key);
		state_key_dispose(&t->modules[t->nmodules - 1].key);
		state_key_copy(&f->modules[last].key, &keys.items[k]);
		state_key_copy(&t->modules[t->nmodules - 1].key, &keys.items[k]);
		move_one(e, f, t, blocked);
		state_key_dispose(&keys.items[k]);
	}
	gf_vec_dispose(&keys);
}

bool plani_moves_apply(plani_engine *e)
{
	size_t n = 0;
	stmt *v = collect(e, &n);
	size_t *ord = gf_xcalloc(n + 1, sizeof(*ord));
	bool ok = order(e, v, n, ord);
	gf_buf blocked = GF_BUF_INIT;
	for (size_t k = 0; ok && k < n; k++) {
		stmt *s = &v[ord[k]];
		size_t depth = 0;
		const char **names = mod_path(e, s->mod, &depth);
		state_addr *pre = NULL;
		size_t np = state_prefixes(e->p->prior, names, depth, &pre);
		for (size_t i = 0; i < np; i++) {
			state_addr f, t;
			join(&f, pre[i].modules, pre[i].nmodules, &s->from);
			join(&t, pre[i].modules, pre[i].nmodules, &s->to);
			if (s->calls)
				move_calls(e, &f, &t, &blocked);
			else
				move_one(e, &f, &t, &blocked);
			state_addr_dispose(&f);
			state_addr_dispose(&t);
			state_addr_dispose(&pre[i]);
		}
		free(pre);
		free(names);
	}
	if (blocked.len)
		hcl_diags_add(&e->cfg->diags, HCL_DIAG_WARNING, NULL,
		              "Unresolved resource instance address changes",
		              "gitfleet tried to adjust resource instance addresses in the prior "
		              "state based on change information recorded in the configuration, "
		              "but some adjustments did not succeed due to existing objects "
		              "already at the intended addresses:%s\n\ngitfleet has planned to "
		              "destroy these objects. If gitfleet's proposed changes aren't "
		              "appropriate, you must first resolve the conflicts using the "
		              "\"gitfleet state\" subcommands and then create a new plan.",
		              gf_buf_cstr(&blocked));
	gf_buf_dispose(&blocked);
	free(ord);
	stmts_free(v, n);
	return ok;
}

/* ---- validation ------------------------------------------------------------------ */

/* The static module reached from m through the calls named by the
 * module steps of `a` (keys ignored); -1 when there is none. */
static long descend(const plani_engine *e, size_t m, const state_addr *a, size_t nsteps)
{
	long cur = (long)m;
	for (size_t i = 0; i < nsteps && cur >= 0; i++) {
		const config_module *mod = e->mods[cur].mod;
		long next = -1;
		for (size_t c = 0; c < mod->calls.len && next < 0; c++)
			if (!strcmp(mod->calls.items[c].name, a->modules[i].name))
				next = e->mods[cur].child[c];
		cur = next;
	}
	return cur;
}

/* Where the configuration declares what `from` of s names (its
 * resource, or the module call), or NULL when it declares nothing. */
static const hcl_range *declaration(const plani_engine *e, const stmt *s)
{
	const state_addr *f = &s->from;
	if (f->type) {
		long m = descend(e, s->mod, f, f->nmodules);
		const config_module *mod = m >= 0 ? e->mods[m].mod : NULL;
		for (size_t i = 0; mod && i < mod->resources.len; i++) {
			const config_resource *r = &mod->resources.items[i];
			if (r->mode != CONFIG_MANAGED || strcmp(r->type, f->type) != 0 ||
			    strcmp(r->name, f->name) != 0)
				continue;
			if (s->to.key.kind || f->key.kind) /* an instance: blame what makes them */
				return r->for_each ? &r->for_each->range
				       : r->count  ? &r->count->range
				                   : &r->decl_range;
			return &r->decl_range;
		}
		return NULL;
	}
	long m = descend(e, s->mod, f, f->nmodules - 1);
	const config_module *mod = m >= 0 ? e->mods[m].mod : NULL;
	for (size_t c = 0; mod && c < mod->calls.len; c++) {
		const config_module_call *call = &mod->calls.items[c];
		if (strcmp(call->name, f->modules[f->nmodules - 1].name) != 0)
			continue;
		if (s->calls)
			return &call->decl_range;
		return call->for_each ? &call->for_each->range
		       : call->count  ? &call->count->range
		                      : &call->decl_range;
	}
	return NULL;
}

/* Whether the object `f` (absolute) is declared: a resource or module
 * call statically, an instance when the plan expanded it. */
static bool declared(plani_engine *e, const stmt *s, const state_addr *f, const plani_map *planned)
{
	bool instance = s->from.type ? (s->from.key.kind || s->to.key.kind) : !s->calls;
	if (!instance)
		return true; /* declaration() found it */
	if (!f->type)
		return plani_modinst_at(e, f) != NULL;
	char *text = state_addr_string(f);
	const plan_change *c = plani_map_get(planned, text);
	free(text);
	return c && c->res;
}

void plani_moves_validate(plani_engine *e)
{
	size_t n = 0;
	stmt *v = collect(e, &n);
	plani_map planned;
	plani_map_init(&planned, &e->p->arena, e->p->changes.len);
	for (size_t i = 0; i < e->p->changes.len; i++)
		plani_map_put(&planned, e->p->changes.items[i]->addr, e->p->changes.items[i]);
	for (size_t k = 0; k < n; k++) {
		const stmt *s = &v[k];
		const hcl_range *decl = declaration(e, s);
		if (!decl)
			continue;
		plani_modinst **mis = NULL;
		size_t nmi = 0;
		plani_modinsts_of(e, s->mod, &mis, &nmi);
		bool resource = s->from.type != NULL;
		bool instance = resource ? (s->from.key.kind || s->to.key.kind) : !s->calls;
		const char *noun = resource ? (instance ? "resource instance" : "resource")
		                            : (instance ? "module instance" : "module call");
		const char *shortn = instance ? "instance" : resource ? "resource" : "call";
		for (size_t i = 0; i < nmi; i++) {
			state_addr f, t;
			join(&f, mis[i]->steps, mis[i]->nsteps, &s->from);
			join(&t, mis[i]->steps, mis[i]->nsteps, &s->to);
			if (declared(e, s, &f, &planned)) {
				char *ft = state_addr_string(&f), *tt = state_addr_string(&t);
				hcl_diags_add(
				        &e->cfg->diags, HCL_DIAG_ERROR, &s->m->decl_range,
				        "Moved object still exists",
				        "This statement declares a move from %s, but that %s is "
				        "still declared at %s.\n\nChange your configuration so "
				        "that this %s will be declared as %s instead.",
				        ft, noun, start_string(&e->p->arena, decl), shortn, tt);
				free(ft);
				free(tt);
			}
			state_addr_dispose(&f);
			state_addr_dispose(&t);
		}
		free(mis);
	}
	stmts_free(v, n);
}

void plani_moves_annotate(plan *p)
{
	for (size_t i = 0; i < p->changes.len; i++) {
		plan_change *c = p->changes.items[i];
		for (size_t k = 0; k < p->moves.len && !c->prev_addr; k++)
			if (!strcmp(p->moves.items[k].to, c->addr))
				c->prev_addr = p->moves.items[k].from;
		if (c->prev_addr && c->action == PLAN_DELETE && !c->res)
			c->reason = gf_arena_printf(&p->arena,
			                            "because %s was moved to %s, which is not in "
			                            "configuration",
			                            c->prev_addr, c->addr);
	}
}

/* ---- removed blocks ---------------------------------------------------------- */

/* Whether sa is what `from` (of static module m) names: the resource in
 * any instance of its modules, or anything in the module. */
static bool removed_names(const plani_engine *e, size_t m, const state_addr *from,
                          const state_addr *sa)
{
	size_t depth = 0;
	const char **names = mod_path(e, m, &depth);
	size_t nm = depth + from->nmodules;
	bool hit = from->type ? sa->nmodules == nm : sa->nmodules >= nm;
	for (size_t i = 0; hit && i < nm; i++)
		hit = !strcmp(sa->modules[i].name,
		              i < depth ? names[i] : from->modules[i - depth].name);
	free(names);
	return hit && (!from->type || (sa->mode == STATE_MANAGED && !strcmp(sa->type, from->type) &&
	                               !strcmp(sa->name, from->name)));
}

const config_removed *plani_removed_forget(plani_engine *e, const state_addr *sa)
{
	for (size_t m = 0; m < e->nmods; m++) {
		const config_module *mod = e->mods[m].mod;
		for (size_t i = 0; i < mod->removed.len; i++) {
			const config_removed *r = &mod->removed.items[i];
			state_addr from;
			if (r->destroy || state_addr_parse(&from, r->from) < 0)
				continue;
			bool hit = removed_names(e, m, &from, sa);
			state_addr_dispose(&from);
			if (hit)
				return r;
		}
	}
	return NULL;
}

void plani_removed_validate(plani_engine *e)
{
	for (size_t m = 0; m < e->nmods; m++) {
		const config_module *mod = e->mods[m].mod;
		for (size_t i = 0; i < mod->removed.len; i++) {
			const config_removed *r = &mod->removed.items[i];
			stmt s = {.mod = m};
			if (state_addr_parse(&s.from, r->from) < 0)
				continue;
			s.calls = !s.from.type;
			const hcl_range *decl = declaration(e, &s);
			if (decl)
				hcl_diags_add(
				        &e->cfg->diags, HCL_DIAG_ERROR, decl,
				        s.from.type ? "Removed resource still exists"
				                    : "Removed module still exists",
				        "This statement declares that %s was removed, but it is "
				        "still declared in configuration.",
				        r->from);
			state_addr_dispose(&s.from);
		}
	}
}
