/*
 * term.h - the curses session of the course screens (the TUI and the
 * slides): starting and ending it, giving the terminal back for an editor,
 * restoring it from signal handlers, and drawing laid-out documents
 * (src/course/doc.h) with colours and attributes.
 *
 * Restoration: pf_term_start() installs handlers for SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT and the crash signals (SEGV, BUS, FPE, ILL, ABRT). A
 * handler leaves the alternate screen, shows the cursor and puts back the
 * terminal modes saved at start (only write() and tcsetattr(), both
 * async-signal-safe), then re-raises the signal with its default action.
 */
#ifndef PF_TERM_H
#define PF_TERM_H

#include <stddef.h>
#include <stdint.h>

#include "../course/doc.h"

/* Start curses (cbreak, noecho, keypad, mouse, colours). 0, or -1 when
 * stdin/stdout are not a terminal or curses cannot start. */
int pf_term_start(void);
/* End curses and restore the terminal (idempotent). */
void pf_term_stop(void);
/* Whether decorations should be ASCII (the locale is not UTF-8). */
int pf_term_ascii(void);

/* Hand the terminal to a child (an editor) and take it back. */
void pf_term_suspend(void);
void pf_term_resume(void);

/* The curses attribute for a span style (colour pair and A_* bits). */
unsigned long pf_term_attr(uint32_t style);

/*
 * Draw line `i` of doc at screen row y, from column x, at most w columns,
 * clearing the rest of the width. When match_len > 0 the bytes
 * [match_off, match_off + match_len) of the line's text are highlighted.
 */
void pf_term_draw_line(const struct pf_doc *doc, size_t i, int y, int x, int w,
		       size_t match_off, size_t match_len);

/* Write s at (y, x), clipped to w columns (UTF-8 aware), with attr. */
void pf_term_put(int y, int x, int w, const char *s, unsigned long attr);

#endif
