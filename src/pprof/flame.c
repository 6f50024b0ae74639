/*
 * flame.c - the flame tree of a profile: building (plain and differential),
 * layout, value text and folded stacks (flame.h). The SVG writer is
 * flame_svg.c.
 *
 * Merging must stay linear in the number of frames even when one frame has
 * tens of thousands of children, so child lookup goes through one hash
 * table keyed by (parent, interned name) rather than a scan of siblings;
 * names are interned so that key comparison is a pointer comparison.
 */
#include "flame.h"
#include "../base/hash.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/str.h"

struct kid {
	const char *name; /* interned */
	uint32_t parent;
	uint32_t id;      /* PF_NONE: empty slot */
};

struct flame_priv {
	struct pf_arena arena;  /* names and libs */
	struct pf_buf nodes;    /* struct pf_flame_node[] */
	/* interned strings: open addressing, power-of-two size */
	const char **strs;
	size_t nstrs, strs_cap;
	/* child index, key (parent, name): the key is kept in the table so
	 * that probing does not touch the nodes */
	struct kid *kids;
	size_t kids_cap;
};

static uint64_t hash_mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));

	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return h;
}

static const char *intern(struct flame_priv *pv, const char *s)
{
	size_t i, mask;

	if (pv->nstrs * 2 >= pv->strs_cap) {
		size_t ncap = pv->strs_cap ? pv->strs_cap * 2 : 1024, j;
		const char **n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < pv->strs_cap; j++) {
			if (!pv->strs[j])
				continue;
			i = (size_t)pf_hash_str(PF_HASH_SEED, pv->strs[j]) & (ncap - 1);
			while (n[i])
				i = (i + 1) & (ncap - 1);
			n[i] = pv->strs[j];
		}
		free(pv->strs);
		pv->strs = n;
		pv->strs_cap = ncap;
	}
	mask = pv->strs_cap - 1;
	i = (size_t)pf_hash_str(PF_HASH_SEED, s) & mask;
	while (pv->strs[i]) {
		if (strcmp(pv->strs[i], s) == 0)
			return pv->strs[i];
		i = (i + 1) & mask;
	}
	pv->strs[i] = pf_arena_strdup(&pv->arena, s);
	if (!pv->strs[i])
		return NULL;
	pv->nstrs++;
	return pv->strs[i];
}

