/* test_route.c: the router on the fixture network: algorithms agree, routes are real paths whose
 * figures add up, filters hold, and vias are exact (checked against one-to-all Dijkstra). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_ch.h"
#include "meridian/mr_route.h"
#include "meridian/mr_search.h"

static mr_net net;
static mr_router *router;

static int setup(void **state)
{
	mr_src src;
	mr_error e;
	(void)state;
	memset(&src, 0, sizeof(src));
	if (mr_csvnet_read(MR_SOURCE_DIR "/tests/fixtures/mini", &src, NULL, NULL, NULL, &e))
		return -1;
	if (mr_net_build(&src, &net, &e))
		return -1;
	mr_src_free(&src);
	return mr_router_new(&router, &net);
}

static int teardown(void **state)
{
	(void)state;
	mr_router_free(router);
	mr_net_free(&net);
	return 0;
}

static double metric(const mr_arc_rec *a, int obj, double vot)
{
	switch (obj) {
	case MR_BY_DISTANCE: return a->distance_km;
	case MR_BY_TIME: return a->time_h;
	case MR_BY_COST: return a->cost_usd;
	case MR_BY_CO2E: return a->co2e_kg;
	default: return a->cost_usd + vot * a->time_h;
	}
}

static int close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-6 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The arcs are a path from a virtual node of `from` to one of `to`, and its objective value
 * (with the first leg's fee) is the one reported. */
static void check_path(const mr_route *r, uint32_t from, uint32_t to, const mr_route_opts *o)
{
	uint32_t v = r->first_vnode, i;
	double sum = (o->objective == MR_BY_COST || o->objective == MR_BY_GENERALIZED) ? net.vnodes[v].fixed_usd : 0;
	double legs = 0;
	assert_int_equal(net.vnodes[v].node, from);
	for (i = 0; i < r->narcs; i++) {
		uint32_t a = r->arcs[i];
		assert_true(a >= net.g.first_out[v] && a < net.g.first_out[v + 1]);
		assert_true(net.arcs[a].status == MR_STATUS_OPEN || net.arcs[a].status == MR_STATUS_RESTRICTED ||
		            (o->allow_planned && net.arcs[a].status == MR_STATUS_PLANNED));
		sum += metric(&net.arcs[a], o->objective, o->vot_usd_per_h);
		v = net.g.head[a];
	}
	assert_int_equal(net.vnodes[v].node, to);
	if (!close_enough(sum, r->objective_value))
		fail_msg("path sums to %.9g, route says %.9g", sum, r->objective_value);
	for (i = 0; i < r->nlegs; i++)
		legs += r->legs[i].distance_km;
	assert_true(close_enough(legs, r->distance_km));
}

static void test_algorithms_agree(void **state)
{
	uint32_t a, b;
	int obj, planned, alg;
	size_t routes = 0, noroute = 0;
	(void)state;
	for (obj = 0; obj < MR_BY_COUNT; obj++)
		for (planned = 0; planned < 2; planned++) {
			/* a contraction hierarchy for these options, on a router of its own */
			mr_router *rch;
			mr_ch *ch;
			mr_route_opts co;
			const double *w;
			mr_error ce;
			mr_route_opts_default(&co);
			co.objective = obj;
			co.allow_planned = planned;
			assert_int_equal(mr_router_new(&rch, &net), MR_OK);
			assert_int_equal(mr_router_weights(rch, &co, &w, &ce), MR_OK);
			assert_int_equal(mr_ch_build(&net.g, w, NULL, &ch, &ce), MR_OK);
			assert_int_equal(mr_router_set_ch(rch, &co, ch), MR_OK);
			for (a = 0; a < net.meta.nnodes; a++)
				for (b = 0; b < net.meta.nnodes; b++) {
					double ref = NAN;
					int ref_rc = 0;
					if (a == b)
						continue;
					for (alg = MR_ALGO_DIJKSTRA; alg < MR_ALGO_COUNT; alg++) {
						mr_route_opts o;
						mr_route r;
						mr_error e;
						uint32_t pl[2] = {a, b};
						int rc;
						mr_route_opts_default(&o);
						o.objective = obj;
						o.allow_planned = planned;
						o.algorithm = alg;
						rc = mr_router_route(alg == MR_ALGO_CH ? rch : router, pl, 2, &o, &r, &e);
						if (alg == MR_ALGO_CH && !rc)
							assert_int_equal(r.algorithm, MR_ALGO_CH);
						if (alg == MR_ALGO_DIJKSTRA) {
							ref_rc = rc;
							ref = rc ? NAN : r.objective_value;
						}
						assert_int_equal(rc, ref_rc);
						if (rc) {
							assert_int_equal(rc, MR_ENOROUTE);
							noroute++;
							continue;
						}
						if (!close_enough(r.objective_value, ref))
							fail_msg("%s %u->%u: %s gives %.9g, dijkstra %.9g", mr_objective_name(obj), a, b,
							         mr_algorithm_name(alg), r.objective_value, ref);
						check_path(&r, a, b, &o);
						routes++;
						mr_route_free(&r);
					}
				}
			mr_router_free(rch);
			mr_ch_free(ch);
		}
	print_message("%zu routes checked, %zu without a route\n", routes, noroute);
	assert_true(routes > 1000);
}

