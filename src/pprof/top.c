/* top.c - the `top` report (pprof -top): flat/cum per function. */
#include "report.h"

#include "graph.h"

int pf_report_top(const struct pf_profile *p, const struct pf_report_opts *o,
		  struct pf_buf *out, struct pf_err *err)
{
	struct pf_graph g;
	struct pf_trimmed t;
	long nodecount = o->nodecount, i;
	int64_t sum = 0;
	int rc;

	if (nodecount == -1)
		nodecount = o->interactive ? 10 : 0;
	else if (nodecount < 0)
		nodecount = 0; /* pprof keeps every node for any other negative count */
	rc = pf_graph_init(&g, p, o, err);
	if (rc < 0)
		return rc;
	rc = pf_rep_trimmed(&g, o, 1, nodecount, &t, err);
	if (rc < 0)
		goto out;
	rc = pf_rep_report_labels(&g, o, &t, out);
	rc |= pf_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	for (i = 0; i < t.n; i++) {
		const struct pf_gnode *n = &g.nodes[t.order[i]];
		const char *inl = "";

		if (n->in_inline)
			inl = n->in_noinline ? " (partial-inline)" : " (inline)";
		rc |= pf_rep_columns(&g, t.unit, n, &sum, out);
		rc |= pf_buf_printf(out, "  %s%s\n", n->name, inl);
	}
	if (rc)
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
	pf_rep_trimmed_release(&t);
out:
	pf_graph_release(&g);
	return rc;
}