static size_t kid_slot(const struct flame_priv *pv, uint32_t parent, const char *name)
{
	size_t mask = pv->kids_cap - 1;
	size_t i = (size_t)hash_mix(parent, (uint64_t)(uintptr_t)name) & mask;

	while (pv->kids[i].id != PF_NONE) {
		if (pv->kids[i].parent == parent && pv->kids[i].name == name)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static int kids_grow(struct flame_priv *pv)
{
	size_t ncap = pv->kids_cap ? pv->kids_cap * 2 : 4096, j;
	struct kid *old = pv->kids;
	size_t ocap = pv->kids_cap;

	pv->kids = malloc(ncap * sizeof(*pv->kids));
	if (!pv->kids) {
		pv->kids = old;
		return -1;
	}
	for (j = 0; j < ncap; j++)
		pv->kids[j].id = PF_NONE;
	pv->kids_cap = ncap;
	for (j = 0; j < ocap; j++) {
		if (old[j].id == PF_NONE)
			continue;
		pv->kids[kid_slot(pv, old[j].parent, old[j].name)] = old[j];
	}
	free(old);
	return 0;
}

/* Append a node; returns its index or PF_NONE on out of memory. */
static uint32_t node_add(struct pf_flame *fg, struct flame_priv *pv, uint32_t parent,
			 const char *name, const char *lib)
{
	struct pf_flame_node nd;

	if (fg->n >= PF_NONE - 1)
		return PF_NONE;
	memset(&nd, 0, sizeof(nd));
	nd.name = name;
	nd.lib = lib;
	nd.parent = parent;
	nd.first_child = PF_NONE;
	nd.next_sibling = PF_NONE;
	if (parent != PF_NONE) {
		nd.depth = fg->nodes[parent].depth + 1;
		nd.next_sibling = fg->nodes[parent].first_child;
	}
	if (pf_buf_append(&pv->nodes, &nd, sizeof(nd)) < 0)
		return PF_NONE;
	fg->nodes = (struct pf_flame_node *)(void *)pv->nodes.data;
	if (parent != PF_NONE) {
		fg->nodes[parent].first_child = (uint32_t)fg->n;
		fg->nodes[parent].nchildren++;
	}
	if (nd.depth > fg->max_depth)
		fg->max_depth = nd.depth;
	return (uint32_t)fg->n++;
}

static uint32_t child_get(struct pf_flame *fg, struct flame_priv *pv, uint32_t parent,
			  const char *name, const char *lib)
{
	size_t slot;
	uint32_t id;

	if ((fg->n + 1) * 2 >= pv->kids_cap && kids_grow(pv) < 0)
		return PF_NONE;
	slot = kid_slot(pv, parent, name);
	if (pv->kids[slot].id != PF_NONE)
		return pv->kids[slot].id;
	id = node_add(fg, pv, parent, name, lib);
	if (id != PF_NONE)
		pv->kids[slot] = (struct kid){ name, parent, id };
	return id;
}

/* The colour key of a function: its Go package, else its source file's
 * base name, else the binary's. */
static const char *lib_key(const char *name, const char *file, const char *mapfile,
			   char *tmp, size_t size)
{
	const char *end, *slash, *dot, *p;

	if (pf_endswith(file, ".go") || (!file[0] && strchr(name, '.') && !strstr(name, "::"))) {
		/* Only the part before any "(" or "[" can be the import path. */
		end = name + strcspn(name, "([");
		slash = NULL;
		for (p = name; p < end; p++)
			if (*p == '/')
				slash = p;
		dot = memchr(slash ? slash : name, '.', (size_t)(end - (slash ? slash : name)));
		if (dot && dot > name) {
			pf_fmt(tmp, size, "%.*s", (int)(dot - name), name);
			return tmp;
		}
	}
	if (file[0]) {
		slash = strrchr(file, '/');
		return slash ? slash + 1 : file;
	}
	if (mapfile && mapfile[0]) {
		slash = strrchr(mapfile, '/');
		return slash ? slash + 1 : mapfile;
	}
	return "?";
}

/* Per-profile frame names: interned name and lib for every function, and
 * for every location without lines. */
struct frame_names {
	const char **fname, **flib; /* by function index */
	const char **lname, **llib; /* by location index (lineless only) */
	const char *unknown;        /* "[unknown]": the frame of frameless samples */
};

static void frame_names_release(struct frame_names *fn)
{
	free(fn->fname);
	free(fn->flib);
	free(fn->lname);
	free(fn->llib);
	memset(fn, 0, sizeof(*fn));
}

static int frame_names_init(struct frame_names *fn, struct flame_priv *pv,
			    const struct pf_profile *p)
{
	size_t i;
	char tmp[512];

	memset(fn, 0, sizeof(*fn));
	fn->fname = calloc(p->nfunctions + 1, sizeof(char *));
	fn->flib = calloc(p->nfunctions + 1, sizeof(char *));
	fn->lname = calloc(p->nlocations + 1, sizeof(char *));
	fn->llib = calloc(p->nlocations + 1, sizeof(char *));
	fn->unknown = intern(pv, "[unknown]");
	if (!fn->fname || !fn->flib || !fn->lname || !fn->llib || !fn->unknown)
		goto fail;
	/* A function's lib may depend on the mapping of a location using it. */
	for (i = 0; i < p->nlocations; i++) {
		const struct pf_location *l = &p->locations[i];
		const char *mapfile = l->mapping != PF_NONE && l->mapping < p->nmappings
					      ? p->mappings[l->mapping].file
					      : "";
		uint32_t k;

		if (l->nlines == 0) {
			pf_fmt(tmp, sizeof(tmp), "0x%" PRIx64, l->address);
			fn->lname[i] = intern(pv, tmp);
			fn->llib[i] = intern(pv, lib_key("", "", mapfile, tmp, sizeof(tmp)));
			if (!fn->lname[i] || !fn->llib[i])
				goto fail;
			continue;
		}
		for (k = 0; k < l->nlines; k++) {
			uint32_t f = l->lines[k].function;
			const struct pf_function *pfn;

			if (f >= p->nfunctions || fn->fname[f])
				continue;
			pfn = &p->functions[f];
			fn->fname[f] = intern(pv, pfn->name[0] ? pfn->name : pfn->system_name);
			fn->flib[f] = intern(pv, lib_key(pfn->name, pfn->filename, mapfile, tmp,
							 sizeof(tmp)));
			if (!fn->fname[f] || !fn->flib[f])
				goto fail;
		}
	}
	return 0;
fail:
	frame_names_release(fn);
	return -1;
}

/* Add every sample of p (sample type si) to the tree, into value/self
 * (is_base 0) or base/base_self (is_base 1).
 *
 * Neighbouring samples often share the start of their stacks, so the
 * previous sample's path (location, and the node reached after it) is
 * kept and the common prefix skips the hash lookups. Values are added
 * afterwards by walking from the leaf up. */
static int add_profile(struct pf_flame *fg, struct flame_priv *pv, const struct pf_profile *p,
		       int si, int is_base)
{
	struct frame_names fn;
	uint32_t *prev_loc = NULL, *prev_node = NULL;
	size_t s, maxlocs = 1, prev_n = 0;
	int rc = -1;

	if (frame_names_init(&fn, pv, p) < 0)
		return -1;
	for (s = 0; s < p->nsamples; s++)
		if (p->samples[s].nlocs > maxlocs)
			maxlocs = p->samples[s].nlocs;
	prev_loc = malloc(maxlocs * sizeof(*prev_loc));
	prev_node = malloc(maxlocs * sizeof(*prev_node));
	if (!prev_loc || !prev_node)
		goto out;
	for (s = 0; s < p->nsamples; s++) {
		const struct pf_sample *sm = &p->samples[s];
		int64_t v = sm->values[si];
		uint32_t cur = 0, k, n;
		size_t j = 0, nl = sm->nlocs;

		if (v == 0)
			continue;
		/* root-first position j is sm->locs[nl - 1 - j] */
		while (j < nl && j < prev_n && prev_loc[j] == sm->locs[nl - 1 - j])
			j++;
		if (j > 0)
			cur = prev_node[j - 1];
		for (; j < nl; j++) {
			uint32_t loc = sm->locs[nl - 1 - j];
			const struct pf_location *l;

			prev_loc[j] = loc;
			prev_node[j] = cur;
			if (loc >= p->nlocations)
				continue;
			l = &p->locations[loc];
			if (l->nlines == 0) {
				cur = child_get(fg, pv, cur, fn.lname[loc], fn.llib[loc]);
				if (cur == PF_NONE)
					goto out;
				prev_node[j] = cur;
				continue;
			}
			for (k = l->nlines; k-- > 0;) {
				uint32_t f = l->lines[k].function;

				if (f >= p->nfunctions)
					continue;
				cur = child_get(fg, pv, cur, fn.fname[f], fn.flib[f]);
				if (cur == PF_NONE)
					goto out;
			}
			prev_node[j] = cur;
		}
		prev_n = nl;
		/* No frame at all: the folded "[unknown]", drawn as a frame too. */
		if (cur == 0) {
			cur = child_get(fg, pv, 0, fn.unknown, fn.unknown);
			if (cur == PF_NONE)
				goto out;
		}
		if (is_base) {
			fg->nodes[cur].base_self += v;
			for (n = cur; n != PF_NONE; n = fg->nodes[n].parent)
				fg->nodes[n].base += v;
		} else {
			fg->nodes[cur].self += v;
			for (n = cur; n != PF_NONE; n = fg->nodes[n].parent)
				fg->nodes[n].value += v;
		}
	}
	rc = 0;
out:
	free(prev_loc);
	free(prev_node);
	frame_names_release(&fn);
	return rc;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct pf_flame_node *nodes = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return strcmp(nodes[x].name, nodes[y].name);
}

/* Sort every node's children by name and compute the left edges. */
static int finish(struct pf_flame *fg)
{
	struct pf_flame_node *nodes = fg->nodes;
	uint32_t *tmp = NULL, *stack = NULL;
	size_t sp = 0, i;
	int rc = -1;

	tmp = malloc(fg->n * sizeof(*tmp));
	stack = malloc(fg->n * sizeof(*stack));
	if (!tmp || !stack)
		goto out;
	for (i = 0; i < fg->n; i++) {
		uint32_t c, k = 0;

		if (nodes[i].nchildren < 2)
			continue;
		for (c = nodes[i].first_child; c != PF_NONE; c = nodes[c].next_sibling)
			tmp[k++] = c;
		qsort_r(tmp, k, sizeof(*tmp), cmp_name, nodes);
		nodes[i].first_child = tmp[0];
		for (c = 0; c + 1 < k; c++)
			nodes[tmp[c]].next_sibling = tmp[c + 1];
		nodes[tmp[k - 1]].next_sibling = PF_NONE;
	}
	/* Spans bottom-up: a node's index is always above its parent's. */
	for (i = 0; i < fg->n; i++) {
		int64_t v = nodes[i].value, b = nodes[i].base_self;

		if (fg->diff) {
			v = nodes[i].self;
			if (b > v)
				v = b;
		}
		nodes[i].span = v > 0 ? v : 0;
	}
	if (fg->diff)
		for (i = fg->n; i-- > 1;)
			nodes[nodes[i].parent].span += nodes[i].span;
	nodes[0].start = 0;
	stack[sp++] = 0;
	while (sp > 0) {
		uint32_t n = stack[--sp], c;
		int64_t x = nodes[n].start;

		for (c = nodes[n].first_child; c != PF_NONE; c = nodes[c].next_sibling) {
			nodes[c].start = x;
			x += nodes[c].span;
			stack[sp++] = c;
		}
	}
	fg->total = nodes[0].value;
	fg->base_total = nodes[0].base;
	rc = 0;
out:
	free(tmp);
	free(stack);
	return rc;
}

static struct pf_flame *flame_alloc(const struct pf_profile *p, int si, struct pf_err *err)
{
	struct pf_flame *fg;
	struct flame_priv *pv;

	if (si < 0 || (size_t)si >= p->nsample_types) {
		pf_err_set(err, PF_EUSAGE, "sample index %d out of range (the profile has %zu sample types)",
			   si, p->nsample_types);
		return NULL;
	}
	fg = calloc(1, sizeof(*fg));
	pv = calloc(1, sizeof(*pv));
	if (!fg || !pv) {
		free(fg);
		free(pv);
		pf_err_set(err, PF_EFAIL, "out of memory");
		return NULL;
	}
	fg->priv = pv;
	pf_arena_init(&pv->arena);
	pf_buf_init(&pv->nodes, 0);
	fg->sample_type = pf_arena_strdup(&pv->arena, p->sample_types[si].type);
	fg->unit = pf_arena_strdup(&pv->arena, p->sample_types[si].unit);
	if (!fg->sample_type || !fg->unit || kids_grow(pv) < 0 ||
	    node_add(fg, pv, PF_NONE, intern(pv, "root"), "") != 0) {
		pf_flame_free(fg);
		pf_err_set(err, PF_EFAIL, "out of memory");
		return NULL;
	}
	return fg;
}

struct pf_flame *pf_flame_new(const struct pf_profile *p, int si, struct pf_err *err)
{
	struct pf_flame *fg = flame_alloc(p, si, err);

	if (!fg)
		return NULL;
	if (add_profile(fg, fg->priv, p, si, 0) < 0 || finish(fg) < 0) {
		pf_flame_free(fg);
		pf_err_set(err, PF_EFAIL, "out of memory building the flame graph");
		return NULL;
	}
	return fg;
}

struct pf_flame *pf_flame_new_diff(const struct pf_profile *cur, const struct pf_profile *base,
				   int si, struct pf_err *err)
{
	struct pf_flame *fg = flame_alloc(cur, si, err);
	int bsi;

	if (!fg)
		return NULL;
	bsi = pf_profile_sample_index(base, cur->sample_types[si].type);
	if (bsi < 0)
		bsi = si;
	if ((size_t)bsi >= base->nsample_types) {
		pf_flame_free(fg);
		pf_err_set(err, PF_EINPUT, "the base profile has no sample type %s",
			   cur->sample_types[si].type);
		return NULL;
	}
	fg->diff = 1;
	if (add_profile(fg, fg->priv, cur, si, 0) < 0 ||
	    add_profile(fg, fg->priv, base, bsi, 1) < 0 || finish(fg) < 0) {
		pf_flame_free(fg);
		pf_err_set(err, PF_EFAIL, "out of memory building the flame graph");
		return NULL;
	}
	return fg;
}

void pf_flame_free(struct pf_flame *fg)
{
	struct flame_priv *pv;

	if (!fg)
		return;
	pv = fg->priv;
	if (pv) {
		pf_arena_release(&pv->arena);
		pf_buf_release(&pv->nodes);
		free(pv->strs);
		free(pv->kids);
		free(pv);
	}
	free(fg);
}

size_t pf_flame_subtree_size(const struct pf_flame *fg, uint32_t i)
{
	size_t n = 1;
	uint32_t c;

	for (c = fg->nodes[i].first_child; c != PF_NONE; c = fg->nodes[c].next_sibling)
		n += pf_flame_subtree_size(fg, c);
	return n;
}

uint32_t pf_flame_child(const struct pf_flame *fg, uint32_t i, const char *name)
{
	uint32_t c;

	for (c = fg->nodes[i].first_child; c != PF_NONE; c = fg->nodes[c].next_sibling)
		if (strcmp(fg->nodes[c].name, name) == 0)
			return c;
	return PF_NONE;
}

double pf_flame_delta(const struct pf_flame *fg, uint32_t i)
{
	int64_t t;

	if (!fg->diff)
		return 0;
	t = fg->base_total != 0 ? fg->base_total : fg->total;
	if (t == 0)
		return 0;
	return (double)(fg->nodes[i].value - fg->nodes[i].base) / (double)t;
}

void pf_flame_layout_init(struct pf_flame_layout *l)
{
	memset(l, 0, sizeof(*l));
}

void pf_flame_layout_release(struct pf_flame_layout *l)
{
	free(l->rects);
	memset(l, 0, sizeof(*l));
}

static int rect_add(struct pf_flame_layout *l, uint32_t node, uint32_t depth, double x, double w)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 256;
		struct pf_flame_rect *r = realloc(l->rects, na * sizeof(*r));

		if (!r)
			return -1;
		l->rects = r;
		l->alloc = na;
	}
	l->rects[l->n++] = (struct pf_flame_rect){ node, depth, x, w };
	return 0;
}

