/* test_critical.c: criticality sweeps (mr_critical.h) against brute force: on random multimodal
 * networks (ports, lane chains, passages, rail of two gauges, roads, ferries, borders, transfer
 * rules; lengths that tie on purpose) and on the fixture tests/fixtures/mini, every element's
 * scores from the fast sweep and from the naive one equal, bit for bit, those of removing the
 * element's arcs (found here independently) and searching every origin again with mr_dijkstra;
 * the same for pairs of elements. A network with a known single point of failure ranks it first,
 * pairs that lose every route are counted and never given a cost, element ranges merge, and
 * allocation failures are clean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "meridian/mr_critical.h"
#include "meridian/mr_io.h"
#include "meridian/mr_report.h"
#include "meridian/mr_search.h"

/* ---- a small deterministic generator ---- */

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (uint32_t)((rng >> 33) % n) : 0;
}

/* ---- random multimodal networks ---- */

static const char *const countries[3] = {"AAA", "BBB", "CCC"};

static void add_tariff_in(mr_src *s, const char *country, int mode, double usd, double fixed, double speed)
{
	mr_src_tariff t;
	memset(&t, 0, sizeof(t));
	snprintf(t.country, sizeof(t.country), "%s", country);
	t.mode = mode;
	t.usd_per_teu_km = usd;
	t.fixed_usd = fixed;
	t.co2e_kg_per_teu_km = 0.1;
	t.speed_kmh = speed;
	t.source = "test";
	assert_int_equal(mr_src_add_tariff(s, &t), MR_OK);
}

static void add_tariff(mr_src *s, int mode, double usd, double fixed, double speed)
{
	add_tariff_in(s, "", mode, usd, fixed, speed);
}

static void add_transfer(mr_src *s, int fm, int fg, int tm, int tg, double h, double usd)
{
	mr_src_transfer t;
	memset(&t, 0, sizeof(t));
	t.node = MR_NONE;
	t.from_mode = fm;
	t.from_gauge_mm = fg;
	t.to_mode = tm;
	t.to_gauge_mm = tg;
	t.time_h = h;
	t.cost_usd = usd;
	t.source = "test";
	assert_int_equal(mr_src_add_transfer(s, &t), MR_OK);
}

static void add_link(mr_src *s, uint32_t a, uint32_t b, int mode, int gauge, double km, const char *passage,
                     int status, double per_week, int directed)
{
	mr_src_link l;
	char id[32];
	memset(&l, 0, sizeof(l));
	snprintf(id, sizeof(id), "l%zu", s->nlinks);
	l.id = id;
	l.from = a;
	l.to = b;
	l.mode = mode;
	l.gauge_mm = gauge;
	l.length_km = km;
	l.status = status;
	l.passage = (char *)passage;
	l.services_per_week = per_week;
	l.directed = directed;
	l.source = "test";
	assert_int_equal(mr_src_add_link(s, &l, NULL), MR_OK);
}

/* n nodes in three countries: ports (with a UN/LOCODE), lane vertices (type sea: chains),
 * stations and cities; sea lanes with passages, rail (1435 mm in AAA, 1520 elsewhere), roads,
 * ferries, border crossings; lengths are whole numbers, so ties are common. */
