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

static const char *const kind_names[MR_PRED_COUNT] = {"tag", "passage", "mode", "country", "border"};

static void pred_text(char *buf, size_t size, const char *verb, const mr_pred *p)
{
	snprintf(buf, size, "%s %s:%s", verb, kind_names[p->kind], p->value);
}

/* An end of the route that a forbid or only on countries rules out. */
static int end_excluded(const mr_net *net, const mr_corridor *cor, uint32_t node, char *buf, size_t size)
{
	const mr_node_rec *n = &net->nodes[node];
	size_t k;
	for (k = 0; k < cor->npred; k++) {
		const mr_pred *p = &cor->preds[k];
		int forbid = (cor->pattern.forbid >> k) & 1u, only = (cor->pattern.only >> k) & 1u;
		if (p->kind != MR_PRED_COUNTRY || !n->country[0])
			continue;
		if ((forbid && strcmp(n->country, p->value) == 0) || (only && strcmp(n->country, p->value) != 0)) {
			snprintf(buf, size, "%s is in %s, which the corridor rules out (%s country:%s)",
			         n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id), n->country, forbid ? "forbid" : "only",
			         p->value);
			return 1;
		}
	}
	return 0;
}

/* Why a corridor has no route: a required predicate that nothing in the network satisfies, an
 * end in a country the corridor rules out, else the constraints that, dropped one at a time,
 * would make it feasible (found by routing the relaxed patterns). */
static char *reason_for(mr_router *r, const mr_net *net, uint32_t from, uint32_t to, const mr_corridor *cor,
                        const mr_route_opts *o, int rc, const mr_error *e)
{
	char buf[900], item[200];
	const char *missing = NULL;
	const char *opts = o->navoid || o->mode_mask || o->nallow ? " with the given options" : "";
	size_t k, len;
	for (k = 0; k < cor->npred && !missing; k++)
		if (((cor->pattern.require >> k) & 1u) && !mr_net_pred_exists(net, &cor->preds[k]))
			missing = cor->preds[k].value;
	for (k = 0; k < cor->pattern.nseq && !missing; k++)
		if (cor->pattern.seq[k] < cor->npred && !mr_net_pred_exists(net, &cor->preds[cor->pattern.seq[k]]))
			missing = cor->preds[cor->pattern.seq[k]].value;
	if (missing) {
		snprintf(buf, sizeof(buf), "nothing in the network matches '%s' (%s)", missing, cor->text ? cor->text : "");
		return mr_strdup(buf);
	}
	if (rc == MR_ELIMIT) {
		snprintf(buf, sizeof(buf), "%s", e->msg);
		return mr_strdup(buf);
	}
	if (end_excluded(net, cor, from, item, sizeof(item)) || end_excluded(net, cor, to, item, sizeof(item))) {
		snprintf(buf, sizeof(buf), "%s", item);
		return mr_strdup(buf);
	}
	len = (size_t)snprintf(buf, sizeof(buf), "no route satisfies %s%s", cor->text ? cor->text : "the corridor", opts);
	{
		/* relax one constraint at a time: require, forbid, only bits, then the sequence */
		int found = 0;
		unsigned kind;
		for (kind = 0; kind < 4; kind++) {
			size_t nk = kind < 3 ? cor->npred : 1;
			for (k = 0; k < nk; k++) {
				mr_pattern p = cor->pattern;
				mr_route tmp;
				mr_error e2;
				uint16_t bit = (uint16_t)(1u << k);
				const char *verb = kind == 0 ? "require" : kind == 1 ? "forbid" : "only";
				if (kind == 0 && !(p.require & bit))
					continue;
				if (kind == 1 && !(p.forbid & bit))
					continue;
				if (kind == 2 && !(p.only & bit))
					continue;
				if (kind == 3 && !p.nseq)
					continue;
				if (kind == 0)
					p.require &= (uint16_t)~bit;
				else if (kind == 1)
					p.forbid &= (uint16_t)~bit;
				else if (kind == 2)
					p.only &= (uint16_t)~bit;
				else
					p.nseq = 0;
				memset(&tmp, 0, sizeof(tmp));
				mr_error_clear(&e2);
				if (mr_router_route_pattern(r, from, to, o, &p, cor->preds, cor->npred, &tmp, &e2) != MR_OK)
					continue;
				mr_route_free(&tmp);
				if (kind == 3)
					snprintf(item, sizeof(item), "the sequence");
				else
					pred_text(item, sizeof(item), verb, &cor->preds[k]);
				if (len < sizeof(buf))
					len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s'%s'",
					                        found ? ", or without " : "; a route exists without ", item);
				found = 1;
			}
		}
		if (!found && len < sizeof(buf))
			snprintf(buf + len, sizeof(buf) - len, "; dropping any single constraint does not help");
	}
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
			if (!(out->reasons[n - 1] = reason_for(r, net, from, to, cor, o, rc, &e))) {
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
