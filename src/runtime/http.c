/*
 * http.c - the /debug/pprof endpoint, proflab's net/http/pprof: the
 * server's life cycle (proflab_http_start/stop, PROFLAB_HTTP at start-up,
 * exit), its thread and event loop, and the routes.
 *
 * Design decisions (the header and proflab(1) document the behaviour):
 *
 * - libmicrohttpd in "external epoll" mode, driven by one thread that the
 *   runtime creates itself ("proflab-http"), and a second one that builds
 *   heap snapshots ("proflab-heap") so the loop keeps serving meanwhile.
 *   Both threads are wholly the runtime's: each holds the re-entrancy
 *   guard (pf_rt_busy) for its whole life, so the heap profiler does
 *   not sample the endpoint's allocations (nor libmicrohttpd's): they
 *   stay out of the program's heap profile. Memstats do count them, as
 *   Go's MemStats count net/http/pprof's: they are the process's heap
 *   (memstats.h). And each thread starts with
 *   every asynchronous signal blocked (SIGPROF among them), so the CPU
 *   profiler never samples it and the program's signal handlers never run
 *   on it. A profile taken through the endpoint therefore shows the
 *   program, not the endpoint. (Go's shows the serving goroutine too.)
 *   Heap requests that arrive while a snapshot is being built wait for
 *   the next one, which answers all of them: never staler than a snapshot
 *   of their own, and a burst of clients costs one build.
 * - Idle, the loop sleeps in epoll_wait without a timeout (libmicrohttpd
 *   asks for one only while connections are open) and the worker on a
 *   condition variable: an idle endpoint uses no CPU.
 * - /profile?seconds=N suspends its connection and lets the same loop wait
 *   for the deadline (as the epoll timeout) or for the client to go away
 *   (EPOLLRDHUP on the client's socket, watched while libmicrohttpd does
 *   not): whichever comes first ends the CPU profile. A client that went
 *   away gets nothing and the profile is discarded at once.
 * - A CPU profile requested while one runs is refused with 409 Conflict,
 *   not Go's 500: nothing failed on the server, the request conflicts with
 *   the profiler's state. The body carries Go's words ("Could not enable
 *   CPU profiling: cpu profiling already in use") and says who holds the
 *   profiler; errors carry X-Go-Pprof: 1 so go tool pprof prints them.
 * - POST is accepted on /symbol only (go tool pprof posts the addresses
 *   there, as to Go's handler); every other route allows GET and HEAD, and
 *   405 answers list the allowed methods in Allow. A path that is no
 *   route is 404 whatever the method, as in Go. HEAD on /profile answers
 *   what GET would (409 while a profile runs) but starts nothing.
 * - fork() without exec: the child has none of the endpoint's threads,
 *   so an atfork child handler closes the sockets it inherited (the
 *   listening one, the open connections, the event fds; close() only).
 *   Once the serving process is gone, clients are refused rather than left
 *   hanging, and the child may start an endpoint of its own.
 * - Bounds: 32 connections, 16 per client address, 32 KiB of request
 *   header memory per connection, 64 KiB of POST body, 30 s idle timeout.
 *   No request path maps to a file: routes are exact names.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mhd.h"

#include "proflab.h"
#include "rt.h"
#include "http_addr.h"
#include "http_pages.h"
#include "../base/buf.h"
#include "../base/str.h"
#include "../pprof/builder.h"

#define MAX_CONNECTIONS 32
#define MAX_PER_IP 16
#define CONN_MEMORY (32 * 1024)
#define MAX_BODY (64 * 1024)
#define IDLE_TIMEOUT_S 30
/* How long stopping (at exit) waits for a profile in progress to reach its client. */
#define FLUSH_MS 2000

enum { TAG_STOP = 1, TAG_MHD = 2, TAG_CLIENT = 3, TAG_WAKE = 4 };

/* A suspended request: a CPU profile running, or waiting for a heap
 * snapshot; DONE once its answer is in result. */
enum wait_state { WAIT_NONE, WAIT_CPU, WAIT_HEAP, WAIT_DONE };

/* What a heap request asks for: the binary profile opening on inuse or
 * alloc space, or Go's legacy text (debug >= 1, the same for both). */
enum heap_kind { HEAP_INUSE, HEAP_ALLOCS, HEAP_TEXT };

