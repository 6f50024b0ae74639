/* test_criteria.c - parsing pass criteria and deciding them on constructed profiles. */
#include <stdlib.h>
#include <string.h>

#include "course/criteria.h"
#include "t.h"

/* A profile with one sample type `type` and stacks over functions
 * main -> build_report -> format_row: each stack given as a list of
 * function indexes (leaf first) with its value. */
static const char *fnames[] = { "main", "build_report", "format_row", "handle_request" };

static struct pf_profile *make_profile(const char *type, const char *type2,
				       const int stacks[][4], const int64_t *values, size_t n)
{
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a = &p->arena;
	size_t i, j, nt = type2 ? 2 : 1;

	p->nsample_types = nt;
	p->sample_types = pf_arena_calloc(a, nt, sizeof(*p->sample_types));
	p->sample_types[0].type = type;
	p->sample_types[0].unit = "count";
	if (type2) {
		p->sample_types[1].type = type2;
		p->sample_types[1].unit = "nanoseconds";
	}
	p->nfunctions = 4;
	p->functions = pf_arena_calloc(a, 4, sizeof(*p->functions));
	p->nlocations = 4;
	p->locations = pf_arena_calloc(a, 4, sizeof(*p->locations));
	for (i = 0; i < 4; i++) {
		p->functions[i].id = i + 1;
		p->functions[i].name = fnames[i];
		p->functions[i].system_name = fnames[i];
		p->functions[i].filename = "report.c";
		p->locations[i].id = i + 1;
		p->locations[i].mapping = PF_NONE;
		p->locations[i].nlines = 1;
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		p->locations[i].lines[0].function = (uint32_t)i;
	}
	p->nsamples = n;
	p->samples = pf_arena_calloc(a, n, sizeof(*p->samples));
	for (i = 0; i < n; i++) {
		struct pf_sample *s = &p->samples[i];

		for (j = 0; j < 4 && stacks[i][j] >= 0; j++)
			;
		s->nlocs = (uint32_t)j;
		s->locs = pf_arena_calloc(a, j, sizeof(uint32_t));
		for (j = 0; j < s->nlocs; j++)
			s->locs[j] = (uint32_t)stacks[i][j];
		s->values = pf_arena_calloc(a, nt, sizeof(int64_t));
		s->values[0] = values[i];
		if (nt > 1)
			s->values[1] = values[i] * 10000000;
	}
	return p;
}

static const int cpu_stacks[][4] = {
	{ 2, 1, 0, -1 }, /* format_row <- build_report <- main */
	{ 1, 0, -1, -1 },
	{ 0, -1, -1, -1 },
};

