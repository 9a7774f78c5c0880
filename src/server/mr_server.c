/* mr_server.c: the HTTP server over libmicrohttpd (docs/http-api.md).
 *
 * Threads: libmicrohttpd's pool of `threads` workers, each polling its share of the
 * connections; a request is answered in full on the thread that received it. The network is
 * shared read-only; each worker has its own router for the base network (a thread-specific
 * key, freed when the worker exits). A request with scenarios routes on a derived network from
 * a small cache (LRU, reference-counted under a mutex) with a router of its own.
 * Static files are read into memory at start: only those names are ever served. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/mr_buf.h"
#include "core/mr_geo.h"
#include "io/mr_csv.h"
#include "meridian/mr_alt.h"
#include "meridian/mr_ch.h"
#include "meridian/mr_compare.h"
#include "meridian/mr_places.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"
#include "meridian/mr_scenario.h"
#include "meridian/mr_server.h"
#include "analysis/mr_report_int.h"

#define MAX_URL 8192
#define MAX_PARAMS 64
#define MAX_COORDS 100
#define MAX_CELLS 2500
#define MAX_ALTERNATIVES 3
#define MAX_PLACES 50
#define MAX_SCENARIOS 8
#define MAX_WEB_BYTES (64u << 20)
#define SNAP_KM 100.0
#define CACHE_SLOTS 8

typedef struct static_file {
	char *path; /* "/index.html" */
	char *data;
	size_t len;
	const char *mime;
} static_file;

typedef struct place_key {
	uint32_t node;
	char *keys; /* folded name, code, id, aliases: NUL-separated, ending with an empty one */
} place_key;

typedef struct cache_slot {
	char key[MAX_SCENARIOS * 64];
	mr_scenario_net sn;
	int valid, refs;
	uint64_t used;
} cache_slot;

struct mr_server {
	mr_server_opts o;
	struct MHD_Daemon *d;
	int port;
	static_file *files;
	size_t nfiles;
	mr_scenario **scn;
	size_t nscn;
	place_key *places;
	size_t nplaces;
	pthread_mutex_t log_mu, cache_mu;
	cache_slot cache[CACHE_SLOTS];
	uint64_t tick;
	atomic_ulong requests;
	time_t started;
	pthread_key_t router_key;
	mr_ch *ch;               /* hierarchy for the default options (every mode, generalized cost) */
	mr_route_opts ch_opts;
};

/* ---- a request ---- */

typedef struct param {
	const char *key, *value;
	int used;
} param;

typedef struct req {
	mr_server *s;
	struct MHD_Connection *c;
	const char *method, *url;
	param p[MAX_PARAMS];
	size_t np;
	int too_many;
	size_t query_len;
	struct timespec t0;
} req;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	req *r = cls;
	(void)kind;
	r->query_len += strlen(key) + (value ? strlen(value) : 0) + 2;
	if (r->np == MAX_PARAMS) {
		r->too_many = 1;
		return MHD_YES;
	}
	r->p[r->np].key = key;
	r->p[r->np].value = value ? value : "";
	r->p[r->np].used = 0;
	r->np++;
	return MHD_YES;
}

/* The first value of a parameter (marked used), or NULL. */
static const char *arg(req *r, const char *key)
{
	size_t i;
	const char *v = NULL;
	for (i = 0; i < r->np; i++)
		if (strcmp(r->p[i].key, key) == 0) {
			r->p[i].used = 1;
			if (!v)
				v = r->p[i].value;
		}
	return v;
}

static void free_buf(void *p)
{
	mr_free(p);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void access_log(req *r, unsigned status, size_t bytes)
{
	FILE *f = r->s->o.access_log;
	char when[32], addr[64] = "-";
	time_t now = time(NULL);
	struct tm tm;
	const union MHD_ConnectionInfo *ci;
	if (!f)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ci = MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, addr, sizeof(addr));
	pthread_mutex_lock(&r->s->log_mu);
	fprintf(f, "%s %s %s %s", when, addr, r->method, r->url);
	{
		size_t i;
		for (i = 0; i < r->np; i++)
			fprintf(f, "%c%s=%s", i ? '&' : '?', r->p[i].key, r->p[i].value);
	}
	fprintf(f, " %u %zu %.2f\n", status, bytes, ms_since(&r->t0));
	fflush(f);
	pthread_mutex_unlock(&r->s->log_mu);
}

/* Queue body (owned: freed with mr_free, or static when owned is 0). */
static enum MHD_Result respond(req *r, unsigned status, const char *type, char *body, size_t len, int owned)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	if (owned)
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free_buf);
	else
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			mr_free(body);
		return MHD_NO;
	}
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (r->s->o.cors_origin)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, r->s->o.cors_origin);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ok = MHD_queue_response(r->c, status, resp);
	MHD_destroy_response(resp);
	access_log(r, status, len);
	return ok;
}

static enum MHD_Result respond_json(req *r, unsigned status, json_t *root)
{
	char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;
	char *copy;
	size_t n;
	json_decref(root);
	if (!s)
		return respond(r, 500, "application/json; charset=utf-8",
		               (char *)"{\"code\":\"InternalError\",\"message\":\"out of memory\"}", 49, 0);
	n = strlen(s);
	copy = mr_malloc(n + 1);
	if (!copy) {
		free(s);
		return MHD_NO;
	}
	memcpy(copy, s, n + 1);
	free(s);
	return respond(r, status, "application/json; charset=utf-8", copy, n, 1);
}

static enum MHD_Result fail(req *r, unsigned status, const char *code, const char *parameter, const char *fmt, ...)
	MR_PRINTF(5, 6);
static enum MHD_Result fail(req *r, unsigned status, const char *code, const char *parameter, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *o = json_object();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "message", json_string(msg));
	if (parameter)
		json_object_set_new(o, "parameter", json_string(parameter));
	return respond_json(r, status, o);
}

/* Parameters nobody read: InvalidOptions naming the first. */
static int unknown_param(req *r, const char **name)
{
	size_t i;
	for (i = 0; i < r->np; i++)
		if (!r->p[i].used) {
			*name = r->p[i].key;
			return 1;
		}
	return 0;
}

/* ---- numbers and lists ---- */

/* A plain decimal number (the CSV dialect: no hex, inf, nan or spaces). */
static int parse_double(const char *s, double *out)
{
	return s && mr__csv_number(s, out) == 1;
}

static int parse_bool(const char *s, int *out)
{
	if (!s)
		return 0;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || !*s)
		return *out = 1, 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return *out = 0, 1;
	return 0;
}

/* Split a copy of s at sep into at most max items (none empty); 0 on a bad list. */
static int split(char *s, char sep, const char **items, size_t *n, size_t max)
{
	char *p = s;
	*n = 0;
	if (!*s)
		return 0;
	for (;;) {
		char *q = strchr(p, sep);
		if (q)
			*q = '\0';
		if (!*p || *n == max)
			return 0;
		items[(*n)++] = p;
		if (!q)
			return 1;
		p = q + 1;
	}
}

/* ---- scenarios ---- */

static mr_scenario *find_scenario(const mr_server *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nscn; i++)
		if (strcmp(mr_scenario_id(s->scn[i]), id) == 0)
			return s->scn[i];
	return NULL;
}

