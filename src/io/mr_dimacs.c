/* mr_dimacs.c: imports a DIMACS shortest-path graph (9th DIMACS challenge: .gr arcs "a u v w"
 * with integer weights, .co coordinates "v id x y" in millionths of degrees) into an mr_src;
 * docs/importers.md has the mapping.
 *
 * Invariants while importing: arcs[0..narcs) are the accepted arcs in file order with
 * 1 <= u, v <= n and u != v; lon/lat/have are indexed by node number 1..n. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_import.h"
#include "core/mr_geo.h"
#include "io/mr_import_int.h"

#define LINE_MAX_BYTES 4096
#define MAX_TOKENS 8

/* 1 and the line (without its end) in buf, 0 at the end, MR_EIO. Longer lines are reported
 * and skipped. */
static int next_line(FILE *fp, char *buf, long *line, mr__ictx *c, const char *file)
{
	for (;;) {
		size_t n;
		if (!fgets(buf, LINE_MAX_BYTES, fp))
			return ferror(fp) ? MR_EIO : 0;
		++*line;
		n = strlen(buf);
		if (n == LINE_MAX_BYTES - 1 && buf[n - 1] != '\n' && !feof(fp)) {
			int ch;
			mr__isay(c, MR_ERROR, file, *line, 0, NULL, "line is longer than %d bytes", LINE_MAX_BYTES - 2);
			while ((ch = fgetc(fp)) != EOF && ch != '\n')
				;
			continue;
		}
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		return 1;
	}
}

static size_t tokens(char *s, char **tok)
{
	size_t n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == MAX_TOKENS)
			return n + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* A decimal integer with optional sign within [lo, hi]; 1 if so. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
	long long v = 0;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (LLONG_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

typedef struct arc {
	uint32_t u, v;
	long long w;
	long line;
} arc;

typedef struct dimacs {
	mr__ictx c;
	const char *gr, *co;
	size_t n, m;
	long pline;
	arc *arcs;
	size_t narcs, carcs;
	double *lon, *lat;
	unsigned char *have;
} dimacs;

static int read_gr(dimacs *d, FILE *fp, char *buf, mr_import_report *rep)
{
	long line = 0;
	int rc;
	while ((rc = next_line(fp, buf, &line, &d->c, d->gr)) == 1) {
		char *tok[MAX_TOKENS];
		size_t n = tokens(buf, tok);
		long long u, v, w;
		if (n == 0 || tok[0][0] == 'c')
			continue;
		if (strcmp(tok[0], "p") == 0) {
			if (d->pline) {
				mr__isay(&d->c, MR_ERROR, d->gr, line, 1, "p", "second problem line (first at line %ld)", d->pline);
				continue;
			}
			d->pline = line;
			if (n != 4 || strcmp(tok[1], "sp") != 0) {
				mr__isay(&d->c, MR_ERROR, d->gr, line, n < 2 ? 2 : 1, "p", "expected 'p sp NODES ARCS'");
				return MR_OK;
			}
			if (!parse_int(tok[2], 1, UINT32_MAX - 2, &u)) {
				mr__isay(&d->c, MR_ERROR, d->gr, line, 3, "nodes", "'%s' is not a positive node count", tok[2]);
				return MR_OK;
			}
			if (!parse_int(tok[3], 0, UINT32_MAX - 2, &v)) {
				mr__isay(&d->c, MR_ERROR, d->gr, line, 4, "arcs", "'%s' is not an arc count", tok[3]);
				return MR_OK;
			}
			d->n = (size_t)u;
			d->m = (size_t)v;
			continue;
		}
		if (strcmp(tok[0], "a") != 0) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 1, NULL, "unknown line type '%s' (expected c, p or a)", tok[0]);
			continue;
		}
		if (!d->pline) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 1, "p", "arc before the problem line 'p sp NODES ARCS'");
			return MR_OK;
		}
		rep->links_read++;
		if (n != 4) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, n < 4 ? (int)n + 1 : 5, n < 4 ? (n == 2 ? "to" : "weight") : NULL,
			    "arc has %zu fields; expected 'a FROM TO WEIGHT'", n);
			continue;
		}
		if (!parse_int(tok[1], 1, (long long)d->n, &u)) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 2, "from", "unknown node '%s' (nodes 1..%zu)", tok[1], d->n);
			continue;
		}
		if (!parse_int(tok[2], 1, (long long)d->n, &v)) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 3, "to", "unknown node '%s' (nodes 1..%zu)", tok[2], d->n);
			continue;
		}
		if (!parse_int(tok[3], LLONG_MIN / 2, LLONG_MAX / 2, &w)) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 4, "weight", "'%s' is not an integer", tok[3]);
			continue;
		}
		if (w < 0) {
			mr__isay(&d->c, MR_ERROR, d->gr, line, 4, "weight", "'%s' is negative (must be >= 0)", tok[3]);
			continue;
		}
		if (u == v) {
			mr__isay(&d->c, MR_WARNING, d->gr, line, 3, "to", "loop at node %lld left out", u);
			rep->skipped++;
			continue;
		}
		if (d->narcs == d->carcs) {
			size_t nc = d->carcs ? d->carcs * 2 : 1024;
			arc *p = mr_realloc(d->arcs, nc * sizeof(*p));
			if (!p)
				return MR_ENOMEM;
			d->arcs = p;
			d->carcs = nc;
		}
		d->arcs[d->narcs].u = (uint32_t)u;
		d->arcs[d->narcs].v = (uint32_t)v;
		d->arcs[d->narcs].w = w;
		d->arcs[d->narcs].line = line;
		d->narcs++;
	}
	if (rc < 0)
		return rc;
	if (!d->pline)
		mr__isay(&d->c, MR_ERROR, d->gr, line, 0, "p", "no problem line 'p sp NODES ARCS' (is this a DIMACS .gr file?)");
	else if (!d->c.nerrors && rep->links_read != d->m)
		mr__isay(&d->c, MR_ERROR, d->gr, d->pline, 4, "arcs", "the problem line says %zu arcs but the file has %zu", d->m,
		    rep->links_read);
	return MR_OK;
}

