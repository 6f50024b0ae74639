/*
 * flame_gen.c - synthetic profiles with many distinct stacks (flame_gen.h).
 *
 * Stack i starts with a fixed-length path chosen by the mixed-radix digits
 * of i, which makes every stack distinct (for i below 56 million), then continues with a few pseudo-random
 * frames, so the tree has both wide fan-out and deep, narrow branches.
 */
#include "flame_gen.h"

#include <stdint.h>
#include <string.h>

#include "../base/str.h"

enum { NFUNCS = 2000, MAXDEPTH = 40 };

static uint32_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

struct pf_profile *pf_flame_gen_profile(size_t nstacks, unsigned seed)
{
	static const size_t radix[] = { 8, 12, 16, 24, 32, 48 };
	struct pf_profile *p = pf_profile_new();
	struct pf_arena *a;
	uint64_t rs = seed ? seed : 1;
	size_t i, k;

	if (!p)
		return NULL;
	a = &p->arena;
	p->nsample_types = 2;
	p->sample_types = pf_arena_calloc(a, 2, sizeof(*p->sample_types));
	p->functions = pf_arena_calloc(a, NFUNCS, sizeof(*p->functions));
	p->locations = pf_arena_calloc(a, NFUNCS, sizeof(*p->locations));
	p->mappings = pf_arena_calloc(a, 1, sizeof(*p->mappings));
	p->samples = pf_arena_calloc(a, nstacks ? nstacks : 1, sizeof(*p->samples));
	if (!p->sample_types || !p->functions || !p->locations || !p->mappings || !p->samples)
		goto fail;
	p->sample_types[0] = (struct pf_value_type){ "samples", "count" };
	p->sample_types[1] = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period_type = (struct pf_value_type){ "cpu", "nanoseconds" };
	p->period = 10000000;
	p->nmappings = 1;
	p->mappings[0] = (struct pf_mapping){ .id = 1, .start = 0x400000, .limit = 0x800000,
					      .file = "/usr/bin/synthetic", .build_id = "",
					      .has_functions = 1 };
	p->nfunctions = NFUNCS;
	p->nlocations = NFUNCS;
	for (i = 0; i < NFUNCS; i++) {
		char name[64], file[64];

		if (i == 0)
			pf_fmt(name, sizeof(name), "main.main");
		else
			pf_fmt(name, sizeof(name), "pkg%zu.(*T%zu).func%zu", i % 37, i % 11, i);
		pf_fmt(file, sizeof(file), "pkg%zu/file.go", i % 37);
		p->functions[i] = (struct pf_function){ .id = i + 1,
							.name = pf_arena_strdup(a, name),
							.system_name = "",
							.filename = pf_arena_strdup(a, file),
							.start_line = 10 };
		p->locations[i] = (struct pf_location){ .id = i + 1, .mapping = 0,
							.address = 0x401000 + i * 64, .nlines = 1 };
		p->locations[i].lines = pf_arena_calloc(a, 1, sizeof(struct pf_line));
		if (!p->functions[i].name || !p->functions[i].filename || !p->locations[i].lines)
			goto fail;
		p->locations[i].lines[0] = (struct pf_line){ (uint32_t)i, 12, 0 };
	}
	p->nsamples = nstacks;
	for (i = 0; i < nstacks; i++) {
		uint32_t frames[MAXDEPTH];
		size_t n = 0, rest = i, extra;
		struct pf_sample *s = &p->samples[i];

		frames[n++] = 0;
		/* distinct prefix of fixed length: the digits of i */
		for (k = 0; k < sizeof(radix) / sizeof(radix[0]); k++) {
			frames[n++] = (uint32_t)(1 + (k * 97 + (rest % radix[k]) * 13) % (NFUNCS - 1));
			rest /= radix[k];
		}
		extra = next_rand(&rs) % 12;
		while (extra-- > 0 && n < MAXDEPTH)
			frames[n++] = 1 + next_rand(&rs) % (NFUNCS - 1);
		s->nlocs = (uint32_t)n;
		s->locs = pf_arena_calloc(a, n, sizeof(uint32_t));
		s->values = pf_arena_calloc(a, 2, sizeof(int64_t));
		if (!s->locs || !s->values)
			goto fail;
		for (k = 0; k < n; k++)
			s->locs[k] = frames[n - 1 - k]; /* leaf first */
		s->values[0] = 1 + next_rand(&rs) % 100;
		s->values[1] = s->values[0] * 10000000;
	}
	return p;
fail:
	pf_profile_free(p);
	return NULL;
}
