/* test_ch.c: contraction hierarchies against Dijkstra (mr_dijkstra) on thousands of random graphs
 * (fixed seed; directed and undirected, parallel arcs, zero and unusable weights, unreachable
 * parts, multi-source/target with offsets): equal costs, real unpacked paths whose weights add up
 * to the cost; export/import round trips and corrupted arrays; matrices against pairwise
 * Dijkstra; determinism; bad arguments; allocation failures; Chicago Regional (TNTP) when
 * ../shared/data is present. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "meridian/mr_ch.h"
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

/* ---- test graphs: arc list -> forward CSR (stable counting sort on tail) ---- */

typedef struct tnet {
	uint32_t n, m;
	uint32_t *first_out, *head, *tail;
	double *w;
	mr_graph g;
} tnet;

static void *xcalloc(size_t k, size_t size)
{
	void *p = calloc(k ? k : 1, size);
	assert_non_null(p);
	return p;
}

static void tnet_build(tnet *t, uint32_t n, uint32_t m, const uint32_t *tails, const uint32_t *heads,
                       const double *ws)
{
	uint32_t i, v, *next;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->m = m;
	t->first_out = xcalloc(n + 1, sizeof(uint32_t));
	t->head = xcalloc(m, sizeof(uint32_t));
	t->tail = xcalloc(m, sizeof(uint32_t));
	t->w = xcalloc(m, sizeof(double));
	next = xcalloc(n + 1, sizeof(uint32_t));
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
	free(next);
	t->g.n = n;
	t->g.m = m;
	t->g.first_out = t->first_out;
	t->g.head = t->head;
}

static void tnet_free(tnet *t)
{
	free(t->first_out);
	free(t->head);
	free(t->tail);
	free(t->w);
	memset(t, 0, sizeof(*t));
}

static double rand_weight(void)
{
	uint32_t k = rng_below(100);
	if (k < 15)
		return 0;
	if (k < 20)
		return INFINITY; /* unusable */
	if (k < 60)
		return (double)(1 + rng_below(20));
	return rng_unit() * 10;
}

/* A random graph: n in [1, 40]; undirected ones get both directions of each link; some graphs
 * are two parts with arcs only from the first to the second (so many pairs are unreachable). */
static void random_graph(tnet *t)
{
	uint32_t n = 1 + rng_below(40), links = rng_below(4 * n + 1), i, m = 0;
	int undirected = rng_below(2), split = rng_below(4) == 0;
	uint32_t *ta = xcalloc(2 * links, sizeof(uint32_t)), *hd = xcalloc(2 * links, sizeof(uint32_t));
	double *ws = xcalloc(2 * links, sizeof(double));

	for (i = 0; i < links; i++) {
		uint32_t u = rng_below(n), v = rng_below(n);
		if (split && n > 2) {
			uint32_t half = n / 2;
			if ((u < half) != (v < half) && u >= half) { /* no arc back from part 2 */
				uint32_t x = u;
				u = v;
				v = x;
			}
		}
		if (rng_below(20) == 0 && m > 0) { /* a parallel arc */
			u = ta[m - 1];
			v = hd[m - 1];
		}
		ta[m] = u;
		hd[m] = v;
		ws[m++] = rand_weight();
		if (undirected && !(split && (u < n / 2) != (v < n / 2))) {
			ta[m] = v;
			hd[m] = u;
			ws[m] = ws[m - 1];
			m++;
		}
	}
	tnet_build(t, n, m, ta, hd, ws);
	free(ta);
	free(hd);
	free(ws);
}

static int close_to(double a, double b)
{
	if (isinf(a) || isinf(b))
		return a == b;
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(a));
}

/* Smallest offset given for v in x[0..k), or -1 if v is not listed. */
static double offset_of(const mr_seed *x, size_t k, uint32_t v)
{
	double best = -1;
	size_t i;
	for (i = 0; i < k; i++)
		if (x[i].v == v && (best < 0 || x[i].offset < best))
			best = x[i].offset;
	return best;
}

/* The path is a chain of usable graph arcs from one of the sources to one of the targets, and the
 * offsets plus its weights (added in path order) give its cost. */
