/*
 * http_service.c - a small long-running "service" for the debug endpoint's
 * tests: it hashes blocks (CPU) and builds and frees tables (heap), keeps
 * some tables alive, and prints a checksum that depends only on ROUNDS.
 *
 *   http_service ROUNDS [STOPFILE] [EXIT]
 *
 * Does ROUNDS rounds of work and remembers their checksum; then, if
 * STOPFILE is given, keeps working (without changing the checksum) until
 * that file exists, so that requests always meet a busy program. Prints
 * "checksum XXXXXXXXXXXXXXXX rounds N" and exits with status EXIT
 * (default 0). Built linked with libproflab.a (the -linked variant) and
 * given PROFLAB_TEST_API=ADDR, it starts the endpoint with
 * proflab_http_start() and prints "api port N" on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proflab.h"

/* Present only in the -linked build. */
extern int proflab_http_start(const char *addr) __attribute__((weak));
extern int proflab_http_port(void) __attribute__((weak));

#define KEEP 64

static void *kept[KEEP];

__attribute__((noinline)) static uint64_t hash_block(const unsigned char *p, size_t n, uint64_t h)
{
	size_t i;
	int k;

	for (k = 0; k < 8; k++)
		for (i = 0; i < n; i++)
			h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

__attribute__((noinline)) static unsigned char *build_table(uint64_t seed, size_t n)
{
	unsigned char *t = malloc(n);
	size_t i;

	if (!t)
		abort();
	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		t[i] = (unsigned char)(seed >> 56);
	}
	return t;
}

__attribute__((noinline)) static uint64_t one_round(uint64_t round, uint64_t h)
{
	size_t n = 16384 + (size_t)(round % 7) * 4096;
	unsigned char *t = build_table(round + 1, n);

	h = hash_block(t, n, h);
	/* Keep some tables alive for the heap profile's inuse view. */
	free(kept[round % KEEP]);
	kept[round % KEEP] = t;
	return h;
}

int main(int argc, char **argv)
{
	uint64_t h = 0xcbf29ce484222325ULL, spare = 1, r;
	long rounds, status = 0;
	const char *stop = NULL, *api = getenv("PROFLAB_TEST_API");
	int i;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: http_service ROUNDS [STOPFILE] [EXIT]\n");
		return 2;
	}
	rounds = strtol(argv[1], NULL, 10);
	if (argc >= 3 && argv[2][0])
		stop = argv[2];
	if (argc == 4)
		status = strtol(argv[3], NULL, 10);
	if (api && proflab_http_start) {
		int rc = proflab_http_start(api);

		if (rc < 0) {
			fprintf(stderr, "api start: error %d\n", rc);
			return 3;
		}
		fprintf(stderr, "api port %d\n", proflab_http_port());
	}
	for (r = 0; r < (uint64_t)rounds; r++)
		h = one_round(r, h);
	if (stop)
		for (r = (uint64_t)rounds; access(stop, F_OK) != 0; r++)
			spare = one_round(r, spare);
	printf("checksum %016llx rounds %ld\n", (unsigned long long)h, rounds);
	fflush(stdout);
	for (i = 0; i < KEEP; i++)
		free(kept[i]);
	return (int)status;
}
