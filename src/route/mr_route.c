/* mr_route.c: objectives and filters turned into arc weights, exact routing through vias, and
 * the assembly of a route (legs, countries, passages, borders) from its arcs.
 *
 * Invariants of a router: w and the ban arrays hold the weights and bans of the options whose
 * key is wkey, refilled (O(arcs)) only when a query's options differ; the corridor caches
 * (predicate bitsets, fixed for the network, and the A* bound of pot_to under pkey) and the
 * hierarchy of chkey are used only when their keys match the query's. Everything else is
 * per-query scratch. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "core/mr_geo.h"
#include "core/mr_names.h"
#include "core/mr_vec.h"
#include "meridian/mr_route.h"
#include "route/mr_route_int.h"
#include "meridian/mr_ch.h"
#include "meridian/mr_search.h"
#include "meridian/mr_constrained.h"

struct mr_router {
	const mr_net *net;
	mr_search *search;
	double *w;
	uint8_t *node_ban, *link_ban, *border_ban;
	size_t nlink_bans;                  /* links set in link_ban */
	uint8_t *link_allow, *border_allow; /* restricted elements the user allows */
	MR_VEC(uint32_t) passage_allow;     /* string offsets */
	MR_VEC(uint32_t) passage_ban; /* string offsets */
	MR_VEC(uint32_t) country_ban; /* packed 3-letter codes */
	MR_VEC(mr_seed) targets;
	MR_VEC(mr_seed) layers;       /* seeds per place, see layer() */
	MR_VEC(size_t) layer_at;
	MR_VEC(uint32_t) path;        /* arcs of the whole route, back to front */
	char wkey[2048];              /* the options w and the bans were made for ("" = none) */
	/* A contraction hierarchy built on the weights of the options chkey (mr_router_set_ch):
	 * two-place queries with exactly those options are answered on it. */
	const mr_ch *ch;
	mr_ch_query *chq;
	char chkey[2048];
	/* The hierarchy stored in the network (net->ch) built on exactly the weights w, or -1 (set
	 * with every refill of w); query objects per stored hierarchy, made on first use. */
	int chi;
	mr_ch_query **chqs;
	uint16_t *features, *cls;     /* per arc, for corridor patterns (allocated on first use) */
	struct mr_constrained *cs;    /* product search, MR_ROUTER_MAX_STATES states */
	/* Corridor caches (see the corridor pattern section at the end): each predicate met so far
	 * with its arcs as a bitset (fixed for the router's life: the network does not change);
	 * pot0, the A* bound towards node pot_to under the weights of options key pkey ("" = none),
	 * shared by the corridors of one origin-destination pair. */
	struct mr__pred_slot {
		int kind;
		char *value;
		uint64_t *bits; /* (m + 63) / 64 words */
	} *pslot;
	size_t npslot;
	double *pot0;
	uint32_t pot_to;
	char pkey[2048];
};

static const char *const objective_names[] = {
#define MR__X_OBJ(e, s) s,
	MR_OBJECTIVE_MAP(MR__X_OBJ)
#undef MR__X_OBJ
};
static const char *const algorithm_names[] = {
#define MR__X_ALGO(e, s) s,
	MR_ALGORITHM_MAP(MR__X_ALGO)
#undef MR__X_ALGO
};

const char *mr_objective_name(int o)
{
	return mr__name_of(objective_names, MR_BY_COUNT, o);
}

int mr_objective_parse(const char *s)
{
	return mr__name_index(objective_names, MR_BY_COUNT, s);
}

const char *mr_algorithm_name(int a)
{
	return mr__name_of(algorithm_names, MR_ALGO_COUNT, a);
}

int mr_algorithm_parse(const char *s)
{
	return mr__name_index(algorithm_names, MR_ALGO_COUNT, s);
}

void mr_route_opts_default(mr_route_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->objective = MR_BY_GENERALIZED;
	o->algorithm = MR_ALGO_AUTO;
	o->vot_usd_per_h = MR_DEFAULT_VOT_USD_PER_H;
	o->teu = 1.0;
}

void mr_route_free(mr_route *r)
{
	if (!r)
		return;
	mr_free(r->arcs);
	mr_free(r->legs);
	mr_free(r->nodes);
	mr_free(r->countries);
	mr_free(r->passages);
	mr_free(r->borders);
	memset(r, 0, sizeof(*r));
}

void mr_router_free(mr_router *r)
{
	if (!r)
		return;
	mr_ch_query_free(r->chq);
	if (r->chqs) {
		uint32_t i;
		for (i = 0; i < r->net->meta.nch; i++)
			mr_ch_query_free(r->chqs[i]);
		mr_free(r->chqs);
	}
	mr_search_free(r->search);
	mr_free(r->w);
	mr_free(r->node_ban);
	mr_free(r->link_ban);
	mr_free(r->border_ban);
	mr_free(r->link_allow);
	mr_free(r->border_allow);
	mr_vec_free(&r->passage_allow);
	mr_vec_free(&r->passage_ban);
	mr_vec_free(&r->country_ban);
	mr_vec_free(&r->targets);
	mr_vec_free(&r->layers);
	mr_vec_free(&r->layer_at);
	mr_vec_free(&r->path);
	mr_free(r->features);
	mr_free(r->cls);
	mr_constrained_free(r->cs);
	while (r->npslot) {
		struct mr__pred_slot *ps = &r->pslot[--r->npslot];
		mr_free(ps->value);
		mr_free(ps->bits);
	}
	mr_free(r->pslot);
	mr_free(r->pot0);
	mr_free(r);
}

int mr_router_new(mr_router **out, const mr_net *net)
{
	mr_router *r = mr_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return MR_ENOMEM;
	r->net = net;
	r->chi = -1;
	if ((rc = mr_search_new(&r->search, net->g.n, net->g.m)))
		goto fail;
	rc = MR_ENOMEM;
	if (net->meta.nch && !(r->chqs = mr_calloc(net->meta.nch, sizeof(*r->chqs))))
		goto fail;
	r->w = mr_malloc(((size_t)net->g.m + 1) * sizeof(double));
	r->node_ban = mr_calloc((size_t)net->meta.nnodes + 1, 1);
	r->link_ban = mr_calloc((size_t)net->meta.nlinks + 1, 1);
	r->border_ban = mr_calloc((size_t)net->meta.nborders + 1, 1);
	r->link_allow = mr_calloc((size_t)net->meta.nlinks + 1, 1);
	r->border_allow = mr_calloc((size_t)net->meta.nborders + 1, 1);
	rc = MR_ENOMEM;
	if (!r->w || !r->node_ban || !r->link_ban || !r->border_ban || !r->link_allow || !r->border_allow)
		goto fail;
	*out = r;
	return MR_OK;
fail:
	mr_router_free(r);
	return rc;
}

static uint32_t pack_country(const char *c)
{
	return (uint32_t)(unsigned char)c[0] << 16 | (uint32_t)(unsigned char)c[1] << 8 | (unsigned char)c[2];
}

static int country_banned(const mr_router *r, const char *c)
{
	size_t i;
	uint32_t k;
	if (!c[0])
		return 0;
	k = pack_country(c);
	for (i = 0; i < r->country_ban.n; i++)
		if (r->country_ban.v[i] == k)
			return 1;
	return 0;
}

/* Mark what the name x stands for among passages (its string offset pushed to *passages once),
 * borders (id or name, case ignored) and links (id): the names that both --avoid and --allow
 * take. Returns the number of kinds matched, or MR_ENOMEM. */
