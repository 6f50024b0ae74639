/* cpu.c - the CPU profiler (placeholder until it is built). */
#include <errno.h>

#include "proflab.h"
#include "rt.h"

int pf_cpu_begin(int hz, enum pf_cpu_owner owner, enum pf_cpu_owner *owner_out)
{
	(void)hz;
	(void)owner;
	(void)owner_out;
	return -ENOSYS;
}

int pf_cpu_end(struct pf_profile **out, struct pf_err *err)
{
	(void)out;
	(void)err;
	return -ENOENT;
}

int pf_cpu_running(void) { return 0; }
void pf_cpu_init_env(void) {}
void pf_cpu_at_exit(void) {}
int proflab_cpu_start(const char *path, int hz) { (void)path; (void)hz; return -ENOSYS; }
int proflab_cpu_stop(void) { return -ENOENT; }
