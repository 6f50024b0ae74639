/*
 * heap_table.c - the buckets of sampled allocations (heap_table.h) and the
 * call stacks they are keyed by.
 *
 * Locking: bucket lookup is lock-free (buckets are only ever prepended to
 * chains and never freed); creating a bucket (and the record of a new
 * stack, shared by the buckets of its sizes) takes one mutex, and the
 * memory for buckets one more (innermost). No lock is held while
 * unwinding, which may itself allocate (libunwind, dl_iterate_phdr).
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

#define BUCKET_BITS 16
#define STACK_BITS 12
#define POOL_CHUNK ((size_t)1 << 20)

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static _Atomic int g_ready;

/* The bucket hash: 512 KiB of chain heads, mapped but only resident
 * where used. */
static _Atomic(struct pf_heap_bucket *) *g_bhash;
/* The stacks' hash: only looked at when a bucket is made (under g_block). */
static struct pf_heap_stack **g_shash;
static _Atomic(struct pf_heap_bucket *) g_ball;
static pthread_mutex_t g_block = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t g_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static char *g_pool_next, *g_pool_end;

/* n bytes (64-aligned: a bucket starts a cache line) of never-freed
 * memory, or NULL. */
static void *pool_alloc(size_t n)
{
	void *p = NULL;

	n = (n + 63) & ~(size_t)63;
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

	dl_iterate_phdr(find_text, NULL);
	heads = mmap(NULL, (sizeof(*g_bhash) << BUCKET_BITS) + (sizeof(*g_shash) << STACK_BITS),
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heads == MAP_FAILED)
		return;
	g_bhash = heads;
	g_shash = (struct pf_heap_stack **)(g_bhash + ((size_t)1 << BUCKET_BITS));
	atomic_store_explicit(&g_ready, 1, memory_order_release);
}

/* splitmix64's finaliser: every bit of the result depends on every bit
 * of x. The tables are indexed by the top bits. */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The slot of key k in a table of 2^bits entries: Fibonacci hashing,
 * for keys that are not mixed themselves. */
static size_t key_slot(uint64_t k, int bits)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

/* A call stack's own key: a sum of independent products (no chain of
 * multiplies to wait for), each frame with a multiplier of its own so
 * that frames in another order make another key. */
static uint64_t stack_key(const uintptr_t *pcs, size_t n)
{
	uint64_t h = n, m = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h += pcs[i] * m;
		m += 0xbf58476d1ce4e5b9ULL * 2;
	}
	return h;
}

/* The bucket hash of a stack (by its key) and a size. */
static uint64_t bucket_hash(uint64_t key, size_t size)
{
	return mix(key ^ (size * 0x94d049bb133111ebULL));
}

static _Atomic(struct pf_heap_bucket *) *chain_head(uint64_t h)
{
	return &g_bhash[h >> (64 - BUCKET_BITS)];
}

static int stack_is(const struct pf_heap_stack *st, uint64_t key, const uintptr_t *pcs, size_t n)
{
	size_t i;

	if (st->key != key || st->npcs != n)
		return 0;
	for (i = 0; i < n; i++)
		if (st->pcs[i] != pcs[i])
			return 0;
	return 1;
}

static int bucket_is(const struct pf_heap_bucket *b, const struct pf_heap_site *s)
{
	return b->hash == s->hash && b->size == s->size && stack_is(b->stack, s->key, s->pcs, s->npcs);
}

/* The bucket of site s in chain head, or NULL. */
static struct pf_heap_bucket *chain_find(_Atomic(struct pf_heap_bucket *) *head,
					 const struct pf_heap_site *s)
{
	struct pf_heap_bucket *b;

	for (b = atomic_load_explicit(head, memory_order_acquire); b; b = b->hnext)
		if (bucket_is(b, s))
			break;
	return b;
}

/* The stack record of site s, made if new; under g_block. */
static const struct pf_heap_stack *stack_get(const struct pf_heap_site *s)
{
	struct pf_heap_stack **head = &g_shash[key_slot(s->key, STACK_BITS)];
	struct pf_heap_stack *st;

	for (st = *head; st; st = st->next)
		if (stack_is(st, s->key, s->pcs, s->npcs))
			return st;
	st = pool_alloc(sizeof(*st) + s->npcs * sizeof(*s->pcs));
	if (!st)
		return NULL;
	st->key = s->key;
	st->npcs = (uint32_t)s->npcs;
	memcpy(st->pcs, s->pcs, s->npcs * sizeof(*s->pcs));
	st->next = *head;
	*head = st;
	return st;
}

/* The last bucket this thread found, and its hash, which is compared
 * first so that a miss costs no cache miss: allocation sites repeat. */
struct last_bucket {
	uint64_t hash;
	struct pf_heap_bucket *b;
};
static __thread struct last_bucket tl_last __attribute__((tls_model("initial-exec")));

struct pf_heap_bucket *pf_heap_site_bucket(const struct pf_heap_site *s)
{
	_Atomic(struct pf_heap_bucket *) *head;
	struct pf_heap_bucket *b = tl_last.b;
	const struct pf_heap_stack *st;

