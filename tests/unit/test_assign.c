/* test_assign.c: traffic assignment (mr_assign.h): volume-delay functions against numerical
 * derivatives and integrals; the demand builder; all-or-nothing against path enumeration on random
 * networks; Braess's paradox; the Frank-Wolfe family's monotone objective; Algorithm B and MSA
 * against the published best-known flows of SiouxFalls, Anaheim and Barcelona (../shared/data,
 * skipped when absent); no route through a zone; two simulated MPI ranks (threads and a
 * barrier-based allreduce) against one process; warm starts (bush files, initial flows) and
 * damaged bush files; malformed TNTP files (file, line, column, field); stop rules and bad
 * arguments; allocation failures (MR_ENOMEM, nothing leaked). Shared-capacity groups: a group over
 * two parallel links against one feeder link of the group's capacity; the objective's gradient
 * against finite differences and the solver's own figures on random networks with groups;
 * Algorithm B against BFW with groups; monotone FW family, two simulated ranks and allocation
 * failures with groups; one origin's flows (mr_assign_origin_flows). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meridian/mr_assign.h"

#define DATA MR_SOURCE_DIR "/../shared/data/tntp"

/* ---- helpers ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint32_t rng_below(uint32_t k) { return (uint32_t)(rng_next() % k); }
static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(tpath(name), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int have_data(const char *net)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s/%s_net.tntp", DATA, net, net);
	return access(p, R_OK) == 0;
}

/* Read a shared TNTP network and its trips (the test fails if they are there but unreadable). */
static void load_shared(const char *name, mr_assign_net *net, mr_assign_demand *d)
{
	char np[1024], tp[1024], buf[800];
	mr_error e;
	int rc;
	snprintf(np, sizeof(np), "%s/%s/%s_net.tntp", DATA, name, name);
	snprintf(tp, sizeof(tp), "%s/%s/%s_trips.tntp", DATA, name, name);
	rc = mr_assign_read_net(np, net, &e);
	if (rc == MR_OK)
		rc = mr_assign_read_trips(tp, net->zones, d, &e);
	if (rc != MR_OK) {
		mr_error_format(&e, buf, sizeof(buf));
		fail_msg("%s: %s", name, buf);
	}
}

/* A grid of w x h junctions (bidirectional BPR links) and z zones, zone k joined both ways to a
 * junction by connectors; zones may not be passed through; random demand between zones. */
static void make_grid(mr_assign_net *net, mr_assign_demand *dem, uint32_t w, uint32_t h, uint32_t z, uint64_t seed,
                      double demand_scale)
{
	uint32_t x, y, k, nl = 0, m = 2 * ((w - 1) * h + (h - 1) * w) + 2 * z, n = z + w * h;
	uint32_t *o, *d, np = 0;
	double *q;
	rng_state = seed;
	assert_int_equal(mr_assign_net_init(net, n, z, z, m), MR_OK);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			uint32_t v = z + y * w + x, dir;
			for (dir = 0; dir < 2; dir++) {
				uint32_t u;
				if (dir == 0 && x + 1 < w)
					u = v + 1;
				else if (dir == 1 && y + 1 < h)
					u = v + w;
				else
					continue;
				for (k = 0; k < 2; k++) {
					mr_assign_link *l = &net->links[nl++];
					l->tail = k ? u : v;
					l->head = k ? v : u;
					l->fft = 1 + 4 * rng_unit();
					l->capacity = 300 + 900 * rng_unit();
					l->alpha = 0.15;
					l->beta = 4;
					l->length = l->fft;
					l->vdf = MR_VDF_BPR;
				}
			}
		}
	for (k = 0; k < z; k++) {
		uint32_t j = z + rng_below(w * h), t;
		for (t = 0; t < 2; t++) {
			mr_assign_link *l = &net->links[nl++];
			l->tail = t ? j : k;
			l->head = t ? k : j;
			l->fft = 0.5;
			l->capacity = 5000;
			l->alpha = 0.15;
			l->beta = 4;
			l->vdf = MR_VDF_BPR;
		}
	}
	assert_int_equal(nl, m);
	o = calloc((size_t)z * z, sizeof(uint32_t));
	d = calloc((size_t)z * z, sizeof(uint32_t));
	q = calloc((size_t)z * z, sizeof(double));
	for (x = 0; x < z; x++)
		for (y = 0; y < z; y++)
			if (x != y && rng_below(4)) {
				o[np] = x;
				d[np] = y;
				q[np] = demand_scale * (50 + 200 * rng_unit());
				np++;
			}
	assert_int_equal(mr_assign_demand_build(dem, z, np, o, d, q, NULL), MR_OK);
	free(o);
	free(d);
	free(q);
}

/* Give a network (from make_grid, nconn connector links at the end) ng random groups: either a
 * third of the links in random groups, or (border_like) both directions of a quarter of the
 * junction links, whose own cost becomes constant (alpha 0), like the arcs of a border crossing. */
static void add_groups(mr_assign_net *net, uint32_t ng, int border_like, uint32_t nconn, uint64_t seed)
{
	uint32_t i;
	rng_state = seed;
	assert_int_equal(mr_assign_net_groups(net, ng), MR_OK);
	for (i = 0; i < ng; i++) {
		mr_assign_group *g = &net->groups[i];
		g->fft = 2 + 3 * rng_unit();
		g->capacity = 400 + 1000 * rng_unit();
		g->alpha = 0.5;
		g->beta = 4;
	}
	if (border_like) {
		for (i = 0; i + 1 < net->nlinks - nconn; i += 2) /* make_grid: the two directions are adjacent */
			if (rng_below(4) == 0) {
				net->link_group[i] = net->link_group[i + 1] = rng_below(ng);
				net->links[i].alpha = net->links[i + 1].alpha = 0;
			}
	} else {
		for (i = 0; i < net->nlinks; i++)
			if (rng_below(3) == 0)
				net->link_group[i] = rng_below(ng);
	}
}

static void opts(mr_assign_opts *o, int algo, double gap, uint32_t max_iter)
{
	mr_assign_opts_init(o);
	o->algorithm = algo;
	o->gap = gap;
	o->max_iter = max_iter;
}

/* Flow conservation of link flows x for the demand: at every node, in - out = demand in - out. */
static void check_conservation(const mr_assign_net *net, const mr_assign_demand *d, const double *x, double tol)
{
	double *bal = calloc(net->nodes, sizeof(double));
	uint32_t i, o;
	for (i = 0; i < net->nlinks; i++) {
		bal[net->links[i].head] += x[i];
		bal[net->links[i].tail] -= x[i];
	}
	for (o = 0; o < d->zones; o++)
		for (i = d->first[o]; i < d->first[o + 1]; i++) {
			bal[d->dest[i]] -= d->amount[i];
			bal[o] += d->amount[i];
		}
	for (i = 0; i < net->nodes; i++)
		if (fabs(bal[i]) > tol)
			fail_msg("node %u: flow balance %g", i, bal[i]);
	free(bal);
}

/* ---- volume-delay functions ---- */

static void test_vdf(void **state)
{
	mr_assign_link l[4];
	int i;
	(void)state;
	memset(l, 0, sizeof(l));
	l[0] = (mr_assign_link){0, 1, 6, 25900.2, 0.15, 4, 6, 0, MR_VDF_BPR};
	l[1] = (mr_assign_link){0, 1, 1.1, 1, 1.0457e-15, 4.603, 1, 0, MR_VDF_BPR};
	l[2] = (mr_assign_link){0, 1, 3, 1000, 0, 0, 1, 0, MR_VDF_BPR}; /* constant */
	l[3] = (mr_assign_link){0, 1, 2, 800, 0, 4, 1, 0, MR_VDF_CONICAL};
	/* BPR by the formula */
	assert_true(fabs(mr_assign_vdf(&l[0], 25900.2) - 6 * 1.15) < 1e-12);
	assert_true(fabs(mr_assign_vdf(&l[0], 0) - 6) < 1e-15);
	assert_true(fabs(mr_assign_vdf(&l[2], 5000) - 3) < 1e-15);
	/* conical: t(cap) = 2 t0 (the function's defining property), t(0) = t0 */
	assert_true(fabs(mr_assign_vdf(&l[3], 800) - 4) < 1e-12);
	assert_true(fabs(mr_assign_vdf(&l[3], 0) - 2) < 1e-12);
	for (i = 0; i < 4; i++) {
		double xs[3] = {0.3, 1.0, 1.7}, scale = l[i].capacity;
		int j;
		for (j = 0; j < 3; j++) {
			double x = xs[j] * scale, hh = 1e-5 * scale, num, integ = 0;
			int s, ns = 2000;
			num = (mr_assign_vdf(&l[i], x + hh) - mr_assign_vdf(&l[i], x - hh)) / (2 * hh);
			/* the difference quotient is good to about 1e-10 c(x) / hh */
			if (fabs(num - mr_assign_vdf_der(&l[i], x)) > 1e-6 * fabs(num) + 1e-10 * mr_assign_vdf(&l[i], x) / hh)
				fail_msg("link kind %d at %g: derivative %g, numerical %g", i, x, mr_assign_vdf_der(&l[i], x), num);
			for (s = 0; s < ns; s++) { /* Simpson */
				double a = x * s / ns, b = x * (s + 1) / ns;
				integ += (b - a) / 6 * (mr_assign_vdf(&l[i], a) + 4 * mr_assign_vdf(&l[i], (a + b) / 2) +
				                        mr_assign_vdf(&l[i], b));
			}
			if (fabs(integ - mr_assign_vdf_int(&l[i], x)) > 1e-9 * fabs(integ))
				fail_msg("link kind %d at %g: integral %.15g, Simpson %.15g", i, x, mr_assign_vdf_int(&l[i], x), integ);
		}
	}
}

/* ---- demand ---- */

