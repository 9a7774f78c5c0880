/* bench_pareto.c: the exact Pareto front (cost, time, CO2e; and with risk) and 3 alternatives for
 * OD pairs on the default network, warm inside the library: median time, labels created and front
 * size, and the ratio to the 200 ms target of issue 7. There is no peer that computes exact
 * multi-criteria fronts on a multimodal network to run beside it; the target is the reference.
 * Prints, asserts nothing. Usage: bench_pareto NETWORK.mnet [REPEAT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meridian/mr_alt.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"

#define TARGET_MS 200.0

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
	static const char *const pairs[][2] = {{"Mumbai", "Moscow"}, {"Shanghai", "Rotterdam"}, {"Tehran", "St Petersburg"}};
	mr_net net;
	mr_router *r;
	mr_error e;
	int repeat = argc > 2 ? atoi(argv[2]) : 20, i, crit;
	size_t p;
	if (argc < 2 || repeat < 1) {
		fprintf(stderr, "usage: bench_pareto NETWORK.mnet [REPEAT]\n");
		return 2;
	}
	mr_error_clear(&e);
	if (mr_net_load(argv[1], &net, &e) || mr_router_new(&r, &net)) {
		fprintf(stderr, "bench_pareto: cannot load %s: %s\n", argv[1], e.msg);
		return 1;
	}
	printf("%-28s %-9s %9s %9s %7s %10s\n", "pair", "criteria", "median ms", "labels", "front", "vs 200 ms");
	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		mr_place a, b;
		char name[64];
		if (mr_place_resolve(&net, pairs[p][0], 0, 100, &a, &e) || mr_place_resolve(&net, pairs[p][1], 0, 100, &b, &e)) {
			fprintf(stderr, "bench_pareto: %s\n", e.msg);
			return 1;
		}
		snprintf(name, sizeof(name), "%s -> %s", pairs[p][0], pairs[p][1]);
		for (crit = 3; crit <= 4; crit++) {
			double *t = malloc((size_t)repeat * sizeof(double));
			size_t labels = 0, front = 0;
			mr_route_opts o;
			mr_pareto_opts po;
			mr_route_opts_default(&o);
			mr_pareto_opts_default(&po);
			if (crit == 4)
				po.criteria |= 1u << MR_CRIT_RISK;
			for (i = 0; i < repeat; i++) {
				mr_pareto f;
				double t0 = now();
				if (mr_router_pareto(r, a.node, b.node, &o, &po, &f, &e)) {
					fprintf(stderr, "bench_pareto: %s\n", e.msg);
					return 1;
				}
				t[i] = (now() - t0) * 1e3;
				labels = f.labels;
				front = f.n;
				mr_pareto_free(&f);
			}
			qsort(t, (size_t)repeat, sizeof(double), cmp_double);
			printf("%-28s %-9s %9.2f %9zu %7zu %9.1fx\n", name, crit == 3 ? "3" : "3+risk", t[repeat / 2], labels, front,
			       TARGET_MS / t[repeat / 2]);
			free(t);
		}
		{
			double t0 = now();
			mr_alt alts[3];
			mr_alt_opts ao;
			mr_route_opts o;
			size_t n = 0, k;
			mr_route_opts_default(&o);
			mr_alt_opts_default(&ao);
			ao.k = 3;
			if (mr_router_alternatives(r, a.node, b.node, &o, &ao, alts, &n, &e) == MR_OK) {
				printf("%-28s 3 alternatives (overlap <= %.1f): %.1f ms, %zu found (%d by the penalty search)\n", name,
				       ao.max_overlap, (now() - t0) * 1e3, n, n > 1 ? alts[1].by_penalty + (n > 2 ? alts[2].by_penalty : 0) : 0);
				for (k = 0; k < n; k++)
					mr_route_free(&alts[k].route);
			}
		}
	}
	printf("(the ratio is the 200 ms target over the median: above 1 means faster than the target)\n");
	mr_router_free(r);
	mr_net_free(&net);
	return 0;
}
