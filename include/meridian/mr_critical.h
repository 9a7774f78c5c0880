/* mr_critical.h: criticality and resilience: which links, borders, passages, nodes and transfer
 * points a set of origin-destination pairs depends on. Each element is removed in turn (its arcs
 * made unusable) and the pairs' shortest-path costs are computed again, exactly; the increase in
 * total (demand-weighted) cost, the pairs that lose every route and the corridors whose routes use
 * the element are the element's scores. Pairs of elements removed together show where two
 * failures do much more harm than each alone. docs/critical.md.
 *
 * Exact and fast: one shortest-path tree per origin is searched on the unchanged network; an
 * element can change an origin's costs only if one of its arcs lies on the tree path to some
 * destination, and then only the part of the tree below the removed arcs is searched again. The
 * result is bit for bit the one of searching again from scratch (MR_CRIT_NAIVE, same numbers),
 * whatever tree the ties chose: removing an arc off the chosen tree cannot change any distance.
 *
 * Work can be split: a run evaluates the elements [lo, hi) of the list (MPI ranks, say, each take
 * a range) and mr_crit_result_merge puts ranges together; origins are spread over threads. */
#ifndef MERIDIAN_MR_CRITICAL_H
#define MERIDIAN_MR_CRITICAL_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"

/* ---- elements ---- */

/* X(enum suffix, name) */
#define MR_CRIT_KIND_MAP(X) \
	X(LINK, "link") X(BORDER, "border") X(PASSAGE, "passage") X(NODE, "node") X(TRANSFER, "transfers")
enum mr_crit_kind {
#define MR__X_CRIT(e, s) MR_CRIT_##e,
	MR_CRIT_KIND_MAP(MR__X_CRIT)
#undef MR__X_CRIT
	MR_CRIT_KIND_COUNT
};
MR_API const char *mr_crit_kind_name(int kind);

/* Which elements mr_crit_elements_make lists: bit (1u << kind), and MR_CRIT_FERRIES for the
 * links of mode ferry only (the scheduled lines) when MR_CRIT_LINK's bit is not set. */
#define MR_CRIT_FERRIES (1u << MR_CRIT_KIND_COUNT)
#define MR_CRIT_ALL ((1u << MR_CRIT_KIND_COUNT) - 1u)
/* A comma-separated list of links, borders, passages, nodes, transfers, ferries, all (plural or
 * singular) into such a mask; MR_EINVAL naming the bad item in err. */
MR_API int mr_crit_kinds_parse(const char *list, unsigned *mask, mr_error *err);

/* One element and what removing it removes:
 *   link      its arcs, and the lane chains (MR_ARC_CHAIN) that contain it;
 *   border    the arcs that cross it (arc->border);
 *   passage   the arcs whose link, or one of whose chain's links, runs through it;
 *   node      every arc into or out of its virtual nodes (transfers included); the pairs that
 *             start or end at the node are left out of its scores (they measure the node's own
 *             traffic, not the network's dependence on it);
 *   transfers the transfer arcs at the node (change of mode or gauge there). */
typedef struct mr_crit_element {
	int kind;      /* enum mr_crit_kind */
	uint32_t ref;  /* link, border or node index; passage: the string offset of its name */
	uint32_t set;  /* index of its removal set: elements that remove the same arcs share one */
} mr_crit_element;

/* The element list with each element's arcs (arcs[first[i] .. first[i + 1]), ascending) in the
 * network order of kinds (links, borders, passages, nodes, transfers), each kind by index (by
 * name for passages). Elements without an arc are not listed. nsets distinct removal sets. */
typedef struct mr_crit_elements {
	mr_crit_element *v;
	size_t n;
	uint32_t *first; /* n + 1 */
	uint32_t *arcs;
	size_t nsets;
} mr_crit_elements;

MR_API int mr_crit_elements_make(const mr_net *net, unsigned kinds, mr_crit_elements *out);
MR_API void mr_crit_elements_free(mr_crit_elements *el); /* accepts a zeroed one */
/* The element's id (link, border or node id, passage name) and a name for people ("Suez Canal",
 * "Astara (IRN) - Astara (AZE)", "transfers at Astara (IRN)"), into buffers. */
MR_API void mr_crit_element_id(const mr_net *net, const mr_crit_element *e, char *buf, size_t size);
MR_API void mr_crit_element_label(const mr_net *net, const mr_crit_element *e, char *buf, size_t size);
/* Index of the element of this kind with this id (as mr_crit_element_id gives it, case ignored;
 * a node also by UN/LOCODE), or -1. */
MR_API long mr_crit_element_find(const mr_net *net, const mr_crit_elements *el, int kind, const char *id);

/* ---- origin-destination pairs ---- */

