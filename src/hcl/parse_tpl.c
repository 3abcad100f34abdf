/*
 * Templates: quoted strings, heredocs and bare templates (ast.h, note 3).
 *
 * Parsing is done in two passes, as hclsyntax does. The first reads the
 * tokens into a flat list of template items (literal text, interpolations,
 * and the directive markers if/else/endif/for/endfor), decoding escapes and
 * applying strip markers and `<<-` indentation stripping to the literals;
 * the second builds the tree of hcl_tpl_parts from the markers, reporting
 * unbalanced directives.
 */
#include "hcl/parse_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- literal decoding -------------------------------------------------- */

static void put_utf8(gf_buf *b, uint32_t cp)
{
	char s[4];
	size_t n;
	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	gf_buf_put(b, s, n);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void escape_error(hcl_parser *p, const hcl_tok *t, size_t from, size_t to,
                         const char *detail)
{
	hcl_range r = hcl_srcmap_range(&p->map, t->start + (uint32_t)from, t->start + (uint32_t)to);
	hcl_diags_add(p->diags, HCL_DIAG_ERROR, &r, "Invalid escape sequence", "%s", detail);
}

/* Whether s holds nothing to decode: no escape, no $${ or %%{. */
static bool literal_is_plain(const char *s, size_t n, bool quoted)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((c == '\\' && quoted) ||
		    ((c == '$' || c == '%') && i + 2 < n && s[i + 1] == c && s[i + 2] == '{'))
			return false;
	}
	return true;
}

char *hcl_p_decode_literal(hcl_parser *p, const hcl_tok *t, size_t *len)
{
	bool quoted = t->type == HCL_TOK_QUOTED_LIT;
	const char *s = hcl_p_text(p, t);
	size_t n = hcl_tok_len(t), i = 0;
	if (literal_is_plain(s, n, quoted)) {
		*len = n;
		return gf_arena_strndup(p->arena, s, n);
	}
	gf_buf b;
	gf_buf_init(&b, 0);
	while (i < n) {
		char c = s[i];
		if ((c == '$' || c == '%') && i + 2 < n && s[i + 1] == c && s[i + 2] == '{') {
			gf_buf_putc(&b, c);
			gf_buf_putc(&b, '{');
			i += 3;
			continue;
		}
		if (c != '\\' || !quoted) {
			gf_buf_putc(&b, c);
			i++;
			continue;
		}
		if (i + 1 >= n) {
			escape_error(p, t, i, i + 1,
			             "Backslash must be followed by an escape sequence selector "
			             "character.");
			break;
		}
		char sel = s[i + 1];
		const char *simple = strchr("n\nr\rt\t\"\"\\\\", sel);
		if (sel && simple && (simple - "n\nr\rt\t\"\"\\\\") % 2 == 0) {
			gf_buf_putc(&b, simple[1]);
			i += 2;
			continue;
		}
		if (sel == 'u' || sel == 'U') {
			size_t digits = sel == 'u' ? 4 : 8;
			uint32_t cp = 0;
			size_t k = 0;
			for (; k < digits && i + 2 + k < n && hexval(s[i + 2 + k]) >= 0; k++)
				cp = cp * 16 + (uint32_t)hexval(s[i + 2 + k]);
			if (k < digits) {
				escape_error(p, t, i, i + 2 + k,
				             sel == 'u' ? "The \\u escape sequence must be "
				                          "followed by four "
				                          "hexadecimal digits."
				                        : "The \\U escape sequence must be "
				                          "followed by eight "
				                          "hexadecimal digits.");
				i += 2 + k;
				continue;
			}
			if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
				escape_error(
				        p, t, i, i + 2 + k,
				        gf_arena_printf(p->arena,
				                        "Cannot encode character U+%04x in UTF-8.",
				                        (unsigned)cp));
			else
				put_utf8(&b, cp);
			i += 2 + k;
			continue;
		}
		size_t sl = 1;
		while (i + 1 + sl < n && ((unsigned char)s[i + 1 + sl] & 0xC0) == 0x80)
			sl++;
		char *detail = gf_arena_printf(
		        p->arena, "The symbol \"%.*s\" is not a valid escape sequence selector.",
		        (int)sl, s + i + 1);
		escape_error(p, t, i, i + 1 + sl, detail);
		i += 1 + sl;
	}
	*len = b.len;
	char *out = gf_arena_strndup(p->arena, b.ptr ? b.ptr : "", b.len);
	gf_buf_dispose(&b);
	return out;
}

