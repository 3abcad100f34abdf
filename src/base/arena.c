/*
 * gf_arena: a bump allocator. Chunks grow geometrically up to 1 MiB; a
 * request larger than half a chunk gets a chunk of its own so that big
 * allocations do not waste the tail of the current one.
 */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gf_arena_chunk {
	gf_arena_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN     _Alignof(max_align_t)
#define ARENA_FIRST     4096
#define ARENA_MAX_CHUNK (1u << 20)

void gf_arena_init(gf_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void gf_arena_dispose(gf_arena *a)
{
	gf_arena_chunk *c = a->head;
	while (c) {
		gf_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* Chunks come zeroed from calloc and the bump pointer never reuses memory,
 * so allocations are zero without a memset: big chunks are fresh pages
 * from the kernel, and pages that are never written are never touched. */
static gf_arena_chunk *arena_chunk_new(size_t size)
{
	gf_arena_chunk *c = gf_xcalloc(1, sizeof(*c) + size);
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

void *gf_arena_alloc(gf_arena *a, size_t n)
{
	n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	gf_arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = c ? GF_MIN(c->size * 2, (size_t)ARENA_MAX_CHUNK) : ARENA_FIRST;
		if (n > size / 2) {
			/* A big block: its own chunk, behind the current one. */
			gf_arena_chunk *big = arena_chunk_new(n);
			big->used = n;
			if (c) {
				big->next = c->next;
				c->next = big;
			} else {
				a->head = big;
			}
			a->total += n;
			return big->data;
		}
		c = arena_chunk_new(size);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

void *gf_arena_memdup(gf_arena *a, const void *p, size_t n)
{
	void *q = gf_arena_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *gf_arena_strndup(gf_arena *a, const char *s, size_t n)
{
	char *p = gf_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gf_arena_strdup(gf_arena *a, const char *s)
{
	return gf_arena_strndup(a, s, strlen(s));
}

char *gf_arena_printf(gf_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = gf_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
