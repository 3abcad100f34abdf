/*
 * hcl/eval.h — evaluation of HCL expressions (ast.h) to values (value.h)
 * with Terraform's semantics.
 *
 * NOTES ON THE DESIGN
 *
 * 1. The scope is an interface, not a table. Every scope traversal
 *    (`var.port`, `fleet_lb.web.id`, `each.value`) is first split, as
 *    Terraform's addrs.ParseRef does, into a reference (hcl_ref: what is
 *    named, e.g. resource fleet_lb.web) and the remaining steps (`.id`).
 *    The evaluator asks the scope's lookup callback for the reference's
 *    value and applies the remaining steps itself. The caller decides what
 *    exists: the configuration loader answers from variables and locals,
 *    validate answers "unknown" for every declared resource, the plan
 *    engine will answer with planned values. A reference the scope does not
 *    know is reported by the callback, usually with hcl_ref_undeclared,
 *    which words the diagnostic as Terraform does, with "Did you mean".
 *
 * 2. Names bound by the expression itself — the iterator variables of for
 *    expressions and %{for} directives, and the variables of a template
 *    rendered by templatefile() — shadow the scope and never reach the
 *    callback.
 *
 * 3. Errors. Every failure adds an hcl_diag (Terraform's summary and
 *    detail, the range of the sub-expression at fault) and makes the
 *    evaluation of the enclosing expression return NULL; siblings are still
 *    evaluated, so one pass reports every error of an expression. try()
 *    and can() evaluate their arguments into a private list and discard
 *    it, except for the diagnostics the lookup callback reports (undeclared
 *    references), which Terraform reports even inside try().
 *
 * 4. Unknowns and marks. An operation with an unknown operand yields an
 *    unknown of the result type where Terraform does; the condition of a
 *    conditional, the collection of a for, a key of an object — unknown
 *    makes the whole result unknown. Marks (sensitive) of operands are
 *    carried to results, and taking an element out of a marked collection
 *    marks the element.
 *
 * Everything is allocated from the caller's arena.
 */
#ifndef GF_HCL_EVAL_H
#define GF_HCL_EVAL_H

#include "hcl/ast.h"
#include "hcl/value.h"

typedef enum {
	HCL_REF_VAR,       /* var.NAME */
	HCL_REF_LOCAL,     /* local.NAME */
	HCL_REF_RESOURCE,  /* TYPE.NAME (a managed resource) */
	HCL_REF_DATA,      /* data.TYPE.NAME */
	HCL_REF_MODULE,    /* module.NAME (the whole call; outputs are its attributes) */
	HCL_REF_PATH,      /* path.module, path.root, path.cwd */
	HCL_REF_TERRAFORM, /* terraform.workspace */
	HCL_REF_COUNT,     /* count.index */
	HCL_REF_EACH,      /* each.key, each.value */
	HCL_REF_SELF,      /* self */
} hcl_ref_kind;

typedef struct {
	hcl_ref_kind kind;
	const char *type;         /* HCL_REF_RESOURCE / HCL_REF_DATA: the resource type */
	const char *name;         /* the name; the attribute for path/terraform/count/each */
	hcl_range range;          /* the source text of the reference itself */
	const hcl_expr *expr;     /* the whole traversal it was taken from */
	size_t nsteps;            /* steps of expr->u.scope.steps the reference used */
	const hcl_range *context; /* the traversal's range, for diagnostics */
} hcl_ref;

/*
 * Returns the value of `ref`, or NULL after adding a diagnostic to `diags`
 * (the reference is undeclared, or not allowed here). The value's type
 * need not be known: hcl_unknown_dynamic is a fine answer for "something
 * that exists but is known only after apply".
 */
typedef const hcl_value *(*hcl_lookup_fn)(void *payload, const hcl_ref *ref, gf_arena *arena,
                                          hcl_diags *diags);

typedef struct {
	hcl_lookup_fn lookup; /* NULL: no references at all (every one is reported) */
	void *payload;
	const char *base_dir; /* path.module, for relative paths of file functions */
	/* Forbids function calls ("Function calls not allowed"), as in
	 * Terraform's variable defaults and .tfvars files. */
	bool no_functions;
} hcl_scope;

/*
 * Evaluates `e` in `scope`. Returns the value, or NULL when at least one
 * error was added to `diags`. Warnings may be added either way. The scope
 * is used during the call only (it may be on the caller's stack).
 */
const hcl_value *hcl_eval(gf_arena *a, const hcl_expr *e, const hcl_scope *scope, hcl_diags *diags);

/*
 * Splits a scope traversal into a reference and remaining steps, as
 * Terraform's addrs.ParseRef does; false after adding "Invalid reference"
 * when the traversal cannot name anything (`data.x`, `var` alone, `a`
 * alone). For validate's reference checks as well as for evaluation.
 */
bool hcl_ref_parse(hcl_ref *out, const hcl_expr *traversal, hcl_diags *diags);

/*
 * Adds Terraform's diagnostic for a reference to something not declared:
 * "Reference to undeclared input variable", "... local value",
 * "... resource", "... module", with `Did you mean "x"?` when one of
 * `candidates` (names of the same kind; for resources "TYPE.NAME") is
 * close. `module_desc` is "the root module" or "module.NAME". Returns NULL
 * so that a lookup callback can `return hcl_ref_undeclared(...)`.
 */
const hcl_value *hcl_ref_undeclared(hcl_diags *diags, const hcl_ref *ref,
                                    const char *const *candidates, size_t n,
                                    const char *module_desc);

/* Error of a reference the context does not allow (count.index without
 * count, self outside provisioners, ...): adds it and returns NULL. */
const hcl_value *hcl_ref_not_allowed(hcl_diags *diags, const hcl_ref *ref);

/* Terraform's "Did you mean" rule (didyoumean.NameSuggestion): the first
 * candidate within edit distance 2 of `given`, or NULL. */
const char *hcl_suggest(const char *given, const char *const *candidates, size_t n);

/* "var.port", "fleet_lb.web", "data.fleet_lb.x", "count.index": arena string. */
char *hcl_ref_string(gf_arena *a, const hcl_ref *ref);

#endif
