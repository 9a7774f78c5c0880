/* test_constrained.c: constrained shortest paths (product of graph and DFA) and the corridor
 * pattern compiler, against brute-force enumeration of simple paths and of walks on hundreds of
 * small random graphs (fixed seed), plus one test per constraint kind, sequence order, a path
 * that must revisit a vertex, infeasible patterns, the state limit, bad arguments, allocation
 * failures and reuse of one search object. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "meridian/mr_constrained.h"
#include "meridian/mr_core.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_route.h"
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

/* ---- test graphs: arc list -> forward CSR (stable counting sort on tail) ---- */

#define MAXN 9
#define MAXM 40

typedef struct tnet {
	uint32_t n, m;
	uint32_t first_out[MAXN + 1], head[MAXM], tail[MAXM];
	uint32_t first_in[MAXN + 1], tail_in[MAXM], in_arc[MAXM]; /* backward CSR */
	double w[MAXM];
	uint16_t feat[MAXM], cls[MAXM];
	mr_graph g;
} tnet;

/* Arcs (tails[i], heads[i]) with weight ws[i] and features fs[i] (fs may be NULL); arc ids follow
 * the order of the list within each tail, so a list sorted by tail keeps its indices. The graph
 * has both CSRs (a search may then run its pruning pass; see fwd_only for one without). */
static void tnet_build(tnet *t, uint32_t n, uint32_t m, const uint32_t *tails, const uint32_t *heads,
                       const double *ws, const uint16_t *fs)
{
	uint32_t i, v, next[MAXN + 1];

	assert_true(n <= MAXN && m <= MAXM);
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->m = m;
	for (i = 0; i < m; i++)
		t->first_out[tails[i] + 1]++;
	for (v = 0; v < n; v++)
		t->first_out[v + 1] += t->first_out[v];
	memcpy(next, t->first_out, sizeof(next));
	for (i = 0; i < m; i++) {
		uint32_t a = next[tails[i]]++;
		t->tail[a] = tails[i];
		t->head[a] = heads[i];
		t->w[a] = ws[i];
		t->feat[a] = fs ? fs[i] : 0;
	}
	for (i = 0; i < m; i++)
		t->first_in[t->head[i] + 1]++;
	for (v = 0; v < n; v++)
		t->first_in[v + 1] += t->first_in[v];
	memcpy(next, t->first_in, sizeof(next));
	for (i = 0; i < m; i++) {
		uint32_t b = next[t->head[i]]++;
		t->tail_in[b] = t->tail[i];
		t->in_arc[b] = i;
	}
	t->g.n = n;
	t->g.m = m;
	t->g.first_out = t->first_out;
	t->g.head = t->head;
	t->g.first_in = t->first_in;
	t->g.tail_in = t->tail_in;
	t->g.in_arc = t->in_arc;
}

/* The same graph without its backward CSR: searches on it never run the pruning pass. */
static mr_graph fwd_only(const tnet *t)
{
	mr_graph g = t->g;
	g.first_in = g.tail_in = g.in_arc = NULL;
	return g;
}

/* ---- the pattern's meaning, written independently of the compiler ---- */

/* Does the arc sequence satisfy pattern p? Sequence containment by exhaustive search over the
 * positions of each element (not the greedy scan the compiler uses). */
static int seq_from(const mr_pattern *p, const uint16_t *f, uint32_t k, uint32_t from, uint32_t j)
{
	uint32_t i;
	if (j == p->nseq)
		return 1;
	for (i = from; i < k; i++)
		if ((f[i] >> p->seq[j] & 1) && seq_from(p, f, k, i + 1, j + 1))
			return 1;
	return 0;
}

static int pattern_accepts(const mr_pattern *p, const uint16_t *f, uint32_t k)
{
	uint32_t i, b;
	for (i = 0; i < k; i++) {
		if (f[i] & p->forbid)
			return 0;
		if ((f[i] & p->only) != p->only)
			return 0;
	}
	for (b = 0; b < 16; b++) {
		int found = 0;
		if (!(p->require >> b & 1))
			continue;
		for (i = 0; i < k; i++)
			found |= f[i] >> b & 1;
		if (!found)
			return 0;
	}
	return seq_from(p, f, k, 0, 0);
}

/* ---- brute force ---- */

typedef struct bf {
	const tnet *t;
	const mr_seed *dst;
	size_t ndst;
	/* pattern mode */
	const mr_pattern *p;
	/* DFA mode (p == NULL) */
	const mr_dfa *dfa;
	const uint16_t *cls;
	double best;
	uint32_t stack[MAXN * 256];
	uint16_t fstack[MAXN * 256];
	uint32_t depth, maxlen;
	uint8_t on_path[MAXN];
	uint8_t *seen; /* walks: (vertex, progress) pairs on the current walk */
	uint64_t visited;
} bf;

static double target_off(const bf *b, uint32_t v)
{
	double off = INFINITY;
	size_t i;
	for (i = 0; i < b->ndst; i++)
		if (b->dst[i].v == v && b->dst[i].offset < off)
			off = b->dst[i].offset;
	return off;
}

static int dfa_accepts(const mr_dfa *d, const uint16_t *cls, const uint32_t *arcs, uint32_t k)
{
	uint32_t q = d->start, i;
	for (i = 0; i < k; i++) {
		q = d->delta[q * d->nclasses + cls[arcs[i]]];
		if (q == MR_DFA_DEAD)
			return 0;
	}
	return d->accepting[q];
}

/* Every simple path (no vertex twice) from u, cost so far c: checks the whole arc sequence at
 * each end. */
static void simple_paths(bf *b, uint32_t u, double c)
{
	const tnet *t = b->t;
	uint32_t a;
	double off = target_off(b, u);

	b->visited++;
	if (off < INFINITY) {
		int ok = b->p ? pattern_accepts(b->p, b->fstack, b->depth)
		              : dfa_accepts(b->dfa, b->cls, b->stack, b->depth);
		if (ok && c + off < b->best)
			b->best = c + off;
	}
	b->on_path[u] = 1;
	for (a = t->first_out[u]; a < t->first_out[u + 1]; a++) {
		if (b->on_path[t->head[a]] || !(t->w[a] < INFINITY))
			continue;
		b->stack[b->depth] = a;
		b->fstack[b->depth] = t->feat[a];
		b->depth++;
		simple_paths(b, t->head[a], c + t->w[a]);
		b->depth--;
	}
	b->on_path[u] = 0;
}

/* Walk progress: pattern mode (R | i << 16), DFA mode the state. */
typedef uint32_t prog;
#define PROG_DEAD UINT32_MAX

static prog step(const bf *b, prog s, uint32_t a)
{
	if (b->p) {
		const mr_pattern *p = b->p;
		uint32_t f = b->t->feat[a], R = s & 0xffff, i = s >> 16;
		if ((f & p->forbid) || (f & p->only) != p->only)
			return PROG_DEAD; /* no extension of the walk can be accepted */
		R |= f & p->require;
		if (i < p->nseq && (f >> p->seq[i] & 1))
			i++;
		return R | i << 16;
	} else {
		uint32_t q = b->dfa->delta[s * b->dfa->nclasses + b->cls[a]];
		return q == MR_DFA_DEAD ? PROG_DEAD : q;
	}
}

static int prog_accepting(const bf *b, prog s)
{
	if (b->p)
		return (s & 0xffff) == b->p->require && (s >> 16) == b->p->nseq;
	return b->dfa->accepting[s];
}

/* Index of progress s among the progress values (for the `seen` table). */
static uint32_t prog_index(const bf *b, prog s)
{
	if (b->p) {
		/* R is a subset of require: compress it; i in 0..nseq */
		uint32_t R = s & 0xffff, bit, j = 0, r = 0;
		for (bit = 0; bit < 16; bit++)
			if (b->p->require >> bit & 1) {
				r |= (R >> bit & 1) << j;
				j++;
			}
		return r * (b->p->nseq + 1) + (s >> 16);
	}
	return s;
}

static uint32_t prog_count(const bf *b)
{
	if (b->p) {
		uint32_t bits = 0, x = b->p->require;
		for (; x; x &= x - 1)
			bits++;
		return (1u << bits) * (b->p->nseq + 1);
	}
	return b->dfa->nstates;
}

/* Every walk from u of at most maxlen arcs that repeats no (vertex, progress) pair. The best
 * accepted walk is among them: cutting the cycle between two equal pairs of an accepted walk
 * leaves an accepted walk (progress after the cut depends only on the pair and the later arcs)
 * that costs no more (w >= 0); so, with maxlen = n * (progress values), this is the minimum over
 * all walks. Branches whose cost already reaches the best are cut (offsets are >= 0). */
