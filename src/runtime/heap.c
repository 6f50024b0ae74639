/*
 * heap.c - the heap profile (Go's heap/allocs profiles and
 * WriteHeapProfile) and memstats at exit: turns the sampled buckets of
 * heap_table.c into a pprof profile, reads PROFLAB_HEAPPROFILE,
 * PROFLAB_HEAP_RATE and PROFLAB_MEMSTATS, and implements the public
 * proflab_heap_* and proflab_read_memstats calls.
 *
 * Values are unbiased estimates, scaled the way Go's runtime scales heap
 * samples (runtime/pprof scaleHeapSample): a block of average size s is
 * sampled with probability 1 - exp(-s/rate), so counts and bytes of a
 * bucket are divided by that. Buckets are per (stack, size), so the scale
 * is exact for each. In-use figures are current (C frees eagerly; Go's
 * reflect its last garbage collection).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/tabw.h"
#include "../pprof/builder.h"
#include "../pprof/symbolize.h"
#include "heap_table.h"
#include "malloc_internal.h"
#include "memstats.h"
#include "proflab.h"
#include "rt.h"

/* An interval drawn at the largest rate, up to ~37 times the rate, stays
 * far below 2^63. */
#define MAX_RATE PROFLAB_MAX_HEAP_RATE

static char *g_exit_path;  /* PROFLAB_HEAPPROFILE, written at exit */
static int g_exit_memstats; /* PROFLAB_MEMSTATS=1 */
static pid_t g_exit_pid;    /* the process that read them: only it writes */
static struct proflab_memstats g_exit_ms; /* taken by pf_heap_exit_snapshot */
static int g_exit_ms_taken;

static void scale(int64_t count, int64_t size, long rate, int64_t *c_out, int64_t *s_out)
{
	double avg, f;

	*c_out = 0;
	*s_out = 0;
	if (count <= 0 || size <= 0)
		return;
	if (rate <= 1) {
		*c_out = count;
		*s_out = size;
		return;
	}
	avg = (double)size / (double)count;
	f = 1 / (1 - exp(-avg / (double)rate));
	*c_out = (int64_t)((double)count * f);
	*s_out = (int64_t)((double)size * f);
}

/* A bucket's allocations and frees so far, read while threads run: 0 when
 * it has none yet. Frees first: a free we see was preceded by its
 * allocation, which we are then sure to see too. */
static int bucket_counts(const struct pf_heap_bucket *bk, int64_t *ao, int64_t *fo)
{
	*fo = atomic_load_explicit(&bk->free_objects, memory_order_acquire);
	*ao = atomic_load_explicit(&bk->alloc_objects, memory_order_acquire);
	if (*fo > *ao)
		*fo = *ao;
	return *ao != 0;
}

int pf_heap_snapshot(int allocs, struct pf_profile **out, struct pf_err *err)
{
	static const struct pf_value_type types[] = {
		{ "alloc_objects", "count" },
		{ "alloc_space", "bytes" },
		{ "inuse_objects", "count" },
		{ "inuse_space", "bytes" },
	};
	static const struct pf_value_type period = { "space", "bytes" };
	long rate = atomic_load(&pf_heap_rate);
	struct pf_builder *b = NULL;
	struct pf_heap_bucket *bk;
	struct timespec ts;
	int rc = PF_EFAIL;

	*out = NULL;
	pf_rt_enter();
	b = pf_builder_new(types, 4, period, rate);
	if (!b) {
		pf_err_set(err, PF_EFAIL, "heap profile: out of memory");
		goto out;
	}
	for (bk = pf_heap_buckets(); bk; bk = bk->all) {
		int64_t fo, ao, sz = (int64_t)bk->size, v[4];

		if (!bucket_counts(bk, &ao, &fo))
			continue;
		scale(ao, ao * sz, rate, &v[0], &v[1]);
		scale(ao - fo, (ao - fo) * sz, rate, &v[2], &v[3]);
		if (pf_builder_add(b, bk->stack->pcs, bk->stack->npcs, v) < 0) {
			pf_err_set(err, PF_EFAIL, "heap profile: out of memory");
			goto out;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	pf_builder_set_time(b, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, 0);
	pf_builder_set_default_type(b, allocs ? "alloc_space" : "inuse_space");
	*out = pf_builder_finish(b, err);
	if (*out)
		rc = 0;
out:
	pf_builder_free(b);
	pf_rt_leave();
	return rc;
}

/* One record of the text profile: a stack and its raw (unscaled) counts. */
struct text_rec {
	const struct pf_heap_stack *stack;
	int64_t alloc_objects, alloc_bytes, inuse_objects, inuse_bytes;
};

static int by_stack(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct text_rec *)a)->stack;
	uintptr_t y = (uintptr_t)((const struct text_rec *)b)->stack;

	return x < y ? -1 : x > y;
}

