/*
 * cmd-record.c - `proflab record`: profile any dynamically linked program
 * by running it with libproflab.so preloaded and the runtime's PROFLAB_*
 * variables set from the flags. The child keeps our stdin, stdout and
 * stderr; its exit status (or death by a signal) becomes ours.
 *
 * What can be checked before the run is (option values, the -http
 * address, the profiles' directories, a statically linked CMD that the
 * preload cannot reach), so that a mistake does not cost a whole run; and
 * after it, every profile asked for that was not written is reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
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
	.stateless = 1,
	.synopsis = "[-cpuprofile F] [-hz N] [-memprofile F] [-memprofilerate N] [-memstats] [-http ADDR] -- CMD [ARGS]",
	.summary = "profile any dynamically linked program",
	.help = "Runs CMD with the proflab runtime preloaded (LD_PRELOAD) and writes its\n"
		"profiles when it ends. CMD's stdin, stdout and stderr are left alone;\n"
		"SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to it.\n"
		"\n"
		"  -cpuprofile F      write a CPU profile to F (gzip-compressed pprof)\n"
		"  -hz N              CPU samples per CPU-second, 1 to 10000 (default 100)\n"
		"  -memprofile F      write a heap profile to F\n"
		"  -memprofilerate N  heap sampling rate in bytes (default 524288; 1 = all,\n"
		"                     0 = off; at most 2^40)\n"
		"  -memstats          print memory statistics when CMD exits\n"
		"  -http ADDR         serve /debug/pprof/ on ADDR while CMD runs\n"
		"\n"
		"Relative profile paths are relative to the current directory; their\n"
		"directories must exist and be writable. CMD must be dynamically linked:\n"
		"a statically linked program cannot take the preloaded runtime, link it\n"
		"with libproflab.a instead (see README, \"Profiling your own programs\").\n"
		"\n"
		"Profiles are written when CMD calls exit() or returns from main (and\n"
		"the CPU profile, as far as it can be, when CMD dies of a signal other\n"
		"than SIGKILL). A program that ends with _exit(), or exec()s another\n"
		"one (sh -c does for its last command), or is killed with SIGKILL,\n"
		"writes none: each profile asked for and not written is reported on\n"
		"stderr. -memstats is printed by CMD itself, on its stderr, only when it\n"
		"calls exit() or returns from main; otherwise nothing is printed, and as\n"
		"record cannot tell, that is not reported.\n"
		"\n"
		"Exit status: CMD's own, except 1 when CMD succeeded but a profile asked\n"
		"for was not written; if CMD is killed by a signal, proflab dies of the\n"
		"same signal (a shell shows 128+N); 127 when CMD is not found, 126 when\n"
		"it cannot be executed; 2 for bad usage (a bad option value or -http\n"
		"address, a profile directory that is missing or not writable, a\n"
		"statically linked CMD), before CMD is started.\n"
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

/*
 * The runtime writes a profile to a temporary file beside it and renames
 * it over the path, at the very end of the run: a directory that is
 * missing or not writable must be found out now, not then. 0, or -1
 * after the message.
 */
static int check_out_dir(const char *option, const char *path)
{
	struct pf_buf dir = PF_BUF_INIT;
	const char *slash = strrchr(path, '/');
	struct stat st;
	int rc = -1;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "proflab record: %s %s: is a directory\n", option, path);
		return -1;
	}
	if (!slash)
		pf_buf_puts(&dir, ".");
	else if (slash == path)
		pf_buf_puts(&dir, "/");
	else
		pf_buf_append(&dir, path, (size_t)(slash - path));
	if (stat(dir.data, &st) < 0)
		fprintf(stderr, "proflab record: %s %s: directory %s: %s\n", option, path, dir.data,
			strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		fprintf(stderr, "proflab record: %s %s: %s is not a directory\n", option, path,
			dir.data);
	else if (access(dir.data, W_OK | X_OK) < 0)
		fprintf(stderr, "proflab record: %s %s: cannot write in directory %s: %s\n", option,
			path, dir.data, strerror(errno));
	else
		rc = 0;
	pf_buf_release(&dir);
	return rc;
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

/* The file execvp() would run for cmd, into out; -1 when there is none
 * (execvp then reports it). */
static int find_program(const char *cmd, struct pf_buf *out)
{
	const char *path = getenv("PATH"), *p, *colon;
	struct stat st;

	if (strchr(cmd, '/'))
		return pf_buf_puts(out, cmd);
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = colon + 1) {
		colon = strchr(p, ':');
		pf_buf_truncate(out, 0);
		if (colon == p || *p == '\0')
			pf_buf_puts(out, ".");
		else
			pf_buf_append(out, p, colon ? (size_t)(colon - p) : strlen(p));
		pf_buf_printf(out, "/%s", cmd);
		if (stat(out->data, &st) == 0 && S_ISREG(st.st_mode) && access(out->data, X_OK) == 0)
			return 0;
		if (!colon)
			return -1;
	}
}

/* Whether the ELF file on fd is an executable without a PT_INTERP, that
 * is statically linked (static-pie included): 1, 0 (dynamic, or not
 * something we recognise). */
