/* mr_alt.c: alternatives (Yen's loopless k-shortest paths filtered by overlap, then a penalty
 * search) and the exact Pareto front (Martins' multi-criteria label setting). See mr_alt.h.
 *
 * Why Yen first: with the overlap rule off, the answer must be exactly the k best loopless
 * routes in order, which Yen gives and a penalty method does not. Its standard speed-ups are
 * used: Lawler's (a path is only spurred from the index where it left its parent), A* for every
 * spur search with the exact distances to the destination on the unmodified graph as potential
 * (removing arcs only makes paths dearer, so the potential stays consistent: a spur search
 * settles little more than the spur path). Yen runs on the virtual network, where it is exact;
 * the paths that pass a real node twice (out by road, back by rail) are enumerated in their turn
 * and not kept, so the kept routes are exactly the best ones without such loops. With the overlap rule on, near-copies of the best route (a detour of a
 * few km) come first in Yen's order, and a meaningfully different route may be the 10,000th:
 * after max_paths paths the penalty method (kept routes' arcs made dearer, factor growing with
 * each attempt) finds the remaining ones quickly, at the price of order, and says so.
 *
 * The Pareto search keeps, per virtual node, a bag of labels no other label there dominates;
 * labels leave a binary heap in lexicographic order of the criteria, so a label taken from the
 * heap is never dominated later (a dominating one would be lexicographically smaller and would
 * have left first) and labels reaching the destination are final. A label is dropped when a
 * destination label dominates it plus the exact lower bound of every criterion to the
 * destination (one reverse Dijkstra per criterion). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_alt.h"
#include "route/mr_route_int.h"

/* ---- small containers ---- */

typedef struct path {
	uint32_t *arcs;
	size_t n;
	uint32_t first; /* first virtual node */
	double cost;    /* objective, start offset included */
	size_t dev;     /* index where it left its parent (Lawler) */
} path;

typedef struct pathvec {
	path *v;
	size_t n, cap;
} pathvec;

static void pathvec_free(pathvec *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		mr_free(p->v[i].arcs);
	mr_free(p->v);
	memset(p, 0, sizeof(*p));
}

static int pathvec_push(pathvec *p, const path *x)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		path *v = mr_realloc(p->v, cap * sizeof(path));
		if (!v)
			return MR_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *x;
	return MR_OK;
}

static int same_path(const path *a, const path *b)
{
	return a->n == b->n && a->first == b->first && (a->n == 0 || memcmp(a->arcs, b->arcs, a->n * sizeof(uint32_t)) == 0);
}

static uint32_t vnode_at(const mr_net *net, const path *p, size_t i)
{
	return i == 0 ? p->first : net->g.head[p->arcs[i - 1]];
}

/* No virtual node twice, and no real node twice except consecutively (transfers at one node).
 * stamp has a slot per real node, vstamp one per virtual node; *gen is bumped per call. */
static int loopless(const mr_net *net, const path *p, uint32_t *stamp, uint32_t *vstamp, uint32_t *gen)
{
	size_t i;
	uint32_t prev = MR_NONE;
	(*gen)++;
	for (i = 0; i <= p->n; i++) {
		uint32_t v = vnode_at(net, p, i), node = net->vnodes[v].node;
		if (vstamp[v] == *gen)
			return 0;
		vstamp[v] = *gen;
		if (node == prev)
			continue;
		if (stamp[node] == *gen)
			return 0;
		stamp[node] = *gen;
		prev = node;
	}
	return 1;
}

/* ---- overlap ---- */

static uint32_t link_of(const mr_net *net, const mr_arc_rec *a, uint32_t k)
{
	return a->kind == MR_ARC_LINK ? a->ref : MR_CHAIN_LINK(net->chain_steps[net->chain_first[a->ref] + k]);
}

static uint32_t nlinks_of(const mr_net *net, const mr_arc_rec *a)
{
	if (a->kind == MR_ARC_TRANSFER)
		return 0;
	return a->kind == MR_ARC_LINK ? 1 : net->chain_first[a->ref + 1] - net->chain_first[a->ref];
}

/* Shared km of the links of arcs a[0..na) that are also in b[0..nb), over a's km. mark has a
 * slot per link. */