typedef struct mr_crit_od {
	uint32_t from, to; /* real nodes, from != to */
	double weight;     /* > 0: demand (TEU per year) or 1 per pair */
} mr_crit_od;

/* The nodes of a named set, ascending:
 *   ports     nodes with a UN/LOCODE and a sea virtual node;
 *   cities    nodes of type city, and the capitals;
 *   capitals  the national capitals that the network has (a table of ISO 3166 countries and their
 *             capitals, each matched by UN/LOCODE or by name or alias within its country, on a
 *             node with a rail or road virtual node when there is one).
 * *nodes is mr_malloc'd. MR_EINVAL for an unknown set name; MR_ENOMEM. */
MR_API int mr_crit_places(const mr_net *net, const char *set, uint32_t **nodes, size_t *n);
/* Every ordered pair (a[i], b[j]) with a[i] != b[j], weight 1, into *od (mr_malloc'd). */
MR_API int mr_crit_od_pairs(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, mr_crit_od **od,
                            size_t *n);

/* ---- the sweep ---- */

enum mr_crit_method {
	MR_CRIT_FAST = 0, /* recompute only what a removal can change (the default) */
	MR_CRIT_NAIVE     /* search every origin again for every element: the reference */
};

typedef void (*mr_crit_progress_fn)(void *ud, uint64_t done, uint64_t total);

typedef struct mr_crit_opts {
	mr_route_opts route;       /* objective, modes, avoid, allow, planned, ... as for route */
	int method;                /* enum mr_crit_method */
	unsigned threads;          /* 0 = one per core */
	size_t lo, hi;             /* evaluate elements [lo, hi); hi == 0: every element */
	const mr_corridor_set *corridors; /* corridors to name per element (at most 64), or NULL */
	mr_crit_progress_fn progress;     /* origins done, from one thread at a time; may be NULL */
	void *progress_ud;
} mr_crit_opts;

MR_API void mr_crit_opts_default(mr_crit_opts *o);

/* An element's scores over the OD pairs that have a route on the unchanged network. */
typedef struct mr_crit_score {
	double cost_increase;  /* sum of weight x (cost after - cost before) over the pairs that keep a
	                          route; in the objective's unit (x weight) */
	double lost_weight;    /* weight of the pairs that lose every route (never a cost) */
	uint32_t lost_pairs;   /* pairs that lose every route */
	uint32_t changed_pairs; /* pairs that keep a route at a higher cost */
	uint32_t used_pairs;   /* pairs whose best route (of the search) uses the element */
	double used_weight;
	uint64_t corridors;    /* bit k: the best route of a pair that uses the element satisfies
	                          corridor k of opts.corridors (corridors without any constraint,
	                          such as 'best', are not named) */
} mr_crit_score;

typedef struct mr_crit_result {
	size_t nelem;          /* = elements n */
	mr_crit_score *score;  /* nelem; zero outside [lo, hi) */
	size_t lo, hi;         /* the range evaluated */
	/* the OD set on the unchanged network (duplicates merged) */
	size_t npairs, norigins;
	size_t connected_pairs;     /* pairs with a route */
	double total_weight, connected_weight;
	double base_cost;           /* sum of weight x cost over connected pairs */
	/* work */
	uint64_t searches;          /* shortest-path searches, base ones included */
	uint64_t settled;           /* vertices taken from a queue */
	uint64_t removals;          /* (origin, removal set) pairs searched again */
	double seconds;
	unsigned threads;
} mr_crit_result;

/* Score the elements [o->lo, o->hi) of el for the pairs od[0 .. nod). Pairs given twice are
 * merged (weights added). A pair without a route on the unchanged network is counted as such
 * (npairs - connected_pairs) and scores nothing. MR_EINVAL (bad options, an index out of range,
 * a weight not > 0), MR_ENOTFOUND (an --avoid item), MR_ENOMEM; err says which. */
MR_API int mr_crit_run(const mr_net *net, const mr_crit_elements *el, const mr_crit_od *od, size_t nod,
                       const mr_crit_opts *o, mr_crit_result *res, mr_error *err);
MR_API void mr_crit_result_free(mr_crit_result *res); /* accepts a zeroed one */
/* Put the range of src into dst (two runs of the same elements and pairs): dst's range grows to
 * cover both (they should touch or overlap), its work counters add up. MR_EINVAL if they do not
 * belong together. */
MR_API int mr_crit_result_merge(mr_crit_result *dst, const mr_crit_result *src);

/* Measures to rank by. LOST: weight lost, then cost increase; COST: cost increase, then weight
 * lost; USED: weight of the pairs whose route uses the element. Ties keep the element order. */
