/* mr_critical_report.c: criticality sweeps for people and programs (mr_crit_report_render): the
 * ranked table, JSON, CSV, GeoJSON of the elements with their scores, and one self-contained HTML
 * page with a map coloured by criticality beside the table.
 *
 * Rows: the elements of the ranking (mr_crit_rank by rep->measure) whose removal touches at least
 * one pair's route (used_pairs > 0), best first, at most rep->top of them. The HTML page keeps the
 * promises of the comparison report (mr_html.c): no request leaves it (no script, font or image
 * from elsewhere), it is well-formed XML, and the same report gives the same bytes. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/mr_svgmap.h"
#include "core/mr_buf.h"
#include "meridian/mr_critical.h"
#include "meridian/mr_report.h"

/* ---- the rows ---- */

typedef struct rows {
	uint32_t *order;        /* shown elements, best first */
	size_t n;
	uint32_t *rank[MR_CRIT_BY_COUNT]; /* each element's rank by each measure */
} rows;

static void rows_free(rows *r)
{
	int m;
	mr_free(r->order);
	for (m = 0; m < MR_CRIT_BY_COUNT; m++)
		mr_free(r->rank[m]);
	memset(r, 0, sizeof(*r));
}

static int rows_make(const mr_crit_report *rep, rows *r)
{
	const mr_crit_result *res = rep->res;
	size_t n = res->nelem + 1, i, k = 0, all;
	int m;
	memset(r, 0, sizeof(*r));
	if (!(r->order = mr_malloc(n * sizeof(uint32_t))))
		return MR_ENOMEM;
	for (m = 0; m < MR_CRIT_BY_COUNT; m++) {
		if (!(r->rank[m] = mr_malloc(n * sizeof(uint32_t)))) {
			rows_free(r);
			return MR_ENOMEM;
		}
		if (m != rep->measure)
			mr_crit_rank(res, m, r->order, r->rank[m]);
	}
	all = mr_crit_rank(res, rep->measure, r->order, r->rank[rep->measure]);
	for (i = 0; i < all; i++)
		if (res->score[r->order[i]].used_pairs > 0 && (!rep->top || k < rep->top))
			r->order[k++] = r->order[i];
	r->n = k;
	return MR_OK;
}

static const char *unit(const mr_route_opts *o)
{
	switch (o->objective) {
	case MR_BY_DISTANCE: return "km";
	case MR_BY_TIME: return "h";
	case MR_BY_CO2E: return "kg CO2e";
	case MR_BY_COST: return "USD";
	default: return "USD (generalized)";
	}
}

static double share(double x, double of)
{
	return of > 0 ? x / of : 0.0;
}

/* Corridor ids of a score, ", "-separated, into buf. */
static void corridor_list(const mr_crit_report *rep, uint64_t bits, char *buf, size_t size)
{
	size_t c, len = 0;
	buf[0] = '\0';
	if (!rep->corridors)
		return;
	for (c = 0; c < rep->corridors->n && c < 64; c++)
		if (bits >> c & 1u) {
			int w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", rep->corridors->v[c].id);
			if (w < 0 || (size_t)w >= size - len)
				break;
			len += (size_t)w;
		}
}

/* ---- JSON and GeoJSON ---- */

static json_t *corridors_json(const mr_crit_report *rep, uint64_t bits)
{
	json_t *a = json_array();
	size_t c;
	for (c = 0; rep->corridors && c < rep->corridors->n && c < 64; c++)
		if (bits >> c & 1u)
			json_array_append_new(a, json_string(rep->corridors->v[c].id));
	return a;
}

static json_t *element_props(const mr_crit_report *rep, const rows *r, size_t row, uint32_t i)
{
	const mr_crit_result *res = rep->res;
	const mr_crit_score *s = &res->score[i];
	const mr_crit_element *e = &rep->el->v[i];
	char id[256], name[256];
	json_t *o = json_object();
	mr_crit_element_id(rep->net, e, id, sizeof(id));
	mr_crit_element_label(rep->net, e, name, sizeof(name));
	json_object_set_new(o, "rank", json_integer((json_int_t)row + 1));
	json_object_set_new(o, "rank_lost", json_integer(r->rank[MR_CRIT_BY_LOST][i]));
	json_object_set_new(o, "rank_cost", json_integer(r->rank[MR_CRIT_BY_COST][i]));
	json_object_set_new(o, "rank_used", json_integer(r->rank[MR_CRIT_BY_USED][i]));
	json_object_set_new(o, "element", json_string(mr_crit_kind_name(e->kind)));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "lost_pairs", json_integer(s->lost_pairs));
	json_object_set_new(o, "lost_share", json_real(share(s->lost_weight, res->connected_weight)));
	if (rep->demand)
		json_object_set_new(o, "lost_teu", json_real(s->lost_weight));
	json_object_set_new(o, "cost_increase", json_real(s->cost_increase));
	json_object_set_new(o, "cost_increase_share", json_real(share(s->cost_increase, res->base_cost)));
	json_object_set_new(o, "changed_pairs", json_integer(s->changed_pairs));
	json_object_set_new(o, "used_pairs", json_integer(s->used_pairs));
	if (rep->demand)
		json_object_set_new(o, "used_teu", json_real(s->used_weight));
	json_object_set_new(o, "corridors", corridors_json(rep, s->corridors));
	return o;
}

