/*
 * jsonencode and jsondecode.
 *
 * Encoding follows Terraform (cty's JSON with Go's encoding/json string
 * escapes): compact, object keys sorted, numbers in the same digits the
 * console prints, `<`, `>` and `&` escaped as \u003c, \u003e, \u0026.
 *
 * Decoding is a small strict RFC 8259 parser rather than jansson because
 * the result must keep what Terraform keeps: objects as objects (keys
 * sorted, a duplicate key is an error as in cty), arrays as tuples, and no
 * number silently changed — an integer literal that a double cannot hold
 * exactly is refused instead of rounded. Errors use Go's wording, which is
 * what Terraform users see. Nesting is capped at HCL_MAX_DEPTH.
 */
#include "hcl/hcl.h"
#include "hcl/value_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- encoding ---------------------------------------------------------- */

static bool json_put(gf_arena *a, gf_buf *b, const hcl_value *v)
{
	switch (v->kind) {
	case HCL_VAL_UNKNOWN:
		return false;
	case HCL_VAL_NULL:
		gf_buf_puts(b, "null");
		return true;
	case HCL_VAL_BOOL:
		gf_buf_puts(b, v->u.b ? "true" : "false");
		return true;
	case HCL_VAL_NUMBER:
		gf_buf_puts(b, hcl_number_format(a, v->u.num));
		return true;
	case HCL_VAL_STRING:
		hclv_quote_json(b, v->u.str.ptr, v->u.str.len);
		return true;
	case HCL_VAL_MAP:
	case HCL_VAL_OBJECT:
		gf_buf_putc(b, '{');
		for (size_t i = 0; i < v->u.coll.len; i++) {
			if (i)
				gf_buf_putc(b, ',');
			hclv_quote_json(b, v->u.coll.keys[i], strlen(v->u.coll.keys[i]));
			gf_buf_putc(b, ':');
			if (!json_put(a, b, v->u.coll.items[i]))
				return false;
		}
		gf_buf_putc(b, '}');
		return true;
	default:
		gf_buf_putc(b, '[');
		for (size_t i = 0; i < v->u.coll.len; i++) {
			if (i)
				gf_buf_putc(b, ',');
			if (!json_put(a, b, v->u.coll.items[i]))
				return false;
		}
		gf_buf_putc(b, ']');
		return true;
	}
}

