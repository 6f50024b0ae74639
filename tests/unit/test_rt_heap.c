/*
 * test_rt_heap.c - the heap profiler and memstats, linked into this test
 * program as into any program (libproflab.a): the interposer, exact
 * figures at rate 1, the sampled estimate at the default rate, threads
 * freeing each other's blocks, and the memstats invariants.
 *
 * HEAP_STRESS_SECONDS sets the length of the threads case (default 3;
 * `make stress-heap` runs it for 20).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "proflab.h"
#include "pprof/functab.c" /* proflab's reader of per-function totals (not in the runtime library) */
#include "runtime/heap_table.h"
#include "runtime/malloc_internal.h"
#include "runtime/rt.h"
#include "t.h"

static volatile unsigned char sink;

static void touch(void *p)
{
	((volatile unsigned char *)p)[0] = 1;
	sink += ((unsigned char *)p)[0];
}

/* Per-function value of sample type `type` in a snapshot: flat, or
 * cumulative if cum. */
static int64_t value_of(const struct pf_profile *p, const char *type, const char *fn, int cum)
{
	struct pf_functab t;
	const struct pf_func_stat *s;
	int64_t v = -1;

	if (pf_functab_build(&t, p, pf_profile_sample_index(p, type)) < 0)
		return -2;
	s = pf_functab_find(&t, fn);
	v = s ? (cum ? s->cum : s->flat) : 0;
	pf_functab_release(&t);
	return v;
}

static int64_t flat_of(const struct pf_profile *p, const char *type, const char *fn)
{
	return value_of(p, type, fn, 0);
}

static struct pf_profile *snapshot(int allocs)
{
	struct pf_profile *p = NULL;
	struct pf_err err = { 0, "" };

	if (pf_heap_snapshot(allocs, &p, &err) < 0)
		printf("  snapshot: %s\n", err.msg);
	return p;
}

static void usable_size_matches_glibc(void)
{
	size_t (*real)(void *) = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	static const size_t sizes[] = { 0, 1, 8, 24, 25, 100, 1000, 4096, 100000, 300000, 5u << 20 };
	size_t i;

	CHECK(real != NULL);
	CHECK((void *)real != (void *)malloc_usable_size);
	if (!real)
		return;
	/* Unsampled blocks are glibc's own: glibc's answer must be ours. */
	proflab_heap_set_rate(0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = malloc(sizes[i]);
		void *q = memalign(4096, sizes[i] + 1);

		CHECK_INT(malloc_usable_size(p), real(p));
		CHECK_INT(malloc_usable_size(q), real(q));
		CHECK(malloc_usable_size(p) >= sizes[i]);
		free(p);
		free(q);
	}
	CHECK_INT(malloc_usable_size(NULL), 0);
	proflab_heap_set_rate(PROFLAB_DEFAULT_HEAP_RATE);
}

/* Sampled blocks carry a header in front of the program's block: every
 * entry point must still honour size, alignment, zeroing and contents,
 * and realloc must carry the contents across every kind of block. */
