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
 * Sampling follows Go's MemProfileRate: each thread draws exponentially
 * distributed byte intervals with mean `rate` and samples the allocation
 * that crosses the interval (every allocation when rate is 1, none when
 * 0). The decision is taken before glibc is called, because a sampled
 * block is laid out differently: it is glibc's block p0 with the
 * program's block at p = p0 + off (16, or the alignment asked for), and
 * the two words before p are a header:
 *
 *     p[-2]  the block's bucket (heap_table.h), or NULL for a block that
 *            keeps a header without being sampled (after a realloc)
 *     p[-1]  TAG(off) = off << 4 | 0xe
 *
 * p[-1] is where glibc keeps a chunk's size and flags, so every free,
 * which reads that word for memstats anyway, tells a sampled block from
 * glibc's own with the test it already makes for mmapped chunks (bit 1):
 * glibc never sets bit 2 with bit 1, nor bit 3 at all. Should a sampled
 * block ever reach glibc's free or realloc directly, bypassing the
 * interposer, its "size" is not page-aligned and glibc stops the program
 * with "munmap_chunk(): invalid pointer" instead of corrupting its heap.
 * While the runtime's re-entrancy guard is set, allocations are counted
 * but not sampled.
 *
 * Cost: all the per-thread state sits in one initial-exec TLS block. The
 * common malloc is glibc's plus one subtract-and-test of the countdown,
 * reading the block's size word and two adds and a test for memstats; the
 * common free is glibc's plus the same memstats update and the bit test.
 * No table, no lock, no shared cache line. Everything else is on
 * out-of-line slow paths. A rate change reaches the calling thread at
 * once and other threads at the end of their current interval (at most
 * RECHECK_BYTES after sampling was off), as Go's mcaches do.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap_table.h"
#include "malloc_internal.h"
#include "memstats.h"
#include "rt.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define EXPORT __attribute__((visibility("default")))
#define RA() ((uintptr_t)__builtin_return_address(0))
#define COLD __attribute__((noinline, cold))
/* The two hottest entry points keep no frame pointer, like glibc's own:
 * two instructions less each. Their slow paths leave by tail calls, so
 * the heap profiler's frame-pointer walk still finds the frame that
 * returns into the allocating function (and falls back to libunwind if
 * it does not). */
#if defined(__GNUC__) && !defined(__clang__)
#define FAST __attribute__((optimize("omit-frame-pointer")))
#else
#define FAST
#endif

_Atomic long pf_heap_rate = PROFLAB_DEFAULT_HEAP_RATE;

/* A thread's state, zero at thread start: one block so that the fast
 * path reaches all of it from one TLS address. */
struct thread_state {
	/* Bytes this thread may still allocate before its next sample. The
	 * fast path only compares and subtracts: every other case (rate 1,
	 * rate 0, the thread's first allocation, the runtime's own
	 * allocations) is folded into the countdown and sorted out on the
	 * slow path when an allocation reaches it. */
	uint64_t next;
	struct pf_ms_slot ms;
	uint64_t rng;
};

static __thread struct thread_state tl __attribute__((tls_model("initial-exec")));

/* With sampling off, how often a thread looks at the rate again. */
#define RECHECK_BYTES ((uint64_t)1 << 20)

/* ---- block sizes and the sampled blocks' header ---- */

#define HDR 16
#define TAG(off) ((size_t)(off) << 4 | 0xe)

static inline size_t size_word(const void *p)
{
	return ((const size_t *)p)[-1];
}

/* Whether size word w is a sampled block's tag rather than glibc's. */
static inline int is_tagged(size_t w)
{
	return (w & 6) == 6;
}

static inline struct pf_heap_bucket *tag_bucket(const void *p)
{
	return ((struct pf_heap_bucket *const *)p)[-2];
}

/* glibc's block p0 behind tagged block p (size word w). */
static inline void *tag_base(void *p, size_t w)
{
	return (char *)p - (w >> 4);
}

/* A glibc block's bytes for memstats: usable bytes plus PF_MS_EXTRA,
 * which is the size word itself for the common chunk (an mmapped chunk
 * has 8 bytes more of header). */
static inline size_t glibc_ms_bytes(size_t w)
{
	return (w & ~(size_t)7) - (w & 2 ? 8 : 0);
}

