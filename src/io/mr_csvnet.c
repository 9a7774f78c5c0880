/* mr_csvnet.c: reads a network source folder (node.csv, link.csv and the optional transfer.csv,
 * border.csv, tariff.csv; format in docs/network-format.md) into an mr_src, reporting every
 * problem with file, line, column and field, and going on after a bad row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meridian/mr_io.h"
#include "core/mr_vec.h"
#include "io/mr_csv.h"

/* ---------------------------------------------------------------------------------------------
 * idmap: open-addressing hash from strings to uint32 values (FNV-1a, linear probing).
 * Invariants: nslots is 0 or a power of two with nslots >= 2 * count; a slot with key == NULL is
 * empty; every key appears once. Keys are borrowed (they point at strings owned by the records,
 * which do not move when the record arrays grow) unless `own` is set, in which case the map holds
 * its own copies.
 * ------------------------------------------------------------------------------------------- */
typedef struct idslot {
	const char *key;
	uint32_t hash, val;
} idslot;

typedef struct idmap {
	idslot *s;
	size_t nslots, count;
	int own;
} idmap;

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int idmap_find(const idmap *m, const char *key, uint32_t *val)
{
	uint32_t h;
	size_t i, mask;

	if (!m->nslots)
		return 0;
	h = hash_str(key);
	mask = m->nslots - 1;
	for (i = h & mask; m->s[i].key; i = (i + 1) & mask) {
		if (m->s[i].hash == h && strcmp(m->s[i].key, key) == 0) {
			*val = m->s[i].val;
			return 1;
		}
	}
	return 0;
}

static void idmap_insert_slot(idslot *s, size_t nslots, idslot x)
{
	size_t mask = nslots - 1, i;
	for (i = x.hash & mask; s[i].key; i = (i + 1) & mask)
		;
	s[i] = x;
}

/* Add key (must not be present). MR_OK or MR_ENOMEM (then the map is unchanged). */
static int idmap_put(idmap *m, const char *key, uint32_t val)
{
	idslot x;

	if (2 * (m->count + 1) > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 64, i;
		idslot *ns = mr_calloc(n, sizeof(*ns));
		if (!ns)
			return MR_ENOMEM;
		for (i = 0; i < m->nslots; i++)
			if (m->s[i].key)
				idmap_insert_slot(ns, n, m->s[i]);
		mr_free(m->s);
		m->s = ns;
		m->nslots = n;
	}
	x.key = m->own ? mr_strdup(key) : key;
	if (!x.key)
		return MR_ENOMEM;
	x.hash = hash_str(key);
	x.val = val;
	idmap_insert_slot(m->s, m->nslots, x);
	m->count++;
	return MR_OK;
}

