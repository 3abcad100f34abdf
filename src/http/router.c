/* The route table: METHOD + pattern with {name} segments, matched against
 * a request path (see api.h, note 2). A linear scan: the daemon has a few
 * dozen routes and the scan touches no memory beyond them. */
#include "http/api.h"
#include "http/internal.h"

#include <stdlib.h>
#include <string.h>

/* Paths deeper than this match no route; patterns may not be deeper. */
#define MAX_SEGS 32

typedef struct {
	const char *ptr;
	size_t len;
} seg;

typedef struct {
	char *method;
	char *text;         /* the pattern as registered, for messages */
	char *pattern;      /* owns the memory the segments point into */
	seg segs[MAX_SEGS]; /* literal text, or the parameter name */
	bool is_param[MAX_SEGS];
	size_t nsegs;
	void *route;
} route_entry;

struct http_router {
	GF_VEC(route_entry) routes;
};

http_router *http_router_new(void)
{
	return gf_xcalloc(1, sizeof(http_router));
}

void http_router_free(http_router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->routes.len; i++) {
		free(r->routes.items[i].method);
		free(r->routes.items[i].pattern);
		free(r->routes.items[i].text);
	}
	gf_vec_dispose(&r->routes);
	free(r);
}

/* Splits "/a/b" into ["a", "b"] ("/" into [""]); -1 past MAX_SEGS. */
static int split_path(seg *out, const char *path, size_t len)
{
	size_t n = 0, i = 1, start = 1;
	for (;; i++) {
		if (i == len || path[i] == '/') {
			if (n == MAX_SEGS)
				return -1;
			out[n].ptr = path + start;
			out[n].len = i - start;
			n++;
			start = i + 1;
			if (i == len)
				break;
		}
	}
	return (int)n;
}

static bool same_shape(const route_entry *a, const route_entry *b)
{
	if (a->nsegs != b->nsegs)
		return false;
	for (size_t i = 0; i < a->nsegs; i++) {
		if (a->is_param[i] != b->is_param[i])
			return false;
		if (!a->is_param[i] &&
		    (a->segs[i].len != b->segs[i].len ||
		     memcmp(a->segs[i].ptr, b->segs[i].ptr, a->segs[i].len) != 0))
			return false;
	}
	return true;
}

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int http_router_add(http_router *r, const char *method, const char *pattern, void *route)
{
	route_entry e = {0};
	size_t nparams = 0;
	int rc = 0;
	if (!method || !*method)
		return gf_err_set(GF_EINVALID, "a route needs a method");
	for (const char *m = method; *m; m++)
		if (!http_is_tchar((unsigned char)*m))
			return gf_err_set(GF_EINVALID, "route method \"%s\" is not an HTTP token",
			                  method);
	if (!pattern || pattern[0] != '/')
		return gf_err_set(GF_EINVALID, "route pattern \"%s\" must start with '/'",
		                  pattern ? pattern : "");
	e.method = gf_xstrdup(method);
	e.pattern = gf_xstrdup(pattern);
	e.text = gf_xstrdup(pattern);
	e.route = route;
	int n = split_path(e.segs, e.pattern, strlen(e.pattern));
	if (n < 0) {
		rc = gf_err_set(GF_EINVALID, "route pattern \"%s\" has more than %d segments",
		                pattern, MAX_SEGS);
		goto cleanup;
	}
	e.nsegs = (size_t)n;
	for (size_t i = 0; i < e.nsegs; i++) {
		seg *s = &e.segs[i];
		bool open = memchr(s->ptr, '{', s->len) != NULL;
		bool close = memchr(s->ptr, '}', s->len) != NULL;
		if (!open && !close)
			continue;
		if (s->len < 3 || s->ptr[0] != '{' || s->ptr[s->len - 1] != '}') {
			rc = gf_err_set(GF_EINVALID,
			                "route pattern \"%s\": a {name} must be a whole segment",
			                pattern);
			goto cleanup;
		}
		s->ptr++;
		s->len -= 2;
		for (size_t k = 0; k < s->len; k++) {
			if (!valid_name_char(s->ptr[k])) {
				rc = gf_err_set(
				        GF_EINVALID,
				        "route pattern \"%s\": parameter names are letters, "
				        "digits, '_' and '-'",
				        pattern);
				goto cleanup;
			}
		}
		for (size_t k = 0; k < i; k++) {
			if (e.is_param[k] && e.segs[k].len == s->len &&
			    memcmp(e.segs[k].ptr, s->ptr, s->len) == 0) {
				rc = gf_err_set(
				        GF_EINVALID,
				        "route pattern \"%s\": parameter {%.*s} appears twice",
				        pattern, (int)s->len, s->ptr);
				goto cleanup;
			}
		}
		if (++nparams > HTTP_ROUTE_MAX_PARAMS) {
			rc = gf_err_set(GF_EINVALID,
			                "route pattern \"%s\" has more than %d parameters", pattern,
			                HTTP_ROUTE_MAX_PARAMS);
			goto cleanup;
		}
		e.is_param[i] = true;
		/* Parameter names become C strings: end them in place. */
		((char *)s->ptr)[s->len] = '\0';
	}
	for (size_t i = 0; i < r->routes.len; i++) {
		const route_entry *o = &r->routes.items[i];
		if (strcmp(o->method, method) == 0 && same_shape(o, &e)) {
			rc = gf_err_set(GF_EEXISTS, "route %s %s clashes with %s %s", method,
			                pattern, o->method, o->text);
			goto cleanup;
		}
	}
	gf_vec_push(&r->routes, e);
	return 0;
cleanup:
	free(e.method);
	free(e.pattern);
	free(e.text);
	return rc;
}

