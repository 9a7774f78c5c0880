/* mr_svgmap.c: what the HTML reports draw their maps with (src/analysis/mr_svgmap.h): XML text
 * escaping and number formatting, the equirectangular view fitted to a set of paths (with the
 * seam placed where no path crosses), the country outlines decoded from the world-atlas
 * TopoJSON, a graticule and a scale bar. Moved here from mr_html.c so that every report (the
 * comparison, the flow map, the criticality map) draws the same map. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/mr_svgmap.h"

#define MINUS "\xe2\x88\x92" /* U+2212 */
#define DASH "\xe2\x80\x94"  /* U+2014 */


/* Append s escaped for text and attribute values; control characters (not allowed in XML)
 * become spaces. */
void mr__xml_esc(mr_buf *b, const char *s)
{
	const char *p = s ? s : "", *run = p;
	for (; *p; p++) {
		const char *with = NULL;
		unsigned char c = (unsigned char)*p;
		switch (c) {
		case '&': with = "&amp;"; break;
		case '<': with = "&lt;"; break;
		case '>': with = "&gt;"; break;
		case '"': with = "&quot;"; break;
		case '\'': with = "&#39;"; break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				with = " ";
		}
		if (!with)
			continue;
		if (p > run)
			mr_buf_printf(b, "%.*s", (int)(p - run), run);
		mr_buf_puts(b, with);
		run = p + 1;
	}
	if (p > run)
		mr_buf_puts(b, run);
}

/* Append x with thousands separators and `decimals` decimals ("16,234.5"); U+2212 for minus,
 * a dash for what is not a number. plus: "+" before positive values. */
void mr__put_num_signed(mr_buf *b, double x, int decimals, int plus)
{
	char raw[64], out[96];
	size_t n, i, o = 0, intlen;
	int zero;
	if (!isfinite(x)) {
		mr_buf_puts(b, DASH);
		return;
	}
	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(x));
	n = strlen(raw);
	zero = strspn(raw, "0.") == n;
	if (!zero && x < 0)
		mr_buf_puts(b, MINUS);
	else if (!zero && plus)
		mr_buf_puts(b, "+");
	intlen = strcspn(raw, ".");
	for (i = 0; i < n && o + 2 < sizeof(out); i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	mr_buf_puts(b, out);
}

void mr__put_num(mr_buf *b, double x, int decimals)
{
	mr__put_num_signed(b, x, decimals, 0);
}



double mr__map_norm_lon(double lon, double ref)
{
	while (lon <= ref)
		lon += 360;
	while (lon > ref + 360)
		lon -= 360;
	return lon;
}

/* x of a longitude already in the view's range (see norm_lon) */
double mr__map_xv(const mr__map *p, double lon)
{
	return (lon - p->west) * p->kx;
}

/* x of any longitude */
double mr__map_x(const mr__map *p, double lon)
{
	return mr__map_xv(p, mr__map_norm_lon(lon, p->ref));
}

double mr__map_y(const mr__map *p, double lat)
{
	return (p->north - lat) * p->ky;
}

static void grow(double *lo, double *hi, double want, double min, double max)
{
	double extra = (want - (*hi - *lo)) / 2;
	if (extra <= 0)
		return;
	*lo -= extra;
	*hi += extra;
	if (*lo < min) {
		*hi = fmin(max, *hi + (min - *lo));
		*lo = min;
	}
	if (*hi > max) {
		*lo = fmax(min, *lo - (*hi - max));
		*hi = max;
	}
}

/* Mark the one-degree longitude bins that a segment from a to b (the short way round) covers. */
static void mark_bins(unsigned char bins[360], double a, double b)
{
	double d = b - a;
	int i, n, k;
	if (d > 180)
		d -= 360;
	else if (d < -180)
		d += 360;
	n = (int)fabs(d) + 1;
	for (k = 0; k <= n; k++) {
		i = (int)floor(a + d * k / n + 180.0) % 360;
		bins[i < 0 ? i + 360 : i] = 1;
	}
}