/* One request (libmicrohttpd's per-connection-request pointer). */
struct req {
	int started;         /* on_request has seen this request */
	struct pf_buf query; /* the raw query string of /symbol */
	struct pf_buf body;  /* POST body of /symbol; both capped at MAX_BODY */
	int too_large;
	enum wait_state wait;
	struct MHD_Connection *conn;
	const char *filename; /* of the binary answer in result; NULL: text */
	/* /heap and /allocs */
	enum heap_kind kind;
	int64_t arrived_ns;   /* CLOCK_MONOTONIC, when the request was routed */
	struct req *next;     /* in the server's list of heap waiters */
	/* /profile */
	int fd;              /* the client's socket, watched while suspended */
	int64_t deadline_ms; /* CLOCK_MONOTONIC */
	int client_gone;
	int answered_at_stop;
	unsigned status;     /* the answer prepared for the resumed request */
	struct pf_buf result;
};

struct server {
	struct MHD_Daemon *d;
	pthread_t thread;
	int epfd, stopfd, mhdfd;
	int listenfd; /* owned by the daemon; kept for fork_child */
	/* The open connections' sockets, for fork_child: set by the loop
	 * thread when libmicrohttpd accepts, cleared before it closes. */
	_Atomic int connfds[MAX_CONNECTIONS];
	int wakefd; /* the worker's "requests resumed": libmicrohttpd's own
		     * wake-up does not reach an external event loop */
	int port;
	pid_t pid;
	int stopping;     /* set by the loop when stopfd fires */
	struct req *prof; /* the CPU profile in progress, if any (loop thread only) */
	int unflushed;    /* requests answered while stopping, not yet sent */
	/* Heap snapshots are built by a worker thread so that the loop keeps
	 * serving; requests waiting for one form a list. A snapshot answers
	 * every waiter of its kind that arrived before it started: as fresh as
	 * a snapshot of its own, and 8 concurrent clients cost one build, not 8. */
	pthread_t worker;
	int worker_started;
	pthread_mutex_t hlock;
	pthread_cond_t hcond;
	struct req *waiters; /* guarded by hlock */
	int hstop;           /* guarded by hlock */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* guards srv */
/* Atomic for fork_child only, which reads it without the lock. A server
 * whose pid is not getpid() was inherited through fork: it has no thread
 * and its sockets are closed; it is dropped (and leaked) when met. */
static struct server *_Atomic srv;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

static const char profile_name[] = "profile";

/* ---- responses ---- */

/* Queue an answer with body b (taken over and emptied) and Go's headers. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *ctype,
			      const char *filename, const char *allow, struct pf_buf *b)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = 0;
	char *data = pf_buf_detach(b, &len);
	char disp[96];

	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (filename && pf_fmt(disp, sizeof(disp), "attachment; filename=\"%s\"", filename) == 0)
		MHD_add_response_header(resp, "Content-Disposition", disp);
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status >= 400)
		MHD_add_response_header(resp, "X-Go-Pprof", "1");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *allow,
				   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A one-line text/plain answer (errors and short notes). */
static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *allow,
				   const char *fmt, ...)
{
	struct pf_buf b;
	va_list ap;

	pf_buf_init(&b, 0);
	va_start(ap, fmt);
	pf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pf_buf_putc(&b, '\n');
	return answer(c, status, "text/plain; charset=utf-8", NULL, allow, &b);
}

/* ---- routes ---- */

