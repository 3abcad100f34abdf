/*
 * String functions: chomp endswith indent join lower split startswith
 * strcontains strrev substr title trim trimprefix trimspace trimsuffix
 * upper, and the character helpers they share.
 *
 * Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * (docs/functions.md says so); characters outside are left as they are.
 */
#include "hcl/func_impl.h"

#include <stdlib.h>

#include <string.h>

/* ---- characters -------------------------------------------------------- */

static bool is_extender(int32_t r)
{
	return (r >= 0x300 && r <= 0x36f) || (r >= 0x483 && r <= 0x489) ||
	       (r >= 0x591 && r <= 0x5bd) || (r >= 0x610 && r <= 0x61a) ||
	       (r >= 0x64b && r <= 0x65f) || (r >= 0x900 && r <= 0x903) ||
	       (r >= 0x93a && r <= 0x94f) || (r >= 0x1ab0 && r <= 0x1aff) ||
	       (r >= 0x1dc0 && r <= 0x1dff) || r == 0x200c || r == 0x200d ||
	       (r >= 0x20d0 && r <= 0x20ff) || (r >= 0xfe00 && r <= 0xfe0f) ||
	       (r >= 0xfe20 && r <= 0xfe2f) || (r >= 0x1f3fb && r <= 0x1f3ff) ||
	       (r >= 0xe0100 && r <= 0xe01ef) || (r >= 0xe0020 && r <= 0xe007f);
}

size_t hclv_grapheme_next(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (len >= 2 && s[0] == '\r' && s[1] == '\n')
		return 2;
	size_t n, i;
	int32_t r = hclv_utf8_decode(s, len, &n);
	i = n;
	bool joined = false;
	bool regional = r >= 0x1f1e6 && r <= 0x1f1ff;
	while (i < len) {
		int32_t next = hclv_utf8_decode(s + i, len - i, &n);
		if (next < 0)
			break;
		if (is_extender(next)) {
			joined = next == 0x200d;
			i += n;
			continue;
		}
		if (joined || (regional && next >= 0x1f1e6 && next <= 0x1f1ff)) {
			/* ZWJ sequences, and flags made of two regional indicators */
			joined = false;
			regional = false;
			i += n;
			continue;
		}
		break;
	}
	return i;
}

size_t hclv_grapheme_count(const char *s, size_t len)
{
	size_t count = 0, i = 0;
	while (i < len) {
		i += hclv_grapheme_next(s + i, len - i);
		count++;
	}
	return count;
}

static int32_t to_upper(int32_t r)
{
	if (r >= 'a' && r <= 'z')
		return r - 32;
	if ((r >= 0xe0 && r <= 0xfe && r != 0xf7))
		return r - 32;
	if (r == 0xff)
		return 0x178;
	if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 &&
	    r != 0x17f) {
		bool odd_lower = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);
		if (odd_lower ? (r % 2 == 0) : (r % 2 == 1))
			return r - 1;
		return r;
	}
	if (r >= 0x3b1 && r <= 0x3c9 && r != 0x3c2)
		return r - 32;
	if (r == 0x3c2)
		return 0x3a3;
	if (r >= 0x430 && r <= 0x44f)
		return r - 32;
	if (r >= 0x450 && r <= 0x45f)
		return r - 80;
	return r;
}

static int32_t to_lower(int32_t r)
{
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	if ((r >= 0xc0 && r <= 0xde && r != 0xd7))
		return r + 32;
	if (r == 0x178)
		return 0xff;
	if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 &&
	    r != 0x17f) {
		bool odd_lower = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);
		if (odd_lower ? (r % 2 == 1) : (r % 2 == 0))
			return r + 1;
		return r;
	}
	if (r >= 0x391 && r <= 0x3a9 && r != 0x3a2)
		return r + 32;
	if (r >= 0x410 && r <= 0x42f)
		return r + 32;
	if (r >= 0x400 && r <= 0x40f)
		return r + 80;
	return r;
}

static bool is_letter_or_digit(int32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		       r == '_';
	return to_upper(r) != r || to_lower(r) != r || r >= 0x100;
}

