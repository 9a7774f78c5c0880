/* test_search.c: Dijkstra, bidirectional Dijkstra and A* against Bellman-Ford on thousands of
 * random graphs (fixed seed), plus hand-made cases: no route, source == target, bad arguments,
 * reuse of one search object across graphs, allocation failures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "meridian/mr_core.h"
#include "meridian/mr_search.h"

/* ---- fixed-seed PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint32_t rng_below(uint32_t k) { return (uint32_t)(rng_next() % k); }
static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; } /* [0, 1) */

/* ---- test graphs: arc list -> forward CSR (stable counting sort on tail) -> backward CSR ---- */

typedef struct tnet {
	uint32_t n, m;
	uint32_t *first_out, *head, *tail; /* tail[a]: for checking paths */
	uint32_t *first_in, *tail_in, *in_arc;
	double *w, *xyz;
	mr_graph g;
} tnet;

static void *xcalloc(size_t k, size_t size)
{
	void *p = calloc(k ? k : 1, size);
	assert_non_null(p);
	return p;
}

/* Build from arcs (tails[i], heads[i], ws[i]). Arcs keep their relative order within a tail, so
 * an arc list already sorted by tail keeps its indices as arc ids. xyz (3n) may be NULL. */
static void tnet_build(tnet *t, uint32_t n, uint32_t m, const uint32_t *tails, const uint32_t *heads,
                       const double *ws, const double *xyz)
{
	uint32_t i, v, *next;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->m = m;
	t->first_out = xcalloc(n + 1, sizeof(uint32_t));
	t->first_in = xcalloc(n + 1, sizeof(uint32_t));
	t->head = xcalloc(m, sizeof(uint32_t));
	t->tail = xcalloc(m, sizeof(uint32_t));
	t->tail_in = xcalloc(m, sizeof(uint32_t));
	t->in_arc = xcalloc(m, sizeof(uint32_t));
	t->w = xcalloc(m, sizeof(double));
	t->xyz = xcalloc(3 * (size_t)n, sizeof(double));
	next = xcalloc(n + 1, sizeof(uint32_t));
	if (xyz)
		memcpy(t->xyz, xyz, 3 * (size_t)n * sizeof(double));

	/* forward: count per tail, prefix sums, place */
	for (i = 0; i < m; i++)
		t->first_out[tails[i] + 1]++;
	for (v = 0; v < n; v++)
		t->first_out[v + 1] += t->first_out[v];
	memcpy(next, t->first_out, (n + 1) * sizeof(uint32_t));
	for (i = 0; i < m; i++) {
		uint32_t a = next[tails[i]]++;
		t->tail[a] = tails[i];
		t->head[a] = heads[i];
		t->w[a] = ws[i];
	}
	/* backward: counting sort of the forward arcs on head */
	for (i = 0; i < m; i++)
		t->first_in[t->head[i] + 1]++;
	for (v = 0; v < n; v++)
		t->first_in[v + 1] += t->first_in[v];
	memcpy(next, t->first_in, (n + 1) * sizeof(uint32_t));
	for (i = 0; i < m; i++) {
		uint32_t b = next[t->head[i]]++;
		t->tail_in[b] = t->tail[i];
		t->in_arc[b] = i;
	}
	free(next);
	t->g.n = n;
	t->g.m = m;
	t->g.first_out = t->first_out;
	t->g.head = t->head;
	t->g.first_in = t->first_in;
	t->g.tail_in = t->tail_in;
	t->g.in_arc = t->in_arc;
}

static void tnet_free(tnet *t)
{
	free(t->first_out);
	free(t->first_in);
	free(t->head);
	free(t->tail);
	free(t->tail_in);
	free(t->in_arc);
	free(t->w);
	free(t->xyz);
	memset(t, 0, sizeof(*t));
}

static double euclid(const double *xyz, uint32_t u, uint32_t v)
{
	double dx = xyz[3 * u] - xyz[3 * v], dy = xyz[3 * u + 1] - xyz[3 * v + 1];
	double dz = xyz[3 * u + 2] - xyz[3 * v + 2];
	return sqrt(dx * dx + dy * dy + dz * dz);
}

/* ---- reference: Bellman-Ford from seeds with offsets ---- */

