/* mr_vec.h: growable arrays. A vector is {T *v; size_t n, cap;}; v is NULL while cap is 0.
 * Invariant: n <= cap, and v holds cap elements allocated through the allocator hook. */
#ifndef MERIDIAN_MR_VEC_H
#define MERIDIAN_MR_VEC_H

#include "meridian/mr_core.h"

#define MR_VEC(T) struct { T *v; size_t n, cap; }

/* Ensure room for `need` elements of `elsize` bytes in *data (capacity *cap); grows by 1.5x.
 * Returns MR_OK or MR_ENOMEM (then *data is unchanged). */
int mr__vec_reserve(void **data, size_t *cap, size_t need, size_t elsize);

#define mr_vec_reserve(vec, need) \
	mr__vec_reserve((void **)&(vec)->v, &(vec)->cap, (need), sizeof(*(vec)->v))
/* Append one element; evaluates to MR_OK or MR_ENOMEM. */
#define mr_vec_push(vec, x) \
	(mr_vec_reserve((vec), (vec)->n + 1) ? MR_ENOMEM : ((vec)->v[(vec)->n++] = (x), MR_OK))
#define mr_vec_free(vec) (mr_free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

#endif
