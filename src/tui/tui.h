/*
 * tui.h - the course's terminal user interface (ncurses lives only under
 * src/tui). pf_tui_run() takes over the terminal and returns the exit
 * status once the learner quits.
 */
#ifndef PF_TUI_H
#define PF_TUI_H

int pf_tui_run(void);

#endif
