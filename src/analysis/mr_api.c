/* mr_api.c: the "JSON in, JSON out" API of mr_api.h: options parsed from JSON with the CLI's
 * names, places resolved, the library's router, comparison and reports doing the work.
 *
 * Invariants: an mr_api_net owns its mapped network and one router on it, both used only under
 * its lock; a call with scenarios builds (and frees before returning) its own scenario network
 * and router, so the handle never changes between calls except for the router's scratch state. */
#define _GNU_SOURCE /* dladdr */
#include "meridian/mr_api.h"

#include <dlfcn.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "meridian/mr_alt.h"
#include "meridian/mr_ch.h"
#include "meridian/mr_claims.h"
#include "meridian/mr_compare.h"
#include "meridian/mr_corridor.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"
#include "meridian/mr_scenario.h"
#include "meridian/mr_search.h"

#define API_MAX_LIST 64      /* items in one list option, as the CLI's MR_MAX_LIST */
#define API_SNAP_KM 100.0    /* the CLI's MR_DEFAULT_SNAP_KM */

struct mr_api_net {
	mr_net net;
	mr_router *router;
	pthread_mutex_t lock;
};

/* ---- files next to the library ---- */

/* The directory of libmeridian.so (or of the program it is linked into) into out; 0 if unknown. */
static int lib_dir(char *out, size_t size)
{
	Dl_info info;
	char *slash;
	if (!dladdr((void *)&mr_api_open, &info) || !info.dli_fname)
		return 0;
	if (info.dli_fname[0] != '/') {
		if (!realpath(info.dli_fname, out))
			return 0;
	} else {
		snprintf(out, size, "%s", info.dli_fname);
	}
	if (!(slash = strrchr(out, '/')))
		return 0;
	*slash = '\0';
	return 1;
}

/* $env if set, else NAME next to the library, else LIBDIR/../share/meridian/NAME; 1 if found. */
static int find_share(const char *env, const char *name, char *out, size_t size)
{
	const char *e = env ? getenv(env) : NULL;
	char dir[PATH_MAX];
	if (e && e[0]) {
		snprintf(out, size, "%s", e);
		return 1;
	}
	if (!lib_dir(dir, sizeof(dir)))
		return 0;
	snprintf(out, size, "%s/%s", dir, name);
	if (access(out, R_OK) == 0)
		return 1;
	snprintf(out, size, "%s/../share/meridian/%s", dir, name);
	return access(out, R_OK) == 0;
}

/* ---- options ---- */

enum { OPT_ROUTE = 1, OPT_COMPARE = 2 };

typedef struct api_opts {
	json_t *root; /* owns every string below */
	mr_route_opts o;
	const char *modes[API_MAX_LIST], *avoid[API_MAX_LIST], *allow[API_MAX_LIST], *via[API_MAX_LIST];
	const char *scenarios[API_MAX_LIST], *corridors[API_MAX_LIST];
	size_t nmodes, navoid, nallow, nvia, nscenarios, ncorridors;
	const char *corridors_file, *claims_file;
	int have_vot, no_claims, pareto;
	size_t nalt;            /* route: alternatives wanted (0, 1: just the best) */
	double max_overlap;
	mr_pareto_opts po;
	const char *criteria[API_MAX_LIST];
	size_t ncriteria;
	double snap;
} api_opts;

static int opt_error(mr_error *err, const char *field, const char *fmt, const char *arg)
{
	mr_error_set(err, MR_EINVAL, NULL, 0, 0, field, fmt, arg);
	return MR_EINVAL;
}

/* A list option: a JSON array of strings, or one comma-separated string (split into the tree). */
static int opt_list(json_t *root, const char *key, const char **items, size_t *n, mr_error *err)
{
	json_t *v = json_object_get(root, key);
	size_t i;
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *p = s;
		json_t *arr = json_array();
		if (!arr)
			return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, key, NULL);
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			json_array_append_new(arr, json_stringn(p, len));
			p += len;
			if (*p == ',' && !*++p)
				json_array_append_new(arr, json_string("")); /* trailing comma: an empty item */
		}
		json_object_set_new(root, key, arr);
		v = arr;
	}
	if (!json_is_array(v))
		return opt_error(err, key, "option '%s': expected a list of strings", key);
	if (json_array_size(v) > API_MAX_LIST)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, key, "option '%s': at most %d items", key, API_MAX_LIST);
	for (i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);
		if (!json_is_string(x) || !json_string_value(x)[0])
			return opt_error(err, key, "option '%s': expected a list of non-empty strings", key);
		items[(*n)++] = json_string_value(x);
	}
	return 0;
}

