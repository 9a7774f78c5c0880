/* mr_seaoverlay.c: the repair overlay of the maritime network: fragment joins (joins.csv) and
 * passage polygons (passages.geojson, read through GDAL/OGR) applied to a lane network in an
 * mr_src.
 *
 * Invariants of the polygon store (struct passage): xy holds the vertices of every ring of the
 * feature as lon,lat pairs; ring r spans vertices ring_end[r-1] .. ring_end[r]-1 (ring_end[-1]
 * taken as 0). Rings of all parts of a MultiPolygon are kept together: the parts do not overlap
 * and holes lie inside their outer ring, so "inside" is the even-odd rule over all rings. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_error.h>
#include <gdal.h>
#include <geodesic.h>
#include <ogr_api.h>

#include "core/mr_geo.h"
#include "io/mr_csv.h"
#include "io/mr_seaoverlay.h"

#define PATH_MAX_LEN 1024
#define WGS84_A_M 6378137.0
#define WGS84_F (1.0 / 298.257223563)

typedef struct passage {
	char name[64];
	double toll, wait;
	int seasonal;
	int valid; /* 0 if the feature had an error: it tags nothing */
	double *xy;
	size_t nxy, cxy; /* points (pairs) */
	size_t *ring_end;
	size_t nrings, crings;
	double minx, miny, maxx, maxy;
	size_t links;    /* links carrying the name after tagging */
	double length_km;
} passage;

typedef struct ctx {
	mr_src *src;
	const char *dir;
	mr_diag_fn diag;
	void *ud;
	mr_error *err;
	size_t errors;
	passage *ps;
	size_t nps;
	uint32_t *sea; /* indexes of lane vertices (node_type "sea") */
	size_t nsea, csea;
	mr_sea_overlay_report rep;
} ctx;

/* ---- diagnostics ---- */

static void diag_report(ctx *c, int severity, const char *file, long line, int column,
                        const char *field, const char *fmt, ...) MR_PRINTF(7, 8);

