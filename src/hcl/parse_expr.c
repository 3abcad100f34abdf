/*
 * The expression parser: conditionals, binary operators by precedence
 * climbing (left-associative), unary operators, terms (literals, variables,
 * calls, tuples, objects, for expressions, parentheses, templates) and the
 * postfix traversals, index operators and splats (ast.h, note 4).
 */
#include "hcl/parse_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static hcl_expr *invalid_at(hcl_parser *p, hcl_range r)
{
	return hcl_p_new_expr(p, HCL_EXPR_INVALID, r);
}

static bool is_keyword(const hcl_token *t, const char *kw)
{
	return t->type == HCL_TOK_IDENT && t->len == strlen(kw) &&
	       memcmp(t->bytes, kw, t->len) == 0;
}

/* ---- literals ---------------------------------------------------------- */

static bool parse_number(hcl_parser *p, const hcl_token *t, hcl_literal *out)
{
	char buf[128];
	out->kind = HCL_LIT_NUMBER;
	out->text = gf_arena_strndup(p->arena, t->bytes, t->len);
	size_t dots = 0;
	for (size_t i = 0; i < t->len; i++)
		dots += t->bytes[i] == '.';
	if (t->len >= sizeof(buf) || dots > 1) {
		hcl_p_error(p, &t->range, "Invalid number literal",
		            "Failed to recognize the value of this number literal.");
		return false;
	}
	memcpy(buf, t->bytes, t->len);
	buf[t->len] = 0;
	errno = 0;
	char *end;
	out->num = strtod(buf, &end);
	if (*end != 0 || !isfinite(out->num)) {
		hcl_p_error(p, &t->range, "Invalid number literal",
		            "Failed to recognize the value of this number literal.");
		return false;
	}
	return true;
}

/* ---- traversals -------------------------------------------------------- */

typedef GF_VEC(hcl_step) step_vec;

/* Steps collected for `cur` (a traversal node) and not yet stored in it. */
typedef struct {
	hcl_expr *cur;
	step_vec pending;
} trav_builder;

static hcl_steps *steps_of(hcl_expr *e)
{
	if (e->kind == HCL_EXPR_SCOPE_TRAVERSAL)
		return &e->u.scope.steps;
	if (e->kind == HCL_EXPR_RELATIVE_TRAVERSAL)
		return &e->u.rel.steps;
	return NULL;
}

static void flush_steps(hcl_parser *p, trav_builder *b)
{
	if (b->pending.len == 0)
		return;
	hcl_steps *s = steps_of(b->cur);
	hcl_step *all = gf_arena_alloc(p->arena, (s->len + b->pending.len) * sizeof(hcl_step));
	if (s->len)
		memcpy(all, s->steps, s->len * sizeof(hcl_step));
	memcpy(all + s->len, b->pending.items, b->pending.len * sizeof(hcl_step));
	s->steps = all;
	s->len += b->pending.len;
	b->pending.len = 0;
}

/* Appends a step to the traversal being built, wrapping a non-traversal in
 * a relative traversal first. Returns false past the depth limit. */
static bool add_step(hcl_parser *p, trav_builder *b, hcl_step step, int *levels)
{
	if (!steps_of(b->cur)) {
		if (!hcl_p_enter(p, &step.range))
			return false;
		(*levels)++;
		hcl_expr *rel = hcl_p_new_expr(p, HCL_EXPR_RELATIVE_TRAVERSAL, b->cur->range);
		rel->u.rel.source = b->cur;
		b->cur = rel;
	}
	gf_vec_push(&b->pending, step);
	b->cur->range = hcl_range_between(b->cur->range, step.range);
	return true;
}

/* Wraps the current expression in a new node (index, splat); false past
 * the depth limit. */
static bool wrap(hcl_parser *p, trav_builder *b, hcl_range r, int *levels)
{
	flush_steps(p, b);
	if (!hcl_p_enter(p, &r))
		return false;
	(*levels)++;
	return true;
}

