/* test_quiz.c - the quiz parser, grading and profile questions (quiz.h). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/paths.h"
#include "base/str.h"
#include "course/quiz.h"
#include "pprof/profile.h"
#include "t.h"

static char tmpdir[256];

static const char *const all_types =
	"# Test quiz\n"
	"\n"
	"<!-- a comment\n"
	"     over two lines -->\n"
	"## Pick **one**\n"
	"type: single\n"
	"- a) first\n"
	"- b) second\n"
	"- c) third\n"
	"answer: b\n"
	"> Because b.\n"
	"\n"
	"## Pick several\n"
	"with a second line of text\n"
	"\n"
	"type: multiple\n"
	"- a) one\n"
	"- b) two\n"
	"- c) three\n"
	"- d) four\n"
	"answer: c, a\n"
	"> a and c.\n"
	"> Second explanation line.\n"
	"\n"
	"## Order them\n"
	"type: order\n"
	"- a) x\n"
	"- b) y\n"
	"- c) z\n"
	"- d) w\n"
	"answer: c,a,d,b\n"
	"> c a d b.\n"
	"\n"
	"## A number\n"
	"type: number\n"
	"answer: 100\n"
	"tolerance: 2.5\n"
	"> 100 give or take.\n"
	"\n"
	"## A relative number\n"
	"type: number\n"
	"answer: 300\n"
	"tolerance: 10%\n"
	"> about 300.\n"
	"\n"
	"## Some text\n"
	"type: text\n"
	"answer: inuse_space | In Use  Space\n"
	"> either.\n";

static int parse(struct pf_quiz *q, const char *text, struct pf_err *err)
{
	return pf_quiz_parse(q, "quizzes/07-test.md", text, strlen(text), err);
}

static int grade(const struct pf_quiz *q, size_t i, const char *ans, int *correct)
{
	struct pf_quiz_verdict v;
	struct pf_err err = { 0 };
	int rc = pf_quiz_grade(q, i, ans, &v, &err);

	*correct = v.correct;
	return rc;
}

static void test_parse_all_types(void)
{
	struct pf_quiz q;
	struct pf_err err = { 0 };

	if (!CHECK(parse(&q, all_types, &err) == 0)) {
		printf("  %s\n", err.msg);
		return;
	}
	CHECK_STR(q.title, "Test quiz");
	CHECK_INT(q.number, 7);
	CHECK_STR(q.slug, "test");
	CHECK_INT(q.n, 6);
	CHECK_INT(q.q[0].type, PF_QUIZ_SINGLE);
	CHECK_INT(q.q[0].line, 5);
	CHECK_STR(q.q[0].text, "Pick **one**");
	CHECK_INT(q.q[0].nchoices, 3);
	CHECK_STR(q.q[0].choices[2], "third");
	CHECK_STR(q.q[0].explanation, "Because b.");
	CHECK_STR(q.q[1].text, "Pick several\nwith a second line of text");
	CHECK_INT(q.q[1].correct_mask, 5);
	CHECK_STR(q.q[1].explanation, "a and c.\nSecond explanation line.");
	CHECK_INT(q.q[2].order[0], 2);
	CHECK_INT(q.q[2].order[3], 1);
	CHECK(q.q[3].number == 100 && q.q[3].tolerance == 2.5 && !q.q[3].tolerance_relative);
	CHECK(q.q[4].tolerance_relative && q.q[4].tolerance == 10);
	CHECK_STR(q.q[5].alternatives, "inuse_space");
	CHECK_STR(q.q[5].alternatives + strlen("inuse_space") + 1, "in use space");
	pf_quiz_release(&q);
}

static void test_grade_single_multiple(void)
{
	struct pf_quiz q;
	struct pf_err err = { 0 };
	int ok = -1;

	if (!CHECK(parse(&q, all_types, &err) == 0))
		return;
	CHECK(grade(&q, 0, "b", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "  B \r", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "a", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "d", &ok) == PF_EINPUT);  /* out of range: 3 choices */
	CHECK(grade(&q, 0, "z", &ok) == PF_EINPUT);
	CHECK(grade(&q, 0, "a,b", &ok) == PF_EINPUT);
	CHECK(grade(&q, 0, "", &ok) == PF_EINPUT);
	CHECK(grade(&q, 0, "bb", &ok) == PF_EINPUT);
	CHECK(grade(&q, 1, "a,c", &ok) == 0 && ok);
	CHECK(grade(&q, 1, "c,a", &ok) == 0 && ok);
	CHECK(grade(&q, 1, "C A", &ok) == 0 && ok);
	CHECK(grade(&q, 1, " c , a ", &ok) == 0 && ok);
	CHECK(grade(&q, 1, "a,c,a", &ok) == 0 && ok); /* repeats are harmless */
	CHECK(grade(&q, 1, "a", &ok) == 0 && !ok);
	CHECK(grade(&q, 1, "a,b,c", &ok) == 0 && !ok);
	CHECK(grade(&q, 1, "a,e", &ok) == PF_EINPUT);
	CHECK(grade(&q, 1, "a;c", &ok) == PF_EINPUT);
	pf_quiz_release(&q);
}

