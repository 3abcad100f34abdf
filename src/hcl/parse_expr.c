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

static bool is_keyword(const hcl_parser *p, const hcl_tok *t, const char *kw)
{
	return t->type == HCL_TOK_IDENT && hcl_tok_len(t) == strlen(kw) &&
	       memcmp(hcl_p_text(p, t), kw, hcl_tok_len(t)) == 0;
}

/* ---- literals ---------------------------------------------------------- */

static bool parse_number(hcl_parser *p, const hcl_tok *t, hcl_literal *out)
{
	char buf[128];
	out->kind = HCL_LIT_NUMBER;
	out->text = gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
	/* Most literals are small whole numbers, exact in a double up to 15
	 * digits: converted here, without strtod's general algorithm. */
	size_t digits = 0;
	uint64_t whole = 0;
	while (digits < hcl_tok_len(t) && digits < 16 && out->text[digits] >= '0' &&
	       out->text[digits] <= '9')
		whole = whole * 10 + (uint64_t)(out->text[digits++] - '0');
	if (digits == hcl_tok_len(t) && digits <= 15) {
		out->num = (double)whole;
		return true;
	}
	size_t dots = 0;
	for (size_t i = 0; i < hcl_tok_len(t); i++)
		dots += hcl_p_text(p, t)[i] == '.';
	if (hcl_tok_len(t) >= sizeof(buf) || dots > 1) {
		hcl_p_error_at(p, t, "Invalid number literal",
		               "Failed to recognize the value of this number literal.");
		return false;
	}
	memcpy(buf, hcl_p_text(p, t), hcl_tok_len(t));
	buf[hcl_tok_len(t)] = 0;
	errno = 0;
	char *end;
	out->num = strtod(buf, &end);
	if (*end != 0 || !isfinite(out->num)) {
		hcl_p_error_at(p, t, "Invalid number literal",
		               "Failed to recognize the value of this number literal.");
		return false;
	}
	return true;
}

/* ---- traversals -------------------------------------------------------- */

/* Steps collected for `cur` (a traversal node) and not yet stored in it:
 * on the parser's scratch stack from `mark` (an index key parsed between
 * two steps takes its own lists before the next step is pushed). */
typedef struct {
	hcl_expr *cur;
	size_t mark;
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
	size_t n;
	hcl_step *pending = hcl_p_scratch_take(p, b->mark, sizeof(hcl_step), &n);
	if (n == 0)
		return;
	hcl_steps *s = steps_of(b->cur);
	if (s->len) {
		hcl_step *all = gf_arena_alloc(p->arena, (s->len + n) * sizeof(hcl_step));
		memcpy(all, s->steps, s->len * sizeof(hcl_step));
		memcpy(all + s->len, pending, n * sizeof(hcl_step));
		pending = all;
	}
	s->steps = pending;
	s->len += n;
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
	hcl_p_scratch_push(p, &step, sizeof(step));
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

static void legacy_index_error(hcl_parser *p, const hcl_tok *num, bool splat)
{
	const char *dot = memchr(hcl_p_text(p, num), '.', hcl_tok_len(num));
	char *detail = gf_arena_printf(
	        p->arena,
	        "When using the legacy index syntax, chaining two indexes together is not "
	        "permitted. Use the proper index syntax%s instead, like [%.*s][%.*s].",
	        splat ? " with a full splat expression [*]" : "", (int)(dot - hcl_p_text(p, num)),
	        hcl_p_text(p, num),
	        (int)(hcl_tok_len(num) - (size_t)(dot - hcl_p_text(p, num)) - 1), dot + 1);
	hcl_p_error_at(p, num, "Invalid legacy index syntax", detail);
}

static hcl_expr *parse_traversals(hcl_parser *p, hcl_expr *from);

/* .* followed by .attr / .0 steps, applied to the anonymous symbol. */
static hcl_expr *attr_splat(hcl_parser *p, hcl_expr *source, const hcl_tok *dot,
                            const hcl_tok *star)
{
	hcl_expr *sym =
	        hcl_p_new_expr(p, HCL_EXPR_ANON_SYMBOL,
	                       hcl_range_between(hcl_p_range(p, dot), hcl_p_range(p, star)));
	trav_builder b = {sym, hcl_p_scratch_mark(p)};
	int unused = 0;
	hcl_range last = hcl_p_range(p, star);
	while (hcl_p_peek(p)->type == HCL_TOK_DOT) {
		const hcl_tok *d = hcl_p_read(p);
		const hcl_tok *t = hcl_p_peek(p);
		hcl_step step = {0};
		if (t->type == HCL_TOK_IDENT) {
			hcl_p_read(p);
			step.kind = HCL_STEP_ATTR;
			step.name = gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
		} else if (t->type == HCL_TOK_NUMBER) {
			hcl_p_read(p);
			step.kind = HCL_STEP_INDEX;
			step.legacy_dot = true;
			if (memchr(hcl_p_text(p, t), '.', hcl_tok_len(t)))
				legacy_index_error(p, t, true);
			else
				parse_number(p, t, &step.key);
		} else {
			if (t->type == HCL_TOK_STAR)
				hcl_p_error_at(
				        p, t, "Nested splat expression not allowed",
				        "A splat expression (*) cannot be used inside another "
				        "attribute-only splat expression.");
			else
				hcl_p_error_at(p, t, "Invalid attribute name",
				               "An attribute name is required after a dot.");
			break;
		}
		step.range = hcl_range_between(hcl_p_range(p, d), hcl_p_range(p, t));
		last = hcl_p_range(p, t);
		add_step(p, &b, step, &unused);
	}
	flush_steps(p, &b);
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_SPLAT, hcl_range_between(source->range, last));
	e->u.splat.source = source;
	e->u.splat.each = b.cur;
	e->u.splat.marker_range = sym->range;
	return e;
}