static const char *arg(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result route_index(struct MHD_Connection *c)
{
	struct pf_buf b;

	pf_buf_init(&b, 0);
	if (pf_http_index(&b) < 0) {
		pf_buf_release(&b);
		return answer_text(c, 500, NULL, "out of memory");
	}
	return answer(c, 200, "text/html; charset=utf-8", NULL, NULL, &b);
}

static enum MHD_Result route_cmdline(struct MHD_Connection *c)
{
	struct pf_buf raw, b;
	enum MHD_Result ret;

	pf_buf_init(&raw, 1 << 20);
	pf_buf_init(&b, 0);
	if (pf_buf_read_file(&raw, "/proc/self/cmdline") < 0 || pf_http_cmdline(raw.data, raw.len, &b) < 0) {
		pf_buf_release(&b);
		ret = answer_text(c, 500, NULL, "Could not read the command line: %s", strerror(errno));
	} else {
		ret = answer(c, 200, "text/plain; charset=utf-8", NULL, NULL, &b);
	}
	pf_buf_release(&raw);
	return ret;
}

static int lookup(uintptr_t addr, char *name, size_t size)
{
	return pf_symbolize_name(addr, name, size);
}

static enum MHD_Result route_symbol(struct MHD_Connection *c, struct req *r, int post)
{
	/* Go reads the addresses from the POST body, else from the raw query. */
	const struct pf_buf *in = post ? &r->body : &r->query;
	struct pf_buf b;

	if (r->too_large)
		return answer_text(c, 413, NULL, "symbol: request larger than %d bytes", MAX_BODY);
	pf_buf_init(&b, 0);
	if (pf_http_symbol(in->data, in->len, lookup, &b) < 0) {
		pf_buf_release(&b);
		return answer_text(c, 500, NULL, "out of memory");
	}
	return answer(c, 200, "text/plain; charset=utf-8", NULL, NULL, &b);
}

static enum MHD_Result route_heap(struct server *s, struct MHD_Connection *c, struct req *r,
				  int allocs)
{
	const char *name = allocs ? "allocs" : "heap";
	int debug, gc;

	if (pf_http_parse_uint(arg(c, "debug"), &debug) < 0)
		return answer_text(c, 400, NULL, "%s: bad debug '%s': expected a number", name, arg(c, "debug"));
	if (pf_http_parse_uint(arg(c, "gc"), &gc) < 0)
		return answer_text(c, 400, NULL, "%s: bad gc '%s': expected a number", name, arg(c, "gc"));
	if (arg(c, "seconds"))
		return answer_text(c, 400, NULL, "%s: seconds (a delta profile) is not supported", name);
	r->wait = WAIT_HEAP;
	/* Any debug but 0 is the text, as in Go (debug=2 is debug=1 for heap). */
	r->kind = debug ? HEAP_TEXT : allocs ? HEAP_ALLOCS : HEAP_INUSE;
	r->conn = c;
	r->arrived_ns = now_ns();
	/* Suspend before the worker can see the request: a resume that came
	 * first would be lost. */
	MHD_suspend_connection(c);
	pthread_mutex_lock(&s->hlock);
	r->next = s->waiters;
	s->waiters = r;
	pthread_cond_signal(&s->hcond);
	pthread_mutex_unlock(&s->hlock);
	return MHD_YES;
}

/* Build one snapshot of the given kind into out: status 200 and the gzip
 * bytes or the text, or an error status and a message. */
static unsigned build_heap(enum heap_kind kind, struct pf_buf *out)
{
	const char *name = kind == HEAP_ALLOCS ? "allocs" : "heap";
	struct pf_profile *p = NULL;
	struct pf_err err = { 0 };
	unsigned status = 200;
	int rc;

	if (kind == HEAP_TEXT) {
		if (pf_heap_text(out, &err) == 0)
			return 200;
		pf_buf_truncate(out, 0);
		pf_buf_printf(out, "Could not build the heap profile: %s\n", err.msg);
		return 500;
	}
	rc = pf_heap_snapshot(kind == HEAP_ALLOCS, &p, &err);
	if (rc == -ENOSYS) {
		status = 501;
		pf_buf_printf(out, "%s: heap profiling is not available in this build\n", name);
	} else if (rc < 0 || !p) {
		status = 500;
		pf_buf_printf(out, "Could not build the %s profile: %s\n", name,
			      err.msg[0] ? err.msg : proflab_strerror(rc));
	} else if (pf_profile_encode(p, 1, out, &err) < 0) {
		status = 500;
		pf_buf_truncate(out, 0);
		pf_buf_printf(out, "Could not encode the %s profile: %s\n", name, err.msg);
	}
	pf_profile_free(p);
	return status;
}

/* Answer (and resume) every waiter of a kind that arrived before since_ns;
 * all waiters when since_ns is INT64_MAX. Called with hlock held. */
static void answer_waiters(struct server *s, enum heap_kind kind, int64_t since_ns, unsigned status,
			   const struct pf_buf *bytes)
{
	struct req **pp = &s->waiters, *r;
	uint64_t one = 1;
	int woke = 0;

	while ((r = *pp) != NULL) {
		if ((since_ns != INT64_MAX && r->kind != kind) || r->arrived_ns > since_ns) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = NULL;
		r->status = status;
		if (pf_buf_append(&r->result, bytes->data, bytes->len) < 0)
			r->status = 0; /* out of memory: close the connection */
		r->filename = r->kind == HEAP_TEXT ? NULL : r->kind == HEAP_ALLOCS ? "allocs" : "heap";
		r->wait = WAIT_DONE;
		MHD_resume_connection(r->conn);
		woke = 1;
	}
	if (woke && write(s->wakefd, &one, sizeof(one)) < 0) {
		/* an eventfd counter cannot overflow from these few writes */
	}
}

static void *heap_worker(void *arg)
{
	struct server *s = arg;
	struct pf_buf bytes;
	int64_t started;
	unsigned status;
	enum heap_kind kind;

	pf_rt_enter(); /* for the thread's whole life, as the loop's */
	pf_buf_init(&bytes, 0);
	pthread_mutex_lock(&s->hlock);
	for (;;) {
		while (!s->waiters && !s->hstop)
			pthread_cond_wait(&s->hcond, &s->hlock);
		if (s->hstop)
			break;
		kind = s->waiters->kind;
		started = now_ns();
		pthread_mutex_unlock(&s->hlock);
		pf_buf_truncate(&bytes, 0);
		status = build_heap(kind, &bytes);
		pthread_mutex_lock(&s->hlock);
		answer_waiters(s, kind, started, status, &bytes);
	}
	/* Stopping: whoever still waits is told so. */
	pf_buf_truncate(&bytes, 0);
	pf_buf_puts(&bytes, "the program is exiting\n");
	answer_waiters(s, HEAP_INUSE, INT64_MAX, 503, &bytes);
	pthread_mutex_unlock(&s->hlock);
	pf_buf_release(&bytes);
	return NULL;
}

static enum MHD_Result route_memstats(struct MHD_Connection *c)
{
	struct proflab_memstats ms;
	struct pf_buf b;
	int debug, rc;

	if (pf_http_parse_uint(arg(c, "debug"), &debug) < 0)
		return answer_text(c, 400, NULL, "memstats: bad debug '%s': expected a number", arg(c, "debug"));
	rc = proflab_read_memstats(&ms);
	if (rc == -ENOSYS)
		return answer_text(c, 501, NULL, "memstats: heap accounting is not available in this build");
	if (rc < 0)
		return answer_text(c, 500, NULL, "memstats: %s", proflab_strerror(rc));
	pf_buf_init(&b, 0);
	if (pf_http_memstats(&ms, debug != 0, &b) < 0) {
		pf_buf_release(&b);
		return answer_text(c, 500, NULL, "out of memory");
	}
	return answer(c, 200, debug ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
		      NULL, NULL, &b);
}

static enum MHD_Result route_threads(struct MHD_Connection *c)
{
	struct pf_buf b;

	pf_buf_init(&b, 0);
	if (pf_http_threads(&b) < 0) {
		pf_buf_release(&b);
		return answer_text(c, 500, NULL, "threads: could not read this process's threads: %s",
				   strerror(errno));
	}
	return answer(c, 200, "text/plain; charset=utf-8", NULL, NULL, &b);
}

/* 409: a CPU profile is running already, started by owner. */
static enum MHD_Result answer_busy(struct MHD_Connection *c, enum pf_cpu_owner owner)
{
	return answer_text(c, 409, NULL, "Could not enable CPU profiling: cpu profiling already in use (%s)",
			   owner == PF_CPU_OWNER_HTTP ? "by another /debug/pprof/profile request"
						      : "by the program: -cpuprofile, PROFLAB_CPUPROFILE or proflab_cpu_start");
}

/* Start a CPU profile and suspend the request until the loop ends it. */
static enum MHD_Result route_profile(struct server *s, struct MHD_Connection *c, struct req *r,
				     int head)
{
	const union MHD_ConnectionInfo *ci;
	enum pf_cpu_owner owner = 0;
	struct epoll_event ev;
	char msg[160];
	int seconds, rc;

	if (pf_http_parse_seconds(arg(c, "seconds"), &seconds, msg, sizeof(msg)) < 0)
		return answer_text(c, 400, NULL, "%s", msg);
	if (head) {
		/* HEAD does not start a profile: the headers GET would get now. */
		struct pf_buf b;

		if (pf_cpu_running(&owner))
			return answer_busy(c, owner);
		pf_buf_init(&b, 0);
		return answer(c, 200, "application/octet-stream", "profile", NULL, &b);
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return answer_text(c, 500, NULL, "Could not enable CPU profiling: no client socket");
	rc = pf_cpu_begin(PROFLAB_DEFAULT_HZ, PF_CPU_OWNER_HTTP, &owner);
	if (rc == -EBUSY)
		return answer_busy(c, owner);
	if (rc == -ENOSYS)
		return answer_text(c, 501, NULL, "CPU profiling is not available in this build");
	if (rc < 0)
		return answer_text(c, 500, NULL, "Could not enable CPU profiling: %s", proflab_strerror(rc));

	r->wait = WAIT_CPU;
	r->conn = c;
	r->fd = ci->connect_fd;
	r->deadline_ms = now_ms() + (int64_t)seconds * 1000;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLRDHUP; /* not EPOLLIN: a pipelined request must not wake us */
	ev.data.u64 = TAG_CLIENT;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, r->fd, &ev) < 0)
		r->fd = -1; /* cannot watch: the profile still ends at its deadline */
	s->prof = r;
	MHD_suspend_connection(c);
	return MHD_YES;
}

