/*
 * churn.h - the load of the heap profiler's benchmark, one step at a time:
 * heap_churn.c runs it as a program, and bench/src/alternate.c runs the
 * same load in rounds inside one process.
 */
#ifndef PROFLAB_CHURN_H
#define PROFLAB_CHURN_H

#include <stddef.h>
#include <stdint.h>

/* Blocks kept live: each step frees the block allocated RING steps ago. */
#define CHURN_RING 1024
/* The first state of the size sequence (xorshift64). */
#define CHURN_SEED 88172645463325252ULL

/* The next request size from state *x: 16 B to 16 KiB, mostly small like
 * real programs (7 in 8 under 256 B). */
static inline size_t churn_next_size(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (*x & 7) ? 16 + (size_t)(*x >> 8) % 240 : 256 + (size_t)(*x >> 8) % 16128;
}

#endif
