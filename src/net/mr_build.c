/* mr_build.c: expansion of a source network into the virtual network and its file image.
 *
 * The virtual network (the method of Nodus): every real node gets one virtual node per
 * (mode, gauge) that a link uses there. A link becomes one arc per direction between the virtual
 * nodes of its mode and gauge; a transfer rule becomes arcs between the virtual nodes of one real
 * node. Arc metrics, per TEU:
 *   distance_km = length_km (0 on transfers)
 *   time_h      = length / speed + headway / 2 (scheduled links) + border dwell; transfer time
 *   cost_usd    = length x tariff(mode, country) + toll + border fee; transfer cost + the
 *                 entered mode's fixed fee (tariff fixed_usd) at that node
 *   co2e_kg     = length x factor(mode, country); transfer co2e
 * A link between two countries is charged half its length at each country's rates. The fixed
 * fee of the first leg is the virtual node's fixed_usd, added by the router at the origin. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mr_geo.h"
#include "core/mr_strtab.h"
#include "core/mr_vec.h"
#include "net/mr_file.h"
#include "net/mr_kd.h"

typedef struct tmp_arc {
	uint32_t tail, head;
	mr_arc_rec rec;
} tmp_arc;

typedef struct builder {
	const mr_src *src;
	mr_error *err;
	mr_strtab st;
	mr_node_rec *nodes;
	MR_VEC(mr_vnode_rec) vnodes;
	MR_VEC(tmp_arc) arcs;
	mr_link_rec *links;
	mr_transfer_rec *transfers;
	mr_border_rec *borders;
	mr_tariff_rec *tariffs;
	uint64_t *rules_by_node; /* (node << 32 | transfer index), sorted: defaults (MR_NONE) last */
	size_t nrules_by_node;
	uint32_t *kd;            /* node indexes in k-d tree order */
	MR_VEC(uint32_t) chain_first; /* compressed lane chains, see MR_ARC_CHAIN */
	MR_VEC(uint32_t) chain_steps;
	mr_net_meta meta;
} builder;

#define STR(b, s, dst)                                   \
	do {                                                 \
		int rc_ = mr_strtab_add(&(b)->st, (s), &(dst));  \
		if (rc_)                                         \
			return rc_;                                  \
	} while (0)

static void copy_country(char dst[4], const char *src)
{
	memset(dst, 0, 4);
	memcpy(dst, src, strnlen(src, 3));
}

static const mr_src_tariff *tariff_for(const mr_src *s, int mode, const char *country)
{
	const mr_src_tariff *dflt = NULL;
	size_t i;
	for (i = 0; i < s->ntariffs; i++) {
		const mr_src_tariff *t = &s->tariffs[i];
		if (t->mode != mode)
			continue;
		if (country[0] && strcmp(t->country, country) == 0)
			return t;
		if (!t->country[0])
			dflt = t;
	}
	return dflt;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t vkey(uint32_t node, int mode, int gauge)
{
	return ((uint64_t)node << 32) | ((uint64_t)(unsigned)mode << 16) | (uint64_t)(unsigned)gauge;
}

static int build_nodes(builder *b)
{
	const mr_src *s = b->src;
	size_t i, k, nkeys = 0;
	uint64_t *keys;
	int rc = MR_OK;

	b->nodes = mr_calloc(s->nnodes ? s->nnodes : 1, sizeof(*b->nodes));
	keys = mr_malloc((2 * s->nlinks + 1) * sizeof(*keys));
	if (!b->nodes || !keys) {
		mr_free(keys);
		return MR_ENOMEM;
	}
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		int g = l->mode == MR_MODE_RAIL ? l->gauge_mm : 0;
		keys[nkeys++] = vkey(l->from, l->mode, g);
		keys[nkeys++] = vkey(l->to, l->mode, g);
	}
	qsort(keys, nkeys, sizeof(*keys), cmp_u64);
	for (i = 0; i < s->nnodes; i++) {
		const mr_src_node *n = &s->nodes[i];
		mr_node_rec *r = &b->nodes[i];
		r->lon = n->lon;
		r->lat = n->lat;
		copy_country(r->country, n->country);
		if ((rc = mr_strtab_add(&b->st, n->id, &r->id)) || (rc = mr_strtab_add(&b->st, n->name, &r->name)) ||
		    (rc = mr_strtab_add(&b->st, n->type, &r->type)) ||
		    (rc = mr_strtab_add(&b->st, n->unlocode, &r->unlocode)) ||
		    (rc = mr_strtab_add(&b->st, n->aliases, &r->aliases)))
			goto out;
		r->first_vnode = (uint32_t)b->vnodes.n;
	}
	/* Keys are sorted by node, then mode, then gauge: virtual nodes come out grouped by node. */
	for (k = 0; k < nkeys; k++) {
		mr_vnode_rec v;
		const mr_src_tariff *t;
		if (k && keys[k] == keys[k - 1])
			continue;
		memset(&v, 0, sizeof(v));
		v.node = (uint32_t)(keys[k] >> 32);
		v.mode = (uint8_t)((keys[k] >> 16) & 0xffff);
		v.gauge_mm = (uint16_t)(keys[k] & 0xffff);
		t = tariff_for(s, v.mode, s->nodes[v.node].country);
		v.fixed_usd = t ? (float)t->fixed_usd : 0.0f;
		if (b->nodes[v.node].nvnodes == 0)
			b->nodes[v.node].first_vnode = (uint32_t)b->vnodes.n;
		b->nodes[v.node].nvnodes++;
		if ((rc = mr_vec_push(&b->vnodes, v)))
			goto out;
	}
	if (b->vnodes.n >= MR_NONE) {
		rc = mr_error_set(b->err, MR_ELIMIT, s->dir, 0, 0, NULL, "too many virtual nodes");
		goto out;
	}
out:
	mr_free(keys);
	return rc;
}

