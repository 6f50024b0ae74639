/* cmd-present.c - `proflab present`: show one chapter as slides, for workshops */
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_present = {
	.name = "present",
	.synopsis = "N",
	.summary = "show one chapter as slides, for workshops",
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
	if (pf_opt_done(&pf_cmd_present, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_present);
}