static void make_random(mr_src *s, uint32_t n)
{
	uint32_t i, k, np = 0, nl;
	char id[16], code[8];
	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		mr_src_node nd;
		uint32_t kind = i < 4 ? 0 : rnd(4); /* 0 port, 1 lane vertex, 2 station, 3 city */
		memset(&nd, 0, sizeof(nd));
		snprintf(id, sizeof(id), "n%u", i);
		nd.id = id;
		nd.name = id;
		nd.type = kind == 0 ? "port" : kind == 1 ? "sea" : kind == 2 ? "station" : "city";
		if (kind == 0) {
			snprintf(code, sizeof(code), "XX%03u", i % 1000u); /* n < 1000: five characters */
			nd.unlocode = code;
			np++;
		}
		memcpy(nd.country, countries[rnd(3)], 4);
		nd.lon = (double)rnd(40);
		nd.lat = (double)rnd(30);
		assert_int_equal(mr_src_add_node(s, &nd, NULL), MR_OK);
	}
	/* sea: a ring over the ports and lane vertices, and chords */
	{
		uint32_t *sea = malloc(n * sizeof(uint32_t)), ns = 0;
		for (i = 0; i < n; i++)
			if (!strcmp(s->nodes[i].type, "port") || !strcmp(s->nodes[i].type, "sea"))
				sea[ns++] = i;
		for (i = 0; i < ns; i++) {
			const char *pass = rnd(5) == 0 ? (rnd(2) ? "strait-a" : "canal-b") : "";
			add_link(s, sea[i], sea[(i + 1) % ns], MR_MODE_SEA, 0, 100 + 10 * rnd(20), pass,
			         rnd(15) == 0 ? MR_STATUS_CLOSED : MR_STATUS_OPEN, 0, rnd(12) == 0);
		}
		for (k = 0; k < ns / 3; k++)
			add_link(s, sea[rnd(ns)], sea[rnd(ns)], MR_MODE_SEA, 0, 200 + 10 * rnd(30), rnd(3) ? "" : "canal-b",
			         MR_STATUS_OPEN, 0, 0);
		free(sea);
	}
	/* land: rail, road, ferry between random land nodes and ports */
	nl = n + n / 2;
	for (k = 0; k < nl; k++) {
		uint32_t a = rnd(n), b = rnd(n), mode, gauge = 0;
		if (a == b || !strcmp(s->nodes[a].type, "sea") || !strcmp(s->nodes[b].type, "sea"))
			continue;
		mode = rnd(6);
		if (mode < 3) {
			mode = MR_MODE_RAIL;
			gauge = strcmp(s->nodes[a].country, "AAA") == 0 ? 1435 : 1520;
		} else if (mode < 5) {
			mode = MR_MODE_ROAD;
		} else {
			mode = MR_MODE_FERRY;
		}
		add_link(s, a, b, (int)mode, (int)gauge, 50 + 25 * rnd(16), "",
		         rnd(10) == 0 ? MR_STATUS_PLANNED : MR_STATUS_OPEN, mode == MR_MODE_FERRY ? 2 : 0, rnd(15) == 0);
	}
	/* a border crossing at one end of some cross-country land links */
	for (k = 0; k < s->nlinks; k++) {
		mr_src_link *l = &s->links[k];
		mr_src_border br;
		char bid[24];
		if (l->mode == MR_MODE_SEA || !strcmp(s->nodes[l->from].country, s->nodes[l->to].country) || rnd(3) == 0)
			continue;
		memset(&br, 0, sizeof(br));
		snprintf(bid, sizeof(bid), "b%zu", s->nborders);
		br.id = bid;
		br.name = bid;
		br.node = l->from;
		memcpy(br.country_a, s->nodes[l->from].country, 4);
		memcpy(br.country_b, s->nodes[l->to].country, 4);
		br.dwell_h = 6 * rnd(4);
		br.fee_usd = 25 * rnd(3);
		br.status = MR_STATUS_OPEN;
		br.source = "test";
		assert_int_equal(mr_src_add_border(s, &br), MR_OK);
	}
	add_tariff(s, MR_MODE_SEA, 0.1, 150, 30);
	add_tariff(s, MR_MODE_FERRY, 0.8, 200, 18);
	add_tariff(s, MR_MODE_RAIL, 0.5, 100, 36);
	/* starting a rail leg in AAA costs more than getting there from a neighbour: an origin's
	 * rail vertex is then reached from elsewhere, below another seed in the tree */
	add_tariff_in(s, "AAA", MR_MODE_RAIL, 0.5, 2500, 36);
	add_tariff(s, MR_MODE_ROAD, 1.0, 50, 50);
	add_transfer(s, MR_MODE_SEA, 0, MR_MODE_RAIL, 1435, 24, 100);
	add_transfer(s, MR_MODE_SEA, 0, MR_MODE_RAIL, 1520, 24, 100);
	add_transfer(s, MR_MODE_SEA, 0, MR_MODE_ROAD, 0, 12, 80);
	add_transfer(s, MR_MODE_ROAD, 0, MR_MODE_RAIL, 1435, 6, 50);
	add_transfer(s, MR_MODE_ROAD, 0, MR_MODE_RAIL, 1520, 6, 50);
	add_transfer(s, MR_MODE_RAIL, 1435, MR_MODE_RAIL, 1520, 12, 100);
	add_transfer(s, MR_MODE_FERRY, 0, MR_MODE_ROAD, 0, 12, 60);
	add_transfer(s, MR_MODE_FERRY, 0, MR_MODE_RAIL, 1520, 12, 60);
	(void)np;
}

/* ---- brute force ---- */

static uint32_t *arc_tails(const mr_net *net)
{
	uint32_t *t = malloc(((size_t)net->g.m + 1) * sizeof(uint32_t)), v, a;
	for (v = 0; v < net->g.n; v++)
		for (a = net->g.first_out[v]; a < net->g.first_out[v + 1]; a++)
			t[a] = v;
	return t;
}

static int chain_has(const mr_net *net, uint32_t chain, uint32_t link)
{
	uint32_t k;
	for (k = net->chain_first[chain]; k < net->chain_first[chain + 1]; k++)
		if (MR_CHAIN_LINK(net->chain_steps[k]) == link)
			return 1;
	return 0;
}

static int chain_has_passage(const mr_net *net, uint32_t chain, const char *p)
{
	uint32_t k;
	for (k = net->chain_first[chain]; k < net->chain_first[chain + 1]; k++) {
		const mr_link_rec *l = &net->links[MR_CHAIN_LINK(net->chain_steps[k])];
		if (l->passage && strcmp(mr_net_str(net, l->passage), p) == 0)
			return 1;
	}
	return 0;
}

/* Does removing element e remove arc a? Computed from the definitions, not from el->arcs. */
static int removes(const mr_net *net, const uint32_t *tail, const mr_crit_element *e, uint32_t a)
{
	const mr_arc_rec *arc = &net->arcs[a];
	uint32_t tn = net->vnodes[tail[a]].node, hn = net->vnodes[net->g.head[a]].node;
	switch (e->kind) {
	case MR_CRIT_LINK:
		return (arc->kind == MR_ARC_LINK && arc->ref == e->ref) ||
		       (arc->kind == MR_ARC_CHAIN && chain_has(net, arc->ref, e->ref));
	case MR_CRIT_BORDER:
		return arc->border == e->ref;
	case MR_CRIT_PASSAGE: {
		const char *p = mr_net_str(net, e->ref);
		if (arc->kind == MR_ARC_LINK)
			return net->links[arc->ref].passage && strcmp(mr_net_str(net, net->links[arc->ref].passage), p) == 0;
		return arc->kind == MR_ARC_CHAIN && chain_has_passage(net, arc->ref, p);
	}
	case MR_CRIT_NODE:
		return tn == e->ref || hn == e->ref;
	default:
		return arc->kind == MR_ARC_TRANSFER && tn == e->ref;
	}
}

