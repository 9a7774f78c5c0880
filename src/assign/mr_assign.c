/* mr_assign.c: traffic assignment: volume-delay functions and shared-capacity groups, the
 * solver's set-up, shortest paths and all-or-nothing loading, MSA and the Frank-Wolfe family (FW,
 * CFW, BFW), the run driver (convergence, stop rules, history, the MPI hook) and the results. Algorithm B is in
 * mr_assign_b.c; the solver's invariants are in mr_assign_int.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign/mr_assign_int.h"
#include "core/mr_progress.h"

/* ---- volume-delay functions ---- */

/* Precomputed cost function of a caller's link (already validated). */
static void vdf_prepare(mr__vdfp *p, const mr_assign_link *l, double toll_factor, double distance_factor)
{
	memset(p, 0, sizeof(*p));
	p->t0 = l->fft;
	p->fix = toll_factor * l->toll + distance_factor * l->length;
	p->beta = l->beta;
	if (l->vdf == MR_VDF_CONICAL) {
		p->kind = MR__VK_CONICAL;
		p->icap = 1.0 / l->capacity;
		p->g = (2 * l->beta - 1) / (2 * l->beta - 2);
		return;
	}
	if (l->alpha == 0 || l->fft == 0) {
		p->kind = MR__VK_CONST;
		return;
	}
	if (l->beta == 0) {
		p->kind = MR__VK_CONST;
		p->k = l->fft * l->alpha;
		return;
	}
	p->k = l->fft * l->alpha / pow(l->capacity, l->beta);
	p->icap = 1.0 / l->capacity;
	p->kind = l->beta == 1 ? MR__VK_BPR1 : l->beta == 4 ? MR__VK_BPR4 : MR__VK_BPR;
}

/* A group's delay D(X) as a cost function: t0 = fix = 0, so cost = D, integral = int_0^X D. */
static void group_prepare(mr__vdfp *p, const mr_assign_group *g)
{
	memset(p, 0, sizeof(*p));
	p->beta = g->beta;
	p->kind = MR__VK_CONST; /* k = 0: no delay */
	if (g->alpha == 0 || g->fft == 0)
		return;
	if (g->beta == 0) {
		p->k = g->fft * g->alpha;
		return;
	}
	p->k = g->fft * g->alpha / pow(g->capacity, g->beta);
	p->icap = 1.0 / g->capacity;
	p->kind = g->beta == 1 ? MR__VK_BPR1 : g->beta == 4 ? MR__VK_BPR4 : MR__VK_BPR;
}

/* Antiderivative helper of the conical function: F(u) = u s / 2 + g^2 asinh(u / g) / 2. */
static double conical_F(double u, double g)
{
	return 0.5 * u * sqrt(u * u + g * g) + 0.5 * g * g * asinh(u / g);
}

double mr__vdf_integral(const mr__vdfp *p, double x)
{
	if (x <= 0)
		return 0;
	switch (p->kind) {
	case MR__VK_CONST:
		return (p->t0 + p->k + p->fix) * x;
	case MR__VK_BPR1:
		return (p->t0 + p->fix) * x + 0.5 * p->k * x * x;
	case MR__VK_BPR4: {
		double x2 = x * x;
		return (p->t0 + p->fix) * x + p->k * x2 * x2 * x / 5.0;
	}
	case MR__VK_BPR:
		return (p->t0 + p->fix) * x + p->k * pow(x, p->beta + 1) / (p->beta + 1);
	default: {
		double cap = 1.0 / p->icap, r = x * p->icap, b = p->beta, g = p->g;
		double lin = (2 - g) * r - b * (r - 0.5 * r * r);
		double sq = (conical_F(b, g) - conical_F(b * (1 - r), g)) / b;
		return p->t0 * cap * (lin + sq) + p->fix * x;
	}
	}
}

/* 1 if the link's parameters are usable; else fills why. */
static int link_ok(const mr_assign_link *l, uint32_t nodes, char *why, size_t size)
{
	if (l->tail >= nodes || l->head >= nodes) {
		snprintf(why, size, "node %u out of range (the network has %u nodes)", l->tail >= nodes ? l->tail : l->head,
		         nodes);
		return 0;
	}
	if (l->tail == l->head) {
		snprintf(why, size, "the link starts and ends at node %u", l->tail);
		return 0;
	}
	if (!isfinite(l->fft) || l->fft < 0) {
		snprintf(why, size, "free-flow time %g (must be finite and >= 0)", l->fft);
		return 0;
	}
	if (!isfinite(l->length) || !isfinite(l->toll)) {
		snprintf(why, size, "length or toll is not finite");
		return 0;
	}
	if (l->vdf == MR_VDF_CONICAL) {
		if (!isfinite(l->beta) || l->beta <= 1) {
			snprintf(why, size, "conical steepness (beta) %g must be > 1", l->beta);
			return 0;
		}
		if (!isfinite(l->capacity) || l->capacity <= 0) {
			snprintf(why, size, "capacity %g must be > 0", l->capacity);
			return 0;
		}
		return 1;
	}
	if (l->vdf != MR_VDF_BPR) {
		snprintf(why, size, "unknown volume-delay function %d", l->vdf);
		return 0;
	}
	if (!isfinite(l->alpha) || l->alpha < 0 || !isfinite(l->beta) || l->beta < 0) {
		snprintf(why, size, "BPR alpha %g and beta %g must be finite and >= 0", l->alpha, l->beta);
		return 0;
	}
	if (l->alpha > 0 && l->beta > 0 && l->fft > 0 && (!isfinite(l->capacity) || l->capacity <= 0)) {
		snprintf(why, size, "capacity %g must be > 0", l->capacity);
		return 0;
	}
	return 1;
}

/* 1 if the group's parameters are usable; else fills why. */
static int group_ok(const mr_assign_group *g, char *why, size_t size)
{
	if (!isfinite(g->fft) || g->fft < 0 || !isfinite(g->alpha) || g->alpha < 0 || !isfinite(g->beta) || g->beta < 0) {
		snprintf(why, size, "fft %g, alpha %g and beta %g must be finite and >= 0", g->fft, g->alpha, g->beta);
		return 0;
	}
	if (!isfinite(g->capacity) || g->capacity <= 0) {
		snprintf(why, size, "capacity %g must be > 0", g->capacity);
		return 0;
	}
	return 1;
}

/* The group of link i, or MR__NONE. */
static uint32_t link_group(const mr_assign_net *net, uint32_t i)
{
	uint32_t g;
	if (!net->ngroups || !net->link_group || !net->groups)
		return MR__NONE;
	g = net->link_group[i];
	return g < net->ngroups ? g : MR__NONE;
}

