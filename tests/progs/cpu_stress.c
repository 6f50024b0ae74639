/*
 * cpu_stress.c - a hostile load for the CPU profiler's signal handler:
 * 8 threads that for SECONDS (argv[1], default 20) of wall time malloc
 * and free, dlopen/dlsym/dlclose libraries that are not otherwise loaded,
 * and fork+exec /bin/true, all while SIGPROF keeps interrupting them.
 * Prints "ok N N N" (allocations, dlopens, execs) at the end.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 8

static double seconds = 20;
static atomic_long n_alloc, n_dl, n_exec;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void churn_malloc(unsigned *seed)
{
	void *p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i] = malloc(1 + rand_r(seed) % 4096);
		if (p[i])
			memset(p[i], i, 1);
	}
	for (i = 0; i < 64; i++)
		free(p[i]);
	atomic_fetch_add(&n_alloc, 64);
}

__attribute__((noinline)) static void churn_dl(unsigned *seed)
{
	static const char *const libs[] = { "libexpat.so.1", "libffi.so.8" };
	void *h = dlopen(libs[rand_r(seed) % 2], RTLD_NOW | RTLD_LOCAL);

	if (h) {
		(void)dlsym(h, "XML_ParserCreate");
		dlclose(h);
		atomic_fetch_add(&n_dl, 1);
	}
}

__attribute__((noinline)) static void churn_exec(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid)
		atomic_fetch_add(&n_exec, 1);
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;
	double end = now() + seconds;
	unsigned long k = 0;

	while (now() < end) {
		churn_malloc(&seed);
		if (k % 50 == 0)
			churn_dl(&seed);
		if (k % 400 == (uintptr_t)arg)
			churn_exec();
		k++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[NTHREADS];
	uintptr_t i;

	if (argc > 1)
		seconds = strtod(argv[1], NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("ok %ld %ld %ld\n", atomic_load(&n_alloc), atomic_load(&n_dl), atomic_load(&n_exec));
	return 0;
}