/* End the running CPU profile and resume its request with the answer. */
static void finish_profile(struct server *s)
{
	struct req *r = s->prof;
	struct pf_profile *p = NULL;
	struct pf_err err = { 0 };
	int rc;

	if (!r)
		return;
	s->prof = NULL;
	if (r->fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, r->fd, NULL);
	rc = pf_cpu_end(&p, &err);
	pf_buf_init(&r->result, 0);
	if (r->client_gone) {
		r->status = 0; /* nobody to answer: close */
	} else if (rc < 0 || !p) {
		r->status = 500;
		pf_buf_printf(&r->result, "Could not build the CPU profile: %s\n",
			      err.msg[0] ? err.msg : proflab_strerror(rc));
	} else if (pf_profile_encode(p, 1, &r->result, &err) < 0) {
		pf_buf_truncate(&r->result, 0);
		r->status = 500;
		pf_buf_printf(&r->result, "Could not encode the CPU profile: %s\n", err.msg);
	} else {
		r->status = 200;
	}
	pf_profile_free(p);
	r->filename = profile_name;
	r->wait = WAIT_DONE;
	MHD_resume_connection(r->conn);
}

static enum MHD_Result answer_finished(struct MHD_Connection *c, struct req *r)
{
	if (r->status == 0)
		return MHD_NO;
	if (r->status == 200 && r->filename)
		return answer(c, 200, "application/octet-stream", r->filename, NULL, &r->result);
	if (r->status == 200) /* Go's debug=1 text */
		return answer(c, 200, "text/plain; charset=utf-8", NULL, NULL, &r->result);
	return answer(c, r->status, "text/plain; charset=utf-8", NULL, NULL, &r->result);
}

