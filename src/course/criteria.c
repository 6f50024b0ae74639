/* criteria.c - parsing and deciding exercise pass criteria (criteria.h). */
#include "criteria.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"
#include "../pprof/functab.h"

#define MAX_TOKENS 10

static int is_type_name(const char *s)
{
	static const char *const types[] = { "alloc_objects", "alloc_space", "inuse_objects",
					     "inuse_space", "samples", "cpu", NULL };
	size_t i;

	for (i = 0; types[i]; i++)
		if (strcmp(s, types[i]) == 0)
			return 1;
	return 0;
}

static int parse_cmp(const char *s, enum pf_cmp *out)
{
	if (strcmp(s, "<=") == 0)
		*out = PF_CMP_LE;
	else if (strcmp(s, "<") == 0)
		*out = PF_CMP_LT;
	else if (strcmp(s, ">=") == 0)
		*out = PF_CMP_GE;
	else if (strcmp(s, ">") == 0)
		*out = PF_CMP_GT;
	else
		return -1;
	return 0;
}

static const char *cmp_text(enum pf_cmp c)
{
	switch (c) {
	case PF_CMP_LE: return "<=";
	case PF_CMP_LT: return "<";
	case PF_CMP_GE: return ">=";
	case PF_CMP_GT: return ">";
	}
	return "?";
}

/* The operator that describes a failure: 93.1 > 10 for a failed "<= 10". */
static const char *cmp_negated(enum pf_cmp c)
{
	switch (c) {
	case PF_CMP_LE: return ">";
	case PF_CMP_LT: return ">=";
	case PF_CMP_GE: return "<";
	case PF_CMP_GT: return "<=";
	}
	return "?";
}

