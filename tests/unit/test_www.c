/* Unit tests of src/www's decisions: path normalisation, MIME types, ranges,
 * conditional requests and Accept-Encoding negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "www/www.h"

#include <string.h>

static http_str S(const char *s)
{
	return (http_str){s, s ? strlen(s) : 0};
}

/* Normalises `in`; returns the code and leaves the result in out. */
static int norm(char *out, size_t cap, bool *dir, const char *in)
{
	size_t n = 0;
	int rc = www_path_normalize(out, cap, &n, dir, in, strlen(in));
	if (rc == 0)
		assert_int_equal(n, strlen(out));
	return rc;
}

static void expect_path(const char *in, const char *want, bool want_dir)
{
	char out[256];
	bool dir = !want_dir;
	if (norm(out, sizeof(out), &dir, in) != 0)
		fail_msg("%s was refused", in);
	assert_string_equal(out, want);
	assert_int_equal(dir, want_dir);
}

static void test_path_normalize(void **state)
{
	expect_path("/", "", true);
	expect_path("/index.html", "index.html", false);
	expect_path("/a/b/c.txt?x=1/..", "a/b/c.txt", false);
	expect_path("/a//b///c", "a/b/c", false);
	expect_path("/a/./b/.", "a/b", false);
	expect_path("/a/b/", "a/b", true);
	expect_path("/a%20b/%63.css", "a b/c.css", false);
	expect_path("/a%2Fb", "a/b", false);
	expect_path("/caf%C3%A9", "caf\xc3\xa9", false);
	expect_path("/a.b/c..d/e.", "a.b/c..d/e.", false);

	char out[256];
	bool dir;
	/* traversal, raw and encoded */
	assert_int_equal(norm(out, sizeof(out), &dir, "/.."), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/../etc/passwd"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a/../../b"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a/.."), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/%2e%2e/etc/passwd"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/%2E./x"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/..%2fetc%2fpasswd"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a%2f..%2f..%2fb"), GF_EINVALID);
	/* NUL, backslash, bad escapes, relative */
	assert_int_equal(norm(out, sizeof(out), &dir, "/a%00.html"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a\\..\\b"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a%5c..%5cb"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a%2"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a%zz"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, "a/b"), GF_EINVALID);
	assert_int_equal(norm(out, sizeof(out), &dir, ""), GF_EINVALID);
	/* dotfiles and dot-directories */
	assert_int_equal(norm(out, sizeof(out), &dir, "/.git/config"), GF_ENOTFOUND);
	assert_int_equal(norm(out, sizeof(out), &dir, "/.env"), GF_ENOTFOUND);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a/.hidden/b"), GF_ENOTFOUND);
	assert_int_equal(norm(out, sizeof(out), &dir, "/%2egit/HEAD"), GF_ENOTFOUND);
	assert_int_equal(norm(out, sizeof(out), &dir, "/a/.htaccess"), GF_ENOTFOUND);
	/* .. wins over a dotfile: it is an attack, not a miss */
	assert_int_equal(norm(out, sizeof(out), &dir, "/.git/../x"), GF_EINVALID);
	/* capacity */
	assert_int_equal(norm(out, 4, &dir, "/abcd"), GF_ETOOBIG);
	assert_int_equal(norm(out, 5, &dir, "/abcd"), 0);
}

static void test_mime(void **state)
{
	bool comp;
	assert_string_equal(www_mime_type("index.html", 10, &comp), "text/html; charset=utf-8");
	assert_true(comp);
	assert_string_equal(www_mime_type("a/B.CSS", 7, &comp), "text/css; charset=utf-8");
	assert_string_equal(www_mime_type("app.mjs", 7, NULL), "text/javascript; charset=utf-8");
	assert_string_equal(www_mime_type("x.js", 4, NULL), "text/javascript; charset=utf-8");
	assert_string_equal(www_mime_type("d.json", 6, NULL), "application/json");
	assert_string_equal(www_mime_type("i.svg", 5, &comp), "image/svg+xml");
	assert_true(comp);
	assert_string_equal(www_mime_type("p.png", 5, &comp), "image/png");
	assert_false(comp);
	assert_string_equal(www_mime_type("p.jpeg", 6, NULL), "image/jpeg");
	assert_string_equal(www_mime_type("p.webp", 6, NULL), "image/webp");
	assert_string_equal(www_mime_type("p.avif", 6, NULL), "image/avif");
	assert_string_equal(www_mime_type("f.woff2", 7, &comp), "font/woff2");
	assert_false(comp);
	assert_string_equal(www_mime_type("m.wasm", 6, &comp), "application/wasm");
	assert_true(comp);
	assert_string_equal(www_mime_type("r.txt", 5, NULL), "text/plain; charset=utf-8");
	assert_string_equal(www_mime_type("r.md", 4, NULL), "text/markdown; charset=utf-8");
	assert_string_equal(www_mime_type("v.mp4", 5, NULL), "video/mp4");
	assert_string_equal(www_mime_type("a.js.map", 8, NULL), "application/json");
	assert_string_equal(www_mime_type("a.tar.gz", 8, NULL), "application/gzip");
	/* no extension, unknown, dot in a directory name only */
	assert_string_equal(www_mime_type("README", 6, &comp), "application/octet-stream");
	assert_false(comp);
	assert_string_equal(www_mime_type("x.unknownext", 12, NULL), "application/octet-stream");
	assert_string_equal(www_mime_type("d.html/file", 11, NULL), "application/octet-stream");
	assert_string_equal(www_mime_type("trailing.", 9, NULL), "application/octet-stream");
}

static int range(www_range *r, const char *v, uint64_t size)
{
	return www_range_parse(r, S(v), size);
}

static void test_range(void **state)
{
	www_range r;
	assert_int_equal(range(&r, "bytes=0-99", 1000), WWW_RANGE_OK);
	assert_int_equal(r.first, 0);
	assert_int_equal(r.last, 99);
	assert_int_equal(range(&r, "bytes=900-", 1000), WWW_RANGE_OK);
	assert_int_equal(r.first, 900);
	assert_int_equal(r.last, 999);
	assert_int_equal(range(&r, "bytes=-100", 1000), WWW_RANGE_OK);
	assert_int_equal(r.first, 900);
	assert_int_equal(r.last, 999);
	assert_int_equal(range(&r, "bytes=-5000", 1000), WWW_RANGE_OK);
	assert_int_equal(r.first, 0);
	assert_int_equal(range(&r, "bytes=500-5000", 1000), WWW_RANGE_OK);
	assert_int_equal(r.last, 999);
	assert_int_equal(range(&r, "Bytes=1-1", 1000), WWW_RANGE_OK);
	assert_int_equal(r.first, 1);
	assert_int_equal(r.last, 1);
	assert_int_equal(range(&r, "bytes= 2-3 ", 1000), WWW_RANGE_OK);
	/* unsatisfiable */
	assert_int_equal(range(&r, "bytes=1000-", 1000), WWW_RANGE_UNSATISFIABLE);
	assert_int_equal(range(&r, "bytes=1000-2000", 1000), WWW_RANGE_UNSATISFIABLE);
	assert_int_equal(range(&r, "bytes=-0", 1000), WWW_RANGE_UNSATISFIABLE);
	assert_int_equal(range(&r, "bytes=0-", 0), WWW_RANGE_UNSATISFIABLE);
	assert_int_equal(range(&r, "bytes=-1", 0), WWW_RANGE_UNSATISFIABLE);
	/* ignored: bad syntax, other units, several ranges */
	assert_int_equal(range(&r, "bytes=5-1", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=-", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=a-b", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=+1-2", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=1", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "items=0-1", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes 0-1", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=0-1,5-6", 1000), WWW_RANGE_NONE);
	assert_int_equal(range(&r, "bytes=99999999999999999999-", 1000), WWW_RANGE_NONE);
}

static void test_conditionals(void **state)
{
	http_str etag = S("\"abc-1\"");
	http_str none = {NULL, 0};
	time_t mtime = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	/* If-None-Match: lists, *, weak comparison */
	assert_true(www_etag_list_match(S("\"abc-1\""), etag));
	assert_true(www_etag_list_match(S("\"x\", W/\"abc-1\""), etag));
	assert_true(www_etag_list_match(S("*"), etag));
	assert_false(www_etag_list_match(S("\"abc-2\""), etag));
	assert_false(www_etag_list_match(S("abc-1"), etag));
	assert_false(www_etag_list_match(S(""), etag));
	assert_true(www_not_modified(S("W/\"abc-1\""), none, etag, mtime));
	/* If-Modified-Since */
	assert_true(www_not_modified(none, S("Sun, 06 Nov 1994 08:49:37 GMT"), etag, mtime));
	assert_true(www_not_modified(none, S("Mon, 07 Nov 1994 08:49:37 GMT"), etag, mtime));
	assert_false(www_not_modified(none, S("Sun, 06 Nov 1994 08:49:36 GMT"), etag, mtime));
	assert_false(www_not_modified(none, S("yesterday"), etag, mtime));
	assert_false(www_not_modified(none, none, etag, mtime));
	/* If-None-Match takes precedence over If-Modified-Since */
	assert_false(
	        www_not_modified(S("\"other\""), S("Mon, 07 Nov 1994 08:49:37 GMT"), etag, mtime));
	assert_true(
	        www_not_modified(S("\"abc-1\""), S("Sat, 05 Nov 1994 08:49:37 GMT"), etag, mtime));
	/* If-Range: strong ETag match or the exact date */
	assert_true(www_if_range_ok(S("\"abc-1\""), etag, mtime));
	assert_false(www_if_range_ok(S("W/\"abc-1\""), etag, mtime));
	assert_false(www_if_range_ok(S("\"abc-2\""), etag, mtime));
	assert_true(www_if_range_ok(S("Sun, 06 Nov 1994 08:49:37 GMT"), etag, mtime));
	assert_false(www_if_range_ok(S("Mon, 07 Nov 1994 08:49:37 GMT"), etag, mtime));
	assert_false(www_if_range_ok(S("garbage"), etag, mtime));
}

static int nego(const char *ae, unsigned avail)
{
	return www_negotiate_encoding(S(ae), avail);
}

static void test_negotiation(void **state)
{
	const unsigned both = WWW_ENC_BR | WWW_ENC_GZIP;
	assert_int_equal(www_negotiate_encoding((http_str){NULL, 0}, both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("", both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("gzip, deflate, br", both), WWW_ENC_BR);
	assert_int_equal(nego("gzip, deflate, br", WWW_ENC_GZIP), WWW_ENC_GZIP);
	assert_int_equal(nego("gzip", both), WWW_ENC_GZIP);
	assert_int_equal(nego("GZIP", both), WWW_ENC_GZIP);
	assert_int_equal(nego("x-gzip", both), WWW_ENC_GZIP);
	assert_int_equal(nego("br", WWW_ENC_GZIP), WWW_ENC_IDENTITY);
	assert_int_equal(nego("br;q=0.5, gzip;q=0.8", both), WWW_ENC_GZIP);
	assert_int_equal(nego("br;q=1.0, gzip;q=0.999", both), WWW_ENC_BR);
	assert_int_equal(nego("br; q=0, gzip", both), WWW_ENC_GZIP);
	assert_int_equal(nego("br;q=0, gzip;Q=0", both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("*", both), WWW_ENC_BR);
	assert_int_equal(nego("*;q=0.5, br;q=0", both), WWW_ENC_GZIP);
	assert_int_equal(nego("*;q=0", both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("identity;q=1, gzip;q=0.5", both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("identity;q=0.1, gzip;q=0.5", both), WWW_ENC_GZIP);
	/* malformed q-values are ignored, not taken as 1 */
	assert_int_equal(nego("br;q=2, gzip", both), WWW_ENC_GZIP);
	assert_int_equal(nego("br;q=0.5555, gzip;q=0.5", both), WWW_ENC_GZIP);
	assert_int_equal(nego("br;level=1", both), WWW_ENC_IDENTITY);
	assert_int_equal(nego("gzip, br", 0), WWW_ENC_IDENTITY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_path_normalize), cmocka_unit_test(test_mime),
	        cmocka_unit_test(test_range),          cmocka_unit_test(test_conditionals),
	        cmocka_unit_test(test_negotiation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
