/* mr_heap.c: addressable 4-ary min-heap of uint32 items keyed by double, with decrease-key.
 *
 * Invariants (between calls):
 *   - items[0 .. size-1] are distinct items < capacity, in heap order: for every i > 0,
 *     key[items[i]] >= key[items[(i-1)/4]] (children of i are 4i+1 .. 4i+4);
 *   - pos[items[i]] == i for i < size, and pos[x] == MR_HEAP_ABSENT for every other item x;
 *   - key[x] is meaningful only while x is in the heap.
 * All arrays are allocated once by mr_heap_init; push, pop, decrease and clear never allocate.
 * A 4-ary heap is shallower than a binary one (fewer cache misses on sift-up, which is what
 * decrease-key does) and its four children's items share one cache line.
 * Keys must not be NaN (comparisons with NaN would break the order silently). */
#include <string.h>

#include "core/mr_heap.h"

int mr_heap_init(mr_heap *h, uint32_t capacity)
{
	size_t n = capacity ? capacity : 1; /* keep pointers valid even for an empty capacity */

	memset(h, 0, sizeof(*h));
	if (capacity == MR_HEAP_ABSENT)
		return MR_EINVAL; /* item ids must stay below the sentinel */
	h->items = mr_calloc(n, sizeof(*h->items));
	h->pos = mr_calloc(n, sizeof(*h->pos));
	h->key = mr_calloc(n, sizeof(*h->key));
	if (!h->items || !h->pos || !h->key) {
		mr_heap_free(h);
		return MR_ENOMEM;
	}
	memset(h->pos, 0xff, n * sizeof(*h->pos)); /* every item absent */
	h->capacity = capacity;
	return MR_OK;
}

void mr_heap_free(mr_heap *h)
{
	mr_free(h->items);
	mr_free(h->pos);
	mr_free(h->key);
	memset(h, 0, sizeof(*h));
}

void mr_heap_clear(mr_heap *h)
{
	uint32_t i;
	for (i = 0; i < h->size; i++)
		h->pos[h->items[i]] = MR_HEAP_ABSENT;
	h->size = 0;
}

/* Move `item` with key k up from the hole at index i until its parent's key is <= k, then
 * store it there. The hole's previous content is ignored (it is overwritten). */
static inline void sift_up(mr_heap *h, uint32_t i, uint32_t item, double k)
{
	uint32_t *items = h->items, *pos = h->pos;
	const double *key = h->key;

	while (i > 0) {
		uint32_t p = (i - 1) >> 2;
		uint32_t pit = items[p];
		if (key[pit] <= k)
			break;
		items[i] = pit;
		pos[pit] = i;
		i = p;
	}
	items[i] = item;
	pos[item] = i;
}

/* Move `item` with key k down from the hole at index i until no child has a smaller key. */
static inline void sift_down(mr_heap *h, uint32_t i, uint32_t item, double k)
{
	uint32_t *items = h->items, *pos = h->pos;
	const double *key = h->key;
	uint64_t size = h->size;

	for (;;) {
		uint64_t c = 4 * (uint64_t)i + 1, end, j;
		uint32_t best, bit;
		double bk;

		if (c >= size)
			break;
		end = c + 4 < size ? c + 4 : size;
		best = (uint32_t)c;
		bit = items[c];
		bk = key[bit];
		for (j = c + 1; j < end; j++) {
			uint32_t it = items[j];
			double kj = key[it];
			if (kj < bk) {
				bk = kj;
				bit = it;
				best = (uint32_t)j;
			}
		}
		if (bk >= k)
			break;
		items[i] = bit;
		pos[bit] = i;
		i = best;
	}
	items[i] = item;
	pos[item] = i;
}

void mr_heap_push(mr_heap *h, uint32_t item, double key)
{
	h->key[item] = key;
	sift_up(h, h->size++, item, key);
}

void mr_heap_decrease(mr_heap *h, uint32_t item, double key)
{
	h->key[item] = key;
	sift_up(h, h->pos[item], item, key);
}

int mr_heap_push_or_decrease(mr_heap *h, uint32_t item, double key)
{
	uint32_t p = h->pos[item];

	if (p == MR_HEAP_ABSENT) {
		mr_heap_push(h, item, key);
		return 1;
	}
	if (key < h->key[item]) {
		h->key[item] = key;
		sift_up(h, p, item, key);
		return 1;
	}
	return 0;
}

uint32_t mr_heap_pop(mr_heap *h, double *key_out)
{
	uint32_t top = h->items[0];
	uint32_t last;

	if (key_out)
		*key_out = h->key[top];
	h->pos[top] = MR_HEAP_ABSENT;
	last = h->items[--h->size];
	if (h->size > 0)
		sift_down(h, 0, last, h->key[last]);
	return top;
}
