/* Server-sent events (the text/event-stream format of the WHATWG HTML
 * standard, §9.2): framing one event, and the client's incremental parser. */
#include "http/api.h"

#include <string.h>

#define SSE_MAX (1u << 20)

int http_sse_format(gf_buf *out, const char *id, const char *event, const char *data)
{
	if ((id && strpbrk(id, "\r\n")) || (event && strpbrk(event, "\r\n")))
		return gf_err_set(GF_EINVALID, "an event id or name cannot contain a line break");
	if (id)
		gf_buf_printf(out, "id: %s\n", id);
	if (event)
		gf_buf_printf(out, "event: %s\n", event);
	/* Every line of data becomes one data: line; the client joins them
	 * back with '\n'. CR LF, CR and LF all end a line in the format. */
	const char *p = data ? data : "";
	for (;;) {
		size_t n = strcspn(p, "\r\n");
		gf_buf_puts(out, "data: ");
		gf_buf_put(out, p, n);
		gf_buf_putc(out, '\n');
		p += n;
		if (!*p)
			break;
		p += p[0] == '\r' && p[1] == '\n' ? 2 : 1;
	}
	return gf_buf_putc(out, '\n');
}

void http_sse_parser_init(http_sse_parser *p)
{
	memset(p, 0, sizeof(*p));
	gf_buf_init(&p->line, SSE_MAX);
	gf_buf_init(&p->data, SSE_MAX);
	gf_buf_init(&p->event, SSE_MAX);
	gf_buf_init(&p->id, SSE_MAX);
}

void http_sse_parser_dispose(http_sse_parser *p)
{
	gf_buf_dispose(&p->line);
	gf_buf_dispose(&p->data);
	gf_buf_dispose(&p->event);
	gf_buf_dispose(&p->id);
}

/* One complete line (without its end). */
static int sse_line(http_sse_parser *p, http_sse_fn fn, void *payload)
{
	const char *line = gf_buf_cstr(&p->line);
	size_t len = p->line.len;
	if (len == 0) {
		if (!p->has_data) {
			gf_buf_clear(&p->event);
			return 0;
		}
		/* The data lines were joined with '\n': drop the last one. */
		p->data.len--;
		p->data.ptr[p->data.len] = '\0';
		http_sse_event ev = {gf_buf_cstr(&p->id),
		                     p->event.len ? gf_buf_cstr(&p->event) : "message",
		                     gf_buf_cstr(&p->data)};
		int rc = fn(&ev, payload);
		gf_buf_clear(&p->data);
		gf_buf_clear(&p->event);
		p->has_data = false;
		return rc;
	}
	if (line[0] == ':')
		return 0;
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : len;
	const char *value = colon ? colon + 1 : line + len;
	if (*value == ' ')
		value++;
	size_t vlen = (size_t)(line + len - value);
	if (nlen == 4 && memcmp(line, "data", 4) == 0) {
		p->has_data = true;
		if (gf_buf_put(&p->data, value, vlen) || gf_buf_putc(&p->data, '\n'))
			return gf_err_set(GF_ETOOBIG, "an event's data is larger than %u bytes",
			                  SSE_MAX);
	} else if (nlen == 5 && memcmp(line, "event", 5) == 0) {
		gf_buf_clear(&p->event);
		gf_buf_put(&p->event, value, vlen);
	} else if (nlen == 2 && memcmp(line, "id", 2) == 0 && !memchr(value, '\0', vlen)) {
		gf_buf_clear(&p->id);
		gf_buf_put(&p->id, value, vlen);
	}
	return 0;
}

int http_sse_parser_feed(http_sse_parser *p, const char *data, size_t len, http_sse_fn fn,
                         void *payload)
{
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];
		if (p->after_cr && ch == '\n') {
			p->after_cr = false;
			continue;
		}
		p->after_cr = ch == '\r';
		if (ch == '\r' || ch == '\n') {
			int rc = sse_line(p, fn, payload);
			gf_buf_clear(&p->line);
			if (rc)
				return rc;
			continue;
		}
		if (gf_buf_putc(&p->line, ch) != 0)
			return gf_err_set(GF_ETOOBIG,
			                  "an event-stream line is longer than %u bytes", SSE_MAX);
	}
	return 0;
}
