/*
 * file.h - writing a whole file atomically.
 *
 * Profiles, SVGs, the learner's copies of exercises and the progress store
 * are all replaced, never edited in place: the new contents go to a
 * temporary file beside the target ("<path>.tmp.<pid>"), which is renamed
 * over the target only once it is complete. A reader therefore sees the old
 * file or the new one, never a mix, even if the writer is killed.
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
 * Replace path with len bytes of data, created with mode 0644. flags:
 * PF_FILE_DURABLE to survive a power cut as well as a kill. 0, or
 * PF_EFAIL with err naming path ("PATH: cannot write: REASON"); on failure
 * the temporary file is removed and path is left as it was.
 */
int pf_file_write_atomic(const char *path, const void *data, size_t len, int flags,
			 struct pf_err *err);

#endif
