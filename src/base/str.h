/*
 * str.h - small string helpers shared by every layer.
 */
#ifndef PF_STR_H
#define PF_STR_H

#include <stddef.h>

/* snprintf into a fixed array; 0, or -1 when the result was truncated
 * (dst still holds the truncated, NUL-terminated text). */
int pf_fmt(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether s starts / ends with the given text. */
int pf_startswith(const char *s, const char *prefix);
int pf_endswith(const char *s, const char *suffix);

#endif
