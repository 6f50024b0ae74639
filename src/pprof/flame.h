/*
 * flame.h - flame graphs of a profile: the merged call tree of one sample
 * type, its layout, and its renderings as folded stacks and as SVG; also
 * the differential ("before/after") form of both. No curses here: the
 * interactive terminal view is src/tui/flame_view.h, built on this.
 *
 * The tree. Each sample's stack is walked root first (profile locations
 * are leaf first, and a location's lines are inlined callee first, caller
 * last: every line becomes its own frame). Frames with the same name at the
 * same path are merged, so a node's value is the sum of the values of the
 * samples whose stack passes through it (its "cum"), and its self value is
 * the part of that in samples ending there. Recursion gives nested nodes.
 * Names are pf_function.name; a location without lines is named by its
 * address in hex ("0x4011a0"); samples with no frame at all go to a frame
 * "[unknown]" under the root, so every rendering shows them alike. Node 0 is the root, named "root", whose
 * value is the profile's total in the sample type. Children of a node are
 * ordered by name, as the FlameGraph tools do.
 *
 * Values. Sample values are summed as they are, negative ones included
 * (they only occur in profiles that are themselves differences). Layout
 * uses max(value, 0) as a frame's width. The folded output prints the
 * exact sums, so its counts always add up to the profile's total.
 *
 * Differential. A tree built with pf_flame_new_diff() holds both the new
 * profile's values (value/self) and the base profile's (base/base_self),
 * over the union of their stacks. A frame's width (span) is the larger of
 * its two values, summed bottom-up: span = max(self, base_self) + the
 * spans of its children, so callees always fit inside their caller and
 * code that exists only in the base (removed by a fix) is still drawn.
 * Its change is delta = (value - base) / base_total, the absolute change
 * as a share of the base profile's total (as pprof -diff_base reports
 * it; total is used when base_total is 0). Shares are not normalised:
 * a fix that makes everything 100x faster turns every frame blue rather
 * than grey. Frames that grew are red, shrank blue, the intensity
 * proportional to |delta| / max |delta| over the tree.
 *
 * Text of a value (pf_flame_format_value) and of a frame's title:
 *   time units  "main (1.20s, 45.00%)"          (ns/us/ms/s, like pprof)
 *   bytes       "alloc (12.50MB, 3.10%)"        (B/kB/MB/GB/TB, powers of 1024)
 *   count       "main (1234 samples, 45.00%)"    (unit "count": the word is the
 *               "main (56 objects, 2.00%)"       sample type's: samples, objects
 *               "main (3, 1.00%)"                 for *_objects, goroutines,
 *                                                contentions; else a bare number)
 *   other       "main (17 widgets, 2.00%)"      (the unit name as is)
 *   diff        "main (before 1.00s 40.00%, after 1.20s 45.00%, +5.00%)"
 *
 * Life cycle: pf_flame_new()/pf_flame_new_diff() -> pf_flame_free().
 * A struct pf_flame does not point into the profiles it was built from:
 * they may be freed right after building.
 */
#ifndef PF_FLAME_H
#define PF_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "profile.h"

/* One merged frame. Read-only for callers. */
struct pf_flame_node {
	const char *name;      /* frame name (owned by the flame) */
	const char *lib;       /* colour key: Go package, C source file or binary */
	uint32_t parent;       /* PF_NONE for the root */
	uint32_t first_child;  /* PF_NONE when a leaf; children sorted by name */
	uint32_t next_sibling; /* PF_NONE for the last child */
	uint32_t nchildren;
	uint32_t depth;        /* root 0 */
	int64_t value;         /* cum of the (new) profile */
	int64_t self;
	int64_t base;          /* cum in the base profile (diff only, else 0) */
	int64_t base_self;
	int64_t span;          /* width in layout units: max(value,0); diff trees: see above */
	int64_t start;         /* left edge: sum of the spans of everything left of it */
};

struct pf_flame {
	struct pf_flame_node *nodes; /* nodes[0] is the root */
	size_t n;
	int64_t total;        /* sum of the chosen sample type's values (= nodes[0].value) */
	int64_t base_total;   /* diff only */
	int diff;             /* built with pf_flame_new_diff */
	uint32_t max_depth;   /* deepest node's depth */
	const char *sample_type; /* e.g. "cpu" */
	const char *unit;        /* e.g. "nanoseconds" */
	void *priv;           /* internal storage */
};

