/*
 * quiz.h - the knowledge checks: quizzes/NN-slug.md parsed into questions,
 * graded answers, and the list of quizzes in the data directory.
 *
 * The file format (one quiz per chapter, NN matching lessons/NN-slug.md):
 *
 *     # Knowledge check: The profiling workflow      <- title (first line
 *                                                        that is not blank)
 *     ## What is the correct order of ...?          <- a question starts
 *     More question text (inline Markdown), any lines.
 *
 *     type: order                                    <- required
 *     - a) Identify the hottest functions            <- choices, a) b) c)...
 *     - b) Collect a profile                            in order, up to 26
 *     answer: b,a                                    <- the key
 *     > Explanation, shown once the question          <- required, one or
 *     > is answered (inline Markdown).                   more "> " lines
 *
 * Types and their keys:
 *   single    one letter                     answer: b
 *   multiple  letters, any order             answer: a, c
 *   order     every letter, in order         answer: c,a,d,b
 *   number    a number; `tolerance: 0.5` (absolute) or `tolerance: 5%`
 *             (relative) may follow          answer: 100
 *   text      alternatives separated by |; compared ignoring case and
 *             runs of blanks; a # in an alternative stands for any whole
 *             number (one or more digits)    answer: top | top # | top#
 *   profile   computed from the learner's last profile of an exercise:
 *               exercise: 02-hot-loop        the exercise slug
 *               profile: cpu                 cpu or heap (file cpu.pb.gz
 *                                            or heap.pb.gz in
 *                                            <workspace>/exercises/SLUG/profiles/)
 *               sample: cpu                  sample type (optional; default
 *                                            the profile's default)
 *               ask: top-flat                top-flat (which function has the
 *                                            highest flat; choices are made
 *                                            from the profile) or
 *                                            flat-percent FUNC (a number in
 *                                            percent, tolerance in points)
 *               fallback: profiles/x.pb.gz   a bundled profile (relative to
 *                                            quizzes/) used when the learner
 *                                            has none
 *             A profile question has no `answer:` line.
 *
 * Blank lines are ignored outside question text; lines starting with
 * "<!--" are comments. Every problem is reported as "FILE:LINE: problem"
 * with code PF_EINPUT.
 *
 * Life cycle: pf_quiz_load() fills a caller-owned struct pf_quiz;
 * pf_quiz_release() frees everything in it.
 */
#ifndef PF_QUIZ_H
#define PF_QUIZ_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

#define PF_QUIZ_MAX_CHOICES 26

enum pf_quiz_type {
	PF_QUIZ_SINGLE,
	PF_QUIZ_MULTIPLE,
	PF_QUIZ_ORDER,
	PF_QUIZ_NUMBER,
	PF_QUIZ_TEXT,
	PF_QUIZ_PROFILE,
};

enum pf_quiz_ask {
	PF_QUIZ_ASK_NONE,
	PF_QUIZ_ASK_TOP_FLAT,     /* answered like a single-choice question */
	PF_QUIZ_ASK_FLAT_PERCENT, /* answered like a number question */
};

struct pf_quiz_question {
	enum pf_quiz_type type;
	int line;               /* line of the "## " heading */
	char *text;             /* the question (heading + body), inline Markdown */
	char *explanation;      /* inline Markdown, lines joined with '\n' */
	char *choices[PF_QUIZ_MAX_CHOICES];
	int nchoices;
	/* The key. single/multiple: bitmask of correct letters; order: the
	 * letters' indexes in the right order; number: value and tolerance;
	 * text: the alternatives, normalised, NUL-separated. */
	unsigned correct_mask;
	int order[PF_QUIZ_MAX_CHOICES];
	double number;
	double tolerance;
	int tolerance_relative;
	char *alternatives;     /* "a\0b\0\0" */
	/* Profile questions. */
	char *exercise;
	char *profile_kind;     /* "cpu" or "heap" */
	char *sample;           /* sample type name or NULL */
	enum pf_quiz_ask ask;
	char *ask_func;         /* for flat-percent */
	char *fallback;         /* path relative to quizzes/ */
	/* Filled by pf_quiz_resolve_profiles(): which profile was used. */
	char *profile_used;     /* a sentence for the learner */
	int resolved;
};

