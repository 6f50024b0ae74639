/*
 * heap_churn.c - the load of the heap profiler's benchmark (and of its
 * accuracy check): N malloc/free pairs (argv[1], default 10 million) of
 * mixed sizes, 16 B to 16 KiB, with a ring of 1024 live blocks so that
 * frees are not always of the block just allocated. Prints the bytes it
 * requested in all, the truth the sampled estimate is compared with.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "churn.h"

__attribute__((noipa)) static void *churn_alloc(size_t n)
{
	char *p = malloc(n);

	if (!p)
		exit(1);
	p[0] = (char)n;
	return p;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000;
	static void *ring[CHURN_RING];
	uint64_t x = CHURN_SEED, total = 0;
	unsigned char sum = 0;

	for (long i = 0; i < iters; i++) {
		size_t slot = (size_t)i % CHURN_RING, n = churn_next_size(&x);

		if (ring[slot]) {
			sum += *(unsigned char *)ring[slot];
			free(ring[slot]);
		}
		ring[slot] = churn_alloc(n);
		total += n;
	}
	for (size_t i = 0; i < CHURN_RING; i++)
		free(ring[i]);
	printf("heap_churn: %ld allocations, %" PRIu64 " bytes requested (check %u)\n", iters, total, sum);
	return 0;
}