static void idmap_free(idmap *m)
{
	size_t i;
	if (m->own)
		for (i = 0; i < m->nslots; i++)
			mr_free((void *)m->s[i].key);
	mr_free(m->s);
	m->s = NULL;
	m->nslots = m->count = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Files and their columns.
 * ------------------------------------------------------------------------------------------- */
typedef struct colspec {
	const char *name;
	int required;
} colspec;

enum { N_ID, N_NAME, N_X, N_Y, N_TYPE, N_COUNTRY, N_UNLOCODE, N_ALIASES, N_NCOLS };
static const colspec node_cols[N_NCOLS] = {
	{"node_id", 1}, {"name", 0},    {"x_coord", 1},  {"y_coord", 1},
	{"node_type", 0}, {"country", 0}, {"unlocode", 0}, {"aliases", 0},
};

enum {
	L_ID, L_FROM, L_TO, L_DIRECTED, L_MODE, L_LENGTH, L_GAUGE, L_ELECTRIFIED, L_SPEED,
	L_CAPACITY, L_STATUS, L_TAGS, L_SOURCE, L_COUNTRY, L_PASSAGE, L_SERVICES, L_TOLL, L_NAME,
	L_DELAY, L_NCOLS
};
static const colspec link_cols[L_NCOLS] = {
	{"link_id", 1},     {"from_node_id", 1}, {"to_node_id", 1},     {"directed", 0},
	{"mode", 1},        {"length_km", 1},    {"gauge_mm", 0},       {"electrified", 0},
	{"free_speed_kmh", 0}, {"capacity", 0}, {"status", 0},         {"tags", 0},
	{"source", 0},      {"country", 0},      {"passage", 0},        {"services_per_week", 0},
	{"toll_usd", 0},    {"name", 0},         {"delay_h", 0},
};

enum {
	T_NODE, T_FROM_MODE, T_TO_MODE, T_FROM_GAUGE, T_TO_GAUGE, T_TIME, T_COST, T_CO2E,
	T_DIRECTED, T_SOURCE, T_NCOLS
};
static const colspec transfer_cols[T_NCOLS] = {
	{"node_id", 1},       {"from_mode", 1}, {"to_mode", 1},  {"from_gauge_mm", 0},
	{"to_gauge_mm", 0},   {"time_h", 1},    {"cost_usd", 1}, {"co2e_kg", 0},
	{"directed", 0},      {"source", 0},
};

enum {
	B_ID, B_NODE, B_COUNTRY_A, B_COUNTRY_B, B_DWELL, B_FEE, B_STATUS, B_NAME, B_SOURCE, B_NCOLS
};
static const colspec border_cols[B_NCOLS] = {
	{"border_id", 1}, {"node_id", 1}, {"country_a", 1}, {"country_b", 1}, {"dwell_h", 1},
	{"fee_usd", 1},   {"status", 0},  {"name", 0},      {"source", 0},
};

enum { F_MODE, F_COUNTRY, F_USD_KM, F_FIXED, F_CO2E_KM, F_SPEED, F_SOURCE, F_NCOLS };
static const colspec tariff_cols[F_NCOLS] = {
	{"mode", 1},     {"country", 0}, {"usd_per_teu_km", 0}, {"fixed_usd", 0},
	{"co2e_kg_per_teu_km", 0},       {"speed_kmh", 0},      {"source", 0},
};

#define MR__MAXCOLS 19
_Static_assert(N_NCOLS <= MR__MAXCOLS && L_NCOLS <= MR__MAXCOLS && T_NCOLS <= MR__MAXCOLS &&
                   B_NCOLS <= MR__MAXCOLS && F_NCOLS <= MR__MAXCOLS,
               "MR__MAXCOLS too small");

/* ---------------------------------------------------------------------------------------------
 * Reader state.
 * ------------------------------------------------------------------------------------------- */
typedef struct reader {
	const char *dir;
	uint32_t dir_index; /* of dir in the folders being read */
	mr_diag_fn diag;
	void *ud;
	mr_diag_counts *counts;
	mr_error *first;
	int have_first;
	int rc;           /* worst outcome so far: MR_OK, MR_EPARSE or MR_EIO */
	int nodes_known;  /* node ids can be resolved (node.csv was read with its node_id column) */
	int nodes_seen;   /* a node.csv (or its absence) has been met */
	/* the table being read */
	char path[sizeof(((mr_error *)0)->file)];
	mr_csv csv;
	const colspec *cols;
	int ncols;
	int colidx[MR__MAXCOLS]; /* field index of each known column, -1 if absent */
	char **hdr;              /* header names, nhdr copies */
	size_t nhdr;
	char **f;                /* the current row's fields, trimmed, nhdr entries */
	long line;               /* the current row's first line */
	/* results */
	MR_VEC(mr_src_node) nodes;
	MR_VEC(mr_src_link) links;
	MR_VEC(mr_src_transfer) transfers;
	MR_VEC(mr_src_border) borders;
	MR_VEC(mr_src_tariff) tariffs;
	idmap node_ids, link_ids, border_ids, transfer_keys, tariff_keys;
} reader;

static void emit(reader *r, int sev, const mr_error *e)
{
	if (sev == MR_ERROR) {
		r->counts->errors++;
		if (!r->have_first && r->first)
			*r->first = *e;
		r->have_first = 1;
		if (e->code == MR_EIO)
			r->rc = MR_EIO;
		else if (r->rc == MR_OK)
			r->rc = MR_EPARSE;
	} else {
		r->counts->warnings++;
	}
	if (r->diag)
		r->diag(r->ud, sev, e);
}

static void report(reader *r, int sev, int code, long line, int column, const char *field,
                   const char *fmt, ...) MR_PRINTF(7, 8);
static void report(reader *r, int sev, int code, long line, int column, const char *field,
                   const char *fmt, ...)
{
	mr_error e;
	char msg[sizeof(e.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_error_clear(&e);
	mr_error_set(&e, code, r->path, line, column, field, "%s", msg);
	emit(r, sev, &e);
}

/* A problem with known column c of the current row. */
static void col_diag(reader *r, int sev, int c, const char *fmt, ...) MR_PRINTF(4, 5);
static void col_diag(reader *r, int sev, int c, const char *fmt, ...)
{
	mr_error e;
	char msg[sizeof(e.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_error_clear(&e);
	mr_error_set(&e, sev == MR_ERROR ? MR_EPARSE : MR_OK, r->path, r->line,
	             r->colidx[c] >= 0 ? r->colidx[c] + 1 : 0, r->cols[c].name, "%s", msg);
	emit(r, sev, &e);
}

#define row_err(r, c, ...) col_diag((r), MR_ERROR, (c), __VA_ARGS__)

/* The trimmed value of known column c in the current row, or NULL if the file has no such
 * column. */
static const char *val(const reader *r, int c)
{
	return r->colidx[c] >= 0 ? r->f[r->colidx[c]] : NULL;
}

static int is_empty(const char *v)
{
	return !v || !*v;
}

/* A required value that is empty is an error; an absent required column was reported with the
 * header. Returns 1 if v has a value. */
static int need(reader *r, int c, const char *v)
{
	if (!v)
		return 0;
	if (!*v) {
		row_err(r, c, "required value is missing");
		return 0;
	}
	return 1;
}

/* ---- values ---- */

static int isdig(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int isupper_ascii(int ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static int isalpha_ascii(int ch)
{
	return isupper_ascii(ch) || (ch >= 'a' && ch <= 'z');
}


enum { NUM_REQ = 1, NUM_GE0 = 2, NUM_GT0 = 4 };

/* Number in column c. Returns 1 with *out set, 0 if empty or absent (*out = 0), -1 if bad
 * (reported). */
static int get_num(reader *r, int c, unsigned flags, double *out)
{
	const char *v = val(r, c);
	int k;

	*out = 0;
	if (is_empty(v)) {
		if (flags & NUM_REQ)
			need(r, c, v);
		return 0;
	}
	k = mr__csv_number(v, out);
	if (k == 0) {
		row_err(r, c, "'%.60s' is not a number", v);
		return -1;
	}
	if (k < 0) {
		row_err(r, c, "'%.60s' is out of range", v);
		return -1;
	}
	if ((flags & (NUM_GE0 | NUM_GT0)) && *out < 0) {
		row_err(r, c, "'%.60s' is negative (must be >= 0)", v);
		return -1;
	}
	if ((flags & NUM_GT0) && *out == 0) {
		row_err(r, c, "must be > 0 when given (leave it empty for the default)");
		return -1;
	}
	if (*out == 0)
		*out = 0; /* no -0 */
	return 1;
}

/* 0/1/true/false (any case), empty = 0. */
static int get_bool(reader *r, int c, int *out)
{
	const char *v = val(r, c);

	*out = 0;
	if (is_empty(v) || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0) {
		*out = 1;
		return 1;
	}
	row_err(r, c, "'%.60s' is not a boolean (expected 0, 1, true or false)", v);
	return -1;
}

/* Required mode. Returns the mode or -1. */
static int get_mode(reader *r, int c)
{
	const char *v = val(r, c);
	int m;

	if (!need(r, c, v))
		return -1;
	m = mr_mode_parse(v);
	if (m < 0)
		row_err(r, c, "unknown mode '%.60s' (expected sea, ferry, rail, road or iww)", v);
	return m;
}

/* Status: empty = open; borders do not take "planned". */
static int get_status(reader *r, int c, int allow_planned)
{
	const char *v = val(r, c);
	int s;

	if (is_empty(v))
		return MR_STATUS_OPEN;
	s = mr_status_parse(v);
	if (s < 0 || (!allow_planned && s == MR_STATUS_PLANNED)) {
		row_err(r, c, "unknown status '%.60s' (expected open, %sclosed or restricted)", v,
		        allow_planned ? "planned, " : "");
		return MR_STATUS_OPEN;
	}
	return s;
}

enum { ISO_REQ = 1, ISO_STAR = 2 };

/* ISO 3166-1 alpha-3 (exactly three uppercase letters) into out ("" when empty, or '*' when
 * ISO_STAR). Returns 1 if a code was stored, 0 if none, -1 if bad (reported). */
static int get_iso3(reader *r, int c, unsigned flags, char out[4])
{
	const char *v = val(r, c);

	out[0] = '\0';
	if (is_empty(v)) {
		if (flags & ISO_REQ)
			need(r, c, v);
		return 0;
	}
	if ((flags & ISO_STAR) && strcmp(v, "*") == 0)
		return 0;
	if (strlen(v) != 3 || !isupper_ascii(v[0]) || !isupper_ascii(v[1]) || !isupper_ascii(v[2])) {
		row_err(r, c, "'%.60s' is not an ISO 3166-1 alpha-3 country code (3 uppercase letters)",
		        v);
		return -1;
	}
	memcpy(out, v, 4);
	return 1;
}

/* Gauge for a link (side == NULL) or a transfer side ("from", "to") whose mode is `mode` (-1 if
 * unknown: then only the number is checked). Rail needs a known gauge; other modes take empty
 * or 0. */
static int get_gauge(reader *r, int c, int mode, const char *side)
{
	const char *v = val(r, c);
	double g;
	int k;

	if (is_empty(v)) { /* an absent column too: rail needs it */
		if (mode == MR_MODE_RAIL)
			row_err(r, c, "required for %s (a gauge in mm: 1520, 1435, 1676, 1067 or 1000)",
			        side ? "a rail side" : "rail links");
		return 0;
	}
	k = mr__csv_number(v, &g);
	if (k <= 0 || g != floor(g) || g < 0 || g > 100000) {
		row_err(r, c, "'%.60s' is not a gauge in whole mm", v);
		return 0;
	}
	if (mode < 0)
		return (int)g;
	if (mode != MR_MODE_RAIL) {
		if (g != 0)
			row_err(r, c, "must be empty or 0 for %s%s %s (a gauge is for rail only)",
			        side ? "a " : "", mr_mode_name(mode), side ? "side" : "links");
		return 0;
	}
	if (!mr_gauge_known((int)g)) {
		row_err(r, c, "unknown gauge %d mm (known: 1520, 1435, 1676, 1067, 1000)", (int)g);
		return 0;
	}
	return (int)g;
}

/* A node reference. '*' gives MR_NONE when allow_star. Returns 1 if resolved. */
static int get_node(reader *r, int c, int allow_star, uint32_t *out)
{
	const char *v = val(r, c);

	*out = MR_NONE;
	if (!need(r, c, v))
		return 0;
	if (allow_star && strcmp(v, "*") == 0)
		return 1;
	if (!r->nodes_known)
		return 0;
	if (!idmap_find(&r->node_ids, v, out)) {
		row_err(r, c, "unknown node '%.60s'", v);
		return 0;
	}
	return 1;
}

/* Copy of column c's value ("" when absent). MR_OK or MR_ENOMEM. */
static int dup_val(reader *r, int c, char **out)
{
	const char *v = val(r, c);
	*out = mr_strdup(v ? v : "");
	return *out ? MR_OK : MR_ENOMEM;
}

/* A unique id in column c registered in m with value idx. Returns MR_ENOMEM or MR_OK; *out gets
 * a copy of the id. `line_of` gives the line of the record with index i for the message. */
static int get_id(reader *r, int c, idmap *m, uint32_t idx, const long *lines, size_t stride,
                  char **out)
{
	const char *v = val(r, c);
	uint32_t prev;

	if (dup_val(r, c, out))
		return MR_ENOMEM;
	if (!need(r, c, v))
		return MR_OK;
	if (idmap_find(m, v, &prev)) {
		const long *pl = (const long *)((const char *)lines + (size_t)prev * stride);
		row_err(r, c, "duplicate %s '%.60s' (first at line %ld)", r->cols[c].name, v, *pl);
		return MR_OK;
	}
	return idmap_put(m, *out, idx);
}

/* ---------------------------------------------------------------------------------------------
 * Tables.
 * ------------------------------------------------------------------------------------------- */
static void close_table(reader *r)
{
	size_t i;
	mr_csv_close(&r->csv);
	for (i = 0; r->hdr && i < r->nhdr; i++)
		mr_free(r->hdr[i]);
	mr_free(r->hdr);
	mr_free(r->f);
	r->hdr = NULL;
	r->f = NULL;
	r->nhdr = 0;
}

static void trim(char **p)
{
	char *s = *p, *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	*p = s;
}

/* Report a CSV-level error from the reader with the name of the column it is in. */
static void csv_diag(reader *r, const mr_error *ce)
{
	mr_error e = *ce;
	if (e.column > 0 && (size_t)e.column <= r->nhdr)
		snprintf(e.field, sizeof(e.field), "%s", r->hdr[e.column - 1]);
	memcpy(e.file, r->path, sizeof(e.file));
	emit(r, MR_ERROR, &e);
}

/* Open <dir>/<name>.csv and read its header. Returns 1 if rows can be read, 0 if the file is
 * absent or unusable (reported when it matters), MR_ENOMEM. */
static int open_table(reader *r, const char *name, const colspec *cols, int ncols, int required)
{
	mr_error ce;
	size_t len = strlen(r->dir), i;
	int rc, c;

	/* "<dir>/<name>.csv"; no second '/' after one that ends dir, none after an empty dir */
	snprintf(r->path, sizeof(r->path), "%s%s%s.csv", r->dir,
	         !len || r->dir[len - 1] == '/' ? "" : "/", name);
	r->cols = cols;
	r->ncols = ncols;
	for (c = 0; c < MR__MAXCOLS; c++)
		r->colidx[c] = -1;
	mr_error_clear(&ce);
	rc = mr_csv_open(&r->csv, r->path, MR_CSV_SKIP_COMMENTS, &ce);
	if (rc == MR_ENOMEM)
		return MR_ENOMEM;
	if (rc == MR_ENOTFOUND) {
		if (required)
			report(r, MR_ERROR, MR_EIO, 1, 0, NULL, "required file is missing");
		return 0;
	}
	if (rc) {
		report(r, MR_ERROR, MR_EIO, 1, 0, NULL, "cannot read the file: %s", ce.msg);
		return 0;
	}
	rc = mr_csv_next(&r->csv, &ce);
	if (rc == MR_ENOMEM)
		goto nomem;
	if (rc == 0) {
		report(r, MR_ERROR, MR_EPARSE, 1, 0, NULL, "empty file: no header row");
		close_table(r);
		return 0;
	}
	if (rc < 0) {
		csv_diag(r, &ce);
		close_table(r);
		return 0;
	}
	r->line = r->csv.row_line;
	r->nhdr = mr_csv_nfields(&r->csv);
	r->hdr = mr_calloc(r->nhdr, sizeof(*r->hdr));
	r->f = mr_calloc(r->nhdr, sizeof(*r->f));
	if (!r->hdr || !r->f)
		goto nomem;
	for (i = 0; i < r->nhdr; i++) {
		char *h = mr_csv_field(&r->csv, i);
		trim(&h);
		if (!(r->hdr[i] = mr_strdup(h)))
			goto nomem;
	}
	/* known columns by name (case is ignored); unknown ones, even repeated, are ignored */
	for (i = 0; i < r->nhdr; i++) {
		for (c = 0; c < ncols; c++) {
			if (strcasecmp(r->hdr[i], cols[c].name) != 0)
				continue;
			if (r->colidx[c] >= 0)
				report(r, MR_ERROR, MR_EPARSE, r->line, (int)i + 1, r->hdr[i],
				       "duplicate column (also column %d)", r->colidx[c] + 1);
			else
				r->colidx[c] = (int)i;
		}
	}
	for (c = 0; c < ncols; c++)
		if (cols[c].required && r->colidx[c] < 0)
			report(r, MR_ERROR, MR_EPARSE, r->line, 0, cols[c].name,
			       "missing required column");
	return 1;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* Next well-formed row into r->f. Returns 1, 0 at the end, MR_ENOMEM. */
static int next_row(reader *r)
{
	mr_error ce;
	size_t nf, i;
	int rc;

	for (;;) {
		rc = mr_csv_next(&r->csv, &ce); /* ce is filled when rc < 0 */
		if (rc == 0)
			return 0;
		if (rc == MR_ENOMEM)
			return MR_ENOMEM;
		if (rc < 0) {
			csv_diag(r, &ce);
			continue;
		}
		r->line = r->csv.row_line;
		nf = mr_csv_nfields(&r->csv);
		if (nf < r->nhdr) {
			report(r, MR_ERROR, MR_EPARSE, r->line, (int)nf + 1, r->hdr[nf],
			       "row has %zu field%s but the header has %zu: this column is missing", nf,
			       nf == 1 ? "" : "s", r->nhdr);
			continue;
		}
		if (nf > r->nhdr) {
			report(r, MR_ERROR, MR_EPARSE, r->line, (int)r->nhdr + 1, NULL,
			       "row has %zu fields but the header has only %zu", nf, r->nhdr);
			continue;
		}
		for (i = 0; i < nf; i++) {
			r->f[i] = mr_csv_field(&r->csv, i);
			trim(&r->f[i]);
		}
		return 1;
	}
}

/* ---- node.csv ---- */

static int unlocode_ok(char *v)
{
	int i;
	if (strlen(v) != 5)
		return 0;
	for (i = 0; i < 5; i++) {
		if (!(isalpha_ascii(v[i]) || (i >= 2 && isdig(v[i]))))
			return 0;
	}
	for (i = 0; i < 5; i++)
		if (v[i] >= 'a' && v[i] <= 'z')
			v[i] = (char)(v[i] - 'a' + 'A');
	return 1;
}

static int read_nodes(reader *r)
{
	int rc;
	double x, y;

	rc = open_table(r, "node", node_cols, N_NCOLS, 1);
	if (rc <= 0) {
		r->nodes_known = 0; /* ids of this folder are unknown: do not report dangling links */
		r->nodes_seen = 1;
		return rc;
	}
	/* With several folders, ids resolve only if every node.csv had its node_id column. */
	r->nodes_known = (!r->nodes_seen || r->nodes_known) && r->colidx[N_ID] >= 0;
	r->nodes_seen = 1;
	while ((rc = next_row(r)) == 1) {
		mr_src_node *n;
		char *u;
		if (r->nodes.n >= MR_NONE) {
			report(r, MR_ERROR, MR_EPARSE, r->line, 0, NULL, "too many nodes");
			break;
		}
		if (mr_vec_reserve(&r->nodes, r->nodes.n + 1))
			goto nomem;
		n = &r->nodes.v[r->nodes.n++];
		memset(n, 0, sizeof(*n));
		n->line = r->line;
		n->dir = r->dir_index;
		if (get_id(r, N_ID, &r->node_ids, (uint32_t)(r->nodes.n - 1), &r->nodes.v[0].line,
		           sizeof(*n), &n->id))
			goto nomem;
		if (dup_val(r, N_NAME, &n->name) || dup_val(r, N_TYPE, &n->type) ||
		    dup_val(r, N_UNLOCODE, &n->unlocode) || dup_val(r, N_ALIASES, &n->aliases))
			goto nomem;
		if (get_num(r, N_X, NUM_REQ, &x) > 0 && (x < -180 || x > 180))
			row_err(r, N_X, "longitude %g is outside -180..180", x);
		if (get_num(r, N_Y, NUM_REQ, &y) > 0 && (y < -90 || y > 90))
			row_err(r, N_Y, "latitude %g is outside -90..90", y);
		n->lon = x;
		n->lat = y;
		get_iso3(r, N_COUNTRY, 0, n->country);
		u = n->unlocode;
		if (*u && !unlocode_ok(u))
			row_err(r, N_UNLOCODE,
			        "'%.60s' is not a UN/LOCODE (2 letters and 3 letters or digits, such "
			        "as IRBND)",
			        u);
	}
	close_table(r);
	return rc;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* ---- link.csv ---- */

static int read_links(reader *r)
{
	int rc, rf, rt;

	rc = open_table(r, "link", link_cols, L_NCOLS, 1);
	if (rc <= 0)
		return rc;
	if (r->colidx[L_SOURCE] < 0)
		report(r, MR_WARNING, MR_OK, r->line, 0, "source",
		       "no source column: no link says where its data comes from");
	while ((rc = next_row(r)) == 1) {
		mr_src_link *l;
		if (r->links.n >= MR_NONE) {
			report(r, MR_ERROR, MR_EPARSE, r->line, 0, NULL, "too many links");
			break;
		}
		if (mr_vec_reserve(&r->links, r->links.n + 1))
			goto nomem;
		l = &r->links.v[r->links.n++];
		memset(l, 0, sizeof(*l));
		l->line = r->line;
		l->dir = r->dir_index;
		if (get_id(r, L_ID, &r->link_ids, (uint32_t)(r->links.n - 1), &r->links.v[0].line,
		           sizeof(*l), &l->id))
			goto nomem;
		if (dup_val(r, L_TAGS, &l->tags) || dup_val(r, L_SOURCE, &l->source) ||
		    dup_val(r, L_PASSAGE, &l->passage) || dup_val(r, L_NAME, &l->name))
			goto nomem;
		rf = get_node(r, L_FROM, 0, &l->from);
		rt = get_node(r, L_TO, 0, &l->to);
		if (rf && rt && l->from == l->to)
			row_err(r, L_TO, "the link starts and ends at node '%.60s'", val(r, L_TO));
		get_bool(r, L_DIRECTED, &l->directed);
		l->mode = get_mode(r, L_MODE);
		get_num(r, L_LENGTH, NUM_REQ | NUM_GE0, &l->length_km);
		l->gauge_mm = get_gauge(r, L_GAUGE, l->mode, NULL);
		if (l->mode < 0)
			l->mode = 0;
		get_bool(r, L_ELECTRIFIED, &l->electrified);
		get_num(r, L_SPEED, NUM_GT0, &l->free_speed_kmh);
		get_num(r, L_CAPACITY, NUM_GE0, &l->capacity);
		l->status = get_status(r, L_STATUS, 1);
		get_iso3(r, L_COUNTRY, 0, l->country);
		get_num(r, L_SERVICES, NUM_GE0, &l->services_per_week);
		get_num(r, L_TOLL, NUM_GE0, &l->toll_usd);
		get_num(r, L_DELAY, NUM_GE0, &l->delay_h);
		if (r->colidx[L_SOURCE] >= 0 && !*l->source)
			col_diag(r, MR_WARNING, L_SOURCE, "no source");
	}
	close_table(r);
	return rc;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* ---- transfer.csv ---- */

/* Key of a transfer rule at a node (or '*') from one (mode, gauge) to another. */
static void transfer_key(char *buf, size_t size, uint32_t node, int fm, int fg, int tm, int tg)
{
	if (node == MR_NONE)
		snprintf(buf, size, "*|%d|%d|%d|%d", fm, fg, tm, tg);
	else
		snprintf(buf, size, "%u|%d|%d|%d|%d", (unsigned)node, fm, fg, tm, tg);
}

/* Is the directed rule (sides of t, reversed if rev) at t's node already given? Reports it. */
static int transfer_dup(reader *r, const mr_src_transfer *t, int rev, const char *node_id)
{
	char key[96];
	uint32_t prev;

	if (rev)
		transfer_key(key, sizeof(key), t->node, t->to_mode, t->to_gauge_mm, t->from_mode,
		             t->from_gauge_mm);
	else
		transfer_key(key, sizeof(key), t->node, t->from_mode, t->from_gauge_mm, t->to_mode,
		             t->to_gauge_mm);
	if (!idmap_find(&r->transfer_keys, key, &prev))
		return 0;
	row_err(r, T_NODE, "duplicate transfer rule at '%.60s' from %s to %s (first at line %ld)",
	        node_id, mr_mode_name(rev ? t->to_mode : t->from_mode),
	        mr_mode_name(rev ? t->from_mode : t->to_mode), r->transfers.v[prev].line);
	return 1;
}

/* Register the direction(s) of record idx. MR_OK or MR_ENOMEM. */
static int transfer_register(reader *r, uint32_t idx)
{
	const mr_src_transfer *t = &r->transfers.v[idx];
	char key[96];

	transfer_key(key, sizeof(key), t->node, t->from_mode, t->from_gauge_mm, t->to_mode,
	             t->to_gauge_mm);
	if (idmap_put(&r->transfer_keys, key, idx))
		return MR_ENOMEM;
	if (t->directed)
		return MR_OK;
	transfer_key(key, sizeof(key), t->node, t->to_mode, t->to_gauge_mm, t->from_mode,
	             t->from_gauge_mm);
	return idmap_put(&r->transfer_keys, key, idx);
}

/* One record per row; a rule that is not directed applies both ways. The same direction given
 * twice at one node (or twice as a default) is an error. */
static int read_transfers(reader *r)
{
	int rc, ok, fm, tm;

	rc = open_table(r, "transfer", transfer_cols, T_NCOLS, 0);
	if (rc <= 0)
		return rc;
	while ((rc = next_row(r)) == 1) {
		size_t before = r->counts->errors;
		mr_src_transfer *t;
		if (mr_vec_reserve(&r->transfers, r->transfers.n + 1))
			goto nomem;
		t = &r->transfers.v[r->transfers.n++];
		memset(t, 0, sizeof(*t));
		t->line = r->line;
		t->dir = r->dir_index;
		if (dup_val(r, T_SOURCE, &t->source))
			goto nomem;
		ok = get_node(r, T_NODE, 1, &t->node);
		fm = get_mode(r, T_FROM_MODE);
		tm = get_mode(r, T_TO_MODE);
		t->from_gauge_mm = get_gauge(r, T_FROM_GAUGE, fm, "from");
		t->to_gauge_mm = get_gauge(r, T_TO_GAUGE, tm, "to");
		get_num(r, T_TIME, NUM_REQ | NUM_GE0, &t->time_h);
		get_num(r, T_COST, NUM_REQ | NUM_GE0, &t->cost_usd);
		get_num(r, T_CO2E, NUM_GE0, &t->co2e_kg);
		get_bool(r, T_DIRECTED, &t->directed);
		t->from_mode = fm < 0 ? 0 : fm;
		t->to_mode = tm < 0 ? 0 : tm;
		if (fm >= 0 && tm >= 0 && fm == tm && t->from_gauge_mm == t->to_gauge_mm) {
			if (fm == MR_MODE_RAIL)
				row_err(r, T_TO_MODE,
				        "both sides are rail %d mm: a transfer joins two different modes or "
				        "gauges",
				        t->to_gauge_mm);
			else
				row_err(r, T_TO_MODE,
				        "both sides are %s: a transfer joins two different modes or gauges",
				        mr_mode_name(fm));
		}
		if (!ok || fm < 0 || tm < 0 || r->counts->errors != before)
			continue; /* the row is reported; the result will be discarded */
		if (transfer_dup(r, t, 0, val(r, T_NODE)) ||
		    (!t->directed && transfer_dup(r, t, 1, val(r, T_NODE))))
			continue;
		if (transfer_register(r, (uint32_t)(r->transfers.n - 1)))
			goto nomem;
	}
	close_table(r);
	return rc;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* ---- border.csv ---- */

static int read_borders(reader *r)
{
	int rc;

	rc = open_table(r, "border", border_cols, B_NCOLS, 0);
	if (rc <= 0)
		return rc;
	while ((rc = next_row(r)) == 1) {
		mr_src_border *b;
		if (mr_vec_reserve(&r->borders, r->borders.n + 1))
			goto nomem;
		b = &r->borders.v[r->borders.n++];
		memset(b, 0, sizeof(*b));
		b->line = r->line;
		b->dir = r->dir_index;
		if (get_id(r, B_ID, &r->border_ids, (uint32_t)(r->borders.n - 1), &r->borders.v[0].line,
		           sizeof(*b), &b->id))
			goto nomem;
		if (dup_val(r, B_NAME, &b->name) || dup_val(r, B_SOURCE, &b->source))
			goto nomem;
		get_node(r, B_NODE, 0, &b->node);
		if (get_iso3(r, B_COUNTRY_A, ISO_REQ, b->country_a) > 0 &&
		    get_iso3(r, B_COUNTRY_B, ISO_REQ, b->country_b) > 0 &&
		    strcmp(b->country_a, b->country_b) == 0)
			row_err(r, B_COUNTRY_B, "same country as country_a ('%s')", b->country_a);
		get_num(r, B_DWELL, NUM_REQ | NUM_GE0, &b->dwell_h);
		get_num(r, B_FEE, NUM_REQ | NUM_GE0, &b->fee_usd);
		b->status = get_status(r, B_STATUS, 0);
	}
	close_table(r);
	return rc;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* ---- tariff.csv ---- */

static int read_tariffs(reader *r)
{
	char key[32];
	uint32_t prev;
	int rc, bad;

	rc = open_table(r, "tariff", tariff_cols, F_NCOLS, 0);
	if (rc <= 0)
		return rc;
	while ((rc = next_row(r)) == 1) {
		mr_src_tariff *t;
		if (mr_vec_reserve(&r->tariffs, r->tariffs.n + 1))
			goto nomem;
		t = &r->tariffs.v[r->tariffs.n++];
		memset(t, 0, sizeof(*t));
		t->line = r->line;
		t->dir = r->dir_index;
		if (dup_val(r, F_SOURCE, &t->source))
			goto nomem;
		t->mode = get_mode(r, F_MODE);
		bad = get_iso3(r, F_COUNTRY, ISO_STAR, t->country) < 0;
		get_num(r, F_USD_KM, NUM_GE0, &t->usd_per_teu_km);
		get_num(r, F_FIXED, NUM_GE0, &t->fixed_usd);
		get_num(r, F_CO2E_KM, NUM_GE0, &t->co2e_kg_per_teu_km);
		get_num(r, F_SPEED, NUM_GT0, &t->speed_kmh);
		if (t->mode < 0) {
			t->mode = 0;
			continue;
		}
		if (bad)
			continue;
		snprintf(key, sizeof(key), "%d|%s", t->mode, t->country);
		if (idmap_find(&r->tariff_keys, key, &prev)) {
			row_err(r, F_MODE, "duplicate tariff for %s in %s (first at line %ld)",
			        mr_mode_name(t->mode), t->country[0] ? t->country : "every country",
			        r->tariffs.v[prev].line);
			continue;
		}
		if (idmap_put(&r->tariff_keys, key, (uint32_t)(r->tariffs.n - 1)))
			goto nomem;
	}
	close_table(r);
	return rc;
nomem:
	close_table(r);
	return MR_ENOMEM;
}

/* ---------------------------------------------------------------------------------------------
 * Entry point.
 * ------------------------------------------------------------------------------------------- */
static void move_results(reader *r, mr_src *src)
{
	src->nodes = r->nodes.v;
	src->nnodes = r->nodes.n;
	src->links = r->links.v;
	src->nlinks = r->links.n;
	src->transfers = r->transfers.v;
	src->ntransfers = r->transfers.n;
	src->borders = r->borders.v;
	src->nborders = r->borders.n;
	src->tariffs = r->tariffs.v;
	src->ntariffs = r->tariffs.n;
	memset(&r->nodes, 0, sizeof(r->nodes));
	memset(&r->links, 0, sizeof(r->links));
	memset(&r->transfers, 0, sizeof(r->transfers));
	memset(&r->borders, 0, sizeof(r->borders));
	memset(&r->tariffs, 0, sizeof(r->tariffs));
}

int mr_csvnet_read(const char *dir, mr_src *src, mr_diag_fn diag, void *ud,
                   mr_diag_counts *counts, mr_error *first_err)
{
	const char *one = dir ? dir : ".";
	return mr_csvnet_read_dirs(&one, 1, src, diag, ud, counts, first_err);
}

/* src->dirs and src->dir ("a + b + c"). */
static int set_dirs(mr_src *src, const char *const *dirs, size_t n)
{
	size_t i, len = 1;
	src->dirs = mr_calloc(n, sizeof(char *));
	if (!src->dirs)
		return MR_ENOMEM;
	src->ndirs = n;
	for (i = 0; i < n; i++) {
		if (!(src->dirs[i] = mr_strdup(dirs[i])))
			return MR_ENOMEM;
		len += strlen(dirs[i]) + 3;
	}
	if (!(src->dir = mr_malloc(len)))
		return MR_ENOMEM;
	src->dir[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(src->dir, " + ");
		strcat(src->dir, dirs[i]);
	}
	return MR_OK;
}

int mr_csvnet_read_dirs(const char *const *dirs, size_t ndirs, mr_src *src, mr_diag_fn diag,
                        void *ud, mr_diag_counts *counts, mr_error *first_err)
{
	reader r;
	mr_diag_counts local;
	size_t i;
	int rc;

	memset(src, 0, sizeof(*src));
	memset(&r, 0, sizeof(r));
	if (!counts)
		counts = &local;
	memset(counts, 0, sizeof(*counts));
	if (first_err)
		mr_error_clear(first_err);
	if (!dirs || ndirs == 0 || ndirs >= UINT32_MAX)
		return mr_error_set(first_err, MR_EINVAL, NULL, 0, 0, NULL, "no network folder given");
	r.dir = dirs[0];
	r.diag = diag;
	r.ud = ud;
	r.counts = counts;
	r.first = first_err;
	r.transfer_keys.own = 1;
	r.tariff_keys.own = 1;

	if ((rc = set_dirs(src, dirs, ndirs)))
		goto fail;
	/* Every node first, so that links of any folder can name nodes of any other. */
	for (i = 0; i < ndirs; i++) {
		r.dir = dirs[i];
		r.dir_index = (uint32_t)i;
		if ((rc = read_nodes(&r)) < 0)
			goto fail;
	}
	for (i = 0; i < ndirs; i++) {
		r.dir = dirs[i];
		r.dir_index = (uint32_t)i;
		if ((rc = read_links(&r)) < 0 || (rc = read_transfers(&r)) < 0 || (rc = read_borders(&r)) < 0 ||
		    (rc = read_tariffs(&r)) < 0)
			goto fail;
	}
	move_results(&r, src);
	idmap_free(&r.node_ids);
	idmap_free(&r.link_ids);
	idmap_free(&r.border_ids);
	idmap_free(&r.transfer_keys);
	idmap_free(&r.tariff_keys);
	if (r.rc != MR_OK)
		mr_src_free(src);
	return r.rc;

fail: /* only MR_ENOMEM gets here */
	close_table(&r);
	move_results(&r, src);
	mr_src_free(src);
	idmap_free(&r.node_ids);
	idmap_free(&r.link_ids);
	idmap_free(&r.border_ids);
	idmap_free(&r.transfer_keys);
	idmap_free(&r.tariff_keys);
	if (first_err && !r.have_first)
		mr_error_set(first_err, MR_ENOMEM, r.path, 0, 0, NULL, NULL);
	return rc;
}
