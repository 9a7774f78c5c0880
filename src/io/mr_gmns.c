/* mr_gmns.c: imports a GMNS network folder (node.csv, link.csv, optional config.csv with the
 * units of length and speed) into an mr_src; docs/importers.md has the mapping.
 *
 * Invariants of the node index: slots has a power-of-two size with at least twice as many
 * slots as nodes in out; each slot is MR_NONE (empty) or the index of a node of out whose id
 * hashes there (open addressing, linear probing); every node id is in it once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "meridian/mr_import.h"
#include "core/mr_geo.h"
#include "io/mr_csv.h"
#include "io/mr_import_int.h"

/* ---- node id index ---- */

typedef struct nindex {
	uint32_t *slots;
	size_t nslots;
} nindex;

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t nindex_find(const nindex *x, const mr_src *s, const char *id)
{
	size_t i;
	if (!x->nslots)
		return MR_NONE;
	for (i = hash_str(id) & (x->nslots - 1); x->slots[i] != MR_NONE; i = (i + 1) & (x->nslots - 1))
		if (strcmp(s->nodes[x->slots[i]].id, id) == 0)
			return x->slots[i];
	return MR_NONE;
}

/* Add node k of s (its id is not in the index yet). */
static int nindex_add(nindex *x, const mr_src *s, uint32_t k)
{
	size_t i;
	if ((size_t)k * 2 + 2 > x->nslots) {
		size_t n = x->nslots ? x->nslots * 2 : 1024, j;
		uint32_t *p = mr_malloc(n * sizeof(*p));
		if (!p)
			return MR_ENOMEM;
		for (j = 0; j < n; j++)
			p[j] = MR_NONE;
		for (j = 0; j < k; j++) {
			for (i = hash_str(s->nodes[j].id) & (n - 1); p[i] != MR_NONE; i = (i + 1) & (n - 1))
				;
			p[i] = (uint32_t)j;
		}
		mr_free(x->slots);
		x->slots = p;
		x->nslots = n;
	}
	for (i = hash_str(s->nodes[k].id) & (x->nslots - 1); x->slots[i] != MR_NONE; i = (i + 1) & (x->nslots - 1))
		;
	x->slots[i] = k;
	return MR_OK;
}

/* ---- columns ---- */

typedef struct col {
	const char *name;
	int required;
} col;

enum { N_ID, N_X, N_Y, N_NAME, N_TYPE, N_COUNT };
static const col node_cols[N_COUNT] = {
	{"node_id", 1}, {"x_coord", 1}, {"y_coord", 1}, {"name", 0}, {"node_type", 0}};
enum { L_ID, L_FROM, L_TO, L_DIRECTED, L_LENGTH, L_SPEED, L_LANES, L_CAP, L_USES, L_NAME, L_FTYPE, L_GAUGE, L_COUNT };
static const col link_cols[L_COUNT] = {
	{"link_id", 1},    {"from_node_id", 1}, {"to_node_id", 1}, {"directed", 0},      {"length", 0},
	{"free_speed", 0}, {"lanes", 0},        {"capacity", 0},   {"allowed_uses", 0}, {"name", 0},
	{"facility_type", 0}, {"gauge_mm", 0}};

/* Map the header row to column positions (pos[k] = field index or -1). 0 if a required one is
 * missing or named twice (reported). */
static int header(mr__ictx *c, const char *file, mr_csv *r, const col *cols, int ncols, int *pos)
{
	size_t i;
	int k, ok = 1;
	for (k = 0; k < ncols; k++)
		pos[k] = -1;
	for (i = 0; i < mr_csv_nfields(r); i++)
		for (k = 0; k < ncols; k++)
			if (strcasecmp(mr_csv_field(r, i), cols[k].name) == 0) {
				if (pos[k] >= 0) {
					mr__isay(c, MR_ERROR, file, r->row_line, (int)i + 1, cols[k].name, "duplicate column (also column %d)",
					    pos[k] + 1);
					ok = 0;
				} else
					pos[k] = (int)i;
			}
	for (k = 0; k < ncols; k++)
		if (cols[k].required && pos[k] < 0) {
			mr__isay(c, MR_ERROR, file, r->row_line, 0, cols[k].name, "missing required column");
			ok = 0;
		}
	return ok;
}

