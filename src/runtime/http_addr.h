/*
 * http_addr.h - the debug endpoint's listen addresses: parsing "HOST:PORT"
 * and deciding whether an address is loopback.
 *
 * Accepted forms (as Go's net.Listen takes them):
 *   127.0.0.1:6060   an IPv4 literal and a port
 *   [::1]:6060       an IPv6 literal in brackets
 *   localhost:6060   the name localhost, which means 127.0.0.1
 *   :6060            every interface (0.0.0.0), which is not loopback
 *   NAME:6060        another host name, looked up with getaddrinfo
 * The port is decimal, 0..65535; 0 asks the system for a free port.
 * Loopback means 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
 */
#ifndef PF_HTTP_ADDR_H
#define PF_HTTP_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#include "../base/err.h"

struct pf_http_addr {
	struct sockaddr_storage ss; /* the address to bind */
	socklen_t len;
	int loopback;               /* non-zero when ss is a loopback address */
};

/*
 * Parse text into *out. Host names other than localhost are resolved only
 * when resolve is non-zero (a caller that will refuse non-loopback
 * addresses passes 0 and gets a host name reported as not loopback
 * without a lookup). 0, or PF_EUSAGE with err naming the problem
 * ("missing port", "bad port", "IPv6 addresses need brackets"...).
 */
int pf_http_addr_parse(const char *text, int resolve, struct pf_http_addr *out,
		       struct pf_err *err);

/* Whether a socket address is loopback (see above). */
int pf_http_addr_is_loopback(const struct sockaddr *sa);

/* Write "HOST:PORT" ("[v6]:PORT" for IPv6) of sa into dst; 0 or -1. */
int pf_http_addr_format(const struct sockaddr *sa, char *dst, size_t size);

#endif
