/* mr_assign_b.c: Algorithm B (Dial 2006): one acyclic bush per origin, Newton flow shifts from
 * the longest used to the shortest path segment at every merge node (with the shared delays of
 * groups), bush improvement after Nie (2009); the extension of stalled passes with groups; the
 * parallel scheme behind the MPI hook; saving and loading bushes; one origin's flows.
 *
 * Invariants of a bush (origin o, struct mr__bush), between calls:
 * - order[0..nn) lists every node reachable from o without passing through a node below
 *   first_thru (other than o), in a topological order of the bush; order[0] == o.
 * - The bush's links are grouped by head position: the links entering order[p] are
 *   link[first[p] .. first[p+1]-1] (internal link ids), each with tpos = the position of its tail
 *   (< p) and flow >= 0, the origin's flow on it. Every position p >= 1 has at least one entering
 *   link, so every node is reached from o inside the bush; no link enters o, and no link leaves a
 *   node below first_thru other than o.
 * - Flow is conserved: at every node, entering minus leaving flow is the demand from o to it.
 * - The solver's x is the sum of every bush's flow (in the MPI scheme, of every process's
 *   bushes), up to rounding, after each main iteration.
 * A bush with nn == 0 is absent (an origin without demand). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign/mr_assign_int.h"

/* Inner passes skip a bush whose largest excess cost (longest used minus shortest path cost to a
 * node) is below this fraction of the largest over all bushes: the work goes where the
 * disequilibrium is (measured: about 1.5 to 2.5 times faster on Anaheim and Barcelona). */
#define B_SKIP 0.03

/* With groups, an inner pass whose largest excess is still above B_STALL times the previous
 * pass's has stalled, and its move is extended (extend_pass) by at most B_EXTEND_MAX: more would
 * also multiply the rounding of the bush flows (about 1e-16 of a flow per shift); and only while
 * the relative gap is above B_EXTEND_GAP: below, the passes' moves are small enough for their
 * rounding to mislead the extension. Measured on 36 grids with random groups and with border-like
 * groups (both directions of a link, constant own cost): without extension 424 iterations to gap
 * 1e-10 (20 grids) and 242 to 1e-12 (16 grids); with it 248 and 153 (extending at every gap: 312
 * and 968); on the built-in example, gap 5e-10 after 3 iterations instead of 4e-6 after 10. */
#define B_STALL 0.9
#define B_EXTEND_MAX 1e4
#define B_EXTEND_GAP 1e-9

struct mr__bush {
	uint32_t nn, nl, cap;
	uint32_t *order, *first; /* nn, nn + 1 */
	uint32_t *link, *tpos;   /* cap */
	double *flow, *flow0;    /* cap; flow0 only with the MPI hook or groups */
	double excess;           /* max over nodes of (longest used - shortest) at the last scan */
	int touched;             /* moved in the current pass */
};

/* Workspace, sized for the network. */
typedef struct bws {
	uint32_t *posn;        /* n: node -> position in the bush being worked on */
	double *sp, *lp;       /* n, by position: shortest and longest (used) path costs */
	uint32_t *spk, *lpk;   /* n, by position: the entering bush link of those paths */
	uint32_t *sega, *segb; /* n: the two segments of a flow shift (bush link indexes) */
	unsigned char *inb;    /* m: link is in the bush being improved */
	uint32_t *g_link;      /* m: links gathered for a rebuild */
	double *g_flow;        /* m */
	uint32_t *s_link;      /* m: the same grouped by head */
	double *s_flow;        /* m */
	uint32_t *cnt, *fillp; /* n + 1 */
	uint32_t *stack, *it, *npos, *tord; /* n: bush_build's */
	uint32_t *nodes;       /* n: the node list given to bush_build */
	unsigned char *state;  /* n */
	double *dn;            /* n: demand of the current origin at each node */
	double *xstart;        /* m (MPI scheme, groups) */
	int rotate;            /* MPI scheme: the processes take turns */
} bws;

static void bws_free(bws *w)
{
	if (!w)
		return;
	mr_free(w->posn);
	mr_free(w->sp);
	mr_free(w->lp);
	mr_free(w->spk);
	mr_free(w->lpk);
	mr_free(w->sega);
	mr_free(w->segb);
	mr_free(w->inb);
	mr_free(w->g_link);
	mr_free(w->g_flow);
	mr_free(w->s_link);
	mr_free(w->s_flow);
	mr_free(w->cnt);
	mr_free(w->fillp);
	mr_free(w->stack);
	mr_free(w->it);
	mr_free(w->npos);
	mr_free(w->tord);
	mr_free(w->nodes);
	mr_free(w->state);
	mr_free(w->dn);
	mr_free(w->xstart);
	mr_free(w);
}

static bws *bws_new(const mr_assign *a)
{
	size_t n = (size_t)a->n + 1, m = (size_t)a->m + 1;
	bws *w = mr_calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->posn = mr_malloc(n * sizeof(uint32_t));
	w->sp = mr_malloc(n * sizeof(double));
	w->lp = mr_malloc(n * sizeof(double));
	w->spk = mr_malloc(n * sizeof(uint32_t));
	w->lpk = mr_malloc(n * sizeof(uint32_t));
	w->sega = mr_malloc(n * sizeof(uint32_t));
	w->segb = mr_malloc(n * sizeof(uint32_t));
	w->inb = mr_calloc(m, 1);
	w->g_link = mr_malloc(m * sizeof(uint32_t));
	w->g_flow = mr_malloc(m * sizeof(double));
	w->s_link = mr_malloc(m * sizeof(uint32_t));
	w->s_flow = mr_malloc(m * sizeof(double));
	w->cnt = mr_malloc((n + 1) * sizeof(uint32_t));
	w->fillp = mr_malloc((n + 1) * sizeof(uint32_t));
	w->stack = mr_malloc(n * sizeof(uint32_t));
	w->it = mr_malloc(n * sizeof(uint32_t));
	w->npos = mr_malloc(n * sizeof(uint32_t));
	w->tord = mr_malloc(n * sizeof(uint32_t));
	w->nodes = mr_malloc(n * sizeof(uint32_t));
	w->state = mr_malloc(n);
	w->dn = mr_calloc(n, sizeof(double));
	if (a->o.allreduce_sum || a->ng)
		w->xstart = mr_malloc(m * sizeof(double));
	if (!w->posn || !w->sp || !w->lp || !w->spk || !w->lpk || !w->sega || !w->segb || !w->inb || !w->g_link ||
	    !w->g_flow || !w->s_link || !w->s_flow || !w->cnt || !w->fillp || !w->stack || !w->it || !w->npos ||
	    !w->tord || !w->nodes || !w->state || !w->dn || ((a->o.allreduce_sum || a->ng) && !w->xstart)) {
		bws_free(w);
		return NULL;
	}
	return w;
}

