/*
 * heap_table.h - the heap profiler's buckets: one per (call stack, block
 * size), counting the sampled allocations made there and how many of them
 * have been freed.
 *
 * The interposer (malloc.c) decides which allocations to sample, records
 * the calling stack (pf_heap_site_here) before it allocates and finds
 * the stack's bucket (pf_heap_site_bucket) after; a sampled block carries a pointer to its bucket in a small
 * header of its own (malloc.c), so a free finds the bucket without any
 * table or lock. Buckets are never freed (like Go's), so a snapshot can
 * walk them without locks while the program keeps allocating.
 *
 * Buckets live in memory from mmap, never from glibc's heap (so no
 * function here recurses into the interposer, and the program's heap
 * layout is not disturbed by the profiler's own records).
 */
#ifndef PF_HEAP_TABLE_H
#define PF_HEAP_TABLE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define PF_HEAP_MAX_DEPTH 64

/* A call stack, recorded once and shared by the buckets of every size
 * allocated from it. */
struct pf_heap_stack {
	uint64_t key;                 /* stack_key of pcs */
	struct pf_heap_stack *next;   /* chain in the stack hash */
	uint32_t npcs;
	uintptr_t pcs[];              /* leaf first: call site, then return addresses */
};

/* One cache line (buckets are 64-byte aligned): a lookup's compares and
 * the counters. Bytes are objects times size. */
struct pf_heap_bucket {
	uint64_t hash;
	size_t size;                  /* requested size of the blocks */
	_Atomic int64_t alloc_objects, free_objects;
	const struct pf_heap_stack *stack;
	struct pf_heap_bucket *hnext; /* chain in the bucket hash */
	struct pf_heap_bucket *all;   /* list of every bucket */
};

/* Where a sampled allocation is made: its call stack (leaf first: the
 * call site, then return addresses) and its size, and the hash of the
 * two, which keys its bucket. */
struct pf_heap_site {
	uint64_t key, hash;           /* the stack's key; the bucket's hash */
	size_t size, npcs;
	uintptr_t pcs[PF_HEAP_MAX_DEPTH];
};

/* Fill *s for an allocation of size bytes about to be made from the
 * function that returns to ra (the interposer's return address). Unwinds
 * the calling thread, so it must be called from within the interposed
 * function itself (the unwind passes through ra); sets the re-entrancy
 * guard while it runs. 0, or -1 when no stack could be had. Starts
 * loading the bucket's chain into the cache: the caller allocates the
 * block and only then asks pf_heap_site_bucket() for the bucket. */
int pf_heap_site_here(struct pf_heap_site *s, size_t size, uintptr_t ra);

/* The bucket of site s, created if new, or NULL when none could be had.
 * Counts nothing: the caller credits the bucket once the block exists. */
struct pf_heap_bucket *pf_heap_site_bucket(const struct pf_heap_site *s);

/* A sampled block was allocated / freed. Frees are counted before, and
 * read after, allocations (heap.c reads in the other order), so in-use
 * figures computed while threads run are never negative. */
static inline void pf_heap_count_alloc(struct pf_heap_bucket *b)
{
	atomic_fetch_add_explicit(&b->alloc_objects, 1, memory_order_release);
}

static inline void pf_heap_count_free(struct pf_heap_bucket *b)
{
	atomic_fetch_add_explicit(&b->free_objects, 1, memory_order_release);
}

/* The first bucket of the list of all buckets (follow ->all). */
struct pf_heap_bucket *pf_heap_buckets(void);

/* Number of sampled blocks live now: allocations minus frees over every
 * bucket (for tests and the debug view). */
size_t pf_heap_live_records(void);

/* fork() handlers: hold every lock of the tables across fork. */
void pf_heap_table_fork_prepare(void);
void pf_heap_table_fork_parent(void);
void pf_heap_table_fork_child(void);

#endif
