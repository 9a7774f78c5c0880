/* bench_compare.c: `compare` of every corridor for one OD pair, warm inside the library (network
 * mapped and corridors read once, one router reused). Prints the mean time per comparison.
 * Usage: bench_compare NETWORK.mnet CORRIDORS.ini FROM TO [REPEAT] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "meridian/mr_corridor.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_route.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	mr_net net;
	mr_corridor_set set;
	mr_router *r;
	mr_place a, b;
	mr_route_opts o;
	mr_error e;
	int rep = argc > 5 ? atoi(argv[5]) : 50, i;
	size_t k, feasible = 0;
	double t0, t;

	if (argc < 5) {
		fprintf(stderr, "usage: bench_compare NETWORK.mnet CORRIDORS.ini FROM TO [REPEAT]\n");
		return 2;
	}
	if (mr_net_load(argv[1], &net, &e) || mr_corridors_read(argv[2], &set, &e) || mr_router_new(&r, &net) ||
	    mr_place_resolve(&net, argv[3], 0, 100, &a, &e) || mr_place_resolve(&net, argv[4], 0, 100, &b, &e)) {
		fprintf(stderr, "bench_compare: %s\n", e.msg);
		return 1;
	}
	mr_route_opts_default(&o);
	t0 = now();
	for (i = 0; i < rep; i++) {
		feasible = 0;
		for (k = 0; k < set.n; k++) {
			mr_route route;
			if (mr_router_route_pattern(r, a.node, b.node, &o, &set.v[k].pattern, set.v[k].preds, set.v[k].npred,
			                            &route, &e) == MR_OK) {
				feasible++;
				mr_route_free(&route);
			}
		}
	}
	t = (now() - t0) / rep;
	printf("compare %s -> %s, %zu corridors (%zu feasible), warm in the library: %.2f ms per comparison "
	       "(target < 5 ms)\n",
	       argv[3], argv[4], set.n, feasible, 1e3 * t);
	mr_router_free(r);
	mr_corridors_free(&set);
	mr_net_free(&net);
	return 0;
}
