/*
 * quiz_view.c - the interactive knowledge check (quiz_view.h): draws one
 * question at a time, turns keys into an answer line, and shows the
 * verdict that pf_quiz_grade() gives for it.
 */
#include "quiz_view.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "../course/doc.h"
#include "../course/progress.h"
#include "term.h"

#define KEY_ESC 27
#define INPUT_MAX 200

struct answer_state {
	int cursor;
	unsigned mask;                   /* multiple: chosen letters */
	int order[PF_QUIZ_MAX_CHOICES];  /* order: current arrangement */
	int grabbed;                     /* order: the cursor item moves */
	char input[INPUT_MAX + 1];       /* number/text */
	size_t len;
	char status[256];                /* a one-line message under the answer */
};

enum { ST_ANSWERED, ST_QUIT };

/*
 * Lay out md with the lesson engine and draw it from row y, column x, to
 * column COLS-2; returns the next free row. prefix (may be NULL) goes
 * before the first line and the lines after it are indented by its width
 * (a hanging indent). attr, when non-zero, draws prefix and text in that
 * attribute without the Markdown styles; else they keep their styles.
 */
static int draw_wrapped(int y, int x, const char *prefix, const char *md, int attr)
{
	struct pf_doc doc;
	struct pf_err err = { 0 };
	struct pf_buf indent = PF_BUF_INIT;
	int pw = prefix ? pf_doc_strwidth(prefix, strlen(prefix)) : 0;
	int width = COLS - x - pw - 2;
	size_t i, end;

	if (width < 20)
		width = 20;
	pf_buf_pad(&indent, ' ', (size_t)pw);
	if (pf_doc_layout(&doc, md, strlen(md), width, pf_term_ascii() ? PF_DOC_ASCII : 0,
			  &err) < 0) {
		pf_term_put(y, x, pw, prefix ? prefix : "", (unsigned long)attr);
		pf_term_put(y, x + pw, width, md, (unsigned long)attr);
		pf_doc_release(&doc);
		pf_buf_release(&indent);
		return y + 1;
	}
	/* Leave out the blank lines the layout puts around blocks. */
	for (i = 0; i < doc.nlines && doc.lines[i].width == 0; i++)
		;
	for (end = doc.nlines; end > i && doc.lines[end - 1].width == 0; end--)
		;
	for (; i < end && y < LINES - 1; i++, y++) {
		if (pw)
			pf_term_put(y, x, pw, prefix, (unsigned long)attr);
		if (attr) {
			struct pf_buf b = PF_BUF_INIT;

			pf_doc_line_text(&doc, i, &b);
			pf_term_put(y, x + pw, width, b.data, (unsigned long)attr);
			pf_buf_release(&b);
		} else {
			pf_term_draw_line(&doc, i, y, x + pw, width, 0, 0);
		}
		prefix = indent.data;
	}
	pf_doc_release(&doc);
	pf_buf_release(&indent);
	return y;
}

/* Append s to out as Markdown that shows it literally: every ASCII
 * punctuation character backslash-escaped. For text that is not Markdown:
 * function names from a profile (__strcmp_avx2 would lose its
 * underscores as emphasis), file names. */
static void literal_md(const char *s, struct pf_buf *out)
{
	for (; *s; s++) {
		if (ispunct((unsigned char)*s) && (unsigned char)*s < 0x80)
			pf_buf_putc(out, '\\');
		pf_buf_putc(out, *s);
	}
}

/* Whether a line starting with s would open a block other than a
 * paragraph: a heading, quote, HTML block, bullet, fence. */
static int opens_block(const char *s)
{
	if (s[0] == '#' || s[0] == '>' || s[0] == '<')
		return 1;
	if ((s[0] == '-' || s[0] == '+' || s[0] == '*') && (s[1] == ' ' || s[1] == '\0'))
		return 1;
	return strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0;
}

/* Append a choice's text as Markdown for draw_wrapped(). A profile
 * question's choices are function names, shown literally; an authored
 * choice is inline Markdown, kept from opening a block (a list, quote,
 * heading, fence or code block) by escaping how it starts. */
