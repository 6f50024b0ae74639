/*
 * report.c - the monthly sales report of a small chain of shops.
 *
 * Generates a month of sales (fixed seed, so the report is always the
 * same), totals them per region and per product line, and flags "lucky"
 * receipts: those whose receipt number is prime earn the customer a
 * voucher. Prints the report on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSALES 25000
#define NREGIONS 6
#define NLINES 5

struct sale {
	uint32_t receipt;
	int region;
	int line;
	long cents;
};

static const char *const region_names[NREGIONS] = { "North", "South", "East", "West",
						    "Central", "Online" };
static const char *const line_names[NLINES] = { "bikes", "parts", "clothing", "tools",
						"service" };

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void generate_sales(struct sale *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s[i].receipt = 100000 + rng_next() % 900000;
		s[i].region = (int)(rng_next() % NREGIONS);
		s[i].line = (int)(rng_next() % NLINES);
		s[i].cents = 199 + (long)(rng_next() % 250000);
	}
}

/* A receipt is lucky when its number is prime. */
static int is_lucky_receipt(uint32_t receipt)
{
	uint32_t d;

	if (receipt < 2)
		return 0;
	/* A divisor above sqrt(receipt) pairs with one below it: stop there. */
	for (d = 2; d <= receipt / d; d++)
		if (receipt % d == 0)
			return 0;
	return 1;
}

static void print_money(const char *label, long cents)
{
	printf("  %-10s %10ld.%02ld\n", label, cents / 100, cents % 100);
}

static void build_report(const struct sale *s, size_t n)
{
	long by_region[NREGIONS] = { 0 }, by_line[NLINES] = { 0 }, total = 0;
	size_t i, lucky = 0;
	long lucky_cents = 0;
	int r;

	for (i = 0; i < n; i++) {
		by_region[s[i].region] += s[i].cents;
		by_line[s[i].line] += s[i].cents;
		total += s[i].cents;
		if (is_lucky_receipt(s[i].receipt)) {
			lucky++;
			lucky_cents += s[i].cents;
		}
	}
	printf("Sales report: %zu receipts\n\nBy region:\n", n);
	for (r = 0; r < NREGIONS; r++)
		print_money(region_names[r], by_region[r]);
	printf("\nBy product line:\n");
	for (r = 0; r < NLINES; r++)
		print_money(line_names[r], by_line[r]);
	printf("\n");
	print_money("total", total);
	printf("\nLucky receipts (vouchers to send): %zu\n", lucky);
	print_money("their value", lucky_cents);
}

int main(void)
{
	struct sale *sales = calloc(NSALES, sizeof(*sales));

	if (!sales) {
		perror("calloc");
		return 1;
	}
	generate_sales(sales, NSALES);
	build_report(sales, NSALES);
	free(sales);
	return 0;
}
