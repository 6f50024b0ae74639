/*
 * flame_view.c - the interactive flame graph in the terminal (flame_view.h).
 *
 * The view keeps no copy of the tree: every redraw lays out the zoomed
 * subtree on the window's columns with pf_flame_layout() (frames under one
 * column are left out) and paints the rows that fit, scrolled so that the
 * selected frame stays visible. Navigation works on the rects of that
 * layout, so it only ever lands on frames the learner can see.
 */
#include "flame_view.h"
#include "../base/hash.h"

#include <curses.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "../base/str.h"
#include "term.h"

enum {
	PAIR_BASE = 40, /* 40..45 library colours */
	NLIB_PAIRS = 6,
	PAIR_RED = 48,  /* 48..51 grew, light to strong */
	PAIR_BLUE = 52, /* 52..55 shrank */
	PAIR_SAME = 56,
	PAIR_MATCH = 57,
	PAIR_BAR = 58,
	NLEVELS = 4,
};

struct view {
	const struct pf_flame *fg;
	const char *title;
	WINDOW *win;
	int h, w;
	uint32_t zoom, sel;
	uint32_t top;           /* first depth shown */
	struct pf_flame_layout l;
	int colour;
	/* search */
	int searching;
	char query[256];
	unsigned char *match;   /* per node, when searching */
	double matched_share;
	char msg[160];          /* one-shot message on the status line */
};

static void colours_init(struct view *v)
{
	static const short lib_bg[NLIB_PAIRS] = { COLOR_RED,  COLOR_YELLOW, COLOR_GREEN,
						  COLOR_CYAN, COLOR_MAGENTA, COLOR_BLUE };
	int i;

	v->colour = 0;
	if (getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		return;
	if (!has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	v->colour = 1;
	for (i = 0; i < NLIB_PAIRS; i++)
		init_pair((short)(PAIR_BASE + i), COLOR_BLACK, lib_bg[i]);
	if (COLORS >= 256) {
		static const short reds[NLEVELS] = { 224, 217, 210, 196 };
		static const short blues[NLEVELS] = { 153, 117, 75, 27 };

		for (i = 0; i < NLEVELS; i++) {
			init_pair((short)(PAIR_RED + i), COLOR_BLACK, reds[i]);
			init_pair((short)(PAIR_BLUE + i), i == NLEVELS - 1 ? COLOR_WHITE : COLOR_BLACK,
				  blues[i]);
		}
		init_pair(PAIR_SAME, COLOR_BLACK, 252);
	} else {
		for (i = 0; i < NLEVELS; i++) {
			init_pair((short)(PAIR_RED + i), i < 2 ? COLOR_RED : COLOR_BLACK,
				  i < 2 ? COLOR_WHITE : COLOR_RED);
			init_pair((short)(PAIR_BLUE + i), i < 2 ? COLOR_BLUE : COLOR_WHITE,
				  i < 2 ? COLOR_WHITE : COLOR_BLUE);
		}
		init_pair(PAIR_SAME, COLOR_BLACK, COLOR_WHITE);
	}
	init_pair(PAIR_MATCH, COLOR_WHITE, COLOR_MAGENTA);
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_WHITE);
}

/* Rows for frames: the first line is the title, the last the status. */
static int graph_rows(const struct view *v)
{
	return v->h - 2 > 1 ? v->h - 2 : 1;
}

static int relayout(struct view *v)
{
	return pf_flame_layout(v->fg, v->zoom, (double)v->w, 1.0, &v->l);
}

static const struct pf_flame_rect *rect_of(const struct view *v, uint32_t node)
{
	size_t i;

	for (i = 0; i < v->l.n; i++)
		if (v->l.rects[i].node == node)
			return &v->l.rects[i];
	return NULL;
}

static void cols_of(const struct pf_flame_rect *r, int *c0, int *c1)
{
	*c0 = (int)floor(r->x + 0.5);
	*c1 = (int)floor(r->x + r->w + 0.5);
}

static attr_t frame_attr(const struct view *v, uint32_t n, double maxd)
{
	const struct pf_flame *fg = v->fg;
	attr_t a = A_NORMAL;

	if (v->searching && v->match && v->match[n])
		a = v->colour ? COLOR_PAIR(PAIR_MATCH) | A_BOLD : A_BOLD | A_UNDERLINE;
	else if (!v->colour)
		a = A_NORMAL;
	else if (fg->diff) {
		double d = pf_flame_delta(fg, n), t = maxd > 0 ? fabs(d) / maxd : 0;
		int lvl = (int)(t * NLEVELS);

		if (lvl >= NLEVELS)
			lvl = NLEVELS - 1;
		if (d > 0)
			a = COLOR_PAIR(PAIR_RED + lvl);
		else if (d < 0)
			a = COLOR_PAIR(PAIR_BLUE + lvl);
		else
			a = COLOR_PAIR(PAIR_SAME);
	} else {
		a = COLOR_PAIR(PAIR_BASE + (int)((uint32_t)pf_hash_str(PF_HASH_SEED, fg->nodes[n].lib) % NLIB_PAIRS));
	}
	if (n == v->sel)
		a |= A_REVERSE;
	return a;
}

/* Append up to `cols` display columns of name to cell (whole characters
 * only: a name is never cut inside a UTF-8 sequence or a wide glyph);
 * bytes that do not decode, and unprintable characters, show as '?'.
 * Returns the columns used; *k advances over the bytes written. */
static int put_name(char *cell, size_t size, size_t *k, const char *name, int cols)
{
	mbstate_t st;
	const char *p = name;
	size_t left = strlen(name);
	int used = 0;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, left, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			w = -1;
		} else {
			w = wcwidth(wc);
		}
		if (w < 0) {
			if (used + 1 > cols || *k + 1 >= size)
				break;
			cell[(*k)++] = '?';
			used++;
		} else {
			if (used + w > cols || *k + n >= size)
				break;
			memcpy(cell + *k, p, n);
			*k += n;
			used += w;
		}
		p += n;
		left -= n;
	}
	return used;
}

