/*
 * codec.c - profile.proto <-> struct pf_profile, with gzip.
 *
 * Decoding trusts nothing: protobuf-c checks the wire format, and this
 * file checks what protobuf cannot (string indexes, id references, value
 * counts) before any pointer is formed, so reports never see a dangling
 * reference.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

/* ---- gzip ---- */

int pf_gzip(const void *data, size_t len, struct pf_buf *out)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	do {
		if (pf_buf_grow(out, 65536) < 0) {
			deflateEnd(&zs);
			return -1;
		}
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = (uInt)(out->alloc - out->len - 1);
		rc = deflate(&zs, Z_FINISH);
		out->len = (size_t)((char *)zs.next_out - out->data);
		out->data[out->len] = '\0';
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? 0 : -1;
}

int pf_gunzip(const void *data, size_t len, size_t max, struct pf_buf *out)
{
	z_stream zs;
	int rc;
	size_t start = out->len;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	for (;;) {
		size_t room;

		if (out->len - start >= max) {
			inflateEnd(&zs);
			return -2;
		}
		if (pf_buf_grow(out, 1 << 20) < 0) {
			inflateEnd(&zs);
			return -1;
		}
		room = out->alloc - out->len - 1;
		if (room > max - (out->len - start) + 1)
			room = max - (out->len - start) + 1;
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = (uInt)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs.next_out - out->data);
		out->data[out->len] = '\0';
		if (rc == Z_STREAM_END) {
			/* Concatenated members (rare) are not profiles we write;
			 * trailing bytes are tolerated like Go's reader does. */
			inflateEnd(&zs);
			return out->len - start > max ? -2 : 0;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			inflateEnd(&zs);
			return -1; /* truncated */
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			inflateEnd(&zs);
			return -1;
		}
	}
}

/* ---- id -> index maps (open addressing, ids are non-zero) ---- */

struct idmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t mask;
};

static int idmap_init(struct idmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->mask = cap - 1;
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return -1;
	}
	return 0;
}

static void idmap_release(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

static size_t idhash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* 0 inserted, 1 duplicate key. */
static int idmap_put(struct idmap *m, uint64_t k, uint32_t v)
{
	size_t i = idhash(k) & m->mask;

	while (m->keys[i]) {
		if (m->keys[i] == k)
			return 1;
		i = (i + 1) & m->mask;
	}
	m->keys[i] = k;
	m->vals[i] = v;
	return 0;
}

static uint32_t idmap_get(const struct idmap *m, uint64_t k)
{
	size_t i = idhash(k) & m->mask;

	while (m->keys[i]) {
		if (m->keys[i] == k)
			return m->vals[i];
		i = (i + 1) & m->mask;
	}
	return PF_NONE;
}

/* ---- decoding ---- */

struct decoder {
	const PbProfile *pb;
	struct pf_profile *p;
	struct pf_err *err;
	const char **strings; /* string_table, copied into the arena */
	struct idmap funcs, maps, locs;
};

static int str_at(struct decoder *d, int64_t idx, const char *what, const char **out)
{
	if (idx < 0 || (uint64_t)idx >= d->pb->n_string_table)
		return pf_err_set(d->err, PF_EFAIL,
				  "%s refers to string %" PRId64 " of %zu", what, idx,
				  d->pb->n_string_table);
	*out = d->strings[idx];
	return 0;
}

static int decode_strings(struct decoder *d)
{
	size_t i;

	if (d->pb->n_string_table == 0)
		return pf_err_set(d->err, PF_EFAIL, "empty string table");
	if (d->pb->string_table[0][0] != '\0')
		return pf_err_set(d->err, PF_EFAIL, "string table does not start with \"\"");
	d->strings = pf_arena_calloc(&d->p->arena, d->pb->n_string_table, sizeof(char *));
	if (!d->strings)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < d->pb->n_string_table; i++) {
		const char *s = d->pb->string_table[i];

		d->strings[i] = *s ? pf_arena_strdup(&d->p->arena, s) : "";
		if (!d->strings[i])
			return pf_err_set(d->err, PF_EFAIL, "out of memory");
	}
	return 0;
}

static int decode_value_type(struct decoder *d, const PbValueType *vt,
			     struct pf_value_type *out, const char *what)
{
	if (str_at(d, vt->type, what, &out->type) < 0 ||
	    str_at(d, vt->unit, what, &out->unit) < 0)
		return -1;
	return 0;
}

