/*
 * builder.c - raw stacks to a symbolized profile (see builder.h).
 *
 * Stacks are merged in a hash table keyed by their program counters.
 * finish() then gives every distinct address one location, resolves it
 * to the executable mapping of /proc/self/maps that holds it and to its
 * inline chain (symbolize.h), and gives every distinct (name, file) one
 * function. Only modules with locations are opened; a separate debug
 * file's DWARF is loaded only for modules holding a sample's leaf. Return addresses are stored minus one, so that the location's
 * address and its line are those of the call instruction.
 */
#include "builder.h"
#include "../base/hash.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize.h"

#define MAX_INLINE 64

struct stack_rec {
	uint64_t hash;
	size_t pcoff; /* index of the first pc in b->pcs */
	uint32_t npcs;
};

/* An open-addressing map from a non-zero u64 key to a u32 value. */
struct u64map {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

struct pf_builder {
	struct pf_value_type *types;
	size_t ntypes;
	struct pf_value_type period_type;
	int64_t period;
	int64_t time_nanos, duration_nanos;
	char *default_type;
	char **comments;
	size_t ncomments;

	struct pf_buf stacks; /* struct stack_rec[] */
	struct pf_buf pcs;    /* uintptr_t[] */
	struct pf_buf values; /* int64_t[ntypes] per stack */
	uint32_t *slots;      /* hash table of stack index + 1 (0 = empty) */
	size_t nslots;
	size_t nstacks;
	int finished;
};

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* A field of a chained hash: the final multiply keeps ("ab","c") and
 * ("a","bc") apart. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	return pf_hash_str(h, s) * PF_HASH_PRIME;
}

