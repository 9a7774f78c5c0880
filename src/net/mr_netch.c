/* mr_netch.c: storing contraction hierarchies in a compiled network (meridian build --ch): the
 * network's image is laid out again with one more (or one replaced) hierarchy in its CH sections.
 * Every other section is copied byte for byte. */
#include <string.h>

#include "meridian/mr_ch.h"
#include "net/mr_file.h"

static int name_ok(const char *name)
{
	size_t i, len = strlen(name);
	if (len == 0 || len >= MR_CH_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Copy the stored hierarchy rec's arrays (from net) or the new one's (from a) to u32 / f64. */
static void put_ch(uint32_t *u32, double *f64, const mr_ch_arrays *a, const double *w)
{
	size_t n = a->n, m = a->m;
	memcpy(u32, a->rank, n * 4);
	memcpy(u32 + n, a->order, n * 4);
	memcpy(u32 + 2 * n, a->first_arc, (n + 1) * 4);
	memcpy(u32 + 3 * n + 1, a->first_down, n * 4);
	memcpy(u32 + 4 * n + 1, a->head, m * 4);
	memcpy(u32 + 4 * n + 1 + m, a->unpack, 2 * m * 4);
	memcpy(f64, w, (size_t)a->m_graph * sizeof(double));
	memcpy(f64 + a->m_graph, a->weight, m * sizeof(double));
}

int mr_net_add_ch(mr_net *net, const char *name, const double *w, const mr_ch_opts *o, mr_error *err)
{
	const uint8_t *old = net->map;
	const mr_file_section *osec;
	mr_file_section sec[MR_SEC_COUNT];
	uint64_t count[MR_SEC_COUNT];
	mr_net_meta meta;
	mr_net_ch_rec *recs;
	mr_ch *ch = NULL;
	mr_ch_arrays a;
	mr_net fresh;
	uint8_t *img = NULL;
	uint32_t i, k, replace = MR_NONE;
	uint64_t u32 = 0, f64 = 0;
	size_t off;
	int rc;

	if (!name || !w || !old)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no network, name or weights");
	if (!name_ok(name))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "name",
		                    "hierarchy name '%s': 1-%d characters among a-z 0-9 - _", name, MR_CH_NAME_MAX - 1);
	for (i = 0; i < net->meta.nch; i++)
		if (strcmp(net->ch_recs[i].name, name) == 0)
			replace = i;
	if (net->meta.nch - (replace != MR_NONE) >= 64)
		return mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "at most 64 hierarchies per network");
	if ((rc = mr_ch_build(&net->g, w, o, &ch, err)))
		return rc;
	mr_ch_export(ch, &a);

	/* New CH sections: the kept hierarchies in their order, then the new one. */
	meta = net->meta;
	meta.nch = net->meta.nch - (replace != MR_NONE) + 1;
	for (i = 0; i < net->meta.nch; i++)
		if (i != replace) {
			u32 += mr__ch_u32_count(net->ch_recs[i].n, net->ch_recs[i].m);
			f64 += (uint64_t)net->ch_recs[i].m_graph + net->ch_recs[i].m;
		}
	u32 += mr__ch_u32_count(a.n, a.m);
	f64 += (uint64_t)a.m_graph + a.m;
	meta.ch_u32 = u32;
	meta.ch_f64 = f64;
	if (u32 > SIZE_MAX / 8 || f64 > SIZE_MAX / 16) {
		rc = mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "hierarchies too large");
		goto out;
	}

	mr__section_counts(&meta, count);
	osec = (const mr_file_section *)(old + sizeof(mr_file_header));
	off = sizeof(mr_file_header) + sizeof(sec);
	for (i = 0; i < MR_SEC_COUNT; i++) {
		off = (off + 7) & ~(size_t)7;
		sec[i].id = i;
		sec[i].elsize = mr__section_elsize[i];
		sec[i].offset = off;
		sec[i].count = count[i];
		off += (size_t)(mr__section_elsize[i] * count[i]);
	}
	off = (off + 7) & ~(size_t)7;
	if (!(img = mr_calloc(1, off))) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	memcpy(img + sizeof(mr_file_header), sec, sizeof(sec));
	for (i = 0; i < MR_SEC_COUNT; i++)
		if (i != MR_SEC_META && i != MR_SEC_CH_RECS && i != MR_SEC_CH_U32 && i != MR_SEC_CH_F64 && count[i])
			memcpy(img + sec[i].offset, old + osec[i].offset, (size_t)(count[i] * mr__section_elsize[i]));
	memcpy(img + sec[MR_SEC_META].offset, &meta, sizeof(meta));
	recs = (mr_net_ch_rec *)(img + sec[MR_SEC_CH_RECS].offset);
	u32 = f64 = 0;
	for (i = 0, k = 0; i <= net->meta.nch; i++) {
		mr_net_ch_rec *r = &recs[k];
		mr_ch_arrays b;
		const double *gw;
		if (i < net->meta.nch) {
			if (i == replace)
				continue;
			*r = net->ch_recs[i];
			mr_ch_export(net->ch[i], &b);
			gw = net->ch_f64 + r->f64_off;
		} else {
			memset(r, 0, sizeof(*r));
			strcpy(r->name, name);
			r->n = a.n;
			r->m = a.m;
			r->m_graph = a.m_graph;
			r->weight_hash = mr_net_weight_hash(w, a.m_graph);
			b = a;
			gw = w;
		}
		r->u32_off = u32;
		r->f64_off = f64;
		put_ch((uint32_t *)(img + sec[MR_SEC_CH_U32].offset) + u32, (double *)(img + sec[MR_SEC_CH_F64].offset) + f64,
		       &b, gw);
		u32 += mr__ch_u32_count(b.n, b.m);
		f64 += (uint64_t)b.m_graph + b.m;
		k++;
	}
	{
		mr_file_header *h = (mr_file_header *)img;
		memcpy(h, old, sizeof(*h));
		h->file_size = off;
		h->nsections = MR_SEC_COUNT;
		h->checksum = mr__image_checksum(img, off);
	}
	if ((rc = mr__net_attach(&fresh, img, off, net->path ? net->path : "network", err)))
		goto out;
	fresh.map = img;
	fresh.map_size = off;
	fresh.mapped = 0;
	fresh.path = net->path;
	net->path = NULL;
	img = NULL;
	mr_net_free(net);
	*net = fresh;
out:
	mr_free(img);
	mr_ch_free(ch);
	return rc;
}
