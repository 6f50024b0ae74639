/*
 * memstats.c - per-thread allocation counters merged on read (memstats.h).
 *
 * The hot path must not allocate through the interposer (it runs inside
 * malloc), must work before any constructor and while a thread is being
 * torn down, and must not touch shared cache lines. So each thread counts
 * into a slot in its own thread-local storage (zero at thread start, so a
 * thread's first allocation or free takes the slow path), which links the
 * slot into the list of running threads under a lock and registers a
 * pthread key whose destructor unlinks it and folds its counts into a
 * common total before the thread's TLS goes away. Allocations a thread
 * makes after its destructor ran (libc's own thread cleanup) go to a
 * shared "orphan" total with atomic adds: rare by design.
 *
 * The owner updates its slot with plain adds and subtracts; readers load
 * the counters atomically under the lock, which keeps the slot linked,
 * and a sequence count covers the owner's rare refills of its budgets
 * (memstats.h). Frees are read before allocations and negatives are
 * clamped (pf_memstats_read), so a reader racing with the owners never
 * reports nonsense.
 */
#include "memstats.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"

enum { T_NEW = 0, T_REGISTERING, T_LIVE, T_DEAD };

/* Totals of exited threads and orphans (atomic adds). */
struct totals {
	uint64_t alloc_bytes, free_bytes, mallocs, frees;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_ms_slot *g_live;     /* slots of running threads (under g_lock) */
static struct totals g_dead;
static _Atomic int64_t g_net;   /* published net bytes, for the peak */
static _Atomic uint64_t g_peak;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static int g_key_ok;

static void raise_peak(uint64_t v)
{
	uint64_t old = atomic_load_explicit(&g_peak, memory_order_relaxed);

	while (v > old && !atomic_compare_exchange_weak_explicit(&g_peak, &old, v,
				memory_order_relaxed, memory_order_relaxed))
		;
}

static void publish(int64_t delta)
{
	int64_t net = atomic_fetch_add_explicit(&g_net, delta, memory_order_relaxed) + delta;

	if (delta > 0 && net > 0)
		raise_peak((uint64_t)net);
}

/* The owner's view of its slot's totals. */
static uint64_t own_alloc_bytes(const struct pf_ms_slot *s) { return s->alloc_base - s->alloc_left; }
static uint64_t own_free_bytes(const struct pf_ms_slot *s) { return s->free_base - s->free_left; }

/* Publish s's net change since its last publication. */
static void slot_publish(struct pf_ms_slot *s)
{
	int64_t net = (int64_t)(own_alloc_bytes(s) - own_free_bytes(s)) -
		      PF_MS_EXTRA * (int64_t)(s->mallocs - s->frees);

	publish(net - s->published);
	s->published = net;
}

/* Give s a fresh budget of PF_MEMSTATS_PUBLISH bytes each way, its
 * totals unchanged; readers see either side of it, never a mix. */
static void slot_refill(struct pf_ms_slot *s)
{
	uint64_t ab = own_alloc_bytes(s), fb = own_free_bytes(s);
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	__atomic_store_n(&s->alloc_left, PF_MEMSTATS_PUBLISH, __ATOMIC_RELAXED);
	__atomic_store_n(&s->alloc_base, ab + PF_MEMSTATS_PUBLISH, __ATOMIC_RELAXED);
	__atomic_store_n(&s->free_left, PF_MEMSTATS_PUBLISH, __ATOMIC_RELAXED);
	__atomic_store_n(&s->free_base, fb + PF_MEMSTATS_PUBLISH, __ATOMIC_RELAXED);
	atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

/* Move s's counts to the common total; s is not linked (no reader sees
 * it). Every later count in s runs out its countdown at once, takes the
 * slow path and comes here again. */
static void slot_fold(struct pf_ms_slot *s)
{
	__atomic_fetch_add(&g_dead.alloc_bytes, own_alloc_bytes(s), __ATOMIC_RELEASE);
	__atomic_fetch_add(&g_dead.free_bytes, own_free_bytes(s), __ATOMIC_RELEASE);
	__atomic_fetch_add(&g_dead.mallocs, s->mallocs, __ATOMIC_RELEASE);
	__atomic_fetch_add(&g_dead.frees, s->frees, __ATOMIC_RELEASE);
	slot_publish(s);
	s->alloc_left = s->free_left = s->alloc_base = s->free_base = 0;
	s->mallocs = s->frees = 0;
	s->published = 0;
	s->state = T_DEAD;
}

static void slot_retire(void *arg)
{
	struct pf_ms_slot *s = arg, **pp;

	pthread_mutex_lock(&g_lock);
	for (pp = &g_live; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->next = NULL;
	slot_fold(s);
	pthread_mutex_unlock(&g_lock);
}

static void key_create(void)
{
	g_key_ok = pthread_key_create(&g_key, slot_retire) == 0;
}

static void slot_register(struct pf_ms_slot *s)
{
	s->state = T_REGISTERING; /* counts made meanwhile stay in s */
	pthread_once(&g_key_once, key_create);
	if (!g_key_ok) {
		/* Without a destructor the slot could not be unlinked before
		 * the thread's TLS goes away: count as an orphan. */
		slot_fold(s);
		return;
	}
	pthread_mutex_lock(&g_lock);
	s->next = g_live;
	g_live = s;
	pthread_mutex_unlock(&g_lock);
	pthread_setspecific(g_key, s);
	s->state = T_LIVE;
}

void pf_memstats_slow(struct pf_ms_slot *s)
{
	switch (s->state) {
	case T_NEW:
		slot_register(s);
		break;
	case T_REGISTERING:
		return;
	case T_DEAD:
		slot_fold(s);
		return;
	default:
		break;
	}
	if (s->state != T_LIVE)
		return;
	slot_publish(s);
	slot_refill(s);
}

/* A linked slot's bytes (base - left) and count, read consistently with
 * the owner's refills; frees or allocations. Under g_lock. */
static void slot_read(const struct pf_ms_slot *s, int frees, uint64_t *bytes, uint64_t *count)
{
	const uint64_t *left = frees ? &s->free_left : &s->alloc_left;
	const uint64_t *base = frees ? &s->free_base : &s->alloc_base;
	const uint64_t *n = frees ? &s->frees : &s->mallocs;
	uint32_t q1, q2;
	uint64_t l, b;

	do {
		q1 = atomic_load_explicit(&s->seq, memory_order_acquire);
		l = __atomic_load_n(left, __ATOMIC_RELAXED);
		b = __atomic_load_n(base, __ATOMIC_RELAXED);
		*count = __atomic_load_n(n, __ATOMIC_RELAXED);
		atomic_thread_fence(memory_order_acquire);
		q2 = atomic_load_explicit(&s->seq, memory_order_relaxed);
	} while ((q1 & 1) || q1 != q2);
	*bytes = b - l;
}

/* Bytes and counts of frees or allocations over every thread. */
static void sum(int frees, uint64_t *bytes, uint64_t *count)
{
	const struct pf_ms_slot *s;
	uint64_t b, n;

	*bytes = __atomic_load_n(frees ? &g_dead.free_bytes : &g_dead.alloc_bytes, __ATOMIC_ACQUIRE);
	*count = __atomic_load_n(frees ? &g_dead.frees : &g_dead.mallocs, __ATOMIC_ACQUIRE);
	for (s = g_live; s; s = s->next) {
		slot_read(s, frees, &b, &n);
		*bytes += b;
		*count += n;
	}
}

void pf_memstats_read(struct proflab_memstats *ms)
{
	uint64_t fb, fc, ab, ac;
	struct mallinfo2 mi;

	pthread_mutex_lock(&g_lock);
	/* Frees first: a free we see was preceded by its allocation, which
	 * we are then sure to see too. */
	sum(1, &fb, &fc);
	sum(0, &ab, &ac);
	pthread_mutex_unlock(&g_lock);
	memset(ms, 0, sizeof(*ms));
	/* The slots count usable bytes plus PF_MS_EXTRA a block. */
	ab -= PF_MS_EXTRA * ac;
	fb -= PF_MS_EXTRA * fc;
	ms->total_alloc = ab;
	ms->mallocs = ac;
	ms->frees = fc;
	/* Blocks glibc allocated internally and the program freed can make
	 * the frees outnumber what was seen; never report a negative. */
	ms->alloc = ab > fb ? ab - fb : 0;
	ms->heap_objects = ac > fc ? ac - fc : 0;
	raise_peak(ms->alloc);
	ms->peak_alloc = atomic_load(&g_peak);
	mi = mallinfo2();
	ms->sys = mi.arena + mi.hblkhd;
}

static int human(struct pf_buf *out, uint64_t v)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		return pf_buf_printf(out, "%" PRIu64 " B", v);
	return pf_buf_printf(out, "%.2f %s", d, units[u]);
}

int pf_memstats_format(const struct proflab_memstats *ms, struct pf_buf *out)
{
	static const struct {
		const char *name, *go, *what;
		size_t off;
		int bytes;
	} rows[] = {
		{ "alloc", "Alloc", "allocated and not yet freed", offsetof(struct proflab_memstats, alloc), 1 },
		{ "total_alloc", "TotalAlloc", "allocated over the lifetime (never decreases)", offsetof(struct proflab_memstats, total_alloc), 1 },
		{ "mallocs", "Mallocs", "allocations made", offsetof(struct proflab_memstats, mallocs), 0 },
		{ "frees", "Frees", "frees made", offsetof(struct proflab_memstats, frees), 0 },
		{ "heap_objects", "HeapObjects", "blocks live now (mallocs - frees)", offsetof(struct proflab_memstats, heap_objects), 0 },
		{ "peak_alloc", "-", "highest alloc seen", offsetof(struct proflab_memstats, peak_alloc), 1 },
		{ "sys", "HeapSys", "obtained from the system by malloc", offsetof(struct proflab_memstats, sys), 1 },
	};
	size_t i;
	int rc = 0;

	rc |= pf_buf_puts(out, "proflab: memstats at exit (like Go's runtime.MemStats; bytes are malloc_usable_size)\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)ms + rows[i].off);
		size_t mark;

		rc |= pf_buf_printf(out, "  %-12s %-11s %14" PRIu64, rows[i].name, rows[i].go, v);
		mark = out->len;
		if (rows[i].bytes) {
			rc |= pf_buf_puts(out, "  (");
			rc |= human(out, v);
			rc |= pf_buf_puts(out, ")");
		}
		rc |= pf_buf_pad(out, ' ', mark + 14 > out->len ? mark + 14 - out->len : 1);
		rc |= pf_buf_printf(out, "%s\n", rows[i].what);
	}
	rc |= pf_buf_puts(out, "  NumGC has no counterpart: C has no garbage collector; memory returns only by free()\n");
	return rc ? -1 : 0;
}

void pf_memstats_fork_prepare(void) { pthread_mutex_lock(&g_lock); }
void pf_memstats_fork_parent(void) { pthread_mutex_unlock(&g_lock); }

void pf_memstats_fork_child(void)
{
	/* Only the forking thread lives on in the child; the other threads'
	 * slots keep their counts (their blocks are the child's heap too) but
	 * will never be retired by their owners. */
	pthread_mutex_unlock(&g_lock);
}
