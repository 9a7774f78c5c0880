/* mr_search.c: exact shortest paths on a CSR graph: Dijkstra, bidirectional Dijkstra and A*.
 *
 * State and invariants. A search object holds, per vertex v < cap_n:
 *   fw[v]  forward label {d, arc, stamp}: distance from the sources (offsets included) and the
 *          forward arc that reached v (MR_NONE for a source seed). Valid iff stamp == gen.
 *   bw[v]  backward label: distance to the targets (offsets included) and the forward arc that
 *          leaves v towards the targets (MR_NONE for a target seed). A* keeps its cached
 *          heuristic h(v) in bw[v].d instead. Valid iff stamp == gen.
 *   tg[v]  target mark {off, stamp} (Dijkstra and A*): v is a target with offset `off` (the
 *          smallest given for v) iff stamp == gen.
 * `gen` grows by one per search, so starting a search invalidates every label in O(1); on the
 * (4-billion-search) wrap-around the stamps are zeroed once. The heaps are cleared at the start
 * of each search in O(their size), i.e. O(vertices touched by the previous search). Hence a
 * query costs O(touched vertices and arcs), never O(n), and nothing is allocated after
 * mr_search_new.
 *
 * A vertex is settled in a direction when it has been popped from that direction's heap: it has
 * a valid label and is no longer in the heap (the heaps are not cleared at the end of a search,
 * which is what mr_search_dist relies on). A vertex is settled at most once per direction and
 * its label never changes afterwards: with w >= 0 a settled label cannot improve, and the
 * relaxations ignore the improvements that negative weights (or, in A*, an h made inconsistent
 * by one ulp of rounding) would bring. Hence a search ends after at most n pops per direction,
 * every parent arc comes from a vertex settled earlier, parent chains are simple paths, and no
 * input can make a search loop or overrun the path buffer. Negative weights break the contract
 * all the same: the answer is then not optimal.
 *
 * Arcs with weight INFINITY (or NaN) are never used: the candidate distance d + w is then not
 * smaller than any label. */
#include <math.h>
#include <string.h>

#include "meridian/mr_search.h"
#include "core/mr_heap.h"

typedef struct label {
	double d;
	uint32_t arc;
	uint32_t stamp;
} label;

typedef struct tmark {
	double off;
	uint32_t stamp;
} tmark;

_Static_assert(sizeof(label) == 16, "a label should fill a quarter of a cache line");

struct mr_search {
	uint32_t cap_n, cap_m; /* limits given to mr_search_new */
	uint32_t gen;          /* current generation; labels with another stamp are stale */
	uint32_t last_n;       /* vertex count of the graph of the last search (mr_search_dist) */
	label *fw, *bw;
	tmark *tg;
	mr_heap hf, hb;  /* forward and backward priority queues over vertex ids */
	uint32_t *path;  /* 2 * cap_n arcs: room for both halves of a bidirectional path */
	double arc_radius; /* A*: 0 = chord bound; > 0 = arc on a sphere of this radius (mr_astar_arc) */
};

int mr_search_new(mr_search **out, uint32_t n, uint32_t m)
{
	mr_search *s;
	int rc = MR_ENOMEM;

	if (!out)
		return MR_EINVAL;
	*out = NULL;
	/* ids must stay below the MR_NONE sentinel, which marks "no arc" / "no vertex" */
	if (n == MR_NONE || m == MR_NONE)
		return MR_EINVAL;
	s = mr_calloc(1, sizeof(*s));
	if (!s)
		return MR_ENOMEM;
	s->cap_n = n;
	s->cap_m = m;
	s->gen = 0; /* the first search moves to generation 1; calloc'd stamps are 0 */
	s->fw = mr_calloc(n ? n : 1, sizeof(*s->fw));
	s->bw = mr_calloc(n ? n : 1, sizeof(*s->bw));
	s->tg = mr_calloc(n ? n : 1, sizeof(*s->tg));
	s->path = mr_calloc(n ? n : 1, 2 * sizeof(*s->path));
	if (!s->fw || !s->bw || !s->tg || !s->path)
		goto fail;
	if ((rc = mr_heap_init(&s->hf, n)) != MR_OK)
		goto fail;
	if ((rc = mr_heap_init(&s->hb, n)) != MR_OK)
		goto fail;
	*out = s;
	return MR_OK;
fail:
	mr_search_free(s);
	return rc;
}

