/* mr_assign_int.h: the assignment solver's state, shared by mr_assign.c (network, demand,
 * shortest paths, the Frank-Wolfe family, the driver) and mr_assign_b.c (Algorithm B).
 *
 * Invariants of a solver (struct mr_assign):
 * - Links are kept in an internal order sorted by tail (stable: caller's order among equal
 *   tails); ext[i] is the caller's id of internal link i and intl[ext[i]] == i. out_first is the
 *   forward star over that order: the links leaving v are out_first[v] .. out_first[v+1]-1.
 * - x[i] is the total link flow (every process's origins); cost[i] = c_i(x[i]) and
 *   der[i] = c_i'(x[i]) whenever `costs_ok` (every function that changes x updates them, the
 *   Newton shifts of Algorithm B link by link).
 * - Groups (shared capacities), when ng > 0: grp[i] is the group of internal link i or MR__NONE;
 *   the members of group g are gmem[gfirst[g] .. gfirst[g+1]-1]. gx[g] is the sum of its
 *   members' x (up to the rounding of incremental updates within an iteration of Algorithm B),
 *   gcost[g] = D_g(gx[g]) and gder[g] = D_g'(gx[g]); for a member i, ocost[i] is its own cost
 *   (t_i + toll and distance terms) and cost[i] = ocost[i] + gcost[grp[i]]; der[i] is always the
 *   own derivative t_i' only (the diagonal of the cost Jacobian; the group adds
 *   gder[g] 1_g 1_g^T). Without groups, ng == 0 and the group arrays are NULL.
 * - The demand is a private copy; the origins of this process are lo .. hi-1.
 * - Node v may be passed through by a route iff v >= first_thru (or v is the route's origin). */
#ifndef MERIDIAN_MR_ASSIGN_INT_H
#define MERIDIAN_MR_ASSIGN_INT_H

#include <math.h>
#include <stdint.h>

#include "meridian/mr_assign.h"
#include "core/mr_heap.h"

#define MR__NONE UINT32_MAX

/* Link cost function, precomputed. kind: */
enum { MR__VK_CONST = 0, MR__VK_BPR1, MR__VK_BPR4, MR__VK_BPR, MR__VK_CONICAL };

typedef struct mr__vdfp {
	double t0;   /* free-flow time */
	double fix;  /* toll_factor * toll + distance_factor * length */
	double k;    /* BPR: t0 * alpha / cap^beta; CONST: t0 * (1 + alpha) - t0 (added to t0) */
	double beta; /* BPR exponent; CONICAL steepness */
	double icap; /* 1 / capacity (BPR with a flow term, CONICAL) */
	double g;    /* CONICAL: (2 beta - 1) / (2 beta - 2) */
	int kind;
} mr__vdfp;

/* Cost c(x) and derivative c'(x) of a link (x < 0 is read as 0). */
static inline void mr__vdf_eval(const mr__vdfp *p, double x, double *c, double *d)
{
	if (x < 0)
		x = 0;
	switch (p->kind) {
	case MR__VK_CONST:
		*c = p->t0 + p->k + p->fix;
		*d = 0;
		return;
	case MR__VK_BPR1:
		*c = p->t0 + p->k * x + p->fix;
		*d = p->k;
		return;
	case MR__VK_BPR4: {
		double x2 = x * x;
		*c = p->t0 + p->k * x2 * x2 + p->fix;
		*d = 4.0 * p->k * x2 * x;
		return;
	}
	case MR__VK_BPR: {
		double q;
		if (x == 0) {
			*c = p->t0 + p->fix;
			/* beta < 1: the slope at 0 is infinite; take it a little way in (finite Newton steps) */
			*d = p->beta < 1 ? p->k * p->beta * pow(1e-9 / p->icap, p->beta - 1) : 0;
			return;
		}
		q = pow(x, p->beta - 1);
		*c = p->t0 + p->k * q * x + p->fix;
		*d = p->k * p->beta * q;
		return;
	}
	default: { /* conical */
		double u = p->beta * (1 - x * p->icap), s = sqrt(u * u + p->g * p->g);
		*c = p->t0 * (2 + s - u - p->g) + p->fix;
		*d = p->t0 * p->icap * p->beta * (1 - u / s);
		return;
	}
	}
}

static inline double mr__vdf_cost(const mr__vdfp *p, double x)
{
	double c, d;
	mr__vdf_eval(p, x, &c, &d);
	return c;
}

/* Integral of c from 0 to x. */
double mr__vdf_integral(const mr__vdfp *p, double x);

typedef struct mr__bush mr__bush;

