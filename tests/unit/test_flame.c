/* test_flame.c - the flame tree, its layout, folded stacks, SVG and diffs (src/pprof/flame.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pprof/flame.h"
#include "pprof/profile.h"
#include "base/str.h"
#include "t.h"

/*
 * A profile from folded-like stacks ("main;a;b", root first), one sample
 * each with the value vals[i] in both sample types (count, and
 * nanoseconds x 10ms). One function and one location per distinct name;
 * a name "@0x..." makes a location without lines at that address, and
 * "x+y" one location holding two lines: y inlined into x (x the caller).
 */
static struct pf_profile *make_profile(const char *const *stacks, const int64_t *vals, size_t n)
{
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a = &p->arena;
	const char **names = calloc(4096, sizeof(char *));
	size_t nnames = 0, i;

	p->nsample_types = 2;
	p->sample_types = pf_arena_calloc(a, 2, sizeof(*p->sample_types));
	p->sample_types[0] = (struct pf_value_type){ "samples", "count" };
	p->sample_types[1] = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->nmappings = 1;
	p->mappings = pf_arena_calloc(a, 1, sizeof(*p->mappings));
	p->mappings[0] = (struct pf_mapping){ .id = 1, .file = "/usr/bin/prog" };
	p->functions = pf_arena_calloc(a, 4096, sizeof(*p->functions));
	p->locations = pf_arena_calloc(a, 4096, sizeof(*p->locations));
	p->samples = pf_arena_calloc(a, n, sizeof(*p->samples));
	p->nsamples = n;
	for (i = 0; i < n; i++) {
		char *s = pf_arena_strdup(a, stacks[i]), *save = NULL, *tok;
		uint32_t frames[64], nf = 0, k;

		for (tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
			size_t j;

			for (j = 0; j < nnames; j++)
				if (strcmp(names[j], tok) == 0)
					break;
			if (j == nnames) {
				struct pf_location *l = &p->locations[j];
				char *plus = strchr(tok, '+');

				names[nnames++] = tok;
				l->id = j + 1;
				l->mapping = 0;
				l->address = 0x1000 + j;
				if (tok[0] == '@') {
					l->address = strtoull(tok + 1, NULL, 16);
				} else if (plus) {
					/* two functions: callee first, caller last */
					size_t f0 = p->nfunctions++, f1 = p->nfunctions++;

					p->functions[f0] = (struct pf_function){ .id = f0 + 1, .name = pf_arena_strdup(a, plus + 1), .system_name = "", .filename = "x.c" };
					p->functions[f1] = (struct pf_function){ .id = f1 + 1, .name = pf_arena_strndup(a, tok, (size_t)(plus - tok)), .system_name = "", .filename = "x.c" };
					l->nlines = 2;
					l->lines = pf_arena_calloc(a, 2, sizeof(struct pf_line));
					l->lines[0].function = (uint32_t)f0;
					l->lines[1].function = (uint32_t)f1;
				} else {
					size_t f = p->nfunctions++;

					p->functions[f] = (struct pf_function){ .id = f + 1, .name = tok, .system_name = "", .filename = strchr(tok, '.') ? "pkg/x.go" : "prog.c" };
					l->nlines = 1;
					l->lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
					l->lines[0].function = (uint32_t)f;
				}
			}
			frames[nf++] = (uint32_t)j;
		}
		p->samples[i].nlocs = nf;
		p->samples[i].locs = pf_arena_calloc(a, nf + 1, sizeof(uint32_t));
		for (k = 0; k < nf; k++)
			p->samples[i].locs[k] = frames[nf - 1 - k]; /* leaf first */
		p->samples[i].values = pf_arena_calloc(a, 2, sizeof(int64_t));
		p->samples[i].values[0] = vals[i];
		p->samples[i].values[1] = vals[i] * 10000000;
	}
	p->nlocations = nnames;
	free(names);
	return p;
}

static uint32_t path(const struct pf_flame *fg, const char *const *names, size_t n)
{
	uint32_t cur = 0;
	size_t i;

	for (i = 0; i < n && cur != PF_NONE; i++)
		cur = pf_flame_child(fg, cur, names[i]);
	return cur;
}

static const char *const basic_stacks[] = { "main;a;b", "main;a;b", "main;a;c", "main;d" };
static const int64_t basic_vals[] = { 5, 3, 2, 1 };