static struct req *req_new(void);

/* Go's names for profiles that a C program does not have. */
static const char *missing_profile(const char *name)
{
	if (!strcmp(name, "goroutine"))
		return "C programs have no goroutines; see /debug/pprof/threads";
	if (!strcmp(name, "threadcreate") || !strcmp(name, "block") || !strcmp(name, "mutex"))
		return "proflab does not collect this profile";
	return NULL;
}

/* Whether url is a route: 404 comes before 405, whatever the method. */
static int known_route(const char *url)
{
	static const char *const names[] = { "", "profile", "heap", "allocs", "cmdline",
					     "symbol", "memstats", "threads" };
	static const char prefix[] = "/debug/pprof/";
	size_t i;

	if (!strcmp(url, "/debug/pprof"))
		return 1;
	if (!pf_startswith(url, prefix))
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(url + sizeof(prefix) - 1, names[i]))
			return 1;
	return 0;
}

/* 404 for a path that is no route, as Go words it. */
static enum MHD_Result answer_not_found(struct MHD_Connection *c, const char *url)
{
	static const char prefix[] = "/debug/pprof/";
	const char *name;

	if (!pf_startswith(url, prefix))
		return answer_text(c, 404, NULL, "404 page not found");
	name = url + sizeof(prefix) - 1;
	if (missing_profile(name))
		return answer_text(c, 404, NULL, "Unknown profile: %s (%s)", name, missing_profile(name));
	return answer_text(c, 404, NULL, "Unknown profile: %s", name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static const char prefix[] = "/debug/pprof/";
	struct server *s = cls;
	struct req *r = *con_cls;
	const char *name, *allow = "GET, HEAD";
	int get, head, post, is_symbol;

	(void)version;
	get = !strcmp(method, MHD_HTTP_METHOD_GET);
	head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	post = !strcmp(method, MHD_HTTP_METHOD_POST);
	is_symbol = !strcmp(url, "/debug/pprof/symbol");
	if (!r) {
		r = req_new();
		if (!r)
			return MHD_NO;
		*con_cls = r;
	}
	if (!r->started) {
		r->started = 1;
		/* Refuse at once what will be refused, before reading any body. */
		if (!known_route(url))
			return answer_not_found(c, url);
		if (is_symbol)
			allow = "GET, HEAD, POST";
		if (!get && !head && !(post && is_symbol))
			return answer_text(c, 405, allow, "Method %s not allowed on %s (allowed: %s)",
					   method, url, allow);
		return MHD_YES;
	}
	if (*upload_size) {
		if (post && is_symbol && !r->too_large && pf_buf_append(&r->body, upload, *upload_size) < 0)
			r->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->wait == WAIT_DONE)
		return answer_finished(c, r);
	if (r->wait != WAIT_NONE)
		return MHD_YES; /* not reached: the request is suspended */

	if (!strcmp(url, "/debug/pprof")) {
		struct pf_buf b;
		struct MHD_Response *resp;
		enum MHD_Result ret;

		pf_buf_init(&b, 0);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, "/debug/pprof/");
		ret = MHD_queue_response(c, 301, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	if (!pf_startswith(url, prefix))
		return answer_not_found(c, url);
	name = url + sizeof(prefix) - 1;
	if (!*name)
		return route_index(c);
	if (!strcmp(name, "profile"))
		return route_profile(s, c, r, head);
	if (!strcmp(name, "heap"))
		return route_heap(s, c, r, 0);
	if (!strcmp(name, "allocs"))
		return route_heap(s, c, r, 1);
	if (!strcmp(name, "cmdline"))
		return route_cmdline(c);
	if (!strcmp(name, "symbol"))
		return route_symbol(c, r, post);
	if (!strcmp(name, "memstats"))
		return route_memstats(c);
	if (!strcmp(name, "threads"))
		return route_threads(c);
	return answer_not_found(c, url);
}

static struct req *req_new(void)
{
	struct req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	pf_buf_init(&r->query, MAX_BODY);
	pf_buf_init(&r->body, MAX_BODY);
	pf_buf_init(&r->result, 0);
	r->fd = -1;
	return r;
}

/* Called first for every request, with the URI as sent: keeps the raw
 * query of /symbol, because libmicrohttpd splits a query into key=value
 * pairs and decodes '+' as a space. Its result becomes the request's
 * pointer. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r;
	const char *q;

	(void)cls;
	(void)c;
	r = req_new();
	if (r && pf_startswith(uri, "/debug/pprof/symbol?")) {
		q = strchr(uri, '?') + 1;
		if (pf_buf_puts(&r->query, q) < 0)
			r->too_large = 1;
	}
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;

	(void)c;
	(void)toe;
	if (!r)
		return;
	if (s->prof == r) { /* not expected: a suspended request is not closed */
		struct pf_profile *p = NULL;

		s->prof = NULL;
		if (r->fd >= 0)
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, r->fd, NULL);
		if (pf_cpu_end(&p, NULL) == 0)
			pf_profile_free(p);
	}
	if (r->answered_at_stop)
		s->unflushed--;
	pf_buf_release(&r->query);
	pf_buf_release(&r->body);
	pf_buf_release(&r->result);
	free(r);
	*con_cls = NULL;
}

