/*
 * hcl/eval_impl.h — private to the evaluator (eval*.c). Internal names
 * carry the prefix hcle_.
 *
 * eval.c       dispatch, references and traversals, attribute and index
 *              access, templates, function calls with try/can,
 *              templatefile's renderer
 * eval_ops.c   unary and binary operators, equality, conditionals
 * eval_coll.c  tuple and object constructors, for expressions, splats
 */
#ifndef GF_HCL_EVAL_IMPL_H
#define GF_HCL_EVAL_IMPL_H

#include "hcl/eval.h"

/* A name bound by the expression (for iterators, template variables);
 * a linked list that lives on the C stack of the binding construct. */
typedef struct hcle_binding {
	const char *name;
	const hcl_value *value;
	const struct hcle_binding *next;
} hcle_binding;

typedef struct {
	gf_arena *a;
	const hcl_scope *scope;
	hcl_diags *diags;      /* where errors go now; try() and can() swap it */
	hcl_diags *root_diags; /* the caller's list, for lookup (static) errors */
	const hcle_binding *bindings;
	bool template_only; /* templatefile(): bindings and functions only */
	hcl_func_env fenv;
} hcle_ctx;

const hcl_value *hcle_eval(hcle_ctx *c, const hcl_expr *e);

/* Adds an error about `subject` (with `context` as the enclosing range,
 * either may be NULL) and returns NULL. */
const hcl_value *hcle_error(hcle_ctx *c, const hcl_range *subject, const hcl_range *context,
                            const char *summary, const char *detail_fmt, ...) GF_PRINTF(5, 6);

/* hcl.GetAttr and hcl.Index with HCL's diagnostics. */
const hcl_value *hcle_get_attr(hcle_ctx *c, const hcl_value *v, const char *name,
                               const hcl_range *r);
const hcl_value *hcle_index(hcle_ctx *c, const hcl_value *coll, const hcl_value *key,
                            const hcl_range *r);

/* The element type of a list, set or map type; the type at a known index
 * of a tuple or attribute of an object; else dynamic. */
const hcl_type *hcle_elem_type(const hcl_type *t);

/* Iteration over a collection for `for` expressions and %{for}: calls fn
 * with each key and value (index for sequences, the value itself for sets,
 * the key string for maps and objects). fn returns false to stop. The
 * collection must be known and not null. */
typedef bool (*hcle_iter_fn)(hcle_ctx *c, const hcl_value *key, const hcl_value *val,
                             void *payload);
bool hcle_iterable(const hcl_value *v);
bool hcle_iterate(hcle_ctx *c, const hcl_value *coll, hcle_iter_fn fn, void *payload);

/* eval_ops.c */
const hcl_value *hcle_binary(hcle_ctx *c, const hcl_expr *e);
const hcl_value *hcle_unary(hcle_ctx *c, const hcl_expr *e);
const hcl_value *hcle_conditional(hcle_ctx *c, const hcl_expr *e);
/* The `==` of cty: true/false, or an unknown bool; marks are ignored. */
const hcl_value *hcle_equals(hcle_ctx *c, const hcl_value *x, const hcl_value *y);
/* Converts a condition to bool, reporting `summary` on failure. */
const hcl_value *hcle_condition(hcle_ctx *c, const hcl_value *v, const hcl_expr *e,
                                const char *summary, const char *what);

/* eval_coll.c */
const hcl_value *hcle_tuple(hcle_ctx *c, const hcl_expr *e);
const hcl_value *hcle_object(hcle_ctx *c, const hcl_expr *e);
const hcl_value *hcle_for(hcle_ctx *c, const hcl_expr *e);
const hcl_value *hcle_splat(hcle_ctx *c, const hcl_expr *e);

#endif
