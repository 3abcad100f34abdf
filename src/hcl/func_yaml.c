/*
 * yamlencode and yamldecode, as Terraform's (go-cty-yaml, whose parser and
 * emitter are a port of libyaml): we drive libyaml itself.
 *
 * yamlencode emits one implicit document, block style, two-space indent:
 * every string double-quoted (map keys too), a string holding a newline as
 * a `|` literal block where YAML allows it, numbers as Terraform prints
 * them, bools `true`/`false`, null `null`, empty collections `[]` and `{}`.
 * The emitter's line folding at 80 columns is the same as Terraform's.
 *
 * yamldecode accepts exactly one document. Mappings become objects and
 * sequences tuples; plain scalars are resolved as go-cty-yaml resolves them
 * (YAML 1.1 booleans yes/no/on/off, null ~, YAML 1.2 integers 0o17 0x1F,
 * timestamps as RFC 3339 strings); an empty document is null; quoted scalars
 * are strings; the tags !!str !!int !!float !!bool !!null !!timestamp
 * !!binary !!map !!seq are honoured, any other tag is an error. Anchors and
 * aliases share the (immutable) value; an alias inside its own anchor and
 * documents that expand to a huge number of values are refused. `<<` merge
 * keys merge a mapping or a sequence of mappings.
 */
#include "hcl/func_impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define TAG_PREFIX   "tag:yaml.org,2002:"
#define MAX_DEPTH    1000
#define MAX_EXPANDED 10000000 /* values reachable through aliases, in all */

/* ---- yamlencode -------------------------------------------------------- */

static int write_out(void *data, unsigned char *buf, size_t size)
{
	return gf_buf_put(data, buf, size) == 0;
}

static bool emit_scalar(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	bool plain = style == YAML_PLAIN_SCALAR_STYLE;
	return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, plain,
	                                    !plain, style) &&
	       yaml_emitter_emit(em, &ev);
}

