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

typedef struct {
	hcl_token *toks;
	size_t ntoks, pos;
	const char *filename;
	gf_arena *arena;
	hcl_diags *diags;
	GF_VEC(bool) nl;   /* include-newlines stack; top applies */
	hcl_token fake_nl; /* a line comment seen as the newline it ends with */
	int depth;
	bool recovery;
	bool too_deep_reported;
	int block_depth; /* blocks being parsed: a stray } ends one */
} hcl_parser;

/* The next significant token (comments skipped; newlines skipped unless
 * the top of the newline stack says otherwise), and reading it. */
const hcl_token *hcl_p_peek(hcl_parser *p);
const hcl_token *hcl_p_read(hcl_parser *p);
hcl_range hcl_p_prev_range(hcl_parser *p);
void hcl_p_push_nl(hcl_parser *p, bool include);
void hcl_p_pop_nl(hcl_parser *p);
/* Reports an error unless in recovery, then enters recovery. Returns the
 * diagnostic, or NULL when it was silenced. */
hcl_diag *hcl_p_error(hcl_parser *p, const hcl_range *subject, const char *summary,
                      const char *detail);
/* Sets d's context to the range from `from` to `to` (d may be NULL). */
void hcl_p_context(hcl_diag *d, hcl_range from, hcl_range to);
/* Skips to the token closing the bracket whose opener was just read (nested
 * brackets balanced) and returns it; stops at EOF. */
const hcl_token *hcl_p_recover(hcl_parser *p, hcl_token_type close);
/* Enters one level of tree depth; false (reported once) past the limit, in
 * which case the caller returns an invalid node without entering. */
bool hcl_p_enter(hcl_parser *p, const hcl_range *where);
hcl_range hcl_range_between(hcl_range a, hcl_range b);

hcl_expr *hcl_p_new_expr(hcl_parser *p, hcl_expr_kind kind, hcl_range range);
hcl_expr *hcl_p_parse_expression(hcl_parser *p);
/* After the opening OQUOTE / OHEREDOC has been read, or at the start of a
 * bare template (end = HCL_TOK_EOF). */
hcl_expr *hcl_p_parse_template(hcl_parser *p, const hcl_token *open, hcl_token_type end);
/* A quoted string that must be a literal (block labels): after OQUOTE. */
const char *hcl_p_parse_quoted_literal(hcl_parser *p, const hcl_token *open, hcl_range *range);
/* Decodes one literal token's text (escapes, $${, %%{) into the arena;
 * errors into p's diagnostics. */
char *hcl_p_decode_literal(hcl_parser *p, const hcl_token *t, size_t *len);

#endif
