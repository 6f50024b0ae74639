/* cmd-check.c - `proflab check`: check fixes against the profile (text, TAP, JUnit, JSON) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/str.h"
#include "../course/exercise.h"
#include "command.h"
#include "exercise_ui.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_check = {
	.name = "check",
	.synopsis = "EX...|--all [--solution] [--format text|tap|junit|json]",
	.summary = "check fixes against the profile",
	.help = "Builds your copy of each exercise and the pristine program, runs both\n"
		"under the profilers and decides the exercise's pass criteria on the\n"
		"profiles (e.g. \"cum% of build_report <= 10\", \"cpu samples <= 0.25 x\n"
		"pristine\"). The output must stay identical: a fast but wrong program\n"
		"fails on its output. Exit status 0 exactly when every check passed.\n\n"
		"Options:\n"
		"  --all             every exercise\n"
		"  --solution        check the reference solutions instead of your copies\n"
		"  --format F        text (default), tap, junit (JUnit XML) or json\n",
	.run = run,
};

enum fmt { FMT_TEXT, FMT_TAP, FMT_JUNIT, FMT_JSON };

/* Escape n bytes of s (up to a NUL) for XML text or an attribute value.
 * What XML 1.0 cannot carry (bytes that are not UTF-8, control characters
 * other than tab, newline and CR, U+FFFE and U+FFFF) becomes U+FFFD, so
 * whatever a learner's program prints, the report stays well-formed. */
static void xml_escape(struct pf_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i]) {
		unsigned c = 0;
		size_t len = pf_utf8_decode(s + i, n - i, &c);

		if (len == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0xfffe ||
		    c == 0xffff) {
			pf_buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
			i += len ? len : 1;
			continue;
		}
		if (c == '&')
			pf_buf_puts(b, "&amp;");
		else if (c == '<')
			pf_buf_puts(b, "&lt;");
		else if (c == '>')
			pf_buf_puts(b, "&gt;");
		else if (c == '"')
			pf_buf_puts(b, "&quot;");
		else
			pf_buf_append(b, s + i, len);
		i += len;
	}
}

static void xml_puts(struct pf_buf *b, const char *s)
{
	xml_escape(b, s, strlen(s));
}

static void print_text(const struct pf_check_result *r)
{
	size_t i;

	printf("%s %s%s", r->passed ? "PASS" : "FAIL", r->slug, r->solution ? " (solution)" : "");
	if (r->passed && r->gain[0])
		printf(": %s", r->gain);
	printf(" (%.1fs)\n", r->seconds);
	if (r->problem[0]) {
		printf("  %s\n", r->problem);
		if (r->log.len) {
			fwrite(r->log.data, 1, r->log.len, stdout);
			if (r->log.data[r->log.len - 1] != '\n')
				printf("\n");
		}
	}
	for (i = 0; i < r->ncriteria && !r->problem[0]; i++)
		printf("  %-4s %s\n", r->criteria[i].passed ? "ok" : "FAIL",
		       r->criteria[i].passed ? r->criteria[i].name : r->criteria[i].message);
	if (!r->problem[0] && r->profiles_dir[0])
		printf("  profiles: %s\n", r->profiles_dir);
	if (r->diff_svg[0])
		printf("  what changed (differential flame graph): %s\n", r->diff_svg);
}

/* A YAML double-quoted scalar (JSON quoting is valid YAML). */
static void yaml_str(const char *key, const char *s)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_json_quote(&b, s);
	printf("  %s: %s\n", key, b.data);
	pf_buf_release(&b);
}

static void print_tap(const struct pf_check_result *r, size_t n)
{
	size_t i;

	printf("%s %zu - %s%s%s%s\n", r->passed ? "ok" : "not ok", n, r->slug,
	       r->solution ? " (solution)" : "", r->passed && r->gain[0] ? ": " : "",
	       r->passed ? r->gain : "");
	printf("  ---\n");
	printf("  duration_ms: %.0f\n", r->seconds * 1000);
	if (r->problem[0])
		yaml_str("message", r->problem);
	if (r->log.len)
		yaml_str("log", r->log.data);
	if (r->ncriteria && !r->problem[0]) {
		printf("  criteria:\n");
		for (i = 0; i < r->ncriteria; i++) {
			struct pf_buf b = PF_BUF_INIT;

			pf_json_quote(&b, r->criteria[i].passed ? r->criteria[i].name : r->criteria[i].message);
			printf("    - %s %s\n", r->criteria[i].passed ? "\"ok\":" : "\"fail\":", b.data);
			pf_buf_release(&b);
		}
	}
	printf("  ...\n");
}

