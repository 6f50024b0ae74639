/*
 * export.c - exports a warehouse inventory as CSV.
 *
 * Generates the inventory (fixed seed), renders it as one CSV document in
 * memory, as an upload to another system would need, and prints the
 * document's size, a checksum and its first lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NITEMS 64000

struct item {
	char sku[16];
	char name[32];
	int quantity;
	long price_cents;
	char bin[8];
};

static uint64_t rng_state = 0xA0761D6478BD642FULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void generate_items(struct item *it, size_t n)
{
	static const char *const kinds[] = { "bolt", "washer", "hinge", "bracket", "spring", "clamp" };
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(it[i].sku, sizeof(it[i].sku), "SKU-%06zu", i);
		snprintf(it[i].name, sizeof(it[i].name), "%s M%u x %u", kinds[rng_next() % 6],
			 2 + rng_next() % 10, 5 + rng_next() % 60);
		it[i].quantity = (int)(rng_next() % 5000);
		it[i].price_cents = 5 + (long)(rng_next() % 9000);
		snprintf(it[i].bin, sizeof(it[i].bin), "%c%02u", 'A' + (int)(rng_next() % 8),
			 rng_next() % 40);
	}
}

/* A growable text buffer, like Go's strings.Builder: appends cost the
 * length of what is appended, not of what is already there. */
struct builder {
	char *data;
	size_t len, cap;
};

static int builder_append(struct builder *b, const char *text, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;

		while (b->len + n + 1 > cap)
			cap *= 2; /* doubling: amortised O(1) per byte */
		grown = realloc(b->data, cap);
		if (!grown)
			return -1;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, text, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* The whole inventory as one CSV document (caller frees). */
static char *render_csv(const struct item *it, size_t n)
{
	static const char header[] = "sku,name,quantity,price,bin\n";
	struct builder b = { NULL, 0, 0 };
	char row[128];
	size_t i;

	if (builder_append(&b, header, sizeof(header) - 1) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		int len = snprintf(row, sizeof(row), "%s,\"%s\",%d,%ld.%02ld,%s\n", it[i].sku,
				   it[i].name, it[i].quantity, it[i].price_cents / 100,
				   it[i].price_cents % 100, it[i].bin);

		if (builder_append(&b, row, (size_t)len) < 0)
			goto fail;
	}
	return b.data;
fail:
	free(b.data);
	return NULL;
}

int main(void)
{
	struct item *items = calloc(NITEMS, sizeof(*items));
	char *csv;
	uint32_t sum = 0;
	size_t i, len, lines = 0;

	if (!items) {
		perror("calloc");
		return 1;
	}
	generate_items(items, NITEMS);
	csv = render_csv(items, NITEMS);
	if (!csv) {
		perror("render_csv");
		return 1;
	}
	len = strlen(csv);
	for (i = 0; i < len; i++)
		sum = sum * 31 + (unsigned char)csv[i];
	printf("%zu bytes, checksum %08x\n", len, sum);
	for (i = 0; i < len && lines < 4; i++) {
		putchar(csv[i]);
		if (csv[i] == '\n')
			lines++;
	}
	free(csv);
	free(items);
	return 0;
}
