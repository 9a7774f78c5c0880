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
 *   out[v], in[v]  lists in one pool of (other end, record, weight); while v is not contracted
 *                  they hold its arcs to and from the remaining vertices, one per neighbour and
 *                  direction (parallel arcs merged, no self loops); once v is contracted its
 *                  lists are frozen: they are exactly its up (out) and down (in) arcs;
 *   rec[i]         what arc i stands for: a graph arc, or the two records it shortcuts. A record
 *                  is changed in place only while both its ends remain (a cheaper shortcut
 *                  replaces an arc), when nothing refers to it yet.
 * Query state (struct mr_ch_query): as mr_search.c, labels stamped with a generation, so a query
 * costs O(vertices touched), never O(n). */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "meridian/mr_ch.h"
#include "core/mr_heap.h"

#if defined(__GNUC__)
#define MR_INLINE inline __attribute__((always_inline)) /* three call sites: GCC would not inline */
#else
#define MR_INLINE inline
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
	double d;
	uint32_t stamp, target;
} wlabel;

typedef struct builder {
	uint32_t n;
	dadj *pool;
	size_t pool_len, pool_cap;
	dlist *out, *in;
	drec *rec;
	size_t nrec, cap_rec;
	pending *sc;
	size_t nsc, cap_sc;
	/* witness search: wl[v].d is valid iff wl[v].stamp == wgen; v is a target iff wl[v].target == wgen */
	wlabel *wl;
	uint32_t *whops, wgen;
	mr_heap wh;
	/* ordering */
	uint32_t *level, *cn, *nstamp, ngen;
	uint32_t *fresh; /* contractions done when v's priority was last computed */
	uint8_t *done;
	mr_heap pq;
	uint32_t lim_contract, lim_sim, lim_hops;
	int cheap; /* mr_ch_opts.cheap_updates */
} builder;

static void builder_free(builder *b)
{
	mr_free(b->pool);
	mr_free(b->out);
	mr_free(b->in);
	mr_free(b->rec);
	mr_free(b->sc);
	mr_free(b->wl);
	mr_free(b->whops);
	mr_free(b->level);
	mr_free(b->cn);
	mr_free(b->nstamp);
	mr_free(b->fresh);
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

/* Dijkstra from s over the remaining graph without vertex `skip`, until every marked target
 * (wl[x].target == wgen, `targets` of them) is settled, the queue's key exceeds maxc, or `limit`
 * vertices are settled. Afterwards every wl[x].d with wl[x].stamp == wgen is the cost of a real path
 * s -> x that avoids skip (an upper bound of the distance; exact if x was settled). */
static void witness(builder *b, uint32_t s, uint32_t skip, double maxc, uint32_t limit, uint32_t targets)
{
	mr_heap *h = &b->wh;
	uint32_t gen = b->wgen, settled = 0;

	mr_heap_clear(h);
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
		if (b->wl[u].target == gen && --targets == 0)
			break;
		if (b->lim_hops && b->whops[u] >= b->lim_hops)
			continue;
		L = &b->out[u];
		e = b->pool + L->start;
		for (i = 0; i < L->len; i++) {
			uint32_t x = e[i].other;
			double nd = d + e[i].w;
			wlabel *W = &b->wl[x];
			if (x == skip)
				continue;
			if (W->stamp != gen) {
				W->stamp = gen;
				W->d = nd;
				mr_heap_push(h, x, nd);
			} else if (nd < W->d && mr_heap_contains(h, x)) {
				W->d = nd;
				mr_heap_decrease(h, x, nd);
			} else {
				continue;
			}
			if (b->lim_hops)
				b->whops[x] = b->whops[u] + 1;
		}
	}
}

