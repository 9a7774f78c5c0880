/* mr_strtab.h: string table. Strings are interned into one byte blob of NUL-terminated strings;
 * a string is named by its byte offset (uint32). Offset 0 is always the empty string.
 * Invariants: every offset in the hash index points at the start of a string in `data`; equal
 * strings are stored once; the index has at least twice as many slots as strings. */
#ifndef MERIDIAN_MR_STRTAB_H
#define MERIDIAN_MR_STRTAB_H

#include <stdint.h>
#include "meridian/mr_core.h"

typedef struct mr_strtab {
	char *data;
	size_t size, cap;
	uint32_t *slots; /* open addressing: offset + 1, 0 = empty */
	size_t nslots, count;
} mr_strtab;

int mr_strtab_init(mr_strtab *t);
void mr_strtab_free(mr_strtab *t);
/* Intern s (NULL is treated as ""); *off receives its offset. MR_ENOMEM or MR_ELIMIT (> 4 GiB). */
int mr_strtab_add(mr_strtab *t, const char *s, uint32_t *off);
/* Offset of s if present, else UINT32_MAX. */
uint32_t mr_strtab_find(const mr_strtab *t, const char *s);
static inline const char *mr_strtab_get(const mr_strtab *t, uint32_t off) { return t->data + off; }

#endif
