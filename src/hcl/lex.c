/*
 * The HCL lexer: bytes to tokens (see ast.h, note 1).
 *
 * The lexer is a loop over a stack of modes, as hclsyntax's scanner is:
 *
 *   MAIN     ordinary tokens. `{` counts a brace; `}` either closes a brace
 *            or, when it balances the `${`/`%{` that pushed this frame,
 *            becomes TEMPLATE_SEQ_END and pops the frame.
 *   QUOTED   inside "...": literal runs, `${`/`%{` push MAIN, `"` pops.
 *            A newline ends the frame without a closing quote; the parser
 *            reports the unterminated string. A MAIN frame inside a QUOTED
 *            one may span lines, as HCL allows, unless interp_abandoned()
 *            decides the line ended a broken `${`: then empty SEQ_END and
 *            CQUOTE tokens close both frames (our one departure from
 *            hclsyntax, for error recovery; see docs/language.md).
 *   HEREDOC  inside <<EOT: literal runs of at most one line each (the
 *            parser strips `<<-` indentation per line); a line holding only
 *            the marker (spaces and tabs around it allowed) is CHEREDOC and
 *            pops.
 *   BARE     a bare template: like HEREDOC without a closing marker.
 *
 * The stack lives on the heap and the loop does not recurse, so nesting
 * depth is limited only by the parser (HCL_MAX_DEPTH).
 *
 * The lexer deals in byte offsets only: a token is its type and its bytes
 * [start, end), 12 bytes. Lines and columns are computed by hcl_srcmap
 * (below) for the ranges the parser keeps and for diagnostics; most tokens
 * (spaces, newlines, comments, punctuation) never need one.
 */
#include "hcl/ast.h"
#include "hcl/parse_int.h"

#include <stdlib.h>
#include <string.h>

typedef enum {
	FRAME_MAIN,
	FRAME_QUOTED,
	FRAME_HEREDOC,
	FRAME_BARE,
} frame_kind;

typedef struct {
	frame_kind kind;
	int braces;         /* MAIN: open `{` not yet closed */
	int brackets;       /* MAIN: open `(` and `[` not yet closed */
	bool pushed;        /* MAIN: entered through ${ or %{ */
	const char *marker; /* HEREDOC */
	size_t marker_len;
	bool sol; /* HEREDOC: at the start of a line */
} frame;

typedef struct {
	hcl_srcmap *map;
	const char *src;
	size_t len, i;
	hcl_tok *toks; /* from gf_big_alloc: cap entries */
	size_t ntoks, cap;
	GF_VEC(frame) stack;
	hcl_diags *diags;
	int told_bitwise, told_exponent, told_backtick, told_apostrophe, told_semicolon;
	bool told_bad_utf8;
	size_t ts; /* start of the token being scanned */
} lexer;

hcl_pos hcl_pos_start(void)
{
	hcl_pos p = {1, 1, 0};
	return p;
}

/* ---- positions --------------------------------------------------------- */

static bool all_ascii(const unsigned char *s, size_t n)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= s[i];
	return (acc & 0x8080808080808080ull) == 0;
}

void hcl_srcmap_init(hcl_srcmap *m, const char *filename, const char *src, size_t len,
                     hcl_pos origin)
{
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->len = len;
	m->filename = filename;
	m->origin = origin;
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		m->first = 3;
	GF_VEC(uint32_t) lines = {0};
	GF_VEC(bool) ascii = {0};
	gf_vec_reserve(&lines, len / 32 + 2);
	gf_vec_reserve(&ascii, len / 32 + 2);
	const char *q = src, *end = src + len;
	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *next = nl ? nl + 1 : end;
		gf_vec_push(&lines, (uint32_t)(q - src));
		gf_vec_push(&ascii, all_ascii((const unsigned char *)q, (size_t)(next - q)));
		if (!nl)
			break;
		q = next;
	}
	m->nlines = lines.len;
	gf_vec_push(&lines, UINT32_MAX); /* a sentinel: lines[nlines] > any offset */
	m->lines = lines.items;
	m->ascii = ascii.items;
	m->at = m->first;
}

void hcl_srcmap_dispose(hcl_srcmap *m)
{
	free(m->lines);
	free(m->ascii);
	m->lines = NULL;
	m->ascii = NULL;
}