/* The same for a tagged block whose program's block is off bytes into
 * glibc's block p0. */
static inline size_t tagged_ms_bytes(const void *p0, size_t off)
{
	return pf_usable_inline(p0) - off + PF_MS_EXTRA;
}

size_t pf_malloc_usable(const void *p)
{
	size_t w;

	if (!p)
		return 0;
	w = size_word(p);
	if (is_tagged(w))
		return pf_usable_inline(tag_base((void *)p, w)) - (w >> 4);
	return pf_usable_inline(p);
}

/* ---- memstats ---- */

static inline void count_alloc_bytes(size_t ms_bytes)
{
	if (__builtin_expect(pf_memstats_alloc(&tl.ms, ms_bytes), 0))
		pf_memstats_slow(&tl.ms);
}

static inline void count_free_bytes(size_t ms_bytes)
{
	if (__builtin_expect(pf_memstats_free(&tl.ms, ms_bytes), 0))
		pf_memstats_slow(&tl.ms);
}

/* Count glibc's block p (untagged), if glibc gave one; returns p. */
static inline void *count_alloc(void *p)
{
	if (p)
		count_alloc_bytes(glibc_ms_bytes(size_word(p)));
	return p;
}

/* ---- the sampling decision ---- */

static uint64_t rng_next(void)
{
	/* splitmix64: good enough for sampling intervals and cheap. */
	uint64_t z = (tl.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 2^62 bytes: the cap on an interval (exact as a double). */
#define MAX_INTERVAL 4611686018427387904.0

int64_t pf_heap_next_interval(long rate)
{
	double u, x;

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
	x = -log(u) * (double)rate;
	/* -ln(u) reaches ~36.7: a rate near LONG_MAX would overflow the
	 * conversion (undefined), and decide() needs intervals < 2^63. The
	 * accepted rates (heap.c) stay far below; this is the backstop. */
	if (x > MAX_INTERVAL)
		x = MAX_INTERVAL;
	return (int64_t)x + 1;
}

void pf_heap_set_thread_interval(int64_t next)
{
	tl.next = next > 0 ? (uint64_t)next : 0;
}

/* Take an allocation of n bytes off the countdown: whether it is due
 * (the countdown was at most n). Inline: every entry point starts with
 * it; the due case goes to a cold function of its own (malloc_due and
 * the like), which keeps the sample's stack in its frame and calls
 * decide(). */
static inline int due(size_t n)
{
	return pf_countdown(&tl.next, n);
}

/* An allocation of n bytes from the function returning to ra was due
 * (and taken off the countdown): whether it is sampled, with its stack in
 * *s if so; not when sampling is off, for the runtime's own allocations
 * and in a thread's first interval. */
COLD static int decide(size_t n, uintptr_t ra, struct pf_heap_site *s)
{
	struct thread_state *t = &tl;
	long rate = atomic_load_explicit(&pf_heap_rate, memory_order_relaxed);
	int64_t left;

	/* A request this large fails in glibc: it does not count. */
	if (n > PTRDIFF_MAX) {
		t->next += n;
		return 0;
	}
	left = (int64_t)t->next; /* was < 2^63 before n came off */
	if (rate <= 0) {
		t->next = RECHECK_BYTES;
		return 0;
	}
	if (pf_rt_busy) {
		/* Sampling is memoryless, so drawing afresh keeps the
		 * program's allocations sampled without bias. */
		t->next = (uint64_t)pf_heap_next_interval(rate);
		return 0;
	}
	if (rate != 1 && !t->rng) {
		/* A thread's first allocation: draw its first interval. */
		left += pf_heap_next_interval(rate);
		if (left > 0) {
			t->next = (uint64_t)left;
			return 0;
		}
	}
	t->next = (uint64_t)pf_heap_next_interval(rate);
	return pf_heap_site_here(s, n, ra) == 0;
}

/* ---- tagged blocks ---- */

/* Put the header on glibc's block p0 (non-NULL) with the program's block
 * off bytes in, count it, and return the program's block. */
static void *tag(void *p0, size_t off, struct pf_heap_bucket *b)
{
	char *p = (char *)p0 + off;

	((struct pf_heap_bucket **)p)[-2] = b;
	((size_t *)p)[-1] = TAG(off);
	count_alloc_bytes(tagged_ms_bytes(p0, off));
	if (b)
		pf_heap_count_alloc(b);
	return p;
}

/* A sampled block of n bytes from site s aligned to align (a power of
 * two; <= HDR for malloc's alignment), zeroed if zero. NULL with errno
 * ENOMEM on failure. The bucket is looked up once glibc has allocated,
 * by when its chain is in the cache (pf_heap_site_here). */
static void *alloc_tagged(const struct pf_heap_site *s, size_t align, size_t n, int zero)
{
	size_t off = align > HDR ? align : HDR, total;
	void *p0;

	if (__builtin_add_overflow(n, off, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (off == HDR)
		p0 = zero ? __libc_calloc(1, total) : __libc_malloc(total);
	else
		p0 = __libc_memalign(align, total);
	return p0 ? tag(p0, off, pf_heap_site_bucket(s)) : NULL;
}

/* Free tagged block p (size word w). The bucket, most likely not in the
 * cache, is counted after glibc's free, which its loading overlaps (a
 * prefetch never faults, NULL included). */
COLD static void free_tagged(void *p, size_t w)
{
	struct pf_heap_bucket *b = tag_bucket(p);
	void *p0 = tag_base(p, w);

	count_free_bytes(tagged_ms_bytes(p0, w >> 4));
	__builtin_prefetch(b, 1);
	__libc_free(p0);
	if (b)
		pf_heap_count_free(b);
}

/* ---- the entry points ---- */

/* malloc when this allocation is due. */
COLD static void *malloc_due(size_t n, uintptr_t ra)
{
	struct pf_heap_site s;

	if (decide(n, ra, &s))
		return alloc_tagged(&s, HDR, n, 0);
	return count_alloc(__libc_malloc(n));
}

/* A block glibc mmapped: not worth a place on the fast path. */
COLD static void *malloc_mmapped(void *p)
{
	return count_alloc(p);
}

/* malloc when memstats' slow path is due (block p is counted). A call of
 * its own, so that malloc's fast path needs no stack slot to keep p. */
COLD static void *malloc_ms_slow(void *p)
{
	pf_memstats_slow(&tl.ms);
	return p;
}

EXPORT FAST void *malloc(size_t n)
{
	size_t w;
	void *p;

	/* The countdown first: then n need not survive glibc's call. */
	if (__builtin_expect(due(n), 0))
		return malloc_due(n, RA());
	p = __libc_malloc(n);
	if (__builtin_expect(p == NULL, 0))
		return p;
	w = size_word(p);
	if (__builtin_expect(w & 2, 0))
		return malloc_mmapped(p);
	if (__builtin_expect(pf_memstats_alloc(&tl.ms, w & ~(size_t)7), 0))
		return malloc_ms_slow(p);
	return p;
}

/* calloc of n bytes (nmemb times size) when it is due. */
COLD static void *calloc_due(size_t nmemb, size_t size, size_t n, uintptr_t ra)
{
	struct pf_heap_site s;

	if (decide(n, ra, &s))
		return alloc_tagged(&s, HDR, n, 1);
	return count_alloc(__libc_calloc(nmemb, size));
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	size_t n;

	/* An overflowing product is glibc's to refuse. */
	if (!__builtin_mul_overflow(nmemb, size, &n) && due(n))
		return calloc_due(nmemb, size, n, RA());
	return count_alloc(__libc_calloc(nmemb, size));
}

/* free of a block whose size word has bit 1 set: tagged, or mmapped by
 * glibc. */
COLD static void free_marked(void *p, size_t w)
{
	if (is_tagged(w)) {
		free_tagged(p, w);
		return;
	}
	count_free_bytes(glibc_ms_bytes(w));
	__libc_free(p);
}

/* free when memstats' slow path is due (the block is counted). */
COLD static void free_ms_slow(void *p)
{
	pf_memstats_slow(&tl.ms);
	__libc_free(p);
}

EXPORT FAST void free(void *p)
{
	size_t w;

	if (__builtin_expect(!p, 0))
		return;
	w = size_word(p);
	/* Every call is a tail call: no stack frame on the fast path. */
	if (__builtin_expect(w & 2, 0)) {
		free_marked(p, w);
		return;
	}
	if (__builtin_expect(pf_memstats_free(&tl.ms, w & ~(size_t)7), 0)) {
		free_ms_slow(p);
		return;
	}
	__libc_free(p);
}

/* realloc counts as a free of the old block and a new allocation (in
 * memstats and in the profile), as the issue of growth is the copy. A
 * tagged block keeps its header through glibc's realloc (and loses its
 * bucket unless the new size is sampled too); an untagged block that
 * becomes sampled is copied into a new tagged block. */
static void *realloc_to(void *p, size_t n, const struct pf_heap_site *s)
{
	size_t w, old, total;
	void *q;

	if (!p)
		return s ? alloc_tagged(s, HDR, n, 0) : count_alloc(__libc_malloc(n));
	w = size_word(p);
	if (is_tagged(w) && (w >> 4) == HDR && !__builtin_add_overflow(n, HDR, &total)) {
		struct pf_heap_bucket *ob = tag_bucket(p);
		void *p0 = tag_base(p, w);

		old = tagged_ms_bytes(p0, HDR);
		q = __libc_realloc(p0, total);
		if (!q)
			return NULL;
		count_free_bytes(old);
		if (ob)
			pf_heap_count_free(ob);
		return tag(q, HDR, s ? pf_heap_site_bucket(s) : NULL);
	}
	if (!s && !is_tagged(w)) {
		old = glibc_ms_bytes(w);
		q = __libc_realloc(p, n);
		if (!q)
			return NULL;
		count_free_bytes(old);
		return count_alloc(q);
	}
	/* Into a new block: sampled, or out of an over-aligned tagged one. */
	q = s ? alloc_tagged(s, HDR, n, 0) : count_alloc(__libc_malloc(n));
	if (!q)
		return NULL;
	old = pf_malloc_usable(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

/* realloc when the new size is due: the stack is recorded here, so that
 * realloc's common path keeps no room for it. */
COLD static void *realloc_due(void *p, size_t n, uintptr_t ra)
{
	struct pf_heap_site s;

	return realloc_to(p, n, decide(n, ra, &s) ? &s : NULL);
}

static void *do_realloc(void *p, size_t n, uintptr_t ra)
{
	if (p && n == 0) {
		/* glibc frees and returns NULL. */
		free(p);
		return NULL;
	}
	if (due(n))
		return realloc_due(p, n, ra);
	return realloc_to(p, n, NULL);
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

/* memalign and its kin when the allocation is due. */
COLD static void *aligned_due(size_t align, size_t n, uintptr_t ra)
{
	struct pf_heap_site s;

	if (decide(n, ra, &s))
		return alloc_tagged(&s, align, n, 0);
	return count_alloc(__libc_memalign(align, n));
}

/* memalign and its kin; align is a power of two. */
static void *aligned(size_t align, size_t n, uintptr_t ra)
{
	if (due(n))
		return aligned_due(align, n, ra);
	return count_alloc(__libc_memalign(align, n));
}

/* glibc's memalign takes any alignment and rounds it up to a power of two
 * (at least 16); so do we, so that tagged blocks are laid out alike. */
static size_t round_align(size_t align)
{
	size_t a = HDR;

	while (a < align && a <= (SIZE_MAX >> 1))
		a <<= 1;
	return a;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 || align == 0)
		return EINVAL;
	p = aligned(round_align(align), n, RA());
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	/* glibc 2.36 makes aligned_alloc an alias of memalign. */
	return aligned(round_align(align), n, RA());
}

EXPORT void *memalign(size_t align, size_t n)
{
	return aligned(round_align(align), n, RA());
}

/* glibc's valloc and pvalloc are its memalign to the page size (pvalloc
 * of the request rounded up to whole pages); so are ours. */
EXPORT void *valloc(size_t n)
{
	return aligned((size_t)sysconf(_SC_PAGESIZE), n, RA());
}

EXPORT void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), rounded;

	if (__builtin_add_overflow(n, page - 1, &rounded)) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(page, rounded & ~(page - 1), RA());
}

EXPORT size_t malloc_usable_size(void *p)
{
	return pf_malloc_usable(p);
}
