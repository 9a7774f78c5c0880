/* mr_core.h: error codes, error details and the allocator hook shared by every Meridian module. */
#ifndef MERIDIAN_MR_CORE_H
#define MERIDIAN_MR_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MR_API __attribute__((visibility("default")))
#define MR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MR_API
#define MR_PRINTF(a, b)
#endif

/* One table for every error: MR_OK is 0, every error is negative.
 * X(NAME, exit status of the CLI, message) */
#define MR_ERRNO_MAP(X)                                                    \
	X(NOMEM, 70, "out of memory")                                          \
	X(IO, 5, "input/output error")                                         \
	X(PARSE, 1, "malformed input")                                         \
	X(INVAL, 2, "invalid argument")                                        \
	X(NOTFOUND, 4, "not found")                                            \
	X(AMBIGUOUS, 4, "ambiguous")                                           \
	X(NOROUTE, 3, "no route")                                              \
	X(BADMAGIC, 5, "not a Meridian network file")                          \
	X(VERSION, 5, "unsupported network file version")                      \
	X(TRUNCATED, 5, "truncated network file")                              \
	X(CORRUPT, 5, "corrupted network file")                                \
	X(LIMIT, 2, "limit exceeded")                                          \
	X(INVALID, 1, "invalid network")

/* Index of each error in the table; codes are -(index + 1). */
enum mr__errno_index {
#define MR__X_INDEX(name, status, msg) MR__I_##name,
	MR_ERRNO_MAP(MR__X_INDEX)
#undef MR__X_INDEX
	MR__ERR_COUNT
};

/* The codes: MR_OK = 0, MR_ENOMEM = -1, MR_EIO = -2, ... in table order. */
enum mr_errno {
	MR_OK = 0,
#define MR__X_CODE(name, status, msg) MR_E##name = -(MR__I_##name + 1),
	MR_ERRNO_MAP(MR__X_CODE)
#undef MR__X_CODE
};

/* Human-readable message for a code (MR_OK or a negative MR_E* value). Never NULL. */
MR_API const char *mr_strerror(int code);
/* Exit status the CLI uses for a code (0 for MR_OK). */
MR_API int mr_exit_status(int code);
/* Short symbolic name ("NOROUTE") of a code. */
MR_API const char *mr_errname(int code);

/* Details of the last failure, filled by parsers and loaders. The caller owns it; every field is
 * optional (empty string / 0 when unknown). */
typedef struct mr_error {
	int code;
	long line;    /* 1-based line in `file`, 0 if none */
	int column;   /* 1-based column (field number in a CSV row), 0 if none */
	char file[256];
	char field[64];
	char msg[512];
} mr_error;

MR_API void mr_error_clear(mr_error *e);
/* Fill `e` (if not NULL) and return `code`. file/field may be NULL. */
MR_API int mr_error_set(mr_error *e, int code, const char *file, long line, int column,
                        const char *field, const char *fmt, ...) MR_PRINTF(7, 8);
/* Format `e` as "file:line:column: field 'x': message" into buf. */
MR_API void mr_error_format(const mr_error *e, char *buf, size_t size);

/* The one allocation hook (Lua style): nsize == 0 frees ptr and returns NULL; otherwise behaves
 * like realloc. A hook that fails returns NULL and leaves ptr untouched. Changing the hook is
 * not thread-safe: do it before any other call. */
typedef void *(*mr_alloc_fn)(void *ud, void *ptr, size_t nsize);
MR_API void mr_set_allocator(mr_alloc_fn fn, void *ud);
MR_API void mr_get_allocator(mr_alloc_fn *fn, void **ud);

MR_API void *mr_malloc(size_t n);
MR_API void *mr_calloc(size_t count, size_t size);
MR_API void *mr_realloc(void *p, size_t n);
MR_API void mr_free(void *p);
MR_API char *mr_strdup(const char *s);
MR_API char *mr_strndup(const char *s, size_t n);

#endif
