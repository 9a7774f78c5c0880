/* mr_search.h: exact shortest paths over a CSR graph (mr_graph) with caller-given arc weights:
 * Dijkstra, bidirectional Dijkstra and A*. A search object holds all per-query state; make one
 * per thread. After mr_search_new, searches allocate nothing. */
#ifndef MERIDIAN_MR_SEARCH_H
#define MERIDIAN_MR_SEARCH_H

#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"

/* A source or target with an initial (source) or final (target) cost added, >= 0. */
typedef struct mr_seed {
	uint32_t v;
	double offset;
} mr_seed;

/* The best path found. `arcs` (forward arc ids, source to target) belongs to the search object
 * and stays valid until its next search. */
typedef struct mr_path {
	double cost;         /* offsets included */
	const uint32_t *arcs;
	uint32_t narcs;
	uint32_t first, last; /* virtual nodes where the path starts and ends */
	uint32_t settled;     /* nodes taken from the queue(s): the work done */
} mr_path;

typedef struct mr_search mr_search;

/* New search state for graphs of up to n vertices and m arcs. */
MR_API int mr_search_new(mr_search **out, uint32_t n, uint32_t m);
MR_API void mr_search_free(mr_search *s);

/* Weights: w[a] >= 0 for every forward arc a; INFINITY marks an arc that may not be used.
 * Every function returns MR_OK with *out filled, MR_ENOROUTE if no target is reachable, or
 * MR_EINVAL for bad arguments (vertex out of range, negative or NaN offset). */

/* Dijkstra from all sources. With ndst == 0 it settles everything reachable, and
 * mr_search_dist() then gives each vertex's distance (out->cost is INFINITY). */
MR_API int mr_dijkstra(mr_search *s, const mr_graph *g, const double *w, const mr_seed *src,
                       size_t nsrc, const mr_seed *dst, size_t ndst, mr_path *out);
/* Bidirectional Dijkstra (forward from sources, backward from targets); ndst >= 1. */
MR_API int mr_bidijkstra(mr_search *s, const mr_graph *g, const double *w, const mr_seed *src,
                         size_t nsrc, const mr_seed *dst, size_t ndst, mr_path *out);
/* A* towards the targets with h(v) = ratio * min over targets t of chord(xyz[v], xyz[t]);
 * xyz holds 3 coordinates per vertex. The bound is consistent when every arc satisfies
 * w[a] >= ratio * chord(tail, head) (ratio 0 gives Dijkstra). */
MR_API int mr_astar(mr_search *s, const mr_graph *g, const double *w, const double *xyz,
                    double ratio, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                    mr_path *out);
/* A* with h(v) = ratio * radius * min over targets t of the angle between xyz[v] and xyz[t] seen
 * from the origin: the length of the great-circle arc on a sphere of that radius. For points on
 * or outside that sphere, every path that stays outside it is at least that long (the radial
 * projection onto the sphere shortens curves), and the angle is a metric, so the bound is
 * consistent when every arc satisfies w[a] >= ratio * radius * angle(tail, head). On the Earth,
 * with the polar radius, it is much tighter than the chord for long distances. */
MR_API int mr_astar_arc(mr_search *s, const mr_graph *g, const double *w, const double *xyz,
                        double ratio, double radius, const mr_seed *src, size_t nsrc,
                        const mr_seed *dst, size_t ndst, mr_path *out);
/* A* with the caller's potential pot[v] (one per vertex, >= 0, INFINITY where no target can be
 * reached): exact when pot is consistent, pot[tail] <= w[a] + pot[head] on every usable arc and
 * pot[t] <= off(t) on targets; e.g. distances to the targets on a graph whose weights are <= w
 * (arcs removed or made dearer keep a reverse search of the original graph valid). */
MR_API int mr_astar_pot(mr_search *s, const mr_graph *g, const double *w, const double *pot,
                        const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst, mr_path *out);
/* Distance of v after the last mr_dijkstra (INFINITY if not reached). */
MR_API double mr_search_dist(const mr_search *s, uint32_t v);

#endif
