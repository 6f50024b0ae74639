/*
 * cmd-record.c - `proflab record`: profile any dynamically linked program
 * by running it with libproflab.so preloaded and the runtime's PROFLAB_*
 * variables set from the flags. The child keeps our stdin, stdout and
 * stderr; its exit status (or death by a signal) becomes ours.
 *
 * Option values and the -http address are checked before the run, so
 * that a mistake does not cost a whole run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/paths.h"
#include "../runtime/http_addr.h"
#include "command.h"
#include "opt.h"
#include "proflab.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_record = {
	.name = "record",
	.synopsis = "[-cpuprofile F] [-hz N] [-memprofile F] [-memprofilerate N] [-memstats] [-http ADDR] -- CMD [ARGS]",
	.summary = "profile any dynamically linked program",
	.help = "Runs CMD with the proflab runtime preloaded (LD_PRELOAD) and writes its\n"
		"profiles when it ends. CMD's stdin, stdout and stderr are left alone;\n"
		"SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to it.\n"
		"\n"
		"  -cpuprofile F      write a CPU profile to F (gzip-compressed pprof)\n"
		"  -hz N              CPU samples per CPU-second, 1 to 10000 (default 100)\n"
		"  -memprofile F      write a heap profile to F\n"
		"  -memprofilerate N  heap sampling rate in bytes (default 524288; 1 = all)\n"
		"  -memstats          print memory statistics when CMD exits\n"
		"  -http ADDR         serve /debug/pprof/ on ADDR while CMD runs\n"
		"\n"
		"Relative profile paths are relative to the current directory.\n"
		"Exit status: CMD's own; if CMD is killed by a signal, proflab dies of the\n"
		"same signal (a shell shows 128+N); 127 when CMD is not found, 126 when\n"
		"it cannot be executed; 2 for bad usage (a bad option value or -http\n"
		"address), before CMD is started.\n"
		"\n"
		"Example:\n"
		"  proflab record -cpuprofile cpu.pb.gz -hz 1000 -- ./myprog input.txt\n"
		"  proflab pprof -top cpu.pb.gz\n",
	.run = run,
};

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* An absolute version of path, in out. */
static int absolute(const char *path, struct pf_buf *out)
{
	char cwd[4096];

	if (path[0] == '/')
		return pf_buf_puts(out, path);
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return pf_buf_printf(out, "%s/%s", cwd, path);
}

static int set_path_env(const char *name, const char *path)
{
	struct pf_buf b = PF_BUF_INIT;
	int rc;

	if (absolute(path, &b) < 0) {
		fprintf(stderr, "proflab record: %s: %s\n", path, strerror(errno));
		pf_buf_release(&b);
		return -1;
	}
	rc = setenv(name, b.data, 1);
	pf_buf_release(&b);
	return rc;
}

static int set_long_env(const char *name, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", v);
	return setenv(name, s, 1);
}

/* -hz and -memprofilerate: the value, and whether it was given at all
 * (any value, -1 included, can be given and must then be checked). */
struct long_opt {
	long v;
	int given;
};

static int set_long(const char *name, const char *value, void *ctx, struct pf_err *err)
{
	struct long_opt *o = ctx;
	char *end;

	errno = 0;
	o->v = strtol(value, &end, 10);
	if (errno || end == value || *end)
		return pf_err_set(err, PF_EUSAGE, "bad value '%s' for -%s: want an integer", value,
				  name);
	o->given = 1;
	return 0;
}

/*
 * A profile path that is really the next option: "-cpuprofile -- CMD"
 * takes "--" as the file (and would run CMD), "-cpuprofile -memprofile x"
 * takes "-memprofile". A file whose name starts with '-' can be written
 * as ./-name. 0, or -1 after the message.
 */
static int check_path_value(const char *option, const char *path)
{
	if (!*path || strcmp(path, "--") == 0) {
		fprintf(stderr, "proflab record: %s needs a file\n", option);
		return -1;
	}
	if (path[0] == '-') {
		fprintf(stderr, "proflab record: %s needs a file, not %s (write ./%s for a file of that name)\n",
			option, path, path);
		return -1;
	}
	return 0;
}

/* -http: the address the runtime would refuse, refused before the run and
 * named as the option (the runtime's own message names PROFLAB_HTTP and
 * lets the program run without the endpoint). 0, or -1 after the message. */
static int check_http(const char *http)
{
	const char *remote = getenv("PROFLAB_HTTP_ALLOW_REMOTE");
	int allow_remote = remote && strcmp(remote, "1") == 0;
	struct pf_http_addr a;
	struct pf_err err = { 0 };

	if (!*http || strcmp(http, "--") == 0) {
		fprintf(stderr, "proflab record: -http needs an address, HOST:PORT (e.g. %s)\n",
			PROFLAB_DEFAULT_HTTP);
		return -1;
	}
	if (pf_http_addr_parse(http, allow_remote, &a, &err) < 0) {
		fprintf(stderr, "proflab record: -http %s\n", err.msg);
		return -1;
	}
	if (!a.loopback && !allow_remote) {
		fprintf(stderr,
			"proflab record: -http %s: refusing a non-loopback address (set PROFLAB_HTTP_ALLOW_REMOTE=1 to allow it)\n",
			http);
		return -1;
	}
	return 0;
}

