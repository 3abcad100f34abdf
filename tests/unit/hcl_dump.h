/*
 * Test helper (not a test itself: no test_ prefix): prints expressions and
 * bodies as compact S-expressions so that parser tests can state the whole
 * tree they expect in one string.
 */
#ifndef GF_TEST_HCL_DUMP_H
#define GF_TEST_HCL_DUMP_H

#include "hcl/ast.h"

#include <stdio.h>
#include <string.h>

static void dump_expr(gf_buf *b, const hcl_expr *e);

static void dump_str(gf_buf *b, const char *s, size_t n)
{
	gf_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			gf_buf_puts(b, "\\n");
		else if (c == '\t')
			gf_buf_puts(b, "\\t");
		else if (c == '"' || c == '\\')
			gf_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			gf_buf_printf(b, "\\x%02x", c);
		else
			gf_buf_putc(b, (char)c);
	}
	gf_buf_putc(b, '"');
}

static void dump_lit(gf_buf *b, const hcl_literal *l)
{
	switch (l->kind) {
	case HCL_LIT_NULL:
		gf_buf_puts(b, "null");
		break;
	case HCL_LIT_BOOL:
		gf_buf_puts(b, l->b ? "true" : "false");
		break;
	case HCL_LIT_NUMBER:
		gf_buf_printf(b, "%.17g", l->num);
		break;
	case HCL_LIT_STRING:
		dump_str(b, l->text, l->len);
		break;
	}
}

static void dump_steps(gf_buf *b, const hcl_steps *s)
{
	for (size_t i = 0; i < s->len; i++) {
		if (s->steps[i].kind == HCL_STEP_ATTR) {
			gf_buf_printf(b, ".%s", s->steps[i].name);
		} else {
			gf_buf_putc(b, '[');
			dump_lit(b, &s->steps[i].key);
			gf_buf_putc(b, ']');
		}
	}
}

static void dump_parts(gf_buf *b, const hcl_tpl_parts *parts)
{
	for (size_t i = 0; i < parts->len; i++) {
		const hcl_tpl_part *p = &parts->items[i];
		gf_buf_putc(b, ' ');
		switch (p->kind) {
		case HCL_TPL_LITERAL:
			dump_str(b, p->u.lit.text, p->u.lit.len);
			break;
		case HCL_TPL_INTERP:
			gf_buf_puts(b, "${");
			dump_expr(b, p->u.interp);
			gf_buf_puts(b, "}");
			break;
		case HCL_TPL_IF:
			gf_buf_puts(b, "(if ");
			dump_expr(b, p->u.if_.cond);
			gf_buf_puts(b, " (then");
			dump_parts(b, &p->u.if_.then_parts);
			gf_buf_puts(b, ")");
			if (p->u.if_.has_else) {
				gf_buf_puts(b, " (else");
				dump_parts(b, &p->u.if_.else_parts);
				gf_buf_puts(b, ")");
			}
			gf_buf_puts(b, ")");
			break;
		case HCL_TPL_FOR:
			gf_buf_printf(b, "(for %s%s%s ", p->u.for_.key_var ? p->u.for_.key_var : "",
			              p->u.for_.key_var ? "," : "", p->u.for_.value_var);
			dump_expr(b, p->u.for_.coll);
			dump_parts(b, &p->u.for_.body);
			gf_buf_puts(b, ")");
			break;
		}
	}
}

