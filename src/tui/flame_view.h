/*
 * flame_view.h - the interactive flame graph in the terminal (ncurses).
 *
 * The graph is drawn top-down (root on the first row, callees below, like
 * pprof's web flame graph), each frame a bar as wide as its share of the
 * zoomed frame, coloured by library/package (or red/blue by change for a
 * differential tree, see flame.h). The last line is the status line: the
 * selected frame's name, value in the sample type's unit and percentage
 * (before/after and the change for a diff), or the search's matched share.
 *
 * Keys: Left/Right (h/l) the previous/next frame on the same row;
 * Up (k) the parent; Down (j) the widest child; Enter zoom into the
 * selected frame; Backspace or Esc zoom out one level; Home/0 reset zoom;
 * / a regex search (POSIX extended) that highlights matching frames and
 * shows their share (n: next match; an empty search clears it); q quits.
 *
 * Two ways to call it:
 *  - pf_flame_view_run(): owns the terminal: starts curses, runs, ends
 *    curses and restores the terminal. For `proflab flame` and the pprof
 *    shell. stdin and stdout must be a terminal (else PF_EUSAGE).
 *  - pf_flame_view_embed(): inside an already-active curses session (the
 *    course TUI): draws into the screen region (y, x, h, w) — pass h or w
 *    <= 0 for the whole screen — and returns when q is pressed, leaving
 *    curses active; the caller redraws its own screen afterwards. It
 *    sets keypad mode on stdscr and may change colour pairs 40..63.
 */
#ifndef PF_FLAME_VIEW_H
#define PF_FLAME_VIEW_H

#include "../base/err.h"
#include "../pprof/flame.h"

/* title: shown on the first line (e.g. the file name); may be NULL.
 * 0, or negative with err set. */
int pf_flame_view_run(const struct pf_flame *fg, const char *title, struct pf_err *err);
int pf_flame_view_embed(const struct pf_flame *fg, const char *title, int y, int x, int h,
			int w);

/*
 * For benchmarks: lay out and draw the whole graph `n` times on an
 * off-screen terminal of rows x cols (no tty needed), and return the mean
 * milliseconds per redraw, or a negative value on error.
 */
double pf_flame_view_bench(const struct pf_flame *fg, int rows, int cols, int n);

#endif