static void walks(bf *b, uint32_t u, prog s, double c)
{
	const tnet *t = b->t;
	uint32_t a, np = prog_count(b), key = u * np + prog_index(b, s);
	double off = target_off(b, u);

	b->visited++;
	if (off < INFINITY && prog_accepting(b, s) && c + off < b->best)
		b->best = c + off;
	if (b->depth == b->maxlen || c >= b->best)
		return;
	b->seen[key] = 1;
	for (a = t->first_out[u]; a < t->first_out[u + 1]; a++) {
		uint32_t v = t->head[a];
		prog s2;
		if (!(t->w[a] < INFINITY))
			continue;
		s2 = step(b, s, a);
		if (s2 == PROG_DEAD || b->seen[v * np + prog_index(b, s2)])
			continue;
		b->stack[b->depth++] = a;
		walks(b, v, s2, c + t->w[a]);
		b->depth--;
	}
	b->seen[key] = 0;
}

/* Every walk of at most maxlen arcs, nothing pruned, each checked whole against the pattern (or
 * the automaton): a literal enumeration, for short bounds. */
static void all_walks(bf *b, uint32_t u, double c)
{
	const tnet *t = b->t;
	uint32_t a;
	double off = target_off(b, u);

	b->visited++;
	if (off < INFINITY && c + off < b->best &&
	    (b->p ? pattern_accepts(b->p, b->fstack, b->depth)
	          : dfa_accepts(b->dfa, b->cls, b->stack, b->depth)))
		b->best = c + off;
	if (b->depth == b->maxlen)
		return;
	for (a = t->first_out[u]; a < t->first_out[u + 1]; a++) {
		if (!(t->w[a] < INFINITY))
			continue;
		b->stack[b->depth] = a;
		b->fstack[b->depth] = t->feat[a];
		b->depth++;
		all_walks(b, t->head[a], c + t->w[a]);
		b->depth--;
	}
}

typedef struct bf_result {
	double simple, walk, short_walk; /* best simple path, best walk, best walk of <= 5 arcs */
} bf_result;

static bf_result brute_force(const tnet *t, const mr_pattern *p, const mr_dfa *dfa,
                             const uint16_t *cls, const mr_seed *src, size_t nsrc,
                             const mr_seed *dst, size_t ndst, uint64_t *work)
{
	bf *b = calloc(1, sizeof(*b));
	bf_result r;
	size_t i;
	prog s0;

	assert_non_null(b);
	b->t = t;
	b->p = p;
	b->dfa = dfa;
	b->cls = cls;
	b->dst = dst;
	b->ndst = ndst;
	s0 = p ? 0 : dfa->start;

	b->best = INFINITY;
	for (i = 0; i < nsrc; i++) {
		b->depth = 0;
		simple_paths(b, src[i].v, src[i].offset);
	}
	r.simple = b->best;

	b->seen = calloc((size_t)t->n * prog_count(b), 1);
	assert_non_null(b->seen);
	b->best = INFINITY;
	b->maxlen = t->n * prog_count(b);
	assert_true(b->maxlen <= MAXN * 256);
	for (i = 0; i < nsrc; i++) {
		b->depth = 0;
		walks(b, src[i].v, s0, src[i].offset);
	}
	r.walk = b->best;
	free(b->seen);

	b->best = INFINITY;
	b->maxlen = 5;
	for (i = 0; i < nsrc; i++) {
		b->depth = 0;
		all_walks(b, src[i].v, src[i].offset);
	}
	r.short_walk = b->best;
	*work += b->visited;
	free(b);
	return r;
}

/* Check that a result is a real accepted walk from a source to a target whose cost is the one
 * reported. */
static void check_path(const tnet *t, const mr_dfa *dfa, const uint16_t *cls, const mr_pattern *p,
                       const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                       const mr_cpath *r)
{
	double c = INFINITY, toff = INFINITY;
	uint16_t f[MAXN * 256];
	uint32_t i, v = r->path.first, q = dfa->start;
	size_t j;

	for (j = 0; j < nsrc; j++)
		if (src[j].v == r->path.first && src[j].offset < c)
			c = src[j].offset;
	assert_true(c < INFINITY); /* starts at a source */
	assert_int_equal(r->states[0], dfa->start);
	for (i = 0; i < r->path.narcs; i++) {
		uint32_t a = r->path.arcs[i];
		assert_true(a < t->m);
		assert_int_equal(t->tail[a], v);
		q = dfa->delta[q * dfa->nclasses + cls[a]];
		assert_int_not_equal(q, MR_DFA_DEAD);
		assert_int_equal(r->states[i + 1], q);
		c += t->w[a];
		v = t->head[a];
		f[i] = t->feat[a];
	}
	assert_int_equal(v, r->path.last);
	assert_true(dfa->accepting[q]);
	for (j = 0; j < ndst; j++)
		if (dst[j].v == v && dst[j].offset < toff)
			toff = dst[j].offset;
	assert_true(toff < INFINITY); /* ends at a target */
	assert_true(c + toff == r->path.cost);
	if (p)
		assert_true(pattern_accepts(p, f, r->path.narcs));
}

/* ---- random instances ---- */

static double rand_weight(void)
{
	uint32_t k = rng_below(100);
	if (k < 20)
		return 0; /* zero-weight arcs and cycles */
	if (k < 25)
		return INFINITY; /* unusable */
	return (double)(1 + rng_below(9));
}

static void random_graph(tnet *t, uint16_t only_bits)
{
	uint32_t n = 2 + rng_below(MAXN - 1), m = n + rng_below(3 * n + 1), i;
	uint32_t tails[MAXM], heads[MAXM];
	double ws[MAXM];
	uint16_t fs[MAXM];

	for (i = 0; i < m; i++) {
		uint32_t k = rng_below(10);
		tails[i] = rng_below(n);
		if (k == 0)
			heads[i] = tails[i]; /* self-loop */
		else if (k == 1 && i > 0) {
			tails[i] = tails[i - 1]; /* parallel arc */
			heads[i] = heads[i - 1];
		} else
			heads[i] = rng_below(n);
		ws[i] = rand_weight();
		/* each bit set with probability 1/2: the pattern's predicates (ACTIVE) and noise the
		 * compiler must ignore */
		fs[i] = (uint16_t)rng_below(1u << 16);
		if (only_bits && rng_below(5) != 0)
			fs[i] |= only_bits; /* most arcs satisfy an `only` predicate */
	}
	tnet_build(t, n, m, tails, heads, ws, fs);
}

static void random_seeds(uint32_t n, mr_seed *src, size_t *nsrc, mr_seed *dst, size_t *ndst)
{
	size_t i;
	*nsrc = 1 + rng_below(2);
	*ndst = 1 + rng_below(2);
	for (i = 0; i < *nsrc; i++) {
		src[i].v = rng_below(n);
		src[i].offset = rng_below(3) == 0 ? (double)rng_below(4) : 0;
	}
	for (i = 0; i < *ndst; i++) {
		dst[i].v = rng_below(n);
		dst[i].offset = rng_below(3) == 0 ? (double)rng_below(4) : 0;
	}
}

/* The predicates random patterns use: in both bytes of the feature mask. */
static const unsigned active[4] = {0, 6, 9, 15};

static void random_pattern(mr_pattern *p)
{
	uint32_t k, i;
	unsigned seq[3];

	mr_pattern_init(p);
	for (k = rng_below(3), i = 0; i < k; i++)
		assert_int_equal(mr_pattern_require(p, active[rng_below(4)]), MR_OK);
	if (rng_below(3) == 0)
		assert_int_equal(mr_pattern_forbid(p, active[rng_below(4)]), MR_OK);
	if (rng_below(4) == 0)
		assert_int_equal(mr_pattern_only(p, active[rng_below(4)]), MR_OK);
	k = rng_below(4);
	for (i = 0; i < k; i++)
		seq[i] = active[rng_below(4)];
	if (k)
		assert_int_equal(mr_pattern_sequence(p, seq, k), MR_OK);
}

typedef struct stats {
	int instances, feasible, revisits, simple_only;
	int passes;                       /* instances where the search ran its pruning pass */
	uint64_t work;
	uint64_t settled_dijkstra, settled_astar; /* pairs settled, with the backward CSR */
} stats;

/* Run one search variant (graph g, bound h or NULL) and check it against the brute force's
 * best walk: same code, same cost, a real accepted walk. Returns the pairs settled. */
static uint32_t expect(mr_constrained *cs, const tnet *t, const mr_graph *g, const mr_dfa *dfa,
                       const uint16_t *cls, const mr_pattern *p, const double *h, const mr_seed *src,
                       size_t nsrc, const mr_seed *dst, size_t ndst, double want, const char *what)
{
	mr_cpath r;
	int rc = mr_constrained_search_astar(cs, g, t->w, cls, dfa, h, src, nsrc, dst, ndst, &r);

	if (want == INFINITY) {
		if (rc != MR_ENOROUTE)
			fail_msg("%s: code %d where no walk is accepted", what, rc);
		assert_true(r.path.cost == INFINITY);
		return r.path.settled;
	}
	if (rc != MR_OK || r.path.cost != want)
		fail_msg("%s: code %d, cost %g, brute force %g, n=%u m=%u states=%u", what, rc, r.path.cost,
		         want, t->n, t->m, dfa->nstates);
	check_path(t, dfa, cls, p, src, nsrc, dst, ndst, &r);
	return r.path.settled;
}

