/*
 * test_base_file.c - unit tests of src/base/file.c: regular files are
 * replaced through a temporary file; devices, FIFOs and what /proc links
 * open are written in place; symbolic links are kept and their targets
 * replaced.
 *
 * Every target lives in a private temporary directory. The device tests
 * use /dev/null and /dev/full themselves only when this process cannot
 * create files in /dev (so a regression fails the test instead of
 * replacing a device); otherwise they use copies made with mknod in the
 * temporary directory, and are skipped when that is not possible.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/str.h"
#include "t.h"

static char dir[64];

static const char *in_dir(const char *name)
{
	static char path[2][PATH_MAX];
	static int which;

	which ^= 1;
	pf_fmt(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static mode_t type_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	return st.st_mode & S_IFMT;
}

static int file_is(const char *path, const char *want)
{
	struct pf_buf b = PF_BUF_INIT;
	int same = pf_buf_read_file(&b, path) == 0 && strcmp(b.data, want) == 0;

	pf_buf_release(&b);
	return same;
}

/* No "*.tmp.*" left in the test directory. */
static int no_temp_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int clean = 1;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strstr(de->d_name, PF_FILE_TMP_SUFFIX))
			clean = 0;
	closedir(d);
	return clean;
}

/*
 * A character device to test with, in path: the real one when this
 * process cannot create files in /dev, else a mknod copy in the test
 * directory. 0, or -1 when neither is safe or possible (skip the test).
 */
static int char_device(const char *name, unsigned int major_no, unsigned int minor_no,
		       char *path, size_t size)
{
	struct statvfs vfs;

	if (access("/dev", W_OK) < 0 && errno == EACCES)
		return pf_fmt(path, size, "/dev/%s", name);
	if (statvfs(dir, &vfs) < 0 || (vfs.f_flag & ST_NODEV))
		return -1;
	if (pf_fmt(path, size, "%s/%s", dir, name) < 0 ||
	    mknod(path, S_IFCHR | 0666, makedev(major_no, minor_no)) < 0)
		return -1;
	return 0;
}

static void regular_file_is_replaced(void)
{
	const char *path = in_dir("out.txt");
	struct pf_err err = { 0 };
	struct stat st;
	mode_t mask = umask(022);

	CHECK_INT(pf_file_write_atomic(path, "one\n", 4, 0, &err), 0);
	CHECK(file_is(path, "one\n"));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* A file that existed keeps its mode. */
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(pf_file_write_atomic(path, "two\n", 4, PF_FILE_DURABLE, &err), 0);
	CHECK(file_is(path, "two\n"));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(no_temp_files());
	umask(mask);
	unlink(path);
}

static void symlink_keeps_link_and_replaces_target(void)
{
	const char *real = in_dir("real.svg"), *link = in_dir("link.svg");
	struct pf_err err = { 0 };
	char sub[PATH_MAX], deep[PATH_MAX];

	CHECK_INT(pf_file_write_atomic(real, "old", 3, 0, &err), 0);
	CHECK(symlink("real.svg", link) == 0);
	CHECK_INT(pf_file_write_atomic(link, "new", 3, 0, &err), 0);
	CHECK_INT(type_of(link), S_IFLNK);
	CHECK(file_is(real, "new"));
	/* A chain of links, the last relative to its own directory. */
	pf_fmt(sub, sizeof(sub), "%s/sub", dir);
	pf_fmt(deep, sizeof(deep), "%s/sub/deep.svg", dir);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(symlink("../link.svg", deep) == 0);
	CHECK_INT(pf_file_write_atomic(deep, "newer", 5, 0, &err), 0);
	CHECK_INT(type_of(deep), S_IFLNK);
	CHECK_INT(type_of(link), S_IFLNK);
	CHECK(file_is(real, "newer"));
	CHECK(no_temp_files());
	unlink(deep);
	rmdir(sub);
	unlink(link);
	unlink(real);
}

static void dangling_symlink_creates_target(void)
{
	const char *link = in_dir("dangling"), *real = in_dir("created.svg");
	struct pf_err err = { 0 };

	CHECK(symlink("created.svg", link) == 0);
	CHECK_INT(pf_file_write_atomic(link, "svg", 3, 0, &err), 0);
	CHECK_INT(type_of(link), S_IFLNK);
	CHECK_INT(type_of(real), S_IFREG);
	CHECK(file_is(real, "svg"));
	unlink(link);
	unlink(real);
}

static void symlink_loop_is_an_error(void)
{
	const char *a = in_dir("loop_a"), *b = in_dir("loop_b");
	struct pf_err err = { 0 };

	CHECK(symlink("loop_b", a) == 0);
	CHECK(symlink("loop_a", b) == 0);
	CHECK_INT(pf_file_write_atomic(a, "x", 1, 0, &err), PF_EFAIL);
	CHECK(strstr(err.msg, "loop_a: cannot write: ") != NULL);
	CHECK_INT(type_of(a), S_IFLNK);
	unlink(a);
	unlink(b);
}

