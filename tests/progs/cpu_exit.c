/*
 * cpu_exit.c - burn some CPU in burn_cpu(), then end the way argv[1]
 * says: exit, return, _exit (no exit handlers), segv, abort, term
 * (SIGTERM to itself), fork (a child that burns and exits, then return)
 * or exec (exec argv[2...]).
 * Prints "done" first so tests can see the program ran.
 */
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void burn_cpu(double seconds)
{
	struct timespec ts;
	double t0, t;
	unsigned long x = 1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	do {
		for (int i = 0; i < 10000; i++)
			x = x * 2862933555777941757UL + 3037000493UL;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		t = ts.tv_sec + ts.tv_nsec / 1e9;
	} while (t - t0 < seconds);
	sink = x;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";
	int st;

	burn_cpu(0.3);
	printf("done\n");
	fflush(stdout);
	if (strcmp(how, "exit") == 0)
		exit(3);
	if (strcmp(how, "_exit") == 0)
		_exit(0);
	if (strcmp(how, "segv") == 0)
		*(volatile int *)(uintptr_t)8 = 1;
	if (strcmp(how, "abort") == 0)
		abort();
	if (strcmp(how, "term") == 0)
		kill(getpid(), SIGTERM);
	if (strcmp(how, "fork") == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			burn_cpu(0.05);
			exit(0);
		}
		waitpid(pid, &st, 0);
	}
	if (strcmp(how, "exec") == 0 && argc > 2) {
		execvp(argv[2], argv + 2);
		return 126;
	}
	return 0;
}
