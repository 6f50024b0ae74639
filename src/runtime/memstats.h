/*
 * memstats.h - the counters behind proflab_read_memstats (runtime.MemStats).
 *
 * Every allocation and free that goes through the interposer (malloc.c) is
 * counted, whatever the heap sampling rate and even while the runtime's
 * re-entrancy guard is set: the runtime's own allocations are real heap use
 * of the process, so they are counted like the program's (they are only
 * kept out of the heap *profile*).
 *
 * Bytes are block sizes as malloc_usable_size() reports them: the request
 * rounded up to glibc's chunk granularity, as Go's MemStats counts size
 * classes rather than requested bytes. Both the allocation and the free of
 * a block are counted with the same size, so alloc returns exactly to its
 * earlier value when every block allocated since is freed.
 *
 * Cost: each thread counts into a slot of its own (plain stores, no atomic
 * read-modify-write, no shared cache line); a reader merges the slots.
 * Slots of exited threads are folded into a common total and reused.
 * Peak: threads publish their net change to a shared counter only when it
 * passes 64 KiB, so peak_alloc may miss a short spike of up to 64 KiB per
 * thread; it is always >= alloc when read.
 */
#ifndef PF_MEMSTATS_H
#define PF_MEMSTATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "proflab.h"

/* Count an allocation / a free of a block of n usable bytes. Safe from
 * any thread at any time, including before constructors and during
 * thread exit; never allocates through the interposer. Inline: they run
 * on every malloc and free. */
static inline void pf_memstats_alloc(size_t n);
static inline void pf_memstats_free(size_t n);

/* Merge every thread's counters into *ms (sys from mallinfo2()). Frees are
 * read before allocations, so alloc and heap_objects never go negative
 * even while other threads run. */
void pf_memstats_read(struct proflab_memstats *ms);

/* Append a readable block describing *ms (with Go's names and the note
 * that NumGC has no counterpart) to out; for `-memstats`. 0 or -1. */
struct pf_buf;
int pf_memstats_format(const struct proflab_memstats *ms, struct pf_buf *out);

/* fork() handlers: hold the slot lock across fork. */
void pf_memstats_fork_prepare(void);
void pf_memstats_fork_parent(void);
void pf_memstats_fork_child(void);

/* ---- the inline hot path; the rest is in memstats.c ---- */

#define PF_MEMSTATS_PUBLISH (64 * 1024)

struct pf_ms_slot {
	/* Written by the owning thread only (plain load + release store);
	 * read by pf_memstats_read with acquire loads. */
	_Atomic uint64_t alloc_bytes, free_bytes, mallocs, frees;
	int64_t pending; /* net bytes not yet published for the peak (owner only) */
	struct pf_ms_slot *next;
} __attribute__((aligned(64)));

/* The calling thread's slot once registered, else NULL. */
extern __thread struct pf_ms_slot *pf_ms_self __attribute__((tls_model("initial-exec")));
/* Slow paths: register the thread (or count as an orphan), publish. */
void pf_memstats_alloc_slow(size_t n);
void pf_memstats_free_slow(size_t n);
void pf_memstats_publish(int64_t delta);

static inline void pf_ms_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_release);
}

static inline void pf_memstats_alloc(size_t n)
{
	struct pf_ms_slot *s = pf_ms_self;

	if (__builtin_expect(!s, 0)) {
		pf_memstats_alloc_slow(n);
		return;
	}
	pf_ms_add(&s->alloc_bytes, n);
	pf_ms_add(&s->mallocs, 1);
	s->pending += (int64_t)n;
	if (__builtin_expect(s->pending >= PF_MEMSTATS_PUBLISH, 0)) {
		pf_memstats_publish(s->pending);
		s->pending = 0;
	}
}

static inline void pf_memstats_free(size_t n)
{
	struct pf_ms_slot *s = pf_ms_self;

	if (__builtin_expect(!s, 0)) {
		pf_memstats_free_slow(n);
		return;
	}
	pf_ms_add(&s->free_bytes, n);
	pf_ms_add(&s->frees, 1);
	s->pending -= (int64_t)n;
	if (__builtin_expect(s->pending <= -PF_MEMSTATS_PUBLISH, 0)) {
		pf_memstats_publish(s->pending);
		s->pending = 0;
	}
}

#endif
