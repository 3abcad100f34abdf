/* Small queries over the syntax tree, and the traversal walker. */
#include "hcl/ast.h"

#include <stdlib.h>
#include <string.h>

int hcl_op_precedence(hcl_op op)
{
	switch (op) {
	case HCL_OP_OR:
		return 1;
	case HCL_OP_AND:
		return 2;
	case HCL_OP_EQ:
	case HCL_OP_NE:
		return 3;
	case HCL_OP_LT:
	case HCL_OP_LE:
	case HCL_OP_GT:
	case HCL_OP_GE:
		return 4;
	case HCL_OP_ADD:
	case HCL_OP_SUB:
		return 5;
	case HCL_OP_MUL:
	case HCL_OP_DIV:
	case HCL_OP_MOD:
		return 6;
	case HCL_OP_NOT:
	case HCL_OP_NEG:
		return 7;
	}
	return 0;
}

const char *hcl_op_symbol(hcl_op op)
{
	static const char *const sym[] = {
	        "||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "!", "-"};
	return (size_t)op < GF_ARRAY_LEN(sym) ? sym[op] : "?";
}

bool hcl_expr_as_string(const hcl_expr *e, const char **text, size_t *len)
{
	if (!e || e->kind != HCL_EXPR_LITERAL || e->u.lit.kind != HCL_LIT_STRING)
		return false;
	*text = e->u.lit.text;
	*len = e->u.lit.len;
	return true;
}

const char *hcl_expr_as_keyword(const hcl_expr *e)
{
	if (e && e->kind == HCL_EXPR_SCOPE_TRAVERSAL && e->u.scope.steps.len == 0)
		return e->u.scope.root;
	if (e && e->kind == HCL_EXPR_LITERAL && e->u.lit.kind == HCL_LIT_NULL)
		return "null";
	if (e && e->kind == HCL_EXPR_LITERAL && e->u.lit.kind == HCL_LIT_BOOL)
		return e->u.lit.b ? "true" : "false";
	return NULL;
}

const hcl_attribute *hcl_body_attribute(const hcl_body *b, const char *name)
{
	/* Called for every meta-argument of every block: the first byte
	 * settles most comparisons without a call. */
	for (size_t i = 0; b && i < b->len; i++)
		if (b->items[i].kind == HCL_ITEM_ATTRIBUTE &&
		    b->items[i].u.attr->name[0] == name[0] &&
		    strcmp(b->items[i].u.attr->name, name) == 0)
			return b->items[i].u.attr;
	return NULL;
}

/* ---- walker ------------------------------------------------------------ */

/* Names bound by enclosing for expressions, innermost first. */
typedef struct scope {
	const char *a, *b;
	const struct scope *up;
} scope;

typedef struct {
	hcl_traversal_fn fn;
	void *payload;
} walk_ctx;

static bool bound(const scope *s, const char *name)
{
	for (; s; s = s->up)
		if ((s->a && strcmp(s->a, name) == 0) || (s->b && strcmp(s->b, name) == 0))
			return true;
	return false;
}

static int walk(const hcl_expr *e, const scope *s, walk_ctx *c);

static int walk_parts(const hcl_tpl_parts *parts, const scope *s, walk_ctx *c)
{
	int rc = 0;
	for (size_t i = 0; i < parts->len && !rc; i++) {
		const hcl_tpl_part *pt = &parts->items[i];
		switch (pt->kind) {
		case HCL_TPL_LITERAL:
			break;
		case HCL_TPL_INTERP:
			rc = walk(pt->u.interp, s, c);
			break;
		case HCL_TPL_IF:
			rc = walk(pt->u.if_.cond, s, c);
			if (!rc)
				rc = walk_parts(&pt->u.if_.then_parts, s, c);
			if (!rc)
				rc = walk_parts(&pt->u.if_.else_parts, s, c);
			break;
		case HCL_TPL_FOR: {
			rc = walk(pt->u.for_.coll, s, c);
			scope inner = {pt->u.for_.key_var, pt->u.for_.value_var, s};
			if (!rc)
				rc = walk_parts(&pt->u.for_.body, &inner, c);
			break;
		}
		}
	}
	return rc;
}

static int walk(const hcl_expr *e, const scope *s, walk_ctx *c)
{
	int rc = 0;
	if (!e)
		return 0;
	switch (e->kind) {
	case HCL_EXPR_INVALID:
	case HCL_EXPR_LITERAL:
	case HCL_EXPR_ANON_SYMBOL:
		return 0;
	case HCL_EXPR_SCOPE_TRAVERSAL:
		return bound(s, e->u.scope.root) ? 0 : c->fn(e, c->payload);
	case HCL_EXPR_TEMPLATE:
		return walk_parts(&e->u.tpl.parts, s, c);
	case HCL_EXPR_TEMPLATE_WRAP:
		return walk(e->u.wrap.wrapped, s, c);
	case HCL_EXPR_RELATIVE_TRAVERSAL:
		return walk(e->u.rel.source, s, c);
	case HCL_EXPR_INDEX:
		rc = walk(e->u.index.coll, s, c);
		return rc ? rc : walk(e->u.index.key, s, c);
	case HCL_EXPR_CALL:
		for (size_t i = 0; i < e->u.call.nargs && !rc; i++)
			rc = walk(e->u.call.args[i], s, c);
		return rc;
	case HCL_EXPR_CONDITIONAL:
		rc = walk(e->u.cond.cond, s, c);
		if (!rc)
			rc = walk(e->u.cond.then_expr, s, c);
		if (!rc && e->u.cond.else_expr != e->u.cond.then_expr)
			rc = walk(e->u.cond.else_expr, s, c);
		return rc;
	case HCL_EXPR_BINARY:
		rc = walk(e->u.binary.lhs, s, c);
		return rc ? rc : walk(e->u.binary.rhs, s, c);
	case HCL_EXPR_UNARY:
		return walk(e->u.unary.operand, s, c);
	case HCL_EXPR_TUPLE:
		for (size_t i = 0; i < e->u.tuple.len && !rc; i++)
			rc = walk(e->u.tuple.items[i], s, c);
		return rc;
	case HCL_EXPR_OBJECT:
		for (size_t i = 0; i < e->u.object.len && !rc; i++) {
			if (!e->u.object.items[i].key_ident)
				rc = walk(e->u.object.items[i].key, s, c);
			if (!rc)
				rc = walk(e->u.object.items[i].value, s, c);
		}
		return rc;
	case HCL_EXPR_FOR: {
		rc = walk(e->u.for_.coll, s, c);
		scope inner = {e->u.for_.key_var, e->u.for_.value_var, s};
		if (!rc)
			rc = walk(e->u.for_.key_expr, &inner, c);
		if (!rc)
			rc = walk(e->u.for_.value_expr, &inner, c);
		if (!rc)
			rc = walk(e->u.for_.cond, &inner, c);
		return rc;
	}
	case HCL_EXPR_SPLAT:
		rc = walk(e->u.splat.source, s, c);
		return rc ? rc : walk(e->u.splat.each, s, c);
	case HCL_EXPR_PARENS:
		return walk(e->u.parens.inner, s, c);
	}
	return 0;
}

int hcl_expr_walk_traversals(const hcl_expr *e, hcl_traversal_fn fn, void *payload)
{
	walk_ctx c = {fn, payload};
	return walk(e, NULL, &c);
}

char *hcl_traversal_string(gf_arena *a, const hcl_expr *t)
{
	gf_buf b;
	gf_buf_init(&b, 0);
	const hcl_steps *steps;
	if (t->kind == HCL_EXPR_SCOPE_TRAVERSAL) {
		gf_buf_puts(&b, t->u.scope.root);
		steps = &t->u.scope.steps;
	} else if (t->kind == HCL_EXPR_RELATIVE_TRAVERSAL) {
		steps = &t->u.rel.steps;
	} else {
		return gf_arena_strdup(a, "");
	}
	for (size_t i = 0; i < steps->len; i++) {
		const hcl_step *s = &steps->steps[i];
		if (s->kind == HCL_STEP_ATTR) {
			gf_buf_printf(&b, ".%s", s->name);
		} else if (s->key.kind == HCL_LIT_STRING) {
			gf_buf_putc(&b, '[');
			gf_buf_putc(&b, '"');
			for (size_t k = 0; k < s->key.len; k++) {
				char ch = s->key.text[k];
				if (ch == '"' || ch == '\\')
					gf_buf_putc(&b, '\\');
				gf_buf_putc(&b, ch);
			}
			gf_buf_puts(&b, "\"]");
		} else if (s->key.kind == HCL_LIT_NUMBER && s->key.text) {
			gf_buf_printf(&b, "[%s]", s->key.text);
		} else if (s->key.kind == HCL_LIT_BOOL) {
			gf_buf_printf(&b, "[%s]", s->key.b ? "true" : "false");
		} else {
			gf_buf_puts(&b, "[null]");
		}
	}
	char *out = gf_arena_strdup(a, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return out;
}
