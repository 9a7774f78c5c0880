/* mr_ch.c: contraction hierarchies: build (ordering, witness searches, shortcuts), import and
 * export of the flat arrays, point-to-point queries with stall-on-demand, bucket matrices.
 *
 * The hierarchy (struct mr_ch) is the arrays of mr_ch_arrays, whose invariants mr_ch.h states:
 * vertices renumbered by rank, every arc stored once at its lower end (an up arc r -> head or a
 * down arc head -> r), each arc either a graph arc or a shortcut through a lower middle rank c
 * made of a down arc and an up arc of c. The correctness argument (Geisberger et al. 2008):
 * contracting v removes it from the remaining graph and adds a shortcut u -> x for each pair of
 * remaining neighbours whose path u -> v -> x is shorter than every witness path that avoids v
 * (the witness search may stop early: that only adds shortcuts). So distances among the remaining
 * vertices never change, and every shortest path has an equal-cost up-then-down path in the
 * hierarchy, found by a forward search over up arcs and a backward search over down arcs.
 *
 * Build state (struct builder, freed at the end of mr_ch_build):
 *   out[v], in[v]  while v is not contracted: lists in `pool` of (other end, record, weight), its
 *                  arcs to and from the remaining vertices, one per neighbour and direction
 *                  (parallel arcs merged, no self loops); pool_live is the room of these lists,
 *                  the rest of the pool is dead (lists that moved to grow, or were frozen) and
 *                  is dropped by a compaction when it outgrows the live room. Once v is
 *                  contracted its lists are frozen, copied to `fz` (in rank order): they are
 *                  exactly its up (out) and down (in) arcs;
 *   rec[i]         what arc i stands for: a graph arc, or the two records it shortcuts. A record
 *                  is changed in place only while both its ends remain (a cheaper shortcut
 *                  replaces an arc), when nothing refers to it yet.
 * Query state (struct mr_ch_query): per direction, 8-byte distance labels (INFINITY = none) and
 * the list of labelled ranks, reset at the start of the next query, so a query costs
 * O(vertices touched), never O(n); one addressable queue holds both directions' labels. */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "meridian/mr_ch.h"
#include "core/mr_heap.h"

#if defined(__GNUC__)
#define MR_INLINE inline __attribute__((always_inline)) /* three call sites: GCC would not inline */
#define MR_PREFETCH(p) __builtin_prefetch(p)
#else
#define MR_INLINE inline
#define MR_PREFETCH(p) ((void)(p))
#endif

struct mr_ch {
	uint32_t n, m, m_graph;
	const uint32_t *rank, *order, *first_arc, *first_down, *head, *unpack;
	const double *weight;
	int owned; /* 1: the arrays were allocated by mr_ch_build and are freed with ch */
};

/* ======================================================================================== */
/* build                                                                                    */
/* ======================================================================================== */

typedef struct dadj {
	uint32_t other, rec;
	double w;
} dadj;

typedef struct dlist {
	size_t start;
	uint32_t len, cap;
} dlist;

typedef struct drec {
	uint32_t a, b;  /* b == MR_NONE: graph arc a; else records a (tail -> mid), b (mid -> head) */
	uint32_t hops;  /* graph arcs it stands for */
	uint32_t pad;
} drec;

typedef struct pending {
	uint32_t u, x, ra, rb;
	double w;
} pending;

typedef struct wlabel {
	double d;      /* valid iff stamp == wgen */
	uint32_t stamp;
	uint32_t open; /* == wgen: a target still undecided (its cost through v in wc[]) */
} wlabel;

typedef struct builder {
	uint32_t n;
	dadj *pool;
	size_t pool_len, pool_cap;
	size_t pool_live;  /* room of the lists of the remaining vertices (the rest is dead) */
	dadj *fz;          /* the frozen lists, in rank order: out list, then in list */
	size_t fz_len, fz_cap;
	dlist *out, *in;
	drec *rec;
	size_t nrec, cap_rec;
	pending *sc;
	size_t nsc, cap_sc;
	/* witness search: wl[v].d is valid iff wl[v].stamp == wgen; v is an open target iff
	 * wl[v].open == wgen, and then wc[v] is its cost through the vertex being contracted */
	wlabel *wl;
	double *wc;
	uint32_t *whops, wgen;
	mr_heap wh;
	/* ordering */
	uint32_t *level, *cn, *nstamp, ngen;
	uint8_t *stale;  /* 1: v's key was raised by a constant since its priority was computed */
	uint8_t *done;
	mr_heap pq;
	uint32_t lim_contract, lim_sim, lim_hops;
} builder;

static void builder_free(builder *b)
{
	mr_free(b->pool);
	mr_free(b->fz);
	mr_free(b->out);
	mr_free(b->in);
	mr_free(b->rec);
	mr_free(b->sc);
	mr_free(b->wl);
	mr_free(b->wc);
	mr_free(b->whops);
	mr_free(b->level);
	mr_free(b->cn);
	mr_free(b->nstamp);
	mr_free(b->stale);
	mr_free(b->done);
	mr_heap_free(&b->wh);
	mr_heap_free(&b->pq);
}

static int grow(void **p, size_t *cap, size_t need, size_t elsize)
{
	size_t nc;
	void *q;
	if (need <= *cap)
		return MR_OK;
	nc = *cap ? *cap + *cap / 2 : 64;
	if (nc < need)
		nc = need;
	q = mr_realloc(*p, nc * elsize);
	if (!q)
		return MR_ENOMEM;
	*p = q;
	*cap = nc;
	return MR_OK;
}

/* Append e to list L (moving the list to the end of the pool, with twice the room, when full). */
static int list_push(builder *b, dlist *L, dadj e)
{
	if (L->len == L->cap) {
		uint32_t nc = L->cap ? 2 * L->cap : 4;
		if (grow((void **)&b->pool, &b->pool_cap, b->pool_len + nc, sizeof(dadj)))
			return MR_ENOMEM;
		memcpy(b->pool + b->pool_len, b->pool + L->start, L->len * sizeof(dadj));
		b->pool_live += nc - L->cap;
		L->start = b->pool_len;
		L->cap = nc;
		b->pool_len += nc;
	}
	b->pool[L->start + L->len++] = e;
	return MR_OK;
}

static void list_remove(builder *b, dlist *L, uint32_t other)
{
	dadj *e = b->pool + L->start;
	uint32_t i;
	for (i = 0; i < L->len; i++)
		if (e[i].other == other) {
			e[i] = e[--L->len];
			return;
		}
}

/* Move the lists of v (just contracted: its up and down arcs) to the end of b->fz, which thus
 * holds them in rank order; their pool room is dead. When the dead room outgrows the live room,
 * the lists of the remaining vertices are copied to a new pool, in vertex order: the witness
 * searches then read a pool that shrinks with the remaining graph (they mostly wait for memory). */