static const char *val(mr_csv *r, const int *pos, int k)
{
	return pos[k] >= 0 && (size_t)pos[k] < mr_csv_nfields(r) ? mr_csv_field(r, (size_t)pos[k]) : "";
}

/* A number in column k: 1 and *out, 0 when empty (*out untouched), -1 when bad (reported). */
static int num(mr__ictx *c, const char *file, mr_csv *r, const int *pos, const col *cols, int k, int positive,
               double *out)
{
	const char *s = val(r, pos, k);
	int ok;
	if (!*s)
		return 0;
	ok = mr__csv_number(s, out);
	if (ok <= 0) {
		mr__isay(c, MR_ERROR, file, r->row_line, pos[k] + 1, cols[k].name, ok < 0 ? "'%s' is out of range" :
		    "'%s' is not a number", s);
		return -1;
	}
	if (*out < 0 || (positive && *out == 0)) {
		mr__isay(c, MR_ERROR, file, r->row_line, pos[k] + 1, cols[k].name, positive ? "'%s' must be > 0" :
		    "'%s' is negative (must be >= 0)", s);
		return -1;
	}
	return 1;
}

/* Open path and read its header. MR_OK, MR_EIO (reported in err), MR_ENOMEM; *ok = 0 when the
 * header is unusable (reported). */
static int open_csv(mr__ictx *c, const char *path, mr_csv *r, const col *cols, int ncols, int *pos, int *ok)
{
	mr_error e;
	int rc;
	*ok = 0;
	memset(r, 0, sizeof(*r));
	rc = mr_csv_open(r, path, MR_CSV_SKIP_COMMENTS, &e);
	if (rc == MR_ENOTFOUND) {
		mr_error_set(c->err, MR_EIO, path, 1, 0, NULL, "required file is missing");
		return MR_EIO;
	}
	if (rc) {
		if (c->err)
			*c->err = e;
		return rc == MR_ENOMEM ? MR_ENOMEM : MR_EIO;
	}
	rc = mr_csv_next(r, &e);
	if (rc == 0) {
		mr__isay(c, MR_ERROR, path, 1, 0, NULL, "empty file: no header row");
		return MR_OK;
	}
	if (rc < 0) {
		if (rc == MR_EPARSE) {
			mr__isay(c, MR_ERROR, e.file, e.line, e.column, e.field, "%s", e.msg);
			return MR_OK;
		}
		if (c->err)
			*c->err = e;
		return rc;
	}
	*ok = header(c, path, r, cols, ncols, pos);
	return MR_OK;
}

/* ---- units ---- */

static double length_unit(const char *s)
{
	static const struct { const char *n; double km; } u[] = {
		{"mi", 1.609344}, {"mile", 1.609344}, {"miles", 1.609344}, {"km", 1}, {"kilometer", 1},
		{"kilometers", 1}, {"kilometre", 1}, {"kilometres", 1}, {"m", 0.001}, {"meter", 0.001},
		{"meters", 0.001}, {"metre", 0.001}, {"metres", 0.001}, {"ft", 0.0003048}, {"feet", 0.0003048},
		{"foot", 0.0003048}};
	size_t i;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (strcasecmp(s, u[i].n) == 0)
			return u[i].km;
	return 0;
}

static double speed_unit(const char *s)
{
	static const struct { const char *n; double kmh; } u[] = {
		{"mph", 1.609344}, {"mi/h", 1.609344}, {"kph", 1}, {"km/h", 1}, {"kmh", 1}, {"kmph", 1},
		{"m/s", 3.6}, {"mps", 3.6}};
	size_t i;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (strcasecmp(s, u[i].n) == 0)
			return u[i].kmh;
	return 0;
}

