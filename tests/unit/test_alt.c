/* test_alt.c: alternatives and Pareto fronts against brute force on small random multimodal
 * networks: every route (a loopless walk from an origin virtual node to the first destination
 * virtual node it reaches) is enumerated, and Yen's k shortest, the overlap rule and the exact
 * Pareto front are checked against that list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_alt.h"
#include "meridian/mr_net.h"

static uint64_t rng;
static uint32_t next_u32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}
static double uniform(double a, double b)
{
	return a + (b - a) * (double)(next_u32() % 1000000) / 1e6;
}

/* n nodes; rail and road links between random pairs, each mode with its own tariff (rail cheap
 * and slow and clean, road dear and fast and dirty), transfers road<->rail everywhere. */
static void make_net(mr_src *src, uint32_t n, uint32_t nlinks)
{
	uint32_t i;
	memset(src, 0, sizeof(*src));
	for (i = 0; i < n; i++) {
		mr_src_node nd;
		char id[16];
		memset(&nd, 0, sizeof(nd));
		snprintf(id, sizeof(id), "n%u", i);
		nd.id = id;
		nd.type = "city";
		nd.lon = uniform(40, 50);
		nd.lat = uniform(40, 45);
		assert_int_equal(mr_src_add_node(src, &nd, NULL), MR_OK);
	}
	for (i = 0; i < nlinks; i++) {
		mr_src_link l;
		char id[24];
		memset(&l, 0, sizeof(l));
		l.from = next_u32() % n;
		do
			l.to = next_u32() % n;
		while (l.to == l.from);
		l.mode = (next_u32() % 2) ? MR_MODE_RAIL : MR_MODE_ROAD;
		l.gauge_mm = l.mode == MR_MODE_RAIL ? 1520 : 0;
		l.length_km = uniform(50, 400);
		l.status = MR_STATUS_OPEN;
		l.directed = next_u32() % 4 == 0;
		if (next_u32() % 3 == 0)
			l.free_speed_kmh = uniform(20, 90);
		snprintf(id, sizeof(id), "l%u", i);
		l.id = id;
		assert_int_equal(mr_src_add_link(src, &l, NULL), MR_OK);
	}
	{
		mr_src_tariff t;
		memset(&t, 0, sizeof(t));
		t.mode = MR_MODE_RAIL;
		t.usd_per_teu_km = 0.5;
		t.fixed_usd = 100;
		t.co2e_kg_per_teu_km = 0.2;
		t.speed_kmh = 40;
		assert_int_equal(mr_src_add_tariff(src, &t), MR_OK);
		t.mode = MR_MODE_ROAD;
		t.usd_per_teu_km = 1.2;
		t.fixed_usd = 30;
		t.co2e_kg_per_teu_km = 0.9;
		t.speed_kmh = 60;
		assert_int_equal(mr_src_add_tariff(src, &t), MR_OK);
	}
	{
		mr_src_transfer t;
		memset(&t, 0, sizeof(t));
		t.node = MR_NONE;
		t.from_mode = MR_MODE_RAIL;
		t.to_mode = MR_MODE_ROAD;
		t.from_gauge_mm = 1520;
		t.time_h = 6;
		t.cost_usd = 40;
		t.co2e_kg = 2;
		assert_int_equal(mr_src_add_transfer(src, &t), MR_OK);
	}
}

typedef struct bf_route {
	double v[3];      /* cost, time, co2e */
	double objective; /* cost + vot x time, the router's generalized objective */
} bf_route;

typedef struct bf {
	const mr_net *net;
	uint32_t to;
	double vot;
	bf_route *r;
	size_t n, cap;
	uint32_t *onpath; /* per real node: on the current walk */
	uint8_t *onv;     /* per virtual node: on the current walk */
} bf;