static double overlap_arcs(const mr_net *net, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                           uint32_t *mark, uint32_t *gen)
{
	size_t i;
	uint32_t k;
	double shared = 0, total = 0;
	(*gen)++;
	for (i = 0; i < nb; i++) {
		const mr_arc_rec *x = &net->arcs[b[i]];
		for (k = 0; k < nlinks_of(net, x); k++)
			mark[link_of(net, x, k)] = *gen;
	}
	for (i = 0; i < na; i++) {
		const mr_arc_rec *x = &net->arcs[a[i]];
		for (k = 0; k < nlinks_of(net, x); k++) {
			uint32_t l = link_of(net, x, k);
			double km = net->links[l].length_km;
			total += km;
			if (mark[l] == *gen) {
				shared += km;
				mark[l] = 0; /* count a link once */
			}
		}
	}
	return total > 0 ? shared / total : 1.0;
}

double mr_route_overlap(const mr_net *net, const mr_route *a, const mr_route *b)
{
	uint32_t *mark = mr_calloc((size_t)net->meta.nlinks + 1, sizeof(uint32_t)), gen = 0;
	double x;
	if (!mark)
		return NAN;
	x = overlap_arcs(net, a->arcs, a->narcs, b->arcs, b->narcs, mark, &gen);
	mr_free(mark);
	return x;
}

void mr_alt_opts_default(mr_alt_opts *o)
{
	o->k = 3;
	o->max_overlap = 0.6;
	o->max_paths = 200;
}

/* Distances to the destination seeds over w, by Dijkstra on the reversed graph: pot[v]. */
static int reverse_distances(const mr_net *net, const double *w, const mr_seed *dst, size_t ndst, double *pot)
{
	const mr_graph *g = &net->g;
	mr_graph rev;
	mr_search *s = NULL;
	double *wr = mr_malloc(((size_t)g->m + 1) * sizeof(double));
	mr_path p;
	uint32_t b, v;
	int rc;
	if (!wr)
		return MR_ENOMEM;
	for (b = 0; b < g->m; b++)
		wr[b] = w[g->in_arc[b]];
	memset(&rev, 0, sizeof(rev));
	rev.n = g->n;
	rev.m = g->m;
	rev.first_out = g->first_in;
	rev.head = g->tail_in;
	if ((rc = mr_search_new(&s, g->n, g->m))) {
		mr_free(wr);
		return rc;
	}
	rc = mr_dijkstra(s, &rev, wr, dst, ndst, NULL, 0, &p);
	for (v = 0; v < g->n; v++)
		pot[v] = rc == MR_OK ? mr_search_dist(s, v) : INFINITY;
	mr_search_free(s);
	mr_free(wr);
	return rc;
}

static double seed_offset(const mr_seed *src, size_t nsrc, uint32_t v)
{
	size_t i;
	double best = INFINITY;
	for (i = 0; i < nsrc; i++)
		if (src[i].v == v && src[i].offset < best)
			best = src[i].offset;
	return best;
}

static double path_cost(const mr__query *q, const path *p)
{
	double c = seed_offset(q->src, q->nsrc, p->first);
	size_t i;
	for (i = 0; i < p->n; i++)
		c += q->w[p->arcs[i]];
	return c;
}

static int copy_path(const mr_path *mp, size_t root_n, const uint32_t *root, path *out)
{
	out->n = root_n + mp->narcs;
	out->arcs = mr_malloc((out->n + 1) * sizeof(uint32_t));
	if (!out->arcs)
		return MR_ENOMEM;
	if (root_n)
		memcpy(out->arcs, root, root_n * sizeof(uint32_t));
	if (mp->narcs)
		memcpy(out->arcs + root_n, mp->arcs, mp->narcs * sizeof(uint32_t));
	return MR_OK;
}

/* ---- labels for the alternatives ---- */

