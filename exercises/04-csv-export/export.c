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

/* Append text to a heap string, growing it to fit. */
static char *append(char *doc, const char *text)
{
	char *grown = realloc(doc, strlen(doc) + strlen(text) + 1);

	if (!grown) {
		free(doc);
		return NULL;
	}
	return strcat(grown, text);
}

/* The whole inventory as one CSV document (caller frees). */
static char *render_csv(const struct item *it, size_t n)
{
	char *doc = calloc(1, 1), row[128];
	size_t i;

	if (!doc)
		return NULL;
	doc = append(doc, "sku,name,quantity,price,bin\n");
	for (i = 0; doc && i < n; i++) {
		snprintf(row, sizeof(row), "%s,\"%s\",%d,%ld.%02ld,%s\n", it[i].sku, it[i].name,
			 it[i].quantity, it[i].price_cents / 100, it[i].price_cents % 100, it[i].bin);
		doc = append(doc, row);
	}
	return doc;
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
