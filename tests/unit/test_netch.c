/* test_netch.c: contraction hierarchies stored in the .mnet (mr_net_add_ch) and used by the router:
 * every two-place query with the options a hierarchy was built on is answered on it and equals
 * Dijkstra's; any other options, vias or another algorithm fall back to exact search and say why;
 * the file round trip, replacement, damaged hierarchies and allocation failures. On the built-in
 * network (when built) random pairs are checked the same way. */
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

#include "meridian/mr_ch.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"
#include "net/mr_file.h"

static const char *const objectives[] = {"distance", "time", "cost", "co2e", "generalized"};

static void build_fixture(mr_net *net)
{
	mr_src src;
	mr_error e;
	memset(&src, 0, sizeof(src));
	assert_int_equal(mr_csvnet_read(MR_SOURCE_DIR "/tests/fixtures/mini", &src, NULL, NULL, NULL, &e), MR_OK);
	assert_int_equal(mr_net_build(&src, net, &e), MR_OK);
	mr_src_free(&src);
}

/* Store a hierarchy named after the objective, on the default options' weights. */
static int add_objective(mr_net *net, int objective, mr_error *e)
{
	mr_route_opts o;
	mr_router *r;
	const double *w;
	double *copy;
	int rc;
	mr_route_opts_default(&o);
	o.objective = objective;
	if ((rc = mr_router_new(&r, net)))
		return rc;
	rc = mr_router_weights(r, &o, &w, e);
	copy = rc ? NULL : malloc(((size_t)net->g.m + 1) * sizeof(double));
	if (copy)
		memcpy(copy, w, (size_t)net->g.m * sizeof(double));
	mr_router_free(r);
	if (rc)
		return rc;
	rc = mr_net_add_ch(net, objectives[objective], copy, NULL, e);
	free(copy);
	return rc;
}

