/* cmd_assign.c: `meridian assign`: user-equilibrium assignment of a TNTP network and trip table
 * (include/meridian/mr_assign.h), with a progress line per iteration, a flows file, the most
 * saturated links, warm starts, and origins split across Open MPI ranks when run under mpirun
 * (the meridian-mpi build of this program, which `meridian assign` runs when it finds itself
 * launched by mpirun). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef MR_WITH_MPI
#include <mpi.h>
#endif

#include "cli/cli.h"
#include "io/mr_csv.h"
#include "meridian/mr_assign.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_flows.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"

static const char assign_help[] =
	"Usage: meridian assign --demand FILE [--capacity FILE] [--network FILE] [--by generalized|time]\n"
	"                       [--vot USD_PER_H] [--modes M,...] [--avoid X,...] [--bpr ALPHA,BETA] ...\n"
	"       meridian assign --tntp NET.tntp TRIPS.tntp ...\n"
	"   ... [--algorithm b|bfw|cfw|fw|msa|aon] [--gap G] [--max-iter N] [--max-seconds S]\n"
	"       [-o flows.csv|flows.geojson] [--format table|json|html] [--top N] [--warm-start flows.csv]\n"
	"       [--load-bushes F] [--save-bushes F] [--quiet]\n"
	"\n"
	"With --demand, the yearly demand (CSV origin,destination,amount[,class], TEU per year,\n"
	"places as in route) is loaded onto a Meridian network (the built-in one by default) with\n"
	"the capacities of --capacity (CSV element,id,capacity_teu_per_year,source; for the\n"
	"built-in network, data/eurasia/capacity.csv by default): each capacitated arc's hours\n"
	"stretch with BPR (default alpha 0.15, beta 4) of flow / capacity, and the report ranks the\n"
	"links, border crossings and transfer terminals by flow / capacity. The example demand of\n"
	"the built-in network is demand-example.csv next to the program (data/eurasia/).\n"
	"\n"
	"Load the trip table onto the network at user equilibrium (Wardrop): every used route of an\n"
	"origin-destination pair costs the same and no unused one costs less. Link times follow each\n"
	"link's BPR function (TNTP columns b and power) of its flow and capacity; costs add the toll\n"
	"and distance factors of the network file. Costs keep the network's own unit (TNTP free-flow\n"
	"times, usually minutes).\n"
	"\n"
	"  --algorithm A   b (Algorithm B, bush-based, Dial 2006; default: the precise one),\n"
	"                  bfw, cfw (bi- and conjugate Frank-Wolfe), fw, msa, aon (all-or-nothing)\n"
	"  --gap G         stop at this relative gap (TSTT - SPTT) / SPTT (default 1e-6)\n"
	"  --max-iter N    stop after N iterations (default 1000); --max-seconds S after S seconds\n"
	"  -o FILE         link flows as CSV: link,from,to,capacity,free_flow_time,flow,voc,time,cost\n"
	"                  (written atomically; usable again with --warm-start)\n"
	"  --format F      table (default) or json: convergence, every iteration and the bottlenecks;\n"
	"                  html (Meridian networks): a page with the flow map (widths by flow, colours by\n"
	"                  flow / capacity), the bottlenecks and the corridor shares; to -o FILE or stdout\n"
	"  --top N         the N most saturated links by volume / capacity (default 10)\n"
	"  --warm-start F  start the Frank-Wolfe family from the flows of an earlier -o file\n"
	"  --load-bushes F, --save-bushes F\n"
	"                  Algorithm B: start from / save the bushes (docs/assignment.md)\n"
	"  --quiet         no progress line\n"
	"  --by, --vot, --modes, --avoid: as in route (the objective must depend on time)\n"
	"  --bpr A,B       BPR alpha and beta of the capacitated arcs (Meridian networks)\n"
	"  --logit         Meridian networks: split each OD pair's demand over --routes K (default 5)\n"
	"                  alternative routes by a logit of cost / cheapest cost with dispersion\n"
	"                  --theta T (default 10: a route 10 %% dearer gets 0.37 times the weight),\n"
	"                  iterated with the capacities (MSA) until the largest link-flow change is --gap\n"
	"                  (default 1e-6) of the demand or --max-iter (default 200); prints each\n"
	"                  corridor's share of the demand\n"
	"\n"
	"A line per iteration on stderr gives the relative gap, the average excess cost and the\n"
	"Beckmann objective. Under `mpirun -np N meridian assign ...` the origins are split across the\n"
	"N ranks and the link flows summed with MPI collectives (built with cmake -DMR_MPI=ON);\n"
	"rank 0 prints and writes. Methods and measurements: docs/assignment.md.\n";

static const char *const algo_names[] = {"aon", "msa", "fw", "cfw", "bfw", "b"};
static const char *const stop_names[] = {"gap reached", "iteration limit", "time limit", "stopped"};

typedef struct progress {
	int show, tty, logit;
	const char *label;
} progress;

static int on_iter(void *ud, const mr_assign_iter *it)
{
	progress *p = ud;
	if (!p->show)
		return 0;
	if (p->logit) {
		fprintf(stderr, "%slogit iteration %u: largest link-flow change %.3e of the demand, total cost %.10g%s",
		        p->tty ? "\r" : "", it->iteration, it->gap, it->objective, p->tty ? "\033[K" : "\n");
		fflush(stderr);
		return 0;
	}
	fprintf(stderr, "%s%s iteration %u: gap %.3e, excess cost %.4g, objective %.10g, %.3f s%s", p->tty ? "\r" : "",
	        p->label, it->iteration, it->gap, it->aec, it->objective, it->seconds, p->tty ? "\033[K" : "\n");
	fflush(stderr);
	return 0;
}

/* Link flows of an earlier -o file (columns link and flow; every link once). */
static int read_flows(const char *path, uint32_t nlinks, double **out)
{
	mr_csv c;
	mr_error e;
	double *flow = NULL;
	unsigned char *seen = NULL;
	long ci_link = -1, ci_flow = -1;
	size_t i, rows = 0;
	int rc;

	mr_error_clear(&e);
	if ((rc = mr_csv_open(&c, path, MR_CSV_SKIP_COMMENTS, &e)))
		return fail("assign", &e);
	flow = calloc((size_t)nlinks + 1, sizeof(double));
	seen = calloc((size_t)nlinks + 1, 1);
	if (!flow || !seen) {
		rc = fail_code("assign", MR_ENOMEM);
		goto out;
	}
	if ((rc = mr_csv_next(&c, &e)) != 1) {
		rc = rc < 0 ? fail("assign", &e) : (fprintf(stderr, "%s assign: %s: empty file\n", prog, path), 2);
		goto out;
	}
	for (i = 0; i < mr_csv_nfields(&c); i++) {
		if (strcmp(mr_csv_field(&c, i), "link") == 0)
			ci_link = (long)i;
		else if (strcmp(mr_csv_field(&c, i), "flow") == 0)
			ci_flow = (long)i;
	}
	if (ci_link < 0 || ci_flow < 0) {
		fprintf(stderr, "%s assign: %s:1: the header needs the columns link and flow\n", prog, path);
		rc = 2;
		goto out;
	}
	while ((rc = mr_csv_next(&c, &e)) == 1) {
		double id, f;
		if (mr_csv_nfields(&c) <= (size_t)(ci_link > ci_flow ? ci_link : ci_flow)) {
			fprintf(stderr, "%s assign: %s:%ld: too few fields\n", prog, path, c.row_line);
			rc = 2;
			goto out;
		}
		if (mr__csv_number(mr_csv_field(&c, (size_t)ci_link), &id) != 1 || id != floor(id) || id < 1 || id > nlinks) {
			fprintf(stderr, "%s assign: %s:%ld: field 'link': '%s' is not a link of the network (1..%u)\n", prog,
			        path, c.row_line, mr_csv_field(&c, (size_t)ci_link), nlinks);
			rc = 2;
			goto out;
		}
		if (mr__csv_number(mr_csv_field(&c, (size_t)ci_flow), &f) != 1 || !(f >= 0)) {
			fprintf(stderr, "%s assign: %s:%ld: field 'flow': '%s' is not a flow (a number >= 0)\n", prog, path,
			        c.row_line, mr_csv_field(&c, (size_t)ci_flow));
			rc = 2;
			goto out;
		}
		if (seen[(size_t)id - 1]++) {
			fprintf(stderr, "%s assign: %s:%ld: field 'link': link %.0f given twice\n", prog, path, c.row_line, id);
			rc = 2;
			goto out;
		}
		flow[(size_t)id - 1] = f;
		rows++;
	}
	if (rc < 0) {
		rc = fail("assign", &e);
		goto out;
	}
	if (rows != nlinks) {
		fprintf(stderr, "%s assign: %s: %zu links, the network has %u\n", prog, path, rows, nlinks);
		rc = 2;
		goto out;
	}
	*out = flow;
	flow = NULL;
	rc = 0;
out:
	mr_csv_close(&c);
	free(flow);
	free(seen);
	return rc;
}

