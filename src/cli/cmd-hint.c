/* cmd-hint.c - `proflab hint`: the next hint of an exercise */
#include <stdio.h>
#include <stdlib.h>

#include "../course/exercise.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_hint = {
	.name = "hint",
	.synopsis = "EX",
	.summary = "the next hint of exercise EX",
	.help = "Each call shows the next hint (two or three per exercise, each giving\n"
		"away a little more); after the last one it shows the last again.\n"
		"EX is the number (3, 03) or the name. `proflab reset EX` starts over.\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	char **pos = argv + 1, slug[64], *text = NULL;
	unsigned index = 0, total = 0;
	const char *warn;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_hint, rc, &err, &status))
		return status;
	if (npos != 1) {
		fprintf(stderr, "proflab hint: want one exercise (see proflab exercises)\n");
		return 2;
	}
	if (pf_exercise_resolve(pos[0], slug, sizeof(slug), &err) < 0 ||
	    pf_exercise_hint(slug, &text, &index, &total, &err) < 0) {
		fprintf(stderr, "proflab hint: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	printf("Hint %u of %u for %s:\n\n%s\n", index, total, slug, text);
	free(text);
	warn = pf_exercise_take_warning();
	if (warn)
		fprintf(stderr, "proflab hint: warning: %s\n", warn);
	return 0;
}
