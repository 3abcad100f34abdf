/*
 * hcl/func_impl.h — private to the function library (func*.c).
 *
 * A function is a row of one table (func.c): its parameters, an optional
 * variadic parameter, the type of its result, and an implementation. The
 * dispatcher (hcl_func_call) does everything that is the same for every
 * function, the way cty's function.Call does:
 *
 *   arity → `...` expansion → per argument: null check, conversion to the
 *   parameter's type, unknown check → strip marks → impl → re-apply marks
 *
 * so that an implementation sees arguments of its declared types, never
 * null (unless the parameter allows it), never unknown anywhere inside
 * (unless the parameter allows it; then the result is unknown of `ret`
 * without calling the impl), and without marks: the union of the
 * arguments' marks is put on the result afterwards.
 */
#ifndef GF_HCL_FUNC_IMPL_H
#define GF_HCL_FUNC_IMPL_H

#include "hcl/value_impl.h"

enum {
	HCLV_ALLOW_NULL = 1,    /* the impl handles a null argument */
	HCLV_ALLOW_UNKNOWN = 2, /* the impl handles a top-level unknown */
	HCLV_ALLOW_PARTIAL = 4, /* unknowns inside a collection are fine */
	HCLV_KEEP_MARKS = 8,    /* the impl sees the argument's own marks */
};

typedef struct {
	const char *name;
	const hcl_type *type; /* the constraint the argument is converted to */
	unsigned flags;
} hclv_param;

typedef struct hclv_call hclv_call;
typedef const hcl_value *(*hclv_impl)(hclv_call *c, const hcl_value *const *args, size_t n);

typedef struct {
	const char *name;
	const hclv_param *params;
	size_t nparams;
	const hclv_param *variadic; /* NULL: fixed arity */
	const hcl_type *ret;        /* result type when an argument is unknown */
	hclv_impl impl;
} hclv_func;

struct hclv_call {
	const hcl_func_env *env;
	gf_arena *a;
	const hclv_func *fn;
	hcl_func_error *err;
};

/* Reports a problem with argument `arg` ("Invalid function argument",
 * `Invalid value for "<param>" parameter: <msg>.`) and returns NULL. */
const hcl_value *hclv_arg_error(hclv_call *c, size_t arg, const char *fmt, ...) GF_PRINTF(3, 4);
/* Reports a failure of the call as a whole ("Error in function call",
 * `Call to function "<name>" failed: <msg>.`) and returns NULL. */
const hcl_value *hclv_call_error(hclv_call *c, const char *fmt, ...) GF_PRINTF(2, 3);

/* Shared static types for parameter tables. */
extern const hcl_type hclv_list_string, hclv_list_any, hclv_list_bool, hclv_set_any, hclv_map_any,
        hclv_map_list_string;

/* Small constructors used across the library. */
const hcl_value *hclv_str(hclv_call *c, const char *s, size_t len);
const hcl_value *hclv_cstr(hclv_call *c, const char *s);
/* A whole number from a number argument, or an argument error. */
bool hclv_arg_int(hclv_call *c, size_t arg, const hcl_value *v, int64_t *out);

/* User-perceived characters (an approximation of Unicode grapheme
 * clusters: a base character with the combining marks, joiners, variation
 * selectors and emoji modifiers that follow it), as Terraform counts them
 * for length(), substr() and strrev(). */
size_t hclv_grapheme_next(const char *s, size_t len);
size_t hclv_grapheme_count(const char *s, size_t len);

/* Appends the standard Base64 (RFC 4648, padded) of s[0..len). */
void hclv_base64_put(gf_buf *b, const unsigned char *s, size_t len);

/* Reads a file named by argument `arg` (relative to env->base_dir, `~`
 * expanded) into *out, reporting Terraform's errors. */
bool hclv_read_file(hclv_call *c, size_t arg, const char *path, gf_buf *out);

/* The family tables, concatenated by func.c. */
extern const hclv_func hclv_funcs_num[], hclv_funcs_string[], hclv_funcs_format[],
        hclv_funcs_regex[], hclv_funcs_coll[], hclv_funcs_set[], hclv_funcs_encoding[],
        hclv_funcs_file[], hclv_funcs_crypto[], hclv_funcs_conv[], hclv_funcs_net[],
        hclv_funcs_time[], hclv_funcs_yaml[], hclv_funcs_digest[];
extern const size_t hclv_nfuncs_num, hclv_nfuncs_string, hclv_nfuncs_format, hclv_nfuncs_regex,
        hclv_nfuncs_coll, hclv_nfuncs_set, hclv_nfuncs_encoding, hclv_nfuncs_file,
        hclv_nfuncs_crypto, hclv_nfuncs_conv, hclv_nfuncs_net, hclv_nfuncs_time, hclv_nfuncs_yaml,
        hclv_nfuncs_digest;

#define HCLV_PARAMS(...)     \
	(const hclv_param[]) \
	{                    \
		__VA_ARGS__  \
	}
#define HCLV_NPARAMS(...) (sizeof((const hclv_param[]){__VA_ARGS__}) / sizeof(hclv_param))
/* One table row: name, impl, result type, variadic parameter (or NULL),
 * then the fixed parameters. */
#define HCLV_FUNC(fname, fimpl, fret, fvar, ...)                                          \
	{                                                                                 \
		.name = fname, .impl = fimpl, .ret = fret, .variadic = fvar,              \
		.params = HCLV_PARAMS(__VA_ARGS__), .nparams = HCLV_NPARAMS(__VA_ARGS__), \
	}
#define HCLV_FUNC0(fname, fimpl, fret)                                                   \
	{                                                                                \
		.name = fname, .impl = fimpl, .ret = fret, .params = NULL, .nparams = 0, \
	}
/* A variadic function without fixed parameters. */
#define HCLV_FUNCV(fname, fimpl, fret, fvar)                                                 \
	{                                                                                    \
		.name = fname, .impl = fimpl, .ret = fret, .variadic = fvar, .params = NULL, \
		.nparams = 0,                                                                \
	}
#define HCLV_VAR(pname, ptype, pflags) (&(const hclv_param){pname, ptype, pflags})

#endif