static void legacy_index_error(hcl_parser *p, const hcl_token *num, bool splat)
{
	const char *dot = memchr(num->bytes, '.', num->len);
	char *detail = gf_arena_printf(
	        p->arena,
	        "When using the legacy index syntax, chaining two indexes together is not "
	        "permitted. Use the proper index syntax%s instead, like [%.*s][%.*s].",
	        splat ? " with a full splat expression [*]" : "", (int)(dot - num->bytes),
	        num->bytes, (int)(num->len - (size_t)(dot - num->bytes) - 1), dot + 1);
	hcl_p_error(p, &num->range, "Invalid legacy index syntax", detail);
}

static hcl_expr *parse_traversals(hcl_parser *p, hcl_expr *from);

/* .* followed by .attr / .0 steps, applied to the anonymous symbol. */
static hcl_expr *attr_splat(hcl_parser *p, hcl_expr *source, const hcl_token *dot,
                            const hcl_token *star)
{
	hcl_expr *sym =
	        hcl_p_new_expr(p, HCL_EXPR_ANON_SYMBOL, hcl_range_between(dot->range, star->range));
	trav_builder b = {sym, {0}};
	int unused = 0;
	hcl_range last = star->range;
	while (hcl_p_peek(p)->type == HCL_TOK_DOT) {
		const hcl_token *d = hcl_p_read(p);
		const hcl_token *t = hcl_p_peek(p);
		hcl_step step = {0};
		if (t->type == HCL_TOK_IDENT) {
			hcl_p_read(p);
			step.kind = HCL_STEP_ATTR;
			step.name = gf_arena_strndup(p->arena, t->bytes, t->len);
		} else if (t->type == HCL_TOK_NUMBER) {
			hcl_p_read(p);
			step.kind = HCL_STEP_INDEX;
			step.legacy_dot = true;
			if (memchr(t->bytes, '.', t->len))
				legacy_index_error(p, t, true);
			else
				parse_number(p, t, &step.key);
		} else {
			if (t->type == HCL_TOK_STAR)
				hcl_p_error(p, &t->range, "Nested splat expression not allowed",
				            "A splat expression (*) cannot be used inside another "
				            "attribute-only splat expression.");
			else
				hcl_p_error(p, &t->range, "Invalid attribute name",
				            "An attribute name is required after a dot.");
			break;
		}
		step.range = hcl_range_between(d->range, t->range);
		last = t->range;
		add_step(p, &b, step, &unused);
	}
	flush_steps(p, &b);
	gf_vec_dispose(&b.pending);
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_SPLAT, hcl_range_between(source->range, last));
	e->u.splat.source = source;
	e->u.splat.each = b.cur;
	e->u.splat.marker_range = sym->range;
	return e;
}

static hcl_expr *index_or_splat(hcl_parser *p, trav_builder *b, const hcl_token *open, int *levels)
{
	if (hcl_p_peek(p)->type == HCL_TOK_STAR) {
		hcl_p_read(p);
		const hcl_token *close = hcl_p_peek(p);
		if (close->type == HCL_TOK_RBRACK) {
			hcl_p_read(p);
		} else {
			hcl_p_error(p, &close->range, "Missing close bracket on splat index",
			            "The star for a full splat operator must be immediately "
			            "followed by "
			            "a closing bracket (\"]\").");
			close = hcl_p_recover(p, HCL_TOK_RBRACK);
		}
		hcl_range marker = hcl_range_between(open->range, close->range);
		if (!wrap(p, b, marker, levels))
			return NULL;
		hcl_expr *sym = hcl_p_new_expr(p, HCL_EXPR_ANON_SYMBOL, marker);
		hcl_expr *each = parse_traversals(p, sym);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_SPLAT,
		                             hcl_range_between(b->cur->range, each->range));
		e->u.splat.source = b->cur;
		e->u.splat.each = each;
		e->u.splat.full = true;
		e->u.splat.marker_range = marker;
		return e;
	}
	hcl_p_push_nl(p, false);
	size_t nerr = p->diags->errors;
	hcl_expr *key = hcl_p_parse_expression(p);
	const hcl_token *close;
	if (p->recovery && p->diags->errors > nerr) {
		close = hcl_p_recover(p, HCL_TOK_RBRACK);
	} else {
		close = hcl_p_peek(p);
		if (close->type != HCL_TOK_RBRACK) {
			hcl_p_error(p, &close->range, "Missing close bracket on index",
			            "The index operator must end with a closing bracket (\"]\").");
			close = hcl_p_recover(p, HCL_TOK_RBRACK);
		} else {
			hcl_p_read(p);
		}
	}
	hcl_p_pop_nl(p);
	hcl_range br = hcl_range_between(open->range, close->range);
	if (key->kind == HCL_EXPR_LITERAL) {
		hcl_step step = {HCL_STEP_INDEX, NULL, key->u.lit, false, br};
		if (!add_step(p, b, step, levels))
			return NULL;
		return b->cur;
	}
	if (!wrap(p, b, br, levels))
		return NULL;
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_INDEX, hcl_range_between(b->cur->range, br));
	e->u.index.coll = b->cur;
	e->u.index.key = key;
	e->u.index.bracket_range = br;
	return e;
}