static void diag_report(ctx *c, int severity, const char *file, long line, int column,
                        const char *field, const char *fmt, ...)
{
	mr_error e;
	char msg[sizeof(e.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_error_clear(&e);
	mr_error_set(&e, severity == MR_ERROR ? MR_EPARSE : MR_OK, file, line, column, field, "%s",
	             msg);
	if (severity == MR_ERROR) {
		if (c->errors == 0 && c->err)
			*c->err = e;
		c->errors++;
	}
	if (c->diag)
		c->diag(c->ud, severity, &e);
}

static void path_join(char *out, size_t size, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	snprintf(out, size, "%s%s%s", dir, (n && dir[n - 1] == '/') ? "" : "/", name);
}

/* 1 if path names an existing file; 0 if it does not exist; -1 (reported) otherwise. */
static int file_present(ctx *c, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		diag_report(c, MR_ERROR, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_report(c, MR_ERROR, path, 0, 0, NULL, "not a regular file");
		return -1;
	}
	return 1;
}

/* ---- numbers and words ---- */

static int isdig(int ch)
{
	return ch >= '0' && ch <= '9';
}


/* A passage name: 1 to 63 characters of a-z, 0-9 and '-' (it is typed after --avoid). */
static int is_word(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || isdig(*s) || *s == '-'))
			return 0;
	return n > 0 && n < 64;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* ---- geometry ---- */

static void geo_midpoint(double lon1, double lat1, double lon2, double lat2, double *lon,
                         double *lat)
{
	struct geod_geodesic g;
	double s12 = 0, azi1 = 0, azi2 = 0;

	geod_init(&g, WGS84_A_M, WGS84_F);
	geod_inverse(&g, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
	geod_direct(&g, lat1, lon1, azi1, s12 / 2, lat, lon, NULL);
	while (*lon > 180.0)
		*lon -= 360.0;
	while (*lon < -180.0)
		*lon += 360.0;
}

static int inside_at(const passage *p, double x, double y)
{
	size_t r, i, j, start = 0;
	int in = 0;

	if (x < p->minx || x > p->maxx || y < p->miny || y > p->maxy)
		return 0;
	for (r = 0; r < p->nrings; start = p->ring_end[r], r++) {
		size_t n = p->ring_end[r] - start;
		const double *v = p->xy + 2 * start;
		for (i = 0, j = n - 1; i < n; j = i++) {
			double xi = v[2 * i], yi = v[2 * i + 1], xj = v[2 * j], yj = v[2 * j + 1];
			if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
				in = !in;
		}
	}
	return in;
}

/* Even-odd rule over every ring; a point on the antimeridian is tried on both sides. */
static int inside(const passage *p, double x, double y)
{
	if (inside_at(p, x, y))
		return 1;
	if (x == 180.0)
		return inside_at(p, -180.0, y);
	if (x == -180.0)
		return inside_at(p, 180.0, y);
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *q;

	if (need <= *cap)
		return MR_OK;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	q = mr_realloc(*p, ncap * elem);
	if (!q)
		return MR_ENOMEM;
	*p = q;
	*cap = ncap;
	return MR_OK;
}

/* Append the rings of a Polygon to p. MR_OK, MR_ENOMEM, or MR_EPARSE (reported). */
static int add_polygon(ctx *c, const char *path, long feat, passage *p, OGRGeometryH poly)
{
	int r, nr = OGR_G_GetGeometryCount(poly);

	if (nr < 1) {
		diag_report(c, MR_ERROR, path, 0, 0, "geometry", "feature %ld ('%s'): empty polygon",
		            feat, p->name);
		return MR_EPARSE;
	}
	for (r = 0; r < nr; r++) {
		OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
		int i, n = ring ? OGR_G_GetPointCount(ring) : 0;
		if (n < 4) {
			diag_report(c, MR_ERROR, path, 0, 0, "geometry",
			            "feature %ld ('%s'): ring %d has %d points (a closed ring needs at least 4)",
			            feat, p->name, r + 1, n);
			return MR_EPARSE;
		}
		if (grow((void **)&p->xy, &p->cxy, p->nxy + (size_t)n, 2 * sizeof(double)) ||
		    grow((void **)&p->ring_end, &p->crings, p->nrings + 1, sizeof(size_t)))
			return MR_ENOMEM;
		for (i = 0; i < n; i++) {
			double x = OGR_G_GetX(ring, i), y = OGR_G_GetY(ring, i);
			if (!mr_geo_valid(x, y)) {
				diag_report(c, MR_ERROR, path, 0, 0, "geometry",
				            "feature %ld ('%s'): point %g,%g is not a longitude,latitude in "
				            "-180..180,-90..90",
				            feat, p->name, x, y);
				return MR_EPARSE;
			}
			p->xy[2 * p->nxy] = x;
			p->xy[2 * p->nxy + 1] = y;
			p->nxy++;
			if (p->nxy == 1 || x < p->minx)
				p->minx = x;
			if (p->nxy == 1 || x > p->maxx)
				p->maxx = x;
			if (p->nxy == 1 || y < p->miny)
				p->miny = y;
			if (p->nxy == 1 || y > p->maxy)
				p->maxy = y;
		}
		p->ring_end[p->nrings++] = p->nxy;
	}
	return MR_OK;
}

/* ---- passages.geojson ---- */

/* A number property: 1 and *out if present and valid (>= 0); 0 if reported. */
static int prop_number(ctx *c, const char *path, long feat, const char *name, OGRFeatureH f,
                       int idx, const char *field, double *out)
{
	OGRFieldType t;
	double v = 0;

	if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx)) {
		diag_report(c, MR_ERROR, path, 0, 0, field,
		            "feature %ld ('%s'): required property is missing", feat, name);
		return 0;
	}
	t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
	if (t == OFTReal || t == OFTInteger || t == OFTInteger64) {
		v = OGR_F_GetFieldAsDouble(f, idx);
		if (t == OFTInteger && OGR_Fld_GetSubType(OGR_F_GetFieldDefnRef(f, idx)) == OFSTBoolean) {
			diag_report(c, MR_ERROR, path, 0, 0, field,
			            "feature %ld ('%s'): a boolean is not a number", feat, name);
			return 0;
		}
	} else if (t == OFTString) {
		char buf[128];
		const char *s = OGR_F_GetFieldAsString(f, idx);
		int k;
		snprintf(buf, sizeof(buf), "%s", s);
		k = mr__csv_number(trim(buf), &v);
		if (k <= 0) {
			diag_report(c, MR_ERROR, path, 0, 0, field,
			            "feature %ld ('%s'): '%.60s' is %s", feat, name, s,
			            k == 0 ? "not a number" : "out of range");
			return 0;
		}
	} else {
		diag_report(c, MR_ERROR, path, 0, 0, field,
		            "feature %ld ('%s'): not a number", feat, name);
		return 0;
	}
	if (!isfinite(v) || v < 0) {
		diag_report(c, MR_ERROR, path, 0, 0, field,
		            "feature %ld ('%s'): %g is negative (must be >= 0)", feat, name, v);
		return 0;
	}
	*out = v;
	return 1;
}

