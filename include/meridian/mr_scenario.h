/* mr_scenario.h: scenarios: what-if changes to a compiled network (close or open links, nodes,
 * borders, passages, countries; tariff, emission, dwell, fee and sailing changes; value of time),
 * read from documented text files (docs/scenarios.md) and applied in order to give a derived
 * network that routes like a network built from edited data. */
#ifndef MERIDIAN_MR_SCENARIO_H
#define MERIDIAN_MR_SCENARIO_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"

typedef struct mr_scenario mr_scenario;

/* Parse a scenario file. Its id is the file name without directory and without ".scn". Syntax
 * errors name the file, line and field. Nothing is checked against a network yet. */
MR_API int mr_scenario_read(const char *path, mr_scenario **out, mr_error *err);
/* The same from text in memory; name stands for the file in messages and gives the id. */
MR_API int mr_scenario_parse(const char *name, const char *text, size_t len, mr_scenario **out, mr_error *err);
MR_API void mr_scenario_free(mr_scenario *s);
MR_API const char *mr_scenario_id(const mr_scenario *s);
MR_API const char *mr_scenario_description(const mr_scenario *s); /* "" if none */
MR_API const char *mr_scenario_path(const mr_scenario *s);
MR_API size_t mr_scenario_nops(const mr_scenario *s);

/* A network with scenarios applied: `net` shares the base network's unchanged arrays (the base
 * must outlive it) and owns copies of those that change (arcs, links, borders). Arc figures are
 * the base's adjusted by differences, so that they equal what mr_net_build would give from the
 * edited source data; the A* ratios are recomputed. */
typedef struct mr_scenario_net {
	mr_net net;
	double vot_usd_per_h; /* set by a `vot` statement, else a NaN */
	mr_arc_rec *arcs_;
	mr_link_rec *links_;
	mr_border_rec *borders_;
} mr_scenario_net;

/* Apply s[0], s[1], ... in order to base. Every name a scenario uses (link, node, border,
 * passage, country) must exist in base: otherwise MR_ENOTFOUND with the scenario's file and
 * line. */
MR_API int mr_scenario_apply(const mr_net *base, mr_scenario *const *s, size_t n, mr_scenario_net *out,
                             mr_error *err);
MR_API void mr_scenario_net_free(mr_scenario_net *sn); /* accepts a zeroed one */

#endif