static hcl_expr *parse_traversals(hcl_parser *p, hcl_expr *from)
{
	trav_builder b = {from, {0}};
	int levels = 0;
	for (;;) {
		const hcl_token *t = hcl_p_peek(p);
		hcl_expr *next = NULL;
		if (t->type == HCL_TOK_DOT) {
			const hcl_token *dot = hcl_p_read(p);
			const hcl_token *a = hcl_p_peek(p);
			hcl_step step = {0};
			if (a->type == HCL_TOK_IDENT) {
				hcl_p_read(p);
				step.kind = HCL_STEP_ATTR;
				step.name = gf_arena_strndup(p->arena, a->bytes, a->len);
			} else if (a->type == HCL_TOK_NUMBER) {
				hcl_p_read(p);
				step.kind = HCL_STEP_INDEX;
				step.legacy_dot = true;
				if (memchr(a->bytes, '.', a->len))
					legacy_index_error(p, a, false);
				else
					parse_number(p, a, &step.key);
			} else if (a->type == HCL_TOK_STAR) {
				hcl_p_read(p);
				if (!wrap(p, &b, a->range, &levels))
					break;
				next = attr_splat(p, b.cur, dot, a);
			} else {
				hcl_p_error(p, &a->range, "Invalid attribute name",
				            "An attribute name is required after a dot.");
				break;
			}
			if (!next) {
				step.range = hcl_range_between(dot->range, a->range);
				if (!add_step(p, &b, step, &levels))
					break;
				continue;
			}
		} else if (t->type == HCL_TOK_LBRACK) {
			next = index_or_splat(p, &b, hcl_p_read(p), &levels);
			if (!next)
				break;
			if (next == b.cur)
				continue;
		} else {
			break;
		}
		flush_steps(p, &b);
		b.cur = next;
	}
	flush_steps(p, &b);
	gf_vec_dispose(&b.pending);
	p->depth -= levels;
	return b.cur;
}

/* ---- terms ------------------------------------------------------------- */