static json_t *point(double lon, double lat)
{
	return json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", lon, lat);
}

static json_t *link_line(const mr_net *net, uint32_t l)
{
	const mr_node_rec *a = &net->nodes[net->links[l].from], *b = &net->nodes[net->links[l].to];
	return json_pack("[[f,f],[f,f]]", a->lon, a->lat, b->lon, b->lat);
}

static json_t *geometry(const mr_net *net, const mr_crit_element *e)
{
	uint32_t l;
	switch (e->kind) {
	case MR_CRIT_LINK:
		return json_pack("{s:s, s:o}", "type", "LineString", "coordinates", link_line(net, e->ref));
	case MR_CRIT_PASSAGE: {
		json_t *lines = json_array();
		const char *p = mr_net_str(net, e->ref);
		for (l = 0; l < net->meta.nlinks; l++)
			if (net->links[l].passage && strcmp(mr_net_str(net, net->links[l].passage), p) == 0)
				json_array_append_new(lines, link_line(net, l));
		return json_pack("{s:s, s:o}", "type", "MultiLineString", "coordinates", lines);
	}
	case MR_CRIT_BORDER: {
		const mr_node_rec *n = &net->nodes[net->borders[e->ref].node];
		return point(n->lon, n->lat);
	}
	default:
		return point(net->nodes[e->ref].lon, net->nodes[e->ref].lat);
	}
}

static json_t *pair_json(const mr_crit_report *rep, const mr_crit_pair *p)
{
	char a[256], b[256];
	json_t *o = json_object();
	mr_crit_element_id(rep->net, &rep->el->v[p->a], a, sizeof(a));
	mr_crit_element_id(rep->net, &rep->el->v[p->b], b, sizeof(b));
	json_object_set_new(o, "a", json_pack("{s:s, s:s}", "element", mr_crit_kind_name(rep->el->v[p->a].kind), "id", a));
	json_object_set_new(o, "b", json_pack("{s:s, s:s}", "element", mr_crit_kind_name(rep->el->v[p->b].kind), "id", b));
	json_object_set_new(o, "lost_pairs", json_integer(p->joint.lost_pairs));
	json_object_set_new(o, "lost_weight", json_real(p->joint.lost_weight));
	json_object_set_new(o, "cost_increase", json_real(p->joint.cost_increase));
	json_object_set_new(o, "excess_lost_weight", json_real(p->excess_lost));
	json_object_set_new(o, "excess_cost", json_real(p->excess_cost));
	json_object_set_new(o, "synergy", json_boolean(p->synergy));
	return o;
}

static json_t *assign_json(const mr_crit_report *rep, const mr_crit_assign_row *a)
{
	char id[256];
	mr_crit_element_id(rep->net, &rep->el->v[a->element], id, sizeof(id));
	return json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:i}", "element", mr_crit_kind_name(rep->el->v[a->element].kind),
	                 "id", id, "system_cost", a->system_cost, "cost_increase", a->cost_increase, "lost_teu",
	                 a->lost_weight, "relative_gap", a->gap, "iterations", (json_int_t)a->iterations);
}

static int dump(json_t *root, int flags, char **out, size_t *len)
{
	char *text = json_dumps(root, flags);
	json_decref(root);
	if (!text)
		return MR_ENOMEM;
	*out = mr_strdup(text);
	free(text);
	if (!*out)
		return MR_ENOMEM;
	*len = strlen(*out);
	return MR_OK;
}

