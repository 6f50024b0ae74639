/* buf.c - the growable buffer declared in buf.h. */
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char pf_buf_empty[1];

void pf_buf_init(struct pf_buf *b, size_t cap)
{
	b->data = pf_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void pf_buf_release(struct pf_buf *b)
{
	if (b->alloc)
		free(b->data);
	pf_buf_init(b, b->cap);
}

char *pf_buf_detach(struct pf_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	if (b->alloc) {
		p = b->data;
	} else {
		/* Nothing allocated yet: callers still get a block to free. */
		p = calloc(1, 1);
		if (!p)
			abort();
	}
	pf_buf_init(b, b->cap);
	return p;
}

int pf_buf_grow(struct pf_buf *b, size_t extra)
{
	size_t need, nalloc;
	char *p;

	if (extra > SIZE_MAX - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	need = b->len + extra + 1;
	if (b->cap && need - 1 > b->cap) {
		errno = EFBIG;
		return -1;
	}
	if (need <= b->alloc)
		return 0;
	/* Grow geometrically so that n appends cost O(n) copies in all. */
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc > SIZE_MAX / 2 ? need : nalloc * 2;
	/* A capped buffer never holds more than cap bytes and the NUL. */
	if (b->cap && b->cap < SIZE_MAX && nalloc > b->cap + 1)
		nalloc = b->cap + 1;
	p = realloc(b->alloc ? b->data : NULL, nalloc);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = nalloc;
	return 0;
}

int pf_buf_append(struct pf_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (pf_buf_grow(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int pf_buf_puts(struct pf_buf *b, const char *s)
{
	return pf_buf_append(b, s, strlen(s));
}

int pf_buf_putc(struct pf_buf *b, int c)
{
	char ch = (char)c;

	return pf_buf_append(b, &ch, 1);
}

int pf_buf_pad(struct pf_buf *b, int c, size_t n)
{
	if (n == 0)
		return 0;
	if (pf_buf_grow(b, n) < 0)
		return -1;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int pf_buf_vprintf(struct pf_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (pf_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pf_buf_printf(struct pf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = pf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void pf_buf_truncate(struct pf_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

int pf_buf_read_fd(struct pf_buf *b, int fd)
{
	for (;;) {
		size_t want = 65536;
		ssize_t n;

		if (b->cap && b->len >= b->cap) {
			/* At the cap: the input is fine only if it ends right here. */
			char c;

			do
				n = read(fd, &c, 1);
			while (n < 0 && errno == EINTR);
			if (n <= 0)
				return n < 0 ? -1 : 0;
			errno = EFBIG;
			return -1;
		}
		if (b->cap && want > b->cap - b->len)
			want = b->cap - b->len;
		if (pf_buf_grow(b, want) < 0)
			return -1;
		n = read(fd, b->data + b->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
}

int pf_buf_read_file(struct pf_buf *b, const char *path)
{
	struct stat st;
	int fd, rc, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A regular file's size is known: refuse one past the cap before
	 * reading it. Other files (pipes, devices) stop at the cap. */
	if (b->cap && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size > b->cap - b->len) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	rc = pf_buf_read_fd(b, fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
