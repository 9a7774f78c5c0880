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
/* Insert item (must be absent) with key. */
void mr_heap_push(mr_heap *h, uint32_t item, double key);
/* Lower the key of an item in the heap (key must not be larger than the current one). */
void mr_heap_decrease(mr_heap *h, uint32_t item, double key);
/* Insert, or lower the key if the new one is smaller; returns 1 if the heap changed. */
int mr_heap_push_or_decrease(mr_heap *h, uint32_t item, double key);
/* Remove and return the item with the smallest key; heap must not be empty. */
uint32_t mr_heap_pop(mr_heap *h, double *key_out);

#endif
