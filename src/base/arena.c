/* arena.c - the bump allocator declared in arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN 16

struct pf_arena_chunk {
	struct pf_arena_chunk *next;
	size_t used, size;
	_Alignas(ALIGN) unsigned char data[];
};

void pf_arena_init(struct pf_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void pf_arena_release(struct pf_arena *a)
{
	struct pf_arena_chunk *c = a->head;

	while (c) {
		struct pf_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	pf_arena_init(a);
}

void *pf_arena_alloc(struct pf_arena *a, size_t n)
{
	struct pf_arena_chunk *c = a->head;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (n > SIZE_MAX - ALIGN - sizeof(*c))
		return NULL;
	if (need == 0)
		need = ALIGN;
	if (!c || c->size - c->used < need) {
		/* Large requests get a chunk of their own, kept behind the
		 * current one so its free space is not wasted. */
		size_t size = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;
		struct pf_arena_chunk *nc = malloc(sizeof(*nc) + size);

		if (!nc)
			return NULL;
		nc->used = 0;
		nc->size = size;
		if (c && size == need) {
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	p = c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void *pf_arena_calloc(struct pf_arena *a, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		return NULL;
	return pf_arena_alloc(a, n * sz);
}

char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n)
{
	char *p = pf_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pf_arena_strdup(struct pf_arena *a, const char *s)
{
	return pf_arena_strndup(a, s, strlen(s));
}
