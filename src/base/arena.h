/*
 * arena.h - a bump allocator for data that lives and dies together.
 *
 * A decoded profile allocates hundreds of thousands of small records that
 * are all freed at once; an arena makes that one free() per 64 KiB chunk.
 * Memory from an arena is never freed individually.
 */
#ifndef PF_ARENA_H
#define PF_ARENA_H

#include <stddef.h>

struct pf_arena_chunk;

struct pf_arena {
	struct pf_arena_chunk *head;
	size_t total; /* bytes handed out, for statistics */
};

void pf_arena_init(struct pf_arena *a);
/* Free every chunk; the arena is left initialised and empty. */
void pf_arena_release(struct pf_arena *a);
/* n bytes aligned for any type, zeroed; NULL only when out of memory. */
void *pf_arena_alloc(struct pf_arena *a, size_t n);
/* n elements of size sz (overflow-checked), zeroed. */
void *pf_arena_calloc(struct pf_arena *a, size_t n, size_t sz);
/* A copy of s (or of its first n bytes for strndup). */
char *pf_arena_strdup(struct pf_arena *a, const char *s);
char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n);

#endif
