/* mr_scenario.c: scenario files (docs/scenarios.md) and their application to a compiled network.
 *
 * A scenario is a list of statements, kept in file order with their line numbers. Applying
 * scenarios works on copies of the links and borders (status, headway, dwell, fee) and on sets
 * of closed nodes and countries, statement by statement; then every arc is recomputed as the
 * base arc plus the differences its link and border make, by the rules of mr_build.c:
 *   time  += (new headway - old headway) / 2 + (new dwell - old dwell) + delays
 *            + length / new speed - length / old speed
 *   cost  += sum over the link's two halves of half x rate(mode, country) x (tariff factor - 1)
 *            + (new fee - old fee)
 *   co2e  += the same with the emission factors
 *   status = the link's, made closed by a closed border or a closed end, restricted by a
 *            restricted border (as the build does), closed when an end node or country is closed
 * A chain arc (compressed lane) sums its links and takes the most restrictive status. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mr_text.h"
#include "io/mr_csv.h"
#include "core/mr_geo.h"
#include "meridian/mr_scenario.h"

#define SCN_MAX_FILE (1u << 20)

enum verb { V_CLOSE, V_OPEN, V_TARIFF, V_EMISSIONS, V_DWELL, V_FEE, V_SAILINGS, V_DELAY, V_SPEED, V_VOT, V_COUNT };
static const char *const verb_names[V_COUNT] = {"close", "open",  "tariff", "emissions", "dwell",
                                                "fee",   "sailings", "delay", "speed", "vot"};

enum target { T_NONE = -1, T_LINK, T_NODE, T_BORDER, T_PASSAGE, T_COUNTRY, T_COUNT };
static const char *const target_names[T_COUNT] = {"link", "node", "border", "passage", "country"};

typedef struct scn_op {
	int verb, target; /* target: what `list` names (T_NONE: every one) */
	char *list;       /* comma-separated names, owned; NULL with T_NONE */
	int mode;         /* -1: every mode */
	char country[4];  /* "": every country */
	double factor;    /* NAN when not given */
	double value;     /* hours, usd, per_week, kmh, usd_per_h; NAN when not given */
	long line;
} scn_op;

struct mr_scenario {
	char *id, *path, *description;
	scn_op *ops;
	size_t nops, cap;
};

const char *mr_scenario_id(const mr_scenario *s) { return s->id; }
const char *mr_scenario_description(const mr_scenario *s) { return s->description ? s->description : ""; }
const char *mr_scenario_path(const mr_scenario *s) { return s->path; }
size_t mr_scenario_nops(const mr_scenario *s) { return s->nops; }

void mr_scenario_free(mr_scenario *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->nops; i++)
		mr_free(s->ops[i].list);
	mr_free(s->ops);
	mr_free(s->id);
	mr_free(s->path);
	mr_free(s->description);
	mr_free(s);
}

/* ---- parsing ---- */

/* A plain decimal number, the dialect of every Meridian CSV file (no hex, inf or nan). */
static int parse_number(const char *s, double *out)
{
	return mr__csv_number(s, out) == 1;
}

static int is_country(const char *s)
{
	return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	       isupper((unsigned char)s[2]);
}