static uint32_t find_vnode(const builder *b, uint32_t node, int mode, int gauge)
{
	const mr_node_rec *n = &b->nodes[node];
	uint32_t v;
	for (v = n->first_vnode; v < n->first_vnode + n->nvnodes; v++)
		if (b->vnodes.v[v].mode == mode && b->vnodes.v[v].gauge_mm == gauge)
			return v;
	return MR_NONE;
}

static uint32_t find_border(const mr_src *s, const mr_src_link *l, const char *ca, const char *cb)
{
	size_t i;
	for (i = 0; i < s->nborders; i++) {
		const mr_src_border *br = &s->borders[i];
		if (br->node != l->from && br->node != l->to)
			continue;
		if ((strcmp(br->country_a, ca) == 0 && strcmp(br->country_b, cb) == 0) ||
		    (strcmp(br->country_a, cb) == 0 && strcmp(br->country_b, ca) == 0))
			return (uint32_t)i;
	}
	return MR_NONE;
}

static int add_arc(builder *b, uint32_t tail, uint32_t head, const mr_arc_rec *rec)
{
	tmp_arc a;
	a.tail = tail;
	a.head = head;
	a.rec = *rec;
	return mr_vec_push(&b->arcs, a);
}

static int build_links(builder *b)
{
	const mr_src *s = b->src;
	size_t i;

	b->links = mr_calloc(s->nlinks ? s->nlinks : 1, sizeof(*b->links));
	if (!b->links)
		return MR_ENOMEM;
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		const char *cf = s->nodes[l->from].country, *ct = s->nodes[l->to].country;
		const char *c1 = l->country[0] ? l->country : cf;
		const char *c2 = l->country[0] ? l->country : ct;
		const mr_src_tariff *t1 = tariff_for(s, l->mode, c1), *t2 = tariff_for(s, l->mode, c2);
		mr_link_rec *r = &b->links[i];
		int g = l->mode == MR_MODE_RAIL ? l->gauge_mm : 0;
		double speed = l->free_speed_kmh > 0 ? l->free_speed_kmh : (t1 ? t1->speed_kmh : 0);
		double headway = l->services_per_week > 0 ? 168.0 / l->services_per_week : 0;
		double half = l->length_km / 2;
		uint32_t border = MR_NONE;
		mr_arc_rec a;

		if (!(speed > 0)) {
			char path[sizeof(((mr_error *)0)->file)];
			mr_src_path(s, l->dir, "link", path, sizeof(path));
			return mr_error_set(b->err, MR_EINVALID, path, l->line, 0, "free_speed_kmh",
			                    "link '%s': no speed (no free_speed_kmh and no tariff speed_kmh for mode %s)",
			                    l->id, mr_mode_name(l->mode));
		}
		STR(b, l->id, r->id);
		STR(b, l->tags, r->tags);
		STR(b, l->passage, r->passage);
		STR(b, l->source, r->source);
		STR(b, l->name, r->name);
		r->from = l->from;
		r->to = l->to;
		r->length_km = (float)l->length_km;
		r->speed_kmh = (float)speed;
		r->capacity = (float)l->capacity;
		r->headway_h = (float)headway;
		r->toll_usd = (float)l->toll_usd;
		r->gauge_mm = (uint16_t)g;
		r->mode = (uint8_t)l->mode;
		r->status = (uint8_t)l->status;
		r->electrified = (uint8_t)(l->electrified != 0);
		r->directed = (uint8_t)(l->directed != 0);
		copy_country(r->country, l->country[0] ? l->country : (strcmp(cf, ct) == 0 ? cf : ""));

		memset(&a, 0, sizeof(a));
		a.kind = MR_ARC_LINK;
		a.ref = (uint32_t)i;
		a.mode = (uint8_t)l->mode;
		a.status = (uint8_t)l->status;
		a.distance_km = (float)l->length_km;
		a.time_h = (float)(l->length_km / speed + headway / 2 + l->delay_h);
		a.cost_usd = (float)(half * (t1 ? t1->usd_per_teu_km : 0) + half * (t2 ? t2->usd_per_teu_km : 0) +
		                     l->toll_usd);
		a.co2e_kg = (float)(half * (t1 ? t1->co2e_kg_per_teu_km : 0) + half * (t2 ? t2->co2e_kg_per_teu_km : 0));
		if (l->mode != MR_MODE_SEA && cf[0] && ct[0] && strcmp(cf, ct) != 0)
			border = find_border(s, l, cf, ct);
		a.border = border;
		if (border != MR_NONE) {
			const mr_src_border *br = &s->borders[border];
			a.time_h += (float)br->dwell_h;
			a.cost_usd += (float)br->fee_usd;
			if (br->status == MR_STATUS_CLOSED)
				a.status = MR_STATUS_CLOSED;
			else if (br->status == MR_STATUS_RESTRICTED && a.status == MR_STATUS_OPEN)
				a.status = MR_STATUS_RESTRICTED;
		}
		{
			uint32_t u = find_vnode(b, l->from, l->mode, g), v = find_vnode(b, l->to, l->mode, g);
			int rc = add_arc(b, u, v, &a);
			if (!rc && !l->directed)
				rc = add_arc(b, v, u, &a);
			if (rc)
				return rc;
		}
		b->meta.arcs_by_mode[l->mode] += l->directed ? 1 : 2;
	}
	return MR_OK;
}

