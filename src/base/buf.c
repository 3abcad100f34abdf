/* gf_buf: growable byte buffers with a hard cap. */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_DEFAULT_MAX (SIZE_MAX / 2)

void gf_buf_init(gf_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void gf_buf_dispose(gf_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void gf_buf_clear(gf_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

int gf_buf_grow(gf_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
	if (extra > max || b->len > max - extra)
		return gf_err_set(GF_ETOOBIG, "more than %zu bytes", max);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->ptr = gf_xrealloc(b->ptr, cap);
	b->cap = cap;
	return 0;
}

int gf_buf_put(gf_buf *b, const void *data, size_t len)
{
	int rc = gf_buf_grow(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int gf_buf_puts(gf_buf *b, const char *s)
{
	return gf_buf_put(b, s, strlen(s));
}

int gf_buf_putc(gf_buf *b, char c)
{
	return gf_buf_put(b, &c, 1);
}

int gf_buf_vprintf(gf_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return gf_err_set(GF_EINVALID, "bad format string");
	int rc = gf_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int gf_buf_printf(gf_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = gf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void gf_buf_consume(gf_buf *b, size_t n)
{
	if (n >= b->len) {
		gf_buf_clear(b);
		return;
	}
	memmove(b->ptr, b->ptr + n, b->len - n);
	b->len -= n;
	b->ptr[b->len] = '\0';
}

char *gf_buf_detach(gf_buf *b)
{
	char *p = b->ptr ? b->ptr : gf_xstrdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *gf_buf_cstr(const gf_buf *b)
{
	return b->ptr ? b->ptr : "";
}