/* config.csv: long_length and speed. */
static int read_config(mr__ictx *c, const char *path, double *lkm, double *skmh)
{
	static const col cols[2] = {{"long_length", 0}, {"speed", 0}};
	int pos[2], ok, rc;
	mr_csv r;
	mr_error e;
	if (access(path, F_OK) != 0)
		return MR_OK;
	if ((rc = open_csv(c, path, &r, cols, 2, pos, &ok)) != MR_OK || !ok) {
		mr_csv_close(&r);
		return rc;
	}
	rc = mr_csv_next(&r, &e);
	if (rc == 1) {
		const char *ls = val(&r, pos, 0), *ss = val(&r, pos, 1);
		if (*ls && *lkm <= 0 && !(*lkm = length_unit(ls)))
			mr__isay(c, MR_ERROR, path, r.row_line, pos[0] + 1, "long_length",
			    "unknown unit '%s' (expected mi, km, m or ft)", ls);
		if (*ss && *skmh <= 0 && !(*skmh = speed_unit(ss)))
			mr__isay(c, MR_ERROR, path, r.row_line, pos[1] + 1, "speed", "unknown unit '%s' (expected mph, kph or m/s)", ss);
		rc = MR_OK;
	} else if (rc == MR_EPARSE) {
		mr__isay(c, MR_ERROR, e.file, e.line, e.column, e.field, "%s", e.msg);
		rc = MR_OK;
	}
	mr_csv_close(&r);
	return rc < 0 ? rc : MR_OK;
}

/* ---- rows ---- */

static int read_nodes(mr__ictx *c, const char *path, mr_src *out, nindex *ix, mr_import_report *rep)
{
	int pos[N_COUNT], ok, rc;
	mr_csv r;
	mr_error e;
	if ((rc = open_csv(c, path, &r, node_cols, N_COUNT, pos, &ok)) != MR_OK || !ok) {
		mr_csv_close(&r);
		return rc;
	}
	while ((rc = mr_csv_next(&r, &e)) != 0) {
		mr_src_node n;
		const char *id;
		uint32_t k;
		double x = 0, y = 0;
		int bad = 0;
		if (rc == MR_EPARSE) {
			mr__isay(c, MR_ERROR, e.file, e.line, e.column, e.field, "%s", e.msg);
			continue;
		}
		if (rc < 0)
			break;
		rep->nodes_read++;
		id = val(&r, pos, N_ID);
		if (!*id) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[N_ID] + 1, "node_id", "required value is missing");
			continue;
		}
		if ((k = nindex_find(ix, out, id)) != MR_NONE) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[N_ID] + 1, "node_id", "duplicate node_id '%s' (first at line %ld)", id,
			    out->nodes[k].line);
			continue;
		}
		{
			static const int kk[2] = {N_X, N_Y};
			double *dst[2];
			int j;
			dst[0] = &x, dst[1] = &y;
			for (j = 0; j < 2; j++) {
				const char *s = val(&r, pos, kk[j]);
				int okn = *s ? mr__csv_number(s, dst[j]) : 0;
				if (!*s)
					mr__isay(c, MR_ERROR, path, r.row_line, pos[kk[j]] + 1, node_cols[kk[j]].name,
					    "required value is missing");
				else if (okn <= 0)
					mr__isay(c, MR_ERROR, path, r.row_line, pos[kk[j]] + 1, node_cols[kk[j]].name,
					    okn < 0 ? "'%s' is out of range" : "'%s' is not a number", s);
				if (okn <= 0)
					bad = 1;
			}
		}
		if (bad)
			continue;
		if (fabs(x) > 180) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[N_X] + 1, "x_coord",
			    "longitude %g is outside -180..180 (projected coordinates are not supported: convert to WGS84)", x);
			continue;
		}
		if (fabs(y) > 90) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[N_Y] + 1, "y_coord", "latitude %g is outside -90..90", y);
			continue;
		}
		memset(&n, 0, sizeof(n));
		n.id = (char *)id;
		n.name = (char *)val(&r, pos, N_NAME);
		n.type = (char *)val(&r, pos, N_TYPE);
		n.lon = x;
		n.lat = y;
		n.line = r.row_line;
		if ((rc = mr_src_add_node(out, &n, &k)) != MR_OK || (rc = nindex_add(ix, out, k)) != MR_OK)
			break;
	}
	mr_csv_close(&r);
	if (rc == MR_EIO || rc == MR_ENOMEM) {
		if (rc == MR_EIO && c->err)
			*c->err = e;
		return rc;
	}
	return MR_OK;
}