static int mark_named(const mr_net *net, const char *x, void *passages, uint8_t *border_flags,
                      uint8_t *link_flags, size_t *nlinks_marked)
{
	MR_VEC(uint32_t) *pv = passages;
	uint32_t k;
	int found = 0;
	for (k = 0; k < net->meta.nlinks; k++) {
		const mr_link_rec *l = &net->links[k];
		if (l->passage && strcasecmp(mr_net_str(net, l->passage), x) == 0) {
			if (mr_vec_push(pv, l->passage))
				return MR_ENOMEM;
			found = 1;
			break;
		}
	}
	for (k = 0; k < net->meta.nborders; k++)
		if (strcasecmp(mr_net_str(net, net->borders[k].id), x) == 0 ||
		    (net->borders[k].name && strcasecmp(mr_net_str(net, net->borders[k].name), x) == 0))
			border_flags[k] = 1, found = 1;
	for (k = 0; k < net->meta.nlinks; k++)
		if (strcmp(mr_net_str(net, net->links[k].id), x) == 0) {
			link_flags[k] = 1, found = 1;
			if (nlinks_marked)
				(*nlinks_marked)++;
		}
	return found;
}

/* Resolve every --avoid item into the ban sets. */
static int resolve_avoid(mr_router *r, const mr_route_opts *o, mr_error *err)
{
	const mr_net *net = r->net;
	size_t i;
	uint32_t k;

	memset(r->node_ban, 0, net->meta.nnodes);
	memset(r->link_ban, 0, net->meta.nlinks);
	memset(r->border_ban, 0, net->meta.nborders);
	r->passage_ban.n = 0;
	r->country_ban.n = 0;
	r->nlink_bans = 0;
	for (i = 0; i < o->navoid; i++) {
		const char *x = o->avoid[i];
		int found;
		if (!x || !x[0])
			continue;
		found = mark_named(net, x, &r->passage_ban, r->border_ban, r->link_ban, &r->nlink_bans);
		if (found < 0)
			return found;
		if (strlen(x) == 3) {
			char up[4] = {(char)toupper((unsigned char)x[0]), (char)toupper((unsigned char)x[1]),
			              (char)toupper((unsigned char)x[2]), 0};
			for (k = 0; k < net->meta.nnodes; k++)
				if (strcmp(net->nodes[k].country, up) == 0) {
					if (mr_vec_push(&r->country_ban, pack_country(up)))
						return MR_ENOMEM;
					found = 1;
					break;
				}
		}
		for (k = 0; k < net->meta.nnodes; k++)
			if (strcmp(mr_net_str(net, net->nodes[k].id), x) == 0)
				r->node_ban[k] = 1, found = 1;
		if (!found)
			return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, "avoid",
			                    "'%s' is not a passage, country, border, node or link of this network", x);
	}
	return MR_OK;
}

/* Resolve every --allow item: a passage, a border (id or name) or a link id. */
static int resolve_allow(mr_router *r, const mr_route_opts *o, mr_error *err)
{
	const mr_net *net = r->net;
	size_t i;

	memset(r->link_allow, 0, net->meta.nlinks);
	memset(r->border_allow, 0, net->meta.nborders);
	r->passage_allow.n = 0;
	for (i = 0; i < o->nallow; i++) {
		const char *x = o->allow[i];
		int found;
		if (!x || !x[0])
			continue;
		found = mark_named(net, x, &r->passage_allow, r->border_allow, r->link_allow, NULL);
		if (found < 0)
			return found;
		if (!found)
			return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, "allow",
			                    "'%s' is not a passage, border or link of this network", x);
	}
	return MR_OK;
}

static int in_u32(const uint32_t *v, size_t n, uint32_t x)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* The link that stands for arc a's passage, status, gauge and country: the link itself, or a
 * chain's first link (a chain has one passage and status); MR_NONE for a transfer. */
static uint32_t arc_link(const mr_net *net, const mr_arc_rec *a)
{
	if (a->kind == MR_ARC_LINK)
		return a->ref;
	if (a->kind == MR_ARC_CHAIN)
		return MR_CHAIN_LINK(net->chain_steps[net->chain_first[a->ref]]);
	return MR_NONE;
}

/* 1 if flags[link] is set for a link of arc a (each link of a chain). */
static int any_link_flag(const mr_net *net, const mr_arc_rec *a, const uint8_t *flags)
{
	uint32_t k;
	if (a->kind == MR_ARC_LINK)
		return flags[a->ref];
	if (a->kind != MR_ARC_CHAIN)
		return 0;
	for (k = net->chain_first[a->ref]; k < net->chain_first[a->ref + 1]; k++)
		if (flags[MR_CHAIN_LINK(net->chain_steps[k])])
			return 1;
	return 0;
}

/* A restricted arc may be used when the user allows its link, passage or border. */
static int restricted_allowed(const mr_router *r, const mr_arc_rec *a)
{
	uint32_t l = arc_link(r->net, a);
	if (a->border != MR_NONE && r->border_allow[a->border])
		return 1;
	if (l == MR_NONE)
		return 0;
	return any_link_flag(r->net, a, r->link_allow) ||
	       (r->net->links[l].passage && in_u32(r->passage_allow.v, r->passage_allow.n, r->net->links[l].passage));
}

double mr_net_sea_speed_kmh(const mr_net *net)
{
	uint32_t i;
	for (i = 0; i < net->meta.ntariffs; i++)
		if (net->tariffs[i].mode == MR_MODE_SEA && !net->tariffs[i].country[0])
			return net->tariffs[i].speed_kmh;
	return 0.0;
}

/* Hours on arc a under the options: a sea link's running time follows the requested service
 * speed; waiting and delays stay as built. */
static double arc_time(const mr_net *net, const mr_route_opts *o, const mr_arc_rec *a)
{
	if (o->sea_speed_kmh > 0 && a->kind != MR_ARC_TRANSFER && a->mode == MR_MODE_SEA) {
		double running = 0, extra;
		if (a->kind == MR_ARC_LINK) {
			running = (double)net->links[a->ref].length_km / (double)net->links[a->ref].speed_kmh;
		} else {
			uint32_t k;
			for (k = net->chain_first[a->ref]; k < net->chain_first[a->ref + 1]; k++) {
				const mr_link_rec *l = &net->links[MR_CHAIN_LINK(net->chain_steps[k])];
				running += (double)l->length_km / (double)l->speed_kmh;
			}
		}
		extra = (double)a->time_h - running;
		return (double)a->distance_km / o->sea_speed_kmh + (extra > 0 ? extra : 0);
	}
	return a->time_h;
}

static double arc_metric(const mr_arc_rec *a, int objective, double vot)
{
	switch (objective) {
	case MR_BY_DISTANCE:
		return a->distance_km;
	case MR_BY_TIME:
		return a->time_h;
	case MR_BY_COST:
		return a->cost_usd;
	case MR_BY_CO2E:
		return a->co2e_kg;
	default:
		return (double)a->cost_usd + vot * (double)a->time_h;
	}
}

/* The objective's cost of starting a leg at virtual node v. */
static double start_metric(const mr_vnode_rec *v, int objective)
{
	return (objective == MR_BY_COST || objective == MR_BY_GENERALIZED) ? v->fixed_usd : 0.0;
}

static int vnode_allowed(const mr_net *net, const mr_route_opts *o, uint32_t v)
{
	return !o->mode_mask || (o->mode_mask >> net->vnodes[v].mode & 1u);
}

/* The options that weights and bans depend on, as one string; 0 if it does not fit. */
static int options_key(const mr_route_opts *o, char *buf, size_t size)
{
	size_t len, i;
	int k = snprintf(buf, size, "%d|%.17g|%u|%d|%.17g|", o->objective, o->vot_usd_per_h, o->mode_mask,
	                 o->allow_planned, o->sea_speed_kmh);
	if (k < 0 || (size_t)k >= size)
		return 0;
	len = (size_t)k;
	for (i = 0; i < o->navoid + o->nallow; i++) {
		const char *x = i < o->navoid ? o->avoid[i] : o->allow[i - o->navoid];
		k = snprintf(buf + len, size - len, "%s%s\x1f", i == o->navoid ? "\x1e" : "", x ? x : "");
		if (k < 0 || (size_t)k >= size - len)
			return 0;
		len += (size_t)k;
	}
	return 1;
}