static hcl_expr *parse_call(hcl_parser *p, const hcl_token *name)
{
	const hcl_token *open = hcl_p_read(p);
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_CALL, name->range);
	e->u.call.name = gf_arena_strndup(p->arena, name->bytes, name->len);
	e->u.call.name_range = name->range;
	e->u.call.open_paren = open->range;
	GF_VEC(hcl_expr *) args = {0};
	const hcl_token *close = NULL;
	hcl_p_push_nl(p, false);
	for (;;) {
		const hcl_token *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_RPAREN) {
			close = hcl_p_read(p);
			break;
		}
		size_t nerr = p->diags->errors;
		hcl_expr *arg = hcl_p_parse_expression(p);
		gf_vec_push(&args, arg);
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RPAREN);
			break;
		}
		const hcl_token *sep = hcl_p_peek(p);
		if (sep->type == HCL_TOK_COMMA || sep->type == HCL_TOK_RPAREN ||
		    sep->type == HCL_TOK_ELLIPSIS)
			hcl_p_read(p);
		if (sep->type == HCL_TOK_ELLIPSIS) {
			e->u.call.expand_final = true;
			sep = hcl_p_peek(p);
			if (sep->type != HCL_TOK_RPAREN) {
				hcl_p_context(
				        hcl_p_error(
				                p, &sep->range, "Missing closing parenthesis",
				                "An expanded function argument (with ...) must be "
				                "immediately "
				                "followed by closing parentheses."),
				        name->range, sep->range);
				close = hcl_p_recover(p, HCL_TOK_RPAREN);
				break;
			}
			hcl_p_read(p);
		}
		if (sep->type == HCL_TOK_RPAREN) {
			close = sep;
			break;
		}
		if (sep->type == HCL_TOK_COMMA)
			continue;
		if (sep->type == HCL_TOK_EOF) {
			hcl_range r = hcl_range_between(name->range, open->range);
			hcl_p_error(
			        p, &r, "Unterminated function call",
			        "There is no closing parenthesis for this function call before the "
			        "end of the file. This may be caused by incorrect parenthesis "
			        "nesting elsewhere in this file.");
			close = sep;
			break;
		}
		hcl_p_context(hcl_p_error(p, &sep->range, "Missing argument separator",
		                          "A comma is required to separate each function argument "
		                          "from the next."),
		              name->range, sep->range);
		close = hcl_p_recover(p, HCL_TOK_RPAREN);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.call.nargs = args.len;
	e->u.call.args =
	        args.len ? gf_arena_memdup(p->arena, args.items, args.len * sizeof(hcl_expr *))
	                 : NULL;
	gf_vec_dispose(&args);
	e->u.call.close_paren = close->range;
	e->range = hcl_range_between(name->range, close->range);
	return e;
}

static bool expect_ident(hcl_parser *p, const hcl_token *open, const char **out, hcl_range *r,
                         const char *detail)
{
	const hcl_token *t = hcl_p_peek(p);
	if (t->type != HCL_TOK_IDENT) {
		hcl_p_context(hcl_p_error(p, &t->range, "Invalid 'for' expression", detail),
		              open->range, t->range);
		return false;
	}
	hcl_p_read(p);
	*out = gf_arena_strndup(p->arena, t->bytes, t->len);
	*r = t->range;
	return true;
}