/* Keep the sockets of open connections in s->connfds for fork_child. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	const union MHD_ConnectionInfo *ci;
	int fd, i, want, put;

	(void)socket_context;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	fd = ci->connect_fd;
	want = code == MHD_CONNECTION_NOTIFY_STARTED ? -1 : fd;
	put = code == MHD_CONNECTION_NOTIFY_STARTED ? fd : -1;
	for (i = 0; i < MAX_CONNECTIONS; i++) {
		if (atomic_load(&s->connfds[i]) == want) {
			atomic_store(&s->connfds[i], put);
			return;
		}
	}
}

/* close(fd) when fd is open (>= 0); close() only, as fork_child needs. */
static void close_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The server's own event descriptors: its epoll set and the stop and wake
 * eventfds. */
static void close_events(const struct server *s)
{
	close_open(s->epfd);
	close_open(s->stopfd);
	close_open(s->wakefd);
}

/* After fork, in the child: the endpoint's threads do not exist there, so
 * nobody would ever accept on the inherited listening socket, yet it would
 * keep the port and leave clients hanging once the parent is gone. Close
 * it and the other sockets of the parent's server; close() only, as this
 * may run in a child forked from a signal handler. The struct itself is
 * left to start() and proflab_http_stop(), which see it is not theirs. */
static void fork_child(void)
{
	struct server *s = atomic_load(&srv);
	int i;

	if (!s)
		return;
	close_open(s->listenfd);
	for (i = 0; i < MAX_CONNECTIONS; i++)
		close_open(atomic_load(&s->connfds[i]));
	close_open(s->mhdfd);
	close_events(s);
}

static void register_fork_child(void)
{
	pthread_atfork(NULL, NULL, fork_child);
}

/* ---- the loop ---- */

/* Stopping: end the profile in progress (its client gets what was
 * collected) and the heap worker (its waiters get 503); the loop then
 * runs until those answers are sent or FLUSH_MS pass. */
static void begin_stop(struct server *s)
{
	struct req *r;

	s->stopping = 1;
	if (s->prof && !s->prof->client_gone) {
		s->prof->answered_at_stop = 1;
		s->unflushed++;
	}
	finish_profile(s);
	pthread_mutex_lock(&s->hlock);
	for (r = s->waiters; r; r = r->next) {
		r->answered_at_stop = 1;
		s->unflushed++;
	}
	s->hstop = 1;
	pthread_cond_signal(&s->hcond);
	pthread_mutex_unlock(&s->hlock);
	if (s->worker_started) {
		pthread_join(s->worker, NULL);
		s->worker_started = 0;
	}
}

