/*
 * pprof_shell.h - the interactive shell of `proflab pprof FILE`, in the
 * style of go tool pprof's: top [N], list REGEX, peek REGEX, traces,
 * sample_index=NAME, focus=REGEX (and ignore/hide/show), flame, help,
 * quit; line editing and history from libedit.
 */
#ifndef PF_PPROF_SHELL_H
#define PF_PPROF_SHELL_H

#include <stdio.h>

#include "../pprof/profile.h"
#include "../pprof/report.h"

/*
 * Run the shell on p until quit or end of input, reading from in (with
 * libedit when in is a terminal) and writing reports to out. o holds the
 * starting options (changed by sample_index=, focus=...). Returns the
 * command's exit status (0).
 */
int pf_pprof_shell(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
		   FILE *in, FILE *out);

/* Run one shell command line (also used by tests); 1 when it asks to
 * quit, else 0. Errors are printed to out. */
int pf_pprof_shell_exec(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
			const char *line, FILE *out);

#endif