static int rule_matches(const mr_src_transfer *t, const mr_vnode_rec *u, const mr_vnode_rec *v)
{
	int fg = t->from_mode == MR_MODE_RAIL ? t->from_gauge_mm : 0;
	int tg = t->to_mode == MR_MODE_RAIL ? t->to_gauge_mm : 0;
	if (t->from_mode == u->mode && fg == u->gauge_mm && t->to_mode == v->mode && tg == v->gauge_mm)
		return 1;
	return !t->directed && t->to_mode == u->mode && tg == u->gauge_mm && t->from_mode == v->mode &&
	       fg == v->gauge_mm;
}

static int build_transfers(builder *b)
{
	const mr_src *s = b->src;
	size_t i, lo = 0, dlo = s->ntransfers; /* rules from dlo on are the defaults */
	uint32_t node;

	b->transfers = mr_calloc(s->ntransfers ? s->ntransfers : 1, sizeof(*b->transfers));
	b->rules_by_node = mr_malloc((s->ntransfers + 1) * sizeof(uint64_t));
	if (!b->transfers || !b->rules_by_node)
		return MR_ENOMEM;
	for (i = 0; i < s->ntransfers; i++) {
		const mr_src_transfer *t = &s->transfers[i];
		mr_transfer_rec *r = &b->transfers[i];
		r->node = t->node;
		STR(b, t->source, r->source);
		r->time_h = (float)t->time_h;
		r->cost_usd = (float)t->cost_usd;
		r->co2e_kg = (float)t->co2e_kg;
		r->from_mode = (uint8_t)t->from_mode;
		r->to_mode = (uint8_t)t->to_mode;
		r->from_gauge_mm = (uint16_t)(t->from_mode == MR_MODE_RAIL ? t->from_gauge_mm : 0);
		r->to_gauge_mm = (uint16_t)(t->to_mode == MR_MODE_RAIL ? t->to_gauge_mm : 0);
		b->rules_by_node[i] = ((uint64_t)t->node << 32) | i;
	}
	b->nrules_by_node = s->ntransfers;
	/* By node, then file order: the first matching rule at a node wins. */
	qsort(b->rules_by_node, b->nrules_by_node, sizeof(uint64_t), cmp_u64);
	while (dlo > 0 && (b->rules_by_node[dlo - 1] >> 32) == MR_NONE)
		dlo--;
	for (node = 0; node < s->nnodes; node++) {
		const mr_node_rec *n = &b->nodes[node];
		size_t hi, k;
		uint32_t x, y;
		while (lo < b->nrules_by_node && (b->rules_by_node[lo] >> 32) < node)
			lo++;
		hi = lo;
		while (hi < b->nrules_by_node && (b->rules_by_node[hi] >> 32) == node)
			hi++;
		for (x = n->first_vnode; x < n->first_vnode + n->nvnodes; x++) {
			for (y = n->first_vnode; y < n->first_vnode + n->nvnodes; y++) {
				const mr_vnode_rec *u = &b->vnodes.v[x], *v = &b->vnodes.v[y];
				uint32_t rule = MR_NONE;
				mr_arc_rec a;
				int rc;
				if (x == y)
					continue;
				for (k = lo; k < hi && rule == MR_NONE; k++) {
					uint32_t t = (uint32_t)b->rules_by_node[k];
					if (rule_matches(&s->transfers[t], u, v))
						rule = t;
				}
				for (k = dlo; k < b->nrules_by_node && rule == MR_NONE; k++) {
					uint32_t t = (uint32_t)b->rules_by_node[k];
					if (rule_matches(&s->transfers[t], u, v))
						rule = t;
				}
				if (rule == MR_NONE)
					continue;
				memset(&a, 0, sizeof(a));
				a.kind = MR_ARC_TRANSFER;
				a.ref = rule;
				a.border = MR_NONE;
				a.mode = v->mode;
				a.status = MR_STATUS_OPEN;
				a.time_h = (float)s->transfers[rule].time_h;
				a.cost_usd = (float)s->transfers[rule].cost_usd + v->fixed_usd;
				a.co2e_kg = (float)s->transfers[rule].co2e_kg;
				if ((rc = add_arc(b, x, y, &a)))
					return rc;
				b->meta.transfer_arcs++;
			}
		}
	}
	return MR_OK;
}