static void fifo_is_written_in_place(void)
{
	const char *path = in_dir("fifo");
	struct pf_err err = { 0 };
	char got[16] = "";
	int rd = -1;

	CHECK(mkfifo(path, 0600) == 0);
	/* A reader first, so that opening the FIFO to write does not block. */
	rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!CHECK(rd >= 0))
		goto out;
	CHECK_INT(pf_file_write_atomic(path, "through", 7, PF_FILE_DURABLE, &err), 0);
	CHECK_INT(read(rd, got, sizeof(got) - 1), 7);
	CHECK_STR(got, "through");
	CHECK_INT(type_of(path), S_IFIFO);
	CHECK(no_temp_files());
out:
	if (rd >= 0)
		close(rd);
	unlink(path);
}

static void char_device_is_written_in_place(void)
{
	char path[PATH_MAX];
	struct pf_err err = { 0 };

	if (char_device("null", 1, 3, path, sizeof(path)) < 0) {
		printf("  skipped: cannot make a safe /dev/null to write to\n");
		return;
	}
	CHECK_INT(pf_file_write_atomic(path, "gone", 4, 0, &err), 0);
	CHECK_INT(type_of(path), S_IFCHR);
	CHECK(no_temp_files());
	if (strncmp(path, "/dev/", 5) != 0)
		unlink(path);
}

static void full_device_reports_enospc(void)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct pf_err err = { 0 };
	int rc;

	if (char_device("full", 1, 7, path, sizeof(path)) < 0) {
		printf("  skipped: cannot make a safe /dev/full to write to\n");
		return;
	}
	rc = pf_file_write_atomic(path, "data", 4, 0, &err);
	/* Judge the error only if the device is still there. */
	if (CHECK_INT(type_of(path), S_IFCHR)) {
		CHECK_INT(rc, PF_EFAIL);
		pf_fmt(want, sizeof(want), "%s: cannot write: %s", path, strerror(ENOSPC));
		CHECK_STR(err.msg, want);
	}
	CHECK(no_temp_files());
	if (strncmp(path, "/dev/", 5) != 0)
		unlink(path);
}

/* /dev/stdout is /proc/self/fd/1: write to what the descriptor holds.
 * (Reads do not block: a regression fails instead of hanging.) */
static void proc_fd_links_write_what_they_open(void)
{
	char path[64], got[16] = "";
	struct pf_err err = { 0 };
	int fds[2] = { -1, -1 }, fd = -1;
	const char *gone = in_dir("deleted");

	if (!CHECK(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0))
		return;
	pf_fmt(path, sizeof(path), "/proc/self/fd/%d", fds[1]);
	CHECK_INT(pf_file_write_atomic(path, "piped", 5, 0, &err), 0);
	CHECK_INT(read(fds[0], got, sizeof(got) - 1), 5);
	CHECK_STR(got, "piped");
	close(fds[0]);
	close(fds[1]);

	/* A file since deleted: its link names "... (deleted)". */
	fd = open(gone, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!CHECK(fd >= 0))
		return;
	CHECK(unlink(gone) == 0);
	pf_fmt(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_INT(pf_file_write_atomic(path, "kept", 4, 0, &err), 0);
	memset(got, 0, sizeof(got));
	CHECK_INT(pread(fd, got, sizeof(got) - 1, 0), 4);
	CHECK_STR(got, "kept");
	CHECK(no_temp_files());
	close(fd);
}

static void directory_and_missing_dir_fail(void)
{
	struct pf_err err = { 0 };
	char want[PATH_MAX + 64];

	CHECK_INT(pf_file_write_atomic(dir, "x", 1, 0, &err), PF_EFAIL);
	pf_fmt(want, sizeof(want), "%s: cannot write: %s", dir, strerror(EISDIR));
	CHECK_STR(err.msg, want);
	CHECK_INT(type_of(dir), S_IFDIR);
	CHECK_INT(pf_file_write_atomic(in_dir("no/such.svg"), "x", 1, 0, &err), PF_EFAIL);
	CHECK(strstr(err.msg, "no/such.svg: cannot write: ") != NULL);
}

int main(void)
{
	pf_fmt(dir, sizeof(dir), "/tmp/pf_file_XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	T_RUN(regular_file_is_replaced);
	T_RUN(symlink_keeps_link_and_replaces_target);
	T_RUN(dangling_symlink_creates_target);
	T_RUN(symlink_loop_is_an_error);
	T_RUN(fifo_is_written_in_place);
	T_RUN(char_device_is_written_in_place);
	T_RUN(full_device_reports_enospc);
	T_RUN(proc_fd_links_write_what_they_open);
	T_RUN(directory_and_missing_dir_fail);
	rmdir(dir);
	return t_exit();
}
