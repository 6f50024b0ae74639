/*
 * doc.c - Markdown to styled, wrapped lines (doc.h).
 *
 * The cmark-gfm tree is walked recursively. Container blocks (quotes, list
 * items) push a prefix (a bar, a bullet then its indentation) that every
 * line inside them starts with; leaf blocks gather their inline content
 * into a byte string with one style word per byte, which is then filled
 * greedily into lines of the width left after the prefixes. Table cells
 * are laid out the same way into a scratch document of the column's width
 * and copied in, padded and aligned.
 */
#include "doc.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "../base/str.h"
#include "doc_hl.h"

struct glyphs {
	const char *bullet[3], *quote, *rule, *h1rule, *todo, *done, *cont;
	const char *tl, *tm, *tr, *ml, *mm, *mr, *bl, *bm, *br, *hz, *vt;
};

static const struct glyphs utf8_glyphs = {
	{ "•", "◦", "▪" }, "│", "─", "═", "☐", "☒", "  ↳ ",
	"┌", "┬", "┐", "├", "┼", "┤", "└", "┴", "┘", "─", "│",
};

static const struct glyphs ascii_glyphs = {
	{ "*", "-", "+" }, "|", "-", "=", "[ ]", "[x]", "  + ",
	"+", "+", "+", "+", "+", "+", "+", "+", "+", "-", "|",
};

#define MAX_DEPTH 48

struct prefix {
	char first[48];
	char rest[48];
	uint32_t style;
	int used; /* the first line has been emitted */
};

struct inl {             /* inline content being gathered */
	struct pf_buf text;
	uint32_t *style; /* one per byte of text */
	size_t astyle;
};

struct ctx {
	struct pf_doc *out;
	int width;
	const struct glyphs *g;
	int ascii;         /* PF_DOC_ASCII: the text too is made ASCII */
	struct prefix pre[MAX_DEPTH];
	int npre;
	int prefix_w;      /* display width of the prefixes */
	int open;          /* a line is open in out */
	int pending_blank;
	int tight;
	int list_depth;
	uint16_t section;
	int oom;
	cmark_node *label; /* the "Tip:" strong node of the current quote */
	uint32_t label_style;
	struct inl inl;
};

/* ---- widths ---- */