static int has_u32(const uint32_t *v, size_t n, uint32_t x)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void label_alt(const mr_net *net, const mr_route *best, const mr_route *r, double overlap, char *buf,
                      size_t size)
{
	size_t i, len = 0;
	int any = 0;
	buf[0] = '\0';
#define PUT(...)                                                                       \
	do {                                                                               \
		int k_ = snprintf(buf + len, size - len, __VA_ARGS__);                         \
		if (k_ > 0)                                                                    \
			len += (size_t)k_ < size - len ? (size_t)k_ : size - len - 1;              \
	} while (0)
	for (i = 0; i < r->npassages; i++)
		if (!has_u32(best->passages, best->npassages, r->passages[i])) {
			PUT("%s%s", any ? ", " : "via ", mr_net_str(net, r->passages[i]));
			any = 1;
		}
	for (i = 0; i < r->nborders; i++)
		if (!has_u32(best->borders, best->nborders, r->borders[i])) {
			const mr_border_rec *b = &net->borders[r->borders[i]];
			PUT("%s%s", any ? ", " : "via ", mr_net_str(net, b->name ? b->name : b->id));
			any = 1;
		}
	if (!any)
		for (i = 0; i < r->ncountries; i++) {
			size_t k;
			int seen = 0;
			for (k = 0; k < best->ncountries && !seen; k++)
				seen = memcmp(best->countries[k], r->countries[i], 4) == 0;
			if (!seen) {
				PUT("%s%s", any ? ", " : "through ", r->countries[i]);
				any = 1;
			}
		}
	if (!any) {
		/* the modes, when they differ */
		unsigned mb = 0, mr = 0;
		for (i = 0; i < best->nlegs; i++)
			mb |= 1u << best->legs[i].mode;
		for (i = 0; i < r->nlegs; i++)
			mr |= 1u << r->legs[i].mode;
		for (i = 0; i < MR_MODE_COUNT; i++)
			if ((mr >> i & 1u) && !(mb >> i & 1u)) {
				PUT("%s%s", any ? ", " : "by ", mr_mode_name((int)i));
				any = 1;
			}
	}
	if (!any)
		PUT("another way through the same countries");
	if (overlap > 0)
		PUT(" (shares %.0f %% of its length with a route above)", overlap * 100);
#undef PUT
}

