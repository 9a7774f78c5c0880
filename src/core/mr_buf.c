/* mr_buf.c: growable text buffer. */
#include <stdio.h>
#include <string.h>

#include "core/mr_buf.h"

static int reserve(mr_buf *b, size_t extra)
{
	size_t need, ncap;
	char *d;
	if (b->failed)
		return 0;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 1;
	ncap = b->cap ? b->cap * 2 : 256;
	while (ncap < need)
		ncap *= 2;
	d = mr_realloc(b->data, ncap);
	if (!d) {
		b->failed = 1;
		return 0;
	}
	b->data = d;
	b->cap = ncap;
	return 1;
}

void mr_buf_printf(mr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	if ((size_t)n < sizeof(small)) {
		memcpy(b->data + b->len, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void mr_buf_puts(mr_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

void mr_buf_append(mr_buf *b, const void *data, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mr_buf_csv(mr_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		mr_buf_puts(b, s);
		return;
	}
	mr_buf_puts(b, "\"");
	for (; *s; s++) {
		if (*s == '"')
			mr_buf_puts(b, "\"\"");
		else
			mr_buf_printf(b, "%c", *s);
	}
	mr_buf_puts(b, "\"");
}

void mr_buf_free(mr_buf *b)
{
	mr_free(b->data);
	memset(b, 0, sizeof(*b));
}
