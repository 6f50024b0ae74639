/*
 * flame_gen.h - synthetic profiles for flame graph benchmarks and tests:
 * many distinct, realistic-looking stacks (Go-style "pkgN.funcM" names,
 * shared prefixes, varying depth), made through the profile model.
 */
#ifndef PF_FLAME_GEN_H
#define PF_FLAME_GEN_H

#include <stddef.h>

#include "profile.h"

/*
 * A CPU-like profile (sample types samples/count and cpu/nanoseconds)
 * with exactly nstacks samples, each a distinct stack, generated
 * deterministically from seed. NULL on out of memory. Free with
 * pf_profile_free.
 */
struct pf_profile *pf_flame_gen_profile(size_t nstacks, unsigned seed);

#endif
