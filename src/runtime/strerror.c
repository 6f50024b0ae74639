/* strerror.c - messages for the runtime's error values (proflab_strerror). */
#include <errno.h>
#include <string.h>

#include "proflab.h"

const char *proflab_strerror(int err)
{
	switch (-err) {
	case 0: return "success";
	case EBUSY: return "already running (a CPU profile, or the endpoint in this process)";
	case ENOENT: return "no profile of this kind is running";
	case EINVAL: return "invalid argument";
	case EACCES: return "refusing a non-loopback address (set PROFLAB_HTTP_ALLOW_REMOTE=1 to allow it)";
	case ENOSYS: return "not available in this build";
	default: return strerror(-err); /* not async-signal-safe; never called from handlers */
	}
}