/* A comma-separated list of names: no empty item, no space inside. */
static int list_ok(const char *s)
{
	const char *p;
	if (!*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return 0;
	for (p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == '=')
			return 0;
	return 1;
}

/* Which fields each verb takes: bit per field below. */
enum field { F_LINK, F_NODE, F_BORDER, F_PASSAGE, F_COUNTRY, F_MODE, F_FACTOR, F_HOURS, F_USD, F_PER_WEEK,
	     F_KMH, F_USD_PER_H, F_COUNT };
static const char *const field_names[F_COUNT] = {"link",   "node",  "border", "passage",  "country", "mode",
                                                 "factor", "hours", "usd",    "per_week", "kmh",     "usd_per_h"};
#define B(f) (1u << (f))
static const unsigned verb_fields[V_COUNT] = {
	[V_CLOSE] = B(F_LINK) | B(F_NODE) | B(F_BORDER) | B(F_PASSAGE) | B(F_COUNTRY),
	[V_OPEN] = B(F_LINK) | B(F_NODE) | B(F_BORDER) | B(F_PASSAGE) | B(F_COUNTRY),
	[V_TARIFF] = B(F_MODE) | B(F_COUNTRY) | B(F_FACTOR),
	[V_EMISSIONS] = B(F_MODE) | B(F_COUNTRY) | B(F_FACTOR),
	[V_DWELL] = B(F_BORDER) | B(F_COUNTRY) | B(F_HOURS) | B(F_FACTOR),
	[V_FEE] = B(F_BORDER) | B(F_COUNTRY) | B(F_USD) | B(F_FACTOR),
	[V_SAILINGS] = B(F_LINK) | B(F_MODE) | B(F_COUNTRY) | B(F_PER_WEEK) | B(F_FACTOR),
	[V_DELAY] = B(F_LINK) | B(F_HOURS),
	[V_SPEED] = B(F_LINK) | B(F_KMH) | B(F_FACTOR),
	[V_VOT] = B(F_USD_PER_H),
};

static void fields_text(unsigned mask, char *buf, size_t size)
{
	size_t n = 0;
	int f;
	buf[0] = '\0';
	for (f = 0; f < F_COUNT; f++)
		if (mask & B(f)) {
			int k = snprintf(buf + n, size - n, "%s%s=", n ? ", " : "", field_names[f]);
			if (k < 0 || (size_t)k >= size - n)
				break;
			n += (size_t)k;
		}
}

static int parse_statement(mr_scenario *s, char *text, long line, mr_error *err)
{
	const char *path = s->path;
	char *tok, *save = NULL, *vals[F_COUNT] = {0};
	scn_op op;
	unsigned seen = 0, allowed;
	int v, f;

	tok = strtok_r(text, " \t", &save);
	for (v = 0; v < V_COUNT; v++)
		if (strcmp(tok, verb_names[v]) == 0)
			break;
	if (v == V_COUNT)
		return mr_error_set(err, MR_EPARSE, path, line, 0, "statement",
		                    "unknown statement '%s' (description =, source =, close, open, tariff, emissions, "
		                    "dwell, fee, sailings, delay, speed, vot)",
		                    tok);
	allowed = verb_fields[v];
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');
		char list[160];
		if (!eq || eq == tok)
			return mr_error_set(err, MR_EPARSE, path, line, 0, verb_names[v],
			                    "'%s' is not field=value (no spaces around '=')", tok);
		*eq = '\0';
		for (f = 0; f < F_COUNT; f++)
			if (strcmp(tok, field_names[f]) == 0)
				break;
		if (f == F_COUNT || !(allowed & B(f))) {
			fields_text(allowed, list, sizeof(list));
			return mr_error_set(err, MR_EPARSE, path, line, 0, tok, "'%s' takes %s; not %s=", verb_names[v], list,
			                    tok);
		}
		if (seen & B(f))
			return mr_error_set(err, MR_EPARSE, path, line, 0, tok, "%s= given twice", tok);
		if (!eq[1])
			return mr_error_set(err, MR_EPARSE, path, line, 0, tok, "%s= has no value", tok);
		seen |= B(f);
		vals[f] = eq + 1;
	}

	memset(&op, 0, sizeof(op));
	op.verb = v;
	op.target = T_NONE;
	op.mode = -1;
	op.factor = op.value = NAN;
	op.line = line;

	/* the target of close/open, dwell, fee, sailings */
	{
		int t, ntargets = 0;
		for (t = 0; t < T_COUNT; t++) {
			if (!vals[t])
				continue;
			if (t == T_COUNTRY && v != V_CLOSE && v != V_OPEN && v != V_DWELL && v != V_FEE)
				continue; /* a filter below, not a list */
			ntargets++;
			op.target = t;
		}
		if (ntargets > 1 || (v == V_SAILINGS && vals[F_LINK] && vals[F_MODE]))
			return mr_error_set(err, MR_EPARSE, path, line, 0, verb_names[v], "'%s' takes one of %s", verb_names[v],
			                    v == V_SAILINGS ? "link= or mode=" : v == V_DWELL || v == V_FEE ? "border= or country="
			                                                                                       : "link=, node=, border=, passage=, country=");
		if (v == V_SAILINGS && vals[F_LINK] && vals[F_COUNTRY])
			return mr_error_set(err, MR_EPARSE, path, line, 0, "country",
			                    "'sailings link=' names its links: country= goes with mode=");
		if ((v == V_CLOSE || v == V_OPEN) && op.target == T_NONE)
			return mr_error_set(err, MR_EPARSE, path, line, 0, verb_names[v],
			                    "'%s' needs what to %s: link=, node=, border=, passage= or country= (comma-separated)",
			                    verb_names[v], verb_names[v]);
		if (op.target != T_NONE) {
			const char *x = vals[op.target];
			if (!list_ok(x))
				return mr_error_set(err, MR_EPARSE, path, line, 0, target_names[op.target],
				                    "'%s' is not a comma-separated list of names", x);
			if (op.target == T_COUNTRY) {
				char *buf = mr_strdup(x), *c, *sv = NULL;
				if (!buf)
					return MR_ENOMEM;
				for (c = strtok_r(buf, ",", &sv); c; c = strtok_r(NULL, ",", &sv))
					if (!is_country(c)) {
						mr_error_set(err, MR_EPARSE, path, line, 0, "country",
						             "'%s' is not an ISO 3166 alpha-3 code (e.g. IRN)", c);
						mr_free(buf);
						return MR_EPARSE;
					}
				mr_free(buf);
			}
			if (!(op.list = mr_strdup(x)))
				return MR_ENOMEM;
		}
	}
	if (vals[F_MODE] && strcmp(vals[F_MODE], "*") != 0 && (op.mode = mr_mode_parse(vals[F_MODE])) < 0)
		f = F_MODE;
	else if (vals[F_COUNTRY] && op.target != T_COUNTRY && strcmp(vals[F_COUNTRY], "*") != 0 &&
	         !is_country(vals[F_COUNTRY]))
		f = F_COUNTRY;
	else
		f = -1;
	if (f >= 0) {
		mr_free(op.list);
		return mr_error_set(err, MR_EPARSE, path, line, 0, field_names[f],
		                    f == F_MODE ? "unknown mode '%s' (sea, ferry, rail, road, iww, or *)"
		                                : "'%s' is not an ISO 3166 alpha-3 code (e.g. KAZ) or *",
		                    vals[f]);
	}
	if (vals[F_COUNTRY] && op.target != T_COUNTRY && strcmp(vals[F_COUNTRY], "*") != 0)
		memcpy(op.country, vals[F_COUNTRY], 4);

	/* the numbers */
	{
		static const int numeric[] = {F_FACTOR, F_HOURS, F_USD, F_PER_WEEK, F_KMH, F_USD_PER_H};
		size_t k;
		int have = 0;
		for (k = 0; k < sizeof(numeric) / sizeof(numeric[0]); k++) {
			double x;
			f = numeric[k];
			if (!vals[f])
				continue;
			if (!parse_number(vals[f], &x) || x < 0 || x > 1e6 ||
			    ((f == F_PER_WEEK || f == F_KMH || (f == F_FACTOR && v != V_DWELL && v != V_FEE)) && x <= 0)) {
				mr_free(op.list);
				return mr_error_set(err, MR_EPARSE, path, line, 0, field_names[f], "'%s' is not a %s number", vals[f],
				                    f == F_PER_WEEK || f == F_KMH || (f == F_FACTOR && v != V_DWELL && v != V_FEE)
				                        ? "positive"
				                        : "non-negative");
			}
			if (f == F_FACTOR)
				op.factor = x;
			else
				op.value = x;
			have++;
		}
		if (v != V_CLOSE && v != V_OPEN && have != 1) {
			static const char *const need[V_COUNT] = {
				[V_TARIFF] = "factor=", [V_EMISSIONS] = "factor=", [V_DWELL] = "hours= or factor=",
				[V_FEE] = "usd= or factor=", [V_SAILINGS] = "per_week= or factor=", [V_DELAY] = "hours=",
				[V_SPEED] = "kmh= or factor=", [V_VOT] = "usd_per_h="};
			mr_free(op.list);
			return mr_error_set(err, MR_EPARSE, path, line, 0, verb_names[v], "'%s' needs %s%s", verb_names[v],
			                    have ? "exactly one of " : "", need[v]);
		}
	}
	if ((v == V_DELAY || v == V_SPEED) && op.target != T_LINK) {
		mr_free(op.list);
		return mr_error_set(err, MR_EPARSE, path, line, 0, verb_names[v], "'%s' needs link= (which links)",
		                    verb_names[v]);
	}
	if (v == V_SAILINGS && op.target != T_LINK && op.mode < 0) {
		mr_free(op.list);
		return mr_error_set(err, MR_EPARSE, path, line, 0, "sailings",
		                    "'sailings' needs link= or mode= (which services change)");
	}
	if (s->nops == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		scn_op *p = mr_realloc(s->ops, cap * sizeof(scn_op));
		if (!p) {
			mr_free(op.list);
			return MR_ENOMEM;
		}
		s->ops = p;
		s->cap = cap;
	}
	s->ops[s->nops++] = op;
	return MR_OK;
}

