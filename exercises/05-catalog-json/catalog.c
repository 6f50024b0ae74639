/*
 * catalog.c - the product-catalogue endpoint of a small web shop.
 *
 * Replays a stream of requests (fixed seed): most are GET /catalog, which
 * answers with the whole catalogue as JSON; a few are price updates, which
 * change one product. Prints how many requests were served, the bytes
 * sent and a checksum of every response body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPRODUCTS 150
#define NREQUESTS 12000

struct product {
	int id;
	char name[40];
	char description[120];
	long price_cents;
	int stock;
};

struct response {
	char *body;
	size_t len, cap;
};

static struct product catalog[NPRODUCTS];
static uint64_t rng_state = 0xE7037ED1A0B428DBULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void load_catalog(void)
{
	static const char *const adj[] = { "Sturdy", "Light", "\"Pro\"", "Compact", "Classic" };
	static const char *const noun[] = { "tent", "stove", "lamp", "backpack", "mug", "rope" };
	int i;

	for (i = 0; i < NPRODUCTS; i++) {
		catalog[i].id = 1000 + i;
		snprintf(catalog[i].name, sizeof(catalog[i].name), "%s %s %d", adj[rng_next() % 5],
			 noun[rng_next() % 6], i);
		snprintf(catalog[i].description, sizeof(catalog[i].description),
			 "Item %d.\tRated %u/5 by hikers; ships in %u days\\weeks.", i, 1 + rng_next() % 5,
			 1 + rng_next() % 9);
		catalog[i].price_cents = 500 + (long)(rng_next() % 40000);
		catalog[i].stock = (int)(rng_next() % 300);
	}
}

static void put(struct response *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;

		while (r->len + n + 1 > cap)
			cap *= 2;
		r->body = realloc(r->body, cap);
		if (!r->body) {
			perror("realloc");
			exit(1);
		}
		r->cap = cap;
	}
	memcpy(r->body + r->len, s, n);
	r->len += n;
	r->body[r->len] = '\0';
}

/* A JSON string literal, escaped. */
static void put_json_string(struct response *r, const char *s)
{
	char esc[8];

	put(r, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(r, esc, 2);
		} else if (c < 0x20) {
			int n = snprintf(esc, sizeof(esc), "\\u%04x", c);

			put(r, esc, (size_t)n);
		} else {
			put(r, s, 1);
		}
	}
	put(r, "\"", 1);
}

static void json_write_catalog(struct response *r)
{
	char num[64];
	int i, n;

	put(r, "{\"products\":[", 13);
	for (i = 0; i < NPRODUCTS; i++) {
		const struct product *p = &catalog[i];

		n = snprintf(num, sizeof(num), "%s{\"id\":%d,\"name\":", i ? "," : "", p->id);
		put(r, num, (size_t)n);
		put_json_string(r, p->name);
		put(r, ",\"description\":", 15);
		put_json_string(r, p->description);
		n = snprintf(num, sizeof(num), ",\"price\":%ld.%02ld,\"stock\":%d}",
			     p->price_cents / 100, p->price_cents % 100, p->stock);
		put(r, num, (size_t)n);
	}
	put(r, "]}", 2);
}

static void update_price(int idx, long cents)
{
	catalog[idx].price_cents = cents;
}

/* Serve GET /catalog: the response body is the catalogue as JSON. */
static void handle_catalog(struct response *r)
{
	r->len = 0;
	json_write_catalog(r);
}

int main(void)
{
	struct response r = { NULL, 0, 0 };
	uint32_t checksum = 0;
	long bytes = 0, gets = 0, updates = 0;
	int i;
	size_t k;

	load_catalog();
	for (i = 0; i < NREQUESTS; i++) {
		if (rng_next() % 500 == 0) {
			update_price((int)(rng_next() % NPRODUCTS), 500 + (long)(rng_next() % 40000));
			updates++;
			continue;
		}
		handle_catalog(&r);
		gets++;
		bytes += (long)r.len;
		for (k = 0; k < r.len; k += 61)
			checksum = checksum * 31 + (unsigned char)r.body[k];
		checksum = checksum * 31 + (uint32_t)r.len;
	}
	printf("%ld catalogue requests, %ld price updates\n", gets, updates);
	printf("%ld bytes sent, checksum %08x\n", bytes, checksum);
	printf("sample: %.100s\n", r.body);
	free(r.body);
	return 0;
}
