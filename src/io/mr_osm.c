/* mr_osm.c: imports OpenStreetMap rail and main roads (.osm XML or .pbf, read with GDAL's OSM
 * driver) into an mr_src: ways split at shared vertices into links, stations, ports and border
 * controls as nodes; docs/importers.md has the mapping. Only in meridian-import (GDAL).
 *
 * Invariants while importing: pts[0..npts) are the vertices of the kept ways, way w owning
 * pts[w.first .. w.first + w.n); vt maps each distinct rounded coordinate (1e-7 degree) to one
 * vertex record (open addressing, power-of-two slots, at least twice as many as vertices);
 * vx[k].uses counts the way ends and way passages at vertex k (>= 2 or a tagged point there
 * makes it a node of the result). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include "meridian/mr_import.h"
#include "core/mr_geo.h"
#include "io/mr_import_int.h"

#define SCALE 1e7

typedef struct vrec {
	int64_t ilon, ilat;
	uint32_t uses;
	uint32_t node; /* index in out, MR_NONE until made */
	int mode, gauge;
} vrec;

typedef struct way {
	size_t first, n;
	int mode, gauge, electrified, directed;
	double speed;
	char *id, *name, *tags;
} way;

typedef struct poi {
	double lon, lat;
	char *id, *name, *type;
} poi;

typedef struct osm {
	mr__ictx c;
	const char *file;
	uint32_t *pts; /* vertex index per way point */
	size_t npts, cpts;
	vrec *vx;
	size_t nvx, cvx;
	uint32_t *slots;
	size_t nslots;
	way *ways;
	size_t nways, cways;
	poi *pois;
	size_t npois, cpois;
} osm;

static int grow(void **p, size_t n, size_t *cap, size_t size)
{
	void *q;
	size_t nc;
	if (n < *cap)
		return MR_OK;
	nc = *cap ? *cap * 2 : 256;
	if (!(q = mr_realloc(*p, nc * size)))
		return MR_ENOMEM;
	*p = q;
	*cap = nc;
	return MR_OK;
}

static uint32_t vhash(int64_t a, int64_t b)
{
	uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ull ^ (uint64_t)b * 0xC2B2AE3D27D4EB4Full;
	return (uint32_t)(h ^ (h >> 29));
}

/* The vertex at lon/lat (made if new): MR_OK and *k, or MR_ENOMEM. */
static int vertex(osm *m, double lon, double lat, int make, uint32_t *k)
{
	int64_t a = llround(lon * SCALE), b = llround(lat * SCALE);
	size_t i;
	if (m->nvx * 2 + 2 > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 4096, j;
		uint32_t *s = mr_malloc(n * sizeof(*s));
		if (!s)
			return MR_ENOMEM;
		for (j = 0; j < n; j++)
			s[j] = MR_NONE;
		for (j = 0; j < m->nvx; j++) {
			for (i = vhash(m->vx[j].ilon, m->vx[j].ilat) & (n - 1); s[i] != MR_NONE; i = (i + 1) & (n - 1))
				;
			s[i] = (uint32_t)j;
		}
		mr_free(m->slots);
		m->slots = s;
		m->nslots = n;
	}
	for (i = vhash(a, b) & (m->nslots - 1); m->slots[i] != MR_NONE; i = (i + 1) & (m->nslots - 1))
		if (m->vx[m->slots[i]].ilon == a && m->vx[m->slots[i]].ilat == b) {
			*k = m->slots[i];
			return MR_OK;
		}
	if (!make) {
		*k = MR_NONE;
		return MR_OK;
	}
	if (grow((void **)&m->vx, m->nvx, &m->cvx, sizeof(vrec)))
		return MR_ENOMEM;
	memset(&m->vx[m->nvx], 0, sizeof(vrec));
	m->vx[m->nvx].ilon = a, m->vx[m->nvx].ilat = b, m->vx[m->nvx].node = MR_NONE;
	m->slots[i] = (uint32_t)m->nvx;
	*k = (uint32_t)m->nvx++;
	return MR_OK;
}

/* The value of OSM tag key on f: its own field, else from the other_tags hstore
 * ("k"=>"v","k2"=>"v2"). "" when absent. */
