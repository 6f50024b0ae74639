/*
 * cpu.c - the CPU profiler: per-thread CPU-time timers, the SIGPROF
 * handler that records stacks, and the profile written at stop or exit.
 *
 * Every thread gets its own timer_create(CLOCK_THREAD_CPUTIME_ID-style
 * clock, SIGEV_THREAD_ID) timer, as Go does on Linux, so each thread is
 * sampled in proportion to the CPU time it uses. Threads alive at the
 * start are found in /proc/self/task (a timer may measure and signal any
 * thread of the process); threads created later get theirs from our
 * pthread_create wrapper, which starts them through a trampoline. The
 * first expiry is random in (0, period] so short threads are not missed.
 *
 * The handler is async-signal-safe: it never allocates or takes a lock.
 * It unwinds with libunwind from the signal's ucontext, or walks frame
 * pointers while a dlopen/dlclose runs (see the loader guard), unless the
 * thread is inside the runtime (pf_rt_busy), where it records only the
 * interrupted pc. Stacks go to a table preallocated at start (mmap) and
 * claimed with compare-and-swap; a sample that finds no room is counted
 * and reported in the profile's comments and on stderr.
 */
#define UNW_LOCAL_ONLY
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "../base/str.h"
#include "../pprof/builder.h"
#include "proflab.h"
#include "rt.h"

#define MAX_DEPTH 64
#define TABLE_SLOTS 16384 /* distinct stacks; power of two */
#define MAX_PROBE 64
#define MAX_THREADS 4096

#define PF_API __attribute__((visibility("default")))

enum { SLOT_EMPTY = 0, SLOT_WRITING = 1, SLOT_READY = 2 };

struct slot {
	_Atomic uint32_t state;
	uint32_t npcs;
	uint64_t hash;
	_Atomic uint64_t count;
	uintptr_t pcs[MAX_DEPTH];
};

struct thread_timer {
	pid_t tid;
	timer_t timer;
};

/* ---- state shared with the signal handler ---- */
static _Atomic int running;        /* handler records only while set */
static _Atomic int inflight;       /* handlers executing right now */
static struct slot *table;         /* TABLE_SLOTS, mmap'd at start */
/* Indexes of the slots claimed, in claiming order, so that building and
 * resetting visit those alone: a walk of the whole table (9 MB) would
 * fault in every page of it. */
static uint32_t claimed[TABLE_SLOTS];
static _Atomic uint32_t nclaimed;
static _Atomic uint64_t n_dropped; /* no room in the table */
static _Atomic uint64_t n_busy;    /* inside the runtime: pc only */
static _Atomic uint64_t n_samples;

/* ---- state of normal context, under lock ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_timer threads[MAX_THREADS];
static size_t nthreads;
static uint64_t n_untimed; /* threads that could not get a timer */
static int cur_hz;
static int64_t period_ns;
static enum pf_cpu_owner cur_owner;
static int64_t start_wall_ns, start_mono_ns;
static pid_t profile_pid;
static char out_path[4096]; /* for the API / environment owner */
static int handler_installed;

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the signal handler ---- */

static uint64_t hash_pcs(const uintptr_t *pcs, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < n; i++) {
		h ^= pcs[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

static void record(const uintptr_t *pcs, int n, uint64_t weight)
{
	uint64_t h = hash_pcs(pcs, n);
	size_t i, j = h & (TABLE_SLOTS - 1);

	for (i = 0; i < MAX_PROBE; i++, j = (j + 1) & (TABLE_SLOTS - 1)) {
		struct slot *s = &table[j];
		uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);

		if (st == SLOT_READY) {
			if (s->hash == h && s->npcs == (uint32_t)n &&
			    memcmp(s->pcs, pcs, (size_t)n * sizeof(*pcs)) == 0) {
				atomic_fetch_add_explicit(&s->count, weight, memory_order_relaxed);
				return;
			}
			continue;
		}
		if (st == SLOT_WRITING)
			continue; /* another thread is filling it: probe on */
		if (atomic_compare_exchange_strong(&s->state, &st, SLOT_WRITING)) {
			claimed[atomic_fetch_add(&nclaimed, 1)] = (uint32_t)j;
			memcpy(s->pcs, pcs, (size_t)n * sizeof(*pcs));
			s->npcs = (uint32_t)n;
			s->hash = h;
			atomic_store_explicit(&s->count, weight, memory_order_relaxed);
			atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
			return;
		}
	}
	atomic_fetch_add_explicit(&n_dropped, weight, memory_order_relaxed);
}

static uintptr_t uc_pc(const ucontext_t *uc)
{
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

/* This thread's stack, when known (threads we started, the main thread):
 * frame reads inside it cannot fault. initial-exec: safe in a handler. */
static __thread uintptr_t stack_lo __attribute__((tls_model("initial-exec")));
static __thread uintptr_t stack_hi __attribute__((tls_model("initial-exec")));

static void note_stack(void)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &a) != 0)
		return;
	if (pthread_attr_getstack(&a, &addr, &size) == 0) {
		stack_lo = (uintptr_t)addr;
		stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&a);
}

