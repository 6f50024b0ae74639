/*
 * exercise_internal.h - what exercise.c (catalogue, workspace, hints,
 * reset) shares with exercise_check.c (run and check). Not for callers
 * outside src/course.
 */
#ifndef PF_EXERCISE_INTERNAL_H
#define PF_EXERCISE_INTERNAL_H

#include <stddef.h>

#include "../base/err.h"
#include "manifest.h"

/* The pristine exercise directory of slug (datadir/exercises/slug). */
void pf_ex_pristine_dir(const char *slug, char *dst, size_t size);
/* The learner's copy (workspace/exercises/slug), not created. */
void pf_ex_work_dir(const char *slug, char *dst, size_t size);
/* Load slug's manifest. */
int pf_ex_manifest(const char *slug, struct pf_manifest *m, struct pf_err *err);
/* Copy one file; 0 or PF_EFAIL naming the path at fault. */
int pf_ex_copy_file(const char *from, const char *to, struct pf_err *err);
/* Record the outcome of a check in the learner's copy (status shown by
 * pf_exercise_list). */
void pf_ex_save_status(const char *slug, int passed, const char *gain);
/* Set the module's warning (pf_exercise_take_warning). */
void pf_ex_warn(const char *msg);

#endif
