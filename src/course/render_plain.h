/*
 * render_plain.h - the plain-text back-end of the layout engine (doc.h):
 * a laid-out document as lines of text, optionally coloured with ANSI
 * SGR escapes. Without colour the output holds no escape codes at all, so
 * it can be piped, diffed and kept as golden files.
 */
#ifndef PF_RENDER_PLAIN_H
#define PF_RENDER_PLAIN_H

#include "../base/buf.h"
#include "doc.h"

enum {
	PF_PLAIN_COLOR = 1, /* ANSI colours and attributes */
};

/* Append the document's lines, each ending in '\n', to out. 0, or -1 when
 * out of memory. */
int pf_render_plain(const struct pf_doc *doc, int flags, struct pf_buf *out);

/*
 * Decide how `proflab lesson` prints on this process's stdout: the width
 * (the terminal's when stdout is one, else COLUMNS; either only when it is
 * 20 to 1000; else 80) and whether to colour (only when stdout is a
 * terminal, NO_COLOR is unset or empty, TERM is set, not empty and not
 * "dumb", and plain was not asked for).
 */
int pf_render_plain_width(void);
int pf_render_plain_use_color(int plain_requested);

#endif
