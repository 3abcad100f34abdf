/*
 * The parser: the token peeker, error recovery, and bodies (attributes and
 * blocks). Expressions are in parse_expr.c, templates in parse_tpl.c.
 */
#include "hcl/parse_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- peeker ------------------------------------------------------------ */

/* Index of the next significant token from `i`; sets *fake when it is a
 * line comment standing for its newline. */
static size_t next_index(hcl_parser *p, size_t i, bool *fake)
{
	*fake = false;
	for (; i < p->ntoks - 1; i++) {
		const hcl_tok *t = &p->toks[i];
		if (t->type == HCL_TOK_COMMENT) {
			if (p->incl_nl && t->end > t->start && p->map.src[t->end - 1] == '\n') {
				*fake = true;
				return i;
			}
			continue;
		}
		if (t->type == HCL_TOK_NEWLINE && !p->incl_nl)
			continue;
		return i;
	}
	return p->ntoks - 1;
}

const hcl_tok *hcl_p_peek_slow(hcl_parser *p)
{
	bool fake;
	size_t i = next_index(p, p->pos, &fake);
	p->peek.from = p->pos;
	p->peek.incl = p->incl_nl;
	p->peek.index = i;
	p->peek.invalid = false;
	if (fake) {
		p->fake_nl.start = p->toks[i].end - 1;
		p->fake_nl.end = p->toks[i].end;
		p->fake_nl.type = HCL_TOK_NEWLINE;
		p->peek.tok = &p->fake_nl;
		return p->peek.tok;
	}
	p->peek.tok = &p->toks[i];
	/* The lexer reported these; whatever they break is not news. */
	if (p->toks[i].type == HCL_TOK_INVALID || p->toks[i].type == HCL_TOK_BAD_UTF8) {
		p->peek.invalid = true;
		p->recovery = true;
	}
	return p->peek.tok;
}

/* hcl_p_peek's fast path tests token types by range. */
_Static_assert(HCL_TOK_EOF < HCL_TOK_IDENT && HCL_TOK_NEWLINE < HCL_TOK_IDENT &&
                       HCL_TOK_COMMENT + 1 == HCL_TOK_IDENT &&
                       HCL_TOK_BAD_UTF8 == HCL_TOK_INVALID + 1,
               "the insignificant token types come first, the invalid ones last");

void hcl_p_scratch_push(hcl_parser *p, const void *elem, size_t size)
{
	gf_vec_reserve(&p->scratch, size);
	memcpy(p->scratch.items + p->scratch.len, elem, size);
	p->scratch.len += size;
}

void *hcl_p_scratch_take(hcl_parser *p, size_t mark, size_t size, size_t *n)
{
	size_t bytes = p->scratch.len - mark;
	*n = bytes / size;
	p->scratch.len = mark;
	return bytes ? gf_arena_memdup(p->arena, p->scratch.items + mark, bytes) : NULL;
}

hcl_range hcl_p_prev_range(hcl_parser *p)
{
	size_t i = p->pos;
	while (i > 0 && p->toks[i - 1].type == HCL_TOK_COMMENT)
		i--;
	return hcl_p_range(p, &p->toks[i == 0 ? 0 : i - 1]);
}

void hcl_p_push_nl(hcl_parser *p, bool include)
{
	gf_vec_push(&p->nl, include);
	p->incl_nl = include;
}

void hcl_p_pop_nl(hcl_parser *p)
{
	if (p->nl.len > 0)
		p->nl.len--;
	p->incl_nl = p->nl.len == 0 || p->nl.items[p->nl.len - 1];
}

hcl_range hcl_range_between(hcl_range a, hcl_range b)
{
	hcl_range r = a;
	if (b.end.byte > a.end.byte)
		r.end = b.end;
	return r;
}

hcl_diag *hcl_p_error(hcl_parser *p, const hcl_range *subject, const char *summary,
                      const char *detail)
{
	hcl_diag *d = NULL;
	if (!p->recovery)
		d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, subject, summary, "%s", detail);
	p->recovery = true;
	return d;
}