static size_t utf8_decode(const char *s, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	wchar_t c;

	if (u[0] < 0x80) {
		*wc = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		*wc = -1;
		return 1;
	}
	if (len > n) {
		*wc = -1;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*wc = -1;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	*wc = c;
	return len;
}

static locale_t utf8_locale(void)
{
	static locale_t loc;
	static int tried;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Width of one character; the caller has a UTF-8 LC_CTYPE in force. */
static int char_width(wchar_t wc)
{
	int w;

	if (wc < 0)
		return 1;
	if (wc < 0x7f)
		return wc >= 0x20 ? 1 : 0;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

static int strwidth(const char *s, size_t n)
{
	size_t i = 0;
	int w = 0;

	while (i < n) {
		wchar_t wc;

		if ((unsigned char)s[i] < 0x80) {
			w += (unsigned char)s[i] >= 0x20;
			i++;
			continue;
		}
		i += utf8_decode(s + i, n - i, &wc);
		w += char_width(wc);
	}
	return w;
}

int pf_doc_strwidth(const char *s, size_t n)
{
	locale_t loc = utf8_locale(), old = (locale_t)0;
	int w;

	if (loc)
		old = uselocale(loc);
	w = strwidth(s, n);
	if (loc)
		uselocale(old);
	return w;
}

int pf_doc_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* ---- ASCII transliteration ---- */

/* What a character becomes where the locale cannot show UTF-8; any other
 * character becomes "?". The one table for all the course's screens. */
static const struct {
	const char *utf8, *ascii;
} translit[] = {
	{ "—", "--" }, { "–", "-" },   { "→", "->" }, { "←", "<-" },  { "·", "-" },
	{ "…", "..." }, { "‘", "'" },  { "’", "'" },  { "“", "\"" }, { "”", "\"" },
	{ "×", "x" },   { "≤", "<=" }, { "≥", ">=" }, { "≠", "!=" },  { "√", "sqrt " },
	{ "²", "^2" },  { "³", "^3" }, { "µ", "u" },  { "•", "*" },   { "✓", "*" },
	{ "✗", "x" },   { "\u00a0", " " },
};

static int is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int pf_doc_ascii(const char *s, size_t n, struct pf_buf *out)
{
	size_t i = 0, j, k;
	int rc = 0;

	while (i < n && rc == 0) {
		const char *rep = "?";
		wchar_t wc;
		size_t len;

		for (j = i; j < n && (unsigned char)s[j] < 0x80; j++)
			;
		if (j > i) {
			rc = pf_buf_append(out, s + i, j - i);
			i = j;
			continue;
		}
		len = utf8_decode(s + i, n - i, &wc);
		for (k = 0; k < sizeof(translit) / sizeof(translit[0]); k++)
			if (strlen(translit[k].utf8) == len && memcmp(translit[k].utf8, s + i, len) == 0)
				rep = translit[k].ascii;
		/* combining marks, zero-width characters, variation selectors */
		if ((wc >= 0x300 && wc <= 0x36f) || (wc >= 0x200b && wc <= 0x200f) ||
		    (wc >= 0xfe00 && wc <= 0xfe0f))
			rep = "";
		rc = pf_buf_puts(out, rep);
		i += len;
	}
	return rc < 0 ? -1 : 0;
}

/* Make b ASCII in place (see pf_doc_ascii). 0, or -1 out of memory. */
static int ascii_in_place(struct pf_buf *b)
{
	struct pf_buf t = PF_BUF_INIT;

	if (is_ascii(b->data, b->len))
		return 0;
	if (pf_doc_ascii(b->data, b->len, &t) < 0) {
		pf_buf_release(&t);
		return -1;
	}
	pf_buf_truncate(b, 0);
	if (pf_buf_append(b, t.data, t.len) < 0) {
		pf_buf_release(&t);
		return -1;
	}
	pf_buf_release(&t);
	return 0;
}

/* ---- the output document ---- */

static void doc_init(struct pf_doc *d, int width)
{
	memset(d, 0, sizeof(*d));
	pf_buf_init(&d->text, 0);
	d->width = width;
	d->nsections = 1;
}

void pf_doc_release(struct pf_doc *d)
{
	size_t i;

	pf_buf_release(&d->text);
	free(d->spans);
	free(d->lines);
	for (i = 0; i < d->nheadings; i++)
		free(d->headings[i].text);
	free(d->headings);
	memset(d, 0, sizeof(*d));
	pf_buf_init(&d->text, 0);
}

static int grow(void **p, size_t *alloc, size_t need, size_t size)
{
	size_t na;
	void *np;

	if (need <= *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 64;
	while (na < need)
		na *= 2;
	np = realloc(*p, na * size);
	if (!np)
		return -1;
	*p = np;
	*alloc = na;
	return 0;
}

static void new_line(struct ctx *c)
{
	struct pf_doc *d = c->out;
	struct pf_doc_line *l;

	if (grow((void **)&d->lines, &d->alines, d->nlines + 1, sizeof(*d->lines)) < 0) {
		c->oom = 1;
		c->open = 0;
		return;
	}
	l = &d->lines[d->nlines++];
	memset(l, 0, sizeof(*l));
	l->span = (uint32_t)d->nspans;
	l->section = c->section;
	c->open = 1;
}

/* Append text to the open line as one span (merged with the previous one
 * when the style is the same). */
static void put(struct ctx *c, const char *s, size_t n, uint32_t style)
{
	struct pf_doc *d = c->out;
	struct pf_doc_line *l;
	struct pf_doc_span *sp;

	if (!c->open || n == 0 || c->oom)
		return;
	l = &d->lines[d->nlines - 1];
	if (l->nspans) {
		sp = &d->spans[d->nspans - 1];
		if (sp->style == style && sp->off + sp->len == d->text.len) {
			if (pf_buf_append(&d->text, s, n) < 0)
				c->oom = 1;
			sp->len += (uint32_t)n;
			l->width += (uint32_t)strwidth(s, n);
			return;
		}
	}
	if (grow((void **)&d->spans, &d->aspans, d->nspans + 1, sizeof(*d->spans)) < 0) {
		c->oom = 1;
		return;
	}
	sp = &d->spans[d->nspans++];
	sp->off = (uint32_t)d->text.len;
	sp->len = (uint32_t)n;
	sp->style = style;
	sp->col = l->width;
	l->nspans++;
	l->width += (uint32_t)strwidth(s, n);
	if (pf_buf_append(&d->text, s, n) < 0)
		c->oom = 1;
}

static void puts_(struct ctx *c, const char *s, uint32_t style)
{
	put(c, s, strlen(s), style);
}

static void pad(struct ctx *c, int n, uint32_t style)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		int k = n < 32 ? n : 32;

		put(c, spaces, (size_t)k, style);
		n -= k;
	}
}

static void repeat(struct ctx *c, const char *g, int n, uint32_t style)
{
	while (n-- > 0)
		puts_(c, g, style);
}

/* Start a line: the prefixes of the enclosing containers. A blank line
 * does not use up a list item's bullet. */
static void line_begin(struct ctx *c, int blank)
{
	int i;

	new_line(c);
	for (i = 0; i < c->npre && i < MAX_DEPTH; i++) {
		struct prefix *p = &c->pre[i];

		if (!p->used && !blank) {
			puts_(c, p->first, p->style);
			p->used = 1;
		} else if (!p->used) {
			pad(c, strwidth(p->first, strlen(p->first)), 0);
		} else {
			puts_(c, p->rest, p->style);
		}
	}
}

/* Close the open line, trimming trailing spaces. */
static void line_end(struct ctx *c)
{
	struct pf_doc *d = c->out;
	struct pf_doc_line *l;

	if (!c->open || c->oom) {
		c->open = 0;
		return;
	}
	l = &d->lines[d->nlines - 1];
	while (l->nspans) {
		struct pf_doc_span *sp = &d->spans[l->span + l->nspans - 1];

		while (sp->len && d->text.data[sp->off + sp->len - 1] == ' ') {
			sp->len--;
			l->width--;
		}
		if (sp->len)
			break;
		l->nspans--;
		d->nspans--;
	}
	c->open = 0;
}

static void blank_line(struct ctx *c)
{
	line_begin(c, 1);
	line_end(c);
}

static void block_start(struct ctx *c)
{
	if (c->pending_blank && c->out->nlines)
		blank_line(c);
	c->pending_blank = 0;
}

static void block_end(struct ctx *c)
{
	c->pending_blank = !c->tight;
}

static int avail(const struct ctx *c)
{
	int a = c->width - c->prefix_w;

	if (a < 8 && c->npre) /* very deep nesting still gets some room */
		a = 8;
	return a < 1 ? 1 : a;
}

static void push_prefix(struct ctx *c, const char *first, const char *rest, uint32_t style)
{
	struct prefix *p;

	if (c->npre >= MAX_DEPTH) { /* deeper nesting is flattened */
		c->npre++;
		return;
	}
	p = &c->pre[c->npre++];
	pf_fmt(p->first, sizeof(p->first), "%s", first);
	pf_fmt(p->rest, sizeof(p->rest), "%s", rest);
	p->style = style;
	p->used = 0;
	c->prefix_w += strwidth(first, strlen(first));
}

static void pop_prefix(struct ctx *c)
{
	c->npre--;
	if (c->npre < MAX_DEPTH)
		c->prefix_w -= strwidth(c->pre[c->npre].first, strlen(c->pre[c->npre].first));
}

/* ---- inline content ---- */

static void inl_reset(struct inl *in)
{
	pf_buf_truncate(&in->text, 0);
}

static void inl_add(struct ctx *c, struct inl *in, const char *s, size_t n, uint32_t style)
{
	struct pf_buf t = PF_BUF_INIT;
	size_t i, at = in->text.len;

	if (c->ascii && !is_ascii(s, n)) {
		if (pf_doc_ascii(s, n, &t) < 0) {
			c->oom = 1;
			goto out;
		}
		s = t.data;
		n = t.len;
	}
	if (grow((void **)&in->style, &in->astyle, at + n + 1, sizeof(*in->style)) < 0 ||
	    pf_buf_append(&in->text, s, n) < 0) {
		c->oom = 1;
		goto out;
	}
	for (i = 0; i < n; i++)
		in->style[at + i] = style;
out:
	pf_buf_release(&t);
}

static void inl_adds(struct ctx *c, struct inl *in, const char *s, uint32_t style)
{
	if (s)
		inl_add(c, in, s, strlen(s), style);
}

/* Plain text of a subtree (for headings' records and link comparison). */
static void plain_text(cmark_node *n, struct pf_buf *out)
{
	cmark_node *ch;

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		pf_buf_puts(out, cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "");
		return;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		pf_buf_putc(out, ' ');
		return;
	default:
		break;
	}
	for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
		plain_text(ch, out);
}

static int type_is(cmark_node *n, const char *name)
{
	const char *t = cmark_node_get_type_string(n);

	return t && strcmp(t, name) == 0;
}

/* Whether a link's text already says where it goes (autolinks: the URL
 * itself, www.x for http://www.x, an address for mailto:). */
static int same_target(const char *url, const char *text)
{
	static const char *const schemes[] = { "http://", "https://", "mailto:" };
	size_t i;

	if (strcmp(url, text) == 0)
		return 1;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (pf_startswith(url, schemes[i]) && strcmp(url + strlen(schemes[i]), text) == 0)
			return 1;
	return 0;
}

static void gather(struct ctx *c, struct inl *in, cmark_node *n, uint32_t style)
{
	cmark_node *ch;
	const char *lit = cmark_node_get_literal(n);

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
		inl_adds(c, in, lit, style);
		return;
	case CMARK_NODE_CODE:
		inl_adds(c, in, lit, style | PF_DS_CODE);
		return;
	case CMARK_NODE_SOFTBREAK:
		inl_add(c, in, " ", 1, style);
		return;
	case CMARK_NODE_LINEBREAK:
		inl_add(c, in, "\n", 1, style);
		return;
	case CMARK_NODE_HTML_INLINE:
		if (lit && strncmp(lit, "<!--", 4) != 0 && strncasecmp(lit, "<br", 3) != 0)
			inl_adds(c, in, lit, style);
		else if (lit && strncasecmp(lit, "<br", 3) == 0)
			inl_add(c, in, "\n", 1, style);
		return;
	case CMARK_NODE_EMPH:
		style |= PF_DS_ITALIC;
		break;
	case CMARK_NODE_STRONG:
		style |= PF_DS_BOLD;
		if (n == c->label)
			style |= c->label_style;
		break;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE: {
		const char *url = cmark_node_get_url(n);
		struct pf_buf txt = PF_BUF_INIT;
		int image = cmark_node_get_type(n) == CMARK_NODE_IMAGE;

		plain_text(n, &txt);
		if (image)
			inl_adds(c, in, "[image: ", style | PF_DS_LINK);
		for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
			gather(c, in, ch, style | PF_DS_LINK);
		if (image)
			inl_adds(c, in, "]", style | PF_DS_LINK);
		/* An autolink shows its text only; "mailto:" autolinks too. */
		if (url && *url && !same_target(url, txt.data)) {
			inl_adds(c, in, " (", style | PF_DS_URL);
			inl_adds(c, in, url, style | PF_DS_URL);
			inl_adds(c, in, ")", style | PF_DS_URL);
		}
		pf_buf_release(&txt);
		return;
	}
	default:
		if (type_is(n, "strikethrough"))
			style |= PF_DS_STRIKE;
		break;
	}
	for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
		gather(c, in, ch, style);
}