int mr_router_alternatives(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o, const mr_alt_opts *ao,
                           mr_alt *out, size_t *nout, mr_error *err)
{
	mr__query q;
	const mr_net *net;
	const mr_graph *g;
	pathvec A = {0}, B = {0}, K = {0}; /* accepted in order, candidates, kept */
	double *pot = NULL, *wmod = NULL, *overlaps = NULL;
	uint32_t *stamp = NULL, *vstamp = NULL, *mark = NULL, *undo = NULL, sgen = 0, mgen = 0;
	uint8_t *byp = NULL;
	mr_seed *seeds = NULL;
	size_t examined = 0, nundo, i;
	int rc;
	mr_path mp;

	*nout = 0;
	if (!ao || ao->k < 1 || !(ao->max_overlap >= 0))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad alternative options");
	if ((rc = mr__router_query(r, from, to, o, &q, err)))
		return rc;
	net = q.net;
	g = &net->g;
	pot = mr_malloc(((size_t)g->n + 1) * sizeof(double));
	wmod = mr_malloc(((size_t)g->m + 1) * sizeof(double));
	stamp = mr_calloc((size_t)net->meta.nnodes + 1, sizeof(uint32_t));
	vstamp = mr_calloc((size_t)g->n + 1, sizeof(uint32_t));
	mark = mr_calloc((size_t)net->meta.nlinks + 1, sizeof(uint32_t));
	undo = mr_malloc(((size_t)g->m + 1) * sizeof(uint32_t));
	seeds = mr_malloc((q.nsrc + 1) * sizeof(mr_seed));
	overlaps = mr_calloc(ao->k + 1, sizeof(double));
	byp = mr_calloc(ao->k + 1, 1);
	if (!pot || !wmod || !stamp || !vstamp || !mark || !undo || !seeds || !overlaps || !byp) {
		rc = MR_ENOMEM;
		goto done;
	}
	if ((rc = reverse_distances(net, q.w, q.dst, q.ndst, pot)) && rc != MR_ENOROUTE)
		goto done;
	memcpy(wmod, q.w, (size_t)g->m * sizeof(double));

	/* the best route */
	rc = mr_astar_pot(q.search, g, q.w, pot, q.src, q.nsrc, q.dst, q.ndst, &mp);
	if (rc) {
		if (rc == MR_ENOROUTE)
			mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, NULL, "no route under these options");
		goto done;
	}
	{
		path p;
		memset(&p, 0, sizeof(p));
		if ((rc = copy_path(&mp, 0, NULL, &p)))
			goto done;
		p.first = mp.first;
		p.cost = mp.cost;
		if ((rc = pathvec_push(&A, &p))) {
			mr_free(p.arcs);
			goto done;
		}
		if (!(p.arcs = mr_malloc((A.v[0].n + 1) * sizeof(uint32_t)))) {
			rc = MR_ENOMEM;
			goto done;
		}
		memcpy(p.arcs, A.v[0].arcs, A.v[0].n * sizeof(uint32_t));
		if ((rc = pathvec_push(&K, &p))) {
			mr_free(p.arcs);
			goto done;
		}
	}

	/* Yen */
	while (K.n < ao->k && examined < ao->max_paths) {
		const path *P = &A.v[A.n - 1];
		size_t best_b = 0, spur;
		double root_cost = seed_offset(q.src, q.nsrc, P->first);
		/* Spur positions j = 0 .. n: j = 0 is a virtual source joined to every origin virtual node
		 * (the root is empty, and the "next arc" of a path is its choice of first node); j >= 1 is
		 * the path's virtual node j - 1, after the root arcs[0 .. j-1). */
		for (spur = 0; spur <= P->n; spur++) {
			size_t nseeds = 0, k, r_n = spur ? spur - 1 : 0;
			uint32_t sv = spur ? vnode_at(net, P, spur - 1) : MR_NONE;
			path cand;
			if (spur > 1)
				root_cost += q.w[P->arcs[spur - 2]];
			if (spur < P->dev)
				continue;
			nundo = 0;
			if (spur == 0) {
				/* every accepted path shares the empty root: their first nodes are taken */
				for (k = 0; k < q.nsrc; k++) {
					size_t x;
					int taken = 0;
					for (x = 0; x < A.n && !taken; x++)
						taken = A.v[x].first == q.src[k].v;
					if (!taken)
						seeds[nseeds++] = q.src[k];
				}
				if (!nseeds)
					continue;
			} else {
				/* arcs that accepted paths with this root take next */
				for (k = 0; k < A.n; k++) {
					const path *X = &A.v[k];
					if (X->n > r_n && X->first == P->first && memcmp(X->arcs, P->arcs, r_n * sizeof(uint32_t)) == 0 &&
					    wmod[X->arcs[r_n]] < INFINITY) {
						undo[nundo++] = X->arcs[r_n];
						wmod[X->arcs[r_n]] = INFINITY;
					}
				}
				/* the root's virtual nodes before the spur: every arc into them */
				for (k = 0; k < r_n; k++) {
					uint32_t v = vnode_at(net, P, k), bb;
					for (bb = g->first_in[v]; bb < g->first_in[v + 1]; bb++) {
						uint32_t a2 = g->in_arc[bb];
						if (wmod[a2] < INFINITY) {
							undo[nundo++] = a2;
							wmod[a2] = INFINITY;
						}
					}
				}
				seeds[0].v = sv;
				seeds[0].offset = root_cost;
				nseeds = 1;
			}
			rc = mr_astar_pot(q.search, g, wmod, pot, seeds, nseeds, q.dst, q.ndst, &mp);
			for (k = 0; k < nundo; k++)
				wmod[undo[k]] = q.w[undo[k]];
			if (rc == MR_ENOROUTE)
				continue;
			if (rc)
				goto done;
			memset(&cand, 0, sizeof(cand));
			if ((rc = copy_path(&mp, r_n, P->arcs, &cand)))
				goto done;
			cand.first = spur == 0 ? mp.first : P->first;
			cand.cost = mp.cost;
			cand.dev = spur;
			{
				int dup = 0;
				for (k = 0; k < A.n && !dup; k++)
					dup = same_path(&A.v[k], &cand);
				for (k = 0; k < B.n && !dup; k++)
					dup = same_path(&B.v[k], &cand);
				if (dup) {
					mr_free(cand.arcs);
					continue;
				}
			}
			if ((rc = pathvec_push(&B, &cand))) {
				mr_free(cand.arcs);
				goto done;
			}
		}
		if (!B.n)
			break;
		for (i = 1; i < B.n; i++)
			if (B.v[i].cost < B.v[best_b].cost ||
			    (B.v[i].cost == B.v[best_b].cost && B.v[i].n < B.v[best_b].n))
				best_b = i;
		{
			path next = B.v[best_b];
			double worst = 0;
			B.v[best_b] = B.v[--B.n];
			if ((rc = pathvec_push(&A, &next))) {
				mr_free(next.arcs);
				goto done;
			}
			examined++;
			if (!loopless(net, &next, stamp, vstamp, &sgen))
				continue; /* a real node twice: enumerated by Yen, not a route to keep */
			for (i = 0; i < K.n; i++) {
				double x = overlap_arcs(net, next.arcs, next.n, K.v[i].arcs, K.v[i].n, mark, &mgen);
				if (x > worst)
					worst = x;
			}
			if (worst <= ao->max_overlap) {
				path keep = next;
				if (!(keep.arcs = mr_malloc((next.n + 1) * sizeof(uint32_t)))) {
					rc = MR_ENOMEM;
					goto done;
				}
				memcpy(keep.arcs, next.arcs, next.n * sizeof(uint32_t));
				overlaps[K.n] = worst;
				if ((rc = pathvec_push(&K, &keep))) {
					mr_free(keep.arcs);
					goto done;
				}
			}
		}
	}

	/* penalty search for what Yen did not reach in max_paths */
	if (K.n < ao->k && examined >= ao->max_paths) {
		int attempt;
		for (attempt = 1; attempt <= (int)(8 * ao->k) && K.n < ao->k; attempt++) {
			path cand;
			double worst = 0;
			size_t k;
			int dup;
			memcpy(wmod, q.w, (size_t)g->m * sizeof(double));
			for (k = 0; k < K.n; k++) {
				size_t j;
				for (j = 0; j < K.v[k].n; j++) {
					uint32_t a = K.v[k].arcs[j];
					if (wmod[a] < INFINITY)
						wmod[a] *= 1.0 + 0.25 * attempt;
				}
			}
			rc = mr_astar_pot(q.search, g, wmod, pot, q.src, q.nsrc, q.dst, q.ndst, &mp);
			if (rc == MR_ENOROUTE)
				break;
			if (rc)
				goto done;
			memset(&cand, 0, sizeof(cand));
			if ((rc = copy_path(&mp, 0, NULL, &cand)))
				goto done;
			cand.first = mp.first;
			cand.cost = path_cost(&q, &cand);
			dup = !loopless(net, &cand, stamp, vstamp, &sgen);
			for (k = 0; k < K.n && !dup; k++) {
				double x = overlap_arcs(net, cand.arcs, cand.n, K.v[k].arcs, K.v[k].n, mark, &mgen);
				dup = same_path(&K.v[k], &cand);
				if (x > worst)
					worst = x;
			}
			if (dup || worst > ao->max_overlap) {
				mr_free(cand.arcs);
				continue;
			}
			overlaps[K.n] = worst;
			byp[K.n] = 1;
			if ((rc = pathvec_push(&K, &cand))) {
				mr_free(cand.arcs);
				goto done;
			}
		}
	}

	/* the routes */
	rc = MR_OK;
	for (i = 0; i < K.n; i++) {
		mr_alt *x = &out[i];
		memset(x, 0, sizeof(*x));
		if ((rc = mr__route_make(net, o, K.v[i].first, K.v[i].arcs, K.v[i].n, K.v[i].cost, &x->route))) {
			size_t j;
			for (j = 0; j <= i; j++)
				mr_route_free(&out[j].route);
			goto done;
		}
		x->overlap = overlaps[i];
		x->by_penalty = byp[i];
		if (i == 0)
			snprintf(x->label, sizeof(x->label), "the best route");
		else
			label_alt(net, &out[0].route, &x->route, x->overlap, x->label, sizeof(x->label));
		if (x->by_penalty) {
			size_t len = strlen(x->label);
			snprintf(x->label + len, sizeof(x->label) - len, "; found by the penalty search, not in strict order");
		}
	}
	*nout = K.n;