static void test_grade_order(void)
{
	struct pf_quiz q;
	struct pf_err err = { 0 };
	struct pf_quiz_verdict v;
	int ok = -1;

	if (!CHECK(parse(&q, all_types, &err) == 0))
		return;
	CHECK(grade(&q, 2, "c,a,d,b", &ok) == 0 && ok);
	CHECK(grade(&q, 2, "C A D B", &ok) == 0 && ok);
	CHECK(grade(&q, 2, "a,b,c,d", &ok) == 0 && !ok);
	CHECK(grade(&q, 2, "c,a,d", &ok) == PF_EINPUT);   /* a letter missing */
	CHECK(grade(&q, 2, "c,a,d,d", &ok) == PF_EINPUT); /* twice */
	CHECK(grade(&q, 2, "c,a,d,b,e", &ok) == PF_EINPUT);
	CHECK(pf_quiz_grade(&q, 2, "c,a,d", &v, &err) == PF_EINPUT);
	CHECK(strstr(err.msg, "every letter a-d once") != NULL);
	pf_quiz_grade(&q, 2, "a,b,c,d", &v, &err);
	CHECK_STR(v.expected, "c,a,d,b");
	pf_quiz_release(&q);
}

static void test_grade_number_text(void)
{
	struct pf_quiz q;
	struct pf_err err = { 0 };
	int ok = -1;

	if (!CHECK(parse(&q, all_types, &err) == 0))
		return;
	CHECK(grade(&q, 3, "100", &ok) == 0 && ok);
	CHECK(grade(&q, 3, " 102.5 ", &ok) == 0 && ok); /* on the edge */
	CHECK(grade(&q, 3, "97.5", &ok) == 0 && ok);
	CHECK(grade(&q, 3, "102.6", &ok) == 0 && !ok);
	CHECK(grade(&q, 3, "1e2", &ok) == 0 && ok);
	CHECK(grade(&q, 3, "100%", &ok) == 0 && ok);
	CHECK(grade(&q, 3, "hundred", &ok) == PF_EINPUT);
	CHECK(grade(&q, 3, "100 ms", &ok) == PF_EINPUT);
	CHECK(grade(&q, 3, "nan", &ok) == PF_EINPUT);
	CHECK(grade(&q, 4, "330", &ok) == 0 && ok);  /* 10% of 300 */
	CHECK(grade(&q, 4, "270", &ok) == 0 && ok);
	CHECK(grade(&q, 4, "331", &ok) == 0 && !ok);
	CHECK(grade(&q, 5, "inuse_space", &ok) == 0 && ok);
	CHECK(grade(&q, 5, "  INUSE_SPACE ", &ok) == 0 && ok);
	CHECK(grade(&q, 5, "in   use\tspace", &ok) == 0 && ok);
	CHECK(grade(&q, 5, "inuse", &ok) == 0 && !ok);
	CHECK(grade(&q, 5, "   ", &ok) == PF_EINPUT);
	pf_quiz_release(&q);
}