/* Put bytes [from, to) of the gathered text, one span per style run. */
static void put_styled(struct ctx *c, const struct inl *in, size_t from, size_t to)
{
	while (from < to) {
		size_t j = from + 1;

		while (j < to && in->style[j] == in->style[from])
			j++;
		put(c, in->text.data + from, j - from, in->style[from]);
		from = j;
	}
}

/* Fill the gathered text into lines of the available width. */
static void wrap(struct ctx *c, const struct inl *in, uint32_t extra)
{
	const char *s = in->text.data;
	size_t n = in->text.len, i = 0;
	int w = avail(c), col = 0, have = 0;
	size_t k;

	for (k = 0; k < n; k++) /* styles every byte of a heading gets */
		in->style[k] |= extra;
	line_begin(c, 0);
	while (i < n) {
		size_t start, end;
		int ww, forced = 0;

		while (i < n && (s[i] == ' ' || s[i] == '\n')) {
			if (s[i] == '\n')
				forced = 1;
			i++;
		}
		if (i >= n)
			break;
		if (forced && have) {
			line_end(c);
			line_begin(c, 0);
			col = 0;
			have = 0;
		}
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\n')
			i++;
		end = i;
		ww = strwidth(s + start, end - start);
		if (have && col + 1 + ww > w) {
			line_end(c);
			line_begin(c, 0);
			col = 0;
			have = 0;
		}
		if (have) {
			put(c, " ", 1, in->style[start - 1]);
			col++;
		}
		if (ww <= w - col) {
			put_styled(c, in, start, end);
			col += ww;
			have = 1;
			continue;
		}
		/* A word longer than the line: break it between characters. */
		while (start < end) {
			size_t j = start;
			int cw = 0;

			while (j < end) {
				wchar_t wc;
				size_t len = utf8_decode(s + j, end - j, &wc);
				int chw = char_width(wc);

				if (col + cw + chw > w && j > start)
					break;
				cw += chw;
				j += len;
			}
			if (j == start && have) {
				line_end(c);
				line_begin(c, 0);
				col = 0;
				have = 0;
				continue;
			}
			put_styled(c, in, start, j);
			col += cw;
			have = 1;
			start = j;
			if (start < end) {
				line_end(c);
				line_begin(c, 0);
				col = 0;
				have = 0;
			}
		}
	}
	line_end(c);
}