/* One instance: the engine against the three brute forces, in four ways: Dijkstra without and
 * with the backward CSR (so with the pruning pass when the search grows), and A* with the bound
 * of mr_constrained_potential towards the targets, without and with the automaton's dead
 * classes. */
static void compare_one(mr_constrained *cs, const tnet *t, const mr_dfa *dfa, const uint16_t *cls,
                        const mr_pattern *p, stats *st)
{
	mr_seed src[2], dst[2];
	size_t nsrc, ndst;
	mr_graph fg = fwd_only(t);
	double pot[MAXN], potd[MAXN];
	uint32_t v, plain;
	mr_cpath r;
	bf_result want;
	int rc;

	random_seeds(t->n, src, &nsrc, dst, &ndst);
	rc = mr_constrained_search(cs, &fg, t->w, cls, dfa, src, nsrc, dst, ndst, &r);
	want = brute_force(t, p, dfa, cls, src, nsrc, dst, ndst, &st->work);
	st->instances++;
	/* every simple path is a walk; the short walks are walks */
	assert_true(want.walk <= want.simple);
	assert_true(want.walk <= want.short_walk);
	plain = r.path.settled;
	if (want.walk == INFINITY) {
		assert_int_equal(rc, MR_ENOROUTE);
		assert_true(r.path.cost == INFINITY);
	} else {
		assert_int_equal(rc, MR_OK);
		if (r.path.cost != want.walk)
			fail_msg("engine %g, brute force %g (simple %g), n=%u m=%u states=%u", r.path.cost,
			         want.walk, want.simple, t->n, t->m, dfa->nstates);
		check_path(t, dfa, cls, p, src, nsrc, dst, ndst, &r);
		st->feasible++;
		if (want.walk < want.simple)
			st->revisits++; /* only a walk that revisits a vertex is optimal */
	}
	{ /* the variant below runs the pass if the search grows and some class is always dead */
		uint32_t c, q, dead = 0;
		for (c = 0; c < dfa->nclasses && !dead; c++) {
			dead = 1;
			for (q = 0; q < dfa->nstates; q++)
				dead &= dfa->delta[q * dfa->nclasses + c] == MR_DFA_DEAD;
		}
		st->passes += dead && plain > (t->n >> 2) + 1;
	}
	st->settled_dijkstra += expect(cs, t, &t->g, dfa, cls, p, NULL, src, nsrc, dst, ndst, want.walk,
	                               "dijkstra with backward CSR");
	assert_int_equal(mr_constrained_potential(cs, &t->g, t->w, NULL, NULL, dst, ndst, pot), MR_OK);
	expect(cs, t, &t->g, dfa, cls, p, pot, src, nsrc, dst, ndst, want.walk, "A*, graph bound");
	assert_int_equal(mr_constrained_potential(cs, &t->g, t->w, cls, dfa, dst, ndst, potd), MR_OK);
	for (v = 0; v < t->n; v++)
		assert_true(potd[v] >= pot[v]); /* fewer arcs: never smaller */
	st->settled_astar += expect(cs, t, &fg, dfa, cls, p, potd, src, nsrc, dst, ndst, want.walk,
	                            "A*, automaton bound, no pass");
}

static void test_property_patterns(void **state)
{
	mr_constrained *cs;
	stats st = {0};
	int it;

	(void)state;
	rng_state = 20240611;
	assert_int_equal(mr_constrained_new(&cs, MAXN, MAXM, 64), MR_OK);
	for (it = 0; it < 800; it++) {
		tnet t;
		mr_pattern p;
		mr_dfa dfa;
		mr_error e;

		random_pattern(&p);
		random_graph(&t, p.only);
		assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, &e), MR_OK);
		assert_int_equal(mr_dfa_check(&dfa), MR_OK);
		assert_true(dfa.nstates <= 64);
		compare_one(cs, &t, &dfa, t.cls, &p, &st);
		mr_dfa_free(&dfa);
		mr_pattern_free(&p);
	}
	print_message("patterns: %d instances, %d feasible, %d need a walk that revisits a vertex, "
	              "%llu brute-force nodes; %d ran the pruning pass; pairs settled: Dijkstra %llu, "
	              "A* %llu\n",
	              st.instances, st.feasible, st.revisits, (unsigned long long)st.work, st.passes,
	              (unsigned long long)st.settled_dijkstra, (unsigned long long)st.settled_astar);
	assert_true(st.feasible > st.instances / 4);
	assert_true(st.revisits > 10); /* the instances do exercise revisits */
	assert_true(st.passes > st.instances / 10);                 /* and the pruning pass */
	assert_true(st.settled_astar < st.settled_dijkstra * 9 / 10); /* the bound prunes */
	mr_constrained_free(cs);
}

static void test_property_dfas(void **state)
{
	mr_constrained *cs;
	stats st = {0};
	int it;

	(void)state;
	rng_state = 77;
	assert_int_equal(mr_constrained_new(&cs, MAXN, MAXM, 5), MR_OK);
	for (it = 0; it < 800; it++) {
		tnet t;
		mr_dfa dfa;
		uint16_t delta[5 * 3], cls[MAXM];
		uint8_t acc[5];
		uint32_t i;

		random_graph(&t, 0);
		memset(&dfa, 0, sizeof(dfa));
		dfa.nstates = 1 + rng_below(5);
		dfa.nclasses = 1 + rng_below(3);
		dfa.start = rng_below(dfa.nstates);
		for (i = 0; i < dfa.nstates * dfa.nclasses; i++)
			delta[i] = rng_below(5) == 0 ? MR_DFA_DEAD : (uint16_t)rng_below(dfa.nstates);
		if (it % 3 == 0 && dfa.nclasses > 1) /* a class no state takes, as a forbid gives */
			for (i = 0; i < dfa.nstates; i++)
				delta[i * dfa.nclasses + (uint32_t)it / 3 % dfa.nclasses] = MR_DFA_DEAD;
		for (i = 0; i < dfa.nstates; i++)
			acc[i] = rng_below(3) == 0;
		acc[rng_below(dfa.nstates)] = 1;
		dfa.delta = delta;
		dfa.accepting = acc;
		for (i = 0; i < t.m; i++)
			cls[i] = (uint16_t)rng_below(dfa.nclasses);
		compare_one(cs, &t, &dfa, cls, NULL, &st);
	}
	print_message("hand-made DFAs: %d instances, %d feasible, %d need a revisit, %llu brute-force "
	              "nodes; %d ran the pruning pass; pairs settled: Dijkstra %llu, A* %llu\n",
	              st.instances, st.feasible, st.revisits, (unsigned long long)st.work, st.passes,
	              (unsigned long long)st.settled_dijkstra, (unsigned long long)st.settled_astar);
	assert_true(st.feasible > st.instances / 4);
	assert_true(st.revisits > 10);
	assert_true(st.passes > st.instances / 20);
	assert_true(st.settled_astar < st.settled_dijkstra * 9 / 10);
	mr_constrained_free(cs);
}

/* The empty pattern accepts everything: the same costs as mr_dijkstra. */
static void test_empty_pattern_is_dijkstra(void **state)
{
	mr_constrained *cs;
	mr_search *s;
	int it;

	(void)state;
	rng_state = 5;
	assert_int_equal(mr_constrained_new(&cs, MAXN, MAXM, 1), MR_OK);
	assert_int_equal(mr_search_new(&s, MAXN, MAXM), MR_OK);
	for (it = 0; it < 300; it++) {
		tnet t;
		mr_pattern p;
		mr_dfa dfa;
		mr_seed src[2], dst[2];
		size_t nsrc, ndst;
		mr_cpath r;
		mr_path d;
		int rc1, rc2;

		random_graph(&t, 0);
		mr_pattern_init(&p);
		assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
		assert_int_equal(dfa.nstates, 1);
		assert_true(dfa.nclasses <= 1);
		random_seeds(t.n, src, &nsrc, dst, &ndst);
		rc1 = mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, src, nsrc, dst, ndst, &r);
		rc2 = mr_dijkstra(s, &t.g, t.w, src, nsrc, dst, ndst, &d);
		assert_int_equal(rc1, rc2);
		if (rc1 == MR_OK)
			assert_true(r.path.cost == d.cost);
		mr_dfa_free(&dfa);
	}
	mr_search_free(s);
	mr_constrained_free(cs);
}