static hcl_expr *index_or_splat(hcl_parser *p, trav_builder *b, const hcl_tok *open, int *levels)
{
	if (hcl_p_peek(p)->type == HCL_TOK_STAR) {
		hcl_p_read(p);
		const hcl_tok *close = hcl_p_peek(p);
		if (close->type == HCL_TOK_RBRACK) {
			hcl_p_read(p);
		} else {
			hcl_p_error_at(p, close, "Missing close bracket on splat index",
			               "The star for a full splat operator must be immediately "
			               "followed by "
			               "a closing bracket (\"]\").");
			close = hcl_p_recover(p, HCL_TOK_RBRACK);
		}
		hcl_range marker = hcl_range_between(hcl_p_range(p, open), hcl_p_range(p, close));
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
	const hcl_tok *close;
	if (p->recovery && p->diags->errors > nerr) {
		close = hcl_p_recover(p, HCL_TOK_RBRACK);
	} else {
		close = hcl_p_peek(p);
		if (close->type != HCL_TOK_RBRACK) {
			hcl_p_error_at(
			        p, close, "Missing close bracket on index",
			        "The index operator must end with a closing bracket (\"]\").");
			close = hcl_p_recover(p, HCL_TOK_RBRACK);
		} else {
			hcl_p_read(p);
		}
	}
	hcl_p_pop_nl(p);
	hcl_range br = hcl_range_between(hcl_p_range(p, open), hcl_p_range(p, close));
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
	trav_builder b = {from, hcl_p_scratch_mark(p)};
	int levels = 0;
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		hcl_expr *next = NULL;
		if (t->type == HCL_TOK_DOT) {
			const hcl_tok *dot = hcl_p_read(p);
			const hcl_tok *a = hcl_p_peek(p);
			hcl_step step = {0};
			if (a->type == HCL_TOK_IDENT) {
				hcl_p_read(p);
				step.kind = HCL_STEP_ATTR;
				step.name = gf_arena_strndup(p->arena, hcl_p_text(p, a),
				                             hcl_tok_len(a));
			} else if (a->type == HCL_TOK_NUMBER) {
				hcl_p_read(p);
				step.kind = HCL_STEP_INDEX;
				step.legacy_dot = true;
				if (memchr(hcl_p_text(p, a), '.', hcl_tok_len(a)))
					legacy_index_error(p, a, false);
				else
					parse_number(p, a, &step.key);
			} else if (a->type == HCL_TOK_STAR) {
				hcl_p_read(p);
				if (!wrap(p, &b, hcl_p_range(p, a), &levels))
					break;
				next = attr_splat(p, b.cur, dot, a);
			} else {
				hcl_p_error_at(p, a, "Invalid attribute name",
				               "An attribute name is required after a dot.");
				break;
			}
			if (!next) {
				step.range =
				        hcl_range_between(hcl_p_range(p, dot), hcl_p_range(p, a));
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
	p->depth -= levels;
	return b.cur;
}

/* ---- terms ------------------------------------------------------------- */

static hcl_expr *parse_call(hcl_parser *p, const hcl_tok *name)
{
	const hcl_tok *open = hcl_p_read(p);
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_CALL, hcl_p_range(p, name));
	e->u.call.name = gf_arena_strndup(p->arena, hcl_p_text(p, name), hcl_tok_len(name));
	e->u.call.name_range = hcl_p_range(p, name);
	e->u.call.open_paren = hcl_p_range(p, open);
	size_t args = hcl_p_scratch_mark(p);
	const hcl_tok *close = NULL;
	hcl_p_push_nl(p, false);
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_RPAREN) {
			close = hcl_p_read(p);
			break;
		}
		size_t nerr = p->diags->errors;
		hcl_expr *arg = hcl_p_parse_expression(p);
		hcl_p_scratch_push(p, &arg, sizeof(arg));
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RPAREN);
			break;
		}
		const hcl_tok *sep = hcl_p_peek(p);
		if (sep->type == HCL_TOK_COMMA || sep->type == HCL_TOK_RPAREN ||
		    sep->type == HCL_TOK_ELLIPSIS)
			hcl_p_read(p);
		if (sep->type == HCL_TOK_ELLIPSIS) {
			e->u.call.expand_final = true;
			sep = hcl_p_peek(p);
			if (sep->type != HCL_TOK_RPAREN) {
				hcl_p_context(
				        hcl_p_error_at(
				                p, sep, "Missing closing parenthesis",
				                "An expanded function argument (with ...) must be "
				                "immediately "
				                "followed by closing parentheses."),
				        hcl_p_range(p, name), hcl_p_range(p, sep));
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
			hcl_range r = hcl_range_between(hcl_p_range(p, name), hcl_p_range(p, open));
			hcl_p_error(
			        p, &r, "Unterminated function call",
			        "There is no closing parenthesis for this function call before the "
			        "end of the file. This may be caused by incorrect parenthesis "
			        "nesting elsewhere in this file.");
			close = sep;
			break;
		}
		hcl_p_context(
		        hcl_p_error_at(p, sep, "Missing argument separator",
		                       "A comma is required to separate each function argument "
		                       "from the next."),
		        hcl_p_range(p, name), hcl_p_range(p, sep));
		close = hcl_p_recover(p, HCL_TOK_RPAREN);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.call.args = hcl_p_scratch_take(p, args, sizeof(hcl_expr *), &e->u.call.nargs);
	e->u.call.close_paren = hcl_p_range(p, close);
	e->range = hcl_range_between(hcl_p_range(p, name), hcl_p_range(p, close));
	return e;
}

