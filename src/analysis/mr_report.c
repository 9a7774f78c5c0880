/* mr_report.c: route reports as table, JSON (DESIGN.md output contract), GeoJSON and CSV. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core/mr_buf.h"
#include "core/mr_names.h"
#include "meridian/mr_alt.h"
#include "meridian/mr_claims.h"
#include "meridian/mr_report.h"
#include "analysis/mr_report_int.h"

static const char *const format_names[] = {
#define MR__X_FMT(e, s) s,
	MR_FORMAT_MAP(MR__X_FMT)
#undef MR__X_FMT
};

int mr_format_parse(const char *s)
{
	return mr__name_index(format_names, MR_FMT_COUNT, s);
}

const char *mr_format_name(int f)
{
	return mr__name_of(format_names, MR_FMT_COUNT, f);
}

/* Figures are printed to 2 decimals: more would claim a precision the data does not have. */
static double r2(double x)
{
	return round(x * 100.0) / 100.0;
}

/* How a node is named in legs: its UN/LOCODE, else its id. */
static const char *node_code(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	return n->unlocode ? mr_net_str(net, n->unlocode) : mr_net_str(net, n->id);
}

static const char *node_name(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	return n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id);
}

static const char *border_label(const mr_net *net, uint32_t b)
{
	const mr_border_rec *x = &net->borders[b];
	return x->name ? mr_net_str(net, x->name) : mr_net_str(net, x->id);
}

static const char *const place_how[] = {"id", "unlocode", "name", "alias", "coordinates"};

static json_t *place_json(const mr_net *net, const mr_place *p)
{
	const mr_node_rec *n = &net->nodes[p->node];
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(mr_net_str(net, n->id)));
	json_object_set_new(o, "name", json_string(node_name(net, p->node)));
	if (n->unlocode)
		json_object_set_new(o, "unlocode", json_string(mr_net_str(net, n->unlocode)));
	if (n->country[0])
		json_object_set_new(o, "country", json_string(n->country));
	json_object_set_new(o, "lon", json_real(n->lon));
	json_object_set_new(o, "lat", json_real(n->lat));
	json_object_set_new(o, "matched_by", json_string(p->how >= 0 && p->how <= 4 ? place_how[p->how] : "?"));
	if (p->how == MR_PLACE_COORD)
		json_object_set_new(o, "snap_km", json_real(r2(p->snap_km)));
	return o;
}

static json_t *coords_json(const mr_net *net, const uint32_t *nodes, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++) {
		json_t *c = json_array();
		json_array_append_new(c, json_real(net->nodes[nodes[i]].lon));
		json_array_append_new(c, json_real(net->nodes[nodes[i]].lat));
		json_array_append_new(a, c);
	}
	return a;
}

static json_t *linestring(json_t *coords)
{
	json_t *g = json_object();
	json_object_set_new(g, "type", json_string("LineString"));
	json_object_set_new(g, "coordinates", coords);
	return g;
}

static void leg_figures(json_t *o, const mr_leg *l)
{
	json_object_set_new(o, "distance_km", json_real(r2(l->distance_km)));
	json_object_set_new(o, "distance_nm", json_real(r2(l->distance_km / MR_KM_PER_NM)));
	json_object_set_new(o, "duration_h", json_real(r2(l->duration_h)));
	json_object_set_new(o, "cost_usd", json_real(r2(l->cost_usd)));
	json_object_set_new(o, "co2e_kg", json_real(r2(l->co2e_kg)));
	json_object_set_new(o, "handling_h", json_real(r2(l->handling_h)));
	json_object_set_new(o, "handling_usd", json_real(r2(l->handling_usd)));
	json_object_set_new(o, "running_h", json_real(r2(l->running_h)));
	json_object_set_new(o, "waiting_h", json_real(r2(l->waiting_h)));
	json_object_set_new(o, "border_h", json_real(r2(l->border_h)));
	json_object_set_new(o, "transport_usd", json_real(r2(l->transport_usd)));
	json_object_set_new(o, "tolls_usd", json_real(r2(l->tolls_usd)));
	json_object_set_new(o, "border_usd", json_real(r2(l->border_usd)));
	json_object_set_new(o, "co2e_ttw_kg", json_real(r2(l->co2e_ttw_kg)));
	json_object_set_new(o, "co2e_wtt_kg", json_real(r2(l->co2e_wtt_kg)));
	json_object_set_new(o, "co2e_hub_kg", json_real(r2(l->co2e_hub_kg)));
}

static json_t *leg_json(const mr_net *net, const mr_leg *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "mode", json_string(mr_mode_name(l->mode)));
	if (l->mode == MR_MODE_RAIL)
		json_object_set_new(o, "gauge_mm", json_integer(l->gauge_mm));
	json_object_set_new(o, "from", json_string(node_code(net, l->from_node)));
	json_object_set_new(o, "to", json_string(node_code(net, l->to_node)));
	json_object_set_new(o, "from_name", json_string(node_name(net, l->from_node)));
	json_object_set_new(o, "to_name", json_string(node_name(net, l->to_node)));
	leg_figures(o, l);
	{ /* the leg's part of the route geometry: coordinates [first, last] */
		json_t *gi = json_array();
		json_array_append_new(gi, json_integer(l->first_node));
		json_array_append_new(gi, json_integer(l->first_node + (l->nnodes ? l->nnodes - 1 : 0)));
		json_object_set_new(o, "geometry_index", gi);
	}
	return o;
}

static json_t *point_json(const mr_net *net, const char *kind, const char *name, uint32_t node)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "lon", json_real(net->nodes[node].lon));
	json_object_set_new(o, "lat", json_real(net->nodes[node].lat));
	return o;
}

/* Where a map marks the route: origin, destination, borders crossed (their crossing node),
 * transfers between legs (with the modes), passages (the first link of each on the route). */
static json_t *points_json(const mr_net *net, const mr_route *r)
{
	json_t *a = json_array();
	size_t i;
	if (!r->nnodes)
		return a;
	json_array_append_new(a, point_json(net, "origin", node_name(net, r->nodes[0]), r->nodes[0]));
	for (i = 0; i < r->nborders; i++) {
		const mr_border_rec *b = &net->borders[r->borders[i]];
		if (b->node != MR_NONE)
			json_array_append_new(a, point_json(net, "border", border_label(net, r->borders[i]), b->node));
	}
	for (i = 1; i < r->nlegs; i++) {
		char label[160];
		const mr_leg *x = &r->legs[i - 1], *y = &r->legs[i];
		char gx[16] = "", gy[16] = "";
		if (x->mode == MR_MODE_RAIL)
			snprintf(gx, sizeof(gx), " %d", x->gauge_mm);
		if (y->mode == MR_MODE_RAIL)
			snprintf(gy, sizeof(gy), " %d", y->gauge_mm);
		snprintf(label, sizeof(label), "%s: %s%s to %s%s", node_name(net, y->from_node), mr_mode_name(x->mode), gx,
		         mr_mode_name(y->mode), gy);
		json_array_append_new(a, point_json(net, "transfer", label, y->from_node));
	}
	{
		uint32_t seen[64];
		size_t nseen = 0;
		for (i = 0; i < r->narcs; i++) {
			const mr_arc_rec *arc = &net->arcs[r->arcs[i]];
			const mr_link_rec *l;
			size_t k;
			if (arc->kind == MR_ARC_TRANSFER)
				continue;
			l = &net->links[arc->kind == MR_ARC_LINK ? arc->ref : MR_CHAIN_LINK(net->chain_steps[net->chain_first[arc->ref]])];
			if (!l->passage)
				continue;
			for (k = 0; k < nseen && seen[k] != l->passage; k++)
				;
			if (k < nseen || nseen == 64)
				continue;
			seen[nseen++] = l->passage;
			json_array_append_new(a, point_json(net, "passage", mr_net_str(net, l->passage), l->from));
		}
	}
	json_array_append_new(a, point_json(net, "destination", node_name(net, r->nodes[r->nnodes - 1]),
	                                    r->nodes[r->nnodes - 1]));
	return a;
}

