/* The dashboard's trust and session rules (cloud.h: cloud_ui_trusted,
 * cloud_ui_session_allows) and its embedded files (ui/ui.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cloud/cloud.h"
#include "ui/ui.h"

#include <string.h>

static void test_trusted(void **state)
{
	/* The unix socket is trusted whatever the Host says. */
	assert_true(cloud_ui_trusted("unix:/home/run/gitfleet.sock", NULL));
	assert_true(cloud_ui_trusted("unix:/x", "evil.example"));
	/* Loopback peers asking for a loopback name. */
	assert_true(cloud_ui_trusted("127.0.0.1:5000", "127.0.0.1:7070"));
	assert_true(cloud_ui_trusted("127.0.0.1:5000", "localhost:7070"));
	assert_true(cloud_ui_trusted("127.0.0.1:5000", "LOCALHOST"));
	assert_true(cloud_ui_trusted("127.0.0.1:5000", "127.1.2.3"));
	assert_true(cloud_ui_trusted("[::1]:5000", "[::1]:7070"));
	assert_true(cloud_ui_trusted("[::ffff:127.0.0.1]:5000", "localhost"));
	/* DNS rebinding: a loopback peer, but a page of another name. */
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "evil.example:7070"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "localhost.evil.example"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "127.0.0.1.evil.example"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "127.0.0.x"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "[::1]x"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "localhost:70x0"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", "[::1]:7070:1"));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", NULL));
	assert_false(cloud_ui_trusted("127.0.0.1:5000", ""));
	/* Not loopback peers, whatever the Host says. */
	assert_false(cloud_ui_trusted("192.0.2.7:5000", "localhost"));
	assert_false(cloud_ui_trusted("[2001:db8::1]:5000", "[::1]"));
	assert_false(cloud_ui_trusted("10.127.0.1:5000", "127.0.0.1"));
}

static void test_session_allows(void **state)
{
	assert_true(cloud_ui_session_allows("GET", "/v1/lbs"));
	assert_true(cloud_ui_session_allows("HEAD", "/v1/builds/x/log"));
	assert_true(cloud_ui_session_allows("GET", "/v1/events"));
	assert_true(cloud_ui_session_allows("GET", "/metrics"));
	assert_true(cloud_ui_session_allows("DELETE", "/ui/session"));
	/* Read-only, and never the Terraform states. */
	assert_false(cloud_ui_session_allows("PUT", "/v1/lbs/web"));
	assert_false(cloud_ui_session_allows("POST", "/v1/projects/site/builds"));
	assert_false(cloud_ui_session_allows("DELETE", "/v1/autoscaling-groups/web"));
	assert_false(cloud_ui_session_allows("GET", "/v1/state/site"));
	assert_false(cloud_ui_session_allows("GET", "/v1/state"));
	assert_false(cloud_ui_session_allows("LOCK", "/v1/state/site"));
	assert_false(cloud_ui_session_allows("GET", "/hooks/github/site"));
}

static void test_assets(void **state)
{
	const char *names[] = {"index.html", "app.js", "app.css", "favicon.svg"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const ui_asset *a = ui_asset_find(names[i]);
		assert_non_null(a);
		assert_true(a->len > 100);
		assert_int_equal(strlen(a->etag), 66); /* quoted SHA-256 */
		assert_int_equal(a->data[a->len], 0);
	}
	const ui_asset *index = ui_asset_find("index.html");
	assert_non_null(strstr((const char *)index->data, "/ui/app.js"));
	/* Nothing from elsewhere. */
	for (size_t i = 0; i < ui_nassets; i++) {
		assert_null(strstr((const char *)ui_assets[i].data, "https://"));
		assert_null(strstr((const char *)ui_assets[i].data, "//cdn"));
	}
	assert_null(ui_asset_find("../etc/passwd"));
	assert_null(ui_asset_find(""));
	assert_string_equal(ui_content_type("app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(ui_content_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(ui_content_type("favicon.svg"), "image/svg+xml");
	assert_string_equal(ui_content_type("x.bin"), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_trusted),
	        cmocka_unit_test(test_session_allows),
	        cmocka_unit_test(test_assets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
