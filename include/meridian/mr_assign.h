/* mr_assign.h: static traffic assignment (user equilibrium) on a plain link table: volume-delay
 * functions (BPR, conical), all-or-nothing, MSA, Frank-Wolfe, conjugate and biconjugate
 * Frank-Wolfe, and Algorithm B (Dial 2006, bush-based) for high precision; TNTP readers for the
 * network, the trips and the published flows; warm starts; hooks for origins split across
 * processes (MPI). Formulas, algorithms, the warm-start file format and the hook contract are in
 * docs/assignment.md.
 *
 * Ownership: the caller owns every struct it passes in (network, demand, options, result). A
 * solver (mr_assign) copies what it needs from the network and the demand at creation, so both
 * may be freed afterwards. Every function that can fail returns MR_OK or a negative MR_E* code,
 * with details in err (may be NULL). Nothing here keeps global state: solvers may run in
 * parallel threads. */
#ifndef MERIDIAN_MR_ASSIGN_H
#define MERIDIAN_MR_ASSIGN_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"

/* ---- the network ---- */

/* Volume-delay function of a link; x = flow, r = x / capacity, t0 = free-flow time.
 * BPR:     t(x) = t0 (1 + alpha r^beta)                 (TNTP: alpha = b, beta = power)
 * CONICAL: t(x) = t0 (2 + sqrt(beta^2 (1-r)^2 + g^2) - beta (1-r) - g), g = (2 beta-1)/(2 beta-2),
 *          Spiess (1990); beta > 1 is the steepness, alpha is not used. */
enum mr_vdf { MR_VDF_BPR = 0, MR_VDF_CONICAL = 1 };

typedef struct mr_assign_link {
	uint32_t tail, head; /* node indexes, 0-based, tail != head */
	double fft;          /* free-flow time t0 >= 0 (the unit of every cost, e.g. minutes) */
	double capacity;     /* > 0 wherever the flow changes the time */
	double alpha, beta;  /* see enum mr_vdf; BPR: alpha >= 0, beta >= 0 */
	double length, toll; /* for the generalized cost (may be 0) */
	int vdf;             /* enum mr_vdf */
} mr_assign_link;

/* A shared-capacity group: links that share one capacity (a border crossing, a terminal), with a
 * BPR delay of the group's total flow X (the sum of its links' flows) added to the cost of each of
 * its links:
 *   D(X) = fft * alpha * (X / capacity)^beta      (the delay only: no free-flow term; beta = 0
 *                                                   is the constant fft * alpha)
 * fft >= 0, capacity > 0, alpha >= 0, beta >= 0 (finite). */
typedef struct mr_assign_group {
	double fft, capacity, alpha, beta;
} mr_assign_group;

/* Nodes 0..nodes-1; zones are nodes 0..zones-1 (TNTP zone k = node k-1). Nodes below first_thru
 * are never passed through by a route (TNTP <FIRST THRU NODE> minus one: 0 = every node may be
 * passed through); a route may start or end at them. Link cost (generalized, in time units):
 *   c_a(x) = t_a(x_a) + toll_factor * toll_a + distance_factor * length_a + D_g(X_g),
 * the two factors from TNTP's <TOLL FACTOR> and <DISTANCE FACTOR> (0 when absent); the last term
 * only for a link of a group g (X_g the group's total flow). c(0) must be >= 0 on every link.
 * Groups are optional (ngroups 0, groups and link_group NULL: every link's cost is separable);
 * the Jacobian of the costs stays symmetric, so the equilibrium still minimises the Beckmann
 * objective sum_a int t_a + sum_g int_0^X_g D_g (docs/assignment.md). */
typedef struct mr_assign_net {
	uint32_t nodes, zones, first_thru;
	uint32_t nlinks;
	mr_assign_link *links; /* nlinks; owned (mr_assign_net_free) */
	double toll_factor, distance_factor;
	uint32_t ngroups;
	mr_assign_group *groups; /* ngroups; owned */
	uint32_t *link_group;    /* nlinks: the group of each link or MR_ASSIGN_NO_GROUP; owned; NULL =
	                            no link in a group */
} mr_assign_net;

#define MR_ASSIGN_NO_GROUP UINT32_MAX /* the value of MR_NONE (mr_net.h) */