/* The world-atlas arcs, decoded to degrees: arc i is pts[2 * first[i] .. 2 * first[i + 1]). */
typedef struct atlas {
	double *pts;
	size_t *first;
	size_t narcs;
	double *ring; /* scratch: one ring's points */
	size_t cring;
} atlas;

static void atlas_free(atlas *a)
{
	mr_free(a->pts);
	mr_free(a->first);
	mr_free(a->ring);
	memset(a, 0, sizeof(*a));
}

/* MR_OK, MR_ENOMEM, or MR_EPARSE with why in note. */
static int atlas_arcs(atlas *a, json_t *root, char *note, size_t nsize)
{
	json_t *arcs = json_object_get(root, "arcs"), *tr = json_object_get(root, "transform");
	double sx = 1, sy = 1, tx = 0, ty = 0;
	size_t i, j, total = 0;
	if (!json_is_array(arcs)) {
		snprintf(note, nsize, "no \"arcs\" array");
		return MR_EPARSE;
	}
	if (tr) {
		json_t *sc = json_object_get(tr, "scale"), *tl = json_object_get(tr, "translate");
		if (json_array_size(sc) != 2 || json_array_size(tl) != 2) {
			snprintf(note, nsize, "malformed \"transform\"");
			return MR_EPARSE;
		}
		sx = json_number_value(json_array_get(sc, 0));
		sy = json_number_value(json_array_get(sc, 1));
		tx = json_number_value(json_array_get(tl, 0));
		ty = json_number_value(json_array_get(tl, 1));
	}
	a->narcs = json_array_size(arcs);
	for (i = 0; i < a->narcs; i++) {
		json_t *arc = json_array_get(arcs, i);
		if (!json_is_array(arc)) {
			snprintf(note, nsize, "arc %zu is not an array", i);
			return MR_EPARSE;
		}
		total += json_array_size(arc);
	}
	a->first = mr_malloc((a->narcs + 1) * sizeof(*a->first));
	a->pts = mr_malloc((total ? total : 1) * 2 * sizeof(*a->pts));
	if (!a->first || !a->pts)
		return MR_ENOMEM;
	total = 0;
	for (i = 0; i < a->narcs; i++) {
		json_t *arc = json_array_get(arcs, i);
		double x = 0, y = 0;
		a->first[i] = total;
		for (j = 0; j < json_array_size(arc); j++) {
			json_t *pos = json_array_get(arc, j);
			json_t *px = json_array_get(pos, 0), *py = json_array_get(pos, 1);
			if (!json_is_number(px) || !json_is_number(py)) {
				snprintf(note, nsize, "arc %zu, position %zu is not a pair of numbers", i, j);
				return MR_EPARSE;
			}
			if (tr) {
				x += json_number_value(px);
				y += json_number_value(py);
				a->pts[2 * total] = x * sx + tx;
				a->pts[2 * total + 1] = y * sy + ty;
			} else {
				a->pts[2 * total] = json_number_value(px);
				a->pts[2 * total + 1] = json_number_value(py);
			}
			total++;
		}
	}
	a->first[a->narcs] = total;
	return MR_OK;
}

/* Assemble a ring from its arc indexes into a->ring (lon, lat pairs, longitudes unwrapped so that
 * no step exceeds 180 degrees). *n: points. MR_OK, MR_ENOMEM or MR_EPARSE. */