/* A # in a text key stands for any whole number. */
static void test_grade_text_number_placeholder(void)
{
	static const char text[] = "# T\n## Which command?\ntype: text\n"
				   "answer: top | top # | top#\n> top N shows N lines.\n";
	struct pf_quiz q;
	struct pf_err err = { 0 };
	int ok = -1;

	if (!CHECK(parse(&q, text, &err) == 0))
		return;
	CHECK(grade(&q, 0, "top", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "top 5", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "TOP  20", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "top10", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "top7", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "top ", &ok) == 0 && ok); /* trailing blanks are trimmed */
	CHECK(grade(&q, 0, "top x", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "top 5x", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "top -5", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "top -cum", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "top #", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "5", &ok) == 0 && !ok);
	pf_quiz_release(&q);
}

static void test_answers_file(void)
{
	struct pf_quiz q;
	struct pf_err err = { 0 };
	struct pf_quiz_result r;

	if (!CHECK(parse(&q, all_types, &err) == 0))
		return;
	CHECK(pf_quiz_grade_answers(&q, "ans.txt",
				    "# my answers\nb\n\nA, C\nc,a,d,b\n99\n300\ninuse_space\n", &r,
				    &err) == 0);
	CHECK_INT(r.score, 6);
	CHECK_INT(r.total, 6);
	free(r.verdicts);
	CHECK(pf_quiz_grade_answers(&q, "ans.txt", "a\na\nc,a,d,b\n99\n1\nx", &r, &err) == 0);
	CHECK_INT(r.score, 2);
	CHECK(r.verdicts[2].correct && r.verdicts[3].correct && !r.verdicts[0].correct);
	free(r.verdicts);
	/* Malformed: names the line. */
	CHECK(pf_quiz_grade_answers(&q, "ans.txt", "b\n\na,c\nc,a,q,b\n", &r, &err) == PF_EINPUT);
	CHECK(pf_startswith(err.msg, "ans.txt:4: question 3: "));
	CHECK(pf_quiz_grade_answers(&q, "ans.txt", "b\na,c\n", &r, &err) == PF_EINPUT);
	CHECK(pf_startswith(err.msg, "ans.txt:2: 2 answers for 6 questions"));
	CHECK(pf_quiz_grade_answers(&q, "ans.txt", "b\na,c\nc,a,d,b\n1\n1\nx\nextra\n", &r,
				    &err) == PF_EINPUT);
	CHECK(pf_startswith(err.msg, "ans.txt:7: more answers than"));
	CHECK(pf_quiz_grade_answers(&q, "ans.txt", "b\na,c\nc,a,d,b\nten\n1\nx\n", &r, &err) ==
	      PF_EINPUT);
	CHECK(pf_startswith(err.msg, "ans.txt:4: question 4: 'ten' is not a number"));
	pf_quiz_release(&q);
}