/* Each element's arcs are exactly those its definition names. */
static void check_element_arcs(const mr_net *net, const mr_crit_elements *el)
{
	uint32_t *tail = arc_tails(net), a;
	size_t i;
	for (i = 0; i < el->n; i++) {
		uint32_t q = el->first[i];
		for (a = 0; a < net->g.m; a++) {
			int want = removes(net, tail, &el->v[i], a);
			int have = q < el->first[i + 1] && el->arcs[q] == a;
			if (want != have)
				fail_msg("element %zu (%s %u): arc %u %s", i, mr_crit_kind_name(el->v[i].kind), el->v[i].ref, a,
				         want ? "missing" : "extra");
			q += have;
		}
		assert_int_equal(q, el->first[i + 1]);
	}
	free(tail);
}

/* The cost of every pair (sorted, merged, as the library has them) with the arcs removed[a] != 0
 * unusable, by mr_dijkstra from each origin; pairs whose ends are in excl[0..1] are INFINITY. */
static void brute_costs(const mr_net *net, mr_router *r, const mr_route_opts *ro, const mr_crit_od *od, size_t nod,
                        const uint8_t *removed, double *cost)
{
	const double *w0;
	double *w = malloc(((size_t)net->g.m + 1) * sizeof(double));
	mr_search *s;
	mr_error e;
	size_t i;
	uint32_t a;
	assert_int_equal(mr_router_weights(r, ro, &w0, &e), MR_OK);
	for (a = 0; a < net->g.m; a++)
		w[a] = removed && removed[a] ? INFINITY : w0[a];
	assert_int_equal(mr_search_new(&s, net->g.n, net->g.m), MR_OK);
	for (i = 0; i < nod; i++) {
		mr_seed src[16], dst[16];
		size_t ns = 0, nt = 0, t;
		mr_path p;
		if (i == 0 || od[i].from != od[i - 1].from) {
			assert_int_equal(mr_router_start_offsets(r, ro, od[i].from, src, 16, &ns), MR_OK);
			if (ns)
				assert_int_equal(mr_dijkstra(s, &net->g, w, src, ns, NULL, 0, &p), MR_OK);
		}
		cost[i] = INFINITY;
		{
			/* a node without usable virtual nodes as origin: nothing searched */
			mr_seed chk[16];
			size_t nc = 0;
			assert_int_equal(mr_router_start_offsets(r, ro, od[i].from, chk, 16, &nc), MR_OK);
			if (!nc)
				continue;
		}
		assert_int_equal(mr_router_start_offsets(r, ro, od[i].to, dst, 16, &nt), MR_OK);
		for (t = 0; t < nt; t++) {
			double d = mr_search_dist(s, dst[t].v);
			if (d < cost[i])
				cost[i] = d;
		}
	}
	mr_search_free(s);
	free(w);
}

static int cmp_od(const void *pa, const void *pb)
{
	const mr_crit_od *a = pa, *b = pb;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return (a->to > b->to) - (a->to < b->to);
}

/* The expected score of removing `removed` (excluding pairs at excl[0..1]), summed as the library
 * documents it: per origin over its pairs in order, then over origins in order. */
static mr_crit_score brute_score(const mr_crit_od *od, size_t nod, const double *c0, const double *c1,
                                 const uint32_t excl[2])
{
	mr_crit_score s;
	double part = 0, partl = 0;
	uint32_t lost = 0, changed = 0;
	size_t i;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < nod; i++) {
		int skip = od[i].from == excl[0] || od[i].from == excl[1] || od[i].to == excl[0] || od[i].to == excl[1];
		if (!skip && c0[i] < INFINITY) {
			if (!(c1[i] < INFINITY)) {
				lost++;
				partl += od[i].weight;
			} else {
				if (c1[i] != c0[i])
					changed++;
				part += od[i].weight * (c1[i] - c0[i]);
			}
		}
		if (i + 1 == nod || od[i + 1].from != od[i].from) {
			s.cost_increase += part;
			s.lost_weight += partl;
			part = partl = 0;
		}
	}
	s.lost_pairs = lost;
	s.changed_pairs = changed;
	return s;
}

static void expect_score(const mr_crit_score *got, const mr_crit_score *want, const char *what, size_t i)
{
	if (got->cost_increase != want->cost_increase || got->lost_weight != want->lost_weight ||
	    got->lost_pairs != want->lost_pairs || got->changed_pairs != want->changed_pairs)
		fail_msg("%s %zu: got cost +%.17g lost %u (%.17g) changed %u; brute force +%.17g lost %u (%.17g) changed %u",
		         what, i, got->cost_increase, got->lost_pairs, got->lost_weight, got->changed_pairs,
		         want->cost_increase, want->lost_pairs, want->lost_weight, want->changed_pairs);
}

