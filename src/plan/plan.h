/*
 * plan — the IaC engine: from a configuration and a state to a plan (what
 * must change, attribute by attribute), its rendering as Terraform renders
 * plans, saved plan files, and the apply walk that makes the plan real.
 *
 * NOTES ON THE DESIGN
 *
 * 1. The pipeline of one `gitfleet plan` / `apply`:
 *
 *      state ──refresh (provider_read)──► refreshed state, drift
 *      config ──graph (references, depends_on)──► order, or a cycle
 *      in order: expand count/for_each ──► decode (provider schema)
 *               ──► lifecycle (ignore_changes, -replace, triggers)
 *               ──► provider_plan ──► action per instance
 *      state instances with no configuration ──► delete
 *      outputs ──► plan_render / plan_write (saved plan)
 *
 *    Expressions are evaluated through a scope (hcl_scope) that answers
 *    resource references with the planned objects (unknown where known
 *    only after apply) and delegates everything else to config_scope.
 *
 * 2. Actions, as Terraform's: no-op, create, update (in place), delete,
 *    delete-then-create and create-then-delete (create_before_destroy)
 *    replacements. create_before_destroy propagates from a resource to
 *    everything it depends on, as Terraform does, so that a dependency is
 *    never destroyed before its dependent's replacement exists.
 *
 * 3. The apply walk (apply.c) turns changes into operations (create or
 *    update of X; delete of X) ordered by edges:
 *      - create/update X after create/update of each dependency of X;
 *      - delete X after delete of each instance that depended on X
 *        (from the state's recorded dependencies), and after its
 *        dependents' create/update (they move off X first);
 *      - delete-then-create: create X after delete X;
 *        create-then-delete: delete X after create X.
 *    The main thread evaluates each operation's final configuration (now
 *    with the real values of what was applied), runs provider_plan again,
 *    and hands the provider call to one of N worker threads; the results
 *    come back to the main thread, which records them in the state and
 *    writes it through the backend after every completed operation, so a
 *    failed or interrupted apply leaves an exact state. After SIGINT no new
 *    operation starts; the ones in flight finish and are recorded.
 *
 * 2b. Modules and data sources. The graph's nodes are the resources and
 *    data sources of every module of the configuration (one node per
 *    block, whatever the count or for_each of the resource or of the
 *    module calls above it); a reference to var.x in a child module walks
 *    the call's argument in the parent, module.c.out walks the child's
 *    output, so edges cross module boundaries both ways. Expanding a node
 *    expands the module calls above it first (module instances, each with
 *    its own scope: var.*, local.*, path.module), then its own count or
 *    for_each in each module instance. A data source is read during plan
 *    when its configuration is wholly known and nothing it depends on has
 *    changes pending; otherwise it is planned as PLAN_READ (Terraform's
 *    "<= read") and read during apply. Data sources live in the state with
 *    mode "data", replaced by each read.
 *
 * 4. Saved plans (planfile.c) hold the options, the variable values, a
 *    SHA-256 of every configuration file, the serial and lineage of the
 *    state the plan was made from, the refreshed state it planned against,
 *    and every change. Applying one re-plans against the saved refreshed
 *    state with the saved variables (so values are computed, not
 *    trusted), refuses a plan whose state or configuration changed
 *    (Terraform's "Saved plan is stale"), and checks that the re-plan
 *    calls for exactly the saved actions.
 *
 * 5. Moved blocks (moves.c). Before refresh, the `moved` statements of
 *    every module are applied to the prior state, as Terraform's
 *    refactoring.ApplyMoves does: in an order where a statement runs after
 *    those whose destination it starts from or lies within (so chains
 *    A → B, B → C collapse; a cycle is an error naming the statements),
 *    each statement of a child module once per instance of that module
 *    found in the state. A statement whose `from` holds nothing is a
 *    no-op; one whose `to` is taken moves nothing ("Unresolved resource
 *    instance address changes"), and the object left at `from` is planned
 *    like any orphan. What moved is kept in plan->moves and shown on each
 *    change as prev_addr ("has moved to", "(moved from ...)"); a plan whose
 *    only changes are moves is not empty, since apply must write the
 *    moved state. A saved plan's prior state is post-move, so the plan
 *    file records the moves and plan_file_restore puts them back.
 *    Removed blocks: an orphan that a `removed` block with destroy = false
 *    names is planned PLAN_FORGET instead of PLAN_DELETE (apply drops it
 *    from the state and calls no provider); with destroy = true it is
 *    destroyed as any orphan. A `from` still declared is an error.
 *
 * Memory: a plan and everything in it (values, strings, changes) lives in
 * the plan's arena, freed by plan_free. Threads: only the provider calls
 * of apply run on worker threads, each with its own arena.
 */
