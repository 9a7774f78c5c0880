/* mr_flows.c: yearly freight flows on a Meridian network: the demand and capacity files, the
 * assignment problem they make (zones, connectors, arcs as BPR links), and the loads of the
 * capacitated elements (include/meridian/mr_flows.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mr_progress.h"
#include "io/mr_csv.h"
#include "meridian/mr_alt.h"
#include "meridian/mr_flows.h"
#include "meridian/mr_places.h"
#include "meridian/mr_search.h"
#include "route/mr_route_int.h"

/* ---- reading ---- */

/* Column index of name in the header row, or -1. */
static long column(const mr_csv *c, const char *name)
{
	size_t i;
	for (i = 0; i < mr_csv_nfields(c); i++)
		if (strcmp(mr_csv_field(c, i), name) == 0)
			return (long)i;
	return -1;
}

static const char *field(const mr_csv *c, long i)
{
	return i >= 0 && (size_t)i < mr_csv_nfields(c) ? mr_csv_field(c, (size_t)i) : "";
}

void mr_flow_demand_free(mr_flow_demand *d)
{
	if (!d)
		return;
	mr_free(d->od);
	memset(d, 0, sizeof(*d));
}

int mr_flow_demand_read(const mr_net *net, const char *path, unsigned mode_mask, mr_flow_demand *d, mr_error *err)
{
	mr_csv c;
	long ci_o, ci_d, ci_a, ci_c;
	size_t cap = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = mr_csv_open(&c, path, MR_CSV_SKIP_COMMENTS, err)))
		return rc;
	if ((rc = mr_csv_next(&c, err)) != 1) {
		mr_csv_close(&c);
		return rc < 0 ? rc : mr_error_set(err, MR_EPARSE, path, 0, 0, NULL, "empty file: expected the header origin,destination,amount[,class]");
	}
	ci_o = column(&c, "origin");
	ci_d = column(&c, "destination");
	ci_a = column(&c, "amount");
	ci_c = column(&c, "class");
	if (ci_o < 0 || ci_d < 0 || ci_a < 0) {
		rc = mr_error_set(err, MR_EPARSE, path, c.row_line, 0, NULL,
		                  "the header needs the columns origin, destination and amount (class is optional)");
		goto fail;
	}
	while ((rc = mr_csv_next(&c, err)) == 1) {
		mr_flow_od x;
		mr_place p;
		mr_error pe;
		double v;
		int k;
		memset(&x, 0, sizeof(x));
		x.line = c.row_line;
		for (k = 0; k < 2; k++) {
			const char *t = field(&c, k ? ci_d : ci_o);
			mr_error_clear(&pe);
			if (!*t || (rc = mr_place_resolve(net, t, mode_mask, 100.0, &p, &pe))) {
				rc = mr_error_set(err, *t ? rc : MR_EPARSE, path, c.row_line, (int)(k ? ci_d : ci_o) + 1,
				                  k ? "destination" : "origin", "%s%s%s", *t ? "'" : "empty place", *t ? t : "",
				                  *t ? "' is not a place" : "");
				if (*t && pe.msg[0])
					snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg), ": %s", pe.msg);
				goto fail;
			}
			if (k)
				x.to = p.node;
			else
				x.from = p.node;
		}
		if (mr__csv_number(field(&c, ci_a), &v) != 1 || !(v >= 0) || !isfinite(v)) {
			rc = mr_error_set(err, MR_EPARSE, path, c.row_line, (int)ci_a + 1, "amount",
			                  "'%s' is not an amount (TEU per year, a number >= 0)", field(&c, ci_a));
			goto fail;
		}
		if (x.from == x.to) {
			rc = mr_error_set(err, MR_EPARSE, path, c.row_line, (int)ci_d + 1, "destination",
			                  "the destination is the origin");
			goto fail;
		}
		if (v == 0)
			continue;
		x.teu = v;
		snprintf(x.cls, sizeof(x.cls), "%s", field(&c, ci_c));
		if (d->n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			mr_flow_od *no = mr_realloc(d->od, nc * sizeof(*no));
			if (!no) {
				rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
				goto fail;
			}
			d->od = no;
			cap = nc;
		}
		d->od[d->n++] = x;
		d->total += v;
	}
	if (rc < 0)
		goto fail;
	mr_csv_close(&c);
	if (!d->n)
		return mr_error_set(err, MR_EPARSE, path, 0, 0, NULL, "no demand in the file");
	return MR_OK;