static int opt_number(json_t *v, const char *key, double lo, double hi, int lo_open, double *out, mr_error *err)
{
	double x;
	if (!json_is_number(v))
		return opt_error(err, key, "option '%s': expected a number", key);
	x = json_number_value(v);
	if (!(x >= lo) || (lo_open && x == lo) || !(x <= hi))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, key, "option '%s': %g is out of range", key, x);
	*out = x;
	return 0;
}

static int opt_string(json_t *v, const char *key, const char **out, mr_error *err)
{
	if (!json_is_string(v))
		return opt_error(err, key, "option '%s': expected a string", key);
	*out = json_string_value(v);
	return 0;
}

static void opts_free(api_opts *a)
{
	json_decref(a->root);
	a->root = NULL;
}

/* Parse text (a JSON object, NULL or "" for defaults) into a; which: OPT_* the call accepts. */
static int opts_parse(const char *text, unsigned which, api_opts *a, mr_error *err)
{
	static const char *const lists[] = {"modes", "avoid", "allow", "via", "scenarios", "corridors", "criteria"};
	const char **items[] = {a->modes, a->avoid, a->allow, a->via, a->scenarios, a->corridors, a->criteria};
	size_t *counts[] = {&a->nmodes,     &a->navoid,     &a->nallow,    &a->nvia,
	                    &a->nscenarios, &a->ncorridors, &a->ncriteria};
	json_error_t je;
	const char *key;
	json_t *v;
	size_t i;
	int rc, have_teu = 0, have_tonnes = 0;

	memset(a, 0, sizeof(*a));
	mr_route_opts_default(&a->o);
	a->snap = API_SNAP_KM;
	a->max_overlap = 0.6;
	mr_pareto_opts_default(&a->po);
	if (!text || !text[0])
		text = "{}";
	if (!(a->root = json_loads(text, 0, &je)))
		return mr_error_set(err, MR_EPARSE, NULL, je.line, je.column, "options", "options: %s", je.text);
	if (!json_is_object(a->root))
		return opt_error(err, "options", "%s: expected a JSON object", "options");
	v = json_object_get(a->root, "corridors");
	if (v && json_is_string(v) && strcmp(json_string_value(v), "all") == 0)
		json_object_del(a->root, "corridors");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if ((rc = opt_list(a->root, lists[i], items[i], counts[i], err)))
			return rc;
	json_object_foreach(a->root, key, v) {
		double x;
		if (json_is_null(v))
			continue;
		if (strcmp(key, "by") == 0) {
			if (!json_is_string(v) || (a->o.objective = mr_objective_parse(json_string_value(v))) < 0)
				return opt_error(err, key, "option '%s': expected distance, time, cost, co2e or generalized", key);
		} else if (strcmp(key, "algorithm") == 0 && (which & OPT_ROUTE)) {
			if (!json_is_string(v) || (a->o.algorithm = mr_algorithm_parse(json_string_value(v))) < 0)
				return opt_error(err, key, "option '%s': expected auto, dijkstra, bidijkstra, astar or ch", key);
		} else if (strcmp(key, "teu") == 0 || strcmp(key, "tonnes") == 0) {
			if ((rc = opt_number(v, key, 0, HUGE_VAL, 1, &x, err)))
				return rc;
			a->o.teu = key[0] == 't' && key[1] == 'e' ? x : x / MR_TONNES_PER_TEU;
			*(key[1] == 'e' ? &have_teu : &have_tonnes) = 1;
		} else if (strcmp(key, "vot") == 0) {
			if ((rc = opt_number(v, key, 0, HUGE_VAL, 0, &a->o.vot_usd_per_h, err)))
				return rc;
			a->have_vot = 1;
		} else if (strcmp(key, "sea_speed") == 0) {
			if ((rc = opt_number(v, key, 0, 60, 1, &x, err)))
				return rc;
			a->o.sea_speed_kmh = x * MR_KM_PER_NM;
		} else if (strcmp(key, "max_snap") == 0) {
			if ((rc = opt_number(v, key, 0, HUGE_VAL, 0, &a->snap, err)))
				return rc;
		} else if (strcmp(key, "alternatives") == 0 && (which & OPT_ROUTE)) {
			if ((rc = opt_number(v, key, 0, 20, 0, &x, err)))
				return rc;
			if (x != floor(x))
				return opt_error(err, key, "option '%s': expected a whole number of routes (0-20)", key);
			a->nalt = (size_t)x;
		} else if (strcmp(key, "max_overlap") == 0 && (which & OPT_ROUTE)) {
			if ((rc = opt_number(v, key, 0, 1, 0, &a->max_overlap, err)))
				return rc;
		} else if (strcmp(key, "pareto_eps") == 0 && (which & OPT_ROUTE)) {
			if ((rc = opt_number(v, key, 0, 1, 0, &a->po.eps, err)))
				return rc;
		} else if (strcmp(key, "max_labels") == 0 && (which & OPT_ROUTE)) {
			if ((rc = opt_number(v, key, 1, 1e9, 0, &x, err)))
				return rc;
			if (x != floor(x))
				return opt_error(err, key, "option '%s': expected a whole number >= 1", key);
			a->po.max_labels = (size_t)x;
		} else if (strcmp(key, "pareto") == 0 && (which & OPT_ROUTE)) {
			if (!json_is_boolean(v))
				return opt_error(err, key, "option '%s': expected true or false", key);
			a->pareto = json_is_true(v);
		} else if (strcmp(key, "planned") == 0 || strcmp(key, "no_claims") == 0) {
			if (!json_is_boolean(v))
				return opt_error(err, key, "option '%s': expected true or false", key);
			if (key[0] == 'p')
				a->o.allow_planned = json_is_true(v);
			else if (which & OPT_COMPARE)
				a->no_claims = json_is_true(v);
			else
				return opt_error(err, key, "unknown option '%s'", key);
		} else if (strcmp(key, "corridors_file") == 0 && (which & OPT_COMPARE)) {
			if ((rc = opt_string(v, key, &a->corridors_file, err)))
				return rc;
		} else if (strcmp(key, "claims_file") == 0 && (which & OPT_COMPARE)) {
			if ((rc = opt_string(v, key, &a->claims_file, err)))
				return rc;
		} else if (strcmp(key, "modes") == 0 || strcmp(key, "avoid") == 0 || strcmp(key, "allow") == 0 ||
		           strcmp(key, "scenarios") == 0 ||
		           ((strcmp(key, "via") == 0 || strcmp(key, "criteria") == 0) && (which & OPT_ROUTE)) ||
		           (strcmp(key, "corridors") == 0 && (which & OPT_COMPARE))) {
			continue; /* read above */
		} else {
			return opt_error(err, key, "unknown option '%s'", key);
		}
	}
	if (have_teu && have_tonnes)
		return opt_error(err, "teu", "give %s or tonnes, not both", "teu");
	if (a->ncriteria) {
		unsigned mask = 0;
		for (i = 0; i < a->ncriteria; i++) {
			int k = mr_criterion_parse(a->criteria[i]);
			if (k < 0)
				return opt_error(err, "criteria", "option 'criteria': unknown criterion '%s' (cost, time, co2e, risk)",
				                 a->criteria[i]);
			mask |= 1u << k;
		}
		if (__builtin_popcount(mask) < 2)
			return opt_error(err, "criteria", "option '%s': give at least two of cost, time, co2e, risk", "criteria");
		a->po.criteria = mask;
	}
	if ((a->nalt > 1) + a->pareto > 1)
		return opt_error(err, "alternatives", "give %s or pareto, not both", "alternatives");
	if ((a->nalt > 1 || a->pareto) && a->nvia)
		return opt_error(err, "via", "option '%s' works with a single route, not with alternatives or pareto", "via");
	for (i = 0; i < a->nmodes; i++) {
		int m = mr_mode_parse(a->modes[i]);
		if (m < 0)
			return opt_error(err, "modes", "option 'modes': unknown mode '%s' (sea, ferry, rail, road, iww)",
			                 a->modes[i]);
		a->o.mode_mask |= 1u << m;
	}
	a->o.avoid = a->avoid;
	a->o.navoid = a->navoid;
	a->o.allow = a->allow;
	a->o.nallow = a->nallow;
	return 0;
}

