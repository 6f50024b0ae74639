/*
 * merge.c - several profiles as one (pprof's profile.Merge), and a base
 * profile subtracted from another (-base, -diff_base).
 *
 * Headers combine like pprof's: the earliest time, the sum of durations,
 * the largest period, each comment once, the first default sample type.
 * Records are copied with fresh ids; samples whose values are all zero
 * are left out.
 */
#include "../base/hash.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Keys (bytes) -> index, for identical locations and samples. */
struct keymap {
	char **keys;
	size_t *lens;
	uint32_t *vals;
	size_t mask, n;
};

static size_t key_hash(const char *k, size_t n)
{
	return (size_t)pf_hash_bytes(PF_HASH_SEED, k, n);
}

static int keymap_init(struct keymap *m, size_t hint)
{
	size_t cap = 64;

	while (cap < hint * 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->lens = calloc(cap, sizeof(*m->lens));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->mask = cap - 1;
	m->n = 0;
	return m->keys && m->lens && m->vals ? 0 : -1;
}

static void keymap_release(struct keymap *m)
{
	free(m->keys);
	free(m->lens);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* The index stored for key, or val after storing it (the key is copied
 * into arena a). UINT32_MAX on out of memory. The map never fills: it is
 * sized for every key up front. */
static uint32_t keymap_get(struct keymap *m, struct pf_arena *a, const char *k, size_t n,
			   uint32_t val)
{
	size_t h = key_hash(k, n) & m->mask;

	while (m->keys[h]) {
		if (m->lens[h] == n && memcmp(m->keys[h], k, n) == 0)
			return m->vals[h];
		h = (h + 1) & m->mask;
	}
	m->keys[h] = pf_arena_alloc(a, n + 1);
	if (!m->keys[h])
		return UINT32_MAX;
	memcpy(m->keys[h], k, n);
	m->lens[h] = n;
	m->vals[h] = val;
	m->n++;
	return val;
}

static int loc_key(const struct pf_profile *s, const struct pf_location *l, struct pf_buf *k)
{
	uint32_t i;
	int rc = 0;

	pf_buf_truncate(k, 0);
	rc |= pf_buf_printf(k, "%llx|", (unsigned long long)l->address);
	if (l->mapping != PF_NONE)
		rc |= pf_buf_printf(k, "%s|%s|", s->mappings[l->mapping].file,
				    s->mappings[l->mapping].build_id);
	for (i = 0; i < l->nlines; i++) {
		const struct pf_function *f = &s->functions[l->lines[i].function];

		rc |= pf_buf_printf(k, "%s|%s|%s|%lld|%lld|", f->name, f->system_name, f->filename,
				    (long long)f->start_line, (long long)l->lines[i].line);
	}
	return rc;
}

static int sample_key(const struct pf_sample *s, int base, struct pf_buf *k)
{
	uint32_t i;
	int rc = 0;

	pf_buf_truncate(k, 0);
	for (i = 0; i < s->nlocs; i++)
		rc |= pf_buf_append(k, &s->locs[i], sizeof(s->locs[i]));
	rc |= pf_buf_putc(k, '|');
	for (i = 0; i < s->nlabels; i++)
		rc |= pf_buf_printf(k, "%s=%s/%lld%s;", s->labels[i].key, s->labels[i].str,
				    (long long)s->labels[i].num, s->labels[i].num_unit);
	if (base)
		rc |= pf_buf_puts(k, "pprof::base=true");
	return rc;
}

static int same_type(const struct pf_value_type *a, const struct pf_value_type *b)
{
	return strcmp(a->type, b->type) == 0 && strcmp(a->unit, b->unit) == 0;
}

int pf_report_compatible(const struct pf_profile *a, const struct pf_profile *b, struct pf_err *err)
{
	size_t i;

	if (strcmp(a->period_type.type, b->period_type.type) != 0 ||
	    strcmp(a->period_type.unit, b->period_type.unit) != 0)
		return pf_err_set(err, PF_EFAIL, "incompatible period types %s/%s and %s/%s",
				  a->period_type.type, a->period_type.unit, b->period_type.type,
				  b->period_type.unit);
	if (a->nsample_types != b->nsample_types)
		return pf_err_set(err, PF_EFAIL, "incompatible sample types: %zu and %zu values",
				  a->nsample_types, b->nsample_types);
	for (i = 0; i < a->nsample_types; i++)
		if (!same_type(&a->sample_types[i], &b->sample_types[i]))
			return pf_err_set(err, PF_EFAIL, "incompatible sample types %s/%s and %s/%s",
					  a->sample_types[i].type, a->sample_types[i].unit,
					  b->sample_types[i].type, b->sample_types[i].unit);
	return 0;
}

/* Merge srcs[i] scaled by scale[i] (1 or -1); base_label[i] marks the
 * samples with pprof::base=true. */
static struct pf_profile *merge(const struct pf_profile *const *srcs, const int *scale,
				const int *base_label, size_t n, struct pf_err *err)
{
	struct pf_profile *p = NULL;
	struct pf_arena *a, scratch;
	struct keymap locs = { 0 }, samples = { 0 };
	struct pf_buf key = PF_BUF_INIT;
	uint32_t *remap = NULL, at;
	size_t i, j, k, nm = 0, nl = 0, nf = 0, ns = 0, nc = 0;

	pf_arena_init(&scratch);
	if (n == 0) {
		pf_err_set(err, PF_EUSAGE, "no profiles to merge");
		return NULL;
	}
	for (i = 1; i < n; i++)
		if (pf_report_compatible(srcs[0], srcs[i], err) < 0)
			return NULL;
	p = pf_profile_new();
	if (!p)
		goto oom;
	a = &p->arena;
	for (i = 0; i < n; i++) {
		nm += srcs[i]->nmappings;
		nl += srcs[i]->nlocations;
		nf += srcs[i]->nfunctions;
		ns += srcs[i]->nsamples;
		nc += srcs[i]->ncomments;
	}
	p->nsample_types = srcs[0]->nsample_types;
	p->sample_types = pf_arena_calloc(a, p->nsample_types + 1, sizeof(*p->sample_types));
	p->mappings = pf_arena_calloc(a, nm + 1, sizeof(*p->mappings));
	p->locations = pf_arena_calloc(a, nl + 1, sizeof(*p->locations));
	p->functions = pf_arena_calloc(a, nf + 1, sizeof(*p->functions));
	p->samples = pf_arena_calloc(a, ns + 1, sizeof(*p->samples));
	p->comments = pf_arena_calloc(a, nc + 1, sizeof(*p->comments));
	if (!p->sample_types || !p->mappings || !p->locations || !p->functions || !p->samples ||
	    !p->comments || keymap_init(&locs, nl) < 0 || keymap_init(&samples, ns) < 0)
		goto oom;
	for (i = 0; i < p->nsample_types; i++) {
		p->sample_types[i].type = pf_profile_strdup(p, srcs[0]->sample_types[i].type);
		p->sample_types[i].unit = pf_profile_strdup(p, srcs[0]->sample_types[i].unit);
	}
	p->period_type.type = pf_profile_strdup(p, srcs[0]->period_type.type);
	p->period_type.unit = pf_profile_strdup(p, srcs[0]->period_type.unit);
	p->drop_frames = pf_profile_strdup(p, srcs[0]->drop_frames);
	p->keep_frames = pf_profile_strdup(p, srcs[0]->keep_frames);
	p->doc_url = pf_profile_strdup(p, srcs[0]->doc_url);
	for (i = 0; i < n; i++) {
		const struct pf_profile *s = srcs[i];
		size_t m0 = p->nmappings, f0 = p->nfunctions;

		remap = calloc(s->nlocations + 1, sizeof(*remap));
		if (!remap)
			goto oom;

		if (p->time_nanos == 0 || s->time_nanos < p->time_nanos)
			p->time_nanos = s->time_nanos;
		p->duration_nanos = (int64_t)((uint64_t)p->duration_nanos + (uint64_t)s->duration_nanos);
		if (p->period == 0 || p->period < s->period)
			p->period = s->period;
		for (j = 0; j < s->ncomments; j++) {
			int seen = 0;

			for (k = 0; k < p->ncomments && !seen; k++)
				seen = strcmp(p->comments[k], s->comments[j]) == 0;
			if (!seen)
				p->comments[p->ncomments++] = pf_profile_strdup(p, s->comments[j]);
		}
		if (!p->default_sample_type[0])
			p->default_sample_type = pf_profile_strdup(p, s->default_sample_type);
		for (j = 0; j < s->nmappings; j++) {
			struct pf_mapping *m = &p->mappings[p->nmappings];

			*m = s->mappings[j];
			m->id = p->nmappings + 1;
			m->file = pf_profile_strdup(p, m->file);
			m->build_id = pf_profile_strdup(p, m->build_id);
			p->nmappings++;
		}
		for (j = 0; j < s->nfunctions; j++) {
			struct pf_function *f = &p->functions[p->nfunctions];

			*f = s->functions[j];
			f->id = p->nfunctions + 1;
			f->name = pf_profile_strdup(p, f->name);
			f->system_name = pf_profile_strdup(p, f->system_name);
			f->filename = pf_profile_strdup(p, f->filename);
			p->nfunctions++;
		}
		for (j = 0; j < s->nlocations; j++) {
			struct pf_location *l = &p->locations[p->nlocations];

			if (loc_key(s, &s->locations[j], &key) < 0)
				goto oom;
			at = keymap_get(&locs, &scratch, key.data, key.len, (uint32_t)p->nlocations);
			if (at == UINT32_MAX)
				goto oom;
			remap[j] = at;
			if (at != p->nlocations)
				continue;
			*l = s->locations[j];
			l->id = p->nlocations + 1;
			if (l->mapping != PF_NONE)
				l->mapping += (uint32_t)m0;
			l->lines = pf_arena_calloc(a, l->nlines + 1, sizeof(*l->lines));
			if (!l->lines)
				goto oom;
			for (k = 0; k < l->nlines; k++) {
				l->lines[k] = s->locations[j].lines[k];
				l->lines[k].function += (uint32_t)f0;
			}
			p->nlocations++;
		}
		for (j = 0; j < s->nsamples; j++) {
			const struct pf_sample *from = &s->samples[j];
			struct pf_sample *to = &p->samples[p->nsamples];
			int nonzero = 0;

			for (k = 0; k < s->nsample_types; k++)
				nonzero |= from->values[k] != 0;
			if (!nonzero)
				continue;
			to->nlocs = from->nlocs;
			to->nlabels = from->nlabels + (base_label[i] ? 1 : 0);
			to->locs = pf_arena_calloc(a, from->nlocs + 1, sizeof(*to->locs));
			to->values = pf_arena_calloc(a, p->nsample_types + 1, sizeof(*to->values));
			to->labels = pf_arena_calloc(a, to->nlabels + 1, sizeof(*to->labels));
			if (!to->locs || !to->values || !to->labels)
				goto oom;
			for (k = 0; k < from->nlocs; k++)
				to->locs[k] = remap[from->locs[k]];
			for (k = 0; k < p->nsample_types; k++)
				to->values[k] = scale[i] < 0 ? (int64_t)(0 - (uint64_t)from->values[k]) : from->values[k];
			for (k = 0; k < from->nlabels; k++) {
				to->labels[k].key = pf_profile_strdup(p, from->labels[k].key);
				to->labels[k].str = pf_profile_strdup(p, from->labels[k].str);
				to->labels[k].num = from->labels[k].num;
				to->labels[k].num_unit = pf_profile_strdup(p, from->labels[k].num_unit);
			}
			if (base_label[i]) {
				to->labels[k].key = "pprof::base";
				to->labels[k].str = "true";
				to->labels[k].num_unit = "";
			}
			if (sample_key(to, base_label[i], &key) < 0)
				goto oom;
			at = keymap_get(&samples, &scratch, key.data, key.len, (uint32_t)p->nsamples);
			if (at == UINT32_MAX)
				goto oom;
			if (at != p->nsamples) {
				for (k = 0; k < p->nsample_types; k++)
					p->samples[at].values[k] = (int64_t)((uint64_t)p->samples[at].values[k] + (uint64_t)to->values[k]);
				continue;
			}
			p->nsamples++;
		}
		free(remap);
		remap = NULL;
	}
	/* Samples that cancelled out are dropped, like pprof's re-merge. */
	for (i = 0, j = 0; i < p->nsamples; i++) {
		int nonzero = 0;

		for (k = 0; k < p->nsample_types; k++)
			nonzero |= p->samples[i].values[k] != 0;
		if (nonzero)
			p->samples[j++] = p->samples[i];
	}
	p->nsamples = j;
	goto out;
oom:
	pf_err_set(err, PF_EFAIL, "out of memory");
	pf_profile_free(p);
	p = NULL;
out:
	free(remap);
	keymap_release(&locs);
	keymap_release(&samples);
	pf_buf_release(&key);
	pf_arena_release(&scratch);
	return p;
}

struct pf_profile *pf_report_merge(struct pf_profile *const *ps, size_t n, struct pf_err *err)
{
	int scale[64], label[64];
	size_t i;

	if (n > 64) {
		pf_err_set(err, PF_EUSAGE, "too many profiles to merge (at most 64)");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		scale[i] = 1;
		label[i] = 0;
	}
	return merge((const struct pf_profile *const *)ps, scale, label, n, err);
}

struct pf_profile *pf_report_compact(const struct pf_profile *p, struct pf_err *err)
{
	const struct pf_profile *srcs[1] = { p };
	int scale[1] = { 1 }, label[1] = { 0 };

	return merge(srcs, scale, label, 1, err);
}

struct pf_profile *pf_report_with_base(const struct pf_profile *p, const struct pf_profile *base,
				       int diff, struct pf_err *err)
{
	const struct pf_profile *srcs[2] = { p, base };
	int scale[2] = { 1, -1 }, label[2] = { 0, diff ? 1 : 0 };

	return merge(srcs, scale, label, 2, err);
}
