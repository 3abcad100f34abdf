/*
 * Operators and conditionals, as hclsyntax evaluates them: operands are
 * converted to the operator's parameter type first ("1" + 1 is 2, and a
 * failed conversion is "Invalid operand"), then the operation runs on the
 * unmarked values and the operands' marks go on the result. `==` and `!=`
 * compare without conversion. `&&` and `||` evaluate both sides but let a
 * controlling known side decide (false && x is false even when x failed or
 * is unknown), exactly like hclsyntax's short-circuit rules.
 */
#include "hcl/eval_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Evaluates e into a private diagnostics list. */
static const hcl_value *eval_into(hcle_ctx *c, const hcl_expr *e, hcl_diags *into)
{
	hcl_diags *saved = c->diags;
	c->diags = into;
	const hcl_value *v = hcle_eval(c, e);
	c->diags = saved;
	return v;
}

static void merge(hcle_ctx *c, hcl_diags *from)
{
	for (size_t i = 0; i < from->list.len; i++) {
		gf_vec_push(&c->diags->list, from->list.items[i]);
		if (from->list.items[i].severity == HCL_DIAG_ERROR)
			c->diags->errors++;
	}
	hcl_diags_dispose(from);
}

static const hcl_value *convert_operand(hcle_ctx *c, const hcl_value *v, const hcl_type *t,
                                        const hcl_expr *operand, const hcl_expr *whole,
                                        const char *which)
{
	const char *why = NULL;
	const hcl_value *r = hcl_convert(c->a, v, t, &why);
	if (!r)
		hcle_error(c, &operand->range, &whole->range, "Invalid operand",
		           "Unsuitable value for %s operand: %s.", which, why);
	return r;
}

static const hcl_value *op_failed(hcle_ctx *c, const hcl_expr *e, const char *why)
{
	return hcle_error(c, &e->range, NULL, "Operation failed", "Error during operation: %s.",
	                  why);
}

/* ---- equality ---------------------------------------------------------- */

static int equal3(const hcl_value *x, const hcl_value *y); /* 1, 0, -1 unknown */

static int equal_items(const hcl_value *x, const hcl_value *y)
{
	if (x->u.coll.len != y->u.coll.len)
		return 0;
	int result = 1;
	for (size_t i = 0; i < x->u.coll.len; i++) {
		if (x->u.coll.keys && strcmp(x->u.coll.keys[i], y->u.coll.keys[i]) != 0)
			return 0;
		int e = equal3(x->u.coll.items[i], y->u.coll.items[i]);
		if (e == 0)
			return 0;
		if (e < 0)
			result = -1;
	}
	return result;
}

static int equal3(const hcl_value *x, const hcl_value *y)
{
	bool xk = x->kind != HCL_VAL_UNKNOWN, yk = y->kind != HCL_VAL_UNKNOWN;
	if (!xk && !yk)
		return -1;
	if (xk != yk) {
		const hcl_value *known = xk ? x : y, *unk = xk ? y : x;
		if (known->kind == HCL_VAL_NULL || hcl_type_has_dynamic(unk->type))
			return -1;
		return hcl_type_equal(known->type, unk->type) ? -1 : 0;
	}
	if (x->kind == HCL_VAL_NULL && y->kind == HCL_VAL_NULL)
		return 1;
	if (x->kind == HCL_VAL_NULL || y->kind == HCL_VAL_NULL)
		return 0;
	if (!hcl_type_equal(x->type, y->type))
		return 0;
	switch (x->kind) {
	case HCL_VAL_STRING:
		return x->u.str.len == y->u.str.len &&
		       memcmp(x->u.str.ptr, y->u.str.ptr, x->u.str.len) == 0;
	case HCL_VAL_NUMBER:
		return x->u.num == y->u.num;
	case HCL_VAL_BOOL:
		return x->u.b == y->u.b;
	case HCL_VAL_SET:
		/* Sets with unknown elements cannot be compared element-wise. */
		if (!hcl_value_is_wholly_known(x) || !hcl_value_is_wholly_known(y))
			return -1;
		return hcl_value_equal(x, y);
	default:
		return equal_items(x, y);
	}
}

const hcl_value *hcle_equals(hcle_ctx *c, const hcl_value *x, const hcl_value *y)
{
	int e = equal3(x, y);
	return e < 0 ? hcl_unknown(c->a, &hcl_type_bool) : hcl_bool(e == 1);
}

/* ---- binary ------------------------------------------------------------ */