static bool expect_ident(hcl_parser *p, const hcl_tok *open, const char **out, hcl_range *r,
                         const char *detail)
{
	const hcl_tok *t = hcl_p_peek(p);
	if (t->type != HCL_TOK_IDENT) {
		hcl_p_context(hcl_p_error_at(p, t, "Invalid 'for' expression", detail),
		              hcl_p_range(p, open), hcl_p_range(p, t));
		return false;
	}
	hcl_p_read(p);
	*out = gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
	*r = hcl_p_range(p, t);
	return true;
}

/* [for ...] or {for ...}, after the opening bracket; `for` is next. */
static hcl_expr *parse_for(hcl_parser *p, const hcl_tok *open)
{
	bool obj = open->type == HCL_TOK_LBRACE;
	hcl_token_type close_type = obj ? HCL_TOK_RBRACE : HCL_TOK_RBRACK;
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_FOR, hcl_p_range(p, open));
	e->u.for_.object = obj;
	e->u.for_.open = hcl_p_range(p, open);
	hcl_p_push_nl(p, false);
	hcl_p_read(p); /* for */
	const hcl_tok *close = NULL;
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
	if (!is_keyword(p, hcl_p_peek(p), "in")) {
		hcl_p_context(
		        hcl_p_error_at(p, hcl_p_peek(p), "Invalid 'for' expression",
		                       "For expression requires the 'in' keyword after its name "
		                       "declarations."),
		        hcl_p_range(p, open), hcl_p_range(p, hcl_p_peek(p)));
		goto recover;
	}
	hcl_p_read(p);
	size_t nerr = p->diags->errors;
	e->u.for_.coll = hcl_p_parse_expression(p);
	if (p->recovery && p->diags->errors > nerr)
		goto recover;
	if (hcl_p_peek(p)->type != HCL_TOK_COLON) {
		hcl_p_context(
		        hcl_p_error_at(
		                p, hcl_p_peek(p), "Invalid 'for' expression",
		                "For expression requires a colon after the collection expression."),
		        hcl_p_range(p, open), hcl_p_range(p, hcl_p_peek(p)));
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
		ellipsis = hcl_p_range(p, hcl_p_read(p));
		e->u.for_.group = true;
	}
	if (is_keyword(p, hcl_p_peek(p), "if")) {
		hcl_p_read(p);
		e->u.for_.cond = hcl_p_parse_expression(p);
		if (p->recovery && p->diags->errors > nerr)
			goto recover;
	}
	if (hcl_p_peek(p)->type != close_type) {
		hcl_p_context(
		        hcl_p_error_at(p, hcl_p_peek(p), "Invalid 'for' expression",
		                       "Extra characters after the end of the 'for' expression."),
		        hcl_p_range(p, open), hcl_p_range(p, hcl_p_peek(p)));
		goto recover;
	}
	close = hcl_p_read(p);
	if (!obj && e->u.for_.key_expr)
		hcl_p_context(hcl_p_error(p, &e->u.for_.key_expr->range, "Invalid 'for' expression",
		                          "Key expression is not valid when building a tuple."),
		              hcl_p_range(p, open), hcl_p_range(p, close));
	if (!obj && e->u.for_.group)
		hcl_p_context(
		        hcl_p_error(
		                p, &ellipsis, "Invalid 'for' expression",
		                "Grouping ellipsis (...) cannot be used when building a tuple."),
		        hcl_p_range(p, open), hcl_p_range(p, close));
	if (obj && !e->u.for_.key_expr)
		hcl_p_context(hcl_p_error(p, &e->u.for_.value_expr->range,
		                          "Invalid 'for' expression",
		                          "Key expression is required when building an object."),
		              hcl_p_range(p, open), hcl_p_range(p, close));
	goto done;
