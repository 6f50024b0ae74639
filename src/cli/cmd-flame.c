/* cmd-flame.c - `proflab flame`: draw a flame graph of a profile */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/file.h"
#include "../base/str.h"
#include "../pprof/flame.h"
#include "../pprof/flame_gen.h"
#include "../pprof/profile.h"
#include "../pprof/report.h"
#include "../tui/flame_view.h"
#include "command.h"
#include "opt.h"

static int run(int argc, char **argv);

const struct pf_command pf_cmd_flame = {
	.name = "flame",
	.stateless = 1,
	.synopsis = "FILE [-sample_index=NAME|N] [-o OUT.svg] [--folded] [--base OLD]",
	.summary = "draw a flame graph of a profile",
	.help = "With no -o or --folded, opens the interactive flame graph in the terminal:\n"
		"arrow keys move between frames (up: caller, down: widest callee, left/right:\n"
		"neighbours), Enter zooms into a frame, Backspace or Esc zooms out, / searches\n"
		"(a regular expression) and shows the matched share, q quits.\n"
		"\n"
		"Options:\n"
		"  -sample_index=NAME|N  sample type to draw (default: the profile's default)\n"
		"  -o OUT.svg            write a self-contained SVG (click to zoom, Ctrl-F to search);\n"
		"                        -o - writes it to standard output\n"
		"  --folded              print folded stacks, \"root;...;leaf N\" per line; with\n"
		"                        -o, write them to that file instead of the SVG\n"
		"  --base OLD            differential: frames that grew are red, shrank blue,\n"
		"                        by (new - old) as a share of OLD's total, as pprof\n"
		"                        -diff_base counts it (not normalised: a program made\n"
		"                        10x faster turns blue). A frame is as wide as the\n"
		"                        larger of its old and new values, so code removed\n"
		"                        since OLD is still drawn. Folded output then has\n"
		"                        two columns, OLD NEW. OLD must be the same kind of\n"
		"                        profile (period and sample types), as for pprof -base\n"
		"  --title TEXT          title of the SVG\n"
		"\n"
		"Frame titles read \"name (1.20s, 45.00%)\", \"name (12.50MB, 3.10%)\",\n"
		"\"name (1234 samples, 45.00%)\" or \"name (56 objects, 2.00%)\" by the sample\n"
		"type and its unit. Folded counts add up\n"
		"to the profile's total; samples with no frames are counted as \"[unknown]\".\n"
		"\n"
		"Like flamegraph.pl, the SVG leaves out frames narrower than 0.1 px (under\n"
		"0.01% of its width), and their callees: its search's \"Matched:\" share\n"
		"counts only the frames drawn, and zooming into a very narrow frame can show\n"
		"none of its callees. For exact totals use the terminal view (proflab flame\n"
		"FILE), whose search counts every frame and whose zoom lays a frame's\n"
		"callees out afresh, or --folded.\n"
		"\n"
		"Examples:\n"
		"  proflab flame cpu.pb.gz\n"
		"  proflab flame heap.pb.gz -sample_index=alloc_space -o heap.svg\n"
		"  proflab flame cpu.pb.gz --folded > cpu.folded\n"
		"  proflab flame after.pb.gz --base before.pb.gz -o diff.svg\n",
	.run = run,
};

/* Hidden benchmark modes (used by bench/70-flame.sh, not in the help):
 * --bench-gen=N writes a synthetic profile of N distinct stacks to -o;
 * --bench-redraw=N times N redraws of the terminal view (--bench-size=RxC). */
static int bench_gen(long n, const char *out)
{
	struct pf_err err = { 0 };
	struct pf_profile *p;
	int rc;

	if (!out || n <= 0) {
		fprintf(stderr, "proflab flame: --bench-gen needs N > 0 and -o FILE\n");
		return 2;
	}
	p = pf_flame_gen_profile((size_t)n, 1);
	if (!p) {
		fprintf(stderr, "proflab flame: out of memory\n");
		return 1;
	}
	rc = pf_profile_write(p, out, &err);
	pf_profile_free(p);
	if (rc < 0) {
		fprintf(stderr, "proflab flame: %s\n", err.msg);
		return pf_err_exit_status(rc);
	}
	return 0;
}

static int bench_redraw(const struct pf_flame *fg, long n, const char *size)
{
	int rows = 50, cols = 200;
	char *end = NULL;
	double ms;

	if (size) {
		rows = (int)strtol(size, &end, 10);
		if (!end || *end != 'x' || rows <= 2) {
			fprintf(stderr, "proflab flame: --bench-size: want ROWSxCOLS, e.g. 50x200\n");
			return 2;
		}
		cols = (int)strtol(end + 1, &end, 10);
		if (*end || cols <= 0) {
			fprintf(stderr, "proflab flame: --bench-size: want ROWSxCOLS, e.g. 50x200\n");
			return 2;
		}
	}
	ms = pf_flame_view_bench(fg, rows, cols, (int)n);
	if (ms < 0) {
		fprintf(stderr, "proflab flame: cannot time the terminal view\n");
		return 1;
	}
	printf("redraws %ld size %dx%d nodes %zu mean_ms %.3f\n", n, rows, cols, fg->n, ms);
	return 0;
}

