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
 * It unwinds with libunwind from the signal's ucontext (local address
 * space, no unwind-info cache: see prepare_unwinder()), unless the
 * thread is inside the runtime (pf_rt_busy), where it records only the
 * interrupted pc. Stacks go to a table preallocated at start (mmap) and
 * claimed with compare-and-swap; a sample that finds no room is counted
 * and reported in the profile's comments and on stderr.
 */
#define UNW_LOCAL_ONLY
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <libunwind.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

static int unwind(ucontext_t *uc, uintptr_t *pcs)
{
	unw_cursor_t cur;
	unw_word_t ip;
	int n = 0;

	if (unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0)
		goto fallback;
	do {
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = (uintptr_t)ip;
	} while (n < MAX_DEPTH && unw_step(&cur) > 0);
	if (n > 0)
		return n;
fallback:
	pcs[0] = uc_pc(uc);
	return pcs[0] ? 1 : 0;
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
		/* The runtime may hold locks libunwind would need: pc only. */
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

/* ---- start and stop ---- */

/*
 * No unwind-info cache: libunwind's global cache lock, taken in a handler
 * while another thread inside dlclose() holds the loader's lock and waits
 * in its own handler for that cache lock, deadlocks (seen in the stress
 * test). Without the cache the handler's only lock is the loader's
 * recursive one in dl_iterate_phdr, which its holder never waits for.
 * One unwind here, in normal context, runs libunwind's one-time set-up.
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

static int install_handler(void)
{
	struct sigaction sa;

	if (handler_installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	/* Kept for the life of the process: a SIGPROF still pending after
	 * the stop must not kill the program with the default action. */
	if (sigaction(SIGPROF, &sa, NULL) < 0)
		return -errno;
	handler_installed = 1;
	return 0;
}

static void reset_table(void)
{
	memset(table, 0, sizeof(*table) * TABLE_SLOTS);
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

int pf_cpu_running(void)
{
	return atomic_load(&running);
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
	size_t i;
	int rc = 0;

	if (!b)
		return pf_err_set(err, PF_EFAIL, "building the CPU profile: out of memory");
	pf_builder_set_time(b, start_wall_ns, now_ns(CLOCK_MONOTONIC) - start_mono_ns);
	for (i = 0; i < TABLE_SLOTS; i++) {
		struct slot *s = &table[i];
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
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return pf_fmt(out_path, sizeof(out_path), "%s", path);
	return pf_fmt(out_path, sizeof(out_path), "%s/%s", cwd, path);
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

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				     SIGTERM, SIGINT,  SIGHUP, SIGQUIT };
static _Atomic int fatal_sig;

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
	int expected = 0;

	if (!atomic_compare_exchange_strong(&fatal_sig, &expected, sig) || pf_rt_busy)
		die_now(sig);
	signal(SIGALRM, on_alarm);
	alarm(3);
	write_at_end();
	die_now(sig);
}

static void install_fatal_handlers(void)
{
	size_t i;

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
