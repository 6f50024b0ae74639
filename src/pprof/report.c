/*
 * report.c - what pprof's text reports share (report.h, graph.h): option
 * defaults, the sample type, the trimmed graph, unit selection and the
 * header lines (File, Type, Time, Duration, "Showing nodes...").
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/str.h"
#include "graph.h"
#include "units.h"

void pf_report_opts_init(struct pf_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nodecount = -1;
	o->nodefraction = 0.005;
	o->edgefraction = 0.001;
	o->unit = "minimum";
	o->header = 1;
}

int pf_report_sample_index(const struct pf_profile *p, const struct pf_report_opts *o,
			   struct pf_err *err)
{
	const char *si = o->sample_index;
	struct pf_buf names = PF_BUF_INIT;
	size_t i;
	char *end;
	long v;

	if (p->nsample_types == 0)
		return pf_err_set(err, PF_EFAIL, "profile has no samples");
	if (!si || !*si)
		return pf_profile_default_index(p);
	v = strtol(si, &end, 10);
	if (*end == '\0' && end != si) {
		if (v < 0 || (size_t)v >= p->nsample_types)
			return pf_err_set(err, PF_EUSAGE, "sample_index %s is outside the range [0..%zu]",
					  si, p->nsample_types - 1);
		return (int)v;
	}
	for (i = 0; i < p->nsample_types; i++) {
		const char *t = p->sample_types[i].type;

		if (strcmp(t, si) == 0 ||
		    (pf_startswith(si, "inuse_") && strcmp(t, si + 6) == 0))
			return (int)i;
	}
	for (i = 0; i < p->nsample_types; i++)
		pf_buf_printf(&names, "%s%s", i ? " " : "", p->sample_types[i].type);
	pf_err_set(err, PF_EUSAGE, "sample_index \"%s\" must be one of: [%s]", si, names.data);
	pf_buf_release(&names);
	return PF_EUSAGE;
}

void pf_rep_value(const struct pf_graph *g, const char *unit, int64_t v, char *dst, size_t size)
{
	pf_units_label(v, g->sample_unit, unit, dst, size);
}

int pf_rep_columns(const struct pf_graph *g, const char *unit, const struct pf_gnode *n,
		   int64_t *sum, struct pf_buf *out)
{
	char fv[64], cv[64], fp[32], sp[32], cp[32];

	*sum = pf_add64(*sum, n->flat);
	pf_rep_value(g, unit, n->flat, fv, sizeof(fv));
	pf_rep_value(g, unit, n->cum, cv, sizeof(cv));
	pf_units_percentage(n->flat, g->total, fp, sizeof(fp));
	pf_units_percentage(*sum, g->total, sp, sizeof(sp));
	pf_units_percentage(n->cum, g->total, cp, sizeof(cp));
	return pf_buf_printf(out, "%10s %s %s %10s %s", fv, fp, sp, cv, cp);
}

void pf_report_format_value(const struct pf_profile *p, int si, int64_t v, const char *unit,
			    char *dst, size_t size)
{
	const char *from = si >= 0 && (size_t)si < p->nsample_types ? p->sample_types[si].unit : "";

	pf_units_label(v, from, unit && strcmp(unit, "minimum") != 0 ? unit : "auto", dst, size);
}

/* selectOutputUnit */
static void select_unit(const struct pf_graph *g, const struct pf_report_opts *o,
			const struct pf_trimmed *t, char *unit, size_t size)
{
	int64_t minv = 0, maxv = g->total;
	char minu[32], maxu[32], u[32];
	long i;

	if (strcmp(o->unit, "minimum") != 0 || t->n == 0) {
		pf_fmt(unit, size, "%s", o->unit);
		return;
	}
	for (i = 0; i < t->n; i++) {
		const struct pf_gnode *n = &g->nodes[t->order[i]];
		int64_t m = pf_abs64(n->flat);

		if (m == 0)
			m = pf_abs64(n->cum);
		if (m > 0 && (minv == 0 || m < minv))
			minv = m;
	}
	if (minv == 0)
		minv = maxv;
	pf_units_scale(minv, g->sample_unit, "minimum", minu, sizeof(minu));
	pf_units_scale(maxv, g->sample_unit, "minimum", maxu, sizeof(maxu));
	pf_fmt(u, sizeof(u), "%s", minu);
	if (strcmp(minu, maxu) != 0 && (int64_t)((uint64_t)minv * 100) < maxv)
		pf_units_scale((int64_t)((uint64_t)minv * 100), g->sample_unit, "minimum", u, sizeof(u));
	pf_fmt(unit, size, "%s", u[0] ? u : g->sample_unit);
}

