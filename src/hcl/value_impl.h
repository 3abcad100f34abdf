/*
 * hcl/value_impl.h — private to the values half of src/hcl (value, convert,
 * render, json and the func_*.c files). Nothing outside src/hcl includes it.
 * Internal names carry the prefix hclv_ so that they cannot collide with
 * the parser's and the evaluator's internals in the same library.
 */
#ifndef GF_HCL_VALUE_IMPL_H
#define GF_HCL_VALUE_IMPL_H

#include "hcl/value.h"

/* Decodes one UTF-8 sequence at s[0..len): the code point, and in *size
 * the bytes it takes (1 for an invalid byte, whose code point is -1). */
int32_t hclv_utf8_decode(const char *s, size_t len, size_t *size);
/* Encodes a code point, returns the byte count (1..4). */
size_t hclv_utf8_encode(char out[4], int32_t cp);
bool hclv_utf8_valid(const char *s, size_t len);

/* cty's messages for a value of type `got` where `want` is required:
 * "string required", "attribute \"a\" is required", "all list elements
 * must have the same type", ... */
const char *hclv_mismatch(gf_arena *a, const hcl_type *got, const hcl_type *want);
/* "any type", "list of any single type", else the friendly name. */
const char *hclv_friendly_constraint(gf_arena *a, const hcl_type *t);

/* The fewest significant digits (NUL-terminated, no sign) that read back
 * as |n|, n != 0, and the decimal exponent of the first digit. */
void hclv_shortest_digits(double n, char digits[24], size_t *nd, int *exp10);

/* The buffer's content copied into the arena; the buffer is disposed. */
char *hclv_buf_finish(gf_arena *a, gf_buf *b);
/* Appends s quoted as Go's strconv.Quote does (render) or as Go's
 * encoding/json does (JSON). */
void hclv_quote_go(gf_buf *b, const char *s, size_t len);
void hclv_quote_json(gf_buf *b, const char *s, size_t len);

/* A string value's type as the unified element type of a tuple or object:
 * NULL if the elements have no common type. */
const hcl_type *hclv_unify(gf_arena *a, const hcl_type *const *types, size_t n);
/* Type-level conversion check (for null and unknown values and messages):
 * the type a value of `got` has after conversion to `want`, or NULL. */
const hcl_type *hclv_convert_type(gf_arena *a, const hcl_type *got, const hcl_type *want);

#endif
