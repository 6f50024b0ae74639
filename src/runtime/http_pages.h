/*
 * http_pages.h - the bodies of the debug endpoint's text pages and the
 * parsing of its query parameters, kept apart from the HTTP server
 * (http.c) so that they can be tested without a socket.
 *
 * Every builder appends to a caller-owned struct pf_buf and returns 0, or
 * -1 when the buffer could not grow (its cap or out of memory).
 */
#ifndef PF_HTTP_PAGES_H
#define PF_HTTP_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "proflab.h"
#include "../base/buf.h"

/* /debug/pprof/profile?seconds=N: default and accepted range. Go's
 * handler turns a bad value into 30; proflab answers 400 instead, so a
 * typo does not silently cost half a minute. */
#define PF_HTTP_DEFAULT_SECONDS 30
#define PF_HTTP_MAX_SECONDS 3600

/*
 * Parse the seconds parameter (NULL: the default). 0 and *out set, or -1
 * with a one-line message for a 400 answer in msg.
 */
int pf_http_parse_seconds(const char *s, int *out, char *msg, size_t msgsize);

/* Parse a small non-negative integer parameter such as debug or gc (NULL
 * or "": 0, as in Go). 0, or -1 when s is not a decimal number
 * 0..1000000 (Go reads those as 0; proflab answers 400). */
int pf_http_parse_uint(const char *s, int *out);

/* The index page /debug/pprof/ (HTML, like Go's). */
int pf_http_index(struct pf_buf *out);

/* /debug/pprof/cmdline from the raw contents of /proc/self/cmdline
 * (arguments each followed by a NUL): the arguments joined by NUL as Go
 * writes them, without the final NUL. */
int pf_http_cmdline(const char *raw, size_t len, struct pf_buf *out);

/* A symbol lookup: the name of the function containing addr, written into
 * name; 0, or -1 when unknown. */
typedef int (*pf_http_lookup_fn)(uintptr_t addr, char *name, size_t size);

/*
 * /debug/pprof/symbol as Go answers it: the line "num_symbols: 1", then
 * for every address in input ("0x4004d6+0x4005a0+...", from the query
 * string of a GET or the body of a POST) that lookup knows, a line
 * "0x4004d6 name". Unknown and unparsable words are left out, as Go does.
 */
int pf_http_symbol(const char *input, size_t len, pf_http_lookup_fn lookup, struct pf_buf *out);

/* /debug/pprof/memstats: JSON with runtime.MemStats' field names
 * (Alloc, TotalAlloc, HeapSys, Mallocs, Frees, HeapObjects) plus PeakAlloc;
 * text ("# Alloc = N" lines, as Go ends a debug=1 heap profile) when text
 * is non-zero. */
int pf_http_memstats(const struct proflab_memstats *ms, int text, struct pf_buf *out);

/*
 * /debug/pprof/threads: one line per thread of this process from
 * /proc/self/task: thread id, state letter, CPU time (user + system) in
 * seconds and the name from comm. The endpoint's own threads are named
 * "proflab-http" and "proflab-heap". -1 also when /proc cannot be read.
 */
int pf_http_threads(struct pf_buf *out);

#endif