static char *id_from_name(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;
	base = base ? base + 1 : name;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".scn") == 0)
		n -= 4;
	return mr_strndup(base, n);
}

int mr_scenario_parse(const char *name, const char *text, size_t len, mr_scenario **out, mr_error *err)
{
	mr_scenario *s = mr_calloc(1, sizeof(*s));
	size_t pos = 0;
	long line = 0;
	char *buf = NULL;
	int rc = MR_ENOMEM, have_statement = 0;

	*out = NULL;
	if (!s || !(s->path = mr_strdup(name)) || !(s->id = id_from_name(name)))
		goto fail;
	if (!s->id[0]) {
		rc = mr_error_set(err, MR_EINVAL, name, 0, 0, NULL, "a scenario file needs a name");
		goto fail;
	}
	if (!(buf = mr_malloc(len + 1)))
		goto fail;
	while (pos < len) {
		size_t end = pos, n;
		char *l, *eq;
		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		line++;
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos = end + 1;
		if (memchr(buf, '\0', n)) {
			rc = mr_error_set(err, MR_EPARSE, name, line, 0, NULL, "a NUL byte: not a text file");
			goto fail;
		}
		if (n && buf[n - 1] == '\r')
			buf[n - 1] = '\0';
		l = mr__trim(buf);
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (eq && (strncmp(l, "description", 11) == 0 || strncmp(l, "source", 6) == 0)) {
			char key[16];
			size_t kn = (size_t)(eq - l);
			if (kn >= sizeof(key))
				kn = sizeof(key) - 1;
			memcpy(key, l, kn);
			key[kn] = '\0';
			if (strcmp(mr__trim(key), "description") == 0) {
				char *val = mr__trim(eq + 1);
				if (s->description) {
					rc = mr_error_set(err, MR_EPARSE, name, line, 0, "description", "description given twice");
					goto fail;
				}
				if (!*val) {
					rc = mr_error_set(err, MR_EPARSE, name, line, 0, "description", "empty description");
					goto fail;
				}
				if (!(s->description = mr_strdup(val)))
					goto fail;
				continue;
			}
			if (strcmp(mr__trim(key), "source") == 0) {
				if (!*mr__trim(eq + 1)) {
					rc = mr_error_set(err, MR_EPARSE, name, line, 0, "source", "empty source");
					goto fail;
				}
				continue; /* documentation for people; kept in the file */
			}
		}
		if ((rc = parse_statement(s, l, line, err)))
			goto fail;
		have_statement = 1;
	}
	if (!have_statement) {
		rc = mr_error_set(err, MR_EPARSE, name, line, 0, NULL, "no statement: a scenario changes something");
		goto fail;
	}
	mr_free(buf);
	*out = s;
	return MR_OK;
fail:
	if (rc == MR_ENOMEM && err && !err->code)
		mr_error_set(err, MR_ENOMEM, name, line, 0, NULL, "out of memory");
	mr_free(buf);
	mr_scenario_free(s);
	return rc;
}

