/*
 * pprof_shell.h - the interactive shell of `proflab pprof FILE`, go tool
 * pprof's as Go 1.19 has it: top/text, list, peek and traces with pprof's
 * per-command arguments (`top 5 -cum main -runtime >f`, `top10`), NAME=VALUE
 * options (sample_index, focus, ignore, hide, show, unit, nodecount,
 * nodefraction, edgefraction, sort, output) with pprof's messages, `o`,
 * help, quit; plus flame (web) for the flame graph. pprof's other
 * commands and options answer that proflab does not have them. Line
 * editing and history from libedit.
 */
#ifndef PF_PPROF_SHELL_H
#define PF_PPROF_SHELL_H

#include <stdio.h>

#include "../pprof/profile.h"
#include "../pprof/report.h"

/*
 * Run the shell on p until quit or end of input: greet with the profile's
 * header, then read commands from in (with libedit when in is a terminal)
 * and write reports and messages to out (messages in red when out is a
 * terminal and NO_COLOR is unset). o holds the starting options (changed
 * by sample_index=, focus=...). Returns the command's exit status (0).
 */
int pf_pprof_shell(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
		   FILE *in, FILE *out);

/* Run one shell command line (also used by tests); 1 when it asks to
 * quit, else 0. Errors and warnings are printed to out, as pprof prints
 * them. Option strings are copied into the shell's own storage. */
int pf_pprof_shell_exec(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
			const char *line, FILE *out);

#endif
