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
 *            reports the unterminated string.
 *   HEREDOC  inside <<EOT: literal runs of at most one line each (the
 *            parser strips `<<-` indentation per line); a line holding only
 *            the marker (spaces allowed before it) is CHEREDOC and pops.
 *   BARE     a bare template: like HEREDOC without a closing marker.
 *
 * The stack lives on the heap and the loop does not recurse, so nesting
 * depth is limited only by the parser (HCL_MAX_DEPTH).
 */
#include "hcl/ast.h"

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
	const char *filename;
	const char *src;
	size_t len, i;
	hcl_pos pos;
	GF_VEC(hcl_token) toks;
	GF_VEC(frame) stack;
	gf_arena *arena;
	hcl_diags *diags;
	int told_bitwise, told_exponent, told_backtick, told_apostrophe, told_semicolon;
	bool told_bad_utf8;
	/* start of the token being scanned */
	size_t ts;
	hcl_pos tpos;
} lexer;

hcl_pos hcl_pos_start(void)
{
	hcl_pos p = {1, 1, 0};
	return p;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
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

/* Moves over n bytes, keeping line and column (in characters). */
static void advance(lexer *lx, size_t n)
{
	for (size_t k = 0; k < n && lx->i < lx->len; k++) {
		unsigned char c = (unsigned char)lx->src[lx->i++];
		lx->pos.byte++;
		if (c == '\n') {
			lx->pos.line++;
			lx->pos.column = 1;
		} else if ((c & 0xC0) != 0x80) {
			lx->pos.column++;
		}
	}
}

static void begin(lexer *lx)
{
	lx->ts = lx->i;
	lx->tpos = lx->pos;
}

static hcl_token *emit(lexer *lx, hcl_token_type type)
{
	hcl_token t = {type, lx->src + lx->ts, lx->i - lx->ts, {lx->filename, lx->tpos, lx->pos}};
	gf_vec_push(&lx->toks, t);
	return &lx->toks.items[lx->toks.len - 1];
}

static void lex_error(lexer *lx, const hcl_token *t, const char *summary, const char *detail)
{
	hcl_diags_add(lx->diags, HCL_DIAG_ERROR, &t->range, summary, "%s", detail);
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

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_cont(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
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
	size_t start = k;
	for (;;) {
		int c = at(lx, k);
		if (c < 0 || !(k == start ? is_ident_start(c) : is_ident_cont(c)))
			break;
		if (c >= 0x80) {
			const unsigned char *q = (const unsigned char *)lx->src + lx->i + k;
			size_t u = utf8_len(q, lx->len - lx->i - k);
			if (!u || !letter_like(q, u))
				break;
			k += u;
		} else {
			k++;
		}
	}
	return k - start;
}

/* Emits a BAD_UTF8 token for the invalid byte at the current position. */
static void bad_utf8(lexer *lx)
{
	begin(lx);
	advance(lx, 1);
	while (lx->i < lx->len && ((unsigned char)lx->src[lx->i] & 0xC0) == 0x80)
		advance(lx, 1); /* the rest of a broken sequence: one error */
	hcl_token *t = emit(lx, HCL_TOK_BAD_UTF8);
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
	size_t start = lx->i;
	while (lx->i < lx->len) {
		int c = at(lx, 0);
		if (c == stop)
			break;
		if ((c == '$' || c == '%') && at(lx, 1) == c && at(lx, 2) == '{') {
			advance(lx, 3);
			continue;
		}
		if ((c == '$' || c == '%') && at(lx, 1) == '{')
			break;
		if (c == '\n' || (c == '\r' && at(lx, 1) == '\n')) {
			if (keep_newline)
				advance(lx, c == '\r' ? 2 : 1);
			break;
		}
		if (backslash && c == '\\' && at(lx, 1) >= 0 && at(lx, 1) != '\n' &&
		    at(lx, 1) != '\r') {
			advance(lx, 1);
			c = at(lx, 0);
		}
		if (c >= 0x80) {
			size_t u =
			        utf8_len((const unsigned char *)lx->src + lx->i, lx->len - lx->i);
			if (!u)
				break;
			advance(lx, u);
		} else {
			advance(lx, 1);
		}
	}
	return lx->i - start;
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
 * marker: optional spaces and tabs, the marker, then a newline or EOF. */
static bool at_heredoc_end(const lexer *lx, const frame *f, size_t *marker_end)
{
	size_t k = 0;
	while (at(lx, k) == ' ' || at(lx, k) == '\t')
		k++;
	if (lx->len - lx->i - k < f->marker_len ||
	    memcmp(lx->src + lx->i + k, f->marker, f->marker_len) != 0)
		return false;
	k += f->marker_len;
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
	hcl_token *t = emit(lx, HCL_TOK_STRING_LIT);
	if (f->kind == FRAME_HEREDOC)
		f->sol = t->bytes[t->len - 1] == '\n';
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

static const struct {
	const char *text;
	hcl_token_type type;
} punct[] = {
        {"...", HCL_TOK_ELLIPSIS}, {"==", HCL_TOK_EQ},        {"!=", HCL_TOK_NE},
        {">=", HCL_TOK_GE},        {"<=", HCL_TOK_LE},        {"&&", HCL_TOK_AND},
        {"||", HCL_TOK_OR},        {"=>", HCL_TOK_FAT_ARROW}, {"[", HCL_TOK_LBRACK},
        {"]", HCL_TOK_RBRACK},     {"(", HCL_TOK_LPAREN},     {")", HCL_TOK_RPAREN},
        {".", HCL_TOK_DOT},        {",", HCL_TOK_COMMA},      {"*", HCL_TOK_STAR},
        {"/", HCL_TOK_SLASH},      {"%", HCL_TOK_PERCENT},    {"+", HCL_TOK_PLUS},
        {"-", HCL_TOK_MINUS},      {"=", HCL_TOK_EQUAL},      {"<", HCL_TOK_LT},
        {">", HCL_TOK_GT},         {"!", HCL_TOK_BANG},       {"?", HCL_TOK_QUESTION},
        {":", HCL_TOK_COLON},
};

/*
 * Reports a character that starts no token, with hclsyntax's messages and
 * its limits on repeats (a quoted 'x' is one error, not two; the fourth
 * bitwise operator is not news).
 */
static void invalid_char(lexer *lx, const hcl_token *t)
{
	const char *summary = "Invalid character";
	const char *detail = "This character is not used within the language.";
	unsigned char c = (unsigned char)t->bytes[0];
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
		if (t->len == 3 && (memcmp(t->bytes, "\xE2\x80\x9C", 3) == 0 ||
		                    memcmp(t->bytes, "\xE2\x80\x9D", 3) == 0))
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
		while (lx->i < lx->len && !(at(lx, 0) == '*' && at(lx, 1) == '/'))
			advance(lx, 1);
		if (lx->i >= lx->len) {
			hcl_token *t = emit(lx, HCL_TOK_COMMENT);
			lex_error(
			        lx, t, "Unterminated comment",
			        "There is no closing \"*/\" for this comment before the end of the "
			        "file.");
			return;
		}
		advance(lx, 2);
	} else {
		while (lx->i < lx->len && at(lx, 0) != '\n')
			advance(lx, 1);
		if (lx->i < lx->len)
			advance(lx, 1);
	}
	emit(lx, HCL_TOK_COMMENT);
}

static void lex_main(lexer *lx)
{
	frame *f = top(lx);
	int c = at(lx, 0);
	if (c == ' ' || c == '\t') {
		advance(lx, 1);
		return;
	}
	begin(lx);
	if (c == '\n' || (c == '\r' && at(lx, 1) == '\n')) {
		if (f->pushed && f->braces == 0 && f->brackets == 0 && lx->stack.len >= 2 &&
		    lx->stack.items[lx->stack.len - 2].kind == FRAME_QUOTED) {
			/* A quoted string cannot span lines: this ${ was never
			 * closed. End it and its string with empty tokens, which
			 * the parser reports, so that the next line lexes as
			 * what it is rather than as the inside of a sequence. */
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
	size_t id = ident_len(lx, 0);
	if (id) {
		advance(lx, id);
		emit(lx, HCL_TOK_IDENT);
		return;
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
	for (size_t k = 0; k < GF_ARRAY_LEN(punct) && !(c == '*' && at(lx, 1) == '*'); k++) {
		size_t n = strlen(punct[k].text);
		if (lx->len - lx->i >= n && memcmp(lx->src + lx->i, punct[k].text, n) == 0) {
			advance(lx, n);
			emit(lx, punct[k].type);
			if (c == '(' || c == '[')
				f->brackets++;
			else if ((c == ')' || c == ']') && f->brackets > 0)
				f->brackets--;
			return;
		}
	}
	if (c >= 0x80 && !utf8_len((const unsigned char *)lx->src + lx->i, lx->len - lx->i)) {
		bad_utf8(lx);
		return;
	}
	if (c == '*' && at(lx, 1) == '*') /* "**": one invalid token */
		advance(lx, 2);
	else
		advance(lx, c >= 0x80 ? utf8_len((const unsigned char *)lx->src + lx->i,
		                                 lx->len - lx->i)
		                      : 1);
	invalid_char(lx, emit(lx, HCL_TOK_INVALID));
}

hcl_token *hcl_lex(size_t *n, const char *filename, const char *src, size_t len, hcl_lex_mode mode,
                   hcl_pos start, gf_arena *arena, hcl_diags *diags)
{
	lexer lx = {0};
	lx.filename = filename;
	lx.src = src;
	lx.len = len;
	lx.pos = start;
	lx.arena = arena;
	lx.diags = diags;
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
		lx.i = 3;
		lx.pos.byte += 3;
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
	hcl_token *out = gf_arena_memdup(arena, lx.toks.items, lx.toks.len * sizeof(hcl_token));
	*n = lx.toks.len;
	gf_vec_dispose(&lx.toks);
	gf_vec_dispose(&lx.stack);
	return out;
}

const char *hcl_token_type_name(hcl_token_type t)
{
	switch (t) {
	case HCL_TOK_EOF:
		return "end of file";
	case HCL_TOK_NEWLINE:
		return "newline";
	case HCL_TOK_COMMENT:
		return "comment";
	case HCL_TOK_IDENT:
		return "identifier";
	case HCL_TOK_NUMBER:
		return "number";
	case HCL_TOK_OQUOTE:
	case HCL_TOK_CQUOTE:
		return "quote";
	case HCL_TOK_OHEREDOC:
		return "heredoc marker";
	case HCL_TOK_CHEREDOC:
		return "heredoc end marker";
	case HCL_TOK_QUOTED_LIT:
	case HCL_TOK_STRING_LIT:
		return "string";
	case HCL_TOK_TEMPLATE_INTERP:
		return "\"${\"";
	case HCL_TOK_TEMPLATE_CONTROL:
		return "\"%{\"";
	case HCL_TOK_TEMPLATE_SEQ_END:
		return "\"}\"";
	case HCL_TOK_INVALID:
		return "invalid character";
	case HCL_TOK_BAD_UTF8:
		return "invalid UTF-8";
	default:
		break;
	}
	for (size_t k = 0; k < GF_ARRAY_LEN(punct); k++)
		if (punct[k].type == t)
			return punct[k].text;
	return t == HCL_TOK_LBRACE ? "{" : "}";
}