/* Each malformed quiz must fail with the given "file:line: " and text. */
static void test_malformed(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "", "quizzes/07-test.md:1: the quiz is empty" },
		{ "Title without hash\n", "quizzes/07-test.md:1: a quiz starts with" },
		{ "# T\n", "quizzes/07-test.md:1: the quiz has no questions" },
		{ "# T\nstray\n", "quizzes/07-test.md:2: text before the first question" },
		{ "# T\n## Q\n- a) x\n- b) y\nanswer: a\n> e\n", ":2: the question has no type" },
		{ "# T\n## Q\ntype: single\n- a) x\n- b) y\nanswer: a\n", ":2: the question has no explanation" },
		{ "# T\n## Q\ntype: singular\n", ":3: unknown type 'singular'" },
		{ "# T\n## Q\ntype: single\n- a) x\n- c) y\n", ":5: choice c) out of sequence" },
		{ "# T\n## Q\ntype: single\n- a) x\n- b) y\nanswer: e\n> e\n", ":6: answer: 'e' is not one of the choices a-b" },
		{ "# T\n## Q\ntype: single\n- a) x\n- b) y\nanswer: a,b\n> e\n", ":6: a single-choice answer is one letter" },
		{ "# T\n## Q\ntype: order\n- a) x\n- b) y\n- c) z\nanswer: a,b\n> e\n", ":7: an order answer lists every letter once" },
		{ "# T\n## Q\ntype: multiple\n- a) x\n- b) y\nanswer: a,a\n> e\n", ":6: answer: 'a' appears twice" },
		{ "# T\n## Q\ntype: single\n- a) x\nanswer: a\n> e\n", ":2: a single question needs at least two choices" },
		{ "# T\n## Q\ntype: number\nanswer: lots\n> e\n", ":4: answer: 'lots' is not a number" },
		{ "# T\n## Q\ntype: number\nanswer: 3\ntolerance: -1\n> e\n", ":5: tolerance: '-1' is not a number" },
		{ "# T\n## Q\ntype: text\nanswer: a | \n> e\n", ":4: answer: an empty alternative" },
		{ "# T\n## Q\ntype: text\nanswer: a\ntolerance: 1\n> e\n", ":5: tolerance: applies to number questions only" },
		{ "# T\n## Q\ntype: number\n- a) x\n- b) y\nanswer: 1\n> e\n", ":2: only single, multiple and order questions have choices" },
		{ "# T\n## Q\ntype: single\ntype: single\n", ":4: type: given twice" },
		{ "# T\n## Q\ntype: text\nanswer: a\n> e\nloose text\n", ":6: unexpected text 'loose text'" },
		{ "# T\n## Q\ntype: profile\nexercise: 01-x\nprofile: cpu\nask: top-flat\n> e\n", ":2: a profile question needs exercise:, profile:, ask: and fallback:" },
		{ "# T\n## Q\ntype: profile\nprofile: disk\n", ":4: profile: is cpu or heap" },
		{ "# T\n## Q\ntype: profile\nask: hottest\n", ":4: ask: is top-flat or flat-percent" },
		{ "# T\n## Q\ntype: profile\nfallback: ../../etc/x\n", ":4: fallback: a path inside quizzes/" },
		{ "# T\n## Q\ntype: profile\nexercise: 01-x\nprofile: cpu\nask: top-flat\nfallback: p.pb.gz\nanswer: f\n> e\n", ":8: a profile question has no answer: line" },
		{ "# T\n<!-- never closed\n## Q\n", ":2: a comment that is never closed" },
		{ "# T\n##\n", ":2: the question has no text" },
		{ "# T\n## Q\ntype: text\nanswer:\n", ":4: answer: has no value" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pf_quiz q;
		struct pf_err err = { 0 };
		int rc = parse(&q, cases[i].text, &err);

		if (!CHECK(rc == PF_EINPUT) || !CHECK(strstr(err.msg, cases[i].want) != NULL) ||
		    !CHECK(pf_startswith(err.msg, "quizzes/07-test.md:")))
			printf("    case %zu: rc %d, message \"%s\"\n", i, rc, err.msg);
		if (rc == 0)
			pf_quiz_release(&q);
	}
}

static void test_plain(void)
{
	struct pf_buf b = PF_BUF_INIT;

	pf_quiz_plain("Use `go tool pprof` and **top**, *not* _this_; snake_case 2 * 3 "
		      "[docs](https://go.dev) a\\*b",
		      &b);
	CHECK_STR(b.data, "Use go tool pprof and top, not this; snake_case 2 * 3 "
			  "docs (https://go.dev) a*b");
	pf_buf_release(&b);
}

/* A CPU profile where the named functions have the given flat values,
 * each called from main (which has no flat). */