static int atlas_ring(atlas *a, json_t *ring, size_t *n)
{
	size_t k, need = 0, o = 0, j;
	double off = 0;
	if (!json_is_array(ring))
		return MR_EPARSE;
	for (k = 0; k < json_array_size(ring); k++) {
		json_t *ix = json_array_get(ring, k);
		json_int_t v;
		size_t arc;
		if (!json_is_integer(ix))
			return MR_EPARSE;
		v = json_integer_value(ix);
		arc = (size_t)(v >= 0 ? v : ~v);
		if (arc >= a->narcs)
			return MR_EPARSE;
		need += a->first[arc + 1] - a->first[arc];
	}
	if (need > a->cring) {
		double *r = mr_realloc(a->ring, need * 2 * sizeof(*r));
		if (!r)
			return MR_ENOMEM;
		a->ring = r;
		a->cring = need;
	}
	for (k = 0; k < json_array_size(ring); k++) {
		json_int_t v = json_integer_value(json_array_get(ring, k));
		size_t arc = (size_t)(v >= 0 ? v : ~v), cnt = a->first[arc + 1] - a->first[arc];
		for (j = (k > 0 ? 1 : 0); j < cnt; j++) {
			size_t q = a->first[arc] + (v >= 0 ? j : cnt - 1 - j);
			double lon = a->pts[2 * q] + off;
			if (o > 0) {
				double d = lon - a->ring[2 * (o - 1)];
				if (d > 180)
					off -= 360, lon -= 360;
				else if (d < -180)
					off += 360, lon += 360;
			}
			a->ring[2 * o] = lon;
			a->ring[2 * o + 1] = a->pts[2 * q + 1];
			o++;
		}
	}
	*n = o;
	return MR_OK;
}

/* Append the ring (shifted by `shift` degrees of longitude) as a closed subpath if it has three
 * distinct pixels. */
static void ring_path(mr_buf *b, const mr__map *p, const double *pt, size_t n, double shift)
{
	long lx = 0, ly = 0;
	size_t k, m = 0, start = b->len;
	for (k = 0; k < n; k++) {
		long x = lround(mr__map_xv(p, pt[2 * k] + shift) * 10), y = lround(mr__map_y(p, pt[2 * k + 1]) * 10);
		if (m > 0 && x == lx && y == ly)
			continue;
		mr_buf_printf(b, "%s%.1f,%.1f", m ? " " : "M", x / 10.0, y / 10.0);
		lx = x, ly = y;
		m++;
	}
	if (m >= 3) {
		mr_buf_puts(b, "Z");
	} else if (!b->failed && b->data) { /* too small to see: take it back */
		b->len = start;
		b->data[start] = '\0';
	}
}

static void put_polygon(mr_buf *b, atlas *a, const mr__map *p, json_t *rings, int *rc)
{
	size_t k, n, j;
	for (k = 0; k < json_array_size(rings) && !*rc; k++) {
		double w = INFINITY, e = -INFINITY, s = INFINITY, nn = -INFINITY, shift;
		if ((*rc = atlas_ring(a, json_array_get(rings, k), &n)))
			return;
		for (j = 0; j < n; j++) {
			w = fmin(w, a->ring[2 * j]), e = fmax(e, a->ring[2 * j]);
			s = fmin(s, a->ring[2 * j + 1]), nn = fmax(nn, a->ring[2 * j + 1]);
		}
		if (n < 3 || s > p->north || nn < p->south)
			continue;
		for (shift = -360; shift <= 360; shift += 360)
			if (w + shift < p->east && e + shift > p->west)
				ring_path(b, p, a->ring, n, shift);
	}
}

