/* mr_plot.c: the comparison's bar charts drawn with cairo (mr_plot_compare): one panel per figure
 * (distance, days, cost, CO2e), one bar per corridor feasible on either side, the best of each
 * side highlighted; with vs_rows, paired bars (baseline, scenario). PNG or SVG by the file's
 * extension, written to a temporary file in the same folder and renamed over the target, so a
 * failure leaves nothing behind. Cairo allocates through malloc, not the Meridian hook. */
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meridian/mr_report.h"

#define NFIG 4
#define PLOT_W 1200.0
#define PANEL_W 600.0
#define LABEL_W 135.0
#define VALUE_W 72.0
#define PAD 22.0

static const struct {
	const char *title, *unit;
	int decimals;
} plot_figs[NFIG] = {
	{"Distance", "km", 0},
	{"Transit time", "days", 1},
	{"Cost", "USD", 0},
	{"Emissions", "kg CO2e", 0},
};

/* One corridor as drawn: its figures on each side (ok[s] = feasible on side s). */
typedef struct plot_row {
	const char *id;
	int ok[2];
	double v[2][NFIG];
} plot_row;

typedef struct plot {
	const mr_compare_report *rep;
	plot_row *rows;
	size_t n;
	int sides;
	double best[2][NFIG];
	double row_h, panel_h, top, h;
} plot;

static double figure(const mr_route *r, int f)
{
	switch (f) {
	case 0: return r->distance_km;
	case 1: return r->duration_h / 24.0;
	case 2: return r->cost_usd;
	default: return r->co2e_kg;
	}
}

/* "1,234,567.8": digits grouped by three. */
static void grouped(char *out, size_t size, double x, int decimals)
{
	char digits[64];
	size_t n, intlen, i, o = 0;
	if (!isfinite(x)) {
		snprintf(out, size, "-");
		return;
	}
	snprintf(digits, sizeof(digits), "%.*f", decimals, fabs(x));
	n = strlen(digits);
	intlen = strcspn(digits, ".");
	if (x < 0 && strspn(digits, "0.") != n && o + 1 < size)
		out[o++] = '-';
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static double nice_step(double span, double target)
{
	double raw = span / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void rgb(cairo_t *cr, unsigned hex)
{
	cairo_set_source_rgb(cr, (hex >> 16 & 255) / 255.0, (hex >> 8 & 255) / 255.0, (hex & 255) / 255.0);
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double size, int bold, double align)
{
	cairo_text_extents_t te;
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
	                       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &te);
	cairo_move_to(cr, x - align * te.x_advance, y);
	cairo_show_text(cr, s);
}

/* A corridor id that fits in width, cut (at a character boundary) with "..." when it does not. */
static void fit_label(cairo_t *cr, const char *s, double width, char *out, size_t size)
{
	cairo_text_extents_t te;
	size_t cut = strlen(s);
	snprintf(out, size, "%s", s);
	cairo_text_extents(cr, out, &te);
	while (te.x_advance > width && cut > 1) {
		do
			cut--;
		while (cut > 1 && (s[cut] & 0xC0) == 0x80);
		snprintf(out, size, "%.*s...", (int)cut, s);
		cairo_text_extents(cr, out, &te);
	}
}

static void draw_panel(const plot *p, cairo_t *cr, double x0, double y0, int f)
{
	const double A = PANEL_W - 2 * PAD - LABEL_W - VALUE_W, bx = x0 + PAD + LABEL_W;
	const double bh = p->sides == 2 ? 11 : 15, gap = 2;
	double max = 0, step, t, y = y0 + 34;
	char buf[96], label[96];
	size_t i;
	int s;

	snprintf(buf, sizeof(buf), "%s (%s)", plot_figs[f].title, plot_figs[f].unit);
	rgb(cr, 0x1b2631);
	text_at(cr, x0 + PAD, y0 + 18, buf, 15, 1, 0);
	for (i = 0; i < p->n; i++)
		for (s = 0; s < p->sides; s++)
			if (p->rows[i].ok[s])
				max = fmax(max, p->rows[i].v[s][f]);
	if (!p->n) {
		rgb(cr, 0x5d6d7e);
		text_at(cr, x0 + PAD, y, "No feasible corridor.", 12, 0, 0);
		return;
	}
	if (!(max > 0))
		max = 1;
	step = nice_step(max, 4);
	max = ceil(max / step * (1 - 1e-12)) * step;
	/* grid and ticks */
	cairo_set_line_width(cr, 1);
	for (t = 0; t <= max * (1 + 1e-9); t += step) {
		double x = floor(bx + t / max * A) + 0.5;
		rgb(cr, t == 0 ? 0x9fb3c8 : 0xe3e9ef);
		cairo_move_to(cr, x, y - 4);
		cairo_line_to(cr, x, y + p->n * p->row_h);
		cairo_stroke(cr);
		grouped(buf, sizeof(buf), t, step < 1 ? 1 : 0);
		rgb(cr, 0x7f93a7);
		text_at(cr, x, y + p->n * p->row_h + 15, buf, 10.5, 0, 0.5);
	}
	for (i = 0; i < p->n; i++) {
		const plot_row *r = &p->rows[i];
		cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, 12);
		fit_label(cr, r->id, LABEL_W - 12, label, sizeof(label));
		rgb(cr, 0x1b2631);
		text_at(cr, bx - 8, y + p->row_h / 2 + 4, label, 12, 0, 1);
		for (s = 0; s < p->sides; s++) {
			double by = p->sides == 2 ? y + (p->row_h - 2 * bh - gap) / 2 + s * (bh + gap) : y + (p->row_h - bh) / 2;
			double v = r->v[s][f], w;
			int best;
			if (!r->ok[s]) {
				rgb(cr, 0x8a4b08);
				text_at(cr, bx + 4, by + bh - 2, "infeasible", 10.5, 0, 0);
				continue;
			}
			best = fabs(v - p->best[s][f]) <= 1e-9 * fmax(1.0, fabs(v));
			w = fmax(v / max * A, 0.5);
			rgb(cr, s ? (best ? 0xb8620c : 0xe3a05a) : (best ? 0x2e9d5b : 0x8aa7c4));
			cairo_rectangle(cr, bx, by, w, bh);
			cairo_fill(cr);
			grouped(buf, sizeof(buf), v, plot_figs[f].decimals);
			rgb(cr, 0x1b2631);
			text_at(cr, bx + w + 5, by + bh - 2, buf, 11, best, 0);
		}
		y += p->row_h;
	}
}

