/* cmd-lesson.c - `proflab lesson N|SLUG`: render one chapter. */
#include <stdio.h>
#include <stdlib.h>

#include "../course/doc.h"
#include "../course/lessons.h"
#include "../course/render_plain.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_lesson = {
	.name = "lesson",
	.stateless = 1,
	.synopsis = "N|SLUG [--plain] [--width N]",
	.summary = "render one chapter (plain text when stdout is not a terminal)",
	.help = "Prints the chapter laid out for the terminal: headings, reflowed\n"
		"paragraphs, highlighted code, tables and tips. On a terminal the output\n"
		"is coloured (unless NO_COLOR is set); pipe it into `less -R` to page.\n"
		"When stdout is not a terminal, or with --plain, the text carries no\n"
		"escape codes and no Markdown markers.\n\n"
		"options:\n"
		"  --plain      no colours, whatever stdout is\n"
		"  --width N    lay out for N columns (default: the terminal's width,\n"
		"               else $COLUMNS, else 80)\n\n"
		"examples:\n"
		"  proflab lesson 2\n"
		"  proflab lesson cpu-profiling --plain | less\n",
	.run = run,
};

static int run(int argc, char **argv)
{
	int plain = 0;
	long width = 0;
	const struct pf_opt opts[] = {
		{ "plain", PF_OPT_FLAG, &plain, NULL, 0 },
		{ "width", PF_OPT_INT, &width, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_lessons ls = { 0 };
	struct pf_doc doc = { 0 };
	struct pf_buf out = PF_BUF_INIT;
	const struct pf_lesson *l;
	char **pos = argv + 1;
	int npos, status, rc, flags;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_lesson, rc, &err, &status))
		return status;
	if (npos != 1) {
		fprintf(stderr, "proflab lesson: %s\nusage: proflab lesson %s\n",
			npos ? "one chapter at a time" : "which chapter? give its number or slug",
			pf_cmd_lesson.synopsis);
		return 2;
	}
	if (width && (width < 20 || width > 1000)) {
		fprintf(stderr, "proflab lesson: --width %ld: give 20 to 1000 columns\n", width);
		return 2;
	}
	if (pf_lessons_load(&ls, &err) < 0) {
		fprintf(stderr, "proflab lesson: %s\n", err.msg);
		return 1;
	}
	status = 0;
	l = pf_lessons_find(&ls, pos[0]);
	if (!l) {
		fprintf(stderr, "proflab lesson: no chapter '%s' (see proflab lessons)\n", pos[0]);
		status = 2;
		goto out;
	}
	flags = pf_doc_locale_is_utf8() ? 0 : PF_DOC_ASCII;
	if (pf_doc_layout_file(&doc, l->path, width ? (int)width : pf_render_plain_width(), flags,
			       &err) < 0) {
		fprintf(stderr, "proflab lesson: %s\n", err.msg);
		status = pf_err_exit_status(err.code);
		goto out;
	}
	if (pf_render_plain(&doc, pf_render_plain_use_color(plain) ? PF_PLAIN_COLOR : 0, &out) < 0) {
		fprintf(stderr, "proflab lesson: out of memory rendering the chapter\n");
		status = 1;
		goto out;
	}
	pf_command_write_stdout(out.data, out.len);
out:
	pf_buf_release(&out);
	pf_doc_release(&doc);
	pf_lessons_release(&ls);
	return status;
}