recover:
	close = hcl_p_recover(p, close_type);
	e->kind = HCL_EXPR_INVALID;
done:
	hcl_p_pop_nl(p);
	e->u.for_.close = hcl_p_range(p, close);
	e->range = hcl_range_between(hcl_p_range(p, open), hcl_p_range(p, close));
	return e;
}

static hcl_expr *parse_tuple(hcl_parser *p, const hcl_tok *open)
{
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_TUPLE, hcl_p_range(p, open));
	size_t items = hcl_p_scratch_mark(p);
	const hcl_tok *close;
	hcl_p_push_nl(p, false);
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_RBRACK) {
			close = hcl_p_read(p);
			break;
		}
		size_t nerr = p->diags->errors;
		hcl_expr *item = hcl_p_parse_expression(p);
		hcl_p_scratch_push(p, &item, sizeof(item));
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
			hcl_p_error_at(
			        p, open, "Unterminated tuple constructor expression",
			        "There is no corresponding closing bracket before the end of the "
			        "file. This may be caused by incorrect bracket nesting elsewhere "
			        "in "
			        "this file.");
		else
			hcl_p_context(
			        hcl_p_error_at(
			                p, t, "Missing item separator",
			                "Expected a comma to mark the beginning of the next item."),
			        hcl_p_range(p, open), hcl_p_range(p, t));
		close = hcl_p_recover(p, HCL_TOK_RBRACK);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.tuple.items = hcl_p_scratch_take(p, items, sizeof(hcl_expr *), &e->u.tuple.len);
	e->u.tuple.open = hcl_p_range(p, open);
	e->u.tuple.close = hcl_p_range(p, close);
	e->range = hcl_range_between(hcl_p_range(p, open), hcl_p_range(p, close));
	return e;
}

