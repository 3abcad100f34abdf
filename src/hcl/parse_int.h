/*
 * Private to src/hcl: the parser's state, shared by parse.c (bodies and
 * the token peeker), parse_expr.c (expressions) and parse_tpl.c
 * (templates and string literals).
 *
 * Error discipline, as hclsyntax's: the first error inside a body item sets
 * `recovery`, which silences the cascade of follow-up errors until the
 * parser has skipped to a safe point (the next line, or a closing bracket);
 * unlike hclsyntax, the flag is cleared at every body item, so each broken
 * item is reported.
 *
 * Depth: `depth` counts the tree depth being built — nested expressions,
 * operator and postfix chains, template directives, blocks — and is
 * refused past HCL_MAX_DEPTH so that nothing downstream (evaluator, walker,
 * fmt) can recurse deeper than a small multiple of it.
 */
#ifndef GF_HCL_PARSE_INT_H
#define GF_HCL_PARSE_INT_H

#include "hcl/ast.h"
#include "hcl/hcl.h"

/*
 * Where a byte offset is in lines and columns. The lexer and the parser
 * work on byte offsets only (tokens are 12 bytes); a position is computed
 * when a range is built for the tree or a diagnostic. Lines come from a
 * table of line starts, built with one memchr pass; columns are counted
 * in characters from the start of the line, starting from the column last
 * asked for when the parser moves forward on the same line, as it mostly
 * does, so the whole parse stays linear in the size of the source.
 */
typedef struct {
	const char *src;
	size_t len;
	const char *filename; /* put in every range */
	hcl_pos origin;       /* the position of byte 0 */
	uint32_t first;       /* bytes before the first character (a BOM) */
	uint32_t *lines;      /* offsets of line starts; lines[0] = 0 */
	bool *ascii;          /* per line: only ASCII, so columns are bytes */
	size_t nlines;
	size_t line; /* cache: the line of the last lookup, */
	uint32_t at; /* an offset on it, */
	int col;     /* and the characters from its start to `at` */
} hcl_srcmap;

/* Sources longer than this are refused (offsets are 32 bits). */
#define HCL_MAX_SOURCE ((size_t)UINT32_MAX - 1)

void hcl_srcmap_init(hcl_srcmap *m, const char *filename, const char *src, size_t len,
                     hcl_pos origin);
void hcl_srcmap_dispose(hcl_srcmap *m);
hcl_pos hcl_srcmap_pos(hcl_srcmap *m, uint32_t off);
hcl_range hcl_srcmap_range(hcl_srcmap *m, uint32_t from, uint32_t to);

/* A token as the lexer produces it for the parser: its type and its bytes
 * [start, end) in the source (hcl_token, which the public hcl_lex returns,
 * adds a pointer and a range). */
typedef struct {
	uint32_t start, end;
	hcl_token_type type;
} hcl_tok;

typedef struct {
	hcl_tok *toks;
	size_t ntoks, toks_cap, pos;
	hcl_srcmap map;
	const char *filename;
	gf_arena *arena;
	hcl_diags *diags;
	GF_VEC(bool) nl;               /* include-newlines stack */
	GF_VEC(unsigned char) scratch; /* lists being built (hcl_p_scratch_*) */
	bool incl_nl;                  /* its top: whether newlines are significant */
	hcl_tok fake_nl;               /* a line comment seen as the newline it ends with */
	struct {                       /* the last next-token lookup (see hcl_p_peek) */
		size_t from, index;
		const hcl_tok *tok;
		bool incl, invalid;
	} peek;
	int depth;
	bool recovery;
	bool too_deep_reported;
	int block_depth; /* blocks being parsed: a stray } ends one */
} hcl_parser;

/* A token's range, text and length. The range's usual case is inline: a
 * token on the line of the last lookup, in ASCII (not the first line,
 * whose columns may start elsewhere). */
static inline hcl_range hcl_p_range(hcl_parser *p, const hcl_tok *t)
{
	const hcl_srcmap *m = &p->map;
	size_t k = m->line;
	uint32_t from = m->lines[k];
	if (k > 0 && from <= t->start && t->end < m->lines[k + 1] && m->ascii[k]) {
		hcl_range r;
		r.filename = m->filename;
		r.start.line = r.end.line = m->origin.line + (int)k;
		r.start.column = 1 + (int)(t->start - from);
		r.end.column = 1 + (int)(t->end - from);
		r.start.byte = m->origin.byte + t->start;
		r.end.byte = m->origin.byte + t->end;
		return r;
	}
	return hcl_srcmap_range(&p->map, t->start, t->end);
}
static inline const char *hcl_p_text(const hcl_parser *p, const hcl_tok *t)
{
	return p->map.src + t->start;
}
static inline size_t hcl_tok_len(const hcl_tok *t)
{
	return t->end - t->start;
}

