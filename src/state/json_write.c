/*
 * The text of a state file: what Go's json.MarshalIndent(v, "", "  ")
 * writes, since that is how Terraform writes state, so that a state moved
 * between the two tools keeps its bytes. Differences from jansson's dumper
 * that matter: <, > and & are escaped as \u003c, \u003e and \u0026 (and
 * U+2028, U+2029 too); control characters other than \n, \r and \t are
 * \u00XX; reals are the shortest digits that read back as the same double,
 * in positional notation unless below 1e-6 or from 9e18 on (Go: 1e21).
 */
#include "state/state.h"
#include "state/state_int.h"

#include "hcl/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether byte i of s (n bytes) is written as it is. */
static bool plain(const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
		return false;
	return !(c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	         ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9));
}

static int put_string(gf_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int rc = gf_buf_putc(b, '"');
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* Runs of plain bytes in one copy: most of a state is plain. */
		size_t run = i;
		while (run < n && plain(s, run, n))
			run++;
		if (run > i) {
			rc = gf_buf_put(b, s + i, run - i);
			i = run - 1;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rc = gf_buf_put(b, e, 2);
		} else if (c == '\n') {
			rc = gf_buf_puts(b, "\\n");
		} else if (c == '\r') {
			rc = gf_buf_puts(b, "\\r");
		} else if (c == '\t') {
			rc = gf_buf_puts(b, "\\t");
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			rc = gf_buf_put(b, e, 6);
		} else {
			/* U+2028 or U+2029 (plain() said so) */
			rc = gf_buf_puts(b,
			                 (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		}
	}
	return rc ? rc : gf_buf_putc(b, '"');
}

static int put_real(gf_buf *b, double d)
{
	double a = fabs(d);
	/* Reading back must give the same text: jansson reads "-0" as the
	 * integer 0, and cannot read whole numbers beyond int64 at all, so
	 * those two cases (where Go writes -0 and 1e20 in positional form)
	 * are written as 0 and in exponent form. */
	if (a == 0)
		return gf_buf_putc(b, '0');
	if (a >= 1e-6 && a < 9e18) {
		gf_arena ar;
		gf_arena_init(&ar);
		int rc = gf_buf_puts(b, hcl_number_format(&ar, d));
		gf_arena_dispose(&ar);
		return rc;
	}
	char text[40];
	for (int p = 0; p <= 17; p++) {
		snprintf(text, sizeof(text), "%.*e", p, d);
		if (strtod(text, NULL) == d)
			break;
	}
	/* Go writes e-7 where C writes e-07. */
	char *e = strchr(text, 'e');
	if (e && e[2] == '0' && e[3] != '\0')
		memmove(e + 2, e + 3, strlen(e + 3) + 1);
	return gf_buf_puts(b, text);
}

static int indent(gf_buf *b, int depth)
{
	int rc = gf_buf_putc(b, '\n');
	for (int i = 0; i < depth && rc == 0; i++)
		rc = gf_buf_puts(b, "  ");
	return rc;
}

static int put_value(gf_buf *b, const json_t *j, int depth)
{
	int rc = 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (json_object_size(j) == 0)
			return gf_buf_puts(b, "{}");
		const char *k;
		json_t *v;
		bool first = true;
		rc = gf_buf_putc(b, '{');
		json_object_foreach((json_t *)j, k, v)
		{
			if (rc == 0 && !first)
				rc = gf_buf_putc(b, ',');
			first = false;
			if (rc == 0)
				rc = indent(b, depth + 1);
			if (rc == 0)
				rc = put_string(b, k, strlen(k));
			if (rc == 0)
				rc = gf_buf_puts(b, ": ");
			if (rc == 0)
				rc = put_value(b, v, depth + 1);
		}
		if (rc == 0)
			rc = indent(b, depth);
		return rc ? rc : gf_buf_putc(b, '}');
	}
	case JSON_ARRAY: {
		if (json_array_size(j) == 0)
			return gf_buf_puts(b, "[]");
		rc = gf_buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(j) && rc == 0; i++) {
			if (i)
				rc = gf_buf_putc(b, ',');
			if (rc == 0)
				rc = indent(b, depth + 1);
			if (rc == 0)
				rc = put_value(b, json_array_get(j, i), depth + 1);
		}
		if (rc == 0)
			rc = indent(b, depth);
		return rc ? rc : gf_buf_putc(b, ']');
	}
	case JSON_STRING:
		return put_string(b, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return gf_buf_printf(b, "%lld", (long long)json_integer_value(j));
	case JSON_REAL:
		return put_real(b, json_real_value(j));
	case JSON_TRUE:
		return gf_buf_puts(b, "true");
	case JSON_FALSE:
		return gf_buf_puts(b, "false");
	case JSON_NULL:
		break;
	}
	return gf_buf_puts(b, "null");
}

int state_json_dump(gf_buf *out, const json_t *j)
{
	int rc = put_value(out, j, 0);
	if (rc == 0)
		rc = gf_buf_putc(out, '\n');
	if (rc == GF_ETOOBIG)
		gf_err_set(rc, "the state is too large to serialise");
	return rc;
}