static int read_co(dimacs *d, FILE *fp, char *buf)
{
	long line = 0;
	int rc;
	size_t k, missing = 0, first = 0;
	while ((rc = next_line(fp, buf, &line, &d->c, d->co)) == 1) {
		char *tok[MAX_TOKENS];
		size_t n = tokens(buf, tok);
		long long id, x, y;
		if (n == 0 || tok[0][0] == 'c' || strcmp(tok[0], "p") == 0)
			continue;
		if (strcmp(tok[0], "v") != 0) {
			mr__isay(&d->c, MR_ERROR, d->co, line, 1, NULL, "unknown line type '%s' (expected c, p or v)", tok[0]);
			continue;
		}
		if (n != 4) {
			mr__isay(&d->c, MR_ERROR, d->co, line, n < 4 ? (int)n + 1 : 5, n == 2 ? "x" : n == 3 ? "y" : NULL,
			    "coordinate line has %zu fields; expected 'v ID X Y'", n);
			continue;
		}
		if (!parse_int(tok[1], 1, (long long)d->n, &id)) {
			mr__isay(&d->c, MR_ERROR, d->co, line, 2, "id", "unknown node '%s' (nodes 1..%zu)", tok[1], d->n);
			continue;
		}
		if (!parse_int(tok[2], -180000000LL, 180000000LL, &x)) {
			mr__isay(&d->c, MR_ERROR, d->co, line, 3, "x",
			    "'%s' is not a longitude in millionths of a degree (-180000000..180000000)", tok[2]);
			continue;
		}
		if (!parse_int(tok[3], -90000000LL, 90000000LL, &y)) {
			mr__isay(&d->c, MR_ERROR, d->co, line, 4, "y",
			    "'%s' is not a latitude in millionths of a degree (-90000000..90000000)", tok[3]);
			continue;
		}
		if (d->have[id]) {
			mr__isay(&d->c, MR_ERROR, d->co, line, 2, "id", "node %lld given twice", id);
			continue;
		}
		d->have[id] = 1;
		d->lon[id] = (double)x / 1e6;
		d->lat[id] = (double)y / 1e6;
	}
	if (rc < 0)
		return rc;
	for (k = 1; k <= d->n; k++)
		if (!d->have[k] && !missing++)
			first = k;
	if (missing && !d->c.nerrors)
		mr__isay(&d->c, MR_ERROR, d->co, line, 0, "id", "%zu node%s without coordinates (first: %zu)", missing,
		    missing == 1 ? "" : "s", first);
	return MR_OK;
}

