/*
 * list.c - the `list` report (pprof -list=REGEX): source lines of the
 * matching functions with flat and cum per line, read from disk.
 *
 * Works at pprof's "lines" granularity: one node per (function, file,
 * line), kept in a hash table, the file name cleaned as Go's
 * filepath.Clean cleans it ("./a//b.c" is "a/b.c"); per function and file, the window printed
 * runs from the function's start line (or the first sampled line - 5) to
 * the last sampled line + 5, as go tool pprof prints it.
 */
#include "../base/hash.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph.h"
#include "units.h"

struct lnode {
	const char *name, *file;
	int64_t line, start_line;
	int64_t flat, cum;
	uint32_t stamp;
	int used;
};

struct ltab {
	struct lnode *slots;
	size_t mask, n;
};

static size_t lhash(const char *name, const char *file, int64_t line)
{
	size_t h = (size_t)pf_hash_str(pf_hash_str(PF_HASH_SEED, name) * 31, file);

	return (h ^ (size_t)line) * 0x9E3779B97F4A7C15ULL;
}

static int ltab_grow(struct ltab *t)
{
	size_t cap = t->slots ? (t->mask + 1) * 2 : 256, i;
	struct lnode *ns = calloc(cap, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; t->slots && i <= t->mask; i++) {
		size_t h;

		if (!t->slots[i].used)
			continue;
		h = lhash(t->slots[i].name, t->slots[i].file, t->slots[i].line) & (cap - 1);
		while (ns[h].used)
			h = (h + 1) & (cap - 1);
		ns[h] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->mask = cap - 1;
	return 0;
}

/* The node of function f at line, its file name being file (cleaned). */
static struct lnode *ltab_get(struct ltab *t, const struct pf_function *f, const char *file,
			      int64_t line)
{
	size_t h;

	if ((!t->slots || (t->n + 1) * 2 > t->mask + 1) && ltab_grow(t) < 0)
		return NULL;
	h = lhash(f->name, file, line) & t->mask;
	while (t->slots[h].used) {
		struct lnode *n = &t->slots[h];

		if (n->line == line && strcmp(n->name, f->name) == 0 && strcmp(n->file, file) == 0)
			return n;
		h = (h + 1) & t->mask;
	}
	t->slots[h].used = 1;
	t->slots[h].name = f->name;
	t->slots[h].file = file;
	t->slots[h].line = line;
	t->slots[h].start_line = f->start_line;
	t->n++;
	return &t->slots[h];
}

/*
 * Go's filepath.Clean, which pprof applies to every source file name
 * (internal/graph's nodeInfo): repeated slashes become one, "." elements
 * go, ".." removes the element before it (or stays at the start of a
 * relative path, or goes right after the root), no trailing slash.
 * Writes into dst, which has room for strlen(path) + 2 bytes.
 */
static void clean_path(const char *path, char *dst)
{
	size_t n = strlen(path), r = 0, w = 0, dotdot = 0;
	int rooted = path[0] == '/';

	if (rooted) {
		dst[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && dst[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					dst[w++] = '/';
				dst[w++] = '.';
				dst[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				dst[w++] = '/';
			while (r < n && path[r] != '/')
				dst[w++] = path[r++];
		}
	}
	if (w == 0)
		dst[w++] = '.';
	dst[w] = '\0';
}

/* Per function, its cleaned file name ("" when it has none), in one block
 * *mem the caller frees. NULL when out of memory. */
static const char **clean_files(const struct pf_profile *p, char **mem)
{
	const char **files;
	size_t i, size = 0;
	char *at;

	for (i = 0; i < p->nfunctions; i++)
		size += strlen(p->functions[i].filename) + 2;
	files = calloc(p->nfunctions + 1, sizeof(*files));
	*mem = malloc(size + 1);
	if (!files || !*mem) {
		free(files);
		free(*mem);
		*mem = NULL;
		return NULL;
	}
	at = *mem;
	for (i = 0; i < p->nfunctions; i++) {
		const char *f = p->functions[i].filename;

		files[i] = at;
		if (!f[0]) {
			*at++ = '\0';
			continue;
		}
		clean_path(f, at);
		at += strlen(at) + 1;
	}
	return files;
}

static int by_name_file_line(const void *a, const void *b)
{
	const struct lnode *x = *(const struct lnode *const *)a, *y = *(const struct lnode *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* Nodes without a file come first within a function. */
	c = strcmp(x->file, y->file);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static void value_or_dot(const struct pf_graph *g, const char *unit, int64_t v, char *dst,
			 size_t size)
{
	if (v == 0) {
		dst[0] = '.';
		dst[1] = '\0';
		return;
	}
	pf_rep_value(g, unit, v, dst, size);
}

/*
 * Source files are read line by line up to the last sampled line, so
 * only regular files of a sane size are read: a profile can name any
 * path, and a FIFO would block the open forever, /dev/zero never end a
 * line. 64 MiB is several times the largest C file we know (sqlite3.c,
 * about 9 MiB).
 */
#define SOURCE_MAX_BYTES ((off_t)64 << 20)

/* Open path for reading if it is a regular file within the size cap.
 * NULL with the reason in errmsg ("open PATH: REASON", lower case as
 * pprof prints it) otherwise; *unopened is set when open() failed. */
static FILE *open_regular(const char *path, struct pf_buf *errmsg, int *unopened)
{
	struct stat st;
	const char *why = NULL;
	char msg[256];
	FILE *f;
	int fd;

	*unopened = 0;
	/* O_NONBLOCK: opening a FIFO without a writer returns at once. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*unopened = 1;
		why = strerror(errno);
	} else if (fstat(fd, &st) < 0) {
		why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		why = "not a regular file";
	} else if (st.st_size > SOURCE_MAX_BYTES) {
		why = "larger than 64 MiB, not a source file proflab lists";
	} else if (fcntl(fd, F_SETFL, 0) < 0) {
		why = strerror(errno);
	}
	if (!why) {
		f = fdopen(fd, "r");
		if (f)
			return f;
		why = strerror(errno);
	}
	if (fd >= 0)
		close(fd);
	snprintf(msg, sizeof(msg), "%s", why);
	if (msg[0] >= 'A' && msg[0] <= 'Z')
		msg[0] = (char)(msg[0] - 'A' + 'a');
	pf_buf_printf(errmsg, "open %s: %s", path, msg);
	return NULL;
}

/* Open a source file like pprof: absolute paths as they are, relative
 * ones under the current directory and its parents, the first that opens
 * (one that opens but is not a regular file within the cap is an error,
 * not a reason to look further up). */
static FILE *open_source(const char *file, struct pf_buf *errmsg)
{
	char cwd[4096], dir[4096], path[8192];
	FILE *f;
	int unopened;

	if (file[0] == '/')
		return open_regular(file, errmsg, &unopened);
	if (!getcwd(cwd, sizeof(cwd))) {
		pf_buf_printf(errmsg, "could not stat current dir: %s", strerror(errno));
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s", cwd);
	for (;;) {
		char *slash;

		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, file);
		f = open_regular(path, errmsg, &unopened);
		if (f || !unopened)
			return f;
		pf_buf_truncate(errmsg, 0);
		slash = strrchr(dir, '/');
		if (!slash || strcmp(dir, "/") == 0)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	pf_buf_printf(errmsg, "could not find file %s on path %s", file, cwd);
	return NULL;
}

/* Values in unit, as pprof formats them: "minimum" (its default) scales
 * each value on its own. */
static int print_file(const struct pf_graph *g, const char *unit, struct lnode **ns, size_t n,
		      struct pf_buf *out)
{
	struct pf_buf errmsg = PF_BUF_INIT, line = PF_BUF_INIT;
	int64_t flat = 0, cum = 0, start, end, lo = INT64_MAX, hi = INT64_MIN, lineno = 0;
	char fv[64], cv[64], pct[32];
	size_t i, k = 0;
	FILE *f;
	int rc = 0, c;

	for (i = 0; i < n; i++) {
		flat = pf_add64(flat, ns[i]->flat);
		cum = pf_add64(cum, ns[i]->cum);
		if (ns[i]->line < lo)
			lo = ns[i]->line;
		if (ns[i]->line > hi)
			hi = ns[i]->line;
	}
	start = ns[0]->start_line ? ns[0]->start_line : lo - 5;
	for (i = 0; i < n; i++) {
		int64_t s = ns[i]->start_line ? ns[i]->start_line : ns[i]->line - 5;

		if (s < start)
			start = s;
	}
	end = hi + 5;
	if (start < 1)
		start = 1;
	pf_rep_value(g, unit, flat, fv, sizeof(fv));
	pf_rep_value(g, unit, cum, cv, sizeof(cv));
	pf_units_percentage(cum, g->total, pct, sizeof(pct));
	rc |= pf_buf_printf(out, "ROUTINE ======================== %s in %s\n", ns[0]->name, ns[0]->file);
	rc |= pf_buf_printf(out, "%10s %10s (flat, cum) %s of Total\n", fv, cv, pct);
	f = open_source(ns[0]->file, &errmsg);
	if (!f) {
		rc |= pf_buf_printf(out, " Error: %s\n", errmsg.data);
		pf_buf_release(&errmsg);
		return rc;
	}
	while (lineno < end) {
		pf_buf_truncate(&line, 0);
		c = 0;
		while ((c = getc(f)) != EOF && c != '\n')
			rc |= pf_buf_putc(&line, c);
		if (c == EOF && line.len == 0)
			break;
		lineno++;
		if (lineno < start)
			continue;
		{
			int64_t lf = 0, lc = 0;

			while (k < n && ns[k]->line < lineno)
				k++;
			for (i = k; i < n && ns[i]->line == lineno; i++) {
				lf = pf_add64(lf, ns[i]->flat);
				lc = pf_add64(lc, ns[i]->cum);
			}
			value_or_dot(g, unit, lf, fv, sizeof(fv));
			value_or_dot(g, unit, lc, cv, sizeof(cv));
			rc |= pf_buf_printf(out, "%10s %10s %6lld:%s\n", fv, cv, (long long)lineno, line.data);
		}
		if (c == EOF)
			break;
	}
	fclose(f);
	pf_buf_release(&line);
	return rc;
}

int pf_report_list(const struct pf_profile *p, const char *regex,
		   const struct pf_report_opts *o, struct pf_buf *out, struct pf_err *err)
{
	struct pf_graph g;
	struct pf_regex *rx = NULL;
	struct ltab t = { 0 };
	struct lnode **ns = NULL;
	uint8_t *fmatch = NULL;
	const char **files = NULL;
	char *files_mem = NULL;
	size_t i, j, n = 0;
	char total[64];
	int rc;

	rc = pf_regex_compile(&rx, "argument", regex && *regex ? regex : ".", err);
	if (rc < 0)
		return rc;
	rc = pf_graph_init(&g, p, o, err);
	if (rc < 0) {
		pf_regex_free(rx);
		return rc;
	}
	fmatch = calloc(p->nfunctions + 1, 1);
	files = clean_files(p, &files_mem);
	if (!fmatch || !files)
		goto oom;
	for (i = 0; i < p->nfunctions; i++)
		fmatch[i] = (uint8_t)pf_regex_match(rx, p->functions[i].name);
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int64_t w = s->values[g.si];
		struct lnode *leaf = NULL;
		int have = 0;

		if (w == 0 || !g.sample_ok[i])
			continue;
		for (j = s->nlocs; j-- > 0;) {
			const struct pf_location *l = &p->locations[s->locs[j]];
			uint32_t lo, hi, k;

			if (g.loc_hidden[s->locs[j]])
				continue;
			lo = g.loc_off[s->locs[j]];
			hi = g.loc_off[s->locs[j] + 1];
			for (k = hi; k-- > lo;) {
				uint32_t li = g.frame_line[k];
				const struct pf_line *ln;
				struct lnode *nd;

				have = 1;
				leaf = NULL;
				if (li == UINT32_MAX)
					continue;
				ln = &l->lines[li];
				if (!fmatch[ln->function])
					continue;
				nd = ltab_get(&t, &p->functions[ln->function], files[ln->function], ln->line);
				if (!nd)
					goto oom;
				if (nd->stamp != i + 1) {
					nd->stamp = (uint32_t)i + 1;
					nd->cum = pf_add64(nd->cum, w);
				}
				leaf = nd;
			}
		}
		if (have && leaf)
			leaf->flat = pf_add64(leaf->flat, w);
	}
	ns = calloc(t.n + 1, sizeof(*ns));
	if (!ns)
		goto oom;
	for (i = 0; t.slots && i <= t.mask; i++)
		if (t.slots[i].used && (t.slots[i].flat || t.slots[i].cum))
			ns[n++] = &t.slots[i];
	if (n == 0) {
		rc = pf_err_set(err, PF_EFAIL, "no matches found for regexp: %s", regex);
		goto out;
	}
	qsort(ns, n, sizeof(*ns), by_name_file_line);
	pf_rep_value(&g, o->unit, g.total, total, sizeof(total));
	rc = pf_buf_printf(out, "Total: %s\n", total);
	for (i = 0; i < n;) {
		size_t e = i, k;
		int any_file = 0;

		while (e < n && strcmp(ns[e]->name, ns[i]->name) == 0)
			e++;
		for (k = i; k < e;) {
			size_t fe = k;

			while (fe < e && strcmp(ns[fe]->file, ns[k]->file) == 0)
				fe++;
			if (ns[k]->file[0]) {
				any_file = 1;
				rc |= print_file(&g, o->unit, ns + k, fe - k, out);
			}
			k = fe;
		}
		if (!any_file)
			rc |= pf_buf_printf(out, "No source information for %s\n", ns[i]->name);
		i = e;
	}
	if (rc)
		goto oom;
	goto out;
oom:
	rc = pf_err_set(err, PF_EFAIL, "out of memory");
out:
	free(ns);
	free(t.slots);
	free(fmatch);
	free(files);
	free(files_mem);
	pf_regex_free(rx);
	pf_graph_release(&g);
	return rc;
}