/* ---- blocks ---- */

static void block(struct ctx *c, cmark_node *n);

static void children(struct ctx *c, cmark_node *n)
{
	cmark_node *ch;

	for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
		block(c, ch);
}

static void paragraph(struct ctx *c, cmark_node *n, uint32_t extra)
{
	cmark_node *ch;

	inl_reset(&c->inl);
	for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
		gather(c, &c->inl, ch, 0);
	block_start(c);
	wrap(c, &c->inl, extra);
	block_end(c);
}

static int add_heading(struct ctx *c, cmark_node *n, int level)
{
	struct pf_doc *d = c->out;
	struct pf_buf txt = PF_BUF_INIT;
	struct pf_doc_heading *h;

	if (grow((void **)&d->headings, &d->aheadings, d->nheadings + 1, sizeof(*d->headings)) < 0)
		return -1;
	plain_text(n, &txt);
	if (c->ascii && ascii_in_place(&txt) < 0) {
		pf_buf_release(&txt);
		return -1;
	}
	h = &d->headings[d->nheadings++];
	h->level = level;
	h->line = d->nlines;
	h->text = pf_buf_detach(&txt, NULL);
	return 0;
}

static void heading(struct ctx *c, cmark_node *n)
{
	int level = cmark_node_get_heading_level(n);
	uint32_t st = PF_DS_BOLD | (level == 1 ? PF_DS_H1 : level == 2 ? PF_DS_H2 : PF_DS_H3);
	size_t first, i;
	uint32_t maxw = 0;
	cmark_node *ch;

	block_start(c);
	if (level == 2 && c->npre == 0) {
		c->section++;
		c->out->nsections = c->section + 1;
	}
	if (add_heading(c, n, level) < 0)
		c->oom = 1;
	first = c->out->nlines;
	inl_reset(&c->inl);
	for (ch = cmark_node_first_child(n); ch; ch = cmark_node_next(ch))
		gather(c, &c->inl, ch, 0);
	wrap(c, &c->inl, st);
	for (i = first; i < c->out->nlines && !c->oom; i++) {
		c->out->lines[i].heading = (uint16_t)level;
		if (c->out->lines[i].width > maxw)
			maxw = c->out->lines[i].width;
	}
	if (level <= 2 && !c->oom) {
		int w = (int)maxw - c->prefix_w;

		line_begin(c, 0);
		repeat(c, level == 1 ? c->g->h1rule : c->g->rule, w > 0 ? w : 1, PF_DS_RULE | st);
		line_end(c);
	}
	block_end(c);
}