static void choice_md(const struct pf_quiz_question *qq, const char *text, struct pf_buf *out)
{
	size_t k = 0;

	if (qq->type == PF_QUIZ_PROFILE) {
		literal_md(text, out);
		return;
	}
	while (*text == ' ' || *text == '\t')
		text++;
	while (k < 9 && isdigit((unsigned char)text[k]))
		k++;
	if (k && (text[k] == '.' || text[k] == ')')) { /* "1. x": not a list */
		pf_buf_append(out, text, k);
		text += k;
	} else if (!opens_block(text)) {
		pf_buf_puts(out, text);
		return;
	}
	pf_buf_putc(out, '\\');
	pf_buf_puts(out, text);
}

static void draw_header(const struct pf_quiz *q, size_t i, const char *mode)
{
	char line[256];

	pf_fmt(line, sizeof(line), "%s - question %zu of %zu%s", q->title, i + 1, q->n, mode);
	pf_term_put(0, 0, COLS - 1, line, A_BOLD);
}

static void draw_help(const char *text)
{
	pf_term_put(LINES - 1, 0, COLS - 1, text, A_DIM);
}

/* The question, its choices or input line; returns the next free row. */
static int draw_question(const struct pf_quiz *q, size_t i, const struct answer_state *st,
			 int interactive)
{
	const struct pf_quiz_question *qq = &q->q[i];
	enum pf_quiz_type t = pf_quiz_answer_type(qq);
	int y, k;
	char line[512];

	y = draw_wrapped(2, 2, NULL, qq->text, A_BOLD);
	if (qq->profile_used) {
		struct pf_buf b = PF_BUF_INIT;

		pf_buf_puts(&b, "(graded against ");
		literal_md(qq->profile_used, &b);
		pf_buf_putc(&b, ')');
		y = draw_wrapped(y, 2, NULL, b.data, A_DIM);
		pf_buf_release(&b);
	}
	y++;
	if (t == PF_QUIZ_NUMBER || t == PF_QUIZ_TEXT) {
		pf_fmt(line, sizeof(line), "Your answer: %s", st->input);
		mvaddnstr(y, 4, line, COLS - 6);
		if (interactive) {
			curs_set(1);
			move(y, 4 + 13 + (int)st->len);
		}
		return y + 2;
	}
	curs_set(0);
	for (k = 0; k < qq->nchoices && y < LINES - 2; k++) {
		int c = t == PF_QUIZ_ORDER ? st->order[k] : k;
		int sel = interactive && k == st->cursor;
		const char *box = "";
		struct pf_buf md = PF_BUF_INIT;

		if (t == PF_QUIZ_MULTIPLE)
			box = st->mask & (1u << k) ? "[x] " : "[ ] ";
		if (t == PF_QUIZ_ORDER)
			pf_fmt(line, sizeof(line), "%s%d. %c) ", sel ? "> " : "  ", k + 1, 'a' + c);
		else
			pf_fmt(line, sizeof(line), "%s%s%c) ", sel ? "> " : "  ", box, 'a' + c);
		choice_md(qq, qq->choices[c], &md);
		y = draw_wrapped(y, 2, line, md.data,
				 !sel ? 0 : st->grabbed ? A_REVERSE | A_BOLD : A_REVERSE);
		pf_buf_release(&md);
	}
	return y + 1;
}

/* The answer line the current state stands for. */
static void answer_line(const struct pf_quiz_question *qq, const struct answer_state *st,
			char *out, size_t sz)
{
	enum pf_quiz_type t = pf_quiz_answer_type(qq);
	struct pf_buf b = PF_BUF_INIT;
	int k;

	switch (t) {
	case PF_QUIZ_SINGLE:
		pf_buf_putc(&b, 'a' + st->cursor);
		break;
	case PF_QUIZ_MULTIPLE:
		for (k = 0; k < qq->nchoices; k++)
			if (st->mask & (1u << k))
				pf_buf_printf(&b, "%s%c", b.len ? "," : "", 'a' + k);
		break;
	case PF_QUIZ_ORDER:
		for (k = 0; k < qq->nchoices; k++)
			pf_buf_printf(&b, "%s%c", k ? "," : "", 'a' + st->order[k]);
		break;
	default:
		pf_buf_puts(&b, st->input);
		break;
	}
	pf_fmt(out, sz, "%s", b.data);
	pf_buf_release(&b);
}