static int rel_equal(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The route's arcs are a path from a virtual node of `from` to one of `to`. */
static void check_walk(const mr_net *net, const mr_route *r, uint32_t from, uint32_t to)
{
	uint32_t v = r->first_vnode;
	size_t i;
	assert_int_equal(net->vnodes[v].node, from);
	for (i = 0; i < r->narcs; i++) {
		uint32_t a = r->arcs[i];
		assert_true(a >= net->g.first_out[v] && a < net->g.first_out[v + 1]);
		v = net->g.head[a];
	}
	assert_int_equal(net->vnodes[v].node, to);
}

/* Route places[0] -> places[1] on the stored hierarchy (default options of `objective`) and with
 * Dijkstra; both must agree. Returns 1 if a route exists. */
static int same_as_dijkstra(const mr_net *net, mr_router *r, uint32_t a, uint32_t b, int objective)
{
	mr_route_opts o;
	mr_route x, y;
	mr_error e;
	uint32_t places[2] = {a, b};
	int rx, ry;
	mr_route_opts_default(&o);
	o.objective = objective;
	rx = mr_router_route(r, places, 2, &o, &x, &e);
	o.algorithm = MR_ALGO_DIJKSTRA;
	ry = mr_router_route(r, places, 2, &o, &y, &e);
	assert_int_equal(rx, ry);
	if (rx != MR_OK)
		return 0;
	if (!rel_equal(x.objective_value, y.objective_value))
		fail_msg("%u -> %u by %s: hierarchy %.12g, Dijkstra %.12g", a, b, objectives[objective], x.objective_value,
		         y.objective_value);
	assert_string_equal(x.search_note, "");
	if (a == b) { /* the empty route, made without a search */
		assert_true(x.objective_value == 0.0 && x.narcs == 0);
		mr_route_free(&x);
		mr_route_free(&y);
		return 1;
	}
	assert_int_equal(x.algorithm, MR_ALGO_CH);
	assert_non_null(x.hierarchy);
	assert_string_equal(x.hierarchy, objectives[objective]);
	assert_int_equal(y.algorithm, MR_ALGO_DIJKSTRA);
	assert_null(y.hierarchy);
	assert_true(strstr(y.search_note, "dijkstra was asked for") != NULL);
	check_walk(net, &x, a, b);
	mr_route_free(&x);
	mr_route_free(&y);
	return 1;
}

static void test_fixture_all_pairs(void **state)
{
	mr_net net;
	mr_router *r;
	mr_error e;
	uint32_t a, b;
	int k, routes = 0;
	(void)state;
	build_fixture(&net);
	for (k = 0; k < MR_BY_COUNT; k++)
		assert_int_equal(add_objective(&net, k, &e), MR_OK);
	assert_int_equal(net.meta.nch, MR_BY_COUNT);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	for (k = 0; k < MR_BY_COUNT; k++)
		for (a = 0; a < net.meta.nnodes; a++)
			for (b = 0; b < net.meta.nnodes; b++)
				routes += same_as_dijkstra(&net, r, a, b, k);
	assert_true(routes > 1000);
	printf("netch: %d routes on stored hierarchies equal Dijkstra's (5 objectives, fixture)\n", routes);
	mr_router_free(r);
	mr_net_free(&net);
}

static uint32_t node_by_id(const mr_net *net, const char *id)
{
	uint32_t i;
	for (i = 0; i < net->meta.nnodes; i++)
		if (strcmp(mr_net_str(net, net->nodes[i].id), id) == 0)
			return i;
	fail_msg("no node %s", id);
	return 0;
}

static void test_fallbacks(void **state)
{
	mr_net net;
	mr_router *r;
	mr_route_opts o;
	mr_route x, y;
	mr_error e;
	uint32_t places[3];
	const char *avoid[] = {"suez"};
	(void)state;
	build_fixture(&net);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	places[0] = node_by_id(&net, "INNSA");
	places[1] = node_by_id(&net, "RUMOW");
	/* No hierarchy stored: asking for one gives an exact search that says so. */
	mr_route_opts_default(&o);
	o.algorithm = MR_ALGO_CH;
	assert_int_equal(mr_router_route(r, places, 2, &o, &x, &e), MR_OK);
	assert_int_not_equal(x.algorithm, MR_ALGO_CH);
	assert_true(strstr(x.search_note, "stores no hierarchy") != NULL);
	mr_route_free(&x);
	mr_router_free(r);

	assert_int_equal(add_objective(&net, MR_BY_GENERALIZED, &e), MR_OK);
	assert_int_equal(add_objective(&net, MR_BY_TIME, &e), MR_OK);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	mr_route_opts_default(&o);
	assert_int_equal(mr_router_route(r, places, 2, &o, &x, &e), MR_OK);
	assert_int_equal(x.algorithm, MR_ALGO_CH);
	/* An avoid changes the weights: exact search, the same answer as Dijkstra with the avoid. */
	o.avoid = avoid;
	o.navoid = 1;
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_int_not_equal(y.algorithm, MR_ALGO_CH);
	assert_null(y.hierarchy);
	assert_true(strstr(y.search_note, "change the weights the stored hierarchy 'generalized'") != NULL);
	assert_true(y.objective_value >= x.objective_value);
	mr_route_free(&y);
	o.algorithm = MR_ALGO_CH; /* asked for, cannot honour the avoid: falls back */
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_int_not_equal(y.algorithm, MR_ALGO_CH);
	assert_true(y.search_note[0] != '\0');
	mr_route_free(&y);
	/* Back to the default options: the hierarchy again (the router's weights follow). */
	mr_route_opts_default(&o);
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_int_equal(y.algorithm, MR_ALGO_CH);
	assert_true(y.objective_value == x.objective_value);
	mr_route_free(&y);
	/* No hierarchy for the objective. */
	o.objective = MR_BY_DISTANCE;
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_true(strstr(y.search_note, "no stored hierarchy for the objective distance (stored: generalized, time)") != NULL);
	mr_route_free(&y);
	/* Vias. */
	mr_route_opts_default(&o);
	places[2] = places[1];
	places[1] = node_by_id(&net, "AZBAK");
	assert_int_equal(mr_router_route(r, places, 3, &o, &y, &e), MR_OK);
	assert_true(strstr(y.search_note, "vias") != NULL);
	mr_route_free(&y);
	/* Another sea speed is another set of weights for time. */
	places[1] = places[2];
	o.objective = MR_BY_TIME;
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_int_equal(y.algorithm, MR_ALGO_CH);
	mr_route_free(&y);
	o.sea_speed_kmh = 40;
	assert_int_equal(mr_router_route(r, places, 2, &o, &y, &e), MR_OK);
	assert_int_not_equal(y.algorithm, MR_ALGO_CH);
	mr_route_free(&y);
	mr_route_free(&x);
	mr_router_free(r);
	mr_net_free(&net);
}

static void test_file_round_trip(void **state)
{
	mr_net net, back;
	mr_router *r1, *r2;
	mr_error e;
	char path[] = "/tmp/mr_netch_XXXXXX";
	int fd = mkstemp(path);
	uint32_t a, b, nch;
	size_t size_two;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	build_fixture(&net);
	assert_int_equal(add_objective(&net, MR_BY_COST, &e), MR_OK);
	assert_int_equal(add_objective(&net, MR_BY_TIME, &e), MR_OK);
	size_two = net.map_size;
	/* Replacing one of the same name keeps two. */
	assert_int_equal(add_objective(&net, MR_BY_COST, &e), MR_OK);
	assert_int_equal(net.meta.nch, 2);
	assert_int_equal(net.map_size, size_two);
	assert_string_equal(net.ch_recs[0].name, "time");
	assert_string_equal(net.ch_recs[1].name, "cost");
	/* Bad names change nothing. */
	nch = net.meta.nch;
	assert_int_equal(mr_net_add_ch(&net, "Time", net.ch_f64, NULL, &e), MR_EINVAL);
	assert_int_equal(mr_net_add_ch(&net, "", net.ch_f64, NULL, &e), MR_EINVAL);
	assert_int_equal(mr_net_add_ch(&net, "a-very-long-name-indeed", net.ch_f64, NULL, &e), MR_EINVAL);
	assert_int_equal(net.meta.nch, nch);

	assert_int_equal(mr_net_write(&net, path, &e), MR_OK);
	assert_int_equal(mr_net_load(path, &back, &e), MR_OK);
	assert_int_equal(back.meta.nch, 2);
	assert_int_equal(back.map_size, net.map_size);
	assert_memory_equal(back.map, net.map, net.map_size);
	assert_int_equal(mr_router_new(&r1, &net), MR_OK);
	assert_int_equal(mr_router_new(&r2, &back), MR_OK);
	for (a = 0; a < net.meta.nnodes; a++)
		for (b = 0; b < net.meta.nnodes; b++) {
			uint32_t pl[2] = {a, b};
			mr_route_opts o;
			mr_route x, y;
			int rx, ry;
			mr_route_opts_default(&o);
			o.objective = MR_BY_COST;
			rx = mr_router_route(r1, pl, 2, &o, &x, &e);
			ry = mr_router_route(r2, pl, 2, &o, &y, &e);
			assert_int_equal(rx, ry);
			if (rx)
				continue;
			assert_int_equal(y.algorithm, a == b ? x.algorithm : MR_ALGO_CH);
			assert_true(x.objective_value == y.objective_value);
			assert_int_equal(x.narcs, y.narcs);
			assert_memory_equal(x.arcs, y.arcs, x.narcs * sizeof(uint32_t));
			mr_route_free(&x);
			mr_route_free(&y);
		}
	mr_router_free(r1);
	mr_router_free(r2);
	mr_net_free(&back);
	mr_net_free(&net);
	unlink(path);
}

/* A copy of the image with one 32-bit value of the CH arrays changed and the checksum made
 * valid again: only the structural checks can refuse it. */
static int load_tampered(const mr_net *net, size_t u32_index, uint32_t value, mr_error *e)
{
	uint8_t *img = malloc(net->map_size);
	const mr_file_section *sec = (const mr_file_section *)((const uint8_t *)net->map + sizeof(mr_file_header));
	mr_file_header *h = (mr_file_header *)img;
	mr_net back;
	char path[] = "/tmp/mr_netch_bad_XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;
	memcpy(img, net->map, net->map_size);
	memcpy(img + sec[MR_SEC_CH_U32].offset + 4 * u32_index, &value, 4);
	h->checksum = mr__image_checksum(img, net->map_size);
	close(fd);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, net->map_size, f), net->map_size);
	fclose(f);
	free(img);
	rc = mr_net_load(path, &back, e);
	if (rc == MR_OK)
		mr_net_free(&back);
	unlink(path);
	return rc;
}

