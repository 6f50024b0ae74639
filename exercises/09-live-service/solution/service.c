/*
 * service.c - a small key-value service that validates every key.
 *
 * It serves a synthetic stream of GET/PUT requests (fixed seed) forever,
 * the way a long-running server does, and prints a status line every
 * 100 000 requests. With --requests N it stops after N requests and prints
 * a summary: that is how `proflab check` runs it.
 *
 * Profile it live while it runs:
 *   proflab record -http 127.0.0.1:0 -- ./service
 *   curl -o cpu.pb.gz 'http://127.0.0.1:PORT/debug/pprof/profile?seconds=5'
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSLOTS 32768
#define KEY_PATTERN "^[a-z][a-z0-9_]{2,31}(\\.[a-z0-9_]+)*$"

struct entry {
	char key[64];
	long value;
	int used;
};

static struct entry table[NSLOTS];
static uint64_t rng_state = 0x94D049BB133111EBULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Whether key is a valid name: lower-case words separated by dots. The
 * pattern is compiled once, on first use, not on every request. */
static int valid_key(const char *key)
{
	static regex_t re;
	static int compiled;

	if (!compiled) {
		if (regcomp(&re, KEY_PATTERN, REG_EXTENDED | REG_NOSUB) != 0)
			return 0;
		compiled = 1;
	}
	return regexec(&re, key, 0, NULL, 0) == 0;
}

static struct entry *lookup(const char *key, int create)
{
	uint32_t h = 2166136261u, i;
	const char *p;

	for (p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h % NSLOTS;; i = (i + 1) % NSLOTS) {
		if (!table[i].used) {
			if (!create)
				return NULL;
			table[i].used = 1;
			snprintf(table[i].key, sizeof(table[i].key), "%s", key);
			return &table[i];
		}
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	}
}

struct counts {
	long gets, hits, puts, rejected;
};

static void handle_request(struct counts *c)
{
	static const char *const words[] = { "user", "cart", "session", "price", "stock", "Bad-Key" };
	char key[64];
	struct entry *e;

	snprintf(key, sizeof(key), "%s_%u.%s", words[rng_next() % 6], rng_next() % 700,
		 words[rng_next() % 5]);
	if (!valid_key(key)) {
		c->rejected++;
		return;
	}
	if (rng_next() % 4 == 0) {
		e = lookup(key, 1);
		if (e)
			e->value += rng_next() % 100;
		c->puts++;
	} else {
		e = lookup(key, 0);
		c->gets++;
		if (e)
			c->hits++;
	}
}

int main(int argc, char **argv)
{
	struct counts c = { 0, 0, 0, 0 };
	long limit = -1, n;
	char *end;

	if (argc == 3 && strcmp(argv[1], "--requests") == 0) {
		limit = strtol(argv[2], &end, 10);
		if (*end || limit < 0) {
			fprintf(stderr, "service: bad --requests '%s'\n", argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: service [--requests N]\n");
		return 2;
	}
	for (n = 0; limit < 0 || n < limit; n++) {
		handle_request(&c);
		if (limit < 0 && (n + 1) % 100000 == 0) {
			printf("%ld requests served\n", n + 1);
			fflush(stdout);
		}
	}
	printf("%ld gets (%ld hits), %ld puts, %ld rejected keys\n", c.gets, c.hits, c.puts,
	       c.rejected);
	return 0;
}