/* ---- hand-made cases ----
 * Predicates: SEA 0, SUEZ 1, RAIL 2, BOSPORUS 3, FERRY 4. */
enum { SEA = 1 << 0, SUEZ = 1 << 1, RAIL = 1 << 2, BOSP = 1 << 3, FERRY = 1 << 4 };

typedef struct fixture {
	tnet t;
	mr_constrained *cs;
	mr_dfa dfa;
	mr_cpath r;
} fixture;

/* Compile p on f->t and search from `from` to `to`; returns the search's code. */
static int run(fixture *f, const mr_pattern *p, uint32_t from, uint32_t to)
{
	mr_seed s = {from, 0}, d = {to, 0};
	mr_error e;
	int rc;

	mr_dfa_free(&f->dfa);
	rc = mr_pattern_compile(p, f->t.feat, f->t.m, &f->dfa, f->t.cls, &e);
	assert_int_equal(rc, MR_OK);
	if (!f->cs)
		assert_int_equal(mr_constrained_new(&f->cs, MAXN, MAXM, MR_DFA_MAX_STATES), MR_OK);
	rc = mr_constrained_search(f->cs, &f->t.g, f->t.w, f->t.cls, &f->dfa, &s, 1, &d, 1, &f->r);
	if (rc == MR_OK)
		check_path(&f->t, &f->dfa, f->t.cls, p, &s, 1, &d, 1, &f->r);
	return rc;
}

static void fixture_done(fixture *f)
{
	mr_dfa_free(&f->dfa);
	mr_constrained_free(f->cs);
}

/* Vertices of the path, as a string of digits. */
static const char *vertices(const fixture *f)
{
	static char buf[64];
	uint32_t i, k = 0;
	buf[k++] = (char)('0' + f->r.path.first);
	for (i = 0; i < f->r.path.narcs && k < sizeof(buf) - 1; i++)
		buf[k++] = (char)('0' + f->t.head[f->r.path.arcs[i]]);
	buf[k] = 0;
	return buf;
}

/* 0 -> 1 -> 3 costs 2 (rail), 0 -> 2 -> 3 costs 10 (sea via suez on 2->3), 0 -> 3 direct 20
 * (sea). */
static void diamond(tnet *t)
{
	static const uint32_t tl[] = {0, 0, 0, 1, 2};
	static const uint32_t hd[] = {1, 2, 3, 3, 3};
	static const double w[] = {1, 5, 20, 1, 5};
	static const uint16_t ft[] = {RAIL, SEA, SEA, RAIL, SEA | SUEZ};
	tnet_build(t, 4, 5, tl, hd, w, ft);
}

static void test_require(void **state)
{
	fixture f = {0};
	mr_pattern p;

	(void)state;
	diamond(&f.t);
	mr_pattern_init(&p);
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 2);
	assert_string_equal(vertices(&f), "013");
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK); /* through Suez */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 10);
	assert_string_equal(vertices(&f), "023");
	assert_int_equal(f.dfa.nstates, 2);
	assert_int_equal(f.r.states[0], f.dfa.start);
	assert_false(f.dfa.accepting[f.r.states[0]]);
	assert_true(f.dfa.accepting[f.r.states[2]]);
	assert_int_equal(mr_pattern_require(&p, 16), MR_EINVAL);
	fixture_done(&f);
}

static void test_forbid(void **state)
{
	fixture f = {0};
	mr_pattern p;

	(void)state;
	diamond(&f.t);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_forbid(&p, 2), MR_OK); /* no rail */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 10);
	assert_string_equal(vertices(&f), "023");
	assert_int_equal(mr_pattern_forbid(&p, 1), MR_OK); /* no rail, no Suez */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 20);
	assert_string_equal(vertices(&f), "03");
	assert_int_equal(mr_pattern_forbid(&p, 99), MR_EINVAL);
	fixture_done(&f);
}

static void test_only(void **state)
{
	fixture f = {0};
	mr_pattern p;
	static const uint32_t tl[] = {0, 0, 1, 2, 2};
	static const uint32_t hd[] = {1, 2, 3, 1, 3};
	static const double w[] = {1, 2, 1, 0, 9};
	static const uint16_t ft[] = {SEA, SEA, RAIL, SEA, SEA};

	(void)state;
	tnet_build(&f.t, 4, 5, tl, hd, w, ft);
	mr_pattern_init(&p);
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 2); /* 0-1 sea, 1-3 rail */
	assert_int_equal(mr_pattern_only(&p, 0), MR_OK); /* sea only */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 11);
	assert_string_equal(vertices(&f), "023");
	assert_int_equal(run(&f, &p, 0, 0), MR_OK); /* the empty path is sea only */
	assert_true(f.r.path.cost == 0);
	assert_int_equal(f.r.path.narcs, 0);
	assert_int_equal(mr_pattern_only(&p, 2), MR_OK); /* sea and rail on every arc: none */
	assert_int_equal(run(&f, &p, 0, 3), MR_ENOROUTE);
	assert_int_equal(mr_pattern_only(&p, 16), MR_EINVAL);
	fixture_done(&f);
}

/* Suez then Bosporus, not the other way round: 0 -> 1 (bosporus) -> 2 (suez) -> 5 is cheap but
 * in the wrong order; 0 -> 3 (suez) -> 4 (bosporus) -> 5 is dearer and right. */
static void test_sequence_order(void **state)
{
	fixture f = {0};
	mr_pattern p;
	unsigned sb[] = {1, 3}, bs[] = {3, 1}, ss[] = {1, 1};
	static const uint32_t tl[] = {0, 0, 1, 2, 3, 4};
	static const uint32_t hd[] = {1, 3, 2, 5, 4, 5};
	static const double w[] = {1, 3, 1, 1, 3, 3};
	static const uint16_t ft[] = {SEA, SEA, SEA | BOSP, SEA | SUEZ, SEA | SUEZ, SEA | BOSP};

	(void)state;
	tnet_build(&f.t, 6, 6, tl, hd, w, ft);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK);
	assert_int_equal(mr_pattern_require(&p, 3), MR_OK);
	assert_int_equal(run(&f, &p, 0, 5), MR_OK); /* unordered: either path */
	assert_true(f.r.path.cost == 3);
	assert_string_equal(vertices(&f), "0125");

	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_sequence(&p, sb, 2), MR_OK);
	assert_int_equal(mr_pattern_sequence(&p, bs, 2), MR_EINVAL); /* one sequence per pattern */
	assert_int_equal(run(&f, &p, 0, 5), MR_OK);
	assert_true(f.r.path.cost == 9);
	assert_string_equal(vertices(&f), "0345");
	assert_int_equal(f.dfa.nstates, 3);

	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_sequence(&p, bs, 2), MR_OK);
	assert_int_equal(run(&f, &p, 0, 5), MR_OK);
	assert_true(f.r.path.cost == 3);
	assert_string_equal(vertices(&f), "0125");

	/* two Suez arcs in a row: one arc cannot count twice */
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_sequence(&p, ss, 2), MR_OK);
	assert_int_equal(run(&f, &p, 0, 5), MR_ENOROUTE);

	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_sequence(&p, sb, 0), MR_EINVAL);
	assert_int_equal(mr_pattern_sequence(&p, sb, MR_PATTERN_MAX_SEQ + 1), MR_EINVAL);
	sb[1] = 16;
	assert_int_equal(mr_pattern_sequence(&p, sb, 2), MR_EINVAL);
	assert_int_equal(p.nseq, 0);
	fixture_done(&f);
}

/* The required ferry is on a spur: 0 -> 1 -> 2 (ferry) -> 1 -> 3. The best route passes 1 twice,
 * in two different states; no simple path is accepted. */
static void test_revisit(void **state)
{
	fixture f = {0};
	mr_pattern p;
	static const uint32_t tl[] = {0, 1, 1, 2};
	static const uint32_t hd[] = {1, 2, 3, 1};
	static const double w[] = {1, 2, 1, 2};
	static const uint16_t ft[] = {RAIL, FERRY, RAIL, RAIL};

	(void)state;
	tnet_build(&f.t, 4, 4, tl, hd, w, ft);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 4), MR_OK);
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.r.path.cost == 6);
	assert_string_equal(vertices(&f), "01213");
	assert_int_equal(f.r.path.narcs, 4);
	assert_int_not_equal(f.r.states[1], f.r.states[3]); /* vertex 1 before and after the ferry */
	fixture_done(&f);
}

