/*
 * heap_known.c - a program whose allocations are known exactly, for the
 * heap profiler's exactness tests at rate 1. Each function below allocates
 * a fixed number of blocks of fixed sizes; the expected figures per
 * function are in the comments and in tests/e2e/heap.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAX 64
static void *keep[KEEP_MAX];
static int nkeep;
static volatile unsigned char sink;

static void hold(void *p)
{
	if (nkeep < KEEP_MAX)
		keep[nkeep++] = p;
	sink += ((unsigned char *)p)[0];
}

/* alloc 10 x 1000 B, all kept: alloc 10/10000, inuse 10/10000 */
__attribute__((noipa)) static void make_kept(void)
{
	for (int i = 0; i < 10; i++) {
		char *p = malloc(1000);
		p[0] = (char)i;
		hold(p);
	}
}

/* alloc 20 x 512 B, all freed: alloc 20/10240, inuse 0 */
__attribute__((noipa)) static void make_freed(void)
{
	for (int i = 0; i < 20; i++) {
		char *p = malloc(512);
		p[0] = (char)i;
		sink += (unsigned char)p[0];
		free(p);
	}
}

/* calloc 5 x (10 x 100 B), kept: alloc 5/5000, inuse 5/5000 */
__attribute__((noipa)) static void make_zeroed(void)
{
	for (int i = 0; i < 5; i++)
		hold(calloc(10, 100));
}

/* realloc growth 1 KiB .. 8 KiB: alloc 8/36864, inuse 1/8192 (the last) */
__attribute__((noipa)) static void grow_buffer(void)
{
	char *p = NULL;

	for (int i = 1; i <= 8; i++) {
		p = realloc(p, (size_t)1024 * i);
		p[0] = (char)i;
	}
	hold(p);
}

/* posix_memalign 4 x 300 B kept, aligned_alloc 3 x 256 B freed:
 * alloc 7/1968, inuse 4/1200 */
__attribute__((noipa)) static void make_aligned(void)
{
	for (int i = 0; i < 4; i++) {
		void *p = NULL;
		if (posix_memalign(&p, 64, 300) != 0)
			exit(1);
		memset(p, 1, 300);
		hold(p);
	}
	for (int i = 0; i < 3; i++) {
		char *p = aligned_alloc(64, 256);
		p[0] = 1;
		sink += (unsigned char)p[0];
		free(p);
	}
}

int main(void)
{
	make_kept();
	make_freed();
	make_zeroed();
	grow_buffer();
	make_aligned();
	printf("heap_known: %d blocks kept\n", nkeep);
	return 0;
}