static int write_profile(const char *path, const char *const *names, const int64_t *flat,
			 size_t n)
{
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a = &p->arena;
	struct pf_err err = { 0 };
	size_t i;
	int rc;

	p->nsample_types = 2;
	p->sample_types = pf_arena_calloc(a, 2, sizeof(*p->sample_types));
	p->sample_types[0] = (struct pf_value_type){ "samples", "count" };
	p->sample_types[1] = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period_type = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period = 10000000;
	p->nfunctions = n + 1;
	p->functions = pf_arena_calloc(a, n + 1, sizeof(*p->functions));
	p->nlocations = n + 1;
	p->locations = pf_arena_calloc(a, n + 1, sizeof(*p->locations));
	for (i = 0; i <= n; i++) {
		p->functions[i] = (struct pf_function){ .id = i + 1,
							.name = i < n ? names[i] : "main",
							.system_name = i < n ? names[i] : "main",
							.filename = "prog.c" };
		p->locations[i].id = i + 1;
		p->locations[i].mapping = PF_NONE;
		p->locations[i].address = 0x1000 + i * 16;
		p->locations[i].nlines = 1;
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		p->locations[i].lines[0] = (struct pf_line){ (uint32_t)i, 10, 0 };
	}
	p->nsamples = n;
	p->samples = pf_arena_calloc(a, n, sizeof(*p->samples));
	for (i = 0; i < n; i++) {
		struct pf_sample *s = &p->samples[i];

		s->nlocs = 2;
		s->locs = pf_arena_calloc(a, 2, sizeof(uint32_t));
		s->locs[0] = (uint32_t)i;
		s->locs[1] = (uint32_t)n;
		s->values = pf_arena_calloc(a, 2, sizeof(int64_t));
		s->values[0] = flat[i];
		s->values[1] = flat[i] * 10000000;
	}
	rc = pf_profile_write(p, path, &err);
	if (rc < 0)
		printf("  write %s: %s\n", path, err.msg);
	pf_profile_free(p);
	return rc;
}

