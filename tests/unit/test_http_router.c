/* Unit tests of the pure parts of http/api.h: the router (patterns,
 * parameters, 404/405, precedence), event-stream framing and parsing, the
 * bearer token check and the error shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Route payloads: distinct addresses to tell which route matched. */
static int r_lbs, r_lb_get, r_lb_put, r_lb_del, r_builds_latest, r_build, r_build_log, r_hook,
        r_root, r_lock;

static http_router *router_fixture(void)
{
	http_router *r = http_router_new();
	assert_int_equal(http_router_add(r, "GET", "/v1/lbs", &r_lbs), 0);
	assert_int_equal(http_router_add(r, "GET", "/v1/lbs/{name}", &r_lb_get), 0);
	assert_int_equal(http_router_add(r, "PUT", "/v1/lbs/{name}", &r_lb_put), 0);
	assert_int_equal(http_router_add(r, "DELETE", "/v1/lbs/{name}", &r_lb_del), 0);
	assert_int_equal(http_router_add(r, "GET", "/v1/builds/{id}", &r_build), 0);
	assert_int_equal(http_router_add(r, "GET", "/v1/builds/latest", &r_builds_latest), 0);
	assert_int_equal(http_router_add(r, "GET", "/v1/builds/{id}/log", &r_build_log), 0);
	assert_int_equal(http_router_add(r, "POST", "/hooks/{forge}/{project}", &r_hook), 0);
	assert_int_equal(http_router_add(r, "GET", "/", &r_root), 0);
	assert_int_equal(http_router_add(r, "LOCK", "/v1/state/{name}", &r_lock), 0);
	return r;
}

static int match(http_route_match *m, http_router *r, gf_arena *a, const char *method,
                 const char *path)
{
	return http_router_match(m, r, method, path, strlen(path), a);
}

static void test_router_params(void **state)
{
	http_router *r = router_fixture();
	gf_arena a;
	gf_arena_init(&a);
	http_route_match m;

	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs"), 0);
	assert_ptr_equal(m.route, &r_lbs);
	assert_int_equal(m.nparams, 0);

	assert_int_equal(match(&m, r, &a, "PUT", "/v1/lbs/web"), 0);
	assert_ptr_equal(m.route, &r_lb_put);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.names[0], "name");
	assert_string_equal(m.values[0], "web");

	/* Decoded: %2F is a slash inside the value, not a separator. */
	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs/my%20lb%2Fx"), 0);
	assert_string_equal(m.values[0], "my lb/x");

	assert_int_equal(match(&m, r, &a, "POST", "/hooks/github/fox-or-bear"), 0);
	assert_ptr_equal(m.route, &r_hook);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.names[0], "forge");
	assert_string_equal(m.values[0], "github");
	assert_string_equal(m.names[1], "project");
	assert_string_equal(m.values[1], "fox-or-bear");

	assert_int_equal(match(&m, r, &a, "GET", "/v1/builds/17/log"), 0);
	assert_ptr_equal(m.route, &r_build_log);
	assert_string_equal(m.values[0], "17");

	assert_int_equal(match(&m, r, &a, "GET", "/"), 0);
	assert_ptr_equal(m.route, &r_root);

	/* Methods are any token: Terraform's http backend locks with LOCK. */
	assert_int_equal(match(&m, r, &a, "LOCK", "/v1/state/prod"), 0);
	assert_ptr_equal(m.route, &r_lock);

	gf_arena_dispose(&a);
	http_router_free(r);
}

static void test_router_precedence(void **state)
{
	http_router *r = router_fixture();
	gf_arena a;
	gf_arena_init(&a);
	http_route_match m;
	/* Registered after {id}, the literal still wins. */
	assert_int_equal(match(&m, r, &a, "GET", "/v1/builds/latest"), 0);
	assert_ptr_equal(m.route, &r_builds_latest);
	assert_int_equal(m.nparams, 0);
	assert_int_equal(match(&m, r, &a, "GET", "/v1/builds/lates"), 0);
	assert_ptr_equal(m.route, &r_build);
	/* HEAD is served by the GET route. */
	assert_int_equal(match(&m, r, &a, "HEAD", "/v1/lbs/x"), 0);
	assert_ptr_equal(m.route, &r_lb_get);
	gf_arena_dispose(&a);
	http_router_free(r);
}