int pf_flame_layout(const struct pf_flame *fg, uint32_t zoom, double width, double min_w,
		    struct pf_flame_layout *l)
{
	const struct pf_flame_node *nodes = fg->nodes;
	uint32_t *stack = NULL, a, path_len = 0;
	size_t sp = 0;
	double scale;
	int64_t zv;
	int rc = -1;

	l->n = 0;
	if (zoom >= fg->n)
		zoom = 0;
	/* Ancestors, root first. */
	for (a = zoom; nodes[a].parent != PF_NONE; a = nodes[a].parent)
		path_len++;
	for (a = 0; a < path_len; a++) {
		uint32_t k = zoom, j;

		for (j = 0; j < path_len - a; j++)
			k = nodes[k].parent;
		if (rect_add(l, k, nodes[k].depth, 0, width) < 0)
			return -1;
	}
	zv = nodes[zoom].span;
	scale = zv > 0 ? width / (double)zv : 0;
	if (rect_add(l, zoom, nodes[zoom].depth, 0, width) < 0)
		return -1;
	if (zv == 0)
		return 0;
	stack = malloc(fg->n * sizeof(*stack));
	if (!stack)
		return -1;
	stack[sp++] = zoom;
	while (sp > 0) {
		uint32_t n = stack[--sp], c;

		for (c = nodes[n].first_child; c != PF_NONE; c = nodes[c].next_sibling) {
			double w = (double)nodes[c].span * scale;

			if (w < min_w || w <= 0)
				continue;
			if (rect_add(l, c, nodes[c].depth,
				     (double)(nodes[c].start - nodes[zoom].start) * scale, w) < 0)
				goto out;
			stack[sp++] = c;
		}
	}
	rc = 0;
out:
	free(stack);
	return rc;
}

