/* present.c - one chapter as slides, a `##` section per screen under a
 * large title drawn in a block font of its own (present.h). */
#include "present.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/err.h"
#include "../base/buf.h"
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

static void draw_banner(const char *t, int y, int ascii)
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

/*
 * The big title: a 3x5 pixel font of our own (capitals, digits and common
 * punctuation; lower case is drawn as capitals). Each glyph is 15 bits,
 * row by row from the top left, the first row in the highest bits. On a
 * UTF-8 terminal two pixel rows share a character cell (▀ ▄ █), so a line
 * of title is 3 rows high; otherwise it is drawn with '#' and is 5 rows.
 */
struct glyph {
	char c;
	unsigned short bits;
};

static const struct glyph font[] = {
	{ ' ', 0x0000 },
	{ 'A', 0x2bed }, /* .X. X.X XXX X.X X.X */
	{ 'B', 0x6bae }, /* XX. X.X XX. X.X XX. */
	{ 'C', 0x3923 }, /* .XX X.. X.. X.. .XX */
	{ 'D', 0x6b6e }, /* XX. X.X X.X X.X XX. */
	{ 'E', 0x79a7 }, /* XXX X.. XX. X.. XXX */
	{ 'F', 0x79a4 }, /* XXX X.. XX. X.. X.. */
	{ 'G', 0x396b }, /* .XX X.. X.X X.X .XX */
	{ 'H', 0x5bed }, /* X.X X.X XXX X.X X.X */
	{ 'I', 0x7497 }, /* XXX .X. .X. .X. XXX */
	{ 'J', 0x126a }, /* ..X ..X ..X X.X .X. */
	{ 'K', 0x5bad }, /* X.X X.X XX. X.X X.X */
	{ 'L', 0x4927 }, /* X.. X.. X.. X.. XXX */
	{ 'M', 0x5fed }, /* X.X XXX XXX X.X X.X */
	{ 'N', 0x6b6d }, /* XX. X.X X.X X.X X.X */
	{ 'O', 0x2b6a }, /* .X. X.X X.X X.X .X. */
	{ 'P', 0x6ba4 }, /* XX. X.X XX. X.. X.. */
	{ 'Q', 0x2b7b }, /* .X. X.X X.X XXX .XX */
	{ 'R', 0x6bad }, /* XX. X.X XX. X.X X.X */
	{ 'S', 0x388e }, /* .XX X.. .X. ..X XX. */
	{ 'T', 0x7492 }, /* XXX .X. .X. .X. .X. */
	{ 'U', 0x5b6f }, /* X.X X.X X.X X.X XXX */
	{ 'V', 0x5b52 }, /* X.X X.X X.X .X. .X. */
	{ 'W', 0x5bfd }, /* X.X X.X XXX XXX X.X */
	{ 'X', 0x5aad }, /* X.X X.X .X. X.X X.X */
	{ 'Y', 0x5a92 }, /* X.X X.X .X. .X. .X. */
	{ 'Z', 0x72a7 }, /* XXX ..X .X. X.. XXX */
	{ '0', 0x7b6f }, /* XXX X.X X.X X.X XXX */
	{ '1', 0x2c97 }, /* .X. XX. .X. .X. XXX */
	{ '2', 0x62a7 }, /* XX. ..X .X. X.. XXX */
	{ '3', 0x628e }, /* XX. ..X .X. ..X XX. */
	{ '4', 0x5bc9 }, /* X.X X.X XXX ..X ..X */
	{ '5', 0x798e }, /* XXX X.. XX. ..X XX. */
	{ '6', 0x39ef }, /* .XX X.. XXX X.X XXX */
	{ '7', 0x7292 }, /* XXX ..X .X. .X. .X. */
	{ '8', 0x7bef }, /* XXX X.X XXX X.X XXX */
	{ '9', 0x7bce }, /* XXX X.X XXX ..X XX. */
	{ '.', 0x0002 }, /* ... ... ... ... .X. */
	{ ',', 0x0014 }, /* ... ... ... .X. X.. */
	{ ':', 0x0410 }, /* ... .X. ... .X. ... */
	{ ';', 0x0414 }, /* ... .X. ... .X. X.. */
	{ '-', 0x01c0 }, /* ... ... XXX ... ... */
	{ '/', 0x12a4 }, /* ..X ..X .X. X.. X.. */
	{ '(', 0x2922 }, /* .X. X.. X.. X.. .X. */
	{ ')', 0x224a }, /* .X. ..X ..X ..X .X. */
	{ '\'', 0x2400 }, /* .X. .X. ... ... ... */
	{ '?', 0x6282 }, /* XX. ..X .X. ... .X. */
	{ '!', 0x2482 }, /* .X. .X. .X. ... .X. */
	{ '&', 0x2aab }, /* .X. X.X .X. X.X .XX */
	{ '+', 0x05d0 }, /* ... .X. XXX .X. ... */
	{ '_', 0x0007 }, /* ... ... ... ... XXX */
	{ '=', 0x0e38 }, /* ... XXX ... XXX ... */
	{ '"', 0x5a00 }, /* X.X X.X ... ... ... */
	{ '%', 0x52a5 }, /* X.X ..X .X. X.. X.X */
};

