/* test_flows.c: flows on a Meridian network (mr_flows.h) on the fixture: without capacities the
 * assignment is all-or-nothing on the routes `route` finds (total cost = sum of demand x route
 * cost); with capacities it is an equilibrium that moves flow off a saturated element, conserves
 * every OD's demand, and whose loads add the arcs' flows up; a border's capacity is one group
 * shared by every arc crossing it (its delay follows the crossing's total flow, both ways); the
 * demand and capacity files give file:line:field errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "meridian/mr_flows.h"
#include "meridian/mr_io.h"

static mr_net net;

static int setup(void **state)
{
	mr_src src;
	mr_error e;
	(void)state;
	memset(&src, 0, sizeof(src));
	if (mr_csvnet_read(MR_SOURCE_DIR "/tests/fixtures/mini", &src, NULL, NULL, NULL, &e))
		return -1;
	if (mr_net_build(&src, &net, &e))
		return -1;
	mr_src_free(&src);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mr_net_free(&net);
	return 0;
}

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;
	FILE *f;
	strcpy(path, "/tmp/mr_flows_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char demand_text[] = "# test demand\norigin,destination,amount,class\n"
                                  "INNSA,RUMOW,1000,container\n"
                                  "IRBND,RUMOW,400,\n"
                                  "RUMOW,INNSA,300,container\n"
                                  "AEJEA,AZBAK,250,container\n"
                                  "INNSA,RULED,0,container\n";

static void test_uncapacitated_is_routes(void **state)
{
	mr_flow_demand d;
	mr_flow_capacity cap;
	mr_flow_problem p;
	mr_assign_opts o;
	mr_assign_result res;
	mr_route_opts ro;
	mr_router *r;
	mr_error e;
	char *path = write_tmp(demand_text);
	double want = 0;
	size_t i;
	(void)state;
	assert_int_equal(mr_flow_demand_read(&net, path, 0, &d, &e), MR_OK);
	unlink(path);
	assert_int_equal(d.n, 4); /* the zero row is skipped */
	assert_true(d.total == 1950);
	assert_string_equal(d.od[0].cls, "container");
	assert_int_equal(d.od[1].line, 4);
	assert_int_equal(mr_flow_capacity_read(&net, NULL, &cap, &e), MR_OK);
	mr_route_opts_default(&ro);
	assert_int_equal(mr_flow_problem_make(&net, &ro, &cap, &d, 0.15, 4, &p, &e), MR_OK);
	mr_assign_opts_init(&o);
	o.algorithm = MR_ASSIGN_AON;
	memset(&res, 0, sizeof(res));
	assert_int_equal(mr_assign_solve(&p.an, &p.ad, &o, &res, &e), MR_OK);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	for (i = 0; i < d.n; i++) {
		uint32_t pl[2] = {d.od[i].from, d.od[i].to};
		mr_route rt;
		assert_int_equal(mr_router_route(r, pl, 2, &ro, &rt, &e), MR_OK);
		want += d.od[i].teu * rt.objective_value;
		mr_route_free(&rt);
	}
	if (fabs(res.tstt - want) > 1e-9 * want)
		fail_msg("all-or-nothing total cost %.10g, routes %.10g", res.tstt, want);
	printf("flows: all-or-nothing total %.6g = demand x route cost\n", res.tstt);
	mr_router_free(r);
	mr_assign_result_free(&res);
	mr_flow_problem_free(&p);
	mr_flow_capacity_free(&cap);
	mr_flow_demand_free(&d);
}

/* Sum of the flows on the arcs of link `id` in the direction from -> to. */
static double link_flow(const mr_flow_load *v, size_t n, const char *id, int reverse)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i].kind == MR_FLOW_LINK && v[i].reverse == reverse &&
		    strcmp(mr_net_str(&net, net.links[v[i].ref].id), id) == 0)
			return v[i].flow;
	return 0;
}

