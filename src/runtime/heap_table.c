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

#include <elf.h>
#include <libunwind.h>
#include <link.h>
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

/* The executable's own text, where the frame-pointer walk trusts return
 * addresses (0 0 when unknown: the walk is then never used). */
static uintptr_t g_text_lo, g_text_hi;

static int find_text(struct dl_phdr_info *info, size_t size, void *arg)
{
	int i;

	(void)size;
	(void)arg;
	/* The first object is the executable. */
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			g_text_lo = info->dlpi_addr + ph->p_vaddr;
			g_text_hi = g_text_lo + ph->p_memsz;
			break;
		}
	}
	return 1;
}

static void tables_init(void)
{
	void *heads;
	size_t i;

	dl_iterate_phdr(find_text, NULL);

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

/*
 * The call stack of a sample. libunwind costs about 100 ns a stack; the
 * frame-pointer walk about 10. The walk is used only where it can be
 * trusted, and every doubt falls back to libunwind for the whole stack:
 * each frame record must lie within the thread's stack, 8-aligned and
 * strictly above the previous one; each return address must lie in the
 * executable's text right after a call instruction. The frames above the
 * first return address outside the executable (libc's start of main or of
 * a thread, which keep no frame pointer) are taken from libunwind once
 * per thread and reused while the same frame record returns to the same
 * address; only short tails of non-executable frames (the stack's root)
 * are reused so.
 *
 * Code built without frame pointers breaks the chain without breaking
 * these checks (a frame is skipped), so the walk also checks itself:
 * its first 1024 stacks and every 256th after are compared with
 * libunwind's, and one difference turns it off for the process.
 */
#define WALK_CHECK_FIRST 1024
#define WALK_CHECK_EVERY 256
#define ROOT_MAX 3
#define OWN_FRAMES_MAX 16

struct walk_state {
	int state; /* 0 not looked at, 1 usable, -1 not */
	uintptr_t stack_lo, stack_hi;
	uintptr_t root_fp, root_ra, root_next; /* the cached root's key */
	uint32_t nroot;
	uintptr_t root[ROOT_MAX];
};

static __thread struct walk_state tl_walk __attribute__((tls_model("initial-exec")));
static _Atomic int g_walk_off;
static _Atomic unsigned long g_walked;

static void walk_init(struct walk_state *w)
{
	pthread_attr_t attr;
	size_t len;
	void *lo;

	w->state = -1;
	if (g_text_lo == g_text_hi || pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &lo, &len) == 0 && lo && len) {
		w->stack_lo = (uintptr_t)lo;
		w->stack_hi = (uintptr_t)lo + len;
		w->state = 1;
	}
	pthread_attr_destroy(&attr);
}

static int in_text(uintptr_t a)
{
	return a >= g_text_lo + 8 && a < g_text_hi;
}

/* Whether the instruction before return address r is a call: rel32
 * (E8), or FF /2 with a ModRM of 1, 2, 5 or 6 bytes. */
static int after_call(uintptr_t r)
{
	const unsigned char *b = (const unsigned char *)r;

	if (b[-5] == 0xe8)
		return 1;
	if (b[-2] == 0xff && (b[-1] & 0x38) == 0x10)
		return 1;
	if (b[-3] == 0xff && (b[-2] & 0x38) == 0x10)
		return 1;
	if (b[-6] == 0xff && (b[-5] & 0x38) == 0x10)
		return 1;
	if (b[-7] == 0xff && (b[-6] & 0x38) == 0x10)
		return 1;
	return 0;
}

/* The root frames above record fp (returning to r): from the cache, or
 * -1. */
static int root_cached(const struct walk_state *w, uintptr_t fp, uintptr_t r, uintptr_t next)
{
	return w->nroot && w->root_fp == fp && w->root_ra == r && w->root_next == next ? 0 : -1;
}

/* Fill pcs (capacity cap) with the frame-pointer walk: ra - 1, then the
 * return addresses above it. The number of entries, or -1 to use
 * libunwind; *root_fp, *root_ra and *root_next are set when the walk
 * stopped at a root the cache does not hold yet. */
