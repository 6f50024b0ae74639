/*
 * graph.c - the function-level call graph of pprof's reports (graph.h).
 *
 * Mirrors go tool pprof's FilterSamplesByName, Aggregate(functions) and
 * graph.New: the order in which frames are visited (root to leaf, caller
 * line before inlined callee), the per-sample de-duplication of cum and
 * edge weights, residual edges over dropped nodes, and flat only for a
 * kept leaf. Everything is keyed by ids through hash tables, so a build
 * is linear in the total stack depth of the profile.
 */
#include "graph.h"
#include "../base/hash.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

struct pf_regex {
	regex_t re;
};

int pf_regex_compile(struct pf_regex **out, const char *what, const char *re, struct pf_err *err)
{
	struct pf_regex *r;
	int rc;

	*out = NULL;
	if (!re || !*re)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return pf_err_set(err, PF_EFAIL, "out of memory");
	rc = regcomp(&r->re, re, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[256];

		regerror(rc, &r->re, msg, sizeof(msg));
		free(r);
		return pf_err_set(err, PF_EUSAGE, "parsing %s regexp %s: %s", what, re, msg);
	}
	*out = r;
	return 0;
}

int pf_regex_match(const struct pf_regex *r, const char *s)
{
	return regexec(&r->re, s, 0, NULL, 0) == 0;
}

void pf_regex_free(struct pf_regex *r)
{
	if (!r)
		return;
	regfree(&r->re);
	free(r);
}

/* ---- node names ---- */

struct names {
	const char **keys;
	uint32_t *ids;
	size_t mask, n, alloc;
	const char **list; /* id -> name */
};

static size_t str_hash(const char *s)
{
	return (size_t)pf_hash_str(PF_HASH_SEED, s);
}

static int names_init(struct names *t, size_t hint)
{
	size_t cap = 64;

	while (cap < hint * 2)
		cap <<= 1;
	memset(t, 0, sizeof(*t));
	t->keys = calloc(cap, sizeof(*t->keys));
	t->ids = calloc(cap, sizeof(*t->ids));
	t->alloc = hint + 16;
	t->list = calloc(t->alloc, sizeof(*t->list));
	t->mask = cap - 1;
	return t->keys && t->ids && t->list ? 0 : -1;
}

static void names_release(struct names *t)
{
	free(t->keys);
	free(t->ids);
	t->keys = NULL;
	t->ids = NULL;
}

static int names_grow(struct names *t)
{
	size_t cap = (t->mask + 1) * 2, i;
	const char **keys = calloc(cap, sizeof(*keys));
	uint32_t *ids = calloc(cap, sizeof(*ids));

	if (!keys || !ids) {
		free(keys);
		free(ids);
		return -1;
	}
	for (i = 0; i <= t->mask; i++) {
		size_t h;

		if (!t->keys[i])
			continue;
		h = str_hash(t->keys[i]) & (cap - 1);
		while (keys[h])
			h = (h + 1) & (cap - 1);
		keys[h] = t->keys[i];
		ids[h] = t->ids[i];
	}
	free(t->keys);
	free(t->ids);
	t->keys = keys;
	t->ids = ids;
	t->mask = cap - 1;
	return 0;
}

/* The id of name (which must outlive the table), added when new. */
static int64_t names_id(struct names *t, const char *name)
{
	size_t h;

	if ((t->n + 1) * 2 > t->mask + 1 && names_grow(t) < 0)
		return -1;
	h = str_hash(name) & t->mask;
	while (t->keys[h]) {
		if (strcmp(t->keys[h], name) == 0)
			return t->ids[h];
		h = (h + 1) & t->mask;
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc * 2;
		const char **nl = realloc(t->list, na * sizeof(*nl));

		if (!nl)
			return -1;
		t->list = nl;
		t->alloc = na;
	}
	t->keys[h] = name;
	t->ids[h] = (uint32_t)t->n;
	t->list[t->n] = name;
	return (int64_t)t->n++;
}

/* ---- set-up: sample type, total, filters, frames ---- */

enum { M_FOCUS = 1, M_IGNORE = 2, M_HIDE = 4, M_SHOW = 8, M_USED = 16 };

struct filters {
	struct pf_regex *re[4]; /* focus, ignore, hide, show */
	uint8_t *fn_match;      /* per function: M_* bits */
	uint8_t *map_match;     /* per mapping: M_* bits */
};