static void *loop(void *arg)
{
	struct server *s = arg;
	struct epoll_event evs[4];
	MHD_UNSIGNED_LONG_LONG mt;
	int64_t flush_until = 0;
	int n, i, timeout;

	pf_rt_enter(); /* for the thread's whole life: see the top of this file */
	for (;;) {
		timeout = -1;
		if (MHD_get_timeout(s->d, &mt) == MHD_YES)
			timeout = mt > INT32_MAX ? INT32_MAX : (int)mt;
		if (s->prof) {
			int64_t left = s->prof->deadline_ms - now_ms();

			if (left < 0)
				left = 0;
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		if (flush_until && (timeout < 0 || timeout > 20))
			timeout = 20;
		n = epoll_wait(s->epfd, evs, 4, timeout);
		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 == TAG_STOP && !s->stopping) {
				begin_stop(s);
				flush_until = now_ms() + FLUSH_MS;
			} else if (evs[i].data.u64 == TAG_CLIENT && s->prof) {
				s->prof->client_gone = 1;
			} else if (evs[i].data.u64 == TAG_WAKE) {
				uint64_t v;

				if (read(s->wakefd, &v, sizeof(v)) < 0) {
					/* EAGAIN: already drained */
				}
			}
		}
		if (s->prof && (s->prof->client_gone || now_ms() >= s->prof->deadline_ms))
			finish_profile(s);
		MHD_run(s->d);
		if (s->stopping && (s->unflushed <= 0 || now_ms() >= flush_until))
			break;
	}
	return NULL;
}

/* ---- life cycle ---- */

static int listen_on(const struct pf_http_addr *a)
{
	int fd, one = 1, saved;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* IPv6 only, except for a v4-mapped address (::ffff:127.0.0.1),
	 * which only a dual-stack socket can bind: it serves IPv4 clients. */
	if (a->ss.ss_family == AF_INET6) {
		int v6only = !IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, 64) < 0) {
		saved = errno;
		close(fd);
		return -saved;
	}
	return fd;
}

static void server_free(struct server *s)
{
	if (!s)
		return;
	if (s->worker_started) {
		pthread_mutex_lock(&s->hlock);
		s->hstop = 1;
		pthread_cond_signal(&s->hcond);
		pthread_mutex_unlock(&s->hlock);
		pthread_join(s->worker, NULL);
	}
	if (s->d)
		MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->hlock);
	pthread_cond_destroy(&s->hcond);
	close_events(s);
	free(s);
}

