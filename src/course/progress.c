/*
 * progress.c - the progress store (progress.h): a small text file that is
 * loaded, changed and saved under an exclusive lock, and always replaced
 * whole by rename, so a reader sees either the old or the new file and a
 * kill at any moment loses at most the change being made.
 */
#include "progress.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/file.h"
#include "../base/paths.h"
#include "../base/str.h"
#include "quiz.h"

#define PROGRESS_MAGIC "proflab-progress 1"
#define PROGRESS_MAX_FILE (4u << 20)
#define MAX_FIELDS 8

static char warning[1536];
static int warning_set;
static char path_buf[4200];

const char *pf_progress_take_warning(void)
{
	if (!warning_set)
		return NULL;
	warning_set = 0;
	return warning;
}

const char *pf_progress_path(void)
{
	pf_fmt(path_buf, sizeof(path_buf), "%s/progress", pf_paths_statedir());
	return path_buf;
}

void pf_progress_release(struct pf_progress *p)
{
	free(p->read);
	free(p->read_time);
	free(p->exercises);
	free(p->quizzes);
	memset(p, 0, sizeof(*p));
}

/* Text stored in a record: no tabs, newlines or other control bytes. */
static void clean(char *dst, size_t sz, const char *s)
{
	size_t i;

	pf_fmt(dst, sz, "%s", s ? s : "");
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

static int num(const char *s, long long lo, long long hi, long long *v)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno || *end || *v < lo || *v > hi)
		return -1;
	return 0;
}

static int add_read(struct pf_progress *p, int number, long long t)
{
	size_t i, j;
	int *nr;
	long long *nt;

	for (i = 0; i < p->nread && p->read[i] < number; i++)
		;
	if (i < p->nread && p->read[i] == number)
		return 0;
	nr = realloc(p->read, (p->nread + 1) * sizeof(*nr));
	if (!nr)
		return -1;
	p->read = nr;
	nt = realloc(p->read_time, (p->nread + 1) * sizeof(*nt));
	if (!nt)
		return -1;
	p->read_time = nt;
	for (j = p->nread; j > i; j--) {
		p->read[j] = p->read[j - 1];
		p->read_time[j] = p->read_time[j - 1];
	}
	p->read[i] = number;
	p->read_time[i] = t;
	p->nread++;
	return 0;
}

/* The exercise entry for slug, created (sorted) when absent; NULL on OOM. */
static struct pf_progress_exercise *get_exercise(struct pf_progress *p, const char *slug)
{
	struct pf_progress_exercise *ne;
	size_t i;

	for (i = 0; i < p->nexercises; i++) {
		int c = strcmp(p->exercises[i].slug, slug);

		if (c == 0)
			return &p->exercises[i];
		if (c > 0)
			break;
	}
	ne = realloc(p->exercises, (p->nexercises + 1) * sizeof(*ne));
	if (!ne)
		return NULL;
	p->exercises = ne;
	memmove(&ne[i + 1], &ne[i], (p->nexercises - i) * sizeof(*ne));
	memset(&ne[i], 0, sizeof(*ne));
	clean(ne[i].slug, sizeof(ne[i].slug), slug);
	p->nexercises++;
	return &ne[i];
}

static struct pf_progress_quiz *get_quiz(struct pf_progress *p, int number)
{
	struct pf_progress_quiz *nq;
	size_t i;

	for (i = 0; i < p->nquizzes; i++) {
		if (p->quizzes[i].number == number)
			return &p->quizzes[i];
		if (p->quizzes[i].number > number)
			break;
	}
	nq = realloc(p->quizzes, (p->nquizzes + 1) * sizeof(*nq));
	if (!nq)
		return NULL;
	p->quizzes = nq;
	memmove(&nq[i + 1], &nq[i], (p->nquizzes - i) * sizeof(*nq));
	memset(&nq[i], 0, sizeof(*nq));
	nq[i].number = number;
	p->nquizzes++;
	return &nq[i];
}

