/*
 * Numeric functions (abs ... signum) and the type conversion functions
 * (tobool, tolist, tomap, tonumber, toset, tostring).
 */
#include "hcl/func_impl.h"

#include <stdlib.h>

#include <math.h>
#include <string.h>

static const hcl_value *finite_result(hclv_call *c, double d)
{
	if (!isfinite(d))
		return hclv_call_error(c, "the result is not a finite number");
	return hcl_number(c->a, d);
}

static const hcl_value *fn_abs(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_number(c->a, fabs(args[0]->u.num));
}

static const hcl_value *fn_ceil(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_number(c->a, ceil(args[0]->u.num));
}

static const hcl_value *fn_floor(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_number(c->a, floor(args[0]->u.num));
}

static const hcl_value *fn_log(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return finite_result(c, log(args[0]->u.num) / log(args[1]->u.num));
}

static const hcl_value *fn_pow(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return finite_result(c, pow(args[0]->u.num, args[1]->u.num));
}

static const hcl_value *fn_signum(hclv_call *c, const hcl_value *const *args, size_t n)
{
	double d = args[0]->u.num;
	return hcl_number(c->a, d > 0 ? 1 : d < 0 ? -1 : 0);
}

static const hcl_value *minmax(hclv_call *c, const hcl_value *const *args, size_t n, bool max)
{
	if (n == 0)
		return hclv_call_error(c, "must pass at least one number");
	double r = args[0]->u.num;
	for (size_t i = 1; i < n; i++)
		if (max ? args[i]->u.num > r : args[i]->u.num < r)
			r = args[i]->u.num;
	return hcl_number(c->a, r);
}

static const hcl_value *fn_max(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return minmax(c, args, n, true);
}

static const hcl_value *fn_min(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return minmax(c, args, n, false);
}

/* Digit value in Go's big.Int alphabet: 0-9, a-z (A-Z too up to base 36),
 * then A-Z for 36..61 in bases above 36. */
static int digit_value(char ch, int base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return base <= 36 ? ch - 'A' + 10 : ch - 'A' + 36;
	return 99;
}

static const hcl_value *fn_parseint(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *num = args[0];
	if (num->kind != HCL_VAL_STRING)
		return hclv_arg_error(c, 0, "first argument must be a string, not %s",
		                      hcl_type_friendly(c->a, num->type));
	int64_t base;
	if (!hclv_arg_int(c, 1, args[1], &base))
		return NULL;
	if (base < 2 || base > 62)
		return hclv_arg_error(c, 1,
		                      "base must be a whole number between 2 and 62 inclusive");
	const char *s = num->u.str.ptr;
	size_t len = num->u.str.len, i = 0;
	bool neg = false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	double v = 0;
	bool ok = i < len;
	for (; i < len && ok; i++) {
		int d = digit_value(s[i], (int)base);
		if (d >= base)
			ok = false;
		else
			v = v * (double)base + d;
	}
	if (!ok || !isfinite(v)) {
		gf_buf q = GF_BUF_INIT;
		hclv_quote_go(&q, s, len);
		const hcl_value *r = hclv_arg_error(
		        c, 0, "cannot parse %s as a base %d integer",
		        num->marks ? "(sensitive value)" : gf_buf_cstr(&q), (int)base);
		gf_buf_dispose(&q);
		return r;
	}
	return hcl_number(c->a, neg ? -v : v);
}

/* ---- type conversion functions ----------------------------------------- */