/* Go sorts by in-use bytes, largest first; then alloc bytes, so that the
 * order does not depend on the table's. */
static int by_inuse(const void *a, const void *b)
{
	const struct text_rec *x = a, *y = b;

	if (x->inuse_bytes != y->inuse_bytes)
		return x->inuse_bytes < y->inuse_bytes ? 1 : -1;
	if (x->alloc_bytes != y->alloc_bytes)
		return x->alloc_bytes < y->alloc_bytes ? 1 : -1;
	return by_stack(a, b);
}

/* The "# 0x... name+0x... file:line" lines of one stack, as Go's
 * printStackRecord: pc is a return address (the leaf's call site + 1),
 * shown as pc - 1, the call instruction, with inlined frames first. */
static int text_frames(struct pf_symbolizer *sym, const struct pf_heap_stack *st, struct pf_buf *out)
{
	struct pf_sym_frame fr[16];
	uintptr_t pc, start;
	uint32_t i;
	int n, k, rc = 0;

	for (i = 0; i < st->npcs; i++) {
		pc = (i == 0 ? st->pcs[0] + 1 : st->pcs[i]) - 1;
		n = sym ? pf_symbolizer_lookup(sym, pc, fr, 16) : 0;
		if (n <= 0 || !fr[n - 1].name || pf_symbolizer_symbol_start(sym, pc, &start) < 0) {
			rc |= pf_buf_printf(out, "#\t%#" PRIxPTR "\n", pc);
			continue;
		}
		for (k = 0; k < n; k++) {
			rc |= pf_buf_printf(out, "#\t%#" PRIxPTR "\t%s+%#" PRIxPTR, pc,
					    fr[k].name ? fr[k].name : "?", pc - start);
			if (fr[k].file)
				rc |= pf_buf_printf(out, "\t%s:%d", fr[k].file, fr[k].line);
			rc |= pf_buf_putc(out, '\n');
		}
	}
	rc |= pf_buf_putc(out, '\n');
	return rc ? -1 : 0;
}

/* The end of Go's debug=1 heap profile: runtime.MemStats as comments,
 * in Go's order, with the fields proflab has (proflab_memstats); where
 * Go prints NumGC, a note that C has none. */
static int memstats_section(const struct proflab_memstats *ms, struct pf_buf *out)
{
	int rc = 0;

	rc |= pf_buf_puts(out, "# runtime.MemStats\n");
	rc |= pf_buf_printf(out, "# Alloc = %" PRIu64 "\n", (uint64_t)ms->alloc);
	rc |= pf_buf_printf(out, "# TotalAlloc = %" PRIu64 "\n", (uint64_t)ms->total_alloc);
	rc |= pf_buf_printf(out, "# Mallocs = %" PRIu64 "\n", (uint64_t)ms->mallocs);
	rc |= pf_buf_printf(out, "# Frees = %" PRIu64 "\n", (uint64_t)ms->frees);
	/* What glibc holds from the system for the heap: Go's HeapSys (its
	 * Sys also counts stacks and the runtime's own metadata). */
	rc |= pf_buf_printf(out, "# HeapSys = %" PRIu64 "\n", (uint64_t)ms->sys);
	rc |= pf_buf_printf(out, "# HeapObjects = %" PRIu64 "\n", (uint64_t)ms->heap_objects);
	rc |= pf_buf_printf(out, "# PeakAlloc = %" PRIu64 "\n", (uint64_t)ms->peak_alloc);
	rc |= pf_buf_puts(out, "# NumGC: no counterpart (C has no garbage collector; memory returns only by free())\n");
	return rc ? -1 : 0;
}