static int render_json(const mr_crit_report *rep, const rows *r, char **out, size_t *len)
{
	const mr_crit_result *res = rep->res;
	json_t *root = json_object(), *els = json_array();
	size_t i;
	json_object_set_new(root, "network", json_string(rep->net->path ? rep->net->path : ""));
	json_object_set_new(root, "scenario", json_string(rep->scenario_label ? rep->scenario_label : "base"));
	json_object_set_new(root, "objective", json_string(mr_objective_name(rep->opts->objective)));
	json_object_set_new(root, "unit", json_string(unit(rep->opts)));
	json_object_set_new(root, "od", json_string(rep->od_label ? rep->od_label : ""));
	json_object_set_new(root, "weights", json_string(rep->demand ? "demand (TEU per year)" : "1 per pair"));
	json_object_set_new(root, "pairs", json_integer((json_int_t)res->npairs));
	json_object_set_new(root, "connected_pairs", json_integer((json_int_t)res->connected_pairs));
	json_object_set_new(root, "total_weight", json_real(res->total_weight));
	json_object_set_new(root, "connected_weight", json_real(res->connected_weight));
	json_object_set_new(root, "base_cost", json_real(res->base_cost));
	json_object_set_new(root, "elements_evaluated", json_integer((json_int_t)(res->hi - res->lo)));
	json_object_set_new(root, "ranked_by", json_string(mr_crit_measure_name(rep->measure)));
	json_object_set_new(root, "work", json_pack("{s:I, s:I, s:I, s:f, s:i}", "searches", (json_int_t)res->searches,
	                                            "settled", (json_int_t)res->settled, "removals",
	                                            (json_int_t)res->removals, "seconds", res->seconds, "threads",
	                                            (json_int_t)res->threads));
	for (i = 0; i < r->n; i++)
		json_array_append_new(els, element_props(rep, r, i, r->order[i]));
	json_object_set_new(root, "elements", els);
	if (rep->pairs) {
		json_t *a = json_array();
		for (i = 0; i < rep->npairs; i++)
			json_array_append_new(a, pair_json(rep, &rep->pairs[i]));
		json_object_set_new(root, "element_pairs", a);
	}
	if (rep->assign) {
		json_t *a = json_array();
		for (i = 0; i < rep->nassign; i++)
			json_array_append_new(a, assign_json(rep, &rep->assign[i]));
		json_object_set_new(root, "assign", json_pack("{s:f, s:o}", "base_system_cost", rep->assign_base_cost, "elements", a));
	}
	return dump(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), out, len);
}

static int render_geojson(const mr_crit_report *rep, const rows *r, char **out, size_t *len)
{
	json_t *fc = json_object(), *feats = json_array();
	size_t i;
	json_object_set_new(fc, "type", json_string("FeatureCollection"));
	for (i = 0; i < r->n; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "type", json_string("Feature"));
		json_object_set_new(f, "properties", element_props(rep, r, i, r->order[i]));
		json_object_set_new(f, "geometry", geometry(rep->net, &rep->el->v[r->order[i]]));
		json_array_append_new(feats, f);
	}
	json_object_set_new(fc, "features", feats);
	if (dump(fc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10), out, len))
		return MR_ENOMEM;
	return MR_OK;
}

/* ---- CSV and table ---- */

static void csv_rows(const mr_crit_report *rep, const rows *r, mr_buf *b)
{
	const mr_crit_result *res = rep->res;
	size_t i;
	mr_buf_puts(b, "rank,rank_lost,rank_cost,rank_used,element,id,name,lost_pairs,lost_share,lost_weight,"
	               "cost_increase,cost_increase_share,changed_pairs,used_pairs,used_weight,corridors\n");
	for (i = 0; i < r->n; i++) {
		uint32_t e = r->order[i];
		const mr_crit_score *s = &res->score[e];
		char id[256], name[256], corr[1024];
		mr_crit_element_id(rep->net, &rep->el->v[e], id, sizeof(id));
		mr_crit_element_label(rep->net, &rep->el->v[e], name, sizeof(name));
		corridor_list(rep, s->corridors, corr, sizeof(corr));
		for (char *p = corr; (p = strstr(p, ", ")); p++)
			memmove(p + 1, p + 2, strlen(p + 2) + 1), *p = ';';
		mr_buf_printf(b, "%zu,%u,%u,%u,%s,", i + 1, r->rank[MR_CRIT_BY_LOST][e], r->rank[MR_CRIT_BY_COST][e],
		              r->rank[MR_CRIT_BY_USED][e], mr_crit_kind_name(rep->el->v[e].kind));
		mr_buf_csv(b, id);
		mr_buf_puts(b, ",");
		mr_buf_csv(b, name);
		mr_buf_printf(b, ",%u,%.6f,%.10g,%.10g,%.6f,%u,%u,%.10g,", s->lost_pairs, share(s->lost_weight, res->connected_weight),
		              s->lost_weight, s->cost_increase, share(s->cost_increase, res->base_cost), s->changed_pairs,
		              s->used_pairs, s->used_weight);
		mr_buf_csv(b, corr);
		mr_buf_puts(b, "\n");
	}
}