enum { GLYPH_W = 3, GLYPH_H = 5, BIG_LINES_MAX = 2 };

static const struct glyph *glyph_of(char c)
{
	size_t i;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	for (i = 0; i < sizeof(font) / sizeof(font[0]); i++)
		if (font[i].c == c)
			return &font[i];
	return NULL;
}

static int pixel(const struct glyph *g, int row, int col)
{
	if (row < 0 || row >= GLYPH_H)
		return 0;
	return (g->bits >> (14 - (row * GLYPH_W + col))) & 1;
}

/* The columns [first, last] of g that have pixels; punctuation is drawn
 * narrow, letters and digits keep their full width, space is 1 wide. */
static void glyph_cols(char c, const struct glyph *g, int *first, int *last)
{
	int r, col;

	*first = 0;
	*last = GLYPH_W - 1;
	if (c == ' ') {
		*last = 0;
		return;
	}
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return;
	*first = GLYPH_W;
	*last = -1;
	for (col = 0; col < GLYPH_W; col++)
		for (r = 0; r < GLYPH_H; r++)
			if (pixel(g, r, col)) {
				*first = col < *first ? col : *first;
				*last = col > *last ? col : *last;
			}
	if (*last < *first)
		*first = *last = 0;
}

/* Columns that t[0..n) takes in the big font (a gap between glyphs), or
 * -1 when a character has no glyph. Backquotes are left out. */
static int big_width(const char *t, size_t n)
{
	int w = 0, first, last, k = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct glyph *g;

		if (t[i] == '`')
			continue;
		g = glyph_of(t[i]);
		if (!g)
			return -1;
		glyph_cols(t[i], g, &first, &last);
		w += (k++ ? 1 : 0) + last - first + 1;
	}
	return w;
}

/*
 * Break t into at most BIG_LINES_MAX lines at spaces, each at most maxw
 * columns in the big font: starts and lengths in at[] and len[]. Returns
 * the number of lines, or 0 when it does not fit (the banner is used).
 */
static int big_break(const char *t, int maxw, size_t *at, size_t *len)
{
	size_t n = strlen(t), pos = 0;
	int lines = 0;

	if (big_width(t, n) < 0)
		return 0;
	while (pos < n) {
		size_t end = n, best = 0;

		if (lines == BIG_LINES_MAX)
			return 0;
		/* the longest prefix ending at a space (or the end) that fits */
		for (end = pos; end <= n; end++)
			if ((end == n || t[end] == ' ') && end > pos &&
			    big_width(t + pos, end - pos) <= maxw)
				best = end;
		if (!best)
			return 0;
		at[lines] = pos;
		len[lines++] = best - pos;
		pos = best;
		while (pos < n && t[pos] == ' ')
			pos++;
	}
	return lines;
}

/* Rows one line of big title takes on this terminal. */
static int big_rows(int ascii)
{
	return ascii ? GLYPH_H : (GLYPH_H + 1) / 2;
}

/* Draw t[0..n) in the big font, centred, from row y. */
static void draw_big_line(const char *t, size_t n, int y, int ascii)
{
	int w = big_width(t, n), x0 = (COLS - w) / 2, r, rows = big_rows(ascii);

	for (r = 0; r < rows; r++) {
		size_t i;
		int x = x0, k = 0;

		move(y + r, x0);
		for (i = 0; i < n; i++) {
			const struct glyph *g;
			int first, last, col;

			if (t[i] == '`')
				continue;
			g = glyph_of(t[i]);
			glyph_cols(t[i], g, &first, &last);
			if (k++) {
				addch(' ');
				x++;
			}
			for (col = first; col <= last; col++, x++) {
				if (ascii) {
					addch(pixel(g, r, col) ? '#' : ' ');
				} else {
					int top = pixel(g, 2 * r, col), bot = pixel(g, 2 * r + 1, col);

					addstr(top && bot ? "█" : top ? "▀" : bot ? "▄" : " ");
				}
			}
		}
	}
}

/*
 * Draw the slide's title from row y: in the big font when it fits in
 * the width on at most BIG_LINES_MAX lines and in a quarter of the
 * height, else as a boxed bold banner. Returns the rows it took.
 */
