/* mr_route.h: routing a container over a compiled network: objectives, filters, vias, and the
 * route with its legs, countries, passages and borders. */
#ifndef MERIDIAN_MR_ROUTE_H
#define MERIDIAN_MR_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"

#define MR_OBJECTIVE_MAP(X) \
	X(DISTANCE, "distance") X(TIME, "time") X(COST, "cost") X(CO2E, "co2e") X(GENERALIZED, "generalized")
enum mr_objective {
#define MR__X_OBJ(e, s) MR_BY_##e,
	MR_OBJECTIVE_MAP(MR__X_OBJ)
#undef MR__X_OBJ
	MR_BY_COUNT
};
MR_API const char *mr_objective_name(int objective);
MR_API int mr_objective_parse(const char *s); /* -1 if unknown */

#define MR_ALGORITHM_MAP(X) \
	X(AUTO, "auto") X(DIJKSTRA, "dijkstra") X(BIDIR, "bidijkstra") X(ASTAR, "astar") X(CH, "ch")
enum mr_algorithm {
#define MR__X_ALGO(e, s) MR_ALGO_##e,
	MR_ALGORITHM_MAP(MR__X_ALGO)
#undef MR__X_ALGO
	MR_ALGO_COUNT
};
MR_API const char *mr_algorithm_name(int algorithm);
MR_API int mr_algorithm_parse(const char *s);

/* Value of time of one TEU of cargo, USD per hour: an estimate, 0.8 % of a USD 30,000 cargo
 * value per day (Hummels and Schaur 2013 put a day in transit at 0.6-2.1 % ad valorem), / 24. */
#define MR_DEFAULT_VOT_USD_PER_H 10.0
#define MR_TONNES_PER_TEU 10.0         /* default cargo of one TEU */

typedef struct mr_route_opts {
	int objective;          /* enum mr_objective; default MR_BY_GENERALIZED */
	int algorithm;          /* enum mr_algorithm; default MR_ALGO_AUTO (A* where it has a bound) */
	unsigned mode_mask;     /* bit i allows mode i; 0 = every mode */
	double vot_usd_per_h;   /* value of time per TEU for the generalized objective */
	double teu;             /* cost and CO2e are multiplied by it; default 1 */
	int allow_planned;      /* use links whose status is planned */
	const char *const *avoid; /* passages, countries (ISO-3), borders, node ids, link ids */
	size_t navoid;
	/* Restricted links (seasonal or permit-bound passages such as the Northern Sea Route, and
	 * borders with status restricted) are used only when one of these names their passage, border
	 * or link id. */
	const char *const *allow;
	size_t nallow;
	double sea_speed_kmh;   /* service speed of sea links; 0 = the network's (tariff or link) */
} mr_route_opts;

MR_API void mr_route_opts_default(mr_route_opts *o);

/* A maximal run of links in one mode (and gauge). Its figures include the handling to enter it:
 * the transfer before it (or, for the first leg, the mode's fixed fee at the origin). */
typedef struct mr_leg {
	int mode;
	int gauge_mm;
	uint32_t from_node, to_node;
	double distance_km, duration_h, cost_usd, co2e_kg; /* cost and co2e times teu */
	double handling_h, handling_usd;                    /* part of duration and cost */
	/* the rest of duration and cost, by kind: running at speed, waiting (half the headway of
	 * a scheduled service, passage waits), border dwell; transport charges, tolls, border fees */
	double running_h, waiting_h, border_h, transport_usd, tolls_usd, border_usd;
	/* co2e_kg (well-to-wheel) = ttw + wtt + hub: the vehicles' tank-to-wheel and well-to-tank
	 * parts, and the hub emissions of the transfer before the leg (handling equipment, well-to-
	 * wheel as the transfer rules give them) */
	double co2e_ttw_kg, co2e_wtt_kg, co2e_hub_kg;
	uint32_t first_arc, narcs;                          /* range in mr_route.arcs */
	uint32_t first_node, nnodes;                        /* range in mr_route.nodes */
} mr_leg;

typedef struct mr_route {
	double distance_km, duration_h, cost_usd, co2e_kg; /* cost and co2e times teu */
	double objective_value; /* of the search, per TEU */
	double teu;
	/* duration and cost by kind, summed over the legs (see mr_leg) */
	double running_h, waiting_h, border_h, handling_h, transport_usd, tolls_usd, border_usd, handling_usd;
	double co2e_ttw_kg, co2e_wtt_kg, co2e_hub_kg; /* see mr_leg */
	uint32_t gauge_breaks; /* transfers between rail gauges */
	uint32_t *arcs;       /* forward arc ids, in order */
	size_t narcs;
	uint32_t first_vnode; /* where the route starts */
	mr_leg *legs;
	size_t nlegs;
	uint32_t *nodes;      /* real nodes passed, in order */
	size_t nnodes;
	char (*countries)[4]; /* in order of first appearance */
	size_t ncountries;
	uint32_t *passages;   /* string offsets, in order of first appearance */
	size_t npassages;
	uint32_t *borders;    /* border indexes, in order */
	size_t nborders;
	uint32_t transfers;
	uint32_t settled;     /* search work */
	int algorithm;        /* the one that ran */
	const char *hierarchy; /* MR_ALGO_CH: the stored hierarchy's name (NULL: one set with
	                          mr_router_set_ch); else NULL */
	/* Why an exact search ran although the network stores hierarchies or MR_ALGO_CH was asked
	 * for ("" otherwise). */
	char search_note[200];
} mr_route;