/* x with thousands separators, no decimals (or 1 for small values). */
static void put_big(mr_buf *b, double x)
{
	char raw[64], out[96];
	size_t n, i, o = 0, intlen;
	snprintf(raw, sizeof(raw), fabs(x) < 100 && x != floor(x) ? "%.1f" : "%.0f", fabs(x));
	n = strlen(raw);
	intlen = strcspn(raw, ".");
	if (x < 0 && strspn(raw, "0.") != n)
		out[o++] = '-';
	for (i = 0; i < n && o + 2 < sizeof(out); i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	mr_buf_puts(b, out);
}

static void put_padded_big(mr_buf *b, double x, int width)
{
	mr_buf t = {0};
	put_big(&t, x);
	mr_buf_printf(b, "%*s", width, t.data ? t.data : "");
	mr_buf_free(&t);
}

static void table_rows(const mr_crit_report *rep, const rows *r, mr_buf *b)
{
	const mr_crit_result *res = rep->res;
	const char *w = rep->demand ? "TEU/yr" : "pairs";
	size_t i;
	mr_buf_printf(b, "criticality   %zu elements over %zu OD pairs (%s), by %s, scenario %s\n", res->hi - res->lo,
	              res->npairs, rep->od_label ? rep->od_label : "", mr_objective_name(rep->opts->objective),
	              rep->scenario_label ? rep->scenario_label : "base");
	mr_buf_printf(b, "base          %zu of %zu pairs have a route", res->connected_pairs, res->npairs);
	if (rep->demand) {
		mr_buf_puts(b, " (");
		put_big(b, res->connected_weight);
		mr_buf_puts(b, " of ");
		put_big(b, res->total_weight);
		mr_buf_puts(b, " TEU/yr)");
	}
	mr_buf_puts(b, "; total cost ");
	put_big(b, res->base_cost);
	mr_buf_printf(b, " %s%s\n", unit(rep->opts), rep->demand ? " x TEU/yr" : "");
	mr_buf_printf(b, "work          %llu searches (%llu removals searched again), %.3f s on %u thread%s\n",
	              (unsigned long long)res->searches, (unsigned long long)res->removals, res->seconds, res->threads,
	              res->threads == 1 ? "" : "s");
	mr_buf_printf(b, "ranked by     %s\n\n",
	              rep->measure == MR_CRIT_BY_COST   ? "cost increase, then lost"
	              : rep->measure == MR_CRIT_BY_USED ? "use (pairs whose route passes), then lost"
	                                                : "lost (pairs left without a route), then cost increase");
	if (!r->n) {
		mr_buf_puts(b, " (no element lies on a pair's route)\n");
		return;
	}
	mr_buf_printf(b, " %4s %-9s %-24s %-34s %10s %7s %14s %7s %8s  %s\n", "rank", "element", "id", "name",
	              rep->demand ? "lost TEU" : "lost", "lost %", "cost increase", "cost %", "used", "corridors");
	for (i = 0; i < r->n; i++) {
		uint32_t e = r->order[i];
		const mr_crit_score *s = &res->score[e];
		char id[256], name[256], corr[1024];
		mr_crit_element_id(rep->net, &rep->el->v[e], id, sizeof(id));
		mr_crit_element_label(rep->net, &rep->el->v[e], name, sizeof(name));
		corridor_list(rep, s->corridors, corr, sizeof(corr));
		mr_buf_printf(b, " %4zu %-9s %-24.24s %-34.34s ", i + 1, mr_crit_kind_name(rep->el->v[e].kind), id, name);
		put_padded_big(b, rep->demand ? s->lost_weight : (double)s->lost_pairs, 10);
		mr_buf_printf(b, " %6.2f%% ", 100 * share(s->lost_weight, res->connected_weight));
		put_padded_big(b, s->cost_increase, 14);
		mr_buf_printf(b, " %6.2f%% ", 100 * share(s->cost_increase, res->base_cost));
		put_padded_big(b, rep->demand ? s->used_weight : (double)s->used_pairs, 8);
		mr_buf_printf(b, "  %s\n", corr[0] ? corr : "-");
	}
	mr_buf_printf(b, "\nlost: %s that lose every route (never given a cost); cost increase: over the %s that keep one,\n"
	                 "in %s%s; used: %s whose best route passes the element.\n",
	              w, w, unit(rep->opts), rep->demand ? " x TEU/yr" : "", w);
}

static void table_pairs(const mr_crit_report *rep, mr_buf *b)
{
	size_t i, shown = 0;
	mr_buf_puts(b, "\npairs removed together (synergy: the pair does much more than its two elements alone)\n");
	mr_buf_printf(b, " %-24s %-24s %10s %10s %14s %14s  %s\n", "a", "b", "lost", "excess", "cost increase", "excess",
	              "synergy");
	for (i = 0; i < rep->npairs; i++) {
		const mr_crit_pair *p = &rep->pairs[i];
		char a[256], c[256];
		if (!p->synergy && shown >= 10)
			break;
		mr_crit_element_id(rep->net, &rep->el->v[p->a], a, sizeof(a));
		mr_crit_element_id(rep->net, &rep->el->v[p->b], c, sizeof(c));
		mr_buf_printf(b, " %-24.24s %-24.24s ", a, c);
		put_padded_big(b, rep->demand ? p->joint.lost_weight : (double)p->joint.lost_pairs, 10);
		mr_buf_puts(b, " ");
		put_padded_big(b, p->excess_lost, 10);
		mr_buf_puts(b, " ");
		put_padded_big(b, p->joint.cost_increase, 14);
		mr_buf_puts(b, " ");
		put_padded_big(b, p->excess_cost, 14);
		mr_buf_printf(b, "  %s\n", p->synergy ? "yes" : "no");
		shown++;
	}
	if (rep->npairs > shown)
		mr_buf_printf(b, " (%zu more pairs without synergy)\n", rep->npairs - shown);
}

static void table_assign(const mr_crit_report *rep, mr_buf *b)
{
	size_t i;
	mr_buf_puts(b, "\nwith capacities (equilibrium system cost; base ");
	put_big(b, rep->assign_base_cost);
	mr_buf_printf(b, " %s x TEU/yr)\n %-9s %-24s %16s %14s %12s %10s\n", unit(rep->opts), "element", "id",
	              "system cost", "increase", "lost TEU", "gap");
	for (i = 0; i < rep->nassign; i++) {
		const mr_crit_assign_row *a = &rep->assign[i];
		char id[256];
		mr_crit_element_id(rep->net, &rep->el->v[a->element], id, sizeof(id));
		mr_buf_printf(b, " %-9s %-24.24s ", mr_crit_kind_name(rep->el->v[a->element].kind), id);
		put_padded_big(b, a->system_cost, 16);
		mr_buf_puts(b, " ");
		put_padded_big(b, a->cost_increase, 14);
		mr_buf_puts(b, " ");
		put_padded_big(b, a->lost_weight, 12);
		mr_buf_printf(b, " %10.2e\n", a->gap);
	}
}

int mr_crit_report_render(const mr_crit_report *rep, int format, char **out, size_t *len)
{
	rows r;
	mr_buf b = {0};
	int rc;
	*out = NULL;
	*len = 0;
	if (!rep || !rep->net || !rep->el || !rep->res || !rep->opts || rep->res->nelem != rep->el->n ||
	    rep->measure < 0 || rep->measure >= MR_CRIT_BY_COUNT)
		return MR_EINVAL;
	if (format == MR_FMT_HTML)
		return mr_crit_report_html(rep, out, len);
	if ((rc = rows_make(rep, &r)))
		return rc;
	switch (format) {
	case MR_FMT_JSON:
		rc = render_json(rep, &r, out, len);
		break;
	case MR_FMT_GEOJSON:
		rc = render_geojson(rep, &r, out, len);
		break;
	case MR_FMT_CSV:
		csv_rows(rep, &r, &b);
		break;
	case MR_FMT_TABLE:
		table_rows(rep, &r, &b);
		if (rep->pairs)
			table_pairs(rep, &b);
		if (rep->assign)
			table_assign(rep, &b);
		break;
	default:
		rc = MR_EINVAL;
	}
	rows_free(&r);
	if (format == MR_FMT_CSV || format == MR_FMT_TABLE) {
		if (b.failed || !b.data) {
			mr_buf_free(&b);
			return MR_ENOMEM;
		}
		*out = b.data;
		*len = b.len;
	}
	return rc;
}

/* ---- HTML ---- */

/* The points of what the map shows of element e: appended to pts as paths (mr__map_fit). */
static void element_paths(const mr_net *net, const mr_crit_element *e, double *pts, size_t *first, size_t *np,
                          size_t *npt)
{
	uint32_t l;
#define PT(lon_, lat_) (pts[2 * *npt] = (lon_), pts[2 * *npt + 1] = (lat_), (*npt)++)
	switch (e->kind) {
	case MR_CRIT_LINK:
	case MR_CRIT_PASSAGE:
		for (l = 0; l < net->meta.nlinks; l++) {
			const mr_link_rec *k = &net->links[l];
			if (e->kind == MR_CRIT_LINK ? l != e->ref
			                            : !k->passage || strcmp(mr_net_str(net, k->passage), mr_net_str(net, e->ref)) != 0)
				continue;
			first[(*np)++] = *npt;
			PT(net->nodes[k->from].lon, net->nodes[k->from].lat);
			PT(net->nodes[k->to].lon, net->nodes[k->to].lat);
		}
		break;
	default: {
		uint32_t n = e->kind == MR_CRIT_BORDER ? net->borders[e->ref].node : e->ref;
		first[(*np)++] = *npt;
		PT(net->nodes[n].lon, net->nodes[n].lat);
	}
	}
#undef PT
}

/* Colour of the row'th of n shown elements: red (first) through orange to yellow (last). */
static void heat(char *buf, size_t size, size_t row, size_t n)
{
	double t = n > 1 ? (double)row / (double)(n - 1) : 0.0;
	int g = (int)lround(40 + 180 * t);
	snprintf(buf, size, "#%02x%02x%02x", 215, g, 30);
}

/* "Mx0,y0Lx1,y1" for link l, unless it crosses the seam of the view. */
static void seg(mr_buf *b, const mr__map *p, const mr_net *net, uint32_t l)
{
	const mr_node_rec *a = &net->nodes[net->links[l].from], *c = &net->nodes[net->links[l].to];
	double x0 = mr__map_x(p, a->lon), x1 = mr__map_x(p, c->lon);
	if (fabs(x1 - x0) > p->w / 2)
		return;
	mr_buf_printf(b, "M%.1f,%.1fL%.1f,%.1f", x0, mr__map_y(p, a->lat), x1, mr__map_y(p, c->lat));
}

static void html_title(mr_buf *b, const mr_crit_report *rep, uint32_t e)
{
	const mr_crit_score *s = &rep->res->score[e];
	char name[256];
	mr_crit_element_label(rep->net, &rep->el->v[e], name, sizeof(name));
	mr_buf_puts(b, "<title>");
	mr__xml_esc(b, name);
	mr_buf_printf(b, ": %u pair%s lose every route, cost +", s->lost_pairs, s->lost_pairs == 1 ? "" : "s");
	mr__put_num(b, s->cost_increase, 0);
	mr_buf_printf(b, ", used by %u</title>", s->used_pairs);
}

static int html_map(mr_buf *b, const mr_crit_report *rep, const rows *r, char *note, size_t nsize)
{
	const mr_net *net = rep->net;
	mr__map p;
	uint32_t l;
	size_t i, np = 0, npt = 0, cap = 2;
	double *pts;
	size_t *first;
	char col[16];
	int rc;
	for (i = 0; i < r->n; i++) /* room: two points per link of a passage, at most every link */
		cap += rep->el->v[r->order[i]].kind == MR_CRIT_PASSAGE ? 2 * (size_t)net->meta.nlinks : 2;
	pts = mr_malloc(2 * cap * sizeof(double));
	first = mr_malloc((cap + 1) * sizeof(size_t));
	if (!pts || !first) {
		mr_free(pts);
		mr_free(first);
		return MR_ENOMEM;
	}
	for (i = 0; i < r->n; i++)
		element_paths(net, &rep->el->v[r->order[i]], pts, first, &np, &npt);
	first[np] = npt;
	mr__map_fit(&p, pts, first, np, 1000.0);
	mr_free(pts);
	mr_free(first);
	mr_buf_printf(b, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	                 "aria-label=\"Map of the elements coloured by criticality\">\n",
	              p.w, ceil(p.h));
	mr__map_graticule(b, &p);
	if ((rc = mr__map_countries(b, &p, rep->atlas_path, note, nsize)))
		return rc;
	/* the network, faint: sea lanes and land links apart */
	mr_buf_puts(b, "<path class=\"lane\" d=\"");
	for (l = 0; l < net->meta.nlinks; l++)
		if (net->links[l].mode == MR_MODE_SEA)
			seg(b, &p, net, l);
	mr_buf_puts(b, "\"/>\n<path class=\"net\" d=\"");
	for (l = 0; l < net->meta.nlinks; l++)
		if (net->links[l].mode != MR_MODE_SEA)
			seg(b, &p, net, l);
	mr_buf_puts(b, "\"/>\n");
	/* the elements, the least critical first so that the most critical are drawn on top */
	for (i = r->n; i-- > 0;) {
		uint32_t e = r->order[i];
		const mr_crit_element *x = &rep->el->v[e];
		double px, py;
		heat(col, sizeof(col), i, r->n);
		mr_buf_printf(b, "<a href=\"#e%zu\">", i + 1);
		if (x->kind == MR_CRIT_LINK || x->kind == MR_CRIT_PASSAGE) {
			double sx = 0, sy = 0;
			size_t k = 0;
			mr_buf_printf(b, "<path class=\"el\" stroke=\"%s\" d=\"", col);
			for (l = 0; l < net->meta.nlinks; l++) {
				const mr_link_rec *lk = &net->links[l];
				if (x->kind == MR_CRIT_LINK ? l != x->ref
				                            : !lk->passage ||
				                                  strcmp(mr_net_str(net, lk->passage), mr_net_str(net, x->ref)) != 0)
					continue;
				seg(b, &p, net, l);
				sx += mr__map_x(&p, net->nodes[lk->from].lon) + mr__map_x(&p, net->nodes[lk->to].lon);
				sy += mr__map_y(&p, net->nodes[lk->from].lat) + mr__map_y(&p, net->nodes[lk->to].lat);
				k += 2;
			}
			mr_buf_puts(b, "\">");
			html_title(b, rep, e);
			mr_buf_puts(b, "</path>");
			px = k ? sx / (double)k : 0;
			py = k ? sy / (double)k : 0;
		} else {
			uint32_t n = x->kind == MR_CRIT_BORDER ? net->borders[x->ref].node : x->ref;
			px = mr__map_x(&p, net->nodes[n].lon);
			py = mr__map_y(&p, net->nodes[n].lat);
			mr_buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\">", px, py,
			              i < 10 ? "6" : "4.5", col);
			html_title(b, rep, e);
			mr_buf_puts(b, "</circle>");
		}
		if (i < 10) /* the top ten get their rank beside them */
			mr_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"rk\">%zu</text>", px + 7, py - 7, i + 1);
		mr_buf_puts(b, "</a>\n");
	}
	mr__map_scale(b, &p);
	mr_buf_puts(b, "</svg>\n");
	return MR_OK;
}

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}"
	"header{padding:12px 20px;background:#243447;color:#fff}header h1{font-size:20px;margin:0 0 4px}"
	"header p{margin:0;opacity:.85}main{display:flex;flex-wrap:wrap;gap:16px;padding:16px}"
	".mapbox{flex:1 1 560px;min-width:320px}.tablebox{flex:1 1 520px;min-width:320px;max-height:88vh;overflow:auto}"
	".map{width:100%;height:auto;background:#dde8f1;border:1px solid #c6d5e3;border-radius:6px}"
	".land{fill:#f6f3ec;stroke:#b8b0a0;stroke-width:.6;stroke-linejoin:round}.grat{fill:none;stroke:#c6d5e3;"
	"stroke-width:.6}.gl{font-size:10px;fill:#7f93a7}.scale{stroke:#1b2631;stroke-width:1.5;fill:none}"
	".scalet{font-size:11px;fill:#1b2631}.lane{fill:none;stroke:#a9bdd1;stroke-width:.5}"
	".net{fill:none;stroke:#a89f8f;stroke-width:.7}.note{color:#52657a;font-size:13px}"
	".el{fill:none;stroke-width:4;stroke-linecap:round}.pt{stroke:#333;stroke-width:1}"
	".rk{font:bold 13px sans-serif;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3}"
	"table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:4px 6px;border-bottom:1px solid #e3e3e3;"
	"text-align:left;vertical-align:top}th{position:sticky;top:0;background:#f0f2f5}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}td.c{font-size:12px;color:#555;min-width:150px}.sw{display:inline-block;width:10px;height:10px;border-radius:2px;"
	"margin-right:4px}tr:target{outline:2px solid #243447}.legend{margin:6px 0;font-size:13px}"
	"section{padding:0 20px 16px}h2{font-size:16px}";