static int prop_bool(ctx *c, const char *path, long feat, const char *name, OGRFeatureH f,
                     int idx, int *out)
{
	OGRFieldType t;

	*out = 0;
	if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx))
		return 1;
	t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
	if (t == OFTInteger || t == OFTInteger64) {
		long long v = OGR_F_GetFieldAsInteger64(f, idx);
		if (v == 0 || v == 1) {
			*out = (int)v;
			return 1;
		}
	} else if (t == OFTString) {
		const char *s = OGR_F_GetFieldAsString(f, idx);
		if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
			*out = 1;
			return 1;
		}
		if (!strcasecmp(s, "false") || !strcmp(s, "0") || !*s)
			return 1;
	}
	diag_report(c, MR_ERROR, path, 0, 0, "seasonal",
	            "feature %ld ('%s'): '%.60s' is not a boolean (expected true or false)", feat,
	            name, OGR_F_GetFieldAsString(f, idx));
	return 0;
}

/* Read passages.geojson into c->ps. MR_OK (also when the file is absent or had errors, which
 * are counted in c->errors) or MR_ENOMEM. */
static int read_passages(ctx *c)
{
	static const char *const drivers[] = {"GeoJSON", NULL};
	char path[PATH_MAX_LEN];
	GDALDatasetH ds = NULL;
	OGRLayerH layer;
	OGRFeatureDefnH defn;
	OGRFeatureH f = NULL;
	int i_name, i_toll, i_wait, i_seas, i_restr, i_src, rc = MR_OK, k;
	long feat = 0;
	size_t cps = 0;

	path_join(path, sizeof(path), c->dir, "passages.geojson");
	k = file_present(c, path);
	if (k <= 0)
		return MR_OK;
	GDALAllRegister();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	CPLErrorReset();
	ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
	if (!ds) {
		diag_report(c, MR_ERROR, path, 0, 0, NULL, "cannot be read as GeoJSON: %s",
		            *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg() : "unknown format");
		goto done;
	}
	if (GDALDatasetGetLayerCount(ds) != 1) {
		diag_report(c, MR_ERROR, path, 0, 0, NULL, "expected one FeatureCollection, found %d layers",
		            GDALDatasetGetLayerCount(ds));
		goto done;
	}
	layer = GDALDatasetGetLayer(ds, 0);
	defn = OGR_L_GetLayerDefn(layer);
	i_name = OGR_FD_GetFieldIndex(defn, "name");
	i_toll = OGR_FD_GetFieldIndex(defn, "toll_usd");
	i_wait = OGR_FD_GetFieldIndex(defn, "wait_h");
	i_seas = OGR_FD_GetFieldIndex(defn, "seasonal");
	i_restr = OGR_FD_GetFieldIndex(defn, "restricted"); /* closed by default for another reason */
	i_src = OGR_FD_GetFieldIndex(defn, "source");
	{
		static const char *const req[] = {"name", "toll_usd", "wait_h"};
		int idx[3], j, missing = 0;
		idx[0] = i_name, idx[1] = i_toll, idx[2] = i_wait;
		for (j = 0; j < 3; j++)
			if (idx[j] < 0) {
				diag_report(c, MR_ERROR, path, 0, 0, req[j],
				            "no feature has this required property");
				missing = 1;
			}
		if (missing)
			goto done;
	}
	OGR_L_ResetReading(layer);
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		passage *p;
		OGRGeometryH g;
		OGRwkbGeometryType gt;
		const char *nm;
		size_t j;
		int ok = 1;

		feat++;
		if (grow((void **)&c->ps, &cps, c->nps + 1, sizeof(*c->ps))) {
			rc = MR_ENOMEM;
			goto done;
		}
		p = &c->ps[c->nps++];
		memset(p, 0, sizeof(*p));
		nm = OGR_F_IsFieldSetAndNotNull(f, i_name) ? OGR_F_GetFieldAsString(f, i_name) : "";
		snprintf(p->name, sizeof(p->name), "%s", nm);
		if (!*nm) {
			diag_report(c, MR_ERROR, path, 0, 0, "name", "feature %ld: required property is missing",
			            feat);
			ok = 0;
		} else if (!is_word(nm)) {
			diag_report(c, MR_ERROR, path, 0, 0, "name",
			            "feature %ld: '%.60s' is not a passage name (1 to 63 of a-z, 0-9, '-')",
			            feat, nm);
			ok = 0;
		} else {
			for (j = 0; j + 1 < c->nps; j++)
				if (!strcmp(c->ps[j].name, nm)) {
					diag_report(c, MR_ERROR, path, 0, 0, "name",
					            "feature %ld: duplicate passage '%s' (use one MultiPolygon)",
					            feat, nm);
					ok = 0;
					break;
				}
		}
		if (!prop_number(c, path, feat, p->name, f, i_toll, "toll_usd", &p->toll))
			ok = 0;
		if (!prop_number(c, path, feat, p->name, f, i_wait, "wait_h", &p->wait))
			ok = 0;
		if (!prop_bool(c, path, feat, p->name, f, i_restr, &p->seasonal) ||
		    (!p->seasonal && !prop_bool(c, path, feat, p->name, f, i_seas, &p->seasonal)))
			ok = 0;
		if (i_src < 0 || !OGR_F_IsFieldSetAndNotNull(f, i_src) ||
		    !*OGR_F_GetFieldAsString(f, i_src))
			diag_report(c, MR_WARNING, path, 0, 0, "source", "feature %ld ('%s'): no source",
			            feat, p->name);
		g = OGR_F_GetGeometryRef(f);
		gt = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
		if (!g) {
			diag_report(c, MR_ERROR, path, 0, 0, "geometry", "feature %ld ('%s'): no geometry",
			            feat, p->name);
			ok = 0;
		} else if (gt == wkbPolygon) {
			int r = add_polygon(c, path, feat, p, g);
			if (r == MR_ENOMEM) {
				rc = r;
				goto done;
			}
			ok = ok && r == MR_OK;
		} else if (gt == wkbMultiPolygon) {
			int part, np = OGR_G_GetGeometryCount(g);
			for (part = 0; part < np && ok; part++) {
				int r = add_polygon(c, path, feat, p, OGR_G_GetGeometryRef(g, part));
				if (r == MR_ENOMEM) {
					rc = r;
					goto done;
				}
				ok = r == MR_OK;
			}
			if (np == 0) {
				diag_report(c, MR_ERROR, path, 0, 0, "geometry",
				            "feature %ld ('%s'): empty MultiPolygon", feat, p->name);
				ok = 0;
			}
		} else {
			diag_report(c, MR_ERROR, path, 0, 0, "geometry",
			            "feature %ld ('%s'): geometry is a %s (expected Polygon or MultiPolygon)",
			            feat, p->name, OGRGeometryTypeToName(gt));
			ok = 0;
		}
		p->valid = ok;
		OGR_F_Destroy(f);
		f = NULL;
	}
	if (CPLGetLastErrorType() >= CE_Failure && feat == 0)
		diag_report(c, MR_ERROR, path, 0, 0, NULL, "cannot be read as GeoJSON: %s",
		            CPLGetLastErrorMsg());