static bool emit_string(yaml_emitter_t *em, const char *s, size_t len)
{
	return emit_scalar(em, s, len,
	                   memchr(s, '\n', len) ? YAML_LITERAL_SCALAR_STYLE
	                                        : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static bool emit_value(gf_arena *a, yaml_emitter_t *em, const hcl_value *v)
{
	yaml_event_t ev;
	const char *s;
	switch (v->kind) {
	case HCL_VAL_NULL:
	case HCL_VAL_UNKNOWN: /* ruled out by the dispatcher */
		return emit_scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
	case HCL_VAL_STRING:
		return emit_string(em, v->u.str.ptr, v->u.str.len);
	case HCL_VAL_NUMBER:
		s = hcl_number_format(a, v->u.num);
		return emit_scalar(em, s, strlen(s), YAML_PLAIN_SCALAR_STYLE);
	case HCL_VAL_BOOL:
		s = v->u.b ? "true" : "false";
		return emit_scalar(em, s, strlen(s), YAML_PLAIN_SCALAR_STYLE);
	case HCL_VAL_LIST:
	case HCL_VAL_SET:
	case HCL_VAL_TUPLE:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		                                          YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return false;
		for (size_t i = 0; i < v->u.coll.len; i++)
			if (!emit_value(a, em, v->u.coll.items[i]))
				return false;
		return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	case HCL_VAL_MAP:
	case HCL_VAL_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                         YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return false;
		for (size_t i = 0; i < v->u.coll.len; i++) {
			const char *k = v->u.coll.keys[i];
			if (!emit_string(em, k, strlen(k)) ||
			    !emit_value(a, em, v->u.coll.items[i]))
				return false;
		}
		return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	}
	return false;
}

static const hcl_value *fn_yamlencode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	gf_buf b = GF_BUF_INIT;
	if (!yaml_emitter_initialize(&em))
		return hclv_call_error(c, "failed to initialize YAML emitter");
	yaml_emitter_set_output(&em, write_out, &b);
	yaml_emitter_set_unicode(&em, 1);
	bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	          yaml_emitter_emit(&em, &ev) &&
	          yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	          yaml_emitter_emit(&em, &ev) && emit_value(c->a, &em, args[0]) &&
	          yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
	          yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
	          yaml_emitter_flush(&em);
	/* go-yaml's emitter ends a document whose root is a plain scalar
	 * with an explicit document end marker; libyaml no longer does. */
	hcl_value_kind k = args[0]->kind;
	if (ok && (k == HCL_VAL_NULL || k == HCL_VAL_NUMBER || k == HCL_VAL_BOOL))
		gf_buf_puts(&b, "...\n");
	const hcl_value *r = NULL;
	if (ok)
		r = hclv_str(c, gf_buf_cstr(&b), b.len);
	else
		hclv_call_error(c, "%s", em.problem ? em.problem : "YAML emitter failed");
	yaml_emitter_delete(&em);
	gf_buf_dispose(&b);
	return r;
}

/* ---- yamldecode: scalar resolution ------------------------------------- */

typedef struct {
	hclv_call *c;
	yaml_parser_t p;
	struct {
		char *name;
		const hcl_value *v; /* NULL while the anchored node is being read */
		size_t size;
	} * anchors;
	size_t nanchors, cap;
	size_t expanded; /* values produced, aliases counted at full size */
	const char *err; /* the message, positioned */
} decoder;

static const hcl_value *fail_at(decoder *d, const yaml_mark_t *m, const char *fmt, ...)
        GF_PRINTF(3, 4);

static const hcl_value *fail_at(decoder *d, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf_buf b = GF_BUF_INIT;
	gf_buf_printf(&b, "on line %zu, column %zu: ", m->line + 1, m->column + 1);
	gf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	d->err = hclv_buf_finish(d->c->a, &b);
	return NULL;
}

static const hcl_value *parser_error(decoder *d)
{
	const yaml_mark_t *m = &d->p.problem_mark;
	return fail_at(d, m, "%s", d->p.problem ? d->p.problem : "invalid YAML syntax");
}

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* Reads 1 or 2 digits (Go's time layout fields "1", "15", "4", "5"). */
static bool num12(const char **s, const char *end, int *out)
{
	const char *p = *s;
	if (p >= end || !isdigit((unsigned char)*p))
		return false;
	int v = *p++ - '0';
	if (p < end && isdigit((unsigned char)*p))
		v = v * 10 + (*p++ - '0');
	*s = p;
	*out = v;
	return true;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* The timestamp forms go-cty-yaml accepts (2006-1-2, 2006-1-2T15:4:5Z07:00
 * with optional fraction, 2006-1-2 15:4:5 without a zone), as RFC 3339
 * without the fraction, as Go's time.RFC3339 formats them; NULL if s is not
 * one. */
static const char *parse_timestamp(gf_arena *a, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int mo, dd, hh = 0, mi = 0, ss = 0, zh = 0, zm = 0;
	if (len < 8 || !is_digits(s, 4) || s[4] != '-')
		return NULL;
	int y = atoi(s);
	p += 5;
	if (!num12(&p, end, &mo) || p >= end || *p++ != '-' || !num12(&p, end, &dd))
		return NULL;
	if (mo < 1 || mo > 12 || dd < 1 || dd > days_in(y, mo))
		return NULL;
	char zone = 'Z', sign = '+';
	if (p < end) {
		bool space = *p == ' ';
		if (*p != 'T' && *p != 't' && !space)
			return NULL;
		p++;
		if (!num12(&p, end, &hh) || p >= end || *p++ != ':' || !num12(&p, end, &mi) ||
		    p >= end || *p++ != ':' || !num12(&p, end, &ss))
			return NULL;
		if (p < end && *p == '.') {
			const char *f = ++p;
			while (p < end && isdigit((unsigned char)*p))
				p++;
			if (p == f || p - f > 9)
				return NULL;
		}
		if (hh > 23 || mi > 59 || ss > 59)
			return NULL;
		if (space) {
			if (p != end)
				return NULL;
		} else if (p < end && *p == 'Z') {
			p++;
		} else if (p + 6 == end && (*p == '+' || *p == '-') &&
		           isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		           p[3] == ':' && isdigit((unsigned char)p[4]) &&
		           isdigit((unsigned char)p[5])) {
			sign = *p;
			zh = (p[1] - '0') * 10 + p[2] - '0';
			zm = (p[4] - '0') * 10 + p[5] - '0';
			if (zh > 23 || zm > 59)
				return NULL;
			zone = zh || zm ? sign : 'Z';
			p = end;
		} else {
			return NULL;
		}
		if (p != end)
			return NULL;
	}
	if (zone == 'Z')
		return gf_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, dd, hh, mi, ss);
	return gf_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, dd, hh, mi, ss,
	                       zone, zh, zm);
}

/* YAML 1.2 core schema integer: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool is_int_literal(const char *s, size_t n)
{
	const char *digits = "0123456789";
	size_t i = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		digits = s[1] == 'o' ? "01234567" : "0123456789abcdefABCDEF";
		i = 2;
	} else if (n && (s[0] == '-' || s[0] == '+')) {
		i = 1;
	}
	if (i >= n)
		return false;
	for (; i < n; i++)
		if (!s[i] || !strchr(digits, s[i]))
			return false;
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float_literal(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0, d = 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		size_t f = 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++, f++;
		if (!d && !f)
			return false;
	} else if (!d) {
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++, e++;
		if (!e)
			return false;
	}
	return i == n;
}

/* A number from an integer or float literal (as Go's ParseInt with base 0
 * for an explicit !!int: underscores dropped, 0x 0o 0b prefixes). */
static bool parse_plain_number(const char *buf, size_t n, double *out);

static bool parse_number(const char *src, size_t len, double *out)
{
	char *buf = gf_xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (src[i] != '_')
			buf[n++] = src[i];
	buf[n] = 0;
	bool ok = n > 0 && parse_plain_number(buf, n, out);
	free(buf);
	return ok;
}

static bool parse_plain_number(const char *buf, size_t n, double *out)
{
	char *end;
	if (is_float_literal(buf, n)) {
		double d = strtod(buf, &end);
		if (*end || !isfinite(d))
			return false;
		*out = d;
		return true;
	}
	const char *p = buf;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	if (!*p || *p == '-' || *p == '+')
		return false;
	errno = 0;
	unsigned long long u = strtoull(p, &end, base);
	if (*end || errno)
		return false;
	if (neg && u > 9223372036854775808ull)
		return false;
	*out = neg ? -(double)u : (double)u;
	return true;
}

static bool base64_valid(const char *s, size_t len)
{
	size_t n = 0, pad = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
		} else if (pad || !(isalnum((unsigned char)ch) || ch == '+' || ch == '/')) {
			return false;
		}
		n++;
	}
	return n % 4 == 0 && pad <= 2;
}

