/*
 * paths.h - where proflab finds its content and keeps the learner's files.
 *
 * Content (lessons/, exercises/, quizzes/): $PROFLAB_DATADIR if set; else
 * the source tree when the running binary is <tree>/<build dir>/proflab (so the
 * binary in the tree never depends on the current directory); else
 * <bindir>/../share/proflab when it exists (an installed tree, wherever
 * DESTDIR put it); else the share directory compiled in as PF_DATADIR.
 *
 * The runtime library for `proflab record`: $PROFLAB_RUNTIME if set; else
 * libproflab.so in pf_paths_libdir(): the build directory in the tree,
 * else <bindir>/../lib, else the PF_LIBDIR compiled in.
 *
 * Learner data: the workspace is $PROFLAB_HOME (a relative value is taken
 * from the directory proflab started in), else $XDG_DATA_HOME/proflab, else
 * ~/.local/share/proflab; progress lives in $XDG_STATE_HOME/proflab, else
 * ~/.local/state/proflab. Relative XDG_* values are ignored; ~ is $HOME when
 * it is absolute, else the password database's home of the user. Both are
 * absolute, since exercises run in other directories.
 *
 * All functions return a pointer to a string owned by this module, valid
 * for the life of the process.
 */
#ifndef PF_PATHS_H
#define PF_PATHS_H

/* Directory holding lessons/, exercises/ and quizzes/. */
const char *pf_paths_datadir(void);
/* Absolute path of libproflab.so to preload. */
const char *pf_paths_runtime_lib(void);
/* Directory of the include/ tree holding proflab.h (for building exercises). */
const char *pf_paths_includedir(void);
/* Directory holding libproflab.a / .so. */
const char *pf_paths_libdir(void);
/* Resolve the workspace and state directories to absolute paths. Call it
 * once at start-up, before anything changes directory. 0, or PF_EUSAGE
 * when no home directory is known and one is needed (err says which). */
struct pf_err;
int pf_paths_init(struct pf_err *err);
/* The learner's workspace root (not created here). */
const char *pf_paths_workspace(void);
/* The directory for progress and other state (not created here). */
const char *pf_paths_statedir(void);
/* Directory of the running binary. */
const char *pf_paths_bindir(void);

/* mkdir -p with mode 0755; 0 or -1 with errno. */
int pf_mkdir_p(const char *path);

#endif