/* The public functions compute without checking (mr_assign_create checks). */
static mr__vdfp public_vdfp(const mr_assign_link *l)
{
	mr__vdfp p;
	vdf_prepare(&p, l, 0, 0);
	return p;
}

double mr_assign_vdf(const mr_assign_link *l, double x)
{
	mr__vdfp p = public_vdfp(l);
	return mr__vdf_cost(&p, x);
}

double mr_assign_vdf_der(const mr_assign_link *l, double x)
{
	mr__vdfp p = public_vdfp(l);
	double c, d;
	mr__vdf_eval(&p, x, &c, &d);
	return d;
}

double mr_assign_vdf_int(const mr_assign_link *l, double x)
{
	mr__vdfp p = public_vdfp(l);
	return mr__vdf_integral(&p, x);
}

double mr_assign_group_delay(const mr_assign_group *g, double X)
{
	mr__vdfp p;
	group_prepare(&p, g);
	return mr__vdf_cost(&p, X);
}

void mr_assign_group_flows(const mr_assign_net *net, const double *x, double *X)
{
	uint32_t i, g;
	for (g = 0; g < net->ngroups; g++)
		X[g] = 0;
	for (i = 0; i < net->nlinks; i++)
		if ((g = link_group(net, i)) != MR__NONE)
			X[g] += x[i];
}

double mr_assign_link_cost(const mr_assign_net *net, uint32_t i, const double *x, const double *X)
{
	mr__vdfp p;
	uint32_t g = link_group(net, i);
	double c;
	vdf_prepare(&p, &net->links[i], net->toll_factor, net->distance_factor);
	c = mr__vdf_cost(&p, x[i]);
	if (g != MR__NONE && X)
		c += mr_assign_group_delay(&net->groups[g], X[g]);
	return c;
}

/* The group flows of x in a new array (NULL without groups); *fail on allocation failure. */
static double *group_flows_new(const mr_assign_net *net, const double *x, int *fail)
{
	double *X;
	*fail = 0;
	if (!net->ngroups || !net->groups)
		return NULL;
	if (!(X = mr_malloc((size_t)net->ngroups * sizeof(double)))) {
		*fail = 1;
		return NULL;
	}
	mr_assign_group_flows(net, x, X);
	return X;
}

double mr_assign_objective(const mr_assign_net *net, const double *x)
{
	double s = 0, *X;
	uint32_t i;
	int fail;
	if (!(X = group_flows_new(net, x, &fail)) && fail)
		return NAN;
	for (i = 0; i < net->nlinks; i++) {
		mr__vdfp p;
		vdf_prepare(&p, &net->links[i], net->toll_factor, net->distance_factor);
		s += mr__vdf_integral(&p, x[i]);
	}
	for (i = 0; X && i < net->ngroups; i++) {
		mr__vdfp p;
		group_prepare(&p, &net->groups[i]);
		s += mr__vdf_integral(&p, X[i]);
	}
	mr_free(X);
	return s;
}

double mr_assign_total_cost(const mr_assign_net *net, const double *x)
{
	double s = 0, *X;
	uint32_t i;
	int fail;
	if (!(X = group_flows_new(net, x, &fail)) && fail)
		return NAN;
	for (i = 0; i < net->nlinks; i++) {
		mr__vdfp p;
		vdf_prepare(&p, &net->links[i], net->toll_factor, net->distance_factor);
		s += x[i] * mr__vdf_cost(&p, x[i]);
	}
	for (i = 0; X && i < net->ngroups; i++)
		s += X[i] * mr_assign_group_delay(&net->groups[i], X[i]);
	mr_free(X);
	return s;
}

/* ---- network and demand ---- */

int mr_assign_net_init(mr_assign_net *net, uint32_t nodes, uint32_t zones, uint32_t first_thru, uint32_t nlinks)
{
	memset(net, 0, sizeof(*net));
	net->links = mr_calloc(nlinks ? nlinks : 1, sizeof(mr_assign_link));
	if (!net->links)
		return MR_ENOMEM;
	net->nodes = nodes;
	net->zones = zones;
	net->first_thru = first_thru;
	net->nlinks = nlinks;
	return MR_OK;
}

int mr_assign_net_groups(mr_assign_net *net, uint32_t ngroups)
{
	uint32_t i;
	mr_free(net->groups);
	mr_free(net->link_group);
	net->groups = NULL;
	net->link_group = NULL;
	net->ngroups = 0;
	net->groups = mr_calloc(ngroups ? ngroups : 1, sizeof(mr_assign_group));
	net->link_group = mr_malloc(((size_t)net->nlinks + 1) * sizeof(uint32_t));
	if (!net->groups || !net->link_group) {
		mr_free(net->groups);
		mr_free(net->link_group);
		net->groups = NULL;
		net->link_group = NULL;
		return MR_ENOMEM;
	}
	for (i = 0; i < net->nlinks; i++)
		net->link_group[i] = MR_ASSIGN_NO_GROUP;
	net->ngroups = ngroups;
	return MR_OK;
}

void mr_assign_net_free(mr_assign_net *net)
{
	if (!net)
		return;
	mr_free(net->links);
	mr_free(net->groups);
	mr_free(net->link_group);
	memset(net, 0, sizeof(*net));
}

void mr_assign_demand_free(mr_assign_demand *d)
{
	if (!d)
		return;
	mr_free(d->first);
	mr_free(d->dest);
	mr_free(d->amount);
	memset(d, 0, sizeof(*d));
}

