/*
 * plan/plan_int.h — private to src/plan. Internal names carry plani_.
 *
 * graph.c     resource nodes, dependencies from references, order, cycles
 * scope.c     the hcl scope answering resource references with planned or
 *             applied objects
 * engine.c    plan_make: refresh, expansion, lifecycle, actions, outputs
 * render.c    plan_render and friends
 * planfile.c  saved plans
 * apply.c     plan_apply
 */
#ifndef GF_PLAN_INT_H
#define GF_PLAN_INT_H

#include "plan/plan.h"

typedef struct plani_node {
	config_resource *res;
	const provider_schema *schema;
	char *addr;   /* "fleet_lb.web" */
	size_t *deps; /* indexes of the nodes it refers to */
	size_t ndeps;
	bool cbd;       /* create_before_destroy, own or propagated */
	bool targeted;  /* selected by -target (all when no -target) */
	bool evaluated; /* its instances are planned: references see them */
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
	config_module *mod;
	plani_node *nodes;
	size_t n;
	size_t *order;     /* node indexes, dependencies first */
	plani_map by_name; /* nodes by "type.name" */
	plani_map by_addr; /* prior state instances by address */
	const hcl_value **locals;
	int *local_state; /* 0 not evaluated, 1 in progress, 2 done */
	/* apply: references see each instance's `current` value */
	const hcl_value **current; /* parallel to p->changes during apply; NULL at plan */
} plani_engine;

/* Builds nodes and edges of the root module, sorts them (e->order);
 * false after adding "Cycle: a, b" or reference errors to cfg->diags. */
bool plani_graph_build(plani_engine *e);
plani_node *plani_node_find(plani_engine *e, const char *type, const char *name);

/* A scope over the root module with resource references answered from
 * the engine. ctx may be NULL. */
const hcl_scope *plani_scope(plani_engine *e, const config_context *ctx);
/* The value a reference to node n sees now. */
const hcl_value *plani_node_value(plani_engine *e, plani_node *n);
/* The value references see for change c: its applied value during
 * apply, its planned one before. */
const hcl_value *plani_change_value(plani_engine *e, const plan_change *c);

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
