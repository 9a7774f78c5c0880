/* mr_core.c: the error table, error details and the allocator hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_core.h"

static const struct {
	const char *name, *msg;
	int status;
} mr__errtab[] = {
#define MR__X_TAB(name, status, msg) {#name, msg, status},
	MR_ERRNO_MAP(MR__X_TAB)
#undef MR__X_TAB
};

_Static_assert(sizeof(mr__errtab) / sizeof(mr__errtab[0]) == MR__ERR_COUNT, "error table size");

static int errindex(int code)
{
	int i = -code - 1;
	return (code < 0 && i < MR__ERR_COUNT) ? i : -1;
}

const char *mr_strerror(int code)
{
	int i = errindex(code);
	if (code == MR_OK)
		return "success";
	return i < 0 ? "unknown error" : mr__errtab[i].msg;
}

const char *mr_errname(int code)
{
	int i = errindex(code);
	if (code == MR_OK)
		return "OK";
	return i < 0 ? "UNKNOWN" : mr__errtab[i].name;
}

int mr_exit_status(int code)
{
	int i = errindex(code);
	if (code == MR_OK)
		return 0;
	return i < 0 ? 1 : mr__errtab[i].status;
}

void mr_error_clear(mr_error *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

int mr_error_set(mr_error *e, int code, const char *file, long line, int column, const char *field,
                 const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	e->line = line;
	e->column = column;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	} else {
		snprintf(e->msg, sizeof(e->msg), "%s", mr_strerror(code));
	}
	return code;
}

void mr_error_format(const mr_error *e, char *buf, size_t size)
{
	size_t n = 0;

#define MR__APPEND(...)                                                          \
	do {                                                                         \
		int k_ = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__);        \
		if (k_ > 0)                                                              \
			n += (size_t)k_;                                                     \
	} while (0)
	if (!size)
		return;
	buf[0] = '\0';
	if (e->file[0]) {
		MR__APPEND("%s", e->file);
		if (e->line > 0)
			MR__APPEND(":%ld", e->line);
		if (e->line > 0 && e->column > 0)
			MR__APPEND(":%d", e->column);
		MR__APPEND(": ");
	}
	if (e->field[0])
		MR__APPEND("field '%s': ", e->field);
	MR__APPEND("%s", e->msg[0] ? e->msg : mr_strerror(e->code));
#undef MR__APPEND
}

/* ---- allocator hook ---- */

static void *default_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, nsize);
}

static mr_alloc_fn mr__alloc = default_alloc;
static void *mr__alloc_ud;

void mr_set_allocator(mr_alloc_fn fn, void *ud)
{
	mr__alloc = fn ? fn : default_alloc;
	mr__alloc_ud = fn ? ud : NULL;
}

void mr_get_allocator(mr_alloc_fn *fn, void **ud)
{
	if (fn)
		*fn = mr__alloc;
	if (ud)
		*ud = mr__alloc_ud;
}

void *mr_malloc(size_t n)
{
	return mr__alloc(mr__alloc_ud, NULL, n ? n : 1);
}

void *mr_calloc(size_t count, size_t size)
{
	void *p;
	if (size && count > (size_t)-1 / size)
		return NULL;
	p = mr_malloc(count * size);
	if (p && count && size)
		memset(p, 0, count * size);
	return p;
}

void *mr_realloc(void *p, size_t n)
{
	return mr__alloc(mr__alloc_ud, p, n ? n : 1);
}

void mr_free(void *p)
{
	if (p)
		mr__alloc(mr__alloc_ud, p, 0);
}

char *mr_strndup(const char *s, size_t n)
{
	char *d;
	size_t len = 0;
	while (len < n && s[len])
		len++;
	d = mr_malloc(len + 1);
	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *mr_strdup(const char *s)
{
	return mr_strndup(s ? s : "", (size_t)-1);
}
