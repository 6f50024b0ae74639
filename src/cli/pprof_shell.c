/*
 * pprof_shell.c - the interactive shell of `proflab pprof` (pprof_shell.h).
 *
 * Commands follow go tool pprof's interactive mode; each report is the
 * same function the command line uses (report.h). Line editing and
 * history come from libedit when stdin is a terminal; otherwise lines
 * are read plainly (scripts, tests).
 */
#include "pprof_shell.h"

#include <ctype.h>
#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../pprof/flame.h"
#include "../tui/flame_view.h"

/* Option strings set by the shell live here (the options point into it). */
struct shell_state {
	char sample_index[128], focus[256], ignore[256], hide[256], show[256], unit[32];
};

static struct shell_state state;

static void help(FILE *out)
{
	fputs("  Commands:\n"
	      "    top [N]            the N functions with the most flat value (default 10)\n"
	      "    list REGEX         annotated source of the functions matching REGEX\n"
	      "    peek REGEX         callers and callees of the functions matching REGEX\n"
	      "    traces             every sample's call stack\n"
	      "    flame              the interactive flame graph (q returns here)\n"
	      "  Options (NAME=VALUE; NAME= clears):\n"
	      "    sample_index=NAME  which sample type to report (e.g. alloc_space)\n"
	      "    focus=REGEX  ignore=REGEX  hide=REGEX  show=REGEX\n"
	      "    unit=UNIT  nodecount=N  cum  flat\n"
	      "  help, quit (or exit, or Ctrl-D)\n"
	      "  Regular expressions are POSIX extended (like grep -E).\n",
	      out);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void set_string(char *dst, size_t size, const char **target, const char *v)
{
	size_t n = strlen(v);

	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	*target = dst[0] ? dst : NULL;
}

static int set_option(const struct pf_profile *p, struct pf_report_opts *o, const char *name,
		      const char *v, FILE *out)
{
	if (strcmp(name, "sample_index") == 0) {
		struct pf_report_opts t = *o;
		struct pf_err err = { 0 };

		t.sample_index = v;
		if (*v && pf_report_sample_index(p, &t, &err) < 0) {
			fprintf(out, "%s\n", err.msg);
			return 0;
		}
		set_string(state.sample_index, sizeof(state.sample_index), &o->sample_index, v);
	} else if (strcmp(name, "focus") == 0) {
		set_string(state.focus, sizeof(state.focus), &o->focus, v);
	} else if (strcmp(name, "ignore") == 0) {
		set_string(state.ignore, sizeof(state.ignore), &o->ignore, v);
	} else if (strcmp(name, "hide") == 0) {
		set_string(state.hide, sizeof(state.hide), &o->hide, v);
	} else if (strcmp(name, "show") == 0) {
		set_string(state.show, sizeof(state.show), &o->show, v);
	} else if (strcmp(name, "unit") == 0) {
		set_string(state.unit, sizeof(state.unit), &o->unit, *v ? v : "minimum");
	} else if (strcmp(name, "nodecount") == 0) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*v == '\0' || *end || n < -1) {
			fprintf(out, "nodecount: want a number, got '%s'\n", v);
			return 0;
		}
		o->nodecount = n;
	} else {
		fprintf(out, "unknown option %s (type help)\n", name);
	}
	return 0;
}

static int flame(const struct pf_profile *p, const char *title, struct pf_report_opts *o, FILE *out)
{
	struct pf_err err = { 0 };
	struct pf_flame *fg;
	int si = pf_report_sample_index(p, o, &err);

	if (si < 0) {
		fprintf(out, "%s\n", err.msg);
		return 0;
	}
	if (!isatty(0) || !isatty(1)) {
		fprintf(out, "flame: needs a terminal (try: proflab flame FILE -o out.svg)\n");
		return 0;
	}
	fg = pf_flame_new(p, si, &err);
	if (!fg || pf_flame_view_run(fg, title, &err) < 0)
		fprintf(out, "flame: %s\n", err.msg);
	pf_flame_free(fg);
	return 0;
}

int pf_pprof_shell_exec(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
			const char *line, FILE *out)
{
	struct pf_buf buf = PF_BUF_INIT, rep = PF_BUF_INIT;
	struct pf_err err = { 0 };
	char *cmd, *arg, *eq;
	int rc = 0, ret = 0;

	if (pf_buf_puts(&buf, line) < 0)
		return 0;
	cmd = trim(buf.data);
	if (!*cmd)
		goto out;
	arg = cmd + strcspn(cmd, " \t");
	if (*arg)
		*arg++ = '\0';
	arg = trim(arg);
	eq = strchr(cmd, '=');
	if (eq) {
		*eq = '\0';
		set_option(p, o, cmd, trim(eq + 1), out);
		goto out;
	}
	if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0 || strcmp(cmd, "q") == 0) {
		ret = 1;
	} else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0) {
		help(out);
	} else if (strcmp(cmd, "cum") == 0 || strcmp(cmd, "flat") == 0) {
		o->cum = cmd[0] == 'c';
	} else if (strncmp(cmd, "top", 3) == 0 || strcmp(cmd, "text") == 0) {
		struct pf_report_opts t = *o;
		const char *n = cmd[0] == 't' && cmd[1] == 'o' && cmd[3] ? cmd + 3 : arg;
		char *end;

		t.interactive = 1;
		if (*n) {
			long v = strtol(n, &end, 10);

			if (*end || v <= 0) {
				fprintf(out, "top: want a number of lines, got '%s'\n", n);
				goto out;
			}
			t.nodecount = v;
		}
		rc = pf_report_top(p, &t, &rep, &err);
	} else if (strcmp(cmd, "list") == 0) {
		if (!*arg) {
			fprintf(out, "list: give a regular expression, e.g. list main\n");
			goto out;
		}
		rc = pf_report_list(p, arg, o, &rep, &err);
	} else if (strcmp(cmd, "peek") == 0) {
		rc = pf_report_peek(p, *arg ? arg : ".", o, &rep, &err);
	} else if (strcmp(cmd, "traces") == 0) {
		rc = pf_report_traces(p, o, &rep, &err);
	} else if (strcmp(cmd, "flame") == 0 || strcmp(cmd, "web") == 0) {
		flame(p, title, o, out);
	} else {
		fprintf(out, "unrecognized command: \"%s\" (type help)\n", cmd);
	}
	if (rc < 0)
		fprintf(out, "%s\n", err.msg);
	else
		fwrite(rep.data, 1, rep.len, out);
out:
	fflush(out);
	pf_buf_release(&buf);
	pf_buf_release(&rep);
	return ret;
}

int pf_pprof_shell(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
		   FILE *in, FILE *out)
{
	int tty = isatty(fileno(in));
	char *line = NULL;
	size_t cap = 0;

	fprintf(out, "%s: %zu samples, sample types:", title, p->nsamples);
	for (size_t i = 0; i < p->nsample_types; i++)
		fprintf(out, " %s", p->sample_types[i].type);
	fprintf(out, "\nEntering interactive mode (type \"help\" for commands, \"quit\" to leave)\n");
	fflush(out);
	if (tty)
		using_history();
	for (;;) {
		int quit;

		if (tty) {
			free(line);
			line = readline("(pprof) ");
			if (!line)
				break;
			if (*line)
				add_history(line);
		} else {
			fputs("(pprof) ", out);
			fflush(out);
			if (getline(&line, &cap, in) < 0)
				break;
		}
		quit = pf_pprof_shell_exec(p, title, o, line, out);
		if (quit)
			break;
	}
	if (tty)
		fputc('\n', out);
	free(line);
	return 0;
}
