/*
 * The formatter (see fmt.h): terraform's rewrites on the syntax tree, then
 * hclwrite's three passes — indentation, spacing, cell alignment — over the
 * token lines.
 */
#include "hcl/fmt.h"

#include "hcl/ast.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	hcl_token_type type;
	const char *bytes;
	size_t len;
	int spaces; /* spaces written before the token */
} ftok;

typedef GF_VEC(ftok) ftok_vec;

/* A run of source tokens [from, to) replaced by new tokens. */
typedef struct {
	size_t from, to;
	ftok *toks;
	size_t n;
} repl;

typedef struct {
	gf_arena *arena;
	const hcl_token *src; /* the lexed file, EOF excluded */
	size_t nsrc;
	GF_VEC(repl) repls;
} rewriter;

static ftok tok(hcl_token_type type, const char *s)
{
	ftok t = {type, s, strlen(s), 0};
	return t;
}

/* Index of the first source token starting at or after byte `b`. */
static size_t token_at(const rewriter *rw, size_t b)
{
	size_t lo = 0, hi = rw->nsrc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rw->src[mid].range.start.byte < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_repl(rewriter *rw, size_t from, size_t to, const ftok *toks, size_t n)
{
	repl r = {from, to, n ? gf_arena_memdup(rw->arena, toks, n * sizeof(ftok)) : NULL, n};
	gf_vec_push(&rw->repls, r);
}

static ftok src_tok(const rewriter *rw, size_t i)
{
	ftok t = {rw->src[i].type, rw->src[i].bytes, rw->src[i].len, 0};
	return t;
}

/* terraform's formatValueExpr: "${x}" → x, parenthesised when x spans
 * lines. Tokens [from, to) are the attribute's expression. */
static void unwrap_interpolation(rewriter *rw, size_t from, size_t to)
{
	const hcl_token *t = rw->src;
	if (to - from < 5 || t[from].type != HCL_TOK_OQUOTE ||
	    t[from + 1].type != HCL_TOK_TEMPLATE_INTERP ||
	    t[to - 2].type != HCL_TOK_TEMPLATE_SEQ_END || t[to - 1].type != HCL_TOK_CQUOTE)
		return;
	int quotes = 0;
	for (size_t i = from + 2; i < to - 2; i++) {
		if (t[i].type == HCL_TOK_OQUOTE) {
			quotes++;
			continue;
		}
		if (t[i].type == HCL_TOK_CQUOTE) {
			quotes--;
			continue;
		}
		if (quotes > 0)
			continue;
		if (t[i].type == HCL_TOK_TEMPLATE_INTERP || t[i].type == HCL_TOK_TEMPLATE_SEQ_END ||
		    t[i].type == HCL_TOK_QUOTED_LIT)
			return;
	}
	size_t a = from + 2, b = to - 2;
	while (a < b && t[a].type == HCL_TOK_NEWLINE)
		a++;
	while (b > a && t[b - 1].type == HCL_TOK_NEWLINE)
		b--;
	bool multiline = false;
	for (size_t i = a; i < b; i++)
		multiline |= t[i].type == HCL_TOK_NEWLINE;
	bool parens = b > a && t[a].type == HCL_TOK_LPAREN && t[b - 1].type == HCL_TOK_RPAREN;
	ftok_vec v = {0};
	if (multiline && !parens)
		gf_vec_push(&v, tok(HCL_TOK_LPAREN, "("));
	for (size_t i = a; i < b; i++)
		gf_vec_push(&v, src_tok(rw, i));
	if (multiline && !parens)
		gf_vec_push(&v, tok(HCL_TOK_RPAREN, ")"));
	add_repl(rw, from, to, v.items, v.len);
	gf_vec_dispose(&v);
}

/* terraform's formatTypeExpr, for `type` in a top-level variable block. */
static void normalize_type(rewriter *rw, size_t from, size_t to)
{
	const hcl_token *t = rw->src;
	const char *elem = NULL, *name = NULL;
	if (to - from == 1 && t[from].type == HCL_TOK_IDENT) {
		static const char *colls[] = {"list", "map", "set"};
		for (size_t k = 0; k < GF_ARRAY_LEN(colls); k++)
			if (t[from].len == strlen(colls[k]) &&
			    memcmp(t[from].bytes, colls[k], t[from].len) == 0)
				name = colls[k], elem = "any";
	} else if (to - from == 3 && t[from].type == HCL_TOK_OQUOTE &&
	           t[from + 1].type == HCL_TOK_QUOTED_LIT && t[from + 2].type == HCL_TOK_CQUOTE) {
		static const char *legacy[] = {"string", "list", "map"};
		for (size_t k = 0; k < GF_ARRAY_LEN(legacy); k++)
			if (t[from + 1].len == strlen(legacy[k]) &&
			    memcmp(t[from + 1].bytes, legacy[k], t[from + 1].len) == 0)
				name = legacy[k], elem = k == 0 ? NULL : "string";
		if (!name)
			return;
	} else {
		return;
	}
	if (!name)
		return;
	ftok v[4] = {tok(HCL_TOK_IDENT, name), tok(HCL_TOK_LPAREN, "("),
	             tok(HCL_TOK_IDENT, elem ? elem : ""), tok(HCL_TOK_RPAREN, ")")};
	add_repl(rw, from, to, v, elem ? 4 : 1);
}

/* hclwrite's escaping of a string for a quoted label. */
static char *escape_label(gf_arena *a, const char *s)
{
	gf_buf b;
	gf_buf_init(&b, 0);
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n':
			gf_buf_puts(&b, "\\n");
			break;
		case '\r':
			gf_buf_puts(&b, "\\r");
			break;
		case '\t':
			gf_buf_puts(&b, "\\t");
			break;
		case '"':
			gf_buf_puts(&b, "\\\"");
			break;
		case '\\':
			gf_buf_puts(&b, "\\\\");
			break;
		case '$':
		case '%':
			gf_buf_putc(&b, (char)c);
			if (s[i + 1] == '{')
				gf_buf_putc(&b, (char)c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				gf_buf_printf(&b, "\\u%04x", c);
			else
				gf_buf_putc(&b, (char)c);
		}
	}
	char *out = gf_arena_strdup(a, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return out;
}

/* Labels are rewritten quoted, and anything else between the block type
 * and its brace (comments) dropped, as hclwrite's SetLabels does. */
static void quote_labels(rewriter *rw, const hcl_block *blk)
{
	size_t from = token_at(rw, blk->type_range.end.byte);
	size_t to = token_at(rw, blk->open_brace.start.byte);
	ftok_vec v = {0};
	for (size_t i = 0; i < blk->nlabels; i++) {
		gf_vec_push(&v, tok(HCL_TOK_OQUOTE, "\""));
		gf_vec_push(&v,
		            tok(HCL_TOK_QUOTED_LIT, escape_label(rw->arena, blk->labels[i].value)));
		gf_vec_push(&v, tok(HCL_TOK_CQUOTE, "\""));
	}
	add_repl(rw, from, to, v.items, v.len);
	gf_vec_dispose(&v);
}

static void rewrite_body(rewriter *rw, const hcl_body *body, const char *block_type, int depth)
{
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			const hcl_expr *e = it->u.attr->expr;
			size_t from = token_at(rw, e->range.start.byte);
			size_t to = token_at(rw, e->range.end.byte);
			if (depth == 1 && strcmp(block_type, "variable") == 0 &&
			    strcmp(it->u.attr->name, "type") == 0)
				normalize_type(rw, from, to);
			else
				unwrap_interpolation(rw, from, to);
			continue;
		}
		quote_labels(rw, it->u.block);
		rewrite_body(rw, it->u.block->body, it->u.block->type, depth + 1);
	}
}

