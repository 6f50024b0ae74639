/*
 * exercise.c - the exercise catalogue and the learner's workspace copies:
 * listing with status, resolving EX arguments, first-use copies, hints
 * and reset (exercise.h). Running and checking live in exercise_check.c.
 *
 * State kept in a learner's copy, beside the sources: .proflab-hints (how
 * many hints were shown) and .proflab-status ("passed GAIN" or "failed"
 * after a check). A source newer than the status file means the learner
 * changed it since.
 */
#include "exercise.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/file.h"
#include "../base/paths.h"
#include "../base/str.h"
#include "exercise_internal.h"

#define HINTS_MAX_BYTES (256 * 1024)

static char warning[512];

void pf_ex_warn(const char *msg)
{
	pf_fmt(warning, sizeof(warning), "%s", msg);
}

const char *pf_exercise_take_warning(void)
{
	static char taken[512];

	if (!warning[0])
		return NULL;
	pf_fmt(taken, sizeof(taken), "%s", warning);
	warning[0] = '\0';
	return taken;
}

void pf_ex_pristine_dir(const char *slug, char *dst, size_t size)
{
	pf_fmt(dst, size, "%s/exercises/%s", pf_paths_datadir(), slug);
}

void pf_ex_work_dir(const char *slug, char *dst, size_t size)
{
	pf_fmt(dst, size, "%s/exercises/%s", pf_paths_workspace(), slug);
}

const char *pf_exercise_workspace(void)
{
	return pf_paths_workspace();
}

int pf_ex_manifest(const char *slug, struct pf_manifest *m, struct pf_err *err)
{
	char path[PATH_MAX];

	pf_fmt(path, sizeof(path), "%s/exercises/%s/manifest", pf_paths_datadir(), slug);
	return pf_manifest_load(m, path, err);
}

int pf_ex_copy_file(const char *from, const char *to, struct pf_err *err)
{
	struct pf_buf b = PF_BUF_INIT;
	int rc;

	if (pf_buf_read_file(&b, from) < 0)
		rc = pf_err_set(err, PF_EFAIL, "%s: %s", from, strerror(errno));
	else
		rc = pf_file_write_atomic(to, b.data, b.len, 0, err);
	pf_buf_release(&b);
	return rc;
}

/* "03-session-cache": two digits, a dash, a name. */
static int is_slug(const char *name)
{
	return name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
	       name[2] == '-' && name[3] && !strchr(name, '/') && strlen(name) < 64;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pf_exercise_entry *x = a, *y = b;

	return strcmp(x->slug, y->slug);
}

static int read_small(const char *path, char *dst, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	dst[0] = '\0';
	if (!f)
		return -1;
	n = fread(dst, 1, size - 1, f);
	dst[n] = '\0';
	fclose(f);
	dst[strcspn(dst, "\n")] = '\0';
	return 0;
}

static int write_small(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int same_file(const char *a, const char *b)
{
	struct pf_buf x = PF_BUF_INIT, y = PF_BUF_INIT;
	int same = pf_buf_read_file(&x, a) == 0 && pf_buf_read_file(&y, b) == 0 &&
		   x.len == y.len && memcmp(x.data, y.data, x.len) == 0;

	pf_buf_release(&x);
	pf_buf_release(&y);
	return same;
}

static unsigned count_hints(const char *slug);
static unsigned hints_shown(const char *slug);

static void entry_status(struct pf_exercise_entry *e, const struct pf_manifest *m)
{
	char work[PATH_MAX], path[PATH_MAX], pristine[PATH_MAX], line[256];
	struct stat st, sst;
	int have_status, changed = 0;
	size_t i;

	pf_ex_work_dir(e->slug, work, sizeof(work));
	pf_ex_pristine_dir(e->slug, pristine, sizeof(pristine));
	if (stat(work, &st) < 0) {
		e->status = PF_EX_NEW;
		return;
	}
	pf_fmt(path, sizeof(path), "%s/.proflab-status", work);
	have_status = stat(path, &sst) == 0 && read_small(path, line, sizeof(line)) == 0;
	for (i = 0; i < m->nfiles; i++) {
		char src[PATH_MAX], orig[PATH_MAX];

		pf_fmt(src, sizeof(src), "%s/%s", work, m->files[i]);
		pf_fmt(orig, sizeof(orig), "%s/%s", pristine, m->files[i]);
		if (have_status && stat(src, &st) == 0 && st.st_mtime > sst.st_mtime)
			changed = 1;
		if (!have_status && !same_file(src, orig))
			changed = 1;
	}
	if (have_status && !changed) {
		if (pf_startswith(line, "passed")) {
			e->status = PF_EX_PASSED;
			pf_fmt(e->gain, sizeof(e->gain), "%s", line[6] == ' ' ? line + 7 : "");
		} else {
			e->status = PF_EX_FAILED;
		}
	} else {
		e->status = changed ? PF_EX_MODIFIED : PF_EX_STARTED;
	}
}

int pf_exercise_list(struct pf_exercise_list *out, struct pf_err *err)
{
	char dir[PATH_MAX];
	struct dirent *d;
	DIR *dp = NULL;
	size_t cap = 0;
	int rc = 0;

	out->items = NULL;
	out->n = 0;
	pf_fmt(dir, sizeof(dir), "%s/exercises", pf_paths_datadir());
	dp = opendir(dir);
	if (!dp)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		struct pf_exercise_entry *e;
		struct pf_manifest m;

		if (!is_slug(d->d_name))
			continue;
		rc = pf_ex_manifest(d->d_name, &m, err);
		if (rc < 0)
			goto out;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct pf_exercise_entry *grown = realloc(out->items, ncap * sizeof(*grown));

			if (!grown) {
				rc = pf_err_set(err, PF_EFAIL, "out of memory");
				goto out;
			}
			out->items = grown;
			cap = ncap;
		}
		e = &out->items[out->n++];
		memset(e, 0, sizeof(*e));
		e->number = (d->d_name[0] - '0') * 10 + (d->d_name[1] - '0');
		pf_fmt(e->slug, sizeof(e->slug), "%s", d->d_name);
		pf_fmt(e->title, sizeof(e->title), "%s", m.title);
		entry_status(e, &m);
		e->hints_total = count_hints(e->slug);
		e->hints_shown = hints_shown(e->slug);
		if (e->hints_shown > e->hints_total)
			e->hints_shown = e->hints_total;
	}
	if (out->n)
		qsort(out->items, out->n, sizeof(out->items[0]), cmp_entry);
