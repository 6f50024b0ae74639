/* cmd-lessons.c - `proflab lessons`: the numbered chapters. */
#include <stdio.h>

#include "../course/lessons.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_lessons = {
	.name = "lessons",
	.synopsis = "",
	.summary = "list the numbered chapters with your progress",
	.help = "",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	struct pf_lessons ls;
	char **pos = argv + 1;
	int npos, status, rc;
	size_t i;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_lessons, rc, &err, &status))
		return status;
	if (npos > 0) {
		fprintf(stderr, "proflab lessons: unexpected argument '%s'\n", pos[0]);
		return 2;
	}
	if (pf_lessons_load(&ls, &err) < 0) {
		fprintf(stderr, "proflab lessons: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < ls.n; i++)
		printf("%2d  %-24s %s\n", ls.items[i].number, ls.items[i].slug, ls.items[i].title);
	pf_lessons_release(&ls);
	return 0;
}