static void test_infeasible(void **state)
{
	fixture f = {0};
	mr_pattern p;

	(void)state;
	diamond(&f.t);
	mr_pattern_init(&p); /* require and forbid the same predicate */
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK);
	assert_int_equal(mr_pattern_forbid(&p, 1), MR_OK);
	assert_int_equal(run(&f, &p, 0, 3), MR_ENOROUTE);
	assert_int_equal(f.dfa.nstates, 1); /* compiled to a start state without moves */
	assert_true(f.r.path.cost == INFINITY);
	assert_int_equal(f.r.path.narcs, 0);
	assert_true(f.r.path.settled <= 1);

	mr_pattern_init(&p); /* no arc has the predicate */
	assert_int_equal(mr_pattern_require(&p, 4), MR_OK);
	assert_int_equal(run(&f, &p, 0, 3), MR_ENOROUTE);
	assert_int_equal(f.dfa.nstates, 1);

	mr_pattern_init(&p); /* the predicate exists but not on the way from 1 */
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK);
	assert_int_equal(run(&f, &p, 1, 3), MR_ENOROUTE);
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	fixture_done(&f);
}

/* n requires over arcs that each carry one predicate: 2^n states. */
static void test_state_limit(void **state)
{
	uint16_t feat[10], cls[10];
	mr_pattern p;
	mr_dfa dfa;
	mr_error e;
	unsigned i, one[] = {9};

	(void)state;
	for (i = 0; i < 10; i++)
		feat[i] = (uint16_t)(1u << i);
	mr_pattern_init(&p);
	for (i = 0; i < 8; i++)
		assert_int_equal(mr_pattern_require(&p, i), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, feat, 10, &dfa, cls, &e), MR_OK);
	assert_int_equal(dfa.nstates, 256); /* exactly the limit */
	assert_int_equal(dfa.nclasses, 9);  /* 8 keys + the empty key of arc 9 */
	mr_dfa_free(&dfa);

	assert_int_equal(mr_pattern_require(&p, 8), MR_OK);
	mr_error_clear(&e);
	assert_int_equal(mr_pattern_compile(&p, feat, 10, &dfa, cls, &e), MR_ELIMIT);
	assert_int_equal(e.code, MR_ELIMIT);
	assert_non_null(strstr(e.msg, "256"));
	assert_null(dfa.storage);
	assert_int_equal(dfa.nstates, 0);

	mr_pattern_init(&p); /* 8 requires and a sequence: 256 * 2 */
	for (i = 0; i < 8; i++)
		assert_int_equal(mr_pattern_require(&p, i), MR_OK);
	assert_int_equal(mr_pattern_sequence(&p, one, 1), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, feat, 10, &dfa, cls, NULL), MR_ELIMIT);

	/* but only reachable states count: the same 9 requires on a graph that has 3 of the
	 * predicates compile to 8 reachable states, none of which can accept */
	mr_pattern_init(&p);
	for (i = 0; i < 9; i++)
		assert_int_equal(mr_pattern_require(&p, i), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, feat, 3, &dfa, cls, NULL), MR_OK);
	assert_int_equal(dfa.nstates, 1);
	mr_dfa_free(&dfa);

	/* bad arguments */
	assert_int_equal(mr_pattern_compile(NULL, feat, 3, &dfa, cls, &e), MR_EINVAL);
	assert_int_equal(mr_pattern_compile(&p, NULL, 3, &dfa, cls, &e), MR_EINVAL);
	assert_int_equal(mr_pattern_compile(&p, feat, 3, &dfa, NULL, &e), MR_EINVAL);
	assert_int_equal(mr_pattern_compile(&p, feat, 3, NULL, cls, &e), MR_EINVAL);
	p.nseq = 1;
	p.seq[0] = 20; /* a corrupted pattern */
	assert_int_equal(mr_pattern_compile(&p, feat, 3, &dfa, cls, &e), MR_EINVAL);
	assert_string_equal(e.field, "sequence");
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_compile(&p, NULL, 0, &dfa, NULL, &e), MR_OK); /* no arcs */
	assert_int_equal(dfa.nstates, 1);
	assert_int_equal(dfa.nclasses, 0);
	assert_true(dfa.accepting[0]);
	mr_dfa_free(&dfa);
}

/* Features outside the pattern's predicates do not split classes; forbidden arcs share one. */
static void test_classes(void **state)
{
	static const uint16_t feat[] = {SEA, SEA | 0x100, SEA | SUEZ, RAIL, RAIL | SUEZ, 0x8000, RAIL};
	uint16_t cls[7];
	mr_pattern p;
	mr_dfa dfa;

	(void)state;
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK);
	assert_int_equal(mr_pattern_forbid(&p, 2), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, feat, 7, &dfa, cls, NULL), MR_OK);
	assert_int_equal(dfa.nclasses, 3); /* without Suez, with Suez, forbidden */
	assert_int_equal(cls[0], cls[1]);
	assert_int_equal(cls[0], cls[5]);
	assert_int_equal(cls[3], cls[4]);
	assert_int_equal(cls[3], cls[6]);
	assert_int_not_equal(cls[0], cls[2]);
	assert_int_not_equal(cls[0], cls[3]);
	assert_int_equal(dfa.delta[dfa.start * dfa.nclasses + cls[3]], MR_DFA_DEAD);
	assert_int_equal(dfa.delta[1 * dfa.nclasses + cls[3]], MR_DFA_DEAD);
	mr_dfa_free(&dfa);
	mr_dfa_free(&dfa); /* zeroed: harmless */
}

/* The classes honour their contract on feature arrays with long runs of equal features (the
 * compiler's fast path) and random breaks: two arcs share a class iff both are dead or both live
 * with the same features on the pattern's require and sequence predicates. */
static void test_classes_runs(void **state)
{
	enum { M = 400 };
	uint16_t feat[M], cls[M];
	int it;

	(void)state;
	rng_state = 8080;
	for (it = 0; it < 200; it++) {
		mr_pattern p;
		mr_dfa dfa;
		uint32_t a, b, keybits, f = 0;

		random_pattern(&p);
		for (a = 0; a < M; a++) {
			uint32_t k = rng_below(10);
			if (k == 0)
				f = rng_below(1u << 16);
			else if (k == 1)
				f = 0;
			feat[a] = (uint16_t)f; /* runs of ~5 equal features, many of them 0 */
		}
		assert_int_equal(mr_pattern_compile(&p, feat, M, &dfa, cls, NULL), MR_OK);
		keybits = p.require;
		for (a = 0; a < p.nseq; a++)
			keybits |= 1u << p.seq[a];
		for (a = 0; a < M; a++) {
			int deada = (feat[a] & p.forbid) || (feat[a] & p.only) != p.only;
			assert_true(cls[a] < dfa.nclasses);
			for (b = a + 1; b < M; b += 7) {
				int deadb = (feat[b] & p.forbid) || (feat[b] & p.only) != p.only;
				int same = (deada && deadb) ||
				           (!deada && !deadb && (feat[a] & keybits) == (feat[b] & keybits));
				if ((cls[a] == cls[b]) != same)
					fail_msg("arcs %u and %u: classes %u %u, features %x %x", a, b, cls[a], cls[b],
					         feat[a], feat[b]);
			}
		}
		mr_dfa_free(&dfa);
	}
}

