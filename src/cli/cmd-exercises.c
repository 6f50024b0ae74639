/* cmd-exercises.c - `proflab exercises`: list the exercises with their status, and the workspace path */
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_exercises = {
	.name = "exercises",
	.synopsis = "",
	.summary = "list the exercises with their status, and the workspace path",
	.help = "",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	char **pos = argv + 1;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_exercises, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_exercises);
}
