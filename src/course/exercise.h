/*
 * exercise.h - the course's hands-on exercises: listing them with their
 * status, the learner's workspace copies, running one under the CPU and
 * heap profilers, checking a fix against the profile, hints and reset.
 *
 * The CLI commands (exercises, run, check, hint, reset) and the TUI call
 * these same functions; nothing here prints. Exercises live in
 * pf_paths_datadir()/exercises/NN-slug/ (README.md, the source, a
 * `manifest` (see manifest.h), hints.md, solution/). The learner edits a
 * copy in pf_paths_workspace()/exercises/SLUG/, made on first use and
 * never overwritten except by pf_exercise_reset().
 *
 * Profiles of the latest `run` are saved as
 *   <workspace>/exercises/<slug>/profiles/cpu.pb.gz and heap.pb.gz
 * (the quizzes' profile questions read cpu.pb.gz there). A check keeps its
 * own runs beside them: check-cpu.pb.gz, check-heap.pb.gz,
 * pristine-cpu.pb.gz, pristine-heap.pb.gz and diff.svg (before/after); a
 * check of the reference solution keeps them in
 * <workspace>/.check/<slug>/profiles instead. Builds of a check happen in
 * scratch copies under <workspace>/.check/<slug>/.
 *
 * EX arguments: the number ("3", "03") or the slug ("03-leaky-cache" or
 * "leaky-cache").
 *
 * Errors follow err.h: 0 or a negative PF_E* code with err set. A check
 * whose fix fails (does not compile, crashes, is too slow, prints the wrong
 * output) is not an error: it returns 0 with result->passed == 0.
 */
#ifndef PF_EXERCISE_H
#define PF_EXERCISE_H

#include <limits.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

/* ---- listing ---- */

enum pf_exercise_status {
	PF_EX_NEW = 0,     /* no workspace copy yet */
	PF_EX_STARTED,     /* copied; source identical to the pristine one */
	PF_EX_MODIFIED,    /* the learner changed the source; not checked since */
	PF_EX_FAILED,      /* the last check failed */
	PF_EX_PASSED,      /* the last check passed */
};

struct pf_exercise_entry {
	int number;                   /* NN of the directory name */
	char slug[64];                /* "NN-name", the directory name */
	char title[160];              /* from the manifest */
	enum pf_exercise_status status;
	char gain[128];               /* of the last passing check, "" if none */
	unsigned hints_shown, hints_total;
};

struct pf_exercise_list {
	struct pf_exercise_entry *items; /* sorted by number */
	size_t n;
};

/* Every exercise in the content directory, with its status in the
 * workspace. Release with pf_exercise_list_release. */
int pf_exercise_list(struct pf_exercise_list *out, struct pf_err *err);
void pf_exercise_list_release(struct pf_exercise_list *l);
/* "new", "started", "modified", "failed", "passed". */
const char *pf_exercise_status_name(enum pf_exercise_status s);

/* Resolve an EX argument to the exercise's slug (copied into slug).
 * PF_EUSAGE with "no exercise 'X' (see proflab exercises)" when unknown. */
int pf_exercise_resolve(const char *arg, char *slug, size_t size, struct pf_err *err);

/* The workspace root (pf_paths_workspace()). */
const char *pf_exercise_workspace(void);
/* The learner's copy of slug, created (copied from the pristine exercise)
 * on first use; the path is written into dir. */
int pf_exercise_workdir(const char *slug, char *dir, size_t size, struct pf_err *err);

/* ---- running ---- */

/* Progress of a long step, for a progress display: phase is a short text
 * ("building", "running", "running the pristine program", "writing
 * profiles"...), elapsed the seconds since the phase began and limit the
 * phase's time limit (0 when none). Called about every 100 ms while a
 * child runs. */
typedef void (*pf_exercise_progress_fn)(void *ctx, const char *phase, double elapsed,
					double limit);

struct pf_exercise_run_result {
	char workdir[PATH_MAX];
	char cpu_profile[PATH_MAX];  /* "" when the program wrote none */
	char heap_profile[PATH_MAX];
	struct pf_buf output;        /* the program's stdout (and build log on failure) */
	double wall_seconds, cpu_seconds;
	int exit_status;             /* of the program; -1 when it did not finish */
	char problem[512];           /* "" or why the run failed: build error, crash, time limit */
};

