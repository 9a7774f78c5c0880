/* mr_heap.c: addressable 4-ary min-heap of uint32 items keyed by double, with decrease-key.
 *
 * Invariants (between calls):
 *   - e[0 .. size-1] hold distinct items < capacity, in heap order: for every i > 0,
 *     e[i].key >= e[(i-1)/4].key (children of i are 4i+1 .. 4i+4);
 *   - pos[e[i].item] == i for i < size, and pos[x] == MR_HEAP_ABSENT for every other item x.
 * All arrays are allocated once by mr_heap_init; push, pop, decrease and clear never allocate.
 * A 4-ary heap is shallower than a binary one (fewer moves on sift-up, which is what
 * decrease-key does); keeping each key beside its item lets a sift-down read the four children
 * (64 contiguous bytes) without touching another array.
 * Keys must not be NaN (comparisons with NaN would break the order silently). */
#include <string.h>

#include "core/mr_heap.h"

int mr_heap_init(mr_heap *h, uint32_t capacity)
{
	size_t n = capacity ? capacity : 1; /* keep pointers valid even for an empty capacity */

	memset(h, 0, sizeof(*h));
	if (capacity == MR_HEAP_ABSENT)
		return MR_EINVAL; /* item ids must stay below the sentinel */
	h->e = mr_calloc(n, sizeof(*h->e));
	h->pos = mr_calloc(n, sizeof(*h->pos));
	if (!h->e || !h->pos) {
		mr_heap_free(h);
		return MR_ENOMEM;
	}
	memset(h->pos, 0xff, n * sizeof(*h->pos)); /* every item absent */
	h->capacity = capacity;
	return MR_OK;
}

void mr_heap_free(mr_heap *h)
{
	mr_free(h->e);
	mr_free(h->pos);
	memset(h, 0, sizeof(*h));
}

void mr_heap_clear(mr_heap *h)
{
	uint32_t i;
	for (i = 0; i < h->size; i++)
		h->pos[h->e[i].item] = MR_HEAP_ABSENT;
	h->size = 0;
}

/* Move (item, k) up from the hole at index i until its parent's key is <= k, then store it. */
static inline void sift_up(mr_heap *h, uint32_t i, uint32_t item, double k)
{
	mr_heap_entry *e = h->e;
	uint32_t *pos = h->pos;

	while (i > 0) {
		uint32_t p = (i - 1) >> 2;
		if (e[p].key <= k)
			break;
		e[i] = e[p];
		pos[e[i].item] = i;
		i = p;
	}
	e[i].key = k;
	e[i].item = item;
	pos[item] = i;
}

/* Move (item, k) down from the hole at index i until no child has a smaller key. */
static inline void sift_down(mr_heap *h, uint32_t i, uint32_t item, double k)
{
	mr_heap_entry *e = h->e;
	uint32_t *pos = h->pos;
	uint64_t size = h->size;

	for (;;) {
		uint64_t c = 4 * (uint64_t)i + 1, end, j, best;
		double bk;

		if (c >= size)
			break;
		end = c + 4 < size ? c + 4 : size;
		best = c;
		bk = e[c].key;
		for (j = c + 1; j < end; j++)
			if (e[j].key < bk) {
				bk = e[j].key;
				best = j;
			}
		if (bk >= k)
			break;
		e[i] = e[best];
		pos[e[i].item] = i;
		i = (uint32_t)best;
	}
	e[i].key = k;
	e[i].item = item;
	pos[item] = i;
}

void mr_heap_push(mr_heap *h, uint32_t item, double key)
{
	sift_up(h, h->size++, item, key);
}

void mr_heap_decrease(mr_heap *h, uint32_t item, double key)
{
	sift_up(h, h->pos[item], item, key);
}

int mr_heap_push_or_decrease(mr_heap *h, uint32_t item, double key)
{
	uint32_t p = h->pos[item];

	if (p == MR_HEAP_ABSENT) {
		sift_up(h, h->size++, item, key);
		return 1;
	}
	if (key < h->e[p].key) {
		sift_up(h, p, item, key);
		return 1;
	}
	return 0;
}

uint32_t mr_heap_pop(mr_heap *h, double *key_out)
{
	mr_heap_entry top = h->e[0], last;

	if (key_out)
		*key_out = top.key;
	h->pos[top.item] = MR_HEAP_ABSENT;
	last = h->e[--h->size];
	if (h->size > 0)
		sift_down(h, 0, last.item, last.key);
	return top.item;
}