static const char *help_for(enum pf_quiz_type t, int grabbed)
{
	switch (t) {
	case PF_QUIZ_SINGLE:
		return "a-z or arrows choose  Enter answer  q quit";
	case PF_QUIZ_MULTIPLE:
		return "a-z or Space toggle  arrows move  Enter answer  q quit";
	case PF_QUIZ_ORDER:
		return grabbed ? "arrows move the item  Space drop it  Enter answer"
			       : "arrows select  Space pick up the item to move it  Enter answer  q quit";
	default:
		return "type your answer  Backspace erase  Enter answer  Esc quit";
	}
}

/* Ask question i until it gets a well-formed answer; fills v, the answer
 * line ans (of ANS_MAX bytes) and the final state st. */
#define ANS_MAX (INPUT_MAX + 64)
static int ask(const struct pf_quiz *q, size_t i, const char *mode, struct pf_quiz_verdict *v,
	       char *ans, struct answer_state *stp)
{
	const struct pf_quiz_question *qq = &q->q[i];
	enum pf_quiz_type t = pf_quiz_answer_type(qq);
	struct answer_state st;
	int k, ch, y;

	memset(&st, 0, sizeof(st));
	for (k = 0; k < qq->nchoices; k++)
		st.order[k] = k;
	for (;;) {
		erase();
		draw_header(q, i, mode);
		y = draw_question(q, i, &st, 1);
		if (st.status[0]) {
			pf_term_put(y, 2, COLS - 4, st.status, A_BOLD);
		}
		draw_help(help_for(t, st.grabbed));
		if (t == PF_QUIZ_NUMBER || t == PF_QUIZ_TEXT)
			draw_question(q, i, &st, 1); /* leaves the cursor on the input */
		refresh();
		ch = getch();
		st.status[0] = '\0';
		if (ch == KEY_ESC || ((ch == 'q' || ch == 'Q') && t != PF_QUIZ_NUMBER &&
				      t != PF_QUIZ_TEXT && !st.grabbed)) {
			curs_set(0);
			return ST_QUIT;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			if (t == PF_QUIZ_ORDER && st.grabbed) {
				st.grabbed = 0;
				continue;
			}
			if (t == PF_QUIZ_MULTIPLE && st.mask == 0) {
				pf_fmt(st.status, sizeof(st.status), "Choose at least one answer.");
				continue;
			}
			if ((t == PF_QUIZ_NUMBER || t == PF_QUIZ_TEXT) && st.len == 0) {
				pf_fmt(st.status, sizeof(st.status), "Type an answer first.");
				continue;
			}
			{
				struct pf_err err = { 0 };

				answer_line(qq, &st, ans, ANS_MAX);
				if (pf_quiz_grade(q, i, ans, v, &err) < 0) {
					pf_fmt(st.status, sizeof(st.status), "%s", err.msg);
					continue;
				}
			}
			curs_set(0);
			*stp = st;
			return ST_ANSWERED;
		}
		if (t == PF_QUIZ_NUMBER || t == PF_QUIZ_TEXT) {
			if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && st.len > 0)
				st.input[--st.len] = '\0';
			else if (ch >= 32 && ch < 127 && st.len < INPUT_MAX) {
				st.input[st.len++] = (char)ch;
				st.input[st.len] = '\0';
			}
			continue;
		}
		if (ch == KEY_UP || ch == 'k' || ch == KEY_DOWN || ch == 'j') {
			int d = (ch == KEY_UP || ch == 'k') ? -1 : 1;
			int to = st.cursor + d;

			if (to < 0 || to >= qq->nchoices)
				continue;
			if (t == PF_QUIZ_ORDER && st.grabbed) {
				int tmp = st.order[st.cursor];

				st.order[st.cursor] = st.order[to];
				st.order[to] = tmp;
			}
			st.cursor = to;
			continue;
		}
		if (ch == ' ') {
			if (t == PF_QUIZ_MULTIPLE)
				st.mask ^= 1u << st.cursor;
			else if (t == PF_QUIZ_ORDER)
				st.grabbed = !st.grabbed;
			continue;
		}
		if (ch >= 'a' && ch < 'a' + qq->nchoices && ch <= 'z' &&
		    !(ch == 'j' || ch == 'k')) {
			if (t == PF_QUIZ_SINGLE) {
				st.cursor = ch - 'a';
			} else if (t == PF_QUIZ_MULTIPLE) {
				st.mask ^= 1u << (ch - 'a');
				st.cursor = ch - 'a';
			} else if (t == PF_QUIZ_ORDER && !st.grabbed) {
				for (k = 0; k < qq->nchoices; k++)
					if (st.order[k] == ch - 'a')
						st.cursor = k;
			}
		}
	}
}