static const char *tag(OGRFeatureH f, const char *key, char *buf, size_t size)
{
	OGRFeatureDefnH d = OGR_F_GetDefnRef(f);
	int i = OGR_FD_GetFieldIndex(d, key);
	const char *s, *p;
	char pat[96];
	size_t n = 0;
	buf[0] = '\0';
	if (i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i)) {
		snprintf(buf, size, "%s", OGR_F_GetFieldAsString(f, i));
		return buf;
	}
	if ((i = OGR_FD_GetFieldIndex(d, "other_tags")) < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
		return buf;
	s = OGR_F_GetFieldAsString(f, i);
	snprintf(pat, sizeof(pat), "\"%s\"=>\"", key);
	for (p = strstr(s, pat); p && p != s && p[-1] != ',';)
		p = strstr(p + 1, pat);
	if (!p)
		return buf;
	for (p += strlen(pat); *p && *p != '"' && n + 1 < size; p++) {
		if (*p == '\\' && p[1])
			p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

/* maxspeed in km/h ("100", "60 mph"); 0 when absent or not a number ("RU:urban", "none"). */
static double maxspeed(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v) || v <= 0)
		return 0;
	while (*end == ' ')
		end++;
	if (strcmp(end, "mph") == 0)
		return v * 1.609344;
	return *end ? 0 : v;
}

static const char *osm_id(OGRFeatureH f, char *buf, size_t size)
{
	int i = OGR_FD_GetFieldIndex(OGR_F_GetDefnRef(f), "osm_id");
	snprintf(buf, size, "%s", i >= 0 ? OGR_F_GetFieldAsString(f, i) : "");
	if (!buf[0])
		snprintf(buf, size, "%lld", (long long)OGR_F_GetFID(f));
	return buf;
}

static int add_point(osm *m, const mr_osm_opts *o, OGRFeatureH f, OGRGeometryH g, mr_import_report *rep)
{
	char rw[64], bar[64], h[64], lu[64], ind[64], pt[64], name[256], idb[64], id[80];
	const char *type = NULL;
	poi *p;
	tag(f, "railway", rw, sizeof(rw));
	tag(f, "barrier", bar, sizeof(bar));
	tag(f, "harbour", h, sizeof(h));
	tag(f, "landuse", lu, sizeof(lu));
	tag(f, "industrial", ind, sizeof(ind));
	tag(f, "public_transport", pt, sizeof(pt));
	if (strcmp(bar, "border_control") == 0)
		type = "border", rep->borders++;
	else if (strcmp(h, "yes") == 0 || strcmp(lu, "port") == 0 || strcmp(ind, "port") == 0)
		type = "port", rep->ports++;
	else if ((o->rail || !o->road) && (strcmp(rw, "station") == 0 || strcmp(rw, "halt") == 0 ||
	                                   strcmp(rw, "yard") == 0 || strcmp(rw, "goods") == 0))
		type = "station", rep->stations++;
	if (!type)
		return MR_OK;
	if (grow((void **)&m->pois, m->npois, &m->cpois, sizeof(poi)))
		return MR_ENOMEM;
	p = &m->pois[m->npois];
	memset(p, 0, sizeof(*p));
	p->lon = OGR_G_GetX(g, 0);
	p->lat = OGR_G_GetY(g, 0);
	snprintf(id, sizeof(id), "n%s", osm_id(f, idb, sizeof(idb)));
	tag(f, "name", name, sizeof(name));
	p->id = mr_strdup(id);
	p->name = mr_strdup(name);
	p->type = mr_strdup(type);
	m->npois++;
	return p->id && p->name && p->type ? MR_OK : MR_ENOMEM;
}