static void test_demand(void **state)
{
	uint32_t o[] = {2, 0, 2, 1, 1, 2, 0}, d[] = {0, 1, 0, 1, 0, 1, 2};
	double q[] = {5, 1, 2.5, 7, 0, 1, 3};
	mr_assign_demand dem;
	mr_error e;
	(void)state;
	assert_int_equal(mr_assign_demand_build(&dem, 3, 7, o, d, q, &e), MR_OK);
	/* 1 -> 1 (self) and 1 -> 0 (zero) dropped; 2 -> 0 added up */
	assert_int_equal(dem.n, 4);
	assert_int_equal(dem.first[0], 0);
	assert_int_equal(dem.first[1], 2);
	assert_int_equal(dem.first[2], 2);
	assert_int_equal(dem.first[3], 4);
	assert_int_equal(dem.dest[0], 1);
	assert_int_equal(dem.dest[1], 2);
	assert_int_equal(dem.dest[2], 0);
	assert_true(dem.amount[2] == 7.5);
	assert_int_equal(dem.dest[3], 1);
	assert_true(dem.total == 1 + 3 + 7.5 + 1);
	mr_assign_demand_free(&dem);
	d[0] = 3;
	assert_int_equal(mr_assign_demand_build(&dem, 3, 7, o, d, q, &e), MR_EINVAL);
	assert_string_equal(e.field, "destination");
	d[0] = 0;
	q[1] = -1;
	assert_int_equal(mr_assign_demand_build(&dem, 3, 7, o, d, q, &e), MR_EINVAL);
	assert_string_equal(e.field, "amount");
	q[1] = NAN;
	assert_int_equal(mr_assign_demand_build(&dem, 3, 7, o, d, q, &e), MR_EINVAL);
}

/* ---- all-or-nothing against path enumeration ---- */

typedef struct enum_ctx {
	const mr_assign_net *net;
	uint32_t origin, dest;
	unsigned char *on;
	uint32_t *path, len, *best, blen;
	double bestc;
	int ties;
} enum_ctx;

static void enum_paths(enum_ctx *c, uint32_t v, double cost)
{
	uint32_t i;
	if (v == c->dest) {
		if (fabs(cost - c->bestc) < 1e-9)
			c->ties = 1;
		if (cost < c->bestc - 1e-9) {
			c->bestc = cost;
			c->ties = 0;
			memcpy(c->best, c->path, c->len * sizeof(uint32_t));
			c->blen = c->len;
		}
		return;
	}
	if (v != c->origin && v < c->net->first_thru)
		return;
	for (i = 0; i < c->net->nlinks; i++) {
		const mr_assign_link *l = &c->net->links[i];
		if (l->tail != v || c->on[l->head])
			continue;
		c->on[l->head] = 1;
		c->path[c->len++] = i;
		enum_paths(c, l->head, cost + l->fft);
		c->len--;
		c->on[l->head] = 0;
	}
}

static void test_aon_bruteforce(void **state)
{
	int trial;
	(void)state;
	for (trial = 0; trial < 40; trial++) {
		mr_assign_net net;
		mr_assign_demand dem;
		mr_assign_opts o;
		mr_assign_result r;
		mr_error e;
		uint32_t z = 2 + (uint32_t)(trial % 3), n = z + 3 + (uint32_t)(trial % 4), m = 0, i, k, org, *oo, *dd, nd = 0;
		double *flow, *qq, sptt = 0;
		enum_ctx c;
		int rc, ok = 1;
		rng_state = 1000 + (uint64_t)trial;
		/* a ring of junctions z..n-1, each zone joined both ways to a junction, random chords;
		 * zones are passable on odd trials only */
		assert_int_equal(mr_assign_net_init(&net, n, z, (uint32_t)(trial % 2) ? 0 : z, 4 * n + 2 * z), MR_OK);
		for (i = z; i < n; i++) {
			uint32_t j = i + 1 < n ? i + 1 : z;
			net.links[m++] = (mr_assign_link){i, j, 1 + 9 * rng_unit(), 100, 0.15, 4, 1, 0, MR_VDF_BPR};
			net.links[m++] = (mr_assign_link){j, i, 1 + 9 * rng_unit(), 100, 0.15, 4, 1, 0, MR_VDF_BPR};
		}
		for (i = 0; i < z; i++) {
			uint32_t j = z + rng_below(n - z);
			net.links[m++] = (mr_assign_link){i, j, 1 + 9 * rng_unit(), 100, 0.15, 4, 1, 0, MR_VDF_BPR};
			net.links[m++] = (mr_assign_link){j, i, 1 + 9 * rng_unit(), 100, 0.15, 4, 1, 0, MR_VDF_BPR};
		}
		for (i = 0; i < n; i++) {
			uint32_t a = rng_below(n), b = rng_below(n);
			if (a != b)
				net.links[m++] = (mr_assign_link){a, b, 1 + 20 * rng_unit(), 100, 0.15, 4, 1, 0, MR_VDF_BPR};
		}
		net.nlinks = m;
		assert_true(m <= 4 * n + 2 * z);
		oo = calloc(z * z, sizeof(uint32_t));
		dd = calloc(z * z, sizeof(uint32_t));
		qq = calloc(z * z, sizeof(double));
		for (org = 0; org < z; org++)
			for (k = 0; k < z; k++)
				if (org != k) {
					oo[nd] = org;
					dd[nd] = k;
					qq[nd++] = 10 + rng_below(90);
				}
		assert_int_equal(mr_assign_demand_build(&dem, z, nd, oo, dd, qq, NULL), MR_OK);
		/* brute force: enumerate simple paths (no pass through zones below first_thru) */
		flow = calloc(m, sizeof(double));
		memset(&c, 0, sizeof(c));
		c.net = &net;
		c.on = calloc(n, 1);
		c.path = calloc(n, sizeof(uint32_t));
		c.best = calloc(n, sizeof(uint32_t));
		for (org = 0; org < z && ok; org++)
			for (k = dem.first[org]; k < dem.first[org + 1]; k++) {
				c.origin = org;
				c.dest = dem.dest[k];
				c.bestc = INFINITY;
				c.ties = 0;
				c.len = 0;
				memset(c.on, 0, n);
				c.on[org] = 1;
				enum_paths(&c, org, 0);
				assert_true(isfinite(c.bestc));
				if (c.ties) { /* a tie makes the AON flows ambiguous: skip this network */
					ok = 0;
					break;
				}
				for (i = 0; i < c.blen; i++)
					flow[c.best[i]] += dem.amount[k];
				sptt += c.bestc * dem.amount[k];
			}
		if (ok) {
			opts(&o, MR_ASSIGN_AON, 0, 0);
			rc = mr_assign_solve(&net, &dem, &o, &r, &e);
			assert_int_equal(rc, MR_OK);
			assert_int_equal(r.iterations, 1);
			assert_int_equal(r.stop, MR_ASSIGN_STOP_ITER);
			for (i = 0; i < m; i++)
				if (fabs(r.flow[i] - flow[i]) > 1e-9)
					fail_msg("trial %d link %u (%u->%u): AON %g, brute force %g", trial, i, net.links[i].tail,
					         net.links[i].head, r.flow[i], flow[i]);
			/* the reported time is the function at the AON flows */
			for (i = 0; i < m; i++)
				assert_true(fabs(r.time[i] - mr_assign_vdf(&net.links[i], flow[i])) <= 1e-12 * r.time[i]);
			assert_true(r.tstt >= r.sptt * (1 - 1e-12));
			mr_assign_result_free(&r);
		}
		free(c.on);
		free(c.path);
		free(c.best);
		free(flow);
		free(oo);
		free(dd);
		free(qq);
		mr_assign_demand_free(&dem);
		mr_assign_net_free(&net);
	}
}

/* ---- Braess ---- */

static const char braess_net[] =
	"<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 4\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 5\n<END OF METADATA>\n"
	"~ init term cap length fft b power speed toll type ;\n"
	"1 3 1 100 0.00000001 1000000000 1 0 0 1 ;\n"
	"1 4 1 100 50 0.02 1 0 0 1 ;\n"
	"3 2 1 100 50 0.02 1 0 0 1 ;\n"
	"3 4 1 100 10 0.1 1 0 0 1 ;\n"
	"4 2 1 100 0.00000001 1000000000 1 0 0 1;\n";
static const char braess_trips[] =
	"<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 6.0\n<END OF METADATA>\n\nOrigin 1\n    1 :      0.0;     2 :     6.0;\n";

/* Travel time per vehicle at equilibrium (TSTT / demand), with or without link 3-4. */
static double braess_time(const mr_assign_net *net0, const mr_assign_demand *d, int with_link, int algo)
{
	mr_assign_net net = *net0;
	mr_assign_link links[5];
	mr_assign_opts o;
	mr_assign_result r;
	double t;
	uint32_t i, k = 0;
	for (i = 0; i < net0->nlinks; i++)
		if (with_link || !(net0->links[i].tail == 2 && net0->links[i].head == 3))
			links[k++] = net0->links[i];
	net.links = links;
	net.nlinks = k;
	opts(&o, algo, 1e-12, 500);
	assert_int_equal(mr_assign_solve(&net, d, &o, &r, NULL), MR_OK);
	assert_true(r.gap <= 1e-10);
	t = r.tstt / d->total;
	mr_assign_result_free(&r);
	return t;
}

static void test_braess(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	mr_error e;
	int algo;
	(void)state;
	put("b_net.tntp", braess_net);
	put("b_trips.tntp", braess_trips);
	assert_int_equal(mr_assign_read_net(tpath("b_net.tntp"), &net, &e), MR_OK);
	assert_int_equal(mr_assign_read_trips(tpath("b_trips.tntp"), net.zones, &d, &e), MR_OK);
	for (algo = MR_ASSIGN_FW; algo <= MR_ASSIGN_B; algo++) {
		double with = braess_time(&net, &d, 1, algo), without = braess_time(&net, &d, 0, algo);
		/* the textbook numbers: 92 with the extra link, 83 without */
		if (fabs(with - 92) > 1e-6 || fabs(without - 83) > 1e-6)
			fail_msg("algorithm %d: %.9g with the link, %.9g without", algo, with, without);
		assert_true(with > without); /* the paradox */
	}
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	if (have_data("Braess-Example")) { /* the shared copy gives the same */
		char np[1024], tp[1024];
		snprintf(np, sizeof(np), "%s/Braess-Example/Braess_net.tntp", DATA);
		snprintf(tp, sizeof(tp), "%s/Braess-Example/Braess_trips.tntp", DATA);
		assert_int_equal(mr_assign_read_net(np, &net, &e), MR_OK);
		assert_int_equal(mr_assign_read_trips(tp, net.zones, &d, &e), MR_OK);
		assert_true(fabs(braess_time(&net, &d, 1, MR_ASSIGN_B) - 92) < 1e-6);
		assert_true(fabs(braess_time(&net, &d, 0, MR_ASSIGN_B) - 83) < 1e-6);
		mr_assign_demand_free(&d);
		mr_assign_net_free(&net);
	}
}

