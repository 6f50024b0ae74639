/*
 * proflab.h - the public C API of libproflab, proflab's profiler runtime.
 *
 * Link a program with libproflab.a (or preload libproflab.so) to profile it.
 * The names follow what a Go programmer knows from runtime/pprof,
 * runtime.ReadMemStats and net/http/pprof:
 *
 *   proflab_cpu_start / proflab_cpu_stop   pprof.StartCPUProfile / StopCPUProfile
 *   proflab_heap_write                     pprof.WriteHeapProfile
 *   proflab_read_memstats                  runtime.ReadMemStats
 *   proflab_http_start                     import _ "net/http/pprof" + ListenAndServe
 *
 * Without any code change the runtime is driven by the environment (read
 * when the library is loaded): PROFLAB_CPUPROFILE, PROFLAB_HZ,
 * PROFLAB_HEAPPROFILE, PROFLAB_HEAP_RATE, PROFLAB_MEMSTATS, PROFLAB_HTTP,
 * PROFLAB_HTTP_ALLOW_REMOTE. See proflab(1).
 *
 * Every function returns 0 on success and a negative errno-style value on
 * failure (e.g. -EBUSY when a CPU profile is already running); none of them
 * prints or aborts. proflab_strerror() turns the value into a message.
 * All functions are thread-safe; none may be called from a signal handler.
 */
#ifndef PROFLAB_H
#define PROFLAB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PROFLAB_API __attribute__((visibility("default")))
#else
#define PROFLAB_API
#endif

#define PROFLAB_DEFAULT_HZ 100
#define PROFLAB_MAX_HZ 10000
#define PROFLAB_DEFAULT_HEAP_RATE 524288
/* The largest heap sampling rate (2^40 bytes: a sample a terabyte). */
#define PROFLAB_MAX_HEAP_RATE 1099511627776LL
#define PROFLAB_DEFAULT_HTTP "127.0.0.1:6060"

/*
 * Start CPU profiling of every thread of the process (existing and future)
 * at hz samples per CPU-second (0 means PROFLAB_DEFAULT_HZ; 1..10000).
 * The profile is written to path, gzip-compressed pprof, by
 * proflab_cpu_stop() or at exit. -EBUSY if a CPU profile is already
 * running (as Go's StartCPUProfile), -EINVAL for a bad hz or NULL path.
 */
PROFLAB_API int proflab_cpu_start(const char *path, int hz);

/* Stop the CPU profile and write it. -ENOENT when none is running; an
 * error writing the file is returned (and the samples are lost). */
PROFLAB_API int proflab_cpu_stop(void);

/* Set the heap sampling rate in bytes (Go's runtime.MemProfileRate): on
 * average one sample every rate bytes; 1 records every allocation; 0
 * turns heap sampling off. Takes effect for later allocations. -EINVAL
 * for a rate below 0 or above PROFLAB_MAX_HEAP_RATE. */
PROFLAB_API int proflab_heap_set_rate(long rate);

/* Write the heap profile (sample types alloc_objects, alloc_space,
 * inuse_objects, inuse_space; default inuse_space) to path now. */
PROFLAB_API int proflab_heap_write(const char *path);

/* Counterpart of runtime.MemStats. Counted for every allocation whatever
 * the sampling rate. Go's NumGC has no counterpart: C has no collector. */
struct proflab_memstats {
	uint64_t alloc;        /* bytes allocated and not yet freed */
	uint64_t total_alloc;  /* bytes allocated over the lifetime (never decreases) */
	uint64_t mallocs;      /* allocations made */
	uint64_t frees;        /* frees made */
	uint64_t heap_objects; /* mallocs - frees */
	uint64_t peak_alloc;   /* highest alloc seen */
	uint64_t sys;          /* bytes obtained from the system by malloc (mallinfo2 arena + mmap) */
};

/* Fill *ms with the current figures. -EINVAL for NULL. */
PROFLAB_API int proflab_read_memstats(struct proflab_memstats *ms);

/*
 * Serve /debug/pprof/ on addr ("HOST:PORT"; NULL means
 * PROFLAB_DEFAULT_HTTP) from a thread of its own. Refuses a non-loopback
 * address with -EACCES unless PROFLAB_HTTP_ALLOW_REMOTE=1 is set.
 * -EBUSY if already serving; -EADDRINUSE and the like from bind.
 * A child forked without exec does not serve: its copy of the parent's
 * sockets is closed at fork, and it may call this to serve on its own.
 */
PROFLAB_API int proflab_http_start(const char *addr);

/* Stop the endpoint; -ENOENT when it is not running. */
PROFLAB_API int proflab_http_stop(void);

/* The port actually bound (useful with port 0), or -1. */
PROFLAB_API int proflab_http_port(void);

/* A static message for an error value returned above. */
PROFLAB_API const char *proflab_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