/* Die the way the child died (no core file of our own), else 128+sig. */
static int die_like(int sig)
{
	struct rlimit rl = { 0, 0 };
	sigset_t set;

	setrlimit(RLIMIT_CORE, &rl);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

static int run(int argc, char **argv)
{
	const char *cpuprofile = NULL, *memprofile = NULL, *http = NULL;
	struct long_opt hz = { 0, 0 }, memrate = { 0, 0 };
	int memstats = 0;
	const struct pf_opt opts[] = {
		{ "cpuprofile", PF_OPT_STRING, &cpuprofile, NULL, 0 },
		{ "hz", PF_OPT_FUNC, &hz, set_long, 1 },
		{ "memprofile", PF_OPT_STRING, &memprofile, NULL, 0 },
		{ "memprofilerate", PF_OPT_FUNC, &memrate, set_long, 1 },
		{ "memstats", PF_OPT_FLAG, &memstats, NULL, 0 },
		{ "http", PF_OPT_STRING, &http, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_buf preload = PF_BUF_INIT;
	char **pos = argv + 1;
	int npos = 0, status, rc, pipefd[2] = { -1, -1 }, child_errno = 0, ws;
	const char *lib, *old;
	sigset_t block, oldmask;
	struct sigaction sa;
	struct stat st;
	size_t i;
	ssize_t n;
	pid_t pid;

	rc = pf_opt_parse(opts, argc, argv, PF_OPT_STOP_AT_ARG, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_record, rc, &err, &status))
		return status;
	/* Values first: "-cpuprofile -- CMD" leaves no command behind. */
	if ((cpuprofile && check_path_value("-cpuprofile", cpuprofile) < 0) ||
	    (memprofile && check_path_value("-memprofile", memprofile) < 0))
		return 2;
	if (hz.given && (hz.v < 1 || hz.v > PROFLAB_MAX_HZ)) {
		fprintf(stderr, "proflab record: -hz %ld: want a rate from 1 to %d\n", hz.v,
			PROFLAB_MAX_HZ);
		return 2;
	}
	if (memrate.given && memrate.v < 0) {
		fprintf(stderr, "proflab record: -memprofilerate %ld: want 0 or more bytes\n", memrate.v);
		return 2;
	}
	if (http && check_http(http) < 0)
		return 2;
	if (npos == 0) {
		fprintf(stderr, "proflab record: missing the command to run (after --)\n"
				"usage: proflab record %s\n", pf_cmd_record.synopsis);
		return 2;
	}
	pos[npos] = NULL; /* positionals were compacted within argv */
	lib = pf_paths_runtime_lib();
	if (!lib || stat(lib, &st) < 0) {
		fprintf(stderr, "proflab record: runtime library %s: %s\n", lib ? lib : "libproflab.so",
			strerror(lib ? errno : ENOENT));
		return 1;
	}

	/* The child's environment. */
	old = getenv("LD_PRELOAD");
	if (pf_buf_puts(&preload, lib) < 0 ||
	    (old && *old && pf_buf_printf(&preload, " %s", old) < 0) ||
	    setenv("LD_PRELOAD", preload.data, 1) < 0)
		goto oom;
	if (cpuprofile && set_path_env("PROFLAB_CPUPROFILE", cpuprofile) < 0)
		goto fail;
	if (hz.given && set_long_env("PROFLAB_HZ", hz.v) < 0)
		goto oom;
	if (memprofile && set_path_env("PROFLAB_HEAPPROFILE", memprofile) < 0)
		goto fail;
	if (memrate.given && set_long_env("PROFLAB_HEAP_RATE", memrate.v) < 0)
		goto oom;
	if (memstats && setenv("PROFLAB_MEMSTATS", "1", 1) < 0)
		goto oom;
	if (http && setenv("PROFLAB_HTTP", http, 1) < 0)
		goto oom;

	/* Signals to forward stay blocked until the handler is in place. */
	sigemptyset(&block);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		goto fail_errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto fail_errno;
	if (pid == 0) {
		int e;

		close(pipefd[0]);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		execvp(pos[0], pos);
		e = errno;
		if (write(pipefd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	child_pid = pid;
	close(pipefd[1]);
	pipefd[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);

	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	pipefd[0] = -1;
	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR)
			goto fail_errno;
	}
	pf_buf_release(&preload);
	if (n == (ssize_t)sizeof(child_errno)) {
		fprintf(stderr, "proflab record: %s: %s\n", pos[0], strerror(child_errno));
		return child_errno == ENOENT ? 127 : 126;
	}
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return die_like(WTERMSIG(ws));
	return 1;

oom:
	errno = ENOMEM;
fail_errno:
	fprintf(stderr, "proflab record: %s\n", strerror(errno));
fail:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	pf_buf_release(&preload);
	return 1;
}
