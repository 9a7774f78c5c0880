/* test_heap.c: the addressable 4-ary heap against a brute-force reference (random pushes, pops,
 * decrease-keys, equal keys, clear and reuse) and under failing allocations. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "meridian/mr_core.h"
#include "core/mr_heap.h"

static uint64_t rng_state;

static uint64_t rng_next(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t k) { return (uint32_t)(rng_next() % k); }

/* Key generator: half the time from a tiny set, so that equal keys are frequent. */
static double rand_key(void)
{
	if (rng_below(2))
		return (double)rng_below(8);
	return (double)(rng_next() >> 11) * 0x1.0p-53 * 1000.0;
}

/* Check every invariant stated in mr_heap.h against the reference (present[], ref[]). */
static void check_heap(const mr_heap *h, const unsigned char *present, const double *ref)
{
	uint32_t i, count = 0;
	for (i = 0; i < h->size; i++) {
		uint32_t it = h->e[i].item;
		assert_true(it < h->capacity);
		assert_int_equal(h->pos[it], i);
		assert_true(present[it]);
		assert_true(h->e[i].key == ref[it]);
		if (i > 0)
			assert_true(h->e[i].key >= h->e[(i - 1) / 4].key);
	}
	for (i = 0; i < h->capacity; i++) {
		if (present[i])
			count++;
		else
			assert_int_equal(h->pos[i], MR_HEAP_ABSENT);
		assert_int_equal(mr_heap_contains(h, i), present[i]);
	}
	assert_int_equal(count, h->size);
	assert_int_equal(mr_heap_empty(h), h->size == 0);
}

static double ref_min(const unsigned char *present, const double *ref, uint32_t n)
{
	double m = INFINITY;
	uint32_t i;
	for (i = 0; i < n; i++)
		if (present[i] && ref[i] < m)
			m = ref[i];
	return m;
}

static void test_random_ops(void **state)
{
	enum { CAP = 257 };
	mr_heap h;
	unsigned char present[CAP];
	double ref[CAP];
	uint32_t round, step, size = 0, pops = 0, decreases = 0;

	(void)state;
	rng_state = 12345;
	assert_int_equal(mr_heap_init(&h, CAP), MR_OK);
	assert_int_equal(h.capacity, CAP);
	for (round = 0; round < 60; round++) {
		memset(present, 0, sizeof(present));
		size = 0;
		for (step = 0; step < 3000; step++) {
			uint32_t op = rng_below(10), it = rng_below(CAP);
			if (op < 4) { /* push if absent */
				if (!present[it]) {
					double k = rand_key();
					mr_heap_push(&h, it, k);
					present[it] = 1;
					ref[it] = k;
					size++;
				}
			} else if (op < 6) { /* decrease a present item (sometimes to an equal key) */
				if (present[it]) {
					double k = rng_below(4) ? ref[it] - rand_key() : ref[it];
					mr_heap_decrease(&h, it, k);
					ref[it] = k;
					decreases++;
				}
			} else if (op < 8) { /* push_or_decrease reports whether the heap changed */
				double k = rand_key();
				int changed = !present[it] || k < ref[it];
				assert_int_equal(mr_heap_push_or_decrease(&h, it, k), changed);
				if (changed) {
					if (!present[it])
						size++;
					present[it] = 1;
					ref[it] = k;
				}
			} else if (size > 0) { /* pop: must return a present item with the minimum key */
				double k, m = ref_min(present, ref, CAP);
				assert_true(mr_heap_top_key(&h) == m);
				it = mr_heap_pop(&h, &k);
				assert_true(it < CAP);
				assert_true(present[it]);
				assert_true(k == m);
				assert_true(ref[it] == m);
				present[it] = 0;
				size--;
				pops++;
			}
			assert_int_equal(h.size, size);
			if (step % 97 == 0)
				check_heap(&h, present, ref);
		}
		check_heap(&h, present, ref);
		/* drain in order, against the sorted reference keys */
		if (round % 2 == 0) {
			double sorted[CAP], k;
			uint32_t ns = 0, i, j;
			for (i = 0; i < CAP; i++)
				if (present[i])
					sorted[ns++] = ref[i];
			for (i = 1; i < ns; i++) /* insertion sort */
				for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
					double t = sorted[j];
					sorted[j] = sorted[j - 1];
					sorted[j - 1] = t;
				}
			for (i = 0; i < ns; i++) {
				uint32_t it = mr_heap_pop(&h, &k);
				assert_true(k == sorted[i]);
				assert_true(present[it] && ref[it] == k);
				present[it] = 0;
			}
			assert_true(mr_heap_empty(&h));
		} else {
			mr_heap_clear(&h); /* clear, then the heap is reused by the next round */
			memset(present, 0, sizeof(present));
		}
		check_heap(&h, present, ref);
	}
	assert_true(pops > 10000);
	assert_true(decreases > 10000);
	mr_heap_free(&h);
	assert_null(h.e);
	mr_heap_free(&h); /* a freed (zeroed) heap can be freed again */
}

