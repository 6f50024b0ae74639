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
#include <stdarg.h>
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
	free(p->extra);
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

/* What parse() found wrong: the first problem, and how many there were. */
struct damage {
	int n;
	char first[200];
};

static void damaged(struct damage *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void damaged(struct damage *d, const char *fmt, ...)
{
	va_list ap;

	if (d->n++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(d->first, sizeof(d->first), fmt, ap);
	va_end(ap);
}

static int is_known_type(const char *type, size_t len)
{
	static const char *const known[] = { "read", "exercise", "quiz", "position", "end" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == len && memcmp(known[i], type, len) == 0)
			return 1;
	return 0;
}

/*
 * A record of a type this version does not know, kept for a newer proflab
 * that wrote it: a lower-case name ([a-z][a-z0-9_-]*, at most 32 bytes),
 * then tab-separated text without control bytes. Anything else is damage.
 */
static int is_foreign_record(const char *s, size_t n, size_t type_len)
{
	size_t i;

	if (type_len == 0 || type_len > 32 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; i < type_len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	for (; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return 0;
	return 1;
}

/* One record of a known type (fields f[0..nf-1]) into p: 0, -1 when its
 * fields are not valid, -2 out of memory. */
static int parse_record(struct pf_progress *p, char **f, int nf)
{
	long long a, b, c, d, e, t;

	if (strcmp(f[0], "read") == 0 && nf == 3 && num(f[1], 1, 999, &a) == 0 &&
	    num(f[2], 0, (long long)1 << 40, &b) == 0)
		return add_read(p, (int)a, b) < 0 ? -2 : 0;
	if (strcmp(f[0], "exercise") == 0 && nf == 6 && f[1][0] && strlen(f[1]) < 64 &&
	    num(f[2], 0, 1, &a) == 0 && num(f[3], 0, 1 << 30, &b) == 0 &&
	    num(f[4], 0, (long long)1 << 40, &c) == 0) {
		struct pf_progress_exercise *x = get_exercise(p, f[1]);

		if (!x)
			return -2;
		x->passed = (int)a;
		x->attempts = (int)b;
		x->time = c;
		clean(x->gain, sizeof(x->gain), f[5]);
		return 0;
	}
	if (strcmp(f[0], "quiz") == 0 && nf == 7 && num(f[1], 1, 999, &a) == 0 &&
	    num(f[2], 0, 1 << 30, &b) == 0 && num(f[3], 0, 10000, &c) == 0 &&
	    num(f[4], 1, 10000, &d) == 0 && num(f[5], 0, 10000, &e) == 0 && c <= d && e <= d &&
	    num(f[6], 0, (long long)1 << 40, &t) == 0) {
		struct pf_progress_quiz *q = get_quiz(p, (int)a);

		if (!q)
			return -2;
		q->attempts = (int)b;
		q->best = (int)c;
		q->total = (int)d;
		q->last = (int)e;
		q->time = t;
		return 0;
	}
	if (strcmp(f[0], "position") == 0 && nf == 2) {
		clean(p->position, sizeof(p->position), f[1]);
		return 0;
	}
	return -1;
}

/*
 * Parse len bytes of file text (changed in place) into p, keeping every
 * readable line: records of known types, and records of unknown types
 * verbatim in p->extra. Lines that cannot be read, a wrong first line, a
 * last line cut short or a missing end line are counted in *dmg. 0, or -2
 * out of memory.
 */
static int parse(struct pf_progress *p, char *text, size_t len, struct damage *dmg)
{
	struct pf_buf extra = PF_BUF_INIT;
	size_t pos = 0;
	int line = 0, ended = 0, rc = 0;

	while (pos < len) {
		char *s = text + pos, *nl = memchr(s, '\n', len - pos), *f[MAX_FIELDS];
		size_t n, type_len;
		int nf = 0;

		line++;
		if (!nl) {
			damaged(dmg, "line %d is cut short", line);
			break;
		}
		*nl = '\0';
		n = (size_t)(nl - s);
		pos += n + 1;
		if (memchr(s, '\0', n)) {
			damaged(dmg, "line %d holds NUL bytes", line);
			continue;
		}
		if (line == 1 && strcmp(s, PROGRESS_MAGIC) == 0)
			continue;
		if (line == 1)
			damaged(dmg, "line 1 is not \"%s\"", PROGRESS_MAGIC);
		if (n == 0)
			continue;
		type_len = strcspn(s, "\t");
		if (!is_known_type(s, type_len)) {
			/* A wrong first line is not kept as somebody's record. */
			if (line > 1 && is_foreign_record(s, n, type_len)) {
				if (pf_buf_append(&extra, s, n) < 0 || pf_buf_putc(&extra, '\n') < 0)
					goto oom;
			} else if (line > 1) {
				damaged(dmg, "line %d: not a progress record", line);
			}
			continue;
		}
		f[nf++] = s;
		for (; *s; s++)
			if (*s == '\t') {
				*s = '\0';
				if (nf == MAX_FIELDS)
					break;
				f[nf++] = s + 1;
			}
		if (*s) {
			damaged(dmg, "line %d: too many fields", line);
			continue;
		}
		if (strcmp(f[0], "end") == 0 && nf == 1) {
			ended = 1;
			continue;
		}
		rc = parse_record(p, f, nf);
		if (rc == -2)
			goto oom;
		if (rc < 0 && line > 1)
			damaged(dmg, "line %d: not a valid %s record", line, f[0]);
	}
	if (!ended)
		damaged(dmg, "the file is cut short (no end line)");
	if (extra.len) {
		free(p->extra);
		p->extra = pf_buf_detach(&extra, NULL);
	}
	return 0;
oom:
	pf_buf_release(&extra);
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
	if (p->extra)
		pf_buf_puts(out, p->extra);
	pf_buf_puts(out, "end\n");
}

/*
 * Keep a copy of the damaged file as path.corrupt-STAMP[-N] before the
 * next save replaces it; never overwrite an earlier copy. A hard link
 * costs nothing and is atomic; where links are refused the bytes read
 * (data, len) are written instead, when there are any (data non-NULL).
 * 0 with the name in aside, or -1 with errno.
 */
static int back_up(const char *path, const char *data, size_t len, char *aside, size_t asz)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		if (i == 0)
			pf_fmt(aside, asz, "%s.corrupt-%s", path, stamp);
		else
			pf_fmt(aside, asz, "%s.corrupt-%s-%d", path, stamp, i);
		if (link(path, aside) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (access(aside, F_OK) == 0)
			continue;
		if (!data)
			return -1;
		if (pf_file_write_atomic(aside, data, len, PF_FILE_DURABLE, NULL) == 0)
			return 0;
		return -1;
	}
	errno = EEXIST;
	return -1;
}

enum load_mode {
	LOAD_READ,  /* for display: never touch the file */
	LOAD_WRITE, /* before a save: back up a damaged file first */
};

/* Load with the lock held. */
static int load_locked(struct pf_progress *p, enum load_mode mode, struct pf_err *err)
{
	const char *path = pf_progress_path();
	struct damage dmg = { 0, "" };
	struct pf_buf b;
	char aside[4300], *copy = NULL, more[64] = "";
	int rc = 0, have_bytes = 0;

	memset(p, 0, sizeof(*p));
	pf_buf_init(&b, PROGRESS_MAX_FILE);
	if (pf_buf_read_file(&b, path) < 0) {
		if (errno == ENOENT)
			goto out;
		if (errno != EFBIG) {
			rc = pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
			goto out;
		}
		/* Too large to be ours: nothing in it is read. */
		pf_buf_release(&b);
		damaged(&dmg, "larger than 4 MiB");
	} else {
		copy = malloc(b.len + 1);
		if (!copy) {
			rc = pf_err_set(err, PF_EFAIL, "out of memory");
			goto out;
		}
		memcpy(copy, b.data, b.len + 1);
		have_bytes = 1;
		if (parse(p, copy, b.len, &dmg) < 0) {
			pf_progress_release(p);
			rc = pf_err_set(err, PF_EFAIL, "out of memory");
			goto out;
		}
	}
	if (dmg.n == 0)
		goto out;
	if (dmg.n > 1)
		pf_fmt(more, sizeof(more), " (and %d more problem%s)", dmg.n - 1,
		       dmg.n == 2 ? "" : "s");
	if (mode == LOAD_READ) {
		pf_fmt(warning, sizeof(warning),
		       "%s: %s%s; showing what could be read (the file is left as it is)", path,
		       dmg.first, more);
	} else if (back_up(path, have_bytes ? b.data : NULL, b.len, aside, sizeof(aside)) == 0) {
		pf_fmt(warning, sizeof(warning),
		       "%s: %s%s; kept what could be read and saved the old file as %s", path,
		       dmg.first, more, aside);
	} else {
		pf_progress_release(p);
		rc = pf_err_set(err, PF_EFAIL, "%s: %s%s, and no copy of it could be made: %s",
				path, dmg.first, more, strerror(errno));
		goto out;
	}
	warning_set = 1;
out:
	free(copy);
	pf_buf_release(&b);
	return rc;
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

/*
 * Whether the store may be replaced. A file the learner made read-only
 * (no write permission, or no write bit at all, which root would
 * otherwise ignore) is a choice we respect: saving fails rather than
 * replacing it. *mode gets the file's permissions (0644 when there is no
 * file yet), for the new file to keep. 0, or PF_EFAIL with err.
 */
static int check_writable(const char *path, mode_t *mode, struct pf_err *err)
{
	struct stat st;

	*mode = 0644;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
	}
	*mode = st.st_mode & 07777;
	if ((st.st_mode & 0222) == 0 || access(path, W_OK) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: the file is read-only (mode %04o)", path,
				  (unsigned)*mode);
	return 0;
}

/* Save with the lock held: temp file, fsync, rename, fsync the directory;
 * then the permissions the old file had. */
static int save_locked(const struct pf_progress *p, mode_t mode, struct pf_err *err)
{
	const char *path = pf_progress_path();
	struct pf_buf b = PF_BUF_INIT;
	int rc;

	serialise(p, &b);
	remove_stale_temps(pf_paths_statedir());
	rc = pf_file_write_atomic(path, b.data, b.len, PF_FILE_DURABLE, err);
	pf_buf_release(&b);
	if (rc == 0 && mode != 0644 && chmod(path, mode) < 0)
		rc = pf_err_set(err, PF_EFAIL, "%s: saved, but its mode %04o could not be kept: %s",
				path, (unsigned)mode, strerror(errno));
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
	rc = load_locked(p, LOAD_READ, err);
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
	struct pf_progress p = { 0 };
	mode_t mode;
	int fd, rc;

	fd = lock(1, err);
	if (fd < 0)
		return fd;
	rc = check_writable(pf_progress_path(), &mode, err);
	if (rc == 0)
		rc = load_locked(&p, LOAD_WRITE, err);
	if (rc == 0) {
		if (apply(&p, c) < 0)
			rc = pf_err_set(err, PF_EFAIL, "out of memory");
		else
			rc = save_locked(&p, mode, err);
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
