/* mr_file.c: writing (atomically) and memory-mapping .mnet network files, with every check a
 * reader needs before trusting one: magic, version, byte order, sizes, checksum, index ranges. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meridian/mr_ch.h"
#include "net/mr_file.h"

const uint32_t mr__section_elsize[MR_SEC_COUNT] = {
	sizeof(mr_net_meta), sizeof(mr_node_rec), sizeof(mr_vnode_rec), 3 * sizeof(double),
	sizeof(mr_arc_rec), 4, 4, 4, 4, 4, sizeof(mr_link_rec), sizeof(mr_transfer_rec),
	sizeof(mr_border_rec), sizeof(mr_tariff_rec), 1, 4, 4, 4, sizeof(mr_net_ch_rec), 4, sizeof(double)};

void mr__section_counts(const mr_net_meta *m, uint64_t count[MR_SEC_COUNT])
{
	count[MR_SEC_META] = 1;
	count[MR_SEC_NODES] = m->nnodes;
	count[MR_SEC_VNODES] = m->nvnodes;
	count[MR_SEC_VXYZ] = m->nvnodes;
	count[MR_SEC_ARCS] = m->narcs;
	count[MR_SEC_FIRST_OUT] = (uint64_t)m->nvnodes + 1;
	count[MR_SEC_HEAD] = m->narcs;
	count[MR_SEC_FIRST_IN] = (uint64_t)m->nvnodes + 1;
	count[MR_SEC_TAIL_IN] = m->narcs;
	count[MR_SEC_IN_ARC] = m->narcs;
	count[MR_SEC_LINKS] = m->nlinks;
	count[MR_SEC_TRANSFERS] = m->ntransfers;
	count[MR_SEC_BORDERS] = m->nborders;
	count[MR_SEC_TARIFFS] = m->ntariffs;
	count[MR_SEC_STRINGS] = m->strings_size;
	count[MR_SEC_KDTREE] = m->nkd;
	count[MR_SEC_CHAIN_FIRST] = (uint64_t)m->nchains + 1;
	count[MR_SEC_CHAIN_STEPS] = m->nchain_steps;
	count[MR_SEC_CH_RECS] = m->nch;
	count[MR_SEC_CH_U32] = m->ch_u32;
	count[MR_SEC_CH_F64] = m->ch_f64;
}

uint64_t mr__file_checksum(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < n; i++) {
		h ^= p[i];
		h *= 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 29;
	return h;
}

uint64_t mr__image_checksum(const void *image, size_t size)
{
	mr_file_header h;
	memcpy(&h, image, sizeof(h));
	h.checksum = 0;
	return mr__file_checksum((const uint8_t *)image + sizeof(h), size - sizeof(h),
	                         mr__file_checksum(&h, sizeof(h), 0));
}

static int check_csr(const uint32_t *first, uint32_t n, uint32_t m)
{
	uint32_t v;
	if (first[0] != 0 || first[n] != m)
		return 0;
	for (v = 0; v < n; v++)
		if (first[v] > first[v + 1])
			return 0;
	return 1;
}

static int str_ok(uint32_t off, uint64_t size)
{
	return off < size;
}

void mr__net_detach_ch(mr_net *net)
{
	uint32_t i;
	if (!net->ch)
		return;
	for (i = 0; i < net->meta.nch; i++)
		mr_ch_free(net->ch[i]);
	mr_free(net->ch);
	net->ch = NULL;
}

uint64_t mr_net_weight_hash(const double *w, uint32_t m)
{
	return mr__file_checksum(w, (size_t)m * sizeof(double), 0x6368u);
}

int mr_net_ch_match(const mr_net *net, const double *w, uint32_t m)
{
	uint64_t h = 0;
	uint32_t i;
	if (!net->meta.nch || m != net->g.m)
		return -1;
	h = mr_net_weight_hash(w, m);
	for (i = 0; i < net->meta.nch; i++) {
		const mr_net_ch_rec *c = &net->ch_recs[i];
		if (c->weight_hash == h && memcmp(net->ch_f64 + c->f64_off, w, (size_t)m * sizeof(double)) == 0)
			return (int)i;
	}
	return -1;
}

/* The stored hierarchies: records in range, names terminated and distinct, each built on this
 * graph; mr_ch_import checks the arrays' invariants. */