/* The display width of name, as put_name() would draw it. */
static int name_width(const char *name)
{
	char tmp[4096];
	size_t k = 0;

	return put_name(tmp, sizeof(tmp), &k, name, 1 << 20);
}

static void put_frame(struct view *v, int row, int c0, int c1, const char *name, attr_t a)
{
	int width = c1 - c0, used = 0;
	size_t k = 0;
	char cell[4096];

	if (width <= 0)
		return;
	if (width > 1000)
		width = 1000;
	/* Monochrome: a bar at the left edge keeps neighbours apart. */
	if (!v->colour) {
		cell[k++] = '|';
		used = 1;
	}
	if (width - used >= 3 && name_width(name) <= width - used) {
		used += put_name(cell, sizeof(cell), &k, name, width - used);
	} else if (width - used >= 3) {
		used += put_name(cell, sizeof(cell), &k, name, width - used - 2);
		cell[k++] = '.';
		cell[k++] = '.';
		used += 2;
	}
	while (used < width && k + 1 < sizeof(cell)) {
		cell[k++] = ' ';
		used++;
	}
	cell[k] = 0;
	wattrset(v->win, a);
	mvwaddstr(v->win, row, c0, cell);
}

static void status_text(struct view *v, struct pf_buf *b)
{
	const struct pf_flame *fg = v->fg;

	if (v->msg[0]) {
		pf_buf_puts(b, v->msg);
		return;
	}
	pf_flame_title(fg, v->sel, b);
	if (v->zoom != 0)
		pf_buf_printf(b, "  | zoom: %s", fg->nodes[v->zoom].name);
	if (v->searching)
		pf_buf_printf(b, "  | /%s/ matched %.2f%%", v->query, v->matched_share * 100.0);
}

static void draw(struct view *v)
{
	const struct pf_flame *fg = v->fg;
	struct pf_buf sb = PF_BUF_INIT;
	int rows = graph_rows(v);
	double maxd = 0;
	size_t i;
	char head[512];

	werase(v->win);
	if (fg->diff)
		for (i = 0; i < v->l.n; i++) {
			double d = fabs(pf_flame_delta(fg, v->l.rects[i].node));

			if (d > maxd)
				maxd = d;
		}
	for (i = 0; i < v->l.n; i++) {
		const struct pf_flame_rect *r = &v->l.rects[i];
		int c0, c1;

		if (r->depth < v->top || r->depth >= v->top + (uint32_t)rows)
			continue;
		cols_of(r, &c0, &c1);
		if (c1 > v->w)
			c1 = v->w;
		put_frame(v, 1 + (int)(r->depth - v->top), c0, c1, fg->nodes[r->node].name,
			  frame_attr(v, r->node, maxd));
	}
	pf_fmt(head, sizeof(head), " %s%s%s  [arrows move, Enter zoom, Esc back, / search, q quit]",
	       fg->diff ? "diff " : "", v->title ? v->title : "flame graph", "");
	wattrset(v->win, v->colour ? COLOR_PAIR(PAIR_BAR) : A_REVERSE);
	mvwhline(v->win, 0, 0, ' ', v->w);
	mvwaddnstr(v->win, 0, 0, head, v->w);
	status_text(v, &sb);
	wattrset(v->win, A_BOLD);
	mvwaddnstr(v->win, v->h - 1, 0, sb.data, v->w);
	wattrset(v->win, A_NORMAL);
	pf_buf_release(&sb);
	wnoutrefresh(v->win);
	doupdate();
}