static uint8_t match_bits(struct filters *f, const char *a, const char *b)
{
	uint8_t m = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (f->re[i] && (pf_regex_match(f->re[i], a) || (b && pf_regex_match(f->re[i], b))))
			m |= (uint8_t)(1 << i);
	return m;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Go's matchesName for one regex bit, on the lines still present. */
static int loc_matches(const struct pf_profile *p, struct filters *f, const struct pf_location *l,
		       const uint8_t *line_on, uint8_t bit)
{
	uint32_t k;

	for (k = 0; k < l->nlines; k++)
		if (line_on[k] && (f->fn_match[l->lines[k].function] & bit))
			return 1;
	(void)p;
	return l->mapping != PF_NONE && (f->map_match[l->mapping] & bit);
}

int pf_graph_init(struct pf_graph *g, const struct pf_profile *p,
		  const struct pf_report_opts *o, struct pf_err *err)
{
	struct filters f;
	struct names nm;
	uint32_t *fn_node = NULL, *map_node = NULL;
	uint8_t *loc_flag = NULL, *line_on = NULL;
	size_t i, j, nframes = 0, maxlines = 1;
	int64_t total = 0, diff_total = 0, unknown = -1;
	int rc = -1, any_filter, matched = 0;

	memset(g, 0, sizeof(*g));
	pf_arena_init(&g->arena);
	memset(&f, 0, sizeof(f));
	memset(&nm, 0, sizeof(nm));
	g->p = p;
	if (p->nsample_types == 0) {
		rc = pf_err_set(err, PF_EFAIL, "profile has no samples");
		goto out;
	}
	g->si = pf_report_sample_index(p, o, err);
	if (g->si < 0) {
		rc = g->si;
		goto out;
	}
	g->sample_type = p->sample_types[g->si].type;
	g->sample_unit = p->sample_types[g->si].unit;

	/* computeTotal: |values|, or only the diff base's when there is one. */
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int64_t v = s->values[g->si];

		if (v < 0)
			v = pf_neg64(v);
		total = pf_add64(total, v);
		for (j = 0; j < s->nlabels; j++)
			if (strcmp(s->labels[j].key, "pprof::base") == 0 &&
			    strcmp(s->labels[j].str, "true") == 0) {
				diff_total = pf_add64(diff_total, v);
				break;
			}
	}
	g->total = diff_total > 0 ? diff_total : total;

	if (pf_regex_compile(&f.re[0], "focus", o->focus, err) < 0 ||
	    pf_regex_compile(&f.re[1], "ignore", o->ignore, err) < 0 ||
	    pf_regex_compile(&f.re[2], "hide", o->hide, err) < 0 ||
	    pf_regex_compile(&f.re[3], "show", o->show, err) < 0) {
		rc = err ? err->code : PF_EUSAGE;
		goto out;
	}
	any_filter = f.re[0] || f.re[1] || f.re[2] || f.re[3];
	f.fn_match = calloc(p->nfunctions + 1, 1);
	f.map_match = calloc(p->nmappings + 1, 1);
	fn_node = calloc(p->nfunctions + 1, sizeof(*fn_node));
	map_node = calloc(p->nmappings + 1, sizeof(*map_node));
	loc_flag = calloc(p->nlocations + 1, 1);
	g->loc_off = calloc(p->nlocations + 1, sizeof(*g->loc_off));
	g->loc_hidden = calloc(p->nlocations + 1, 1);
	g->sample_ok = calloc(p->nsamples + 1, 1);
	if (!f.fn_match || !f.map_match || !fn_node || !map_node || !loc_flag || !g->loc_off ||
	    !g->loc_hidden || !g->sample_ok || names_init(&nm, p->nfunctions + 16) < 0)
		goto oom;

	/* Node names: functions by name; nameless frames by binary. */
	for (i = 0; i < p->nfunctions; i++) {
		const struct pf_function *fn = &p->functions[i];
		int64_t id;

		if (any_filter)
			f.fn_match[i] = match_bits(&f, fn->name, fn->filename);
		if (fn->name[0])
			id = names_id(&nm, fn->name);
		else
			id = -2; /* resolved per location (depends on the mapping) */
		if (id == -1)
			goto oom;
		fn_node[i] = id < 0 ? UINT32_MAX : (uint32_t)id;
	}
	for (i = 0; i < p->nmappings; i++) {
		const struct pf_mapping *m = &p->mappings[i];
		int64_t id;

		if (any_filter)
			f.map_match[i] = match_bits(&f, m->file, NULL);
		map_node[i] = UINT32_MAX;
		if (m->file[0]) {
			const char *b = base_name(m->file);
			size_t bl = strlen(b);
			char *name = pf_arena_alloc(&g->arena, bl + 3);

			if (!name)
				goto oom;
			name[0] = '[';
			memcpy(name + 1, b, bl);
			name[bl + 1] = ']';
			name[bl + 2] = '\0';
			id = names_id(&nm, name);
			if (id < 0)
				goto oom;
			map_node[i] = (uint32_t)id;
		}
	}
	for (i = 0; i < p->nlocations; i++) {
		nframes += p->locations[i].nlines ? p->locations[i].nlines : 1;
		if (p->locations[i].nlines > maxlines)
			maxlines = p->locations[i].nlines;
	}
	g->frames = calloc(nframes + 1, sizeof(*g->frames));
	g->frame_line = calloc(nframes + 1, sizeof(*g->frame_line));
	line_on = calloc(maxlines + 1, 1);
	if (!g->frames || !g->frame_line || !line_on)
		goto oom;

	/* The locations pprof sees: it merges every profile it reads, which
	 * drops the samples whose values are all zero and the locations no
	 * sample uses. Only these count for "matched no samples". */
	if (any_filter && o->warnings) {
		for (i = 0; i < p->nsamples; i++) {
			const struct pf_sample *s = &p->samples[i];
			size_t k;

			for (k = 0; k < p->nsample_types && s->values[k] == 0; k++)
				;
			if (k == p->nsample_types)
				continue;
			for (j = 0; j < s->nlocs; j++)
				loc_flag[s->locs[j]] = M_USED;
		}
	}

	/* Per location: focus/ignore, then hide, then show (FilterSamplesByName). */
	nframes = 0;
	for (i = 0; i < p->nlocations; i++) {
		const struct pf_location *l = &p->locations[i];
		uint32_t k, kept = 0;
		int hidden = 0, used = loc_flag[i] == M_USED;

		loc_flag[i] = 0;
		memset(line_on, 1, l->nlines + 1);
		if (any_filter) {
			if (f.re[1] && loc_matches(p, &f, l, line_on, M_IGNORE))
				loc_flag[i] = M_IGNORE;
			else if (!f.re[0] || loc_matches(p, &f, l, line_on, M_FOCUS))
				loc_flag[i] = M_FOCUS;
			if (used)
				matched |= loc_flag[i];
			if (f.re[2] && loc_matches(p, &f, l, line_on, M_HIDE)) {
				if (used)
					matched |= M_HIDE;
				if (l->mapping != PF_NONE && (f.map_match[l->mapping] & M_HIDE)) {
					memset(line_on, 0, l->nlines + 1);
				} else {
					for (k = 0; k < l->nlines; k++)
						if (f.fn_match[l->lines[k].function] & M_HIDE)
							line_on[k] = 0;
				}
				for (k = 0, kept = 0; k < l->nlines; k++)
					kept += line_on[k];
				if (!kept)
					hidden = 1;
			}
			if (f.re[3]) {
				if (!(l->mapping != PF_NONE && (f.map_match[l->mapping] & M_SHOW)))
					for (k = 0; k < l->nlines; k++)
						if (!(f.fn_match[l->lines[k].function] & M_SHOW))
							line_on[k] = 0;
				for (k = 0, kept = 0; k < l->nlines; k++)
					kept += line_on[k];
				if (!kept)
					hidden = 1;
				else if (used)
					matched |= M_SHOW;
			}
		} else {
			loc_flag[i] = M_FOCUS;
		}
		g->loc_hidden[i] = (uint8_t)hidden;
		g->loc_off[i] = (uint32_t)nframes;
		if (hidden)
			continue;
		if (l->nlines == 0) {
			uint32_t id = l->mapping != PF_NONE ? map_node[l->mapping] : UINT32_MAX;

			if (id == UINT32_MAX) {
				if (unknown < 0 && (unknown = names_id(&nm, "<unknown>")) < 0)
					goto oom;
				id = (uint32_t)unknown;
			}
			g->frame_line[nframes] = UINT32_MAX;
			g->frames[nframes++] = id;
			continue;
		}
		for (k = 0; k < l->nlines; k++) {
			uint32_t fi = l->lines[k].function, id = fn_node[fi];

			if (!line_on[k])
				continue;
			if (id == UINT32_MAX)
				id = l->mapping != PF_NONE ? map_node[l->mapping] : UINT32_MAX;
			if (id == UINT32_MAX) {
				if (unknown < 0 && (unknown = names_id(&nm, "<unknown>")) < 0)
					goto oom;
				id = (uint32_t)unknown;
			}
			g->frame_line[nframes] = k;
			g->frames[nframes++] = id;
		}
	}
	g->loc_off[p->nlocations] = (uint32_t)nframes;

	/* focusedAndNotIgnored, and samples left with no location. */
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int focus = 0, ignored = 0, left = 0;

		for (j = 0; j < s->nlocs; j++) {
			uint8_t fl = loc_flag[s->locs[j]];

			if (fl & M_IGNORE)
				ignored = 1;
			else if (fl & M_FOCUS)
				focus = 1;
			if (!g->loc_hidden[s->locs[j]])
				left = 1;
		}
		g->sample_ok[i] = (uint8_t)(focus && !ignored && left);
	}

	/* warnNoMatches, in pprof's order. */
	if (any_filter && o->warnings) {
		static const char *const names[4] = { "Focus", "Ignore", "Hide", "Show" };

		for (i = 0; i < 4; i++)
			if (f.re[i] && !(matched & (1 << i)) &&
			    pf_buf_printf(o->warnings, "%s expression matched no samples\n", names[i]) < 0)
				goto oom;
	}

	g->nnodes = nm.n;
	g->nodes = calloc(nm.n + 1, sizeof(*g->nodes));
	if (!g->nodes)
		goto oom;
	for (i = 0; i < nm.n; i++)
		g->nodes[i].name = nm.list[i];
	rc = 0;
	goto out;
