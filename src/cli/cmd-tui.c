/* cmd-tui.c - `proflab` with no command: the course TUI. */
#include "../tui/tui.h"
#include "command.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return pf_tui_run();
}

const struct pf_command pf_cmd_tui = {
	.name = "",
	.synopsis = "",
	.summary = "the course, resuming where you left off",
	.help = "",
	.run = run,
};
