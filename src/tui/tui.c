/*
 * tui.c - the course TUI (tui.h): a contents pane (chapters with their
 * exercises and quiz, and progress marks) beside a main pane that shows a
 * chapter, an exercise with its results, or a quiz.
 *
 * Everything the main pane shows is Markdown laid out by the one layout
 * engine (doc.h): a chapter's file, or a page put together here for an
 * exercise (its README, then the latest run, check or hint as sections).
 * The actions call the course's functions (exercise.h, report.h, quiz.h),
 * the same ones the CLI commands call. The interactive flame graph and the
 * quiz view belong to their own modules; they are linked weakly so that a
 * build without one says "not available yet" instead of failing.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "../base/buf.h"
#include "../base/paths.h"
#include "../base/str.h"
#include "../course/doc.h"
#include "../course/exercise.h"
#include "../course/lessons.h"
#include "../course/progress.h"
#include "../course/quiz.h"
#include "../pprof/flame.h"
#include "../pprof/profile.h"
#include "../pprof/report.h"
#include "flame_view.h"
#include "quiz_view.h"
#include "term.h"

/* Pieces built elsewhere that may not be linked into this build yet. */
#pragma weak pf_flame_view_embed
#pragma weak pf_quiz_view_run

enum { MIN_COLS = 80, MIN_ROWS = 24, CONTENTS_W = 30 };

enum item_kind { IT_CHAPTER, IT_EXERCISE, IT_QUIZ };

struct item {
	enum item_kind kind;
	int number;       /* chapter, exercise or quiz number */
	size_t lesson;    /* index into lessons (IT_CHAPTER) */
	char slug[64];    /* exercise slug */
	char path[4096];  /* quiz file */
};

struct app {
	struct pf_lessons ls;
	struct pf_exercise_list ex;
	int have_ex;
	char ex_error[256];
	struct pf_quiz_list qz;
	int have_qz;
	struct pf_progress pr;
	int have_pr;
	struct item *items;
	size_t nitems;
	size_t sel, ctop;
	size_t shown; /* the item in the main pane; NO_ITEM before the first */
	int focus; /* 0 contents, 1 main */
	struct pf_doc doc;
	struct pf_buf md;     /* Markdown of the main pane */
	struct pf_buf result; /* Markdown of the latest action on the exercise shown */
	size_t top;
	char search[128];
	long match_line;
	size_t match_off, match_len;
	char status[256];
	int ascii;
	int help;
	int quit;
	char saved_pos[128]; /* the position last written to the progress store */
	double saved_at;     /* when (monotonic seconds) */
};

/* a->shown before anything is shown */
static const size_t NO_ITEM = (size_t)-1;

/* Position saves are throttled to one per this many seconds. */
static const double SAVE_INTERVAL = 1.0;

/* ---- building the contents ---- */

static int add_item(struct app *a, const struct item *it)
{
	struct item *n = realloc(a->items, (a->nitems + 1) * sizeof(*n));

	if (!n)
		return -1;
	a->items = n;
	a->items[a->nitems++] = *it;
	return 0;
}

static const struct pf_exercise_entry *find_ex(const struct app *a, int number)
{
	size_t i;

	for (i = 0; a->have_ex && i < a->ex.n; i++)
		if (a->ex.items[i].number == number)
			return &a->ex.items[i];
	return NULL;
}

static const struct pf_exercise_entry *find_ex_slug(const struct app *a, const char *slug)
{
	size_t i;

	for (i = 0; a->have_ex && i < a->ex.n; i++)
		if (strcmp(a->ex.items[i].slug, slug) == 0)
			return &a->ex.items[i];
	return NULL;
}

static int build_items(struct app *a)
{
	char *used = a->have_ex && a->ex.n ? calloc(a->ex.n, 1) : NULL;
	size_t i, j, k;
	int nums[32];

	for (i = 0; i < a->ls.n; i++) {
		struct item it = { .kind = IT_CHAPTER, .number = a->ls.items[i].number, .lesson = i };
		size_t nref = pf_lessons_exercise_refs(&a->ls.items[i], nums, 32);

		if (add_item(a, &it) < 0)
			goto oom;
		for (j = 0; j < nref; j++) {
			const struct pf_exercise_entry *e = find_ex(a, nums[j]);
			struct item ei = { .kind = IT_EXERCISE, .number = nums[j], .lesson = i };

			/* an exercise sits under the first chapter naming it */
			if (!e || (used && used[e - a->ex.items]))
				continue;
			pf_fmt(ei.slug, sizeof(ei.slug), "%s", e->slug);
			if (add_item(a, &ei) < 0)
				goto oom;
			if (used)
				used[e - a->ex.items] = 1;
		}
		for (k = 0; a->have_qz && k < a->qz.n; k++) {
			if (a->qz.items[k].number != a->ls.items[i].number)
				continue;
			struct item qi = { .kind = IT_QUIZ, .number = a->qz.items[k].number, .lesson = i };

			pf_fmt(qi.path, sizeof(qi.path), "%s", a->qz.items[k].path);
			if (add_item(a, &qi) < 0)
				goto oom;
		}
	}
	/* Exercises no chapter mentions still get a place, at the end. */
	for (k = 0; a->have_ex && k < a->ex.n; k++) {
		struct item ei = { .kind = IT_EXERCISE, .number = a->ex.items[k].number,
				   .lesson = (size_t)-1 };

		if (used && used[k])
			continue;
		pf_fmt(ei.slug, sizeof(ei.slug), "%s", a->ex.items[k].slug);
		if (add_item(a, &ei) < 0)
			goto oom;
	}
	free(used);
	return 0;
oom:
	free(used);
	return -1;
}