fail:
	mr_csv_close(&c);
	mr_flow_demand_free(d);
	return rc;
}

void mr_flow_capacity_free(mr_flow_capacity *c)
{
	if (!c)
		return;
	mr_free(c->link);
	mr_free(c->border);
	mr_free(c->node);
	memset(c, 0, sizeof(*c));
}

/* Index of the element named id, or MR_NONE (linear: capacity files have hundreds of rows). */
static uint32_t find_element(const mr_net *net, int kind, const char *id)
{
	uint32_t i;
	if (kind == MR_FLOW_LINK) {
		for (i = 0; i < net->meta.nlinks; i++)
			if (strcmp(mr_net_str(net, net->links[i].id), id) == 0)
				return i;
	} else if (kind == MR_FLOW_BORDER) {
		for (i = 0; i < net->meta.nborders; i++)
			if (strcmp(mr_net_str(net, net->borders[i].id), id) == 0)
				return i;
	} else {
		for (i = 0; i < net->meta.nnodes; i++)
			if (strcmp(mr_net_str(net, net->nodes[i].id), id) == 0)
				return i;
		for (i = 0; i < net->meta.nnodes; i++)
			if (strcmp(mr_net_str(net, net->nodes[i].unlocode), id) == 0)
				return i;
	}
	return MR_NONE;
}

int mr_flow_capacity_read(const mr_net *net, const char *path, mr_flow_capacity *c, mr_error *err)
{
	static const char *const kinds[] = {"link", "border", "node"};
	mr_csv csv;
	uint8_t *seen[3] = {NULL, NULL, NULL};
	long ci_e, ci_i, ci_c, ci_s;
	uint32_t i;
	int rc = MR_OK;

	memset(c, 0, sizeof(*c));
	c->link = mr_calloc((size_t)net->meta.nlinks + 1, sizeof(double));
	c->border = mr_calloc((size_t)net->meta.nborders + 1, sizeof(double));
	c->node = mr_calloc((size_t)net->meta.nnodes + 1, sizeof(double));
	if (!c->link || !c->border || !c->node) {
		mr_flow_capacity_free(c);
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	}
	for (i = 0; i < net->meta.nlinks; i++)
		c->link[i] = net->links[i].capacity > 0 ? net->links[i].capacity : 0;
	if (!path)
		return MR_OK;
	if ((rc = mr_csv_open(&csv, path, MR_CSV_SKIP_COMMENTS, err))) {
		mr_flow_capacity_free(c);
		return rc;
	}
	seen[0] = mr_calloc((size_t)net->meta.nlinks + 1, 1);
	seen[1] = mr_calloc((size_t)net->meta.nborders + 1, 1);
	seen[2] = mr_calloc((size_t)net->meta.nnodes + 1, 1);
	if (!seen[0] || !seen[1] || !seen[2]) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
		goto out;
	}
	if ((rc = mr_csv_next(&csv, err)) != 1) {
		if (rc == 0)
			rc = mr_error_set(err, MR_EPARSE, path, 0, 0, NULL, "empty file: expected the header element,id,capacity_teu_per_year,source");
		goto out;
	}
	ci_e = column(&csv, "element");
	ci_i = column(&csv, "id");
	ci_c = column(&csv, "capacity_teu_per_year");
	ci_s = column(&csv, "source");
	if (ci_e < 0 || ci_i < 0 || ci_c < 0 || ci_s < 0) {
		rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, 0, NULL,
		                  "the header needs the columns element, id, capacity_teu_per_year and source");
		goto out;
	}
	while ((rc = mr_csv_next(&csv, err)) == 1) {
		const char *e = field(&csv, ci_e), *id = field(&csv, ci_i);
		int k;
		uint32_t ref;
		double v;
		for (k = 0; k < 3 && strcmp(e, kinds[k]) != 0; k++)
			;
		if (k == 3) {
			rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, (int)ci_e + 1, "element",
			                  "'%s': expected link, border or node", e);
			goto out;
		}
		if ((ref = find_element(net, k, id)) == MR_NONE) {
			rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, (int)ci_i + 1, "id", "no %s '%s' in the network",
			                  kinds[k], id);
			goto out;
		}
		if (mr__csv_number(field(&csv, ci_c), &v) != 1 || !(v > 0) || !isfinite(v)) {
			rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, (int)ci_c + 1, "capacity_teu_per_year",
			                  "'%s' is not a capacity (TEU per year, a number > 0)", field(&csv, ci_c));
			goto out;
		}
		if (!*field(&csv, ci_s)) {
			rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, (int)ci_s + 1, "source",
			                  "every capacity states its source");
			goto out;
		}
		if (seen[k][ref]++) {
			rc = mr_error_set(err, MR_EPARSE, path, csv.row_line, (int)ci_i + 1, "id", "%s '%s' is given twice",
			                  kinds[k], id);
			goto out;
		}
		(k == 0 ? c->link : k == 1 ? c->border : c->node)[ref] = v;
		c->rows++;
	}