done:
	if (rc == MR_ENOMEM && err && !err->code)
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	pathvec_free(&A);
	pathvec_free(&B);
	pathvec_free(&K);
	mr_free(pot);
	mr_free(wmod);
	mr_free(stamp);
	mr_free(vstamp);
	mr_free(mark);
	mr_free(undo);
	mr_free(seeds);
	mr_free(overlaps);
	mr_free(byp);
	return rc;
}

/* ---- the Pareto front ---- */

static const char *const criterion_names[MR_CRIT_COUNT] = {"cost", "time", "co2e", "risk"};

const char *mr_criterion_name(int c)
{
	return c >= 0 && c < MR_CRIT_COUNT ? criterion_names[c] : "?";
}

int mr_criterion_parse(const char *s)
{
	int i;
	for (i = 0; i < MR_CRIT_COUNT; i++)
		if (strcmp(s, criterion_names[i]) == 0)
			return i;
	return -1;
}

void mr_pareto_opts_default(mr_pareto_opts *o)
{
	o->criteria = (1u << MR_CRIT_COST) | (1u << MR_CRIT_TIME) | (1u << MR_CRIT_CO2E);
	o->eps = 0;
	o->max_labels = 2000000;
}

void mr_pareto_free(mr_pareto *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		mr_route_free(&p->v[i].route);
	mr_free(p->v);
	memset(p, 0, sizeof(*p));
}

