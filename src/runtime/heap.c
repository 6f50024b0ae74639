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
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../pprof/builder.h"
#include "heap_table.h"
#include "malloc_internal.h"
#include "memstats.h"
#include "proflab.h"
#include "rt.h"

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

		/* Frees before allocations: a free we see was preceded by
		 * its allocation, which we are then sure to see too. */
		fo = atomic_load_explicit(&bk->free_objects, memory_order_acquire);
		ao = atomic_load_explicit(&bk->alloc_objects, memory_order_acquire);
		if (ao == 0)
			continue;
		if (fo > ao)
			fo = ao;
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
	if (rate < 0)
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
	if (errno || end == s || *end || v < 0)
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
			fprintf(stderr, "proflab: PROFLAB_HEAP_RATE=%s: not a byte count (want an integer >= 0); using %d\n",
				rate, PROFLAB_DEFAULT_HEAP_RATE);
	}
	if (path && *path)
		g_exit_path = strdup(path);
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
