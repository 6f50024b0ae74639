/* functab.c - per-function flat and cum totals (functab.h). */
#include "functab.h"

#include <stdlib.h>
#include <string.h>

static int by_flat(const void *a, const void *b)
{
	const struct pf_func_stat *x = a, *y = b;

	if (x->flat != y->flat)
		return x->flat > y->flat ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct pf_profile *sort_profile; /* for by_name; builds are not concurrent */

static int by_name(const void *a, const void *b)
{
	const struct pf_function *f = sort_profile->functions;
	int c = strcmp(f[*(const uint32_t *)a].name, f[*(const uint32_t *)b].name);

	if (c)
		return c;
	return (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

int pf_functab_build(struct pf_functab *t, const struct pf_profile *p, int si)
{
	uint32_t *slot = NULL;  /* function index -> stat index + 1 */
	uint64_t *seen = NULL;  /* stat index -> last sample that counted it + 1 */
	uint32_t *order = NULL; /* function indexes sorted by name */
	size_t i, j, k;

	t->items = NULL;
	t->n = 0;
	t->total = 0;
	if (si < 0 || (size_t)si >= p->nsample_types)
		return -1;
	slot = calloc(p->nfunctions + 1, sizeof(*slot));
	t->items = calloc(p->nfunctions + 1, sizeof(*t->items));
	seen = calloc(p->nfunctions + 1, sizeof(*seen));
	order = calloc(p->nfunctions + 1, sizeof(*order));
	if (!slot || !t->items || !seen || !order)
		goto fail;
	/* Functions of the same name share one entry: sort, then group. */
	for (i = 0; i < p->nfunctions; i++)
		order[i] = (uint32_t)i;
	sort_profile = p;
	qsort(order, p->nfunctions, sizeof(*order), by_name);
	for (i = 0; i < p->nfunctions; i++) {
		const struct pf_function *f = &p->functions[order[i]];

		if (t->n == 0 || strcmp(t->items[t->n - 1].name, f->name) != 0) {
			t->items[t->n].name = f->name;
			t->items[t->n].file = f->filename;
			t->n++;
		}
		slot[order[i]] = (uint32_t)t->n;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int64_t v = s->values[si];
		int leaf = 1;

		t->total += v;
		for (j = 0; j < s->nlocs; j++) {
			const struct pf_location *l = &p->locations[s->locs[j]];

			for (k = 0; k < l->nlines; k++) {
				uint32_t st = slot[l->lines[k].function] - 1;

				if (leaf)
					t->items[st].flat += v;
				leaf = 0;
				if (seen[st] != i + 1) {
					seen[st] = i + 1;
					t->items[st].cum += v;
				}
			}
		}
	}
	free(slot);
	free(seen);
	free(order);
	qsort(t->items, t->n, sizeof(*t->items), by_flat);
	return 0;
fail:
	free(slot);
	free(seen);
	free(order);
	pf_functab_release(t);
	return -1;
}

void pf_functab_release(struct pf_functab *t)
{
	free(t->items);
	t->items = NULL;
	t->n = 0;
}

const struct pf_func_stat *pf_functab_find(const struct pf_functab *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->items[i].name, name) == 0)
			return &t->items[i];
	return NULL;
}