static void test_damaged(void **state)
{
	mr_net net;
	mr_error e;
	const mr_net_ch_rec *c;
	uint32_t n;
	(void)state;
	build_fixture(&net);
	assert_int_equal(add_objective(&net, MR_BY_TIME, &e), MR_OK);
	c = &net.ch_recs[0];
	n = c->n;
	/* rank is not a permutation */
	assert_int_equal(load_tampered(&net, 0, net.ch_u32[1], &e), MR_ECORRUPT);
	assert_true(strstr(e.msg, "hierarchy 'time'") != NULL);
	/* first_arc[n] != m */
	assert_int_equal(load_tampered(&net, 3 * (size_t)n, c->m + 1, &e), MR_ECORRUPT);
	/* an arc's head out of range */
	assert_int_equal(load_tampered(&net, 4 * (size_t)n + 1, n + 5, &e), MR_ECORRUPT);
	/* a graph arc id out of range in the unpack table */
	{
		size_t a, base = 4 * (size_t)n + 1 + c->m;
		for (a = 0; a < c->m && net.ch_u32[base + 2 * a + 1] != MR_NONE; a++)
			;
		assert_true(a < c->m);
		assert_int_equal(load_tampered(&net, base + 2 * a, c->m_graph + 7, &e), MR_ECORRUPT);
	}
	/* untouched: loads */
	assert_int_equal(load_tampered(&net, 0, net.ch_u32[0], &e), MR_OK);
	mr_net_free(&net);
}

