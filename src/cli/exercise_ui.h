/*
 * exercise_ui.h - what the exercise commands (run, check) share on the
 * terminal: the progress line on stderr and Ctrl-C handling that kills the
 * child's process group.
 */
#ifndef PF_EXERCISE_UI_H
#define PF_EXERCISE_UI_H

/* Install a SIGINT, SIGTERM, SIGHUP and SIGQUIT handler that kills the
 * running child's process group and exits 128 + the signal's number (130
 * for Ctrl-C, 143 for SIGTERM). SIGHUP stays ignored if it was (nohup).
 * Should proflab die otherwise (kill -9), the child dies with it
 * (exercise_spawn.c). */
void pf_exui_catch_interrupt(void);
/* A pf_exercise_progress_fn: a live line on a terminal, one line per phase
 * otherwise. ctx is the command name ("run", "check"). */
void pf_exui_progress(void *ctx, const char *phase, double elapsed, double limit);
/* Clear the live line (before printing results). */
void pf_exui_progress_end(void);

#endif