/* "%.2f" with a trailing ".00" dropped, as pprof prints values. */
static void fmt_scaled(char *dst, size_t size, double v, const char *suffix)
{
	char num[64];
	size_t n;

	pf_fmt(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n > 3 && strcmp(num + n - 3, ".00") == 0)
		num[n - 3] = 0;
	pf_fmt(dst, size, "%s%s", num, suffix);
}

void pf_flame_format_value(const struct pf_flame *fg, int64_t v, char *dst, size_t size)
{
	const char *u = fg->unit;
	double x = (double)v, ax;
	double ns = 0;

	if (strcmp(u, "nanoseconds") == 0 || strcmp(u, "ns") == 0)
		ns = 1;
	else if (strcmp(u, "microseconds") == 0 || strcmp(u, "us") == 0)
		ns = 1e3;
	else if (strcmp(u, "milliseconds") == 0 || strcmp(u, "ms") == 0)
		ns = 1e6;
	else if (strcmp(u, "seconds") == 0 || strcmp(u, "s") == 0)
		ns = 1e9;
	if (ns > 0) {
		x *= ns;
		ax = fabs(x);
		if (ax == 0)
			pf_fmt(dst, size, "0");
		else if (ax >= 3600e9)
			fmt_scaled(dst, size, x / 3600e9, "hrs");
		else if (ax >= 1e9)
			fmt_scaled(dst, size, x / 1e9, "s");
		else if (ax >= 1e6)
			fmt_scaled(dst, size, x / 1e6, "ms");
		else if (ax >= 1e3)
			fmt_scaled(dst, size, x / 1e3, "us");
		else
			fmt_scaled(dst, size, x, "ns");
		return;
	}
	if (strcmp(u, "bytes") == 0 || strcmp(u, "B") == 0) {
		static const char *const sfx[] = { "B", "kB", "MB", "GB", "TB" };
		int k = 0;

		ax = fabs(x);
		while (k < 4 && ax >= 1024) {
			ax /= 1024;
			x /= 1024;
			k++;
		}
		if (v == 0)
			pf_fmt(dst, size, "0");
		else
			fmt_scaled(dst, size, x, sfx[k]);
		return;
	}
	pf_fmt(dst, size, "%" PRId64, v);
}