static const hcl_value *to_type(hclv_call *c, const hcl_value *v, const hcl_type *want)
{
	const char *why = NULL;
	if (v->kind == HCL_VAL_UNKNOWN || v->kind == HCL_VAL_NULL ||
	    !hcl_value_is_wholly_known(v)) {
		const hcl_type *t = hclv_convert_type(c->a, v->type, want);
		if (!t)
			return hclv_arg_error(c, 0, "cannot convert %s to %s",
			                      hcl_type_friendly(c->a, v->type),
			                      hclv_friendly_constraint(c->a, want));
		if (v->kind != HCL_VAL_NULL && v->kind != HCL_VAL_UNKNOWN) {
			const hcl_value *r = hcl_convert(c->a, v, want, &why);
			if (r)
				return r;
		}
		return v->kind == HCL_VAL_NULL ? hcl_null(c->a, t) : hcl_unknown(c->a, t);
	}
	const hcl_value *r = hcl_convert(c->a, v, want, &why);
	if (r)
		return r;
	if (hcl_value_deep_marks(v) & HCL_MARK_SENSITIVE)
		return hclv_arg_error(c, 0, "cannot convert this sensitive %s to %s",
		                      hcl_type_friendly(c->a, v->type),
		                      hclv_friendly_constraint(c->a, want));
	if (v->kind == HCL_VAL_STRING &&
	    (want->kind == HCL_TYPE_BOOL || want->kind == HCL_TYPE_NUMBER)) {
		gf_buf q = GF_BUF_INIT;
		hclv_quote_go(&q, v->u.str.ptr, v->u.str.len);
		const char *msg =
		        want->kind == HCL_TYPE_BOOL
		                ? gf_arena_printf(
		                          c->a,
		                          "cannot convert %s to bool; only the strings \"true\" "
		                          "or \"false\" are allowed",
		                          gf_buf_cstr(&q))
		                : gf_arena_printf(
		                          c->a,
		                          "cannot convert %s to number; given string must be a "
		                          "decimal representation of a number",
		                          gf_buf_cstr(&q));
		gf_buf_dispose(&q);
		return hclv_arg_error(c, 0, "%s", msg);
	}
	if (!hclv_convert_type(c->a, v->type, want))
		return hclv_arg_error(c, 0, "cannot convert %s to %s",
		                      hcl_type_friendly(c->a, v->type),
		                      hclv_friendly_constraint(c->a, want));
	return hclv_arg_error(c, 0, "%s", why);
}

static const hcl_value *fn_tobool(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hcl_type_bool);
}

static const hcl_value *fn_tonumber(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hcl_type_number);
}

static const hcl_value *fn_tostring(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hcl_type_string);
}

static const hcl_value *fn_tolist(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hclv_list_any);
}

static const hcl_value *fn_toset(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hclv_set_any);
}

static const hcl_value *fn_tomap(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return to_type(c, args[0], &hclv_map_any);
}

#define NUM(nm)                         \
	{                               \
		nm, &hcl_type_number, 0 \
	}

const hclv_func hclv_funcs_num[] = {
        HCLV_FUNC("abs", fn_abs, &hcl_type_number, NULL, NUM("num")),
        HCLV_FUNC("ceil", fn_ceil, &hcl_type_number, NULL, NUM("num")),
        HCLV_FUNC("floor", fn_floor, &hcl_type_number, NULL, NUM("num")),
        HCLV_FUNC("log", fn_log, &hcl_type_number, NULL, NUM("num"), NUM("base")),
        HCLV_FUNCV("max", fn_max, &hcl_type_number, HCLV_VAR("numbers", &hcl_type_number, 0)),
        HCLV_FUNCV("min", fn_min, &hcl_type_number, HCLV_VAR("numbers", &hcl_type_number, 0)),
        HCLV_FUNC("parseint", fn_parseint, &hcl_type_number, NULL,
                  {"number", &hcl_type_dynamic, HCLV_KEEP_MARKS}, NUM("base")),
        HCLV_FUNC("pow", fn_pow, &hcl_type_number, NULL, NUM("num"), NUM("power")),
        HCLV_FUNC("signum", fn_signum, &hcl_type_number, NULL, NUM("num")),
};
const size_t hclv_nfuncs_num = GF_ARRAY_LEN(hclv_funcs_num);

#define CONV_PARAM                                                                  \
	{                                                                           \
		"v", &hcl_type_dynamic,                                             \
		        HCLV_ALLOW_NULL | HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL | \
		                HCLV_KEEP_MARKS                                     \
	}

const hclv_func hclv_funcs_conv[] = {
        HCLV_FUNC("tobool", fn_tobool, &hcl_type_bool, NULL, CONV_PARAM),
        HCLV_FUNC("tolist", fn_tolist, &hcl_type_dynamic, NULL, CONV_PARAM),
        HCLV_FUNC("tomap", fn_tomap, &hcl_type_dynamic, NULL, CONV_PARAM),
        HCLV_FUNC("tonumber", fn_tonumber, &hcl_type_number, NULL, CONV_PARAM),
        HCLV_FUNC("toset", fn_toset, &hcl_type_dynamic, NULL, CONV_PARAM),
        HCLV_FUNC("tostring", fn_tostring, &hcl_type_string, NULL, CONV_PARAM),
};
const size_t hclv_nfuncs_conv = GF_ARRAY_LEN(hclv_funcs_conv);
