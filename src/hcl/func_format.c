/*
 * format() and formatlist(): cty's printf dialect. A verb is
 *   % flags(0 # - + space) width .precision [argindex] letter
 * with %% for a literal percent. Verbs: %v (as is; %#v JSON), %t, %s, %q,
 * %d %b %o %x %X (whole numbers), %e %E %f %g %G. Every argument must be
 * used; width and %s precision count characters, not bytes.
 */
#include "hcl/func_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	bool zero, sharp, minus, plus, space;
	int width, prec; /* -1 when absent */
	size_t argnum;   /* 1-based */
	char mode;
	const char *raw;
	size_t rawlen, offset;
} verb;

static const char *verb_raw(gf_arena *a, const verb *v)
{
	gf_buf q = GF_BUF_INIT;
	hclv_quote_go(&q, v->raw, v->rawlen);
	return hclv_buf_finish(a, &q);
}

/* Pads to the verb's width in characters, with spaces or zeros. */
static void pad_put(gf_buf *b, const verb *v, const char *s, size_t len)
{
	size_t have = hclv_grapheme_count(s, len);
	size_t want = v->width > 0 ? (size_t)v->width : 0;
	size_t pad = have < want ? want - have : 0;
	if (!v->minus)
		for (size_t i = 0; i < pad; i++)
			gf_buf_putc(b, v->zero ? '0' : ' ');
	gf_buf_put(b, s, len);
	if (v->minus)
		for (size_t i = 0; i < pad; i++)
			gf_buf_putc(b, v->zero ? '0' : ' ');
}

/* Go's %g for a number without precision: shortest digits, exponent form
 * when the exponent is < -4 or >= 6 (as big.Float.Text('g', -1)). */