const struct pf_progress_quiz *pf_progress_find_quiz(const struct pf_progress *p, int number)
{
	size_t i;

	for (i = 0; i < p->nquizzes; i++)
		if (p->quizzes[i].number == number)
			return &p->quizzes[i];
	return NULL;
}

const struct pf_progress_exercise *pf_progress_find_exercise(const struct pf_progress *p,
							     const char *slug)
{
	size_t i;

	for (i = 0; i < p->nexercises; i++)
		if (strcmp(p->exercises[i].slug, slug) == 0)
			return &p->exercises[i];
	return NULL;
}

int pf_progress_has_read(const struct pf_progress *p, int number)
{
	size_t i;

	for (i = 0; i < p->nread; i++)
		if (p->read[i] == number)
			return 1;
	return 0;
}

/* Parse the file text; -1 with why (naming the line) when it is corrupt. */
static int parse(struct pf_progress *p, char *text, char *why, size_t whysz)
{
	char *s = text, *f[MAX_FIELDS];
	int line = 0, ended = 0;
	long long a, b, c, d, e;

	while (*s) {
		char *nl = strchr(s, '\n');
		int nf = 0;

		line++;
		if (!nl) {
			pf_fmt(why, whysz, "line %d is cut short", line);
			return -1;
		}
		*nl = '\0';
		if (ended) {
			pf_fmt(why, whysz, "line %d: text after the end line", line);
			return -1;
		}
		if (line == 1) {
			if (strcmp(s, PROGRESS_MAGIC) != 0) {
				pf_fmt(why, whysz, "line 1 is not \"%s\"", PROGRESS_MAGIC);
				return -1;
			}
			s = nl + 1;
			continue;
		}
		f[nf++] = s;
		for (; *s; s++)
			if (*s == '\t') {
				*s = '\0';
				if (nf == MAX_FIELDS) {
					pf_fmt(why, whysz, "line %d: too many fields", line);
					return -1;
				}
				f[nf++] = s + 1;
			}
		if (strcmp(f[0], "end") == 0 && nf == 1) {
			ended = 1;
		} else if (strcmp(f[0], "read") == 0 && nf == 3 && num(f[1], 1, 999, &a) == 0 &&
			   num(f[2], 0, (long long)1 << 40, &b) == 0) {
			if (add_read(p, (int)a, b) < 0)
				goto oom;
		} else if (strcmp(f[0], "exercise") == 0 && nf == 6 && f[1][0] &&
			   strlen(f[1]) < 64 && num(f[2], 0, 1, &a) == 0 &&
			   num(f[3], 0, 1 << 30, &b) == 0 && num(f[4], 0, (long long)1 << 40, &c) == 0) {
			struct pf_progress_exercise *x = get_exercise(p, f[1]);

			if (!x)
				goto oom;
			x->passed = (int)a;
			x->attempts = (int)b;
			x->time = c;
			clean(x->gain, sizeof(x->gain), f[5]);
		} else if (strcmp(f[0], "quiz") == 0 && nf == 7 && num(f[1], 1, 999, &a) == 0 &&
			   num(f[2], 0, 1 << 30, &b) == 0 && num(f[3], 0, 10000, &c) == 0 &&
			   num(f[4], 1, 10000, &d) == 0 && num(f[5], 0, 10000, &e) == 0 && c <= d &&
			   e <= d) {
			struct pf_progress_quiz *q = get_quiz(p, (int)a);

			if (!q)
				goto oom;
			q->attempts = (int)b;
			q->best = (int)c;
			q->total = (int)d;
			q->last = (int)e;
			if (num(f[6], 0, (long long)1 << 40, &q->time) < 0) {
				pf_fmt(why, whysz, "line %d: bad time", line);
				return -1;
			}
		} else if (strcmp(f[0], "position") == 0 && nf == 2) {
			clean(p->position, sizeof(p->position), f[1]);
		} else {
			pf_fmt(why, whysz, "line %d: not a progress record", line);
			return -1;
		}
		s = nl + 1;
	}
	if (line == 0 || !ended) {
		pf_fmt(why, whysz, "the file is cut short (no end line)");
		return -1;
	}
	return 0;
oom:
	pf_fmt(why, whysz, "out of memory");
	return -2;
}