int mr_assign_demand_build(mr_assign_demand *d, uint32_t zones, size_t n, const uint32_t *orig, const uint32_t *dest,
                           const double *amount, mr_error *err)
{
	size_t i, j;
	uint32_t *cnt = NULL, *fill = NULL, o;
	int rc = MR_OK;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		if (orig[i] >= zones || dest[i] >= zones)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, orig[i] >= zones ? "origin" : "destination",
			                    "entry %zu: zone %u out of range (%u zones)", i, orig[i] >= zones ? orig[i] : dest[i],
			                    zones);
		if (!isfinite(amount[i]) || amount[i] < 0)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "amount", "entry %zu (%u -> %u): amount %g is not >= 0",
			                    i, orig[i], dest[i], amount[i]);
	}
	d->zones = zones;
	d->first = mr_calloc((size_t)zones + 1, sizeof(uint32_t));
	cnt = mr_calloc((size_t)zones + 1, sizeof(uint32_t));
	fill = mr_calloc(n ? n : 1, sizeof(uint32_t));
	d->dest = mr_malloc((n ? n : 1) * sizeof(uint32_t));
	d->amount = mr_malloc((n ? n : 1) * sizeof(double));
	if (!d->first || !cnt || !fill || !d->dest || !d->amount) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
		goto unwind;
	}
	/* counting sort of the entries by origin (stable), then by destination within an origin */
	for (i = 0; i < n; i++)
		cnt[orig[i] + 1]++;
	for (o = 0; o < zones; o++)
		cnt[o + 1] += cnt[o];
	for (i = 0; i < n; i++)
		fill[cnt[orig[i]]++] = (uint32_t)i;
	/* cnt[o] is now the end of origin o's entries; walk each origin's group */
	{
		size_t start = 0, out = 0;
		for (o = 0; o < zones; o++) {
			size_t end = cnt[o], a, b;
			/* insertion sort by destination (groups are small: at most `zones` after merging) */
			for (a = start + 1; a < end; a++) {
				uint32_t v = fill[a];
				b = a;
				while (b > start && dest[fill[b - 1]] > dest[v]) {
					fill[b] = fill[b - 1];
					b--;
				}
				fill[b] = v;
			}
			d->first[o] = (uint32_t)out;
			for (a = start; a < end; a++) {
				j = fill[a];
				if (dest[j] == o || amount[j] == 0)
					continue;
				if (out > d->first[o] && d->dest[out - 1] == dest[j])
					d->amount[out - 1] += amount[j];
				else {
					d->dest[out] = dest[j];
					d->amount[out] = amount[j];
					out++;
				}
			}
			start = end;
		}
		d->first[zones] = (uint32_t)out;
		d->n = out;
		for (i = 0; i < out; i++)
			d->total += d->amount[i];
	}
unwind:
	mr_free(cnt);
	mr_free(fill);
	if (rc != MR_OK)
		mr_assign_demand_free(d);
	return rc;
}

/* ---- options and results ---- */

void mr_assign_iter_format(char *buf, size_t size, const mr_assign_iter *it)
{
	snprintf(buf, size, "iteration %u: relative gap %.3e, average excess cost %.3e, objective %.12g, %.3f s",
	         it->iteration, it->gap, it->aec, it->objective, it->seconds);
}

void mr_assign_opts_init(mr_assign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->algorithm = MR_ASSIGN_B;
	o->gap = 1e-6;
	o->max_iter = 1000;
}

void mr_assign_result_free(mr_assign_result *r)
{
	if (!r)
		return;
	mr_free(r->flow);
	mr_free(r->time);
	mr_free(r->cost);
	mr_free(r->history);
	mr_free(r->group_flow);
	mr_free(r->group_cost);
	memset(r, 0, sizeof(*r));
}

/* ---- the solver ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void mr_assign_destroy(mr_assign *a)
{
	if (!a)
		return;
	mr__b_free(a);
	mr_free(a->out_first);
	mr_free(a->tail);
	mr_free(a->head);
	mr_free(a->ext);
	mr_free(a->intl);
	mr_free(a->vp);
	mr_free(a->dfirst);
	mr_free(a->ddest);
	mr_free(a->damt);
	mr_free(a->x);
	mr_free(a->cost);
	mr_free(a->der);
	mr_heap_free(&a->heap);
	mr_free(a->dist);
	mr_free(a->pred);
	mr_free(a->order);
	mr_free(a->nflow);
	mr_free(a->y);
	mr_free(a->s1);
	mr_free(a->s2);
	mr_free(a->buf);
	mr_free(a->grp);
	mr_free(a->gfirst);
	mr_free(a->gmem);
	mr_free(a->gp);
	mr_free(a->gx);
	mr_free(a->gcost);
	mr_free(a->gder);
	mr_free(a->ocost);
	mr_free(a->gtmp);
	mr_free(a->gdirty);
	mr_free(a->gmark);
	mr_free(a);
}

/* Delay of group g at its flow and the costs of its links. */
static void group_update(mr_assign *a, uint32_t g)
{
	uint32_t k, end;
	double gc;
	mr__vdf_eval(&a->gp[g], a->gx[g], &a->gcost[g], &a->gder[g]);
	gc = a->gcost[g];
	for (k = a->gfirst[g], end = a->gfirst[g + 1]; k < end; k++) {
		uint32_t i = a->gmem[k];
		a->cost[i] = a->ocost[i] + gc;
	}
}

void mr__assign_groups_flush(mr_assign *a)
{
	uint32_t k;
	for (k = 0; k < a->ndirty; k++) {
		uint32_t g = a->gdirty[k];
		a->gmark[g] = 0;
		group_update(a, g);
	}
	a->ndirty = 0;
}

void mr__assign_costs(mr_assign *a)
{
	uint32_t i, g;
	if (!a->ng) {
		for (i = 0; i < a->m; i++)
			mr__vdf_eval(&a->vp[i], a->x[i], &a->cost[i], &a->der[i]);
		return;
	}
	for (g = 0; g < a->ng; g++)
		a->gx[g] = 0;
	for (i = 0; i < a->m; i++) {
		if ((g = a->grp[i]) == MR__NONE) {
			mr__vdf_eval(&a->vp[i], a->x[i], &a->cost[i], &a->der[i]);
			continue;
		}
		mr__vdf_eval(&a->vp[i], a->x[i], &a->ocost[i], &a->der[i]);
		a->gx[g] += a->x[i];
	}
	for (g = 0; g < a->ng; g++) {
		a->gmark[g] = 0;
		group_update(a, g);
	}
	a->ndirty = 0;
}

void mr__assign_sp(mr_assign *a, uint32_t o)
{
	double *dist = a->dist, d;
	uint32_t *pred = a->pred, *order = a->order, v, n = 0;
	const uint32_t *of = a->out_first, *head = a->head;
	const double *cost = a->cost;
	mr_heap *h = &a->heap;

	for (v = 0; v < a->n; v++) {
		dist[v] = HUGE_VAL;
		pred[v] = MR__NONE;
	}
	mr_heap_clear(h);
	dist[o] = 0;
	mr_heap_push(h, o, 0);
	while (!mr_heap_empty(h)) {
		uint32_t e, end;
		v = mr_heap_pop(h, &d);
		order[n++] = v;
		if (v < a->first_thru && v != o)
			continue;
		for (e = of[v], end = of[v + 1]; e < end; e++) {
			uint32_t w = head[e];
			double nd = d + cost[e];
			if (nd < dist[w]) {
				dist[w] = nd;
				pred[w] = e;
				mr_heap_push_or_decrease(h, w, nd);
			}
		}
	}
	a->nsettled = n;
}

