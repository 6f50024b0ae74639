/*
 * manifest.h - an exercise's manifest: how it is built and run, what it
 * must print, its time limit and its pass criteria.
 *
 * The format is one directive per line, `KEY VALUE...`; blank lines and
 * lines starting with `#` are ignored (a `#` after a value is part of it).
 *
 *   title    Warm-up: the monthly sales report     (required)
 *   files    report.c                               (required: what the learner edits;
 *                                                    copied to the workspace; several allowed)
 *   build    cc -O2 -g -fno-omit-frame-pointer -o report report.c   (required; run by sh)
 *   run      ./report                               (required; run by sh in the build dir)
 *   expect   expected.txt                           (the correct stdout, a file of the exercise)
 *   timeout  60                                     (seconds, per run; default 60)
 *   hz       100                                    (CPU sampling rate; default 100)
 *   heaprate 524288                                 (bytes between heap samples; default 524288)
 *   pass     cum% of build_report <= 10             (a criterion, see criteria.h; one or more)
 *
 * Errors name the file and line: "exercises/01-x/manifest:7: unknown key 'tittle'".
 */
#ifndef PF_MANIFEST_H
#define PF_MANIFEST_H

#include <stddef.h>

#include "../base/err.h"
#include "criteria.h"

#define PF_MANIFEST_MAX_FILES 8
#define PF_MANIFEST_MAX_CRITERIA 8

struct pf_manifest {
	char title[160];
	char files[PF_MANIFEST_MAX_FILES][128];
	size_t nfiles;
	char build[512];
	char run[512];
	char expect[128];   /* "" when the manifest names no expected output */
	double timeout;     /* seconds */
	int hz;
	long heaprate;
	struct pf_criterion criteria[PF_MANIFEST_MAX_CRITERIA];
	size_t ncriteria;
};

/* Parse manifest text; `name` is used in messages ("NAME:LINE: ..."). 0, or
 * PF_EINPUT with err set. */
int pf_manifest_parse(struct pf_manifest *m, const char *text, const char *name,
		      struct pf_err *err);
/* Read and parse a file; a missing file is PF_EINPUT naming it. */
int pf_manifest_load(struct pf_manifest *m, const char *path, struct pf_err *err);

#endif