/* Add record b's counts to a's. */
static void rec_add(struct text_rec *a, const struct text_rec *b)
{
	a->alloc_objects += b->alloc_objects;
	a->alloc_bytes += b->alloc_bytes;
	a->inuse_objects += b->inuse_objects;
	a->inuse_bytes += b->inuse_bytes;
}

int pf_heap_text(struct pf_buf *out, struct pf_err *err)
{
	long rate = atomic_load(&pf_heap_rate);
	struct proflab_memstats ms;
	struct pf_symbolizer *sym = NULL;
	struct pf_buf recs, raw;
	struct pf_heap_bucket *bk;
	struct text_rec r, *v, total = { 0 };
	size_t n, i, m;
	uint32_t j;
	int rc = -1;

	pf_rt_enter();
	pf_buf_init(&recs, 0);
	pf_buf_init(&raw, 0);
	/* Memstats first, as Go reads them: before our own allocations. */
	pf_memstats_read(&ms);
	for (bk = pf_heap_buckets(); bk; bk = bk->all) {
		int64_t fo, ao;

		if (!bucket_counts(bk, &ao, &fo))
			continue;
		r.stack = bk->stack;
		r.alloc_objects = ao;
		r.alloc_bytes = ao * (int64_t)bk->size;
		r.inuse_objects = ao - fo;
		r.inuse_bytes = (ao - fo) * (int64_t)bk->size;
		if (pf_buf_append(&recs, &r, sizeof(r)) < 0)
			goto oom;
	}
	/* Buckets are per (stack, size); Go's records are per stack. */
	v = (struct text_rec *)(void *)recs.data;
	n = recs.len / sizeof(r);
	if (n)
		qsort(v, n, sizeof(r), by_stack);
	for (i = 0, m = 0; i < n; i++) {
		if (m && v[m - 1].stack == v[i].stack)
			rec_add(&v[m - 1], &v[i]);
		else
			v[m++] = v[i];
	}
	n = m;
	if (n)
		qsort(v, n, sizeof(r), by_inuse);
	for (i = 0; i < n; i++)
		rec_add(&total, &v[i]);
	/* 2 * rate: what early C++ heap profiles wrote and pprof expects. */
	if (pf_buf_printf(&raw, "heap profile: %" PRId64 ": %" PRId64 " [%" PRId64 ": %" PRId64 "] @ heap/%ld\n",
			  total.inuse_objects, total.inuse_bytes, total.alloc_objects, total.alloc_bytes,
			  2 * rate) < 0)
		goto oom;
	sym = n ? pf_symbolizer_new(NULL) : NULL; /* without it: addresses only */
	for (i = 0; i < n; i++) {
		if (pf_buf_printf(&raw, "%" PRId64 ": %" PRId64 " [%" PRId64 ": %" PRId64 "] @",
				  v[i].inuse_objects, v[i].inuse_bytes, v[i].alloc_objects, v[i].alloc_bytes) < 0)
			goto oom;
		for (j = 0; j < v[i].stack->npcs; j++) {
			uintptr_t pc = j == 0 ? v[i].stack->pcs[0] + 1 : v[i].stack->pcs[j];

			if (pf_buf_printf(&raw, " %#" PRIxPTR, pc) < 0)
				goto oom;
		}
		if (pf_buf_putc(&raw, '\n') < 0 || text_frames(sym, v[i].stack, &raw) < 0)
			goto oom;
	}
	/* Go ends with runtime.MemStats; proflab's fields, and a word where
	 * Go prints NumGC. */
	if (pf_buf_putc(&raw, '\n') < 0 || memstats_section(&ms, &raw) < 0)
		goto oom;
	if (pf_tabw_format(raw.data, raw.len, out) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	pf_err_set(err, PF_EFAIL, "heap profile: out of memory");
out:
	pf_symbolizer_free(sym);
	pf_buf_release(&recs);
	pf_buf_release(&raw);
	pf_rt_leave();
	return rc;
}

static int write_profile(const char *path, struct pf_err *err)
{
	struct pf_profile *p = NULL;
	int rc;

	pf_rt_enter();
	rc = pf_heap_snapshot(0, &p, err);
	if (rc == 0)
		rc = pf_profile_write(p, path, err);
	pf_profile_free(p);
	pf_rt_leave();
	return rc;
}

int proflab_heap_write(const char *path)
{
	struct pf_err err = { 0, "" };
	int saved = errno, rc;

	if (!path || !*path)
		return -EINVAL;
	errno = 0;
	rc = write_profile(path, &err);
	if (rc < 0) {
		rc = errno > 0 ? -errno : -EIO;
		errno = saved;
		return rc;
	}
	errno = saved;
	return 0;
}

int proflab_heap_set_rate(long rate)
{
	if (rate < 0 || rate > MAX_RATE)
		return -EINVAL;
	atomic_store(&pf_heap_rate, rate);
	/* The calling thread starts a fresh interval at the new rate; other
	 * threads finish their current one (as Go's mcaches do). */
	pf_heap_set_thread_interval(pf_heap_next_interval(rate));
	return 0;
}

int proflab_read_memstats(struct proflab_memstats *ms)
{
	if (!ms)
		return -EINVAL;
	pf_memstats_read(ms);
	return 0;
}

static void fork_prepare(void)
{
	pf_memstats_fork_prepare();
	pf_heap_table_fork_prepare();
}

static void fork_parent(void)
{
	pf_heap_table_fork_parent();
	pf_memstats_fork_parent();
}

static void fork_child(void)
{
	pf_heap_table_fork_child();
	pf_memstats_fork_child();
}

static int parse_rate(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > MAX_RATE)
		return -1;
	*out = v;
	return 0;
}