/* The next significant token (comments skipped; newlines skipped unless
 * the top of the newline stack says otherwise), and reading it. The
 * parser peeks at the same position many times, and the answer depends
 * only on the position and on whether newlines count: the last answer is
 * kept, and the slow path finds a new one. */
const hcl_tok *hcl_p_peek_slow(hcl_parser *p);
static inline const hcl_tok *hcl_p_peek(hcl_parser *p)
{
	if (p->peek.from != p->pos || p->peek.incl != p->incl_nl) {
		/* Most tokens are significant themselves: no newline or comment
		 * to skip, no invalid character to note, not the end. */
		const hcl_tok *t = &p->toks[p->pos];
		if (t->type <= HCL_TOK_COMMENT || t->type >= HCL_TOK_INVALID)
			return hcl_p_peek_slow(p);
		p->peek.from = p->peek.index = p->pos;
		p->peek.incl = p->incl_nl;
		p->peek.invalid = false;
		p->peek.tok = t;
		return t;
	}
	if (p->peek.invalid)
		p->recovery = true;
	return p->peek.tok;
}
static inline const hcl_tok *hcl_p_read(hcl_parser *p)
{
	const hcl_tok *t = hcl_p_peek(p);
	if (p->peek.index < p->ntoks - 1)
		p->pos = p->peek.index + 1;
	return t;
}
/* The lists the parser builds (body items, labels, arguments, tuple and
 * object items, template parts) are collected on one LIFO byte stack for
 * the whole parse instead of a heap vector each, then copied into the
 * arena at their final size. A list starts at hcl_p_scratch_mark; a list
 * nested in it (a block's body inside the outer body's items) is pushed
 * and taken above it before the outer list's next push, so each list's
 * elements are contiguous. hcl_p_scratch_take copies the elements since
 * `mark` (NULL when there are none) and pops them. A push may move the
 * stack: elements are never used in place. */
static inline size_t hcl_p_scratch_mark(const hcl_parser *p)
{
	return p->scratch.len;
}
void hcl_p_scratch_push(hcl_parser *p, const void *elem, size_t size);
void *hcl_p_scratch_take(hcl_parser *p, size_t mark, size_t size, size_t *n);
hcl_range hcl_p_prev_range(hcl_parser *p);
void hcl_p_push_nl(hcl_parser *p, bool include);
void hcl_p_pop_nl(hcl_parser *p);
/* Reports an error unless in recovery, then enters recovery. Returns the
 * diagnostic, or NULL when it was silenced. */
hcl_diag *hcl_p_error(hcl_parser *p, const hcl_range *subject, const char *summary,
                      const char *detail);
/* hcl_p_error with the token's range as the subject. */
hcl_diag *hcl_p_error_at(hcl_parser *p, const hcl_tok *t, const char *summary, const char *detail);
/* Sets d's context to the range from `from` to `to` (d may be NULL). */
void hcl_p_context(hcl_diag *d, hcl_range from, hcl_range to);
/* Skips to the token closing the bracket whose opener was just read (nested
 * brackets balanced) and returns it; stops at EOF. */
const hcl_tok *hcl_p_recover(hcl_parser *p, hcl_token_type close);
/* Enters one level of tree depth; false (reported once) past the limit, in
 * which case the caller returns an invalid node without entering. */
bool hcl_p_enter(hcl_parser *p, const hcl_range *where);
/* hcl_p_enter at token t, whose range is computed only for the error. */
bool hcl_p_enter_at(hcl_parser *p, const hcl_tok *t);
hcl_range hcl_range_between(hcl_range a, hcl_range b);
/* Length of the valid UTF-8 sequence at s (at most n bytes, n > 0), 0 when
 * it is not valid UTF-8 (overlong forms and surrogates included). */
size_t hcl_utf8_len(const unsigned char *s, size_t n);

/* Splits m's source into tokens, as hcl_lex does, into an array of *cap
 * entries from gf_big_alloc, which the caller releases (gf_big_free, *cap
 * tokens): the parser needs tokens only while parsing, since the tree
 * copies ranges and strings out of them. */
hcl_tok *hcl_p_lex(size_t *n, size_t *cap, hcl_srcmap *m, hcl_lex_mode mode, hcl_diags *diags);

hcl_expr *hcl_p_new_expr(hcl_parser *p, hcl_expr_kind kind, hcl_range range);
hcl_expr *hcl_p_parse_expression(hcl_parser *p);
/* After the opening OQUOTE / OHEREDOC has been read, or at the start of a
 * bare template (end = HCL_TOK_EOF). */
hcl_expr *hcl_p_parse_template(hcl_parser *p, const hcl_tok *open, hcl_token_type end);
/* A quoted string that must be a literal (block labels): after OQUOTE. */
const char *hcl_p_parse_quoted_literal(hcl_parser *p, const hcl_tok *open, hcl_range *range);
/* Decodes one literal token's text (escapes, $${, %%{) into the arena;
 * errors into p's diagnostics. */
char *hcl_p_decode_literal(hcl_parser *p, const hcl_tok *t, size_t *len);

#endif
