/* mr_html.c: the corridor comparison as one self-contained HTML page (mr_report_compare_html):
 * summary, map, comparison table, bar charts, scenario differences, parameters and sources.
 *
 * What the page promises:
 * - no request leaves it: CSS and SVG are inline, there is no script, no font and no image from
 *   elsewhere; the corridor switches of the map are checkboxes styled by CSS (:checked), so the
 *   page is complete in a browser with scripts off and in print;
 * - it is also well-formed XML (every element closed, attributes quoted, text escaped, only
 *   numeric character references), so an XML parser can check it;
 * - the same report gives the same bytes: no date, no random id, every list in a fixed order.
 *
 * The map is an equirectangular projection whose x scale is cos(latitude) at the middle of the
 * view (the "equidistant cylindrical" with one standard parallel): it is linear in lon and lat,
 * so a link between two nodes stays a straight segment and the country outlines need no
 * resampling, and on a regional view (the routes' bounding box plus a margin) shapes are true at
 * the middle latitude. Coordinates are in pixels of a 1000 px wide view, rounded to 0.1 px
 * (about 0.01 degree on a regional map). Country outlines are decoded here from the world-atlas
 * TopoJSON (quantized, delta-encoded arcs; a negative arc index ~i is arc i reversed). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/mr_svgmap.h"
#include "core/mr_buf.h"
#include "meridian/mr_alt.h"
#include "meridian/mr_claims.h"
#include "meridian/mr_report.h"

#define MAP_W 1000.0
#define MINUS "\xe2\x88\x92" /* U+2212 */
#define ARROW "\xe2\x86\x92" /* U+2192 */
#define TIMES "\xc3\x97"     /* U+00D7 */
#define DASH "\xe2\x80\x94"  /* U+2014 */
#define MAX_MASK_ROWS 64     /* "used by" lists name at most this many corridors per side */

/* ---- figures ---- */

enum { F_KM, F_DAYS, F_USD, F_CO2E, F_COUNT };

static const struct {
	const char *title, *unit, *col;
	int decimals;
} figs[F_COUNT] = {
	{"Distance", "km", "km", 0},
	{"Transit time", "days", "days", 1},
	{"Cost", "USD", "USD", 0},
	{"Emissions", "kg CO2e", "kg CO2e", 0},
};

static double fig(const mr_route *r, int f)
{
	switch (f) {
	case F_KM: return r->distance_km;
	case F_DAYS: return r->duration_h / 24.0;
	case F_USD: return r->cost_usd;
	default: return r->co2e_kg;
	}
}

/* One side of the report: the baseline, or the --vs scenario. */
typedef struct side {
	const mr_net *net;
	const mr_compare_row *rows; /* nrows of them */
	const mr_route_opts *opts;
	const char *label;
	double best[F_COUNT];       /* smallest among feasible rows; INFINITY if none */
	uint32_t best_borders, best_breaks;
	size_t nfeasible;
} side;

typedef struct html {
	mr_buf b;
	mr_buf tmp; /* scratch for a polyline's points */
	const mr_compare_report *rep;
	side s[2];
	int nsides;
	size_t nrows;
} html;

static void side_init(side *s, const mr_net *net, const mr_compare_row *rows, size_t nrows,
                      const mr_route_opts *opts, const char *label)
{
	size_t i;
	int f;
	s->net = net;
	s->rows = rows;
	s->opts = opts;
	s->label = label;
	s->nfeasible = 0;
	s->best_borders = s->best_breaks = UINT32_MAX;
	for (f = 0; f < F_COUNT; f++)
		s->best[f] = INFINITY;
	for (i = 0; i < nrows; i++) {
		const mr_route *r = rows[i].route;
		if (!rows[i].feasible || !r)
			continue;
		s->nfeasible++;
		for (f = 0; f < F_COUNT; f++)
			s->best[f] = fmin(s->best[f], fig(r, f));
		if (r->nborders < s->best_borders)
			s->best_borders = (uint32_t)r->nborders;
		if (r->gauge_breaks < s->best_breaks)
			s->best_breaks = r->gauge_breaks;
	}
}

static int feasible(const side *s, size_t i)
{
	return s->rows && s->rows[i].feasible && s->rows[i].route;
}

static int is_best(double x, double best)
{
	return isfinite(best) && fabs(x - best) <= 1e-9 * fmax(1.0, fabs(best));
}

/* ---- text (mr_svgmap.c) ---- */

static void esc(mr_buf *b, const char *s)
{
	mr__xml_esc(b, s);
}

static void put_num_signed(mr_buf *b, double x, int decimals, int plus)
{
	mr__put_num_signed(b, x, decimals, plus);
}

static void put_num(mr_buf *b, double x, int decimals)
{
	mr__put_num(b, x, decimals);
}

static const char *node_name(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	return n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id);
}

static const char *node_code(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	return n->unlocode ? mr_net_str(net, n->unlocode) : mr_net_str(net, n->id);
}

static const char *border_name(const mr_net *net, uint32_t b)
{
	const mr_border_rec *x = &net->borders[b];
	return x->name ? mr_net_str(net, x->name) : mr_net_str(net, x->id);
}

/* "rail 1520" */
static void put_mode(mr_buf *b, int mode, int gauge_mm)
{
	mr_buf_puts(b, mr_mode_name(mode));
	if (mode == MR_MODE_RAIL && gauge_mm > 0)
		mr_buf_printf(b, " %d", gauge_mm);
}

static const char *mode_class(int mode)
{
	return mode >= 0 && mode < MR_MODE_COUNT ? mr_mode_name(mode) : "sea";
}

static double sea_speed(const mr_route_opts *o, const mr_net *net)
{
	return o->sea_speed_kmh > 0 ? o->sea_speed_kmh : mr_net_sea_speed_kmh(net);
}

static void put_objective(mr_buf *b, const mr_route_opts *o)
{
	esc(b, mr_objective_name(o->objective));
	if (o->objective == MR_BY_GENERALIZED) {
		mr_buf_puts(b, " (cost + USD ");
		put_num(b, o->vot_usd_per_h, o->vot_usd_per_h == floor(o->vot_usd_per_h) ? 0 : 2);
		mr_buf_puts(b, " per hour of transit)");
	}
}

/* ---- head and style ---- */

static const char css[] =
	":root{--ink:#1b2631;--muted:#5d6d7e;--line:#dde3ea;--soft:#f5f7fa;--best:#def3e4;--bestink:#146c36}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
	"color:var(--ink);background:#fff}\n"
	"header{padding:28px 40px 20px;background:linear-gradient(135deg,#0e2a45,#1f5582);color:#fff}\n"
	"header h1{margin:0 0 6px;font-size:28px;font-weight:650;letter-spacing:.2px}\n"
	"header p{margin:2px 0;color:#d3e3f3}\n"
	"header .kicker{text-transform:uppercase;font-size:12px;letter-spacing:1.5px;color:#9ec3e6}\n"
	"nav{padding:8px 40px;background:#173d60;font-size:13px}\n"
	"nav a{color:#d3e3f3;margin-right:18px;text-decoration:none}\n"
	"main{max-width:1280px;margin:0 auto;padding:4px 40px 48px}\n"
	"section{margin:30px 0}\n"
	"h2{font-size:20px;margin:0 0 12px;border-bottom:2px solid var(--line);padding-bottom:6px}\n"
	"h3{font-size:15px;margin:18px 0 8px}\n"
	".note{color:var(--muted);font-size:13px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:14px}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--soft)}\n"
	".card .k{font-size:12px;text-transform:uppercase;letter-spacing:1px;color:var(--muted)}\n"
	".card .v{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}\n"
	".card .w{font-size:13px}\n"
	"table{border-collapse:collapse;width:100%;font-size:13.5px}\n"
	"th,td{padding:7px 9px;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}\n"
	"thead th{background:var(--soft);font-weight:600;border-bottom:2px solid var(--line);white-space:nowrap}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.n{white-space:nowrap}\n"
	"td.best{background:var(--best)}\n"
	"td.best b{color:var(--bestink)}\n"
	".ratio{color:var(--muted);font-size:12px;margin-left:3px}\n"
	".split{color:var(--muted);font-size:11.5px;line-height:1.35;margin-top:2px}\n"
	".cid{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;color:#1f5582}\n"
	".cname{font-weight:400;color:var(--muted);font-size:12px;display:block;max-width:260px}\n"
	"tr.infeasible td{color:#8a4b08;background:#fff8ec}\n"
	".chip{display:inline-block;padding:0 7px;margin:1px 2px 1px 0;border-radius:9px;color:#fff;"
	"font-size:11.5px;white-space:nowrap}\n"
	".chip.sea{background:#1f6fb4}.chip.ferry{background:#0f9d9a}.chip.rail{background:#c2362f}"
	".chip.road{background:#e38b16}.chip.iww{background:#7b4fb0}\n"
	".up{color:#b3261e}.down{color:#146c36}\n"
	".mapwrap svg{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:6px;"
	"background:#e6eff7}\n"
	".land{fill:#f6f3ec;stroke:#b8b0a0;stroke-width:.6;stroke-linejoin:round}\n"
	".land:hover{fill:#efe9dc}\n"
	".grat{fill:none;stroke:#c6d5e3;stroke-width:.6}\n"
	".gl{font-size:10px;fill:#7f93a7}\n"
	".leg{fill:none;stroke-width:3.2;stroke-linecap:round;stroke-linejoin:round;opacity:.9}\n"
	".leg.sea{stroke:#1f6fb4}.leg.ferry{stroke:#0f9d9a}.leg.rail{stroke:#c2362f}.leg.road{stroke:#e38b16}"
	".leg.iww{stroke:#7b4fb0}\n"
	".vs .leg{stroke-dasharray:7 5}\n"
	".route:hover .leg{stroke-width:5.5;opacity:1}\n"
	".xfer{fill:#fff;stroke:#1b2631;stroke-width:1.6}\n"
	".bord{fill:#ffcf33;stroke:#1b2631;stroke-width:1.2}\n"
	".place{fill:#1b2631;stroke:#fff;stroke-width:2.2}\n"
	".plabel{font-size:15px;font-weight:650;fill:#1b2631;paint-order:stroke;stroke:#fff;stroke-width:4px;"
	"stroke-linejoin:round}\n"
	".scale{stroke:#1b2631;stroke-width:1.5;fill:none}\n"
	".scalet{font-size:11px;fill:#1b2631}\n"
	".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 0 4px;font-size:13px;align-items:center}\n"
	".sw{display:inline-block;width:26px;height:4px;border-radius:2px;vertical-align:middle;margin-right:6px}\n"
	".sw.sea{background:#1f6fb4}.sw.ferry{background:#0f9d9a}.sw.rail{background:#c2362f}"
	".sw.road{background:#e38b16}.sw.iww{background:#7b4fb0}\n"
	".dot{display:inline-block;width:11px;height:11px;border-radius:6px;background:#fff;border:2px solid #1b2631;"
	"vertical-align:middle;margin-right:6px}\n"
	".dia{display:inline-block;width:10px;height:10px;background:#ffcf33;border:1.5px solid #1b2631;"
	"transform:rotate(45deg);vertical-align:middle;margin-right:7px}\n"
	".tog{position:absolute;opacity:0;pointer-events:none}\n"
	".toggles{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px}\n"
	".toggles label{cursor:pointer;border:1px solid #9fb3c8;border-radius:14px;padding:2px 10px;font-size:12.5px;"
	"background:#fff;user-select:none}\n"
	".toggles label::before{content:\"\\2713  \";color:#146c36}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px 28px}\n"
	"figure{margin:0}\n"
	"figcaption{font-weight:600;margin-bottom:4px}\n"
	".chart{width:100%;height:auto}\n"
	".chart text{font-size:12px;fill:#1b2631}\n"
	".chart .axis{stroke:#9fb3c8;stroke-width:1}\n"
	".chart .grid{stroke:#e3e9ef;stroke-width:1}\n"
	".chart .tick{font-size:10.5px;fill:#7f93a7}\n"
	".bar{fill:#8aa7c4}.bar.best{fill:#2e9d5b}.bar.vs{fill:#e3a05a}.bar.vs.best{fill:#b8620c}\n"
	".key{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:middle;margin:0 6px 0 0}\n"
	"details{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:10px 0;background:#fff}\n"
	"summary{cursor:pointer;font-weight:600}\n"
	"details table{margin-top:8px}\n"
	"td.src{font-size:12px;color:#33414f;max-width:640px}\n"
	"footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}\n"
	"@media print{nav,.toggles{display:none}header{background:#fff;color:#000}header p{color:#333}"
	"section{break-inside:avoid}}\n";