MR_API void mr_route_free(mr_route *r); /* accepts a zeroed route */

/* A router holds the per-thread state for routing on one network: search object, weights, bans.
 * The network must outlive it. */
typedef struct mr_router mr_router;
MR_API int mr_router_new(mr_router **out, const mr_net *net);
MR_API void mr_router_free(mr_router *r);

/* Best route through places[0] -> places[1] -> ... -> places[n-1] (real node indexes, n >= 2;
 * the middle ones are vias) under o. The route is exact for the objective: at each via the best
 * continuation over every arrival mode is taken. Errors: MR_ENOROUTE (err says which part),
 * MR_ENOTFOUND (an --avoid item matches nothing), MR_EINVAL. */
MR_API int mr_router_route(mr_router *r, const uint32_t *places, size_t n, const mr_route_opts *o,
                           mr_route *out, mr_error *err);

/* Predicates on arcs, for corridor patterns (mr_constrained.h): an arc satisfies
 *   tag:X      if its link (or chain) has tag X;        passage:X  if it runs through passage X;
 *   mode:M     if it is a link of mode M (transfers never);
 *   country:C  if one of its ends is in country C;      border:B   if it crosses border B (id or name).
 */
enum mr_pred_kind { MR_PRED_TAG, MR_PRED_PASSAGE, MR_PRED_MODE, MR_PRED_COUNTRY, MR_PRED_BORDER, MR_PRED_COUNT };
typedef struct mr_pred {
	int kind;
	const char *value;
} mr_pred;

struct mr_pattern;

/* Best route from `from` to `to` among those whose arcs satisfy the pattern (over the predicates
 * preds[0..npred), npred <= 16), exactly (shortest path on the product of the network and the
 * pattern's automaton). MR_ENOROUTE with the reason in err when no route satisfies it; MR_ELIMIT
 * when the pattern needs more than MR_ROUTER_MAX_STATES automaton states. */
#define MR_ROUTER_MAX_STATES 32
MR_API int mr_router_route_pattern(mr_router *r, uint32_t from, uint32_t to, const mr_route_opts *o,
                                   const struct mr_pattern *pattern, const mr_pred *preds, size_t npred,
                                   mr_route *out, mr_error *err);
/* Answer two-place queries whose options equal o (same objective, value of time, modes, bans,
 * ...) on ch, a contraction hierarchy built on mr_router_weights(o) of a router of the same
 * network (mr_ch.h); other queries keep the exact searches. ch is shared, not copied, and must
 * outlive the router; NULL removes it. MR_EINVAL if o's options cannot be keyed, MR_ENOMEM. */
struct mr_ch;
MR_API int mr_router_set_ch(mr_router *r, const mr_route_opts *o, const struct mr_ch *ch);
/* The weight of every arc of the network under o (the objective, INFINITY where the options rule
 * an arc out), as mr_router_route uses them: valid until the router's next query. For building
 * a hierarchy (mr_ch.h) that honours the options. */
MR_API int mr_router_weights(mr_router *r, const mr_route_opts *o, const double **w, mr_error *err);
/* The virtual nodes a route may start from at node under o, with the objective's leg start fee
 * as offset (at most max of them into out; *n says how many). */
struct mr_seed;
MR_API int mr_router_start_offsets(mr_router *r, const mr_route_opts *o, uint32_t node, struct mr_seed *out,
                                   size_t max, size_t *n);
/* 1 if route (found on this router's network) satisfies the pattern, 0 if not, MR_ENOMEM. */
MR_API int mr_router_route_matches(mr_router *r, const mr_route *route, const struct mr_pattern *p,
                                   const mr_pred *preds, size_t npred);
/* 1 if some arc of the network satisfies the predicate. */
MR_API int mr_net_pred_exists(const mr_net *net, const mr_pred *p);

/* The sea service speed in km/h that routes use without sea_speed_kmh: the sea tariff's speed
 * for every country, or 0 if the network has none. */
MR_API double mr_net_sea_speed_kmh(const mr_net *net);

#define MR_KM_PER_NM 1.852

#endif