out:
	mr_csv_close(&csv);
	for (i = 0; i < 3; i++)
		mr_free(seen[i]);
	if (rc < 0) {
		mr_flow_capacity_free(c);
		return rc;
	}
	return MR_OK;
}

/* ---- the problem ---- */

void mr_flow_problem_free(mr_flow_problem *p)
{
	if (!p)
		return;
	mr_assign_net_free(&p->an);
	mr_assign_demand_free(&p->ad);
	mr_free(p->zone_node);
	mr_free(p->arc_of);
	mr_free(p->link_of);
	mr_free(p->group);
	memset(p, 0, sizeof(*p));
}

_Static_assert(MR_NONE == MR_ASSIGN_NO_GROUP, "a link outside every group is MR_NONE");

/* The arc's own capacity (its link's, per direction), 0 if none. */
static double arc_capacity(const mr_flow_capacity *cap, const mr_arc_rec *arc)
{
	if (!cap || arc->kind != MR_ARC_LINK || !(cap->link[arc->ref] > 0))
		return 0;
	return cap->link[arc->ref];
}

/* The shared-capacity element of arc a whose tail is virtual node `tail`: its border crossing's
 * when the border has a capacity, else its terminal's for a transfer arc at a node with one
 * (*kind, *ref); 0 if none. Borders lie on link arcs and terminals on transfer arcs, so an arc
 * has at most one. */
static int arc_element(const mr_net *net, const mr_flow_capacity *cap, uint32_t tail, uint32_t a, int *kind,
                       uint32_t *ref)
{
	const mr_arc_rec *arc = &net->arcs[a];
	if (!cap)
		return 0;
	if (arc->border != MR_NONE && cap->border[arc->border] > 0) {
		*kind = MR_FLOW_BORDER;
		*ref = arc->border;
		return 1;
	}
	if (arc->kind == MR_ARC_TRANSFER && cap->node[net->vnodes[tail].node] > 0) {
		*kind = MR_FLOW_TERMINAL;
		*ref = net->vnodes[tail].node;
		return 1;
	}
	return 0;
}

/* The groups of problem p (its links made): one per capacitated border or terminal with a usable
 * arc. A border's free-flow part is its dwell hours (times the value of time for the generalized
 * objective), a terminal's the mean of its transfer links' free-flow parts. */