/* ---- the network a call routes on: the handle's, or one with scenarios applied ---- */

typedef struct call_net {
	mr_scenario *scn[API_MAX_LIST];
	mr_scenario_info info[API_MAX_LIST];
	size_t nscn;
	mr_scenario_net sn;
	mr_router *own;
	const mr_net *net;
	mr_router *router;
	char label[1024];
} call_net;

static void call_net_free(call_net *c)
{
	size_t i;
	mr_router_free(c->own);
	mr_scenario_net_free(&c->sn);
	for (i = 0; i < c->nscn; i++)
		mr_scenario_free(c->scn[i]);
	memset(c, 0, sizeof(*c));
}

/* A scenario: a file (it has a '/' or ends in .scn) or the id of a shipped one. */
static int scenario_path(const char *arg, char *out, size_t size, mr_error *err)
{
	size_t n = strlen(arg);
	char dir[PATH_MAX];
	if (strchr(arg, '/') || (n > 4 && strcmp(arg + n - 4, ".scn") == 0)) {
		snprintf(out, size, "%s", arg);
		return 0;
	}
	if (!find_share("MERIDIAN_SCENARIOS", "scenarios", dir, sizeof(dir)))
		return mr_error_set(err, MR_EIO, NULL, 0, 0, "scenarios",
		                    "scenario %s: no scenario folder found (give a file, or set $MERIDIAN_SCENARIOS)", arg);
	snprintf(out, size, "%s/%s.scn", dir, arg);
	if (access(out, R_OK) != 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "scenarios", "unknown scenario '%s' (not in %s)", arg, dir);
	return 0;
}