/* ---- hclwrite's passes ------------------------------------------------- */

typedef struct {
	size_t lead, lead_n; /* token index and count of each cell */
	size_t assign, assign_n;
	size_t comment, comment_n;
} fline;

typedef GF_VEC(fline) fline_vec;

static bool is_newline(const ftok *t)
{
	return t->type == HCL_TOK_NEWLINE ||
	       (t->type == HCL_TOK_COMMENT && t->len > 0 && t->bytes[t->len - 1] == '\n');
}

static int bracket_change(const ftok *t)
{
	switch (t->type) {
	case HCL_TOK_LBRACE:
	case HCL_TOK_LBRACK:
	case HCL_TOK_LPAREN:
	case HCL_TOK_TEMPLATE_CONTROL:
	case HCL_TOK_TEMPLATE_INTERP:
		return 1;
	case HCL_TOK_RBRACE:
	case HCL_TOK_RBRACK:
	case HCL_TOK_RPAREN:
	case HCL_TOK_TEMPLATE_SEQ_END:
		return -1;
	default:
		return 0;
	}
}

static bool is_template_text(hcl_token_type t)
{
	return t == HCL_TOK_QUOTED_LIT || t == HCL_TOK_STRING_LIT;
}

/* hclwrite's spaceAfterToken, rule for rule, in its order. `before` is
 * NULL at the start of a cell. */