enum mr_crit_measure { MR_CRIT_BY_LOST = 0, MR_CRIT_BY_COST, MR_CRIT_BY_USED, MR_CRIT_BY_COUNT };
MR_API const char *mr_crit_measure_name(int measure);
MR_API int mr_crit_measure_parse(const char *s); /* -1 if unknown */
/* The element indexes of [res->lo, res->hi) best first into order (room for res->nelem); returns
 * how many. rank (may be NULL; nelem entries) receives each element's 1-based rank, 0 outside
 * the range. */
MR_API size_t mr_crit_rank(const mr_crit_result *res, int measure, uint32_t *order, uint32_t *rank);

/* ---- pairs of elements ---- */

typedef struct mr_crit_pair {
	uint32_t a, b;         /* element indexes */
	mr_crit_score joint;   /* both removed together */
	double excess_cost;    /* joint cost increase - the sum of the two single ones */
	double excess_lost;    /* joint weight lost - the sum of the two single ones */
	int synergy;           /* 1 if the joint effect is much larger than the sum (see below) */
} mr_crit_pair;

/* Remove every pair among the k elements top[0 .. k) together (single scores in singles, a run of
 * the same elements, pairs and options covering them) and compare with the sum of the single
 * effects. A pair has synergy when it loses more weight than the two alone, or when its cost
 * increase exceeds factor x the sum of the single ones (and that sum by more than 1e-9 of the
 * base cost). *out (mr_malloc'd, k (k - 1) / 2 pairs) is sorted: synergy first, then by excess
 * lost weight, then by excess cost. Threads and method as in o (its range is ignored). */
MR_API int mr_crit_pairs(const mr_net *net, const mr_crit_elements *el, const mr_crit_od *od, size_t nod,
                         const mr_crit_opts *o, const mr_crit_result *singles, const uint32_t *top, size_t k,
                         double factor, mr_crit_pair **out, size_t *npairs, mr_error *err);

/* ---- capacity-aware criticality (mr_flows.h, mr_assign.h) ---- */

struct mr_flow_demand;
struct mr_flow_capacity;
struct mr_assign_opts;

typedef struct mr_crit_assign_row {
	uint32_t element;
	double system_cost;    /* total cost at equilibrium with the element removed, of the demand
	                          that keeps a route */
	double cost_increase;  /* system_cost - the equilibrium system cost of the same demand on the
	                          unchanged network */
	double lost_weight;    /* demand that loses every route (left out of the assignment) */
	double gap;            /* relative gap reached */
	uint32_t iterations;
} mr_crit_assign_row;

/* The change in equilibrium system cost (mr_flow_problem_make, then mr_assign_solve with ao) when
 * each element of which[0 .. n) is removed, for demand d with capacities cap (BPR alpha, beta).
 * The element is removed by adding its id to ro's avoid list (links, borders, passages, nodes;
 * a transfers element has no such id: its row is NaN). A node's own demand is left out of its
 * row, as in mr_crit_run. *base_cost is the base equilibrium's system cost; rows (caller's, n)
 * are filled in the order given. Errors of the flows and the assignment (MR_EINVAL for an
 * objective that congestion does not change, ...), with err. */
MR_API int mr_crit_assign(const mr_net *net, const mr_crit_elements *el, const struct mr_flow_demand *d,
                          const struct mr_flow_capacity *cap, const mr_route_opts *ro, double alpha, double beta,
                          const struct mr_assign_opts *ao, const uint32_t *which, size_t n, double *base_cost,
                          mr_crit_assign_row *rows, mr_error *err);

/* ---- reports ---- */

typedef struct mr_crit_report {
	const mr_net *net;
	const mr_crit_elements *el;
	const mr_crit_result *res;
	const mr_route_opts *opts;
	const mr_corridor_set *corridors; /* the set the scores name bits of, or NULL */
	int measure;                /* what the rows are sorted by */
	size_t top;                 /* rows shown: the first top of the ranking (0 = all) */
	int demand;                 /* 1: weights are demand (TEU per year); 0: 1 per pair */
	const char *od_label;       /* "demand FILE", "ports x capitals", ... */
	const char *scenario_label; /* "base" or the scenarios applied */
	const char *atlas_path;     /* world-atlas countries TopoJSON for the HTML map, or NULL */
	const mr_crit_pair *pairs;  /* --pairs, or NULL */
	size_t npairs;
	const mr_crit_assign_row *assign; /* --assign rows, or NULL */
	size_t nassign;
	double assign_base_cost;
} mr_crit_report;

/* table | json | csv | geojson (each shown element with its scores: links as lines, passages as
 * their links, borders, nodes and transfer points as points) | html (one self-contained page: a
 * map coloured by criticality beside the ranked table). *out is mr_malloc'd, NUL-terminated. */
MR_API int mr_crit_report_render(const mr_crit_report *rep, int format, char **out, size_t *len);
MR_API int mr_crit_report_html(const mr_crit_report *rep, char **out, size_t *len);

#endif