static int fp_walk(struct walk_state *w, uintptr_t ra, uintptr_t *pcs, size_t cap,
		   uintptr_t *root_fp, uintptr_t *root_ra, uintptr_t *root_next)
{
	const uintptr_t *fp = __builtin_frame_address(0);
	size_t n = 0, own = 0;
	int found = 0;

	*root_fp = 0;
	if (!in_text(ra))
		return -1;
	for (;;) {
		uintptr_t f = (uintptr_t)fp, r, next;
		uint32_t i;

		if (f < w->stack_lo || f > w->stack_hi - 2 * sizeof(uintptr_t) || (f & 7))
			return -1;
		next = fp[0];
		r = fp[1];
		if (!found) {
			/* The runtime's own frames, up to the one returning
			 * into the allocating function. */
			if (r == ra) {
				found = 1;
				pcs[n++] = ra - 1;
			} else if (++own > OWN_FRAMES_MAX) {
				return -1;
			}
		} else if (!in_text(r)) {
			if (root_cached(w, f, r, next) < 0) {
				*root_fp = f;
				*root_ra = r;
				*root_next = next;
				return -1;
			}
			for (i = 0; i < w->nroot && n < cap; i++)
				pcs[n++] = w->root[i];
			return (int)n;
		} else {
			if (!after_call(r))
				return -1;
			if (n >= cap)
				return (int)n;
			pcs[n++] = r;
		}
		if (next <= f || (next & 7))
			return -1;
		fp = (const uintptr_t *)next;
	}
}

/* The stack by libunwind: pcs as fp_walk's. When root_fp is set, cache
 * the frames from root_ra up if they are a short tail outside the
 * executable. */
static size_t unwind(struct walk_state *w, uintptr_t ra, uintptr_t *pcs, size_t cap,
		     uintptr_t root_fp, uintptr_t root_ra, uintptr_t root_next)
{
	void *frames[PF_HEAP_MAX_DEPTH + 8];
	size_t npcs = 0, j, k;
	int n, i;

	n = unw_backtrace(frames, PF_HEAP_MAX_DEPTH + 8);
	/* Drop the interposer's own frames: everything up to the frame that
	 * returns to ra, the allocating function. */
	for (i = 0; i < n; i++)
		if ((uintptr_t)frames[i] == ra)
			break;
	/* The leaf is the call instruction itself, so it is looked up as is
	 * and shows the line of the malloc call. */
	pcs[npcs++] = ra - 1;
	for (j = (size_t)i + 1; j < (size_t)n && npcs < cap; j++)
		pcs[npcs++] = (uintptr_t)frames[j];
	if (!root_fp || i >= n)
		return npcs;
	for (j = (size_t)i + 1; j < (size_t)n; j++)
		if ((uintptr_t)frames[j] == root_ra)
			break;
	if (j >= (size_t)n || (size_t)n - j > ROOT_MAX || n >= PF_HEAP_MAX_DEPTH + 8)
		return npcs;
	for (k = j; k < (size_t)n; k++)
		if (in_text((uintptr_t)frames[k]) && k != (size_t)n - 1)
			return npcs;
	w->nroot = 0;
	w->root_fp = root_fp;
	w->root_ra = root_ra;
	w->root_next = root_next;
	for (k = j; k < (size_t)n; k++)
		w->root[w->nroot++] = (uintptr_t)frames[k];
	return npcs;
}

void pf_heap_sample(void *p, size_t size, uintptr_t ra)
{
	struct walk_state *w = &tl_walk;
	uintptr_t pcs[PF_HEAP_MAX_DEPTH], root_fp = 0, root_ra = 0, root_next = 0;
	struct pf_heap_bucket *b;
	struct pf_heap_rec r;
	size_t npcs;
	int n = -1;

	pf_rt_enter();
	pthread_once(&g_once, tables_init);
	if (!g_ready)
		goto out;
	if (!w->state)
		walk_init(w);
	if (w->state > 0 && !atomic_load_explicit(&g_walk_off, memory_order_relaxed))
		n = fp_walk(w, ra, pcs, PF_HEAP_MAX_DEPTH, &root_fp, &root_ra, &root_next);
	if (n >= 0) {
		unsigned long k = atomic_fetch_add_explicit(&g_walked, 1, memory_order_relaxed);

		if (k < WALK_CHECK_FIRST || k % WALK_CHECK_EVERY == 0) {
			uintptr_t chk[PF_HEAP_MAX_DEPTH];
			size_t m = unwind(w, ra, chk, PF_HEAP_MAX_DEPTH, 0, 0, 0);

			if (m != (size_t)n || memcmp(chk, pcs, m * sizeof(*chk)) != 0) {
				atomic_store_explicit(&g_walk_off, 1, memory_order_relaxed);
				memcpy(pcs, chk, m * sizeof(*chk));
				n = (int)m;
			}
		}
	}
	npcs = n >= 0 ? (size_t)n : unwind(w, ra, pcs, PF_HEAP_MAX_DEPTH, root_fp, root_ra, root_next);
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