static void bush_clear(mr__bush *b)
{
	mr_free(b->order);
	mr_free(b->first);
	mr_free(b->link);
	mr_free(b->tpos);
	mr_free(b->flow);
	mr_free(b->flow0);
	memset(b, 0, sizeof(*b));
}

void mr__b_free(mr_assign *a)
{
	uint32_t i;
	if (a->bushes)
		for (i = 0; i < a->hi - a->lo; i++)
			bush_clear(&a->bushes[i]);
	mr_free(a->bushes);
	a->bushes = NULL;
	bws_free(a->bws);
	a->bws = NULL;
}

/* Room for nl links (contents kept). */
static int bush_reserve(const mr_assign *a, mr__bush *b, uint32_t nl)
{
	uint32_t nc;
	void *p;
	if (nl <= b->cap)
		return MR_OK;
	nc = b->cap + b->cap / 2;
	if (nc < nl)
		nc = nl;
	if (nc < 8)
		nc = 8;
	if (!(p = mr_realloc(b->link, (size_t)nc * sizeof(uint32_t))))
		return MR_ENOMEM;
	b->link = p;
	if (!(p = mr_realloc(b->tpos, (size_t)nc * sizeof(uint32_t))))
		return MR_ENOMEM;
	b->tpos = p;
	if (!(p = mr_realloc(b->flow, (size_t)nc * sizeof(double))))
		return MR_ENOMEM;
	b->flow = p;
	if (a->o.allreduce_sum || a->ng) {
		if (!(p = mr_realloc(b->flow0, (size_t)nc * sizeof(double))))
			return MR_ENOMEM;
		b->flow0 = p;
	}
	b->cap = nc;
	return MR_OK;
}

/* Set link l's flow, cost and derivative (and its group's delay and the costs of its links). */
static inline void link_set(mr_assign *a, uint32_t l, double x)
{
	mr__link_set_deferred(a, l, x);
	if (a->ndirty)
		mr__assign_groups_flush(a);
}

/* Lay out bush b from nodes[0..nn) (reachable set, nodes[0] = the origin, any order) and links
 * (with flows): groups the links by head, finds a topological order by depth-first search over
 * entering links (MR_ECORRUPT on a cycle) and writes b's arrays. nodes and links may not be b's
 * own arrays; b->order and b->first must have room for nn and nn + 1. */
static int bush_build(mr_assign *a, bws *w, mr__bush *b, const uint32_t *nodes, uint32_t nn, const uint32_t *links,
                      const double *flows, uint32_t nl)
{
	uint32_t p, k, g, counter = 0, *posn = w->posn, *cnt = w->cnt;
	int rc;

	for (p = 0; p < nn; p++)
		posn[nodes[p]] = p;
	memset(cnt, 0, ((size_t)nn + 1) * sizeof(uint32_t));
	for (k = 0; k < nl; k++)
		cnt[posn[a->head[links[k]]] + 1]++;
	for (p = 0; p < nn; p++)
		cnt[p + 1] += cnt[p];
	memcpy(w->fillp, cnt, ((size_t)nn + 1) * sizeof(uint32_t));
	for (k = 0; k < nl; k++) {
		uint32_t d = w->fillp[posn[a->head[links[k]]]]++;
		w->s_link[d] = links[k];
		w->s_flow[d] = flows[k];
	}
	/* depth-first search over entering links: post-order is topological */
	memset(w->state, 0, nn);
	for (g = 0; g < nn; g++) {
		uint32_t sp = 0;
		if (w->state[g])
			continue;
		w->stack[sp++] = g;
		w->state[g] = 1;
		w->it[g] = cnt[g];
		while (sp) {
			uint32_t t = w->stack[sp - 1];
			if (w->it[t] < cnt[t + 1]) {
				uint32_t u = posn[a->tail[w->s_link[w->it[t]++]]];
				if (w->state[u] == 0) {
					w->state[u] = 1;
					w->it[u] = cnt[u];
					w->stack[sp++] = u;
				} else if (w->state[u] == 1)
					return MR_ECORRUPT; /* a cycle */
			} else {
				w->state[t] = 2;
				w->npos[t] = counter++;
				sp--;
			}
		}
	}
	if (w->npos[0] != 0)
		return MR_ECORRUPT; /* a link enters the origin */
	if ((rc = bush_reserve(a, b, nl)) != MR_OK)
		return rc;
	for (p = 0; p < nn; p++) {
		w->tord[w->npos[p]] = nodes[p];
		b->first[w->npos[p] + 1] = cnt[p + 1] - cnt[p];
	}
	b->first[0] = 0;
	for (p = 0; p < nn; p++)
		b->first[p + 1] += b->first[p];
	for (p = 0; p < nn; p++) {
		uint32_t d = b->first[w->npos[p]];
		for (k = cnt[p]; k < cnt[p + 1]; k++, d++) {
			uint32_t l = w->s_link[k];
			b->link[d] = l;
			b->tpos[d] = w->npos[posn[a->tail[l]]];
			b->flow[d] = w->s_flow[k];
		}
	}
	memcpy(b->order, w->tord, (size_t)nn * sizeof(uint32_t));
	for (p = 0; p < nn; p++)
		posn[b->order[p]] = p;
	b->nn = nn;
	b->nl = nl;
	return MR_OK;
}

