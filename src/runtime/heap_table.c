/*
 * heap_table.c - buckets of sampled allocations and the live-block table
 * (heap_table.h).
 *
 * Locking: the live-block table is split into 256 stripes, each with its
 * own mutex; the filter entry and the chain of an address belong to one stripe
 * and only changes under that stripe's lock, so the unlocked filter read
 * in pf_heap_maybe_sampled() can only err towards "maybe". Bucket lookup
 * is lock-free (buckets are only ever prepended to chains and never
 * freed); creating a bucket takes one mutex. No lock is held while
 * unwinding, which may itself allocate (libunwind, dl_iterate_phdr).
 * The filter is a bitmap over per-slot counts: a count changes under its
 * stripe's lock, and its bit with an atomic or/and (a word of the bitmap
 * spans several stripes). Nodes and buckets come from a pool of mmapped
 * chunks (innermost lock; nodes are recycled per stripe).
 */
#define UNW_LOCAL_ONLY
#include "heap_table.h"

#include <libunwind.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "rt.h"

/* Heads of the live-block table: 1 MiB, small enough to stay in cache
 * (each free of a sampled block reads one); chains stay short up to about
 * a hundred thousand live sampled blocks. */
#define ADDR_BITS 17
#define NSTRIPES 256
#define BUCKET_BITS 14
#define POOL_CHUNK ((size_t)1 << 20)

/* A live sampled block. Nodes live in per-stripe free lists carved from
 * mmapped chunks, never in glibc's heap. */
struct node {
	struct node *next;
	uintptr_t addr;
	struct pf_heap_rec rec;
};

struct stripe {
	pthread_mutex_t lock;
	size_t nlive;
	struct node *spare; /* free nodes of this stripe */
} __attribute__((aligned(64)));

_Atomic uint64_t pf_heap_filter[(1 << PF_HEAP_FILTER_BITS) / 64];
static uint32_t g_fcount[1 << PF_HEAP_FILTER_BITS]; /* under the stripe lock */
static struct node **g_heads; /* 1 << ADDR_BITS chains */
static struct stripe g_stripes[NSTRIPES];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ready;

static _Atomic(struct pf_heap_bucket *) g_bhash[1 << BUCKET_BITS];
static _Atomic(struct pf_heap_bucket *) g_ball;
static pthread_mutex_t g_block = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t g_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static char *g_pool_next, *g_pool_end;

/* n bytes (16-aligned) of never-freed memory, or NULL. */
static void *pool_alloc(size_t n)
{
	void *p = NULL;

	n = (n + 15) & ~(size_t)15;
	pthread_mutex_lock(&g_pool_lock);
	if (!g_pool_next || (size_t)(g_pool_end - g_pool_next) < n) {
		size_t len = n > POOL_CHUNK ? n : POOL_CHUNK;
		void *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (c == MAP_FAILED)
			goto out;
		g_pool_next = c;
		g_pool_end = g_pool_next + len;
	}
	p = g_pool_next;
	g_pool_next += n;
out:
	pthread_mutex_unlock(&g_pool_lock);
	return p;
}

static void tables_init(void)
{
	void *heads;
	size_t i;

	for (i = 0; i < NSTRIPES; i++)
		pthread_mutex_init(&g_stripes[i].lock, NULL);
	/* Untouched pages cost nothing: the chain heads are mapped but only
	 * the pages of sampled addresses become resident. */
	heads = mmap(NULL, sizeof(*g_heads) << ADDR_BITS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heads == MAP_FAILED)
		return;
	g_heads = heads;
	g_ready = 1;
}

static void addr_slots(const void *p, size_t *head, size_t *filt, struct stripe **st)
{
	uint64_t h = pf_heap_addr_hash(p);

	*filt = pf_heap_filter_slot(p);
	*st = &g_stripes[*filt % NSTRIPES];
	/* A chain belongs to one stripe too: its index ends with the
	 * stripe's number (NSTRIPES divides both table sizes). */
	*head = (size_t)(h >> (64 - ADDR_BITS)) / NSTRIPES * NSTRIPES + *filt % NSTRIPES;
}

/* Filter slot fi gains / loses a block; under its stripe's lock. */
static void filter_add(size_t fi)
{
	if (g_fcount[fi]++ == 0)
		atomic_fetch_or_explicit(&pf_heap_filter[fi / 64], (uint64_t)1 << (fi % 64),
					 memory_order_relaxed);
}

