/* mr_report.h: routes rendered for people and programs: table, JSON (the output contract of
 * DESIGN.md), GeoJSON and CSV. Shared by the CLI and the server. */
#ifndef MERIDIAN_MR_REPORT_H
#define MERIDIAN_MR_REPORT_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_route.h"

#define MR_FORMAT_MAP(X) X(TABLE, "table") X(JSON, "json") X(GEOJSON, "geojson") X(CSV, "csv") X(HTML, "html")
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
	const char *const *labels; /* per route, what sets it apart (alternatives), or NULL */
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

/* A scenario applied to a comparison, for the parameters section of reports. */
typedef struct mr_scenario_info {
	const char *id, *description, *path;
	int vs; /* 0: applied to the baseline (and so to both sides); 1: the --vs scenario */
} mr_scenario_info;

typedef struct mr_compare_report {
	const mr_net *net;            /* the network rows were routed on (scenarios applied) */
	const mr_place *from, *to;
	const mr_route_opts *opts;
	const mr_compare_row *rows;
	size_t nrows;
	/* --vs: the same corridors, in the same order (nrows of them), routed on vs_net with vs_opts
	 * (the baseline's scenarios and then the vs scenario); NULL without --vs */
	const mr_compare_row *vs_rows;
	const mr_net *vs_net;
	const mr_route_opts *vs_opts;
	const char *label, *vs_label; /* "base" or the scenario ids joined by " + " */
	const mr_scenario_info *scenarios;
	size_t nscenarios;
	const char *atlas_path;       /* world-atlas countries TopoJSON for the HTML map, or NULL */
	int colour;                   /* table: ANSI colours (best figures, infeasible rows) */
	/* published claims about this origin and destination, checked against rows (mr_claims.h) */
	const struct mr_claim_check *claims;
	size_t nclaims;
	/* --pareto: the front over every corridor, and per point the corridors it satisfies */
	const struct mr_pareto *pareto;
	const char *const *pareto_tags;
} mr_compare_report;

/* table | json | csv | html (geojson: every feasible corridor's route as features). Each figure
 * is also given as a ratio to the best (smallest) among the feasible corridors; with vs_rows,
 * both sides and their differences. */
MR_API int mr_report_compare(const mr_compare_report *rep, int format, char **out, size_t *len);

struct mr_pareto;

/* A Pareto front (mr_alt.h) for people and programs: table (sorted by cost, each point's
 * trade-off to the previous one), json, geojson, csv. tags[i] (or NULL) names the corridors
 * point i satisfies. */
typedef struct mr_pareto_report {
	const mr_net *net;
	const mr_place *from, *to;
	const mr_route_opts *opts;
	const struct mr_pareto *front;
	unsigned criteria; /* bit per enum mr_criterion */
	double eps;
	const char *const *tags;
	double ms;         /* search time, reported; < 0: not reported */
} mr_pareto_report;
MR_API int mr_report_pareto(const mr_pareto_report *rep, int format, char **out, size_t *len);

/* A value-of-time sweep: the best route at each value, and where it switches. */
typedef struct mr_sweep_report {
	const mr_net *net;
	const mr_place *from, *to;
	const mr_route_opts *opts;
	const double *vot;      /* USD per TEU-hour, n values */
	const mr_route *routes; /* n routes (same index) */
	size_t n;
} mr_sweep_report;
MR_API int mr_report_sweep(const mr_sweep_report *rep, int format, char **out, size_t *len);

/* One self-contained HTML file (no request leaves it): map, table, bar charts, scenario
 * differences, parameters and sources. err says why it failed (an unreadable atlas is not an
 * error: the map is drawn without outlines and says so). */
MR_API int mr_report_compare_html(const mr_compare_report *rep, char **out, size_t *len, mr_error *err);

/* The bar charts of the comparison (distance, days, cost, CO2e per corridor; with vs_rows, both
 * sides) drawn with cairo to path, PNG or SVG by its extension, written atomically. */
MR_API int mr_plot_compare(const mr_compare_report *rep, const char *path, mr_error *err);
/* Release the process-wide font state that cairo and fontconfig keep after mr_plot_compare
 * (fontconfig drops a few patterns that only FcFini frees, which leak checkers report). Call at
 * most once, at exit, when no thread draws any more; harmless if nothing was drawn. */
MR_API void mr_plot_cleanup(void);

#endif
