/* file.c - atomic whole-file writes (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "str.h"

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

int pf_file_write_atomic(const char *path, const void *data, size_t len, int flags,
			 struct pf_err *err)
{
	char tmp[PATH_MAX];
	int fd = -1, rc = 0;

	if (pf_fmt(tmp, sizeof(tmp), "%s%s%ld", path, PF_FILE_TMP_SUFFIX, (long)getpid()) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: cannot write: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || ((flags & PF_FILE_DURABLE) && fsync(fd) < 0)) {
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = pf_err_set(err, PF_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	if (flags & PF_FILE_DURABLE)
		sync_dir_of(path);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}
