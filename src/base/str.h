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

/*
 * The UTF-8 character at the start of s (at most n bytes): its length in
 * bytes (1 to 4), with its code point in *cp. 0 when the bytes are not a
 * valid character: a stray continuation byte, a sequence cut short (by n
 * or by a NUL), an overlong form, a surrogate or a value past U+10FFFF.
 * cp may be NULL.
 */
size_t pf_utf8_decode(const char *s, size_t n, unsigned *cp);
/*
 * Where to cut s (n bytes) to keep at most max bytes without splitting a
 * character: max itself, or less when a valid character straddles it; n
 * when n <= max. Invalid bytes are not characters and may be cut anywhere.
 */
size_t pf_utf8_cut(const char *s, size_t n, size_t max);

#endif