/* Sweep el over od (fast, naive, several threads, an element range merged) and compare every
 * score with brute force; then a few pairs. Returns how many elements changed something. */
static size_t check_all(const mr_net *net, const mr_crit_elements *el, mr_crit_od *od, size_t nod,
                        const mr_route_opts *ro)
{
	mr_router *r;
	mr_crit_opts o;
	mr_crit_result fast, naive, part2;
	uint32_t *tail = arc_tails(net);
	uint8_t *rm = malloc(net->g.m + 1);
	double *c0 = malloc((nod + 1) * sizeof(double)), *c1 = malloc((nod + 1) * sizeof(double));
	mr_error e;
	size_t i, k, nonzero = 0, connected = 0;
	uint32_t a;

	qsort(od, nod, sizeof(*od), cmp_od);
	assert_int_equal(mr_router_new(&r, net), MR_OK);
	brute_costs(net, r, ro, od, nod, NULL, c0);
	for (i = 0; i < nod; i++)
		connected += c0[i] < INFINITY;
	mr_crit_opts_default(&o);
	o.route = *ro;
	o.threads = 1;
	assert_int_equal(mr_crit_run(net, el, od, nod, &o, &fast, &e), MR_OK);
	assert_int_equal(fast.connected_pairs, connected);
	assert_int_equal(fast.npairs, nod);
	o.method = MR_CRIT_NAIVE;
	o.threads = 3;
	assert_int_equal(mr_crit_run(net, el, od, nod, &o, &naive, &e), MR_OK);
	/* the fast sweep again on two threads, in two element ranges, merged */
	o.method = MR_CRIT_FAST;
	o.threads = 2;
	o.lo = 0;
	o.hi = el->n / 2;
	{
		mr_crit_result part1;
		assert_int_equal(mr_crit_run(net, el, od, nod, &o, &part1, &e), MR_OK);
		o.lo = el->n / 2;
		o.hi = el->n;
		assert_int_equal(mr_crit_run(net, el, od, nod, &o, &part2, &e), MR_OK);
		assert_int_equal(mr_crit_result_merge(&part1, &part2), MR_OK);
		mr_crit_result_free(&part2);
		part2 = part1;
	}
	assert_int_equal(part2.lo, 0);
	assert_int_equal(part2.hi, el->n);
	for (i = 0; i < el->n; i++) {
		uint32_t excl[2] = {el->v[i].kind == MR_CRIT_NODE ? el->v[i].ref : MR_NONE, MR_NONE};
		mr_crit_score want;
		for (a = 0; a < net->g.m; a++)
			rm[a] = (uint8_t)removes(net, tail, &el->v[i], a);
		brute_costs(net, r, ro, od, nod, rm, c1);
		want = brute_score(od, nod, c0, c1, excl);
		expect_score(&fast.score[i], &want, "fast: element", i);
		expect_score(&naive.score[i], &want, "naive: element", i);
		expect_score(&part2.score[i], &want, "ranges: element", i);
		assert_int_equal(fast.score[i].used_pairs, naive.score[i].used_pairs);
		assert_true(fast.score[i].used_weight == naive.score[i].used_weight);
		assert_true(fast.score[i].used_pairs >= fast.score[i].lost_pairs + fast.score[i].changed_pairs);
		nonzero += want.lost_pairs + want.changed_pairs > 0;
	}
	/* pairs among the first few elements of the ranking */
	{
		uint32_t *order = malloc((el->n + 1) * sizeof(uint32_t));
		size_t n = mr_crit_rank(&fast, MR_CRIT_BY_LOST, order, NULL), kk = n < 5 ? n : 5, np, q;
		mr_crit_pair *pairs;
		o.lo = o.hi = 0;
		o.threads = 2;
		assert_int_equal(mr_crit_pairs(net, el, od, nod, &o, &fast, order, kk, 1.5, &pairs, &np, &e), MR_OK);
		assert_int_equal(np, kk * (kk - 1) / 2);
		for (q = 0; q < np; q++) {
			const mr_crit_element *ea = &el->v[pairs[q].a], *eb = &el->v[pairs[q].b];
			uint32_t excl[2] = {ea->kind == MR_CRIT_NODE ? ea->ref : MR_NONE, eb->kind == MR_CRIT_NODE ? eb->ref : MR_NONE};
			mr_crit_score want;
			for (a = 0; a < net->g.m; a++)
				rm[a] = (uint8_t)(removes(net, tail, ea, a) || removes(net, tail, eb, a));
			brute_costs(net, r, ro, od, nod, rm, c1);
			want = brute_score(od, nod, c0, c1, excl);
			expect_score(&pairs[q].joint, &want, "pair", q);
			assert_true(pairs[q].excess_lost ==
			            pairs[q].joint.lost_weight - (fast.score[pairs[q].a].lost_weight + fast.score[pairs[q].b].lost_weight));
			if (q > 0)
				assert_true(pairs[q - 1].synergy >= pairs[q].synergy);
		}
		free(pairs);
		/* the ranking is sorted by its measure */
		for (k = 1; k < n; k++)
			assert_true(fast.score[order[k - 1]].lost_weight >= fast.score[order[k]].lost_weight);
		n = mr_crit_rank(&fast, MR_CRIT_BY_COST, order, NULL);
		for (k = 1; k < n; k++)
			assert_true(fast.score[order[k - 1]].cost_increase >= fast.score[order[k]].cost_increase);
		free(order);
	}
	mr_crit_result_free(&fast);
	mr_crit_result_free(&naive);
	mr_crit_result_free(&part2);
	mr_router_free(r);
	free(tail);
	free(rm);
	free(c0);
	free(c1);
	return nonzero;
}