static int u64map_grow(struct u64map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024, i;
	uint64_t *k = calloc(ncap, sizeof(*k));
	uint32_t *v = calloc(ncap, sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = mix64(m->keys[i]) & (ncap - 1);
		while (k[j])
			j = (j + 1) & (ncap - 1);
		k[j] = m->keys[i];
		v[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = ncap;
	return 0;
}

/* The value for key, inserting val when absent; *added tells which. */
static int u64map_get_or_put(struct u64map *m, uint64_t key, uint32_t val, uint32_t *out,
			     int *added)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && u64map_grow(m) < 0)
		return -1;
	j = mix64(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key) {
			*out = m->vals[j];
			*added = 0;
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
	*out = val;
	*added = 1;
	return 0;
}

static void u64map_release(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static char *dupstr(const char *s)
{
	return strdup(s ? s : "");
}

struct pf_builder *pf_builder_new(const struct pf_value_type *types, size_t ntypes,
				  struct pf_value_type period_type, int64_t period)
{
	struct pf_builder *b = calloc(1, sizeof(*b));
	size_t i;

	if (!b)
		return NULL;
	pf_buf_init(&b->stacks, 0);
	pf_buf_init(&b->pcs, 0);
	pf_buf_init(&b->values, 0);
	b->types = calloc(ntypes ? ntypes : 1, sizeof(*b->types));
	if (!b->types)
		goto fail;
	b->ntypes = ntypes;
	for (i = 0; i < ntypes; i++) {
		b->types[i].type = dupstr(types[i].type);
		b->types[i].unit = dupstr(types[i].unit);
		if (!b->types[i].type || !b->types[i].unit)
			goto fail;
	}
	b->period_type.type = dupstr(period_type.type);
	b->period_type.unit = dupstr(period_type.unit);
	if (!b->period_type.type || !b->period_type.unit)
		goto fail;
	b->period = period;
	return b;
fail:
	pf_builder_free(b);
	return NULL;
}

void pf_builder_free(struct pf_builder *b)
{
	size_t i;

	if (!b)
		return;
	if (b->types) {
		for (i = 0; i < b->ntypes; i++) {
			free((char *)b->types[i].type);
			free((char *)b->types[i].unit);
		}
		free(b->types);
	}
	free((char *)b->period_type.type);
	free((char *)b->period_type.unit);
	free(b->default_type);
	for (i = 0; i < b->ncomments; i++)
		free(b->comments[i]);
	free(b->comments);
	pf_buf_release(&b->stacks);
	pf_buf_release(&b->pcs);
	pf_buf_release(&b->values);
	free(b->slots);
	free(b);
}

static struct stack_rec *stack_at(struct pf_builder *b, size_t i)
{
	return (struct stack_rec *)b->stacks.data + i;
}

static uintptr_t *pcs_at(struct pf_builder *b, size_t off)
{
	return (uintptr_t *)b->pcs.data + off;
}

static int64_t *values_at(struct pf_builder *b, size_t i)
{
	return (int64_t *)b->values.data + i * b->ntypes;
}

static int rehash(struct pf_builder *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 1024, i;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < b->nstacks; i++) {
		size_t j = stack_at(b, i)->hash & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(b->slots);
	b->slots = s;
	b->nslots = n;
	return 0;
}

int pf_builder_add(struct pf_builder *b, const uintptr_t *pcs, size_t npcs,
		   const int64_t *values)
{
	uintptr_t adj[256];
	size_t i, n = 0, j;
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	struct stack_rec rec;

	if (b->finished)
		return -1;
	/* Return addresses point after the call: look them up at pc-1. */
	for (i = 0; i < npcs && n < sizeof(adj) / sizeof(adj[0]); i++) {
		if (!pcs[i])
			continue;
		adj[n] = i == 0 ? pcs[i] : pcs[i] - 1;
		h = mix64(h ^ adj[n]);
		n++;
	}
	if ((b->nstacks + 1) * 2 > b->nslots && rehash(b) < 0)
		return -1;
	j = h & (b->nslots - 1);
	while (b->slots[j]) {
		size_t si = b->slots[j] - 1, k;
		struct stack_rec *r = stack_at(b, si);

		if (r->hash == h && r->npcs == n &&
		    memcmp(pcs_at(b, r->pcoff), adj, n * sizeof(adj[0])) == 0) {
			int64_t *v = values_at(b, si);

			for (k = 0; k < b->ntypes; k++)
				v[k] += values[k];
			return 0;
		}
		j = (j + 1) & (b->nslots - 1);
	}
	rec.hash = h;
	rec.pcoff = b->pcs.len / sizeof(uintptr_t);
	rec.npcs = (uint32_t)n;
	if (pf_buf_grow(&b->stacks, sizeof(rec)) < 0 ||
	    pf_buf_grow(&b->pcs, n * sizeof(adj[0])) < 0 ||
	    pf_buf_grow(&b->values, b->ntypes * sizeof(int64_t)) < 0)
		return -1;
	pf_buf_append(&b->stacks, &rec, sizeof(rec));
	pf_buf_append(&b->pcs, adj, n * sizeof(adj[0]));
	pf_buf_append(&b->values, values, b->ntypes * sizeof(int64_t));
	b->slots[j] = (uint32_t)++b->nstacks;
	return 0;
}

void pf_builder_set_time(struct pf_builder *b, int64_t time_nanos, int64_t duration_nanos)
{
	b->time_nanos = time_nanos;
	b->duration_nanos = duration_nanos;
}

void pf_builder_set_default_type(struct pf_builder *b, const char *type)
{
	free(b->default_type);
	b->default_type = type ? strdup(type) : NULL;
}

void pf_builder_add_comment(struct pf_builder *b, const char *comment)
{
	char **c = realloc(b->comments, (b->ncomments + 1) * sizeof(*c));

	if (!c)
		return;
	b->comments = c;
	c[b->ncomments] = strdup(comment ? comment : "");
	if (c[b->ncomments])
		b->ncomments++;
}

/* ---- finishing ---- */

struct fin {
	struct pf_builder *b;
	struct pf_profile *p;
	struct pf_symbolizer *sym;
	struct pf_buf maps;  /* struct pf_mapping[] */
	struct pf_buf funcs; /* struct pf_function[] */
	uint32_t *fslots;    /* function index + 1 */
	uint64_t *fhash;     /* hash per function */
	size_t nfslots;
	size_t nfuncs;
	/* per mapping: locations, with functions, with files, with lines */
	size_t *mstat;
};

/* Executable file mappings of the process, in address order. */
static int read_maps(struct fin *f)
{
	struct pf_buf text = PF_BUF_INIT;
	char *line, *next;
	int rc = -1;

	pf_buf_init(&text, 64u << 20);
	if (pf_buf_read_file(&text, "/proc/self/maps") < 0)
		goto out;
	for (line = text.data; *line; line = next) {
		unsigned long long start, end, off;
		char perms[8] = "", *path;
		int pos = 0;
		struct pf_mapping m;
		struct pf_sym_module mod;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &off, &pos) < 4 ||
		    !pos || !strchr(perms, 'x'))
			continue;
		path = line + pos;
		while (*path == ' ')
			path++;
		if (!*path)
			continue;
		memset(&m, 0, sizeof(m));
		m.start = start;
		m.limit = end;
		m.offset = off;
		m.file = pf_profile_strdup(f->p, path);
		m.build_id = "";
		if (f->sym && pf_symbolizer_module(f->sym, (uintptr_t)start, &mod) == 0)
			m.build_id = pf_profile_strdup(f->p, mod.build_id);
		if (!m.file || !m.build_id || pf_buf_append(&f->maps, &m, sizeof(m)) < 0)
			goto out;
	}
	rc = 0;
out:
	pf_buf_release(&text);
	return rc;
}

