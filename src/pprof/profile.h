/*
 * profile.h - proflab's one in-memory model of a pprof profile.
 *
 * Everything that reads or writes profiles goes through this model: the
 * runtime writes it (via builder.h), the reports, flame graphs, checker and
 * quizzes read it (via pf_profile_read). It mirrors profile.proto with ids
 * resolved: references between records are indexes into the profile's
 * arrays, and strings are plain C strings (never NULL; "" when unset).
 *
 * Ownership: a struct pf_profile owns all its memory through its arena.
 * Create one with pf_profile_new() (empty, for building) or
 * pf_profile_read()/pf_profile_decode(); free it with pf_profile_free().
 * Strings and arrays stored in a profile must come from its arena
 * (pf_profile_strdup, pf_arena_* on p->arena) or be static.
 */
#ifndef PF_PROFILE_H
#define PF_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"

#define PF_NONE UINT32_MAX /* "no index" for optional references */

struct pf_value_type {
	const char *type; /* e.g. "cpu", "alloc_space" */
	const char *unit; /* e.g. "nanoseconds", "bytes", "count" */
};

struct pf_function {
	uint64_t id;             /* as in the file (non-zero, unique) */
	const char *name;        /* demangled / display name */
	const char *system_name; /* as the linker knows it */
	const char *filename;    /* source file */
	int64_t start_line;
};

struct pf_line {
	uint32_t function; /* index into functions */
	int64_t line;      /* 0 when unknown */
	int64_t column;
};

struct pf_mapping {
	uint64_t id;
	uint64_t start, limit, offset;
	const char *file;
	const char *build_id;
	unsigned has_functions : 1, has_filenames : 1, has_line_numbers : 1,
		has_inline_frames : 1;
};

struct pf_location {
	uint64_t id;
	uint32_t mapping;      /* index into mappings, or PF_NONE */
	uint64_t address;
	struct pf_line *lines; /* inlined callee first, caller last */
	uint32_t nlines;
	unsigned is_folded : 1;
};

struct pf_label {
	const char *key;
	const char *str;      /* "" for numeric labels */
	int64_t num;
	const char *num_unit; /* "" when unset */
};

struct pf_sample {
	uint32_t *locs;    /* indexes into locations, leaf first */
	uint32_t nlocs;
	uint32_t nlabels;
	int64_t *values;   /* nsample_types values */
	struct pf_label *labels;
};

struct pf_profile {
	struct pf_value_type *sample_types;
	size_t nsample_types;
	struct pf_sample *samples;
	size_t nsamples;
	struct pf_mapping *mappings;
	size_t nmappings;
	struct pf_location *locations;
	size_t nlocations;
	struct pf_function *functions;
	size_t nfunctions;
	const char **comments;
	size_t ncomments;

	const char *drop_frames;  /* regex or "" */
	const char *keep_frames;  /* regex or "" */
	int64_t time_nanos;
	int64_t duration_nanos;
	struct pf_value_type period_type; /* type "" when absent */
	int64_t period;
	const char *default_sample_type; /* "" means the last sample type */
	const char *doc_url;

	struct pf_arena arena; /* owns everything above */
};

/* An empty profile (all counts zero, strings ""). NULL on out of memory. */
struct pf_profile *pf_profile_new(void);
void pf_profile_free(struct pf_profile *p);
/* A copy of s in p's arena ("" for NULL); NULL only on out of memory. */
const char *pf_profile_strdup(struct pf_profile *p, const char *s);

/*
 * Decode a serialized profile, gzip-compressed or raw protobuf, and
 * validate it: string indexes in range, ids non-zero and unique, every
 * referenced id present, every sample with nsample_types values, sane
 * sizes (a gzip bomb stops at PF_PROFILE_MAX_RAW bytes). On failure
 * returns NULL and describes the problem in err (code PF_EFAIL, message
 * without the file name).
 */
#define PF_PROFILE_MAX_RAW ((size_t)2 << 30)
struct pf_profile *pf_profile_decode(const void *data, size_t len, struct pf_err *err);
/*
 * Read and decode a file; errors are prefixed with the path. The file may
 * be a pipe (`<(gzip -c p.pb)`, /dev/stdin), so its kind is not checked,
 * but its size is: reading stops at PF_PROFILE_MAX_FILE bytes ("larger
 * than 256 MiB, not a profile proflab reads"). The largest profiles we
 * know are a few MiB gzip-compressed (bench/40-pprof.sh: 100000 stacks in
 * 356 KiB, 4 MiB raw); 256 MiB leaves room for raw protobuf files 60 times
 * larger, and gzip data of that size would inflate past
 * PF_PROFILE_MAX_RAW anyway. Without it `pprof /dev/zero` ate memory
 * until the system stopped it.
 */
#define PF_PROFILE_MAX_FILE ((size_t)256 << 20)
struct pf_profile *pf_profile_read(const char *path, struct pf_err *err);

/*
 * Serialize to protobuf (gzip-compressed when gzip is non-zero), appending
 * to out. Ids are written as stored; a profile built with id 0 records gets
 * ids 1..n. 0, or negative with err set.
 */
int pf_profile_encode(const struct pf_profile *p, int gzip, struct pf_buf *out,
		      struct pf_err *err);
/* Encode with gzip and write to path atomically (temporary file + rename).
 * 0, or negative with err naming the path. */
int pf_profile_write(const struct pf_profile *p, const char *path, struct pf_err *err);

/* Index of the sample type named `name` (or a decimal index), else -1. */
int pf_profile_sample_index(const struct pf_profile *p, const char *name);
/* Index of the default sample type (default_sample_type, else the last). */
int pf_profile_default_index(const struct pf_profile *p);

/* gzip helpers shared by the codec and the HTTP endpoint. */
int pf_gzip(const void *data, size_t len, struct pf_buf *out);
/* Inflate at most max bytes of output; -1 on corrupt/truncated input,
 * -2 when the output would exceed max. */
int pf_gunzip(const void *data, size_t len, size_t max, struct pf_buf *out);

#endif