static void dfs(bf *b, uint32_t v, double c, double t, double e)
{
	const mr_net *net = b->net;
	uint32_t node = net->vnodes[v].node, a;
	if (node == b->to) { /* the first destination virtual node reached ends the route */
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 256;
			b->r = realloc(b->r, b->cap * sizeof(bf_route));
			assert_non_null(b->r);
		}
		b->r[b->n].v[0] = c;
		b->r[b->n].v[1] = t;
		b->r[b->n].v[2] = e;
		b->r[b->n].objective = c + b->vot * t;
		b->n++;
		return;
	}
	for (a = net->g.first_out[v]; a < net->g.first_out[v + 1]; a++) {
		const mr_arc_rec *arc = &net->arcs[a];
		uint32_t h = net->g.head[a], hn = net->vnodes[h].node;
		if (arc->status != MR_STATUS_OPEN)
			continue;
		if ((hn != node && b->onpath[hn]) || b->onv[h])
			continue; /* a real node twice (transfers at one node aside), or a virtual node twice */
		b->onpath[hn]++;
		b->onv[h] = 1;
		dfs(b, h, c + arc->cost_usd, t + arc->time_h, e + arc->co2e_kg);
		b->onv[h] = 0;
		b->onpath[hn]--;
	}
}

static void enumerate(bf *b, const mr_net *net, uint32_t from, uint32_t to, double vot)
{
	const mr_node_rec *f = &net->nodes[from];
	uint32_t v;
	memset(b, 0, sizeof(*b));
	b->net = net;
	b->to = to;
	b->vot = vot;
	b->onpath = calloc(net->meta.nnodes, sizeof(uint32_t));
	b->onv = calloc(net->meta.nvnodes + 1, 1);
	assert_non_null(b->onpath);
	assert_non_null(b->onv);
	b->onpath[from] = 1;
	for (v = f->first_vnode; v < f->first_vnode + f->nvnodes; v++) {
		b->onv[v] = 1;
		dfs(b, v, net->vnodes[v].fixed_usd, 0, 0);
		b->onv[v] = 0;
	}
	free(b->onpath);
	free(b->onv);
}

static int cmp_obj(const void *x, const void *y)
{
	double a = ((const bf_route *)x)->objective, b = ((const bf_route *)y)->objective;
	return a < b ? -1 : a > b;
}

/* the search's resolution: USD 0.5, 0.05 h, 0.5 kg */
static const double res[3] = {0.5, 0.05, 0.5};

static int dominated(const double *a, const double *b) /* b dominates a (or equals it) */
{
	return b[0] <= a[0] + res[0] && b[1] <= a[1] + res[1] && b[2] <= a[2] + res[2];
}

static int close_vec(const double *a, const double *b)
{
	int k;
	for (k = 0; k < 3; k++)
		if (fabs(a[k] - b[k]) > res[k])
			return 0;
	return 1;
}

/* ---- k shortest loopless routes = brute force order (overlap unrestricted) ---- */
static void test_yen_brute(void **state)
{
	int inst, checked = 0;
	(void)state;
	rng = 0x9e3779b97f4a7c15ull;
	for (inst = 0; inst < 60; inst++) {
		mr_src src;
		mr_net net;
		mr_router *r;
		mr_error e;
		mr_route_opts o;
		mr_alt_opts ao;
		mr_alt alts[8];
		size_t n = 0, i;
		bf b;
		uint32_t from, to;
		make_net(&src, 6 + next_u32() % 3, 10 + next_u32() % 6);
		mr_error_clear(&e);
		assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
		from = next_u32() % net.meta.nnodes;
		to = (from + 1 + next_u32() % (net.meta.nnodes - 1)) % net.meta.nnodes;
		if (!net.nodes[from].nvnodes || !net.nodes[to].nvnodes)
			goto next;
		assert_int_equal(mr_router_new(&r, &net), MR_OK);
		mr_route_opts_default(&o);
		mr_alt_opts_default(&ao);
		ao.k = 6;
		ao.max_overlap = 1.0;
		ao.max_paths = 100000;
		enumerate(&b, &net, from, to, o.vot_usd_per_h);
		if (b.n)
			qsort(b.r, b.n, sizeof(bf_route), cmp_obj);
		{
			int rc = mr_router_alternatives(r, from, to, &o, &ao, alts, &n, &e);
			if (b.n == 0) {
				assert_int_equal(rc, MR_ENOROUTE);
			} else {
				assert_int_equal(rc, MR_OK);
				assert_int_equal(n, b.n < ao.k ? b.n : ao.k);
				for (i = 0; i < n; i++) {
					double want = b.r[i].objective, got = alts[i].route.objective_value;
					if (fabs(want - got) > 1e-6 * fmax(1.0, want))
						fail_msg("instance %d: route %zu costs %.6f, brute force %.6f", inst, i, got, want);
					assert_false(alts[i].by_penalty);
					mr_route_free(&alts[i].route);
				}
				checked++;
			}
		}
		free(b.r);
		mr_router_free(r);
	next:
		mr_net_free(&net);
		mr_src_free(&src);
	}
	assert_true(checked >= 30);
}