/* Load the demand of origin o through the split proportions of the bush's flows (where a node
 * has no entering flow, everything takes its first entering link). */
static void bush_reload(mr_assign *a, bws *w, mr__bush *b, uint32_t o)
{
	uint32_t p, k, j;
	double *nf = w->sp;
	for (p = 1; p < b->nn; p++) {
		double s = 0;
		for (k = b->first[p]; k < b->first[p + 1]; k++)
			s += b->flow[k];
		for (k = b->first[p]; k < b->first[p + 1]; k++)
			b->flow[k] = s > 0 ? b->flow[k] / s : (k == b->first[p] ? 1 : 0);
	}
	for (p = 0; p < b->nn; p++)
		nf[p] = 0;
	for (j = a->dfirst[o]; j < a->dfirst[o + 1]; j++)
		nf[w->posn[a->ddest[j]]] += a->damt[j];
	for (p = b->nn; p-- > 1;)
		for (k = b->first[p]; k < b->first[p + 1]; k++) {
			b->flow[k] *= nf[p];
			nf[b->tpos[k]] += b->flow[k];
		}
}

/* New bush of origin o: the shortest-path tree at the current costs, loaded with o's demand, its
 * flow added to x (costs updated link by link, so that later origins see it). */
static int bush_init(mr_assign *a, bws *w, mr__bush *b, uint32_t o)
{
	uint32_t p, nn, j;
	double *nf = w->sp;
	int rc;

	mr__assign_sp(a, o);
	nn = a->nsettled;
	b->order = mr_malloc((size_t)nn * sizeof(uint32_t));
	b->first = mr_malloc(((size_t)nn + 1) * sizeof(uint32_t));
	if (!b->order || !b->first || (rc = bush_reserve(a, b, nn)) != MR_OK) {
		bush_clear(b);
		return MR_ENOMEM;
	}
	memcpy(b->order, a->order, (size_t)nn * sizeof(uint32_t));
	for (p = 0; p < nn; p++) {
		w->posn[b->order[p]] = p;
		nf[p] = 0;
	}
	b->first[0] = 0;
	for (p = 1; p < nn; p++) {
		uint32_t l = a->pred[b->order[p]];
		b->first[p] = p - 1;
		b->link[p - 1] = l;
		b->tpos[p - 1] = w->posn[a->tail[l]];
	}
	b->first[nn] = nn ? nn - 1 : 0;
	b->nn = nn;
	b->nl = nn - 1;
	for (j = a->dfirst[o]; j < a->dfirst[o + 1]; j++)
		nf[w->posn[a->ddest[j]]] += a->damt[j];
	for (p = nn; p-- > 1;) {
		uint32_t l = b->link[p - 1];
		b->flow[p - 1] = nf[p];
		nf[b->tpos[p - 1]] += nf[p];
		if (nf[p] != 0)
			link_set(a, l, a->x[l] + nf[p]);
	}
	return MR_OK;
}

/* Shortest (over every bush link) and longest used (over links with flow) path costs from the
 * origin, by position; returns the largest difference. */
static double bush_scan(const mr_assign *a, bws *w, const mr__bush *b)
{
	const uint32_t *first = b->first, *link = b->link, *tpos = b->tpos;
	const double *flow = b->flow, *cost = a->cost;
	double *sp = w->sp, *lp = w->lp, ex = 0;
	uint32_t *spk = w->spk, *lpk = w->lpk, p, nn = b->nn;

	sp[0] = lp[0] = 0;
	spk[0] = lpk[0] = MR__NONE;
	for (p = 1; p < nn; p++) {
		uint32_t k = first[p], end = first[p + 1];
		double c = cost[link[k]], s = sp[tpos[k]] + c, l = -HUGE_VAL;
		uint32_t sk = k, lk = MR__NONE;
		if (flow[k] > 0) {
			l = lp[tpos[k]] + c;
			lk = k;
		}
		for (k++; k < end; k++) {
			double v;
			c = cost[link[k]];
			v = sp[tpos[k]] + c;
			if (v < s) {
				s = v;
				sk = k;
			}
			if (flow[k] > 0) {
				v = lp[tpos[k]] + c;
				if (v > l) {
					l = v;
					lk = k;
				}
			}
		}
		sp[p] = s;
		spk[p] = sk;
		lp[p] = l;
		lpk[p] = lk;
		if (l - s > ex)
			ex = l - s;
	}
	return ex;
}

/* With groups: sum over groups of D_g' (n_a(g) - n_b(g))^2, n_a(g) the number of the group's
 * links on the segment sega (bush link indexes), the part of the second derivative of the cost
 * difference of the two segments that the shared delays add. */
static double group_curvature(mr_assign *a, const mr__bush *b, const uint32_t *sega, uint32_t na,
                              const uint32_t *segb, uint32_t nb)
{
	double *cnt = a->gtmp, s = 0;
	uint32_t *list = a->gdirty, nlist = 0, i, g;
	/* gdirty is free here (nothing is deferred between shifts); gmark marks the listed groups */
	for (i = 0; i < na + nb; i++) {
		uint32_t l = b->link[i < na ? sega[i] : segb[i - na]];
		if ((g = a->grp[l]) == MR__NONE)
			continue;
		if (!a->gmark[g]) {
			a->gmark[g] = 1;
			cnt[g] = 0;
			list[nlist++] = g;
		}
		cnt[g] += i < na ? 1 : -1;
	}
	for (i = 0; i < nlist; i++) {
		g = list[i];
		s += a->gder[g] * cnt[g] * cnt[g];
		a->gmark[g] = 0;
	}
	return s;
}

/* One Newton shift at position p between the longest used and the shortest path segments from
 * their last common node. */
