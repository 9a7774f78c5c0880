/* mr_csv.c: RFC 4180 CSV row reader over a file or a memory buffer (see mr_csv.h for the
 * invariants). One byte at a time through a 64 KiB read window; field bytes are copied into one
 * growing buffer so that a row costs no allocation once the buffers have grown. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/mr_csv.h"

#define MR_CSV_BUF (64 * 1024)

static int open_common(mr_csv *c, const char *name, int flags)
{
	c->dcap = 1024;
	c->fcap = 16;
	c->data = mr_malloc(c->dcap);
	c->offs = mr_malloc(c->fcap * sizeof(*c->offs));
	c->quoted = mr_malloc(c->fcap);
	if (!c->data || !c->offs || !c->quoted)
		return MR_ENOMEM;
	c->line = 1;
	c->row_line = 1;
	c->flags = flags;
	snprintf(c->path, sizeof(c->path), "%s", name ? name : "");
	return MR_OK;
}

static void skip_bom(mr_csv *c)
{
	if (c->ilen - c->ipos >= 3 && c->in[c->ipos] == 0xEF && c->in[c->ipos + 1] == 0xBB &&
	    c->in[c->ipos + 2] == 0xBF)
		c->ipos += 3;
}

/* Refill the window from the file. Returns 1 if bytes are available, 0 at end (or on a read
 * error, which sets `ioerr`). */
static int refill(mr_csv *c, int *ioerr)
{
	size_t n;
	if (!c->fp)
		return 0;
	n = fread(c->ibuf, 1, MR_CSV_BUF, c->fp);
	if (n == 0) {
		if (ferror(c->fp))
			*ioerr = errno ? errno : EIO;
		return 0;
	}
	c->in = c->ibuf;
	c->ipos = 0;
	c->ilen = n;
	return 1;
}