static void reload_state(struct app *a)
{
	struct pf_err err = { 0 };

	if (a->have_pr)
		pf_progress_release(&a->pr);
	a->have_pr = pf_progress_load(&a->pr, &err) == 0;
	(void)pf_progress_take_warning();
	if (a->have_ex)
		pf_exercise_list_release(&a->ex);
	a->have_ex = pf_exercise_list(&a->ex, &err) == 0;
	if (!a->have_ex)
		pf_fmt(a->ex_error, sizeof(a->ex_error), "%s", err.msg);
}

/* ---- the main pane ---- */

static int main_x(void)
{
	return CONTENTS_W + 1;
}

static int main_w(void)
{
	return COLS - main_x() - 1;
}

static int main_h(void)
{
	return LINES - 2;
}

static void set_status(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_status(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
}

/* Scroll the main pane by d lines, within the document: its last line
 * stays at the bottom of the pane at most. */
static void scroll_by(struct app *a, long d)
{
	long max = (long)a->doc.nlines - main_h();
	long t = (long)a->top + d;

	if (max < 0)
		max = 0;
	if (t > max)
		t = max;
	if (t < 0)
		t = 0;
	a->top = (size_t)t;
}

static void layout(struct app *a)
{
	struct pf_err err = { 0 };

	pf_doc_release(&a->doc);
	if (pf_doc_layout(&a->doc, a->md.data, a->md.len, main_w(), a->ascii ? PF_DOC_ASCII : 0,
			  &err) < 0)
		set_status(a, "%s", err.msg);
	scroll_by(a, 0);
}

static void exercise_page(struct app *a, const struct item *it)
{
	const struct pf_exercise_entry *e = find_ex_slug(a, it->slug);
	char readme[4096];

	if (!e) {
		pf_buf_printf(&a->md, "# Exercise %02d\n\nThe exercises are not available: %s\n",
			      it->number, a->ex_error[0] ? a->ex_error : "unknown exercise");
		return;
	}
	pf_buf_printf(&a->md, "# Exercise %s\n\n", e->slug);
	pf_buf_printf(&a->md, "**%s** — status: **%s**", e->title, pf_exercise_status_name(e->status));
	if (e->gain[0])
		pf_buf_printf(&a->md, " (%s)", e->gain);
	if (e->hints_total)
		pf_buf_printf(&a->md, "; hints shown: %u of %u", e->hints_shown, e->hints_total);
	pf_buf_printf(&a->md, ".\n\nKeys: **r** run · **e** edit the source · **c** check the fix · "
			      "**h** next hint · **t** top · **l** list · **f** flame graph\n\n"
			      "Your copy is in `%s/exercises/%s`.\n\n",
		      pf_exercise_workspace(), e->slug);
	if (a->result.len) {
		pf_buf_append(&a->md, a->result.data, a->result.len);
		pf_buf_puts(&a->md, "\n\n---\n\n");
	}
	pf_fmt(readme, sizeof(readme), "%s/exercises/%s/README.md", pf_paths_datadir(), e->slug);
	if (pf_buf_read_file(&a->md, readme) < 0)
		pf_buf_printf(&a->md, "(no README.md in this exercise)\n");
}

static void quiz_page(struct app *a, const struct item *it)
{
	const struct pf_progress_quiz *q = a->have_pr ? pf_progress_find_quiz(&a->pr, it->number) : NULL;
	struct pf_quiz quiz;
	struct pf_err err = { 0 };

	memset(&quiz, 0, sizeof(quiz));
	if (pf_quiz_load(&quiz, it->path, &err) < 0) {
		pf_buf_printf(&a->md, "# Quiz %d\n\nThis quiz cannot be read: %s\n", it->number, err.msg);
		return;
	}
	pf_buf_printf(&a->md, "# Quiz: %s\n\n%zu questions on chapter %d.", quiz.title, quiz.n,
		      it->number);
	if (q)
		pf_buf_printf(&a->md, " Your best score: **%d/%d** (%d attempt%s).", q->best, q->total,
			      q->attempts, q->attempts == 1 ? "" : "s");
	if (pf_quiz_view_run)
		pf_buf_printf(&a->md, "\n\nPress **Enter** to take it.\n");
	else
		pf_buf_printf(&a->md, "\n\nTaking a quiz inside the course is not available yet "
				      "in this build; run `proflab quiz %d` in a shell.\n",
			      it->number);
	pf_quiz_release(&quiz);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int position_text(const struct app *a, char *pos, size_t size)
{
	const struct item *it;

	if (a->shown >= a->nitems)
		return -1;
	it = &a->items[a->shown];
	if (it->kind == IT_CHAPTER)
		pf_fmt(pos, size, "lesson:%d:%zu", it->number,
		       a->doc.nlines ? a->top * 10000 / a->doc.nlines : 0);
	else if (it->kind == IT_EXERCISE)
		pf_fmt(pos, size, "exercise:%s", it->slug);
	else
		pf_fmt(pos, size, "quiz:%d", it->number);
	return 0;
}

/*
 * Write the position to the progress store when it changed: at once with
 * force, else at most once per SAVE_INTERVAL. Returns 1 when a changed
 * position is still waiting to be written.
 */
static int position_sync(struct app *a, int force)
{
	char pos[128];
	double t = now_seconds();

	if (position_text(a, pos, sizeof(pos)) < 0 || strcmp(pos, a->saved_pos) == 0)
		return 0;
	if (!force && t - a->saved_at < SAVE_INTERVAL)
		return 1;
	if (pf_progress_set_position(pos, NULL) == 0)
		pf_fmt(a->saved_pos, sizeof(a->saved_pos), "%s", pos);
	a->saved_at = t;
	return 0;
}

static void position_save(struct app *a)
{
	position_sync(a, 1);
}

static void show(struct app *a, size_t idx, int keep_result)
{
	const struct item *it = &a->items[idx];

	/* Leaving a page saves where it was left; the first page shown
	 * leaves nothing (saving then would overwrite the position being
	 * resumed with chapter 1's). */
	if (idx != a->shown)
		position_save(a);
	if (!keep_result || idx != a->shown)
		pf_buf_truncate(&a->result, 0);
	pf_buf_truncate(&a->md, 0);
	if (idx != a->shown)
		a->top = 0;
	a->shown = idx;
	a->match_line = -1;
	if (it->kind == IT_CHAPTER) {
		if (pf_buf_read_file(&a->md, a->ls.items[it->lesson].path) < 0)
			pf_buf_printf(&a->md, "# Chapter %d\n\n%s: %s\n", it->number,
				      a->ls.items[it->lesson].path, strerror(errno));
	} else if (it->kind == IT_EXERCISE) {
		exercise_page(a, it);
	} else {
		quiz_page(a, it);
	}
	layout(a);
}

/*
 * The exercise page again after an action, with the action's result in
 * view: its first `##` heading (the page's own header has none) stays
 * where it is when it is in the upper half of the pane, else goes to the
 * top, so that a new hint or table is never above or below the view.
 */
static void show_result(struct app *a)
{
	size_t i, line;

	show(a, a->shown, 1);
	if (!a->result.len)
		return;
	for (i = 0; i < a->doc.nheadings; i++)
		if (a->doc.headings[i].level == 2)
			break;
	if (i == a->doc.nheadings)
		return;
	line = a->doc.headings[i].line;
	if (line < a->top || line >= a->top + (size_t)(main_h() / 2))
		a->top = line;
	scroll_by(a, 0);
}

/* ---- drawing ---- */

static void item_label(const struct app *a, const struct item *it, char *dst, size_t size)
{
	const char *ok = a->ascii ? "*" : "✓", *bad = a->ascii ? "x" : "✗";

	if (it->kind == IT_CHAPTER) {
		int read = a->have_pr && pf_progress_has_read(&a->pr, it->number);

		pf_fmt(dst, size, "%s%d %s", read ? ok : " ", it->number,
		       a->ls.items[it->lesson].title);
	} else if (it->kind == IT_EXERCISE) {
		const struct pf_exercise_entry *e = find_ex_slug(a, it->slug);
		const char *m = " ";

		if (e && e->status == PF_EX_PASSED)
			m = ok;
		else if (e && e->status == PF_EX_FAILED)
			m = bad;
		pf_fmt(dst, size, "   %s exercise %s", m, it->slug);
	} else {
		const struct pf_progress_quiz *q = a->have_pr ? pf_progress_find_quiz(&a->pr, it->number) : NULL;

		if (q)
			pf_fmt(dst, size, "   %s quiz %d/%d", q->best * 5 >= q->total * 4 ? ok : " ",
			       q->best, q->total);
		else
			pf_fmt(dst, size, "     quiz");
	}
}

/* The help overlay: every key on_key() handles, in a box sized to the
 * text (and clipped to the screen when the screen is smaller). */
static void draw_help(void)
{
	static const char *const lines[] = {
		"Keys",
		"",
		"j k, Down Up       move in the contents / scroll the page a line",
		"Enter Right l      open the selected item in the page",
		"Space PgDn Ctrl-F  a page down",
		"b PgUp Ctrl-B      a page up",
		"d u                half a page down / up in the page",
		"g G, Home End      first / last item, top / bottom of the page",
		"/ n N              search, next match, previous match",
		"Tab Shift-Tab      switch between contents and page",
		"Esc Left           from the page back to the contents",
		"mouse              the wheel scrolls, a click selects",
		"",
		"On an exercise:    r run   e edit   c check   h hint",
		"                   t top   l list   f flame graph",
		"On a quiz:         Enter takes it",
		"",
		"?  this help       q  quit (you resume here next time)",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0])), tw = 0, w, h, y, x, i;

	for (i = 0; i < n; i++) {
		int lw = pf_doc_strwidth(lines[i], strlen(lines[i]));

		tw = lw > tw ? lw : tw;
	}
	w = tw + 6 < COLS ? tw + 6 : COLS;
	h = n + 4 < LINES ? n + 4 : LINES;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	attron(A_BOLD);
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attroff(A_BOLD);
	for (i = 0; i < n && i < h - 4; i++)
		pf_term_put(y + 2 + i, x + 3, w - 6, lines[i], i == 0 ? A_BOLD : A_NORMAL);
}