static void merges_identical_frames(void)
{
	struct pf_profile *p = make_profile(basic_stacks, basic_vals, 4);
	struct pf_err err = { 0 };
	struct pf_flame *fg = pf_flame_new(p, 0, &err);
	static const char *const ab[] = { "main", "a", "b" };
	uint32_t b;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(fg->n, 6); /* root main a b c d */
	CHECK_INT(fg->total, 11);
	CHECK_INT(fg->nodes[0].value, 11);
	b = path(fg, ab, 3);
	CHECK(b != PF_NONE);
	if (b != PF_NONE) {
		CHECK_INT(fg->nodes[b].value, 8);
		CHECK_INT(fg->nodes[b].self, 8);
		CHECK_INT(fg->nodes[b].depth, 3);
		CHECK_INT(fg->nodes[fg->nodes[b].parent].value, 10);
	}
	CHECK_INT(fg->max_depth, 3);
	CHECK_STR(fg->sample_type, "samples");
out:
	pf_flame_free(fg);
	pf_profile_free(p);
}

/* Every node's value is its self plus its children's; layout widths of
 * children add up to the parent's less its self share. */
static void widths_add_up(void)
{
	static const char *const st[] = { "main;a;b", "main;a;c;d", "main;e", "main", "main;a;c",
					   "other;x" };
	static const int64_t v[] = { 7, 3, 5, 2, 4, 9 };
	struct pf_profile *p = make_profile(st, v, 6);
	struct pf_flame *fg = pf_flame_new(p, 1, NULL);
	struct pf_flame_layout l;
	size_t i, j;
	double W = 1000;

	pf_flame_layout_init(&l);
	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(fg->total, 30 * 10000000LL);
	for (i = 0; i < fg->n; i++) {
		int64_t sum = fg->nodes[i].self;
		uint32_t c;

		for (c = fg->nodes[i].first_child; c != PF_NONE; c = fg->nodes[c].next_sibling)
			sum += fg->nodes[c].value;
		CHECK_INT(sum, fg->nodes[i].value);
	}
	CHECK_INT(pf_flame_layout(fg, 0, W, 0, &l), 0);
	CHECK_INT(l.n, fg->n);
	for (i = 0; i < l.n; i++) {
		const struct pf_flame_rect *r = &l.rects[i];
		double cw = 0;

		for (j = 0; j < l.n; j++) {
			const struct pf_flame_rect *c = &l.rects[j];

			if (fg->nodes[c->node].parent != r->node)
				continue;
			cw += c->w;
			CHECK(c->x >= r->x - 1e-9 && c->x + c->w <= r->x + r->w + 1e-9);
			CHECK_INT(c->depth, r->depth + 1);
		}
		CHECK(fabs(cw + W * (double)fg->nodes[r->node].self / (double)fg->total - r->w) < 1e-6);
	}
out:
	pf_flame_layout_release(&l);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void recursion_nests(void)
{
	static const char *const st[] = { "main;f;f;f", "main;f" };
	static const int64_t v[] = { 4, 1 };
	static const char *const fff[] = { "main", "f", "f", "f" };
	struct pf_profile *p = make_profile(st, v, 2);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	uint32_t n;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(fg->n, 5);
	n = path(fg, fff, 4);
	CHECK(n != PF_NONE);
	if (n != PF_NONE) {
		CHECK_INT(fg->nodes[n].depth, 4);
		CHECK_INT(fg->nodes[n].value, 4);
		CHECK_INT(fg->nodes[fg->nodes[n].parent].value, 4);
		CHECK_INT(fg->nodes[fg->nodes[fg->nodes[n].parent].parent].value, 5);
		CHECK_INT(fg->nodes[fg->nodes[fg->nodes[n].parent].parent].self, 1);
	}
out:
	pf_flame_free(fg);
	pf_profile_free(p);
}

/* Inlined lines become their own frames, caller first; a location
 * without lines is named by its address. */
static void inline_and_address_frames(void)
{
	static const char *const st[] = { "main;outer+inner;@0x4011a0" };
	static const int64_t v[] = { 3 };
	static const char *const want[] = { "main", "outer", "inner", "0x4011a0" };
	struct pf_profile *p = make_profile(st, v, 1);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	struct pf_buf b = PF_BUF_INIT;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK(path(fg, want, 4) != PF_NONE);
	CHECK_INT(pf_flame_write_folded(fg, &b), 0);
	CHECK_STR(b.data, "main;outer;inner;0x4011a0 3\n");
	/* libs: C functions by source file, address frames by binary */
	CHECK_STR(fg->nodes[path(fg, want, 1)].lib, "prog.c");
	CHECK_STR(fg->nodes[path(fg, want, 4)].lib, "prog");
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void go_package_colour_keys(void)
{
	static const char *const st[] = {
		"main.main;main.(*T).Method;compress/flate.(*compressor).deflate;github.com/x/y.F.func1"
	};
	static const int64_t v[] = { 1 };
	struct pf_profile *p = make_profile(st, v, 1);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	uint32_t n;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	n = fg->nodes[0].first_child;
	CHECK_STR(fg->nodes[n].lib, "main");
	n = fg->nodes[n].first_child;
	CHECK_STR(fg->nodes[n].lib, "main");
	n = fg->nodes[n].first_child;
	CHECK_STR(fg->nodes[n].lib, "compress/flate");
	n = fg->nodes[n].first_child;
	CHECK_STR(fg->nodes[n].lib, "github.com/x/y");
out:
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void zoom_layout(void)
{
	struct pf_profile *p = make_profile(basic_stacks, basic_vals, 4);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	static const char *const ma[] = { "main", "a", "b" }, *const md[] = { "main", "d" };
	struct pf_flame_layout l;
	uint32_t a, b, d;
	size_t i;
	int saw_root = 0, saw_main = 0, saw_b = 0, saw_d = 0;

	pf_flame_layout_init(&l);
	CHECK(fg != NULL);
	if (!fg)
		goto out;
	a = path(fg, ma, 2);
	b = path(fg, ma, 3);
	d = path(fg, md, 2);
	CHECK_INT(pf_flame_layout(fg, a, 100, 0, &l), 0);
	for (i = 0; i < l.n; i++) {
		const struct pf_flame_rect *r = &l.rects[i];

		if (r->node == 0 || r->node == fg->nodes[a].parent) {
			CHECK(r->x == 0 && r->w == 100);
			saw_root += r->node == 0;
			saw_main += r->node != 0;
		}
		if (r->node == a)
			CHECK(r->x == 0 && r->w == 100);
		if (r->node == b) {
			saw_b = 1;
			CHECK(fabs(r->w - 80) < 1e-9); /* 8 of a's 10 */
		}
		if (r->node == d)
			saw_d = 1;
	}
	CHECK(saw_root == 1 && saw_main == 1 && saw_b && !saw_d);
	CHECK_INT(l.n, 5); /* root main a b c */
	/* Narrow frames are left out but still counted in their parent. */
	CHECK_INT(pf_flame_layout(fg, 0, 10, 1.0, &l), 0);
	for (i = 0; i < l.n; i++)
		CHECK(l.rects[i].node != d && l.rects[i].w >= 1.0);
out:
	pf_flame_layout_release(&l);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static int64_t folded_sum(const char *s, int col)
{
	int64_t sum = 0;
	const char *line = s;

	while (*line) {
		const char *nl = strchr(line, '\n'), *sp = nl;
		int k;

		for (k = 0; k < col; k++) {
			sp--;
			while (sp > line && *sp != ' ')
				sp--;
		}
		sum += strtoll(sp + 1, NULL, 10);
		line = nl + 1;
	}
	return sum;
}

static void folded_totals(void)
{
	static const char *const st[] = { "main;a;b", "main;a;b", "main;a;c", "main;d", "main;neg", "" };
	static const int64_t v[] = { 5, 3, 2, 1, -4, 6 };
	struct pf_profile *p = make_profile(st, v, 6);
	struct pf_flame *fg = pf_flame_new(p, 1, NULL);
	struct pf_buf b = PF_BUF_INIT;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(pf_flame_write_folded(fg, &b), 0);
	CHECK_STR(b.data, "[unknown] 60000000\n"
			  "main;a;b 80000000\n"
			  "main;a;c 20000000\n"
			  "main;d 10000000\n"
			  "main;neg -40000000\n");
	CHECK_INT(folded_sum(b.data, 1), fg->total);
	CHECK_INT(fg->total, 130000000);
	/* the frameless samples are a frame in the SVG too, as in folded */
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_write_svg(fg, NULL, &b, NULL), 0);
	CHECK(strstr(b.data, "<title>[unknown] (60ms, 46.15%)</title>") != NULL);
	CHECK(pf_flame_child(fg, 0, "[unknown]") != PF_NONE);
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
}

/* A symbol holding an escape sequence must not reach the terminal raw. */
static void folded_control_bytes(void)
{
	static const char *const st[] = { "main;evil\033[2J\x07x" };
	static const int64_t v[] = { 1 };
	struct pf_profile *p = make_profile(st, v, 1);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	struct pf_buf b = PF_BUF_INIT;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(pf_flame_write_folded(fg, &b), 0);
	CHECK_STR(b.data, "main;evil?[2J?x 1\n");
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void value_text(void)
{
	struct pf_profile *p = make_profile(basic_stacks, basic_vals, 4);
	struct pf_flame *fg = pf_flame_new(p, 1, NULL);
	struct pf_buf b = PF_BUF_INIT;
	char s[64];

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	pf_flame_format_value(fg, 1200000000, s, sizeof(s));
	CHECK_STR(s, "1.20s");
	pf_flame_format_value(fg, 1000000000, s, sizeof(s));
	CHECK_STR(s, "1s");
	pf_flame_format_value(fg, 2500000, s, sizeof(s));
	CHECK_STR(s, "2.50ms");
	CHECK_INT(pf_flame_title(fg, fg->nodes[0].first_child, &b), 0);
	CHECK_STR(b.data, "main (110ms, 100.00%)");
	fg->unit = "bytes";
	pf_flame_format_value(fg, 13107200, s, sizeof(s));
	CHECK_STR(s, "12.50MB");
	fg->unit = "count";
	fg->sample_type = "samples";
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_title(fg, fg->nodes[fg->nodes[0].first_child].first_child, &b), 0);
	CHECK_STR(b.data, "a (100000000 samples, 90.91%)");
	/* a count of objects is not a count of samples */
	fg->sample_type = "alloc_objects";
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_title(fg, fg->nodes[fg->nodes[0].first_child].first_child, &b), 0);
	CHECK_STR(b.data, "a (100000000 objects, 90.91%)");
	fg->sample_type = "widgets_seen";
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_title(fg, fg->nodes[fg->nodes[0].first_child].first_child, &b), 0);
	CHECK_STR(b.data, "a (100000000, 90.91%)");
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static const char *svg_fill_of(const char *svg, const char *title_start)
{
	static char fill[64];
	const char *t = strstr(svg, title_start), *f;
	size_t n;

	fill[0] = 0;
	if (!t)
		return fill;
	f = strstr(t, "fill=\"");
	if (!f)
		return fill;
	f += 6;
	n = strcspn(f, "\"");
	if (n >= sizeof(fill))
		n = sizeof(fill) - 1;
	memcpy(fill, f, n);
	fill[n] = 0;
	return fill;
}

static void diff_colours_and_columns(void)
{
	static const char *const old_st[] = { "main;a;b", "main;d", "main;gone" };
	static const int64_t old_v[] = { 8, 2, 2 };
	static const char *const new_st[] = { "main;a;b", "main;d", "main;e" };
	static const int64_t new_v[] = { 2, 8, 2 };
	static const char *const mab[] = { "main", "a", "b" }, *const md[] = { "main", "d" },
				 *const mm[] = { "main" };
	struct pf_profile *po = make_profile(old_st, old_v, 3), *pn = make_profile(new_st, new_v, 3);
	struct pf_err err = { 0 };
	struct pf_flame *fg = pf_flame_new_diff(pn, po, 0, &err);
	struct pf_buf b = PF_BUF_INIT;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK(fg->diff);
	CHECK_INT(fg->total, 12);
	CHECK_INT(fg->base_total, 12);
	CHECK(pf_flame_delta(fg, path(fg, mab, 3)) < -0.49);
	CHECK(pf_flame_delta(fg, path(fg, md, 2)) > 0.49);
	CHECK(fabs(pf_flame_delta(fg, path(fg, mm, 1))) < 1e-12);
	CHECK_INT(pf_flame_write_folded(fg, &b), 0);
	CHECK_STR(b.data, "main;a;b 8 2\nmain;d 2 8\nmain;e 0 2\nmain;gone 2 0\n");
	CHECK_INT(folded_sum(b.data, 1), fg->total);
	CHECK_INT(folded_sum(b.data, 2), fg->base_total);
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_title(fg, path(fg, md, 2), &b), 0);
	CHECK_STR(b.data, "d (before 2 samples 16.67%, after 8 samples 66.67%, +50.00%)");
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_write_svg(fg, NULL, &b, &err), 0);
	/* grew: red at full intensity; shrank: blue; unchanged: grey */
	CHECK_STR(svg_fill_of(b.data, "<title>d (before"), "rgb(255,0,0)");
	CHECK_STR(svg_fill_of(b.data, "<title>b (before"), "rgb(0,0,255)");
	CHECK_STR(svg_fill_of(b.data, "<title>main (before"), "rgb(235,235,235)");
	/* e grew by 2/12, a third of the largest change: a lighter red */
	CHECK_STR(svg_fill_of(b.data, "<title>e (before"), "rgb(255,153,153)");
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(po);
	pf_profile_free(pn);
}

