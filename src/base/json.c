/* json.c - the JSON writer declared in json.h. */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

void pf_json_init(struct pf_json *j, struct pf_buf *out, int pretty)
{
	j->out = out;
	j->depth = 0;
	j->pretty = pretty;
	j->count[0] = 0;
	j->after_key = 0;
}

static void newline(struct pf_json *j)
{
	if (!j->pretty)
		return;
	pf_buf_putc(j->out, '\n');
	pf_buf_pad(j->out, ' ', (size_t)j->depth * 2);
}

/* Separator and indentation before a value (or a key). */
static void before_value(struct pf_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->count[j->depth])
		pf_buf_putc(j->out, ',');
	if (j->depth > 0)
		newline(j);
	if (j->count[j->depth] < 255)
		j->count[j->depth]++;
}

static void open_scope(struct pf_json *j, int c)
{
	before_value(j);
	pf_buf_putc(j->out, c);
	if (j->depth < PF_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->count[j->depth] = 0;
}

static void close_scope(struct pf_json *j, int c)
{
	int had = j->count[j->depth] != 0;

	if (j->depth > 0)
		j->depth--;
	if (had)
		newline(j);
	pf_buf_putc(j->out, c);
}

void pf_json_object_begin(struct pf_json *j) { open_scope(j, '{'); }
void pf_json_object_end(struct pf_json *j) { close_scope(j, '}'); }
void pf_json_array_begin(struct pf_json *j) { open_scope(j, '['); }
void pf_json_array_end(struct pf_json *j) { close_scope(j, ']'); }

/* Invalid UTF-8 (JSON text must be UTF-8) becomes U+FFFD, one per byte;
 * control characters become \u escapes, as JSON requires. */
void pf_json_quote(struct pf_buf *out, const char *s)
{
	const unsigned char *p, *end = (const unsigned char *)s + strlen(s);

	pf_buf_putc(out, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			size_t n = pf_utf8_decode((const char *)p, (size_t)(end - p), NULL);

			if (n == 0) {
				pf_buf_puts(out, "\\ufffd");
			} else {
				pf_buf_append(out, p, n);
				p += n - 1;
			}
			continue;
		}
		switch (*p) {
		case '"': pf_buf_puts(out, "\\\""); break;
		case '\\': pf_buf_puts(out, "\\\\"); break;
		case '\n': pf_buf_puts(out, "\\n"); break;
		case '\r': pf_buf_puts(out, "\\r"); break;
		case '\t': pf_buf_puts(out, "\\t"); break;
		default:
			if (*p < 0x20)
				pf_buf_printf(out, "\\u%04x", *p);
			else
				pf_buf_putc(out, *p);
		}
	}
	pf_buf_putc(out, '"');
}

void pf_json_key(struct pf_json *j, const char *key)
{
	before_value(j);
	pf_json_quote(j->out, key);
	pf_buf_puts(j->out, j->pretty ? ": " : ":");
	j->after_key = 1;
}

void pf_json_string(struct pf_json *j, const char *s)
{
	before_value(j);
	pf_json_quote(j->out, s ? s : "");
}

void pf_json_int(struct pf_json *j, int64_t v)
{
	before_value(j);
	pf_buf_printf(j->out, "%" PRId64, v);
}

void pf_json_uint(struct pf_json *j, uint64_t v)
{
	before_value(j);
	pf_buf_printf(j->out, "%" PRIu64, v);
}

void pf_json_double(struct pf_json *j, double v)
{
	before_value(j);
	if (isfinite(v)) {
		/* The shortest of %.15g and %.17g that reads back exactly. */
		char tmp[40];

		snprintf(tmp, sizeof(tmp), "%.15g", v);
		if (strtod(tmp, NULL) != v)
			snprintf(tmp, sizeof(tmp), "%.17g", v);
		pf_buf_puts(j->out, tmp);
	}
	else
		pf_buf_puts(j->out, "null");
}

void pf_json_bool(struct pf_json *j, int v)
{
	before_value(j);
	pf_buf_puts(j->out, v ? "true" : "false");
}

void pf_json_null(struct pf_json *j)
{
	before_value(j);
	pf_buf_puts(j->out, "null");
}