static int decode_functions(struct decoder *d)
{
	const PbProfile *pb = d->pb;
	struct pf_profile *p = d->p;
	size_t i;

	p->functions = pf_arena_calloc(&p->arena, pb->n_function, sizeof(*p->functions));
	if (pb->n_function && !p->functions)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	if (idmap_init(&d->funcs, pb->n_function) < 0)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_function; i++) {
		const PbFunction *f = pb->function[i];
		struct pf_function *o = &p->functions[i];

		if (f->id == 0)
			return pf_err_set(d->err, PF_EFAIL, "function %zu has id 0", i);
		if (idmap_put(&d->funcs, f->id, (uint32_t)i))
			return pf_err_set(d->err, PF_EFAIL, "duplicate function id %" PRIu64, f->id);
		o->id = f->id;
		o->start_line = f->start_line;
		if (str_at(d, f->name, "function name", &o->name) < 0 ||
		    str_at(d, f->system_name, "function system_name", &o->system_name) < 0 ||
		    str_at(d, f->filename, "function filename", &o->filename) < 0)
			return -1;
	}
	p->nfunctions = pb->n_function;
	return 0;
}

static int decode_mappings(struct decoder *d)
{
	const PbProfile *pb = d->pb;
	struct pf_profile *p = d->p;
	size_t i;

	p->mappings = pf_arena_calloc(&p->arena, pb->n_mapping, sizeof(*p->mappings));
	if (pb->n_mapping && !p->mappings)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	if (idmap_init(&d->maps, pb->n_mapping) < 0)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_mapping; i++) {
		const PbMapping *m = pb->mapping[i];
		struct pf_mapping *o = &p->mappings[i];

		if (m->id == 0)
			return pf_err_set(d->err, PF_EFAIL, "mapping %zu has id 0", i);
		if (idmap_put(&d->maps, m->id, (uint32_t)i))
			return pf_err_set(d->err, PF_EFAIL, "duplicate mapping id %" PRIu64, m->id);
		o->id = m->id;
		o->start = m->memory_start;
		o->limit = m->memory_limit;
		o->offset = m->file_offset;
		o->has_functions = m->has_functions;
		o->has_filenames = m->has_filenames;
		o->has_line_numbers = m->has_line_numbers;
		o->has_inline_frames = m->has_inline_frames;
		if (str_at(d, m->filename, "mapping filename", &o->file) < 0 ||
		    str_at(d, m->build_id, "mapping build_id", &o->build_id) < 0)
			return -1;
	}
	p->nmappings = pb->n_mapping;
	return 0;
}

static int decode_locations(struct decoder *d)
{
	const PbProfile *pb = d->pb;
	struct pf_profile *p = d->p;
	size_t i, j;

	p->locations = pf_arena_calloc(&p->arena, pb->n_location, sizeof(*p->locations));
	if (pb->n_location && !p->locations)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	if (idmap_init(&d->locs, pb->n_location) < 0)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_location; i++) {
		const PbLocation *l = pb->location[i];
		struct pf_location *o = &p->locations[i];

		if (l->id == 0)
			return pf_err_set(d->err, PF_EFAIL, "location %zu has id 0", i);
		if (idmap_put(&d->locs, l->id, (uint32_t)i))
			return pf_err_set(d->err, PF_EFAIL, "duplicate location id %" PRIu64, l->id);
		o->id = l->id;
		o->address = l->address;
		o->is_folded = l->is_folded;
		o->mapping = PF_NONE;
		if (l->mapping_id) {
			o->mapping = idmap_get(&d->maps, l->mapping_id);
			if (o->mapping == PF_NONE)
				return pf_err_set(d->err, PF_EFAIL,
						  "location %" PRIu64 " refers to missing mapping %" PRIu64,
						  l->id, l->mapping_id);
		}
		if (l->n_line > UINT32_MAX)
			return pf_err_set(d->err, PF_EFAIL, "location %" PRIu64 " has too many lines", l->id);
		o->nlines = (uint32_t)l->n_line;
		o->lines = pf_arena_calloc(&p->arena, l->n_line, sizeof(*o->lines));
		if (l->n_line && !o->lines)
			return pf_err_set(d->err, PF_EFAIL, "out of memory");
		for (j = 0; j < l->n_line; j++) {
			const PbLine *ln = l->line[j];

			o->lines[j].function = idmap_get(&d->funcs, ln->function_id);
			if (o->lines[j].function == PF_NONE)
				return pf_err_set(d->err, PF_EFAIL,
						  "location %" PRIu64 " refers to missing function %" PRIu64,
						  l->id, ln->function_id);
			o->lines[j].line = ln->line;
			o->lines[j].column = ln->column;
		}
	}
	p->nlocations = pb->n_location;
	return 0;
}

