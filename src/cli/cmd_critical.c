/* cmd_critical.c: `meridian critical`: which links, borders, passages, nodes and transfer points
 * a set of origin-destination pairs depends on (include/meridian/mr_critical.h): each element
 * removed in turn, the pairs that lose every route and the increase in total cost, ranked; pairs of
 * elements removed together; with --assign, the change in equilibrium system cost under capacity.
 * Output as a table, JSON, CSV, GeoJSON or one HTML page with a map. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef MR_WITH_MPI
#include <mpi.h>
#endif

#include "cli/cli.h"
#include "core/mr_progress.h"
#include "io/mr_csv.h"
#include "meridian/mr_assign.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_critical.h"
#include "meridian/mr_flows.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"
#include "meridian/mr_scenario.h"

#define CMD "critical"
#define MAX_LIST 64
#define SNAP_KM 100.0

static const char critical_help[] =
	"Usage: meridian critical (--demand FILE | --od SET) [OPTIONS]\n"
	"\n"
	"Which elements of the network the given origin-destination pairs depend on. Each element is\n"
	"removed in turn and every pair's cheapest route searched again, exactly: the pairs that lose\n"
	"every route (counted, never given a cost), the increase in total cost of the others, and the\n"
	"corridors whose routes use the element; ranked. Only the origins whose shortest-path trees use\n"
	"the element are searched again, and only below it: the answer equals searching everything\n"
	"again (--naive), bit for bit.\n"
	"\n"
	"Pairs:\n"
	"  --demand FILE      CSV origin,destination,amount[,class] (TEU per year, places as in route):\n"
	"                     costs weighted by demand; 'example' = the shipped demand-example.csv\n"
	"  --od SET           every ordered pair of SET, weight 1; SET is ports (nodes with a UN/LOCODE\n"
	"                     and a sea terminal), cities (type city, and the capitals), capitals, or a\n"
	"                     FILE of places (one per line); FROM:TO pairs every place of FROM with\n"
	"                     every place of TO (ports:capitals)\n"
	"Elements:\n"
	"  --elements LIST    links, borders, passages, nodes, transfers, ferries (the ferry links), all\n"
	"                     (default links,borders,passages,transfers)\n"
	"  --rank M           lost (default: demand left without a route, then cost), cost, used\n"
	"  --top N            rows shown (default 20; 0 = every element on some pair's route)\n"
	"  --pairs K          also remove every pair among the top K elements together and report the\n"
	"                     pairs whose joint effect is much larger than the sum of their single ones\n"
	"  --synergy F        'much larger': cost increase above F x the sum (default 1.5), or any\n"
	"                     demand lost beyond the sum\n"
	"  --assign           also, for the top --assign-top N elements (default 5), the change in\n"
	"                     equilibrium system cost under capacity (needs --demand; --capacity FILE,\n"
	"                     --bpr A,B, --gap G, --max-iter N as for assign)\n"
	"Routing:\n"
	"  --by OBJ           distance | time | cost | co2e | generalized (default generalized)\n"
	"  --modes M,...  --avoid X,...  --allow X,...  --planned  --sea-speed KN  --vot USD\n"
	"                     as for route\n"
	"  --scenario S       apply scenario S first (shipped id or .scn file); repeat to compose\n"
	"  --corridors-file F corridors to name per element (default corridors.ini next to the\n"
	"                     program); --no-corridors: none\n"
	"Output and work:\n"
	"  --format F         table | json | csv | geojson | html (default table; html: one page with\n"
	"                     a map coloured by criticality beside the ranked table)\n"
	"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
	"  --threads N        threads (default 0: one per core)\n"
	"  --naive            search every origin again for every element (the reference; slow)\n"
	"  --network FILE     a .mnet file instead of the built-in network\n"
	"  -q, --quiet        no progress bar\n"
	"\n"
	"Method, measures and measurements: docs/critical.md.\n";

/* ---- small helpers ---- */

static int parse_num(const char *s, double *x)
{
	return mr__csv_number(s, x) == 1;
}

