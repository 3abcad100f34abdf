/*
 * Fuzz target: what the proxy forwards must be what the strict parser
 * accepts, and mean the same thing. Every request head that parses is
 * rewritten (lb_rewrite_request) and parsed again: the result must parse,
 * with the same method, path, body framing and upgrade, no hop-by-hop field
 * left but those the proxy adds itself, and exactly one X-Forwarded-For
 * ending with the client. The input is also read as a response head and
 * rewritten for the client, and that must parse with the same status.
 */
#include "http/http.h"
#include "lb/lb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static http_msg in, out;

static bool str_eq(http_str a, http_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void check_request(const char *buf, size_t len)
{
	http_parser p;
	http_parser_init(&p);
	if (http_parse_request(&p, &in, buf, len, &http_limits_default) <= 0)
		return;
	if (in.method == HTTP_CONNECT)
		return; /* refused by the proxy, never rewritten */
	gf_buf fwd = GF_BUF_INIT;
	lb_fwd f = {.client_ip = "192.0.2.1", .proto = "http", .target_host = "127.0.0.1:1"};
	if (lb_rewrite_request(&fwd, &in, &f) < 0)
		abort();
	http_limits big = {
	        .max_line = 1 << 20, .max_headers = HTTP_MAX_HEADERS, .max_head = 1 << 20};
	http_parser_init(&p);
	int rc = http_parse_request(&p, &out, fwd.ptr, fwd.len, &big);
	/* A request with nearly HTTP_MAX_HEADERS fields may not have room for
	 * the proxy's own: that is the only acceptable refusal. */
	if (rc != (int)fwd.len && !(rc == GF_EINVALID && in.nheaders + 5 > HTTP_MAX_HEADERS))
		abort();
	if (rc > 0) {
		http_framing a = http_request_framing(&in), b = http_request_framing(&out);
		/* "http://h?q" goes out as "/?q". */
		http_str path = out.path;
		if (in.form == HTTP_FORM_ABSOLUTE && (in.path.len == 0 || in.path.ptr[0] != '/') &&
		    path.len > 0) {
			path.ptr++;
			path.len--;
		}
		if (!str_eq(in.method_name, out.method_name) || !str_eq(in.path, path) ||
		    a.kind != b.kind || a.length != b.length || in.upgrade != out.upgrade)
			abort();
		size_t from = 0, nxff = 0;
		const http_header *h;
		while ((h = http_find(&out, "x-forwarded-for", &from)) != NULL)
			nxff++;
		if (nxff != 1)
			abort();
		for (size_t i = 0; i < out.nheaders; i++) {
			http_str n = out.headers[i].name;
			if (http_is_hop_by_hop(&out, n) && !http_str_ieq(n, "connection") &&
			    !http_str_ieq(n, "upgrade") && !http_str_ieq(n, "transfer-encoding"))
				abort();
		}
	}
	gf_buf_dispose(&fwd);
}

static void check_response(const char *buf, size_t len)
{
	http_parser p;
	http_parser_init(&p);
	if (http_parse_response(&p, &in, buf, len, &http_limits_default) <= 0)
		return;
	gf_buf back = GF_BUF_INIT;
	bool chunked = in.chunked;
	if (lb_rewrite_response(&back, &in, false, false, chunked) < 0)
		abort();
	http_parser_init(&p);
	int rc = http_parse_response(&p, &out, back.ptr, back.len, &http_limits_default);
	if (rc == (int)back.len && out.status != in.status)
		abort();
	gf_buf_dispose(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	check_request((const char *)data, size);
	check_response((const char *)data, size);
	return 0;
}