/* Expand tabs to 4-column stops. */
static void expand_tabs(const char *s, size_t n, struct pf_buf *out)
{
	size_t i;
	int col = 0;

	pf_buf_truncate(out, 0);
	for (i = 0; i < n; i++) {
		if (s[i] == '\t') {
			int k = 4 - col % 4;

			pf_buf_pad(out, ' ', (size_t)k);
			col += k;
		} else {
			pf_buf_putc(out, s[i]);
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				col++;
		}
	}
}

/* Take back the 4-column code indentation just put by line_begin(). */
static void d_unput_indent(struct ctx *c)
{
	struct pf_doc *d = c->out;
	struct pf_doc_line *l = &d->lines[d->nlines - 1];
	struct pf_doc_span *sp;

	if (!l->nspans || c->oom)
		return;
	sp = &d->spans[l->span + l->nspans - 1];
	if (sp->len < 4 || sp->style != PF_DS_BLOCK)
		return;
	sp->len -= 4;
	l->width -= 4;
	d->text.len -= 4;
	d->text.data[d->text.len] = '\0';
	if (!sp->len) {
		l->nspans--;
		d->nspans--;
	}
}

static void code_block(struct ctx *c, cmark_node *n, int html)
{
	const char *lit = cmark_node_get_literal(n);
	const char *info = html ? NULL : cmark_node_get_fence_info(n);
	enum pf_hl_lang lang = pf_doc_hl_lang(info);
	struct pf_buf line = PF_BUF_INIT;
	int state = 0, w;
	const char *p, *end;

	if (!lit)
		return;
	if (html && strncmp(lit, "<!--", 4) == 0)
		return; /* an author's comment */
	block_start(c);
	if (info && *info) {
		size_t k = strcspn(info, " \t{");

		line_begin(c, 0);
		puts_(c, "  ", 0);
		put(c, info, k, PF_DS_LABEL);
		line_end(c);
	}
	push_prefix(c, "    ", "    ", PF_DS_BLOCK);
	w = avail(c);
	p = lit;
	end = lit + strlen(lit);
	if (end > p && end[-1] == '\n')
		end--;
	while (p <= end && !c->oom) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t i = 0;

		expand_tabs(p, ln, &line);
		if (c->ascii && ascii_in_place(&line) < 0)
			c->oom = 1;
		inl_reset(&c->inl);
		inl_add(c, &c->inl, line.data, line.len, PF_DS_BLOCK);
		if (!c->oom && line.len)
			pf_doc_hl_line(lang, line.data, line.len, &state, c->inl.style);
		for (i = 0; i < line.len && !c->oom; i++)
			c->inl.style[i] |= PF_DS_BLOCK;
		/* Long lines are cut at the width and continue below. */
		i = 0;
		do {
			size_t j = i;
			int col = 0;

			while (j < line.len) {
				wchar_t wc;
				size_t len = utf8_decode(line.data + j, line.len - j, &wc);
				int chw = char_width(wc);

				if (col + chw > w && j > i)
					break;
				col += chw;
				j += len;
			}
			line_begin(c, 0);
			if (i > 0) { /* mark the continuation in the indentation */
				d_unput_indent(c);
				puts_(c, c->g->cont, PF_DS_RULE);
			}
			put_styled(c, &c->inl, i, j);
			line_end(c);
			i = j;
		} while (i < line.len && !c->oom);
		if (!nl)
			break;
		p = nl + 1;
	}
	pop_prefix(c);
	pf_buf_release(&line);
	block_end(c);
}