static long count_nodes(const struct pf_graph *g, const uint8_t *kept)
{
	long n = 0;
	size_t i;

	for (i = 0; i < g->nnodes; i++)
		if ((!kept || kept[i]) && (g->nodes[i].flat || g->nodes[i].cum))
			n++;
	return n;
}

int pf_rep_trimmed(struct pf_graph *g, const struct pf_report_opts *o, int trim, long nodecount,
		   struct pf_trimmed *t, struct pf_err *err)
{
	double nodefraction = trim ? o->nodefraction : 0, edgefraction = trim ? o->edgefraction : 0;
	int64_t total = 0, node_cut, edge_cut;
	size_t i;
	long all;

	memset(t, 0, sizeof(*t));
	if (!trim)
		nodecount = 0;
	if (pf_graph_build(g, NULL) < 0)
		goto oom;
	for (i = 0; i < g->nnodes; i++)
		total = pf_add64(total, g->nodes[i].flat);
	node_cut = pf_abs64(pf_go_int64((double)total * nodefraction));
	edge_cut = pf_abs64(pf_go_int64((double)total * edgefraction));
	all = count_nodes(g, NULL);
	if (node_cut > 0) {
		long nk = 0;

		t->kept = calloc(g->nnodes + 1, 1);
		if (!t->kept)
			goto oom;
		for (i = 0; i < g->nnodes; i++)
			if ((g->nodes[i].flat || g->nodes[i].cum) && pf_abs64(g->nodes[i].cum) >= node_cut) {
				t->kept[i] = 1;
				nk++;
			}
		if (nk != all) {
			t->dropped = all - nk;
			if (pf_graph_build(g, t->kept) < 0)
				goto oom;
		} else {
			free(t->kept);
			t->kept = NULL;
		}
	}
	t->n = pf_graph_sorted_nodes(g, t->kept, o->cum, &t->order);
	if (t->n < 0)
		goto oom;
	t->orig_count = t->n;
	if (nodecount > 0) {
		pf_graph_trim_edges(g, edge_cut);
		if (nodecount < t->n) {
			uint8_t *k2 = calloc(g->nnodes + 1, 1);
			long j;

			if (!k2)
				goto oom;
			for (j = 0; j < nodecount; j++)
				k2[t->order[j]] = 1;
			free(t->kept);
			t->kept = k2;
			free(t->order);
			t->order = NULL;
			if (pf_graph_build(g, t->kept) < 0)
				goto oom;
			t->n = pf_graph_sorted_nodes(g, t->kept, o->cum, &t->order);
			if (t->n < 0)
				goto oom;
		}
	}
	pf_graph_trim_edges(g, edge_cut);
	select_unit(g, o, t, t->unit, sizeof(t->unit));
	return 0;
oom:
	pf_rep_trimmed_release(t);
	return pf_err_set(err, PF_EFAIL, "out of memory");
}

void pf_rep_trimmed_release(struct pf_trimmed *t)
{
	free(t->order);
	free(t->kept);
	t->order = NULL;
	t->kept = NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Go's "Jan 2, 2006 at 3:04pm (MST)" in the local time zone. */
static void format_time(int64_t nanos, char *dst, size_t size)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(nanos / 1000000000);
	struct tm tm;
	int h;

	if (nanos < 0 && nanos % 1000000000)
		secs--;
	tzset();
	if (!localtime_r(&secs, &tm)) {
		pf_fmt(dst, size, "%lld", (long long)secs);
		return;
	}
	h = tm.tm_hour % 12;
	if (h == 0)
		h = 12;
	pf_fmt(dst, size, "%s %d, %d at %d:%02d%s (%s)", months[tm.tm_mon], tm.tm_mday,
	       tm.tm_year + 1900, h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
	       tm.tm_zone ? tm.tm_zone : "UTC");
}