/* Country outlines from the atlas; note says what is missing (empty when drawn). */
int mr__map_countries(mr_buf *b, const mr__map *p, const char *path, char *note, size_t nsize)
{
	json_t *root, *objs, *obj, *geoms;
	json_error_t je;
	atlas a;
	size_t i, drawn = 0;
	int rc = MR_OK;

	note[0] = '\0';
	if (!path || !path[0]) {
		snprintf(note, nsize, "Country outlines are not drawn: the world-atlas data was not found "
		                      "(scripts/install-deps installs it).");
		return MR_OK;
	}
	memset(&a, 0, sizeof(a));
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(note, nsize, "Country outlines are not drawn: cannot read %s (line %d: %s).", path, je.line, je.text);
		return MR_OK;
	}
	objs = json_object_get(root, "objects");
	obj = json_object_get(objs, "countries");
	if (!obj && json_is_object(objs) && json_object_iter(objs))
		obj = json_object_iter_value(json_object_iter(objs));
	geoms = json_object_get(obj, "geometries");
	if (!json_is_array(geoms)) {
		snprintf(note, nsize, "Country outlines are not drawn: %s has no countries object.", path);
		goto out;
	}
	{
		char why[160];
		rc = atlas_arcs(&a, root, why, sizeof(why));
		if (rc == MR_EPARSE) {
			snprintf(note, nsize, "Country outlines are not drawn: %s: %s.", path, why);
			rc = MR_OK;
			goto out;
		}
		if (rc)
			goto out;
	}
	mr_buf_puts(b, "<g class=\"countries\">\n");
	for (i = 0; i < json_array_size(geoms) && !rc; i++) {
		json_t *g = json_array_get(geoms, i), *arcs = json_object_get(g, "arcs");
		const char *type = json_string_value(json_object_get(g, "type"));
		const char *name = json_string_value(json_object_get(json_object_get(g, "properties"), "name"));
		size_t start = b->len, k, mark;
		if (!type || !json_is_array(arcs))
			continue;
		mr_buf_puts(b, "<path class=\"land\" d=\"");
		mark = b->len;
		if (strcmp(type, "Polygon") == 0)
			put_polygon(b, &a, p, arcs, &rc);
		else if (strcmp(type, "MultiPolygon") == 0)
			for (k = 0; k < json_array_size(arcs) && !rc; k++)
				put_polygon(b, &a, p, json_array_get(arcs, k), &rc);
		if (rc == MR_EPARSE) {
			snprintf(note, nsize, "Country outlines are partly drawn: %s: geometry %zu refers to a missing arc.", path,
			         i);
			rc = MR_OK;
		}
		if (b->failed || rc)
			break;
		if (b->len == mark) { /* nothing in view */
			b->len = start;
			b->data[start] = '\0';
			continue;
		}
		mr_buf_puts(b, "\">");
		if (name) {
			mr_buf_puts(b, "<title>");
			mr__xml_esc(b, name);
			mr_buf_puts(b, "</title>");
		}
		mr_buf_puts(b, "</path>\n");
		drawn++;
	}
	mr_buf_puts(b, "</g>\n");
	if (!drawn && !note[0])
		snprintf(note, nsize, "No country outline falls in the view.");
out:
	json_decref(root);
	atlas_free(&a);
	return rc;
}