static const hcl_value merge_marker = {.kind = HCL_VAL_NULL, .type = &hcl_type_dynamic};

static bool in_list(const char *s, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && memcmp(*list, s, len) == 0)
			return true;
	return false;
}

static const char *const yaml_true[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                        "True", "TRUE", "on",  "On",  "ON",  NULL};
static const char *const yaml_false[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                         "False", "FALSE", "off", "Off", "OFF", NULL};
static const char *const yaml_null[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const yaml_inf[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                       "+.INF", "-.inf", "-.Inf", "-.INF", NULL};

static const hcl_value *resolve_scalar(decoder *d, const yaml_event_t *ev)
{
	gf_arena *a = d->c->a;
	const char *src = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	const yaml_mark_t *m = &ev->start_mark;
	static const char *const known[] = {"str",  "bool",      "int",    "float",
	                                    "null", "timestamp", "binary", NULL};
	const char *t = "";
	if (tag) {
		if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0 ||
		    !in_list(tag + strlen(TAG_PREFIX), strlen(tag + strlen(TAG_PREFIX)), known))
			return fail_at(d, m, "unsupported tag \"%s\"", tag);
		t = tag + strlen(TAG_PREFIX);
	}
	bool quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	              ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	char hint = 'N';
	if (len) {
		unsigned char ch = (unsigned char)src[0];
		hint = ch == '+' || ch == '-'      ? 'S'
		       : isdigit(ch)               ? 'D'
		       : strchr("yYnNtTfFoO~", ch) ? 'M'
		       : ch == '.'                 ? '.'
		                                   : 0;
	}
	if (hint && strcmp(t, "str") && strcmp(t, "binary")) {
		if (quoted)
			return hclv_str(d->c, src, len);
		if (in_list(src, len, yaml_true))
			return &hcl_true;
		if (in_list(src, len, yaml_false))
			return &hcl_false;
		if (in_list(src, len, yaml_null))
			return &hcl_null_dynamic;
		if (in_list(src, len, yaml_inf))
			return fail_at(d, m, "floating point infinity is not supported");
		if (!*t && (len == 4 && (!memcmp(src, ".nan", 4) || !memcmp(src, ".NaN", 4) ||
		                         !memcmp(src, ".NAN", 4))))
			return fail_at(d, m, "floating point NaN is not supported");
		double num;
		if (hint == '.' && is_float_literal(src, len) && parse_number(src, len, &num))
			return hcl_number(a, num);
		if (hint == 'D' || hint == 'S') {
			if (!*t || !strcmp(t, "timestamp")) {
				const char *ts = parse_timestamp(a, src, len);
				if (ts)
					return hclv_cstr(d->c, ts);
			}
			if (is_int_literal(src, len))
				t = "int";
			else if (is_float_literal(src, len))
				t = "float";
		}
	}
	if (!*t && len == 2 && !memcmp(src, "<<", 2) && !quoted)
		return &merge_marker;
	if (!*t || !strcmp(t, "str"))
		return hclv_str(d->c, src, len);
	if (!strcmp(t, "binary")) {
		if (!base64_valid(src, len))
			return fail_at(d, m, "cannot parse \"%.*s\" as %s: not valid base64",
			               (int)len, src, tag);
		return hclv_str(d->c, src, len);
	}
	if (!strcmp(t, "bool")) {
		if (in_list(src, len, yaml_true))
			return &hcl_true;
		if (in_list(src, len, yaml_false))
			return &hcl_false;
	} else if (!strcmp(t, "int") || !strcmp(t, "float")) {
		double num;
		if (parse_number(src, len, &num))
			return hcl_number(a, num);
	} else if (!strcmp(t, "timestamp")) {
		const char *ts = parse_timestamp(a, src, len);
		if (ts)
			return hclv_cstr(d->c, ts);
	} else if (!strcmp(t, "null")) {
		return &hcl_null_dynamic;
	}
	return fail_at(d, m, "cannot parse \"%.*s\" as %s%s", (int)len, src, TAG_PREFIX, t);
}