/* Output files are written to a temporary beside them and renamed when complete: a reader never
 * sees half a file, and a failure leaves the old one. tmp_open returns NULL after saying why. */
typedef struct tmpfile_ {
	FILE *f;
	char *tmp;
	const char *path;
} tmpfile_;

static FILE *tmp_open(tmpfile_ *t, const char *path)
{
	size_t len = strlen(path);
	t->path = path;
	t->f = NULL;
	if (!(t->tmp = malloc(len + 32))) {
		fail_code("assign", MR_ENOMEM);
		return NULL;
	}
	snprintf(t->tmp, len + 32, "%s.tmp.%ld", path, (long)getpid());
	if (!(t->f = fopen(t->tmp, "w"))) {
		fprintf(stderr, "%s assign: cannot create %s: %s\n", prog, t->tmp, strerror(errno));
		free(t->tmp);
	}
	return t->f;
}

/* Close and rename (ok: everything was written); 0 or the exit status of MR_EIO. */
static int tmp_commit(tmpfile_ *t, int ok)
{
	ok = !ferror(t->f) && ok;
	ok = (fclose(t->f) == 0) && ok;
	if (ok && rename(t->tmp, t->path) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "%s assign: cannot write %s: %s\n", prog, t->path, strerror(errno));
		unlink(t->tmp);
	}
	free(t->tmp);
	return ok ? 0 : mr_exit_status(MR_EIO);
}

/* The flows file. */
static int write_flows(const char *path, const mr_assign_net *net, const mr_assign_result *res)
{
	tmpfile_ t;
	FILE *f;
	uint32_t i;
	if (!(f = tmp_open(&t, path)))
		return mr_exit_status(MR_EIO);
	fprintf(f, "link,from,to,capacity,free_flow_time,flow,voc,time,cost\n");
	for (i = 0; i < net->nlinks; i++) {
		const mr_assign_link *l = &net->links[i];
		fprintf(f, "%u,%u,%u,%.17g,%.17g,%.17g,%.10g,%.17g,%.17g\n", i + 1, l->tail + 1, l->head + 1, l->capacity,
		        l->fft, res->flow[i], l->capacity > 0 ? res->flow[i] / l->capacity : 0.0, res->time[i], res->cost[i]);
	}
	return tmp_commit(&t, 1);
}

static const mr_assign_net *sort_net;
static const double *sort_flow;
static int by_voc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	double cx = sort_net->links[x].capacity, cy = sort_net->links[y].capacity;
	double vx = cx > 0 ? sort_flow[x] / cx : 0, vy = cy > 0 ? sort_flow[y] / cy : 0;
	return vx > vy ? -1 : vx < vy ? 1 : (x > y) - (x < y);
}

