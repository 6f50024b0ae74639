/*
 * pprof_shell.c - the interactive shell of `proflab pprof` (pprof_shell.h).
 *
 * Follows go tool pprof's interactive mode as Go 1.19 has it
 * (internal/driver: interactive.go, commands.go, config.go): the
 * greeting, NAME=VALUE assignments with pprof's checks and messages, the
 * shortcuts (":" and the sample type names), and commands parsed like
 * pprof's: `top10`, then arguments that hold for that command only (a
 * count, -cum, focus regexes, -ignore regexes, >file). Each report is the
 * function the command line uses (report.h), without the profile header,
 * as pprof's interactive mode prints them. pprof's commands and options
 * that proflab does not have say so. Messages are red on a terminal, as
 * pprof's are. Line editing and history come from libedit when stdin is
 * a terminal; otherwise lines are read plainly (scripts, tests).
 */
#include "pprof_shell.h"

#include <ctype.h>
#include <editline/readline.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "../pprof/flame.h"
#include "../tui/flame_view.h"

/* Option strings set by the shell live here (the options point into it). */
struct shell_state {
	char sample_index[128], focus[1024], ignore[1024], hide[1024], show[1024], unit[64];
	char output[1024]; /* output=FILE: reports are written there */
};

static struct shell_state state;

/* ---- messages ---- */

static int use_color(FILE *out)
{
	const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");

	return isatty(fileno(out)) && term && *term && strcmp(term, "dumb") != 0 && !(nc && *nc);
}

/* pprof's PrintErr: each line of the message, red on a terminal. */
static void print_err(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void print_err(FILE *out, const char *fmt, ...)
{
	struct pf_buf b = PF_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		pf_buf_putc(&b, '\n');
	if (b.data && use_color(out))
		fprintf(out, "\033[0;31m%s\033[0m", b.data);
	else if (b.data)
		fputs(b.data, out);
	pf_buf_release(&b);
}

/* ---- Go's text forms ---- */

/* Go's strconv.Quote (bytes from 0x80 up are kept as they are). */
static void go_quote(struct pf_buf *b, const char *s)
{
	pf_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e = NULL;

		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\a': e = "\\a"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\v': e = "\\v"; break;
		default: break;
		}
		if (e)
			pf_buf_puts(b, e);
		else if (c < 0x20 || c == 0x7f)
			pf_buf_printf(b, "\\x%02x", c);
		else
			pf_buf_putc(b, c);
	}
	pf_buf_putc(b, '"');
}

/* Go's strconv.ParseInt(s, 10, bits): 0, or -1 (invalid syntax) or -2
 * (value out of range). */
static int go_parse_int(const char *s, int bits, long *v)
{
	const char *d = s + (*s == '+' || *s == '-');
	long long x;

	if (!*d)
		return -1;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return -1;
	errno = 0;
	x = strtoll(s, NULL, 10);
	if (errno == ERANGE || (bits == 32 && (x < INT32_MIN || x > INT32_MAX)))
		return -2;
	*v = (long)x;
	return 0;
}

/* Go's strconv.ParseFloat(s, 64), near enough: decimal and hexadecimal
 * (with a p exponent) numbers, inf, infinity and nan. 0, -1 or -2. */
static int go_parse_float(const char *s, double *v)
{
	char *end;
	double x;

	if (!*s || isspace((unsigned char)*s) || strchr(s, '(') ||
	    ((strchr(s, 'x') || strchr(s, 'X')) && !strchr(s, 'p') && !strchr(s, 'P')))
		return -1;
	errno = 0;
	x = strtod(s, &end);
	if (end == s || *end)
		return -1;
	if (errno == ERANGE && isinf(x))
		return -2;
	*v = x;
	return 0;
}