static const char *unterminated_object =
        "There is no corresponding closing brace before the end of the file. This may be "
        "caused by incorrect brace nesting elsewhere in this file.";

static hcl_expr *parse_object(hcl_parser *p, const hcl_tok *open)
{
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_OBJECT, hcl_p_range(p, open));
	size_t items = hcl_p_scratch_mark(p);
	const hcl_tok *close;
	hcl_p_push_nl(p, true);
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
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
			hcl_expr *name = hcl_p_new_expr(p, HCL_EXPR_SCOPE_TRAVERSAL, it.key->range);
			name->u.scope.root = kw;
			name->u.scope.root_range = it.key->range;
			it.key = name;
		}
		it.key_ident =
		        it.key->kind == HCL_EXPR_SCOPE_TRAVERSAL && it.key->u.scope.steps.len == 0;
		t = hcl_p_peek(p);
		if (t->type != HCL_TOK_EQUAL && t->type != HCL_TOK_COLON) {
			if (t->type == HCL_TOK_NEWLINE || t->type == HCL_TOK_COMMA)
				hcl_p_context(
				        hcl_p_error_at(p, t, "Missing attribute value",
				                       "Expected an attribute value, introduced "
				                       "by an equals sign "
				                       "(\"=\")."),
				        hcl_p_range(p, open), hcl_p_range(p, t));
			else if (t->type == HCL_TOK_EOF)
				hcl_p_error_at(p, open,
				               "Unterminated object constructor expression",
				               unterminated_object);
			else if (t->type == HCL_TOK_IDENT)
				hcl_p_context(
				        hcl_p_error_at(p, t, "Missing key/value separator",
				                       "Expected an equals sign (\"=\") to mark "
				                       "the beginning of "
				                       "the "
				                       "attribute value. If you intended to "
				                       "given an attribute "
				                       "name "
				                       "containing periods or spaces, write the "
				                       "name in quotes to "
				                       "create a string literal."),
				        hcl_p_range(p, open), hcl_p_range(p, t));
			else
				hcl_p_context(
				        hcl_p_error_at(p, t, "Missing key/value separator",
				                       "Expected an equals sign (\"=\") to mark "
				                       "the beginning "
				                       "of the "
				                       "attribute value."),
				        hcl_p_range(p, open), hcl_p_range(p, t));
			close = hcl_p_recover(p, HCL_TOK_RBRACE);
			break;
		}
		it.colon = t->type == HCL_TOK_COLON;
		hcl_p_read(p);
		it.value = hcl_p_parse_expression(p);
		hcl_p_scratch_push(p, &it, sizeof(it));
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
			hcl_p_error_at(p, open, "Unterminated object constructor expression",
			               unterminated_object);
		else
			hcl_p_context(hcl_p_error_at(p, t, "Missing attribute separator",
			                             "Expected a newline or comma to mark the "
			                             "beginning of the next "
			                             "attribute."),
			              hcl_p_range(p, open), hcl_p_range(p, t));
		close = hcl_p_recover(p, HCL_TOK_RBRACE);
		break;
	}
	hcl_p_pop_nl(p);
	e->u.object.items = hcl_p_scratch_take(p, items, sizeof(hcl_object_item), &e->u.object.len);
	e->u.object.open = hcl_p_range(p, open);
	e->u.object.close = hcl_p_range(p, close);
	e->range = hcl_range_between(hcl_p_range(p, open), hcl_p_range(p, close));
	return e;
}

