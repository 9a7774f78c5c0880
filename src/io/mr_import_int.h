/* mr_import_int.h: what the importers (mr_tntp, mr_dimacs, mr_gmns, mr_osm) share: their
 * diagnostics context. Internal. */
#ifndef MERIDIAN_MR_IMPORT_INT_H
#define MERIDIAN_MR_IMPORT_INT_H

#include <stddef.h>
#include "meridian/mr_io.h"

/* Every message goes to diag (may be NULL); the first error is kept in *err (may be NULL);
 * nerrors counts the errors. */
typedef struct mr__ictx {
	mr_diag_fn diag;
	void *ud;
	mr_error *err;
	size_t nerrors;
} mr__ictx;

/* Report one message of severity sev (MR_ERROR or a warning) at file:line:col, field. */
void mr__isay(mr__ictx *c, int sev, const char *file, long line, int col, const char *field, const char *fmt, ...)
	MR_PRINTF(7, 8);

#endif
