/*
 * heap_table.c - buckets of sampled allocations and the live-block table
 * (heap_table.h).
 *
 * Locking: the live-block table is split into 256 stripes, each with its
 * own mutex; the filter entry of an address belongs to exactly one stripe
 * and only changes under that stripe's lock, so the unlocked filter read
 * in pf_heap_maybe_sampled() can only err towards "maybe". Bucket lookup
 * is lock-free (buckets are only ever prepended to chains and never
 * freed); creating a bucket takes one mutex. No lock is held while
 * unwinding, which may itself allocate (libunwind, dl_iterate_phdr).
 */
#define UNW_LOCAL_ONLY
#include "heap_table.h"

#include <libunwind.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "rt.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

#define ADDR_BITS 20 /* heads of the live-block table */
#define NSTRIPES 256
#define BUCKET_BITS 14

struct pf_heap_rec {
	struct pf_heap_rec *next;
	uintptr_t addr;
	struct pf_heap_bucket *bucket;
	size_t size;
};

struct stripe {
	pthread_mutex_t lock;
	size_t nlive;
} __attribute__((aligned(64)));

_Atomic(_Atomic uint32_t *) pf_heap_filter;
static struct pf_heap_rec **g_heads; /* 1 << ADDR_BITS chains */
static struct stripe g_stripes[NSTRIPES];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ready;

static _Atomic(struct pf_heap_bucket *) g_bhash[1 << BUCKET_BITS];
static _Atomic(struct pf_heap_bucket *) g_ball;
static pthread_mutex_t g_block = PTHREAD_MUTEX_INITIALIZER;