static void serialise(const struct pf_progress *p, struct pf_buf *out)
{
	size_t i;

	pf_buf_puts(out, PROGRESS_MAGIC "\n");
	for (i = 0; i < p->nread; i++)
		pf_buf_printf(out, "read\t%d\t%lld\n", p->read[i], p->read_time[i]);
	for (i = 0; i < p->nexercises; i++) {
		const struct pf_progress_exercise *x = &p->exercises[i];

		pf_buf_printf(out, "exercise\t%s\t%d\t%d\t%lld\t%s\n", x->slug, x->passed,
			      x->attempts, x->time, x->gain);
	}
	for (i = 0; i < p->nquizzes; i++) {
		const struct pf_progress_quiz *q = &p->quizzes[i];

		pf_buf_printf(out, "quiz\t%d\t%d\t%d\t%d\t%d\t%lld\n", q->number, q->attempts,
			      q->best, q->total, q->last, q->time);
	}
	if (p->position[0])
		pf_buf_printf(out, "position\t%s\n", p->position);
	pf_buf_puts(out, "end\n");
}

/* Move a corrupt file aside; never overwrite an earlier one. */
static void move_aside(const char *path, const char *why)
{
	char aside[4300], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		if (i == 0)
			pf_fmt(aside, sizeof(aside), "%s.corrupt-%s", path, stamp);
		else
			pf_fmt(aside, sizeof(aside), "%s.corrupt-%s-%d", path, stamp, i);
		if (access(aside, F_OK) != 0)
			break;
	}
	if (rename(path, aside) == 0)
		pf_fmt(warning, sizeof(warning),
		       "%s was corrupt (%s); moved it to %s and started afresh", path, why, aside);
	else
		pf_fmt(warning, sizeof(warning), "%s is corrupt (%s) and could not be moved: %s",
		       path, why, strerror(errno));
	warning_set = 1;
}

/* Load with the lock held. */
static int load_locked(struct pf_progress *p, struct pf_err *err)
{
	const char *path = pf_progress_path();
	struct pf_buf b;
	char why[300];
	int rc;

	memset(p, 0, sizeof(*p));
	pf_buf_init(&b, PROGRESS_MAX_FILE);
	if (pf_buf_read_file(&b, path) < 0) {
		if (errno == ENOENT) {
			pf_buf_release(&b);
			return 0;
		}
		if (errno == EFBIG) {
			move_aside(path, "larger than 4 MiB");
			pf_buf_release(&b);
			return 0;
		}
		rc = pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
		pf_buf_release(&b);
		return rc;
	}
	if (memchr(b.data, '\0', b.len)) {
		pf_fmt(why, sizeof(why), "it holds NUL bytes");
		rc = -1;
	} else {
		rc = parse(p, b.data, why, sizeof(why));
	}
	pf_buf_release(&b);
	if (rc == -2) {
		pf_progress_release(p);
		return pf_err_set(err, PF_EFAIL, "out of memory");
	}
	if (rc < 0) {
		pf_progress_release(p);
		move_aside(path, why);
	}
	return 0;
}

/* Writers hold the lock while their temporary file exists, so with the
 * lock held any temporary file left is from a writer that was killed. */
