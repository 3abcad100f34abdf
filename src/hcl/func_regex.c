/*
 * regex(), regexall() and replace() through PCRE2.
 *
 * Terraform's engine is Go's RE2. Patterns are compiled so that the common
 * syntax means the same: UTF-8 mode, `$` only at the very end
 * (PCRE2_DOLLAR_ENDONLY), ASCII \d \w \s as RE2. PCRE2 accepts more than
 * RE2 (backreferences, lookaround, possessive quantifiers); a match limit
 * keeps backtracking patterns from running away. docs/functions.md lists
 * the differences.
 *
 * Result shapes are Terraform's: no capture group → the matched string;
 * unnamed groups → a tuple of strings; named groups → an object; a group
 * that did not take part in the match is a null string; mixing named and
 * unnamed groups is an error.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "hcl/func_impl.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define MATCH_LIMIT 2000000u

typedef struct {
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	uint32_t ncap;
	uint32_t nnames;
	const char **names; /* by group number, NULL for unnamed */
} regex;

static void regex_dispose(regex *r)
{
	if (r->md)
		pcre2_match_data_free(r->md);
	if (r->mctx)
		pcre2_match_context_free(r->mctx);
	if (r->re)
		pcre2_code_free(r->re);
}

/* Compiles the pattern. For regex() and regexall() (`for_replace` false)
 * errors blame the pattern argument and named and unnamed groups must not
 * mix; replace() reports a failed call, as Terraform's does. */
static bool regex_compile(hclv_call *c, regex *r, const hcl_value *pat, bool for_replace)
{
	memset(r, 0, sizeof(*r));
	int code;
	PCRE2_SIZE off;
	r->re = pcre2_compile((PCRE2_SPTR)pat->u.str.ptr, pat->u.str.len,
	                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &code,
	                      &off, NULL);
	if (!r->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		if (for_replace)
			hclv_call_error(c, "error parsing regexp: %s at offset %zu: `%.*s`",
			                (const char *)msg, (size_t)off, (int)pat->u.str.len,
			                pat->u.str.ptr);
		else
			hclv_arg_error(c, 0, "invalid regexp pattern: %s at offset %zu in `%.*s`",
			               (const char *)msg, (size_t)off, (int)pat->u.str.len,
			               pat->u.str.ptr);
		return false;
	}
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &r->ncap);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMECOUNT, &r->nnames);
	r->names = gf_arena_alloc(c->a, (r->ncap + 1) * sizeof(*r->names));
	if (r->nnames) {
		PCRE2_SPTR table;
		uint32_t entry;
		pcre2_pattern_info(r->re, PCRE2_INFO_NAMETABLE, &table);
		pcre2_pattern_info(r->re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
		for (uint32_t i = 0; i < r->nnames; i++) {
			const unsigned char *e = table + i * entry;
			uint32_t group = ((uint32_t)e[0] << 8) | e[1];
			if (group <= r->ncap)
				r->names[group] = gf_arena_strdup(c->a, (const char *)e + 2);
		}
		if (r->nnames != r->ncap && !for_replace) {
			hclv_arg_error(c, 0,
			               "invalid regexp pattern: cannot mix both named and unnamed "
			               "capture groups");
			return false;
		}
	}
	r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	return true;
}

/* Where the search for the next match starts, and where the last match
 * ended (SIZE_MAX before the first). */
typedef struct {
	size_t pos, prev_end;
} match_iter;

/*
 * The next match, with Go's rules for successive matches (regexp's
 * allMatches): after an empty match the search moves on by one character,
 * and an empty match right where the previous match ended is skipped, so
 * the pattern a* finds "", "aaa" and "" in "baaac" (Perl finds a fourth).
 * Returns 1 with the match in r->md, 0 at the end, -1 on error (reported).
 */