static void test_bad_arguments(void **state)
{
	fixture f = {0};
	mr_pattern p;
	mr_seed s = {0, 0}, d = {3, 0}, bad = {9, 0}, neg = {0, -1}, nan_off = {0, NAN};
	mr_constrained *small, *x = (mr_constrained *)&s;
	mr_dfa big = {0};
	uint16_t delta[2] = {0, 0}, cls[5], dead3[3 * 8];
	uint8_t acc[300] = {1};
	mr_cpath r;

	(void)state;
	memset(dead3, 0xff, sizeof(dead3));
	diamond(&f.t);
	mr_pattern_init(&p);
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	assert_true(f.dfa.nclasses <= 8);
	memcpy(cls, f.t.cls, sizeof(cls));
#define SEARCH(src, nsrc, dst, ndst, dfa_, cls_) \
	mr_constrained_search(f.cs, &f.t.g, f.t.w, cls_, dfa_, src, nsrc, dst, ndst, &r)
	assert_int_equal(SEARCH(&s, 1, &d, 1, &f.dfa, cls), MR_OK);
	assert_int_equal(SEARCH(&bad, 1, &d, 1, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&s, 1, &bad, 1, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&neg, 1, &d, 1, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&nan_off, 1, &d, 1, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&s, 0, &d, 1, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&s, 1, &d, 0, &f.dfa, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&s, 1, &d, 1, NULL, cls), MR_EINVAL);
	assert_int_equal(SEARCH(&s, 1, &d, 1, &f.dfa, NULL), MR_EINVAL);
	assert_true(r.path.cost == INFINITY);
	/* a class out of range, found when the arc is reached */
	cls[0] = (uint16_t)f.dfa.nclasses;
	assert_int_equal(SEARCH(&s, 1, &d, 1, &f.dfa, cls), MR_EINVAL);
	/* malformed automata */
	big.nstates = 1;
	big.nclasses = 1;
	big.start = 1;
	big.delta = delta;
	big.accepting = acc;
	assert_int_equal(mr_dfa_check(&big), MR_EINVAL); /* start out of range */
	big.start = 0;
	delta[0] = 1;
	assert_int_equal(mr_dfa_check(&big), MR_EINVAL); /* transition out of range */
	delta[0] = MR_DFA_DEAD;
	assert_int_equal(mr_dfa_check(&big), MR_OK);
	big.nstates = 0;
	assert_int_equal(mr_dfa_check(&big), MR_EINVAL);
	big.nstates = 257;
	big.nclasses = 0;
	assert_int_equal(mr_dfa_check(&big), MR_EINVAL);
	assert_int_equal(mr_dfa_check(NULL), MR_EINVAL);
	/* more states than the object was made for */
	assert_int_equal(mr_constrained_new(&small, MAXN, MAXM, 2), MR_OK);
	big.nstates = 3;
	big.nclasses = f.dfa.nclasses;
	big.delta = dead3;
	assert_int_equal(mr_dfa_check(&big), MR_OK);
	assert_int_equal(mr_constrained_search(small, &f.t.g, f.t.w, f.t.cls, &big, &s, 1, &d, 1, &r),
	                 MR_EINVAL);
	assert_int_equal(mr_constrained_search(f.cs, &f.t.g, f.t.w, f.t.cls, &big, &s, 1, &d, 1, &r),
	                 MR_ENOROUTE); /* fine for an object sized for it */
	/* a graph larger than the object */
	mr_constrained_free(small);
	assert_int_equal(mr_constrained_new(&small, 3, MAXM, 2), MR_OK);
	assert_int_equal(mr_constrained_search(small, &f.t.g, f.t.w, f.t.cls, &f.dfa, &s, 1, &d, 1, &r),
	                 MR_EINVAL);
	mr_constrained_free(small);
	/* creation */
	assert_int_equal(mr_constrained_new(NULL, 3, 3, 2), MR_EINVAL);
	assert_int_equal(mr_constrained_new(&x, 3, 3, 0), MR_EINVAL);
	assert_null(x);
	assert_int_equal(mr_constrained_new(&x, 3, 3, 257), MR_EINVAL);
	assert_int_equal(mr_constrained_new(&x, 1u << 24, 3, 256), MR_EINVAL); /* 2^32 pairs */
	assert_int_equal(mr_constrained_new(&x, MR_NONE, 3, 1), MR_EINVAL);
	mr_constrained_free(NULL);
	/* bounds and potentials */
	{
		double pot[MAXN];
		mr_graph fg = fwd_only(&f.t);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, NULL, NULL, &d, 1, pot), MR_OK);
		assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, cls, &f.dfa, pot, &bad, 1, &d, 1, &r),
		                 MR_EINVAL);
		assert_int_equal(mr_constrained_potential(NULL, &f.t.g, f.t.w, NULL, NULL, &d, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, NULL, f.t.w, NULL, NULL, &d, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, NULL, NULL, NULL, &d, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, NULL, NULL, &d, 1, NULL), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &fg, f.t.w, NULL, NULL, &d, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, NULL, NULL, &bad, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, NULL, NULL, &neg, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, NULL, &f.dfa, &d, 1, pot), MR_EINVAL);
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, cls, &big, &d, 1, pot), MR_OK);
		big.start = 7;
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, cls, &big, &d, 1, pot), MR_EINVAL);
		cls[0] = (uint16_t)f.dfa.nclasses; /* out of range, met by the backward search */
		memcpy(cls + 1, f.t.cls + 1, sizeof(cls) - sizeof(cls[0]));
		assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, cls, &f.dfa, &d, 1, pot), MR_EINVAL);
		small = NULL;
		assert_int_equal(mr_constrained_new(&small, 3, MAXM, 2), MR_OK); /* graph larger */
		assert_int_equal(mr_constrained_potential(small, &f.t.g, f.t.w, NULL, NULL, &d, 1, pot), MR_EINVAL);
		mr_constrained_free(small);
	}
#undef SEARCH
	fixture_done(&f);
}

/* One object, many queries: different automata (so different pair layouts), graphs, sources,
 * with results equal to those of fresh objects; then past the generation wrap-around. */
static void test_reuse(void **state)
{
	mr_constrained *shared, *fresh;
	int it;

	(void)state;
	rng_state = 99;
	assert_int_equal(mr_constrained_new(&shared, MAXN, MAXM, 16), MR_OK);
	for (it = 0; it < 300; it++) {
		tnet t;
		mr_pattern p;
		mr_dfa dfa;
		mr_seed src[2], dst[2];
		size_t nsrc, ndst;
		mr_cpath r1, r2;
		int rc1, rc2;

		random_pattern(&p);
		random_graph(&t, p.only);
		if (mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL) != MR_OK)
			fail();
		if (dfa.nstates > 16) {
			mr_dfa_free(&dfa);
			continue;
		}
		random_seeds(t.n, src, &nsrc, dst, &ndst);
		rc1 = mr_constrained_search(shared, &t.g, t.w, t.cls, &dfa, src, nsrc, dst, ndst, &r1);
		assert_int_equal(mr_constrained_new(&fresh, t.n, t.m, dfa.nstates), MR_OK);
		rc2 = mr_constrained_search(fresh, &t.g, t.w, t.cls, &dfa, src, nsrc, dst, ndst, &r2);
		assert_int_equal(rc1, rc2);
		assert_true(r1.path.cost == r2.path.cost || (rc1 != MR_OK));
		if (rc1 == MR_OK) {
			assert_int_equal(r1.path.narcs, r2.path.narcs);
			assert_memory_equal(r1.path.arcs, r2.path.arcs, r1.path.narcs * sizeof(uint32_t));
			assert_memory_equal(r1.states, r2.states, (r1.path.narcs + 1) * sizeof(uint16_t));
		}
		mr_constrained_free(fresh);
		mr_dfa_free(&dfa);
	}
	mr_constrained_free(shared);
}

/* 2^24 searches wrap the generation counter; labels of old generations must not leak in. */
static void test_generation_wrap(void **state)
{
	static const uint32_t tl[] = {0, 1, 1};
	static const uint32_t hd[] = {1, 0, 2};
	static const double w[] = {1, 1, 1};
	static const uint16_t ft[] = {0, SEA, 0};
	mr_constrained *cs;
	mr_pattern p;
	mr_dfa dfa;
	tnet t;
	mr_seed s0 = {0, 0}, s2 = {2, 0}, d1 = {1, 0}, d0 = {0, 0};
	mr_cpath r;
	uint32_t i;

	(void)state;
	tnet_build(&t, 3, 3, tl, hd, w, ft);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 0), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
	assert_int_equal(mr_constrained_new(&cs, 3, 3, 2), MR_OK);
	for (i = 0; i < (1u << 24) + 3; i++) {
		int rc;
		if ((i & 0xffff) == 0 || i > (1u << 24) - 3) {
			/* 0 -> 1 -> 0 (sea) -> 1: labels for both states of 0 and 1 */
			rc = mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, &s0, 1, &d1, 1, &r);
			assert_int_equal(rc, MR_OK);
			assert_true(r.path.cost == 3);
			/* from 2 nothing is reachable: stale labels would show here */
			rc = mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, &s2, 1, &d0, 1, &r);
			assert_int_equal(rc, MR_ENOROUTE);
		} else {
			rc = mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, &s2, 1, &d1, 1, &r);
			assert_int_equal(rc, MR_ENOROUTE);
		}
	}
	mr_constrained_free(cs);
	mr_dfa_free(&dfa);
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
	uint16_t feat[40], cls[40];
	mr_pattern p;
	mr_dfa dfa;
	mr_error e;
	mr_constrained *cs;
	int k, failures;
	unsigned i, seq[] = {5, 6};

	(void)state;
	for (i = 0; i < 40; i++)
		feat[i] = (uint16_t)(1u << (i % 8) | (i % 3 ? 1u << 5 : 0));
	mr_pattern_init(&p);
	for (i = 0; i < 5; i++)
		assert_int_equal(mr_pattern_require(&p, i), MR_OK);
	assert_int_equal(mr_pattern_sequence(&p, seq, 2), MR_OK);
	mr_set_allocator(failing_alloc, NULL);

	for (failures = 0, k = 0;; k++) { /* the compiler: fail each allocation in turn */
		int rc;
		fail_at = k;
		nallocs = 0;
		live = 0;
		rc = mr_pattern_compile(&p, feat, 40, &dfa, cls, &e);
		if (rc == MR_OK) {
			assert_true(dfa.nstates > 16); /* rows had to grow */
			mr_dfa_free(&dfa);
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, MR_ENOMEM);
		assert_int_equal(e.code, MR_ENOMEM);
		assert_null(dfa.storage);
		assert_int_equal(live, 0);
		failures++;
	}
	assert_true(failures >= 4);

	for (failures = 0, k = 0;; k++) { /* the search object */
		int rc;
		fail_at = k;
		nallocs = 0;
		live = 0;
		cs = (mr_constrained *)&p;
		rc = mr_constrained_new(&cs, 100, 300, 4);
		if (rc == MR_OK) {
			mr_constrained_free(cs);
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, MR_ENOMEM);
		assert_null(cs);
		assert_int_equal(live, 0);
		failures++;
	}
	assert_true(failures >= 6);
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
}