static void html_table(mr_buf *b, const mr_crit_report *rep, const rows *r)
{
	const mr_crit_result *res = rep->res;
	size_t i;
	char col[16];
	mr_buf_printf(b, "<table><thead><tr><th>#</th><th>element</th><th>name</th><th>%s</th><th>lost %%</th>"
	                 "<th>cost increase</th><th>cost %%</th><th>used</th><th>corridors</th></tr></thead><tbody>\n",
	              rep->demand ? "lost TEU/yr" : "lost pairs");
	for (i = 0; i < r->n; i++) {
		uint32_t e = r->order[i];
		const mr_crit_score *s = &res->score[e];
		char id[256], name[256], corr[1024];
		mr_crit_element_id(rep->net, &rep->el->v[e], id, sizeof(id));
		mr_crit_element_label(rep->net, &rep->el->v[e], name, sizeof(name));
		corridor_list(rep, s->corridors, corr, sizeof(corr));
		heat(col, sizeof(col), i, r->n);
		mr_buf_printf(b, "<tr id=\"e%zu\"><td class=\"n\"><span class=\"sw\" style=\"background:%s\"></span>%zu</td><td>%s ",
		              i + 1, col, i + 1, mr_crit_kind_name(rep->el->v[e].kind));
		mr__xml_esc(b, id);
		mr_buf_puts(b, "</td><td>");
		mr__xml_esc(b, name);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_big(b, rep->demand ? s->lost_weight : (double)s->lost_pairs);
		mr_buf_printf(b, "</td><td class=\"n\">%.2f</td><td class=\"n\">", 100 * share(s->lost_weight, res->connected_weight));
		put_big(b, s->cost_increase);
		mr_buf_printf(b, "</td><td class=\"n\">%.2f</td><td class=\"n\">", 100 * share(s->cost_increase, res->base_cost));
		put_big(b, rep->demand ? s->used_weight : (double)s->used_pairs);
		mr_buf_puts(b, "</td><td class=\"c\">");
		mr__xml_esc(b, corr[0] ? corr : "-");
		mr_buf_puts(b, "</td></tr>\n");
	}
	mr_buf_puts(b, "</tbody></table>\n");
}