done:
	if (f)
		OGR_F_Destroy(f);
	if (ds)
		GDALClose(ds);
	CPLPopErrorHandler();
	return rc;
}

/* ---- joins.csv ---- */

static int is_sea_node(const mr_src *s, uint32_t i)
{
	return s->nodes[i].type && !strcmp(s->nodes[i].type, MR_SEA_NODE_TYPE);
}

static int add_sea_index(ctx *c, uint32_t i)
{
	if (grow((void **)&c->sea, &c->csea, c->nsea + 1, sizeof(*c->sea)))
		return MR_ENOMEM;
	c->sea[c->nsea++] = i;
	return MR_OK;
}

/* Great-circle distance on a sphere (km): a cheap stand-in to find the nearest vertex. */
static double sphere_km(double lon1, double lat1, double lon2, double lat2)
{
	const double d = M_PI / 180.0;
	double s1 = sin((lat2 - lat1) * d / 2), s2 = sin((lon2 - lon1) * d / 2);
	double h = s1 * s1 + cos(lat1 * d) * cos(lat2 * d) * s2 * s2;
	return 2 * 6371.0088 * asin(sqrt(h < 1 ? h : 1));
}

/* Nearest lane vertex to lon,lat: its index (MR_NONE if there is none) and geodesic km. */
static uint32_t nearest_sea(const ctx *c, double lon, double lat, double *km)
{
	uint32_t best = MR_NONE;
	double bd = INFINITY;
	size_t i;

	for (i = 0; i < c->nsea; i++) {
		const mr_src_node *n = &c->src->nodes[c->sea[i]];
		double d = sphere_km(lon, lat, n->lon, n->lat);
		if (d < bd) {
			bd = d;
			best = c->sea[i];
		}
	}
	*km = best == MR_NONE ? INFINITY
	                      : mr_geo_distance_km(lon, lat, c->src->nodes[best].lon,
	                                           c->src->nodes[best].lat);
	return best;
}