static uint32_t find_mapping(struct fin *f, uint64_t addr)
{
	const struct pf_mapping *m = (const struct pf_mapping *)f->maps.data;
	size_t lo = 0, hi = f->maps.len / sizeof(*m);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < m[mid].start)
			hi = mid;
		else if (addr >= m[mid].limit)
			lo = mid + 1;
		else
			return (uint32_t)mid;
	}
	return PF_NONE;
}

static int fgrow(struct fin *f)
{
	size_t n = f->nfslots ? f->nfslots * 2 : 1024, i;
	uint32_t *s = calloc(n, sizeof(*s));
	uint64_t *h = calloc(n, sizeof(*h));

	if (!s || !h) {
		free(s);
		free(h);
		return -1;
	}
	for (i = 0; i < f->nfslots; i++) {
		size_t j;

		if (!f->fslots[i])
			continue;
		j = f->fhash[i] & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = f->fslots[i];
		h[j] = f->fhash[i];
	}
	free(f->fslots);
	free(f->fhash);
	f->fslots = s;
	f->fhash = h;
	f->nfslots = n;
	return 0;
}

/* Index of the function (name, file), added when new; -1 on OOM. */
static int64_t func_index(struct fin *f, const struct pf_sym_frame *fr)
{
	const char *file = fr->func_file ? fr->func_file : fr->file;
	uint64_t h = mix64(hash_str(hash_str(PF_HASH_SEED, fr->name), file));
	struct pf_function fn;
	size_t j;

	if ((f->nfuncs + 1) * 2 > f->nfslots && fgrow(f) < 0)
		return -1;
	j = h & (f->nfslots - 1);
	while (f->fslots[j]) {
		const struct pf_function *o =
			(const struct pf_function *)f->funcs.data + (f->fslots[j] - 1);

		if (f->fhash[j] == h && strcmp(o->name, fr->name) == 0 &&
		    strcmp(o->filename, file ? file : "") == 0)
			return f->fslots[j] - 1;
		j = (j + 1) & (f->nfslots - 1);
	}
	memset(&fn, 0, sizeof(fn));
	fn.id = f->nfuncs + 1;
	fn.name = pf_profile_strdup(f->p, fr->name);
	fn.system_name = fn.name;
	fn.filename = pf_profile_strdup(f->p, file);
	fn.start_line = fr->start_line;
	if (!fn.name || !fn.filename || pf_buf_append(&f->funcs, &fn, sizeof(fn)) < 0)
		return -1;
	f->fslots[j] = (uint32_t)++f->nfuncs;
	f->fhash[j] = h;
	return (int64_t)f->nfuncs - 1;
}