static void check_path(const tnet *t, const mr_path *p, const mr_seed *src, size_t ns, const mr_seed *dst,
                       size_t nd)
{
	double os = offset_of(src, ns, p->first), ot = offset_of(dst, nd, p->last), c;
	uint32_t i, v = p->first;

	assert_true(os >= 0);
	assert_true(ot >= 0);
	c = os;
	for (i = 0; i < p->narcs; i++) {
		uint32_t a = p->arcs[i];
		assert_true(a < t->m);
		assert_int_equal(t->tail[a], v);
		assert_true(t->w[a] < INFINITY);
		c += t->w[a];
		v = t->head[a];
	}
	assert_int_equal(v, p->last);
	c += ot;
	assert_true(c == p->cost); /* the same sum in the same order */
}

static void random_seeds(mr_seed *x, size_t k, uint32_t n)
{
	size_t i;
	for (i = 0; i < k; i++) {
		x[i].v = rng_below(n);
		x[i].offset = rng_below(3) == 0 ? rng_unit() * 5 : 0;
	}
}

/* Compare queries on ch against Dijkstra; returns the number of routable queries. */
static int compare_queries(const tnet *t, mr_ch_query *q, mr_search *s, int nq, int multi)
{
	int k, found = 0;
	for (k = 0; k < nq; k++) {
		mr_seed src[4], dst[4];
		size_t ns = multi ? 1 + rng_below(4) : 1, nd = multi ? 1 + rng_below(4) : 1;
		mr_path pd, pc;
		int rd, rc;
		random_seeds(src, ns, t->n);
		random_seeds(dst, nd, t->n);
		rd = mr_dijkstra(s, &t->g, t->w, src, ns, dst, nd, &pd);
		rc = mr_ch_route(q, src, ns, dst, nd, &pc);
		assert_int_equal(rc, rd);
		{
			double c;
			assert_int_equal(mr_ch_cost(q, src, ns, dst, nd, &c), rd);
			assert_true(close_to(c, rd ? INFINITY : pd.cost));
		}
		if (rd == MR_ENOROUTE) {
			assert_true(isinf(pc.cost));
			assert_int_equal(pc.narcs, 0);
			continue;
		}
		assert_int_equal(rd, MR_OK);
		if (!close_to(pc.cost, pd.cost))
			fail_msg("ch %.17g != dijkstra %.17g", pc.cost, pd.cost);
		check_path(t, &pc, src, ns, dst, nd);
		found++;
	}
	return found;
}

static void check_matrix(const tnet *t, const mr_ch *ch, mr_search *s, int threads)
{
	uint32_t src[12], dst[9], i, j, ns = 1 + rng_below(12), nd = 1 + rng_below(9);
	double out[12 * 9];
	for (i = 0; i < ns; i++)
		src[i] = rng_below(t->n);
	for (j = 0; j < nd; j++)
		dst[j] = rng_below(t->n);
	assert_int_equal(mr_ch_matrix(ch, src, ns, dst, nd, out, threads), MR_OK);
	for (i = 0; i < ns; i++) {
		mr_seed a = {src[i], 0};
		mr_path p;
		assert_int_equal(mr_dijkstra(s, &t->g, t->w, &a, 1, NULL, 0, &p), MR_OK);
		for (j = 0; j < nd; j++) {
			double d = mr_search_dist(s, dst[j]);
			if (!close_to(out[i * nd + j], d))
				fail_msg("matrix[%u][%u] %.17g != dijkstra %.17g", i, j, out[i * nd + j], d);
		}
	}
}

/* ---- the property test ---- */