void pf_heap_init_env(void)
{
	const char *path = getenv("PROFLAB_HEAPPROFILE");
	const char *rate = getenv("PROFLAB_HEAP_RATE");
	const char *ms = getenv("PROFLAB_MEMSTATS");
	long r;

	pf_rt_enter();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	if (rate && *rate) {
		if (parse_rate(rate, &r) == 0)
			proflab_heap_set_rate(r);
		else
			fprintf(stderr, "proflab: PROFLAB_HEAP_RATE=%s: not a byte count (want an integer from 0 to %lld); using %d\n",
				rate, MAX_RATE, PROFLAB_DEFAULT_HEAP_RATE);
	}
	if (path && *path)
		g_exit_path = pf_rt_absolute(path);
	g_exit_memstats = ms && strcmp(ms, "0") != 0 && *ms;
	g_exit_pid = getpid();
	unsetenv("PROFLAB_HEAPPROFILE");
	unsetenv("PROFLAB_HEAP_RATE");
	unsetenv("PROFLAB_MEMSTATS");
	pf_rt_leave();
}

void pf_heap_exit_snapshot(void)
{
	if (getpid() != g_exit_pid || !g_exit_memstats)
		return;
	pf_memstats_read(&g_exit_ms);
	g_exit_ms_taken = 1;
}

void pf_heap_at_exit(void)
{
	struct pf_err err = { 0, "" };
	struct pf_buf text;

	/* A child forked without exec inherits the settings but is not the
	 * program that was asked about: it would overwrite the parent's
	 * profile and print memstats twice (cpu.c checks the same). */
	if (getpid() != g_exit_pid)
		return;
	pf_rt_enter();
	/* Memstats as pf_heap_exit_snapshot took them, before the runtime
	 * built any profile: they describe the program, not that work. */
	if (g_exit_memstats) {
		g_exit_memstats = 0;
		if (!g_exit_ms_taken)
			pf_memstats_read(&g_exit_ms);
		pf_buf_init(&text, 0);
		if (pf_memstats_format(&g_exit_ms, &text) == 0)
			fputs(text.data, stderr);
		pf_buf_release(&text);
	}
	if (g_exit_path) {
		if (write_profile(g_exit_path, &err) < 0)
			fprintf(stderr, "proflab: heap profile: %s\n", err.msg);
		free(g_exit_path);
		g_exit_path = NULL;
	}
	pf_rt_leave();
}