static void test_capacity_moves_flow(void **state)
{
	mr_flow_demand d;
	mr_flow_capacity cap0, cap;
	mr_flow_problem p0, p;
	mr_assign_opts o;
	mr_assign_result r0, r1;
	mr_route_opts ro;
	mr_flow_load *v0, *v1;
	size_t n0, n1, i;
	mr_error e;
	char *path = write_tmp(demand_text);
	char dpath[64], cpath[64];
	const char *busiest;
	double f0, f1, sum;
	uint32_t k;
	(void)state;
	strcpy(dpath, path);
	assert_int_equal(mr_flow_demand_read(&net, dpath, 0, &d, &e), MR_OK);
	assert_int_equal(mr_flow_capacity_read(&net, NULL, &cap0, &e), MR_OK);
	mr_route_opts_default(&ro);
	assert_int_equal(mr_flow_problem_make(&net, &ro, &cap0, &d, 0.15, 4, &p0, &e), MR_OK);
	mr_assign_opts_init(&o);
	o.gap = 1e-10;
	memset(&r0, 0, sizeof(r0));
	assert_int_equal(mr_assign_solve(&p0.an, &p0.ad, &o, &r0, &e), MR_OK);
	assert_int_equal(mr_flow_loads(&net, &p0, &cap0, r0.flow, &v0, &n0), MR_OK);
	/* The busiest link without capacities gets a tenth of its flow as capacity. */
	busiest = NULL;
	f0 = 0;
	for (i = 0; i < n0; i++)
		if (v0[i].kind == MR_FLOW_LINK && v0[i].flow > f0 && net.links[v0[i].ref].mode != MR_MODE_SEA) {
			f0 = v0[i].flow;
			busiest = mr_net_str(&net, net.links[v0[i].ref].id);
		}
	assert_non_null(busiest);
	{
		char text[512];
		snprintf(text, sizeof(text), "element,id,capacity_teu_per_year,source\nlink,%s,%.0f,test\nborder,b-irn-aze-astara,5000,test\n",
		         busiest, f0 / 10);
		strcpy(cpath, write_tmp(text));
	}
	assert_int_equal(mr_flow_capacity_read(&net, cpath, &cap, &e), MR_OK);
	unlink(cpath);
	assert_int_equal(cap.rows, 2);
	assert_int_equal(mr_flow_problem_make(&net, &ro, &cap, &d, 0.15, 4, &p, &e), MR_OK);
	memset(&r1, 0, sizeof(r1));
	assert_int_equal(mr_assign_solve(&p.an, &p.ad, &o, &r1, &e), MR_OK);
	assert_true(r1.gap <= 1e-10);
	assert_int_equal(mr_flow_loads(&net, &p, &cap, r1.flow, &v1, &n1), MR_OK);
	f1 = link_flow(v1, n1, busiest, 0) + link_flow(v1, n1, busiest, 1);
	printf("flows: %s carries %.1f TEU uncapacitated, %.1f with capacity %.1f\n", busiest, f0, f1, f0 / 10);
	assert_true(f1 < f0);
	assert_true(r1.tstt > r0.tstt);
	/* Loads add up the arcs: the sum over link loads equals the sum over link arcs' flows. */
	sum = 0;
	for (i = 0; i < n1; i++)
		if (v1[i].kind == MR_FLOW_LINK)
			sum += v1[i].flow;
	{
		double arcs = 0;
		for (k = 0; k < p.an.nlinks; k++)
			if (p.arc_of[k] != MR_NONE && net.arcs[p.arc_of[k]].kind == MR_ARC_LINK)
				arcs += r1.flow[k];
		assert_true(fabs(arcs - sum) <= 1e-9 * sum);
	}
	/* Conservation: what leaves each origin zone is its demand. */
	for (k = 0; k < p.nzones; k++) {
		double outflow = 0, want = 0;
		uint32_t l;
		for (l = 0; l < p.an.nlinks; l++)
			if (p.an.links[l].tail == k)
				outflow += r1.flow[l];
		for (i = 0; i < d.n; i++)
			if (d.od[i].from == p.zone_node[k])
				want += d.od[i].teu;
		assert_true(fabs(outflow - want) <= 1e-6 * fmax(1, want));
	}
	/* Sorted by v/c: a capacitated element comes first. */
	assert_true(n1 > 0 && v1[0].capacity > 0);
	for (i = 1; i < n1; i++)
		assert_true(v1[i - 1].voc >= v1[i].voc);
	mr_free(v0);
	mr_free(v1);
	mr_assign_result_free(&r0);
	mr_assign_result_free(&r1);
	mr_flow_problem_free(&p0);
	mr_flow_problem_free(&p);
	mr_flow_capacity_free(&cap0);
	mr_flow_capacity_free(&cap);
	mr_flow_demand_free(&d);
	unlink(dpath);
}

/* A border crossing's capacity is one group over every arc that crosses it (both directions,
 * rail and road), with the border's dwell as its free-flow part: the delay of each crossing arc
 * follows the crossing's total flow, so traffic the other way takes capacity from this one (the
 * per-arc approximation before could not see it). */