/* A fix that removes almost all the work: every share stays 100%, yet
 * the change must show (blue), and code only in the base must be drawn. */
static void diff_absolute_and_removed_code(void)
{
	static const char *const old_st[] = { "main;hot", "main;gone" };
	static const int64_t old_v[] = { 580, 200 };
	static const char *const new_st[] = { "main;hot" };
	static const int64_t new_v[] = { 1 };
	static const char *const mh[] = { "main", "hot" }, *const mg[] = { "main", "gone" };
	struct pf_profile *po = make_profile(old_st, old_v, 2), *pn = make_profile(new_st, new_v, 1);
	struct pf_err err = { 0 };
	struct pf_flame *fg = pf_flame_new_diff(pn, po, 0, &err);
	struct pf_flame_layout l;
	struct pf_buf b = PF_BUF_INIT;
	uint32_t gone;
	size_t i;
	int drawn = 0;

	pf_flame_layout_init(&l);
	CHECK(fg != NULL);
	if (!fg)
		goto out;
	gone = path(fg, mg, 2);
	CHECK(gone != PF_NONE);
	CHECK(pf_flame_delta(fg, path(fg, mh, 2)) < -0.7);
	CHECK(pf_flame_delta(fg, 0) < -0.99);
	CHECK_INT(fg->nodes[0].span, 780);
	CHECK_INT(fg->nodes[gone].span, 200);
	CHECK_INT(pf_flame_layout(fg, 0, 780, 0.1, &l), 0);
	for (i = 0; i < l.n; i++)
		if (l.rects[i].node == gone && fabs(l.rects[i].w - 200) < 1e-9)
			drawn = 1;
	CHECK(drawn);
	CHECK_INT(pf_flame_title(fg, gone, &b), 0);
	CHECK_STR(b.data, "gone (before 200 samples 25.64%, after 0 samples 0.00%, -25.64%)");
	pf_buf_truncate(&b, 0);
	CHECK_INT(pf_flame_write_svg(fg, NULL, &b, &err), 0);
	CHECK(strstr(b.data, "<title>gone (before") != NULL);
	CHECK_STR(svg_fill_of(b.data, "<title>main (before"), "rgb(0,0,255)");
	CHECK(strstr(b.data, "rgb(235,235,235)") == NULL);
out:
	pf_flame_layout_release(&l);
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(po);
	pf_profile_free(pn);
}