static long fail_at = -1, nallocs, live;
static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		if (ptr)
			live--;
		free(ptr);
		return NULL;
	}
	if (fail_at >= 0 && nallocs++ == fail_at)
		return NULL;
	if (!ptr)
		live++;
	return realloc(ptr, nsize);
}

static void test_alloc_failure(void **state)
{
	mr_net net;
	mr_router *r;
	mr_error e;
	mr_route_opts o;
	const double *w0;
	double *w;
	long k, before;
	int rc, failures = 0;
	(void)state;
	build_fixture(&net);
	assert_int_equal(add_objective(&net, MR_BY_TIME, &e), MR_OK);
	mr_route_opts_default(&o);
	o.objective = MR_BY_COST;
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	assert_int_equal(mr_router_weights(r, &o, &w0, &e), MR_OK);
	w = malloc(net.g.m * sizeof(double));
	memcpy(w, w0, net.g.m * sizeof(double));
	mr_router_free(r);
	mr_set_allocator(failing_alloc, NULL);
	for (k = 0;; k++) {
		fail_at = k;
		nallocs = 0;
		before = live;
		rc = mr_net_add_ch(&net, "cost", w, NULL, &e);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_int_equal(live, before);
		assert_int_equal(net.meta.nch, 1); /* unchanged, still usable */
		assert_string_equal(net.ch_recs[0].name, "time");
		failures++;
	}
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
	assert_true(failures > 10);
	assert_int_equal(net.meta.nch, 2);
	printf("netch: mr_net_add_ch failed cleanly at each of its first %d allocations\n", failures);
	free(w);
	mr_net_free(&net);
}

/* The built-in network, when it has been built with hierarchies: random pairs of places. */
static void test_builtin(void **state)
{
	mr_net net;
	mr_router *r;
	mr_error e;
	uint64_t s = 12345;
	int i, k, routes = 0, checked = 0;
	(void)state;
	if (access(MR_BINARY_DIR "/meridian.mnet", R_OK) != 0 || mr_net_load(MR_BINARY_DIR "/meridian.mnet", &net, &e)) {
		printf("netch: built-in network: skipped (no %s)\n", MR_BINARY_DIR "/meridian.mnet");
		return;
	}
	if (!net.meta.nch || net.meta.nnodes < 100) {
		printf("netch: built-in network: skipped (no stored hierarchy: the fixture network)\n");
		mr_net_free(&net);
		return;
	}
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	for (k = 0; k < (int)net.meta.nch; k++) {
		int objective = mr_objective_parse(net.ch_recs[k].name);
		if (objective < 0)
			continue;
		for (i = 0; i < 2000; i++) {
			uint32_t a, b;
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			a = (uint32_t)(s >> 33) % net.meta.nnodes;
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b = (uint32_t)(s >> 33) % net.meta.nnodes;
			if (!net.nodes[a].nvnodes || !net.nodes[b].nvnodes)
				continue;
			routes += same_as_dijkstra(&net, r, a, b, objective);
			checked++;
		}
	}
	assert_true(routes > 100);
	printf("netch: built-in network: %d of %d random pairs routed, hierarchy = Dijkstra on each\n", routes, checked);
	mr_router_free(r);
	mr_net_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_all_pairs), cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_file_round_trip),   cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_alloc_failure),     cmocka_unit_test(test_builtin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
