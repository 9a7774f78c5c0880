/* mr_trips.c: TNTP readers for assignment: the network (*_net.tntp) into an mr_assign_net, the
 * demand (*_trips.tntp) into an mr_assign_demand and published link flows (*_flow.tntp). Every
 * error names the file, the line, the column and the field; the first error stops the read. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meridian/mr_assign.h"
#include "io/mr_csv.h"

/* ---- lines ---- */

typedef struct rd {
	FILE *fp;
	const char *path;
	char *buf;
	size_t cap;
	long line;
} rd;

static int rd_open(rd *r, const char *path, mr_error *err)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	if (!(r->fp = fopen(path, "r")))
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	return MR_OK;
}

static void rd_close(rd *r)
{
	if (r->fp)
		fclose(r->fp);
	mr_free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* 1 and the next line (end of line removed) in r->buf, 0 at the end of the file, or an error. */
static int rd_next(rd *r, mr_error *err)
{
	size_t n = 0;
	for (;;) {
		if (r->cap - n < 2) {
			size_t nc = r->cap ? r->cap * 2 : 4096;
			char *p = mr_realloc(r->buf, nc);
			if (!p)
				return mr_error_set(err, MR_ENOMEM, r->path, r->line + 1, 0, NULL, "out of memory");
			r->buf = p;
			r->cap = nc;
		}
		if (!fgets(r->buf + n, (int)(r->cap - n > 1u << 30 ? 1u << 30 : r->cap - n), r->fp)) {
			if (ferror(r->fp))
				return mr_error_set(err, MR_EIO, r->path, r->line + 1, 0, NULL, "read error");
			if (n == 0)
				return 0;
			break;
		}
		n += strlen(r->buf + n);
		if (n > 0 && r->buf[n - 1] == '\n')
			break;
	}
	r->line++;
	while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
		r->buf[--n] = '\0';
	return 1;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char *skip_ws(char *s)
{
	while (is_ws(*s))
		s++;
	return s;
}

/* Cut the next token (up to white space or ';') at *s; returns it ("" at the end) and its column. */
static char *token(char **s, char *line, int *col)
{
	char *p = skip_ws(*s), *t = p;
	*col = (int)(p - line) + 1;
	while (*p && !is_ws(*p) && *p != ';')
		p++;
	if (*p == ';')
		*p = '\0'; /* ';' ends the row: the next token is "" */
	else if (*p)
		*p++ = '\0';
	*s = p;
	return t;
}

/* A whole number in [lo, hi]; 1 if so. */
static int parse_u(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');
		if (*s < '0' || *s > '9' || v > (ULONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/* ---- metadata ---- */

enum { K_ZONES, K_NODES, K_FIRST, K_LINKS, K_TOLL, K_DIST, K_TOTAL, K_COUNT };
static const char *const meta_keys[K_COUNT] = {"<NUMBER OF ZONES>", "<NUMBER OF NODES>", "<FIRST THRU NODE>",
                                               "<NUMBER OF LINKS>", "<TOLL FACTOR>",     "<DISTANCE FACTOR>",
                                               "<TOTAL OD FLOW>"};

typedef struct meta {
	double v[K_COUNT];
	long line[K_COUNT]; /* 0 = absent */
} meta;

/* Read the metadata block up to <END OF METADATA>. Integers for the counts, numbers for the rest. */
static int read_meta(rd *r, meta *m, mr_error *err)
{
	int rc;
	memset(m, 0, sizeof(*m));
	while ((rc = rd_next(r, err)) == 1) {
		char *s = skip_ws(r->buf), *val;
		int k, col;
		if (!*s || *s == '~')
			continue;
		if (*s != '<')
			return mr_error_set(err, MR_EPARSE, r->path, r->line, (int)(s - r->buf) + 1, NULL,
			                    "data before <END OF METADATA> (is this a TNTP file?)");
		if (strncasecmp(s, "<END OF METADATA>", 17) == 0)
			return MR_OK;
		for (k = 0; k < K_COUNT; k++)
			if (strncasecmp(s, meta_keys[k], strlen(meta_keys[k])) == 0)
				break;
		if (k == K_COUNT)
			continue; /* <ORIGINAL HEADER> and others */
		val = s + strlen(meta_keys[k]);
		val = token(&val, r->buf, &col);
		if (m->line[k])
			return mr_error_set(err, MR_EPARSE, r->path, r->line, 1, meta_keys[k], "given twice (first at line %ld)",
			                    m->line[k]);
		if (k <= K_LINKS) {
			unsigned long u;
			if (!parse_u(val, k == K_ZONES || k == K_LINKS ? 0 : 1, UINT32_MAX - 2, &u))
				return mr_error_set(err, MR_EPARSE, r->path, r->line, col, meta_keys[k], "'%s' is not a %s integer", val,
				                    k == K_ZONES || k == K_LINKS ? "non-negative" : "positive");
			m->v[k] = (double)u;
		} else {
			int ok = mr__csv_number(val, &m->v[k]);
			if (ok <= 0)
				return mr_error_set(err, MR_EPARSE, r->path, r->line, col, meta_keys[k], "'%s' is not a number", val);
		}
		m->line[k] = r->line;
	}
	if (rc < 0)
		return rc;
	return mr_error_set(err, MR_EPARSE, r->path, r->line, 0, "<END OF METADATA>", "missing (is this a TNTP file?)");
}

static int need_meta(const rd *r, const meta *m, int k, mr_error *err)
{
	if (!m->line[k])
		return mr_error_set(err, MR_EPARSE, r->path, r->line, 0, meta_keys[k], "missing metadata");
	return MR_OK;
}

/* ---- the network ---- */

static const char *const net_cols[] = {"init_node", "term_node", "capacity", "length", "free_flow_time",
                                       "b",         "power",     "speed",    "toll",   "link_type"};
#define NET_REQUIRED 7 /* init_node .. power */

int mr_assign_read_net(const char *path, mr_assign_net *net, mr_error *err)
{
	rd r;
	meta m;
	uint32_t nodes, nlinks, got = 0;
	int rc;

	memset(net, 0, sizeof(*net));
	if ((rc = rd_open(&r, path, err)) != MR_OK)
		return rc;
	if ((rc = read_meta(&r, &m, err)) != MR_OK)
		goto done;
	if ((rc = need_meta(&r, &m, K_ZONES, err)) || (rc = need_meta(&r, &m, K_NODES, err)) ||
	    (rc = need_meta(&r, &m, K_FIRST, err)) || (rc = need_meta(&r, &m, K_LINKS, err)))
		goto done;
	nodes = (uint32_t)m.v[K_NODES];
	nlinks = (uint32_t)m.v[K_LINKS];
	if (m.v[K_ZONES] > nodes || m.v[K_ZONES] == 0) {
		rc = mr_error_set(err, MR_EPARSE, path, m.line[K_ZONES], 2, meta_keys[K_ZONES], "%.0f zones for %u nodes",
		                  m.v[K_ZONES], nodes);
		goto done;
	}
	if (m.v[K_FIRST] > (double)nodes + 1) {
		rc = mr_error_set(err, MR_EPARSE, path, m.line[K_FIRST], 2, meta_keys[K_FIRST], "%.0f is beyond the last node %u",
		                  m.v[K_FIRST], nodes);
		goto done;
	}
	if ((rc = mr_assign_net_init(net, nodes, (uint32_t)m.v[K_ZONES], (uint32_t)m.v[K_FIRST] - 1, nlinks)) != MR_OK) {
		mr_error_set(err, rc, path, 0, 0, NULL, "out of memory");
		goto done;
	}
	net->toll_factor = m.v[K_TOLL];
	net->distance_factor = m.v[K_DIST];
	while ((rc = rd_next(&r, err)) == 1) {
		char *s = r.buf, *tok[10];
		int col[10], nt = 0, i;
		double v[10];
		mr_assign_link *l;
		s = skip_ws(s);
		if (!*s || *s == '~')
			continue;
		while (nt < 10) {
			tok[nt] = token(&s, r.buf, &col[nt]);
			if (!*tok[nt])
				break;
			nt++;
		}
		if (nt == 0)
			continue;
		if (nt < NET_REQUIRED) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[nt], net_cols[nt],
			                  "row has %d fields; init_node, term_node, capacity, length, free_flow_time, b and power "
			                  "are required", nt);
			goto done;
		}
		if (got == nlinks) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, 1, meta_keys[K_LINKS],
			                  "more link rows than <NUMBER OF LINKS> %u (line %ld)", nlinks, m.line[K_LINKS]);
			goto done;
		}
		l = &net->links[got];
		for (i = 0; i < nt; i++) {
			if (i < 2) {
				unsigned long u;
				if (!parse_u(tok[i], 1, nodes, &u)) {
					rc = mr_error_set(err, MR_EPARSE, path, r.line, col[i], net_cols[i],
					                  "'%s' is not a node number (the network has nodes 1..%u)", tok[i], nodes);
					goto done;
				}
				v[i] = (double)u;
			} else {
				int ok = mr__csv_number(tok[i], &v[i]);
				if (ok <= 0) {
					rc = mr_error_set(err, MR_EPARSE, path, r.line, col[i], net_cols[i],
					                  ok < 0 ? "'%s' is out of range" : "'%s' is not a number", tok[i]);
					goto done;
				}
				if (v[i] < 0 && i != 8 && i != 9) {
					rc = mr_error_set(err, MR_EPARSE, path, r.line, col[i], net_cols[i], "'%s' is negative", tok[i]);
					goto done;
				}
			}
		}
		l->tail = (uint32_t)v[0] - 1;
		l->head = (uint32_t)v[1] - 1;
		l->capacity = v[2];
		l->length = v[3];
		l->fft = v[4];
		l->alpha = v[5];
		l->beta = v[6];
		l->toll = nt > 8 ? v[8] : 0;
		l->vdf = MR_VDF_BPR;
		if (l->tail == l->head) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[1], net_cols[1], "the link starts and ends at node %u",
			                  l->tail + 1);
			goto done;
		}
		if (l->alpha > 0 && l->beta > 0 && l->fft > 0 && l->capacity <= 0) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[2], net_cols[2],
			                  "capacity %s must be > 0 (b and power are > 0)", tok[2]);
			goto done;
		}
		if (l->fft + net->toll_factor * l->toll + net->distance_factor * l->length < 0) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[8], net_cols[8],
			                  "the generalized cost at zero flow is negative");
			goto done;
		}
		got++;
	}
	if (rc < 0)
		goto done;
	rc = MR_OK;
	if (got != nlinks)
		rc = mr_error_set(err, MR_EPARSE, path, m.line[K_LINKS], 2, meta_keys[K_LINKS],
		                  "the metadata says %u links but the file has %u", nlinks, got);