static void fill_weights(mr_router *r, const mr_route_opts *o)
{
	const mr_net *net = r->net;
	const mr_graph *g = &net->g;
	uint32_t v, a;

	int countries = r->country_ban.n > 0;

	for (v = 0; v < g->n; v++) {
		const mr_vnode_rec *tv = &net->vnodes[v];
		const mr_node_rec *tn = &net->nodes[tv->node];
		int tail_ok = vnode_allowed(net, o, v) && !r->node_ban[tv->node] && !(countries && country_banned(r, tn->country));
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			const mr_arc_rec *arc = &net->arcs[a];
			uint32_t h = g->head[a];
			const mr_vnode_rec *hv = &net->vnodes[h];
			int ok = tail_ok && vnode_allowed(net, o, h) && !r->node_ban[hv->node] &&
			         !(countries && country_banned(r, net->nodes[hv->node].country));
			if (ok && (arc->status == MR_STATUS_CLOSED || (arc->status == MR_STATUS_PLANNED && !o->allow_planned)))
				ok = 0;
			if (ok && arc->border != MR_NONE && r->border_ban[arc->border])
				ok = 0;
			if (ok && arc->kind != MR_ARC_TRANSFER) {
				const mr_link_rec *l = &net->links[arc_link(net, arc)];
				size_t i;
				if ((r->nlink_bans && any_link_flag(net, arc, r->link_ban)) ||
				    (countries && country_banned(r, l->country)))
					ok = 0;
				for (i = 0; ok && l->passage && i < r->passage_ban.n; i++)
					if (r->passage_ban.v[i] == l->passage)
						ok = 0;
			}
			if (ok && arc->status == MR_STATUS_RESTRICTED && !restricted_allowed(r, arc))
				ok = 0;
			if (!ok)
				r->w[a] = INFINITY;
			else if (o->objective == MR_BY_TIME)
				r->w[a] = arc_time(net, o, arc);
			else if (o->objective == MR_BY_GENERALIZED)
				r->w[a] = (double)arc->cost_usd + o->vot_usd_per_h * arc_time(net, o, arc);
			else
				r->w[a] = arc_metric(arc, o->objective, o->vot_usd_per_h);
		}
	}
	r->chi = mr_net_ch_match(net, r->w, g->m);
}

/* Seeds for the virtual nodes of a real node that the options allow, with the leg start fee. */
static int node_seeds(mr_router *r, const mr_route_opts *o, uint32_t node, int with_fee, void *vec)
{
	MR_VEC(mr_seed) *out = vec;
	const mr_node_rec *n = &r->net->nodes[node];
	uint32_t v;
	out->n = 0;
	if (r->node_ban[node])
		return MR_OK;
	for (v = n->first_vnode; v < n->first_vnode + n->nvnodes; v++) {
		mr_seed s;
		if (!vnode_allowed(r->net, o, v))
			continue;
		s.v = v;
		s.offset = with_fee ? start_metric(&r->net->vnodes[v], o->objective) : 0.0;
		if (mr_vec_push(out, s))
			return MR_ENOMEM;
	}
	return MR_OK;
}

static double astar_ratio(const mr_net *net, const mr_route_opts *o)
{
	double q[4];
	memcpy(q, net->meta.astar_ratio, sizeof(q));
	/* A faster sea speed than the network's makes sea arcs quicker: each still takes at least
	 * distance / speed >= q0 x chord / speed hours. */
	if (o->sea_speed_kmh > 0)
		q[1] = fmin(q[1], q[0] / o->sea_speed_kmh);
	switch (o->objective) {
	case MR_BY_DISTANCE:
		return q[0];
	case MR_BY_TIME:
		return q[1];
	case MR_BY_COST:
		return q[2];
	case MR_BY_CO2E:
		return q[3];
	default:
		/* cost >= q2 * chord and time >= q1 * chord on every arc, so their sum is bounded too. */
		return q[2] + o->vot_usd_per_h * q[1];
	}
}

static int run_search(mr_router *r, int algo, double ratio, const mr_seed *src, size_t nsrc,
                      const mr_seed *dst, size_t ndst, mr_path *p)
{
	const mr_net *net = r->net;
	switch (algo) {
	case MR_ALGO_DIJKSTRA:
		return mr_dijkstra(r->search, &net->g, r->w, src, nsrc, dst, ndst, p);
	case MR_ALGO_BIDIR:
		return mr_bidijkstra(r->search, &net->g, r->w, src, nsrc, dst, ndst, p);
	default:
		return mr_astar_arc(r->search, &net->g, r->w, net->vxyz, ratio, MR_GEO_POLAR_KM, src, nsrc, dst, ndst, p);
	}
}

static int push_unique_u32(uint32_t **arr, size_t *n, uint32_t x)
{
	size_t i;
	uint32_t *p;
	for (i = 0; i < *n; i++)
		if ((*arr)[i] == x)
			return MR_OK;
	p = mr_realloc(*arr, (*n + 1) * sizeof(uint32_t));
	if (!p)
		return MR_ENOMEM;
	p[(*n)++] = x;
	*arr = p;
	return MR_OK;
}

/* Fill out's derived fields from out->arcs and out->first_vnode. */
/* Tank-to-wheel share of a moving vehicle's well-to-wheel CO2e, by energy carrier (the rest is
 * well-to-tank: fuel production and delivery, or power generation). Diesel (road, and rail
 * links not marked electrified): EN 16258:2012 for diesel with 5 % biofuel, TTW 3.04 / WTW 3.80
 * kg CO2e per kg = 0.80. Marine fuel (sea, ferry, inland waterway): FuelEU Maritime Annex II
 * defaults for heavy fuel oil, TTW 3.114 g CO2/g / 40.5 MJ/kg = 76.9 g/MJ and WTT 13.5 g CO2e/MJ,
 * 76.9 / 90.4 = 0.85 (methane and N2O left out). An electric train emits nothing at the wheel.
 * See docs/emissions.md. */
static double ttw_share(int mode, int electrified)
{
	switch (mode) {
	case MR_MODE_SEA:
	case MR_MODE_FERRY:
	case MR_MODE_IWW:
		return 76.9 / (76.9 + 13.5);
	case MR_MODE_RAIL:
		return electrified ? 0.0 : 3.04 / 3.80;
	default:
		return 3.04 / 3.80;
	}
}

