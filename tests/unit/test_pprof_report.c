/* test_pprof_report.c - pprof's text reports, units and the decoder's
 * validation (src/pprof/report.h, units.h, profile.h), and the pprof
 * shell's commands (src/cli/pprof_shell.h). */
#include <stdlib.h>
#include <string.h>

#include "cli/pprof_shell.h"
#include "pprof/profile.h"
#include "pprof/report.h"
#include "pprof/units.h"
#include "t.h"

/* main -> work -> leaf 30ms; main -> work 10ms; main -> other -> leaf 10ms. */
static struct pf_profile *make_profile(void)
{
	static const char *names[] = { "main", "work", "leaf", "other" };
	static const uint32_t stacks[3][4] = { { 2, 1, 0 }, { 1, 0 }, { 2, 3, 0 } };
	static const uint32_t depth[3] = { 3, 2, 3 };
	static const int64_t ms[3] = { 30, 10, 10 };
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a = &p->arena;
	size_t i, j;

	p->nsample_types = 1;
	p->sample_types = pf_arena_calloc(a, 1, sizeof(*p->sample_types));
	p->sample_types[0] = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->nfunctions = 4;
	p->functions = pf_arena_calloc(a, 4, sizeof(*p->functions));
	p->nlocations = 4;
	p->locations = pf_arena_calloc(a, 4, sizeof(*p->locations));
	for (i = 0; i < 4; i++) {
		p->functions[i] = (struct pf_function){ .id = i + 1, .name = names[i],
							.system_name = names[i],
							.filename = "prog.c" };
		p->locations[i].id = i + 1;
		p->locations[i].mapping = PF_NONE;
		p->locations[i].nlines = 1;
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		p->locations[i].lines[0] = (struct pf_line){ (uint32_t)i, (int64_t)i * 10 + 3, 0 };
	}
	p->nsamples = 3;
	p->samples = pf_arena_calloc(a, 3, sizeof(*p->samples));
	for (i = 0; i < 3; i++) {
		struct pf_sample *s = &p->samples[i];

		s->nlocs = depth[i];
		s->locs = pf_arena_calloc(a, 4, sizeof(uint32_t));
		for (j = 0; j < depth[i]; j++)
			s->locs[j] = stacks[i][j];
		s->values = pf_arena_calloc(a, 1, sizeof(int64_t));
		s->values[0] = ms[i] * 1000000;
	}
	return p;
}

static void test_units(void)
{
	char b[64];

	pf_units_label(1500000000, "nanoseconds", "auto", b, sizeof(b));
	CHECK_STR(b, "1.50s");
	pf_units_label(-1500000000, "nanoseconds", "auto", b, sizeof(b));
	CHECK_STR(b, "-1.50s");
	pf_units_label(0, "nanoseconds", "auto", b, sizeof(b));
	CHECK_STR(b, "0");
	pf_units_label(1536, "bytes", "auto", b, sizeof(b));
	CHECK_STR(b, "1.50kB");
	pf_units_label(3 << 20, "bytes", "auto", b, sizeof(b));
	CHECK_STR(b, "3MB");
	pf_units_label(1500000, "nanoseconds", "ms", b, sizeof(b));
	CHECK_STR(b, "1.50ms");
	pf_units_label(42, "count", "minimum", b, sizeof(b));
	CHECK_STR(b, "42");
	pf_units_label(7200LL * 1000000000, "nanoseconds", "auto", b, sizeof(b));
	CHECK_STR(b, "2hrs");
	pf_units_percentage(1, 3, b, sizeof(b));
	CHECK_STR(b, "33.33%");
	pf_units_percentage(1, 1000, b, sizeof(b));
	CHECK_STR(b, "  0.1%");
	pf_units_percentage(9996, 10000, b, sizeof(b));
	CHECK_STR(b, "  100%");
	pf_units_percentage(0, 0, b, sizeof(b));
	CHECK_STR(b, "    0%");
}