static uint32_t node_by_id(const char *id)
{
	uint32_t i;
	for (i = 0; i < net.meta.nnodes; i++)
		if (strcmp(mr_net_str(&net, net.nodes[i].id), id) == 0 || strcmp(mr_net_str(&net, net.nodes[i].unlocode), id) == 0)
			return i;
	fail_msg("no node %s", id);
	return MR_NONE;
}

/* Exact via by brute force, for the distance objective: min over the via's virtual nodes x of
 * d(from, x) + d(x, to), with one-to-all Dijkstra. */
static void test_via_exact(void **state)
{
	mr_search *s;
	double *w = malloc(net.g.m * sizeof(double));
	uint32_t a, v, b, x, i, checked = 0;
	(void)state;
	assert_int_equal(mr_search_new(&s, net.g.n, net.g.m), MR_OK);
	for (i = 0; i < net.g.m; i++)
		w[i] = net.arcs[i].status == MR_STATUS_OPEN ? net.arcs[i].distance_km : INFINITY;
	for (a = 0; a < net.meta.nnodes; a += 3)
		for (v = 1; v < net.meta.nnodes; v += 4)
			for (b = 2; b < net.meta.nnodes; b += 3) {
				double best = INFINITY;
				const mr_node_rec *na = &net.nodes[a], *nv = &net.nodes[v], *nb = &net.nodes[b];
				mr_seed src[8], dst[8];
				mr_path p;
				uint32_t ns = 0, nd = 0;
				mr_route_opts o;
				mr_route r;
				mr_error e;
				uint32_t pl[3] = {a, v, b};
				int rc;
				if (a == v || v == b || a == b)
					continue;
				for (i = 0; i < na->nvnodes; i++)
					src[ns++] = (mr_seed){na->first_vnode + i, 0};
				for (i = 0; i < nb->nvnodes; i++)
					dst[nd++] = (mr_seed){nb->first_vnode + i, 0};
				for (x = nv->first_vnode; x < nv->first_vnode + nv->nvnodes; x++) {
					mr_seed sx = {x, 0};
					double d1, d2;
					if (mr_dijkstra(s, &net.g, w, src, ns, &sx, 1, &p))
						continue;
					d1 = p.cost;
					if (mr_dijkstra(s, &net.g, w, &sx, 1, dst, nd, &p))
						continue;
					d2 = p.cost;
					best = fmin(best, d1 + d2);
				}
				mr_route_opts_default(&o);
				o.objective = MR_BY_DISTANCE;
				rc = mr_router_route(router, pl, 3, &o, &r, &e);
				if (isinf(best)) {
					assert_int_equal(rc, MR_ENOROUTE);
					continue;
				}
				assert_int_equal(rc, MR_OK);
				if (!close_enough(r.objective_value, best))
					fail_msg("via %u->%u->%u: router %.9g, brute force %.9g", a, v, b, r.objective_value, best);
				check_path(&r, a, b, &o);
				/* The route passes the via. */
				{
					size_t k;
					int seen = 0;
					for (k = 0; k < r.nnodes; k++)
						seen |= r.nodes[k] == v;
					assert_true(seen);
				}
				checked++;
				mr_route_free(&r);
			}
	print_message("%u via routes checked\n", checked);
	assert_true(checked > 20);
	free(w);
	mr_search_free(s);
}

static void route_ok(const char *from, const char *to, mr_route_opts *o, mr_route *r)
{
	uint32_t pl[2] = {node_by_id(from), node_by_id(to)};
	mr_error e;
	int rc = mr_router_route(router, pl, 2, o, r, &e);
	if (rc)
		fail_msg("%s -> %s: %s", from, to, e.msg);
}

static int has_passage(const mr_route *r, const char *p)
{
	size_t i;
	for (i = 0; i < r->npassages; i++)
		if (strcmp(mr_net_str(&net, r->passages[i]), p) == 0)
			return 1;
	return 0;
}

static int has_country(const mr_route *r, const char *c)
{
	size_t i;
	for (i = 0; i < r->ncountries; i++)
		if (strcmp(r->countries[i], c) == 0)
			return 1;
	return 0;
}