/* ---- the Frank-Wolfe family: monotone objective ---- */

static void check_monotone(const mr_assign_net *net, const mr_assign_demand *d, int algo, const char *what)
{
	mr_assign_opts o;
	mr_assign_result r;
	size_t i;
	opts(&o, algo, 1e-4, 20000);
	assert_int_equal(mr_assign_solve(net, d, &o, &r, NULL), MR_OK);
	if (r.stop != MR_ASSIGN_STOP_GAP)
		fail_msg("%s, algorithm %d: gap %g after %u iterations", what, algo, r.gap, r.iterations);
	assert_true(r.gap <= 1e-4);
	assert_int_equal(r.nhistory, r.iterations);
	for (i = 1; i < r.nhistory; i++)
		if (r.history[i].objective > r.history[i - 1].objective * (1 + 1e-13))
			fail_msg("%s, algorithm %d: objective rises at iteration %u: %.15g -> %.15g", what, algo,
			         r.history[i].iteration, r.history[i - 1].objective, r.history[i].objective);
	check_conservation(net, d, r.flow, 1e-6 * d->total);
	mr_assign_result_free(&r);
}

static void test_fw_monotone(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	int algo;
	(void)state;
	make_grid(&net, &d, 6, 6, 8, 7, 2);
	for (algo = MR_ASSIGN_FW; algo <= MR_ASSIGN_BFW; algo++)
		check_monotone(&net, &d, algo, "grid");
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	if (!have_data("SiouxFalls")) {
		printf("assign: SiouxFalls skipped (../shared/data/tntp not found)\n");
		return;
	}
	load_shared("SiouxFalls", &net, &d);
	for (algo = MR_ASSIGN_FW; algo <= MR_ASSIGN_BFW; algo++)
		check_monotone(&net, &d, algo, "SiouxFalls");
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* ---- the published best-known flows ---- */

static void check_reference(const char *name)
{
	mr_assign_net net;
	mr_assign_demand d;
	mr_assign_opts o;
	mr_assign_result r;
	mr_error e;
	char fp[1024];
	double *pub, pobj;
	uint32_t i, ncheck = 0, nflat = 0;

	if (!have_data(name)) {
		printf("assign: %s skipped (../shared/data/tntp not found)\n", name);
		return;
	}
	load_shared(name, &net, &d);
	snprintf(fp, sizeof(fp), "%s/%s/%s_flow.tntp", DATA, name, name);
	assert_int_equal(mr_assign_read_flows(fp, &net, &pub, &e), MR_OK);
	opts(&o, MR_ASSIGN_B, 1e-10, 200);
	assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_OK);
	assert_int_equal(r.stop, MR_ASSIGN_STOP_GAP);
	assert_true(r.gap <= 1e-10);
	pobj = mr_assign_objective(&net, pub);
	if (fabs(r.objective - pobj) > 1e-8 * fabs(pobj))
		fail_msg("%s: objective %.15g, published flows %.15g", name, r.objective, pobj);
	assert_true(fabs(mr_assign_objective(&net, r.flow) - r.objective) <= 1e-12 * fabs(pobj));
	assert_true(fabs(mr_assign_total_cost(&net, r.flow) - r.tstt) <= 1e-9 * r.tstt);
	for (i = 0; i < net.nlinks; i++) {
		const mr_assign_link *l = &net.links[i];
		double diff = fabs(r.flow[i] - pub[i]);
		if (l->alpha == 0 || l->beta == 0 || l->fft == 0) {
			/* a constant cost: the equilibrium does not determine the link's flow */
			nflat++;
			continue;
		}
		ncheck++;
		if (diff > 1e-3 && diff > 1e-4 * fabs(pub[i]))
			fail_msg("%s link %u (%u -> %u): flow %.10g, published %.10g", name, i + 1, l->tail + 1, l->head + 1,
			         r.flow[i], pub[i]);
	}
	check_conservation(&net, &d, r.flow, 1e-6 * d.total);
	printf("assign: %s: %u iterations, gap %.2e, objective %.15g (published flows %.15g), %u links within 0.01%%, "
	       "%u with a constant cost not compared\n",
	       name, r.iterations, r.gap, r.objective, pobj, ncheck, nflat);
	mr_assign_result_free(&r);
	/* MSA converges, slowly, towards the same */
	if (strcmp(name, "SiouxFalls") == 0) {
		opts(&o, MR_ASSIGN_MSA, 0, 300);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_OK);
		assert_int_equal(r.stop, MR_ASSIGN_STOP_ITER);
		printf("assign: SiouxFalls: MSA, %u iterations: gap %.3e (first %.3e), objective %.12g\n", r.iterations, r.gap,
		       r.history[0].gap, r.objective);
		assert_true(r.gap < 2e-2 && r.history[0].gap > 10 * r.gap);
		assert_true(fabs(r.objective - pobj) < 1e-2 * pobj);
		mr_assign_result_free(&r);
	}
	free(pub);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

static void test_reference_siouxfalls(void **state)
{
	(void)state;
	check_reference("SiouxFalls");
}

static void test_reference_anaheim(void **state)
{
	(void)state;
	check_reference("Anaheim");
}

static void test_reference_barcelona(void **state)
{
	(void)state;
	check_reference("Barcelona");
}

/* ---- zones are not passed through ---- */

static void test_zones(void **state)
{
	/* zones 0, 1, 2; junctions 3, 4. The direct 0 -> 3 -> 4 is long; 0 -> 1 -> 4 through zone 1
	 * is short but forbidden when first_thru = 3 */
	mr_assign_net net;
	mr_assign_demand d;
	uint32_t oo[] = {0}, dd[] = {2};
	double qq[] = {100};
	int algo;
	(void)state;
	assert_int_equal(mr_assign_net_init(&net, 5, 3, 3, 5), MR_OK);
	net.links[0] = (mr_assign_link){0, 3, 10, 50, 0.15, 4, 1, 0, MR_VDF_BPR};
	net.links[1] = (mr_assign_link){3, 4, 10, 50, 0.15, 4, 1, 0, MR_VDF_BPR};
	net.links[2] = (mr_assign_link){0, 1, 1, 50, 0.15, 4, 1, 0, MR_VDF_BPR};
	net.links[3] = (mr_assign_link){1, 4, 1, 50, 0.15, 4, 1, 0, MR_VDF_BPR};
	net.links[4] = (mr_assign_link){4, 2, 1, 50, 0.15, 4, 1, 0, MR_VDF_BPR};
	assert_int_equal(mr_assign_demand_build(&d, 3, 1, oo, dd, qq, NULL), MR_OK);
	for (algo = MR_ASSIGN_AON; algo <= MR_ASSIGN_B; algo++) {
		mr_assign_opts o;
		mr_assign_result r;
		opts(&o, algo, 1e-9, 50);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, NULL), MR_OK);
		assert_true(r.flow[2] == 0 && r.flow[3] == 0);
		assert_true(fabs(r.flow[0] - 100) < 1e-9 && fabs(r.flow[4] - 100) < 1e-9);
		mr_assign_result_free(&r);
	}
	/* with every node passable, the zone is the shortcut */
	net.first_thru = 0;
	{
		mr_assign_opts o;
		mr_assign_result r;
		opts(&o, MR_ASSIGN_AON, 0, 0);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, NULL), MR_OK);
		assert_true(fabs(r.flow[3] - 100) < 1e-9);
		mr_assign_result_free(&r);
	}
	/* a destination that cannot be reached */
	net.first_thru = 3;
	net.links[4].head = 3;
	{
		mr_assign_opts o;
		mr_assign_result r;
		mr_error e;
		opts(&o, MR_ASSIGN_B, 1e-6, 10);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_ENOROUTE);
		assert_non_null(strstr(e.msg, "zone 2 cannot be reached from zone 0"));
	}
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* ---- two MPI ranks simulated by threads ---- */

typedef struct world {
	pthread_barrier_t bar;
	int np;
	double *slot[4];
	long calls;
} world;

typedef struct rank {
	world *w;
	int r;
	const mr_assign_net *net;
	const mr_assign_demand *dem;
	mr_assign_opts o;
	mr_assign_result res;
	int rc;
	double *sum;
	size_t cap;
} rank;

/* MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM): every rank publishes its buffer, each
 * sums them in rank order (the same bits everywhere), a barrier before anyone overwrites. */
static int allreduce(double *buf, size_t n, void *ctx)
{
	rank *R = ctx;
	world *W = R->w;
	size_t k;
	int i;
	if (n > R->cap) {
		free(R->sum);
		R->sum = malloc(n * sizeof(double));
		R->cap = n;
	}
	W->slot[R->r] = buf;
	pthread_barrier_wait(&W->bar);
	for (k = 0; k < n; k++) {
		double s = 0;
		for (i = 0; i < W->np; i++)
			s += W->slot[i][k];
		R->sum[k] = s;
	}
	if (R->r == 0)
		W->calls++;
	pthread_barrier_wait(&W->bar);
	memcpy(buf, R->sum, n * sizeof(double));
	return 0;
}

static void *rank_main(void *p)
{
	rank *R = p;
	R->rc = mr_assign_solve(R->net, R->dem, &R->o, &R->res, NULL);
	return NULL;
}

/* Run with np simulated ranks; returns rank 0's result in *out (the others' must be identical). */
static void run_ranks_split(const mr_assign_net *net, const mr_assign_demand *d, const mr_assign_opts *o, int np,
                            const uint32_t *split, int want_rc, mr_assign_result *out);

static void run_ranks(const mr_assign_net *net, const mr_assign_demand *d, const mr_assign_opts *o, int np,
                      mr_assign_result *out)
{
	uint32_t split[5];
	int i;
	for (i = 0; i <= np; i++)
		split[i] = net->zones * (uint32_t)i / (uint32_t)np;
	run_ranks_split(net, d, o, np, split, MR_OK, out);
}

