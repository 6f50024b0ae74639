/*
 * chdir_exit.c - a program that changes directory before it exits, for
 * the runtime's tests of relative profile paths (heap.sh): profiles are
 * written at exit, and a relative PROFLAB_HEAPPROFILE or
 * PROFLAB_CPUPROFILE must name a file in the directory the program
 * started in, not the one it ended in.
 *
 *   chdir_exit DIR
 *
 * Allocates 10 blocks of 1000 bytes in keep_blocks, keeps them, changes
 * to DIR and returns from main.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *kept[10];

__attribute__((noinline)) static void keep_blocks(void)
{
	for (int i = 0; i < 10; i++) {
		kept[i] = malloc(1000);
		if (kept[i])
			((volatile char *)kept[i])[0] = 1;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: chdir_exit DIR\n");
		return 2;
	}
	keep_blocks();
	if (chdir(argv[1]) < 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
