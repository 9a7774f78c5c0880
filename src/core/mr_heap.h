/* mr_heap.h: addressable 4-ary min-heap of uint32 items keyed by double, with decrease-key.
 * Invariants: pos[item] is the item's index in `e`, or MR_HEAP_ABSENT when it is not in the
 * heap; e[i].key >= e[(i-1)/4].key for every i > 0. Keys live in the heap entries, beside their
 * items, so a sift compares keys without a second indirection. Capacity is fixed at init (items are
 * 0..capacity-1), so push, pop and decrease never allocate. Clearing costs O(size). */
#ifndef MERIDIAN_MR_HEAP_H
#define MERIDIAN_MR_HEAP_H

#include <stdint.h>
#include "meridian/mr_core.h"

#define MR_HEAP_ABSENT UINT32_MAX

typedef struct mr_heap_entry {
	double key;
	uint32_t item;
	uint32_t reserved;
} mr_heap_entry;

typedef struct mr_heap {
	mr_heap_entry *e; /* heap order */
	uint32_t *pos;    /* item -> index in e, or MR_HEAP_ABSENT */
	uint32_t size, capacity;
} mr_heap;

int mr_heap_init(mr_heap *h, uint32_t capacity);
void mr_heap_free(mr_heap *h); /* accepts a zeroed or half-built heap */
void mr_heap_clear(mr_heap *h);
static inline int mr_heap_empty(const mr_heap *h) { return h->size == 0; }
static inline int mr_heap_contains(const mr_heap *h, uint32_t item) { return h->pos[item] != MR_HEAP_ABSENT; }
static inline double mr_heap_top_key(const mr_heap *h) { return h->e[0].key; }
/* Key of an item in the heap. */
static inline double mr_heap_key(const mr_heap *h, uint32_t item) { return h->e[h->pos[item]].key; }
/* The sifts, inline: they are the inner loop of every search (out-of-line calls cost about a
 * quarter of a contraction hierarchy's build and query time, measured). */

/* Move (item, k) up from the hole at index i until its parent's key is <= k, then store it. */
static inline void mr__heap_sift_up(mr_heap *h, uint32_t i, uint32_t item, double k)
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
static inline void mr__heap_sift_down(mr_heap *h, uint32_t i, uint32_t item, double k)
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

/* Insert item (must be absent) with key. */
static inline void mr_heap_push(mr_heap *h, uint32_t item, double key)
{
	mr__heap_sift_up(h, h->size++, item, key);
}

/* Lower the key of an item in the heap (key must not be larger than the current one). */
static inline void mr_heap_decrease(mr_heap *h, uint32_t item, double key)
{
	mr__heap_sift_up(h, h->pos[item], item, key);
}

/* Change the key of an item in the heap, up or down. */
static inline void mr_heap_set(mr_heap *h, uint32_t item, double key)
{
	uint32_t i = h->pos[item];
	if (key <= h->e[i].key)
		mr__heap_sift_up(h, i, item, key);
	else
		mr__heap_sift_down(h, i, item, key);
}

/* Insert, or lower the key if the new one is smaller; returns 1 if the heap changed. */
static inline int mr_heap_push_or_decrease(mr_heap *h, uint32_t item, double key)
{
	uint32_t p = h->pos[item];
	if (p == MR_HEAP_ABSENT) {
		mr__heap_sift_up(h, h->size++, item, key);
		return 1;
	}
	if (key < h->e[p].key) {
		mr__heap_sift_up(h, p, item, key);
		return 1;
	}
	return 0;
}

/* Remove and return the item with the smallest key; heap must not be empty. */
static inline uint32_t mr_heap_pop(mr_heap *h, double *key_out)
{
	mr_heap_entry top = h->e[0], last;
	if (key_out)
		*key_out = top.key;
	h->pos[top.item] = MR_HEAP_ABSENT;
	last = h->e[--h->size];
	if (h->size > 0)
		mr__heap_sift_down(h, 0, last.item, last.key);
	return top.item;
}

#endif