static int call_net_open(mr_api_net *h, api_opts *a, call_net *c, mr_error *err)
{
	size_t i, len = 0;
	int rc;
	memset(c, 0, sizeof(*c));
	c->net = &h->net;
	c->router = h->router;
	snprintf(c->label, sizeof(c->label), "base");
	if (!a->nscenarios)
		return 0;
	for (i = 0; i < a->nscenarios; i++) {
		char path[PATH_MAX + 64];
		if ((rc = scenario_path(a->scenarios[i], path, sizeof(path), err)) ||
		    (rc = mr_scenario_read(path, &c->scn[i], err)))
			return rc;
		c->nscn = i + 1;
		c->info[i].id = mr_scenario_id(c->scn[i]);
		c->info[i].description = mr_scenario_description(c->scn[i]);
		c->info[i].path = mr_scenario_path(c->scn[i]);
		{
			int k = snprintf(c->label + len, sizeof(c->label) - len, "%s%s", i ? " + " : "", c->info[i].id);
			if (k > 0 && (size_t)k < sizeof(c->label) - len)
				len += (size_t)k;
		}
	}
	if ((rc = mr_scenario_apply(&h->net, c->scn, c->nscn, &c->sn, err)))
		return rc;
	if (!a->have_vot && !isnan(c->sn.vot_usd_per_h))
		a->o.vot_usd_per_h = c->sn.vot_usd_per_h;
	if ((rc = mr_router_new(&c->own, &c->sn.net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	c->net = &c->sn.net;
	c->router = c->own;
	return 0;
}

static int resolve(const mr_net *net, const char *what, const char *text, const api_opts *a, mr_place *out,
                   mr_error *err)
{
	int rc;
	if (!text)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, what, "%s: no place given", what);
	if ((rc = mr_place_resolve(net, text, a->o.mode_mask, a->snap, out, err))) {
		if (err)
			snprintf(err->field, sizeof(err->field), "%s", what);
		return rc;
	}
	return 0;
}

/* ---- the calls ---- */

mr_api_net *mr_api_open(const char *path, mr_error *err)
{
	mr_api_net *h;
	char found[PATH_MAX + 64];
	int rc;
	if (!path) {
		if (!find_share("MERIDIAN_NETWORK", "meridian.mnet", found, sizeof(found))) {
			mr_error_set(err, MR_EIO, NULL, 0, 0, NULL,
			             "no built-in network found (looked at $MERIDIAN_NETWORK, meridian.mnet next to "
			             "libmeridian and PREFIX/share/meridian)");
			return NULL;
		}
		path = found;
	}
	if (!(h = mr_calloc(1, sizeof(*h)))) {
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		return NULL;
	}
	if ((rc = mr_net_load(path, &h->net, err)))
		goto fail_net;
	if ((rc = mr_router_new(&h->router, &h->net))) {
		mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
		goto fail_router;
	}
	if (pthread_mutex_init(&h->lock, NULL)) {
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "cannot create a lock");
		goto fail_lock;
	}
	return h;
fail_lock:
	mr_router_free(h->router);
fail_router:
	mr_net_free(&h->net);
fail_net:
	mr_free(h);
	return NULL;
}

void mr_api_close(mr_api_net *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	mr_router_free(h->router);
	mr_net_free(&h->net);
	mr_free(h);
}

void mr_api_free(void *p)
{
	mr_free(p);
}

/* Serialise a JSON value into a new mr_malloc'ed string. */
static int dump(json_t *v, char **out, mr_error *err)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17));
	if (!s || !(*out = mr_strdup(s))) {
		free(s);
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
	}
	free(s);
	return 0;
}