static int freeze(builder *b, uint32_t v)
{
	dlist *L[2] = {&b->out[v], &b->in[v]};
	size_t live = 0;
	uint32_t k, x;
	dadj *np;

	if (grow((void **)&b->fz, &b->fz_cap, b->fz_len + L[0]->len + L[1]->len, sizeof(dadj)))
		return MR_ENOMEM;
	for (k = 0; k < 2; k++) {
		if (L[k]->len) /* else fz and pool may be NULL */
			memcpy(b->fz + b->fz_len, b->pool + L[k]->start, L[k]->len * sizeof(dadj));
		b->pool_live -= L[k]->cap;
		L[k]->start = b->fz_len;
		L[k]->cap = L[k]->len;
		b->fz_len += L[k]->len;
	}
	if (b->pool_len < 2 * b->pool_live + b->n) /* amortizes the O(n) scan below */
		return MR_OK;
	for (x = 0; x < b->n; x++)
		if (!b->done[x] && x != v)
			live += (size_t)b->out[x].cap + b->in[x].cap;
	np = mr_malloc((live ? live : 1) * sizeof(dadj));
	if (!np)
		return MR_ENOMEM;
	live = 0;
	for (x = 0; x < b->n; x++) {
		if (b->done[x] || x == v)
			continue;
		for (k = 0; k < 2; k++) {
			dlist *M = k ? &b->in[x] : &b->out[x];
			if (M->len)
				memcpy(np + live, b->pool + M->start, M->len * sizeof(dadj));
			M->start = live;
			live += M->cap;
		}
	}
	mr_free(b->pool);
	b->pool = np;
	b->pool_len = b->pool_live = live;
	b->pool_cap = live ? live : 1;
	return MR_OK;
}

static int new_rec(builder *b, uint32_t a, uint32_t bb, uint32_t hops, uint32_t *id)
{
	if (b->nrec >= MR_NONE - 1)
		return MR_ELIMIT;
	if (grow((void **)&b->rec, &b->cap_rec, b->nrec + 1, sizeof(drec)))
		return MR_ENOMEM;
	b->rec[b->nrec].a = a;
	b->rec[b->nrec].b = bb;
	b->rec[b->nrec].hops = hops;
	b->rec[b->nrec].pad = 0;
	*id = (uint32_t)b->nrec++;
	return MR_OK;
}

/* The largest wc[x] of the targets still open (-1 if none): targets are the other ends of
 * the list T, minus s. */
static double open_max(const builder *b, const dlist *T, uint32_t s)
{
	const dadj *e = b->pool + T->start;
	double m = -1;
	uint32_t j;
	for (j = 0; j < T->len; j++) {
		uint32_t x = e[j].other;
		if (x != s && b->wl[x].open == b->wgen && b->wc[x] > m)
			m = b->wc[x];
	}
	return m;
}

/* Dijkstra from s over the remaining graph without vertex `skip`, for the targets x marked
 * (wl[x].open == wgen, wc[x] = the cost through skip; `targets` of them, the other ends of the
 * list T minus s), until every target is decided or `limit` vertices are settled. A target is
 * decided when it gets a label <= wc[x] (a witness: labels only decrease) or the queue's key
 * passes wc[x] (no witness can follow). So the search stops once the key exceeds maxc, the
 * largest wc of the open targets (it shrinks as targets are decided), and never queues a vertex
 * beyond maxc: within the bound on settled vertices, the decisions are those of a search that
 * went on. Afterwards every wl[x].d with wl[x].stamp == wgen is the cost of a real path s -> x
 * that avoids skip. */
static void witness(builder *b, uint32_t s, uint32_t skip, const dlist *T, double maxc, uint32_t limit,
                    uint32_t targets)
{
	mr_heap *h = &b->wh;
	uint32_t gen = b->wgen, settled = 0;

	mr_heap_clear(h);
	b->wl[skip].d = -INFINITY; /* never reached: no label beats it */
	b->wl[skip].stamp = gen;
	b->wl[s].d = 0;
	b->wl[s].stamp = gen;
	b->whops[s] = 0;
	mr_heap_push(h, s, 0);
	while (!mr_heap_empty(h)) {
		double d;
		uint32_t u = mr_heap_pop(h, &d), i;
		const dadj *e;
		dlist *L;

		if (d > maxc || ++settled > limit)
			break;
		if (b->lim_hops && b->whops[u] >= b->lim_hops)
			continue;
		L = &b->out[u];
		e = b->pool + L->start;
		if (!mr_heap_empty(h)) /* the list read next, most likely: a cache miss otherwise */
			MR_PREFETCH(b->pool + b->out[h->e[0].item].start);
		for (i = 0; i < L->len; i++) {
			uint32_t x = e[i].other;
			double nd = d + e[i].w;
			wlabel *W = &b->wl[x];
			if (nd > maxc)
				continue;
			if (W->stamp != gen) {
				W->stamp = gen;
				W->d = nd;
				MR_PREFETCH(&b->out[x]);
				mr_heap_push(h, x, nd);
			} else if (nd < W->d) { /* x is queued: a settled x has W->d <= d <= nd */
				W->d = nd;
				mr_heap_decrease(h, x, nd);
			} else {
				continue;
			}
			if (b->lim_hops)
				b->whops[x] = b->whops[u] + 1;
			if (W->open == gen && nd <= b->wc[x]) {
				W->open = 0;
				if (--targets == 0)
					return;
				if (b->wc[x] == maxc)
					maxc = open_max(b, T, s);
			}
		}
	}
}

static void next_wgen(builder *b)
{
	if (++b->wgen == 0) {
		uint32_t v;
		for (v = 0; v < b->n; v++)
			b->wl[v].stamp = b->wl[v].open = 0;
		b->wgen = 1;
	}
}

/* The shortcuts that contracting v needs: with simulate, counted into *added / *added_hops;
 * otherwise queued in b->sc (b->nsc reset first). */
static int shortcuts(builder *b, uint32_t v, int simulate, uint32_t *added, uint32_t *added_hops)
{
	dlist *IN = &b->in[v], *OUT = &b->out[v];
	uint32_t i, j, limit = simulate ? b->lim_sim : b->lim_contract;

	*added = *added_hops = 0;
	b->nsc = 0;
	for (i = 0; i < IN->len; i++) {
		const dadj ein = b->pool[IN->start + i];
		uint32_t u = ein.other, targets = 0;
		double maxc = -1;

		next_wgen(b);
		for (j = 0; j < OUT->len; j++) {
			const dadj *eo = &b->pool[OUT->start + j];
			if (eo->other == u)
				continue;
			if (ein.w + eo->w > maxc)
				maxc = ein.w + eo->w;
			if (b->wl[eo->other].open != b->wgen) {
				b->wl[eo->other].open = b->wgen;
				b->wc[eo->other] = ein.w + eo->w;
				targets++;
			}
		}
		if (targets == 0)
			continue;
		witness(b, u, v, OUT, maxc, limit, targets);
		for (j = 0; j < OUT->len; j++) {
			const dadj eo = b->pool[OUT->start + j];
			double c = ein.w + eo.w;
			uint32_t x = eo.other;
			if (x == u || (b->wl[x].stamp == b->wgen && b->wl[x].d <= c))
				continue; /* no self loops; a witness avoids v */
			if (simulate) {
				(*added)++;
				*added_hops += b->rec[ein.rec].hops + b->rec[eo.rec].hops;
				continue;
			}
			if (grow((void **)&b->sc, &b->cap_sc, b->nsc + 1, sizeof(pending)))
				return MR_ENOMEM;
			b->sc[b->nsc].u = u;
			b->sc[b->nsc].x = x;
			b->sc[b->nsc].ra = ein.rec;
			b->sc[b->nsc].rb = eo.rec;
			b->sc[b->nsc].w = c;
			b->nsc++;
		}
	}
	return MR_OK;
}