static int build_borders_tariffs(builder *b)
{
	const mr_src *s = b->src;
	size_t i;

	b->borders = mr_calloc(s->nborders ? s->nborders : 1, sizeof(*b->borders));
	b->tariffs = mr_calloc(s->ntariffs ? s->ntariffs : 1, sizeof(*b->tariffs));
	if (!b->borders || !b->tariffs)
		return MR_ENOMEM;
	for (i = 0; i < s->nborders; i++) {
		const mr_src_border *x = &s->borders[i];
		mr_border_rec *r = &b->borders[i];
		STR(b, x->id, r->id);
		STR(b, x->name, r->name);
		STR(b, x->source, r->source);
		r->node = x->node;
		r->dwell_h = (float)x->dwell_h;
		r->fee_usd = (float)x->fee_usd;
		copy_country(r->country_a, x->country_a);
		copy_country(r->country_b, x->country_b);
		r->status = (uint8_t)x->status;
	}
	for (i = 0; i < s->ntariffs; i++) {
		const mr_src_tariff *x = &s->tariffs[i];
		mr_tariff_rec *r = &b->tariffs[i];
		STR(b, x->source, r->source);
		r->usd_per_teu_km = (float)x->usd_per_teu_km;
		r->fixed_usd = (float)x->fixed_usd;
		r->co2e_kg_per_teu_km = (float)x->co2e_kg_per_teu_km;
		r->speed_kmh = (float)x->speed_kmh;
		copy_country(r->country, x->country);
		r->mode = (uint8_t)x->mode;
	}
	return MR_OK;
}

static int cmp_country(const void *a, const void *b)
{
	return memcmp(a, b, 4);
}

static int fill_meta(builder *b)
{
	const mr_src *s = b->src;
	mr_net_meta *m = &b->meta;
	char(*cc)[4];
	size_t i, n = 0;

	m->nnodes = (uint32_t)s->nnodes;
	m->nvnodes = (uint32_t)b->vnodes.n;
	m->narcs = (uint32_t)b->arcs.n;
	/* Arcs by mode, as they are in the graph (a compressed chain counts once). */
	memset(m->arcs_by_mode, 0, sizeof(m->arcs_by_mode));
	m->transfer_arcs = 0;
	for (i = 0; i < b->arcs.n; i++) {
		if (b->arcs.v[i].rec.kind == MR_ARC_TRANSFER)
			m->transfer_arcs++;
		else
			m->arcs_by_mode[b->arcs.v[i].rec.mode]++;
	}
	m->nlinks = (uint32_t)s->nlinks;
	m->ntransfers = (uint32_t)s->ntransfers;
	m->nborders = (uint32_t)s->nborders;
	m->ntariffs = (uint32_t)s->ntariffs;
	m->min_lon = m->min_lat = s->nnodes ? INFINITY : 0;
	m->max_lon = m->max_lat = s->nnodes ? -INFINITY : 0;
	cc = mr_calloc(s->nnodes + 1, 4);
	if (!cc)
		return MR_ENOMEM;
	for (i = 0; i < s->nnodes; i++) {
		const mr_src_node *x = &s->nodes[i];
		m->min_lon = fmin(m->min_lon, x->lon);
		m->max_lon = fmax(m->max_lon, x->lon);
		m->min_lat = fmin(m->min_lat, x->lat);
		m->max_lat = fmax(m->max_lat, x->lat);
		if (x->country[0])
			copy_country(cc[n++], x->country);
	}
	qsort(cc, n, 4, cmp_country);
	for (i = 0; i < n; i++)
		if (i == 0 || memcmp(cc[i], cc[i - 1], 4) != 0)
			m->ncountries++;
	mr_free(cc);
	m->built_unix = (int64_t)time(NULL);
	return mr_strtab_add(&b->st, s->dir, &m->build_source);
}