static void test_filters(void **state)
{
	mr_route_opts o;
	mr_route r;
	mr_error e;
	const char *avoid_suez[] = {"suez"}, *avoid_irn[] = {"irn"}, *avoid_bad[] = {"atlantis"};
	uint32_t pl[2];
	size_t i;
	(void)state;
	mr_route_opts_default(&o);
	o.objective = MR_BY_DISTANCE;
	route_ok("INNSA", "RUMOW", &o, &r);
	assert_true(has_country(&r, "IRN"));
	mr_route_free(&r);

	o.avoid = avoid_irn;
	o.navoid = 1;
	route_ok("INNSA", "RUMOW", &o, &r);
	assert_false(has_country(&r, "IRN"));
	assert_true(has_passage(&r, "suez"));
	mr_route_free(&r);

	o.avoid = avoid_suez;
	route_ok("INNSA", "RUMOW", &o, &r);
	assert_false(has_passage(&r, "suez"));
	mr_route_free(&r);

	/* Modes: only sea and rail legs. */
	o.navoid = 0;
	o.mode_mask = 1u << MR_MODE_SEA | 1u << MR_MODE_RAIL | 1u << MR_MODE_FERRY;
	route_ok("INNSA", "RUMOW", &o, &r);
	for (i = 0; i < r.nlegs; i++)
		assert_true(r.legs[i].mode == MR_MODE_SEA || r.legs[i].mode == MR_MODE_RAIL || r.legs[i].mode == MR_MODE_FERRY);
	mr_route_free(&r);

	/* TEU scaling: cost and CO2e scale, distance and time do not. */
	{
		mr_route r1, r3;
		mr_route_opts_default(&o);
		route_ok("INNSA", "RUMOW", &o, &r1);
		o.teu = 3;
		route_ok("INNSA", "RUMOW", &o, &r3);
		assert_true(close_enough(r3.cost_usd, 3 * r1.cost_usd));
		assert_true(close_enough(r3.co2e_kg, 3 * r1.co2e_kg));
		assert_true(close_enough(r3.distance_km, r1.distance_km));
		assert_true(close_enough(r3.duration_h, r1.duration_h));
		mr_route_free(&r1);
		mr_route_free(&r3);
	}

	/* Unknown avoid item, bad options. */
	mr_route_opts_default(&o);
	o.avoid = avoid_bad;
	o.navoid = 1;
	pl[0] = node_by_id("INNSA");
	pl[1] = node_by_id("RUMOW");
	assert_int_equal(mr_router_route(router, pl, 2, &o, &r, &e), MR_ENOTFOUND);
	assert_string_equal(e.field, "avoid");
	mr_route_opts_default(&o);
	o.teu = -1;
	assert_int_equal(mr_router_route(router, pl, 2, &o, &r, &e), MR_EINVAL);
	mr_route_opts_default(&o);
	pl[1] = 999999;
	assert_int_equal(mr_router_route(router, pl, 2, &o, &r, &e), MR_EINVAL);

	/* Same place: an empty route. */
	mr_route_opts_default(&o);
	pl[1] = pl[0];
	assert_int_equal(mr_router_route(router, pl, 2, &o, &r, &e), MR_OK);
	assert_int_equal(r.narcs, 0);
	assert_true(r.distance_km == 0);
	mr_route_free(&r);
}

/* Allocation failures anywhere in a route query end in MR_ENOMEM, never a crash or a leak (the
 * sanitizer build checks the leaks). */
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
	uint32_t pl[3] = {node_by_id("INNSA"), node_by_id("AZBAK"), node_by_id("RUMOW")};
	int failures = 0;
	(void)state;
	for (fail_at = 0; fail_at < 200; fail_at++) {
		mr_router *r2 = NULL;
		mr_route r;
		mr_route_opts o;
		mr_error e;
		int rc;
		count = 0;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_router_new(&r2, &net);
		if (rc == MR_OK) {
			mr_route_opts_default(&o);
			rc = mr_router_route(r2, pl, 3, &o, &r, &e);
			if (rc == MR_OK)
				mr_route_free(&r);
		}
		mr_router_free(r2);
		mr_set_allocator(NULL, NULL);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		failures++;
	}
	assert_true(failures > 3);
	assert_true(fail_at < 200);
}

/* Lane chains: the same random lane network built with node_type "sea" (inner vertices are
 * compressed into chain arcs) and with another type (nothing compressed) must give the same
 * routes, node for node, between every pair of places that survive compression. */