/* Allocate net->links for nlinks links (zeroed) and set the counts (no groups). */
MR_API int mr_assign_net_init(mr_assign_net *net, uint32_t nodes, uint32_t zones, uint32_t first_thru,
                              uint32_t nlinks);
/* Give the network ngroups groups (zeroed: set each one's parameters) and link_group (every link
 * MR_ASSIGN_NO_GROUP), replacing any before. MR_ENOMEM leaves the network without groups. */
MR_API int mr_assign_net_groups(mr_assign_net *net, uint32_t ngroups);
MR_API void mr_assign_net_free(mr_assign_net *net); /* accepts a zeroed or half-built net */

/* Travel time t(x), derivative t'(x) and integral of t from 0 to x for one link (not including
 * the generalized-cost terms). */
MR_API double mr_assign_vdf(const mr_assign_link *l, double x);
MR_API double mr_assign_vdf_der(const mr_assign_link *l, double x);
MR_API double mr_assign_vdf_int(const mr_assign_link *l, double x);

/* A group's delay D(X) (see mr_assign_group). */
MR_API double mr_assign_group_delay(const mr_assign_group *g, double X);

/* The groups' total flows X (ngroups) from the link flows x (nlinks). */
MR_API void mr_assign_group_flows(const mr_assign_net *net, const double *x, double *X);

/* Generalized cost c_i of link i at link flows x and group flows X (from mr_assign_group_flows;
 * may be NULL when the network has no groups). */
MR_API double mr_assign_link_cost(const mr_assign_net *net, uint32_t i, const double *x, const double *X);

/* Beckmann objective of the link flows x (nlinks): sum over links of the integral of their own
 * cost (t_a and the toll and distance terms) from 0 to x_a, plus sum over groups of the integral
 * of D_g from 0 to X_g; its gradient is the vector of link costs. Total cost (TSTT) is
 * sum x_a c_a(x). With groups both allocate the group flows: NaN if that fails. */
MR_API double mr_assign_objective(const mr_assign_net *net, const double *x);
MR_API double mr_assign_total_cost(const mr_assign_net *net, const double *x);

/* ---- the demand ---- */

/* Sparse per origin: the entries of origin o are first[o] .. first[o+1]-1, with increasing
 * destinations, amounts > 0 and no entry from a zone to itself. */
typedef struct mr_assign_demand {
	uint32_t zones;
	uint32_t *first; /* zones + 1 */
	uint32_t *dest;  /* zone index */
	double *amount;
	size_t n;        /* entries */
	double total;
} mr_assign_demand;

/* Build from n triples (orig[i], dest[i], amount[i]): duplicates are added, zero amounts and
 * zone-to-itself entries dropped. A zone out of range, or an amount that is negative or not
 * finite, is MR_EINVAL naming the entry. */
MR_API int mr_assign_demand_build(mr_assign_demand *d, uint32_t zones, size_t n, const uint32_t *orig,
                                  const uint32_t *dest, const double *amount, mr_error *err);
MR_API void mr_assign_demand_free(mr_assign_demand *d); /* accepts a zeroed demand */

/* ---- options ---- */

enum mr_assign_algo {
	MR_ASSIGN_AON = 0, /* all-or-nothing at free-flow cost (one iteration) */
	MR_ASSIGN_MSA,     /* method of successive averages, step 1/k */
	MR_ASSIGN_FW,      /* Frank-Wolfe with exact line search */
	MR_ASSIGN_CFW,     /* conjugate Frank-Wolfe (Mitradjieva and Lindberg 2013) */
	MR_ASSIGN_BFW,     /* biconjugate Frank-Wolfe (same) */
	MR_ASSIGN_B        /* Algorithm B (Dial 2006): bushes, Newton flow shifts */
};

/* One iteration's convergence: relative gap (TSTT - SPTT) / SPTT, average excess cost
 * (TSTT - SPTT) / total demand, Beckmann objective, seconds since the run started. SPTT is the
 * demand times the shortest-path costs at the iteration's link costs. */
typedef struct mr_assign_iter {
	uint32_t iteration; /* 1, 2, ... within a run */
	double gap, aec, objective, seconds;
} mr_assign_iter;

