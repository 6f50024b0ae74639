/*
 * logstat.c - per-client statistics from a web server's access log.
 *
 * Generates an access log (fixed seed) of requests from a few thousand
 * clients, then counts requests and bytes per client address and prints
 * the ten busiest clients and the number of distinct clients.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NLINES 70000
#define NCLIENTS_MAX 40000

struct client {
	char addr[16];
	long requests;
	long bytes;
};

struct log_line {
	char addr[16];
	int status;
	long bytes;
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void generate_log(struct log_line *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t c = rng_next() % 16000;

		snprintf(lines[i].addr, sizeof(lines[i].addr), "10.%u.%u.%u", c >> 12 & 15,
			 c >> 6 & 63, c & 63);
		lines[i].status = rng_next() % 20 == 0 ? 404 : 200;
		lines[i].bytes = 200 + (long)(rng_next() % 50000);
	}
}

static struct client clients[NCLIENTS_MAX];
static size_t nclients;

/* An open-addressing index over clients[]: slot -> client number + 1. */
#define NSLOTS 65536 /* a power of two, more than NCLIENTS_MAX */
static uint32_t slots[NSLOTS];

static uint32_t hash_addr(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The client record for addr, added on first sight: one hash lookup
 * instead of a scan over every client seen so far. */
static struct client *find_client(const char *addr)
{
	uint32_t i = hash_addr(addr) & (NSLOTS - 1);

	while (slots[i]) {
		struct client *c = &clients[slots[i] - 1];

		if (strcmp(c->addr, addr) == 0)
			return c;
		i = (i + 1) & (NSLOTS - 1);
	}
	if (nclients == NCLIENTS_MAX)
		return NULL;
	memcpy(clients[nclients].addr, addr, sizeof(clients[0].addr));
	slots[i] = (uint32_t)++nclients;
	return &clients[nclients - 1];
}

static void count_line(const struct log_line *l)
{
	struct client *c = find_client(l->addr);

	if (!c)
		return;
	c->requests++;
	if (l->status == 200)
		c->bytes += l->bytes;
}

static int busier(const void *a, const void *b)
{
	const struct client *x = a, *y = b;

	if (x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	return strcmp(x->addr, y->addr);
}

int main(void)
{
	struct log_line *lines = calloc(NLINES, sizeof(*lines));
	size_t i;

	if (!lines) {
		perror("calloc");
		return 1;
	}
	generate_log(lines, NLINES);
	for (i = 0; i < NLINES; i++)
		count_line(&lines[i]);
	qsort(clients, nclients, sizeof(clients[0]), busier);
	printf("%zu requests from %zu distinct clients\n\nBusiest clients:\n", (size_t)NLINES,
	       nclients);
	for (i = 0; i < 10 && i < nclients; i++)
		printf("  %-15s %6ld requests %10ld bytes\n", clients[i].addr, clients[i].requests,
		       clients[i].bytes);
	free(lines);
	return 0;
}
