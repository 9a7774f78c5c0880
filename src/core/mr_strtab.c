/* mr_strtab.c: string interning into one blob, with an open-addressing hash index. */
#include <string.h>

#include "core/mr_strtab.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int rehash(mr_strtab *t, size_t nslots)
{
	uint32_t *slots = mr_calloc(nslots, sizeof(*slots));
	size_t off = 0;

	if (!slots)
		return MR_ENOMEM;
	/* Reinsert every string by walking the blob. */
	while (off < t->size) {
		const char *s = t->data + off;
		size_t i = (size_t)hash_str(s) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t)off + 1;
		off += strlen(s) + 1;
	}
	mr_free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return MR_OK;
}

int mr_strtab_init(mr_strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->cap = 256;
	t->data = mr_malloc(t->cap);
	if (!t->data)
		return MR_ENOMEM;
	t->data[0] = '\0';
	t->size = 1;
	t->count = 1;
	if (rehash(t, 64)) {
		mr_free(t->data);
		t->data = NULL;
		return MR_ENOMEM;
	}
	return MR_OK;
}

void mr_strtab_free(mr_strtab *t)
{
	mr_free(t->data);
	mr_free(t->slots);
	memset(t, 0, sizeof(*t));
}

uint32_t mr_strtab_find(const mr_strtab *t, const char *s)
{
	size_t i;
	if (!s)
		s = "";
	i = (size_t)hash_str(s) & (t->nslots - 1);
	while (t->slots[i]) {
		uint32_t off = t->slots[i] - 1;
		if (strcmp(t->data + off, s) == 0)
			return off;
		i = (i + 1) & (t->nslots - 1);
	}
	return UINT32_MAX;
}

int mr_strtab_add(mr_strtab *t, const char *s, uint32_t *off)
{
	size_t len, i;
	uint32_t found;

	if (!s)
		s = "";
	found = mr_strtab_find(t, s);
	if (found != UINT32_MAX) {
		*off = found;
		return MR_OK;
	}
	len = strlen(s) + 1;
	if (t->size + len > UINT32_MAX - 1)
		return MR_ELIMIT;
	if ((t->count + 1) * 2 > t->nslots && rehash(t, t->nslots * 2))
		return MR_ENOMEM;
	if (t->size + len > t->cap) {
		size_t ncap = t->cap * 2;
		char *d;
		while (ncap < t->size + len)
			ncap *= 2;
		d = mr_realloc(t->data, ncap);
		if (!d)
			return MR_ENOMEM;
		t->data = d;
		t->cap = ncap;
	}
	memcpy(t->data + t->size, s, len);
	i = (size_t)hash_str(s) & (t->nslots - 1);
	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = (uint32_t)t->size + 1;
	*off = (uint32_t)t->size;
	t->size += len;
	t->count++;
	return MR_OK;
}