char *hcl_value_to_json(gf_arena *a, const hcl_value *v)
{
	gf_buf b = GF_BUF_INIT;
	if (!json_put(a, &b, v)) {
		gf_buf_dispose(&b);
		return NULL;
	}
	return hclv_buf_finish(a, &b);
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct {
	gf_arena *a;
	const char *s;
	size_t len, pos;
	int depth;
	const char *why;
} jparser;

static void skip_ws(jparser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* Go's description of an unexpected byte: 'x', or its escape. */
static const char *char_desc(gf_arena *a, unsigned char c)
{
	if (c == '\'')
		return "'\\''";
	if (c == '"')
		return "'\"'";
	if (c >= 0x20 && c < 0x7f)
		return gf_arena_printf(a, "'%c'", c);
	return gf_arena_printf(a, "'\\x%02x'", c);
}

static const hcl_value *fail_at(jparser *p, const char *context)
{
	if (!p->why) {
		if (p->pos >= p->len)
			p->why = "unexpected end of JSON input";
		else
			p->why = gf_arena_printf(p->a, "invalid character %s %s",
			                         char_desc(p->a, (unsigned char)p->s[p->pos]),
			                         context);
	}
	return NULL;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Parses a string at p->pos (on the quote) into *out (arena). */
static bool parse_string(jparser *p, char **out, size_t *outlen)
{
	gf_buf b = GF_BUF_INIT;
	p->pos++;
	for (;;) {
		if (p->pos >= p->len) {
			gf_buf_dispose(&b);
			fail_at(p, "");
			return false;
		}
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			gf_buf_dispose(&b);
			fail_at(p, "in string literal");
			return false;
		}
		if (c != '\\') {
			size_t n;
			if (hclv_utf8_decode(p->s + p->pos, p->len - p->pos, &n) < 0) {
				/* Go replaces invalid UTF-8 with U+FFFD. */
				gf_buf_puts(&b, "\xef\xbf\xbd");
				p->pos++;
			} else {
				gf_buf_put(&b, p->s + p->pos, n);
				p->pos += n;
			}
			continue;
		}
		p->pos++;
		if (p->pos >= p->len) {
			gf_buf_dispose(&b);
			fail_at(p, "");
			return false;
		}
		char e = p->s[p->pos++];
		switch (e) {
		case '"':
		case '\\':
		case '/':
			gf_buf_putc(&b, e);
			break;
		case 'b':
			gf_buf_putc(&b, '\b');
			break;
		case 'f':
			gf_buf_putc(&b, '\f');
			break;
		case 'n':
			gf_buf_putc(&b, '\n');
			break;
		case 'r':
			gf_buf_putc(&b, '\r');
			break;
		case 't':
			gf_buf_putc(&b, '\t');
			break;
		case 'u': {
			if (p->len - p->pos < 4 || hex4(p->s + p->pos) < 0) {
				p->pos += GF_MIN((size_t)4, p->len - p->pos);
				gf_buf_dispose(&b);
				p->why = "invalid character in \\u hexadecimal character escape";
				return false;
			}
			int32_t cp = hex4(p->s + p->pos);
			p->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->len - p->pos >= 6 &&
			    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
				int lo = hex4(p->s + p->pos + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p->pos += 6;
				}
			}
			char u[4];
			gf_buf_put(&b, u, hclv_utf8_encode(u, cp));
			break;
		}
		default:
			p->pos--;
			gf_buf_dispose(&b);
			fail_at(p, "in string escape code");
			return false;
		}
	}
	*outlen = b.len;
	*out = hclv_buf_finish(p->a, &b);
	return true;
}

static const hcl_value *parse_number(jparser *p)
{
	size_t start = p->pos;
	bool integer = true;
	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len)
		return fail_at(p, "");
	if (p->s[p->pos] == '0') {
		p->pos++;
	} else if (p->s[p->pos] >= '1' && p->s[p->pos] <= '9') {
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	} else {
		return fail_at(p, "in numeric literal");
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		integer = false;
		p->pos++;
		if (p->pos >= p->len)
			return fail_at(p, "");
		if (p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return fail_at(p, "after decimal point in numeric literal");
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		integer = false;
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len)
			return fail_at(p, "");
		if (p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return fail_at(p, "in exponent of numeric literal");
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	char *text = gf_arena_strndup(p->a, p->s + start, p->pos - start);
	errno = 0;
	double d = strtod(text, NULL);
	if (!isfinite(d)) {
		p->why = gf_arena_printf(p->a, "number %s is too large", text);
		return NULL;
	}
	if (integer && fabs(d) >= 9007199254740992.0) {
		/* Beyond 2^53 a double holds only some integers: accept a literal
		 * only if it prints back the same, so that no digit changes. */
		if (strcmp(text, hcl_number_format(p->a, d)) != 0) {
			p->why = gf_arena_printf(
			        p->a,
			        "the integer %s cannot be represented exactly (numbers are "
			        "64-bit floating point, exact to 9007199254740992); quote it "
			        "as a string to keep every digit",
			        text);
			return NULL;
		}
	}
	return hcl_number(p->a, d);
}

static bool match_word(jparser *p, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < n; i++) {
		if (p->pos + i >= p->len) {
			p->pos += i;
			fail_at(p, "");
			return false;
		}
		if (p->s[p->pos + i] != w[i]) {
			p->pos += i;
			fail_at(p,
			        gf_arena_printf(p->a, "in literal %s (expecting '%c')", w, w[i]));
			return false;
		}
	}
	p->pos += n;
	return true;
}

static const hcl_value *parse_value(jparser *p);

static const hcl_value *parse_array(jparser *p)
{
	GF_VEC(const hcl_value *) items = {0};
	const hcl_value *res = NULL;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		return hcl_tuple(p->a, NULL, 0);
	}
	for (;;) {
		const hcl_value *v = parse_value(p);
		if (!v)
			goto done;
		gf_vec_push(&items, v);
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == ']') {
			p->pos++;
			break;
		}
		fail_at(p, "after array element");
		goto done;
	}
	const hcl_value **arr = gf_arena_memdup(p->a, items.items, items.len * sizeof(*arr));
	res = hcl_tuple(p->a, arr, items.len);