/* Whether the next significant token, ignoring newlines, is `for`. */
static bool next_is_for(hcl_parser *p)
{
	hcl_p_push_nl(p, false);
	bool r = is_keyword(p, hcl_p_peek(p), "for");
	hcl_p_pop_nl(p);
	return r;
}

static hcl_expr *parse_term(hcl_parser *p)
{
	const hcl_tok *t = hcl_p_peek(p);
	switch (t->type) {
	case HCL_TOK_LPAREN: {
		hcl_p_read(p);
		hcl_p_push_nl(p, false);
		size_t nerr = p->diags->errors;
		hcl_expr *inner = hcl_p_parse_expression(p);
		const hcl_tok *close;
		if (p->recovery && p->diags->errors > nerr) {
			close = hcl_p_recover(p, HCL_TOK_RPAREN);
		} else {
			close = hcl_p_peek(p);
			if (close->type != HCL_TOK_RPAREN) {
				hcl_p_context(
				        hcl_p_error_at(
				                p, close, "Unbalanced parentheses",
				                "Expected a closing parenthesis to terminate the "
				                "expression."),
				        hcl_p_range(p, t), hcl_p_range(p, close));
				close = hcl_p_recover(p, HCL_TOK_RPAREN);
			} else {
				hcl_p_read(p);
			}
		}
		hcl_p_pop_nl(p);
		hcl_expr *e =
		        hcl_p_new_expr(p, HCL_EXPR_PARENS,
		                       hcl_range_between(hcl_p_range(p, t), hcl_p_range(p, close)));
		e->u.parens.inner = inner;
		return e;
	}
	case HCL_TOK_NUMBER: {
		hcl_p_read(p);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_LITERAL, hcl_p_range(p, t));
		if (!parse_number(p, t, &e->u.lit))
			e->kind = HCL_EXPR_INVALID;
		return e;
	}
	case HCL_TOK_IDENT: {
		hcl_p_read(p);
		if (hcl_p_peek(p)->type == HCL_TOK_LPAREN)
			return parse_call(p, t);
		if (is_keyword(p, t, "true") || is_keyword(p, t, "false") ||
		    is_keyword(p, t, "null")) {
			hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_LITERAL, hcl_p_range(p, t));
			if (hcl_p_text(p, t)[0] != 'n') {
				e->u.lit.kind = HCL_LIT_BOOL;
				e->u.lit.b = hcl_p_text(p, t)[0] == 't';
			}
			return e;
		}
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_SCOPE_TRAVERSAL, hcl_p_range(p, t));
		e->u.scope.root = gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
		e->u.scope.root_range = hcl_p_range(p, t);
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
		hcl_p_error_at(
		        p, t, "Missing expression",
		        "Expected the start of an expression, but found the end of the file.");
		return invalid_at(p, hcl_p_range(p, t));
	case HCL_TOK_INVALID:
	case HCL_TOK_BAD_UTF8:
		p->recovery = true; /* the lexer reported it */
		return invalid_at(p, hcl_p_range(p, t));
	default:
		hcl_p_error_at(
		        p, t, "Invalid expression",
		        "Expected the start of an expression, but found an invalid expression "
		        "token.");
		return invalid_at(p, hcl_p_range(p, t));
	}
}

/* ---- operators --------------------------------------------------------- */

/* The binary operators by token, with their precedence level (1 binds
 * loosest; 0: not a binary operator). */
static const struct {
	hcl_op op;
	int level;
} binops[HCL_TOK_BAD_UTF8 + 1] = {
        [HCL_TOK_OR] = {HCL_OP_OR, 1},       [HCL_TOK_AND] = {HCL_OP_AND, 2},
        [HCL_TOK_EQ] = {HCL_OP_EQ, 3},       [HCL_TOK_NE] = {HCL_OP_NE, 3},
        [HCL_TOK_LT] = {HCL_OP_LT, 4},       [HCL_TOK_LE] = {HCL_OP_LE, 4},
        [HCL_TOK_GT] = {HCL_OP_GT, 4},       [HCL_TOK_GE] = {HCL_OP_GE, 4},
        [HCL_TOK_PLUS] = {HCL_OP_ADD, 5},    [HCL_TOK_MINUS] = {HCL_OP_SUB, 5},
        [HCL_TOK_STAR] = {HCL_OP_MUL, 6},    [HCL_TOK_SLASH] = {HCL_OP_DIV, 6},
        [HCL_TOK_PERCENT] = {HCL_OP_MOD, 6},
};

