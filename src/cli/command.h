/*
 * command.h - the table of proflab subcommands.
 *
 * Each subcommand lives in its own file, src/cli/cmd-NAME.c, which defines
 * one `const struct pf_command pf_cmd_NAME`; commands.c gathers them in
 * the order `proflab --help` lists them. A command's run function gets
 * argv[0] = its name and returns the process exit status of the command
 * contract: 0 success, 1 the thing asked for failed, 2 usage or malformed
 * input. `CMD --help` is handled by the option parser (opt.h) inside each
 * command, which prints the command's help text.
 *
 * Commands print to stdout and leave the check of it to main(), which
 * calls pf_command_finish_stdout() after every command: one place decides
 * that output that was not written is a failure, and says so once.
 */
#ifndef PF_COMMAND_H
#define PF_COMMAND_H

#include <stddef.h>

struct pf_command {
	const char *name;
	const char *synopsis; /* arguments after the name, for usage lines */
	const char *summary;  /* one line for `proflab --help` */
	const char *help;     /* options and examples for `proflab CMD --help` */
	int (*run)(int argc, char **argv);
	int stateless;        /* uses no learner state: runs without a home directory */
};

/* NULL-terminated, in display order. */
extern const struct pf_command *const pf_commands[];

const struct pf_command *pf_command_find(const char *name);
/* Print "usage: proflab NAME SYNOPSIS", the summary and the help text. */
void pf_command_print_help(const struct pf_command *c);
/* The standard refusal of a subcommand that is not built yet: exit 2. */
int pf_command_unavailable(const struct pf_command *c);

/* Write a command's output, all of it at once, to stdout. Like fwrite,
 * but the reason of a failure is kept for pf_command_finish_stdout (stdio
 * forgets it once its buffer is dropped). */
void pf_command_write_stdout(const void *data, size_t len);
/*
 * Flush stdout after a command (name NULL for proflab's own --help and
 * --version) that returned status. When a write failed, print
 * "proflab NAME: writing standard output: REASON" and return status, or 1
 * when status was 0. EPIPE (a reader that went away, seen only when
 * SIGPIPE is ignored) fails the same way without the message.
 */
int pf_command_finish_stdout(const char *name, int status);

extern const struct pf_command pf_cmd_tui, pf_cmd_lessons, pf_cmd_lesson,
	pf_cmd_present, pf_cmd_exercises, pf_cmd_run, pf_cmd_check, pf_cmd_reset,
	pf_cmd_hint, pf_cmd_quiz, pf_cmd_progress, pf_cmd_record, pf_cmd_pprof,
	pf_cmd_flame;

#endif