static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int filled(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void sampled_blocks_behave(void)
{
	static const size_t sizes[] = { 0, 1, 24, 100, 4096, 200000, 3u << 20 };
	static const size_t aligns[] = { 8, 16, 32, 64, 4096, 65536 };
	size_t i, j, k, page = (size_t)sysconf(_SC_PAGESIZE);
	struct proflab_memstats before, after;
	size_t live = pf_heap_live_records();

	proflab_read_memstats(&before);
	for (int rate = 0; rate <= 1; rate++) {
		proflab_heap_set_rate(rate);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i];
			unsigned char *p = malloc(n), *q;
			void *a;

			CHECK(p != NULL && malloc_usable_size(p) >= n);
			fill(p, malloc_usable_size(p), 3);
			/* calloc zeroes, whatever glibc's block held before. */
			q = calloc(1, n + 1);
			CHECK(q != NULL && malloc_usable_size(q) >= n + 1);
			for (k = 0; k <= n && q; k++)
				if (q[k]) {
					CHECK(!"calloc returned a dirty block");
					break;
				}
			free(q);
			/* Growing and shrinking keep the contents, across
			 * sampled and unsampled blocks. */
			for (k = 0; k < 3; k++) {
				size_t m = k == 1 ? n / 2 + 1 : n * 2 + 40;
				size_t keep = n < m ? n : m;

				proflab_heap_set_rate(k == 2 ? 1 - rate : rate);
				fill(p, n, (unsigned char)k);
				q = realloc(p, m);
				CHECK(q != NULL && malloc_usable_size(q) >= m);
				if (!q)
					break;
				CHECK(filled(q, keep, (unsigned char)k));
				p = q;
				n = m;
			}
			proflab_heap_set_rate(rate);
			free(p);
			for (j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++) {
				size_t al = aligns[j];

				a = memalign(al, n + 1);
				CHECK(a != NULL && ((uintptr_t)a & (al - 1)) == 0);
				CHECK(malloc_usable_size(a) >= n + 1);
				free(a);
				a = aligned_alloc(al, (n + al) & ~(al - 1));
				CHECK(a != NULL && ((uintptr_t)a & (al - 1)) == 0);
				free(a);
				a = NULL;
				CHECK_INT(posix_memalign(&a, al, n), 0);
				CHECK(a != NULL && ((uintptr_t)a & (al - 1)) == 0);
				/* An over-aligned block grows by copy. */
				fill(a, n, 9);
				a = realloc(a, n + 5000);
				CHECK(a != NULL && filled(a, n, 9));
				free(a);
			}
			a = valloc(n + 1);
			CHECK(a != NULL && ((uintptr_t)a & (page - 1)) == 0);
			free(a);
			a = pvalloc(n + 1);
			CHECK(a != NULL && ((uintptr_t)a & (page - 1)) == 0);
			CHECK(malloc_usable_size(a) >= ((n + 1 + page - 1) & ~(page - 1)));
			free(a);
		}
	}
	proflab_heap_set_rate(PROFLAB_DEFAULT_HEAP_RATE);
	/* Everything was freed: the records and memstats are back. */
	CHECK_INT(pf_heap_live_records(), live);
	proflab_read_memstats(&after);
	CHECK_INT(after.alloc, before.alloc);
	CHECK_INT(after.heap_objects, before.heap_objects);
}

static void memstats_invariants(void)
{
	struct proflab_memstats a, b, c, d;
	void *blocks[100];
	uint64_t bytes = 0;
	int i;

	CHECK_INT(proflab_read_memstats(NULL), -EINVAL);
	CHECK_INT(proflab_read_memstats(&a), 0);
	for (i = 0; i < 100; i++) {
		blocks[i] = malloc((size_t)(i * 37 + 1));
		bytes += malloc_usable_size(blocks[i]);
	}
	proflab_read_memstats(&b);
	for (i = 0; i < 50; i++)
		free(blocks[i]);
	proflab_read_memstats(&c);
	for (i = 50; i < 100; i++)
		free(blocks[i]);
	proflab_read_memstats(&d);

	CHECK_INT(b.mallocs - a.mallocs, 100);
	CHECK_INT(b.total_alloc - a.total_alloc, bytes);
	CHECK_INT(b.alloc - a.alloc, bytes);
	CHECK_INT(d.frees - a.frees, 100);
	CHECK_INT(d.alloc, a.alloc);
	CHECK_INT(d.heap_objects, a.heap_objects);
	CHECK(c.alloc < b.alloc && c.alloc > a.alloc);
	CHECK_INT(d.total_alloc, b.total_alloc);
	CHECK(a.total_alloc <= b.total_alloc && b.total_alloc <= c.total_alloc);
	CHECK_INT(c.heap_objects, c.mallocs - c.frees);
	CHECK_INT(d.heap_objects, d.mallocs - d.frees);
	CHECK(b.peak_alloc >= b.alloc && d.peak_alloc >= b.alloc);
	CHECK(d.sys > 0);
}

