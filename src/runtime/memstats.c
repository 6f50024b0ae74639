/*
 * memstats.c - per-thread allocation counters merged on read (memstats.h).
 *
 * The hot path must not allocate through the interposer (it runs inside
 * malloc), must work before any constructor and while a thread is being
 * torn down, and must not touch shared cache lines. So a thread's first
 * allocation takes a slot (from glibc's allocator directly) under a lock,
 * remembers it in initial-exec TLS, and registers a pthread key whose
 * destructor hands the slot back. Allocations a thread makes after its
 * destructor ran (libc's own thread cleanup), or while it is taking its
 * slot, go to a shared "orphan" slot with atomic adds: rare by design.
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

extern void *__libc_memalign(size_t, size_t);


enum { T_NEW = 0, T_REGISTERING, T_LIVE, T_DEAD };

__thread struct pf_ms_slot *pf_ms_self __attribute__((tls_model("initial-exec")));
static __thread int tl_state __attribute__((tls_model("initial-exec")));

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_ms_slot *g_live;     /* slots of running threads (under g_lock) */
static struct pf_ms_slot *g_spare;    /* slots of exited threads, for reuse */
static struct pf_ms_slot g_dead;      /* totals of exited threads (under g_lock) */
static struct pf_ms_slot g_orphan;    /* atomic adds from threads without a slot */
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

void pf_memstats_publish(int64_t delta)
{
	int64_t net = atomic_fetch_add_explicit(&g_net, delta, memory_order_relaxed) + delta;

	if (delta > 0 && net > 0)
		raise_peak((uint64_t)net);
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
	pf_ms_add(&g_dead.alloc_bytes, atomic_load(&s->alloc_bytes));
	pf_ms_add(&g_dead.free_bytes, atomic_load(&s->free_bytes));
	pf_ms_add(&g_dead.mallocs, atomic_load(&s->mallocs));
	pf_ms_add(&g_dead.frees, atomic_load(&s->frees));
	if (s->pending)
		pf_memstats_publish(s->pending);
	memset(s, 0, sizeof(*s));
	s->next = g_spare;
	g_spare = s;
	pthread_mutex_unlock(&g_lock);
	pf_ms_self = NULL;
	tl_state = T_DEAD;
}

static void key_create(void)
{
	g_key_ok = pthread_key_create(&g_key, slot_retire) == 0;
}

/* The calling thread's slot, or NULL when it must use the orphan slot. */
static struct pf_ms_slot *my_slot(void)
{
	struct pf_ms_slot *s;

	if (tl_state == T_LIVE)
		return pf_ms_self;
	if (tl_state != T_NEW)
		return NULL;
	tl_state = T_REGISTERING; /* allocations made from here on are orphans */
	pthread_once(&g_key_once, key_create);
	pthread_mutex_lock(&g_lock);
	s = g_spare;
	if (s)
		g_spare = s->next;
	pthread_mutex_unlock(&g_lock);
	if (!s) {
		/* Cache-line aligned, so that no two threads share a line. */
		s = __libc_memalign(64, sizeof(*s));
		if (s)
			memset(s, 0, sizeof(*s));
	}
	if (!s) {
		tl_state = T_NEW;
		return NULL;
	}
	pthread_mutex_lock(&g_lock);
	s->next = g_live;
	g_live = s;
	pthread_mutex_unlock(&g_lock);
	/* Without a destructor (key creation failed) the slot stays live
	 * after the thread ends: its counts remain right, only the slot is
	 * not reused. */
	if (g_key_ok)
		pthread_setspecific(g_key, s);
	pf_ms_self = s;
	tl_state = T_LIVE;
	return s;
}

void pf_memstats_alloc_slow(size_t n)
{
	if (my_slot()) {
		pf_memstats_alloc(n);
		return;
	}
	atomic_fetch_add(&g_orphan.alloc_bytes, n);
	atomic_fetch_add(&g_orphan.mallocs, 1);
	pf_memstats_publish((int64_t)n);
}

void pf_memstats_free_slow(size_t n)
{
	if (my_slot()) {
		pf_memstats_free(n);
		return;
	}
	atomic_fetch_add(&g_orphan.free_bytes, n);
	atomic_fetch_add(&g_orphan.frees, 1);
	pf_memstats_publish(-(int64_t)n);
}

static uint64_t sum(size_t off)
{
	const struct pf_ms_slot *s;
	uint64_t v;

#define FIELD(sp) ((_Atomic uint64_t *)((char *)(sp) + off))
	v = atomic_load_explicit(FIELD(&g_dead), memory_order_acquire);
	v += atomic_load_explicit(FIELD(&g_orphan), memory_order_acquire);
	for (s = g_live; s; s = s->next)
		v += atomic_load_explicit(FIELD(s), memory_order_acquire);
#undef FIELD
	return v;
}

void pf_memstats_read(struct proflab_memstats *ms)
{
	uint64_t fb, fc, ab, ac;
	struct mallinfo2 mi;

	pthread_mutex_lock(&g_lock);
	/* Frees first: a free we see was preceded by its allocation, which
	 * we are then sure to see too. */
	fb = sum(offsetof(struct pf_ms_slot, free_bytes));
	fc = sum(offsetof(struct pf_ms_slot, frees));
	ab = sum(offsetof(struct pf_ms_slot, alloc_bytes));
	ac = sum(offsetof(struct pf_ms_slot, mallocs));
	pthread_mutex_unlock(&g_lock);
	memset(ms, 0, sizeof(*ms));
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