static int assemble(const mr_net *net, const mr_route_opts *o, mr_route *out)
{
	size_t i, nlegs = 0, nnodes = 1;
	uint32_t node = net->vnodes[out->first_vnode].node;
	double teu = out->teu;
	double pend_h = 0, pend_usd = net->vnodes[out->first_vnode].fixed_usd, pend_co2 = 0;
	mr_leg *leg = NULL;
	int after_transfer = 1;

	/* Count first, so that a long sea route (thousands of lane arcs, one leg) allocates what it
	 * needs and no more. */
	{
		uint32_t prev_node = node;
		int mode = -1, gauge = -1, cut = 1;
		for (i = 0; i < out->narcs; i++) {
			const mr_arc_rec *arc = &net->arcs[out->arcs[i]];
			uint32_t hn = net->vnodes[net->g.head[out->arcs[i]]].node;
			if (arc->kind == MR_ARC_TRANSFER) {
				cut = 1;
			} else {
				int g = net->links[arc_link(net, arc)].gauge_mm;
				if (cut || arc->mode != mode || g != gauge)
					nlegs++;
				mode = arc->mode;
				gauge = g;
				cut = 0;
			}
			if (arc->kind == MR_ARC_CHAIN)
				nnodes += net->chain_first[arc->ref + 1] - net->chain_first[arc->ref];
			else if (hn != prev_node)
				nnodes++;
			prev_node = hn;
		}
	}
	out->nodes = mr_malloc(nnodes * sizeof(uint32_t));
	out->legs = mr_calloc(nlegs + 1, sizeof(mr_leg));
	out->countries = mr_calloc(nnodes, 4);
	if (!out->nodes || !out->legs || !out->countries)
		return MR_ENOMEM;
	out->nodes[out->nnodes++] = node;
#define ADD_COUNTRY(c)                                                              \
	do {                                                                            \
		size_t k_;                                                                  \
		int seen_ = !(c)[0];                                                        \
		for (k_ = 0; k_ < out->ncountries && !seen_; k_++)                          \
			seen_ = memcmp(out->countries[k_], (c), 4) == 0;                        \
		if (!seen_)                                                                 \
			memcpy(out->countries[out->ncountries++], (c), 4);                      \
	} while (0)
	ADD_COUNTRY(net->nodes[node].country);
	for (i = 0; i < out->narcs; i++) {
		uint32_t a = out->arcs[i];
		const mr_arc_rec *arc = &net->arcs[a];
		uint32_t h = net->g.head[a], hn = net->vnodes[h].node;
		if (arc->kind == MR_ARC_TRANSFER) {
			pend_h += arc_time(net, o, arc);
			pend_usd += arc->cost_usd;
			pend_co2 += arc->co2e_kg;
			out->transfers++;
			after_transfer = 1;
		} else {
			const mr_link_rec *l = &net->links[arc_link(net, arc)];
			if (!leg || after_transfer || leg->mode != arc->mode || leg->gauge_mm != l->gauge_mm) {
				leg = &out->legs[out->nlegs++];
				leg->mode = arc->mode;
				leg->gauge_mm = l->gauge_mm;
				leg->from_node = node;
				leg->first_arc = (uint32_t)i;
				leg->first_node = (uint32_t)(out->nnodes - 1);
				leg->nnodes = 1;
				leg->handling_h = pend_h;
				leg->handling_usd = pend_usd * teu;
				leg->duration_h = pend_h;
				leg->cost_usd = pend_usd * teu;
				leg->co2e_kg = pend_co2 * teu;
				leg->co2e_hub_kg = pend_co2 * teu;
				pend_h = pend_usd = pend_co2 = 0;
				after_transfer = 0;
			}
			leg->to_node = hn;
			leg->narcs = (uint32_t)i + 1 - leg->first_arc;
			leg->distance_km += arc->distance_km;
			leg->duration_h += arc_time(net, o, arc);
			leg->cost_usd += (double)arc->cost_usd * teu;
			leg->co2e_kg += (double)arc->co2e_kg * teu;
			{
				double sh = ttw_share(arc->mode, l->electrified);
				leg->co2e_ttw_kg += (double)arc->co2e_kg * teu * sh;
				leg->co2e_wtt_kg += (double)arc->co2e_kg * teu * (1.0 - sh);
			}
			{
				/* split the arc's time and cost by kind */
				double running = 0, tolls = 0, t = arc_time(net, o, arc), bh = 0, bf = 0;
				if (arc->kind == MR_ARC_LINK) {
					running = (double)l->length_km / (double)l->speed_kmh;
					tolls = l->toll_usd;
				} else {
					uint32_t q;
					for (q = net->chain_first[arc->ref]; q < net->chain_first[arc->ref + 1]; q++) {
						const mr_link_rec *cl = &net->links[MR_CHAIN_LINK(net->chain_steps[q])];
						running += (double)cl->length_km / (double)cl->speed_kmh;
						tolls += cl->toll_usd;
					}
				}
				if (o->sea_speed_kmh > 0 && arc->mode == MR_MODE_SEA)
					running = (double)arc->distance_km / o->sea_speed_kmh;
				if (arc->border != MR_NONE) {
					bh = net->borders[arc->border].dwell_h;
					bf = net->borders[arc->border].fee_usd;
				}
				leg->running_h += running;
				leg->border_h += bh;
				leg->waiting_h += fmax(0.0, t - running - bh);
				leg->tolls_usd += tolls * teu;
				leg->border_usd += bf * teu;
				leg->transport_usd += fmax(0.0, (double)arc->cost_usd - tolls - bf) * teu;
			}
			if (l->passage && push_unique_u32(&out->passages, &out->npassages, l->passage))
				return MR_ENOMEM;
			if (arc->border != MR_NONE) {
				uint32_t *p = mr_realloc(out->borders, (out->nborders + 1) * sizeof(uint32_t));
				if (!p)
					return MR_ENOMEM;
				out->borders = p;
				out->borders[out->nborders++] = arc->border;
			}
		}
		if (arc->kind == MR_ARC_CHAIN) {
			/* the lane vertices the chain passes, then its end */
			uint32_t k;
			for (k = net->chain_first[arc->ref]; k < net->chain_first[arc->ref + 1]; k++) {
				uint32_t st = net->chain_steps[k];
				const mr_link_rec *cl = &net->links[MR_CHAIN_LINK(st)];
				uint32_t far = (st & MR_CHAIN_REVERSED) ? cl->from : cl->to;
				out->nodes[out->nnodes++] = far;
				ADD_COUNTRY(net->nodes[far].country);
			}
			node = hn;
		} else if (hn != node) {
			out->nodes[out->nnodes++] = hn;
			node = hn;
			ADD_COUNTRY(net->nodes[hn].country);
		}
		if (leg && arc->kind != MR_ARC_TRANSFER)
			leg->nnodes = (uint32_t)(out->nnodes - leg->first_node);
	}
#undef ADD_COUNTRY
	if (leg) { /* handling after the last link (a final transfer) belongs to the last leg */
		leg->duration_h += pend_h;
		leg->handling_h += pend_h;
		leg->cost_usd += pend_usd * teu;
		leg->handling_usd += pend_usd * teu;
		leg->co2e_kg += pend_co2 * teu;
		leg->co2e_hub_kg += pend_co2 * teu;
	}
	for (i = 0; i < out->nlegs; i++) {
		const mr_leg *lg = &out->legs[i];
		out->distance_km += lg->distance_km;
		out->duration_h += lg->duration_h;
		out->cost_usd += lg->cost_usd;
		out->co2e_kg += lg->co2e_kg;
		out->running_h += lg->running_h;
		out->waiting_h += lg->waiting_h;
		out->border_h += lg->border_h;
		out->handling_h += lg->handling_h;
		out->transport_usd += lg->transport_usd;
		out->tolls_usd += lg->tolls_usd;
		out->border_usd += lg->border_usd;
		out->handling_usd += lg->handling_usd;
		out->co2e_ttw_kg += lg->co2e_ttw_kg;
		out->co2e_wtt_kg += lg->co2e_wtt_kg;
		out->co2e_hub_kg += lg->co2e_hub_kg;
		if (i > 0 && lg->mode == MR_MODE_RAIL && out->legs[i - 1].mode == MR_MODE_RAIL &&
		    lg->gauge_mm != out->legs[i - 1].gauge_mm)
			out->gauge_breaks++;
	}
	return MR_OK;
}

/* Seeds of layer k (place k) are layers.v[layer_at.v[k] .. layer_at.v[k+1]). */
static const mr_seed *layer(const mr_router *r, size_t k, size_t *count)
{
	*count = r->layer_at.v[k + 1] - r->layer_at.v[k];
	return r->layers.v + r->layer_at.v[k];
}

static int no_route(const mr_net *net, const uint32_t *places, size_t n, mr_error *err)
{
	return mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, NULL, "no route from %s to %s%s",
	                    mr_net_str(net, net->nodes[places[0]].id), mr_net_str(net, net->nodes[places[n - 1]].id),
	                    n > 2 ? " through the given vias" : "");
}