static void test_random_graphs(void **state)
{
	int gi, found = 0, queries = 0;
	(void)state;
	rng_state = 20240808;
	for (gi = 0; gi < 1500; gi++) {
		tnet t;
		mr_ch *ch = NULL, *ch2 = NULL;
		mr_ch_query *q = NULL, *q2 = NULL;
		mr_search *s = NULL;
		mr_ch_arrays arr;
		mr_ch_opts o;
		mr_error err;

		random_graph(&t);
		memset(&o, 0, sizeof(o));
		if (gi % 3 == 1) { /* tiny witness bounds: more shortcuts, must stay exact */
			o.witness_settled = 1 + rng_below(3);
			o.sim_settled = 1;
			o.witness_hops = 1 + rng_below(2);
		} else if (gi % 3 == 2) {
			o.cheap_updates = 1;
		}
		assert_int_equal(mr_ch_build(&t.g, t.w, &o, &ch, &err), MR_OK);
		assert_int_equal(mr_ch_query_new(ch, &q), MR_OK);
		assert_int_equal(mr_search_new(&s, t.n, t.m), MR_OK);
		found += compare_queries(&t, q, s, 30, 0);
		found += compare_queries(&t, q, s, 15, 1);
		queries += 45;
		/* export / import gives the same answers, bit for bit */
		assert_int_equal(mr_ch_export(ch, &arr), MR_OK);
		assert_int_equal(mr_ch_import(&arr, &ch2, &err), MR_OK);
		assert_int_equal(mr_ch_query_new(ch2, &q2), MR_OK);
		{
			int k;
			for (k = 0; k < 10; k++) {
				mr_seed a = {rng_below(t.n), 0}, b = {rng_below(t.n), 0};
				mr_path p1, p2;
				int r1 = mr_ch_route(q, &a, 1, &b, 1, &p1), r2 = mr_ch_route(q2, &a, 1, &b, 1, &p2);
				assert_int_equal(r1, r2);
				if (r1 == MR_OK) {
					assert_true(p1.cost == p2.cost);
					assert_int_equal(p1.narcs, p2.narcs);
					assert_memory_equal(p1.arcs, p2.arcs, p1.narcs * sizeof(uint32_t));
				}
			}
		}
		if (gi % 5 == 0)
			check_matrix(&t, ch2, s, 1 + (gi % 2));
		mr_ch_query_free(q2);
		mr_ch_free(ch2);
		mr_ch_query_free(q);
		mr_ch_free(ch);
		mr_search_free(s);
		tnet_free(&t);
	}
	printf("ch: %d random queries on 1500 graphs, %d with a route, all equal to Dijkstra\n", queries, found);
	assert_true(found > queries / 4); /* the test does exercise routes */
}

/* Hand-made: zero-weight cycles, source == target, parallel arcs, unusable arcs. */
static void test_small_cases(void **state)
{
	/* 0 -> 1 (5), 0 -> 1 (2, parallel), 1 -> 2 (0), 1 -> 3 (7), 2 -> 1 (0), 2 -> 3 (inf), 3 -> 3 loop */
	uint32_t ta[] = {0, 0, 1, 1, 2, 2, 3}, hd[] = {1, 1, 2, 3, 1, 3, 3};
	double ws[] = {5, 2, 0, 7, 0, INFINITY, 1};
	tnet t;
	mr_ch *ch;
	mr_ch_query *q;
	mr_path p;
	mr_seed s0 = {0, 0}, s3 = {3, 0}, s1 = {1, 1.5};
	(void)state;
	tnet_build(&t, 5, 7, ta, hd, ws);
	assert_int_equal(mr_ch_build(&t.g, t.w, NULL, &ch, NULL), MR_OK);
	assert_int_equal(mr_ch_query_new(ch, &q), MR_OK);
	assert_int_equal(mr_ch_route(q, &s0, 1, &s3, 1, &p), MR_OK);
	assert_true(p.cost == 9);
	assert_int_equal(p.narcs, 2);
	assert_int_equal(p.arcs[0], 1); /* the cheaper parallel arc */
	assert_int_equal(p.arcs[1], 3);
	assert_int_equal(mr_ch_route(q, &s3, 1, &s0, 1, &p), MR_ENOROUTE);
	assert_true(isinf(p.cost));
	assert_int_equal(mr_ch_route(q, &s1, 1, &s1, 1, &p), MR_OK); /* offsets on both ends */
	assert_true(p.cost == 3);
	assert_int_equal(p.narcs, 0);
	assert_int_equal(p.first, 1);
	{
		mr_seed v4 = {4, 0};
		assert_int_equal(mr_ch_route(q, &s0, 1, &v4, 1, &p), MR_ENOROUTE); /* isolated */
	}
	/* bad arguments */
	{
		mr_seed bad = {5, 0}, neg = {0, -1};
		assert_int_equal(mr_ch_route(q, &bad, 1, &s0, 1, &p), MR_EINVAL);
		assert_int_equal(mr_ch_route(q, &neg, 1, &s0, 1, &p), MR_EINVAL);
		assert_int_equal(mr_ch_route(q, &s0, 0, &s0, 1, &p), MR_EINVAL);
	}
	{
		uint32_t src[] = {0, 1}, dst[] = {3, 0, 4}, badv[] = {9};
		double out[6];
		assert_int_equal(mr_ch_matrix(ch, src, 2, dst, 3, out, 1), MR_OK);
		assert_true(out[0] == 9 && out[1] == 0 && isinf(out[2]));
		assert_true(out[3] == 7 && isinf(out[4]) && isinf(out[5]));
		assert_int_equal(mr_ch_matrix(ch, badv, 1, dst, 3, out, 1), MR_EINVAL);
	}
	mr_ch_query_free(q);
	mr_ch_free(ch);
	ws[0] = -1;
	memcpy(t.w, ws, sizeof(ws)); /* arc order is unchanged: tails are sorted */
	{
		mr_error err;
		ch = (mr_ch *)&err;
		assert_int_equal(mr_ch_build(&t.g, t.w, NULL, &ch, &err), MR_EINVAL);
		assert_null(ch);
		assert_non_null(strstr(err.msg, "negative"));
	}
	tnet_free(&t);
}