static int decode_samples(struct decoder *d)
{
	const PbProfile *pb = d->pb;
	struct pf_profile *p = d->p;
	size_t i, j;

	p->samples = pf_arena_calloc(&p->arena, pb->n_sample, sizeof(*p->samples));
	if (pb->n_sample && !p->samples)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_sample; i++) {
		const PbSample *s = pb->sample[i];
		struct pf_sample *o = &p->samples[i];

		if (s->n_value != pb->n_sample_type)
			return pf_err_set(d->err, PF_EFAIL,
					  "sample %zu has %zu values, want %zu (one per sample type)",
					  i, s->n_value, pb->n_sample_type);
		if (s->n_location_id > UINT32_MAX || s->n_label > UINT32_MAX)
			return pf_err_set(d->err, PF_EFAIL, "sample %zu is too large", i);
		o->values = pf_arena_calloc(&p->arena, s->n_value, sizeof(int64_t));
		o->locs = pf_arena_calloc(&p->arena, s->n_location_id, sizeof(uint32_t));
		o->labels = pf_arena_calloc(&p->arena, s->n_label, sizeof(*o->labels));
		if ((s->n_value && !o->values) || (s->n_location_id && !o->locs) ||
		    (s->n_label && !o->labels))
			return pf_err_set(d->err, PF_EFAIL, "out of memory");
		if (s->n_value)
			memcpy(o->values, s->value, s->n_value * sizeof(int64_t));
		o->nlocs = (uint32_t)s->n_location_id;
		for (j = 0; j < s->n_location_id; j++) {
			o->locs[j] = idmap_get(&d->locs, s->location_id[j]);
			if (o->locs[j] == PF_NONE)
				return pf_err_set(d->err, PF_EFAIL,
						  "sample %zu refers to missing location %" PRIu64,
						  i, s->location_id[j]);
		}
		o->nlabels = (uint32_t)s->n_label;
		for (j = 0; j < s->n_label; j++) {
			const PbLabel *lb = s->label[j];

			o->labels[j].num = lb->num;
			if (str_at(d, lb->key, "label key", &o->labels[j].key) < 0 ||
			    str_at(d, lb->str, "label str", &o->labels[j].str) < 0 ||
			    str_at(d, lb->num_unit, "label num_unit", &o->labels[j].num_unit) < 0)
				return -1;
		}
	}
	p->nsamples = pb->n_sample;
	return 0;
}

static int decode_header(struct decoder *d)
{
	const PbProfile *pb = d->pb;
	struct pf_profile *p = d->p;
	size_t i;

	p->sample_types = pf_arena_calloc(&p->arena, pb->n_sample_type, sizeof(*p->sample_types));
	if (pb->n_sample_type && !p->sample_types)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_sample_type; i++)
		if (decode_value_type(d, pb->sample_type[i], &p->sample_types[i], "sample type") < 0)
			return -1;
	p->nsample_types = pb->n_sample_type;
	if (pb->period_type &&
	    decode_value_type(d, pb->period_type, &p->period_type, "period type") < 0)
		return -1;
	p->period = pb->period;
	p->time_nanos = pb->time_nanos;
	p->duration_nanos = pb->duration_nanos;
	if (str_at(d, pb->drop_frames, "drop_frames", &p->drop_frames) < 0 ||
	    str_at(d, pb->keep_frames, "keep_frames", &p->keep_frames) < 0 ||
	    str_at(d, pb->default_sample_type, "default_sample_type", &p->default_sample_type) < 0 ||
	    str_at(d, pb->doc_url, "doc_url", &p->doc_url) < 0)
		return -1;
	p->comments = pf_arena_calloc(&p->arena, pb->n_comment, sizeof(char *));
	if (pb->n_comment && !p->comments)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	for (i = 0; i < pb->n_comment; i++)
		if (str_at(d, pb->comment[i], "comment", &p->comments[i]) < 0)
			return -1;
	p->ncomments = pb->n_comment;
	return 0;
}

