/*
 * forward.c - the cheapest possible preloaded allocator interposer, for
 * bench/20-heap.sh: malloc and free forward to glibc by tail calls and do
 * nothing else (no counting, no sampling). What it costs is what any
 * preloaded interposer costs on the load before doing any work, the
 * floor under proflab's own numbers. Built by the bench, never shipped.
 */
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

__attribute__((visibility("default"))) void *malloc(size_t n)
{
	return __libc_malloc(n);
}

__attribute__((visibility("default"))) void free(void *p)
{
	__libc_free(p);
}