hcl_diag *hcl_p_error_at(hcl_parser *p, const hcl_tok *t, const char *summary, const char *detail)
{
	hcl_range r = hcl_p_range(p, t);
	return hcl_p_error(p, &r, summary, detail);
}

void hcl_p_context(hcl_diag *d, hcl_range from, hcl_range to)
{
	if (!d)
		return;
	d->context = hcl_range_between(from, to);
	/* The diagnostics' own copy: the parser's arena may die first. */
	d->context.filename = d->subject.filename;
}

bool hcl_p_enter_at(hcl_parser *p, const hcl_tok *t)
{
	if (p->depth < HCL_MAX_DEPTH) {
		p->depth++;
		return true;
	}
	hcl_range r = hcl_p_range(p, t);
	return hcl_p_enter(p, &r);
}

bool hcl_p_enter(hcl_parser *p, const hcl_range *where)
{
	if (p->depth >= HCL_MAX_DEPTH) {
		if (!p->too_deep_reported)
			hcl_diags_add(
			        p->diags, HCL_DIAG_ERROR, where, "Nesting too deep",
			        "This construct is nested more than %d levels deep, which is "
			        "more than gitfleet accepts. Simplify the expression or split it "
			        "into local values.",
			        HCL_MAX_DEPTH);
		p->too_deep_reported = true;
		p->recovery = true;
		return false;
	}
	p->depth++;
	return true;
}

/* Bytes of a node of each kind: the header and its own member of the
 * union, not the largest one (a binary node needs 112 bytes, a full union
 * node 272). Code reads only the member its kind names, so the tail is
 * never touched; a node may change kind only to HCL_EXPR_INVALID, which
 * has no member. */
#define EXPR_SIZE(member) (offsetof(hcl_expr, u) + sizeof(((hcl_expr *)0)->u.member))
static const size_t expr_size[] = {
        [HCL_EXPR_INVALID] = offsetof(hcl_expr, u),
        [HCL_EXPR_LITERAL] = EXPR_SIZE(lit),
        [HCL_EXPR_TEMPLATE] = EXPR_SIZE(tpl),
        [HCL_EXPR_TEMPLATE_WRAP] = EXPR_SIZE(wrap),
        [HCL_EXPR_SCOPE_TRAVERSAL] = EXPR_SIZE(scope),
        [HCL_EXPR_RELATIVE_TRAVERSAL] = EXPR_SIZE(rel),
        [HCL_EXPR_INDEX] = EXPR_SIZE(index),
        [HCL_EXPR_CALL] = EXPR_SIZE(call),
        [HCL_EXPR_CONDITIONAL] = EXPR_SIZE(cond),
        [HCL_EXPR_BINARY] = EXPR_SIZE(binary),
        [HCL_EXPR_UNARY] = EXPR_SIZE(unary),
        [HCL_EXPR_TUPLE] = EXPR_SIZE(tuple),
        [HCL_EXPR_OBJECT] = EXPR_SIZE(object),
        [HCL_EXPR_FOR] = EXPR_SIZE(for_),
        [HCL_EXPR_SPLAT] = EXPR_SIZE(splat),
        [HCL_EXPR_ANON_SYMBOL] = offsetof(hcl_expr, u),
        [HCL_EXPR_PARENS] = EXPR_SIZE(parens),
};

hcl_expr *hcl_p_new_expr(hcl_parser *p, hcl_expr_kind kind, hcl_range range)
{
	hcl_expr *e = gf_arena_alloc(p->arena, expr_size[kind]);
	e->kind = kind;
	e->range = range;
	return e;
}

static bool is_opener(hcl_token_type t)
{
	return t == HCL_TOK_LBRACE || t == HCL_TOK_LBRACK || t == HCL_TOK_LPAREN ||
	       t == HCL_TOK_OQUOTE || t == HCL_TOK_OHEREDOC || t == HCL_TOK_TEMPLATE_INTERP ||
	       t == HCL_TOK_TEMPLATE_CONTROL;
}

