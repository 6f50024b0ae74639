/*
 * codec.c - profile.proto <-> struct pf_profile, with gzip.
 *
 * Decoding trusts nothing: it reads the wire format itself (bounds-checked
 * varints and lengths) and checks what protobuf cannot (string indexes, id
 * references, value counts) before any pointer is formed, so reports never
 * see a dangling reference. Encoding goes through protobuf-c.
 */
#include "../base/hash.h"
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../base/file.h"
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

/* ---- decoding ----
 *
 * A direct reader of the protobuf wire format into the model: no
 * intermediate message objects, so a large profile costs its raw bytes
 * plus the model. Top-level records are visited in several sweeps
 * (strings and counts, then functions and mappings, then locations, then
 * samples) so that every reference can be checked against records that
 * may come later in the file.
 */

struct wire {
	const uint8_t *p, *end;
};

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static int wire_varint(struct wire *w, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;

	while (w->p < w->end && shift < 64) {
		uint8_t b = *w->p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* Next field: its number, wire type, and for WT_LEN the payload in sub;
 * for scalars the value in *v. -1 on malformed input, 1 at the end. */
static int wire_next(struct wire *w, uint32_t *field, int *wt, uint64_t *v, struct wire *sub)
{
	uint64_t key, len;

	if (w->p >= w->end)
		return 1;
	if (wire_varint(w, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		return -1;
	*field = (uint32_t)(key >> 3);
	*wt = (int)(key & 7);
	switch (*wt) {
	case WT_VARINT:
		return wire_varint(w, v);
	case WT_I64:
		if (w->end - w->p < 8)
			return -1;
		memcpy(v, w->p, 8);
		w->p += 8;
		return 0;
	case WT_I32:
		if (w->end - w->p < 4)
			return -1;
		*v = 0;
		memcpy(v, w->p, 4);
		w->p += 4;
		return 0;
	case WT_LEN:
		if (wire_varint(w, &len) < 0 || len > (uint64_t)(w->end - w->p))
			return -1;
		sub->p = w->p;
		sub->end = w->p + len;
		w->p += len;
		return 0;
	default:
		return -1; /* groups are not part of profile.proto */
	}
}

/* A repeated integer field, packed (WT_LEN) or not: count its values. */
static int count_ints(int wt, const struct wire *sub, size_t *n)
{
	struct wire s = *sub;
	uint64_t v;

	if (wt == WT_VARINT) {
		(*n)++;
		return 0;
	}
	if (wt != WT_LEN)
		return -1;
	while (s.p < s.end) {
		if (wire_varint(&s, &v) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/* Append the values of a repeated integer field to out[*n]. */
static int read_ints(int wt, uint64_t v, const struct wire *sub, uint64_t *out, size_t *n,
		     size_t cap)
{
	struct wire s = *sub;

	if (wt == WT_VARINT) {
		if (*n >= cap)
			return -1;
		out[(*n)++] = v;
		return 0;
	}
	if (wt != WT_LEN)
		return -1;
	while (s.p < s.end) {
		if (*n >= cap || wire_varint(&s, &out[*n]) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

struct decoder {
	struct wire top;
	struct pf_profile *p;
	struct pf_err *err;
	const char **strings;
	size_t nstrings;
	struct idmap funcs, maps, locs;
	uint64_t *scratch; /* a sample's ids or values */
	size_t scratch_cap;
};

static int bad_wire(struct decoder *d)
{
	return pf_err_set(d->err, PF_EFAIL, "not a valid pprof profile (bad protobuf encoding)");
}

static int str_at(struct decoder *d, uint64_t idx, const char *what, const char **out)
{
	if (idx >= d->nstrings)
		return pf_err_set(d->err, PF_EFAIL, "%s refers to string %" PRId64 " of %zu", what,
				  (int64_t)idx, d->nstrings);
	*out = d->strings[idx];
	return 0;
}

static int value_type(struct decoder *d, const struct wire *msg, struct pf_value_type *vt,
		      const char *what)
{
	struct wire w = *msg, sub;
	uint64_t v, type = 0, unit = 0;
	uint32_t f;
	int wt, rc;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0) {
		if (f == 1 && wt == WT_VARINT)
			type = v;
		else if (f == 2 && wt == WT_VARINT)
			unit = v;
	}
	if (rc < 0)
		return bad_wire(d);
	if (str_at(d, type, what, &vt->type) < 0 || str_at(d, unit, what, &vt->unit) < 0)
		return -1;
	return 0;
}

/* Sweep 1: the string table, counts of every record, header scalars. */
static int sweep_header(struct decoder *d, size_t *n)
{
	struct pf_profile *p = d->p;
	struct wire w = d->top, sub;
	uint64_t v;
	uint32_t f;
	int wt, rc;
	size_t i, ncomments = 0;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0) {
		if (f >= 1 && f <= 5 && wt == WT_LEN)
			n[f]++;
		else if (f == 6 && wt == WT_LEN)
			d->nstrings++;
		else if (f == 13 && count_ints(wt, &sub, &ncomments) < 0)
			return bad_wire(d);
	}
	if (rc < 0)
		return bad_wire(d);
	if (d->nstrings == 0)
		return pf_err_set(d->err, PF_EFAIL, "empty string table");
	d->strings = pf_arena_calloc(&p->arena, d->nstrings, sizeof(char *));
	p->sample_types = pf_arena_calloc(&p->arena, n[1] + 1, sizeof(*p->sample_types));
	p->comments = pf_arena_calloc(&p->arena, ncomments + 1, sizeof(char *));
	if (!d->strings || !p->sample_types || !p->comments)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	w = d->top;
	i = 0;
	while (wire_next(&w, &f, &wt, &v, &sub) == 0) {
		if (f != 6 || wt != WT_LEN)
			continue;
		if (i == 0 && sub.p != sub.end)
			return pf_err_set(d->err, PF_EFAIL, "string table does not start with \"\"");
		if (memchr(sub.p, '\0', (size_t)(sub.end - sub.p)))
			d->strings[i] = pf_arena_strndup(&p->arena, (const char *)sub.p,
							 strnlen((const char *)sub.p, (size_t)(sub.end - sub.p)));
		else if (sub.p == sub.end)
			d->strings[i] = "";
		else
			d->strings[i] = pf_arena_strndup(&p->arena, (const char *)sub.p,
							 (size_t)(sub.end - sub.p));
		if (!d->strings[i])
			return pf_err_set(d->err, PF_EFAIL, "out of memory");
		i++;
	}
	w = d->top;
	while (wire_next(&w, &f, &wt, &v, &sub) == 0) {
		switch (f) {
		case 1:
			if (wt == WT_LEN &&
			    value_type(d, &sub, &p->sample_types[p->nsample_types++], "sample type") < 0)
				return -1;
			break;
		case 7:
		case 8:
		case 14:
		case 15:
			if (wt == WT_VARINT) {
				const char **dst = f == 7 ? &p->drop_frames : f == 8 ? &p->keep_frames :
					f == 14 ? &p->default_sample_type : &p->doc_url;

				if (str_at(d, v, f == 7 ? "drop_frames" : f == 8 ? "keep_frames" :
					   f == 14 ? "default_sample_type" : "doc_url", dst) < 0)
					return -1;
			}
			break;
		case 9:
			if (wt == WT_VARINT)
				p->time_nanos = (int64_t)v;
			break;
		case 10:
			if (wt == WT_VARINT)
				p->duration_nanos = (int64_t)v;
			break;
		case 11:
			if (wt == WT_LEN && value_type(d, &sub, &p->period_type, "period type") < 0)
				return -1;
			break;
		case 12:
			if (wt == WT_VARINT)
				p->period = (int64_t)v;
			break;
		case 13: {
			uint64_t *ids = pf_arena_calloc(&p->arena, ncomments + 1, sizeof(uint64_t));
			size_t k, got = 0;

			if (!ids)
				return pf_err_set(d->err, PF_EFAIL, "out of memory");
			if (read_ints(wt, v, &sub, ids, &got, ncomments - p->ncomments) < 0)
				return bad_wire(d);
			for (k = 0; k < got; k++)
				if (str_at(d, ids[k], "comment", &p->comments[p->ncomments++]) < 0)
					return -1;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

static int decode_function(struct decoder *d, const struct wire *msg, size_t i)
{
	struct pf_function *o = &d->p->functions[i];
	struct wire w = *msg, sub;
	uint64_t v, name = 0, sys = 0, file = 0;
	uint32_t f;
	int wt, rc;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0) {
		if (wt != WT_VARINT)
			continue;
		if (f == 1)
			o->id = v;
		else if (f == 2)
			name = v;
		else if (f == 3)
			sys = v;
		else if (f == 4)
			file = v;
		else if (f == 5)
			o->start_line = (int64_t)v;
	}
	if (rc < 0)
		return bad_wire(d);
	if (o->id == 0)
		return pf_err_set(d->err, PF_EFAIL, "function %zu has id 0", i);
	if (idmap_put(&d->funcs, o->id, (uint32_t)i))
		return pf_err_set(d->err, PF_EFAIL, "duplicate function id %" PRIu64, o->id);
	if (str_at(d, name, "function name", &o->name) < 0 ||
	    str_at(d, sys, "function system_name", &o->system_name) < 0 ||
	    str_at(d, file, "function filename", &o->filename) < 0)
		return -1;
	return 0;
}

static int decode_mapping(struct decoder *d, const struct wire *msg, size_t i)
{
	struct pf_mapping *o = &d->p->mappings[i];
	struct wire w = *msg, sub;
	uint64_t v, file = 0, build = 0;
	uint32_t f;
	int wt, rc;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0) {
		if (wt != WT_VARINT)
			continue;
		switch (f) {
		case 1: o->id = v; break;
		case 2: o->start = v; break;
		case 3: o->limit = v; break;
		case 4: o->offset = v; break;
		case 5: file = v; break;
		case 6: build = v; break;
		case 7: o->has_functions = v != 0; break;
		case 8: o->has_filenames = v != 0; break;
		case 9: o->has_line_numbers = v != 0; break;
		case 10: o->has_inline_frames = v != 0; break;
		default: break;
		}
	}
	if (rc < 0)
		return bad_wire(d);
	if (o->id == 0)
		return pf_err_set(d->err, PF_EFAIL, "mapping %zu has id 0", i);
	if (idmap_put(&d->maps, o->id, (uint32_t)i))
		return pf_err_set(d->err, PF_EFAIL, "duplicate mapping id %" PRIu64, o->id);
	if (str_at(d, file, "mapping filename", &o->file) < 0 ||
	    str_at(d, build, "mapping build_id", &o->build_id) < 0)
		return -1;
	return 0;
}

static int decode_location(struct decoder *d, const struct wire *msg, size_t i)
{
	struct pf_location *o = &d->p->locations[i];
	struct wire w = *msg, sub;
	uint64_t v, mapping = 0;
	uint32_t f;
	int wt, rc;
	size_t nlines = 0;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0)
		if (f == 4 && wt == WT_LEN)
			nlines++;
	if (rc < 0)
		return bad_wire(d);
	if (nlines > UINT32_MAX)
		return pf_err_set(d->err, PF_EFAIL, "location %zu has too many lines", i);
	o->lines = nlines ? pf_arena_calloc(&d->p->arena, nlines, sizeof(*o->lines)) : NULL;
	if (nlines && !o->lines)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	o->mapping = PF_NONE;
	w = *msg;
	while (wire_next(&w, &f, &wt, &v, &sub) == 0) {
		if (f == 4 && wt == WT_LEN) {
			struct pf_line *ln = &o->lines[o->nlines++];
			struct wire lw = sub, lsub;
			uint64_t lv, fid = 0;
			uint32_t lf;
			int lwt;

			while ((rc = wire_next(&lw, &lf, &lwt, &lv, &lsub)) == 0) {
				if (lwt != WT_VARINT)
					continue;
				if (lf == 1)
					fid = lv;
				else if (lf == 2)
					ln->line = (int64_t)lv;
				else if (lf == 3)
					ln->column = (int64_t)lv;
			}
			if (rc < 0)
				return bad_wire(d);
			ln->function = idmap_get(&d->funcs, fid);
			if (ln->function == PF_NONE)
				return pf_err_set(d->err, PF_EFAIL,
						  "location %zu refers to missing function %" PRIu64, i, fid);
			continue;
		}
		if (wt != WT_VARINT)
			continue;
		if (f == 1)
			o->id = v;
		else if (f == 2)
			mapping = v;
		else if (f == 3)
			o->address = v;
		else if (f == 5)
			o->is_folded = v != 0;
	}
	if (o->id == 0)
		return pf_err_set(d->err, PF_EFAIL, "location %zu has id 0", i);
	if (idmap_put(&d->locs, o->id, (uint32_t)i))
		return pf_err_set(d->err, PF_EFAIL, "duplicate location id %" PRIu64, o->id);
	if (mapping) {
		o->mapping = idmap_get(&d->maps, mapping);
		if (o->mapping == PF_NONE)
			return pf_err_set(d->err, PF_EFAIL,
					  "location %" PRIu64 " refers to missing mapping %" PRIu64,
					  o->id, mapping);
	}
	return 0;
}

static int grow_scratch(struct decoder *d, size_t n)
{
	uint64_t *s;

	if (n <= d->scratch_cap)
		return 0;
	s = realloc(d->scratch, n * sizeof(*s));
	if (!s)
		return -1;
	d->scratch = s;
	d->scratch_cap = n;
	return 0;
}

static int decode_sample(struct decoder *d, const struct wire *msg, size_t i)
{
	struct pf_profile *p = d->p;
	struct pf_sample *o = &p->samples[i];
	struct wire w = *msg, sub;
	uint64_t v;
	uint32_t f;
	int wt, rc;
	size_t nloc = 0, nval = 0, nlab = 0, k;

	while ((rc = wire_next(&w, &f, &wt, &v, &sub)) == 0) {
		if (f == 1 && count_ints(wt, &sub, &nloc) < 0)
			return bad_wire(d);
		if (f == 2 && count_ints(wt, &sub, &nval) < 0)
			return bad_wire(d);
		if (f == 3 && wt == WT_LEN)
			nlab++;
	}
	if (rc < 0)
		return bad_wire(d);
	if (nval != p->nsample_types)
		return pf_err_set(d->err, PF_EFAIL,
				  "sample %zu has %zu values, want %zu (one per sample type)", i, nval,
				  p->nsample_types);
	if (nloc > UINT32_MAX || nlab > UINT32_MAX)
		return pf_err_set(d->err, PF_EFAIL, "sample %zu is too large", i);
	o->values = pf_arena_calloc(&p->arena, nval + 1, sizeof(int64_t));
	o->locs = pf_arena_calloc(&p->arena, nloc + 1, sizeof(uint32_t));
	o->labels = nlab ? pf_arena_calloc(&p->arena, nlab, sizeof(*o->labels)) : NULL;
	if (!o->values || !o->locs || (nlab && !o->labels) || grow_scratch(d, nloc + nval + 1) < 0)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	w = *msg;
	nloc = 0;
	nval = 0;
	while (wire_next(&w, &f, &wt, &v, &sub) == 0) {
		if (f == 1) {
			size_t from = nloc;

			if (read_ints(wt, v, &sub, d->scratch, &nloc, d->scratch_cap) < 0)
				return bad_wire(d);
			for (k = from; k < nloc; k++) {
				o->locs[k] = idmap_get(&d->locs, d->scratch[k]);
				if (o->locs[k] == PF_NONE)
					return pf_err_set(d->err, PF_EFAIL,
							  "sample %zu refers to missing location %" PRIu64,
							  i, d->scratch[k]);
			}
		} else if (f == 2) {
			size_t from = nval;

			if (read_ints(wt, v, &sub, d->scratch, &nval, d->scratch_cap) < 0)
				return bad_wire(d);
			for (k = from; k < nval; k++)
				o->values[k] = (int64_t)d->scratch[k];
		} else if (f == 3 && wt == WT_LEN) {
			struct pf_label *lb = &o->labels[o->nlabels++];
			struct wire lw = sub, lsub;
			uint64_t lv, key = 0, str = 0, unit = 0;
			uint32_t lf;
			int lwt;

			while ((rc = wire_next(&lw, &lf, &lwt, &lv, &lsub)) == 0) {
				if (lwt != WT_VARINT)
					continue;
				if (lf == 1)
					key = lv;
				else if (lf == 2)
					str = lv;
				else if (lf == 3)
					lb->num = (int64_t)lv;
				else if (lf == 4)
					unit = lv;
			}
			if (rc < 0)
				return bad_wire(d);
			if (str_at(d, key, "label key", &lb->key) < 0 ||
			    str_at(d, str, "label str", &lb->str) < 0 ||
			    str_at(d, unit, "label num_unit", &lb->num_unit) < 0)
				return -1;
		}
	}
	o->nlocs = (uint32_t)nloc;
	return 0;
}

/* Sweep over the records with field number `field`, decoding each. */
static int sweep(struct decoder *d, uint32_t field,
		 int (*fn)(struct decoder *, const struct wire *, size_t))
{
	struct wire w = d->top, sub;
	uint64_t v;
	uint32_t f;
	int wt;
	size_t i = 0;

	while (wire_next(&w, &f, &wt, &v, &sub) == 0) {
		if (f != field || wt != WT_LEN)
			continue;
		if (fn(d, &sub, i++) < 0)
			return -1;
	}
	return 0;
}

static int decode_records(struct decoder *d)
{
	struct pf_profile *p = d->p;
	size_t n[6] = { 0 };

	if (sweep_header(d, n) < 0)
		return -1;
	p->samples = pf_arena_calloc(&p->arena, n[2] + 1, sizeof(*p->samples));
	p->mappings = pf_arena_calloc(&p->arena, n[3] + 1, sizeof(*p->mappings));
	p->locations = pf_arena_calloc(&p->arena, n[4] + 1, sizeof(*p->locations));
	p->functions = pf_arena_calloc(&p->arena, n[5] + 1, sizeof(*p->functions));
	if (!p->samples || !p->mappings || !p->locations || !p->functions ||
	    idmap_init(&d->funcs, n[5]) < 0 || idmap_init(&d->maps, n[3]) < 0 ||
	    idmap_init(&d->locs, n[4]) < 0)
		return pf_err_set(d->err, PF_EFAIL, "out of memory");
	if (sweep(d, 5, decode_function) < 0)
		return -1;
	p->nfunctions = n[5];
	if (sweep(d, 3, decode_mapping) < 0)
		return -1;
	p->nmappings = n[3];
	if (sweep(d, 4, decode_location) < 0)
		return -1;
	p->nlocations = n[4];
	if (sweep(d, 2, decode_sample) < 0)
		return -1;
	p->nsamples = n[2];
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
	int rc;

	memset(&d, 0, sizeof(d));
	d.err = err;
	if (len == 0) {
		pf_err_set(err, PF_EFAIL, "empty file, not a profile");
		goto fail;
	}
	d.top.p = data;
	d.top.end = (const uint8_t *)data + len;
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
		d.top.p = (const uint8_t *)raw.data;
		d.top.end = (const uint8_t *)raw.data + raw.len;
	}
	d.p = pf_profile_new();
	if (!d.p) {
		pf_err_set(err, PF_EFAIL, "out of memory");
		goto fail;
	}
	if (decode_records(&d) < 0)
		goto fail;
	idmap_release(&d.funcs);
	idmap_release(&d.maps);
	idmap_release(&d.locs);
	free(d.scratch);
	pf_buf_release(&raw);
	return d.p;
fail:
	idmap_release(&d.funcs);
	idmap_release(&d.maps);
	idmap_release(&d.locs);
	free(d.scratch);
	pf_buf_release(&raw);
	pf_profile_free(d.p);
	return NULL;
}


struct pf_profile *pf_profile_read(const char *path, struct pf_err *err)
{
	struct pf_buf b;
	struct pf_profile *p;

	pf_buf_init(&b, PF_PROFILE_MAX_FILE);
	if (pf_buf_read_file(&b, path) < 0) {
		if (errno == EFBIG)
			pf_err_set(err, PF_EFAIL, "%s: larger than %zu MiB, not a profile proflab reads",
				   path, PF_PROFILE_MAX_FILE >> 20);
		else
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
	return (size_t)pf_hash_str(PF_HASH_SEED, s);
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
	int rc;

	rc = pf_profile_encode(p, 1, &b, err);
	if (rc == 0)
		rc = pf_file_write_atomic(path, b.data, b.len, 0, err);
	pf_buf_release(&b);
	return rc;
}