/* Weights of the priority terms. The level weighs most after the edge difference: on Chicago
 * (and on road-like grids) 5 x level + 1 x contracted neighbours gives queries 6 % fewer
 * instructions (4 % fewer vertices settled, 9 % fewer arcs scanned) than 1 x level + 2 x
 * contracted neighbours, for 2 % more build work. */
#define W_EDGE 4.0
#define W_CN 1.0
#define W_LEVEL 5.0

/* Priority of v (smaller = contracted sooner): W_EDGE x the edge difference (shortcuts added
 * minus arcs removed) + W_CN x the contracted neighbours + W_LEVEL x the level (1 + the highest
 * level of a contracted neighbour: keeps the hierarchy shallow) + the hop quotient (graph arcs
 * the new shortcuts stand for over those removed: keeps shortcuts short). */
static double priority(builder *b, uint32_t v)
{
	uint32_t added, added_hops, removed, removed_hops = 0, i;
	dlist *IN = &b->in[v], *OUT = &b->out[v];

	shortcuts(b, v, 1, &added, &added_hops); /* simulate: cannot fail */
	removed = IN->len + OUT->len;
	for (i = 0; i < IN->len; i++)
		removed_hops += b->rec[b->pool[IN->start + i].rec].hops;
	for (i = 0; i < OUT->len; i++)
		removed_hops += b->rec[b->pool[OUT->start + i].rec].hops;
	return W_EDGE * ((double)added - (double)removed) + W_CN * (double)b->cn[v] +
	       W_LEVEL * (double)b->level[v] + (removed_hops ? (double)added_hops / removed_hops : 0.0);
}

/* After contracting a vertex with more arcs than this (in + out, to the remaining vertices),
 * its neighbours' priorities are raised by a constant and recomputed only when they reach the
 * top of the queue, instead of at once. The dense vertices contracted last cost the most to
 * simulate (the witness searches grow with the degree): on Chicago the build needs a quarter
 * less witness search work with 12 than with no limit, for the same query speed (sim_settled 30;
 * 20 had been the best bound without the limit); on a road-like grid, a ninth less, and 6 %
 * fewer vertices settled per query. Raising them by what the level term gains as well made
 * queries a quarter dearer. */
#define EXACT_ARCS 12

/* Contract v: add its shortcuts (or lower an existing arc u -> x), then take v out of its
 * neighbours' lists. v's own lists are left as they are: its up and down arcs. */
static int contract(builder *b, uint32_t v)
{
	uint32_t dummy1, dummy2, k, i;
	int rc;
	dlist *IN = &b->in[v], *OUT = &b->out[v];

	if ((rc = shortcuts(b, v, 0, &dummy1, &dummy2)) != MR_OK)
		return rc;
	for (k = 0; k < b->nsc; k++) {
		const pending p = b->sc[k];
		dlist *L = &b->out[p.u];
		dadj *e = b->pool + L->start;
		uint32_t hops = b->rec[p.ra].hops + b->rec[p.rb].hops, r;
		for (i = 0; i < L->len && e[i].other != p.x; i++)
			;
		if (i < L->len) { /* an arc u -> x remains: lower it in place */
			dlist *M = &b->in[p.x];
			dadj *f = b->pool + M->start;
			uint32_t j;
			if (e[i].w <= p.w)
				continue;
			r = e[i].rec;
			b->rec[r].a = p.ra;
			b->rec[r].b = p.rb;
			b->rec[r].hops = hops;
			e[i].w = p.w;
			for (j = 0; j < M->len && f[j].other != p.u; j++)
				;
			if (j < M->len)
				f[j].w = p.w;
			continue;
		}
		if ((rc = new_rec(b, p.ra, p.rb, hops, &r)) != MR_OK)
			return rc;
		{
			dadj eo = {p.x, r, p.w}, ei = {p.u, r, p.w};
			if (list_push(b, &b->out[p.u], eo) || list_push(b, &b->in[p.x], ei))
				return MR_ENOMEM;
		}
	}
	for (i = 0; i < OUT->len; i++)
		list_remove(b, &b->in[b->pool[OUT->start + i].other], v);
	for (i = 0; i < IN->len; i++)
		list_remove(b, &b->out[b->pool[IN->start + i].other], v);
	return MR_OK;
}

static void free_owned(mr_ch *ch)
{
	mr_free((void *)ch->rank);
	mr_free((void *)ch->order);
	mr_free((void *)ch->first_arc);
	mr_free((void *)ch->first_down);
	mr_free((void *)ch->head);
	mr_free((void *)ch->weight);
	mr_free((void *)ch->unpack);
}

void mr_ch_free(mr_ch *ch)
{
	if (!ch)
		return;
	if (ch->owned)
		free_owned(ch);
	mr_free(ch);
}

