/* bench_compare.c: `compare` of every corridor for one OD pair, warm inside the library (network
 * mapped and corridors read once, one router reused). Prints the median and mean time per
 * comparison, twice: for the same pair again (the router keeps the pair's A* bound) and for a new
 * pair each time (an untimed comparison of the reverse pair in between, so the bound is made
 * again: what a server answering different pairs pays), each as a ratio to the 5 ms target of
 * issue 5, then the time and work per corridor. Prints, asserts nothing.
 * Usage: bench_compare NETWORK.mnet CORRIDORS.ini FROM TO [REPEAT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meridian/mr_corridor.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_route.h"

#define TARGET_MS 5.0
#define MAX_CORRIDORS 64

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

typedef struct corridor_stat {
	double t;         /* seconds, summed over the timed comparisons */
	uint64_t settled; /* pairs settled, likewise */
	int feasible;
} corridor_stat;

/* One comparison: every corridor from a to b; returns the number of feasible corridors and adds
 * each corridor's time and work to st (may be NULL). */
static size_t compare(mr_router *r, const mr_corridor_set *set, uint32_t a, uint32_t b, const mr_route_opts *o,
                      corridor_stat *st)
{
	size_t k, feasible = 0;
	for (k = 0; k < set->n; k++) {
		const mr_corridor *c = &set->v[k];
		mr_route route;
		mr_error e;
		double t0 = st ? now() : 0;
		int rc = mr_router_route_pattern(r, a, b, o, &c->pattern, c->preds, c->npred, &route, &e);
		if (st)
			st[k].t += now() - t0;
		if (rc == MR_OK) {
			feasible++;
			if (st) {
				st[k].settled += route.settled;
				st[k].feasible = 1;
			}
			mr_route_free(&route);
		}
	}
	return feasible;
}

static void report(const char *what, double *t, int rep)
{
	double sum = 0, med;
	int i;
	for (i = 0; i < rep; i++)
		sum += t[i];
	qsort(t, (size_t)rep, sizeof(*t), cmp_double);
	med = rep % 2 ? t[rep / 2] : (t[rep / 2 - 1] + t[rep / 2]) / 2;
	printf("  %-44s median %6.2f ms, mean %6.2f ms per comparison: %.2f x the %.0f ms target\n", what, 1e3 * med,
	       1e3 * sum / rep, 1e3 * med / TARGET_MS, TARGET_MS);
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
	double *t;
	corridor_stat st[MAX_CORRIDORS];

	if (argc < 5 || rep < 1) {
		fprintf(stderr, "usage: bench_compare NETWORK.mnet CORRIDORS.ini FROM TO [REPEAT]\n");
		return 2;
	}
	if (mr_net_load(argv[1], &net, &e) || mr_corridors_read(argv[2], &set, &e) || mr_router_new(&r, &net) ||
	    mr_place_resolve(&net, argv[3], 0, 100, &a, &e) || mr_place_resolve(&net, argv[4], 0, 100, &b, &e)) {
		fprintf(stderr, "bench_compare: %s\n", e.msg);
		return 1;
	}
	if (set.n > MAX_CORRIDORS) {
		fprintf(stderr, "bench_compare: more than %d corridors\n", MAX_CORRIDORS);
		return 1;
	}
	if (!(t = malloc((size_t)rep * sizeof(*t)))) {
		fprintf(stderr, "bench_compare: out of memory\n");
		return 1;
	}
	mr_route_opts_default(&o);
	memset(st, 0, sizeof(st));
	feasible = compare(r, &set, a.node, b.node, &o, NULL); /* warm-up: first use of the router */

	printf("compare %s -> %s, %zu corridors (%zu feasible), warm in the library, %d runs each:\n", argv[3], argv[4],
	       set.n, feasible, rep);
	for (i = 0; i < rep; i++) {
		double t0 = now();
		compare(r, &set, a.node, b.node, &o, NULL);
		t[i] = now() - t0;
	}
	report("the same pair again (its A* bound kept):", t, rep);
	for (i = 0; i < rep; i++) {
		double t0;
		compare(r, &set, b.node, a.node, &o, NULL); /* untimed: another pair in between */
		t0 = now();
		compare(r, &set, a.node, b.node, &o, st);
		t[i] = now() - t0;
	}
	report("a new pair each time (bound made again):", t, rep);
	printf("  per corridor, new pair each time (mean):\n");
	for (k = 0; k < set.n; k++) {
		if (st[k].feasible)
			printf("    %-18s %6.3f ms, %8.0f (vertex, state) pairs settled\n", set.v[k].id, 1e3 * st[k].t / rep,
			       (double)st[k].settled / rep);
		else
			printf("    %-18s %6.3f ms, no route\n", set.v[k].id, 1e3 * st[k].t / rep);
	}
	free(t);
	mr_router_free(r);
	mr_corridors_free(&set);
	mr_net_free(&net);
	return 0;
}