/* Per corridor: the switch that hides it on the map when unchecked, and its label dimmed. */
static void toggle_css(html *h)
{
	int sd;
	size_t i;
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++) {
			if (!feasible(&h->s[sd], i))
				continue;
			mr_buf_printf(&h->b,
			              "#t%c%zu:not(:checked)~.mapwrap .%c%zu{display:none}"
			              "#t%c%zu:not(:checked)~.toggles label[for=t%c%zu]{opacity:.45;text-decoration:line-through}"
			              "#t%c%zu:not(:checked)~.toggles label[for=t%c%zu]::before{content:\"\"}\n",
			              sd ? 'v' : 'b', i, sd ? 'v' : 'b', i, sd ? 'v' : 'b', i, sd ? 'v' : 'b', i,
			              sd ? 'v' : 'b', i, sd ? 'v' : 'b', i);
		}
}

static void put_place(mr_buf *b, const mr_net *net, const mr_place *p)
{
	const mr_node_rec *n = &net->nodes[p->node];
	esc(b, node_name(net, p->node));
	mr_buf_puts(b, " (");
	esc(b, node_code(net, p->node));
	if (n->country[0]) {
		mr_buf_puts(b, ", ");
		esc(b, n->country);
	}
	mr_buf_puts(b, ")");
}

static void write_head(html *h)
{
	const mr_compare_report *rep = h->rep;
	mr_buf *b = &h->b;
	mr_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	               "<meta name=\"generator\" content=\"Meridian\"/>\n<title>");
	esc(b, node_name(rep->net, rep->from->node));
	mr_buf_puts(b, " " ARROW " ");
	esc(b, node_name(rep->net, rep->to->node));
	mr_buf_puts(b, ": corridor comparison</title>\n<style>\n");
	mr_buf_puts(b, css);
	toggle_css(h);
	mr_buf_puts(b, "</style>\n</head>\n<body>\n<header>\n<p class=\"kicker\">Meridian corridor comparison</p>\n<h1>");
	esc(b, node_name(rep->net, rep->from->node));
	mr_buf_puts(b, " " ARROW " ");
	esc(b, node_name(rep->net, rep->to->node));
	mr_buf_puts(b, "</h1>\n<p>From ");
	put_place(b, rep->net, rep->from);
	mr_buf_puts(b, " to ");
	put_place(b, rep->net, rep->to);
	mr_buf_puts(b, "</p>\n<p>Objective: ");
	put_objective(b, rep->opts);
	mr_buf_puts(b, " &#183; ");
	put_num(b, rep->opts->teu, rep->opts->teu == floor(rep->opts->teu) ? 0 : 2);
	mr_buf_printf(b, " TEU &#183; %zu corridor%s", h->nrows, h->nrows == 1 ? "" : "s");
	if (h->nsides == 2) {
		mr_buf_puts(b, " &#183; ");
		esc(b, h->s[0].label);
		mr_buf_puts(b, " against ");
		esc(b, h->s[1].label);
	} else if (rep->label && strcmp(rep->label, "base") != 0) {
		mr_buf_puts(b, " &#183; scenario ");
		esc(b, rep->label);
	}
	mr_buf_puts(b, "</p>\n");
	if (rep->from->how == MR_PLACE_COORD) {
		mr_buf_puts(b, "<p>The origin was snapped ");
		put_num(b, rep->from->snap_km, 1);
		mr_buf_puts(b, " km to the nearest network node.</p>\n");
	}
	if (rep->to->how == MR_PLACE_COORD) {
		mr_buf_puts(b, "<p>The destination was snapped ");
		put_num(b, rep->to->snap_km, 1);
		mr_buf_puts(b, " km to the nearest network node.</p>\n");
	}
	mr_buf_puts(b, "</header>\n<nav><a href=\"#summary\">Summary</a><a href=\"#map\">Map</a>"
	               "<a href=\"#table\">Comparison</a><a href=\"#charts\">Charts</a>");
	if (h->nsides == 2)
		mr_buf_puts(b, "<a href=\"#scenario\">Scenario differences</a>");
	mr_buf_puts(b, "<a href=\"#sources\">Parameters and sources</a></nav>\n<main>\n");
}

/* ---- summary ---- */

static void write_summary(html *h)
{
	const side *s = &h->s[0];
	mr_buf *b = &h->b;
	int f;
	size_t i;
	mr_buf_printf(b, "<section id=\"summary\">\n<h2>Summary</h2>\n<p>%zu of %zu corridor%s feasible",
	              s->nfeasible, h->nrows, h->nrows == 1 ? "" : "s");
	if (h->nsides == 2)
		mr_buf_printf(b, " in the baseline, %zu with the scenario", h->s[1].nfeasible);
	mr_buf_puts(b, ". Each figure is per route for the whole shipment; the best corridor for each is below.</p>\n");
	if (!s->nfeasible) {
		mr_buf_puts(b, "<p class=\"note\">No corridor has a route between these places under these options.</p>\n"
		               "</section>\n");
		return;
	}
	mr_buf_puts(b, "<div class=\"cards\">\n");
	for (f = 0; f < F_COUNT; f++) {
		static const char *const lead[F_COUNT] = {"Shortest", "Fastest", "Cheapest", "Lowest emissions"};
		size_t ties = 0, first = 0;
		for (i = 0; i < h->nrows; i++)
			if (feasible(s, i) && is_best(fig(s->rows[i].route, f), s->best[f]) && !ties++)
				first = i;
		mr_buf_printf(b, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\">", lead[f]);
		put_num(b, s->best[f], figs[f].decimals);
		mr_buf_printf(b, " <small>%s</small></div><div class=\"w\">", figs[f].unit);
		for (i = first; i < h->nrows; i++) {
			if (!feasible(s, i) || !is_best(fig(s->rows[i].route, f), s->best[f]))
				continue;
			mr_buf_puts(b, i > first ? ", <span class=\"cid\">" : "<span class=\"cid\">");
			esc(b, s->rows[i].id);
			mr_buf_puts(b, "</span>");
		}
		if (ties == 1) {
			mr_buf_puts(b, " ");
			esc(b, s->rows[first].name);
		}
		mr_buf_puts(b, "</div></div>\n");
	}
	mr_buf_puts(b, "</div>\n</section>\n");
}

/* ---- map (mr_svgmap.c draws the view, outlines, graticule and scale) ---- */