/* The exact case: the figures of heap_known.c, in-process. */
#define KEEP 64
static void *kept[KEEP];
static int nkept;

__attribute__((noipa)) static void exact_kept(void)
{
	for (int i = 0; i < 10; i++) {
		kept[nkept] = malloc(1000);
		touch(kept[nkept++]);
	}
}

__attribute__((noipa)) static void exact_freed(void)
{
	for (int i = 0; i < 20; i++) {
		void *p = malloc(512);
		touch(p);
		free(p);
	}
}

__attribute__((noipa)) static void exact_zeroed(void)
{
	for (int i = 0; i < 5; i++) {
		kept[nkept] = calloc(10, 100);
		touch(kept[nkept++]);
	}
}

__attribute__((noipa)) static void exact_grow(void)
{
	char *p = NULL;

	for (int i = 1; i <= 8; i++) {
		p = realloc(p, (size_t)1024 * i);
		touch(p);
	}
	kept[nkept++] = p;
}

__attribute__((noipa)) static void exact_aligned(void)
{
	for (int i = 0; i < 4; i++) {
		void *p = NULL;
		CHECK_INT(posix_memalign(&p, 64, 300), 0);
		CHECK(((uintptr_t)p & 63) == 0);
		touch(p);
		kept[nkept++] = p;
	}
	for (int i = 0; i < 3; i++) {
		void *p = aligned_alloc(64, 256);
		touch(p);
		free(p);
	}
}

static void exact_at_rate_1(void)
{
	struct pf_profile *p;

	CHECK_INT(proflab_heap_set_rate(1), 0);
	exact_kept();
	exact_freed();
	exact_zeroed();
	exact_grow();
	exact_aligned();
	p = snapshot(0);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(p->period, 1);
	CHECK_STR(p->period_type.type, "space");
	CHECK_STR(p->period_type.unit, "bytes");
	CHECK_INT(p->nsample_types, 4);
	CHECK_STR(p->sample_types[0].type, "alloc_objects");
	CHECK_STR(p->sample_types[3].type, "inuse_space");
	CHECK_STR(p->default_sample_type, "inuse_space");

	CHECK_INT(flat_of(p, "alloc_objects", "exact_kept"), 10);
	CHECK_INT(flat_of(p, "alloc_space", "exact_kept"), 10000);
	CHECK_INT(flat_of(p, "inuse_objects", "exact_kept"), 10);
	CHECK_INT(flat_of(p, "inuse_space", "exact_kept"), 10000);

	CHECK_INT(flat_of(p, "alloc_objects", "exact_freed"), 20);
	CHECK_INT(flat_of(p, "alloc_space", "exact_freed"), 10240);
	CHECK_INT(flat_of(p, "inuse_objects", "exact_freed"), 0);
	CHECK_INT(flat_of(p, "inuse_space", "exact_freed"), 0);

	CHECK_INT(flat_of(p, "alloc_objects", "exact_zeroed"), 5);
	CHECK_INT(flat_of(p, "alloc_space", "exact_zeroed"), 5000);
	CHECK_INT(flat_of(p, "inuse_space", "exact_zeroed"), 5000);

	CHECK_INT(flat_of(p, "alloc_objects", "exact_grow"), 8);
	CHECK_INT(flat_of(p, "alloc_space", "exact_grow"), 36864);
	CHECK_INT(flat_of(p, "inuse_objects", "exact_grow"), 1);
	CHECK_INT(flat_of(p, "inuse_space", "exact_grow"), 8192);

	CHECK_INT(flat_of(p, "alloc_objects", "exact_aligned"), 7);
	CHECK_INT(flat_of(p, "alloc_space", "exact_aligned"), 1968);
	CHECK_INT(flat_of(p, "inuse_objects", "exact_aligned"), 4);
	CHECK_INT(flat_of(p, "inuse_space", "exact_aligned"), 1200);
	pf_profile_free(p);

	/* The allocs view differs only in its default type. */
	p = snapshot(1);
	CHECK(p && strcmp(p->default_sample_type, "alloc_space") == 0);
	pf_profile_free(p);

	/* Freeing the kept blocks brings in-use back to zero. */
	while (nkept > 0)
		free(kept[--nkept]);
	p = snapshot(0);
	if (p) {
		CHECK_INT(flat_of(p, "inuse_objects", "exact_kept"), 0);
		CHECK_INT(flat_of(p, "inuse_space", "exact_grow"), 0);
		CHECK_INT(flat_of(p, "inuse_space", "exact_aligned"), 0);
		CHECK_INT(flat_of(p, "alloc_objects", "exact_kept"), 10);
	}
	pf_profile_free(p);
}