static void bellman_ford(const tnet *t, const mr_seed *src, size_t nsrc, double *dist)
{
	uint32_t v, a, round;
	size_t i;
	for (v = 0; v < t->n; v++)
		dist[v] = INFINITY;
	for (i = 0; i < nsrc; i++)
		if (src[i].offset < dist[src[i].v])
			dist[src[i].v] = src[i].offset;
	for (round = 0; round < t->n; round++) {
		int changed = 0;
		for (a = 0; a < t->m; a++) {
			double nd = dist[t->tail[a]] + t->w[a];
			if (t->w[a] < INFINITY && nd < dist[t->head[a]]) {
				dist[t->head[a]] = nd;
				changed = 1;
			}
		}
		if (!changed)
			break;
	}
}

static double seed_offset(const mr_seed *x, size_t k, uint32_t v) /* smallest offset of v */
{
	double o = INFINITY;
	size_t i;
	for (i = 0; i < k; i++)
		if (x[i].v == v && x[i].offset < o)
			o = x[i].offset;
	return o;
}

/* Equal within 1e-9 relative (exactly when `exact`); INFINITY equals only INFINITY. */
static int same_cost(double a, double b, int exact)
{
	if (exact || isinf(a) || isinf(b))
		return a == b;
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static char where[200]; /* context printed with a failure */

#define CHECK(cond)                                                                   \
	do {                                                                              \
		if (!(cond)) {                                                                \
			print_error("%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #cond, where); \
			fail();                                                                   \
		}                                                                             \
	} while (0)

/* The path in p is a real path from a source to a target (consecutive arcs connect, none of
 * weight INFINITY). With `full`, it is also simple and its weights plus the two offsets add up
 * to p->cost (exactly when `exact`). */
static void check_path(const tnet *t, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                       const mr_path *p, int full, int exact)
{
	double sum;
	uint32_t i;
	unsigned char *seen;

	CHECK(p->first < t->n && p->last < t->n);
	sum = seed_offset(src, nsrc, p->first);
	CHECK(sum < INFINITY); /* first is a source */
	CHECK(seed_offset(dst, ndst, p->last) < INFINITY); /* last is a target */
	CHECK(p->narcs <= 2 * (t->n - 1));
	if (p->narcs == 0) {
		CHECK(p->first == p->last);
	} else {
		CHECK(p->arcs != NULL);
		CHECK(t->tail[p->arcs[0]] == p->first);
		CHECK(t->head[p->arcs[p->narcs - 1]] == p->last);
	}
	seen = xcalloc(t->n, 1);
	seen[p->first] = 1;
	for (i = 0; i < p->narcs; i++) {
		uint32_t a = p->arcs[i];
		CHECK(a < t->m);
		CHECK(t->w[a] < INFINITY);
		if (i + 1 < p->narcs)
			CHECK(t->head[a] == t->tail[p->arcs[i + 1]]);
		if (full)
			CHECK(!seen[t->head[a]]); /* no vertex twice */
		seen[t->head[a]] = 1;
		sum += t->w[a];
	}
	free(seen);
	sum += seed_offset(dst, ndst, p->last);
	if (full)
		CHECK(same_cost(sum, p->cost, exact));
}

/* ---- random graphs ---- */

enum { MAXN = 60, MAXM = 5 * MAXN };

typedef struct rgraph {
	tnet t;
	double ratio; /* every arc has w >= ratio * euclid(tail, head) */
	int integer;  /* all weights and offsets are integers */
} rgraph;

static double rand_offset(int integer)
{
	if (rng_below(3) == 0)
		return 0;
	return integer ? (double)rng_below(10) : rng_unit() * 10.0;
}

static void random_graph(rgraph *r)
{
	uint32_t n = 1 + rng_below(MAXN), m = rng_below(4 * n + 1), i, cut = 0, npts;
	uint32_t tails[MAXM], heads[MAXM];
	double ws[MAXM], xyz[3 * MAXN], pts[3 * MAXN];
	double pzero = rng_below(3) == 0 ? 0.3 : 0.05, pinf = rng_below(2) ? 0.1 : 0.0;

	r->integer = rng_below(2);
	r->ratio = rng_below(4) == 0 ? 0.0 : rng_unit();
	if (rng_below(8) == 0)
		r->ratio = 1.0;
	/* coordinates from a pool of points: small pools put several vertices at one place, so
	 * that zero-weight arcs between distinct vertices remain possible with ratio > 0 */
	npts = rng_below(2) ? n : 1 + rng_below(1 + n / 3);
	for (i = 0; i < 3 * npts; i++)
		pts[i] = rng_unit() * 20.0;
	for (i = 0; i < n; i++)
		memcpy(xyz + 3 * i, pts + 3 * rng_below(npts), 3 * sizeof(double));
	/* a third of the graphs: vertices >= cut are unreachable from those below it */
	if (n > 2 && rng_below(3) == 0)
		cut = 1 + rng_below(n - 1);
	for (i = 0; i < m; i++) {
		uint32_t u = rng_below(n), v = rng_below(n);
		double lb;
		if (cut && u < cut && v >= cut)
			v = rng_below(cut);
		if (i > 0 && rng_below(10) == 0) { /* parallel arc */
			u = tails[i - 1];
			v = heads[i - 1];
		}
		if (rng_below(20) == 0) /* self-loop */
			v = u;
		tails[i] = u;
		heads[i] = v;
		lb = r->ratio * euclid(xyz, u, v);
		if (rng_unit() < pinf)
			ws[i] = INFINITY;
		else if (rng_unit() < pzero)
			ws[i] = r->integer ? ceil(lb) : lb; /* zero when the ends coincide or ratio == 0 */
		else if (r->integer)
			ws[i] = ceil(lb) + (double)rng_below(15);
		else
			ws[i] = lb + rng_unit() * 15.0;
	}
	tnet_build(&r->t, n, m, tails, heads, ws, xyz);
}

static void random_seeds(mr_seed *x, size_t k, uint32_t n, int integer)
{
	size_t i;
	for (i = 0; i < k; i++) {
		x[i].v = rng_below(n);
		x[i].offset = rand_offset(integer);
	}
}

/* Dijkstra one-to-all equals Bellman-Ford everywhere; then random multi-source/multi-target
 * queries: all three searches agree with Bellman-Ford and return valid paths. */
static void test_random_graphs(void **state)
{
	enum { GRAPHS = 1500, QUERIES = 12 };
	mr_search *s;
	mr_path p, pd;
	double dist[MAXN];
	uint32_t gi, q, v;
	unsigned found = 0, noroute = 0, zero_arc_paths = 0;

	(void)state;
	rng_state = 20240611;
	assert_int_equal(mr_search_new(&s, MAXN, MAXM), MR_OK);
	for (gi = 0; gi < GRAPHS; gi++) {
		rgraph r;
		mr_seed src[4], dst[4];
		size_t nsrc, ndst;
		int exact;

		random_graph(&r);
		exact = r.integer;
		/* one-to-all from one or several sources */
		nsrc = 1 + rng_below(3);
		random_seeds(src, nsrc, r.t.n, r.integer);
		snprintf(where, sizeof(where), "graph %u n=%u m=%u one-to-all", gi, r.t.n, r.t.m);
		bellman_ford(&r.t, src, nsrc, dist);
		CHECK(mr_dijkstra(s, &r.t.g, r.t.w, src, nsrc, NULL, 0, &p) == MR_OK);
		CHECK(isinf(p.cost) && p.narcs == 0);
		CHECK(p.settled >= 1 && p.settled <= r.t.n);
		for (v = 0; v < r.t.n; v++)
			CHECK(same_cost(mr_search_dist(s, v), dist[v], exact));
		CHECK(isinf(mr_search_dist(s, r.t.n))); /* out of range */

		for (q = 0; q < QUERIES; q++) {
			double expect = INFINITY;
			int rd, rb, ra;
			size_t i;

			nsrc = 1 + rng_below(3);
			ndst = 1 + rng_below(3);
			random_seeds(src, nsrc, r.t.n, r.integer);
			random_seeds(dst, ndst, r.t.n, r.integer);
			snprintf(where, sizeof(where), "graph %u n=%u m=%u query %u ratio=%g int=%d", gi,
			         r.t.n, r.t.m, q, r.ratio, r.integer);
			bellman_ford(&r.t, src, nsrc, dist);
			for (i = 0; i < ndst; i++)
				if (dist[dst[i].v] + dst[i].offset < expect)
					expect = dist[dst[i].v] + dst[i].offset;

			rd = mr_dijkstra(s, &r.t.g, r.t.w, src, nsrc, dst, ndst, &pd);
			if (isinf(expect)) {
				CHECK(rd == MR_ENOROUTE);
				CHECK(isinf(pd.cost) && pd.narcs == 0);
			} else {
				CHECK(rd == MR_OK);
				CHECK(same_cost(pd.cost, expect, exact));
				check_path(&r.t, src, nsrc, dst, ndst, &pd, 1, 1); /* same order of additions */
				CHECK(pd.settled >= 1 && pd.settled <= r.t.n);
				for (i = 0; i < pd.narcs; i++)
					if (r.t.w[pd.arcs[i]] == 0) {
						zero_arc_paths++;
						break;
					}
			}

			rb = mr_bidijkstra(s, &r.t.g, r.t.w, src, nsrc, dst, ndst, &p);
			CHECK(rb == rd);
			if (rb == MR_OK) {
				CHECK(same_cost(p.cost, pd.cost, exact));
				check_path(&r.t, src, nsrc, dst, ndst, &p, 1, exact);
				CHECK(p.settled <= 2 * r.t.n);
			} else {
				CHECK(isinf(p.cost) && p.narcs == 0);
			}

			ra = mr_astar(s, &r.t.g, r.t.w, r.t.xyz, r.ratio, src, nsrc, dst, ndst, &p);
			CHECK(ra == rd);
			if (ra == MR_OK) {
				CHECK(same_cost(p.cost, pd.cost, exact));
				check_path(&r.t, src, nsrc, dst, ndst, &p, 1, exact);
				found++;
			} else {
				noroute++;
			}
			/* the forward distances of the last search stay readable for settled vertices */
			for (v = 0; v < r.t.n; v++) {
				double d = mr_search_dist(s, v);
				CHECK(isinf(d) || same_cost(d, dist[v], exact));
			}
		}
		tnet_free(&r.t);
	}
	/* the generator exercised what it should */
	assert_true(found > GRAPHS * QUERIES / 4);
	assert_true(noroute > GRAPHS * QUERIES / 20);
	assert_true(zero_arc_paths > 100);
	mr_search_free(s);
}

/* Negative weights (outside the contract, negative cycles included) give meaningless costs,
 * but every search still ends, settles each vertex at most once per direction and returns a
 * real path or no route. */
static void test_negative_weights_terminate(void **state)
{
	mr_search *s;
	mr_path p;
	uint32_t gi, q, a;
	unsigned negative_cycles_hit = 0;

	(void)state;
	rng_state = 777;
	assert_int_equal(mr_search_new(&s, MAXN, MAXM), MR_OK);
	for (gi = 0; gi < 300; gi++) {
		rgraph r;
		random_graph(&r);
		for (a = 0; a < r.t.m; a++) {
			if (r.t.w[a] < INFINITY && rng_below(3) == 0)
				r.t.w[a] = -r.t.w[a] - 1;
			if (r.t.tail[a] == r.t.head[a] && r.t.w[a] < 0)
				negative_cycles_hit++;
		}
		for (q = 0; q < 5; q++) {
			mr_seed src[3], dst[3];
			size_t nsrc = 1 + rng_below(3), ndst = 1 + rng_below(3);
			int rc;
			random_seeds(src, nsrc, r.t.n, 0);
			random_seeds(dst, ndst, r.t.n, 0);
			snprintf(where, sizeof(where), "negative graph %u query %u", gi, q);

			rc = mr_dijkstra(s, &r.t.g, r.t.w, src, nsrc, dst, ndst, &p);
			CHECK(rc == MR_OK || rc == MR_ENOROUTE);
			CHECK(p.settled <= r.t.n);
			if (rc == MR_OK)
				check_path(&r.t, src, nsrc, dst, ndst, &p, 0, 0);
			rc = mr_dijkstra(s, &r.t.g, r.t.w, src, nsrc, NULL, 0, &p);
			CHECK(rc == MR_OK && p.settled <= r.t.n);
			rc = mr_bidijkstra(s, &r.t.g, r.t.w, src, nsrc, dst, ndst, &p);
			CHECK(rc == MR_OK || rc == MR_ENOROUTE);
			CHECK(p.settled <= 2 * r.t.n);
			if (rc == MR_OK)
				check_path(&r.t, src, nsrc, dst, ndst, &p, 0, 0);
			rc = mr_astar(s, &r.t.g, r.t.w, r.t.xyz, r.ratio, src, nsrc, dst, ndst, &p);
			CHECK(rc == MR_OK || rc == MR_ENOROUTE);
			CHECK(p.settled <= r.t.n);
			if (rc == MR_OK)
				check_path(&r.t, src, nsrc, dst, ndst, &p, 0, 0);
		}
		tnet_free(&r.t);
	}
	assert_true(negative_cycles_hit > 10);
	mr_search_free(s);
}

/* ---- hand-made cases ---- */

/* 0 -> 1 -> 3 costs 1 + 5 = 6; 0 -> 2 -> 3 costs 2 + 2 = 4; arc 4 (3 -> 0) closes a cycle. */
static void diamond(tnet *t)
{
	static const uint32_t tails[] = {0, 0, 1, 2, 3};
	static const uint32_t heads[] = {1, 2, 3, 3, 0};
	static const double ws[] = {1, 2, 5, 2, 1};
	tnet_build(t, 4, 5, tails, heads, ws, NULL);
}

static void test_known_paths(void **state)
{
	mr_search *s;
	mr_path p;
	tnet t;
	mr_seed a = {0, 0}, b = {3, 0};
	mr_seed two_src[] = {{1, 0.5}, {2, 3}}, two_dst[] = {{3, 10}, {1, 0.25}};

	(void)state;
	diamond(&t);
	assert_int_equal(mr_search_new(&s, 4, 5), MR_OK);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4);
	assert_int_equal(p.narcs, 2);
	assert_int_equal(p.arcs[0], 1);
	assert_int_equal(p.arcs[1], 3);
	assert_int_equal(p.first, 0);
	assert_int_equal(p.last, 3);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4);
	assert_int_equal(p.narcs, 2);
	assert_int_equal(p.arcs[0], 1);
	assert_int_equal(p.arcs[1], 3);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0.0, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4);
	assert_int_equal(p.narcs, 2);

	/* offsets choose the pair: 1 -> 3 costs 0.5 + 5 + 10, target 1 directly costs 0.5 + 0.25;
	 * source 2 would give 3 + 2 + 10 */
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, two_src, 2, two_dst, 2, &p), MR_OK);
	assert_true(p.cost == 0.75);
	assert_int_equal(p.narcs, 0);
	assert_int_equal(p.first, 1);
	assert_int_equal(p.last, 1);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, two_src, 2, two_dst, 2, &p), MR_OK);
	assert_true(p.cost == 0.75);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0.0, two_src, 2, two_dst, 2, &p), MR_OK);
	assert_true(p.cost == 0.75);

	/* an arc of weight INFINITY is never used: closing 0 -> 2 forces 0 -> 1 -> 3 */
	t.w[1] = INFINITY;
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 6);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 6);
	assert_int_equal(p.arcs[0], 0);
	assert_int_equal(p.arcs[1], 2);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, NULL, 0, &p), MR_OK);
	assert_true(isinf(mr_search_dist(s, 2))); /* only reachable through the closed arc */
	assert_true(mr_search_dist(s, 3) == 6);
	mr_search_free(s);
	tnet_free(&t);
}