static void html_pairs(mr_buf *b, const mr_crit_report *rep)
{
	size_t i;
	mr_buf_puts(b, "<section><h2>Pairs removed together</h2><p>Synergy: the two together cut more pairs off, or "
	               "cost much more, than the sum of what each does alone.</p><table><thead><tr><th>a</th><th>b</th>"
	               "<th>lost</th><th>excess lost</th><th>cost increase</th><th>excess cost</th><th>synergy</th>"
	               "</tr></thead><tbody>\n");
	for (i = 0; i < rep->npairs; i++) {
		const mr_crit_pair *p = &rep->pairs[i];
		char a[256], c[256];
		mr_crit_element_label(rep->net, &rep->el->v[p->a], a, sizeof(a));
		mr_crit_element_label(rep->net, &rep->el->v[p->b], c, sizeof(c));
		mr_buf_puts(b, "<tr><td>");
		mr__xml_esc(b, a);
		mr_buf_puts(b, "</td><td>");
		mr__xml_esc(b, c);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_big(b, rep->demand ? p->joint.lost_weight : (double)p->joint.lost_pairs);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_big(b, p->excess_lost);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_big(b, p->joint.cost_increase);
		mr_buf_puts(b, "</td><td class=\"n\">");
		put_big(b, p->excess_cost);
		mr_buf_printf(b, "</td><td>%s</td></tr>\n", p->synergy ? "yes" : "no");
	}
	mr_buf_puts(b, "</tbody></table></section>\n");
}