/* The index of the line holding byte `off`: the last line start ≤ off. */
static size_t find_line(const hcl_srcmap *m, uint32_t off)
{
	size_t k = m->line;
	if (m->lines[k] <= off && off < m->lines[k + 1])
		return k;
	if (k + 1 < m->nlines && m->lines[k + 1] <= off && off < m->lines[k + 2])
		return k + 1;
	if (k > 0 && m->lines[k - 1] <= off && off < m->lines[k])
		return k - 1;
	size_t lo = 0, hi = m->nlines; /* lines[lo] <= off < lines[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

hcl_pos hcl_srcmap_pos(hcl_srcmap *m, uint32_t off)
{
	size_t k = find_line(m, off);
	uint32_t from = k == 0 ? m->first : m->lines[k];
	hcl_pos p;
	p.line = m->origin.line + (int)k;
	p.byte = m->origin.byte + off;
	p.column = k == 0 ? m->origin.column : 1;
	if (m->ascii[k]) {
		m->line = k;
		p.column += off > from ? (int)(off - from) : 0;
		return p;
	}
	if (k != m->line || off < m->at) {
		m->line = k;
		m->at = from;
		m->col = 0;
	}
	/* Columns count characters: every byte that is not a UTF-8
	 * continuation byte. */
	const unsigned char *s = (const unsigned char *)m->src;
	int col = m->col;
	for (uint32_t i = m->at; i < off; i++)
		col += (s[i] & 0xC0) != 0x80;
	if (off > m->at) {
		m->at = off;
		m->col = col;
	}
	p.column += col;
	return p;
}

hcl_range hcl_srcmap_range(hcl_srcmap *m, uint32_t from, uint32_t to)
{
	hcl_range r;
	r.filename = m->filename;
	r.start = hcl_srcmap_pos(m, from);
	size_t k = m->line;
	if (to < m->lines[k + 1] && m->ascii[k]) { /* the usual: one line of ASCII */
		r.end = r.start;
		r.end.column += (int)(to - from);
		r.end.byte += to - from;
		return r;
	}
	r.end = to == from ? r.start : hcl_srcmap_pos(m, to);
	return r;
}

/* ---- the lexer --------------------------------------------------------- */

size_t hcl_utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t need;
	uint32_t cp;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

static int at(const lexer *lx, size_t k)
{
	return lx->i + k < lx->len ? (unsigned char)lx->src[lx->i + k] : -1;
}

static void advance(lexer *lx, size_t n)
{
	lx->i = n < lx->len - lx->i ? lx->i + n : lx->len;
}

static void begin(lexer *lx)
{
	lx->ts = lx->i;
}

/* Out of line: the array is sized from the source up front, so emit, run
 * once per token, stays small enough to be inlined. */
static void grow_tokens(lexer *lx)
{
	hcl_tok *grown = gf_big_alloc(2 * lx->cap * sizeof(hcl_tok));
	memcpy(grown, lx->toks, lx->ntoks * sizeof(hcl_tok));
	gf_big_free(lx->toks, lx->cap * sizeof(hcl_tok));
	lx->toks = grown;
	lx->cap *= 2;
}

static inline hcl_tok *emit(lexer *lx, hcl_token_type type)
{
	hcl_tok t = {(uint32_t)lx->ts, (uint32_t)lx->i, type};
	if (lx->ntoks == lx->cap)
		grow_tokens(lx);
	lx->toks[lx->ntoks] = t;
	return &lx->toks[lx->ntoks++];
}

static void lex_error(lexer *lx, const hcl_tok *t, const char *summary, const char *detail)
{
	hcl_range r = hcl_srcmap_range(lx->map, t->start, t->end);
	hcl_diags_add(lx->diags, HCL_DIAG_ERROR, &r, summary, "%s", detail);
}

static frame *top(lexer *lx)
{
	return &lx->stack.items[lx->stack.len - 1];
}

static void push(lexer *lx, frame_kind kind)
{
	frame f = {kind, 0, 0, kind == FRAME_MAIN, NULL, 0, true};
	gf_vec_push(&lx->stack, f);
}

