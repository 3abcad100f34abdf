/*
 * hcl/fmt.h — canonical formatting of configuration files, identical to
 * `terraform fmt` (hashicorp/hcl's hclwrite formatter plus terraform's own
 * rewrites).
 *
 * NOTES ON THE DESIGN
 *
 * 1. Formatting only changes whitespace between tokens, plus terraform's
 *    three rewrites: bare block labels become quoted ("resource aws_lb lb"
 *    → `resource "aws_lb" "lb"`), an argument whose value is only one
 *    interpolation loses the quotes (`"${var.x}"` → `var.x`), and a
 *    variable's legacy `type = "string"` / `type = list` become `string` /
 *    `list(any)`. Everything inside tokens — string and heredoc content,
 *    comments — is kept byte for byte.
 *
 * 2. The token stream is cut into lines. Each line is indented two spaces
 *    per bracket level open at its start (brackets counted per line, so
 *    that `foo({` opens one level, as hclwrite does), spaced by one fixed
 *    table of rules (spaceAfterToken's), and split into three cells: the
 *    lead, the `= value` assignment when the value closes on the same line,
 *    and a trailing comment. Consecutive lines with an assignment cell align
 *    their `=`; consecutive lines with a comment cell align the comments.
 *
 * 3. The output is a pure function of the tokens: the input's spacing is
 *    never consulted, which is what makes fmt(fmt(x)) == fmt(x).
 *
 * Deliberate difference from terraform: the output always ends with exactly
 * one newline (terraform keeps a missing final newline and extra blank lines
 * at the end of a file as they are).
 */
#ifndef GF_HCL_FMT_H
#define GF_HCL_FMT_H

#include "hcl/diag.h"

/*
 * Formats a configuration file. On success returns 0 and a malloc'd,
 * NUL-terminated result in *out (length *out_len). When the file has syntax
 * errors nothing is formatted: returns GF_EINVALID with the errors added to
 * `diags` (whose arena owns them).
 */
int hcl_fmt(char **out, size_t *out_len, const char *filename, const char *src, size_t len,
            hcl_diags *diags);

#endif