static bool matches(const route_entry *e, const seg *segs, size_t n)
{
	if (e->nsegs != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (e->is_param[i]) {
			if (segs[i].len == 0)
				return false;
		} else if (segs[i].len != e->segs[i].len ||
		           memcmp(segs[i].ptr, e->segs[i].ptr, segs[i].len) != 0) {
			return false;
		}
	}
	return true;
}

/* True when a is more specific than b: literal at their first difference. */
static bool more_specific(const route_entry *a, const route_entry *b)
{
	for (size_t i = 0; i < a->nsegs; i++)
		if (a->is_param[i] != b->is_param[i])
			return !a->is_param[i];
	return false;
}

static void allow_add(char *allow, size_t size, const char *method)
{
	size_t mlen = strlen(method), len = strlen(allow);
	for (const char *p = allow; *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == mlen && memcmp(p, method, mlen) == 0)
			return;
		p = end ? end + 2 : p + l;
	}
	if (len + mlen + 3 > size)
		return;
	if (len)
		memcpy(allow + len, ", ", 2), len += 2;
	memcpy(allow + len, method, mlen + 1);
}

int http_router_match(http_route_match *m, const http_router *r, const char *method,
                      const char *path, size_t len, gf_arena *arena)
{
	seg segs[MAX_SEGS];
	const route_entry *best = NULL, *get = NULL;
	memset(m, 0, sizeof(*m));
	if (len == 0 || path[0] != '/')
		return gf_err_set(GF_ENOTFOUND, "no route for a path not starting with '/'");
	int n = split_path(segs, path, len);
	if (n < 0)
		return gf_err_set(GF_ENOTFOUND, "no route for a path this deep");
	bool head = strcmp(method, "HEAD") == 0;
	for (size_t i = 0; i < r->routes.len; i++) {
		const route_entry *e = &r->routes.items[i];
		if (!matches(e, segs, (size_t)n))
			continue;
		allow_add(m->allow, sizeof(m->allow), e->method);
		if (strcmp(e->method, "GET") == 0) {
			allow_add(m->allow, sizeof(m->allow), "HEAD");
			if (head && (!get || more_specific(e, get)))
				get = e;
		}
		if (strcmp(e->method, method) == 0 && (!best || more_specific(e, best)))
			best = e;
	}
	if (!best)
		best = get;
	if (!best)
		return gf_err_set(GF_ENOTFOUND, "no route for %s %.*s", method,
		                  (int)GF_MIN(len, 200), path);
	m->allow[0] = '\0';
	m->route = best->route;
	for (size_t i = 0; i < best->nsegs; i++) {
		if (!best->is_param[i])
			continue;
		char *v = gf_arena_strndup(arena, segs[i].ptr, segs[i].len);
		size_t vlen = 0;
		if (http_pct_decode(v, &vlen, v, segs[i].len) != 0)
			return gf_err_set(GF_EINVALID,
			                  "path parameter {%s} has a malformed %%-escape",
			                  best->segs[i].ptr);
		if (memchr(v, '\0', vlen))
			return gf_err_set(GF_EINVALID, "path parameter {%s} contains %%00",
			                  best->segs[i].ptr);
		v[vlen] = '\0';
		m->names[m->nparams] = best->segs[i].ptr;
		m->values[m->nparams] = v;
		m->nparams++;
	}
	return 0;
}