/* ---- yamldecode: structure --------------------------------------------- */

static bool next_event(decoder *d, yaml_event_t *ev)
{
	if (yaml_parser_parse(&d->p, ev))
		return true;
	parser_error(d);
	return false;
}

static size_t anchor_find(decoder *d, const char *name)
{
	for (size_t i = d->nanchors; i-- > 0;)
		if (strcmp(d->anchors[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

static size_t anchor_begin(decoder *d, const yaml_char_t *name)
{
	if (!name)
		return (size_t)-1;
	if (d->nanchors == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->anchors = gf_xrealloc(d->anchors, d->cap * sizeof(*d->anchors));
	}
	d->anchors[d->nanchors].name = gf_arena_strdup(d->c->a, (const char *)name);
	d->anchors[d->nanchors].v = NULL;
	d->anchors[d->nanchors].size = 0;
	return d->nanchors++;
}

static void anchor_end(decoder *d, size_t i, const hcl_value *v, size_t size)
{
	if (i != (size_t)-1) {
		d->anchors[i].v = v;
		d->anchors[i].size = size;
	}
}

static const hcl_value *parse_node(decoder *d, yaml_event_t *ev, int depth, size_t *size);

/* Reads the node after the current event. */
static const hcl_value *parse_next(decoder *d, int depth, size_t *size)
{
	yaml_event_t ev;
	if (!next_event(d, &ev))
		return NULL;
	const hcl_value *v = parse_node(d, &ev, depth, size);
	yaml_event_delete(&ev);
	return v;
}

typedef struct {
	const char **keys;
	const hcl_value **vals;
	size_t n, cap;
} kvs;

static void kvs_put(kvs *m, gf_arena *a, const char *k, const hcl_value *v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		const char **keys = gf_arena_alloc(a, cap * sizeof(*keys));
		const hcl_value **vals = gf_arena_alloc(a, cap * sizeof(*vals));
		if (m->n) {
			memcpy(keys, m->keys, m->n * sizeof(*keys));
			memcpy(vals, m->vals, m->n * sizeof(*vals));
		}
		m->keys = keys, m->vals = vals, m->cap = cap;
	}
	m->keys[m->n] = k;
	m->vals[m->n++] = v;
}

typedef struct {
	const char *key;
	const hcl_value *v;
	size_t order;
} kv_entry;

static int cmp_entry(const void *x, const void *y)
{
	const kv_entry *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->order < b->order ? -1 : a->order > b->order);
}

/* An object of the pairs, a later key replacing an earlier one. */
static const hcl_value *kvs_object(gf_arena *a, kvs *m)
{
	kv_entry *e = gf_arena_alloc(a, (m->n + 1) * sizeof(*e));
	for (size_t i = 0; i < m->n; i++)
		e[i] = (kv_entry){m->keys[i], m->vals[i], i};
	qsort(e, m->n, sizeof(*e), cmp_entry);
	const char **keys = gf_arena_alloc(a, (m->n + 1) * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, (m->n + 1) * sizeof(*vals));
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (i + 1 < m->n && strcmp(e[i].key, e[i + 1].key) == 0)
			continue;
		keys[n] = e[i].key;
		vals[n++] = e[i].v;
	}
	return hcl_object(a, keys, vals, n);
}

static const char *key_string(decoder *d, const hcl_value *k)
{
	if (k->kind == HCL_VAL_STRING)
		return k->u.str.ptr;
	if (k->kind == HCL_VAL_NUMBER)
		return hcl_number_format(d->c->a, k->u.num);
	if (k->kind == HCL_VAL_BOOL)
		return k->u.b ? "true" : "false";
	return NULL;
}

static bool merge_into(decoder *d, kvs *m, const hcl_value *v, const yaml_mark_t *at)
{
	gf_arena *a = d->c->a;
	if (v->kind == HCL_VAL_OBJECT) {
		for (size_t i = 0; i < v->u.coll.len; i++)
			kvs_put(m, a, v->u.coll.keys[i], v->u.coll.items[i]);
		return true;
	}
	if (v->kind == HCL_VAL_TUPLE) {
		for (size_t i = 0; i < v->u.coll.len; i++) {
			const hcl_value *e = v->u.coll.items[i];
			if (e->kind != HCL_VAL_OBJECT) {
				fail_at(d, at, "cannot merge %s (from sequence) into mapping",
				        hcl_type_friendly(a, e->type));
				return false;
			}
			merge_into(d, m, e, at);
		}
		return true;
	}
	fail_at(d, at, "cannot merge %s into mapping", hcl_type_friendly(a, v->type));
	return false;
}

static const hcl_value *parse_mapping(decoder *d, yaml_event_t *start, int depth, size_t *size)
{
	const char *tag = (const char *)start->data.mapping_start.tag;
	if (tag && strcmp(tag, TAG_PREFIX "map") != 0)
		return fail_at(d, &start->start_mark, "can't interpret mapping as %s", tag);
	size_t anchor = anchor_begin(d, start->data.mapping_start.anchor);
	kvs m = {0};
	size_t total = 1;
	for (;;) {
		yaml_event_t kev;
		if (!next_event(d, &kev))
			return NULL;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		yaml_mark_t at = kev.start_mark;
		const hcl_value *k = NULL;
		if (kev.type == YAML_SCALAR_EVENT)
			k = resolve_scalar(d, &kev);
		else
			fail_at(d, &at, "only strings are allowed as mapping keys");
		yaml_event_delete(&kev);
		if (!k)
			return NULL;
		size_t vsize = 0;
		const hcl_value *v = parse_next(d, depth + 1, &vsize);
		if (!v)
			return NULL;
		total += vsize;
		if (k == &merge_marker) {
			if (!merge_into(d, &m, v, &at))
				return NULL;
			continue;
		}
		if (k->kind == HCL_VAL_NULL)
			return fail_at(d, &at, "mapping key cannot be null");
		const char *ks = key_string(d, k);
		if (!ks)
			return fail_at(d, &at, "only strings are allowed as mapping keys");
		kvs_put(&m, d->c->a, ks, v);
	}
	const hcl_value *obj = kvs_object(d->c->a, &m);
	anchor_end(d, anchor, obj, total);
	*size = total;
	return obj;
}

static const hcl_value *parse_sequence(decoder *d, yaml_event_t *start, int depth, size_t *size)
{
	const char *tag = (const char *)start->data.sequence_start.tag;
	if (tag && strcmp(tag, TAG_PREFIX "seq") != 0)
		return fail_at(d, &start->start_mark, "can't interpret sequence as %s", tag);
	size_t anchor = anchor_begin(d, start->data.sequence_start.anchor);
	kvs items = {0}; /* keys unused */
	size_t total = 1;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(d, &ev))
			return NULL;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		size_t vsize = 0;
		const hcl_value *v = parse_node(d, &ev, depth + 1, &vsize);
		yaml_event_delete(&ev);
		if (!v)
			return NULL;
		total += vsize;
		kvs_put(&items, d->c->a, NULL, v);
	}
	const hcl_value *t = hcl_tuple(d->c->a, items.vals, items.n);
	anchor_end(d, anchor, t, total);
	*size = total;
	return t;
}