/* Mode from allowed_uses: 1 and *mode, 0 when it names only walking or cycling (left out). */
static int uses_mode(const char *uses, int dflt, int *mode)
{
	char buf[256], *p, *save = NULL;
	int any = 0, road = 0, rail = 0, ferry = 0, other = 0;
	snprintf(buf, sizeof(buf), "%s", uses);
	for (p = strtok_r(buf, ";, |", &save); p; p = strtok_r(NULL, ";, |", &save)) {
		any = 1;
		if (!strcasecmp(p, "rail") || !strcasecmp(p, "train") || !strcasecmp(p, "freight_rail") ||
		    !strcasecmp(p, "railway"))
			rail = 1;
		else if (!strcasecmp(p, "ferry") || !strcasecmp(p, "ship") || !strcasecmp(p, "boat"))
			ferry = 1;
		else if (!strcasecmp(p, "walk") || !strcasecmp(p, "bike") || !strcasecmp(p, "ped") ||
		         !strcasecmp(p, "pedestrian") || !strcasecmp(p, "bicycle") || !strcasecmp(p, "foot"))
			;
		else if (!strcasecmp(p, "auto") || !strcasecmp(p, "truck") || !strcasecmp(p, "bus") ||
		         !strcasecmp(p, "hov") || !strcasecmp(p, "car") || !strcasecmp(p, "drive") ||
		         !strcasecmp(p, "all") || !strcasecmp(p, "vehicle") || !strcasecmp(p, "freight"))
			road = 1;
		else
			other = 1;
	}
	if (!any || other)
		*mode = road ? MR_MODE_ROAD : rail ? MR_MODE_RAIL : ferry ? MR_MODE_FERRY : dflt;
	else if (road)
		*mode = MR_MODE_ROAD;
	else if (rail)
		*mode = MR_MODE_RAIL;
	else if (ferry)
		*mode = MR_MODE_FERRY;
	else
		return 0;
	return 1;
}