/* Called after every iteration (progress line, logging); a non-zero return stops the run. With
 * the MPI hook, every process gets the same values; a stop request on any process stops all. */
typedef int (*mr_assign_iter_fn)(void *ud, const mr_assign_iter *it);

/* The progress line of an iteration: "iteration 7: relative gap 2.385e-08, average excess cost
 * 1.764e-07, objective 1265654.92311, 0.131 s". */
MR_API void mr_assign_iter_format(char *buf, size_t size, const mr_assign_iter *it);

/* The MPI hook: replace buf[0..n-1] on every process by the element-wise sum over all processes
 * (MPI_Allreduce with MPI_SUM on MPI_DOUBLE, MPI_IN_PLACE), the same bits on every process;
 * return 0, or non-zero on failure (the run then fails with MR_EIO). Every process calls it the
 * same number of times with the same n, from the thread that called mr_assign_run.
 * With it, each process computes only its origins (shortest paths, all-or-nothing loads, bushes)
 * and every process ends with the same total flows. The Frank-Wolfe family then makes the same
 * iterates as one process (sums rounded in another order). Algorithm B synchronises after every
 * pass over the bushes: each process moves its own origins' flows, the moves are summed and
 * scaled by an exact line search (the objective never increases), and when that no longer
 * descends, the processes take turns (which is the single-process order of work); it reaches the
 * same equilibrium, in about as many or somewhat more iterations (docs/assignment.md). */
typedef int (*mr_assign_allreduce_fn)(double *buf, size_t n, void *ctx);

typedef struct mr_assign_opts {
	int algorithm;          /* enum mr_assign_algo */
	double gap;             /* stop when the relative gap is <= gap (0 = never) */
	uint32_t max_iter;      /* 0 = no limit (then give gap or max_seconds) */
	double max_seconds;     /* wall time of the run; 0 = no limit */
	mr_assign_iter_fn on_iter;
	void *on_iter_ud;
	/* Warm start of the Frank-Wolfe family (MSA, FW, CFW, BFW): link flows to start from
	 * (nlinks, a feasible flow of the same demand, e.g. a previous result), or NULL for
	 * all-or-nothing at free flow. Algorithm B starts from saved bushes instead (mr_assign_load). */
	const double *init_flow;
	/* Algorithm B tuning (0 = default): flow-shift passes over every bush after each bush
	 * improvement (default MR_ASSIGN_B_INNER). */
	uint32_t b_inner;
	/* MPI: this process handles origins [origin_lo, origin_hi); allreduce_sum (NULL = one
	 * process) combines per-link sums and gap terms. With allreduce_sum the range is taken as
	 * given (it may be empty; the processes' ranges must tile 0 .. zones-1); without it, both 0
	 * means every origin (a smaller range assigns only those origins' demand). */
	uint32_t origin_lo, origin_hi;
	mr_assign_allreduce_fn allreduce_sum;
	void *allreduce_ctx;
} mr_assign_opts;

#define MR_ASSIGN_B_INNER 30

/* Defaults: Algorithm B, gap 1e-6, max_iter 1000, everything else 0. */
MR_API void mr_assign_opts_init(mr_assign_opts *o);

/* ---- results ---- */

enum mr_assign_stop {
	MR_ASSIGN_STOP_GAP = 0,   /* the gap was reached */
	MR_ASSIGN_STOP_ITER,      /* max_iter iterations (or AON's single one) */
	MR_ASSIGN_STOP_TIME,      /* max_seconds */
	MR_ASSIGN_STOP_CALLBACK   /* on_iter asked to stop */
};

typedef struct mr_assign_result {
	uint32_t nlinks;
	double *flow;         /* nlinks: total link flow (summed over every process) */
	double *time;         /* nlinks: t(flow), plus the group's delay D_g for a link of a group */
	double *cost;         /* nlinks: generalized cost c(flow) (with the group's delay) */
	double gap, aec, objective, tstt, sptt, seconds;
	uint32_t iterations;
	int stop;             /* enum mr_assign_stop */
	mr_assign_iter *history; /* one record per iteration */
	size_t nhistory;
	uint32_t ngroups;     /* the network's groups (0: none, and the two arrays are NULL) */
	double *group_flow;   /* ngroups: X_g, the sum of the group's link flows */
	double *group_cost;   /* ngroups: D_g(X_g), the delay each link of the group carries */
} mr_assign_result;