/* Read a frame record (saved frame pointer, return address) without
 * faulting: directly inside a known stack, else through the kernel. */
static int read_frame(uintptr_t fp, uintptr_t out[2])
{
	struct iovec local, remote;

	if (stack_hi) {
		if (fp < stack_lo || fp + 2 * sizeof(uintptr_t) > stack_hi)
			return -1;
		memcpy(out, (const void *)fp, 2 * sizeof(uintptr_t));
		return 0;
	}
	local.iov_base = out;
	local.iov_len = 2 * sizeof(uintptr_t);
	remote.iov_base = (void *)fp;
	remote.iov_len = 2 * sizeof(uintptr_t);
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
			       (ssize_t)(2 * sizeof(uintptr_t)) ? 0 : -1;
}

/* Executable mappings seen at the start (normal context), for telling
 * return addresses from data while scanning a stack. */
#define MAX_RANGES 512
static uintptr_t range_lo[MAX_RANGES], range_hi[MAX_RANGES];
static _Atomic int nranges;

static void snapshot_ranges(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	atomic_store(&nranges, 0);
	if (!f)
		return;
	while (n < MAX_RANGES && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && strchr(perms, 'x')) {
			range_lo[n] = lo;
			range_hi[n] = hi;
			n++;
		}
	}
	fclose(f);
	atomic_store(&nranges, n);
}

static int in_code(uintptr_t a)
{
	int i, n = atomic_load(&nranges);

	for (i = 0; i < n; i++)
		if (a >= range_lo[i] && a < range_hi[i])
			return 1;
	return 0;
}

/* Whether the instruction before ret is a call (x86-64 encodings). */
static int after_call(uintptr_t ret)
{
#if defined(__x86_64__)
	unsigned char b[8];
	struct iovec local = { b, sizeof(b) }, remote = { (void *)(ret - 8), sizeof(b) };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof(b))
		return 0;
	if (b[3] == 0xe8) /* call rel32 */
		return 1;
	/* call r/m64: ff /2 with 0 to 6 bytes of ModRM, SIB and displacement */
	return (b[6] == 0xff && (b[7] & 0x38) == 0x10) || (b[5] == 0xff && (b[6] & 0x38) == 0x10) ||
	       (b[4] == 0xff && (b[5] & 0x38) == 0x10) || (b[2] == 0xff && (b[3] & 0x38) == 0x10) ||
	       (b[1] == 0xff && (b[2] & 0x38) == 0x10);
#else
	(void)ret;
	return 1;
#endif
}

/*
 * The leaf's caller, when the leaf is code without a frame pointer (libc,
 * the vDSO) or a function still in its prologue: the first word above the
 * stack pointer, below the frame pointer's frame, that points just after
 * a call instruction. 0 when none is found.
 */
static uintptr_t scan_return(uintptr_t sp, uintptr_t limit)
{
	uintptr_t a, w[2];
	int i;

	for (i = 0, a = sp; i < 128 && a < limit; i++, a += sizeof(uintptr_t)) {
		if (read_frame(a, w) < 0)
			return 0;
		if (in_code(w[0]) && after_call(w[0]))
			return w[0];
	}
	return 0;
}