/* Rank i handles origins split[i] .. split[i+1]-1; every rank must return want_rc. */
static void run_ranks_split(const mr_assign_net *net, const mr_assign_demand *d, const mr_assign_opts *o, int np,
                            const uint32_t *split, int want_rc, mr_assign_result *out)
{
	world W;
	rank R[4];
	pthread_t th[4];
	int i;
	uint32_t k;
	memset(&W, 0, sizeof(W));
	W.np = np;
	pthread_barrier_init(&W.bar, NULL, (unsigned)np);
	for (i = 0; i < np; i++) {
		memset(&R[i], 0, sizeof(R[i]));
		R[i].w = &W;
		R[i].r = i;
		R[i].net = net;
		R[i].dem = d;
		R[i].o = *o;
		R[i].o.origin_lo = split[i];
		R[i].o.origin_hi = split[i + 1];
		R[i].o.allreduce_sum = allreduce;
		R[i].o.allreduce_ctx = &R[i];
		assert_int_equal(pthread_create(&th[i], NULL, rank_main, &R[i]), 0);
	}
	for (i = 0; i < np; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&W.bar);
	for (i = 0; i < np; i++) {
		assert_int_equal(R[i].rc, want_rc);
		free(R[i].sum);
	}
	if (want_rc != MR_OK)
		return;
	for (i = 1; i < np; i++) {
		assert_int_equal(R[i].res.iterations, R[0].res.iterations);
		assert_true(R[i].res.gap == R[0].res.gap);
		for (k = 0; k < net->nlinks; k++)
			assert_true(R[i].res.flow[k] == R[0].res.flow[k]);
		mr_assign_result_free(&R[i].res);
	}
	assert_true(W.calls > 0);
	*out = R[0].res;
}

static double max_rel_diff(const double *a, const double *b, uint32_t n)
{
	double w = 0;
	uint32_t i;
	for (i = 0; i < n; i++) {
		double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
		if (d > w)
			w = d;
	}
	return w;
}

/* B at gap 1e-12: the link costs (unique at equilibrium) and the flows where the equilibrium
 * determines them must agree to ftol relative: flows on links whose own cost rises with the flow
 * (the objective is strictly convex in those flows and in the groups' flows, not in the flows of
 * constant-cost links of a group), loosely where that cost is nearly flat (a lightly used link).
 * The FW family's iterates to 1e-9. */
static void check_ranks(const mr_assign_net *net, const mr_assign_demand *d, const char *what, double ftol)
{
	mr_assign_opts o;
	mr_assign_result one, two;
	int algo;
	double w = 0;
	uint32_t i;
	/* Algorithm B at a tight gap: the same equilibrium */
	opts(&o, MR_ASSIGN_B, 1e-12, 300);
	assert_int_equal(mr_assign_solve(net, d, &o, &one, NULL), MR_OK);
	run_ranks(net, d, &o, 2, &two);
	if (!(one.gap <= 1e-12 && two.gap <= 1e-12))
		fail_msg("%s: B at gap %g after %u iterations, 2 ranks %g after %u", what, one.gap, one.iterations, two.gap,
		         two.iterations);
	for (i = 0; i < net->nlinks; i++) {
		const mr_assign_link *l = &net->links[i];
		if (l->vdf == MR_VDF_CONICAL || (l->alpha > 0 && l->beta > 0 && l->fft > 0))
			w = fmax(w, fabs(two.flow[i] - one.flow[i]) / fmax(1.0, fabs(one.flow[i])));
	}
	if (net->ngroups)
		w = fmax(w, max_rel_diff(two.group_flow, one.group_flow, net->ngroups));
	if (w > ftol)
		fail_msg("%s, Algorithm B: 2 ranks differ from 1 process by %.3e (relative)", what, w);
	if (max_rel_diff(two.cost, one.cost, net->nlinks) > ftol)
		fail_msg("%s, Algorithm B: 2 ranks' costs differ from 1 process by %.3e (relative)", what,
		         max_rel_diff(two.cost, one.cost, net->nlinks));
	assert_true(fabs(two.objective - one.objective) <= 1e-12 * one.objective);
	printf("assign: %s: Algorithm B, 2 ranks: %u iterations (1 process: %u), largest flow difference %.2e\n", what,
	       two.iterations, one.iterations, w);
	mr_assign_result_free(&one);
	mr_assign_result_free(&two);
	/* the Frank-Wolfe family: the same iterates, up to the rounding of the sums */
	for (algo = MR_ASSIGN_AON; algo <= MR_ASSIGN_BFW; algo++) {
		opts(&o, algo, 0, 60);
		assert_int_equal(mr_assign_solve(net, d, &o, &one, NULL), MR_OK);
		run_ranks(net, d, &o, 2, &two);
		assert_int_equal(one.iterations, two.iterations);
		w = max_rel_diff(two.flow, one.flow, net->nlinks);
		if (w > 1e-9)
			fail_msg("%s, algorithm %d: 2 ranks differ from 1 process by %.3e", what, algo, w);
		assert_true(fabs(two.gap - one.gap) <= 1e-6 * one.gap + 1e-15);
		mr_assign_result_free(&one);
		mr_assign_result_free(&two);
	}
}

static int broken_hook(double *buf, size_t n, void *ctx)
{
	(void)buf;
	(void)n;
	(void)ctx;
	return -1;
}

static void test_two_ranks(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	mr_assign_opts o;
	mr_assign_result r;
	int algo;
	(void)state;
	make_grid(&net, &d, 5, 5, 7, 11, 4);
	check_ranks(&net, &d, "grid", 1e-9);
	/* with groups (their sums derive from the reduced link flows) */
	add_groups(&net, 5, 0, 14, 41);
	check_ranks(&net, &d, "grid with groups", 1e-8);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	make_grid(&net, &d, 5, 5, 7, 11, 4);
	add_groups(&net, 5, 1, 14, 42);
	check_ranks(&net, &d, "grid with border-like groups", 1e-7);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	make_grid(&net, &d, 5, 5, 7, 11, 4);
	/* three ranks, uneven ranges */
	opts(&o, MR_ASSIGN_B, 1e-11, 300);
	run_ranks(&net, &d, &o, 3, &r);
	assert_true(r.gap <= 1e-11);
	check_conservation(&net, &d, r.flow, 1e-6 * d.total);
	mr_assign_result_free(&r);
	/* a rank without origins, for B and BFW */
	{
		uint32_t split[4] = {0, 4, 4, 7};
		mr_assign_result one;
		opts(&o, MR_ASSIGN_B, 1e-11, 300);
		run_ranks_split(&net, &d, &o, 3, split, MR_OK, &r);
		assert_true(r.gap <= 1e-11);
		check_conservation(&net, &d, r.flow, 1e-6 * d.total);
		mr_assign_result_free(&r);
		opts(&o, MR_ASSIGN_BFW, 0, 30);
		run_ranks_split(&net, &d, &o, 3, split, MR_OK, &r);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &one, NULL), MR_OK);
		assert_true(max_rel_diff(r.flow, one.flow, net.nlinks) < 1e-9);
		mr_assign_result_free(&one);
		mr_assign_result_free(&r);
	}
	/* ranges that do not tile the zones: every rank fails the same way */
	{
		uint32_t split[4] = {0, 3, 4, 7}; /* [0, 3), [3, 4), [4, 7): fine */
		opts(&o, MR_ASSIGN_B, 1e-6, 10);
		run_ranks_split(&net, &d, &o, 3, split, MR_OK, &r);
		assert_true(r.gap <= 1e-6);
		mr_assign_result_free(&r);
		for (algo = MR_ASSIGN_BFW; algo <= MR_ASSIGN_B; algo++) {
			/* [0, 3) and [4, 7): zone 3 belongs to nobody */
			uint32_t lo[2] = {0, 4}, hi[2] = {3, 7};
			world W;
			rank R[2];
			pthread_t th[2];
			int i;
			opts(&o, algo, 1e-6, 10);
			memset(&W, 0, sizeof(W));
			W.np = 2;
			pthread_barrier_init(&W.bar, NULL, 2);
			for (i = 0; i < 2; i++) {
				memset(&R[i], 0, sizeof(R[i]));
				R[i].w = &W;
				R[i].r = i;
				R[i].net = &net;
				R[i].dem = &d;
				R[i].o = o;
				R[i].o.origin_lo = lo[i];
				R[i].o.origin_hi = hi[i];
				R[i].o.allreduce_sum = allreduce;
				R[i].o.allreduce_ctx = &R[i];
				assert_int_equal(pthread_create(&th[i], NULL, rank_main, &R[i]), 0);
			}
			for (i = 0; i < 2; i++) {
				pthread_join(th[i], NULL);
				assert_int_equal(R[i].rc, MR_EINVAL);
				free(R[i].sum);
			}
			pthread_barrier_destroy(&W.bar);
		}
		opts(&o, MR_ASSIGN_B, 1e-6, 10);
		o.origin_lo = 4;
		o.origin_hi = 4; /* without the hook, an empty range other than [0, 0) is an error */
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, NULL), MR_EINVAL);
	}
	/* a hook that fails fails the run */
	for (algo = MR_ASSIGN_AON; algo <= MR_ASSIGN_B; algo++) {
		mr_error e;
		opts(&o, algo, 1e-6, 10);
		o.allreduce_sum = broken_hook;
		o.origin_hi = net.zones;
		assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_EIO);
		assert_string_equal(e.field, "allreduce_sum");
		assert_null(r.flow);
	}
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	if (!have_data("SiouxFalls")) {
		printf("assign: SiouxFalls skipped (../shared/data/tntp not found)\n");
		return;
	}
	load_shared("SiouxFalls", &net, &d);
	check_ranks(&net, &d, "SiouxFalls", 1e-9);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* ---- shared-capacity groups ---- */

/* The same problem twice: (g) two parallel routes 3 -> 6 -> 4 and 3 -> 7 -> 4 whose first links
 * form a group, and a bypass 3 -> 4; (s) the group replaced by one feeder link 3 -> 5 whose BPR
 * function is the group's (free-flow time included), the two routes starting at 5. In (g), the
 * group's links carry the feeder's free-flow time as a toll, so every route costs the same in
 * both. Zones 0 and 1 send to zone 2 through junction 3 (connectors with their own congestion). */
