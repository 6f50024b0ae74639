/* cmd-quiz.c - `proflab quiz`: list the knowledge checks, or take one */
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_quiz = {
	.name = "quiz",
	.synopsis = "[N] [--answers FILE|-]",
	.summary = "list the knowledge checks, or take one",
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
	if (pf_opt_done(&pf_cmd_quiz, rc, &err, &status))
		return status;
	return pf_command_unavailable(&pf_cmd_quiz);
}