done:
	gf_vec_dispose(&items);
	return res;
}

static int cmp_str_ptr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static const hcl_value *parse_object(jparser *p)
{
	GF_VEC(const char *) keys = {0};
	GF_VEC(const hcl_value *) items = {0};
	const hcl_value *res = NULL;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return hcl_object(p->a, NULL, NULL, 0);
	}
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"') {
			fail_at(p, "looking for beginning of object key string");
			goto done;
		}
		char *key;
		size_t klen;
		if (!parse_string(p, &key, &klen))
			goto done;
		if (strlen(key) != klen) {
			p->why = "object keys must not contain NUL characters";
			goto done;
		}
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			fail_at(p, "after object key");
			goto done;
		}
		p->pos++;
		const hcl_value *v = parse_value(p);
		if (!v)
			goto done;
		gf_vec_push(&keys, key);
		gf_vec_push(&items, v);
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		fail_at(p, "after object key:value pair");
		goto done;
	}
	/* cty refuses duplicate properties instead of picking one. */
	const char **sorted = gf_xmalloc(keys.len * sizeof(*sorted));
	memcpy(sorted, keys.items, keys.len * sizeof(*sorted));
	qsort(sorted, keys.len, sizeof(*sorted), cmp_str_ptr);
	for (size_t i = 1; i < keys.len; i++) {
		if (strcmp(sorted[i - 1], sorted[i]) == 0) {
			gf_buf q = GF_BUF_INIT;
			hclv_quote_go(&q, sorted[i], strlen(sorted[i]));
			p->why = gf_arena_printf(p->a, "duplicate %s property in JSON object",
			                         gf_buf_cstr(&q));
			gf_buf_dispose(&q);
			free(sorted);
			goto done;
		}
	}
	free(sorted);
	const char **k = gf_arena_memdup(p->a, keys.items, keys.len * sizeof(*k));
	const hcl_value **v = gf_arena_memdup(p->a, items.items, items.len * sizeof(*v));
	res = hcl_object(p->a, k, v, keys.len);
done:
	gf_vec_dispose(&keys);
	gf_vec_dispose(&items);
	return res;
}

static const hcl_value *parse_value(jparser *p)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return fail_at(p, "");
	if (++p->depth > HCL_MAX_DEPTH) {
		p->why = gf_arena_printf(p->a, "JSON nested deeper than %d levels", HCL_MAX_DEPTH);
		return NULL;
	}
	const hcl_value *v = NULL;
	char c = p->s[p->pos];
	switch (c) {
	case '{':
		v = parse_object(p);
		break;
	case '[':
		v = parse_array(p);
		break;
	case '"': {
		char *s;
		size_t n;
		if (parse_string(p, &s, &n))
			v = hcl_string(p->a, s, n);
		break;
	}
	case 't':
		v = match_word(p, "true") ? &hcl_true : NULL;
		break;
	case 'f':
		v = match_word(p, "false") ? &hcl_false : NULL;
		break;
	case 'n':
		v = match_word(p, "null") ? &hcl_null_dynamic : NULL;
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			v = parse_number(p);
		else
			fail_at(p, "looking for beginning of value");
	}
	p->depth--;
	return v;
}

const hcl_value *hcl_value_from_json(gf_arena *a, const char *json, size_t len, const char **why)
{
	jparser p = {.a = a, .s = json, .len = len};
	const hcl_value *v = parse_value(&p);
	if (v) {
		skip_ws(&p);
		if (p.pos < p.len) {
			v = fail_at(&p, "after top-level value");
		}
	}
	if (!v && why)
		*why = p.why ? p.why : "invalid JSON";
	return v;
}