	if (!atomic_load_explicit(&g_ready, memory_order_acquire) || !s->npcs)
		return NULL;
	if (b && tl_last.hash == s->hash && bucket_is(b, s))
		return b;
	head = chain_head(s->hash);
	b = chain_find(head, s);
	if (b)
		goto found;
	pthread_mutex_lock(&g_block);
	/* Look again: another thread may have added it meanwhile. */
	b = chain_find(head, s);
	if (b)
		goto out;
	st = stack_get(s);
	b = st ? pool_alloc(sizeof(*b)) : NULL;
	if (!b)
		goto out;
	b->hash = s->hash;
	b->size = s->size;
	b->stack = st;
	b->hnext = atomic_load_explicit(head, memory_order_relaxed);
	b->all = atomic_load_explicit(&g_ball, memory_order_relaxed);
	atomic_store_explicit(head, b, memory_order_release);
	atomic_store_explicit(&g_ball, b, memory_order_release);
out:
	pthread_mutex_unlock(&g_block);
found:
	if (b) {
		tl_last.hash = s->hash;
		tl_last.b = b;
	}
	return b;
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
 * these checks (a frame is skipped), so the walk also checks itself: a
 * stack seen for the first time, and every 256th stack of a thread
 * whatever it is, is compared with libunwind's, and one difference turns
 * the walk off for the process. The stacks already confirmed are kept
 * by key in a small table (a stack pushed out of it is checked again).
 */
#define WALK_CHECK_EVERY 256
#define CHECKED_BITS 12
#define ROOT_MAX 3
#define OWN_FRAMES_MAX 16

struct walk_state {
	int state; /* 0 not looked at, 1 usable, -1 not */
	uint32_t walked; /* stacks walked by this thread */
	uintptr_t stack_lo, stack_hi;
	uintptr_t root_fp, root_ra, root_next; /* the cached root's key */
	uint32_t nroot;
	uintptr_t root[ROOT_MAX];
};

static __thread struct walk_state tl_walk __attribute__((tls_model("initial-exec")));
static _Atomic int g_walk_off;
static _Atomic uint64_t g_checked[1 << CHECKED_BITS]; /* stack keys; 0 is none */

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


/* The place in g_checked of the stack with key k. */
static _Atomic uint64_t *checked_slot(uint64_t k)
{
	return &g_checked[key_slot(k, CHECKED_BITS)];
}

/* Whether the walk's stack, of key k, must be compared with libunwind's. */
static int walk_unconfirmed(struct walk_state *w, uint64_t k)
{
	_Atomic uint64_t *slot = checked_slot(k);

	return w->walked++ % WALK_CHECK_EVERY == 0 ||
	       atomic_load_explicit(slot, memory_order_relaxed) != (k | 1);
}

static void walk_confirmed(uint64_t k)
{
	atomic_store_explicit(checked_slot(k), k | 1, memory_order_relaxed);
}

int pf_heap_site_here(struct pf_heap_site *s, size_t size, uintptr_t ra)
{
	struct walk_state *w = &tl_walk;
	uintptr_t root_fp = 0, root_ra = 0, root_next = 0;
	uint64_t key = 0;
	int n = -1;

	s->npcs = 0;
	pf_rt_enter();
	if (!atomic_load_explicit(&g_ready, memory_order_acquire))
		pthread_once(&g_once, tables_init);
	if (!atomic_load_explicit(&g_ready, memory_order_relaxed)) {
		pf_rt_leave();
		return -1;
	}
	if (!w->state)
		walk_init(w);
	if (w->state > 0 && !atomic_load_explicit(&g_walk_off, memory_order_relaxed))
		n = fp_walk(w, ra, s->pcs, PF_HEAP_MAX_DEPTH, &root_fp, &root_ra, &root_next);
	if (n >= 0) {
		key = stack_key(s->pcs, (size_t)n);
		if (walk_unconfirmed(w, key)) {
			uintptr_t chk[PF_HEAP_MAX_DEPTH];
			size_t m = unwind(w, ra, chk, PF_HEAP_MAX_DEPTH, 0, 0, 0);

			if (m != (size_t)n || memcmp(chk, s->pcs, m * sizeof(*chk)) != 0) {
				atomic_store_explicit(&g_walk_off, 1, memory_order_relaxed);
				memcpy(s->pcs, chk, m * sizeof(*chk));
				n = (int)m;
				key = stack_key(chk, m);
			} else {
				walk_confirmed(key);
			}
		}
	}
	if (n >= 0) {
		s->npcs = (size_t)n;
	} else {
		s->npcs = unwind(w, ra, s->pcs, PF_HEAP_MAX_DEPTH, root_fp, root_ra, root_next);
		key = stack_key(s->pcs, s->npcs);
	}
	s->size = size;
	s->key = key;
	s->hash = bucket_hash(key, size);
	/* The chain head is most likely a cache miss: let it load while
	 * glibc allocates the block (pf_heap_site_bucket comes after). */
	__builtin_prefetch(chain_head(s->hash));
	pf_rt_leave();
	return 0;
}

struct pf_heap_bucket *pf_heap_buckets(void)
{
	return atomic_load_explicit(&g_ball, memory_order_acquire);
}

size_t pf_heap_live_records(void)
{
	const struct pf_heap_bucket *b;
	int64_t n = 0;

	for (b = pf_heap_buckets(); b; b = b->all) {
		int64_t f = atomic_load_explicit(&b->free_objects, memory_order_acquire);

		n += atomic_load_explicit(&b->alloc_objects, memory_order_acquire) - f;
	}
	return n > 0 ? (size_t)n : 0;
}

void pf_heap_table_fork_prepare(void)
{
	pthread_mutex_lock(&g_block);
	pthread_mutex_lock(&g_pool_lock);
}

void pf_heap_table_fork_parent(void)
{
	pthread_mutex_unlock(&g_pool_lock);
	pthread_mutex_unlock(&g_block);
}

void pf_heap_table_fork_child(void)
{
	pf_heap_table_fork_parent();
}