static const hcl_value *parse_node(decoder *d, yaml_event_t *ev, int depth, size_t *size)
{
	if (depth > MAX_DEPTH)
		return fail_at(d, &ev->start_mark,
		               "document is nested too deeply (more than %d "
		               "levels)",
		               MAX_DEPTH);
	*size = 1;
	const hcl_value *v = NULL;
	size_t i;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		i = anchor_begin(d, ev->data.scalar.anchor);
		v = resolve_scalar(d, ev);
		if (v == &merge_marker)
			v = hclv_str(d->c, "<<", 2);
		anchor_end(d, i, v, 1);
		break;
	case YAML_ALIAS_EVENT:
		i = anchor_find(d, (const char *)ev->data.alias.anchor);
		if (i == (size_t)-1)
			return fail_at(d, &ev->start_mark, "reference to undefined anchor \"%s\"",
			               ev->data.alias.anchor);
		if (!d->anchors[i].v)
			return fail_at(
			        d, &ev->start_mark,
			        "cannot refer to anchor \"%s\" from inside its own definition",
			        ev->data.alias.anchor);
		v = d->anchors[i].v;
		*size = d->anchors[i].size;
		break;
	case YAML_MAPPING_START_EVENT:
		v = parse_mapping(d, ev, depth, size);
		break;
	case YAML_SEQUENCE_START_EVENT:
		v = parse_sequence(d, ev, depth, size);
		break;
	case YAML_DOCUMENT_START_EVENT:
		return fail_at(d, &ev->start_mark, "only a single document is allowed");
	default:
		return fail_at(d, &ev->start_mark, "expecting value but found end of stream");
	}
	if (v && ev->type == YAML_ALIAS_EVENT) {
		d->expanded += *size;
		if (d->expanded > MAX_EXPANDED)
			return fail_at(d, &ev->start_mark, "document contains excessive aliasing");
	}
	return v;
}