/*
 * Build the learner's copy and run it under the CPU and heap profilers
 * (saving profiles/cpu.pb.gz and heap.pb.gz). Returns 0 when the program
 * ran to completion and wrote a profile; PF_EFAIL when it did not compile
 * (res->output holds the compiler's messages), crashed, hit the time limit
 * or wrote no profile (res->problem says which); other errors as usual. progress may be NULL. Release res with
 * pf_exercise_run_result_release even on failure.
 */
int pf_exercise_run(const char *slug, pf_exercise_progress_fn progress, void *ctx,
		    struct pf_exercise_run_result *res, struct pf_err *err);
void pf_exercise_run_result_init(struct pf_exercise_run_result *res);
void pf_exercise_run_result_release(struct pf_exercise_run_result *res);

/* Kill the process group of the child being run, if any. Async-signal-safe:
 * call it from a SIGINT handler (the CLI) or on the user's request (TUI). */
void pf_exercise_interrupt(void);

/* ---- checking ---- */

struct pf_criterion_result {
	char name[160];     /* the criterion as written, e.g. "cum% of build_report <= 10" */
	char measured[64];  /* e.g. "93.1", "" when it could not be measured */
	char wanted[64];    /* e.g. "<= 10", "<= 25.0 (0.25 x pristine 100)" */
	int passed;
	char message[512];  /* e.g. "cum% of build_report 93.1 > 10" or "4.8x fewer CPU samples" */
};

struct pf_check_result {
	char slug[64];
	int solution;                        /* the reference solution was checked */
	int passed;                          /* every criterion passed */
	struct pf_criterion_result *criteria;
	size_t ncriteria;
	char gain[128];                      /* "4.8x fewer CPU samples", "" when failed */
	char problem[512];                   /* "" or why nothing could be measured */
	struct pf_buf log;                   /* compiler messages, crash output */
	char profiles_dir[PATH_MAX];         /* where check-*.pb.gz were saved */
	char diff_svg[PATH_MAX];             /* before/after flame graph, "" if none */
	double seconds;                      /* the check's own duration */
};

void pf_check_result_init(struct pf_check_result *r);
void pf_check_result_release(struct pf_check_result *r);

/*
 * Check the learner's copy of slug (or, with solution, the reference
 * solution, built in a scratch directory) against the manifest's pass
 * criteria, measuring the pristine program in the same check. Returns 0
 * with r->passed set whenever the check could be carried out; a negative
 * code only for errors outside the fix (unknown exercise, malformed
 * manifest: PF_EINPUT naming file:line). Records the outcome in the
 * progress store; a failure to do so is reported with
 * pf_exercise_take_warning(), not as an error. Checks of the same exercise
 * (in any process) take turns: while another holds it, this one waits,
 * reporting the phase "waiting for another check of SLUG" to progress;
 * pf_exercise_interrupt() ends the wait with PF_EFAIL.
 */
int pf_exercise_check(const char *slug, int solution, pf_exercise_progress_fn progress,
		      void *ctx, struct pf_check_result *r, struct pf_err *err);

/* A warning left by the last call (e.g. progress not saved), or NULL. */
const char *pf_exercise_take_warning(void);

/* ---- hints and reset ---- */

/*
 * The next hint of slug (remembered in the workspace): *text gets a
 * malloc'd copy (caller frees), *index its 1-based number and *total the
 * number of hints. When all have been shown, the last one is returned
 * again.
 */
int pf_exercise_hint(const char *slug, char **text, unsigned *index, unsigned *total,
		     struct pf_err *err);

/*
 * Restore the pristine exercise in the workspace. The learner's copy is
 * moved to <workspace>/exercises/<slug>.backup-YYYYMMDD-HHMMSS (written
 * into backup, "" when there was no copy). Hints and status start over.
 */
int pf_exercise_reset(const char *slug, char *backup, size_t size, struct pf_err *err);

#endif
