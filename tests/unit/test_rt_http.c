/* test_rt_http.c - the debug endpoint's address parsing, page builders and life cycle. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "t.h"
#include "proflab.h"
#include "runtime/http_addr.h"
#include "runtime/http_pages.h"
#include "base/buf.h"
#include "base/str.h"

static int parse(const char *text, int resolve, struct pf_http_addr *a, char *msg, size_t n)
{
	struct pf_err err = { 0 };
	int rc = pf_http_addr_parse(text, resolve, a, &err);

	snprintf(msg, n, "%s", err.msg);
	return rc;
}

static void test_addr_parse(void)
{
	struct pf_http_addr a;
	char msg[512], out[80];

	CHECK_INT(parse("127.0.0.1:6060", 0, &a, msg, sizeof(msg)), 0);
	CHECK(a.loopback);
	CHECK_INT(pf_http_addr_format((struct sockaddr *)&a.ss, out, sizeof(out)), 0);
	CHECK_STR(out, "127.0.0.1:6060");

	CHECK_INT(parse("127.8.9.10:0", 0, &a, msg, sizeof(msg)), 0);
	CHECK(a.loopback);
	CHECK_INT(parse("[::1]:80", 0, &a, msg, sizeof(msg)), 0);
	CHECK(a.loopback);
	CHECK_INT(a.ss.ss_family, AF_INET6);
	pf_http_addr_format((struct sockaddr *)&a.ss, out, sizeof(out));
	CHECK_STR(out, "[::1]:80");
	CHECK_INT(parse("[::ffff:127.0.0.1]:80", 0, &a, msg, sizeof(msg)), 0);
	CHECK(a.loopback);
	CHECK_INT(parse("LocalHost:6060", 0, &a, msg, sizeof(msg)), 0);
	CHECK(a.loopback);

	CHECK_INT(parse("0.0.0.0:6060", 0, &a, msg, sizeof(msg)), 0);
	CHECK(!a.loopback);
	CHECK_INT(parse(":6060", 0, &a, msg, sizeof(msg)), 0);
	CHECK(!a.loopback);
	CHECK_INT(parse("10.1.2.3:1", 0, &a, msg, sizeof(msg)), 0);
	CHECK(!a.loopback);
	CHECK_INT(parse("[::]:1", 0, &a, msg, sizeof(msg)), 0);
	CHECK(!a.loopback);
	CHECK_INT(parse("example.invalid:1", 0, &a, msg, sizeof(msg)), 0);
	CHECK(!a.loopback);

	CHECK_INT(parse("127.0.0.1", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_STR(msg, "127.0.0.1: missing port in address (expected HOST:PORT)");
	CHECK_INT(parse("127.0.0.1:65536", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("127.0.0.1:", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("127.0.0.1:-1", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("127.0.0.1:80x", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("::1:80", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_STR(msg, "::1:80: IPv6 addresses need brackets, as in [::1]:6060");
	CHECK_INT(parse("[::1:80", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("[::1]80", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("[nope]:80", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
	CHECK_INT(parse("", 0, &a, msg, sizeof(msg)), PF_EUSAGE);
}

static void test_seconds(void)
{
	char msg[160];
	int v = -5;

	CHECK_INT(pf_http_parse_seconds(NULL, &v, msg, sizeof(msg)), 0);
	CHECK_INT(v, 30);
	CHECK_INT(pf_http_parse_seconds("1", &v, msg, sizeof(msg)), 0);
	CHECK_INT(v, 1);
	CHECK_INT(pf_http_parse_seconds("3600", &v, msg, sizeof(msg)), 0);
	CHECK_INT(v, 3600);
	CHECK_INT(pf_http_parse_seconds("3601", &v, msg, sizeof(msg)), -1);
	CHECK_STR(msg, "seconds=3601 is out of range: profile duration must be 1..3600 seconds");
	CHECK_INT(pf_http_parse_seconds("0", &v, msg, sizeof(msg)), -1);
	CHECK_INT(pf_http_parse_seconds("-3", &v, msg, sizeof(msg)), -1);
	CHECK_INT(pf_http_parse_seconds("", &v, msg, sizeof(msg)), -1);
	CHECK_INT(pf_http_parse_seconds(" 5", &v, msg, sizeof(msg)), -1);
	CHECK_INT(pf_http_parse_seconds("5s", &v, msg, sizeof(msg)), -1);
	CHECK_STR(msg, "bad seconds '5s': expected a whole number of seconds, 1..3600");
	CHECK_INT(pf_http_parse_seconds("99999999999999999999999", &v, msg, sizeof(msg)), -1);

	CHECK_INT(pf_http_parse_uint(NULL, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(pf_http_parse_uint("12", &v), 0);
	CHECK_INT(v, 12);
	CHECK_INT(pf_http_parse_uint("x", &v), -1);
	CHECK_INT(pf_http_parse_uint("", &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(pf_http_parse_uint("99999999", &v), -1);
}

static int fake_lookup(uintptr_t addr, char *name, size_t size)
{
	if (addr >= 0x1000 && addr < 0x2000)
		return snprintf(name, size, "main") < 0 ? -1 : 0;
	if (addr == 0x2a)
		return snprintf(name, size, "answer") < 0 ? -1 : 0;
	return -1;
}

static void test_symbol(void)
{
	struct pf_buf b = PF_BUF_INIT;
	const char *in = "0x1004+0x9999+junk+42++0x1fff";

	CHECK_INT(pf_http_symbol("", 0, fake_lookup, &b), 0);
	CHECK_STR(b.data, "num_symbols: 1\n");
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_http_symbol(in, strlen(in), fake_lookup, &b), 0);
	CHECK_STR(b.data, "num_symbols: 1\n0x1004 main\n0x2a answer\n0x1fff main\n");
	pf_buf_release(&b);
}

static void test_cmdline_memstats(void)
{
	struct pf_buf b = PF_BUF_INIT;
	struct proflab_memstats ms = { .alloc = 10, .total_alloc = 20, .mallocs = 3, .frees = 4,
					.heap_objects = 1, .peak_alloc = 15, .sys = 7 };

	CHECK_INT(pf_http_cmdline("prog\0-x\0y\0", 10, &b), 0);
	CHECK_INT(b.len, 9);
	CHECK(memcmp(b.data, "prog\0-x\0y", 9) == 0);
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_http_memstats(&ms, 1, &b), 0);
	CHECK_STR(b.data, "# runtime.MemStats\n# Alloc = 10\n# TotalAlloc = 20\n# HeapSys = 7\n"
			  "# Mallocs = 3\n# Frees = 4\n# HeapObjects = 1\n# PeakAlloc = 15\n");
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_http_memstats(&ms, 0, &b), 0);
	CHECK(strstr(b.data, "\"TotalAlloc\": 20") != NULL);
	CHECK(b.data[0] == '{');
	pf_buf_release(&b);
}

static void test_index_threads(void)
{
	struct pf_buf b = PF_BUF_INIT;
	char line[64];
	const char *names[] = { "allocs", "cmdline", "heap", "memstats", "profile", "symbol", "threads" };
	size_t i;

	CHECK_INT(pf_http_index(&b), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(line, sizeof(line), "<a href=\"%s\">%s</a>", names[i], names[i]);
		CHECK(strstr(b.data, line) != NULL);
	}
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_http_threads(&b), 0);
	CHECK(pf_startswith(b.data, "threads: "));
	snprintf(line, sizeof(line), "\n%8ld  R ", (long)getpid());
	CHECK(strstr(b.data, line) != NULL); /* this thread, running */
	pf_buf_release(&b);
}

