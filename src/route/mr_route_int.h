/* mr_route_int.h: what the alternative and Pareto searches (mr_alt.c) take from the router
 * (mr_route.c). Internal. */
#ifndef MERIDIAN_MR_ROUTE_INT_H
#define MERIDIAN_MR_ROUTE_INT_H

#include "meridian/mr_route.h"
#include "meridian/mr_search.h"

/* A prepared query: weights and bans for the options, the origin's virtual nodes with their leg
 * start offset (objective units) and the destination's. Everything belongs to the router and
 * stays valid until its next query. */
typedef struct mr__query {
	const mr_net *net;
	const double *w;   /* objective weight per arc; INFINITY: unusable under the options */
	const mr_seed *src;
	size_t nsrc;
	const mr_seed *dst;
	size_t ndst;
	mr_search *search; /* the router's search object */
} mr__query;

int mr__router_query(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o, mr__query *q,
                     mr_error *err);
/* An arc's figures per TEU under o: [cost USD, time h, co2e kg, risk (1 per border crossed or
 * passage entered)]. */
void mr__arc_figures(const mr_net *net, const mr_route_opts *o, uint32_t a, double fig[4]);
/* The route of these arcs from first_vnode (objective value given), filled as mr_router_route
 * fills its result. */
int mr__route_make(const mr_net *net, const mr_route_opts *o, uint32_t first_vnode, const uint32_t *arcs,
                   size_t narcs, double objective, mr_route *out);

#endif
