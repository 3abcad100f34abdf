/* Unit tests of the log writer (src/base/log.c): every JSON line is one
 * valid JSON object whatever its message and fields hold, fields keep their
 * values, and the text format is unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TS "2026-01-02T03:04:05.678Z"

/* Renders a JSON line, checks it is exactly one line holding one object
 * and returns that object (json_decref it). */
static json_t *render_json(gf_log_level level, const char *msg, const char *fields)
{
	gf_buf line = GF_BUF_INIT;
	gf_log_render(&line, GF_LOG_JSON, level, TS, msg, fields);
	assert_true(line.len > 2);
	assert_int_equal(line.ptr[line.len - 1], '\n');
	assert_ptr_equal(strchr(line.ptr, '\n'), line.ptr + line.len - 1);
	json_error_t err;
	json_t *j = json_loadb(line.ptr, line.len, 0, &err);
	if (!j)
		fail_msg("not JSON (%s): %s", err.text, line.ptr);
	assert_true(json_is_object(j));
	gf_buf_dispose(&line);
	return j;
}

static const char *member(const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);
	if (!json_is_string(v))
		fail_msg("member %s is missing or not a string", key);
	return json_string_value(v);
}

static void test_json_basic_members(void **state)
{
	json_t *j = render_json(GF_LOG_WARN, "listener started", "port=8080 name=web ready");
	assert_string_equal(member(j, "ts"), TS);
	assert_string_equal(member(j, "level"), "warn");
	assert_string_equal(member(j, "msg"), "listener started");
	assert_string_equal(member(j, "port"), "8080");
	assert_string_equal(member(j, "name"), "web");
	assert_true(json_is_true(json_object_get(j, "ready")));
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);
	j = render_json(GF_LOG_ERROR, "no fields", "");
	assert_int_equal(json_object_size(j), 3);
	assert_string_equal(member(j, "level"), "error");
	json_decref(j);
}

/* Quotes, backslashes, newlines, tabs and other control characters in the
 * message are escaped and read back exactly. */
static void test_json_escapes_message(void **state)
{
	const char *msg = "a \"quoted\" back\\slash\nnew line\ttab \x01\x1f\x7f end";
	json_t *j = render_json(GF_LOG_INFO, msg, "");
	assert_string_equal(member(j, "msg"), msg);
	json_decref(j);
}

/* A value quoted by gf_log_quote comes back as it was (gf_log_quote turns
 * control characters other than \n into '?'). */
static void test_json_quoted_field_round_trip(void **state)
{
	static const char *const values[] = {
	        "two words", "a\"b", "back\\slash", "line\nbreak", "", "k=v", "\"", "\\", "end\\",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(values); i++) {
		char q[128], fields[256];
		snprintf(fields, sizeof(fields), "before=1 value=%s after=2",
		         gf_log_quote(q, sizeof(q), values[i]));
		json_t *j = render_json(GF_LOG_INFO, "m", fields);
		assert_string_equal(member(j, "value"), values[i]);
		assert_string_equal(member(j, "before"), "1");
		assert_string_equal(member(j, "after"), "2");
		json_decref(j);
	}
}

/* GF_LOG_QUOTED: the reason that once split into stray JSON fields (a
 * quoted word followed by a space) stays one value. */
static void test_json_log_quoted_macro(void **state)
{
	const char *why = "the build user \"gitfleet-build\" does not exist: create it";
	char fields[512];
	snprintf(fields, sizeof(fields), "reason=%s next=1", GF_LOG_QUOTED(why));
	json_t *j = render_json(GF_LOG_ERROR, "m", fields);
	assert_string_equal(member(j, "reason"), why);
	assert_string_equal(member(j, "next"), "1");
	assert_int_equal(json_object_size(j), 5); /* ts, level, msg, reason, next */
	json_decref(j);
}

/* Callers that write err="%s" around a message with quotes in it: the
 * value still ends at the quote that is followed by a space or the end. */
static void test_json_unescaped_quotes_in_value(void **state)
{
	json_t *j = render_json(GF_LOG_ERROR, "m",
	                        "err=\"cannot open \"x.db\": no such file\" next=1 path=C:\\dir");
	assert_string_equal(member(j, "err"), "cannot open \"x.db\": no such file");
	assert_string_equal(member(j, "next"), "1");
	assert_string_equal(member(j, "path"), "C:\\dir");
	json_decref(j);
	/* An unterminated quote takes the rest of the line. */
	j = render_json(GF_LOG_ERROR, "m", "err=\"no end a=b");
	assert_string_equal(member(j, "err"), "no end a=b");
	json_decref(j);
}