int mr_scenario_read(const char *path, mr_scenario **out, mr_error *err)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;
	int rc;
	*out = NULL;
	if (!f)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	if (!(text = mr_malloc(SCN_MAX_FILE + 1))) {
		fclose(f);
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
	}
	n = fread(text, 1, SCN_MAX_FILE + 1, f);
	if (ferror(f)) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
	} else if (n > SCN_MAX_FILE) {
		rc = mr_error_set(err, MR_ELIMIT, path, 0, 0, NULL, "larger than %u bytes: not a scenario", SCN_MAX_FILE);
	} else {
		rc = mr_scenario_parse(path, text, n, out, err);
	}
	fclose(f);
	mr_free(text);
	return rc;
}

/* ---- application ---- */

typedef struct applier {
	const mr_net *base;
	mr_link_rec *links;
	mr_border_rec *borders;
	uint8_t *node_closed;
	double *extra_h; /* per link: delay statements, and running time changed by speed statements */
	struct link_delta *ld; /* per link: what the scenarios change on its arcs (border aside) */
	char (*closed_countries)[4];
	size_t nclosed_countries;
	mr_scenario *const *s;
	size_t ns;
	mr_error *err;
} applier;

static int country_closed(const applier *ap, const char *c)
{
	size_t i;
	if (!c[0])
		return 0;
	for (i = 0; i < ap->nclosed_countries; i++)
		if (memcmp(ap->closed_countries[i], c, 4) == 0)
			return 1;
	return 0;
}

static int node_is_closed(const applier *ap, uint32_t n)
{
	return ap->node_closed[n] || country_closed(ap, ap->base->nodes[n].country);
}

static int country_exists(const mr_net *net, const char *c)
{
	uint32_t i;
	for (i = 0; i < net->meta.nnodes; i++)
		if (strcmp(net->nodes[i].country, c) == 0)
			return 1;
	return 0;
}

