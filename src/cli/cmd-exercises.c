/* cmd-exercises.c - `proflab exercises`: list the exercises with their status, and the workspace path */
#include <stdio.h>

#include "../course/exercise.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_exercises = {
	.name = "exercises",
	.synopsis = "",
	.summary = "list the exercises with their status, and the workspace path",
	.help = "Status: new (not opened yet), started (copied, unchanged), modified,\n"
		"failed or passed (the last check; with the gain it measured).\n"
		"Your copies live in the workspace: $PROFLAB_HOME, else\n"
		"$XDG_DATA_HOME/proflab (~/.local/share/proflab).\n\n"
		"Next: proflab run EX, proflab check EX, proflab hint EX.\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_exercise_list l = { 0 };
	struct pf_err err = { 0 };
	char **pos = argv + 1;
	int npos, status, rc;
	size_t i;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_exercises, rc, &err, &status))
		return status;
	if (npos > 0) {
		fprintf(stderr, "proflab exercises: unexpected argument '%s'\n", pos[0]);
		return 2;
	}
	if (pf_exercise_list(&l, &err) < 0) {
		fprintf(stderr, "proflab exercises: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	for (i = 0; i < l.n; i++) {
		const struct pf_exercise_entry *e = &l.items[i];

		printf("%02d  %-24s %-9s %s", e->number, e->slug + 3,
		       pf_exercise_status_name(e->status), e->title);
		if (e->gain[0])
			printf(" (%s)", e->gain);
		printf("\n");
	}
	printf("\nworkspace: %s/exercises\n", pf_exercise_workspace());
	pf_exercise_list_release(&l);
	return 0;
}