static void dump_expr(gf_buf *b, const hcl_expr *e)
{
	if (!e) {
		gf_buf_puts(b, "NULL");
		return;
	}
	switch (e->kind) {
	case HCL_EXPR_INVALID:
		gf_buf_puts(b, "INVALID");
		break;
	case HCL_EXPR_LITERAL:
		dump_lit(b, &e->u.lit);
		break;
	case HCL_EXPR_TEMPLATE:
		gf_buf_puts(b, "(tpl");
		dump_parts(b, &e->u.tpl.parts);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_TEMPLATE_WRAP:
		gf_buf_puts(b, "(wrap ");
		dump_expr(b, e->u.wrap.wrapped);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_SCOPE_TRAVERSAL:
		gf_buf_puts(b, e->u.scope.root);
		dump_steps(b, &e->u.scope.steps);
		break;
	case HCL_EXPR_RELATIVE_TRAVERSAL:
		gf_buf_puts(b, "(rel ");
		dump_expr(b, e->u.rel.source);
		gf_buf_puts(b, " ");
		dump_steps(b, &e->u.rel.steps);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_INDEX:
		gf_buf_puts(b, "(index ");
		dump_expr(b, e->u.index.coll);
		gf_buf_puts(b, " ");
		dump_expr(b, e->u.index.key);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_CALL:
		gf_buf_printf(b, "(call %s", e->u.call.name);
		for (size_t i = 0; i < e->u.call.nargs; i++) {
			gf_buf_putc(b, ' ');
			dump_expr(b, e->u.call.args[i]);
		}
		if (e->u.call.expand_final)
			gf_buf_puts(b, " ...");
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_CONDITIONAL:
		gf_buf_puts(b, "(? ");
		dump_expr(b, e->u.cond.cond);
		gf_buf_putc(b, ' ');
		dump_expr(b, e->u.cond.then_expr);
		gf_buf_putc(b, ' ');
		dump_expr(b, e->u.cond.else_expr);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_BINARY:
		gf_buf_printf(b, "(%s ", hcl_op_symbol(e->u.binary.op));
		dump_expr(b, e->u.binary.lhs);
		gf_buf_putc(b, ' ');
		dump_expr(b, e->u.binary.rhs);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_UNARY:
		gf_buf_printf(b, "(%s", e->u.unary.op == HCL_OP_NEG ? "neg " : "! ");
		dump_expr(b, e->u.unary.operand);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_TUPLE:
		gf_buf_puts(b, "[");
		for (size_t i = 0; i < e->u.tuple.len; i++) {
			if (i)
				gf_buf_putc(b, ' ');
			dump_expr(b, e->u.tuple.items[i]);
		}
		gf_buf_puts(b, "]");
		break;
	case HCL_EXPR_OBJECT:
		gf_buf_puts(b, "{");
		for (size_t i = 0; i < e->u.object.len; i++) {
			const hcl_object_item *it = &e->u.object.items[i];
			if (i)
				gf_buf_putc(b, ' ');
			if (it->key_ident)
				gf_buf_printf(b, "'%s", it->key->u.scope.root);
			else
				dump_expr(b, it->key);
			gf_buf_puts(b, it->colon ? ":" : "=");
			dump_expr(b, it->value);
		}
		gf_buf_puts(b, "}");
		break;
	case HCL_EXPR_FOR:
		gf_buf_printf(b, "(for%s %s%s%s ", e->u.for_.object ? "{}" : "[]",
		              e->u.for_.key_var ? e->u.for_.key_var : "",
		              e->u.for_.key_var ? "," : "", e->u.for_.value_var);
		dump_expr(b, e->u.for_.coll);
		if (e->u.for_.key_expr) {
			gf_buf_putc(b, ' ');
			dump_expr(b, e->u.for_.key_expr);
			gf_buf_puts(b, " =>");
		}
		gf_buf_putc(b, ' ');
		dump_expr(b, e->u.for_.value_expr);
		if (e->u.for_.group)
			gf_buf_puts(b, " ...");
		if (e->u.for_.cond) {
			gf_buf_puts(b, " if ");
			dump_expr(b, e->u.for_.cond);
		}
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_SPLAT:
		gf_buf_printf(b, "(splat%s ", e->u.splat.full ? "[*]" : ".*");
		dump_expr(b, e->u.splat.source);
		gf_buf_putc(b, ' ');
		dump_expr(b, e->u.splat.each);
		gf_buf_puts(b, ")");
		break;
	case HCL_EXPR_ANON_SYMBOL:
		gf_buf_puts(b, "@");
		break;
	case HCL_EXPR_PARENS:
		gf_buf_puts(b, "(paren ");
		dump_expr(b, e->u.parens.inner);
		gf_buf_puts(b, ")");
		break;
	}
}

static void dump_body(gf_buf *b, const hcl_body *body)
{
	for (size_t i = 0; i < body->len; i++) {
		if (i)
			gf_buf_putc(b, ' ');
		const hcl_body_item *it = &body->items[i];
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			gf_buf_printf(b, "%s=", it->u.attr->name);
			dump_expr(b, it->u.attr->expr);
		} else {
			const hcl_block *blk = it->u.block;
			gf_buf_printf(b, "<%s", blk->type);
			for (size_t k = 0; k < blk->nlabels; k++)
				gf_buf_printf(b, blk->labels[k].quoted ? " \"%s\"" : " %s",
				              blk->labels[k].value);
			gf_buf_puts(b, " {");
			dump_body(b, blk->body);
			gf_buf_puts(b, "}>");
		}
	}
}

#endif
