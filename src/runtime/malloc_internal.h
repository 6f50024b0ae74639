/*
 * malloc_internal.h - what the interposer (malloc.c) shares with the rest
 * of the heap profiler: the sampling rate and the sampling intervals.
 */
#ifndef PF_MALLOC_INTERNAL_H
#define PF_MALLOC_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "proflab.h"

/* Bytes between samples on average (Go's MemProfileRate); 1 samples every
 * allocation, 0 none. Read on every allocation. */
extern _Atomic long pf_heap_rate;

/* A random sampling interval for rate: exponential with mean rate (0 for
 * rate <= 1). Uses the calling thread's generator. */
int64_t pf_heap_next_interval(long rate);

/* Set the calling thread's bytes-to-next-sample (after a rate change). */
void pf_heap_set_thread_interval(int64_t next);

/* glibc's malloc_usable_size of a live block (0 for NULL). */
size_t pf_malloc_usable(const void *p);

/* The same for a non-NULL block, inline for the interposer's hot path.
 * glibc's own malloc_usable_size (malloc/malloc.c, musable), which glibc
 * does not export under a __libc_ name: the chunk's size word sits just
 * before the block; an mmapped chunk also loses its prev_size word.
 * Checked against glibc's function in the tests. */
static inline size_t pf_usable_inline(const void *p)
{
	size_t word = ((const size_t *)p)[-1];
	size_t size = word & ~(size_t)7;

	if (__builtin_expect(word & 2, 0))
		return size - 2 * sizeof(size_t);
	return size - sizeof(size_t);
}

#endif
