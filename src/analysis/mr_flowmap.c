/* mr_flowmap.c: the flows of `meridian assign --format html` as one self-contained page: a map
 * (mr_svgmap) with every loaded link drawn with a width by its yearly flow and a colour by flow /
 * capacity, border crossings and terminals as circles, the ranked table of the capacitated
 * elements and, for the logit assignment, the corridor shares. Like the comparison report: no
 * script, nothing fetched, well-formed XML, the same input gives the same bytes. */
#include <math.h>
#include <string.h>

#include "analysis/mr_svgmap.h"
#include "meridian/mr_flows.h"

#define MAP_W 1000.0

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b2631;margin:0;background:#fafbfc}\n"
	"main{max-width:1100px;margin:0 auto;padding:18px 22px 40px}\n"
	"h1{font-size:22px;margin:6px 0 2px}h2{font-size:17px;margin:26px 0 8px}\n"
	".sub{color:#52657a;margin:0 0 12px}\n"
	".map{width:100%;height:auto;background:#dde8f1;border:1px solid #c6d5e3;border-radius:6px}\n"
	".land{fill:#f6f3ec;stroke:#b8b0a0;stroke-width:.6;stroke-linejoin:round}\n"
	".grat{fill:none;stroke:#c6d5e3;stroke-width:.6}\n"
	".gl{font-size:10px;fill:#7f93a7}\n"
	".scale{stroke:#1b2631;stroke-width:1.5;fill:none}\n"
	".scalet{font-size:11px;fill:#1b2631}\n"
	".fl{fill:none;stroke-linecap:round;opacity:.85}\n"
	".pt{stroke:#1b2631;stroke-width:1;opacity:.9}\n"
	".c0{stroke:#8a9bad}.c1{stroke:#2e9b4e}.c2{stroke:#e0b000}.c3{stroke:#e36a10}.c4{stroke:#c21f2f}\n"
	".pt.c0{fill:#8a9bad}.pt.c1{fill:#2e9b4e}.pt.c2{fill:#e0b000}.pt.c3{fill:#e36a10}.pt.c4{fill:#c21f2f}\n"
	".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 0;font-size:13px}\n"
	".sw{display:inline-block;width:26px;height:5px;border-radius:2px;vertical-align:middle;margin-right:6px}\n"
	".sw.c0{background:#8a9bad}.sw.c1{background:#2e9b4e}.sw.c2{background:#e0b000}.sw.c3{background:#e36a10}"
	".sw.c4{background:#c21f2f}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}\n"
	"th,td{padding:5px 8px;border-bottom:1px solid #e3e9ef;text-align:left}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	".note{color:#52657a;font-size:12.5px}\n";

/* Colour class by flow / capacity: c0 no capacity, c1 < 0.5, c2 < 0.8, c3 < 1, c4 >= 1. */
static int vclass(const mr_flow_load *x)
{
	if (!(x->capacity > 0))
		return 0;
	return x->voc < 0.5 ? 1 : x->voc < 0.8 ? 2 : x->voc < 1.0 ? 3 : 4;
}

static const char *kind_name(int k)
{
	return k == MR_FLOW_LINK ? "link" : k == MR_FLOW_BORDER ? "border crossing" : "terminal";
}

static void ends(const mr_net *net, const mr_flow_load *x, uint32_t *a, uint32_t *b)
{
	if (x->kind == MR_FLOW_LINK) {
		const mr_link_rec *l = &net->links[x->ref];
		*a = x->reverse ? l->to : l->from;
		*b = x->reverse ? l->from : l->to;
	} else {
		*a = *b = x->kind == MR_FLOW_BORDER ? net->borders[x->ref].node : x->ref;
	}
}

static void put_name(mr_buf *b, const mr_net *net, const mr_flow_load *x)
{
	uint32_t a, z;
	ends(net, x, &a, &z);
	if (x->kind == MR_FLOW_LINK) {
		mr__xml_esc(b, mr_net_str(net, net->nodes[a].name));
		mr_buf_puts(b, " \xe2\x86\x92 ");
		mr__xml_esc(b, mr_net_str(net, net->nodes[z].name));
		mr_buf_puts(b, " (");
		mr__xml_esc(b, mr_net_str(net, net->links[x->ref].id));
		mr_buf_puts(b, ")");
	} else if (x->kind == MR_FLOW_BORDER) {
		mr__xml_esc(b, mr_net_str(net, net->borders[x->ref].name));
	} else {
		mr__xml_esc(b, mr_net_str(net, net->nodes[x->ref].name));
	}
}

static void put_title(mr_buf *b, const mr_net *net, const mr_flow_load *x)
{
	mr_buf_puts(b, "<title>");
	put_name(b, net, x);
	mr_buf_puts(b, ": ");
	mr__put_num(b, x->flow, 0);
	mr_buf_puts(b, " TEU/yr");
	if (x->capacity > 0) {
		mr_buf_puts(b, " of ");
		mr__put_num(b, x->capacity, 0);
		mr_buf_puts(b, " (");
		mr__put_num(b, 100 * x->voc, 0);
		mr_buf_puts(b, " %)");
	}
	mr_buf_puts(b, "</title>");
}

int mr_flow_html(const mr_net *net, const mr_flow_load *v, size_t n, const mr_flow_html_info *info, char **out,
                 size_t *len)
{
	mr_buf b = {0};
	mr__map p;
	double *pts, maxf = 0;
	size_t *first, np = 0, i, shown = 0;
	char note[640];
	int rc;

	*out = NULL;
	*len = 0;
	pts = mr_malloc((2 * n + 1) * 2 * sizeof(double));
	first = mr_malloc((n + 2) * sizeof(size_t));
	if (!pts || !first) {
		mr_free(pts);
		mr_free(first);
		return MR_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		uint32_t a, z;
		if (!(v[i].flow > 0) || (v[i].kind == MR_FLOW_LINK && net->links[v[i].ref].mode == MR_MODE_SEA))
			continue;
		ends(net, &v[i], &a, &z);
		first[np] = 2 * np;
		pts[4 * np] = net->nodes[a].lon;
		pts[4 * np + 1] = net->nodes[a].lat;
		pts[4 * np + 2] = net->nodes[z].lon;
		pts[4 * np + 3] = net->nodes[z].lat;
		np++;
		maxf = fmax(maxf, v[i].flow);
	}
	first[np] = 2 * np;
	mr__map_fit(&p, pts, first, np, MAP_W);
	mr_free(pts);
	mr_free(first);

	mr_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
	                "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	                "<title>Meridian flows</title>\n<style>\n");
	mr_buf_puts(&b, css);
	mr_buf_puts(&b, "</style>\n</head>\n<body>\n<main>\n<h1>Freight flows under capacity</h1>\n<p class=\"sub\">");
	mr__xml_esc(&b, info->summary);
	mr_buf_puts(&b, "</p>\n<section id=\"map\">\n<h2>Map</h2>\n");
	mr_buf_printf(&b, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	                  "aria-label=\"Map of the flows\">\n",
	              p.w, ceil(p.h));
	mr__map_graticule(&b, &p);
	if ((rc = mr__map_countries(&b, &p, info->atlas_path, note, sizeof(note)))) {
		mr_buf_free(&b);
		return rc;
	}
	/* links, thinnest first so that the big flows lie on top; then points */
	for (i = n; i-- > 0;) {
		uint32_t a, z;
		double wpx, x0, x1;
		if (v[i].kind != MR_FLOW_LINK || !(v[i].flow > 0) || net->links[v[i].ref].mode == MR_MODE_SEA)
			continue;
		ends(net, &v[i], &a, &z);
		wpx = 1.0 + 11.0 * sqrt(v[i].flow / maxf);
		x0 = mr__map_x(&p, net->nodes[a].lon);
		x1 = mr__map_x(&p, net->nodes[z].lon);
		if (fabs(x1 - x0) > p.w / 2) /* across the seam: not drawn as a segment across the map */
			continue;
		mr_buf_printf(&b, "<path class=\"fl c%d\" stroke-width=\"%.1f\" d=\"M%.1f,%.1fL%.1f,%.1f\">", vclass(&v[i]), wpx,
		              x0, mr__map_y(&p, net->nodes[a].lat), x1, mr__map_y(&p, net->nodes[z].lat));
		put_title(&b, net, &v[i]);
		mr_buf_puts(&b, "</path>\n");
	}
	/* the most saturated last, on top of any other circle at the same place */
	for (i = n; i-- > 0;) {
		uint32_t a, z;
		if (v[i].kind == MR_FLOW_LINK || !(v[i].flow > 0 || v[i].capacity > 0))
			continue;
		ends(net, &v[i], &a, &z);
		mr_buf_printf(&b, "<circle class=\"pt c%d\" r=\"%.1f\" cx=\"%.1f\" cy=\"%.1f\">", vclass(&v[i]),
		              3.0 + 7.0 * sqrt(fmax(v[i].flow, 0) / (maxf > 0 ? maxf : 1)), mr__map_x(&p, net->nodes[a].lon),
		              mr__map_y(&p, net->nodes[a].lat));
		put_title(&b, net, &v[i]);
		mr_buf_puts(&b, "</circle>\n");
	}
	mr__map_scale(&b, &p);
	mr_buf_puts(&b, "</svg>\n<div class=\"legend\"><span><span class=\"sw c1\"></span>under 50 % of capacity</span>"
	                "<span><span class=\"sw c2\"></span>50-80 %</span><span><span class=\"sw c3\"></span>80-100 %</span>"
	                "<span><span class=\"sw c4\"></span>over capacity</span><span><span class=\"sw c0\"></span>no "
	                "capacity known</span></div>\n<p class=\"note\">Line width grows with the square root of the "
	                "yearly flow (widest: ");
	mr__put_num(&b, maxf, 0);
	mr_buf_puts(&b, " TEU); circles are border crossings and transfer terminals (the most saturated on top). Sea legs "
	               "are not drawn. ");
	mr__xml_esc(&b, note[0] ? note : "Country outlines: Natural Earth 1:110m (world-atlas).");
	mr_buf_puts(&b, "</p>\n</section>\n<section id=\"bottlenecks\">\n<h2>Most saturated elements</h2>\n<table>\n"
	                "<tr><th>element</th><th>name</th><th class=\"n\">TEU per year</th><th class=\"n\">capacity</th>"
	                "<th class=\"n\">flow / capacity</th></tr>\n");
	for (i = 0; i < n && shown < info->top; i++) {
		if (!(v[i].capacity > 0))
			continue;
		mr_buf_printf(&b, "<tr><td>%s</td><td>", kind_name(v[i].kind));
		put_name(&b, net, &v[i]);
		mr_buf_puts(&b, "</td><td class=\"n\">");
		mr__put_num(&b, v[i].flow, 0);
		mr_buf_puts(&b, "</td><td class=\"n\">");
		mr__put_num(&b, v[i].capacity, 0);
		mr_buf_puts(&b, "</td><td class=\"n\">");
		mr__put_num(&b, v[i].voc, 3);
		mr_buf_puts(&b, "</td></tr>\n");
		shown++;
	}
	mr_buf_puts(&b, "</table>\n</section>\n");
	if (info->ncorridors) {
		mr_buf_puts(&b, "<section id=\"corridors\">\n<h2>Corridor shares of the demand</h2>\n<table>\n"
		                "<tr><th>corridor</th><th>name</th><th class=\"n\">TEU per year</th><th class=\"n\">share</th></tr>\n");
		for (i = 0; i < info->ncorridors; i++) {
			mr_buf_puts(&b, "<tr><td>");
			mr__xml_esc(&b, info->corridor_id[i]);
			mr_buf_puts(&b, "</td><td>");
			mr__xml_esc(&b, info->corridor_name[i]);
			mr_buf_puts(&b, "</td><td class=\"n\">");
			mr__put_num(&b, info->corridor_teu[i], 0);
			mr_buf_puts(&b, "</td><td class=\"n\">");
			mr__put_num(&b, 100 * info->corridor_teu[i] / info->demand_teu, 1);
			mr_buf_puts(&b, " %</td></tr>\n");
		}
		mr_buf_puts(&b, "</table>\n<p class=\"note\">A route may satisfy several corridors.</p>\n</section>\n");
	}
	mr_buf_puts(&b, "</main>\n</body>\n</html>\n");
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}
