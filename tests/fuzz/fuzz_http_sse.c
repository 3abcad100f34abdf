/*
 * Fuzz target: the event-stream parser of http/api.h (the client side of
 * server-sent events). The input is parsed in one piece and then fed in
 * pieces whose sizes come from the input itself; the events seen must be
 * the same (a CR LF split across reads is one line end). Every event is
 * then framed again with http_sse_format and parsed back: the data must
 * survive the round trip.
 */
#include "http/api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	gf_buf log;
	int n;
} events;

static int record(const http_sse_event *ev, void *payload)
{
	events *e = payload;
	if (!ev->id || !ev->event || !ev->data)
		abort();
	/* Lengths first, so that different events cannot log the same. */
	gf_buf_printf(&e->log, "%zu:%s|%zu:%s|%zu:", strlen(ev->id), ev->id, strlen(ev->event),
	              ev->event, strlen(ev->data));
	gf_buf_puts(&e->log, ev->data);
	e->n++;
	return 0;
}

static int keep_data(const http_sse_event *ev, void *payload)
{
	gf_buf *b = payload;
	if (b->ptr)
		abort(); /* one event framed, one parsed */
	gf_buf_puts(b, ev->data);
	return 0;
}

/* Checks that one event's data survives framing and parsing. */
static int round_trip(const http_sse_event *ev, void *payload)
{
	gf_buf framed = GF_BUF_INIT;
	if (http_sse_format(&framed, NULL, NULL, ev->data) != 0)
		abort();
	http_sse_parser p;
	gf_buf back = GF_BUF_INIT;
	http_sse_parser_init(&p);
	if (http_sse_parser_feed(&p, framed.ptr, framed.len, keep_data, &back) != 0)
		abort();
	/* Line ends inside data come back as LF: compare with CR LF and CR
	 * normalised the same way. */
	gf_buf want = GF_BUF_INIT;
	for (const char *s = ev->data; *s; s++) {
		if (*s == '\r') {
			gf_buf_putc(&want, '\n');
			if (s[1] == '\n')
				s++;
		} else {
			gf_buf_putc(&want, *s);
		}
	}
	if (strcmp(gf_buf_cstr(&back), gf_buf_cstr(&want)) != 0)
		abort();
	gf_buf_dispose(&want);
	gf_buf_dispose(&back);
	gf_buf_dispose(&framed);
	http_sse_parser_dispose(&p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	http_sse_parser a, b, c;
	events whole = {GF_BUF_INIT, 0}, split = {GF_BUF_INIT, 0};
	http_sse_parser_init(&a);
	http_sse_parser_init(&b);
	http_sse_parser_init(&c);
	int rc = http_sse_parser_feed(&a, in, size, record, &whole);
	int rc2 = 0;
	size_t off = 0;
	for (size_t i = 0; off < size && rc2 == 0; i++) {
		size_t step = 1 + (size_t)data[i % size] % 7;
		step = GF_MIN(step, size - off);
		rc2 = http_sse_parser_feed(&b, in + off, step, record, &split);
		off += step;
	}
	if (rc != rc2 || whole.n != split.n ||
	    strcmp(gf_buf_cstr(&whole.log), gf_buf_cstr(&split.log)) != 0)
		abort();
	if (rc == 0)
		http_sse_parser_feed(&c, in, size, round_trip, NULL);
	gf_buf_dispose(&whole.log);
	gf_buf_dispose(&split.log);
	http_sse_parser_dispose(&a);
	http_sse_parser_dispose(&b);
	http_sse_parser_dispose(&c);
	return 0;
}