static void test_border_group(void **state)
{
	static const char *const demands[2] = {"origin,destination,amount\nIRBND,AZBAK,600\n",
	                                        "origin,destination,amount\nIRBND,AZBAK,600\nAZ_AST,IR_RSH,200\n"};
	mr_flow_capacity cap;
	mr_route_opts ro;
	mr_error e;
	char *path;
	double fwd[2] = {0, 0};
	uint32_t bi, k;
	int run;
	(void)state;
	for (bi = 0; bi < net.meta.nborders; bi++)
		if (strcmp(mr_net_str(&net, net.borders[bi].id), "b-irn-aze-astara") == 0)
			break;
	assert_true(bi < net.meta.nborders);
	path = write_tmp("element,id,capacity_teu_per_year,source\nborder,b-irn-aze-astara,100,test\n");
	assert_int_equal(mr_flow_capacity_read(&net, path, &cap, &e), MR_OK);
	unlink(path);
	mr_route_opts_default(&ro);
	for (run = 0; run < 2; run++) {
		mr_flow_demand d;
		mr_flow_problem p;
		mr_assign_opts o;
		mr_assign_result res;
		mr_flow_load *v;
		size_t nv, i;
		const mr_assign_group *g;
		uint32_t members = 0, dirs = 0;
		double X = 0, delay, border_load = -1;
		path = write_tmp(demands[run]);
		assert_int_equal(mr_flow_demand_read(&net, path, 0, &d, &e), MR_OK);
		unlink(path);
		assert_int_equal(mr_flow_problem_make(&net, &ro, &cap, &d, 0.15, 4, &p, &e), MR_OK);
		/* one group, the border's: capacity, dwell x value of time, the BPR parameters */
		assert_int_equal(p.an.ngroups, 1);
		assert_int_equal(p.group[0].kind, MR_FLOW_BORDER);
		assert_int_equal(p.group[0].ref, bi);
		g = &p.an.groups[0];
		assert_true(g->capacity == 100 && g->alpha == 0.15 && g->beta == 4);
		assert_true(fabs(g->fft - ro.vot_usd_per_h * net.borders[bi].dwell_h) <= 1e-9 * g->fft && g->fft > 0);
		/* its links: exactly the usable arcs that cross the border, both directions */
		for (k = 0; k < p.an.nlinks; k++) {
			int crosses = p.arc_of[k] != MR_NONE && net.arcs[p.arc_of[k]].border == bi;
			assert_int_equal(p.an.link_group[k] == 0, crosses);
			if (crosses) {
				uint32_t tail = net.vnodes[p.an.links[k].tail - p.nzones].node;
				members++;
				dirs |= strcmp(mr_net_str(&net, net.nodes[tail].id), "IR_AST") == 0 ? 1u : 2u;
			}
		}
		assert_true(members >= 2);
		assert_int_equal(dirs, 3);
		mr_assign_opts_init(&o);
		o.gap = 1e-10;
		memset(&res, 0, sizeof(res));
		assert_int_equal(mr_assign_solve(&p.an, &p.ad, &o, &res, &e), MR_OK);
		assert_true(res.gap <= 1e-10);
		/* the group's flow is the crossing's, both ways; each crossing link carries its delay */
		for (k = 0; k < p.an.nlinks; k++)
			if (p.an.link_group[k] == 0) {
				uint32_t tail = net.vnodes[p.an.links[k].tail - p.nzones].node;
				X += res.flow[k];
				if (strcmp(mr_net_str(&net, net.nodes[tail].id), "IR_AST") == 0)
					fwd[run] += res.flow[k];
			}
		assert_true(X > 0);
		assert_true(fabs(res.group_flow[0] - X) <= 1e-9 * X);
		delay = g->fft * 0.15 * pow(X / 100, 4);
		assert_true(fabs(res.group_cost[0] - delay) <= 1e-9 * delay);
		for (k = 0; k < p.an.nlinks; k++)
			if (p.an.link_group[k] == 0) {
				const mr_assign_link *l = &p.an.links[k];
				double own = mr_assign_vdf(l, res.flow[k]) + p.an.toll_factor * l->toll;
				assert_true(fabs(res.cost[k] - (own + delay)) <= 1e-9 * res.cost[k]);
			}
		assert_int_equal(mr_flow_loads(&net, &p, &cap, res.flow, &v, &nv), MR_OK);
		for (i = 0; i < nv; i++)
			if (v[i].kind == MR_FLOW_BORDER && v[i].ref == bi)
				border_load = v[i].flow;
		assert_true(fabs(border_load - X) <= 1e-9 * X);
		printf("flows: Astara (capacity 100 TEU, delay %.1f at %.1f TEU): %.1f TEU IRN -> AZE%s\n", delay, X, fwd[run],
		       run ? " with 200 TEU Astara (AZE) -> Rasht the other way" : "");
		mr_free(v);
		mr_assign_result_free(&res);
		mr_flow_problem_free(&p);
		mr_flow_demand_free(&d);
	}
	/* traffic the other way shares the capacity: less of this way's crosses */
	assert_true(fwd[1] < fwd[0] - 1);
	mr_flow_capacity_free(&cap);
}