enum { J_LON1, J_LAT1, J_LON2, J_LAT2, J_NAME, J_SOURCE, J_NEW, J_KIND, J_NCOLS };
static const char *const join_cols[J_NCOLS] = {"lon1", "lat1",   "lon2",    "lat2",
                                               "name", "source", "new_end", "kind"};

static int link_exists(const mr_src *s, uint32_t a, uint32_t b)
{
	size_t i;

	for (i = 0; i < s->nlinks; i++)
		if ((s->links[i].from == a && s->links[i].to == b) ||
		    (s->links[i].from == b && s->links[i].to == a))
			return 1;
	return 0;
}

/* One data row of joins.csv. MR_OK (also after a reported problem) or MR_ENOMEM. */
static int join_row(ctx *c, mr_csv *csv, const char *path, const int *col)
{
	long line = csv->row_line;
	double v[4];
	const char *name, *source, *newv, *kind;
	int newend[2] = {0, 0}, e, bad = 0;
	uint32_t end[2];
	char id[64];
	mr_src_link l;

	for (e = 0; e < 4; e++) {
		char *s = trim(mr_csv_field(csv, (size_t)col[e]));
		int k;
		if (!*s) {
			diag_report(c, MR_ERROR, path, line, col[e] + 1, join_cols[e],
			            "required value is missing");
			bad = 1;
			continue;
		}
		k = mr__csv_number(s, &v[e]);
		if (k <= 0) {
			diag_report(c, MR_ERROR, path, line, col[e] + 1, join_cols[e], "'%.60s' is %s", s,
			            k == 0 ? "not a number" : "out of range");
			bad = 1;
		} else if ((e % 2 == 0 && fabs(v[e]) > 180.0) || (e % 2 == 1 && fabs(v[e]) > 90.0)) {
			diag_report(c, MR_ERROR, path, line, col[e] + 1, join_cols[e],
			            "%s %g is outside %s", e % 2 ? "latitude" : "longitude", v[e],
			            e % 2 ? "-90..90" : "-180..180");
			bad = 1;
		}
	}
	name = col[J_NAME] >= 0 ? trim(mr_csv_field(csv, (size_t)col[J_NAME])) : "";
	source = col[J_SOURCE] >= 0 ? trim(mr_csv_field(csv, (size_t)col[J_SOURCE])) : "";
	newv = col[J_NEW] >= 0 ? trim(mr_csv_field(csv, (size_t)col[J_NEW])) : "";
	if (!strcmp(newv, "1"))
		newend[0] = 1;
	else if (!strcmp(newv, "2"))
		newend[1] = 1;
	else if (!strcasecmp(newv, "both"))
		newend[0] = newend[1] = 1;
	else if (*newv && strcmp(newv, "0")) {
		diag_report(c, MR_ERROR, path, line, col[J_NEW] + 1, "new_end",
		            "'%.60s' is not an end (expected empty, 1, 2 or both)", newv);
		bad = 1;
	}
	kind = col[J_KIND] >= 0 ? trim(mr_csv_field(csv, (size_t)col[J_KIND])) : "";
	if (*kind && strcmp(kind, "sea") && strcmp(kind, "waterway")) {
		diag_report(c, MR_ERROR, path, line, col[J_KIND] + 1, "kind",
		            "'%.60s' is not a join kind (expected sea or waterway)", kind);
		bad = 1;
	}
	if (!*source)
		diag_report(c, MR_WARNING, path, line, col[J_SOURCE] >= 0 ? col[J_SOURCE] + 1 : 0,
		            "source", "no source");
	if (bad)
		return MR_OK;
	for (e = 0; e < 2; e++) {
		double lon = v[2 * e], lat = v[2 * e + 1], km;
		if (newend[e]) {
			mr_src_node n;
			memset(&n, 0, sizeof(n));
			snprintf(id, sizeof(id), "sea-join-%ld-%d", line, e + 1);
			n.id = id;
			n.type = (char *)MR_SEA_NODE_TYPE;
			n.lon = lon;
			n.lat = lat;
			n.line = line;
			if (mr_src_add_node(c->src, &n, &end[e]) || add_sea_index(c, end[e]))
				return MR_ENOMEM;
			c->rep.new_vertices++;
			continue;
		}
		end[e] = nearest_sea(c, lon, lat, &km);
		if (end[e] == MR_NONE || km > MR_SEA_JOIN_SNAP_KM) {
			if (end[e] == MR_NONE)
				diag_report(c, MR_ERROR, path, line, col[2 * e] + 1, join_cols[2 * e],
				            "end %d (%g,%g): the network has no lane vertex to snap to", e + 1,
				            lon, lat);
			else
				diag_report(c, MR_ERROR, path, line, col[2 * e] + 1, join_cols[2 * e],
				            "end %d (%g,%g): nearest lane vertex '%s' is %.1f km away (more "
				            "than %.0f km)",
				            e + 1, lon, lat, c->src->nodes[end[e]].id, km, MR_SEA_JOIN_SNAP_KM);
			bad = 1;
		}
	}
	if (bad)
		return MR_OK;
	if (end[0] == end[1]) {
		diag_report(c, MR_WARNING, path, line, 0, NULL,
		            "both ends snap to lane vertex '%s': join '%s' skipped",
		            c->src->nodes[end[0]].id, name);
		return MR_OK;
	}
	if (link_exists(c->src, end[0], end[1])) {
		diag_report(c, MR_WARNING, path, line, 0, NULL,
		            "lane vertices '%s' and '%s' are already linked: join '%s' skipped",
		            c->src->nodes[end[0]].id, c->src->nodes[end[1]].id, name);
		return MR_OK;
	}
	memset(&l, 0, sizeof(l));
	snprintf(id, sizeof(id), "sea-join-%ld", line);
	l.id = id;
	l.from = end[0];
	l.to = end[1];
	l.mode = MR_MODE_SEA;
	l.status = MR_STATUS_OPEN;
	l.name = (char *)name;
	l.source = (char *)source;
	l.length_km = mr_geo_distance_km(c->src->nodes[end[0]].lon, c->src->nodes[end[0]].lat,
	                                 c->src->nodes[end[1]].lon, c->src->nodes[end[1]].lat);
	l.line = line;
	if (mr_src_add_link(c->src, &l, NULL))
		return MR_ENOMEM;
	c->rep.joins++;
	return MR_OK;
}

