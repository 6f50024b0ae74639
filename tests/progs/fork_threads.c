/*
 * fork_threads.c - fork while other threads start and end threads: the
 * child must be able to start and join a thread of its own. Threads that
 * end through the runtime's pthread_create trampoline take the CPU
 * profiler's lock; a fork that caught it held used to leave the child
 * hanging on its first thread.
 *
 * usage: fork_threads [FORKS]  (default 300); prints "hung N of FORKS" and
 * exits 0 when no child hung (a child gets 2 s).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *nothing(void *arg)
{
	return arg;
}

static void *churn(void *arg)
{
	for (;;) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL) == 0)
			pthread_join(t, NULL);
	}
	return arg;
}

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : 300, hung = 0;
	pthread_t t;

	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, churn, NULL);
	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();
		int st, done = 0;

		if (pid < 0)
			return 2;
		if (pid == 0) {
			if (pthread_create(&t, NULL, nothing, NULL) == 0)
				pthread_join(t, NULL);
			_exit(0);
		}
		for (int k = 0; k < 400 && !done; k++) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				done = 1;
			else
				usleep(5000);
		}
		if (!done) {
			hung++;
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
	}
	printf("hung %d of %d\n", hung, forks);
	return hung != 0;
}