/* 0 count, 1 time or bytes (formatted with a unit suffix), 2 another unit */
static int unit_kind(const struct pf_flame *fg)
{
	static const char *const scaled[] = { "nanoseconds", "ns", "microseconds", "us",
					      "milliseconds", "ms", "seconds", "s", "bytes", "B" };
	size_t i;

	if (strcmp(fg->unit, "count") == 0 || fg->unit[0] == 0)
		return 0;
	for (i = 0; i < sizeof(scaled) / sizeof(scaled[0]); i++)
		if (strcmp(fg->unit, scaled[i]) == 0)
			return 1;
	return 2;
}

static double pct(int64_t v, int64_t total)
{
	return total != 0 ? 100.0 * (double)v / (double)total : 0;
}

/* What a count counts, by the sample type: an alloc_objects value is a
 * number of objects, not of samples. NULL: a bare number. */
static const char *count_word(const struct pf_flame *fg)
{
	const char *t = fg->sample_type;

	if (strcmp(t, "samples") == 0 || strcmp(t, "sample") == 0)
		return "samples";
	if (pf_endswith(t, "objects"))
		return "objects";
	if (strcmp(t, "goroutine") == 0 || strcmp(t, "goroutines") == 0)
		return "goroutines";
	if (strcmp(t, "contentions") == 0)
		return "contentions";
	return NULL;
}