static int read_joins(ctx *c)
{
	char path[PATH_MAX_LEN];
	mr_csv csv;
	mr_error e;
	int col[J_NCOLS], header = 0, rc = MR_OK, k;
	size_t i, hdr_nf = 0;

	path_join(path, sizeof(path), c->dir, "joins.csv");
	k = file_present(c, path);
	if (k <= 0)
		return MR_OK;
	memset(&csv, 0, sizeof(csv));
	mr_error_clear(&e);
	rc = mr_csv_open(&csv, path, MR_CSV_SKIP_COMMENTS, &e);
	if (rc == MR_ENOMEM)
		return rc;
	if (rc) {
		diag_report(c, MR_ERROR, path, e.line, e.column, e.field[0] ? e.field : NULL, "%s",
		            e.msg);
		return MR_OK;
	}
	for (i = 0; i < c->src->nnodes; i++)
		if (is_sea_node(c->src, (uint32_t)i) && add_sea_index(c, (uint32_t)i)) {
			rc = MR_ENOMEM;
			goto done;
		}
	for (;;) {
		k = mr_csv_next(&csv, &e);
		if (k == 0)
			break;
		if (k == MR_ENOMEM) {
			rc = k;
			goto done;
		}
		if (k < 0) {
			diag_report(c, MR_ERROR, path, e.line, e.column, e.field[0] ? e.field : NULL, "%s",
			            e.msg);
			continue;
		}
		if (!header) {
			int j, missing = 0;
			header = 1;
			hdr_nf = mr_csv_nfields(&csv);
			for (j = 0; j < J_NCOLS; j++)
				col[j] = -1;
			for (i = 0; i < mr_csv_nfields(&csv); i++) {
				const char *h = trim(mr_csv_field(&csv, i));
				for (j = 0; j < J_NCOLS; j++)
					if (!strcasecmp(h, join_cols[j])) {
						if (col[j] >= 0) {
							diag_report(c, MR_ERROR, path, csv.row_line, (int)i + 1,
							            join_cols[j], "duplicate column (also column %d)",
							            col[j] + 1);
							missing = 1;
						} else
							col[j] = (int)i;
					}
			}
			for (j = 0; j <= J_LAT2; j++)
				if (col[j] < 0) {
					diag_report(c, MR_ERROR, path, csv.row_line, 0, join_cols[j],
					            "missing required column");
					missing = 1;
				}
			if (col[J_SOURCE] < 0)
				diag_report(c, MR_WARNING, path, csv.row_line, 0, "source",
				            "no source column");
			if (missing)
				goto done;
			continue;
		}
		if (mr_csv_nfields(&csv) != hdr_nf) {
			size_t nf = mr_csv_nfields(&csv);
			if (nf < hdr_nf)
				diag_report(c, MR_ERROR, path, csv.row_line, (int)nf + 1, NULL,
				            "row has %zu fields but the header has %zu", nf, hdr_nf);
			else
				diag_report(c, MR_ERROR, path, csv.row_line, (int)hdr_nf + 1, NULL,
				            "row has %zu fields but the header has only %zu", nf, hdr_nf);
			continue;
		}
		rc = join_row(c, &csv, path, col);
		if (rc)
			goto done;
	}
	if (!header)
		diag_report(c, MR_ERROR, path, 1, 0, NULL, "empty file: no header row");
done:
	mr_csv_close(&csv);
	return rc;
}