int mr_csv_open(mr_csv *c, const char *path, int flags, mr_error *err)
{
	int rc, ioerr = 0;

	memset(c, 0, sizeof(*c));
	c->fp = fopen(path, "rb");
	if (!c->fp) {
		int e = errno;
		rc = mr_error_set(err, e == ENOENT ? MR_ENOTFOUND : MR_EIO, path, 0, 0, NULL, "%s",
		                  strerror(e));
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->ibuf = mr_malloc(MR_CSV_BUF);
	if (!c->ibuf || open_common(c, path, flags)) {
		mr_csv_close(c);
		return mr_error_set(err, MR_ENOMEM, path, 0, 0, NULL, NULL);
	}
	c->in = c->ibuf;
	if (!refill(c, &ioerr) && ioerr) {
		mr_csv_close(c);
		return mr_error_set(err, MR_EIO, path, 0, 0, NULL, "%s", strerror(ioerr));
	}
	skip_bom(c);
	return MR_OK;
}

int mr_csv_open_mem(mr_csv *c, const void *buf, size_t len, const char *name, int flags,
                    mr_error *err)
{
	memset(c, 0, sizeof(*c));
	if (open_common(c, name, flags)) {
		mr_csv_close(c);
		return mr_error_set(err, MR_ENOMEM, name, 0, 0, NULL, NULL);
	}
	c->in = buf;
	c->ilen = len;
	skip_bom(c);
	return MR_OK;
}

void mr_csv_close(mr_csv *c)
{
	if (c->fp)
		fclose(c->fp);
	mr_free(c->ibuf);
	mr_free(c->data);
	mr_free(c->offs);
	mr_free(c->quoted);
	memset(c, 0, sizeof(*c));
}

/* Next byte without consuming it, or -1 at the end of input. */
static inline int peekc(mr_csv *c, int *ioerr)
{
	if (c->ipos == c->ilen && !refill(c, ioerr))
		return -1;
	return c->in[c->ipos];
}

static inline void advance(mr_csv *c)
{
	c->ipos++;
	c->row_bytes++;
}

static inline int append(mr_csv *c, int ch)
{
	if (c->dlen == c->dcap) {
		size_t ncap = c->dcap * 2;
		char *nd = mr_realloc(c->data, ncap);
		if (!nd)
			return MR_ENOMEM;
		c->data = nd;
		c->dcap = ncap;
	}
	c->data[c->dlen++] = (char)ch;
	return MR_OK;
}

static int start_field(mr_csv *c)
{
	if (c->nf == c->fcap) {
		size_t ncap = c->fcap * 2;
		size_t *no = mr_realloc(c->offs, ncap * sizeof(*no));
		unsigned char *nq;
		if (!no)
			return MR_ENOMEM;
		c->offs = no;
		nq = mr_realloc(c->quoted, ncap);
		if (!nq)
			return MR_ENOMEM;
		c->quoted = nq;
		c->fcap = ncap;
	}
	c->offs[c->nf] = c->dlen;
	c->quoted[c->nf] = 0;
	c->nf++;
	return MR_OK;
}

/* Consume a line end (LF, CRLF or a lone CR) at the current position, if there is one. */
static void eat_eol(mr_csv *c, int *ioerr)
{
	int ch = peekc(c, ioerr);
	if (ch == '\r') {
		advance(c);
		if (peekc(c, ioerr) == '\n')
			advance(c);
		c->line++;
	} else if (ch == '\n') {
		advance(c);
		c->line++;
	}
}

/* Skip to just past the end of the current physical line. Returns 1 if a NUL byte was seen. */
static int skip_line(mr_csv *c, int *ioerr)
{
	int ch, nul = 0;
	while ((ch = peekc(c, ioerr)) >= 0 && ch != '\n' && ch != '\r') {
		if (ch == 0)
			nul = 1;
		advance(c);
	}
	eat_eol(c, ioerr);
	return nul;
}

static int nul_error(mr_csv *c, mr_error *err)
{
	c->done = 1;
	mr_error_set(err, MR_EPARSE, c->path, c->row_line, 0, NULL,
	             "NUL byte in the file (not a text file?)");
	return MR_EPARSE;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* Parse one row starting at the current position (not at the end of input). */
static int parse_row(mr_csv *c, mr_error *err, int *ioerr)
{
	int ch, toolong = 0;
	char shown[16];

	for (;;) {
		if (start_field(c))
			return MR_ENOMEM;
		ch = peekc(c, ioerr);
		if (ch == '"') {
			long qline = c->line;
			c->quoted[c->nf - 1] = 1;
			advance(c);
			for (;;) {
				ch = peekc(c, ioerr);
				if (ch < 0) {
					if (*ioerr)
						return MR_EIO;
					c->done = 1;
					mr_error_set(err, MR_EPARSE, c->path, c->row_line, (int)c->nf, NULL,
					             "unterminated quoted field (the quote opens on line %ld)",
					             qline);
					return MR_EPARSE;
				}
				advance(c);
				if (ch == '"') {
					if (peekc(c, ioerr) != '"')
						break;
					advance(c);
				} else if (ch == 0) {
					return nul_error(c, err);
				} else if (ch == '\n') {
					c->line++;
				} else if (ch == '\r' && peekc(c, ioerr) != '\n') {
					c->line++;
				}
				if (c->row_bytes > MR_CSV_MAX_ROW)
					toolong = 1;
				else if (append(c, ch))
					return MR_ENOMEM;
			}
			ch = peekc(c, ioerr);
			if (ch >= 0 && ch != ',' && ch != '\n' && ch != '\r') {
				int col = (int)c->nf;
				if (ch == 0)
					return nul_error(c, err);
				if (ch >= 0x20 && ch < 0x7f)
					snprintf(shown, sizeof(shown), "'%c'", ch);
				else
					snprintf(shown, sizeof(shown), "0x%02X", (unsigned)ch & 0xffu);
				if (skip_line(c, ioerr))
					return nul_error(c, err);
				mr_error_set(err, MR_EPARSE, c->path, c->row_line, col, NULL,
				        "unexpected character %s after a closing quote (a quote inside a "
				        "quoted field is written \"\")",
				        shown);
				return *ioerr ? MR_EIO : MR_EPARSE;
			}
		} else {
			for (;;) {
				ch = peekc(c, ioerr);
				if (ch < 0 || ch == ',' || ch == '\n' || ch == '\r')
					break;
				if (ch == 0)
					return nul_error(c, err);
				if (ch == '"') {
					int col = (int)c->nf;
					if (skip_line(c, ioerr))
						return nul_error(c, err);
					mr_error_set(err, MR_EPARSE, c->path, c->row_line, col, NULL,
					             "quote inside an unquoted field (quote the whole field "
					             "and write a quote as \"\")");
					return *ioerr ? MR_EIO : MR_EPARSE;
				}
				advance(c);
				if (c->row_bytes > MR_CSV_MAX_ROW)
					toolong = 1;
				else if (append(c, ch))
					return MR_ENOMEM;
			}
		}
		if (append(c, '\0'))
			return MR_ENOMEM;
		if (ch == ',') {
			advance(c);
			continue;
		}
		/* end of row: a line end or the end of input */
		if (c->row_bytes > MR_CSV_MAX_ROW)
			toolong = 1; /* quotes and commas count too */
		eat_eol(c, ioerr);
		if (*ioerr)
			return MR_EIO;
		if (toolong) {
			mr_error_set(err, MR_EPARSE, c->path, c->row_line, 0, NULL,
			             "row is longer than %d bytes", MR_CSV_MAX_ROW);
			return MR_EPARSE;
		}
		return 1;
	}
}

int mr_csv_next(mr_csv *c, mr_error *err)
{
	int ch, rc, ioerr = 0;

	if (c->done)
		return 0;
	for (;;) {
		c->nf = 0;
		c->dlen = 0;
		c->row_bytes = 0;
		c->row_line = c->line;
		ch = peekc(c, &ioerr);
		if (ch < 0)
			break;
		if ((c->flags & MR_CSV_SKIP_COMMENTS) && ch == '#') {
			if (skip_line(c, &ioerr))
				return nul_error(c, err);
			if (ioerr)
				break;
			continue;
		}
		rc = parse_row(c, err, &ioerr);
		if (rc == MR_EIO || ioerr)
			break;
		if (rc == MR_ENOMEM) {
			c->done = 1;
			return mr_error_set(err, MR_ENOMEM, c->path, c->row_line, 0, NULL, NULL);
		}
		if (rc != 1)
			return rc;
		if ((c->flags & MR_CSV_SKIP_COMMENTS) && c->nf == 1 && !c->quoted[0] &&
		    is_blank(c->data))
			continue;
		return 1;
	}
	c->done = 1;
	c->nf = 0;
	if (ioerr)
		return mr_error_set(err, MR_EIO, c->path, c->line, 0, NULL, "read error: %s",
		                    strerror(ioerr));
	return 0;
}

/* ---- numbers ---- */

static int csv_isdig(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* Plain decimal: [+-] digits [. digits] [e[+-]digits], at least one digit before the exponent.
 * Returns 1 and *out, 0 if s is not such a number, -1 if it is out of the range of a double. */
int mr__csv_number(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;
	double v;

	if (*p == '+' || *p == '-')
		p++;
	for (; csv_isdig(*p); p++)
		digits++;
	if (*p == '.')
		for (p++; csv_isdig(*p); p++)
			digits++;
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!csv_isdig(*p))
			return 0;
		while (csv_isdig(*p))
			p++;
	}
	if (*p)
		return 0;
	v = strtod(s, &end);
	if (end != p)
		return 0; /* a locale whose decimal point is not '.' */
	if (!isfinite(v))
		return -1;
	*out = v;
	return 1;
}
