/*
 * exercise_check.c - building an exercise, running it under the CPU and
 * heap profilers, and checking a fix against the manifest's criteria
 * (exercise.h: pf_exercise_run, pf_exercise_check).
 *
 * A check measures the pristine program in the same check (so relative
 * bounds compare like with like on a busy machine), builds it and the
 * candidate in scratch directories under <workspace>/.check/<slug>/, and
 * decides output first: a fast but wrong program fails on its output and
 * its speed is not judged. Checks of the same exercise take turns (a lock
 * in that directory); checks of different exercises run side by side.
 */
#include "exercise.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/paths.h"
#include "../base/str.h"
#include "../pprof/flame.h"
#include "../pprof/profile.h"
#include "criteria.h"
#include "exercise_internal.h"
#include "exercise_spawn.h"
#include "progress.h"

#define MAX_ARGS 32

void pf_exercise_run_result_init(struct pf_exercise_run_result *res)
{
	memset(res, 0, sizeof(*res));
	pf_buf_init(&res->output, 0);
	res->exit_status = -1;
}

void pf_exercise_run_result_release(struct pf_exercise_run_result *res)
{
	pf_buf_release(&res->output);
}

void pf_check_result_init(struct pf_check_result *r)
{
	memset(r, 0, sizeof(*r));
	pf_buf_init(&r->log, 0);
}

void pf_check_result_release(struct pf_check_result *r)
{
	free(r->criteria);
	r->criteria = NULL;
	r->ncriteria = 0;
	pf_buf_release(&r->log);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Build in dir with the manifest's command (through sh). 0 when it
 * compiled; PF_EFAIL with the compiler's messages in log otherwise. */
static int build(const struct pf_manifest *m, const char *dir, pf_exercise_progress_fn progress,
		 void *ctx, struct pf_buf *log, char *problem, size_t psize, struct pf_err *err)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)m->build, NULL };
	struct pf_spawn s;
	char how[256];
	int rc;

	pf_spawn_init(&s);
	s.argv = argv;
	s.dir = dir;
	s.timeout = m->timeout;
	s.merge_stderr = 1;
	s.progress = progress;
	s.ctx = ctx;
	s.phase = "building";
	rc = pf_spawn_run(&s, err);
	if (rc < 0)
		goto out;
	pf_buf_append(log, s.out.data, s.out.len);
	pf_spawn_describe(&s, how, sizeof(how));
	if (how[0]) {
		pf_fmt(problem, psize, "the build failed (%s): %s", how, m->build);
		rc = PF_EFAIL;
	}
out:
	pf_spawn_release(&s);
	return rc;
}

/* One profiled run of the program built in dir, saving profiles as
 * <profdir>/<prefix>cpu.pb.gz and heap.pb.gz. */
struct one_run {
	struct pf_spawn s;
	char cpu_path[PATH_MAX], heap_path[PATH_MAX];
	struct pf_profile *cpu, *heap;
	char problem[512];
};

static void one_run_release(struct one_run *r)
{
	pf_spawn_release(&r->s);
	pf_profile_free(r->cpu);
	pf_profile_free(r->heap);
	r->cpu = r->heap = NULL;
}