static void parallel_nets(mr_assign_net *g, mr_assign_net *sn, mr_assign_demand *d)
{
	const mr_assign_group grp = {4, 600, 0.5, 4};
	uint32_t o[2] = {0, 1}, de[2] = {2, 2};
	double q[2] = {700, 500};
	assert_int_equal(mr_assign_net_init(g, 8, 3, 3, 8), MR_OK);
	g->toll_factor = 1;
	g->links[0] = (mr_assign_link){0, 3, 1, 1000, 0.15, 4, 0, 0, MR_VDF_BPR};
	g->links[1] = (mr_assign_link){1, 3, 2, 800, 0.15, 4, 0, 0, MR_VDF_BPR};
	g->links[2] = (mr_assign_link){3, 6, 5, 300, 0.15, 4, 0, 4, MR_VDF_BPR}; /* group, toll = group fft */
	g->links[3] = (mr_assign_link){3, 7, 7, 500, 0.15, 4, 0, 4, MR_VDF_BPR}; /* group */
	g->links[4] = (mr_assign_link){6, 4, 0.5, 1, 0, 0, 0, 0, MR_VDF_BPR};
	g->links[5] = (mr_assign_link){7, 4, 0.5, 1, 0, 0, 0, 0, MR_VDF_BPR};
	g->links[6] = (mr_assign_link){3, 4, 14, 400, 0.15, 4, 0, 0, MR_VDF_BPR}; /* bypass */
	g->links[7] = (mr_assign_link){4, 2, 1, 2000, 0.15, 4, 0, 0, MR_VDF_BPR};
	assert_int_equal(mr_assign_net_groups(g, 1), MR_OK);
	g->groups[0] = grp;
	g->link_group[2] = g->link_group[3] = 0;
	assert_int_equal(mr_assign_net_init(sn, 8, 3, 3, 9), MR_OK);
	sn->toll_factor = 1;
	memcpy(sn->links, g->links, 8 * sizeof(mr_assign_link));
	sn->links[2].tail = sn->links[3].tail = 5;
	sn->links[2].toll = sn->links[3].toll = 0;
	sn->links[8] = (mr_assign_link){3, 5, grp.fft, grp.capacity, grp.alpha, grp.beta, 0, 0, MR_VDF_BPR};
	assert_int_equal(mr_assign_demand_build(d, 3, 2, o, de, q, NULL), MR_OK);
}

static void test_group_parallel(void **state)
{
	mr_assign_net g, sn;
	mr_assign_demand d;
	int algo;
	(void)state;
	parallel_nets(&g, &sn, &d);
	for (algo = MR_ASSIGN_BFW; algo <= MR_ASSIGN_B; algo++) {
		mr_assign_opts o;
		mr_assign_result rg, rs;
		uint32_t i;
		opts(&o, algo, 1e-13, 20000);
		assert_int_equal(mr_assign_solve(&g, &d, &o, &rg, NULL), MR_OK);
		assert_int_equal(mr_assign_solve(&sn, &d, &o, &rs, NULL), MR_OK);
		assert_true(rg.gap <= 1e-13 && rs.gap <= 1e-13);
		for (i = 0; i < 8; i++)
			if (fabs(rg.flow[i] - rs.flow[i]) > 1e-8 * fmax(1, rs.flow[i]))
				fail_msg("algorithm %d, link %u: %.12g with the group, %.12g with the feeder", algo, i, rg.flow[i],
				         rs.flow[i]);
		/* both routes and the bypass are used: the group's delay matters */
		assert_true(rg.flow[2] > 1 && rg.flow[3] > 1 && rg.flow[6] > 1);
		assert_int_equal(rg.ngroups, 1);
		assert_int_equal(rs.ngroups, 0);
		assert_null(rs.group_flow);
		assert_true(fabs(rg.group_flow[0] - (rg.flow[2] + rg.flow[3])) <= 1e-12 * rg.group_flow[0]);
		assert_true(fabs(rg.group_flow[0] - rs.flow[8]) <= 1e-8 * rs.flow[8]);
		/* the group's delay is the feeder's time less its free-flow time */
		assert_true(fabs(rg.group_cost[0] - (rs.time[8] - 4)) <= 1e-8 * rs.time[8]);
		assert_true(fabs(rg.group_cost[0] - mr_assign_group_delay(&g.groups[0], rg.group_flow[0])) <= 1e-12);
		/* a group link's time includes the delay; its cost adds the toll */
		assert_true(fabs(rg.time[2] - (rs.time[2] + rg.group_cost[0])) <= 1e-8 * rg.time[2]);
		assert_true(fabs(rg.cost[2] - (rg.time[2] + 4)) <= 1e-12 * rg.cost[2]);
		/* the same objective and total cost (the toll integrates to the feeder's free-flow part) */
		assert_true(fabs(rg.objective - rs.objective) <= 1e-10 * rs.objective);
		assert_true(fabs(rg.tstt - rs.tstt) <= 1e-10 * rs.tstt);
		printf("assign: group of two parallel links = one feeder link (algorithm %d): flows %.6f + %.6f = %.6f, bypass "
		       "%.6f\n", algo, rg.flow[2], rg.flow[3], rs.flow[8], rg.flow[6]);
		mr_assign_result_free(&rg);
		mr_assign_result_free(&rs);
	}
	mr_assign_demand_free(&d);
	mr_assign_net_free(&g);
	mr_assign_net_free(&sn);
}

/* A small random network with random cost functions and groups, and random link flows. */
static void random_grouped(mr_assign_net *net, double **x, uint32_t trial)
{
	uint32_t n = 6 + trial % 5, m = 3 * n, i, ng = 1 + trial % 4;
	static const double betas[5] = {0, 1, 2.5, 4, 4.603};
	rng_state = 5000 + trial;
	assert_int_equal(mr_assign_net_init(net, n, 2, 0, m), MR_OK);
	net->toll_factor = 0.5;
	net->distance_factor = 0.1;
	for (i = 0; i < m; i++) {
		mr_assign_link *l = &net->links[i];
		l->tail = rng_below(n);
		l->head = (l->tail + 1 + rng_below(n - 1)) % n;
		l->fft = 1 + 9 * rng_unit();
		l->capacity = 50 + 200 * rng_unit();
		l->length = 10 * rng_unit();
		l->toll = 3 * rng_unit();
		if (rng_below(5) == 0) {
			l->vdf = MR_VDF_CONICAL;
			l->beta = 2 + 4 * rng_unit();
		} else {
			l->vdf = MR_VDF_BPR;
			l->alpha = rng_below(4) ? 0.15 + rng_unit() : 0;
			l->beta = betas[1 + rng_below(4)];
		}
	}
	assert_int_equal(mr_assign_net_groups(net, ng), MR_OK);
	for (i = 0; i < ng; i++) {
		mr_assign_group *g = &net->groups[i];
		g->fft = 5 * rng_unit();
		g->capacity = 100 + 300 * rng_unit();
		g->alpha = 0.2 + rng_unit();
		g->beta = betas[rng_below(5)];
	}
	for (i = 0; i < m; i++)
		if (rng_below(2))
			net->link_group[i] = rng_below(ng);
	*x = malloc(m * sizeof(double));
	for (i = 0; i < m; i++)
		(*x)[i] = 1 + 300 * rng_unit();
}

/* The objective's gradient is the vector of link costs (central differences), and the total cost
 * and the groups' delays follow their definitions, on random networks with groups. */
static void test_group_gradient(void **state)
{
	uint32_t trial;
	(void)state;
	for (trial = 0; trial < 40; trial++) {
		mr_assign_net net;
		double *x, *X, tc = 0, obj;
		uint32_t i;
		random_grouped(&net, &x, trial);
		X = malloc(net.ngroups * sizeof(double));
		mr_assign_group_flows(&net, x, X);
		obj = mr_assign_objective(&net, x);
		assert_true(isfinite(obj) && obj > 0);
		for (i = 0; i < net.nlinks; i++) {
			double c = mr_assign_link_cost(&net, i, x, X), h = 1e-4 * x[i], keep = x[i], up, down, num;
			x[i] = keep + h;
			up = mr_assign_objective(&net, x);
			x[i] = keep - h;
			down = mr_assign_objective(&net, x);
			x[i] = keep;
			num = (up - down) / (2 * h);
			/* central differences: an error of order h^2 times the third derivative, plus the
			 * rounding of the objective divided by h */
			if (fabs(num - c) > 1e-6 * c + 1e-12 * obj / h)
				fail_msg("trial %u, link %u: cost %.12g, d objective / dx %.12g", trial, i, c, num);
			tc += x[i] * c;
		}
		assert_true(fabs(mr_assign_total_cost(&net, x) - tc) <= 1e-12 * tc);
		/* the group's delay by its formula */
		for (i = 0; i < net.ngroups; i++) {
			const mr_assign_group *g = &net.groups[i];
			double want = g->fft * g->alpha * pow(X[i] / g->capacity, g->beta);
			assert_true(fabs(mr_assign_group_delay(g, X[i]) - want) <= 1e-12 * fmax(1, want));
		}
		free(X);
		free(x);
		mr_assign_net_free(&net);
	}
}

/* The solver's figures with groups equal the public functions': objective, total cost, link costs,
 * group flows and delays (grids with groups, every algorithm, a few iterations); the Frank-Wolfe
 * family's line searches include the groups (the objective never rises). */
static void test_group_solver_figures(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	int algo, bl;
	(void)state;
	for (bl = 0; bl < 2; bl++) {
		make_grid(&net, &d, 5, 5, 6, 21 + (uint64_t)bl, 3);
		add_groups(&net, 6, bl, 12, 77 + (uint64_t)bl);
		for (algo = MR_ASSIGN_AON; algo <= MR_ASSIGN_B; algo++) {
			mr_assign_opts o;
			mr_assign_result r;
			double *X = malloc(net.ngroups * sizeof(double));
			uint32_t i;
			opts(&o, algo, 0, 4);
			assert_int_equal(mr_assign_solve(&net, &d, &o, &r, NULL), MR_OK);
			mr_assign_group_flows(&net, r.flow, X);
			assert_true(fabs(r.objective - mr_assign_objective(&net, r.flow)) <= 1e-11 * r.objective);
			assert_true(fabs(r.tstt - mr_assign_total_cost(&net, r.flow)) <= 1e-11 * r.tstt);
			for (i = 0; i < net.nlinks; i++) {
				double c = mr_assign_link_cost(&net, i, r.flow, X);
				if (fabs(r.cost[i] - c) > 1e-11 * c)
					fail_msg("algorithm %d, link %u: cost %.15g, by the public function %.15g", algo, i, r.cost[i], c);
			}
			assert_int_equal(r.ngroups, net.ngroups);
			for (i = 0; i < net.ngroups; i++) {
				assert_true(fabs(r.group_flow[i] - X[i]) <= 1e-11 * fmax(1, X[i]));
				assert_true(fabs(r.group_cost[i] - mr_assign_group_delay(&net.groups[i], X[i])) <=
				            1e-11 * fmax(1, r.group_cost[i]));
			}
			check_conservation(&net, &d, r.flow, 1e-6 * d.total);
			free(X);
			mr_assign_result_free(&r);
		}
		for (algo = MR_ASSIGN_FW; algo <= MR_ASSIGN_BFW; algo++)
			check_monotone(&net, &d, algo, bl ? "grid with border-like groups" : "grid with groups");
		mr_assign_demand_free(&d);
		mr_assign_net_free(&net);
	}
}