/* Split a comma-separated list in place (no empty item). */
static int split(char *s, const char **items, size_t *n, size_t max)
{
	char *p = s, *comma;
	for (;;) {
		if (*n >= max)
			return -1;
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		if (!*p)
			return -1;
		items[(*n)++] = p;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* Write text to stdout, or to path through a temporary file beside it and a rename: nothing is
 * left at path on failure, and an older file there is kept. */
static int write_out(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 32];
	FILE *f;
	int fd;
	if (!path) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "%s %s: cannot write the output: %s\n", prog, CMD, strerror(errno));
			return mr_exit_status(MR_EIO);
		}
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "%s %s: -o %s: name too long\n", prog, CMD, path);
		return mr_exit_status(MR_EINVAL);
	}
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "%s %s: -o %s: cannot create: %s\n", prog, CMD, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	fchmod(fd, 0644);
	if (!(f = fdopen(fd, "wb"))) {
		close(fd);
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: %s\n", prog, CMD, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int er = errno;
		fclose(f);
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: cannot write: %s\n", prog, CMD, path, strerror(er));
		return mr_exit_status(MR_EIO);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int er = errno;
		unlink(tmp);
		fprintf(stderr, "%s %s: -o %s: cannot write: %s\n", prog, CMD, path, strerror(er));
		return mr_exit_status(MR_EIO);
	}
	return 0;
}

/* A scenario argument: a file (it has a '/' or ends in .scn), or a shipped id. */
static int read_scenario(const char *arg, mr_scenario **out)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	size_t n = strlen(arg);
	mr_error e;
	if (strchr(arg, '/') || (n > 4 && strcmp(arg + n - 4, ".scn") == 0)) {
		snprintf(path, sizeof(path), "%s", arg);
	} else {
		if (!find_share("MERIDIAN_SCENARIOS", "scenarios", dir, sizeof(dir))) {
			fprintf(stderr, "%s %s: --scenario %s: no scenario folder found (give a file, or set $MERIDIAN_SCENARIOS)\n",
			        prog, CMD, arg);
			return mr_exit_status(MR_EIO);
		}
		snprintf(path, sizeof(path), "%s/%s.scn", dir, arg);
		if (access(path, R_OK) != 0) {
			fprintf(stderr, "%s %s: --scenario: unknown scenario '%s' (not in %s; 'meridian scenarios' lists them)\n",
			        prog, CMD, arg, dir);
			return mr_exit_status(MR_EINVAL);
		}
	}
	mr_error_clear(&e);
	if (mr_scenario_read(path, out, &e))
		return fail(CMD, &e);
	return 0;
}

/* One place per line ('#' comments, blank lines skipped); errors name file and line. */
static int read_places(const char *path, const mr_net *net, unsigned mask, uint32_t **out, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long no = 0;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!f) {
		fprintf(stderr, "%s %s: --od %s: %s\n", prog, CMD, path, strerror(errno));
		return mr_exit_status(MR_EIO);
	}
	while (fgets(line, sizeof(line), f)) {
		char *t = line, *end;
		mr_place p;
		mr_error err;
		no++;
		while (*t == ' ' || *t == '\t')
			t++;
		end = t + strlen(t);
		while (end > t && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*t || *t == '#')
			continue;
		mr_error_clear(&err);
		if (mr_place_resolve(net, t, mask, SNAP_KM, &p, &err)) {
			fprintf(stderr, "%s %s: --od %s:%ld: '%s': %s\n", prog, CMD, path, no, t,
			        err.msg[0] ? err.msg : mr_strerror(err.code));
			fclose(f);
			mr_free(*out);
			*out = NULL;
			return mr_exit_status(err.code);
		}
		if (*n == cap) {
			uint32_t *g = mr_realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(uint32_t));
			if (!g) {
				fclose(f);
				mr_free(*out);
				*out = NULL;
				return fail_code(CMD, MR_ENOMEM);
			}
			*out = g;
		}
		(*out)[(*n)++] = p.node;
	}
	fclose(f);
	if (!*n) {
		fprintf(stderr, "%s %s: --od %s: no place in the file\n", prog, CMD, path);
		return mr_exit_status(MR_EINVAL);
	}
	return 0;
}