/* The view: every route of both sides and both places. */
static int map_view(const html *h, mr__map *p)
{
	const mr_compare_report *rep = h->rep;
	size_t cap = 3, npaths = 0, npts = 0, i, k;
	double *pts;
	size_t *first;
	int sd;
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++)
			if (feasible(&h->s[sd], i)) {
				cap += h->s[sd].rows[i].route->nnodes + 1;
				npaths++;
			}
	pts = mr_malloc(2 * cap * sizeof(double));
	first = mr_malloc((npaths + 3) * sizeof(size_t));
	if (!pts || !first) {
		mr_free(pts);
		mr_free(first);
		return MR_ENOMEM;
	}
	npaths = 0;
	for (k = 0; k < 2; k++) {
		const mr_node_rec *nd = &rep->net->nodes[k ? rep->to->node : rep->from->node];
		first[npaths++] = npts;
		pts[2 * npts] = nd->lon;
		pts[2 * npts + 1] = nd->lat;
		npts++;
	}
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++) {
			const mr_route *r;
			if (!feasible(&h->s[sd], i))
				continue;
			r = h->s[sd].rows[i].route;
			first[npaths++] = npts;
			for (k = 0; k < r->nnodes; k++) {
				const mr_node_rec *nd = &h->s[sd].net->nodes[r->nodes[k]];
				pts[2 * npts] = nd->lon;
				pts[2 * npts + 1] = nd->lat;
				npts++;
			}
		}
	first[npaths] = npts;
	mr__map_fit(p, pts, first, npaths, MAP_W);
	mr_free(pts);
	mr_free(first);
	return MR_OK;
}

static void flush_line(html *h, const char *cls, size_t npts, const mr_buf *title)
{
	if (npts >= 2 && h->tmp.data) {
		mr_buf_printf(&h->b, "<polyline class=\"%s\" points=\"%s\"><title>", cls, h->tmp.data);
		mr_buf_puts(&h->b, title->data ? title->data : "");
		mr_buf_puts(&h->b, "</title></polyline>\n");
	}
	if (h->tmp.failed)
		h->b.failed = 1;
	if (h->tmp.data) {
		h->tmp.len = 0;
		h->tmp.data[0] = '\0';
	}
}

static void draw_route(html *h, const mr__map *p, int sd, size_t i, mr_buf *title)
{
	const side *s = &h->s[sd];
	const mr_compare_row *row = &s->rows[i];
	const mr_route *r = row->route;
	const mr_net *net = s->net;
	char cls[32];
	size_t j, k;

	mr_buf_printf(&h->b, "<g class=\"route %c%zu%s\" data-corridor=\"", sd ? 'v' : 'b', i, sd ? " vs" : "");
	esc(&h->b, row->id);
	mr_buf_puts(&h->b, "\">\n");
	for (j = 0; j < r->nlegs; j++) {
		const mr_leg *l = &r->legs[j];
		size_t npts = 0;
		long lx = 0, ly = 0;
		double plon = 0;
		if ((size_t)l->first_node + l->nnodes > r->nnodes)
			continue;
		snprintf(cls, sizeof(cls), "leg %s", mode_class(l->mode));
		if (title->data) {
			title->len = 0;
			title->data[0] = '\0';
		}
		esc(title, row->name && row->name[0] ? row->name : row->id);
		if (sd)
			mr_buf_puts(title, " (scenario)");
		mr_buf_printf(title, "\nleg %zu: ", j + 1);
		put_mode(title, l->mode, l->gauge_mm);
		mr_buf_puts(title, ", ");
		esc(title, node_name(net, l->from_node));
		mr_buf_puts(title, " " ARROW " ");
		esc(title, node_name(net, l->to_node));
		mr_buf_puts(title, "\n");
		put_num(title, l->distance_km, 0);
		mr_buf_puts(title, " km, ");
		put_num(title, l->duration_h / 24.0, 1);
		mr_buf_puts(title, " days, USD ");
		put_num(title, l->cost_usd, 0);
		mr_buf_puts(title, ", ");
		put_num(title, l->co2e_kg, 0);
		mr_buf_puts(title, " kg CO2e");
		if (title->failed)
			h->b.failed = 1;
		for (k = 0; k < l->nnodes; k++) {
			const mr_node_rec *nd = &net->nodes[r->nodes[l->first_node + k]];
			double lon = mr__map_norm_lon(nd->lon, p->ref);
			long x = lround(mr__map_xv(p, lon) * 10), y = lround(mr__map_y(p, nd->lat) * 10);
			if (npts > 0 && fabs(lon - plon) > 180) { /* across the map's seam: cut */
				flush_line(h, cls, npts, title);
				npts = 0;
			}
			plon = lon;
			if (npts > 0 && x == lx && y == ly)
				continue;
			mr_buf_printf(&h->tmp, "%s%.1f,%.1f", npts ? " " : "", x / 10.0, y / 10.0);
			lx = x, ly = y;
			npts++;
		}
		flush_line(h, cls, npts, title);
	}
	/* transfers: where a leg begins after another */
	for (j = 1; j < r->nlegs; j++) {
		const mr_leg *a = &r->legs[j - 1], *l = &r->legs[j];
		const mr_node_rec *nd = &net->nodes[l->from_node];
		mr_buf_printf(&h->b, "<circle class=\"xfer\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>Transfer at ",
		              mr__map_x(p, nd->lon), mr__map_y(p, nd->lat));
		esc(&h->b, node_name(net, l->from_node));
		mr_buf_puts(&h->b, ": ");
		put_mode(&h->b, a->mode, a->gauge_mm);
		mr_buf_puts(&h->b, " " ARROW " ");
		put_mode(&h->b, l->mode, l->gauge_mm);
		mr_buf_puts(&h->b, ", ");
		put_num(&h->b, l->handling_h, 1);
		mr_buf_puts(&h->b, " h, USD ");
		put_num(&h->b, l->handling_usd, 0);
		mr_buf_puts(&h->b, "</title></circle>\n");
	}
	for (j = 0; j < r->nborders; j++) {
		const mr_border_rec *bd;
		const mr_node_rec *nd;
		double x, y;
		if (r->borders[j] >= net->meta.nborders)
			continue;
		bd = &net->borders[r->borders[j]];
		if (bd->node >= net->meta.nnodes)
			continue;
		nd = &net->nodes[bd->node];
		x = mr__map_x(p, nd->lon), y = mr__map_y(p, nd->lat);
		mr_buf_printf(&h->b, "<path class=\"bord\" d=\"M%.1f,%.1fl5.5,5.5l-5.5,5.5l-5.5,-5.5z\"><title>Border: ", x,
		              y - 5.5);
		esc(&h->b, border_name(net, r->borders[j]));
		mr_buf_printf(&h->b, " (%s-%s), ", bd->country_a, bd->country_b);
		put_num(&h->b, bd->dwell_h, 1);
		mr_buf_puts(&h->b, " h dwell, USD ");
		put_num(&h->b, bd->fee_usd, 0);
		mr_buf_puts(&h->b, " per TEU</title></path>\n");
	}
	mr_buf_puts(&h->b, "</g>\n");
}

static void draw_place(html *h, const mr__map *p, uint32_t node, const char *role)
{
	const mr_net *net = h->rep->net;
	const mr_node_rec *nd = &net->nodes[node];
	double x = mr__map_x(p, nd->lon), y = mr__map_y(p, nd->lat);
	int left = x > p->w - 220;
	mr_buf_printf(&h->b, "<circle class=\"place\" cx=\"%.1f\" cy=\"%.1f\" r=\"6.5\"><title>%s: ", x, y, role);
	esc(&h->b, node_name(net, node));
	mr_buf_printf(&h->b, "</title></circle><text class=\"plabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">",
	              left ? x - 11 : x + 11, y + 5, left ? "end" : "start");
	esc(&h->b, node_name(net, node));
	mr_buf_puts(&h->b, "</text>\n");
}

static int write_map(html *h)
{
	const mr_compare_report *rep = h->rep;
	mr_buf *b = &h->b;
	mr_buf title = {0};
	char note[640];
	mr__map p;
	size_t i;
	int sd, rc, m;

	if ((rc = map_view(h, &p)))
		return rc;
	mr_buf_puts(b, "<section id=\"map\">\n<h2>Map</h2>\n");
	/* the switches come first: CSS hides a corridor whose box is unchecked (:checked ~ ...) */
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++)
			if (feasible(&h->s[sd], i))
				mr_buf_printf(b, "<input class=\"tog\" type=\"checkbox\" id=\"t%c%zu\" checked=\"checked\"/>\n",
				              sd ? 'v' : 'b', i);
	mr_buf_puts(b, "<div class=\"toggles\">");
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++) {
			if (!feasible(&h->s[sd], i))
				continue;
			mr_buf_printf(b, "<label for=\"t%c%zu\" title=\"", sd ? 'v' : 'b', i);
			esc(b, h->s[sd].rows[i].name);
			mr_buf_puts(b, "\">");
			esc(b, h->s[sd].rows[i].id);
			if (h->nsides == 2) {
				mr_buf_puts(b, " (");
				esc(b, h->s[sd].label);
				mr_buf_puts(b, ")");
			}
			mr_buf_puts(b, "</label>");
		}
	mr_buf_puts(b, "</div>\n<div class=\"mapwrap\">\n");
	mr_buf_printf(b, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	                 "aria-label=\"Map of the corridors\">\n",
	              p.w, ceil(p.h));
	mr__map_graticule(b, &p);
	if ((rc = mr__map_countries(b, &p, rep->atlas_path, note, sizeof(note)))) {
		mr_buf_free(&title);
		return rc;
	}
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++)
			if (feasible(&h->s[sd], i))
				draw_route(h, &p, sd, i, &title);
	draw_place(h, &p, rep->from->node, "Origin");
	draw_place(h, &p, rep->to->node, "Destination");
	mr__map_scale(b, &p);
	mr_buf_puts(b, "</svg>\n</div>\n<div class=\"legend\">");
	for (m = 0; m < MR_MODE_COUNT; m++)
		mr_buf_printf(b, "<span><span class=\"sw %s\"></span>%s</span>", mr_mode_name(m), mr_mode_name(m));
	mr_buf_puts(b, "<span><span class=\"dot\"></span>transfer</span><span><span class=\"dia\"></span>border "
	               "crossing</span>");
	if (h->nsides == 2)
		mr_buf_puts(b, "<span>dashed: with the scenario</span>");
	mr_buf_puts(b, "</div>\n<p class=\"note\">Each corridor's best route, one line per leg coloured by mode; "
	               "the switches above show or hide a corridor, and a line or marker tells more under the "
	               "pointer. Equirectangular projection true to scale at ");
	put_num(b, (p.north + p.south) / 2, 1);
	mr_buf_puts(b, "&#176; latitude. ");
	if (note[0])
		esc(b, note);
	else
		mr_buf_puts(b, "Country outlines: Natural Earth 1:110m (world-atlas).");
	mr_buf_puts(b, "</p>\n</section>\n");
	if (title.failed)
		b->failed = 1;
	mr_buf_free(&title);
	return MR_OK;
}