/* Turn the frozen lists into the flat arrays (rank space). */
static int finish(builder *b, const uint32_t *rank, mr_ch *ch)
{
	uint32_t n = b->n, r, v, i, m = 0, *order, *fu, *fd, *head, *up, *map = NULL, *idrec = NULL;
	double *wt;
	size_t total = 0;

	mr_free(b->pool); /* every list is frozen in b->fz */
	b->pool = NULL;
	b->pool_len = b->pool_cap = 0;
	for (v = 0; v < n; v++)
		total += (size_t)b->out[v].len + b->in[v].len;
	if (total >= MR_NONE)
		return MR_ELIMIT;
	m = (uint32_t)total;
	ch->n = n;
	ch->m = m;
	ch->order = order = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	ch->first_arc = fu = mr_malloc(((size_t)n + 1) * sizeof(uint32_t));
	ch->first_down = fd = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	ch->head = head = mr_malloc((m ? m : 1) * sizeof(uint32_t));
	ch->weight = wt = mr_malloc((m ? m : 1) * sizeof(double));
	ch->unpack = up = mr_malloc((m ? 2 * (size_t)m : 2) * sizeof(uint32_t));
	map = mr_malloc((b->nrec ? b->nrec : 1) * sizeof(uint32_t));
	idrec = mr_malloc((m ? m : 1) * sizeof(uint32_t));
	if (!order || !fu || !fd || !head || !wt || !up || !map || !idrec) {
		mr_free(map);
		mr_free(idrec);
		return MR_ENOMEM;
	}
	for (v = 0; v < n; v++)
		order[rank[v]] = v;
	fu[0] = 0; /* rank r: its up arcs, then its down arcs */
	for (r = 0; r < n; r++) {
		fd[r] = fu[r] + b->out[order[r]].len;
		fu[r + 1] = fd[r] + b->in[order[r]].len;
	}
	for (r = 0; r < n; r++) {
		const dlist *Lo = &b->out[order[r]], *Li = &b->in[order[r]];
		for (i = 0; i < Lo->len; i++) {
			const dadj *e = &b->fz[Lo->start + i];
			uint32_t a = fu[r] + i;
			head[a] = rank[e->other];
			wt[a] = e->w;
			idrec[a] = e->rec;
			map[e->rec] = a;
		}
		for (i = 0; i < Li->len; i++) {
			const dadj *e = &b->fz[Li->start + i];
			uint32_t a = fd[r] + i;
			head[a] = rank[e->other];
			wt[a] = e->w;
			idrec[a] = e->rec;
			map[e->rec] = a;
		}
	}
	for (i = 0; i < m; i++) {
		const drec *R = &b->rec[idrec[i]];
		up[2 * (size_t)i] = R->b == MR_NONE ? R->a : map[R->a];
		up[2 * (size_t)i + 1] = R->b == MR_NONE ? MR_NONE : map[R->b];
	}
	mr_free(map);
	mr_free(idrec);
	return MR_OK;
}

int mr_ch_build(const mr_graph *g, const double *w, const mr_ch_opts *o, mr_ch **out, mr_error *err)
{
	builder B, *b = &B;
	mr_ch *ch = NULL;
	uint32_t n, v, a, *last = NULL, *lastpos = NULL, *rank = NULL, contracted = 0, step, exact_arcs;
	int rc = MR_ENOMEM;

	memset(b, 0, sizeof(*b));
	if (out)
		*out = NULL;
	if (!g || !w || !out || !g->first_out || (g->m && !g->head) || g->n == MR_NONE || g->m == MR_NONE ||
	    g->first_out[0] != 0 || g->first_out[g->n] != g->m)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "contraction hierarchy: bad graph");
	n = g->n;
	for (v = 0; v < n; v++) {
		if (g->first_out[v + 1] < g->first_out[v])
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "contraction hierarchy: bad graph");
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			if (g->head[a] >= n)
				return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
				                    "contraction hierarchy: arc %u leads to vertex %u of %u", a, g->head[a], n);
			if (w[a] < 0)
				return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
				                    "contraction hierarchy: arc %u has a negative weight %g", a, w[a]);
		}
	}
	b->n = n;
	b->lim_contract = o && o->witness_settled ? o->witness_settled : 500;
	b->lim_sim = o && o->sim_settled ? o->sim_settled : 30;
	b->lim_hops = o ? o->witness_hops : 0;
	exact_arcs = o && o->cheap_updates ? 0 : EXACT_ARCS;
	ch = mr_calloc(1, sizeof(*ch));
	b->out = mr_calloc(n ? n : 1, sizeof(dlist));
	b->in = mr_calloc(n ? n : 1, sizeof(dlist));
	b->wl = mr_calloc(n ? n : 1, sizeof(wlabel));
	b->wc = mr_calloc(n ? n : 1, sizeof(double));
	b->whops = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->level = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->cn = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->nstamp = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->stale = mr_calloc(n ? n : 1, 1);
	b->done = mr_calloc(n ? n : 1, 1);
	rank = mr_calloc(n ? n : 1, sizeof(uint32_t));
	last = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	lastpos = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	if (!ch || !b->out || !b->in || !b->wl || !b->wc || !b->whops || !b->level || !b->cn ||
	    !b->nstamp || !b->stale || !b->done || !rank || !last || !lastpos)
		goto fail;
	if ((rc = mr_heap_init(&b->wh, n)) != MR_OK || (rc = mr_heap_init(&b->pq, n)) != MR_OK)
		goto fail;
	rc = MR_ENOMEM;

	/* The graph's usable arcs, parallel arcs merged (cheapest, lowest id on ties), no loops. */
	memset(last, 0xff, n * sizeof(uint32_t));
	for (v = 0; v < n; v++) {
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			uint32_t x = g->head[a], r;
			if (x == v || !(w[a] < INFINITY))
				continue;
			if (last[x] == v) { /* parallel arc: out[v] entry lastpos[x] */
				dadj *e = &b->pool[b->out[v].start + lastpos[x]];
				if (w[a] < e->w) {
					dlist *M = &b->in[x];
					uint32_t j;
					e->w = w[a];
					b->rec[e->rec].a = a;
					for (j = 0; j < M->len; j++)
						if (b->pool[M->start + j].other == v)
							b->pool[M->start + j].w = w[a];
				}
				continue;
			}
			if ((rc = new_rec(b, a, MR_NONE, 1, &r)) != MR_OK)
				goto fail;
			rc = MR_ENOMEM;
			last[x] = v;
			lastpos[x] = b->out[v].len;
			{
				dadj eo = {x, r, w[a]}, ei = {v, r, w[a]};
				if (list_push(b, &b->out[v], eo) || list_push(b, &b->in[x], ei))
					goto fail;
			}
		}
	}
	mr_free(last);
	mr_free(lastpos);
	last = lastpos = NULL;

	/* Order: a queue of priorities. After contracting a vertex with at most EXACT_ARCS arcs,
	 * its neighbours' priorities are recomputed and set (up or down), as RoutingKit does: a
	 * vertex's priority changes mostly when a neighbour goes. After contracting a denser one
	 * (with cheap_updates: any), they are only raised by what their contracted-neighbour term
	 * gains and marked stale; a stale vertex is re-evaluated when it reaches the top (lazy
	 * update: it goes back if its priority now exceeds the next one). Whatever the order, the
	 * hierarchy is exact: the order only decides its size and speed. */
	for (v = 0; v < n; v++)
		mr_heap_push(&b->pq, v, priority(b, v));
	step = n / 100 ? n / 100 : 1;
	while (!mr_heap_empty(&b->pq)) {
		uint32_t i, k;
		double p;
		v = mr_heap_pop(&b->pq, &p);
		if (b->stale[v]) { /* lazy update */
			p = priority(b, v);
			b->stale[v] = 0;
			if (!mr_heap_empty(&b->pq) && p > mr_heap_top_key(&b->pq)) {
				mr_heap_push(&b->pq, v, p);
				continue;
			}
		}
		if ((rc = contract(b, v)) != MR_OK)
			goto fail;
		rc = MR_ENOMEM;
		b->done[v] = 1;
		rank[v] = contracted++;
		if (++b->ngen == 0) {
			memset(b->nstamp, 0, n * sizeof(uint32_t));
			b->ngen = 1;
		}
		for (k = 0; k < 2; k++) {
			dlist *L = k ? &b->in[v] : &b->out[v];
			for (i = 0; i < L->len; i++) {
				uint32_t x = b->pool[L->start + i].other;
				if (b->nstamp[x] == b->ngen)
					continue;
				b->nstamp[x] = b->ngen;
				b->cn[x]++;
				if (b->level[x] < b->level[v] + 1)
					b->level[x] = b->level[v] + 1;
			}
		}
		for (k = 0; k < 2; k++) {
			dlist *L = k ? &b->in[v] : &b->out[v];
			for (i = 0; i < L->len; i++) {
				uint32_t x = b->pool[L->start + i].other;
				if (b->nstamp[x] != b->ngen)
					continue; /* done already */
				b->nstamp[x] = b->ngen - 1; /* once */
				if (b->out[v].len + b->in[v].len > exact_arcs) {
					mr_heap_set(&b->pq, x, mr_heap_key(&b->pq, x) + W_CN); /* cn + 1 */
					b->stale[x] = 1;
				} else {
					mr_heap_set(&b->pq, x, priority(b, x));
					b->stale[x] = 0;
				}
			}
		}
		if ((rc = freeze(b, v)) != MR_OK)
			goto fail;
		rc = MR_ENOMEM;
		if (o && o->progress && (contracted % step == 0 || contracted == n))
			o->progress(o->progress_ud, contracted, n);
	}

	if ((rc = finish(b, rank, ch)) != MR_OK)
		goto fail;
	ch->m_graph = g->m;
	ch->rank = rank;
	ch->owned = 1;
	builder_free(b);
	*out = ch;
	return MR_OK;