static bool is_closer(hcl_token_type t)
{
	return t == HCL_TOK_RBRACE || t == HCL_TOK_RBRACK || t == HCL_TOK_RPAREN ||
	       t == HCL_TOK_CQUOTE || t == HCL_TOK_CHEREDOC || t == HCL_TOK_TEMPLATE_SEQ_END;
}

/* Whether the tokens from index i start a line `name =`: a new argument,
 * which cannot be inside an unclosed tuple, index or parenthesis. */
static bool starts_argument(const hcl_parser *p, size_t i)
{
	while (i < p->ntoks && p->toks[i].type == HCL_TOK_COMMENT)
		i++;
	return i + 1 < p->ntoks && p->toks[i].type == HCL_TOK_IDENT &&
	       p->toks[i + 1].type == HCL_TOK_EQUAL;
}

const hcl_tok *hcl_p_recover(hcl_parser *p, hcl_token_type close)
{
	p->recovery = true;
	int nest = 0;
	bool bracket = close == HCL_TOK_RBRACK || close == HCL_TOK_RPAREN;
	hcl_p_push_nl(p, false);
	for (;;) {
		/* An unclosed [ or ( must not swallow the rest of the file: give
		 * up at a `}` or at a line that starts a new argument. */
		if (bracket && nest == 0 && p->pos < p->ntoks) {
			const hcl_tok *raw = &p->toks[p->pos];
			if (raw->type == HCL_TOK_RBRACE ||
			    (raw->type == HCL_TOK_NEWLINE && starts_argument(p, p->pos + 1))) {
				hcl_p_pop_nl(p);
				return raw;
			}
		}
		const hcl_tok *t = hcl_p_read(p);
		if (t->type == HCL_TOK_EOF)
			break;
		/* The lexer's forced end of an unclosed ${ (see lex.c): what
		 * was open inside it can no longer close. */
		if (t->type == HCL_TOK_TEMPLATE_SEQ_END && hcl_tok_len(t) == 0 &&
		    close == t->type) {
			hcl_p_pop_nl(p);
			return t;
		}
		if (nest == 0 && t->type == close) {
			hcl_p_pop_nl(p);
			return t;
		}
		if (is_opener(t->type))
			nest++;
		else if (is_closer(t->type) && nest > 0)
			nest--;
	}
	hcl_p_pop_nl(p);
	return &p->toks[p->ntoks - 1];
}

/*
 * Skips the rest of a broken body item: to the end of its line, with
 * brackets balanced, consuming the newline. An unmatched `}` inside a block
 * is left for the block's body to close it.
 */
static void recover_after_item(hcl_parser *p)
{
	p->recovery = true;
	int nest = 0;
	hcl_p_push_nl(p, true);
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_EOF)
			break;
		if (t->type == HCL_TOK_NEWLINE && nest == 0) {
			hcl_p_read(p);
			break;
		}
		if (t->type == HCL_TOK_RBRACE && nest == 0 && p->block_depth > 0)
			break;
		hcl_p_read(p);
		if (is_opener(t->type))
			nest++;
		else if (is_closer(t->type) && nest > 0)
			nest--;
	}
	hcl_p_pop_nl(p);
}

/* ---- bodies ------------------------------------------------------------ */

/* Open-addressing set of attribute names, for "Attribute redefined" in
 * linear time however many attributes a body has. */
typedef struct {
	const hcl_attribute **slots; /* `small` until a body has 8 names */
	size_t cap, len;
	const hcl_attribute *small[16];
} name_set;

static void name_set_init(name_set *s)
{
	memset(s->small, 0, sizeof(s->small));
	s->slots = s->small;
	s->cap = sizeof(s->small) / sizeof(s->small[0]);
	s->len = 0;
}

