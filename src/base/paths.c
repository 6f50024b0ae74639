/*
 * paths.c - locating content, the runtime library and the learner's data.
 * The rules are in paths.h; this file resolves them once per process.
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "str.h"

#ifndef PF_DATADIR
#define PF_DATADIR "/usr/local/share/proflab"
#endif
#ifndef PF_LIBDIR
#define PF_LIBDIR "/usr/local/lib"
#endif
#ifndef PF_INCLUDEDIR
#define PF_INCLUDEDIR "/usr/local/include"
#endif

static char bindir[PATH_MAX];
static char datadir[PATH_MAX];
static char libdir[PATH_MAX];
static char runtime_lib[PATH_MAX];
static char includedir[PATH_MAX];
static char workspace[PATH_MAX];
static char statedir[PATH_MAX];
static int in_tree = -1;

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *pf_paths_bindir(void)
{
	ssize_t n;
	char *slash;

	if (bindir[0])
		return bindir;
	n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	if (n <= 0) {
		pf_fmt(bindir, sizeof(bindir), ".");
		return bindir;
	}
	bindir[n] = '\0';
	slash = strrchr(bindir, '/');
	if (slash && slash != bindir)
		*slash = '\0';
	return bindir;
}

/* The source tree root when the binary runs from <tree>/<builddir>/, else NULL. */
static const char *tree_root(void)
{
	static char root[PATH_MAX];
	char probe[PATH_MAX + 32];
	char *slash;

	if (in_tree == 0)
		return NULL;
	if (in_tree == 1)
		return root;
	pf_fmt(root, sizeof(root), "%s", pf_paths_bindir());
	slash = strrchr(root, '/');
	in_tree = 0;
	if (!slash)
		return NULL;
	*slash = '\0';
	pf_fmt(probe, sizeof(probe), "%s/src/cli", root);
	if (!is_dir(probe))
		return NULL;
	pf_fmt(probe, sizeof(probe), "%s/lessons", root);
	if (!is_dir(probe))
		return NULL;
	in_tree = 1;
	return root;
}

/* An installed tree moved as a whole (e.g. by DESTDIR): PREFIX/bin/proflab
 * with PREFIX/<rel> beside it. */
static int relocated(const char *rel)
{
	char probe[PATH_MAX + 64];
	struct stat st;

	pf_fmt(probe, sizeof(probe), "%s/../%s", pf_paths_bindir(), rel);
	return stat(probe, &st) == 0;
}

const char *pf_paths_datadir(void)
{
	const char *env = getenv("PROFLAB_DATADIR");
	const char *root;

	if (datadir[0])
		return datadir;
	root = tree_root();
	if (env && *env)
		pf_fmt(datadir, sizeof(datadir), "%s", env);
	else if (root)
		pf_fmt(datadir, sizeof(datadir), "%s", root);
	else if (relocated("share/proflab/lessons"))
		pf_fmt(datadir, sizeof(datadir), "%s/../share/proflab", pf_paths_bindir());
	else
		pf_fmt(datadir, sizeof(datadir), "%s", PF_DATADIR);
	return datadir;
}

const char *pf_paths_libdir(void)
{
	if (libdir[0])
		return libdir;
	if (tree_root())
		pf_fmt(libdir, sizeof(libdir), "%s", pf_paths_bindir());
	else if (relocated("lib/libproflab.so"))
		pf_fmt(libdir, sizeof(libdir), "%s/../lib", pf_paths_bindir());
	else
		pf_fmt(libdir, sizeof(libdir), "%s", PF_LIBDIR);
	return libdir;
}

const char *pf_paths_runtime_lib(void)
{
	const char *env = getenv("PROFLAB_RUNTIME");

	if (runtime_lib[0])
		return runtime_lib;
	if (env && *env)
		pf_fmt(runtime_lib, sizeof(runtime_lib), "%s", env);
	else
		pf_fmt(runtime_lib, sizeof(runtime_lib), "%s/libproflab.so", pf_paths_libdir());
	return runtime_lib;
}

const char *pf_paths_includedir(void)
{
	const char *root;

	if (includedir[0])
		return includedir;
	root = tree_root();
	if (root)
		pf_fmt(includedir, sizeof(includedir), "%s/include", root);
	else if (relocated("include/proflab.h"))
		pf_fmt(includedir, sizeof(includedir), "%s/../include", pf_paths_bindir());
	else
		pf_fmt(includedir, sizeof(includedir), "%s", PF_INCLUDEDIR);
	return includedir;
}

/* The home directory: $HOME when it is absolute, else the password
 * database's entry for our user; "" when neither is known. A relative home
 * would put the learner's files under whatever directory proflab ran in,
 * and the exercise, which runs in another, would write its profiles nowhere. */
static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return "";
}

/* $ENV/proflab when $ENV is absolute (relative values are ignored, as the
 * XDG spec says), else <home>/<fallback>/proflab. */
static int xdg_dir(char *out, size_t n, const char *env, const char *fallback,
		   struct pf_err *err)
{
	const char *v = getenv(env);
	const char *home;

	if (v && v[0] == '/') {
		pf_fmt(out, n, "%s/proflab", v);
		return 0;
	}
	home = home_dir();
	if (!home[0])
		return pf_err_set(err, PF_EUSAGE,
				  "HOME is not set and user ID %ld has no home directory (set HOME, "
				  "or PROFLAB_HOME and XDG_STATE_HOME)",
				  (long)getuid());
	pf_fmt(out, n, "%s/%s/proflab", home, fallback);
	return 0;
}

int pf_paths_init(struct pf_err *err)
{
	const char *env = getenv("PROFLAB_HOME");
	char cwd[PATH_MAX];

	if (workspace[0] && statedir[0])
		return 0;
	if (env && env[0] == '/') {
		pf_fmt(workspace, sizeof(workspace), "%s", env);
	} else if (env && *env) {
		/* Resolved once, here: the exercises run in other directories. */
		if (!getcwd(cwd, sizeof(cwd)))
			return pf_err_set(err, PF_EUSAGE,
					  "PROFLAB_HOME=%s is relative and the current directory is "
					  "unknown: %s",
					  env, strerror(errno));
		pf_fmt(workspace, sizeof(workspace), "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, env);
	} else if (xdg_dir(workspace, sizeof(workspace), "XDG_DATA_HOME", ".local/share", err) < 0) {
		workspace[0] = '\0';
		return PF_EUSAGE;
	}
	if (xdg_dir(statedir, sizeof(statedir), "XDG_STATE_HOME", ".local/state", err) < 0) {
		workspace[0] = statedir[0] = '\0';
		return PF_EUSAGE;
	}
	return 0;
}

/* Only reached unresolved when main() did not call pf_paths_init (unit
 * tests); a directory nobody can create stands in for a failed resolution. */
static const char *learner_dir(const char *dir)
{
	if (!workspace[0] || !statedir[0])
		pf_paths_init(NULL);
	return dir[0] ? dir : "/nonexistent/proflab";
}

const char *pf_paths_workspace(void)
{
	return learner_dir(workspace);
}

const char *pf_paths_statedir(void)
{
	return learner_dir(statedir);
}

int pf_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);
	char *p;

	if (len == 0 || len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len + 1);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	if (!is_dir(tmp)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