static int build(dimacs *d, const mr_dimacs_opts *o, int mode, int gauge, double unit, double speed, mr_src *out,
                 mr_import_report *rep)
{
	size_t k, i, w = (size_t)ceil(sqrt((double)d->n));
	const char *base = strrchr(d->gr, '/');
	char id[32], src[512];
	int rc;

	base = base ? base + 1 : d->gr;
	if (!(out->dir = mr_strdup(d->gr)))
		return MR_ENOMEM;
	for (k = 1; k <= d->n; k++) {
		mr_src_node n;
		memset(&n, 0, sizeof(n));
		snprintf(id, sizeof(id), "%zu", k);
		n.id = id;
		n.type = "junction";
		if (d->co) {
			n.lon = d->lon[k];
			n.lat = d->lat[k];
		} else {
			n.lon = (double)((k - 1) % w) * MR_IMPORT_GRID_DEG;
			n.lat = (double)((k - 1) / w) * MR_IMPORT_GRID_DEG;
		}
		if ((rc = mr_src_add_node(out, &n, NULL)) != MR_OK)
			return rc;
	}
	if (!d->co) {
		rep->synthetic_coords = 1;
		mr__isay(&d->c, MR_WARNING, d->gr, 0, 0, NULL,
		    "no coordinates (.co) file: nodes placed on a synthetic grid (%g degree apart)", MR_IMPORT_GRID_DEG);
	}
	for (i = 0; i < d->narcs; i++) {
		const arc *a = &d->arcs[i];
		mr_src_link l;
		memset(&l, 0, sizeof(l));
		snprintf(id, sizeof(id), "%zu", i + 1);
		l.id = id;
		l.tags = "dimacs";
		l.source = src;
		l.from = a->u - 1;
		l.to = a->v - 1;
		l.directed = 1;
		l.mode = mode;
		l.gauge_mm = gauge;
		l.status = MR_STATUS_OPEN;
		l.line = a->line;
		if (o->weight == MR_DIMACS_TIME) {
			double t = (double)a->w * unit;
			l.length_km = d->co ? mr_geo_distance_km(d->lon[a->u], d->lat[a->u], d->lon[a->v], d->lat[a->v]) : 0;
			if (l.length_km > 0 && t > 0)
				l.free_speed_kmh = l.length_km / t;
			else {
				l.free_speed_kmh = MR_IMPORT_ZERO_TIME_KMH;
				if (l.length_km == 0)
					l.delay_h = t;
				else
					rep->zero_time++;
			}
			snprintf(src, sizeof(src), "DIMACS %s line %ld: time weight %lld x %.10g h = %.10g h; length geodesic%s",
			         base, a->line, a->w, unit, t, d->co ? "" : " (no coordinates: 0)");
		} else {
			l.length_km = (double)a->w * unit;
			l.free_speed_kmh = speed;
			snprintf(src, sizeof(src), "DIMACS %s line %ld: distance weight %lld x %.10g km; speed %g km/h assumed",
			         base, a->line, a->w, unit, speed);
		}
		if ((rc = mr_src_add_link(out, &l, NULL)) != MR_OK)
			return rc;
	}
	if (rep->zero_time)
		mr__isay(&d->c, MR_WARNING, d->gr, 0, 0, "weight", "%zu arc%s of time 0 (and a length) run at %g km/h",
		    rep->zero_time, rep->zero_time == 1 ? "" : "s", MR_IMPORT_ZERO_TIME_KMH);
	return MR_OK;
}

