/* cmd-progress.c - `proflab progress`: show your progress */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/buf.h"
#include "../course/lessons.h"
#include "../course/progress.h"
#include "../course/quiz.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_progress = {
	.name = "progress",
	.synopsis = "[--json]",
	.summary = "show your progress",
	.help = "Chapters read, exercises passed (with the measured gain) and quiz scores,\n"
		"as kept in $XDG_STATE_HOME/proflab/progress (default ~/.local/state/proflab).\n"
		"\n"
		"options:\n"
		"  --json   machine-readable, for instructors gathering a class's results.\n"
		"           Schema version 1: {version, learner ($PROFLAB_LEARNER or $USER),\n"
		"           generated, chapters_read[{chapter,time}],\n"
		"           exercises[{slug,passed,attempts,gain,time}],\n"
		"           quizzes[{chapter,attempts,best,total,best_percent,last,passed,time}],\n"
		"           position}; times are ISO 8601 UTC.\n",
	.run = run,
};

static void when(long long t, char *dst, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(dst, sz, "%Y-%m-%d %H:%M", &tm);
}

static void text_report(const struct pf_progress *p)
{
	struct pf_lessons ls;
	struct pf_err err = { 0 };
	char t[40];
	size_t i;

	if (pf_lessons_load(&ls, &err) < 0)
		memset(&ls, 0, sizeof(ls));
	printf("chapters read: %zu", p->nread);
	if (ls.n)
		printf(" of %zu", ls.n);
	putchar('\n');
	for (i = 0; i < p->nread; i++) {
		char key[16];
		const struct pf_lesson *l;

		snprintf(key, sizeof(key), "%d", p->read[i]);
		l = pf_lessons_find(&ls, key);
		when(p->read_time[i], t, sizeof(t));
		printf("  %2d  %-40s %s\n", p->read[i], l ? l->title : "", t);
	}
	printf("\nexercises:%s\n", p->nexercises ? "" : " none checked yet");
	for (i = 0; i < p->nexercises; i++) {
		const struct pf_progress_exercise *x = &p->exercises[i];

		when(x->time, t, sizeof(t));
		printf("  %-24s %-7s %2d check%s  %s%s%s\n", x->slug, x->passed ? "passed" : "not yet",
		       x->attempts, x->attempts == 1 ? " " : "s", t, x->gain[0] ? "  gain: " : "",
		       x->gain);
	}
	printf("\nquizzes:%s\n", p->nquizzes ? "" : " none taken yet");
	for (i = 0; i < p->nquizzes; i++) {
		const struct pf_progress_quiz *q = &p->quizzes[i];
		double pct = 100.0 * q->best / q->total;

		when(q->time, t, sizeof(t));
		printf("  %2d  best %d/%d (%.0f%%, %s)  last %d/%d  %d attempt%s  %s\n", q->number,
		       q->best, q->total, pct, pct >= PF_QUIZ_PASS_MARK ? "passed" : "not passed",
		       q->last, q->total, q->attempts, q->attempts == 1 ? "" : "s", t);
	}
	if (p->position[0])
		printf("\nlast position: %s\n", p->position);
	pf_lessons_release(&ls);
}

static int run(int argc, char **argv)
{
	int json = 0;
	const struct pf_opt opts[] = {
		{ "json", PF_OPT_FLAG, &json, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_progress p;
	char **pos = argv + 1;
	const char *w;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_progress, rc, &err, &status))
		return status;
	if (npos > 0) {
		fprintf(stderr, "proflab progress: unexpected argument '%s'\n", pos[0]);
		return 2;
	}
	if (pf_progress_load(&p, &err) < 0) {
		fprintf(stderr, "proflab progress: %s\n", err.msg);
		return 1;
	}
	w = pf_progress_take_warning();
	if (w)
		fprintf(stderr, "proflab progress: warning: %s\n", w);
	if (json) {
		struct pf_buf out = PF_BUF_INIT;

		pf_progress_json(&p, &out);
		pf_command_write_stdout(out.data, out.len);
		pf_buf_release(&out);
	} else {
		text_report(&p);
	}
	pf_progress_release(&p);
	return 0;
}