int mr_api_place(mr_api_net *h, const char *text, char **json_out, mr_error *err)
{
	api_opts a;
	mr_place p;
	char *full = NULL;
	size_t len;
	json_t *root = NULL;
	int rc;
	*json_out = NULL;
	if ((rc = opts_parse(NULL, 0, &a, err)))
		goto out;
	pthread_mutex_lock(&h->lock);
	if (!(rc = resolve(&h->net, "place", text, &a, &p, err))) {
		/* the route report with no route carries the place as the library renders it */
		mr_route_report rep = {&h->net, &p, &p, &a.o, NULL, 0, NULL};
		if ((rc = mr_report_route(&rep, MR_FMT_JSON, &full, &len)))
			mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	}
	pthread_mutex_unlock(&h->lock);
	if (rc)
		goto out;
	if (!(root = json_loads(full, 0, NULL)) || !json_object_get(root, "from")) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	rc = dump(json_object_get(root, "from"), json_out, err);
out:
	json_decref(root);
	mr_free(full);
	opts_free(&a);
	return rc;
}

/* Alternatives or a Pareto front, as `meridian route --alternatives N | --pareto` reports them
 * (the front without the search time, which the CLI reports). */
static int route_tradeoffs(call_net *c, const mr_place *pf, const mr_place *pt, api_opts *a, char **json_out,
                           mr_error *err)
{
	size_t i, len, n = 0;
	int rc;
	if (a->nalt > 1) {
		mr_alt_opts ao;
		mr_alt alts[20];
		mr_route routes[20];
		const char *labels[20];
		mr_alt_opts_default(&ao);
		ao.k = a->nalt;
		ao.max_overlap = a->max_overlap;
		if ((rc = mr_router_alternatives(c->router, pf->node, pt->node, &a->o, &ao, alts, &n, err)))
			return rc;
		for (i = 0; i < n; i++) {
			routes[i] = alts[i].route;
			labels[i] = alts[i].label;
		}
		{
			mr_route_report rep = {c->net, pf, pt, &a->o, routes, n, labels};
			rc = mr_report_route(&rep, MR_FMT_JSON, json_out, &len);
		}
		for (i = 0; i < n; i++)
			mr_route_free(&alts[i].route);
	} else {
		mr_pareto front;
		memset(&front, 0, sizeof(front));
		if ((rc = mr_router_pareto(c->router, pf->node, pt->node, &a->o, &a->po, &front, err)))
			return rc;
		{
			mr_pareto_report rep = {c->net, pf, pt, &a->o, &front, a->po.criteria, a->po.eps, NULL, -1};
			rc = mr_report_pareto(&rep, MR_FMT_JSON, json_out, &len);
		}
		mr_pareto_free(&front);
	}
	if (rc)
		mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	return rc;
}

int mr_api_route(mr_api_net *h, const char *from, const char *to, const char *opts_json, char **json_out,
                 mr_error *err)
{
	api_opts a;
	call_net c;
	mr_place pf, pt, pv;
	uint32_t places[API_MAX_LIST + 2];
	mr_route route;
	size_t i, len;
	int rc;

	*json_out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&route, 0, sizeof(route));
	if ((rc = opts_parse(opts_json, OPT_ROUTE, &a, err)))
		goto out_opts;
	pthread_mutex_lock(&h->lock);
	if ((rc = call_net_open(h, &a, &c, err)) || (rc = resolve(c.net, "from", from, &a, &pf, err)) ||
	    (rc = resolve(c.net, "to", to, &a, &pt, err)))
		goto out;
	places[0] = pf.node;
	for (i = 0; i < a.nvia; i++) {
		if ((rc = resolve(c.net, "via", a.via[i], &a, &pv, err)))
			goto out;
		places[i + 1] = pv.node;
	}
	places[a.nvia + 1] = pt.node;
	if (a.nalt > 1 || a.pareto) {
		rc = route_tradeoffs(&c, &pf, &pt, &a, json_out, err);
		goto out;
	}
	if ((rc = mr_router_route(c.router, places, a.nvia + 2, &a.o, &route, err)))
		goto out;
	{
		mr_route_report rep = {c.net, &pf, &pt, &a.o, &route, 1, NULL};
		if ((rc = mr_report_route(&rep, MR_FMT_JSON, json_out, &len)))
			mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	}
