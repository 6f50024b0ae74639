/*
 * cpu_split.c - a known CPU split for the profiler's accuracy tests: two
 * threads spend 60/30/10 % of the CPU in work_a, work_b (mostly through
 * the inlined mix_step) and work_c. Each function measures the CPU time
 * it really used with CLOCK_THREAD_CPUTIME_ID and the program prints
 * "truth NAME NANOSECONDS" lines, then "truth total NS" (process CPU).
 *
 * usage: cpu_split [CPU_SECONDS (default 6)] [api PATH HZ]
 * With "api", the program profiles itself with proflab_cpu_start/stop
 * (then it must be linked with libproflab), starting after one thread
 * already exists.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proflab.h"

/* Weak: the plain build (for preloading) is not linked with libproflab. */
#pragma weak proflab_cpu_start
#pragma weak proflab_cpu_stop
#pragma weak proflab_strerror

static volatile uint64_t sink;
static int64_t truth_a, truth_b, truth_c;
static int64_t total_ns = 6000000000LL;

static int64_t cpu_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline __attribute__((always_inline)) uint64_t mix_step(uint64_t x)
{
	int i;

	for (i = 0; i < 4000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		x ^= x >> 17;
	}
	return x;
}

__attribute__((noinline)) static int64_t work_a(int64_t ns)
{
	int64_t t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID), t;
	uint64_t x = 1;
	int i;

	do {
		for (i = 0; i < 4000; i++)
			x = (x ^ (x << 7)) * 0x9e3779b97f4a7c15ULL + 3;
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	} while (t - t0 < ns);
	sink += x;
	return t - t0;
}

__attribute__((noinline)) static int64_t work_b(int64_t ns)
{
	int64_t t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID), t;
	uint64_t x = 2;

	do {
		x = mix_step(x);
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	} while (t - t0 < ns);
	sink += x;
	return t - t0;
}

__attribute__((noinline)) static int64_t work_c(int64_t ns)
{
	int64_t t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID), t;
	uint64_t x = 3;
	int i;

	do {
		for (i = 0; i < 4000; i++)
			x = (x + 0x632be59bd9b4e019ULL) ^ (x >> 11);
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	} while (t - t0 < ns);
	sink += x;
	return t - t0;
}

static void *thread_one(void *unused)
{
	(void)unused;
	truth_a = work_a(total_ns * 6 / 10);
	return NULL;
}

static void *thread_two(void *unused)
{
	(void)unused;
	truth_b = work_b(total_ns * 3 / 10);
	truth_c = work_c(total_ns * 1 / 10);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t1, t2;
	int api = argc >= 5 && strcmp(argv[2], "api") == 0;
	int rc;

	if (argc >= 2)
		total_ns = (int64_t)(strtod(argv[1], NULL) * 1e9);
	/* With the API, thread one exists before the profile starts. */
	pthread_create(&t1, NULL, thread_one, NULL);
	if (api && !proflab_cpu_start) {
		fprintf(stderr, "cpu_split: not linked with libproflab\n");
		return 2;
	}
	if (api) {
		rc = proflab_cpu_start(argv[3], (int)strtol(argv[4], NULL, 10));
		if (rc != 0) {
			fprintf(stderr, "cpu_split: proflab_cpu_start: %s\n", proflab_strerror(rc));
			return 1;
		}
		rc = proflab_cpu_start(argv[3], 100);
		printf("second start %d\n", rc);
	}
	pthread_create(&t2, NULL, thread_two, NULL);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("truth work_a %lld\ntruth work_b %lld\ntruth work_c %lld\ntruth total %lld\n",
	       (long long)truth_a, (long long)truth_b, (long long)truth_c,
	       (long long)cpu_now(CLOCK_PROCESS_CPUTIME_ID));
	if (api) {
		rc = proflab_cpu_stop();
		printf("stop %d\n", rc);
		printf("stop again %d\n", proflab_cpu_stop());
	}
	return 0;
}