static int report(const mr_assign_net *net, const mr_assign_result *res, const char *netpath, int algorithm,
                  int json, size_t top)
{
	uint32_t *ord = malloc(((size_t)net->nlinks + 1) * sizeof(uint32_t)), i;
	size_t k;
	if (!ord)
		return fail_code("assign", MR_ENOMEM);
	for (i = 0; i < net->nlinks; i++)
		ord[i] = i;
	sort_net = net;
	sort_flow = res->flow;
	qsort(ord, net->nlinks, sizeof(uint32_t), by_voc);
	if (top > net->nlinks)
		top = net->nlinks;
	if (json) {
		json_t *root = json_object(), *h = json_array(), *b = json_array();
		char *text;
		json_object_set_new(root, "network", json_string(netpath));
		json_object_set_new(root, "algorithm", json_string(algo_names[algorithm]));
		json_object_set_new(root, "iterations", json_integer(res->iterations));
		json_object_set_new(root, "stop", json_string(stop_names[res->stop]));
		json_object_set_new(root, "relative_gap", json_real(res->gap));
		json_object_set_new(root, "average_excess_cost", json_real(res->aec));
		json_object_set_new(root, "objective", json_real(res->objective));
		json_object_set_new(root, "tstt", json_real(res->tstt));
		json_object_set_new(root, "sptt", json_real(res->sptt));
		json_object_set_new(root, "seconds", json_real(res->seconds));
		for (k = 0; k < res->nhistory; k++) {
			const mr_assign_iter *it = &res->history[k];
			json_array_append_new(h, json_pack("{s:i, s:f, s:f, s:f, s:f}", "iteration", (json_int_t)it->iteration, "gap",
			                                   it->gap, "aec", it->aec, "objective", it->objective, "seconds",
			                                   it->seconds));
		}
		json_object_set_new(root, "history", h);
		for (k = 0; k < top; k++) {
			const mr_assign_link *l = &net->links[ord[k]];
			json_array_append_new(
				b, json_pack("{s:i, s:i, s:i, s:f, s:f, s:f, s:f}", "link", (json_int_t)ord[k] + 1, "from",
			                 (json_int_t)l->tail + 1, "to", (json_int_t)l->head + 1, "flow", res->flow[ord[k]],
			                 "capacity", l->capacity, "voc", l->capacity > 0 ? res->flow[ord[k]] / l->capacity : 0.0,
			                 "time", res->time[ord[k]]));
		}
		json_object_set_new(root, "bottlenecks", b);
		text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
		json_decref(root);
		if (!text) {
			free(ord);
			return fail_code("assign", MR_ENOMEM);
		}
		printf("%s\n", text);
		free(text);
	} else {
		printf("network      %s: %u nodes (%u zones), %u links\n", netpath, net->nodes, net->zones, net->nlinks);
		printf("algorithm    %s, %u iteration%s, %s, %.3f s\n", algo_names[algorithm], res->iterations,
		       res->iterations == 1 ? "" : "s", stop_names[res->stop], res->seconds);
		printf("relative gap %.3e\naverage excess cost %.6g\nobjective    %.12g (Beckmann)\ntotal cost   %.12g "
		       "(TSTT)\n",
		       res->gap, res->aec, res->objective, res->tstt);
		printf("\nmost saturated links (flow / capacity):\n %6s %6s %6s %14s %14s %8s %12s\n", "link", "from", "to",
		       "flow", "capacity", "v/c", "time");
		for (k = 0; k < top; k++) {
			const mr_assign_link *l = &net->links[ord[k]];
			printf(" %6u %6u %6u %14.2f %14.2f %8.3f %12.4f\n", ord[k] + 1, l->tail + 1, l->head + 1, res->flow[ord[k]],
			       l->capacity, l->capacity > 0 ? res->flow[ord[k]] / l->capacity : 0.0, res->time[ord[k]]);
		}
	}
	free(ord);
	return 0;
}

#ifdef MR_WITH_MPI
static int mpi_sum(double *buf, size_t n, void *ctx)
{
	(void)ctx;
	while (n > 0) {
		int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;
		if (MPI_Allreduce(MPI_IN_PLACE, buf, chunk, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
			return -1;
		buf += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}
#endif

#ifndef MR_WITH_MPI
/* Launched by mpirun with more than one rank: 1. */
int mr__under_mpirun(void)
{
	const char *s = getenv("OMPI_COMM_WORLD_SIZE");
	return s && atoi(s) > 1;
}

/* Run `meridian-mpi CMD ARGS` (next to this program, else on PATH); argv[0] is the command. */
int mr__exec_mpi(int argc, char **cargv)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char **argv = malloc(((size_t)argc + 2) * sizeof(char *));
	int i;
	if (!argv)
		return fail_code("assign", MR_ENOMEM);
	argv[0] = "meridian-mpi";
	for (i = 0; i < argc; i++)
		argv[i + 1] = cargv[i];
	argv[argc + 1] = NULL;
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/meridian-mpi", exe);
			execv(path, argv);
		}
	}
	execvp("meridian-mpi", argv);
	fprintf(stderr,
	        "%s %s: launched by mpirun with several ranks, but meridian-mpi (the Open MPI build, cmake "
	        "-DMR_MPI=ON) cannot be run: %s\n",
	        prog, cargv[0], strerror(errno));
	free(argv);
	return mr_exit_status(MR_EIO);
}
#endif

#ifdef MR_WITH_MPI
/* The origins [lo, hi) of rank r of p: contiguous blocks with about the same number of OD entries. */
static void split_origins(const mr_assign_demand *d, int r, int p, uint32_t *lo, uint32_t *hi)
{
	size_t want_lo = d->n * (size_t)r / (size_t)p, want_hi = d->n * (size_t)(r + 1) / (size_t)p;
	uint32_t z;
	*lo = *hi = 0;
	for (z = 0; z < d->zones && d->first[z] < want_lo; z++)
		;
	*lo = z;
	for (; z < d->zones && d->first[z] < want_hi; z++)
		;
	*hi = r == p - 1 ? d->zones : z;
}
#endif

/* Link loads of a Meridian network: CSV (one row per element) or GeoJSON (links as lines,
 * borders and terminals as points), written to a temporary and renamed. */
static const char *kind_name(int k)
{
	return k == MR_FLOW_LINK ? "link" : k == MR_FLOW_BORDER ? "border" : "terminal";
}

static void element_ends(const mr_net *net, const mr_flow_load *x, uint32_t *a, uint32_t *b)
{
	if (x->kind == MR_FLOW_LINK) {
		const mr_link_rec *l = &net->links[x->ref];
		*a = x->reverse ? l->to : l->from;
		*b = x->reverse ? l->from : l->to;
	} else {
		*a = *b = x->kind == MR_FLOW_BORDER ? net->borders[x->ref].node : x->ref;
	}
}

static const char *element_id(const mr_net *net, const mr_flow_load *x)
{
	if (x->kind == MR_FLOW_LINK)
		return mr_net_str(net, net->links[x->ref].id);
	if (x->kind == MR_FLOW_BORDER)
		return mr_net_str(net, net->borders[x->ref].id);
	return mr_net_str(net, net->nodes[x->ref].id);
}

/* A link's name is its two ends in the direction of the flow. */
static const char *element_name(const mr_net *net, const mr_flow_load *x)
{
	static char buf[160];
	if (x->kind == MR_FLOW_LINK) {
		uint32_t a, b;
		element_ends(net, x, &a, &b);
		snprintf(buf, sizeof(buf), "%s -> %s", mr_net_str(net, net->nodes[a].name), mr_net_str(net, net->nodes[b].name));
		return buf;
	}
	if (x->kind == MR_FLOW_BORDER)
		return mr_net_str(net, net->borders[x->ref].name);
	return mr_net_str(net, net->nodes[x->ref].name);
}

