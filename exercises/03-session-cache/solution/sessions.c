/*
 * sessions.c - a request handler that keeps the latest state of every
 * user session in a cache.
 *
 * Replays a day of requests (fixed seed): each request is parsed into a
 * struct request, handled, and the user's session record in the cache is
 * refreshed with the latest page and cart. At the end it prints a summary
 * of the sessions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NREQUESTS 300000
#define NUSERS 3000
#define NBUCKETS 4096

struct request {
	uint32_t user;
	char path[48];
	int cart_items;
	char body[200];
};

struct session {
	uint32_t user;
	char last_path[48];
	int cart_items;
	long hits;
	char notes[160];
	struct session *next;
};

static struct session *buckets[NBUCKETS];
static uint64_t rng_state = 0xD1B54A32D192ED03ULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Parse the next request off the wire (here: made up). */
static struct request *parse_request(void)
{
	static const char *const pages[] = { "/", "/search", "/item", "/cart", "/checkout" };
	struct request *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->user = rng_next() % NUSERS;
	snprintf(r->path, sizeof(r->path), "%s/%u", pages[rng_next() % 5], rng_next() % 500);
	r->cart_items = (int)(rng_next() % 8);
	memset(r->body, 'x', sizeof(r->body));
	return r;
}

static struct session *cache_get(uint32_t user)
{
	struct session *s;

	for (s = buckets[user % NBUCKETS]; s; s = s->next)
		if (s->user == user)
			return s;
	return NULL;
}

/* Store the user's latest session state. */
static void cache_put(const struct request *r)
{
	struct session *old = cache_get(r->user), *s = calloc(1, sizeof(*s)), **pp;

	if (!s)
		return;
	s->user = r->user;
	snprintf(s->last_path, sizeof(s->last_path), "%s", r->path);
	s->cart_items = r->cart_items;
	s->hits = old ? old->hits + 1 : 1;
	snprintf(s->notes, sizeof(s->notes), "seen %ld times", s->hits);
	/* replace the old record in its chain */
	for (pp = &buckets[r->user % NBUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == old) {
			s->next = old->next;
			*pp = s;
			free(old); /* the replaced record was leaked here */
			return;
		}
	s->next = buckets[r->user % NBUCKETS];
	buckets[r->user % NBUCKETS] = s;
}

static void handle_request(struct request *r)
{
	cache_put(r);
	free(r);
}

int main(void)
{
	long users = 0, carts = 0, hits = 0;
	size_t i;

	for (i = 0; i < NREQUESTS; i++) {
		struct request *r = parse_request();

		if (!r) {
			perror("malloc");
			return 1;
		}
		handle_request(r);
	}
	for (i = 0; i < NBUCKETS; i++) {
		const struct session *s;

		for (s = buckets[i]; s; s = s->next) {
			users++;
			carts += s->cart_items;
			hits += s->hits;
		}
	}
	printf("%d requests, %ld sessions, %ld hits, %ld items in carts\n", NREQUESTS, users, hits,
	       carts);
	return 0;
}