static int add_way(osm *m, const mr_osm_opts *o, OGRFeatureH f, OGRGeometryH g, mr_import_report *rep)
{
	static const char *const roads[] = {"motorway", "trunk", "primary", "secondary", "motorway_link",
	                                    "trunk_link", "primary_link", "secondary_link"};
	char rw[64], hw[64], gauge[64], el[64], usage[64], service[64], ms[64], ow[32], name[256], ref[64], idb[64];
	char tags[512];
	int mode = -1, rc;
	size_t i, n, k;
	way *w;
	tag(f, "railway", rw, sizeof(rw));
	tag(f, "highway", hw, sizeof(hw));
	if ((o->rail || !o->road) && strcmp(rw, "rail") == 0)
		mode = MR_MODE_RAIL;
	else if (o->road || !o->rail)
		for (k = 0; k < sizeof(roads) / sizeof(roads[0]); k++)
			if (strcmp(hw, roads[k]) == 0)
				mode = MR_MODE_ROAD;
	if (mode < 0 || (n = (size_t)OGR_G_GetPointCount(g)) < 2)
		return MR_OK;
	if (grow((void **)&m->ways, m->nways, &m->cways, sizeof(way)))
		return MR_ENOMEM;
	w = &m->ways[m->nways];
	memset(w, 0, sizeof(*w));
	w->mode = mode;
	tag(f, "maxspeed", ms, sizeof(ms));
	w->speed = maxspeed(ms);
	if (mode == MR_MODE_RAIL) {
		tag(f, "gauge", gauge, sizeof(gauge));
		w->gauge = atoi(gauge); /* "1520;1435" (dual gauge): the first */
		if (!mr_gauge_known(w->gauge)) {
			mr__isay(&m->c, MR_WARNING, m->file, 0, 0, "gauge", "way %s: gauge '%s' %s: %d mm used",
			    osm_id(f, idb, sizeof(idb)), gauge, gauge[0] ? "is not one Meridian knows" : "missing",
			    MR_IMPORT_DEFAULT_GAUGE);
			w->gauge = MR_IMPORT_DEFAULT_GAUGE;
		}
		tag(f, "electrified", el, sizeof(el));
		w->electrified = el[0] && strcmp(el, "no") != 0;
		if (!w->speed && o->rail_speed_kmh > 0)
			w->speed = o->rail_speed_kmh;
		rep->ways_rail++;
	} else
		rep->ways_road++;
	tag(f, "oneway", ow, sizeof(ow));
	w->directed = strcmp(ow, "yes") == 0 || strcmp(ow, "1") == 0 || strcmp(ow, "true") == 0 ? 1 :
	              strcmp(ow, "-1") == 0 ? -1 : 0;
	tag(f, "usage", usage, sizeof(usage));
	tag(f, "service", service, sizeof(service));
	tag(f, "ref", ref, sizeof(ref));
	snprintf(tags, sizeof(tags), "osm%s%s%s%s%s%s%s%s", mode == MR_MODE_ROAD ? ";highway=" : ";railway=",
	         mode == MR_MODE_ROAD ? hw : rw, usage[0] ? ";usage=" : "", usage, service[0] ? ";service=" : "", service,
	         ref[0] ? ";ref=" : "", ref);
	tag(f, "name", name, sizeof(name));
	w->id = mr_strdup(osm_id(f, idb, sizeof(idb)));
	w->name = mr_strdup(name);
	w->tags = mr_strdup(tags);
	w->first = m->npts;
	m->nways++;
	if (!w->id || !w->name || !w->tags)
		return MR_ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t v;
		if ((rc = vertex(m, OGR_G_GetX(g, (int)i), OGR_G_GetY(g, (int)i), 1, &v)) != MR_OK)
			return rc;
		if (grow((void **)&m->pts, m->npts, &m->cpts, sizeof(uint32_t)))
			return MR_ENOMEM;
		m->pts[m->npts++] = v;
		m->vx[v].uses += (i == 0 || i == n - 1) ? 2 : 1;
		if (!m->vx[v].mode && !m->vx[v].gauge) {
			m->vx[v].mode = mode + 1; /* +1: 0 = none yet */
			m->vx[v].gauge = w->gauge;
		}
	}
	w->n = n;
	return MR_OK;
}

