/*
 * quiz_view.h - taking a knowledge check interactively, in curses.
 *
 * Two entry points. pf_quiz_view_run() draws on stdscr inside a curses
 * session that the caller already set up (the course TUI: initscr, cbreak,
 * noecho, keypad on stdscr, ideally pf_term_start() of term.h so that
 * Markdown is drawn with the course's colours); it leaves the session as
 * it found it apart from the screen contents, so the caller just redraws.
 * pf_quiz_view_standalone() sets up and tears down curses itself (`proflab quiz N` on a
 * terminal) and prints the final score on stdout afterwards.
 *
 * Keys: a-z choose a letter (single) or toggle it (multiple); arrows or
 * j/k move the cursor, Space toggles (multiple) or picks up and drops the
 * item under the cursor (order: a picked-up item moves with the arrows);
 * typing edits the answer of number/text questions (Backspace erases);
 * Enter submits; after the feedback any key goes on; q or Esc leaves.
 * At the end: r retries the missed questions, q leaves.
 *
 * The grading is pf_quiz_grade() (src/course/quiz.h): the view only
 * collects an answer line such as "b", "a,c" or "c,a,d,b". The score of
 * the first full pass is recorded with pf_progress_record_quiz(); retries
 * of missed questions are practice and are not recorded.
 */
#ifndef PF_QUIZ_VIEW_H
#define PF_QUIZ_VIEW_H

#include "../course/quiz.h"

struct pf_quiz_view_result {
	int finished;   /* 1 when every question was answered once */
	int score;      /* right answers in the first pass */
	int total;      /* questions in the quiz */
	int not_saved;  /* 1 when the score could not be recorded in the progress */
	char warning[512]; /* e.g. progress could not be saved; "" if none */
};

/* Run quiz q in the active curses session (profile questions not yet
 * resolved are resolved first). Fills res; returns 0, or negative with err
 * when the quiz cannot be shown. */
int pf_quiz_view_run(struct pf_quiz *q, struct pf_quiz_view_result *res, struct pf_err *err);

/* Set up curses, run the quiz, restore the terminal, print "score: X/Y"
 * (and any warning on stderr). Returns the exit status of `proflab quiz`:
 * 0 at or above pass_mark percent, 1 below, when left unfinished or when
 * the score could not be saved. */
int pf_quiz_view_standalone(struct pf_quiz *q, double pass_mark);

#endif