static int symbolize_location(struct fin *f, struct pf_location *loc)
{
	struct pf_sym_frame fr[MAX_INLINE];
	int n = 0, i, files = 1, lines = 1;
	size_t *st;

	loc->mapping = find_mapping(f, loc->address);
	if (f->sym)
		n = pf_symbolizer_lookup(f->sym, (uintptr_t)loc->address, fr, MAX_INLINE);
	if (n > 0) {
		loc->lines = pf_arena_calloc(&f->p->arena, (size_t)n, sizeof(*loc->lines));
		if (!loc->lines)
			return -1;
		for (i = 0; i < n; i++) {
			int64_t fi = func_index(f, &fr[i]);

			if (fi < 0)
				return -1;
			loc->lines[i].function = (uint32_t)fi;
			loc->lines[i].line = fr[i].line;
			loc->lines[i].column = 0;
			if (!fr[i].file && !fr[i].func_file)
				files = 0;
			if (fr[i].line <= 0)
				lines = 0;
		}
		loc->nlines = (uint32_t)n;
	}
	if (loc->mapping != PF_NONE) {
		st = f->mstat + 4 * loc->mapping;
		st[0]++;
		st[1] += n > 0;
		st[2] += n > 0 && files;
		st[3] += n > 0 && lines;
	}
	return 0;
}

struct pf_profile *pf_builder_finish(struct pf_builder *b, struct pf_err *err)
{
	struct fin f;
	struct pf_profile *p = NULL;
	struct u64map locmap = { 0 };
	size_t i, k, nmaps;
	struct pf_err serr = { 0 };

	memset(&f, 0, sizeof(f));
	pf_buf_init(&f.maps, 0);
	pf_buf_init(&f.funcs, 0);
	if (b->finished) {
		pf_err_set(err, PF_EFAIL, "profile builder already finished");
		return NULL;
	}
	b->finished = 1;
	p = pf_profile_new();
	if (!p)
		goto nomem;
	f.b = b;
	f.p = p;
	/* Without a symbolizer the profile still holds every address. */
	f.sym = pf_symbolizer_new(&serr);

	/* header */
	p->nsample_types = b->ntypes;
	p->sample_types = pf_arena_calloc(&p->arena, b->ntypes ? b->ntypes : 1,
					  sizeof(*p->sample_types));
	if (!p->sample_types)
		goto nomem;
	for (i = 0; i < b->ntypes; i++) {
		p->sample_types[i].type = pf_profile_strdup(p, b->types[i].type);
		p->sample_types[i].unit = pf_profile_strdup(p, b->types[i].unit);
	}
	p->period_type.type = pf_profile_strdup(p, b->period_type.type);
	p->period_type.unit = pf_profile_strdup(p, b->period_type.unit);
	p->period = b->period;
	p->time_nanos = b->time_nanos;
	p->duration_nanos = b->duration_nanos;
	p->default_sample_type = pf_profile_strdup(p, b->default_type);
	p->comments = pf_arena_calloc(&p->arena, b->ncomments + 2, sizeof(*p->comments));
	if (!p->comments)
		goto nomem;
	for (i = 0; i < b->ncomments; i++)
		p->comments[p->ncomments++] = pf_profile_strdup(p, b->comments[i]);
	if (!f.sym && serr.msg[0])
		p->comments[p->ncomments++] = pf_profile_strdup(p, serr.msg);

	/* mappings */
	if (read_maps(&f) < 0)
		goto nomem;
	nmaps = f.maps.len / sizeof(struct pf_mapping);
	f.mstat = calloc(nmaps * 4 + 4, sizeof(*f.mstat));
	if (!f.mstat)
		goto nomem;

	/* Lines from separate debug files only where samples' leaves are:
	 * elsewhere (__libc_start_main...) the name is all that matters. */
	for (i = 0; f.sym && i < b->nstacks; i++)
		if (stack_at(b, i)->npcs > 0)
			pf_symbolizer_want_lines(f.sym, pcs_at(b, stack_at(b, i)->pcoff)[0]);

	/* locations: one per distinct address */
	for (i = 0; i < b->nstacks; i++) {
		struct stack_rec *r = stack_at(b, i);

		for (k = 0; k < r->npcs; k++) {
			uint32_t idx;
			int added;

			if (u64map_get_or_put(&locmap, pcs_at(b, r->pcoff)[k], (uint32_t)locmap.n,
					      &idx, &added) < 0)
				goto nomem;
		}
	}
	p->locations = pf_arena_calloc(&p->arena, locmap.n ? locmap.n : 1, sizeof(*p->locations));
	if (!p->locations)
		goto nomem;
	p->nlocations = locmap.n;
	for (i = 0; i < locmap.cap; i++) {
		struct pf_location *l;

		if (!locmap.keys[i])
			continue;
		l = &p->locations[locmap.vals[i]];
		l->id = locmap.vals[i] + 1;
		l->address = locmap.keys[i];
		if (symbolize_location(&f, l) < 0)
			goto nomem;
	}