static int is_gzip(const unsigned char *b, size_t len)
{
	return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

struct pf_profile *pf_profile_decode(const void *data, size_t len, struct pf_err *err)
{
	struct pf_buf raw = PF_BUF_INIT;
	struct decoder d;
	PbProfile *pb = NULL;
	const void *bytes = data;
	size_t nbytes = len;
	int rc;

	memset(&d, 0, sizeof(d));
	d.err = err;
	if (len == 0) {
		pf_err_set(err, PF_EFAIL, "empty file, not a profile");
		goto fail;
	}
	if (is_gzip(data, len)) {
		rc = pf_gunzip(data, len, PF_PROFILE_MAX_RAW, &raw);
		if (rc == -2) {
			pf_err_set(err, PF_EFAIL, "decompressed profile is larger than %zu bytes",
				   PF_PROFILE_MAX_RAW);
			goto fail;
		}
		if (rc < 0) {
			pf_err_set(err, PF_EFAIL, "corrupt or truncated gzip data");
			goto fail;
		}
		bytes = raw.data;
		nbytes = raw.len;
	}
	pb = perftools__profiles__profile__unpack(NULL, nbytes, bytes);
	if (!pb) {
		pf_err_set(err, PF_EFAIL, "not a valid pprof profile (bad protobuf encoding)");
		goto fail;
	}
	pf_buf_release(&raw);
	d.pb = pb;
	d.p = pf_profile_new();
	if (!d.p) {
		pf_err_set(err, PF_EFAIL, "out of memory");
		goto fail;
	}
	if (decode_strings(&d) < 0 || decode_header(&d) < 0 || decode_functions(&d) < 0 ||
	    decode_mappings(&d) < 0 || decode_locations(&d) < 0 || decode_samples(&d) < 0)
		goto fail;
	idmap_release(&d.funcs);
	idmap_release(&d.maps);
	idmap_release(&d.locs);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	return d.p;
fail:
	idmap_release(&d.funcs);
	idmap_release(&d.maps);
	idmap_release(&d.locs);
	if (pb)
		perftools__profiles__profile__free_unpacked(pb, NULL);
	pf_buf_release(&raw);
	pf_profile_free(d.p);
	return NULL;
}

struct pf_profile *pf_profile_read(const char *path, struct pf_err *err)
{
	struct pf_buf b = PF_BUF_INIT;
	struct pf_profile *p;

	if (pf_buf_read_file(&b, path) < 0) {
		pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
		pf_buf_release(&b);
		return NULL;
	}
	p = pf_profile_decode(b.data, b.len, err);
	pf_buf_release(&b);
	if (!p)
		pf_err_prefix(err, path);
	return p;
}

/* ---- encoding ---- */

/* Interning of strings into the string table being written. */
struct strtab {
	char **strs;     /* borrowed pointers, [0] = "" */
	size_t n, alloc;
	size_t *slots;   /* hash slots: index+1, 0 = empty */
	size_t mask;
};

static size_t strhash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int strtab_rehash(struct strtab *t, size_t cap)
{
	size_t i;

	free(t->slots);
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->mask = cap - 1;
	for (i = 0; i < t->n; i++) {
		size_t h = strhash(t->strs[i]) & t->mask;

		while (t->slots[h])
			h = (h + 1) & t->mask;
		t->slots[h] = i + 1;
	}
	return 0;
}

static int64_t intern(struct strtab *t, const char *s, int *oom)
{
	size_t h;

	if (!s)
		s = "";
	if (t->n * 2 >= t->mask + 1 && strtab_rehash(t, (t->mask + 1) * 2) < 0) {
		*oom = 1;
		return 0;
	}
	h = strhash(s) & t->mask;
	while (t->slots[h]) {
		if (strcmp(t->strs[t->slots[h] - 1], s) == 0)
			return (int64_t)(t->slots[h] - 1);
		h = (h + 1) & t->mask;
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 256;
		char **ns = realloc(t->strs, na * sizeof(*ns));

		if (!ns) {
			*oom = 1;
			return 0;
		}
		t->strs = ns;
		t->alloc = na;
	}
	t->strs[t->n] = (char *)(uintptr_t)s;
	t->slots[h] = ++t->n;
	return (int64_t)(t->n - 1);
}

static uint64_t id_or_index(uint64_t id, size_t i)
{
	return id ? id : (uint64_t)i + 1;
}

int pf_profile_encode(const struct pf_profile *p, int gzip, struct pf_buf *out,
		      struct pf_err *err)
{
	struct pf_arena a;
	struct strtab st = { 0 };
	PbProfile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
	PbValueType period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	struct pf_buf packed = PF_BUF_INIT;
	size_t i, j, size;
	int oom = 0, rc = -1;

	pf_arena_init(&a);
	if (strtab_rehash(&st, 1024) < 0)
		goto nomem;
	intern(&st, "", &oom);

	pb.n_sample_type = p->nsample_types;
	pb.sample_type = pf_arena_calloc(&a, p->nsample_types + 1, sizeof(void *));
	if (!pb.sample_type)
		goto nomem;
	for (i = 0; i < p->nsample_types; i++) {
		PbValueType *vt = pf_arena_alloc(&a, sizeof(*vt));

		if (!vt)
			goto nomem;
		perftools__profiles__value_type__init(vt);
		vt->type = intern(&st, p->sample_types[i].type, &oom);
		vt->unit = intern(&st, p->sample_types[i].unit, &oom);
		pb.sample_type[i] = vt;
	}

	pb.n_sample = p->nsamples;
	pb.sample = pf_arena_calloc(&a, p->nsamples + 1, sizeof(void *));
	if (!pb.sample)
		goto nomem;
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		PbSample *o = pf_arena_alloc(&a, sizeof(*o));

		if (!o)
			goto nomem;
		perftools__profiles__sample__init(o);
		o->n_location_id = s->nlocs;
		o->location_id = pf_arena_calloc(&a, s->nlocs + 1, sizeof(uint64_t));
		o->n_value = p->nsample_types;
		o->value = s->values;
		o->n_label = s->nlabels;
		o->label = pf_arena_calloc(&a, s->nlabels + 1, sizeof(void *));
		if (!o->location_id || !o->label)
			goto nomem;
		for (j = 0; j < s->nlocs; j++)
			o->location_id[j] = id_or_index(p->locations[s->locs[j]].id, s->locs[j]);
		for (j = 0; j < s->nlabels; j++) {
			PbLabel *lb = pf_arena_alloc(&a, sizeof(*lb));

			if (!lb)
				goto nomem;
			perftools__profiles__label__init(lb);
			lb->key = intern(&st, s->labels[j].key, &oom);
			lb->str = intern(&st, s->labels[j].str, &oom);
			lb->num = s->labels[j].num;
			lb->num_unit = intern(&st, s->labels[j].num_unit, &oom);
			o->label[j] = lb;
		}
		pb.sample[i] = o;
	}

	pb.n_mapping = p->nmappings;
	pb.mapping = pf_arena_calloc(&a, p->nmappings + 1, sizeof(void *));
	if (!pb.mapping)
		goto nomem;
	for (i = 0; i < p->nmappings; i++) {
		const struct pf_mapping *m = &p->mappings[i];
		PbMapping *o = pf_arena_alloc(&a, sizeof(*o));

		if (!o)
			goto nomem;
		perftools__profiles__mapping__init(o);
		o->id = id_or_index(m->id, i);
		o->memory_start = m->start;
		o->memory_limit = m->limit;
		o->file_offset = m->offset;
		o->filename = intern(&st, m->file, &oom);
		o->build_id = intern(&st, m->build_id, &oom);
		o->has_functions = m->has_functions;
		o->has_filenames = m->has_filenames;
		o->has_line_numbers = m->has_line_numbers;
		o->has_inline_frames = m->has_inline_frames;
		pb.mapping[i] = o;
	}

	pb.n_location = p->nlocations;
	pb.location = pf_arena_calloc(&a, p->nlocations + 1, sizeof(void *));
	if (!pb.location)
		goto nomem;
	for (i = 0; i < p->nlocations; i++) {
		const struct pf_location *l = &p->locations[i];
		PbLocation *o = pf_arena_alloc(&a, sizeof(*o));

		if (!o)
			goto nomem;
		perftools__profiles__location__init(o);
		o->id = id_or_index(l->id, i);
		if (l->mapping != PF_NONE)
			o->mapping_id = id_or_index(p->mappings[l->mapping].id, l->mapping);
		o->address = l->address;
		o->is_folded = l->is_folded;
		o->n_line = l->nlines;
		o->line = pf_arena_calloc(&a, l->nlines + 1, sizeof(void *));
		if (!o->line)
			goto nomem;
		for (j = 0; j < l->nlines; j++) {
			PbLine *ln = pf_arena_alloc(&a, sizeof(*ln));

			if (!ln)
				goto nomem;
			perftools__profiles__line__init(ln);
			ln->function_id = id_or_index(p->functions[l->lines[j].function].id,
						      l->lines[j].function);
			ln->line = l->lines[j].line;
			ln->column = l->lines[j].column;
			o->line[j] = ln;
		}
		pb.location[i] = o;
	}

	pb.n_function = p->nfunctions;
	pb.function = pf_arena_calloc(&a, p->nfunctions + 1, sizeof(void *));
	if (!pb.function)
		goto nomem;
	for (i = 0; i < p->nfunctions; i++) {
		const struct pf_function *f = &p->functions[i];
		PbFunction *o = pf_arena_alloc(&a, sizeof(*o));

		if (!o)
			goto nomem;
		perftools__profiles__function__init(o);
		o->id = id_or_index(f->id, i);
		o->name = intern(&st, f->name, &oom);
		o->system_name = intern(&st, f->system_name, &oom);
		o->filename = intern(&st, f->filename, &oom);
		o->start_line = f->start_line;
		pb.function[i] = o;
	}

	pb.drop_frames = intern(&st, p->drop_frames, &oom);
	pb.keep_frames = intern(&st, p->keep_frames, &oom);
	pb.time_nanos = p->time_nanos;
	pb.duration_nanos = p->duration_nanos;
	if (p->period_type.type && p->period_type.type[0]) {
		period_type.type = intern(&st, p->period_type.type, &oom);
		period_type.unit = intern(&st, p->period_type.unit, &oom);
		pb.period_type = &period_type;
	}
	pb.period = p->period;
	pb.n_comment = p->ncomments;
	pb.comment = pf_arena_calloc(&a, p->ncomments + 1, sizeof(int64_t));
	if (!pb.comment)
		goto nomem;
	for (i = 0; i < p->ncomments; i++)
		pb.comment[i] = intern(&st, p->comments[i], &oom);
	pb.default_sample_type = intern(&st, p->default_sample_type, &oom);
	pb.doc_url = intern(&st, p->doc_url, &oom);
	if (oom)
		goto nomem;
	pb.n_string_table = st.n;
	pb.string_table = st.strs;

	size = perftools__profiles__profile__get_packed_size(&pb);
	if (gzip) {
		if (pf_buf_grow(&packed, size) < 0)
			goto nomem;
		perftools__profiles__profile__pack(&pb, (uint8_t *)packed.data);
		packed.len = size;
		if (pf_gzip(packed.data, packed.len, out) < 0)
			goto nomem;
	} else {
		if (pf_buf_grow(out, size) < 0)
			goto nomem;
		perftools__profiles__profile__pack(&pb, (uint8_t *)out->data + out->len);
		out->len += size;
		out->data[out->len] = '\0';
	}
	rc = 0;
	goto out;
nomem:
	rc = pf_err_set(err, PF_EFAIL, "out of memory while encoding the profile");
out:
	pf_buf_release(&packed);
	free(st.strs);
	free(st.slots);
	pf_arena_release(&a);
	return rc;
}

int pf_profile_write(const struct pf_profile *p, const char *path, struct pf_err *err)
{
	struct pf_buf b = PF_BUF_INIT;
	char tmp[4096];
	size_t off = 0;
	int fd = -1, rc = -1;

	if (pf_profile_encode(p, 1, &b, err) < 0)
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		rc = pf_err_set(err, PF_EFAIL, "%s: path too long", path);
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write profile: %s", path, strerror(errno));
		goto out;
	}
	while (off < b.len) {
		ssize_t n = write(fd, b.data + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = pf_err_set(err, PF_EFAIL, "%s: cannot write profile: %s", path,
					strerror(n < 0 ? errno : EIO));
			unlink(tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write profile: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write profile: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	pf_buf_release(&b);
	return rc;
}