static void filter_sub(size_t fi)
{
	if (--g_fcount[fi] == 0)
		atomic_fetch_and_explicit(&pf_heap_filter[fi / 64], ~((uint64_t)1 << (fi % 64)),
					  memory_order_relaxed);
}

/* A free node of stripe st; under its lock. */
static struct node *node_get(struct stripe *st)
{
	struct node *n = st->spare;

	if (!n) {
		/* Refill with a batch: one trip to the pool per 64 nodes. */
		struct node *batch = pool_alloc(64 * sizeof(*batch));
		size_t i;

		if (!batch)
			return NULL;
		for (i = 1; i < 64; i++) {
			batch[i].next = st->spare;
			st->spare = &batch[i];
		}
		return &batch[0];
	}
	st->spare = n->next;
	return n;
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
	/* Finish with splitmix64's mixer: the table is indexed by the top
	 * bits, which the loop alone leaves nearly blind to the size (one
	 * stack allocating many sizes made long chains). */
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
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
	b = pool_alloc(sizeof(*b) + n * sizeof(*pcs));
	if (!b)
		goto out;
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

static void credit_free(const struct pf_heap_rec *r)
{
	/* Bytes before objects here and in pf_heap_sample; a reader loads
	 * frees before allocations and objects before bytes, so in-use
	 * figures it computes are never negative. */
	atomic_fetch_add_explicit(&r->bucket->free_bytes, (int64_t)r->size, memory_order_release);
	atomic_fetch_add_explicit(&r->bucket->free_objects, 1, memory_order_release);
}

/* Record block p of r; 0, or -1 when no node could be had. */
static int rec_insert(const void *p, const struct pf_heap_rec *r)
{
	struct pf_heap_rec stale;
	struct node **pp, *n;
	struct stripe *st;
	size_t hi, fi;
	int found = 0;

	addr_slots(p, &hi, &fi, &st);
	pthread_mutex_lock(&st->lock);
	/* An address already present means its free bypassed us (a block
	 * glibc released internally): count that block as freed. */
	for (pp = &g_heads[hi]; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == (uintptr_t)p) {
			stale = (*pp)->rec;
			(*pp)->rec = *r;
			found = 1;
			break;
		}
	}
	if (!found) {
		n = node_get(st);
		if (!n) {
			pthread_mutex_unlock(&st->lock);
			return -1;
		}
		n->addr = (uintptr_t)p;
		n->rec = *r;
		n->next = g_heads[hi];
		g_heads[hi] = n;
		st->nlive++;
		filter_add(fi);
	}
	pthread_mutex_unlock(&st->lock);
	if (found)
		credit_free(&stale);
	return 0;
}

int pf_heap_take(const void *p, struct pf_heap_rec *out)
{
	struct node **pp, *n;
	struct stripe *st;
	size_t hi, fi;
	int found = 0;

	if (!g_ready)
		return 0;
	addr_slots(p, &hi, &fi, &st);
	pthread_mutex_lock(&st->lock);
	for (pp = &g_heads[hi]; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == (uintptr_t)p) {
			n = *pp;
			*pp = n->next;
			*out = n->rec;
			n->next = st->spare;
			st->spare = n;
			st->nlive--;
			filter_sub(fi);
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return found;
}

void pf_heap_rec_done(const struct pf_heap_rec *rec, const void *p, int freed)
{
	if (freed || rec_insert(p, rec) < 0)
		credit_free(rec);
}

void pf_heap_sample(void *p, size_t size, uintptr_t ra)
{
	void *frames[PF_HEAP_MAX_DEPTH + 8];
	uintptr_t pcs[PF_HEAP_MAX_DEPTH];
	struct pf_heap_bucket *b;
	struct pf_heap_rec r;
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
	r.bucket = b;
	r.size = size;
	/* Untracked if no node: counted freed at once so in-use stays right. */
	if (rec_insert(p, &r) < 0)
		credit_free(&r);
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
	pthread_mutex_lock(&g_pool_lock);
}

void pf_heap_table_fork_parent(void)
{
	size_t i;

	pthread_mutex_unlock(&g_pool_lock);
	if (g_ready)
		for (i = NSTRIPES; i-- > 0;)
			pthread_mutex_unlock(&g_stripes[i].lock);
	pthread_mutex_unlock(&g_block);
}

void pf_heap_table_fork_child(void)
{
	pf_heap_table_fork_parent();
}