static void test_no_route(void **state)
{
	static const uint32_t tails[] = {0, 1, 2};
	static const uint32_t heads[] = {1, 0, 3};
	static const double ws[] = {1, INFINITY, 1};
	mr_search *s;
	mr_path p;
	tnet t;
	mr_seed a = {0, 0}, c = {2, 0}, d = {3, 0};
	double xyz[12] = {0};

	(void)state;
	tnet_build(&t, 4, 3, tails, heads, ws, xyz);
	assert_int_equal(mr_search_new(&s, 4, 3), MR_OK);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &c, 1, &p), MR_ENOROUTE);
	assert_true(isinf(p.cost));
	assert_int_equal(p.narcs, 0);
	assert_int_equal(p.first, MR_NONE);
	assert_true(p.settled == 2);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &d, 1, &p), MR_ENOROUTE);
	assert_true(isinf(p.cost));
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 1.0, &a, 1, &d, 1, &p), MR_ENOROUTE);
	assert_int_equal(p.narcs, 0);
	/* only an INFINITY arc leads back from 1 to 0 */
	a.v = 1;
	c.v = 0;
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &c, 1, &p), MR_ENOROUTE);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &c, 1, &p), MR_ENOROUTE);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 0.5, &a, 1, &c, 1, &p), MR_ENOROUTE);
	/* but 2 -> 3 works, after all those failures */
	a.v = 2;
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &d, 1, &p), MR_OK);
	assert_true(p.cost == 1);
	assert_int_equal(p.narcs, 1);
	assert_int_equal(p.arcs[0], 2);
	mr_search_free(s);
	tnet_free(&t);
}