static json_t *route_json(const mr_net *net, const mr_route *r)
{
	json_t *o = json_object(), *a;
	size_t i;
	json_object_set_new(o, "distance_km", json_real(r2(r->distance_km)));
	json_object_set_new(o, "distance_nm", json_real(r2(r->distance_km / MR_KM_PER_NM)));
	json_object_set_new(o, "duration_h", json_real(r2(r->duration_h)));
	json_object_set_new(o, "cost_usd", json_real(r2(r->cost_usd)));
	json_object_set_new(o, "co2e_kg", json_real(r2(r->co2e_kg)));
	a = json_array();
	for (i = 0; i < r->ncountries; i++)
		json_array_append_new(a, json_string(r->countries[i]));
	json_object_set_new(o, "countries", a);
	a = json_array();
	for (i = 0; i < r->npassages; i++)
		json_array_append_new(a, json_string(mr_net_str(net, r->passages[i])));
	json_object_set_new(o, "passages", a);
	a = json_array();
	for (i = 0; i < r->nborders; i++)
		json_array_append_new(a, json_string(border_label(net, r->borders[i])));
	json_object_set_new(o, "borders", a);
	json_object_set_new(o, "transfers", json_integer(r->transfers));
	a = json_array();
	for (i = 0; i < r->nlegs; i++)
		json_array_append_new(a, leg_json(net, &r->legs[i]));
	json_object_set_new(o, "legs", a);
	json_object_set_new(o, "geometry", linestring(coords_json(net, r->nodes, r->nnodes)));
	json_object_set_new(o, "points", points_json(net, r));
	json_object_set_new(o, "objective_value", json_real(r2(r->objective_value)));
	json_object_set_new(o, "teu", json_real(r->teu));
	{
		json_t *t = json_object(), *c = json_object();
		json_object_set_new(t, "running_h", json_real(r2(r->running_h)));
		json_object_set_new(t, "waiting_h", json_real(r2(r->waiting_h)));
		json_object_set_new(t, "border_h", json_real(r2(r->border_h)));
		json_object_set_new(t, "handling_h", json_real(r2(r->handling_h)));
		json_object_set_new(o, "duration_split", t);
		json_object_set_new(c, "transport_usd", json_real(r2(r->transport_usd)));
		json_object_set_new(c, "tolls_usd", json_real(r2(r->tolls_usd)));
		json_object_set_new(c, "border_usd", json_real(r2(r->border_usd)));
		json_object_set_new(c, "handling_usd", json_real(r2(r->handling_usd)));
		json_object_set_new(o, "cost_split", c);
		c = json_object();
		json_object_set_new(c, "ttw_kg", json_real(r2(r->co2e_ttw_kg)));
		json_object_set_new(c, "wtt_kg", json_real(r2(r->co2e_wtt_kg)));
		json_object_set_new(c, "hub_kg", json_real(r2(r->co2e_hub_kg)));
		json_object_set_new(o, "co2e_split", c);
	}
	json_object_set_new(o, "gauge_breaks", json_integer(r->gauge_breaks));
	return o;
}

static double sea_speed(const mr_route_report *rep)
{
	return rep->opts->sea_speed_kmh > 0 ? rep->opts->sea_speed_kmh : mr_net_sea_speed_kmh(rep->net);
}

static json_t *opts_json(const mr_route_report *rep)
{
	const mr_route_opts *o = rep->opts;
	json_t *j = json_object(), *m = json_array();
	int i;
	json_object_set_new(j, "objective", json_string(mr_objective_name(o->objective)));
	json_object_set_new(j, "vot_usd_per_h", json_real(o->vot_usd_per_h));
	json_object_set_new(j, "teu", json_real(o->teu));
	for (i = 0; i < MR_MODE_COUNT; i++)
		if (!o->mode_mask || (o->mode_mask >> i & 1u))
			json_array_append_new(m, json_string(mr_mode_name(i)));
	json_object_set_new(j, "modes", m);
	json_object_set_new(j, "planned_links", json_boolean(o->allow_planned));
	m = json_array();
	for (i = 0; i < (int)o->navoid; i++)
		json_array_append_new(m, json_string(o->avoid[i]));
	json_object_set_new(j, "avoid", m);
	m = json_array();
	for (i = 0; i < (int)o->nallow; i++)
		json_array_append_new(m, json_string(o->allow[i]));
	json_object_set_new(j, "allow", m);
	if (sea_speed(rep) > 0)
		json_object_set_new(j, "sea_speed_kn", json_real(r2(sea_speed(rep) / MR_KM_PER_NM)));
	return j;
}

static int dump(json_t *root, char **out, size_t *len)
{
	char *s;
	if (!root)
		return MR_ENOMEM;
	s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (!s)
		return MR_ENOMEM;
	*len = strlen(s) + 1;
	*out = mr_malloc(*len + 1);
	if (!*out) {
		free(s);
		return MR_ENOMEM;
	}
	memcpy(*out, s, *len - 1);
	(*out)[*len - 1] = '\n';
	(*out)[*len] = '\0';
	free(s);
	return MR_OK;
}

/* How the route was found: the algorithm, the stored hierarchy, or why an exact search ran. */
static json_t *search_json(const mr_route *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "algorithm", json_string(mr_algorithm_name(r->algorithm)));
	if (r->hierarchy)
		json_object_set_new(o, "hierarchy", json_string(r->hierarchy));
	if (r->search_note[0])
		json_object_set_new(o, "note", json_string(r->search_note));
	return o;
}

static int report_json(const mr_route_report *rep, char **out, size_t *len)
{
	json_t *root = json_object(), *routes = json_array();
	size_t i;
	json_object_set_new(root, "from", place_json(rep->net, rep->from));
	json_object_set_new(root, "to", place_json(rep->net, rep->to));
	json_object_set_new(root, "options", opts_json(rep));
	for (i = 0; i < rep->nroutes; i++) {
		json_t *rj = route_json(rep->net, &rep->routes[i]);
		if (rep->labels && rep->labels[i])
			json_object_set_new(rj, "label", json_string(rep->labels[i]));
		json_object_set_new(rj, "search", search_json(&rep->routes[i]));
		json_array_append_new(routes, rj);
	}
	json_object_set_new(root, "routes", routes);
	return dump(root, out, len);
}