static int read_file(osm *m, const mr_osm_opts *o, mr_import_report *rep)
{
	static const char *const drivers[] = {"OSM", NULL};
	GDALDatasetH ds;
	OGRFeatureH f;
	OGRLayerH lyr;
	int rc = MR_OK;

	GDALAllRegister();
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	ds = GDALOpenEx(m->file, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
	if (!ds) {
		mr__isay(&m->c, MR_ERROR, m->file, 0, 0, NULL, "not an OpenStreetMap file (.osm XML or .pbf) that GDAL can read%s%s",
		    CPLGetLastErrorMsg()[0] ? ": " : "", CPLGetLastErrorMsg());
		CPLPopErrorHandler();
		return MR_OK;
	}
	while (rc == MR_OK && (f = GDALDatasetGetNextFeature(ds, &lyr, NULL, NULL, NULL)) != NULL) {
		const char *ln = OGR_L_GetName(lyr);
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g && strcmp(ln, "points") == 0 && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint)
			rc = add_point(m, o, f, g, rep);
		else if (g && strcmp(ln, "lines") == 0 && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString) {
			rep->links_read++;
			rc = add_way(m, o, f, g, rep);
		}
		OGR_F_Destroy(f);
	}
	if (CPLGetLastErrorType() >= CE_Failure && rc == MR_OK && !m->nways)
		mr__isay(&m->c, MR_ERROR, m->file, 0, 0, NULL, "GDAL: %s", CPLGetLastErrorMsg());
	CPLPopErrorHandler();
	GDALClose(ds);
	return rc;
}

static int make_node(osm *m, mr_src *out, uint32_t v, const poi *p)
{
	mr_src_node n;
	char id[32];
	int rc;
	if (m->vx[v].node != MR_NONE)
		return MR_OK;
	memset(&n, 0, sizeof(n));
	n.lon = (double)m->vx[v].ilon / SCALE;
	n.lat = (double)m->vx[v].ilat / SCALE;
	if (p) {
		n.id = p->id, n.name = p->name, n.type = p->type;
	} else {
		snprintf(id, sizeof(id), "v%zu", (size_t)out->nnodes + 1);
		n.id = id, n.type = "junction";
	}
	rc = mr_src_add_node(out, &n, &m->vx[v].node);
	return rc;
}

static int build(osm *m, const mr_osm_opts *o, mr_src *out, mr_import_report *rep)
{
	size_t i, j;
	double snap = o->snap_km > 0 ? o->snap_km : MR_OSM_SNAP_KM;
	int rc;
	char id[96], src[160];

	if (!(out->dir = mr_strdup(m->file)))
		return MR_ENOMEM;
	/* tagged points on a way vertex name that vertex */
	for (i = 0; i < m->npois; i++) {
		uint32_t v;
		if ((rc = vertex(m, m->pois[i].lon, m->pois[i].lat, 0, &v)) != MR_OK)
			return rc;
		if (v != MR_NONE && m->vx[v].node == MR_NONE) {
			if ((rc = make_node(m, out, v, &m->pois[i])) != MR_OK)
				return rc;
			m->pois[i].lon = NAN; /* placed */
		}
	}
	for (i = 0; i < m->nways; i++) {
		const way *w = &m->ways[i];
		size_t start = 0, part = 0;
		double len = 0;
		for (j = 0; j < w->n; j++) {
			uint32_t v = m->pts[w->first + j];
			if (j > 0) {
				const vrec *a = &m->vx[m->pts[w->first + j - 1]], *b = &m->vx[v];
				len += mr_geo_distance_km((double)a->ilon / SCALE, (double)a->ilat / SCALE, (double)b->ilon / SCALE,
				                          (double)b->ilat / SCALE);
			}
			if (j == 0 || j == w->n - 1 || m->vx[v].uses >= 2 || m->vx[v].node != MR_NONE) {
				if ((rc = make_node(m, out, v, NULL)) != MR_OK)
					return rc;
				if (j > 0) {
					mr_src_link l;
					uint32_t a = m->vx[m->pts[w->first + start]].node, b = m->vx[v].node;
					if (a != b) {
						memset(&l, 0, sizeof(l));
						snprintf(id, sizeof(id), "w%s-%zu", w->id, ++part);
						snprintf(src, sizeof(src), "OpenStreetMap way %s (ODbL, (c) OpenStreetMap contributors)", w->id);
						l.id = id, l.name = w->name, l.tags = w->tags, l.source = src;
						l.from = w->directed < 0 ? b : a;
						l.to = w->directed < 0 ? a : b;
						l.directed = w->directed != 0;
						l.mode = w->mode;
						l.gauge_mm = w->mode == MR_MODE_RAIL ? w->gauge : 0;
						l.electrified = w->electrified;
						l.free_speed_kmh = w->speed;
						l.length_km = len;
						l.status = MR_STATUS_OPEN;
						if ((rc = mr_src_add_link(out, &l, NULL)) != MR_OK)
							return rc;
					}
					start = j;
					len = 0;
				}
			}
		}
	}
	/* the other points: joined to the nearest node of the network within snap km */
	for (i = 0; i < m->npois; i++) {
		poi *p = &m->pois[i];
		mr_src_node n;
		mr_src_link l;
		uint32_t best = MR_NONE, k;
		double bd = HUGE_VAL;
		if (isnan(p->lon))
			continue;
		for (j = 0; j < out->nnodes; j++) {
			double dd = mr_geo_distance_km(p->lon, p->lat, out->nodes[j].lon, out->nodes[j].lat);
			if (dd < bd)
				bd = dd, best = (uint32_t)j;
		}
		memset(&n, 0, sizeof(n));
		n.id = p->id, n.name = p->name, n.type = p->type, n.lon = p->lon, n.lat = p->lat;
		if (best != MR_NONE && bd > snap) {
			mr__isay(&m->c, MR_WARNING, m->file, 0, 0, NULL, "%s '%s' (%s) is %.2f km from the network (more than %g km): "
			    "kept without a link", p->type, p->name, p->id, bd, snap);
			best = MR_NONE;
		}
		if ((rc = mr_src_add_node(out, &n, &k)) != MR_OK)
			return rc;
		if (best == MR_NONE)
			continue;
		{
			uint32_t v;
			int mode = MR_MODE_ROAD, gauge = 0;
			if ((rc = vertex(m, out->nodes[best].lon, out->nodes[best].lat, 0, &v)) != MR_OK)
				return rc;
			if (v != MR_NONE && m->vx[v].mode)
				mode = m->vx[v].mode - 1, gauge = m->vx[v].gauge;
			memset(&l, 0, sizeof(l));
			snprintf(id, sizeof(id), "%s-%s", p->id, out->nodes[best].id);
			l.id = id, l.tags = "osm;connector", l.source = "geodesic join of a tagged OpenStreetMap node";
			l.from = k, l.to = best, l.mode = mode, l.gauge_mm = mode == MR_MODE_RAIL ? gauge : 0;
			l.length_km = bd, l.status = MR_STATUS_OPEN;
			if ((rc = mr_src_add_link(out, &l, NULL)) != MR_OK)
				return rc;
			rep->attached++;
		}
	}
	return MR_OK;
}

