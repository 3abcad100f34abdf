/*
 * plan/plan_int.h — private to src/plan. Internal names carry plani_.
 *
 * graph.c     resource nodes, dependencies from references, order, cycles
 * modules.c   module instances (expansion of calls), instance keys of
 *             count and for_each
 * scope.c     the hcl scope answering resource references with planned or
 *             applied objects
 * engine.c    plan_make: refresh, expansion, lifecycle, actions, outputs
 * moves.c     moved blocks applied to the prior state, validated, shown;
 *             removed blocks
 * render.c    plan_render and friends
 * planfile.c  saved plans
 * apply.c     plan_apply
 */
#ifndef GF_PLAN_INT_H
#define GF_PLAN_INT_H

#include "plan/plan.h"

/* A static module of the configuration (one per module call in the tree,
 * whatever its count or for_each): the graph is built over these. */
typedef struct {
	config_module *mod;
	long parent; /* index in plani_engine.mods; -1 for the root */
	size_t call; /* the call in the parent's mod->calls */
	long *child; /* per call of mod: the static module it loads, -1 if none */
	/* graph walk marks, reset per node: locals, variables, outputs seen */
	int *seen_local, *seen_var, *seen_output;
} plani_mod;

/*
 * A module instance: the root, or one instance of a module call
 * (module.web["a"]), created when the call is expanded. Expressions of
 * its module are evaluated in its scope (plani_scope): var.* are the
 * call's arguments evaluated in the parent instance, local.* its own,
 * each/count.index of the call when the expression is an argument.
 */
typedef struct plani_modinst {
	size_t m; /* its static module */
	struct plani_modinst *parent;
	state_module_step *steps; /* the module path (arena strings) */
	size_t nsteps;
	const hcl_value *count_index, *each_key, *each_value; /* of the call */
	/* plan-time caches (apply evaluates anew: values change) */
	const hcl_value **locals, **vars;
	int *local_state, *var_state; /* 0 not evaluated, 1 in progress, 2 done */
	struct plani_calls {
		struct plani_modinst **items;
		size_t len;
		bool done;
	} * calls; /* child instances per call, expanded on first use */
} plani_modinst;

typedef struct plani_node {
	config_resource *res;
	size_t m; /* its static module */
	const provider_schema *schema;
	char *addr;   /* "fleet_lb.web", "module.net.data.fleet_lb.x" (no keys) */
	size_t *deps; /* indexes of the nodes it refers to */
	size_t ndeps;
	bool cbd;          /* create_before_destroy, own or propagated */
	bool targeted;     /* selected by -target (all when no -target) */
	bool targeted_all; /* every instance (else those a -target names) */
	bool evaluated;    /* its instances are planned: references see them */
	bool has_count, has_each;
	GF_VEC(plan_change *) insts;
} plani_node;

/* A string-keyed open-addressing hash table of pointers (no removal):
 * resource nodes by "type.name", prior instances by address. */
typedef struct {
	const char **keys;
	void **vals;
	size_t cap; /* a power of two, at least twice the entries */
} plani_map;

void plani_map_init(plani_map *m, gf_arena *a, size_t n);
void plani_map_put(plani_map *m, const char *key, void *val);
void *plani_map_get(const plani_map *m, const char *key);

typedef struct {
	plan *p;
	config *cfg;
	plani_mod *mods; /* mods[0] is the root module */
	size_t nmods;
	plani_modinst *root;
	plani_node *nodes;
	size_t n;
	size_t *order;             /* node indexes, dependencies first */
	plani_map by_name;         /* nodes by address */
	plani_map by_addr;         /* prior state instances by address */
	const provider_conn *conn; /* reads data sources during plan */
	/* apply: references see each instance's `current` value */
	const hcl_value **current; /* parallel to p->changes during apply; NULL at plan */
} plani_engine;

/* Builds the static modules, nodes and edges across modules, sorts them
 * (e->order); false after adding "Cycle: a, b" to cfg->diags. */
