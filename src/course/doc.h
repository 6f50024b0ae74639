/*
 * doc.h - the layout engine: Markdown (cmark-gfm with the table, tasklist,
 * strikethrough and autolink extensions) laid out at a given width into a
 * device-independent list of styled, wrapped lines.
 *
 * One layout engine, two back-ends: render_plain.h turns a laid-out
 * document into text (optionally with ANSI colours), src/tui draws it with
 * ncurses. Neither back-end knows Markdown; both only map the style bits
 * below onto what their device can show.
 *
 * Widths are terminal columns (wcwidth of each character, whatever the
 * process locale), so wide and combining characters line up. With
 * PF_DOC_ASCII (a locale that is not UTF-8) the decorations the engine
 * adds (bullets, rules, table borders, quote bars) are plain ASCII and the
 * text is transliterated by pf_doc_ascii(), so every line is ASCII.
 *
 * Life cycle: pf_doc_layout() fills a caller-owned struct pf_doc, which
 * the caller reads directly (lines, spans, text, headings; all read-only)
 * and frees with pf_doc_release().
 */
#ifndef PF_DOC_H
#define PF_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

/* Style bits of a span; a back-end shows what it can. */
enum {
	PF_DS_BOLD = 1u << 0,
	PF_DS_ITALIC = 1u << 1,
	PF_DS_CODE = 1u << 2,     /* inline code span */
	PF_DS_LINK = 1u << 3,     /* link text */
	PF_DS_URL = 1u << 4,      /* a link's target, shown after its text */
	PF_DS_STRIKE = 1u << 5,
	PF_DS_H1 = 1u << 6,       /* heading text, by level */
	PF_DS_H2 = 1u << 7,
	PF_DS_H3 = 1u << 8,
	PF_DS_QUOTE = 1u << 9,    /* block quote bar */
	PF_DS_TIP = 1u << 10,     /* "> **Tip:**" quote: bar and label */
	PF_DS_WARN = 1u << 11,    /* "> **Warning:**" quote: bar and label */
	PF_DS_BLOCK = 1u << 12,   /* text of a fenced or indented code block */
	PF_DS_KEYWORD = 1u << 13, /* highlighted parts of code blocks */
	PF_DS_STRING = 1u << 14,
	PF_DS_COMMENT = 1u << 15,
	PF_DS_NUMBER = 1u << 16,
	PF_DS_PROMPT = 1u << 17,  /* "$ " of a console block */
	PF_DS_LABEL = 1u << 18,   /* a code block's language label */
	PF_DS_RULE = 1u << 19,    /* thematic breaks and heading underlines */
	PF_DS_BORDER = 1u << 20,  /* table borders */
	PF_DS_TH = 1u << 21,      /* table header cells */
	PF_DS_MARK = 1u << 22,    /* list bullets and numbers, checkboxes */
	PF_DS_MATCH = 1u << 23,   /* set by search (back-ends), never by layout */
};

struct pf_doc_span {
	uint32_t off;   /* into doc->text */
	uint32_t len;   /* bytes */
	uint32_t style; /* PF_DS_* bits */
	uint32_t col;   /* display column where the span starts */
};

struct pf_doc_line {
	uint32_t span;    /* index of the first span */
	uint32_t nspans;
	uint32_t width;   /* display width of the whole line */
	uint16_t heading; /* 1..6 on the text lines of a heading, else 0 */
	uint16_t section; /* index of the `##` section the line belongs to: 0
			   * before the first level-two heading, then 1, 2... */
};

struct pf_doc_heading {
	int level;
	size_t line;       /* the heading's first line */
	char *text;        /* plain text of the heading (heap) */
};

struct pf_doc {
	struct pf_buf text;          /* the characters of all spans */
	struct pf_doc_span *spans;
	size_t nspans, aspans;
	struct pf_doc_line *lines;
	size_t nlines, alines;
	struct pf_doc_heading *headings; /* in document order */
	size_t nheadings, aheadings;
	int width;                   /* the width laid out for */
	int nsections;               /* 1 + number of level-two headings */
};

enum {
	PF_DOC_ASCII = 1, /* ASCII decorations (no UTF-8 box/bullet characters) */
};

/*
 * Lay out `len` bytes of Markdown at `width` columns (clamped to 20..1000).
 * Returns 0, or negative with err set (out of memory). The document is
 * initialised first, so pf_doc_release() is always safe afterwards.
 */
int pf_doc_layout(struct pf_doc *doc, const char *md, size_t len, int width, int flags,
		  struct pf_err *err);
/* Read a Markdown file and lay it out (file errors name the path). */
int pf_doc_layout_file(struct pf_doc *doc, const char *path, int width, int flags,
		       struct pf_err *err);
void pf_doc_release(struct pf_doc *doc);

/* The text of line i without styles, appended to out (for search, tests). */
int pf_doc_line_text(const struct pf_doc *doc, size_t i, struct pf_buf *out);

/* Display width of a UTF-8 string of n bytes (invalid bytes count 1). */
int pf_doc_strwidth(const char *s, size_t n);

/* Whether the process locale uses UTF-8 (decides PF_DOC_ASCII). */
int pf_doc_locale_is_utf8(void);

/*
 * Append the UTF-8 text s of n bytes to out transliterated to ASCII, for
 * a terminal whose locale is not UTF-8: "—" becomes "--", "→" "->", "·"
 * "-", "…" "..." (and a few more: quotes, ≤, ×, ²...); combining marks
 * and zero-width characters disappear; any other character becomes "?".
 * The layout does this itself under PF_DOC_ASCII; back-ends call it for
 * text they draw outside a document. 0, or -1 out of memory.
 */
int pf_doc_ascii(const char *s, size_t n, struct pf_buf *out);

#endif
