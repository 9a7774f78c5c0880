/* mr_seaoverlay.h: the repair overlay of the maritime lane network (data/sea/): passage polygons
 * that tag lane links with a strait or canal name, its toll and its waiting time, and joins that
 * connect fragments of the lane network.
 *
 * Files in the overlay folder (all optional; a missing file means "nothing of that kind"):
 *   passages.geojson  FeatureCollection of Polygon or MultiPolygon features (WGS84 lon/lat) with
 *                     properties name (a word: a-z, 0-9, '-'), toll_usd (USD per TEU for a full
 *                     transit, >= 0), wait_h (hours for a full transit, >= 0), seasonal (boolean,
 *                     default false) and source (text).
 *   joins.csv         lon1,lat1,lon2,lat2,name,source[,new_end,kind]: one sea link per row between
 *                     the lane vertices nearest to (lon1,lat1) and (lon2,lat2), each within
 *                     MR_SEA_JOIN_SNAP_KM; new_end (empty, 1, 2 or both) makes that end a new lane
 *                     vertex at exactly the given point instead (for lanes the network lacks,
 *                     such as a canal); later rows snap to vertices made by earlier ones.
 *                     kind (empty, sea or waterway) is checked but only documents the join:
 *                     waterway joins follow a canal or river narrower than Natural Earth land.
 * See data/sea/README.md for what the shipped files hold and where their figures come from. */
#ifndef MERIDIAN_MR_SEAOVERLAY_H
#define MERIDIAN_MR_SEAOVERLAY_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"

#define MR_SEA_JOIN_SNAP_KM 50.0 /* a join end snaps to a lane vertex at most this far away */
#define MR_SEA_NODE_TYPE "sea"   /* node_type of lane vertices */

/* What one passage polygon did. */
typedef struct mr_sea_passage_info {
	char name[64];
	double toll_usd, wait_h; /* for a full transit, per TEU */
	int seasonal;
	size_t links;            /* lane links that carry this passage after the overlay */
	double length_km;        /* their total length: the toll and the wait are spread over it */
} mr_sea_passage_info;

/* Summary of one application of the overlay. The caller owns it; free it with
 * mr_sea_overlay_report_free. */
typedef struct mr_sea_overlay_report {
	mr_sea_passage_info *passages; /* one per polygon feature, in file order */
	size_t npassages;
	size_t passage_links; /* lane links tagged by a polygon (links that already had one excluded) */
	size_t joins;         /* join links added */
	size_t new_vertices;  /* lane vertices made by joins (new_end) */
} mr_sea_overlay_report;

void mr_sea_overlay_report_free(mr_sea_overlay_report *rep); /* accepts a zeroed report */

/* Apply the overlay folder `dir` to a source network whose lane vertices have node_type "sea"
 * and whose lane links have mode sea (call it after the lanes are read and before ports are
 * attached, so that joins snap to lane vertices only).
 *
 * Order: joins first (so that a join inside a passage polygon, such as a canal, is tagged too),
 * then passages. A sea link between two lane vertices whose geodesic midpoint lies inside a
 * polygon gets passage = its name, unless it already has a passage (an attribute of the lane
 * file), which it keeps. Each passage's toll_usd and wait_h are then spread over all lane links
 * that carry its name, in proportion to their length, and added to the links' toll_usd and
 * delay_h: a full transit pays the whole toll and wait, a partial one its share. Links of a
 * seasonal passage that are open become restricted.
 *
 * Every problem goes to diag (may be NULL) naming the file, the line (joins.csv) or the feature
 * (passages.geojson, "feature N" in the message) and the field; reading goes on so that one run
 * reports every problem. A passage that tags no link is an error. Returns MR_OK; MR_EPARSE if
 * any error was reported (err, if not NULL, holds the first one; src may then hold part of the
 * joins and tags and should be discarded); MR_EIO if dir is not a readable folder; MR_ENOMEM.
 * passage_links and joins (each may be NULL) receive the counts of the report. */
int mr_sea_overlay_apply(mr_src *src, const char *dir, mr_diag_fn diag, void *ud,
                         size_t *passage_links, size_t *joins, mr_error *err);

/* The same, filling *rep (may be NULL) with one entry per passage. */
int mr_sea_overlay_apply_ex(mr_src *src, const char *dir, mr_diag_fn diag, void *ud,
                            mr_sea_overlay_report *rep, mr_error *err);

#endif