/* [for ...] or {for ...}, after the opening bracket; `for` is next. */
static hcl_expr *parse_for(hcl_parser *p, const hcl_token *open)
{
	bool obj = open->type == HCL_TOK_LBRACE;
	hcl_token_type close_type = obj ? HCL_TOK_RBRACE : HCL_TOK_RBRACK;
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_FOR, open->range);
	e->u.for_.object = obj;
	e->u.for_.open = open->range;
	hcl_p_push_nl(p, false);
	hcl_p_read(p); /* for */
	const hcl_token *close = NULL;
	hcl_range r;
	if (!expect_ident(p, open, &e->u.for_.value_var, &r,
	                  "For expression requires variable name after 'for'."))
		goto recover;
	e->u.for_.value_var_range = r;
	if (hcl_p_peek(p)->type == HCL_TOK_COMMA) {
		hcl_p_read(p);
		e->u.for_.key_var = e->u.for_.value_var;
		e->u.for_.key_var_range = r;
		if (!expect_ident(p, open, &e->u.for_.value_var, &e->u.for_.value_var_range,
		                  "For expression requires value variable name after comma."))
			goto recover;
	}
	if (!is_keyword(hcl_p_peek(p), "in")) {
		hcl_p_context(hcl_p_error(p, &hcl_p_peek(p)->range, "Invalid 'for' expression",
		                          "For expression requires the 'in' keyword after its name "
		                          "declarations."),
		              open->range, hcl_p_peek(p)->range);
		goto recover;
	}
	hcl_p_read(p);
	size_t nerr = p->diags->errors;
	e->u.for_.coll = hcl_p_parse_expression(p);
	if (p->recovery && p->diags->errors > nerr)
		goto recover;
	if (hcl_p_peek(p)->type != HCL_TOK_COLON) {
		hcl_p_context(
		        hcl_p_error(
		                p, &hcl_p_peek(p)->range, "Invalid 'for' expression",
		                "For expression requires a colon after the collection expression."),
		        open->range, hcl_p_peek(p)->range);
		goto recover;
	}
	hcl_p_read(p);
	e->u.for_.value_expr = hcl_p_parse_expression(p);
	if (hcl_p_peek(p)->type == HCL_TOK_FAT_ARROW) {
		hcl_p_read(p);
		e->u.for_.key_expr = e->u.for_.value_expr;
		e->u.for_.value_expr = hcl_p_parse_expression(p);
	}
	if (p->recovery && p->diags->errors > nerr)
		goto recover;
	hcl_range ellipsis = {0};
	if (hcl_p_peek(p)->type == HCL_TOK_ELLIPSIS) {
		ellipsis = hcl_p_read(p)->range;
		e->u.for_.group = true;
	}
	if (is_keyword(hcl_p_peek(p), "if")) {
		hcl_p_read(p);
		e->u.for_.cond = hcl_p_parse_expression(p);
		if (p->recovery && p->diags->errors > nerr)
			goto recover;
	}
	if (hcl_p_peek(p)->type != close_type) {
		hcl_p_context(
		        hcl_p_error(p, &hcl_p_peek(p)->range, "Invalid 'for' expression",
		                    "Extra characters after the end of the 'for' expression."),
		        open->range, hcl_p_peek(p)->range);
		goto recover;
	}
	close = hcl_p_read(p);
	if (!obj && e->u.for_.key_expr)
		hcl_p_context(hcl_p_error(p, &e->u.for_.key_expr->range, "Invalid 'for' expression",
		                          "Key expression is not valid when building a tuple."),
		              open->range, close->range);
	if (!obj && e->u.for_.group)
		hcl_p_context(
		        hcl_p_error(
		                p, &ellipsis, "Invalid 'for' expression",
		                "Grouping ellipsis (...) cannot be used when building a tuple."),
		        open->range, close->range);
	if (obj && !e->u.for_.key_expr)
		hcl_p_context(hcl_p_error(p, &e->u.for_.value_expr->range,
		                          "Invalid 'for' expression",
		                          "Key expression is required when building an object."),
		              open->range, close->range);
	goto done;
recover:
	close = hcl_p_recover(p, close_type);
	e->kind = HCL_EXPR_INVALID;
done:
	hcl_p_pop_nl(p);
	e->u.for_.close = close->range;
	e->range = hcl_range_between(open->range, close->range);
	return e;
}

static hcl_expr *parse_tuple(hcl_parser *p, const hcl_token *open)
{
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_TUPLE, open->range);
	GF_VEC(hcl_expr *) items = {0};
	const hcl_token *close;
	hcl_p_push_nl(p, false);
	for (;;) {
		const hcl_token *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_RBRACK) {
			close = hcl_p_read(p);
			break;
		}
		size_t nerr = p->diags->errors;
		gf_vec_push(&items, hcl_p_parse_expression(p));
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RBRACK);
			break;
		}
		t = hcl_p_peek(p);
		if (t->type == HCL_TOK_COMMA) {
			hcl_p_read(p);
			continue;
		}
		if (t->type == HCL_TOK_RBRACK)
			continue;
		if (t->type == HCL_TOK_EOF)
			hcl_p_error(
			        p, &open->range, "Unterminated tuple constructor expression",
			        "There is no corresponding closing bracket before the end of the "
			        "file. This may be caused by incorrect bracket nesting elsewhere "
			        "in "
			        "this file.");
		else
			hcl_p_context(
			        hcl_p_error(
			                p, &t->range, "Missing item separator",
			                "Expected a comma to mark the beginning of the next item."),
			        open->range, t->range);
		close = hcl_p_recover(p, HCL_TOK_RBRACK);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.tuple.len = items.len;
	e->u.tuple.items =
	        items.len ? gf_arena_memdup(p->arena, items.items, items.len * sizeof(hcl_expr *))
	                  : NULL;
	gf_vec_dispose(&items);
	e->u.tuple.open = open->range;
	e->u.tuple.close = close->range;
	e->range = hcl_range_between(open->range, close->range);
	return e;
}

static const char *unterminated_object =
        "There is no corresponding closing brace before the end of the file. This may be "
        "caused by incorrect brace nesting elsewhere in this file.";