/* The links at each node (both ends), built once for element_corridors: links of node n are
 * at_link[at_first[n] .. at_first[n+1]). */
static uint32_t *at_first, *at_link;

static int links_at_nodes(const mr_net *net)
{
	uint32_t l, n = net->meta.nnodes;
	if (at_first)
		return 0;
	at_first = calloc((size_t)n + 2, sizeof(uint32_t));
	at_link = malloc(2 * ((size_t)net->meta.nlinks + 1) * sizeof(uint32_t));
	if (!at_first || !at_link) {
		free(at_first);
		free(at_link);
		at_first = at_link = NULL;
		return -1;
	}
	for (l = 0; l < net->meta.nlinks; l++) {
		at_first[net->links[l].from + 2]++;
		if (net->links[l].to != net->links[l].from)
			at_first[net->links[l].to + 2]++;
	}
	for (l = 0; l < n; l++)
		at_first[l + 2] += at_first[l + 1];
	for (l = 0; l < net->meta.nlinks; l++) {
		at_link[at_first[net->links[l].from + 1]++] = l;
		if (net->links[l].to != net->links[l].from)
			at_link[at_first[net->links[l].to + 1]++] = l;
	}
	return 0;
}

/* Add the ';'-separated tags of t to buf (each once; at most size - 1 bytes). */
static void add_tags(char *buf, size_t size, const char *t)
{
	size_t len = strlen(buf);
	while (*t) {
		size_t n = strcspn(t, ";"), i;
		int have = 0;
		for (i = 0; n > 0 && i + n <= len && !have; i++)
			have = (i == 0 || buf[i - 1] == ';') && strncmp(buf + i, t, n) == 0 && (buf[i + n] == ';' || buf[i + n] == '\0');
		if (n > 0 && !have && len + n + 2 < size) {
			if (len)
				buf[len++] = ';';
			memcpy(buf + len, t, n);
			len += n;
			buf[len] = '\0';
		}
		t += n;
		if (*t == ';')
			t++;
	}
}

/* The corridors an element belongs to: a link's tags; for a border crossing or a terminal, the
 * tags of the links that meet at its node (';'-separated, each once, at most 200 bytes). */
static const char *element_corridors(const mr_net *net, const mr_flow_load *x)
{
	static char buf[208];
	uint32_t node, k;
	buf[0] = '\0';
	if (x->kind == MR_FLOW_LINK) {
		add_tags(buf, sizeof(buf), mr_net_str(net, net->links[x->ref].tags));
		return buf;
	}
	if (links_at_nodes(net))
		return buf; /* out of memory: no names */
	node = x->kind == MR_FLOW_TERMINAL ? x->ref : net->borders[x->ref].node;
	for (k = at_first[node]; k < at_first[node + 1]; k++)
		add_tags(buf, sizeof(buf), mr_net_str(net, net->links[at_link[k]].tags));
	return buf;
}

static void csv_text(FILE *f, const char *t)
{
	if (!strpbrk(t, ",\"\n\r")) {
		fputs(t, f);
		return;
	}
	fputc('"', f);
	for (; *t; t++) {
		if (*t == '"')
			fputc('"', f);
		fputc(*t, f);
	}
	fputc('"', f);
}

static int write_loads(const char *path, const mr_net *net, const mr_flow_load *v, size_t n)
{
	size_t len = strlen(path), i;
	int geo = len > 8 && strcmp(path + len - 8, ".geojson") == 0, ok;
	tmpfile_ t;
	FILE *f;
	if (!(f = tmp_open(&t, path)))
		return mr_exit_status(MR_EIO);
	if (geo) {
		json_t *fc = json_object(), *feats = json_array();
		json_object_set_new(fc, "type", json_string("FeatureCollection"));
		for (i = 0; i < n; i++) {
			uint32_t a, b;
			json_t *ft = json_object(), *pr = json_object(), *gm = json_object(), *co;
			element_ends(net, &v[i], &a, &b);
			if (a == b) {
				co = json_pack("[f,f]", net->nodes[a].lon, net->nodes[a].lat);
				json_object_set_new(gm, "type", json_string("Point"));
			} else {
				co = json_pack("[[f,f],[f,f]]", net->nodes[a].lon, net->nodes[a].lat, net->nodes[b].lon,
				               net->nodes[b].lat);
				json_object_set_new(gm, "type", json_string("LineString"));
			}
			json_object_set_new(gm, "coordinates", co);
			json_object_set_new(pr, "element", json_string(kind_name(v[i].kind)));
			json_object_set_new(pr, "id", json_string(element_id(net, &v[i])));
			json_object_set_new(pr, "name", json_string(element_name(net, &v[i])));
			json_object_set_new(pr, "corridors", json_string(element_corridors(net, &v[i])));
			json_object_set_new(pr, "from", json_string(mr_net_str(net, net->nodes[a].id)));
			json_object_set_new(pr, "to", json_string(mr_net_str(net, net->nodes[b].id)));
			json_object_set_new(pr, "flow_teu", json_real(v[i].flow));
			if (v[i].capacity > 0) {
				json_object_set_new(pr, "capacity_teu", json_real(v[i].capacity));
				json_object_set_new(pr, "voc", json_real(v[i].voc));
			}
			json_object_set_new(ft, "type", json_string("Feature"));
			json_object_set_new(ft, "properties", pr);
			json_object_set_new(ft, "geometry", gm);
			json_array_append_new(feats, ft);
		}
		json_object_set_new(fc, "features", feats);
		ok = json_dumpf(fc, f, JSON_COMPACT | JSON_REAL_PRECISION(10)) == 0;
		json_decref(fc);
		fputc('\n', f);
	} else {
		ok = 1;
		fprintf(f, "element,id,name,corridors,from,to,flow_teu,capacity_teu,voc\n");
		for (i = 0; i < n; i++) {
			uint32_t a, b;
			element_ends(net, &v[i], &a, &b);
			fprintf(f, "%s,", kind_name(v[i].kind));
			csv_text(f, element_id(net, &v[i]));
			fputc(',', f);
			csv_text(f, element_name(net, &v[i]));
			fputc(',', f);
			csv_text(f, element_corridors(net, &v[i]));
			fputc(',', f);
			csv_text(f, mr_net_str(net, net->nodes[a].id));
			fputc(',', f);
			csv_text(f, mr_net_str(net, net->nodes[b].id));
			if (v[i].capacity > 0)
				fprintf(f, ",%.10g,%.10g,%.6g\n", v[i].flow, v[i].capacity, v[i].voc);
			else
				fprintf(f, ",%.10g,,\n", v[i].flow);
		}
	}
	return tmp_commit(&t, ok);
}

