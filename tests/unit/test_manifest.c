/* test_manifest.c - exercise manifests: the format and its errors (file:line). */
#include <string.h>

#include "course/manifest.h"
#include "t.h"

static const char good[] =
	"# a comment\n"
	"title    Warm-up: the monthly sales report\n"
	"files    report.c util.h\n"
	"\n"
	"build    cc -O2 -g -fno-omit-frame-pointer -o report report.c\n"
	"run      ./report\n"
	"expect   expected.txt\n"
	"timeout  12.5\n"
	"hz       250\r\n"
	"pass     output identical\n"
	"pass     cum% of build_report <= 10\n"
	"pass     cpu samples <= 0.25 x pristine\n";

static void test_parse_good(void)
{
	struct pf_manifest m;
	struct pf_err err = { 0 };

	CHECK_INT(pf_manifest_parse(&m, good, "ex/manifest", &err), 0);
	CHECK_STR(m.title, "Warm-up: the monthly sales report");
	CHECK_INT(m.nfiles, 2);
	CHECK_STR(m.files[1], "util.h");
	CHECK_STR(m.build, "cc -O2 -g -fno-omit-frame-pointer -o report report.c");
	CHECK_STR(m.run, "./report");
	CHECK_STR(m.expect, "expected.txt");
	CHECK(m.timeout == 12.5);
	CHECK_INT(m.hz, 250);
	CHECK_INT(m.heaprate, 524288);
	CHECK_INT(m.ncriteria, 3);
	CHECK_INT(m.criteria[1].metric, PF_METRIC_CUM_PCT);
	CHECK_INT(m.criteria[2].relative, 1);
}

static void test_defaults(void)
{
	struct pf_manifest m;
	struct pf_err err = { 0 };

	CHECK_INT(pf_manifest_parse(&m, "title t\nfiles a.c\nbuild cc a.c\nrun ./a.out\n"
				    "pass cpu samples <= 100\n", "m", &err), 0);
	CHECK(m.timeout == 60);
	CHECK_INT(m.hz, 100);
	CHECK_STR(m.expect, "");
}

static void expect_error(const char *text, const char *want)
{
	struct pf_manifest m;
	struct pf_err err = { 0 };

	CHECK_INT(pf_manifest_parse(&m, text, "ex/manifest", &err), PF_EINPUT);
	if (!strstr(err.msg, want))
		printf("  message: %s\n  want:    %s\n", err.msg, want);
	CHECK(strstr(err.msg, want) != NULL);
}

static void test_errors_name_file_and_line(void)
{
	expect_error("title t\ntittle x\n", "ex/manifest:2: unknown key 'tittle'");
	expect_error("title t\nfiles a.c\nbuild cc\nrun ./a\n\npass cum% of f 10\n",
		     "ex/manifest:6: criterion 'cum% of f 10': no comparison");
	expect_error("title t\ntimeout soon\n", "ex/manifest:2: timeout: 'soon' is not a number");
	expect_error("title t\ntimeout -1\n", "ex/manifest:2: timeout");
	expect_error("title t\nhz 0\n", "ex/manifest:2: hz: '0' is not a valid number");
	expect_error("title t\nfiles ../etc/passwd\n", "ex/manifest:2: files: '../etc/passwd'");
	expect_error("title\n", "ex/manifest:1: title needs a value");
	expect_error("title t\nfiles a.c\nbuild cc\nrun ./a\n", "ex/manifest:5: missing pass criteria");
	expect_error("files a.c\n", "missing title");
	expect_error("title t\nfiles a.c\nbuild cc\nrun ./a\npass output identical\n",
		     "'pass output identical' needs an 'expect' file");
}

static void test_load_missing_file(void)
{
	struct pf_manifest m;
	struct pf_err err = { 0 };

	CHECK_INT(pf_manifest_load(&m, "/nonexistent/ex/manifest", &err), PF_EINPUT);
	CHECK(strstr(err.msg, "/nonexistent/ex/manifest: No such file") != NULL);
}

int main(void)
{
	T_RUN(test_parse_good);
	T_RUN(test_defaults);
	T_RUN(test_errors_name_file_and_line);
	T_RUN(test_load_missing_file);
	return t_exit();
}
