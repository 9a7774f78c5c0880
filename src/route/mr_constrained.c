/* mr_constrained.c: exact regular-language-constrained shortest paths (Dijkstra on the product of
 * a graph and a DFA over arc classes) and the corridor pattern compiler that builds such DFAs.
 *
 * Method and exactness. The product graph P has a node (v, q) for every vertex v and automaton
 * state q, and an arc (u, q) -> (head(a), delta[q][cls[a]]) of weight w[a] for every arc a out
 * of u whose transition is not MR_DFA_DEAD. A walk of the graph from s to t is accepted by the
 * automaton iff its image in P, which is unique because the automaton is deterministic, runs
 * from (s, start) to (t, f) with f accepting, and the two have the same cost. So the cheapest
 * accepted walk is the cheapest path in P from a seed (s, start) to a pair (t, f), offsets
 * included, and mr_constrained_search finds it with plain Dijkstra on P: the result is exact,
 * with the same argument as mr_search.c. mr_constrained_search_astar is the same search with keys
 * d + h[v] for a caller's lower bound h per vertex: A* on P, where h is a potential of P too
 * (h(v, q) = h[v]), consistent on P whenever it is on the arcs that P uses, so the same argument
 * holds on the reduced weights w[a] - h[tail] + h[head] >= 0. P is never built; its arcs are
 * generated from the CSR and the transition table while the search runs. A shortest path in P is
 * simple in P but its projection may visit a vertex of the graph several times in different
 * states (go to a required arc and come back), so it is a walk of at most n * nstates - 1 arcs.
 *
 * State and invariants of a search object. Pair (v, q) has id x = v << shift | q, where shift is
 * the smallest with (1 << shift) >= nstates of the query's automaton (<= cap_shift, so every id
 * fits in the arrays sized cap_n << cap_shift). Per pair:
 *   lab[x]  {d, arc, tag}: valid iff tag >> 8 == gen; then d is the best known cost of reaching
 *           (v, q) from the seeds (offsets included), arc the last arc of that walk (MR_NONE for
 *           a seed) and tag & 0xff the state before that arc (the predecessor pair is
 *           (tail(arc), tag & 0xff)).
 * Per vertex:
 *   tg[v]   v is a target with offset off (the smallest given) iff stamp == gen; it has been
 *           counted (reached in an accepting state) iff done == gen.
 * `gen` (1 .. 2^24 - 1) grows by one per search, which invalidates every label in O(1); on
 * wrap-around every tag and mark is zeroed once (every 16.7 million searches). The heap is
 * cleared at the start of a search in O(its size), i.e. O(pairs touched by the previous search).
 * So a search costs O(touched pairs and their arcs) plus O(nstates * nclasses) for checking the
 * automaton, and allocates nothing. Only a search that has settled more than n / 4 pairs, on a
 * graph with a backward CSR and with an automaton that has a class dead in every state (a forbid,
 * an only), also pays one O(n + arcs) pass (mark_reach): seen[v] = 1 iff a target can be reached
 * from v over arcs whose class some state takes; from then on pairs of the other vertices are
 * dropped, which is exact (no accepted walk passes through them) and ends at once a search whose
 * targets a forbid or an only has cut off. When it prunes nothing the pass costs about a tenth
 * of such a search (a 100,000-vertex grid with 2 % of the arcs forbidden).
 *
 * A pair is settled when popped from the heap; its label is then final: with w >= 0 a settled
 * label cannot improve, and relaxations never change a label that is not in the heap. Hence each
 * pair is popped at most once, a parent pair was always settled before its child's label was
 * last set, parent chains are simple paths in P (at most (n << shift) - 1 arcs: the size of the
 * path buffers), and no input can make a search loop. Loop invariant: every pair whose distance
 * is below the top key (the key of a pair is d + h, h = 0 without a bound) is settled with its
 * exact distance, and best is the smallest
 * d(t, f) + off(t) over the settled pairs with t a target and f accepting; any other accepted
 * end costs at least the top key (offsets are >= 0), so the search stops when the top key
 * reaches best, or when every target vertex has been reached in an accepting state (its first
 * such pop is its cheapest: the pairs of one vertex share h, so they leave in order of d).
 *
 * Pattern compiler. A pattern is a conjunction of require / forbid / only / one sequence over
 * 16 arc predicates. An arc is dead when it has a forbidden predicate or lacks an `only` one;
 * otherwise its effect depends only on its key = features & (require bits | sequence bits). The
 * compiler gives each distinct key present one class, and all dead arcs one more class whose
 * transitions are MR_DFA_DEAD. States are the progress tuples (R, i): R the set of requires met,
 * i the number of sequence elements matched greedily (an arc with p[i+1] advances i by one,
 * which decides subsequence containment exactly), reachable from (0, 0) by breadth-first search
 * over the classes present. Tuples only grow (R gains bits, i increases), so the transition graph
 * is acyclic apart from self-loops and one pass in decreasing order of |R| + i finds the states
 * from which an accepting tuple (R = all requires, i = sequence length) can be reached; the
 * others are dropped and transitions into them become dead, which prunes the search and makes an
 * unsatisfiable pattern fail at once. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "meridian/mr_constrained.h"
#include "core/mr_heap.h"

#define GEN_MAX ((1u << 24) - 1)

typedef struct plabel {
	double d;
	uint32_t arc;
	uint32_t tag; /* gen << 8 | state before arc */
} plabel;