static void name_set_dispose(name_set *s)
{
	if (s->slots != s->small)
		free(s->slots);
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Returns the attribute already holding a's name, or adds a and returns NULL. */
static const hcl_attribute *name_set_add(name_set *s, const hcl_attribute *a)
{
	if (2 * (s->len + 1) > s->cap) {
		const hcl_attribute **old = s->slots;
		size_t old_cap = s->cap;
		s->cap *= 2;
		s->len = 0;
		s->slots = gf_xcalloc(s->cap, sizeof(*s->slots));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i])
				name_set_add(s, old[i]);
		if (old != s->small)
			free(old);
	}
	size_t i = hash_name(a->name) & (s->cap - 1);
	while (s->slots[i]) {
		if (strcmp(s->slots[i]->name, a->name) == 0)
			return s->slots[i];
		i = (i + 1) & (s->cap - 1);
	}
	s->slots[i] = a;
	s->len++;
	return NULL;
}

static hcl_body *parse_body(hcl_parser *p, hcl_token_type end, hcl_range start);

static char *tok_text(hcl_parser *p, const hcl_tok *t)
{
	return gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
}

static hcl_attribute *finish_attribute(hcl_parser *p, const hcl_tok *ident, bool single_line)
{
	hcl_attribute *a = gf_arena_alloc(p->arena, sizeof(*a));
	a->name = tok_text(p, ident);
	a->name_range = hcl_p_range(p, ident);
	a->equals_range = hcl_p_range(p, hcl_p_read(p));
	size_t nerr = p->diags->errors;
	a->expr = hcl_p_parse_expression(p);
	a->range = hcl_range_between(a->name_range, hcl_p_prev_range(p));
	if (p->recovery && p->diags->errors > nerr) {
		recover_after_item(p);
		return a;
	}
	if (single_line)
		return a;
	const hcl_tok *t = hcl_p_peek(p);
	if (t->type == HCL_TOK_NEWLINE || t->type == HCL_TOK_EOF) {
		hcl_p_read(p);
		return a;
	}
	if (p->recovery) {
		recover_after_item(p);
		return a;
	}
	hcl_diag *d;
	hcl_range tr = hcl_p_range(p, t);
	if (t->type == HCL_TOK_COMMA)
		d = hcl_diags_add(
		        p->diags, HCL_DIAG_ERROR, &tr, "Unexpected comma after argument",
		        "Argument definitions must be separated by newlines, not commas. An "
		        "argument definition must end with a newline.");
	else
		d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &tr, "Missing newline after argument",
		                  "An argument definition must end with a newline.");
	hcl_p_context(d, hcl_p_range(p, ident), tr);
	recover_after_item(p);
	return a;
}

static void block_error(hcl_parser *p, const hcl_tok *ident, const hcl_tok *t)
{
	const char *detail;
	if (t->type == HCL_TOK_EQUAL)
		detail = "The equals sign \"=\" indicates an argument definition, and must not be "
		         "used when defining a block.";
	else if (t->type == HCL_TOK_NEWLINE)
		detail = "A block definition must have block content delimited by \"{\" and \"}\", "
		         "starting on the same line as the block header.";
	else
		detail = "Either a quoted string block label or an opening brace (\"{\") is "
		         "expected "
		         "here.";
	if (!p->recovery) {
		hcl_range tr = hcl_p_range(p, t);
		hcl_diag *d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &tr,
		                            "Invalid block definition", "%s", detail);
		hcl_p_context(d, hcl_p_range(p, ident), tr);
	}
	p->recovery = true;
}