/* "1.20s" / "1234 samples" / "56 objects" / "17 widgets" */
static void value_words(const struct pf_flame *fg, int64_t v, char *dst, size_t size)
{
	char num[64];
	int k = unit_kind(fg);

	pf_flame_format_value(fg, v, num, sizeof(num));
	if (k == 0 && count_word(fg))
		pf_fmt(dst, size, "%s %s", num, count_word(fg));
	else if (k == 0)
		pf_fmt(dst, size, "%s", num);
	else if (k == 2)
		pf_fmt(dst, size, "%s %s", num, fg->unit);
	else
		pf_fmt(dst, size, "%s", num);
}

int pf_flame_title(const struct pf_flame *fg, uint32_t i, struct pf_buf *out)
{
	const struct pf_flame_node *nd = &fg->nodes[i];
	char a[96], b[96];

	if (!fg->diff) {
		value_words(fg, nd->value, a, sizeof(a));
		return pf_buf_printf(out, "%s (%s, %.2f%%)", nd->name, a, pct(nd->value, fg->total));
	}
	value_words(fg, nd->base, b, sizeof(b));
	value_words(fg, nd->value, a, sizeof(a));
	return pf_buf_printf(out, "%s (before %s %.2f%%, after %s %.2f%%, %+.2f%%)", nd->name, b,
			     pct(nd->base, fg->base_total), a, pct(nd->value, fg->total),
			     100.0 * pf_flame_delta(fg, i));
}