/*
 * Frame-pointer walk, the fallback while a dlopen/dlclose is in progress
 * (see the loader guard below). Frames of code built without frame
 * pointers (much of libc) may be skipped; scan_return() recovers the
 * leaf's caller in the common case.
 */
static int unwind_fp(ucontext_t *uc, uintptr_t *pcs)
{
	uintptr_t fp, sp, fr[2];
	int n = 0;

	pcs[n++] = uc_pc(uc);
	if (!pcs[0])
		return 0;
#if defined(__x86_64__)
	fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	fp = (uintptr_t)uc->uc_mcontext.regs[29];
	sp = (uintptr_t)uc->uc_mcontext.sp;
#else
	return n;
#endif
	{
		uintptr_t limit = fp > sp && fp - sp < 65536 ? fp : sp + 1024;
		uintptr_t ret = scan_return(sp, limit);

		if (ret)
			pcs[n++] = ret;
	}
	while (n < MAX_DEPTH) {
		if (fp < sp || (fp & (sizeof(uintptr_t) - 1)) || read_frame(fp, fr) < 0)
			break;
		if (fr[1] < 4096)
			break;
		pcs[n++] = fr[1];
		if (fr[0] <= fp)
			break;
		sp = fp;
		fp = fr[0];
	}
	return n;
}

/*
 * The loader guard. libunwind finds unwind info through dl_iterate_phdr,
 * which takes the loader's lock; a thread inside dlopen()/dlclose() holds
 * that lock and may wait for a malloc lock that the interrupted thread
 * holds: a deadlock (found by the stress test; gperftools has the same
 * history). So dlopen and dlclose go through wrappers that announce
 * themselves and wait until no handler is inside libunwind; a handler
 * that sees such a call in progress walks frame pointers instead.
 */
static _Atomic int loader_calls, unwinders;

static void loader_enter(void)
{
	atomic_fetch_add(&loader_calls, 1);
	while (atomic_load(&unwinders) > 0)
		sched_yield();
}

static void loader_leave(void)
{
	atomic_fetch_sub(&loader_calls, 1);
}

typedef void *(*dlopen_fn)(const char *, int);

/*
 * glibc looks for a bare library name along its caller's RPATH or
 * RUNPATH ($ORIGIN expanded), and takes the caller from dlopen's return
 * address, which is now this wrapper's. So a name without a slash is
 * looked for here along the true caller's search list (dlinfo's
 * RTLD_DI_SERINFO, in glibc's order) and glibc is given the path found;
 * one already loaded is taken as it is, as glibc would.
 */
