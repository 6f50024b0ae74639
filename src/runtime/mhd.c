/*
 * mhd.c - loading libmicrohttpd on first use (mhd.h).
 */
#define PF_MHD_IMPL
#include "mhd.h"

#include <dlfcn.h>
#include <pthread.h>

#include "../base/str.h"
#include "config.h"

struct pf_mhd_api pf_mhd;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ok;
static char g_why[256];

static void load(void)
{
	void *h = dlopen(PF_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *e = dlerror();

		pf_fmt(g_why, sizeof(g_why), "%s", e ? e : PF_MHD_SONAME ": cannot be loaded");
		return;
	}
#define SYM(f)                                                                         \
	pf_mhd.f = (__typeof__(pf_mhd.f))dlsym(h, "MHD_" #f);                         \
	if (!pf_mhd.f) {                                                               \
		pf_fmt(g_why, sizeof(g_why), "%s: no MHD_%s", PF_MHD_SONAME, #f);      \
		return;                                                                \
	}
	PF_MHD_FUNCS(SYM)
#undef SYM
	g_ok = 1;
}

int pf_mhd_load(struct pf_err *err)
{
	pthread_once(&g_once, load);
	if (g_ok)
		return 0;
	pf_err_set(err, PF_EFAIL, "the debug endpoint needs libmicrohttpd: %s", g_why);
	return -1;
}
