/*
 * rt.h - the runtime's internal interfaces between its parts: the CPU
 * profiler (cpu.c), the heap profiler and memstats (heap.c), the debug
 * endpoint (http.c) and start-up from the environment (init.c).
 * Nothing here is public; include/proflab.h is the public API.
 */
#ifndef PF_RT_H
#define PF_RT_H

#include "../base/err.h"
#include "../pprof/profile.h"

/*
 * Per-thread re-entrancy guard: non-zero while the runtime itself runs on
 * this thread (building or writing a profile, serving HTTP, unwinding).
 * The heap profiler does not sample allocations made while it is set
 * (memstats still count them: like Go's MemStats, they describe the whole
 * process's heap, the runtime's own use included), and the CPU profiler's
 * signal handler does not unwind a thread that is inside the runtime. initial-exec TLS: no
 * allocation on first access, safe in signal handlers.
 */
extern __thread int pf_rt_busy __attribute__((tls_model("initial-exec")));
static inline void pf_rt_enter(void) { pf_rt_busy++; }
static inline void pf_rt_leave(void) { pf_rt_busy--; }

/* path made absolute against the current directory (profiles named by a
 * relative path land where the program started, whatever chdir() it does
 * later): a new string, or NULL. */
char *pf_rt_absolute(const char *path);

/* Who started the running CPU profile (for the "already in use" message). */
enum pf_cpu_owner {
	PF_CPU_OWNER_API = 1, /* proflab_cpu_start or PROFLAB_CPUPROFILE */
	PF_CPU_OWNER_HTTP = 2 /* /debug/pprof/profile */
};

/* Start sampling all threads at hz; -EBUSY if running (then *owner_out,
 * if non-NULL, tells who owns it), -EINVAL for a bad hz. */
int pf_cpu_begin(int hz, enum pf_cpu_owner owner, enum pf_cpu_owner *owner_out);
/* Stop sampling and build the symbolized profile of what was collected.
 * -ENOENT if not running; else 0 and *out set (or a negative value and
 * err set when building failed). */
int pf_cpu_end(struct pf_profile **out, struct pf_err *err);
/* Whether a CPU profile is running; if so and owner_out is non-NULL,
 * *owner_out tells who started it. */
int pf_cpu_running(enum pf_cpu_owner *owner_out);

/* The heap profile now; default sample type alloc_space when allocs is
 * non-zero (the /allocs view), else inuse_space. */
int pf_heap_snapshot(int allocs, struct pf_profile **out, struct pf_err *err);

/* The heap profile in Go's legacy text format (debug=1 and 2 of its heap
 * and allocs profiles, which are the same text): the header line
 * "heap profile: N: B [N: B] @ heap/2*RATE", one record per stack with
 * raw (unscaled) counts, largest in-use bytes first, each followed by its
 * "#\t0x...\tname+0xoff\tfile:line" frames, then "# runtime.MemStats"
 * with proflab's fields; columns aligned as Go's tabwriter aligns them.
 * Appended to out; 0, or -1 with err set. */
struct pf_buf;
int pf_heap_text(struct pf_buf *out, struct pf_err *err);

/* Start-up and exit hooks, called by init.c in this order. Each reads its
 * own PROFLAB_* variables and removes them from the environment so that
 * programs the profiled program execs do not profile themselves into the
 * same files. Messages go to stderr, prefixed "proflab: ". */
void pf_heap_init_env(void);
void pf_cpu_init_env(void);
void pf_http_init_env(void);
/* At exit, first of all: read the figures that -memstats prints, before
 * the runtime builds profiles (pf_heap_at_exit prints them). */
void pf_heap_exit_snapshot(void);
void pf_cpu_at_exit(void);
void pf_heap_at_exit(void);
void pf_http_at_exit(void);

#endif
