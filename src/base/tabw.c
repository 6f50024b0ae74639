/*
 * tabw.c - Go's text/tabwriter for tab-padded columns (tabw.h). The
 * recursion over column blocks follows text/tabwriter's Writer.format so
 * that the output is the same byte for byte.
 */
#include "tabw.h"

#include <string.h>

#include "buf.h"

#define TABWIDTH 8
#define PADDING 1
#define MINWIDTH 1

struct cell {
	const char *p;
	size_t size;  /* bytes */
	size_t width; /* UTF-8 characters */
};

struct line {
	size_t first; /* index of its first cell */
	size_t n;     /* cells, the trailing text included */
};

struct tw {
	struct pf_buf cells;  /* struct cell[] */
	struct pf_buf lines;  /* struct line[] */
	struct pf_buf widths; /* size_t[], one per column being formatted */
	struct pf_buf *out;
	int rc;
};

static struct cell *cell_at(struct tw *t, size_t i)
{
	return (struct cell *)(void *)t->cells.data + i;
}

static struct line *line_at(struct tw *t, size_t i)
{
	return (struct line *)(void *)t->lines.data + i;
}

static size_t nwidths(struct tw *t)
{
	return t->widths.len / sizeof(size_t);
}

static size_t width_at(struct tw *t, size_t i)
{
	return ((size_t *)(void *)t->widths.data)[i];
}

static void write_lines(struct tw *t, size_t line0, size_t line1)
{
	size_t i, j, w, tabs;

	for (i = line0; i < line1; i++) {
		struct line *l = line_at(t, i);

		for (j = 0; j < l->n; j++) {
			struct cell *c = cell_at(t, l->first + j);

			t->rc |= pf_buf_append(t->out, c->p, c->size);
			if (j < nwidths(t)) {
				w = (width_at(t, j) + TABWIDTH - 1) / TABWIDTH * TABWIDTH;
				tabs = (w - c->width + TABWIDTH - 1) / TABWIDTH;
				t->rc |= pf_buf_pad(t->out, '\t', tabs);
			}
		}
		t->rc |= pf_buf_putc(t->out, '\n');
	}
}

/* Writer.format: lines line0..line1 with the widths of columns
 * 0..column-1 known. */
static void format(struct tw *t, size_t line0, size_t line1)
{
	size_t column = nwidths(t), cur, width;

	for (cur = line0; cur < line1; cur++) {
		if (column + 1 >= line_at(t, cur)->n)
			continue;
		write_lines(t, line0, cur);
		line0 = cur;
		width = MINWIDTH;
		for (; cur < line1; cur++) {
			struct line *l = line_at(t, cur);

			if (column + 1 >= l->n)
				break;
			if (cell_at(t, l->first + column)->width + PADDING > width)
				width = cell_at(t, l->first + column)->width + PADDING;
		}
		if (pf_buf_append(&t->widths, &width, sizeof(width)) < 0) {
			t->rc = -1;
			return;
		}
		format(t, line0, cur);
		pf_buf_truncate(&t->widths, t->widths.len - sizeof(width));
		line0 = cur;
	}
	write_lines(t, line0, line1);
}

static size_t utf8_width(const char *p, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += ((unsigned char)p[i] & 0xC0) != 0x80;
	return w;
}

int pf_tabw_format(const char *text, size_t len, struct pf_buf *out)
{
	struct tw t;
	const char *p = text, *end = text + len, *nl, *tab;
	struct line l;
	struct cell c;

	pf_buf_init(&t.cells, 0);
	pf_buf_init(&t.lines, 0);
	pf_buf_init(&t.widths, 0);
	t.out = out;
	t.rc = 0;
	while (p < end && t.rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		l.first = t.cells.len / sizeof(struct cell);
		l.n = 0;
		for (;;) {
			tab = memchr(p, '\t', (size_t)(nl - p));
			c.p = p;
			c.size = (size_t)((tab ? tab : nl) - p);
			c.width = utf8_width(c.p, c.size);
			t.rc |= pf_buf_append(&t.cells, &c, sizeof(c));
			l.n++;
			if (!tab)
				break;
			p = tab + 1;
		}
		t.rc |= pf_buf_append(&t.lines, &l, sizeof(l));
		p = nl + 1;
		/* A line without a tab ends every block: format and flush. */
		if (l.n == 1 && t.rc == 0) {
			format(&t, 0, t.lines.len / sizeof(struct line));
			pf_buf_truncate(&t.cells, 0);
			pf_buf_truncate(&t.lines, 0);
		}
	}
	if (t.rc == 0)
		format(&t, 0, t.lines.len / sizeof(struct line));
	pf_buf_release(&t.cells);
	pf_buf_release(&t.lines);
	pf_buf_release(&t.widths);
	return t.rc ? -1 : 0;
}