static void newton_shift(mr_assign *a, bws *w, mr__bush *b, uint32_t p)
{
	uint32_t *sega = w->sega, *segb = w->segb, na = 0, nb = 0, i, pa, pb, k;
	const uint32_t *tpos = b->tpos, *link = b->link;
	double ca = 0, cb = 0, dd = 0, fmax = HUGE_VAL, dc, delta;

	k = w->lpk[p];
	sega[na++] = k;
	pa = tpos[k];
	k = w->spk[p];
	segb[nb++] = k;
	pb = tpos[k];
	while (pa != pb) {
		if (pa > pb) {
			k = w->lpk[pa];
			if (k == MR__NONE)
				return;
			sega[na++] = k;
			pa = tpos[k];
		} else {
			k = w->spk[pb];
			segb[nb++] = k;
			pb = tpos[k];
		}
	}
	for (i = 0; i < na; i++) {
		uint32_t l = link[sega[i]];
		ca += a->cost[l];
		dd += a->der[l];
		if (b->flow[sega[i]] < fmax)
			fmax = b->flow[sega[i]];
	}
	for (i = 0; i < nb; i++) {
		uint32_t l = link[segb[i]];
		cb += a->cost[l];
		dd += a->der[l];
	}
	dc = ca - cb;
	if (!(dc > 0) || !(fmax > 0))
		return;
	if (a->ng)
		dd += group_curvature(a, b, sega, na, segb, nb);
	delta = dd > 0 && dc < dd * fmax ? dc / dd : fmax;
	for (i = 0; i < na; i++) {
		uint32_t kk = sega[i], l = link[kk];
		b->flow[kk] = delta == fmax && b->flow[kk] == fmax ? 0 : b->flow[kk] - delta;
		mr__link_set_deferred(a, l, a->x[l] - delta);
	}
	for (i = 0; i < nb; i++) {
		uint32_t kk = segb[i], l = link[kk];
		b->flow[kk] += delta;
		mr__link_set_deferred(a, l, a->x[l] + delta);
	}
	if (a->ndirty)
		mr__assign_groups_flush(a);
}

/* Scan, then shift flow at every merge node from the last position down. */
static void bush_shift(mr_assign *a, bws *w, mr__bush *b)
{
	uint32_t p;
	b->excess = bush_scan(a, w, b);
	if (!(b->excess > 0))
		return;
	for (p = b->nn; p-- > 1;) {
		if (b->first[p + 1] - b->first[p] < 2)
			continue;
		if (w->lpk[p] == MR__NONE || w->lpk[p] == w->spk[p] || !(w->lp[p] > w->sp[p]))
			continue;
		newton_shift(a, w, b, p);
	}
}

/* Bush improvement: drop links without flow (except each node's shortest-path link), then add
 * links (i, j) that shorten the bush's shortest path to j, SP(i) + c < SP(j), when the longest
 * path costs L over the remaining bush satisfy L(i) < L(j); if there is none, links with
 * L(i) + c < L(j) (Dial's rule). L is non-decreasing along every remaining link and strictly
 * increasing along every added one, so the bush stays acyclic. */
static int bush_improve(mr_assign *a, bws *w, mr__bush *b)
{
	uint32_t p, k, nn = b->nn, nl = 0, nkeep, added = 0, *posn = w->posn;
	const uint32_t *first = b->first, *tpos = b->tpos;
	double *sp = w->sp, *L = w->lp, *in = w->dn;
	const double *cost = a->cost;
	int pass, rc;

	for (p = 0; p < nn; p++)
		posn[b->order[p]] = p;
	sp[0] = L[0] = 0;
	in[0] = HUGE_VAL;
	for (p = 1; p < nn; p++) {
		double s = HUGE_VAL, l = -HUGE_VAL, fin = 0;
		uint32_t sk = MR__NONE;
		for (k = first[p]; k < first[p + 1]; k++) {
			double v = sp[tpos[k]] + cost[b->link[k]];
			if (v < s) {
				s = v;
				sk = k;
			}
		}
		if (sk == MR__NONE) /* only if costs are NaN: keep the first link */
			sk = first[p];
		for (k = first[p]; k < first[p + 1]; k++) {
			if (b->flow[k] > 0 && tpos[k] && !(in[tpos[k]] > 0)) {
				/* flow left by rounding on a link whose tail receives none */
				uint32_t lo = b->link[k];
				link_set(a, lo, a->x[lo] - b->flow[k]);
				b->flow[k] = 0;
			}
			fin += b->flow[k];
			if (b->flow[k] > 0 || k == sk) {
				double v = L[tpos[k]] + cost[b->link[k]];
				if (v > l)
					l = v;
				w->g_link[nl] = b->link[k];
				w->g_flow[nl] = b->flow[k];
				nl++;
			}
		}
		sp[p] = s;
		L[p] = l;
		in[p] = fin;
	}
	for (p = 0; p < nn; p++)
		in[p] = 0;
	nkeep = nl;
	for (k = 0; k < b->nl; k++)
		w->inb[b->link[k]] = 1;
	for (pass = 0; pass < 2 && !added; pass++)
		for (p = 0; p < nn; p++) {
			uint32_t i = b->order[p], e, end;
			if (p && i < a->first_thru)
				continue;
			for (e = a->out_first[i], end = a->out_first[i + 1]; e < end; e++) {
				uint32_t q;
				if (w->inb[e])
					continue;
				q = posn[a->head[e]];
				if (pass == 0 ? (sp[p] + cost[e] < sp[q] && L[p] < L[q]) : (L[p] + cost[e] < L[q])) {
					w->g_link[nl] = e;
					w->g_flow[nl] = 0;
					w->inb[e] = 1;
					nl++;
					added++;
				}
			}
		}
	for (k = 0; k < b->nl; k++)
		w->inb[b->link[k]] = 0;
	for (k = nkeep; k < nl; k++)
		w->inb[w->g_link[k]] = 0;
	if (!added && nkeep == b->nl)
		return MR_OK; /* nothing changes */
	memcpy(w->nodes, b->order, (size_t)nn * sizeof(uint32_t)); /* bush_build may not read b's arrays */
	rc = bush_build(a, w, b, w->nodes, nn, w->g_link, w->g_flow, nl);
	return rc == MR_ECORRUPT ? MR_EINVAL : rc;
}