static int run_profiled(const struct pf_manifest *m, const char *dir, const char *profdir,
			const char *prefix, const char *phase, pf_exercise_progress_fn progress,
			void *ctx, struct one_run *r, struct pf_err *err)
{
	char line[sizeof(m->run)], *argv[MAX_ARGS + 1], *save = NULL, *p;
	char env_cpu[PATH_MAX + 32], env_heap[PATH_MAX + 32], env_hz[64], env_rate[64];
	char env_pre[PATH_MAX + 32];
	char *envs[] = { env_cpu, env_heap, env_hz, env_rate, env_pre, NULL };
	struct pf_err perr = { 0 };
	int n = 0, rc;

	memset(r, 0, sizeof(*r));
	pf_spawn_init(&r->s);
	pf_fmt(line, sizeof(line), "%s", m->run);
	for (p = strtok_r(line, " \t", &save); p && n < MAX_ARGS; p = strtok_r(NULL, " \t", &save))
		argv[n++] = p;
	argv[n] = NULL;
	if (pf_mkdir_p(profdir) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", profdir, strerror(errno));
	pf_fmt(r->cpu_path, sizeof(r->cpu_path), "%s/%scpu.pb.gz", profdir, prefix);
	pf_fmt(r->heap_path, sizeof(r->heap_path), "%s/%sheap.pb.gz", profdir, prefix);
	unlink(r->cpu_path);
	unlink(r->heap_path);
	pf_fmt(env_cpu, sizeof(env_cpu), "PROFLAB_CPUPROFILE=%s", r->cpu_path);
	pf_fmt(env_heap, sizeof(env_heap), "PROFLAB_HEAPPROFILE=%s", r->heap_path);
	pf_fmt(env_hz, sizeof(env_hz), "PROFLAB_HZ=%d", m->hz);
	pf_fmt(env_rate, sizeof(env_rate), "PROFLAB_HEAP_RATE=%ld", m->heaprate);
	pf_fmt(env_pre, sizeof(env_pre), "LD_PRELOAD=%s", pf_paths_runtime_lib());
	r->s.argv = argv;
	r->s.dir = dir;
	r->s.env_add = envs;
	r->s.timeout = m->timeout;
	r->s.progress = progress;
	r->s.ctx = ctx;
	r->s.phase = phase;
	rc = pf_spawn_run(&r->s, err);
	if (rc < 0)
		return rc;
	pf_spawn_describe(&r->s, r->problem, sizeof(r->problem));
	if (r->problem[0])
		return 0;
	if (access(r->cpu_path, F_OK) == 0) {
		r->cpu = pf_profile_read(r->cpu_path, &perr);
		if (!r->cpu)
			pf_fmt(r->problem, sizeof(r->problem), "%s", perr.msg);
	}
	if (access(r->heap_path, F_OK) == 0 && !r->problem[0]) {
		r->heap = pf_profile_read(r->heap_path, &perr);
		if (!r->heap)
			pf_fmt(r->problem, sizeof(r->problem), "%s", perr.msg);
	}
	return 0;
}

int pf_exercise_run(const char *slug, pf_exercise_progress_fn progress, void *ctx,
		    struct pf_exercise_run_result *res, struct pf_err *err)
{
	char profdir[PATH_MAX];
	struct pf_manifest m;
	struct one_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	pf_spawn_init(&r.s);
	rc = pf_ex_manifest(slug, &m, err);
	if (rc < 0)
		goto out;
	rc = pf_exercise_workdir(slug, res->workdir, sizeof(res->workdir), err);
	if (rc < 0)
		goto out;
	rc = build(&m, res->workdir, progress, ctx, &res->output, res->problem,
		   sizeof(res->problem), err);
	if (rc < 0) {
		if (res->problem[0])
			pf_err_set(err, PF_EFAIL, "%s", res->problem);
		goto out;
	}
	pf_buf_truncate(&res->output, 0);
	pf_fmt(profdir, sizeof(profdir), "%s/profiles", res->workdir);
	pf_spawn_release(&r.s);
	rc = run_profiled(&m, res->workdir, profdir, "", "running", progress, ctx, &r, err);
	if (rc < 0)
		goto out;
	pf_buf_append(&res->output, r.s.out.data, r.s.out.len);
	res->wall_seconds = r.s.wall_seconds;
	res->cpu_seconds = r.s.cpu_seconds;
	res->exit_status = r.s.exited ? r.s.status : -1;
	if (r.cpu)
		pf_fmt(res->cpu_profile, sizeof(res->cpu_profile), "%s", r.cpu_path);
	if (r.heap)
		pf_fmt(res->heap_profile, sizeof(res->heap_profile), "%s", r.heap_path);
	/* Ran to completion but profiled nothing: every report and check
	 * after this would be empty, so this run failed. */
	if (!r.problem[0] && !r.cpu && !r.heap)
		pf_fmt(r.problem, sizeof(r.problem), "the program wrote no profile (expected %s)",
		       r.cpu_path);
	if (r.problem[0]) {
		pf_fmt(res->problem, sizeof(res->problem), "%s", r.problem);
		if (r.s.errout.len)
			pf_buf_append(&res->output, r.s.errout.data, r.s.errout.len);
		rc = pf_err_set(err, PF_EFAIL, "%s: %s", slug, r.problem);
	}
out:
	one_run_release(&r);
	return rc;
}

/* How much of the line at s to quote in a difference: up to 60 bytes,
 * cut between characters (the reports must stay valid UTF-8). */
static int quoted_len(const char *s)
{
	return (int)pf_utf8_cut(s, strcspn(s, "\n"), 60);
}

/* Compare stdout with the expected file; describe the first difference. */
static int output_matches(const struct pf_buf *got, const char *expect_path, char *diff,
			  size_t size)
{
	struct pf_buf want = PF_BUF_INIT;
	const char *g = got->data, *w;
	size_t line = 1;
	int ok;

	if (pf_buf_read_file(&want, expect_path) < 0) {
		pf_fmt(diff, size, "%s: %s", expect_path, strerror(errno));
		pf_buf_release(&want);
		return 0;
	}
	w = want.data;
	ok = got->len == want.len && memcmp(got->data, want.data, got->len) == 0;
	if (!ok) {
		for (;;) {
			size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");

			if (gl != wl || memcmp(g, w, gl) != 0 || !*g || !*w)
				break;
			g += gl + 1;
			w += wl + 1;
			line++;
		}
		if (!*g)
			pf_fmt(diff, size, "line %zu: the output ends early; want \"%.*s\"", line,
			       quoted_len(w), w);
		else if (!*w)
			pf_fmt(diff, size, "line %zu: unexpected extra output \"%.*s\"", line,
			       quoted_len(g), g);
		else
			pf_fmt(diff, size, "line %zu: got \"%.*s\", want \"%.*s\"", line,
			       quoted_len(g), g, quoted_len(w), w);
	}
	pf_buf_release(&want);
	return ok;
}

/* Fresh scratch build dir with the exercise's files (and, for the
 * reference solution, solution/ over them). */
static int prepare_scratch(const char *slug, const struct pf_manifest *m, const char *from_dir,
			   const char *overlay, const char *dir, struct pf_err *err)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat st;
	size_t i;
	int rc;

	if (pf_mkdir_p(dir) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", dir, strerror(errno));
	(void)slug;
	for (i = 0; i < m->nfiles; i++) {
		pf_fmt(from, sizeof(from), "%s/%s", from_dir, m->files[i]);
		if (overlay) {
			char o[PATH_MAX];

			pf_fmt(o, sizeof(o), "%s/%s", overlay, m->files[i]);
			if (stat(o, &st) == 0)
				pf_fmt(from, sizeof(from), "%s", o);
		}
		pf_fmt(to, sizeof(to), "%s/%s", dir, m->files[i]);
		rc = pf_ex_copy_file(from, to, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Checks of one exercise take turns: they build in the same scratch copies
 * (<workspace>/.check/<slug>/) and write the same check-*.pb.gz, so two at
 * once broke each other's builds and read each other's profiles. The lock
 * is an flock on <scratch>/lock, which dies with its holder: a crashed or
 * killed check never blocks the next one. The fd is O_CLOEXEC, so programs
 * run by the check do not hold it. While it waits, the progress callback
 * says so (one line on stderr for the CLI) and pf_exercise_interrupt()
 * stops the wait. Returns the locked fd (close it to unlock) or a negative
 * code with err set.
 */
static int lock_scratch(const char *slug, const char *scratch, pf_exercise_progress_fn progress,
			void *ctx, struct pf_err *err)
{
	char path[PATH_MAX], phase[128];
	double start = now();
	int fd = -1, rc = 0;

	if (pf_mkdir_p(scratch) < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", scratch, strerror(errno));
	pf_fmt(path, sizeof(path), "%s/lock", scratch);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
	pf_fmt(phase, sizeof(phase), "waiting for another check of %s", slug);
	pf_spawn_interrupt_clear();
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec tick = { 0, 100 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = pf_err_set(err, PF_EFAIL, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (progress)
			progress(ctx, phase, now() - start, 0);
		if (pf_spawn_interrupt_pending()) {
			rc = pf_err_set(err, PF_EFAIL, "interrupted while %s", phase);
			goto out;
		}
		nanosleep(&tick, NULL);
	}
out:
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static void progress_done(pf_exercise_progress_fn progress, void *ctx, const char *phase)
{
	if (progress)
		progress(ctx, phase, 0, 0);
}

int pf_exercise_check(const char *slug, int solution, pf_exercise_progress_fn progress,
		      void *ctx, struct pf_check_result *r, struct pf_err *err)
{
	char pristine_src[PATH_MAX], cand_dir[PATH_MAX], pris_dir[PATH_MAX], scratch[PATH_MAX];
	char overlay[PATH_MAX], expect[PATH_MAX], workdir[PATH_MAX];
	struct pf_measurement cm, pm;
	struct one_run cand, pris;
	struct pf_manifest m;
	double t0 = now(), best_ratio = 0;
	int rc, need_pristine = 0, output_ok = 1, lock = -1;
	size_t i;

	memset(&cand, 0, sizeof(cand));
	memset(&pris, 0, sizeof(pris));
	pf_spawn_init(&cand.s);
	pf_spawn_init(&pris.s);
	pf_fmt(r->slug, sizeof(r->slug), "%s", slug);
	r->solution = solution;
	rc = pf_ex_manifest(slug, &m, err);
	if (rc < 0)
		goto out;
	r->criteria = calloc(m.ncriteria, sizeof(*r->criteria));
	if (!r->criteria) {
		rc = pf_err_set(err, PF_EFAIL, "out of memory");
		goto out;
	}
	r->ncriteria = m.ncriteria;
	for (i = 0; i < m.ncriteria; i++) {
		pf_fmt(r->criteria[i].name, sizeof(r->criteria[i].name), "%s", m.criteria[i].text);
		if (m.criteria[i].relative)
			need_pristine = 1;
	}
	pf_ex_pristine_dir(slug, pristine_src, sizeof(pristine_src));
	pf_fmt(expect, sizeof(expect), "%s/%s", pristine_src, m.expect);
	pf_fmt(scratch, sizeof(scratch), "%s/.check/%s", pf_paths_workspace(), slug);
	lock = lock_scratch(slug, scratch, progress, ctx, err);
	if (lock < 0) {
		rc = lock;
		goto out;
	}
	t0 = now(); /* the wait is not part of the check's duration */
	pf_fmt(pris_dir, sizeof(pris_dir), "%s/pristine", scratch);
	if (solution) {
		pf_fmt(cand_dir, sizeof(cand_dir), "%s/solution", scratch);
		pf_fmt(overlay, sizeof(overlay), "%s/solution", pristine_src);
		rc = prepare_scratch(slug, &m, pristine_src, overlay, cand_dir, err);
		pf_fmt(r->profiles_dir, sizeof(r->profiles_dir), "%s/profiles", scratch);
	} else {
		rc = pf_exercise_workdir(slug, workdir, sizeof(workdir), err);
		if (rc == 0) {
			pf_fmt(cand_dir, sizeof(cand_dir), "%s/learner", scratch);
			rc = prepare_scratch(slug, &m, workdir, NULL, cand_dir, err);
		}
		pf_fmt(r->profiles_dir, sizeof(r->profiles_dir), "%s/profiles", workdir);
	}
	if (rc < 0)
		goto out;

	/* the candidate: build, run, output */
	if (build(&m, cand_dir, progress, ctx, &r->log, r->problem, sizeof(r->problem), err) < 0) {
		if (!r->problem[0])
			goto fail_rc;
		goto decided;
	}
	rc = run_profiled(&m, cand_dir, r->profiles_dir, "check-",
			  solution ? "running the reference solution" : "running your version",
			  progress, ctx, &cand, err);
	if (rc < 0)
		goto out;
	if (cand.problem[0]) {
		pf_fmt(r->problem, sizeof(r->problem), "your program %s", cand.problem);
		if (solution)
			pf_fmt(r->problem, sizeof(r->problem), "the reference solution %s", cand.problem);
		pf_buf_append(&r->log, cand.s.errout.data, cand.s.errout.len);
		goto decided;
	}
	memset(&cm, 0, sizeof(cm));
	cm.cpu = cand.cpu;
	cm.heap = cand.heap;
	cm.cpu_seconds = cand.s.cpu_seconds;
	cm.wall_seconds = cand.s.wall_seconds;
	cm.output_ok = 1;
	if (m.expect[0]) {
		cm.output_ok = !cand.s.stdout_truncated &&
			       output_matches(&cand.s.out, expect, cm.output_diff, sizeof(cm.output_diff));
		output_ok = cm.output_ok;
	}

	/* the pristine program, measured now on the same machine */
	memset(&pm, 0, sizeof(pm));
	if (need_pristine && output_ok) {
		rc = prepare_scratch(slug, &m, pristine_src, NULL, pris_dir, err);
		if (rc < 0)
			goto out;
		if (build(&m, pris_dir, progress, ctx, &r->log, r->problem, sizeof(r->problem), err) < 0) {
			if (!r->problem[0])
				goto fail_rc;
			pf_fmt(r->problem, sizeof(r->problem), "the pristine exercise does not build");
			goto decided;
		}
		rc = run_profiled(&m, pris_dir, r->profiles_dir, "pristine-",
				  "running the pristine program", progress, ctx, &pris, err);
		if (rc < 0)
			goto out;
		if (pris.problem[0]) {
			pf_fmt(r->problem, sizeof(r->problem), "the pristine program %s", pris.problem);
			goto decided;
		}
		pm.cpu = pris.cpu;
		pm.heap = pris.heap;
		pm.cpu_seconds = pris.s.cpu_seconds;
		pm.wall_seconds = pris.s.wall_seconds;
		pm.output_ok = 1;
	}
	progress_done(progress, ctx, "deciding");

	r->passed = 1;
	for (i = 0; i < m.ncriteria; i++) {
		struct pf_criterion_result *cr = &r->criteria[i];
		struct pf_verdict v;

		if (!output_ok && m.criteria[i].metric != PF_METRIC_OUTPUT) {
			cr->passed = 0;
			pf_fmt(cr->message, sizeof(cr->message), "not judged: the output is wrong");
			r->passed = 0;
			continue;
		}
		pf_criterion_eval(&m.criteria[i], &cm, need_pristine ? &pm : NULL, &v);
		cr->passed = v.passed;
		pf_fmt(cr->measured, sizeof(cr->measured), "%s", v.measured);
		pf_fmt(cr->wanted, sizeof(cr->wanted), "%s", v.wanted_text);
		pf_fmt(cr->message, sizeof(cr->message), "%s", v.message);
		if (!v.passed)
			r->passed = 0;
			/* the headline gain: CPU samples, else the largest relative improvement */
		if (v.passed && v.gain[0] && m.criteria[i].relative) {
			double ratio = v.value > 0 ? v.pristine / v.value : 1e18;

			/* whole-program CPU samples read best as the headline */
			if (m.criteria[i].metric == PF_METRIC_CPU_SAMPLES)
				ratio = 1e30;

			if (ratio > best_ratio) {
				best_ratio = ratio;
				pf_fmt(r->gain, sizeof(r->gain), "%s", v.gain);
			}
		}
	}
	if (!r->passed)
		r->gain[0] = '\0';

	/* what the fix changed, as a differential flame graph */
	if (cand.cpu && pris.cpu) {
		struct pf_err ferr = { 0 };
		int si = pf_profile_sample_index(cand.cpu, "samples");

		pf_fmt(r->diff_svg, sizeof(r->diff_svg), "%s/diff.svg", r->profiles_dir);
		if (pf_flame_write_svg_diff(cand.cpu, pris.cpu, si < 0 ? 0 : si, r->diff_svg, NULL,
					    &ferr) < 0)
			r->diff_svg[0] = '\0';
	}
	goto decided;

fail_rc:
	rc = PF_EFAIL;
	goto out;
decided:
	if (r->problem[0])
		r->passed = 0;
	rc = 0;
	if (!solution) {
		struct pf_err perr = { 0 };

		pf_ex_save_status(slug, r->passed, r->gain);
		if (pf_progress_record_exercise(slug, r->passed, r->passed ? r->gain : NULL, &perr) < 0) {
			char w[600];

			pf_fmt(w, sizeof(w), "progress not saved: %s", perr.msg);
			pf_ex_warn(w);
		}
	}
out:
	r->seconds = now() - t0;
	one_run_release(&cand);
	one_run_release(&pris);
	if (lock >= 0)
		close(lock);
	return rc;
}
