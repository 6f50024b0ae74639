/* traces.c - the `traces` report (pprof -traces): every sample's stack. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../base/str.h"
#include "graph.h"
#include "units.h"

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Label lines of one sample, "%10s:  v1 v2\n", sorted; string labels
 * first, then numeric ones (as pprof prints them). The samples of a
 * -diff_base profile carry "pprof::base:  true" like any other label. */
static int print_labels(const struct pf_sample *s, int numeric, struct pf_buf *out)
{
	struct pf_buf line = PF_BUF_INIT;
	char **lines = NULL;
	size_t i, j, n = 0;
	int rc = 0;

	if (s->nlabels == 0)
		return 0;
	lines = calloc(s->nlabels, sizeof(*lines));
	if (!lines)
		return -1;
	for (i = 0; i < s->nlabels; i++) {
		const struct pf_label *l = &s->labels[i];
		int seen = 0;

		if ((l->str[0] == '\0') != !!numeric)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(s->labels[j].key, l->key) == 0 &&
			    (s->labels[j].str[0] == '\0') == !!numeric)
				seen = 1;
		if (seen)
			continue;
		pf_buf_release(&line);
		rc |= pf_buf_printf(&line, "%10s:  ", l->key);
		for (j = i; j < s->nlabels; j++) {
			const struct pf_label *m = &s->labels[j];
			char v[64];

			if (strcmp(m->key, l->key) != 0 || (m->str[0] == '\0') != !!numeric)
				continue;
			if (line.data[line.len - 1] != ' ')
				rc |= pf_buf_putc(&line, ' ');
			if (numeric) {
				pf_units_label(m->num, m->num_unit[0] ? m->num_unit : m->key, "auto", v,
					       sizeof(v));
				rc |= pf_buf_puts(&line, v);
			} else {
				rc |= pf_buf_puts(&line, m->str);
			}
		}
		rc |= pf_buf_putc(&line, '\n');
		lines[n++] = pf_buf_detach(&line, NULL);
	}
	qsort(lines, n, sizeof(*lines), by_str);
	for (i = 0; i < n; i++) {
		rc |= pf_buf_puts(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
	pf_buf_release(&line);
	return rc ? -1 : 0;
}

static int traces(const struct pf_profile *p, const struct pf_report_opts *o, struct pf_buf *out,
		  struct pf_err *err)
{
	static const char sep[] = "-----------+-------------------------------------------------------\n";
	struct pf_graph g;
	size_t i, j;
	int rc;

	rc = pf_graph_init(&g, p, o, err);
	if (rc < 0)
		return rc;
	rc = pf_rep_profile_labels(&g, o->unit, out);
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int first = 1, nonzero = 0;
		size_t k;

		for (k = 0; k < p->nsample_types; k++)
			nonzero |= s->values[k] != 0;
		if (!g.sample_ok[i] || !nonzero)
			continue;
		rc |= pf_buf_puts(out, sep);
		rc |= print_labels(s, 0, out);
		rc |= print_labels(s, 1, out);
		for (j = 0; j < s->nlocs; j++) {
			uint32_t l = s->locs[j], lo, hi;

			if (g.loc_hidden[l])
				continue;
			lo = g.loc_off[l];
			hi = g.loc_off[l + 1];
			for (k = lo; k < hi; k++) {
				char v[64] = "";

				if (first)
					pf_rep_value(&g, o->unit, s->values[g.si], v, sizeof(v));
				first = 0;
				rc |= pf_buf_printf(out, "%10s   %s%s\n", v, g.nodes[g.frames[k]].name,
						    k != hi - 1 ? " (inline)" : "");
			}
		}
	}
	rc |= pf_buf_puts(out, sep);
	if (rc)
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
	pf_graph_release(&g);
	return rc;
}

int pf_report_traces(const struct pf_profile *p, const struct pf_report_opts *o,
		     struct pf_buf *out, struct pf_err *err)
{
	/* A Go heap profile can hold two samples of one stack: stacks that
	 * differed only in runtime frames the writer leaves out. */
	struct pf_profile *c = pf_report_compact(p, err);
	int rc;

	if (!c)
		return err->code ? err->code : PF_EFAIL;
	rc = traces(c, o, out, err);
	pf_profile_free(c);
	return rc;
}