oom:
	rc = pf_err_set(err, PF_EFAIL, "out of memory");
out:
	for (i = 0; i < 4; i++)
		pf_regex_free(f.re[i]);
	free(f.fn_match);
	free(f.map_match);
	free(fn_node);
	free(map_node);
	free(loc_flag);
	free(line_on);
	names_release(&nm);
	free(nm.list);
	if (rc < 0)
		pf_graph_release(g);
	return rc;
}

/* ---- building ---- */

static size_t edge_hash(uint32_t a, uint32_t b)
{
	uint64_t k = ((uint64_t)a << 32) | b;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

static int edges_grow(struct pf_graph *g)
{
	size_t cap = g->edge_cap ? g->edge_cap * 2 : 1024, i;
	struct pf_gedge *ne = calloc(cap, sizeof(*ne));

	if (!ne)
		return -1;
	for (i = 0; i < cap; i++)
		ne[i].src = UINT32_MAX;
	for (i = 0; i < g->edge_cap; i++) {
		size_t h;

		if (g->edges[i].src == UINT32_MAX)
			continue;
		h = edge_hash(g->edges[i].src, g->edges[i].dst) & (cap - 1);
		while (ne[h].src != UINT32_MAX)
			h = (h + 1) & (cap - 1);
		ne[h] = g->edges[i];
	}
	free(g->edges);
	g->edges = ne;
	g->edge_cap = cap;
	return 0;
}

static struct pf_gedge *edge_get(struct pf_graph *g, uint32_t src, uint32_t dst)
{
	size_t h;

	if ((g->nedges + 1) * 2 > g->edge_cap && edges_grow(g) < 0)
		return NULL;
	h = edge_hash(src, dst) & (g->edge_cap - 1);
	while (g->edges[h].src != UINT32_MAX) {
		if (g->edges[h].src == src && g->edges[h].dst == dst)
			return &g->edges[h];
		h = (h + 1) & (g->edge_cap - 1);
	}
	g->edges[h].src = src;
	g->edges[h].dst = dst;
	g->edges[h].weight = 0;
	g->edges[h].stamp = 0;
	g->edges[h].is_inline = 1;
	g->edges[h].residual = 0;
	g->edges[h].dropped = 0;
	g->nedges++;
	return &g->edges[h];
}

int pf_graph_build(struct pf_graph *g, const uint8_t *kept)
{
	const struct pf_profile *p = g->p;
	size_t i;

	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].flat = 0;
		g->nodes[i].cum = 0;
		g->nodes[i].stamp = 0;
		g->nodes[i].in_inline = 0;
		g->nodes[i].in_noinline = 0;
	}
	free(g->edges);
	g->edges = NULL;
	g->edge_cap = 0;
	g->nedges = 0;
	if (edges_grow(g) < 0)
		return -1;
	for (i = 0; i < p->nsamples; i++) {
		const struct pf_sample *s = &p->samples[i];
		int64_t w = s->values[g->si];
		uint32_t parent = UINT32_MAX, stamp = (uint32_t)i + 1;
		int residual = 0;
		size_t j;

		if (w == 0 || !g->sample_ok[i])
			continue;
		for (j = s->nlocs; j-- > 0;) {
			uint32_t l = s->locs[j], lo, hi, k;

			if (g->loc_hidden[l])
				continue;
			lo = g->loc_off[l];
			hi = g->loc_off[l + 1];
			for (k = hi; k-- > lo;) {
				uint32_t n = g->frames[k];

				if (kept && !kept[n]) {
					residual = 1;
					continue;
				}
				if (g->nodes[n].stamp != stamp) {
					g->nodes[n].stamp = stamp;
					g->nodes[n].cum = pf_add64(g->nodes[n].cum, w);
				}
				if (parent != UINT32_MAX && n != parent) {
					struct pf_gedge *e = edge_get(g, parent, n);

					if (!e)
						return -1;
					if (e->stamp != stamp) {
						e->stamp = stamp;
						e->weight = pf_add64(e->weight, w);
						if (residual)
							e->residual = 1;
						if (k == hi - 1)
							e->is_inline = 0;
					}
				}
				parent = n;
				residual = 0;
			}
		}
		if (parent != UINT32_MAX && !residual)
			g->nodes[parent].flat = pf_add64(g->nodes[parent].flat, w);
	}
	return 0;
}

