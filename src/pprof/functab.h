/*
 * functab.h - per-function totals of one sample type: the numbers behind
 * "flat%" and "cum%" that the checker, the quizzes and the course quote.
 *
 * Functions are identified by name, as in `go tool pprof -top` at its
 * default granularity; every line of a location counts (inlined frames
 * too). A function appearing several times in one stack (recursion) adds
 * that sample to its cum once.
 */
#ifndef PF_FUNCTAB_H
#define PF_FUNCTAB_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct pf_func_stat {
	const char *name; /* points into the profile */
	const char *file;
	int64_t flat;     /* value of samples whose leaf frame is in the function */
	int64_t cum;      /* value of samples with the function anywhere in the stack */
};

struct pf_functab {
	struct pf_func_stat *items; /* sorted by flat desc, then name */
	size_t n;
	int64_t total;              /* sum of the sample type's values */
};

/* Compute the table for sample type index si. 0, or -1 on out of memory
 * or a bad index. Release with pf_functab_release. */
int pf_functab_build(struct pf_functab *t, const struct pf_profile *p, int si);
void pf_functab_release(struct pf_functab *t);
/* The entry for a function name, or NULL. */
const struct pf_func_stat *pf_functab_find(const struct pf_functab *t, const char *name);

#endif