static int parse_number(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	if (*end == '%' && end[1] == '\0') {
		*out = v;
		return 1; /* a percentage */
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_bound(struct pf_criterion *c, char **tok, int n, struct pf_err *err)
{
	int pct;

	if (n < 1)
		return pf_err_set(err, PF_EINPUT, "criterion '%s': missing bound after %s", c->text,
				  cmp_text(c->cmp));
	pct = parse_number(tok[0], &c->bound);
	if (pct < 0)
		return pf_err_set(err, PF_EINPUT, "criterion '%s': bad number '%s'", c->text, tok[0]);
	if (n == 1 && !pct)
		return 0;
	if (n == 3 && !pct && strcmp(tok[1], "x") == 0 && strcmp(tok[2], "pristine") == 0) {
		c->relative = 1;
		return 0;
	}
	if (n == 3 && pct && strcmp(tok[1], "of") == 0 && strcmp(tok[2], "pristine") == 0) {
		c->relative = 2;
		return 0;
	}
	if (n == 4 && !pct && strcmp(tok[1], "%") == 0 && strcmp(tok[2], "of") == 0 &&
	    strcmp(tok[3], "pristine") == 0) {
		c->relative = 2;
		return 0;
	}
	return pf_err_set(err, PF_EINPUT,
			  "criterion '%s': bound must be NUMBER, NUMBER x pristine or NUMBER%% of pristine",
			  c->text);
}

int pf_criterion_parse(struct pf_criterion *c, const char *text, struct pf_err *err)
{
	char copy[160], *tok[MAX_TOKENS], *p, *save = NULL;
	int n = 0, k, left;

	memset(c, 0, sizeof(*c));
	if (pf_fmt(copy, sizeof(copy), "%s", text) < 0)
		return pf_err_set(err, PF_EINPUT, "criterion too long (at most %zu characters)",
				  sizeof(copy) - 1);
	for (p = strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_TOKENS)
			return pf_err_set(err, PF_EINPUT, "criterion '%s': too many words", text);
		tok[n++] = p;
	}
	if (n == 0)
		return pf_err_set(err, PF_EINPUT, "empty criterion");
	/* normalised text: words joined by single spaces */
	c->text[0] = '\0';
	for (k = 0; k < n; k++) {
		size_t len = strlen(c->text);

		pf_fmt(c->text + len, sizeof(c->text) - len, "%s%s", k ? " " : "", tok[k]);
	}
	if (n == 2 && strcmp(tok[0], "output") == 0 && strcmp(tok[1], "identical") == 0) {
		c->metric = PF_METRIC_OUTPUT;
		return 0;
	}
	for (k = 0; k < n; k++)
		if (parse_cmp(tok[k], &c->cmp) == 0)
			break;
	if (k == n)
		return pf_err_set(err, PF_EINPUT,
				  "criterion '%s': no comparison (<=, <, >= or >)", c->text);
	left = k;
	if (left == 2 && strcmp(tok[0], "cpu") == 0 && strcmp(tok[1], "samples") == 0) {
		c->metric = PF_METRIC_CPU_SAMPLES;
	} else if (left == 2 && strcmp(tok[0], "cpu") == 0 && strcmp(tok[1], "seconds") == 0) {
		c->metric = PF_METRIC_CPU_SECONDS;
	} else if (left == 2 && strcmp(tok[0], "wall") == 0 && strcmp(tok[1], "seconds") == 0) {
		c->metric = PF_METRIC_WALL_SECONDS;
	} else if (left == 3 && (strcmp(tok[0], "cum%") == 0 || strcmp(tok[0], "flat%") == 0) &&
		   strcmp(tok[1], "of") == 0) {
		c->metric = tok[0][0] == 'c' ? PF_METRIC_CUM_PCT : PF_METRIC_FLAT_PCT;
		pf_fmt(c->func, sizeof(c->func), "%s", tok[2]);
	} else if (left == 1 && is_type_name(tok[0])) {
		c->metric = PF_METRIC_TYPE_TOTAL;
		pf_fmt(c->type, sizeof(c->type), "%s", tok[0]);
	} else if (left == 3 && is_type_name(tok[0]) && strcmp(tok[1], "in") == 0) {
		c->metric = PF_METRIC_TYPE_IN_FUNC;
		pf_fmt(c->type, sizeof(c->type), "%s", tok[0]);
		pf_fmt(c->func, sizeof(c->func), "%s", tok[2]);
	} else {
		return pf_err_set(err, PF_EINPUT,
				  "criterion '%s': unknown measure (want output identical, cpu samples, "
				  "cpu seconds, wall seconds, cum%% of F, flat%% of F, TYPE or TYPE in F)",
				  c->text);
	}
	return parse_bound(c, tok + k + 1, n - k - 1, err);
}

/* The profile holding a sample type: the heap profile for heap types. */
static const struct pf_profile *profile_for(const struct pf_criterion *c,
					    const struct pf_measurement *m, int *si, char *why,
					    size_t whysize)
{
	const struct pf_profile *p;
	int heap = c->metric == PF_METRIC_TYPE_TOTAL || c->metric == PF_METRIC_TYPE_IN_FUNC;

	if (heap && (strcmp(c->type, "samples") == 0 || strcmp(c->type, "cpu") == 0))
		heap = 0;
	p = heap ? m->heap : m->cpu;
	if (!p) {
		pf_fmt(why, whysize, "no %s profile was written", heap ? "heap" : "CPU");
		return NULL;
	}
	if (heap || c->metric == PF_METRIC_TYPE_TOTAL || c->metric == PF_METRIC_TYPE_IN_FUNC)
		*si = pf_profile_sample_index(p, c->type);
	else
		*si = pf_profile_sample_index(p, "samples");
	if (*si < 0 && !heap && !c->type[0])
		*si = 0;
	if (*si < 0 || (size_t)*si >= p->nsample_types) {
		pf_fmt(why, whysize, "the %s profile has no sample type %s", heap ? "heap" : "CPU",
		       c->type[0] ? c->type : "samples");
		return NULL;
	}
	return p;
}

int pf_criterion_measure(const struct pf_criterion *c, const struct pf_measurement *m,
			 double *value, char *why, size_t whysize)
{
	const struct pf_profile *p;
	const struct pf_func_stat *f;
	struct pf_functab t = { 0 };
	int si = -1, rc = -1;

	*value = 0;
	switch (c->metric) {
	case PF_METRIC_OUTPUT:
		*value = m->output_ok ? 1 : 0;
		return 0;
	case PF_METRIC_CPU_SECONDS:
		*value = m->cpu_seconds;
		return 0;
	case PF_METRIC_WALL_SECONDS:
		*value = m->wall_seconds;
		return 0;
	default:
		break;
	}
	p = profile_for(c, m, &si, why, whysize);
	if (!p)
		return -1;
	if (pf_functab_build(&t, p, si) < 0) {
		pf_fmt(why, whysize, "out of memory");
		return -1;
	}
	switch (c->metric) {
	case PF_METRIC_CPU_SAMPLES:
	case PF_METRIC_TYPE_TOTAL:
		*value = (double)t.total;
		break;
	case PF_METRIC_CUM_PCT:
	case PF_METRIC_FLAT_PCT:
		f = pf_functab_find(&t, c->func);
		if (f && t.total > 0)
			*value = 100.0 * (double)(c->metric == PF_METRIC_CUM_PCT ? f->cum : f->flat) /
				 (double)t.total;
		break;
	case PF_METRIC_TYPE_IN_FUNC:
		f = pf_functab_find(&t, c->func);
		*value = f ? (double)f->cum : 0;
		break;
	default:
		break;
	}
	rc = 0;
	pf_functab_release(&t);
	return rc;
}

static void fmt_value(char *dst, size_t size, const struct pf_criterion *c, double v)
{
	switch (c->metric) {
	case PF_METRIC_CUM_PCT:
	case PF_METRIC_FLAT_PCT:
		pf_fmt(dst, size, "%.1f", v);
		break;
	case PF_METRIC_CPU_SECONDS:
	case PF_METRIC_WALL_SECONDS:
		pf_fmt(dst, size, "%.2fs", v);
		break;
	default:
		pf_fmt(dst, size, "%.0f", v);
		break;
	}
}

/* The measure's words without the bound: "cum% of build_report". */
static void metric_text(char *dst, size_t size, const struct pf_criterion *c)
{
	switch (c->metric) {
	case PF_METRIC_CPU_SAMPLES: pf_fmt(dst, size, "cpu samples"); break;
	case PF_METRIC_CPU_SECONDS: pf_fmt(dst, size, "cpu seconds"); break;
	case PF_METRIC_WALL_SECONDS: pf_fmt(dst, size, "wall seconds"); break;
	case PF_METRIC_CUM_PCT: pf_fmt(dst, size, "cum%% of %s", c->func); break;
	case PF_METRIC_FLAT_PCT: pf_fmt(dst, size, "flat%% of %s", c->func); break;
	case PF_METRIC_TYPE_TOTAL: pf_fmt(dst, size, "%s", c->type); break;
	case PF_METRIC_TYPE_IN_FUNC: pf_fmt(dst, size, "%s in %s", c->type, c->func); break;
	default: pf_fmt(dst, size, "output"); break;
	}
}

/* How a gain reads: "4.8x fewer CPU samples". */
static void gain_text(char *dst, size_t size, const struct pf_criterion *c, double before,
		      double after)
{
	const char *what;
	char buf[160];

	switch (c->metric) {
	case PF_METRIC_CPU_SAMPLES: what = "fewer CPU samples"; break;
	case PF_METRIC_CPU_SECONDS: what = "less CPU time"; break;
	case PF_METRIC_WALL_SECONDS: what = "less wall time"; break;
	default:
		metric_text(buf, sizeof(buf), c);
		if (c->metric == PF_METRIC_TYPE_TOTAL || c->metric == PF_METRIC_TYPE_IN_FUNC) {
			if (after <= 0)
				pf_fmt(dst, size, "no %s left (pristine %.0f)", buf, before);
			else
				pf_fmt(dst, size, "%.1fx fewer %s", before / after, buf);
		} else {
			pf_fmt(dst, size, "%s down from %.1f to %.1f", buf, before, after);
		}
		return;
	}
	if (after <= 0)
		pf_fmt(dst, size, "all %s gone (pristine %.0f)", what + 6, before);
	else
		pf_fmt(dst, size, "%.1fx %s", before / after, what);
}

static int compare(enum pf_cmp cmp, double v, double bound)
{
	switch (cmp) {
	case PF_CMP_LE: return v <= bound;
	case PF_CMP_LT: return v < bound;
	case PF_CMP_GE: return v >= bound;
	case PF_CMP_GT: return v > bound;
	}
	return 0;
}

void pf_criterion_eval(const struct pf_criterion *c, const struct pf_measurement *cand,
		       const struct pf_measurement *pristine, struct pf_verdict *v)
{
	char why[160], mt[140], pv[64];

	memset(v, 0, sizeof(*v));
	if (c->metric == PF_METRIC_OUTPUT) {
		v->measured_ok = 1;
		v->passed = cand->output_ok;
		v->value = cand->output_ok;
		pf_fmt(v->measured, sizeof(v->measured), "%s", cand->output_ok ? "identical" : "different");
		pf_fmt(v->wanted_text, sizeof(v->wanted_text), "identical");
		if (cand->output_ok)
			pf_fmt(v->message, sizeof(v->message), "output identical");
		else
			pf_fmt(v->message, sizeof(v->message), "wrong output: %s",
			       cand->output_diff[0] ? cand->output_diff : "differs from the expected output");
		return;
	}
	metric_text(mt, sizeof(mt), c);
	if (pf_criterion_measure(c, cand, &v->value, why, sizeof(why)) < 0) {
		pf_fmt(v->message, sizeof(v->message), "%s: cannot measure: %s", mt, why);
		pf_fmt(v->wanted_text, sizeof(v->wanted_text), "%s %g%s", cmp_text(c->cmp), c->bound,
		       c->relative == 1 ? " x pristine" : c->relative == 2 ? "% of pristine" : "");
		return;
	}
	v->measured_ok = 1;
	fmt_value(v->measured, sizeof(v->measured), c, v->value);
	v->wanted = c->bound;
	if (c->relative) {
		if (!pristine || pf_criterion_measure(c, pristine, &v->pristine, why, sizeof(why)) < 0) {
			pf_fmt(v->message, sizeof(v->message), "%s: cannot measure the pristine program: %s",
			       mt, pristine ? why : "not run");
			pf_fmt(v->wanted_text, sizeof(v->wanted_text), "%s %g%s", cmp_text(c->cmp),
			       c->bound, c->relative == 1 ? " x pristine" : "% of pristine");
			v->measured_ok = 0;
			return;
		}
		v->wanted = v->pristine * (c->relative == 1 ? c->bound : c->bound / 100.0);
		fmt_value(pv, sizeof(pv), c, v->pristine);
		{
			char w[32];

			fmt_value(w, sizeof(w), c, v->wanted);
			pf_fmt(v->wanted_text, sizeof(v->wanted_text), "%s %s (%g%s pristine %s)",
			       cmp_text(c->cmp), w, c->bound, c->relative == 1 ? " x" : "% of", pv);
		}
	} else {
		pf_fmt(v->wanted_text, sizeof(v->wanted_text), "%s %g", cmp_text(c->cmp), c->bound);
	}
	v->passed = compare(c->cmp, v->value, v->wanted);
	if (v->passed) {
		if (c->relative) {
			gain_text(v->gain, sizeof(v->gain), c, v->pristine, v->value);
			pf_fmt(v->message, sizeof(v->message), "%s", v->gain);
		} else {
			pf_fmt(v->message, sizeof(v->message), "%s %s %s %g", mt, v->measured,
			       cmp_text(c->cmp), c->bound);
		}
	} else {
		pf_fmt(v->message, sizeof(v->message), "%s %s %s %s", mt, v->measured,
		       cmp_negated(c->cmp), v->wanted_text + strlen(cmp_text(c->cmp)) + 1);
	}
}