static int make_groups(const mr_net *net, const mr_route_opts *o, const mr_flow_capacity *cap, double alpha,
                       double beta, mr_flow_problem *p)
{
	const mr_graph *g = &net->g;
	uint32_t nb = net->meta.nborders, nn = net->meta.nnodes, *gid, *cnt, tail, a, ng = 0, k;
	int kind;
	uint32_t ref;
	double *sum;
	int rc = MR_ENOMEM;

	if (!cap)
		return MR_OK;
	gid = mr_malloc(((size_t)nb + nn + 1) * sizeof(uint32_t)); /* borders, then nodes: group or MR_NONE */
	sum = mr_calloc((size_t)nb + nn + 1, sizeof(double)); /* by group: links' fft, their number */
	cnt = mr_calloc((size_t)nb + nn + 1, sizeof(uint32_t));
	if (!gid || !sum || !cnt)
		goto out;
	for (k = 0; k < nb + nn; k++)
		gid[k] = MR_NONE;
	for (tail = 0; tail < g->n; tail++)
		for (a = g->first_out[tail]; a < g->first_out[tail + 1]; a++) {
			uint32_t slot;
			if (p->link_of[a] == MR_NONE || !arc_element(net, cap, tail, a, &kind, &ref))
				continue;
			slot = kind == MR_FLOW_BORDER ? ref : nb + ref;
			if (gid[slot] == MR_NONE)
				gid[slot] = ng++;
		}
	if (!ng) {
		rc = MR_OK;
		goto out;
	}
	if ((rc = mr_assign_net_groups(&p->an, ng)) != MR_OK)
		goto out;
	rc = MR_ENOMEM;
	if (!(p->group = mr_malloc((size_t)ng * sizeof(*p->group))))
		goto out;
	for (tail = 0; tail < g->n; tail++)
		for (a = g->first_out[tail]; a < g->first_out[tail + 1]; a++) {
			uint32_t slot, l = p->link_of[a];
			if (l == MR_NONE || !arc_element(net, cap, tail, a, &kind, &ref))
				continue;
			slot = kind == MR_FLOW_BORDER ? ref : nb + ref;
			p->an.link_group[l] = gid[slot];
			p->group[gid[slot]].kind = kind;
			p->group[gid[slot]].ref = ref;
			p->an.groups[gid[slot]].capacity = kind == MR_FLOW_BORDER ? cap->border[ref] : cap->node[ref];
			sum[gid[slot]] += p->an.links[l].fft;
			cnt[gid[slot]]++;
		}
	for (k = 0; k < ng; k++) {
		mr_assign_group *gr = &p->an.groups[k];
		if (p->group[k].kind == MR_FLOW_BORDER) {
			double dwell = net->borders[p->group[k].ref].dwell_h;
			gr->fft = o->objective == MR_BY_TIME ? dwell : o->vot_usd_per_h * dwell;
		} else
			gr->fft = sum[k] / cnt[k];
		gr->alpha = alpha;
		gr->beta = beta;
	}
	rc = MR_OK;
out:
	mr_free(gid);
	mr_free(sum);
	mr_free(cnt);
	return rc;
}

