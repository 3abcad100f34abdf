/*
 * Printing values the way `terraform console` prints them, numbers the way
 * Terraform formats them (big.Float's 'f' format with the shortest exact
 * digits), and the UTF-8 and quoting helpers the printers share.
 */
#include "hcl/value_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------- */

int32_t hclv_utf8_decode(const char *str, size_t len, size_t *size)
{
	const unsigned char *s = (const unsigned char *)str;
	*size = 1;
	if (len == 0)
		return -1;
	unsigned c = s[0];
	if (c < 0x80)
		return (int32_t)c;
	size_t n;
	int32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (len < n)
		return -1;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*size = n;
	return cp;
}

size_t hclv_utf8_encode(char out[4], int32_t cp)
{
	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool hclv_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	while (i < len) {
		if (hclv_utf8_decode(s + i, len - i, &n) < 0)
			return false;
		i += n;
	}
	return true;
}

char *hclv_buf_finish(gf_arena *a, gf_buf *b)
{
	char *s = gf_arena_strndup(a, gf_buf_cstr(b), b->len);
	gf_buf_dispose(b);
	return s;
}

/* Go's unicode.IsPrint for the code points that matter in practice: the
 * control, format, separator and private-use ranges are not printable. */
static bool rune_printable(int32_t r)
{
	if (r < 0x20 || r == 0x7f)
		return false;
	if (r < 0x7f)
		return true;
	if (r <= 0xa0 || r == 0xad)
		return false;
	if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
	    (r >= 0x205f && r <= 0x206f) || r == 0x3000 || r == 0xfeff ||
	    (r >= 0xfff9 && r <= 0xfffb) || (r >= 0xe000 && r <= 0xf8ff) || r == 0xfffe ||
	    r == 0xffff || r >= 0xf0000)
		return false;
	return true;
}

