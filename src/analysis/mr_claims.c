/* mr_claims.c: published claims and their check against a comparison (see mr_claims.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mr_geo.h"
#include "core/mr_text.h"
#include "io/mr_csv.h"
#include "meridian/mr_claims.h"
#include "meridian/mr_places.h"

static const char *const figure_names[MR_CLAIM_FIGURE_COUNT] = {"km", "days", "usd", "kg_co2e"};
static const char *const verdict_names[] = {"confirmed", "not confirmed", "cannot be tested"};

const char *mr_claim_figure_name(int f)
{
	return f >= 0 && f < MR_CLAIM_FIGURE_COUNT ? figure_names[f] : "?";
}

const char *mr_claim_verdict_name(int v)
{
	return v >= 0 && v <= MR_CLAIM_UNTESTABLE ? verdict_names[v] : "?";
}

void mr_claims_free(mr_claim_set *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		mr_claim *c = &s->v[i];
		mr_free(c->id);
		mr_free(c->text);
		mr_free(c->source);
		mr_free(c->from);
		mr_free(c->to);
		mr_free(c->corridor);
		mr_free(c->baseline);
	}
	mr_free(s->v);
	memset(s, 0, sizeof(*s));
}

static int number(const char *s, double *out)
{
	return mr__csv_number(s, out) == 1;
}

/* "X" or "LO-HI", numbers > 0, LO <= HI. */
static int range(char *s, double *lo, double *hi)
{
	char *dash = strchr(s + 1, '-');
	if (!dash)
		return number(s, lo) && *lo > 0 && (*hi = *lo, 1);
	*dash = '\0';
	return number(mr__trim(s), lo) && number(mr__trim(dash + 1), hi) && *lo > 0 && *lo <= *hi;
}

static int set_str(char **dst, const char *v, const char *path, long line, const char *key, mr_error *err)
{
	if (*dst)
		return mr_error_set(err, MR_EPARSE, path, line, 0, key, "%s given twice", key);
	if (!*v)
		return mr_error_set(err, MR_EPARSE, path, line, 0, key, "%s is empty", key);
	return (*dst = mr_strdup(v)) ? MR_OK : MR_ENOMEM;
}

static int finish_claim(const mr_claim *c, const char *path, mr_error *err)
{
	static const char *const need[] = {"claim", "source", "from", "to", "corridor"};
	const char *const have[] = {c->text, c->source, c->from, c->to, c->corridor};
	size_t i;
	for (i = 0; i < 5; i++)
		if (!have[i])
			return mr_error_set(err, MR_EPARSE, path, c->line, 0, need[i], "claim [%s] has no %s", c->id, need[i]);
	if (c->figure < 0)
		return mr_error_set(err, MR_EPARSE, path, c->line, 0, "figure", "claim [%s] has no figure", c->id);
	if (isnan(c->lo) && isnan(c->base_lo) && isnan(c->ratio))
		return mr_error_set(err, MR_EPARSE, path, c->line, 0, "value",
		                    "claim [%s] claims nothing: give value, baseline_value or ratio", c->id);
	if ((!isnan(c->base_lo) || !isnan(c->ratio)) && !c->baseline)
		return mr_error_set(err, MR_EPARSE, path, c->line, 0, "baseline",
		                    "claim [%s] has a baseline_value or ratio but no baseline corridor", c->id);
	return MR_OK;
}