int mr_dimacs_import(const char *gr_file, const mr_dimacs_opts *o, mr_src *out, mr_import_report *rep,
                     mr_diag_fn diag, void *ud, mr_error *err)
{
	mr_dimacs_opts defo;
	mr_import_report drep;
	dimacs d;
	FILE *fp = NULL;
	char *buf = NULL;
	int rc = MR_OK, mode, gauge;
	double unit, speed;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (!o) {
		memset(&defo, 0, sizeof(defo));
		o = &defo;
	}
	if (!rep)
		rep = &drep;
	memset(rep, 0, sizeof(*rep));
	d.c.diag = diag, d.c.ud = ud, d.c.err = err;
	d.gr = gr_file;
	d.co = o->coords_file;
	mode = mr_mode_parse(o->mode ? o->mode : "road");
	if (mode < 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "mode", "unknown mode '%s'", o->mode);
	gauge = mode == MR_MODE_RAIL ? (o->gauge_mm > 0 ? o->gauge_mm : MR_IMPORT_DEFAULT_GAUGE) : 0;
	if (mode == MR_MODE_RAIL && !mr_gauge_known(gauge))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "gauge_mm", "unknown gauge %d mm", gauge);
	if (o->weight != MR_DIMACS_DISTANCE && o->weight != MR_DIMACS_TIME)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "weight", "unknown weight kind %d", o->weight);
	unit = o->unit > 0 ? o->unit : o->weight == MR_DIMACS_TIME ? 1.0 / 3600.0 : 0.001;
	speed = o->speed_kmh > 0 ? o->speed_kmh : MR_DIMACS_SPEED_KMH;
	if (!(buf = mr_malloc(LINE_MAX_BYTES)))
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	if (!(fp = fopen(gr_file, "r"))) {
		rc = mr_error_set(err, MR_EIO, gr_file, 0, 0, NULL, "cannot open: %s", strerror(errno));
		goto unwind;
	}
	rc = read_gr(&d, fp, buf, rep);
	if (rc == MR_EIO)
		mr_error_set(err, MR_EIO, gr_file, 0, 0, NULL, "read error");
	fclose(fp);
	fp = NULL;
	rep->nodes_read = d.n;
	if (rc != MR_OK)
		goto unwind;
	if (d.c.nerrors) {
		rc = MR_EPARSE;
		goto unwind;
	}
	if (d.co) {
		d.lon = mr_calloc(d.n + 1, sizeof(double));
		d.lat = mr_calloc(d.n + 1, sizeof(double));
		d.have = mr_calloc(d.n + 1, 1);
		if (!d.lon || !d.lat || !d.have) {
			rc = MR_ENOMEM;
			goto unwind;
		}
		if (!(fp = fopen(d.co, "r"))) {
			rc = mr_error_set(err, MR_EIO, d.co, 0, 0, NULL, "cannot open: %s", strerror(errno));
			goto unwind;
		}
		rc = read_co(&d, fp, buf);
		if (rc == MR_EIO)
			mr_error_set(err, MR_EIO, d.co, 0, 0, NULL, "read error");
		fclose(fp);
		fp = NULL;
		if (rc != MR_OK)
			goto unwind;
		if (d.c.nerrors) {
			rc = MR_EPARSE;
			goto unwind;
		}
	}
	if ((rc = build(&d, o, mode, gauge, unit, speed, out, rep)) != MR_OK)
		goto unwind;
	rep->nodes = out->nnodes;
	rep->links = out->nlinks;
unwind:
	if (rc == MR_ENOMEM)
		mr_error_set(err, MR_ENOMEM, gr_file, 0, 0, NULL, "out of memory");
	if (rc != MR_OK)
		mr_src_free(out);
	mr_free(d.arcs);
	mr_free(d.lon);
	mr_free(d.lat);
	mr_free(d.have);
	mr_free(buf);
	return rc;
}