int pf_rep_profile_labels(const struct pf_graph *g, const char *unit, struct pf_buf *out)
{
	const struct pf_profile *p = g->p;
	char a[64], b[64], c[64], u[32];
	size_t i;
	int rc = 0;

	if (p->nmappings > 0) {
		if (p->mappings[0].file[0])
			rc |= pf_buf_printf(out, "File: %s\n", base_name(p->mappings[0].file));
		if (p->mappings[0].build_id[0])
			rc |= pf_buf_printf(out, "Build ID: %s\n", p->mappings[0].build_id);
	}
	for (i = 0; i < p->ncomments; i++)
		if (p->comments[i][0] != '#')
			rc |= pf_buf_printf(out, "%s\n", p->comments[i]);
	if (g->sample_type[0])
		rc |= pf_buf_printf(out, "Type: %s\n", g->sample_type);
	if (p->time_nanos != 0) {
		format_time(p->time_nanos, a, sizeof(a));
		rc |= pf_buf_printf(out, "Time: %s\n", a);
	}
	if (p->duration_nanos != 0) {
		double tn;

		pf_units_label(p->duration_nanos, "nanoseconds", "auto", a, sizeof(a));
		pf_rep_value(g, unit, g->total, b, sizeof(b));
		tn = pf_units_scale(g->total, g->sample_unit, "nanoseconds", u, sizeof(u));
		c[0] = '\0';
		if (strcmp(u, "ns") == 0 && tn != 0) {
			char pct[32];

			pf_units_percentage((int64_t)tn, p->duration_nanos, pct, sizeof(pct));
			pf_fmt(c, sizeof(c), "(%s)", pct);
		}
		rc |= pf_buf_printf(out, "Duration: %s, Total samples = %s %s\n", a, b, c);
	}
	return rc ? -1 : 0;
}

int pf_report_header(const struct pf_profile *p, const struct pf_report_opts *o,
		     struct pf_buf *out, int64_t *total, struct pf_err *err)
{
	struct pf_report_opts plain = *o;
	struct pf_graph g;
	int rc;

	plain.focus = plain.ignore = plain.hide = plain.show = NULL;
	plain.warnings = NULL;
	rc = pf_graph_init(&g, p, &plain, err);
	if (rc < 0)
		return rc;
	*total = g.total;
	rc = pf_rep_profile_labels(&g, o->unit, out);
	pf_graph_release(&g);
	return rc < 0 ? pf_err_set(err, PF_EFAIL, "out of memory") : 0;
}

static int add_filter(struct pf_buf *out, const char *k, const char *v)
{
	size_t n;

	if (!v || !*v)
		return 0;
	/* legendActiveFilters cuts "k=v" after 80 bytes. */
	n = strlen(k) + 1 + strlen(v);
	if (n > 80)
		return pf_buf_printf(out, "   %s=%.*s\xe2\x80\xa6\n", k, (int)(80 - strlen(k) - 1), v);
	return pf_buf_printf(out, "   %s=%s\n", k, v);
}

int pf_rep_report_labels(const struct pf_graph *g, const struct pf_report_opts *o,
			 const struct pf_trimmed *t, struct pf_buf *out)
{
	int64_t flat = 0;
	char a[64], b[64], pct[32];
	const char *s;
	long i;
	int rc = 0;

	if (o->header)
		rc |= pf_rep_profile_labels(g, t->unit, out);
	for (i = 0; i < t->n; i++)
		flat = pf_add64(flat, g->nodes[t->order[i]].flat);
	if ((o->focus && *o->focus) || (o->ignore && *o->ignore) || (o->hide && *o->hide) ||
	    (o->show && *o->show)) {
		rc |= pf_buf_puts(out, "Active filters:\n");
		rc |= add_filter(out, "focus", o->focus);
		rc |= add_filter(out, "ignore", o->ignore);
		rc |= add_filter(out, "hide", o->hide);
		rc |= add_filter(out, "show", o->show);
	}
	pf_rep_value(g, t->unit, flat, a, sizeof(a));
	pf_rep_value(g, t->unit, g->total, b, sizeof(b));
	pf_units_percentage(flat, g->total, pct, sizeof(pct));
	for (s = pct; *s == ' '; s++)
		;
	rc |= pf_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n", a, s, b);
	if (g->total != 0) {
		if (t->dropped > 0) {
			pf_rep_value(g, t->unit,
				     pf_abs64(pf_go_int64((double)g->total * o->nodefraction)), a, sizeof(a));
			rc |= pf_buf_printf(out, "Dropped %ld node%s (cum <= %s)\n", t->dropped,
					    t->dropped > 1 ? "s" : "", a);
		}
		if (t->n > 0 && t->n < t->orig_count)
			rc |= pf_buf_printf(out, "Showing top %ld nodes out of %ld\n", t->n,
					    t->orig_count);
	}
	return rc ? -1 : 0;
}
