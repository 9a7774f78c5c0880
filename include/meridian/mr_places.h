/* mr_places.h: turning what a user types (node id, UN/LOCODE, name, alias, "lon,lat") into a node
 * of a compiled network. */
#ifndef MERIDIAN_MR_PLACES_H
#define MERIDIAN_MR_PLACES_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"

enum mr_place_how { MR_PLACE_ID, MR_PLACE_UNLOCODE, MR_PLACE_NAME, MR_PLACE_ALIAS, MR_PLACE_COORD };

typedef struct mr_place {
	uint32_t node;  /* real node index */
	int how;        /* enum mr_place_how */
	double snap_km; /* MR_PLACE_COORD: distance from the given point to the node, else 0 */
	double lon, lat; /* the point given (MR_PLACE_COORD) or the node's */
} mr_place;

/* Resolve text. Matching of names and aliases ignores case, accents and punctuation. For
 * "lon,lat", snap to the nearest node that has a virtual node of a mode in mode_mask (bit i =
 * mode i; 0 = any) within max_snap_km. Errors: MR_ENOTFOUND or MR_EAMBIGUOUS, with err->msg
 * listing up to five suggestions; MR_EINVAL for a malformed coordinate. */
MR_API int mr_place_resolve(const mr_net *net, const char *text, unsigned mode_mask,
                            double max_snap_km, mr_place *out, mr_error *err);

/* Fold s to its matching key: ASCII lowercase, Latin accents removed, runs of spaces and
 * punctuation turned into one space, trimmed. Returns the length written (truncated to size-1). */
MR_API size_t mr_place_fold(const char *s, char *out, size_t size);

#endif