out:
	mr_route_free(&route);
	call_net_free(&c);
	pthread_mutex_unlock(&h->lock);
out_opts:
	opts_free(&a);
	return rc;
}

int mr_api_compare(mr_api_net *h, const char *from, const char *to, const char *opts_json, char **json_out,
                   mr_error *err)
{
	api_opts a;
	call_net c;
	mr_place pf, pt;
	mr_corridor_set set;
	mr_claim_set claims;
	mr_claim_check *checks = NULL;
	mr_compare_result res;
	char cpath[PATH_MAX + 64], clpath[PATH_MAX + 64];
	const char *cfile, *clfile;
	size_t i, len;
	int rc;

	*json_out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&set, 0, sizeof(set));
	memset(&claims, 0, sizeof(claims));
	memset(&res, 0, sizeof(res));
	if ((rc = opts_parse(opts_json, OPT_COMPARE, &a, err)))
		goto out_opts;
	if (!(cfile = a.corridors_file)) {
		if (!find_share("MERIDIAN_CORRIDORS", "corridors.ini", cpath, sizeof(cpath))) {
			rc = mr_error_set(err, MR_EIO, NULL, 0, 0, "corridors_file",
			                  "no corridor file found (give corridors_file or set $MERIDIAN_CORRIDORS)");
			goto out_opts;
		}
		cfile = cpath;
	}
	if ((rc = mr_corridors_read(cfile, &set, err)))
		goto out_opts;
	for (i = 0; i < a.ncorridors; i++)
		if (!mr_corridors_find(&set, a.corridors[i])) {
			rc = mr_error_set(err, MR_EINVAL, NULL, 0, 0, "corridors", "unknown corridor '%s' (see %s)",
			                  a.corridors[i], cfile);
			goto out_opts;
		}
	clfile = a.claims_file;
	if (!a.no_claims && !clfile && find_share("MERIDIAN_CLAIMS", "claims.ini", clpath, sizeof(clpath)))
		clfile = clpath;
	if (!a.no_claims && clfile && (rc = mr_claims_read(clfile, &claims, err)))
		goto out_opts;
	pthread_mutex_lock(&h->lock);
	if ((rc = call_net_open(h, &a, &c, err)) || (rc = resolve(c.net, "from", from, &a, &pf, err)) ||
	    (rc = resolve(c.net, "to", to, &a, &pt, err)))
		goto out;
	if ((rc = mr_compare_run(c.router, c.net, pf.node, pt.node, &a.o, &set, a.corridors, a.ncorridors, &res, err)))
		goto out;
	{
		mr_compare_report rep;
		memset(&rep, 0, sizeof(rep));
		rep.net = c.net;
		rep.from = &pf;
		rep.to = &pt;
		rep.opts = &a.o;
		rep.rows = res.rows;
		rep.nrows = res.nrows;
		rep.label = c.label;
		rep.scenarios = c.info;
		rep.nscenarios = c.nscn;
		if (claims.n) {
			if (!(checks = mr_calloc(claims.n, sizeof(*checks)))) {
				rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
				goto out;
			}
			rep.claims = checks;
			rep.nclaims = mr_claims_check(&claims, c.net, pf.node, pt.node, res.rows, res.nrows, checks);
		}
		if ((rc = mr_report_compare(&rep, MR_FMT_JSON, json_out, &len)))
			mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	}
out:
	mr_compare_result_free(&res);
	call_net_free(&c);
	pthread_mutex_unlock(&h->lock);
out_opts:
	mr_free(checks);
	mr_claims_free(&claims);
	mr_corridors_free(&set);
	opts_free(&a);
	return rc;
}

/* The matrix as `meridian matrix` computes it (src/cli/main.c, cmd_matrix): a hierarchy on the
 * options' weights (the stored one when the weights match), bucket many-to-many between every
 * place's usable virtual nodes, sources offset by their leg start fee, the minimum per pair.
 * TODO(lead): this part of cmd_matrix is repeated here; it belongs in the library (an
 * mr_matrix_places() in route/) that both call. */