/* One exercise as a JUnit testsuite, a testcase per criterion. A run that
 * measured nothing (a build error, a crash, the time limit: r->problem)
 * makes every criterion an <error>, JUnit's word for a test that could
 * not run; a criterion not met is a <failure>. */
static void junit_suite(struct pf_buf *x, const struct pf_check_result *r)
{
	size_t i, failures = 0, errors = r->problem[0] ? r->ncriteria : 0;
	const char *tag = r->problem[0] ? "error" : "failure";

	for (i = 0; i < r->ncriteria && !errors; i++)
		failures += !r->criteria[i].passed;
	pf_buf_puts(x, "  <testsuite name=\"");
	xml_puts(x, r->slug);
	pf_buf_printf(x, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		      r->ncriteria, failures, errors, r->seconds);
	for (i = 0; i < r->ncriteria; i++) {
		const struct pf_criterion_result *c = &r->criteria[i];

		pf_buf_puts(x, "    <testcase classname=\"proflab.");
		xml_puts(x, r->slug);
		pf_buf_puts(x, "\" name=\"");
		xml_puts(x, c->name);
		pf_buf_puts(x, "\" time=\"0\"");
		if (c->passed && !r->problem[0]) {
			pf_buf_puts(x, "/>\n");
			continue;
		}
		pf_buf_printf(x, ">\n      <%s message=\"", tag);
		xml_puts(x, r->problem[0] ? r->problem : c->message);
		pf_buf_printf(x, "\" type=\"%s\">", r->problem[0] ? "run" : "criterion");
		if (r->problem[0] && r->log.len)
			xml_escape(x, r->log.data, r->log.len);
		else
			xml_puts(x, c->message);
		pf_buf_printf(x, "</%s>\n    </testcase>\n", tag);
	}
	if (r->gain[0]) {
		pf_buf_puts(x, "    <system-out>");
		xml_puts(x, r->gain);
		pf_buf_puts(x, "</system-out>\n");
	}
	pf_buf_puts(x, "  </testsuite>\n");
}

static void json_result(struct pf_json *j, const struct pf_check_result *r)
{
	size_t i;

	pf_json_object_begin(j);
	pf_json_key(j, "slug");
	pf_json_string(j, r->slug);
	pf_json_key(j, "solution");
	pf_json_bool(j, r->solution);
	pf_json_key(j, "passed");
	pf_json_bool(j, r->passed);
	pf_json_key(j, "gain");
	pf_json_string(j, r->gain);
	pf_json_key(j, "problem");
	pf_json_string(j, r->problem);
	pf_json_key(j, "log");
	pf_json_string(j, r->log.data);
	pf_json_key(j, "seconds");
	pf_json_double(j, r->seconds);
	pf_json_key(j, "profiles");
	pf_json_string(j, r->profiles_dir);
	pf_json_key(j, "diff_svg");
	pf_json_string(j, r->diff_svg);
	pf_json_key(j, "criteria");
	pf_json_array_begin(j);
	for (i = 0; i < r->ncriteria; i++) {
		const struct pf_criterion_result *c = &r->criteria[i];

		pf_json_object_begin(j);
		pf_json_key(j, "name");
		pf_json_string(j, c->name);
		pf_json_key(j, "measured");
		pf_json_string(j, c->measured);
		pf_json_key(j, "wanted");
		pf_json_string(j, c->wanted);
		pf_json_key(j, "passed");
		pf_json_bool(j, c->passed && !r->problem[0]);
		pf_json_key(j, "message");
		pf_json_string(j, c->message);
		pf_json_object_end(j);
	}
	pf_json_array_end(j);
	pf_json_object_end(j);
}

static int parse_format(const char *s, enum fmt *f)
{
	if (strcmp(s, "text") == 0)
		*f = FMT_TEXT;
	else if (strcmp(s, "tap") == 0)
		*f = FMT_TAP;
	else if (strcmp(s, "junit") == 0)
		*f = FMT_JUNIT;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else
		return -1;
	return 0;
}

