/*
 * buf.h - proflab's one growable buffer, for text and bytes.
 *
 * A struct pf_buf owns a heap block that always holds `len` bytes followed
 * by a NUL, so `data` can be used as a C string whenever the contents are
 * text. An optional size cap bounds growth when the input comes from
 * outside (files, HTTP requests): an append that would pass the cap fails
 * and leaves the buffer unchanged.
 *
 * Life cycle: pf_buf_init() on caller-owned storage, appends, then
 * pf_buf_release() (frees the block and re-initialises) or
 * pf_buf_detach() (hands the block to the caller, who free()s it).
 * A freshly initialised buffer has data == "" (a static empty string) and
 * allocates nothing until the first append.
 */
#ifndef PF_BUF_H
#define PF_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pf_buf {
	char *data;   /* len bytes, then a NUL; never NULL */
	size_t len;
	size_t alloc; /* 0 while data points at the static empty string */
	size_t cap;   /* 0: unbounded; else appends past cap bytes fail */
};

#define PF_BUF_INIT { pf_buf_empty, 0, 0, 0 }
extern char pf_buf_empty[1];

/* Initialise an empty buffer; cap 0 means no limit. */
void pf_buf_init(struct pf_buf *b, size_t cap);
/* Free the contents and leave the buffer initialised and empty (cap kept). */
void pf_buf_release(struct pf_buf *b);
/* Hand the NUL-terminated block to the caller (who free()s it); *len_out
 * gets the length if non-NULL. The buffer is left empty. Never NULL. */
char *pf_buf_detach(struct pf_buf *b, size_t *len_out);

/* Make room for `extra` more bytes. 0, or -1 on overflow of the cap or of
 * memory (errno is ENOMEM or EFBIG). */
int pf_buf_grow(struct pf_buf *b, size_t extra);
/* Append bytes / a C string / one byte / formatted text. 0 or -1 as above. */
int pf_buf_append(struct pf_buf *b, const void *p, size_t n);
int pf_buf_puts(struct pf_buf *b, const char *s);
int pf_buf_putc(struct pf_buf *b, int c);
int pf_buf_printf(struct pf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pf_buf_vprintf(struct pf_buf *b, const char *fmt, va_list ap);
/* Shorten to `len` bytes (len <= b->len). */
void pf_buf_truncate(struct pf_buf *b, size_t len);
/* Append `n` bytes of spaces / a repeated byte. */
int pf_buf_pad(struct pf_buf *b, int c, size_t n);

/* Read a whole file into b (appending), up to b->cap if one is set.
 * 0, or -1 with errno set (EFBIG when larger than the cap: a regular file
 * is refused by its size, before any read; a pipe or a device once the
 * cap is reached). Set a cap for any path a user names: /dev/zero never
 * ends. */
int pf_buf_read_file(struct pf_buf *b, const char *path);
/* Read everything from a file descriptor (appending); 0 or -1 with errno. */
int pf_buf_read_fd(struct pf_buf *b, int fd);

#endif