/* "link 'x' is not in the network", or with what = "passage"/"country" the fitting sentence. */
static int not_found(applier *ap, const mr_scenario *s, const scn_op *op, const char *field, const char *what,
                     const char *name)
{
	if (strcmp(what, "passage") == 0)
		return mr_error_set(ap->err, MR_ENOTFOUND, s->path, op->line, 0, field,
		                    "no link of the network runs through passage '%s'", name);
	if (strcmp(what, "country") == 0)
		return mr_error_set(ap->err, MR_ENOTFOUND, s->path, op->line, 0, field, "no node of the network is in country '%s'",
		                    name);
	return mr_error_set(ap->err, MR_ENOTFOUND, s->path, op->line, 0, field, "%s '%s' is not in the network", what,
	                    name);
}

/* Apply one name of a close/open list. */
static int apply_target(applier *ap, const mr_scenario *s, const scn_op *op, const char *name)
{
	const mr_net *net = ap->base;
	int close = op->verb == V_CLOSE, found = 0;
	uint32_t i;
	switch (op->target) {
	case T_LINK:
		for (i = 0; i < net->meta.nlinks; i++)
			if (strcmp(mr_net_str(net, net->links[i].id), name) == 0) {
				ap->links[i].status = close ? MR_STATUS_CLOSED : MR_STATUS_OPEN;
				found = 1;
			}
		return found ? MR_OK : not_found(ap, s, op, "link", "link", name);
	case T_PASSAGE:
		for (i = 0; i < net->meta.nlinks; i++)
			if (net->links[i].passage && strcmp(mr_net_str(net, net->links[i].passage), name) == 0) {
				ap->links[i].status = close ? MR_STATUS_CLOSED : MR_STATUS_OPEN;
				found = 1;
			}
		return found ? MR_OK : not_found(ap, s, op, "passage", "passage", name);
	case T_BORDER:
		for (i = 0; i < net->meta.nborders; i++)
			if (strcmp(mr_net_str(net, net->borders[i].id), name) == 0 ||
			    (net->borders[i].name && strcmp(mr_net_str(net, net->borders[i].name), name) == 0)) {
				ap->borders[i].status = close ? MR_STATUS_CLOSED : MR_STATUS_OPEN;
				found = 1;
			}
		return found ? MR_OK : not_found(ap, s, op, "border", "border", name);
	case T_NODE:
		for (i = 0; i < net->meta.nnodes; i++)
			if (strcmp(mr_net_str(net, net->nodes[i].id), name) == 0 ||
			    (net->nodes[i].unlocode && strcmp(mr_net_str(net, net->nodes[i].unlocode), name) == 0)) {
				ap->node_closed[i] = (uint8_t)close;
				found = 1;
			}
		return found ? MR_OK : not_found(ap, s, op, "node", "node", name);
	case T_COUNTRY: {
		size_t k;
		if (!country_exists(net, name))
			return not_found(ap, s, op, "country", "country", name);
		for (k = 0; k < ap->nclosed_countries; k++)
			if (memcmp(ap->closed_countries[k], name, 4) == 0)
				break;
		if (close && k == ap->nclosed_countries) {
			char(*p)[4] = mr_realloc(ap->closed_countries, (k + 1) * 4);
			if (!p)
				return MR_ENOMEM;
			ap->closed_countries = p;
			memcpy(p[k], name, 4);
			ap->nclosed_countries++;
		} else if (!close && k < ap->nclosed_countries) {
			memmove(ap->closed_countries[k], ap->closed_countries[k + 1], (ap->nclosed_countries - k - 1) * 4);
			ap->nclosed_countries--;
		}
		return MR_OK;
	}
	default:
		return MR_EINVAL;
	}
}

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t k = comma ? (size_t)(comma - p) : strlen(p);
		if (k == n && memcmp(p, name, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* A list's names that match nothing: checked for dwell/fee/sailings lists. */
static int check_list(applier *ap, const mr_scenario *s, const scn_op *op)
{
	const mr_net *net = ap->base;
	char *buf = mr_strdup(op->list), *name, *sv = NULL;
	if (!buf)
		return MR_ENOMEM;
	for (name = strtok_r(buf, ",", &sv); name; name = strtok_r(NULL, ",", &sv)) {
		uint32_t i;
		int found = 0;
		if (op->target == T_COUNTRY) {
			found = country_exists(net, name);
			if (!found) {
				not_found(ap, s, op, "country", "country", name);
				mr_free(buf);
				return MR_ENOTFOUND;
			}
			continue;
		}
		if (op->target == T_BORDER) {
			for (i = 0; i < net->meta.nborders && !found; i++)
				found = strcmp(mr_net_str(net, net->borders[i].id), name) == 0 ||
				        (net->borders[i].name && strcmp(mr_net_str(net, net->borders[i].name), name) == 0);
		} else {
			for (i = 0; i < net->meta.nlinks && !found; i++)
				found = strcmp(mr_net_str(net, net->links[i].id), name) == 0;
		}
		if (!found) {
			not_found(ap, s, op, target_names[op->target], target_names[op->target], name);
			mr_free(buf);
			return MR_ENOTFOUND;
		}
	}
	mr_free(buf);
	return MR_OK;
}

static int apply_op(applier *ap, const mr_scenario *s, const scn_op *op)
{
	const mr_net *net = ap->base;
	uint32_t i;
	int rc, touched = 0;

	if (op->country[0] && !country_exists(net, op->country))
		return not_found(ap, s, op, "country", "country", op->country);
	switch (op->verb) {
	case V_CLOSE:
	case V_OPEN: {
		char *buf = mr_strdup(op->list), *name, *sv = NULL;
		if (!buf)
			return MR_ENOMEM;
		for (name = strtok_r(buf, ",", &sv); name; name = strtok_r(NULL, ",", &sv))
			if ((rc = apply_target(ap, s, op, name)))
				break;
		mr_free(buf);
		return rc;
	}
	case V_DWELL:
	case V_FEE:
		if (op->target != T_NONE && (rc = check_list(ap, s, op)))
			return rc;
		for (i = 0; i < net->meta.nborders; i++) {
			mr_border_rec *b = &ap->borders[i];
			float *x = op->verb == V_DWELL ? &b->dwell_h : &b->fee_usd;
			if (op->target == T_BORDER) {
				if (!in_list(op->list, mr_net_str(net, b->id)) &&
				    !(b->name && in_list(op->list, mr_net_str(net, b->name))))
					continue;
			} else if (op->target == T_COUNTRY) {
				/* once per border, even when it joins two of the listed countries */
				if (!in_list(op->list, b->country_a) && !in_list(op->list, b->country_b))
					continue;
			}
			*x = (float)(isnan(op->factor) ? op->value : *x * op->factor);
			touched = 1;
		}
		if (!touched)
			return mr_error_set(ap->err, MR_ENOTFOUND, s->path, op->line, 0, "country", "no border touches %s",
			                    op->list ? op->list : "any country");
		return MR_OK;
	case V_SAILINGS:
		if (op->target == T_LINK && (rc = check_list(ap, s, op)))
			return rc;
		for (i = 0; i < net->meta.nlinks; i++) {
			mr_link_rec *l = &ap->links[i];
			if (op->target == T_LINK) {
				if (!in_list(op->list, mr_net_str(net, l->id)))
					continue;
			} else {
				const char *cf = net->nodes[l->from].country, *ct = net->nodes[l->to].country;
				if (l->mode != op->mode || !(l->headway_h > 0))
					continue;
				if (op->country[0] && strcmp(cf, op->country) != 0 && strcmp(ct, op->country) != 0 &&
				    strcmp(l->country, op->country) != 0)
					continue;
			}
			if (!isnan(op->factor)) {
				if (l->headway_h > 0)
					l->headway_h = (float)(l->headway_h / op->factor);
			} else {
				l->headway_h = (float)(168.0 / op->value);
			}
			touched = 1;
		}
		if (!touched && op->target != T_LINK)
			return mr_error_set(ap->err, MR_ENOTFOUND, s->path, op->line, 0, op->country[0] ? "country" : "mode",
			                    "no scheduled %s service%s%s in the network", mr_mode_name(op->mode),
			                    op->country[0] ? " touches " : "", op->country);
		return MR_OK;
	case V_DELAY:
	case V_SPEED:
		if ((rc = check_list(ap, s, op)))
			return rc;
		for (i = 0; i < net->meta.nlinks; i++) {
			mr_link_rec *l = &ap->links[i];
			double speed;
			if (!in_list(op->list, mr_net_str(net, l->id)))
				continue;
			if (op->verb == V_DELAY) {
				ap->extra_h[i] += op->value;
				continue;
			}
			speed = isnan(op->factor) ? op->value : (double)l->speed_kmh * op->factor;
			ap->extra_h[i] += (double)l->length_km / speed - (double)l->length_km / (double)l->speed_kmh;
			l->speed_kmh = (float)speed;
		}
		return MR_OK;
	default: /* tariff, emissions, vot: read when the arcs are recomputed */
		return MR_OK;
	}
}

/* Product of the factors of every tariff (or emissions) statement that matches mode and country. */
static double factor_for(const applier *ap, int verb, int mode, const char *country)
{
	double f = 1.0;
	size_t i, k;
	for (i = 0; i < ap->ns; i++)
		for (k = 0; k < ap->s[i]->nops; k++) {
			const scn_op *op = &ap->s[i]->ops[k];
			if (op->verb != verb || (op->mode >= 0 && op->mode != mode) ||
			    (op->country[0] && strcmp(op->country, country) != 0))
				continue;
			f *= op->factor;
		}
	return f;
}

typedef struct link_delta {
	double time, cost, co2;
} link_delta;

/* What the scenarios change on one link's arcs, border aside. */
static link_delta delta_of(const applier *ap, uint32_t li, int any_factor)
{
	const mr_net *net = ap->base;
	const mr_link_rec *old = &net->links[li], *nw = &ap->links[li];
	link_delta d = {0, 0, 0};
	d.time = ((double)nw->headway_h - (double)old->headway_h) / 2.0 + ap->extra_h[li];
	if (any_factor) {
		const char *c[2];
		double half = (double)old->length_km / 2.0;
		int k;
		c[0] = old->country[0] ? old->country : net->nodes[old->from].country;
		c[1] = old->country[0] ? old->country : net->nodes[old->to].country;
		for (k = 0; k < 2; k++) {
			const mr_tariff_rec *t = mr_net_tariff(net, old->mode, c[k]);
			if (!t)
				continue;
			d.cost += half * t->usd_per_teu_km * (factor_for(ap, V_TARIFF, old->mode, c[k]) - 1.0);
			d.co2 += half * t->co2e_kg_per_teu_km * (factor_for(ap, V_EMISSIONS, old->mode, c[k]) - 1.0);
		}
	}
	return d;
}

/* How restrictive a status is, for a chain of links: the chain takes its worst. */
static int severity(int st)
{
	switch (st) {
	case MR_STATUS_CLOSED:
		return 3;
	case MR_STATUS_PLANNED:
		return 2;
	case MR_STATUS_RESTRICTED:
		return 1;
	default:
		return 0;
	}
}

static int link_closed_by_country(const applier *ap, const mr_link_rec *l)
{
	return ap->nclosed_countries && country_closed(ap, l->country);
}

static void recompute_arcs(applier *ap, mr_arc_rec *arcs)
{
	const mr_net *net = ap->base;
	const mr_graph *g = &net->g;
	int any_factor = 0;
	size_t i, k;
	uint32_t v, a;

	for (i = 0; i < ap->ns; i++)
		for (k = 0; k < ap->s[i]->nops; k++)
			any_factor |= ap->s[i]->ops[k].verb == V_TARIFF || ap->s[i]->ops[k].verb == V_EMISSIONS;
	/* each link's difference once (a link has up to two arcs and may be in a chain) */
	if (ap->ld)
		for (i = 0; i < net->meta.nlinks; i++)
			ap->ld[i] = delta_of(ap, (uint32_t)i, any_factor);
	for (v = 0; v < g->n; v++) {
		int tail_closed = node_is_closed(ap, net->vnodes[v].node);
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			const mr_arc_rec *o = &net->arcs[a];
			mr_arc_rec *x = &arcs[a];
			link_delta d = {0, 0, 0};
			int status = o->status;
			*x = *o;
			if (o->kind == MR_ARC_LINK) {
				const mr_link_rec *l = &ap->links[o->ref];
				d = ap->ld ? ap->ld[o->ref] : delta_of(ap, o->ref, any_factor);
				status = l->status;
				if (o->border != MR_NONE) {
					const mr_border_rec *ob = &net->borders[o->border], *nb = &ap->borders[o->border];
					d.time += (double)nb->dwell_h - (double)ob->dwell_h;
					d.cost += (double)nb->fee_usd - (double)ob->fee_usd;
					if (nb->status == MR_STATUS_CLOSED)
						status = MR_STATUS_CLOSED;
					else if (nb->status == MR_STATUS_RESTRICTED && status == MR_STATUS_OPEN)
						status = MR_STATUS_RESTRICTED;
				}
				if (link_closed_by_country(ap, l))
					status = MR_STATUS_CLOSED;
			} else if (o->kind == MR_ARC_CHAIN) {
				uint32_t q;
				status = MR_STATUS_OPEN;
				for (q = net->chain_first[o->ref]; q < net->chain_first[o->ref + 1]; q++) {
					uint32_t li = MR_CHAIN_LINK(net->chain_steps[q]);
					link_delta e = ap->ld ? ap->ld[li] : delta_of(ap, li, any_factor);
					d.time += e.time;
					d.cost += e.cost;
					d.co2 += e.co2;
					if (severity(ap->links[li].status) > severity(status))
						status = ap->links[li].status;
					if (link_closed_by_country(ap, &ap->links[li]) || node_is_closed(ap, ap->links[li].from) ||
					    node_is_closed(ap, ap->links[li].to))
						status = MR_STATUS_CLOSED; /* an inner lane vertex closed closes the chain */
				}
			}
			if (tail_closed || node_is_closed(ap, net->vnodes[g->head[a]].node))
				status = MR_STATUS_CLOSED;
			x->status = (uint8_t)status;
			x->time_h = (float)((double)o->time_h + d.time);
			x->cost_usd = (float)((double)o->cost_usd + d.cost);
			x->co2e_kg = (float)((double)o->co2e_kg + d.co2);
		}
	}
}

static void recompute_astar(mr_net *net)
{
	const mr_graph *g = &net->g;
	double r[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
	uint32_t v, a;
	int k;
	for (v = 0; v < g->n; v++)
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			double c = mr_geo_arc_lb_km(net->vxyz + 3 * (size_t)v, net->vxyz + 3 * (size_t)g->head[a]);
			double met[4] = {net->arcs[a].distance_km, net->arcs[a].time_h, net->arcs[a].cost_usd,
			                 net->arcs[a].co2e_kg};
			if (c < 1e-6)
				continue;
			for (k = 0; k < 4; k++)
				r[k] = fmin(r[k], met[k] / c);
		}
	for (k = 0; k < 4; k++)
		net->meta.astar_ratio[k] = isfinite(r[k]) ? r[k] * (1.0 - 1e-9) : 0.0;
}

void mr_scenario_net_free(mr_scenario_net *sn)
{
	if (!sn)
		return;
	mr_free(sn->arcs_);
	mr_free(sn->links_);
	mr_free(sn->borders_);
	memset(sn, 0, sizeof(*sn));
}

int mr_scenario_apply(const mr_net *base, mr_scenario *const *s, size_t n, mr_scenario_net *out, mr_error *err)
{
	applier ap;
	size_t i, k;
	int rc = MR_ENOMEM;

	memset(out, 0, sizeof(*out));
	memset(&ap, 0, sizeof(ap));
	out->vot_usd_per_h = NAN;
	ap.base = base;
	ap.s = s;
	ap.ns = n;
	ap.err = err;
	out->arcs_ = mr_malloc(((size_t)base->meta.narcs + 1) * sizeof(mr_arc_rec));
	out->links_ = mr_malloc(((size_t)base->meta.nlinks + 1) * sizeof(mr_link_rec));
	out->borders_ = mr_malloc(((size_t)base->meta.nborders + 1) * sizeof(mr_border_rec));
	ap.node_closed = mr_calloc((size_t)base->meta.nnodes + 1, 1);
	ap.extra_h = mr_calloc((size_t)base->meta.nlinks + 1, sizeof(double));
	ap.ld = mr_malloc(((size_t)base->meta.nlinks + 1) * sizeof(link_delta));
	if (!out->arcs_ || !out->links_ || !out->borders_ || !ap.node_closed || !ap.extra_h || !ap.ld)
		goto fail;
	memcpy(out->links_, base->links, (size_t)base->meta.nlinks * sizeof(mr_link_rec));
	memcpy(out->borders_, base->borders, (size_t)base->meta.nborders * sizeof(mr_border_rec));
	ap.links = out->links_;
	ap.borders = out->borders_;
	for (i = 0; i < n; i++)
		for (k = 0; k < s[i]->nops; k++) {
			const scn_op *op = &s[i]->ops[k];
			if ((rc = apply_op(&ap, s[i], op)))
				goto fail;
			if (op->verb == V_VOT)
				out->vot_usd_per_h = op->value;
		}
	recompute_arcs(&ap, out->arcs_);
	out->net = *base;
	out->net.arcs = out->arcs_;
	out->net.links = out->links_;
	out->net.borders = out->borders_;
	out->net.map = NULL;
	out->net.map_size = 0;
	out->net.mapped = 0;
	out->net.path = NULL;
	recompute_astar(&out->net);
	mr_free(ap.node_closed);
	mr_free(ap.extra_h);
	mr_free(ap.ld);
	mr_free(ap.closed_countries);
	return MR_OK;
fail:
	if (rc == MR_ENOMEM && err && !err->code)
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory applying scenarios");
	mr_free(ap.node_closed);
	mr_free(ap.extra_h);
	mr_free(ap.ld);
	mr_free(ap.closed_countries);
	mr_scenario_net_free(out);
	out->vot_usd_per_h = NAN;
	return rc;
}