static int read_links(mr__ictx *c, const char *path, const mr_gmns_opts *o, int dmode, double lkm, double skmh,
                      mr_src *out, const nindex *ix, mr_import_report *rep)
{
	int pos[L_COUNT], ok, rc;
	mr_csv r;
	mr_error e;
	nindex lx = {NULL, 0};
	mr_src ids; /* link ids, for duplicates (only the id field of its nodes is used) */

	memset(&ids, 0, sizeof(ids));
	if ((rc = open_csv(c, path, &r, link_cols, L_COUNT, pos, &ok)) != MR_OK || !ok) {
		mr_csv_close(&r);
		return rc;
	}
	while ((rc = mr_csv_next(&r, &e)) != 0) {
		mr_src_link l;
		mr_src_node idn;
		const char *id, *fs, *ts, *ds, *us;
		char tags[512], src[512];
		double len = 0, speed = 0, lanes = 0, cap = 0, gauge = 0;
		int bad = 0, mode, hl, hs, hn, hc, hg;
		uint32_t k;
		size_t tl;

		if (rc == MR_EPARSE) {
			mr__isay(c, MR_ERROR, e.file, e.line, e.column, e.field, "%s", e.msg);
			continue;
		}
		if (rc < 0)
			break;
		rep->links_read++;
		memset(&l, 0, sizeof(l));
		id = val(&r, pos, L_ID), fs = val(&r, pos, L_FROM), ts = val(&r, pos, L_TO);
		ds = val(&r, pos, L_DIRECTED), us = val(&r, pos, L_USES);
		if (!*id) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_ID] + 1, "link_id", "required value is missing");
			bad = 1;
		} else if ((k = nindex_find(&lx, &ids, id)) != MR_NONE) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_ID] + 1, "link_id", "duplicate link_id '%s' (first at line %ld)",
			    id, ids.nodes[k].line);
			bad = 1;
		}
		if (!*fs) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_FROM] + 1, "from_node_id", "required value is missing");
			bad = 1;
		} else if ((l.from = nindex_find(ix, out, fs)) == MR_NONE) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_FROM] + 1, "from_node_id", "unknown node '%s'", fs);
			bad = 1;
		}
		if (!*ts) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_TO] + 1, "to_node_id", "required value is missing");
			bad = 1;
		} else if ((l.to = nindex_find(ix, out, ts)) == MR_NONE) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_TO] + 1, "to_node_id", "unknown node '%s'", ts);
			bad = 1;
		} else if (!bad && l.from == l.to) {
			mr__isay(c, MR_ERROR, path, r.row_line, pos[L_TO] + 1, "to_node_id", "the link starts and ends at node '%s'", ts);
			bad = 1;
		}
		l.directed = 1;
		if (*ds) {
			if (!strcmp(ds, "1") || !strcasecmp(ds, "true"))
				l.directed = 1;
			else if (!strcmp(ds, "0") || !strcasecmp(ds, "false"))
				l.directed = 0;
			else {
				mr__isay(c, MR_ERROR, path, r.row_line, pos[L_DIRECTED] + 1, "directed",
				    "'%s' is not a boolean (expected 0, 1, true or false)", ds);
				bad = 1;
			}
		}
		if ((hl = num(c, path, &r, pos, link_cols, L_LENGTH, 0, &len)) < 0 ||
		    (hs = num(c, path, &r, pos, link_cols, L_SPEED, 1, &speed)) < 0 ||
		    (hn = num(c, path, &r, pos, link_cols, L_LANES, 0, &lanes)) < 0 ||
		    (hc = num(c, path, &r, pos, link_cols, L_CAP, 0, &cap)) < 0 ||
		    (hg = num(c, path, &r, pos, link_cols, L_GAUGE, 0, &gauge)) < 0)
			bad = 1;
		if (bad)
			continue;
		if (!uses_mode(us, dmode, &mode)) {
			mr__isay(c, MR_WARNING, path, r.row_line, pos[L_USES] + 1, "allowed_uses",
			    "link '%s' is only for '%s': left out", id, us);
			rep->skipped++;
			continue;
		}
		if (mode == MR_MODE_RAIL) {
			l.gauge_mm = hg > 0 && gauge > 0 ? (int)gauge : o->gauge_mm > 0 ? o->gauge_mm : MR_IMPORT_DEFAULT_GAUGE;
			if (!mr_gauge_known(l.gauge_mm)) {
				mr__isay(c, MR_ERROR, path, r.row_line, hg > 0 ? pos[L_GAUGE] + 1 : 0, "gauge_mm", "unknown gauge %d mm",
				    l.gauge_mm);
				continue;
			}
		}
		if (hl > 0)
			l.length_km = len * lkm;
		else {
			const mr_src_node *a = &out->nodes[l.from], *b = &out->nodes[l.to];
			l.length_km = mr_geo_distance_km(a->lon, a->lat, b->lon, b->lat);
		}
		if (hs > 0)
			l.free_speed_kmh = speed * skmh;
		l.capacity = hc > 0 ? cap : 0;
		l.mode = mode;
		l.status = MR_STATUS_OPEN;
		l.line = r.row_line;
		tl = (size_t)snprintf(tags, sizeof(tags), "gmns");
		if (hn > 0)
			tl += (size_t)snprintf(tags + tl, sizeof(tags) - tl, ";lanes=%.10g", lanes);
		if (*val(&r, pos, L_FTYPE) && tl < sizeof(tags))
			snprintf(tags + tl, sizeof(tags) - tl, ";facility_type=%.100s", val(&r, pos, L_FTYPE));
		snprintf(src, sizeof(src), "GMNS %.200s line %ld: length %.40s%s; free_speed %.40s%s", path, r.row_line,
		         hl > 0 ? val(&r, pos, L_LENGTH) : "geodesic", hl > 0 ? (lkm == 1 ? " km" : lkm == 0.001 ? " m" :
		         lkm == 1.609344 ? " mi" : " ft") : "",
		         hs > 0 ? val(&r, pos, L_SPEED) : "none (tariff speed)",
		         hs > 0 ? (skmh == 1 ? " km/h" : skmh == 1.609344 ? " mph" : " m/s") : "");
		l.id = (char *)id;
		l.name = (char *)val(&r, pos, L_NAME);
		l.tags = tags;
		l.source = src;
		memset(&idn, 0, sizeof(idn));
		idn.id = (char *)id;
		idn.line = r.row_line;
		if ((rc = mr_src_add_link(out, &l, NULL)) != MR_OK || (rc = mr_src_add_node(&ids, &idn, &k)) != MR_OK ||
		    (rc = nindex_add(&lx, &ids, k)) != MR_OK)
			break;
	}
	mr_csv_close(&r);
	mr_free(lx.slots);
	mr_src_free(&ids);
	if (rc == MR_EIO || rc == MR_ENOMEM) {
		if (rc == MR_EIO && c->err)
			*c->err = e;
		return rc;
	}
	return MR_OK;
}