static void shortest_g(gf_buf *b, double n, bool upper)
{
	if (n == 0) {
		gf_buf_putc(b, '0');
		return;
	}
	char digits[24];
	size_t nd;
	int exp;
	hclv_shortest_digits(n, digits, &nd, &exp);
	if (n < 0)
		gf_buf_putc(b, '-');
	if (exp < -4 || exp >= 6) {
		gf_buf_putc(b, digits[0]);
		if (nd > 1) {
			gf_buf_putc(b, '.');
			gf_buf_put(b, digits + 1, nd - 1);
		}
		gf_buf_printf(b, "%c%c%02d", upper ? 'E' : 'e', exp < 0 ? '-' : '+', abs(exp));
		return;
	}
	if (exp < 0) {
		gf_buf_puts(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			gf_buf_putc(b, '0');
		gf_buf_put(b, digits, nd);
	} else if ((size_t)exp + 1 >= nd) {
		gf_buf_put(b, digits, nd);
		for (size_t i = nd; i < (size_t)exp + 1; i++)
			gf_buf_putc(b, '0');
	} else {
		gf_buf_put(b, digits, (size_t)exp + 1);
		gf_buf_putc(b, '.');
		gf_buf_put(b, digits + exp + 1, nd - (size_t)exp - 1);
	}
}

static void put_integer(gf_buf *b, const verb *v, double d)
{
	char digits[80];
	int base = v->mode == 'b' ? 2 : v->mode == 'o' ? 8 : v->mode == 'd' ? 10 : 16;
	const char *alpha = v->mode == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t u = (uint64_t)fabs(d);
	size_t nd = 0;
	do {
		digits[nd++] = alpha[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u);
	while (v->prec >= 0 && nd < (size_t)v->prec && nd < sizeof(digits))
		digits[nd++] = '0';
	gf_buf num = GF_BUF_INIT;
	if (d < 0)
		gf_buf_putc(&num, '-');
	else if (v->plus)
		gf_buf_putc(&num, '+');
	else if (v->space)
		gf_buf_putc(&num, ' ');
	if (v->sharp)
		gf_buf_puts(&num, base == 2    ? "0b"
		                  : base == 8  ? "0"
		                  : base == 16 ? (v->mode == 'X' ? "0X" : "0x")
		                               : "");
	size_t prefix = num.len;
	/* zero padding goes between the sign/prefix and the digits */
	if (v->zero && !v->minus && v->width > 0 && v->prec < 0)
		for (size_t i = prefix + nd; i < (size_t)v->width; i++)
			gf_buf_putc(&num, '0');
	while (nd)
		gf_buf_putc(&num, digits[--nd]);
	verb sp = *v;
	sp.zero = false;
	pad_put(b, &sp, num.ptr, num.len);
	gf_buf_dispose(&num);
}

static void put_float(gf_buf *b, const verb *v, double d)
{
	if ((v->mode == 'g' || v->mode == 'G') && v->prec < 0) {
		gf_buf num = GF_BUF_INIT;
		if (d >= 0 && v->plus)
			gf_buf_putc(&num, '+');
		else if (d >= 0 && v->space)
			gf_buf_putc(&num, ' ');
		shortest_g(&num, d, v->mode == 'G');
		pad_put(b, v, num.ptr, num.len);
		gf_buf_dispose(&num);
		return;
	}
	char spec[32], out[400];
	snprintf(spec, sizeof(spec), "%%%s%s%s%s%s%s%s%c", v->minus ? "-" : "", v->plus ? "+" : "",
	         v->space ? " " : "", v->zero ? "0" : "", v->sharp ? "#" : "",
	         v->width >= 0 ? "*" : "", v->prec >= 0 ? ".*" : "", v->mode);
	int w = v->width >= 0 ? v->width : 0, p = v->prec >= 0 ? v->prec : 0;
	if (w > 300)
		w = 300;
	if (p > 300)
		p = 300;
	if (v->width >= 0 && v->prec >= 0)
		snprintf(out, sizeof(out), spec, w, p, d);
	else if (v->width >= 0)
		snprintf(out, sizeof(out), spec, w, d);
	else if (v->prec >= 0)
		snprintf(out, sizeof(out), spec, p, d);
	else
		snprintf(out, sizeof(out), spec, d);
	gf_buf_puts(b, out);
}

/* Appends one verb's output; NULL on success, else the message. */
static const char *append_verb(hclv_call *c, gf_buf *b, verb *v, const hcl_value *const *args,
                               size_t nargs)
{
	gf_arena *a = c->a;
	if (v->argnum - 1 >= nargs)
		return gf_arena_printf(
		        a,
		        "not enough arguments for %s at %zu: need index %zu but have "
		        "%zu total",
		        verb_raw(a, v), v->offset, v->argnum, nargs);
	const hcl_value *arg = args[v->argnum - 1];
	if (v->mode != 'v' && arg->kind == HCL_VAL_NULL)
		return gf_arena_printf(a,
		                       "unsupported value for %s at %zu: null value cannot be "
		                       "formatted",
		                       verb_raw(a, v), v->offset);
	const char *why = NULL;
	const hcl_value *cv;
	switch (v->mode) {
	case 'v':
		if (!v->sharp && arg->kind == HCL_VAL_STRING) {
			pad_put(b, v, arg->u.str.ptr, arg->u.str.len);
		} else if (!v->sharp && arg->kind == HCL_VAL_NUMBER) {
			verb g = *v;
			g.mode = 'g';
			g.prec = -1;
			g.plus = g.space = false;
			put_float(b, &g, arg->u.num);
		} else {
			const char *j = hcl_value_to_json(a, arg);
			pad_put(b, v, j, strlen(j));
		}
		return NULL;
	case 't':
		if (!(cv = hcl_convert(a, arg, &hcl_type_bool, &why)))
			break;
		gf_buf_puts(b, cv->u.b ? "true" : "false");
		return NULL;
	case 'b':
	case 'd':
	case 'o':
	case 'x':
	case 'X':
		if (!(cv = hcl_convert(a, arg, &hcl_type_number, &why)))
			break;
		if (cv->u.num != floor(cv->u.num) || fabs(cv->u.num) > 1.8e19)
			return gf_arena_printf(
			        a, "unsupported value for %s at %zu: an integer is required",
			        verb_raw(a, v), v->offset);
		put_integer(b, v, cv->u.num);
		return NULL;
	case 'e':
	case 'E':
	case 'f':
	case 'g':
	case 'G':
		if (!(cv = hcl_convert(a, arg, &hcl_type_number, &why)))
			break;
		put_float(b, v, cv->u.num);
		return NULL;
	case 's':
	case 'q': {
		if (!(cv = hcl_convert(a, arg, &hcl_type_string, &why)))
			break;
		const char *s = cv->u.str.ptr;
		size_t len = cv->u.str.len;
		if (v->prec > 0) {
			size_t pos = 0;
			for (int i = 0; i < v->prec && pos < len; i++)
				pos += hclv_grapheme_next(s + pos, len - pos);
			len = pos;
		}
		if (v->mode == 's') {
			pad_put(b, v, s, len);
		} else {
			gf_buf q = GF_BUF_INIT;
			hclv_quote_json(&q, s, len);
			pad_put(b, v, q.ptr, q.len);
			gf_buf_dispose(&q);
		}
		return NULL;
	}
	default:
		return gf_arena_printf(a, "unsupported format verb '%c' in %s at offset %zu",
		                       v->mode, verb_raw(a, v), v->offset);
	}
	return gf_arena_printf(a, "unsupported value for %s at %zu: %s", verb_raw(a, v), v->offset,
	                       why);
}

static size_t read_num(const char *f, size_t len, size_t *i)
{
	size_t n = 0;
	while (*i < len && f[*i] >= '0' && f[*i] <= '9' && n < 100000)
		n = n * 10 + (size_t)(f[(*i)++] - '0');
	return n;
}

/* Formats into *out. On error returns the message and, for unused
 * arguments, sets *bad_arg to the 1-based index of the first one. */
static const char *format_str(hclv_call *c, const hcl_value *fmtv, const hcl_value *const *args,
                              size_t nargs, gf_buf *out, size_t *bad_arg)
{
	const char *f = fmtv->u.str.ptr;
	size_t len = fmtv->u.str.len, i = 0, next = 1, highest = 0;
	while (i < len) {
		if (f[i] != '%') {
			gf_buf_putc(out, f[i++]);
			continue;
		}
		if (i + 1 < len && f[i + 1] == '%') {
			gf_buf_putc(out, '%');
			i += 2;
			continue;
		}
		verb v = {.width = -1, .prec = -1, .argnum = next, .raw = f + i, .offset = i};
		i++;
		for (; i < len; i++) {
			if (f[i] == '0')
				v.zero = true;
			else if (f[i] == '#')
				v.sharp = true;
			else if (f[i] == '-')
				v.minus = true;
			else if (f[i] == '+')
				v.plus = true;
			else if (f[i] == ' ')
				v.space = true;
			else
				break;
		}
		if (i < len && f[i] >= '1' && f[i] <= '9')
			v.width = (int)read_num(f, len, &i);
		if (i < len && f[i] == '.') {
			i++;
			v.prec = (int)read_num(f, len, &i);
		}
		if (i < len && f[i] == '[') {
			size_t start = ++i;
			if (i >= len || f[i] < '1' || f[i] > '9')
				return gf_arena_printf(
				        c->a, "unrecognized format character %s at offset %zu",
				        i < len ? gf_arena_printf(c->a, "'%c'", f[i]) : "''", i);
			v.argnum = read_num(f, len, &i);
			if (i >= len || f[i] != ']' || i == start)
				return gf_arena_printf(
				        c->a, "unrecognized format character %s at offset %zu",
				        i < len ? gf_arena_printf(c->a, "'%c'", f[i]) : "''", i);
			i++;
		}
		if (i >= len)
			return gf_arena_printf(c->a, "invalid format string starting at offset %zu",
			                       i);
		char m = f[i];
		if (!((m >= 'a' && m <= 'z') || (m >= 'A' && m <= 'Z'))) {
			size_t n;
			int32_t r = hclv_utf8_decode(f + i, len - i, &n);
			char enc[4];
			size_t el = hclv_utf8_encode(enc, r < 0 ? 0xfffd : r);
			return gf_arena_printf(c->a,
			                       "unrecognized format character '%.*s' at offset %zu",
			                       (int)el, enc, i);
		}
		v.mode = m;
		i++;
		v.rawlen = (size_t)(f + i - v.raw);
		if (v.argnum > highest)
			highest = v.argnum;
		const char *err = append_verb(c, out, &v, args, nargs);
		if (err)
			return err;
		next = v.argnum + 1;
	}
	if (highest < nargs) {
		*bad_arg = highest + 1;
		if (highest == 0)
			return "too many arguments; no verbs in format string";
		return gf_arena_printf(c->a, "too many arguments; only %zu used by format string",
		                       highest);
	}
	return NULL;
}

static const hcl_value *format_one(hclv_call *c, const hcl_value *fmtv,
                                   const hcl_value *const *args, size_t nargs, size_t iteration,
                                   bool list)
{
	gf_buf out = GF_BUF_INIT;
	size_t bad = 0;
	const char *err = format_str(c, fmtv, args, nargs, &out, &bad);
	const hcl_value *r = NULL;
	if (err && bad)
		hclv_arg_error(c, bad, "%s", err);
	else if (err && list)
		hclv_call_error(c, "error on format iteration %zu: %s", iteration, err);
	else if (err)
		hclv_call_error(c, "%s", err);
	else
		r = hclv_str(c, gf_buf_cstr(&out), out.len);
	gf_buf_dispose(&out);
	return r;
}

static const hcl_value *fn_format(hclv_call *c, const hcl_value *const *args, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!hcl_value_is_wholly_known(args[i]))
			return hcl_unknown(c->a, &hcl_type_string);
	return format_one(c, args[0], args + 1, n - 1, 0, false);
}

static bool is_seq(const hcl_value *v)
{
	return v->kind == HCL_VAL_LIST || v->kind == HCL_VAL_SET || v->kind == HCL_VAL_TUPLE;
}

static const hcl_value *fn_formatlist(hclv_call *c, const hcl_value *const *args, size_t n)
{
	size_t nargs = n - 1, iter_len = 0, chooser = 0;
	bool have_len = false;
	for (size_t i = 0; i < nargs; i++) {
		const hcl_value *a = args[i + 1];
		if (a->kind == HCL_VAL_UNKNOWN)
			return hcl_unknown(c->a, &hclv_list_string);
		if (!is_seq(a))
			continue;
		if (!have_len) {
			iter_len = a->u.coll.len;
			chooser = i;
			have_len = true;
		} else if (a->u.coll.len != iter_len) {
			return hclv_arg_error(
			        c, i + 1,
			        "argument %zu has length %zu, which is inconsistent with "
			        "argument %zu of length %zu",
			        i + 1, a->u.coll.len, chooser + 1, iter_len);
		}
	}
	if (!have_len)
		iter_len = 1;
	const hcl_value **items = gf_arena_alloc(c->a, (iter_len + 1) * sizeof(*items));
	const hcl_value **fa = gf_arena_alloc(c->a, (nargs + 1) * sizeof(*fa));
	for (size_t it = 0; it < iter_len; it++) {
		bool known = true;
		for (size_t i = 0; i < nargs; i++) {
			const hcl_value *a = args[i + 1];
			fa[i] = is_seq(a) ? a->u.coll.items[it] : a;
			if (!hcl_value_is_wholly_known(fa[i]))
				known = false;
		}
		if (!known) {
			items[it] = hcl_unknown(c->a, &hcl_type_string);
			continue;
		}
		if (!(items[it] = format_one(c, args[0], fa, nargs, it, true)))
			return NULL;
	}
	return hcl_list(c->a, &hcl_type_string, items, iter_len);
}

#define FMT_ARGS                            \
	HCLV_VAR("args", &hcl_type_dynamic, \
	         HCLV_ALLOW_NULL | HCLV_ALLOW_UNKNOWN | HCLV_ALLOW_PARTIAL)

const hclv_func hclv_funcs_format[] = {
        HCLV_FUNC("format", fn_format, &hcl_type_string, FMT_ARGS, {"format", &hcl_type_string, 0}),
        HCLV_FUNC("formatlist", fn_formatlist, &hclv_list_string, FMT_ARGS,
                  {"format", &hcl_type_string, 0}),
};
const size_t hclv_nfuncs_format = GF_ARRAY_LEN(hclv_funcs_format);
