/* mr_flows.h: yearly freight flows on a Meridian network under capacity: the demand file (places
 * as in `route`), the capacity file (links, border crossings, transfer terminals), the
 * assignment problem they make for mr_assign (include/meridian/mr_assign.h), and the loads of
 * each capacitated element. docs/assignment.md, "Meridian networks".
 *
 * The problem: one assignment node per zone (a place of the demand), then one per virtual node;
 * a zone reaches its place's usable virtual nodes through connectors that cost the leg start fee
 * (as `route` charges it) and back through free ones; zones are never passed through. Every
 * usable arc of the options' weights is a link whose cost is the arc's weight, split into a part
 * that congestion stretches (value of time x hours for the generalized objective, hours for
 * time) and a fixed part (money); an arc of a link with a capacity (per direction) gets BPR on it,
 * and an arc without one never congests by itself. A border crossing's or a transfer terminal's
 * capacity is shared: each capacitated border is an assignment group (mr_assign_group) over every
 * arc that crosses it (both directions, every mode), each capacitated terminal a group over the
 * transfer arcs at its node, with a BPR delay of the group's total flow (free-flow part: the
 * border's dwell hours, the mean of the terminal's transfer arcs' hours; times the value of time
 * for the generalized objective). Flows and capacities are TEU per year. */
#ifndef MERIDIAN_MR_FLOWS_H
#define MERIDIAN_MR_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_assign.h"
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"

/* ---- demand: CSV origin,destination,amount[,class] (TEU per year) ---- */
typedef struct mr_flow_od {
	uint32_t from, to; /* real nodes */
	double teu;        /* per year, > 0 */
	char cls[24];      /* "" if none */
	long line;         /* in the file */
} mr_flow_od;

typedef struct mr_flow_demand {
	mr_flow_od *od;
	size_t n;
	double total;
} mr_flow_demand;

/* Read a demand file: places resolved as `route` does them (mode_mask 0 = any), amounts > 0
 * (a zero amount is skipped), origin != destination. Errors name file:line:field (MR_EPARSE,
 * MR_ENOTFOUND, MR_EAMBIGUOUS, MR_EIO, MR_ENOMEM). */
MR_API int mr_flow_demand_read(const mr_net *net, const char *path, unsigned mode_mask, mr_flow_demand *d,
                               mr_error *err);
MR_API void mr_flow_demand_free(mr_flow_demand *d);

/* ---- capacities: CSV element,id,capacity_teu_per_year,source ---- */
enum mr_flow_kind { MR_FLOW_LINK = 0, MR_FLOW_BORDER, MR_FLOW_TERMINAL };

typedef struct mr_flow_capacity {
	double *link;   /* nlinks: per direction; 0 = none (link.csv's capacity column, then the file) */
	double *border; /* nborders: the crossing, both directions and every mode together */
	double *node;   /* nnodes: the transfer terminal (every change of mode or gauge there) */
	size_t rows;    /* rows read from the file */
} mr_flow_capacity;

/* Capacities from link.csv's capacity column (stored in the network), then from the file
 * (path may be NULL): element link (a link id), border (a border id) or node (a node id or
 * UN/LOCODE), capacity > 0, and a source (required, like every row of the network). An unknown
 * id or element, a bad number, an empty source or an element given twice is MR_EPARSE naming
 * file:line:field. */
MR_API int mr_flow_capacity_read(const mr_net *net, const char *path, mr_flow_capacity *c, mr_error *err);
MR_API void mr_flow_capacity_free(mr_flow_capacity *c);

/* ---- the assignment problem ---- */

/* The element of an assignment group: a border crossing or a transfer terminal. */
typedef struct mr_flow_group {
	int kind;     /* MR_FLOW_BORDER or MR_FLOW_TERMINAL */
	uint32_t ref; /* border or node index */
} mr_flow_group;

typedef struct mr_flow_problem {
	mr_assign_net an;    /* with an.ngroups groups (an.groups, an.link_group) */
	mr_assign_demand ad;
	uint32_t nzones;
	uint32_t *zone_node; /* nzones: real node of each zone */
	uint32_t *arc_of;    /* an.nlinks: the network arc of each link, MR_NONE for a connector */
	uint32_t *link_of;   /* g.m: the assignment link of each arc, MR_NONE if unusable */
	mr_flow_group *group; /* an.ngroups: the element of each group (NULL without groups) */
} mr_flow_problem;

/* Make the problem for the options o (objective generalized or time: the others do not depend
 * on time and cannot congest: MR_EINVAL), BPR alpha and beta for every capacitated link and
 * group (a border or terminal with a capacity and at least one usable arc).
 * MR_ENOROUTE names the first demand line whose destination cannot be reached. */
