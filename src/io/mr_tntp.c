/* mr_tntp.c: imports a TNTP network (Transportation Networks for Research: *_net.tntp with its
 * metadata, *_node.tntp coordinates when present) into an mr_src; docs/importers.md has the
 * mapping. Zones below <FIRST THRU NODE> are split into an origin node (outgoing links only)
 * and a destination node (incoming links only), so no route can pass through a zone.
 *
 * Invariants while importing: links[0..nlinks) are the data rows in file order, each with
 * 1 <= from, to <= nnodes when the row was accepted; lon/lat/have are indexed by TNTP node
 * number (1..nnodes); oidx[k] / didx[k] are the mr_src indexes of node k's origin and
 * destination nodes (the same index for a node that is not a zone). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <proj.h>

#include "meridian/mr_import.h"
#include "io/mr_csv.h"
#include "io/mr_import_int.h"

#define LINE_MAX_BYTES (64 * 1024)
#define MAX_TOKENS 16

/* ---- lines and tokens ---- */

typedef struct lreader {
	FILE *fp;
	char *buf;
	long line;
} lreader;

/* 1 and the line (without its end) in r->buf, 0 at the end, MR_EIO. A line longer than
 * LINE_MAX_BYTES is reported and skipped. */
static int next_line(lreader *r, mr__ictx *c, const char *file)
{
	for (;;) {
		size_t n;
		if (!fgets(r->buf, LINE_MAX_BYTES, r->fp))
			return ferror(r->fp) ? MR_EIO : 0;
		r->line++;
		n = strlen(r->buf);
		if (n == LINE_MAX_BYTES - 1 && r->buf[n - 1] != '\n' && !feof(r->fp)) {
			int ch;
			mr__isay(c, MR_ERROR, file, r->line, 0, NULL, "line is longer than %d bytes", LINE_MAX_BYTES - 2);
			while ((ch = fgetc(r->fp)) != EOF && ch != '\n')
				;
			continue;
		}
		while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
			r->buf[--n] = '\0';
		return 1;
	}
}

/* Split s in place on spaces and tabs up to a ';' (the TNTP row end). Returns the count (at
 * most MAX_TOKENS; more gives MAX_TOKENS + 1). */