__attribute__((noipa)) static void *untracked_alloc(void)
{
	void *p = malloc(777);

	touch(p); /* not a tail call: the frame stays */
	return p;
}

__attribute__((noipa)) static void *failing_realloc(void *p)
{
	void *q = realloc(p, (size_t)1 << 62);

	sink += q != NULL;
	return q;
}

static void untracked_and_failed(void)
{
	void *a, *b, *r;
	size_t live;

	/* A block allocated while sampling is off is freed correctly later. */
	proflab_heap_set_rate(0);
	a = untracked_alloc();
	proflab_heap_set_rate(1);
	live = pf_heap_live_records();
	free(a);
	CHECK_INT(pf_heap_live_records(), live);

	/* A failed realloc leaves the block, and its record, as they were. */
	b = untracked_alloc();
	CHECK_INT(pf_heap_live_records(), live + 1);
	r = failing_realloc(b);
	CHECK(r == NULL);
	CHECK_INT(pf_heap_live_records(), live + 1);
	free(b);
	CHECK_INT(pf_heap_live_records(), live);
}

/* 512 MiB in mixed sizes at the default rate: the estimate is within 15%
 * (about 1000 samples: one standard deviation is about 3%). */
__attribute__((noipa)) static void *estimate_alloc(size_t n)
{
	void *p = malloc(n);

	touch(p); /* not a tail call: the frame stays */
	return p;
}

static void default_rate_estimate(void)
{
	uint64_t truth = 0, x = 88172645463325252ULL;
	struct pf_profile *p;
	int64_t est;

	CHECK_INT(proflab_heap_set_rate(PROFLAB_DEFAULT_HEAP_RATE), 0);
	while (truth < (uint64_t)512 << 20) {
		size_t n;
		void *b;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 16 + (size_t)(x % 16384);
		b = estimate_alloc(n);
		touch(b);
		free(b);
		truth += n;
	}
	p = snapshot(1);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(p->period, PROFLAB_DEFAULT_HEAP_RATE);
	est = flat_of(p, "alloc_space", "estimate_alloc");
	printf("  default rate: estimated %" PRId64 " of %" PRIu64 " bytes (%+.1f%%)\n", est, truth,
	       100.0 * ((double)est - (double)truth) / (double)truth);
	CHECK(est > 0.85 * (double)truth && est < 1.15 * (double)truth);
	CHECK_INT(flat_of(p, "inuse_space", "estimate_alloc"), 0);
	pf_profile_free(p);
}

/* Threads allocate and free each other's blocks through mailboxes. */
#define NTHREADS 8
#define MAILBOX 256
#define KEEP_PER_THREAD 50

struct mailbox {
	pthread_mutex_t lock;
	void *slot[MAILBOX];
	int n;
};

static struct mailbox boxes[NTHREADS];
static atomic_int stop_flag;
static _Atomic int64_t allocs_made;

struct worker {
	int id;
	void *mine[KEEP_PER_THREAD];
	int64_t kept_bytes;
};