/* ASCII identifier characters: 1 may start one, 2 may continue one. */
static const unsigned char ident_ascii[128] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3, 0, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
};

static bool is_ident_start(int c)
{
	return c >= 0x80 || (c >= 0 && (ident_ascii[c] & 1));
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * Whether a non-ASCII character may be part of an identifier. HCL allows
 * Unicode letters (ID_Start/ID_Continue); without Unicode tables this keeps
 * out the blocks of punctuation, symbols and emoji instead, so that curly
 * quotes or an arrow are reported as invalid characters, not names.
 */
static bool letter_like(const unsigned char *q, size_t u)
{
	uint32_t cp = u == 2   ? (uint32_t)(q[0] & 0x1F) << 6 | (q[1] & 0x3F)
	              : u == 3 ? (uint32_t)(q[0] & 0x0F) << 12 | (uint32_t)(q[1] & 0x3F) << 6 |
	                                 (q[2] & 0x3F)
	                       : (uint32_t)(q[0] & 0x07) << 18 | (uint32_t)(q[1] & 0x3F) << 12 |
	                                 (uint32_t)(q[2] & 0x3F) << 6 | (q[3] & 0x3F);
	return !(cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
	         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	         (cp >= 0xFF00 && cp <= 0xFF0F) || cp >= 0xFFF0);
}

/* Length of an identifier at offset k from the current byte, 0 if none.
 * Non-ASCII characters are accepted when they are valid UTF-8. */
static size_t ident_len(const lexer *lx, size_t k)
{
	const unsigned char *s = (const unsigned char *)lx->src;
	size_t start = lx->i + k, i = start, n = lx->len;
	if (i >= n || !is_ident_start(s[i]))
		return 0;
	if (s[i] < 0x80)
		i++;
	for (;;) {
		while (i < n && s[i] < 0x80 && (ident_ascii[s[i]] & 2))
			i++;
		if (i >= n || s[i] < 0x80)
			break;
		size_t u = hcl_utf8_len(s + i, n - i);
		if (!u || !letter_like(s + i, u))
			break;
		i += u;
	}
	return i - start;
}

/* Emits a BAD_UTF8 token for the invalid byte at the current position. */
static void bad_utf8(lexer *lx)
{
	begin(lx);
	advance(lx, 1);
	while (lx->i < lx->len && ((unsigned char)lx->src[lx->i] & 0xC0) == 0x80)
		lx->i++; /* the rest of a broken sequence: one error */
	hcl_tok *t = emit(lx, HCL_TOK_BAD_UTF8);
	if (lx->told_bad_utf8)
		return;
	lx->told_bad_utf8 = true;
	lex_error(lx, t, "Invalid character encoding",
	          "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected "
	          "in your editor.");
}

/* "${" or "%{" (with an optional "~") at the current position: emits it and
 * pushes a MAIN frame. Returns false when not at a sequence start. */
static bool template_seq(lexer *lx)
{
	int c = at(lx, 0);
	if ((c != '$' && c != '%') || at(lx, 1) != '{')
		return false;
	begin(lx);
	advance(lx, at(lx, 2) == '~' ? 3 : 2);
	emit(lx, c == '$' ? HCL_TOK_TEMPLATE_INTERP : HCL_TOK_TEMPLATE_CONTROL);
	if (top(lx)->kind == FRAME_HEREDOC)
		top(lx)->sol = false;
	push(lx, FRAME_MAIN);
	return true;
}

/*
 * Scans literal template text up to (not including) a sequence start, an
 * invalid byte, a stop byte ('"' for quoted strings) or the end of a line
 * (the newline included when `keep_newline`, excluded otherwise). `$${` and
 * `%%{` are literal and consumed whole. Returns the number of bytes.
 */
static size_t scan_literal(lexer *lx, int stop, bool backslash, bool keep_newline)
{
	const unsigned char *s = (const unsigned char *)lx->src;
	size_t i = lx->i, n = lx->len, start = i;
	while (i < n) {
		unsigned char c = s[i];
		if (c == stop)
			break;
		if (c == '$' || c == '%') {
			if (i + 2 < n && s[i + 1] == c && s[i + 2] == '{') {
				i += 3;
				continue;
			}
			if (i + 1 < n && s[i + 1] == '{')
				break;
			i++;
			continue;
		}
		if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			if (keep_newline)
				i += c == '\r' ? 2 : 1;
			break;
		}
		if (backslash && c == '\\' && i + 1 < n && s[i + 1] != '\n' && s[i + 1] != '\r')
			c = s[++i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t u = hcl_utf8_len(s + i, n - i);
		if (!u)
			break;
		i += u;
	}
	lx->i = i;
	return i - start;
}

static void lex_quoted(lexer *lx)
{
	int c = at(lx, 0);
	if (c == '"') {
		begin(lx);
		advance(lx, 1);
		emit(lx, HCL_TOK_CQUOTE);
		lx->stack.len--;
		return;
	}
	if (c == '\n' || (c == '\r' && at(lx, 1) == '\n')) {
		lx->stack.len--; /* unterminated: the parser reports it */
		return;
	}
	if (template_seq(lx))
		return;
	begin(lx);
	if (scan_literal(lx, '"', true, false) > 0)
		emit(lx, HCL_TOK_QUOTED_LIT);
	else
		bad_utf8(lx);
}

/* True when the line at the current position is the heredoc's closing
 * marker: the marker alone on its line, spaces and tabs around it allowed. */
static bool at_heredoc_end(const lexer *lx, const frame *f, size_t *marker_end)
{
	size_t k = 0;
	while (at(lx, k) == ' ' || at(lx, k) == '\t')
		k++;
	if (lx->len - lx->i - k < f->marker_len ||
	    memcmp(lx->src + lx->i + k, f->marker, f->marker_len) != 0)
		return false;
	k += f->marker_len;
	while (at(lx, k) == ' ' || at(lx, k) == '\t') /* hclsyntax trims both sides */
		k++;
	int c = at(lx, k);
	if (c >= 0 && c != '\n' && !(c == '\r' && at(lx, k + 1) == '\n'))
		return false;
	*marker_end = k;
	return true;
}

static void lex_heredoc_or_bare(lexer *lx)
{
	frame *f = top(lx);
	size_t marker_end;
	if (f->kind == FRAME_HEREDOC && f->sol && at_heredoc_end(lx, f, &marker_end)) {
		begin(lx);
		advance(lx, marker_end);
		emit(lx, HCL_TOK_CHEREDOC);
		lx->stack.len--;
		return;
	}
	if (template_seq(lx))
		return;
	begin(lx);
	if (scan_literal(lx, -2, false, true) == 0) {
		bad_utf8(lx);
		return;
	}
	hcl_tok *t = emit(lx, HCL_TOK_STRING_LIT);
	if (f->kind == FRAME_HEREDOC)
		f->sol = lx->src[t->end - 1] == '\n';
}

/* <<EOT or <<-EOT followed by a newline: the heredoc opener. */
static bool heredoc_open(lexer *lx)
{
	size_t k = 2;
	if (at(lx, k) == '-')
		k++;
	size_t id = ident_len(lx, k);
	if (!id)
		return false;
	size_t nl = k + id;
	if (at(lx, nl) == '\r')
		nl++;
	if (at(lx, nl) != '\n')
		return false;
	begin(lx);
	const char *marker = lx->src + lx->i + k;
	advance(lx, nl + 1);
	emit(lx, HCL_TOK_OHEREDOC);
	push(lx, FRAME_HEREDOC);
	top(lx)->marker = marker;
	top(lx)->marker_len = id;
	return true;
}

static size_t number_len(const lexer *lx)
{
	size_t k = 1;
	for (;;) {
		int c = at(lx, k);
		if (is_digit(c)) {
			k++;
		} else if (c == '.' && is_digit(at(lx, k + 1))) {
			k += 2;
		} else if ((c == 'e' || c == 'E') && is_digit(at(lx, k + 1))) {
			k += 2;
		} else if ((c == 'e' || c == 'E') &&
		           (at(lx, k + 1) == '+' || at(lx, k + 1) == '-') &&
		           is_digit(at(lx, k + 2))) {
			k += 3;
		} else {
			return k;
		}
	}
}

/* The punctuation token at the current byte c and its length in *n;
 * HCL_TOK_INVALID when c starts none. */
static hcl_token_type punct(const lexer *lx, int c, size_t *n)
{
	int d = at(lx, 1);
	*n = 1;
	switch (c) {
	case '.':
		if (d == '.' && at(lx, 2) == '.') {
			*n = 3;
			return HCL_TOK_ELLIPSIS;
		}
		return HCL_TOK_DOT;
	case '=':
		*n = d == '=' || d == '>' ? 2 : 1;
		return d == '=' ? HCL_TOK_EQ : d == '>' ? HCL_TOK_FAT_ARROW : HCL_TOK_EQUAL;
	case '!':
		*n = d == '=' ? 2 : 1;
		return d == '=' ? HCL_TOK_NE : HCL_TOK_BANG;
	case '>':
		*n = d == '=' ? 2 : 1;
		return d == '=' ? HCL_TOK_GE : HCL_TOK_GT;
	case '<':
		*n = d == '=' ? 2 : 1;
		return d == '=' ? HCL_TOK_LE : HCL_TOK_LT;
	case '&':
		*n = 2;
		return d == '&' ? HCL_TOK_AND : HCL_TOK_INVALID;
	case '|':
		*n = 2;
		return d == '|' ? HCL_TOK_OR : HCL_TOK_INVALID;
	case '*':
		return d == '*' ? HCL_TOK_INVALID : HCL_TOK_STAR; /* "**" is reported */
	case '[':
		return HCL_TOK_LBRACK;
	case ']':
		return HCL_TOK_RBRACK;
	case '(':
		return HCL_TOK_LPAREN;
	case ')':
		return HCL_TOK_RPAREN;
	case ',':
		return HCL_TOK_COMMA;
	case '/':
		return HCL_TOK_SLASH;
	case '%':
		return HCL_TOK_PERCENT;
	case '+':
		return HCL_TOK_PLUS;
	case '-':
		return HCL_TOK_MINUS;
	case '?':
		return HCL_TOK_QUESTION;
	case ':':
		return HCL_TOK_COLON;
	default:
		return HCL_TOK_INVALID;
	}
}

/*
 * Reports a character that starts no token, with hclsyntax's messages and
 * its limits on repeats (a quoted 'x' is one error, not two; the fourth
 * bitwise operator is not news).
 */
static void invalid_char(lexer *lx, const hcl_tok *t)
{
	const char *summary = "Invalid character";
	const char *detail = "This character is not used within the language.";
	const char *bytes = lx->src + t->start;
	unsigned char c = (unsigned char)bytes[0];
	switch (c) {
	case '&':
	case '|':
	case '^':
	case '~':
		if (lx->told_bitwise++ >= 4)
			return;
		summary = "Unsupported operator";
		detail = c == '&' ? "Bitwise operators are not supported. Did you mean boolean AND "
		                    "(\"&&\")?"
		         : c == '|'
		                 ? "Bitwise operators are not supported. Did you mean boolean OR "
		                   "(\"||\")?"
		         : c == '~'
		                 ? "Bitwise operators are not supported. Did you mean boolean NOT "
		                   "(\"!\")?"
		                 : "Bitwise operators are not supported.";
		break;
	case '*':
		if (lx->told_exponent++ >= 1)
			return;
		summary = "Unsupported operator";
		detail =
		        "\"**\" is not a supported operator. Exponentiation is not supported as an "
		        "operator.";
		break;
	case '`':
		if (lx->told_backtick++ % 2)
			return;
		detail = "The \"`\" character is not valid. To create a multi-line string, use the "
		         "\"heredoc\" syntax, like \"<<EOT\".";
		break;
	case '\'':
		if (lx->told_apostrophe++ % 2)
			return;
		detail = "Single quotes are not valid. Use double quotes (\") to enclose strings.";
		break;
	case ';':
		if (lx->told_semicolon++ >= 1)
			return;
		detail = "The \";\" character is not valid. Use newlines to separate arguments and "
		         "blocks, and commas to separate items in collection values.";
		break;
	default:
		if (hcl_tok_len(t) == 3 && (memcmp(bytes, "\xE2\x80\x9C", 3) == 0 ||
		                            memcmp(bytes, "\xE2\x80\x9D", 3) == 0))
			detail = "\"Curly quotes\" are not valid here. These can sometimes be "
			         "inadvertently introduced when sharing code via documents or "
			         "discussion "
			         "forums. It might help to replace the character with a \"straight "
			         "quote\".";
	}
	lex_error(lx, t, summary, detail);
}

static void lex_comment(lexer *lx, bool block)
{
	begin(lx);
	if (block) {
		advance(lx, 2);
		while (lx->i < lx->len && !(lx->src[lx->i] == '*' && at(lx, 1) == '/'))
			lx->i++;
		if (lx->i >= lx->len) {
			hcl_tok *t = emit(lx, HCL_TOK_COMMENT);
			lex_error(
			        lx, t, "Unterminated comment",
			        "There is no closing \"*/\" for this comment before the end of the "
			        "file.");
			return;
		}
		advance(lx, 2);
	} else {
		const char *nl = memchr(lx->src + lx->i, '\n', lx->len - lx->i);
		lx->i = nl ? (size_t)(nl - lx->src) + 1 : lx->len;
	}
	emit(lx, HCL_TOK_COMMENT);
}

/*
 * At a newline inside a ${ of a quoted string (no bracket open): whether
 * the sequence was abandoned rather than continued on the next line, as
 * HCL allows ("${\n  var.x\n}"). It was abandoned when a string inside it
 * just ended unclosed, or when the expression looks complete (it ends with a name, a literal or a closing bracket) and
 * the next line starts something new (a name, a number, a quote) rather
 * than an operator or the closing brace.
 */
static bool interp_abandoned(const lexer *lx)
{
	const hcl_tok *last = &lx->toks[lx->ntoks - 1];
	switch (last->type) {
	case HCL_TOK_OQUOTE:
	case HCL_TOK_QUOTED_LIT:
		return true; /* a string inside it ended unclosed: it is broken */
	case HCL_TOK_IDENT:
	case HCL_TOK_NUMBER:
	case HCL_TOK_CQUOTE:
	case HCL_TOK_RPAREN:
	case HCL_TOK_RBRACK:
	case HCL_TOK_RBRACE:
	case HCL_TOK_CHEREDOC:
		break;
	default:
		return false;
	}
	size_t k = 0;
	int c;
	while ((c = at(lx, k)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		k++;
	return c < 0 || c == '"' || is_digit(c) || ident_len(lx, k) > 0;
}

/* One token of a MAIN frame f (the top of the stack), after the spaces
 * and tabs before it; at least one byte is left. */
static void lex_main_token(lexer *lx, frame *f)
{
	const unsigned char *s = (const unsigned char *)lx->src;
	size_t i = lx->i;
	while (s[i] == ' ' || s[i] == '\t')
		if (++i == lx->len) {
			lx->i = i;
			return;
		}
	lx->i = lx->ts = i;
	int c = s[i];
	/* The most frequent token, an ASCII name, inline; a name that goes on
	 * with a non-ASCII character takes the general path below. */
	if (c < 0x80 && (ident_ascii[c] & 1)) {
		do
			i++;
		while (i < lx->len && s[i] < 0x80 && (ident_ascii[s[i]] & 2));
		if (i == lx->len || s[i] < 0x80) {
			lx->i = i;
			emit(lx, HCL_TOK_IDENT);
			return;
		}
	}
	if (c == '\n' || (c == '\r' && at(lx, 1) == '\n')) {
		if (f->pushed && f->braces == 0 && f->brackets == 0 && lx->stack.len >= 2 &&
		    lx->stack.items[lx->stack.len - 2].kind == FRAME_QUOTED &&
		    interp_abandoned(lx)) {
			/* This ${ was never closed. End it and its string with
			 * empty tokens, which the parser reports, so that the
			 * next line lexes as what it is rather than as the
			 * inside of a sequence. */
			emit(lx, HCL_TOK_TEMPLATE_SEQ_END);
			emit(lx, HCL_TOK_CQUOTE);
			lx->stack.len -= 2;
			return;
		}
		advance(lx, c == '\r' ? 2 : 1);
		emit(lx, HCL_TOK_NEWLINE);
		return;
	}
	if (c == '#' || (c == '/' && at(lx, 1) == '/')) {
		lex_comment(lx, false);
		return;
	}
	if (c == '/' && at(lx, 1) == '*') {
		lex_comment(lx, true);
		return;
	}
	if (is_digit(c)) {
		advance(lx, number_len(lx));
		emit(lx, HCL_TOK_NUMBER);
		return;
	}
	if (is_ident_start(c)) {
		size_t id = ident_len(lx, 0);
		if (id) {
			advance(lx, id);
			emit(lx, HCL_TOK_IDENT);
			return;
		}
	}
	if (c == '"') {
		advance(lx, 1);
		emit(lx, HCL_TOK_OQUOTE);
		push(lx, FRAME_QUOTED);
		return;
	}
	if (c == '<' && at(lx, 1) == '<' && heredoc_open(lx))
		return;
	if (c == '{') {
		advance(lx, 1);
		emit(lx, HCL_TOK_LBRACE);
		f->braces++;
		return;
	}
	if (c == '}' || (c == '~' && at(lx, 1) == '}')) {
		advance(lx, c == '~' ? 2 : 1);
		if (f->pushed && f->braces == 0) {
			emit(lx, HCL_TOK_TEMPLATE_SEQ_END);
			lx->stack.len--;
			return;
		}
		/* A stray ~} stays a TEMPLATE_SEQ_END so that the parser reports
		 * it where a brace was expected, as hclsyntax does. */
		emit(lx, c == '~' ? HCL_TOK_TEMPLATE_SEQ_END : HCL_TOK_RBRACE);
		if (f->braces > 0)
			f->braces--;
		return;
	}
	size_t n;
	hcl_token_type type = punct(lx, c, &n);
	if (type != HCL_TOK_INVALID) {
		advance(lx, n);
		emit(lx, type);
		if (c == '(' || c == '[')
			f->brackets++;
		else if ((c == ')' || c == ']') && f->brackets > 0)
			f->brackets--;
		return;
	}
	if (c >= 0x80 && !hcl_utf8_len((const unsigned char *)lx->src + lx->i, lx->len - lx->i)) {
		bad_utf8(lx);
		return;
	}
	if (c == '*' && at(lx, 1) == '*') /* "**": one invalid token */
		advance(lx, 2);
	else
		advance(lx, c >= 0x80 ? hcl_utf8_len((const unsigned char *)lx->src + lx->i,
		                                     lx->len - lx->i)
		                      : 1);
	invalid_char(lx, emit(lx, HCL_TOK_INVALID));
}

/* MAIN-frame tokens until the frame stack changes (a string, heredoc or
 * template sequence starts or ends) or the input ends: the loop over
 * frames in hcl_p_lex runs once per change rather than once per token. */
static void lex_main(lexer *lx)
{
	size_t depth = lx->stack.len;
	frame *f = top(lx);
	do
		lex_main_token(lx, f);
	while (lx->i < lx->len && lx->stack.len == depth);
}

hcl_tok *hcl_p_lex(size_t *n, size_t *cap, hcl_srcmap *m, hcl_lex_mode mode, hcl_diags *diags)
{
	lexer lx = {0};
	lx.map = m;
	lx.src = m->src;
	lx.len = m->len;
	lx.i = m->first;
	lx.diags = diags;
	/* Typical HCL has about one token per 4 bytes: one allocation, never
	 * copied for most files. A big one is on huge pages (gf_big_alloc). */
	lx.cap = lx.len / 3 + 16;
	lx.toks = gf_big_alloc(lx.cap * sizeof(hcl_tok));
	if (lx.len > HCL_MAX_SOURCE) {
		hcl_range r = hcl_srcmap_range(m, 0, 0);
		hcl_diags_add(diags, HCL_DIAG_ERROR, &r, "File too large",
		              "This file is larger than 4 GiB, more than gitfleet reads.");
		lx.len = lx.i = 0;
	}
	push(&lx, mode == HCL_LEX_TEMPLATE ? FRAME_BARE : FRAME_MAIN);
	top(&lx)->pushed = false;
	while (lx.i < lx.len) {
		if (lx.stack.len == 0)
			push(&lx, FRAME_MAIN); /* after an unterminated string at the top */
		switch (top(&lx)->kind) {
		case FRAME_MAIN:
			lex_main(&lx);
			break;
		case FRAME_QUOTED:
			lex_quoted(&lx);
			break;
		case FRAME_HEREDOC:
		case FRAME_BARE:
			lex_heredoc_or_bare(&lx);
			break;
		}
	}
	begin(&lx);
	emit(&lx, HCL_TOK_EOF);
	*n = lx.ntoks;
	*cap = lx.cap;
	gf_vec_dispose(&lx.stack);
	return lx.toks;
}

hcl_token *hcl_lex(size_t *n, const char *filename, const char *src, size_t len, hcl_lex_mode mode,
                   hcl_pos start, gf_arena *arena, hcl_diags *diags)
{
	hcl_srcmap m;
	hcl_srcmap_init(&m, filename, src, len, start);
	size_t cap;
	hcl_tok *toks = hcl_p_lex(n, &cap, &m, mode, diags);
	hcl_token *out = gf_arena_alloc(arena, *n * sizeof(hcl_token));
	for (size_t i = 0; i < *n; i++) {
		out[i].type = toks[i].type;
		out[i].bytes = src + toks[i].start;
		out[i].len = hcl_tok_len(&toks[i]);
		out[i].range = hcl_srcmap_range(&m, toks[i].start, toks[i].end);
	}
	gf_big_free(toks, cap * sizeof(hcl_tok));
	hcl_srcmap_dispose(&m);
	return out;
}

static const struct {
	hcl_token_type type;
	const char *name;
} token_names[] = {
        {HCL_TOK_EOF, "end of file"},
        {HCL_TOK_NEWLINE, "newline"},
        {HCL_TOK_COMMENT, "comment"},
        {HCL_TOK_IDENT, "identifier"},
        {HCL_TOK_NUMBER, "number"},
        {HCL_TOK_OQUOTE, "quote"},
        {HCL_TOK_CQUOTE, "quote"},
        {HCL_TOK_OHEREDOC, "heredoc marker"},
        {HCL_TOK_CHEREDOC, "heredoc end marker"},
        {HCL_TOK_QUOTED_LIT, "string"},
        {HCL_TOK_STRING_LIT, "string"},
        {HCL_TOK_TEMPLATE_INTERP, "\"${\""},
        {HCL_TOK_TEMPLATE_CONTROL, "\"%{\""},
        {HCL_TOK_TEMPLATE_SEQ_END, "\"}\""},
        {HCL_TOK_INVALID, "invalid character"},
        {HCL_TOK_BAD_UTF8, "invalid UTF-8"},
        {HCL_TOK_ELLIPSIS, "..."},
        {HCL_TOK_EQ, "=="},
        {HCL_TOK_NE, "!="},
        {HCL_TOK_GE, ">="},
        {HCL_TOK_LE, "<="},
        {HCL_TOK_AND, "&&"},
        {HCL_TOK_OR, "||"},
        {HCL_TOK_FAT_ARROW, "=>"},
        {HCL_TOK_LBRACK, "["},
        {HCL_TOK_RBRACK, "]"},
        {HCL_TOK_LPAREN, "("},
        {HCL_TOK_RPAREN, ")"},
        {HCL_TOK_DOT, "."},
        {HCL_TOK_COMMA, ","},
        {HCL_TOK_STAR, "*"},
        {HCL_TOK_SLASH, "/"},
        {HCL_TOK_PERCENT, "%"},
        {HCL_TOK_PLUS, "+"},
        {HCL_TOK_MINUS, "-"},
        {HCL_TOK_EQUAL, "="},
        {HCL_TOK_LT, "<"},
        {HCL_TOK_GT, ">"},
        {HCL_TOK_BANG, "!"},
        {HCL_TOK_QUESTION, "?"},
        {HCL_TOK_COLON, ":"},
        {HCL_TOK_LBRACE, "{"},
        {HCL_TOK_RBRACE, "}"},
};

const char *hcl_token_type_name(hcl_token_type t)
{
	for (size_t k = 0; k < GF_ARRAY_LEN(token_names); k++)
		if (token_names[k].type == t)
			return token_names[k].name;
	return "token";
}