int mr__b_start(mr_assign *a, mr_error *err)
{
	uint32_t i, k, no = a->hi - a->lo;
	bws *w;
	int rc = MR_OK;

	if ((!a->bushes && !(a->bushes = mr_calloc(no ? no : 1, sizeof(mr__bush)))) || (!a->bws && !(a->bws = bws_new(a))))
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	if ((rc = mr__assign_agree(a, rc, err)) != MR_OK)
		return rc;
	w = a->bws;
	memset(a->x, 0, (size_t)a->m * sizeof(double));
	for (i = 0; i < no; i++) { /* loaded bushes */
		mr__bush *b = &a->bushes[i];
		for (k = 0; k < b->nl; k++)
			a->x[b->link[k]] += b->flow[k];
	}
	mr__assign_costs(a);
	for (i = 0; i < no; i++) {
		uint32_t o = a->lo + i;
		if (a->bushes[i].nn || a->dfirst[o] == a->dfirst[o + 1])
			continue;
		if ((rc = bush_init(a, w, &a->bushes[i], o)) != MR_OK) {
			mr_error_set(err, rc, NULL, 0, 0, NULL, "out of memory");
			break;
		}
	}
	if ((rc = mr__assign_agree(a, rc, err)) != MR_OK)
		return rc;
	if (a->o.allreduce_sum) {
		if ((rc = mr__assign_reduce(a, a->x, a->m, err)) != MR_OK)
			return rc;
	}
	mr__assign_costs(a);
	return MR_OK;
}

/* x = the sum of this process's bush flows (summed over every process with the hook). */
static int resync(mr_assign *a, mr_error *err)
{
	uint32_t i, k, no = a->hi - a->lo;
	int rc;
	memset(a->x, 0, (size_t)a->m * sizeof(double));
	for (i = 0; i < no; i++) {
		const mr__bush *b = &a->bushes[i];
		for (k = 0; k < b->nl; k++)
			a->x[b->link[k]] += b->flow[k];
	}
	if ((rc = mr__assign_reduce(a, a->x, a->m, err)) != MR_OK)
		return rc;
	mr__assign_costs(a);
	return MR_OK;
}

/* One pass over this process's bushes: bush improvement then a flow shift (pass 0), or a flow
 * shift of every bush whose excess is not small against the largest (pass > 0). With keep0, each
 * bush it touches keeps its flows from before in flow0. */
static int bush_pass(mr_assign *a, bws *w, uint32_t pass, int keep0, mr_error *err)
{
	uint32_t i, no = a->hi - a->lo;
	double thr = 0;
	int rc;

	if (pass > 0) {
		for (i = 0; i < no; i++)
			if (a->bushes[i].excess > thr)
				thr = a->bushes[i].excess;
		thr *= B_SKIP;
	}
	for (i = 0; i < no; i++) {
		mr__bush *b = &a->bushes[i];
		b->touched = 0;
		if (!b->nn || (pass > 0 && b->excess < thr))
			continue;
		if (pass == 0 && (rc = bush_improve(a, w, b)) != MR_OK)
			return mr_error_set(err, rc, NULL, 0, 0, NULL, rc == MR_ENOMEM ? "out of memory" :
			                    "bush of origin %u: a cycle (costs not finite?)", a->lo + i);
		if (keep0)
			memcpy(b->flow0, b->flow, (size_t)b->nl * sizeof(double));
		b->touched = 1;
		bush_shift(a, w, b);
	}
	return MR_OK;
}

/* With groups, the extension of a stalled pass. Newton shifts are coordinate steps, one origin
 * at a time; when origins trade flow through a shared group in opposite directions (both
 * directions of a border, the transfers of a terminal), the group's delay cancels from their
 * joint move but limits each single step, so each pass moves a sliver of what is needed, in the
 * same direction again. After such a pass, its move d (the sum of the touched bushes' moves,
 * flow - flow0) is extended to lambda d, lambda > 1 by the exact line search on the Beckmann
 * objective, as far as every bush flow stays >= 0 (and at most B_EXTEND_MAX): the objective never
 * increases.
 *
 * pass_move: d (m) from this process's touched bushes; returns the largest lambda that keeps
 * their flows >= 0 (HUGE_VAL when no flow decreases). */
static double pass_move(const mr_assign *a, double *d)
{
	uint32_t i, k, no = a->hi - a->lo;
	double top = HUGE_VAL;
	memset(d, 0, (size_t)a->m * sizeof(double));
	for (i = 0; i < no; i++) {
		const mr__bush *b = &a->bushes[i];
		if (!b->touched)
			continue;
		for (k = 0; k < b->nl; k++) {
			double mv = b->flow[k] - b->flow0[k];
			d[b->link[k]] += mv;
			if (mv < 0 && b->flow0[k] / -mv < top)
				top = b->flow0[k] / -mv;
		}
	}
	return top;
}

/* Scale the touched bushes' moves by lam (>= 0): flow = flow0 + lam (flow - flow0). */
static void scale_moves(mr_assign *a, double lam)
{
	uint32_t i, k, no = a->hi - a->lo;
	for (i = 0; i < no; i++) {
		mr__bush *b = &a->bushes[i];
		if (b->touched)
			for (k = 0; k < b->nl; k++) {
				double f = b->flow0[k] + lam * (b->flow[k] - b->flow0[k]);
				b->flow[k] = f > 0 ? f : 0;
			}
	}
}

/* The largest excess of this process's touched bushes at the pass's scans. */
static double pass_excess(const mr_assign *a)
{
	uint32_t i, no = a->hi - a->lo;
	double e = 0;
	for (i = 0; i < no; i++)
		if (a->bushes[i].touched && a->bushes[i].excess > e)
			e = a->bushes[i].excess;
	return e;
}