/* Keep the selected frame's row on screen. */
static void scroll_to_sel(struct view *v)
{
	uint32_t d = v->fg->nodes[v->sel].depth;
	uint32_t rows = (uint32_t)graph_rows(v);

	if (d < v->top)
		v->top = d;
	else if (d >= v->top + rows)
		v->top = d - rows + 1;
	/* When the window has room (after a resize, say), scroll back so
	 * that the root stays in view. */
	if (v->top > 0 && d < rows)
		v->top = 0;
}

/* The visible frame on the same row nearest to the left (dir -1) or
 * right (dir +1) of the selection. */
static void move_side(struct view *v, int dir)
{
	const struct pf_flame_rect *s = rect_of(v, v->sel), *best = NULL;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < v->l.n; i++) {
		const struct pf_flame_rect *r = &v->l.rects[i];

		if (r->depth != s->depth || r->node == s->node)
			continue;
		if (dir < 0 && r->x < s->x && (!best || r->x > best->x))
			best = r;
		if (dir > 0 && r->x > s->x && (!best || r->x < best->x))
			best = r;
	}
	if (best)
		v->sel = best->node;
}

static void move_down(struct view *v)
{
	const struct pf_flame_node *nodes = v->fg->nodes;
	const struct pf_flame_rect *r;
	uint32_t c, best = PF_NONE;

	for (c = nodes[v->sel].first_child; c != PF_NONE; c = nodes[c].next_sibling) {
		r = rect_of(v, c);
		if (r && (best == PF_NONE || nodes[c].span > nodes[best].span))
			best = c;
	}
	if (best != PF_NONE)
		v->sel = best;
}

static void search_apply(struct view *v)
{
	const struct pf_flame *fg = v->fg;
	unsigned char *covered = NULL;
	regex_t re;
	double sum = 0;
	size_t i;
	int rc;

	v->searching = 0;
	free(v->match);
	v->match = NULL;
	if (!v->query[0])
		return;
	rc = regcomp(&re, v->query, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char e[100];

		regerror(rc, &re, e, sizeof(e));
		pf_fmt(v->msg, sizeof(v->msg), "bad regular expression /%s/: %s", v->query, e);
		return;
	}
	v->match = calloc(fg->n, 1);
	covered = calloc(fg->n, 1);
	if (!v->match || !covered) {
		pf_fmt(v->msg, sizeof(v->msg), "out of memory");
		free(v->match);
		v->match = NULL;
		goto out;
	}
	/* A parent always comes before its children in the node array, so
	 * one pass finds the matched frames not under another match. */
	for (i = 1; i < fg->n; i++) {
		uint32_t p = fg->nodes[i].parent;

		v->match[i] = regexec(&re, fg->nodes[i].name, 0, NULL, 0) == 0;
		covered[i] = v->match[i] || covered[p];
		if (v->match[i] && !covered[p] && fg->nodes[i].value > 0)
			sum += (double)fg->nodes[i].value;
	}
	v->matched_share = fg->total > 0 ? sum / (double)fg->total : 0;
	v->searching = 1;
out:
	free(covered);
	regfree(&re);
}