static int attach_ch(mr_net *net, const char *what, mr_error *err)
{
	const mr_net_meta *m = &net->meta;
	uint32_t i, j;
	int rc;
	if (!m->nch)
		return MR_OK;
	if (!(net->ch = mr_calloc(m->nch, sizeof(*net->ch))))
		return mr_error_set(err, MR_ENOMEM, what, 0, 0, NULL, NULL);
	for (i = 0; i < m->nch; i++) {
		const mr_net_ch_rec *c = &net->ch_recs[i];
		mr_ch_arrays a;
		const uint32_t *u;
		if (!memchr(c->name, '\0', sizeof(c->name)) || !c->name[0] || c->n != net->g.n || c->m_graph != net->g.m ||
		    c->u32_off > m->ch_u32 || mr__ch_u32_count(c->n, c->m) > m->ch_u32 - c->u32_off ||
		    c->f64_off > m->ch_f64 || (uint64_t)c->m_graph + c->m > m->ch_f64 - c->f64_off)
			goto bad;
		for (j = 0; j < i; j++)
			if (strcmp(net->ch_recs[j].name, c->name) == 0)
				goto bad;
		if (mr_net_weight_hash(net->ch_f64 + c->f64_off, c->m_graph) != c->weight_hash)
			goto bad;
		u = net->ch_u32 + c->u32_off;
		a.n = c->n;
		a.m = c->m;
		a.m_graph = c->m_graph;
		a.rank = u;
		a.order = u + c->n;
		a.first_arc = u + 2 * (size_t)c->n;
		a.first_down = u + 3 * (size_t)c->n + 1;
		a.head = u + 4 * (size_t)c->n + 1;
		a.unpack = a.head + c->m;
		a.weight = net->ch_f64 + c->f64_off + c->m_graph;
		if ((rc = mr_ch_import(&a, &net->ch[i], err))) {
			mr__net_detach_ch(net);
			if (rc == MR_ENOMEM)
				return mr_error_set(err, rc, what, 0, 0, NULL, NULL);
			return mr_error_set(err, MR_ECORRUPT, what, 0, 0, NULL, "stored hierarchy '%s' is damaged", c->name);
		}
	}
	return MR_OK;
bad:
	mr__net_detach_ch(net);
	return mr_error_set(err, MR_ECORRUPT, what, 0, 0, NULL, "stored hierarchy %u is damaged", i);
}