/* A place set: ports, cities, capitals, or a file of places. */
static int place_set(const char *what, const mr_net *net, unsigned mask, uint32_t **nodes, size_t *n)
{
	if (strcmp(what, "ports") == 0 || strcmp(what, "cities") == 0 || strcmp(what, "capitals") == 0) {
		int rc = mr_crit_places(net, what, nodes, n);
		if (rc)
			return fail_code(CMD, rc);
		if (!*n) {
			fprintf(stderr, "%s %s: --od %s: the network has none\n", prog, CMD, what);
			return mr_exit_status(MR_EINVAL);
		}
		return 0;
	}
	return read_places(what, net, mask, nodes, n);
}

typedef struct bar {
	mr_progress p;
} bar;

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
	bar *b = ud;
	(void)total;
	mr_progress_update(&b->p, done);
}

/* ---- the command ---- */

/* Under mpirun (meridian-mpi): this process's rank and the number of ranks; the elements are
 * split across ranks and rank 0 gathers the scores, ranks and reports. */
static int mpi_rank = 0, mpi_size = 1;

static int critical_main(int argc, char **argv);

int mr__cmd_critical(int argc, char **argv)
{
	int rc;
	if (has_help(argc, argv))
		return critical_main(argc, argv);
#ifdef MR_WITH_MPI
	if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
		fprintf(stderr, "%s critical: MPI_Init failed\n", prog);
		return mr_exit_status(MR_EIO);
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
	rc = critical_main(argc, argv);
	MPI_Finalize();
#else
	if (mr__under_mpirun())
		return mr__exec_mpi(argc, argv);
	rc = critical_main(argc, argv);
#endif
	return rc;
}

#ifdef MR_WITH_MPI
/* Put every rank's scores together on rank 0 (each rank scored [lo, hi) of n elements). Returns
 * 0, or -1 if a collective failed. */
static int gather_scores(mr_crit_result *res, size_t n)
{
	int *counts = NULL, *displs = NULL, r, ok;
	uint64_t work[3] = {res->searches, res->settled, res->removals}, sum[3];
	size_t lo = res->lo, hi = res->hi;
	if (mpi_rank == 0) {
		counts = malloc((size_t)mpi_size * sizeof(int));
		displs = malloc((size_t)mpi_size * sizeof(int));
		if (!counts || !displs) {
			free(counts);
			free(displs);
			return -1;
		}
		for (r = 0; r < mpi_size; r++) {
			size_t a = n * (size_t)r / (size_t)mpi_size, b = n * (size_t)(r + 1) / (size_t)mpi_size;
			counts[r] = (int)((b - a) * sizeof(mr_crit_score));
			displs[r] = (int)(a * sizeof(mr_crit_score));
		}
	}
	ok = MPI_Gatherv(mpi_rank == 0 ? MPI_IN_PLACE : (void *)(res->score + lo), (int)((hi - lo) * sizeof(mr_crit_score)),
	                 MPI_BYTE, res->score, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD) == MPI_SUCCESS &&
	     MPI_Reduce(work, sum, 3, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD) == MPI_SUCCESS;
	free(counts);
	free(displs);
	if (ok && mpi_rank == 0) {
		res->lo = 0;
		res->hi = n;
		res->searches = sum[0];
		res->settled = sum[1];
		res->removals = sum[2];
	}
	return ok ? 0 : -1;
}
#endif

