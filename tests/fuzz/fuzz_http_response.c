/*
 * Fuzz target: response heads and their bodies as a proxy reads them. The
 * first byte picks the request method (HEAD or GET) the response answers;
 * the rest is a response head followed by its body. The chunked decoder is
 * run over the body in one piece and in windows of every size from 1 to 7
 * bytes; all runs must yield the same data and stop at the same byte.
 */
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes in windows of `step`; returns the result, data hash and bytes used. */
static int decode(const char *in, size_t len, size_t step, uint64_t *hash, size_t *data_len,
                  size_t *used)
{
	http_chunked c;
	http_chunked_init(&c, NULL);
	*hash = 1469598103934665603ULL;
	*data_len = 0;
	size_t pos = 0;
	while (pos < len) {
		size_t n = len - pos < step ? len - pos : step, off = 0;
		while (off < n) {
			size_t k = 0;
			http_str d;
			int rc = http_chunked_decode(&c, in + pos + off, n - off, &k, &d);
			if (k > n - off)
				abort();
			off += k;
			if (rc == HTTP_CHUNK_DATA) {
				if (d.len == 0 || d.ptr < in || d.ptr + d.len > in + len)
					abort();
				for (size_t i = 0; i < d.len; i++)
					*hash = (*hash ^ (unsigned char)d.ptr[i]) *
					        1099511628211ULL;
				*data_len += d.len;
			} else if (rc == HTTP_CHUNK_DONE) {
				*used = pos + off;
				return rc;
			} else if (rc != GF_EAGAIN) {
				*used = pos + off;
				return rc;
			}
		}
		pos += n;
	}
	*used = len;
	return GF_EAGAIN;
}

static http_msg whole, split;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	http_method method = data[0] & 1 ? HTTP_HEAD : HTTP_GET;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	http_parser p;
	http_parser_init(&p);
	int rc = http_parse_response(&p, &whole, buf, len, NULL);
	int rc2 = GF_EAGAIN;
	http_parser_init(&p);
	for (size_t i = 1; i <= len && rc2 == GF_EAGAIN; i++)
		rc2 = http_parse_response(&p, &split, buf, i, NULL);
	if (rc != rc2)
		abort();
	/* Without a valid head, still exercise the decoder on the raw bytes. */
	size_t off = rc > 0 ? (size_t)rc : 0;
	if (rc > 0) {
		if (whole.status < 100 || whole.status > 599)
			abort();
		http_framing f = http_response_framing(&whole, method);
		if (f.kind != HTTP_BODY_CHUNKED)
			return 0;
	}
	uint64_t h0, h;
	size_t n0, n, u0, u;
	int r0 = decode(buf + off, len - off, len - off + 1, &h0, &n0, &u0);
	for (size_t step = 1; step <= 7; step++) {
		int r = decode(buf + off, len - off, step, &h, &n, &u);
		if (r != r0 || (r == HTTP_CHUNK_DONE && (h != h0 || n != n0 || u != u0)))
			abort();
		if (r == GF_EAGAIN && (h != h0 || n != n0))
			abort();
	}
	return 0;
}
