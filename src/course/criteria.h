/*
 * criteria.h - an exercise's pass criteria: parsing one criterion and
 * deciding it from profiles and measurements taken during a check.
 *
 * A criterion is `METRIC OP BOUND`:
 *
 *   METRIC  output identical          stdout equals the expected output (no OP/BOUND)
 *           cpu samples               all samples of the CPU profile
 *           cpu seconds | wall seconds  measured by the checker (user+sys / elapsed)
 *           cum% of FUNC | flat% of FUNC  share of the CPU profile
 *           TYPE                      total of a sample type of the heap (or CPU)
 *                                     profile: alloc_objects, alloc_space,
 *                                     inuse_objects, inuse_space
 *           TYPE in FUNC              the same, cumulative in FUNC (cum)
 *           samples in FUNC           CPU samples with FUNC on the stack (also
 *                                     "cpu in FUNC", in nanoseconds)
 *   OP      <=  <  >=  >
 *   BOUND   NUMBER                    an absolute bound
 *           NUMBER x pristine         relative to the pristine program in the same check
 *           NUMBER% of pristine
 *
 * Examples: "cum% of build_report <= 10", "cpu samples <= 0.25 x pristine",
 * "alloc_objects in handle_request <= 1% of pristine".
 */
#ifndef PF_CRITERIA_H
#define PF_CRITERIA_H

#include "../base/err.h"
#include "../pprof/profile.h"

enum pf_metric {
	PF_METRIC_OUTPUT = 1,
	PF_METRIC_CPU_SAMPLES,
	PF_METRIC_CPU_SECONDS,
	PF_METRIC_WALL_SECONDS,
	PF_METRIC_CUM_PCT,
	PF_METRIC_FLAT_PCT,
	PF_METRIC_TYPE_TOTAL,
	PF_METRIC_TYPE_IN_FUNC,
};

enum pf_cmp { PF_CMP_LE = 1, PF_CMP_LT, PF_CMP_GE, PF_CMP_GT };

struct pf_criterion {
	char text[160];     /* as written, normalised to single spaces */
	enum pf_metric metric;
	char type[32];      /* sample type for TYPE metrics */
	char func[96];      /* function for cum%/flat%/in FUNC */
	enum pf_cmp cmp;
	double bound;       /* the number as written (a fraction for "x", percent for "%") */
	int relative;       /* 0 absolute, 1 "x pristine", 2 "% of pristine" */
};

/* Parse a criterion. 0, or PF_EINPUT with a message (no file name). */
int pf_criterion_parse(struct pf_criterion *c, const char *text, struct pf_err *err);

/* What one run measured. Profiles may be NULL (not written). */
struct pf_measurement {
	const struct pf_profile *cpu;
	const struct pf_profile *heap;
	double cpu_seconds, wall_seconds;
	int output_ok;            /* stdout equals the expected output */
	char output_diff[256];    /* when not: where it first differs */
};

/* Outcome of one criterion (mirrors struct pf_criterion_result). */
struct pf_verdict {
	int passed;
	int measured_ok;       /* the metric could be measured */
	double value, wanted;  /* measured value; the effective bound */
	double pristine;       /* the pristine value, for relative bounds */
	char measured[64];
	char wanted_text[64];
	char message[512];
	char gain[128];        /* for relative criteria that passed, e.g. "4.8x fewer CPU samples" */
};

/* Measure c's metric in m into *value. 0, or -1 with why[] set (e.g. "no
 * CPU profile was written", "no sample type alloc_objects"). */
int pf_criterion_measure(const struct pf_criterion *c, const struct pf_measurement *m,
			 double *value, char *why, size_t whysize);

/* Decide c on the candidate's measurement, with the pristine program's
 * (may be NULL when c is absolute). Fills v. */
void pf_criterion_eval(const struct pf_criterion *c, const struct pf_measurement *cand,
		       const struct pf_measurement *pristine, struct pf_verdict *v);

#endif
