/*
 * json.h - a small JSON writer on top of pf_buf.
 *
 * Used for machine-readable output (check --format json, progress --json,
 * the memstats endpoint). It only writes: callers emit keys and values in
 * order, and the writer places commas and escapes strings. Nesting depth is
 * limited to PF_JSON_MAX_DEPTH.
 */
#ifndef PF_JSON_H
#define PF_JSON_H

#include <stdint.h>

#include "buf.h"

#define PF_JSON_MAX_DEPTH 32

struct pf_json {
	struct pf_buf *out;
	int depth;
	int pretty;                         /* indent with two spaces */
	unsigned char count[PF_JSON_MAX_DEPTH]; /* values written at each depth (saturating) */
	unsigned char after_key;
};

/* Start writing into out (not owned). pretty: newlines and indentation. */
void pf_json_init(struct pf_json *j, struct pf_buf *out, int pretty);
void pf_json_object_begin(struct pf_json *j);
void pf_json_object_end(struct pf_json *j);
void pf_json_array_begin(struct pf_json *j);
void pf_json_array_end(struct pf_json *j);
/* Inside an object: the key of the next value. */
void pf_json_key(struct pf_json *j, const char *key);
void pf_json_string(struct pf_json *j, const char *s);
void pf_json_int(struct pf_json *j, int64_t v);
void pf_json_uint(struct pf_json *j, uint64_t v);
/* Non-finite doubles are written as null. */
void pf_json_double(struct pf_json *j, double v);
void pf_json_bool(struct pf_json *j, int v);
void pf_json_null(struct pf_json *j);
/* Append s to out as a quoted JSON string. The result is always valid
 * JSON in UTF-8: control characters are escaped (\n, \u0001...) and each
 * byte of s that is not part of a valid UTF-8 character becomes \ufffd. */
void pf_json_quote(struct pf_buf *out, const char *s);

#endif