	/* samples */
	p->samples = pf_arena_calloc(&p->arena, b->nstacks ? b->nstacks : 1, sizeof(*p->samples));
	if (!p->samples)
		goto nomem;
	p->nsamples = b->nstacks;
	for (i = 0; i < b->nstacks; i++) {
		struct stack_rec *r = stack_at(b, i);
		struct pf_sample *s = &p->samples[i];

		s->nlocs = r->npcs;
		s->locs = pf_arena_calloc(&p->arena, r->npcs ? r->npcs : 1, sizeof(*s->locs));
		s->values = pf_arena_calloc(&p->arena, b->ntypes ? b->ntypes : 1, sizeof(*s->values));
		if (!s->locs || !s->values)
			goto nomem;
		for (k = 0; k < r->npcs; k++) {
			uint32_t idx;
			int added;

			if (u64map_get_or_put(&locmap, pcs_at(b, r->pcoff)[k], 0, &idx, &added) < 0)
				goto nomem;
			s->locs[k] = idx;
		}
		memcpy(s->values, values_at(b, i), b->ntypes * sizeof(int64_t));
	}

	/* functions and mappings into the arena */
	p->nfunctions = f.nfuncs;
	p->functions = pf_arena_calloc(&p->arena, f.nfuncs ? f.nfuncs : 1, sizeof(*p->functions));
	p->nmappings = nmaps;
	p->mappings = pf_arena_calloc(&p->arena, nmaps ? nmaps : 1, sizeof(*p->mappings));
	if (!p->functions || !p->mappings)
		goto nomem;
	memcpy(p->functions, f.funcs.data, f.nfuncs * sizeof(*p->functions));
	memcpy(p->mappings, f.maps.data, nmaps * sizeof(*p->mappings));
	for (i = 0; i < nmaps; i++) {
		struct pf_mapping *m = &p->mappings[i];
		size_t *st = f.mstat + 4 * i;

		m->id = i + 1;
		/* Set when any location has it, as pprof's own symbolizer
		 * does: go tool pprof symbolizes a mapping again from the
		 * binary only when none is set, and would then replace our
		 * frames (inlined ones included) with its own because of one
		 * address without a name, such as a PLT stub's. */
		m->has_functions = st[1] > 0;
		m->has_filenames = st[2] > 0;
		m->has_line_numbers = st[3] > 0;
		/* Only a mapping with locations needs its DWARF loaded (that of
		 * libc from libc6-dbg is megabytes to decompress). */
		m->has_inline_frames = m->has_line_numbers &&
				       (st[0] == 0 ||
					(f.sym && pf_symbolizer_has_dwarf(f.sym, (uintptr_t)m->start)));
	}
	goto out;
nomem:
	pf_err_set(err, PF_EFAIL, "building the profile: out of memory");
	pf_profile_free(p);
	p = NULL;
out:
	pf_symbolizer_free(f.sym);
	pf_buf_release(&f.maps);
	pf_buf_release(&f.funcs);
	free(f.fslots);
	free(f.fhash);
	free(f.mstat);
	u64map_release(&locmap);
	return p;
}

int pf_symbolize_name(uintptr_t addr, char *name, size_t size)
{
	struct pf_symbolizer *s;
	struct pf_sym_frame fr[MAX_INLINE];
	int n, rc = -1;

	if (!name || size == 0)
		return -1;
	s = pf_symbolizer_new(NULL);
	if (!s)
		return -1;
	n = pf_symbolizer_lookup(s, addr, fr, MAX_INLINE);
	if (n > 0 && fr[n - 1].name) {
		size_t len = strlen(fr[n - 1].name);

		if (len >= size)
			len = size - 1;
		memcpy(name, fr[n - 1].name, len);
		name[len] = 0;
		rc = 0;
	}
	pf_symbolizer_free(s);
	return rc;
}