/* Algorithm B and BFW reach the same equilibrium with groups. */
static void test_group_b_bfw(void **state)
{
	uint32_t k;
	(void)state;
	for (k = 0; k < 6; k++) {
		mr_assign_net net;
		mr_assign_demand d;
		mr_assign_opts o;
		mr_assign_result rb, rf;
		int bl = (int)(k % 2);
		make_grid(&net, &d, 6, 6, 8, 31 + k, 3);
		add_groups(&net, 3 + 4 * k, bl, 16, 900 + k);
		opts(&o, MR_ASSIGN_B, 1e-10, 300);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &rb, NULL), MR_OK);
		if (rb.gap > 1e-10)
			fail_msg("network %u: Algorithm B at gap %g after %u iterations", k, rb.gap, rb.iterations);
		/* BFW is slow where group links have a constant own cost (their flows are not unique):
		 * thousands of iterations to gap 1e-6 on the border-like networks */
		opts(&o, MR_ASSIGN_BFW, 1e-6, 40000);
		assert_int_equal(mr_assign_solve(&net, &d, &o, &rf, NULL), MR_OK);
		if (rf.gap > 1e-6)
			fail_msg("network %u: BFW at gap %g after %u iterations", k, rf.gap, rf.iterations);
		if (fabs(rb.objective - rf.objective) > 1e-6 * rf.objective)
			fail_msg("network %u: objective %.12g with B, %.12g with BFW", k, rb.objective, rf.objective);
		assert_true(rb.objective <= rf.objective * (1 + 1e-12)); /* B is the tighter */
		check_conservation(&net, &d, rb.flow, 1e-6 * d.total);
		printf("assign: %s groups (%u): B %u iterations to gap %.1e, BFW %u to %.1e; objectives differ by %.1e\n",
		       bl ? "border-like" : "random", net.ngroups, rb.iterations, rb.gap, rf.iterations, rf.gap,
		       fabs(rb.objective - rf.objective) / rf.objective);
		mr_assign_result_free(&rb);
		mr_assign_result_free(&rf);
		mr_assign_demand_free(&d);
		mr_assign_net_free(&net);
	}
}

/* Bad groups are refused, naming the field. */
static void test_group_args(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	mr_assign_result r;
	mr_error e;
	uint32_t n;
	mr_assign_group *keep;
	(void)state;
	make_grid(&net, &d, 3, 3, 3, 5, 1);
	add_groups(&net, 2, 0, 6, 1);
	net.groups[1].capacity = 0;
	assert_int_equal(mr_assign_solve(&net, &d, NULL, &r, &e), MR_EINVAL);
	assert_string_equal(e.field, "group");
	net.groups[1].capacity = 10;
	net.groups[0].beta = -1;
	assert_int_equal(mr_assign_solve(&net, &d, NULL, &r, &e), MR_EINVAL);
	net.groups[0].beta = 4;
	net.link_group[3] = 2;
	assert_int_equal(mr_assign_solve(&net, &d, NULL, &r, &e), MR_EINVAL);
	assert_string_equal(e.field, "link_group");
	net.link_group[3] = MR_ASSIGN_NO_GROUP;
	keep = net.groups;
	net.groups = NULL;
	assert_int_equal(mr_assign_solve(&net, &d, NULL, &r, &e), MR_EINVAL);
	net.groups = keep;
	assert_int_equal(mr_assign_solve(&net, &d, NULL, &r, &e), MR_OK);
	mr_assign_result_free(&r);
	/* groups given again replace the old ones: every link outside a group */
	assert_int_equal(mr_assign_net_groups(&net, 3), MR_OK);
	for (n = 0; n < net.nlinks; n++)
		assert_true(net.link_group[n] == MR_ASSIGN_NO_GROUP);
	assert_true(net.groups[2].capacity == 0);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* mr_assign_origin_flows: each origin's bush flows carry its demand and add up to the link flows;
 * refused before a run, for another algorithm and outside the process's origins. */
static void test_origin_flows(void **state)
{
	mr_assign_net net;
	mr_assign_demand d;
	mr_assign_opts o;
	mr_assign_result r;
	mr_assign *a;
	double *x, *sum;
	uint32_t z, i;
	int grouped;
	(void)state;
	for (grouped = 0; grouped < 2; grouped++) {
		make_grid(&net, &d, 5, 5, 7, 11, 4);
		if (grouped)
			add_groups(&net, 5, 1, 14, 3);
		x = malloc(net.nlinks * sizeof(double));
		sum = calloc(net.nlinks, sizeof(double));
		opts(&o, MR_ASSIGN_B, 1e-10, 100);
		assert_int_equal(mr_assign_create(&a, &net, &d, &o, NULL), MR_OK);
		assert_int_equal(mr_assign_origin_flows(a, 0, x), MR_EINVAL); /* before the run */
		assert_int_equal(mr_assign_run(a, &r, NULL), MR_OK);
		for (z = 0; z < net.zones; z++) {
			mr_assign_demand one;
			uint32_t oo[64], dd[64];
			double qq[64];
			size_t k, nk = 0;
			assert_int_equal(mr_assign_origin_flows(a, z, x), MR_OK);
			for (i = 0; i < net.nlinks; i++) {
				assert_true(x[i] >= 0);
				sum[i] += x[i];
			}
			for (k = d.first[z]; k < d.first[z + 1]; k++) {
				oo[nk] = z;
				dd[nk] = d.dest[k];
				qq[nk++] = d.amount[k];
			}
			assert_int_equal(mr_assign_demand_build(&one, net.zones, nk, oo, dd, qq, NULL), MR_OK);
			check_conservation(&net, &one, x, 1e-9 * d.total);
			mr_assign_demand_free(&one);
		}
		assert_true(max_rel_diff(sum, r.flow, net.nlinks) <= 1e-9);
		assert_int_equal(mr_assign_origin_flows(a, net.zones, x), MR_EINVAL);
		mr_assign_result_free(&r);
		mr_assign_destroy(a);
		/* another algorithm */
		opts(&o, MR_ASSIGN_BFW, 1e-4, 100);
		assert_int_equal(mr_assign_create(&a, &net, &d, &o, NULL), MR_OK);
		assert_int_equal(mr_assign_run(a, &r, NULL), MR_OK);
		assert_int_equal(mr_assign_origin_flows(a, 0, x), MR_EINVAL);
		mr_assign_result_free(&r);
		mr_assign_destroy(a);
		/* a process's range of origins */
		opts(&o, MR_ASSIGN_B, 1e-8, 100);
		o.origin_lo = 2;
		o.origin_hi = 4;
		assert_int_equal(mr_assign_create(&a, &net, &d, &o, NULL), MR_OK);
		assert_int_equal(mr_assign_run(a, &r, NULL), MR_OK);
		assert_int_equal(mr_assign_origin_flows(a, 3, x), MR_OK);
		assert_int_equal(mr_assign_origin_flows(a, 1, x), MR_EINVAL);
		assert_int_equal(mr_assign_origin_flows(a, 4, x), MR_EINVAL);
		mr_assign_result_free(&r);
		mr_assign_destroy(a);
		free(x);
		free(sum);
		mr_assign_demand_free(&d);
		mr_assign_net_free(&net);
	}
}

/* ---- warm starts ---- */

static void test_warm_start(void **state)
{
	mr_assign_net net, other;
	mr_assign_demand d, d2;
	mr_assign_opts o;
	mr_assign_result r, cold, warm;
	mr_assign *a;
	mr_error e;
	FILE *f;
	long size;
	unsigned char *bytes;
	uint32_t i;
	double cold_gap1;
	(void)state;
	make_grid(&net, &d, 6, 5, 8, 21, 4);
	opts(&o, MR_ASSIGN_B, 1e-6, 100);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_save(a, tpath("bush.bin"), &e), MR_EINVAL); /* nothing yet */
	assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
	assert_true(r.gap <= 1e-6);
	assert_int_equal(mr_assign_save(a, tpath("bush.bin"), &e), MR_OK);
	assert_int_equal(mr_assign_load(a, tpath("bush.bin"), &e), MR_EINVAL); /* after a run */
	mr_assign_result_free(&r);
	mr_assign_destroy(a);
	/* cold and warm runs to 1e-11 */
	opts(&o, MR_ASSIGN_B, 1e-11, 100);
	assert_int_equal(mr_assign_solve(&net, &d, &o, &cold, &e), MR_OK);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_load(a, tpath("bush.bin"), &e), MR_OK);
	assert_int_equal(mr_assign_run(a, &warm, &e), MR_OK);
	mr_assign_destroy(a);
	printf("assign: warm start: %u iterations (cold %u), first gap %.3e (cold %.3e)\n", warm.iterations, cold.iterations,
	       warm.history[0].gap, cold.history[0].gap);
	assert_true(warm.gap <= 1e-11);
	assert_true(warm.history[0].gap < 1e-6);
	assert_true(warm.iterations < cold.iterations);
	assert_true(max_rel_diff(warm.flow, cold.flow, net.nlinks) < 1e-7);
	cold_gap1 = cold.history[0].gap;
	mr_assign_result_free(&cold);
	mr_assign_result_free(&warm);
	/* the demand grew by 20%: the flows come from the saved split proportions */
	{
		uint32_t *oo = malloc(d.n * sizeof(uint32_t));
		double *qq = malloc(d.n * sizeof(double));
		uint32_t z, k;
		for (z = 0; z < d.zones; z++)
			for (k = d.first[z]; k < d.first[z + 1]; k++) {
				oo[k] = z;
				qq[k] = 1.2 * d.amount[k];
			}
		assert_int_equal(mr_assign_demand_build(&d2, d.zones, d.n, oo, d.dest, qq, NULL), MR_OK);
		free(oo);
		free(qq);
	}
	assert_int_equal(mr_assign_create(&a, &net, &d2, &o, &e), MR_OK);
	assert_int_equal(mr_assign_load(a, tpath("bush.bin"), &e), MR_OK);
	assert_int_equal(mr_assign_run(a, &warm, &e), MR_OK);
	mr_assign_destroy(a);
	assert_true(warm.gap <= 1e-11);
	check_conservation(&net, &d2, warm.flow, 1e-6 * d2.total);
	mr_assign_result_free(&warm);
	/* damaged files */
	f = fopen(tpath("bush.bin"), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	bytes = malloc((size_t)size);
	assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	{
		static const struct {
			long at; /* byte to change; -1: truncate */
			int code;
		} cases[] = {{0, MR_EBADMAGIC}, {8, MR_EVERSION}, {-1, MR_ETRUNCATED}, {-2, MR_ECORRUPT}};
		size_t c;
		for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			long n = size;
			unsigned char save = 0;
			FILE *g = fopen(tpath("bad.bin"), "wb");
			if (cases[c].at >= 0) {
				save = bytes[cases[c].at];
				bytes[cases[c].at] ^= 0x5a;
			} else if (cases[c].at == -1)
				n = size - 5;
			else { /* a flow in the middle: only the checksum can tell */
				save = bytes[size - 20];
				bytes[size - 20] ^= 0x01;
			}
			assert_int_equal(fwrite(bytes, 1, (size_t)n, g), (size_t)n);
			fclose(g);
			if (cases[c].at >= 0)
				bytes[cases[c].at] = save;
			else if (cases[c].at == -2)
				bytes[size - 20] = save;
			assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
			mr_error_clear(&e);
			if (mr_assign_load(a, tpath("bad.bin"), &e) != cases[c].code)
				fail_msg("case %zu: %d (%s), expected %d", c, e.code, e.msg, cases[c].code);
			assert_non_null(strstr(e.file, "bad.bin"));
			/* a failed load leaves the default start */
			assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
			assert_true(r.history[0].gap == cold_gap1);
			mr_assign_result_free(&r);
			mr_assign_destroy(a);
		}
	}
	free(bytes);
	/* another network */
	other = net;
	other.links = malloc(net.nlinks * sizeof(mr_assign_link));
	memcpy(other.links, net.links, net.nlinks * sizeof(mr_assign_link));
	{
		uint32_t t = other.links[0].tail;
		other.links[0].tail = other.links[0].head;
		other.links[0].head = t;
	}
	assert_int_equal(mr_assign_create(&a, &other, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_load(a, tpath("bush.bin"), &e), MR_EINVAL);
	assert_non_null(strstr(e.msg, "another network"));
	mr_assign_destroy(a);
	free(other.links);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_load(a, tpath("no-such-file.bin"), &e), MR_EIO);
	mr_assign_destroy(a);
	/* Frank-Wolfe from initial flows picks up where it stopped */
	opts(&o, MR_ASSIGN_BFW, 0, 40);
	assert_int_equal(mr_assign_solve(&net, &d, &o, &cold, &e), MR_OK);
	o.init_flow = cold.flow;
	o.max_iter = 1;
	assert_int_equal(mr_assign_solve(&net, &d, &o, &warm, &e), MR_OK);
	assert_true(fabs(warm.history[0].gap - cold.gap) <= 1e-9 * cold.gap);
	for (i = 0; i < net.nlinks; i++)
		assert_true(warm.flow[i] == cold.flow[i]); /* one iteration reports the start */
	mr_assign_result_free(&warm);
	cold.flow[3] = -1;
	assert_int_equal(mr_assign_solve(&net, &d, &o, &warm, &e), MR_EINVAL);
	assert_string_equal(e.field, "init_flow");
	mr_assign_result_free(&cold);
	mr_assign_demand_free(&d2);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* ---- malformed TNTP files ---- */

