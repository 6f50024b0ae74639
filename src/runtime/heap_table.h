/*
 * heap_table.h - the heap profiler's records: one bucket per (call stack,
 * block size) with its allocation and free counts, and a table of the
 * sampled blocks still live, keyed by address, so that a free can credit
 * the bucket its block was allocated in.
 *
 * The interposer (malloc.c) decides which allocations to sample and calls
 * pf_heap_sample(); every free asks pf_heap_forget(), whose common case (a
 * block that was never sampled) is one load from a small filter bitmap, no
 * lock. Buckets are never freed (like Go's), so a snapshot can walk them
 * without locks while the program keeps allocating.
 *
 * Internal memory comes from mmap, never through the interposer (so no
 * function here recurses) nor from glibc's heap: records of sampled blocks
 * interleaved with the program's blocks would keep glibc from coalescing
 * its free chunks and slow every later malloc down.
 */
#ifndef PF_HEAP_TABLE_H
#define PF_HEAP_TABLE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define PF_HEAP_MAX_DEPTH 64

struct pf_heap_bucket {
	struct pf_heap_bucket *hnext; /* chain in the bucket hash */
	struct pf_heap_bucket *all;   /* list of every bucket */
	uint64_t hash;
	size_t size;                  /* requested size of the blocks */
	_Atomic int64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
	uint32_t npcs;
	uintptr_t pcs[];              /* leaf first: call site, then return addresses */
};

/* A sampled block's record, detached from the table (for realloc). */
struct pf_heap_rec {
	struct pf_heap_bucket *bucket;
	size_t size;
};

/* Record a sampled allocation of size bytes at p, made from the function
 * that returns to ra (the interposer's return address). Unwinds the
 * calling thread; must be called from the interposed function itself (so
 * the unwind passes through ra). Sets the re-entrancy guard while it runs. */
void pf_heap_sample(void *p, size_t size, uintptr_t ra);

/* The filter: one bit per slot, set while some sampled block maps
 * there. 8 KiB, so that the check on every free stays in L1. The slot is
 * bits 4-19 of the address, no hash: blocks are 16-byte aligned, so
 * neighbouring blocks never share a slot, and a free pays a shift and a
 * mask only. */
#define PF_HEAP_FILTER_BITS 16
extern _Atomic uint64_t pf_heap_filter[(1 << PF_HEAP_FILTER_BITS) / 64];
static inline uint64_t pf_heap_addr_hash(const void *p)
{
	return ((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL;
}
static inline size_t pf_heap_filter_slot(const void *p)
{
	return ((uintptr_t)p >> 4) & (((size_t)1 << PF_HEAP_FILTER_BITS) - 1);
}
static inline int pf_heap_maybe_sampled(const void *p)
{
	size_t fi = pf_heap_filter_slot(p);

	return (atomic_load_explicit(&pf_heap_filter[fi / 64], memory_order_relaxed) >>
		(fi % 64)) & 1;
}

/* Detach the record of block p if it was sampled: 1 and *out filled, or
 * 0. The caller then either frees the block and calls
 * pf_heap_rec_done(out, p, 1) (credits the free to its bucket), or, if
 * the block survives (a failed realloc), pf_heap_rec_done(out, p, 0) to
 * put the record back. */
int pf_heap_take(const void *p, struct pf_heap_rec *out);
void pf_heap_rec_done(const struct pf_heap_rec *rec, const void *p, int freed);

/* The block at p is about to be freed: credit its bucket if sampled. */
static inline void pf_heap_forget(const void *p)
{
	struct pf_heap_rec r;

	if (__builtin_expect(!pf_heap_maybe_sampled(p), 1))
		return;
	if (pf_heap_take(p, &r))
		pf_heap_rec_done(&r, p, 1);
}

/* The first bucket of the list of all buckets (follow ->all). */
struct pf_heap_bucket *pf_heap_buckets(void);

/* Number of sampled blocks live now (for tests and the debug view). */
size_t pf_heap_live_records(void);

/* fork() handlers: hold every lock of the tables across fork. */
void pf_heap_table_fork_prepare(void);
void pf_heap_table_fork_parent(void);
void pf_heap_table_fork_child(void);

#endif
