/* The per-thread error object and the aborting allocators. */
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char err_msg[1024];
static _Thread_local int err_code;

static int err_vset(int code, const char *fmt, va_list ap)
{
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	err_code = code;
	return code;
}

int gf_err_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int gf_err_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	err_vset(GF_EIO, fmt, ap);
	va_end(ap);
	size_t len = strlen(err_msg);
	snprintf(err_msg + len, sizeof(err_msg) - len, ": %s", strerror(saved));
	errno = saved;
	return GF_EIO;
}

const char *gf_err_msg(void)
{
	return err_msg;
}

int gf_err_code(void)
{
	return err_code;
}

void gf_err_clear(void)
{
	err_msg[0] = '\0';
	err_code = 0;
}

void gf_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gitfleet: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *gf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		gf_die("out of memory allocating %zu bytes", n);
	return p;
}

void *gf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		gf_die("out of memory allocating %zu×%zu bytes", n, size);
	return p;
}

void *gf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		gf_die("out of memory reallocating to %zu bytes", n);
	return q;
}

char *gf_xstrdup(const char *s)
{
	return gf_xstrndup(s, strlen(s));
}

char *gf_xstrndup(const char *s, size_t n)
{
	char *p = gf_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gf_xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		gf_die("bad format string %s", fmt);
	char *p = gf_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