done:
	rd_close(&r);
	if (rc != MR_OK)
		mr_assign_net_free(net);
	return rc;
}

/* ---- the demand ---- */

typedef struct trips {
	uint32_t *o, *d;
	double *q;
	size_t n, cap;
} trips;

static int trips_push(trips *t, uint32_t o, uint32_t d, double q)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		void *p;
		if (!(p = mr_realloc(t->o, nc * sizeof(uint32_t))))
			return MR_ENOMEM;
		t->o = p;
		if (!(p = mr_realloc(t->d, nc * sizeof(uint32_t))))
			return MR_ENOMEM;
		t->d = p;
		if (!(p = mr_realloc(t->q, nc * sizeof(double))))
			return MR_ENOMEM;
		t->q = p;
		t->cap = nc;
	}
	t->o[t->n] = o;
	t->d[t->n] = d;
	t->q[t->n] = q;
	t->n++;
	return MR_OK;
}

int mr_assign_read_trips(const char *path, uint32_t zones, mr_assign_demand *dem, mr_error *err)
{
	rd r;
	meta m;
	trips t;
	uint32_t origin = UINT32_MAX;
	double total = 0;
	int rc;

	memset(dem, 0, sizeof(*dem));
	memset(&t, 0, sizeof(t));
	if ((rc = rd_open(&r, path, err)) != MR_OK)
		return rc;
	if ((rc = read_meta(&r, &m, err)) != MR_OK)
		goto done;
	if ((rc = need_meta(&r, &m, K_ZONES, err)) != MR_OK)
		goto done;
	if ((uint32_t)m.v[K_ZONES] != zones) {
		rc = mr_error_set(err, MR_EPARSE, path, m.line[K_ZONES], 2, meta_keys[K_ZONES],
		                  "%.0f zones, but the network has %u", m.v[K_ZONES], zones);
		goto done;
	}
	while ((rc = rd_next(&r, err)) == 1) {
		char *s = skip_ws(r.buf);
		if (!*s || *s == '~')
			continue;
		if (strncasecmp(s, "origin", 6) == 0) {
			char *p = s + 6, *tk;
			int col;
			unsigned long u;
			tk = token(&p, r.buf, &col);
			if (!parse_u(tk, 1, zones, &u)) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, col, "origin",
				                  "'%s' is not a zone (the network has zones 1..%u)", tk, zones);
				goto done;
			}
			origin = (uint32_t)u - 1;
			continue;
		}
		while (*(s = skip_ws(s))) {
			char *dt, *qt, *p;
			int dcol, qcol, ok;
			unsigned long u;
			double q;
			if (*s == ';') {
				s++;
				continue;
			}
			if (origin == UINT32_MAX) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, (int)(s - r.buf) + 1, "origin",
				                  "an entry before the first 'Origin' line");
				goto done;
			}
			/* destination up to ':' */
			dcol = (int)(s - r.buf) + 1;
			dt = s;
			while (*s && *s != ':' && !is_ws(*s) && *s != ';')
				s++;
			p = skip_ws(s);
			if (*p != ':') {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, (int)(p - r.buf) + 1, "destination",
				                  "':' expected after the destination (entries are 'destination : amount;')");
				goto done;
			}
			*s = '\0';
			if (!parse_u(dt, 1, zones, &u)) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, dcol, "destination",
				                  "'%s' is not a zone (the network has zones 1..%u)", dt, zones);
				goto done;
			}
			s = skip_ws(p + 1);
			qcol = (int)(s - r.buf) + 1;
			qt = s;
			while (*s && !is_ws(*s) && *s != ';')
				s++;
			if (*s)
				*s++ = '\0';
			ok = mr__csv_number(qt, &q);
			if (ok <= 0 || q < 0) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, qcol, "amount",
				                  !*qt ? "missing amount" : ok < 0 ? "'%s' is out of range" :
				                  ok == 0 ? "'%s' is not a number" : "'%s' is negative", qt);
				goto done;
			}
			total += q;
			if ((rc = trips_push(&t, origin, (uint32_t)u - 1, q)) != MR_OK) {
				mr_error_set(err, rc, path, r.line, 0, NULL, "out of memory");
				goto done;
			}
		}
	}
	if (rc < 0)
		goto done;
	rc = MR_OK;
	if (m.line[K_TOTAL] && fabs(total - m.v[K_TOTAL]) > 1e-6 * fmax(1.0, fabs(m.v[K_TOTAL]))) {
		rc = mr_error_set(err, MR_EPARSE, path, m.line[K_TOTAL], 2, meta_keys[K_TOTAL],
		                  "the metadata says %.10g but the entries add up to %.10g", m.v[K_TOTAL], total);
		goto done;
	}
	if ((rc = mr_assign_demand_build(dem, zones, t.n, t.o, t.d, t.q, err)) != MR_OK) {
		if (err && rc == MR_ENOMEM)
			snprintf(err->file, sizeof(err->file), "%s", path);
		goto done;
	}
