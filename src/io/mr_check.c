/* mr_check.c: checks on a parsed network source that go beyond single rows: link lengths
 * against geodesic distances, connected components, unreachable nodes, border crossings without
 * a border row, modes without a tariff or a speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_io.h"
#include "core/mr_geo.h"

#define MR__NCC (26 * 26 * 26) /* ISO alpha-3 codes AAA..ZZZ */

typedef struct checker {
	const mr_src *src;
	mr_diag_fn diag;
	void *ud;
	mr_diag_counts *counts;
} checker;

static void say(checker *k, int sev, const char *file, uint32_t dir, long line, const char *field,
                const char *fmt, ...) MR_PRINTF(7, 8);
static void say(checker *k, int sev, const char *file, uint32_t dir, long line, const char *field,
                const char *fmt, ...)
{
	mr_error e;
	char path[sizeof(e.file)], msg[sizeof(e.msg)];
	va_list ap;

	if (k->counts) {
		if (sev == MR_ERROR)
			k->counts->errors++;
		else
			k->counts->warnings++;
	}
	if (!k->diag)
		return; /* nobody reads the text: do not format it */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_src_path(k->src, dir, file, path, sizeof(path));
	mr_error_clear(&e);
	mr_error_set(&e, sev == MR_ERROR ? MR_EINVALID : MR_OK, path, line, 0, field, "%s", msg);
	k->diag(k->ud, sev, &e);
}

/* Index of an ISO alpha-3 code, or -1. */
static int cc_index(const char *c)
{
	int i, v = 0;
	for (i = 0; i < 3; i++) {
		if (c[i] < 'A' || c[i] > 'Z')
			return -1;
		v = v * 26 + (c[i] - 'A');
	}
	return c[3] == '\0' ? v : -1;
}

static int link_ok(const mr_src *s, const mr_src_link *l)
{
	return l->from < s->nnodes && l->to < s->nnodes;
}

/* ---- length against the geodesic distance ---- */

static void check_lengths(checker *k)
{
	const mr_src *s = k->src;
	size_t i;

	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		const mr_src_node *a, *b;
		double d, ratio;
		if (!link_ok(s, l))
			continue;
		a = &s->nodes[l->from];
		b = &s->nodes[l->to];
		d = mr_geo_distance_km(a->lon, a->lat, b->lon, b->lat);
		if (!(d >= 1.0))
			continue;
		ratio = l->length_km / d;
		if (ratio < 0.9 || ratio > 3.0)
			say(k, MR_WARNING, "link", l->dir, l->line, "length_km",
			    "link '%s': %g km is %.2f times the geodesic distance %.1f km between '%s' "
			    "and '%s' (expected 0.9 to 3.0)",
			    l->id, l->length_km, ratio, d, a->id, b->id);
	}
}

/* ---- components and unreachable nodes ---- */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

typedef struct comp {
	uint32_t root, size, example; /* example: the first node of the component */
} comp;

static int comp_cmp(const void *pa, const void *pb)
{
	const comp *a = pa, *b = pb;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return a->example < b->example ? -1 : a->example > b->example;
}

static int check_components(checker *k)
{
	const mr_src *s = k->src;
	uint32_t *parent = NULL, *degree = NULL, *size = NULL;
	comp *comps = NULL;
	size_t i, ncomp = 0, c;
	uint32_t n = (uint32_t)s->nnodes;

	if (!n)
		return MR_OK;
	parent = mr_malloc(n * sizeof(*parent));
	degree = mr_calloc(n, sizeof(*degree));
	size = mr_calloc(n, sizeof(*size));
	if (!parent || !degree || !size)
		goto nomem;
	for (i = 0; i < n; i++)
		parent[i] = (uint32_t)i;
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		uint32_t a, b;
		if (!link_ok(s, l))
			continue;
		degree[l->from]++;
		degree[l->to]++;
		a = uf_find(parent, l->from);
		b = uf_find(parent, l->to);
		if (a != b)
			parent[a < b ? b : a] = a < b ? a : b; /* the smaller index is the root */
	}
	for (i = 0; i < n; i++) {
		if (!degree[i]) {
			say(k, MR_WARNING, "node", s->nodes[i].dir, s->nodes[i].line, "node_id",
			    "no mode can reach node '%s': no link starts or ends there", s->nodes[i].id);
			continue;
		}
		if (size[uf_find(parent, (uint32_t)i)]++ == 0)
			ncomp++;
	}
	if (ncomp > 1) {
		comps = mr_malloc(ncomp * sizeof(*comps));
		if (!comps)
			goto nomem;
		for (i = 0, c = 0; i < n; i++) {
			/* the root is the smallest index of its component, so it is met first */
			if (degree[i] && parent[i] == i) {
				comps[c].root = (uint32_t)i;
				comps[c].size = size[i];
				comps[c].example = (uint32_t)i;
				c++;
			}
		}
		qsort(comps, ncomp, sizeof(*comps), comp_cmp);
		for (c = 0; c < ncomp; c++) {
			const mr_src_node *ex = &s->nodes[comps[c].example];
			say(k, MR_WARNING, "node", ex->dir, ex->line, "node_id",
			    "the links form %zu disconnected components; component %zu has %u node%s, "
			    "e.g. '%s'",
			    ncomp, c + 1, (unsigned)comps[c].size, comps[c].size == 1 ? "" : "s", ex->id);
		}
	}
	mr_free(comps);
	mr_free(parent);
	mr_free(degree);
	mr_free(size);
	return MR_OK;
nomem:
	mr_free(comps);
	mr_free(parent);
	mr_free(degree);
	mr_free(size);
	return MR_ENOMEM;
}

/* ---- border crossings ---- */