int mr_claims_read(const char *path, mr_claim_set *out, mr_error *err)
{
	FILE *f = fopen(path, "r");
	char buf[2048];
	long line = 0;
	int rc = MR_OK;
	mr_claim *cur = NULL;

	memset(out, 0, sizeof(*out));
	if (!f)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		char *l, *eq, *key, *val;
		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			rc = mr_error_set(err, MR_EPARSE, path, line, 0, NULL, "line longer than %zu characters", sizeof(buf) - 2);
			break;
		}
		l = mr__trim(buf);
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			mr_claim *v;
			if (!end || end[1] || end == l + 1) {
				rc = mr_error_set(err, MR_EPARSE, path, line, 0, NULL, "expected [id]");
				break;
			}
			if (cur && (rc = finish_claim(cur, path, err)))
				break;
			if (!(v = mr_realloc(out->v, (out->n + 1) * sizeof(mr_claim)))) {
				rc = MR_ENOMEM;
				break;
			}
			out->v = v;
			cur = &out->v[out->n++];
			memset(cur, 0, sizeof(*cur));
			cur->figure = -1;
			cur->lo = cur->hi = cur->base_lo = cur->base_hi = cur->ratio = NAN;
			cur->tolerance = 0.10;
			cur->radius_km = 50;
			cur->line = line;
			*end = '\0';
			if (!(cur->id = mr_strdup(l + 1))) {
				rc = MR_ENOMEM;
				break;
			}
			continue;
		}
		if (!(eq = strchr(l, '='))) {
			rc = mr_error_set(err, MR_EPARSE, path, line, 0, NULL, "expected key = value or [id]");
			break;
		}
		*eq = '\0';
		key = mr__trim(l);
		val = mr__trim(eq + 1);
		if (!cur) {
			rc = mr_error_set(err, MR_EPARSE, path, line, 0, key, "%s before the first [id]", key);
			break;
		}
		if (strcmp(key, "claim") == 0)
			rc = set_str(&cur->text, val, path, line, key, err);
		else if (strcmp(key, "source") == 0)
			rc = set_str(&cur->source, val, path, line, key, err);
		else if (strcmp(key, "from") == 0)
			rc = set_str(&cur->from, val, path, line, key, err);
		else if (strcmp(key, "to") == 0)
			rc = set_str(&cur->to, val, path, line, key, err);
		else if (strcmp(key, "corridor") == 0)
			rc = set_str(&cur->corridor, val, path, line, key, err);
		else if (strcmp(key, "baseline") == 0)
			rc = set_str(&cur->baseline, val, path, line, key, err);
		else if (strcmp(key, "figure") == 0) {
			int k;
			for (k = 0; k < MR_CLAIM_FIGURE_COUNT && strcmp(val, figure_names[k]) != 0; k++)
				;
			if (k == MR_CLAIM_FIGURE_COUNT)
				rc = mr_error_set(err, MR_EPARSE, path, line, 0, key, "unknown figure '%s' (km, days, usd, kg_co2e)", val);
			cur->figure = k;
		} else if (strcmp(key, "value") == 0 || strcmp(key, "baseline_value") == 0) {
			int base = key[0] == 'b';
			if (!range(val, base ? &cur->base_lo : &cur->lo, base ? &cur->base_hi : &cur->hi))
				rc = mr_error_set(err, MR_EPARSE, path, line, 0, key, "'%s' is not a positive number or LO-HI range", val);
		} else if (strcmp(key, "ratio") == 0 || strcmp(key, "tolerance") == 0 || strcmp(key, "radius_km") == 0) {
			double x;
			if (!number(val, &x) || x <= 0 || (key[0] == 't' && x >= 1))
				rc = mr_error_set(err, MR_EPARSE, path, line, 0, key, "'%s' is not a %s", val,
				                  key[0] == 't' ? "fraction between 0 and 1" : "positive number");
			else
				*(key[0] == 'r' && key[1] == 'a' && key[2] == 't' ? &cur->ratio : key[0] == 't' ? &cur->tolerance : &cur->radius_km) = x;
		} else {
			rc = mr_error_set(err, MR_EPARSE, path, line, 0, key,
			                  "unknown key '%s' (claim, source, from, to, radius_km, figure, corridor, value, baseline, "
			                  "baseline_value, ratio, tolerance)",
			                  key);
		}
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = mr_error_set(err, MR_EIO, path, line, 0, NULL, "cannot read: %s", strerror(errno));
	if (!rc && cur)
		rc = finish_claim(cur, path, err);
	fclose(f);
	if (rc) {
		if (rc == MR_ENOMEM && err && !err->code)
			mr_error_set(err, MR_ENOMEM, path, line, 0, NULL, "out of memory");
		mr_claims_free(out);
	}
	return rc;
}

static double figure_of(const mr_route *r, int figure)
{
	switch (figure) {
	case MR_CLAIM_KM:
		return r->distance_km;
	case MR_CLAIM_DAYS:
		return r->duration_h / 24.0;
	case MR_CLAIM_USD:
		return r->cost_usd / (r->teu > 0 ? r->teu : 1.0);
	default:
		return r->co2e_kg / (r->teu > 0 ? r->teu : 1.0);
	}
}

static const mr_compare_row *row_of(const mr_compare_row *rows, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].id, id) == 0)
			return &rows[i];
	return NULL;
}

