/* mr_csv.h: a small RFC 4180 CSV row reader (quoted fields with "" escapes, CRLF or LF line ends,
 * UTF-8 BOM skipped, physical line number of every row).
 *
 * Invariants: after mr_csv_next returned 1, fields 0 .. nf-1 are NUL-terminated strings in `data`
 * (offs[i] is the start of field i) that stay valid until the next call; row_line is the
 * physical line (1-based) where that row started and `line` the line of the next unread byte.
 * A row never holds more than MR_CSV_MAX_ROW bytes of input. Once `done` is set, mr_csv_next
 * returns 0. */
#ifndef MERIDIAN_MR_CSV_H
#define MERIDIAN_MR_CSV_H

#include <stddef.h>
#include <stdio.h>
#include "meridian/mr_core.h"

#define MR_CSV_MAX_ROW (64 * 1024) /* bytes of input in one row, line ends included */

enum {
	/* Skip lines whose first byte is '#' and lines that are empty or only spaces and tabs. */
	MR_CSV_SKIP_COMMENTS = 1
};

typedef struct mr_csv {
	FILE *fp;                  /* NULL when reading from memory */
	const unsigned char *in;   /* input window: the read buffer or the caller's memory */
	size_t ipos, ilen;
	unsigned char *ibuf;       /* read buffer (file input only) */
	char *data;                /* field bytes of the current row, each NUL-terminated */
	size_t dlen, dcap;
	size_t *offs;              /* field starts in data */
	size_t nf, fcap;
	unsigned char *quoted;     /* quoted[i] != 0 if field i was quoted (fcap entries) */
	long line, row_line;
	size_t row_bytes;
	int flags, done;
	char path[256];            /* name used in errors */
} mr_csv;

/* Open a file. Returns MR_OK, MR_ENOTFOUND if it does not exist, MR_EIO if it cannot be opened or
 * read, MR_ENOMEM; err (may be NULL) gets the details. On failure nothing needs closing. */
int mr_csv_open(mr_csv *c, const char *path, int flags, mr_error *err);
/* Read from memory (buf[0..len-1], not copied: it must outlive the reader). `name` is used as the
 * file name in errors. Never fails except MR_ENOMEM. */
int mr_csv_open_mem(mr_csv *c, const void *buf, size_t len, const char *name, int flags,
                    mr_error *err);
/* Read the next row. Returns 1 for a row, 0 at the end of input, MR_EPARSE for a malformed row
 * (err tells line, column and what; the reader has skipped to the next line, so the caller may go
 * on), MR_EIO for a read error and MR_ENOMEM; after MR_EIO, MR_ENOMEM, a NUL byte or an
 * unterminated quote the reader is done and later calls return 0. */
int mr_csv_next(mr_csv *c, mr_error *err);
void mr_csv_close(mr_csv *c); /* accepts a zeroed reader */

static inline size_t mr_csv_nfields(const mr_csv *c) { return c->nf; }
/* Field i of the current row (i < nfields). The caller may modify it in place (not beyond its NUL)
 * until the next call. */
static inline char *mr_csv_field(const mr_csv *c, size_t i) { return c->data + c->offs[i]; }
static inline int mr_csv_quoted(const mr_csv *c, size_t i) { return c->quoted[i]; }

/* The number dialect of every Meridian CSV file: [+-] digits [. digits] [e[+-]digits], at least
 * one digit before the exponent; no NaN, infinity, hexadecimal, thousands separators or decimal
 * comma. Returns 1 and *out, 0 if s is not such a number, -1 if it is out of a double's range. */
int mr__csv_number(const char *s, double *out);

#endif