/* Draw the verdict and the explanation. */
static void draw_feedback(const struct pf_quiz *q, size_t i, const char *mode,
			  const struct pf_quiz_verdict *v, const char *ans,
			  const struct answer_state *st)
{
	const struct pf_quiz_question *qq = &q->q[i];
	enum pf_quiz_type t = pf_quiz_answer_type(qq);
	struct pf_buf b = PF_BUF_INIT;
	char line[700];
	int y;

	erase();
	draw_header(q, i, mode);
	y = draw_question(q, i, st, 0);
	if (t != PF_QUIZ_NUMBER && t != PF_QUIZ_TEXT) {
		pf_fmt(line, sizeof(line), "Your answer: %s", ans);
		mvaddnstr(y - 1, 4, line, COLS - 6);
		y++;
	}
	/* a profile question's answer is a function name, not Markdown */
	if (v->correct)
		pf_buf_puts(&b, "Right!");
	else if (qq->type == PF_QUIZ_PROFILE) {
		pf_buf_puts(&b, "Wrong. The answer: ");
		literal_md(v->expected, &b);
	} else {
		pf_buf_printf(&b, "Wrong. The answer: %s", v->expected);
	}
	y = draw_wrapped(y, 2, NULL, b.data, A_BOLD);
	pf_buf_release(&b);
	draw_wrapped(y + 1, 2, NULL, qq->explanation, 0);
	draw_help("any key: next question  q quit");
	refresh();
}

/* The verdict and the explanation until a key is pressed: a resize draws
 * them again, a mouse event (a click, the wheel) is no key. 0, or
 * ST_QUIT. */
static int feedback(const struct pf_quiz *q, size_t i, const char *mode,
		    const struct pf_quiz_verdict *v, const char *ans, const struct answer_state *st)
{
	int ch;

	for (;;) {
		draw_feedback(q, i, mode, v, ans, st);
		ch = getch();
		if (ch == KEY_MOUSE) {
			MEVENT ev;

			(void)getmouse(&ev);
			continue;
		}
		if (ch != KEY_RESIZE)
			break;
	}
	return ch == 'q' || ch == 'Q' || ch == KEY_ESC ? ST_QUIT : 0;
}

/* Ask the questions in idx[0..n); marks right[i]; returns how many were
 * answered (n unless the learner quit). */
static size_t pass(const struct pf_quiz *q, const size_t *idx, size_t n, const char *mode,
		   int *right)
{
	struct pf_quiz_verdict v;
	struct answer_state st;
	char ans[ANS_MAX];
	size_t k;

	for (k = 0; k < n; k++) {
		if (ask(q, idx[k], mode, &v, ans, &st) == ST_QUIT)
			return k;
		right[idx[k]] = v.correct;
		if (feedback(q, idx[k], mode, &v, ans, &st) == ST_QUIT)
			return k + 1;
	}
	return n;
}

