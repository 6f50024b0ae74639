/* peek.c - the `peek` report (pprof -peek=REGEX): callers and callees. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "units.h"

static const struct pf_graph *sort_graph; /* for qsort; reports are not concurrent */

/* Go's edgeList.Less: weight (|w|, when different), then source name,
 * then destination name. */
static int by_edge(const void *a, const void *b)
{
	const struct pf_gedge *x = *(const struct pf_gedge *const *)a;
	const struct pf_gedge *y = *(const struct pf_gedge *const *)b;
	int c;

	if (x->weight != y->weight) {
		if (pf_abs64(x->weight) != pf_abs64(y->weight))
			return pf_abs64(x->weight) > pf_abs64(y->weight) ? -1 : 1;
		return 0;
	}
	c = strcmp(sort_graph->nodes[x->src].name, sort_graph->nodes[y->src].name);
	if (c)
		return c;
	return strcmp(sort_graph->nodes[x->dst].name, sort_graph->nodes[y->dst].name);
}

static int by_dst(const void *a, const void *b)
{
	const struct pf_gedge *x = *(const struct pf_gedge *const *)a;
	const struct pf_gedge *y = *(const struct pf_gedge *const *)b;

	return (x->dst > y->dst) - (x->dst < y->dst);
}

static int by_src(const void *a, const void *b)
{
	const struct pf_gedge *x = *(const struct pf_gedge *const *)a;
	const struct pf_gedge *y = *(const struct pf_gedge *const *)b;

	return (x->src > y->src) - (x->src < y->src);
}

/* The edges of node id, from list (sorted by dst when in, else by src):
 * a binary search for the first, then the run. */
static int print_edges(const struct pf_graph *g, const struct pf_trimmed *t, uint32_t id, int in,
		       int64_t cum, struct pf_gedge **list, size_t nlist, struct pf_gedge **tmp,
		       struct pf_buf *out)
{
	size_t lo = 0, hi = nlist, i, n = 0;
	int rc = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t k = in ? list[mid]->dst : list[mid]->src;

		if (k < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < nlist && (in ? list[i]->dst : list[i]->src) == id; i++)
		tmp[n++] = list[i];
	sort_graph = g;
	qsort(tmp, n, sizeof(*tmp), by_edge);
	for (i = 0; i < n; i++) {
		char v[64], pct[32];

		pf_rep_value(g, t->unit, tmp[i]->weight, v, sizeof(v));
		pf_units_percentage(tmp[i]->weight, cum, pct, sizeof(pct));
		rc |= pf_buf_printf(out, "%50s %s |   %s%s\n", v, pct,
				    g->nodes[in ? tmp[i]->src : tmp[i]->dst].name,
				    tmp[i]->is_inline ? " (inline)" : "");
	}
	return rc;
}

int pf_report_peek(const struct pf_profile *p, const char *regex,
		   const struct pf_report_opts *o, struct pf_buf *out, struct pf_err *err)
{
	static const char sep[] =
		"----------------------------------------------------------+-------------\n";
	static const char legend[] =
		"      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n";
	struct pf_graph g;
	struct pf_trimmed t;
	struct pf_regex *rx = NULL;
	struct pf_gedge **tmp = NULL, **ins = NULL, **outs = NULL;
	size_t ne = 0, k;
	int64_t sum = 0;
	long i, matched = 0;
	int rc;

	rc = pf_regex_compile(&rx, "argument", regex, err);
	if (rc < 0)
		return rc;
	rc = pf_graph_init(&g, p, o, err);
	if (rc < 0) {
		pf_regex_free(rx);
		return rc;
	}
	rc = pf_rep_trimmed(&g, o, 0, 0, &t, err);
	if (rc < 0)
		goto out;
	tmp = malloc((g.edge_cap + 1) * sizeof(*tmp));
	ins = malloc((g.edge_cap + 1) * sizeof(*ins));
	outs = malloc((g.edge_cap + 1) * sizeof(*outs));
	if (!tmp || !ins || !outs) {
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
		goto out2;
	}
	for (k = 0; k < g.edge_cap; k++)
		if (g.edges[k].src != UINT32_MAX && !g.edges[k].dropped)
			ins[ne++] = &g.edges[k];
	memcpy(outs, ins, ne * sizeof(*ins));
	qsort(ins, ne, sizeof(*ins), by_dst);
	qsort(outs, ne, sizeof(*outs), by_src);
	rc = pf_rep_report_labels(&g, o, &t, out);
	rc |= pf_buf_puts(out, sep);
	rc |= pf_buf_puts(out, legend);
	for (i = 0; i < t.n; i++) {
		uint32_t id = t.order[i];
		const struct pf_gnode *n = &g.nodes[id];

		if (rx && !pf_regex_match(rx, n->name))
			continue;
		matched++;
		rc |= pf_buf_puts(out, sep);
		rc |= print_edges(&g, &t, id, 1, n->cum, ins, ne, tmp, out);
		rc |= pf_rep_columns(&g, t.unit, n, &sum, out);
		rc |= pf_buf_printf(out, "                | %s\n", n->name);
		rc |= print_edges(&g, &t, id, 0, n->cum, outs, ne, tmp, out);
	}
	if (t.n > 0)
		rc |= pf_buf_puts(out, sep);
	if (rc) {
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
	} else if (rx && matched == 0) {
		rc = pf_err_set(err, PF_EFAIL, "no matches found for regexp: %s", regex);
	}
out2:
	free(tmp);
	free(ins);
	free(outs);
	pf_rep_trimmed_release(&t);
out:
	pf_regex_free(rx);
	pf_graph_release(&g);
	return rc;
}
