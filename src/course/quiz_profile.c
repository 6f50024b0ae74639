/*
 * quiz_profile.c - the keys of profile questions (quiz.h), computed from
 * the learner's last profile of an exercise, or from a bundled profile in
 * quizzes/profiles/ when the learner has none yet.
 *
 * The numbers come from functab.h, the same per-function totals the
 * checker and the reports use, so "the highest flat" here is the first
 * line of `proflab pprof -top` on the same file.
 */
#include "quiz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/paths.h"
#include "../base/str.h"
#include "../pprof/functab.h"
#include "../pprof/profile.h"

#define TOP_CHOICES 4

static int by_name(const void *a, const void *b)
{
	const struct pf_func_stat *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Highest flat first, then highest cum, then by name. */
static int by_weight(const void *a, const void *b)
{
	const struct pf_func_stat *const *x = a, *const *y = b;

	if ((*x)->flat != (*y)->flat)
		return (*x)->flat > (*y)->flat ? -1 : 1;
	if ((*x)->cum != (*y)->cum)
		return (*x)->cum > (*y)->cum ? -1 : 1;
	return strcmp((*x)->name, (*y)->name);
}

/* Fill the key of qq from the profile; 0, or -1 with a reason. */
static int key_from_profile(struct pf_quiz_question *qq, const struct pf_profile *p,
			    char *why, size_t whysz)
{
	struct pf_functab t = { 0 };
	const struct pf_func_stat *top[TOP_CHOICES], **cand = NULL;
	int si, rc = -1;
	size_t i, n = 0, ncand = 0;

	si = qq->sample ? pf_profile_sample_index(p, qq->sample) : pf_profile_default_index(p);
	if (si < 0) {
		pf_fmt(why, whysz, "it has no sample type %s", qq->sample ? qq->sample : "");
		return -1;
	}
	if (pf_functab_build(&t, p, si) < 0) {
		pf_fmt(why, whysz, "out of memory");
		return -1;
	}
	if (t.total <= 0) {
		pf_fmt(why, whysz, "it holds no samples");
		goto out;
	}
	if (qq->ask == PF_QUIZ_ASK_FLAT_PERCENT) {
		const struct pf_func_stat *f = pf_functab_find(&t, qq->ask_func);
		char num[64];

		qq->number = f ? 100.0 * (double)f->flat / (double)t.total : 0.0;
		if (qq->tolerance == 0 && !qq->tolerance_relative)
			qq->tolerance = 1.0; /* percentage points, as shown by -top */
		pf_fmt(num, sizeof(num), "%.2f", qq->number);
		free(qq->alternatives);
		qq->alternatives = strdup(num);
		rc = 0;
		goto out;
	}
	/* The functions with the highest flat; when fewer than four have any,
	 * the callers with the highest cum fill up the choices (start-up
	 * code such as _start or __libc_start_main is left out: it is never
	 * the answer and teaches nothing). */
	cand = calloc(t.n ? t.n : 1, sizeof(*cand));
	if (!cand) {
		pf_fmt(why, whysz, "out of memory");
		goto out;
	}
	for (i = 0; i < t.n; i++)
		if (t.items[i].flat > 0 ||
		    (t.items[i].cum > 0 && t.items[i].name[0] != '_' && t.items[i].name[0] != '['))
			cand[ncand++] = &t.items[i];
	qsort(cand, ncand, sizeof(cand[0]), by_weight);
	for (i = 0; i < ncand && n < TOP_CHOICES; i++)
		top[n++] = cand[i];
	if (n < 2 || top[0]->flat <= 0) {
		pf_fmt(why, whysz, "fewer than two functions have samples in it");
		goto out;
	}
	/* Alphabetical, so the answer is not always choice a). */
	qsort(top, n, sizeof(top[0]), by_name);
	for (i = 0; i < (size_t)qq->nchoices; i++)
		free(qq->choices[i]);
	qq->nchoices = 0;
	qq->correct_mask = 0;
	for (i = 0; i < n; i++) {
		qq->choices[i] = strdup(top[i]->name);
		if (!qq->choices[i]) {
			pf_fmt(why, whysz, "out of memory");
			goto out;
		}
		qq->nchoices++;
		/* t.items[0] has the highest flat; ties are all right. */
		if (top[i]->flat == t.items[0].flat)
			qq->correct_mask |= 1u << i;
	}
	free(qq->alternatives);
	qq->alternatives = strdup(t.items[0].name);
	rc = 0;
out:
	free(cand);
	pf_functab_release(&t);
	return rc;
}

static int resolve_one(struct pf_quiz *q, struct pf_quiz_question *qq, struct pf_err *err)
{
	char mine[4096], bundled[4096], why[200], note[4096 + 256];
	struct pf_profile *p = NULL;
	struct pf_err perr = { 0 };

	pf_fmt(mine, sizeof(mine), "%s/exercises/%s/profiles/%s.pb.gz", pf_paths_workspace(),
	       qq->exercise, qq->profile_kind);
	pf_fmt(bundled, sizeof(bundled), "%s/%s", q->dir, qq->fallback);
	note[0] = '\0';
	if (access(mine, F_OK) == 0) {
		p = pf_profile_read(mine, &perr);
		if (p && key_from_profile(qq, p, why, sizeof(why)) == 0) {
			pf_fmt(note, sizeof(note), "your last %s profile of exercise %s (%s)",
			       qq->profile_kind, qq->exercise, mine);
			goto done;
		}
		if (!p)
			pf_fmt(why, sizeof(why), "%s", perr.msg);
		pf_profile_free(p);
		p = NULL;
		pf_fmt(note, sizeof(note),
		       "the bundled profile quizzes/%s (your profile %s could not be used: %s)",
		       qq->fallback, mine, why);
	} else {
		pf_fmt(note, sizeof(note),
		       "the bundled profile quizzes/%s (you have no %s profile of exercise %s yet)",
		       qq->fallback, qq->profile_kind, qq->exercise);
	}
	p = pf_profile_read(bundled, &perr);
	if (!p)
		return pf_err_set(err, PF_EFAIL, "%s:%d: %s", q->path, qq->line, perr.msg);
	if (key_from_profile(qq, p, why, sizeof(why)) < 0) {
		pf_profile_free(p);
		return pf_err_set(err, PF_EFAIL, "%s:%d: bundled profile %s: %s", q->path, qq->line,
				  bundled, why);
	}
done:
	pf_profile_free(p);
	free(qq->profile_used);
	qq->profile_used = strdup(note);
	if (!qq->profile_used || !qq->alternatives)
		return pf_err_set(err, PF_EFAIL, "out of memory");
	qq->resolved = 1;
	return 0;
}

int pf_quiz_resolve_profiles(struct pf_quiz *q, struct pf_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < q->n; i++) {
		if (q->q[i].type != PF_QUIZ_PROFILE)
			continue;
		rc = resolve_one(q, &q->q[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
