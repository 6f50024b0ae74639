/*
 * test_pprof_builder_cpu.c - accuracy of the CPU profiler end to end:
 * tests/progs/cpu_split (2 threads, 60/30/10 % of the CPU in work_a,
 * work_b, work_c, measured by the program itself) runs at 1000 Hz for
 * 6 CPU-seconds with libproflab.so preloaded from a copy of the binary
 * that is deleted afterwards; the profile is then read by proflab
 * (pf_profile_read + functab) and by `go tool pprof -symbolize=none -top`.
 * Each function's cum% must be within 2.5 points of the truth, and the
 * total sampled time within 10 % of the process's CPU time.
 */
#include "base/buf.h"
#include "base/str.h"
#include "pprof/functab.h"
#include "pprof/profile.h"

#include <stdlib.h>
#include <unistd.h>

#include "t.h"

static const char *names[3] = { "work_a", "work_b", "work_c" };
static double truth[3], truth_total;
static char dir[256], profile[512];
static int ran;

static void run_program(void)
{
	const char *build = getenv("BUILD");
	char root[4096], cmd[8192], line[256];
	FILE *f;
	int i, rc;

	if (!build)
		build = "build";
	if (!getcwd(root, sizeof(root)))
		return;
	pf_fmt(dir, sizeof(dir), "/tmp/proflab-cpu-acc.XXXXXX");
	if (!mkdtemp(dir))
		return;
	pf_fmt(profile, sizeof(profile), "%s/cpu.pb.gz", dir);
	/* A copy of the binary, removed once it ran: the readers must not need it. */
	pf_fmt(cmd, sizeof(cmd),
		 "cp '%s/%s/tests/progs/cpu_split' '%s/cpu_split' && cd '%s' && "
		 "LD_PRELOAD='%s/%s/libproflab.so' PROFLAB_CPUPROFILE=cpu.pb.gz PROFLAB_HZ=1000 "
		 "./cpu_split 6; rc=$?; rm -f cpu_split; exit $rc",
		 build[0] == '/' ? "" : root, build, dir, dir, build[0] == '/' ? "" : root, build);
	f = popen(cmd, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		double v;

		if (sscanf(line, "truth %63s %lf", name, &v) != 2)
			continue;
		for (i = 0; i < 3; i++)
			if (strcmp(name, names[i]) == 0)
				truth[i] = v;
		if (strcmp(name, "total") == 0)
			truth_total = v;
	}
	rc = pclose(f);
	ran = rc == 0 && truth_total > 0;
	if (!ran)
		printf("  running cpu_split failed (status %d)\n", rc);
}

static void test_proflab_reading(void)
{
	struct pf_err err = { 0 };
	struct pf_profile *p;
	struct pf_functab t;
	int i, si;
	double sum = 0;

	if (!CHECK(ran))
		return;
	p = pf_profile_read(profile, &err);
	if (!CHECK(p != NULL)) {
		printf("  %s\n", err.msg);
		return;
	}
	CHECK_STR(p->period_type.type, "cpu");
	CHECK_STR(p->period_type.unit, "nanoseconds");
	CHECK_INT(p->period, 1000000);
	CHECK(p->nsample_types == 2 && strcmp(p->sample_types[0].type, "samples") == 0);
	CHECK(p->time_nanos > 0 && p->duration_nanos > 0);
	CHECK(p->nmappings > 0 && strlen(p->mappings[0].build_id) >= 16);
	si = pf_profile_sample_index(p, "cpu");
	CHECK_INT(si, 1);
	if (si < 0 || pf_functab_build(&t, p, si) < 0) {
		pf_profile_free(p);
		return;
	}
	for (i = 0; i < 3; i++)
		sum += truth[i];
	printf("  total sampled %.3fs, process CPU %.3fs\n", t.total / 1e9, truth_total / 1e9);
	CHECK(t.total > truth_total * 0.9 && t.total < truth_total * 1.1);
	for (i = 0; i < 3; i++) {
		const struct pf_func_stat *fs = pf_functab_find(&t, names[i]);
		double want = 100.0 * truth[i] / truth_total;
		double got = fs ? 100.0 * (double)fs->cum / (double)t.total : -100;

		printf("  %s cum%% %.2f, truth %.2f\n", names[i], got, want);
		CHECK(got > want - 2.5 && got < want + 2.5);
	}
	CHECK(pf_functab_find(&t, "mix_step") != NULL);
	pf_functab_release(&t);
	pf_profile_free(p);
}

static void test_go_pprof_reading(void)
{
	char cmd[1024], line[512];
	double got[3] = { -100, -100, -100 };
	int i, inline_seen = 0;
	FILE *f;

	if (!CHECK(ran))
		return;
	pf_fmt(cmd, sizeof(cmd),
		 "cd '%s' && HOME='%s' go tool pprof -symbolize=none -top cpu.pb.gz 2>&1", dir, dir);
	f = popen(cmd, "r");
	if (!CHECK(f != NULL))
		return;
	while (fgets(line, sizeof(line), f)) {
		char flat[32], flatp[32], sump[32], cum[32], name[128], extra[32] = "";
		double cp;

		if (sscanf(line, "%31s %31s %31s %31s %lf%% %127s %31s", flat, flatp, sump, cum, &cp,
			   name, extra) < 6)
			continue;
		if (strcmp(name, "mix_step") == 0 && strcmp(extra, "(inline)") == 0)
			inline_seen = 1;
		for (i = 0; i < 3; i++)
			if (strcmp(name, names[i]) == 0)
				got[i] = cp;
	}
	CHECK_INT(pclose(f), 0);
	for (i = 0; i < 3; i++) {
		double want = 100.0 * truth[i] / truth_total;

		printf("  go tool pprof: %s cum%% %.2f, truth %.2f\n", names[i], got[i], want);
		CHECK(got[i] > want - 2.5 && got[i] < want + 2.5);
	}
	CHECK(inline_seen);
}

int main(void)
{
	run_program();
	T_RUN(test_proflab_reading);
	T_RUN(test_go_pprof_reading);
	if (dir[0]) {
		char cmd[600];

		pf_fmt(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return t_exit();
}