static void expect_error(int which, const char *text, int code, long line, const char *fieldname, const char *msg)
{
	mr_flow_demand d;
	mr_flow_capacity c;
	mr_error e;
	char *path = write_tmp(text);
	int rc;
	mr_error_clear(&e);
	rc = which ? mr_flow_capacity_read(&net, path, &c, &e) : mr_flow_demand_read(&net, path, 0, &d, &e);
	unlink(path);
	if (rc != code)
		fail_msg("'%s': code %d, want %d (%s)", text, rc, code, e.msg);
	assert_int_equal(e.line, line);
	assert_string_equal(e.field, fieldname);
	if (!strstr(e.msg, msg))
		fail_msg("'%s': message '%s' lacks '%s'", text, e.msg, msg);
}

static void test_errors(void **state)
{
	mr_flow_demand d;
	mr_flow_capacity c;
	mr_flow_problem p;
	mr_route_opts ro;
	mr_error e;
	char *path;
	(void)state;
	expect_error(0, "origin,destination,amount\nINNSA,RUMOW,-3\n", MR_EPARSE, 2, "amount", "not an amount");
	expect_error(0, "origin,destination,amount\nINNSA,RUMOW,1e999\n", MR_EPARSE, 2, "amount", "not an amount");
	expect_error(0, "origin,destination,amount\nINNSA,Atlantis,5\n", MR_ENOTFOUND, 2, "destination", "'Atlantis' is not a place");
	expect_error(0, "origin,destination,amount\n\nRUMOW,RUMOW,5\n", MR_EPARSE, 3, "destination", "is the origin");
	expect_error(0, "from,to,teu\nINNSA,RUMOW,5\n", MR_EPARSE, 1, "", "needs the columns origin, destination and amount");
	expect_error(0, "origin,destination,amount\n", MR_EPARSE, 0, "", "no demand");
	expect_error(1, "element,id,capacity_teu_per_year,source\nlink,no-such-link,5,x\n", MR_EPARSE, 2, "id", "no link 'no-such-link'");
	expect_error(1, "element,id,capacity_teu_per_year,source\nport,INNSA,5,x\n", MR_EPARSE, 2, "element", "expected link, border or node");
	expect_error(1, "element,id,capacity_teu_per_year,source\nnode,INNSA,0,x\n", MR_EPARSE, 2, "capacity_teu_per_year", "not a capacity");
	expect_error(1, "element,id,capacity_teu_per_year,source\nnode,INNSA,10,\n", MR_EPARSE, 2, "source", "states its source");
	expect_error(1, "element,id,capacity_teu_per_year,source\nnode,INNSA,10,a\nnode,INNSA,20,b\n", MR_EPARSE, 3, "id", "given twice");
	expect_error(1, "element,id,capacity\nnode,INNSA,10\n", MR_EPARSE, 1, "", "needs the columns");
	/* An objective that does not depend on time cannot congest. */
	path = write_tmp("origin,destination,amount\nINNSA,RUMOW,5\n");
	assert_int_equal(mr_flow_demand_read(&net, path, 0, &d, &e), MR_OK);
	unlink(path);
	assert_int_equal(mr_flow_capacity_read(&net, NULL, &c, &e), MR_OK);
	mr_route_opts_default(&ro);
	ro.objective = MR_BY_COST;
	assert_int_equal(mr_flow_problem_make(&net, &ro, &c, &d, 0.15, 4, &p, &e), MR_EINVAL);
	assert_string_equal(e.field, "by");
	/* A demand line without a route under the options names its line. */
	{
		const char *avoid[] = {"suez", "RUMOW"};
		mr_route_opts_default(&ro);
		ro.avoid = avoid;
		ro.navoid = 2;
		assert_int_equal(mr_flow_problem_make(&net, &ro, &c, &d, 0.15, 4, &p, &e), MR_ENOROUTE);
		assert_int_equal(e.line, 2);
	}
	mr_flow_capacity_free(&c);
	mr_flow_demand_free(&d);
}