static void quote(struct ctx *c, cmark_node *n)
{
	cmark_node *para = cmark_node_first_child(n);
	cmark_node *strong = para ? cmark_node_first_child(para) : NULL;
	cmark_node *save_label = c->label;
	uint32_t save_style = c->label_style, st = PF_DS_QUOTE;
	char bar[16];

	if (para && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH && strong &&
	    cmark_node_get_type(strong) == CMARK_NODE_STRONG) {
		struct pf_buf t = PF_BUF_INIT;

		plain_text(strong, &t);
		if (!strncasecmp(t.data, "tip", 3) || !strncasecmp(t.data, "note", 4) ||
		    !strncasecmp(t.data, "hint", 4))
			st |= PF_DS_TIP;
		else if (!strncasecmp(t.data, "warning", 7) || !strncasecmp(t.data, "caution", 7) ||
			 !strncasecmp(t.data, "important", 9) || !strncasecmp(t.data, "danger", 6))
			st |= PF_DS_WARN;
		pf_buf_release(&t);
		if (st != PF_DS_QUOTE) {
			c->label = strong;
			c->label_style = st & ~(uint32_t)PF_DS_QUOTE;
		}
	}
	block_start(c);
	pf_fmt(bar, sizeof(bar), "%s ", c->g->quote);
	push_prefix(c, bar, bar, st);
	children(c, n);
	pop_prefix(c);
	c->label = save_label;
	c->label_style = save_style;
	c->pending_blank = 1;
}

static void list(struct ctx *c, cmark_node *n)
{
	int ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	int start = cmark_node_get_list_start(n), idx = 0, nitems = 0, numw;
	int save_tight = c->tight;
	char delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
	const char *bullet = c->g->bullet[c->list_depth % 3];
	cmark_node *it;
	char num[16];

	for (it = cmark_node_first_child(n); it; it = cmark_node_next(it))
		nitems++;
	pf_fmt(num, sizeof(num), "%d", start + (nitems ? nitems - 1 : 0));
	numw = (int)strlen(num);
	block_start(c);
	c->tight = cmark_node_get_list_tight(n);
	c->list_depth++;
	for (it = cmark_node_first_child(n); it; it = cmark_node_next(it), idx++) {
		char first[48], rest[48];
		int w;

		if (ordered)
			pf_fmt(first, sizeof(first), "%*d%c ", numw, start + idx, delim);
		else
			pf_fmt(first, sizeof(first), "%s ", bullet);
		if (type_is(it, "tasklist"))
			pf_fmt(first + strlen(first), sizeof(first) - strlen(first), "%s ",
				 cmark_gfm_extensions_get_tasklist_item_checked(it) ? c->g->done
										    : c->g->todo);
		w = strwidth(first, strlen(first));
		pf_fmt(rest, sizeof(rest), "%*s", w, "");
		push_prefix(c, first, rest, PF_DS_MARK);
		c->pending_blank = idx > 0 && !c->tight;
		if (!cmark_node_first_child(it)) { /* an empty item still shows */
			line_begin(c, 0);
			line_end(c);
		}
		children(c, it);
		pop_prefix(c);
	}
	c->list_depth--;
	c->tight = save_tight;
	c->pending_blank = !c->tight || c->list_depth == 0;
}

static void rule(struct ctx *c)
{
	block_start(c);
	line_begin(c, 0);
	repeat(c, c->g->rule, avail(c), PF_DS_RULE);
	line_end(c);
	block_end(c);
}

/* ---- tables ---- */

struct cell {
	struct inl in;
	int natural; /* width on one line */
	int minw;    /* widest word */
};

static void measure(struct cell *cl)
{
	const char *s = cl->in.text.data;
	size_t n = cl->in.text.len, i = 0;

	cl->natural = 0;
	cl->minw = 1;
	while (i < n) {
		size_t j = i;
		int w;

		while (j < n && s[j] != ' ' && s[j] != '\n')
			j++;
		w = strwidth(s + i, j - i);
		if (w > cl->minw)
			cl->minw = w;
		i = j < n ? j + 1 : j;
	}
	cl->natural = strwidth(s, n);
}

