/* mr_kd.h: the implicit k-d tree order used by a network's nearest-node search (see mr_net.h). */
#ifndef MERIDIAN_MR_KD_H
#define MERIDIAN_MR_KD_H

#include <stddef.h>
#include <stdint.h>

/* Write into out (n entries) the ids of n points (xyz: 3 coordinates each, ids[i] names point
 * i) in implicit k-d tree order: the root of range [lo, hi) at lo + (hi - lo) / 2, split on axis
 * depth % 3, smaller-or-equal coordinates left. MR_OK or MR_ENOMEM. */
int mr__kd_order(const double *xyz, const uint32_t *ids, size_t n, uint32_t *out);

#endif