static void test_pop_order_and_ties(void **state)
{
	mr_heap h;
	uint32_t i, seen[100] = {0};
	double k, last = -INFINITY;

	(void)state;
	assert_int_equal(mr_heap_init(&h, 100), MR_OK);
	/* all keys equal: every item comes out exactly once */
	for (i = 0; i < 100; i++)
		mr_heap_push(&h, 99 - i, 5.0);
	for (i = 0; i < 100; i++) {
		uint32_t it = mr_heap_pop(&h, &k);
		assert_true(k == 5.0);
		assert_int_equal(seen[it], 0);
		seen[it] = 1;
		assert_false(mr_heap_contains(&h, it));
	}
	assert_true(mr_heap_empty(&h));
	/* keys pushed in decreasing order, then every item decreased below all others in turn */
	for (i = 0; i < 100; i++)
		mr_heap_push(&h, i, 1000.0 - i);
	for (i = 0; i < 100; i++)
		mr_heap_decrease(&h, i, -(double)i);
	for (i = 0; i < 100; i++) {
		uint32_t it = mr_heap_pop(&h, &k);
		assert_int_equal(it, 99 - i);
		assert_true(k >= last);
		last = k;
	}
	/* pop without a key output; -INFINITY and INFINITY are ordinary keys */
	mr_heap_push(&h, 3, INFINITY);
	mr_heap_push(&h, 4, -INFINITY);
	assert_int_equal(mr_heap_pop(&h, NULL), 4);
	assert_int_equal(mr_heap_pop(&h, NULL), 3);
	mr_heap_free(&h);
}

static void test_small_capacities(void **state)
{
	mr_heap h;
	double k;

	(void)state;
	assert_int_equal(mr_heap_init(&h, 0), MR_OK);
	assert_true(mr_heap_empty(&h));
	mr_heap_clear(&h);
	mr_heap_free(&h);

	assert_int_equal(mr_heap_init(&h, 1), MR_OK);
	assert_int_equal(mr_heap_push_or_decrease(&h, 0, 2.0), 1);
	assert_int_equal(mr_heap_push_or_decrease(&h, 0, 3.0), 0);
	assert_int_equal(mr_heap_push_or_decrease(&h, 0, 2.0), 0);
	assert_int_equal(mr_heap_push_or_decrease(&h, 0, 1.0), 1);
	assert_int_equal(mr_heap_pop(&h, &k), 0);
	assert_true(k == 1.0);
	assert_true(mr_heap_empty(&h));
	mr_heap_free(&h);

	assert_int_equal(mr_heap_init(&h, MR_HEAP_ABSENT), MR_EINVAL);
	assert_null(h.e);
}

/* Allocation hook that fails the allocation numbered fail_at (0-based) and counts live blocks. */
static int fail_at = -1, nallocs, live;
static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		if (ptr)
			live--;
		free(ptr);
		return NULL;
	}
	if (fail_at >= 0 && nallocs++ == fail_at)
		return NULL;
	if (!ptr)
		live++;
	return realloc(ptr, nsize);
}

static void test_alloc_failure(void **state)
{
	mr_heap h;
	int k;

	(void)state;
	mr_set_allocator(failing_alloc, NULL);
	for (k = 0; k < 2; k++) { /* two allocations: entries, positions */
		fail_at = k;
		nallocs = 0;
		live = 0;
		assert_int_equal(mr_heap_init(&h, 50), MR_ENOMEM);
		assert_int_equal(live, 0); /* nothing leaked */
		assert_null(h.e);
		assert_null(h.pos);
		mr_heap_free(&h);
	}
	fail_at = -1;
	live = 0;
	assert_int_equal(mr_heap_init(&h, 50), MR_OK);
	assert_int_equal(live, 2);
	mr_heap_free(&h);
	assert_int_equal(live, 0);
	mr_set_allocator(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_pop_order_and_ties),
		cmocka_unit_test(test_small_capacities),
		cmocka_unit_test(test_alloc_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