static hcl_expr *parse_object(hcl_parser *p, const hcl_token *open)
{
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_OBJECT, open->range);
	GF_VEC(hcl_object_item) items = {0};
	const hcl_token *close;
	hcl_p_push_nl(p, true);
	for (;;) {
		const hcl_token *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_NEWLINE) {
			hcl_p_read(p);
			continue;
		}
		if (t->type == HCL_TOK_RBRACE) {
			close = hcl_p_read(p);
			break;
		}
		hcl_object_item it = {0};
		size_t nerr = p->diags->errors;
		it.key = hcl_p_parse_expression(p);
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RBRACE);
			break;
		}
		/* A bare name is the string of its name; so are the keywords
		 * null/true/false, as hclsyntax reads them as traversals there. */
		if (it.key->kind == HCL_EXPR_LITERAL && it.key->u.lit.kind != HCL_LIT_NUMBER &&
		    it.key->u.lit.kind != HCL_LIT_STRING) {
			const char *kw = it.key->u.lit.kind == HCL_LIT_NULL ? "null"
			                 : it.key->u.lit.b                  ? "true"
			                                                    : "false";
			it.key->kind = HCL_EXPR_SCOPE_TRAVERSAL;
			memset(&it.key->u, 0, sizeof(it.key->u));
			it.key->u.scope.root = kw;
			it.key->u.scope.root_range = it.key->range;
		}
		it.key_ident =
		        it.key->kind == HCL_EXPR_SCOPE_TRAVERSAL && it.key->u.scope.steps.len == 0;
		t = hcl_p_peek(p);
		if (t->type != HCL_TOK_EQUAL && t->type != HCL_TOK_COLON) {
			if (t->type == HCL_TOK_NEWLINE || t->type == HCL_TOK_COMMA)
				hcl_p_context(hcl_p_error(p, &t->range, "Missing attribute value",
				                          "Expected an attribute value, introduced "
				                          "by an equals sign "
				                          "(\"=\")."),
				              open->range, t->range);
			else if (t->type == HCL_TOK_EOF)
				hcl_p_error(p, &open->range,
				            "Unterminated object constructor expression",
				            unterminated_object);
			else if (t->type == HCL_TOK_IDENT)
				hcl_p_context(hcl_p_error(p, &t->range,
				                          "Missing key/value separator",
				                          "Expected an equals sign (\"=\") to mark "
				                          "the beginning of "
				                          "the "
				                          "attribute value. If you intended to "
				                          "given an attribute "
				                          "name "
				                          "containing periods or spaces, write the "
				                          "name in quotes to "
				                          "create a string literal."),
				              open->range, t->range);
			else
				hcl_p_context(hcl_p_error(p, &t->range,
				                          "Missing key/value separator",
				                          "Expected an equals sign (\"=\") to mark "
				                          "the beginning "
				                          "of the "
				                          "attribute value."),
				              open->range, t->range);
			close = hcl_p_recover(p, HCL_TOK_RBRACE);
			break;
		}
		it.colon = t->type == HCL_TOK_COLON;
		hcl_p_read(p);
		it.value = hcl_p_parse_expression(p);
		gf_vec_push(&items, it);
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RBRACE);
			break;
		}
		t = hcl_p_peek(p);
		if (t->type == HCL_TOK_COMMA || t->type == HCL_TOK_NEWLINE) {
			hcl_p_read(p);
			continue;
		}
		if (t->type == HCL_TOK_RBRACE)
			continue;
		if (t->type == HCL_TOK_EOF)
			hcl_p_error(p, &open->range, "Unterminated object constructor expression",
			            unterminated_object);
		else
			hcl_p_context(hcl_p_error(p, &t->range, "Missing attribute separator",
			                          "Expected a newline or comma to mark the "
			                          "beginning of the next "
			                          "attribute."),
			              open->range, t->range);
		close = hcl_p_recover(p, HCL_TOK_RBRACE);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.object.len = items.len;
	e->u.object.items = items.len ? gf_arena_memdup(p->arena, items.items,
	                                                items.len * sizeof(hcl_object_item))
	                              : NULL;
	gf_vec_dispose(&items);
	e->u.object.open = open->range;
	e->u.object.close = close->range;
	e->range = hcl_range_between(open->range, close->range);
	return e;
}