void mr_search_free(mr_search *s)
{
	if (!s)
		return;
	mr_free(s->fw);
	mr_free(s->bw);
	mr_free(s->tg);
	mr_free(s->path);
	mr_heap_free(&s->hf); /* both accept a zeroed heap */
	mr_heap_free(&s->hb);
	mr_free(s);
}

double mr_search_dist(const mr_search *s, uint32_t v)
{
	/* Exact for vertices settled by the last search's forward direction (with ndst == 0 that is
	 * every reachable vertex); tentative labels are upper bounds only, so they read INFINITY. */
	if (!s || v >= s->last_n || s->fw[v].stamp != s->gen || mr_heap_contains(&s->hf, v))
		return INFINITY;
	return s->fw[v].d;
}

/* ---- argument checks (O(1) per graph, O(k) per seed list) ---- */

static int check_graph(const mr_search *s, const mr_graph *g, const double *w, int backward)
{
	if (!g || !w || g->n > s->cap_n || g->m > s->cap_m)
		return MR_EINVAL;
	if (!g->first_out || !g->head || g->first_out[0] != 0 || g->first_out[g->n] != g->m)
		return MR_EINVAL;
	if (backward && (!g->first_in || !g->tail_in || !g->in_arc || g->first_in[0] != 0 ||
	                 g->first_in[g->n] != g->m))
		return MR_EINVAL;
	return MR_OK;
}

static int check_seeds(const mr_seed *x, size_t k, uint32_t n)
{
	size_t i;
	if (k == 0 || !x)
		return MR_EINVAL;
	for (i = 0; i < k; i++)
		if (x[i].v >= n || !(x[i].offset >= 0 && x[i].offset < INFINITY))
			return MR_EINVAL;
	return MR_OK;
}

static void set_empty(const mr_search *s, mr_path *out, uint32_t settled)
{
	out->cost = INFINITY;
	out->arcs = s->path;
	out->narcs = 0;
	out->first = out->last = MR_NONE;
	out->settled = settled;
}

/* ---- per-query setup ---- */

/* Start a new query on graph g: invalidate all labels and marks, empty both heaps. */
static void begin(mr_search *s, const mr_graph *g)
{
	if (++s->gen == 0) {
		uint32_t v;
		for (v = 0; v < s->cap_n; v++)
			s->fw[v].stamp = s->bw[v].stamp = s->tg[v].stamp = 0;
		s->gen = 1;
	}
	mr_heap_clear(&s->hf);
	mr_heap_clear(&s->hb);
	s->last_n = g->n;
}

/* Label the seeds in `lab` (offset as initial distance, no arc) and queue them in h. A vertex
 * listed twice keeps its smallest offset. */
static void seed(mr_search *s, label *lab, mr_heap *h, const mr_seed *x, size_t k)
{
	size_t i;
	for (i = 0; i < k; i++) {
		label *L = &lab[x[i].v];
		if (L->stamp != s->gen || x[i].offset < L->d) {
			L->stamp = s->gen;
			L->d = x[i].offset;
			L->arc = MR_NONE;
			mr_heap_push_or_decrease(h, x[i].v, x[i].offset);
		}
	}
}

/* Mark the targets (smallest offset per vertex); returns the number of distinct targets. */
static uint32_t mark_targets(mr_search *s, const mr_seed *x, size_t k)
{
	uint32_t distinct = 0;
	size_t i;
	for (i = 0; i < k; i++) {
		tmark *t = &s->tg[x[i].v];
		if (t->stamp != s->gen) {
			t->stamp = s->gen;
			t->off = x[i].offset;
			distinct++;
		} else if (x[i].offset < t->off) {
			t->off = x[i].offset;
		}
	}
	return distinct;
}