typedef struct bad_case {
	const char *what, *text;
	int kind; /* 0 net, 1 trips, 2 flow */
	long line;
	int column;
	const char *field;
} bad_case;

static const char net_head[] = "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 3\n<NUMBER OF LINKS> 2\n"
                               "<END OF METADATA>\n";

static void test_malformed(void **state)
{
	static const bad_case cases[] = {
		{"no metadata end", "<NUMBER OF ZONES> 2\n", 0, 1, 0, "<END OF METADATA>"},
		{"missing nodes", "<NUMBER OF ZONES> 2\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n1 2 1 1 1 0.15 4\n", 0, 4, 0,
		 "<NUMBER OF NODES>"},
		{"bad count", "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> x3\n", 0, 2, 19, "<NUMBER OF NODES>"},
		{"twice", "<NUMBER OF ZONES> 2\n<NUMBER OF ZONES> 2\n", 0, 2, 1, "<NUMBER OF ZONES>"},
		{"data in metadata", "<NUMBER OF ZONES> 2\n1 2 3\n", 0, 2, 1, NULL},
		{"short row", "NET\n1 2 100 1 1 0.15 4 ;\n1 3 100 1 ;\n", 0, 8, 11, "free_flow_time"},
		{"no power", "NET\n1 2 100 1 1 0.15\n", 0, 7, 17, "power"},
		{"bad node", "NET\n1 4 100 1 1 0.15 4 ;\n", 0, 7, 3, "term_node"},
		{"bad number", "NET\n1 2 100 1 1 0.15 4 ;\n2 3 1e 1 1 0.15 4 ;\n", 0, 8, 5, "capacity"},
		{"negative", "NET\n1 2 100 1 -1 0.15 4 ;\n", 0, 7, 11, "free_flow_time"},
		{"self loop", "NET\n2 2 100 1 1 0.15 4 ;\n", 0, 7, 3, "term_node"},
		{"zero capacity", "NET\n1 2 0 1 1 0.15 4 ;\n", 0, 7, 5, "capacity"},
		{"too many links", "NET\n1 2 1 1 1 0.15 4 ;\n2 3 1 1 1 0.15 4 ;\n3 1 1 1 1 0.15 4 ;\n", 0, 9, 1,
		 "<NUMBER OF LINKS>"},
		{"too few links", "NET\n1 2 1 1 1 0.15 4 ;\n", 0, 4, 2, "<NUMBER OF LINKS>"},
		{"trips zones", "<NUMBER OF ZONES> 3\n<END OF METADATA>\n", 1, 1, 2, "<NUMBER OF ZONES>"},
		{"entry first", "<NUMBER OF ZONES> 2\n<END OF METADATA>\n 1 : 5.0;\n", 1, 3, 2, "origin"},
		{"bad origin", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 3\n", 1, 3, 8, "origin"},
		{"bad destination", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n  1 : 0.0;  5 : 1.0;\n", 1, 4, 13,
		 "destination"},
		{"no colon", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n  2   1.0;\n", 1, 4, 7, "destination"},
		{"bad amount", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n  2 : 1,5;\n", 1, 4, 7, "amount"},
		{"negative amount", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 2\n1 : -4;\n", 1, 4, 5, "amount"},
		{"total", "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 7\n<END OF METADATA>\nOrigin 2\n1 : 4;\n", 1, 2, 2,
		 "<TOTAL OD FLOW>"},
		{"flow unknown link", "From To Volume Cost\n1 2 5 1\n2 1 5 1\n", 2, 3, 1, "from"},
		{"flow bad volume", "From To Volume Cost\n1 2 x 1\n", 2, 2, 5, "volume"},
		{"flow missing link", "From To Volume Cost\n1 2 5 1\n", 2, 2, 0, "from"},
		{"flow short row", "From To Volume Cost\n1 2\n", 2, 2, 3, "volume"},
	};
	mr_assign_net net;
	size_t c;
	char text[1024], buf[1200];
	(void)state;
	put("ok_net.tntp", "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 3\n<NUMBER OF LINKS> 2\n"
	                   "<END OF METADATA>\n1 2 1 1 1 0.15 4 ;\n2 3 1 1 1 0.15 4 ;\n");
	assert_int_equal(mr_assign_read_net(tpath("ok_net.tntp"), &net, NULL), MR_OK);
	assert_int_equal(net.first_thru, 2);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const bad_case *k = &cases[c];
		mr_error e;
		int rc;
		if (strncmp(k->text, "NET\n", 4) == 0)
			snprintf(text, sizeof(text), "%s~ comment\n%s", net_head, k->text + 4);
		else
			snprintf(text, sizeof(text), "%s", k->text);
		put("bad.tntp", text);
		mr_error_clear(&e);
		if (k->kind == 0) {
			mr_assign_net nn;
			rc = mr_assign_read_net(tpath("bad.tntp"), &nn, &e);
			assert_null(nn.links);
		} else if (k->kind == 1) {
			mr_assign_demand dd;
			rc = mr_assign_read_trips(tpath("bad.tntp"), 2, &dd, &e);
			assert_null(dd.first);
		} else {
			double *f = (double *)1;
			rc = mr_assign_read_flows(tpath("bad.tntp"), &net, &f, &e);
			assert_null(f);
		}
		mr_error_format(&e, buf, sizeof(buf));
		if (rc != MR_EPARSE || e.line != k->line || e.column != k->column ||
		    strcmp(e.field, k->field ? k->field : "") != 0 || !strstr(e.file, "bad.tntp"))
			fail_msg("%s: rc %d, %s (expected line %ld column %d field %s)", k->what, rc, buf, k->line, k->column,
			         k->field ? k->field : "-");
		if (k->line) { /* "file:line:..." */
			char want[600];
			snprintf(want, sizeof(want), "bad.tntp:%ld", k->line);
			assert_non_null(strstr(buf, want));
		}
	}
	{
		mr_assign_net nn;
		mr_error e;
		assert_int_equal(mr_assign_read_net(tpath("none.tntp"), &nn, &e), MR_EIO);
		assert_non_null(strstr(e.file, "none.tntp"));
	}
	mr_assign_net_free(&net);
}

/* ---- stop rules and arguments ---- */

static int stop_at_3(void *ud, const mr_assign_iter *it)
{
	int *calls = ud;
	char line[200], want[40];
	(*calls)++;
	assert_true(it->gap >= 0 && it->objective > 0 && it->seconds >= 0);
	mr_assign_iter_format(line, sizeof(line), it);
	snprintf(want, sizeof(want), "iteration %u: relative gap ", it->iteration);
	assert_true(strncmp(line, want, strlen(want)) == 0);
	assert_non_null(strstr(line, "average excess cost"));
	assert_non_null(strstr(line, "objective"));
	return it->iteration == 3;
}

static void test_stops_and_args(void **state)
{
	mr_assign_net net;
	mr_assign_demand d, d3;
	mr_assign_opts o;
	mr_assign_result r;
	mr_assign *a;
	mr_error e;
	int calls = 0;
	uint32_t one = 1;
	double q = 1;
	(void)state;
	make_grid(&net, &d, 4, 4, 5, 3, 1);
	opts(&o, MR_ASSIGN_FW, 0, 0);
	o.on_iter = stop_at_3;
	o.on_iter_ud = &calls;
	o.max_iter = 100;
	assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_OK);
	assert_int_equal(r.stop, MR_ASSIGN_STOP_CALLBACK);
	assert_int_equal(r.iterations, 3);
	assert_int_equal(calls, 3);
	mr_assign_result_free(&r);
	opts(&o, MR_ASSIGN_MSA, 0, 7);
	assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_OK);
	assert_int_equal(r.stop, MR_ASSIGN_STOP_ITER);
	assert_int_equal(r.iterations, 7);
	mr_assign_result_free(&r);
	opts(&o, MR_ASSIGN_FW, 0, 0);
	o.max_seconds = 0.05;
	assert_int_equal(mr_assign_solve(&net, &d, &o, &r, &e), MR_OK);
	assert_int_equal(r.stop, MR_ASSIGN_STOP_TIME);
	assert_true(r.seconds >= 0.05);
	mr_assign_result_free(&r);
	/* a run continues where the last one stopped */
	opts(&o, MR_ASSIGN_B, 1e-4, 100);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
	assert_true(r.gap <= 1e-4);
	mr_assign_result_free(&r);
	assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
	assert_int_equal(r.iterations, 1);
	assert_true(r.gap <= 1e-4);
	mr_assign_result_free(&r);
	mr_assign_destroy(a);
	/* bad arguments */
	opts(&o, 17, 1e-4, 10);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	assert_null(a);
	opts(&o, MR_ASSIGN_B, 0, 0);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	opts(&o, MR_ASSIGN_B, -1, 10);
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	opts(&o, MR_ASSIGN_B, 1e-4, 10);
	o.origin_lo = 3;
	o.origin_hi = 9;
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	opts(&o, MR_ASSIGN_B, 1e-4, 10);
	assert_int_equal(mr_assign_demand_build(&d3, 3, 1, &one, &one, &q, NULL), MR_OK);
	assert_int_equal(mr_assign_create(&a, &net, &d3, &o, &e), MR_EINVAL); /* zones differ */
	mr_assign_demand_free(&d3);
	net.links[2].fft = -1;
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	assert_non_null(strstr(e.msg, "link 2"));
	net.links[2].fft = 1;
	net.toll_factor = 1;
	net.links[2].toll = -5; /* a generalized cost below zero */
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	net.links[2].toll = 2; /* generalized cost: the toll counts, not in the time */
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
	assert_true(fabs(r.cost[2] - r.time[2] - 2) < 1e-12);
	mr_assign_result_free(&r);
	mr_assign_destroy(a);
	net.links[2].vdf = MR_VDF_CONICAL;
	net.links[2].beta = 1; /* conical needs beta > 1 */
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_EINVAL);
	net.links[2].beta = 4;
	assert_int_equal(mr_assign_create(&a, &net, &d, &o, &e), MR_OK);
	assert_int_equal(mr_assign_run(a, &r, &e), MR_OK);
	assert_true(r.gap <= 1e-4);
	mr_assign_result_free(&r);
	mr_assign_destroy(a);
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
}

