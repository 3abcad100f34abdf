/* Unit tests of src/http: heads, smuggling vectors, framing, chunked, utilities.
 * Every head and chunked input is decoded both in one piece and one byte at
 * a time, and the two results must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static http_msg *msg_new(void)
{
	return gf_xcalloc(1, sizeof(http_msg));
}

/* Parses s whole and byte by byte; asserts both agree; returns the result
 * of the whole parse, with *m holding it. */
static int parse_both(http_msg *m, const char *s, size_t n, const http_limits *lim, bool request)
{
	http_parser p;
	http_msg *b = msg_new();
	int rc_b = GF_EAGAIN;
	http_parser_init(&p);
	for (size_t i = 1; i <= n; i++) {
		rc_b = request ? http_parse_request(&p, b, s, i, lim)
		               : http_parse_response(&p, b, s, i, lim);
		if (rc_b != GF_EAGAIN)
			break;
	}
	http_parser_init(&p);
	int rc = request ? http_parse_request(&p, m, s, n, lim)
	                 : http_parse_response(&p, m, s, n, lim);
	assert_int_equal(rc, rc_b);
	if (rc == GF_EINVALID)
		assert_int_equal(m->err_status, b->err_status);
	if (rc > 0)
		assert_int_equal(m->nheaders, b->nheaders);
	free(b);
	return rc;
}

static int req(http_msg *m, const char *s)
{
	return parse_both(m, s, strlen(s), NULL, true);
}

static int res(http_msg *m, const char *s)
{
	return parse_both(m, s, strlen(s), NULL, false);
}

/* The status a request is rejected with, 0 if it is accepted. */
static int rejects(const char *s)
{
	http_msg *m = msg_new();
	int rc = req(m, s);
	int status = rc > 0 ? 0 : rc == GF_EINVALID ? m->err_status : -1;
	free(m);
	return status;
}

static void test_simple_request(void **state)
{
	http_msg *m = msg_new();
	const char *s = "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\n"
	                "Accept:  text/html \t\r\n\r\n";
	assert_int_equal(req(m, s), (int)strlen(s));
	assert_int_equal(m->method, HTTP_GET);
	assert_true(http_str_eq(m->method_name, "GET"));
	assert_true(http_str_eq(m->target, "/a/b?c=d"));
	assert_true(http_str_eq(m->path, "/a/b?c=d"));
	assert_true(http_str_eq(m->authority, "example.com"));
	assert_int_equal(m->form, HTTP_FORM_ORIGIN);
	assert_int_equal(m->version, 11);
	assert_int_equal(m->nheaders, 3);
	assert_true(http_str_eq(m->headers[1].value, ""));
	assert_true(http_str_eq(m->headers[2].value, "text/html"));
	const http_header *h = http_find(m, "accept", NULL);
	assert_non_null(h);
	assert_true(http_str_eq(h->name, "Accept"));
	assert_true(m->keep_alive);
	assert_int_equal(m->content_length, -1);
	assert_int_equal(http_request_framing(m).kind, HTTP_BODY_NONE);
	free(m);
}

static void test_incomplete_and_leading_crlf(void **state)
{
	http_msg *m = msg_new();
	http_parser p;
	http_parser_init(&p);
	const char *s = "\r\n\r\nHEAD / HTTP/1.0\r\n\r\n";
	assert_int_equal(http_parse_request(&p, m, s, 2, NULL), GF_EAGAIN);
	assert_int_equal(http_parse_request(&p, m, s, 10, NULL), GF_EAGAIN);
	assert_int_equal(http_parse_request(&p, m, s, strlen(s) - 1, NULL), GF_EAGAIN);
	assert_int_equal(http_parse_request(&p, m, s, strlen(s), NULL), (int)strlen(s));
	assert_int_equal(m->method, HTTP_HEAD);
	assert_int_equal(m->version, 10);
	assert_false(m->keep_alive);
	free(m);
}

