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

struct pf_mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_run) *run;
	__typeof__(MHD_get_timeout) *get_timeout;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_suspend_connection) *suspend_connection;
	__typeof__(MHD_resume_connection) *resume_connection;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
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
