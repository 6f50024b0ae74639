/* cmd-reset.c - `proflab reset`: restore the pristine exercise (your copy is kept as a backup) */
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_reset = {
	.name = "reset",
	.synopsis = "EX",
	.summary = "restore the pristine exercise (your copy is kept as a backup)",
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
	if (pf_opt_done(&pf_cmd_reset, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_reset);
}
