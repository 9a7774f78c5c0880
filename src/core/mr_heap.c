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