/* `{ name = expr }` on one line: the single-attribute block body. */
static hcl_body *parse_single_attr_body(hcl_parser *p, const hcl_tok *open)
{
	hcl_body *b = gf_arena_alloc(p->arena, sizeof(*b));
	b->range = hcl_p_range(p, open);
	b->end_range = hcl_p_range(p, open);
	const hcl_tok *ident = hcl_p_read(p);
	const hcl_tok *next = hcl_p_peek(p);
	if (ident->type != HCL_TOK_IDENT || next->type != HCL_TOK_EQUAL) {
		if (ident->type == HCL_TOK_IDENT &&
		    (next->type == HCL_TOK_OQUOTE || next->type == HCL_TOK_LBRACE ||
		     next->type == HCL_TOK_IDENT)) {
			hcl_range r =
			        hcl_range_between(hcl_p_range(p, ident), hcl_p_range(p, next));
			char *detail =
			        gf_arena_printf(p->arena,
			                        "A single-line block definition can contain "
			                        "only a single argument. If "
			                        "you meant to define argument \"%.*s\", use "
			                        "an equals sign to assign it "
			                        "a value. To define a nested block, place "
			                        "it on a line of its own within "
			                        "its parent block.",
			                        (int)hcl_tok_len(ident), hcl_p_text(p, ident));
			hcl_p_error(p, &r, "Argument definition required", detail);
		} else {
			hcl_p_error_at(
			        p, ident, "Argument or block definition required",
			        ident->type == HCL_TOK_IDENT
			                ? "An argument or block definition is required here. To "
			                  "set "
			                  "an argument, use the equals sign \"=\" to introduce the "
			                  "argument value."
			                : "An argument or block definition is required here.");
		}
		hcl_p_recover(p, HCL_TOK_RBRACE);
		return b;
	}
	hcl_attribute *a = finish_attribute(p, ident, true);
	b->items = gf_arena_alloc(p->arena, sizeof(*b->items));
	b->items[0].kind = HCL_ITEM_ATTRIBUTE;
	b->items[0].u.attr = a;
	b->len = 1;
	b->range = a->range;
	b->end_range = a->range;
	b->end_range.start = a->range.end;
	const hcl_tok *t = hcl_p_peek(p);
	if (t->type == HCL_TOK_RBRACE) {
		hcl_p_read(p);
		return b;
	}
	if (t->type == HCL_TOK_COMMA)
		hcl_p_error_at(
		        p, t, "Invalid single-argument block definition",
		        "Single-line block syntax can include only one argument definition. To "
		        "define multiple arguments, use the multi-line block syntax with one "
		        "argument definition per line.");
	else if (t->type == HCL_TOK_NEWLINE)
		hcl_p_error_at(
		        p, t, "Invalid single-argument block definition",
		        "An argument definition on the same line as its containing block creates "
		        "a single-line block definition, which must also be closed on the same "
		        "line. Place the block's closing brace immediately after the argument "
		        "definition.");
	else if (t->type == HCL_TOK_EOF)
		hcl_p_error_at(
		        p, open, "Unclosed configuration block",
		        "There is no closing brace for this block before the end of the file. "
		        "This may be caused by incorrect brace nesting elsewhere in this file.");
	else
		hcl_p_error_at(p, t, "Invalid single-argument block definition",
		               "A single-line block definition must end with a closing brace "
		               "immediately after its single argument definition.");
	hcl_p_recover(p, HCL_TOK_RBRACE);
	return b;
}