static int report_geojson(const mr_route_report *rep, char **out, size_t *len)
{
	const mr_net *net = rep->net;
	json_t *root = json_object(), *feats = json_array();
	size_t i, j;

	for (i = 0; i < rep->nroutes; i++) {
		const mr_route *r = &rep->routes[i];
		json_t *f = json_object(), *props = route_json(net, r);
		json_object_del(props, "geometry");
		json_object_del(props, "legs");
		json_object_set_new(props, "kind", json_string("route"));
		json_object_set_new(props, "route", json_integer((json_int_t)i));
		if (rep->labels && rep->labels[i])
			json_object_set_new(props, "label", json_string(rep->labels[i]));
		json_object_set_new(f, "type", json_string("Feature"));
		json_object_set_new(f, "properties", props);
		json_object_set_new(f, "geometry", linestring(coords_json(net, r->nodes, r->nnodes)));
		json_array_append_new(feats, f);
		for (j = 0; j < r->nlegs; j++) {
			json_t *lf = json_object(), *lp = leg_json(net, &r->legs[j]);
			json_object_set_new(lp, "kind", json_string("leg"));
			json_object_set_new(lp, "route", json_integer((json_int_t)i));
			json_object_set_new(lp, "leg", json_integer((json_int_t)j + 1));
			json_object_set_new(lf, "type", json_string("Feature"));
			json_object_set_new(lf, "properties", lp);
			json_object_set_new(lf, "geometry",
			                    linestring(coords_json(net, r->nodes + r->legs[j].first_node, r->legs[j].nnodes)));
			json_array_append_new(feats, lf);
		}
	}
	json_object_set_new(root, "type", json_string("FeatureCollection"));
	json_object_set_new(root, "features", feats);
	return dump(root, out, len);
}