static const hcl_value *arith(hcle_ctx *c, const hcl_expr *e, hcl_op op, const hcl_value *l,
                              const hcl_value *r)
{
	if (l->kind == HCL_VAL_NULL || r->kind == HCL_VAL_NULL)
		return op_failed(c, e, "argument must not be null");
	bool cmp = op == HCL_OP_LT || op == HCL_OP_LE || op == HCL_OP_GT || op == HCL_OP_GE;
	if (l->kind == HCL_VAL_UNKNOWN || r->kind == HCL_VAL_UNKNOWN)
		return hcl_unknown(c->a, cmp ? &hcl_type_bool : &hcl_type_number);
	double x = l->u.num, y = r->u.num, z = 0;
	switch (op) {
	case HCL_OP_LT:
		return hcl_bool(x < y);
	case HCL_OP_LE:
		return hcl_bool(x <= y);
	case HCL_OP_GT:
		return hcl_bool(x > y);
	case HCL_OP_GE:
		return hcl_bool(x >= y);
	case HCL_OP_ADD:
		z = x + y;
		break;
	case HCL_OP_SUB:
		z = x - y;
		break;
	case HCL_OP_MUL:
		z = x * y;
		break;
	case HCL_OP_DIV:
		if (y == 0)
			return op_failed(c, e, "can't divide by zero");
		z = x / y;
		break;
	case HCL_OP_MOD:
		if (y == 0)
			return op_failed(c, e, "can't use modulo by zero");
		z = fmod(x, y);
		break;
	default:
		break;
	}
	if (!isfinite(z))
		return op_failed(c, e, "the result is too large to be represented as a number");
	return hcl_number(c->a, z);
}

/* hclsyntax's ShortCircuit for && (and_op) and ||: the forced result, or
 * NULL to go on. *take says whose diagnostics survive: 'l', 'r', or 0 for
 * both. A failed side (NULL) counts as unknown, as a DynamicVal would. */
static const hcl_value *short_circuit(hcle_ctx *c, bool and_op, const hcl_value *l,
                                      const hcl_value *r, bool lerr, char *take)
{
	bool lk = l && l->kind == HCL_VAL_BOOL, rk = r && r->kind == HCL_VAL_BOOL;
	bool control = !and_op; /* the value that decides alone */
	*take = 0;
	if (!lk && !rk) {
		if (lerr)
			return NULL;
		*take = 'l';
		return hcl_unknown(c->a, &hcl_type_bool);
	}
	if (lk && l->u.b == control) {
		*take = 'l';
		return hcl_bool(control);
	}
	if (rk && r->u.b == control) {
		*take = 'r';
		return hcl_bool(control);
	}
	if (!lk) {
		*take = 'l';
		return hcl_unknown(c->a, &hcl_type_bool);
	}
	if (!rk) {
		*take = 'r';
		return hcl_unknown(c->a, &hcl_type_bool);
	}
	return NULL;
}

static const hcl_value *logical(hcle_ctx *c, const hcl_expr *e, const hcl_value *l,
                                const hcl_value *r, hcl_diags *ld, hcl_diags *rd)
{
	bool and_op = e->u.binary.op == HCL_OP_AND;
	unsigned marks = (l ? l->marks : 0) | (r ? r->marks : 0);
	if ((l && l->kind == HCL_VAL_NULL) || (r && r->kind == HCL_VAL_NULL)) {
		merge(c, ld);
		merge(c, rd);
		if (!l || !r)
			return NULL;
		return op_failed(c, e, "argument must not be null");
	}
	char take;
	const hcl_value *forced = short_circuit(c, and_op, l, r, hcl_diags_has_errors(ld), &take);
	if (forced) {
		if (take == 'l') {
			merge(c, ld);
			hcl_diags_dispose(rd);
			if (!l)
				return NULL;
		} else {
			merge(c, rd);
			hcl_diags_dispose(ld);
			if (!r)
				return NULL;
		}
		return hcl_mark(c->a, forced, marks);
	}
	merge(c, ld);
	merge(c, rd);
	if (!l || !r)
		return NULL;
	bool b = and_op ? (l->u.b && r->u.b) : (l->u.b || r->u.b);
	return hcl_mark(c->a, hcl_bool(b), marks);
}

const hcl_value *hcle_binary(hcle_ctx *c, const hcl_expr *e)
{
	hcl_op op = e->u.binary.op;
	const hcl_expr *le = e->u.binary.lhs, *re = e->u.binary.rhs;
	hcl_diags ld, rd;
	hcl_diags_init(&ld, c->diags->arena);
	hcl_diags_init(&rd, c->diags->arena);
	const hcl_value *l = eval_into(c, le, &ld);
	const hcl_value *r = eval_into(c, re, &rd);

	if (op == HCL_OP_EQ || op == HCL_OP_NE) {
		merge(c, &ld);
		merge(c, &rd);
		if (!l || !r)
			return NULL;
		const hcl_value *eq = hcle_equals(c, l, r);
		if (op == HCL_OP_NE && eq->kind == HCL_VAL_BOOL)
			eq = hcl_bool(!eq->u.b);
		return hcl_mark(c->a, eq, hcl_value_deep_marks(l) | hcl_value_deep_marks(r));
	}

	const hcl_type *pt =
	        op == HCL_OP_AND || op == HCL_OP_OR ? &hcl_type_bool : &hcl_type_number;
	const hcl_value *lc = l ? convert_operand(c, l, pt, le, e, "left") : NULL;
	const hcl_value *rc = r ? convert_operand(c, r, pt, re, e, "right") : NULL;
	if ((l && !lc) || (r && !rc)) {
		merge(c, &ld);
		merge(c, &rd);
		return NULL;
	}
	if (op == HCL_OP_AND || op == HCL_OP_OR)
		return logical(c, e, lc, rc, &ld, &rd);
	merge(c, &ld);
	merge(c, &rd);
	if (!lc || !rc)
		return NULL;
	const hcl_value *v = arith(c, e, op, lc, rc);
	return v ? hcl_mark(c->a, v, lc->marks | rc->marks) : NULL;
}