static int regex_next(hclv_call *c, regex *r, const hcl_value *s, match_iter *it)
{
	size_t len = s->u.str.len;
	while (it->pos <= len) {
		int rc = pcre2_match(r->re, (PCRE2_SPTR)s->u.str.ptr, len, it->pos, 0, r->md,
		                     r->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(rc, msg, sizeof(msg));
			hclv_call_error(c, "regular expression matching failed: %s",
			                (const char *)msg);
			return -1;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
		bool accept = true;
		if (ov[1] == it->pos) {
			/* an empty match here: never right after the previous one */
			accept = ov[0] != it->prev_end;
			size_t n = 1;
			if (it->pos < len)
				hclv_utf8_decode(s->u.str.ptr + it->pos, len - it->pos, &n);
			it->pos += n;
		} else {
			it->pos = ov[1];
		}
		it->prev_end = ov[1];
		if (accept)
			return 1;
	}
	return 0;
}

static const hcl_value *group_value(hclv_call *c, const hcl_value *s, PCRE2_SIZE *ov, size_t g)
{
	if (ov[2 * g] == PCRE2_UNSET)
		return hcl_null(c->a, &hcl_type_string);
	return hclv_str(c, s->u.str.ptr + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

static const hcl_value *match_result(hclv_call *c, regex *r, const hcl_value *s)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	if (r->ncap == 0)
		return group_value(c, s, ov, 0);
	const hcl_value **items = gf_arena_alloc(c->a, r->ncap * sizeof(*items));
	for (uint32_t g = 1; g <= r->ncap; g++)
		items[g - 1] = group_value(c, s, ov, g);
	if (r->nnames == 0)
		return hcl_tuple(c->a, items, r->ncap);
	const char **keys = gf_arena_alloc(c->a, r->ncap * sizeof(*keys));
	for (uint32_t g = 1; g <= r->ncap; g++)
		keys[g - 1] = r->names[g];
	return hcl_object(c->a, keys, items, r->ncap);
}

static const hcl_value *fn_regex(hclv_call *c, const hcl_value *const *args, size_t n)
{
	regex r;
	const hcl_value *res = NULL;
	if (regex_compile(c, &r, args[0], false)) {
		match_iter it = {.pos = 0, .prev_end = SIZE_MAX};
		int rc = regex_next(c, &r, args[1], &it);
		if (rc == 0)
			hclv_call_error(c, "pattern did not match any part of the given string");
		else if (rc > 0)
			res = match_result(c, &r, args[1]);
	}
	regex_dispose(&r);
	return res;
}

static const hcl_value *fn_regexall(hclv_call *c, const hcl_value *const *args, size_t n)
{
	regex r;
	const hcl_value *res = NULL;
	GF_VEC(const hcl_value *) all = {0};
	if (!regex_compile(c, &r, args[0], false))
		goto done;
	match_iter it = {.pos = 0, .prev_end = SIZE_MAX};
	int rc;
	while ((rc = regex_next(c, &r, args[1], &it)) > 0)
		gf_vec_push(&all, match_result(c, &r, args[1]));
	if (rc < 0)
		goto done;
	const hcl_value **items = gf_arena_alloc(c->a, (all.len + 1) * sizeof(*items));
	for (size_t i = 0; i < all.len; i++)
		items[i] = all.items[i];
	if (all.len == 0) {
		/* the element type is known from the pattern even with no match */
		const hcl_type *et = &hcl_type_string;
		if (r.ncap > 0) {
			const hcl_type **ts = gf_arena_alloc(c->a, r.ncap * sizeof(*ts));
			for (uint32_t g = 0; g < r.ncap; g++)
				ts[g] = &hcl_type_string;
			if (r.nnames) {
				const char **names = gf_arena_alloc(c->a, r.ncap * sizeof(*names));
				for (uint32_t g = 0; g < r.ncap; g++)
					names[g] = r.names[g + 1];
				et = hcl_type_object(c->a, names, ts, r.ncap);
			} else {
				et = hcl_type_tuple(c->a, ts, r.ncap);
			}
		}
		res = hcl_list(c->a, et, items, 0);
	} else {
		/* a null group makes element types differ only in nullness: the
		 * first element's type is the type of all */
		res = hcl_list(c->a, items[0]->type, items, all.len);
	}
done:
	gf_vec_dispose(&all);
	regex_dispose(&r);
	return res;
}

/* Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
static void expand_template(gf_buf *b, const char *t, size_t tl, regex *r, const hcl_value *s)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	size_t i = 0;
	while (i < tl) {
		if (t[i] != '$' || i + 1 >= tl) {
			gf_buf_putc(b, t[i++]);
			continue;
		}
		if (t[i + 1] == '$') {
			gf_buf_putc(b, '$');
			i += 2;
			continue;
		}
		size_t ns, ne, next;
		if (t[i + 1] == '{') {
			ns = i + 2;
			ne = ns;
			while (ne < tl && t[ne] != '}')
				ne++;
			if (ne >= tl || ne == ns) {
				gf_buf_putc(b, t[i++]);
				continue;
			}
			next = ne + 1;
		} else {
			ns = i + 1;
			ne = ns;
			while (ne < tl &&
			       (t[ne] == '_' || (t[ne] >= '0' && t[ne] <= '9') ||
			        (t[ne] >= 'a' && t[ne] <= 'z') || (t[ne] >= 'A' && t[ne] <= 'Z')))
				ne++;
			if (ne == ns) {
				gf_buf_putc(b, t[i++]);
				continue;
			}
			next = ne;
		}
		char name[128];
		size_t nl = GF_MIN(ne - ns, sizeof(name) - 1);
		memcpy(name, t + ns, nl);
		name[nl] = 0;
		long g = -1;
		bool numeric = true;
		for (size_t k = 0; k < nl; k++)
			if (name[k] < '0' || name[k] > '9')
				numeric = false;
		if (numeric && nl < 9) {
			g = strtol(name, NULL, 10);
		} else {
			for (uint32_t k = 1; k <= r->ncap; k++)
				if (r->names[k] && strcmp(r->names[k], name) == 0)
					g = (long)k;
		}
		if (g >= 0 && (uint32_t)g <= r->ncap && ov[2 * g] != PCRE2_UNSET)
			gf_buf_put(b, s->u.str.ptr + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		i = next;
	}
}

static const hcl_value *replace_regex(hclv_call *c, const hcl_value *str, const hcl_value *pat,
                                      const hcl_value *rep)
{
	hcl_value pv = *pat;
	pv.u.str.ptr = pat->u.str.ptr + 1;
	pv.u.str.len = pat->u.str.len - 2;
	regex r;
	const hcl_value *res = NULL;
	gf_buf b = GF_BUF_INIT;
	if (!regex_compile(c, &r, &pv, true))
		goto done;
	size_t copied = 0;
	match_iter it = {.pos = 0, .prev_end = SIZE_MAX};
	int rc;
	while ((rc = regex_next(c, &r, str, &it)) > 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r.md);
		gf_buf_put(&b, str->u.str.ptr + copied, ov[0] - copied);
		expand_template(&b, rep->u.str.ptr, rep->u.str.len, &r, str);
		copied = ov[1];
	}
	if (rc < 0)
		goto done;
	gf_buf_put(&b, str->u.str.ptr + copied, str->u.str.len - copied);
	res = hclv_str(c, gf_buf_cstr(&b), b.len);
done:
	gf_buf_dispose(&b);
	regex_dispose(&r);
	return res;
}

static const hcl_value *fn_replace(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *str = args[0], *sub = args[1], *rep = args[2];
	if (sub->u.str.len > 1 && sub->u.str.ptr[0] == '/' &&
	    sub->u.str.ptr[sub->u.str.len - 1] == '/')
		return replace_regex(c, str, sub, rep);
	gf_buf b = GF_BUF_INIT;
	const char *s = str->u.str.ptr;
	size_t len = str->u.str.len, i = 0;
	if (sub->u.str.len == 0) {
		/* as Go's strings.Replace: the replacement around every character */
		size_t sz;
		gf_buf_put(&b, rep->u.str.ptr, rep->u.str.len);
		while (i < len) {
			hclv_utf8_decode(s + i, len - i, &sz);
			gf_buf_put(&b, s + i, sz);
			gf_buf_put(&b, rep->u.str.ptr, rep->u.str.len);
			i += sz;
		}
	} else {
		for (;;) {
			const char *hit = memmem(s + i, len - i, sub->u.str.ptr, sub->u.str.len);
			if (!hit) {
				gf_buf_put(&b, s + i, len - i);
				break;
			}
			gf_buf_put(&b, s + i, (size_t)(hit - (s + i)));
			gf_buf_put(&b, rep->u.str.ptr, rep->u.str.len);
			i = (size_t)(hit - s) + sub->u.str.len;
		}
	}
	const hcl_value *r = hclv_str(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

#define STR(nm)                         \
	{                               \
		nm, &hcl_type_string, 0 \
	}

const hclv_func hclv_funcs_regex[] = {
        HCLV_FUNC("regex", fn_regex, &hcl_type_dynamic, NULL, STR("pattern"), STR("string")),
        HCLV_FUNC("regexall", fn_regexall, &hcl_type_dynamic, NULL, STR("pattern"), STR("string")),
        HCLV_FUNC("replace", fn_replace, &hcl_type_string, NULL, STR("str"), STR("substr"),
                  STR("replace")),
};
const size_t hclv_nfuncs_regex = GF_ARRAY_LEN(hclv_funcs_regex);