static void test_logit(void **state)
{
	mr_flow_demand d;
	mr_flow_capacity cap;
	mr_flow_problem p;
	mr_flow_logit_opts lo;
	mr_flow_paths ps;
	mr_route_opts ro;
	mr_error e;
	char *path = write_tmp(demand_text);
	double *flow, *check;
	size_t i, k, multi = 0;
	uint32_t l;
	(void)state;
	assert_int_equal(mr_flow_demand_read(&net, path, 0, &d, &e), MR_OK);
	unlink(path);
	assert_int_equal(mr_flow_capacity_read(&net, NULL, &cap, &e), MR_OK);
	mr_route_opts_default(&ro);
	assert_int_equal(mr_flow_problem_make(&net, &ro, &cap, &d, 0.15, 4, &p, &e), MR_OK);
	flow = calloc(p.an.nlinks, sizeof(double));
	check = calloc(p.an.nlinks, sizeof(double));
	mr_flow_logit_opts_default(&lo);
	lo.routes = 4;
	lo.theta = 5;
	assert_int_equal(mr_flow_logit(&net, &ro, &p, &d, &lo, NULL, NULL, flow, &ps, &e), MR_OK);
	/* Without capacities: one iteration's split is final; shares follow the formula. */
	for (i = 0; i < d.n; i++) {
		double cmin = INFINITY, sum = 0, shares = 0;
		for (k = ps.first[i]; k < ps.first[i + 1]; k++)
			cmin = fmin(cmin, ps.path[k].cost);
		for (k = ps.first[i]; k < ps.first[i + 1]; k++)
			sum += exp(-lo.theta * (ps.path[k].cost / cmin - 1));
		for (k = ps.first[i]; k < ps.first[i + 1]; k++) {
			double want = exp(-lo.theta * (ps.path[k].cost / cmin - 1)) / sum;
			assert_true(fabs(ps.path[k].share - want) <= 1e-12);
			/* free-flow route cost = the cost on the problem's links at zero flow */
			assert_true(fabs(ps.path[k].cost - ps.path[k].route.objective_value) <= 1e-9 * ps.path[k].cost);
			shares += ps.path[k].share;
		}
		assert_true(fabs(shares - 1) <= 1e-12);
		multi += ps.first[i + 1] - ps.first[i] > 1;
	}
	assert_true(multi >= 2);
	/* Link flows = demand x share on each route's arcs. */
	for (i = 0; i < d.n; i++)
		for (k = ps.first[i]; k < ps.first[i + 1]; k++) {
			size_t j;
			for (j = 0; j < ps.path[k].route.narcs; j++)
				check[p.link_of[ps.path[k].route.arcs[j]]] += d.od[i].teu * ps.path[k].share;
		}
	for (l = 0; l < p.an.nlinks; l++)
		if (p.arc_of[l] != MR_NONE)
			assert_true(fabs(check[l] - flow[l]) <= 1e-6 * fmax(1, flow[l]));
	mr_flow_paths_free(&ps);
	/* A very large theta puts everything on the cheapest route: all-or-nothing's total. */
	{
		mr_assign_opts o;
		mr_assign_result res;
		double total = 0;
		lo.theta = 1e6;
		assert_int_equal(mr_flow_logit(&net, &ro, &p, &d, &lo, NULL, NULL, flow, &ps, &e), MR_OK);
		for (i = 0; i < d.n; i++)
			for (k = ps.first[i]; k < ps.first[i + 1]; k++)
				total += d.od[i].teu * ps.path[k].share * ps.path[k].cost;
		mr_assign_opts_init(&o);
		o.algorithm = MR_ASSIGN_AON;
		memset(&res, 0, sizeof(res));
		assert_int_equal(mr_assign_solve(&p.an, &p.ad, &o, &res, &e), MR_OK);
		assert_true(fabs(total - res.tstt) <= 1e-9 * res.tstt);
		mr_assign_result_free(&res);
		mr_flow_paths_free(&ps);
	}
	/* Bad options. */
	lo.theta = 0;
	assert_int_equal(mr_flow_logit(&net, &ro, &p, &d, &lo, NULL, NULL, flow, &ps, &e), MR_EINVAL);
	free(flow);
	free(check);
	mr_flow_problem_free(&p);
	mr_flow_capacity_free(&cap);
	mr_flow_demand_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncapacitated_is_routes),
		cmocka_unit_test(test_capacity_moves_flow),
		cmocka_unit_test(test_border_group),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_logit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
