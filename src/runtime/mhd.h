/*
 * mhd.h - libmicrohttpd for the debug endpoint (http.c), loaded with
 * dlopen when the endpoint first starts rather than linked: a profiled
 * program that never serves HTTP does not pay for loading it and the TLS
 * stack it pulls in (about 2.5 ms at every start here). http.c calls the
 * MHD_* names as usual; below, they are the entries of pf_mhd.
 */
#ifndef PF_MHD_H
#define PF_MHD_H

#include <microhttpd.h>

#include "../base/err.h"

/* The functions http.c uses, once: the table below and the loader are
 * made from this list (the #defines at the end must name the same). */
#define PF_MHD_FUNCS(X)                                                                 \
	X(start_daemon) X(stop_daemon) X(run) X(get_timeout) X(get_daemon_info)          \
	X(get_connection_info) X(lookup_connection_value) X(suspend_connection)          \
	X(resume_connection) X(create_response_from_buffer) X(add_response_header)      \
	X(queue_response) X(destroy_response)

struct pf_mhd_api {
#define PF_MHD_FIELD(f) __typeof__(MHD_##f) *f;
	PF_MHD_FUNCS(PF_MHD_FIELD)
#undef PF_MHD_FIELD
};

extern struct pf_mhd_api pf_mhd;

/* Load libmicrohttpd once; 0, or -1 with err naming the library and why. */
int pf_mhd_load(struct pf_err *err);

#ifndef PF_MHD_IMPL
#define MHD_start_daemon pf_mhd.start_daemon
#define MHD_stop_daemon pf_mhd.stop_daemon
#define MHD_run pf_mhd.run
#define MHD_get_timeout pf_mhd.get_timeout
#define MHD_get_daemon_info pf_mhd.get_daemon_info
#define MHD_get_connection_info pf_mhd.get_connection_info
#define MHD_lookup_connection_value pf_mhd.lookup_connection_value
#define MHD_suspend_connection pf_mhd.suspend_connection
#define MHD_resume_connection pf_mhd.resume_connection
#define MHD_create_response_from_buffer pf_mhd.create_response_from_buffer
#define MHD_add_response_header pf_mhd.add_response_header
#define MHD_queue_response pf_mhd.queue_response
#define MHD_destroy_response pf_mhd.destroy_response
#endif

#endif
