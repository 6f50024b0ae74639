/* cmd-present.c - `proflab present N`: show one chapter as slides, for workshops. */
#include <stdio.h>

#include "../course/lessons.h"
#include "../tui/present.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_present = {
	.name = "present",
	.stateless = 1,
	.synopsis = "N|SLUG",
	.summary = "show one chapter as slides, for workshops",
	.help = "One `##` section per screen under a large title; the chapter's title\n"
		"and introduction come first. Needs a terminal.\n\n"
		"keys: Space, Right, PgDn next  Left, PgUp, Backspace (Ctrl-H) previous\n"
		"      j/k scroll a long slide  g/G first/last  q quit\n\n"
		"example:\n  proflab present 4\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	struct pf_lessons ls;
	const struct pf_lesson *l;
	char **pos = argv + 1;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_present, rc, &err, &status))
		return status;
	if (npos != 1) {
		fprintf(stderr, "proflab present: which chapter? give one number or slug\n"
				"usage: proflab present %s\n", pf_cmd_present.synopsis);
		return 2;
	}
	if (pf_lessons_load(&ls, &err) < 0) {
		fprintf(stderr, "proflab present: %s\n", err.msg);
		return 1;
	}
	l = pf_lessons_find(&ls, pos[0]);
	if (!l) {
		fprintf(stderr, "proflab present: no chapter '%s' (see proflab lessons)\n", pos[0]);
		status = 2;
	} else {
		status = pf_present_run(l);
	}
	pf_lessons_release(&ls);
	return status;
}
