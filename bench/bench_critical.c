/* bench_critical.c: the criticality sweep of issue 10 on the default network: every border
 * crossing, passage and ferry line removed in turn, for every port-to-capital pair (ports: nodes
 * with a UN/LOCODE and a sea terminal; capitals: the national capitals the network has). Times the
 * fast sweep (one thread and several) and the naive one (every origin searched again for every
 * element), checks that both give the same scores bit for bit, and prints the speed-up. The naive
 * sweep takes about half a minute on this network: by default it runs on every 8th origin (and
 * the fast sweep on the same origins, for the like-for-like ratio), and the full naive time is
 * that scaled by the origin count; --full-naive runs it all. Prints, asserts nothing.
 * Usage: bench_critical NETWORK.mnet [THREADS] [--full-naive] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meridian/mr_critical.h"
#include "meridian/mr_net.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(const mr_net *net, const mr_crit_elements *el, const mr_crit_od *od, size_t nod, int method,
                  unsigned threads, mr_crit_result *res)
{
	mr_crit_opts o;
	mr_error e;
	double t0;
	mr_crit_opts_default(&o);
	o.method = method;
	o.threads = threads;
	t0 = now();
	if (mr_crit_run(net, el, od, nod, &o, res, &e)) {
		fprintf(stderr, "bench_critical: %s\n", e.msg);
		exit(1);
	}
	return now() - t0;
}

static int same(const mr_crit_result *a, const mr_crit_result *b)
{
	size_t i;
	for (i = 0; i < a->nelem; i++) {
		const mr_crit_score *x = &a->score[i], *y = &b->score[i];
		if (x->cost_increase != y->cost_increase || x->lost_weight != y->lost_weight || x->lost_pairs != y->lost_pairs ||
		    x->changed_pairs != y->changed_pairs || x->used_pairs != y->used_pairs)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	mr_net net;
	mr_crit_elements el;
	mr_crit_od *od, *sub;
	mr_crit_result fast1, fastn, naive, fsub;
	uint32_t *ports, *caps;
	size_t np, nc, nod, nsub = 0, i, origins = 0, sampled = 0;
	unsigned threads = argc > 2 && argv[2][0] != '-' ? (unsigned)atoi(argv[2]) : 2;
	int full = argc > 2 && strcmp(argv[argc - 1], "--full-naive") == 0;
	double t1, tn, tnaive, tsub;
	mr_error e;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_critical NETWORK.mnet [THREADS] [--full-naive]\n");
		return 2;
	}
	mr_error_clear(&e);
	if (mr_net_load(argv[1], &net, &e)) {
		fprintf(stderr, "bench_critical: cannot load %s: %s\n", argv[1], e.msg);
		return 1;
	}
	if (mr_crit_elements_make(&net, (1u << MR_CRIT_BORDER) | (1u << MR_CRIT_PASSAGE) | MR_CRIT_FERRIES, &el) ||
	    mr_crit_places(&net, "ports", &ports, &np) || mr_crit_places(&net, "capitals", &caps, &nc) ||
	    mr_crit_od_pairs(ports, np, caps, nc, &od, &nod)) {
		fprintf(stderr, "bench_critical: out of memory\n");
		return 1;
	}
	printf("network        %s: %u virtual nodes, %u arcs\n", argv[1], net.g.n, net.g.m);
	printf("elements       %zu (borders, passages, ferry lines; %zu removal sets)\n", el.n, el.nsets);
	printf("pairs          %zu ports x %zu capitals = %zu OD pairs\n", np, nc, nod);

	t1 = run(&net, &el, od, nod, MR_CRIT_FAST, 1, &fast1);
	tn = run(&net, &el, od, nod, MR_CRIT_FAST, threads, &fastn);
	printf("connected      %zu pairs; base total %.6g USD (generalized)\n", fast1.connected_pairs, fast1.base_cost);
	printf("fast, 1 thread %8.3f s  (%llu searches: %zu base, %llu removals searched again below the element)\n", t1,
	       (unsigned long long)fast1.searches, fast1.norigins, (unsigned long long)fast1.removals);
	printf("fast, %u threads%7.3f s  (x%.2f)  %s\n", threads, tn, t1 / tn, same(&fast1, &fastn) ? "same scores" : "SCORES DIFFER");

	/* the naive sweep: all origins, or every 8th */
	if (full) {
		sub = od;
		nsub = nod;
		sampled = origins = fast1.norigins;
	} else {
		sub = malloc((nod + 1) * sizeof(*sub));
		for (i = 0; i < nod; i++) {
			if (i == 0 || od[i].from != od[i - 1].from)
				origins++;
			if ((origins - 1) % 8 == 0) {
				if (nsub == 0 || sub[nsub - 1].from != od[i].from)
					sampled++;
				sub[nsub++] = od[i];
			}
		}
	}
	tnaive = run(&net, &el, sub, nsub, MR_CRIT_NAIVE, 1, &naive);
	tsub = run(&net, &el, sub, nsub, MR_CRIT_FAST, 1, &fsub);
	printf("naive, 1 thread%8.3f s on %zu of %zu origins (%llu searches)  %s\n", tnaive, sampled, origins,
	       (unsigned long long)naive.searches, same(&naive, &fsub) ? "same scores as fast, bit for bit" : "SCORES DIFFER");
	printf("fast, same     %8.3f s on the same origins: speed-up x%.1f\n", tsub, tnaive / tsub);
	if (!full)
		printf("naive, all     %8.1f s estimated (scaled by origins): fast is x%.1f faster on 1 thread, x%.1f on %u\n",
		       tnaive * (double)origins / (double)sampled, tnaive * (double)origins / (double)sampled / t1,
		       tnaive * (double)origins / (double)sampled / tn, threads);
	else
		printf("speed-up       x%.1f on 1 thread, x%.1f on %u\n", tnaive / t1, tnaive / tn, threads);
	mr_crit_result_free(&fast1);
	mr_crit_result_free(&fastn);
	mr_crit_result_free(&naive);
	mr_crit_result_free(&fsub);
	if (sub != od)
		free(sub);
	mr_free(od);
	mr_free(ports);
	mr_free(caps);
	mr_crit_elements_free(&el);
	mr_net_free(&net);
	return 0;
}