static void *open_for(dlopen_fn f, const char *file, int mode, const void *caller)
{
	Dl_serinfo size, *si;
	struct link_map *lm = NULL;
	Dl_info info;
	char path[4096];
	void *h = NULL;
	unsigned i;

	if (!file || strchr(file, '/'))
		return f(file, mode);
	h = f(file, mode | RTLD_NOLOAD);
	if (h)
		return h;
	if (!dladdr1(caller, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm ||
	    dlinfo(lm, RTLD_DI_SERINFOSIZE, &size) != 0)
		return f(file, mode);
	pf_rt_enter();
	si = malloc(size.dls_size);
	pf_rt_leave();
	if (!si)
		return f(file, mode);
	si->dls_size = size.dls_size;
	si->dls_cnt = size.dls_cnt;
	if (dlinfo(lm, RTLD_DI_SERINFO, si) == 0) {
		for (i = 0; i < si->dls_cnt && !h; i++) {
			const char *dir = si->dls_serpath[i].dls_name;

			if (pf_fmt(path, sizeof(path), "%s%s%s", dir,
				   *dir && dir[strlen(dir) - 1] == '/' ? "" : "/", file) == 0 &&
			    access(path, F_OK) == 0)
				h = f(path, mode);
		}
	}
	pf_rt_enter();
	free(si);
	pf_rt_leave();
	return h ? h : f(file, mode);
}

PF_API void *dlopen(const char *file, int mode)
{
	static _Atomic(void *) real;
	dlopen_fn f;
	void *h;

	if (!atomic_load(&real))
		atomic_store(&real, dlsym(RTLD_NEXT, "dlopen"));
	f = (dlopen_fn)atomic_load(&real);
	if (!f)
		return NULL;
	loader_enter();
	h = open_for(f, file, mode, __builtin_return_address(0));
	loader_leave();
	return h;
}

PF_API int dlclose(void *handle)
{
	static _Atomic(void *) real;
	int (*f)(void *);
	int rc;

	if (!atomic_load(&real))
		atomic_store(&real, dlsym(RTLD_NEXT, "dlclose"));
	f = (int (*)(void *))atomic_load(&real);
	if (!f)
		return -1;
	loader_enter();
	rc = f(handle);
	loader_leave();
	return rc;
}

static int unwind(ucontext_t *uc, uintptr_t *pcs)
{
	unw_cursor_t cur;
	unw_word_t ip;
	int n = 0;

	atomic_fetch_add(&unwinders, 1);
	if (atomic_load(&loader_calls) > 0 ||
	    unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0) {
		atomic_fetch_sub(&unwinders, 1);
		return unwind_fp(uc, pcs);
	}
	do {
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = (uintptr_t)ip;
	} while (n < MAX_DEPTH && unw_step(&cur) > 0);
	atomic_fetch_sub(&unwinders, 1);
	if (n > 0)
		return n;
	return unwind_fp(uc, pcs);
}

/*
 * No unwind-info cache. libunwind's per-thread cache would be lock-free,
 * but builds without it (Debian's 1.6) silently turn UNW_CACHE_PER_THREAD
 * into UNW_CACHE_GLOBAL, whose mutex is held across dl_iterate_phdr():
 * a thread holding it waits for the loader lock, while a thread inside
 * the loader allocates and the heap profiler's unwind waits for the
 * mutex; and a fork() while another thread holds it leaves the child's
 * copy locked for good. One unwind in normal context runs libunwind's
 * one-time set-up.
 */
static void prepare_unwinder(void)
{
	unw_context_t ctx;
	unw_cursor_t cur;

	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
	if (unw_getcontext(&ctx) == 0 && unw_init_local(&cur, &ctx) == 0)
		while (unw_step(&cur) > 0)
			;
}

static void on_sigprof(int sig, siginfo_t *si, void *ucv)
{
	int saved_errno = errno;
	uintptr_t pcs[MAX_DEPTH];
	uint64_t weight = 1;
	int n;

	(void)sig;
	atomic_fetch_add(&inflight, 1);
	if (!atomic_load(&running) || !table)
		goto out;
	if (si && si->si_code == SI_TIMER && si->si_overrun > 0)
		weight += (uint64_t)si->si_overrun;
	atomic_fetch_add_explicit(&n_samples, weight, memory_order_relaxed);
	if (pf_rt_busy) {
		/* Inside the runtime: the interrupted pc only. */
		atomic_fetch_add_explicit(&n_busy, weight, memory_order_relaxed);
		pcs[0] = uc_pc(ucv);
		n = pcs[0] ? 1 : 0;
	} else {
		pf_rt_enter();
		n = unwind(ucv, pcs);
		pf_rt_leave();
	}
	if (n > 0)
		record(pcs, n, weight);
	else
		atomic_fetch_add_explicit(&n_dropped, weight, memory_order_relaxed);
out:
	atomic_fetch_sub(&inflight, 1);
	errno = saved_errno;
}

/* ---- per-thread timers (normal context, under lock) ---- */

static uint64_t rng_next(void)
{
	static _Atomic uint64_t state;
	uint64_t x = atomic_load(&state);

	if (!x)
		x = (uint64_t)now_ns(CLOCK_MONOTONIC) ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	atomic_store(&state, x);
	return x;
}

static clockid_t thread_clock(pid_t tid)
{
	/* The kernel's encoding of a thread's CPU clock (CPUCLOCK_SCHED,
	 * per-thread), the clock pthread_getcpuclockid() would give. */
	return (clockid_t)((~(unsigned)tid << 3) | 6);
}

static struct thread_timer *find_thread(pid_t tid)
{
	size_t i;

	for (i = 0; i < nthreads; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	return NULL;
}

static void drop_thread(struct thread_timer *t)
{
	timer_delete(t->timer);
	*t = threads[--nthreads];
}

/* Give thread tid a timer unless it has one. Under lock. */
static int arm_thread(pid_t tid, int replace)
{
	struct sigevent sev;
	struct itimerspec its;
	struct thread_timer *t = find_thread(tid);
	timer_t timer;
	int64_t first;

	if (t) {
		if (!replace)
			return 0;
		drop_thread(t);
	}
	if (nthreads >= MAX_THREADS) {
		n_untimed++;
		return -1;
	}
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev._sigev_un._tid = tid;
	if (timer_create(tid == gettid_() ? CLOCK_THREAD_CPUTIME_ID : thread_clock(tid), &sev,
			 &timer) < 0) {
		if (errno != EINVAL && errno != ESRCH) /* a thread that has just exited */
			n_untimed++;
		return -1;
	}
	first = 1 + (int64_t)(rng_next() % (uint64_t)period_ns);
	its.it_interval.tv_sec = period_ns / 1000000000;
	its.it_interval.tv_nsec = period_ns % 1000000000;
	its.it_value.tv_sec = first / 1000000000;
	its.it_value.tv_nsec = first % 1000000000;
	if (timer_settime(timer, 0, &its, NULL) < 0) {
		timer_delete(timer);
		n_untimed++;
		return -1;
	}
	threads[nthreads].tid = tid;
	threads[nthreads].timer = timer;
	nthreads++;
	return 0;
}

static void arm_all_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	if (!d) {
		arm_thread(gettid_(), 0);
		return;
	}
	while ((e = readdir(d))) {
		char *end;
		long tid = strtol(e->d_name, &end, 10);

		if (e->d_name[0] == '.' || *end || tid <= 0)
			continue;
		arm_thread((pid_t)tid, 0);
	}
	closedir(d);
}

static void disarm_all_threads(void)
{
	while (nthreads)
		drop_thread(&threads[nthreads - 1]);
}

/* ---- threads created while the library is loaded ---- */

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

struct tramp {
	void *(*fn)(void *);
	void *arg;
};

static void thread_exit_cleanup(void *unused)
{
	struct thread_timer *t;

	(void)unused;
	pthread_mutex_lock(&lock);
	t = find_thread(gettid_());
	if (t)
		drop_thread(t);
	pthread_mutex_unlock(&lock);
}

static void *trampoline(void *p)
{
	struct tramp t = *(struct tramp *)p;
	void *ret;

	pf_rt_enter();
	free(p);
	note_stack();
	pf_rt_leave();
	if (atomic_load(&running)) {
		pthread_mutex_lock(&lock);
		/* replace: a timer left on a reused thread id is stale */
		if (atomic_load(&running))
			arm_thread(gettid_(), 1);
		pthread_mutex_unlock(&lock);
	}
	pthread_cleanup_push(thread_exit_cleanup, NULL);
	ret = t.fn(t.arg);
	pthread_cleanup_pop(1);
	return ret;
}

PF_API int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	static _Atomic(pthread_create_fn) real;
	pthread_create_fn f = atomic_load(&real);
	struct tramp *t;
	int rc;

	if (!f) {
		f = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
		if (!f)
			return EAGAIN;
		atomic_store(&real, f);
	}
	pf_rt_enter();
	t = malloc(sizeof(*t));
	pf_rt_leave();
	if (!t)
		return f(th, attr, fn, arg);
	t->fn = fn;
	t->arg = arg;
	rc = f(th, attr, trampoline, t);
	if (rc != 0) {
		pf_rt_enter();
		free(t);
		pf_rt_leave();
	}
	return rc;
}

