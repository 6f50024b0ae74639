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

static void on_signal(int sig)
{
	pf_exercise_interrupt();
	(void)sig;
	_exit(130);
}

void pf_exui_catch_interrupt(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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
