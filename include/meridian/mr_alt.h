/* mr_alt.h: alternatives and trade-offs: k meaningfully different routes (Yen's loopless
 * k-shortest paths with an overlap rule, then a penalty search), the exact Pareto front over
 * cost, time, CO2e (and optionally risk) by multi-criteria label setting, and value-of-time
 * sweeps. See docs/alternatives.md. */
#ifndef MERIDIAN_MR_ALT_H
#define MERIDIAN_MR_ALT_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_route.h"

/* ---- alternatives ---- */

typedef struct mr_alt_opts {
	size_t k;              /* routes wanted, >= 1 */
	double max_overlap;    /* a route is kept if it shares at most this fraction of its length
	                          with every route kept before it; >= 1 keeps every route (plain
	                          k-shortest loopless paths); default 0.6 */
	size_t max_paths;      /* Yen's paths examined before the penalty search takes over; default 200 */
} mr_alt_opts;

MR_API void mr_alt_opts_default(mr_alt_opts *o);

typedef struct mr_alt {
	mr_route route;
	double overlap;     /* largest shared fraction with a route kept before it (0 for the first) */
	int by_penalty;     /* 1: found by the penalty search, not in strict order of the objective */
	char label[200];    /* what sets it apart from the best route ("via hormuz; Astara ...") */
} mr_alt;

/* Up to ao->k routes from `from` to `to` under o, the best first. Routes are loopless (no real
 * node twice, transfers at one node aside). With max_overlap >= 1 they are exactly the k best
 * loopless paths in order (Yen). Otherwise each is the next best loopless path that overlaps
 * every kept one by at most max_overlap; when max_paths paths have been examined without
 * finding k, a penalty search (arcs of kept routes made dearer) looks for more, marked
 * by_penalty. out has room for ao->k; *nout says how many were found (>= 1 on MR_OK).
 * Free each with mr_route_free(&out[i].route). Errors as mr_router_route. */
MR_API int mr_router_alternatives(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o,
                                  const mr_alt_opts *ao, mr_alt *out, size_t *nout, mr_error *err);

/* Shared length of a and b (km of the same links) over a's length. */
MR_API double mr_route_overlap(const mr_net *net, const mr_route *a, const mr_route *b);

/* ---- the Pareto front ---- */

enum mr_criterion { MR_CRIT_COST, MR_CRIT_TIME, MR_CRIT_CO2E, MR_CRIT_RISK, MR_CRIT_COUNT };
MR_API const char *mr_criterion_name(int c);
MR_API int mr_criterion_parse(const char *s); /* -1 if unknown */

typedef struct mr_pareto_opts {
	unsigned criteria;  /* bit per enum mr_criterion; default cost, time, co2e */
	double eps;         /* epsilon-dominance: a label within (1 + eps) of another in every
	                       criterion is dropped; 0 = exact front */
	size_t max_labels;  /* stop when this many labels were created; default 2,000,000 */
} mr_pareto_opts;

MR_API void mr_pareto_opts_default(mr_pareto_opts *o);

typedef struct mr_pareto_point {
	mr_route route;
	double value[MR_CRIT_COUNT]; /* per TEU: USD, hours, kg, border crossings + passages */
} mr_pareto_point;

typedef struct mr_pareto {
	mr_pareto_point *v; /* sorted by cost, then time, then co2e */
	size_t n;
	size_t labels;      /* labels created */
	int truncated;      /* max_labels reached: the front may be incomplete */
} mr_pareto;

/* The routes whose (cost, time, co2e[, risk]) no other route beats in every chosen criterion
 * and strictly in one, one route per distinct vector: Martins' label setting on the virtual
 * network (labels leave the queue in lexicographic order, so a settled label is final), with
 * dominance at every node and at the target, and target pruning with exact per-criterion lower
 * bounds (reverse searches). Risk is the number of border crossings and passages: a proxy.
 * Errors as mr_router_route; MR_ENOROUTE when no route exists. */
MR_API int mr_router_pareto(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o,
                            const mr_pareto_opts *po, mr_pareto *out, mr_error *err);
MR_API void mr_pareto_free(mr_pareto *p);

#endif