/*
 * Build the flame tree of profile p for sample type si (an index from
 * pf_profile_sample_index or pf_profile_default_index). NULL on a bad
 * index (PF_EUSAGE) or out of memory (PF_EFAIL), with err set.
 */
struct pf_flame *pf_flame_new(const struct pf_profile *p, int si, struct pf_err *err);

/*
 * Build a differential tree: cur (after) against base (before), both in
 * sample type si of cur; the base uses its sample type of the same name
 * (else the same index). NULL on error, with err set.
 */
struct pf_flame *pf_flame_new_diff(const struct pf_profile *cur, const struct pf_profile *base,
				   int si, struct pf_err *err);

void pf_flame_free(struct pf_flame *fg);

/* Number of nodes of the subtree at i (i included). Walks the subtree. */
size_t pf_flame_subtree_size(const struct pf_flame *fg, uint32_t i);

/* The child of node i named name, or PF_NONE. */
uint32_t pf_flame_child(const struct pf_flame *fg, uint32_t i, const char *name);

/* The change of node i (diff trees; else 0): (value - base) / base_total,
 * or / total when base_total is 0; 0 when both are 0. */
double pf_flame_delta(const struct pf_flame *fg, uint32_t i);

/*
 * Layout of the view zoomed into node `zoom` (0 for the whole graph) on a
 * width of `width` units (pixels, columns). The zoomed node spans the full
 * width; its ancestors are drawn full width too (as in FlameGraph); the
 * frames of its subtree get x and w in proportion to their spans.
 * Frames narrower than min_w are left out (their value still counts in
 * their parent's width), and so is their subtree. Rects come in
 * depth-first order, parents before children.
 */
struct pf_flame_rect {
	uint32_t node;
	uint32_t depth;
	double x, w;
};
struct pf_flame_layout {
	struct pf_flame_rect *rects;
	size_t n, alloc;
};
void pf_flame_layout_init(struct pf_flame_layout *l);
void pf_flame_layout_release(struct pf_flame_layout *l);
/* Fill l (replacing what it held). 0, or -1 on out of memory. */
int pf_flame_layout(const struct pf_flame *fg, uint32_t zoom, double width, double min_w,
		    struct pf_flame_layout *l);

/* "1.20s", "12.50MB", "1234" (count: the number only) — v in fg's unit. */
void pf_flame_format_value(const struct pf_flame *fg, int64_t v, char *dst, size_t size);
/* The title text of node i, as documented above (appended to out). */
int pf_flame_title(const struct pf_flame *fg, uint32_t i, struct pf_buf *out);

/*
 * Folded stacks, "root;...;leaf N" per line (flamegraph.pl, inferno,
 * speedscope), one line per node with a non-zero self value, the frames
 * from the outermost caller to the leaf (the synthetic root is not
 * printed). The counts add up exactly to fg->total. Diff trees print two
 * columns, "stack OLD NEW" (flamegraph.pl's difffolded format), for every
 * node with a non-zero self in either profile. Lines are in depth-first
 * order with children by name. Appends to out; 0 or -1 on out of memory.
 */
int pf_flame_write_folded(const struct pf_flame *fg, struct pf_buf *out);

/*
 * A self-contained SVG (no external scripts or fonts) in FlameGraph's
 * structure: root at the bottom, each frame a <g> with a <title>, a
 * <rect> and a <text> label (empty when it does not fit), embedded
 * JavaScript for click-to-zoom, search (button or Ctrl-F, a regex, with
 * the matched share) and reset zoom. title may be NULL (a default names
 * the sample type). Colours by lib, or red/blue by delta for diff trees.
 * Frames narrower than 0.1 px are not drawn. Appends to out.
 */
int pf_flame_write_svg(const struct pf_flame *fg, const char *title, struct pf_buf *out,
		       struct pf_err *err);

/*
 * The checker's before/after picture in one call: the differential SVG
 * of cur against base in sample type si of cur, written to path
 * atomically (path NULL: appended to out instead). 0, or negative with
 * err set (naming the path on write errors).
 */
int pf_flame_write_svg_diff(const struct pf_profile *cur, const struct pf_profile *base, int si,
			    const char *path, struct pf_buf *out, struct pf_err *err);

/* Write an SVG of fg to path atomically (temporary file + rename). */
int pf_flame_write_svg_file(const struct pf_flame *fg, const char *title, const char *path,
			    struct pf_err *err);

#endif