/* ---- tagging and spreading ---- */

static int lane_link(const mr_src *s, const mr_src_link *l)
{
	return l->mode == MR_MODE_SEA && is_sea_node(s, l->from) && is_sea_node(s, l->to);
}

static int set_passage(mr_src_link *l, const char *name)
{
	char *p = mr_strdup(name);
	if (!p)
		return MR_ENOMEM;
	mr_free(l->passage);
	l->passage = p;
	return MR_OK;
}

static int apply_passages(ctx *c, const char *path)
{
	mr_src *s = c->src;
	size_t i, j;

	for (i = 0; i < s->nlinks; i++) {
		mr_src_link *l = &s->links[i];
		const mr_src_node *a, *b;
		double mx, my;
		if (!lane_link(s, l) || (l->passage && *l->passage))
			continue;
		a = &s->nodes[l->from];
		b = &s->nodes[l->to];
		geo_midpoint(a->lon, a->lat, b->lon, b->lat, &mx, &my);
		for (j = 0; j < c->nps; j++) {
			if (!c->ps[j].valid || !inside(&c->ps[j], mx, my))
				continue;
			if (set_passage(l, c->ps[j].name))
				return MR_ENOMEM;
			c->rep.passage_links++;
			break;
		}
	}
	for (j = 0; j < c->nps; j++) {
		passage *p = &c->ps[j];
		if (!p->valid)
			continue;
		for (i = 0; i < s->nlinks; i++) {
			const mr_src_link *l = &s->links[i];
			if (lane_link(s, l) && l->passage && !strcmp(l->passage, p->name)) {
				p->links++;
				p->length_km += l->length_km;
			}
		}
		if (p->links == 0) {
			diag_report(c, MR_ERROR, path, 0, 0, "geometry",
			            "feature %zu ('%s'): the polygon contains the midpoint of no lane link",
			            j + 1, p->name);
			continue;
		}
		for (i = 0; i < s->nlinks; i++) {
			mr_src_link *l = &s->links[i];
			double share;
			if (!lane_link(s, l) || !l->passage || strcmp(l->passage, p->name))
				continue;
			share = p->length_km > 0 ? l->length_km / p->length_km : 1.0 / (double)p->links;
			l->toll_usd += p->toll * share;
			l->delay_h += p->wait * share;
			if (p->seasonal && l->status == MR_STATUS_OPEN)
				l->status = MR_STATUS_RESTRICTED;
		}
	}
	return MR_OK;
}