/* Searches allocate nothing. */
static void test_no_allocation_in_search(void **state)
{
	fixture f = {0};
	mr_pattern p;
	mr_seed s = {0, 0}, d = {3, 0};
	double pot[4];

	(void)state;
	diamond(&f.t);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK);
	assert_int_equal(mr_pattern_forbid(&p, 2), MR_OK); /* a dead class: the pruning pass may run */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	mr_set_allocator(failing_alloc, NULL);
	fail_at = 0; /* the first allocation would fail */
	nallocs = 0;
	assert_int_equal(mr_constrained_search(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, &s, 1, &d, 1, &f.r),
	                 MR_OK);
	assert_true(f.r.path.settled > 4 / 4 + 1); /* it did */
	assert_int_equal(mr_constrained_potential(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, &d, 1, pot), MR_OK);
	assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, pot, &s, 1, &d, 1, &f.r),
	                 MR_OK);
	assert_int_equal(nallocs, 0);
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
	assert_true(f.r.path.cost == 10);
	fixture_done(&f);
}

/* ---- bounds and the pruning pass ---- */

/* mr_constrained_potential against Bellman-Ford on the reversed graph, with and without the
 * automaton's dead classes; the result is a consistent bound. */
static void test_potential(void **state)
{
	mr_constrained *cs;
	int it, withdfa = 0;

	(void)state;
	rng_state = 31337;
	assert_int_equal(mr_constrained_new(&cs, MAXN, MAXM, 64), MR_OK);
	for (it = 0; it < 400; it++) {
		tnet t;
		mr_pattern p;
		mr_dfa dfa;
		mr_seed src[2], dst[2];
		size_t nsrc, ndst, i;
		double pot[MAXN], bell[MAXN];
		uint8_t can[MAXM];
		uint32_t v, a, k, c, q;
		int use_dfa = it & 1;

		random_pattern(&p);
		random_graph(&t, p.only);
		assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
		random_seeds(t.n, src, &nsrc, dst, &ndst);
		for (a = 0; a < t.m; a++) { /* arcs some state can take */
			can[a] = 0;
			for (q = 0; q < dfa.nstates; q++)
				can[a] |= dfa.delta[q * dfa.nclasses + t.cls[a]] != MR_DFA_DEAD;
			withdfa += use_dfa && !can[a];
		}
		for (v = 0; v < t.n; v++)
			bell[v] = INFINITY;
		for (i = 0; i < ndst; i++)
			if (dst[i].offset < bell[dst[i].v])
				bell[dst[i].v] = dst[i].offset;
		for (k = 0; k < t.n; k++) /* Bellman-Ford: n rounds over every arc */
			for (a = 0; a < t.m; a++)
				if ((!use_dfa || can[a]) && t.w[a] + bell[t.head[a]] < bell[t.tail[a]])
					bell[t.tail[a]] = t.w[a] + bell[t.head[a]];
		assert_int_equal(mr_constrained_potential(cs, &t.g, t.w, use_dfa ? t.cls : NULL,
		                                          use_dfa ? &dfa : NULL, dst, ndst, pot),
		                 MR_OK);
		for (v = 0; v < t.n; v++)
			if (pot[v] != bell[v])
				fail_msg("vertex %u: potential %g, Bellman-Ford %g", v, pot[v], bell[v]);
		for (a = 0; a < t.m; a++) /* consistent on every arc it may use */
			if ((!use_dfa || can[a]) && t.w[a] < INFINITY)
				assert_true(pot[t.tail[a]] <= t.w[a] + pot[t.head[a]]);
		for (i = 0; i < ndst; i++)
			assert_true(pot[dst[i].v] <= dst[i].offset);
		c = 0;
		assert_int_equal(mr_constrained_potential(cs, &t.g, t.w, NULL, NULL, NULL, 0, pot), MR_OK);
		for (v = 0; v < t.n; v++)
			c += pot[v] == INFINITY;
		assert_int_equal(c, t.n); /* no seeds: nothing reaches one */
		mr_dfa_free(&dfa);
	}
	assert_true(withdfa > 100); /* the dead classes did remove arcs */
	mr_constrained_free(cs);
}

/* A bound of INFINITY closes a vertex; a zero bound is Dijkstra; an inconsistent bound may lose
 * optimality but still gives a real accepted walk. */
static void test_bound_edges(void **state)
{
	fixture f = {0};
	mr_pattern p;
	mr_seed s = {0, 0}, d = {3, 0};
	double zero[4] = {0, 0, 0, 0}, closed[4] = {INFINITY, 0, 0, 0}, via1[4] = {0, INFINITY, 0, 0};
	double wrong[4] = {0, 0, 100, 0};
	mr_cpath r;
	uint32_t settled;
	int it;

	(void)state;
	diamond(&f.t);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_require(&p, 1), MR_OK); /* through Suez: 0 -> 2 -> 3, cost 10 */
	assert_int_equal(run(&f, &p, 0, 3), MR_OK);
	settled = f.r.path.settled;
	assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, zero, &s, 1, &d, 1, &r),
	                 MR_OK);
	assert_true(r.path.cost == 10);
	assert_int_equal(r.path.settled, settled);
	assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, closed, &s, 1, &d, 1, &r),
	                 MR_ENOROUTE);
	assert_int_equal(r.path.settled, 0);
	assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, via1, &s, 1, &d, 1, &r),
	                 MR_OK); /* vertex 1 is not on the route */
	assert_true(r.path.cost == 10);
	/* h[2] = 100 overestimates: the route through 2 is found only after the direct sea arc
	 * 0 -> 3, which has no Suez: still the cheapest accepted one here */
	assert_int_equal(mr_constrained_search_astar(f.cs, &f.t.g, f.t.w, f.t.cls, &f.dfa, wrong, &s, 1, &d, 1, &r),
	                 MR_OK);
	check_path(&f.t, &f.dfa, f.t.cls, &p, &s, 1, &d, 1, &r);
	fixture_done(&f);

	/* random inconsistent bounds on random instances: always a real accepted walk, never cheaper
	 * than the optimum, never a wrong code */
	rng_state = 4242;
	{
		mr_constrained *cs;
		assert_int_equal(mr_constrained_new(&cs, MAXN, MAXM, 64), MR_OK);
		for (it = 0; it < 300; it++) {
			tnet t;
			mr_dfa dfa;
			mr_seed src[2], dst[2];
			size_t nsrc, ndst;
			double h[MAXN], best;
			mr_cpath r1;
			uint32_t v;
			int rc0, rc1;

			random_pattern(&p);
			random_graph(&t, p.only);
			assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
			random_seeds(t.n, src, &nsrc, dst, &ndst);
			for (v = 0; v < t.n; v++)
				h[v] = (double)rng_below(12);
			rc0 = mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, src, nsrc, dst, ndst, &r1);
			best = r1.path.cost;
			rc1 = mr_constrained_search_astar(cs, &t.g, t.w, t.cls, &dfa, h, src, nsrc, dst, ndst, &r1);
			assert_int_equal(rc0 == MR_OK, rc1 == MR_OK); /* h < INFINITY closes nothing */
			if (rc1 == MR_OK) {
				assert_true(r1.path.cost >= best);
				check_path(&t, &dfa, t.cls, &p, src, nsrc, dst, ndst, &r1);
			}
			mr_dfa_free(&dfa);
		}
		mr_constrained_free(cs);
	}
}

/* A forbid that cuts the target off: without the backward CSR the search exhausts everything the
 * source reaches; with it, the pruning pass stops it after n / 4 + 1 settled pairs. */