typedef struct tmark {
	double off;
	uint32_t stamp, done;
} tmark;

_Static_assert(sizeof(plabel) == 16, "a label should fill a quarter of a cache line");
_Static_assert(MR_DFA_MAX_STATES <= 256, "states must fit in the 8 low bits of a tag");

struct mr_constrained {
	uint32_t cap_n, cap_m, cap_states, cap_shift;
	uint32_t gen;
	size_t npairs;    /* cap_n << cap_shift */
	plabel *lab;      /* npairs */
	tmark *tg;        /* cap_n */
	mr_heap h;        /* over pair ids */
	uint32_t *path;   /* npairs arcs */
	uint16_t *states; /* npairs + 1 states */
	uint64_t live[65536 / 64]; /* scratch (mark_live): the classes some state takes */
	uint32_t *queue;           /* cap_n vertices: scratch of the pruning pass (mark_reach) */
	uint8_t *seen;             /* cap_n flags: the pruning pass's result */
};

static uint32_t shift_for(uint32_t nstates)
{
	uint32_t s = 0;
	while ((1u << s) < nstates)
		s++;
	return s;
}

/* ---- automata ---- */

int mr_dfa_check(const mr_dfa *d)
{
	size_t i, k;

	if (!d || d->nstates == 0 || d->nstates > MR_DFA_MAX_STATES || d->start >= d->nstates ||
	    d->nclasses > 65536u || !d->accepting)
		return MR_EINVAL;
	k = (size_t)d->nstates * d->nclasses;
	if (k && !d->delta)
		return MR_EINVAL;
	for (i = 0; i < k; i++)
		if (d->delta[i] != MR_DFA_DEAD && d->delta[i] >= d->nstates)
			return MR_EINVAL;
	return MR_OK;
}

void mr_dfa_free(mr_dfa *d)
{
	if (!d)
		return;
	mr_free(d->storage);
	memset(d, 0, sizeof(*d));
}

/* ---- search object ---- */

int mr_constrained_new(mr_constrained **out, uint32_t n, uint32_t m, uint32_t max_states)
{
	mr_constrained *s;
	uint32_t shift;
	uint64_t npairs;
	int rc = MR_ENOMEM;

	if (!out)
		return MR_EINVAL;
	*out = NULL;
	if (n == MR_NONE || m == MR_NONE || max_states == 0 || max_states > MR_DFA_MAX_STATES)
		return MR_EINVAL;
	shift = shift_for(max_states);
	npairs = (uint64_t)n << shift;
	if (npairs >= MR_HEAP_ABSENT) /* pair ids are heap items and must stay below the sentinel */
		return MR_EINVAL;
	s = mr_calloc(1, sizeof(*s));
	if (!s)
		return MR_ENOMEM;
	s->cap_n = n;
	s->cap_m = m;
	s->cap_states = max_states;
	s->cap_shift = shift;
	s->npairs = (size_t)npairs;
	s->gen = 0; /* the first search moves to generation 1; calloc'd tags are 0 */
	s->lab = mr_calloc(npairs ? npairs : 1, sizeof(*s->lab));
	s->tg = mr_calloc(n ? n : 1, sizeof(*s->tg));
	s->path = mr_calloc(npairs ? npairs : 1, sizeof(*s->path));
	s->states = mr_calloc(npairs + 1, sizeof(*s->states));
	s->queue = mr_malloc((n ? n : 1) * sizeof(*s->queue));
	s->seen = mr_malloc(n ? n : 1);
	if (!s->lab || !s->tg || !s->path || !s->states || !s->queue || !s->seen)
		goto fail;
	if ((rc = mr_heap_init(&s->h, (uint32_t)npairs)) != MR_OK)
		goto fail;
	*out = s;
	return MR_OK;
fail:
	mr_constrained_free(s);
	return rc;
}

