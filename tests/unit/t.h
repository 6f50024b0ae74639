/*
 * t.h - the unit-test harness: one test file per module, each a main()
 * that calls t_run() for every case. Every case prints "PASS name" or
 * "FAIL name" (after the failed checks, indented); tests/run.sh counts
 * those lines. The process exits non-zero when any case failed.
 */
#ifndef PF_T_H
#define PF_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_case_failed;
static int t_any_failed;

/* Record a failed check (does not return early: later checks still run). */
__attribute__((unused)) static int t_check(int ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		printf("  %s:%d: check failed: %s\n", file, line, expr);
		t_case_failed = 1;
	}
	return ok;
}

__attribute__((unused)) static int t_check_str(const char *a, const char *b, const char *ea,
					       const char *eb, const char *file, int line)
{
	if (!a || !b || strcmp(a, b) != 0) {
		printf("  %s:%d: %s == %s\n    got:  \"%s\"\n    want: \"%s\"\n", file, line, ea, eb,
		       a ? a : "(null)", b ? b : "(null)");
		t_case_failed = 1;
		return 0;
	}
	return 1;
}

__attribute__((unused)) static int t_check_int(int64_t a, int64_t b, const char *ea,
					       const char *eb, const char *file, int line)
{
	if (a != b) {
		printf("  %s:%d: %s == %s\n    got:  %" PRId64 "\n    want: %" PRId64 "\n", file,
		       line, ea, eb, a, b);
		t_case_failed = 1;
		return 0;
	}
	return 1;
}

#define CHECK(c) t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_STR(a, b) t_check_str((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_INT(a, b) t_check_int((int64_t)(a), (int64_t)(b), #a, #b, __FILE__, __LINE__)

__attribute__((unused)) static void t_run(const char *name, void (*fn)(void))
{
	t_case_failed = 0;
	fn();
	printf("%s %s\n", t_case_failed ? "FAIL" : "PASS", name);
	fflush(stdout);
	if (t_case_failed)
		t_any_failed = 1;
}

__attribute__((unused)) static int t_exit(void)
{
	return t_any_failed ? 1 : 0;
}

#define T_RUN(fn) t_run(#fn, fn)

#endif
