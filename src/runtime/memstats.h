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
 * earlier value when every block allocated since is freed. The slots
 * count each block as its usable size plus PF_MS_EXTRA (8), which for
 * glibc's common chunk is the chunk size itself (one instruction less on
 * the hot path); pf_memstats_read takes it back off.
 *
 * Cost: each thread counts into a slot of its own, which the interposer
 * keeps in its per-thread TLS block: plain adds, no atomic
 * read-modify-write, no shared cache line, no pointer to load; a reader
 * merges the slots of running threads under a lock, and a thread's slot
 * is folded into a common total when the thread ends (after which its
 * rare last allocations are counted with atomic adds).
 * Peak: threads publish their net change to a shared counter only after
 * 256 KiB of allocations or of frees, so peak_alloc may miss a short spike
 * of up to 256 KiB per thread; it is always >= alloc when read.
 */
#ifndef PF_MEMSTATS_H
#define PF_MEMSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "proflab.h"

struct pf_ms_slot;

/* Count an allocation / a free of a block of n - PF_MS_EXTRA usable bytes in the
 * calling thread's slot s (zero-initialised thread-local storage, one per
 * thread, never shared: the interposer's). Return non-zero when the
 * caller must then call pf_memstats_slow(s), which is left to the caller
 * so that its fast path makes no call. Safe at any time, including before
 * constructors and during thread exit; never allocate through the
 * interposer. Inline: they run on every malloc and free. */
static inline int pf_memstats_alloc(struct pf_ms_slot *s, size_t n);
static inline int pf_memstats_free(struct pf_ms_slot *s, size_t n);

/* The slow path of the two above: register the thread's slot, publish its
 * net change for the peak, or hand its counts to the common total. */
void pf_memstats_slow(struct pf_ms_slot *s);

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

#define PF_MEMSTATS_PUBLISH (256 * 1024)
/* What the slots count for a block beyond its usable bytes: glibc's
 * chunk header, so that a common chunk counts as its size word says. */
#define PF_MS_EXTRA 8

struct pf_ms_slot {
	/* Written by the owning thread only; read by pf_memstats_read with
	 * atomic loads while the slot is linked. Bytes count down: *_left
	 * is what may still be counted before the slow path, and the bytes
	 * counted in all are *_base - *_left (mod 2^64), so the hot path is
	 * one subtract whose flags are the test (pf_countdown). A zero slot
	 * (a new thread, an ended one) runs out at once. */
	uint64_t alloc_left, free_left;
	uint64_t mallocs, frees;
	/* Changed with *_left, on the slow path only, between two steps of
	 * seq (odd meanwhile), so that readers never mix old and new. */
	uint64_t alloc_base, free_base;
	_Atomic uint32_t seq;
	int state;
	int64_t published; /* the slot's net usable bytes at the last publication */
	struct pf_ms_slot *next; /* list of running threads' slots */
};

/* Count v off the countdown *m (mod 2^64): whether it ran out, that is
 * *m was at most v. One instruction on x86-64, where the compiler would
 * otherwise load, subtract, store and compare. Also the heap profiler's
 * sampling countdown (malloc.c). */
static inline int pf_countdown(uint64_t *m, uint64_t v)
{
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
	int out;

	__asm__("subq %2, %0" : "+m"(*m), "=@ccbe"(out) : "er"(v));
	return out;
#else
	uint64_t old = *m;

	*m = old - v;
	return old <= v;
#endif
}

static inline int pf_memstats_alloc(struct pf_ms_slot *s, size_t n)
{
	s->mallocs++;
	return pf_countdown(&s->alloc_left, n);
}

static inline int pf_memstats_free(struct pf_ms_slot *s, size_t n)
{
	s->frees++;
	return pf_countdown(&s->free_left, n);
}

#endif