static void test_random_networks(void **state)
{
	int round;
	size_t nonzero = 0, elements = 0, ties = 0;
	(void)state;
	rng = 20240601;
	for (round = 0; round < 150; round++) {
		mr_src src;
		mr_net net;
		mr_crit_elements el;
		mr_route_opts ro;
		mr_crit_od *od;
		uint32_t *places, np = 0, i, j, n = 12 + rnd(20);
		size_t nod = 0;
		mr_error e;
		make_random(&src, n);
		assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
		mr_src_free(&src);
		assert_int_equal(mr_crit_elements_make(&net, MR_CRIT_ALL, &el), MR_OK);
		check_element_arcs(&net, &el);
		elements += el.n;
		ties += el.nsets < el.n;
		places = malloc(net.meta.nnodes * sizeof(uint32_t));
		for (i = 0; i < net.meta.nnodes; i++)
			if (net.nodes[i].nvnodes && rnd(3))
				places[np++] = i;
		od = malloc((size_t)np * np * 2 * sizeof(*od) + sizeof(*od));
		for (i = 0; i < np; i++)
			for (j = 0; j < np; j++)
				if (i != j && rnd(4)) {
					od[nod].from = places[i];
					od[nod].to = places[j];
					od[nod++].weight = round % 2 ? 1.0 : 0.5 + rnd(100) / 7.0;
				}
		mr_route_opts_default(&ro);
		ro.objective = (int)(round % MR_BY_COUNT);
		if (round % 5 == 3)
			ro.mode_mask = (1u << MR_MODE_SEA) | (1u << MR_MODE_RAIL);
		ro.allow_planned = round % 3 == 0;
		nonzero += check_all(&net, &el, od, nod, &ro);
		free(od);
		free(places);
		mr_crit_elements_free(&el);
		mr_net_free(&net);
	}
	/* the networks exercised something */
	assert_true(nonzero > 100);
	assert_true(elements > 1000);
	assert_true(ties > 0); /* some elements share a removal set (a lane chain, a lone border link) */
	print_message("[ info ] 150 random networks, %zu elements, %zu with an effect, all equal to brute force\n",
	              elements, nonzero);
}

static mr_net mini;

static int setup(void **state)
{
	mr_src src;
	mr_error e;
	(void)state;
	memset(&src, 0, sizeof(src));
	if (mr_csvnet_read(MR_SOURCE_DIR "/tests/fixtures/mini", &src, NULL, NULL, NULL, &e))
		return -1;
	if (mr_net_build(&src, &mini, &e))
		return -1;
	mr_src_free(&src);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mr_net_free(&mini);
	return 0;
}

static uint32_t mini_node(const char *id)
{
	uint32_t i;
	for (i = 0; i < mini.meta.nnodes; i++)
		if (strcmp(mr_net_str(&mini, mini.nodes[i].id), id) == 0)
			return i;
	fail_msg("no node %s", id);
	return 0;
}

static void test_fixture(void **state)
{
	mr_crit_elements el;
	mr_route_opts ro;
	mr_crit_od *od;
	size_t nod = 0, nonzero;
	uint32_t i, j;
	int obj;
	(void)state;
	assert_int_equal(mr_crit_elements_make(&mini, MR_CRIT_ALL, &el), MR_OK);
	check_element_arcs(&mini, &el);
	od = malloc((size_t)mini.meta.nnodes * mini.meta.nnodes * sizeof(*od));
	for (i = 0; i < mini.meta.nnodes; i++)
		for (j = 0; j < mini.meta.nnodes; j++)
			if (i != j) {
				od[nod].from = i;
				od[nod].to = j;
				od[nod++].weight = 1 + (i * 7 + j) % 5;
			}
	for (obj = 0; obj < MR_BY_COUNT; obj++) {
		mr_route_opts_default(&ro);
		ro.objective = obj;
		ro.allow_planned = obj == MR_BY_DISTANCE;
		nonzero = check_all(&mini, &el, od, nod, &ro);
		assert_true(nonzero > 10);
	}
	free(od);
	mr_crit_elements_free(&el);
}

/* The base costs are those of `route` (any of its algorithms, so up to rounding). */
static void test_costs_are_route_costs(void **state)
{
	mr_crit_elements el;
	mr_crit_opts o;
	mr_crit_result res;
	mr_router *r;
	mr_error e;
	mr_crit_od od[3];
	const char *pairs[3][2] = {{"INNSA", "RUMOW"}, {"IRBND", "AZBAK"}, {"RULED", "INNSA"}};
	double want = 0;
	int k;
	(void)state;
	assert_int_equal(mr_crit_elements_make(&mini, 1u << MR_CRIT_BORDER, &el), MR_OK);
	assert_int_equal(mr_router_new(&r, &mini), MR_OK);
	mr_crit_opts_default(&o);
	for (k = 0; k < 3; k++) {
		uint32_t pl[2] = {mini_node(pairs[k][0]), mini_node(pairs[k][1])};
		mr_route rt;
		od[k].from = pl[0];
		od[k].to = pl[1];
		od[k].weight = k + 1;
		assert_int_equal(mr_router_route(r, pl, 2, &o.route, &rt, &e), MR_OK);
		want += (k + 1) * rt.objective_value;
		mr_route_free(&rt);
	}
	assert_int_equal(mr_crit_run(&mini, &el, od, 3, &o, &res, &e), MR_OK);
	assert_int_equal(res.connected_pairs, 3);
	assert_true(fabs(res.base_cost - want) <= 1e-9 * want);
	mr_crit_result_free(&res);
	mr_router_free(r);
	mr_crit_elements_free(&el);
}

