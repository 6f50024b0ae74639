/* cmd-run.c - `proflab run`: build EX in the workspace, profile it, print top */
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_run = {
	.name = "run",
	.synopsis = "EX",
	.summary = "build EX in the workspace, profile it, print top",
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
	if (pf_opt_done(&pf_cmd_run, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_run);
}