int mr__assign_reduce(mr_assign *a, double *buf, size_t n, mr_error *err)
{
	if (!a->o.allreduce_sum)
		return MR_OK;
	if (a->o.allreduce_sum(buf, n, a->o.allreduce_ctx) != 0)
		return mr_error_set(err, MR_EIO, NULL, 0, 0, "allreduce_sum", "the allreduce hook failed (%zu values)", n);
	return MR_OK;
}

int mr__assign_agree(mr_assign *a, int rc, mr_error *err)
{
	double v = rc != MR_OK;
	int r2;
	if (!a->o.allreduce_sum)
		return rc;
	if ((r2 = mr__assign_reduce(a, &v, 1, err)) != MR_OK)
		return rc != MR_OK ? rc : r2;
	if (rc == MR_OK && v > 0)
		return mr_error_set(err, MR_EIO, NULL, 0, 0, "allreduce_sum", "another process failed");
	return rc;
}

double mr__assign_sptt_local(mr_assign *a)
{
	double s = 0;
	uint32_t o, j;
	for (o = a->lo; o < a->hi; o++) {
		if (a->dfirst[o] == a->dfirst[o + 1])
			continue;
		mr__assign_sp(a, o);
		for (j = a->dfirst[o]; j < a->dfirst[o + 1]; j++)
			s += a->damt[j] * a->dist[a->ddest[j]];
	}
	return s;
}

/* All-or-nothing at the current costs for this process's origins into y (summed over every
 * process with the hook); *sptt = demand times shortest-path costs (also summed). */
static int aon(mr_assign *a, double *y, double *sptt, mr_error *err)
{
	uint32_t o, j, i;
	double s = 0;
	int rc;

	memset(y, 0, (size_t)a->m * sizeof(double));
	for (o = a->lo; o < a->hi; o++) {
		double *nf = a->nflow;
		if (a->dfirst[o] == a->dfirst[o + 1])
			continue;
		mr__assign_sp(a, o);
		for (j = a->dfirst[o]; j < a->dfirst[o + 1]; j++) {
			nf[a->ddest[j]] += a->damt[j];
			s += a->damt[j] * a->dist[a->ddest[j]];
		}
		for (i = a->nsettled; i-- > 1;) {
			uint32_t v = a->order[i], e = a->pred[v];
			double f = nf[v];
			nf[v] = 0;
			if (f != 0) {
				y[e] += f;
				nf[a->tail[e]] += f;
			}
		}
		nf[o] = 0;
	}
	if (a->o.allreduce_sum) {
		memcpy(a->buf, y, (size_t)a->m * sizeof(double));
		a->buf[a->m] = s;
		if ((rc = mr__assign_reduce(a, a->buf, (size_t)a->m + 1, err)) != MR_OK)
			return rc;
		memcpy(y, a->buf, (size_t)a->m * sizeof(double));
		s = a->buf[a->m];
	}
	*sptt = s;
	return MR_OK;
}

/* phi'(lambda) = sum c(x + lambda d) d and phi'' over the links where d != 0; with groups, gx0
 * and gd are the groups' sums of x and d (the group terms D_g(X_g + lambda D_g) D_g and
 * D_g' D_g^2). */
static void ls_eval(const mr_assign *a, const double *x, const double *d, const double *gx0, const double *gd,
                    double lambda, double *g, double *h)
{
	double sg = 0, sh = 0, c, dd;
	uint32_t i;
	for (i = 0; i < a->m; i++) {
		if (d[i] == 0)
			continue;
		mr__vdf_eval(&a->vp[i], x[i] + lambda * d[i], &c, &dd);
		sg += c * d[i];
		sh += dd * d[i] * d[i];
	}
	for (i = 0; i < a->ng; i++) {
		if (gd[i] == 0)
			continue;
		mr__vdf_eval(&a->gp[i], gx0[i] + lambda * gd[i], &c, &dd);
		sg += c * gd[i];
		sh += dd * gd[i] * gd[i];
	}
	*g = sg;
	*h = sh;
}

/* The groups' sums of u into su and of v into sv (ng each). */
static void group_sums(const mr_assign *a, const double *u, const double *v, double *su, double *sv)
{
	uint32_t g, k;
	for (g = 0; g < a->ng; g++) {
		double s = 0, t = 0;
		for (k = a->gfirst[g]; k < a->gfirst[g + 1]; k++) {
			s += u[a->gmem[k]];
			t += v[a->gmem[k]];
		}
		su[g] = s;
		sv[g] = t;
	}
}

double mr__assign_line_search(mr_assign *a, const double *x, const double *d)
{
	return mr__assign_line_search_to(a, x, d, 1);
}

double mr__assign_line_search_to(mr_assign *a, const double *x, const double *d, double top)
{
	double lo = 0, hi = top, lam, g, h, g0, g1, *gx0 = a->gtmp, *gd = a->gtmp ? a->gtmp + a->ng : NULL;
	int it;

	if (a->ng)
		group_sums(a, x, d, gx0, gd);

	ls_eval(a, x, d, gx0, gd, 0, &g0, &h);
	if (!(g0 < 0))
		return 0;
	ls_eval(a, x, d, gx0, gd, top, &g1, &h);
	if (g1 <= 0)
		return top;
	lam = top * (g0 / (g0 - g1)); /* secant start */
	for (it = 0; it < 100; it++) {
		double nl;
		ls_eval(a, x, d, gx0, gd, lam, &g, &h);
		if (g == 0)
			break;
		if (g > 0)
			hi = lam;
		else
			lo = lam;
		nl = h > 0 ? lam - g / h : 0.5 * (lo + hi);
		if (!(nl > lo && nl < hi))
			nl = 0.5 * (lo + hi);
		if (fabs(nl - lam) <= 1e-16 * top || hi - lo <= 1e-15 * top)
			return nl;
		lam = nl;
	}
	return lam;
}