static void test_source_is_target(void **state)
{
	static const uint32_t tails[] = {0, 0};
	static const uint32_t heads[] = {0, 1};
	static const double ws[] = {0, 1};
	mr_search *s;
	mr_path p;
	tnet t;
	mr_seed a = {0, 2.5}, b = {0, 1.5}, both[] = {{0, 2.5}, {1, 0}};
	double xyz[6] = {0, 0, 0, 1, 0, 0};

	(void)state;
	tnet_build(&t, 2, 2, tails, heads, ws, xyz);
	assert_int_equal(mr_search_new(&s, 2, 2), MR_OK);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4.0);
	assert_int_equal(p.narcs, 0);
	assert_int_equal(p.first, 0);
	assert_int_equal(p.last, 0);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4.0);
	assert_int_equal(p.narcs, 0);
	assert_int_equal(p.first, 0);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 1.0, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 4.0);
	assert_int_equal(p.narcs, 0);
	/* targets {0 + 2.5, 1 + 0}: reaching 1 (2.5 + 1 + 0) beats staying at 0 (2.5 + 2.5) */
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, both, 2, &p), MR_OK);
	assert_true(p.cost == 3.5);
	assert_int_equal(p.last, 1);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, both, 2, &p), MR_OK);
	assert_true(p.cost == 3.5);
	assert_int_equal(p.narcs, 1);
	assert_int_equal(p.arcs[0], 1);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 1.0, &a, 1, both, 2, &p), MR_OK);
	assert_true(p.cost == 3.5);
	mr_search_free(s);
	tnet_free(&t);

	/* a one-vertex graph without arcs */
	tnet_build(&t, 1, 0, NULL, NULL, NULL, NULL);
	assert_int_equal(mr_search_new(&s, 1, 0), MR_OK);
	a.offset = 0;
	b.offset = 0;
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 0);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 0);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 0.3, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == 0);
	mr_search_free(s);
	tnet_free(&t);
}

