/* tui.c - the course TUI: chapter list and main pane. */
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <unistd.h>

#include "../course/lessons.h"

int pf_tui_run(void)
{
	struct pf_lessons ls;
	struct pf_err err = { 0 };
	size_t i;
	int ch;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "proflab: the course needs a terminal; see proflab --help for commands\n");
		return 2;
	}
	if (pf_lessons_load(&ls, &err) < 0) {
		fprintf(stderr, "proflab: %s\n", err.msg);
		return 1;
	}
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	do {
		erase();
		attron(A_BOLD);
		mvprintw(0, 0, "proflab - profiling, hands-on");
		attroff(A_BOLD);
		for (i = 0; i < ls.n; i++)
			mvprintw((int)i + 2, 2, "%2d  %s", ls.items[i].number, ls.items[i].title);
		if (ls.n == 0)
			mvprintw(2, 2, "(no chapters installed)");
		mvprintw(LINES - 1, 0, "q quit");
		refresh();
		ch = getch();
	} while (ch != 'q' && ch != 'Q');
	endwin();
	pf_lessons_release(&ls);
	return 0;
}
