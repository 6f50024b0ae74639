/*
 * builder.h - turning raw stacks of program counters into a symbolized
 * profile. The runtime's CPU and heap profilers (and the debug endpoint)
 * collect stacks; the builder merges identical stacks, reads the mappings
 * from /proc/self/maps (with build IDs), symbolizes every address with
 * libdw (function, file, line, inlined frames as extra lines of a
 * location) and produces a struct pf_profile.
 *
 * Not async-signal-safe: call it from normal context (at stop, at exit,
 * from the endpoint's thread). It allocates with malloc; a caller inside
 * the runtime must hold its re-entrancy guard so that those allocations
 * are not themselves sampled.
 *
 * Life cycle: pf_builder_new(), pf_builder_add() for each stack,
 * pf_builder_finish() to get the profile, pf_builder_free().
 */
#ifndef PF_BUILDER_H
#define PF_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct pf_builder;

/* A builder for samples with ntypes values each, of the given types
 * (copied), and the period type and period of the profile. */
struct pf_builder *pf_builder_new(const struct pf_value_type *types, size_t ntypes,
				  struct pf_value_type period_type, int64_t period);
void pf_builder_free(struct pf_builder *b);

/*
 * Add a sample. pcs[0] is the leaf: the exact pc where the thread was
 * (CPU) or the call site in the allocating function (heap); pcs[1..] are
 * return addresses, which are looked up at pc-1 so the line shown is the
 * call's. Identical stacks are merged by adding values. 0, or -1 on out
 * of memory.
 */
int pf_builder_add(struct pf_builder *b, const uintptr_t *pcs, size_t npcs,
		   const int64_t *values);

/* Header fields of the profile to come. */
void pf_builder_set_time(struct pf_builder *b, int64_t time_nanos, int64_t duration_nanos);
void pf_builder_set_default_type(struct pf_builder *b, const char *type);
void pf_builder_add_comment(struct pf_builder *b, const char *comment);

/* Resolve mappings and symbols and return the profile (caller frees with
 * pf_profile_free). NULL with err set on failure. The builder may be
 * freed afterwards; it cannot be finished twice. */
struct pf_profile *pf_builder_finish(struct pf_builder *b, struct pf_err *err);

/* Name of the function containing addr in this process (for the
 * endpoint's /symbol), written into name; 0, or -1 when unknown. */
int pf_symbolize_name(uintptr_t addr, char *name, size_t size);

#endif
