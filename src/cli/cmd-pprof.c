/*
 * cmd-pprof.c - `proflab pprof`: reports on pprof profiles with go tool
 * pprof's option names, output and exit codes; an interactive shell on a
 * terminal when no report is asked for.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../pprof/profile.h"
#include "../pprof/report.h"
#include "command.h"
#include "opt.h"
#include "pprof_shell.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_pprof = {
	.name = "pprof",
	.stateless = 1,
	.synopsis = "[options] FILE...",
	.summary = "report on pprof profiles, like go tool pprof",
	.help = "Reads pprof profiles (gzip-compressed or not) written by proflab, Go or any\n"
		"other pprof writer, and prints go tool pprof's text reports, byte for byte.\n"
		"Several files are merged. With no report option on a terminal, opens an\n"
		"interactive shell (top, list, peek, traces, sample_index=, focus=, flame).\n"
		"\n"
		"reports:\n"
		"  -top                 functions by flat value (the default)\n"
		"  -list=REGEX          annotated source of matching functions\n"
		"  -peek=REGEX          callers and callees of matching functions\n"
		"  -traces              every sample's stack\n"
		"options:\n"
		"  -sample_index=NAME|N sample type to report (e.g. alloc_space, 0)\n"
		"  -inuse_space -inuse_objects -alloc_space -alloc_objects\n"
		"  -total_delay -contentions  shorthands for -sample_index\n"
		"  -nodecount=N         show at most N nodes\n"
		"  -nodefraction=F      hide nodes below F of the total (default 0.005)\n"
		"  -edgefraction=F      hide edges below F of the total (default 0.001)\n"
		"  -cum / -flat         sort by cumulative / flat value\n"
		"  -unit=UNIT           output unit (minimum, auto, ns, ms, s, B, kB, MB...)\n"
		"  -focus=REGEX         only samples with a frame matching REGEX\n"
		"  -ignore=REGEX        drop samples with a frame matching REGEX\n"
		"  -hide=REGEX          remove matching frames\n"
		"  -show=REGEX          keep only matching frames\n"
		"  -base=FILE           subtract FILE's samples\n"
		"  -diff_base=FILE      subtract FILE's samples; percentages relative to FILE\n"
		"  -symbolize=MODE      accepted for compatibility; profiles are read as they are\n"
		"\n"
		"Regular expressions are POSIX extended (grep -E): RE2-only syntax such as \\d\n"
		"or (?i) is not understood.\n"
		"\n"
		"examples:\n"
		"  proflab pprof -top cpu.pb.gz\n"
		"  proflab pprof -sample_index=alloc_space -list='main\\.' heap.pb.gz\n",
	.run = run,
};

struct pprof_args {
	int top, text, traces, cum, flat;
	const char *list, *peek;
	int inuse_space, inuse_objects, alloc_space, alloc_objects, total_delay, contentions;
	const char *symbolize;
};

static const char *shorthand(const struct pprof_args *a, const char *si)
{
	if (a->total_delay)
		si = "delay";
	if (a->contentions)
		si = "contentions";
	if (a->inuse_space)
		si = "inuse_space";
	if (a->inuse_objects)
		si = "inuse_objects";
	if (a->alloc_space)
		si = "alloc_space";
	if (a->alloc_objects)
		si = "alloc_objects";
	return si;
}

static struct pf_profile *load(char **files, int n, struct pf_err *err)
{
	struct pf_profile *ps[64], *m = NULL;
	int i, got = 0;

	if (n > 64) {
		pf_err_set(err, PF_EUSAGE, "too many profiles (at most 64)");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		ps[i] = pf_profile_read(files[i], err);
		if (!ps[i])
			goto out;
		got++;
	}
	if (n == 1)
		return ps[0];
	m = pf_report_merge(ps, (size_t)n, err);
out:
	for (i = 0; i < got; i++)
		pf_profile_free(ps[i]);
	return m;
}

static int fail(struct pf_err *err)
{
	fprintf(stderr, "proflab pprof: %s\n", err->msg);
	return err->code == PF_EUSAGE ? 2 : 1;
}

static int run(int argc, char **argv)
{
	struct pprof_args a;
	struct pf_report_opts o;
	const char *base = NULL, *diff_base = NULL;
	long nodecount = -1;
	double nodefraction = 0.005, edgefraction = 0.001;
	const struct pf_opt opts[] = {
		{ "top", PF_OPT_FLAG, &a.top, NULL, 0 },
		{ "text", PF_OPT_FLAG, &a.text, NULL, 0 },
		{ "traces", PF_OPT_FLAG, &a.traces, NULL, 0 },
		{ "list", PF_OPT_STRING, &a.list, NULL, 0 },
		{ "peek", PF_OPT_STRING, &a.peek, NULL, 0 },
		{ "sample_index", PF_OPT_STRING, &o.sample_index, NULL, 0 },
		{ "nodecount", PF_OPT_INT, &nodecount, NULL, 0 },
		{ "nodefraction", PF_OPT_DOUBLE, &nodefraction, NULL, 0 },
		{ "edgefraction", PF_OPT_DOUBLE, &edgefraction, NULL, 0 },
		{ "cum", PF_OPT_FLAG, &a.cum, NULL, 0 },
		{ "flat", PF_OPT_FLAG, &a.flat, NULL, 0 },
		{ "unit", PF_OPT_STRING, &o.unit, NULL, 0 },
		{ "focus", PF_OPT_STRING, &o.focus, NULL, 0 },
		{ "ignore", PF_OPT_STRING, &o.ignore, NULL, 0 },
		{ "hide", PF_OPT_STRING, &o.hide, NULL, 0 },
		{ "show", PF_OPT_STRING, &o.show, NULL, 0 },
		{ "base", PF_OPT_STRING, &base, NULL, 0 },
		{ "diff_base", PF_OPT_STRING, &diff_base, NULL, 0 },
		{ "inuse_space", PF_OPT_FLAG, &a.inuse_space, NULL, 0 },
		{ "inuse_objects", PF_OPT_FLAG, &a.inuse_objects, NULL, 0 },
		{ "alloc_space", PF_OPT_FLAG, &a.alloc_space, NULL, 0 },
		{ "alloc_objects", PF_OPT_FLAG, &a.alloc_objects, NULL, 0 },
		{ "total_delay", PF_OPT_FLAG, &a.total_delay, NULL, 0 },
		{ "contentions", PF_OPT_FLAG, &a.contentions, NULL, 0 },
		{ "symbolize", PF_OPT_STRING, &a.symbolize, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_buf out = PF_BUF_INIT, warnings = PF_BUF_INIT;
	struct pf_profile *p = NULL, *b = NULL, *pb;
	char **pos = argv + 1;
	int npos, status, rc, nreports;

	memset(&a, 0, sizeof(a));
	pf_report_opts_init(&o);
	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_pprof, rc, &err, &status))
		return status;
	nreports = (a.top || a.text) + a.traces + (a.list != NULL) + (a.peek != NULL);
	if (nreports > 1) {
		fprintf(stderr, "proflab pprof: -top, -list, -peek and -traces exclude each other\n");
		return 2;
	}
	if (npos == 0) {
		fprintf(stderr, "proflab pprof: no profile file given\n"
				"usage: proflab pprof %s (see proflab pprof --help)\n",
			pf_cmd_pprof.synopsis);
		return 2;
	}
	if (base && diff_base) {
		fprintf(stderr, "proflab pprof: -base and -diff_base exclude each other\n");
		return 2;
	}
	if (a.cum && a.flat) {
		fprintf(stderr, "proflab pprof: conflicting options set: [cum flat]\n");
		return 2;
	}
	if (a.list && !*a.list) {
		fprintf(stderr, "proflab pprof: -list needs a regular expression\n");
		return 2;
	}
	o.nodecount = nodecount;
	o.nodefraction = nodefraction;
	o.edgefraction = edgefraction;
	o.cum = a.cum;
	o.sample_index = shorthand(&a, o.sample_index);
	if (!o.unit)
		o.unit = "minimum"; /* -unit= is kept: pprof then prints every value in its family's base unit (0.60s) */

	p = load(pos, npos, &err);
	if (!p) {
		status = fail(&err);
		goto out;
	}
	if (base || diff_base) {
		b = pf_profile_read(base ? base : diff_base, &err);
		if (!b) {
			status = fail(&err);
			goto out;
		}
		pb = pf_report_with_base(p, b, diff_base != NULL, &err);
		if (!pb) {
			status = fail(&err);
			goto out;
		}
		pf_profile_free(p);
		p = pb;
	}
	if (nreports == 0 && isatty(0) && isatty(1)) {
		status = pf_pprof_shell(p, pos[0], &o, stdin, stdout);
		goto out;
	}
	o.warnings = &warnings;
	if (a.list)
		rc = pf_report_list(p, a.list, &o, &out, &err);
	else if (a.peek)
		rc = pf_report_peek(p, a.peek, &o, &out, &err);
	else if (a.traces)
		rc = pf_report_traces(p, &o, &out, &err);
	else
		rc = pf_report_top(p, &o, &out, &err);
	fputs(warnings.len ? warnings.data : "", stderr);
	if (rc < 0) {
		status = fail(&err);
		goto out;
	}
	pf_command_write_stdout(out.data, out.len);
	status = 0;
out:
	pf_buf_release(&out);
	pf_buf_release(&warnings);
	pf_profile_free(p);
	pf_profile_free(b);
	return status;
}
