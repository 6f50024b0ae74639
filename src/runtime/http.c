/* http.c - the /debug/pprof endpoint (placeholder until it is built). */
#include <errno.h>

#include "proflab.h"
#include "rt.h"

void pf_http_init_env(void) {}
void pf_http_at_exit(void) {}
int proflab_http_start(const char *addr) { (void)addr; return -ENOSYS; }
int proflab_http_stop(void) { return -ENOENT; }
int proflab_http_port(void) { return -1; }