struct pf_quiz {
	int number;
	char slug[64];
	char title[160];
	char path[4096];
	char dir[4096];          /* the directory holding the file */
	struct pf_quiz_question *q;
	size_t n;
};

/* The outcome of grading one answer. */
struct pf_quiz_verdict {
	int correct;
	char expected[512]; /* the right answer, for the learner */
};

/* Parse a quiz file. Number and slug come from the name NN-slug.md.
 * 0, or PF_EINPUT with "PATH:LINE: problem" in err, PF_EFAIL when the
 * file cannot be read. Profile questions are not resolved yet. */
int pf_quiz_load(struct pf_quiz *q, const char *path, struct pf_err *err);
/* Parse quiz text already in memory; path is used in messages only. */
int pf_quiz_parse(struct pf_quiz *q, const char *path, const char *text, size_t len,
		  struct pf_err *err);
void pf_quiz_release(struct pf_quiz *q);

/* Compute the key of every profile question from the learner's last
 * profile (<workspace>/exercises/SLUG/profiles/KIND.pb.gz), else from the
 * bundled fallback, and say which was used in profile_used. 0, or
 * negative with err when neither profile can be read. */
int pf_quiz_resolve_profiles(struct pf_quiz *q, struct pf_err *err);

/* The answer type a question takes, with profile questions mapped to
 * single (top-flat) or number (flat-percent). */
enum pf_quiz_type pf_quiz_answer_type(const struct pf_quiz_question *qq);

/*
 * Grade one answer, written as on an answers line: "b", "a,c" (commas
 * and/or blanks), "c,a,d,b", "42", "text"; profile top-flat questions
 * also take the function's name, with or without the " (inline)" that
 * `top` shows after inlined functions. Returns 0 with v filled, or PF_EINPUT
 * with err describing why the answer is malformed (an unknown letter, a
 * letter missing from an ordering, not a number...); the message carries
 * no file or line, callers add them.
 */
int pf_quiz_grade(const struct pf_quiz *q, size_t i, const char *answer,
		  struct pf_quiz_verdict *v, struct pf_err *err);
/* Append the text s[0..n) normalised the way text keys and text answers
 * are compared: lower case, runs of blanks collapsed to one space, ends
 * trimmed. */
void pf_quiz_normalise(const char *s, size_t n, struct pf_buf *out);
/* Append the key of question i as an answers line (no newline). */
int pf_quiz_key(const struct pf_quiz *q, size_t i, struct pf_buf *out);

/* Grading a whole answers file. */
struct pf_quiz_result {
	int score;
	int total;
	struct pf_quiz_verdict *verdicts; /* total entries; free() */
};
/* Parse an answers text (one line per question; blank lines and lines
 * starting with '#' are skipped) and grade it. name is used in messages:
 * "NAME:LINE: problem" (PF_EINPUT). 0 with res filled, or negative. */
int pf_quiz_grade_answers(const struct pf_quiz *q, const char *name, const char *text,
			  struct pf_quiz_result *res, struct pf_err *err);

/* Strip simple inline Markdown (`code`, **bold**, *em*, _em_, [text](url))
 * for plain display; appends to out. */
int pf_quiz_plain(const char *md, struct pf_buf *out);

/* The quizzes in <datadir>/quizzes, sorted by number. */
struct pf_quiz_entry {
	int number;
	char slug[64];
	char path[4096];
};
struct pf_quiz_list {
	struct pf_quiz_entry *items;
	size_t n;
};
int pf_quiz_list_load(struct pf_quiz_list *l, struct pf_err *err);
void pf_quiz_list_release(struct pf_quiz_list *l);
/* Find by number ("3", "03") or slug; NULL when absent. */
const struct pf_quiz_entry *pf_quiz_list_find(const struct pf_quiz_list *l, const char *key);

/* Percentage needed to pass, by default. */
#define PF_QUIZ_PASS_MARK 80.0

#endif
