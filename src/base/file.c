/* file.c - whole-file writes: temporary file and rename, or in place for
 * devices and FIFOs (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "str.h"

/* The kernel's own limit on links followed in one lookup (MAXSYMLINKS). */
#define MAX_LINKS 40

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so that the rename itself is durable. */
static void sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		pf_fmt(dir, sizeof(dir), ".");
	else if (slash == path)
		pf_fmt(dir, sizeof(dir), "/");
	else if (pf_fmt(dir, sizeof(dir), "%.*s", (int)(slash - path), path) < 0)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

/*
 * Follow path's last component while it is a symbolic link, leaving in
 * dst (PATH_MAX bytes) the name of what the links end at. Links in the
 * directories of the path need no resolving: the rename goes through
 * them. 1 with *st filled when dst exists, 0 when it does not (a new
 * file, or a dangling link: the file is created where the link points, as
 * a shell's `>` would), -1 with errno.
 */
static int follow_links(const char *path, char *dst, struct stat *st)
{
	char target[PATH_MAX];
	int hops;
	ssize_t n;

	if (pf_fmt(dst, PATH_MAX, "%s", path) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (hops = 0;; hops++) {
		const char *slash;

		if (lstat(dst, st) < 0)
			return errno == ENOENT ? 0 : -1;
		if (!S_ISLNK(st->st_mode))
			return 1;
		if (hops == MAX_LINKS) {
			errno = ELOOP;
			return -1;
		}
		n = readlink(dst, target, sizeof(target));
		if (n < 0)
			return -1;
		if ((size_t)n >= sizeof(target)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		target[n] = '\0';
		/* A relative target is relative to the link's directory. */
		slash = strrchr(dst, '/');
		if (target[0] == '/' || !slash) {
			memcpy(dst, target, (size_t)n + 1);
		} else {
			size_t dirlen = (size_t)(slash - dst) + 1;

			if (dirlen + (size_t)n >= PATH_MAX) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(dst + dirlen, target, (size_t)n + 1);
		}
	}
}

/*
 * Write in place to what path opens, as a shell's `>` does: for targets
 * that are not regular files, and for links whose text does not name the
 * file they open (see below). No O_CREAT, so a device that vanished is not
 * re-created as a regular file. 0 or -1 with errno.
 */
static int write_in_place(const char *path, const void *data, size_t len, int flags)
{
	struct stat st;
	int fd, rc = -1, saved;

	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto out;
	/* Truncate only what can be: O_TRUNC on a device is not ours to ask. */
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		goto out;
	if (write_all(fd, data, len) < 0)
		goto out;
	if (S_ISREG(st.st_mode) && (flags & PF_FILE_DURABLE) && fsync(fd) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (close(fd) < 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

/* Write a temporary file beside target and rename it over target. keep:
 * give it mode (the old file's), else a new file's 0644 less the umask.
 * 0 or -1 with errno. */
static int replace(const char *target, const void *data, size_t len, int flags, int keep,
		   mode_t mode)
{
	char tmp[PATH_MAX];
	int fd = -1, rc = -1, saved;

	if (pf_fmt(tmp, sizeof(tmp), "%s%s%ld", target, PF_FILE_TMP_SUFFIX, (long)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (keep && fchmod(fd, mode) < 0)
		goto out;
	if (write_all(fd, data, len) < 0 || ((flags & PF_FILE_DURABLE) && fsync(fd) < 0))
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc < 0)
		goto out;
	rc = rename(tmp, target);
	if (rc == 0 && (flags & PF_FILE_DURABLE))
		sync_dir_of(target);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	errno = saved;
	return rc;
}

int pf_file_write_atomic(const char *path, const void *data, size_t len, int flags,
			 struct pf_err *err)
{
	char target[PATH_MAX];
	struct stat st, end;
	int exists, found;

	/* What path opens, whatever links lead there (the kernel's answer). */
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		goto fail;
	if (exists && !S_ISREG(st.st_mode)) {
		if (write_in_place(path, data, len, flags) < 0)
			goto fail;
		return 0;
	}
	/* A regular file or nothing yet: the name to rename over. */
	found = follow_links(path, target, &end);
	if (found < 0)
		goto fail;
	if (exists && (!found || end.st_dev != st.st_dev || end.st_ino != st.st_ino)) {
		/* The links' text leads elsewhere than the kernel went: a
		 * /proc/self/fd link (/dev/stdout) to a file since deleted
		 * or renamed. Write to what path opens. */
		if (write_in_place(path, data, len, flags) < 0)
			goto fail;
		return 0;
	}
	if (replace(target, data, len, flags, exists, exists ? st.st_mode & 0777 : 0) < 0)
		goto fail;
	return 0;
fail:
	return pf_err_set(err, PF_EFAIL, "%s: cannot write: %s", path, strerror(errno));
}