static int corridor_shares(const mr_net *net, const mr_flow_demand *d, const mr_flow_paths *ps, int json);

static int report_loads(const mr_net *net, const char *netpath, const mr_flow_demand *d, const mr_flow_capacity *cap,
                        const mr_assign_result *res, const char *algorithm, int json, const mr_flow_load *v, size_t n,
                        size_t top, const mr_flow_paths *paths)
{
	size_t i, shown = 0;
	if (json) {
		json_t *root = json_object(), *b = json_array();
		char *text;
		json_object_set_new(root, "network", json_string(netpath));
		json_object_set_new(root, "od_pairs", json_integer((json_int_t)d->n));
		json_object_set_new(root, "demand_teu", json_real(d->total));
		json_object_set_new(root, "capacities", json_integer((json_int_t)cap->rows));
		json_object_set_new(root, "algorithm", json_string(algorithm));
		json_object_set_new(root, "iterations", json_integer(res->iterations));
		json_object_set_new(root, "stop", json_string(stop_names[res->stop]));
		if (paths) {
			json_object_set_new(root, "largest_flow_change", json_real(res->gap));
		} else {
			json_object_set_new(root, "relative_gap", json_real(res->gap));
			json_object_set_new(root, "average_excess_cost", json_real(res->aec));
			json_object_set_new(root, "objective", json_real(res->objective));
			json_object_set_new(root, "total_cost", json_real(res->tstt));
			json_object_set_new(root, "seconds", json_real(res->seconds));
		}
		for (i = 0; i < n && shown < top; i++) {
			uint32_t a, z;
			json_t *e;
			if (!(v[i].capacity > 0))
				continue;
			element_ends(net, &v[i], &a, &z);
			e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f}", "element", kind_name(v[i].kind), "id",
			              element_id(net, &v[i]), "name", element_name(net, &v[i]), "corridors",
			              element_corridors(net, &v[i]), "from",
			              mr_net_str(net, net->nodes[a].id), "to", mr_net_str(net, net->nodes[z].id), "flow_teu",
			              v[i].flow, "capacity_teu", v[i].capacity, "voc", v[i].voc);
			json_array_append_new(b, e);
			shown++;
		}
		json_object_set_new(root, "bottlenecks", b);
		text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(root);
		if (!text)
			return fail_code("assign", MR_ENOMEM);
		/* the corridor shares go inside the object: drop its closing brace */
		text[strlen(text) - 1] = '\0';
		while (strlen(text) && (text[strlen(text) - 1] == '\n' || text[strlen(text) - 1] == ' '))
			text[strlen(text) - 1] = '\0';
		printf("%s", text);
		free(text);
		if (paths && corridor_shares(net, d, paths, 1))
			return mr_exit_status(MR_EIO);
		printf("\n}\n");
		return 0;
	}
	printf("network      %s\ndemand       %zu OD pairs, %.0f TEU per year; %zu capacities\n", netpath, d->n, d->total,
	       cap->rows);
	if (paths) {
		printf("algorithm    logit over alternative routes, %u iteration%s (MSA), %s\n", res->iterations,
		       res->iterations == 1 ? "" : "s", stop_names[res->stop]);
		printf("largest link-flow change %.3e of the demand\n", res->gap);
	} else {
		printf("algorithm    %s, %u iteration%s, %s, %.3f s\n", algorithm, res->iterations,
		       res->iterations == 1 ? "" : "s", stop_names[res->stop], res->seconds);
		printf("relative gap %.3e, average excess cost %.6g per TEU\n", res->gap, res->aec);
	}
	printf("\nmost saturated elements (flow / capacity, TEU per year):\n %-8s %-22.22s %-36.36s %12s %12s %7s  %s\n",
	       "element", "id", "name", "flow", "capacity", "v/c", "corridors");
	for (i = 0; i < n && shown < top; i++) {
		if (!(v[i].capacity > 0))
			continue;
		printf(" %-8s %-22.22s %-36.36s %12.0f %12.0f %7.3f  %s\n", kind_name(v[i].kind), element_id(net, &v[i]),
		       element_name(net, &v[i]), v[i].flow, v[i].capacity, v[i].voc, element_corridors(net, &v[i]));
		shown++;
	}
	if (!shown)
		printf(" (no element has a capacity)\n");
	if (paths)
		return corridor_shares(net, d, paths, 0);
	return 0;
}

/* Each corridor's share of the demand: the demand on routes that satisfy its pattern (a route
 * may satisfy several corridors). mode 0 table, 1 JSON (inside the object), 2 none: the shares
 * are left in *cs and *teu for the HTML page (the caller frees them). */
static int shares_compute(const mr_net *net, const mr_flow_demand *d, const mr_flow_paths *ps, mr_corridor_set *cs,
                          double **teu)
{
	char path[PATH_MAX + 64];
	mr_router *r;
	mr_error e;
	size_t c, i, k;
	memset(cs, 0, sizeof(*cs));
	*teu = NULL;
	if (!find_share("MERIDIAN_CORRIDORS", "corridors.ini", path, sizeof(path)))
		return 0;
	mr_error_clear(&e);
	if (mr_corridors_read(path, cs, &e))
		return fail("assign", &e);
	if (mr_router_new(&r, net) || !(*teu = calloc(cs->n + 1, sizeof(double)))) {
		mr_corridors_free(cs);
		return fail_code("assign", MR_ENOMEM);
	}
	for (i = 0; i < d->n; i++)
		for (k = ps->first[i]; k < ps->first[i + 1]; k++)
			for (c = 0; c < cs->n; c++)
				if (cs->v[c].npred &&
				    mr_router_route_matches(r, &ps->path[k].route, &cs->v[c].pattern, cs->v[c].preds, cs->v[c].npred) == 1)
					(*teu)[c] += d->od[i].teu * ps->path[k].share;
	mr_router_free(r);
	return 0;
}

