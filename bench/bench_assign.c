/* bench_assign.c: user-equilibrium assignment on the TNTP networks of ../shared/data (SiouxFalls,
 * Anaheim, Barcelona): time and iterations of Algorithm B to relative gap 1e-6 and 1e-10, and of
 * FW, CFW and BFW to 1e-4, with ratios against tap-b (Algorithm B in C) measured on this kind of
 * machine (DESIGN.md). Each figure is the best of a few runs (reading the files excluded). Prints,
 * asserts nothing. Usage: bench_assign [SHARED_DIR] [network...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_assign.h"

typedef struct ref {
	const char *name, *dir, *prefix;
	double tapb_6, tapb_10; /* seconds to gap 1e-6 and 1e-10 */
} ref;

static const ref refs[] = {
	{"SiouxFalls", "SiouxFalls", "SiouxFalls", 0.014, 0.039},
	{"Anaheim", "Anaheim", "Anaheim", 0.019, 0.051},
	{"Barcelona", "Barcelona", "Barcelona", 0.36, 0.56},
};

static int run(const mr_assign_net *net, const mr_assign_demand *dem, int algo, double gap, uint32_t max_iter,
               int reps, double *secs, uint32_t *iters, double *got_gap, double *obj)
{
	int r;
	*secs = 1e300;
	for (r = 0; r < reps; r++) {
		mr_assign_opts o;
		mr_assign_result res;
		mr_error e;
		int rc;
		mr_assign_opts_init(&o);
		o.algorithm = algo;
		o.gap = gap;
		o.max_iter = max_iter;
		o.max_seconds = 120;
		rc = mr_assign_solve(net, dem, &o, &res, &e);
		if (rc != MR_OK) {
			char buf[600];
			mr_error_format(&e, buf, sizeof(buf));
			fprintf(stderr, "assignment failed: %s\n", buf);
			return rc;
		}
		/* total time of the run, iterations and gap computations included */
		if (res.seconds < *secs)
			*secs = res.seconds;
		*iters = res.iterations;
		*got_gap = res.gap;
		*obj = res.objective;
		mr_assign_result_free(&res);
	}
	return MR_OK;
}

int main(int argc, char **argv)
{
	const char *shared = argc > 1 ? argv[1] : "../shared";
	size_t i;
	static const struct {
		const char *name;
		int algo;
	} fw[] = {{"FW", MR_ASSIGN_FW}, {"CFW", MR_ASSIGN_CFW}, {"BFW", MR_ASSIGN_BFW}};

	printf("%-11s %-4s %8s %6s %10s %12s %18s %9s\n", "network", "algo", "target", "iters", "seconds", "gap",
	       "objective", "vs tap-b");
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const ref *R = &refs[i];
		char np[1024], tp[1024];
		mr_assign_net net;
		mr_assign_demand dem;
		mr_error e;
		double s, g, obj;
		uint32_t it;
		size_t k;
		int a, want = argc <= 2;
		for (a = 2; a < argc; a++)
			if (strcmp(argv[a], R->name) == 0)
				want = 1;
		if (!want)
			continue;
		snprintf(np, sizeof(np), "%s/data/tntp/%s/%s_net.tntp", shared, R->dir, R->prefix);
		snprintf(tp, sizeof(tp), "%s/data/tntp/%s/%s_trips.tntp", shared, R->dir, R->prefix);
		if (mr_assign_read_net(np, &net, &e) != MR_OK) {
			printf("%-11s skipped (%s: %s)\n", R->name, np, e.msg);
			continue;
		}
		if (mr_assign_read_trips(tp, net.zones, &dem, &e) != MR_OK) {
			printf("%-11s skipped (%s: %s)\n", R->name, tp, e.msg);
			mr_assign_net_free(&net);
			continue;
		}
		if (run(&net, &dem, MR_ASSIGN_B, 1e-6, 0, 5, &s, &it, &g, &obj) == MR_OK)
			printf("%-11s %-4s %8.0e %6u %10.4f %12.3e %18.10f %8.2fx\n", R->name, "B", 1e-6, it, s, g, obj,
			       s / R->tapb_6);
		if (run(&net, &dem, MR_ASSIGN_B, 1e-10, 0, 5, &s, &it, &g, &obj) == MR_OK)
			printf("%-11s %-4s %8.0e %6u %10.4f %12.3e %18.10f %8.2fx\n", R->name, "B", 1e-10, it, s, g, obj,
			       s / R->tapb_10);
		for (k = 0; k < sizeof(fw) / sizeof(fw[0]); k++)
			if (run(&net, &dem, fw[k].algo, 1e-4, 20000, 1, &s, &it, &g, &obj) == MR_OK)
				printf("%-11s %-4s %8.0e %6u %10.4f %12.3e %18.10f %9s\n", R->name, fw[k].name, 1e-4, it, s, g, obj,
				       "");
		mr_assign_demand_free(&dem);
		mr_assign_net_free(&net);
	}
	printf("vs tap-b: our time / tap-b's (below 1 = faster). tap-b reference on this machine class "
	       "(DESIGN.md): SiouxFalls 0.014 / 0.039 s, Anaheim 0.019 / 0.051 s, Barcelona 0.36 / 0.56 s to 1e-6 / "
	       "1e-10.\nOur seconds include every gap computation (one shortest-path tree per origin and "
	       "iteration); tap-b's exclude them.\n");
	return 0;
}