/* Two rail regions joined by one bridge link (a single point of failure) and, between two of
 * the west nodes, a short link with a long detour when it is gone (dear but not fatal). */
static void make_spof(mr_src *s)
{
	uint32_t i;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++) {
		mr_src_node nd;
		char id[8];
		memset(&nd, 0, sizeof(nd));
		snprintf(id, sizeof(id), "%c%u", i < 4 ? 'W' : 'E', i % 4);
		nd.id = id;
		nd.name = id;
		nd.type = "station";
		memcpy(nd.country, "AAA", 4);
		nd.lon = i;
		nd.lat = i % 2;
		assert_int_equal(mr_src_add_node(s, &nd, NULL), MR_OK);
	}
	/* west: a ring W0-W1-W2-W3, where W0-W1 is short and the way round is long */
	add_link(s, 0, 1, MR_MODE_RAIL, 1435, 10, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 1, 2, MR_MODE_RAIL, 1435, 900, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 2, 3, MR_MODE_RAIL, 1435, 900, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 3, 0, MR_MODE_RAIL, 1435, 900, "", MR_STATUS_OPEN, 0, 0);
	/* the bridge W3-E0 */
	add_link(s, 3, 4, MR_MODE_RAIL, 1435, 100, "", MR_STATUS_OPEN, 0, 0);
	/* east: a ring E0-E1-E2-E3 (every link replaceable) */
	add_link(s, 4, 5, MR_MODE_RAIL, 1435, 100, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 5, 6, MR_MODE_RAIL, 1435, 100, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 6, 7, MR_MODE_RAIL, 1435, 100, "", MR_STATUS_OPEN, 0, 0);
	add_link(s, 7, 4, MR_MODE_RAIL, 1435, 100, "", MR_STATUS_OPEN, 0, 0);
	add_tariff(s, MR_MODE_RAIL, 0.5, 100, 36);
}

static void test_single_point_of_failure(void **state)
{
	mr_src src;
	mr_net net;
	mr_crit_elements el;
	mr_crit_opts o;
	mr_crit_result res;
	mr_crit_od *od;
	mr_error e;
	uint32_t order[64], i, j;
	size_t nod = 0, n;
	long bridge, detour;
	(void)state;
	make_spof(&src);
	assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
	mr_src_free(&src);
	assert_int_equal(mr_crit_elements_make(&net, MR_CRIT_ALL, &el), MR_OK);
	bridge = mr_crit_element_find(&net, &el, MR_CRIT_LINK, "l4");
	detour = mr_crit_element_find(&net, &el, MR_CRIT_LINK, "l0");
	assert_true(bridge >= 0 && detour >= 0);
	od = malloc(64 * sizeof(*od));
	for (i = 0; i < 8; i++)
		for (j = 0; j < 8; j++)
			if (i != j) {
				od[nod].from = i;
				od[nod].to = j;
				od[nod++].weight = 1;
			}
	mr_crit_opts_default(&o);
	o.route.objective = MR_BY_DISTANCE;
	assert_int_equal(mr_crit_run(&net, &el, od, nod, &o, &res, &e), MR_OK);
	assert_int_equal(res.connected_pairs, 56);
	n = mr_crit_rank(&res, MR_CRIT_BY_LOST, order, NULL);
	assert_true(n == el.n);
	assert_int_equal(order[0], (uint32_t)bridge);
	/* 4 x 4 pairs each way lose every route; none of them gets a cost */
	assert_int_equal(res.score[bridge].lost_pairs, 32);
	assert_true(res.score[bridge].lost_weight == 32);
	assert_true(res.score[bridge].cost_increase == 0);
	assert_int_equal(res.score[bridge].changed_pairs, 0);
	/* the node W3 at the bridge also cuts the regions, but its own pairs are left out: 3 x 4 x 2 */
	{
		long w3 = mr_crit_element_find(&net, &el, MR_CRIT_NODE, "W3");
		assert_true(w3 >= 0);
		assert_int_equal(res.score[w3].lost_pairs, 24);
	}
	/* by cost, a west link comes first: its pairs keep a route, round the ring; the bridge, whose
	 * pairs have no route left, has no cost increase at all */
	n = mr_crit_rank(&res, MR_CRIT_BY_COST, order, NULL);
	assert_true(order[0] != (uint32_t)bridge);
	assert_int_equal(res.score[order[0]].lost_pairs, 0);
	assert_true(res.score[order[0]].cost_increase > 0);
	assert_int_equal(res.score[detour].lost_pairs, 0);
	assert_int_equal(res.score[detour].changed_pairs, 14);
	/* W0 <-> W1 go round: 2,690 km more each way; 12 more pairs pass W0 - W1 at 890 km more */
	assert_true(res.score[detour].cost_increase == 2 * 2690.0 + 12 * 890.0);
	mr_crit_result_free(&res);
	/* a pair out of reach on the unchanged network is counted and scores nothing */
	{
		mr_crit_od extra[2] = {{0, 1, 1.0}, {0, 7, 1.0}};
		mr_route_opts_default(&o.route);
		o.route.objective = MR_BY_DISTANCE;
		const char *avoid[] = {"l4"};
		o.route.avoid = avoid;
		o.route.navoid = 1;
		assert_int_equal(mr_crit_run(&net, &el, extra, 2, &o, &res, &e), MR_OK);
		assert_int_equal(res.npairs, 2);
		assert_int_equal(res.connected_pairs, 1);
		for (i = 0; i < el.n; i++)
			assert_true(res.score[i].lost_pairs <= 1);
		mr_crit_result_free(&res);
	}
	free(od);
	mr_crit_elements_free(&el);
	mr_net_free(&net);
}

