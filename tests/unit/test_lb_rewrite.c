/* Unit tests of src/lb's header rewriting: hop-by-hop fields removed,
 * X-Forwarded-* added, upgrade and chunked framing kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb/lb.h"

#include <stdlib.h>
#include <string.h>

static http_msg msg;

static void parse_req(const char *raw)
{
	http_parser p;
	http_parser_init(&p);
	int r = http_parse_request(&p, &msg, raw, strlen(raw), &http_limits_default);
	assert_int_equal(r, (int)strlen(raw));
}

static void parse_res(const char *raw)
{
	http_parser p;
	http_parser_init(&p);
	int r = http_parse_response(&p, &msg, raw, strlen(raw), &http_limits_default);
	assert_int_equal(r, (int)strlen(raw));
}

static char *rewrite_req(const char *raw)
{
	parse_req(raw);
	gf_buf out = GF_BUF_INIT;
	lb_fwd f = {.client_ip = "192.0.2.9", .proto = "http", .target_host = "127.0.0.1:8080"};
	assert_int_equal(lb_rewrite_request(&out, &msg, &f), 0);
	return gf_buf_detach(&out);
}

static void test_hop_by_hop_removed(void **state)
{
	char *out = rewrite_req("GET /a?b=1 HTTP/1.1\r\n"
	                        "Host: example.test\r\n"
	                        "Connection: keep-alive, X-Secret\r\n"
	                        "Keep-Alive: timeout=5\r\n"
	                        "X-Secret: 1\r\n"
	                        "Proxy-Connection: keep-alive\r\n"
	                        "TE: trailers\r\n"
	                        "Accept: */*\r\n"
	                        "\r\n");
	assert_string_equal(out, "GET /a?b=1 HTTP/1.1\r\n"
	                         "Host: example.test\r\n"
	                         "Accept: */*\r\n"
	                         "X-Forwarded-For: 192.0.2.9\r\n"
	                         "X-Forwarded-Proto: http\r\n"
	                         "X-Forwarded-Host: example.test\r\n"
	                         "\r\n");
	free(out);
}

static void test_forwarded_for_appends(void **state)
{
	char *out = rewrite_req("POST /p HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "X-Forwarded-For: 203.0.113.1, 198.51.100.2\r\n"
	                        "X-Forwarded-For: 10.0.0.1\r\n"
	                        "X-Forwarded-Proto: https\r\n"
	                        "X-Forwarded-Host: evil\r\n"
	                        "Content-Length: 3\r\n"
	                        "\r\n");
	assert_string_equal(out,
	                    "POST /p HTTP/1.1\r\n"
	                    "Host: h\r\n"
	                    "Content-Length: 3\r\n"
	                    "X-Forwarded-For: 203.0.113.1, 198.51.100.2, 10.0.0.1, 192.0.2.9\r\n"
	                    "X-Forwarded-Proto: http\r\n"
	                    "X-Forwarded-Host: h\r\n"
	                    "\r\n");
	free(out);
}

static void test_chunked_and_upgrade_kept(void **state)
{
	char *out = rewrite_req("POST /u HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "Transfer-Encoding: chunked\r\n"
	                        "\r\n");
	assert_non_null(strstr(out, "\r\nTransfer-Encoding: chunked\r\n"));
	free(out);
	out = rewrite_req("GET /ws HTTP/1.1\r\n"
	                  "Host: h\r\n"
	                  "Connection: Upgrade\r\n"
	                  "Upgrade: websocket\r\n"
	                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	                  "\r\n");
	assert_non_null(strstr(out, "\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"));
	assert_non_null(strstr(out, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
	free(out);
}

static void test_absolute_form_and_http10(void **state)
{
	char *out = rewrite_req("GET http://other.test/x HTTP/1.1\r\n"
	                        "Host: ignored.test\r\n"
	                        "\r\n");
	assert_string_equal(out, "GET /x HTTP/1.1\r\n"
	                         "Host: other.test\r\n"
	                         "X-Forwarded-For: 192.0.2.9\r\n"
	                         "X-Forwarded-Proto: http\r\n"
	                         "X-Forwarded-Host: other.test\r\n"
	                         "\r\n");
	free(out);
	/* HTTP/1.0 without Host: the proxy speaks 1.1 upstream, so it adds one. */
	out = rewrite_req("GET / HTTP/1.0\r\n\r\n");
	assert_string_equal(out, "GET / HTTP/1.1\r\n"
	                         "Host: 127.0.0.1:8080\r\n"
	                         "X-Forwarded-For: 192.0.2.9\r\n"
	                         "X-Forwarded-Proto: http\r\n"
	                         "\r\n");
	free(out);
}

static void test_response(void **state)
{
	parse_res("HTTP/1.1 200 OK\r\n"
	          "Content-Type: text/plain\r\n"
	          "Connection: keep-alive\r\n"
	          "Keep-Alive: timeout=5\r\n"
	          "Transfer-Encoding: chunked\r\n"
	          "\r\n");
	gf_buf out = GF_BUF_INIT;
	assert_int_equal(lb_rewrite_response(&out, &msg, false, false, true), 0);
	assert_string_equal(out.ptr, "HTTP/1.1 200 OK\r\n"
	                             "Content-Type: text/plain\r\n"
	                             "Transfer-Encoding: chunked\r\n"
	                             "\r\n");
	gf_buf_clear(&out);
	assert_int_equal(lb_rewrite_response(&out, &msg, true, false, false), 0);
	assert_string_equal(out.ptr, "HTTP/1.1 200 OK\r\n"
	                             "Content-Type: text/plain\r\n"
	                             "Connection: close\r\n"
	                             "\r\n");
	gf_buf_clear(&out);
	assert_int_equal(lb_rewrite_response(&out, &msg, false, true, false), 0);
	assert_non_null(strstr(out.ptr, "Connection: keep-alive\r\n"));
	gf_buf_clear(&out);
	parse_res("HTTP/1.1 101 Switching Protocols\r\n"
	          "Upgrade: websocket\r\n"
	          "Connection: Upgrade\r\n"
	          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	          "\r\n");
	assert_int_equal(lb_rewrite_response(&out, &msg, false, false, false), 0);
	assert_string_equal(out.ptr, "HTTP/1.1 101 Switching Protocols\r\n"
	                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	                             "Connection: upgrade\r\n"
	                             "Upgrade: websocket\r\n"
	                             "\r\n");
	gf_buf_dispose(&out);
}

static void test_cap(void **state)
{
	parse_req("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	gf_buf out;
	gf_buf_init(&out, 20);
	lb_fwd f = {.client_ip = "192.0.2.9", .proto = "http", .target_host = "x"};
	assert_int_equal(lb_rewrite_request(&out, &msg, &f), GF_ETOOBIG);
	gf_buf_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hop_by_hop_removed),
	        cmocka_unit_test(test_forwarded_for_appends),
	        cmocka_unit_test(test_chunked_and_upgrade_kept),
	        cmocka_unit_test(test_absolute_form_and_http10),
	        cmocka_unit_test(test_response),
	        cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
