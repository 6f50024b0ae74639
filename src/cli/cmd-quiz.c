/* cmd-quiz.c - `proflab quiz`: list the knowledge checks, or take one */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "../course/doc.h"
#include "../course/progress.h"
#include "../course/quiz.h"
#include "../tui/quiz_view.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_quiz = {
	.name = "quiz",
	.synopsis = "[N] [--answers FILE|-] [--pass-mark PERCENT] [--key]",
	.summary = "list the knowledge checks, or take one",
	.help = "Without N, lists the quizzes with their question counts and your best\n"
		"scores. With N (a chapter number or slug) on a terminal, asks the\n"
		"questions one by one.\n"
		"\n"
		"options:\n"
		"  --answers FILE|-     grade answers from FILE (- for stdin), one line per\n"
		"                       question: a letter (b), letters (a,c), an order\n"
		"                       (c,a,d,b), a number or a text; blank lines and lines\n"
		"                       starting with # are skipped. Prints a verdict and the\n"
		"                       explanation per question and ends with \"score: X/Y\".\n"
		"  --pass-mark PERCENT  the score needed to pass (default 80)\n"
		"  --key                print the answer key in the --answers format\n"
		"\n"
		"Profile questions are graded against your last profile of the exercise\n"
		"they name (proflab run EX), or against a bundled profile if you have none.\n"
		"Exit status: 0 passed, 1 below the pass mark or when the score could not\n"
		"be saved (the grading is still printed), 2 usage or malformed files.\n"
		"\n"
		"examples:\n"
		"  proflab quiz\n"
		"  proflab quiz 1\n"
		"  printf 'c,d,a,b\\nb\\n...' | proflab quiz 1 --answers -\n",
	.run = run,
};

/* md laid out by the lesson engine as plain text at 76 columns; the first
 * line continues what is already printed, later lines start with indent. */
static void print_wrapped(const char *indent, const char *md)
{
	struct pf_doc doc;
	struct pf_err err = { 0 };
	size_t i, first = 0, last;
	int out = 0;

	if (pf_doc_layout(&doc, md, strlen(md), 76 - (int)strlen(indent),
			  pf_doc_locale_is_utf8() ? 0 : PF_DOC_ASCII, &err) < 0) {
		struct pf_buf b = PF_BUF_INIT;

		pf_quiz_plain(md, &b);
		printf("%s\n", b.data);
		pf_buf_release(&b);
		pf_doc_release(&doc);
		return;
	}
	while (first < doc.nlines && doc.lines[first].width == 0)
		first++;
	last = doc.nlines;
	while (last > first && doc.lines[last - 1].width == 0)
		last--;
	for (i = first; i < last; i++) {
		struct pf_buf b = PF_BUF_INIT;

		pf_doc_line_text(&doc, i, &b);
		if (out++)
			printf("%s", b.len ? indent : "");
		printf("%s\n", b.data);
		pf_buf_release(&b);
	}
	if (!out)
		putchar('\n');
	pf_doc_release(&doc);
}

static int list_quizzes(void)
{
	struct pf_quiz_list l;
	struct pf_progress p;
	struct pf_err err = { 0 };
	const char *w;
	size_t i;
	int status = 0;

	if (pf_quiz_list_load(&l, &err) < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		return 1;
	}
	if (pf_progress_load(&p, &err) < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		memset(&p, 0, sizeof(p));
	}
	w = pf_progress_take_warning();
	if (w)
		fprintf(stderr, "proflab quiz: warning: %s\n", w);
	for (i = 0; i < l.n; i++) {
		struct pf_quiz q;
		const struct pf_progress_quiz *pq;
		char best[64];

		if (pf_quiz_load(&q, l.items[i].path, &err) < 0) {
			fprintf(stderr, "proflab quiz: %s\n", err.msg);
			status = 2;
			continue;
		}
		pq = pf_progress_find_quiz(&p, q.number);
		if (pq && pq->attempts)
			snprintf(best, sizeof(best), "best %d/%d", pq->best, pq->total);
		else
			snprintf(best, sizeof(best), "not taken");
		printf("%2d  %-22s %2zu questions  %-11s %s\n", q.number, q.slug, q.n, best,
		       q.title);
		pf_quiz_release(&q);
	}
	if (l.n == 0)
		printf("(no quizzes installed)\n");
	pf_progress_release(&p);
	pf_quiz_list_release(&l);
	return status;
}

/* Length of the UTF-8 sequence at s (up to n bytes) that is a printable
 * character, or 0: invalid bytes and C1 controls (U+0080..U+009F, which
 * some terminals obey) are not. */
static size_t printable_utf8(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t len = pf_utf8_decode((const char *)s, n, &cp);

	return len > 1 && cp > 0x9f ? len : 0;
}

/* Append n bytes of s to out with control bytes and invalid UTF-8 shown
 * as \xNN, stopping after max characters (then "..."; max 0: no limit). */
static void put_visible(struct pf_buf *out, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, chars = 0, k;

	while (i < n) {
		if (max && chars == max) {
			pf_buf_puts(out, "...");
			return;
		}
		k = u[i] >= 0x20 && u[i] < 0x7f ? 1 : printable_utf8(u + i, n - i);
		if (k > 0)
			pf_buf_append(out, u + i, k);
		else
			pf_buf_printf(out, "\\x%02x", u[i]);
		i += k > 0 ? k : 1;
		chars++;
	}
}

/*
 * Print "proflab quiz: MSG" for a message that may quote the learner's
 * answer file: the grader (quiz_grade.c) puts the offending answer
 * between the first and the last single quote, or after the first one
 * when a long answer filled the message. Whatever the file holds, what
 * reaches the terminal is printable (no escape sequences) and the quoted
 * value is cut to 60 characters.
 */