void hclv_quote_go(gf_buf *b, const char *s, size_t len)
{
	gf_buf_putc(b, '"');
	size_t i = 0, n;
	while (i < len) {
		int32_t r = hclv_utf8_decode(s + i, len - i, &n);
		if (r < 0) {
			gf_buf_printf(b, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		switch (r) {
		case '\a':
			gf_buf_puts(b, "\\a");
			break;
		case '\b':
			gf_buf_puts(b, "\\b");
			break;
		case '\f':
			gf_buf_puts(b, "\\f");
			break;
		case '\n':
			gf_buf_puts(b, "\\n");
			break;
		case '\r':
			gf_buf_puts(b, "\\r");
			break;
		case '\t':
			gf_buf_puts(b, "\\t");
			break;
		case '\v':
			gf_buf_puts(b, "\\v");
			break;
		case '\\':
			gf_buf_puts(b, "\\\\");
			break;
		case '"':
			gf_buf_puts(b, "\\\"");
			break;
		default:
			if (rune_printable(r))
				gf_buf_put(b, s + i, n);
			else if (r < 0x80)
				gf_buf_printf(b, "\\x%02x", (unsigned)r);
			else if (r < 0x10000)
				gf_buf_printf(b, "\\u%04x", (unsigned)r);
			else
				gf_buf_printf(b, "\\U%08x", (unsigned)r);
		}
		i += n;
	}
	gf_buf_putc(b, '"');
}

void hclv_quote_json(gf_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	gf_buf_putc(b, '"');
	size_t i = 0, n;
	while (i < len) {
		int32_t r = hclv_utf8_decode(s + i, len - i, &n);
		if (r < 0) {
			gf_buf_puts(b, "\\ufffd"); /* as Go's encoder does */
			i++;
			continue;
		}
		switch (r) {
		case '"':
			gf_buf_puts(b, "\\\"");
			break;
		case '\\':
			gf_buf_puts(b, "\\\\");
			break;
		case '\n':
			gf_buf_puts(b, "\\n");
			break;
		case '\r':
			gf_buf_puts(b, "\\r");
			break;
		case '\t':
			gf_buf_puts(b, "\\t");
			break;
		case '\b':
			gf_buf_puts(b, "\\b");
			break;
		case '\f':
			gf_buf_puts(b, "\\f");
			break;
		case '<':
		case '>':
		case '&':
		case 0x2028:
		case 0x2029:
			gf_buf_printf(b, "\\u%04x", (unsigned)r);
			break;
		default:
			if (r < 0x20) {
				char e[7] = {'\\', 'u', '0', '0', hex[r >> 4], hex[r & 15], 0};
				gf_buf_puts(b, e);
			} else {
				gf_buf_put(b, s + i, n);
			}
		}
		i += n;
	}
	gf_buf_putc(b, '"');
}

/* ---- numbers ----------------------------------------------------------- */

void hclv_shortest_digits(double n, char digits[24], size_t *nd, int *exp10)
{
	char sci[40];
	for (int prec = 0; prec <= 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec, n);
		if (strtod(sci, NULL) == n)
			break;
	}
	/* sci is [-]d[.ddd]e[+-]xx */
	const char *p = sci;
	if (*p == '-')
		p++;
	*nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[(*nd)++] = *p;
	*exp10 = atoi(p + 1);
	while (*nd > 1 && digits[*nd - 1] == '0')
		(*nd)--;
	digits[*nd] = 0;
}

char *hcl_number_format(gf_arena *a, double n)
{
	if (n == 0)
		return gf_arena_strdup(a, "0");
	/* Whole numbers in the range of 64-bit integers print exactly (IDs,
	 * sizes, 2^60 as Terraform prints it); beyond that the shortest digits
	 * are what a literal like 1e30 was written as. */
	if (n == floor(n) && fabs(n) < 9007199254740992.0) { /* 2^53: exact, and fast */
		char buf[24], *p = buf + sizeof(buf);
		uint64_t u = (uint64_t)fabs(n);
		*--p = '\0';
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (n < 0)
			*--p = '-';
		return gf_arena_strndup(a, p, (size_t)(buf + sizeof(buf) - 1 - p));
	}
	if (n == floor(n) && fabs(n) < 18446744073709551616.0)
		return gf_arena_printf(a, "%.0f", n);
	char digits[24];
	size_t nd;
	int exp;
	hclv_shortest_digits(n, digits, &nd, &exp);
	gf_buf b = GF_BUF_INIT;
	if (n < 0)
		gf_buf_putc(&b, '-');
	if (exp < 0) {
		gf_buf_puts(&b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			gf_buf_putc(&b, '0');
		gf_buf_put(&b, digits, nd);
	} else if ((size_t)exp + 1 >= nd) {
		gf_buf_put(&b, digits, nd);
		for (size_t i = nd; i < (size_t)exp + 1; i++)
			gf_buf_putc(&b, '0');
	} else {
		gf_buf_put(&b, digits, (size_t)exp + 1);
		gf_buf_putc(&b, '.');
		gf_buf_put(&b, digits + exp + 1, nd - (size_t)exp - 1);
	}
	return hclv_buf_finish(a, &b);
}

/* ---- terraform console's format ---------------------------------------- */

static void render_to(gf_arena *a, gf_buf *b, const hcl_value *v, int indent);

static void put_indent(gf_buf *b, int indent)
{
	for (int i = 0; i < indent; i++)
		gf_buf_putc(b, ' ');
}

static void render_null(gf_arena *a, gf_buf *b, const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_DYNAMIC:
		gf_buf_puts(b, "null");
		break;
	case HCL_TYPE_STRING:
		gf_buf_puts(b, "tostring(null)");
		break;
	case HCL_TYPE_NUMBER:
		gf_buf_puts(b, "tonumber(null)");
		break;
	case HCL_TYPE_BOOL:
		gf_buf_puts(b, "tobool(null)");
		break;
	case HCL_TYPE_LIST:
		gf_buf_printf(b, "tolist(null) /* of %s */", hcl_type_friendly(a, t->elem));
		break;
	case HCL_TYPE_SET:
		gf_buf_printf(b, "toset(null) /* of %s */", hcl_type_friendly(a, t->elem));
		break;
	case HCL_TYPE_MAP:
		gf_buf_printf(b, "tomap(null) /* of %s */", hcl_type_friendly(a, t->elem));
		break;
	default:
		gf_buf_printf(b, "null /* %s */", hcl_type_friendly(a, t));
	}
}

/* Strings with a newline print as a heredoc whose delimiter does not occur
 * as a line of the string. */
static void render_heredoc(gf_buf *b, const char *s, size_t len, int indent)
{
	gf_buf delim = GF_BUF_INIT;
	gf_buf_puts(&delim, "EOT");
	for (bool clash = true; clash;) {
		clash = false;
		const char *line = s, *end = s + len;
		while (line <= end) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			const char *le = nl ? nl : end;
			const char *ls = line;
			while (ls < le && (*ls == ' ' || *ls == '\t' || *ls == '\r'))
				ls++;
			while (le > ls && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
				le--;
			if ((size_t)(le - ls) == delim.len &&
			    memcmp(ls, delim.ptr, delim.len) == 0) {
				gf_buf_putc(&delim, '_');
				clash = true;
				break;
			}
			if (!nl)
				break;
			line = nl + 1;
		}
	}
	gf_buf_puts(b, indent > 0 ? "<<-" : "<<");
	gf_buf_put(b, delim.ptr, delim.len);
	const char *line = s, *end = s + len;
	for (;;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		gf_buf_putc(b, '\n');
		put_indent(b, indent);
		gf_buf_put(b, line, (size_t)((nl ? nl : end) - line));
		if (!nl)
			break;
		line = nl + 1;
	}
	gf_buf_putc(b, '\n');
	put_indent(b, indent);
	gf_buf_put(b, delim.ptr, delim.len);
	gf_buf_dispose(&delim);
}

static void render_to(gf_arena *a, gf_buf *b, const hcl_value *v, int indent)
{
	if (v->kind == HCL_VAL_UNKNOWN) {
		gf_buf_puts(b, "(known after apply)");
		return;
	}
	if (v->marks & HCL_MARK_SENSITIVE) {
		gf_buf_puts(b, "(sensitive value)");
		return;
	}
	switch (v->kind) {
	case HCL_VAL_NULL:
		render_null(a, b, v->type);
		return;
	case HCL_VAL_STRING:
		if (memchr(v->u.str.ptr, '\n', v->u.str.len))
			render_heredoc(b, v->u.str.ptr, v->u.str.len, indent);
		else
			hclv_quote_go(b, v->u.str.ptr, v->u.str.len);
		return;
	case HCL_VAL_NUMBER:
		gf_buf_puts(b, hcl_number_format(a, v->u.num));
		return;
	case HCL_VAL_BOOL:
		gf_buf_puts(b, v->u.b ? "true" : "false");
		return;
	default:
		break;
	}
	const char *wrap = v->kind == HCL_VAL_LIST  ? "tolist("
	                   : v->kind == HCL_VAL_SET ? "toset("
	                   : v->kind == HCL_VAL_MAP ? "tomap("
	                                            : NULL;
	bool keyed = v->kind == HCL_VAL_MAP || v->kind == HCL_VAL_OBJECT;
	if (wrap)
		gf_buf_puts(b, wrap);
	gf_buf_putc(b, keyed ? '{' : '[');
	for (size_t i = 0; i < v->u.coll.len; i++) {
		gf_buf_putc(b, '\n');
		put_indent(b, indent + 2);
		if (keyed) {
			const char *k = v->u.coll.keys[i];
			hclv_quote_go(b, k, strlen(k));
			gf_buf_puts(b, " = ");
		}
		render_to(a, b, v->u.coll.items[i], indent + 2);
		if (!keyed)
			gf_buf_putc(b, ',');
	}
	if (v->u.coll.len) {
		gf_buf_putc(b, '\n');
		put_indent(b, indent);
	}
	gf_buf_putc(b, keyed ? '}' : ']');
	if (wrap)
		gf_buf_putc(b, ')');
}

char *hcl_value_render(gf_arena *a, const hcl_value *v)
{
	gf_buf b = GF_BUF_INIT;
	render_to(a, &b, v, 0);
	return hclv_buf_finish(a, &b);
}