int mr_crit_report_html(const mr_crit_report *rep, char **out, size_t *len)
{
	const mr_crit_result *res;
	rows r;
	mr_buf b = {0};
	char note[640];
	int rc;
	*out = NULL;
	*len = 0;
	if (!rep || !rep->net || !rep->el || !rep->res || !rep->opts || rep->res->nelem != rep->el->n ||
	    rep->measure < 0 || rep->measure >= MR_CRIT_BY_COUNT)
		return MR_EINVAL;
	res = rep->res;
	if ((rc = rows_make(rep, &r)))
		return rc;
	mr_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
	                "<title>Meridian: criticality</title><style>");
	mr_buf_puts(&b, css);
	mr_buf_puts(&b, "</style></head><body>\n<header><h1>Which elements the network depends on</h1><p>");
	mr_buf_printf(&b, "%zu elements removed one at a time; %zu OD pairs (", res->hi - res->lo, res->npairs);
	mr__xml_esc(&b, rep->od_label ? rep->od_label : "");
	mr_buf_printf(&b, "), %zu with a route; objective %s (%s); scenario ", res->connected_pairs,
	              mr_objective_name(rep->opts->objective), unit(rep->opts));
	mr__xml_esc(&b, rep->scenario_label ? rep->scenario_label : "base");
	mr_buf_printf(&b, "; ranked by %s.</p></header>\n<main><div class=\"mapbox\">\n",
	              rep->measure == MR_CRIT_BY_COST ? "cost increase" : rep->measure == MR_CRIT_BY_USED ? "use" : "pairs lost");
	if ((rc = html_map(&b, rep, &r, note, sizeof(note)))) {
		rows_free(&r);
		mr_buf_free(&b);
		return rc;
	}
	mr_buf_puts(&b, "<p class=\"legend\"><span class=\"sw\" style=\"background:#d7281e\"></span>most critical "
	                "<span class=\"sw\" style=\"background:#d7dc1e\"></span>least critical of those shown; lines are "
	                "links and passages, dots borders, nodes and transfer points. The faint lines are the rest of the "
	                "network.</p>");
	if (note[0]) {
		mr_buf_puts(&b, "<p class=\"note\">");
		mr__xml_esc(&b, note);
		mr_buf_puts(&b, "</p>");
	}
	mr_buf_puts(&b, "</div>\n<div class=\"tablebox\">\n");
	html_table(&b, rep, &r);
	mr_buf_puts(&b, "</div></main>\n");
	if (rep->pairs)
		html_pairs(&b, rep);
	mr_buf_printf(&b, "<section><h2>How to read it</h2><p>Each element is removed alone and every pair's cheapest "
	                  "route is searched again. <b>Lost</b>: %s that keep no route at all (they get no cost). "
	                  "<b>Cost increase</b>: the added %s over the %s that keep a route, and as a share of the base "
	                  "total (",
	              rep->demand ? "TEU per year" : "pairs", unit(rep->opts), rep->demand ? "demand" : "pairs");
	put_big(&b, res->base_cost);
	mr_buf_printf(&b, "). <b>Used</b>: %s whose best route passes the element. A node's own pairs are left out "
	                  "of its scores. Work: %llu shortest-path searches.</p></section>\n</body></html>\n",
	              rep->demand ? "demand" : "pairs", (unsigned long long)res->searches);
	rows_free(&r);
	if (b.failed || !b.data) {
		mr_buf_free(&b);
		return MR_ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return MR_OK;
}