int mr_flow_problem_make(const mr_net *net, const mr_route_opts *o, const mr_flow_capacity *cap,
                         const mr_flow_demand *d, double alpha, double beta, mr_flow_problem *p, mr_error *err)
{
	const mr_graph *g = &net->g;
	mr_router *r = NULL;
	const double *w;
	uint32_t *zone_of = NULL, *zo = NULL, *zd = NULL, z, a, tail, k = 0;
	double *amount = NULL;
	mr_seed *seeds = NULL;
	size_t i, nconn = 0, narcs = 0, maxv = 1;
	int rc;

	memset(p, 0, sizeof(*p));
	if (o->objective != MR_BY_GENERALIZED && o->objective != MR_BY_TIME)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "by",
		                    "assignment needs an objective that congestion changes: generalized or time, not %s",
		                    mr_objective_name(o->objective));
	if (!(alpha >= 0) || !(beta >= 0) || !isfinite(alpha) || !isfinite(beta))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "bpr", "BPR alpha and beta must be numbers >= 0");
	if ((rc = mr_router_new(&r, net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	if ((rc = mr_router_weights(r, o, &w, err)))
		goto out;
	rc = MR_ENOMEM;
	zone_of = mr_malloc(((size_t)net->meta.nnodes + 1) * sizeof(uint32_t));
	p->zone_node = mr_malloc((2 * d->n + 1) * sizeof(uint32_t));
	p->link_of = mr_malloc(((size_t)g->m + 1) * sizeof(uint32_t));
	zo = mr_malloc((d->n + 1) * sizeof(uint32_t));
	zd = mr_malloc((d->n + 1) * sizeof(uint32_t));
	amount = mr_malloc((d->n + 1) * sizeof(double));
	for (i = 0; i < net->meta.nnodes; i++)
		maxv = net->nodes[i].nvnodes > maxv ? net->nodes[i].nvnodes : maxv;
	seeds = mr_malloc(maxv * sizeof(mr_seed));
	if (!zone_of || !p->zone_node || !p->link_of || !zo || !zd || !amount || !seeds)
		goto nomem;
	for (i = 0; i < net->meta.nnodes; i++)
		zone_of[i] = MR_NONE;
	for (i = 0; i < d->n; i++) {
		uint32_t ends[2] = {d->od[i].from, d->od[i].to};
		int e;
		for (e = 0; e < 2; e++)
			if (zone_of[ends[e]] == MR_NONE) {
				zone_of[ends[e]] = p->nzones;
				p->zone_node[p->nzones++] = ends[e];
			}
		zo[i] = zone_of[d->od[i].from];
		zd[i] = zone_of[d->od[i].to];
		amount[i] = d->od[i].teu;
	}
	/* Every OD pair must have a route under the options: say which line does not. */
	for (i = 0; i < d->n; i++) {
		uint32_t pl[2] = {d->od[i].from, d->od[i].to};
		mr_route rt;
		mr_error e;
		int q = mr_router_route(r, pl, 2, o, &rt, &e);
		if (q == MR_OK) {
			mr_route_free(&rt);
			continue;
		}
		rc = mr_error_set(err, q, NULL, d->od[i].line, 0, NULL, "demand line %ld: %s", d->od[i].line,
		                  e.msg[0] ? e.msg : mr_strerror(q));
		goto out;
	}
	if ((rc = mr_router_weights(r, o, &w, err)))
		goto out;
	for (z = 0; z < p->nzones; z++) {
		size_t ns = 0;
		if ((rc = mr_router_start_offsets(r, o, p->zone_node[z], seeds, maxv, &ns)))
			goto nomem;
		nconn += 2 * ns;
	}
	for (a = 0; a < g->m; a++)
		narcs += isfinite(w[a]) ? 1 : 0;
	if (nconn + narcs >= MR_NONE) {
		rc = mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "too many links");
		goto out;
	}
	if ((rc = mr_assign_net_init(&p->an, p->nzones + g->n, p->nzones, p->nzones, (uint32_t)(nconn + narcs))))
		goto nomem;
	if (!(p->arc_of = mr_malloc((nconn + narcs + 1) * sizeof(uint32_t))))
		goto nomem;
	p->an.toll_factor = 1.0;
	p->an.distance_factor = 0.0;
	/* Connectors: zone -> each usable virtual node (the leg start fee), and back for free. */
	for (z = 0; z < p->nzones; z++) {
		size_t ns = 0, s;
		mr_router_start_offsets(r, o, p->zone_node[z], seeds, maxv, &ns);
		for (s = 0; s < ns; s++) {
			mr_assign_link *l = &p->an.links[k];
			l->tail = z;
			l->head = p->nzones + seeds[s].v;
			l->toll = seeds[s].offset;
			l->capacity = 1.0;
			l->vdf = MR_VDF_BPR;
			p->arc_of[k++] = MR_NONE;
			l = &p->an.links[k];
			l->tail = p->nzones + seeds[s].v;
			l->head = z;
			l->capacity = 1.0;
			l->vdf = MR_VDF_BPR;
			p->arc_of[k++] = MR_NONE;
		}
	}
	for (a = 0; a < g->m; a++)
		p->link_of[a] = MR_NONE;
	for (tail = 0; tail < g->n; tail++)
	for (a = g->first_out[tail]; a < g->first_out[tail + 1]; a++) {
		mr_assign_link *l;
		double fig[4], c, fft;
		if (!isfinite(w[a]))
			continue;
		mr__arc_figures(net, o, a, fig);
		fft = o->objective == MR_BY_TIME ? w[a] : fmin(w[a], o->vot_usd_per_h * fig[1]);
		c = arc_capacity(cap, &net->arcs[a]);
		l = &p->an.links[k];
		l->tail = p->nzones + tail;
		l->head = p->nzones + g->head[a];
		l->fft = fft;
		l->toll = fmax(0.0, w[a] - fft);
		l->capacity = c > 0 ? c : 1.0;
		l->alpha = c > 0 ? alpha : 0.0;
		l->beta = beta;
		l->vdf = MR_VDF_BPR;
		p->link_of[a] = k;
		p->arc_of[k++] = a;
	}
	if ((rc = make_groups(net, o, cap, alpha, beta, p)))
		goto nomem;
	if ((rc = mr_assign_demand_build(&p->ad, p->nzones, d->n, zo, zd, amount, err)))
		goto out;
	rc = MR_OK;
	goto out;
nomem:
	rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
out:
	mr_router_free(r);
	mr_free(zone_of);
	mr_free(zo);
	mr_free(zd);
	mr_free(amount);
	mr_free(seeds);
	if (rc)
		mr_flow_problem_free(p);
	return rc;
}

/* ---- loads ---- */

static int load_cmp(const void *x, const void *y)
{
	const mr_flow_load *a = x, *b = y;
	if (a->voc != b->voc)
		return a->voc > b->voc ? -1 : 1;
	if (a->flow != b->flow)
		return a->flow > b->flow ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->ref != b->ref)
		return a->ref < b->ref ? -1 : 1;
	return a->reverse - b->reverse;
}