/* ---- lane chain compression (MR_ARC_CHAIN) ----
 * A virtual node is "inner" when its node is a sea lane vertex (node_type "sea") with this one
 * virtual node, and it has exactly two outgoing and two incoming arcs, all links, joining it to
 * two distinct neighbours both ways, with one status, one passage and no border. Every path
 * through an inner vertex goes straight through it, so a run of inner vertices between two
 * others can be one arc whose metrics are the sums: shortest paths are unchanged, and the graph
 * of a lane network shrinks about threefold. */
static int is_inner(const builder *b, const uint32_t *first, const uint32_t *out, const uint32_t *indeg,
                    uint32_t v)
{
	const mr_vnode_rec *vn = &b->vnodes.v[v];
	const mr_node_rec *nd = &b->nodes[vn->node];
	const tmp_arc *x, *y;
	uint32_t k;
	if (nd->nvnodes != 1 || strcmp(b->st.data + nd->type, "sea") != 0)
		return 0;
	if (first[v + 1] - first[v] != 2 || indeg[v] != 2)
		return 0;
	x = &b->arcs.v[out[first[v]]];
	y = &b->arcs.v[out[first[v] + 1]];
	if (x->head == y->head || x->head == v || y->head == v)
		return 0;
	for (k = 0; k < 2; k++) {
		const tmp_arc *a = k ? y : x;
		if (a->rec.kind != MR_ARC_LINK || a->rec.border != MR_NONE || a->rec.status != x->rec.status ||
		    b->links[a->rec.ref].passage != b->links[x->rec.ref].passage)
			return 0;
	}
	/* The two incoming arcs must come back from those two neighbours: then no path can enter v
	 * from a third place. */
	for (k = 0; k < 2; k++) {
		uint32_t u = (k ? y : x)->head, j;
		int back = 0;
		for (j = first[u]; j < first[u + 1] && !back; j++)
			back = b->arcs.v[out[j]].head == v && b->arcs.v[out[j]].rec.kind == MR_ARC_LINK;
		if (!back)
			return 0;
	}
	return 1;
}