fail:
	builder_free(b);
	mr_free(last);
	mr_free(lastpos);
	if (ch) {
		free_owned(ch);
		mr_free(ch);
	}
	mr_free(rank);
	if (rc == MR_ELIMIT)
		return mr_error_set(err, rc, NULL, 0, 0, NULL, "contraction hierarchy: more than 2^32 arcs");
	return mr_error_set(err, rc, NULL, 0, 0, NULL, "contraction hierarchy: out of memory");
}

/* ======================================================================================== */
/* export / import                                                                          */
/* ======================================================================================== */

int mr_ch_export(const mr_ch *ch, mr_ch_arrays *out)
{
	if (!ch || !out)
		return MR_EINVAL;
	out->n = ch->n;
	out->m = ch->m;
	out->m_graph = ch->m_graph;
	out->rank = ch->rank;
	out->order = ch->order;
	out->first_arc = ch->first_arc;
	out->first_down = ch->first_down;
	out->head = ch->head;
	out->weight = ch->weight;
	out->unpack = ch->unpack;
	return MR_OK;
}

void mr_ch_info_get(const mr_ch *ch, mr_ch_info *out)
{
	uint32_t i, sc = 0;
	memset(out, 0, sizeof(*out));
	if (!ch)
		return;
	for (i = 0; i < ch->m; i++)
		sc += ch->unpack[2 * (size_t)i + 1] != MR_NONE;
	for (i = 0; i < ch->n; i++)
		out->m_up += ch->first_down[i] - ch->first_arc[i];
	out->n = ch->n;
	out->m_down = ch->m - out->m_up;
	out->shortcuts = sc;
	out->bytes = (size_t)ch->n * 4 * sizeof(uint32_t) + sizeof(uint32_t) +
	             (size_t)ch->m * (3 * sizeof(uint32_t) + sizeof(double));
}

#define CORRUPT(...) do { rc = mr_error_set(err, MR_ECORRUPT, NULL, 0, 0, "ch", __VA_ARGS__); goto done; } while (0)

int mr_ch_import(const mr_ch_arrays *A, mr_ch **out, mr_error *err)
{
	uint32_t n, m, r, i, *owner = NULL;
	mr_ch *ch = NULL;
	int rc = MR_OK;

	if (out)
		*out = NULL;
	if (!A || !out)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "contraction hierarchy: NULL argument");
	n = A->n;
	m = A->m;
	if (!A->rank || !A->order || !A->first_arc || !A->first_down || (m && (!A->head || !A->weight ||
	    !A->unpack)) || n == MR_NONE || m == MR_NONE)
		return mr_error_set(err, MR_ECORRUPT, NULL, 0, 0, "ch", "missing or oversized arrays");
	for (r = 0; r < n; r++)
		if (A->order[r] >= n || A->rank[A->order[r]] != r)
			return mr_error_set(err, MR_ECORRUPT, NULL, 0, 0, "ch", "rank and order are not inverse (rank %u)", r);
	if (A->first_arc[0] != 0 || A->first_arc[n] != m)
		return mr_error_set(err, MR_ECORRUPT, NULL, 0, 0, "ch", "arc offsets do not add up");
	owner = mr_malloc((m ? m : 1) * sizeof(uint32_t));
	if (!owner)
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "contraction hierarchy: out of memory");
	for (r = 0; r < n; r++) {
		if (A->first_down[r] < A->first_arc[r] || A->first_arc[r + 1] < A->first_down[r])
			CORRUPT("arc offsets decrease at rank %u", r);
		for (i = A->first_arc[r]; i < A->first_arc[r + 1]; i++) {
			owner[i] = r;
			if (A->head[i] <= r || A->head[i] >= n)
				CORRUPT("arc %u does not lead up", i);
			if (!(A->weight[i] >= 0 && A->weight[i] < INFINITY))
				CORRUPT("arc %u has weight %g", i, A->weight[i]);
		}
	}
	for (i = 0; i < m; i++) {
		uint32_t x = A->unpack[2 * (size_t)i], y = A->unpack[2 * (size_t)i + 1], c, up = i < A->first_down[owner[i]];
		uint32_t tail = up ? owner[i] : A->head[i], head = up ? A->head[i] : owner[i];
		if (y == MR_NONE) {
			if (x >= A->m_graph)
				CORRUPT("arc %u stands for graph arc %u of %u", i, x, A->m_graph);
			continue;
		}
		if (x >= m || y >= m)
			CORRUPT("shortcut %u has bad halves", i);
		c = owner[x];
		if (x < A->first_down[c] || y >= A->first_down[c]) /* x a down arc, y an up arc */
			CORRUPT("shortcut %u has bad halves", i);
		if (owner[y] != c || c >= owner[i] || A->head[x] != tail || A->head[y] != head)
			CORRUPT("shortcut %u: halves %u, %u do not meet below it", i, x, y);
	}
	ch = mr_calloc(1, sizeof(*ch));
	if (!ch) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "contraction hierarchy: out of memory");
		goto done;
	}
	ch->n = n;
	ch->m = m;
	ch->m_graph = A->m_graph;
	ch->rank = A->rank;
	ch->order = A->order;
	ch->first_arc = A->first_arc;
	ch->first_down = A->first_down;
	ch->head = A->head;
	ch->weight = A->weight;
	ch->unpack = A->unpack;
	ch->owned = 0;
	*out = ch;