double mr__nice_step(double span, double target)
{
	double raw = span / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

void mr__map_graticule(mr_buf *b, const mr__map *p)
{
	static const double steps[] = {1, 2, 5, 10, 15, 20, 30};
	double span = fmax(p->east - p->west, p->north - p->south), step = 30, v;
	size_t k;
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
		if (span / steps[k] <= 9) {
			step = steps[k];
			break;
		}
	mr_buf_puts(b, "<path class=\"grat\" d=\"");
	for (v = ceil(p->west / step) * step; v <= p->east; v += step)
		mr_buf_printf(b, "M%.1f,0V%.1f", mr__map_xv(p, v), p->h);
	for (v = ceil(p->south / step) * step; v <= p->north; v += step)
		mr_buf_printf(b, "M0,%.1fH%.1f", mr__map_y(p, v), p->w);
	mr_buf_puts(b, "\"/>\n");
	for (v = ceil(p->west / step) * step; v <= p->east; v += step)
	{
		double lon = mr__map_norm_lon(v, -180.0);
		mr_buf_printf(b, "<text class=\"gl\" x=\"%.1f\" y=\"%.1f\">%g&#176;%s</text>", mr__map_xv(p, v) + 3, p->h - 5,
		              lon == 180 ? 180 : fabs(lon), lon < 0 ? "W" : lon > 0 && lon < 180 ? "E" : "");
	}
	for (v = ceil(p->south / step) * step; v <= p->north; v += step)
		mr_buf_printf(b, "<text class=\"gl\" x=\"4\" y=\"%.1f\">%g&#176;%s</text>", mr__map_y(p, v) - 3, fabs(v),
		              v < 0 ? "S" : v > 0 ? "N" : "");
	mr_buf_puts(b, "\n");
}

/* A scale bar true at the middle latitude (where the projection is true to scale east-west). */
void mr__map_scale(mr_buf *b, const mr__map *p)
{
	double km_per_px = 111.32 / p->ky, km = mr__nice_step(p->w * 0.18 * km_per_px, 1), len = km / km_per_px;
	double x = 16, y = p->h - 24;
	mr_buf_printf(b, "<path class=\"scale\" d=\"M%.1f,%.1fv6h%.1fv-6\"/><text class=\"scalet\" x=\"%.1f\" y=\"%.1f\">",
	              x, y, len, x, y - 4);
	mr__put_num(b, km, 0);
	mr_buf_puts(b, " km</text>\n");
}


/* The seam of the map: the middle of the widest band of longitudes that no path crosses (so a
 * path across the Pacific is drawn whole, centred on it); -180 when that band holds the
 * antimeridian, the usual map. */
static double map_seam(const double *pts, const size_t *first, size_t npaths)
{
	unsigned char bins[360];
	int i, best = -1, bestlen = 0, run = 0, start = 0;
	size_t k, j;
	memset(bins, 0, sizeof(bins));
	for (k = 0; k < npaths; k++)
		for (j = first[k]; j < first[k + 1]; j++)
			mark_bins(bins, pts[2 * (j > first[k] ? j - 1 : j)], pts[2 * j]);
	/* the longest run of empty bins, circularly: walk twice round */
	for (i = 0; i < 720; i++) {
		if (bins[i % 360]) {
			run = 0;
			continue;
		}
		if (!run)
			start = i;
		if (++run > bestlen && run <= 360) {
			bestlen = run;
			best = start;
		}
	}
	if (best < 0 || bestlen >= 360)
		return -180.0;
	{
		/* bin b spans [b - 180, b - 179) degrees: the band is [g0, g0 + bestlen) */
		double g0 = best % 360 - 180.0;
		if (g0 <= -180.0 || g0 + bestlen >= 180.0) /* the antimeridian lies in it: the usual map */
			return -180.0;
		return g0 + bestlen / 2.0;
	}
}

void mr__map_fit(mr__map *p, const double *pts, const size_t *first, size_t npaths, double width)
{
	double w = INFINITY, e = -INFINITY, s = INFINITY, n = -INFINITY, c, dx, dy, ref = map_seam(pts, first, npaths), x;
	size_t k;
	for (k = 0; k < first[npaths]; k++) {
		x = mr__map_norm_lon(pts[2 * k], ref);
		w = fmin(w, x), e = fmax(e, x), s = fmin(s, pts[2 * k + 1]), n = fmax(n, pts[2 * k + 1]);
	}
	if (!(w <= e)) { /* nothing to show: the world */
		w = -180, e = 180, s = -60, n = 75;
	}
	dx = fmax((e - w) * 0.07, 2.0);
	dy = fmax((n - s) * 0.09, 2.0);
	w = fmax(ref, w - dx);
	e = fmin(ref + 360, e + dx);
	s = fmax(-82.0, s - dy);
	n = fmin(84.0, n + dy);
	c = fmax(0.25, cos((s + n) / 2 * M_PI / 180.0));
	grow(&s, &n, 0.5 * (e - w) * c, -82.0, 84.0);
	grow(&w, &e, (n - s) / (1.1 * c), ref, ref + 360);
	c = fmax(0.25, cos((s + n) / 2 * M_PI / 180.0));
	p->ref = ref;
	p->west = w, p->east = e, p->south = s, p->north = n;
	p->w = width;
	p->kx = width / (e - w);
	p->ky = p->kx / c;
	p->h = (n - s) * p->ky;
}