static void test_places_and_options(void **state)
{
	uint32_t *nodes;
	size_t n, i, nod;
	mr_crit_od *od;
	unsigned mask;
	mr_error e;
	(void)state;
	assert_int_equal(mr_crit_places(&mini, "ports", &nodes, &n), MR_OK);
	assert_true(n >= 8);
	for (i = 0; i < n; i++)
		assert_true(mini.nodes[nodes[i]].unlocode != 0);
	assert_int_equal(mr_crit_od_pairs(nodes, n, nodes, n, &od, &nod), MR_OK);
	assert_int_equal(nod, n * (n - 1));
	mr_free(od);
	mr_free(nodes);
	/* the capitals the fixture has: Tehran is not a node of it (IR_THR is), Moscow and Baku are */
	assert_int_equal(mr_crit_places(&mini, "capitals", &nodes, &n), MR_OK);
	{
		int moscow = 0, baku = 0;
		for (i = 0; i < n; i++) {
			moscow |= nodes[i] == mini_node("RUMOW");
			baku |= nodes[i] == mini_node("AZBAK");
		}
		assert_true(moscow && baku);
	}
	mr_free(nodes);
	assert_int_equal(mr_crit_places(&mini, "villages", &nodes, &n), MR_EINVAL);
	assert_int_equal(mr_crit_kinds_parse("borders,passages,ferries", &mask, &e), MR_OK);
	assert_int_equal(mask, (1u << MR_CRIT_BORDER) | (1u << MR_CRIT_PASSAGE) | MR_CRIT_FERRIES);
	assert_int_equal(mr_crit_kinds_parse("borders,bridges", &mask, &e), MR_EINVAL);
	assert_non_null(strstr(e.msg, "bridges"));
	assert_int_equal(mr_crit_measure_parse("cost"), MR_CRIT_BY_COST);
	assert_int_equal(mr_crit_measure_parse("beauty"), -1);
	/* ferries only: the Caspian lines */
	{
		mr_crit_elements el;
		assert_int_equal(mr_crit_elements_make(&mini, MR_CRIT_FERRIES, &el), MR_OK);
		assert_int_equal(el.n, 2);
		for (i = 0; i < el.n; i++)
			assert_int_equal(mini.links[el.v[i].ref].mode, MR_MODE_FERRY);
		mr_crit_elements_free(&el);
	}
	/* bad input */
	{
		mr_crit_elements el;
		mr_crit_opts o;
		mr_crit_result res;
		mr_crit_od bad[1] = {{0, 0, 1.0}};
		assert_int_equal(mr_crit_elements_make(&mini, MR_CRIT_ALL, &el), MR_OK);
		mr_crit_opts_default(&o);
		assert_int_equal(mr_crit_run(&mini, &el, bad, 1, &o, &res, &e), MR_EINVAL);
		bad[0].to = 1;
		bad[0].weight = -1;
		assert_int_equal(mr_crit_run(&mini, &el, bad, 1, &o, &res, &e), MR_EINVAL);
		bad[0].weight = 1;
		o.lo = 5;
		o.hi = 2;
		assert_int_equal(mr_crit_run(&mini, &el, bad, 1, &o, &res, &e), MR_EINVAL);
		mr_crit_elements_free(&el);
	}
}

/* Corridors: a pair whose best route goes through Suez names the suez corridor on the elements
 * of that route. */
static void test_corridors(void **state)
{
	mr_corridor_set cs;
	mr_crit_elements el;
	mr_crit_opts o;
	mr_crit_result res;
	mr_error e;
	long suez;
	int k = -1;
	size_t i;
	mr_crit_od od[1];
	(void)state;
	assert_int_equal(mr_corridors_read(MR_SOURCE_DIR "/data/eurasia/corridors.ini", &cs, &e), MR_OK);
	for (i = 0; i < cs.n; i++)
		if (strcmp(cs.v[i].id, "suez") == 0)
			k = (int)i;
	assert_true(k >= 0);
	assert_int_equal(mr_crit_elements_make(&mini, MR_CRIT_ALL, &el), MR_OK);
	od[0].from = mini_node("RUNVS");
	od[0].to = mini_node("EGSUZ");
	od[0].weight = 1;
	mr_crit_opts_default(&o);
	o.corridors = &cs;
	assert_int_equal(mr_crit_run(&mini, &el, od, 1, &o, &res, &e), MR_OK);
	suez = mr_crit_element_find(&mini, &el, MR_CRIT_PASSAGE, "suez");
	assert_true(suez >= 0);
	/* Novorossiysk -> Suez passes the canal (Port Said - Suez link) */
	assert_int_equal(res.score[suez].used_pairs, 1);
	assert_true(res.score[suez].corridors >> k & 1u);
	mr_crit_result_free(&res);
	mr_crit_elements_free(&el);
	mr_corridors_free(&cs);
}

