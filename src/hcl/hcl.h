/*
 * hcl — the HashiCorp Configuration Language, native syntax, as Terraform
 * users write it.
 *
 * The module is a pipeline of small stages, each with its own header:
 *
 *   bytes ──lexer──► tokens ──parser──► AST (ranges on every node)
 *                      │                  │
 *                      └──► fmt           └──eval (scopes, functions)──► values
 *
 *   hcl/diag.h    positions, ranges, diagnostics and their Terraform-style
 *                 rendering; every stage reports into one hcl_diags list.
 *   hcl/value.h   values (with unknowns and marks), types, conversion,
 *                 printing, JSON, and the function library.
 *   hcl/ast.h     tokens, the lexer, the syntax tree and the parser
 *                 (including templates and heredocs).
 *   hcl/eval.h    expression evaluation against a scope.
 *   hcl/fmt.h     canonical formatting identical to `terraform fmt`.
 *
 * Allocation: a parse and an evaluation each allocate from a gf_arena owned
 * by the caller and freed at once; no AST node or value is freed alone.
 * Limits: nesting deeper than HCL_MAX_DEPTH is refused with a diagnostic, so
 * hostile input cannot exhaust the stack.
 */
#ifndef GF_HCL_H
#define GF_HCL_H

#include "hcl/diag.h"
#include "hcl/value.h"

#define HCL_MAX_DEPTH 256

#endif