struct mr_assign {
	mr_assign_opts o;
	uint32_t n, m, zones, first_thru;
	uint32_t lo, hi;        /* this process's origins */
	uint32_t np, me;        /* with the MPI hook: processes with origins, this one's index
	                           among them by first origin (MR__NONE without origins); 0 = not
	                           known yet */
	uint32_t *out_first;    /* n + 1 */
	uint32_t *tail, *head;  /* m, internal order */
	uint32_t *ext, *intl;   /* m: internal -> caller's id, caller's -> internal */
	mr__vdfp *vp;           /* m */
	uint64_t fingerprint;   /* of (nodes, zones, first_thru, links' tail/head in caller order) */
	/* shared-capacity groups (ng == 0: none, every pointer NULL) */
	uint32_t ng;
	uint32_t *grp;          /* m: group of each internal link, MR__NONE */
	uint32_t *gfirst, *gmem; /* ng + 1, members */
	mr__vdfp *gp;           /* ng: D_g as a cost function (t0 = fix = 0) */
	double *gx, *gcost, *gder; /* ng */
	double *ocost;          /* m: own cost of grouped links */
	double *gtmp;           /* 4 ng: scratch (line search, conjugate directions, Newton step) */
	uint32_t *gdirty;       /* ng: groups whose gx changed and whose costs are not updated yet */
	uint32_t ndirty;
	unsigned char *gmark;   /* ng: in gdirty */
	/* demand (every origin) */
	uint32_t *dfirst, *ddest;
	double *damt;
	double total_demand;
	/* state */
	double *x, *cost, *der; /* m */
	int started;            /* flows (and bushes) initialised by a run or a load */
	double last_gap;        /* the relative gap of the last iteration (HUGE_VAL before the first) */
	/* shortest paths: dist, pred (internal link), settle order */
	mr_heap heap;
	double *dist;
	uint32_t *pred, *order;
	uint32_t nsettled;
	double *nflow;          /* n: node flows while loading */
	/* Frank-Wolfe family */
	double *y, *s1, *s2;    /* m */
	double *buf;            /* max(m, zones) + 4 (+ 2 zones with groups): scratch for the allreduce */
	double tau1, tau2;      /* previous step sizes (CFW/BFW); -1 = none */
	uint32_t fw_k;          /* FW-family iterations done (MSA step) */
	int have_s1, have_s2;
	/* Algorithm B */
	mr__bush *bushes;       /* hi - lo, or NULL before the first run or load */
	void *bws;              /* B workspace */
	/* the run */
	double t_start;
};

/* Set link l's flow to x (< 0 read as 0) and its own cost and derivative; a grouped link's group
 * flow follows and the group is marked for mr__assign_groups_flush, which must be called before
 * the costs are read. */
static inline void mr__link_set_deferred(mr_assign *a, uint32_t l, double x)
{
	uint32_t g;
	if (x < 0)
		x = 0;
	if (!a->ng || (g = a->grp[l]) == MR__NONE) {
		a->x[l] = x;
		mr__vdf_eval(&a->vp[l], x, &a->cost[l], &a->der[l]);
		return;
	}
	a->gx[g] += x - a->x[l];
	a->x[l] = x;
	mr__vdf_eval(&a->vp[l], x, &a->ocost[l], &a->der[l]);
	if (!a->gmark[g]) {
		a->gmark[g] = 1;
		a->gdirty[a->ndirty++] = g;
	}
}
/* Recompute the delay of every marked group and the costs of its links. */
void mr__assign_groups_flush(mr_assign *a);

/* Shortest-path tree from origin o at the current costs (cost[]), never passing through a node
 * below first_thru other than o: fills dist, pred and order[0..nsettled). */
void mr__assign_sp(mr_assign *a, uint32_t o);
/* Recompute cost and der of every link from x (and the groups' flows, delays and derivatives). */
void mr__assign_costs(mr_assign *a);
/* The allreduce hook if there is one (MR_OK without); MR_EIO with err on failure. */
int mr__assign_reduce(mr_assign *a, double *buf, size_t n, mr_error *err);
/* With the hook, make a local failure collective (one reduction): returns rc, or MR_EIO ("another
 * process failed") when this process is fine but another is not. Without the hook: rc. */
int mr__assign_agree(mr_assign *a, int rc, mr_error *err);
/* Line search on x + lambda d, lambda in [0, 1], for the Beckmann objective: the lambda where
 * sum c(x + lambda d) d = 0 (1 if negative at 1). */
double mr__assign_line_search(mr_assign *a, const double *x, const double *d);
/* The same on lambda in [0, top] (top > 0). */
double mr__assign_line_search_to(mr_assign *a, const double *x, const double *d, double top);
/* Demand times shortest-path costs for this process's origins at the current costs. */
double mr__assign_sptt_local(mr_assign *a);

/* Algorithm B (mr_assign_b.c). */
int mr__b_start(mr_assign *a, mr_error *err);      /* initial bushes for origins without one */
int mr__b_iterate(mr_assign *a, mr_error *err);    /* one main iteration */
void mr__b_free(mr_assign *a);
void mr__b_origin_flows(const mr_assign *a, uint32_t o, double *x); /* o in lo .. hi-1; x: caller's order */
int mr__b_save(const mr_assign *a, const char *path, mr_error *err);
int mr__b_load(mr_assign *a, const char *path, mr_error *err);

#endif