static int elf_is_static(int fd)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t i, phnum;
	int rc = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return 0;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || elf_getphdrnum(e, &phnum) != 0 ||
	    phnum == 0)
		goto out;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			goto out;
		if (ph.p_type == PT_INTERP)
			goto out;
	}
	rc = 1;
out:
	elf_end(e);
	return rc;
}

/*
 * Whether the program that will really run for cmd is statically linked:
 * cmd itself, or the interpreter of a "#!" script (*script set to 1). 1
 * with its path in which, else 0 (dynamic, not found, unreadable: the
 * run decides).
 */
static int runs_static(const char *cmd, struct pf_buf *which, int *script)
{
	char head[256];
	ssize_t n;
	int fd, depth, rc = 0;

	*script = 0;
	if (find_program(cmd, which) < 0)
		return 0;
	for (depth = 0; depth < 2; depth++) {
		size_t start = 2, len;

		fd = open(which->data, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		n = pread(fd, head, sizeof(head) - 1, 0);
		if (n >= 2 && head[0] == '#' && head[1] == '!') {
			close(fd);
			head[n] = '\0';
			start += strspn(head + 2, " \t");
			len = strcspn(head + start, " \t\r\n");
			if (len == 0 || head[start] != '/')
				return 0;
			pf_buf_truncate(which, 0);
			pf_buf_append(which, head + start, len);
			*script = 1;
			continue;
		}
		rc = elf_is_static(fd);
		close(fd);
		return rc;
	}
	return 0;
}

/* A profile asked for, and its file before the run, to tell afterwards
 * whether this run wrote it. The runtime replaces a regular file by
 * renaming a new one over it (a new inode); a writer that rewrote it in
 * place would still change its modification time. */
struct out_file {
	const char *option; /* "-cpuprofile" */
	const char *path;   /* as given */
	int existed;
	struct stat before;
};

static void out_file_note(struct out_file *o, const char *option, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->option = option;
	o->path = path;
	o->existed = stat(path, &o->before) == 0;
}

static int out_file_written(const struct out_file *o)
{
	struct stat now;

	if (stat(o->path, &now) < 0)
		return 0;
	if (!o->existed)
		return 1;
	/* A device or FIFO is written in place and may keep every stamp
	 * (a null device does): there is no telling, so no report. */
	if (!S_ISREG(o->before.st_mode))
		return 1;
	return now.st_dev != o->before.st_dev || now.st_ino != o->before.st_ino ||
	       now.st_size != o->before.st_size ||
	       now.st_mtim.tv_sec != o->before.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != o->before.st_mtim.tv_nsec ||
	       now.st_ctim.tv_sec != o->before.st_ctim.tv_sec ||
	       now.st_ctim.tv_nsec != o->before.st_ctim.tv_nsec;
}

/* One line per profile asked for and not written; the number of them. */
static int report_missing(const struct out_file *outs, size_t n, int ws)
{
	int missing = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!outs[i].option || out_file_written(&outs[i]))
			continue;
		missing++;
		if (WIFSIGNALED(ws))
			fprintf(stderr, "proflab record: %s %s: not written: the program was killed by signal %d (%s)\n",
				outs[i].option, outs[i].path, WTERMSIG(ws), strsignal(WTERMSIG(ws)));
		else
			fprintf(stderr, "proflab record: %s %s: not written: the program may have ended with _exit() or exec'd another program (as sh -c does with its last command), or the runtime could not write it\n",
				outs[i].option, outs[i].path);
	}
	return missing;
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
	struct pf_buf preload = PF_BUF_INIT, prog = PF_BUF_INIT;
	struct out_file outs[2];
	char **pos = argv + 1;
	int npos = 0, status, rc, pipefd[2] = { -1, -1 }, child_errno = 0, ws, script;
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
	if (memrate.given && (memrate.v < 0 || memrate.v > PROFLAB_MAX_HEAP_RATE)) {
		fprintf(stderr, "proflab record: -memprofilerate %ld: want 0 to %lld bytes\n",
			memrate.v, PROFLAB_MAX_HEAP_RATE);
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
	if ((cpuprofile && check_out_dir("-cpuprofile", cpuprofile) < 0) ||
	    (memprofile && check_out_dir("-memprofile", memprofile) < 0))
		return 2;
	if (runs_static(pos[0], &prog, &script)) {
		if (!script)
			fprintf(stderr, "proflab record: %s is statically linked, so the runtime cannot be preloaded into it; link it with libproflab.a instead (see README, \"Profiling your own programs\")\n",
				prog.data);
		else
			fprintf(stderr, "proflab record: %s runs %s, which is statically linked, so the runtime cannot be preloaded into it; link it with libproflab.a instead (see README, \"Profiling your own programs\")\n",
				pos[0], prog.data);
		pf_buf_release(&prog);
		return 2;
	}
	pf_buf_release(&prog);
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

	/* What the profiles' files are before the run, to tell whether it
	 * wrote them. */
	memset(outs, 0, sizeof(outs));
	if (cpuprofile)
		out_file_note(&outs[0], "-cpuprofile", cpuprofile);
	if (memprofile)
		out_file_note(&outs[1], "-memprofile", memprofile);

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
	rc = report_missing(outs, sizeof(outs) / sizeof(outs[0]), ws);
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws) == 0 && rc > 0 ? 1 : WEXITSTATUS(ws);
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