static int critical_main(int argc, char **argv)
{
	enum {
		O_DEMAND = 500, O_OD, O_ELEMENTS, O_BY, O_TOP, O_RANK, O_SCENARIO, O_FORMAT, O_PAIRS, O_SYNERGY, O_THREADS,
		O_NAIVE, O_CFILE, O_NO_CORR, O_MODES, O_AVOID, O_ALLOW, O_PLANNED, O_SEA_SPEED, O_VOT, O_NETWORK, O_ASSIGN,
		O_ASSIGN_TOP, O_CAPACITY, O_BPR, O_GAP, O_MAX_ITER
	};
	static const struct option opts[] = {
		{"demand", required_argument, 0, O_DEMAND},     {"od", required_argument, 0, O_OD},
		{"elements", required_argument, 0, O_ELEMENTS}, {"by", required_argument, 0, O_BY},
		{"top", required_argument, 0, O_TOP},           {"rank", required_argument, 0, O_RANK},
		{"scenario", required_argument, 0, O_SCENARIO}, {"format", required_argument, 0, O_FORMAT},
		{"output", required_argument, 0, 'o'},          {"pairs", required_argument, 0, O_PAIRS},
		{"synergy", required_argument, 0, O_SYNERGY},   {"threads", required_argument, 0, O_THREADS},
		{"naive", no_argument, 0, O_NAIVE},             {"corridors-file", required_argument, 0, O_CFILE},
		{"no-corridors", no_argument, 0, O_NO_CORR},    {"modes", required_argument, 0, O_MODES},
		{"avoid", required_argument, 0, O_AVOID},       {"allow", required_argument, 0, O_ALLOW},
		{"planned", no_argument, 0, O_PLANNED},         {"sea-speed", required_argument, 0, O_SEA_SPEED},
		{"vot", required_argument, 0, O_VOT},           {"network", required_argument, 0, O_NETWORK},
		{"assign", no_argument, 0, O_ASSIGN},           {"assign-top", required_argument, 0, O_ASSIGN_TOP},
		{"capacity", required_argument, 0, O_CAPACITY}, {"bpr", required_argument, 0, O_BPR},
		{"gap", required_argument, 0, O_GAP},           {"max-iter", required_argument, 0, O_MAX_ITER},
		{"quiet", no_argument, 0, 'q'},                 {0, 0, 0, 0}};
	const char *demand = NULL, *odspec = NULL, *out_path = NULL, *cfile = NULL, *netpath = NULL, *capfile = NULL;
	const char *scen[MAX_LIST], *avoid[MAX_LIST], *allow[MAX_LIST], *modes[MAX_LIST];
	size_t nscen = 0, navoid = 0, nallow = 0, nmodes = 0, top = 20, npairs_k = 0, assign_top = 5, i;
	unsigned kinds = (1u << MR_CRIT_LINK) | (1u << MR_CRIT_BORDER) | (1u << MR_CRIT_PASSAGE) | (1u << MR_CRIT_TRANSFER);
	int format = MR_FMT_TABLE, measure = MR_CRIT_BY_LOST, c, rc = 0, quiet = 0, have_vot = 0, no_corr = 0, assign = 0;
	double x, synergy = 1.5, alpha = 0.15, beta = 4.0, gap = 1e-6, max_iter = 1000;
	char cpath[PATH_MAX + 64], dpath[PATH_MAX + 64], kpath[PATH_MAX + 64], apath[PATH_MAX + 64], label[PATH_MAX + 128], slabel[1024] = "base";
	mr_crit_opts co;
	mr_net base;
	mr_scenario *sc[MAX_LIST];
	mr_scenario_net sn;
	const mr_net *net = &base;
	mr_corridor_set cset;
	mr_crit_elements el;
	mr_crit_result res;
	mr_crit_od *od = NULL;
	size_t nod = 0;
	mr_flow_demand fd;
	mr_flow_capacity fcap;
	mr_crit_pair *pairs = NULL;
	size_t npairs = 0;
	mr_crit_assign_row *arows = NULL;
	size_t narows = 0;
	double abase = 0;
	uint32_t *order = NULL, *A = NULL, *B = NULL;
	size_t na = 0, nb = 0;
	char *text = NULL;
	size_t len = 0;
	mr_error e;
	bar pb;

	if (has_help(argc, argv))
		return fputs(critical_help, stdout), 0;
	mr_crit_opts_default(&co);
	co.threads = 0;
	while ((c = getopt_long(argc, argv, "qo:", opts, NULL)) != -1) {
		switch (c) {
		case O_DEMAND:
			demand = optarg;
			break;
		case O_OD:
			odspec = optarg;
			break;
		case O_ELEMENTS:
			mr_error_clear(&e);
			if (mr_crit_kinds_parse(optarg, &kinds, &e))
				return usage_error(CMD, "--elements: %s", e.msg);
			break;
		case O_BY:
			if ((co.route.objective = mr_objective_parse(optarg)) < 0)
				return usage_error(CMD, "--by: unknown objective '%s' (distance, time, cost, co2e, generalized)", optarg);
			break;
		case O_TOP:
			if (!parse_num(optarg, &x) || x < 0 || x != floor(x) || x > 1e9)
				return usage_error(CMD, "--top: '%s' is not a whole number >= 0", optarg);
			top = (size_t)x;
			break;
		case O_RANK:
			if ((measure = mr_crit_measure_parse(optarg)) < 0)
				return usage_error(CMD, "--rank: unknown measure '%s' (lost, cost, used)", optarg);
			break;
		case O_SCENARIO:
			if (nscen == MAX_LIST)
				return usage_error(CMD, "--scenario: at most %d scenarios", MAX_LIST);
			if (!optarg[0])
				return usage_error(CMD, "--scenario: empty name");
			scen[nscen++] = optarg;
			break;
		case O_FORMAT:
			if ((format = mr_format_parse(optarg)) < 0)
				return usage_error(CMD, "--format: unknown format '%s' (table, json, csv, geojson, html)", optarg);
			break;
		case 'o':
			if (!optarg[0])
				return usage_error(CMD, "-o: empty file name");
			out_path = optarg;
			break;
		case O_PAIRS:
			if (!parse_num(optarg, &x) || x < 2 || x != floor(x) || x > 200)
				return usage_error(CMD, "--pairs: '%s' is not a number of elements from 2 to 200", optarg);
			npairs_k = (size_t)x;
			break;
		case O_SYNERGY:
			if (!parse_num(optarg, &x) || !(x >= 1) || x > 1e9)
				return usage_error(CMD, "--synergy: '%s' is not a factor >= 1", optarg);
			synergy = x;
			break;
		case O_THREADS:
			if (!parse_num(optarg, &x) || x < 0 || x > 64 || x != floor(x))
				return usage_error(CMD, "--threads: '%s' is not a number of threads (0-64)", optarg);
			co.threads = (unsigned)x;
			break;
		case O_NAIVE:
			co.method = MR_CRIT_NAIVE;
			break;
		case O_CFILE:
			cfile = optarg;
			break;
		case O_NO_CORR:
			no_corr = 1;
			break;
		case O_MODES:
		case O_AVOID:
		case O_ALLOW: {
			const char **list = c == O_MODES ? modes : c == O_AVOID ? avoid : allow;
			size_t *n = c == O_MODES ? &nmodes : c == O_AVOID ? &navoid : &nallow;
			if (split(optarg, list, n, MAX_LIST))
				return usage_error(CMD, "--%s: expected a comma-separated list (at most %d items, none empty)",
				                   c == O_MODES ? "modes" : c == O_AVOID ? "avoid" : "allow", MAX_LIST);
			break;
		}
		case O_PLANNED:
			co.route.allow_planned = 1;
			break;
		case O_SEA_SPEED:
			if (!parse_num(optarg, &x) || !(x > 0) || x > 60)
				return usage_error(CMD, "--sea-speed: '%s' is not a speed in knots (0 < kn <= 60)", optarg);
			co.route.sea_speed_kmh = x * MR_KM_PER_NM;
			break;
		case O_VOT:
			if (!parse_num(optarg, &x) || !(x >= 0) || x > 1e9)
				return usage_error(CMD, "--vot: '%s' is not a number >= 0", optarg);
			co.route.vot_usd_per_h = x;
			have_vot = 1;
			break;
		case O_NETWORK:
			netpath = optarg;
			break;
		case O_ASSIGN:
			assign = 1;
			break;
		case O_ASSIGN_TOP:
			if (!parse_num(optarg, &x) || x < 1 || x != floor(x) || x > 1000)
				return usage_error(CMD, "--assign-top: '%s' is not a number of elements from 1 to 1000", optarg);
			assign_top = (size_t)x;
			break;
		case O_CAPACITY:
			capfile = optarg;
			break;
		case O_BPR: {
			char *comma = strchr(optarg, ',');
			if (!comma)
				return usage_error(CMD, "--bpr: ALPHA,BETA");
			*comma = '\0';
			if (!parse_num(optarg, &alpha) || !parse_num(comma + 1, &beta) || !(alpha >= 0) || !(beta >= 0) ||
			    alpha > 1e6 || beta > 100)
				return usage_error(CMD, "--bpr: ALPHA,BETA, numbers >= 0 (beta at most 100)");
			break;
		}
		case O_GAP:
			if (!parse_num(optarg, &gap) || !(gap >= 0) || gap >= 1)
				return usage_error(CMD, "--gap: '%s' is not a relative gap in [0, 1)", optarg);
			break;
		case O_MAX_ITER:
			if (!parse_num(optarg, &max_iter) || max_iter < 1 || max_iter != floor(max_iter) || max_iter > 1e9)
				return usage_error(CMD, "--max-iter: '%s' is not a whole number from 1 to 1e9", optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return usage_error(CMD, "unknown option");
		}
	}
	if (optind != argc)
		return usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (!demand && !odspec)
		return usage_error(CMD, "give the pairs: --demand FILE or --od ports|cities|capitals|FILE[:SET]");
	if (demand && odspec)
		return usage_error(CMD, "--demand and --od: give one of them");
	if (assign && !demand)
		return usage_error(CMD, "--assign: needs --demand (the flows to assign)");
	if (assign && co.route.objective != MR_BY_GENERALIZED && co.route.objective != MR_BY_TIME)
		return usage_error(CMD, "--assign: the objective must depend on time (--by generalized or time)");
	if (cfile && no_corr)
		return usage_error(CMD, "--corridors-file and --no-corridors: give one of them");
	for (i = 0; i < nmodes; i++) {
		int m = mr_mode_parse(modes[i]);
		if (m < 0)
			return usage_error(CMD, "--modes: unknown mode '%s' (sea, ferry, rail, road, iww)", modes[i]);
		co.route.mode_mask |= 1u << m;
	}
	co.route.avoid = avoid;
	co.route.navoid = navoid;
	co.route.allow = allow;
	co.route.nallow = nallow;

	memset(&base, 0, sizeof(base));
	memset(&sn, 0, sizeof(sn));
	memset(&cset, 0, sizeof(cset));
	memset(&el, 0, sizeof(el));
	memset(&res, 0, sizeof(res));
	memset(&fd, 0, sizeof(fd));
	memset(&fcap, 0, sizeof(fcap));
	memset(sc, 0, sizeof(sc));
	mr_error_clear(&e);

	/* corridors first: a bad file fails before any work */
	if (!no_corr) {
		if (!cfile && find_share("MERIDIAN_CORRIDORS", "corridors.ini", cpath, sizeof(cpath)))
			cfile = cpath;
		if (cfile && mr_corridors_read(cfile, &cset, &e)) {
			rc = fail(CMD, &e);
			goto out;
		}
		if (cset.n > 64) {
			fprintf(stderr, "%s %s: --corridors-file: at most 64 corridors (%zu given)\n", prog, CMD, cset.n);
			rc = mr_exit_status(MR_EINVAL);
			goto out;
		}
		co.corridors = cset.n ? &cset : NULL;
	}
	for (i = 0; i < nscen; i++)
		if ((rc = read_scenario(scen[i], &sc[i])))
			goto out;
	if ((rc = open_network(CMD, netpath, &base)))
		goto out;
	if (nscen) {
		size_t l = 0;
		if (mr_scenario_apply(&base, sc, nscen, &sn, &e)) {
			rc = fail(CMD, &e);
			goto out;
		}
		net = &sn.net;
		if (!have_vot && !isnan(sn.vot_usd_per_h))
			co.route.vot_usd_per_h = sn.vot_usd_per_h;
		for (i = 0; i < nscen && l < sizeof(slabel); i++)
			l += (size_t)snprintf(slabel + l, sizeof(slabel) - l, "%s%s", i ? " + " : "", mr_scenario_id(sc[i]));
	}

	/* the pairs */
	if (demand) {
		if (strcmp(demand, "example") == 0) {
			if (!find_share(NULL, "demand-example.csv", dpath, sizeof(dpath))) {
				fprintf(stderr, "%s %s: --demand example: demand-example.csv not found next to the program\n", prog, CMD);
				rc = mr_exit_status(MR_EIO);
				goto out;
			}
			demand = dpath;
		}
		if (mr_flow_demand_read(net, demand, co.route.mode_mask, &fd, &e)) {
			rc = fail(CMD, &e);
			goto out;
		}
		if (!(od = mr_malloc((fd.n + 1) * sizeof(*od)))) {
			rc = fail_code(CMD, MR_ENOMEM);
			goto out;
		}
		for (i = 0; i < fd.n; i++) {
			od[i].from = fd.od[i].from;
			od[i].to = fd.od[i].to;
			od[i].weight = fd.od[i].teu;
		}
		nod = fd.n;
		snprintf(label, sizeof(label), "demand %s", demand);
	} else {
		char spec[PATH_MAX + 64], *colon;
		snprintf(spec, sizeof(spec), "%s", odspec);
		colon = access(spec, R_OK) == 0 ? NULL : strchr(spec, ':');
		if (colon)
			*colon = '\0';
		if ((rc = place_set(spec, net, co.route.mode_mask, &A, &na)))
			goto out;
		if (colon && (rc = place_set(colon + 1, net, co.route.mode_mask, &B, &nb)))
			goto out;
		if ((rc = colon ? mr_crit_od_pairs(A, na, B, nb, &od, &nod) : mr_crit_od_pairs(A, na, A, na, &od, &nod))) {
			rc = fail_code(CMD, rc);
			goto out;
		}
		if (colon)
			snprintf(label, sizeof(label), "%s (%zu) x %s (%zu)", spec, na, colon + 1, nb);
		else
			snprintf(label, sizeof(label), "%s (%zu), every ordered pair", spec, na);
		if (!nod) {
			fprintf(stderr, "%s %s: --od %s: no pair of two different places\n", prog, CMD, odspec);
			rc = mr_exit_status(MR_EINVAL);
			goto out;
		}
	}

	/* the sweep */
	if (mr_crit_elements_make(net, kinds, &el)) {
		rc = fail_code(CMD, MR_ENOMEM);
		goto out;
	}
	{
		/* the progress bar counts origins */
		uint64_t norig = 0;
		uint8_t *seen = mr_calloc(net->meta.nnodes + 1, 1);
		if (!seen) {
			rc = fail_code(CMD, MR_ENOMEM);
			goto out;
		}
		for (i = 0; i < nod; i++)
			if (!seen[od[i].from]++)
				norig++;
		mr_free(seen);
		mr_progress_start(&pb.p, stderr, quiet || mpi_rank > 0, "origins", norig);
	}
	co.progress = on_progress;
	co.progress_ud = &pb;
	if (mpi_size > 1 && el.n >= (size_t)mpi_size) {
		co.lo = el.n * (size_t)mpi_rank / (size_t)mpi_size;
		co.hi = el.n * (size_t)(mpi_rank + 1) / (size_t)mpi_size;
	}
	rc = mr_crit_run(net, &el, od, nod, &co, &res, &e);
	mr_progress_finish(&pb.p);
#ifdef MR_WITH_MPI
	if (mpi_size > 1) {
		/* every rank learns whether any failed, so that none waits in the gather */
		int any = rc ? 1 : 0, all = 0;
		MPI_Allreduce(&any, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
		if (all && !rc) {
			rc = mr_exit_status(MR_EIO);
			goto out;
		}
		if (!all && co.hi && gather_scores(&res, el.n)) {
			rc = fail_code(CMD, MR_EIO);
			goto out;
		}
		if (!all && mpi_rank > 0)
			goto out; /* rank 0 ranks and reports */
	}
#endif
	if (rc) {
		rc = fail(CMD, &e);
		goto out;
	}
	if (!(order = mr_malloc((el.n + 1) * sizeof(uint32_t)))) {
		rc = fail_code(CMD, MR_ENOMEM);
		goto out;
	}
	{
		size_t n = mr_crit_rank(&res, measure, order, NULL), k = 0;
		for (i = 0; i < n; i++) /* only the elements that some route uses can matter */
			if (res.score[order[i]].used_pairs > 0)
				order[k++] = order[i];
		n = k;
		if (npairs_k) {
			size_t kk = npairs_k < n ? npairs_k : n;
			co.progress = NULL;
			if (kk >= 2 && mr_crit_pairs(net, &el, od, nod, &co, &res, order, kk, synergy, &pairs, &npairs, &e)) {
				rc = fail(CMD, &e);
				goto out;
			}
		}
		if (assign) {
			mr_assign_opts ao;
			narows = assign_top < n ? assign_top : n;
			if (!capfile && !netpath && find_share("MERIDIAN_CAPACITY", "capacity.csv", kpath, sizeof(kpath)))
				capfile = kpath;
			if (mr_flow_capacity_read(net, capfile, &fcap, &e)) {
				rc = fail(CMD, &e);
				goto out;
			}
			mr_assign_opts_init(&ao);
			ao.gap = gap;
			ao.max_iter = (uint32_t)max_iter;
			if (!(arows = mr_calloc(narows + 1, sizeof(*arows)))) {
				rc = fail_code(CMD, MR_ENOMEM);
				goto out;
			}
			if (!quiet && isatty(2))
				fprintf(stderr, "%s %s: assigning the demand %zu + 1 times...\n", prog, CMD, narows);
			if (mr_crit_assign(net, &el, &fd, &fcap, &co.route, alpha, beta, &ao, order, narows, &abase, arows, &e)) {
				rc = fail(CMD, &e);
				goto out;
			}
		}
	}
	{
		mr_crit_report rep;
		memset(&rep, 0, sizeof(rep));
		rep.net = net;
		rep.el = &el;
		rep.res = &res;
		rep.opts = &co.route;
		rep.corridors = co.corridors;
		rep.measure = measure;
		rep.top = top;
		rep.demand = demand != NULL;
		rep.od_label = label;
		rep.scenario_label = slabel;
		rep.pairs = pairs;
		rep.npairs = npairs;
		rep.assign = arows;
		rep.nassign = narows;
		rep.assign_base_cost = abase;
		if (format == MR_FMT_HTML && find_share("MERIDIAN_ATLAS", "atlas-countries-110m.json", apath, sizeof(apath)))
			rep.atlas_path = apath;
		if ((rc = mr_crit_report_render(&rep, format, &text, &len))) {
			rc = fail_code(CMD, rc);
			goto out;
		}
	}
	rc = write_out(out_path, text, len);
out:
	mr_free(text);
	mr_free(order);
	mr_free(pairs);
	mr_free(arows);
	mr_free(od);
	mr_free(A);
	mr_free(B);
	mr_crit_result_free(&res);
	mr_crit_elements_free(&el);
	mr_flow_demand_free(&fd);
	mr_flow_capacity_free(&fcap);
	mr_corridors_free(&cset);
	mr_scenario_net_free(&sn);
	for (i = 0; i < nscen; i++)
		mr_scenario_free(sc[i]);
	mr_net_free(&base);
	return rc;
}