static void svg_structure_and_escaping(void)
{
	static const char *const st[] = { "main;a<b>&\"c'", "main;bad\xff\xfe", "main;z" };
	static const int64_t v[] = { 6, 3, 1 };
	struct pf_profile *p = make_profile(st, v, 3);
	struct pf_flame *fg = pf_flame_new(p, 0, NULL);
	struct pf_buf b = PF_BUF_INIT;
	struct pf_err err = { 0 };
	const char *s;
	size_t ng = 0;

	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(pf_flame_write_svg(fg, "T & <x>", &b, &err), 0);
	CHECK(pf_startswith(b.data, "<?xml"));
	CHECK(strstr(b.data, "<title>root (10 samples, 100.00%)</title>") != NULL);
	CHECK(strstr(b.data, "<title>main (10 samples, 100.00%)</title>") != NULL);
	CHECK(strstr(b.data, "<title>a&lt;b&gt;&amp;&quot;c&apos; (6 samples, 60.00%)</title>") != NULL);
	CHECK(strstr(b.data, "<title>bad?? (3 samples, 30.00%)</title>") != NULL);
	CHECK(strstr(b.data, ">T &amp; &lt;x&gt;</text>") != NULL);
	CHECK(strstr(b.data, "<script") != NULL && strstr(b.data, "function zoom") != NULL &&
	      strstr(b.data, "function search") != NULL);
	CHECK(strstr(b.data, "http://www.w3.org/2000/svg") != NULL);
	CHECK(strstr(b.data, "src=") == NULL && strstr(b.data, "href=") == NULL);
	for (s = b.data; (s = strstr(s, "<g><title>")) != NULL; s++)
		ng++;
	CHECK_INT(ng, fg->n);
out:
	pf_buf_release(&b);
	pf_flame_free(fg);
	pf_profile_free(p);
}

