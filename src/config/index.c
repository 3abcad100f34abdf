/*
 * The name index of a module: references are looked up far more often
 * than modules are loaded, and big modules declare thousands of names, so
 * each module has one open-addressing hash table mapping (kind, type, name)
 * to the position of the declaration. The loader fills it as it reads
 * declarations (and finds duplicates with it); the scope looks names up.
 */
#include "config/config_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	int kind;
	const char *type, *name; /* name NULL: an empty slot */
	size_t i;
} ix_slot;

struct cfgi_index {
	ix_slot *slots; /* malloc'd */
	size_t mask, used;
};

static uint64_t ix_hash(int kind, const char *type, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
	for (const char *s = type; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ '.') * 1099511628211ull;
	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool ix_match(const ix_slot *s, int kind, const char *type, const char *name)
{
	return s->kind == kind && !strcmp(s->name, name) &&
	       (!type || (s->type && !strcmp(s->type, type)));
}

static ix_slot *ix_probe(struct cfgi_index *ix, int kind, const char *type, const char *name)
{
	size_t h = (size_t)ix_hash(kind, type, name) & ix->mask;
	while (ix->slots[h].name && !ix_match(&ix->slots[h], kind, type, name))
		h = (h + 1) & ix->mask;
	return &ix->slots[h];
}

/* Rehashes into cap slots (a power of two). A big table is on huge pages
 * (gf_big_alloc): its slots are touched in random order. */
static void ix_resize(struct cfgi_index *ix, size_t cap)
{
	size_t old = ix->slots ? ix->mask + 1 : 0;
	ix_slot *slots = ix->slots;
	ix->slots = gf_big_alloc(cap * sizeof(*ix->slots));
	ix->mask = cap - 1;
	for (size_t i = 0; i < old; i++)
		if (slots[i].name)
			*ix_probe(ix, slots[i].kind, slots[i].type, slots[i].name) = slots[i];
	gf_big_free(slots, old * sizeof(*slots));
}

void cfgi_ix_reserve(config_module *m, size_t n)
{
	if (!m->index)
		m->index = gf_xcalloc(1, sizeof(*m->index));
	struct cfgi_index *ix = m->index;
	size_t cap = 64;
	while (cap < 2 * (ix->used + n))
		cap *= 2;
	if (!ix->slots || cap > ix->mask + 1)
		ix_resize(ix, cap);
}

long cfgi_ix_add(config_module *m, int kind, const char *type, const char *name, size_t i)
{
	struct cfgi_index *ix = m->index;
	if (!ix || (ix->used + 1) * 2 > ix->mask + 1)
		cfgi_ix_reserve(m, 1);
	ix = m->index;
	ix_slot *s = ix_probe(ix, kind, type, name);
	if (s->name)
		return (long)s->i;
	*s = (ix_slot){kind, type, name, i};
	ix->used++;
	return -1;
}

long cfgi_ix_find(const config_module *m, int kind, const char *type, const char *name)
{
	if (!m->index)
		return -1;
	ix_slot *s = ix_probe(m->index, kind, type, name);
	return s->name ? (long)s->i : -1;
}

void cfgi_ix_free(config_module *m)
{
	if (m->index && m->index->slots)
		gf_big_free(m->index->slots, (m->index->mask + 1) * sizeof(ix_slot));
	free(m->index);
	m->index = NULL;
}