static int compress_chains(builder *b, int keep_all)
{
	const uint32_t n = (uint32_t)b->vnodes.n;
	const size_t m = b->arcs.n;
	uint32_t *first = mr_calloc((size_t)n + 2, sizeof(uint32_t));
	uint32_t *out = mr_malloc((m + 1) * sizeof(uint32_t));
	uint32_t *indeg = mr_calloc((size_t)n + 1, sizeof(uint32_t));
	uint8_t *inner = mr_calloc((size_t)n + 1, 1);
	uint32_t *newid = mr_malloc(((size_t)n + 1) * sizeof(uint32_t));
	MR_VEC(tmp_arc) kept = {0};
	uint32_t v, k, nn = 0;
	size_t i;
	int rc = MR_ENOMEM;

	if (!first || !out || !indeg || !inner || !newid)
		goto done;
	for (i = 0; i < m; i++)
		first[b->arcs.v[i].tail + 1]++, indeg[b->arcs.v[i].head]++;
	for (v = 0; v < n; v++)
		first[v + 1] += first[v];
	{
		uint32_t *fill = mr_malloc(((size_t)n + 1) * sizeof(uint32_t));
		if (!fill)
			goto done;
		memcpy(fill, first, ((size_t)n + 1) * sizeof(uint32_t));
		for (i = 0; i < m; i++)
			out[fill[b->arcs.v[i].tail]++] = (uint32_t)i;
		mr_free(fill);
	}
	for (v = 0; v < n && !keep_all; v++)
		inner[v] = (uint8_t)is_inner(b, first, out, indeg, v);

	/* Walk from every arc that leaves a vertex that stays; follow inner vertices to the next one. */
	for (i = 0; i < m; i++) {
		tmp_arc a = b->arcs.v[i];
		uint32_t prev = a.tail, cur = a.head, steps = 1;
		double dist, time, cost, co2;
		if (inner[a.tail])
			continue;
		if (!inner[cur]) {
			if ((rc = mr_vec_push(&kept, a)))
				goto done;
			continue;
		}
		dist = a.rec.distance_km, time = a.rec.time_h, cost = a.rec.cost_usd, co2 = a.rec.co2e_kg;
		if ((rc = mr_vec_push(&b->chain_first, (uint32_t)b->chain_steps.n)))
			goto done;
#define STEP(arc, from_node)                                                                        \
	mr_vec_push(&b->chain_steps, (arc)->rec.ref | (b->links[(arc)->rec.ref].from == (from_node) ? 0u : MR_CHAIN_REVERSED))
		if ((rc = STEP(&a, b->vnodes.v[a.tail].node)))
			goto done;
		while (inner[cur] && steps <= n) {
			const tmp_arc *x = &b->arcs.v[out[first[cur]]], *y = &b->arcs.v[out[first[cur] + 1]];
			const tmp_arc *next = x->head != prev ? x : y;
			dist += next->rec.distance_km, time += next->rec.time_h, cost += next->rec.cost_usd;
			co2 += next->rec.co2e_kg;
			if ((rc = STEP(next, b->vnodes.v[cur].node)))
				goto done;
			prev = cur;
			cur = next->head;
			steps++;
		}
#undef STEP
		if (cur == a.tail || inner[cur]) { /* a ring back to its start, or a closed ring: no use */
			b->chain_steps.n = b->chain_first.v[--b->chain_first.n];
			continue;
		}
		a.head = cur;
		a.rec.kind = MR_ARC_CHAIN;
		a.rec.ref = (uint32_t)(b->chain_first.n - 1);
		a.rec.distance_km = (float)dist;
		a.rec.time_h = (float)time;
		a.rec.cost_usd = (float)cost;
		a.rec.co2e_kg = (float)co2;
		if ((rc = mr_vec_push(&kept, a)))
			goto done;
	}
	if ((rc = mr_vec_push(&b->chain_first, (uint32_t)b->chain_steps.n)))
		goto done;
	b->meta.nchains = (uint32_t)(b->chain_first.n - 1);
	b->meta.nchain_steps = (uint32_t)b->chain_steps.n;

	/* Drop the inner virtual nodes and renumber the others (still grouped by node). */
	for (v = 0; v < n; v++) {
		newid[v] = inner[v] ? MR_NONE : nn;
		if (!inner[v])
			b->vnodes.v[nn++] = b->vnodes.v[v];
	}
	b->vnodes.n = nn;
	for (k = 0; k < b->src->nnodes; k++) {
		mr_node_rec *nd = &b->nodes[k];
		uint32_t f = MR_NONE, c = 0, x;
		for (x = nd->first_vnode; x < nd->first_vnode + nd->nvnodes; x++)
			if (newid[x] != MR_NONE) {
				if (f == MR_NONE)
					f = newid[x];
				c++;
			}
		nd->first_vnode = f == MR_NONE ? nn : f;
		nd->nvnodes = c;
	}
	for (i = 0; i < kept.n; i++) {
		kept.v[i].tail = newid[kept.v[i].tail];
		kept.v[i].head = newid[kept.v[i].head];
	}
	mr_vec_free(&b->arcs);
	b->arcs.v = kept.v, b->arcs.n = kept.n, b->arcs.cap = kept.cap;
	kept.v = NULL;
	rc = MR_OK;
done:
	mr_vec_free(&kept);
	mr_free(first);
	mr_free(out);
	mr_free(indeg);
	mr_free(inner);
	mr_free(newid);
	return rc;
}

/* The k-d tree over the nodes that have a virtual node (mr_net.h). */
static int make_kdtree(builder *b)
{
	size_t i, n = 0;
	double *xyz = mr_malloc((b->meta.nnodes + 1) * 3 * sizeof(double));
	uint32_t *ids = mr_malloc((b->meta.nnodes + 1) * sizeof(uint32_t));
	int rc = MR_ENOMEM;
	b->kd = mr_malloc((b->meta.nnodes + 1) * sizeof(uint32_t));
	if (xyz && ids && b->kd) {
		for (i = 0; i < b->meta.nnodes; i++) {
			if (!b->nodes[i].nvnodes)
				continue;
			mr_geo_ecef_km(b->nodes[i].lon, b->nodes[i].lat, xyz + 3 * n);
			ids[n++] = (uint32_t)i;
		}
		rc = mr__kd_order(xyz, ids, n, b->kd);
		b->meta.nkd = (uint32_t)n;
	}
	mr_free(xyz);
	mr_free(ids);
	return rc;
}

