/* state_move: `terraform state mv` semantics over the model (state.h,
 * "moving objects"). Every check is made before anything moves, so a
 * refused move leaves the state as it was. */
#include "state/state.h"
#include "state/state_int.h"

#include <stdlib.h>
#include <string.h>

/* Whether the module path of `m` starts with the `n` steps `p`, keys
 * compared exactly (a step without a key is the no-key instance). */
static bool steps_prefix(const state_module_step *p, size_t n, const state_addr *m)
{
	if (n > m->nmodules)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, m->modules[i].name) != 0 ||
		    !state_key_equal(&p[i].key, &m->modules[i].key))
			return false;
	return true;
}

/* The new text of dependency `dep` (a resource address without keys, as
 * dependencies are written) when what is at `from` moved to `to`; NULL
 * when the move does not concern it. */
static char *moved_dependency(const state_addr *dep, const state_addr *from, const state_addr *to)
{
	if (!dep->type || dep->nmodules < from->nmodules)
		return NULL;
	for (size_t i = 0; i < from->nmodules; i++)
		if (strcmp(from->modules[i].name, dep->modules[i].name) != 0)
			return NULL;
	if (from->type &&
	    (dep->nmodules != from->nmodules || dep->mode != from->mode ||
	     strcmp(dep->type, from->type) != 0 || strcmp(dep->name, from->name) != 0))
		return NULL;
	state_addr n = {0};
	size_t rest = from->type ? 0 : dep->nmodules - from->nmodules;
	n.nmodules = to->nmodules + rest;
	n.modules = gf_xcalloc(n.nmodules + 1, sizeof(*n.modules));
	for (size_t i = 0; i < n.nmodules; i++)
		n.modules[i].name = i < to->nmodules
		                            ? to->modules[i].name
		                            : dep->modules[from->nmodules + i - to->nmodules].name;
	n.mode = dep->mode;
	n.type = to->type ? to->type : dep->type;
	n.name = to->type ? to->name : dep->name;
	char *text = state_addr_string(&n);
	free(n.modules);
	return text;
}

/* Whether a resource of `s` is what dependency `dep` names (module keys
 * ignored: dependencies have none). */
static bool dependency_exists(const state *s, const state_addr *dep)
{
	for (size_t r = 0; r < s->resources.len; r++) {
		const state_resource *res = s->resources.items[r];
		state_addr m;
		if (res->mode != dep->mode || strcmp(res->type, dep->type) != 0 ||
		    strcmp(res->name, dep->name) != 0 ||
		    state_addr_parse_module(&m, res->module) < 0)
			continue;
		bool same = m.nmodules == dep->nmodules;
		for (size_t i = 0; same && i < m.nmodules; i++)
			same = !strcmp(m.modules[i].name, dep->modules[i].name);
		state_addr_dispose(&m);
		if (same)
			return true;
	}
	return false;
}

typedef GF_VEC(char *) dep_list;

/* Appends dep (consumed) unless it is there already. */
static void push_unique(dep_list *deps, char *dep)
{
	for (size_t i = 0; i < deps->len; i++)
		if (!strcmp(deps->items[i], dep)) {
			free(dep);
			return;
		}
	gf_vec_push(deps, dep);
}

/* Dependencies that named what moved name its new address, and the old
 * one as long as something is left there (another instance). Terraform's
 * state mv drops them instead; gitfleet keeps them, since destroys are
 * ordered by them and an instance that does not change does not record
 * them again. */
static void move_dependencies(state *s, const state_addr *from, const state_addr *to)
{
	for (size_t r = 0; r < s->resources.len; r++) {
		state_resource *res = s->resources.items[r];
		for (size_t k = 0; k < res->instances.len; k++) {
			state_instance *i = res->instances.items[k];
			dep_list deps = {0};
			bool changed = false;
			for (size_t d = 0; d < i->ndependencies; d++) {
				state_addr da;
				char *moved = NULL;
				bool keep = true;
				if (state_addr_parse(&da, i->dependencies[d]) == 0) {
					moved = moved_dependency(&da, from, to);
					keep = !moved || dependency_exists(s, &da);
					state_addr_dispose(&da);
				}
				if (keep)
					push_unique(&deps, gf_xstrdup(i->dependencies[d]));
				if (moved) {
					push_unique(&deps, moved);
					changed = true;
				}
			}
			if (changed)
				state_instance_set_dependencies(i, (const char *const *)deps.items,
				                                deps.len);
			for (size_t d = 0; d < deps.len; d++)
				free(deps.items[d]);
			gf_vec_dispose(&deps);
		}
	}
}