/* s from the top left of the screen, wrapped between words at the
 * screen's width (for a screen too small for the layout engine). */
static void put_words(const char *s, unsigned long attr)
{
	struct pf_buf line = PF_BUF_INIT;
	int y = 0;

	while (*s && y < LINES) {
		size_t n = strcspn(s, " ");
		int lw = pf_doc_strwidth(line.data, line.len);

		if (line.len && lw + 1 + pf_doc_strwidth(s, n) > COLS) {
			pf_term_put(y++, 0, COLS, line.data, attr);
			pf_buf_truncate(&line, 0);
		}
		if (line.len)
			pf_buf_putc(&line, ' ');
		pf_buf_append(&line, s, n);
		s += n;
		s += strspn(s, " ");
	}
	if (line.len && y < LINES)
		pf_term_put(y, 0, COLS, line.data, attr);
	pf_buf_release(&line);
}

static void draw(struct app *a)
{
	int h = main_h(), y, x = main_x(), w = main_w();
	size_t i;
	char buf[512];

	erase();
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		pf_fmt(buf, sizeof(buf), "Too small: %dx%d. proflab needs %dx%d. Enlarge the "
					 "window or press q.", COLS, LINES, MIN_COLS, MIN_ROWS);
		put_words(buf, A_BOLD);
		refresh();
		return;
	}
	/* title bar */
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	attroff(A_REVERSE);
	if (a->shown < a->nitems) {
		const struct item *it = &a->items[a->shown];

		if (it->kind == IT_CHAPTER)
			pf_fmt(buf, sizeof(buf), " proflab  %d. %s", it->number,
			       a->ls.items[it->lesson].title);
		else if (it->kind == IT_EXERCISE)
			pf_fmt(buf, sizeof(buf), " proflab  exercise %s", it->slug);
		else
			pf_fmt(buf, sizeof(buf), " proflab  quiz %d", it->number);
	} else {
		pf_fmt(buf, sizeof(buf), " proflab");
	}
	pf_term_put(0, 0, COLS - 12, buf, A_REVERSE | A_BOLD);
	if (a->doc.nlines) {
		size_t end = a->top + (size_t)h;

		pf_fmt(buf, sizeof(buf), "%3zu%% ", end >= a->doc.nlines ? 100 : end * 100 / a->doc.nlines);
		pf_term_put(0, COLS - 6, 6, buf, A_REVERSE);
	}
	/* contents */
	if (a->sel < a->ctop)
		a->ctop = a->sel;
	if (a->sel >= a->ctop + (size_t)h)
		a->ctop = a->sel - (size_t)h + 1;
	for (i = a->ctop, y = 1; i < a->nitems && y <= h; i++, y++) {
		unsigned long at = A_NORMAL;

		item_label(a, &a->items[i], buf, sizeof(buf));
		if (i == a->sel)
			at = a->focus == 0 ? A_REVERSE : A_UNDERLINE;
		if (a->items[i].kind == IT_CHAPTER)
			at |= A_BOLD;
		move(y, 0);
		hline(' ', CONTENTS_W);
		pf_term_put(y, 0, CONTENTS_W, buf, at);
	}
	if (a->nitems == 0)
		pf_term_put(1, 1, CONTENTS_W - 1, "(no chapters installed)", A_NORMAL);
	mvvline(1, CONTENTS_W, a->ascii ? '|' : ACS_VLINE, h);
	/* main pane */
	for (y = 0; y < h; y++) {
		size_t li = a->top + (size_t)y;
		int hit = a->match_line >= 0 && (size_t)a->match_line == li;

		pf_term_draw_line(&a->doc, li, 1 + y, x, w, hit ? a->match_off : 0,
				  hit ? a->match_len : 0);
	}
	/* status line */
	if (a->status[0])
		pf_term_put(LINES - 1, 0, COLS, a->status, A_BOLD);
	else
		pf_term_put(LINES - 1, 0, COLS,
			    a->focus == 0 ? "j/k choose  Enter open  Tab page  / search  ? help  q quit"
					  : "j/k scroll  Space/b page  g/G ends  / search  Tab contents  ? help  q quit",
			    A_DIM);
	if (a->help)
		draw_help();
	refresh();
}