int mr_assign_create(mr_assign **out, const mr_assign_net *net, const mr_assign_demand *dem, const mr_assign_opts *o,
                     mr_error *err)
{
	mr_assign *a = NULL;
	mr_assign_opts defo;
	uint32_t i, v, m, n;
	uint64_t h = 0xcbf29ce484222325ULL;
	char why[200];
	int rc;

	*out = NULL;
	if (!o) {
		mr_assign_opts_init(&defo);
		o = &defo;
	}
	if (!net || !dem || net->nodes == 0 || (net->nlinks && !net->links))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no network or no demand");
	if (net->zones == 0 || net->zones > net->nodes || net->first_thru > net->nodes)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "zones", "%u zones and first through node %u for %u nodes",
		                    net->zones, net->first_thru, net->nodes);
	if (net->nodes >= MR__NONE || net->nlinks >= MR__NONE)
		return mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "too many nodes or links");
	if (dem->zones != net->zones)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "zones", "the demand has %u zones, the network %u",
		                    dem->zones, net->zones);
	if (!dem->first || dem->first[0] != 0 || dem->first[dem->zones] != dem->n || (dem->n && (!dem->dest || !dem->amount)))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "demand", "the demand's arrays are inconsistent");
	for (v = 0; v < dem->zones; v++) {
		size_t j;
		if (dem->first[v + 1] < dem->first[v])
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "demand", "the demand's arrays are inconsistent");
		for (j = dem->first[v]; j < dem->first[v + 1]; j++)
			if (dem->dest[j] >= dem->zones || dem->dest[j] == v || !isfinite(dem->amount[j]) || dem->amount[j] < 0)
				return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "demand",
				                    "entry %zu (zone %u to %u, amount %g) is not valid", j, v, dem->dest[j],
				                    dem->amount[j]);
	}
	if (o->algorithm < MR_ASSIGN_AON || o->algorithm > MR_ASSIGN_B)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "algorithm", "unknown algorithm %d", o->algorithm);
	if (!isfinite(o->gap) || o->gap < 0 || !isfinite(o->max_seconds) || o->max_seconds < 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "gap", "gap %g and max_seconds %g must be >= 0", o->gap,
		                    o->max_seconds);
	if (o->algorithm != MR_ASSIGN_AON && o->gap == 0 && o->max_iter == 0 && o->max_seconds == 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "max_iter", "no stop rule: give gap, max_iter or max_seconds");
	if (o->origin_lo > o->origin_hi || o->origin_hi > net->zones ||
	    (!o->allreduce_sum && o->origin_hi == o->origin_lo && o->origin_lo))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "origin_hi", "origin range [%u, %u) for %u zones",
		                    o->origin_lo, o->origin_hi, net->zones);
	for (i = 0; i < net->nlinks; i++) {
		const mr_assign_link *l = &net->links[i];
		mr__vdfp p;
		if (!link_ok(l, net->nodes, why, sizeof(why)))
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "link", "link %u: %s", i, why);
		vdf_prepare(&p, l, net->toll_factor, net->distance_factor);
		if (!(mr__vdf_cost(&p, 0) >= 0))
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "link",
			                    "link %u: generalized cost at zero flow %g is negative", i, mr__vdf_cost(&p, 0));
	}
	if (net->ngroups && !net->groups)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "groups", "%u groups without their parameters", net->ngroups);
	if (net->ngroups >= MR__NONE)
		return mr_error_set(err, MR_ELIMIT, NULL, 0, 0, "groups", "too many groups");
	for (i = 0; i < net->ngroups; i++)
		if (!group_ok(&net->groups[i], why, sizeof(why)))
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "group", "group %u: %s", i, why);
	for (i = 0; net->link_group && i < net->nlinks; i++)
		if (net->link_group[i] != MR_ASSIGN_NO_GROUP && net->link_group[i] >= net->ngroups)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "link_group", "link %u: group %u out of range (%u groups)",
			                    i, net->link_group[i], net->ngroups);
	if (!(a = mr_calloc(1, sizeof(*a))))
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	a->o = *o;
	a->n = n = net->nodes;
	a->m = m = net->nlinks;
	a->zones = net->zones;
	a->first_thru = net->first_thru;
	a->lo = o->origin_hi || o->allreduce_sum ? o->origin_lo : 0;
	a->hi = o->origin_hi || o->allreduce_sum ? o->origin_hi : net->zones;
	a->tau1 = a->tau2 = -1;
	a->last_gap = HUGE_VAL;
	a->out_first = mr_calloc((size_t)n + 1, sizeof(uint32_t));
	a->tail = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
	a->head = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
	a->ext = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
	a->intl = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
	a->vp = mr_malloc(((size_t)m + 1) * sizeof(mr__vdfp));
	a->x = mr_calloc((size_t)m + 1, sizeof(double));
	a->cost = mr_calloc((size_t)m + 1, sizeof(double));
	a->der = mr_calloc((size_t)m + 1, sizeof(double));
	a->dist = mr_malloc((size_t)n * sizeof(double));
	a->pred = mr_malloc((size_t)n * sizeof(uint32_t));
	a->order = mr_malloc((size_t)n * sizeof(uint32_t));
	a->nflow = mr_calloc((size_t)n, sizeof(double));
	/* with groups, Algorithm B's MPI scheme adds two slots per process to a pass's reduction */
	a->buf = mr_malloc(((size_t)(m > net->zones ? m : net->zones) + 4 + (net->ngroups ? 2 * (size_t)net->zones : 0)) *
	                   sizeof(double));
	a->dfirst = mr_malloc(((size_t)a->zones + 1) * sizeof(uint32_t));
	a->ddest = mr_malloc((dem->n ? dem->n : 1) * sizeof(uint32_t));
	a->damt = mr_malloc((dem->n ? dem->n : 1) * sizeof(double));
	if (!a->out_first || !a->tail || !a->head || !a->ext || !a->intl || !a->vp || !a->x || !a->cost || !a->der ||
	    !a->dist || !a->pred || !a->order || !a->nflow || !a->buf || !a->dfirst || !a->ddest || !a->damt) {
		rc = MR_ENOMEM;
		goto fail;
	}
	if ((rc = mr_heap_init(&a->heap, n)) != MR_OK)
		goto fail;
	if (net->ngroups) {
		uint32_t ng = a->ng = net->ngroups;
		a->grp = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
		a->gfirst = mr_calloc((size_t)ng + 2, sizeof(uint32_t));
		a->gmem = mr_malloc(((size_t)m + 1) * sizeof(uint32_t));
		a->gp = mr_malloc((size_t)ng * sizeof(mr__vdfp));
		a->gx = mr_calloc((size_t)ng, sizeof(double));
		a->gcost = mr_calloc((size_t)ng, sizeof(double));
		a->gder = mr_calloc((size_t)ng, sizeof(double));
		a->ocost = mr_calloc((size_t)m + 1, sizeof(double));
		a->gtmp = mr_malloc(4 * (size_t)ng * sizeof(double));
		a->gdirty = mr_malloc((size_t)ng * sizeof(uint32_t));
		a->gmark = mr_calloc((size_t)ng, 1);
		if (!a->grp || !a->gfirst || !a->gmem || !a->gp || !a->gx || !a->gcost || !a->gder || !a->ocost || !a->gtmp ||
		    !a->gdirty || !a->gmark) {
			rc = MR_ENOMEM;
			goto fail;
		}
		for (i = 0; i < ng; i++)
			group_prepare(&a->gp[i], &net->groups[i]);
	}
	if (o->algorithm != MR_ASSIGN_B && o->algorithm != MR_ASSIGN_AON) {
		a->y = mr_calloc((size_t)m + 1, sizeof(double));
		if (o->algorithm == MR_ASSIGN_CFW || o->algorithm == MR_ASSIGN_BFW) {
			a->s1 = mr_calloc((size_t)m + 1, sizeof(double));
			a->s2 = mr_calloc((size_t)m + 1, sizeof(double));
		}
		if (!a->y || (o->algorithm >= MR_ASSIGN_CFW && (!a->s1 || !a->s2))) {
			rc = MR_ENOMEM;
			goto fail;
		}
	}
	/* links sorted by tail (counting sort, stable) */
	for (i = 0; i < m; i++)
		a->out_first[net->links[i].tail + 1]++;
	for (v = 0; v < n; v++)
		a->out_first[v + 1] += a->out_first[v];
	for (i = 0; i < m; i++) {
		const mr_assign_link *l = &net->links[i];
		uint32_t k = a->out_first[l->tail]++;
		a->tail[k] = l->tail;
		a->head[k] = l->head;
		a->ext[k] = i;
		a->intl[i] = k;
		vdf_prepare(&a->vp[k], l, net->toll_factor, net->distance_factor);
	}
	for (v = n; v > 0; v--)
		a->out_first[v] = a->out_first[v - 1];
	a->out_first[0] = 0;
	/* group members (internal ids, increasing), by counting sort */
	if (a->ng) {
		uint32_t g;
		for (i = 0; i < m; i++) {
			a->grp[i] = link_group(net, a->ext[i]);
			if (a->grp[i] != MR__NONE)
				a->gfirst[a->grp[i] + 2]++;
		}
		for (g = 0; g < a->ng; g++)
			a->gfirst[g + 2] += a->gfirst[g + 1];
		for (i = 0; i < m; i++)
			if ((g = a->grp[i]) != MR__NONE)
				a->gmem[a->gfirst[g + 1]++] = i;
	}
	/* the network's fingerprint (for warm-start files) */
	h = fnv(h, &net->nodes, sizeof(uint32_t));
	h = fnv(h, &net->zones, sizeof(uint32_t));
	h = fnv(h, &net->first_thru, sizeof(uint32_t));
	h = fnv(h, &net->nlinks, sizeof(uint32_t));
	for (i = 0; i < m; i++) {
		h = fnv(h, &net->links[i].tail, sizeof(uint32_t));
		h = fnv(h, &net->links[i].head, sizeof(uint32_t));
	}
	a->fingerprint = h;
	/* demand copy */
	memcpy(a->dfirst, dem->first, ((size_t)a->zones + 1) * sizeof(uint32_t));
	if (dem->n) {
		memcpy(a->ddest, dem->dest, dem->n * sizeof(uint32_t));
		memcpy(a->damt, dem->amount, dem->n * sizeof(double));
	}
	a->total_demand = dem->total;
	/* every destination of this process's origins must be reachable */
	mr__assign_costs(a);
	for (v = a->lo; v < a->hi; v++) {
		uint32_t j;
		if (a->dfirst[v] == a->dfirst[v + 1])
			continue;
		mr__assign_sp(a, v);
		for (j = a->dfirst[v]; j < a->dfirst[v + 1]; j++)
			if (a->dist[a->ddest[j]] == HUGE_VAL) {
				rc = mr_error_set(err, MR_ENOROUTE, NULL, 0, 0, "demand",
				                  "zone %u cannot be reached from zone %u (TNTP numbers %u and %u)", a->ddest[j], v,
				                  a->ddest[j] + 1, v + 1);
				goto fail_set;
			}
	}
	*out = a;
	return MR_OK;
