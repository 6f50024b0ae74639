/* cmd-run.c - `proflab run`: build EX in the workspace, profile it, print top */
#include <stdio.h>

#include "../course/exercise.h"
#include "../pprof/profile.h"
#include "../pprof/report.h"
#include "command.h"
#include "exercise_ui.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_run = {
	.name = "run",
	.synopsis = "EX",
	.summary = "build EX in the workspace, profile it, print top",
	.help = "Builds your copy of the exercise (made on first use), runs it under the\n"
		"CPU and heap profilers and prints its output and the top functions.\n"
		"The profiles are saved in the workspace as\n"
		"exercises/SLUG/profiles/cpu.pb.gz and heap.pb.gz, for proflab pprof,\n"
		"proflab flame and go tool pprof.\n\n"
		"Options:\n"
		"  -nodecount N   lines of the top report (default 10)\n",
	.run = run,
};

static int print_top(const char *path, const char *sample_index, long nodecount)
{
	struct pf_report_opts o;
	struct pf_buf out = PF_BUF_INIT;
	struct pf_err err = { 0 };
	struct pf_profile *p = pf_profile_read(path, &err);
	int rc = 0;

	if (!p) {
		fprintf(stderr, "proflab run: %s\n", err.msg);
		return -1;
	}
	pf_report_opts_init(&o);
	o.nodecount = nodecount;
	o.sample_index = sample_index;
	if (pf_report_top(p, &o, &out, &err) < 0) {
		fprintf(stderr, "proflab run: %s: %s\n", path, err.msg);
		rc = -1;
	} else {
		pf_command_write_stdout(out.data, out.len);
	}
	pf_buf_release(&out);
	pf_profile_free(p);
	return rc;
}

static int run(int argc, char **argv)
{
	long nodecount = 10;
	const struct pf_opt opts[] = { { "nodecount", PF_OPT_INT, &nodecount, NULL, 0 }, { 0 } };
	struct pf_exercise_run_result res;
	struct pf_err err = { 0 };
	char **pos = argv + 1, slug[64];
	int npos, status, rc;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_run, rc, &err, &status))
		return status;
	if (npos != 1) {
		fprintf(stderr, "proflab run: want one exercise (see proflab exercises)\n");
		return 2;
	}
	if (pf_exercise_resolve(pos[0], slug, sizeof(slug), &err) < 0) {
		fprintf(stderr, "proflab run: %s\n", err.msg);
		return pf_err_exit_status(err.code);
	}
	pf_exui_catch_interrupt();
	pf_exercise_run_result_init(&res);
	rc = pf_exercise_run(slug, pf_exui_progress, (void *)"run", &res, &err);
	pf_exui_progress_end();
	if (rc < 0) {
		if (res.output.len)
			fwrite(res.output.data, 1, res.output.len, stderr);
		fprintf(stderr, "proflab run: %s\n", err.msg);
		status = pf_err_exit_status(err.code);
		goto out;
	}
	printf("=== output of %s (%.2fs wall, %.2fs CPU)\n", slug, res.wall_seconds, res.cpu_seconds);
	pf_command_write_stdout(res.output.data, res.output.len);
	if (res.cpu_profile[0]) {
		printf("\n=== top (CPU)\n");
		print_top(res.cpu_profile, NULL, nodecount);
	}
	if (res.heap_profile[0]) {
		printf("\n=== top (heap, alloc_space)\n");
		print_top(res.heap_profile, "alloc_space", nodecount);
	}
	printf("\nprofiles saved:\n");
	if (res.cpu_profile[0])
		printf("  %s\n", res.cpu_profile);
	if (res.heap_profile[0])
		printf("  %s\n", res.heap_profile);
	printf("your copy: %s\n", res.workdir);
	status = 0;
out:
	pf_exercise_run_result_release(&res);
	return status;
}