int mr__net_attach(mr_net *net, const void *image, size_t size, const char *what, mr_error *err)
{
	const uint8_t *img = image;
	const mr_file_header *h = image;
	const mr_file_section *sec;
	const mr_net_meta *m;
	uint64_t expect[MR_SEC_COUNT];
	uint32_t i, n, arcs;

#define BAD(code, ...) mr_error_set(err, code, what, 0, 0, NULL, __VA_ARGS__)
	if (size < sizeof(mr_file_header) + MR_SEC_COUNT * sizeof(mr_file_section))
		return BAD(MR_ETRUNCATED, "file too short for a header (%zu bytes)", size);
	if (h->nsections != MR_SEC_COUNT || h->header_size != sizeof(mr_file_header))
		return BAD(MR_ECORRUPT, "header names %u sections of a %u-byte header", h->nsections, h->header_size);
	sec = (const mr_file_section *)(img + sizeof(mr_file_header));
	for (i = 0; i < MR_SEC_COUNT; i++) {
		if (sec[i].id != i || sec[i].elsize != mr__section_elsize[i])
			return BAD(MR_ECORRUPT, "section %u has id %u and element size %u (expected %u)", i, sec[i].id,
			           sec[i].elsize, mr__section_elsize[i]);
		if (sec[i].offset % 8 || sec[i].offset > size || sec[i].count > (size - sec[i].offset) / mr__section_elsize[i])
			return BAD(MR_ECORRUPT, "section %u lies outside the file", i);
	}
	if (sec[MR_SEC_META].count != 1)
		return BAD(MR_ECORRUPT, "no metadata section");
	m = (const mr_net_meta *)(img + sec[MR_SEC_META].offset);
	n = m->nvnodes;
	arcs = m->narcs;
	mr__section_counts(m, expect);
	for (i = 0; i < MR_SEC_COUNT; i++)
		if (sec[i].count != expect[i])
			return BAD(MR_ECORRUPT, "section %u holds %llu elements, metadata says %llu", i,
			           (unsigned long long)sec[i].count, (unsigned long long)expect[i]);
	if (m->strings_size == 0 || img[sec[MR_SEC_STRINGS].offset + m->strings_size - 1] != '\0' ||
	    img[sec[MR_SEC_STRINGS].offset] != '\0')
		return BAD(MR_ECORRUPT, "string table is not terminated");

	memset(net, 0, sizeof(*net));
	net->meta = *m;
#define PTR(id, T) ((const T *)(img + sec[id].offset))
	net->nodes = PTR(MR_SEC_NODES, mr_node_rec);
	net->vnodes = PTR(MR_SEC_VNODES, mr_vnode_rec);
	net->vxyz = PTR(MR_SEC_VXYZ, double);
	net->arcs = PTR(MR_SEC_ARCS, mr_arc_rec);
	net->links = PTR(MR_SEC_LINKS, mr_link_rec);
	net->transfers = PTR(MR_SEC_TRANSFERS, mr_transfer_rec);
	net->borders = PTR(MR_SEC_BORDERS, mr_border_rec);
	net->tariffs = PTR(MR_SEC_TARIFFS, mr_tariff_rec);
	net->strings = PTR(MR_SEC_STRINGS, char);
	net->kd = PTR(MR_SEC_KDTREE, uint32_t);
	net->chain_first = PTR(MR_SEC_CHAIN_FIRST, uint32_t);
	net->chain_steps = PTR(MR_SEC_CHAIN_STEPS, uint32_t);
	net->ch_recs = PTR(MR_SEC_CH_RECS, mr_net_ch_rec);
	net->ch_u32 = PTR(MR_SEC_CH_U32, uint32_t);
	net->ch_f64 = PTR(MR_SEC_CH_F64, double);
	net->g.n = n;
	net->g.m = arcs;
	net->g.first_out = PTR(MR_SEC_FIRST_OUT, uint32_t);
	net->g.head = PTR(MR_SEC_HEAD, uint32_t);
	net->g.first_in = PTR(MR_SEC_FIRST_IN, uint32_t);
	net->g.tail_in = PTR(MR_SEC_TAIL_IN, uint32_t);
	net->g.in_arc = PTR(MR_SEC_IN_ARC, uint32_t);
#undef PTR

	/* Every index must be in range, so that no later access can leave the image. */
	if (!check_csr(net->g.first_out, n, arcs) || !check_csr(net->g.first_in, n, arcs))
		goto corrupt;
	for (i = 0; i < arcs; i++) {
		const mr_arc_rec *a = &net->arcs[i];
		if (net->g.head[i] >= n || net->g.tail_in[i] >= n || net->g.in_arc[i] >= arcs)
			goto corrupt;
		if (a->kind > MR_ARC_CHAIN || a->mode >= MR_MODE_COUNT || a->status >= MR_STATUS_COUNT)
			goto corrupt;
		if (a->ref >= (a->kind == MR_ARC_LINK ? m->nlinks : a->kind == MR_ARC_CHAIN ? m->nchains : m->ntransfers))
			goto corrupt;
		if (a->border != MR_NONE && a->border >= m->nborders)
			goto corrupt;
	}
	for (i = 0; i < m->nnodes; i++) {
		const mr_node_rec *x = &net->nodes[i];
		if (!str_ok(x->id, m->strings_size) || !str_ok(x->name, m->strings_size) ||
		    !str_ok(x->type, m->strings_size) || !str_ok(x->unlocode, m->strings_size) ||
		    !str_ok(x->aliases, m->strings_size) || x->first_vnode > n || x->nvnodes > n - x->first_vnode ||
		    x->country[3] != '\0')
			goto corrupt;
	}
	for (i = 0; i < n; i++)
		if (net->vnodes[i].node >= m->nnodes || net->vnodes[i].mode >= MR_MODE_COUNT)
			goto corrupt;
	for (i = 0; i < m->nlinks; i++) {
		const mr_link_rec *x = &net->links[i];
		if (!str_ok(x->id, m->strings_size) || !str_ok(x->tags, m->strings_size) ||
		    !str_ok(x->passage, m->strings_size) || !str_ok(x->source, m->strings_size) ||
		    !str_ok(x->name, m->strings_size) || x->from >= m->nnodes || x->to >= m->nnodes ||
		    x->mode >= MR_MODE_COUNT || x->status >= MR_STATUS_COUNT || x->country[3] != '\0')
			goto corrupt;
	}
	for (i = 0; i < m->ntransfers; i++) {
		const mr_transfer_rec *x = &net->transfers[i];
		if ((x->node != MR_NONE && x->node >= m->nnodes) || !str_ok(x->source, m->strings_size) ||
		    x->from_mode >= MR_MODE_COUNT || x->to_mode >= MR_MODE_COUNT)
			goto corrupt;
	}
	for (i = 0; i < m->nborders; i++) {
		const mr_border_rec *x = &net->borders[i];
		if (x->node >= m->nnodes || !str_ok(x->id, m->strings_size) || !str_ok(x->name, m->strings_size) ||
		    !str_ok(x->source, m->strings_size) || x->status >= MR_STATUS_COUNT || x->country_a[3] ||
		    x->country_b[3])
			goto corrupt;
	}
	for (i = 0; i < m->ntariffs; i++) {
		const mr_tariff_rec *x = &net->tariffs[i];
		if (!str_ok(x->source, m->strings_size) || x->mode >= MR_MODE_COUNT || x->country[3])
			goto corrupt;
	}
	if (!str_ok(m->build_source, m->strings_size) || m->nkd > m->nnodes)
		goto corrupt;
	if (!check_csr(net->chain_first, m->nchains, m->nchain_steps))
		goto corrupt;
	for (i = 0; i < m->nchains; i++)
		if (net->chain_first[i] == net->chain_first[i + 1])
			goto corrupt; /* a chain has at least one link */
	for (i = 0; i < m->nchain_steps; i++)
		if (MR_CHAIN_LINK(net->chain_steps[i]) >= m->nlinks)
			goto corrupt;
	for (i = 0; i < m->nkd; i++)
		if (net->kd[i] >= m->nnodes || net->nodes[net->kd[i]].nvnodes == 0)
			goto corrupt;
	{
		int rc = attach_ch(net, what, err);
		if (rc)
			memset(net, 0, sizeof(*net));
		return rc;
	}
corrupt:
	memset(net, 0, sizeof(*net));
	return BAD(MR_ECORRUPT, "an index in the network lies out of range");
#undef BAD
}