static void remove_resource_at(state *s, size_t ri)
{
	state_resource_free(s->resources.items[ri]);
	memmove(&s->resources.items[ri], &s->resources.items[ri + 1],
	        (s->resources.len - ri - 1) * sizeof(s->resources.items[0]));
	s->resources.len--;
}

static int move_modules(state *s, const state_addr *from, const state_addr *to, const char *ftext,
                        const char *ttext, state_moved_fn fn, void *payload)
{
	size_t n = s->resources.len, nmoved = 0;
	state_addr *mods = gf_xcalloc(n + 1, sizeof(*mods));
	bool *moving = gf_xcalloc(n + 1, sizeof(*moving));
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (state_addr_parse_module(&mods[i], s->resources.items[i]->module) == 0 &&
		    (moving[i] = steps_prefix(from->modules, from->nmodules, &mods[i])))
			nmoved++;
	if (nmoved == 0) {
		rc = gf_err_set(GF_ENOTFOUND,
		                "Cannot move %s: does not match anything in the current state.",
		                ftext);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (steps_prefix(to->modules, to->nmodules, &mods[i])) {
			rc = gf_err_set(GF_EEXISTS,
			                "Cannot move to %s: there is already a module at that "
			                "address in the current state.",
			                ttext);
			goto done;
		}
	for (size_t i = 0; i < n; i++) {
		if (!moving[i])
			continue;
		state_resource *r = s->resources.items[i];
		state_addr na = {0};
		na.nmodules = to->nmodules + mods[i].nmodules - from->nmodules;
		na.modules = gf_xcalloc(na.nmodules, sizeof(*na.modules));
		for (size_t k = 0; k < na.nmodules; k++) {
			const state_module_step *src =
			        k < to->nmodules
			                ? &to->modules[k]
			                : &mods[i].modules[k - to->nmodules + from->nmodules];
			na.modules[k].name = gf_xstrdup(src->name);
			state_key_copy(&na.modules[k].key, &src->key);
		}
		free(r->module);
		r->module = state_addr_module_string(&na);
		for (size_t k = 0; fn && k < r->instances.len; k++) {
			state_addr was, now;
			state_addr_copy(&was, &mods[i]);
			state_addr_copy(&now, &na);
			was.mode = now.mode = r->mode;
			was.type = gf_xstrdup(r->type);
			now.type = gf_xstrdup(r->type);
			was.name = gf_xstrdup(r->name);
			now.name = gf_xstrdup(r->name);
			state_key_copy(&was.key, &r->instances.items[k]->key);
			state_key_copy(&now.key, &r->instances.items[k]->key);
			fn(&was, &now, payload);
			state_addr_dispose(&was);
			state_addr_dispose(&now);
		}
		state_addr_dispose(&na);
		rc += (int)r->instances.len;
	}
done:
	for (size_t i = 0; i < n; i++)
		state_addr_dispose(&mods[i]);
	free(mods);
	free(moving);
	return rc;
}

/* Type and mode checks shared by resource and instance moves. */
static int check_resources(const state_addr *from, const state_addr *to, const char *ftext,
                           const char *ttext)
{
	if (from->mode != to->mode)
		return gf_err_set(GF_EINVALID,
		                  "Cannot move %s to %s: a %s resource can be moved only to "
		                  "another %s resource address.",
		                  ftext, ttext, from->mode == STATE_DATA ? "data" : "managed",
		                  from->mode == STATE_DATA ? "data" : "managed");
	if (strcmp(from->type, to->type) != 0)
		return gf_err_set(GF_EINVALID, "Cannot move %s to %s: resource types don't match.",
		                  ftext, ttext);
	return 0;
}

static int move_resource(state *s, const state_addr *from, const state_addr *to, const char *ftext,
                         const char *ttext, state_moved_fn fn, void *payload)
{
	state_resource *r = state_resource_find(s, from);
	if (!r)
		return gf_err_set(GF_ENOTFOUND,
		                  "Cannot move %s: does not match anything in the current state.",
		                  ftext);
	if (state_resource_find(s, to))
		return gf_err_set(GF_EEXISTS,
		                  "Cannot move to %s: there is already a resource at that "
		                  "address in the current state.",
		                  ttext);
	free(r->module);
	r->module = state_addr_module_string(to);
	free(r->name);
	r->name = gf_xstrdup(to->name);
	for (size_t k = 0; fn && k < r->instances.len; k++) {
		state_addr was = *from, now = *to;
		was.key = now.key = r->instances.items[k]->key;
		fn(&was, &now, payload);
	}
	return (int)r->instances.len;
}

static int move_instance(state *s, const state_addr *from, const state_addr *to, const char *ftext,
                         const char *ttext, state_moved_fn fn, void *payload)
{
	state_resource *src = state_resource_find(s, from);
	state_instance *inst = state_instance_find(s, from);
	if (!inst && src && from->key.kind == STATE_KEY_NONE)
		return gf_err_set(GF_EINVALID,
		                  "Cannot move %s to %s: the source is a whole resource (not a "
		                  "resource instance) so the target must also be a whole resource.",
		                  ftext, ttext);
	if (!inst)
		return gf_err_set(GF_ENOTFOUND,
		                  "Cannot move %s: does not match anything in the current state.",
		                  ftext);
	if (state_instance_find(s, to))
		return gf_err_set(GF_EEXISTS,
		                  "Cannot move to %s: there is already a resource instance at "
		                  "that address in the current state.",
		                  ttext);
	char *provider = gf_xstrdup(src->provider);
	size_t k = 0;
	while (src->instances.items[k] != inst)
		k++;
	memmove(&src->instances.items[k], &src->instances.items[k + 1],
	        (src->instances.len - k - 1) * sizeof(src->instances.items[0]));
	src->instances.len--;
	state_resource *dst = state_resource_ensure(s, to, provider);
	free(provider);
	state_key_dispose(&inst->key);
	state_key_copy(&inst->key, &to->key);
	gf_vec_push(&dst->instances, inst);
	if (src->instances.len == 0) {
		for (size_t ri = 0; ri < s->resources.len; ri++)
			if (s->resources.items[ri] == src) {
				remove_resource_at(s, ri);
				break;
			}
	}
	if (fn)
		fn(from, to, payload);
	return 1;
}

int state_move_each(state *s, const state_addr *from, const state_addr *to, state_moved_fn fn,
                    void *payload)
{
	char *ftext = state_addr_string(from), *ttext = state_addr_string(to);
	int rc;
	if (!from->type && !to->type)
		rc = move_modules(s, from, to, ftext, ttext, fn, payload);
	else if (!from->type)
		rc = gf_err_set(GF_EINVALID,
		                "Cannot move %s to %s: the target must also be a module.", ftext,
		                ttext);
	else if (!to->type && from->key.kind == STATE_KEY_NONE)
		rc = gf_err_set(GF_EINVALID,
		                "Cannot move %s to %s: the source is a whole resource (not a "
		                "resource instance) so the target must also be a whole resource.",
		                ftext, ttext);
	else if (!to->type)
		rc = gf_err_set(
		        GF_EINVALID,
		        "Cannot move %s to %s: the target must also be a resource instance.", ftext,
		        ttext);
	else if ((rc = check_resources(from, to, ftext, ttext)) < 0)
		;
	else if (from->key.kind == STATE_KEY_NONE && to->key.kind == STATE_KEY_NONE)
		rc = move_resource(s, from, to, ftext, ttext, fn, payload);
	else
		rc = move_instance(s, from, to, ftext, ttext, fn, payload);
	if (rc > 0)
		move_dependencies(s, from, to);
	free(ftext);
	free(ttext);
	return rc;
}

int state_move(state *s, const state_addr *from, const state_addr *to)
{
	return state_move_each(s, from, to, NULL, NULL);
}
