/* mr_report.h: routes rendered for people and programs: table, JSON (the output contract of
 * DESIGN.md), GeoJSON and CSV. Shared by the CLI and the server. */
#ifndef MERIDIAN_MR_REPORT_H
#define MERIDIAN_MR_REPORT_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_route.h"

#define MR_FORMAT_MAP(X) X(TABLE, "table") X(JSON, "json") X(GEOJSON, "geojson") X(CSV, "csv")
enum mr_format {
#define MR__X_FMT(e, s) MR_FMT_##e,
	MR_FORMAT_MAP(MR__X_FMT)
#undef MR__X_FMT
	MR_FMT_COUNT
};
MR_API int mr_format_parse(const char *s); /* -1 if unknown */
MR_API const char *mr_format_name(int format);

typedef struct mr_route_report {
	const mr_net *net;
	const mr_place *from, *to;
	const mr_route_opts *opts;
	const mr_route *routes;
	size_t nroutes;
} mr_route_report;

/* Render rep in format into a new NUL-terminated string (*out, freed with mr_free). */
MR_API int mr_report_route(const mr_route_report *rep, int format, char **out, size_t *len);

/* A corridor comparison: one row per corridor, its best route or why there is none. */
typedef struct mr_compare_row {
	const char *id, *name, *constraints;
	int feasible;
	const char *reason;    /* when not feasible */
	const mr_route *route; /* when feasible */
} mr_compare_row;

typedef struct mr_compare_report {
	const mr_net *net;
	const mr_place *from, *to;
	const mr_route_opts *opts;
	const mr_compare_row *rows;
	size_t nrows;
} mr_compare_report;

/* table | json | csv (geojson: every feasible corridor's route as features). Each figure is also
 * given as a ratio to the best (smallest) among the feasible corridors. */
MR_API int mr_report_compare(const mr_compare_report *rep, int format, char **out, size_t *len);

#endif