static void draw(const plot *p, cairo_t *cr)
{
	const mr_compare_report *rep = p->rep;
	const mr_net *net = rep->net;
	const mr_node_rec *a = &net->nodes[rep->from->node], *b = &net->nodes[rep->to->node];
	char buf[512], n1[96];
	int f;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	snprintf(buf, sizeof(buf), "%s \xe2\x86\x92 %s: corridors compared", mr_net_str(net, a->name ? a->name : a->id),
	         mr_net_str(net, b->name ? b->name : b->id));
	rgb(cr, 0x0e2a45);
	text_at(cr, PAD, 32, buf, 20, 1, 0);
	grouped(n1, sizeof(n1), rep->opts->teu, rep->opts->teu == floor(rep->opts->teu) ? 0 : 2);
	snprintf(buf, sizeof(buf), "objective: %s, %s TEU; the best corridor of each figure highlighted",
	         mr_objective_name(rep->opts->objective), n1);
	rgb(cr, 0x5d6d7e);
	text_at(cr, PAD, 52, buf, 12.5, 0, 0);
	if (p->sides == 2) {
		double x = PAD;
		const char *l0 = rep->label ? rep->label : "baseline", *l1 = rep->vs_label ? rep->vs_label : "scenario";
		cairo_text_extents_t te;
		rgb(cr, 0x8aa7c4);
		cairo_rectangle(cr, x, 62, 12, 12);
		cairo_fill(cr);
		rgb(cr, 0x1b2631);
		text_at(cr, x + 18, 72, l0, 12, 0, 0);
		cairo_text_extents(cr, l0, &te);
		x += 18 + te.x_advance + 24;
		rgb(cr, 0xe3a05a);
		cairo_rectangle(cr, x, 62, 12, 12);
		cairo_fill(cr);
		rgb(cr, 0x1b2631);
		text_at(cr, x + 18, 72, l1, 12, 0, 0);
	}
	for (f = 0; f < NFIG; f++)
		draw_panel(p, cr, (f % 2) * PANEL_W, p->top + (f / 2) * p->panel_h, f);
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int length)
{
	return fwrite(data, 1, length, (FILE *)closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draw into fp as PNG (svg = 0) or SVG. */
static cairo_status_t render(const plot *p, int svg, FILE *fp)
{
	cairo_surface_t *sf = svg ? cairo_svg_surface_create_for_stream(write_stream, fp, PLOT_W, p->h)
	                          : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)PLOT_W, (int)ceil(p->h));
	cairo_status_t st = cairo_surface_status(sf);
	cairo_t *cr;
	if (st != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return st;
	}
	cr = cairo_create(sf);
	if ((st = cairo_status(cr)) == CAIRO_STATUS_SUCCESS) {
		draw(p, cr);
		st = cairo_status(cr);
	}
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS) {
		if (svg) {
			cairo_surface_finish(sf);
			st = cairo_surface_status(sf);
		} else {
			st = cairo_surface_write_to_png_stream(sf, write_stream, fp);
		}
	}
	cairo_surface_destroy(sf);
	return st;
}