static int report_csv(const mr_route_report *rep, char **out, size_t *len)
{
	const mr_net *net = rep->net;
	mr_buf b = {0};
	size_t i, j;

	mr_buf_puts(&b, "route,leg,mode,gauge_mm,from,from_name,to,to_name,distance_km,duration_h,cost_usd,co2e_kg,"
	                "handling_h,handling_usd\n");
	for (i = 0; i < rep->nroutes; i++) {
		const mr_route *r = &rep->routes[i];
		for (j = 0; j < r->nlegs; j++) {
			const mr_leg *l = &r->legs[j];
			mr_buf_printf(&b, "%zu,%zu,%s,", i + 1, j + 1, mr_mode_name(l->mode));
			if (l->mode == MR_MODE_RAIL)
				mr_buf_printf(&b, "%d", l->gauge_mm);
			mr_buf_puts(&b, ",");
			mr_buf_csv(&b, node_code(net, l->from_node));
			mr_buf_puts(&b, ",");
			mr_buf_csv(&b, node_name(net, l->from_node));
			mr_buf_puts(&b, ",");
			mr_buf_csv(&b, node_code(net, l->to_node));
			mr_buf_puts(&b, ",");
			mr_buf_csv(&b, node_name(net, l->to_node));
			mr_buf_printf(&b, ",%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", l->distance_km, l->duration_h, l->cost_usd,
			              l->co2e_kg, l->handling_h, l->handling_usd);
		}
		mr_buf_printf(&b, "%zu,total,,,", i + 1);
		mr_buf_csv(&b, node_code(net, rep->from->node));
		mr_buf_puts(&b, ",");
		mr_buf_csv(&b, node_name(net, rep->from->node));
		mr_buf_puts(&b, ",");
		mr_buf_csv(&b, node_code(net, rep->to->node));
		mr_buf_puts(&b, ",");
		mr_buf_csv(&b, node_name(net, rep->to->node));
		mr_buf_printf(&b, ",%.2f,%.2f,%.2f,%.2f,,\n", r->distance_km, r->duration_h, r->cost_usd, r->co2e_kg);
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

/* Thousands separators for the table: 16234.5 -> "16,234.5". */
static const char *grouped(char *buf, size_t size, double x, int decimals)
{
	char raw[64], *dot;
	size_t n, i, o = 0, intlen;
	int neg = x < 0;
	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(x));
	dot = strchr(raw, '.');
	intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	n = strlen(raw);
	if (neg && o + 1 < size)
		buf[o++] = '-';
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i < intlen && i > 0 && (intlen - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
	return buf;
}

static void table_place(mr_buf *b, const mr_net *net, const mr_place *p)
{
	const mr_node_rec *n = &net->nodes[p->node];
	mr_buf_printf(b, "%s (%s%s%s)", node_name(net, p->node), node_code(net, p->node), n->country[0] ? ", " : "",
	              n->country);
}

static int report_table(const mr_route_report *rep, char **out, size_t *len)
{
	const mr_net *net = rep->net;
	mr_buf b = {0};
	char g1[48], g2[48], g3[48], g4[48];
	size_t i, j;

	table_place(&b, net, rep->from);
	mr_buf_puts(&b, " -> ");
	table_place(&b, net, rep->to);
	mr_buf_printf(&b, "\nobjective: %s", mr_objective_name(rep->opts->objective));
	if (rep->opts->objective == MR_BY_GENERALIZED)
		mr_buf_printf(&b, " (cost + USD %g per hour)", rep->opts->vot_usd_per_h);
	mr_buf_printf(&b, ", %g TEU\n", rep->opts->teu);
	if (rep->from->how == MR_PLACE_COORD)
		mr_buf_printf(&b, "origin snapped %.1f km to %s\n", rep->from->snap_km, node_name(net, rep->from->node));
	if (rep->to->how == MR_PLACE_COORD)
		mr_buf_printf(&b, "destination snapped %.1f km to %s\n", rep->to->snap_km, node_name(net, rep->to->node));
	for (i = 0; i < rep->nroutes; i++) {
		const mr_route *r = &rep->routes[i];
		if (rep->nroutes > 1)
			mr_buf_printf(&b, "\nroute %zu%s%s\n", i + 1, rep->labels && rep->labels[i] ? ": " : "",
			              rep->labels && rep->labels[i] ? rep->labels[i] : "");
		mr_buf_printf(&b, "\n %2s  %-5s %5s  %-22s %-22s %10s %8s %10s %9s\n", "#", "mode", "gauge", "from", "to",
		              "km", "hours", "USD", "kg CO2e");
		for (j = 0; j < r->nlegs; j++) {
			const mr_leg *l = &r->legs[j];
			char gauge[16] = "";
			if (l->mode == MR_MODE_RAIL)
				snprintf(gauge, sizeof(gauge), "%d", l->gauge_mm);
			mr_buf_printf(&b, " %2zu  %-5s %5s  %-22.22s %-22.22s %10s %8.1f %10s %9s\n", j + 1, mr_mode_name(l->mode),
			              gauge, node_name(net, l->from_node), node_name(net, l->to_node),
			              grouped(g1, sizeof(g1), l->distance_km, 1), l->duration_h,
			              grouped(g2, sizeof(g2), l->cost_usd, 0), grouped(g3, sizeof(g3), l->co2e_kg, 1));
		}
		mr_buf_printf(&b, "\n total  %s km (%s nm), %.1f h (%.1f days), USD %s, %s kg CO2e, %u transfer%s\n",
		              grouped(g1, sizeof(g1), r->distance_km, 1),
		              grouped(g4, sizeof(g4), r->distance_km / MR_KM_PER_NM, 1), r->duration_h, r->duration_h / 24.0,
		              grouped(g2, sizeof(g2), r->cost_usd, 0), grouped(g3, sizeof(g3), r->co2e_kg, 1), r->transfers,
		              r->transfers == 1 ? "" : "s");
		mr_buf_printf(&b, " time      %.1f h running, %.1f h waiting for departures and passages, %.1f h at borders, %.1f h "
		                  "handling\n",
		              r->running_h, r->waiting_h, r->border_h, r->handling_h);
		mr_buf_printf(&b, " cost      USD %s transport, %s tolls, %s border fees, %s handling\n",
		              grouped(g1, sizeof(g1), r->transport_usd, 0), grouped(g2, sizeof(g2), r->tolls_usd, 0),
		              grouped(g3, sizeof(g3), r->border_usd, 0), grouped(g4, sizeof(g4), r->handling_usd, 0));
		for (j = 0; j < r->nlegs && r->legs[j].mode != MR_MODE_SEA; j++)
			;
		if (j < r->nlegs && sea_speed(rep) > 0)
			mr_buf_printf(&b, " sea legs at %.1f kn (%.1f km/h)\n", sea_speed(rep) / MR_KM_PER_NM, sea_speed(rep));
		mr_buf_puts(&b, " countries ");
		for (j = 0; j < r->ncountries; j++)
			mr_buf_printf(&b, "%s%s", j ? " " : "", r->countries[j]);
		mr_buf_puts(&b, "\n passages  ");
		for (j = 0; j < r->npassages; j++)
			mr_buf_printf(&b, "%s%s", j ? ", " : "", mr_net_str(net, r->passages[j]));
		if (!r->npassages)
			mr_buf_puts(&b, "none");
		mr_buf_puts(&b, "\n borders   ");
		for (j = 0; j < r->nborders; j++)
			mr_buf_printf(&b, "%s%s", j ? ", " : "", border_label(net, r->borders[j]));
		if (!r->nborders)
			mr_buf_puts(&b, "none");
		mr_buf_puts(&b, "\n");
		if (r->hierarchy)
			mr_buf_printf(&b, " search    contraction hierarchy '%s' (stored with the network)\n", r->hierarchy);
		else if (r->search_note[0])
			mr_buf_printf(&b, " search    %s\n", r->search_note);
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

int mr_report_route(const mr_route_report *rep, int format, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	switch (format) {
	case MR_FMT_TABLE:
		return report_table(rep, out, len);
	case MR_FMT_JSON:
		return report_json(rep, out, len);
	case MR_FMT_GEOJSON:
		return report_geojson(rep, out, len);
	case MR_FMT_CSV:
		return report_csv(rep, out, len);
	default:
		return MR_EINVAL;
	}
}

/* ---- corridor comparison ---- */

static void best_of(const mr_compare_row *rows, size_t n, double best[4])
{
	size_t i;
	best[0] = best[1] = best[2] = best[3] = INFINITY;
	for (i = 0; i < n; i++) {
		const mr_route *r = rows[i].route;
		if (!rows[i].feasible)
			continue;
		best[0] = fmin(best[0], r->distance_km);
		best[1] = fmin(best[1], r->duration_h);
		best[2] = fmin(best[2], r->cost_usd);
		best[3] = fmin(best[3], r->co2e_kg);
	}
}

static double ratio(double x, double best)
{
	return best > 0 ? x / best : (x > 0 ? INFINITY : 1.0);
}

/* "sea>rail" from a route's legs */
static void modes_text(const mr_route *r, char *buf, size_t size)
{
	size_t j, n = 0;
	buf[0] = '\0';
	for (j = 0; j < r->nlegs && n + 1 < size; j++) {
		int k = snprintf(buf + n, size - n, "%s%s", j ? ">" : "", mr_mode_name(r->legs[j].mode));
		if (k < 0)
			break;
		n += (size_t)k < size - n ? (size_t)k : size - n - 1;
	}
}

static json_t *compare_rows_json(const mr_net *net, const mr_compare_row *rows, size_t n)
{
	json_t *arr = json_array();
	double best[4];
	size_t i;
	best_of(rows, n, best);
	for (i = 0; i < n; i++) {
		const mr_compare_row *row = &rows[i];
		json_t *c = json_object();
		json_object_set_new(c, "id", json_string(row->id));
		json_object_set_new(c, "name", json_string(row->name));
		json_object_set_new(c, "constraints", json_string(row->constraints ? row->constraints : ""));
		json_object_set_new(c, "feasible", json_boolean(row->feasible));
		if (row->feasible) {
			json_t *rt = json_object();
			json_object_set_new(rt, "distance", json_real(r2(ratio(row->route->distance_km, best[0]))));
			json_object_set_new(rt, "duration", json_real(r2(ratio(row->route->duration_h, best[1]))));
			json_object_set_new(rt, "cost", json_real(r2(ratio(row->route->cost_usd, best[2]))));
			json_object_set_new(rt, "co2e", json_real(r2(ratio(row->route->co2e_kg, best[3]))));
			json_object_set_new(c, "ratio_to_best", rt);
			json_object_set_new(c, "route", route_json(net, row->route));
		} else {
			json_object_set_new(c, "reason", json_string(row->reason ? row->reason : ""));
		}
		json_array_append_new(arr, c);
	}
	return arr;
}

/* Difference of one figure, scenario - base, and in percent of base (null when base is 0). */
static void diff_pair(json_t *o, const char *key, double base, double scen)
{
	char k[64];
	json_object_set_new(o, key, json_real(r2(scen - base)));
	snprintf(k, sizeof(k), "%s_pct", key);
	json_object_set_new(o, k, base != 0 ? json_real(r2(100.0 * (scen - base) / base)) : json_null());
}

static json_t *differences_json(const mr_compare_report *rep)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < rep->nrows; i++) {
		const mr_compare_row *b = &rep->rows[i], *v = &rep->vs_rows[i];
		json_t *d = json_object();
		json_object_set_new(d, "id", json_string(b->id));
		json_object_set_new(d, "feasible_base", json_boolean(b->feasible));
		json_object_set_new(d, "feasible_scenario", json_boolean(v->feasible));
		if (b->feasible && v->feasible) {
			diff_pair(d, "distance_km", b->route->distance_km, v->route->distance_km);
			diff_pair(d, "duration_h", b->route->duration_h, v->route->duration_h);
			diff_pair(d, "cost_usd", b->route->cost_usd, v->route->cost_usd);
			diff_pair(d, "co2e_kg", b->route->co2e_kg, v->route->co2e_kg);
		}
		json_array_append_new(arr, d);
	}
	return arr;
}

static json_t *scenarios_json(const mr_compare_report *rep)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < rep->nscenarios; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(rep->scenarios[i].id));
		json_object_set_new(o, "description", json_string(rep->scenarios[i].description ? rep->scenarios[i].description : ""));
		json_object_set_new(o, "applies_to", json_string(rep->scenarios[i].vs ? "vs" : "both"));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *num_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(r2(x));
}