/* Lay out the image: header, section table, sections; CSR arrays from the arc list. */
static int make_image(builder *b, void **image_out, size_t *size_out)
{
	const uint32_t n = (uint32_t)b->vnodes.n, m = (uint32_t)b->arcs.n;
	mr_file_section sec[MR_SEC_COUNT];
	size_t off, i;
	uint8_t *img;
	mr_file_header *h;
	uint32_t *first_out, *head, *first_in, *tail_in, *in_arc, *fill = NULL;
	mr_arc_rec *arcs;
	double *xyz;
	uint64_t count[MR_SEC_COUNT];

	b->meta.strings_size = b->st.size;
	mr__section_counts(&b->meta, count);
	off = sizeof(mr_file_header) + sizeof(sec);
	for (i = 0; i < MR_SEC_COUNT; i++) {
		off = (off + 7) & ~(size_t)7;
		sec[i].id = (uint32_t)i;
		sec[i].elsize = mr__section_elsize[i];
		sec[i].offset = off;
		sec[i].count = count[i];
		off += (size_t)(mr__section_elsize[i] * count[i]);
	}
	off = (off + 7) & ~(size_t)7;
	img = mr_calloc(1, off);
	if (!img)
		return MR_ENOMEM;
#define SEC(id, T) ((T *)(img + sec[id].offset))
	memcpy(img + sizeof(mr_file_header), sec, sizeof(sec));
	memcpy(SEC(MR_SEC_META, mr_net_meta), &b->meta, sizeof(b->meta));
	if (b->meta.nnodes)
		memcpy(SEC(MR_SEC_NODES, mr_node_rec), b->nodes, b->meta.nnodes * sizeof(mr_node_rec));
	if (n)
		memcpy(SEC(MR_SEC_VNODES, mr_vnode_rec), b->vnodes.v, n * sizeof(mr_vnode_rec));
	if (b->meta.nlinks)
		memcpy(SEC(MR_SEC_LINKS, mr_link_rec), b->links, b->meta.nlinks * sizeof(mr_link_rec));
	if (b->meta.ntransfers)
		memcpy(SEC(MR_SEC_TRANSFERS, mr_transfer_rec), b->transfers, b->meta.ntransfers * sizeof(mr_transfer_rec));
	if (b->meta.nborders)
		memcpy(SEC(MR_SEC_BORDERS, mr_border_rec), b->borders, b->meta.nborders * sizeof(mr_border_rec));
	if (b->meta.ntariffs)
		memcpy(SEC(MR_SEC_TARIFFS, mr_tariff_rec), b->tariffs, b->meta.ntariffs * sizeof(mr_tariff_rec));
	memcpy(SEC(MR_SEC_STRINGS, char), b->st.data, b->st.size);
	if (b->meta.nkd)
		memcpy(SEC(MR_SEC_KDTREE, uint32_t), b->kd, b->meta.nkd * sizeof(uint32_t));
	memcpy(SEC(MR_SEC_CHAIN_FIRST, uint32_t), b->chain_first.v, ((size_t)b->meta.nchains + 1) * sizeof(uint32_t));
	if (b->meta.nchain_steps)
		memcpy(SEC(MR_SEC_CHAIN_STEPS, uint32_t), b->chain_steps.v, b->meta.nchain_steps * sizeof(uint32_t));

	xyz = SEC(MR_SEC_VXYZ, double);
	for (i = 0; i < n; i++) {
		const mr_node_rec *nd = &b->nodes[b->vnodes.v[i].node];
		mr_geo_ecef_km(nd->lon, nd->lat, xyz + 3 * i);
	}

	/* Forward CSR by counting sort on the tail; arcs keep their insertion order per tail. */
	first_out = SEC(MR_SEC_FIRST_OUT, uint32_t);
	head = SEC(MR_SEC_HEAD, uint32_t);
	arcs = SEC(MR_SEC_ARCS, mr_arc_rec);
	first_in = SEC(MR_SEC_FIRST_IN, uint32_t);
	tail_in = SEC(MR_SEC_TAIL_IN, uint32_t);
	in_arc = SEC(MR_SEC_IN_ARC, uint32_t);
	fill = mr_malloc(((size_t)n + 1) * sizeof(uint32_t));
	if (!fill) {
		mr_free(img);
		return MR_ENOMEM;
	}
	for (i = 0; i < m; i++)
		first_out[b->arcs.v[i].tail + 1]++;
	for (i = 0; i < n; i++)
		first_out[i + 1] += first_out[i];
	memcpy(fill, first_out, ((size_t)n + 1) * sizeof(uint32_t));
	for (i = 0; i < m; i++) {
		uint32_t a = fill[b->arcs.v[i].tail]++;
		head[a] = b->arcs.v[i].head;
		arcs[a] = b->arcs.v[i].rec;
	}
	/* Backward CSR: arcs into each vertex, in forward-arc order. */
	for (i = 0; i < m; i++)
		first_in[head[i] + 1]++;
	for (i = 0; i < n; i++)
		first_in[i + 1] += first_in[i];
	memcpy(fill, first_in, ((size_t)n + 1) * sizeof(uint32_t));
	{
		uint32_t v, a;
		for (v = 0; v < n; v++)
			for (a = first_out[v]; a < first_out[v + 1]; a++) {
				uint32_t k = fill[head[a]]++;
				tail_in[k] = v;
				in_arc[k] = a;
			}
	}
	mr_free(fill);

	/* A* ratios: smallest metric per km of the arc lower bound (mr_geo_arc_lb_km) over arcs
	 * between distinct places. */
	{
		mr_net_meta *meta = SEC(MR_SEC_META, mr_net_meta);
		double r[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
		uint32_t v, a;
		int k;
		for (v = 0; v < n; v++)
			for (a = first_out[v]; a < first_out[v + 1]; a++) {
				double c = mr_geo_arc_lb_km(xyz + 3 * v, xyz + 3 * head[a]);
				double met[4] = {arcs[a].distance_km, arcs[a].time_h, arcs[a].cost_usd, arcs[a].co2e_kg};
				if (c < 1e-6)
					continue;
				for (k = 0; k < 4; k++)
					r[k] = fmin(r[k], met[k] / c);
			}
		for (k = 0; k < 4; k++)
			meta->astar_ratio[k] = isfinite(r[k]) ? r[k] * (1.0 - 1e-9) : 0.0;
	}

	h = (mr_file_header *)img;
	memcpy(h->magic, MR_FILE_MAGIC, 8);
	h->version = MR_FILE_VERSION;
	h->byte_order = MR_FILE_BYTE_ORDER;
	h->file_size = off;
	h->nsections = MR_SEC_COUNT;
	h->header_size = sizeof(mr_file_header);
	h->checksum = mr__image_checksum(img, off);
#undef SEC
	*image_out = img;
	*size_out = off;
	return MR_OK;
}

int mr_net_build(const mr_src *src, mr_net *out, mr_error *err)
{
	return mr_net_build_opts(src, NULL, out, err);
}

int mr_net_build_opts(const mr_src *src, const mr_build_opts *o, mr_net *out, mr_error *err)
{
	builder b;
	void *img = NULL;
	size_t size = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.src = src;
	b.err = err;
	if ((rc = mr_strtab_init(&b.st)))
		goto fail;
	if ((rc = build_nodes(&b)) || (rc = build_links(&b)) || (rc = build_transfers(&b)) ||
	    (rc = compress_chains(&b, o && o->keep_lane_vertices)) || (rc = build_borders_tariffs(&b)) || (rc = fill_meta(&b)) ||
	    (rc = make_kdtree(&b)))
		goto fail;
	if (b.arcs.n >= MR_NONE) {
		rc = mr_error_set(err, MR_ELIMIT, src->dir, 0, 0, NULL, "too many arcs");
		goto fail;
	}
	if ((rc = make_image(&b, &img, &size)))
		goto fail;
	if ((rc = mr__net_attach(out, img, size, src->dir, err))) {
		mr_free(img);
		goto fail;
	}
	out->map = img;
	out->map_size = size;
	out->mapped = 0;
fail:
	if (rc && err && err->code != rc)
		mr_error_set(err, rc, src->dir, 0, 0, NULL, "building the network: %s", mr_strerror(rc));
	mr_strtab_free(&b.st);
	mr_free(b.nodes);
	mr_vec_free(&b.vnodes);
	mr_vec_free(&b.arcs);
	mr_free(b.links);
	mr_free(b.transfers);
	mr_free(b.borders);
	mr_free(b.tariffs);
	mr_free(b.rules_by_node);
	mr_free(b.kd);
	mr_vec_free(&b.chain_first);
	mr_vec_free(&b.chain_steps);
	return rc;
}