/* A frame name as one folded field: ';' separates frames and a newline
 * ends the line, so both are replaced; other control bytes (an escape
 * sequence in a symbol would reach the terminal) become '?', as in the
 * SVG. */
static int put_folded_name(struct pf_buf *out, const char *s)
{
	size_t start = out->len;
	char *p;

	if (pf_buf_puts(out, s) < 0)
		return -1;
	for (p = out->data + start; *p; p++)
		if (*p == ';')
			*p = ':';
		else if (*p == '\n' || *p == '\r')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return 0;
}

int pf_flame_write_folded(const struct pf_flame *fg, struct pf_buf *out)
{
	const struct pf_flame_node *nodes = fg->nodes;
	struct pf_buf path = PF_BUF_INIT;
	size_t *plen = NULL;
	uint32_t n = 0;
	int rc = -1;

	/* The stack as text, one length per depth: plen[d] is the length of
	 * the path down to depth d. */
	plen = calloc((size_t)fg->max_depth + 2, sizeof(*plen));
	if (!plen)
		goto out;
	n = nodes[0].first_child;
	while (n != PF_NONE) {
		const struct pf_flame_node *nd = &nodes[n];

		pf_buf_truncate(&path, plen[nd->depth - 1]);
		if ((nd->depth > 1 && pf_buf_putc(&path, ';') < 0) ||
		    put_folded_name(&path, nd->name) < 0)
			goto out;
		plen[nd->depth] = path.len;
		if (nd->self != 0 || (fg->diff && nd->base_self != 0)) {
			if (pf_buf_append(out, path.data, path.len) < 0)
				goto out;
			if (fg->diff ? pf_buf_printf(out, " %" PRId64 " %" PRId64 "\n", nd->base_self,
						     nd->self) < 0
				     : pf_buf_printf(out, " %" PRId64 "\n", nd->self) < 0)
				goto out;
		}
		/* Next in depth-first order: first child, else the next sibling
		 * of the nearest ancestor that has one. */
		if (nd->first_child != PF_NONE) {
			n = nd->first_child;
			continue;
		}
		while (n != PF_NONE && nodes[n].next_sibling == PF_NONE)
			n = nodes[n].parent;
		if (n == PF_NONE || n == 0)
			break;
		n = nodes[n].next_sibling;
	}
	rc = 0;
out:
	free(plen);
	pf_buf_release(&path);
	return rc;
}