MR_API void mr_assign_result_free(mr_assign_result *r); /* accepts a zeroed result */

/* ---- the solver ---- */

typedef struct mr_assign mr_assign;

/* New solver for a network, a demand (demand->zones must equal net->zones) and options (copied;
 * init_flow is read during mr_assign_run). Checks the network (indexes, costs >= 0, parameters)
 * and that every destination can be reached from its origin (MR_ENOROUTE otherwise). */
MR_API int mr_assign_create(mr_assign **out, const mr_assign_net *net, const mr_assign_demand *demand,
                            const mr_assign_opts *o, mr_error *err);
MR_API void mr_assign_destroy(mr_assign *a); /* accepts NULL */

/* Run until the options' stop rule; *res (zeroed or freed by the caller first) receives the flows
 * and the convergence. A second run continues from where the first stopped (its bushes or its
 * flows). MR_EIO if the allreduce hook fails. */
MR_API int mr_assign_run(mr_assign *a, mr_assign_result *res, mr_error *err);

/* Algorithm B warm start: write this process's bushes (origins origin_lo..origin_hi) to a file,
 * and read them back into a new solver of the same network before mr_assign_run. The file format
 * (binary, versioned, checksummed) is in docs/assignment.md. Loading checks the network's
 * fingerprint, each bush (links exist, acyclic, no passing through zones, every node reachable);
 * origins of the file outside this process's range are skipped, origins missing keep their
 * default start. When the demand has changed, the flows are re-derived from the saved split
 * proportions at each node. MR_EINVAL for another algorithm, MR_EIO, MR_EBADMAGIC, MR_EVERSION,
 * MR_ETRUNCATED, MR_ECORRUPT (with the offset in err), MR_ENOMEM. */
MR_API int mr_assign_save(const mr_assign *a, const char *path, mr_error *err);
MR_API int mr_assign_load(mr_assign *a, const char *path, mr_error *err);

/* Algorithm B: the flows of one origin's bush after mr_assign_run (its demand's share of every
 * link flow: x[nlinks] in the caller's link order, 0 off the bush; all 0 for an origin without
 * demand). The origin must be one of this process's (origin_lo .. origin_hi-1 with the MPI hook):
 * MR_EINVAL otherwise, for another algorithm, or before the first run. Summed over every origin
 * (and process), these flows are res.flow up to rounding. */
MR_API int mr_assign_origin_flows(const mr_assign *a, uint32_t origin, double *x);

/* create + run + destroy. */
MR_API int mr_assign_solve(const mr_assign_net *net, const mr_assign_demand *demand, const mr_assign_opts *o,
                           mr_assign_result *res, mr_error *err);

/* ---- TNTP readers (file:line:field errors; MR_EIO, MR_EPARSE, MR_ENOMEM) ---- */

/* A *_net.tntp file: metadata <NUMBER OF ZONES>, <NUMBER OF NODES>, <FIRST THRU NODE>,
 * <NUMBER OF LINKS> (required), <TOLL FACTOR>, <DISTANCE FACTOR> (optional); rows
 * init_node term_node capacity length free_flow_time b power [speed toll link_type] ;.
 * Links are BPR with alpha = b and beta = power, in file order. */
MR_API int mr_assign_read_net(const char *path, mr_assign_net *net, mr_error *err);

/* A *_trips.tntp file for a network of `zones` zones: "Origin k" blocks of "d : amount;"
 * entries. A total that differs from <TOTAL OD FLOW> by more than 1e-6 relative is an error. */
MR_API int mr_assign_read_trips(const char *path, uint32_t zones, mr_assign_demand *d, mr_error *err);

/* A *_flow.tntp file (published flows, "From To Volume Cost" rows) for the network `net`:
 * flow[nlinks] (allocated with mr_malloc, owned by the caller) in the network's link order;
 * rows are matched to links by (from, to), parallel links in file order. Every link must get
 * exactly one row. */
MR_API int mr_assign_read_flows(const char *path, const mr_assign_net *net, double **flow, mr_error *err);

#endif