static void border(struct ctx *c, const int *colw, int ncols, const char *l, const char *m,
		   const char *r)
{
	int i;

	line_begin(c, 0);
	puts_(c, l, PF_DS_BORDER);
	for (i = 0; i < ncols; i++) {
		repeat(c, c->g->hz, colw[i] + 2, PF_DS_BORDER);
		puts_(c, i + 1 < ncols ? m : r, PF_DS_BORDER);
	}
	line_end(c);
}

static void table(struct ctx *c, cmark_node *n)
{
	int ncols = cmark_gfm_extensions_get_table_columns(n);
	uint8_t *align = cmark_gfm_extensions_get_table_alignments(n);
	struct cell *cells = NULL;
	struct pf_doc *sub = NULL;
	int *colw = NULL, *minw = NULL, nrows = 0, r, i, total, room, separate = 0;
	cmark_node *row, *cellnode;

	if (ncols <= 0)
		return;
	for (row = cmark_node_first_child(n); row; row = cmark_node_next(row))
		nrows++;
	cells = calloc((size_t)(nrows * ncols), sizeof(*cells));
	colw = calloc((size_t)ncols, sizeof(*colw));
	minw = calloc((size_t)ncols, sizeof(*minw));
	sub = calloc((size_t)ncols, sizeof(*sub));
	if (!cells || !colw || !minw || !sub) {
		c->oom = 1;
		goto out;
	}
	for (i = 0; i < nrows * ncols; i++)
		pf_buf_init(&cells[i].in.text, 0);
	for (i = 0; i < ncols; i++)
		doc_init(&sub[i], 0);
	r = 0;
	for (row = cmark_node_first_child(n); row; row = cmark_node_next(row), r++) {
		uint32_t st = type_is(row, "table_header") ? PF_DS_TH | PF_DS_BOLD : 0;

		i = 0;
		for (cellnode = cmark_node_first_child(row); cellnode && i < ncols;
		     cellnode = cmark_node_next(cellnode), i++) {
			struct cell *cl = &cells[r * ncols + i];
			cmark_node *ch;

			for (ch = cmark_node_first_child(cellnode); ch; ch = cmark_node_next(ch))
				gather(c, &cl->in, ch, st);
			measure(cl);
			if (cl->natural > colw[i])
				colw[i] = cl->natural;
			if (cl->minw > minw[i])
				minw[i] = cl->minw;
		}
	}
	/* Shrink the widest columns until the table fits, sparing whole words
	 * first; cells then wrap. */
	room = avail(c) - (3 * ncols + 1);
	for (;;) {
		int widest = -1, spare = -1;

		total = 0;
		for (i = 0; i < ncols; i++) {
			total += colw[i];
			if (colw[i] > 3 && (widest < 0 || colw[i] > colw[widest]))
				widest = i;
			if (colw[i] > minw[i] && (spare < 0 || colw[i] > colw[spare]))
				spare = i;
		}
		if (total <= room || widest < 0)
			break;
		colw[spare >= 0 ? spare : widest]--;
	}
	for (i = 0; i < ncols; i++)
		if (colw[i] < 1)
			colw[i] = 1;

	/* When a body row wraps, rules between the rows keep them apart. */
	for (r = 0; r < nrows && !separate; r++)
		for (i = 0; i < ncols; i++)
			if (r > 0 && cells[r * ncols + i].natural > colw[i])
				separate = 1;
	block_start(c);
	border(c, colw, ncols, c->g->tl, c->g->tm, c->g->tr);
	r = 0;
	for (row = cmark_node_first_child(n); row; row = cmark_node_next(row), r++) {
		size_t height = 0, ln;

		if (r > 1 && separate)
			border(c, colw, ncols, c->g->ml, c->g->mm, c->g->mr);

		for (i = 0; i < ncols; i++) {
			struct ctx sc;

			pf_doc_release(&sub[i]);
			doc_init(&sub[i], colw[i]);
			memset(&sc, 0, sizeof(sc));
			sc.out = &sub[i];
			sc.width = colw[i];
			sc.g = c->g;
			sc.ascii = c->ascii;
			if (cells[r * ncols + i].in.text.len) {
				wrap(&sc, &cells[r * ncols + i].in, 0);
			}
			if (sc.oom)
				c->oom = 1;
			if (sub[i].nlines > height)
				height = sub[i].nlines;
		}
		if (height == 0)
			height = 1;
		for (ln = 0; ln < height && !c->oom; ln++) {
			line_begin(c, 0);
			puts_(c, c->g->vt, PF_DS_BORDER);
			for (i = 0; i < ncols; i++) {
				const struct pf_doc *sd = &sub[i];
				int w = 0, left = 0;
				char a = align ? (char)align[i] : 0;
				uint32_t k;

				if (ln < sd->nlines)
					w = (int)sd->lines[ln].width;
				if (a == 'r')
					left = colw[i] - w;
				else if (a == 'c')
					left = (colw[i] - w) / 2;
				pad(c, 1 + left, 0);
				if (ln < sd->nlines) {
					const struct pf_doc_line *l = &sd->lines[ln];

					for (k = 0; k < l->nspans; k++) {
						const struct pf_doc_span *sp = &sd->spans[l->span + k];

						put(c, sd->text.data + sp->off, sp->len, sp->style);
					}
				}
				pad(c, colw[i] - w - left + 1, 0);
				puts_(c, c->g->vt, PF_DS_BORDER);
			}
			line_end(c);
		}
		if (r == 0 && type_is(row, "table_header"))
			border(c, colw, ncols, c->g->ml, c->g->mm, c->g->mr);
	}
	border(c, colw, ncols, c->g->bl, c->g->bm, c->g->br);
	block_end(c);
out:
	if (cells) {
		for (i = 0; i < nrows * ncols; i++) {
			pf_buf_release(&cells[i].in.text);
			free(cells[i].in.style);
		}
	}
	if (sub)
		for (i = 0; i < ncols; i++)
			pf_doc_release(&sub[i]);
	free(cells);
	free(colw);
	free(minw);
	free(sub);
}