static void test_top(void)
{
	struct pf_profile *p = make_profile();
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT;
	struct pf_err err = { 0 };

	pf_report_opts_init(&o);
	CHECK_INT(pf_report_top(p, &o, &out, &err), 0);
	CHECK_STR(out.data, "Type: cpu\n"
			    "Showing nodes accounting for 50ms, 100% of 50ms total\n"
			    "      flat  flat%   sum%        cum   cum%\n"
			    "      40ms 80.00% 80.00%       40ms 80.00%  leaf\n"
			    "      10ms 20.00%   100%       40ms 80.00%  work\n"
			    "         0     0%   100%       50ms   100%  main\n"
			    "         0     0%   100%       10ms 20.00%  other\n");
	pf_buf_release(&out);

	o.cum = 1;
	o.nodecount = 2;
	CHECK_INT(pf_report_top(p, &o, &out, &err), 0);
	CHECK(strstr(out.data, "Showing top 2 nodes out of 4\n") != NULL);
	CHECK(strstr(out.data, "       50ms   100%  main\n") != NULL);
	CHECK(strstr(out.data, "other") == NULL);
	pf_buf_release(&out);

	pf_report_opts_init(&o);
	o.focus = "other";
	CHECK_INT(pf_report_top(p, &o, &out, &err), 0);
	CHECK(strstr(out.data, "Active filters:\n   focus=other\n") != NULL);
	CHECK(strstr(out.data, "Showing nodes accounting for 10ms, 20.00% of 50ms total\n") != NULL);
	pf_buf_release(&out);

	pf_report_opts_init(&o);
	o.sample_index = "nosuch";
	CHECK_INT(pf_report_top(p, &o, &out, &err), PF_EUSAGE);
	CHECK_STR(err.msg, "sample_index \"nosuch\" must be one of: [cpu]");
	o.sample_index = NULL;
	o.hide = "(";
	CHECK_INT(pf_report_top(p, &o, &out, &err), PF_EUSAGE);
	pf_buf_release(&out);
	pf_profile_free(p);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

/* A profile may hold two samples of one stack and the same labels (Go's
 * heap profiles do: stacks that differed only in runtime frames the
 * writer leaves out), even through two copies of one location. pprof
 * merges them as it reads the profile, so traces shows one. */
static void traces_merge_identical_samples(const struct pf_profile *base,
					   const struct pf_report_opts *o)
{
	struct pf_profile *p = pf_report_compact(base, &(struct pf_err){ 0 });
	struct pf_buf out = PF_BUF_INIT;
	struct pf_err err = { 0 };
	struct pf_arena *a;
	struct pf_location *locs;
	struct pf_sample *ss;

	CHECK(p != NULL);
	if (!p)
		return;
	a = &p->arena;
	/* A fifth location, a copy of leaf's, and a fourth sample: leaf
	 * (through the copy) <- work <- main, 10ms. */
	locs = pf_arena_calloc(a, 5, sizeof(*locs));
	memcpy(locs, p->locations, 4 * sizeof(*locs));
	locs[4] = locs[p->samples[0].locs[0]];
	locs[4].id = 5;
	p->locations = locs;
	p->nlocations = 5;
	ss = pf_arena_calloc(a, 4, sizeof(*ss));
	memcpy(ss, p->samples, 3 * sizeof(*ss));
	ss[3] = ss[0];
	ss[3].locs = pf_arena_calloc(a, 3, sizeof(uint32_t));
	ss[3].locs[0] = 4;
	ss[3].locs[1] = ss[0].locs[1];
	ss[3].locs[2] = ss[0].locs[2];
	ss[3].values = pf_arena_calloc(a, 1, sizeof(int64_t));
	ss[3].values[0] = 10 * 1000000;
	p->samples = ss;
	p->nsamples = 4;

	CHECK_INT(pf_report_traces(p, o, &out, &err), 0);
	CHECK(strstr(out.data, "-----------+-------------------------------------------------------\n"
			       "      40ms   leaf\n"
			       "             work\n"
			       "             main\n") != NULL);
	/* Three traces: four separators. */
	CHECK_INT(count(out.data, "-----------+"), 4);
	pf_buf_release(&out);
	pf_profile_free(p);
}

static void test_peek_traces_list(void)
{
	struct pf_profile *p = make_profile();
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT;
	struct pf_err err = { 0 };

	pf_report_opts_init(&o);
	CHECK_INT(pf_report_peek(p, "^work$", &o, &out, &err), 0);
	CHECK(strstr(out.data, "                                              40ms   100% |   main\n") != NULL);
	CHECK(strstr(out.data, "      10ms 20.00% 20.00%       40ms 80.00%                | work\n") != NULL);
	CHECK(strstr(out.data, "                                              30ms 75.00% |   leaf\n") != NULL);
	pf_buf_release(&out);
	CHECK_INT(pf_report_peek(p, "nosuch", &o, &out, &err), PF_EFAIL);
	CHECK_STR(err.msg, "no matches found for regexp: nosuch");
	pf_buf_release(&out);

	CHECK_INT(pf_report_traces(p, &o, &out, &err), 0);
	CHECK(strstr(out.data, "-----------+-------------------------------------------------------\n"
			       "      30ms   leaf\n"
			       "             work\n"
			       "             main\n") != NULL);
	pf_buf_release(&out);
	traces_merge_identical_samples(p, &o);

	/* The source file is not there: a clear note, values still totalled. */
	CHECK_INT(pf_report_list(p, "^leaf$", &o, &out, &err), 0);
	CHECK(strstr(out.data, "Total: 50ms\nROUTINE ======================== leaf in prog.c\n"
			       "      40ms       40ms (flat, cum) 80.00% of Total\n"
			       " Error: could not find file prog.c on path ") != NULL);
	pf_buf_release(&out);
	pf_profile_free(p);
}

static void test_merge_base(void)
{
	struct pf_profile *a = make_profile(), *b = make_profile(), *m, *d;
	struct pf_profile *two[2] = { a, b };
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT;
	struct pf_err err = { 0 };

	pf_report_opts_init(&o);
	m = pf_report_merge(two, 2, &err);
	CHECK(m != NULL);
	if (m) {
		CHECK_INT(m->nsamples, 3); /* identical stacks merged */
		CHECK_INT(pf_report_top(m, &o, &out, &err), 0);
		CHECK(strstr(out.data, "of 100ms total") != NULL);
		pf_buf_release(&out);
	}
	d = pf_report_with_base(a, b, 0, &err);
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->nsamples, 0); /* everything cancels out */
		pf_profile_free(d);
	}
	b->sample_types[0].unit = "bytes";
	d = pf_report_with_base(a, b, 1, &err);
	CHECK(d == NULL);
	CHECK(strstr(err.msg, "incompatible sample types") != NULL);
	pf_profile_free(m);
	pf_profile_free(a);
	pf_profile_free(b);
}