static void bad_sample_index(void)
{
	struct pf_profile *p = make_profile(basic_stacks, basic_vals, 4);
	struct pf_err err = { 0 };

	CHECK(pf_flame_new(p, 2, &err) == NULL);
	CHECK_INT(err.code, PF_EUSAGE);
	CHECK(pf_flame_new(p, -1, &err) == NULL);
	pf_profile_free(p);
}

/* 100,000 children under one frame: merging goes through the hash, and
 * the tiny frames are not drawn but still counted. */
static void wide_fanout(void)
{
	enum { N = 100000 };
	char **st = calloc(N, sizeof(char *));
	int64_t *v = calloc(N, sizeof(int64_t));
	struct pf_profile *p = pf_profile_new();
	struct pf_flame *fg = NULL;
	struct pf_flame_layout l;
	struct pf_buf b = PF_BUF_INIT;
	struct pf_arena *a = &p->arena;
	size_t i;

	pf_flame_layout_init(&l);
	/* built directly: one location per leaf, sharing "main" */
	p->nsample_types = 1;
	p->sample_types = pf_arena_calloc(a, 1, sizeof(*p->sample_types));
	p->sample_types[0] = (struct pf_value_type){ "samples", "count" };
	p->nfunctions = N + 1;
	p->functions = pf_arena_calloc(a, N + 1, sizeof(*p->functions));
	p->nlocations = N + 1;
	p->locations = pf_arena_calloc(a, N + 1, sizeof(*p->locations));
	p->nsamples = N;
	p->samples = pf_arena_calloc(a, N, sizeof(*p->samples));
	for (i = 0; i <= N; i++) {
		char nm[32];

		if (i == 0)
			pf_fmt(nm, sizeof(nm), "main");
		else
			pf_fmt(nm, sizeof(nm), "leaf%zu", i);
		p->functions[i] = (struct pf_function){ .id = i + 1, .name = pf_arena_strdup(a, nm), .system_name = "", .filename = "" };
		p->locations[i] = (struct pf_location){ .id = i + 1, .mapping = PF_NONE, .nlines = 1 };
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		p->locations[i].lines[0].function = (uint32_t)i;
	}
	for (i = 0; i < N; i++) {
		p->samples[i].nlocs = 2;
		p->samples[i].locs = pf_arena_calloc(a, 2, sizeof(uint32_t));
		p->samples[i].locs[0] = (uint32_t)(i + 1);
		p->samples[i].locs[1] = 0;
		p->samples[i].values = pf_arena_calloc(a, 1, sizeof(int64_t));
		p->samples[i].values[0] = i == 0 ? 1000000 : 1;
	}
	fg = pf_flame_new(p, 0, NULL);
	CHECK(fg != NULL);
	if (!fg)
		goto out;
	CHECK_INT(fg->n, N + 2);
	CHECK_INT(fg->nodes[fg->nodes[0].first_child].nchildren, N);
	CHECK_INT(fg->total, 1000000 + N - 1);
	CHECK_INT(pf_flame_layout(fg, 0, 1180, 0.1, &l), 0);
	CHECK_INT(l.n, 3); /* root, main, leaf1 */
	CHECK_INT(pf_flame_write_folded(fg, &b), 0);
	CHECK_INT(folded_sum(b.data, 1), fg->total);
out:
	pf_buf_release(&b);
	pf_flame_layout_release(&l);
	pf_flame_free(fg);
	pf_profile_free(p);
	free(st);
	free(v);
}

int main(void)
{
	T_RUN(merges_identical_frames);
	T_RUN(widths_add_up);
	T_RUN(recursion_nests);
	T_RUN(inline_and_address_frames);
	T_RUN(go_package_colour_keys);
	T_RUN(zoom_layout);
	T_RUN(folded_totals);
	T_RUN(folded_control_bytes);
	T_RUN(value_text);
	T_RUN(diff_colours_and_columns);
	T_RUN(diff_absolute_and_removed_code);
	T_RUN(svg_structure_and_escaping);
	T_RUN(bad_sample_index);
	T_RUN(wide_fanout);
	return t_exit();
}