static void block(struct ctx *c, cmark_node *n)
{
	if (c->oom)
		return;
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_DOCUMENT:
		children(c, n);
		return;
	case CMARK_NODE_PARAGRAPH:
		paragraph(c, n, 0);
		return;
	case CMARK_NODE_HEADING:
		heading(c, n);
		return;
	case CMARK_NODE_CODE_BLOCK:
		code_block(c, n, 0);
		return;
	case CMARK_NODE_HTML_BLOCK:
		code_block(c, n, 1);
		return;
	case CMARK_NODE_BLOCK_QUOTE:
		quote(c, n);
		return;
	case CMARK_NODE_LIST:
		list(c, n);
		return;
	case CMARK_NODE_THEMATIC_BREAK:
		rule(c);
		return;
	default:
		if (type_is(n, "table"))
			table(c, n);
		else
			children(c, n);
		return;
	}
}

/* ---- entry points ---- */

static cmark_node *parse(const char *md, size_t len)
{
	static const char *const exts[] = { "table", "tasklist", "strikethrough", "autolink" };
	cmark_parser *p;
	cmark_node *root;
	size_t i;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(CMARK_OPT_DEFAULT);
	if (!p)
		return NULL;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md, len);
	root = cmark_parser_finish(p);
	cmark_parser_free(p);
	return root;
}

int pf_doc_layout(struct pf_doc *doc, const char *md, size_t len, int width, int flags,
		  struct pf_err *err)
{
	struct ctx c;
	cmark_node *root;
	locale_t loc = utf8_locale(), old = (locale_t)0;
	int rc = 0;

	if (width < 20)
		width = 20;
	if (width > 1000)
		width = 1000;
	doc_init(doc, width);
	memset(&c, 0, sizeof(c));
	c.out = doc;
	c.width = width;
	c.g = (flags & PF_DOC_ASCII) ? &ascii_glyphs : &utf8_glyphs;
	c.ascii = (flags & PF_DOC_ASCII) != 0;
	c.tight = 0;
	pf_buf_init(&c.inl.text, 0);
	root = parse(md, len);
	if (!root)
		return pf_err_set(err, PF_EFAIL, "out of memory");
	if (loc)
		old = uselocale(loc);
	block(&c, root);
	if (loc)
		uselocale(old);
	cmark_node_free(root);
	pf_buf_release(&c.inl.text);
	free(c.inl.style);
	if (c.oom) {
		pf_doc_release(doc);
		rc = pf_err_set(err, PF_EFAIL, "out of memory laying out the chapter");
	}
	return rc;
}

int pf_doc_layout_file(struct pf_doc *doc, const char *path, int width, int flags,
		       struct pf_err *err)
{
	struct pf_buf b;
	int rc;

	doc_init(doc, width);
	pf_buf_init(&b, 16u << 20);
	if (pf_buf_read_file(&b, path) < 0) {
		rc = pf_err_set(err, errno == EFBIG ? PF_EINPUT : PF_EFAIL, "%s: %s", path,
				errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
		pf_buf_release(&b);
		return rc;
	}
	rc = pf_doc_layout(doc, b.data, b.len, width, flags, err);
	pf_buf_release(&b);
	return rc;
}

int pf_doc_line_text(const struct pf_doc *doc, size_t i, struct pf_buf *out)
{
	const struct pf_doc_line *l;
	uint32_t k;

	if (i >= doc->nlines)
		return -1;
	l = &doc->lines[i];
	for (k = 0; k < l->nspans; k++) {
		const struct pf_doc_span *sp = &doc->spans[l->span + k];

		if (pf_buf_append(out, doc->text.data + sp->off, sp->len) < 0)
			return -1;
	}
	return 0;
}