/* ---- comparison table ---- */

static void put_ratio(mr_buf *b, double x, double best)
{
	double q = best > 0 ? x / best : (x > 0 ? INFINITY : 1.0);
	mr_buf_puts(b, "<span class=\"ratio\">" TIMES);
	put_num(b, q, 2);
	mr_buf_puts(b, "</span>");
}

static void put_split(mr_buf *b, const char *const *names, const double *v, size_t n, int decimals)
{
	size_t k;
	mr_buf_puts(b, "<div class=\"split\">");
	for (k = 0; k < n; k++) {
		mr_buf_printf(b, "%s%s ", k ? "<br/>" : "", names[k]);
		put_num(b, v[k], decimals);
	}
	mr_buf_puts(b, "</div>");
}

static void put_figure_cell(mr_buf *b, const side *s, const mr_route *r, int f)
{
	double x = fig(r, f);
	mr_buf_printf(b, "<td class=\"n%s\"><b>", is_best(x, s->best[f]) ? " best" : "");
	put_num(b, x, figs[f].decimals);
	mr_buf_puts(b, "</b>");
	put_ratio(b, x, s->best[f]);
	if (f == F_KM) {
		mr_buf_puts(b, "<div class=\"split\">");
		put_num(b, r->distance_km / MR_KM_PER_NM, 0);
		mr_buf_puts(b, " nm</div>");
	} else if (f == F_DAYS) {
		static const char *const n[] = {"running", "waiting", "borders", "handling"};
		double v[4];
		v[0] = r->running_h / 24, v[1] = r->waiting_h / 24, v[2] = r->border_h / 24, v[3] = r->handling_h / 24;
		put_split(b, n, v, 4, 1);
	} else if (f == F_USD) {
		static const char *const n[] = {"transport", "tolls", "border fees", "handling"};
		double v[4];
		v[0] = r->transport_usd, v[1] = r->tolls_usd, v[2] = r->border_usd, v[3] = r->handling_usd;
		put_split(b, n, v, 4, 0);
	} else {
		static const char *const n[] = {"tank-to-wheel", "well-to-tank", "of which hubs"};
		double v[3];
		v[0] = r->co2e_ttw_kg, v[1] = r->co2e_wtt_kg, v[2] = r->co2e_hub_kg;
		put_split(b, n, v, 3, 0);
	}
	mr_buf_puts(b, "</td>");
}

static void put_legs(mr_buf *b, const mr_route *r)
{
	size_t j;
	for (j = 0; j < r->nlegs; j++) {
		mr_buf_printf(b, "<span class=\"chip %s\">", mode_class(r->legs[j].mode));
		put_mode(b, r->legs[j].mode, r->legs[j].gauge_mm);
		mr_buf_puts(b, "</span>");
	}
	mr_buf_printf(b, "<div class=\"split\">%u transfer%s</div>", r->transfers, r->transfers == 1 ? "" : "s");
}

static void put_corridor_th(mr_buf *b, const mr_compare_row *row)
{
	mr_buf_puts(b, "<th scope=\"row\"");
	if (row->constraints && row->constraints[0]) {
		mr_buf_puts(b, " title=\"");
		esc(b, row->constraints);
		mr_buf_puts(b, "\"");
	}
	mr_buf_puts(b, "><span class=\"cid\">");
	esc(b, row->id);
	mr_buf_puts(b, "</span><span class=\"cname\">");
	esc(b, row->name);
	mr_buf_puts(b, "</span></th>");
}

static void write_table_side(html *h, const side *s, const char *id, const char *caption)
{
	mr_buf *b = &h->b;
	size_t i, j;
	int f;
	if (caption) {
		mr_buf_puts(b, "<h3>");
		esc(b, caption);
		mr_buf_puts(b, "</h3>\n");
	}
	mr_buf_printf(b, "<table class=\"cmp\" id=\"%s\">\n<thead><tr><th>Corridor</th>", id);
	for (f = 0; f < F_COUNT; f++)
		mr_buf_printf(b, "<th class=\"n\">%s</th>", figs[f].col);
	mr_buf_puts(b, "<th>Legs</th><th class=\"n\">Borders</th><th class=\"n\">Gauge breaks</th><th>Countries</th>"
	               "<th>Passages</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < h->nrows; i++) {
		const mr_compare_row *row = &s->rows[i];
		const mr_route *r = row->route;
		mr_buf_printf(b, "<tr class=\"%s\" data-corridor=\"", feasible(s, i) ? "feasible" : "infeasible");
		esc(b, row->id);
		mr_buf_puts(b, "\">");
		put_corridor_th(b, row);
		if (!feasible(s, i)) {
			mr_buf_puts(b, "<td colspan=\"9\">Infeasible: ");
			esc(b, row->reason && row->reason[0] ? row->reason : "no route");
			mr_buf_puts(b, "</td></tr>\n");
			continue;
		}
		for (f = 0; f < F_COUNT; f++)
			put_figure_cell(b, s, r, f);
		mr_buf_puts(b, "<td>");
		put_legs(b, r);
		mr_buf_printf(b, "</td><td class=\"n%s\"><b>%zu</b>", r->nborders == s->best_borders ? " best" : "",
		              r->nborders);
		if (r->nborders) {
			mr_buf_puts(b, "<div class=\"split\">");
			for (j = 0; j < r->nborders; j++) {
				mr_buf_puts(b, j ? "<br/>" : "");
				if (r->borders[j] < s->net->meta.nborders)
					esc(b, border_name(s->net, r->borders[j]));
			}
			mr_buf_puts(b, "</div>");
		}
		mr_buf_printf(b, "</td><td class=\"n%s\"><b>%u</b></td><td>", r->gauge_breaks == s->best_breaks ? " best" : "",
		              r->gauge_breaks);
		for (j = 0; j < r->ncountries; j++) {
			mr_buf_puts(b, j ? " " : "");
			esc(b, r->countries[j]);
		}
		mr_buf_puts(b, "</td><td>");
		for (j = 0; j < r->npassages; j++) {
			mr_buf_puts(b, j ? ", " : "");
			esc(b, mr_net_str(s->net, r->passages[j]));
		}
		if (!r->npassages)
			mr_buf_puts(b, "none");
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n");
}

static void write_table(html *h)
{
	mr_buf *b = &h->b;
	mr_buf_puts(b, "<section id=\"table\">\n<h2>Comparison</h2>\n<p class=\"note\">The best route of each "
	               "corridor. " TIMES "1.00 is the best feasible corridor for that figure (highlighted); below "
	               "each figure, how it splits. Days include running, waiting for departures and passages, border "
	               "dwell and handling; CO2e is well-to-wheel (tank-to-wheel + well-to-tank), hubs included.</p>\n");
	if (h->nsides == 2) {
		char cap[300];
		snprintf(cap, sizeof(cap), "Baseline (%s)", h->s[0].label);
		write_table_side(h, &h->s[0], "compare", cap);
		snprintf(cap, sizeof(cap), "With the scenario (%s)", h->s[1].label);
		write_table_side(h, &h->s[1], "compare-vs", cap);
	} else {
		write_table_side(h, &h->s[0], "compare", NULL);
	}
	mr_buf_puts(b, "</section>\n");
}

/* ---- bar charts ---- */

static void write_chart(html *h, int f)
{
	const double W = 560, L = 150, A = 310, top = 6;
	const int two = h->nsides == 2;
	const double rh = two ? 34 : 24, bh = two ? 12 : 16;
	mr_buf *b = &h->b;
	double max = 0, step, t, y;
	size_t i, n = 0;
	int sd;

	for (i = 0; i < h->nrows; i++) {
		int any = 0;
		for (sd = 0; sd < h->nsides; sd++)
			if (feasible(&h->s[sd], i)) {
				max = fmax(max, fig(h->s[sd].rows[i].route, f));
				any = 1;
			}
		n += any;
	}
	mr_buf_printf(b, "<figure class=\"fig\" id=\"chart-%d\"><figcaption>%s (%s)</figcaption>\n", f, figs[f].title,
	              figs[f].unit);
	if (!n) {
		mr_buf_puts(b, "<p class=\"note\">No feasible corridor.</p></figure>\n");
		return;
	}
	if (!(max > 0))
		max = 1;
	step = mr__nice_step(max, 4);
	max = ceil(max / step * (1 - 1e-12)) * step;
	y = top + (double)n * rh;
	mr_buf_printf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	                 "aria-label=\"%s by corridor\">\n",
	              W, y + 22, figs[f].title);
	for (t = 0; t <= max * (1 + 1e-9); t += step) {
		double x = L + t / max * A;
		mr_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, top - 2, x, y);
		mr_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y + 15);
		put_num(b, t, step < 1 ? 1 : 0);
		mr_buf_puts(b, "</text>");
	}
	mr_buf_printf(b, "\n<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, top - 2, L, y);
	y = top;
	for (i = 0; i < h->nrows; i++) {
		const mr_compare_row *row = &h->s[0].rows[i];
		int any = 0;
		for (sd = 0; sd < h->nsides; sd++)
			any |= feasible(&h->s[sd], i);
		if (!any)
			continue;
		mr_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", L - 8, y + rh / 2 + 4);
		esc(b, row->id);
		mr_buf_puts(b, "<title>");
		esc(b, row->name);
		mr_buf_puts(b, "</title></text>\n");
		for (sd = 0; sd < h->nsides; sd++) {
			const side *s = &h->s[sd];
			double by = two ? y + (rh - 2 * bh - 2) / 2 + sd * (bh + 2) : y + (rh - bh) / 2, v, bw;
			if (!feasible(s, i)) {
				mr_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">infeasible%s%s</text>\n", L + 4,
				              by + bh - 2, two ? " with " : "", two ? (sd ? "the scenario" : "the baseline") : "");
				continue;
			}
			v = fig(s->rows[i].route, f);
			bw = fmax(v / max * A, 0.5);
			mr_buf_printf(b, "<rect class=\"bar%s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\">"
			                 "<title>",
			              sd ? " vs" : "", is_best(v, s->best[f]) ? " best" : "", L, by, bw, bh);
			esc(b, row->id);
			if (two) {
				mr_buf_puts(b, " (");
				esc(b, s->label);
				mr_buf_puts(b, ")");
			}
			mr_buf_puts(b, ": ");
			put_num(b, v, figs[f].decimals);
			mr_buf_printf(b, " %s</title></rect><text x=\"%.1f\" y=\"%.1f\">", figs[f].unit, L + bw + 5, by + bh - 2);
			put_num(b, v, figs[f].decimals);
			mr_buf_puts(b, "</text>\n");
		}
		y += rh;
	}
	mr_buf_puts(b, "</svg></figure>\n");
}