static void test_pipelined(void **state)
{
	http_msg *m = msg_new();
	http_parser p;
	http_parser_init(&p);
	const char *s = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
	                "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
	                "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
	size_t off = 0, len = strlen(s);
	int rc = http_parse_request(&p, m, s, len, NULL);
	assert_true(rc > 0);
	assert_true(http_str_eq(m->path, "/1"));
	off += (size_t)rc;
	rc = http_parse_request(&p, m, s + off, len - off, NULL);
	assert_true(rc > 0);
	assert_true(http_str_eq(m->path, "/2"));
	http_framing f = http_request_framing(m);
	assert_int_equal(f.kind, HTTP_BODY_LENGTH);
	assert_int_equal(f.length, 3);
	off += (size_t)rc + 3;
	rc = http_parse_request(&p, m, s + off, len - off, NULL);
	assert_int_equal(rc, (int)(len - off));
	assert_true(http_str_eq(m->path, "/3"));
	assert_false(m->keep_alive);
	free(m);
}

static void test_request_line(void **state)
{
	assert_int_equal(rejects("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET /  HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("G@T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / http/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.10\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET /\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
	assert_int_equal(rejects("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 505);
	assert_int_equal(rejects("GET / HTTP/0.9\r\n\r\n"), 505);
	assert_int_equal(rejects("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	assert_int_equal(rejects("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("FOO /x HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	http_msg *m = msg_new();
	assert_true(req(m, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n") >
	            0);
	assert_int_equal(m->form, HTTP_FORM_AUTHORITY);
	assert_true(http_str_eq(m->authority, "example.com:443"));
	free(m);
}

static void test_absolute_form(void **state)
{
	http_msg *m = msg_new();
	assert_true(req(m, "GET http://Example.com:8080/x?y HTTP/1.1\r\nHost: other\r\n\r\n") > 0);
	assert_int_equal(m->form, HTTP_FORM_ABSOLUTE);
	assert_true(http_str_eq(m->authority, "Example.com:8080"));
	assert_true(http_str_eq(m->path, "/x?y"));
	assert_true(req(m, "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n") > 0);
	assert_true(http_str_eq(m->path, "/"));
	/* No path but a query: the slice is "?q", as http.h documents. */
	assert_true(req(m, "GET http://example.com?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n") > 0);
	assert_true(http_str_eq(m->path, "?q=1"));
	free(m);
	assert_int_equal(rejects("GET ftp://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET http:/x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	/* Absolute form still needs Host in HTTP/1.1 (RFC 9112 §3.2). */
	assert_int_equal(rejects("GET http://a/ HTTP/1.1\r\n\r\n"), 400);
}

static void test_host(void **state)
{
	assert_int_equal(rejects("GET / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.0\r\n\r\n"), 0);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a:b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), 0);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n"), 0);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0);
}

static void test_field_syntax(void **state)
{
	/* obs-fold, and whitespace before the first field line */
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400);
	/* names: tchar only, no whitespace before the colon */
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX Y: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX\"Y: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"), 400);
	/* values: no CR, NUL, or controls; obs-text is allowed */
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"), 0);
	http_msg *m = msg_new();
	static const char nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
	assert_int_equal(parse_both(m, nul, sizeof(nul) - 1, NULL, true), GF_EINVALID);
	assert_int_equal(m->err_status, 400);
	static const char nul_name[] = "GET / HTTP/1.1\r\nHost: a\r\nX\0: a\r\n\r\n";
	assert_int_equal(parse_both(m, nul_name, sizeof(nul_name) - 1, NULL, true), GF_EINVALID);
	free(m);
}

static void test_bare_lf(void **state)
{
	assert_int_equal(rejects("GET / HTTP/1.1\nHost: a\n\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\n\r\n"), 400);
	assert_int_equal(rejects("GET / HTTP/1.1\r\nHost: a\r\n\n"), 400);
	assert_int_equal(rejects("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	/* Detected as soon as the LF arrives, without waiting for the head. */
	http_msg *m = msg_new();
	http_parser p;
	http_parser_init(&p);
	assert_int_equal(http_parse_request(&p, m, "GET / HTTP/1.1\n", 15, NULL), GF_EINVALID);
	free(m);
}

static void test_content_length(void **state)
{
	http_msg *m = msg_new();
	assert_true(req(m, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n") > 0);
	assert_int_equal(m->content_length, 5);
	assert_true(req(m, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n"
	                   "Content-Length: 7\r\n\r\n") > 0);
	assert_int_equal(m->content_length, 7);
	assert_true(req(m, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") > 0);
	assert_int_equal(http_request_framing(m).kind, HTTP_BODY_NONE);
	assert_true(req(m, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n"
	                   "\r\n") > 0);
	assert_int_equal(m->content_length, 999999999999999999LL);
	free(m);
	const char *bad[] = {"5, 6",
	                     "+5",
	                     "-1",
	                     "0x5",
	                     "5a",
	                     "",
	                     " ,",
	                     "1 2",
	                     "5.0",
	                     "1000000000000000000",
	                     "99999999999999999999999"};
	for (size_t i = 0; i < GF_ARRAY_LEN(bad); i++) {
		char s[256];
		snprintf(s, sizeof(s), "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n",
		         bad[i]);
		assert_int_equal(rejects(s), 400);
	}
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	                         "Content-Length: 6\r\n\r\n"),
	                 400);
}

static void test_transfer_encoding(void **state)
{
	http_msg *m = msg_new();
	assert_true(req(m, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n") > 0);
	assert_true(m->chunked);
	assert_int_equal(http_request_framing(m).kind, HTTP_BODY_CHUNKED);
	free(m);
	/* CL and TE together: the classic CL.TE / TE.CL smuggling vector */
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	                         "Transfer-Encoding: chunked\r\n\r\n"),
	                 400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	                         "Content-Length: 0\r\n\r\n"),
	                 400);
	assert_int_equal(
	        rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
	                "\r\n"),
	        501);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
	                         "Transfer-Encoding: chunked\r\n\r\n"),
	                 501);
	assert_int_equal(
	        rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n"
	                "\r\n"),
	        400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	                         "Transfer-Encoding: chunked\r\n\r\n"),
	                 400);
	assert_int_equal(
	        rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"), 400);
	assert_int_equal(
	        rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"), 400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n"
	                         "\r\n"),
	                 400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n"
	                         "\r\n"),
	                 400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n"), 400);
	assert_int_equal(rejects("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	assert_int_equal(
	        rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n"), 400);
	assert_int_equal(rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	                         " , identity\r\n\r\n"),
	                 400);
}

static void test_connection(void **state)
{
	http_msg *m = msg_new();
	assert_true(req(m, "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n") >
	            0);
	assert_false(m->keep_alive);
	assert_true(req(m, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0);
	assert_true(m->keep_alive);
	assert_true(req(m, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, X-Secret\r\n"
	                   "Upgrade: websocket\r\nKeep-Alive: timeout=5\r\n\r\n") > 0);
	assert_true(m->upgrade);
	assert_true(http_is_hop_by_hop(m, (http_str){"x-secret", 8}));
	assert_true(http_is_hop_by_hop(m, (http_str){"Keep-Alive", 10}));
	assert_true(http_is_hop_by_hop(m, (http_str){"TE", 2}));
	assert_true(http_is_hop_by_hop(m, (http_str){"Proxy-Connection", 16}));
	assert_false(http_is_hop_by_hop(m, (http_str){"Host", 4}));
	assert_false(http_is_hop_by_hop(m, (http_str){"X-Secre", 7}));
	/* Upgrade without the connection option, or in HTTP/1.0, is no upgrade. */
	assert_true(req(m, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n") > 0);
	assert_false(m->upgrade);
	assert_true(req(m, "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n") > 0);
	assert_false(m->upgrade);
	assert_true(req(m, "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
	                   "Content-Length: 1\r\n\r\n") > 0);
	assert_true(m->expect_continue);
	assert_false(m->expect_other);
	assert_true(req(m, "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n") >
	            0);
	assert_false(m->expect_continue);
	assert_true(req(m, "GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n") > 0);
	assert_true(m->expect_other);
	free(m);
}

static void test_limits(void **state)
{
	http_limits lim = {64, 3, 128};
	http_msg *m = msg_new();
	char s[512];
	snprintf(s, sizeof(s), "GET /%070d HTTP/1.1\r\nHost: a\r\n\r\n", 0);
	assert_int_equal(parse_both(m, s, strlen(s), &lim, true), GF_EINVALID);
	assert_int_equal(m->err_status, 414);
	/* Refused before the line ends: a peer cannot make us buffer it. */
	http_parser p;
	http_parser_init(&p);
	assert_int_equal(http_parse_request(&p, m, s, 65, &lim), GF_EINVALID);
	assert_int_equal(m->err_status, 414);
	http_parser_init(&p);
	assert_int_equal(http_parse_request(&p, m, s, 64, &lim), GF_EAGAIN);
	const char *four = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
	assert_int_equal(parse_both(m, four, strlen(four), &lim, true), GF_EINVALID);
	assert_int_equal(m->err_status, 431);
	const char *three = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
	assert_int_equal(parse_both(m, three, strlen(three), &lim, true), (int)strlen(three));
	snprintf(s, sizeof(s), "GET / HTTP/1.1\r\nHost: a\r\nA: %0120d\r\n\r\n", 0);
	assert_int_equal(parse_both(m, s, strlen(s), &lim, true), GF_EINVALID);
	assert_int_equal(m->err_status, 431);
	http_parser_init(&p);
	assert_int_equal(http_parse_request(&p, m, s, 129, &lim), GF_EINVALID);
	assert_int_equal(m->err_status, 431);
	/* Endless empty lines count towards the head limit too. */
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 100; i++)
		memcpy(s + 2 * i, "\r\n", 2);
	http_parser_init(&p);
	assert_int_equal(http_parse_request(&p, m, s, 200, &lim), GF_EINVALID);
	assert_int_equal(m->err_status, 431);
	free(m);
}

static void test_response(void **state)
{
	http_msg *m = msg_new();
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	assert_int_equal(res(m, s), (int)strlen(s) - 3);
	assert_int_equal(m->status, 200);
	assert_true(http_str_eq(m->reason, "OK"));
	http_framing f = http_response_framing(m, HTTP_GET);
	assert_int_equal(f.kind, HTTP_BODY_LENGTH);
	assert_int_equal(f.length, 3);
	assert_int_equal(http_response_framing(m, HTTP_HEAD).kind, HTTP_BODY_NONE);
	assert_true(m->keep_alive);

	assert_true(res(m, "HTTP/1.1 204 No Content\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_NONE);
	assert_true(res(m, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_NONE);
	assert_true(res(m, "HTTP/1.1 100 Continue\r\n\r\n") > 0);
	assert_int_equal(m->status, 100);
	assert_int_equal(http_response_framing(m, HTTP_PUT).kind, HTTP_BODY_NONE);
	assert_true(res(m, "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
	                   "Upgrade: websocket\r\n\r\n") > 0);
	assert_true(m->upgrade);
	assert_true(res(m, "HTTP/1.1 200 Connection established\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_CONNECT).kind, HTTP_BODY_NONE);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_UNTIL_CLOSE);
	assert_true(res(m, "HTTP/1.0 200\r\n\r\n") > 0);
	assert_false(m->keep_alive);
	assert_int_equal(m->reason.len, 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_UNTIL_CLOSE);
	assert_true(res(m, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_CHUNKED);
	assert_true(res(m, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_UNTIL_CLOSE);
	assert_true(res(m, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n") > 0);
	assert_int_equal(http_response_framing(m, HTTP_GET).kind, HTTP_BODY_NONE);

	const char *bad[] = {
	        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	        "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
	        "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
	        "HTTP/1.1 200 OK\nX: a\n\n",
	        "HTTP/1.1 99 Low\r\n\r\n",
	        "HTTP/1.1 600 High\r\n\r\n",
	        "HTTP/1.1 2000 OK\r\n\r\n",
	        "HTTP/2 200 OK\r\n\r\n",
	        "HTTP/1.1 20x OK\r\n\r\n",
	        "HTTP/1.1  200 OK\r\n\r\n",
	        "HTTP/1.1 200 O\x01K\r\n\r\n",
	        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
	        "http/1.1 200 OK\r\n\r\n",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(bad); i++) {
		assert_int_equal(res(m, bad[i]), GF_EINVALID);
		assert_int_equal(m->err_status, 502);
	}
	free(m);
}

/* ---- chunked ----------------------------------------------------------- */

/* Decodes `in` fed in windows of `step` bytes. Collects the data into
 * out/out_len and the bytes used up to the end into *used. */
static int decode(const char *in, size_t len, size_t step, char *out, size_t *out_len, size_t *used)
{
	http_chunked c;
	http_chunked_init(&c, NULL);
	size_t pos = 0;
	*out_len = 0;
	while (pos < len) {
		size_t n = GF_MIN(step, len - pos), off = 0;
		while (off < n) {
			size_t k = 0;
			http_str d = {NULL, 0};
			int rc = http_chunked_decode(&c, in + pos + off, n - off, &k, &d);
			off += k;
			if (rc == HTTP_CHUNK_DATA) {
				assert_true(d.len > 0);
				memcpy(out + *out_len, d.ptr, d.len);
				*out_len += d.len;
			} else if (rc == HTTP_CHUNK_DONE) {
				*used = pos + off;
				return rc;
			} else if (rc < 0 && rc != GF_EAGAIN) {
				return rc;
			}
		}
		pos += n;
	}
	*used = len;
	return GF_EAGAIN;
}

/* Decodes whole and byte by byte; both must give the same answer. */
static int chunked(const char *in, size_t len, char *out, size_t *out_len, size_t *used)
{
	char out1[1024];
	size_t len1 = 0, used1 = 0;
	int rc1 = decode(in, len, 1, out1, &len1, &used1);
	int rc = decode(in, len, len ? len : 1, out, out_len, used);
	assert_int_equal(rc, rc1);
	if (rc == HTTP_CHUNK_DONE) {
		assert_int_equal(*used, used1);
		assert_int_equal(*out_len, len1);
		assert_memory_equal(out, out1, len1);
	}
	return rc;
}

static void expect_body(const char *in, const char *body, size_t extra)
{
	char out[1024];
	size_t n = 0, used = 0;
	assert_int_equal(chunked(in, strlen(in), out, &n, &used), HTTP_CHUNK_DONE);
	assert_int_equal(used, strlen(in) - extra);
	assert_int_equal(n, strlen(body));
	assert_memory_equal(out, body, n);
}

static void expect_bad_chunked(const char *in)
{
	char out[1024];
	size_t n = 0, used = 0;
	if (chunked(in, strlen(in), out, &n, &used) != GF_EINVALID)
		fail_msg("accepted chunked input: %s", in);
}

static void test_chunked_decode(void **state)
{
	expect_body("5\r\nhello\r\n0\r\n\r\n", "hello", 0);
	expect_body("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0);
	expect_body("0\r\n\r\n", "", 0);
	expect_body("A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0);
	expect_body("a\r\n0123456789\r\n0000\r\n\r\n", "0123456789", 0);
	expect_body("0005\r\nhello\r\n0\r\n\r\n", "hello", 0);
	/* extensions: names, token and quoted values, BWS around ';' and '=' */
	expect_body("5;a\r\nhello\r\n0;b=c\r\n\r\n", "hello", 0);
	expect_body("5 ; a = b ;c=\"x \\\" y\"\r\nhello\r\n0\r\n\r\n", "hello", 0);
	expect_body("5;a=\"\"\r\nhello\r\n0\r\n\r\n", "hello", 0);
	/* trailers */
	expect_body("5\r\nhello\r\n0\r\nX-Sum: abc\r\nY:\r\n\r\n", "hello", 0);
	/* a pipelined message after the body is left alone */
	expect_body("1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "x", 16);

	expect_bad_chunked("-5\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("+5\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("0x5\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked(" 5\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5 \r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5\rhello\r\n0\r\n\r\n");
	expect_bad_chunked("5\r\nhelloX\r\n0\r\n\r\n");
	expect_bad_chunked("5\r\nhello\n0\r\n\r\n");
	expect_bad_chunked("5\r\nhello\r\n0\r\n\n");
	expect_bad_chunked("5\r\nhello\r\n0\n\r\n");
	expect_bad_chunked("g\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("10000000000000000\r\n");
	expect_bad_chunked("fffffffffffffffff\r\n");
	expect_bad_chunked("5;\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;=b\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a=\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a \r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a=b \r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a=\"open\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a=\"x\"y\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5;a@b\r\nhello\r\n0\r\n\r\n");
	expect_bad_chunked("5\r\nhello\r\n0\r\n X: y\r\n\r\n");
	expect_bad_chunked("5\r\nhello\r\n0\r\nX : y\r\n\r\n");
	expect_bad_chunked("5\r\nhello\r\n0\r\nX: a\rb\r\n\r\n");
	expect_bad_chunked("5\r\nhello\r\n0\r\nX\r\n\r\n");

	/* sizes up to 2^60 - 1 are accepted, and need that much data */
	char out[64];
	size_t n, used;
	assert_int_equal(chunked("fffffffffffffff\r\nab", 19, out, &n, &used), GF_EAGAIN);
	assert_int_equal(n, 2);

	/* endless leading zeros are cut off */
	char *zeros = gf_xmalloc(5000);
	memset(zeros, '0', 5000);
	assert_int_equal(chunked(zeros, 5000, out, &n, &used), GF_EINVALID);
	free(zeros);
}

static void test_chunked_after_done_and_error(void **state)
{
	http_chunked c;
	http_chunked_init(&c, NULL);
	size_t k;
	http_str d;
	assert_int_equal(http_chunked_decode(&c, "0\r\n\r\nrest", 9, &k, &d), HTTP_CHUNK_DONE);
	assert_int_equal(k, 5);
	assert_int_equal(http_chunked_decode(&c, "rest", 4, &k, &d), HTTP_CHUNK_DONE);
	assert_int_equal(k, 0);
	http_chunked_init(&c, NULL);
	assert_int_equal(http_chunked_decode(&c, "z", 1, &k, &d), GF_EINVALID);
	assert_int_equal(http_chunked_decode(&c, "0\r\n\r\n", 5, &k, &d), GF_EINVALID);
	/* The trailer section has a cap. */
	http_limits lim = {64, 10, 32};
	http_chunked_init(&c, &lim);
	const char *t = "0\r\nX-Long-Trailer: 0123456789012345678901234567890123\r\n\r\n";
	assert_int_equal(http_chunked_decode(&c, t, strlen(t), &k, &d), GF_EINVALID);
}

static void test_chunk_encode(void **state)
{
	char h[HTTP_CHUNK_HEADER_MAX];
	size_t n = http_chunk_header(h, 255);
	assert_int_equal(n, 4);
	assert_memory_equal(h, "ff\r\n", 4);
	n = http_chunk_header(h, 0);
	assert_memory_equal(h, "0\r\n", n);
	n = http_chunk_header(h, UINT64_MAX);
	assert_int_equal(n, HTTP_CHUNK_HEADER_MAX);
	assert_memory_equal(h, "ffffffffffffffff\r\n", n);
	/* What we encode, we decode. */
	char enc[256], out[256];
	size_t len = http_chunk_header(enc, 11);
	memcpy(enc + len, "hello world\r\n" HTTP_CHUNK_LAST, 13 + 5);
	len += 18;
	size_t used;
	assert_int_equal(chunked(enc, len, out, &n, &used), HTTP_CHUNK_DONE);
	assert_int_equal(n, 11);
	assert_int_equal(used, len);
}

/* ---- utilities --------------------------------------------------------- */

static void test_list_next(void **state)
{
	const char *v = " , a ,b,, \"x,y\" ,\t c\t";
	http_str rest = {v, strlen(v)}, item;
	const char *want[] = {"a", "b", "\"x,y\"", "c"};
	for (size_t i = 0; i < GF_ARRAY_LEN(want); i++) {
		assert_true(http_list_next(&rest, &item));
		assert_true(http_str_eq(item, want[i]));
	}
	assert_false(http_list_next(&rest, &item));
}

static void test_pct_decode(void **state)
{
	char out[64];
	size_t n;
	assert_int_equal(http_pct_decode(out, &n, "/a%20b%2Fc%2e+", 14), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "/a b/c.+", 8);
	assert_int_equal(http_pct_decode(out, &n, "%00", 3), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(http_pct_decode(out, &n, "%2", 2), GF_EINVALID);
	assert_int_equal(http_pct_decode(out, &n, "%", 1), GF_EINVALID);
	assert_int_equal(http_pct_decode(out, &n, "%g0", 3), GF_EINVALID);
	char inplace[] = "%41%42c";
	assert_int_equal(http_pct_decode(inplace, &n, inplace, 7), 0);
	assert_memory_equal(inplace, "ABc", 3);
}

static void test_dates(void **state)
{
	char d[HTTP_DATE_LEN + 1];
	http_date_format(d, 784111777);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_date_format(d, 0);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_date_format(d, 951782400); /* leap day of 2000 */
	assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 GMT");
	time_t t;
	const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
	                       "Sun Nov  6 08:49:37 1994"};
	for (size_t i = 0; i < GF_ARRAY_LEN(forms); i++) {
		t = 0;
		assert_int_equal(http_date_parse(&t, forms[i], strlen(forms[i])), 0);
		assert_int_equal(t, 784111777);
	}
	for (time_t x = 0; x < 4102444800; x += 86400 * 37 + 3607) {
		http_date_format(d, x);
		assert_int_equal(http_date_parse(&t, d, HTTP_DATE_LEN), 0);
		assert_int_equal(t, x);
	}
	const char *bad[] = {"Sun, 06 Nov 1994 08:49:37 UTC",
	                     "Sun, 31 Nov 1994 08:49:37 GMT",
	                     "Sun, 29 Feb 1900 08:49:37 GMT",
	                     "Sun, 06 Nov 1994 24:49:37 GMT",
	                     "Sun, 06 Nov 1994 08:49:37 GMT ",
	                     "Xyz, 06 Nov 1994 08:49:37 GMT",
	                     "Sun, 6 Nov 1994 08:49:37 GMT",
	                     "1994-11-06T08:49:37Z",
	                     "",
	                     "Sun Nov 6 08:49:37 1994"};
	for (size_t i = 0; i < GF_ARRAY_LEN(bad); i++)
		assert_int_equal(http_date_parse(&t, bad[i], strlen(bad[i])), GF_EINVALID);
}

static void test_reason(void **state)
{
	assert_string_equal(http_reason(200), "OK");
	assert_string_equal(http_reason(416), "Range Not Satisfiable");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(299), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_simple_request),
	        cmocka_unit_test(test_incomplete_and_leading_crlf),
	        cmocka_unit_test(test_pipelined),
	        cmocka_unit_test(test_request_line),
	        cmocka_unit_test(test_absolute_form),
	        cmocka_unit_test(test_host),
	        cmocka_unit_test(test_field_syntax),
	        cmocka_unit_test(test_bare_lf),
	        cmocka_unit_test(test_content_length),
	        cmocka_unit_test(test_transfer_encoding),
	        cmocka_unit_test(test_connection),
	        cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_response),
	        cmocka_unit_test(test_chunked_decode),
	        cmocka_unit_test(test_chunked_after_done_and_error),
	        cmocka_unit_test(test_chunk_encode),
	        cmocka_unit_test(test_list_next),
	        cmocka_unit_test(test_pct_decode),
	        cmocka_unit_test(test_dates),
	        cmocka_unit_test(test_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
