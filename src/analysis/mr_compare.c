/* mr_compare.c: a corridor comparison (see mr_compare.h). */
#include <stdio.h>
#include <string.h>

#include "meridian/mr_compare.h"

void mr_compare_result_free(mr_compare_result *res)
{
	size_t i;
	if (!res)
		return;
	for (i = 0; i < res->nrows; i++) {
		if (res->routes)
			mr_route_free(&res->routes[i]);
		if (res->reasons)
			mr_free(res->reasons[i]);
	}
	mr_free(res->rows);
	mr_free(res->routes);
	mr_free(res->reasons);
	memset(res, 0, sizeof(*res));
}

static int wanted(const char *id, const char *const *which, size_t nwhich)
{
	size_t k;
	if (!nwhich)
		return 1;
	for (k = 0; k < nwhich; k++)
		if (strcmp(which[k], id) == 0)
			return 1;
	return 0;
}

/* Why a corridor has no route: a required predicate that nothing in the network satisfies,
 * else the pattern itself. */
static char *reason_for(const mr_net *net, const mr_corridor *cor, const mr_route_opts *o, int rc, const mr_error *e)
{
	char buf[700];
	const char *missing = NULL;
	size_t k;
	for (k = 0; k < cor->npred && !missing; k++)
		if (((cor->pattern.require >> k) & 1u) && !mr_net_pred_exists(net, &cor->preds[k]))
			missing = cor->preds[k].value;
	if (missing)
		snprintf(buf, sizeof(buf), "nothing in the network matches '%s' (%s)", missing, cor->text ? cor->text : "");
	else if (rc == MR_ELIMIT)
		snprintf(buf, sizeof(buf), "%s", e->msg);
	else
		snprintf(buf, sizeof(buf), "no route satisfies %s%s", cor->text ? cor->text : "the corridor",
		         o->navoid || o->mode_mask || o->nallow ? " with the given options" : "");
	return mr_strdup(buf);
}

int mr_compare_run(mr_router *r, const mr_net *net, uint32_t from, uint32_t to, const mr_route_opts *o,
                   const mr_corridor_set *set, const char *const *which, size_t nwhich, mr_compare_result *out,
                   mr_error *err)
{
	size_t i, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nwhich; i++)
		if (!mr_corridors_find(set, which[i]))
			return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, "corridors", "unknown corridor '%s'", which[i]);
	out->rows = mr_calloc(set->n + 1, sizeof(mr_compare_row));
	out->routes = mr_calloc(set->n + 1, sizeof(mr_route));
	out->reasons = mr_calloc(set->n + 1, sizeof(char *));
	if (!out->rows || !out->routes || !out->reasons) {
		rc = MR_ENOMEM;
		goto fail;
	}
	for (i = 0; i < set->n; i++) {
		const mr_corridor *cor = &set->v[i];
		mr_compare_row *row = &out->rows[n];
		mr_error e;
		if (!wanted(cor->id, which, nwhich))
			continue;
		row->id = cor->id;
		row->name = cor->name;
		row->constraints = cor->text;
		out->nrows = ++n;
		mr_error_clear(&e);
		rc = mr_router_route_pattern(r, from, to, o, &cor->pattern, cor->preds, cor->npred, &out->routes[n - 1], &e);
		if (rc == MR_OK) {
			row->feasible = 1;
			row->route = &out->routes[n - 1];
		} else if (rc == MR_ENOROUTE || rc == MR_ELIMIT) {
			if (!(out->reasons[n - 1] = reason_for(net, cor, o, rc, &e))) {
				rc = MR_ENOMEM;
				goto fail;
			}
			row->reason = out->reasons[n - 1];
		} else {
			if (err)
				*err = e;
			goto fail;
		}
	}
	return MR_OK;
fail:
	if (rc == MR_ENOMEM && err && !err->code)
		mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, "out of memory");
	mr_compare_result_free(out);
	return rc;
}