static bool space_after(const ftok *subject, const ftok *before, const ftok *after)
{
	hcl_token_type s = subject->type, a = after->type;
	if (a == HCL_TOK_NEWLINE)
		return false;
	if (s == HCL_TOK_IDENT && a == HCL_TOK_LPAREN)
		return false;
	if (s == HCL_TOK_DOT || a == HCL_TOK_DOT)
		return false;
	if (a == HCL_TOK_COMMA || a == HCL_TOK_ELLIPSIS)
		return false;
	if (s == HCL_TOK_COMMA)
		return true;
	if (is_template_text(s) || s == HCL_TOK_OQUOTE || s == HCL_TOK_OHEREDOC ||
	    is_template_text(a) || a == HCL_TOK_CQUOTE || a == HCL_TOK_CHEREDOC)
		return false;
	if (s == HCL_TOK_IDENT && subject->len == 2 && memcmp(subject->bytes, "in", 2) == 0 &&
	    before && before->type == HCL_TOK_IDENT)
		return true;
	if (a == HCL_TOK_LBRACK &&
	    (s == HCL_TOK_IDENT || s == HCL_TOK_NUMBER || bracket_change(subject) < 0))
		return false;
	if (s == HCL_TOK_BANG)
		return false;
	if (s == HCL_TOK_MINUS) {
		if (!before)
			return false;
		switch (before->type) {
		case HCL_TOK_LPAREN:
		case HCL_TOK_LBRACE:
		case HCL_TOK_LBRACK:
		case HCL_TOK_EQUAL:
		case HCL_TOK_COLON:
		case HCL_TOK_COMMA:
		case HCL_TOK_QUESTION:
		case HCL_TOK_PLUS:
		case HCL_TOK_STAR:
		case HCL_TOK_SLASH:
		case HCL_TOK_PERCENT:
		case HCL_TOK_MINUS:
		case HCL_TOK_EQ:
		case HCL_TOK_NE:
		case HCL_TOK_GT:
		case HCL_TOK_GE:
		case HCL_TOK_LT:
		case HCL_TOK_LE:
		case HCL_TOK_AND:
		case HCL_TOK_OR:
		case HCL_TOK_BANG:
			return false;
		default:
			return true;
		}
	}
	if (s == HCL_TOK_LBRACE || a == HCL_TOK_RBRACE)
		return !(s == HCL_TOK_LBRACE && a == HCL_TOK_RBRACE);
	if ((s == HCL_TOK_TEMPLATE_INTERP || s == HCL_TOK_TEMPLATE_CONTROL) && a == HCL_TOK_LBRACE)
		return true;
	if (s == HCL_TOK_RBRACE && a == HCL_TOK_TEMPLATE_SEQ_END)
		return true;
	if (s == HCL_TOK_TEMPLATE_SEQ_END &&
	    (a == HCL_TOK_TEMPLATE_INTERP || a == HCL_TOK_TEMPLATE_CONTROL))
		return false;
	if (bracket_change(subject) > 0)
		return false;
	if (bracket_change(after) < 0)
		return false;
	return true;
}

