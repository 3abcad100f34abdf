/*
 * The parser: the token peeker, error recovery, and bodies (attributes and
 * blocks). Expressions are in parse_expr.c, templates in parse_tpl.c.
 */
#include "hcl/parse_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- peeker ------------------------------------------------------------ */

static bool including_newlines(const hcl_parser *p)
{
	return p->nl.len == 0 || p->nl.items[p->nl.len - 1];
}

/* Index of the next significant token from `i`; sets *fake when it is a
 * line comment standing for its newline. */
static size_t next_index(hcl_parser *p, size_t i, bool *fake)
{
	*fake = false;
	for (; i < p->ntoks - 1; i++) {
		const hcl_token *t = &p->toks[i];
		if (t->type == HCL_TOK_COMMENT) {
			if (including_newlines(p) && t->len > 0 && t->bytes[t->len - 1] == '\n') {
				*fake = true;
				return i;
			}
			continue;
		}
		if (t->type == HCL_TOK_NEWLINE && !including_newlines(p))
			continue;
		return i;
	}
	return p->ntoks - 1;
}

const hcl_token *hcl_p_peek(hcl_parser *p)
{
	bool fake;
	size_t i = next_index(p, p->pos, &fake);
	if (!fake) {
		/* The lexer reported these; whatever they break is not news. */
		if (p->toks[i].type == HCL_TOK_INVALID || p->toks[i].type == HCL_TOK_BAD_UTF8)
			p->recovery = true;
		return &p->toks[i];
	}
	p->fake_nl = p->toks[i];
	p->fake_nl.type = HCL_TOK_NEWLINE;
	p->fake_nl.bytes += p->fake_nl.len - 1;
	p->fake_nl.len = 1;
	return &p->fake_nl;
}

const hcl_token *hcl_p_read(hcl_parser *p)
{
	const hcl_token *t = hcl_p_peek(p);
	bool fake;
	size_t i = next_index(p, p->pos, &fake);
	if (i < p->ntoks - 1)
		p->pos = i + 1;
	return t;
}

hcl_range hcl_p_prev_range(hcl_parser *p)
{
	size_t i = p->pos;
	while (i > 0 && p->toks[i - 1].type == HCL_TOK_COMMENT)
		i--;
	return i == 0 ? p->toks[0].range : p->toks[i - 1].range;
}

void hcl_p_push_nl(hcl_parser *p, bool include)
{
	gf_vec_push(&p->nl, include);
}

