/* mr_api.h: a small "JSON in, JSON out" API over the library, for bindings (Python's ctypes)
 * that should not know any struct layout: a network handle, options as a JSON object with the
 * CLI's names, results as the JSON of the output contract (the CLI's --format json). */
#ifndef MERIDIAN_MR_API_H
#define MERIDIAN_MR_API_H

#include <stddef.h>
#include "meridian/mr_core.h"

/* An open network (memory-mapped, never copied) with a router kept between calls. Calls on one
 * handle are serialised by a lock inside it, so threads may share a handle. */
typedef struct mr_api_net mr_api_net;

/* Open path, or with path NULL the built-in network: $MERIDIAN_NETWORK, else meridian.mnet next
 * to libmeridian.so, else PREFIX/share/meridian/meridian.mnet (PREFIX = the library's dir/..).
 * NULL on failure, with err filled (MR_EIO when no built-in network is found). */
MR_API mr_api_net *mr_api_open(const char *path, mr_error *err);
MR_API void mr_api_close(mr_api_net *net); /* accepts NULL */

/* The options that every call below accepts, as one JSON object (NULL or "" = defaults):
 *   "by": "distance"|"time"|"cost"|"co2e"|"generalized"   "modes": ["sea", ...] or "sea,rail"
 *   "avoid", "allow": lists as modes        "planned": bool          "teu" | "tonnes": number > 0
 *   "vot": number >= 0 (USD per TEU-hour)   "sea_speed": knots (0, 60]
 *   "scenarios": list of scenario ids or .scn files, applied in order (the CLI's --scenario)
 *   "max_snap": km for "lon,lat" places (default 100)
 * route only: "via": list of places, "algorithm": "auto"|"dijkstra"|"bidijkstra"|"astar"|"ch",
 *   "alternatives": 0-20 and "max_overlap": 0-1 (--alternatives, --max-overlap), or "pareto": bool
 *   with "criteria" (list of cost, time, co2e, risk), "pareto_eps", "max_labels"
 * compare only: "corridors": "all" or a list of ids, "corridors_file", "claims_file",
 *   "no_claims": bool
 * An unknown name or a bad value is MR_EINVAL and err->field names the option. Scenario,
 * corridor and claim files are found as the CLI finds them ($MERIDIAN_SCENARIOS,
 * $MERIDIAN_CORRIDORS, $MERIDIAN_CLAIMS), else next to libmeridian.so or in PREFIX/share/meridian.
 */

/* What text resolves to: the "from" object of the route JSON ({"id", "name", "unlocode",
 * "country", "lon", "lat", "matched_by", "snap_km"}). *json_out is freed with mr_api_free.
 * Errors: MR_ENOTFOUND, MR_EAMBIGUOUS (err->msg lists suggestions), MR_EINVAL. */
MR_API int mr_api_place(mr_api_net *net, const char *text, char **json_out, mr_error *err);

/* The best route from -> to: the same JSON as `meridian route FROM TO --format json` (with
 * alternatives or pareto, as the CLI prints those). Errors: those of mr_api_place (err->field
 * "from", "to" or "via"), MR_ENOROUTE, MR_EINVAL (err->field names the option). */
MR_API int mr_api_route(mr_api_net *net, const char *from, const char *to, const char *opts_json,
                        char **json_out, mr_error *err);

/* The corridor comparison: the same JSON as `meridian compare FROM TO --format json`, claims
 * included unless "no_claims" (scenarios applied to the network, as --scenario; no --vs). */
MR_API int mr_api_compare(mr_api_net *net, const char *from, const char *to, const char *opts_json,
                          char **json_out, mr_error *err);

/* The objective's value of the best route from each of from[0..nf) to each of to[0..nt) into
 * out (row-major, nf * nt doubles; NaN where unreachable), as `meridian matrix` computes it. */
MR_API int mr_api_matrix(mr_api_net *net, const char *const *from, size_t nf, const char *const *to, size_t nt,
                         const char *opts_json, double *out, mr_error *err);

/* Frees a *json_out (NULL is fine). */
MR_API void mr_api_free(void *p);

#endif
