/* mr_csvwrite.c: writes an mr_src as a network source folder (node.csv, link.csv and the optional
 * transfer.csv, border.csv, tariff.csv; docs/network-format.md) that mr_csvnet_read reads back to
 * the same records. Every file goes to a temporary in the folder first; the temporaries are
 * renamed once all are written. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meridian/mr_io.h"
#include "core/mr_buf.h"

enum { F_NODE, F_LINK, F_TRANSFER, F_BORDER, F_TARIFF, F_COUNT };
static const char *const file_names[F_COUNT] = {"node.csv", "link.csv", "transfer.csv",
                                                "border.csv", "tariff.csv"};

/* ---- fields ---- */

/* Quote s when a reader would otherwise change it: a comma, quote or line break in it, a '#' at
 * the start of a row (a comment line), spaces around it (trimmed when unquoted). */
static void put_str(mr_buf *b, const char *s, int first)
{
	size_t n;
	if (!s)
		s = "";
	n = strlen(s);
	if (!first)
		mr_buf_puts(b, ",");
	if (strpbrk(s, ",\"\r\n") || (first && s[0] == '#') ||
	    (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))) {
		const char *q;
		mr_buf_puts(b, "\"");
		for (; (q = strchr(s, '"')) != NULL; s = q + 1)
			mr_buf_printf(b, "%.*s\"\"", (int)(q - s), s);
		mr_buf_puts(b, s);
		mr_buf_puts(b, "\"");
	} else {
		mr_buf_puts(b, s);
	}
}

static int reads_back(const char *s, double v)
{
	return strtod(s, NULL) == v;
}

/* The shorter of "%.6f" with its trailing zeros cut and "%.10g" that reads back to v; else the
 * first "%.Ng" (N = 11..17) that does. out has room for 32 bytes. */
static void fmt_num(char *out, size_t size, double v)
{
	char f[400], g[40];
	int fo, go, p;
	size_t n;

	if (v == 0) {
		snprintf(out, size, "0"); /* no "-0" */
		return;
	}
	snprintf(f, sizeof(f), "%.6f", v);
	n = strlen(f);
	while (n && f[n - 1] == '0')
		f[--n] = '\0';
	if (n && f[n - 1] == '.')
		f[--n] = '\0';
	fo = reads_back(f, v) && n < size;
	snprintf(g, sizeof(g), "%.10g", v);
	go = reads_back(g, v);
	if (fo && (!go || n <= strlen(g))) {
		snprintf(out, size, "%s", f);
		return;
	}
	if (go) {
		snprintf(out, size, "%s", g);
		return;
	}
	for (p = 11; p <= 17; p++) {
		snprintf(out, size, "%.*g", p, v);
		if (reads_back(out, v))
			return;
	}
}

static void put_num(mr_buf *b, double v)
{
	char s[40];
	fmt_num(s, sizeof(s), v);
	mr_buf_puts(b, ",");
	mr_buf_puts(b, s);
}

/* Empty when 0 (the reader's default). */
static void put_opt(mr_buf *b, double v)
{
	if (v == 0)
		mr_buf_puts(b, ",");
	else
		put_num(b, v);
}

static void put_int(mr_buf *b, long v)
{
	mr_buf_printf(b, ",%ld", v);
}

/* ---- files ---- */

typedef struct out {
	char path[F_COUNT][4096], tmp[F_COUNT][4096];
	FILE *fp;
	int have_tmp[F_COUNT];
	mr_buf row;
	mr_error *err;
} out;

static int io_fail(out *o, int f, const char *what)
{
	return mr_error_set(o->err, MR_EIO, o->path[f], 0, 0, NULL, "%s: %s", what, strerror(errno));
}