static void test_parse_forms(void)
{
	struct pf_criterion c;
	struct pf_err err = { 0 };

	CHECK_INT(pf_criterion_parse(&c, "cum% of build_report <= 10", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_CUM_PCT);
	CHECK_STR(c.func, "build_report");
	CHECK_INT(c.cmp, PF_CMP_LE);
	CHECK(c.bound == 10 && c.relative == 0);

	CHECK_INT(pf_criterion_parse(&c, "cpu   samples <=  0.25 x pristine", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_CPU_SAMPLES);
	CHECK(c.bound == 0.25 && c.relative == 1);
	CHECK_STR(c.text, "cpu samples <= 0.25 x pristine");

	CHECK_INT(pf_criterion_parse(&c, "alloc_objects in handle_request <= 1% of pristine", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_TYPE_IN_FUNC);
	CHECK_STR(c.type, "alloc_objects");
	CHECK_STR(c.func, "handle_request");
	CHECK(c.bound == 1 && c.relative == 2);

	CHECK_INT(pf_criterion_parse(&c, "inuse_space < 4096", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_TYPE_TOTAL);
	CHECK_INT(c.cmp, PF_CMP_LT);

	CHECK_INT(pf_criterion_parse(&c, "output identical", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_OUTPUT);

	CHECK_INT(pf_criterion_parse(&c, "wall seconds <= 0.5 x pristine", &err), 0);
	CHECK_INT(c.metric, PF_METRIC_WALL_SECONDS);
}

static void test_parse_errors(void)
{
	struct pf_criterion c;
	struct pf_err err = { 0 };

	CHECK_INT(pf_criterion_parse(&c, "cum% of build_report 10", &err), PF_EINPUT);
	CHECK(strstr(err.msg, "no comparison") != NULL);
	CHECK_INT(pf_criterion_parse(&c, "speed of build_report <= 10", &err), PF_EINPUT);
	CHECK(strstr(err.msg, "unknown measure") != NULL);
	CHECK_INT(pf_criterion_parse(&c, "cpu samples <= lots", &err), PF_EINPUT);
	CHECK(strstr(err.msg, "bad number 'lots'") != NULL);
	CHECK_INT(pf_criterion_parse(&c, "cpu samples <= 2 x original", &err), PF_EINPUT);
	CHECK_INT(pf_criterion_parse(&c, "cpu samples <=", &err), PF_EINPUT);
	CHECK(strstr(err.msg, "missing bound") != NULL);
	CHECK_INT(pf_criterion_parse(&c, "", &err), PF_EINPUT);
}

static void test_cum_pct_fails_with_measured_and_wanted(void)
{
	const int64_t v[] = { 90, 3, 7 };
	struct pf_profile *p = make_profile("samples", "cpu", cpu_stacks, v, 3);
	struct pf_measurement m = { .cpu = p, .output_ok = 1 };
	struct pf_criterion c;
	struct pf_verdict vd;
	struct pf_err err = { 0 };

	CHECK_INT(pf_criterion_parse(&c, "cum% of build_report <= 10", &err), 0);
	pf_criterion_eval(&c, &m, NULL, &vd);
	CHECK(!vd.passed);
	CHECK_STR(vd.measured, "93.0");
	CHECK_STR(vd.message, "cum% of build_report 93.0 > 10");

	CHECK_INT(pf_criterion_parse(&c, "flat% of format_row <= 95", &err), 0);
	pf_criterion_eval(&c, &m, NULL, &vd);
	CHECK(vd.passed);
	CHECK_STR(vd.measured, "90.0");
	/* a function absent from the profile has 0% */
	CHECK_INT(pf_criterion_parse(&c, "cum% of handle_request <= 1", &err), 0);
	pf_criterion_eval(&c, &m, NULL, &vd);
	CHECK(vd.passed && vd.value == 0);
	pf_profile_free(p);
}

static void test_relative_samples_and_gain(void)
{
	const int64_t before[] = { 180, 10, 10 }, after[] = { 20, 10, 10 }, slow[] = { 100, 0, 0 };
	struct pf_profile *pp = make_profile("samples", "cpu", cpu_stacks, before, 3);
	struct pf_profile *pa = make_profile("samples", "cpu", cpu_stacks, after, 3);
	struct pf_profile *ps = make_profile("samples", "cpu", cpu_stacks, slow, 3);
	struct pf_measurement pristine = { .cpu = pp }, fixed = { .cpu = pa }, half = { .cpu = ps };
	struct pf_criterion c;
	struct pf_verdict vd;
	struct pf_err err = { 0 };

	CHECK_INT(pf_criterion_parse(&c, "cpu samples <= 0.25 x pristine", &err), 0);
	pf_criterion_eval(&c, &fixed, &pristine, &vd);
	CHECK(vd.passed);
	CHECK(vd.value == 40 && vd.pristine == 200 && vd.wanted == 50);
	CHECK_STR(vd.gain, "5.0x fewer CPU samples");
	pf_criterion_eval(&c, &half, &pristine, &vd);
	CHECK(!vd.passed);
	CHECK_STR(vd.message, "cpu samples 100 > 50 (0.25 x pristine 200)");
	/* without a pristine measurement a relative criterion cannot pass */
	pf_criterion_eval(&c, &fixed, NULL, &vd);
	CHECK(!vd.passed && !vd.measured_ok);
	pf_profile_free(pp);
	pf_profile_free(pa);
	pf_profile_free(ps);
}

static void test_heap_types_in_function(void)
{
	static const int hs[][4] = { { 3, 0, -1, -1 }, { 1, 0, -1, -1 } };
	const int64_t churn[] = { 100000, 50 }, pooled[] = { 400, 50 };
	struct pf_profile *hp = make_profile("alloc_objects", NULL, hs, churn, 2);
	struct pf_profile *hf = make_profile("alloc_objects", NULL, hs, pooled, 2);
	struct pf_measurement pristine = { .heap = hp }, fixed = { .heap = hf }, none = { 0 };
	struct pf_criterion c;
	struct pf_verdict vd;
	struct pf_err err = { 0 };

	CHECK_INT(pf_criterion_parse(&c, "alloc_objects in handle_request <= 1% of pristine", &err), 0);
	pf_criterion_eval(&c, &fixed, &pristine, &vd);
	CHECK(vd.passed);
	CHECK(vd.wanted == 1000);
	CHECK_STR(vd.gain, "250.0x fewer alloc_objects in handle_request");
	pf_criterion_eval(&c, &pristine, &pristine, &vd);
	CHECK(!vd.passed);
	CHECK_STR(vd.message, "alloc_objects in handle_request 100000 > 1000 (1% of pristine 100000)");
	/* a run that wrote no heap profile is reported, not crashed on */
	pf_criterion_eval(&c, &none, &pristine, &vd);
	CHECK(!vd.passed);
	CHECK(strstr(vd.message, "no heap profile was written") != NULL);
	/* a type the profile lacks */
	CHECK_INT(pf_criterion_parse(&c, "inuse_objects <= 10", &err), 0);
	pf_criterion_eval(&c, &fixed, NULL, &vd);
	CHECK(!vd.passed);
	CHECK(strstr(vd.message, "no sample type inuse_objects") != NULL);
	pf_profile_free(hp);
	pf_profile_free(hf);
}

static void test_output_and_seconds(void)
{
	struct pf_measurement wrong = { .output_ok = 0, .cpu_seconds = 0.1, .wall_seconds = 0.2 };
	struct pf_measurement slow = { .output_ok = 1, .cpu_seconds = 2.0, .wall_seconds = 2.0 };
	struct pf_criterion c;
	struct pf_verdict vd;
	struct pf_err err = { 0 };

	snprintf(wrong.output_diff, sizeof(wrong.output_diff), "line 3: got \"x\", want \"y\"");
	CHECK_INT(pf_criterion_parse(&c, "output identical", &err), 0);
	pf_criterion_eval(&c, &wrong, NULL, &vd);
	CHECK(!vd.passed);
	CHECK_STR(vd.message, "wrong output: line 3: got \"x\", want \"y\"");
	pf_criterion_eval(&c, &slow, NULL, &vd);
	CHECK(vd.passed);

	CHECK_INT(pf_criterion_parse(&c, "cpu seconds <= 0.5 x pristine", &err), 0);
	pf_criterion_eval(&c, &wrong, &slow, &vd);
	CHECK(vd.passed);
	CHECK_STR(vd.gain, "20.0x less CPU time");
	pf_criterion_eval(&c, &slow, &slow, &vd);
	CHECK(!vd.passed);
	CHECK_STR(vd.message, "cpu seconds 2.00s > 1.00s (0.5 x pristine 2.00s)");
}

int main(void)
{
	T_RUN(test_parse_forms);
	T_RUN(test_parse_errors);
	T_RUN(test_cum_pct_fails_with_measured_and_wanted);
	T_RUN(test_relative_samples_and_gain);
	T_RUN(test_heap_types_in_function);
	T_RUN(test_output_and_seconds);
	return t_exit();
}