int mr_osm_import(const char *file, const mr_osm_opts *o, mr_src *out, mr_import_report *rep, mr_diag_fn diag,
                  void *ud, mr_error *err)
{
	mr_osm_opts defo;
	mr_import_report drep;
	osm m;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	if (!o) {
		memset(&defo, 0, sizeof(defo));
		o = &defo;
	}
	if (!rep)
		rep = &drep;
	memset(rep, 0, sizeof(*rep));
	m.c.diag = diag, m.c.ud = ud, m.c.err = err;
	m.file = file;
	if ((rc = read_file(&m, o, rep)) != MR_OK)
		goto unwind;
	if (!m.c.nerrors && !m.nways)
		mr__isay(&m.c, MR_ERROR, file, 0, 0, NULL, "no %s way in the file", o->rail && !o->road ? "railway=rail" :
		    o->road && !o->rail ? "highway=motorway|trunk|primary|secondary" : "railway=rail or main road");
	if (m.c.nerrors) {
		rc = MR_EPARSE;
		goto unwind;
	}
	if ((rc = build(&m, o, out, rep)) != MR_OK)
		goto unwind;
	rep->nodes = out->nnodes;
	rep->links = out->nlinks;
unwind:
	if (rc == MR_ENOMEM)
		mr_error_set(err, MR_ENOMEM, file, 0, 0, NULL, "out of memory");
	if (rc != MR_OK)
		mr_src_free(out);
	for (i = 0; i < m.nways; i++) {
		mr_free(m.ways[i].id);
		mr_free(m.ways[i].name);
		mr_free(m.ways[i].tags);
	}
	for (i = 0; i < m.npois; i++) {
		mr_free(m.pois[i].id);
		mr_free(m.pois[i].name);
		mr_free(m.pois[i].type);
	}
	mr_free(m.ways);
	mr_free(m.pois);
	mr_free(m.pts);
	mr_free(m.vx);
	mr_free(m.slots);
	return rc;
}
