/*
 * exercise_spawn.h - running a child command for the exercises: in its own
 * process group, with stdout and stderr captured, a time limit, its CPU
 * time (rusage) and wall time measured, and a progress tick.
 *
 * Used for building exercises (argv = sh -c BUILD) and for running them
 * under the profiler (argv split from the manifest's run line, with the
 * PROFLAB_* variables and LD_PRELOAD added to the environment).
 * pf_exercise_interrupt() (exercise.h) kills the running child's group.
 * The child dies with the calling process (PR_SET_PDEATHSIG, even after a
 * kill -9 of it) and has an RLIMIT_CPU a margin above the time limit, which
 * its own children inherit.
 */
#ifndef PF_EXERCISE_SPAWN_H
#define PF_EXERCISE_SPAWN_H

#include "../base/buf.h"
#include "../base/err.h"
#include "exercise.h"

struct pf_spawn {
	/* in */
	char *const *argv;          /* argv[0] searched in PATH */
	const char *dir;            /* working directory */
	char *const *env_add;       /* "NAME=value" entries to set, NULL-terminated; may be NULL */
	double timeout;             /* seconds; 0 means none */
	int merge_stderr;           /* stderr goes into out too (compiler messages) */
	pf_exercise_progress_fn progress;
	void *ctx;
	const char *phase;
	/* out */
	struct pf_buf out;          /* stdout (capped; see stdout_truncated) */
	struct pf_buf errout;       /* stderr (last bytes kept up to a cap) */
	int stdout_truncated;
	int exited;                 /* exited normally, with status */
	int status;
	int signal;                 /* killed by this signal (0 if none) */
	int timed_out;
	int interrupted;            /* pf_exercise_interrupt() was called */
	double wall_seconds, cpu_seconds;
};

/* Whether pf_exercise_interrupt() was called since the last
 * pf_spawn_interrupt_clear() or the start of the last pf_spawn_run(): for
 * waits between children, which have no child to kill. */
int pf_spawn_interrupt_pending(void);
void pf_spawn_interrupt_clear(void);

/* Zero the structure and initialise its buffers. */
void pf_spawn_init(struct pf_spawn *s);
void pf_spawn_release(struct pf_spawn *s);
/* Run to completion (or the time limit). 0 when the child could be started
 * and waited for (whatever its outcome); PF_EFAIL with err set otherwise. */
int pf_spawn_run(struct pf_spawn *s, struct pf_err *err);
/* One line on how the child ended, when it did not exit with status 0:
 * "killed at the time limit of 60 s", "crashed (Segmentation fault)",
 * "exited with status 3". "" when it exited with 0. */
void pf_spawn_describe(const struct pf_spawn *s, char *dst, size_t size);

#endif
