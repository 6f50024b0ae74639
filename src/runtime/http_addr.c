/* http_addr.c - parsing the endpoint's "HOST:PORT" and the loopback test (http_addr.h). */
#include "http_addr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"

/* A decimal port 0..65535 with nothing around it. */
static int parse_port(const char *s, int *port)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static void set_v4(struct pf_http_addr *out, struct in_addr a, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

	memset(&out->ss, 0, sizeof(out->ss));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons((uint16_t)port);
	out->len = sizeof(*sin);
}

static void set_v6(struct pf_http_addr *out, const struct in6_addr *a, int port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	memset(&out->ss, 0, sizeof(out->ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *a;
	sin6->sin6_port = htons((uint16_t)port);
	out->len = sizeof(*sin6);
}

static int resolve_name(const char *text, const char *host, int port,
			struct pf_http_addr *out, struct pf_err *err)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res)
		return pf_err_set(err, PF_EUSAGE, "%s: cannot resolve host %s: %s", text, host,
				  gai_strerror(rc));
	if (res->ai_family == AF_INET)
		set_v4(out, ((struct sockaddr_in *)res->ai_addr)->sin_addr, port);
	else if (res->ai_family == AF_INET6)
		set_v6(out, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, port);
	else
		rc = -1;
	freeaddrinfo(res);
	if (rc != 0)
		return pf_err_set(err, PF_EUSAGE, "%s: host %s has no IP address", text, host);
	return 0;
}

int pf_http_addr_parse(const char *text, int resolve, struct pf_http_addr *out,
		       struct pf_err *err)
{
	char host[256];
	const char *colon, *port_s;
	struct in_addr a4;
	struct in6_addr a6;
	size_t hlen;
	int port, bracketed = 0;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return pf_err_set(err, PF_EUSAGE, "empty address (expected HOST:PORT)");
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return pf_err_set(err, PF_EUSAGE, "%s: missing ']' in address", text);
		if (close[1] != ':')
			return pf_err_set(err, PF_EUSAGE, "%s: missing port in address", text);
		hlen = (size_t)(close - text - 1);
		if (hlen >= sizeof(host))
			return pf_err_set(err, PF_EUSAGE, "%s: host too long", text);
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		port_s = close + 2;
		bracketed = 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return pf_err_set(err, PF_EUSAGE, "%s: missing port in address (expected HOST:PORT)", text);
		hlen = (size_t)(colon - text);
		if (memchr(text, ':', hlen))
			return pf_err_set(err, PF_EUSAGE, "%s: IPv6 addresses need brackets, as in [::1]:6060", text);
		if (hlen >= sizeof(host))
			return pf_err_set(err, PF_EUSAGE, "%s: host too long", text);
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		port_s = colon + 1;
	}
	if (parse_port(port_s, &port) < 0)
		return pf_err_set(err, PF_EUSAGE, "%s: bad port '%s' (expected a number 0..65535)", text, port_s);

	if (bracketed) {
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return pf_err_set(err, PF_EUSAGE, "%s: '%s' is not an IPv6 address", text, host);
		set_v6(out, &a6, port);
	} else if (host[0] == '\0') {
		a4.s_addr = htonl(INADDR_ANY);
		set_v4(out, a4, port);
	} else if (inet_pton(AF_INET, host, &a4) == 1) {
		set_v4(out, a4, port);
	} else if (strcasecmp(host, "localhost") == 0) {
		a4.s_addr = htonl(INADDR_LOOPBACK);
		set_v4(out, a4, port);
	} else if (!resolve) {
		/* Not a loopback literal: the caller refuses it without a lookup. */
		a4.s_addr = htonl(INADDR_ANY);
		set_v4(out, a4, port);
		out->loopback = 0;
		return 0;
	} else if (resolve_name(text, host, port, out, err) < 0) {
		return err ? err->code : PF_EUSAGE;
	}
	out->loopback = pf_http_addr_is_loopback((const struct sockaddr *)&out->ss);
	return 0;
}

int pf_http_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return 0;
}

int pf_http_addr_format(const struct sockaddr *sa, char *dst, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		if (!inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip)))
			return -1;
		return pf_fmt(dst, size, "%s:%u", ip, (unsigned)ntohs(sin->sin_port));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (!inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip)))
			return -1;
		return pf_fmt(dst, size, "[%s]:%u", ip, (unsigned)ntohs(sin6->sin6_port));
	}
	return -1;
}