/* The claim's place matches node `at` when it resolves to a node within radius_km of it. */
static int place_near(const mr_net *net, const char *text, uint32_t at, double radius_km)
{
	mr_place p;
	mr_error e;
	const mr_node_rec *a, *b;
	mr_error_clear(&e);
	if (mr_place_resolve(net, text, 0, 0, &p, &e))
		return 0;
	a = &net->nodes[p.node];
	b = &net->nodes[at];
	return p.node == at || mr_geo_distance_km(a->lon, a->lat, b->lon, b->lat) <= radius_km;
}

static int within(double x, double lo, double hi, double tol)
{
	return x >= lo * (1.0 - tol) && x <= hi * (1.0 + tol);
}

static void claimed_text(char *buf, size_t size, double lo, double hi)
{
	if (lo == hi)
		snprintf(buf, size, "%.6g", lo);
	else
		snprintf(buf, size, "%.6g-%.6g", lo, hi);
}

size_t mr_claims_check(const mr_claim_set *s, const mr_net *net, uint32_t from, uint32_t to,
                       const mr_compare_row *rows, size_t nrows, mr_claim_check *out)
{
	size_t i, n = 0;
	for (i = 0; i < s->n; i++) {
		const mr_claim *c = &s->v[i];
		const mr_compare_row *rc, *rb;
		mr_claim_check *k;
		size_t len = 0;
		int held = 1;
		if (!place_near(net, c->from, from, c->radius_km) || !place_near(net, c->to, to, c->radius_km))
			continue;
		k = &out[n++];
		memset(k, 0, sizeof(*k));
		k->claim = c;
		k->model = k->model_base = k->model_ratio = NAN;
		rc = row_of(rows, nrows, c->corridor);
		rb = c->baseline ? row_of(rows, nrows, c->baseline) : NULL;
		if (!rc || !rc->feasible || (c->baseline && (!rb || !rb->feasible))) {
			const char *id = !rc || !rc->feasible ? c->corridor : c->baseline;
			const mr_compare_row *r = !rc || !rc->feasible ? rc : rb;
			k->verdict = MR_CLAIM_UNTESTABLE;
			snprintf(k->why, sizeof(k->why), "corridor %s %s", id, r ? "has no route here" : "is not in this comparison");
			continue;
		}
		k->model = figure_of(rc->route, c->figure);
		if (rb) {
			k->model_base = figure_of(rb->route, c->figure);
			k->model_ratio = k->model_base > 0 ? k->model / k->model_base : NAN;
		}
#define SAY(...)                                                                                 \
	do {                                                                                         \
		int w_ = snprintf(k->why + len, sizeof(k->why) - len, __VA_ARGS__);                     \
		if (w_ > 0)                                                                              \
			len += (size_t)w_ < sizeof(k->why) - len ? (size_t)w_ : sizeof(k->why) - len - 1; \
	} while (0)
		if (!isnan(c->lo)) {
			char cl[64];
			int ok = within(k->model, c->lo, c->hi, c->tolerance);
			claimed_text(cl, sizeof(cl), c->lo, c->hi);
			held &= ok;
			SAY("%s: claimed %s %s, model %.*f (%s); ", c->corridor, cl, figure_names[c->figure],
			    c->figure == MR_CLAIM_DAYS ? 1 : 0, k->model, ok ? "holds" : "does not hold");
		}
		if (!isnan(c->base_lo)) {
			char cl[64];
			int ok = within(k->model_base, c->base_lo, c->base_hi, c->tolerance);
			claimed_text(cl, sizeof(cl), c->base_lo, c->base_hi);
			held &= ok;
			SAY("%s: claimed %s, model %.*f (%s); ", c->baseline, cl, c->figure == MR_CLAIM_DAYS ? 1 : 0, k->model_base,
			    ok ? "holds" : "does not hold");
		}
		if (!isnan(c->ratio) || (!isnan(c->lo) && !isnan(c->base_lo))) {
			/* the claimed ratio, given or implied by the two claimed figures (mid-points) */
			double claimed = !isnan(c->ratio) ? c->ratio : ((c->lo + c->hi) / 2) / ((c->base_lo + c->base_hi) / 2);
			int ok = fabs(k->model_ratio - claimed) <= c->tolerance * claimed;
			held &= ok;
			SAY("ratio %s / %s: claimed %.2f, model %.2f (%s)", c->corridor, c->baseline, claimed, k->model_ratio,
			    ok ? "holds" : "does not hold");
		}
#undef SAY
		k->verdict = held ? MR_CLAIM_CONFIRMED : MR_CLAIM_NOT_CONFIRMED;
	}
	return n;
}