/* ---- hand-made protobuf bytes for the decoder's checks ---- */

static void put_varint(struct pf_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		pf_buf_putc(b, (int)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	pf_buf_putc(b, (int)v);
}

static void put_bytes(struct pf_buf *b, uint32_t field, const void *p, size_t n)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, n);
	pf_buf_append(b, p, n);
}

static void put_int(struct pf_buf *b, uint32_t field, uint64_t v)
{
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, v);
}

/* strings "", "cpu", "nanoseconds"; one sample type. */
static void put_header(struct pf_buf *b)
{
	struct pf_buf vt = PF_BUF_INIT;

	put_bytes(b, 6, "", 0);
	put_bytes(b, 6, "cpu", 3);
	put_bytes(b, 6, "nanoseconds", 11);
	put_int(&vt, 1, 1);
	put_int(&vt, 2, 2);
	put_bytes(b, 1, vt.data, vt.len);
	pf_buf_release(&vt);
}

static void expect_decode_error(const struct pf_buf *b, const char *want)
{
	struct pf_err err = { 0 };
	struct pf_profile *p = pf_profile_decode(b->data, b->len, &err);

	CHECK(p == NULL);
	if (!strstr(err.msg, want)) {
		printf("  decode error \"%s\" lacks \"%s\"\n", err.msg, want);
		CHECK(0);
	}
	pf_profile_free(p);
}

static void test_decode_errors(void)
{
	struct pf_buf b = PF_BUF_INIT, s = PF_BUF_INIT;
	struct pf_err err = { 0 };
	struct pf_profile *p;
	static const unsigned char trunc[] = { 0x08, 0x80 };

	pf_buf_append(&b, trunc, sizeof(trunc));
	expect_decode_error(&b, "bad protobuf encoding");
	pf_buf_release(&b);

	put_bytes(&b, 6, "x", 1);
	expect_decode_error(&b, "string table does not start with \"\"");
	pf_buf_release(&b);

	put_header(&b);
	put_int(&s, 2, 5);
	put_int(&s, 2, 6);
	put_bytes(&b, 2, s.data, s.len);
	expect_decode_error(&b, "sample 0 has 2 values, want 1");
	pf_buf_release(&b);
	pf_buf_release(&s);

	put_header(&b);
	put_int(&s, 1, 7);
	put_int(&s, 2, 5);
	put_bytes(&b, 2, s.data, s.len);
	expect_decode_error(&b, "sample 0 refers to missing location 7");
	pf_buf_release(&b);
	pf_buf_release(&s);

	put_header(&b);
	put_int(&s, 1, 1);
	put_int(&s, 2, 99);
	put_bytes(&b, 5, s.data, s.len);
	expect_decode_error(&b, "function name refers to string 99 of 3");
	pf_buf_release(&b);
	pf_buf_release(&s);

	/* A well-formed one, with the function after the location that uses it. */
	put_header(&b);
	{
		struct pf_buf loc = PF_BUF_INIT, line = PF_BUF_INIT, fn = PF_BUF_INIT;

		put_int(&line, 1, 3);
		put_int(&line, 2, 12);
		put_int(&loc, 1, 1);
		put_bytes(&loc, 4, line.data, line.len);
		put_bytes(&b, 4, loc.data, loc.len);
		put_int(&fn, 1, 3);
		put_int(&fn, 2, 1);
		put_bytes(&b, 5, fn.data, fn.len);
		put_int(&s, 1, 1);
		put_int(&s, 2, 10);
		put_bytes(&b, 2, s.data, s.len);
		pf_buf_release(&loc);
		pf_buf_release(&line);
		pf_buf_release(&fn);
	}
	p = pf_profile_decode(b.data, b.len, &err);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->nsamples, 1);
		CHECK_STR(p->functions[p->locations[p->samples[0].locs[0]].lines[0].function].name, "cpu");
		CHECK_INT(p->locations[0].lines[0].line, 12);
	}
	pf_profile_free(p);
	pf_buf_release(&b);
	pf_buf_release(&s);
}

