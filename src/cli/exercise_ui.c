/* exercise_ui.c - progress line and Ctrl-C handling for run and check (exercise_ui.h). */
#include "exercise_ui.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../base/str.h"
#include "../course/exercise.h"

static char last_phase[128];
static int live; /* a live line is on the terminal */

/* Ctrl-C, Ctrl-\, kill, a closed terminal: the child is in a process group
 * of its own and gets none of these, so kill its group here. */
static void on_signal(int sig)
{
	pf_exercise_interrupt();
	_exit(128 + sig);
}

void pf_exui_catch_interrupt(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* nohup proflab check --all: a closed terminal must not stop it */
		if (sigs[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void pf_exui_progress(void *ctx, const char *phase, double elapsed, double limit)
{
	const char *cmd = ctx;

	if (isatty(2)) {
		char limit_text[32] = "";

		if (limit > 0)
			pf_fmt(limit_text, sizeof(limit_text), " (limit %gs)", limit);
		fprintf(stderr, "\r\033[K%s: %s... %.1fs%s", cmd, phase, elapsed, limit_text);
		live = 1;
	} else if (strcmp(last_phase, phase) != 0) {
		fprintf(stderr, "%s: %s...\n", cmd, phase);
	}
	pf_fmt(last_phase, sizeof(last_phase), "%s", phase);
}

void pf_exui_progress_end(void)
{
	if (live)
		fprintf(stderr, "\r\033[K");
	live = 0;
	last_phase[0] = '\0';
}
