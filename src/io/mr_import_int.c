/* mr_import_int.c: the importers' diagnostics (src/io/mr_import_int.h). */
#include <stdarg.h>
#include <stdio.h>

#include "io/mr_import_int.h"

void mr__isay(mr__ictx *c, int sev, const char *file, long line, int col, const char *field, const char *fmt, ...)
{
	mr_error e;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mr_error_set(&e, sev == MR_ERROR ? MR_EPARSE : MR_OK, file, line, col, field, "%s", msg);
	if (sev == MR_ERROR && c->nerrors++ == 0 && c->err)
		*c->err = e;
	if (c->diag)
		c->diag(c->ud, sev, &e);
}