/* Display width: characters, as terminals show them (combining marks are
 * counted, where hclwrite counts grapheme clusters). */
static int columns_of(const ftok *t, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++) {
		c += t[i].spaces;
		for (size_t k = 0; k < t[i].len; k++)
			c += ((unsigned char)t[i].bytes[k] & 0xC0) != 0x80;
	}
	return c;
}

static void split_lines(ftok *t, size_t n, fline_vec *lines)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !is_newline(&t[i]))
			continue;
		size_t end = i < n ? i + 1 : n;
		if (end == start)
			break;
		fline l = {start, end - start, 0, 0, 0, 0};
		if (l.lead_n > 1 && t[end - 1].type == HCL_TOK_COMMENT) {
			l.comment = end - 1;
			l.comment_n = 1;
			l.lead_n--;
		}
		for (size_t k = 1; k < l.lead_n; k++) {
			if (t[start + k].type != HCL_TOK_EQUAL)
				continue;
			int net = 0;
			for (size_t j = start + k; j < start + l.lead_n; j++)
				net += bracket_change(&t[j]);
			if (net == 0) {
				l.assign = start + k;
				l.assign_n = l.lead_n - k;
				l.lead_n = k;
			}
			break;
		}
		gf_vec_push(lines, l);
		start = end;
	}
}

static void format_indent(ftok *t, fline *lines, size_t nlines)
{
	GF_VEC(int) indents = {0};
	for (size_t i = 0; i < nlines; i++) {
		fline *l = &lines[i];
		ftok *first = &t[l->lead];
		if (first->type == HCL_TOK_NEWLINE) {
			first->spaces = 0;
			continue;
		}
		int net = 0;
		for (size_t k = 0; k < l->lead_n; k++) {
			net += bracket_change(&t[l->lead + k]);
			if (t[l->lead + k].type == HCL_TOK_OHEREDOC)
				break;
		}
		for (size_t k = 0; k < l->assign_n; k++)
			net += bracket_change(&t[l->assign + k]);
		if (net > 0) {
			first->spaces = 2 * (int)indents.len;
			gf_vec_push(&indents, net);
			continue;
		}
		int closed = -net;
		while (closed > 0 && indents.len > 0) {
			int *topv = &indents.items[indents.len - 1];
			if (closed >= *topv) {
				closed -= *topv;
				indents.len--;
			} else {
				*topv -= closed;
				closed = 0;
			}
		}
		first->spaces = 2 * (int)indents.len;
	}
	gf_vec_dispose(&indents);
}

static void space_cell(ftok *t, size_t start, size_t n)
{
	for (size_t k = 0; k + 1 < n; k++) {
		const ftok *before = k > 0 ? &t[start + k - 1] : NULL;
		t[start + k + 1].spaces =
		        space_after(&t[start + k], before, &t[start + k + 1]) ? 1 : 0;
	}
}

static void format_spaces(ftok *t, fline *lines, size_t nlines)
{
	for (size_t i = 0; i < nlines; i++) {
		space_cell(t, lines[i].lead, lines[i].lead_n);
		if (lines[i].assign_n) {
			t[lines[i].assign].spaces = 1;
			space_cell(t, lines[i].assign, lines[i].assign_n);
		}
	}
}