struct sort_ctx {
	const struct pf_gnode *nodes;
	int cum;
};

static struct sort_ctx sort_ctx; /* for qsort; reports are not concurrent */

static int by_order(const void *a, const void *b)
{
	const struct pf_gnode *x = &sort_ctx.nodes[*(const uint32_t *)a];
	const struct pf_gnode *y = &sort_ctx.nodes[*(const uint32_t *)b];
	int64_t xv = sort_ctx.cum ? pf_abs64(x->cum) : pf_abs64(x->flat);
	int64_t yv = sort_ctx.cum ? pf_abs64(y->cum) : pf_abs64(y->flat);
	int c;

	if (xv != yv)
		return xv > yv ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	xv = sort_ctx.cum ? pf_abs64(x->flat) : pf_abs64(x->cum);
	yv = sort_ctx.cum ? pf_abs64(y->flat) : pf_abs64(y->cum);
	if (xv != yv)
		return xv > yv ? -1 : 1;
	return 0;
}

long pf_graph_sorted_nodes(const struct pf_graph *g, const uint8_t *kept, int cum, uint32_t **out)
{
	uint32_t *ids = malloc((g->nnodes + 1) * sizeof(*ids));
	size_t i, n = 0;

	*out = NULL;
	if (!ids)
		return -1;
	for (i = 0; i < g->nnodes; i++) {
		if (kept && !kept[i])
			continue;
		if (g->nodes[i].flat == 0 && g->nodes[i].cum == 0)
			continue;
		ids[n++] = (uint32_t)i;
	}
	sort_ctx.nodes = g->nodes;
	sort_ctx.cum = cum;
	qsort(ids, n, sizeof(*ids), by_order);
	*out = ids;
	return (long)n;
}

void pf_graph_trim_edges(struct pf_graph *g, int64_t cutoff)
{
	size_t i;

	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].in_inline = 0;
		g->nodes[i].in_noinline = 0;
	}
	for (i = 0; i < g->edge_cap; i++) {
		struct pf_gedge *e = &g->edges[i];

		if (e->src == UINT32_MAX || e->dropped)
			continue;
		if (pf_abs64(e->weight) < cutoff) {
			e->dropped = 1;
			continue;
		}
		if (e->is_inline)
			g->nodes[e->dst].in_inline = 1;
		else
			g->nodes[e->dst].in_noinline = 1;
	}
}

void pf_graph_release(struct pf_graph *g)
{
	free(g->nodes);
	free(g->loc_off);
	free(g->frames);
	free(g->frame_line);
	free(g->loc_hidden);
	free(g->sample_ok);
	free(g->edges);
	pf_arena_release(&g->arena);
	memset(g, 0, sizeof(*g));
}