static int run(int argc, char **argv)
{
	int all = 0, solution = 0;
	const char *format = "text";
	const struct pf_opt opts[] = {
		{ "all", PF_OPT_FLAG, &all, NULL, 0 },
		{ "solution", PF_OPT_FLAG, &solution, NULL, 0 },
		{ "format", PF_OPT_STRING, &format, NULL, 0 },
		{ 0 },
	};
	struct pf_exercise_list l = { 0 };
	struct pf_buf xml = PF_BUF_INIT, js = PF_BUF_INIT;
	struct pf_json j;
	struct pf_err err = { 0 };
	char **pos = argv + 1, (*slugs)[64] = NULL;
	size_t nslugs = 0, i, npassed = 0, nfailed = 0;
	double total_seconds = 0;
	enum fmt f = FMT_TEXT;
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_check, rc, &err, &status))
		return status;
	if (parse_format(format, &f) < 0) {
		fprintf(stderr, "proflab check: bad --format '%s': want text, tap, junit or json\n", format);
		return 2;
	}
	if ((all && npos) || (!all && !npos)) {
		fprintf(stderr, "proflab check: %s\nusage: proflab check %s\n",
			all ? "name exercises or give --all, not both" : "name exercises or give --all",
			pf_cmd_check.synopsis);
		return 2;
	}
	if (pf_exercise_list(&l, &err) < 0) {
		fprintf(stderr, "proflab check: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	slugs = calloc(all ? l.n + 1 : (size_t)npos + 1, sizeof(*slugs));
	if (!slugs) {
		fprintf(stderr, "proflab check: out of memory\n");
		status = 1;
		goto out;
	}
	if (all) {
		for (i = 0; i < l.n; i++)
			memcpy(slugs[nslugs++], l.items[i].slug, sizeof(slugs[0]));
	} else {
		for (i = 0; i < (size_t)npos; i++) {
			if (pf_exercise_resolve(pos[i], slugs[nslugs], sizeof(slugs[0]), &err) < 0) {
				fprintf(stderr, "proflab check: %s\n", err.msg);
				status = pf_err_exit_status(err.code);
				goto out;
			}
			nslugs++;
		}
	}
	pf_exui_catch_interrupt();
	if (f == FMT_TAP)
		printf("TAP version 13\n1..%zu\n", nslugs);
	pf_json_init(&j, &js, 1);
	if (f == FMT_JSON) {
		pf_json_object_begin(&j);
		pf_json_key(&j, "results");
		pf_json_array_begin(&j);
	}
	status = 0;
	for (i = 0; i < nslugs; i++) {
		struct pf_check_result r;
		const char *warn;

		pf_check_result_init(&r);
		rc = pf_exercise_check(slugs[i], solution, pf_exui_progress, (void *)slugs[i], &r, &err);
		pf_exui_progress_end();
		if (rc < 0) {
			fprintf(stderr, "proflab check: %s\n", err.msg);
			pf_check_result_release(&r);
			status = pf_err_exit_status(err.code);
			goto out;
		}
		warn = pf_exercise_take_warning();
		if (warn)
			fprintf(stderr, "proflab check: warning: %s\n", warn);
		if (r.passed)
			npassed++;
		else
			nfailed++;
		total_seconds += r.seconds;
		switch (f) {
		case FMT_TEXT: print_text(&r); break;
		case FMT_TAP: print_tap(&r, i + 1); break;
		case FMT_JUNIT: junit_suite(&xml, &r); break;
		case FMT_JSON: json_result(&j, &r); break;
		}
		fflush(stdout);
		pf_check_result_release(&r);
	}
	if (f == FMT_TEXT && nslugs > 1)
		printf("\n%zu passed, %zu failed (%.1fs)\n", npassed, nfailed, total_seconds);
	if (f == FMT_JUNIT) {
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<testsuites name=\"proflab check\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
		       nslugs, nfailed, total_seconds);
		fwrite(xml.data, 1, xml.len, stdout);
		printf("</testsuites>\n");
	}
	if (f == FMT_JSON) {
		pf_json_array_end(&j);
		pf_json_key(&j, "passed");
		pf_json_bool(&j, nfailed == 0);
		pf_json_key(&j, "npassed");
		pf_json_uint(&j, npassed);
		pf_json_key(&j, "nfailed");
		pf_json_uint(&j, nfailed);
		pf_json_object_end(&j);
		printf("%s\n", js.data);
	}
	status = nfailed ? 1 : 0;
out:
	free(slugs);
	pf_buf_release(&xml);
	pf_buf_release(&js);
	pf_exercise_list_release(&l);
	return status;
}