/* ---- search ---- */

static int find_in_line(const struct app *a, size_t i, size_t *off)
{
	struct pf_buf t = PF_BUF_INIT;
	const char *hit = NULL;

	pf_doc_line_text(&a->doc, i, &t);
	if (a->search[0])
		hit = strcasestr(t.data, a->search);
	if (hit)
		*off = (size_t)(hit - t.data);
	pf_buf_release(&t);
	return hit != NULL;
}

/* Find the next (dir 1) or previous (-1) match from line `from`. */
static void search_step(struct app *a, long from, int dir)
{
	long n = (long)a->doc.nlines, i, k;
	size_t off;

	if (!a->search[0] || n == 0)
		return;
	for (k = 0; k < n; k++) {
		i = ((from + dir * k) % n + n) % n;
		if (find_in_line(a, (size_t)i, &off)) {
			a->match_line = i;
			a->match_off = off;
			a->match_len = strlen(a->search);
			if ((size_t)i < a->top || (size_t)i >= a->top + (size_t)main_h())
				a->top = (size_t)i > 2 ? (size_t)i - 2 : 0;
			set_status(a, "/%s", a->search);
			return;
		}
	}
	a->match_line = -1;
	set_status(a, "Pattern not found: %s", a->search);
}

static void prompt_search(struct app *a)
{
	char buf[128];
	size_t n = 0;
	int ch;

	buf[0] = '\0';
	for (;;) {
		move(LINES - 1, 0);
		clrtoeol();
		pf_term_put(LINES - 1, 0, COLS, "/", A_BOLD);
		pf_term_put(LINES - 1, 1, COLS - 1, buf, A_NORMAL);
		curs_set(1);
		refresh();
		ch = getch();
		if (ch == ERR && pf_term_pending_signal()) {
			curs_set(0);
			return;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			break;
		if (ch == 27) {
			curs_set(0);
			a->status[0] = '\0';
			return;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0) {
			while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
				n--;
			if (n > 0)
				n--;
			buf[n] = '\0';
		} else if (ch >= 32 && ch < 256 && n + 1 < sizeof(buf)) {
			buf[n++] = (char)ch;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	if (n)
		pf_fmt(a->search, sizeof(a->search), "%s", buf);
	search_step(a, (long)a->top, 1);
}

/* ---- exercise actions (the same course functions as the CLI) ---- */

static void progress_cb(void *ctx, const char *phase, double elapsed, double limit)
{
	struct app *a = ctx;
	static const char spin[] = "|/-\\";
	static unsigned tick;
	char line[256];
	int barw = 20, fill, i;

	pf_fmt(line, sizeof(line), "%c %s  %.1f s", spin[tick++ % 4], phase, elapsed);
	if (limit > 0) {
		char bar[64];

		fill = (int)(elapsed / limit * barw);
		fill = fill > barw ? barw : fill;
		for (i = 0; i < barw; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[barw] = '\0';
		pf_fmt(line + strlen(line), sizeof(line) - strlen(line), "  [%s] limit %.0f s", bar,
		       limit);
	}
	(void)a;
	if (pf_term_pending_signal())
		pf_exercise_interrupt(); /* Ctrl-C or SIGTERM: stop the child, then quit */
	move(LINES - 1, 0);
	clrtoeol();
	pf_term_put(LINES - 1, 0, COLS, line, A_BOLD);
	refresh();
}

static void append_code(struct pf_buf *md, const char *text)
{
	pf_buf_puts(md, "\n```text\n");
	pf_buf_puts(md, text);
	if (!*text || text[strlen(text) - 1] != '\n')
		pf_buf_putc(md, '\n');
	pf_buf_puts(md, "```\n");
}

/*
 * The newest CPU profile of the exercise: the last run's (cpu.pb.gz) or
 * the last check's run of the learner's version (check-cpu.pb.gz, see
 * exercise.h), whichever was written last; *from says which ("run" or
 * "check"). 0, or -1 when there is neither.
 */
static int cpu_profile_path(const struct item *it, char *dst, size_t size, const char **from)
{
	static const char *const names[] = { "cpu.pb.gz", "check-cpu.pb.gz" };
	static const char *const froms[] = { "run", "check" };
	char dir[4096], path[4200];
	struct timespec newest = { 0, 0 };
	struct stat st;
	int found = -1;
	size_t i;

	if (pf_exercise_workdir(it->slug, dir, sizeof(dir), NULL) < 0)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pf_fmt(path, sizeof(path), "%s/profiles/%s", dir, names[i]);
		if (stat(path, &st) < 0)
			continue;
		if (found < 0 || st.st_mtim.tv_sec > newest.tv_sec ||
		    (st.st_mtim.tv_sec == newest.tv_sec && st.st_mtim.tv_nsec > newest.tv_nsec)) {
			newest = st.st_mtim;
			found = (int)i;
			pf_fmt(dst, size, "%s", path);
			*from = froms[i];
		}
	}
	return found < 0 ? -1 : 0;
}

static void act_top(struct app *a, const struct item *it, int list)
{
	char path[4096];
	struct pf_err err = { 0 };
	struct pf_profile *p;
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT;
	const char *from = "";

	pf_buf_truncate(&a->result, 0);
	if (cpu_profile_path(it, path, sizeof(path), &from) < 0) {
		pf_buf_printf(&a->result, "## No profile yet\n\nPress **r** to run the exercise "
					  "under the profiler first.\n");
		set_status(a, "no profile yet: press r to run the exercise first");
		return;
	}
	p = pf_profile_read(path, &err);
	if (!p) {
		pf_buf_printf(&a->result, "## Profile\n\n%s\n", err.msg);
		set_status(a, "%s", err.msg);
		return;
	}
	pf_report_opts_init(&o);
	o.nodecount = 15;
	if (!list) {
		if (pf_report_top(p, &o, &out, &err) < 0) {
			pf_buf_printf(&a->result, "## top\n\n%s\n", err.msg);
			set_status(a, "top: %s", err.msg);
		} else {
			pf_buf_printf(&a->result, "## top of your last %s's profile\n\n"
						  "`proflab pprof -top -nodecount=15 %s`\n", from, path);
			append_code(&a->result, out.data);
			set_status(a, "top of your last %s's profile", from);
		}
	} else {
		/* list the function with the most flat time: top's first row */
		struct pf_buf t = PF_BUF_INIT;
		char fn[256] = "";
		const char *row;

		o.nodecount = 1;
		o.header = 0;
		if (pf_report_top(p, &o, &t, &err) == 0 && (row = strstr(t.data, "cum%\n"))) {
			const char *end = strchr(row + 5, '\n');
			const char *name = end ? end : row + 5 + strlen(row + 5);

			while (name > row + 5 && name[-1] != ' ')
				name--;
			pf_fmt(fn, sizeof(fn), "^%.*s$", (int)((end ? end : name + strlen(name)) - name), name);
		}
		pf_buf_release(&t);
		pf_report_opts_init(&o);
		if (!fn[0] || pf_report_list(p, fn, &o, &out, &err) < 0) {
			pf_buf_printf(&a->result, "## list\n\n%s\n", fn[0] ? err.msg : "the profile has no samples");
			set_status(a, "list: %s", fn[0] ? err.msg : "the profile has no samples");
		} else {
			pf_buf_printf(&a->result, "## list of the hottest function in your last %s's "
						  "profile\n\n`proflab pprof -list='%s' %s`\n", from, fn, path);
			append_code(&a->result, out.data);
			set_status(a, "list of the hottest function in your last %s's profile", from);
		}
	}
	pf_buf_release(&out);
	pf_profile_free(p);
}

static void act_run(struct app *a, const struct item *it)
{
	struct pf_exercise_run_result res;
	struct pf_err err = { 0 };
	int rc;

	pf_exercise_run_result_init(&res);
	rc = pf_exercise_run(it->slug, progress_cb, a, &res, &err);
	pf_buf_truncate(&a->result, 0);
	if (rc < 0) {
		pf_buf_printf(&a->result, "## Run failed\n\n%s\n", res.problem[0] ? res.problem : err.msg);
		if (res.output.len)
			append_code(&a->result, res.output.data);
	} else {
		struct pf_buf top = PF_BUF_INIT;

		act_top(a, it, 0);
		pf_buf_append(&top, a->result.data, a->result.len);
		pf_buf_truncate(&a->result, 0);
		pf_buf_printf(&a->result, "## Run\n\nFinished in %.2f s wall, %.2f s CPU; profiles in `%s`.\n\n",
			      res.wall_seconds, res.cpu_seconds, res.workdir);
		pf_buf_append(&a->result, top.data, top.len);
		pf_buf_release(&top);
	}
	pf_exercise_run_result_release(&res);
	set_status(a, "%s", rc < 0 ? "the run failed; see the page" : "run finished");
}

static void act_check(struct app *a, const struct item *it)
{
	struct pf_check_result r;
	struct pf_err err = { 0 };
	size_t i;

	pf_check_result_init(&r);
	pf_buf_truncate(&a->result, 0);
	if (pf_exercise_check(it->slug, 0, progress_cb, a, &r, &err) < 0) {
		pf_buf_printf(&a->result, "## Check\n\n%s\n", err.msg);
	} else {
		pf_buf_printf(&a->result, "## Check: %s\n\n", r.passed ? "passed" : "not yet");
		if (r.gain[0])
			pf_buf_printf(&a->result, "> **Tip:** %s.\n\n", r.gain);
		if (r.problem[0])
			pf_buf_printf(&a->result, "> **Warning:** %s\n\n", r.problem);
		if (r.ncriteria) {
			pf_buf_puts(&a->result, "| criterion | measured | wanted | result |\n|---|---|---|---|\n");
			for (i = 0; i < r.ncriteria; i++)
				pf_buf_printf(&a->result, "| %s | %s | %s | %s |\n", r.criteria[i].name,
					      r.criteria[i].measured, r.criteria[i].wanted,
					      r.criteria[i].passed ? "pass" : "fail");
		}
		if (r.log.len)
			append_code(&a->result, r.log.data);
	}
	set_status(a, "check finished: %s", r.passed ? "passed" : "not passed yet; see the page");
	pf_check_result_release(&r);
	reload_state(a);
}

static void act_hint(struct app *a, const struct item *it)
{
	char *text = NULL;
	unsigned idx = 0, total = 0;
	struct pf_err err = { 0 };

	pf_buf_truncate(&a->result, 0);
	if (pf_exercise_hint(it->slug, &text, &idx, &total, &err) < 0) {
		pf_buf_printf(&a->result, "## Hint\n\n%s\n", err.msg);
		set_status(a, "no hint: %s", err.msg);
	} else {
		pf_buf_printf(&a->result, "## Hint %u of %u\n\n%s\n", idx, total, text);
		set_status(a, "hint %u of %u%s", idx, total,
			   idx == total ? " (the last one)" : "");
	}
	free(text);
	reload_state(a);
}

static int find_source(const char *dir, char *dst, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 2 && strcmp(de->d_name + n - 2, ".c") == 0) {
			pf_fmt(dst, size, "%s/%s", dir, de->d_name);
			found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

static void act_edit(struct app *a, const struct item *it)
{
	const char *ed = getenv("VISUAL");
	char dir[4096], src[4096];
	struct pf_err err = { 0 };
	pid_t pid;
	int st = 0;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	if (pf_exercise_workdir(it->slug, dir, sizeof(dir), &err) < 0) {
		set_status(a, "%s", err.msg);
		return;
	}
	if (find_source(dir, src, sizeof(src)) < 0) {
		set_status(a, "%s: no C source to edit", dir);
		return;
	}
	pf_term_suspend();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, src, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	pf_term_resume();
	/* A Ctrl-C typed in the editor was meant for it (as with system()). */
	if (pf_term_pending_signal() == SIGINT)
		pf_term_clear_signal();
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		set_status(a, "could not run the editor '%s' (set VISUAL or EDITOR)", ed);
	else
		set_status(a, "edited %s; press c to check it", src);
	reload_state(a);
}

static void act_flame(struct app *a, const struct item *it)
{
	char path[4096], title[4200];
	struct pf_err err = { 0 };
	struct pf_profile *p;
	struct pf_flame *fg;
	const char *from = "";

	if (!pf_flame_view_embed) {
		set_status(a, "the flame graph view is not available yet in this build");
		return;
	}
	if (cpu_profile_path(it, path, sizeof(path), &from) < 0) {
		set_status(a, "no profile yet: press r to run the exercise first");
		return;
	}
	p = pf_profile_read(path, &err);
	if (!p) {
		set_status(a, "%s", err.msg);
		return;
	}
	fg = pf_flame_new(p, pf_profile_default_index(p), &err);
	if (!fg) {
		set_status(a, "%s", err.msg);
	} else {
		/* the view has its own key loop: signals act at once there */
		position_save(a);
		pf_term_defer_signals(0);
		pf_fmt(title, sizeof(title), "your last %s: %s", from, path);
		pf_flame_view_embed(fg, title, 0, 0, 0, 0);
		pf_term_defer_signals(1);
	}
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void act_quiz(struct app *a, const struct item *it)
{
	struct pf_quiz q;
	struct pf_quiz_view_result res;
	struct pf_err err = { 0 };
	int rc;

	if (!pf_quiz_view_run) {
		set_status(a, "taking a quiz here is not available yet; run proflab quiz %d", it->number);
		return;
	}
	memset(&q, 0, sizeof(q));
	memset(&res, 0, sizeof(res));
	if (pf_quiz_load(&q, it->path, &err) < 0 || pf_quiz_resolve_profiles(&q, &err) < 0) {
		set_status(a, "%s", err.msg);
		pf_quiz_release(&q);
		return;
	}
	position_save(a);
	pf_term_defer_signals(0); /* the view has its own key loop */
	rc = pf_quiz_view_run(&q, &res, &err);
	pf_term_defer_signals(1);
	if (rc < 0)
		set_status(a, "%s", err.msg);
	else if (res.finished)
		set_status(a, "quiz finished: %d/%d", res.score, res.total);
	pf_quiz_release(&q);
	reload_state(a);
}

/* ---- input ---- */

static void select_item(struct app *a, long idx)
{
	if (a->nitems == 0)
		return;
	if (idx < 0)
		idx = 0;
	if (idx >= (long)a->nitems)
		idx = (long)a->nitems - 1;
	a->sel = (size_t)idx;
	if (a->sel != a->shown)
		show(a, a->sel, 0);
}

static void mark_read_if_done(struct app *a)
{
	const struct item *it;
	struct pf_err err = { 0 };

	if (a->shown >= a->nitems)
		return;
	it = &a->items[a->shown];
	if (it->kind != IT_CHAPTER || !a->doc.nlines)
		return;
	if (a->top + (size_t)main_h() < a->doc.nlines)
		return;
	if (a->have_pr && pf_progress_has_read(&a->pr, it->number))
		return;
	if (pf_progress_mark_read(it->number, &err) < 0) {
		set_status(a, "progress not saved: %s", err.msg);
		return;
	}
	reload_state(a);
	set_status(a, "chapter %d read to the end", it->number);
}

static void on_mouse(struct app *a)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		if (ev.x < CONTENTS_W)
			select_item(a, (long)a->sel - 1);
		else
			scroll_by(a, -3);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		if (ev.x < CONTENTS_W)
			select_item(a, (long)a->sel + 1);
		else
			scroll_by(a, 3);
	} else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
		if (ev.x < CONTENTS_W && ev.y >= 1 && ev.y <= main_h()) {
			a->focus = 0;
			select_item(a, (long)a->ctop + ev.y - 1);
		} else if (ev.x > CONTENTS_W) {
			a->focus = 1;
		}
	}
}

static void on_key(struct app *a, int ch)
{
	const struct item *it = a->shown < a->nitems ? &a->items[a->shown] : NULL;
	int page = main_h() - 1;

	if (ch == KEY_RESIZE) { /* keeps the help and the status message */
		layout(a);
		return;
	}
	if (a->help) {
		a->help = 0;
		if (ch != 'q')
			return;
	}
	a->status[0] = '\0';
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		if (ch == 'q' || ch == 'Q')
			a->quit = 1;
		return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		a->quit = 1;
		return;
	case '?':
		a->help = 1;
		return;
	case '\t':
	case KEY_BTAB:
		a->focus = !a->focus;
		return;
	case KEY_MOUSE:
		on_mouse(a);
		return;
	case '/':
		a->focus = 1;
		prompt_search(a);
		return;
	case 'n':
		search_step(a, a->match_line >= 0 ? a->match_line + 1 : (long)a->top, 1);
		return;
	case 'N':
		search_step(a, a->match_line >= 0 ? a->match_line - 1 : (long)a->top, -1);
		return;
	case ' ':
	case KEY_NPAGE:
	case 'f' - 'a' + 1: /* Ctrl-F */
		scroll_by(a, page);
		return;
	case 'b':
	case KEY_PPAGE:
	case 'b' - 'a' + 1: /* Ctrl-B */
		scroll_by(a, -page);
		return;
	default:
		break;
	}
	if (it && it->kind == IT_EXERCISE) {
		switch (ch) {
		case 'r':
			act_run(a, it);
			show_result(a);
			return;
		case 'c':
			act_check(a, it);
			show_result(a);
			return;
		case 'h':
			act_hint(a, it);
			show_result(a);
			return;
		case 't':
			act_top(a, it, 0);
			show_result(a);
			return;
		case 'l':
			act_top(a, it, 1);
			show_result(a);
			return;
		case 'e':
			act_edit(a, it);
			show(a, a->shown, 1);
			return;
		case 'f':
			act_flame(a, it);
			layout(a); /* the view took any resize: lay out for the new size */
			clearok(stdscr, TRUE);
			return;
		default:
			break;
		}
	}
	/* Enter takes the quiz shown, from the page or from its contents entry */
	if (it && it->kind == IT_QUIZ && (ch == '\n' || ch == '\r' || ch == KEY_ENTER) &&
	    (a->focus == 1 || a->sel == a->shown)) {
		a->focus = 1;
		act_quiz(a, it);
		show(a, a->shown, 0);
		clearok(stdscr, TRUE);
		return;
	}
	if (a->focus == 0) {
		switch (ch) {
		case 'j':
		case KEY_DOWN:
			select_item(a, (long)a->sel + 1);
			return;
		case 'k':
		case KEY_UP:
			select_item(a, (long)a->sel - 1);
			return;
		case 'g':
		case KEY_HOME:
			select_item(a, 0);
			return;
		case 'G':
		case KEY_END:
			select_item(a, (long)a->nitems - 1);
			return;
		case '\n':
		case '\r':
		case KEY_ENTER:
		case KEY_RIGHT:
		case 'l':
			if (a->sel != a->shown)
				show(a, a->sel, 0);
			a->focus = 1;
			return;
		default:
			return;
		}
	}
	switch (ch) {
	case 'j':
	case KEY_DOWN:
	case '\n':
	case '\r':
		scroll_by(a, 1);
		return;
	case 'k':
	case KEY_UP:
		scroll_by(a, -1);
		return;
	case 'd':
		scroll_by(a, page / 2);
		return;
	case 'u':
		scroll_by(a, -page / 2);
		return;
	case 'g':
	case KEY_HOME:
		a->top = 0;
		return;
	case 'G':
	case KEY_END:
		scroll_by(a, (long)a->doc.nlines);
		return;
	case 27:
	case KEY_LEFT:
		a->focus = 0;
		return;
	default:
		return;
	}
}

/* ---- resuming ---- */

static void resume(struct app *a)
{
	const char *pos = a->have_pr ? a->pr.position : "";
	size_t i;
	char *end;

	if (pf_startswith(pos, "lesson:")) {
		long num = strtol(pos + 7, &end, 10);
		long frac = *end == ':' ? strtol(end + 1, NULL, 10) : 0;

		for (i = 0; i < a->nitems; i++)
			if (a->items[i].kind == IT_CHAPTER && a->items[i].number == num) {
				a->sel = i;
				show(a, i, 0);
				/* rounded up: frac was rounded down from top */
				if (frac > 0 && frac <= 10000)
					a->top = (a->doc.nlines * (size_t)frac + 9999) / 10000;
				scroll_by(a, 0);
				a->focus = 1;
				return;
			}
	} else if (pf_startswith(pos, "exercise:") || pf_startswith(pos, "quiz:")) {
		int ex = pos[0] == 'e';
		long num = ex ? 0 : strtol(pos + 5, NULL, 10);

		for (i = 0; i < a->nitems; i++)
			if ((ex && a->items[i].kind == IT_EXERCISE && !strcmp(a->items[i].slug, pos + 9)) ||
			    (!ex && a->items[i].kind == IT_QUIZ && a->items[i].number == num)) {
				a->sel = i;
				show(a, i, 0);
				a->focus = 1;
				return;
			}
	}
	if (a->nitems)
		show(a, 0, 0);
}

int pf_tui_run(void)
{
	struct app app;
	struct pf_err err = { 0 };
	const char *bench = getenv("PROFLAB_TUI_EXIT_AFTER_DRAW");
	int status = 0;

	memset(&app, 0, sizeof(app));
	pf_buf_init(&app.md, 0);
	pf_buf_init(&app.result, 0);
	pf_buf_init(&app.doc.text, 0);
	app.match_line = -1;
	app.shown = NO_ITEM;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "proflab: the course needs a terminal; see proflab --help for commands\n");
		return 2;
	}
	if (pf_lessons_load(&app.ls, &err) < 0) {
		fprintf(stderr, "proflab: %s\n", err.msg);
		return 1;
	}
	reload_state(&app);
	app.have_qz = pf_quiz_list_load(&app.qz, &err) == 0;
	if (build_items(&app) < 0) {
		fprintf(stderr, "proflab: out of memory\n");
		status = 1;
		goto out;
	}
	app.ascii = pf_term_ascii();
	if (pf_term_start(&err) < 0) {
		fprintf(stderr, "proflab: %s\n", err.msg);
		status = pf_err_exit_status(err.code);
		goto out;
	}
	resume(&app);
	position_text(&app, app.saved_pos, sizeof(app.saved_pos));
	if (!app.have_ex)
		set_status(&app, "exercises not available: %s", app.ex_error);
	/*
	 * Ctrl-C, SIGTERM and SIGHUP are deferred to this loop: they wake
	 * getch() and the position is saved before the process dies of them.
	 * The position is also saved as it changes (throttled), so that a kill
	 * the loop never sees loses at most the last second of scrolling.
	 */
	pf_term_defer_signals(1);
	while (!app.quit) {
		int ch, sig, waiting;

		draw(&app);
		if (bench && *bench)
			break;
		waiting = position_sync(&app, 0);
		/* a timeout, so that a signal between the check and the read
		 * or a throttled save waits at most this long */
		timeout(waiting ? 250 : 1000);
		ch = pf_term_pending_signal() ? ERR : getch();
		timeout(-1);
		sig = pf_term_pending_signal();
		if (sig) {
			position_save(&app);
			pf_term_exit_by_signal(sig);
		}
		if (ch == ERR)
			continue;
		on_key(&app, ch);
		mark_read_if_done(&app);
	}
	pf_term_defer_signals(0);
	position_save(&app);
	pf_term_stop();
out:
	pf_doc_release(&app.doc);
	pf_buf_release(&app.md);
	pf_buf_release(&app.result);
	if (app.have_ex)
		pf_exercise_list_release(&app.ex);
	if (app.have_pr)
		pf_progress_release(&app.pr);
	if (app.have_qz)
		pf_quiz_list_release(&app.qz);
	free(app.items);
	pf_lessons_release(&app.ls);
	return status;
}
