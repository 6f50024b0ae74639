/*
 * report.h - go tool pprof's text reports on a struct pf_profile:
 * top, list, peek and traces, plus merging profiles and applying a base.
 *
 * The output is byte for byte what `go tool pprof` (Go 1.19) prints for
 * the same profile and options: header lines, column widths, unit scaling
 * and rounding, sort order and ties. Reports are keyed at pprof's default
 * granularity (functions: one node per function name and file).
 *
 * Regular expressions (focus, ignore, hide, show, list, peek) are POSIX
 * extended regexes (regcomp REG_EXTENDED), which cover the RE2 subset used
 * in practice; RE2-only syntax such as \d, (?i) or non-greedy *? is not
 * understood. Like Go, a regex matches anywhere in the name unless
 * anchored.
 *
 * Typical use:
 *
 *	struct pf_report_opts o;
 *	pf_report_opts_init(&o);
 *	o.sample_index = "alloc_space";
 *	if (pf_report_top(p, &o, &out, &err) < 0) ... err.msg ...
 *
 * All functions append to out (a struct pf_buf the caller owns) and
 * return 0, or a negative pf_err code with err set: PF_EUSAGE for bad
 * options (unknown sample type, bad regex), PF_EFAIL otherwise.
 */
#ifndef PF_REPORT_H
#define PF_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "profile.h"

struct pf_report_opts {
	/* Sample type: a name ("alloc_space"), a decimal index, or NULL for
	 * the profile's default (default_sample_type, else the last). */
	const char *sample_index;
	/* Show at most this many nodes; -1 for pprof's default (unlimited for
	 * -top, as on go tool pprof's command line; 80 in graph reports);
	 * 0 or another negative count shows them all, as in pprof. */
	long nodecount;
	/* Drop nodes whose |cum| is below |fraction x total| (default 0.005);
	 * any value is taken as pprof takes it: 2 or -1 drop every node, NaN
	 * none. Not applied by list, peek and traces. */
	double nodefraction;
	double edgefraction; /* default 0.001 (peek) */
	int cum;             /* sort by cumulative value (-cum) */
	/* Output unit: "minimum" (default), "auto", or a unit such as "ms",
	 * "s", "MB", "kB", "B", "ns". */
	const char *unit;
	/* Sample filters, NULL or "" when unused: focus keeps samples with a
	 * frame matching; ignore drops them; hide removes matching frames;
	 * show keeps only matching frames. */
	const char *focus, *ignore, *hide, *show;
	/* Print the header (File, Type, Time, Duration...) in top and peek,
	 * as go tool pprof does on its command line (default 1); its
	 * interactive mode leaves it out (0). traces always prints it, as
	 * pprof does. */
	int header;
	/* Number of `-top` lines in the interactive shell's `top`: when
	 * nodecount is -1 and this is set, it is the node count (10). */
	int interactive;
	/* When non-NULL, gets go tool pprof's warnings, one line each, such
	 * as "Focus expression matched no samples\n" (for focus, ignore,
	 * hide or show when no location of a sample matches it). */
	struct pf_buf *warnings;
};

/* Defaults of go tool pprof's command line. */
void pf_report_opts_init(struct pf_report_opts *o);

/*
 * Resolve opts->sample_index for p: returns the index, or PF_EUSAGE with
 * err naming the valid choices. Accepts pprof's names, numbers and the
 * shorthand forms the options use ("inuse_space", "alloc_objects", "total"
 * and "sample"/"samples" are names, not aliases; see cmd-pprof).
 */
int pf_report_sample_index(const struct pf_profile *p, const struct pf_report_opts *o,
			   struct pf_err *err);

/*
 * The profile's header lines (File, Build ID, comments, Type, Time,
 * Duration, each ending in a newline) for o's sample type and unit, as
 * go tool pprof's interactive mode greets with them; filters are not
 * applied. *total gets the report total of that sample type.
 */
int pf_report_header(const struct pf_profile *p, const struct pf_report_opts *o,
		     struct pf_buf *out, int64_t *total, struct pf_err *err);

/* `-top`: header, "Showing nodes accounting for...", the table. */
int pf_report_top(const struct pf_profile *p, const struct pf_report_opts *o,
		  struct pf_buf *out, struct pf_err *err);

/*
 * `-list=REGEX`: annotated source of every function whose name matches.
 * Source files are read from disk (as named in the profile, cleaned like
 * Go's filepath.Clean, else relative to the current directory and its
 * parents); when missing, a note says so and the lines
 * with samples are still listed. PF_EFAIL with err "no matches found for
 * regexp: RE" when no function matches (as pprof says).
 */
int pf_report_list(const struct pf_profile *p, const char *regex,
		   const struct pf_report_opts *o, struct pf_buf *out, struct pf_err *err);

/* `-peek=REGEX`: callers and callees of matching functions. */
int pf_report_peek(const struct pf_profile *p, const char *regex,
		   const struct pf_report_opts *o, struct pf_buf *out, struct pf_err *err);

/* `-traces`: every sample's stack with its value. Samples of the same
 * stack and labels are shown once, added together, as pprof shows them
 * (it merges them when it reads the profile). */
int pf_report_traces(const struct pf_profile *p, const struct pf_report_opts *o,
		     struct pf_buf *out, struct pf_err *err);

/*
 * Whether a and b can be merged or one used as the other's base, by
 * pprof's rule (profile.Compatible): the same period type and the same
 * sample types, type and unit, in the same order. 0, or PF_EFAIL with err
 * ("incompatible period types cpu/nanoseconds and space/bytes"...).
 * Every merge and base below applies it.
 */
int pf_report_compatible(const struct pf_profile *a, const struct pf_profile *b,
			 struct pf_err *err);

/*
 * Merge profiles with the same sample types (like several files on pprof's
 * command line): one new profile whose samples are all of theirs; returns
 * NULL with err set ("profiles have different sample types"...). The
 * inputs are not changed; free the result with pf_profile_free.
 */
struct pf_profile *pf_report_merge(struct pf_profile *const *ps, size_t n, struct pf_err *err);

/*
 * p with its identical locations made one and the samples of identical
 * stacks and labels added together, as pprof does to every profile it
 * reads: a new profile (free with pf_profile_free), or NULL with err set.
 */
struct pf_profile *pf_report_compact(const struct pf_profile *p, struct pf_err *err);

/*
 * p with base's samples added with their values negated (pprof -base):
 * a new profile (free with pf_profile_free), or NULL with err set when
 * the sample types differ. With diff non-zero (-diff_base) the added
 * samples carry the label pprof::base=true, and percentages are then
 * relative to the base's total, as go tool pprof computes them.
 */
struct pf_profile *pf_report_with_base(const struct pf_profile *p, const struct pf_profile *base,
				       int diff, struct pf_err *err);

/*
 * One value in pprof's text form for sample type index si of p, scaled
 * to unit ("minimum" is treated as "auto" here), e.g. "1.50s", "12MB".
 * Writes into dst (size >= 32).
 */
void pf_report_format_value(const struct pf_profile *p, int si, int64_t v, const char *unit,
			    char *dst, size_t size);

#endif