int mr_api_matrix(mr_api_net *h, const char *const *from, size_t nf, const char *const *to, size_t nt,
                  const char *opts_json, double *out, mr_error *err)
{
	api_opts a;
	call_net c;
	mr_place *pa = NULL, *pb = NULL;
	mr_ch *built = NULL;
	const mr_ch *use;
	uint32_t *sv = NULL, *tv = NULL;
	double *soff = NULL, *m = NULL;
	size_t *sfirst = NULL, *tfirst = NULL, ns = 0, ntv = 0, i, j;
	int rc, stored;
	const double *w;

	memset(&c, 0, sizeof(c));
	if ((rc = opts_parse(opts_json, 0, &a, err)))
		goto out_opts;
	if (!nf || !nt) {
		rc = 0;
		goto out_opts;
	}
	pthread_mutex_lock(&h->lock);
	if ((rc = call_net_open(h, &a, &c, err)))
		goto out;
	pa = mr_calloc(nf, sizeof(*pa));
	pb = mr_calloc(nt, sizeof(*pb));
	sfirst = mr_calloc(nf + 1, sizeof(size_t));
	tfirst = mr_calloc(nt + 1, sizeof(size_t));
	sv = mr_malloc((nf * 8 + 1) * sizeof(uint32_t));
	soff = mr_malloc((nf * 8 + 1) * sizeof(double));
	tv = mr_malloc((nt * 8 + 1) * sizeof(uint32_t));
	if (!pa || !pb || !sfirst || !tfirst || !sv || !soff || !tv) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	for (i = 0; i < nf; i++)
		if ((rc = resolve(c.net, "origins", from[i], &a, &pa[i], err)))
			goto out;
	for (j = 0; j < nt; j++)
		if ((rc = resolve(c.net, "destinations", to[j], &a, &pb[j], err)))
			goto out;
	if ((rc = mr_router_weights(c.router, &a.o, &w, err)))
		goto out;
	if ((stored = mr_net_ch_match(c.net, w, c.net->g.m)) >= 0) {
		use = c.net->ch[stored];
	} else {
		mr_ch_opts co;
		memset(&co, 0, sizeof(co));
		if ((rc = mr_ch_build(&c.net->g, w, &co, &built, err)))
			goto out;
		use = built;
	}
	for (i = 0; i < nf; i++) {
		mr_seed seeds[8];
		size_t k, n = 0;
		sfirst[i] = ns;
		if ((rc = mr_router_start_offsets(c.router, &a.o, pa[i].node, seeds, 8, &n))) {
			mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
			goto out;
		}
		for (k = 0; k < n; k++) {
			sv[ns] = seeds[k].v;
			soff[ns++] = seeds[k].offset;
		}
	}
	sfirst[nf] = ns;
	for (j = 0; j < nt; j++) {
		const mr_node_rec *nd = &c.net->nodes[pb[j].node];
		uint32_t v;
		tfirst[j] = ntv;
		for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes && ntv < nt * 8; v++)
			if (!a.o.mode_mask || (a.o.mode_mask >> c.net->vnodes[v].mode & 1u))
				tv[ntv++] = v;
	}
	tfirst[nt] = ntv;
	if (!(m = mr_malloc((ns * ntv + 1) * sizeof(double)))) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	if (ns && ntv && (rc = mr_ch_matrix(use, sv, ns, tv, ntv, m, 1))) {
		mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	for (i = 0; i < nf; i++)
		for (j = 0; j < nt; j++) {
			double best = pa[i].node == pb[j].node ? 0 : INFINITY;
			size_t s, t;
			for (s = sfirst[i]; s < sfirst[i + 1]; s++)
				for (t = tfirst[j]; t < tfirst[j + 1]; t++) {
					double d = m[s * ntv + t];
					if (d < INFINITY && soff[s] + d < best)
						best = soff[s] + d;
				}
			out[i * nt + j] = best < INFINITY ? best : NAN;
		}
out:
	mr_ch_free(built);
	mr_free(m);
	mr_free(tv);
	mr_free(soff);
	mr_free(sv);
	mr_free(tfirst);
	mr_free(sfirst);
	mr_free(pb);
	mr_free(pa);
	call_net_free(&c);
	pthread_mutex_unlock(&h->lock);
out_opts:
	opts_free(&a);
	return rc;
}