/* ---- the overlap rule holds for every returned pair ---- */
static void test_overlap_rule(void **state)
{
	int inst, pairs = 0;
	(void)state;
	rng = 0x1234567ull;
	for (inst = 0; inst < 60; inst++) {
		mr_src src;
		mr_net net;
		mr_router *r;
		mr_error e;
		mr_route_opts o;
		mr_alt_opts ao;
		mr_alt alts[8];
		size_t n = 0, i, j;
		uint32_t from, to;
		make_net(&src, 7, 16);
		mr_error_clear(&e);
		assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
		from = 0;
		to = 1 + next_u32() % 6;
		assert_int_equal(mr_router_new(&r, &net), MR_OK);
		mr_route_opts_default(&o);
		mr_alt_opts_default(&ao);
		ao.k = 4;
		ao.max_overlap = 0.5;
		ao.max_paths = 10 + next_u32() % 30; /* small: the penalty search gets its turn too */
		if (net.nodes[from].nvnodes && net.nodes[to].nvnodes &&
		    mr_router_alternatives(r, from, to, &o, &ao, alts, &n, &e) == MR_OK) {
			for (i = 0; i < n; i++) {
				for (j = 0; j < i; j++) {
					double x = mr_route_overlap(&net, &alts[i].route, &alts[j].route);
					if (x > ao.max_overlap + 1e-9)
						fail_msg("instance %d: routes %zu and %zu overlap %.3f", inst, i, j, x);
					pairs++;
				}
				/* Yen's routes come in order of the objective */
				if (i && !alts[i].by_penalty)
					assert_true(alts[i].route.objective_value >= alts[i - 1].route.objective_value - 1e-9);
			}
			for (i = 0; i < n; i++)
				mr_route_free(&alts[i].route);
		}
		mr_router_free(r);
		mr_net_free(&net);
		mr_src_free(&src);
	}
	assert_true(pairs > 20);
}