static size_t tokens(char *s, char **tok)
{
	size_t n = 0;
	char *semi = strchr(s, ';');
	if (semi)
		*semi = '\0';
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
			s++;
		if (!*s)
			return n;
		if (n == MAX_TOKENS)
			return n + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\f' && *s != '\v')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A positive integer (node number, count) that fits in `max`; 1 if so. */
static int parse_uint(const char *s, size_t max, size_t *out)
{
	size_t v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (max - (size_t)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 1;
}

/* ---- the net file ---- */

static const char *const col_names[] = {"init_node", "term_node", "capacity", "length", "free_flow_time",
                                        "b",         "power",     "speed",    "toll",   "link_type"};
enum { C_INIT, C_TERM, C_CAP, C_LEN, C_FFT, C_B, C_POWER, C_SPEED, C_TOLL, C_TYPE, C_COUNT };
#define C_REQUIRED 5 /* init .. free_flow_time */

typedef struct trow {
	uint32_t from, to;
	double v[C_COUNT];
	int has[C_COUNT];
	long line;
} trow;

typedef struct meta {
	size_t zones, nodes, first_thru, links;
	long zones_line, nodes_line, first_line, links_line;
} meta;

typedef struct tntp {
	mr__ictx c;
	const char *net, *nodef;
	meta m;
	trow *rows;
	size_t nrows, crows;
	double *lon, *lat;
	unsigned char *have;
	uint32_t *oidx, *didx;
} tntp;

static int meta_line(tntp *t, const char *s, long line)
{
	static const char *const keys[] = {"<NUMBER OF ZONES>", "<NUMBER OF NODES>", "<FIRST THRU NODE>",
	                                   "<NUMBER OF LINKS>"};
	size_t k, *dst[4];
	long *dline[4];
	dst[0] = &t->m.zones, dst[1] = &t->m.nodes, dst[2] = &t->m.first_thru, dst[3] = &t->m.links;
	dline[0] = &t->m.zones_line, dline[1] = &t->m.nodes_line, dline[2] = &t->m.first_line,
	dline[3] = &t->m.links_line;
	for (k = 0; k < 4; k++) {
		size_t n = strlen(keys[k]), v;
		char val[64];
		const char *p;
		size_t i = 0;
		if (strncasecmp(s, keys[k], n) != 0)
			continue;
		p = skip_ws(s + n);
		while (*p && *p != ' ' && *p != '\t' && *p != ';' && i + 1 < sizeof(val))
			val[i++] = *p++;
		val[i] = '\0';
		if (!parse_uint(val, UINT32_MAX / 4, &v) || (k != 0 && v == 0)) {
			mr__isay(&t->c, MR_ERROR, t->net, line, 2, keys[k], "'%s' is not a %s integer", val,
			    k == 0 ? "non-negative" : "positive");
			return 0;
		}
		if (*dline[k]) {
			mr__isay(&t->c, MR_ERROR, t->net, line, 1, keys[k], "given twice (first at line %ld)", *dline[k]);
			return 0;
		}
		*dst[k] = v;
		*dline[k] = line;
		return 0;
	}
	return 0;
}

static int push_row(tntp *t, const trow *r)
{
	if (t->nrows == t->crows) {
		size_t nc = t->crows ? t->crows * 2 : 256;
		trow *p = mr_realloc(t->rows, nc * sizeof(*p));
		if (!p)
			return MR_ENOMEM;
		t->rows = p;
		t->crows = nc;
	}
	t->rows[t->nrows++] = *r;
	return MR_OK;
}

static int data_line(tntp *t, char *s, long line)
{
	char *tok[MAX_TOKENS];
	size_t n = tokens(s, tok), i;
	trow r;
	int bad = 0;

	if (n == 0)
		return MR_OK;
	memset(&r, 0, sizeof(r));
	r.line = line;
	if (n < C_REQUIRED) {
		mr__isay(&t->c, MR_ERROR, t->net, line, (int)n + 1, col_names[n],
		    "row has %zu fields; init_node, term_node, capacity, length and free_flow_time are required", n);
		return MR_OK;
	}
	if (n > C_COUNT)
		mr__isay(&t->c, MR_WARNING, t->net, line, C_COUNT + 1, NULL,
		    "row has %zu fields; fields after link_type are ignored", n > MAX_TOKENS ? n - 1 : n);
	for (i = 0; i < n && i < C_COUNT; i++) {
		if (i <= C_TERM) {
			size_t v;
			if (!parse_uint(tok[i], UINT32_MAX - 1, &v)) {
				mr__isay(&t->c, MR_ERROR, t->net, line, (int)i + 1, col_names[i], "'%s' is not a node number", tok[i]);
				bad = 1;
			} else if (t->m.nodes && (v < 1 || v > t->m.nodes)) {
				mr__isay(&t->c, MR_ERROR, t->net, line, (int)i + 1, col_names[i],
				    "unknown node %zu (<NUMBER OF NODES> is %zu: nodes 1..%zu)", v, t->m.nodes, t->m.nodes);
				bad = 1;
			} else if (i == C_INIT)
				r.from = (uint32_t)v;
			else
				r.to = (uint32_t)v;
		} else {
			int ok = mr__csv_number(tok[i], &r.v[i]);
			if (ok <= 0) {
				mr__isay(&t->c, MR_ERROR, t->net, line, (int)i + 1, col_names[i], ok < 0 ? "'%s' is out of range" :
				    "'%s' is not a number", tok[i]);
				bad = 1;
			} else if (r.v[i] < 0 && i != C_TOLL) {
				mr__isay(&t->c, MR_ERROR, t->net, line, (int)i + 1, col_names[i], "'%s' is negative (must be >= 0)", tok[i]);
				bad = 1;
			} else
				r.has[i] = 1;
		}
	}
	if (!bad && r.from == r.to) {
		mr__isay(&t->c, MR_ERROR, t->net, line, 2, col_names[C_TERM], "the link starts and ends at node %u", r.from);
		bad = 1;
	}
	if (bad)
		return MR_OK;
	return push_row(t, &r);
}

static int read_net(tntp *t, lreader *r)
{
	int rc, in_meta = 1;
	while ((rc = next_line(r, &t->c, t->net)) == 1) {
		const char *s = skip_ws(r->buf);
		if (!*s || *s == '~')
			continue;
		if (in_meta && *s == '<') {
			if (strncasecmp(s, "<END OF METADATA>", 17) == 0) {
				in_meta = 0;
				if (!t->m.nodes_line)
					mr__isay(&t->c, MR_ERROR, t->net, r->line, 0, "<NUMBER OF NODES>", "missing metadata");
				if (!t->m.links_line)
					mr__isay(&t->c, MR_ERROR, t->net, r->line, 0, "<NUMBER OF LINKS>", "missing metadata");
				if (!t->m.first_line)
					mr__isay(&t->c, MR_ERROR, t->net, r->line, 0, "<FIRST THRU NODE>", "missing metadata");
				if (t->c.nerrors)
					return MR_OK; /* without the metadata the rows cannot be checked */
				continue;
			}
			meta_line(t, s, r->line);
			continue;
		}
		if (in_meta) {
			mr__isay(&t->c, MR_ERROR, t->net, r->line, 0, NULL,
			    "data before <END OF METADATA> (is this a TNTP network file?)");
			return MR_OK;
		}
		if ((rc = data_line(t, r->buf, r->line)) != MR_OK)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (in_meta) {
		mr__isay(&t->c, MR_ERROR, t->net, r->line, 0, "<END OF METADATA>", "missing: no link rows (is this a TNTP network file?)");
		return MR_OK;
	}
	if (t->m.first_thru > t->m.nodes + 1)
		mr__isay(&t->c, MR_ERROR, t->net, t->m.first_line, 2, "<FIRST THRU NODE>",
		    "%zu is beyond the last node %zu", t->m.first_thru, t->m.nodes);
	if (!t->c.nerrors && t->nrows != t->m.links)
		mr__isay(&t->c, MR_ERROR, t->net, t->m.links_line, 2, "<NUMBER OF LINKS>",
		    "the metadata says %zu links but the file has %zu", t->m.links, t->nrows);
	return MR_OK;
}

/* ---- the node file ---- */

static int read_nodes(tntp *t, lreader *r)
{
	int rc, header = 0;
	while ((rc = next_line(r, &t->c, t->nodef)) == 1) {
		char *tok[MAX_TOKENS];
		size_t n, id;
		double x, y;
		int okx, oky;
		const char *s = skip_ws(r->buf);
		if (!*s || *s == '~' || *s == '#')
			continue;
		n = tokens(r->buf, tok);
		if (n == 0)
			continue;
		if (!header) {
			header = 1;
			if (strcasecmp(tok[0], "node") == 0)
				continue; /* "Node X Y ;" */
		}
		if (n < 3) {
			mr__isay(&t->c, MR_ERROR, t->nodef, r->line, (int)n + 1, n == 1 ? "X" : "Y",
			    "row has %zu fields; expected node, X and Y", n);
			continue;
		}
		if (!parse_uint(tok[0], UINT32_MAX - 1, &id) || id < 1 || id > t->m.nodes) {
			mr__isay(&t->c, MR_ERROR, t->nodef, r->line, 1, "node", "unknown node '%s' (the network has nodes 1..%zu)",
			    tok[0], t->m.nodes);
			continue;
		}
		okx = mr__csv_number(tok[1], &x);
		oky = mr__csv_number(tok[2], &y);
		if (okx <= 0 || oky <= 0) {
			mr__isay(&t->c, MR_ERROR, t->nodef, r->line, okx <= 0 ? 2 : 3, okx <= 0 ? "X" : "Y", "'%s' is not a number",
			    okx <= 0 ? tok[1] : tok[2]);
			continue;
		}
		if (t->have[id]) {
			mr__isay(&t->c, MR_ERROR, t->nodef, r->line, 1, "node", "node %zu given twice", id);
			continue;
		}
		t->lon[id] = x;
		t->lat[id] = y;
		t->have[id] = 1;
	}
	if (rc < 0)
		return rc;
	if (!t->c.nerrors) {
		size_t k, missing = 0, first = 0;
		for (k = 1; k <= t->m.nodes; k++)
			if (!t->have[k] && !missing++)
				first = k;
		if (missing)
			mr__isay(&t->c, MR_ERROR, t->nodef, r->line, 0, "node", "%zu node%s without coordinates (first: %zu)", missing,
			    missing == 1 ? "" : "s", first);
	}
	return MR_OK;
}

/* Coordinates to lon/lat: as they are when every node is in range; from crs through PROJ; else
 * rescaled into a box of about one degree around (0, 0), keeping the relative positions. */
static int place_nodes(tntp *t, const mr_tntp_opts *o, mr_import_report *rep)
{
	size_t k, N = t->m.nodes;
	int geo = 1;
	double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL, span;

	if (!t->nodef) {
		size_t w = (size_t)ceil(sqrt((double)N));
		for (k = 1; k <= N; k++) {
			t->lon[k] = (double)((k - 1) % w) * MR_IMPORT_GRID_DEG;
			t->lat[k] = (double)((k - 1) / w) * MR_IMPORT_GRID_DEG;
		}
		rep->synthetic_coords = 1;
		mr__isay(&t->c, MR_WARNING, t->net, 0, 0, NULL,
		    "no node coordinates file: nodes placed on a synthetic grid (%g degree apart); lengths come from the file",
		    MR_IMPORT_GRID_DEG);
		return MR_OK;
	}
	if (o->crs && o->crs[0]) {
		PJ_CONTEXT *ctx = proj_context_create();
		PJ *p = NULL, *q = NULL;
		int rc = MR_OK;
		if (!ctx)
			return MR_ENOMEM;
		proj_log_level(ctx, PJ_LOG_NONE);
		p = proj_create_crs_to_crs(ctx, o->crs, "EPSG:4326", NULL);
		if (p)
			q = proj_normalize_for_visualization(ctx, p);
		if (!q) {
			rc = mr_error_set(t->c.err, MR_EINVAL, NULL, 0, 0, "crs", "'%s' is not a CRS that PROJ knows", o->crs);
			t->c.nerrors++;
		}
		for (k = 1; q && k <= N; k++) {
			PJ_COORD a = proj_coord(t->lon[k], t->lat[k], 0, 0), b = proj_trans(q, PJ_FWD, a);
			if (!isfinite(b.lp.lam) || !isfinite(b.lp.phi) || fabs(b.lp.lam) > 180 || fabs(b.lp.phi) > 90) {
				mr__isay(&t->c, MR_ERROR, t->nodef, 0, 0, "X", "node %zu: (%g, %g) in %s has no longitude/latitude", k,
				    t->lon[k], t->lat[k], o->crs);
				break;
			}
			t->lon[k] = b.lp.lam;
			t->lat[k] = b.lp.phi;
		}
		proj_destroy(q);
		proj_destroy(p);
		proj_context_destroy(ctx);
		rep->projected_coords = 1;
		return rc;
	}
	for (k = 1; k <= N; k++) {
		if (fabs(t->lon[k]) > 180 || fabs(t->lat[k]) > 90)
			geo = 0;
		minx = fmin(minx, t->lon[k]), maxx = fmax(maxx, t->lon[k]);
		miny = fmin(miny, t->lat[k]), maxy = fmax(maxy, t->lat[k]);
	}
	if (geo)
		return MR_OK;
	span = fmax(maxx - minx, maxy - miny);
	if (span <= 0)
		span = 1;
	for (k = 1; k <= N; k++) {
		t->lon[k] = (t->lon[k] - (minx + maxx) / 2) / span;
		t->lat[k] = (t->lat[k] - (miny + maxy) / 2) / span;
	}
	rep->synthetic_coords = 1;
	mr__isay(&t->c, MR_WARNING, t->nodef, 0, 0, NULL,
	    "coordinates are not longitude/latitude: rescaled into a box of 1 degree around (0, 0), relative "
	    "positions kept (give their CRS, opts.crs or --crs, to place them on the map)");
	return MR_OK;
}

/* ---- building the source network ---- */

static void fmt_num(char *buf, size_t size, double v)
{
	snprintf(buf, size, "%.10g", v);
}

static int build(tntp *t, const mr_tntp_opts *o, int mode, int gauge, double lkm, double th, mr_src *out,
                 mr_import_report *rep)
{
	size_t k, i, N = t->m.nodes, nz = t->m.first_thru > 0 ? t->m.first_thru - 1 : 0;
	const char *base = strrchr(t->net, '/');
	char id[32], name[64], tags[512], src[512], nb[C_COUNT][32];
	int rc;

	base = base ? base + 1 : t->net;
	(void)o;
	if (!(out->dir = mr_strdup(t->net)))
		return MR_ENOMEM;
	if (nz > N)
		nz = N;
	rep->zones = nz;
	for (k = 1; k <= N; k++) {
		mr_src_node n;
		memset(&n, 0, sizeof(n));
		n.lon = t->lon[k];
		n.lat = t->lat[k];
		n.line = 0;
		if (k <= nz) {
			n.id = id, n.name = name, n.type = "zone";
			snprintf(id, sizeof(id), "o%zu", k);
			snprintf(name, sizeof(name), "zone %zu (origin)", k);
			if ((rc = mr_src_add_node(out, &n, &t->oidx[k])) != MR_OK)
				return rc;
			snprintf(id, sizeof(id), "d%zu", k);
			snprintf(name, sizeof(name), "zone %zu (destination)", k);
			if ((rc = mr_src_add_node(out, &n, &t->didx[k])) != MR_OK)
				return rc;
		} else {
			snprintf(id, sizeof(id), "%zu", k);
			n.id = id, n.type = "junction";
			if ((rc = mr_src_add_node(out, &n, &t->oidx[k])) != MR_OK)
				return rc;
			t->didx[k] = t->oidx[k];
		}
	}
	for (i = 0; i < t->nrows; i++) {
		const trow *r = &t->rows[i];
		mr_src_link l;
		double len = r->v[C_LEN] * lkm, time = r->v[C_FFT] * th;
		size_t c, tl = 0;
		memset(&l, 0, sizeof(l));
		snprintf(id, sizeof(id), "%zu", i + 1);
		snprintf(name, sizeof(name), "%u-%u", r->from, r->to);
		for (c = C_CAP; c < C_COUNT; c++)
			fmt_num(nb[c], sizeof(nb[c]), r->v[c]);
		tl = (size_t)snprintf(tags, sizeof(tags), "tntp;free_flow_time=%s", nb[C_FFT]);
		for (c = C_B; c < C_COUNT && tl < sizeof(tags); c++)
			if (r->has[c])
				tl += (size_t)snprintf(tags + tl, sizeof(tags) - tl, ";%s=%s", col_names[c], nb[c]);
		snprintf(src, sizeof(src), "TNTP %s line %ld: free_flow_time %s x %.10g h = %.10g h; length %s x %.10g km",
		         base, r->line, nb[C_FFT], th, time, nb[C_LEN], lkm);
		l.id = id, l.name = name, l.tags = tags, l.source = src;
		l.from = t->oidx[r->from];
		l.to = t->didx[r->to];
		l.directed = 1;
		l.mode = mode;
		l.gauge_mm = gauge;
		l.status = MR_STATUS_OPEN;
		l.length_km = len;
		l.capacity = r->v[C_CAP];
		l.line = r->line;
		if (len > 0 && time > 0)
			l.free_speed_kmh = len / time;
		else {
			l.free_speed_kmh = MR_IMPORT_ZERO_TIME_KMH;
			if (len == 0)
				l.delay_h = time; /* keeps the time of a link without length */
			else
				rep->zero_time++;
		}
		if (!isfinite(l.free_speed_kmh) || l.free_speed_kmh <= 0) {
			mr__isay(&t->c, MR_ERROR, t->net, r->line, C_FFT + 1, col_names[C_FFT],
			    "length %s / free_flow_time %s gives no finite speed", nb[C_LEN], nb[C_FFT]);
			continue;
		}
		if ((rc = mr_src_add_link(out, &l, NULL)) != MR_OK)
			return rc;
	}
	if (rep->zero_time)
		mr__isay(&t->c, MR_WARNING, t->net, 0, 0, "free_flow_time",
		    "%zu link%s with free_flow_time 0 (and a length) run at %g km/h: their time is 0", rep->zero_time,
		    rep->zero_time == 1 ? "" : "s", MR_IMPORT_ZERO_TIME_KMH);
	return MR_OK;
}

/* The net file: path itself, or the one *_net.tntp in the folder path. */
static int find_net(const char *path, char **net, mr_error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char *found = NULL;
	size_t nfound = 0;

	if (stat(path, &st) != 0)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		*net = mr_strdup(path);
		return *net ? MR_OK : MR_ENOMEM;
	}
	if (!(d = opendir(path)))
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "%s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n > 9 && strcmp(de->d_name + n - 9, "_net.tntp") == 0) {
			if (!nfound++) {
				size_t m = strlen(path) + n + 2;
				if (!(found = mr_malloc(m))) {
					closedir(d);
					return MR_ENOMEM;
				}
				snprintf(found, m, "%s/%s", path, de->d_name);
			}
		}
	}
	closedir(d);
	if (nfound != 1) {
		mr_free(found);
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL,
		                    nfound ? "%zu *_net.tntp files in the folder: give the one to import" :
		                             "no *_net.tntp file in the folder", nfound);
	}
	*net = found;
	return MR_OK;
}