static void test_profile_questions(void)
{
	static const char *const bundled_names[] = { "parse", "hash", "lookup" };
	static const int64_t bundled_flat[] = { 20, 70, 10 };
	static const char *const mine_names[] = { "hash", "memcpy", "lookup", "parse", "other" };
	static const int64_t mine_flat[] = { 5, 50, 30, 15, 0 };
	static const char *const tie_names[] = { "b_fn", "a_fn", "c_fn" };
	static const int64_t tie_flat[] = { 40, 40, 20 };
	char qpath[512], bundled[512], mine[512], dir[512], text[2048];
	struct pf_quiz q;
	struct pf_err err = { 0 };
	struct pf_quiz_verdict v;
	struct pf_buf key = PF_BUF_INIT;
	int ok = -1;

	pf_fmt(dir, sizeof(dir), "%s/quizzes/profiles", tmpdir);
	pf_mkdir_p(dir);
	pf_fmt(bundled, sizeof(bundled), "%s/p.pb.gz", dir);
	if (!CHECK(write_profile(bundled, bundled_names, bundled_flat, 3) == 0))
		return;
	pf_fmt(text, sizeof(text),
	       "# P\n## Which function?\ntype: profile\nexercise: 09-demo\nprofile: cpu\n"
	       "ask: top-flat\nfallback: profiles/p.pb.gz\n> hash it is.\n"
	       "## Flat%% of parse?\ntype: profile\nexercise: 09-demo\nprofile: cpu\n"
	       "sample: samples\nask: flat-percent parse\nfallback: profiles/p.pb.gz\n> see top.\n");
	pf_fmt(qpath, sizeof(qpath), "%s/quizzes/09-demo.md", tmpdir);
	if (!CHECK(pf_quiz_parse(&q, qpath, text, strlen(text), &err) == 0)) {
		printf("  %s\n", err.msg);
		return;
	}
	/* Not resolved yet: grading refuses. */
	CHECK(pf_quiz_grade(&q, 0, "a", &v, &err) == PF_EFAIL);
	/* No learner profile: the bundled one, and it says so. */
	CHECK(pf_quiz_resolve_profiles(&q, &err) == 0);
	CHECK(q.q[0].profile_used && strstr(q.q[0].profile_used, "bundled profile quizzes/profiles/p.pb.gz"));
	CHECK(q.q[0].profile_used && strstr(q.q[0].profile_used, "no cpu profile of exercise 09-demo"));
	CHECK_INT(q.q[0].nchoices, 4); /* three with flat, main by cum */
	CHECK_STR(q.q[0].choices[0], "hash"); /* alphabetical */
	CHECK_STR(q.q[0].choices[1], "lookup");
	CHECK_STR(q.q[0].choices[2], "main");
	CHECK_STR(q.q[0].choices[3], "parse");
	CHECK(grade(&q, 0, "a", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "hash", &ok) == 0 && ok);
	CHECK(grade(&q, 0, " hash ", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "parse", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "memcpy", &ok) == 0 && !ok); /* not a choice: wrong */
	/* A name copied from `top`, where inlined functions carry " (inline)". */
	CHECK(grade(&q, 0, "hash (inline)", &ok) == 0 && ok);
	CHECK(grade(&q, 0, " hash  (inline) ", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "parse (inline)", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "memcpy (inline)", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "d", &ok) == 0 && !ok);
	CHECK(grade(&q, 0, "e", &ok) == PF_EINPUT);
	CHECK(q.q[1].number > 19.99 && q.q[1].number < 20.01);
	CHECK(grade(&q, 1, "20", &ok) == 0 && ok);
	CHECK(grade(&q, 1, "20.9%", &ok) == 0 && ok); /* default tolerance: 1 point */
	CHECK(grade(&q, 1, "21.5", &ok) == 0 && !ok);
	pf_quiz_key(&q, 0, &key);
	CHECK_STR(key.data, "a");
	pf_quiz_release(&q);

	/* The learner's own profile wins, and has a different answer. */
	pf_fmt(dir, sizeof(dir), "%s/exercises/09-demo/profiles", pf_paths_workspace());
	CHECK(pf_mkdir_p(dir) == 0);
	pf_fmt(mine, sizeof(mine), "%s/cpu.pb.gz", dir);
	if (!CHECK(write_profile(mine, mine_names, mine_flat, 5) == 0))
		return;
	CHECK(pf_quiz_parse(&q, qpath, text, strlen(text), &err) == 0);
	CHECK(pf_quiz_resolve_profiles(&q, &err) == 0);
	CHECK(q.q[0].profile_used && strstr(q.q[0].profile_used, "your last cpu profile of exercise 09-demo"));
	CHECK(grade(&q, 0, "memcpy", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "hash", &ok) == 0 && !ok);
	CHECK_INT(q.q[0].nchoices, 4); /* the four highest flat; "other" has none */
	CHECK(grade(&q, 1, "15", &ok) == 0 && ok);
	CHECK(grade(&q, 1, "20", &ok) == 0 && !ok);
	pf_quiz_release(&q);

	/* A tie: either function is right. */
	CHECK(write_profile(mine, tie_names, tie_flat, 3) == 0);
	CHECK(pf_quiz_parse(&q, qpath, text, strlen(text), &err) == 0);
	CHECK(pf_quiz_resolve_profiles(&q, &err) == 0);
	CHECK(grade(&q, 0, "a_fn", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "b_fn", &ok) == 0 && ok);
	CHECK(grade(&q, 0, "c_fn", &ok) == 0 && !ok);
	pf_quiz_release(&q);

	/* A learner profile that cannot be read: the bundled one, with why. */
	{
		FILE *f = fopen(mine, "w");

		if (f) {
			fputs("not a profile", f);
			fclose(f);
		}
	}
	CHECK(pf_quiz_parse(&q, qpath, text, strlen(text), &err) == 0);
	CHECK(pf_quiz_resolve_profiles(&q, &err) == 0);
	CHECK(q.q[0].profile_used && strstr(q.q[0].profile_used, "could not be used"));
	CHECK(grade(&q, 0, "hash", &ok) == 0 && ok);
	pf_quiz_release(&q);

	/* Neither profile readable: an error naming the quiz line. */
	unlink(bundled);
	unlink(mine);
	CHECK(pf_quiz_parse(&q, qpath, text, strlen(text), &err) == 0);
	CHECK(pf_quiz_resolve_profiles(&q, &err) < 0);
	CHECK(strstr(err.msg, "09-demo.md:2: ") != NULL);
	pf_quiz_release(&q);
	pf_buf_release(&key);
}