/* Same input, same arrays; a damaged array is refused. */
static void test_determinism_and_corruption(void **state)
{
	tnet t;
	mr_ch *c1, *c2, *c3 = NULL;
	mr_ch_arrays a1, a2, bad;
	mr_error err;
	uint32_t *head, *ua, i, sc = MR_NONE;
	(void)state;
	rng_state = 7;
	memset(&t, 0, sizeof(t));
	do {
		tnet_free(&t);
		random_graph(&t);
	} while (t.n < 30 || t.m < 60);
	assert_int_equal(mr_ch_build(&t.g, t.w, NULL, &c1, NULL), MR_OK);
	assert_int_equal(mr_ch_build(&t.g, t.w, NULL, &c2, NULL), MR_OK);
	mr_ch_export(c1, &a1);
	mr_ch_export(c2, &a2);
	assert_int_equal(a1.n, a2.n);
	assert_int_equal(a1.m, a2.m);
	assert_memory_equal(a1.rank, a2.rank, a1.n * 4);
	assert_memory_equal(a1.first_arc, a2.first_arc, (a1.n + 1) * 4);
	assert_memory_equal(a1.first_down, a2.first_down, a1.n * 4);
	assert_memory_equal(a1.head, a2.head, a1.m * 4);
	assert_memory_equal(a1.weight, a2.weight, a1.m * 8);
	assert_memory_equal(a1.unpack, a2.unpack, a1.m * 8);

	head = malloc(a1.m * 4);
	ua = malloc(a1.m * 8);
	memcpy(head, a1.head, a1.m * 4);
	memcpy(ua, a1.unpack, a1.m * 8);
	bad = a1;
	bad.head = head;
	head[0] = 0; /* rank 0 is the lowest: an arc cannot lead up to it */
	assert_int_equal(mr_ch_import(&bad, &c3, &err), MR_ECORRUPT);
	assert_null(c3);
	head[0] = a1.head[0];
	bad.unpack = ua;
	for (i = 0; i < a1.m && sc == MR_NONE; i++)
		if (a1.unpack[2 * i + 1] != MR_NONE)
			sc = i;
	if (sc != MR_NONE) { /* a shortcut made of itself would unpack forever */
		ua[2 * sc] = sc;
		assert_int_equal(mr_ch_import(&bad, &c3, &err), MR_ECORRUPT);
		ua[2 * sc] = a1.unpack[2 * sc];
	}
	ua[0] = a1.unpack[1] == MR_NONE ? t.m : MR_NONE - 1;
	assert_int_equal(mr_ch_import(&bad, &c3, &err), MR_ECORRUPT);
	ua[0] = a1.unpack[0];
	assert_int_equal(mr_ch_import(&bad, &c3, &err), MR_OK);
	mr_ch_free(c3);
	free(head);
	free(ua);
	mr_ch_free(c1);
	mr_ch_free(c2);
	tnet_free(&t);
}

/* Road-like graphs of 625 to 4,900 vertices (a grid with shuffled vertex ids, two-way streets
 * with a few one-way and missing ones, diagonals, zero-weight arcs, faster arterials): large
 * enough for the build to compact its pool of lists many times and for the queries to climb deep
 * hierarchies. Tiny witness bounds, cheap_updates, default; Dijkstra on every query and matrix
 * entry; two builds give the same arrays. */