MR_API int mr_flow_problem_make(const mr_net *net, const mr_route_opts *o, const mr_flow_capacity *cap,
                                const mr_flow_demand *d, double alpha, double beta, mr_flow_problem *p,
                                mr_error *err);
MR_API void mr_flow_problem_free(mr_flow_problem *p);

/* ---- loads ---- */
typedef struct mr_flow_load {
	int kind;          /* enum mr_flow_kind */
	uint32_t ref;      /* link, border or node index */
	int reverse;       /* MR_FLOW_LINK: 1 for the to -> from direction */
	double flow;       /* TEU per year through the element */
	double capacity;   /* 0 = none */
	double voc;        /* flow / capacity, 0 without capacity */
} mr_flow_load;

/* Loads of every element with a flow or a capacity, from the assignment's link flows (an.nlinks),
 * sorted by voc (then flow) descending. *out is mr_malloc'd. */
MR_API int mr_flow_loads(const mr_net *net, const mr_flow_problem *p, const mr_flow_capacity *cap,
                         const double *flow, mr_flow_load **out, size_t *n);

/* ---- the flow map ---- */
typedef struct mr_flow_html_info {
	const char *summary;    /* one line under the title (demand, algorithm, convergence) */
	const char *atlas_path; /* world-atlas countries TopoJSON, or NULL (then no outlines, and a note) */
	size_t top;             /* rows of the bottleneck table */
	double demand_teu;
	size_t ncorridors;      /* corridor shares (logit), or 0 */
	const char *const *corridor_id, *const *corridor_name;
	const double *corridor_teu;
} mr_flow_html_info;
/* The loads (sorted as mr_flow_loads gives them) as a self-contained HTML page with a map:
 * links as lines with a width by flow and a colour by flow / capacity, borders and terminals
 * as circles, the ranked table and the corridor shares. *out is mr_malloc'd. */
MR_API int mr_flow_html(const mr_net *net, const mr_flow_load *v, size_t n, const mr_flow_html_info *info, char **out,
                        size_t *len);

/* ---- stochastic multi-route assignment (logit over alternative routes) ---- */

/* As freight models such as Nodus do: each OD pair's demand is split over its `routes`
 * alternative routes (mr_router_alternatives at free flow, at most max_overlap shared length
 * with the better ones) by a logit on the routes' costs relative to the cheapest,
 *   P_k = exp(-theta c_k / c_min) / sum_j exp(-theta c_j / c_min),
 * so theta is dimensionless: a route 10 % dearer than the best gets exp(-0.1 theta) times its
 * weight (theta 10: 0.37; theta -> infinity: all on the cheapest). With capacities the route
 * costs follow the links' BPR costs and the groups' delays, and the split is iterated by the
 * method of successive averages (stochastic user equilibrium on fixed route sets) until the
 * largest change of a link flow is at most tol x the demand, or max_iter. */
typedef struct mr_flow_logit_opts {
	size_t routes;       /* alternatives per OD pair, >= 1; default 5 */
	double max_overlap;  /* default 0.6 (mr_alt_opts) */
	double theta;        /* dispersion, > 0; default 10 */
	uint32_t max_iter;   /* default 200 */
	double tol;          /* default 1e-6 */
} mr_flow_logit_opts;
MR_API void mr_flow_logit_opts_default(mr_flow_logit_opts *o);

typedef struct mr_flow_path {
	mr_route route;  /* at free flow (its arcs; figures at free flow) */
	double cost;     /* at the final flows, in the objective's unit */
	double share;    /* of its OD pair's demand */
} mr_flow_path;

typedef struct mr_flow_paths {
	size_t nod;          /* = demand n */
	size_t *first;       /* nod + 1: paths of OD i are path[first[i] .. first[i+1]) */
	mr_flow_path *path;
	uint32_t iterations;
	double change;       /* last largest link-flow change / demand */
} mr_flow_paths;

/* Run the logit assignment on problem p (made by mr_flow_problem_make for o and d): flow
 * (p->an.nlinks, caller's) receives the link flows, paths the routes and their shares. on_iter
 * (may be NULL) gets iteration, change (as `gap`), total cost (as `objective`) and seconds. */
MR_API int mr_flow_logit(const mr_net *net, const mr_route_opts *o, const mr_flow_problem *p, const mr_flow_demand *d,
                         const mr_flow_logit_opts *lo, mr_assign_iter_fn on_iter, void *ud, double *flow,
                         mr_flow_paths *paths, mr_error *err);
MR_API void mr_flow_paths_free(mr_flow_paths *paths);

#endif
