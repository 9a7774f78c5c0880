/* mr_model.c: names of modes and statuses, known rail gauges, and freeing a source model. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "meridian/mr_net.h"
#include "core/mr_vec.h"

static const char *const mode_names[] = {
#define MR__X_MODE_NAME(e, s) s,
	MR_MODE_MAP(MR__X_MODE_NAME)
#undef MR__X_MODE_NAME
};
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == MR_MODE_COUNT, "mode names");

static const char *const status_names[] = {
#define MR__X_STATUS_NAME(e, s) s,
	MR_STATUS_MAP(MR__X_STATUS_NAME)
#undef MR__X_STATUS_NAME
};
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) == MR_STATUS_COUNT, "status names");

const char *mr_mode_name(int mode)
{
	return mode >= 0 && mode < MR_MODE_COUNT ? mode_names[mode] : "unknown";
}

/* Case is ignored: "Rail" is rail. */
int mr_mode_parse(const char *s)
{
	int i;
	if (!s)
		return -1;
	for (i = 0; i < MR_MODE_COUNT; i++)
		if (strcasecmp(s, mode_names[i]) == 0)
			return i;
	return -1;
}

const char *mr_status_name(int status)
{
	return status >= 0 && status < MR_STATUS_COUNT ? status_names[status] : "unknown";
}

int mr_status_parse(const char *s)
{
	int i;
	if (!s)
		return -1;
	for (i = 0; i < MR_STATUS_COUNT; i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

/* Russian/CIS broad, standard, Indian broad, Cape and metre gauge. */
int mr_gauge_known(int gauge_mm)
{
	switch (gauge_mm) {
	case 1520:
	case 1435:
	case 1676:
	case 1067:
	case 1000:
		return 1;
	default:
		return 0;
	}
}

void mr_src_free(mr_src *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->nodes && i < s->nnodes; i++) {
		mr_src_node *n = &s->nodes[i];
		mr_free(n->id);
		mr_free(n->name);
		mr_free(n->type);
		mr_free(n->unlocode);
		mr_free(n->aliases);
	}
	for (i = 0; s->links && i < s->nlinks; i++) {
		mr_src_link *l = &s->links[i];
		mr_free(l->id);
		mr_free(l->tags);
		mr_free(l->source);
		mr_free(l->passage);
		mr_free(l->name);
	}
	for (i = 0; s->transfers && i < s->ntransfers; i++)
		mr_free(s->transfers[i].source);
	for (i = 0; s->borders && i < s->nborders; i++) {
		mr_free(s->borders[i].id);
		mr_free(s->borders[i].name);
		mr_free(s->borders[i].source);
	}
	for (i = 0; s->tariffs && i < s->ntariffs; i++)
		mr_free(s->tariffs[i].source);
	mr_free(s->nodes);
	mr_free(s->links);
	mr_free(s->transfers);
	mr_free(s->borders);
	mr_free(s->tariffs);
	mr_free(s->dir);
	for (i = 0; s->dirs && i < s->ndirs; i++)
		mr_free(s->dirs[i]);
	mr_free(s->dirs);
	memset(s, 0, sizeof(*s));
}

/* ---- building a source network in memory ---- */

#define DUP(field)                                   \
	do {                                             \
		if (!(r.field = mr_strdup(x->field)))        \
			goto nomem;                              \
	} while (0)

static int grow(void **arr, size_t n, size_t *cap, size_t elsize)
{
	if (*cap < n)
		*cap = n; /* arrays from the CSV reader hold exactly n */
	return mr__vec_reserve(arr, cap, n + 1, elsize);
}

int mr_src_add_node(mr_src *s, const mr_src_node *x, uint32_t *index)
{
	mr_src_node r = *x;
	r.id = r.name = r.type = r.unlocode = r.aliases = NULL;
	if (s->nnodes >= MR_NONE - 1 || grow((void **)&s->nodes, s->nnodes, &s->cnodes, sizeof(r)))
		return MR_ENOMEM;
	DUP(id);
	DUP(name);
	DUP(type);
	DUP(unlocode);
	DUP(aliases);
	if (index)
		*index = (uint32_t)s->nnodes;
	s->nodes[s->nnodes++] = r;
	return MR_OK;
nomem:
	mr_free(r.id);
	mr_free(r.name);
	mr_free(r.type);
	mr_free(r.unlocode);
	mr_free(r.aliases);
	return MR_ENOMEM;
}

int mr_src_add_link(mr_src *s, const mr_src_link *x, uint32_t *index)
{
	mr_src_link r = *x;
	r.id = r.tags = r.source = r.passage = r.name = NULL;
	if (s->nlinks >= MR_NONE - 1 || grow((void **)&s->links, s->nlinks, &s->clinks, sizeof(r)))
		return MR_ENOMEM;
	DUP(id);
	DUP(tags);
	DUP(source);
	DUP(passage);
	DUP(name);
	if (index)
		*index = (uint32_t)s->nlinks;
	s->links[s->nlinks++] = r;
	return MR_OK;
nomem:
	mr_free(r.id);
	mr_free(r.tags);
	mr_free(r.source);
	mr_free(r.passage);
	mr_free(r.name);
	return MR_ENOMEM;
}

int mr_src_add_transfer(mr_src *s, const mr_src_transfer *x)
{
	mr_src_transfer r = *x;
	r.source = NULL;
	if (grow((void **)&s->transfers, s->ntransfers, &s->ctransfers, sizeof(r)))
		return MR_ENOMEM;
	DUP(source);
	s->transfers[s->ntransfers++] = r;
	return MR_OK;
nomem:
	return MR_ENOMEM;
}

int mr_src_add_border(mr_src *s, const mr_src_border *x)
{
	mr_src_border r = *x;
	r.id = r.name = r.source = NULL;
	if (grow((void **)&s->borders, s->nborders, &s->cborders, sizeof(r)))
		return MR_ENOMEM;
	DUP(id);
	DUP(name);
	DUP(source);
	s->borders[s->nborders++] = r;
	return MR_OK;
nomem:
	mr_free(r.id);
	mr_free(r.name);
	mr_free(r.source);
	return MR_ENOMEM;
}

int mr_src_add_tariff(mr_src *s, const mr_src_tariff *x)
{
	mr_src_tariff r = *x;
	r.source = NULL;
	if (grow((void **)&s->tariffs, s->ntariffs, &s->ctariffs, sizeof(r)))
		return MR_ENOMEM;
	DUP(source);
	s->tariffs[s->ntariffs++] = r;
	return MR_OK;
nomem:
	return MR_ENOMEM;
}
#undef DUP

void mr_src_path(const mr_src *s, uint32_t dir, const char *file, char *buf, size_t size)
{
	const char *d = dir < s->ndirs ? s->dirs[dir] : (s->dir ? s->dir : ".");
	size_t len = strlen(d);
	snprintf(buf, size, "%s%s%s.csv", d, !len || d[len - 1] == '/' ? "" : "/", file);
}