/* One process: extend the pass that started at w->xstart. */
static void extend_pass(mr_assign *a, bws *w)
{
	uint32_t k;
	double *d = a->buf, top = pass_move(a, d), lam;
	if (top > B_EXTEND_MAX)
		top = B_EXTEND_MAX;
	if (!(top > 1))
		return;
	lam = mr__assign_line_search_to(a, w->xstart, d, top);
	if (!(lam > 1))
		return;
	scale_moves(a, lam);
	for (k = 0; k < a->m; k++) {
		double f = w->xstart[k] + lam * d[k];
		a->x[k] = f > 0 ? f : 0;
	}
	mr__assign_costs(a);
}

/* MPI scheme with groups: d[0..m) = this process's pass move (pass_move); the slots after d[m]:
 * d[m+1+me] = its largest excess, d[m+1+np+me] = its largest lambda (at most B_EXTEND_MAX); the
 * other processes' slots 0. */
static void pass_slots(const mr_assign *a, double *d)
{
	double top = pass_move(a, d);
	memset(d + a->m + 1, 0, 2 * (size_t)a->np * sizeof(double));
	if (a->me != MR__NONE) {
		d[a->m + 1 + a->me] = pass_excess(a);
		d[a->m + 1 + a->np + a->me] = top < B_EXTEND_MAX ? top : B_EXTEND_MAX;
	}
}

/* After the reduction of pass_slots: *now = the largest excess over every process, *top = the
 * smallest lambda; 1 if the pass stalled (*now > B_STALL * *prev); *prev = *now. */
static int slots_stalled(const mr_assign *a, const double *d, double *prev, double *now, double *top)
{
	uint32_t i;
	int stalled;
	*now = 0;
	*top = B_EXTEND_MAX;
	for (i = 0; i < a->np; i++) {
		*now = fmax(*now, d[a->m + 1 + i]);
		*top = fmin(*top, d[a->m + 1 + a->np + i]);
	}
	stalled = *now > B_STALL * *prev;
	*prev = *now;
	return stalled;
}

int mr__b_iterate(mr_assign *a, mr_error *err)
{
	uint32_t i, k, pass, st, no = a->hi - a->lo, inner = a->o.b_inner ? a->o.b_inner : MR_ASSIGN_B_INNER;
	bws *w = a->bws;
	double prev = HUGE_VAL; /* the largest excess of the previous pass (over every process) */
	int rc, r2, ext_ok = a->ng && a->last_gap > B_EXTEND_GAP;

	if (!a->o.allreduce_sum) {
		for (pass = 0; pass <= inner; pass++) {
			int ext = ext_ok && pass > 0;
			double now;
			if (ext)
				memcpy(w->xstart, a->x, (size_t)a->m * sizeof(double));
			if ((rc = bush_pass(a, w, pass, ext, err)) != MR_OK)
				return rc;
			now = pass_excess(a);
			if (ext && now > B_STALL * prev)
				extend_pass(a, w);
			prev = now;
		}
		return resync(a, err);
	}
	/* The MPI scheme. Every pass is a step: in the parallel phase, every process makes its pass
	 * against the flows of the step's start, the sum of the moves is scaled by the exact line
	 * search (the same on every process: the objective never increases); in the rotation, the
	 * processes make their pass in turn, each seeing the moves of the ones before, which is the
	 * single-process order of work. With groups, a stalled pass is extended as above: in the
	 * parallel phase by the step's line search itself, in the rotation by one more reduction
	 * after the round; every process's largest excess and largest lambda go in slots of their
	 * own (two per process after the moves). */
	for (pass = 0; pass <= inner; pass++) {
		uint32_t steps = w->rotate ? a->np : 1;
		int ext = ext_ok && pass > 0;
		size_t n = (size_t)a->m + 1 + (ext ? 2 * (size_t)a->np : 0);
		double *d = a->buf, now, top;
		for (st = 0; st < steps; st++) {
			double lam = 1;
			int par = !w->rotate;
			memcpy(w->xstart, a->x, (size_t)a->m * sizeof(double));
			rc = MR_OK;
			if (par || st == a->me)
				rc = bush_pass(a, w, pass, par || ext, err);
			else if (st == 0) /* the rotation: a process's marks stay after its turn, for the round */
				for (i = 0; i < no; i++)
					a->bushes[i].touched = 0;
			if (par && ext)
				pass_slots(a, d); /* the move from the bushes' flows: see extend_pass */
			else
				for (k = 0; k < a->m; k++)
					d[k] = a->x[k] - w->xstart[k];
			d[a->m] = rc != MR_OK; /* a failure here is every process's */
			if ((r2 = mr__assign_reduce(a, d, par ? n : (size_t)a->m + 1, err)) != MR_OK)
				return rc != MR_OK ? rc : r2;
			if (rc != MR_OK)
				return rc;
			if (d[a->m] > 0)
				return mr_error_set(err, MR_EIO, NULL, 0, 0, "allreduce_sum", "another process failed");
			if (par) {
				double t;
				top = 1;
				if (ext && slots_stalled(a, d, &prev, &now, &t) && t > 1)
					top = t;
				lam = mr__assign_line_search_to(a, w->xstart, d, top);
				if (lam <= 0) /* no descent left at rounding level: undo, and rotate */
					w->rotate = 1;
				if (lam != 1)
					scale_moves(a, lam);
			}
			for (k = 0; k < a->m; k++)
				a->x[k] = w->xstart[k] + lam * d[k];
			if (lam > 1)
				for (k = 0; k < a->m; k++)
					a->x[k] = a->x[k] > 0 ? a->x[k] : 0;
			mr__assign_costs(a);
		}
		if (steps > 1 && ext) { /* the rotation's round */
			double mu;
			pass_slots(a, d);
			d[a->m] = 0;
			if ((rc = mr__assign_reduce(a, d, n, err)) != MR_OK)
				return rc;
			if (slots_stalled(a, d, &prev, &now, &top) && top > 1) {
				mu = mr__assign_line_search_to(a, a->x, d, top - 1);
				if (mu > 0) {
					scale_moves(a, 1 + mu);
					for (k = 0; k < a->m; k++) {
						double f = a->x[k] + mu * d[k];
						a->x[k] = f > 0 ? f : 0;
					}
					mr__assign_costs(a);
				}
			}
		}
	}
	return resync(a, err);
}