static void remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4300];

	if (!d)
		return;
	while ((de = readdir(d)))
		if (pf_startswith(de->d_name, "progress" PF_FILE_TMP_SUFFIX)) {
			pf_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

/* Save with the lock held: temp file, fsync, rename, fsync the directory. */
static int save_locked(const struct pf_progress *p, struct pf_err *err)
{
	struct pf_buf b = PF_BUF_INIT;
	int rc;

	serialise(p, &b);
	remove_stale_temps(pf_paths_statedir());
	rc = pf_file_write_atomic(pf_progress_path(), b.data, b.len, PF_FILE_DURABLE, err);
	pf_buf_release(&b);
	return rc;
}

/* Open and flock the lock file; returns the fd, or negative with err. */
static int lock(int create, struct pf_err *err)
{
	const char *dir = pf_paths_statedir();
	char lockpath[4300];
	int fd;

	if (create && pf_mkdir_p(dir) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	pf_fmt(lockpath, sizeof(lockpath), "%s/progress.lock", dir);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (!create && errno == ENOENT)
			return -ENOENT;
		return pf_err_set(err, PF_EFAIL, "%s: %s", lockpath, strerror(errno));
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return pf_err_set(err, PF_EFAIL, "%s: %s", lockpath, strerror(errno));
		}
	}
	return fd;
}

int pf_progress_load(struct pf_progress *p, struct pf_err *err)
{
	int fd, rc;

	memset(p, 0, sizeof(*p));
	fd = lock(0, err);
	if (fd == -ENOENT)
		return 0; /* no state directory yet: nothing recorded */
	if (fd < 0)
		return fd;
	rc = load_locked(p, err);
	close(fd);
	return rc;
}

enum change_kind { CH_READ, CH_EXERCISE, CH_QUIZ, CH_POSITION };

struct change {
	enum change_kind kind;
	int number, passed, score, total;
	const char *text, *gain;
};

static int apply(struct pf_progress *p, const struct change *c)
{
	long long now = (long long)time(NULL);

	switch (c->kind) {
	case CH_READ:
		return add_read(p, c->number, now);
	case CH_EXERCISE: {
		struct pf_progress_exercise *x = get_exercise(p, c->text);

		if (!x)
			return -1;
		x->attempts++;
		x->time = now;
		if (c->passed) {
			x->passed = 1;
			clean(x->gain, sizeof(x->gain), c->gain);
		}
		return 0;
	}
	case CH_QUIZ: {
		struct pf_progress_quiz *q = get_quiz(p, c->number);

		if (!q)
			return -1;
		/* A quiz whose length changed: scores out of the new total. */
		if (q->attempts == 0 || q->total != c->total ||
		    (double)c->score / c->total > (double)q->best / q->total)
			q->best = c->score;
		q->total = c->total;
		q->last = c->score;
		q->attempts++;
		q->time = now;
		return 0;
	}
	case CH_POSITION:
		clean(p->position, sizeof(p->position), c->text);
		return 0;
	}
	return 0;
}

static int update(const struct change *c, struct pf_err *err)
{
	struct pf_progress p;
	int fd, rc;

	fd = lock(1, err);
	if (fd < 0)
		return fd;
	rc = load_locked(&p, err);
	if (rc == 0) {
		if (apply(&p, c) < 0)
			rc = pf_err_set(err, PF_EFAIL, "out of memory");
		else
			rc = save_locked(&p, err);
	}
	pf_progress_release(&p);
	close(fd);
	return rc;
}

int pf_progress_mark_read(int number, struct pf_err *err)
{
	struct change c = { .kind = CH_READ, .number = number };

	if (number < 1 || number > 999)
		return pf_err_set(err, PF_EUSAGE, "chapter %d out of range", number);
	return update(&c, err);
}

int pf_progress_record_exercise(const char *slug, int passed, const char *gain,
				struct pf_err *err)
{
	struct change c = { .kind = CH_EXERCISE, .text = slug, .passed = !!passed, .gain = gain };

	if (!slug || !slug[0] || strlen(slug) >= 64)
		return pf_err_set(err, PF_EUSAGE, "bad exercise name");
	return update(&c, err);
}