static int draw_title(const char *t, int y, int ascii)
{
	size_t at[BIG_LINES_MAX], len[BIG_LINES_MAX];
	int lines = big_break(t, COLS - 4, at, len), i, h;

	h = lines * big_rows(ascii) + (lines > 1 ? lines - 1 : 0);
	if (lines == 0 || h > LINES / 4) {
		draw_banner(t, y, ascii);
		return 5;
	}
	attron(A_BOLD | COLOR_PAIR(2));
	for (i = 0; i < lines; i++)
		draw_big_line(t + at[i], len[i], y + i * (big_rows(ascii) + 1), ascii);
	attroff(A_BOLD | COLOR_PAIR(2));
	return h;
}

/*
 * The widest prefix of the title t[0..n) that ends at a word and fits in
 * w columns followed by the ellipsis e: its length, or 0 when not even
 * the first word fits; n when the whole title fits without e.
 */
static size_t title_fit(const char *t, size_t n, int w, const char *e)
{
	int ew = pf_doc_strwidth(e, strlen(e));
	size_t p, best = 0;

	if (pf_doc_strwidth(t, n) <= w)
		return n;
	for (p = 1; p < n; p++)
		if (t[p] == ' ' && t[p - 1] != ' ' && pf_doc_strwidth(t, p) + ew <= w)
			best = p;
	return best;
}

/*
 * The bottom line: the slide counter always (it matters most), then as
 * room allows the cue that the slide goes on below, the key hint on the
 * right and the chapter's title. The cue and the hint have shorter forms;
 * anything that does not fit whole is shortened at a word or left out,
 * never cut in the middle of a word.
 */
static void draw_footer(const struct slides *sl, int more, int ascii)
{
	static const char *const cues[] = { "  (j: more below)", "  (j: more)", "" };
	static const char *const hints[] = { "Space/arrows move  q quit", "q quit", "" };
	struct pf_buf tb = PF_BUF_INIT;
	const char *t = sl->l->title, *e = ascii ? "..." : "…", *cue = "", *hint = "";
	char foot[512];
	int room = COLS - 1, used, i;
	size_t tn = strlen(t), cut = 0;

	/* measure the title as it will be drawn (transliterated for ASCII) */
	if (ascii && pf_doc_ascii(t, tn, &tb) == 0) {
		t = tb.data;
		tn = tb.len;
	}
	pf_fmt(foot, sizeof(foot), " %d/%d", sl->cur + 1, sl->doc.nsections);
	used = (int)strlen(foot);
	for (i = 0; more && cues[i][0]; i++)
		if (used + (int)strlen(cues[i]) <= room) {
			cue = cues[i];
			break;
		}
	used += (int)strlen(cue);
	for (i = 0; hints[i][0]; i++)
		if (used + 2 + (int)strlen(hints[i]) <= room) {
			hint = hints[i];
			break;
		}
	if (*hint)
		used += 2 + (int)strlen(hint);
	if (room - used - 2 > 0)
		cut = title_fit(t, tn, room - used - 2, e);
	pf_fmt(foot + strlen(foot), sizeof(foot) - strlen(foot), "%s%s%.*s%s", cue, cut ? "  " : "",
	       (int)cut, t, cut && cut < tn ? e : "");
	pf_term_put(LINES - 1, 0, room - (*hint ? 2 + (int)strlen(hint) : 0), foot, A_DIM);
	if (*hint)
		pf_term_put(LINES - 1, room - (int)strlen(hint), (int)strlen(hint), hint, A_DIM);
	pf_buf_release(&tb);
}

static void draw(struct slides *sl, size_t *idx, size_t max, int ascii)
{
	size_t n = body_lines(sl, sl->cur, idx, max), i;
	int top, h, x = (COLS - sl->doc.width) / 2, y;

	erase();
	top = 1 + draw_title(slide_title(sl, sl->cur), 1, ascii) + 1;
	h = LINES - top - 2;
	if (sl->scroll > (int)n - h)
		sl->scroll = (int)n - h > 0 ? (int)n - h : 0;
	for (y = 0, i = (size_t)sl->scroll; i < n && y < h; i++, y++)
		pf_term_draw_line(&sl->doc, idx[i], top + y, x > 0 ? x : 0, sl->doc.width, 0, 0);
	draw_footer(sl, (int)n - sl->scroll > h, ascii);
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
	struct pf_err err = { 0 };
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
	if (pf_term_start(&err) < 0) {
		fprintf(stderr, "proflab present: %s\n", err.msg);
		pf_doc_release(&sl.doc);
		return pf_err_exit_status(err.code);
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
		case 8: /* Ctrl-H: what many terminals send for Backspace */
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