static int begin(out *o, int f)
{
	static const char suffix[] = ".tmp.XXXXXX";
	size_t n = strlen(o->path[f]);
	int fd;

	if (n + sizeof(suffix) > sizeof(o->tmp[f]))
		return mr_error_set(o->err, MR_EINVAL, o->path[f], 0, 0, NULL, "path too long");
	memcpy(o->tmp[f], o->path[f], n);
	memcpy(o->tmp[f] + n, suffix, sizeof(suffix));
	fd = mkstemp(o->tmp[f]);
	if (fd < 0)
		return io_fail(o, f, "cannot create a temporary file");
	o->have_tmp[f] = 1;
	if (fchmod(fd, 0644) != 0 || !(o->fp = fdopen(fd, "w"))) {
		close(fd);
		return io_fail(o, f, "cannot open a temporary file");
	}
	return MR_OK;
}

/* Write the row buffer as one line. */
static int end_row(out *o, int f)
{
	if (o->row.failed)
		return mr_error_set(o->err, MR_ENOMEM, o->path[f], 0, 0, NULL, NULL);
	mr_buf_puts(&o->row, "\n");
	if (o->row.failed)
		return mr_error_set(o->err, MR_ENOMEM, o->path[f], 0, 0, NULL, NULL);
	if (fwrite(o->row.data, 1, o->row.len, o->fp) != o->row.len)
		return io_fail(o, f, "write error");
	o->row.len = 0;
	o->row.data[0] = '\0';
	return MR_OK;
}

static int finish(out *o, int f)
{
	FILE *fp = o->fp;
	int bad;
	o->fp = NULL;
	bad = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0;
	if (fclose(fp) != 0 || bad)
		return io_fail(o, f, "write error");
	return MR_OK;
}

static int header(out *o, int f, const char *h)
{
	int rc = begin(o, f);
	if (rc)
		return rc;
	mr_buf_puts(&o->row, h);
	return end_row(o, f);
}

static int bad_record(out *o, int f, const char *what, size_t i, const char *why)
{
	return mr_error_set(o->err, MR_EINVAL, o->path[f], 0, 0, NULL, "%s %zu: %s", what, i + 1, why);
}