/* Aligns the assignment cells, then the comment cells, of runs of
 * consecutive lines that have them. */
static void format_cells(ftok *t, fline *lines, size_t nlines, bool comments)
{
	size_t chain = SIZE_MAX;
	int max = 0;
	for (size_t i = 0; i <= nlines; i++) {
		bool has = i < nlines && (comments ? lines[i].comment_n : lines[i].assign_n) > 0;
		if (has) {
			int c = columns_of(&t[lines[i].lead], lines[i].lead_n);
			if (comments)
				c += columns_of(&t[lines[i].assign], lines[i].assign_n);
			if (chain == SIZE_MAX)
				chain = i;
			if (c > max)
				max = c;
			continue;
		}
		if (chain == SIZE_MAX)
			continue;
		for (size_t k = chain; k < i; k++) {
			int c = columns_of(&t[lines[k].lead], lines[k].lead_n);
			if (comments)
				c += columns_of(&t[lines[k].assign], lines[k].assign_n);
			t[comments ? lines[k].comment : lines[k].assign].spaces = max - c + 1;
		}
		chain = SIZE_MAX;
		max = 0;
	}
}

/* ---- entry point ------------------------------------------------------- */

int hcl_fmt(char **out, size_t *out_len, const char *filename, const char *src, size_t len,
            hcl_diags *diags)
{
	gf_arena arena;
	gf_arena_init(&arena);
	size_t nerr = diags->errors;
	hcl_body *body = hcl_parse_file(filename, src, len, &arena, diags);
	if (diags->errors > nerr) {
		gf_arena_dispose(&arena);
		return GF_EINVALID;
	}
	hcl_diags scratch;
	hcl_diags_init(&scratch, &arena);
	size_t n;
	hcl_token *toks =
	        hcl_lex(&n, filename, src, len, HCL_LEX_CONFIG, hcl_pos_start(), &arena, &scratch);
	hcl_diags_dispose(&scratch);
	rewriter rw = {&arena, toks, n - 1, {0}};
	rewrite_body(&rw, body, "", 0);

	ftok_vec t = {0};
	size_t r = 0;
	for (size_t i = 0; i < rw.nsrc;) {
		if (r < rw.repls.len && rw.repls.items[r].from == i) {
			const repl *rp = &rw.repls.items[r++];
			for (size_t k = 0; k < rp->n; k++)
				gf_vec_push(&t, rp->toks[k]);
			i = rp->to; /* an empty run (no labels) inserts only */
			continue;
		}
		gf_vec_push(&t, src_tok(&rw, i));
		i++;
	}
	gf_vec_dispose(&rw.repls);

	fline_vec lines = {0};
	split_lines(t.items, t.len, &lines);
	format_indent(t.items, lines.items, lines.len);
	format_spaces(t.items, lines.items, lines.len);
	format_cells(t.items, lines.items, lines.len, false);
	format_cells(t.items, lines.items, lines.len, true);

	gf_buf b;
	gf_buf_init(&b, 0);
	for (size_t i = 0; i < t.len; i++) {
		for (int k = 0; k < t.items[i].spaces; k++)
			gf_buf_putc(&b, ' ');
		gf_buf_put(&b, t.items[i].bytes, t.items[i].len);
	}
	/* Exactly one final newline, in the file's own style. */
	const char *nl = "\n";
	while (b.len > 0 &&
	       (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\r')) {
		if (b.ptr[b.len - 1] == '\n')
			nl = b.len > 1 && b.ptr[b.len - 2] == '\r' ? "\r\n" : "\n";
		b.len--;
	}
	if (b.ptr)
		b.ptr[b.len] = 0;
	if (b.len > 0)
		gf_buf_puts(&b, nl);
	gf_vec_dispose(&lines);
	gf_vec_dispose(&t);
	gf_arena_dispose(&arena);
	*out_len = b.len;
	*out = gf_buf_detach(&b);
	return 0;
}