static hcl_block *finish_block(hcl_parser *p, const hcl_tok *ident)
{
	hcl_block *blk = gf_arena_alloc(p->arena, sizeof(*blk));
	blk->type = tok_text(p, ident);
	blk->type_range = hcl_p_range(p, ident);
	size_t labels = hcl_p_scratch_mark(p);
	const hcl_tok *open = NULL;
	while (!open) {
		const hcl_tok *t = hcl_p_peek(p);
		hcl_block_label l = {0};
		if (t->type == HCL_TOK_LBRACE) {
			open = hcl_p_read(p);
		} else if (t->type == HCL_TOK_OQUOTE) {
			hcl_p_read(p);
			l.value = hcl_p_parse_quoted_literal(p, t, &l.range);
			l.quoted = true;
			hcl_p_scratch_push(p, &l, sizeof(l));
		} else if (t->type == HCL_TOK_IDENT) {
			hcl_p_read(p);
			l.value = tok_text(p, t);
			l.range = hcl_p_range(p, t);
			hcl_p_scratch_push(p, &l, sizeof(l));
		} else {
			block_error(p, ident, t);
			recover_after_item(p);
			break;
		}
	}
	blk->labels = hcl_p_scratch_take(p, labels, sizeof(hcl_block_label), &blk->nlabels);
	if (!open) {
		blk->body = gf_arena_alloc(p->arena, sizeof(hcl_body));
		blk->body->range = blk->body->end_range = hcl_p_range(p, ident);
		blk->open_brace = blk->close_brace = hcl_p_range(p, ident);
		blk->range = hcl_p_range(p, ident); /* as hclsyntax: the header failed */
		return blk;
	}
	blk->open_brace = hcl_p_range(p, open);
	if (!hcl_p_enter_at(p, open)) {
		blk->body = gf_arena_alloc(p->arena, sizeof(hcl_body));
		blk->body->range = blk->body->end_range = hcl_p_range(p, open);
		hcl_p_recover(p, HCL_TOK_RBRACE);
	} else {
		p->block_depth++;
		hcl_token_type next = hcl_p_peek(p)->type;
		if (next == HCL_TOK_NEWLINE || next == HCL_TOK_EOF || next == HCL_TOK_RBRACE)
			blk->body = parse_body(p, HCL_TOK_RBRACE, hcl_p_range(p, open));
		else
			blk->body = parse_single_attr_body(p, open);
		p->block_depth--;
		p->depth--;
	}
	blk->close_brace = hcl_p_prev_range(p);
	blk->range = hcl_range_between(hcl_p_range(p, ident), blk->close_brace);
	const hcl_tok *eol = hcl_p_peek(p);
	if (eol->type == HCL_TOK_NEWLINE || eol->type == HCL_TOK_EOF) {
		hcl_p_read(p);
	} else {
		if (!p->recovery) {
			hcl_range er = hcl_p_range(p, eol);
			hcl_diag *d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &er,
			                            "Missing newline after block definition",
			                            "A block definition must end with a newline.");
			hcl_p_context(d, hcl_p_range(p, ident), hcl_p_range(p, eol));
		}
		recover_after_item(p);
	}
	return blk;
}

static void parse_item(hcl_parser *p, name_set *names)
{
	const hcl_tok *ident = hcl_p_read(p);
	const hcl_tok *next = hcl_p_peek(p);
	hcl_body_item it = {0};
	switch (next->type) {
	case HCL_TOK_EQUAL: {
		hcl_attribute *a = finish_attribute(p, ident, false);
		const hcl_attribute *prev = name_set_add(names, a);
		if (prev) {
			hcl_diags_add(
			        p->diags, HCL_DIAG_ERROR, &a->name_range, "Attribute redefined",
			        "The argument \"%s\" was already set at %s. Each argument may be "
			        "set only once.",
			        a->name, hcl_range_string(p->arena, &prev->name_range));
			return;
		}
		it.kind = HCL_ITEM_ATTRIBUTE;
		it.u.attr = a;
		break;
	}
	case HCL_TOK_OQUOTE:
	case HCL_TOK_LBRACE:
	case HCL_TOK_IDENT:
		it.kind = HCL_ITEM_BLOCK;
		it.u.block = finish_block(p, ident);
		break;
	default:
		hcl_p_error_at(
		        p, ident, "Argument or block definition required",
		        "An argument or block definition is required here. To set an argument, "
		        "use the equals sign \"=\" to introduce the argument value.");
		recover_after_item(p);
		return;
	}
	hcl_p_scratch_push(p, &it, sizeof(it));
}

