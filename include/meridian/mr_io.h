/* mr_io.h: reading and validating a network source folder (GMNS-style CSV, see
 * docs/network-format.md). */
#ifndef MERIDIAN_MR_IO_H
#define MERIDIAN_MR_IO_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"

enum mr_severity { MR_WARNING = 0, MR_ERROR = 1 };

/* Receives every diagnostic (file, line, column, field and message in e). */
typedef void (*mr_diag_fn)(void *ud, int severity, const mr_error *e);

typedef struct mr_diag_counts {
	size_t errors, warnings;
} mr_diag_counts;

/* Read the folder `dir` into *src. Every problem goes to diag (which may be NULL); reading goes
 * on after a bad row so that all errors are reported. Returns MR_OK, or MR_EPARSE if any error
 * was found (then *src is freed and first_err, if not NULL, holds the first error), MR_EIO if
 * a required file cannot be read, MR_ENOMEM. */
MR_API int mr_csvnet_read(const char *dir, mr_src *src, mr_diag_fn diag, void *ud,
                          mr_diag_counts *counts, mr_error *first_err);

/* The same for several folders read as one network: every node.csv first, then the other files
 * folder by folder, so that ids are global (a link may name a node of another folder) and a
 * duplicate id across folders is an error. Records remember their folder (mr_src.dirs). */
MR_API int mr_csvnet_read_dirs(const char *const *dirs, size_t ndirs, mr_src *src, mr_diag_fn diag,
                               void *ud, mr_diag_counts *counts, mr_error *first_err);

/* Checks that go beyond parsing, on a parsed source: length against geodesic distance (warning
 * outside 0.9-3.0), disconnected components with their sizes, nodes no mode can reach, links
 * that cross a border without a border crossing. Diagnostics go to diag; counts are added. */
MR_API void mr_src_check(const mr_src *src, mr_diag_fn diag, void *ud, mr_diag_counts *counts);

/* Write src as a network folder that mr_csvnet_read reads back to the same records: node.csv and
 * link.csv with every column (the optional ones included), and transfer.csv, border.csv and
 * tariff.csv when src has such records (an existing one is removed when src has none, so that
 * the folder says exactly what src says). Fields are quoted as RFC 4180 needs. A number is
 * printed as the shorter of "%.6f" (trailing zeros cut) and "%.10g" that reads back to the same
 * double, else with as many digits as that takes. The folder (and its parents) is created if
 * missing; every file is first written to a temporary in the folder, and the temporaries are
 * renamed only when all are written. Returns MR_OK, MR_EIO (err names the file), MR_EINVAL (a
 * record that no reader would accept: an index out of range, an unknown mode or status, a
 * number that is not finite), MR_ENOMEM. */
MR_API int mr_csvnet_write(const mr_src *src, const char *dir, mr_error *err);

#endif
