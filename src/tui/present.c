/* present.c - one chapter as slides, a `##` section per screen (present.h). */
#include "present.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/str.h"
#include "../course/doc.h"
#include "term.h"

struct slides {
	struct pf_doc doc;
	const struct pf_lesson *l;
	int cur, scroll;
};

/* The title of section s: the chapter's title for 0, else its `##` heading. */
static const char *slide_title(const struct slides *sl, int s)
{
	size_t i;
	int sec = 0;

	for (i = 0; i < sl->doc.nheadings; i++) {
		const struct pf_doc_heading *h = &sl->doc.headings[i];

		if (s == 0 && h->level == 1)
			return h->text;
		if (h->level == 2 && sl->doc.lines[h->line].section == s && ++sec)
			return h->text;
	}
	return sl->l->title;
}

/* Lines of section s that make up its body: without the title heading
 * (its text lines and the rule under it) and the blank lines around. */
static size_t body_lines(const struct slides *sl, int s, size_t *idx, size_t max)
{
	const struct pf_doc *d = &sl->doc;
	size_t i, n = 0;
	int skip_rule = 0;

	for (i = 0; i < d->nlines; i++) {
		const struct pf_doc_line *ln = &d->lines[i];
		int title = (s == 0 && ln->heading == 1) || (s > 0 && ln->heading == 2);

		if (ln->section != s)
			continue;
		if (title) {
			skip_rule = 1;
			continue;
		}
		if (skip_rule) {
			skip_rule = 0;
			continue;
		}
		if (n == 0 && ln->nspans == 0)
			continue;
		if (n < max)
			idx[n] = i;
		n++;
	}
	while (n > 0 && n <= max && d->lines[idx[n - 1]].nspans == 0)
		n--;
	return n < max ? n : max;
}

static void draw_title(const char *t, int y, int ascii)
{
	int tw = pf_doc_strwidth(t, strlen(t)), bw = tw + 8, x, i;
	const char *h = ascii ? "=" : "═", *v = ascii ? "|" : "║";

	if (bw > COLS - 2)
		bw = COLS - 2;
	x = (COLS - bw) / 2;
	attron(A_BOLD | COLOR_PAIR(2));
	move(y, x);
	addstr(ascii ? "+" : "╔");
	for (i = 0; i < bw - 2; i++)
		addstr(h);
	addstr(ascii ? "+" : "╗");
	mvaddstr(y + 1, x, v);
	mvaddstr(y + 1, x + bw - 1, v);
	mvaddstr(y + 2, x, v);
	mvaddstr(y + 2, x + bw - 1, v);
	mvaddstr(y + 3, x, v);
	mvaddstr(y + 3, x + bw - 1, v);
	move(y + 4, x);
	addstr(ascii ? "+" : "╚");
	for (i = 0; i < bw - 2; i++)
		addstr(h);
	addstr(ascii ? "+" : "╝");
	attroff(A_BOLD | COLOR_PAIR(2));
	pf_term_put(y + 2, x + (bw - (tw < bw - 4 ? tw : bw - 4)) / 2, bw - 4, t, A_BOLD);
}

static void draw(struct slides *sl, size_t *idx, size_t max, int ascii)
{
	size_t n = body_lines(sl, sl->cur, idx, max), i;
	int top = 7, h = LINES - top - 2, x = (COLS - sl->doc.width) / 2, y;
	char foot[256];

	erase();
	draw_title(slide_title(sl, sl->cur), 1, ascii);
	if (sl->scroll > (int)n - h)
		sl->scroll = (int)n - h > 0 ? (int)n - h : 0;
	for (y = 0, i = (size_t)sl->scroll; i < n && y < h; i++, y++)
		pf_term_draw_line(&sl->doc, idx[i], top + y, x > 0 ? x : 0, sl->doc.width, 0, 0);
	pf_fmt(foot, sizeof(foot), " %d/%d  %s%s", sl->cur + 1, sl->doc.nsections, sl->l->title,
	       (int)n - sl->scroll > h ? "  (j: more below)" : "");
	pf_term_put(LINES - 1, 0, COLS - 30, foot, A_DIM);
	pf_term_put(LINES - 1, COLS - 28, 28, "Space/arrows move  q quit", A_DIM);
	refresh();
}

static int relayout(struct slides *sl, int ascii)
{
	int w = COLS - 8 > 100 ? 100 : COLS - 8;

	pf_doc_release(&sl->doc);
	return pf_doc_layout_file(&sl->doc, sl->l->path, w < 20 ? 20 : w, ascii ? PF_DOC_ASCII : 0, NULL);
}

int pf_present_run(const struct pf_lesson *l)
{
	struct slides sl;
	size_t *idx = NULL, max;
	int ascii = pf_term_ascii(), ch, status = 0;
	const char *bench = getenv("PROFLAB_TUI_EXIT_AFTER_DRAW");

	memset(&sl, 0, sizeof(sl));
	sl.l = l;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "proflab present: slides need a terminal (use proflab lesson %d --plain to print)\n",
			l->number);
		return 2;
	}
	if (pf_doc_layout_file(&sl.doc, l->path, 80, 0, NULL) < 0) {
		fprintf(stderr, "proflab present: %s: cannot read the chapter\n", l->path);
		return 1;
	}
	if (pf_term_start() < 0) {
		fprintf(stderr, "proflab present: cannot start the terminal interface\n");
		pf_doc_release(&sl.doc);
		return 1;
	}
	relayout(&sl, ascii);
	for (;;) {
		max = sl.doc.nlines + 1;
		free(idx);
		idx = malloc(max * sizeof(*idx));
		if (!idx) {
			status = 1;
			break;
		}
		draw(&sl, idx, max, ascii);
		if (bench && *bench)
			break;
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		switch (ch) {
		case ' ':
		case KEY_RIGHT:
		case KEY_NPAGE:
		case 'l':
		case 'n':
			if (sl.cur + 1 < sl.doc.nsections) {
				sl.cur++;
				sl.scroll = 0;
			}
			break;
		case KEY_LEFT:
		case KEY_PPAGE:
		case KEY_BACKSPACE:
		case 127:
		case 'h':
		case 'p':
			if (sl.cur > 0) {
				sl.cur--;
				sl.scroll = 0;
			}
			break;
		case 'j':
		case KEY_DOWN:
			sl.scroll++;
			break;
		case 'k':
		case KEY_UP:
			if (sl.scroll > 0)
				sl.scroll--;
			break;
		case 'g':
		case KEY_HOME:
			sl.cur = 0;
			sl.scroll = 0;
			break;
		case 'G':
		case KEY_END:
			sl.cur = sl.doc.nsections - 1;
			sl.scroll = 0;
			break;
		case KEY_RESIZE:
			relayout(&sl, ascii);
			break;
		default:
			break;
		}
	}
	pf_term_stop();
	free(idx);
	pf_doc_release(&sl.doc);
	return status;
}