static hcl_body *parse_body(hcl_parser *p, hcl_token_type end, hcl_range start)
{
	hcl_body *b = gf_arena_alloc(p->arena, sizeof(*b));
	size_t items = hcl_p_scratch_mark(p);
	name_set names;
	name_set_init(&names);
	hcl_range end_range = start;
	hcl_p_push_nl(p, true);
	for (;;) {
		p->recovery = false;
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == end) {
			end_range = hcl_p_range(p, t);
			hcl_p_read(p);
			break;
		}
		if (t->type == HCL_TOK_NEWLINE) {
			hcl_p_read(p);
			continue;
		}
		if (t->type == HCL_TOK_IDENT) {
			parse_item(p, &names);
			continue;
		}
		if (t->type == HCL_TOK_EOF) {
			hcl_diags_add(
			        p->diags, HCL_DIAG_ERROR, &start, "Unclosed configuration block",
			        "There is no closing brace for this block before the end of the "
			        "file. This may be caused by incorrect brace nesting elsewhere in "
			        "this file.");
			end_range = hcl_p_range(p, t);
			break;
		}
		if (t->type == HCL_TOK_OQUOTE)
			hcl_p_error_at(p, t, "Invalid argument name",
			               "Argument names must not be quoted.");
		else if (t->type != HCL_TOK_INVALID && t->type != HCL_TOK_BAD_UTF8)
			hcl_p_error_at(p, t, "Argument or block definition required",
			               "An argument or block definition is required here.");
		if (t->type == HCL_TOK_RBRACE)
			hcl_p_read(p); /* a stray } at the top level */
		else
			recover_after_item(p);
	}
	hcl_p_pop_nl(p);
	b->items = hcl_p_scratch_take(p, items, sizeof(hcl_body_item), &b->len);
	name_set_dispose(&names);
	b->range = hcl_range_between(start, end_range);
	b->end_range = end_range;
	b->end_range.start = end_range.end;
	return b;
}

/* ---- entry points ------------------------------------------------------ */

static void parser_init(hcl_parser *p, const char *filename, const char *src, size_t len,
                        hcl_lex_mode mode, hcl_pos start, gf_arena *arena, hcl_diags *diags)
{
	memset(p, 0, sizeof(*p));
	p->incl_nl = true;
	p->peek.from = SIZE_MAX;
	p->filename = gf_arena_strdup(arena, filename ? filename : "");
	p->arena = arena;
	p->diags = diags;
	hcl_srcmap_init(&p->map, p->filename, src, len, start);
	p->toks = hcl_p_lex(&p->ntoks, &p->toks_cap, &p->map, mode, diags);
}

static void parser_dispose(hcl_parser *p)
{
	gf_big_free(p->toks, p->toks_cap * sizeof(hcl_tok));
	hcl_srcmap_dispose(&p->map);
	gf_vec_dispose(&p->nl);
	gf_vec_dispose(&p->scratch);
}

hcl_body *hcl_parse_file(const char *filename, const char *src, size_t len, gf_arena *arena,
                         hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_CONFIG, hcl_pos_start(), arena, diags);
	hcl_range start = hcl_p_range(&p, &p.toks[0]);
	start.end = start.start;
	hcl_body *b = parse_body(&p, HCL_TOK_EOF, start);
	b->range.start = start.start;
	parser_dispose(&p);
	return b;
}

hcl_expr *hcl_parse_expression(const char *filename, const char *src, size_t len, hcl_pos start,
                               gf_arena *arena, hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_CONFIG, start, arena, diags);
	hcl_p_push_nl(&p, false);
	hcl_expr *e = hcl_p_parse_expression(&p);
	const hcl_tok *t = hcl_p_peek(&p);
	if (t->type != HCL_TOK_EOF && !p.recovery)
		hcl_p_error_at(
		        &p, t, "Extra characters after expression",
		        "An expression was successfully parsed, but extra characters were found "
		        "after it.");
	parser_dispose(&p);
	return e;
}

hcl_expr *hcl_parse_template(const char *filename, const char *src, size_t len, hcl_pos start,
                             gf_arena *arena, hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_TEMPLATE, start, arena, diags);
	hcl_expr *e = hcl_p_parse_template(&p, NULL, HCL_TOK_EOF);
	parser_dispose(&p);
	return e;
}