fail:
	mr_error_set(err, rc, NULL, 0, 0, NULL, "%s", mr_strerror(rc));
fail_set:
	mr_assign_destroy(a);
	return rc;
}

/* ---- the run ---- */

/* Record iteration k (state x with costs up to date, sptt summed over every process), call the
 * callback and decide whether to stop (*stop = enum mr_assign_stop, or -1 to go on). */
static int report(mr_assign *a, mr_assign_result *res, uint32_t k, double sptt, int *stop, mr_error *err)
{
	double tstt = 0, obj = 0, now;
	mr_assign_iter it;
	uint32_t i;
	int cb = 0, timeup, rc, fail = MR_OK;

	for (i = 0; i < a->m; i++) {
		tstt += a->x[i] * a->cost[i];
		obj += mr__vdf_integral(&a->vp[i], a->x[i]);
	}
	for (i = 0; i < a->ng; i++)
		obj += mr__vdf_integral(&a->gp[i], a->gx[i]);
	now = mr_now_s();
	it.iteration = k;
	it.gap = sptt > 0 ? (tstt - sptt) / sptt : 0;
	it.aec = a->total_demand > 0 ? (tstt - sptt) / a->total_demand : 0;
	it.objective = obj;
	it.seconds = now - a->t_start;
	a->last_gap = it.gap;
	if (res->nhistory % 64 == 0) {
		mr_assign_iter *p = mr_realloc(res->history, (res->nhistory + 64) * sizeof(*p));
		if (!p)
			fail = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
		else
			res->history = p;
	}
	if (fail == MR_OK)
		res->history[res->nhistory++] = it;
	res->gap = it.gap;
	res->aec = it.aec;
	res->objective = obj;
	res->tstt = tstt;
	res->sptt = sptt;
	res->iterations = k;
	if (a->o.on_iter && fail == MR_OK)
		cb = a->o.on_iter(a->o.on_iter_ud, &it) != 0;
	timeup = a->o.max_seconds > 0 && it.seconds >= a->o.max_seconds;
	if (a->o.allreduce_sum) {
		double f[3];
		f[0] = cb;
		f[1] = timeup;
		f[2] = fail != MR_OK;
		if ((rc = mr__assign_reduce(a, f, 3, err)) != MR_OK)
			return fail != MR_OK ? fail : rc;
		cb = f[0] > 0;
		timeup = f[1] > 0;
		if (fail == MR_OK && f[2] > 0)
			fail = mr_error_set(err, MR_EIO, NULL, 0, 0, "allreduce_sum", "another process failed");
	}
	if (fail != MR_OK)
		return fail;
	if (a->o.gap > 0 && it.gap <= a->o.gap)
		*stop = MR_ASSIGN_STOP_GAP;
	else if (a->o.algorithm == MR_ASSIGN_AON || (a->o.max_iter && k >= a->o.max_iter))
		*stop = MR_ASSIGN_STOP_ITER;
	else if (timeup)
		*stop = MR_ASSIGN_STOP_TIME;
	else if (cb)
		*stop = MR_ASSIGN_STOP_CALLBACK;
	else
		*stop = -1;
	return MR_OK;
}