void mr__b_origin_flows(const mr_assign *a, uint32_t o, double *x)
{
	const mr__bush *b = &a->bushes[o - a->lo];
	uint32_t k;
	memset(x, 0, (size_t)a->m * sizeof(double));
	for (k = 0; k < b->nl; k++)
		x[a->ext[b->link[k]]] += b->flow[k];
}

/* ---- saving and loading bushes ---- */

#define BUSH_MAGIC "MRBUSHES"
#define BUSH_VERSION 1u
#define BUSH_BOM 0x01020304u

typedef struct bfile {
	FILE *fp;
	uint64_t h;
	long long off;
} bfile;

static uint64_t fnv_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int bf_write(bfile *f, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, f->fp) != n)
		return MR_EIO;
	f->h = fnv_add(f->h, p, n);
	f->off += (long long)n;
	return MR_OK;
}

int mr__b_save(const mr_assign *a, const char *path, mr_error *err)
{
	bfile f;
	char *tmp;
	size_t plen = strlen(path);
	uint32_t hdr[8], i, k, no = a->hi - a->lo;
	int rc = MR_OK;

	if (!(tmp = mr_malloc(plen + 8)))
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
	snprintf(tmp, plen + 8, "%s.tmp", path);
	memset(&f, 0, sizeof(f));
	f.h = 0xcbf29ce484222325ULL;
	if (!(f.fp = fopen(tmp, "wb"))) {
		rc = mr_error_set(err, MR_EIO, tmp, 0, 0, NULL, "cannot create: %s", strerror(errno));
		mr_free(tmp);
		return rc;
	}
	hdr[0] = BUSH_VERSION;
	hdr[1] = BUSH_BOM;
	hdr[2] = a->n;
	hdr[3] = a->m;
	hdr[4] = a->zones;
	hdr[5] = a->first_thru;
	hdr[6] = a->lo;
	hdr[7] = a->hi;
	if (bf_write(&f, BUSH_MAGIC, 8) || bf_write(&f, hdr, sizeof(hdr)) ||
	    bf_write(&f, &a->fingerprint, sizeof(a->fingerprint)))
		rc = MR_EIO;
	for (i = 0; i < no && rc == MR_OK; i++) {
		const mr__bush *b = &a->bushes[i];
		uint32_t rec[2];
		rec[0] = a->lo + i;
		rec[1] = b->nl;
		if ((rc = bf_write(&f, rec, sizeof(rec))) != MR_OK)
			break;
		for (k = 0; k < b->nl && rc == MR_OK; k++) {
			uint32_t id = a->ext[b->link[k]];
			rc = bf_write(&f, &id, sizeof(id));
		}
		if (rc == MR_OK && b->nl)
			rc = bf_write(&f, b->flow, (size_t)b->nl * sizeof(double));
	}
	if (rc == MR_OK) {
		uint64_t h = f.h;
		rc = bf_write(&f, &h, sizeof(h));
	}
	if (fclose(f.fp) != 0)
		rc = MR_EIO;
	if (rc == MR_OK && rename(tmp, path) != 0)
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot rename %s: %s", tmp, strerror(errno));
	else if (rc != MR_OK)
		mr_error_set(err, MR_EIO, tmp, 0, 0, NULL, "write error: %s", strerror(errno));
	if (rc != MR_OK)
		remove(tmp);
	mr_free(tmp);
	return rc;
}

static int bf_read(bfile *f, void *p, size_t n, const char *path, mr_error *err)
{
	size_t got = n ? fread(p, 1, n, f->fp) : 0;
	if (got != n) {
		if (ferror(f->fp))
			return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "read error at byte %lld", f->off + (long long)got);
		return mr_error_set(err, MR_ETRUNCATED, path, 0, 0, NULL, "the file ends at byte %lld (%zu more expected)",
		                    f->off + (long long)got, n - got);
	}
	f->h = fnv_add(f->h, p, n);
	f->off += (long long)n;
	return MR_OK;
}

/* Check a loaded bush of origin o (links in internal ids, flows) and lay it out into b. */
static int load_bush(mr_assign *a, bws *w, mr__bush *b, uint32_t o, uint32_t nl, uint32_t *links, double *flows,
                     const char *path, long long off, mr_error *err)
{
	uint32_t k, nn, p, j;
	double worst = 0, tot = 0;
	int rc = MR_OK;

	/* the reachable set (free-flow costs are irrelevant: it is the settled set) */
	mr__assign_sp(a, o);
	nn = a->nsettled;
	for (p = 0; p < a->n; p++)
		w->state[p] = 0;
	for (p = 0; p < nn; p++)
		w->state[a->order[p]] = 1; /* reachable */
	for (k = 0; k < nl; k++) {
		uint32_t l = links[k], t = a->tail[l], h = a->head[l];
		const char *why = NULL;
		if (!w->state[t] || (t != o && t < a->first_thru))
			why = "leaves a node the origin cannot pass through";
		else if (h == o)
			why = "enters the origin";
		else if (w->inb[l])
			why = "is given twice";
		else if (!isfinite(flows[k]) || flows[k] < 0)
			why = "has a flow that is not >= 0";
		if (why) {
			rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, "link", "bush of origin %u (near byte %lld): link %u %s", o,
			                  off, a->ext[l], why);
			goto done;
		}
		w->inb[l] = 1;
		w->state[h] |= 2; /* entered */
	}
	for (p = 1; p < nn; p++)
		if (!(w->state[a->order[p]] & 2)) {
			rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, "link", "bush of origin %u (near byte %lld): node %u is not reached",
			                  o, off, a->order[p]);
			goto done;
		}
	b->order = mr_malloc((size_t)nn * sizeof(uint32_t));
	b->first = mr_malloc(((size_t)nn + 1) * sizeof(uint32_t));
	if (!b->order || !b->first) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
		goto done;
	}
	memcpy(w->nodes, a->order, (size_t)nn * sizeof(uint32_t));
	rc = bush_build(a, w, b, w->nodes, nn, links, flows, nl);
	if (rc == MR_ECORRUPT)
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, "link", "bush of origin %u (near byte %lld) has a cycle", o, off);
	else if (rc != MR_OK)
		rc = mr_error_set(err, rc, path, 0, 0, NULL, "out of memory");
	if (rc != MR_OK)
		goto done;
	/* flow conservation against the current demand: keep the flows if it holds, else re-derive
	 * them from the split proportions */
	for (p = 0; p < nn; p++)
		w->lp[p] = 0;
	for (j = a->dfirst[o]; j < a->dfirst[o + 1]; j++) {
		w->lp[w->posn[a->ddest[j]]] -= a->damt[j];
		tot += a->damt[j];
	}
	for (k = 0; k < b->nl; k++) {
		w->lp[w->posn[a->head[b->link[k]]]] += b->flow[k];
		w->lp[b->tpos[k]] -= b->flow[k];
	}
	for (p = 1; p < nn; p++)
		if (fabs(w->lp[p]) > worst)
			worst = fabs(w->lp[p]);
	if (worst > 1e-9 * (tot > 1 ? tot : 1))
		bush_reload(a, w, b, o);
