/*
 * lessons.h - the course's chapters: lessons/NN-slug.md in the data dir.
 *
 * A chapter is a Markdown file named NN-slug.md; NN is its number and its
 * title is the text of its first level-one heading.
 */
#ifndef PF_LESSONS_H
#define PF_LESSONS_H

#include <stddef.h>

#include "../base/err.h"

struct pf_lesson {
	int number;
	char slug[64];   /* "profiling-workflow" */
	char title[160]; /* "The profiling workflow" */
	char path[4096];
};

struct pf_lessons {
	struct pf_lesson *items; /* sorted by number */
	size_t n;
};

/* Load the chapter list from <datadir>/lessons. 0, or negative with err. */
int pf_lessons_load(struct pf_lessons *ls, struct pf_err *err);
void pf_lessons_release(struct pf_lessons *ls);
/* Find by number ("3") or slug ("cpu-profiling", or "03-cpu-profiling"). */
const struct pf_lesson *pf_lessons_find(const struct pf_lessons *ls, const char *key);

/*
 * The exercises a chapter works on: the numbers NN of every
 * `proflab run|check|hint|reset NN` the chapter's text shows and of every
 * "Exercise NN" its prose names (any case), in order of first mention,
 * without repeats. Up to max are stored in nums; returns how many (0 when
 * the file cannot be read).
 */
size_t pf_lessons_exercise_refs(const struct pf_lesson *l, int *nums, size_t max);

#endif
