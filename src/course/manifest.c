/* manifest.c - parsing exercise manifests (manifest.h). */
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"

#define MANIFEST_MAX_BYTES (64 * 1024)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int set_text(char *dst, size_t size, const char *v, const char *name, int line,
		    const char *key, struct pf_err *err)
{
	if (!*v)
		return pf_err_set(err, PF_EINPUT, "%s:%d: %s needs a value", name, line, key);
	if (pf_fmt(dst, size, "%s", v) < 0)
		return pf_err_set(err, PF_EINPUT, "%s:%d: %s too long (at most %zu characters)", name,
				  line, key, size - 1);
	return 0;
}

/* A safe relative file name: no "/", not "." or "..". */
static int plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int parse_line(struct pf_manifest *m, char *key, char *v, const char *name, int line,
		      struct pf_err *err)
{
	char *end;

	if (strcmp(key, "title") == 0)
		return set_text(m->title, sizeof(m->title), v, name, line, key, err);
	if (strcmp(key, "build") == 0)
		return set_text(m->build, sizeof(m->build), v, name, line, key, err);
	if (strcmp(key, "run") == 0)
		return set_text(m->run, sizeof(m->run), v, name, line, key, err);
	if (strcmp(key, "expect") == 0) {
		if (set_text(m->expect, sizeof(m->expect), v, name, line, key, err) < 0)
			return PF_EINPUT;
		if (!plain_name(m->expect))
			return pf_err_set(err, PF_EINPUT, "%s:%d: expect: '%s' must be a file of the exercise",
					  name, line, v);
		return 0;
	}
	if (strcmp(key, "files") == 0) {
		char *p, *save = NULL;

		if (!*v)
			return pf_err_set(err, PF_EINPUT, "%s:%d: files needs a value", name, line);
		for (p = strtok_r(v, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
			if (m->nfiles == PF_MANIFEST_MAX_FILES)
				return pf_err_set(err, PF_EINPUT, "%s:%d: more than %d files", name, line,
						  PF_MANIFEST_MAX_FILES);
			if (!plain_name(p))
				return pf_err_set(err, PF_EINPUT, "%s:%d: files: '%s' must be a file name without '/'",
						  name, line, p);
			if (pf_fmt(m->files[m->nfiles], sizeof(m->files[0]), "%s", p) < 0)
				return pf_err_set(err, PF_EINPUT, "%s:%d: file name too long", name, line);
			m->nfiles++;
		}
		return 0;
	}
	if (strcmp(key, "timeout") == 0) {
		double t;

		errno = 0;
		t = strtod(v, &end);
		if (errno || end == v || *end || !(t > 0) || t > 3600)
			return pf_err_set(err, PF_EINPUT, "%s:%d: timeout: '%s' is not a number of seconds in (0, 3600]",
					  name, line, v);
		m->timeout = t;
		return 0;
	}
	if (strcmp(key, "hz") == 0 || strcmp(key, "heaprate") == 0) {
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < 1 || (key[0] == 'h' && key[1] == 'z' && n > 4000))
			return pf_err_set(err, PF_EINPUT, "%s:%d: %s: '%s' is not a valid number", name,
					  line, key, v);
		if (key[1] == 'z')
			m->hz = (int)n;
		else
			m->heaprate = n;
		return 0;
	}
	if (strcmp(key, "pass") == 0) {
		struct pf_err e = { 0 };

		if (m->ncriteria == PF_MANIFEST_MAX_CRITERIA)
			return pf_err_set(err, PF_EINPUT, "%s:%d: more than %d pass criteria", name, line,
					  PF_MANIFEST_MAX_CRITERIA);
		if (pf_criterion_parse(&m->criteria[m->ncriteria], v, &e) < 0)
			return pf_err_set(err, PF_EINPUT, "%s:%d: %s", name, line, e.msg);
		m->ncriteria++;
		return 0;
	}
	return pf_err_set(err, PF_EINPUT, "%s:%d: unknown key '%s'", name, line, key);
}

int pf_manifest_parse(struct pf_manifest *m, const char *text, const char *name,
		      struct pf_err *err)
{
	struct pf_buf line = PF_BUF_INIT;
	const char *p = text, *nl;
	int lineno = 0, rc = 0, have_output = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->timeout = 60;
	m->hz = 100;
	m->heaprate = 524288;
	while (*p) {
		char *s, *key, *v;

		nl = strchr(p, '\n');
		lineno++;
		pf_buf_truncate(&line, 0);
		if (pf_buf_append(&line, p, nl ? (size_t)(nl - p) : strlen(p)) < 0) {
			rc = pf_err_set(err, PF_EFAIL, "%s: out of memory", name);
			goto out;
		}
		p = nl ? nl + 1 : p + strlen(p);
		s = trim(line.data);
		if (!*s || *s == '#')
			continue;
		key = s;
		v = s + strcspn(s, " \t");
		if (*v) {
			*v++ = '\0';
			v = trim(v);
		}
		rc = parse_line(m, key, v, name, lineno, err);
		if (rc < 0)
			goto out;
	}
	if (!m->title[0] || !m->build[0] || !m->run[0] || !m->nfiles || !m->ncriteria) {
		rc = pf_err_set(err, PF_EINPUT, "%s:%d: missing %s", name, lineno + 1,
				!m->title[0] ? "title" : !m->nfiles ? "files" : !m->build[0] ? "build" :
				!m->run[0] ? "run" : "pass criteria");
		goto out;
	}
	for (i = 0; i < m->ncriteria; i++)
		if (m->criteria[i].metric == PF_METRIC_OUTPUT)
			have_output = 1;
	if (have_output && !m->expect[0]) {
		rc = pf_err_set(err, PF_EINPUT, "%s: 'pass output identical' needs an 'expect' file", name);
		goto out;
	}
out:
	pf_buf_release(&line);
	return rc;
}

int pf_manifest_load(struct pf_manifest *m, const char *path, struct pf_err *err)
{
	struct pf_buf b;
	int rc;

	pf_buf_init(&b, MANIFEST_MAX_BYTES);
	if (pf_buf_read_file(&b, path) < 0) {
		rc = pf_err_set(err, PF_EINPUT, "%s: %s", path,
				errno == EFBIG ? "too large" : strerror(errno));
		goto out;
	}
	rc = pf_manifest_parse(m, b.data, path, err);
out:
	pf_buf_release(&b);
	return rc;
}