static void write_charts(html *h)
{
	mr_buf *b = &h->b;
	int f;
	mr_buf_puts(b, "<section id=\"charts\">\n<h2>Charts</h2>\n<p class=\"note\">");
	if (h->nsides == 2) {
		mr_buf_puts(b, "<span class=\"key\" style=\"background:#8aa7c4\"></span>");
		esc(b, h->s[0].label);
		mr_buf_puts(b, " &#160; <span class=\"key\" style=\"background:#e3a05a\"></span>");
		esc(b, h->s[1].label);
		mr_buf_puts(b, " &#160; (the darker bar is the best of its side)");
	} else {
		mr_buf_puts(b, "One bar per feasible corridor; <span class=\"key\" style=\"background:#2e9d5b\"></span>the "
		               "best.");
	}
	mr_buf_puts(b, "</p>\n<div class=\"charts\">\n");
	for (f = 0; f < F_COUNT; f++)
		write_chart(h, f);
	mr_buf_puts(b, "</div>\n</section>\n");
}

/* ---- scenario differences ---- */

static int has_str(const mr_net *net, const uint32_t *offs, size_t n, const char *s)
{
	size_t k;
	for (k = 0; k < n; k++)
		if (strcmp(mr_net_str(net, offs[k]), s) == 0)
			return 1;
	return 0;
}

static int has_country(const mr_route *r, const char *c)
{
	size_t k;
	for (k = 0; k < r->ncountries; k++)
		if (strcmp(r->countries[k], c) == 0)
			return 1;
	return 0;
}

/* "now through X; no longer through Y" from the countries and passages of two routes. */
static void put_route_change(mr_buf *b, const side *s0, const mr_route *r0, const side *s1, const mr_route *r1)
{
	size_t k, n = 0;
	int pass;
	for (pass = 0; pass < 2; pass++) {
		const mr_route *x = pass ? r0 : r1, *y = pass ? r1 : r0;
		const mr_net *xn = pass ? s0->net : s1->net, *yn = pass ? s1->net : s0->net;
		size_t m = 0;
		for (k = 0; k < x->ncountries; k++)
			if (!has_country(y, x->countries[k])) {
				mr_buf_printf(b, "%s", m++ ? ", " : n++ ? "<br/>" : "");
				if (m == 1)
					mr_buf_puts(b, pass ? "no longer through " : "now through ");
				esc(b, x->countries[k]);
			}
		for (k = 0; k < x->npassages; k++)
			if (!has_str(yn, y->passages, y->npassages, mr_net_str(xn, x->passages[k]))) {
				mr_buf_printf(b, "%s", m++ ? ", " : n++ ? "<br/>" : "");
				if (m == 1)
					mr_buf_puts(b, pass ? "no longer through " : "now through ");
				esc(b, mr_net_str(xn, x->passages[k]));
			}
	}
	if (!n)
		mr_buf_puts(b, "same countries and passages");
}

static void write_scenario(html *h)
{
	const side *s0 = &h->s[0], *s1 = &h->s[1];
	mr_buf *b = &h->b;
	size_t i;
	int f;
	if (h->nsides != 2)
		return;
	mr_buf_puts(b, "<section id=\"scenario\">\n<h2>Scenario differences</h2>\n<p class=\"note\">Baseline (");
	esc(b, s0->label);
	mr_buf_puts(b, ") " ARROW " with the scenario (");
	esc(b, s1->label);
	mr_buf_puts(b, "), the difference and its share of the baseline. Green is lower, red is higher.</p>\n"
	               "<table class=\"diff\" id=\"diff\">\n<thead><tr><th>Corridor</th>");
	for (f = 0; f < F_COUNT; f++)
		mr_buf_printf(b, "<th class=\"n\">%s</th>", figs[f].col);
	mr_buf_puts(b, "<th>Route</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < h->nrows; i++) {
		int a = feasible(s0, i), c = feasible(s1, i);
		mr_buf_puts(b, "<tr data-corridor=\"");
		esc(b, s0->rows[i].id);
		mr_buf_puts(b, "\">");
		put_corridor_th(b, &s0->rows[i]);
		if (!a || !c) {
			const mr_compare_row *why = !c ? &s1->rows[i] : &s0->rows[i];
			mr_buf_printf(b, "<td colspan=\"5\"><b>%s</b>: ",
			              a ? "Becomes infeasible" : c ? "Becomes feasible" : "Infeasible in both");
			if (c) { /* becomes feasible: its figures, and why it was not */
				const mr_route *r = s1->rows[i].route;
				for (f = 0; f < F_COUNT; f++) {
					mr_buf_puts(b, f ? ", " : "");
					put_num(b, fig(r, f), figs[f].decimals);
					mr_buf_printf(b, " %s", figs[f].unit);
				}
				mr_buf_puts(b, " (baseline: ");
				esc(b, why->reason && why->reason[0] ? why->reason : "no route");
				mr_buf_puts(b, ")");
			} else {
				esc(b, why->reason && why->reason[0] ? why->reason : "no route");
			}
			mr_buf_puts(b, "</td></tr>\n");
			continue;
		}
		for (f = 0; f < F_COUNT; f++) {
			double x0 = fig(s0->rows[i].route, f), x1 = fig(s1->rows[i].route, f), d = x1 - x0;
			int same = fabs(d) <= 1e-9 * fmax(1.0, fabs(x0));
			mr_buf_puts(b, "<td class=\"n\">");
			put_num(b, x0, figs[f].decimals);
			mr_buf_puts(b, " " ARROW " <b>");
			put_num(b, x1, figs[f].decimals);
			mr_buf_printf(b, "</b><div class=\"split %s\">", same ? "" : d < 0 ? "down" : "up");
			if (same) {
				mr_buf_puts(b, "no change");
			} else {
				put_num_signed(b, d, figs[f].decimals, 1);
				if (x0 > 0) {
					mr_buf_puts(b, " (");
					put_num_signed(b, 100.0 * d / x0, 1, 1);
					mr_buf_puts(b, "%)");
				}
			}
			mr_buf_puts(b, "</div></td>");
		}
		mr_buf_puts(b, "<td class=\"split\">");
		put_route_change(b, s0, s0->rows[i].route, s1, s1->rows[i].route);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- parameters and sources ---- */

/* A string-keyed counter (open addressing; keys are borrowed). */
typedef struct smap {
	const char **key;
	size_t *val;
	size_t cap, n;
} smap;

static uint64_t hash_str(const char *s)
{
	uint64_t x = 1469598103934665603ull;
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ull;
	return x;
}

static void smap_free(smap *m)
{
	mr_free((void *)m->key);
	mr_free(m->val);
	memset(m, 0, sizeof(*m));
}

/* The slot of k (inserted with value 0 if absent), or NULL when out of memory. */
static size_t *smap_slot(smap *m, const char *k, int *added)
{
	size_t i;
	*added = 0;
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64, j;
		const char **nk = mr_calloc(ncap, sizeof(*nk));
		size_t *nv = mr_calloc(ncap, sizeof(*nv));
		if (!nk || !nv) {
			mr_free((void *)nk);
			mr_free(nv);
			return NULL;
		}
		for (j = 0; j < m->cap; j++) {
			if (!m->key[j])
				continue;
			for (i = hash_str(m->key[j]) & (ncap - 1); nk[i]; i = (i + 1) & (ncap - 1))
				;
			nk[i] = m->key[j];
			nv[i] = m->val[j];
		}
		mr_free((void *)m->key);
		mr_free(m->val);
		m->key = nk, m->val = nv, m->cap = ncap;
	}
	for (i = hash_str(k) & (m->cap - 1); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], k) == 0)
			return &m->val[i];
	m->key[i] = k;
	m->val[i] = 0;
	m->n++;
	*added = 1;
	return &m->val[i];
}