/* ---- path reconstruction ---- */

/* Tail of forward arc a: the v with first_out[v] <= a < first_out[v+1], by binary search (the
 * CSR has no tail array; this runs only once per path arc, not in the search loop). */
static uint32_t arc_tail(const mr_graph *g, uint32_t a)
{
	uint32_t lo = 0, hi = g->n; /* first_out[lo] <= a < first_out[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->first_out[mid] <= a)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Write the forward parent chain that ends at v into path[0..*len), last arc first, and return
 * its first vertex (a source). Each step goes to a vertex settled earlier, so there are at most
 * n - 1 steps. */
static uint32_t walk_forward(mr_search *s, const mr_graph *g, uint32_t v, uint32_t *len)
{
	uint32_t k = 0, a;
	while ((a = s->fw[v].arc) != MR_NONE) {
		s->path[k++] = a;
		v = arc_tail(g, a);
	}
	*len = k;
	return v;
}

static void reverse(uint32_t *x, uint32_t k)
{
	uint32_t i;
	for (i = 0; i < k / 2; i++) {
		uint32_t t = x[i];
		x[i] = x[k - 1 - i];
		x[k - 1 - i] = t;
	}
}

/* Fill out with the forward tree path to t (Dijkstra, A*). */
static void forward_path(mr_search *s, const mr_graph *g, uint32_t t, double cost, uint32_t settled,
                         mr_path *out)
{
	uint32_t k, first = walk_forward(s, g, t, &k);

	reverse(s->path, k);
	out->cost = cost;
	out->arcs = s->path;
	out->narcs = k;
	out->first = first;
	out->last = t;
	out->settled = settled;
}

/* ---- Dijkstra ---- */

int mr_dijkstra(mr_search *s, const mr_graph *g, const double *w, const mr_seed *src, size_t nsrc,
                const mr_seed *dst, size_t ndst, mr_path *out)
{
	mr_heap *h;
	label *fw;
	const uint32_t *first_out, *head;
	uint32_t gen, remaining = 0, settled = 0, best_t = MR_NONE;
	double best = INFINITY;

	if (!s || !out)
		return MR_EINVAL;
	if (check_graph(s, g, w, 0) || check_seeds(src, nsrc, g->n) ||
	    (ndst && check_seeds(dst, ndst, g->n))) {
		set_empty(s, out, 0);
		return MR_EINVAL;
	}
	begin(s, g);
	h = &s->hf;
	fw = s->fw;
	gen = s->gen;
	first_out = g->first_out;
	head = g->head;
	seed(s, fw, h, src, nsrc);
	if (ndst)
		remaining = mark_targets(s, dst, ndst);

	/* Invariant: every vertex with distance < top key is settled with its exact distance, and
	 * best = min over settled targets t of d(t) + off(t). Any target not yet settled costs at
	 * least top key (offsets are >= 0), so once top key >= best, best is optimal. */
	while (!mr_heap_empty(h) && mr_heap_top_key(h) < best) {
		double du;
		uint32_t u = mr_heap_pop(h, &du), a, end;

		settled++;
		if (ndst && s->tg[u].stamp == gen) {
			if (du + s->tg[u].off < best) {
				best = du + s->tg[u].off;
				best_t = u;
			}
			if (--remaining == 0)
				break; /* every target has its exact distance */
		}
		for (a = first_out[u], end = first_out[u + 1]; a < end; a++) {
			uint32_t v = head[a];
			double nd = du + w[a];
			label *L = &fw[v];
			if (L->stamp != gen) {
				if (!(nd < INFINITY))
					continue; /* unusable arc */
				L->stamp = gen;
				L->d = nd;
				L->arc = a;
				mr_heap_push(h, v, nd);
			} else if (nd < L->d && mr_heap_contains(h, v)) { /* settled: final */
				L->d = nd;
				L->arc = a;
				mr_heap_decrease(h, v, nd);
			}
		}
	}

	if (ndst == 0) {
		set_empty(s, out, settled);
		return MR_OK;
	}
	if (best_t == MR_NONE) {
		set_empty(s, out, settled);
		return MR_ENOROUTE;
	}
	forward_path(s, g, best_t, best, settled, out);
	return MR_OK;
}

/* ---- bidirectional Dijkstra ----
 *
 * Forward search from the sources over first_out/head (initial keys = source offsets),
 * backward search from the targets over first_in/tail_in/in_arc (initial keys = target
 * offsets). Whenever a label improves in one direction and the vertex has a label in the other,
 * mu = min(mu, df(v) + db(v)); mu is always the cost of a real path (meet vertex `meet`).
 * Each step advances the direction with the smaller top key.
 *
 * Invariant (I): whenever v has labels in both directions, mu <= df(v) + db(v). The seeds are
 * checked once both sides are seeded, and every later label change checks the sum again.
 *
 * Stopping rule: stop when kf + kb >= mu, where kf, kb are the top keys (INFINITY when a heap
 * is empty). Proof sketch: suppose a path P (source s, target t) costs c(P) < mu <= kf + kb.
 * Let pre(x) = off(s) + weight of P up to x and suf(x) = weight of P after x + off(t); for every
 * x on P, pre(x) + suf(x) = c(P) < kf + kb, so pre(x) < kf or suf(x) < kb. pre grows and suf
 * shrinks along P. Dijkstra's invariant: a vertex whose distance is below its direction's top
 * key is settled in that direction, so its label is exact and its arcs have been relaxed.
 *  - If pre(s) >= kf, then suf(s) < kb: s is settled backward, db(s) <= suf(s), and df(s) <=
 *    off(s) from the seed, so by (I) mu <= off(s) + suf(s) = c(P).
 *  - If pre(t) < kf, t is settled forward: df(t) <= pre(t), db(t) <= off(t), mu <= c(P).
 *  - Otherwise let x be the last vertex of P with pre(x) < kf, and (x,y) the next arc of P:
 *    pre(y) >= kf, so suf(y) < kb. x is settled forward, so relaxing (x,y) gave
 *    df(y) <= df(x) + w(x,y) <= pre(y); y is settled backward, db(y) <= suf(y). By (I),
 *    mu <= pre(y) + suf(y) = c(P).
 * Each case contradicts c(P) < mu, so mu is optimal. With one heap empty the sum is INFINITY
 * and the search stops: with mu = INFINITY this proves there is no path at all.
 *
 * Labels only decrease, and every decrease re-checks the meeting, so at the end
 * mu == df(meet) + db(meet) and the two parent chains through meet form an optimal path. */

/* Assemble the path source -> meet -> target into s->path: the forward parent chain (reversed)
 * followed by the backward one. Each half is a tree path, hence simple. The halves share no
 * vertex but meet: if x were on both, both of its labels were final before meet's were derived
 * from them, so by (I) mu <= df(x) + db(x) <= df(meet) + db(meet) (adding a weight >= 0 never
 * rounds below the first term) before meet's final labels existed, and mu moves to a vertex
 * only on a strict improvement. (Only if rounding absorbed a strict label decrease, e.g. with
 * offsets near 1e18, could the result repeat a vertex; it is then a walk around a cycle of
 * zero rounded cost, still within the 2n-arc buffer.) */
static void bidi_path(mr_search *s, const mr_graph *g, uint32_t meet, double cost, uint32_t settled,
                      mr_path *out)
{
	uint32_t kf, kb = 0, v = meet, first, a;

	first = walk_forward(s, g, meet, &kf);
	reverse(s->path, kf);
	while ((a = s->bw[v].arc) != MR_NONE) { /* at most n - 1 steps, as walk_forward */
		s->path[kf + kb++] = a;
		v = g->head[a];
	}
	out->cost = cost;
	out->arcs = s->path;
	out->narcs = kf + kb;
	out->first = first;
	out->last = v;
	out->settled = settled;
}

int mr_bidijkstra(mr_search *s, const mr_graph *g, const double *w, const mr_seed *src, size_t nsrc,
                  const mr_seed *dst, size_t ndst, mr_path *out)
{
	mr_heap *hf, *hb;
	label *fw, *bw;
	const uint32_t *first_out, *head, *first_in, *tail_in, *in_arc;
	uint32_t gen, settled = 0, meet = MR_NONE;
	double mu = INFINITY;
	size_t i;

	if (!s || !out)
		return MR_EINVAL;
	if (check_graph(s, g, w, 1) || check_seeds(src, nsrc, g->n) || check_seeds(dst, ndst, g->n)) {
		set_empty(s, out, 0);
		return MR_EINVAL;
	}
	begin(s, g);
	hf = &s->hf;
	hb = &s->hb;
	fw = s->fw;
	bw = s->bw;
	gen = s->gen;
	first_out = g->first_out;
	head = g->head;
	first_in = g->first_in;
	tail_in = g->tail_in;
	in_arc = g->in_arc;

	seed(s, fw, hf, src, nsrc);
	seed(s, bw, hb, dst, ndst);
	for (i = 0; i < ndst; i++) { /* a vertex that is both a source and a target */
		uint32_t v = dst[i].v;
		if (fw[v].stamp == gen && fw[v].d + bw[v].d < mu) {
			mu = fw[v].d + bw[v].d;
			meet = v;
		}
	}

	for (;;) {
		double kf = mr_heap_empty(hf) ? INFINITY : mr_heap_top_key(hf);
		double kb = mr_heap_empty(hb) ? INFINITY : mr_heap_top_key(hb);
		double du;
		uint32_t u, a, end;

		if (kf + kb >= mu)
			break; /* see the proof above; also ends when either heap is empty */
		settled++;
		if (kf <= kb) {
			u = mr_heap_pop(hf, &du);
			for (a = first_out[u], end = first_out[u + 1]; a < end; a++) {
				uint32_t v = head[a];
				double nd = du + w[a];
				label *L = &fw[v];
				if (L->stamp != gen) {
					if (!(nd < INFINITY))
						continue;
					L->stamp = gen;
					L->d = nd;
					L->arc = a;
					mr_heap_push(hf, v, nd);
				} else if (nd < L->d && mr_heap_contains(hf, v)) {
					L->d = nd;
					L->arc = a;
					mr_heap_decrease(hf, v, nd);
				} else {
					continue;
				}
				if (bw[v].stamp == gen && nd + bw[v].d < mu) {
					mu = nd + bw[v].d;
					meet = v;
				}
			}
		} else {
			u = mr_heap_pop(hb, &du);
			for (a = first_in[u], end = first_in[u + 1]; a < end; a++) {
				uint32_t x = tail_in[a], fa = in_arc[a];
				double nd = du + w[fa];
				label *L = &bw[x];
				if (L->stamp != gen) {
					if (!(nd < INFINITY))
						continue;
					L->stamp = gen;
					L->d = nd;
					L->arc = fa;
					mr_heap_push(hb, x, nd);
				} else if (nd < L->d && mr_heap_contains(hb, x)) {
					L->d = nd;
					L->arc = fa;
					mr_heap_decrease(hb, x, nd);
				} else {
					continue;
				}
				if (fw[x].stamp == gen && fw[x].d + nd < mu) {
					mu = fw[x].d + nd;
					meet = x;
				}
			}
		}
	}

	if (meet == MR_NONE) {
		set_empty(s, out, settled);
		return MR_ENOROUTE;
	}
	bidi_path(s, g, meet, mu, settled, out);
	return MR_OK;
}

/* ---- A* ----
 *
 * Keys are g(v) + h(v), h(v) = ratio * min over targets t of chord(v, t). With
 * w(u,v) >= ratio * chord(u,v) and the triangle inequality, h(u) <= w(u,v) + h(v) (consistent)
 * and h(t) = 0 at every target, so A* is Dijkstra on the reduced weights w + h(v) - h(u):
 * settled vertices have exact g, targets are popped at key g(t), and the stopping rule of
 * mr_dijkstra (top key >= best target cost, offsets included) stays exact. h ignores target
 * offsets, which only makes it smaller (still a lower bound). h(v) is computed once per vertex
 * and query and cached in bw[v].d. */
static double astar_h(mr_search *s, const double *xyz, double ratio, const mr_seed *dst,
                      size_t ndst, uint32_t v)
{
	label *L = &s->bw[v];
	const double *p = xyz + 3 * (size_t)v;
	double best2 = INFINITY, hv;
	size_t i;

	if (L->stamp == s->gen)
		return L->d;
	if (s->arc_radius > 0) {
		/* ratio x radius x the angle between p and the nearest target, seen from the centre */
		double best_angle = INFINITY;
		for (i = 0; i < ndst; i++) {
			const double *q = xyz + 3 * (size_t)dst[i].v;
			double cx = p[1] * q[2] - p[2] * q[1], cy = p[2] * q[0] - p[0] * q[2], cz = p[0] * q[1] - p[1] * q[0];
			double dot = p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
			double angle = atan2(sqrt(cx * cx + cy * cy + cz * cz), dot);
			if (angle < best_angle)
				best_angle = angle;
		}
		hv = ratio * s->arc_radius * best_angle;
		if (!(hv < INFINITY))
			hv = 0;
		L->stamp = s->gen;
		L->d = hv;
		return hv;
	}
	for (i = 0; i < ndst; i++) {
		const double *q = xyz + 3 * (size_t)dst[i].v;
		double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
		double d2 = dx * dx + dy * dy + dz * dz;
		if (d2 < best2)
			best2 = d2;
	}
	hv = ratio * sqrt(best2);
	if (!(hv < INFINITY))
		hv = 0; /* non-finite coordinates: fall back to no estimate rather than a bad key */
	L->stamp = s->gen;
	L->d = hv;
	return hv;
}

int mr_astar_arc(mr_search *s, const mr_graph *g, const double *w, const double *xyz, double ratio,
                 double radius, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                 mr_path *out)
{
	int rc;
	if (!s || !(radius > 0 && radius < INFINITY))
		return MR_EINVAL;
	s->arc_radius = radius;
	rc = mr_astar(s, g, w, xyz, ratio, src, nsrc, dst, ndst, out);
	s->arc_radius = 0;
	return rc;
}

int mr_astar(mr_search *s, const mr_graph *g, const double *w, const double *xyz, double ratio,
             const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst, mr_path *out)
{
	mr_heap *h;
	label *fw;
	const uint32_t *first_out, *head;
	uint32_t gen, remaining, settled = 0, best_t = MR_NONE;
	double best = INFINITY;
	int use_h = ratio > 0;
	size_t i;

	if (!s || !out)
		return MR_EINVAL;
	if (check_graph(s, g, w, 0) || check_seeds(src, nsrc, g->n) || check_seeds(dst, ndst, g->n) ||
	    !(ratio >= 0 && ratio < INFINITY) || (use_h && !xyz)) {
		set_empty(s, out, 0);
		return MR_EINVAL;
	}
	begin(s, g);
	h = &s->hf;
	fw = s->fw;
	gen = s->gen;
	first_out = g->first_out;
	head = g->head;
	/* seeds: g = offset, key = offset + h */
	for (i = 0; i < nsrc; i++) {
		uint32_t v = src[i].v;
		label *L = &fw[v];
		if (L->stamp != gen || src[i].offset < L->d) {
			L->stamp = gen;
			L->d = src[i].offset;
			L->arc = MR_NONE;
			mr_heap_push_or_decrease(h, v, src[i].offset +
			                         (use_h ? astar_h(s, xyz, ratio, dst, ndst, v) : 0.0));
		}
	}
	remaining = mark_targets(s, dst, ndst);

	while (!mr_heap_empty(h) && mr_heap_top_key(h) < best) {
		uint32_t u = mr_heap_pop(h, NULL), a, end;
		double gu = fw[u].d;

		settled++;
		if (s->tg[u].stamp == gen) {
			if (gu + s->tg[u].off < best) {
				best = gu + s->tg[u].off;
				best_t = u;
			}
			if (--remaining == 0)
				break;
		}
		for (a = first_out[u], end = first_out[u + 1]; a < end; a++) {
			uint32_t v = head[a];
			double nd = gu + w[a];
			label *L = &fw[v];
			if (L->stamp != gen) {
				if (!(nd < INFINITY))
					continue;
				L->stamp = gen;
				L->d = nd;
				L->arc = a;
				mr_heap_push(h, v, nd + (use_h ? astar_h(s, xyz, ratio, dst, ndst, v) : 0.0));
			} else if (nd < L->d && mr_heap_contains(h, v)) {
				L->d = nd;
				L->arc = a;
				/* h(v) is cached; the new key is not larger than the old one */
				mr_heap_decrease(h, v, nd + (use_h ? s->bw[v].d : 0.0));
			}
		}
	}

	if (best_t == MR_NONE) {
		set_empty(s, out, settled);
		return MR_ENOROUTE;
	}
	forward_path(s, g, best_t, best, settled, out);
	return MR_OK;
}

/* ---- A* with a caller's potential ----
 * As mr_astar, with h(v) = pot[v] given for every vertex. The same argument holds: when pot is
 * consistent (pot[tail] <= w[a] + pot[head] for every usable arc, pot[t] <= off(t) for every
 * target), settled vertices have exact distances and the stopping rule is exact. A vertex with
 * pot[v] == INFINITY cannot reach a target and is never entered. */
int mr_astar_pot(mr_search *s, const mr_graph *g, const double *w, const double *pot, const mr_seed *src,
                 size_t nsrc, const mr_seed *dst, size_t ndst, mr_path *out)
{
	mr_heap *h;
	label *fw;
	const uint32_t *first_out, *head;
	uint32_t gen, remaining, settled = 0, best_t = MR_NONE;
	double best = INFINITY;
	size_t i;

	if (!s || !out)
		return MR_EINVAL;
	if (check_graph(s, g, w, 0) || check_seeds(src, nsrc, g->n) || check_seeds(dst, ndst, g->n) || !pot) {
		set_empty(s, out, 0);
		return MR_EINVAL;
	}
	begin(s, g);
	h = &s->hf;
	fw = s->fw;
	gen = s->gen;
	first_out = g->first_out;
	head = g->head;
	for (i = 0; i < nsrc; i++) {
		uint32_t v = src[i].v;
		label *L = &fw[v];
		if (!(pot[v] < INFINITY))
			continue;
		if (L->stamp != gen || src[i].offset < L->d) {
			L->stamp = gen;
			L->d = src[i].offset;
			L->arc = MR_NONE;
			mr_heap_push_or_decrease(h, v, src[i].offset + pot[v]);
		}
	}
	remaining = mark_targets(s, dst, ndst);
	while (!mr_heap_empty(h) && mr_heap_top_key(h) < best) {
		uint32_t u = mr_heap_pop(h, NULL), a, end;
		double gu = fw[u].d;
		settled++;
		if (s->tg[u].stamp == gen) {
			if (gu + s->tg[u].off < best) {
				best = gu + s->tg[u].off;
				best_t = u;
			}
			if (--remaining == 0)
				break;
		}
		for (a = first_out[u], end = first_out[u + 1]; a < end; a++) {
			uint32_t v = head[a];
			double nd = gu + w[a];
			label *L = &fw[v];
			if (!(pot[v] < INFINITY))
				continue;
			if (L->stamp != gen) {
				if (!(nd < INFINITY))
					continue;
				L->stamp = gen;
				L->d = nd;
				L->arc = a;
				mr_heap_push(h, v, nd + pot[v]);
			} else if (nd < L->d && mr_heap_contains(h, v)) {
				L->d = nd;
				L->arc = a;
				mr_heap_decrease(h, v, nd + pot[v]);
			}
		}
	}
	if (best_t == MR_NONE) {
		set_empty(s, out, settled);
		return MR_ENOROUTE;
	}
	forward_path(s, g, best_t, best, settled, out);
	return MR_OK;
}
