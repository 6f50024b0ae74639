/*
 * init.c - start-up of libproflab from the environment, and its exit.
 *
 * A constructor reads PROFLAB_* when the library is loaded (linked in or
 * preloaded); an atexit handler writes the profiles when the program ends
 * by exit() or by returning from main. Fatal signals are handled by the
 * profilers themselves.
 */
#include "rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__thread int pf_rt_busy __attribute__((tls_model("initial-exec")));

char *pf_rt_absolute(const char *path)
{
	char cwd[4096];
	char *abs;
	size_t n;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	n = strlen(cwd) + 1 + strlen(path) + 1;
	abs = malloc(n);
	if (abs)
		snprintf(abs, n, "%s/%s", cwd, path);
	return abs;
}

static void at_exit(void)
{
	pf_heap_exit_snapshot();
	pf_http_at_exit();
	pf_cpu_at_exit();
	pf_heap_at_exit();
}

__attribute__((constructor)) static void pf_runtime_init(void)
{
	pf_heap_init_env();
	pf_cpu_init_env();
	pf_http_init_env();
	atexit(at_exit);
}