static json_t *claims_json(const mr_compare_report *rep)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < rep->nclaims; i++) {
		const mr_claim_check *k = &rep->claims[i];
		const mr_claim *c = k->claim;
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "claim", json_string(c->text));
		json_object_set_new(o, "source", json_string(c->source));
		json_object_set_new(o, "figure", json_string(mr_claim_figure_name(c->figure)));
		json_object_set_new(o, "corridor", json_string(c->corridor));
		json_object_set_new(o, "baseline", c->baseline ? json_string(c->baseline) : json_null());
		json_object_set_new(o, "claimed", num_or_null(c->lo == c->hi ? c->lo : NAN));
		if (c->lo != c->hi) {
			json_t *r = json_array();
			json_array_append_new(r, json_real(c->lo));
			json_array_append_new(r, json_real(c->hi));
			json_object_set_new(o, "claimed_range", r);
		}
		json_object_set_new(o, "claimed_baseline", num_or_null(c->base_lo == c->base_hi ? c->base_lo : NAN));
		if (c->base_lo != c->base_hi) {
			json_t *r = json_array();
			json_array_append_new(r, json_real(c->base_lo));
			json_array_append_new(r, json_real(c->base_hi));
			json_object_set_new(o, "claimed_baseline_range", r);
		}
		json_object_set_new(o, "claimed_ratio", num_or_null(c->ratio));
		json_object_set_new(o, "tolerance", json_real(c->tolerance));
		json_object_set_new(o, "model", num_or_null(k->model));
		json_object_set_new(o, "model_baseline", num_or_null(k->model_base));
		json_object_set_new(o, "model_ratio", isnan(k->model_ratio) ? json_null() : json_real(round(k->model_ratio * 1000) / 1000));
		json_object_set_new(o, "verdict", json_string(mr_claim_verdict_name(k->verdict)));
		json_object_set_new(o, "why", json_string(k->why));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *geo_features(const mr_net *net, const mr_compare_row *rows, size_t n, const char *label, json_t *arr)
{
	size_t i;
	for (i = 0; i < n; i++) {
		json_t *f, *props;
		if (!rows[i].feasible)
			continue;
		f = json_object();
		props = route_json(net, rows[i].route);
		json_object_del(props, "geometry");
		json_object_del(props, "legs");
		json_object_set_new(props, "corridor", json_string(rows[i].id));
		json_object_set_new(props, "name", json_string(rows[i].name));
		if (label)
			json_object_set_new(props, "scenario", json_string(label));
		json_object_set_new(f, "type", json_string("Feature"));
		json_object_set_new(f, "properties", props);
		json_object_set_new(f, "geometry", linestring(coords_json(net, rows[i].route->nodes, rows[i].route->nnodes)));
		json_array_append_new(arr, f);
	}
	return arr;
}

static int compare_json(const mr_compare_report *rep, int geo, char **out, size_t *len)
{
	json_t *root = json_object();
	const char *label = rep->label ? rep->label : "base";
	if (geo) {
		json_t *arr = json_array();
		geo_features(rep->net, rep->rows, rep->nrows, rep->vs_rows ? label : NULL, arr);
		if (rep->vs_rows)
			geo_features(rep->vs_net, rep->vs_rows, rep->nrows, rep->vs_label, arr);
		json_object_set_new(root, "type", json_string("FeatureCollection"));
		json_object_set_new(root, "features", arr);
		return dump(root, out, len);
	}
	json_object_set_new(root, "from", place_json(rep->net, rep->from));
	json_object_set_new(root, "to", place_json(rep->net, rep->to));
	{
		mr_route_report rr = {rep->net, rep->from, rep->to, rep->opts, NULL, 0, NULL};
		json_object_set_new(root, "options", opts_json(&rr));
	}
	json_object_set_new(root, "scenario", json_string(label));
	json_object_set_new(root, "scenarios", scenarios_json(rep));
	json_object_set_new(root, "corridors", compare_rows_json(rep->net, rep->rows, rep->nrows));
	json_object_set_new(root, "claims", claims_json(rep));
	if (rep->vs_rows) {
		json_t *vs = json_object();
		mr_route_report rr = {rep->vs_net, rep->from, rep->to, rep->vs_opts ? rep->vs_opts : rep->opts, NULL, 0, NULL};
		json_object_set_new(vs, "scenario", json_string(rep->vs_label ? rep->vs_label : ""));
		json_object_set_new(vs, "options", opts_json(&rr));
		json_object_set_new(vs, "corridors", compare_rows_json(rep->vs_net, rep->vs_rows, rep->nrows));
		json_object_set_new(vs, "differences", differences_json(rep));
		json_object_set_new(root, "vs", vs);
	}
	return dump(root, out, len);
}

static void compare_csv_rows(mr_buf *b, const mr_net *net, const mr_compare_row *rows, size_t n, const char *label)
{
	double best[4];
	size_t i;
	best_of(rows, n, best);
	for (i = 0; i < n; i++) {
		const mr_compare_row *row = &rows[i];
		mr_buf_csv(b, row->id);
		mr_buf_puts(b, ",");
		mr_buf_csv(b, row->name);
		if (row->feasible) {
			const mr_route *r = row->route;
			char list[512] = "", cc[256] = "";
			size_t j, np = 0, m = 0;
			for (j = 0; j < r->npassages && np + 64 < sizeof(list); j++)
				np += (size_t)snprintf(list + np, sizeof(list) - np, "%s%s", j ? ";" : "", mr_net_str(net, r->passages[j]));
			for (j = 0; j < r->ncountries && m + 8 < sizeof(cc); j++)
				m += (size_t)snprintf(cc + m, sizeof(cc) - m, "%s%s", j ? ";" : "", r->countries[j]);
			mr_buf_printf(b, ",true,%.2f,%.2f,%.2f,%.2f,%u,%.3f,%.3f,%.3f,%.3f,", r->distance_km, r->duration_h,
			              r->cost_usd, r->co2e_kg, r->transfers, ratio(r->distance_km, best[0]),
			              ratio(r->duration_h, best[1]), ratio(r->cost_usd, best[2]), ratio(r->co2e_kg, best[3]));
			mr_buf_csv(b, list);
			mr_buf_puts(b, ",");
			mr_buf_csv(b, cc);
			mr_buf_printf(b, ",,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%zu,%u,", r->running_h,
			              r->waiting_h, r->border_h, r->handling_h, r->transport_usd, r->tolls_usd, r->border_usd,
			              r->handling_usd, r->co2e_ttw_kg, r->co2e_wtt_kg, r->co2e_hub_kg, r->nborders, r->gauge_breaks);
		} else {
			mr_buf_puts(b, ",false,,,,,,,,,,,,");
			mr_buf_csv(b, row->reason ? row->reason : "");
			mr_buf_puts(b, ",,,,,,,,,,,,,,");
		}
		mr_buf_csv(b, label);
		mr_buf_puts(b, "\n");
	}
}