void mr_constrained_free(mr_constrained *s)
{
	if (!s)
		return;
	mr_free(s->lab);
	mr_free(s->tg);
	mr_free(s->path);
	mr_free(s->states);
	mr_free(s->queue);
	mr_free(s->seen);
	mr_heap_free(&s->h); /* accepts a zeroed heap */
	mr_free(s);
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

static int check_args(const mr_constrained *s, const mr_graph *g, const double *w,
                      const uint16_t *cls, const mr_dfa *dfa, const mr_seed *src, size_t nsrc,
                      const mr_seed *dst, size_t ndst)
{
	if (!g || !w || g->n > s->cap_n || g->m > s->cap_m || (g->m && !cls))
		return MR_EINVAL;
	if (!g->first_out || !g->head || g->first_out[0] != 0 || g->first_out[g->n] != g->m)
		return MR_EINVAL;
	if (mr_dfa_check(dfa) != MR_OK || dfa->nstates > s->cap_states)
		return MR_EINVAL;
	if (check_seeds(src, nsrc, g->n) != MR_OK || check_seeds(dst, ndst, g->n) != MR_OK)
		return MR_EINVAL;
	return MR_OK;
}

static void set_empty(mr_constrained *s, mr_cpath *out, uint32_t settled)
{
	out->path.cost = INFINITY;
	out->path.arcs = s->path;
	out->path.narcs = 0;
	out->path.first = out->path.last = MR_NONE;
	out->path.settled = settled;
	out->states = s->states;
}

/* Start a new query: invalidate all labels and marks, empty the heap. */
static void begin(mr_constrained *s)
{
	if (++s->gen > GEN_MAX) {
		size_t i;
		for (i = 0; i < s->npairs; i++)
			s->lab[i].tag = 0;
		for (i = 0; i < s->cap_n; i++)
			s->tg[i].stamp = s->tg[i].done = 0;
		s->gen = 1;
	}
	mr_heap_clear(&s->h);
}

/* Tail of forward arc a, by binary search on first_out (only for path arcs). */
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

/* Follow the parent chain from the settled pair x: arcs into s->path and states into s->states,
 * source to target. */
static void build_path(mr_constrained *s, const mr_graph *g, uint32_t x, uint32_t shift,
                       double cost, uint32_t settled, mr_cpath *out)
{
	uint32_t mask = (1u << shift) - 1, k = 0, i, a, last = x >> shift;

	s->states[0] = (uint16_t)(x & mask);
	while ((a = s->lab[x].arc) != MR_NONE) {
		uint32_t ps = s->lab[x].tag & 0xffu;
		s->path[k++] = a;
		s->states[k] = (uint16_t)ps;
		x = arc_tail(g, a) << shift | ps;
	}
	for (i = 0; i < k / 2; i++) {
		uint32_t t = s->path[i];
		s->path[i] = s->path[k - 1 - i];
		s->path[k - 1 - i] = t;
	}
	for (i = 0; i < (k + 1) / 2; i++) {
		uint16_t t = s->states[i];
		s->states[i] = s->states[k - i];
		s->states[k - i] = t;
	}
	out->path.cost = cost;
	out->path.arcs = s->path;
	out->path.narcs = k;
	out->path.first = x >> shift;
	out->path.last = last;
	out->path.settled = settled;
	out->states = s->states;
}

/* s->live: the classes that some state of dfa can take (dfa checked). */
static void mark_live(mr_constrained *s, const mr_dfa *dfa)
{
	uint32_t c, q;
	memset(s->live, 0, ((size_t)dfa->nclasses + 63) / 64 * sizeof(uint64_t));
	for (q = 0; q < dfa->nstates; q++)
		for (c = 0; c < dfa->nclasses; c++)
			if (dfa->delta[(size_t)q * dfa->nclasses + c] != MR_DFA_DEAD)
				s->live[c >> 6] |= (uint64_t)1 << (c & 63);
}

/* s->seen[v] = 1 iff a target can be reached from v over arcs whose class some state can take
 * (no accepted walk leaves the others; weights are not read: an unusable arc only makes the
 * marking less tight, and reading w would slow the pass by a third): breadth-first over the
 * backward CSR, O(n + reached arcs). MR_EINVAL for a class out of range. */
static int mark_reach(mr_constrained *s, const mr_graph *g, const uint16_t *cls, const mr_dfa *dfa,
                      const mr_seed *dst, size_t ndst)
{
	const uint32_t *first_in = g->first_in, *tail_in = g->tail_in, *in_arc = g->in_arc;
	uint32_t *queue = s->queue, qh = 0, qt = 0; /* each vertex enters once: n entries suffice */
	uint8_t *seen = s->seen;
	size_t i;

	mark_live(s, dfa);
	memset(seen, 0, g->n);
	for (i = 0; i < ndst; i++)
		if (!seen[dst[i].v]) {
			seen[dst[i].v] = 1;
			queue[qt++] = dst[i].v;
		}
	while (qh < qt) {
		uint32_t u = queue[qh++], b, end;
		for (b = first_in[u], end = first_in[u + 1]; b < end; b++) {
			uint32_t a = in_arc[b], t = tail_in[b], c;
			if (seen[t])
				continue;
			if ((c = cls[a]) >= dfa->nclasses)
				return MR_EINVAL;
			if (!(s->live[c >> 6] >> (c & 63) & 1u))
				continue;
			seen[t] = 1;
			queue[qt++] = t;
		}
	}
	return MR_OK;
}

int mr_constrained_search(mr_constrained *s, const mr_graph *g, const double *w,
                          const uint16_t *cls, const mr_dfa *dfa, const mr_seed *src, size_t nsrc,
                          const mr_seed *dst, size_t ndst, mr_cpath *out)
{
	return mr_constrained_search_astar(s, g, w, cls, dfa, NULL, src, nsrc, dst, ndst, out);
}

int mr_constrained_search_astar(mr_constrained *s, const mr_graph *g, const double *w,
                                const uint16_t *cls, const mr_dfa *dfa, const double *bound,
                                const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                                mr_cpath *out)
{
	mr_heap *h;
	plabel *lab;
	tmark *tg;
	const uint32_t *first_out, *head;
	const uint16_t *delta;
	const uint8_t *acc;
	uint32_t gen, shift, mask, nclasses, start, remaining = 0, settled = 0, best_x = MR_NONE;
	uint32_t prune_at; /* settled count at which unreachable vertices are marked (MR_NONE: never) */
	const uint8_t *seen = NULL; /* after that: seen[v] == 0 means v cannot reach a target */
	double best = INFINITY;
	size_t i;

	if (!s || !out)
		return MR_EINVAL;
	if (check_args(s, g, w, cls, dfa, src, nsrc, dst, ndst) != MR_OK) {
		set_empty(s, out, 0);
		return MR_EINVAL;
	}
	prune_at = MR_NONE;
	if (g->first_in && g->tail_in && g->in_arc && g->first_in[0] == 0 && g->first_in[g->n] == g->m) {
		/* worth it only if some class is dead in every state (a forbid, an only): without, the
		 * pass would find little that the search does not, at the cost of O(n + arcs) */
		mark_live(s, dfa);
		for (i = 0; i < dfa->nclasses; i++)
			if (!(s->live[i >> 6] >> (i & 63) & 1u)) {
				prune_at = (g->n >> 2) + 1;
				break;
			}
	}
	begin(s);
	h = &s->h;
	lab = s->lab;
	tg = s->tg;
	gen = s->gen;
	first_out = g->first_out;
	head = g->head;
	delta = dfa->delta;
	acc = dfa->accepting;
	nclasses = dfa->nclasses;
	start = dfa->start;
	shift = shift_for(dfa->nstates);
	mask = (1u << shift) - 1;

	for (i = 0; i < nsrc; i++) { /* a vertex listed twice keeps its smallest offset */
		uint32_t x = src[i].v << shift | start;
		plabel *L = &lab[x];
		double hx = bound ? bound[src[i].v] : 0.0;
		if (!(hx < INFINITY))
			continue; /* no accepted target from there */
		if ((L->tag >> 8) != gen || src[i].offset < L->d) {
			L->d = src[i].offset;
			L->arc = MR_NONE;
			L->tag = gen << 8;
			mr_heap_push_or_decrease(h, x, src[i].offset + hx);
		}
	}
	for (i = 0; i < ndst; i++) {
		tmark *t = &tg[dst[i].v];
		if (t->stamp != gen) {
			t->stamp = gen;
			t->off = dst[i].offset;
			remaining++;
		} else if (dst[i].offset < t->off) {
			t->off = dst[i].offset;
		}
	}

	/* Keys are d + h (h = 0 without a bound). Pairs leave the heap in key order and, h being
	 * consistent, with their final d; a target pair (t, f) popped with key k costs
	 * d + off(t) >= k, and every pair still queued costs at least its key: stop once the top key
	 * reaches best. */
	while (!mr_heap_empty(h) && mr_heap_top_key(h) < best) {
		double key, du;
		uint32_t x, u, q, a, end;
		const uint16_t *row;

		if (settled == prune_at && !seen) {
			/* A large search: find once, in O(n + arcs), the vertices from which no target can
			 * be reached over arcs some state takes (a forbid or an only may cut off whole
			 * regions, or the target itself), and drop their pairs from now on. Exactness is
			 * kept: no accepted walk passes through them. */
			if (mark_reach(s, g, cls, dfa, dst, ndst) != MR_OK) {
				set_empty(s, out, settled);
				return MR_EINVAL;
			}
			seen = s->seen;
		}
		x = mr_heap_pop(h, &key);
		u = x >> shift;
		if (seen && !seen[u])
			continue;
		q = x & mask;
		row = delta + (size_t)q * nclasses;
		du = lab[x].d;
		settled++;
		if (acc[q] && tg[u].stamp == gen) {
			if (du + tg[u].off < best) {
				best = du + tg[u].off;
				best_x = x;
			}
			/* The pairs of u leave in order of d (h depends on u only), so the first accepting
			 * pop of u is its cheapest; once every target has had one, best is final. */
			if (tg[u].done != gen) {
				tg[u].done = gen;
				if (--remaining == 0)
					break;
			}
		}
		for (a = first_out[u], end = first_out[u + 1]; a < end; a++) {
			uint32_t c = cls[a], q2, y, v;
			double nd, hy;
			plabel *L;

			if (c >= nclasses) {
				set_empty(s, out, settled);
				return MR_EINVAL;
			}
			q2 = row[c];
			if (q2 == MR_DFA_DEAD)
				continue;
			nd = du + w[a];
			v = head[a];
			y = v << shift | q2;
			L = &lab[y];
			if ((L->tag >> 8) != gen) {
				if (!(nd < INFINITY) || (seen && !seen[v]))
					continue; /* unusable arc, or no target from v */
				hy = bound ? bound[v] : 0.0;
				if (!(hy < INFINITY))
					continue; /* no accepted target from (v, q2) */
				L->d = nd;
				L->arc = a;
				L->tag = gen << 8 | q;
				mr_heap_push(h, y, nd + hy);
			} else if (nd < L->d && mr_heap_contains(h, y)) { /* settled: final */
				L->d = nd;
				L->arc = a;
				L->tag = gen << 8 | q;
				mr_heap_decrease(h, y, nd + (bound ? bound[v] : 0.0));
			}
		}
	}

	if (best_x == MR_NONE) {
		set_empty(s, out, settled);
		return MR_ENOROUTE;
	}
	build_path(s, g, best_x, shift, best, settled, out);
	return MR_OK;
}

/* Checks of mr_constrained_potential; with dfa, marks in s->live the classes that some state can
 * take. */
static int potential_args(mr_constrained *s, const mr_graph *g, const double *w, const uint16_t *cls,
                          const mr_dfa *dfa, const mr_seed *seeds, size_t nseeds, const double *pot)
{
	if (!s || !g || !w || !pot || g->n > s->cap_n || g->m > s->cap_m)
		return MR_EINVAL;
	if (!g->first_out || !g->head || g->first_out[0] != 0 || g->first_out[g->n] != g->m)
		return MR_EINVAL;
	if (!g->first_in || !g->tail_in || !g->in_arc || g->first_in[0] != 0 || g->first_in[g->n] != g->m)
		return MR_EINVAL;
	if (nseeds && check_seeds(seeds, nseeds, g->n) != MR_OK)
		return MR_EINVAL;
	if (dfa && (mr_dfa_check(dfa) != MR_OK || (g->m && !cls)))
		return MR_EINVAL;
	if (dfa)
		mark_live(s, dfa);
	return MR_OK;
}

int mr_constrained_potential(mr_constrained *s, const mr_graph *g, const double *w,
                             const uint16_t *cls, const mr_dfa *dfa, const mr_seed *seeds,
                             size_t nseeds, double *pot)
{
	mr_heap *h;
	const uint32_t *first_in, *tail_in, *in_arc;
	uint32_t v;
	size_t i;

	if (potential_args(s, g, w, cls, dfa, seeds, nseeds, pot) != MR_OK)
		return MR_EINVAL;
	for (v = 0; v < g->n; v++)
		pot[v] = INFINITY;
	h = &s->h;
	mr_heap_clear(h); /* vertex ids are pair ids below n << shift: the heap is large enough */
	for (i = 0; i < nseeds; i++)
		if (seeds[i].offset < pot[seeds[i].v]) {
			pot[seeds[i].v] = seeds[i].offset;
			mr_heap_push_or_decrease(h, seeds[i].v, seeds[i].offset);
		}
	first_in = g->first_in;
	tail_in = g->tail_in;
	in_arc = g->in_arc;
	/* pot[x] < INFINITY and x not in the heap: settled, final */
	while (!mr_heap_empty(h)) {
		double du;
		uint32_t u = mr_heap_pop(h, &du), b, end;
		for (b = first_in[u], end = first_in[u + 1]; b < end; b++) {
			uint32_t a = in_arc[b], t = tail_in[b];
			double nd = du + w[a];
			if (!(nd < pot[t]))
				continue; /* also unusable arcs (INFINITY) and settled tails */
			if (dfa) {
				uint32_t c = cls[a];
				if (c >= dfa->nclasses)
					return MR_EINVAL;
				if (!(s->live[c >> 6] >> (c & 63) & 1u))
					continue;
			}
			if (pot[t] == INFINITY) {
				pot[t] = nd;
				mr_heap_push(h, t, nd);
			} else if (mr_heap_contains(h, t)) {
				pot[t] = nd;
				mr_heap_decrease(h, t, nd);
			}
		}
	}
	return MR_OK;
}

/* ---- patterns ---- */

void mr_pattern_init(mr_pattern *p)
{
	if (p)
		memset(p, 0, sizeof(*p));
}

void mr_pattern_free(mr_pattern *p)
{
	mr_pattern_init(p);
}

int mr_pattern_require(mr_pattern *p, unsigned pred)
{
	if (!p || pred >= MR_PATTERN_MAX_PRED)
		return MR_EINVAL;
	p->require |= (uint16_t)(1u << pred);
	return MR_OK;
}

int mr_pattern_forbid(mr_pattern *p, unsigned pred)
{
	if (!p || pred >= MR_PATTERN_MAX_PRED)
		return MR_EINVAL;
	p->forbid |= (uint16_t)(1u << pred);
	return MR_OK;
}

int mr_pattern_only(mr_pattern *p, unsigned pred)
{
	if (!p || pred >= MR_PATTERN_MAX_PRED)
		return MR_EINVAL;
	p->only |= (uint16_t)(1u << pred);
	return MR_OK;
}

int mr_pattern_sequence(mr_pattern *p, const unsigned *preds, size_t k)
{
	size_t i;
	if (!p || !preds || k == 0 || k > MR_PATTERN_MAX_SEQ || p->nseq != 0)
		return MR_EINVAL;
	for (i = 0; i < k; i++)
		if (preds[i] >= MR_PATTERN_MAX_PRED)
			return MR_EINVAL;
	for (i = 0; i < k; i++)
		p->seq[i] = (uint8_t)preds[i];
	p->nseq = (uint32_t)k;
	return MR_OK;
}

/* Progress tuple (R, i) packed as R | i << 16. */
#define TUPLE(R, i) ((uint32_t)(R) | (uint32_t)(i) << 16)
#define TUPLE_R(t) ((t) & 0xffffu)
#define TUPLE_I(t) ((t) >> 16)
#define DEAD_KEY 0x10000u /* class representative of the dead arcs */
#define HASH_SLOTS 1024u  /* > 2 * (MR_DFA_MAX_STATES + 1): short probes */

static unsigned popcount16(uint32_t x)
{
	unsigned c = 0;
	for (; x; x &= x - 1)
		c++;
	return c;
}

/* Packing the bits of keybits to the low end (a software pext), one byte at a time:
 * compress(f) = lo[f & 0xff] | hi[f >> 8] << popcount(keybits & 0xff). */
typedef struct key_packer {
	uint8_t lo[256], hi[256];
	unsigned lo_bits;
} key_packer;

static void packer_init(key_packer *kp, uint32_t keybits)
{
	uint32_t x, b;
	for (x = 0; x < 256; x++) {
		uint32_t l = 0, h = 0, jl = 0, jh = 0;
		for (b = 0; b < 8; b++) {
			if (keybits >> b & 1u)
				l |= (x >> b & 1u) << jl++;
			if (keybits >> (b + 8) & 1u)
				h |= (x >> b & 1u) << jh++;
		}
		kp->lo[x] = (uint8_t)l;
		kp->hi[x] = (uint8_t)h;
	}
	kp->lo_bits = popcount16(keybits & 0xffu);
}

static inline uint32_t packer_key(const key_packer *kp, uint32_t f)
{
	return kp->lo[f & 0xffu] | (uint32_t)kp->hi[f >> 8 & 0xffu] << kp->lo_bits;
}

/* Open-addressing map from tuple to state id; slot value 0 = empty, else id + 1. */
typedef struct tuple_map {
	uint32_t key[HASH_SLOTS];
	uint16_t val[HASH_SLOTS];
	key_packer kp; /* (scratch of the compiler, allocated with the map) */
} tuple_map;

static uint32_t tuple_slot(const tuple_map *tm, uint32_t t)
{
	uint32_t i = (t * 2654435761u) >> 22; /* 10 bits */
	while (tm->val[i] && tm->key[i] != t)
		i = (i + 1) & (HASH_SLOTS - 1);
	return i;
}

int mr_pattern_compile(const mr_pattern *p, const uint16_t *arc_features, size_t m,
                       mr_dfa *dfa_out, uint16_t *arc_class_out, mr_error *err)
{
	uint32_t keybits = 0, seqbits = 0, nkeys, nclasses = 0, nstates = 0, nkept = 0;
	uint32_t last_f = UINT32_MAX; /* features of the last arc classified (none yet) */
	uint16_t last_c = 0;          /* and its class */
	uint32_t *ktab = NULL, *rep = NULL, tuples[MR_DFA_MAX_STATES];
	uint16_t *rows = NULL, newid[MR_DFA_MAX_STATES], order[MR_DFA_MAX_STATES];
	uint8_t coreach[MR_DFA_MAX_STATES];
	size_t a, rows_cap = 0, nrep;
	tuple_map *tm = NULL;
	unsigned char *block = NULL;
	uint32_t i, c, q;
	int rc;

	if (dfa_out)
		memset(dfa_out, 0, sizeof(*dfa_out));
	if (!p || !dfa_out || (m && (!arc_features || !arc_class_out)))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "pattern compile: missing argument");
	if (p->nseq > MR_PATTERN_MAX_SEQ)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "sequence",
		                    "pattern sequence of %u predicates (at most %d)", (unsigned)p->nseq,
		                    MR_PATTERN_MAX_SEQ);
	for (i = 0; i < p->nseq; i++) {
		if (p->seq[i] >= MR_PATTERN_MAX_PRED)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "sequence",
			                    "pattern sequence element %u is predicate %u (at most %d)",
			                    (unsigned)i + 1, (unsigned)p->seq[i], MR_PATTERN_MAX_PRED - 1);
		seqbits |= 1u << p->seq[i];
	}
	keybits = p->require | seqbits;
	nkeys = 1u << popcount16(keybits); /* <= 65536 */

	/* 1. classes: one per distinct key present, one for the dead arcs */
	nrep = (m < nkeys ? m : nkeys) + 1;
	ktab = mr_malloc((size_t)(nkeys + 1) * sizeof(*ktab)); /* [nkeys] = the dead class */
	rep = mr_malloc(nrep * sizeof(*rep));
	tm = mr_calloc(1, sizeof(*tm));
	if (!ktab || !rep || !tm) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "pattern compile: out of memory");
		goto unwind;
	}
	memset(ktab, 0xff, (size_t)(nkeys + 1) * sizeof(*ktab));
	packer_init(&tm->kp, keybits);
	for (a = 0; a < m; a++) {
		uint32_t f = arc_features[a], k, slot;
		int dead;
		if (f == last_f) { /* runs of equal features (mostly none at all) are the common case */
			arc_class_out[a] = last_c;
			continue;
		}
		dead = (f & p->forbid) != 0 || (f & p->only) != p->only;
		k = dead ? DEAD_KEY : (f & keybits);
		slot = dead ? nkeys : packer_key(&tm->kp, f);
		if (ktab[slot] == UINT32_MAX) {
			ktab[slot] = nclasses; /* at most nkeys live classes + 1 dead: <= 65536, and
			                          < nrep since each new class takes a new arc */
			rep[nclasses++] = k;
		}
		arc_class_out[a] = last_c = (uint16_t)ktab[slot];
		last_f = f;
	}

	/* 2. states: breadth-first over the tuples reachable from (0, 0); row q of `rows` holds the
	 * transitions of state q (nclasses entries) */
	tuples[0] = TUPLE(0, 0);
	i = tuple_slot(tm, tuples[0]);
	tm->key[i] = tuples[0];
	tm->val[i] = 1;
	nstates = 1;
	for (q = 0; q < nstates; q++) {
		uint32_t R = TUPLE_R(tuples[q]), pos = TUPLE_I(tuples[q]);
		if ((size_t)(q + 1) * nclasses > rows_cap) {
			size_t ncap = rows_cap ? 2 * rows_cap : (size_t)nclasses * 8;
			uint16_t *nr = mr_realloc(rows, (ncap ? ncap : 1) * sizeof(*rows));
			if (!nr) {
				rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "pattern compile: out of memory");
				goto unwind;
			}
			rows = nr;
			rows_cap = ncap;
		}
		for (c = 0; c < nclasses; c++) {
			uint32_t k = rep[c], t, slot;
			if (k == DEAD_KEY) {
				rows[(size_t)q * nclasses + c] = MR_DFA_DEAD;
				continue;
			}
			t = TUPLE(R | (k & p->require),
			          pos + (pos < p->nseq && (k >> p->seq[pos] & 1u) ? 1 : 0));
			slot = tuple_slot(tm, t);
			if (!tm->val[slot]) {
				if (nstates == MR_DFA_MAX_STATES) {
					rc = mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL,
					                  "pattern needs more than %u automaton states (%u requires, "
					                  "sequence of %u): use fewer requires",
					                  MR_DFA_MAX_STATES, popcount16(p->require),
					                  (unsigned)p->nseq);
					goto unwind;
				}
				tm->key[slot] = t;
				tm->val[slot] = (uint16_t)(nstates + 1);
				tuples[nstates++] = t;
			}
			rows[(size_t)q * nclasses + c] = (uint16_t)(tm->val[slot] - 1);
		}
	}

	/* 3. states that can reach acceptance: tuples only grow, so every transition other than a
	 * self-loop goes to a tuple of larger rank |R| + i; visit states by decreasing rank */
	for (q = 0; q < nstates; q++)
		order[q] = (uint16_t)q;
	for (q = 1; q < nstates; q++) { /* insertion sort by decreasing rank (<= 256 states) */
		uint16_t x = order[q];
		unsigned rx = popcount16(TUPLE_R(tuples[x])) + TUPLE_I(tuples[x]);
		uint32_t j = q;
		while (j > 0 && popcount16(TUPLE_R(tuples[order[j - 1]])) + TUPLE_I(tuples[order[j - 1]]) < rx) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (i = 0; i < nstates; i++) {
		uint32_t x = order[i];
		coreach[x] = TUPLE_R(tuples[x]) == p->require && TUPLE_I(tuples[x]) == p->nseq;
		for (c = 0; c < nclasses && !coreach[x]; c++) {
			uint16_t y = rows[(size_t)x * nclasses + c];
			if (y != MR_DFA_DEAD && y != x && coreach[y])
				coreach[x] = 1;
		}
	}

	/* 4. keep the co-reachable states and the start (state 0 in both numberings) */
	for (q = 0; q < nstates; q++)
		newid[q] = (q == 0 || coreach[q]) ? (uint16_t)nkept++ : MR_DFA_DEAD;
	block = mr_malloc((size_t)nkept * nclasses * sizeof(uint16_t) + nkept);
	if (!block) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "pattern compile: out of memory");
		goto unwind;
	}
	{
		uint16_t *delta = (uint16_t *)block;
		uint8_t *acc = block + (size_t)nkept * nclasses * sizeof(uint16_t);
		for (q = 0; q < nstates; q++) {
			if (newid[q] == MR_DFA_DEAD)
				continue;
			for (c = 0; c < nclasses; c++) {
				uint16_t y = rows[(size_t)q * nclasses + c];
				delta[(size_t)newid[q] * nclasses + c] =
				    (y == MR_DFA_DEAD || !coreach[y]) ? MR_DFA_DEAD : newid[y];
			}
			acc[newid[q]] = TUPLE_R(tuples[q]) == p->require && TUPLE_I(tuples[q]) == p->nseq;
		}
		dfa_out->nstates = nkept;
		dfa_out->nclasses = nclasses;
		dfa_out->start = 0;
		dfa_out->delta = delta;
		dfa_out->accepting = acc;
		dfa_out->storage = block;
	}
	rc = MR_OK;
unwind:
	mr_free(ktab);
	mr_free(rep);
	mr_free(tm);
	mr_free(rows);
	return rc;
}
