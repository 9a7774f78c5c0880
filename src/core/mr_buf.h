/* mr_buf.h: a growable text buffer. Invariant: data is NUL-terminated whenever len > 0 or data
 * is not NULL; an allocation failure sets failed and makes every later append a no-op, so a
 * writer checks once at the end. */
#ifndef MERIDIAN_MR_BUF_H
#define MERIDIAN_MR_BUF_H

#include <stddef.h>
#include "meridian/mr_core.h"

typedef struct mr_buf {
	char *data;
	size_t len, cap;
	int failed;
} mr_buf;

void mr_buf_printf(mr_buf *b, const char *fmt, ...) MR_PRINTF(2, 3);
void mr_buf_puts(mr_buf *b, const char *s);
/* Append n bytes (NULs included; the buffer stays NUL-terminated after them). */
void mr_buf_append(mr_buf *b, const void *data, size_t n);
/* Append s as a CSV field (quoted when it holds a comma, quote or line break). */
void mr_buf_csv(mr_buf *b, const char *s);
void mr_buf_free(mr_buf *b);

#endif