static void test_shell(void)
{
	struct pf_profile *p = make_profile();
	struct pf_report_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pf_report_opts_init(&o);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "top 1", f), 0);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "sample_index=nosuch", f), 0);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "focus=other", f), 0);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "top", f), 0);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "frobnicate", f), 0);
	CHECK_INT(pf_pprof_shell_exec(p, "t", &o, "quit", f), 1);
	fclose(f);
	CHECK(strstr(text, "Showing top 1 nodes out of 4\n") != NULL);
	CHECK(strstr(text, "sample_index \"nosuch\" must be one of: [cpu]\n") != NULL);
	CHECK(strstr(text, "   focus=other\nShowing nodes accounting for 10ms, 20.00% of 50ms total\n") != NULL);
	CHECK(strstr(text, "unrecognized command: \"frobnicate\"") != NULL);
	free(text);
	pf_profile_free(p);
}

/* The shell's argument handling and messages follow go tool pprof's. */
static void test_shell_args(void)
{
	struct pf_profile *p = make_profile();
	struct pf_report_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pf_report_opts_init(&o);
	pf_pprof_shell_exec(p, "t", &o, "top 2 -cum", f);
	pf_pprof_shell_exec(p, "t", &o, "top1 other", f);
	pf_pprof_shell_exec(p, "t", &o, "top -nosuch", f);
	pf_pprof_shell_exec(p, "t", &o, "cum", f);
	pf_pprof_shell_exec(p, "t", &o, "focus main", f);
	pf_pprof_shell_exec(p, "t", &o, "sort=cum", f);
	pf_pprof_shell_exec(p, "t", &o, "o", f);
	pf_pprof_shell_exec(p, "t", &o, "tree", f);
	pf_pprof_shell_exec(p, "t", &o, "help", f);
	fclose(f);
	CHECK(strstr(text, "Showing nodes accounting for 40ms, 80.00% of 50ms total\n"
			   "Showing top 2 nodes out of 4\n"
			   "      flat  flat%   sum%        cum   cum%\n"
			   "         0     0%     0%       50ms   100%  main\n"
			   "      40ms 80.00% 80.00%       40ms 80.00%  leaf\n") == text);
	CHECK(strstr(text, "Active filters:\n   focus=other\nShowing nodes accounting for 10ms, 20.00% of 50ms total\n"
			   "Showing top 1 nodes out of 3\n") != NULL);
	CHECK(strstr(text, "Active filters:\n   ignore=nosuch\n") != NULL);
	CHECK(strstr(text, "Ignore expression matched no samples\nActive filters:") != NULL);
	CHECK(strstr(text, "unknown config field \"cum\"\n") != NULL);
	CHECK(strstr(text, "did you mean: focus=main\n") != NULL);
	CHECK(strstr(text, "  sort                      = cum                  //: [cum | flat]\n") != NULL);
	CHECK(strstr(text, "  nodefraction              = 0.005                \n") != NULL);
	CHECK(strstr(text, "proflab does not support the tree command") != NULL);
	CHECK(strstr(text, "    top              Outputs top entries in text form\n") != NULL);
	CHECK(strstr(text, "File:") == NULL && strstr(text, "Type:") == NULL);
	free(text);
	pf_profile_free(p);
}

int main(void)
{
	T_RUN(test_units);
	T_RUN(test_top);
	T_RUN(test_peek_traces_list);
	T_RUN(test_merge_base);
	T_RUN(test_decode_errors);
	T_RUN(test_shell);
	T_RUN(test_shell_args);
	return t_exit();
}