int mr_net_write(const mr_net *net, const char *path, mr_error *err)
{
	size_t len = strlen(path);
	char *tmp = mr_malloc(len + 32);
	const uint8_t *p = net->map;
	size_t left = net->map_size;
	int fd, rc = MR_OK;

	if (!tmp)
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	snprintf(tmp, len + 32, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot create %s: %s", tmp, strerror(errno));
		mr_free(tmp);
		return rc;
	}
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "write failed: %s", strerror(errno));
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (!rc && fsync(fd) != 0)
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "fsync failed: %s", strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "close failed: %s", strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot rename %s: %s", tmp, strerror(errno));
	if (rc)
		unlink(tmp);
	mr_free(tmp);
	return rc;
}

int mr_net_load(const char *path, mr_net *out, mr_error *err)
{
	struct stat st;
	const mr_file_header *h;
	void *map;
	size_t size;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "not a regular file");
	}
	size = (size_t)st.st_size;
	if (size < sizeof(mr_file_header)) {
		close(fd);
		if (size >= 8) {
			/* Still tell a short foreign file from a short network file. */
			char magic[8];
			int fd2 = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t r = fd2 >= 0 ? read(fd2, magic, 8) : -1;
			if (fd2 >= 0)
				close(fd2);
			if (r == 8 && memcmp(magic, MR_FILE_MAGIC, 8) != 0)
				return mr_error_set(err, MR_EBADMAGIC, path, 0, 0, NULL, "not a Meridian network file (bad magic)");
		}
		return mr_error_set(err, MR_ETRUNCATED, path, 0, 0, NULL, "truncated: %zu bytes, shorter than the header", size);
	}
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot map: %s", strerror(errno));
	h = map;
	if (memcmp(h->magic, MR_FILE_MAGIC, 8) != 0)
		rc = mr_error_set(err, MR_EBADMAGIC, path, 0, 0, NULL, "not a Meridian network file (bad magic)");
	else if (h->byte_order != MR_FILE_BYTE_ORDER)
		rc = mr_error_set(err, MR_EVERSION, path, 0, 0, NULL, "written on a machine of another byte order");
	else if (h->version != MR_FILE_VERSION)
		rc = mr_error_set(err, MR_EVERSION, path, 0, 0, NULL,
		                  "format version %u, this program reads version %u: rebuild it with 'meridian build'",
		                  h->version, MR_FILE_VERSION);
	else if (h->file_size > size)
		rc = mr_error_set(err, MR_ETRUNCATED, path, 0, 0, NULL, "truncated: %zu of %llu bytes", size,
		                  (unsigned long long)h->file_size);
	else if (h->file_size < size)
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "%zu bytes where the header says %llu", size,
		                  (unsigned long long)h->file_size);
	else if (mr__image_checksum(map, size) != h->checksum)
		rc = mr_error_set(err, MR_ECORRUPT, path, 0, 0, NULL, "checksum mismatch: the file is damaged");
	else
		rc = mr__net_attach(out, map, size, path, err);
	if (rc) {
		munmap(map, size);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->map = map;
	out->map_size = size;
	out->mapped = 1;
	out->path = mr_strdup(path);
	if (!out->path) {
		mr__net_detach_ch(out);
		munmap(map, size);
		memset(out, 0, sizeof(*out));
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	}
	return MR_OK;
}

void mr_net_free(mr_net *net)
{
	if (!net)
		return;
	mr__net_detach_ch(net);
	if (net->map) {
		if (net->mapped)
			munmap(net->map, net->map_size);
		else
			mr_free(net->map);
	}
	mr_free(net->path);
	memset(net, 0, sizeof(*net));
}

const mr_tariff_rec *mr_net_tariff(const mr_net *net, int mode, const char *country)
{
	const mr_tariff_rec *dflt = NULL;
	uint32_t i;
	for (i = 0; i < net->meta.ntariffs; i++) {
		const mr_tariff_rec *t = &net->tariffs[i];
		if (t->mode != mode)
			continue;
		if (country[0] && strcmp(t->country, country) == 0)
			return t;
		if (!t->country[0])
			dflt = t;
	}
	return dflt;
}

unsigned mr_net_format_version(void)
{
	return MR_FILE_VERSION;
}
