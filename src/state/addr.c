/* Resource addresses: parsing, printing, matching (state.h, note 1). */
#include "state/state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* An identifier at *p; advances. NULL when there is none. */
static char *parse_ident(const char **p)
{
	const char *s = *p;
	if (!is_ident_start(*s))
		return NULL;
	while (is_ident_char(*s))
		s++;
	char *out = gf_xstrndup(*p, (size_t)(s - *p));
	*p = s;
	return out;
}

/* An optional `[N]` or `["k"]` at *p. */
static int parse_key(state_key *out, const char **p, const char *text)
{
	memset(out, 0, sizeof(*out));
	const char *s = *p;
	if (*s != '[')
		return 0;
	s++;
	if (*s == '"') {
		gf_buf b = GF_BUF_INIT;
		s++;
		while (*s && *s != '"') {
			if (*s == '\\') {
				s++;
				if (*s != '"' && *s != '\\') {
					gf_buf_dispose(&b);
					return gf_err_set(
					        GF_EINVALID,
					        "invalid resource address \"%s\": only \\\" and "
					        "\\\\ escapes are allowed in an instance key",
					        text);
				}
			}
			gf_buf_putc(&b, *s++);
		}
		if (*s != '"' || s[1] != ']') {
			gf_buf_dispose(&b);
			return gf_err_set(
			        GF_EINVALID,
			        "invalid resource address \"%s\": unterminated instance key", text);
		}
		out->kind = STATE_KEY_STRING;
		out->s = gf_buf_detach(&b);
		*p = s + 2;
		return 0;
	}
	const char *start = s;
	while (isdigit((unsigned char)*s))
		s++;
	char num[24];
	size_t n = (size_t)(s - start);
	if (n == 0 || n >= sizeof(num) || *s != ']')
		return gf_err_set(GF_EINVALID,
		                  "invalid resource address \"%s\": an instance key is a whole "
		                  "number like [0] or a quoted string like [\"a\"]",
		                  text);
	memcpy(num, start, n);
	num[n] = '\0';
	if (gf_str_to_i64(&out->i, num, 0, INT64_MAX) < 0)
		return gf_err_set(GF_EINVALID, "invalid resource address \"%s\": index too large",
		                  text);
	out->kind = STATE_KEY_INT;
	*p = s + 1;
	return 0;
}

static int parse_modules(state_addr *out, const char **p, const char *text)
{
	while (strncmp(*p, "module.", 7) == 0) {
		const char *s = *p + 7;
		state_module_step step = {0};
		if (!(step.name = parse_ident(&s)))
			return gf_err_set(
			        GF_EINVALID,
			        "invalid resource address \"%s\": a module name must follow "
			        "\"module.\"",
			        text);
		if (parse_key(&step.key, &s, text) < 0) {
			free(step.name);
			return GF_EINVALID;
		}
		out->modules =
		        gf_xrealloc(out->modules, (out->nmodules + 1) * sizeof(*out->modules));
		out->modules[out->nmodules++] = step;
		if (*s == '\0') {
			*p = s;
			return 0;
		}
		if (*s != '.')
			return gf_err_set(GF_EINVALID,
			                  "invalid resource address \"%s\": unexpected \"%s\"",
			                  text, s);
		*p = s + 1;
	}
	return 0;
}

int state_addr_parse(state_addr *out, const char *text)
{
	memset(out, 0, sizeof(*out));
	const char *p = text;
	if (*p == '\0')
		return gf_err_set(GF_EINVALID, "invalid resource address \"\": it is empty");
	if (parse_modules(out, &p, text) < 0)
		goto fail;
	if (*p == '\0') {
		if (out->nmodules == 0)
			goto fail;
		return 0;
	}
	if (strncmp(p, "data.", 5) == 0) {
		out->mode = STATE_DATA;
		p += 5;
	}
	if (!(out->type = parse_ident(&p)) || *p != '.') {
		gf_err_set(GF_EINVALID,
		           "invalid resource address \"%s\": expected TYPE.NAME like fleet_lb.web",
		           text);
		goto fail;
	}
	p++;
	if (!(out->name = parse_ident(&p))) {
		gf_err_set(
		        GF_EINVALID,
		        "invalid resource address \"%s\": expected a resource name after \"%s.\"",
		        text, out->type);
		goto fail;
	}
	if (parse_key(&out->key, &p, text) < 0)
		goto fail;
	if (*p != '\0') {
		gf_err_set(GF_EINVALID, "invalid resource address \"%s\": unexpected \"%s\"", text,
		           p);
		goto fail;
	}
	return 0;
fail:
	if (gf_err_code() != GF_EINVALID)
		gf_err_set(GF_EINVALID, "invalid resource address \"%s\"", text);
	state_addr_dispose(out);
	return GF_EINVALID;
}

int state_addr_parse_module(state_addr *out, const char *text)
{
	memset(out, 0, sizeof(*out));
	if (*text == '\0')
		return 0;
	const char *p = text;
	if (parse_modules(out, &p, text) < 0 || *p != '\0' || out->nmodules == 0) {
		state_addr_dispose(out);
		if (gf_err_code() != GF_EINVALID)
			gf_err_set(GF_EINVALID, "invalid module address \"%s\"", text);
		return GF_EINVALID;
	}
	return 0;
}