int mr_flow_loads(const mr_net *net, const mr_flow_problem *p, const mr_flow_capacity *cap, const double *flow,
                  mr_flow_load **out, size_t *n)
{
	const uint32_t nl = net->meta.nlinks, nb = net->meta.nborders, nn = net->meta.nnodes;
	double *sum = mr_calloc(2 * (size_t)nl + nb + nn + 1, sizeof(double));
	uint32_t *tail_of = mr_malloc(((size_t)net->g.m + 1) * sizeof(uint32_t));
	mr_flow_load *v;
	size_t cnt = 0, i;
	uint32_t k, t;

	*out = NULL;
	*n = 0;
	if (!sum || !tail_of) {
		mr_free(sum);
		mr_free(tail_of);
		return MR_ENOMEM;
	}
	for (t = 0; t < net->g.n; t++)
		for (k = net->g.first_out[t]; k < net->g.first_out[t + 1]; k++)
			tail_of[k] = t;
	for (k = 0; k < p->an.nlinks; k++) {
		uint32_t a = p->arc_of[k], tail;
		const mr_arc_rec *arc;
		if (a == MR_NONE || !(flow[k] > 0))
			continue;
		arc = &net->arcs[a];
		tail = tail_of[a];
		if (arc->kind == MR_ARC_LINK)
			sum[2 * (size_t)arc->ref + (net->vnodes[tail].node != net->links[arc->ref].from)] += flow[k];
		if (arc->border != MR_NONE)
			sum[2 * (size_t)nl + arc->border] += flow[k];
		if (arc->kind == MR_ARC_TRANSFER)
			sum[2 * (size_t)nl + nb + net->vnodes[tail].node] += flow[k];
	}
	mr_free(tail_of);
	if (!(v = mr_malloc((2 * (size_t)nl + nb + nn + 1) * sizeof(*v)))) {
		mr_free(sum);
		return MR_ENOMEM;
	}
	for (i = 0; i < 2 * (size_t)nl + nb + nn; i++) {
		mr_flow_load x;
		memset(&x, 0, sizeof(x));
		if (i < 2 * (size_t)nl) {
			x.kind = MR_FLOW_LINK;
			x.ref = (uint32_t)(i / 2);
			x.reverse = (int)(i % 2);
			if (x.reverse && net->links[x.ref].directed)
				continue;
			x.capacity = cap ? cap->link[x.ref] : 0;
		} else if (i < 2 * (size_t)nl + nb) {
			x.kind = MR_FLOW_BORDER;
			x.ref = (uint32_t)(i - 2 * (size_t)nl);
			x.capacity = cap ? cap->border[x.ref] : 0;
		} else {
			x.kind = MR_FLOW_TERMINAL;
			x.ref = (uint32_t)(i - 2 * (size_t)nl - nb);
			x.capacity = cap ? cap->node[x.ref] : 0;
		}
		x.flow = sum[i];
		if (!(x.flow > 0) && !(x.capacity > 0))
			continue;
		x.voc = x.capacity > 0 ? x.flow / x.capacity : 0;
		v[cnt++] = x;
	}
	mr_free(sum);
	qsort(v, cnt, sizeof(*v), load_cmp);
	*out = v;
	*n = cnt;
	return MR_OK;
}

/* ---- logit over alternative routes ---- */

void mr_flow_logit_opts_default(mr_flow_logit_opts *o)
{
	o->routes = 5;
	o->max_overlap = 0.6;
	o->theta = 10.0;
	o->max_iter = 200;
	o->tol = 1e-6;
}

void mr_flow_paths_free(mr_flow_paths *ps)
{
	size_t i;
	if (!ps)
		return;
	if (ps->path && ps->first)
		for (i = 0; i < ps->first[ps->nod]; i++)
			mr_route_free(&ps->path[i].route);
	mr_free(ps->path);
	mr_free(ps->first);
	memset(ps, 0, sizeof(*ps));
}


