/* exercise_spawn.c - running exercise builds and programs (exercise_spawn.h). */
#include "exercise_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/str.h"

#define STDOUT_CAP ((size_t)64 << 20)
#define STDERR_CAP ((size_t)256 << 10)

/* The running child's process group, for pf_exercise_interrupt(). */
static volatile sig_atomic_t current_pgid;
static volatile sig_atomic_t interrupt_requested;

void pf_exercise_interrupt(void)
{
	pid_t pg = (pid_t)current_pgid;

	interrupt_requested = 1;
	if (pg > 0)
		kill(-pg, SIGKILL);
}

int pf_spawn_interrupt_pending(void)
{
	return interrupt_requested;
}

void pf_spawn_interrupt_clear(void)
{
	interrupt_requested = 0;
}

void pf_spawn_init(struct pf_spawn *s)
{
	memset(s, 0, sizeof(*s));
	pf_buf_init(&s->out, 0);
	pf_buf_init(&s->errout, 0);
}

void pf_spawn_release(struct pf_spawn *s)
{
	pf_buf_release(&s->out);
	pf_buf_release(&s->errout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A backstop for the time limit, which the parent enforces: if proflab dies
 * without killing the child (and PR_SET_PDEATHSIG did not reach it, as it
 * does not reach grandchildren), a program stuck in a loop still stops.
 * CPU time runs faster than wall time in a threaded program (06-hit-counter),
 * so the limit is the wall limit times the CPUs the child may use, plus a
 * margin: it never fires while the parent is there to enforce its own.
 */
static void limit_cpu(double timeout)
{
	struct rlimit rl;
	cpu_set_t set;
	rlim_t want;
	int ncpu = 1;

	if (timeout <= 0 || getrlimit(RLIMIT_CPU, &rl) < 0)
		return;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		ncpu = CPU_COUNT(&set);
	want = (rlim_t)(timeout * ncpu) + 10;
	/* SIGXCPU at the soft limit, SIGKILL at the hard one; never raise them */
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= want + 5)
		return;
	rl.rlim_max = want + 5;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > want)
		rl.rlim_cur = want;
	setrlimit(RLIMIT_CPU, &rl);
}

/* In the child: never returns. parent is proflab's pid, taken before fork. */
static void child(const struct pf_spawn *s, pid_t parent, int outfd, int errfd)
{
	size_t i;

	setpgid(0, 0);
	/* Die with proflab, however it ends (kill -9, a closed terminal); if it
	 * died before this line, we have been re-parented already. The setting
	 * survives exec (not of set-uid programs) but not fork: a grandchild
	 * (the compiler under sh, a helper the program forks) is killed with
	 * the group when proflab can do it, and after a kill -9 of proflab only
	 * by the CPU limit below, which it inherits, or a SIGPIPE on output. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	limit_cpu(s->timeout);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(outfd, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	close(outfd);
	if (errfd != outfd)
		close(errfd);
	if (s->dir && chdir(s->dir) < 0) {
		dprintf(2, "cannot enter %s: %s\n", s->dir, strerror(errno));
		_exit(127);
	}
	for (i = 0; s->env_add && s->env_add[i]; i++)
		putenv(s->env_add[i]);
	execvp(s->argv[0], s->argv);
	dprintf(2, "cannot run %s: %s\n", s->argv[0], strerror(errno));
	_exit(127);
}

/* Read what is available; keep stdout up to its cap, stderr's tail. */
static int drain(struct pf_spawn *s, int fd, int is_err)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	if (is_err) {
		if (s->errout.len + (size_t)n > STDERR_CAP)
			pf_buf_truncate(&s->errout, 0);
		pf_buf_append(&s->errout, chunk, (size_t)n);
	} else if (s->out.len + (size_t)n <= STDOUT_CAP) {
		pf_buf_append(&s->out, chunk, (size_t)n);
	} else {
		s->stdout_truncated = 1;
	}
	return 1;
}

int pf_spawn_run(struct pf_spawn *s, struct pf_err *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc = 0, wstatus = 0;
	struct pollfd pfd[2];
	struct rusage ru;
	double start, last_tick = 0;
	pid_t pid, parent;

	if (pipe2(outp, O_CLOEXEC) < 0 || (!s->merge_stderr && pipe2(errp, O_CLOEXEC) < 0)) {
		rc = pf_err_set(err, PF_EFAIL, "pipe: %s", strerror(errno));
		goto out;
	}
	interrupt_requested = 0;
	start = now();
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		rc = pf_err_set(err, PF_EFAIL, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(s, parent, outp[1], s->merge_stderr ? outp[1] : errp[1]);
	setpgid(pid, pid); /* also in the child: whichever runs first */
	current_pgid = pid;
	close(outp[1]);
	outp[1] = -1;
	if (errp[1] >= 0) {
		close(errp[1]);
		errp[1] = -1;
	}
	pfd[0].fd = outp[0];
	pfd[1].fd = errp[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		double t;
		int k, n = poll(pfd, 2, 100);

		if (n < 0 && errno != EINTR)
			break;
		for (k = 0; k < 2 && n > 0; k++)
			if (pfd[k].fd >= 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !drain(s, pfd[k].fd, k == 1)) {
				close(pfd[k].fd);
				pfd[k].fd = -1;
				if (k == 0)
					outp[0] = -1;
				else
					errp[0] = -1;
			}
		t = now() - start;
		if (s->timeout > 0 && t > s->timeout && !s->timed_out) {
			s->timed_out = 1;
			kill(-pid, SIGKILL);
		}
		if (s->progress && t - last_tick >= 0.1) {
			last_tick = t;
			s->progress(s->ctx, s->phase ? s->phase : "running", t, s->timeout);
		}
	}
	while (wait4(pid, &wstatus, 0, &ru) < 0) {
		if (errno != EINTR) {
			rc = pf_err_set(err, PF_EFAIL, "wait: %s", strerror(errno));
			current_pgid = 0;
			goto out;
		}
	}
	/* leftovers of the group (a forked helper) do not outlive the run */
	kill(-pid, SIGKILL);
	current_pgid = 0;
	s->wall_seconds = now() - start;
	s->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	s->interrupted = interrupt_requested;
	if (WIFEXITED(wstatus)) {
		s->exited = 1;
		s->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		s->signal = WTERMSIG(wstatus);
	}
out:
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	return rc;
}

void pf_spawn_describe(const struct pf_spawn *s, char *dst, size_t size)
{
	if (s->interrupted)
		pf_fmt(dst, size, "interrupted");
	else if (s->timed_out)
		pf_fmt(dst, size, "killed at the time limit of %g s (a hang or far too slow)", s->timeout);
	else if (s->signal)
		pf_fmt(dst, size, "crashed (%s)", strsignal(s->signal));
	else if (s->exited && s->status != 0)
		pf_fmt(dst, size, "exited with status %d", s->status);
	else
		dst[0] = '\0';
}
