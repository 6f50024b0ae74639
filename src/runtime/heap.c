/* heap.c - the heap profiler and memstats (placeholder until it is built). */
#include <errno.h>

#include "proflab.h"
#include "rt.h"

int pf_heap_snapshot(int allocs, struct pf_profile **out, struct pf_err *err)
{
	(void)allocs;
	(void)out;
	(void)err;
	return -ENOSYS;
}

void pf_heap_init_env(void) {}
void pf_heap_at_exit(void) {}
int proflab_heap_set_rate(long rate) { (void)rate; return -ENOSYS; }
int proflab_heap_write(const char *path) { (void)path; return -ENOSYS; }
int proflab_read_memstats(struct proflab_memstats *ms) { (void)ms; return -ENOSYS; }