/* The bundled quizzes: they parse, are big enough, and their keys (and
 * the hand-written answers) score full marks. */
static void test_bundled_quizzes(void)
{
	struct pf_quiz_list l;
	struct pf_err err = { 0 };
	size_t i, total = 0;

	if (!CHECK(pf_quiz_list_load(&l, &err) == 0)) {
		printf("  %s\n", err.msg);
		return;
	}
	CHECK_INT(l.n, 6);
	for (i = 0; i < l.n; i++) {
		struct pf_quiz q;
		struct pf_quiz_result r;
		struct pf_buf key = PF_BUF_INIT, hand;
		char fixture[512];
		size_t k;

		if (!CHECK(pf_quiz_load(&q, l.items[i].path, &err) == 0)) {
			printf("  %s\n", err.msg);
			continue;
		}
		CHECK(pf_quiz_resolve_profiles(&q, &err) == 0);
		CHECK(q.n >= 5);
		total += q.n;
		for (k = 0; k < q.n; k++) {
			CHECK(q.q[k].explanation[0] != '\0');
			pf_quiz_key(&q, k, &key);
			pf_buf_putc(&key, '\n');
		}
		CHECK(pf_quiz_grade_answers(&q, "key", key.data, &r, &err) == 0);
		CHECK_INT(r.score, (int)q.n);
		free(r.verdicts);
		pf_buf_init(&hand, 1 << 16);
		pf_fmt(fixture, sizeof(fixture), "tests/fixtures/quiz-answers/%02d.txt", q.number);
		if (CHECK(pf_buf_read_file(&hand, fixture) == 0)) {
			if (CHECK(pf_quiz_grade_answers(&q, fixture, hand.data, &r, &err) == 0)) {
				if (!CHECK_INT(r.score, (int)q.n))
					for (k = 0; k < q.n; k++)
						if (!r.verdicts[k].correct)
							printf("    %s question %zu: key says %s\n",
							       fixture, k + 1, r.verdicts[k].expected);
				free(r.verdicts);
			} else {
				printf("  %s\n", err.msg);
			}
		}
		pf_buf_release(&hand);
		pf_buf_release(&key);
		pf_quiz_release(&q);
	}
	CHECK(total >= 30);
	CHECK(pf_quiz_list_find(&l, "3") && pf_quiz_list_find(&l, "3")->number == 3);
	CHECK(pf_quiz_list_find(&l, "03") && pf_quiz_list_find(&l, "03")->number == 3);
	CHECK(pf_quiz_list_find(&l, "flame-graphs") && pf_quiz_list_find(&l, "flame-graphs")->number == 5);
	CHECK(pf_quiz_list_find(&l, "05-flame-graphs") != NULL);
	CHECK(pf_quiz_list_find(&l, "9") == NULL);
	CHECK(pf_quiz_list_find(&l, "nope") == NULL);
	pf_quiz_list_release(&l);
}

int main(void)
{
	char home[300], cwd[4096];
	const char *root = getenv("PROFLAB_ROOT");

	pf_fmt(tmpdir, sizeof(tmpdir), "/tmp/proflab-test-quiz.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	pf_fmt(home, sizeof(home), "%s/home", tmpdir);
	setenv("PROFLAB_HOME", home, 1);
	if (!root && getcwd(cwd, sizeof(cwd)))
		root = cwd;
	setenv("PROFLAB_DATADIR", root ? root : ".", 1);
	if (root && chdir(root) < 0)
		return 1;
	T_RUN(test_parse_all_types);
	T_RUN(test_grade_single_multiple);
	T_RUN(test_grade_order);
	T_RUN(test_grade_number_text);
	T_RUN(test_grade_text_number_placeholder);
	T_RUN(test_answers_file);
	T_RUN(test_malformed);
	T_RUN(test_plain);
	T_RUN(test_profile_questions);
	T_RUN(test_bundled_quizzes);
	{
		char cmd[400];

		pf_fmt(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", tmpdir);
	}
	return t_exit();
}