static int has_border(const mr_src *s, const uint32_t *first, const uint32_t *idx, uint32_t node,
                      const char *ca, const char *cb)
{
	uint32_t j;
	for (j = first[node]; j < first[node + 1]; j++) {
		const mr_src_border *b = &s->borders[idx[j]];
		if ((!strcmp(b->country_a, ca) && !strcmp(b->country_b, cb)) ||
		    (!strcmp(b->country_a, cb) && !strcmp(b->country_b, ca)))
			return 1;
	}
	return 0;
}

static int check_borders(checker *k)
{
	const mr_src *s = k->src;
	uint32_t *first, *idx = NULL, *fill = NULL;
	size_t i, n = s->nnodes;

	first = mr_calloc(n + 2, sizeof(*first));
	idx = mr_malloc((s->nborders ? s->nborders : 1) * sizeof(*idx));
	fill = mr_calloc(n + 1, sizeof(*fill));
	if (!first || !idx || !fill) {
		mr_free(first);
		mr_free(idx);
		mr_free(fill);
		return MR_ENOMEM;
	}
	/* borders grouped by node: first[v] .. first[v+1]-1 index idx */
	for (i = 0; i < s->nborders; i++)
		if (s->borders[i].node < n)
			first[s->borders[i].node + 1]++;
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	for (i = 0; i < s->nborders; i++) {
		uint32_t v = s->borders[i].node;
		if (v < n)
			idx[first[v] + fill[v]++] = (uint32_t)i;
	}
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		const mr_src_node *a, *b;
		if (!link_ok(s, l) || l->mode == MR_MODE_SEA)
			continue;
		a = &s->nodes[l->from];
		b = &s->nodes[l->to];
		if (!a->country[0] || !b->country[0] || !strcmp(a->country, b->country))
			continue;
		if (has_border(s, first, idx, l->from, a->country, b->country) ||
		    has_border(s, first, idx, l->to, a->country, b->country))
			continue;
		say(k, MR_WARNING, "link", l->dir, l->line, NULL,
		    "link '%s' crosses %s-%s with no border crossing (no border.csv row for this pair at "
		    "'%s' or '%s')",
		    l->id, a->country, b->country, a->id, b->id);
	}
	mr_free(first);
	mr_free(idx);
	mr_free(fill);
	return MR_OK;
}

/* ---- tariffs and speeds ---- */

static int check_tariffs(checker *k)
{
	const mr_src *s = k->src;
	size_t i, first_link[MR_MODE_COUNT];
	int has_tariff[MR_MODE_COUNT] = {0}, any_speed[MR_MODE_COUNT] = {0};
	unsigned char *speed_cc; /* speed_cc[mode * MR__NCC + country]: a tariff there gives a speed */

	speed_cc = mr_calloc((size_t)MR_MODE_COUNT * MR__NCC, 1);
	if (!speed_cc)
		return MR_ENOMEM;
	for (i = 0; i < s->ntariffs; i++) {
		const mr_src_tariff *t = &s->tariffs[i];
		int cc;
		if (t->mode < 0 || t->mode >= MR_MODE_COUNT)
			continue;
		has_tariff[t->mode] = 1;
		if (!(t->speed_kmh > 0))
			continue;
		if (!t->country[0])
			any_speed[t->mode] = 1;
		else if ((cc = cc_index(t->country)) >= 0)
			speed_cc[(size_t)t->mode * MR__NCC + (size_t)cc] = 1;
	}
	for (i = 0; i < MR_MODE_COUNT; i++)
		first_link[i] = (size_t)-1;
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		const char *cs[3];
		int j, found;
		if (l->mode < 0 || l->mode >= MR_MODE_COUNT)
			continue;
		if (first_link[l->mode] == (size_t)-1)
			first_link[l->mode] = i;
		if (l->free_speed_kmh > 0 || any_speed[l->mode])
			continue;
		/* a tariff for the link's own country or for either end's country gives a speed */
		cs[0] = l->country;
		cs[1] = l->from < s->nnodes ? s->nodes[l->from].country : "";
		cs[2] = l->to < s->nnodes ? s->nodes[l->to].country : "";
		for (j = 0, found = 0; j < 3 && !found; j++) {
			int cc = cc_index(cs[j]);
			found = cc >= 0 && speed_cc[(size_t)l->mode * MR__NCC + (size_t)cc];
		}
		if (!found)
			say(k, MR_ERROR, "link", l->dir, l->line, "free_speed_kmh",
			    "no speed: link '%s' has no free_speed_kmh and tariff.csv gives no speed_kmh "
			    "for %s%s%s",
			    l->id, mr_mode_name(l->mode), cs[1][0] ? " in " : "", cs[1]);
	}
	for (i = 0; i < MR_MODE_COUNT; i++) {
		if (first_link[i] == (size_t)-1 || has_tariff[i])
			continue;
		say(k, MR_WARNING, "link", s->links[first_link[i]].dir, s->links[first_link[i]].line, "mode",
		    "no tariff for %s in tariff.csv: cost and CO2e are 0 on %s links",
		    mr_mode_name((int)i), mr_mode_name((int)i));
	}
	mr_free(speed_cc);
	return MR_OK;
}

void mr_src_check(const mr_src *src, mr_diag_fn diag, void *ud, mr_diag_counts *counts)
{
	checker k;

	if (!src)
		return;
	k.src = src;
	k.diag = diag;
	k.ud = ud;
	k.counts = counts;
	check_lengths(&k);
	if (check_components(&k) || check_borders(&k) || check_tariffs(&k)) {
		mr_error e;
		mr_error_clear(&e);
		mr_error_set(&e, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory: network checks stopped");
		if (counts)
			counts->errors++;
		if (diag)
			diag(ud, MR_ERROR, &e);
	}
}
