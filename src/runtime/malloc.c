/*
 * malloc.c - the allocator interposer: malloc, calloc, realloc,
 * reallocarray, free, posix_memalign, aligned_alloc, memalign, valloc,
 * pvalloc and malloc_usable_size, forwarding to glibc.
 *
 * The same definitions serve both ways of loading the runtime: linked in
 * (libproflab.a: the executable's definitions take precedence over
 * libc's) and preloaded (libproflab.so comes first in symbol lookup).
 * Forwarding uses glibc's exported __libc_* entry points rather than
 * dlsym(RTLD_NEXT), which itself allocates and could not be called before
 * the first malloc. Nothing here needs initialising: the first malloc of
 * the process, before any constructor, already works.
 *
 * Every allocation is counted in memstats. Sampling follows Go's
 * MemProfileRate: each thread draws exponentially distributed byte
 * intervals with mean `rate` and samples the allocation that crosses the
 * interval (every allocation when rate is 1, none when 0). While the
 * runtime's re-entrancy guard is set, allocations are counted but not
 * sampled; frees always look for their sampled record, whoever frees.
 *
 * Cost: all the per-thread state sits in one initial-exec TLS block. The
 * common malloc is glibc's plus reading the block's size from glibc's
 * chunk header, two adds and a test for memstats, and one
 * subtract-and-test of the countdown; the common free is glibc's plus the
 * same memstats update and one bit of the filter. Everything else is on
 * out-of-line slow paths. A rate change reaches the calling
 * thread at once and other threads at the end of their current interval
 * (at most RECHECK_BYTES after sampling was off), as Go's mcaches do.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "heap_table.h"
#include "malloc_internal.h"
#include "memstats.h"
#include "rt.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

#define EXPORT __attribute__((visibility("default")))
#define RA() ((uintptr_t)__builtin_return_address(0))

_Atomic long pf_heap_rate = PROFLAB_DEFAULT_HEAP_RATE;

/* A thread's state, zero at thread start: one block so that the fast
 * path reaches all of it from one TLS address. */
struct thread_state {
	/* Bytes this thread may still allocate before its next sample. The
	 * fast path only subtracts and tests: every other case (rate 1, rate
	 * 0, the thread's first allocation, the runtime's own allocations)
	 * is folded into the countdown and sorted out on the slow path when
	 * it reaches 0. */
	int64_t next;
	struct pf_ms_slot ms;
	uint64_t rng;
};

static __thread struct thread_state tl __attribute__((tls_model("initial-exec")));

/* With sampling off, how often a thread looks at the rate again. */
#define RECHECK_BYTES ((int64_t)1 << 20)

size_t pf_malloc_usable(const void *p)
{
	return p ? pf_usable_inline(p) : 0;
}