/* The end screen; returns 'r' to retry the missed questions, else 0. */
static int summary(const struct pf_quiz *q, const struct pf_quiz_view_result *res,
		   size_t missed, int retry_round, int retry_right, size_t retry_n)
{
	char line[256];
	int ch, y = 2;

	for (;;) {
		erase();
		pf_term_put(0, 0, COLS - 1, q->title, A_BOLD);
		attron(A_BOLD);
		pf_fmt(line, sizeof(line), "Your score: %d/%d (%.0f%%)", res->score, res->total,
		       100.0 * res->score / res->total);
		mvaddnstr(y, 2, line, COLS - 4);
		attroff(A_BOLD);
		if (retry_round) {
			pf_fmt(line, sizeof(line), "Retry: %d of %zu right this time.", retry_right,
			       retry_n);
			mvaddnstr(y + 1, 2, line, COLS - 4);
		}
		if (missed)
			pf_fmt(line, sizeof(line), "%zu question%s still missed.", missed,
			       missed == 1 ? "" : "s");
		else
			pf_fmt(line, sizeof(line), "Every question answered right.");
		mvaddnstr(y + 3, 2, line, COLS - 4);
		if (res->warning[0])
			pf_term_put(y + 5, 2, COLS - 4, res->warning, A_NORMAL);
		draw_help(missed ? "r retry the missed questions  q quit" : "q quit");
		refresh();
		ch = getch();
		if (missed && (ch == 'r' || ch == 'R'))
			return 'r';
		if (ch == 'q' || ch == 'Q' || ch == KEY_ESC || ch == '\n')
			return 0;
	}
}

int pf_quiz_view_run(struct pf_quiz *q, struct pf_quiz_view_result *res, struct pf_err *err)
{
	size_t *idx = NULL, n, k, done;
	int *right = NULL, rc = 0, round = 0, retry_right = 0;
	size_t retry_n = 0;

	memset(res, 0, sizeof(*res));
	res->total = (int)q->n;
	if (q->n == 0)
		return pf_err_set(err, PF_EFAIL, "%s: no questions", q->path);
	for (k = 0; k < q->n; k++)
		if (q->q[k].type == PF_QUIZ_PROFILE && !q->q[k].resolved)
			break;
	if (k < q->n && pf_quiz_resolve_profiles(q, err) < 0)
		return err ? err->code : PF_EFAIL;
	idx = calloc(q->n, sizeof(*idx));
	right = calloc(q->n, sizeof(*right));
	if (!idx || !right) {
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
		goto out;
	}
	for (k = 0; k < q->n; k++)
		idx[k] = k;
	n = q->n;
	done = pass(q, idx, n, "", right);
	if (done < n)
		goto out;
	res->finished = 1;
	for (k = 0; k < q->n; k++)
		res->score += right[k];
	{
		struct pf_err perr = { 0 };
		const char *w;

		if (q->number > 0 &&
		    pf_progress_record_quiz(q->number, res->score, res->total, &perr) < 0) {
			pf_fmt(res->warning, sizeof(res->warning), "Progress not saved: %s",
			       perr.msg);
			res->not_saved = 1;
		}
		w = pf_progress_take_warning();
		if (w && !res->warning[0])
			pf_fmt(res->warning, sizeof(res->warning), "Warning: %s", w);
	}
	for (;;) {
		n = 0;
		for (k = 0; k < q->n; k++)
			if (!right[k])
				idx[n++] = k;
		if (summary(q, res, n, round, retry_right, retry_n) != 'r')
			break;
		round++;
		retry_n = n;
		done = pass(q, idx, n, " (retry)", right);
		retry_right = 0;
		for (k = 0; k < done; k++)
			retry_right += right[idx[k]];
	}
out:
	free(idx);
	free(right);
	return rc;
}

int pf_quiz_view_standalone(struct pf_quiz *q, double pass_mark)
{
	struct pf_quiz_view_result res;
	struct pf_err err = { 0 };
	int rc;

	if (pf_term_start(&err) < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	rc = pf_quiz_view_run(q, &res, &err);
	pf_term_stop();
	if (rc < 0) {
		fprintf(stderr, "proflab quiz: %s\n", err.msg);
		return 1;
	}
	if (res.warning[0])
		fprintf(stderr, "proflab quiz: %s\n", res.warning);
	if (!res.finished) {
		printf("quiz left before the end: nothing recorded\n");
		return 1;
	}
	printf("score: %d/%d\n", res.score, res.total);
	if (res.not_saved)
		return 1;
	return 100.0 * res.score >= pass_mark * res.total ? 0 : 1;
}