done:
	rd_close(&r);
	mr_free(t.o);
	mr_free(t.d);
	mr_free(t.q);
	return rc;
}

/* ---- published flows ---- */

typedef struct lkey {
	uint32_t tail, head, id;
} lkey;

static int lkey_cmp(const void *x, const void *y)
{
	const lkey *a = x, *b = y;
	if (a->tail != b->tail)
		return a->tail < b->tail ? -1 : 1;
	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

int mr_assign_read_flows(const char *path, const mr_assign_net *net, double **flow, mr_error *err)
{
	rd r;
	lkey *keys = NULL;
	unsigned char *seen = NULL;
	double *f = NULL;
	uint32_t i, rows = 0;
	int rc, header = 1;

	*flow = NULL;
	if ((rc = rd_open(&r, path, err)) != MR_OK)
		return rc;
	keys = mr_malloc(((size_t)net->nlinks + 1) * sizeof(lkey));
	seen = mr_calloc((size_t)net->nlinks + 1, 1);
	f = mr_calloc((size_t)net->nlinks + 1, sizeof(double));
	if (!keys || !seen || !f) {
		rc = mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < net->nlinks; i++) {
		keys[i].tail = net->links[i].tail;
		keys[i].head = net->links[i].head;
		keys[i].id = i;
	}
	qsort(keys, net->nlinks, sizeof(lkey), lkey_cmp);
	while ((rc = rd_next(&r, err)) == 1) {
		char *s = skip_ws(r.buf), *tk[4];
		int col[4], nt = 0, ok;
		unsigned long u[2];
		double vol;
		size_t lo, hi;
		if (!*s || *s == '~' || *s == '<')
			continue;
		while (nt < 4) {
			tk[nt] = token(&s, r.buf, &col[nt]);
			if (!*tk[nt])
				break;
			nt++;
		}
		if (header && nt > 0 && (tk[0][0] < '0' || tk[0][0] > '9')) {
			header = 0; /* "From To Volume Cost" */
			continue;
		}
		header = 0;
		if (nt < 3) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, nt ? col[nt - 1] : 1, nt < 2 ? "to" : "volume",
			                  "row has %d fields; from, to and volume are required", nt);
			goto done;
		}
		for (i = 0; i < 2; i++)
			if (!parse_u(tk[i], 1, net->nodes, &u[i])) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, col[i], i ? "to" : "from",
				                  "'%s' is not a node number (the network has nodes 1..%u)", tk[i], net->nodes);
				goto done;
			}
		ok = mr__csv_number(tk[2], &vol);
		if (ok <= 0 || vol < 0) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[2], "volume",
			                  ok <= 0 ? "'%s' is not a number" : "'%s' is negative", tk[2]);
			goto done;
		}
		/* first link (tail, head) not matched yet */
		lo = 0;
		hi = net->nlinks;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			lkey k = {(uint32_t)u[0] - 1, (uint32_t)u[1] - 1, 0};
			if (lkey_cmp(&keys[mid], &k) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo < net->nlinks && keys[lo].tail == u[0] - 1 && keys[lo].head == u[1] - 1 && seen[keys[lo].id])
			lo++;
		if (lo == net->nlinks || keys[lo].tail != u[0] - 1 || keys[lo].head != u[1] - 1) {
			rc = mr_error_set(err, MR_EPARSE, path, r.line, col[0], "from",
			                  "no link %lu -> %lu in the network (or it was given before)", u[0], u[1]);
			goto done;
		}
		seen[keys[lo].id] = 1;
		f[keys[lo].id] = vol;
		rows++;
	}
	if (rc < 0)
		goto done;
	rc = MR_OK;
	if (rows != net->nlinks)
		for (i = 0; i < net->nlinks; i++)
			if (!seen[i]) {
				rc = mr_error_set(err, MR_EPARSE, path, r.line, 0, "from", "no row for link %u (%u -> %u)", i + 1,
				                  net->links[i].tail + 1, net->links[i].head + 1);
				break;
			}
done:
	rd_close(&r);
	mr_free(keys);
	mr_free(seen);
	if (rc != MR_OK)
		mr_free(f);
	else
		*flow = f;
	return rc;
}