/* Go's strconv.ParseBool: 1 true, 0 false, -1 neither. */
static int go_parse_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* pprof's stringToBool, which bool options use ("" is true). */
static int string_to_bool(const char *s)
{
	static const char *const t[] = { "true", "t", "yes", "y", "1", "" };
	static const char *const f[] = { "false", "f", "no", "n", "0" };
	char low[8];
	size_t i, n = strlen(s);

	if (n >= sizeof(low))
		return -1;
	for (i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	for (i = 0; i < 6; i++)
		if (strcmp(low, t[i]) == 0)
			return 1;
	for (i = 0; i < 5; i++)
		if (strcmp(low, f[i]) == 0)
			return 0;
	return -1;
}

/* Go's fmt.Sprint of a float64: the shortest digits that read back as
 * the same number, in e-notation when the exponent is below -4 or at
 * least 6 ("0.005", "1e-05", "1e+06"). */
static void go_float(double v, char *dst, size_t size)
{
	char e[64], digits[32];
	struct pf_buf b = PF_BUF_INIT;
	int prec, exp, nd = 0, i;
	const char *c;

	if (isnan(v)) {
		pf_fmt(dst, size, "NaN");
		return;
	}
	if (isinf(v)) {
		pf_fmt(dst, size, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, v);
		if (strtod(e, NULL) == v)
			break;
	}
	for (c = e; *c && *c != 'e'; c++)
		if (isdigit((unsigned char)*c))
			digits[nd++] = *c;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = *c ? (int)strtol(c + 1, NULL, 10) : 0;
	if (e[0] == '-')
		pf_buf_putc(&b, '-');
	if (exp < -4 || exp >= 6) {
		pf_buf_putc(&b, digits[0]);
		if (nd > 1)
			pf_buf_printf(&b, ".%.*s", nd - 1, digits + 1);
		pf_buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp >= 0) {
		for (i = 0; i <= exp; i++)
			pf_buf_putc(&b, i < nd ? digits[i] : '0');
		if (nd > exp + 1)
			pf_buf_printf(&b, ".%.*s", nd - exp - 1, digits + exp + 1);
	} else {
		pf_buf_puts(&b, "0.");
		for (i = 0; i < -exp - 1; i++)
			pf_buf_putc(&b, '0');
		pf_buf_printf(&b, "%.*s", nd, digits);
	}
	pf_fmt(dst, size, "%s", b.data ? b.data : "0");
	pf_buf_release(&b);
}

/* ---- pprof's options ---- */

enum kind { K_BOOL, K_INT, K_FLOAT, K_STRING, K_CHOICE };

/*
 * Every field of pprof's configuration, in the order `o` lists them.
 * def is NULL for the ones proflab has; for the others it is the one
 * value proflab runs with (pprof's default in its interactive mode),
 * which may be set again. help is pprof's (only for the ones proflab has).
 */
struct field {
	const char *name;
	enum kind kind;
	const char *def;
	const char *const *choices; /* K_CHOICE: the values, sorted */
	const char *help;
};

static const char *const sort_choices[] = { "cum", "flat", NULL };
static const char *const granularity_choices[] = { "addresses", "filefunctions", "files",
						   "functions", "lines", NULL };

static const struct field fields[] = {
	{ "call_tree", K_BOOL, "false", NULL, NULL },
	{ "compact_labels", K_BOOL, "true", NULL, NULL },
	{ "divide_by", K_FLOAT, "1", NULL, NULL },
	{ "drop_negative", K_BOOL, "false", NULL, NULL },
	{ "edgefraction", K_FLOAT, NULL, NULL, "Hide edges below <f>*total" },
	{ "focus", K_STRING, NULL, NULL,
	  "Restricts to samples going through a node matching regexp\n"
	  "Discard samples that do not include a node matching this regexp.\n"
	  "Matching includes the function name, filename or object name.\n" },
	{ "granularity", K_CHOICE, "functions", granularity_choices, NULL },
	{ "hide", K_STRING, NULL, NULL,
	  "Skips nodes matching regexp\n"
	  "Discard nodes that match this location.\n"
	  "Other nodes from samples that include this location will be shown.\n"
	  "Matching includes the function name, filename or object name.\n" },
	{ "ignore", K_STRING, NULL, NULL,
	  "Skips paths going through any nodes matching regexp\n"
	  "If set, discard samples that include a node matching this regexp.\n"
	  "Matching includes the function name, filename or object name.\n" },
	{ "intel_syntax", K_BOOL, "false", NULL, NULL },
	{ "mean", K_BOOL, "false", NULL, NULL },
	{ "nodecount", K_INT, NULL, NULL,
	  "Max number of nodes to show\n"
	  "Uses heuristics to limit the number of locations to be displayed.\n"
	  "On graphs, dotted edges represent paths through nodes that have been removed.\n" },
	{ "nodefraction", K_FLOAT, NULL, NULL, "Hide nodes below <f>*total" },
	{ "noinlines", K_BOOL, "false", NULL, NULL },
	{ "normalize", K_BOOL, "false", NULL, NULL },
	{ "output", K_STRING, NULL, NULL, "Output filename for file-based outputs\n" },
	{ "prune_from", K_STRING, "", NULL, NULL },
	{ "relative_percentages", K_BOOL, "false", NULL, NULL },
	{ "sample_index", K_STRING, NULL, NULL,
	  "Sample value to report (0-based index or name)\n"
	  "Profiles contain multiple values per sample.\n"
	  "Use sample_index=i to select the ith value (starting at 0).\n" },
	{ "show", K_STRING, NULL, NULL,
	  "Only show nodes matching regexp\n"
	  "If set, only show nodes that match this location.\n"
	  "Matching includes the function name, filename or object name.\n" },
	{ "show_from", K_STRING, "", NULL, NULL },
	{ "sort", K_CHOICE, NULL, sort_choices, NULL },
	{ "source_path", K_STRING, "", NULL, NULL },
	{ "tagfocus", K_STRING, "", NULL, NULL },
	{ "taghide", K_STRING, "", NULL, NULL },
	{ "tagignore", K_STRING, "", NULL, NULL },
	{ "tagleaf", K_STRING, "", NULL, NULL },
	{ "tagroot", K_STRING, "", NULL, NULL },
	{ "tagshow", K_STRING, "", NULL, NULL },
	{ "trim", K_BOOL, "true", NULL, NULL },
	{ "trim_path", K_STRING, "", NULL, NULL },
	{ "unit", K_STRING, NULL, NULL,
	  "Measurement units to display\n"
	  "Scale the sample values to this unit.\n"
	  "For time-based profiles, use seconds, milliseconds, nanoseconds, etc.\n"
	  "For memory profiles, use megabytes, kilobytes, bytes, etc.\n"
	  "Using auto will scale each value independently to the most natural unit.\n" },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const cum_help = "Sort entries based on cumulative weight\n";
static const char *const flat_help = "Sort entries based on own weight\n";

/* The field named name, or the multiple-choice field name is a value of
 * (then *choice is set); NULL when pprof has no such option. */
static const struct field *find_field(const char *name, int *choice)
{
	size_t i, j;

	*choice = 0;
	for (i = 0; i < NFIELDS; i++) {
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
		for (j = 0; fields[i].choices && fields[i].choices[j]; j++)
			if (strcmp(fields[i].choices[j], name) == 0) {
				*choice = 1;
				return &fields[i];
			}
	}
	return NULL;
}

static int is(const struct field *f, const char *name)
{
	return strcmp(f->name, name) == 0;
}

/* The string option f of o (focus, ignore, hide, show, unit, output,
 * sample_index), "" when unset. */
static const char *string_value(const struct field *f, const struct pf_report_opts *o)
{
	const char *s = NULL;

	if (is(f, "focus"))
		s = o->focus;
	else if (is(f, "ignore"))
		s = o->ignore;
	else if (is(f, "hide"))
		s = o->hide;
	else if (is(f, "show"))
		s = o->show;
	else if (is(f, "unit"))
		s = o->unit;
	else if (is(f, "sample_index"))
		s = o->sample_index;
	else if (is(f, "output"))
		s = state.output;
	return s ? s : "";
}

/* The value of field f as pprof's `o` prints it. */
static void field_value(const struct field *f, const struct pf_report_opts *o, char *dst,
			size_t size)
{
	if (f->def)
		pf_fmt(dst, size, "%s", f->def);
	else if (is(f, "edgefraction"))
		go_float(o->edgefraction, dst, size);
	else if (is(f, "nodefraction"))
		go_float(o->nodefraction, dst, size);
	else if (is(f, "nodecount"))
		pf_fmt(dst, size, "%ld", o->nodecount);
	else if (is(f, "sort"))
		pf_fmt(dst, size, "%s", o->cum ? "cum" : "flat");
	else
		pf_fmt(dst, size, "%s", string_value(f, o));
}

/* Copy v into dst and point *target at it; -1 (said) when too long. */
static int set_string(FILE *out, char *dst, size_t size, const char **target, const char *v)
{
	size_t n = strlen(v);

	if (n >= size) {
		print_err(out, "value too long for proflab (at most %zu bytes)", size - 1);
		return -1;
	}
	memcpy(dst, v, n + 1);
	*target = dst;
	return 0;
}

/* pprof's `o`: every option and its value, with the choices of some. */
static void print_options(const struct pf_profile *p, const struct pf_report_opts *o, FILE *out)
{
	char v[1100];
	size_t i, j;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		struct pf_buf comment = PF_BUF_INIT;

		if (is(f, "source_path"))
			continue;
		field_value(f, o, v, sizeof(v));
		if (f->choices) {
			pf_buf_puts(&comment, "//: [");
			for (j = 0; f->choices[j]; j++)
				pf_buf_printf(&comment, "%s%s", j ? " | " : "", f->choices[j]);
			pf_buf_putc(&comment, ']');
		} else if (is(f, "sample_index")) {
			if (!v[0] && p->nsample_types > 0)
				pf_fmt(v, sizeof(v), "%s", p->sample_types[p->nsample_types - 1].type);
			pf_buf_puts(&comment, "//: [");
			for (j = 0; j < p->nsample_types; j++)
				pf_buf_printf(&comment, "%s%s", j ? " | " : "", p->sample_types[j].type);
			pf_buf_putc(&comment, ']');
		} else if (is(f, "nodecount") && strcmp(v, "-1") == 0) {
			pf_buf_puts(&comment, "//: default");
		} else if (!v[0]) {
			pf_fmt(v, sizeof(v), "\"\"");
		}
		fprintf(out, "  %-25s = %-20s %s\n", f->name, v, comment.data ? comment.data : "");
		pf_buf_release(&comment);
	}
}

/* pprof's configure(name, value), with its checks and messages, for an
 * assignment NAME=VALUE (has_value 0 for a bare NAME). */
static void assign(const struct pf_profile *p, struct pf_report_opts *o, const char *name,
		   const char *value, int has_value, FILE *out)
{
	struct pf_buf q = PF_BUF_INIT, q2 = PF_BUF_INIT;
	const struct field *f;
	int choice, same = 0, rc;
	long n = 0;
	double d = 0;
	size_t j;

	f = find_field(name, &choice);
	if (!f)
		return;
	if (!has_value && f->kind != K_BOOL && !choice) {
		print_err(out, "please specify a value, e.g. %s=<val>", name);
		return;
	}
	if (is(f, "sample_index")) {
		struct pf_report_opts t = *o;
		struct pf_err err = { 0 };
		int si;

		t.sample_index = value;
		si = pf_report_sample_index(p, &t, &err);
		if (si < 0)
			print_err(out, "%s", err.msg);
		else
			set_string(out, state.sample_index, sizeof(state.sample_index), &o->sample_index,
				   p->sample_types[si].type);
		return;
	}
	go_quote(&q, name);
	go_quote(&q2, value);
	if (choice) {
		if (go_parse_bool(value) != 1) {
			print_err(out, "unknown config field %s", q.data);
			goto out;
		}
		value = name;
	} else if (f->kind == K_BOOL) {
		rc = string_to_bool(value);
		if (rc < 0) {
			print_err(out, "illegal value \"%s\" for bool variable", value);
			goto out;
		}
		value = rc ? "true" : "false";
	} else if (f->kind == K_INT) {
		rc = go_parse_int(value, 64, &n);
		if (rc < 0) {
			print_err(out, "strconv.Atoi: parsing %s: %s", q2.data,
				  rc == -1 ? "invalid syntax" : "value out of range");
			goto out;
		}
	} else if (f->kind == K_FLOAT) {
		rc = go_parse_float(value, &d);
		if (rc < 0) {
			print_err(out, "strconv.ParseFloat: parsing %s: %s", q2.data,
				  rc == -1 ? "invalid syntax" : "value out of range");
			goto out;
		}
	} else if (f->kind == K_CHOICE) {
		for (j = 0; f->choices[j] && strcmp(f->choices[j], value) != 0; j++)
			;
		if (!f->choices[j]) {
			print_err(out, "invalid %s value %s", q.data, q2.data);
			goto out;
		}
	}

	if (f->def) {
		same = f->kind == K_FLOAT ? d == strtod(f->def, NULL) : strcmp(value, f->def) == 0;
		if (same)
			goto out;
		if (f->def[0])
			print_err(out, "proflab does not support the %s option; it always runs with %s=%s",
				  f->name, f->name, f->def);
		else
			print_err(out, "proflab does not support the %s option", f->name);
		goto out;
	}
	if (is(f, "nodecount"))
		o->nodecount = n;
	else if (is(f, "nodefraction"))
		o->nodefraction = d;
	else if (is(f, "edgefraction"))
		o->edgefraction = d;
	else if (is(f, "sort"))
		o->cum = strcmp(value, "cum") == 0;
	else if (is(f, "focus"))
		set_string(out, state.focus, sizeof(state.focus), &o->focus, value);
	else if (is(f, "ignore"))
		set_string(out, state.ignore, sizeof(state.ignore), &o->ignore, value);
	else if (is(f, "hide"))
		set_string(out, state.hide, sizeof(state.hide), &o->hide, value);
	else if (is(f, "show"))
		set_string(out, state.show, sizeof(state.show), &o->show, value);
	else if (is(f, "unit"))
		set_string(out, state.unit, sizeof(state.unit), &o->unit, value);
	else if (is(f, "output")) {
		const char *ignored;

		set_string(out, state.output, sizeof(state.output), &ignored, value);
	}
out:
	pf_buf_release(&q);
	pf_buf_release(&q2);
}

/* ---- commands ---- */

enum cmd_kind { CMD_TOP, CMD_LIST, CMD_PEEK, CMD_TRACES, CMD_FLAME, CMD_GO_ONLY };

struct command {
	const char *name;
	enum cmd_kind kind;
	int has_param;    /* takes a regex first (list, peek) */
	const char *help; /* description, then usage (for the ones proflab has) */
};

/* pprof's commands, sorted, with the ones proflab does not have. */
static const struct command commands[] = {
	{ "callgrind", CMD_GO_ONLY, 0, NULL },
	{ "comments", CMD_GO_ONLY, 0, NULL },
	{ "disasm", CMD_GO_ONLY, 1, NULL },
	{ "dot", CMD_GO_ONLY, 0, NULL },
	{ "eog", CMD_GO_ONLY, 0, NULL },
	{ "evince", CMD_GO_ONLY, 0, NULL },
	{ "flame", CMD_FLAME, 0,
	  "Browse the profile as a flame graph in the terminal (proflab; q comes back)\n\n" },
	{ "gif", CMD_GO_ONLY, 0, NULL },
	{ "gv", CMD_GO_ONLY, 0, NULL },
	{ "kcachegrind", CMD_GO_ONLY, 0, NULL },
	{ "list", CMD_LIST, 1,
	  "Output annotated source for functions matching regexp\n"
	  "  Usage:\n"
	  "    list <func_regex> [focus_regex]* [-ignore_regex]* >f\n"
	  "    Include functions matching func_regex.\n"
	  "    Include samples matching focus_regex, and exclude ignore_regex.\n"
	  "    Optionally save the report on the file f\n\n" },
	{ "pdf", CMD_GO_ONLY, 0, NULL },
	{ "peek", CMD_PEEK, 1,
	  "Output callers/callees of functions matching regexp\n"
	  "  Usage:\n"
	  "    peek func_regex [focus_regex]* [-ignore_regex]* >f\n"
	  "    Display callers and callees of functions matching func_regex.\n\n" },
	{ "png", CMD_GO_ONLY, 0, NULL },
	{ "proto", CMD_GO_ONLY, 0, NULL },
	{ "ps", CMD_GO_ONLY, 0, NULL },
	{ "raw", CMD_GO_ONLY, 0, NULL },
	{ "svg", CMD_GO_ONLY, 0, NULL },
	{ "tags", CMD_GO_ONLY, 0, NULL },
	{ "text", CMD_TOP, 0,
	  "Outputs top entries in text form\n"
	  "  Usage:\n"
	  "    text [n] [focus_regex]* [-ignore_regex]* [-cum] >f\n"
	  "    Include up to n samples\n"
	  "    Include samples matching focus_regex, and exclude ignore_regex.\n"
	  "    -cum sorts the output by cumulative weight\n"
	  "    Optionally save the report on the file f\n\n" },
	{ "top", CMD_TOP, 0,
	  "Outputs top entries in text form\n"
	  "  Usage:\n"
	  "    top [n] [focus_regex]* [-ignore_regex]* [-cum] >f\n"
	  "    Include up to n samples\n"
	  "    Include samples matching focus_regex, and exclude ignore_regex.\n"
	  "    -cum sorts the output by cumulative weight\n"
	  "    Optionally save the report on the file f\n\n" },
	{ "topproto", CMD_GO_ONLY, 0, NULL },
	{ "traces", CMD_TRACES, 0, "Outputs all profile samples in text form\n\n" },
	{ "tree", CMD_GO_ONLY, 0, NULL },
	{ "web", CMD_FLAME, 0, "Same as flame: proflab has no call graph for a browser\n\n" },
	{ "weblist", CMD_GO_ONLY, 1, NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void not_supported(const struct command *c, FILE *out)
{
	print_err(out, "proflab does not support the %s command; type \"help\" for the ones it has",
		  c->name);
}

/* The first line of a help text, as pprof's usage lists it. */
static void help_line(FILE *out, const char *name, const char *help)
{
	size_t n = strcspn(help, "\n");

	fprintf(out, "    %-16s %.*s\n", name, (int)n, help);
}

/* pprof's `help` and `help NAME`. */
static void help(const struct pf_profile *p, const char *topic, FILE *out)
{
	const struct command *c;
	const struct field *f;
	size_t i;
	int choice;

	if (!*topic) {
		fputs("  Commands:\n", out);
		for (i = 0; i < NCOMMANDS; i++)
			if (commands[i].kind != CMD_GO_ONLY)
				help_line(out, commands[i].name, commands[i].help);
		help_line(out, "o/options", "List options and their current values");
		help_line(out, "q/quit/exit/^D", "Exit pprof");
		fputs("\n  Options:\n", out);
		for (i = 0; i < NFIELDS; i++)
			if (!fields[i].def && fields[i].kind != K_CHOICE)
				help_line(out, fields[i].name, fields[i].help);
		fputs("\n  Option groups (only set one per group):\n", out);
		fprintf(out, "    %-16s \n", "sort");
		fprintf(out, "  ");
		help_line(out, "cum", cum_help);
		fprintf(out, "  ");
		help_line(out, "flat", flat_help);
		fputs("  :   Clear focus/ignore/hide\n"
		      "\n"
		      "  type \"help <cmd|option>\" for more information\n"
		      "\n"
		      "  These are the go tool pprof commands and options proflab has; it does\n"
		      "  not support the others. Regular expressions are POSIX extended (like\n"
		      "  grep -E), not RE2.\n",
		      out);
		return;
	}
	c = find_command(topic);
	if (c && c->kind == CMD_GO_ONLY) {
		not_supported(c, out);
		return;
	}
	if (c) {
		fputs(c->help, out);
		return;
	}
	f = find_field(topic, &choice);
	if (f && is(f, "sort") && choice) {
		fprintf(out, "%s\n", strcmp(topic, "cum") == 0 ? cum_help : flat_help);
		return;
	}
	if (f && f->def && (choice || f->kind != K_CHOICE)) {
		if (f->def[0])
			print_err(out, "proflab does not support the %s option; it always runs with %s=%s",
				  f->name, f->name, f->def);
		else
			print_err(out, "proflab does not support the %s option", f->name);
		return;
	}
	if (f && f->help) {
		fputs(f->help, out);
		if (is(f, "sample_index")) {
			fputs("Or use sample_index=name, with name in [", out);
			for (i = 0; i < p->nsample_types; i++)
				fprintf(out, "%s%s", i ? " " : "", p->sample_types[i].type);
			fputs("].\n", out);
		}
		fputc('\n', out);
		return;
	}
	print_err(out, "Unknown command: %s", topic);
}

static int flame(const struct pf_profile *p, const char *title, struct pf_report_opts *o, FILE *out)
{
	struct pf_err err = { 0 };
	struct pf_flame *fg;
	int si = pf_report_sample_index(p, o, &err);

	if (si < 0) {
		print_err(out, "%s", err.msg);
		return 0;
	}
	if (!isatty(0) || !isatty(1)) {
		print_err(out, "flame: needs a terminal (try: proflab flame FILE -o out.svg)");
		return 0;
	}
	fg = pf_flame_new(p, si, &err);
	if (!fg || pf_flame_view_run(fg, title, &err) < 0)
		print_err(out, "flame: %s", err.msg);
	pf_flame_free(fg);
	return 0;
}

/* pprof's catRegex. */
static void cat_regex(struct pf_buf *b, const char *re)
{
	if (b->len && *re)
		pf_buf_putc(b, '|');
	pf_buf_puts(b, re);
}

/* A report to out, or to the file named by output (pprof's >f). */
static void emit(const struct pf_buf *rep, const char *output, FILE *out)
{
	FILE *f;

	if (!output) {
		fwrite(rep->data ? rep->data : "", 1, rep->len, out);
		return;
	}
	print_err(out, "Generating report in %s", output);
	f = fopen(output, "w");
	if (!f || fwrite(rep->data ? rep->data : "", 1, rep->len, f) != rep->len) {
		char msg[256];

		pf_fmt(msg, sizeof(msg), "%s", strerror(errno));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		print_err(out, "open %s: %s", output, msg);
	}
	if (f && fclose(f) != 0)
		print_err(out, "close %s: %s", output, strerror(errno));
}

/* pprof's parseCommandLine and generateReport for tokens tok[0..ntok). */
static void run_command(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
			char **tok, int ntok, FILE *out)
{
	struct pf_buf focus = PF_BUF_INIT, ignore = PF_BUF_INIT, rep = PF_BUF_INIT;
	struct pf_buf warnings = PF_BUF_INIT, q = PF_BUF_INIT;
	struct pf_report_opts t = *o;
	struct pf_err err = { 0 };
	const struct command *c;
	const char *regex = NULL, *output = state.output[0] ? state.output : NULL, *w;
	char **args = tok + 1, *name = tok[0];
	int nargs = ntok - 1, i, rc = 0, field_choice;
	size_t k = strlen(name);
	char digits[16];

	c = find_command(name);
	/* top10 is top 10: the digits become the first argument. */
	while (!c && k > 0 && isdigit((unsigned char)name[k - 1]))
		k--;
	if (!c && k > 0 && k < strlen(name) && strlen(name) - k < sizeof(digits)) {
		pf_fmt(digits, sizeof(digits), "%s", name + k);
		name[k] = '\0';
		tok[0] = digits; /* the argument list is tok[0..ntok) from here */
		args = tok;
		nargs = ntok;
		c = find_command(name);
	}
	if (!c) {
		if (find_field(name, &field_choice) && strcmp(name, "sort") != 0 &&
		    strcmp(name, "granularity") != 0) {
			print_err(out, "did you mean: %s=%s", name, nargs > 0 ? args[0] : "<val>");
		} else {
			go_quote(&q, name);
			print_err(out, "unrecognized command: %s", q.data);
		}
		goto out;
	}
	if (c->kind == CMD_GO_ONLY) {
		not_supported(c, out);
		goto out;
	}
	if (c->has_param) {
		if (nargs == 0) {
			print_err(out, "command %s requires an argument", c->name);
			goto out;
		}
		regex = args[0];
		args++;
		nargs--;
	}
	for (i = 0; i < nargs; i++) {
		const char *a = args[i];
		long n;

		if (go_parse_int(a, 32, &n) == 0) {
			t.nodecount = n;
		} else if (a[0] == '>') {
			output = a + 1;
			if (!*output) {
				if (++i >= nargs) {
					print_err(out, "unexpected end of line after >");
					goto out;
				}
				output = args[i];
			}
		} else if (a[0] == '-') {
			if (strcmp(a, "-cum") == 0 || strcmp(a, "--cum") == 0)
				t.cum = 1;
			else
				cat_regex(&ignore, a + 1);
		} else {
			cat_regex(&focus, a);
		}
	}
	if (focus.len)
		t.focus = focus.data;
	if (ignore.len)
		t.ignore = ignore.data;
	if (t.nodecount == -1 && c->kind == CMD_TOP)
		t.nodecount = 10;
	t.header = 0;
	t.warnings = &warnings;
	switch (c->kind) {
	case CMD_TOP:
		rc = pf_report_top(p, &t, &rep, &err);
		break;
	case CMD_LIST:
		rc = pf_report_list(p, regex, &t, &rep, &err);
		break;
	case CMD_PEEK:
		rc = pf_report_peek(p, regex, &t, &rep, &err);
		break;
	case CMD_TRACES:
		rc = pf_report_traces(p, &t, &rep, &err);
		break;
	case CMD_FLAME:
		flame(p, title, &t, out);
		goto out;
	case CMD_GO_ONLY:
		goto out;
	}
	for (w = warnings.data; w && *w; w += strcspn(w, "\n") + 1)
		print_err(out, "%.*s", (int)strcspn(w, "\n"), w);
	if (rc < 0)
		print_err(out, "%s", err.msg);
	else
		emit(&rep, output, out);
out:
	pf_buf_release(&focus);
	pf_buf_release(&ignore);
	pf_buf_release(&rep);
	pf_buf_release(&warnings);
	pf_buf_release(&q);
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

/* One input after the shortcuts: an assignment or a command. 1 to quit. */
static int exec_one(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
		    const char *input, FILE *out)
{
	struct pf_buf buf = PF_BUF_INIT, words = PF_BUF_INIT;
	char **tok = NULL, *s, *eq, *name, *value = NULL, *comment;
	int ntok = 0, ret = 0, choice;

	if (pf_buf_puts(&buf, input) < 0 || pf_buf_puts(&words, input) < 0)
		goto out;
	eq = strchr(buf.data, '=');
	if (eq) {
		*eq = '\0';
		value = eq + 1;
		comment = strstr(value, "//:");
		while (comment && strstr(comment + 1, "//:"))
			comment = strstr(comment + 1, "//:");
		if (comment)
			*comment = '\0';
		value = trim(value);
	}
	name = trim(buf.data);
	if (find_field(name, &choice)) {
		assign(p, o, name, value ? value : "", value != NULL, out);
		goto out;
	}

	/* strings.Fields */
	tok = calloc(words.len / 2 + 2, sizeof(*tok));
	if (!tok)
		goto out;
	for (s = words.data; *s;) {
		while (isspace((unsigned char)*s))
			*s++ = '\0';
		if (!*s)
			break;
		tok[ntok++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
	}
	if (ntok == 0)
		goto out;
	if (strcmp(tok[0], "o") == 0 || strcmp(tok[0], "options") == 0) {
		print_options(p, o, out);
	} else if (strcmp(tok[0], "exit") == 0 || strcmp(tok[0], "quit") == 0 ||
		   strcmp(tok[0], "q") == 0) {
		ret = 1;
	} else if (strcmp(tok[0], "help") == 0) {
		struct pf_buf topic = PF_BUF_INIT;
		int i;

		for (i = 1; i < ntok; i++)
			pf_buf_printf(&topic, "%s%s", i > 1 ? " " : "", tok[i]);
		help(p, topic.data ? topic.data : "", out);
		pf_buf_release(&topic);
	} else {
		run_command(p, title, o, tok, ntok, out);
	}
out:
	free(tok);
	pf_buf_release(&buf);
	pf_buf_release(&words);
	return ret;
}

int pf_pprof_shell_exec(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
			const char *line, FILE *out)
{
	static const char *const clear[] = { "focus=", "ignore=", "hide=", "tagfocus=", "tagignore=" };
	struct pf_buf buf = PF_BUF_INIT, cmd = PF_BUF_INIT;
	const char *input;
	size_t i;
	int ret = 0;

	if (pf_buf_puts(&buf, line) < 0)
		return 0;
	input = trim(buf.data);
	if (strcmp(input, ":") == 0) {
		for (i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
			exec_one(p, title, o, clear[i], out);
		goto out;
	}
	/* The sample types are shortcuts: alloc_space is sample_index=alloc_space. */
	for (i = 0; i < p->nsample_types; i++) {
		const char *type = p->sample_types[i].type, *mean = NULL;

		if (strcmp(input, type) == 0)
			mean = "";
		else if (pf_startswith(input, "total_") && strcmp(input + 6, type) == 0)
			mean = "mean=0";
		else if (pf_startswith(input, "mean_") && strcmp(input + 5, type) == 0)
			mean = "mean=1";
		if (!mean)
			continue;
		if (*mean)
			exec_one(p, title, o, mean, out);
		pf_buf_printf(&cmd, "sample_index=%s", type);
		exec_one(p, title, o, cmd.data, out);
		goto out;
	}
	ret = exec_one(p, title, o, input, out);
out:
	fflush(out);
	pf_buf_release(&buf);
	pf_buf_release(&cmd);
	return ret;
}

/* pprof's greetings: the profile's header, then how to get help. */
static void greet(const struct pf_profile *p, const struct pf_report_opts *o, FILE *out)
{
	struct pf_buf hdr = PF_BUF_INIT;
	struct pf_err err = { 0 };
	int64_t total = 0;

	if (pf_report_header(p, o, &hdr, &total, &err) == 0) {
		fputs(hdr.len ? hdr.data : "\n", out);
		if (total == 0 && p->nsample_types > 1)
			fputs("No samples were found with the default sample value type.\n"
			      "Try \"sample_index\" command to analyze different sample values.\n",
			      out);
	}
	fputs("Entering interactive mode (type \"help\" for commands, \"o\" for options)\n", out);
	pf_buf_release(&hdr);
}

int pf_pprof_shell(const struct pf_profile *p, const char *title, struct pf_report_opts *o,
		   FILE *in, FILE *out)
{
	int tty = isatty(fileno(in));
	char *line = NULL;
	size_t cap = 0;

	greet(p, o, out);
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
	free(line); /* at end of input pprof exits right after the prompt, no newline */
	return 0;
}