/* The network for these scenarios (NULL = base), referenced until release_net. */
static cache_slot *acquire_net(mr_server *s, mr_scenario *const *v, size_t n, mr_error *err, int *rc)
{
	char key[sizeof(((cache_slot *)0)->key)];
	size_t i, len = 0;
	cache_slot *slot = NULL, *victim = NULL;
	*rc = MR_OK;
	key[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(key + len, sizeof(key) - len, "%s\x1f", mr_scenario_id(v[i]));
	pthread_mutex_lock(&s->cache_mu);
	for (i = 0; i < CACHE_SLOTS; i++) {
		cache_slot *c = &s->cache[i];
		if (c->valid && strcmp(c->key, key) == 0) {
			slot = c;
			break;
		}
		if (!c->refs && (!victim || !c->valid || (victim->valid && c->used < victim->used)))
			victim = c;
	}
	if (!slot && victim) {
		if (victim->valid)
			mr_scenario_net_free(&victim->sn);
		victim->valid = 0;
		if ((*rc = mr_scenario_apply(s->o.net, v, n, &victim->sn, err)) == MR_OK) {
			snprintf(victim->key, sizeof(victim->key), "%s", key);
			victim->valid = 1;
			slot = victim;
		}
	} else if (!slot) {
		*rc = mr_error_set(err, MR_ELIMIT, NULL, 0, 0, "scenario", "too many scenario combinations in use at once");
	}
	if (slot) {
		slot->refs++;
		slot->used = ++s->tick;
	}
	pthread_mutex_unlock(&s->cache_mu);
	return slot;
}

static void release_net(mr_server *s, cache_slot *slot)
{
	if (!slot)
		return;
	pthread_mutex_lock(&s->cache_mu);
	slot->refs--;
	pthread_mutex_unlock(&s->cache_mu);
}

/* This worker's router for the base network. */
static mr_router *base_router(mr_server *s)
{
	mr_router *rt = pthread_getspecific(s->router_key);
	if (!rt && mr_router_new(&rt, s->o.net) == MR_OK) {
		if ((s->ch && mr_router_set_ch(rt, &s->ch_opts, s->ch) != MR_OK) || pthread_setspecific(s->router_key, rt) != 0) {
			mr_router_free(rt);
			rt = NULL;
		}
	}
	return rt;
}

static void router_destructor(void *p)
{
	mr_router_free(p);
}

/* ---- the network a request routes on ---- */

typedef struct netsel {
	const mr_net *net;
	mr_router *router; /* base_router, or owned (scenario) */
	int owned;
	cache_slot *slot;
	double vot; /* NAN unless a scenario sets it */
} netsel;

static void netsel_free(mr_server *s, netsel *n)
{
	if (n->owned)
		mr_router_free(n->router);
	release_net(s, n->slot);
	memset(n, 0, sizeof(*n));
}

/* Scenario ids from every `name` parameter (repeatable, comma-separated) into v. */
static enum MHD_Result read_scenarios(req *r, const char *name, mr_scenario **v, size_t *n, size_t max, int *done)
{
	size_t i;
	*done = 0;
	*n = 0;
	for (i = 0; i < r->np; i++) {
		char buf[1024];
		const char *items[MAX_SCENARIOS + 1];
		size_t k, nk;
		if (strcmp(r->p[i].key, name) != 0)
			continue;
		r->p[i].used = 1;
		snprintf(buf, sizeof(buf), "%s", r->p[i].value);
		if (!split(buf, ',', items, &nk, MAX_SCENARIOS + 1))
			return *done = 1, fail(r, 400, "InvalidValue", name, "parameter '%s': expected scenario ids separated by commas", name);
		for (k = 0; k < nk; k++) {
			mr_scenario *sc = find_scenario(r->s, items[k]);
			if (!sc)
				return *done = 1, fail(r, 404, "NotFound", name, "parameter '%s': unknown scenario '%s' (see /api/v1/scenarios)",
				                       name, items[k]);
			if (*n == max)
				return *done = 1, fail(r, 413, "TooBig", name, "parameter '%s': at most %zu scenarios", name, max);
			v[(*n)++] = sc;
		}
	}
	return MHD_YES;
}

static int select_net(mr_server *s, mr_scenario *const *v, size_t n, netsel *out, mr_error *err)
{
	int rc;
	memset(out, 0, sizeof(*out));
	out->vot = NAN;
	if (!n) {
		out->net = s->o.net;
		out->router = base_router(s);
		return out->router ? MR_OK : mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	}
	out->slot = acquire_net(s, v, n, err, &rc);
	if (!out->slot)
		return rc;
	out->net = &out->slot->sn.net;
	out->vot = out->slot->sn.vot_usd_per_h;
	if ((rc = mr_router_new(&out->router, out->net))) {
		release_net(s, out->slot);
		out->slot = NULL;
		return mr_error_set(err, rc, NULL, 0, 0, NULL, "out of memory");
	}
	out->owned = 1;
	return MR_OK;
}

/* ---- route options from parameters (Meridian's API) ---- */

typedef struct opts_buf {
	mr_route_opts o;
	char modes[256], avoid[2048], allow[1024];
	const char *avoid_v[64], *allow_v[64];
	int have_vot;
} opts_buf;

static enum MHD_Result read_opts(req *r, opts_buf *b, int *done)
{
	const char *v;
	double x;
	*done = 1;
	memset(b, 0, sizeof(*b));
	mr_route_opts_default(&b->o);
	if ((v = arg(r, "by")) && (b->o.objective = mr_objective_parse(v)) < 0)
		return fail(r, 400, "InvalidValue", "by", "parameter 'by': unknown objective '%s' (distance, time, cost, co2e, generalized)", v);
	if ((v = arg(r, "modes"))) {
		const char *items[MR_MODE_COUNT + 1];
		size_t n, i;
		snprintf(b->modes, sizeof(b->modes), "%s", v);
		if (!split(b->modes, ',', items, &n, MR_MODE_COUNT))
			return fail(r, 400, "InvalidValue", "modes", "parameter 'modes': expected modes separated by commas");
		for (i = 0; i < n; i++) {
			int m = mr_mode_parse(items[i]);
			if (m < 0)
				return fail(r, 400, "InvalidValue", "modes", "parameter 'modes': unknown mode '%s' (sea, ferry, rail, road, iww)", items[i]);
			b->o.mode_mask |= 1u << m;
		}
	}
	if ((v = arg(r, "avoid"))) {
		snprintf(b->avoid, sizeof(b->avoid), "%s", v);
		if (strlen(v) >= sizeof(b->avoid) || !split(b->avoid, ',', b->avoid_v, &b->o.navoid, 64))
			return fail(r, 400, "InvalidValue", "avoid", "parameter 'avoid': expected at most 64 names separated by commas");
		b->o.avoid = b->avoid_v;
	}
	if ((v = arg(r, "allow"))) {
		snprintf(b->allow, sizeof(b->allow), "%s", v);
		if (strlen(v) >= sizeof(b->allow) || !split(b->allow, ',', b->allow_v, &b->o.nallow, 64))
			return fail(r, 400, "InvalidValue", "allow", "parameter 'allow': expected at most 64 names separated by commas");
		b->o.allow = b->allow_v;
	}
	if ((v = arg(r, "planned")) && !parse_bool(v, &b->o.allow_planned))
		return fail(r, 400, "InvalidValue", "planned", "parameter 'planned': expected true or false");
	if ((v = arg(r, "sea_speed"))) {
		if (!parse_double(v, &x) || x <= 0 || x > 60)
			return fail(r, 400, "InvalidValue", "sea_speed", "parameter 'sea_speed': '%s' is not a speed in knots (0 < kn <= 60)", v);
		b->o.sea_speed_kmh = x * MR_KM_PER_NM;
	}
	{
		const char *teu = arg(r, "teu"), *t = arg(r, "tonnes");
		if (teu && t)
			return fail(r, 400, "InvalidOptions", "tonnes", "give teu or tonnes, not both");
		if ((v = teu ? teu : t)) {
			if (!parse_double(v, &x) || x <= 0 || x > 1e7)
				return fail(r, 400, "InvalidValue", teu ? "teu" : "tonnes", "parameter '%s': '%s' is not a positive number",
				            teu ? "teu" : "tonnes", v);
			b->o.teu = teu ? x : x / MR_TONNES_PER_TEU;
		}
	}
	if ((v = arg(r, "vot"))) {
		if (!parse_double(v, &x) || x < 0 || x > 1e6)
			return fail(r, 400, "InvalidValue", "vot", "parameter 'vot': '%s' is not a number >= 0", v);
		b->o.vot_usd_per_h = x;
		b->have_vot = 1;
	}
	*done = 0;
	return MHD_YES;
}

static enum MHD_Result place_error(req *r, const char *param_name, const char *text, const mr_error *e)
{
	if (e->code == MR_EAMBIGUOUS)
		return fail(r, 400, "Ambiguous", param_name, "parameter '%s': %s", param_name, e->msg);
	if (e->code == MR_EINVAL)
		return fail(r, 400, "InvalidValue", param_name, "parameter '%s': %s", param_name, e->msg);
	return fail(r, 404, "NotFound", param_name, "parameter '%s': '%s': %s", param_name, text, e->msg);
}

static unsigned status_of(int code)
{
	switch (code) {
	case MR_ENOROUTE:
	case MR_ENOTFOUND:
		return 404;
	case MR_ENOMEM:
		return 503;
	case MR_EINVAL:
	case MR_ELIMIT:
	case MR_EAMBIGUOUS:
		return 400;
	default:
		return 500;
	}
}

static const char *code_of(int code)
{
	switch (code) {
	case MR_ENOROUTE:
		return "NoRoute";
	case MR_ENOTFOUND:
		return "NotFound";
	case MR_ENOMEM:
		return "Unavailable";
	case MR_EINVAL:
	case MR_ELIMIT:
		return "InvalidValue";
	default:
		return "InternalError";
	}
}

static const char *format_type(int f)
{
	switch (f) {
	case MR_FMT_GEOJSON:
		return "application/geo+json; charset=utf-8";
	case MR_FMT_CSV:
		return "text/csv; charset=utf-8";
	case MR_FMT_HTML:
		return "text/html; charset=utf-8";
	case MR_FMT_TABLE:
		return "text/plain; charset=utf-8";
	default:
		return "application/json; charset=utf-8";
	}
}

static enum MHD_Result api_route(req *r)
{
	mr_server *s = r->s;
	opts_buf ob;
	const char *from = arg(r, "from"), *to = arg(r, "to"), *via = arg(r, "via"), *fmt = arg(r, "format"), *bad;
	mr_scenario *scn[MAX_SCENARIOS];
	size_t nscn, nvia = 0, i, nalt = 1;
	int done, format = MR_FMT_JSON, rc, pareto = 0;
	double max_overlap = 0.6;
	mr_pareto_opts po;
	char viabuf[2048];
	const char *vias[MAX_COORDS];
	uint32_t places[MAX_COORDS + 2];
	mr_place pf, pt, pv;
	netsel ns;
	mr_route route;
	mr_error e;
	char *text = NULL;
	size_t len;
	enum MHD_Result ret;

	if (read_opts(r, &ob, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	if (read_scenarios(r, "scenario", scn, &nscn, MAX_SCENARIOS, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	{
		const char *va = arg(r, "alternatives"), *vo = arg(r, "max_overlap"), *vp = arg(r, "pareto"),
		           *vc = arg(r, "criteria"), *ve = arg(r, "pareto_eps");
		double x;
		if (va) {
			if (!parse_double(va, &x) || x < 1 || x != floor(x))
				return fail(r, 400, "InvalidValue", "alternatives", "parameter 'alternatives': a number of routes >= 1");
			if (x > 5)
				return fail(r, 413, "TooBig", "alternatives", "parameter 'alternatives': at most 5");
			nalt = (size_t)x;
		}
		if (vo && (!parse_double(vo, &max_overlap) || max_overlap < 0 || max_overlap > 1))
			return fail(r, 400, "InvalidValue", "max_overlap", "parameter 'max_overlap': a fraction between 0 and 1");
		if (vp && !parse_bool(vp, &pareto))
			return fail(r, 400, "InvalidValue", "pareto", "parameter 'pareto': true or false");
		mr_pareto_opts_default(&po);
		if (vc) {
			char buf[128], *it, *sv = NULL;
			unsigned m = 0;
			snprintf(buf, sizeof(buf), "%s", vc);
			for (it = strtok_r(buf, ",", &sv); it; it = strtok_r(NULL, ",", &sv)) {
				int k = mr_criterion_parse(it);
				if (k < 0)
					return fail(r, 400, "InvalidValue", "criteria", "parameter 'criteria': unknown criterion '%s' (cost, time, co2e, risk)", it);
				m |= 1u << k;
			}
			if (__builtin_popcount(m) < 2)
				return fail(r, 400, "InvalidValue", "criteria", "parameter 'criteria': at least two criteria");
			po.criteria = m;
			pareto = 1;
		}
		if (ve) {
			if (!parse_double(ve, &po.eps) || po.eps < 0 || po.eps > 1)
				return fail(r, 400, "InvalidValue", "pareto_eps", "parameter 'pareto_eps': a fraction between 0 and 1");
			pareto = 1;
		}
		po.max_labels = 500000;
		if (pareto && nalt > 1)
			return fail(r, 400, "InvalidOptions", "pareto", "give alternatives or pareto, not both");
	}
	if (fmt && ((format = mr_format_parse(fmt)) < 0 || format == MR_FMT_HTML))
		return fail(r, 400, "InvalidValue", "format", "parameter 'format': '%s' is not json, geojson, csv or table", fmt);
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s' (from, to, via, by, modes, avoid, allow, planned, "
		            "sea_speed, teu, tonnes, vot, scenario, alternatives, max_overlap, pareto, criteria, pareto_eps, "
		            "format)", bad);
	if (via && (nalt > 1 || pareto))
		return fail(r, 400, "InvalidOptions", "via", "via works with a single route, not with alternatives or pareto");
	if (!from || !*from)
		return fail(r, 400, "InvalidQuery", "from", "parameter 'from' is required");
	if (!to || !*to)
		return fail(r, 400, "InvalidQuery", "to", "parameter 'to' is required");
	if (via) {
		snprintf(viabuf, sizeof(viabuf), "%s", via);
		if (strlen(via) >= sizeof(viabuf) || !split(viabuf, ';', vias, &nvia, MAX_COORDS) )
			return fail(r, 400, "InvalidValue", "via", "parameter 'via': places separated by ';' (at most %d)", MAX_COORDS);
	}
	mr_error_clear(&e);
	if ((rc = select_net(s, scn, nscn, &ns, &e)))
		return fail(r, status_of(rc), code_of(rc), "scenario", "%s", e.msg);
	if (!ob.have_vot && !isnan(ns.vot))
		ob.o.vot_usd_per_h = ns.vot;
	if (mr_place_resolve(ns.net, from, ob.o.mode_mask, SNAP_KM, &pf, &e)) {
		ret = place_error(r, "from", from, &e);
		goto out;
	}
	places[0] = pf.node;
	for (i = 0; i < nvia; i++) {
		mr_error_clear(&e);
		if (mr_place_resolve(ns.net, vias[i], ob.o.mode_mask, SNAP_KM, &pv, &e)) {
			ret = place_error(r, "via", vias[i], &e);
			goto out;
		}
		places[i + 1] = pv.node;
	}
	mr_error_clear(&e);
	if (mr_place_resolve(ns.net, to, ob.o.mode_mask, SNAP_KM, &pt, &e)) {
		ret = place_error(r, "to", to, &e);
		goto out;
	}
	places[nvia + 1] = pt.node;
	mr_error_clear(&e);
	if (nalt > 1 || pareto) {
		if (pareto) {
			mr_pareto front;
			if ((rc = mr_router_pareto(ns.router, pf.node, pt.node, &ob.o, &po, &front, &e))) {
				ret = fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
				goto out;
			}
			{
				mr_pareto_report pr = {ns.net, &pf, &pt, &ob.o, &front, po.criteria, po.eps, NULL, -1};
				rc = mr_report_pareto(&pr, format, &text, &len);
			}
			mr_pareto_free(&front);
		} else {
			mr_alt alts[5];
			mr_route routes[5];
			const char *labels[5];
			mr_alt_opts ao;
			size_t n = 0;
			mr_alt_opts_default(&ao);
			ao.k = nalt;
			ao.max_overlap = max_overlap;
			if ((rc = mr_router_alternatives(ns.router, pf.node, pt.node, &ob.o, &ao, alts, &n, &e))) {
				ret = fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
				goto out;
			}
			for (i = 0; i < n; i++) {
				routes[i] = alts[i].route;
				labels[i] = alts[i].label;
			}
			{
				mr_route_report rep = {ns.net, &pf, &pt, &ob.o, routes, n, labels};
				rc = mr_report_route(&rep, format, &text, &len);
			}
			for (i = 0; i < n; i++)
				mr_route_free(&alts[i].route);
		}
		if (rc)
			ret = fail(r, 503, "Unavailable", NULL, "out of memory");
		else
			ret = respond(r, 200, format_type(format), text, len, 1);
		goto out;
	}
	if ((rc = mr_router_route(ns.router, places, nvia + 2, &ob.o, &route, &e))) {
		ret = fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg[0] ? e.msg : mr_strerror(rc));
		goto out;
	}
	{
		mr_route_report rep = {ns.net, &pf, &pt, &ob.o, &route, 1, NULL};
		rc = mr_report_route(&rep, format, &text, &len);
	}
	mr_route_free(&route);
	if (rc)
		ret = fail(r, 503, "Unavailable", NULL, "out of memory");
	else
		ret = respond(r, 200, format_type(format), text, len, 1);
out:
	netsel_free(s, &ns);
	return ret;
}

static enum MHD_Result api_compare(req *r)
{
	mr_server *s = r->s;
	opts_buf ob;
	const char *from = arg(r, "from"), *to = arg(r, "to"), *fmt = arg(r, "format"), *cor = arg(r, "corridors"), *bad;
	mr_scenario *scn[MAX_SCENARIOS + 1], *vs[1];
	size_t nscn, nvs, nwhich = 0;
	int done, format = MR_FMT_JSON, rc;
	char corbuf[1024], vs_label[MAX_SCENARIOS * 64 + 8], label[MAX_SCENARIOS * 64 + 8];
	const char *which[64];
	mr_place pf, pt;
	netsel ns, vns;
	mr_compare_result res, vres;
	mr_claim_check *checks = NULL;
	mr_route_opts vopts;
	mr_scenario_info info[MAX_SCENARIOS + 1];
	mr_error e;
	char *text = NULL;
	size_t len = 0, i;
	enum MHD_Result ret = MHD_YES;

	memset(&res, 0, sizeof(res));
	memset(&vres, 0, sizeof(vres));
	memset(&vns, 0, sizeof(vns));
	if (!s->o.corridors)
		return fail(r, 503, "Unavailable", NULL, "the server has no corridor definitions");
	if (read_opts(r, &ob, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	if (read_scenarios(r, "scenario", scn, &nscn, MAX_SCENARIOS, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	if (read_scenarios(r, "vs", vs, &nvs, 1, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	if (fmt && (format = mr_format_parse(fmt)) < 0)
		return fail(r, 400, "InvalidValue", "format", "parameter 'format': '%s' is not json, geojson, csv, html or table", fmt);
	if (cor && strcmp(cor, "all") != 0) {
		snprintf(corbuf, sizeof(corbuf), "%s", cor);
		if (strlen(cor) >= sizeof(corbuf) || !split(corbuf, ',', which, &nwhich, 64))
			return fail(r, 400, "InvalidValue", "corridors", "parameter 'corridors': corridor ids separated by commas, or all");
		for (i = 0; i < nwhich; i++)
			if (!mr_corridors_find(s->o.corridors, which[i]))
				return fail(r, 404, "NotFound", "corridors", "parameter 'corridors': unknown corridor '%s' (see /api/v1/corridors)",
				            which[i]);
	}
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s' (from, to, corridors, by, modes, avoid, allow, "
		            "planned, sea_speed, teu, tonnes, vot, scenario, vs, format)", bad);
	if (!from || !*from)
		return fail(r, 400, "InvalidQuery", "from", "parameter 'from' is required");
	if (!to || !*to)
		return fail(r, 400, "InvalidQuery", "to", "parameter 'to' is required");
	mr_error_clear(&e);
	if ((rc = select_net(s, scn, nscn, &ns, &e)))
		return fail(r, status_of(rc), code_of(rc), "scenario", "%s", e.msg);
	if (!ob.have_vot && !isnan(ns.vot))
		ob.o.vot_usd_per_h = ns.vot;
	if (mr_place_resolve(ns.net, from, ob.o.mode_mask, SNAP_KM, &pf, &e)) {
		ret = place_error(r, "from", from, &e);
		goto out;
	}
	mr_error_clear(&e);
	if (mr_place_resolve(ns.net, to, ob.o.mode_mask, SNAP_KM, &pt, &e)) {
		ret = place_error(r, "to", to, &e);
		goto out;
	}
	mr_error_clear(&e);
	if ((rc = mr_compare_run(ns.router, ns.net, pf.node, pt.node, &ob.o, s->o.corridors, which, nwhich, &res, &e))) {
		ret = fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
		goto out;
	}
	label[0] = '\0';
	for (i = 0; i < nscn; i++) {
		info[i].id = mr_scenario_id(scn[i]);
		info[i].description = mr_scenario_description(scn[i]);
		info[i].path = NULL;
		info[i].vs = 0;
		snprintf(label + strlen(label), sizeof(label) - strlen(label), "%s%s", i ? " + " : "", mr_scenario_id(scn[i]));
	}
	if (!nscn)
		snprintf(label, sizeof(label), "base");
	if (nvs) {
		scn[nscn] = vs[0];
		info[nscn].id = mr_scenario_id(vs[0]);
		info[nscn].description = mr_scenario_description(vs[0]);
		info[nscn].path = NULL;
		info[nscn].vs = 1;
		snprintf(vs_label, sizeof(vs_label), "%s%s%s", nscn ? label : "", nscn ? " + " : "", mr_scenario_id(vs[0]));
		mr_error_clear(&e);
		if ((rc = select_net(s, scn, nscn + 1, &vns, &e))) {
			ret = fail(r, status_of(rc), code_of(rc), "vs", "%s", e.msg);
			goto out;
		}
		vopts = ob.o;
		if (!ob.have_vot && !isnan(vns.vot))
			vopts.vot_usd_per_h = vns.vot;
		if ((rc = mr_compare_run(vns.router, vns.net, pf.node, pt.node, &vopts, s->o.corridors, which, nwhich, &vres, &e))) {
			ret = fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
			goto out;
		}
	}
	{
		mr_compare_report rep;
		memset(&rep, 0, sizeof(rep));
		rep.net = ns.net;
		rep.from = &pf;
		rep.to = &pt;
		rep.opts = &ob.o;
		rep.rows = res.rows;
		rep.nrows = res.nrows;
		rep.label = label;
		rep.scenarios = info;
		rep.nscenarios = nscn + nvs;
		rep.atlas_path = s->o.atlas_path;
		if (nvs) {
			rep.vs_rows = vres.rows;
			rep.vs_net = vns.net;
			rep.vs_opts = &vopts;
			rep.vs_label = vs_label;
		}
		if (s->o.claims && s->o.claims->n) {
			if (!(checks = mr_calloc(s->o.claims->n, sizeof(*checks)))) {
				ret = fail(r, 503, "Unavailable", NULL, "out of memory");
				goto out;
			}
			rep.claims = checks;
			rep.nclaims = mr_claims_check(s->o.claims, ns.net, pf.node, pt.node, res.rows, res.nrows, checks);
		}
		mr_error_clear(&e);
		if (format == MR_FMT_HTML)
			rc = mr_report_compare_html(&rep, &text, &len, &e);
		else
			rc = mr_report_compare(&rep, format, &text, &len);
	}
	if (rc)
		ret = fail(r, 503, "Unavailable", NULL, "cannot write the report: %s", e.msg[0] ? e.msg : mr_strerror(rc));
	else
		ret = respond(r, 200, format_type(format), text, len, 1);
out:
	mr_free(checks);
	mr_compare_result_free(&res);
	mr_compare_result_free(&vres);
	netsel_free(s, &vns);
	netsel_free(s, &ns);
	return ret;
}

/* ---- places: autocomplete ---- */

static unsigned node_modes(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	unsigned m = 0;
	uint32_t k;
	for (k = 0; k < n->nvnodes; k++)
		m |= 1u << net->vnodes[n->first_vnode + k].mode;
	return m;
}

static int build_places(mr_server *s)
{
	const mr_net *net = s->o.net;
	uint32_t i;
	s->places = mr_calloc((size_t)net->meta.nnodes + 1, sizeof(place_key));
	if (!s->places)
		return MR_ENOMEM;
	for (i = 0; i < net->meta.nnodes; i++) {
		const mr_node_rec *n = &net->nodes[i];
		const char *fields[4];
		char folded[512];
		mr_buf b = {0};
		size_t k;
		if (!n->nvnodes || (!n->name && !n->unlocode) || (n->type && strcmp(mr_net_str(net, n->type), "sea") == 0))
			continue;
		fields[0] = n->unlocode ? mr_net_str(net, n->unlocode) : "";
		fields[1] = mr_net_str(net, n->id);
		fields[2] = n->name ? mr_net_str(net, n->name) : "";
		fields[3] = n->aliases ? mr_net_str(net, n->aliases) : "";
		for (k = 0; k < 4; k++) {
			if (k == 3) { /* aliases: ';'-separated */
				char al[1024], *a, *sv = NULL;
				snprintf(al, sizeof(al), "%s", fields[3]);
				for (a = strtok_r(al, ";", &sv); a; a = strtok_r(NULL, ";", &sv)) {
					mr_place_fold(a, folded, sizeof(folded));
					mr_buf_append(&b, folded, strlen(folded) + 1);
				}
				continue;
			}
			mr_place_fold(fields[k], folded, sizeof(folded));
			mr_buf_append(&b, folded, strlen(folded) + 1);
		}
		mr_buf_append(&b, "", 1);
		if (b.failed) {
			mr_buf_free(&b);
			return MR_ENOMEM;
		}
		s->places[s->nplaces].node = i;
		s->places[s->nplaces].keys = b.data;
		s->nplaces++;
	}
	return MR_OK;
}

/* How well folded query q matches a place: 0 exact code or id, 1 exact name, 2 name prefix,
 * 3 word prefix, 4 substring; -1 no match. */
static int match_rank(const place_key *p, const char *q, size_t qn)
{
	const char *k = p->keys;
	int best = -1, field = 0;
	for (; *k || field < 2; k += strlen(k) + 1, field++) {
		int rank = -1;
		const char *w;
		if (!*k)
			continue;
		if (strcmp(k, q) == 0)
			rank = field < 2 ? 0 : 1;
		else if (strncmp(k, q, qn) == 0)
			rank = 2;
		else if ((w = strstr(k, q))) {
			rank = (w > k && w[-1] == ' ') ? 3 : 4;
		}
		if (rank >= 0 && (best < 0 || rank < best))
			best = rank;
	}
	return best;
}

typedef struct hit {
	int rank;
	uint32_t node;
	double len;
} hit;

static int hit_cmp(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static json_t *modes_json(unsigned m)
{
	json_t *a = json_array();
	int i;
	for (i = 0; i < MR_MODE_COUNT; i++)
		if (m >> i & 1u)
			json_array_append_new(a, json_string(mr_mode_name(i)));
	return a;
}

static json_t *place_obj(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(mr_net_str(net, n->id)));
	json_object_set_new(o, "name", json_string(n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id)));
	if (n->unlocode)
		json_object_set_new(o, "unlocode", json_string(mr_net_str(net, n->unlocode)));
	json_object_set_new(o, "country", json_string(n->country));
	json_object_set_new(o, "lon", json_real(n->lon));
	json_object_set_new(o, "lat", json_real(n->lat));
	json_object_set_new(o, "modes", modes_json(node_modes(net, node)));
	return o;
}

static enum MHD_Result api_places(req *r)
{
	mr_server *s = r->s;
	const char *q = arg(r, "q"), *lim = arg(r, "limit"), *modes = arg(r, "modes"), *bad;
	char folded[256];
	double x;
	size_t limit = 10, i, nh = 0, qn;
	unsigned mask = 0;
	hit *hits;
	json_t *root, *arr;

	if (lim) {
		if (!parse_double(lim, &x) || x < 1 || x != floor(x))
			return fail(r, 400, "InvalidValue", "limit", "parameter 'limit': '%s' is not a whole number >= 1", lim);
		if (x > MAX_PLACES)
			return fail(r, 413, "TooBig", "limit", "parameter 'limit': at most %d", MAX_PLACES);
		limit = (size_t)x;
	}
	if (modes) {
		char buf[256];
		const char *items[MR_MODE_COUNT + 1];
		size_t n;
		snprintf(buf, sizeof(buf), "%s", modes);
		if (!split(buf, ',', items, &n, MR_MODE_COUNT))
			return fail(r, 400, "InvalidValue", "modes", "parameter 'modes': expected modes separated by commas");
		for (i = 0; i < n; i++) {
			int m = mr_mode_parse(items[i]);
			if (m < 0)
				return fail(r, 400, "InvalidValue", "modes", "parameter 'modes': unknown mode '%s'", items[i]);
			mask |= 1u << m;
		}
	}
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s' (q, limit, modes)", bad);
	if (!q)
		return fail(r, 400, "InvalidQuery", "q", "parameter 'q' is required");
	qn = mr_place_fold(q, folded, sizeof(folded));
	if (!qn)
		return fail(r, 400, "InvalidValue", "q", "parameter 'q': nothing to search for");
	if (!(hits = mr_malloc((s->nplaces + 1) * sizeof(hit))))
		return fail(r, 503, "Unavailable", NULL, "out of memory");
	for (i = 0; i < s->nplaces; i++) {
		int rank = match_rank(&s->places[i], folded, qn);
		const mr_node_rec *n = &s->o.net->nodes[s->places[i].node];
		if (rank < 0 || (mask && !(node_modes(s->o.net, s->places[i].node) & mask)))
			continue;
		hits[nh].rank = rank;
		hits[nh].node = s->places[i].node;
		hits[nh].len = n->name ? (double)strlen(mr_net_str(s->o.net, n->name)) : 99;
		nh++;
	}
	qsort(hits, nh, sizeof(hit), hit_cmp);
	root = json_object();
	arr = json_array();
	for (i = 0; i < nh && i < limit; i++)
		json_array_append_new(arr, place_obj(s->o.net, hits[i].node));
	mr_free(hits);
	json_object_set_new(root, "places", arr);
	return respond_json(r, 200, root);
}

static enum MHD_Result api_list(req *r, int what)
{
	mr_server *s = r->s;
	const char *bad;
	json_t *root = json_object(), *arr = json_array();
	size_t i;
	if (unknown_param(r, &bad)) {
		json_decref(root);
		json_decref(arr);
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s' (this endpoint takes none)", bad);
	}
	if (what == 0) {
		for (i = 0; i < s->nscn; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(mr_scenario_id(s->scn[i])));
			json_object_set_new(o, "description", json_string(mr_scenario_description(s->scn[i])));
			json_object_set_new(o, "statements", json_integer((json_int_t)mr_scenario_nops(s->scn[i])));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "scenarios", arr);
	} else {
		for (i = 0; s->o.corridors && i < s->o.corridors->n; i++) {
			const mr_corridor *c = &s->o.corridors->v[i];
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(c->id));
			json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
			json_object_set_new(o, "constraints", json_string(c->text ? c->text : ""));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "corridors", arr);
	}
	return respond_json(r, 200, root);
}

static enum MHD_Result api_network(req *r)
{
	const mr_net *net = r->s->o.net;
	const char *bad;
	json_t *o, *bbox, *bym;
	char when[32];
	time_t t = (time_t)net->meta.built_unix;
	struct tm tm;
	int i;
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s' (this endpoint takes none)", bad);
	o = json_object();
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "nodes", json_integer(net->meta.nnodes));
	json_object_set_new(o, "virtual_nodes", json_integer(net->meta.nvnodes));
	json_object_set_new(o, "links", json_integer(net->meta.nlinks));
	json_object_set_new(o, "arcs", json_integer(net->meta.narcs));
	json_object_set_new(o, "borders", json_integer(net->meta.nborders));
	json_object_set_new(o, "countries", json_integer(net->meta.ncountries));
	bbox = json_array();
	json_array_append_new(bbox, json_real(net->meta.min_lon));
	json_array_append_new(bbox, json_real(net->meta.min_lat));
	json_array_append_new(bbox, json_real(net->meta.max_lon));
	json_array_append_new(bbox, json_real(net->meta.max_lat));
	json_object_set_new(o, "bbox", bbox);
	json_object_set_new(o, "built", json_string(when));
	json_object_set_new(o, "source", json_string(mr_net_str(net, net->meta.build_source)));
	json_object_set_new(o, "format_version", json_integer(mr_net_format_version()));
	bym = json_object();
	for (i = 0; i < MR_MODE_COUNT; i++)
		json_object_set_new(bym, mr_mode_name(i), json_integer(net->meta.arcs_by_mode[i]));
	json_object_set_new(bym, "transfer", json_integer(net->meta.transfer_arcs));
	json_object_set_new(o, "arcs_by_mode", bym);
	return respond_json(r, 200, o);
}

static enum MHD_Result health(req *r)
{
	mr_server *s = r->s;
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string("ok"));
	json_object_set_new(o, "network", json_string(s->o.net->path ? s->o.net->path : "(in memory)"));
	json_object_set_new(o, "uptime_s", json_integer((json_int_t)(time(NULL) - s->started)));
	json_object_set_new(o, "requests", json_integer((json_int_t)atomic_load(&s->requests)));
	json_object_set_new(o, "threads", json_integer(s->o.threads));
	return respond_json(r, 200, o);
}

/* ---- OSRM services ---- */

typedef struct coords {
	double lon[MAX_COORDS], lat[MAX_COORDS];
	size_t n;
} coords;

static int profile_mask(const char *p, unsigned *mask)
{
	if (strcmp(p, "multimodal") == 0)
		return *mask = 0, 1;
	if (strcmp(p, "sea") == 0)
		return *mask = 1u << MR_MODE_SEA, 1;
	if (strcmp(p, "rail") == 0)
		return *mask = 1u << MR_MODE_RAIL, 1;
	if (strcmp(p, "road") == 0)
		return *mask = 1u << MR_MODE_ROAD, 1;
	return 0;
}

/* "lon,lat;lon,lat": 0 ok, 1 malformed, 2 too many. */
static int parse_coords(const char *text, coords *c)
{
	const char *p = text;
	c->n = 0;
	if (!*p)
		return 1;
	for (;;) {
		char item[128], *comma;
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		if (c->n == MAX_COORDS)
			return 2;
		if (!n || n >= sizeof(item))
			return 1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (!(comma = strchr(item, ',')))
			return 1;
		*comma = '\0';
		if (!parse_double(item, &c->lon[c->n]) || !parse_double(comma + 1, &c->lat[c->n]) ||
		    fabs(c->lon[c->n]) > 180 || fabs(c->lat[c->n]) > 90)
			return 1;
		c->n++;
		if (!semi)
			return 0;
		p = semi + 1;
	}
}

static enum MHD_Result snap_all(req *r, const coords *c, unsigned mask, mr_place *out, int *done)
{
	size_t i;
	*done = 1;
	for (i = 0; i < c->n; i++) {
		char text[96];
		mr_error e;
		mr_error_clear(&e);
		snprintf(text, sizeof(text), "%.7f,%.7f", c->lon[i], c->lat[i]);
		if (mr_place_resolve(r->s->o.net, text, mask, SNAP_KM, &out[i], &e))
			return fail(r, 400, "NoSegment", "coordinates", "coordinate %zu (%s): no usable node of the profile within %.0f km",
			            i, text, SNAP_KM);
	}
	*done = 0;
	return MHD_YES;
}

static json_t *waypoint(const mr_net *net, const mr_place *p)
{
	const mr_node_rec *n = &net->nodes[p->node];
	json_t *o = json_object(), *loc = json_array();
	json_object_set_new(o, "hint", json_string(""));
	json_object_set_new(o, "distance", json_real(round(p->snap_km * 1000.0 * 10) / 10));
	json_object_set_new(o, "name", json_string(n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id)));
	json_array_append_new(loc, json_real(n->lon));
	json_array_append_new(loc, json_real(n->lat));
	json_object_set_new(o, "location", loc);
	return o;
}

char *mr_polyline_encode(const double *ll, size_t n, int precision)
{
	mr_buf b = {0};
	double f = precision == 6 ? 1e6 : 1e5;
	long plat = 0, plon = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		long lat = lround(ll[2 * i + 1] * f), lon = lround(ll[2 * i] * f);
		long d[2] = {lat - plat, lon - plon};
		int k;
		plat = lat;
		plon = lon;
		for (k = 0; k < 2; k++) {
			unsigned long v = d[k] < 0 ? ~((unsigned long)d[k] << 1) : (unsigned long)d[k] << 1;
			while (v >= 0x20) {
				char ch = (char)((0x20 | (v & 0x1f)) + 63);
				mr_buf_append(&b, &ch, 1);
				v >>= 5;
			}
			{
				char ch = (char)(v + 63);
				mr_buf_append(&b, &ch, 1);
			}
		}
	}
	mr_buf_append(&b, "", 1);
	if (b.failed) {
		mr_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Douglas-Peucker on lon/lat (degrees): keep[i] = 1 for the points that stay. */
static void simplify(const double *ll, size_t lo, size_t hi, double eps, uint8_t *keep)
{
	size_t i, best = lo;
	double dmax = 0, ax = ll[2 * lo], ay = ll[2 * lo + 1], bx = ll[2 * hi], by = ll[2 * hi + 1];
	double dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy;
	if (hi <= lo + 1)
		return;
	for (i = lo + 1; i < hi; i++) {
		double px = ll[2 * i] - ax, py = ll[2 * i + 1] - ay, d;
		if (L > 0) {
			double t = (px * dx + py * dy) / L;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			d = hypot(px - t * dx, py - t * dy);
		} else {
			d = hypot(px, py);
		}
		if (d > dmax)
			dmax = d, best = i;
	}
	if (dmax > eps) {
		keep[best] = 1;
		simplify(ll, lo, best, eps, keep);
		simplify(ll, best, hi, eps, keep);
	}
}

/* The route's geometry as OSRM asks: NULL when overview=false. */
static json_t *osrm_geometry(const mr_net *net, const mr_route *rt, int overview, int geometries, int *oom)
{
	double *ll;
	uint8_t *keep;
	size_t i, n = rt->nnodes, m = 0;
	json_t *g = NULL;
	*oom = 0;
	if (overview == 0)
		return NULL;
	ll = mr_malloc((2 * n + 2) * sizeof(double));
	keep = mr_calloc(n + 1, 1);
	if (!ll || !keep) {
		mr_free(ll);
		mr_free(keep);
		*oom = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		ll[2 * i] = net->nodes[rt->nodes[i]].lon;
		ll[2 * i + 1] = net->nodes[rt->nodes[i]].lat;
	}
	if (n) {
		keep[0] = keep[n - 1] = 1;
		if (overview == 2)
			memset(keep, 1, n);
		else
			simplify(ll, 0, n - 1, 0.01, keep);
	}
	for (i = 0; i < n; i++)
		if (keep[i]) {
			ll[2 * m] = ll[2 * i];
			ll[2 * m + 1] = ll[2 * i + 1];
			m++;
		}
	if (geometries == 2) {
		json_t *c = json_array();
		g = json_object();
		for (i = 0; i < m; i++) {
			json_t *p = json_array();
			json_array_append_new(p, json_real(ll[2 * i]));
			json_array_append_new(p, json_real(ll[2 * i + 1]));
			json_array_append_new(c, p);
		}
		json_object_set_new(g, "type", json_string("LineString"));
		json_object_set_new(g, "coordinates", c);
	} else {
		char *enc = mr_polyline_encode(ll, m, geometries == 1 ? 6 : 5);
		if (!enc)
			*oom = 1;
		else
			g = json_string(enc);
		mr_free(enc);
	}
	mr_free(ll);
	mr_free(keep);
	return g;
}

/* OSRM legs: one per pair of consecutive coordinates, split where the route reaches each next
 * place (its first arrival after the previous split). */
static json_t *osrm_legs(const mr_net *net, const mr_route *rt, const uint32_t *places, size_t np)
{
	json_t *legs = json_array();
	size_t i, k = 1;
	double dist = 0, dur = 0;
	unsigned modes = 0;
	for (i = 0; i <= rt->narcs; i++) {
		int end = i == rt->narcs;
		uint32_t head = 0;
		if (!end) {
			const mr_arc_rec *a = &net->arcs[rt->arcs[i]];
			dist += a->distance_km;
			dur += a->time_h;
			if (a->kind != MR_ARC_TRANSFER)
				modes |= 1u << a->mode;
			head = net->vnodes[net->g.head[rt->arcs[i]]].node;
		}
		if ((end && k < np) || (!end && k < np - 1 && head == places[k])) {
			json_t *l = json_object();
			char summary[128] = "";
			int m;
			for (m = 0; m < MR_MODE_COUNT; m++)
				if (modes >> m & 1u)
					snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary), "%s%s", summary[0] ? ", " : "",
					         mr_mode_name(m));
			json_object_set_new(l, "distance", json_real(round(dist * 1000.0 * 10) / 10));
			json_object_set_new(l, "duration", json_real(round(dur * 3600.0 * 10) / 10));
			json_object_set_new(l, "weight", json_real(round(dur * 3600.0 * 10) / 10));
			json_object_set_new(l, "summary", json_string(summary));
			json_object_set_new(l, "steps", json_array());
			json_array_append_new(legs, l);
			dist = dur = 0;
			modes = 0;
			k++;
		}
	}
	while (k < np) { /* places that coincide: empty legs */
		json_t *l = json_object();
		json_object_set_new(l, "distance", json_real(0));
		json_object_set_new(l, "duration", json_real(0));
		json_object_set_new(l, "weight", json_real(0));
		json_object_set_new(l, "summary", json_string(""));
		json_object_set_new(l, "steps", json_array());
		json_array_append_new(legs, l);
		k++;
	}
	return legs;
}

/* OSRM's query parameters that Meridian accepts: the ones it uses, and those it ignores. */
static const char *const osrm_ignored[] = {"steps", "annotations", "continue_straight", "hints", "radiuses",
                                           "bearings", "approaches", "exclude", "snapping", "generate_hints",
                                           "skip_waypoints", "waypoints", "fallback_speed", "fallback_coordinate",
                                           "scale_factor", NULL};

/* Mark OSRM's parameters that Meridian accepts and ignores; their values must still be valid:
 * *bad names the first that is not (NULL if all are). */
static void mark_ignored(req *r, const char **bad)
{
	static const char *const booleans[] = {"steps", "continue_straight", "generate_hints", "skip_waypoints", NULL};
	size_t i, k;
	*bad = NULL;
	for (i = 0; i < r->np; i++)
		for (k = 0; osrm_ignored[k]; k++)
			if (strcmp(r->p[i].key, osrm_ignored[k]) == 0) {
				const char *v = r->p[i].value;
				size_t b;
				r->p[i].used = 1;
				for (b = 0; booleans[b]; b++)
					if (strcmp(r->p[i].key, booleans[b]) == 0 && strcmp(v, "true") != 0 && strcmp(v, "false") != 0 &&
					    !(b == 1 && strcmp(v, "default") == 0) && !*bad)
						*bad = r->p[i].key;
				if (strcmp(r->p[i].key, "annotations") == 0 && !*bad) {
					/* true, false, or a list of OSRM's annotation names */
					static const char *const names[] = {"duration", "distance", "nodes", "weight", "datasources", "speed", NULL};
					char buf[256], *it, *sv = NULL;
					if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
						snprintf(buf, sizeof(buf), "%s", v);
						if (!*v || strlen(v) >= sizeof(buf))
							*bad = r->p[i].key;
						for (it = strtok_r(buf, ",", &sv); it && !*bad; it = strtok_r(NULL, ",", &sv)) {
							size_t n;
							for (n = 0; names[n] && strcmp(names[n], it) != 0; n++)
								;
							if (!names[n])
								*bad = r->p[i].key;
						}
					}
				}
			}
}