/* ---- allocation failures ---- */

static long fail_at = -1, nallocs, live;

static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		if (ptr)
			live--;
		free(ptr);
		return NULL;
	}
	if (fail_at >= 0 && nallocs++ == fail_at)
		return NULL;
	if (!ptr)
		live++;
	return realloc(ptr, nsize);
}

static void test_alloc_failure(void **state)
{
	mr_assign_net net, gnet;
	mr_assign_demand d, gd;
	int which;
	(void)state;
	make_grid(&net, &d, 3, 3, 4, 5, 1);
	make_grid(&gnet, &gd, 3, 3, 4, 5, 3);
	add_groups(&gnet, 3, 1, 8, 9);
	put("a_net.tntp", "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 3\n<NUMBER OF LINKS> 2\n"
	                  "<END OF METADATA>\n1 3 1 1 1 0.15 4 ;\n3 2 1 1 1 0.15 4 ;\n");
	put("a_trips.tntp", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n2 : 5;\n");
	put("a_flow.tntp", "From To Volume Cost\n1 3 5 1\n3 2 5 1\n");
	{ /* a bush file to load */
		mr_assign_opts o;
		mr_assign *a;
		mr_assign_result r;
		opts(&o, MR_ASSIGN_B, 1e-6, 20);
		assert_int_equal(mr_assign_create(&a, &net, &d, &o, NULL), MR_OK);
		assert_int_equal(mr_assign_run(a, &r, NULL), MR_OK);
		assert_int_equal(mr_assign_save(a, tpath("a_bush.bin"), NULL), MR_OK);
		mr_assign_result_free(&r);
		mr_assign_destroy(a);
	}
	for (which = 0; which < 9; which++) {
		long k;
		for (k = 0;; k++) {
			mr_assign_opts o;
			mr_assign_result r;
			mr_assign *a = NULL;
			mr_error e;
			int rc;
			memset(&r, 0, sizeof(r));
			mr_set_allocator(failing_alloc, NULL);
			fail_at = k;
			nallocs = 0;
			live = 0;
			if (which <= 2) { /* solve with B, BFW, B + load + save */
				opts(&o, which == 1 ? MR_ASSIGN_BFW : MR_ASSIGN_B, 1e-8, 30);
				rc = mr_assign_create(&a, &net, &d, &o, &e);
				if (rc == MR_OK && which == 2)
					rc = mr_assign_load(a, tpath("a_bush.bin"), &e);
				if (rc == MR_OK)
					rc = mr_assign_run(a, &r, &e);
				if (rc == MR_OK && which == 2)
					rc = mr_assign_save(a, tpath("a_bush2.bin"), &e);
				mr_assign_result_free(&r);
				mr_assign_destroy(a);
			} else if (which == 3) {
				mr_assign_net nn;
				rc = mr_assign_read_net(tpath("a_net.tntp"), &nn, &e);
				mr_assign_net_free(&nn);
			} else if (which == 6 || which == 7) { /* with groups: B (and its origin flows), BFW */
				opts(&o, which == 6 ? MR_ASSIGN_B : MR_ASSIGN_BFW, 1e-8, 30);
				rc = mr_assign_create(&a, &gnet, &gd, &o, &e);
				if (rc == MR_OK)
					rc = mr_assign_run(a, &r, &e);
				if (rc == MR_OK) {
					assert_int_equal(r.ngroups, 3);
					if (which == 6) {
						double *x = malloc(gnet.nlinks * sizeof(double));
						assert_int_equal(mr_assign_origin_flows(a, 1, x), MR_OK);
						free(x);
					}
				}
				mr_assign_result_free(&r);
				mr_assign_destroy(a);
			} else if (which == 8) { /* groups on a network; the objective with groups */
				mr_assign_net nn;
				double x[3] = {1, 2, 3};
				rc = mr_assign_net_init(&nn, 3, 1, 0, 3);
				if (rc == MR_OK) {
					nn.links[0] = (mr_assign_link){0, 1, 1, 10, 0.15, 4, 0, 0, MR_VDF_BPR};
					nn.links[1] = (mr_assign_link){1, 2, 1, 10, 0.15, 4, 0, 0, MR_VDF_BPR};
					nn.links[2] = (mr_assign_link){2, 0, 1, 10, 0.15, 4, 0, 0, MR_VDF_BPR};
					rc = mr_assign_net_groups(&nn, 1);
				}
				if (rc == MR_OK) {
					nn.groups[0] = (mr_assign_group){1, 5, 0.5, 4};
					nn.link_group[0] = nn.link_group[2] = 0;
					if (isnan(mr_assign_objective(&nn, x)) || isnan(mr_assign_total_cost(&nn, x)))
						rc = MR_ENOMEM;
				}
				mr_assign_net_free(&nn);
			} else if (which == 4) {
				mr_assign_demand dd;
				rc = mr_assign_read_trips(tpath("a_trips.tntp"), 2, &dd, &e);
				mr_assign_demand_free(&dd);
			} else {
				mr_assign_net nn;
				double *f = NULL;
				mr_set_allocator(NULL, NULL);
				assert_int_equal(mr_assign_read_net(tpath("a_net.tntp"), &nn, &e), MR_OK);
				mr_set_allocator(failing_alloc, NULL);
				live = 0;
				rc = mr_assign_read_flows(tpath("a_flow.tntp"), &nn, &f, &e);
				mr_free(f);
				mr_set_allocator(NULL, NULL);
				mr_assign_net_free(&nn);
				mr_set_allocator(failing_alloc, NULL);
			}
			mr_set_allocator(NULL, NULL);
			if (live != 0)
				fail_msg("case %d, failing allocation %ld: %ld blocks leaked (rc %d)", which, k, live, rc);
			if (rc == MR_OK)
				break;
			if (rc != MR_ENOMEM)
				fail_msg("case %d, failing allocation %ld: rc %d (%s)", which, k, rc, e.msg);
			assert_true(k < 100000);
		}
	}
	mr_assign_demand_free(&d);
	mr_assign_net_free(&net);
	mr_assign_demand_free(&gd);
	mr_assign_net_free(&gnet);
}

/* ---- main ---- */

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mr_test_assign_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[400];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vdf),
		cmocka_unit_test(test_demand),
		cmocka_unit_test(test_aon_bruteforce),
		cmocka_unit_test(test_braess),
		cmocka_unit_test(test_fw_monotone),
		cmocka_unit_test(test_reference_siouxfalls),
		cmocka_unit_test(test_reference_anaheim),
		cmocka_unit_test(test_reference_barcelona),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_two_ranks),
		cmocka_unit_test(test_warm_start),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_stops_and_args),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_group_parallel),
		cmocka_unit_test(test_group_gradient),
		cmocka_unit_test(test_group_solver_figures),
		cmocka_unit_test(test_group_b_bfw),
		cmocka_unit_test(test_group_args),
		cmocka_unit_test(test_origin_flows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