/* ---- pass 1: flat template items --------------------------------------- */

typedef enum {
	TT_LIT,
	TT_INTERP,
	TT_IF,
	TT_ELSE,
	TT_ENDIF,
	TT_FOR,
	TT_ENDFOR,
	TT_END,
} tt_kind;

typedef struct {
	tt_kind kind;
	hcl_range range;
	char *text; /* TT_LIT: arena string; trimming moves the pointer/length */
	size_t len;
	hcl_expr *expr; /* interpolation, if condition, for collection */
	const char *key_var, *value_var;
} ttok;

typedef GF_VEC(ttok) ttok_vec;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void rtrim(ttok *t)
{
	while (t->len > 0 && is_space(t->text[t->len - 1]))
		t->len--;
}

static void ltrim(ttok *t)
{
	while (t->len > 0 && is_space(t->text[0])) {
		t->text++;
		t->len--;
	}
}

static const char *directive_name(tt_kind k)
{
	static const char *names[] = {"literal", "interpolation", "if",     "else",
	                              "endif",   "for",           "endfor", "end"};
	return names[k];
}

/* Reads the closing `}` of a sequence; returns whether it was `~}`.
 * `parts_start` is where the template's content began (for the context). */
static bool close_sequence(hcl_parser *p, const hcl_tok *open, const char *what, bool quoted,
                           hcl_range parts_start)
{
	const hcl_tok *close = hcl_p_peek(p);
	if (close->type == HCL_TOK_TEMPLATE_SEQ_END && hcl_tok_len(close) > 0) {
		hcl_p_read(p);
		return hcl_p_text(p, close)[0] == '~';
	}
	const char *extra =
	        "Expected a closing brace to end the interpolation expression, but found extra "
	        "characters.\n\nThis can happen when you include interpolation syntax for "
	        "another language, such as shell scripting, but forget to escape the "
	        "interpolation start token. If this is an embedded sequence for another "
	        "language, escape it by starting with \"$${\" instead of just \"${\".";
	if (close->type == HCL_TOK_EOF || hcl_tok_len(close) == 0 ||
	    (quoted && (close->type == HCL_TOK_CQUOTE || close->type == HCL_TOK_OQUOTE))) {
		hcl_p_error_at(
		        p, open, "Unclosed template interpolation sequence",
		        close->type == HCL_TOK_EOF
		                ? "There is no closing brace for this interpolation sequence "
		                  "before the end of the file. This might be caused by "
		                  "incorrect nesting inside the given expression."
		                : "There is no closing brace for this interpolation sequence "
		                  "before the end of the quoted template. This might be caused "
		                  "by incorrect nesting inside the given expression.");
	} else {
		const char *summary = "Extra characters after interpolation expression";
		const char *detail = extra;
		if (what) {
			summary = gf_arena_printf(p->arena, "Extra characters in %s marker", what);
			detail = "Expected a closing brace to end the sequence, but found extra "
			         "characters.";
		} else if (close->type == HCL_TOK_COLON) {
			detail = "Template interpolation doesn't expect a colon at this location. "
			         "Did "
			         "you intend this to be a literal sequence to be processed as part "
			         "of "
			         "another language? If so, you can escape it by starting with "
			         "\"$${\" "
			         "instead of just \"${\".";
		}
		hcl_p_context(hcl_p_error_at(p, close, summary, detail), parts_start,
		              hcl_p_range(p, close));
	}
	hcl_p_recover(p, HCL_TOK_TEMPLATE_SEQ_END);
	return false;
}