static void test_bad_arguments(void **state)
{
	mr_search *s = NULL;
	mr_path p;
	tnet t;
	mr_graph g;
	mr_seed a = {0, 0}, b = {3, 0}, bad;
	uint32_t bad_first_out[5];

	(void)state;
	assert_int_equal(mr_search_new(NULL, 4, 5), MR_EINVAL);
	assert_int_equal(mr_search_new(&s, UINT32_MAX, 5), MR_EINVAL);
	assert_null(s);
	assert_int_equal(mr_search_new(&s, 4, UINT32_MAX), MR_EINVAL);
	mr_search_free(NULL);
	diamond(&t);
	assert_int_equal(mr_search_new(&s, 4, 5), MR_OK);

	/* NULL arguments */
	assert_int_equal(mr_dijkstra(NULL, &t.g, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, NULL, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, &t.g, NULL, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, NULL, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, NULL, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, NULL), MR_EINVAL);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, NULL), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0, &a, 1, &b, 1, NULL), MR_EINVAL);
	/* no sources; no targets where targets are required */
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 0, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 0, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0, &a, 1, &b, 0, &p), MR_EINVAL);
	/* vertex out of range; negative, NaN and infinite offsets */
	bad.v = 4;
	bad.offset = 0;
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &bad, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &bad, 1, &p), MR_EINVAL);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &bad, 1, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0, &bad, 1, &b, 1, &p), MR_EINVAL);
	assert_true(isinf(p.cost));
	bad.v = 1;
	{
		const double offs[] = {-1.0, NAN, INFINITY, -0.0};
		const int want[] = {MR_EINVAL, MR_EINVAL, MR_EINVAL, MR_OK};
		int i;
		for (i = 0; i < 4; i++) {
			bad.offset = offs[i];
			assert_int_equal(mr_dijkstra(s, &t.g, t.w, &bad, 1, &b, 1, &p), want[i]);
			assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &bad, 1, &p), want[i]);
			assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &bad, 1, &b, 1, &p), want[i]);
			assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &bad, 1, &p), want[i]);
			assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0, &bad, 1, &b, 1, &p), want[i]);
			assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0, &a, 1, &bad, 1, &p), want[i]);
		}
	}
	/* A*: bad ratio, or coordinates missing when they are needed */
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, -0.5, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, NAN, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, INFINITY, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, NULL, 0.5, &a, 1, &b, 1, &p), MR_EINVAL);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 0.5, &a, 1, &b, 1, &p), MR_OK);
	/* inconsistent graphs */
	g = t.g;
	memcpy(bad_first_out, t.first_out, sizeof(bad_first_out));
	bad_first_out[4] = 4; /* != m */
	g.first_out = bad_first_out;
	assert_int_equal(mr_dijkstra(s, &g, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	g = t.g;
	g.first_in = NULL; /* forward-only graph: fine for Dijkstra and A*, not for bidirectional */
	assert_int_equal(mr_dijkstra(s, &g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_int_equal(mr_astar(s, &g, t.w, NULL, 0, &a, 1, &b, 1, &p), MR_OK);
	assert_int_equal(mr_bidijkstra(s, &g, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	mr_search_free(s);

	/* graphs larger than the search object's capacity */
	assert_int_equal(mr_search_new(&s, 3, 5), MR_OK);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	mr_search_free(s);
	assert_int_equal(mr_search_new(&s, 4, 4), MR_OK);
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_EINVAL);
	mr_search_free(s);
	tnet_free(&t);
}

/* A line 0 -> 1 -> ... -> n-1 (arc i: i -> i+1, weight 1) plus a shortcut arc. */
static void line_graph(tnet *t, uint32_t n)
{
	uint32_t *tails = xcalloc(n, sizeof(uint32_t)), *heads = xcalloc(n, sizeof(uint32_t)), i;
	double *ws = xcalloc(n, sizeof(double));
	for (i = 0; i + 1 < n; i++) {
		tails[i] = i;
		heads[i] = i + 1;
		ws[i] = 1;
	}
	tnet_build(t, n, n - 1, tails, heads, ws, NULL);
	free(tails);
	free(heads);
	free(ws);
}

static void test_reuse_across_graphs(void **state)
{
	mr_search *s;
	mr_path p;
	tnet big, small, dia;
	mr_seed a = {0, 0};
	uint32_t q;

	(void)state;
	line_graph(&big, 5000);
	line_graph(&small, 5);
	diamond(&dia);
	assert_int_equal(mr_search_new(&s, 5000, 5000), MR_OK);

	/* one-to-all on the big graph, then a small graph: old labels must not leak through */
	assert_int_equal(mr_dijkstra(s, &big.g, big.w, &a, 1, NULL, 0, &p), MR_OK);
	assert_int_equal(p.settled, 5000);
	assert_true(mr_search_dist(s, 4999) == 4999);
	assert_int_equal(mr_dijkstra(s, &small.g, small.w, &a, 1, NULL, 0, &p), MR_OK);
	assert_int_equal(p.settled, 5);
	assert_true(mr_search_dist(s, 4) == 4);
	assert_true(isinf(mr_search_dist(s, 5))); /* beyond this graph */
	assert_true(isinf(mr_search_dist(s, 4999)));
	assert_int_equal(mr_dijkstra(s, &dia.g, dia.w, &a, 1, NULL, 0, &p), MR_OK);
	assert_true(mr_search_dist(s, 3) == 4);
	assert_true(mr_search_dist(s, 0) == 0);

	/* many short queries on the big graph touch only a few vertices each */
	for (q = 0; q < 20000; q++) {
		uint32_t from = (q * 7919u) % 4990;
		mr_seed x = {from, 0}, y = {from + 3, 0.5};
		assert_int_equal(mr_dijkstra(s, &big.g, big.w, &x, 1, &y, 1, &p), MR_OK);
		assert_true(p.cost == 3.5);
		assert_true(p.settled <= 4);
		assert_int_equal(mr_bidijkstra(s, &big.g, big.w, &x, 1, &y, 1, &p), MR_OK);
		assert_true(p.cost == 3.5);
		assert_true(p.settled <= 5);
		assert_int_equal(p.narcs, 3);
		assert_int_equal(p.arcs[0], from);
		assert_int_equal(mr_astar(s, &big.g, big.w, NULL, 0, &x, 1, &y, 1, &p), MR_OK);
		assert_true(p.cost == 3.5);
		/* an unreachable target (behind the source) */
		x.v = from + 3;
		y.v = from;
		assert_int_equal(mr_bidijkstra(s, &big.g, big.w, &x, 1, &y, 1, &p), MR_ENOROUTE);
		/* both sides advance in turn until the smaller one (from+1 vertices backward, 4997-from
		 * forward) runs dry */
		assert_true(p.settled <= 2 * (from + 1 < 4997 - from ? from + 1 : 4997 - from) + 1);
	}
	/* once every target is settled the search ends, however large the offsets */
	{
		mr_seed x = {10, 0}, y[] = {{13, 1000}, {12, 2000}};
		assert_int_equal(mr_dijkstra(s, &big.g, big.w, &x, 1, y, 2, &p), MR_OK);
		assert_true(p.cost == 1003);
		assert_int_equal(p.last, 13);
		assert_int_equal(p.settled, 4);
		assert_int_equal(mr_astar(s, &big.g, big.w, NULL, 0, &x, 1, y, 2, &p), MR_OK);
		assert_true(p.cost == 1003);
		assert_int_equal(p.settled, 4);
	}
	mr_search_free(s);
	tnet_free(&big);
	tnet_free(&small);
	tnet_free(&dia);
}

/* On a geometric grid with w = euclid and ratio 1, A* settles clearly fewer vertices than
 * Dijkstra for the same optimal cost. */
static void test_astar_prunes(void **state)
{
	enum { K = 40, N = K * K };
	uint32_t tails[4 * N], heads[4 * N], m = 0, i, j;
	double ws[4 * N], xyz[3 * N];
	mr_search *s;
	mr_path p, pd;
	tnet t;
	mr_seed a = {0, 0}, b = {K * (K / 2) + K - 1, 0};

	(void)state;
	for (i = 0; i < K; i++)
		for (j = 0; j < K; j++) {
			uint32_t v = i * K + j;
			xyz[3 * v] = j;
			xyz[3 * v + 1] = i;
			xyz[3 * v + 2] = 0;
			if (j + 1 < K) {
				tails[m] = v, heads[m] = v + 1, ws[m++] = 1;
				tails[m] = v + 1, heads[m] = v, ws[m++] = 1;
			}
			if (i + 1 < K) {
				tails[m] = v, heads[m] = v + K, ws[m++] = 1;
				tails[m] = v + K, heads[m] = v, ws[m++] = 1;
			}
		}
	tnet_build(&t, N, m, tails, heads, ws, xyz);
	assert_int_equal(mr_search_new(&s, N, m), MR_OK);
	assert_int_equal(mr_dijkstra(s, &t.g, t.w, &a, 1, &b, 1, &pd), MR_OK);
	assert_true(pd.cost == (K - 1) + K / 2);
	assert_int_equal(mr_astar(s, &t.g, t.w, t.xyz, 1.0, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == pd.cost);
	assert_int_equal(p.narcs, (uint32_t)pd.cost);
	assert_true(p.settled * 3 < pd.settled * 2); /* measured: 785 against 1404 */
	assert_int_equal(mr_bidijkstra(s, &t.g, t.w, &a, 1, &b, 1, &p), MR_OK);
	assert_true(p.cost == pd.cost);
	assert_true(p.settled < pd.settled + 2);
	mr_search_free(s);
	tnet_free(&t);
}

/* Allocation hook that fails allocation number fail_at and counts live blocks. */
static int fail_at = -1, nallocs, live;
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
	mr_search *s;
	int k, rc;

	(void)state;
	mr_set_allocator(failing_alloc, NULL);
	for (k = 0;; k++) {
		fail_at = k;
		nallocs = 0;
		live = 0;
		s = (mr_search *)&k; /* must be reset to NULL on failure */
		rc = mr_search_new(&s, 100, 300);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_null(s);
		assert_int_equal(live, 0);
	}
	assert_true(k >= 5); /* the object and its arrays are separate blocks */
	mr_search_free(s);
	assert_int_equal(live, 0);
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_paths),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_source_is_target),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_reuse_across_graphs),
		cmocka_unit_test(test_astar_prunes),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_random_graphs),
		cmocka_unit_test(test_negative_weights_terminate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
