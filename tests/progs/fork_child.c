/*
 * fork_child.c - a program that forks without exec, for the runtime's
 * fork tests (heap.sh, http_life.sh).
 *
 *   fork_child [CHILD_MS]
 *
 * The child allocates 3 blocks of 77 bytes in child_alloc, sleeps
 * CHILD_MS milliseconds (default 1500) and exits with exit(0), so that its
 * atexit handlers run after the parent's. The parent allocates 100 blocks
 * of 10000 bytes in parent_alloc, keeps them, prints "child PID" and
 * returns from main without waiting. Built linked with libproflab.a (the
 * -linked variant) and given PROFLAB_TEST_API=ADDR, the child starts its
 * own endpoint with proflab_http_start() after the fork and prints
 * "child api rc N port N" on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "proflab.h"

/* Present only in the -linked build. */
extern int proflab_http_start(const char *addr) __attribute__((weak));
extern int proflab_http_port(void) __attribute__((weak));

static void *volatile keep[100];

__attribute__((noinline)) static void parent_alloc(void)
{
	for (int i = 0; i < 100; i++) {
		keep[i] = malloc(10000);
		((char *)keep[i])[0] = 1;
	}
}

__attribute__((noinline)) static void child_alloc(void)
{
	for (int i = 0; i < 3; i++) {
		keep[i] = malloc(77);
		((char *)keep[i])[0] = 1;
	}
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 1500;
	const char *api = getenv("PROFLAB_TEST_API");
	pid_t p = fork();

	if (p < 0) {
		perror("fork");
		return 1;
	}
	if (p == 0) {
		child_alloc();
		if (api && proflab_http_start) {
			int rc = proflab_http_start(api);

			fprintf(stderr, "child api rc %d port %d\n", rc, proflab_http_port());
		}
		usleep((useconds_t)ms * 1000);
		exit(0);
	}
	parent_alloc();
	printf("child %d\n", (int)p);
	fflush(stdout);
	return 0;
}