/* ---- fork ---- */

/*
 * A thread that forks while another holds `lock` (every thread started
 * through the trampoline takes it when it ends) would leave the child a
 * lock nobody will release: the child's first thread to end would hang.
 * So fork takes the lock, and the child starts afresh: its timers were
 * not inherited (POSIX timers never are), and the profile in progress is
 * the parent's, which only the parent writes (profile_pid).
 */
static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
	atomic_store(&running, 0);
	nthreads = 0;
}

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void register_fork_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- start and stop ---- */

static int install_handler(void)
{
	struct sigaction sa;

	if (handler_installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	/* A termination signal waits for the handler to finish: its own
	 * handler waits for the profile, which waits for handlers in flight. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGQUIT);
	/* Kept for the life of the process: a SIGPROF still pending after
	 * the stop must not kill the program with the default action. */
	if (sigaction(SIGPROF, &sa, NULL) < 0)
		return -errno;
	handler_installed = 1;
	return 0;
}

static void reset_table(void)
{
	uint32_t i, n = atomic_load(&nclaimed);

	for (i = 0; i < n; i++) {
		atomic_store(&table[claimed[i]].state, SLOT_EMPTY);
		atomic_store(&table[claimed[i]].count, 0);
	}
	atomic_store(&nclaimed, 0);
	atomic_store(&n_dropped, 0);
	atomic_store(&n_busy, 0);
	atomic_store(&n_samples, 0);
	n_untimed = 0;
}

int pf_cpu_begin(int hz, enum pf_cpu_owner owner, enum pf_cpu_owner *owner_out)
{
	int rc = 0;

	if (hz == 0)
		hz = PROFLAB_DEFAULT_HZ;
	if (hz < 1 || hz > PROFLAB_MAX_HZ)
		return -EINVAL;
	pf_rt_enter();
	pthread_mutex_lock(&lock);
	if (atomic_load(&running)) {
		if (owner_out)
			*owner_out = cur_owner;
		rc = -EBUSY;
		goto out;
	}
	if (!table) {
		void *m = mmap(NULL, sizeof(*table) * TABLE_SLOTS, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			rc = -ENOMEM;
			goto out;
		}
		table = m;
	} else {
		reset_table();
	}
	rc = install_handler();
	if (rc < 0)
		goto out;
	if (gettid_() == getpid() && !stack_hi)
		note_stack();
	snapshot_ranges();
	prepare_unwinder();
	cur_hz = hz;
	period_ns = 1000000000 / hz;
	cur_owner = owner;
	profile_pid = getpid();
	start_wall_ns = now_ns(CLOCK_REALTIME);
	start_mono_ns = now_ns(CLOCK_MONOTONIC);
	atomic_store(&running, 1);
	arm_all_threads();
out:
	pthread_mutex_unlock(&lock);
	pf_rt_leave();
	return rc;
}

int pf_cpu_running(enum pf_cpu_owner *owner_out)
{
	int r;

	pthread_mutex_lock(&lock);
	r = atomic_load(&running);
	if (r && owner_out)
		*owner_out = cur_owner;
	pthread_mutex_unlock(&lock);
	return r;
}

static void add_comment(struct pf_builder *b, const char *fmt, unsigned long long v)
{
	char msg[200];

	pf_fmt(msg, sizeof(msg), fmt, v);
	pf_builder_add_comment(b, msg);
}

static int build(struct pf_profile **out, struct pf_err *err)
{
	static const struct pf_value_type types[2] = {
		{ "samples", "count" },
		{ "cpu", "nanoseconds" },
	};
	static const struct pf_value_type ptype = { "cpu", "nanoseconds" };
	struct pf_builder *b = pf_builder_new(types, 2, ptype, period_ns);
	uint64_t dropped = atomic_load(&n_dropped), busy = atomic_load(&n_busy);
	uint32_t i, nc = atomic_load(&nclaimed);
	int rc = 0;

	if (!b)
		return pf_err_set(err, PF_EFAIL, "building the CPU profile: out of memory");
	pf_builder_set_time(b, start_wall_ns, now_ns(CLOCK_MONOTONIC) - start_mono_ns);
	for (i = 0; i < nc; i++) {
		struct slot *s = &table[claimed[i]];
		uint64_t c = atomic_load(&s->count);
		int64_t v[2];

		if (atomic_load(&s->state) != SLOT_READY || !c)
			continue;
		v[0] = (int64_t)c;
		v[1] = (int64_t)c * period_ns;
		if (pf_builder_add(b, s->pcs, s->npcs, v) < 0) {
			rc = pf_err_set(err, PF_EFAIL, "building the CPU profile: out of memory");
			goto out;
		}
	}
	if (dropped)
		add_comment(b, "proflab: %llu samples could not be recorded (stack table full)",
			    (unsigned long long)dropped);
	if (busy)
		add_comment(b, "proflab: %llu samples taken inside the profiler runtime (leaf only)",
			    (unsigned long long)busy);
	if (n_untimed)
		add_comment(b, "proflab: %llu threads could not be given a CPU timer",
			    (unsigned long long)n_untimed);
	*out = pf_builder_finish(b, err);
	if (!*out)
		rc = PF_EFAIL;
out:
	pf_builder_free(b);
	return rc;
}

int pf_cpu_end(struct pf_profile **out, struct pf_err *err)
{
	int rc;

	pf_rt_enter();
	pthread_mutex_lock(&lock);
	if (!atomic_load(&running)) {
		pthread_mutex_unlock(&lock);
		pf_rt_leave();
		return -ENOENT;
	}
	atomic_store(&running, 0);
	disarm_all_threads();
	pthread_mutex_unlock(&lock);
	/* Let handlers that were already running finish with the table. */
	while (atomic_load(&inflight) > 0)
		sched_yield();
	rc = build(out, err);
	if (rc == 0 && atomic_load(&n_dropped))
		fprintf(stderr, "proflab: %llu CPU samples could not be recorded (stack table full)\n",
			(unsigned long long)atomic_load(&n_dropped));
	pf_rt_leave();
	return rc;
}

/* ---- the API and the environment ---- */

static int set_out_path(const char *path)
{
	char *abs = pf_rt_absolute(path);
	int rc;

	if (!abs)
		return -1;
	rc = pf_fmt(out_path, sizeof(out_path), "%s", abs);
	free(abs);
	return rc;
}

PF_API int proflab_cpu_start(const char *path, int hz)
{
	int rc;

	if (!path || !*path)
		return -EINVAL;
	if (hz < 0 || hz > PROFLAB_MAX_HZ)
		return -EINVAL;
	pf_rt_enter();
	pthread_mutex_lock(&lock);
	rc = atomic_load(&running) ? -EBUSY : 0;
	pthread_mutex_unlock(&lock);
	if (rc == 0 && set_out_path(path) < 0)
		rc = -ENAMETOOLONG;
	pf_rt_leave();
	if (rc < 0)
		return rc;
	return pf_cpu_begin(hz, PF_CPU_OWNER_API, NULL);
}

/* Stop and write to out_path; the message goes to msg_err. */
static int stop_and_write(struct pf_err *e)
{
	struct pf_profile *p = NULL;
	int rc;

	rc = pf_cpu_end(&p, e);
	if (rc < 0)
		return rc;
	pf_rt_enter();
	rc = pf_profile_write(p, out_path, e);
	pf_profile_free(p);
	pf_rt_leave();
	return rc < 0 ? -EIO : 0;
}

PF_API int proflab_cpu_stop(void)
{
	struct pf_err e = { 0 };

	if (!atomic_load(&running) || cur_owner != PF_CPU_OWNER_API)
		return -ENOENT;
	return stop_and_write(&e);
}

static void write_at_end(void)
{
	struct pf_err e = { 0 };

	if (!atomic_load(&running) || cur_owner != PF_CPU_OWNER_API || getpid() != profile_pid)
		return;
	if (stop_and_write(&e) == -EIO)
		fprintf(stderr, "proflab: cannot write CPU profile: %s\n", e.msg);
}

void pf_cpu_at_exit(void)
{
	write_at_end();
}

/* ---- fatal signals: best effort, then die as the signal would ---- */

/*
 * Building and writing the profile allocates, locks and calls stdio, none
 * of which a signal handler may do: the signal may have landed inside
 * malloc, and re-entering it corrupts the heap. So the handler only wakes
 * a thread kept for this (all signals blocked, waiting on a pipe) and
 * waits for it to finish, at most ALARM_SECONDS; the thread writes the
 * profile from an ordinary context. Should it block on a lock the
 * interrupted code holds, the alarm ends the wait and the program dies
 * without the profile, as it would have without proflab.
 */
#define ALARM_SECONDS 3

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				     SIGTERM, SIGINT,  SIGHUP, SIGQUIT };
static _Atomic int fatal_sig;
static int wake_fds[2] = { -1, -1 }, done_fds[2] = { -1, -1 };

