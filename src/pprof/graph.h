/*
 * graph.h - the function-level call graph behind proflab's pprof reports
 * (report.h), built the way go tool pprof's internal/graph builds it at
 * its default granularity: one node per function name, flat and cum
 * values per node, weighted caller->callee edges with inline marks.
 *
 * Internal to src/pprof: top.c, peek.c, traces.c and list.c use it.
 *
 * Life cycle: pf_graph_init() resolves the sample type, computes the
 * report total, applies focus/ignore/hide/show and names the nodes;
 * pf_graph_build() (again and again, with a kept-node set) accumulates
 * the samples; pf_graph_release() frees everything.
 */
#ifndef PF_GRAPH_H
#define PF_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "profile.h"
#include "report.h"

struct pf_gnode {
	const char *name; /* printable name: function, "[binary]" or "<unknown>" */
	int64_t flat, cum;
	uint32_t stamp;   /* last sample counted into cum (+1) */
	unsigned in_inline : 1, in_noinline : 1; /* kinds of surviving in-edges */
};

struct pf_gedge {
	uint32_t src, dst;
	int64_t weight;
	uint32_t stamp;
	unsigned is_inline : 1, residual : 1, dropped : 1;
};

struct pf_graph {
	const struct pf_profile *p;
	int si;                  /* sample type index */
	const char *sample_type; /* e.g. "cpu" */
	const char *sample_unit; /* e.g. "nanoseconds" */
	int64_t total;           /* pprof's report total (before filters) */

	struct pf_gnode *nodes;  /* all named nodes, by id */
	size_t nnodes;
	/* Frames of each location after hide/show: node ids, innermost first:
	 * frames[loc_off[l] .. loc_off[l+1]). */
	uint32_t *loc_off, *frames;
	uint32_t *frame_line;    /* per frame: index into the location's lines, or UINT32_MAX */
	uint8_t *loc_hidden;     /* location removed by hide/show */
	uint8_t *sample_ok;      /* sample kept by focus/ignore */

	struct pf_gedge *edges;  /* hash table of edges (src, dst); src UINT32_MAX = empty */
	size_t edge_cap, nedges;
	struct pf_arena arena;   /* node names made here ("[binary]") */
};

/* Prepare g for profile p and options o: sample type, total, filters.
 * 0, or negative with err set (PF_EUSAGE: bad sample_index or regex). */
int pf_graph_init(struct pf_graph *g, const struct pf_profile *p,
		  const struct pf_report_opts *o, struct pf_err *err);
/* Accumulate the (filtered) samples into nodes and edges; with kept
 * non-NULL (one byte per node), other nodes are left out like pprof's
 * trimmed graphs. 0, or -1 when out of memory. */
int pf_graph_build(struct pf_graph *g, const uint8_t *kept);
/* Node ids with flat or cum non-zero (and kept when kept != NULL), sorted
 * like pprof: by |flat| (|cum| with cum set), then name, then the other.
 * *out is malloc'd (caller frees). Returns the count, or -1 on OOM. */
long pf_graph_sorted_nodes(const struct pf_graph *g, const uint8_t *kept, int cum,
			   uint32_t **out);
/* Drop edges whose |weight| < cutoff and set the nodes' in_inline and
 * in_noinline from the surviving in-edges. */
void pf_graph_trim_edges(struct pf_graph *g, int64_t cutoff);
void pf_graph_release(struct pf_graph *g);

/* ---- shared by the report files ---- */

/* Go's int64 arithmetic wraps; so does ours (profiles come from outside). */
static inline int64_t pf_add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}
static inline int64_t pf_neg64(int64_t a)
{
	return (int64_t)(0 - (uint64_t)a);
}
static inline int64_t pf_abs64(int64_t a)
{
	return a < 0 ? pf_neg64(a) : a;
}
/* Go's int64(f) as go tool pprof runs it on amd64: a NaN, an infinity or
 * a value out of range gives the minimum int64 (so a -nodefraction of
 * NaN or 1e30 trims nothing), where C's cast would be undefined. */
static inline int64_t pf_go_int64(double f)
{
	if (f >= -9223372036854775808.0 && f < 9223372036854775808.0)
		return (int64_t)f;
	return INT64_MIN;
}

/* go tool pprof's newTrimmedGraph + selectOutputUnit: builds g, drops
 * nodes below nodefraction, keeps the top nodecount (0: all), trims
 * edges. trim 0 turns all trimming off (list, peek, traces). */
struct pf_trimmed {
	uint32_t *order;  /* node ids in report order (malloc'd) */
	long n;           /* nodes shown */
	long orig_count;  /* nodes before nodecount */
	long dropped;     /* nodes below nodefraction */
	uint8_t *kept;    /* per node, or NULL (malloc'd) */
	char unit[32];    /* output unit for values */
};
int pf_rep_trimmed(struct pf_graph *g, const struct pf_report_opts *o, int trim, long nodecount,
		   struct pf_trimmed *t, struct pf_err *err);
void pf_rep_trimmed_release(struct pf_trimmed *t);
/* A value as the report prints it (ScaledLabel to unit). */
void pf_rep_value(const struct pf_graph *g, const char *unit, int64_t v, char *dst, size_t size);
/* The five columns a function's row starts with in top and peek (flat,
 * flat%, sum%, cum, cum%), appended to out without a newline; *sum is
 * the running flat total, which n's flat joins first. 0 or -1. */
int pf_rep_columns(const struct pf_graph *g, const char *unit, const struct pf_gnode *n,
		   int64_t *sum, struct pf_buf *out);
/* ProfileLabels: File, Build ID, comments, Type, Time, Duration lines,
 * each ending in a newline. */
int pf_rep_profile_labels(const struct pf_graph *g, const char *unit, struct pf_buf *out);
/* reportLabels: ProfileLabels, active filters, "Showing nodes...",
 * "Dropped...", "Showing top..." lines. */
int pf_rep_report_labels(const struct pf_graph *g, const struct pf_report_opts *o,
			 const struct pf_trimmed *t, struct pf_buf *out);

/* A compiled POSIX regex; rx_match is regexec with no captures. */
struct pf_regex;
int pf_regex_compile(struct pf_regex **out, const char *what, const char *re, struct pf_err *err);
int pf_regex_match(const struct pf_regex *r, const char *s);
void pf_regex_free(struct pf_regex *r);

#endif
