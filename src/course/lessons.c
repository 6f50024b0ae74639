/* lessons.c - discovering the chapters on disk (lessons.h). */
#include "lessons.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/paths.h"
#include "../base/str.h"

static int by_number(const void *a, const void *b)
{
	const struct pf_lesson *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

/* The first "# " heading of the file, else the slug. */
static void read_title(struct pf_lesson *l)
{
	FILE *f = fopen(l->path, "r");
	char line[512];

	pf_fmt(l->title, sizeof(l->title), "%s", l->slug);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' && line[1] == ' ') {
			line[strcspn(line, "\r\n")] = '\0';
			pf_fmt(l->title, sizeof(l->title), "%s", line + 2);
			break;
		}
	}
	fclose(f);
}

int pf_lessons_load(struct pf_lessons *ls, struct pf_err *err)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	size_t alloc = 0;

	ls->items = NULL;
	ls->n = 0;
	pf_fmt(dir, sizeof(dir), "%s/lessons", pf_paths_datadir());
	d = opendir(dir);
	if (!d)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		struct pf_lesson *l;
		char *end;
		long num;

		if (!isdigit((unsigned char)name[0]) || len < 4 || strcmp(name + len - 3, ".md") != 0)
			continue;
		num = strtol(name, &end, 10);
		if (*end != '-' || num <= 0 || num > 999)
			continue;
		if (ls->n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			struct pf_lesson *ni = realloc(ls->items, na * sizeof(*ni));

			if (!ni) {
				closedir(d);
				pf_lessons_release(ls);
				return pf_err_set(err, PF_EFAIL, "out of memory");
			}
			ls->items = ni;
			alloc = na;
		}
		l = &ls->items[ls->n++];
		memset(l, 0, sizeof(*l));
		l->number = (int)num;
		pf_fmt(l->slug, sizeof(l->slug), "%.*s", (int)(len - 3 - (size_t)(end + 1 - name)),
			 end + 1);
		pf_fmt(l->path, sizeof(l->path), "%s/%s", dir, name);
		read_title(l);
	}
	closedir(d);
	if (ls->n)
		qsort(ls->items, ls->n, sizeof(*ls->items), by_number);
	return 0;
}

void pf_lessons_release(struct pf_lessons *ls)
{
	free(ls->items);
	ls->items = NULL;
	ls->n = 0;
}

const struct pf_lesson *pf_lessons_find(const struct pf_lessons *ls, const char *key)
{
	size_t i;
	char *end;
	long num = strtol(key, &end, 10);

	for (i = 0; i < ls->n; i++) {
		const struct pf_lesson *l = &ls->items[i];

		if (*key && *end == '\0' && l->number == num)
			return l;
		if (strcmp(l->slug, key) == 0)
			return l;
		if (*end == '-' && l->number == num && strcmp(l->slug, end + 1) == 0)
			return l;
	}
	return NULL;
}

/* The exercise number a reference at p names, or 0: "proflab run|check|
 * hint|reset NN" (a command the chapter shows) or "Exercise NN" in the
 * prose (either case, a word of its own: "exercise 05 is..."). */
static long exercise_ref_at(const char *start, const char *p)
{
	static const char *const refs[] = { "proflab run ", "proflab check ", "proflab hint ",
					    "proflab reset ", "exercise " };
	size_t r;

	for (r = 0; r < sizeof(refs) / sizeof(refs[0]); r++) {
		size_t len = strlen(refs[r]);
		const char *a = p + len;
		char *end;
		long num;

		if (strncasecmp(p, refs[r], len) != 0 || !isdigit((unsigned char)*a))
			continue;
		if (p > start && isalnum((unsigned char)p[-1]))
			continue;
		num = strtol(a, &end, 10);
		if (num <= 0 || num > 999 || isalnum((unsigned char)*end))
			continue;
		return num;
	}
	return 0;
}

size_t pf_lessons_exercise_refs(const struct pf_lesson *l, int *nums, size_t max)
{
	struct pf_buf b;
	size_t n = 0, k;
	const char *p;

	pf_buf_init(&b, 16u << 20);
	if (pf_buf_read_file(&b, l->path) < 0) {
		pf_buf_release(&b);
		return 0;
	}
	for (p = b.data; *p; p++) {
		long num = exercise_ref_at(b.data, p);
		int seen = 0;

		if (!num)
			continue;
		for (k = 0; k < n; k++)
			seen |= nums[k] == (int)num;
		if (!seen && n < max)
			nums[n++] = (int)num;
	}
	pf_buf_release(&b);
	return n;
}