bool plani_graph_build(plani_engine *e);
/* The node of a resource of static module m, NULL if none. */
plani_node *plani_node_find(plani_engine *e, size_t m, config_mode mode, const char *type,
                            const char *name);

/* The root module's instance (made on first use). */
plani_modinst *plani_root(plani_engine *e);
/* The node of an instance address (its module keys ignored), NULL if none. */
plani_node *plani_node_of(plani_engine *e, const state_addr *sa);
/* The instances of a module call of instance mi (count/for_each
 * evaluated in mi's scope on first use); NULL after diagnostics. */
const struct plani_calls *plani_expand_call(plani_engine *e, plani_modinst *mi, size_t call);
/* The module instance whose path is that of `sa` (made by expanding the
 * calls on the way); NULL when it does not exist (any more). */
plani_modinst *plani_modinst_at(plani_engine *e, const state_addr *sa);
/* The module instances of static module m, in order, into *out (malloc'd
 * array); false after diagnostics. */
bool plani_modinsts_of(plani_engine *e, size_t m, plani_modinst ***out, size_t *n);

/* An instance key of count or for_each: the state key, count.index or
 * each.key, and each.value. */
typedef struct {
	state_key key;
	const hcl_value *index, *each_value;
} plani_key;
/*
 * The instance keys for `count` or `for_each` (at most one is set)
 * evaluated in mi's scope: one NONE key when neither is set. False after
 * Terraform's diagnostics (unknown, negative count, not a map or set of
 * strings). Keys' strings live in the plan's arena.
 */
bool plani_instance_keys(plani_engine *e, plani_modinst *mi, const hcl_expr *count,
                         const hcl_expr *for_each, plani_key **out, size_t *n);

/* A scope over module instance mi with resource references answered
 * from the engine. ctx may be NULL. */
const hcl_scope *plani_scope(plani_engine *e, plani_modinst *mi, const config_context *ctx);
/* The value a reference from mi to node n sees now. */
const hcl_value *plani_node_value(plani_engine *e, plani_node *n, const plani_modinst *mi);
/* The value references see for change c: its applied value during
 * apply, its planned one before. */
const hcl_value *plani_change_value(plani_engine *e, const plan_change *c);

/* moves.c (plan.h, note 5): applies the moved blocks of every module to
 * the plan's prior state (before refresh); false after diagnostics (a
 * cycle). Blocked moves become a warning. */
bool plani_moves_apply(plani_engine *e);
/* After expansion: "Moved object still exists" for a statement whose
 * `from` is still declared in the configuration. */
void plani_moves_validate(plani_engine *e);
/* The removed block (destroy = false) that names the orphan instance
 * `sa`, NULL if none. */
const config_removed *plani_removed_forget(plani_engine *e, const state_addr *sa);
/* "Removed resource still exists", "Removed module still exists". */
void plani_removed_validate(plani_engine *e);
/* Sets prev_addr of every change that p->moves moved (and the reason of
 * a moved object planned for destruction). */
void plani_moves_annotate(plan *p);

/* provider_plan_ctx.planned over the engine's current values. */
const hcl_value *plani_planned_lookup(void *payload, const char *type, const char *id);
/* Sets up `e` for plan p of cfg: graph, schemas, locals (false after
 * diagnostics). */
bool plani_engine_init(plani_engine *e, plan *p, config *cfg);

/* An object of `s` from state attributes JSON; NULL when it does not fit
 * the schema (message in gf_err). */
const hcl_value *plani_object_from_json(gf_arena *a, const provider_schema *s, const json_t *j);
/* A new JSON reference of a wholly known object. */
json_t *plani_object_to_json(gf_arena *a, const hcl_value *v);
/* The decoded configuration of change c now (count/each bound): NULL
 * after diagnostics. */
const hcl_value *plani_decode(plani_engine *e, const plan_change *c);

#endif