enum { U_TARIFF, U_TRANSFER, U_BORDER };

/* A tariff, transfer or border record that some route used; records of the two networks that
 * say the same are one entry. */
typedef struct used {
	int kind;
	const mr_net *net;
	uint32_t index;
	uint64_t mask[2]; /* the rows (i < MAX_MASK_ROWS) of each side that use it */
} used;

typedef struct usage {
	used *v;
	size_t n, cap;
	size_t last; /* the entry found last (consecutive arcs often share one) */
	smap links;   /* link ids counted */
	smap sources; /* link source -> links */
} usage;

static int same_record(int kind, const mr_net *a, uint32_t i, const mr_net *b, uint32_t j)
{
	if (a == b)
		return i == j;
	if (kind == U_TARIFF) {
		const mr_tariff_rec *x = &a->tariffs[i], *y = &b->tariffs[j];
		return x->mode == y->mode && strcmp(x->country, y->country) == 0 && x->usd_per_teu_km == y->usd_per_teu_km &&
		       x->fixed_usd == y->fixed_usd && x->co2e_kg_per_teu_km == y->co2e_kg_per_teu_km &&
		       x->speed_kmh == y->speed_kmh && strcmp(mr_net_str(a, x->source), mr_net_str(b, y->source)) == 0;
	}
	if (kind == U_TRANSFER) {
		const mr_transfer_rec *x = &a->transfers[i], *y = &b->transfers[j];
		const char *xn = x->node == MR_NONE ? "" : mr_net_str(a, a->nodes[x->node].id);
		const char *yn = y->node == MR_NONE ? "" : mr_net_str(b, b->nodes[y->node].id);
		return strcmp(xn, yn) == 0 && x->from_mode == y->from_mode && x->to_mode == y->to_mode &&
		       x->from_gauge_mm == y->from_gauge_mm && x->to_gauge_mm == y->to_gauge_mm && x->time_h == y->time_h &&
		       x->cost_usd == y->cost_usd && x->co2e_kg == y->co2e_kg &&
		       strcmp(mr_net_str(a, x->source), mr_net_str(b, y->source)) == 0;
	}
	{
		const mr_border_rec *x = &a->borders[i], *y = &b->borders[j];
		return strcmp(mr_net_str(a, x->id), mr_net_str(b, y->id)) == 0 && x->dwell_h == y->dwell_h &&
		       x->fee_usd == y->fee_usd && x->status == y->status &&
		       strcmp(mr_net_str(a, x->source), mr_net_str(b, y->source)) == 0;
	}
}

static int use(usage *u, int kind, const mr_net *net, uint32_t index, int sd, size_t row)
{
	size_t k;
	used *e = NULL;
	if (u->last < u->n && u->v[u->last].kind == kind && u->v[u->last].net == net && u->v[u->last].index == index)
		e = &u->v[u->last];
	for (k = 0; !e && k < u->n; k++)
		if (u->v[k].kind == kind && same_record(kind, u->v[k].net, u->v[k].index, net, index)) {
			e = &u->v[k];
			u->last = k;
		}
	if (!e) {
		if (u->n == u->cap) {
			size_t ncap = u->cap ? u->cap * 2 : 32;
			used *nv = mr_realloc(u->v, ncap * sizeof(*nv));
			if (!nv)
				return MR_ENOMEM;
			u->v = nv, u->cap = ncap;
		}
		e = &u->v[u->n];
		memset(e, 0, sizeof(*e));
		e->kind = kind, e->net = net, e->index = index;
		u->last = u->n++;
	}
	if (row < MAX_MASK_ROWS)
		e->mask[sd] |= (uint64_t)1 << row;
	return MR_OK;
}

/* The tariff that prices mode in country (the country's own, else the one for every country). */
static uint32_t tariff_of(const mr_net *net, int mode, const char *country)
{
	const mr_tariff_rec *t = mr_net_tariff(net, mode, country);
	return t ? (uint32_t)(t - net->tariffs) : MR_NONE;
}

static int use_link(usage *u, const mr_net *net, uint32_t li, int sd, size_t row)
{
	const mr_link_rec *l;
	size_t *slot;
	uint32_t t;
	int added, rc;
	if (li >= net->meta.nlinks)
		return MR_OK;
	l = &net->links[li];
	if (l->country[0]) {
		if ((t = tariff_of(net, l->mode, l->country)) != MR_NONE && (rc = use(u, U_TARIFF, net, t, sd, row)))
			return rc;
	} else {
		if ((t = tariff_of(net, l->mode, net->nodes[l->from].country)) != MR_NONE &&
		    (rc = use(u, U_TARIFF, net, t, sd, row)))
			return rc;
		if ((t = tariff_of(net, l->mode, net->nodes[l->to].country)) != MR_NONE &&
		    (rc = use(u, U_TARIFF, net, t, sd, row)))
			return rc;
	}
	if (!(slot = smap_slot(&u->links, mr_net_str(net, l->id), &added)))
		return MR_ENOMEM;
	if (!added)
		return MR_OK;
	if (!(slot = smap_slot(&u->sources, mr_net_str(net, l->source), &added)))
		return MR_ENOMEM;
	(*slot)++;
	return MR_OK;
}

static int collect_usage(const html *h, usage *u)
{
	int sd, rc;
	size_t i, k;
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows; i++) {
			const side *s = &h->s[sd];
			const mr_net *net = s->net;
			const mr_route *r;
			if (!feasible(s, i))
				continue;
			r = s->rows[i].route;
			for (k = 0; k < r->narcs; k++) {
				const mr_arc_rec *a;
				if (r->arcs[k] >= net->meta.narcs)
					continue;
				a = &net->arcs[r->arcs[k]];
				if (a->kind == MR_ARC_LINK) {
					if ((rc = use_link(u, net, a->ref, sd, i)))
						return rc;
				} else if (a->kind == MR_ARC_CHAIN && a->ref < net->meta.nchains) {
					uint32_t st;
					for (st = net->chain_first[a->ref]; st < net->chain_first[a->ref + 1]; st++)
						if ((rc = use_link(u, net, MR_CHAIN_LINK(net->chain_steps[st]), sd, i)))
							return rc;
				} else if (a->kind == MR_ARC_TRANSFER && a->ref < net->meta.ntransfers) {
					if ((rc = use(u, U_TRANSFER, net, a->ref, sd, i)))
						return rc;
				}
			}
			for (k = 0; k < r->nborders; k++)
				if (r->borders[k] < net->meta.nborders && (rc = use(u, U_BORDER, net, r->borders[k], sd, i)))
					return rc;
		}
	return MR_OK;
}

static void put_used_by(html *h, const used *e)
{
	mr_buf *b = &h->b;
	size_t i, n = 0;
	int sd;
	for (sd = 0; sd < h->nsides; sd++)
		for (i = 0; i < h->nrows && i < MAX_MASK_ROWS; i++)
			if (e->mask[sd] >> i & 1u) {
				mr_buf_puts(b, n++ ? ", " : "");
				esc(b, h->s[sd].rows[i].id);
				if (sd)
					mr_buf_puts(b, " (scenario)");
			}
}

