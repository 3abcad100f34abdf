/*
 * Fuzz target: the router of http/api.h. The input is
 *   pattern lines ("METHOD /pattern\n"), an empty line, then request lines
 *   ("METHOD /path\n")
 * A fixed set of the daemon's routes is always present; the patterns of the
 * input are added to it (malformed ones must be refused cleanly). Every
 * request is matched twice (the result must not change) and the answer's
 * invariants checked: parameters are decoded, NUL-free C strings; the Allow
 * list of a miss is a clean ", "-separated list; a hit has no Allow.
 */
#include "http/api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed[][2] = {
        {"GET", "/v1/lbs"},
        {"GET", "/v1/lbs/{name}"},
        {"PUT", "/v1/lbs/{name}"},
        {"DELETE", "/v1/lbs/{name}"},
        {"GET", "/v1/builds/{id}"},
        {"GET", "/v1/builds/latest"},
        {"GET", "/v1/builds/{id}/log"},
        {"POST", "/hooks/{forge}/{project}"},
        {"LOCK", "/v1/state/{name}"},
        {"GET", "/"},
};

static void check_allow(const char *allow)
{
	size_t len = strlen(allow);
	if (len >= 128)
		abort();
	if (len && (allow[0] == ',' || allow[0] == ' ' || allow[len - 1] == ',' ||
	            allow[len - 1] == ' ' || strstr(allow, ",,")))
		abort();
}

static void one_request(http_router *r, const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	if (!sp)
		return;
	char method[32];
	size_t mlen = (size_t)(sp - line);
	if (mlen == 0 || mlen >= sizeof(method))
		return;
	memcpy(method, line, mlen);
	method[mlen] = '\0';
	const char *path = sp + 1;
	size_t plen = len - mlen - 1;
	gf_arena a;
	gf_arena_init(&a);
	http_route_match m1, m2;
	int rc1 = http_router_match(&m1, r, method, path, plen, &a);
	int rc2 = http_router_match(&m2, r, method, path, plen, &a);
	if (rc1 != rc2 || m1.route != m2.route || m1.nparams != m2.nparams ||
	    strcmp(m1.allow, m2.allow) != 0)
		abort();
	if (rc1 == 0) {
		if (!m1.route || m1.nparams > HTTP_ROUTE_MAX_PARAMS || m1.allow[0])
			abort();
		for (size_t i = 0; i < m1.nparams; i++) {
			if (!m1.names[i] || !m1.values[i] ||
			    strcmp(m1.values[i], m2.values[i]) != 0)
				abort();
			/* A decoded value is never longer than its raw segment. */
			if (strlen(m1.values[i]) > plen)
				abort();
		}
	} else if (rc1 == GF_ENOTFOUND) {
		check_allow(m1.allow);
	} else if (rc1 != GF_EINVALID) {
		abort();
	}
	gf_arena_dispose(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int payloads[64];
	http_router *r = http_router_new();
	for (size_t i = 0; i < GF_ARRAY_LEN(fixed); i++)
		if (http_router_add(r, fixed[i][0], fixed[i][1], &payloads[i]) != 0)
			abort();
	const char *p = (const char *)data, *end = p + size;
	bool patterns = true;
	size_t n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len == 0 && patterns) {
			patterns = false;
		} else if (patterns) {
			char line[512];
			if (len < sizeof(line) && !memchr(p, '\0', len)) {
				memcpy(line, p, len);
				line[len] = '\0';
				char *sp = strchr(line, ' ');
				if (sp) {
					*sp = '\0';
					int rc = http_router_add(r, line, sp + 1,
					                         &payloads[n++ % 64]);
					if (rc != 0 && rc != GF_EINVALID && rc != GF_EEXISTS)
						abort();
				}
			}
		} else {
			one_request(r, p, len);
		}
		p = nl ? nl + 1 : end;
	}
	http_router_free(r);
	return 0;
}