static void die_now(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void on_alarm(int unused)
{
	(void)unused;
	/* Writing the profile hung (a lock held by the crashed code). */
	die_now(atomic_load(&fatal_sig));
}

static void on_fatal(int sig)
{
	int expected = 0, saved = errno;
	char c = 0;

	/* A second fatal signal, one inside the runtime (which may hold the
	 * locks the writer needs), or one in a forked child (whose profile
	 * is not its own and whose writer did not survive the fork). */
	if (!atomic_compare_exchange_strong(&fatal_sig, &expected, sig) || pf_rt_busy ||
	    getpid() != profile_pid || wake_fds[1] < 0)
		die_now(sig);
	signal(SIGALRM, on_alarm);
	alarm(ALARM_SECONDS);
	if (write(wake_fds[1], &c, 1) == 1)
		while (read(done_fds[0], &c, 1) < 0 && errno == EINTR)
			;
	errno = saved;
	die_now(sig);
}

static void *fatal_writer(void *unused)
{
	char c;
	ssize_t n;

	(void)unused;
	/* Take an arena now, while no lock can be held by a crashed thread. */
	free(malloc(1));
	do
		n = read(wake_fds[0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		write_at_end();
	c = 0;
	if (write(done_fds[1], &c, 1) < 0) {
		/* the handler's alarm ends its wait */
	}
	return NULL;
}

/* The writer thread and its pipes; 0, or -1 (no handlers then). */
static int start_fatal_writer(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (pipe2(wake_fds, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(done_fds, O_CLOEXEC) < 0)
		goto fail;
	/* Born with every signal blocked: process signals go elsewhere. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&th, &attr, fatal_writer, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		pthread_setname_np(th, "proflab-fatal");
		return 0;
	}
fail:
	close(wake_fds[0]);
	close(wake_fds[1]);
	if (done_fds[0] >= 0) {
		close(done_fds[0]);
		close(done_fds[1]);
	}
	wake_fds[0] = wake_fds[1] = done_fds[0] = done_fds[1] = -1;
	return -1;
}

static void install_fatal_handlers(void)
{
	size_t i;

	if (start_fatal_writer() < 0)
		return;
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction old, sa;

		/* Leave alone signals the program (or its parent) handles or ignores. */
		if (sigaction(fatal_signals[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal;
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

void pf_cpu_init_env(void)
{
	const char *path = getenv("PROFLAB_CPUPROFILE");
	const char *hzs = getenv("PROFLAB_HZ");
	long hz = PROFLAB_DEFAULT_HZ;
	int rc;

	pthread_once(&fork_once, register_fork_handlers);
	if (hzs && *hzs) {
		char *end;

		errno = 0;
		hz = strtol(hzs, &end, 10);
		if (errno || *end || hz < 1 || hz > PROFLAB_MAX_HZ) {
			fprintf(stderr, "proflab: PROFLAB_HZ=%s: want a rate from 1 to %d; using %d\n",
				hzs, PROFLAB_MAX_HZ, PROFLAB_DEFAULT_HZ);
			hz = PROFLAB_DEFAULT_HZ;
		}
	}
	if (!path || !*path) {
		unsetenv("PROFLAB_HZ");
		return;
	}
	rc = proflab_cpu_start(path, (int)hz);
	if (rc < 0)
		fprintf(stderr, "proflab: PROFLAB_CPUPROFILE=%s: %s\n", path, proflab_strerror(rc));
	else
		install_fatal_handlers();
	unsetenv("PROFLAB_CPUPROFILE");
	unsetenv("PROFLAB_HZ");
}