/* One route in OSRM's shape, with Meridian's own figures under "meridian". */
static json_t *osrm_route_obj(mr_server *s, const mr_route *route, const mr_route_opts *o, const uint32_t *places,
                              size_t np, int overview, int geometries, int *oom)
{
	json_t *ro = json_object(), *g;
	int gom = 0;
	json_object_set_new(ro, "distance", json_real(round(route->distance_km * 1000.0 * 10) / 10));
	json_object_set_new(ro, "duration", json_real(round(route->duration_h * 3600.0 * 10) / 10));
	json_object_set_new(ro, "weight", json_real(round(route->objective_value * 100) / 100));
	json_object_set_new(ro, "weight_name", json_string(mr_objective_name(o->objective)));
	g = osrm_geometry(s->o.net, route, overview, geometries, &gom);
	if (gom)
		*oom = 1;
	if (g)
		json_object_set_new(ro, "geometry", g);
	json_object_set_new(ro, "legs", osrm_legs(s->o.net, route, places, np));
	{
		/* Meridian's own figures, in the route contract, without the geometry */
		json_t *m = mr__route_json(s->o.net, route);
		if (!m) {
			*oom = 1;
		} else {
			json_object_del(m, "geometry");
			json_object_set_new(ro, "meridian", m);
		}
	}
	return ro;
}