/* %{ keyword ... }: fills *tt; returns false after reporting an error. */
static bool parse_directive(hcl_parser *p, const hcl_tok *open, ttok *tt)
{
	const hcl_tok *kw = hcl_p_peek(p);
	static const struct {
		const char *name;
		tt_kind kind;
	} kws[] = {{"if", TT_IF},
	           {"else", TT_ELSE},
	           {"endif", TT_ENDIF},
	           {"for", TT_FOR},
	           {"endfor", TT_ENDFOR}};
	size_t k = GF_ARRAY_LEN(kws);
	if (kw->type == HCL_TOK_IDENT)
		for (k = 0; k < GF_ARRAY_LEN(kws); k++)
			if (hcl_tok_len(kw) == strlen(kws[k].name) &&
			    memcmp(hcl_p_text(p, kw), kws[k].name, hcl_tok_len(kw)) == 0)
				break;
	if (kw->type != HCL_TOK_IDENT) {
		hcl_p_context(
		        hcl_p_error_at(p, kw, "Invalid template directive",
		                       "A template directive keyword (\"if\", \"for\", etc) is "
		                       "expected at the beginning of a %{ sequence."),
		        hcl_p_range(p, open), hcl_p_range(p, kw));
		return false;
	}
	if (k == GF_ARRAY_LEN(kws)) {
		const char *names[] = {"if", "for", "else", "endif", "endfor"};
		char *given = gf_arena_strndup(p->arena, hcl_p_text(p, kw), hcl_tok_len(kw));
		const char *hint = gf_str_suggest(given, names, GF_ARRAY_LEN(names));
		char *detail = gf_arena_printf(
		        p->arena, "\"%s\" is not a valid template control keyword.%s%s%s", given,
		        hint ? " Did you mean \"" : "", hint ? hint : "", hint ? "\"?" : "");
		hcl_p_context(hcl_p_error_at(p, kw, "Invalid template control keyword", detail),
		              hcl_p_range(p, open), hcl_p_range(p, kw));
		return false;
	}
	hcl_p_read(p);
	tt->kind = kws[k].kind;
	/* Keep a broken if/for in the list, so that its end directive still
	 * balances and is not reported a second time. */
	tt->expr = hcl_p_new_expr(p, HCL_EXPR_INVALID, hcl_p_range(p, kw));
	tt->value_var = "";
	if (tt->kind == TT_IF) {
		tt->expr = hcl_p_parse_expression(p);
	} else if (tt->kind == TT_FOR) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type != HCL_TOK_IDENT) {
			hcl_p_error_at(p, t, "Invalid 'for' directive",
			               "For directive requires variable name after 'for'.");
			return false;
		}
		hcl_p_read(p);
		tt->value_var = gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
		if (hcl_p_peek(p)->type == HCL_TOK_COMMA) {
			hcl_p_read(p);
			tt->key_var = tt->value_var;
			t = hcl_p_peek(p);
			if (t->type != HCL_TOK_IDENT) {
				hcl_p_error_at(
				        p, t, "Invalid 'for' directive",
				        "For directive requires value variable name after comma.");
				return false;
			}
			hcl_p_read(p);
			tt->value_var =
			        gf_arena_strndup(p->arena, hcl_p_text(p, t), hcl_tok_len(t));
		}
		t = hcl_p_peek(p);
		if (!(t->type == HCL_TOK_IDENT && hcl_tok_len(t) == 2 &&
		      memcmp(hcl_p_text(p, t), "in", 2) == 0)) {
			hcl_p_error_at(p, t, "Invalid 'for' directive",
			               "For directive requires 'in' keyword after names.");
			return false;
		}
		hcl_p_read(p);
		tt->expr = hcl_p_parse_expression(p);
	}
	return true;
}

/*
 * `<<-` heredocs: finds the line with the fewest leading whitespace
 * characters (lines holding only whitespace do not count) and removes that
 * many from every line. Works on the literal items that begin a line, before
 * interpolated values exist, so values cannot change the indentation.
 */
static void flush_heredoc(ttok_vec *tt)
{
	size_t min = SIZE_MAX;
	bool newline = true;
	for (size_t i = 0; i < tt->len; i++) {
		ttok *t = &tt->items[i];
		if (newline) {
			newline = false;
			if (t->kind == TT_LIT) {
				size_t sp = 0;
				while (sp < t->len && is_space(t->text[sp]))
					sp++;
				bool blank =
				        sp == t->len && t->len > 0 && t->text[t->len - 1] == '\n';
				if (!blank && sp < min)
					min = sp;
			} else if (t->kind != TT_END) {
				min = 0;
			}
		}
		if (t->kind == TT_LIT && t->len > 0 && t->text[t->len - 1] == '\n')
			newline = true;
	}
	if (min == SIZE_MAX || min == 0)
		return;
	newline = true;
	for (size_t i = 0; i < tt->len; i++) {
		ttok *t = &tt->items[i];
		bool starts_line = newline;
		newline = t->kind == TT_LIT && t->len > 0 && t->text[t->len - 1] == '\n';
		if (!starts_line || t->kind != TT_LIT)
			continue;
		size_t sp = 0;
		while (sp < t->len && sp < min && is_space(t->text[sp]) && t->text[sp] != '\n')
			sp++;
		t->text += sp;
		t->len -= sp;
		t->range.start.column += (int)sp;
		t->range.start.byte += sp;
	}
}