/* Check the options and places and bring the weights and bans up to date for o. */
static int prepare(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o, mr_error *err)
{
	const mr_net *net = r->net;
	size_t i;
	int rc;
	if (n < 2 || o->objective < 0 || o->objective >= MR_BY_COUNT || o->algorithm < 0 ||
	    o->algorithm >= MR_ALGO_COUNT || !(o->teu > 0) || !isfinite(o->teu) || !(o->vot_usd_per_h >= 0) ||
	    !isfinite(o->vot_usd_per_h))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad routing options");
	for (i = 0; i < n; i++)
		if (places[i] >= net->meta.nnodes)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "place %zu is not a node", i);
	if (!(o->sea_speed_kmh >= 0) || !isfinite(o->sea_speed_kmh))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad sea speed");
	{
		/* Weights depend only on these options: queries that repeat them (the common case for a
		 * server or a batch) skip the O(arcs) refill. */
		char key[sizeof(r->wkey)];
		int fits = options_key(o, key, sizeof(key));
		if (!fits || strcmp(key, r->wkey) != 0) {
			r->wkey[0] = '\0';
			if ((rc = resolve_avoid(r, o, err)) || (rc = resolve_allow(r, o, err)))
				return rc;
			fill_weights(r, o);
			if (fits)
				memcpy(r->wkey, key, sizeof(key));
		}
	}
	return MR_OK;
}

int mr_router_weights(mr_router *r, const mr_route_opts *o, const double **w, mr_error *err)
{
	uint32_t places[2] = {0, 0};
	int rc;
	if (!r->net->meta.nnodes)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "an empty network");
	if ((rc = prepare(r, places, 2, o, err)))
		return rc;
	*w = r->w;
	return MR_OK;
}

int mr_router_start_offsets(mr_router *r, const mr_route_opts *o, uint32_t node, mr_seed *out, size_t max, size_t *n)
{
	size_t i;
	r->layers.n = 0;
	if (node_seeds(r, o, node, 1, &r->layers))
		return MR_ENOMEM;
	for (i = 0; i < r->layers.n && i < max; i++)
		out[i] = r->layers.v[i];
	*n = i;
	return MR_OK;
}

/* ---- for mr_alt.c (route/mr_route_int.h) ---- */