static int corridor_shares(const mr_net *net, const mr_flow_demand *d, const mr_flow_paths *ps, int json)
{
	mr_corridor_set cs;
	double *teu;
	size_t c, k;
	int rc = shares_compute(net, d, ps, &cs, &teu);
	if (rc || !teu)
		return rc;
	if (json) {
		printf(",\n \"corridor_shares\": [");
		for (c = 0, k = 0; c < cs.n; c++)
			if (cs.v[c].npred)
				printf("%s\n  {\"id\": \"%s\", \"teu\": %.2f, \"share\": %.6f}", k++ ? "," : "", cs.v[c].id, teu[c],
				       teu[c] / d->total);
		printf("\n ]");
	} else {
		printf("\ncorridor shares of the demand (a route may satisfy several corridors):\n");
		for (c = 0; c < cs.n; c++)
			if (cs.v[c].npred)
				printf(" %-22.22s %-40.40s %12.0f TEU %6.1f %%\n", cs.v[c].id, cs.v[c].name ? cs.v[c].name : "", teu[c],
				       100.0 * teu[c] / d->total);
	}
	free(teu);
	mr_corridors_free(&cs);
	return 0;
}

/* The HTML flow map, to out (atomically) or stdout. */
static int flow_page(const mr_net *net, const mr_flow_demand *d, const mr_flow_capacity *cap,
                     const mr_assign_result *res, const char *algorithm, const mr_flow_load *v, size_t n, size_t top,
                     const mr_flow_paths *paths, const char *out)
{
	char apath[PATH_MAX + 64], summary[512];
	const char *ids[64], *names[64];
	double teu[64];
	mr_flow_html_info info;
	mr_corridor_set cs;
	double *cteu = NULL;
	char *text = NULL;
	size_t len = 0, c;
	int rc;
	memset(&info, 0, sizeof(info));
	memset(&cs, 0, sizeof(cs));
	if (paths && (rc = shares_compute(net, d, paths, &cs, &cteu)))
		return rc;
	for (c = 0; cteu && c < cs.n && info.ncorridors < 64; c++)
		if (cs.v[c].npred) {
			ids[info.ncorridors] = cs.v[c].id;
			names[info.ncorridors] = cs.v[c].name ? cs.v[c].name : "";
			teu[info.ncorridors++] = cteu[c];
		}
	if (paths)
		snprintf(summary, sizeof(summary),
		         "%zu OD pairs, %.0f TEU per year; %zu capacities; logit over alternative routes, %u iterations, "
		         "largest link-flow change %.1e of the demand",
		         d->n, d->total, cap->rows, res->iterations, res->gap);
	else
		snprintf(summary, sizeof(summary),
		         "%zu OD pairs, %.0f TEU per year; %zu capacities; user equilibrium by %s, %u iterations, relative "
		         "gap %.1e",
		         d->n, d->total, cap->rows, algorithm, res->iterations, res->gap);
	info.summary = summary;
	info.atlas_path = find_share("MERIDIAN_ATLAS", "atlas-countries-110m.json", apath, sizeof(apath)) ? apath : NULL;
	info.top = top;
	info.demand_teu = d->total;
	info.corridor_id = ids;
	info.corridor_name = names;
	info.corridor_teu = teu;
	rc = mr_flow_html(net, v, n, &info, &text, &len);
	free(cteu);
	mr_corridors_free(&cs);
	if (rc)
		return fail_code("assign", rc);
	if (out) {
		tmpfile_ t;
		FILE *f = tmp_open(&t, out);
		rc = f ? tmp_commit(&t, fwrite(text, 1, len, f) == len) : mr_exit_status(MR_EIO);
		mr_free(text);
		return rc;
	}
	fwrite(text, 1, len, stdout);
	mr_free(text);
	return 0;
}

