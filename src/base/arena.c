/*
 * gf_arena: a bump allocator. Chunks grow geometrically from 4 KiB; a
 * request larger than half a chunk gets a chunk of its own so that big
 * allocations do not waste the tail of the current one.
 *
 * Big arenas (a configuration's syntax trees, a large state) live on huge
 * pages: once an arena holds ARENA_HUGE_AFTER bytes, or is asked for that
 * much at once (a source file read into it), its next chunks are
 * 2 MiB, which gf_big_alloc maps 2 MiB-aligned and marks for transparent
 * huge pages (where the system has them, madvise mode included). What that saves is page faults: filling 16 MiB of 4 KiB pages
 * takes 4,096 faults, 80 ms on a loaded VM, against 8 faults for huge
 * pages (docs/benchmarks.md, "HCL"). Small arenas (a request, a console
 * line) never get there and keep their small footprint.
 */
#include "base/base.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct gf_arena_chunk {
	gf_arena_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN      _Alignof(max_align_t)
#define ARENA_FIRST      4096
#define ARENA_MAX_CHUNK  (1u << 20)
#define ARENA_HUGE       ((size_t)2 << 20)
#define ARENA_HUGE_AFTER ((size_t)256 << 10)

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
		gf_big_free(c, sizeof(*c) + c->size);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* Chunks come zeroed (from calloc or fresh mappings) and the bump pointer
 * never reuses memory, so allocations are zero without a memset, and pages
 * that are never written are never touched. */
static gf_arena_chunk *arena_chunk_new(size_t size)
{
	gf_arena_chunk *c = gf_big_alloc(sizeof(*c) + size);
	c->size = size;
	return c;
}

#define BIG_MIN ((size_t)512 << 10)

static size_t big_size(size_t n)
{
	return (n + ARENA_HUGE - 1) & ~(ARENA_HUGE - 1);
}

void *gf_big_alloc(size_t n)
{
	if (n < BIG_MIN)
		return gf_xcalloc(1, n ? n : 1);
	size_t size = big_size(n);
	unsigned char *m = mmap(NULL, size + ARENA_HUGE, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		gf_die("out of memory mapping %zu bytes", size);
	uintptr_t start = ((uintptr_t)m + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1);
	size_t head = start - (uintptr_t)m;
	if (head)
		munmap(m, head);
	munmap((unsigned char *)start + size, ARENA_HUGE - head);
#ifdef MADV_HUGEPAGE
	madvise((void *)start, size, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
	return (void *)start; /* fresh anonymous pages are zero */
}

void gf_big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG_MIN)
		free(p);
	else
		munmap(p, big_size(n));
}

/* The slow path of gf_arena_alloc: a new chunk (n is aligned). Kept out
 * of line so that the fast path needs no saved registers. */
__attribute__((noinline)) static void *arena_alloc_chunk(gf_arena *a, size_t n)
{
	gf_arena_chunk *c = a->head;
	size_t size = c ? GF_MIN(c->size * 2, (size_t)ARENA_MAX_CHUNK) : ARENA_FIRST;
	if (a->total >= ARENA_HUGE_AFTER || n >= ARENA_HUGE_AFTER)
		size = ARENA_HUGE - sizeof(gf_arena_chunk);
	a->total += n;
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
		return big->data;
	}
	c = arena_chunk_new(size);
	c->next = a->head;
	a->head = c;
	c->used = n;
	return c->data;
}

void *gf_arena_alloc(gf_arena *a, size_t n)
{
	n = n ? (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : ARENA_ALIGN;
	gf_arena_chunk *c = a->head;
	if (!c || c->size - c->used < n)
		return arena_alloc_chunk(a, n);
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