int mr__router_query(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o, mr__query *q, mr_error *err)
{
	uint32_t places[2] = {from, to};
	int rc;
	if ((rc = prepare(r, places, 2, o, err)))
		return rc;
	r->layers.n = 0;
	r->targets.n = 0;
	if ((rc = node_seeds(r, o, from, 1, &r->layers)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, "out of memory");
	{
		const mr_node_rec *t = &r->net->nodes[to];
		uint32_t v;
		for (v = t->first_vnode; v < t->first_vnode + t->nvnodes; v++) {
			mr_seed x = {v, 0.0};
			if (!vnode_allowed(r->net, o, v) || r->node_ban[to])
				continue;
			if (mr_vec_push(&r->targets, x))
				return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
		}
	}
	if (!r->layers.n || !r->targets.n)
		return no_route(r->net, places, 2, err);
	q->net = r->net;
	q->w = r->w;
	q->src = r->layers.v;
	q->nsrc = r->layers.n;
	q->dst = r->targets.v;
	q->ndst = r->targets.n;
	q->search = r->search;
	return MR_OK;
}

void mr__arc_figures(const mr_net *net, const mr_route_opts *o, uint32_t a, double fig[4])
{
	const mr_arc_rec *arc = &net->arcs[a];
	fig[0] = arc->cost_usd;
	fig[1] = arc_time(net, o, arc);
	fig[2] = arc->co2e_kg;
	fig[3] = arc->border != MR_NONE ? 1.0 : 0.0;
	if (arc->kind != MR_ARC_TRANSFER && net->links[arc_link(net, arc)].passage)
		fig[3] += 1.0;
}

int mr__route_make(const mr_net *net, const mr_route_opts *o, uint32_t first_vnode, const uint32_t *arcs,
                   size_t narcs, double objective, mr_route *out)
{
	int rc;
	memset(out, 0, sizeof(*out));
	out->teu = o->teu;
	out->objective_value = objective;
	out->first_vnode = first_vnode;
	out->algorithm = MR_ALGO_ASTAR;
	if (!(out->arcs = mr_malloc((narcs + 1) * sizeof(uint32_t))))
		return MR_ENOMEM;
	if (narcs)
		memcpy(out->arcs, arcs, narcs * sizeof(uint32_t));
	out->narcs = narcs;
	if ((rc = assemble(net, o, out)))
		mr_route_free(out);
	return rc;
}

int mr_router_set_ch(mr_router *r, const mr_route_opts *o, const struct mr_ch *ch)
{
	mr_ch_query_free(r->chq);
	r->chq = NULL;
	r->ch = NULL;
	r->chkey[0] = '\0';
	if (!ch)
		return MR_OK;
	if (!options_key(o, r->chkey, sizeof(r->chkey)))
		return MR_EINVAL;
	if (mr_ch_query_new(ch, &r->chq)) {
		r->chkey[0] = '\0';
		return MR_ENOMEM;
	}
	r->ch = ch;
	return MR_OK;
}

/* A two-place query on a hierarchy built on the prepared weights (q is its query object). */
static int route_ch(mr_router *r, mr_ch_query *q, const uint32_t *places, const mr_route_opts *o, mr_route *out,
                    mr_error *err)
{
	const mr_net *net = r->net;
	const mr_node_rec *t = &net->nodes[places[1]];
	uint32_t v;
	mr_path p;
	int rc;
	r->layers.n = 0;
	r->targets.n = 0;
	if (node_seeds(r, o, places[0], 1, &r->layers))
		return MR_ENOMEM;
	for (v = t->first_vnode; v < t->first_vnode + t->nvnodes; v++) {
		mr_seed x = {v, 0.0};
		if (!vnode_allowed(net, o, v) || r->node_ban[places[1]])
			continue;
		if (mr_vec_push(&r->targets, x))
			return MR_ENOMEM;
	}
	if (!r->layers.n || !r->targets.n)
		return no_route(net, places, 2, err);
	rc = mr_ch_route(q, r->layers.v, r->layers.n, r->targets.v, r->targets.n, &p);
	if (rc == MR_ENOROUTE)
		return no_route(net, places, 2, err);
	if (rc)
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	if ((rc = mr__route_make(net, o, p.first, p.arcs, p.narcs, p.cost, out)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	out->settled = p.settled;
	out->algorithm = MR_ALGO_CH;
	return MR_OK;
}

static int route_once(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o,
                      mr_route *out, mr_error *err)
{
	const mr_net *net = r->net;
	int algo = o->algorithm, rc;
	double ratio;
	size_t k, i, cnt;
	const mr_seed *src;
	uint32_t start;
	mr_path p;

	memset(out, 0, sizeof(*out));
	if ((rc = prepare(r, places, n, o, err)))
		return rc;
	/* (A route from a place to itself is the empty route, made below without a search.) */
	if (n == 2 && places[0] != places[1] && (algo == MR_ALGO_AUTO || algo == MR_ALGO_CH)) {
		if (r->chi >= 0) {
			if (!r->chqs[r->chi] && mr_ch_query_new(net->ch[r->chi], &r->chqs[r->chi]))
				return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
			rc = route_ch(r, r->chqs[r->chi], places, o, out, err);
			if (rc == MR_OK)
				out->hierarchy = net->ch_recs[r->chi].name;
			return rc;
		}
		if (r->ch && r->wkey[0] && strcmp(r->wkey, r->chkey) == 0)
			return route_ch(r, r->chq, places, o, out, err);
	}
	if ((algo == MR_ALGO_CH || net->meta.nch) && !(n == 2 && places[0] == places[1])) {
		/* Say why the hierarchies were not used; the search below is exact. */
		if (n > 2)
			snprintf(out->search_note, sizeof(out->search_note),
			         "exact search: a route through vias is not answered on a hierarchy");
		else if (algo != MR_ALGO_AUTO && algo != MR_ALGO_CH)
			snprintf(out->search_note, sizeof(out->search_note), "exact search: %s was asked for",
			         mr_algorithm_name(algo));
		else if (!net->meta.nch)
			snprintf(out->search_note, sizeof(out->search_note),
			         "exact search: the network stores no hierarchy (meridian build --ch)");
		else {
			char names[120];
			size_t len = 0;
			uint32_t c;
			int named = 0;
			names[0] = '\0';
			for (c = 0; c < net->meta.nch && len < sizeof(names); c++) {
				int wrote = snprintf(names + len, sizeof(names) - len, "%s%s", c ? ", " : "", net->ch_recs[c].name);
				len += wrote > 0 ? (size_t)wrote : 0;
				named |= strcmp(net->ch_recs[c].name, mr_objective_name(o->objective)) == 0;
			}
			if (named)
				snprintf(out->search_note, sizeof(out->search_note),
				         "exact search: these options (an avoid, a mode filter, a speed, ...) change the weights "
				         "the stored hierarchy '%s' was built on",
				         mr_objective_name(o->objective));
			else
				snprintf(out->search_note, sizeof(out->search_note),
				         "exact search: no stored hierarchy for the objective %s (stored: %s)",
				         mr_objective_name(o->objective), names);
		}
		if (algo == MR_ALGO_CH)
			algo = MR_ALGO_AUTO;
	}
	ratio = astar_ratio(net, o);
	if (algo == MR_ALGO_AUTO)
		algo = ratio > 0 ? MR_ALGO_ASTAR : MR_ALGO_BIDIR;
	out->algorithm = algo;
	out->teu = o->teu;

	/* Forward pass. Layer 0 holds the origin's virtual nodes with their leg start fee; layer k
	 * (a via) holds each virtual node of place k with the best cost of reaching it, so the next
	 * segment may go on in any mode: the whole route is exact, not a chain of greedy pieces. */
	r->layers.n = 0;
	r->layer_at.n = 0;
	if (mr_vec_push(&r->layer_at, 0) || (rc = node_seeds(r, o, places[0], 1, &r->targets)))
		return MR_ENOMEM;
	for (i = 0; i < r->targets.n; i++)
		if (mr_vec_push(&r->layers, r->targets.v[i]))
			return MR_ENOMEM;
	if (mr_vec_push(&r->layer_at, r->layers.n))
		return MR_ENOMEM;
	for (k = 1; k + 1 < n; k++) {
		const mr_node_rec *via = &net->nodes[places[k]];
		uint32_t v;
		for (v = via->first_vnode; v < via->first_vnode + via->nvnodes; v++) {
			mr_seed t = {v, 0.0};
			if (!vnode_allowed(net, o, v) || r->node_ban[places[k]])
				continue;
			src = layer(r, k - 1, &cnt);
			if (!cnt)
				break;
			rc = run_search(r, algo, ratio, src, cnt, &t, 1, &p);
			if (rc == MR_ENOROUTE)
				continue;
			if (rc)
				return rc;
			out->settled += p.settled;
			t.offset = p.cost;
			if (mr_vec_push(&r->layers, t))
				return MR_ENOMEM;
		}
		if (mr_vec_push(&r->layer_at, r->layers.n))
			return MR_ENOMEM;
	}
	src = layer(r, n - 2, &cnt);
	if (!cnt)
		return no_route(net, places, n, err);
	if (n == 2 && places[0] == places[1]) {
		out->first_vnode = net->nodes[places[0]].first_vnode; /* same place: an empty route */
		return assemble(net, o, out);
	}
	if ((rc = node_seeds(r, o, places[n - 1], 0, &r->targets)))
		return rc;
	if (!r->targets.n)
		return no_route(net, places, n, err);
	rc = run_search(r, algo, ratio, src, cnt, r->targets.v, r->targets.n, &p);
	if (rc == MR_ENOROUTE)
		return no_route(net, places, n, err);
	if (rc)
		return rc;
	out->objective_value = p.cost;
	out->settled += p.settled;

	/* Backtrack: segment k is searched again from layer k to the virtual node where segment k+1
	 * starts. Arcs are collected back to front. */
	r->path.n = 0;
	for (;;) {
		for (i = p.narcs; i-- > 0;)
			if (mr_vec_push(&r->path, p.arcs[i]))
				return MR_ENOMEM;
		start = p.first;
		if (n-- <= 2)
			break;
		{
			mr_seed t = {start, 0.0};
			src = layer(r, n - 2, &cnt);
			if ((rc = run_search(r, algo, ratio, src, cnt, &t, 1, &p)))
				return rc;
		}
	}
	out->first_vnode = start;
	out->narcs = r->path.n;
	out->arcs = mr_malloc((r->path.n + 1) * sizeof(uint32_t));
	if (!out->arcs)
		return MR_ENOMEM;
	for (i = 0; i < r->path.n; i++)
		out->arcs[i] = r->path.v[r->path.n - 1 - i];
	rc = assemble(net, o, out);
	if (rc)
		mr_route_free(out);
	return rc;
}

/* 1 if some route exists under o (searched by distance; the details are thrown away). */
static int feasible(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o)
{
	mr_route_opts d = *o;
	mr_route tmp;
	mr_error e;
	int rc;
	d.objective = MR_BY_DISTANCE;
	rc = route_once(r, places, n, &d, &tmp, &e);
	if (rc == MR_OK)
		mr_route_free(&tmp);
	return rc == MR_OK;
}

/* After "no route": find which single restriction makes the request impossible, and say so in
 * err->msg. Each check is one more search, so this costs a few searches, and only on failure. */
static void explain(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o, mr_error *err)
{
	char why[400] = "";
	size_t len = 0, i;
	mr_route_opts t;
	const char *kept[64];

#define WHY(...)                                                                               \
	do {                                                                                       \
		int k_ = snprintf(why + len, sizeof(why) - len, __VA_ARGS__);                          \
		if (k_ > 0 && (size_t)k_ < sizeof(why) - len)                                          \
			len += (size_t)k_;                                                                 \
	} while (0)
	for (i = 0; i < o->navoid && o->navoid <= 64; i++) {
		size_t j, m = 0;
		for (j = 0; j < o->navoid; j++)
			if (j != i)
				kept[m++] = o->avoid[j];
		t = *o;
		t.avoid = kept;
		t.navoid = m;
		if (feasible(r, places, n, &t))
			WHY("%s without avoiding '%s'", len ? ", or" : "", o->avoid[i]);
	}
	if (o->mode_mask) {
		t = *o;
		t.mode_mask = 0;
		if (feasible(r, places, n, &t))
			WHY("%s with every mode (not only --modes)", len ? ", or" : "");
	}
	if (!o->allow_planned) {
		t = *o;
		t.allow_planned = 1;
		if (feasible(r, places, n, &t))
			WHY("%s with planned links (--planned)", len ? ", or" : "");
	}
	{
		/* Restricted passages: allow every one, and if that helps, name those on the route. */
		const mr_net *net = r->net;
		MR_VEC(const char *) names = {0};
		uint32_t k;
		mr_route tmp;
		mr_error e;
		int ok = 1;
		for (k = 0; k < net->meta.nlinks && ok; k++) {
			const mr_link_rec *l = &net->links[k];
			if (l->status == MR_STATUS_RESTRICTED) {
				const char *nm = l->passage ? mr_net_str(net, l->passage) : mr_net_str(net, l->id);
				size_t q;
				int seen = 0;
				for (q = 0; q < names.n; q++)
					seen |= strcmp(names.v[q], nm) == 0;
				if (!seen && mr_vec_push(&names, nm))
					ok = 0;
			}
		}
		if (ok && names.n) {
			t = *o;
			t.allow = names.v;
			t.nallow = names.n;
			t.objective = MR_BY_DISTANCE;
			if (route_once(r, places, n, &t, &tmp, &e) == MR_OK) {
				size_t q;
				int first = 1;
				for (q = 0; q < tmp.npassages; q++) {
					const char *p = mr_net_str(net, tmp.passages[q]);
					size_t z;
					for (z = 0; z < names.n; z++)
						if (strcmp(names.v[z], p) == 0) {
							WHY("%s%s--allow %s", len && first ? ", or" : "", first ? " with " : ",", p);
							first = 0;
						}
				}
				if (first)
					WHY("%s with restricted links allowed (--allow)", len ? ", or" : "");
				mr_route_free(&tmp);
			}
		}
		mr_vec_free(&names);
	}
	if (len)
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg), "; a route exists%s", why);
	else if (o->navoid || o->mode_mask || !o->allow_planned)
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
		         "; no single restriction is the cause");
#undef WHY
}