/* ---- entry points ---- */

void mr_sea_overlay_report_free(mr_sea_overlay_report *rep)
{
	if (!rep)
		return;
	mr_free(rep->passages);
	memset(rep, 0, sizeof(*rep));
}

int mr_sea_overlay_apply_ex(mr_src *src, const char *dir, mr_diag_fn diag, void *ud,
                            mr_sea_overlay_report *rep, mr_error *err)
{
	ctx c;
	struct stat st;
	char path[PATH_MAX_LEN];
	size_t j;
	int rc;

	memset(&c, 0, sizeof(c));
	c.src = src;
	c.dir = dir;
	c.diag = diag;
	c.ud = ud;
	c.err = err;
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (err)
		mr_error_clear(err);
	if (!src || !dir)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no network or no overlay folder");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		mr_error e;
		mr_error_clear(&e);
		mr_error_set(&e, MR_EIO, dir, 0, 0, NULL, "overlay folder cannot be read: %s",
		             stat(dir, &st) != 0 ? strerror(errno) : "not a folder");
		if (err)
			*err = e;
		if (diag)
			diag(ud, MR_ERROR, &e);
		return MR_EIO;
	}
	rc = read_joins(&c);
	if (rc)
		goto unwind;
	rc = read_passages(&c);
	if (rc)
		goto unwind;
	path_join(path, sizeof(path), dir, "passages.geojson");
	rc = apply_passages(&c, path);
	if (rc)
		goto unwind;
	if (rep && c.nps) {
		rep->passages = mr_calloc(c.nps, sizeof(*rep->passages));
		if (!rep->passages) {
			rc = MR_ENOMEM;
			goto unwind;
		}
		for (j = 0; j < c.nps; j++) {
			mr_sea_passage_info *pi = &rep->passages[j];
			snprintf(pi->name, sizeof(pi->name), "%s", c.ps[j].name);
			pi->toll_usd = c.ps[j].toll;
			pi->wait_h = c.ps[j].wait;
			pi->seasonal = c.ps[j].seasonal;
			pi->links = c.ps[j].links;
			pi->length_km = c.ps[j].length_km;
		}
		rep->npassages = c.nps;
	}
	if (rep) {
		rep->passage_links = c.rep.passage_links;
		rep->joins = c.rep.joins;
		rep->new_vertices = c.rep.new_vertices;
	}
	rc = c.errors ? MR_EPARSE : MR_OK;
unwind:
	if (rc == MR_ENOMEM) {
		mr_error_set(err, MR_ENOMEM, dir, 0, 0, NULL, "out of memory applying the sea overlay");
		if (rep)
			mr_sea_overlay_report_free(rep);
	}
	for (j = 0; j < c.nps; j++) {
		mr_free(c.ps[j].xy);
		mr_free(c.ps[j].ring_end);
	}
	mr_free(c.ps);
	mr_free(c.sea);
	return rc;
}

int mr_sea_overlay_apply(mr_src *src, const char *dir, mr_diag_fn diag, void *ud,
                         size_t *passage_links, size_t *joins, mr_error *err)
{
	mr_sea_overlay_report rep;
	int rc = mr_sea_overlay_apply_ex(src, dir, diag, ud, &rep, err);

	if (passage_links)
		*passage_links = rep.passage_links;
	if (joins)
		*joins = rep.joins;
	mr_sea_overlay_report_free(&rep);
	return rc;
}