static void tables_init(void)
{
	void *heads, *filter;
	size_t i;

	for (i = 0; i < NSTRIPES; i++)
		pthread_mutex_init(&g_stripes[i].lock, NULL);
	/* Untouched pages cost nothing: 8 MiB of chain heads are mapped but
	 * only the pages of sampled addresses become resident. */
	heads = mmap(NULL, sizeof(*g_heads) << ADDR_BITS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	filter = mmap(NULL, sizeof(uint32_t) << PF_HEAP_FILTER_BITS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heads == MAP_FAILED || filter == MAP_FAILED)
		return;
	g_heads = heads;
	atomic_store_explicit(&pf_heap_filter, filter, memory_order_release);
	g_ready = 1;
}

static void addr_slots(const void *p, size_t *head, size_t *filt, struct stripe **st)
{
	uint64_t h = pf_heap_addr_hash(p);

	*head = h >> (64 - ADDR_BITS);
	*filt = h >> (64 - PF_HEAP_FILTER_BITS);
	*st = &g_stripes[*filt % NSTRIPES];
}

static uint64_t stack_hash(const uintptr_t *pcs, size_t n, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ size;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= pcs[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static int bucket_is(const struct pf_heap_bucket *b, uint64_t h, const uintptr_t *pcs,
		     size_t n, size_t size)
{
	return b->hash == h && b->size == size && b->npcs == n &&
	       memcmp(b->pcs, pcs, n * sizeof(*pcs)) == 0;
}

static struct pf_heap_bucket *bucket_get(const uintptr_t *pcs, size_t n, size_t size)
{
	uint64_t h = stack_hash(pcs, n, size);
	_Atomic(struct pf_heap_bucket *) *head = &g_bhash[h >> (64 - BUCKET_BITS)];
	struct pf_heap_bucket *b;

	for (b = atomic_load_explicit(head, memory_order_acquire); b; b = b->hnext)
		if (bucket_is(b, h, pcs, n, size))
			return b;
	pthread_mutex_lock(&g_block);
	/* Look again: another thread may have added it meanwhile. */
	for (b = atomic_load_explicit(head, memory_order_acquire); b; b = b->hnext)
		if (bucket_is(b, h, pcs, n, size))
			goto out;
	b = __libc_malloc(sizeof(*b) + n * sizeof(*pcs));
	if (!b)
		goto out;
	memset(b, 0, sizeof(*b));
	b->hash = h;
	b->size = size;
	b->npcs = (uint32_t)n;
	memcpy(b->pcs, pcs, n * sizeof(*pcs));
	b->hnext = atomic_load_explicit(head, memory_order_relaxed);
	b->all = atomic_load_explicit(&g_ball, memory_order_relaxed);
	atomic_store_explicit(head, b, memory_order_release);
	atomic_store_explicit(&g_ball, b, memory_order_release);
out:
	pthread_mutex_unlock(&g_block);
	return b;
}

static void rec_insert(struct pf_heap_rec *r)
{
	_Atomic uint32_t *filter = atomic_load_explicit(&pf_heap_filter, memory_order_relaxed);
	struct pf_heap_rec **pp, *stale = NULL;
	struct stripe *st;
	size_t hi, fi;

	addr_slots((const void *)r->addr, &hi, &fi, &st);
	pthread_mutex_lock(&st->lock);
	/* An address already present means its free bypassed us (a block
	 * glibc released internally): count that block as freed. */
	for (pp = &g_heads[hi]; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == r->addr) {
			stale = *pp;
			*pp = stale->next;
			st->nlive--;
			atomic_fetch_sub_explicit(&filter[fi], 1, memory_order_relaxed);
			break;
		}
	}
	r->next = g_heads[hi];
	g_heads[hi] = r;
	st->nlive++;
	atomic_fetch_add_explicit(&filter[fi], 1, memory_order_relaxed);
	pthread_mutex_unlock(&st->lock);
	if (stale)
		pf_heap_rec_done(stale, 1);
}

struct pf_heap_rec *pf_heap_take(const void *p)
{
	_Atomic uint32_t *filter = atomic_load_explicit(&pf_heap_filter, memory_order_acquire);
	struct pf_heap_rec **pp, *r = NULL;
	struct stripe *st;
	size_t hi, fi;

	if (!filter)
		return NULL;
	addr_slots(p, &hi, &fi, &st);
	pthread_mutex_lock(&st->lock);
	for (pp = &g_heads[hi]; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == (uintptr_t)p) {
			r = *pp;
			*pp = r->next;
			st->nlive--;
			atomic_fetch_sub_explicit(&filter[fi], 1, memory_order_relaxed);
			break;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return r;
}

void pf_heap_rec_done(struct pf_heap_rec *rec, int freed)
{
	if (!freed) {
		rec_insert(rec);
		return;
	}
	/* Bytes before objects here and in pf_heap_sample; a reader loads
	 * frees before allocations and objects before bytes, so in-use
	 * figures it computes are never negative. */
	atomic_fetch_add_explicit(&rec->bucket->free_bytes, (int64_t)rec->size, memory_order_release);
	atomic_fetch_add_explicit(&rec->bucket->free_objects, 1, memory_order_release);
	__libc_free(rec);
}

void pf_heap_sample(void *p, size_t size, uintptr_t ra)
{
	void *frames[PF_HEAP_MAX_DEPTH + 8];
	uintptr_t pcs[PF_HEAP_MAX_DEPTH];
	struct pf_heap_bucket *b;
	struct pf_heap_rec *r;
	size_t npcs = 0;
	int n, i;

	pf_rt_enter();
	pthread_once(&g_once, tables_init);
	if (!g_ready)
		goto out;
	n = unw_backtrace(frames, PF_HEAP_MAX_DEPTH + 8);
	/* Drop the interposer's own frames: everything up to the frame that
	 * returns to ra, the allocating function. */
	for (i = 0; i < n; i++)
		if ((uintptr_t)frames[i] == ra)
			break;
	/* The leaf is the call instruction itself, so it is looked up as is
	 * and shows the line of the malloc call. */
	pcs[npcs++] = ra - 1;
	for (i = i + 1; i < n && npcs < PF_HEAP_MAX_DEPTH; i++)
		pcs[npcs++] = (uintptr_t)frames[i];
	b = bucket_get(pcs, npcs, size);
	if (!b)
		goto out;
	atomic_fetch_add_explicit(&b->alloc_bytes, (int64_t)size, memory_order_release);
	atomic_fetch_add_explicit(&b->alloc_objects, 1, memory_order_release);
	r = __libc_malloc(sizeof(*r));
	if (!r) {
		/* Untracked from now on: count it freed so in-use stays right. */
		atomic_fetch_add_explicit(&b->free_bytes, (int64_t)size, memory_order_release);
		atomic_fetch_add_explicit(&b->free_objects, 1, memory_order_release);
		goto out;
	}
	r->addr = (uintptr_t)p;
	r->bucket = b;
	r->size = size;
	rec_insert(r);
out:
	pf_rt_leave();
}

struct pf_heap_bucket *pf_heap_buckets(void)
{
	return atomic_load_explicit(&g_ball, memory_order_acquire);
}

size_t pf_heap_live_records(void)
{
	size_t i, n = 0;

	if (!g_ready)
		return 0;
	for (i = 0; i < NSTRIPES; i++) {
		pthread_mutex_lock(&g_stripes[i].lock);
		n += g_stripes[i].nlive;
		pthread_mutex_unlock(&g_stripes[i].lock);
	}
	return n;
}

void pf_heap_table_fork_prepare(void)
{
	size_t i;

	pthread_once(&g_once, tables_init); /* so g_ready cannot change across fork */
	pthread_mutex_lock(&g_block);
	if (g_ready)
		for (i = 0; i < NSTRIPES; i++)
			pthread_mutex_lock(&g_stripes[i].lock);
}

void pf_heap_table_fork_parent(void)
{
	size_t i;

	if (g_ready)
		for (i = NSTRIPES; i-- > 0;)
			pthread_mutex_unlock(&g_stripes[i].lock);
	pthread_mutex_unlock(&g_block);
}

void pf_heap_table_fork_child(void)
{
	pf_heap_table_fork_parent();
}
