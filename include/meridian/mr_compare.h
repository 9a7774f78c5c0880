/* mr_compare.h: a corridor comparison: the best route of each corridor between two places. */
#ifndef MERIDIAN_MR_COMPARE_H
#define MERIDIAN_MR_COMPARE_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"

/* The rows of a comparison and the storage behind them. */
typedef struct mr_compare_result {
	mr_compare_row *rows;
	mr_route *routes;  /* routes[i] backs rows[i].route when feasible */
	char **reasons;    /* reasons[i] backs rows[i].reason when not */
	size_t nrows;
} mr_compare_result;

/* Route every corridor of set (or those named in which[0..nwhich), in the set's order) from
 * `from` to `to` on the router's network under o. A corridor without a route is a row with a
 * reason (a required element that nothing in the network matches, or no route satisfies the
 * pattern); other failures (out of memory) are returned. An id in which that the set lacks is
 * MR_ENOTFOUND. */
MR_API int mr_compare_run(mr_router *r, const mr_net *net, uint32_t from, uint32_t to, const mr_route_opts *o,
                          const mr_corridor_set *set, const char *const *which, size_t nwhich,
                          mr_compare_result *out, mr_error *err);
MR_API void mr_compare_result_free(mr_compare_result *res); /* accepts a zeroed one */

#endif