/* ---- the Pareto front = the brute-force nondominated set ---- */
static void test_pareto_brute(void **state)
{
	int inst, checked = 0, nontrivial = 0;
	(void)state;
	rng = 0xdeadbeefull;
	for (inst = 0; inst < 80; inst++) {
		mr_src src;
		mr_net net;
		mr_router *r;
		mr_error e;
		mr_route_opts o;
		mr_pareto_opts po;
		mr_pareto P;
		bf b;
		size_t i, j, nfront = 0;
		double (*front)[3];
		uint32_t from, to;
		int rc;
		make_net(&src, 6 + next_u32() % 3, 12 + next_u32() % 6);
		mr_error_clear(&e);
		assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
		from = next_u32() % net.meta.nnodes;
		to = (from + 1 + next_u32() % (net.meta.nnodes - 1)) % net.meta.nnodes;
		if (!net.nodes[from].nvnodes || !net.nodes[to].nvnodes)
			goto next;
		assert_int_equal(mr_router_new(&r, &net), MR_OK);
		mr_route_opts_default(&o);
		mr_pareto_opts_default(&po);
		enumerate(&b, &net, from, to, o.vot_usd_per_h);
		front = calloc(b.n + 1, sizeof(*front));
		for (i = 0; i < b.n; i++) { /* nondominated, distinct vectors */
			int dom = 0;
			for (j = 0; j < b.n && !dom; j++)
				dom = j != i && dominated(b.r[i].v, b.r[j].v) && !close_vec(b.r[i].v, b.r[j].v);
			for (j = 0; j < nfront && !dom; j++)
				dom = close_vec(front[j], b.r[i].v);
			if (!dom)
				memcpy(front[nfront++], b.r[i].v, sizeof(front[0]));
		}
		rc = mr_router_pareto(r, from, to, &o, &po, &P, &e);
		if (!b.n) {
			assert_int_equal(rc, MR_ENOROUTE);
		} else {
			assert_int_equal(rc, MR_OK);
			if (P.n != nfront)
				fail_msg("instance %d: front of %zu, brute force %zu", inst, P.n, nfront);
			for (i = 0; i < P.n; i++) {
				int found = 0;
				for (j = 0; j < nfront && !found; j++)
					found = close_vec(P.v[i].value, front[j]);
				if (!found)
					fail_msg("instance %d: point (%.3f, %.3f, %.3f) is not Pareto-optimal", inst, P.v[i].value[0],
					         P.v[i].value[1], P.v[i].value[2]);
				/* the route's own figures agree with its vector */
				assert_true(fabs(P.v[i].route.cost_usd - P.v[i].value[0]) < 1e-3 * fmax(1, P.v[i].value[0]));
				assert_true(fabs(P.v[i].route.duration_h - P.v[i].value[1]) < 1e-3 * fmax(1, P.v[i].value[1]));
				if (i)
					assert_true(P.v[i].value[0] >= P.v[i - 1].value[0]);
			}
			nontrivial += P.n > 1;
			checked++;
			/* epsilon-dominance: a thinner front that still covers every exact point */
			{
				mr_pareto Q;
				po.eps = 0.05;
				assert_int_equal(mr_router_pareto(r, from, to, &o, &po, &Q, &e), MR_OK);
				assert_true(Q.n <= P.n && Q.n >= 1);
				for (j = 0; j < nfront; j++) {
					int covered = 0;
					for (i = 0; i < Q.n && !covered; i++)
						covered = Q.v[i].value[0] <= front[j][0] * 1.05 + 1e-6 && Q.v[i].value[1] <= front[j][1] * 1.05 + 1e-6 &&
						          Q.v[i].value[2] <= front[j][2] * 1.05 + 1e-6;
					if (!covered)
						fail_msg("instance %d: eps front misses a point", inst);
				}
				mr_pareto_free(&Q);
			}
			mr_pareto_free(&P);
		}
		free(front);
		free(b.r);
		mr_router_free(r);
	next:
		mr_net_free(&net);
		mr_src_free(&src);
	}
	assert_true(checked >= 40);
	assert_true(nontrivial >= 10);
}

/* ---- the label limit stops the search and says so ---- */
static void test_label_limit(void **state)
{
	mr_src src;
	mr_net net;
	mr_router *r;
	mr_error e;
	mr_route_opts o;
	mr_pareto_opts po;
	mr_pareto P;
	int rc;
	(void)state;
	rng = 42;
	make_net(&src, 8, 24);
	mr_error_clear(&e);
	assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	mr_route_opts_default(&o);
	mr_pareto_opts_default(&po);
	po.max_labels = 3;
	rc = mr_router_pareto(r, 0, 7, &o, &po, &P, &e);
	assert_true(rc == MR_OK || rc == MR_ENOROUTE || rc == MR_ELIMIT);
	if (rc == MR_ELIMIT)
		assert_string_equal(e.field, "max_labels");
	if (rc == MR_OK) {
		assert_true(P.truncated);
		mr_pareto_free(&P);
	}
	po.max_labels = 0;
	assert_int_equal(mr_router_pareto(r, 0, 7, &o, &po, &P, &e), MR_EINVAL);
	mr_pareto_opts_default(&po);
	po.criteria = 1u << MR_CRIT_COST;
	assert_int_equal(mr_router_pareto(r, 0, 7, &o, &po, &P, &e), MR_EINVAL);
	mr_router_free(r);
	mr_net_free(&net);
	mr_src_free(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yen_brute),
		cmocka_unit_test(test_overlap_rule),
		cmocka_unit_test(test_pareto_brute),
		cmocka_unit_test(test_label_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