static void road_graph(tnet *t, uint32_t side)
{
	uint32_t n = side * side, cap = 6 * n, m = 0, x, y, i, *id = xcalloc(n, sizeof(uint32_t));
	uint32_t *ta = xcalloc(cap, sizeof(uint32_t)), *hd = xcalloc(cap, sizeof(uint32_t));
	double *ws = xcalloc(cap, sizeof(double));

	for (i = 0; i < n; i++)
		id[i] = i;
	for (i = n - 1; i > 0; i--) { /* vertex ids in no spatial order */
		uint32_t j = rng_below(i + 1), tmp = id[i];
		id[i] = id[j];
		id[j] = tmp;
	}
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			uint32_t v = id[y * side + x], k;
			for (k = 0; k < 3; k++) {
				uint32_t u, r = rng_below(100);
				double w;
				if ((k == 0 && x + 1 == side) || (k == 1 && y + 1 == side) ||
				    (k == 2 && (x + 1 == side || y + 1 == side || rng_below(10) != 0)) || r < 4)
					continue;
				u = id[k == 0 ? y * side + x + 1 : k == 1 ? (y + 1) * side + x : (y + 1) * side + x + 1];
				w = (k == 2 ? 1.4 : 1.0) * (1 + rng_unit()) * ((k == 0 ? y : x) % 8 == 0 ? 0.4 : 1);
				if (rng_below(50) == 0)
					w = 0;
				if (r >= 8 || rng_below(2)) {
					ta[m] = v, hd[m] = u, ws[m++] = w;
				}
				if (r >= 8 || !(m && ta[m - 1] == v && hd[m - 1] == u)) {
					ta[m] = u, hd[m] = v, ws[m++] = w;
				}
			}
		}
	tnet_build(t, n, m, ta, hd, ws);
	free(id);
	free(ta);
	free(hd);
	free(ws);
}

static void test_road_graphs(void **state)
{
	static const uint32_t sides[] = {25, 40, 55, 70};
	int gi, found = 0;
	(void)state;
	rng_state = 4242;
	for (gi = 0; gi < 4; gi++) {
		tnet t;
		mr_ch *ch, *ch2;
		mr_ch_query *q;
		mr_search *s;
		mr_ch_opts o;
		mr_ch_arrays a1, a2;

		road_graph(&t, sides[gi]);
		memset(&o, 0, sizeof(o));
		if (gi == 0) { /* many more shortcuts: the smallest graph */
			o.witness_settled = 3;
			o.sim_settled = 2;
			o.witness_hops = 2;
		}
		if (gi == 1)
			o.cheap_updates = 1;
		assert_int_equal(mr_ch_build(&t.g, t.w, &o, &ch, NULL), MR_OK);
		assert_int_equal(mr_ch_query_new(ch, &q), MR_OK);
		assert_int_equal(mr_search_new(&s, t.n, t.m), MR_OK);
		found += compare_queries(&t, q, s, 200, 0);
		found += compare_queries(&t, q, s, 50, 1);
		check_matrix(&t, ch, s, 1 + gi % 2);
		assert_int_equal(mr_ch_build(&t.g, t.w, &o, &ch2, NULL), MR_OK);
		mr_ch_export(ch, &a1);
		mr_ch_export(ch2, &a2);
		assert_int_equal(a1.m, a2.m);
		assert_memory_equal(a1.rank, a2.rank, a1.n * 4);
		assert_memory_equal(a1.head, a2.head, a1.m * 4);
		assert_memory_equal(a1.unpack, a2.unpack, a1.m * 8);
		mr_ch_free(ch2);
		mr_search_free(s);
		mr_ch_query_free(q);
		mr_ch_free(ch);
		tnet_free(&t);
	}
	printf("ch: 1000 queries on 4 road-like graphs (625-4900 vertices), %d with a route, all equal to Dijkstra\n",
	       found);
	assert_true(found > 900);
}