static void print_file_error(const char *msg)
{
	struct pf_buf b = PF_BUF_INIT;
	const char *end = msg + strlen(msg);
	const char *q1 = strchr(msg, '\''), *q2 = strrchr(msg, '\'');

	if (q1) {
		if (q2 == q1)
			q2 = end;
		put_visible(&b, msg, (size_t)(q1 + 1 - msg), 0);
		put_visible(&b, q1 + 1, (size_t)(q2 - q1 - 1), 60);
		put_visible(&b, q2, (size_t)(end - q2), 0);
	} else {
		put_visible(&b, msg, (size_t)(end - msg), 0);
	}
	fprintf(stderr, "proflab quiz: %s\n", b.data);
	pf_buf_release(&b);
}

static int read_answers(const char *file, struct pf_buf *b)
{
	if (strcmp(file, "-") == 0)
		return pf_buf_read_fd(b, STDIN_FILENO);
	return pf_buf_read_file(b, file);
}

static int grade_file(struct pf_quiz *q, const char *file, double pass_mark)
{
	struct pf_buf text;
	struct pf_quiz_result res;
	struct pf_err err = { 0 };
	const char *name = strcmp(file, "-") == 0 ? "stdin" : file;
	const char *w;
	size_t i;
	int status, passed;

	pf_buf_init(&text, 1 << 20);
	if (read_answers(file, &text) < 0) {
		pf_err_set(&err, PF_EINPUT, "%s: %s", name,
			   errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		print_file_error(err.msg);
		pf_buf_release(&text);
		return 2;
	}
	if (pf_quiz_grade_answers(q, name, text.data, &res, &err) < 0) {
		print_file_error(err.msg);
		pf_buf_release(&text);
		return pf_err_exit_status(err.code);
	}
	pf_buf_release(&text);
	printf("%s\n\n", q->title);
	for (i = 0; i < q->n; i++) {
		const struct pf_quiz_question *qq = &q->q[i];

		printf("%zu. %s: ", i + 1, res.verdicts[i].correct ? "right" : "wrong");
		print_wrapped("   ", qq->text);
		if (!res.verdicts[i].correct) {
			fputs("   the answer: ", stdout);
			print_wrapped("   ", res.verdicts[i].expected);
		}
		if (qq->profile_used)
			printf("   graded against %s\n", qq->profile_used);
		fputs("   why: ", stdout);
		print_wrapped("   ", qq->explanation);
		putchar('\n');
	}
	passed = 100.0 * res.score >= pass_mark * res.total;
	status = passed ? 0 : 1;
	/* The grading stands, but a score that was not kept is a failure. */
	if (q->number > 0 && pf_progress_record_quiz(q->number, res.score, res.total, &err) < 0) {
		fprintf(stderr, "proflab quiz: progress not saved: %s\n", err.msg);
		status = 1;
	}
	w = pf_progress_take_warning();
	if (w)
		fprintf(stderr, "proflab quiz: warning: %s\n", w);
	printf("%s: %.0f%%, the pass mark is %g%%\n", passed ? "passed" : "not passed",
	       100.0 * res.score / res.total, pass_mark);
	printf("score: %d/%d\n", res.score, res.total);
	free(res.verdicts);
	return status;
}

static int print_key(const struct pf_quiz *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		struct pf_buf b = PF_BUF_INIT;

		pf_quiz_key(q, i, &b);
		/* Text keys hold NUL-separated alternatives: the first one. */
		printf("%s\n", b.data);
		pf_buf_release(&b);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	const char *answers = NULL;
	double pass_mark = PF_QUIZ_PASS_MARK;
	int key = 0;
	const struct pf_opt opts[] = {
		{ "answers", PF_OPT_STRING, &answers, NULL, 0 },
		{ "pass-mark", PF_OPT_DOUBLE, &pass_mark, NULL, 0 },
		{ "key", PF_OPT_FLAG, &key, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_quiz_list l;
	const struct pf_quiz_entry *e;
	struct pf_quiz q;
	char **pos = argv + 1;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_quiz, rc, &err, &status))
		return status;
	if (npos > 1) {
		fprintf(stderr, "proflab quiz: unexpected argument '%s'\n", pos[1]);
		return 2;
	}
	if (pass_mark < 0 || pass_mark > 100) {
		fprintf(stderr, "proflab quiz: --pass-mark %g: a percentage from 0 to 100\n",
			pass_mark);
		return 2;
	}
	if (npos == 0) {
		if (answers || key) {
			fprintf(stderr, "proflab quiz: %s needs a quiz number\n",
				answers ? "--answers" : "--key");
			return 2;
		}
		return list_quizzes();
	}
	if (pf_quiz_list_load(&l, &err) < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		return 1;
	}
	e = pf_quiz_list_find(&l, pos[0]);
	if (!e) {
		fprintf(stderr, "proflab quiz: no quiz '%s' (proflab quiz lists them)\n", pos[0]);
		pf_quiz_list_release(&l);
		return 2;
	}
	rc = pf_quiz_load(&q, e->path, &err);
	pf_quiz_list_release(&l);
	if (rc == 0)
		rc = pf_quiz_resolve_profiles(&q, &err);
	if (rc < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		pf_quiz_release(&q);
		return pf_err_exit_status(err.code);
	}
	if (key)
		status = print_key(&q);
	else if (answers)
		status = grade_file(&q, answers, pass_mark);
	else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "proflab quiz: answering interactively needs a terminal; "
				"use --answers FILE|- (see proflab quiz --help)\n");
		status = 2;
	} else {
		status = pf_quiz_view_standalone(&q, pass_mark);
	}
	pf_quiz_release(&q);
	return status;
}