/* Sum over groups of D_g' P_g Q_g: the group part of p'Hq, with P_g and Q_g the groups' sums of
 * p and q, where p = sum_k pc[k] v[k] and q likewise over vectors v[0..nv) (NULL = the flows x;
 * per-group sums of each vector in gs[k * ng ..]). */
static double group_hess(const mr_assign *a, const double *gs, uint32_t nv, const double *pc, const double *qc)
{
	double s = 0;
	uint32_t g, k;
	for (g = 0; g < a->ng; g++) {
		double P = 0, Q = 0;
		for (k = 0; k < nv; k++) {
			P += pc[k] * gs[(size_t)k * a->ng + g];
			Q += qc[k] * gs[(size_t)k * a->ng + g];
		}
		s += a->gder[g] * P * Q;
	}
	return s;
}

/* The conjugate (CFW) or biconjugate (BFW) target point s from the AON point y (in place in y);
 * Mitradjieva and Lindberg (2013). H is the Hessian of the objective at x: the diagonal of link
 * cost derivatives plus, for each group, D_g' on every pair of its links. */
static void conjugate_target(mr_assign *a, double *y)
{
	const double *x = a->x, *H = a->der, *s1 = a->s1, *s2 = a->s2;
	uint32_t i, m = a->m;
	int bi = a->o.algorithm == MR_ASSIGN_BFW;
	double *gs = a->gtmp; /* the groups' sums of x, y, s1, s2 */

	if (!a->have_s1 || a->tau1 >= 1 || a->tau1 <= 0)
		return; /* plain AON */
	if (a->ng) {
		group_sums(a, x, y, gs, gs + a->ng);
		group_sums(a, s1, s2, gs + 2 * a->ng, gs + 3 * a->ng);
	}
	if (!bi || !a->have_s2 || a->tau2 >= 1 || a->tau2 <= 0) {
		double num = 0, den = 0, al;
		for (i = 0; i < m; i++) {
			double db = s1[i] - x[i], da = y[i] - x[i];
			num += H[i] * db * da;
			den += H[i] * db * (da - db);
		}
		if (a->ng) { /* vectors x, y, s1, s2 */
			static const double db[4] = {-1, 0, 1, 0}, da[4] = {-1, 1, 0, 0}, dd[4] = {0, 1, -1, 0};
			num += group_hess(a, gs, 4, db, da);
			den += group_hess(a, gs, 4, db, dd);
		}
		al = den != 0 ? num / den : 0;
		if (!(al > 0))
			al = 0;
		if (al > 1 - 1e-6)
			return; /* (almost) the previous target again: restart from the AON point */
		for (i = 0; i < m; i++)
			y[i] = al * s1[i] + (1 - al) * y[i];
		return;
	}
	{
		double t = a->tau1, n1 = 0, d1 = 0, n2 = 0, d2 = 0, mu, nu, b0;
		for (i = 0; i < m; i++) {
			double db = t * s1[i] - x[i] + (1 - t) * s2[i], da = y[i] - x[i], d1i = s1[i] - x[i];
			n1 += H[i] * db * da;
			d1 += H[i] * db * (s2[i] - s1[i]);
			n2 += H[i] * d1i * da;
			d2 += H[i] * d1i * d1i;
		}
		if (a->ng) { /* vectors x, y, s1, s2 */
			const double db[4] = {-1, 0, t, 1 - t}, da[4] = {-1, 1, 0, 0}, d21[4] = {0, 0, -1, 1},
			             d1v[4] = {-1, 0, 1, 0};
			n1 += group_hess(a, gs, 4, db, da);
			d1 += group_hess(a, gs, 4, db, d21);
			n2 += group_hess(a, gs, 4, d1v, da);
			d2 += group_hess(a, gs, 4, d1v, d1v);
		}
		if (d1 == 0 || d2 == 0)
			return;
		mu = -n1 / d1;
		if (!(mu > 0))
			mu = 0;
		nu = mu * t / (1 - t) - n2 / d2;
		if (!(nu > 0))
			nu = 0;
		b0 = 1 / (1 + mu + nu);
		for (i = 0; i < m; i++)
			y[i] = b0 * y[i] + nu * b0 * s1[i] + mu * b0 * s2[i];
	}
}

static int run_fw(mr_assign *a, mr_assign_result *res, mr_error *err)
{
	uint32_t i, k, m = a->m;
	double sptt;
	int rc, stop = -1;

	if (a->o.algorithm == MR_ASSIGN_AON || !a->started) {
		memset(a->x, 0, (size_t)m * sizeof(double));
		if (a->o.init_flow && a->o.algorithm != MR_ASSIGN_AON) {
			for (i = 0; i < m; i++) {
				double f = a->o.init_flow[a->ext[i]];
				if (!isfinite(f) || f < 0)
					return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "init_flow", "link %u: flow %g is not >= 0",
					                    a->ext[i], f);
				a->x[i] = f;
			}
		} else {
			double *y = a->y ? a->y : a->x; /* AON has no y: load straight into x */
			mr__assign_costs(a);
			if ((rc = aon(a, y, &sptt, err)) != MR_OK)
				return rc;
			if (y != a->x)
				memcpy(a->x, y, (size_t)m * sizeof(double));
		}
		a->fw_k = 0;
		a->have_s1 = a->have_s2 = 0;
		a->started = 1;
	}
	mr__assign_costs(a);
	if (a->o.algorithm == MR_ASSIGN_AON) {
		sptt = mr__assign_sptt_local(a);
		if ((rc = mr__assign_reduce(a, &sptt, 1, err)) != MR_OK)
			return rc;
		rc = report(a, res, 1, sptt, &stop, err);
		res->stop = MR_ASSIGN_STOP_ITER;
		return rc;
	}
	for (k = 1;; k++) {
		double *y = a->y, lam;
		if ((rc = aon(a, y, &sptt, err)) != MR_OK)
			return rc;
		if ((rc = report(a, res, k, sptt, &stop, err)) != MR_OK)
			return rc;
		if (stop >= 0)
			break;
		if (a->o.algorithm == MR_ASSIGN_MSA) {
			double step = 1.0 / (double)(a->fw_k + 2);
			for (i = 0; i < m; i++)
				a->x[i] += step * (y[i] - a->x[i]);
		} else {
			double *d = a->buf, g = 0;
			if (a->o.algorithm != MR_ASSIGN_FW) {
				double *yc = a->buf; /* keep the AON point for the fallback */
				memcpy(yc, y, (size_t)m * sizeof(double));
				conjugate_target(a, y);
				for (i = 0; i < m; i++)
					g += a->cost[i] * (y[i] - a->x[i]);
				if (!(g < 0)) /* not a descent direction: back to Frank-Wolfe */
					memcpy(y, yc, (size_t)m * sizeof(double));
			}
			for (i = 0; i < m; i++)
				d[i] = y[i] - a->x[i];
			lam = mr__assign_line_search(a, a->x, d);
			for (i = 0; i < m; i++)
				a->x[i] += lam * d[i];
			if (a->o.algorithm != MR_ASSIGN_FW) {
				double *t = a->s2;
				a->s2 = a->s1;
				a->s1 = t;
				memcpy(a->s1, y, (size_t)m * sizeof(double));
				a->have_s2 = a->have_s1;
				a->have_s1 = 1;
				a->tau2 = a->tau1;
				a->tau1 = lam;
			}
		}
		a->fw_k++;
		mr__assign_costs(a);
	}
	res->stop = stop;
	return MR_OK;
}