static hcl_expr *parse_unary(hcl_parser *p)
{
	const hcl_tok *t = hcl_p_peek(p);
	if (t->type != HCL_TOK_MINUS && t->type != HCL_TOK_BANG) {
		hcl_expr *term = parse_term(p);
		if (term->kind == HCL_EXPR_INVALID && p->recovery)
			return term;
		return parse_traversals(p, term);
	}
	hcl_p_read(p);
	if (!hcl_p_enter_at(p, t))
		return invalid_at(p, hcl_p_range(p, t));
	hcl_expr *operand = parse_unary(p);
	p->depth--;
	hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_UNARY,
	                             hcl_range_between(hcl_p_range(p, t), operand->range));
	e->u.unary.op = t->type == HCL_TOK_MINUS ? HCL_OP_NEG : HCL_OP_NOT;
	e->u.unary.operand = operand;
	e->u.unary.op_range = hcl_p_range(p, t);
	return e;
}

/*
 * Binary operators of precedence `min` and above, by precedence climbing:
 * one loop per operand rather than one call per precedence level.
 *
 * The depth it counts (for HCL_MAX_DEPTH) is the one of a parser with one
 * function per level, each counting the operators of its level it has
 * read: per level, the operators read in this call and not yet closed by
 * an operator of a lower level (count[]). Reading an operator of level L
 * closes the levels above L; so does failing to enter it, which closes L
 * too: the levels this call may still read shrink (max).
 */
static hcl_expr *parse_binary(hcl_parser *p, int min)
{
	if (min > 6)
		return parse_unary(p);
	size_t nerr = p->diags->errors;
	hcl_expr *lhs = parse_unary(p);
	int count[7] = {0};
	int max = 6;
	while (!(p->recovery && p->diags->errors > nerr)) {
		hcl_token_type type = hcl_p_peek(p)->type;
		int level = binops[type].level;
		if (level < min || level > max)
			break;
		const hcl_tok *t = hcl_p_read(p);
		for (int l = level + 1; l <= max; l++) {
			p->depth -= count[l];
			count[l] = 0;
		}
		max = level;
		if (!hcl_p_enter_at(p, t)) {
			p->depth -= count[level];
			count[level] = 0;
			max = level - 1;
			continue;
		}
		count[level]++;
		hcl_expr *rhs = parse_binary(p, level + 1);
		hcl_expr *e = hcl_p_new_expr(p, HCL_EXPR_BINARY,
		                             hcl_range_between(lhs->range, rhs->range));
		e->u.binary.op = binops[type].op;
		e->u.binary.lhs = lhs;
		e->u.binary.rhs = rhs;
		e->u.binary.op_range = hcl_p_range(p, t);
		lhs = e;
	}
	for (int l = min; l <= 6; l++)
		p->depth -= count[l];
	return lhs;
}

hcl_expr *hcl_p_parse_expression(hcl_parser *p)
{
	const hcl_tok *start = hcl_p_peek(p);
	if (!hcl_p_enter_at(p, start))
		return invalid_at(p, hcl_p_range(p, start));
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
	const hcl_tok *colon = hcl_p_peek(p);
	if (!(p->recovery && p->diags->errors > nerr)) {
		if (colon->type != HCL_TOK_COLON) {
			hcl_p_context(
			        hcl_p_error_at(
			                p, colon, "Missing false expression in conditional",
			                "The conditional operator (...?...:...) requires a false "
			                "expression, "
			                "delimited by a colon."),
			        cond->range, hcl_p_range(p, colon));
		} else {
			hcl_p_read(p);
			e->u.cond.else_expr = hcl_p_parse_expression(p);
		}
	}
	e->range = hcl_range_between(cond->range, e->u.cond.else_expr->range);
	p->depth--;
	return e;
}
