/* http_pages.c - bodies of the endpoint's text pages and query parsing (http_pages.h). */
#include "http_pages.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/json.h"
#include "../base/str.h"

int pf_http_parse_uint(const char *s, int *out)
{
	long v = 0;

	*out = 0;
	if (!s || !*s)
		return 0; /* absent or empty: Go's FormValue gives "", read as 0 */
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 1000000)
			return -1;
	}
	*out = (int)v;
	return 0;
}

int pf_http_parse_seconds(const char *s, int *out, char *msg, size_t msgsize)
{
	char *end = NULL;
	long v;

	*out = PF_HTTP_DEFAULT_SECONDS;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno == ERANGE || (*s < '0' || *s > '9')) {
		pf_fmt(msg, msgsize, "bad seconds '%.40s': expected a whole number of seconds, 1..%d",
		       s, PF_HTTP_MAX_SECONDS);
		return -1;
	}
	if (v < 1 || v > PF_HTTP_MAX_SECONDS) {
		pf_fmt(msg, msgsize, "seconds=%ld is out of range: profile duration must be 1..%d seconds",
		       v, PF_HTTP_MAX_SECONDS);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* The profiles of the index page, in Go's order (alphabetical). */
static const struct {
	const char *name, *href, *desc;
} entries[] = {
	{ "allocs", "allocs",
	  "A sampling of all past memory allocations (the heap profile with alloc_space as its default sample type)." },
	{ "cmdline", "cmdline", "The command line invocation of the current program, arguments separated by NUL bytes." },
	{ "heap", "heap",
	  "A sampling of memory allocations of live objects (inuse_space by default). The gc parameter is accepted and does nothing: C has no garbage collector." },
	{ "memstats", "memstats", "The allocator's counters (Go's runtime.MemStats) as JSON; memstats?debug=1 for text." },
	{ "profile", "profile",
	  "CPU profile. You can specify the duration in the seconds GET parameter (1..3600, default 30). After you get the profile file, use the go tool pprof command to investigate the profile." },
	{ "symbol", "symbol",
	  "Maps program counters to function names: GET symbol?0x4004d6+0x4005a0 or POST the addresses; go tool pprof uses it." },
	{ "threads", "threads", "The program's threads: thread id, state, CPU time and name." },
};

int pf_http_index(struct pf_buf *out)
{
	size_t i;
	int rc = 0;

	rc |= pf_buf_puts(out,
			  "<!DOCTYPE html>\n<html>\n<head>\n<title>/debug/pprof/</title>\n"
			  "<style>\n.profile-name{\n\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n"
			  "</head>\n<body>\n<p>/debug/pprof/</p>\n"
			  "<p>Types of profiles available:</p>\n<table>\n<thead><tr><td>Profile</td></tr></thead>\n<tbody>\n");
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		rc |= pf_buf_printf(out, "<tr><td><a href=\"%s\">%s</a></td></tr>\n", entries[i].href,
				    entries[i].name);
	rc |= pf_buf_puts(out, "</tbody>\n</table>\n<p>Profile Descriptions:</p>\n<ul>\n");
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		rc |= pf_buf_printf(out, "<li><div class=\"profile-name\">%s: </div> %s</li>\n",
				    entries[i].name, entries[i].desc);
	rc |= pf_buf_puts(out,
			  "</ul>\n<p>Collect a CPU profile with: "
			  "<code>go tool pprof http://HOST:PORT/debug/pprof/profile?seconds=30</code></p>\n"
			  "</body>\n</html>\n");
	return rc ? -1 : 0;
}

int pf_http_cmdline(const char *raw, size_t len, struct pf_buf *out)
{
	if (len > 0 && raw[len - 1] == '\0')
		len--;
	return pf_buf_append(out, raw, len);
}

/* One word of the symbol request: Go's strconv.ParseUint(word, 0, 64),
 * i.e. decimal, 0x hex or 0 octal. 0 when it does not parse. */
static uint64_t parse_pc(const char *w, size_t n)
{
	char tmp[32];
	char *end = NULL;
	unsigned long long v;

	if (n == 0 || n >= sizeof(tmp) || w[0] == '-' || w[0] == '+' || w[0] == ' ')
		return 0;
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoull(tmp, &end, 0);
	if (*end || errno)
		return 0;
	return v;
}

int pf_http_symbol(const char *input, size_t len, pf_http_lookup_fn lookup, struct pf_buf *out)
{
	size_t i = 0, start;
	char name[512];
	uint64_t pc;
	int rc = 0;

	rc |= pf_buf_puts(out, "num_symbols: 1\n");
	while (i < len) {
		start = i;
		while (i < len && input[i] != '+')
			i++;
		pc = parse_pc(input + start, i - start);
		if (pc != 0 && lookup && lookup((uintptr_t)pc, name, sizeof(name)) == 0)
			rc |= pf_buf_printf(out, "%#" PRIx64 " %s\n", pc, name);
		i++; /* past the '+' */
	}
	return rc ? -1 : 0;
}

int pf_http_memstats(const struct proflab_memstats *ms, int text, struct pf_buf *out)
{
	static const char *const names[] = { "Alloc",       "TotalAlloc", "HeapSys",  "Mallocs",
					     "Frees",       "HeapObjects", "PeakAlloc" };
	uint64_t v[7];
	struct pf_json j;
	size_t i;
	int rc = 0;

	v[0] = ms->alloc;
	v[1] = ms->total_alloc;
	v[2] = ms->sys;
	v[3] = ms->mallocs;
	v[4] = ms->frees;
	v[5] = ms->heap_objects;
	v[6] = ms->peak_alloc;
	if (text) {
		rc |= pf_buf_puts(out, "# runtime.MemStats\n");
		for (i = 0; i < 7; i++)
			rc |= pf_buf_printf(out, "# %s = %" PRIu64 "\n", names[i], v[i]);
		return rc ? -1 : 0;
	}
	pf_json_init(&j, out, 1);
	pf_json_object_begin(&j);
	for (i = 0; i < 7; i++) {
		pf_json_key(&j, names[i]);
		pf_json_uint(&j, v[i]);
	}
	pf_json_object_end(&j);
	return pf_buf_putc(out, '\n');
}

/* One thread's line from /proc/self/task/TID/{stat,comm}. */
static int thread_line(const char *tid, long ticks, struct pf_buf *out)
{
	char path[64];
	struct pf_buf stat, comm;
	const char *p;
	unsigned long long utime = 0, stime = 0;
	char state = '?';
	int rc = -1, field;

	pf_buf_init(&stat, 4096);
	pf_buf_init(&comm, 256);
	if (pf_fmt(path, sizeof(path), "/proc/self/task/%s/stat", tid) < 0 ||
	    pf_buf_read_file(&stat, path) < 0)
		goto out; /* the thread ended meanwhile */
	if (pf_fmt(path, sizeof(path), "/proc/self/task/%s/comm", tid) < 0 ||
	    pf_buf_read_file(&comm, path) < 0)
		goto out;
	if (comm.len > 0 && comm.data[comm.len - 1] == '\n')
		pf_buf_truncate(&comm, comm.len - 1);
	/* After "pid (comm) " come the fields from 3 on: state is 3, utime 14,
	 * stime 15. comm may hold spaces and parentheses: start after the last ')'. */
	p = strrchr(stat.data, ')');
	if (!p)
		goto out;
	p++;
	for (field = 3; *p && field <= 15; field++) {
		char *end = NULL;

		while (*p == ' ')
			p++;
		if (field == 3)
			state = *p;
		else if (field == 14)
			utime = strtoull(p, &end, 10);
		else if (field == 15)
			stime = strtoull(p, &end, 10);
		while (*p && *p != ' ')
			p++;
	}
	rc = pf_buf_printf(out, "%8s  %c  %10.2f  %s\n", tid, state,
			   (double)(utime + stime) / (double)ticks, comm.data);
out:
	pf_buf_release(&stat);
	pf_buf_release(&comm);
	return rc;
}

static int cmp_tid(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int pf_http_threads(struct pf_buf *out)
{
	DIR *d = NULL;
	struct dirent *e;
	struct pf_buf ids;
	long ticks = sysconf(_SC_CLK_TCK);
	struct pf_buf lines;
	size_t n = 0, i, shown = 0;
	char tid[32];
	int rc = -1;

	pf_buf_init(&ids, 0);
	pf_buf_init(&lines, 0);
	if (ticks <= 0)
		ticks = 100;
	d = opendir("/proc/self/task");
	if (!d)
		goto out;
	while ((e = readdir(d)) != NULL) {
		char *end = NULL;
		long v = strtol(e->d_name, &end, 10);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end)
			continue;
		if (pf_buf_append(&ids, &v, sizeof(v)) < 0)
			goto out;
		n++;
	}
	qsort(ids.data, n, sizeof(long), cmp_tid);
	for (i = 0; i < n; i++) {
		long v;

		memcpy(&v, ids.data + i * sizeof(long), sizeof(v));
		pf_fmt(tid, sizeof(tid), "%ld", v);
		if (thread_line(tid, ticks, &lines) == 0) /* a thread that ended meanwhile is skipped */
			shown++;
	}
	if (pf_buf_printf(out, "threads: %zu\n%8s  %s  %10s  %s\n", shown, "TID", "S", "CPU(s)", "NAME") < 0 ||
	    pf_buf_append(out, lines.data, lines.len) < 0)
		goto out;
	rc = pf_buf_puts(out, "\nS: R running, S sleeping, D waiting for I/O, T stopped, Z zombie.\n");
out:
	if (d)
		closedir(d);
	pf_buf_release(&ids);
	pf_buf_release(&lines);
	return rc;
}
