/*
 * term_in_malloc.c - allocate and free without end, to be stopped by a
 * signal: one that lands inside malloc must not make the CPU profiler's
 * fatal-signal handler re-enter the allocator (a corrupted heap, an abort
 * instead of the signal's own death).
 */
#include <stdlib.h>
#include <string.h>

int main(void)
{
	void *v[64] = { 0 };

	for (unsigned long i = 0;; i++) {
		unsigned k = (unsigned)((i * 2654435761u) % 64);

		free(v[k]);
		v[k] = malloc(16 + i % 4000);
		if (v[k])
			memset(v[k], 1, 16);
	}
}