/* The assignment links of a route: the origin connector, its arcs, the destination connector. */
static int path_links(const mr_flow_problem *p, const mr_route *rt, uint32_t zo, uint32_t zd, uint32_t *out,
                      size_t *n)
{
	const mr_assign_net *an = &p->an;
	uint32_t k, last = rt->first_vnode;
	size_t i, m = 0;
	for (k = 0; k < an->nlinks && p->arc_of[k] == MR_NONE; k++)
		if (an->links[k].tail == zo && an->links[k].head == p->nzones + rt->first_vnode)
			break;
	if (k == an->nlinks || p->arc_of[k] != MR_NONE)
		return MR_EINVAL;
	out[m++] = k;
	for (i = 0; i < rt->narcs; i++) {
		uint32_t l = p->link_of[rt->arcs[i]];
		if (l == MR_NONE)
			return MR_EINVAL;
		out[m++] = l;
		last = an->links[l].head - p->nzones;
	}
	for (k = 0; k < an->nlinks && p->arc_of[k] == MR_NONE; k++)
		if (an->links[k].head == zd && an->links[k].tail == p->nzones + last)
			break;
	if (k == an->nlinks || p->arc_of[k] != MR_NONE)
		return MR_EINVAL;
	out[m++] = k;
	*n = m;
	return MR_OK;
}

/* Route costs of OD i at the link flows (and group flows gx), and their logit shares. */
static void logit_split(const mr_assign_net *an, mr_flow_paths *ps, size_t i, const size_t *pfirst,
                        const uint32_t *plinks, const double *flow, const double *gx, double theta)
{
	double cmin = INFINITY, sum = 0;
	size_t k, j;
	for (k = ps->first[i]; k < ps->first[i + 1]; k++) {
		double c = 0;
		for (j = pfirst[k]; j < pfirst[k + 1]; j++)
			c += mr_assign_link_cost(an, plinks[j], flow, gx);
		ps->path[k].cost = c;
		cmin = fmin(cmin, c);
	}
	for (k = ps->first[i]; k < ps->first[i + 1]; k++) {
		ps->path[k].share = cmin > 0 ? exp(-theta * (ps->path[k].cost / cmin - 1.0)) : (ps->path[k].cost == cmin ? 1.0 : 0.0);
		sum += ps->path[k].share;
	}
	for (k = ps->first[i]; k < ps->first[i + 1]; k++)
		ps->path[k].share /= sum;
}