#ifndef GF_PLAN_H
#define GF_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "provider/provider.h"
#include "state/state.h"

typedef enum {
	PLAN_NOOP,
	PLAN_CREATE,
	PLAN_UPDATE,
	PLAN_DELETE,
	PLAN_DELETE_CREATE, /* -/+ destroy and then create replacement */
	PLAN_CREATE_DELETE, /* +/- create replacement and then destroy */
	PLAN_READ,          /* <= a data source read during apply */
	PLAN_FORGET,        /* .  dropped from the state, the object kept (a removed
	                       block with destroy = false) */
} plan_action;

/* "no-op", "create", "update", "delete", "replace" (both orders), "read",
 * "forget", for show -json's "actions" and messages. */
const char *plan_action_name(plan_action a);

struct plani_modinst;

typedef struct plan_change {
	char *addr;               /* "fleet_lb.web[0]", "module.web[\"a\"].data.fleet_lb.x" */
	state_addr saddr;         /* the same, parsed */
	struct plani_modinst *mi; /* the module instance it is in (engine-private) */
	const provider_schema *schema;
	const config_resource *res; /* NULL: not in the configuration */
	plan_action action;
	const hcl_value *before;      /* the refreshed prior object; NULL on create */
	const hcl_value *after;       /* the planned object; NULL on delete */
	const hcl_value *config;      /* the decoded configuration; NULL on delete */
	const hcl_value *count_index; /* count.index / each.key of this instance */
	const hcl_value *each_key, *each_value;
	const char **replace_paths; /* attributes that force replacement */
	size_t nreplace;
	const char *reason; /* "because ... is not in configuration", "config refers to
	                       values not yet known" (a deferred read), or NULL */
	char **deps;        /* resource addresses it depends on */
	size_t ndeps;
	bool create_before_destroy;
	size_t seq;            /* its index in plan->changes */
	const char *prev_addr; /* where a `moved` block found it ("previous_address");
	                          NULL when it did not move */
} plan_change;

/* An object a `moved` block moved in the prior state (chains collapsed:
 * A → B → C is one move A → C). */
typedef struct {
	const char *from, *to; /* instance addresses */
} plan_move;

/* Drift: an object changed or deleted outside gitfleet. */
typedef struct {
	char *addr;
	const provider_schema *schema;
	const hcl_value *before, *after; /* after NULL: deleted */
} plan_drift;

typedef struct {
	const char *name;
	const hcl_value *before, *after; /* before NULL: new; after NULL: removed */
	bool sensitive;
	plan_action action;
} plan_output;

typedef struct {
	const char *const *targets; /* -target addresses */
	size_t ntargets;
	const char *const *replaces; /* -replace addresses */
	size_t nreplaces;
	bool destroy;      /* -destroy */
	bool refresh;      /* false: -refresh=false */
	bool refresh_only; /* -refresh-only */
	/* Called before each object is read during refresh, for terraform's
	 * "fleet_lb.web: Refreshing state... [id=web]"; may be NULL. */
	void (*on_refresh)(const char *addr, const char *id, void *payload);
	/* Called around each data source read during plan, for "data.x.y:
	 * Reading..." (done false) and "Read complete after 0s [id=web]"
	 * (done true; id may be NULL); may be NULL. */
	void (*on_read)(const char *addr, bool done, const char *id, double secs, void *payload);
	void *payload;
} plan_options;

typedef struct plan {
	gf_arena arena;
	plan_options opts;
	GF_VEC(plan_change *) changes; /* every instance, in dependency order */
	GF_VEC(plan_drift) drift;
	GF_VEC(plan_output) outputs;
	GF_VEC(plan_move) moves; /* what moved blocks moved (note 5) */
	state *prior;            /* the refreshed state planned against, moves applied (owned) */
	int64_t state_serial;    /* of the state read from the backend */
	char state_lineage[STATE_UUID_LEN];
	bool state_existed; /* a state was read (else serial/lineage are 0/"") */
	char config_hash[65];
	json_t *variables; /* root variable values {name: json}, owned */
	bool errored;
} plan;