static const hcl_value *decode(decoder *d, const char *src, size_t len)
{
	yaml_event_t ev;
	if (len == 0)
		src = "\n", len = 1;
	yaml_parser_set_input_string(&d->p, (const unsigned char *)src, len);
	if (!next_event(d, &ev))
		return NULL;
	yaml_event_delete(&ev); /* stream start */
	if (!next_event(d, &ev))
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) { /* no document at all */
		yaml_event_delete(&ev);
		return &hcl_null_dynamic;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		return fail_at(d, &m, "missing start of document");
	}
	yaml_event_delete(&ev);
	size_t size;
	const hcl_value *v = parse_next(d, 0, &size);
	if (!v || !next_event(d, &ev))
		return NULL;
	yaml_event_type_t t = ev.type;
	yaml_mark_t m = ev.start_mark;
	yaml_event_delete(&ev);
	if (t != YAML_DOCUMENT_END_EVENT)
		return fail_at(d, &m, "unexpected extra content after value");
	if (!next_event(d, &ev))
		return NULL;
	t = ev.type, m = ev.start_mark;
	yaml_event_delete(&ev);
	if (t == YAML_DOCUMENT_START_EVENT)
		return fail_at(d, &m, "only a single document is allowed");
	if (t != YAML_STREAM_END_EVENT)
		return fail_at(d, &m, "unexpected extra content after value");
	return v;
}

static const hcl_value *fn_yamldecode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	decoder d = {.c = c};
	if (!yaml_parser_initialize(&d.p))
		return hclv_call_error(c, "failed to initialize YAML parser");
	const hcl_value *r = decode(&d, args[0]->u.str.ptr, args[0]->u.str.len);
	yaml_parser_delete(&d.p);
	free(d.anchors);
	if (!r)
		return hclv_call_error(c, "%s", d.err ? d.err : "invalid YAML");
	return r;
}

const hclv_func hclv_funcs_yaml[] = {
        HCLV_FUNC("yamldecode", fn_yamldecode, &hcl_type_dynamic, NULL,
                  {"src", &hcl_type_string, 0}),
        HCLV_FUNC("yamlencode", fn_yamlencode, &hcl_type_string, NULL,
                  {"value", &hcl_type_dynamic, HCLV_ALLOW_NULL}),
};
const size_t hclv_nfuncs_yaml = GF_ARRAY_LEN(hclv_funcs_yaml);