/* Read the search text on the status line. 0 done, -1 cancelled. */
static int read_query(struct view *v)
{
	char q[sizeof(v->query)];
	size_t n = 0;
	int ch;

	q[0] = 0;
	for (;;) {
		wattrset(v->win, A_BOLD);
		mvwhline(v->win, v->h - 1, 0, ' ', v->w);
		mvwaddstr(v->win, v->h - 1, 0, "/");
		waddnstr(v->win, q, v->w - 2);
		curs_set(1);
		wrefresh(v->win);
		ch = wgetch(v->win);
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			break;
		if (ch == 27 || ch == ERR) {
			curs_set(0);
			return -1;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
			q[--n] = 0;
		else if (ch >= 32 && ch < 256 && ch != 127 && n + 1 < sizeof(q)) {
			q[n++] = (char)ch;
			q[n] = 0;
		}
	}
	curs_set(0);
	memcpy(v->query, q, n + 1);
	return 0;
}

static void next_match(struct view *v)
{
	size_t i, k;

	if (!v->searching || !v->match)
		return;
	for (k = 1; k <= v->l.n; k++) {
		const struct pf_flame_rect *cur = rect_of(v, v->sel);
		size_t start = cur ? (size_t)(cur - v->l.rects) : 0;

		i = (start + k) % v->l.n;
		if (v->match[v->l.rects[i].node]) {
			v->sel = v->l.rects[i].node;
			return;
		}
	}
}

static void view_size(struct view *v)
{
	getmaxyx(v->win, v->h, v->w);
}

/* The key loop; returns when q is pressed. */
static int loop(struct view *v)
{
	int ch;

	for (;;) {
		if (relayout(v) < 0)
			return PF_EFAIL;
		if (!rect_of(v, v->sel))
			v->sel = v->zoom;
		scroll_to_sel(v);
		draw(v);
		v->msg[0] = 0;
		ch = wgetch(v->win);
		switch (ch) {
		case 'q':
		case 'Q':
			return 0;
		case ERR:
			return 0; /* input closed */
		case KEY_LEFT:
		case 'h':
			move_side(v, -1);
			break;
		case KEY_RIGHT:
		case 'l':
			move_side(v, 1);
			break;
		case KEY_UP:
		case 'k':
			if (v->fg->nodes[v->sel].parent != PF_NONE)
				v->sel = v->fg->nodes[v->sel].parent;
			break;
		case KEY_DOWN:
		case 'j':
			move_down(v);
			break;
		case '\n':
		case '\r':
		case KEY_ENTER:
			v->zoom = v->sel;
			break;
		case KEY_BACKSPACE:
		case 127:
		case 8:
		case 27:
			if (v->zoom != 0)
				v->zoom = v->fg->nodes[v->zoom].parent;
			break;
		case KEY_HOME:
		case '0':
			v->zoom = 0;
			break;
		case '/':
			if (read_query(v) == 0)
				search_apply(v);
			break;
		case 'n':
			next_match(v);
			break;
		case KEY_RESIZE:
			if (v->win != stdscr && v->h == LINES && v->w == COLS)
				wresize(v->win, LINES, COLS);
			view_size(v);
			break;
		default:
			break;
		}
	}
}

static void view_init(struct view *v, const struct pf_flame *fg, const char *title)
{
	uint32_t c;

	memset(v, 0, sizeof(*v));
	v->fg = fg;
	v->title = title;
	v->zoom = 0;
	v->sel = 0;
	/* Start on the widest outermost frame (usually main). */
	for (c = fg->nodes[0].first_child; c != PF_NONE; c = fg->nodes[c].next_sibling)
		if (v->sel == 0 || fg->nodes[c].span > fg->nodes[v->sel].span)
			v->sel = c;
	pf_flame_layout_init(&v->l);
}

static void view_release(struct view *v)
{
	pf_flame_layout_release(&v->l);
	free(v->match);
	v->match = NULL;
}

int pf_flame_view_embed(const struct pf_flame *fg, const char *title, int y, int x, int h, int w)
{
	struct view v;
	int rc;

	view_init(&v, fg, title);
	if (h <= 0 || w <= 0) {
		y = 0;
		x = 0;
		h = LINES;
		w = COLS;
	}
	v.win = newwin(h, w, y, x);
	if (!v.win)
		return PF_EFAIL;
	keypad(v.win, TRUE);
	curs_set(0);
	colours_init(&v);
	view_size(&v);
	rc = loop(&v);
	delwin(v.win);
	view_release(&v);
	touchwin(stdscr);
	return rc;
}

int pf_flame_view_run(const struct pf_flame *fg, const char *title, struct pf_err *err)
{
	struct view v;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pf_err_set(err, PF_EUSAGE,
				  "the flame graph view needs a terminal; use -o OUT.svg or --folded");
	rc = pf_term_open_screen(err);
	if (rc < 0)
		return rc;
	cbreak();
	noecho();
	nonl();
	set_escdelay(25);
	view_init(&v, fg, title);
	v.win = stdscr;
	keypad(stdscr, TRUE);
	curs_set(0);
	colours_init(&v);
	view_size(&v);
	rc = loop(&v);
	view_release(&v);
	endwin();
	if (rc < 0)
		pf_err_set(err, rc, "out of memory drawing the flame graph");
	return rc;
}

double pf_flame_view_bench(const struct pf_flame *fg, int rows, int cols, int n)
{
	struct view v;
	SCREEN *scr = NULL;
	FILE *out = NULL, *in = NULL;
	struct timespec t0, t1;
	double ms = -1;
	int i;

	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (!out || !in)
		goto out;
	scr = newterm("xterm-256color", out, in);
	if (!scr)
		scr = newterm("xterm", out, in);
	if (!scr)
		goto out;
	resizeterm(rows, cols);
	view_init(&v, fg, "bench");
	v.win = stdscr;
	colours_init(&v);
	view_size(&v);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if (relayout(&v) < 0)
			break;
		scroll_to_sel(&v);
		draw(&v);
		/* Alternate the selection so every frame is really repainted. */
		v.sel = i % 2 ? v.fg->nodes[0].first_child : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	view_release(&v);
	endwin();
	delscreen(scr);
	if (i == n && n > 0)
		ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
		     n;
out:
	if (out)
		fclose(out);
	if (in)
		fclose(in);
	return ms;
}