out:
	closedir(dp);
	if (rc < 0)
		pf_exercise_list_release(out);
	return rc;
}

void pf_exercise_list_release(struct pf_exercise_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

const char *pf_exercise_status_name(enum pf_exercise_status s)
{
	switch (s) {
	case PF_EX_NEW: return "new";
	case PF_EX_STARTED: return "started";
	case PF_EX_MODIFIED: return "modified";
	case PF_EX_FAILED: return "failed";
	case PF_EX_PASSED: return "passed";
	}
	return "?";
}

int pf_exercise_resolve(const char *arg, char *slug, size_t size, struct pf_err *err)
{
	struct pf_exercise_list l;
	int rc, want = -1;
	size_t i;
	char *end;

	rc = pf_exercise_list(&l, err);
	if (rc < 0)
		return rc;
	if (arg[0] >= '0' && arg[0] <= '9') {
		long v = strtol(arg, &end, 10);

		if (!*end && v >= 0 && v < 100)
			want = (int)v;
	}
	rc = pf_err_set(err, PF_EUSAGE, "no exercise '%s' (see proflab exercises)", arg);
	for (i = 0; i < l.n; i++) {
		const char *name = l.items[i].slug + 3;

		if (l.items[i].number == want || strcmp(arg, l.items[i].slug) == 0 ||
		    strcmp(arg, name) == 0) {
			pf_fmt(slug, size, "%s", l.items[i].slug);
			if (err) {
				err->code = 0;
				err->msg[0] = '\0';
			}
			rc = 0;
			break;
		}
	}
	pf_exercise_list_release(&l);
	return rc;
}

int pf_exercise_workdir(const char *slug, char *dir, size_t size, struct pf_err *err)
{
	char pristine[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct pf_manifest m;
	struct stat st;
	size_t i;
	int rc;

	pf_ex_work_dir(slug, dir, size);
	if (stat(dir, &st) == 0)
		return 0;
	rc = pf_ex_manifest(slug, &m, err);
	if (rc < 0)
		return rc;
	pf_ex_pristine_dir(slug, pristine, sizeof(pristine));
	/* copy into a temporary name, then rename: never a half-made copy */
	pf_fmt(to, sizeof(to), "%s.new", dir);
	if (pf_mkdir_p(to) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", to, strerror(errno));
	for (i = 0; i < m.nfiles + 1; i++) {
		const char *name = i < m.nfiles ? m.files[i] : "README.md";

		pf_fmt(from, sizeof(from), "%s/%s", pristine, name);
		pf_fmt(to, sizeof(to), "%s.new/%s", dir, name);
		if (i == m.nfiles && stat(from, &st) < 0)
			break;
		rc = pf_ex_copy_file(from, to, err);
		if (rc < 0)
			return rc;
	}
	pf_fmt(to, sizeof(to), "%s.new", dir);
	if (rename(to, dir) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	return 0;
}

void pf_ex_save_status(const char *slug, int passed, const char *gain)
{
	char path[PATH_MAX], text[256];
	struct stat st;

	pf_ex_work_dir(slug, path, sizeof(path));
	if (stat(path, &st) < 0)
		return;
	pf_fmt(path + strlen(path), sizeof(path) - strlen(path), "/.proflab-status");
	pf_fmt(text, sizeof(text), "%s%s%s\n", passed ? "passed" : "failed",
	       passed && gain && *gain ? " " : "", passed && gain ? gain : "");
	write_small(path, text);
}

/* ---- hints: hints.md, one "## " section per hint ---- */

static int load_hints(const char *slug, struct pf_buf *b)
{
	char path[PATH_MAX];

	pf_fmt(path, sizeof(path), "%s/exercises/%s/hints.md", pf_paths_datadir(), slug);
	pf_buf_init(b, HINTS_MAX_BYTES);
	return pf_buf_read_file(b, path);
}

/* The start of hint k (0-based) in text, or NULL; *len its length. */
static const char *hint_at(const char *text, unsigned k, size_t *len)
{
	const char *p = text, *next;
	unsigned i = 0;

	for (;;) {
		if (pf_startswith(p, "## ")) {
			if (i == k) {
				p += strcspn(p, "\n");
				if (*p)
					p++;
				next = strstr(p, "\n## ");
				*len = next ? (size_t)(next - p + 1) : strlen(p);
				return p;
			}
			i++;
		}
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
}

static unsigned count_hints(const char *slug)
{
	struct pf_buf b;
	unsigned n = 0;
	size_t len;

	if (load_hints(slug, &b) == 0)
		while (hint_at(b.data, n, &len))
			n++;
	pf_buf_release(&b);
	return n;
}

static unsigned hints_shown(const char *slug)
{
	char path[PATH_MAX], line[32];

	pf_ex_work_dir(slug, path, sizeof(path));
	pf_fmt(path + strlen(path), sizeof(path) - strlen(path), "/.proflab-hints");
	if (read_small(path, line, sizeof(line)) < 0)
		return 0;
	return (unsigned)strtoul(line, NULL, 10);
}

int pf_exercise_hint(const char *slug, char **text, unsigned *index, unsigned *total,
		     struct pf_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX], num[32];
	const char *h;
	struct pf_buf b;
	unsigned shown;
	size_t len;
	int rc;

	*text = NULL;
	rc = pf_exercise_workdir(slug, dir, sizeof(dir), err);
	if (rc < 0)
		return rc;
	if (load_hints(slug, &b) < 0) {
		rc = pf_err_set(err, PF_EINPUT, "%s/exercises/%s/hints.md: %s", pf_paths_datadir(),
				slug, strerror(errno));
		goto out;
	}
	*total = 0;
	while (hint_at(b.data, *total, &len))
		(*total)++;
	if (*total == 0) {
		rc = pf_err_set(err, PF_EINPUT, "%s/exercises/%s/hints.md:1: no '## ' hint sections",
				pf_paths_datadir(), slug);
		goto out;
	}
	shown = hints_shown(slug);
	if (shown >= *total)
		shown = *total - 1;
	h = hint_at(b.data, shown, &len);
	while (len && (h[len - 1] == '\n' || h[0] == '\n')) {
		if (h[0] == '\n') {
			h++;
			len--;
		} else {
			len--;
		}
	}
	*text = strndup(h, len);
	if (!*text) {
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
		goto out;
	}
	*index = shown + 1;
	pf_fmt(path, sizeof(path), "%s/.proflab-hints", dir);
	pf_fmt(num, sizeof(num), "%u\n", shown + 1);
	if (write_small(path, num) < 0)
		pf_ex_warn("could not remember the hint count in the workspace");
out:
	pf_buf_release(&b);
	return rc;
}

int pf_exercise_reset(const char *slug, char *backup, size_t size, struct pf_err *err)
{
	char dir[PATH_MAX], bak[PATH_MAX], stamp[32];
	struct stat st;
	struct tm tm;
	time_t t = time(NULL);
	int i;

	backup[0] = '\0';
	pf_ex_work_dir(slug, dir, sizeof(dir));
	if (stat(dir, &st) == 0) {
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		pf_fmt(bak, sizeof(bak), "%s.backup-%s", dir, stamp);
		/* two resets in one second: add a counter */
		for (i = 2; stat(bak, &st) == 0 && i < 100; i++)
			pf_fmt(bak, sizeof(bak), "%s.backup-%s-%d", dir, stamp, i);
		if (rename(dir, bak) < 0)
			return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
		pf_fmt(backup, size, "%s", bak);
	}
	return pf_exercise_workdir(slug, dir, sizeof(dir), err);
}
