/*
 * progress.h - the learner's progress: chapters read, exercises passed
 * (with the measured gain), quiz attempts and best scores, and where the
 * TUI was left. Kept in pf_paths_statedir()/progress, written atomically
 * (temporary file, fsync, rename) so that a kill at any moment never
 * corrupts it. Nothing in it is dropped: records of types this version
 * does not know are kept, and a damaged file is read as far as it can be
 * and copied aside before the next save replaces it.
 *
 * The record functions load, change and save in one step, so the CLI and
 * the TUI can call them without holding state. They return 0, or negative
 * with err set; a warning (e.g. a damaged file copied aside) is reported
 * through pf_progress_take_warning().
 */
#ifndef PF_PROGRESS_H
#define PF_PROGRESS_H

#include <stddef.h>

#include "../base/buf.h"
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

/*
 * Reading the whole store (for `proflab progress`, quiz lists, the TUI).
 *
 * The file, pf_paths_statedir()/progress, is text: a first line
 * "proflab-progress 1", one tab-separated record per line, and a last line
 * "end" (a file without it is treated as corrupt):
 *   read      NUMBER  UNIX_TIME
 *   exercise  SLUG  PASSED(0|1)  ATTEMPTS  UNIX_TIME  GAIN
 *   quiz      NUMBER  ATTEMPTS  BEST  TOTAL  LAST  UNIX_TIME
 *   position  TEXT
 * Lines of other types (a lower-case name, then tab-separated text, as a
 * newer proflab may add) are skipped and written back unchanged by every
 * save. Concurrent writers serialise on an flock of progress.lock in the
 * same directory; every save writes a temporary file there, fsyncs it,
 * renames it over the file (keeping the old file's mode) and fsyncs the
 * directory.
 *
 * Damage (a line that cannot be read, a wrong first line, no end line, a
 * file over 4 MiB) never loses what can be read: loading keeps every
 * readable record and warns, naming the file and the first bad line.
 * pf_progress_load() leaves the file as it is; a save first keeps the old
 * file as progress.corrupt-YYYYMMDDTHHMMSS[-N] (and fails if it cannot).
 * A store without write permission (mode 0444...) is never replaced:
 * saves fail with err naming it.
 */
struct pf_progress_exercise {
	char slug[64];
	int passed;         /* 1 once a check has passed (it stays passed) */
	int attempts;       /* checks recorded */
	long long time;     /* of the last check (Unix seconds) */
	char gain[128];     /* measured gain of the last passing check, or "" */
};

struct pf_progress_quiz {
	int number;
	int attempts;
	int best, total;    /* best score out of total */
	int last;           /* score of the last attempt */
	long long time;
};

struct pf_progress {
	int *read;          /* chapter numbers read, ascending */
	long long *read_time;
	size_t nread;
	struct pf_progress_exercise *exercises; /* sorted by slug */
	size_t nexercises;
	struct pf_progress_quiz *quizzes;       /* sorted by number */
	size_t nquizzes;
	char position[128];
	char *extra;        /* records of unknown types, verbatim, each ending in
			     * '\n'; NULL when none (freed by release) */
};

/* Load the store into p (empty when there is none yet), read-only: the
 * file is never moved or rewritten. What a damaged file holds that can be
 * read is loaded, with the warning available from
 * pf_progress_take_warning(). 0, or negative with err. */
int pf_progress_load(struct pf_progress *p, struct pf_err *err);
void pf_progress_release(struct pf_progress *p);
/* Lookups; NULL / 0 when absent. */
const struct pf_progress_quiz *pf_progress_find_quiz(const struct pf_progress *p, int number);
const struct pf_progress_exercise *pf_progress_find_exercise(const struct pf_progress *p,
							     const char *slug);
int pf_progress_has_read(const struct pf_progress *p, int number);
/* The path of the store file. */
const char *pf_progress_path(void);

/*
 * The JSON of `proflab progress --json` (schema version 1), appended to
 * out. Fields, stable across releases of the same version:
 *   version      1
 *   learner      $PROFLAB_LEARNER, else $USER, else the login name
 *   generated    ISO 8601 UTC time of the report
 *   chapters_read  [{ "chapter": N, "time": ISO }]
 *   exercises    [{ "slug", "passed": bool, "attempts", "gain": str|null,
 *                   "time": ISO }]
 *   quizzes      [{ "chapter": N, "attempts", "best", "total",
 *                   "best_percent", "last", "passed": bool (best >= 80%),
 *                   "time": ISO }]
 *   position     string or null
 */
int pf_progress_json(const struct pf_progress *p, struct pf_buf *out);

#endif
