/*
 * file.h - writing a whole file.
 *
 * Profiles, SVGs, the learner's copies of exercises and the progress store
 * are replaced, never edited in place: the new contents go to a temporary
 * file beside the target ("<path>.tmp.<pid>"), which is renamed over the
 * target only once it is complete. A reader therefore sees the old file or
 * the new one, never a mix, even if the writer is killed.
 *
 * Only regular files are replaced that way. A target that exists and is
 * something else (a terminal, /dev/null, a FIFO, /dev/stdout...) is opened
 * and written like a shell's `>` would, so that `-o /dev/stdout` works and
 * a device is never turned into a regular file. A symbolic link is
 * followed: the file it points to is replaced and the link stays.
 */
#ifndef PF_FILE_H
#define PF_FILE_H

#include <stddef.h>

#include "err.h"

/* The suffix of temporary files, for callers that clean up after writers
 * that were killed ("<path>" PF_FILE_TMP_SUFFIX "<pid>"). */
#define PF_FILE_TMP_SUFFIX ".tmp."

enum {
	PF_FILE_DURABLE = 1, /* fsync the file before the rename and the directory after */
};

/*
 * Write len bytes of data to path (see above for what "write" means for
 * each kind of target). A new regular file is created with mode 0644
 * (less the umask); a regular file that existed keeps its mode. flags:
 * PF_FILE_DURABLE to survive a power cut as well as a kill (ignored for
 * targets that are not regular files). 0, or PF_EFAIL with err naming path
 * ("PATH: cannot write: REASON"); on failure a temporary file is removed
 * and a regular target is left as it was.
 *
 * Takes no heap memory (its path buffers, about 12 KiB, are on the stack),
 * so the runtime can call it while the profiled program exits.
 */
int pf_file_write_atomic(const char *path, const void *data, size_t len, int flags,
			 struct pf_err *err);

#endif
