/* profile.c - life cycle and lookups of the profile model (profile.h). */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

struct pf_profile *pf_profile_new(void)
{
	struct pf_profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pf_arena_init(&p->arena);
	p->drop_frames = "";
	p->keep_frames = "";
	p->period_type.type = "";
	p->period_type.unit = "";
	p->default_sample_type = "";
	p->doc_url = "";
	return p;
}

void pf_profile_free(struct pf_profile *p)
{
	if (!p)
		return;
	pf_arena_release(&p->arena);
	free(p);
}

const char *pf_profile_strdup(struct pf_profile *p, const char *s)
{
	if (!s || !*s)
		return "";
	return pf_arena_strdup(&p->arena, s);
}

int pf_profile_sample_index(const struct pf_profile *p, const char *name)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < p->nsample_types; i++)
		if (strcmp(p->sample_types[i].type, name) == 0)
			return (int)i;
	if (!*name)
		return -1;
	v = strtol(name, &end, 10);
	if (*end || v < 0 || (size_t)v >= p->nsample_types)
		return -1;
	return (int)v;
}

int pf_profile_default_index(const struct pf_profile *p)
{
	int i;

	if (p->nsample_types == 0)
		return -1;
	if (p->default_sample_type[0]) {
		i = pf_profile_sample_index(p, p->default_sample_type);
		if (i >= 0)
			return i;
	}
	return (int)p->nsample_types - 1;
}