static int run_b(mr_assign *a, mr_assign_result *res, mr_error *err)
{
	uint32_t k;
	int rc, stop = -1;
	double sptt;

	if (!a->started) {
		if ((rc = mr__b_start(a, err)) != MR_OK)
			return rc;
		a->started = 1;
	}
	for (k = 1;; k++) {
		if ((rc = mr__b_iterate(a, err)) != MR_OK)
			return rc;
		sptt = mr__assign_sptt_local(a);
		if ((rc = mr__assign_reduce(a, &sptt, 1, err)) != MR_OK)
			return rc;
		if ((rc = report(a, res, k, sptt, &stop, err)) != MR_OK)
			return rc;
		if (stop >= 0)
			break;
	}
	res->stop = stop;
	return MR_OK;
}

/* With the MPI hook: learn the processes' origin ranges (one allreduce of a value per zone) and
 * this process's turn in Algorithm B's rotation. */
static int hook_setup(mr_assign *a, mr_error *err)
{
	double *v = a->buf;
	uint32_t z, np = 0, me = MR__NONE; /* a process without origins has no turn */
	int rc;

	for (z = 0; z < a->zones; z++)
		v[z] = z >= a->lo && z < a->hi ? (double)a->lo + 1 : 0;
	if ((rc = mr__assign_reduce(a, v, a->zones, err)) != MR_OK)
		return rc;
	/* v[z] - 1 is the first origin of z's process: the ranges must tile 0 .. zones-1 */
	for (z = 0; z < a->zones; z++) {
		double s = v[z] - 1;
		if (s == (double)z) {
			if (z == a->lo && a->lo < a->hi)
				me = np;
			np++;
		} else if (z == 0 || s != v[z - 1] - 1)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "origin_lo",
			                    "the processes' origin ranges overlap or leave zone %u out", z);
	}
	a->np = np;
	a->me = me;
	return MR_OK;
}

int mr_assign_run(mr_assign *a, mr_assign_result *res, mr_error *err)
{
	uint32_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	res->nlinks = a->m;
	res->flow = mr_malloc(((size_t)a->m + 1) * sizeof(double));
	res->time = mr_malloc(((size_t)a->m + 1) * sizeof(double));
	res->cost = mr_malloc(((size_t)a->m + 1) * sizeof(double));
	if (a->ng) {
		res->ngroups = a->ng;
		res->group_flow = mr_malloc((size_t)a->ng * sizeof(double));
		res->group_cost = mr_malloc((size_t)a->ng * sizeof(double));
	}
	rc = !res->flow || !res->time || !res->cost || (a->ng && (!res->group_flow || !res->group_cost))
	             ? mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory")
	             : MR_OK;
	if ((rc = mr__assign_agree(a, rc, err)) != MR_OK) /* with the hook, every process fails */
		goto fail;
	a->t_start = mr_now_s();
	if (a->o.allreduce_sum && !a->np && (rc = hook_setup(a, err)) != MR_OK)
		goto fail;
	rc = a->o.algorithm == MR_ASSIGN_B ? run_b(a, res, err) : run_fw(a, res, err);
	if (rc != MR_OK)
		goto fail;
	for (i = 0; i < a->m; i++) {
		uint32_t e = a->ext[i];
		mr__vdfp t = a->vp[i];
		t.fix = 0; /* the time alone */
		res->flow[e] = a->x[i];
		res->cost[e] = a->cost[i];
		res->time[e] = mr__vdf_cost(&t, a->x[i]);
		if (a->ng && a->grp[i] != MR__NONE)
			res->time[e] += a->gcost[a->grp[i]];
	}
	for (i = 0; i < a->ng; i++) {
		res->group_flow[i] = a->gx[i];
		res->group_cost[i] = a->gcost[i];
	}
	res->seconds = mr_now_s() - a->t_start;
	return MR_OK;
fail:
	if (rc == MR_ENOMEM)
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	mr_assign_result_free(res);
	return rc;
}

int mr_assign_save(const mr_assign *a, const char *path, mr_error *err)
{
	if (a->o.algorithm != MR_ASSIGN_B)
		return mr_error_set(err, MR_EINVAL, path, 0, 0, "algorithm", "only Algorithm B saves bushes");
	if (!a->started || !a->bushes)
		return mr_error_set(err, MR_EINVAL, path, 0, 0, NULL, "no bushes yet: run first");
	return mr__b_save(a, path, err);
}

int mr_assign_load(mr_assign *a, const char *path, mr_error *err)
{
	if (a->o.algorithm != MR_ASSIGN_B)
		return mr_error_set(err, MR_EINVAL, path, 0, 0, "algorithm", "only Algorithm B loads bushes");
	if (a->started)
		return mr_error_set(err, MR_EINVAL, path, 0, 0, NULL, "load bushes before the first run");
	return mr__b_load(a, path, err);
}

int mr_assign_origin_flows(const mr_assign *a, uint32_t origin, double *x)
{
	if (!a || !x || a->o.algorithm != MR_ASSIGN_B || !a->started || !a->bushes || origin < a->lo || origin >= a->hi)
		return MR_EINVAL;
	mr__b_origin_flows(a, origin, x);
	return MR_OK;
}

int mr_assign_solve(const mr_assign_net *net, const mr_assign_demand *demand, const mr_assign_opts *o,
                    mr_assign_result *res, mr_error *err)
{
	mr_assign *a;
	int rc;
	memset(res, 0, sizeof(*res));
	if ((rc = mr_assign_create(&a, net, demand, o, err)) != MR_OK)
		return rc;
	rc = mr_assign_run(a, res, err);
	mr_assign_destroy(a);
	return rc;
}