static int compare_csv(const mr_compare_report *rep, char **out, size_t *len)
{
	mr_buf b = {0};
	mr_buf_puts(&b, "corridor,name,feasible,distance_km,duration_h,cost_usd,co2e_kg,transfers,distance_ratio,"
	                "duration_ratio,cost_ratio,co2e_ratio,passages,countries,reason,running_h,waiting_h,border_h,"
	                "handling_h,transport_usd,tolls_usd,border_usd,handling_usd,co2e_ttw_kg,co2e_wtt_kg,co2e_hub_kg,"
	                "borders,gauge_breaks,scenario\n");
	compare_csv_rows(&b, rep->net, rep->rows, rep->nrows, rep->label ? rep->label : "base");
	if (rep->vs_rows)
		compare_csv_rows(&b, rep->vs_net, rep->vs_rows, rep->nrows, rep->vs_label ? rep->vs_label : "");
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

/* ANSI colours for the terminal table; empty strings without colour. */
typedef struct palette {
	const char *best, *bad, *head, *dim, *off;
} palette;

static palette palette_for(int colour)
{
	palette p = {"", "", "", "", ""};
	if (colour) {
		p.best = "\033[1;32m";
		p.bad = "\033[31m";
		p.head = "\033[1m";
		p.dim = "\033[2m";
		p.off = "\033[0m";
	}
	return p;
}

static void table_rows(mr_buf *b, const mr_net *net, const mr_compare_row *rows, size_t n, const palette *pc)
{
	double best[4];
	char g[4][48], modes[128];
	size_t i, j;
	best_of(rows, n, best);
	mr_buf_printf(b, "%s %-16s %17s %14s %15s %15s  %s%s\n", pc->head, "corridor", "km", "days", "USD", "kg CO2e",
	              "modes / passages", pc->off);
	for (i = 0; i < n; i++) {
		const mr_compare_row *row = &rows[i];
		const mr_route *r = row->route;
		double v[4], q[4];
		int k;
		if (!row->feasible) {
			mr_buf_printf(b, " %-16s %sinfeasible: %s%s\n", row->id, pc->bad, row->reason ? row->reason : "", pc->off);
			continue;
		}
		v[0] = r->distance_km, v[1] = r->duration_h, v[2] = r->cost_usd, v[3] = r->co2e_kg;
		grouped(g[0], sizeof(g[0]), v[0], 0);
		snprintf(g[1], sizeof(g[1]), "%.1f", v[1] / 24.0);
		grouped(g[2], sizeof(g[2]), v[2], 0);
		grouped(g[3], sizeof(g[3]), v[3], 0);
		mr_buf_printf(b, " %-16s", row->id);
		for (k = 0; k < 4; k++) {
			static const int w[4] = {10, 7, 8, 8};
			q[k] = ratio(v[k], best[k]);
			mr_buf_printf(b, " %s%*s (%4.2f)%s", q[k] <= 1.0 + 1e-9 ? pc->best : "", w[k], g[k], q[k],
			              q[k] <= 1.0 + 1e-9 ? pc->off : "");
		}
		modes_text(r, modes, sizeof(modes));
		mr_buf_printf(b, "  %s", modes);
		for (j = 0; j < r->npassages; j++)
			mr_buf_printf(b, "%s%s", j ? "," : " / ", mr_net_str(net, r->passages[j]));
		mr_buf_puts(b, "\n");
		/* the splits, borders and countries of the route, dimmed */
		mr_buf_printf(b, "%s   days %.1f running, %.1f waiting, %.1f border, %.1f handling;", pc->dim,
		              r->running_h / 24, r->waiting_h / 24, r->border_h / 24, r->handling_h / 24);
		mr_buf_printf(b, " USD %s transport, %s tolls, %s border, %s handling;", grouped(g[0], sizeof(g[0]), r->transport_usd, 0),
		              grouped(g[1], sizeof(g[1]), r->tolls_usd, 0), grouped(g[2], sizeof(g[2]), r->border_usd, 0),
		              grouped(g[3], sizeof(g[3]), r->handling_usd, 0));
		mr_buf_printf(b, " kg CO2e %s TTW, %s WTT, %s hub\n", grouped(g[0], sizeof(g[0]), r->co2e_ttw_kg, 0),
		              grouped(g[1], sizeof(g[1]), r->co2e_wtt_kg, 0), grouped(g[2], sizeof(g[2]), r->co2e_hub_kg, 0));
		mr_buf_puts(b, "   ");
		for (j = 0; j < r->ncountries; j++)
			mr_buf_printf(b, "%s%s", j ? " " : "", r->countries[j]);
		mr_buf_printf(b, "; %zu border%s", r->nborders, r->nborders == 1 ? "" : "s");
		for (j = 0; j < r->nborders; j++)
			mr_buf_printf(b, "%s%s", j ? " / " : " (", border_label(net, r->borders[j]));
		mr_buf_printf(b, "%s; %u transfer%s, %u gauge break%s%s\n", r->nborders ? ")" : "", r->transfers,
		              r->transfers == 1 ? "" : "s", r->gauge_breaks, r->gauge_breaks == 1 ? "" : "s", pc->off);
	}
}

static void signed_grouped(char *buf, size_t size, double x, int decimals)
{
	buf[0] = x > 0 ? '+' : x < 0 ? '-' : ' ';
	grouped(buf + 1, size - 1, fabs(x), decimals);
}

static void table_differences(mr_buf *b, const mr_compare_report *rep, const palette *pc)
{
	size_t i;
	mr_buf_printf(b, "%s %-16s %19s %16s %17s %17s%s\n", pc->head, "corridor", "km", "days", "USD", "kg CO2e", pc->off);
	for (i = 0; i < rep->nrows; i++) {
		const mr_compare_row *x = &rep->rows[i], *y = &rep->vs_rows[i];
		double bv[4], sv[4];
		int k;
		if (!x->feasible || !y->feasible) {
			mr_buf_printf(b, " %-16s %s%s%s\n", x->id, pc->bad,
			              x->feasible ? "becomes infeasible" : y->feasible ? "becomes feasible" : "infeasible in both",
			              pc->off);
			continue;
		}
		bv[0] = x->route->distance_km, bv[1] = x->route->duration_h / 24, bv[2] = x->route->cost_usd, bv[3] = x->route->co2e_kg;
		sv[0] = y->route->distance_km, sv[1] = y->route->duration_h / 24, sv[2] = y->route->cost_usd, sv[3] = y->route->co2e_kg;
		mr_buf_printf(b, " %-16s", x->id);
		for (k = 0; k < 4; k++) {
			static const int w[4] = {9, 6, 7, 7};
			char d[48], pct[32];
			signed_grouped(d, sizeof(d), sv[k] - bv[k], k == 1 ? 1 : 0);
			if (bv[k] != 0)
				snprintf(pct, sizeof(pct), "%+.0f%%", 100.0 * (sv[k] - bv[k]) / bv[k]);
			else
				snprintf(pct, sizeof(pct), "-");
			mr_buf_printf(b, " %*s (%6s)", w[k], d, pct);
		}
		mr_buf_puts(b, "\n");
	}
}

static int compare_table(const mr_compare_report *rep, char **out, size_t *len)
{
	mr_buf b = {0};
	palette pc = palette_for(rep->colour);
	size_t i;
	table_place(&b, rep->net, rep->from);
	mr_buf_puts(&b, " -> ");
	table_place(&b, rep->net, rep->to);
	mr_buf_printf(&b, "\nobjective: %s", mr_objective_name(rep->opts->objective));
	if (rep->opts->objective == MR_BY_GENERALIZED)
		mr_buf_printf(&b, " (cost + USD %g per hour)", rep->opts->vot_usd_per_h);
	mr_buf_printf(&b, ", %g TEU; (x.xx) = ratio to the best corridor\n", rep->opts->teu);
	for (i = 0; i < rep->nscenarios; i++)
		mr_buf_printf(&b, "scenario %s%s: %s\n", rep->scenarios[i].id, rep->scenarios[i].vs ? " (--vs)" : "",
		              rep->scenarios[i].description ? rep->scenarios[i].description : "");
	if (rep->vs_rows)
		mr_buf_printf(&b, "\n%s== %s ==%s\n", pc.head, rep->label ? rep->label : "base", pc.off);
	else
		mr_buf_puts(&b, "\n");
	table_rows(&b, rep->net, rep->rows, rep->nrows, &pc);
	if (rep->nclaims) {
		mr_buf_printf(&b, "\n%spublished claims (checked against the model above)%s\n", pc.head, pc.off);
		for (i = 0; i < rep->nclaims; i++) {
			const mr_claim_check *k = &rep->claims[i];
			const char *col = k->verdict == MR_CLAIM_CONFIRMED ? pc.best : pc.bad;
			mr_buf_printf(&b, " %s%s%s: %s\n   %s%s (source: %s)%s\n", col, mr_claim_verdict_name(k->verdict), pc.off,
			              k->claim->text, pc.dim, k->why, k->claim->source, pc.off);
		}
	}
	if (rep->vs_rows) {
		if (rep->vs_opts && rep->vs_opts->vot_usd_per_h != rep->opts->vot_usd_per_h)
			mr_buf_printf(&b, "\n(value of time under the scenario: USD %g per hour)", rep->vs_opts->vot_usd_per_h);
		mr_buf_printf(&b, "\n%s== %s ==%s\n", pc.head, rep->vs_label ? rep->vs_label : "scenario", pc.off);
		table_rows(&b, rep->vs_net, rep->vs_rows, rep->nrows, &pc);
		mr_buf_printf(&b, "\n%s== difference: %s minus %s ==%s\n", pc.head, rep->vs_label ? rep->vs_label : "scenario",
		              rep->label ? rep->label : "base", pc.off);
		table_differences(&b, rep, &pc);
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

int mr_report_compare(const mr_compare_report *rep, int format, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	switch (format) {
	case MR_FMT_TABLE:
		return compare_table(rep, out, len);
	case MR_FMT_JSON:
		return compare_json(rep, 0, out, len);
	case MR_FMT_GEOJSON:
		return compare_json(rep, 1, out, len);
	case MR_FMT_CSV:
		return compare_csv(rep, out, len);
	case MR_FMT_HTML: {
		mr_error e;
		return mr_report_compare_html(rep, out, len, &e);
	}
	default:
		return MR_EINVAL;
	}
}

/* ---- the Pareto front ---- */

static void route_summary(const mr_net *net, const mr_route *r, char *buf, size_t size)
{
	char modes[128];
	size_t j, n;
	modes_text(r, modes, sizeof(modes));
	n = (size_t)snprintf(buf, size, "%s", modes);
	for (j = 0; j < r->npassages && n < size; j++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", j ? "," : " / ", mr_net_str(net, r->passages[j]));
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, " /");
	for (j = 0; j < r->ncountries && n < size; j++)
		n += (size_t)snprintf(buf + n, size - n, " %s", r->countries[j]);
}

/* "+2.1 days, -USD 310, +45 kg" from point a to point b */
static void tradeoff_text(const mr_pareto_point *a, const mr_pareto_point *b, char *buf, size_t size)
{
	double dc = b->value[MR_CRIT_COST] - a->value[MR_CRIT_COST], dt = (b->value[MR_CRIT_TIME] - a->value[MR_CRIT_TIME]) / 24.0;
	double de = b->value[MR_CRIT_CO2E] - a->value[MR_CRIT_CO2E];
	snprintf(buf, size, "%+.1f days, %sUSD %.0f, %+.0f kg", dt, dc < 0 ? "-" : "+", fabs(dc), de);
}

static int pareto_table(const mr_pareto_report *rep, char **out, size_t *len)
{
	const struct mr_pareto *f = rep->front;
	mr_buf b = {0};
	char g1[48], g2[48], sum[512], tr[96];
	size_t i;
	int k;
	table_place(&b, rep->net, rep->from);
	mr_buf_puts(&b, " -> ");
	table_place(&b, rep->net, rep->to);
	mr_buf_printf(&b, "\nPareto front over");
	for (k = 0; k < MR_CRIT_COUNT; k++)
		if (rep->criteria >> k & 1u)
			mr_buf_printf(&b, " %s", mr_criterion_name(k));
	mr_buf_printf(&b, " (per TEU%s): %zu route%s, %zu labels", rep->eps > 0 ? ", epsilon-dominance" : "", f->n,
	              f->n == 1 ? "" : "s", f->labels);
	if (rep->eps > 0)
		mr_buf_printf(&b, ", eps %g", rep->eps);
	if (rep->ms >= 0)
		mr_buf_printf(&b, ", %.1f ms", rep->ms);
	mr_buf_puts(&b, "\n");
	if (f->truncated)
		mr_buf_puts(&b, "the label limit was reached: the front may be incomplete (raise --max-labels or use "
		                "--pareto-eps)\n");
	mr_buf_printf(&b, "\n %3s %9s %7s %9s%s  %-32s %s\n", "#", "USD", "days", "kg CO2e",
	              rep->criteria >> MR_CRIT_RISK & 1u ? "  risk" : "", "trade-off to the point above", "modes / passages / countries");
	for (i = 0; i < f->n; i++) {
		const mr_pareto_point *p = &f->v[i];
		route_summary(rep->net, &p->route, sum, sizeof(sum));
		if (i)
			tradeoff_text(&f->v[i - 1], p, tr, sizeof(tr));
		else
			snprintf(tr, sizeof(tr), "(cheapest)");
		mr_buf_printf(&b, " %3zu %9s %7.1f %9s", i + 1, grouped(g1, sizeof(g1), p->value[MR_CRIT_COST], 0),
		              p->value[MR_CRIT_TIME] / 24.0, grouped(g2, sizeof(g2), p->value[MR_CRIT_CO2E], 0));
		if (rep->criteria >> MR_CRIT_RISK & 1u)
			mr_buf_printf(&b, " %5.0f", p->value[MR_CRIT_RISK]);
		mr_buf_printf(&b, "  %-32s %s", tr, sum);
		if (rep->tags && rep->tags[i] && rep->tags[i][0])
			mr_buf_printf(&b, " [%s]", rep->tags[i]);
		mr_buf_puts(&b, "\n");
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

static json_t *pareto_point_json(const mr_pareto_report *rep, size_t i, int with_route)
{
	const struct mr_pareto *f = rep->front;
	const mr_pareto_point *p = &f->v[i];
	json_t *o = json_object();
	json_object_set_new(o, "cost_usd", json_real(r2(p->value[MR_CRIT_COST])));
	json_object_set_new(o, "duration_h", json_real(r2(p->value[MR_CRIT_TIME])));
	json_object_set_new(o, "co2e_kg", json_real(r2(p->value[MR_CRIT_CO2E])));
	json_object_set_new(o, "risk", json_real(p->value[MR_CRIT_RISK]));
	if (i) {
		json_t *t = json_object();
		char tr[96];
		const mr_pareto_point *q = &f->v[i - 1];
		json_object_set_new(t, "cost_usd", json_real(r2(p->value[MR_CRIT_COST] - q->value[MR_CRIT_COST])));
		json_object_set_new(t, "duration_h", json_real(r2(p->value[MR_CRIT_TIME] - q->value[MR_CRIT_TIME])));
		json_object_set_new(t, "co2e_kg", json_real(r2(p->value[MR_CRIT_CO2E] - q->value[MR_CRIT_CO2E])));
		tradeoff_text(q, p, tr, sizeof(tr));
		json_object_set_new(t, "text", json_string(tr));
		json_object_set_new(o, "vs_previous", t);
	}
	if (rep->tags && rep->tags[i])
		json_object_set_new(o, "corridors", json_string(rep->tags[i]));
	if (with_route)
		json_object_set_new(o, "route", route_json(rep->net, &p->route));
	return o;
}

static int pareto_json(const mr_pareto_report *rep, int geo, char **out, size_t *len)
{
	const struct mr_pareto *f = rep->front;
	json_t *root = json_object(), *arr = json_array(), *cr = json_array();
	size_t i;
	int k;
	if (geo) {
		for (i = 0; i < f->n; i++) {
			json_t *feat = json_object(), *props = pareto_point_json(rep, i, 0);
			json_object_set_new(props, "point", json_integer((json_int_t)i + 1));
			json_object_set_new(feat, "type", json_string("Feature"));
			json_object_set_new(feat, "properties", props);
			json_object_set_new(feat, "geometry",
			                    linestring(coords_json(rep->net, f->v[i].route.nodes, f->v[i].route.nnodes)));
			json_array_append_new(arr, feat);
		}
		json_object_set_new(root, "type", json_string("FeatureCollection"));
		json_object_set_new(root, "features", arr);
		json_decref(cr);
		return dump(root, out, len);
	}
	json_object_set_new(root, "from", place_json(rep->net, rep->from));
	json_object_set_new(root, "to", place_json(rep->net, rep->to));
	{
		mr_route_report rr = {rep->net, rep->from, rep->to, rep->opts, NULL, 0, NULL};
		json_object_set_new(root, "options", opts_json(&rr));
	}
	for (k = 0; k < MR_CRIT_COUNT; k++)
		if (rep->criteria >> k & 1u)
			json_array_append_new(cr, json_string(mr_criterion_name(k)));
	json_object_set_new(root, "criteria", cr);
	json_object_set_new(root, "eps", json_real(rep->eps));
	json_object_set_new(root, "labels", json_integer((json_int_t)f->labels));
	json_object_set_new(root, "truncated", json_boolean(f->truncated));
	for (i = 0; i < f->n; i++)
		json_array_append_new(arr, pareto_point_json(rep, i, 1));
	json_object_set_new(root, "front", arr);
	return dump(root, out, len);
}

static int pareto_csv(const mr_pareto_report *rep, char **out, size_t *len)
{
	const struct mr_pareto *f = rep->front;
	mr_buf b = {0};
	char sum[512];
	size_t i;
	mr_buf_puts(&b, "point,cost_usd,duration_h,co2e_kg,risk,distance_km,transfers,summary,corridors\n");
	for (i = 0; i < f->n; i++) {
		const mr_pareto_point *p = &f->v[i];
		route_summary(rep->net, &p->route, sum, sizeof(sum));
		mr_buf_printf(&b, "%zu,%.2f,%.2f,%.2f,%.0f,%.2f,%u,", i + 1, p->value[MR_CRIT_COST], p->value[MR_CRIT_TIME],
		              p->value[MR_CRIT_CO2E], p->value[MR_CRIT_RISK], p->route.distance_km, p->route.transfers);
		mr_buf_csv(&b, sum);
		mr_buf_puts(&b, ",");
		mr_buf_csv(&b, rep->tags && rep->tags[i] ? rep->tags[i] : "");
		mr_buf_puts(&b, "\n");
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

int mr_report_pareto(const mr_pareto_report *rep, int format, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	switch (format) {
	case MR_FMT_TABLE:
		return pareto_table(rep, out, len);
	case MR_FMT_JSON:
		return pareto_json(rep, 0, out, len);
	case MR_FMT_GEOJSON:
		return pareto_json(rep, 1, out, len);
	case MR_FMT_CSV:
		return pareto_csv(rep, out, len);
	default:
		return MR_EINVAL;
	}
}

/* ---- the value-of-time sweep ---- */

/* Two routes are the same way when they use the same arcs. */
static int same_way(const mr_route *a, const mr_route *b)
{
	return a->narcs == b->narcs && memcmp(a->arcs, b->arcs, a->narcs * sizeof(uint32_t)) == 0;
}

int mr_report_sweep(const mr_sweep_report *rep, int format, char **out, size_t *len)
{
	mr_buf b = {0};
	char sum[512], g1[48], g2[48];
	size_t i;
	*out = NULL;
	*len = 0;
	if (format == MR_FMT_JSON) {
		json_t *root = json_object(), *arr = json_array(), *sw = json_array();
		json_object_set_new(root, "from", place_json(rep->net, rep->from));
		json_object_set_new(root, "to", place_json(rep->net, rep->to));
		for (i = 0; i < rep->n; i++) {
			json_t *o = json_object();
			const mr_route *r = &rep->routes[i];
			route_summary(rep->net, r, sum, sizeof(sum));
			json_object_set_new(o, "vot_usd_per_h", json_real(rep->vot[i]));
			json_object_set_new(o, "cost_usd", json_real(r2(r->cost_usd)));
			json_object_set_new(o, "duration_h", json_real(r2(r->duration_h)));
			json_object_set_new(o, "co2e_kg", json_real(r2(r->co2e_kg)));
			json_object_set_new(o, "distance_km", json_real(r2(r->distance_km)));
			json_object_set_new(o, "summary", json_string(sum));
			json_object_set_new(o, "switch", json_boolean(i > 0 && !same_way(&rep->routes[i - 1], r)));
			json_array_append_new(arr, o);
			if (i > 0 && !same_way(&rep->routes[i - 1], r)) {
				json_t *s = json_object();
				char before[512];
				route_summary(rep->net, &rep->routes[i - 1], before, sizeof(before));
				json_object_set_new(s, "between_vot", json_real(rep->vot[i - 1]));
				json_object_set_new(s, "and_vot", json_real(rep->vot[i]));
				json_object_set_new(s, "from", json_string(before));
				json_object_set_new(s, "to", json_string(sum));
				json_array_append_new(sw, s);
			}
		}
		json_object_set_new(root, "sweep", arr);
		json_object_set_new(root, "switches", sw);
		return dump(root, out, len);
	}
	if (format == MR_FMT_CSV) {
		mr_buf_puts(&b, "vot_usd_per_h,cost_usd,duration_h,co2e_kg,distance_km,switch,summary\n");
		for (i = 0; i < rep->n; i++) {
			const mr_route *r = &rep->routes[i];
			route_summary(rep->net, r, sum, sizeof(sum));
			mr_buf_printf(&b, "%g,%.2f,%.2f,%.2f,%.2f,%s,", rep->vot[i], r->cost_usd, r->duration_h, r->co2e_kg,
			              r->distance_km, i > 0 && !same_way(&rep->routes[i - 1], r) ? "true" : "false");
			mr_buf_csv(&b, sum);
			mr_buf_puts(&b, "\n");
		}
	} else if (format == MR_FMT_TABLE) {
		table_place(&b, rep->net, rep->from);
		mr_buf_puts(&b, " -> ");
		table_place(&b, rep->net, rep->to);
		mr_buf_printf(&b, "\nthe best route (cost + value of time x hours, %g TEU) as the value of time changes\n\n",
		              rep->opts->teu);
		mr_buf_printf(&b, " %9s %9s %7s %9s  %s\n", "USD/h", "USD", "days", "kg CO2e", "route");
		for (i = 0; i < rep->n; i++) {
			const mr_route *r = &rep->routes[i];
			int sw = i > 0 && !same_way(&rep->routes[i - 1], r);
			route_summary(rep->net, r, sum, sizeof(sum));
			mr_buf_printf(&b, "%s%9g %9s %7.1f %9s  %s\n", sw ? ">" : " ", rep->vot[i],
			              grouped(g1, sizeof(g1), r->cost_usd, 0), r->duration_h / 24.0,
			              grouped(g2, sizeof(g2), r->co2e_kg, 0), i > 0 && !sw ? "(same)" : sum);
		}
		mr_buf_puts(&b, "\n'>' marks a value of time where the best route changes\n");
	} else {
		return MR_EINVAL;
	}
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}

/* For the server (analysis/mr_report_int.h): one route as the JSON object of the output contract. */
json_t *mr__route_json(const mr_net *net, const mr_route *r)
{
	return route_json(net, r);
}
