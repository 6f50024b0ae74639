/* cmd-lesson.c - `proflab lesson N|SLUG`: render one chapter. */
#include <stdio.h>

#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_lesson = {
	.name = "lesson",
	.synopsis = "N|SLUG [--plain]",
	.summary = "render one chapter (plain text when stdout is not a terminal)",
	.help = "",
	.run = run,
};

static int run(int argc, char **argv)
{
	int plain = 0;
	const struct pf_opt opts[] = { { "plain", PF_OPT_FLAG, &plain, NULL, 0 }, { 0 } };
	struct pf_err err = { 0 };
	char **pos = argv + 1;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_lesson, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_lesson);
}
