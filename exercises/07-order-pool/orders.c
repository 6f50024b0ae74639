/*
 * orders.c - the matching engine of a small exchange, for one instrument.
 *
 * Replays a session of incoming orders (fixed seed). Each order is
 * allocated, matched against the resting orders on the other side of
 * the book, and either rests in the book or is freed once filled. Prints
 * the number of trades, the volume and the final state of the book.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORDERS 2500000
#define NLEVELS 64      /* price levels, in ticks around 1000 */

struct order {
	uint64_t id;
	int side;           /* 0 buy, 1 sell */
	int price;          /* level index */
	long quantity;
	char trader[24];
	struct order *next; /* FIFO at its price level */
};

struct level {
	struct order *head, *tail;
};

static struct level book[2][NLEVELS];
static uint64_t rng_state = 0x8BB84B93962EACC9ULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static struct order *new_order(uint64_t id)
{
	struct order *o = malloc(sizeof(*o));

	if (!o) {
		perror("malloc");
		exit(1);
	}
	o->id = id;
	o->side = (int)(rng_next() & 1);
	o->price = (int)(rng_next() % NLEVELS);
	o->quantity = 1 + (long)(rng_next() % 100);
	snprintf(o->trader, sizeof(o->trader), "T%04u", rng_next() % 5000);
	o->next = NULL;
	return o;
}

static void free_order(struct order *o)
{
	free(o);
}

/* Match o against the best resting orders it crosses; returns the volume. */
static long match(struct order *o, long *trades)
{
	int other = !o->side, p;
	long volume = 0;

	for (p = 0; p < NLEVELS && o->quantity > 0; p++) {
		int level = o->side == 0 ? p : NLEVELS - 1 - p; /* best price first */
		struct level *l = &book[other][level];

		if ((o->side == 0 && level > o->price) || (o->side == 1 && level < o->price))
			break;
		while (l->head && o->quantity > 0) {
			struct order *r = l->head;
			long q = r->quantity < o->quantity ? r->quantity : o->quantity;

			r->quantity -= q;
			o->quantity -= q;
			volume += q;
			(*trades)++;
			if (r->quantity == 0) {
				l->head = r->next;
				if (!l->head)
					l->tail = NULL;
				free_order(r);
			}
		}
	}
	return volume;
}

static void rest(struct order *o)
{
	struct level *l = &book[o->side][o->price];

	if (l->tail)
		l->tail->next = o;
	else
		l->head = o;
	l->tail = o;
}

int main(void)
{
	long trades = 0, volume = 0, resting[2] = { 0, 0 };
	uint64_t i;
	int s, p;

	for (i = 1; i <= NORDERS; i++) {
		struct order *o = new_order(i);

		volume += match(o, &trades);
		if (o->quantity > 0)
			rest(o);
		else
			free_order(o);
	}
	for (s = 0; s < 2; s++)
		for (p = 0; p < NLEVELS; p++) {
			struct order *o = book[s][p].head;

			while (o) {
				struct order *next = o->next;

				resting[s] += o->quantity;
				free_order(o);
				o = next;
			}
		}
	printf("%d orders, %ld trades, volume %ld\n", NORDERS, trades, volume);
	printf("resting: %ld to buy, %ld to sell\n", resting[0], resting[1]);
	return 0;
}