/* Joins runs of literal items into one. */
static void meld_literals(hcl_parser *p, ttok_vec *tt)
{
	size_t w = 0;
	for (size_t r = 0; r < tt->len; r++) {
		ttok *cur = &tt->items[r];
		if (w > 0 && cur->kind == TT_LIT && tt->items[w - 1].kind == TT_LIT) {
			ttok *prev = &tt->items[w - 1];
			char *s = gf_arena_alloc(p->arena, prev->len + cur->len + 1);
			memcpy(s, prev->text, prev->len);
			memcpy(s + prev->len, cur->text, cur->len);
			prev->text = s;
			prev->len += cur->len;
			prev->range = hcl_range_between(prev->range, cur->range);
			continue;
		}
		tt->items[w++] = *cur;
	}
	tt->len = w;
}

/* ---- pass 2: the tree -------------------------------------------------- */

typedef enum {
	CTX_ROOT,
	CTX_IF,
	CTX_ELSE,
	CTX_FOR,
} build_ctx;

static hcl_tpl_parts finish_parts(hcl_parser *p, size_t mark)
{
	hcl_tpl_parts out;
	out.items = hcl_p_scratch_take(p, mark, sizeof(hcl_tpl_part), &out.len);
	return out;
}

/* Builds parts from tt[*i] up to the marker that ends `ctx`, which it
 * consumes and returns (TT_END at the end of the template). */
static ttok *build(hcl_parser *p, ttok_vec *tt, size_t *i, build_ctx ctx, const ttok *opener,
                   hcl_tpl_parts *out)
{
	size_t v = hcl_p_scratch_mark(p);
	ttok *stop = NULL;
	while (!stop) {
		ttok *t = &tt->items[*i];
		if (t->kind != TT_END)
			(*i)++;
		hcl_tpl_part part = {0};
		part.range = t->range;
		switch (t->kind) {
		case TT_LIT:
			if (t->len == 0)
				break; /* emptied by a strip marker: nothing to keep */
			part.kind = HCL_TPL_LITERAL;
			part.u.lit.text = t->text;
			part.u.lit.len = t->len;
			hcl_p_scratch_push(p, &part, sizeof(part));
			break;
		case TT_INTERP:
			part.kind = HCL_TPL_INTERP;
			part.u.interp = t->expr;
			hcl_p_scratch_push(p, &part, sizeof(part));
			break;
		case TT_IF:
		case TT_FOR: {
			if (!hcl_p_enter(p, &t->range)) {
				stop = &tt->items[tt->len - 1];
				break;
			}
			ttok *end;
			if (t->kind == TT_IF) {
				part.kind = HCL_TPL_IF;
				part.u.if_.cond = t->expr;
				end = build(p, tt, i, CTX_IF, t, &part.u.if_.then_parts);
				if (end->kind == TT_ELSE) {
					part.u.if_.has_else = true;
					end = build(p, tt, i, CTX_ELSE, t, &part.u.if_.else_parts);
				}
			} else {
				part.kind = HCL_TPL_FOR;
				part.u.for_.key_var = t->key_var;
				part.u.for_.value_var = t->value_var;
				part.u.for_.coll = t->expr;
				end = build(p, tt, i, CTX_FOR, t, &part.u.for_.body);
			}
			p->depth--;
			part.range = hcl_range_between(t->range, end->range);
			hcl_p_scratch_push(p, &part, sizeof(part));
			if (end->kind == TT_END)
				stop = end;
			break;
		}
		case TT_ELSE:
		case TT_ENDIF:
		case TT_ENDFOR:
			if ((ctx == CTX_IF && (t->kind == TT_ELSE || t->kind == TT_ENDIF)) ||
			    (ctx == CTX_ELSE && t->kind == TT_ENDIF) ||
			    (ctx == CTX_FOR && t->kind == TT_ENDFOR)) {
				stop = t;
				break;
			}
			{
				char *summary = gf_arena_printf(p->arena, "Unexpected %s directive",
				                                directive_name(t->kind));
				const char *detail =
				        ctx == CTX_ROOT
				                ? "The control directives within this template are "
				                  "unbalanced."
				        : ctx == CTX_FOR
				                ? gf_arena_printf(
				                          p->arena,
				                          "Expecting an endfor directive "
				                          "corresponding to the for directive at "
				                          "%s.",
				                          hcl_range_string(p->arena,
				                                           &opener->range))
				        : t->kind == TT_ELSE
				                ? gf_arena_printf(
				                          p->arena,
				                          "Already in the else clause for the if "
				                          "started at %s.",
				                          hcl_range_string(p->arena,
				                                           &opener->range))
				                : gf_arena_printf(
				                          p->arena,
				                          "Expecting an endif directive for the if "
				                          "started at %s.",
				                          hcl_range_string(p->arena,
				                                           &opener->range));
				hcl_diags_add(p->diags, HCL_DIAG_ERROR, &t->range, summary, "%s",
				              detail);
			}
			break;
		case TT_END:
			if (ctx != CTX_ROOT)
				hcl_diags_add(
				        p->diags, HCL_DIAG_ERROR, &t->range,
				        "Unexpected end of template",
				        "The %s directive at %s is missing its corresponding %s "
				        "directive.",
				        ctx == CTX_FOR ? "for" : "if",
				        hcl_range_string(p->arena, &opener->range),
				        ctx == CTX_FOR ? "endfor" : "endif");
			stop = t;
			break;
		}
	}
	*out = finish_parts(p, v);
	return stop;
}