__attribute__((noipa)) static void *worker_alloc(size_t n)
{
	void *p = malloc(n);

	touch(p); /* not a tail call: the frame stays */
	return p;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->id + 1);
	int64_t made = 0;

	while (!atomic_load(&stop_flag)) {
		struct mailbox *to;
		size_t n;
		void *p;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 8 + (size_t)(x % 2000);
		p = worker_alloc(n);
		touch(p);
		made++;
		/* Hand it to another thread; if its box is full, free one of
		 * the blocks waiting there (allocated by some other thread). */
		to = &boxes[(w->id + 1 + (int)(x % (NTHREADS - 1))) % NTHREADS];
		pthread_mutex_lock(&to->lock);
		if (to->n == MAILBOX)
			free(to->slot[--to->n]);
		to->slot[to->n++] = p;
		pthread_mutex_unlock(&to->lock);
		/* Empty one's own box from time to time. */
		if ((x & 63) == 0) {
			struct mailbox *mb = &boxes[w->id];

			pthread_mutex_lock(&mb->lock);
			while (mb->n > 0)
				free(mb->slot[--mb->n]);
			pthread_mutex_unlock(&mb->lock);
		}
	}
	for (int i = 0; i < KEEP_PER_THREAD; i++) {
		size_t n = 100 + (size_t)w->id;

		w->mine[i] = worker_alloc(n);
		w->kept_bytes += (int64_t)n;
		made++;
	}
	atomic_fetch_add(&allocs_made, made);
	return NULL;
}

static void threads_free_each_others_blocks(void)
{
	const char *env = getenv("HEAP_STRESS_SECONDS");
	int seconds = env ? (int)strtol(env, NULL, 10) : 3;
	struct worker ws[NTHREADS];
	pthread_t th[NTHREADS];
	struct pf_profile *p;
	int64_t kept_bytes = 0;
	char path[] = "/tmp/proflab-heap-XXXXXX";
	int fd, writes = 0, bad = 0, i;
	struct timespec t0, t;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	if (seconds < 1)
		seconds = 1;
	CHECK_INT(proflab_heap_set_rate(1), 0);
	/* Every box ready before any thread starts: a worker hands blocks
	 * to any box, and initialising a lock another thread already holds
	 * would let two threads in at once. */
	for (i = 0; i < NTHREADS; i++)
		pthread_mutex_init(&boxes[i].lock, NULL);
	for (i = 0; i < NTHREADS; i++) {
		memset(&ws[i], 0, sizeof(ws[i]));
		ws[i].id = i;
		CHECK_INT(pthread_create(&th[i], NULL, worker, &ws[i]), 0);
	}
	/* Write the profile at arbitrary moments while they run. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct pf_err err = { 0, "" };
		struct pf_profile *q;

		usleep(200000);
		if (proflab_heap_write(path) != 0) {
			bad++;
		} else {
			q = pf_profile_read(path, &err);
			if (!q || flat_of(q, "inuse_objects", "worker_alloc") < 0)
				bad++;
			pf_profile_free(q);
		}
		writes++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	atomic_store(&stop_flag, 1);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NTHREADS; i++) {
		while (boxes[i].n > 0)
			free(boxes[i].slot[--boxes[i].n]);
		kept_bytes += ws[i].kept_bytes;
	}
	unlink(path);
	printf("  %d threads for %d s: %" PRId64 " allocations, %d profiles written during the run\n",
	       NTHREADS, seconds, atomic_load(&allocs_made), writes);
	CHECK_INT(bad, 0);
	p = snapshot(0);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(flat_of(p, "alloc_objects", "worker_alloc"), atomic_load(&allocs_made));
	CHECK_INT(flat_of(p, "inuse_objects", "worker_alloc"), NTHREADS * KEEP_PER_THREAD);
	CHECK_INT(flat_of(p, "inuse_space", "worker_alloc"), kept_bytes);
	pf_profile_free(p);
	for (i = 0; i < NTHREADS; i++)
		for (int k = 0; k < KEEP_PER_THREAD; k++)
			free(ws[i].mine[k]);
	p = snapshot(0);
	if (p)
		CHECK_INT(flat_of(p, "inuse_objects", "worker_alloc"), 0);
	pf_profile_free(p);
}

/* Intervals at any rate stay in (0, 2^62]: -ln(u) reaches ~36.7, and an
 * unclamped draw at a huge rate would overflow the conversion to int64
 * (x86 gives INT64_MIN). The API refuses rates above 2^40. */
static void interval_clamped(void)
{
	int64_t v, lo = INT64_MAX, hi = 0;

	for (int i = 0; i < 10000; i++) {
		v = pf_heap_next_interval(LONG_MAX);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	CHECK(lo > 0);
	CHECK(hi <= ((int64_t)1 << 62) + 1);
	CHECK(hi > ((int64_t)1 << 61)); /* the clamp was reached, not skipped */
	CHECK_INT(proflab_heap_set_rate(1099511627777LL), -EINVAL);
	CHECK_INT(proflab_heap_set_rate(LONG_MAX), -EINVAL);
	CHECK_INT(proflab_heap_set_rate(1099511627776LL), 0);
	CHECK_INT(proflab_heap_set_rate(PROFLAB_DEFAULT_HEAP_RATE), 0);
}

static void api_errors(void)
{
	CHECK_INT(proflab_heap_set_rate(-1), -EINVAL);
	CHECK_INT(proflab_heap_write(NULL), -EINVAL);
	CHECK(proflab_heap_write("/nonexistent-dir/x/heap.pb.gz") < 0);
}

/* A function built without a frame pointer between two built with one:
 * the frame-pointer walk from fp_leaf's malloc skips nofp_caller's frame
 * (nofp_mid saves no frame pointer, so fp_leaf's record links straight
 * to nofp_caller's caller). The walk checks every stack it has not seen
 * before against libunwind's, so the profile must show all three, however
 * many stacks came before. */
__attribute__((noipa)) static void *fp_leaf(size_t n)
{
	void *p = malloc(n);

	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noipa, optimize("omit-frame-pointer"))) static void *nofp_mid(size_t n)
{
	void *p = fp_leaf(n);

	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noipa)) static void *nofp_caller(size_t n)
{
	void *p = nofp_mid(n);

	__asm__ volatile("" ::: "memory");
	return p;
}