/* Bare values with quotes, control characters or '=' in them are escaped. */
static void test_json_raw_values(void **state)
{
	json_t *j = render_json(GF_LOG_INFO, "m", "a=x\"y b=\x02 c=d=e =orphan f");
	assert_string_equal(member(j, "a"), "x\"y");
	assert_string_equal(member(j, "b"), "\x02");
	assert_string_equal(member(j, "c"), "d=e");
	assert_true(json_is_true(json_object_get(j, "f")));
	json_decref(j);
}

/* Well-formed UTF-8 passes through; anything else becomes U+FFFD, so the
 * line is valid UTF-8 (jansson refuses anything else). */
static void test_json_utf8(void **state)
{
	json_t *j = render_json(GF_LOG_INFO, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\xa6\x8a",
	                        "who=\xf0\x9f\x90\xbb");
	assert_string_equal(member(j, "msg"), "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\xa6\x8a");
	assert_string_equal(member(j, "who"), "\xf0\x9f\x90\xbb");
	json_decref(j);
	static const struct {
		const char *in, *out;
	} bad[] = {
	        {"a\xff"
	         "b",
	         "a\xef\xbf\xbd"
	         "b"},                                                    /* never valid */
	        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
	        {"\xe6\x97", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* truncated */
	        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
	        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	        {"\x80x", "\xef\xbf\xbdx"}, /* stray continuation byte */
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(bad); i++) {
		char fields[64];
		snprintf(fields, sizeof(fields), "v=%s", bad[i].in);
		j = render_json(GF_LOG_INFO, bad[i].in, fields);
		assert_string_equal(member(j, "msg"), bad[i].out);
		assert_string_equal(member(j, "v"), bad[i].out);
		json_decref(j);
	}
}

/* A field named like one of the line's own members does not replace it. */
static void test_json_reserved_keys(void **state)
{
	json_t *j = render_json(GF_LOG_INFO, "real", "msg=fake level=x ts=y");
	assert_string_equal(member(j, "msg"), "real");
	assert_string_equal(member(j, "level"), "info");
	assert_string_equal(member(j, "ts"), TS);
	assert_string_equal(member(j, "_msg"), "fake");
	assert_string_equal(member(j, "_level"), "x");
	assert_string_equal(member(j, "_ts"), "y");
	json_decref(j);
}

static void test_text_format(void **state)
{
	gf_buf line = GF_BUF_INIT;
	gf_log_render(&line, GF_LOG_TEXT, GF_LOG_INFO, TS, "listener started", "port=8080");
	assert_string_equal(line.ptr, TS " level=info msg=\"listener started\" port=8080\n");
	gf_buf_clear(&line);
	gf_log_render(&line, GF_LOG_TEXT, GF_LOG_DEBUG, TS, "ready", "");
	assert_string_equal(line.ptr, TS " level=debug msg=ready\n");
	gf_buf_dispose(&line);
}

static void test_format_names(void **state)
{
	gf_log_format f = GF_LOG_TEXT;
	assert_int_equal(gf_log_parse_format(&f, "json"), 0);
	assert_int_equal(f, GF_LOG_JSON);
	assert_int_equal(gf_log_parse_format(&f, "text"), 0);
	assert_int_equal(f, GF_LOG_TEXT);
	assert_int_equal(gf_log_parse_format(&f, "JSON"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "use text or json"));
	gf_log_set_format(GF_LOG_JSON);
	assert_int_equal(gf_log_get_format(), GF_LOG_JSON);
	gf_log_set_format(GF_LOG_TEXT);
	assert_int_equal(gf_log_get_format(), GF_LOG_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_json_basic_members),
	        cmocka_unit_test(test_json_escapes_message),
	        cmocka_unit_test(test_json_quoted_field_round_trip),
	        cmocka_unit_test(test_json_log_quoted_macro),
	        cmocka_unit_test(test_json_unescaped_quotes_in_value),
	        cmocka_unit_test(test_json_raw_values),
	        cmocka_unit_test(test_json_utf8),
	        cmocka_unit_test(test_json_reserved_keys),
	        cmocka_unit_test(test_text_format),
	        cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