static int run(int argc, char **argv)
{
	const char *sample_index = NULL, *out = NULL, *base_path = NULL, *title = NULL;
	const char *bench_size = NULL;
	int folded = 0;
	long bench_n = 0, gen_n = 0;
	const struct pf_opt opts[] = {
		{ "sample_index", PF_OPT_STRING, &sample_index, NULL, 0 },
		{ "o", PF_OPT_STRING, &out, NULL, 0 },
		{ "output", PF_OPT_STRING, &out, NULL, 0 },
		{ "folded", PF_OPT_FLAG, &folded, NULL, 0 },
		{ "base", PF_OPT_STRING, &base_path, NULL, 0 },
		{ "title", PF_OPT_STRING, &title, NULL, 0 },
		{ "bench-redraw", PF_OPT_INT, &bench_n, NULL, 0 },
		{ "bench-size", PF_OPT_STRING, &bench_size, NULL, 0 },
		{ "bench-gen", PF_OPT_INT, &gen_n, NULL, 0 },
		{ 0 },
	};
	struct pf_err err = { 0 };
	struct pf_profile *p = NULL, *base = NULL;
	struct pf_flame *fg = NULL;
	struct pf_buf b = PF_BUF_INIT;
	char **pos = argv + 1;
	int npos, status, rc, si;

	rc = pf_opt_parse(opts, argc, argv, 0, pos, &npos, &err);
	if (pf_opt_done(&pf_cmd_flame, rc, &err, &status))
		return status;
	if (gen_n)
		return bench_gen(gen_n, out);
	if (npos != 1) {
		fprintf(stderr, "proflab flame: %s\nusage: proflab flame %s\n",
			npos == 0 ? "missing profile FILE" : "exactly one profile FILE expected",
			pf_cmd_flame.synopsis);
		return 2;
	}
	if (!out && !folded && !bench_n && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "proflab flame: not a terminal: use -o OUT.svg for an SVG or "
				"--folded for folded stacks\n");
		return 2;
	}
	status = 1;
	p = pf_profile_read(pos[0], &err);
	if (!p)
		goto fail;
	if (p->nsample_types == 0) {
		/* as proflab pprof (and go tool pprof) says it */
		pf_err_set(&err, PF_EFAIL, "profile has no samples");
		goto fail;
	}
	if (sample_index) {
		si = pf_profile_sample_index(p, sample_index);
		if (si < 0) {
			struct pf_buf names = PF_BUF_INIT;
			size_t i;

			for (i = 0; i < p->nsample_types; i++)
				pf_buf_printf(&names, "%s%s", i ? ", " : "", p->sample_types[i].type);
			pf_err_set(&err, PF_EUSAGE, "-sample_index=%s: no such sample type in %s (it has: %s)",
				   sample_index, pos[0], names.data);
			pf_buf_release(&names);
			goto fail;
		}
	} else {
		si = pf_profile_default_index(p);
	}
	if (base_path) {
		base = pf_profile_read(base_path, &err);
		if (!base)
			goto fail;
		/* The check of pprof -base: a CPU profile against a heap
		 * profile would draw a meaningless difference. */
		if (pf_report_compatible(p, base, &err) < 0) {
			char both[600];

			pf_fmt(both, sizeof(both), "%s and --base %s", pos[0], base_path);
			pf_err_prefix(&err, both);
			goto fail;
		}
		fg = pf_flame_new_diff(p, base, si, &err);
		if (!fg)
			pf_err_prefix(&err, base_path);
	} else {
		fg = pf_flame_new(p, si, &err);
	}
	if (!fg)
		goto fail;
	/* The tree holds everything the renderers need. */
	pf_profile_free(p);
	p = NULL;
	pf_profile_free(base);
	base = NULL;

	if (bench_n) {
		status = bench_redraw(fg, bench_n, bench_size);
		goto out;
	}
	if (folded) {
		if (pf_flame_write_folded(fg, &b) < 0) {
			pf_err_set(&err, PF_EFAIL, "out of memory");
			goto fail;
		}
		if (out && strcmp(out, "-") != 0) {
			if (pf_file_write_atomic(out, b.data, b.len, 0, &err) < 0)
				goto fail;
		} else {
			pf_command_write_stdout(b.data, b.len);
		}
		status = 0;
		goto out;
	}
	if (out) {
		char deftitle[512];

		if (!title) {
			pf_fmt(deftitle, sizeof(deftitle), "%s %s: %s", fg->diff ? "Differential flame graph" : "Flame graph",
			       pos[0], fg->sample_type);
			title = deftitle;
		}
		if (strcmp(out, "-") == 0) {
			if (pf_flame_write_svg(fg, title, &b, &err) < 0)
				goto fail;
			pf_command_write_stdout(b.data, b.len);
		} else if (pf_flame_write_svg_file(fg, title, out, &err) < 0) {
			goto fail;
		}
		status = 0;
		goto out;
	}
	{
		char head[512];

		pf_fmt(head, sizeof(head), "%s (%s)", pos[0], fg->sample_type);
		if (pf_flame_view_run(fg, title ? title : head, &err) < 0)
			goto fail;
	}
	status = 0;
	goto out;
fail:
	fprintf(stderr, "proflab flame: %s\n", err.msg);
	status = pf_err_exit_status(err.code ? err.code : PF_EFAIL);
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
	pf_profile_free(base);
	return status;
}
