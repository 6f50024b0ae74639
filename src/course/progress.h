/*
 * progress.h - the learner's progress: chapters read, exercises passed
 * (with the measured gain), quiz attempts and best scores, and where the
 * TUI was left. Kept in pf_paths_statedir()/progress, written atomically
 * (temporary file, fsync, rename) so that a kill at any moment never
 * corrupts it; a corrupt file is moved aside with a warning.
 *
 * The record functions load, change and save in one step, so the CLI and
 * the TUI can call them without holding state. They return 0, or negative
 * with err set; a warning (e.g. a corrupt file moved aside) is reported
 * through pf_progress_take_warning().
 */
#ifndef PF_PROGRESS_H
#define PF_PROGRESS_H

#include "../base/err.h"

/* The learner has read chapter `number` to its end. */
int pf_progress_mark_read(int number, struct pf_err *err);
/* A check of exercise `slug` passed or failed; gain is a short text such
 * as "4.8x fewer CPU samples" (may be NULL). */
int pf_progress_record_exercise(const char *slug, int passed, const char *gain,
				struct pf_err *err);
/* A quiz attempt for chapter `number`: score out of total. */
int pf_progress_record_quiz(int number, int score, int total, struct pf_err *err);
/* Where the TUI was left (an opaque short string, e.g. "lesson:3:120"). */
int pf_progress_set_position(const char *position, struct pf_err *err);

/* A warning produced by the last load (NULL if none); cleared by reading. */
const char *pf_progress_take_warning(void);

#endif