static const hcl_value *map_case(hclv_call *c, const hcl_value *v, int mode)
{
	const char *s = v->u.str.ptr;
	size_t len = v->u.str.len, i = 0, n;
	gf_buf b = GF_BUF_INIT;
	bool word_start = true;
	while (i < len) {
		int32_t r = hclv_utf8_decode(s + i, len - i, &n);
		if (r < 0) {
			gf_buf_put(&b, s + i, n);
			i += n;
			word_start = true;
			continue;
		}
		int32_t m = r;
		if (mode == 0)
			m = to_lower(r);
		else if (mode == 1)
			m = to_upper(r);
		else if (word_start)
			m = to_upper(r);
		word_start = !is_letter_or_digit(r);
		char enc[4];
		gf_buf_put(&b, enc, hclv_utf8_encode(enc, m));
		i += n;
	}
	const hcl_value *r = hclv_str(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_lower(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return map_case(c, args[0], 0);
}

static const hcl_value *fn_upper(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return map_case(c, args[0], 1);
}

static const hcl_value *fn_title(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return map_case(c, args[0], 2);
}

/* ---- simple string functions ------------------------------------------- */

static bool has_prefix(const hcl_value *s, const hcl_value *p)
{
	return p->u.str.len <= s->u.str.len &&
	       memcmp(s->u.str.ptr, p->u.str.ptr, p->u.str.len) == 0;
}

static bool has_suffix(const hcl_value *s, const hcl_value *p)
{
	return p->u.str.len <= s->u.str.len &&
	       memcmp(s->u.str.ptr + s->u.str.len - p->u.str.len, p->u.str.ptr, p->u.str.len) == 0;
}

static const hcl_value *fn_startswith(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_bool(has_prefix(args[0], args[1]));
}

static const hcl_value *fn_endswith(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_bool(has_suffix(args[0], args[1]));
}

static const hcl_value *fn_trimprefix(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *s = args[0];
	if (!has_prefix(s, args[1]))
		return s;
	return hclv_str(c, s->u.str.ptr + args[1]->u.str.len, s->u.str.len - args[1]->u.str.len);
}

static const hcl_value *fn_trimsuffix(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *s = args[0];
	if (!has_suffix(s, args[1]))
		return s;
	return hclv_str(c, s->u.str.ptr, s->u.str.len - args[1]->u.str.len);
}

static const void *find_bytes(const char *h, size_t hl, const char *nd, size_t nl)
{
	if (nl == 0)
		return h;
	return memmem(h, hl, nd, nl);
}

static const hcl_value *fn_strcontains(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hcl_bool(find_bytes(args[0]->u.str.ptr, args[0]->u.str.len, args[1]->u.str.ptr,
	                           args[1]->u.str.len) != NULL);
}

static const hcl_value *fn_chomp(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	return hclv_str(c, s, len);
}

static bool is_space(int32_t r)
{
	return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xa0 || r == 0x1680 ||
	       (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
	       r == 0x205f || r == 0x3000;
}

/* The start of the last code point before s+len. */
static size_t last_rune_start(const char *s, size_t len)
{
	size_t i = len - 1;
	while (i > 0 && len - i < 4 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	size_t n;
	if (hclv_utf8_decode(s + i, len - i, &n) < 0 || i + n != len)
		return len - 1;
	return i;
}

static const hcl_value *fn_trimspace(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len, start = 0, sz;
	while (start < len && is_space(hclv_utf8_decode(s + start, len - start, &sz)))
		start += sz;
	while (len > start) {
		size_t ls = last_rune_start(s, len);
		if (!is_space(hclv_utf8_decode(s + ls, len - ls, &sz)))
			break;
		len = ls;
	}
	return hclv_str(c, s + start, len - start);
}

static bool in_cutset(const hcl_value *cut, int32_t r)
{
	size_t i = 0, n;
	while (i < cut->u.str.len) {
		if (hclv_utf8_decode(cut->u.str.ptr + i, cut->u.str.len - i, &n) == r)
			return true;
		i += n;
	}
	return false;
}

static const hcl_value *fn_trim(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len, start = 0, sz;
	while (start < len && in_cutset(args[1], hclv_utf8_decode(s + start, len - start, &sz)))
		start += sz;
	while (len > start) {
		size_t ls = last_rune_start(s, len);
		if (!in_cutset(args[1], hclv_utf8_decode(s + ls, len - ls, &sz)))
			break;
		len = ls;
	}
	return hclv_str(c, s + start, len - start);
}

static const hcl_value *fn_indent(hclv_call *c, const hcl_value *const *args, size_t n)
{
	int64_t spaces;
	if (!hclv_arg_int(c, 0, args[0], &spaces))
		return NULL;
	if (spaces < 0)
		spaces = 0;
	gf_buf b = GF_BUF_INIT;
	const char *s = args[1]->u.str.ptr;
	for (size_t i = 0; i < args[1]->u.str.len; i++) {
		gf_buf_putc(&b, s[i]);
		if (s[i] == '\n')
			for (int64_t k = 0; k < spaces; k++)
				gf_buf_putc(&b, ' ');
	}
	const hcl_value *r = hclv_str(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_join(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (n < 2)
		return hclv_call_error(c, "at least one list is required");
	const hcl_value *sep = args[0];
	gf_buf b = GF_BUF_INIT;
	bool first = true;
	for (size_t l = 1; l < n; l++) {
		const hcl_value *list = args[l];
		for (size_t i = 0; i < list->u.coll.len; i++) {
			const hcl_value *e = list->u.coll.items[i];
			if (e->kind == HCL_VAL_NULL) {
				gf_buf_dispose(&b);
				return hclv_arg_error(
				        c, l, "element %zu is null; cannot concatenate null values",
				        i);
			}
			if (!first)
				gf_buf_put(&b, sep->u.str.ptr, sep->u.str.len);
			gf_buf_put(&b, e->u.str.ptr, e->u.str.len);
			first = false;
		}
	}
	const hcl_value *r = hclv_str(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_split(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *sep = args[0], *str = args[1];
	GF_VEC(const hcl_value *) parts = {0};
	const char *s = str->u.str.ptr;
	size_t len = str->u.str.len;
	if (sep->u.str.len == 0) {
		/* Go's strings.Split with an empty separator: one part per code point. */
		size_t i = 0, sz;
		while (i < len) {
			hclv_utf8_decode(s + i, len - i, &sz);
			gf_vec_push(&parts, hclv_str(c, s + i, sz));
			i += sz;
		}
	} else {
		size_t i = 0;
		for (;;) {
			const char *hit = memmem(s + i, len - i, sep->u.str.ptr, sep->u.str.len);
			if (!hit) {
				gf_vec_push(&parts, hclv_str(c, s + i, len - i));
				break;
			}
			gf_vec_push(&parts, hclv_str(c, s + i, (size_t)(hit - (s + i))));
			i = (size_t)(hit - s) + sep->u.str.len;
		}
	}
	const hcl_value **items = gf_arena_alloc(c->a, (parts.len + 1) * sizeof(*items));
	for (size_t i = 0; i < parts.len; i++)
		items[i] = parts.items[i];
	size_t count = parts.len;
	gf_vec_dispose(&parts);
	return hcl_list(c->a, &hcl_type_string, items, count);
}

static const hcl_value *fn_strrev(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	char *out = gf_arena_alloc(c->a, len + 1);
	size_t i = 0;
	while (i < len) {
		size_t g = hclv_grapheme_next(s + i, len - i);
		memcpy(out + len - i - g, s + i, g);
		i += g;
	}
	return hclv_str(c, out, len);
}

static const hcl_value *fn_substr(hclv_call *c, const hcl_value *const *args, size_t n)
{
	int64_t offset, length;
	if (!hclv_arg_int(c, 1, args[1], &offset) || !hclv_arg_int(c, 2, args[2], &length))
		return NULL;
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	int64_t total = (int64_t)hclv_grapheme_count(s, len);
	if (offset < 0) {
		offset += total;
		if (offset < 0)
			offset = 0;
	}
	if (offset >= total || length == 0)
		return hclv_cstr(c, "");
	size_t i = 0;
	for (int64_t k = 0; k < offset; k++)
		i += hclv_grapheme_next(s + i, len - i);
	size_t start = i;
	if (length < 0)
		return hclv_str(c, s + start, len - start);
	for (int64_t k = 0; k < length && i < len; k++)
		i += hclv_grapheme_next(s + i, len - i);
	return hclv_str(c, s + start, i - start);
}

#define STR(nm)                         \
	{                               \
		nm, &hcl_type_string, 0 \
	}

const hclv_func hclv_funcs_string[] = {
        HCLV_FUNC("chomp", fn_chomp, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("endswith", fn_endswith, &hcl_type_bool, NULL, STR("str"), STR("suffix")),
        HCLV_FUNC("indent", fn_indent, &hcl_type_string, NULL, {"spaces", &hcl_type_number, 0},
                  STR("str")),
        HCLV_FUNC("join", fn_join, &hcl_type_string, HCLV_VAR("lists", &hclv_list_string, 0),
                  STR("separator")),
        HCLV_FUNC("lower", fn_lower, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("split", fn_split, &hclv_list_string, NULL, STR("separator"), STR("str")),
        HCLV_FUNC("startswith", fn_startswith, &hcl_type_bool, NULL, STR("str"), STR("prefix")),
        HCLV_FUNC("strcontains", fn_strcontains, &hcl_type_bool, NULL, STR("str"), STR("substr")),
        HCLV_FUNC("strrev", fn_strrev, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("substr", fn_substr, &hcl_type_string, NULL, STR("str"),
                  {"offset", &hcl_type_number, 0}, {"length", &hcl_type_number, 0}),
        HCLV_FUNC("title", fn_title, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("trim", fn_trim, &hcl_type_string, NULL, STR("str"), STR("cutset")),
        HCLV_FUNC("trimprefix", fn_trimprefix, &hcl_type_string, NULL, STR("str"), STR("prefix")),
        HCLV_FUNC("trimspace", fn_trimspace, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("trimsuffix", fn_trimsuffix, &hcl_type_string, NULL, STR("str"), STR("suffix")),
        HCLV_FUNC("upper", fn_upper, &hcl_type_string, NULL, STR("str")),
};
const size_t hclv_nfuncs_string = GF_ARRAY_LEN(hclv_funcs_string);