/* Whether the next significant token, ignoring newlines, is `for`. */
static bool next_is_for(hcl_parser *p)
{
	hcl_p_push_nl(p, false);
	bool r = is_keyword(hcl_p_peek(p), "for");
	hcl_p_pop_nl(p);
	return r;
}

static hcl_expr *parse_term(hcl_parser *p)
{
	const hcl_token *t = hcl_p_peek(p);
	switch (t->type) {
	case HCL_TOK_LPAREN: {
		hcl_p_read(p);
		hcl_p_push_nl(p, false);
		size_t nerr = p->diags->errors;
		hcl_expr *inner = hcl_p_parse_expression(p);
		const hcl_token *close;
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RPAREN);
		} else {
			close = hcl_p_peek(p);
			if (close->type != HCL_TOK_RPAREN) {
				hcl_p_context(
				        hcl_p_error(
				                p, &close->range, "Unbalanced parentheses",
				                "Expected a closing parenthesis to terminate the "
				                "expression."),
				        t->range, close->range);
				close = hcl_p_recover(p, HCL_TOK_RPAREN);
			} else {
				hcl_p_read(p);
			}
		}
		hcl_p_pop_nl(p);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_PARENS,
		                             hcl_range_between(t->range, close->range));
		e->u.parens.inner = inner;
		return e;
	}
	case HCL_TOK_NUMBER: {
		hcl_p_read(p);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_LITERAL, t->range);
		if (!parse_number(p, t, &e->u.lit))
			e->kind = HCL_EXPR_INVALID;
		return e;
	}
	case HCL_TOK_IDENT: {
		hcl_p_read(p);
		if (hcl_p_peek(p)->type == HCL_TOK_LPAREN)
			return parse_call(p, t);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_LITERAL, t->range);
		if (is_keyword(t, "true") || is_keyword(t, "false")) {
			e->u.lit.kind = HCL_LIT_BOOL;
			e->u.lit.b = t->bytes[0] == 't';
			return e;
		}
		if (is_keyword(t, "null"))
			return e;
		e->kind = HCL_EXPR_SCOPE_TRAVERSAL;
		e->u.scope.root = gf_arena_strndup(p->arena, t->bytes, t->len);
		e->u.scope.root_range = t->range;
		return e;
	}
	case HCL_TOK_OQUOTE:
	case HCL_TOK_OHEREDOC:
		hcl_p_read(p);
		return hcl_p_parse_template(
		        p, t, t->type == HCL_TOK_OQUOTE ? HCL_TOK_CQUOTE : HCL_TOK_CHEREDOC);
	case HCL_TOK_LBRACK:
		hcl_p_read(p);
		return next_is_for(p) ? parse_for(p, t) : parse_tuple(p, t);
	case HCL_TOK_LBRACE:
		hcl_p_read(p);
		return next_is_for(p) ? parse_for(p, t) : parse_object(p, t);
	case HCL_TOK_EOF:
		hcl_p_error(p, &t->range, "Missing expression",
		            "Expected the start of an expression, but found the end of the file.");
		return invalid_at(p, t->range);
	case HCL_TOK_INVALID:
	case HCL_TOK_BAD_UTF8:
		p->recovery = true; /* the lexer reported it */
		return invalid_at(p, t->range);
	default:
		hcl_p_error(p, &t->range, "Invalid expression",
		            "Expected the start of an expression, but found an invalid expression "
		            "token.");
		return invalid_at(p, t->range);
	}
}

/* ---- operators --------------------------------------------------------- */