static void write_params(html *h)
{
	const mr_compare_report *rep = h->rep;
	mr_buf *b = &h->b;
	int sd, m;
	size_t k;
	mr_buf_puts(b, "<h3>Parameters</h3>\n<table class=\"params\" id=\"params\">\n<thead><tr><th>Parameter</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		mr_buf_puts(b, "<th>");
		esc(b, h->nsides == 2 ? h->s[sd].label : "Value");
		mr_buf_puts(b, "</th>");
	}
	mr_buf_puts(b, "</tr></thead>\n<tbody>\n<tr><th scope=\"row\">Objective</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		mr_buf_puts(b, "<td>");
		put_objective(b, h->s[sd].opts);
		mr_buf_puts(b, "</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Value of time</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		mr_buf_puts(b, "<td>USD ");
		put_num(b, h->s[sd].opts->vot_usd_per_h, 2);
		mr_buf_puts(b, " per TEU-hour</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Shipment</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		mr_buf_puts(b, "<td>");
		put_num(b, h->s[sd].opts->teu, 2);
		mr_buf_puts(b, " TEU (cost and CO2e are for all of it)</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Sea speed</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		double v = sea_speed(h->s[sd].opts, h->s[sd].net);
		mr_buf_puts(b, "<td>");
		if (v > 0) {
			put_num(b, v / MR_KM_PER_NM, 1);
			mr_buf_puts(b, " kn (");
			put_num(b, v, 1);
			mr_buf_printf(b, " km/h)%s", h->s[sd].opts->sea_speed_kmh > 0 ? ", given" : ", the network's sea tariff");
		} else {
			mr_buf_puts(b, "each sea link's own");
		}
		mr_buf_puts(b, "</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Modes</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		const mr_route_opts *o = h->s[sd].opts;
		int n = 0;
		mr_buf_puts(b, "<td>");
		for (m = 0; m < MR_MODE_COUNT; m++)
			if (!o->mode_mask || (o->mode_mask >> m & 1u))
				mr_buf_printf(b, "%s%s", n++ ? ", " : "", mr_mode_name(m));
		mr_buf_puts(b, o->mode_mask ? "</td>" : " (all)</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Planned links</th>");
	for (sd = 0; sd < h->nsides; sd++)
		mr_buf_printf(b, "<td>%s</td>", h->s[sd].opts->allow_planned ? "used" : "not used (only open links)");
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Avoided</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		const mr_route_opts *o = h->s[sd].opts;
		mr_buf_puts(b, "<td>");
		for (k = 0; k < o->navoid; k++) {
			mr_buf_puts(b, k ? ", " : "");
			esc(b, o->avoid[k]);
		}
		mr_buf_puts(b, o->navoid ? "</td>" : "nothing</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Restricted links allowed</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		const mr_route_opts *o = h->s[sd].opts;
		mr_buf_puts(b, "<td>");
		for (k = 0; k < o->nallow; k++) {
			mr_buf_puts(b, k ? ", " : "");
			esc(b, o->allow[k]);
		}
		mr_buf_puts(b, o->nallow ? "</td>" : "none</td>");
	}
	mr_buf_puts(b, "</tr>\n<tr><th scope=\"row\">Network</th>");
	for (sd = 0; sd < h->nsides; sd++) {
		const mr_net *net = h->s[sd].net;
		mr_buf_puts(b, "<td>");
		if (net->meta.build_source) {
			esc(b, mr_net_str(net, net->meta.build_source));
			mr_buf_puts(b, ": ");
		}
		put_num(b, net->meta.nnodes, 0);
		mr_buf_puts(b, " nodes, ");
		put_num(b, net->meta.nlinks, 0);
		mr_buf_puts(b, " links, ");
		put_num(b, net->meta.nborders, 0);
		mr_buf_puts(b, " border crossings</td>");
	}
	mr_buf_puts(b, "</tr>\n</tbody>\n</table>\n");

	mr_buf_puts(b, "<h3>Scenarios applied</h3>\n");
	if (!rep->scenarios || !rep->nscenarios) {
		mr_buf_puts(b, "<p class=\"note\" id=\"no-scenarios\">None: the network as built.</p>\n");
		return;
	}
	mr_buf_puts(b, "<table id=\"scenarios\">\n<thead><tr><th>Scenario</th><th>Applies to</th><th>What it does</th>"
	               "<th>File</th></tr></thead>\n<tbody>\n");
	for (k = 0; k < rep->nscenarios; k++) {
		const mr_scenario_info *si = &rep->scenarios[k];
		mr_buf_puts(b, "<tr><td class=\"cid\">");
		esc(b, si->id);
		mr_buf_printf(b, "</td><td>%s</td><td>", si->vs ? "the scenario side" : h->nsides == 2 ? "both sides" : "the routes");
		esc(b, si->description);
		mr_buf_puts(b, "</td><td class=\"src\">");
		esc(b, si->path);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n");
}

typedef struct src_count {
	const char *source;
	size_t links;
} src_count;

static int cmp_src(const void *pa, const void *pb)
{
	const src_count *a = pa, *b = pb;
	if (a->links != b->links)
		return a->links > b->links ? -1 : 1;
	return strcmp(a->source, b->source);
}

static int write_sources(html *h)
{
	mr_buf *b = &h->b;
	usage u;
	src_count *sc = NULL;
	size_t k, n, nt = 0, nx = 0, nb = 0;
	int rc;

	memset(&u, 0, sizeof(u));
	mr_buf_puts(b, "<section id=\"sources\">\n<h2>Parameters and sources</h2>\n<p class=\"note\">Every figure above "
	               "comes from these parameters and from the network's records below, each with its source.</p>\n");
	write_params(h);
	if ((rc = collect_usage(h, &u)))
		goto out;
	for (k = 0; k < u.n; k++)
		nt += u.v[k].kind == U_TARIFF, nx += u.v[k].kind == U_TRANSFER, nb += u.v[k].kind == U_BORDER;

	mr_buf_printf(b, "<details id=\"tariffs\" open=\"open\"><summary>Tariffs used (%zu)</summary>\n"
	                 "<table>\n<thead><tr><th>Mode</th><th>Country</th><th class=\"n\">USD/TEU-km</th>"
	                 "<th class=\"n\">USD/leg</th><th class=\"n\">kg CO2e/TEU-km</th><th class=\"n\">km/h</th>"
	                 "<th>Source</th><th>Used by</th></tr></thead>\n<tbody>\n",
	              nt);
	for (k = 0; k < u.n; k++) {
		const mr_tariff_rec *t;
		if (u.v[k].kind != U_TARIFF)
			continue;
		t = &u.v[k].net->tariffs[u.v[k].index];
		mr_buf_printf(b, "<tr><td><span class=\"chip %s\">%s</span></td><td>%s</td><td class=\"n\">",
		              mode_class(t->mode), mr_mode_name(t->mode), t->country[0] ? t->country : "every country");
		put_num(b, t->usd_per_teu_km, 3);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->fixed_usd, 0);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->co2e_kg_per_teu_km, 4);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->speed_kmh, 1);
		mr_buf_puts(b, "</td><td class=\"src\">");
		esc(b, mr_net_str(u.v[k].net, t->source));
		mr_buf_puts(b, "</td><td class=\"split\">");
		put_used_by(h, &u.v[k]);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</details>\n");

	mr_buf_printf(b, "<details id=\"transfers\"><summary>Transfers used (%zu)</summary>\n<table>\n<thead><tr>"
	                 "<th>Where</th><th>From " ARROW " to</th><th class=\"n\">Hours</th><th class=\"n\">USD</th>"
	                 "<th class=\"n\">kg CO2e</th><th>Source</th><th>Used by</th></tr></thead>\n<tbody>\n",
	              nx);
	for (k = 0; k < u.n; k++) {
		const mr_net *net = u.v[k].net;
		const mr_transfer_rec *t;
		if (u.v[k].kind != U_TRANSFER)
			continue;
		t = &net->transfers[u.v[k].index];
		mr_buf_puts(b, "<tr><td>");
		if (t->node == MR_NONE || t->node >= net->meta.nnodes)
			mr_buf_puts(b, "every node (default)");
		else
			esc(b, node_name(net, t->node));
		mr_buf_puts(b, "</td><td>");
		put_mode(b, t->from_mode, t->from_gauge_mm);
		mr_buf_puts(b, " " ARROW " ");
		put_mode(b, t->to_mode, t->to_gauge_mm);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->time_h, 1);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->cost_usd, 0);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, t->co2e_kg, 1);
		mr_buf_puts(b, "</td><td class=\"src\">");
		esc(b, mr_net_str(net, t->source));
		mr_buf_puts(b, "</td><td class=\"split\">");
		put_used_by(h, &u.v[k]);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</details>\n");

	mr_buf_printf(b, "<details id=\"borders\" open=\"open\"><summary>Borders crossed (%zu)</summary>\n<table>\n<thead>"
	                 "<tr><th>Crossing</th><th>Countries</th><th class=\"n\">Dwell h</th><th class=\"n\">Fee USD/TEU</th>"
	                 "<th>Status</th><th>Source</th><th>Used by</th></tr></thead>\n<tbody>\n",
	              nb);
	for (k = 0; k < u.n; k++) {
		const mr_net *net = u.v[k].net;
		const mr_border_rec *x;
		if (u.v[k].kind != U_BORDER)
			continue;
		x = &net->borders[u.v[k].index];
		mr_buf_puts(b, "<tr><td>");
		esc(b, border_name(net, u.v[k].index));
		mr_buf_printf(b, "</td><td>%s-%s</td><td class=\"n\">", x->country_a, x->country_b);
		put_num(b, x->dwell_h, 1);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_num(b, x->fee_usd, 0);
		mr_buf_printf(b, "</td><td>%s</td><td class=\"src\">", mr_status_name(x->status));
		esc(b, mr_net_str(net, x->source));
		mr_buf_puts(b, "</td><td class=\"split\">");
		put_used_by(h, &u.v[k]);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</details>\n");

	sc = mr_malloc((u.sources.n ? u.sources.n : 1) * sizeof(*sc));
	if (!sc) {
		rc = MR_ENOMEM;
		goto out;
	}
	for (k = 0, n = 0; k < u.sources.cap; k++)
		if (u.sources.key[k]) {
			sc[n].source = u.sources.key[k];
			sc[n++].links = u.sources.val[k];
		}
	qsort(sc, n, sizeof(*sc), cmp_src);
	mr_buf_printf(b, "<details id=\"link-sources\"><summary>Link sources (%zu sources for ", n);
	put_num(b, (double)u.links.n, 0);
	mr_buf_puts(b, " links)</summary>\n<table>\n<thead><tr><th class=\"n\">Links</th><th>Source</th></tr></thead>\n"
	               "<tbody>\n");
	for (k = 0; k < n; k++) {
		mr_buf_puts(b, "<tr><td class=\"n\">");
		put_num(b, (double)sc[k].links, 0);
		mr_buf_puts(b, "</td><td class=\"src\">");
		esc(b, sc[k].source[0] ? sc[k].source : "(no source given)");
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</details>\n</section>\n");
out:
	mr_free(sc);
	mr_free(u.v);
	smap_free(&u.links);
	smap_free(&u.sources);
	return rc;
}

/* ---- the page ---- */

/* --pareto: the front as a scatter of cost against days, CO2e as the dot's shade, each point
 * with its corridors and figures in a tooltip, and the list below it. */
static void write_pareto(html *h)
{
	const mr_compare_report *rep = h->rep;
	const struct mr_pareto *f = rep->pareto;
	mr_buf *b = &h->b;
	const double W = 760, H = 420, L = 70, R = 20, T = 20, B = 50;
	double cmin = INFINITY, cmax = -INFINITY, tmin = INFINITY, tmax = -INFINITY, emin = INFINITY, emax = -INFINITY, t;
	size_t i;
	if (!f || !f->n)
		return;
	for (i = 0; i < f->n; i++) {
		cmin = fmin(cmin, f->v[i].value[MR_CRIT_COST]);
		cmax = fmax(cmax, f->v[i].value[MR_CRIT_COST]);
		tmin = fmin(tmin, f->v[i].value[MR_CRIT_TIME] / 24);
		tmax = fmax(tmax, f->v[i].value[MR_CRIT_TIME] / 24);
		emin = fmin(emin, f->v[i].value[MR_CRIT_CO2E]);
		emax = fmax(emax, f->v[i].value[MR_CRIT_CO2E]);
	}
	if (cmax - cmin < 1)
		cmax = cmin + 1;
	if (tmax - tmin < 0.1)
		tmax = tmin + 0.1;
	cmin -= (cmax - cmin) * 0.04, cmax += (cmax - cmin) * 0.04;
	tmin -= (tmax - tmin) * 0.06, tmax += (tmax - tmin) * 0.06;
	mr_buf_printf(b, "<section id=\"pareto\">\n<h2>Trade-offs: the Pareto front</h2>\n<p class=\"note\">Every route that no "
	                 "other beats in cost, time and CO2e at once (%zu route%s, %zu labels%s). Cheaper to the left, faster "
	                 "lower down; the darker the dot, the more CO2e. Hover a dot for its corridors.</p>\n",
	              f->n, f->n == 1 ? "" : "s", f->labels, f->truncated ? "; the label limit was reached, the front may be incomplete" : "");
	mr_buf_printf(b, "<svg class=\"chart\" id=\"pareto-plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
	                 "role=\"img\" aria-label=\"Pareto front: cost against days\">\n", W, H);
	{
		double step = mr__nice_step(cmax - cmin, 5);
		for (t = ceil(cmin / step) * step; t <= cmax; t += step) {
			double x = L + (t - cmin) / (cmax - cmin) * (W - L - R);
			mr_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, T, x, H - B);
			mr_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, H - B + 16);
			put_num(b, t, 0);
			mr_buf_puts(b, "</text>");
		}
		step = mr__nice_step(tmax - tmin, 5);
		for (t = ceil(tmin / step) * step; t <= tmax; t += step) {
			double y = H - B - (t - tmin) / (tmax - tmin) * (H - B - T);
			mr_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", L, y, W - R, y);
			mr_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", L - 6, y + 4);
			put_num(b, t, step < 1 ? 1 : 0);
			mr_buf_puts(b, "</text>");
		}
	}
	mr_buf_printf(b, "\n<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">USD per TEU</text>", (W + L) / 2,
	              H - 10);
	mr_buf_printf(b, "<text class=\"tick\" x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">days</text>\n",
	              (H - B + T) / 2, (H - B + T) / 2);
	for (i = 0; i < f->n; i++) {
		const mr_pareto_point *p = &f->v[i];
		double x = L + (p->value[MR_CRIT_COST] - cmin) / (cmax - cmin) * (W - L - R);
		double y = H - B - (p->value[MR_CRIT_TIME] / 24 - tmin) / (tmax - tmin) * (H - B - T);
		double shade = emax > emin ? (p->value[MR_CRIT_CO2E] - emin) / (emax - emin) : 0.5;
		int g = (int)(200 - 150 * shade);
		mr_buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"rgb(%d,%d,%d)\" stroke=\"#1b2631\" "
		                 "stroke-width=\"0.6\"><title>", x, y, g / 3, g / 2 + 20, g);
		mr_buf_printf(b, "#%zu: USD ", i + 1);
		put_num(b, p->value[MR_CRIT_COST], 0);
		mr_buf_printf(b, ", %.1f days, ", p->value[MR_CRIT_TIME] / 24);
		put_num(b, p->value[MR_CRIT_CO2E], 0);
		mr_buf_puts(b, " kg CO2e");
		if (rep->pareto_tags && rep->pareto_tags[i] && rep->pareto_tags[i][0]) {
			mr_buf_puts(b, "; ");
			esc(b, rep->pareto_tags[i]);
		}
		mr_buf_puts(b, "</title></circle>\n");
	}
	mr_buf_puts(b, "</svg>\n<table class=\"pareto\" id=\"pareto-table\">\n<thead><tr><th>#</th><th class=\"n\">USD</th>"
	               "<th class=\"n\">days</th><th class=\"n\">kg CO2e</th><th>corridors</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < f->n; i++) {
		const mr_pareto_point *p = &f->v[i];
		mr_buf_printf(b, "<tr><td>%zu</td><td class=\"n\">", i + 1);
		put_num(b, p->value[MR_CRIT_COST], 0);
		mr_buf_printf(b, "</td><td class=\"n\">%.1f</td><td class=\"n\">", p->value[MR_CRIT_TIME] / 24);
		put_num(b, p->value[MR_CRIT_CO2E], 0);
		mr_buf_puts(b, "</td><td>");
		esc(b, rep->pareto_tags && rep->pareto_tags[i] ? rep->pareto_tags[i] : "");
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* The published claims about this origin and destination, each with its baseline, the claimed
 * and modelled figures and the verdict. */
static void write_claims(html *h)
{
	const mr_compare_report *rep = h->rep;
	mr_buf *b = &h->b;
	size_t i;
	if (!rep->nclaims)
		return;
	mr_buf_puts(b, "<section id=\"claims\">\n<h2>Published claims</h2>\n<p class=\"note\">Figures published about "
	               "this origin and destination, checked against the comparison above. Each names the baseline "
	               "corridor it compares against; a part holds when the model is within the claimed value or range "
	               "widened by the tolerance. The model is not tuned to any claim.</p>\n"
	               "<table class=\"claims\" id=\"claims-table\">\n<thead><tr><th>Verdict</th><th>Claim</th>"
	               "<th>Corridor / baseline</th><th>Check</th><th>Source</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < rep->nclaims; i++) {
		const mr_claim_check *k = &rep->claims[i];
		mr_buf_printf(b, "<tr class=\"%s\"><td>", k->verdict == MR_CLAIM_CONFIRMED ? "best" : "infeasible");
		esc(b, mr_claim_verdict_name(k->verdict));
		mr_buf_puts(b, "</td><td>");
		esc(b, k->claim->text);
		mr_buf_puts(b, "</td><td>");
		esc(b, k->claim->corridor);
		if (k->claim->baseline) {
			mr_buf_puts(b, " / ");
			esc(b, k->claim->baseline);
		}
		mr_buf_puts(b, "</td><td>");
		esc(b, k->why);
		mr_buf_puts(b, "</td><td>");
		esc(b, k->claim->source);
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

int mr_report_compare_html(const mr_compare_report *rep, char **out, size_t *len, mr_error *err)
{
	html h;
	int rc;

	if (out)
		*out = NULL;
	if (len)
		*len = 0;
	if (!rep || !out || !len || !rep->net || !rep->from || !rep->to || !rep->opts || (rep->nrows && !rep->rows) ||
	    rep->from->node >= rep->net->meta.nnodes || rep->to->node >= rep->net->meta.nnodes)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "HTML report: incomplete comparison");
	memset(&h, 0, sizeof(h));
	h.rep = rep;
	h.nrows = rep->nrows;
	h.nsides = rep->vs_rows ? 2 : 1;
	side_init(&h.s[0], rep->net, rep->rows, rep->nrows, rep->opts, rep->label ? rep->label : "baseline");
	if (rep->vs_rows)
		side_init(&h.s[1], rep->vs_net ? rep->vs_net : rep->net, rep->vs_rows, rep->nrows,
		          rep->vs_opts ? rep->vs_opts : rep->opts, rep->vs_label ? rep->vs_label : "scenario");

	write_head(&h);
	write_summary(&h);
	if ((rc = write_map(&h)))
		goto fail;
	write_table(&h);
	write_charts(&h);
	write_pareto(&h);
	write_claims(&h);
	write_scenario(&h);
	if ((rc = write_sources(&h)))
		goto fail;
	mr_buf_puts(&h.b, "<footer>Made by Meridian. Figures are per route for the shipment given; the sources "
	                  "section names where each comes from, and estimates say so.</footer>\n</main>\n</body>\n"
	                  "</html>\n");
	if (h.b.failed || h.tmp.failed || !h.b.data) {
		rc = MR_ENOMEM;
		goto fail;
	}
	mr_buf_free(&h.tmp);
	*out = h.b.data;
	*len = h.b.len;
	return MR_OK;
fail:
	mr_buf_free(&h.b);
	mr_buf_free(&h.tmp);
	return mr_error_set(err, rc, NULL, 0, 0, NULL, rc == MR_ENOMEM ? "out of memory writing the HTML report" : NULL);
}