void hcl_p_pop_nl(hcl_parser *p)
{
	if (p->nl.len > 0)
		p->nl.len--;
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

void hcl_p_context(hcl_diag *d, hcl_range from, hcl_range to)
{
	if (!d)
		return;
	d->context = hcl_range_between(from, to);
	/* The diagnostics' own copy: the parser's arena may die first. */
	d->context.filename = d->subject.filename;
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

hcl_expr *hcl_p_new_expr(hcl_parser *p, hcl_expr_kind kind, hcl_range range)
{
	hcl_expr *e = gf_arena_alloc(p->arena, sizeof(*e));
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

const hcl_token *hcl_p_recover(hcl_parser *p, hcl_token_type close)
{
	p->recovery = true;
	int nest = 0;
	bool bracket = close == HCL_TOK_RBRACK || close == HCL_TOK_RPAREN;
	hcl_p_push_nl(p, false);
	for (;;) {
		/* An unclosed [ or ( must not swallow the rest of the file: give
		 * up at a `}` or at a line that starts a new argument. */
		if (bracket && nest == 0 && p->pos < p->ntoks) {
			const hcl_token *raw = &p->toks[p->pos];
			if (raw->type == HCL_TOK_RBRACE ||
			    (raw->type == HCL_TOK_NEWLINE && starts_argument(p, p->pos + 1))) {
				hcl_p_pop_nl(p);
				return raw;
			}
		}
		const hcl_token *t = hcl_p_read(p);
		if (t->type == HCL_TOK_EOF)
			break;
		/* The lexer's forced end of an unclosed ${ (see lex.c): what
		 * was open inside it can no longer close. */
		if (t->type == HCL_TOK_TEMPLATE_SEQ_END && t->len == 0 && close == t->type) {
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
		const hcl_token *t = hcl_p_peek(p);
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
	const hcl_attribute **slots;
	size_t cap, len;
} name_set;

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
		name_set grown = {gf_xcalloc(s->cap ? s->cap * 2 : 16, sizeof(*grown.slots)),
		                  s->cap ? s->cap * 2 : 16, 0};
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				name_set_add(&grown, s->slots[i]);
		free(s->slots);
		*s = grown;
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

typedef GF_VEC(hcl_body_item) item_vec;

static hcl_body *parse_body(hcl_parser *p, hcl_token_type end, hcl_range start);

static char *tok_text(hcl_parser *p, const hcl_token *t)
{
	return gf_arena_strndup(p->arena, t->bytes, t->len);
}

static hcl_attribute *finish_attribute(hcl_parser *p, const hcl_token *ident, bool single_line)
{
	hcl_attribute *a = gf_arena_alloc(p->arena, sizeof(*a));
	a->name = tok_text(p, ident);
	a->name_range = ident->range;
	a->equals_range = hcl_p_read(p)->range;
	size_t nerr = p->diags->errors;
	a->expr = hcl_p_parse_expression(p);
	a->range = hcl_range_between(ident->range, hcl_p_prev_range(p));
	if (p->recovery && p->diags->errors > nerr) {
		recover_after_item(p);
		return a;
	}
	if (single_line)
		return a;
	const hcl_token *t = hcl_p_peek(p);
	if (t->type == HCL_TOK_NEWLINE || t->type == HCL_TOK_EOF) {
		hcl_p_read(p);
		return a;
	}
	if (p->recovery) {
		recover_after_item(p);
		return a;
	}
	hcl_diag *d;
	if (t->type == HCL_TOK_COMMA)
		d = hcl_diags_add(
		        p->diags, HCL_DIAG_ERROR, &t->range, "Unexpected comma after argument",
		        "Argument definitions must be separated by newlines, not commas. An "
		        "argument definition must end with a newline.");
	else
		d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &t->range,
		                  "Missing newline after argument",
		                  "An argument definition must end with a newline.");
	hcl_p_context(d, ident->range, t->range);
	recover_after_item(p);
	return a;
}

static void block_error(hcl_parser *p, const hcl_token *ident, const hcl_token *t)
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
		hcl_diag *d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &t->range,
		                            "Invalid block definition", "%s", detail);
		hcl_p_context(d, ident->range, t->range);
	}
	p->recovery = true;
}

/* `{ name = expr }` on one line: the single-attribute block body. */
static hcl_body *parse_single_attr_body(hcl_parser *p, const hcl_token *open)
{
	hcl_body *b = gf_arena_alloc(p->arena, sizeof(*b));
	b->range = open->range;
	b->end_range = open->range;
	const hcl_token *ident = hcl_p_read(p);
	const hcl_token *next = hcl_p_peek(p);
	if (ident->type != HCL_TOK_IDENT || next->type != HCL_TOK_EQUAL) {
		if (ident->type == HCL_TOK_IDENT &&
		    (next->type == HCL_TOK_OQUOTE || next->type == HCL_TOK_LBRACE ||
		     next->type == HCL_TOK_IDENT)) {
			hcl_range r = hcl_range_between(ident->range, next->range);
			char *detail = gf_arena_printf(p->arena,
			                               "A single-line block definition can contain "
			                               "only a single argument. If "
			                               "you meant to define argument \"%.*s\", use "
			                               "an equals sign to assign it "
			                               "a value. To define a nested block, place "
			                               "it on a line of its own within "
			                               "its parent block.",
			                               (int)ident->len, ident->bytes);
			hcl_p_error(p, &r, "Argument definition required", detail);
		} else {
			hcl_p_error(
			        p, &ident->range, "Argument or block definition required",
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
	const hcl_token *t = hcl_p_peek(p);
	if (t->type == HCL_TOK_RBRACE) {
		hcl_p_read(p);
		return b;
	}
	if (t->type == HCL_TOK_COMMA)
		hcl_p_error(p, &t->range, "Invalid single-argument block definition",
		            "Single-line block syntax can include only one argument definition. To "
		            "define multiple arguments, use the multi-line block syntax with one "
		            "argument definition per line.");
	else if (t->type == HCL_TOK_NEWLINE)
		hcl_p_error(
		        p, &t->range, "Invalid single-argument block definition",
		        "An argument definition on the same line as its containing block creates "
		        "a single-line block definition, which must also be closed on the same "
		        "line. Place the block's closing brace immediately after the argument "
		        "definition.");
	else if (t->type == HCL_TOK_EOF)
		hcl_p_error(
		        p, &open->range, "Unclosed configuration block",
		        "There is no closing brace for this block before the end of the file. "
		        "This may be caused by incorrect brace nesting elsewhere in this file.");
	else
		hcl_p_error(p, &t->range, "Invalid single-argument block definition",
		            "A single-line block definition must end with a closing brace "
		            "immediately after its single argument definition.");
	hcl_p_recover(p, HCL_TOK_RBRACE);
	return b;
}

static hcl_block *finish_block(hcl_parser *p, const hcl_token *ident)
{
	hcl_block *blk = gf_arena_alloc(p->arena, sizeof(*blk));
	blk->type = tok_text(p, ident);
	blk->type_range = ident->range;
	GF_VEC(hcl_block_label) labels = {0};
	const hcl_token *open = NULL;
	while (!open) {
		const hcl_token *t = hcl_p_peek(p);
		hcl_block_label l = {0};
		if (t->type == HCL_TOK_LBRACE) {
			open = hcl_p_read(p);
		} else if (t->type == HCL_TOK_OQUOTE) {
			hcl_p_read(p);
			l.value = hcl_p_parse_quoted_literal(p, t, &l.range);
			l.quoted = true;
			gf_vec_push(&labels, l);
		} else if (t->type == HCL_TOK_IDENT) {
			hcl_p_read(p);
			l.value = tok_text(p, t);
			l.range = t->range;
			gf_vec_push(&labels, l);
		} else {
			block_error(p, ident, t);
			recover_after_item(p);
			break;
		}
	}
	blk->nlabels = labels.len;
	blk->labels = labels.len ? gf_arena_memdup(p->arena, labels.items,
	                                           labels.len * sizeof(hcl_block_label))
	                         : NULL;
	gf_vec_dispose(&labels);
	if (!open) {
		blk->body = gf_arena_alloc(p->arena, sizeof(hcl_body));
		blk->body->range = blk->body->end_range = ident->range;
		blk->open_brace = blk->close_brace = ident->range;
		blk->range = ident->range; /* as hclsyntax: the header failed */
		return blk;
	}
	blk->open_brace = open->range;
	if (!hcl_p_enter(p, &open->range)) {
		blk->body = gf_arena_alloc(p->arena, sizeof(hcl_body));
		blk->body->range = blk->body->end_range = open->range;
		hcl_p_recover(p, HCL_TOK_RBRACE);
	} else {
		p->block_depth++;
		hcl_token_type next = hcl_p_peek(p)->type;
		if (next == HCL_TOK_NEWLINE || next == HCL_TOK_EOF || next == HCL_TOK_RBRACE)
			blk->body = parse_body(p, HCL_TOK_RBRACE, open->range);
		else
			blk->body = parse_single_attr_body(p, open);
		p->block_depth--;
		p->depth--;
	}
	blk->close_brace = hcl_p_prev_range(p);
	blk->range = hcl_range_between(ident->range, blk->close_brace);
	const hcl_token *eol = hcl_p_peek(p);
	if (eol->type == HCL_TOK_NEWLINE || eol->type == HCL_TOK_EOF) {
		hcl_p_read(p);
	} else {
		if (!p->recovery) {
			hcl_diag *d = hcl_diags_add(p->diags, HCL_DIAG_ERROR, &eol->range,
			                            "Missing newline after block definition",
			                            "A block definition must end with a newline.");
			hcl_p_context(d, ident->range, eol->range);
		}
		recover_after_item(p);
	}
	return blk;
}

static void parse_item(hcl_parser *p, item_vec *items, name_set *names)
{
	const hcl_token *ident = hcl_p_read(p);
	const hcl_token *next = hcl_p_peek(p);
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
		hcl_p_error(p, &ident->range, "Argument or block definition required",
		            "An argument or block definition is required here. To set an argument, "
		            "use the equals sign \"=\" to introduce the argument value.");
		recover_after_item(p);
		return;
	}
	gf_vec_push(items, it);
}

static hcl_body *parse_body(hcl_parser *p, hcl_token_type end, hcl_range start)
{
	hcl_body *b = gf_arena_alloc(p->arena, sizeof(*b));
	item_vec items = {0};
	name_set names = {0};
	hcl_range end_range = start;
	hcl_p_push_nl(p, true);
	for (;;) {
		p->recovery = false;
		const hcl_token *t = hcl_p_peek(p);
		if (t->type == end) {
			end_range = t->range;
			hcl_p_read(p);
			break;
		}
		if (t->type == HCL_TOK_NEWLINE) {
			hcl_p_read(p);
			continue;
		}
		if (t->type == HCL_TOK_IDENT) {
			parse_item(p, &items, &names);
			continue;
		}
		if (t->type == HCL_TOK_EOF) {
			hcl_diags_add(
			        p->diags, HCL_DIAG_ERROR, &start, "Unclosed configuration block",
			        "There is no closing brace for this block before the end of the "
			        "file. This may be caused by incorrect brace nesting elsewhere in "
			        "this file.");
			end_range = t->range;
			break;
		}
		if (t->type == HCL_TOK_OQUOTE)
			hcl_p_error(p, &t->range, "Invalid argument name",
			            "Argument names must not be quoted.");
		else if (t->type != HCL_TOK_INVALID && t->type != HCL_TOK_BAD_UTF8)
			hcl_p_error(p, &t->range, "Argument or block definition required",
			            "An argument or block definition is required here.");
		if (t->type == HCL_TOK_RBRACE)
			hcl_p_read(p); /* a stray } at the top level */
		else
			recover_after_item(p);
	}
	hcl_p_pop_nl(p);
	b->len = items.len;
	b->items = items.len ? gf_arena_memdup(p->arena, items.items,
	                                       items.len * sizeof(hcl_body_item))
	                     : NULL;
	gf_vec_dispose(&items);
	free(names.slots);
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
	p->filename = gf_arena_strdup(arena, filename ? filename : "");
	p->arena = arena;
	p->diags = diags;
	p->toks = hcl_lex(&p->ntoks, p->filename, src, len, mode, start, arena, diags);
}

hcl_body *hcl_parse_file(const char *filename, const char *src, size_t len, gf_arena *arena,
                         hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_CONFIG, hcl_pos_start(), arena, diags);
	hcl_range start = p.toks[0].range;
	start.end = start.start;
	hcl_body *b = parse_body(&p, HCL_TOK_EOF, start);
	b->range.start = start.start;
	gf_vec_dispose(&p.nl);
	return b;
}

hcl_expr *hcl_parse_expression(const char *filename, const char *src, size_t len, hcl_pos start,
                               gf_arena *arena, hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_CONFIG, start, arena, diags);
	hcl_p_push_nl(&p, false);
	hcl_expr *e = hcl_p_parse_expression(&p);
	const hcl_token *t = hcl_p_peek(&p);
	if (t->type != HCL_TOK_EOF && !p.recovery)
		hcl_p_error(
		        &p, &t->range, "Extra characters after expression",
		        "An expression was successfully parsed, but extra characters were found "
		        "after it.");
	gf_vec_dispose(&p.nl);
	return e;
}

hcl_expr *hcl_parse_template(const char *filename, const char *src, size_t len, hcl_pos start,
                             gf_arena *arena, hcl_diags *diags)
{
	hcl_parser p;
	parser_init(&p, filename, src, len, HCL_LEX_TEMPLATE, start, arena, diags);
	hcl_expr *e = hcl_p_parse_template(&p, NULL, HCL_TOK_EOF);
	gf_vec_dispose(&p.nl);
	return e;
}