int mr__cmd_assign(int argc, char **argv)
{
	enum {
		O_TNTP = 300, O_ALGO, O_GAP, O_ITER, O_SECS, O_FORMAT, O_TOP, O_WARM, O_LOADB, O_SAVEB, O_DEMAND, O_CAP,
		O_NET, O_BY, O_VOT, O_MODES, O_AVOID, O_BPR, O_LOGIT, O_ROUTES, O_THETA
	};
	static const struct option opts[] = {
		{"tntp", required_argument, 0, O_TNTP},        {"algorithm", required_argument, 0, O_ALGO},
		{"gap", required_argument, 0, O_GAP},          {"max-iter", required_argument, 0, O_ITER},
		{"max-seconds", required_argument, 0, O_SECS}, {"output", required_argument, 0, 'o'},
		{"format", required_argument, 0, O_FORMAT},    {"top", required_argument, 0, O_TOP},
		{"warm-start", required_argument, 0, O_WARM},  {"load-bushes", required_argument, 0, O_LOADB},
		{"save-bushes", required_argument, 0, O_SAVEB}, {"quiet", no_argument, 0, 'q'},
		{"demand", required_argument, 0, O_DEMAND},    {"capacity", required_argument, 0, O_CAP},
		{"network", required_argument, 0, O_NET},      {"by", required_argument, 0, O_BY},
		{"vot", required_argument, 0, O_VOT},          {"modes", required_argument, 0, O_MODES},
		{"avoid", required_argument, 0, O_AVOID},      {"bpr", required_argument, 0, O_BPR},
		{"logit", no_argument, 0, O_LOGIT},            {"routes", required_argument, 0, O_ROUTES},
		{"theta", required_argument, 0, O_THETA},      {0, 0, 0, 0}};
	const char *netpath = NULL, *trips = NULL, *out = NULL, *warm = NULL, *loadb = NULL, *saveb = NULL;
	const char *demand = NULL, *capfile = NULL, *mnet = NULL;
	const char *avoid[64];
	char avoid_buf[4096] = "", cpath[PATH_MAX + 64], dpath[PATH_MAX + 64];
	mr_assign_opts o;
	mr_route_opts ro;
	mr_assign_net net;
	mr_assign_demand dem;
	mr_assign_result res;
	mr_assign *solver = NULL;
	mr_net mn;
	mr_flow_demand fd;
	mr_flow_capacity fc;
	mr_flow_problem fp;
	mr_flow_load *loads = NULL;
	mr_flow_logit_opts lo;
	mr_flow_paths paths;
	int logit = 0, have_iter = 0, have_gap = 0;
	size_t nloads = 0, navoid = 0;
	mr_error e;
	progress pg = {1, 0, 0, ""};
	double *init = NULL, x, alpha = 0.15, beta = 4.0;
	size_t top = 10;
	int c, rc, json = 0, rank = 0, size = 1, quiet = 0, have_net = 0;
	char label[32] = "";

	if (has_help(argc, argv))
		return fputs(assign_help, stdout), 0;
#ifndef MR_WITH_MPI
	if (mr__under_mpirun())
		return mr__exec_mpi(argc, argv);
#endif
	mr_assign_opts_init(&o);
	mr_route_opts_default(&ro);
	mr_flow_logit_opts_default(&lo);
	memset(&paths, 0, sizeof(paths));
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case O_TNTP:
			netpath = optarg;
			if (optind >= argc || argv[optind][0] == '-')
				return usage_error("assign", "--tntp needs two files: NET.tntp TRIPS.tntp");
			trips = argv[optind++];
			break;
		case O_ALGO: {
			size_t i;
			for (i = 0; i < sizeof(algo_names) / sizeof(*algo_names) && strcmp(algo_names[i], optarg) != 0; i++)
				;
			if (i == sizeof(algo_names) / sizeof(*algo_names))
				return usage_error("assign", "--algorithm: unknown algorithm '%s' (b, bfw, cfw, fw, msa, aon)", optarg);
			o.algorithm = (int)i;
			break;
		}
		case O_GAP:
			if (mr__csv_number(optarg, &x) != 1 || !(x >= 0) || x >= 1)
				return usage_error("assign", "--gap: '%s' is not a relative gap in [0, 1)", optarg);
			o.gap = x;
			have_gap = 1;
			break;
		case O_ITER:
			if (mr__csv_number(optarg, &x) != 1 || x != floor(x) || x < 1 || x > 1e9)
				return usage_error("assign", "--max-iter: '%s' is not a whole number from 1 to 1e9", optarg);
			o.max_iter = (uint32_t)x;
			have_iter = 1;
			break;
		case O_SECS:
			if (mr__csv_number(optarg, &x) != 1 || !(x > 0) || x > 1e9)
				return usage_error("assign", "--max-seconds: '%s' is not a number of seconds > 0", optarg);
			o.max_seconds = x;
			break;
		case 'o':
			out = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "html") == 0)
				json = 2;
			else if (strcmp(optarg, "table") != 0)
				return usage_error("assign", "--format: table, json or html, not '%s'", optarg);
			break;
		case O_TOP:
			if (mr__csv_number(optarg, &x) != 1 || x != floor(x) || x < 0 || x > 1e9)
				return usage_error("assign", "--top: '%s' is not a whole number >= 0", optarg);
			top = (size_t)x;
			break;
		case O_WARM:
			warm = optarg;
			break;
		case O_LOADB:
			loadb = optarg;
			break;
		case O_SAVEB:
			saveb = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_DEMAND:
			demand = optarg;
			break;
		case O_CAP:
			capfile = optarg;
			break;
		case O_NET:
			mnet = optarg;
			break;
		case O_BY:
			if ((ro.objective = mr_objective_parse(optarg)) < 0)
				return usage_error("assign", "--by: unknown objective '%s'", optarg);
			break;
		case O_VOT:
			if (mr__csv_number(optarg, &x) != 1 || !(x >= 0) || x > 1e9)
				return usage_error("assign", "--vot: '%s' is not a value of time (USD per hour, >= 0)", optarg);
			ro.vot_usd_per_h = x;
			break;
		case O_MODES: {
			char buf[256], *t, *save = NULL;
			snprintf(buf, sizeof(buf), "%s", optarg);
			ro.mode_mask = 0;
			for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				int m = mr_mode_parse(t);
				if (m < 0)
					return usage_error("assign", "--modes: unknown mode '%s' (sea, ferry, rail, road, iww)", t);
				ro.mode_mask |= 1u << m;
			}
			if (!ro.mode_mask)
				return usage_error("assign", "--modes: give at least one mode");
			break;
		}
		case O_AVOID: {
			size_t used = strlen(avoid_buf);
			if (used + strlen(optarg) + 2 > sizeof(avoid_buf))
				return usage_error("assign", "--avoid: too long");
			snprintf(avoid_buf + used, sizeof(avoid_buf) - used, "%s%s", used ? "," : "", optarg);
			break;
		}
		case O_BPR: {
			char *comma = strchr(optarg, ',');
			if (!comma)
				return usage_error("assign", "--bpr: ALPHA,BETA");
			*comma = '\0';
			if (mr__csv_number(optarg, &alpha) != 1 || mr__csv_number(comma + 1, &beta) != 1 || !(alpha >= 0) ||
			    !(beta >= 0) || alpha > 1e6 || beta > 100)
				return usage_error("assign", "--bpr: ALPHA,BETA, numbers >= 0 (beta at most 100)");
			break;
		}
		case O_LOGIT:
			logit = 1;
			break;
		case O_ROUTES:
			if (mr__csv_number(optarg, &x) != 1 || x != floor(x) || x < 1 || x > 100)
				return usage_error("assign", "--routes: '%s' is not a whole number from 1 to 100", optarg);
			lo.routes = (size_t)x;
			break;
		case O_THETA:
			if (mr__csv_number(optarg, &x) != 1 || !(x > 0) || x > 1e6)
				return usage_error("assign", "--theta: '%s' is not a dispersion > 0", optarg);
			lo.theta = x;
			break;
		default:
			return usage_error("assign", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("assign", "unexpected argument '%s'", argv[optind]);
	if (logit && !demand)
		return usage_error("assign", "--logit needs --demand (a Meridian network)");
	if (logit && have_iter)
		lo.max_iter = o.max_iter;
	if (logit && have_gap)
		lo.tol = o.gap;
	if (json == 2 && !demand)
		return usage_error("assign", "--format html draws a Meridian network's flows: it needs --demand");
	if (logit && (warm || loadb || saveb))
		return usage_error("assign", "--logit has no warm start");
	if (!netpath && !demand)
		return usage_error("assign", "give --demand FILE (a Meridian network) or --tntp NET.tntp TRIPS.tntp");
	if (netpath && (demand || capfile || mnet))
		return usage_error("assign", "--tntp takes its own network and trips: not with --demand, --capacity or --network");
	if (warm && o.algorithm == MR_ASSIGN_B)
		return usage_error("assign", "--warm-start is for the Frank-Wolfe family; Algorithm B starts from "
		                             "--load-bushes");
	if ((loadb || saveb) && o.algorithm != MR_ASSIGN_B)
		return usage_error("assign", "--load-bushes and --save-bushes are for --algorithm b");
	if (warm && o.algorithm == MR_ASSIGN_AON)
		return usage_error("assign", "--warm-start: all-or-nothing has nothing to continue");
	if (avoid_buf[0]) {
		char *t, *save = NULL;
		for (t = strtok_r(avoid_buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (navoid == sizeof(avoid) / sizeof(*avoid))
				return usage_error("assign", "--avoid: at most 64 items");
			avoid[navoid++] = t;
		}
		ro.avoid = avoid;
		ro.navoid = navoid;
	}

#ifdef MR_WITH_MPI
	if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
		fprintf(stderr, "%s assign: MPI_Init failed\n", prog);
		return mr_exit_status(MR_EIO);
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
#endif
	memset(&net, 0, sizeof(net));
	memset(&dem, 0, sizeof(dem));
	memset(&res, 0, sizeof(res));
	memset(&mn, 0, sizeof(mn));
	memset(&fd, 0, sizeof(fd));
	memset(&fc, 0, sizeof(fc));
	memset(&fp, 0, sizeof(fp));
	mr_error_clear(&e);
	if (netpath) {
		if ((rc = mr_assign_read_net(netpath, &net, &e)) || (rc = mr_assign_read_trips(trips, net.zones, &dem, &e))) {
			rc = fail("assign", &e);
			goto out;
		}
	} else {
		if ((rc = open_network("assign", mnet, &mn)))
			goto out;
		have_net = 1;
		/* The built-in network's capacities unless --capacity; none for another network. */
		if (!capfile && !mnet && find_share("MERIDIAN_CAPACITY", "capacity.csv", cpath, sizeof(cpath)))
			capfile = cpath;
		if (strcmp(demand, "example") == 0) {
			if (!find_share(NULL, "demand-example.csv", dpath, sizeof(dpath))) {
				fprintf(stderr, "%s assign: demand-example.csv not found next to the program\n", prog);
				rc = mr_exit_status(MR_EIO);
				goto out;
			}
			demand = dpath;
		}
		if ((rc = mr_flow_capacity_read(&mn, capfile, &fc, &e)) ||
		    (rc = mr_flow_demand_read(&mn, demand, ro.mode_mask, &fd, &e))) {
			rc = fail("assign", &e);
			goto out;
		}
		if ((rc = mr_flow_problem_make(&mn, &ro, &fc, &fd, alpha, beta, &fp, &e))) {
			if ((rc == MR_ENOROUTE || rc == MR_ENOTFOUND) && strlen(demand) < sizeof(e.file))
				memcpy(e.file, demand, strlen(demand) + 1);
			rc = fail("assign", &e);
			goto out;
		}
		net = fp.an; /* borrowed: freed with fp */
		dem = fp.ad;
		netpath = mn.path;
	}
	if (logit) {
		if (size > 1 && rank > 0)
			goto out; /* one process does the (small) logit assignment */
		pg.show = !quiet;
		pg.tty = isatty(2);
		pg.label = "logit";
		pg.logit = 1;
		if (!(res.flow = calloc((size_t)net.nlinks + 1, sizeof(double)))) {
			rc = fail_code("assign", MR_ENOMEM);
			goto out;
		}
		if ((rc = mr_flow_logit(&mn, &ro, &fp, &fd, &lo, on_iter, &pg, res.flow, &paths, &e))) {
			if (pg.show && pg.tty)
				fputc('\n', stderr);
			if (e.line && strlen(demand) < sizeof(e.file))
				memcpy(e.file, demand, strlen(demand) + 1);
			rc = fail("assign", &e);
			goto out;
		}
		if (pg.show && pg.tty)
			fputc('\n', stderr);
		res.iterations = paths.iterations;
		res.gap = paths.change;
		res.stop = paths.change <= lo.tol ? MR_ASSIGN_STOP_GAP : MR_ASSIGN_STOP_ITER;
		res.seconds = 0;
		goto loads;
	}
	if (warm && (rc = read_flows(warm, net.nlinks, &init)))
		goto out;
	o.init_flow = init;
	if (size > 1) {
#ifdef MR_WITH_MPI
		split_origins(&dem, rank, size, &o.origin_lo, &o.origin_hi);
		o.allreduce_sum = mpi_sum;
		snprintf(label, sizeof(label), "[%d ranks]", size);
#endif
	}
	pg.show = !quiet && rank == 0;
	pg.tty = isatty(2);
	pg.label = label[0] ? label : "assign";
	o.on_iter = on_iter;
	o.on_iter_ud = &pg;
	if ((rc = mr_assign_create(&solver, &net, &dem, &o, &e))) {
		rc = fail("assign", &e);
		goto out;
	}
	if (loadb) {
		/* under mpirun, each rank reads the file its rank saved (FILE.rank) */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), size > 1 ? "%s.%d" : "%s", loadb, rank);
		if ((rc = mr_assign_load(solver, path, &e))) {
			rc = fail("assign", &e);
			goto out;
		}
	}
	rc = mr_assign_run(solver, &res, &e);
	if (pg.show && pg.tty)
		fputc('\n', stderr);
	if (rc) {
		rc = fail("assign", &e);
		goto out;
	}
	if (saveb) {
		/* under mpirun, each rank saves its own origins: FILE.rank */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), size > 1 ? "%s.%d" : "%s", saveb, rank);
		if ((rc = mr_assign_save(solver, path, &e))) {
			rc = fail("assign", &e);
			goto out;
		}
	}
	if (rank == 0 && !have_net) {
		if (out && (rc = write_flows(out, &net, &res)))
			goto out;
		rc = report(&net, &res, netpath, o.algorithm, json, top);
	} else if (rank == 0) {
	loads:
		if ((rc = mr_flow_loads(&mn, &fp, &fc, res.flow, &loads, &nloads))) {
			rc = fail_code("assign", rc);
			goto out;
		}
		if (json == 2) {
			rc = flow_page(&mn, &fd, &fc, &res, logit ? "logit" : algo_names[o.algorithm], loads, nloads, top,
			               logit ? &paths : NULL, out);
			goto out;
		}
		if (out && (rc = write_loads(out, &mn, loads, nloads)))
			goto out;
		rc = report_loads(&mn, netpath, &fd, &fc, &res, logit ? "logit" : algo_names[o.algorithm], json, loads, nloads,
		                  top, logit ? &paths : NULL);
	}
out:
	mr_assign_destroy(solver);
	if (logit) {
		free(res.flow);
		res.flow = NULL;
	}
	mr_assign_result_free(&res);
	mr_flow_paths_free(&paths);
	if (have_net) {
		mr_flow_problem_free(&fp);
	} else {
		mr_assign_demand_free(&dem);
		mr_assign_net_free(&net);
	}
	mr_free(loads);
	free(at_first);
	free(at_link);
	at_first = at_link = NULL;
	mr_flow_demand_free(&fd);
	mr_flow_capacity_free(&fc);
	mr_net_free(&mn);
	free(init);
#ifdef MR_WITH_MPI
	MPI_Finalize();
#endif
	return rc;
}
