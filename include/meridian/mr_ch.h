/* mr_ch.h: contraction hierarchies over a CSR graph (mr_graph) with one weight per forward arc:
 * build once (node ordering, witness searches, shortcuts), then exact point-to-point queries
 * (bidirectional upward search with stall-on-demand; shortcuts unpacked to the graph's own arcs)
 * and many-to-many matrices (bucket method). A hierarchy is immutable after build or import and
 * may be shared by any number of threads; each thread makes its own mr_ch_query.
 *
 * Results equal mr_dijkstra's on the same graph and weights (costs up to the rounding of the
 * different summation order, paths up to ties). Filters that change the usable arcs (an --avoid)
 * need a new hierarchy or an exact search: a hierarchy answers for the weights it was built on. */
#ifndef MERIDIAN_MR_CH_H
#define MERIDIAN_MR_CH_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_search.h"

typedef struct mr_ch mr_ch;

/* Build options; a zeroed struct (or NULL) gives the defaults. */
typedef struct mr_ch_opts {
	uint32_t witness_settled; /* witness search bound when contracting, vertices settled (0: 500) */
	uint32_t sim_settled;     /* bound when estimating a priority (0: 30) */
	uint32_t witness_hops;    /* hop bound of witness searches (0: none) */
	int cheap_updates;        /* 1: after every contraction, raise the neighbours' priorities by
	                             a constant and re-evaluate them when they reach the top of the
	                             queue (the default does so only after contracting a vertex with
	                             more than 12 arcs, and recomputes them at once otherwise)
	                             (Chicago: build 1.7-1.9 x faster, queries 5-10 % slower) */
	/* Called about every 1 % of the vertices (contracted of n); may be NULL. */
	void (*progress)(void *ud, uint32_t contracted, uint32_t n);
	void *progress_ud;
} mr_ch_opts;

/* Build a hierarchy (in the calling thread) for graph g (forward CSR only is read) with weights
 * w[a] per forward arc:
 * w >= 0, INFINITY (or NaN) = unusable arc (dropped). Self loops are dropped, of parallel arcs
 * the cheapest is kept (the lowest id on ties). Deterministic: the same input gives the same
 * hierarchy, array for array. g and w are not referenced after the call.
 * MR_OK and *out, MR_EINVAL (bad graph, negative weight; details in err), MR_ENOMEM (nothing
 * leaks, *out is NULL). err may be NULL. */
MR_API int mr_ch_build(const mr_graph *g, const double *w, const mr_ch_opts *o, mr_ch **out,
                       mr_error *err);
/* Frees a built or imported hierarchy (imported arrays are not freed: they are the caller's). */
MR_API void mr_ch_free(mr_ch *ch);

/* The hierarchy as flat arrays, for storage (e.g. in a .mnet section). Vertices are renumbered
 * by rank (0 = contracted first); the arcs are in rank space.
 * Invariants (checked by mr_ch_import):
 *   rank[order[r]] == r for every r < n (a permutation and its inverse);
 *   the arcs of rank r are [first_arc[r], first_arc[r+1]), first_arc[0] = 0, first_arc[n] = m:
 *     first its up arcs [first_arc[r], first_down[r]), each an arc r -> head[a], then its down
 *     arcs [first_down[r], first_arc[r+1]), each an arc head[a] -> r (the search from the
 *     targets follows them upwards); one vertex's arcs are adjacent in memory;
 *   head[a] > the rank that owns a (every arc leads up);
 *   weight[a] finite and >= 0;
 *   unpack[2a + 1] == MR_NONE: the arc is forward arc unpack[2a] (< m_graph) of the graph;
 *   otherwise a shortcut through a middle rank c lower than both ends: unpack[2a] is a down arc
 *     of c (first half: tail -> c) and unpack[2a + 1] an up arc of c (second half: c -> head)
 *     (pairs side by side: one cache line read per step of unpacking).
 * So unpacking recurses at most n deep and always ends on graph arcs. */