void state_key_dispose(state_key *k)
{
	free(k->s);
	memset(k, 0, sizeof(*k));
}

void state_key_copy(state_key *out, const state_key *k)
{
	*out = *k;
	out->s = k->s ? gf_xstrdup(k->s) : NULL;
}

void state_addr_dispose(state_addr *a)
{
	for (size_t i = 0; i < a->nmodules; i++) {
		free(a->modules[i].name);
		state_key_dispose(&a->modules[i].key);
	}
	free(a->modules);
	free(a->type);
	free(a->name);
	state_key_dispose(&a->key);
	memset(a, 0, sizeof(*a));
}

void state_addr_copy(state_addr *out, const state_addr *a)
{
	memset(out, 0, sizeof(*out));
	if (a->nmodules) {
		out->modules = gf_xcalloc(a->nmodules, sizeof(*out->modules));
		for (size_t i = 0; i < a->nmodules; i++) {
			out->modules[i].name = gf_xstrdup(a->modules[i].name);
			state_key_copy(&out->modules[i].key, &a->modules[i].key);
		}
	}
	out->nmodules = a->nmodules;
	out->type = a->type ? gf_xstrdup(a->type) : NULL;
	out->name = a->name ? gf_xstrdup(a->name) : NULL;
	out->mode = a->mode;
	state_key_copy(&out->key, &a->key);
}

static int format_key(gf_buf *out, const state_key *k)
{
	if (k->kind == STATE_KEY_INT)
		return gf_buf_printf(out, "[%lld]", (long long)k->i);
	if (k->kind != STATE_KEY_STRING)
		return 0;
	int rc = gf_buf_puts(out, "[\"");
	for (const char *s = k->s; *s && rc == 0; s++) {
		if (*s == '"' || *s == '\\')
			rc = gf_buf_putc(out, '\\');
		if (rc == 0)
			rc = gf_buf_putc(out, *s);
	}
	return rc ? rc : gf_buf_puts(out, "\"]");
}

static int format_modules(gf_buf *out, const state_addr *a)
{
	int rc = 0;
	for (size_t i = 0; i < a->nmodules && rc == 0; i++) {
		rc = gf_buf_printf(out, "%smodule.%s", i ? "." : "", a->modules[i].name);
		if (rc == 0)
			rc = format_key(out, &a->modules[i].key);
	}
	return rc;
}

int state_addr_format(gf_buf *out, const state_addr *a)
{
	int rc = format_modules(out, a);
	if (rc < 0 || !a->type)
		return rc;
	if (a->nmodules && (rc = gf_buf_putc(out, '.')) < 0)
		return rc;
	if ((rc = gf_buf_printf(out, "%s%s.%s", a->mode == STATE_DATA ? "data." : "", a->type,
	                        a->name)) < 0)
		return rc;
	return format_key(out, &a->key);
}

char *state_addr_string(const state_addr *a)
{
	gf_buf b = GF_BUF_INIT;
	state_addr_format(&b, a);
	return gf_buf_detach(&b);
}

char *state_addr_module_string(const state_addr *a)
{
	gf_buf b = GF_BUF_INIT;
	format_modules(&b, a);
	return gf_buf_detach(&b);
}

bool state_key_equal(const state_key *a, const state_key *b)
{
	return state_key_compare(a, b) == 0;
}

int state_key_compare(const state_key *a, const state_key *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == STATE_KEY_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->kind == STATE_KEY_STRING)
		return strcmp(a->s, b->s);
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether a's module path starts with prefix's; with `wild`, a step of
 * prefix without a key selects every instance of that module call. */
static bool modules_prefix(const state_addr *prefix, const state_addr *a, bool wild)
{
	if (prefix->nmodules > a->nmodules)
		return false;
	for (size_t i = 0; i < prefix->nmodules; i++) {
		const state_key *k = &prefix->modules[i].key;
		if (strcmp(prefix->modules[i].name, a->modules[i].name) != 0)
			return false;
		if (!(wild && k->kind == STATE_KEY_NONE) && !state_key_equal(k, &a->modules[i].key))
			return false;
	}
	return true;
}

bool state_addr_equal(const state_addr *a, const state_addr *b)
{
	return a->nmodules == b->nmodules && modules_prefix(a, b, false) && a->mode == b->mode &&
	       str_eq(a->type, b->type) && str_eq(a->name, b->name) &&
	       state_key_equal(&a->key, &b->key);
}

bool state_addr_matches(const state_addr *pattern, const state_addr *inst)
{
	if (!modules_prefix(pattern, inst, true))
		return false;
	if (!pattern->type)
		return true;
	if (pattern->nmodules != inst->nmodules || pattern->mode != inst->mode ||
	    !str_eq(pattern->type, inst->type) || !str_eq(pattern->name, inst->name))
		return false;
	return pattern->key.kind == STATE_KEY_NONE || state_key_equal(&pattern->key, &inst->key);
}
