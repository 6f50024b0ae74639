/*
 * alternate.c - the steady-state cost of a preloaded allocator interposer
 * per malloc/free pair, measured inside one process, for bench/20-heap.sh.
 *
 * Whole-process CPU times on a shared machine vary by more than the few
 * percent being measured. Here the load of tests/progs/heap_churn runs in
 * short rounds that alternate between glibc's own entry points
 * (__libc_malloc, __libc_free: no interposer) and malloc and free (the
 * preloaded interposer, when there is one), so that both halves of a
 * round see the same machine, heap and caches; the figures are medians
 * over rounds of each round's difference and ratio. Start-up and exit
 * are left out.
 *
 * usage: alternate [ROUNDS [PAIRS]]  (default 400 rounds of 10000 pairs)
 * prints: "glibc NS interposed NS added NS ratio R q1 R q3 R" (ns a pair and
 * the added ns and ratio of a round, medians; q1 and q3 the ratio's quartiles)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../tests/progs/churn.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

struct load {
	void *ring[CHURN_RING];
	uint64_t x;
	long i;
	unsigned check;
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* pairs steps of the load through alloc and release; ns a pair. */
static double run(struct load *l, long pairs, void *(*alloc)(size_t), void (*release)(void *))
{
	double t0 = now_ns();

	for (long k = 0; k < pairs; k++, l->i++) {
		size_t slot = (size_t)l->i % CHURN_RING, n = churn_next_size(&l->x);
		char *p;

		if (l->ring[slot]) {
			l->check += *(unsigned char *)l->ring[slot];
			release(l->ring[slot]);
		}
		p = alloc(n);
		if (!p)
			exit(1);
		p[0] = (char)n;
		l->ring[slot] = p;
	}
	return (now_ns() - t0) / (double)pairs;
}

/* Free every block of the ring through release (which must be the
 * allocator that made them). */
static void drain(struct load *l, void (*release)(void *))
{
	for (size_t i = 0; i < CHURN_RING; i++) {
		release(l->ring[i]);
		l->ring[i] = NULL;
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 400;
	long pairs = argc > 2 ? atol(argv[2]) : 10000;
	/* Through pointers, so that the compiler calls whatever malloc and
	 * free the dynamic linker bound: the interposer's. */
	void *(*volatile ip_alloc)(size_t) = malloc;
	void (*volatile ip_release)(void *) = free;
	static struct load l = { .x = CHURN_SEED };
	double *g, *ip, *d, *r;

	if (rounds < 4 || pairs < 1) {
		fprintf(stderr, "alternate: ROUNDS must be at least 4 and PAIRS at least 1\n");
		return 2;
	}
	g = __libc_malloc(4 * (size_t)rounds * sizeof(double));
	if (!g)
		return 1;
	ip = g + rounds;
	d = ip + rounds;
	r = d + rounds;
	for (int c = 0; c < rounds; c++) {
		g[c] = run(&l, pairs, __libc_malloc, __libc_free);
		drain(&l, __libc_free);
		ip[c] = run(&l, pairs, ip_alloc, ip_release);
		drain(&l, ip_release);
		d[c] = ip[c] - g[c];
		r[c] = ip[c] / g[c];
	}
	qsort(g, (size_t)rounds, sizeof(double), by_value);
	qsort(ip, (size_t)rounds, sizeof(double), by_value);
	qsort(d, (size_t)rounds, sizeof(double), by_value);
	qsort(r, (size_t)rounds, sizeof(double), by_value);
	printf("glibc %.2f interposed %.2f added %.2f ratio %.4f q1 %.4f q3 %.4f (%u)\n",
	       g[rounds / 2], ip[rounds / 2], d[rounds / 2], r[rounds / 2], r[rounds / 4],
	       r[3 * rounds / 4], l.check & 1);
	__libc_free(g);
	return 0;
}