static const struct {
	hcl_token_type tok;
	hcl_op op;
	int level;
} binops[] = {
        {HCL_TOK_OR, HCL_OP_OR, 1},       {HCL_TOK_AND, HCL_OP_AND, 2},
        {HCL_TOK_EQ, HCL_OP_EQ, 3},       {HCL_TOK_NE, HCL_OP_NE, 3},
        {HCL_TOK_LT, HCL_OP_LT, 4},       {HCL_TOK_LE, HCL_OP_LE, 4},
        {HCL_TOK_GT, HCL_OP_GT, 4},       {HCL_TOK_GE, HCL_OP_GE, 4},
        {HCL_TOK_PLUS, HCL_OP_ADD, 5},    {HCL_TOK_MINUS, HCL_OP_SUB, 5},
        {HCL_TOK_STAR, HCL_OP_MUL, 6},    {HCL_TOK_SLASH, HCL_OP_DIV, 6},
        {HCL_TOK_PERCENT, HCL_OP_MOD, 6},
};

static bool binop_at(hcl_token_type tok, int level, hcl_op *op)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(binops); i++)
		if (binops[i].tok == tok && binops[i].level == level) {
			*op = binops[i].op;
			return true;
		}
	return false;
}

static hcl_expr *parse_unary(hcl_parser *p)
{
	const hcl_token *t = hcl_p_peek(p);
	if (t->type != HCL_TOK_MINUS && t->type != HCL_TOK_BANG) {
		hcl_expr *term = parse_term(p);
		if (term->kind == HCL_EXPR_INVALID && p->recovery)
			return term;
		return parse_traversals(p, term);
	}
	hcl_p_read(p);
	if (!hcl_p_enter(p, &t->range))
		return invalid_at(p, t->range);
	hcl_expr *operand = parse_unary(p);
	p->depth--;
	hcl_expr *e =
	        hcl_p_new_expr(p, HCL_EXPR_UNARY, hcl_range_between(t->range, operand->range));
	e->u.unary.op = t->type == HCL_TOK_MINUS ? HCL_OP_NEG : HCL_OP_NOT;
	e->u.unary.operand = operand;
	e->u.unary.op_range = t->range;
	return e;
}

static hcl_expr *parse_binary(hcl_parser *p, int level)
{
	if (level > 6)
		return parse_unary(p);
	size_t nerr = p->diags->errors;
	hcl_expr *lhs = parse_binary(p, level + 1);
	int levels = 0;
	hcl_op op;
	while (!(p->recovery && p->diags->errors > nerr) &&
	       binop_at(hcl_p_peek(p)->type, level, &op)) {
		const hcl_token *t = hcl_p_read(p);
		if (!hcl_p_enter(p, &t->range))
			break;
		levels++;
		hcl_expr *rhs = parse_binary(p, level + 1);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_BINARY,
		                             hcl_range_between(lhs->range, rhs->range));
		e->u.binary.op = op;
		e->u.binary.lhs = lhs;
		e->u.binary.rhs = rhs;
		e->u.binary.op_range = t->range;
		lhs = e;
	}
	p->depth -= levels;
	return lhs;
}

hcl_expr *hcl_p_parse_expression(hcl_parser *p)
{
	const hcl_token *start = hcl_p_peek(p);
	if (!hcl_p_enter(p, &start->range))
		return invalid_at(p, start->range);
	size_t nerr = p->diags->errors;
	hcl_expr *cond = parse_binary(p, 1);
	if ((p->recovery && p->diags->errors > nerr) || hcl_p_peek(p)->type != HCL_TOK_QUESTION) {
		p->depth--;
		return cond;
	}
	hcl_p_read(p);
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_CONDITIONAL, cond->range);
	e->u.cond.cond = cond;
	e->u.cond.then_expr = hcl_p_parse_expression(p);
	e->u.cond.else_expr = e->u.cond.then_expr;
	const hcl_token *colon = hcl_p_peek(p);
	if (!(p->recovery && p->diags->errors > nerr)) {
		if (colon->type != HCL_TOK_COLON) {
			hcl_p_context(
			        hcl_p_error(
			                p, &colon->range, "Missing false expression in conditional",
			                "The conditional operator (...?...:...) requires a false "
			                "expression, "
			                "delimited by a colon."),
			        cond->range, colon->range);
		} else {
			hcl_p_read(p);
			e->u.cond.else_expr = hcl_p_parse_expression(p);
		}
	}
	e->range = hcl_range_between(cond->range, e->u.cond.else_expr->range);
	p->depth--;
	return e;
}