static void test_pruning_pass(void **state)
{
	/* a ring 0 -> 1 -> ... -> 7 -> 0 of sea arcs, both ways, and the target 8 reached only from
	 * 7 by a rail arc */
	uint32_t tl[17], hd[17], i;
	double w[17];
	uint16_t ft[17];
	tnet t;
	mr_graph fg;
	mr_pattern p;
	mr_dfa dfa;
	mr_constrained *cs;
	mr_seed s = {0, 0}, d = {8, 0};
	mr_cpath r;
	unsigned seq[] = {0, 0};

	(void)state;
	for (i = 0; i < 8; i++) {
		tl[2 * i] = i;
		hd[2 * i] = (i + 1) % 8;
		tl[2 * i + 1] = (i + 1) % 8;
		hd[2 * i + 1] = i;
		w[2 * i] = w[2 * i + 1] = 1;
		ft[2 * i] = ft[2 * i + 1] = SEA;
	}
	tl[16] = 7;
	hd[16] = 8;
	w[16] = 1;
	ft[16] = RAIL;
	tnet_build(&t, 9, 17, tl, hd, w, ft);
	fg = fwd_only(&t);
	assert_int_equal(mr_constrained_new(&cs, 9, 17, 8), MR_OK);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_forbid(&p, 2), MR_OK);          /* no rail: 8 is cut off */
	assert_int_equal(mr_pattern_sequence(&p, seq, 2), MR_OK);   /* two sea arcs: 3 states */
	assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
	assert_int_equal(dfa.nstates, 3);
	assert_int_equal(mr_constrained_search(cs, &fg, t.w, t.cls, &dfa, &s, 1, &d, 1, &r), MR_ENOROUTE);
	/* every pair the source reaches: (0, none), (1 or 7, one sea arc), (any, two or more) */
	assert_int_equal(r.path.settled, 1 + 2 + 8);
	assert_int_equal(mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, &s, 1, &d, 1, &r), MR_ENOROUTE);
	assert_int_equal(r.path.settled, 9 / 4 + 1); /* then the pass: nothing reaches 8 */
	assert_int_equal(mr_constrained_search_astar(cs, &t.g, t.w, t.cls, &dfa, NULL, &s, 1, &d, 1, &r),
	                 MR_ENOROUTE); /* the same through the A* entry point */
	assert_int_equal(r.path.settled, 9 / 4 + 1);
	/* with rail allowed the pass keeps everything and the route is found */
	mr_dfa_free(&dfa);
	mr_pattern_init(&p);
	assert_int_equal(mr_pattern_sequence(&p, seq, 2), MR_OK);
	assert_int_equal(mr_pattern_compile(&p, t.feat, t.m, &dfa, t.cls, NULL), MR_OK);
	assert_int_equal(mr_constrained_search(cs, &t.g, t.w, t.cls, &dfa, &s, 1, &d, 1, &r), MR_OK);
	assert_true(r.path.cost == 4); /* two sea arcs before 7 -> 8: 0 -> 1 -> 0 -> 7 (the ring is
	                                  bipartite: an odd number of arcs from 0 to 7) */
	check_path(&t, &dfa, t.cls, &p, &s, 1, &d, 1, &r);
	mr_dfa_free(&dfa);
	mr_constrained_free(cs);
}

/* ---- the router's corridor search on the built-in network ---- */

/* mr_router_route_pattern (A* with the per-destination bound and its caches) against the same
 * router code with --algorithm dijkstra on a second router, and against A* on a new router (so
 * without caches): every corridor of corridors.ini,
 * random origin-destination pairs, each queried under several objectives and options in turn, with
 * plain routes in between, so that the cached weights and bounds must be refreshed when only the
 * target or only the weights change. Same codes, same costs, bit for bit. Skipped without the
 * built network. */
static void test_router_corridors(void **state)
{
	static const char *const avoid[] = {"suez"};
	static const int objectives[] = {MR_BY_GENERALIZED, MR_BY_TIME, MR_BY_DISTANCE, MR_BY_COST, MR_BY_CO2E};
	mr_net net;
	mr_corridor_set set;
	mr_router *r, *ref, *fresh;
	mr_error e;
	uint32_t *cand, nc = 0, x, from = 0, to = 0;
	int it, feasible = 0, infeasible = 0;
	uint64_t settled_astar = 0, settled_dijkstra = 0;
	FILE *f = fopen(MR_BINARY_DIR "/meridian.mnet", "rb");

	(void)state;
	if (!f) {
		print_message("skipped: no " MR_BINARY_DIR "/meridian.mnet (build the default network)\n");
		skip();
	}
	fclose(f);
	assert_int_equal(mr_net_load(MR_BINARY_DIR "/meridian.mnet", &net, &e), MR_OK);
	assert_int_equal(mr_corridors_read(MR_BINARY_DIR "/corridors.ini", &set, &e), MR_OK);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	assert_int_equal(mr_router_new(&ref, &net), MR_OK);
	cand = malloc(net.meta.nnodes * sizeof(*cand));
	assert_non_null(cand);
	for (x = 0; x < net.meta.nnodes; x++)
		if (net.nodes[x].nvnodes)
			cand[nc++] = x;
	rng_state = 2025;
	for (it = 0; it < 100; it++) {
		mr_route_opts o, od;
		size_t k;

		/* four queries per pair: default options (the same as the last query before: only the
		 * target changes), another objective after a plain route with other options, another
		 * objective with an avoid or a mode filter, and the default options again (the weights
		 * change under a kept target) */
		if (it % 4 == 0) {
			from = cand[rng_below(nc)];
			to = cand[rng_below(nc)];
		}
		mr_route_opts_default(&o);
		if (it % 4 == 1 || it % 4 == 2)
			o.objective = objectives[1 + rng_below(4)];
		if (it % 4 == 2 && rng_below(2) == 0) {
			o.avoid = avoid;
			o.navoid = 1;
		} else if (it % 4 == 2) {
			o.mode_mask = 1u << MR_MODE_SEA | 1u << MR_MODE_RAIL | 1u << MR_MODE_FERRY;
		}
		if (it % 4 == 1) { /* a plain route with other options: other weights in the router */
			mr_route_opts p2;
			mr_route pr;
			uint32_t places[2] = {from, to};
			mr_route_opts_default(&p2);
			p2.objective = MR_BY_TIME;
			if (mr_router_route(r, places, 2, &p2, &pr, &e) == MR_OK)
				mr_route_free(&pr);
		}
		od = o;
		od.algorithm = MR_ALGO_DIJKSTRA;
		assert_int_equal(mr_router_new(&fresh, &net), MR_OK);
		for (k = 0; k < set.n; k++) {
			const mr_corridor *c = &set.v[k];
			mr_route a, b, fr;
			int rc1 = mr_router_route_pattern(r, from, to, &o, &c->pattern, c->preds, c->npred, &a, &e);
			int rc2 = mr_router_route_pattern(ref, from, to, &od, &c->pattern, c->preds, c->npred, &b, &e);
			int rc3 = mr_router_route_pattern(fresh, from, to, &o, &c->pattern, c->preds, c->npred, &fr, &e);
			if (rc1 != rc2 || rc1 != rc3)
				fail_msg("%s, query %d: A* code %d, Dijkstra %d, fresh router %d", c->id, it, rc1, rc2, rc3);
			if (rc1 == MR_OK) {
				/* the caches change nothing: the same search as on a new router */
				assert_int_equal(a.settled, fr.settled);
				assert_int_equal(a.narcs, fr.narcs);
				assert_memory_equal(a.arcs, fr.arcs, a.narcs * sizeof(uint32_t));
				mr_route_free(&fr);
				if (a.objective_value != b.objective_value)
					fail_msg("%s, query %d: A* %.17g, Dijkstra %.17g", c->id, it, a.objective_value,
					         b.objective_value);
				assert_int_equal(a.algorithm, MR_ALGO_ASTAR);
				assert_int_equal(b.algorithm, MR_ALGO_DIJKSTRA);
				settled_astar += a.settled;
				settled_dijkstra += b.settled;
				feasible++;
				mr_route_free(&a);
				mr_route_free(&b);
			} else {
				assert_int_equal(rc1, MR_ENOROUTE);
				infeasible++;
			}
		}
		mr_router_free(fresh);
	}
	print_message("router: %d feasible and %d infeasible corridor queries agree; pairs settled on the "
	              "feasible ones: A* %llu, Dijkstra %llu\n",
	              feasible, infeasible, (unsigned long long)settled_astar, (unsigned long long)settled_dijkstra);
	assert_true(feasible > 200 && infeasible > 50);
	assert_true(settled_astar < settled_dijkstra); /* the bound does its job */
	free(cand);
	mr_router_free(r);
	mr_router_free(ref);
	mr_corridors_free(&set);
	mr_net_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property_patterns),
		cmocka_unit_test(test_property_dfas),
		cmocka_unit_test(test_empty_pattern_is_dijkstra),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_forbid),
		cmocka_unit_test(test_only),
		cmocka_unit_test(test_sequence_order),
		cmocka_unit_test(test_revisit),
		cmocka_unit_test(test_infeasible),
		cmocka_unit_test(test_state_limit),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_classes_runs),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_generation_wrap),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_no_allocation_in_search),
		cmocka_unit_test(test_potential),
		cmocka_unit_test(test_bound_edges),
		cmocka_unit_test(test_pruning_pass),
		cmocka_unit_test(test_router_corridors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