done:
	mr_free(owner);
	return rc;
}

/* ======================================================================================== */
/* queries                                                                                  */
/* ======================================================================================== */

/* One direction of a query. dist[r]: the label of rank r, INFINITY for none; par[r]: the arc that
 * set it and the rank at its other end (MR_NONE, MR_NONE for a seed), valid iff dist[r] is finite;
 * touched[0..nt): the ranks with a finite label, which side_begin() resets to INFINITY, so a
 * query costs O(vertices touched), never O(n). A rank with a finite label is in the queue or
 * settled (labels that could not beat mu are never set), so relaxing needs no queue look-up to
 * choose between push and decrease (a settled rank's label is <= the key being settled, never
 * beaten). Labels are 8 bytes, without a generation stamp: the stall test, which reads the labels
 * of a vertex's other-direction neighbours, touches half the cache lines of a 16-byte label. */
typedef struct qpar {
	uint32_t v, arc;
} qpar;

typedef struct qside {
	double *dist;
	qpar *par;
	uint32_t *touched, nt;
	mr_heap *h;    /* the query's queue, shared by both sides */
	uint32_t off;  /* this side's items in it: off + rank */
} qside;

struct mr_ch_query {
	const mr_ch *ch;
	qside f, b;      /* forward (from the sources, up arcs), backward (from the targets, down arcs) */
	mr_heap h;       /* both sides' labels: forward ranks r as items r, backward ones as n + r */
	uint32_t *chp;   /* 2n: hierarchy arcs of the up-down path */
	uint32_t *stack; /* n + 1: unpacking */
	uint32_t *path;  /* graph arcs of the unpacked path */
	size_t path_cap;
	uint32_t *sv;    /* n: vertices settled, not stalled, by the last sweep */
	double *sd;      /* n: their distances */
	uint32_t nsv;
};

static void side_free(qside *s)
{
	mr_free(s->dist);
	mr_free(s->par);
	mr_free(s->touched);
}

static int side_init(qside *s, uint32_t n)
{
	size_t n1 = n ? n : 1, i;
	s->dist = mr_malloc(n1 * sizeof(double));
	s->par = mr_malloc(n1 * sizeof(qpar));
	s->touched = mr_malloc(n1 * sizeof(uint32_t));
	s->nt = 0;
	if (!s->dist || !s->par || !s->touched)
		return MR_ENOMEM;
	for (i = 0; i < n1; i++)
		s->dist[i] = INFINITY;
	return MR_OK;
}

void mr_ch_query_free(mr_ch_query *q)
{
	if (!q)
		return;
	side_free(&q->f);
	side_free(&q->b);
	mr_heap_free(&q->h);
	mr_free(q->chp);
	mr_free(q->stack);
	mr_free(q->path);
	mr_free(q->sv);
	mr_free(q->sd);
	mr_free(q);
}

int mr_ch_query_new(const mr_ch *ch, mr_ch_query **out)
{
	mr_ch_query *q;
	size_t n1;
	int rc = MR_ENOMEM;

	if (!out)
		return MR_EINVAL;
	*out = NULL;
	if (!ch)
		return MR_EINVAL;
	n1 = ch->n ? ch->n : 1;
	q = mr_calloc(1, sizeof(*q));
	if (!q)
		return MR_ENOMEM;
	q->ch = ch;
	q->chp = mr_malloc(2 * n1 * sizeof(uint32_t));
	q->stack = mr_malloc((n1 + 1) * sizeof(uint32_t));
	q->path = mr_malloc(n1 * sizeof(uint32_t));
	q->path_cap = n1;
	q->sv = mr_malloc(n1 * sizeof(uint32_t));
	q->sd = mr_malloc(n1 * sizeof(double));
	if (!q->chp || !q->stack || !q->path || !q->sv || !q->sd)
		goto fail;
	if ((rc = side_init(&q->f, ch->n)) != MR_OK || (rc = side_init(&q->b, ch->n)) != MR_OK)
		goto fail;
	if (ch->n >= (uint32_t)1 << 31) { /* items r and n + r must fit below MR_HEAP_ABSENT */
		rc = MR_ELIMIT;
		goto fail;
	}
	if ((rc = mr_heap_init(&q->h, 2 * ch->n)) != MR_OK)
		goto fail;
	q->f.h = q->b.h = &q->h;
	q->f.off = 0;
	q->b.off = ch->n;
	*out = q;
	return MR_OK;
fail:
	mr_ch_query_free(q);
	return rc;
}

