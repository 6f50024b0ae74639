/*
 * main.c - the proflab command: dispatch to a subcommand, or open the
 * course TUI when there is none.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "../base/err.h"
#include "../base/paths.h"
#include "command.h"
#include "config.h"

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: proflab [COMMAND] [OPTIONS] [ARGS]\n\n"
		   "proflab is a profiling course in the terminal. With no command it opens\n"
		   "the course where you left off.\n\ncommands:\n");
	for (i = 0; pf_commands[i]; i++)
		fprintf(f, "  %-10s %s\n", pf_commands[i]->name, pf_commands[i]->summary);
	fprintf(f, "\nproflab COMMAND --help shows a command's options; proflab --version its version.\n"
		   "Exit status: 0 success, 1 the thing asked for failed, 2 usage or malformed input.\n");
}

/* The learner's directories, resolved before any command runs (and before
 * any of them changes directory). */
static int init_paths(void)
{
	struct pf_err err = { 0 };

	if (pf_paths_init(&err) < 0) {
		fprintf(stderr, "proflab: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int dispatch(int argc, char **argv, const char **name)
{
	const struct pf_command *c;

	if (argc < 2)
		return init_paths() < 0 ? 2 : pf_cmd_tui.run(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = pf_command_find(argv[2]))) {
			pf_command_print_help(c);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("proflab %s\n", PF_VERSION);
		return 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "proflab: unknown option %s (see proflab --help)\n", argv[1]);
		return 2;
	}
	c = pf_command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "proflab: unknown command '%s' (see proflab --help)\n", argv[1]);
		return 2;
	}
	*name = c->name;
	if (!c->stateless && init_paths() < 0)
		return 2;
	return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	int status;

	setlocale(LC_ALL, "");
	status = dispatch(argc, argv, &name);
	return pf_command_finish_stdout(name, status);
}