static uint64_t rng_next(void)
{
	/* splitmix64: good enough for sampling intervals and cheap. */
	uint64_t z = (tl.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t pf_heap_next_interval(long rate)
{
	double u;

	if (rate <= 1)
		return 0;
	if (!tl.rng) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		tl.rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
			 (uint64_t)(uintptr_t)&tl.rng;
		tl.rng |= 1;
	}
	/* u uniform in (0, 1]; -ln(u) * rate is exponential with mean rate. */
	u = (double)((rng_next() >> 11) + 1) * (1.0 / 9007199254740992.0);
	return (int64_t)(-log(u) * (double)rate) + 1;
}

void pf_heap_set_thread_interval(int64_t next)
{
	tl.next = next;
}

/* The countdown reached 0 at an allocation of n bytes at p. */
__attribute__((noinline, cold)) static void sample_slow(void *p, size_t n, uintptr_t ra)
{
	long rate = atomic_load_explicit(&pf_heap_rate, memory_order_relaxed);

	if (rate <= 0) {
		tl.next = RECHECK_BYTES;
		return;
	}
	if (pf_rt_busy) {
		/* The runtime's own allocation: not sampled. Sampling is
		 * memoryless, so drawing afresh keeps the program's
		 * allocations sampled without bias. */
		tl.next = pf_heap_next_interval(rate);
		return;
	}
	if (rate != 1 && !tl.rng) {
		/* A thread's first allocation: draw its first interval. */
		tl.next += pf_heap_next_interval(rate);
		if (tl.next > 0)
			return;
	}
	tl.next = pf_heap_next_interval(rate);
	pf_heap_sample(p, n, ra);
}

/* note_alloc's slow half: memstats' slow path and the sample, whichever
 * is due. Returns p, so that the interposer can tail-call it. */
__attribute__((noinline, cold)) static void *alloc_slow(void *p, size_t n, uintptr_t ra)
{
	struct thread_state *t = &tl;

	if (t->ms.alloc_bytes >= t->ms.alloc_mark)
		pf_memstats_slow(&t->ms);
	if (t->next <= 0)
		sample_slow(p, n, ra);
	return p;
}

/* The allocation of n bytes at p (non-NULL), made from the function
 * returning to ra; returns p. Inlined into every entry point: this is the
 * cost every allocation pays, and it makes no call on its fast path. */
static inline __attribute__((always_inline)) void *note_alloc(void *p, size_t n, uintptr_t ra)
{
	struct thread_state *t = &tl;
	int slow = pf_memstats_alloc(&t->ms, pf_usable_inline(p));

	t->next -= (int64_t)n;
	if (__builtin_expect(slow || t->next <= 0, 0))
		return alloc_slow(p, n, ra);
	return p;
}

/* free's slow half: memstats' slow path and the sampled-block lookup,
 * then glibc's free. */
__attribute__((noinline, cold)) static void free_slow(void *p)
{
	if (tl.ms.free_bytes >= tl.ms.free_mark)
		pf_memstats_slow(&tl.ms);
	pf_heap_forget(p);
	__libc_free(p);
}

/* malloc when this allocation reaches the countdown: the general path. */
__attribute__((noinline, cold)) static void *malloc_sampled(size_t n, uintptr_t ra)
{
	void *p = __libc_malloc(n);

	return p ? note_alloc(p, n, ra) : p;
}

EXPORT void *malloc(size_t n)
{
	struct thread_state *t = &tl;
	void *p;

	/* The countdown first: then n need not survive glibc's call, and the
	 * fast path saves no register. */
	if (__builtin_expect(t->next <= (int64_t)n, 0))
		return malloc_sampled(n, RA());
	t->next -= (int64_t)n;
	p = __libc_malloc(n);
	if (__builtin_expect(p == NULL, 0))
		return p;
	if (__builtin_expect(pf_memstats_alloc(&tl.ms, pf_usable_inline(p)), 0))
		pf_memstats_slow(&tl.ms);
	return p;
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	void *p = __libc_calloc(nmemb, size);

	/* Non-NULL means nmemb * size did not overflow. */
	if (!p)
		return p;
	return note_alloc(p, nmemb * size, RA());
}

EXPORT void free(void *p)
{
	if (__builtin_expect(!p, 0))
		return;
	/* Every call is a tail call: no stack frame on the fast path. */
	if (__builtin_expect(pf_memstats_free(&tl.ms, pf_usable_inline(p)), 0) ||
	    __builtin_expect(pf_heap_maybe_sampled(p), 0)) {
		free_slow(p);
		return;
	}
	__libc_free(p);
}

/* realloc counts as a free of the old block and a new allocation (in
 * memstats and in the profile), as the issue of growth is the copy. */
static void *do_realloc(void *p, size_t n, uintptr_t ra)
{
	struct pf_heap_rec rec;
	int sampled = 0;
	size_t old;
	void *q;

	if (!p) {
		q = __libc_malloc(n);
		return q ? note_alloc(q, n, ra) : q;
	}
	if (n == 0) {
		/* glibc frees and returns NULL. */
		free(p);
		return NULL;
	}
	old = pf_usable_inline(p);
	/* Detach the record first: once glibc has the old block back, another
	 * thread may get the same address and record it. */
	if (pf_heap_maybe_sampled(p))
		sampled = pf_heap_take(p, &rec);
	q = __libc_realloc(p, n);
	if (!q) {
		if (sampled)
			pf_heap_rec_done(&rec, p, 0);
		return NULL;
	}
	if (pf_memstats_free(&tl.ms, old))
		pf_memstats_slow(&tl.ms);
	if (sampled)
		pf_heap_rec_done(&rec, p, 1);
	return note_alloc(q, n, ra);
}

EXPORT void *realloc(void *p, size_t n)
{
	return do_realloc(p, n, RA());
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return do_realloc(p, n, RA());
}

static void *aligned(size_t align, size_t n, uintptr_t ra)
{
	void *p = __libc_memalign(align, n);

	return p ? note_alloc(p, n, ra) : p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 || align == 0)
		return EINVAL;
	p = aligned(align, n, RA());
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	/* glibc 2.36 makes aligned_alloc an alias of memalign. */
	return aligned(align, n, RA());
}

EXPORT void *memalign(size_t align, size_t n)
{
	return aligned(align, n, RA());
}

EXPORT void *valloc(size_t n)
{
	void *p = __libc_valloc(n);

	return p ? note_alloc(p, n, RA()) : p;
}

EXPORT void *pvalloc(size_t n)
{
	void *p = __libc_pvalloc(n);

	return p ? note_alloc(p, n, RA()) : p;
}

EXPORT size_t malloc_usable_size(void *p)
{
	return pf_malloc_usable(p);
}