static int fail_at, count;
static void *failing_alloc(void *ud, void *ptr, size_t n)
{
	(void)ud;
	if (n == 0) {
		free(ptr);
		return NULL;
	}
	if (count++ == fail_at)
		return NULL;
	return realloc(ptr, n);
}

static void test_allocation_failures(void **state)
{
	mr_crit_od od[3];
	int failures = 0;
	(void)state;
	od[0].from = mini_node("INNSA");
	od[0].to = mini_node("RUMOW");
	od[1].from = mini_node("AZBAK");
	od[1].to = mini_node("RULED");
	od[2].from = mini_node("INNSA");
	od[2].to = mini_node("AZBAK");
	od[0].weight = od[1].weight = od[2].weight = 1;
	for (fail_at = 0; fail_at < 400; fail_at++) {
		mr_crit_elements el;
		mr_crit_opts o;
		mr_crit_result res;
		mr_crit_pair *pairs = NULL;
		size_t np = 0;
		mr_error e;
		int rc;
		count = 0;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_crit_elements_make(&mini, MR_CRIT_ALL, &el);
		if (rc == MR_OK) {
			mr_crit_opts_default(&o);
			o.threads = 1;
			rc = mr_crit_run(&mini, &el, od, 3, &o, &res, &e);
			if (rc == MR_OK) {
				uint32_t top[3] = {0, 1, 2};
				rc = mr_crit_pairs(&mini, &el, od, 3, &o, &res, top, 3, 2.0, &pairs, &np, &e);
				mr_free(pairs);
				mr_crit_result_free(&res);
			}
			mr_crit_elements_free(&el);
		}
		mr_set_allocator(NULL, NULL);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		failures++;
	}
	assert_true(failures > 20);
	assert_true(fail_at < 400);
}

/* Every format renders (the HTML without an atlas says so), and a failed allocation anywhere in
 * a render is MR_ENOMEM with nothing leaked. */
static void test_reports(void **state)
{
	mr_crit_elements el;
	mr_crit_opts o;
	mr_crit_result res;
	mr_crit_report rep;
	mr_crit_od *od;
	uint32_t *ports;
	size_t np, nod;
	mr_error e;
	int f;
	(void)state;
	assert_int_equal(mr_crit_elements_make(&mini, MR_CRIT_ALL, &el), MR_OK);
	assert_int_equal(mr_crit_places(&mini, "ports", &ports, &np), MR_OK);
	assert_int_equal(mr_crit_od_pairs(ports, np, ports, np, &od, &nod), MR_OK);
	mr_crit_opts_default(&o);
	assert_int_equal(mr_crit_run(&mini, &el, od, nod, &o, &res, &e), MR_OK);
	memset(&rep, 0, sizeof(rep));
	rep.net = &mini;
	rep.el = &el;
	rep.res = &res;
	rep.opts = &o.route;
	rep.top = 8;
	rep.od_label = "ports <&> \"test\"";
	for (f = 0; f < MR_FMT_COUNT; f++) {
		char *text = NULL;
		size_t len = 0;
		assert_int_equal(mr_crit_report_render(&rep, f, &text, &len), MR_OK);
		assert_true(len > 100 && strlen(text) == len);
		if (f == MR_FMT_HTML) {
			assert_non_null(strstr(text, "Country outlines are not drawn"));
			assert_non_null(strstr(text, "ports &lt;&amp;&gt; &quot;test&quot;")); /* escaped */
			assert_null(strstr(text, "<script"));
		}
		if (f == MR_FMT_CSV) /* a header and the 8 rows */
		{
			size_t lines = 0;
			for (const char *p = text; *p; p++)
				lines += *p == '\n';
			assert_int_equal(lines, 9);
		}
		mr_free(text);
	}
	for (f = 0; f < MR_FMT_COUNT; f++) {
		int failures = 0, rc;
		for (fail_at = 0; fail_at < 200; fail_at++) {
			char *text = NULL;
			size_t len = 0;
			count = 0;
			mr_set_allocator(failing_alloc, NULL);
			rc = mr_crit_report_render(&rep, f, &text, &len);
			mr_set_allocator(NULL, NULL);
			mr_free(text);
			if (rc == MR_OK)
				break;
			assert_int_equal(rc, MR_ENOMEM);
			assert_null(text);
			failures++;
		}
		assert_true(failures > 0 && fail_at < 200);
	}
	mr_crit_result_free(&res);
	mr_free(od);
	mr_free(ports);
	mr_crit_elements_free(&el);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_networks),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_costs_are_route_costs),
		cmocka_unit_test(test_single_point_of_failure),
		cmocka_unit_test(test_places_and_options),
		cmocka_unit_test(test_corridors),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_reports),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