int mr_flow_logit(const mr_net *net, const mr_route_opts *o, const mr_flow_problem *p, const mr_flow_demand *d,
                  const mr_flow_logit_opts *lo, mr_assign_iter_fn on_iter, void *ud, double *flow, mr_flow_paths *ps,
                  mr_error *err)
{
	const mr_assign_net *an = &p->an;
	mr_router *r = NULL;
	mr_alt *alts = NULL;
	mr_alt_opts ao;
	uint32_t *zone_of = NULL, *plinks = NULL;
	size_t *pfirst = NULL, np = 0, cap = 0, i, k, nlinks_total = 0;
	double *y = NULL, *gx = NULL, t0 = mr_now_s();
	uint32_t it;
	int rc;

	memset(ps, 0, sizeof(*ps));
	if (!lo || lo->routes < 1 || lo->routes > 100 || !(lo->theta > 0) || !isfinite(lo->theta) || !(lo->tol >= 0) ||
	    !(lo->max_overlap >= 0) || lo->max_iter < 1)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "logit", "bad logit options");
	if ((rc = mr_router_new(&r, net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	rc = MR_ENOMEM;
	alts = mr_calloc(lo->routes, sizeof(*alts));
	zone_of = mr_malloc(((size_t)net->meta.nnodes + 1) * sizeof(uint32_t));
	ps->first = mr_calloc(d->n + 1, sizeof(size_t));
	y = mr_malloc(((size_t)an->nlinks + 1) * sizeof(double));
	gx = mr_malloc(((size_t)an->ngroups + 1) * sizeof(double)); /* the groups' flows */
	if (!alts || !zone_of || !ps->first || !y || !gx)
		goto nomem;
	ps->nod = d->n;
	for (i = 0; i < p->nzones; i++)
		zone_of[p->zone_node[i]] = (uint32_t)i;
	mr_alt_opts_default(&ao);
	ao.k = lo->routes;
	ao.max_overlap = lo->max_overlap;
	/* Route sets at free flow. */
	for (i = 0; i < d->n; i++) {
		size_t nout = 0;
		ps->first[i] = np;
		if ((rc = mr_router_alternatives(r, d->od[i].from, d->od[i].to, o, &ao, alts, &nout, err))) {
			err->line = d->od[i].line;
			goto out;
		}
		if (np + nout > cap) {
			size_t nc = cap ? 2 * cap + nout : 64 + nout;
			mr_flow_path *npth = mr_realloc(ps->path, nc * sizeof(*npth));
			if (!npth) {
				for (k = 0; k < nout; k++)
					mr_route_free(&alts[k].route);
				goto nomem;
			}
			ps->path = npth;
			cap = nc;
		}
		for (k = 0; k < nout; k++) {
			ps->path[np].route = alts[k].route;
			ps->path[np].cost = alts[k].route.objective_value;
			ps->path[np].share = 0;
			nlinks_total += alts[k].route.narcs + 2;
			np++;
		}
		ps->first[i + 1] = np;
	}
	ps->first[d->n] = np;
	/* Each route as assignment links. */
	plinks = mr_malloc((nlinks_total + 1) * sizeof(uint32_t));
	pfirst = mr_malloc((np + 1) * sizeof(size_t));
	if (!plinks || !pfirst)
		goto nomem;
	nlinks_total = 0;
	for (i = 0; i < d->n; i++)
		for (k = ps->first[i]; k < ps->first[i + 1]; k++) {
			size_t m;
			pfirst[k] = nlinks_total;
			if (path_links(p, &ps->path[k].route, zone_of[d->od[i].from], zone_of[d->od[i].to], plinks + nlinks_total,
			               &m)) {
				rc = mr_error_set(err, MR_EINVAL, NULL, d->od[i].line, 0, NULL,
				                  "demand line %ld: a route does not follow the problem's links", d->od[i].line);
				goto out;
			}
			nlinks_total += m;
		}
	pfirst[np] = nlinks_total;
	/* Method of successive averages on the logit split. */
	memset(flow, 0, (size_t)an->nlinks * sizeof(double));
	for (it = 1; it <= lo->max_iter; it++) {
		double change = 0, total = 0;
		memset(y, 0, (size_t)an->nlinks * sizeof(double));
		mr_assign_group_flows(an, flow, gx);
		for (i = 0; i < d->n; i++) {
			logit_split(an, ps, i, pfirst, plinks, flow, gx, lo->theta);
			for (k = ps->first[i]; k < ps->first[i + 1]; k++) {
				size_t j;
				double q = d->od[i].teu * ps->path[k].share;
				for (j = pfirst[k]; j < pfirst[k + 1]; j++)
					y[plinks[j]] += q;
				total += q * ps->path[k].cost;
			}
		}
		for (k = 0; k < an->nlinks; k++) {
			double nx = it == 1 ? y[k] : flow[k] + (y[k] - flow[k]) / it;
			change = fmax(change, fabs(nx - flow[k]));
			flow[k] = nx;
		}
		ps->iterations = it;
		ps->change = change / d->total;
		if (on_iter) {
			mr_assign_iter rec;
			rec.iteration = it;
			rec.gap = ps->change;
			rec.aec = 0;
			rec.objective = total;
			rec.seconds = mr_now_s() - t0;
			if (on_iter(ud, &rec))
				break;
		}
		if (it > 1 && ps->change <= lo->tol)
			break;
	}
	/* Shares and costs at the final flows. */
	mr_assign_group_flows(an, flow, gx);
	for (i = 0; i < d->n; i++)
		logit_split(an, ps, i, pfirst, plinks, flow, gx, lo->theta);
	rc = MR_OK;
	goto out;
nomem:
	rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
out:
	mr_router_free(r);
	mr_free(alts);
	mr_free(zone_of);
	mr_free(plinks);
	mr_free(pfirst);
	mr_free(y);
	mr_free(gx);
	if (rc)
		mr_flow_paths_free(ps);
	return rc;
}
