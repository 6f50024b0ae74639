/*
 * term.h - the curses session of the course screens (the TUI and the
 * slides): starting and ending it, giving the terminal back for an editor,
 * restoring it from signal handlers, and drawing laid-out documents
 * (src/course/doc.h) with colours and attributes.
 *
 * Restoration: pf_term_start() installs handlers for SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT and the crash signals (SEGV, BUS, FPE, ILL, ABRT). A
 * handler turns the mouse and the keypad's application mode off, leaves
 * the alternate screen, shows the cursor and puts back the terminal modes
 * saved at start (only write() and tcsetattr(), both async-signal-safe),
 * then re-raises the signal with its default action.
 *
 * Deferred signals: while pf_term_defer_signals(1) is in effect, SIGINT,
 * SIGTERM and SIGHUP only record themselves (the first one wins) and
 * interrupt a blocked getch(); the caller looks at
 * pf_term_pending_signal() at a safe point of its loop, saves what it
 * must, and ends with pf_term_exit_by_signal(). Crash signals are never
 * deferred.
 */
#ifndef PF_TERM_H
#define PF_TERM_H

#include <stddef.h>
#include <stdint.h>

#include "../course/doc.h"

struct pf_err;
/* Create the curses screen on stdin/stdout (newterm). 0, or PF_EUSAGE with
 * a one-line message when stdin/stdout are not a terminal, TERM is unset,
 * empty or unknown, or the terminal cannot address the cursor (no cup,
 * e.g. TERM=dumb). Used by pf_term_start and the flame graph view. */
int pf_term_open_screen(struct pf_err *err);
/* Start curses (cbreak, noecho, keypad, mouse, colours). 0, or
 * pf_term_open_screen's error. */
int pf_term_start(struct pf_err *err);
/* End curses and restore the terminal (idempotent). */
void pf_term_stop(void);
/* Whether decorations should be ASCII (the locale is not UTF-8). */
int pf_term_ascii(void);

/* Turn deferred signals on (1) or off (0); see above. Off at start. */
void pf_term_defer_signals(int on);
/* The deferred signal received (SIGINT, SIGTERM or SIGHUP), or 0. */
int pf_term_pending_signal(void);
/* Forget a deferred signal (e.g. a Ctrl-C meant for a child). */
void pf_term_clear_signal(void);
/* End curses, restore the terminal and die of sig with its default action
 * (so that a shell sees 128 + sig). Does not return. */
void pf_term_exit_by_signal(int sig) __attribute__((noreturn));

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

/* Write s at (y, x), clipped to w columns (UTF-8 aware), with attr;
 * transliterated to ASCII (pf_doc_ascii()) when pf_term_ascii(). */
void pf_term_put(int y, int x, int w, const char *s, unsigned long attr);

#endif