static int finite_all(const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static int write_nodes(out *o, const mr_src *s)
{
	size_t i;
	int rc;

	if ((rc = header(o, F_NODE, "node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases")))
		return rc;
	for (i = 0; i < s->nnodes; i++) {
		const mr_src_node *n = &s->nodes[i];
		double v[2] = {n->lon, n->lat};
		if (!finite_all(v, 2))
			return bad_record(o, F_NODE, "node", i, "coordinates are not finite");
		put_str(&o->row, n->id, 1);
		put_str(&o->row, n->name, 0);
		put_num(&o->row, n->lon);
		put_num(&o->row, n->lat);
		put_str(&o->row, n->type, 0);
		put_str(&o->row, n->country, 0);
		put_str(&o->row, n->unlocode, 0);
		put_str(&o->row, n->aliases, 0);
		if ((rc = end_row(o, F_NODE)))
			return rc;
	}
	return finish(o, F_NODE);
}

static int write_links(out *o, const mr_src *s)
{
	size_t i;
	int rc;

	if ((rc = header(o, F_LINK,
	                 "link_id,from_node_id,to_node_id,directed,mode,length_km,gauge_mm,"
	                 "electrified,free_speed_kmh,capacity,status,tags,source,country,passage,"
	                 "services_per_week,toll_usd,delay_h,name")))
		return rc;
	for (i = 0; i < s->nlinks; i++) {
		const mr_src_link *l = &s->links[i];
		double v[6] = {l->length_km, l->free_speed_kmh, l->capacity, l->services_per_week,
		               l->toll_usd, l->delay_h};
		if (l->from >= s->nnodes || l->to >= s->nnodes)
			return bad_record(o, F_LINK, "link", i, "end node index out of range");
		if (l->mode < 0 || l->mode >= MR_MODE_COUNT || l->status < 0 || l->status >= MR_STATUS_COUNT)
			return bad_record(o, F_LINK, "link", i, "unknown mode or status");
		if (!finite_all(v, 6))
			return bad_record(o, F_LINK, "link", i, "a number is not finite");
		put_str(&o->row, l->id, 1);
		put_str(&o->row, s->nodes[l->from].id, 0);
		put_str(&o->row, s->nodes[l->to].id, 0);
		put_int(&o->row, l->directed != 0);
		put_str(&o->row, mr_mode_name(l->mode), 0);
		put_num(&o->row, l->length_km);
		if (l->gauge_mm)
			put_int(&o->row, l->gauge_mm);
		else
			mr_buf_puts(&o->row, ",");
		put_int(&o->row, l->electrified != 0);
		put_opt(&o->row, l->free_speed_kmh);
		put_opt(&o->row, l->capacity);
		put_str(&o->row, mr_status_name(l->status), 0);
		put_str(&o->row, l->tags, 0);
		put_str(&o->row, l->source, 0);
		put_str(&o->row, l->country, 0);
		put_str(&o->row, l->passage, 0);
		put_opt(&o->row, l->services_per_week);
		put_opt(&o->row, l->toll_usd);
		put_opt(&o->row, l->delay_h);
		put_str(&o->row, l->name, 0);
		if ((rc = end_row(o, F_LINK)))
			return rc;
	}
	return finish(o, F_LINK);
}

static int write_transfers(out *o, const mr_src *s)
{
	size_t i;
	int rc;

	if ((rc = header(o, F_TRANSFER,
	                 "node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd,co2e_kg,"
	                 "directed,source")))
		return rc;
	for (i = 0; i < s->ntransfers; i++) {
		const mr_src_transfer *t = &s->transfers[i];
		double v[3] = {t->time_h, t->cost_usd, t->co2e_kg};
		if (t->node != MR_NONE && t->node >= s->nnodes)
			return bad_record(o, F_TRANSFER, "transfer", i, "node index out of range");
		if (t->from_mode < 0 || t->from_mode >= MR_MODE_COUNT || t->to_mode < 0 ||
		    t->to_mode >= MR_MODE_COUNT)
			return bad_record(o, F_TRANSFER, "transfer", i, "unknown mode");
		if (!finite_all(v, 3))
			return bad_record(o, F_TRANSFER, "transfer", i, "a number is not finite");
		put_str(&o->row, t->node == MR_NONE ? "*" : s->nodes[t->node].id, 1);
		put_str(&o->row, mr_mode_name(t->from_mode), 0);
		put_str(&o->row, mr_mode_name(t->to_mode), 0);
		if (t->from_gauge_mm)
			put_int(&o->row, t->from_gauge_mm);
		else
			mr_buf_puts(&o->row, ",");
		if (t->to_gauge_mm)
			put_int(&o->row, t->to_gauge_mm);
		else
			mr_buf_puts(&o->row, ",");
		put_num(&o->row, t->time_h);
		put_num(&o->row, t->cost_usd);
		put_num(&o->row, t->co2e_kg);
		put_int(&o->row, t->directed != 0);
		put_str(&o->row, t->source, 0);
		if ((rc = end_row(o, F_TRANSFER)))
			return rc;
	}
	return finish(o, F_TRANSFER);
}

static int write_borders(out *o, const mr_src *s)
{
	size_t i;
	int rc;

	if ((rc = header(o, F_BORDER,
	                 "border_id,node_id,country_a,country_b,dwell_h,fee_usd,status,name,source")))
		return rc;
	for (i = 0; i < s->nborders; i++) {
		const mr_src_border *b = &s->borders[i];
		double v[2] = {b->dwell_h, b->fee_usd};
		if (b->node >= s->nnodes)
			return bad_record(o, F_BORDER, "border", i, "node index out of range");
		if (b->status < 0 || b->status >= MR_STATUS_COUNT)
			return bad_record(o, F_BORDER, "border", i, "unknown status");
		if (!finite_all(v, 2))
			return bad_record(o, F_BORDER, "border", i, "a number is not finite");
		put_str(&o->row, b->id, 1);
		put_str(&o->row, s->nodes[b->node].id, 0);
		put_str(&o->row, b->country_a, 0);
		put_str(&o->row, b->country_b, 0);
		put_num(&o->row, b->dwell_h);
		put_num(&o->row, b->fee_usd);
		put_str(&o->row, mr_status_name(b->status), 0);
		put_str(&o->row, b->name, 0);
		put_str(&o->row, b->source, 0);
		if ((rc = end_row(o, F_BORDER)))
			return rc;
	}
	return finish(o, F_BORDER);
}

static int write_tariffs(out *o, const mr_src *s)
{
	size_t i;
	int rc;

	if ((rc = header(o, F_TARIFF,
	                 "mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source")))
		return rc;
	for (i = 0; i < s->ntariffs; i++) {
		const mr_src_tariff *t = &s->tariffs[i];
		double v[4] = {t->usd_per_teu_km, t->fixed_usd, t->co2e_kg_per_teu_km, t->speed_kmh};
		if (t->mode < 0 || t->mode >= MR_MODE_COUNT)
			return bad_record(o, F_TARIFF, "tariff", i, "unknown mode");
		if (!finite_all(v, 4))
			return bad_record(o, F_TARIFF, "tariff", i, "a number is not finite");
		put_str(&o->row, mr_mode_name(t->mode), 1);
		put_str(&o->row, t->country[0] ? t->country : "*", 0);
		put_num(&o->row, t->usd_per_teu_km);
		put_num(&o->row, t->fixed_usd);
		put_num(&o->row, t->co2e_kg_per_teu_km);
		put_opt(&o->row, t->speed_kmh);
		put_str(&o->row, t->source, 0);
		if ((rc = end_row(o, F_TARIFF)))
			return rc;
	}
	return finish(o, F_TARIFF);
}

/* mkdir -p */
static int make_dirs(const char *dir, mr_error *err)
{
	char p[4096];
	size_t i, n = strlen(dir);
	struct stat st;

	if (n == 0 || n >= sizeof(p))
		return mr_error_set(err, MR_EINVAL, dir, 0, 0, NULL, "bad folder name");
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return mr_error_set(err, MR_EIO, p, 0, 0, NULL, "cannot create the folder: %s",
			                    strerror(errno));
		p[i] = i < n ? '/' : '\0';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return mr_error_set(err, MR_EIO, dir, 0, 0, NULL, "not a folder");
	return MR_OK;
}

int mr_csvnet_write(const mr_src *src, const char *dir, mr_error *err)
{
	out o;
	size_t len;
	int f, rc;
	const int present[F_COUNT] = {1, 1, src->ntransfers > 0, src->nborders > 0,
	                              src->ntariffs > 0};

	memset(&o, 0, sizeof(o));
	o.err = err;
	mr_error_clear(err);
	if (!dir)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "no folder given");
	if ((rc = make_dirs(dir, err)))
		return rc;
	len = strlen(dir);
	for (f = 0; f < F_COUNT; f++)
		snprintf(o.path[f], sizeof(o.path[f]), "%s%s%s", dir, dir[len - 1] == '/' ? "" : "/",
		         file_names[f]);
	if ((rc = write_nodes(&o, src)) || (rc = write_links(&o, src)) ||
	    (src->ntransfers && (rc = write_transfers(&o, src))) ||
	    (src->nborders && (rc = write_borders(&o, src))) ||
	    (src->ntariffs && (rc = write_tariffs(&o, src))))
		goto fail;
	for (f = 0; f < F_COUNT; f++) {
		if (present[f]) {
			if (rename(o.tmp[f], o.path[f]) != 0) {
				rc = io_fail(&o, f, "cannot rename the temporary file");
				goto fail;
			}
			o.have_tmp[f] = 0;
		} else if (unlink(o.path[f]) != 0 && errno != ENOENT) {
			rc = io_fail(&o, f, "cannot remove the stale file");
			goto fail;
		}
	}
	mr_buf_free(&o.row);
	return MR_OK;
fail:
	if (o.fp)
		fclose(o.fp);
	for (f = 0; f < F_COUNT; f++)
		if (o.have_tmp[f])
			unlink(o.tmp[f]);
	mr_buf_free(&o.row);
	return rc;
}