static int plot_rows(plot *p, const mr_compare_report *rep)
{
	size_t i;
	int s, f;
	p->rows = mr_calloc(rep->nrows ? rep->nrows : 1, sizeof(*p->rows));
	if (!p->rows)
		return MR_ENOMEM;
	for (s = 0; s < 2; s++)
		for (f = 0; f < NFIG; f++)
			p->best[s][f] = INFINITY;
	for (i = 0; i < rep->nrows; i++) {
		plot_row *r = &p->rows[p->n];
		for (s = 0; s < p->sides; s++) {
			const mr_compare_row *row = s ? &rep->vs_rows[i] : &rep->rows[i];
			if (!row->feasible || !row->route)
				continue;
			r->ok[s] = 1;
			for (f = 0; f < NFIG; f++) {
				r->v[s][f] = figure(row->route, f);
				p->best[s][f] = fmin(p->best[s][f], r->v[s][f]);
			}
		}
		if (r->ok[0] || r->ok[1]) {
			r->id = rep->rows[i].id ? rep->rows[i].id : "?";
			p->n++;
		}
	}
	p->row_h = p->sides == 2 ? 30 : 24;
	p->top = p->sides == 2 ? 86 : 66;
	p->panel_h = 34 + (p->n ? (double)p->n * p->row_h : 20) + 40;
	p->h = ceil(p->top + 2 * p->panel_h + 8);
	return MR_OK;
}

int mr_plot_compare(const mr_compare_report *rep, const char *path, mr_error *err)
{
	const char *slash, *dot;
	char *tmp = NULL;
	FILE *fp = NULL;
	plot p;
	int svg, fd, rc = MR_OK;
	size_t len;
	cairo_status_t st;

	mr_error_clear(err);
	if (!rep || !path || !path[0] || !rep->net || !rep->from || !rep->to || !rep->opts || (rep->nrows && !rep->rows) ||
	    rep->from->node >= rep->net->meta.nnodes || rep->to->node >= rep->net->meta.nnodes)
		return mr_error_set(err, MR_EINVAL, path, 0, 0, NULL, "plot: incomplete comparison or no file name");
	slash = strrchr(path, '/');
	dot = strrchr(slash ? slash : path, '.');
	if (dot && strcasecmp(dot, ".svg") == 0)
		svg = 1;
	else if (dot && strcasecmp(dot, ".png") == 0)
		svg = 0;
	else
		return mr_error_set(err, MR_EINVAL, path, 0, 0, NULL, "plot: the file name must end in .png or .svg");

	memset(&p, 0, sizeof(p));
	p.rep = rep;
	p.sides = rep->vs_rows ? 2 : 1;
	if ((rc = plot_rows(&p, rep))) {
		rc = mr_error_set(err, rc, path, 0, 0, NULL, "plot: out of memory");
		goto out;
	}
	len = strlen(path) + sizeof(".tmp.XXXXXX");
	if (!(tmp = mr_malloc(len))) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "plot: out of memory");
		goto out;
	}
	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot create a temporary file next to %s: %s", path,
		                  strerror(errno));
		mr_free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0644) != 0 || !(fp = fdopen(fd, "wb"))) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open a temporary file: %s", strerror(errno));
		close(fd);
		goto out;
	}
	st = render(&p, svg, fp);
	if (st == CAIRO_STATUS_NO_MEMORY) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "plot: out of memory in cairo");
		goto out;
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "plot: %s", cairo_status_to_string(st));
		goto out;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "write failed: %s", strerror(errno));
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "close failed: %s", strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(tmp, path) != 0)
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot rename %s: %s", tmp, strerror(errno));
out:
	if (fp)
		fclose(fp);
	if (rc && tmp)
		unlink(tmp);
	mr_free(tmp);
	mr_free(p.rows);
	return rc;
}

void mr_plot_cleanup(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