typedef struct plabel {
	double c[MR_CRIT_COUNT]; /* the chosen criteria, in order, first nc used */
	uint32_t v, parent, arc, next; /* next: the bag's list */
	uint8_t dead;
} plabel;

typedef struct pstate {
	plabel *lab;
	size_t nlab, cap;
	uint32_t *heap;
	size_t nheap, hcap;
	int nc;
	double eps;
	double res[MR_CRIT_COUNT]; /* per chosen criterion: differences below this are ties */
} pstate;

static int lex_less(const pstate *s, uint32_t a, uint32_t b)
{
	int k;
	for (k = 0; k < s->nc; k++) {
		double x = s->lab[a].c[k], y = s->lab[b].c[k];
		if (x != y)
			return x < y;
	}
	return a < b;
}

static int heap_push(pstate *s, uint32_t x)
{
	size_t i;
	if (s->nheap == s->hcap) {
		size_t cap = s->hcap ? 2 * s->hcap : 1024;
		uint32_t *h = mr_realloc(s->heap, cap * sizeof(uint32_t));
		if (!h)
			return MR_ENOMEM;
		s->heap = h;
		s->hcap = cap;
	}
	i = s->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!lex_less(s, x, s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = x;
	return MR_OK;
}

static uint32_t heap_pop(pstate *s)
{
	uint32_t top = s->heap[0], x = s->heap[--s->nheap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < s->nheap && lex_less(s, s->heap[l], x))
			m = l;
		if (l + 1 < s->nheap && lex_less(s, s->heap[l + 1], m == i ? x : s->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		s->heap[i] = s->heap[m];
		i = m;
	}
	if (s->nheap)
		s->heap[i] = x;
	return top;
}

/* a dominates b (or equals it): a <= b in every criterion, up to the resolution of the figures
 * (USD 0.5, 0.05 h, 0.5 kg: float noise and trade-offs too small to report); with eps > 0, a <= (1 + eps) b. The
 * epsilon is used against destination labels only (they cover what they prune within 1 + eps);
 * at other nodes dominance stays exact, so errors do not compound along a route. */
static int dominates_eps(const pstate *s, const double *a, const double *b, double eps)
{
	int k;
	for (k = 0; k < s->nc; k++)
		if (a[k] > b[k] * (1.0 + eps) + s->res[k])
			return 0;
	return 1;
}
#define dominates(s, a, b) dominates_eps((s), (a), (b), 0.0)

static int new_label(pstate *s, uint32_t *id)
{
	if (s->nlab == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		plabel *l = mr_realloc(s->lab, cap * sizeof(plabel));
		if (!l)
			return MR_ENOMEM;
		s->lab = l;
		s->cap = cap;
	}
	*id = (uint32_t)s->nlab++;
	memset(&s->lab[*id], 0, sizeof(plabel));
	return MR_OK;
}

static int cmp_point(const void *pa, const void *pb)
{
	const mr_pareto_point *a = pa, *b = pb;
	int k;
	for (k = 0; k < MR_CRIT_COUNT; k++)
		if (a->value[k] != b->value[k])
			return a->value[k] < b->value[k] ? -1 : 1;
	return 0;
}

int mr_router_pareto(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o, const mr_pareto_opts *po,
                     mr_pareto *out, mr_error *err)
{
	mr__query q;
	const mr_net *net;
	const mr_graph *g;
	int crit[MR_CRIT_COUNT], nc = 0, k, rc;
	double *fig = NULL, *lb = NULL, *wtmp = NULL;
	uint32_t *bag = NULL, *targets = NULL;
	uint8_t *is_dst = NULL;
	size_t ntargets = 0, i;
	pstate s;
	mr_seed *dstc = NULL;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if (!po || !(po->eps >= 0) || po->eps > 10 || !po->max_labels)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "bad Pareto options");
	for (k = 0; k < MR_CRIT_COUNT; k++)
		if (po->criteria >> k & 1u)
			crit[nc++] = k;
	if (nc < 2)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "criteria", "a Pareto front needs at least two criteria");
	if ((rc = mr__router_query(r, from, to, o, &q, err)))
		return rc;
	net = q.net;
	g = &net->g;
	s.nc = nc;
	s.eps = po->eps;
	for (k = 0; k < nc; k++) /* arc figures are floats: sums along different paths differ in the 7th digit */
		s.res[k] = crit[k] == MR_CRIT_COST ? 0.5 : crit[k] == MR_CRIT_TIME ? 0.05 : crit[k] == MR_CRIT_CO2E ? 0.5 : 0.0;
	fig = mr_malloc(((size_t)g->m + 1) * MR_CRIT_COUNT * sizeof(double));
	lb = mr_malloc(((size_t)g->n + 1) * (size_t)nc * sizeof(double));
	wtmp = mr_malloc(((size_t)g->m + 1) * sizeof(double));
	bag = mr_malloc(((size_t)g->n + 1) * sizeof(uint32_t));
	is_dst = mr_calloc((size_t)g->n + 1, 1);
	dstc = mr_malloc((q.ndst + 1) * sizeof(mr_seed));
	if (!fig || !lb || !wtmp || !bag || !is_dst || !dstc) {
		rc = MR_ENOMEM;
		goto done;
	}
	for (i = 0; i < g->n; i++)
		bag[i] = MR_NONE;
	for (i = 0; i < q.ndst; i++) {
		is_dst[q.dst[i].v] = 1;
		dstc[i].v = q.dst[i].v;
		dstc[i].offset = 0;
	}
	for (i = 0; i < g->m; i++) {
		if (q.w[i] < INFINITY)
			mr__arc_figures(net, o, (uint32_t)i, fig + i * MR_CRIT_COUNT);
		else
			for (k = 0; k < MR_CRIT_COUNT; k++)
				fig[i * MR_CRIT_COUNT + k] = INFINITY;
	}
	/* exact lower bounds per chosen criterion */
	for (k = 0; k < nc; k++) {
		double *pot = mr_malloc(((size_t)g->n + 1) * sizeof(double));
		uint32_t v;
		if (!pot) {
			rc = MR_ENOMEM;
			goto done;
		}
		for (i = 0; i < g->m; i++)
			wtmp[i] = fig[i * MR_CRIT_COUNT + crit[k]];
		rc = reverse_distances(net, wtmp, dstc, q.ndst, pot);
		for (v = 0; v < g->n; v++)
			lb[(size_t)v * nc + k] = pot[v];
		mr_free(pot);
		if (rc == MR_ENOROUTE)
			break;
		if (rc)
			goto done;
	}
	if (!(targets = mr_malloc(64 * sizeof(uint32_t)))) {
		rc = MR_ENOMEM;
		goto done;
	}
	/* seeds: the origin's virtual nodes, with the leg start fee in the cost */
	for (i = 0; i < q.nsrc; i++) {
		uint32_t id, v = q.src[i].v;
		plabel *L;
		if ((rc = new_label(&s, &id)))
			goto done;
		L = &s.lab[id];
		for (k = 0; k < nc; k++)
			L->c[k] = crit[k] == MR_CRIT_COST ? net->vnodes[v].fixed_usd : 0.0;
		L->v = v;
		L->parent = L->arc = MR_NONE;
		L->next = bag[v];
		bag[v] = id;
		if ((rc = heap_push(&s, id)))
			goto done;
	}
	while (s.nheap) {
		uint32_t id = heap_pop(&s), a;
		plabel L;
		if (s.lab[id].dead)
			continue;
		L = s.lab[id];
		if (is_dst[L.v]) {
			int dom = 0;
			for (i = 0; i < ntargets && !dom; i++)
				dom = dominates_eps(&s, s.lab[targets[i]].c, L.c, s.eps);
			if (dom)
				continue;
			if (ntargets % 64 == 0 && ntargets) {
				uint32_t *t = mr_realloc(targets, (ntargets + 64) * sizeof(uint32_t));
				if (!t) {
					rc = MR_ENOMEM;
					goto done;
				}
				targets = t;
			}
			targets[ntargets++] = id;
			continue; /* going on from the destination only adds */
		}
		for (a = g->first_out[L.v]; a < g->first_out[L.v + 1]; a++) {
			uint32_t v = g->head[a], nid, x, *link;
			double c[MR_CRIT_COUNT], bound[MR_CRIT_COUNT];
			int dom = 0;
			if (!(q.w[a] < INFINITY))
				continue;
			for (k = 0; k < nc; k++) {
				c[k] = L.c[k] + fig[(size_t)a * MR_CRIT_COUNT + crit[k]];
				bound[k] = c[k] + lb[(size_t)v * nc + k];
				if (!(bound[k] < INFINITY))
					dom = 1;
			}
			for (i = 0; i < ntargets && !dom; i++)
				dom = dominates_eps(&s, s.lab[targets[i]].c, bound, s.eps);
			for (x = bag[v]; x != MR_NONE && !dom; x = s.lab[x].next)
				dom = dominates(&s, s.lab[x].c, c);
			if (dom)
				continue;
			/* drop the labels at v that the new one dominates */
			for (link = &bag[v]; *link != MR_NONE;) {
				plabel *X = &s.lab[*link];
				if (dominates(&s, c, X->c)) {
					X->dead = 1;
					*link = X->next;
				} else {
					link = &X->next;
				}
			}
			if (s.nlab >= po->max_labels) {
				out->truncated = 1;
				break;
			}
			if ((rc = new_label(&s, &nid)))
				goto done;
			memcpy(s.lab[nid].c, c, sizeof(c));
			s.lab[nid].v = v;
			s.lab[nid].parent = id;
			s.lab[nid].arc = a;
			s.lab[nid].next = bag[v];
			bag[v] = nid;
			if ((rc = heap_push(&s, nid)))
				goto done;
		}
		if (out->truncated)
			break;
	}
	out->labels = s.nlab;
	if (!ntargets) {
		if (out->truncated)
			rc = mr_error_set(err, MR_ELIMIT, NULL, 0, 0, "max_labels",
			                  "the label limit (%zu) was reached before a route reached the destination: raise it",
			                  po->max_labels);
		else
			rc = mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, NULL, "no route under these options");
		goto done;
	}
	if (!(out->v = mr_calloc(ntargets, sizeof(mr_pareto_point)))) {
		rc = MR_ENOMEM;
		goto done;
	}
	for (i = 0; i < ntargets; i++) {
		uint32_t id = targets[i], n = 0, x, *arcs;
		mr_pareto_point *pt = &out->v[out->n];
		double objective;
		for (x = id; s.lab[x].parent != MR_NONE; x = s.lab[x].parent)
			n++;
		if (!(arcs = mr_malloc(((size_t)n + 1) * sizeof(uint32_t)))) {
			rc = MR_ENOMEM;
			goto done;
		}
		{
			uint32_t j = n;
			for (x = id; s.lab[x].parent != MR_NONE; x = s.lab[x].parent)
				arcs[--j] = s.lab[x].arc;
		}
		objective = seed_offset(q.src, q.nsrc, s.lab[x].v);
		{
			uint32_t j;
			for (j = 0; j < n; j++)
				objective += q.w[arcs[j]];
		}
		rc = mr__route_make(net, o, s.lab[x].v, arcs, n, objective, &pt->route);
		mr_free(arcs);
		if (rc)
			goto done;
		for (k = 0; k < MR_CRIT_COUNT; k++)
			pt->value[k] = NAN;
		for (k = 0; k < nc; k++)
			pt->value[crit[k]] = s.lab[id].c[k];
		/* the criteria not searched, for the record */
		if (isnan(pt->value[MR_CRIT_COST]))
			pt->value[MR_CRIT_COST] = pt->route.cost_usd / pt->route.teu;
		if (isnan(pt->value[MR_CRIT_TIME]))
			pt->value[MR_CRIT_TIME] = pt->route.duration_h;
		if (isnan(pt->value[MR_CRIT_CO2E]))
			pt->value[MR_CRIT_CO2E] = pt->route.co2e_kg / pt->route.teu;
		if (isnan(pt->value[MR_CRIT_RISK]))
			pt->value[MR_CRIT_RISK] = (double)pt->route.nborders + (double)pt->route.npassages;
		out->n++;
	}
	qsort(out->v, out->n, sizeof(mr_pareto_point), cmp_point);
	rc = MR_OK;
done:
	if (rc) {
		if (rc == MR_ENOMEM && err && !err->code)
			mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
		mr_pareto_free(out);
	}
	mr_free(fig);
	mr_free(lb);
	mr_free(wtmp);
	mr_free(bag);
	mr_free(is_dst);
	mr_free(dstc);
	mr_free(targets);
	mr_free(s.lab);
	mr_free(s.heap);
	return rc;
}