static void test_router_404_405(void **state)
{
	http_router *r = router_fixture();
	gf_arena a;
	gf_arena_init(&a);
	http_route_match m;

	assert_int_equal(match(&m, r, &a, "GET", "/v1/nothing"), GF_ENOTFOUND);
	assert_string_equal(m.allow, "");
	/* Empty segments match no parameter, trailing slashes are distinct. */
	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs/"), GF_ENOTFOUND);
	assert_string_equal(m.allow, "");
	assert_int_equal(match(&m, r, &a, "GET", "/v1//x"), GF_ENOTFOUND);
	assert_int_equal(match(&m, r, &a, "GET", "v1/lbs"), GF_ENOTFOUND);
	assert_int_equal(match(&m, r, &a, "GET", ""), GF_ENOTFOUND);

	assert_int_equal(match(&m, r, &a, "POST", "/v1/lbs/web"), GF_ENOTFOUND);
	assert_string_equal(m.allow, "GET, HEAD, PUT, DELETE");
	assert_int_equal(match(&m, r, &a, "DELETE", "/v1/builds/latest"), GF_ENOTFOUND);
	assert_string_equal(m.allow, "GET, HEAD");
	assert_int_equal(match(&m, r, &a, "GET", "/hooks/gitea/x"), GF_ENOTFOUND);
	assert_string_equal(m.allow, "POST");

	/* Malformed escapes and NUL in a parameter: 400, not a match. */
	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs/%zz"), GF_EINVALID);
	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs/a%2"), GF_EINVALID);
	assert_int_equal(match(&m, r, &a, "GET", "/v1/lbs/a%00b"), GF_EINVALID);

	/* A path deeper than any route is simply not found. */
	char deep[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(deep, "/a");
	assert_int_equal(match(&m, r, &a, "GET", deep), GF_ENOTFOUND);
	gf_arena_dispose(&a);
	http_router_free(r);
}

static void test_router_bad_patterns(void **state)
{
	http_router *r = http_router_new();
	int x;
	assert_int_equal(http_router_add(r, "GET", "v1/lbs", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GE T", "/v1", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET,PUT", "/v1", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "", "/v1", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/v1/{name", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/v1/x{name}", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/v1/{}", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/v1/{a b}", &x), GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/{a}/{a}", &x), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "{a} appears twice"));
	assert_int_equal(http_router_add(r, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", &x),
	                 GF_EINVALID);
	assert_int_equal(http_router_add(r, "GET", "/v1/{name}", &x), 0);
	/* Same shape, other parameter name: the same route. */
	assert_int_equal(http_router_add(r, "GET", "/v1/{other}", &x), GF_EEXISTS);
	assert_string_equal(gf_err_msg(), "route GET /v1/{other} clashes with GET /v1/{name}");
	assert_int_equal(http_router_add(r, "PUT", "/v1/{other}", &x), 0);
	http_router_free(r);
}

/* ---- event streams ----------------------------------------------------- */

static void test_sse_format(void **state)
{
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(http_sse_format(&b, "42", "build", "{\"a\":1}"), 0);
	assert_string_equal(gf_buf_cstr(&b), "id: 42\nevent: build\ndata: {\"a\":1}\n\n");
	gf_buf_clear(&b);
	/* Every line ending becomes its own data: line. */
	assert_int_equal(http_sse_format(&b, NULL, NULL, "a\nb\r\nc\rd"), 0);
	assert_string_equal(gf_buf_cstr(&b), "data: a\ndata: b\ndata: c\ndata: d\n\n");
	gf_buf_clear(&b);
	assert_int_equal(http_sse_format(&b, NULL, NULL, NULL), 0);
	assert_string_equal(gf_buf_cstr(&b), "data: \n\n");
	gf_buf_clear(&b);
	assert_int_equal(http_sse_format(&b, "1\n2", NULL, "x"), GF_EINVALID);
	assert_int_equal(http_sse_format(&b, NULL, "a\rb", "x"), GF_EINVALID);
	gf_buf_dispose(&b);
}

typedef struct {
	int n;
	gf_buf log;
	int stop_at;
} sse_log;

static int log_event(const http_sse_event *ev, void *payload)
{
	sse_log *l = payload;
	gf_buf_printf(&l->log, "[%s|%s|%s]", ev->id, ev->event, ev->data);
	return ++l->n == l->stop_at ? 1 : 0;
}

static const char stream[] = ": comment\r\n"
                             "retry: 10\n"
                             "id: 1\n"
                             "event: tick\n"
                             "data: first\n"
                             "data:  second\n"
                             "\n"
                             "data:no space\r\n"
                             "\r\n"
                             "event: lonely\n"
                             "\n"
                             "id\n"
                             "data\n"
                             "\r"
                             "id: 9\r"
                             "data: x: y\r\n"
                             "unknown: field\n"
                             "\n"
                             "data: never dispatched";

static const char expected[] = "[1|tick|first\n second][1|message|no space][|message|]"
                               "[9|message|x: y]";

static void test_sse_parser(void **state)
{
	/* In one piece, and one byte at a time: the same events. */
	for (int split = 0; split < 2; split++) {
		http_sse_parser p;
		sse_log l = {0};
		http_sse_parser_init(&p);
		if (split) {
			for (size_t i = 0; i < sizeof(stream) - 1; i++)
				assert_int_equal(
				        http_sse_parser_feed(&p, stream + i, 1, log_event, &l), 0);
		} else {
			assert_int_equal(
			        http_sse_parser_feed(&p, stream, sizeof(stream) - 1, log_event, &l),
			        0);
		}
		assert_string_equal(gf_buf_cstr(&l.log), expected);
		gf_buf_dispose(&l.log);
		http_sse_parser_dispose(&p);
	}
}

static void test_sse_parser_stop_and_caps(void **state)
{
	http_sse_parser p;
	sse_log l = {.stop_at = 2};
	http_sse_parser_init(&p);
	assert_int_equal(http_sse_parser_feed(&p, stream, sizeof(stream) - 1, log_event, &l), 1);
	assert_int_equal(l.n, 2);
	http_sse_parser_dispose(&p);
	gf_buf_dispose(&l.log);

	/* A line that never ends cannot grow memory without bound. */
	http_sse_parser_init(&p);
	char *big = gf_xmalloc(1 << 16);
	memset(big, 'a', 1 << 16);
	int rc = 0;
	for (int i = 0; i < 20 && rc == 0; i++)
		rc = http_sse_parser_feed(&p, big, 1 << 16, log_event, &l);
	assert_int_equal(rc, GF_ETOOBIG);
	free(big);
	http_sse_parser_dispose(&p);
}

/* The server's framing and the client's parser agree. */
static void test_sse_round_trip(void **state)
{
	gf_buf b = GF_BUF_INIT;
	http_sse_format(&b, "7", "log", "line one\r\nline two\n\nafter blank");
	http_sse_format(&b, NULL, NULL, "");
	http_sse_parser p;
	sse_log l = {0};
	http_sse_parser_init(&p);
	assert_int_equal(http_sse_parser_feed(&p, b.ptr, b.len, log_event, &l), 0);
	assert_string_equal(gf_buf_cstr(&l.log),
	                    "[7|log|line one\nline two\n\nafter blank][7|message|]");
	http_sse_parser_dispose(&p);
	gf_buf_dispose(&l.log);
	gf_buf_dispose(&b);
}

/* ---- bearer tokens and errors ------------------------------------------ */

static void test_bearer(void **state)
{
	assert_true(http_bearer_ok("Bearer abc", "abc"));
	assert_true(http_bearer_ok("bearer abc", "abc"));
	assert_true(http_bearer_ok("BEARER   abc", "abc"));
	assert_false(http_bearer_ok("Bearer abd", "abc"));
	assert_false(http_bearer_ok("Bearer ab", "abc"));
	assert_false(http_bearer_ok("Bearer abcd", "abc"));
	assert_false(http_bearer_ok("Bearer", "abc"));
	assert_false(http_bearer_ok("Bearerabc", "abc"));
	assert_false(http_bearer_ok("Basic YWJjOg==", "abc"));
	assert_false(http_bearer_ok("abc", "abc"));
	assert_false(http_bearer_ok(NULL, "abc"));
	assert_false(http_bearer_ok("", "abc"));
	/* No token configured: nothing asked. */
	assert_true(http_bearer_ok(NULL, NULL));
	assert_true(http_bearer_ok("Bearer x", NULL));
}

static void test_error_shape(void **state)
{
	json_t *e = http_error_json("invalid", "port", "port must be between 1 and 65535");
	char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"error\":{\"code\":\"invalid\",\"field\":\"port\","
	                       "\"message\":\"port must be between 1 and 65535\"}}");
	free(s);
	json_decref(e);
	e = http_error_json("not_found", NULL, "lb \"web\" not found");
	s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s,
	                    "{\"error\":{\"code\":\"not_found\",\"message\":\"lb \\\"web\\\" not "
	                    "found\"}}");
	free(s);
	json_decref(e);
}

/* The statuses the daemon answers have their reason phrase (423: the
 * Terraform http backend's "state is locked"). */
static void test_reasons(void **state)
{
	assert_string_equal(http_reason(423), "Locked");
	assert_string_equal(http_reason(409), "Conflict");
	assert_string_equal(http_reason(413), "Content Too Large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_router_params),
	        cmocka_unit_test(test_router_precedence),
	        cmocka_unit_test(test_router_404_405),
	        cmocka_unit_test(test_router_bad_patterns),
	        cmocka_unit_test(test_sse_format),
	        cmocka_unit_test(test_sse_parser),
	        cmocka_unit_test(test_sse_parser_stop_and_caps),
	        cmocka_unit_test(test_sse_round_trip),
	        cmocka_unit_test(test_bearer),
	        cmocka_unit_test(test_error_shape),
	        cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