static enum MHD_Result osrm_route(req *r, unsigned mask, const char *coord_text)
{
	mr_server *s = r->s;
	coords c;
	mr_place pl[MAX_COORDS];
	uint32_t places[MAX_COORDS];
	const char *v, *bad;
	int overview = 1, geometries = 0, done, rc, oom = 0, alt = 0;
	mr_route_opts o;
	mr_router *rt;
	mr_route route;
	mr_error e;
	size_t i;
	json_t *root, *routes, *wps, *ro;

	mr_route_opts_default(&o);
	o.mode_mask = mask;
	if ((v = arg(r, "alternatives"))) {
		double x;
		if (strcmp(v, "true") == 0)
			alt = 1;
		else if (strcmp(v, "false") == 0)
			alt = 0;
		else if (parse_double(v, &x) && x >= 0 && x == floor(x)) {
			if (x > MAX_ALTERNATIVES)
				return fail(r, 413, "TooBig", "alternatives", "parameter 'alternatives': at most %d", MAX_ALTERNATIVES);
			alt = (int)x;
		} else
			return fail(r, 400, "InvalidValue", "alternatives", "parameter 'alternatives': true, false or a number");
	}
	if ((v = arg(r, "geometries"))) {
		if (strcmp(v, "polyline") == 0)
			geometries = 0;
		else if (strcmp(v, "polyline6") == 0)
			geometries = 1;
		else if (strcmp(v, "geojson") == 0)
			geometries = 2;
		else
			return fail(r, 400, "InvalidValue", "geometries", "parameter 'geometries': polyline, polyline6 or geojson");
	}
	if ((v = arg(r, "overview"))) {
		if (strcmp(v, "false") == 0)
			overview = 0;
		else if (strcmp(v, "simplified") == 0)
			overview = 1;
		else if (strcmp(v, "full") == 0)
			overview = 2;
		else
			return fail(r, 400, "InvalidValue", "overview", "parameter 'overview': simplified, full or false");
	}
	if ((v = arg(r, "by")) && (o.objective = mr_objective_parse(v)) < 0)
		return fail(r, 400, "InvalidValue", "by", "parameter 'by': unknown objective '%s'", v);
	mark_ignored(r, &bad);
	if (bad)
		return fail(r, 400, "InvalidValue", bad, "parameter '%s': not a valid value", bad);
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s'", bad);
	rc = parse_coords(coord_text, &c);
	if (rc == 2)
		return fail(r, 413, "TooBig", "coordinates", "at most %d coordinates", MAX_COORDS);
	if (rc || c.n < 2)
		return fail(r, 400, "InvalidQuery", "coordinates", "expected at least two lon,lat pairs separated by ';'");
	if (snap_all(r, &c, mask, pl, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	for (i = 0; i < c.n; i++)
		places[i] = pl[i].node;
	if (!(rt = base_router(s)))
		return fail(r, 503, "Unavailable", NULL, "out of memory");
	mr_error_clear(&e);
	if (alt > 0 && c.n == 2) { /* OSRM gives alternatives for two coordinates only */
		mr_alt alts[MAX_ALTERNATIVES + 1];
		mr_alt_opts ao;
		size_t n = 0;
		mr_alt_opts_default(&ao);
		ao.k = (size_t)alt + 1;
		if ((rc = mr_router_alternatives(rt, places[0], places[1], &o, &ao, alts, &n, &e))) {
			if (rc == MR_ENOROUTE)
				return fail(r, 400, "NoRoute", NULL, "%s", e.msg);
			return fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
		}
		routes = json_array();
		for (i = 0; i < n; i++) {
			ro = osrm_route_obj(s, &alts[i].route, &o, places, c.n, overview, geometries, &oom);
			json_object_set_new(ro, "meridian_label", json_string(alts[i].label));
			json_array_append_new(routes, ro);
			mr_route_free(&alts[i].route);
		}
	} else {
		if ((rc = mr_router_route(rt, places, c.n, &o, &route, &e))) {
			if (rc == MR_ENOROUTE)
				return fail(r, 400, "NoRoute", NULL, "%s", e.msg);
			return fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
		}
		routes = json_array();
		json_array_append_new(routes, osrm_route_obj(s, &route, &o, places, c.n, overview, geometries, &oom));
		mr_route_free(&route);
	}
	root = json_object();
	wps = json_array();
	for (i = 0; i < c.n; i++)
		json_array_append_new(wps, waypoint(s->o.net, &pl[i]));
	json_object_set_new(root, "code", json_string("Ok"));
	json_object_set_new(root, "routes", routes);
	json_object_set_new(root, "waypoints", wps);
	if (oom) {
		json_decref(root);
		return fail(r, 503, "Unavailable", NULL, "out of memory");
	}
	return respond_json(r, 200, root);
}

static int parse_index_list(const char *v, size_t n, size_t *out, size_t *nout)
{
	char buf[2048];
	const char *items[MAX_COORDS];
	size_t i, k;
	if (strcmp(v, "all") == 0) {
		for (i = 0; i < n; i++)
			out[i] = i;
		*nout = n;
		return 1;
	}
	if (strlen(v) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	if (!split(buf, ';', items, &k, MAX_COORDS))
		return 0;
	for (i = 0; i < k; i++) {
		double x;
		if (!parse_double(items[i], &x) || x < 0 || x != floor(x) || x >= (double)n)
			return 0;
		out[i] = (size_t)x;
	}
	*nout = k;
	return 1;
}

static enum MHD_Result osrm_table(req *r, unsigned mask, const char *coord_text)
{
	mr_server *s = r->s;
	coords c;
	mr_place pl[MAX_COORDS];
	size_t src[MAX_COORDS], dst[MAX_COORDS], ns, nd, i, j;
	const char *v, *bad;
	int want_dur = 1, want_dist = 0, done, rc;
	mr_route_opts o;
	mr_router *rt;
	json_t *root, *durs = NULL, *dists = NULL, *a;

	mr_route_opts_default(&o);
	o.mode_mask = mask;
	if ((v = arg(r, "annotations"))) {
		if (strcmp(v, "duration") == 0)
			want_dur = 1, want_dist = 0;
		else if (strcmp(v, "distance") == 0)
			want_dur = 0, want_dist = 1;
		else if (strcmp(v, "duration,distance") == 0 || strcmp(v, "distance,duration") == 0)
			want_dur = want_dist = 1;
		else
			return fail(r, 400, "InvalidValue", "annotations", "parameter 'annotations': duration, distance or duration,distance");
	}
	if ((v = arg(r, "by")) && (o.objective = mr_objective_parse(v)) < 0)
		return fail(r, 400, "InvalidValue", "by", "parameter 'by': unknown objective '%s'", v);
	rc = parse_coords(coord_text, &c);
	if (rc == 2)
		return fail(r, 413, "TooBig", "coordinates", "at most %d coordinates", MAX_COORDS);
	if (rc || c.n < 1)
		return fail(r, 400, "InvalidQuery", "coordinates", "expected lon,lat pairs separated by ';'");
	if (!parse_index_list((v = arg(r, "sources")) ? v : "all", c.n, src, &ns))
		return fail(r, 400, "InvalidValue", "sources", "parameter 'sources': indexes of the coordinates separated by ';', or all");
	if (!parse_index_list((v = arg(r, "destinations")) ? v : "all", c.n, dst, &nd))
		return fail(r, 400, "InvalidValue", "destinations",
		            "parameter 'destinations': indexes of the coordinates separated by ';', or all");
	mark_ignored(r, &bad);
	if (bad)
		return fail(r, 400, "InvalidValue", bad, "parameter '%s': not a valid value", bad);
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s'", bad);
	if (ns * nd > MAX_CELLS)
		return fail(r, 413, "TooBig", "coordinates", "%zu x %zu cells: at most %d", ns, nd, MAX_CELLS);
	if (snap_all(r, &c, mask, pl, &done) != MHD_YES || done)
		return done ? MHD_YES : MHD_NO;
	if (!(rt = base_router(s)))
		return fail(r, 503, "Unavailable", NULL, "out of memory");
	root = json_object();
	if (want_dur)
		durs = json_array();
	if (want_dist)
		dists = json_array();
	for (i = 0; i < ns; i++) {
		json_t *rd = want_dur ? json_array() : NULL, *rk = want_dist ? json_array() : NULL;
		for (j = 0; j < nd; j++) {
			uint32_t p[2] = {pl[src[i]].node, pl[dst[j]].node};
			mr_route route;
			mr_error e;
			json_t *dv = NULL, *kv = NULL;
			if (p[0] == p[1]) {
				dv = json_real(0);
				kv = json_real(0);
			} else {
				mr_error_clear(&e);
				rc = mr_router_route(rt, p, 2, &o, &route, &e);
				if (rc == MR_OK) {
					dv = json_real(round(route.duration_h * 3600.0 * 10) / 10);
					kv = json_real(round(route.distance_km * 1000.0 * 10) / 10);
					mr_route_free(&route);
				} else if (rc != MR_ENOROUTE) {
					json_decref(rd);
					json_decref(rk);
					json_decref(root);
					json_decref(durs);
					json_decref(dists);
					return fail(r, status_of(rc), code_of(rc), NULL, "%s", e.msg);
				}
			}
			if (rd)
				json_array_append_new(rd, dv ? dv : json_null());
			else
				json_decref(dv);
			if (rk)
				json_array_append_new(rk, kv ? kv : json_null());
			else
				json_decref(kv);
		}
		if (rd)
			json_array_append_new(durs, rd);
		if (rk)
			json_array_append_new(dists, rk);
	}
	json_object_set_new(root, "code", json_string("Ok"));
	if (durs)
		json_object_set_new(root, "durations", durs);
	if (dists)
		json_object_set_new(root, "distances", dists);
	a = json_array();
	for (i = 0; i < ns; i++)
		json_array_append_new(a, waypoint(s->o.net, &pl[src[i]]));
	json_object_set_new(root, "sources", a);
	a = json_array();
	for (j = 0; j < nd; j++)
		json_array_append_new(a, waypoint(s->o.net, &pl[dst[j]]));
	json_object_set_new(root, "destinations", a);
	return respond_json(r, 200, root);
}

typedef struct near {
	double km;
	uint32_t node;
} near;

static int near_cmp(const void *a, const void *b)
{
	const near *x = a, *y = b;
	return x->km < y->km ? -1 : x->km > y->km ? 1 : (x->node > y->node) - (x->node < y->node);
}

static enum MHD_Result osrm_nearest(req *r, unsigned mask, const char *coord_text)
{
	const mr_net *net = r->s->o.net;
	coords c;
	const char *v, *bad;
	size_t number = 1, i, nn = 0;
	near *v_near;
	json_t *root, *wps;
	int rc;
	if ((v = arg(r, "number"))) {
		double x;
		if (!parse_double(v, &x) || x < 1 || x != floor(x))
			return fail(r, 400, "InvalidValue", "number", "parameter 'number': a whole number >= 1");
		if (x > 100)
			return fail(r, 413, "TooBig", "number", "parameter 'number': at most 100");
		number = (size_t)x;
	}
	mark_ignored(r, &bad);
	if (bad)
		return fail(r, 400, "InvalidValue", bad, "parameter '%s': not a valid value", bad);
	if (unknown_param(r, &bad))
		return fail(r, 400, "InvalidOptions", bad, "unknown parameter '%s'", bad);
	rc = parse_coords(coord_text, &c);
	if (rc || c.n != 1)
		return fail(r, 400, "InvalidQuery", "coordinates", "expected one lon,lat pair");
	if (!(v_near = mr_malloc(((size_t)net->meta.nnodes + 1) * sizeof(near))))
		return fail(r, 503, "Unavailable", NULL, "out of memory");
	for (i = 0; i < net->meta.nnodes; i++) {
		const mr_node_rec *n = &net->nodes[i];
		if (!n->nvnodes || (mask && !(node_modes(net, (uint32_t)i) & mask)))
			continue;
		v_near[nn].node = (uint32_t)i;
		v_near[nn].km = mr_geo_distance_km(c.lon[0], c.lat[0], n->lon, n->lat);
		nn++;
	}
	qsort(v_near, nn, sizeof(near), near_cmp);
	if (!nn || v_near[0].km > SNAP_KM) {
		mr_free(v_near);
		return fail(r, 400, "NoSegment", "coordinates", "no usable node of the profile within %.0f km", SNAP_KM);
	}
	root = json_object();
	wps = json_array();
	for (i = 0; i < nn && i < number; i++) {
		mr_place p;
		json_t *w, *nodes = json_array();
		p.node = v_near[i].node;
		p.snap_km = v_near[i].km;
		w = waypoint(net, &p);
		json_array_append_new(nodes, json_integer(v_near[i].node));
		json_object_set_new(w, "nodes", nodes);
		json_object_set_new(w, "meridian_id", json_string(mr_net_str(net, net->nodes[v_near[i].node].id)));
		json_array_append_new(wps, w);
	}
	mr_free(v_near);
	json_object_set_new(root, "code", json_string("Ok"));
	json_object_set_new(root, "waypoints", wps);
	return respond_json(r, 200, root);
}

/* /{service}/{version}/{profile}/{coordinates} */
static enum MHD_Result osrm(req *r, const char *path)
{
	char buf[MAX_URL + 1], *parts[4], *p;
	size_t n = 0;
	unsigned mask;
	snprintf(buf, sizeof(buf), "%s", path + 1);
	for (p = buf; n < 4;) {
		char *slash = (n < 3) ? strchr(p, '/') : NULL;
		parts[n++] = p;
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	if (n < 4 || !*parts[3])
		return fail(r, 400, "InvalidUrl", NULL, "expected /{service}/v1/{profile}/{coordinates}");
	if (strcmp(parts[0], "route") != 0 && strcmp(parts[0], "table") != 0 && strcmp(parts[0], "nearest") != 0) {
		if (strcmp(parts[0], "match") == 0 || strcmp(parts[0], "trip") == 0 || strcmp(parts[0], "tile") == 0)
			return fail(r, 501, "NotImplemented", NULL, "service '%s' is not implemented (route, table, nearest are)", parts[0]);
		return fail(r, 400, "InvalidService", NULL, "unknown service '%s' (route, table, nearest)", parts[0]);
	}
	if (strcmp(parts[1], "v1") != 0)
		return fail(r, 400, "InvalidVersion", NULL, "unknown version '%s' (v1)", parts[1]);
	if (!profile_mask(parts[2], &mask))
		return fail(r, 400, "InvalidOptions", "profile", "unknown profile '%s' (sea, rail, road, multimodal)", parts[2]);
	{
		/* OSRM allows a format suffix on the coordinates: only .json */
		size_t len = strlen(parts[3]);
		if (len > 5 && strcmp(parts[3] + len - 5, ".json") == 0)
			parts[3][len - 5] = '\0';
	}
	if (parts[0][0] == 'r')
		return osrm_route(r, mask, parts[3]);
	if (parts[0][0] == 't')
		return osrm_table(r, mask, parts[3]);
	return osrm_nearest(r, mask, parts[3]);
}

/* ---- static files ---- */

static const char *mime_of(const char *name)
{
	static const char *const map[][2] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"}, {".png", "image/png"}, {".svg", "image/svg+xml"},
		{".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
		{".woff2", "font/woff2"}};
	const char *dot = strrchr(name, '.');
	size_t i;
	for (i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(dot, map[i][0]) == 0)
			return map[i][1];
	return "application/octet-stream";
}

static int load_dir(mr_server *s, const char *root, const char *rel, int depth, size_t *total, mr_error *err)
{
	char dir[4096];
	DIR *d;
	struct dirent *de;
	int rc = MR_OK;
	snprintf(dir, sizeof(dir), "%s%s", root, rel);
	if (!(d = opendir(dir)))
		return mr_error_set(err, MR_EIO, dir, 0, 0, NULL, "cannot read the web folder: %s", strerror(errno));
	while (!rc && (de = readdir(d))) {
		char full[8192], relp[4096];
		struct stat st;
		if (de->d_name[0] == '.')
			continue; /* no hidden files, no . or .. */
		snprintf(relp, sizeof(relp), "%s/%s", rel, de->d_name);
		snprintf(full, sizeof(full), "%s%s", root, relp);
		if (lstat(full, &st) != 0 || S_ISLNK(st.st_mode))
			continue; /* symbolic links are not followed */
		if (S_ISDIR(st.st_mode)) {
			if (depth < 6)
				rc = load_dir(s, root, relp, depth + 1, total, err);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (*total + (size_t)st.st_size > MAX_WEB_BYTES) {
			rc = mr_error_set(err, MR_ELIMIT, full, 0, 0, NULL, "the web folder holds more than %u MB", MAX_WEB_BYTES >> 20);
			break;
		}
		{
			FILE *f = fopen(full, "rb");
			static_file *v;
			char *data;
			if (!f) {
				rc = mr_error_set(err, MR_EIO, full, 0, 0, NULL, "cannot read: %s", strerror(errno));
				break;
			}
			data = mr_malloc((size_t)st.st_size + 1);
			v = mr_realloc(s->files, (s->nfiles + 1) * sizeof(static_file));
			if (v)
				s->files = v;
			if (!data || !v || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
				rc = data && v ? mr_error_set(err, MR_EIO, full, 0, 0, NULL, "cannot read") : MR_ENOMEM;
				mr_free(data);
				fclose(f);
				break;
			}
			fclose(f);
			s->files[s->nfiles].path = mr_strdup(relp);
			s->files[s->nfiles].data = data;
			s->files[s->nfiles].len = (size_t)st.st_size;
			s->files[s->nfiles].mime = mime_of(de->d_name);
			if (!s->files[s->nfiles].path) {
				mr_free(data);
				rc = MR_ENOMEM;
				break;
			}
			s->nfiles++;
			*total += (size_t)st.st_size;
		}
	}
	closedir(d);
	return rc;
}

static enum MHD_Result serve_static(req *r, const char *path)
{
	size_t i;
	const char *want = strcmp(path, "/") == 0 ? "/index.html" : path;
	for (i = 0; i < r->s->nfiles; i++)
		if (strcmp(r->s->files[i].path, want) == 0)
			return respond(r, 200, r->s->files[i].mime, r->s->files[i].data, r->s->files[i].len, 0);
	return fail(r, 404, "NotFound", NULL, "no such page or endpoint: %s", path);
}

/* ---- dispatch ---- */

static enum MHD_Result method_not_allowed(req *r, const char *method)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
	                 "{\"code\":\"MethodNotAllowed\",\"message\":\"method %.40s: only GET, HEAD and OPTIONS\"}", method);
	char *copy = mr_malloc((size_t)n + 1);
	struct MHD_Response *resp;
	enum MHD_Result ok;
	if (!copy)
		return MHD_NO;
	memcpy(copy, body, (size_t)n + 1);
	resp = MHD_create_response_from_buffer_with_free_callback((size_t)n, copy, free_buf);
	if (!resp) {
		mr_free(copy);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
	if (r->s->o.cors_origin)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, r->s->o.cors_origin);
	ok = MHD_queue_response(r->c, 405, resp);
	MHD_destroy_response(resp);
	access_log(r, 405, (size_t)n);
	return ok;
}

/* An OSRM-shaped path: /{service}/v{N}/{profile}/{coordinates}. */
static int osrm_shaped(const char *url)
{
	const char *p = url + 1, *q = strchr(p, '/');
	int slashes = 0;
	for (; *p; p++)
		slashes += *p == '/';
	return q && q[1] == 'v' && q[2] >= '0' && q[2] <= '9' && slashes >= 3;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	mr_server *s = cls;
	req *r;
	enum MHD_Result ret;
	static int marker;
	(void)version;
	(void)upload;
	if (!*con_cls) { /* first call: the headers only; answer on a later call, once the request is
	                  * read (answering now would make libmicrohttpd close the connection) */
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size) { /* a body: discard it, answer once it is read */
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&s->requests, 1);
	if (!(r = mr_calloc(1, sizeof(*r))))
		return MHD_NO;
	r->s = s;
	r->c = c;
	r->method = method;
	r->url = url;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, r);
	if (strlen(url) + r->query_len > MAX_URL)
		ret = fail(r, 414, "TooBig", NULL, "the URL is longer than %d bytes", MAX_URL);
	else if (r->too_many)
		ret = fail(r, 413, "TooBig", NULL, "more than %d query parameters", MAX_PARAMS);
	else if (strcmp(method, "OPTIONS") == 0) {
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (!resp) {
			mr_free(r);
			return MHD_NO;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
		if (s->o.cors_origin) {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, s->o.cors_origin);
			MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
			MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Content-Type");
			MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
		}
		ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, resp);
		MHD_destroy_response(resp);
		access_log(r, 204, 0);
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		ret = method_not_allowed(r, method);
	} else if (strcmp(url, "/health") == 0) {
		ret = health(r);
	} else if (strcmp(url, "/api/v1/route") == 0) {
		ret = api_route(r);
	} else if (strcmp(url, "/api/v1/compare") == 0) {
		ret = api_compare(r);
	} else if (strcmp(url, "/api/v1/places") == 0) {
		ret = api_places(r);
	} else if (strcmp(url, "/api/v1/scenarios") == 0) {
		ret = api_list(r, 0);
	} else if (strcmp(url, "/api/v1/corridors") == 0) {
		ret = api_list(r, 1);
	} else if (strcmp(url, "/api/v1/network") == 0) {
		ret = api_network(r);
	} else if (strncmp(url, "/api/", 5) == 0) {
		ret = fail(r, 404, "NotFound", NULL, "no such endpoint: %s", url);
	} else if (strncmp(url, "/route/", 7) == 0 || strncmp(url, "/table/", 7) == 0 || strncmp(url, "/nearest/", 9) == 0 ||
	           strncmp(url, "/match/", 7) == 0 || strncmp(url, "/trip/", 6) == 0 || strncmp(url, "/tile/", 6) == 0 ||
	           osrm_shaped(url)) {
		ret = osrm(r, url);
	} else {
		ret = serve_static(r, url);
	}
	mr_free(r);
	return ret;
}

/* Percent-decoding of the path and the parameters, as libmicrohttpd's own but for %00: a NUL
 * would cut the text short and let "x%00.html" look like "x", so it stays "%00" (and then names
 * no file and no valid value). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *str)
{
	char *r = str, *w = str;
	(void)cls;
	(void)c;
	while (*r) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
			char hex[3] = {r[1], r[2], 0};
			long v = strtol(hex, NULL, 16);
			if (v != 0) {
				*w++ = (char)v;
				r += 3;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - str);
}

/* ---- start and stop ---- */

static int load_scenarios(mr_server *s, const char *dir, mr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = MR_OK;
	if (!d)
		return mr_error_set(err, MR_EIO, dir, 0, 0, NULL, "cannot read the scenario folder: %s", strerror(errno));
	while ((de = readdir(d))) {
		char path[8192];
		size_t n = strlen(de->d_name);
		mr_scenario **v, *sc;
		if (n <= 4 || strcmp(de->d_name + n - 4, ".scn") != 0 || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((rc = mr_scenario_read(path, &sc, err)))
			break;
		{
			/* every shipped scenario must apply to this network: check once, here */
			mr_scenario_net sn;
			if ((rc = mr_scenario_apply(s->o.net, &sc, 1, &sn, err))) {
				mr_scenario_free(sc);
				break;
			}
			mr_scenario_net_free(&sn);
		}
		if (!(v = mr_realloc(s->scn, (s->nscn + 1) * sizeof(*v)))) {
			mr_scenario_free(sc);
			rc = MR_ENOMEM;
			break;
		}
		s->scn = v;
		s->scn[s->nscn++] = sc;
	}
	closedir(d);
	return rc;
}

static void server_free(mr_server *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->nfiles; i++) {
		mr_free(s->files[i].path);
		mr_free(s->files[i].data);
	}
	mr_free(s->files);
	for (i = 0; i < s->nscn; i++)
		mr_scenario_free(s->scn[i]);
	mr_free(s->scn);
	for (i = 0; i < s->nplaces; i++)
		mr_free(s->places[i].keys);
	mr_free(s->places);
	for (i = 0; i < CACHE_SLOTS; i++)
		if (s->cache[i].valid)
			mr_scenario_net_free(&s->cache[i].sn);
	mr_ch_free(s->ch);
	pthread_mutex_destroy(&s->log_mu);
	pthread_mutex_destroy(&s->cache_mu);
	pthread_key_delete(s->router_key);
	mr_free(s);
}

/* The hierarchy for the default options: the common query (every mode, generalized cost, no
 * filter) then costs tens of microseconds; any other options use the exact searches (and
 * hierarchies stored with the network for the options they were built on). Not built when the
 * network stores one on these weights: the routers use that one. */
static int build_default_ch(mr_server *s, mr_error *err)
{
	mr_router *rt;
	const double *w;
	int rc;
	mr_route_opts_default(&s->ch_opts);
	if ((rc = mr_router_new(&rt, s->o.net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, "out of memory");
	if (!(rc = mr_router_weights(rt, &s->ch_opts, &w, err)) && mr_net_ch_match(s->o.net, w, s->o.net->g.m) < 0)
		rc = mr_ch_build(&s->o.net->g, w, NULL, &s->ch, err);
	mr_router_free(rt);
	return rc;
}

int mr_server_start(const mr_server_opts *o, mr_server **out, mr_error *err)
{
	mr_server *s;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	size_t total = 0;
	int rc;

	*out = NULL;
	if (!o || !o->net)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no network to serve");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->bind ? o->bind : "127.0.0.1", &sa.sin_addr) != 1)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "bind", "'%s' is not an IPv4 address", o->bind);
	if (o->port < 0 || o->port > 65535)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "port", "%d is not a port (0-65535)", o->port);
	if (!(s = mr_calloc(1, sizeof(*s))))
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	s->o = *o;
	if (s->o.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->o.threads = n > 0 ? (int)n : 1;
	}
	if (s->o.threads > 256)
		s->o.threads = 256;
	pthread_mutex_init(&s->log_mu, NULL);
	pthread_mutex_init(&s->cache_mu, NULL);
	if (pthread_key_create(&s->router_key, router_destructor) != 0) {
		pthread_mutex_destroy(&s->log_mu);
		pthread_mutex_destroy(&s->cache_mu);
		mr_free(s);
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "no thread-specific key");
	}
	s->started = time(NULL);
	if ((rc = build_places(s)) || (rc = build_default_ch(s, err)) ||
	    (o->scenario_dir && (rc = load_scenarios(s, o->scenario_dir, err))) ||
	    (o->web_dir && (rc = load_dir(s, o->web_dir, "", 0, &total, err)))) {
		if (rc == MR_ENOMEM && err && !err->code)
			mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
		server_free(s);
		return rc;
	}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)o->port,
	                        NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	                        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->o.threads, MHD_OPTION_CONNECTION_TIMEOUT,
	                        (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_LISTENING_ADDRESS_REUSE,
	                        (unsigned)1, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_STRICT_FOR_CLIENT,
	                        (int)1, MHD_OPTION_END);
	if (!s->d) {
		rc = mr_error_set(err, MR_EIO, NULL, 0, 0, "port", "cannot listen on %s:%d: %s", o->bind ? o->bind : "127.0.0.1",
		                  o->port, errno ? strerror(errno) : "address in use or not available");
		server_free(s);
		return rc;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	*out = s;
	return MR_OK;
}

int mr_server_port(const mr_server *s)
{
	return s ? s->port : 0;
}

void mr_server_stop(mr_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	server_free(s);
}