int pf_progress_record_quiz(int number, int score, int total, struct pf_err *err)
{
	struct change c = { .kind = CH_QUIZ, .number = number, .score = score, .total = total };

	if (number < 1 || number > 999 || total < 1 || total > 10000 || score < 0 ||
	    score > total)
		return pf_err_set(err, PF_EUSAGE, "quiz %d: bad score %d/%d", number, score, total);
	return update(&c, err);
}

int pf_progress_set_position(const char *position, struct pf_err *err)
{
	struct change c = { .kind = CH_POSITION, .text = position ? position : "" };

	return update(&c, err);
}

static void iso(long long t, char *dst, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(dst, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *learner(void)
{
	const char *s = getenv("PROFLAB_LEARNER");
	struct passwd *pw;

	if (s && *s)
		return s;
	s = getenv("USER");
	if (s && *s)
		return s;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

int pf_progress_json(const struct pf_progress *p, struct pf_buf *out)
{
	struct pf_json j;
	char t[40];
	size_t i;

	pf_json_init(&j, out, 1);
	pf_json_object_begin(&j);
	pf_json_key(&j, "version");
	pf_json_int(&j, 1);
	pf_json_key(&j, "learner");
	pf_json_string(&j, learner());
	pf_json_key(&j, "generated");
	iso((long long)time(NULL), t, sizeof(t));
	pf_json_string(&j, t);
	pf_json_key(&j, "chapters_read");
	pf_json_array_begin(&j);
	for (i = 0; i < p->nread; i++) {
		pf_json_object_begin(&j);
		pf_json_key(&j, "chapter");
		pf_json_int(&j, p->read[i]);
		pf_json_key(&j, "time");
		iso(p->read_time[i], t, sizeof(t));
		pf_json_string(&j, t);
		pf_json_object_end(&j);
	}
	pf_json_array_end(&j);
	pf_json_key(&j, "exercises");
	pf_json_array_begin(&j);
	for (i = 0; i < p->nexercises; i++) {
		const struct pf_progress_exercise *x = &p->exercises[i];

		pf_json_object_begin(&j);
		pf_json_key(&j, "slug");
		pf_json_string(&j, x->slug);
		pf_json_key(&j, "passed");
		pf_json_bool(&j, x->passed);
		pf_json_key(&j, "attempts");
		pf_json_int(&j, x->attempts);
		pf_json_key(&j, "gain");
		if (x->gain[0])
			pf_json_string(&j, x->gain);
		else
			pf_json_null(&j);
		pf_json_key(&j, "time");
		iso(x->time, t, sizeof(t));
		pf_json_string(&j, t);
		pf_json_object_end(&j);
	}
	pf_json_array_end(&j);
	pf_json_key(&j, "quizzes");
	pf_json_array_begin(&j);
	for (i = 0; i < p->nquizzes; i++) {
		const struct pf_progress_quiz *q = &p->quizzes[i];
		double pct = 100.0 * q->best / q->total;

		pf_json_object_begin(&j);
		pf_json_key(&j, "chapter");
		pf_json_int(&j, q->number);
		pf_json_key(&j, "attempts");
		pf_json_int(&j, q->attempts);
		pf_json_key(&j, "best");
		pf_json_int(&j, q->best);
		pf_json_key(&j, "total");
		pf_json_int(&j, q->total);
		pf_json_key(&j, "best_percent");
		pf_json_double(&j, (double)(long long)(pct * 10 + 0.5) / 10);
		pf_json_key(&j, "last");
		pf_json_int(&j, q->last);
		pf_json_key(&j, "passed");
		pf_json_bool(&j, pct >= PF_QUIZ_PASS_MARK);
		pf_json_key(&j, "time");
		iso(q->time, t, sizeof(t));
		pf_json_string(&j, t);
		pf_json_object_end(&j);
	}
	pf_json_array_end(&j);
	pf_json_key(&j, "position");
	if (p->position[0])
		pf_json_string(&j, p->position);
	else
		pf_json_null(&j);
	pf_json_object_end(&j);
	pf_buf_putc(out, '\n');
	return 0;
}