done:
	for (k = 0; k < nl; k++)
		w->inb[links[k]] = 0;
	if (rc != MR_OK)
		bush_clear(b);
	return rc;
}

int mr__b_load(mr_assign *a, const char *path, mr_error *err)
{
	bfile f;
	char magic[8];
	uint32_t hdr[8], i, no = a->hi - a->lo, *links = NULL;
	uint64_t fp, h;
	double *flows = NULL;
	int rc;

	memset(&f, 0, sizeof(f));
	f.h = 0xcbf29ce484222325ULL;
	if (!a->bushes && !(a->bushes = mr_calloc(no ? no : 1, sizeof(mr__bush))))
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
	if (!a->bws && !(a->bws = bws_new(a)))
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
	for (i = 0; i < no; i++)
		bush_clear(&a->bushes[i]);
	if (!(f.fp = fopen(path, "rb")))
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	if ((rc = bf_read(&f, magic, 8, path, err)) != MR_OK)
		goto done;
	if (memcmp(magic, BUSH_MAGIC, 8) != 0) {
		rc = mr_error_set(err, MR_EBADMAGIC, path, 0, 0, NULL, "not a Meridian bush file (magic %s expected)",
		                  BUSH_MAGIC);
		goto done;
	}
	if ((rc = bf_read(&f, hdr, sizeof(hdr), path, err)) != MR_OK ||
	    (rc = bf_read(&f, &fp, sizeof(fp), path, err)) != MR_OK)
		goto done;
	if (hdr[1] != BUSH_BOM) {
		rc = mr_error_set(err, MR_EVERSION, path, 0, 0, NULL, "written on a machine of another byte order");
		goto done;
	}
	if (hdr[0] != BUSH_VERSION) {
		rc = mr_error_set(err, MR_EVERSION, path, 0, 0, NULL, "bush file version %u (this program reads %u)", hdr[0],
		                  BUSH_VERSION);
		goto done;
	}
	if (hdr[2] != a->n || hdr[3] != a->m || hdr[4] != a->zones || hdr[5] != a->first_thru || fp != a->fingerprint) {
		rc = mr_error_set(err, MR_EINVAL, path, 0, 0, NULL,
		                  "saved for another network (%u nodes, %u links, %u zones; this one has %u, %u, %u%s)", hdr[2],
		                  hdr[3], hdr[4], a->n, a->m, a->zones,
		                  hdr[2] == a->n && hdr[3] == a->m && hdr[4] == a->zones ? ", and other links" : "");
		goto done;
	}
	if (hdr[6] > hdr[7] || hdr[7] > a->zones) {
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "origin range [%u, %u)", hdr[6], hdr[7]);
		goto done;
	}
	links = mr_malloc(((size_t)a->m + 1) * sizeof(uint32_t));
	flows = mr_malloc(((size_t)a->m + 1) * sizeof(double));
	if (!links || !flows) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
		goto done;
	}
	for (i = hdr[6]; i < hdr[7]; i++) {
		uint32_t rec[2], k;
		long long off = f.off;
		if ((rc = bf_read(&f, rec, sizeof(rec), path, err)) != MR_OK)
			goto done;
		if (rec[0] != i || rec[1] > a->m) {
			rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "byte %lld: origin %u with %u links (origin %u expected)",
			                  off, rec[0], rec[1], i);
			goto done;
		}
		if ((rc = bf_read(&f, links, (size_t)rec[1] * sizeof(uint32_t), path, err)) != MR_OK ||
		    (rc = bf_read(&f, flows, (size_t)rec[1] * sizeof(double), path, err)) != MR_OK)
			goto done;
		for (k = 0; k < rec[1]; k++) {
			if (links[k] >= a->m) {
				rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "byte %lld: link %u out of range", off, links[k]);
				goto done;
			}
			links[k] = a->intl[links[k]];
		}
		if (i < a->lo || i >= a->hi || a->dfirst[i] == a->dfirst[i + 1] || rec[1] == 0)
			continue;
		if ((rc = load_bush(a, a->bws, &a->bushes[i - a->lo], i, rec[1], links, flows, path, off, err)) != MR_OK)
			goto done;
	}
	h = f.h;
	if ((rc = bf_read(&f, &fp, sizeof(fp), path, err)) != MR_OK)
		goto done;
	if (fp != h) {
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "checksum mismatch at byte %lld", f.off - 8);
		goto done;
	}
	if (fgetc(f.fp) != EOF) {
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "data after the checksum at byte %lld", f.off);
		goto done;
	}
done:
	fclose(f.fp);
	mr_free(links);
	mr_free(flows);
	if (rc != MR_OK)
		for (i = 0; i < no; i++)
			bush_clear(&a->bushes[i]);
	return rc;
}