/* ---- entry points ------------------------------------------------------ */

hcl_expr *hcl_p_parse_template(hcl_parser *p, const hcl_tok *open, hcl_token_type end)
{
	ttok_vec tt = {0};
	bool quoted = end == HCL_TOK_CQUOTE;
	bool ltrim_next = false;
	bool has_literal_token = false;
	hcl_range start = open ? hcl_p_range(p, open) : hcl_p_range(p, hcl_p_peek(p));
	hcl_range end_range = start;
	hcl_p_push_nl(p, true);
	hcl_range parts_start = hcl_p_range(p, hcl_p_peek(p));
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == end) {
			hcl_p_read(p);
			end_range = hcl_p_range(p, t);
			break;
		}
		bool ltrim_this = ltrim_next;
		ltrim_next = false;
		ttok item = {0};
		item.range = hcl_p_range(p, t);
		if (t->type == HCL_TOK_QUOTED_LIT || t->type == HCL_TOK_STRING_LIT) {
			hcl_p_read(p);
			item.kind = TT_LIT;
			item.text = hcl_p_decode_literal(p, t, &item.len);
			if (ltrim_this)
				ltrim(&item);
			has_literal_token = true;
			gf_vec_push(&tt, item);
			continue;
		}
		if (t->type == HCL_TOK_TEMPLATE_INTERP || t->type == HCL_TOK_TEMPLATE_CONTROL) {
			hcl_p_read(p);
			if (hcl_tok_len(t) == 3 && tt.len > 0 &&
			    tt.items[tt.len - 1].kind == TT_LIT)
				rtrim(&tt.items[tt.len - 1]);
			hcl_p_push_nl(p, false);
			bool ok = true;
			if (t->type == HCL_TOK_TEMPLATE_INTERP) {
				item.kind = TT_INTERP;
				item.expr = hcl_p_parse_expression(p);
			} else {
				ok = parse_directive(p, t, &item);
			}
			if (ok)
				ltrim_next = close_sequence(p, t,
				                            t->type == HCL_TOK_TEMPLATE_CONTROL
				                                    ? directive_name(item.kind)
				                                    : NULL,
				                            quoted, parts_start);
			else
				hcl_p_recover(p, HCL_TOK_TEMPLATE_SEQ_END);
			hcl_p_pop_nl(p);
			item.range = hcl_range_between(hcl_p_range(p, t), hcl_p_prev_range(p));
			if (ok || item.expr)
				gf_vec_push(&tt, item);
			continue;
		}
		if (t->type == HCL_TOK_BAD_UTF8) {
			hcl_p_read(p); /* reported by the lexer */
			continue;
		}
		hcl_diag *d;
		if (quoted && t->type == HCL_TOK_NEWLINE)
			d = hcl_p_error_at(
			        p, t, "Invalid multi-line string",
			        "Quoted strings may not be split over multiple lines. To produce "
			        "a multi-line string, either use the \\n escape to represent a "
			        "newline character or use the \"heredoc\" multi-line template "
			        "syntax.");
		else
			d = hcl_p_error_at(p, t, "Unterminated template string",
			                   "No closing marker was found for the string.");
		hcl_p_context(d, parts_start, hcl_p_range(p, t));
		end_range = hcl_p_prev_range(p);
		break;
	}
	hcl_p_pop_nl(p);
	if (tt.len == 0) {
		ttok empty = {TT_LIT, start, "", 0, NULL, NULL, NULL};
		empty.range.start = empty.range.end;
		gf_vec_push(&tt, empty);
	}
	if (open && open->type == HCL_TOK_OHEREDOC && hcl_tok_len(open) > 2 &&
	    hcl_p_text(p, open)[2] == '-')
		flush_heredoc(&tt);
	meld_literals(p, &tt);
	ttok endtok = {TT_END, end_range, NULL, 0, NULL, NULL, NULL};
	gf_vec_push(&tt, endtok);

	hcl_range whole = hcl_range_between(start, end_range);
	hcl_expr *e;
	if (tt.len == 2 && tt.items[0].kind == TT_LIT) {
		e = hcl_p_new_expr(p, HCL_EXPR_LITERAL, whole);
		e->u.lit.kind = HCL_LIT_STRING;
		e->u.lit.text = gf_arena_strndup(p->arena, tt.items[0].text, tt.items[0].len);
		e->u.lit.len = tt.items[0].len;
	} else if (tt.len == 2 && tt.items[0].kind == TT_INTERP && !has_literal_token) {
		e = hcl_p_new_expr(p, HCL_EXPR_TEMPLATE_WRAP, whole);
		e->u.wrap.wrapped = tt.items[0].expr;
	} else {
		e = hcl_p_new_expr(p, HCL_EXPR_TEMPLATE, whole);
		e->u.tpl.heredoc = open && open->type == HCL_TOK_OHEREDOC;
		size_t i = 0;
		build(p, &tt, &i, CTX_ROOT, NULL, &e->u.tpl.parts);
	}
	gf_vec_dispose(&tt);
	return e;
}

