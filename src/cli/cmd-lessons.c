/* cmd-lessons.c - `proflab lessons`: the numbered chapters with progress. */
#include <stdio.h>

#include "../course/doc.h"
#include "../course/lessons.h"
#include "../course/progress.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_lessons = {
	.name = "lessons",
	.synopsis = "",
	.summary = "list the numbered chapters with your progress",
	.help = "One line per chapter: its number, a mark when you have read it to the\n"
		"end, its slug and its title, then the best quiz score if any.\n"
		"Open one with `proflab lesson N`, or all of them with `proflab`.\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	static const struct pf_opt opts[] = { { 0 } };
	struct pf_err err = { 0 };
	struct pf_lessons ls;
	struct pf_progress pr = { 0 };
	char **pos = argv + 1;
	int npos, status, rc, have_progress;
	const char *mark = pf_doc_locale_is_utf8() ? "✓" : "*";
	const char *w;
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
	have_progress = pf_progress_load(&pr, &err) == 0;
	if (!have_progress)
		fprintf(stderr, "proflab lessons: progress not shown: %s\n", err.msg);
	if ((w = pf_progress_take_warning()))
		fprintf(stderr, "proflab lessons: %s\n", w);
	if (ls.n == 0)
		printf("no chapters installed\n");
	for (i = 0; i < ls.n; i++) {
		const struct pf_lesson *l = &ls.items[i];
		const struct pf_progress_quiz *q = have_progress ? pf_progress_find_quiz(&pr, l->number) : NULL;
		int read = have_progress && pf_progress_has_read(&pr, l->number);

		printf("%2d %s %-24s %s", l->number, read ? mark : " ", l->slug, l->title);
		if (q)
			printf("  (quiz %d/%d)", q->best, q->total);
		printf("\n");
	}
	if (have_progress)
		pf_progress_release(&pr);
	pf_lessons_release(&ls);
	return 0;
}