static void next_wgen(builder *b)
{
	if (++b->wgen == 0) {
		uint32_t v;
		for (v = 0; v < b->n; v++)
			b->wl[v].stamp = b->wl[v].target = 0;
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
			if (b->wl[eo->other].target != b->wgen) {
				b->wl[eo->other].target = b->wgen;
				targets++;
			}
		}
		if (targets == 0)
			continue;
		witness(b, u, v, maxc, limit, targets);
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

/* Priority of v (smaller = contracted sooner): 4 x the edge difference (shortcuts added minus
 * arcs removed) + 2 x the contracted neighbours, plus the level (1 + the highest level of a contracted
 * neighbour: keeps the hierarchy shallow) and the hop quotient (graph arcs the new shortcuts
 * stand for over those removed: keeps shortcuts short). */
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
	return 4.0 * ((double)added - (double)removed) + 2.0 * (double)b->cn[v] + (double)b->level[v] +
	       (removed_hops ? (double)added_hops / removed_hops : 0.0);
}

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
			const dadj *e = &b->pool[Lo->start + i];
			uint32_t a = fu[r] + i;
			head[a] = rank[e->other];
			wt[a] = e->w;
			idrec[a] = e->rec;
			map[e->rec] = a;
		}
		for (i = 0; i < Li->len; i++) {
			const dadj *e = &b->pool[Li->start + i];
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
	uint32_t n, v, a, *last = NULL, *lastpos = NULL, *rank = NULL, contracted = 0, step;
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
	b->lim_sim = o && o->sim_settled ? o->sim_settled : 20;
	b->lim_hops = o ? o->witness_hops : 0;
	b->cheap = o ? o->cheap_updates : 0;
	ch = mr_calloc(1, sizeof(*ch));
	b->out = mr_calloc(n ? n : 1, sizeof(dlist));
	b->in = mr_calloc(n ? n : 1, sizeof(dlist));
	b->wl = mr_calloc(n ? n : 1, sizeof(wlabel));
	b->whops = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->level = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->cn = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->nstamp = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->fresh = mr_calloc(n ? n : 1, sizeof(uint32_t));
	b->done = mr_calloc(n ? n : 1, 1);
	rank = mr_calloc(n ? n : 1, sizeof(uint32_t));
	last = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	lastpos = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	if (!ch || !b->out || !b->in || !b->wl || !b->whops || !b->level || !b->cn ||
	    !b->nstamp || !b->fresh || !b->done || !rank || !last || !lastpos)
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

	/* Order: a queue of priorities, lazily updated (a popped vertex whose recomputed priority
	 * exceeds the next one goes back), and the neighbours of each contracted vertex recomputed
	 * (or, with cheap_updates, raised by what their contracted-neighbour and level terms gain;
	 * the lazy update corrects them when they reach the top). Whatever the order, the hierarchy
	 * is exact: the order only decides its size and speed. */
	for (v = 0; v < n; v++)
		mr_heap_push(&b->pq, v, priority(b, v));
	step = n / 100 ? n / 100 : 1;
	while (!mr_heap_empty(&b->pq)) {
		uint32_t i, k;
		double p;
		v = mr_heap_pop(&b->pq, &p);
		if (b->fresh[v] != contracted) { /* else nothing changed since: p is exact */
			p = priority(b, v);
			b->fresh[v] = contracted;
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
				if (b->cheap)
					mr_heap_set(&b->pq, x, mr_heap_key(&b->pq, x) + 3.0); /* cn + 1, level + 1 */
				else
					mr_heap_push_or_decrease(&b->pq, x, priority(b, x));
				/* the key may be below the new priority (only decreases are applied): the
				 * lazy update must look again, so x is not marked fresh */
			}
		}
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

typedef struct qlabel {
	double d;
	uint32_t arc;   /* hierarchy arc that set d, MR_NONE for a seed */
	uint32_t stamp; /* valid iff == gen */
} qlabel;

_Static_assert(sizeof(qlabel) == 16, "a label should fill a quarter of a cache line");

struct mr_ch_query {
	const mr_ch *ch;
	uint32_t gen;
	qlabel *fw, *bw;
	mr_heap hf, hb;
	uint32_t *chp;   /* 2n: hierarchy arcs of the up-down path */
	uint32_t *stack; /* n + 1: unpacking */
	uint32_t *path;  /* graph arcs of the unpacked path */
	size_t path_cap;
	uint32_t *sv;    /* n: vertices settled, not stalled, by the last sweep */
	double *sd;      /* n: their distances */
	uint32_t nsv;
};

void mr_ch_query_free(mr_ch_query *q)
{
	if (!q)
		return;
	mr_free(q->fw);
	mr_free(q->bw);
	mr_heap_free(&q->hf);
	mr_heap_free(&q->hb);
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
	q->fw = mr_calloc(n1, sizeof(qlabel));
	q->bw = mr_calloc(n1, sizeof(qlabel));
	q->chp = mr_malloc(2 * n1 * sizeof(uint32_t));
	q->stack = mr_malloc((n1 + 1) * sizeof(uint32_t));
	q->path = mr_malloc(n1 * sizeof(uint32_t));
	q->path_cap = n1;
	q->sv = mr_malloc(n1 * sizeof(uint32_t));
	q->sd = mr_malloc(n1 * sizeof(double));
	if (!q->fw || !q->bw || !q->chp || !q->stack || !q->path || !q->sv || !q->sd)
		goto fail;
	if ((rc = mr_heap_init(&q->hf, ch->n)) != MR_OK || (rc = mr_heap_init(&q->hb, ch->n)) != MR_OK)
		goto fail;
	*out = q;
	return MR_OK;
fail:
	mr_ch_query_free(q);
	return rc;
}

static void begin(mr_ch_query *q)
{
	if (++q->gen == 0) {
		uint32_t v;
		for (v = 0; v < q->ch->n; v++)
			q->fw[v].stamp = q->bw[v].stamp = 0;
		q->gen = 1;
	}
	mr_heap_clear(&q->hf);
	mr_heap_clear(&q->hb);
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

static void seed(mr_ch_query *q, const uint32_t *rank, qlabel *lab, mr_heap *h, const mr_seed *x, size_t k)
{
	size_t i;
	for (i = 0; i < k; i++) {
		qlabel *L = &lab[rank[x[i].v]];
		if (L->stamp != q->gen || x[i].offset < L->d) {
			L->stamp = q->gen;
			L->d = x[i].offset;
			L->arc = MR_NONE;
			mr_heap_push_or_decrease(h, rank[x[i].v], x[i].offset);
		}
	}
}

/* 1 if u (settled at distance d in the direction whose labels are `lab`) is reached more cheaply
 * through one of its arcs [a, end) from a higher vertex: then d is not u's distance and
 * expanding u is useless (stall-on-demand). */
static inline int stalled(const mr_ch *ch, const qlabel *lab, uint32_t gen, uint32_t a, uint32_t end,
                          double d)
{
	for (; a < end; a++) {
		const qlabel *L = &lab[ch->head[a]];
		if (L->stamp == gen && L->d + ch->weight[a] < d)
			return 1;
	}
	return 0;
}

/* Relax the arcs [a, end) of a vertex at distance d in one direction. */
static MR_INLINE void relax(mr_ch_query *q, qlabel *lab, mr_heap *h, uint32_t a, uint32_t end, double d)
{
	const mr_ch *ch = q->ch;
	const uint32_t *head = ch->head;
	const double *wt = ch->weight;
	uint32_t gen = q->gen;

	for (; a < end; a++) {
		uint32_t x = head[a];
		double nd = d + wt[a];
		qlabel *L = &lab[x];
		if (L->stamp != gen) {
			L->stamp = gen;
			L->d = nd;
			L->arc = a;
			mr_heap_push(h, x, nd);
		} else if (nd < L->d && mr_heap_contains(h, x)) {
			L->d = nd;
			L->arc = a;
			mr_heap_decrease(h, x, nd);
		}
	}
}

/* The rank that owns arc a in the offsets f (first_arc), by binary search. */
static uint32_t owner_of(const uint32_t *f, uint32_t n, uint32_t a)
{
	uint32_t lo = 0, hi = n; /* f[lo] <= a < f[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f[mid] <= a)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
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
	const uint32_t *fa, *fd;
	qlabel *fw, *bw;
	mr_heap *hf, *hb;
	uint32_t gen, settled = 0, meet = MR_NONE, i;
	double mu = INFINITY;
	int fdone = 0, bdone = 0;

	begin(q);
	gen = q->gen;
	fw = q->fw;
	bw = q->bw;
	hf = &q->hf;
	hb = &q->hb;
	fa = ch->first_arc;
	fd = ch->first_down;
	seed(q, ch->rank, fw, hf, src, nsrc);
	seed(q, ch->rank, bw, hb, dst, ndst);
	for (i = 0; i < ndst; i++) {
		uint32_t r = ch->rank[dst[i].v];
		if (fw[r].stamp == gen && fw[r].d + bw[r].d < mu) {
			mu = fw[r].d + bw[r].d;
			meet = r;
		}
	}
	/* Each direction runs until its queue's smallest key reaches mu, and mu is updated when a
	 * vertex settled in one direction has a label in the other: the best up-down path's peak is
	 * settled in both directions with its exact distances before either stops, and the second
	 * settling sees the first's label (see docs/ch.md). */
	for (;;) {
		double kf_ = fdone || mr_heap_empty(hf) ? INFINITY : mr_heap_top_key(hf);
		double kb_ = bdone || mr_heap_empty(hb) ? INFINITY : mr_heap_top_key(hb);
		double d;
		uint32_t u;
		if (kf_ >= mu)
			fdone = 1, kf_ = INFINITY;
		if (kb_ >= mu)
			bdone = 1, kb_ = INFINITY;
		if (kf_ == INFINITY && kb_ == INFINITY)
			break;
		settled++;
		if (kf_ <= kb_) {
			u = mr_heap_pop(hf, &d);
			if (bw[u].stamp == gen && d + bw[u].d < mu) {
				mu = d + bw[u].d;
				meet = u;
			}
			if (!stalled(ch, fw, gen, fd[u], fa[u + 1], d))
				relax(q, fw, hf, fa[u], fd[u], d);
		} else {
			u = mr_heap_pop(hb, &d);
			if (fw[u].stamp == gen && d + fw[u].d < mu) {
				mu = d + fw[u].d;
				meet = u;
			}
			if (!stalled(ch, bw, gen, fa[u], fd[u], d))
				relax(q, bw, hb, fd[u], fa[u + 1], d);
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
	const qlabel *fw, *bw;
	uint32_t settled, meet, k = 0, len = 0, v, a, i;
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
	fw = q->fw;
	bw = q->bw;
	/* the up half, from meet back to the source, then reversed; then the down half */
	for (v = meet; (a = fw[v].arc) != MR_NONE; v = owner_of(ch->first_arc, ch->n, a))
		q->chp[k++] = a;
	out->first = ch->order[v];
	cost = fw[v].d;
	for (i = 0; i < k / 2; i++) {
		uint32_t t = q->chp[i];
		q->chp[i] = q->chp[k - 1 - i];
		q->chp[k - 1 - i] = t;
	}
	for (v = meet; (a = bw[v].arc) != MR_NONE; v = owner_of(ch->first_arc, ch->n, a))
		q->chp[k++] = a;
	out->last = ch->order[v];
	for (i = 0; i < k; i++)
		if ((rc = unpack(q, q->chp[i], &len, &cost)) != MR_OK) {
			set_empty(q, out, settled);
			return rc;
		}
	out->cost = cost + bw[v].d;
	out->arcs = q->path;
	out->narcs = len;
	out->settled = settled;
	return MR_OK;
}

/* ---- many-to-many ---- */

/* Full upward search from rank r0 over the up arcs (forward) or the down arcs (backward),
 * stalling through the others; the settled, unstalled vertices and their distances go to
 * q->sv / q->sd. Uses the forward labels and queue whatever the direction. */
static void sweep(mr_ch_query *q, uint32_t r0, int backward)
{
	const uint32_t *fa = q->ch->first_arc, *fd = q->ch->first_down;
	const mr_ch *ch = q->ch;
	qlabel *lab = q->fw;
	mr_heap *h = &q->hf;

	begin(q);
	q->nsv = 0;
	lab[r0].stamp = q->gen;
	lab[r0].d = 0;
	lab[r0].arc = MR_NONE;
	mr_heap_push(h, r0, 0);
	while (!mr_heap_empty(h)) {
		double d;
		uint32_t u = mr_heap_pop(h, &d);
		if (backward ? stalled(ch, lab, q->gen, fa[u], fd[u], d) : stalled(ch, lab, q->gen, fd[u], fa[u + 1], d))
			continue;
		q->sv[q->nsv] = u;
		q->sd[q->nsv++] = d;
		if (backward)
			relax(q, lab, h, fd[u], fa[u + 1], d);
		else
			relax(q, lab, h, fa[u], fd[u], d);
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