/*
 * Makes a plan of `cfg` (variables set) against `st` (may be NULL: no
 * state yet; not modified). Diagnostics (configuration errors, a cycle
 * with its path, prevent_destroy, unreachable daemon) go to cfg->diags;
 * returns NULL when there are errors. `conn` reaches the daemon for
 * refresh.
 */
plan *plan_make(config *cfg, const state *st, const plan_options *opts, const provider_conn *conn);
void plan_free(plan *p);

/* Counts of a plan's changes as "Plan: N to add, M to change, K to
 * destroy." counts them (a replacement is one add and one destroy). */
void plan_counts(const plan *p, int *add, int *change, int *destroy);
/* True when there is nothing to apply (no resource change, no output
 * change). */
bool plan_is_empty(const plan *p);

/* ---- rendering (render.c) ---------------------------------------------- */

typedef struct {
	bool color;
	bool destroy; /* the destroy command's header wording */
} plan_render_opts;

/* The whole `plan` output: drift, the symbols legend, every change,
 * "Plan: ...", output changes; or "No changes. ...". */
void plan_render(gf_buf *out, const plan *p, const plan_render_opts *o);
/* One resource change as "  # addr will be created\n  + resource ..." */
void plan_render_change(gf_buf *out, const plan_change *c, bool color);
/* A value as Terraform prints it in plans (strings quoted, lists and
 * maps multi-line, "(known after apply)", "(sensitive value)"), indented
 * by `indent` spaces after the first line. */
void plan_render_value(gf_buf *out, const hcl_value *v, int indent);

/* ---- saved plans (planfile.c) ------------------------------------------ */

/* Writes `p` as a saved plan file at `path` (atomically). */
int plan_write(const plan *p, const char *path);

typedef struct {
	plan_options opts;
	int64_t state_serial;
	char state_lineage[STATE_UUID_LEN];
	bool state_existed;
	char config_hash[65];
	json_t *variables; /* owned */
	state *prior;      /* owned */
	json_t *changes;   /* [{"address", "action"}], owned */
	json_t *moves;     /* [{"from", "to"}], owned */
	gf_arena arena;    /* option strings */
} plan_file;

/* Reads a saved plan; GF_EINVALID naming the file when it is not one. */
int plan_read(plan_file *out, const char *path);
void plan_file_dispose(plan_file *f);
/* The SHA-256 (hex) of every configuration file cfg read, in order. */
void plan_config_hash(char out[65], const config *cfg);
/*
 * Terraform's staleness checks of a saved plan against the current state
 * `st` (may be NULL) and configuration hash: GF_EINVALID with the
 * summary in *summary and the detail in gf_err_msg ("Saved plan is
 * stale", "Saved plan does not match the given state").
 */
int plan_file_check(const plan_file *f, const state *st, const char *config_hash,
                    const char **summary);
/* Sets cfg's root variables to the saved values (before plan_make). */
int plan_file_set_variables(const plan_file *f, config *cfg);
/* Whether plan `p` (remade from `f`) calls for the saved actions. */
int plan_file_match(const plan_file *f, const plan *p);
/* Gives plan `p`, remade from `f` after plan_file_check, what the saved
 * plan knew and a remade one cannot: the serial and lineage the plan was
 * made from, and the moves already applied to the saved prior state. */
void plan_file_restore(plan *p, const plan_file *f);

/* ---- apply (apply.c) ---------------------------------------------------- */

typedef struct {
	int parallelism; /* -parallelism, default 10 */
	bool color;
	volatile int *interrupted; /* set by a SIGINT handler; may be NULL */
	bool destroy;              /* "Destroy complete!" wording */
} plan_apply_opts;

/*
 * Applies `p`: operations in dependency order with bounded parallelism,
 * progress lines as Terraform's ("fleet_lb.web: Creating...",
 * "Creation complete after 1s [id=web]") to stdout, the state written
 * through `backend` after every completed operation (`st` is the state
 * being updated; created when NULL — *st is set). Errors are added to
 * cfg->diags naming the resource address and the provider's reason.
 * Returns 0 when everything was applied, GF_ERROR otherwise.
 */
int plan_apply(plan *p, config *cfg, state **st, state_backend *backend, const provider_conn *conn,
               const plan_apply_opts *o);
/* "Outputs:" and every root output of `st` as apply prints them
 * (sensitive ones as <sensitive>); nothing when there are none. */
void plan_render_outputs(gf_buf *out, const state *st, bool color);

#endif
