/* commands.c - the subcommand table, its help output and the check of
 * what the commands write to stdout (command.h). */
#include "command.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* errno of the last failed pf_command_write_stdout, 0 if none failed. */
static int stdout_errno;

const struct pf_command *const pf_commands[] = {
	&pf_cmd_lessons, &pf_cmd_lesson, &pf_cmd_present, &pf_cmd_exercises,
	&pf_cmd_run, &pf_cmd_check, &pf_cmd_reset, &pf_cmd_hint, &pf_cmd_quiz,
	&pf_cmd_progress, &pf_cmd_record, &pf_cmd_pprof, &pf_cmd_flame, NULL,
};

const struct pf_command *pf_command_find(const char *name)
{
	size_t i;

	for (i = 0; pf_commands[i]; i++)
		if (strcmp(pf_commands[i]->name, name) == 0)
			return pf_commands[i];
	return NULL;
}

void pf_command_print_help(const struct pf_command *c)
{
	printf("usage: proflab %s%s%s\n\n%s\n", c->name, c->synopsis[0] ? " " : "",
	       c->synopsis, c->summary);
	if (c->help && c->help[0])
		printf("\n%s", c->help);
}

int pf_command_unavailable(const struct pf_command *c)
{
	fprintf(stderr, "proflab %s: not available yet in this version\n", c->name);
	return 2;
}

void pf_command_write_stdout(const void *data, size_t len)
{
	if (fwrite(data, 1, len, stdout) != len && errno)
		stdout_errno = errno;
}

int pf_command_finish_stdout(const char *name, int status)
{
	int e;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	/* A write that failed before this flush may have left nothing
	 * buffered behind, and then only its caller saw errno. */
	e = errno ? errno : stdout_errno;
	if (e != EPIPE)
		fprintf(stderr, "proflab%s%s: writing standard output: %s\n", name ? " " : "",
			name ? name : "", e ? strerror(e) : "write error");
	return status ? status : 1;
}
