/*
 * test_lessons.c - the chapter list (lessons.h): the exercises a chapter
 * refers to, from its commands and from its prose, and the chapters of
 * the course as installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/str.h"
#include "course/lessons.h"
#include "t.h"

/* Write text to a chapter file and return its exercise references. */
static size_t refs_of(const char *text, int *nums, size_t max)
{
	struct pf_lesson l;
	FILE *f;
	size_t n;

	memset(&l, 0, sizeof(l));
	pf_fmt(l.path, sizeof(l.path), "/tmp/proflab-test-lessons-%d.md", (int)getpid());
	f = fopen(l.path, "w");
	if (!f)
		return 99;
	fputs(text, f);
	fclose(f);
	n = pf_lessons_exercise_refs(&l, nums, max);
	unlink(l.path);
	return n;
}

static void test_refs_commands(void)
{
	int nums[8];

	CHECK_INT(refs_of("Run it:\n\n```console\n$ proflab run 02\n$ proflab hint 02\n"
			  "$ proflab check 03 --solution\n$ proflab reset 7\n```\n", nums, 8), 3);
	CHECK_INT(nums[0], 2);
	CHECK_INT(nums[1], 3);
	CHECK_INT(nums[2], 7);
	/* not a number, or a number glued to more */
	CHECK_INT(refs_of("proflab run --all, proflab check 1x, proflab run 0\n", nums, 8), 0);
}

/* Chapter 6 introduces exercises 04-08 in its prose ("Exercise 05 is a
 * request handler..."): those count, in order of first mention. */
static void test_refs_prose(void)
{
	int nums[8];

	CHECK_INT(refs_of("Exercise 05 is a handler. exercise 06 has threads.\n"
			  "Then `proflab run 04`. Exercise 05 again; EXERCISE 08.\n",
			  nums, 8), 4);
	CHECK_INT(nums[0], 5);
	CHECK_INT(nums[1], 6);
	CHECK_INT(nums[2], 4);
	CHECK_INT(nums[3], 8);
	/* words that only contain "exercise", and non-numbers */
	CHECK_INT(refs_of("preexercise 07, the exercises 09, exercise 10b, exercise one\n", nums,
			  8), 0);
	CHECK_INT(refs_of("(exercise 02)\n", nums, 8), 1);
	CHECK_INT(nums[0], 2);
	/* at most max */
	CHECK_INT(refs_of("exercise 1, exercise 2, exercise 3\n", nums, 2), 2);
}

/* The installed chapters: chapter 6 works on exercises 04 to 08. */
static void test_refs_course(void)
{
	struct pf_lessons ls;
	struct pf_err err = { 0 };
	const struct pf_lesson *six;
	int nums[16];
	size_t n, i;

	CHECK(pf_lessons_load(&ls, &err) == 0);
	six = pf_lessons_find(&ls, "6");
	CHECK(six != NULL);
	if (six) {
		n = pf_lessons_exercise_refs(six, nums, 16);
		CHECK_INT(n, 5);
		for (i = 0; i < n && i < 5; i++)
			CHECK_INT(nums[i], 4 + (int)i);
	}
	pf_lessons_release(&ls);
}

int main(void)
{
	const char *root = getenv("PROFLAB_ROOT");

	setenv("PROFLAB_DATADIR", root && *root ? root : ".", 1);
	T_RUN(test_refs_commands);
	T_RUN(test_refs_prose);
	T_RUN(test_refs_course);
	return t_exit();
}