/* A raw HTTP/1.0 request to the endpoint; the whole answer in out. */
static int fetch(int port, const char *request, struct pf_buf *out)
{
	struct sockaddr_in sin;
	char buf[4096];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		pf_buf_append(out, buf, (size_t)n);
	close(fd);
	return 0;
}

static void test_life_cycle(void)
{
	struct pf_buf b = PF_BUF_INIT;
	int port;

	unsetenv("PROFLAB_HTTP_ALLOW_REMOTE");
	CHECK_INT(proflab_http_port(), -1);
	CHECK_INT(proflab_http_stop(), -ENOENT);
	CHECK_INT(proflab_http_start("0.0.0.0:0"), -EACCES);
	CHECK_INT(proflab_http_start("nonsense"), -EINVAL);
	CHECK_INT(proflab_http_port(), -1);
	CHECK_INT(proflab_http_start("127.0.0.1:0"), 0);
	port = proflab_http_port();
	CHECK(port > 0);
	CHECK_INT(proflab_http_start("127.0.0.1:0"), -EBUSY);
	CHECK_INT(proflab_http_start(NULL), -EBUSY);

	CHECK_INT(fetch(port, "GET /debug/pprof/nothing HTTP/1.0\r\n\r\n", &b), 0);
	CHECK(pf_startswith(b.data, "HTTP/1.0 404") || pf_startswith(b.data, "HTTP/1.1 404"));
	CHECK(strstr(b.data, "X-Content-Type-Options: nosniff\r\n") != NULL);
	CHECK(strstr(b.data, "\r\n\r\nUnknown profile: nothing\n") != NULL);
	pf_buf_truncate(&b, 0);
	CHECK_INT(fetch(port, "PATCH /debug/pprof/ HTTP/1.0\r\n\r\n", &b), 0);
	CHECK(strstr(b.data, " 405 ") != NULL);
	CHECK(strstr(b.data, "Allow: GET, HEAD\r\n") != NULL);
	pf_buf_truncate(&b, 0);
	CHECK_INT(fetch(port, "GET /debug/pprof/symbol HTTP/1.0\r\n\r\n", &b), 0);
	CHECK(strstr(b.data, "\r\n\r\nnum_symbols: 1\n") != NULL);

	CHECK_INT(proflab_http_stop(), 0);
	CHECK_INT(proflab_http_port(), -1);
	CHECK_INT(proflab_http_stop(), -ENOENT);
	pf_buf_truncate(&b, 0);
	CHECK_INT(fetch(port, "GET /debug/pprof/ HTTP/1.0\r\n\r\n", &b), -1); /* nobody listens */

	/* Again, on IPv6 loopback: a stopped endpoint can be started anew. */
	CHECK_INT(proflab_http_start("[::1]:0"), 0);
	CHECK(proflab_http_port() > 0);
	CHECK_INT(proflab_http_stop(), 0);
	pf_buf_release(&b);
}

int main(void)
{
	T_RUN(test_addr_parse);
	T_RUN(test_seconds);
	T_RUN(test_symbol);
	T_RUN(test_cmdline_memstats);
	T_RUN(test_index_threads);
	T_RUN(test_life_cycle);
	return t_exit();
}