/* ---- allocation failures ---- */

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
	tnet t;
	mr_ch *ch;
	mr_ch_query *q;
	int k, rc, builds = 0;
	uint32_t src[] = {0, 1, 2}, dst[] = {3, 4};
	double out[6];
	(void)state;
	rng_state = 99;
	memset(&t, 0, sizeof(t));
	do {
		tnet_free(&t);
		random_graph(&t);
	} while (t.n < 25 || t.m < 50);
	mr_set_allocator(failing_alloc, NULL);
	for (k = 0;; k++) {
		fail_at = k;
		nallocs = 0;
		live = 0;
		ch = (mr_ch *)&k; /* must be reset to NULL on failure */
		rc = mr_ch_build(&t.g, t.w, NULL, &ch, NULL);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_null(ch);
		assert_int_equal(live, 0);
		builds++;
	}
	assert_true(builds > 20);
	for (k = 0;; k++) {
		fail_at = k;
		nallocs = 0;
		rc = mr_ch_query_new(ch, &q);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_null(q);
	}
	mr_ch_query_free(q);
	for (k = 0;; k++) {
		fail_at = k;
		nallocs = 0;
		rc = mr_ch_matrix(ch, src, 3, dst, 2, out, 1); /* the hook's counters are not atomic */
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
	}
	fail_at = -1;
	mr_ch_free(ch);
	assert_int_equal(live, 0);
	mr_set_allocator(NULL, NULL);
	printf("ch: build failed cleanly at each of its first %d allocations\n", builds);
	tnet_free(&t);
}

/* ---- Chicago Regional (TNTP, free-flow time) ---- */

static int load_tntp(const char *path, tnet *t)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	uint32_t n = 0, m = 0, cap = 0, *ta = NULL, *hd = NULL;
	double *ws = NULL;
	int meta = 1;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned a, b;
		double c, len, fft;
		if (meta) {
			if (strstr(line, "<NUMBER OF NODES>"))
				n = (uint32_t)atoi(strchr(line, '>') + 1);
			if (strstr(line, "<END OF METADATA>"))
				meta = 0;
			continue;
		}
		if (line[0] == '~' || sscanf(line, "%u %u %lf %lf %lf", &a, &b, &c, &len, &fft) != 5)
			continue;
		if (m == cap) {
			cap = cap ? 2 * cap : 1024;
			ta = realloc(ta, cap * 4);
			hd = realloc(hd, cap * 4);
			ws = realloc(ws, cap * 8);
			assert_true(ta && hd && ws);
		}
		assert_true(a >= 1 && a <= n && b >= 1 && b <= n);
		ta[m] = a - 1;
		hd[m] = b - 1;
		ws[m++] = fft;
	}
	fclose(f);
	tnet_build(t, n, m, ta, hd, ws);
	free(ta);
	free(hd);
	free(ws);
	return 1;
}

static void test_chicago(void **state)
{
	tnet t;
	mr_ch *ch;
	mr_ch_query *q;
	mr_search *s;
	mr_ch_info info;
	int found;
	(void)state;
	if (!load_tntp(MR_SOURCE_DIR "/../shared/data/tntp/chicago-regional/ChicagoRegional_net.tntp", &t)) {
		printf("ch: Chicago Regional skipped (../shared/data/tntp/chicago-regional not found)\n");
		return;
	}
	assert_int_equal(t.n, 12982);
	assert_int_equal(t.m, 39018);
	assert_int_equal(mr_ch_build(&t.g, t.w, NULL, &ch, NULL), MR_OK);
	mr_ch_info_get(ch, &info);
	assert_int_equal(mr_ch_query_new(ch, &q), MR_OK);
	assert_int_equal(mr_search_new(&s, t.n, t.m), MR_OK);
	rng_state = 12982;
	found = compare_queries(&t, q, s, 1800, 0);
	found += compare_queries(&t, q, s, 200, 1);
	printf("ch: Chicago Regional, %u + %u arcs (%u shortcuts): 2000 queries equal Dijkstra (%d routed)\n",
	       info.m_up, info.m_down, info.shortcuts, found);
	assert_true(found > 1500);
	check_matrix(&t, ch, s, 2);
	mr_search_free(s);
	mr_ch_query_free(q);
	mr_ch_free(ch);
	tnet_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_cases),
		cmocka_unit_test(test_determinism_and_corruption),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_random_graphs),
		cmocka_unit_test(test_road_graphs),
		cmocka_unit_test(test_chicago),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
