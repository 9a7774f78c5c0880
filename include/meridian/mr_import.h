/* mr_import.h: importers of other network formats into a source network (mr_src): TNTP
 * (Transportation Networks for Research), DIMACS shortest-path graphs (.gr, .co), GMNS
 * node.csv/link.csv and OpenStreetMap (through GDAL, only in meridian-import). The mapping of
 * every field is in docs/importers.md; mr_csvnet_write then writes the result as a folder.
 *
 * Common contract: *out is initialised by the call and, on success, owned by the caller (free it
 * with mr_src_free). Every problem goes to diag (may be NULL) with the file, line, field number
 * and field name; reading goes on after a bad record so that one run reports every error. The
 * call returns MR_OK, MR_EPARSE (some error was found: err holds the first, *out is freed),
 * MR_EIO (a file cannot be opened or read; err names it), MR_EINVAL (bad options) or
 * MR_ENOMEM. rep (may be NULL) receives the counts, also on failure (0 where not reached). */
#ifndef MERIDIAN_MR_IMPORT_H
#define MERIDIAN_MR_IMPORT_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"

/* Speed given to a link whose time is 0 (TNTP centroid connectors with free-flow time 0, a
 * DIMACS arc of weight 0 in time): fast enough that its time is 0 to the millisecond per km. */
#define MR_IMPORT_ZERO_TIME_KMH 1e6
/* Spacing of synthetic coordinates (a grid of nodes when a format has no coordinates), degrees. */
#define MR_IMPORT_GRID_DEG 0.01
/* Gauge of imported rail links when the format has none (standard gauge, mm). */
#define MR_IMPORT_DEFAULT_GAUGE 1435

/* What an import did (one struct for every format; fields that do not apply stay 0). */
typedef struct mr_import_report {
	size_t nodes_read;     /* nodes the input declares (TNTP <NUMBER OF NODES>, DIMACS p line, GMNS rows) */
	size_t links_read;     /* links / arcs / ways read */
	size_t nodes, links;   /* in the result */
	size_t zones;          /* TNTP: zones below <FIRST THRU NODE>, each split in two nodes */
	size_t first_thru;     /* TNTP: <FIRST THRU NODE> */
	size_t zero_time;      /* links given MR_IMPORT_ZERO_TIME_KMH (time 0) */
	size_t skipped;        /* records left out (each reported as a warning) */
	int synthetic_coords;  /* 1: coordinates were made up (grid or rescaled), not geographic */
	int projected_coords;  /* 1: coordinates were transformed from opts.crs to lon/lat */
	/* OSM */
	size_t ways_rail, ways_road, stations, ports, borders, attached;
} mr_import_report;

/* ---- TNTP ---- */
typedef struct mr_tntp_opts {
	const char *node_file; /* coordinates; NULL = "<prefix>_node.tntp" beside the net file if it
	                          exists (else synthetic coordinates, said in the report) */
	const char *mode;      /* mode of the links; NULL = "road" */
	int gauge_mm;          /* rail only; 0 = MR_IMPORT_DEFAULT_GAUGE */
	double length_km;      /* km per TNTP length unit; <= 0 = 1 (lengths read as km) */
	double time_h;         /* hours per TNTP time unit; <= 0 = 1/60 (free-flow times in minutes) */
	const char *crs;       /* CRS of projected node coordinates ("EPSG:NNNN"), transformed to
	                          lon/lat through PROJ; NULL = lon/lat when every node is in range,
	                          else rescaled synthetic coordinates */
} mr_tntp_opts;

/* Read a TNTP network: `path` is a *_net.tntp file or a folder holding exactly one. Nodes
 * 1..<NUMBER OF NODES>; a zone (id below <FIRST THRU NODE>) becomes two nodes, "o<id>" with
 * the zone's outgoing links and "d<id>" with its incoming ones, so that no route passes through
 * a zone; other nodes keep their number as id. Links are directed, id = their ordinal in the
 * file; free_speed_kmh = length / free-flow time; the free-flow time, b, power, speed, toll and
 * type stay visible in the link's tags and source (docs/importers.md). */
MR_API int mr_tntp_import(const char *path, const mr_tntp_opts *o, mr_src *out, mr_import_report *rep,
                          mr_diag_fn diag, void *ud, mr_error *err);

/* ---- DIMACS (9th challenge .gr, .co) ---- */
enum mr_dimacs_weight { MR_DIMACS_DISTANCE = 0, MR_DIMACS_TIME = 1 };
typedef struct mr_dimacs_opts {
	const char *coords_file; /* .co file (millionths of degrees); NULL = synthetic grid */
	const char *mode;        /* NULL = "road" */
	int gauge_mm;            /* rail only; 0 = MR_IMPORT_DEFAULT_GAUGE */
	int weight;              /* enum mr_dimacs_weight */
	double unit;             /* km (distance) or hours (time) per weight unit; <= 0 = 0.001 km
	                            (metres) or 1/3600 h (seconds) */
	double speed_kmh;        /* distance weights: the links' speed; <= 0 = MR_DIMACS_SPEED_KMH */
} mr_dimacs_opts;
#define MR_DIMACS_SPEED_KMH 50.0

/* Read a DIMACS graph: nodes "1".."n", each arc "a u v w" a directed link with id its ordinal.
 * Distance weights give length_km = w x unit at speed_kmh; time weights give the time w x unit,
 * the length being the geodesic distance between the coordinates (0 without a .co file). */
MR_API int mr_dimacs_import(const char *gr_file, const mr_dimacs_opts *o, mr_src *out, mr_import_report *rep,
                            mr_diag_fn diag, void *ud, mr_error *err);

/* ---- GMNS ---- */
typedef struct mr_gmns_opts {
	const char *mode;  /* mode of links whose allowed_uses names no mode Meridian knows; NULL = "road" */
	int gauge_mm;      /* rail links without gauge_mm; 0 = MR_IMPORT_DEFAULT_GAUGE */
	double length_km;  /* km per `length` unit; <= 0 = config.csv long_length, else metres */
	double speed_kmh;  /* km/h per `free_speed` unit; <= 0 = config.csv speed, else km/h */
} mr_gmns_opts;

/* Read a GMNS folder (node.csv, link.csv, optional config.csv for units). */
MR_API int mr_gmns_import(const char *dir, const mr_gmns_opts *o, mr_src *out, mr_import_report *rep,
                          mr_diag_fn diag, void *ud, mr_error *err);

/* ---- OpenStreetMap (only in meridian-import: it needs GDAL) ---- */
typedef struct mr_osm_opts {
	int rail, road;    /* what to import; both 0 = both */
	double snap_km;    /* a station, port or border point off the network is joined to the
	                      nearest way vertex within this; <= 0 = MR_OSM_SNAP_KM */
	double rail_speed_kmh; /* rail links without maxspeed; <= 0 = tariff speed (empty) */
} mr_osm_opts;
#define MR_OSM_SNAP_KM 1.0

/* Read an .osm (XML) or .pbf file through GDAL's OSM driver: railway=rail ways (gauge,
 * electrified, usage, service) and highway=motorway|trunk|primary|secondary (and their _link)
 * ways (maxspeed) become links between way ends and shared vertices; railway=station|halt,
 * ports and border controls become nodes. */
MR_API int mr_osm_import(const char *file, const mr_osm_opts *o, mr_src *out, mr_import_report *rep,
                         mr_diag_fn diag, void *ud, mr_error *err);

#endif
