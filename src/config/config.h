/*
 * config — a module (a folder of .tf files) read into a typed
 * configuration, as Terraform's configs package does, plus the values of
 * its input variables, local values and outputs.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Three stages, each reporting into the config's one diagnostics list
 *    so that a command reports every problem of a run in one pass:
 *
 *      config_load ──► structure: blocks, labels, arguments, duplicates,
 *                      type constraints, variable defaults, local modules
 *                      (loaded recursively from "./dir" sources)
 *      config_set_variables ──► root variable values from defaults,
 *                      TF_VAR_*, terraform.tfvars(.json), *.auto.tfvars,
 *                      -var and -var-file, converted and validated
 *      config_validate / config_scope ──► expressions evaluated
 *
 *    Structure problems never stop loading: a block that is wrong is
 *    reported and skipped, the rest is kept.
 *
 * 2. Blocks keep their expressions unevaluated. Resource and data bodies
 *    are raw hcl bodies (meta-arguments taken out into fields; `dynamic`
 *    blocks left in the body for the consumer to expand), since provider
 *    schemas are not this module's business.
 *
 * 3. Evaluation goes through config_scope, an hcl_scope whose lookup
 *    answers from the module: variables (their values, or unknown values
 *    of their type when none were set, as `terraform validate` does),
 *    local values (evaluated on first use, so in dependency order, with
 *    cycles reported with their path), path.*, terraform.workspace,
 *    resources and data (unknown: known only after apply; a later stage
 *    plugs real values in through the `resource` hook), module outputs
 *    (objects with one unknown attribute per declared output), and
 *    count/each/self where the context allows them.
 *
 * 4. Memory: everything (AST, values, strings, diagnostics) lives in the
 *    config's arena and is freed by config_free.
 *
 * 5. Files: *.tf (native syntax) and *.tf.json (JSON syntax,
 *    hcl/json_syntax.h) are read into the same bodies; override files
 *    (override.tf, *_override.tf, and .tf.json forms) are merged into the
 *    primary files' blocks before the blocks are read.
 *
 * 6. `moved` blocks are read into each module's `moved` list: their
 *    addresses are static references (checked here, with Terraform's
 *    errors), relative to the module; the plan applies them to the state.
 *
 *    `removed` blocks likewise (a resource or module address without
 *    keys, and lifecycle { destroy }).
 *
 * What is not read: `import` and `check` blocks (reported as unsupported
 * and ignored with a warning), non-local module sources.
 */
#ifndef GF_CONFIG_H
#define GF_CONFIG_H

#include "hcl/ast.h"
#include "hcl/eval.h"

/* The Terraform language version gitfleet implements: required_version
 * constraints are checked against it. */
#define CONFIG_LANGUAGE_VERSION "1.9.0"

typedef struct config config;
typedef struct config_module config_module;

typedef struct {
	const hcl_expr *condition;
	const hcl_expr *error_message;
	hcl_range range; /* the validation block's type */
} config_check;

typedef struct {
	const char *name;
	hcl_range decl_range;           /* `variable "name"` */
	const hcl_type *type;           /* the constraint; dynamic when none */
	bool literal_cli;               /* -var and TF_VAR_ values are taken as raw strings */
	const hcl_value *default_value; /* NULL: required */
	const hcl_expr *default_expr;
	const char *description;
	bool sensitive, nullable;
	config_check *validations;
	size_t nvalidations;
	/* set by config_set_variables (root module) */
	const hcl_value *value;
	hcl_range value_range; /* where the value came from; filename NULL for flags/env */
} config_variable;

typedef struct {
	const char *name;
	const hcl_expr *expr;
	hcl_range range;
} config_local;

typedef struct {
	const char *name;
	hcl_range decl_range;
	const hcl_expr *value;
	const char *description;
	bool sensitive;
	const hcl_expr *depends_on;
	config_check *preconditions;
	size_t npreconditions;
} config_output;

typedef enum {
	CONFIG_MANAGED,
	CONFIG_DATA,
} config_mode;

typedef struct {
	bool create_before_destroy, prevent_destroy;
	const hcl_expr *ignore_changes; /* tuple of references, or `all` */
	const hcl_expr *replace_triggered_by;
	config_check *preconditions, *postconditions;
	size_t npreconditions, npostconditions;
} config_lifecycle;

typedef struct {
	config_mode mode;
	const char *type, *name;
	hcl_range decl_range;
	const hcl_expr *count, *for_each, *depends_on;
	const char *provider; /* "fleet" or "fleet.west"; NULL: the type's prefix */
	config_lifecycle lifecycle;
	const hcl_body *body; /* provider arguments and blocks, `dynamic` included */
} config_resource;

typedef struct {
	const char *name;
	hcl_range decl_range;
	const char *source;
	hcl_range source_range;
	const hcl_expr *count, *for_each, *depends_on;
	const hcl_body *body; /* the inputs: every attribute but the meta-arguments */
	config_module *child; /* NULL when the source could not be loaded */
} config_module_call;

typedef struct {
	const char *name, *alias;
	hcl_range decl_range;
	const hcl_body *body;
} config_provider;

typedef struct {
	const char *name, *source, *version;
} config_required_provider;

/* A `moved { from = A  to = B }` block. The addresses are canonical
 * state_addr text relative to the module (`fleet_lb.a`, `module.web[0]`),
 * both resources or both modules, never data sources, never equal. */
typedef struct {
	const char *from, *to;
	hcl_range from_range, to_range;
	hcl_range decl_range; /* the `moved` keyword */
} config_moved;