static void side_begin(qside *s)
{
	uint32_t i;
	for (i = 0; i < s->nt; i++)
		s->dist[s->touched[i]] = INFINITY;
	s->nt = 0;
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

/* Label rank r with d (smaller than its label), coming from rank from by arc a. */
static MR_INLINE void label(qside *s, uint32_t r, double d, uint32_t from, uint32_t a)
{
	if (s->dist[r] == INFINITY) {
		s->touched[s->nt++] = r;
		mr_heap_push(s->h, s->off + r, d);
	} else {
		mr_heap_decrease(s->h, s->off + r, d);
	}
	s->dist[r] = d;
	s->par[r].v = from;
	s->par[r].arc = a;
}

static void seed(qside *s, const uint32_t *rank, const mr_seed *x, size_t k)
{
	size_t i;
	for (i = 0; i < k; i++) {
		uint32_t r = rank[x[i].v];
		if (x[i].offset < s->dist[r])
			label(s, r, x[i].offset, MR_NONE, MR_NONE);
	}
}

/* 1 if u (settled at distance d in the direction whose labels are dist) is reached more cheaply
 * through one of its arcs [a, end) from a higher vertex: then d is not u's distance and
 * expanding u is useless (stall-on-demand). A missing label is INFINITY: never cheaper. */
static MR_INLINE int stalled(const mr_ch *ch, const double *dist, uint32_t a, uint32_t end, double d)
{
	const uint32_t *head = ch->head;
	const double *wt = ch->weight;
	for (; a < end; a++)
		if (dist[head[a]] + wt[a] < d)
			return 1;
	return 0;
}

/* Relax the arcs [a, end) of rank u at distance d in one direction; labels that cannot beat
 * bound (mu: no path through them can be shorter than the best found) are not set. */
static MR_INLINE void relax(const mr_ch *ch, qside *s, uint32_t u, uint32_t a, uint32_t end, double d,
                            double bound)
{
	const uint32_t *head = ch->head;
	const double *wt = ch->weight;
	double *dist = s->dist;

	for (; a < end; a++) {
		uint32_t x = head[a];
		double nd = d + wt[a];
		if (nd < dist[x] && nd < bound)
			label(s, x, nd, u, a);
	}
}

/* Append the graph arcs of hierarchy arc a to q->path (and their weights to *cost, in order). */
static int unpack(mr_ch_query *q, uint32_t a, uint32_t *len, double *cost)
{
	const mr_ch *ch = q->ch;
	uint32_t sp = 0;

	q->stack[sp++] = a;
	while (sp) {
		uint32_t x = q->stack[--sp];
		const uint32_t *pair = ch->unpack + 2 * (size_t)x;
		if (pair[1] != MR_NONE) {
			/* both halves own a lower rank than x: the depth is at most n */
			q->stack[sp++] = pair[1];
			q->stack[sp++] = pair[0];
			continue;
		}
		if (*len == q->path_cap) {
			size_t nc = q->path_cap * 2;
			uint32_t *p = nc <= MR_NONE ? mr_realloc(q->path, nc * sizeof(uint32_t)) : NULL;
			if (!p)
				return MR_ENOMEM;
			q->path = p;
			q->path_cap = nc;
		}
		q->path[(*len)++] = pair[0];
		*cost += ch->weight[x];
	}
	return MR_OK;
}

static void set_empty(mr_ch_query *q, mr_path *out, uint32_t settled)
{
	out->cost = INFINITY;
	out->arcs = q->path;
	out->narcs = 0;
	out->first = out->last = MR_NONE;
	out->settled = settled;
}

/* The search of mr_ch_route and mr_ch_cost (seeds checked): returns the meeting rank (MR_NONE if
 * none) and its cost *mu. */
static uint32_t search(mr_ch_query *q, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                       double *mu_out, uint32_t *settled_out)
{
	const mr_ch *ch = q->ch;
	const uint32_t *fa = ch->first_arc, *fd = ch->first_down;
	qside *F = &q->f, *B = &q->b;
	mr_heap *h = &q->h;
	uint32_t settled = 0, meet = MR_NONE, i, n = ch->n;
	double mu = INFINITY;

	side_begin(F);
	side_begin(B);
	mr_heap_clear(h);
	seed(F, ch->rank, src, nsrc);
	seed(B, ch->rank, dst, ndst);
	for (i = 0; i < ndst; i++) {
		uint32_t r = ch->rank[dst[i].v];
		if (F->dist[r] + B->dist[r] < mu) {
			mu = F->dist[r] + B->dist[r];
			meet = r;
		}
	}
	/* One queue for both directions: the smallest key of either goes next, and the search stops
	 * when it reaches mu (each direction could stop when its own smallest key reaches mu; the
	 * common queue's smallest is the smaller of the two): the best up-down path's peak is
	 * settled in both directions with its exact distances before that, and the second settling
	 * sees the first's label (see docs/ch.md). */
	while (!mr_heap_empty(h) && mr_heap_top_key(h) < mu) {
		double d;
		uint32_t u = mr_heap_pop(h, &d);
		if (!mr_heap_empty(h)) { /* the arcs read next, most likely (measured: 5 % faster) */
			uint32_t t = h->e[0].item;
			t = fa[t < n ? t : t - n];
			MR_PREFETCH(ch->head + t);
			MR_PREFETCH(ch->weight + t);
		}
		settled++;
		if (u < n) {
			if (d + B->dist[u] < mu) {
				mu = d + B->dist[u];
				meet = u;
			}
			if (!stalled(ch, F->dist, fd[u], fa[u + 1], d))
				relax(ch, F, u, fa[u], fd[u], d, mu);
		} else {
			u -= n;
			if (d + F->dist[u] < mu) {
				mu = d + F->dist[u];
				meet = u;
			}
			if (!stalled(ch, B->dist, fa[u], fd[u], d))
				relax(ch, B, u, fd[u], fa[u + 1], d, mu);
		}
	}
	*mu_out = mu;
	*settled_out = settled;
	return meet;
}

int mr_ch_cost(mr_ch_query *q, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
               double *cost)
{
	uint32_t settled;
	double mu;
	if (!q || !cost)
		return MR_EINVAL;
	*cost = INFINITY;
	if (check_seeds(src, nsrc, q->ch->n) || check_seeds(dst, ndst, q->ch->n))
		return MR_EINVAL;
	if (search(q, src, nsrc, dst, ndst, &mu, &settled) == MR_NONE)
		return MR_ENOROUTE;
	*cost = mu;
	return MR_OK;
}

int mr_ch_route(mr_ch_query *q, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                mr_path *out)
{
	const mr_ch *ch;
	const qpar *fp, *bp;
	uint32_t settled, meet, k = 0, len = 0, v, i;
	double mu, cost;
	int rc;

	if (!q || !out)
		return MR_EINVAL;
	ch = q->ch;
	if (check_seeds(src, nsrc, ch->n) || check_seeds(dst, ndst, ch->n)) {
		set_empty(q, out, 0);
		return MR_EINVAL;
	}
	meet = search(q, src, nsrc, dst, ndst, &mu, &settled);
	if (meet == MR_NONE) {
		set_empty(q, out, settled);
		return MR_ENOROUTE;
	}
	fp = q->f.par;
	bp = q->b.par;
	/* the up half, from meet back to the source, then reversed; then the down half */
	for (v = meet; fp[v].arc != MR_NONE; v = fp[v].v)
		q->chp[k++] = fp[v].arc;
	out->first = ch->order[v];
	cost = q->f.dist[v];
	for (i = 0; i < k / 2; i++) {
		uint32_t t = q->chp[i];
		q->chp[i] = q->chp[k - 1 - i];
		q->chp[k - 1 - i] = t;
	}
	for (v = meet; bp[v].arc != MR_NONE; v = bp[v].v)
		q->chp[k++] = bp[v].arc;
	out->last = ch->order[v];
	for (i = 0; i < k; i++)
		if ((rc = unpack(q, q->chp[i], &len, &cost)) != MR_OK) {
			set_empty(q, out, settled);
			return rc;
		}
	out->cost = cost + q->b.dist[v];
	out->arcs = q->path;
	out->narcs = len;
	out->settled = settled;
	return MR_OK;
}

/* ---- many-to-many ---- */

/* Full upward search from rank r0 over the up arcs (forward) or the down arcs (backward),
 * stalling through the others; the settled, unstalled vertices and their distances go to
 * q->sv / q->sd. Uses the forward side whatever the direction. */
static void sweep(mr_ch_query *q, uint32_t r0, int backward)
{
	const uint32_t *fa = q->ch->first_arc, *fd = q->ch->first_down;
	const mr_ch *ch = q->ch;
	qside *S = &q->f;

	side_begin(S);
	mr_heap_clear(&q->h);
	q->nsv = 0;
	label(S, r0, 0, MR_NONE, MR_NONE);
	while (!mr_heap_empty(&q->h)) {
		double d;
		uint32_t u = mr_heap_pop(&q->h, &d);
		if (backward ? stalled(ch, S->dist, fa[u], fd[u], d) : stalled(ch, S->dist, fd[u], fa[u + 1], d))
			continue;
		q->sv[q->nsv] = u;
		q->sd[q->nsv++] = d;
		if (backward)
			relax(ch, S, u, fd[u], fa[u + 1], d, INFINITY);
		else
			relax(ch, S, u, fa[u], fd[u], d, INFINITY);
	}
}

typedef struct bucket_entry {
	uint32_t j;
	uint32_t pad;
	double d;
} bucket_entry;

typedef struct mjob {
	const mr_ch *ch;
	mr_ch_query *q;
	const uint32_t *src, *dst;
	size_t lo, hi, nd;
	/* phase 1: entries (vertex, target index, distance) of targets lo..hi-1, in target order */
	uint32_t *ev;
	bucket_entry *ee;
	size_t ne, cap;
	/* phase 2 */
	const uint32_t *bfirst;
	const bucket_entry *bucket;
	double *out;
	int phase, rc;
} mjob;

static void *mjob_run(void *arg)
{
	mjob *J = arg;
	const mr_ch *ch = J->ch;
	size_t i, k;

	if (J->phase == 1) {
		for (i = J->lo; i < J->hi; i++) {
			sweep(J->q, ch->rank[J->dst[i]], 1);
			if (J->ne + J->q->nsv > J->cap) {
				size_t nc = J->cap ? J->cap * 2 : 1024;
				uint32_t *ev;
				bucket_entry *ee;
				while (nc < J->ne + J->q->nsv)
					nc *= 2;
				ev = mr_realloc(J->ev, nc * sizeof(uint32_t));
				if (ev)
					J->ev = ev;
				ee = ev ? mr_realloc(J->ee, nc * sizeof(bucket_entry)) : NULL;
				if (!ee) {
					J->rc = MR_ENOMEM;
					return NULL;
				}
				J->ee = ee;
				J->cap = nc;
			}
			for (k = 0; k < J->q->nsv; k++) {
				J->ev[J->ne] = J->q->sv[k];
				J->ee[J->ne].j = (uint32_t)i;
				J->ee[J->ne].pad = 0;
				J->ee[J->ne].d = J->q->sd[k];
				J->ne++;
			}
		}
		return NULL;
	}
	for (i = J->lo; i < J->hi; i++) {
		double *row = J->out + i * J->nd;
		for (k = 0; k < J->nd; k++)
			row[k] = INFINITY;
		sweep(J->q, ch->rank[J->src[i]], 0);
		for (k = 0; k < J->q->nsv; k++) {
			uint32_t u = J->q->sv[k], e;
			double d = J->q->sd[k];
			for (e = J->bfirst[u]; e < J->bfirst[u + 1]; e++) {
				double c = d + J->bucket[e].d;
				if (c < row[J->bucket[e].j])
					row[J->bucket[e].j] = c;
			}
		}
	}
	return NULL;
}

/* Run jobs[0..nt) of the current phase: job 0 in this thread, the others in threads (in this
 * thread too if a thread cannot start). */
static void run_jobs(mjob *jobs, int nt)
{
	pthread_t th[64];
	int started[64] = {0}, t;
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, mjob_run, &jobs[t]) == 0;
	mjob_run(&jobs[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			mjob_run(&jobs[t]);
	}
}

int mr_ch_matrix(const mr_ch *ch, const uint32_t *src, size_t ns, const uint32_t *dst, size_t nd,
                 double *out, int threads)
{
	mjob jobs[64];
	uint32_t *bfirst = NULL;
	bucket_entry *bucket = NULL;
	size_t i, total = 0, per;
	int nt, t, rc = MR_OK;

	if (!ch || (ns && (!src || !out)) || (nd && !dst) || threads < 0)
		return MR_EINVAL;
	for (i = 0; i < ns; i++)
		if (src[i] >= ch->n)
			return MR_EINVAL;
	for (i = 0; i < nd; i++)
		if (dst[i] >= ch->n)
			return MR_EINVAL;
	if (ns == 0)
		return MR_OK;
	if (nd == 0)
		return MR_OK;
	if (threads == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (int)c : 1;
	}
	nt = threads > 64 ? 64 : threads;
	if ((size_t)nt > (ns > nd ? ns : nd))
		nt = (int)(ns > nd ? ns : nd);
	memset(jobs, 0, sizeof(jobs));
	for (t = 0; t < nt; t++) {
		jobs[t].ch = ch;
		jobs[t].src = src;
		jobs[t].dst = dst;
		jobs[t].nd = nd;
		jobs[t].out = out;
		if ((rc = mr_ch_query_new(ch, &jobs[t].q)) != MR_OK)
			goto done;
	}
	/* phase 1: the buckets, from one backward sweep per target */
	per = (nd + (size_t)nt - 1) / (size_t)nt;
	for (t = 0; t < nt; t++) {
		jobs[t].phase = 1;
		jobs[t].lo = (size_t)t * per < nd ? (size_t)t * per : nd;
		jobs[t].hi = jobs[t].lo + per < nd ? jobs[t].lo + per : nd;
	}
	run_jobs(jobs, nt);
	for (t = 0; t < nt; t++) {
		if (jobs[t].rc) {
			rc = jobs[t].rc;
			goto done;
		}
		total += jobs[t].ne;
	}
	bfirst = mr_calloc((size_t)ch->n + 1, sizeof(uint32_t));
	bucket = mr_malloc((total ? total : 1) * sizeof(bucket_entry));
	if (!bfirst || !bucket || total >= MR_NONE) {
		rc = bfirst && bucket ? MR_ELIMIT : MR_ENOMEM;
		goto done;
	}
	for (t = 0; t < nt; t++)
		for (i = 0; i < jobs[t].ne; i++)
			bfirst[jobs[t].ev[i] + 1]++;
	for (i = 0; i < ch->n; i++)
		bfirst[i + 1] += bfirst[i];
	for (t = 0; t < nt; t++) /* targets in order: each bucket lists its targets ascending */
		for (i = 0; i < jobs[t].ne; i++)
			bucket[bfirst[jobs[t].ev[i]]++] = jobs[t].ee[i];
	for (i = ch->n; i > 0; i--)
		bfirst[i] = bfirst[i - 1];
	bfirst[0] = 0;
	/* phase 2: one forward sweep per source */
	per = (ns + (size_t)nt - 1) / (size_t)nt;
	for (t = 0; t < nt; t++) {
		jobs[t].phase = 2;
		jobs[t].bfirst = bfirst;
		jobs[t].bucket = bucket;
		jobs[t].lo = (size_t)t * per < ns ? (size_t)t * per : ns;
		jobs[t].hi = jobs[t].lo + per < ns ? jobs[t].lo + per : ns;
	}
	run_jobs(jobs, nt);
done:
	for (t = 0; t < 64; t++) {
		mr_ch_query_free(jobs[t].q);
		mr_free(jobs[t].ev);
		mr_free(jobs[t].ee);
	}
	mr_free(bfirst);
	mr_free(bucket);
	return rc;
}