/* Start serving; bound gets "HOST:PORT" as bound, *loopback whether it is
 * a loopback address. 0 or negative errno with err set. */
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static int start(const char *addr, char *bound, size_t bsize, int *loopback, struct pf_err *err)
{
	struct pf_http_addr a;
	struct server *s = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const union MHD_DaemonInfo *di;
	struct epoll_event ev;
	sigset_t all, old;
	const char *remote = getenv("PROFLAB_HTTP_ALLOW_REMOTE");
	int allow_remote = remote && !strcmp(remote, "1");
	int fd = -1, rc, i;

	if (!addr || !*addr)
		addr = PROFLAB_DEFAULT_HTTP;
	if (pf_http_addr_parse(addr, allow_remote, &a, err) < 0)
		return -EINVAL;
	*loopback = a.loopback;
	if (!a.loopback && !allow_remote) {
		pf_err_set(err, PF_EUSAGE,
			   "%s: refusing a non-loopback address (set PROFLAB_HTTP_ALLOW_REMOTE=1 to allow it)",
			   addr);
		return -EACCES;
	}
	pthread_once(&fork_once, register_fork_child);
	pthread_mutex_lock(&lock);
	if (srv && srv->pid != getpid())
		srv = NULL; /* the parent's, inherited through fork: see fork_child */
	if (srv) {
		rc = -EBUSY;
		pf_err_set(err, PF_EFAIL, "%s: the endpoint is already serving", addr);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	s->epfd = s->stopfd = s->wakefd = s->mhdfd = s->listenfd = -1;
	for (i = 0; i < MAX_CONNECTIONS; i++)
		s->connfds[i] = -1;
	pthread_mutex_init(&s->hlock, NULL);
	pthread_cond_init(&s->hcond, NULL);
	fd = listen_on(&a);
	if (fd < 0) {
		rc = fd;
		pf_err_set(err, PF_EFAIL, "%s: %s", addr, strerror(-rc));
		goto out;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    pf_http_addr_format((struct sockaddr *)&ss, bound, bsize) < 0)
		pf_fmt(bound, bsize, "%s", addr);
	s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	s->pid = getpid();
	if (pf_mhd_load(err) < 0) {
		rc = -ENOSYS;
		goto out;
	}
	s->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
					(a.ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_request, s,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_PER_IP,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				MHD_OPTION_END);
	if (!s->d) {
		rc = -EIO;
		pf_err_set(err, PF_EFAIL, "%s: could not start the HTTP server", addr);
		goto out;
	}
	s->listenfd = fd;
	fd = -1; /* the daemon owns it now */
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!di || s->epfd < 0 || s->stopfd < 0 || s->wakefd < 0) {
		rc = errno ? -errno : -EIO;
		pf_err_set(err, PF_EFAIL, "%s: %s", addr, strerror(-rc));
		goto out;
	}
	s->mhdfd = di->epoll_fd;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_MHD;
	rc = epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->mhdfd, &ev);
	ev.data.u64 = TAG_STOP;
	if (rc == 0)
		rc = epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stopfd, &ev);
	ev.data.u64 = TAG_WAKE;
	if (rc == 0)
		rc = epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ev);
	if (rc < 0) {
		rc = -errno;
		pf_err_set(err, PF_EFAIL, "%s: %s", addr, strerror(-rc));
		goto out;
	}
	/* The thread inherits this mask: every asynchronous signal blocked. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&s->worker, NULL, heap_worker, s);
	if (rc == 0) {
		s->worker_started = 1;
		pthread_setname_np(s->worker, "proflab-heap");
		rc = -pthread_create(&s->thread, NULL, loop, s);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		pf_err_set(err, PF_EFAIL, "%s: cannot create the endpoint's thread: %s", addr, strerror(-rc));
		goto out;
	}
	pthread_setname_np(s->thread, "proflab-http");
	srv = s;
	s = NULL;
	rc = 0;
out:
	close_open(fd);
	server_free(s);
	pthread_mutex_unlock(&lock);
	return rc;
}

int proflab_http_start(const char *addr)
{
	char bound[128];
	int rc, loopback;

	pf_rt_enter();
	rc = start(addr, bound, sizeof(bound), &loopback, NULL);
	pf_rt_leave();
	return rc;
}

int proflab_http_stop(void)
{
	struct server *s;
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	s = srv;
	srv = NULL;
	pthread_mutex_unlock(&lock);
	if (!s)
		return -ENOENT;
	if (s->pid != getpid())
		return 0; /* a forked child: the thread is the parent's; leave it alone */
	pf_rt_enter();
	if (write(s->stopfd, &one, sizeof(one)) < 0) {
		/* an eventfd write cannot fail here; the join below would hang if it did */
	}
	pthread_join(s->thread, NULL);
	server_free(s);
	pf_rt_leave();
	return 0;
}

int proflab_http_port(void)
{
	int port = -1;

	pthread_mutex_lock(&lock);
	if (srv && srv->pid == getpid())
		port = srv->port;
	pthread_mutex_unlock(&lock);
	return port;
}

void pf_http_init_env(void)
{
	const char *v = getenv("PROFLAB_HTTP");
	struct pf_err err = { 0 };
	char addr[256], bound[128];
	int rc, loopback = 0;

	if (!v)
		return;
	if (!*v) { /* empty is unset: no endpoint */
		unsetenv("PROFLAB_HTTP");
		return;
	}
	if (pf_fmt(addr, sizeof(addr), "%s", v) < 0) {
		fprintf(stderr, "proflab: PROFLAB_HTTP: address too long; running without the endpoint\n");
		unsetenv("PROFLAB_HTTP");
		return;
	}
	/* Children exec'd by the program must not try to bind the same port. */
	unsetenv("PROFLAB_HTTP");
	pf_rt_enter();
	rc = start(addr, bound, sizeof(bound), &loopback, &err);
	pf_rt_leave();
	if (rc < 0) {
		if (!err.msg[0])
			pf_err_set(&err, PF_EFAIL, "%s: %s", addr, proflab_strerror(rc));
		fprintf(stderr, "proflab: PROFLAB_HTTP: %s; the program runs without the endpoint\n", err.msg);
		return;
	}
	if (loopback)
		fprintf(stderr, "proflab: serving /debug/pprof/ on http://%s\n", bound);
	else
		fprintf(stderr,
			"proflab: serving /debug/pprof/ on http://%s (not loopback: anyone who can reach it can profile this program)\n",
			bound);
}

void pf_http_at_exit(void)
{
	proflab_http_stop();
}