int mr_tntp_import(const char *path, const mr_tntp_opts *o, mr_src *out, mr_import_report *rep,
                   mr_diag_fn diag, void *ud, mr_error *err)
{
	mr_tntp_opts defo;
	mr_import_report drep;
	tntp t;
	lreader r;
	char *net = NULL, *nodef = NULL;
	int rc, mode, gauge;
	double lkm, th;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	if (!o) {
		memset(&defo, 0, sizeof(defo));
		o = &defo;
	}
	if (!rep)
		rep = &drep;
	memset(rep, 0, sizeof(*rep));
	t.c.diag = diag, t.c.ud = ud, t.c.err = err;
	mode = mr_mode_parse(o->mode ? o->mode : "road");
	if (mode < 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "mode", "unknown mode '%s'", o->mode);
	gauge = mode == MR_MODE_RAIL ? (o->gauge_mm > 0 ? o->gauge_mm : MR_IMPORT_DEFAULT_GAUGE) : 0;
	if (mode == MR_MODE_RAIL && !mr_gauge_known(gauge))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "gauge_mm", "unknown gauge %d mm", gauge);
	lkm = o->length_km > 0 ? o->length_km : 1.0;
	th = o->time_h > 0 ? o->time_h : 1.0 / 60.0;
	if ((rc = find_net(path, &net, err)) != MR_OK)
		return rc;
	t.net = net;
	if (!(r.buf = mr_malloc(LINE_MAX_BYTES))) {
		rc = MR_ENOMEM;
		goto unwind;
	}
	if (!(r.fp = fopen(net, "r"))) {
		rc = mr_error_set(err, MR_EIO, net, 0, 0, NULL, "cannot open: %s", strerror(errno));
		goto unwind;
	}
	rc = read_net(&t, &r);
	if (rc == MR_EIO)
		mr_error_set(err, MR_EIO, net, r.line, 0, NULL, "read error");
	fclose(r.fp);
	r.fp = NULL;
	if (rc != MR_OK)
		goto unwind;
	rep->nodes_read = t.m.nodes;
	rep->links_read = t.nrows;
	rep->first_thru = t.m.first_thru;
	if (t.c.nerrors) {
		rc = MR_EPARSE;
		goto unwind;
	}
	/* the node file */
	if (o->node_file) {
		if (!(nodef = mr_strdup(o->node_file))) {
			rc = MR_ENOMEM;
			goto unwind;
		}
	} else {
		size_t n = strlen(net);
		if (n > 9 && strcmp(net + n - 9, "_net.tntp") == 0) {
			if (!(nodef = mr_malloc(n + 2))) {
				rc = MR_ENOMEM;
				goto unwind;
			}
			memcpy(nodef, net, n - 9);
			strcpy(nodef + n - 9, "_node.tntp");
			if (access(nodef, F_OK) != 0) {
				mr_free(nodef);
				nodef = NULL;
			}
		}
	}
	t.nodef = nodef;
	t.lon = mr_calloc(t.m.nodes + 1, sizeof(double));
	t.lat = mr_calloc(t.m.nodes + 1, sizeof(double));
	t.have = mr_calloc(t.m.nodes + 1, 1);
	t.oidx = mr_calloc(t.m.nodes + 1, sizeof(uint32_t));
	t.didx = mr_calloc(t.m.nodes + 1, sizeof(uint32_t));
	if (!t.lon || !t.lat || !t.have || !t.oidx || !t.didx) {
		rc = MR_ENOMEM;
		goto unwind;
	}
	if (nodef) {
		r.line = 0;
		if (!(r.fp = fopen(nodef, "r"))) {
			rc = mr_error_set(err, MR_EIO, nodef, 0, 0, NULL, "cannot open: %s", strerror(errno));
			goto unwind;
		}
		rc = read_nodes(&t, &r);
		if (rc == MR_EIO)
			mr_error_set(err, MR_EIO, nodef, r.line, 0, NULL, "read error");
		fclose(r.fp);
		r.fp = NULL;
		if (rc != MR_OK)
			goto unwind;
		if (t.c.nerrors) {
			rc = MR_EPARSE;
			goto unwind;
		}
	}
	if ((rc = place_nodes(&t, o, rep)) != MR_OK)
		goto unwind;
	if (t.c.nerrors) {
		rc = MR_EPARSE;
		goto unwind;
	}
	if ((rc = build(&t, o, mode, gauge, lkm, th, out, rep)) != MR_OK)
		goto unwind;
	if (t.c.nerrors) {
		rc = MR_EPARSE;
		goto unwind;
	}
	rep->nodes = out->nnodes;
	rep->links = out->nlinks;
unwind:
	if (rc == MR_ENOMEM)
		mr_error_set(err, MR_ENOMEM, t.net, 0, 0, NULL, "out of memory");
	if (rc != MR_OK)
		mr_src_free(out);
	mr_free(t.rows);
	mr_free(t.lon);
	mr_free(t.lat);
	mr_free(t.have);
	mr_free(t.oidx);
	mr_free(t.didx);
	mr_free(r.buf);
	mr_free(nodef);
	mr_free(net);
	return rc;
}