static void stack_through_code_without_frame_pointers(void)
{
	struct pf_profile *p;
	void *b;
	int i;

	proflab_heap_set_rate(1);
	/* Well over a thousand stacks first, none of them new. */
	for (i = 0; i < 5000; i++)
		free(malloc(24));
	b = nofp_caller(12345);
	p = snapshot(0);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(flat_of(p, "inuse_space", "fp_leaf"), 12345);
		CHECK_INT(value_of(p, "inuse_space", "nofp_mid", 1), 12345);
		CHECK_INT(value_of(p, "inuse_space", "nofp_caller", 1), 12345);
		pf_profile_free(p);
	}
	free(b);
	proflab_heap_set_rate(PROFLAB_DEFAULT_HEAP_RATE);
}

/* A sampled block that reaches glibc's free directly, bypassing the
 * interposer, stops the program (glibc's "munmap_chunk(): invalid
 * pointer") rather than corrupting the heap. In a child. */
extern void __libc_free(void *);

static void sampled_block_refused_by_glibc(void)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		void *p;

		/* The abort is expected: no core file in the working directory. */
		setrlimit(RLIMIT_CORE, &no_core);
		proflab_heap_set_rate(1);
		p = malloc(100);
		dup2(open("/dev/null", O_WRONLY), 2);
		__libc_free(p);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void)
{
	/* stdout's buffer is allocated by the first printf: do it first, so
	 * that the memstats case counts only its own blocks. */
	printf("test_rt_heap\n");
	fflush(stdout);
	T_RUN(usable_size_matches_glibc);
	T_RUN(sampled_blocks_behave);
	T_RUN(sampled_block_refused_by_glibc);
	T_RUN(memstats_invariants);
	T_RUN(exact_at_rate_1);
	T_RUN(untracked_and_failed);
	T_RUN(default_rate_estimate);
	T_RUN(threads_free_each_others_blocks);
	/* Last: a stack through code without frame pointers turns the
	 * frame-pointer walk off for the process. */
	T_RUN(stack_through_code_without_frame_pointers);
	T_RUN(interval_clamped);
	T_RUN(api_errors);
	return t_exit();
}