const hcl_value *hcle_unary(hcle_ctx *c, const hcl_expr *e)
{
	const hcl_value *v = hcle_eval(c, e->u.unary.operand);
	if (!v)
		return NULL;
	bool neg = e->u.unary.op == HCL_OP_NEG;
	const hcl_type *t = neg ? &hcl_type_number : &hcl_type_bool;
	const char *why = NULL;
	const hcl_value *cv = hcl_convert(c->a, v, t, &why);
	if (!cv)
		return hcle_error(c, &e->u.unary.operand->range, &e->range, "Invalid operand",
		                  "Unsuitable value for unary operand: %s.", why);
	if (cv->kind == HCL_VAL_NULL)
		return op_failed(c, e, "argument must not be null");
	if (cv->kind == HCL_VAL_UNKNOWN)
		return hcl_mark(c->a, hcl_unknown(c->a, t), cv->marks);
	const hcl_value *r =
	        neg ? hcl_number(c->a, cv->u.num == 0 ? 0 : -cv->u.num) : hcl_bool(!cv->u.b);
	return hcl_mark(c->a, r, cv->marks);
}

/* ---- conditionals ------------------------------------------------------ */

const hcl_value *hcle_condition(hcle_ctx *c, const hcl_value *v, const hcl_expr *e,
                                const char *summary, const char *what)
{
	if (v->kind == HCL_VAL_NULL)
		return hcle_error(c, &e->range, NULL, "Null condition",
		                  "The %s value is null. Conditions must either be true or false.",
		                  what);
	const hcl_value *b = hcl_convert(c->a, v, &hcl_type_bool, NULL);
	if (!b)
		return hcle_error(c, &e->range, NULL, summary,
		                  "The %s expression must be of type bool.", what);
	return b;
}

static const hcl_type *result_type(hcle_ctx *c, const hcl_expr *e, const hcl_value *t,
                                   const hcl_value *f)
{
	if (t->kind == HCL_VAL_NULL && t->type->kind == HCL_TYPE_DYNAMIC)
		return f->type;
	if (f->kind == HCL_VAL_NULL && f->type->kind == HCL_TYPE_DYNAMIC)
		return t->type;
	const hcl_value *both[2] = {t, f};
	const hcl_type *rt = hcl_unify_types(c->a, both, 2);
	if (!rt) {
		hcl_range r = e->u.cond.then_expr->range;
		r.end = e->u.cond.else_expr->range.end;
		hcle_error(c, &r, &e->range, "Inconsistent conditional result types",
		           "The true and false result expressions must have consistent types. The "
		           "'true' value is %s, but the 'false' value is %s.",
		           hcl_type_friendly(c->a, t->type), hcl_type_friendly(c->a, f->type));
	}
	return rt;
}

const hcl_value *hcle_conditional(hcle_ctx *c, const hcl_expr *e)
{
	hcl_diags td, fd;
	hcl_diags_init(&td, c->diags->arena);
	hcl_diags_init(&fd, c->diags->arena);
	const hcl_value *t = eval_into(c, e->u.cond.then_expr, &td);
	const hcl_value *f = eval_into(c, e->u.cond.else_expr, &fd);
	const hcl_value *cv = hcle_eval(c, e->u.cond.cond);
	if (cv)
		cv = hcle_condition(c, cv, e->u.cond.cond, "Incorrect condition type", "condition");
	if (!cv || cv->kind == HCL_VAL_UNKNOWN) {
		/* Both branches may be taken later: report the errors of both. */
		merge(c, &td);
		merge(c, &fd);
		if (!cv || !t || !f)
			return NULL;
		const hcl_type *rt = result_type(c, e, t, f);
		return rt ? hcl_mark(c->a, hcl_unknown(c->a, rt), cv->marks) : NULL;
	}
	const hcl_value *chosen = cv->u.b ? t : f;
	merge(c, cv->u.b ? &td : &fd);
	hcl_diags_dispose(cv->u.b ? &fd : &td);
	if (!chosen)
		return NULL;
	if (t && f) {
		const hcl_type *rt = result_type(c, e, t, f);
		if (!rt)
			return NULL;
		const char *why = NULL;
		const hcl_value *conv = hcl_convert(c->a, chosen, rt, &why);
		if (!conv)
			return hcle_error(
			        c, &(cv->u.b ? e->u.cond.then_expr : e->u.cond.else_expr)->range,
			        &e->range, "Inconsistent conditional result types",
			        "The %s result value has the wrong type: %s.",
			        cv->u.b ? "true" : "false", why);
		chosen = conv;
	}
	return hcl_mark(c->a, chosen, cv->marks);
}