/* A piece of a quoted literal's text. The usual literal is one piece (a
 * label "web"), already an arena string: the buffer is used only from
 * the second piece on. */
typedef struct {
	gf_buf b;
	size_t pieces;
	const char *first;
	size_t first_len;
} lit_text;

static void lit_put(lit_text *l, const char *s, size_t n)
{
	if (l->pieces++ == 0) {
		l->first = s;
		l->first_len = n;
		return;
	}
	if (l->pieces == 2)
		gf_buf_put(&l->b, l->first, l->first_len);
	gf_buf_put(&l->b, s, n);
}

const char *hcl_p_parse_quoted_literal(hcl_parser *p, const hcl_tok *open, hcl_range *range)
{
	lit_text l = {.pieces = 0};
	gf_buf_init(&l.b, 0);
	hcl_range end = hcl_p_range(p, open);
	for (;;) {
		const hcl_tok *t = hcl_p_peek(p);
		if (t->type == HCL_TOK_CQUOTE) {
			hcl_p_read(p);
			end = hcl_p_range(p, t);
			break;
		}
		if (t->type == HCL_TOK_QUOTED_LIT) {
			hcl_p_read(p);
			size_t n;
			char *s = hcl_p_decode_literal(p, t, &n);
			lit_put(&l, s, n);
			end = hcl_p_range(p, t);
			continue;
		}
		if (t->type == HCL_TOK_TEMPLATE_INTERP || t->type == HCL_TOK_TEMPLATE_CONTROL) {
			hcl_p_error_at(
			        p, t, "Invalid string literal",
			        "Template sequences are not allowed in this string. To include a "
			        "literal \"$\", double it (as \"$$\") to escape it.");
			hcl_p_read(p);
			hcl_p_recover(p, HCL_TOK_TEMPLATE_SEQ_END);
			/* hclsyntax's placeholder, which shows in "in x ..." contexts */
			lit_put(&l, t->type == HCL_TOK_TEMPLATE_INTERP ? "${ ... }" : "%{ ... }",
			        8);
			continue;
		}
		if (t->type == HCL_TOK_BAD_UTF8) {
			hcl_p_read(p);
			continue;
		}
		hcl_p_error_at(p, t, "Unterminated template string",
		               "No closing marker was found for the string.");
		break;
	}
	*range = hcl_range_between(hcl_p_range(p, open), end);
	/* One piece is NUL-terminated: decoded into the arena, or a placeholder. */
	const char *out = l.pieces == 1
	                          ? l.first
	                          : gf_arena_strndup(p->arena, l.b.ptr ? l.b.ptr : "", l.b.len);
	gf_buf_dispose(&l.b);
	return out;
}
