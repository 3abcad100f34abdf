/*
 * Fuzz target: request heads and request bodies. Every input is parsed in
 * one piece and then fed one byte at a time; the two must agree (the
 * incremental parser must not depend on how the bytes arrive). A parsed
 * head's slices must lie inside the input. Pipelined requests and chunked
 * bodies that follow are decoded too.
 */
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(http_str s, const char *buf, size_t len)
{
	if (s.len && (s.ptr < buf || s.ptr + s.len > buf + len) && !(s.len == 1 && s.ptr[0] == '/'))
		abort();
}

static http_msg whole, split;

static size_t one_message(const char *buf, size_t len, const http_limits *lim)
{
	http_parser p;
	http_parser_init(&p);
	int rc = http_parse_request(&p, &whole, buf, len, lim);
	int rc2 = GF_EAGAIN;
	http_parser_init(&p);
	for (size_t i = 1; i <= len && rc2 == GF_EAGAIN; i++)
		rc2 = http_parse_request(&p, &split, buf, i, lim);
	if (rc != rc2)
		abort();
	if (rc == GF_EINVALID && whole.err_status != split.err_status)
		abort();
	if (rc <= 0)
		return 0;
	if ((size_t)rc > len || whole.nheaders > lim->max_headers)
		abort();
	check_slice(whole.target, buf, len);
	check_slice(whole.path, buf, len);
	check_slice(whole.authority, buf, len);
	for (size_t i = 0; i < whole.nheaders; i++) {
		check_slice(whole.headers[i].name, buf, len);
		check_slice(whole.headers[i].value, buf, len);
		(void)http_is_hop_by_hop(&whole, whole.headers[i].name);
	}
	size_t used = (size_t)rc;
	http_framing f = http_request_framing(&whole);
	if (f.kind == HTTP_BODY_LENGTH)
		return f.length > len - used ? 0 : used + (size_t)f.length;
	if (f.kind == HTTP_BODY_CHUNKED) {
		http_chunked c;
		http_chunked_init(&c, lim);
		for (;;) {
			size_t k = 0;
			http_str d;
			int r = http_chunked_decode(&c, buf + used, len - used, &k, &d);
			if (k > len - used)
				abort();
			used += k;
			if (r == HTTP_CHUNK_DONE)
				return used;
			if (r != HTTP_CHUNK_DATA)
				return 0;
			check_slice(d, buf, len);
		}
	}
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const http_limits small = {64, 8, 256};
	const char *buf = (const char *)data;
	/* The first byte picks the limits, to reach the 414/431 paths. */
	const http_limits *lim = size && data[0] == 'S' ? &small : &http_limits_default;
	size_t off = 0;
	for (int n = 0; n < 16 && off < size; n++) {
		size_t used = one_message(buf + off, size - off, lim);
		if (used == 0)
			break;
		off += used;
	}
	return 0;
}