/* A `removed { from = A  lifecycle { destroy = false } }` block: `from`
 * is a managed resource or a module, without instance keys, relative to
 * the module. destroy false: forget the objects, true (the default):
 * destroy them as any orphan. */
typedef struct {
	const char *from;
	bool destroy;
	hcl_range from_range;
	hcl_range decl_range; /* the `removed` keyword */
} config_removed;

struct config_module {
	const char *dir;  /* as given, e.g. "." or "./modules/web" */
	const char *addr; /* "" for the root, "module.app", "module.app.module.db" */
	size_t nfiles; /* .tf and .tf.json files read; an empty directory is a valid, empty module */
	GF_VEC(config_variable) variables;
	GF_VEC(config_local) locals;
	GF_VEC(config_output) outputs;
	GF_VEC(config_resource) resources; /* managed and data */
	GF_VEC(config_module_call) calls;
	GF_VEC(config_provider) providers;
	GF_VEC(config_required_provider) required_providers;
	GF_VEC(config_moved) moved;
	GF_VEC(config_removed) removed;
	const char *required_version;
	const char *backend_type; /* NULL: no backend block */
	const hcl_body *backend_body;
	hcl_range backend_range;
	/* evaluation state of the locals, index-aligned with `locals`:
	 * local_state 0 = not evaluated, -1 = done, d > 0 = being evaluated
	 * at nesting depth d (so that a cycle can be told in order) */
	const hcl_value **local_values;
	int *local_state;
	int local_depth;
	struct cfgi_index *index; /* private: names → declarations */
};

struct config {
	gf_arena arena;
	hcl_diags diags;
	hcl_sources sources; /* every file read, for rendering diagnostics */
	config_module *root;
	const char *workspace; /* terraform.workspace, "default" */
	const char *cwd;
	/* Every var.* evaluates to an unknown value of its type, as in
	 * `terraform validate`; set by config_validate. */
	bool unknown_variables;
};

/* Reads the module in `dir` and its local child modules. Never NULL; check
 * hcl_diags_has_errors(&cfg->diags). A directory without any .tf file is
 * an empty module (root->nfiles == 0); commands that need configuration
 * say so themselves. */
config *config_load(const char *dir);
void config_free(config *cfg);

/* One -var or -var-file flag, in command-line order. */
typedef struct config_var_arg {
	bool is_file;     /* -var-file rather than -var */
	const char *text; /* "name=value" or a path */
} config_var_arg;

/*
 * Sets the root module's variable values with Terraform's precedence
 * (lowest first): default, TF_VAR_<name> (from `environ`, may be NULL),
 * terraform.tfvars, terraform.tfvars.json, *.auto.tfvars and
 * *.auto.tfvars.json in lexical order, then `args` in order. Values are
 * converted to the declared type and checked by the validation blocks;
 * every problem (bad value naming its source, "No value for required
 * variable", failed validation with its error_message) goes to cfg->diags.
 * Returns false when there were errors.
 */
bool config_set_variables(config *cfg, const config_var_arg *args, size_t nargs,
                          char *const *environ);

/*
 * Runs the validation blocks of variable `v` with `scope` answering var.*
 * with its value (the root's scope after config_set_variables; a module
 * instance's scope in the plan engine). A failed condition is "Invalid
 * value for variable" at `subject` with the rule's error_message; an
 * unknown result is not checked.
 */
void config_check_variable(config *cfg, const config_variable *v, const hcl_scope *scope,
                           const hcl_range *subject);

/* The iterator of a `dynamic` block: NAME.key and NAME.value. */
typedef struct config_iterator {
	const char *name;
	const hcl_value *key, *value;
	const struct config_iterator *next;
} config_iterator;

/* What a scope may refer to besides the module's named values. */
typedef struct {
	const hcl_value *count_index;           /* NULL: count.index is not allowed */
	const hcl_value *each_key, *each_value; /* NULL: each.* is not allowed */
	const hcl_value *self;                  /* NULL: self is not allowed */
	const config_iterator *iterators;       /* dynamic blocks being expanded */
} config_context;

/* An hcl_scope over `mod` (a module of cfg). ctx may be NULL. The returned
 * scope, payload included, is arena-allocated and lives with cfg. */
const hcl_scope *config_scope(config *cfg, config_module *mod, const config_context *ctx);

/*
 * Evaluates an expression of `mod` in `ctx`; NULL on error (diagnostics in
 * cfg->diags). A convenience over hcl_eval with config_scope.
 */
const hcl_value *config_eval(config *cfg, config_module *mod, const hcl_expr *e,
                             const config_context *ctx);

/* The value of an output of `mod`, evaluated (unknown where it depends on
 * resources); NULL on error. */
const hcl_value *config_output_value(config *cfg, config_module *mod, const config_output *o);

/*
 * `terraform validate`: evaluates every expression of every module with
 * variables unknown of their types and resources unknown, reporting
 * undeclared references, type errors in constant expressions, unknown
 * functions and wrong arities, bad meta-arguments. Diagnostics go to
 * cfg->diags. Returns false when there are errors (including the loader's).
 */
bool config_validate(config *cfg);

/* Parses a type constraint expression (`string`, `list(number)`,
 * `object({a = optional(string, "x")})`); NULL after adding a diagnostic. */
const hcl_type *config_parse_type(gf_arena *a, const hcl_expr *e, hcl_diags *diags);

/* Checks `version` ("1.9.0") against a constraint string with Terraform's
 * syntax (">= 1.0, < 2.0", "~> 1.2"). 1: satisfied, 0: not, -1: the
 * constraint is malformed. */
int config_version_check(const char *constraint, const char *version);

#endif
