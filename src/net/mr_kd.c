/* mr_kd.c: implicit k-d tree order by recursive median splits. O(n log^2 n) with qsort per
 * level; built once per network. */
#include <stdlib.h>

#include "meridian/mr_core.h"
#include "net/mr_kd.h"

typedef struct kd_item {
	double x[3];
	uint32_t id;
} kd_item;

#define MR__CMP_KD(axis)                                                             \
	static int cmp_kd##axis(const void *a, const void *b)                            \
	{                                                                                \
		double x = ((const kd_item *)a)->x[axis], y = ((const kd_item *)b)->x[axis]; \
		return x < y ? -1 : x > y;                                                   \
	}
MR__CMP_KD(0)
MR__CMP_KD(1)
MR__CMP_KD(2)
#undef MR__CMP_KD

static void kd_build(kd_item *it, size_t lo, size_t hi, int depth)
{
	static int (*const cmp[3])(const void *, const void *) = {cmp_kd0, cmp_kd1, cmp_kd2};
	size_t mid;
	while (hi - lo > 1) {
		qsort(it + lo, hi - lo, sizeof(*it), cmp[depth % 3]);
		mid = lo + (hi - lo) / 2;
		kd_build(it, lo, mid, depth + 1);
		lo = mid + 1;
		depth++;
	}
}

int mr__kd_order(const double *xyz, const uint32_t *ids, size_t n, uint32_t *out)
{
	kd_item *it = mr_malloc((n + 1) * sizeof(*it));
	size_t i;
	if (!it)
		return MR_ENOMEM;
	for (i = 0; i < n; i++) {
		it[i].x[0] = xyz[3 * i];
		it[i].x[1] = xyz[3 * i + 1];
		it[i].x[2] = xyz[3 * i + 2];
		it[i].id = ids[i];
	}
	kd_build(it, 0, n, 0);
	for (i = 0; i < n; i++)
		out[i] = it[i].id;
	mr_free(it);
	return MR_OK;
}
