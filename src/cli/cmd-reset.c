/* cmd-reset.c - `proflab reset`: restore the pristine exercise, keeping the learner's copy */
#include <limits.h>
#include <stdio.h>

#include "../course/exercise.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_reset = {
	.name = "reset",
	.synopsis = "EX",
	.summary = "restore the pristine exercise (your copy is kept as a backup)",
	.help = "Your copy in the workspace is renamed to SLUG.backup-YYYYMMDD-HHMMSS\n"
		"beside it (nothing is deleted), and a fresh copy of the exercise takes\n"
		"its place. Hints and status start over.\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	char **pos = argv + 1, slug[64], backup[PATH_MAX], dir[PATH_MAX];
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_reset, rc, &err, &status))
		return status;
	if (npos != 1) {
		fprintf(stderr, "proflab reset: want one exercise (see proflab exercises)\n");
		return 2;
	}
	if (pf_exercise_resolve(pos[0], slug, sizeof(slug), &err) < 0 ||
	    pf_exercise_reset(slug, backup, sizeof(backup), &err) < 0 ||
	    pf_exercise_workdir(slug, dir, sizeof(dir), &err) < 0) {
		fprintf(stderr, "proflab reset: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	if (backup[0])
		printf("your copy was moved to %s\n", backup);
	printf("pristine %s restored in %s\n", slug, dir);
	return 0;
}