int mr_router_route(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o,
                    mr_route *out, mr_error *err)
{
	mr_error keep;
	int rc = route_once(r, places, n, o, out, err);
	if (rc != MR_ENOROUTE || !err)
		return rc;
	keep = *err;
	explain(r, places, n, o, &keep);
	*err = keep;
	return rc;
}

/* ---- corridor patterns ---- */

static int has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);
	const char *p = tags;
	while (p && *p) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, tag, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}


/* The arcs that satisfy predicate p, as a bitset over arc ids (bits: (m + 63) / 64 words,
 * zeroed by the caller). Tag and passage predicates are evaluated once per link, border ones once
 * per border, mode and country ones on codes: O(arcs + links) string work, once per predicate
 * and router. */
static int pred_bits(const mr_net *net, const mr_pred *p, uint64_t *bits)
{
	uint8_t *lf = NULL, *bf = NULL;
	uint32_t l, b, v, a;
	int mode = -1;
	char cc[4] = {0};

	switch (p->kind) {
	case MR_PRED_TAG:
	case MR_PRED_PASSAGE:
		if (!(lf = mr_calloc((size_t)net->meta.nlinks + 1, 1)))
			return MR_ENOMEM;
		for (l = 0; l < net->meta.nlinks; l++)
			lf[l] = p->kind == MR_PRED_TAG ? (uint8_t)has_tag(mr_net_str(net, net->links[l].tags), p->value)
			                               : (uint8_t)(net->links[l].passage &&
			                                           strcasecmp(mr_net_str(net, net->links[l].passage), p->value) == 0);
		break;
	case MR_PRED_BORDER:
		if (!(bf = mr_calloc((size_t)net->meta.nborders + 1, 1)))
			return MR_ENOMEM;
		for (b = 0; b < net->meta.nborders; b++)
			bf[b] = strcasecmp(mr_net_str(net, net->borders[b].id), p->value) == 0 ||
			        strcasecmp(mr_net_str(net, net->borders[b].name), p->value) == 0;
		break;
	case MR_PRED_MODE:
		mode = mr_mode_parse(p->value);
		break;
	case MR_PRED_COUNTRY: {
		size_t q;
		for (q = 0; q < 3; q++)
			cc[q] = (char)toupper((unsigned char)(p->value[q] ? p->value[q] : ' '));
		cc[3] = strlen(p->value) == 3 ? '\0' : '?'; /* not a code: matches nothing */
		break;
	}
	default:
		return MR_OK; /* an unknown kind matches nothing */
	}
	for (v = 0; v < net->g.n; v++) {
		const char *tc = net->nodes[net->vnodes[v].node].country;
		for (a = net->g.first_out[v]; a < net->g.first_out[v + 1]; a++) {
			const mr_arc_rec *arc = &net->arcs[a];
			int hit = 0;
			switch (p->kind) {
			case MR_PRED_TAG:
			case MR_PRED_PASSAGE:
				if (arc->kind == MR_ARC_LINK) {
					hit = lf[arc->ref];
				} else if (arc->kind == MR_ARC_CHAIN) {
					uint32_t q;
					for (q = net->chain_first[arc->ref]; q < net->chain_first[arc->ref + 1] && !hit; q++)
						hit = lf[MR_CHAIN_LINK(net->chain_steps[q])];
				}
				break;
			case MR_PRED_BORDER:
				hit = arc->border != MR_NONE && bf[arc->border];
				break;
			case MR_PRED_MODE:
				hit = mode >= 0 && arc->kind != MR_ARC_TRANSFER && arc->mode == (unsigned)mode;
				break;
			default: /* country */
				hit = memcmp(cc, tc, 4) == 0 ||
				      memcmp(cc, net->nodes[net->vnodes[net->g.head[a]].node].country, 4) == 0;
				break;
			}
			if (hit)
				bits[a >> 6] |= (uint64_t)1 << (a & 63);
		}
	}
	mr_free(lf);
	mr_free(bf);
	return MR_OK;
}

#define MR__MAX_PSLOTS 64 /* predicates cached per router (>= MR_PATTERN_MAX_PRED) */

static void pslot_clear(struct mr__pred_slot *ps)
{
	mr_free(ps->value);
	mr_free(ps->bits);
	memset(ps, 0, sizeof(*ps));
}

/* The cache slots of preds[0..npred): slot[k], made (bits computed) if new. When the new ones
 * would not fit, the cache is emptied first, so the slots of one call never move. MR_ENOMEM. */
static int pred_slots(mr_router *r, const mr_pred *preds, size_t npred, struct mr__pred_slot **slot)
{
	size_t i, k, fresh = 0, words = ((size_t)r->net->g.m + 63) / 64;

	if (!r->pslot && !(r->pslot = mr_calloc(MR__MAX_PSLOTS, sizeof(*r->pslot))))
		return MR_ENOMEM;
	for (k = 0; k < npred; k++) {
		for (i = 0; i < r->npslot; i++)
			if (r->pslot[i].kind == preds[k].kind && strcmp(r->pslot[i].value, preds[k].value) == 0)
				break;
		fresh += i == r->npslot;
	}
	if (r->npslot + fresh > MR__MAX_PSLOTS)
		while (r->npslot)
			pslot_clear(&r->pslot[--r->npslot]);
	for (k = 0; k < npred; k++) {
		struct mr__pred_slot *ps;
		for (i = 0; i < r->npslot; i++)
			if (r->pslot[i].kind == preds[k].kind && strcmp(r->pslot[i].value, preds[k].value) == 0)
				break;
		ps = &r->pslot[i];
		if (i == r->npslot) {
			ps->kind = preds[k].kind;
			ps->value = mr_strdup(preds[k].value);
			ps->bits = mr_calloc(words ? words : 1, sizeof(uint64_t));
			if (!ps->value || !ps->bits || pred_bits(r->net, &preds[k], ps->bits) != MR_OK) {
				pslot_clear(ps);
				return MR_ENOMEM;
			}
			r->npslot++;
		}
		slot[k] = ps;
	}
	return MR_OK;
}