int mr_gmns_import(const char *dir, const mr_gmns_opts *o, mr_src *out, mr_import_report *rep, mr_diag_fn diag,
                   void *ud, mr_error *err)
{
	mr_gmns_opts defo;
	mr_import_report drep;
	mr__ictx c;
	nindex ix = {NULL, 0};
	char path[4096];
	double lkm, skmh;
	int rc, mode;

	memset(out, 0, sizeof(*out));
	if (!o) {
		memset(&defo, 0, sizeof(defo));
		o = &defo;
	}
	if (!rep)
		rep = &drep;
	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	c.diag = diag, c.ud = ud, c.err = err;
	mode = mr_mode_parse(o->mode ? o->mode : "road");
	if (mode < 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "mode", "unknown mode '%s'", o->mode);
	lkm = o->length_km;
	skmh = o->speed_kmh;
	snprintf(path, sizeof(path), "%s/config.csv", dir);
	if ((rc = read_config(&c, path, &lkm, &skmh)) != MR_OK)
		goto unwind;
	if (lkm <= 0)
		lkm = 0.001;
	if (skmh <= 0)
		skmh = 1;
	if (!(out->dir = mr_strdup(dir))) {
		rc = MR_ENOMEM;
		goto unwind;
	}
	snprintf(path, sizeof(path), "%s/node.csv", dir);
	if ((rc = read_nodes(&c, path, out, &ix, rep)) != MR_OK)
		goto unwind;
	snprintf(path, sizeof(path), "%s/link.csv", dir);
	if (c.nerrors && !out->nnodes)
		goto unwind; /* without nodes every link would be reported */
	if ((rc = read_links(&c, path, o, mode, lkm, skmh, out, &ix, rep)) != MR_OK)
		goto unwind;
	rep->nodes = out->nnodes;
	rep->links = out->nlinks;
unwind:
	if (rc == MR_OK && c.nerrors)
		rc = MR_EPARSE;
	if (rc == MR_ENOMEM)
		mr_error_set(err, MR_ENOMEM, dir, 0, 0, NULL, "out of memory");
	if (rc != MR_OK)
		mr_src_free(out);
	mr_free(ix.slots);
	return rc;
}