static void make_lanes(mr_src *src, const char *type, uint64_t seed)
{
	uint32_t i, n = 60;
	memset(src, 0, sizeof(*src));
	for (i = 0; i < n; i++) {
		mr_src_node nd;
		char id[16];
		memset(&nd, 0, sizeof(nd));
		snprintf(id, sizeof(id), "v%u", i);
		nd.id = id;
		nd.type = (i % 10 == 0) ? "port" : (char *)type;
		nd.lon = 10.0 * cos(i * 0.1047) + (double)(seed % 7) * 0.01;
		nd.lat = 10.0 * sin(i * 0.1047);
		assert_int_equal(mr_src_add_node(src, &nd, NULL), MR_OK);
	}
	for (i = 0; i < n; i++) { /* a ring, some chords, one directed link and one passage */
		mr_src_link l;
		char id[24];
		uint32_t j = (i + 1) % n;
		memset(&l, 0, sizeof(l));
		l.mode = MR_MODE_SEA;
		l.from = i;
		l.to = j;
		l.length_km = 60 + sqrt((double)i + 2.0 + (double)(seed % 5)) * 3.1; /* no two paths tie */
		l.free_speed_kmh = 30;
		l.status = MR_STATUS_OPEN;
		l.passage = (i >= 20 && i < 24) ? "strait-x" : "";
		snprintf(id, sizeof(id), "r%u", i);
		l.id = id;
		assert_int_equal(mr_src_add_link(src, &l, NULL), MR_OK);
		if (i % 13 == 5) {
			l.to = (i + 29) % n;
			l.length_km = 900;
			l.directed = i == 5;
			snprintf(id, sizeof(id), "c%u", i);
			assert_int_equal(mr_src_add_link(src, &l, NULL), MR_OK);
		}
	}
	{
		mr_src_tariff t;
		memset(&t, 0, sizeof(t));
		t.mode = MR_MODE_SEA;
		t.usd_per_teu_km = 0.1;
		t.speed_kmh = 30;
		assert_int_equal(mr_src_add_tariff(src, &t), MR_OK);
	}
}

static void test_chains(void **state)
{
	mr_src a, b;
	mr_net na, nb;
	mr_router *ra, *rb;
	mr_error e;
	uint32_t i, j, checked = 0;
	const char *avoid[] = {"strait-x"};
	(void)state;
	make_lanes(&a, "sea", 12345);
	make_lanes(&b, "waypoint", 12345);
	assert_int_equal(mr_net_build(&a, &na, &e), MR_OK);
	assert_int_equal(mr_net_build(&b, &nb, &e), MR_OK);
	assert_true(na.meta.nchains > 0);
	assert_true(na.meta.nvnodes < nb.meta.nvnodes);
	assert_int_equal(nb.meta.nchains, 0);
	assert_int_equal(mr_router_new(&ra, &na), MR_OK);
	assert_int_equal(mr_router_new(&rb, &nb), MR_OK);
	for (i = 0; i < na.meta.nnodes; i++)
		for (j = 0; j < na.meta.nnodes; j++) {
			int k;
			if (i == j || !na.nodes[i].nvnodes || !na.nodes[j].nvnodes)
				continue;
			for (k = 0; k < 3; k++) {
				mr_route_opts o;
				mr_route x, y;
				uint32_t pl[2] = {i, j};
				int rx, ry;
				size_t q;
				mr_route_opts_default(&o);
				o.objective = k == 0 ? MR_BY_DISTANCE : MR_BY_TIME;
				if (k == 2) {
					o.avoid = avoid;
					o.navoid = 1;
					o.sea_speed_kmh = 20;
				}
				rx = mr_router_route(ra, pl, 2, &o, &x, &e);
				ry = mr_router_route(rb, pl, 2, &o, &y, &e);
				assert_int_equal(rx, ry);
				if (rx)
					continue;
				if (!close_enough(x.distance_km, y.distance_km) || !close_enough(x.duration_h, y.duration_h) ||
				    !close_enough(x.cost_usd, y.cost_usd))
					fail_msg("%u -> %u: compressed %.6f km %.6f h, plain %.6f km %.6f h", i, j, x.distance_km,
					         x.duration_h, y.distance_km, y.duration_h);
				assert_int_equal(x.nnodes, y.nnodes);
				for (q = 0; q < x.nnodes; q++)
					assert_int_equal(x.nodes[q], y.nodes[q]);
				assert_int_equal(x.npassages, y.npassages);
				assert_int_equal(x.nlegs, y.nlegs);
				assert_int_equal(x.legs[0].nnodes, y.legs[0].nnodes);
				checked++;
				mr_route_free(&x);
				mr_route_free(&y);
			}
		}
	print_message("%u routes equal with and without lane compression (%u of %u virtual nodes kept)\n", checked,
	              na.meta.nvnodes, nb.meta.nvnodes);
	assert_true(checked > 20);
	mr_router_free(ra);
	mr_router_free(rb);
	mr_net_free(&na);
	mr_net_free(&nb);
	mr_src_free(&a);
	mr_src_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_algorithms_agree),
		cmocka_unit_test(test_via_exact),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_chains),
	};
	return cmocka_run_group_tests_name("route", tests, setup, teardown);
}