/* Index of the lowest set bit of x != 0. */
static unsigned low_bit64(uint64_t x)
{
	static const uint8_t pos[64] = {
	    0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
	    43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
	    44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
	return pos[((x & (0 - x)) * UINT64_C(0x03f79d71b4cb0a89)) >> 58];
}

/* Every arc's predicate bits (bit k = preds[k]) from the cached bitsets: O(arcs / 64 + arcs with
 * some predicate), no string work. */
static void arc_features(mr_router *r, struct mr__pred_slot *const *slot, size_t npred)
{
	size_t words = ((size_t)r->net->g.m + 63) / 64, i, k;
	memset(r->features, 0, (size_t)r->net->g.m * sizeof(uint16_t));
	for (k = 0; k < npred; k++)
		for (i = 0; i < words; i++) {
			uint64_t x;
			for (x = slot[k]->bits[i]; x; x &= x - 1)
				r->features[i * 64 + low_bit64(x)] |= (uint16_t)(1u << k);
		}
}

/* The A* bound of a corridor search towards r->targets (the virtual nodes of node `to`): the
 * cheapest cost to a target over every usable arc, exact for the network and so a consistent
 * lower bound for every corridor (a pattern only removes routes). One reverse Dijkstra per
 * origin-destination pair and weights, shared by all the corridors of a comparison. */
static int corridor_bound(mr_router *r, uint32_t to, const double **h)
{
	const mr_graph *g = &r->net->g;
	int rc;

	if (!r->pot0 && !(r->pot0 = mr_malloc(((size_t)g->n + 1) * sizeof(double))))
		return MR_ENOMEM;
	if (!r->pkey[0] || strcmp(r->pkey, r->wkey) != 0 || r->pot_to != to) {
		r->pkey[0] = '\0';
		if ((rc = mr_constrained_potential(r->cs, g, r->w, NULL, NULL, r->targets.v, r->targets.n, r->pot0)))
			return rc;
		r->pot_to = to;
		memcpy(r->pkey, r->wkey, sizeof(r->pkey)); /* "" when the options have no key: never reused */
	}
	*h = r->pot0;
	return MR_OK;
}

int mr_router_route_matches(mr_router *r, const mr_route *route, const struct mr_pattern *p, const mr_pred *preds,
                            size_t npred)
{
	struct mr__pred_slot *slot[MR_PATTERN_MAX_PRED];
	uint32_t seen = 0, all = 0xffffu;
	size_t i, k, seq = 0;
	if (npred > MR_PATTERN_MAX_PRED)
		return MR_EINVAL;
	if (pred_slots(r, preds, npred, slot))
		return MR_ENOMEM;
	for (i = 0; i < route->narcs; i++) {
		uint32_t a = route->arcs[i], f = 0;
		for (k = 0; k < npred; k++)
			if (slot[k]->bits[a / 64] >> (a % 64) & 1u)
				f |= 1u << k;
		if (f & p->forbid)
			return 0;
		seen |= f;
		all &= f;
		if (seq < p->nseq && (f >> p->seq[seq] & 1u))
			seq++;
	}
	if (route->narcs == 0)
		all = 0xffffu;
	return (seen & p->require) == p->require && (all & p->only) == p->only && seq == p->nseq;
}

int mr_net_pred_exists(const mr_net *net, const mr_pred *p)
{
	uint32_t k;
	int m;
	switch (p->kind) {
	case MR_PRED_TAG:
		for (k = 0; k < net->meta.nlinks; k++)
			if (has_tag(mr_net_str(net, net->links[k].tags), p->value))
				return 1;
		return 0;
	case MR_PRED_PASSAGE:
		for (k = 0; k < net->meta.nlinks; k++)
			if (net->links[k].passage && strcasecmp(mr_net_str(net, net->links[k].passage), p->value) == 0)
				return 1;
		return 0;
	case MR_PRED_MODE:
		m = mr_mode_parse(p->value);
		return m >= 0 && net->meta.arcs_by_mode[m] > 0;
	case MR_PRED_COUNTRY:
		for (k = 0; k < net->meta.nnodes; k++)
			if (net->nodes[k].nvnodes && strcasecmp(net->nodes[k].country, p->value) == 0)
				return 1;
		return 0;
	case MR_PRED_BORDER:
		for (k = 0; k < net->meta.nborders; k++)
			if (strcasecmp(mr_net_str(net, net->borders[k].id), p->value) == 0 ||
			    strcasecmp(mr_net_str(net, net->borders[k].name), p->value) == 0)
				return 1;
		return 0;
	default:
		return 0;
	}
}

int mr_router_route_pattern(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o,
                            const struct mr_pattern *pattern, const mr_pred *preds, size_t npred,
                            mr_route *out, mr_error *err)
{
	const mr_net *net = r->net;
	struct mr__pred_slot *slot[MR_PATTERN_MAX_PRED];
	const double *h = NULL;
	mr_dfa dfa;
	mr_cpath cp;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&dfa, 0, sizeof(dfa));
	if (npred > MR_PATTERN_MAX_PRED || from >= net->meta.nnodes || to >= net->meta.nnodes)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad corridor query");
	for (i = 0; i < npred; i++)
		if (!preds[i].value)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad corridor query");
	/* Weights and bans exactly as for a plain route. */
	{
		char key[sizeof(r->wkey)];
		int fits = options_key(o, key, sizeof(key));
		if (!(o->teu > 0) || !isfinite(o->teu) || !(o->vot_usd_per_h >= 0) || o->objective < 0 ||
		    o->objective >= MR_BY_COUNT)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad routing options");
		if (!fits || strcmp(key, r->wkey) != 0) {
			r->wkey[0] = '\0';
			if ((rc = resolve_avoid(r, o, err)) || (rc = resolve_allow(r, o, err)))
				return rc;
			fill_weights(r, o);
			if (fits)
				memcpy(r->wkey, key, sizeof(key));
		}
	}
	if (!r->features && !(r->features = mr_malloc(((size_t)net->g.m + 1) * sizeof(uint16_t))))
		return MR_ENOMEM;
	if (!r->cls && !(r->cls = mr_malloc(((size_t)net->g.m + 1) * sizeof(uint16_t))))
		return MR_ENOMEM;
	if (!r->cs && (rc = mr_constrained_new(&r->cs, net->g.n, net->g.m, MR_ROUTER_MAX_STATES)))
		return rc;
	if ((rc = pred_slots(r, preds, npred, slot)))
		return rc;
	arc_features(r, slot, npred);
	if ((rc = mr_pattern_compile(pattern, r->features, net->g.m, &dfa, r->cls, err)))
		return rc;
	if (dfa.nstates > MR_ROUTER_MAX_STATES) {
		mr_dfa_free(&dfa);
		return mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "the corridor needs %u automaton states (at most %d)",
		                    dfa.nstates, MR_ROUTER_MAX_STATES);
	}
	if ((rc = node_seeds(r, o, from, 1, &r->layers)) || (rc = node_seeds(r, o, to, 0, &r->targets))) {
		mr_dfa_free(&dfa);
		return rc;
	}
	if (!r->layers.n || !r->targets.n) {
		mr_dfa_free(&dfa);
		return mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, NULL, "no route satisfies the corridor");
	}
	/* A* with an exact lower bound (see corridor_bound); MR_ALGO_DIJKSTRA searches without. */
	if (o->algorithm != MR_ALGO_DIJKSTRA && (rc = corridor_bound(r, to, &h))) {
		mr_dfa_free(&dfa);
		return rc;
	}
	rc = mr_constrained_search_astar(r->cs, &net->g, r->w, r->cls, &dfa, h, r->layers.v, r->layers.n, r->targets.v,
	                                 r->targets.n, &cp);
	mr_dfa_free(&dfa);
	if (rc == MR_ENOROUTE)
		return mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, NULL, "no route satisfies the corridor");
	if (rc)
		return rc;
	out->algorithm = h ? MR_ALGO_ASTAR : MR_ALGO_DIJKSTRA;
	out->teu = o->teu;
	out->objective_value = cp.path.cost;
	out->settled = cp.path.settled;
	out->first_vnode = cp.path.first;
	out->narcs = cp.path.narcs;
	out->arcs = mr_malloc((cp.path.narcs + 1) * sizeof(uint32_t));
	if (!out->arcs)
		return MR_ENOMEM;
	for (i = 0; i < cp.path.narcs; i++)
		out->arcs[i] = cp.path.arcs[i];
	rc = assemble(net, o, out);
	if (rc)
		mr_route_free(out);
	return rc;
}
