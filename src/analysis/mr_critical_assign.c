/* mr_critical_assign.c: capacity-aware criticality (mr_crit_assign): the change in equilibrium
 * system cost when an element is removed, with the assignment of mr_flows.h and mr_assign.h.
 *
 * A removal is expressed through the route options, as `--avoid` would: the element's link,
 * border, passage or node id is added to the options' avoid list, so mr_flow_problem_make leaves
 * exactly the element's arcs out of the problem (the router's weights, INFINITY on them). Transfer
 * points have no such name and are not evaluated (their row is NaN). The demand that loses every
 * route is taken out of the assignment (and reported as lost); the rest is assigned again, and
 * its system cost is compared with the system cost of the same demand assigned on the unchanged
 * network (the base equilibrium itself when nothing is lost). */
#include <math.h>
#include <string.h>

#include "meridian/mr_assign.h"
#include "meridian/mr_critical.h"
#include "meridian/mr_flows.h"

/* Equilibrium total cost (TSTT) of demand d under options o; *gap and *iter if not NULL. */
static int system_cost(const mr_net *net, const mr_route_opts *o, const mr_flow_capacity *cap, const mr_flow_demand *d,
                       double alpha, double beta, const mr_assign_opts *ao, double *tstt, double *gap, uint32_t *iter,
                       mr_error *err)
{
	mr_flow_problem p;
	mr_assign_result res;
	mr_assign_opts q = *ao;
	int rc;
	memset(&res, 0, sizeof(res));
	q.on_iter = NULL; /* a progress line per solve would flood the terminal */
	if (!d->n) {
		*tstt = 0;
		if (gap)
			*gap = 0;
		if (iter)
			*iter = 0;
		return MR_OK;
	}
	if ((rc = mr_flow_problem_make(net, o, cap, d, alpha, beta, &p, err)))
		return rc;
	rc = mr_assign_solve(&p.an, &p.ad, &q, &res, err);
	if (rc == MR_OK) {
		*tstt = res.tstt;
		if (gap)
			*gap = res.gap;
		if (iter)
			*iter = res.iterations;
	}
	mr_assign_result_free(&res);
	mr_flow_problem_free(&p);
	return rc;
}

int mr_crit_assign(const mr_net *net, const mr_crit_elements *el, const mr_flow_demand *d, const mr_flow_capacity *cap,
                   const mr_route_opts *ro, double alpha, double beta, const mr_assign_opts *ao, const uint32_t *which,
                   size_t n, double *base_cost, mr_crit_assign_row *rows, mr_error *err)
{
	mr_router *r = NULL;
	const char **avoid = NULL;
	mr_flow_demand kept;
	double base;
	size_t i, k;
	int rc;

	memset(&kept, 0, sizeof(kept));
	for (i = 0; i < n; i++)
		if (which[i] >= el->n)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "element %u out of range", which[i]);
	if ((rc = system_cost(net, ro, cap, d, alpha, beta, ao, &base, NULL, NULL, err)))
		return rc;
	*base_cost = base;
	if ((rc = mr_router_new(&r, net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	avoid = mr_malloc((ro->navoid + 1) * sizeof(*avoid));
	kept.od = mr_malloc((d->n + 1) * sizeof(mr_flow_od));
	if (!avoid || !kept.od) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	for (k = 0; k < ro->navoid; k++)
		avoid[k] = ro->avoid[k];
	for (i = 0; i < n; i++) {
		const mr_crit_element *e = &el->v[which[i]];
		mr_crit_assign_row *row = &rows[i];
		mr_route_opts o = *ro;
		char id[256];
		int dropped = 0;
		memset(row, 0, sizeof(*row));
		row->element = which[i];
		if (e->kind == MR_CRIT_TRANSFER) {
			row->system_cost = row->cost_increase = row->lost_weight = row->gap = NAN;
			continue;
		}
		mr_crit_element_id(net, e, id, sizeof(id));
		avoid[ro->navoid] = id;
		o.avoid = avoid;
		o.navoid = ro->navoid + 1;
		/* the demand that keeps a route (a node's own demand is left out, as in mr_crit_run) */
		kept.n = 0;
		kept.total = 0;
		for (k = 0; k < d->n; k++) {
			const mr_flow_od *x = &d->od[k];
			uint32_t pl[2] = {x->from, x->to};
			mr_route rt;
			mr_error e2;
			int q;
			if (e->kind == MR_CRIT_NODE && (x->from == e->ref || x->to == e->ref)) {
				dropped = 1;
				continue;
			}
			o.algorithm = MR_ALGO_AUTO;
			q = mr_router_route(r, pl, 2, &o, &rt, &e2);
			if (q == MR_ENOROUTE) {
				row->lost_weight += x->teu;
				continue;
			}
			if (q) {
				rc = mr_error_set(err, q, NULL, x->line, 0, NULL, "demand line %ld: %s", x->line,
				                  e2.msg[0] ? e2.msg : mr_strerror(q));
				goto out;
			}
			mr_route_free(&rt);
			kept.od[kept.n++] = *x;
			kept.total += x->teu;
		}
		if ((rc = system_cost(net, &o, cap, &kept, alpha, beta, ao, &row->system_cost, &row->gap, &row->iterations,
		                      err)))
			goto out;
		if (row->lost_weight > 0 || dropped) {
			double b2;
			if ((rc = system_cost(net, ro, cap, &kept, alpha, beta, ao, &b2, NULL, NULL, err)))
				goto out;
			row->cost_increase = row->system_cost - b2;
		} else {
			row->cost_increase = row->system_cost - base;
		}
	}
	rc = MR_OK;
out:
	mr_router_free(r);
	mr_free(avoid);
	mr_free(kept.od);
	return rc;
}