typedef struct mr_ch_arrays {
	uint32_t n, m;     /* vertices; hierarchy arcs (up + down) */
	uint32_t m_graph;  /* forward arcs of the graph it was built on */
	const uint32_t *rank, *order;          /* n each */
	const uint32_t *first_arc;             /* n + 1 */
	const uint32_t *first_down;            /* n */
	const uint32_t *head;                  /* m */
	const double *weight;                  /* m */
	const uint32_t *unpack;                /* 2m */
} mr_ch_arrays;

/* Pointers to the hierarchy's own arrays (valid while ch lives). MR_EINVAL if an argument is NULL. */
MR_API int mr_ch_export(const mr_ch *ch, mr_ch_arrays *out);
/* A hierarchy over arrays that the caller keeps alive and unchanged (e.g. a read-only map) until
 * mr_ch_free: nothing is copied. Checks every invariant above in O(n + m) (one temporary array of
 * m ids): MR_ECORRUPT with details in err if one fails, MR_ENOMEM, MR_EINVAL for NULL. */
MR_API int mr_ch_import(const mr_ch_arrays *a, mr_ch **out, mr_error *err);

/* Sizes, for reports and benchmarks. */
typedef struct mr_ch_info {
	uint32_t n, m_up, m_down; /* vertices, up arcs, down arcs */
	uint32_t shortcuts;       /* arcs that are shortcuts (the rest are graph arcs) */
	size_t bytes;             /* memory of the arrays (n and m parts) */
} mr_ch_info;
MR_API void mr_ch_info_get(const mr_ch *ch, mr_ch_info *out);

/* Per-thread query state (labels, queues, path buffers: O(n), about 108 bytes per vertex). After
 * mr_ch_query_new a query allocates nothing, except to grow the path buffer past n arcs (possible
 * only when zero-weight cycles make an unpacked path revisit a vertex). mr_ch_query_new: MR_OK,
 * MR_EINVAL (NULL), MR_ENOMEM, MR_ELIMIT (2^31 vertices or more: one queue holds both
 * directions). */
typedef struct mr_ch_query mr_ch_query;
MR_API int mr_ch_query_new(const mr_ch *ch, mr_ch_query **out);
MR_API void mr_ch_query_free(mr_ch_query *q);

/* Shortest path from any source to any target, with the same contract as mr_dijkstra: seeds
 * carry offsets (>= 0, finite) added at the start / end; out->cost includes them and is
 * recomputed along the unpacked path in path order (so it is bit for bit what mr_dijkstra reports
 * for the same path); out->arcs are forward arc ids of the graph (shortcuts unpacked), valid
 * until the next query on q; out->first / last are vertex ids of the graph; out->settled counts
 * the vertices taken from both queues. MR_OK, MR_ENOROUTE (out->cost INFINITY, no arcs),
 * MR_EINVAL (nsrc or ndst 0, vertex out of range, bad offset), MR_ENOMEM (path buffer growth). */
MR_API int mr_ch_route(mr_ch_query *q, const mr_seed *src, size_t nsrc, const mr_seed *dst,
                       size_t ndst, mr_path *out);

/* The cost only (what mr_ch_route would report, up to rounding: it is the search's own sum, not
 * recomputed along the unpacked path, which is not built): MR_OK, MR_ENOROUTE (*cost INFINITY),
 * MR_EINVAL. */
MR_API int mr_ch_cost(mr_ch_query *q, const mr_seed *src, size_t nsrc, const mr_seed *dst, size_t ndst,
                      double *cost);

/* Distances from every src[i] to every dst[j] into out[i * nd + j] (INFINITY = unreachable;
 * src[i] == dst[j] gives 0), by the bucket method: one upward search per target, then one per
 * source. threads: 1 = in the calling thread, 0 = one per online CPU, k = k POSIX threads (at
 * most 64, each with its own query state; the result does not depend on k). MR_OK, MR_EINVAL,
 * MR_ENOMEM, MR_ELIMIT (more than 2^32 bucket entries); out is unspecified after an error. */
MR_API int mr_ch_matrix(const mr_ch *ch, const uint32_t *src, size_t ns, const uint32_t *dst,
                        size_t nd, double *out, int threads);

#endif
