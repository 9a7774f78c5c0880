/* mr_corridor.h: corridor definitions (data/eurasia/corridors.ini) for `meridian compare`. */
#ifndef MERIDIAN_MR_CORRIDOR_H
#define MERIDIAN_MR_CORRIDOR_H

#include <stddef.h>
#include "meridian/mr_constrained.h"
#include "meridian/mr_core.h"
#include "meridian/mr_route.h"

/* One corridor: a named pattern over arc predicates. Strings are owned by the set. */
typedef struct mr_corridor {
	char *id, *name;
	mr_pred preds[MR_PATTERN_MAX_PRED];
	size_t npred;
	mr_pattern pattern;
	char *text; /* the constraints, as written, for messages ("require passage:suez; ...") */
	long line;
} mr_corridor;

typedef struct mr_corridor_set {
	mr_corridor *v;
	size_t n;
} mr_corridor_set;

/* Read an INI-style corridor file:
 *   [id]                      a corridor (id: a-z, 0-9, '-')
 *   name = text               what it is
 *   require = kind:value      the route uses at least one such arc (repeatable)
 *   forbid = kind:value       no such arc
 *   only = kind:value         every arc is such an arc
 *   sequence = k:v, k:v, ...  such arcs in this order
 * kinds: tag, passage, mode, country, border. '#' starts a comment line. Errors name the file,
 * line and field. */
MR_API int mr_corridors_read(const char *path, mr_corridor_set *out, mr_error *err);
MR_API void mr_corridors_free(mr_corridor_set *s);
/* The corridor with this id, or NULL. */
MR_API const mr_corridor *mr_corridors_find(const mr_corridor_set *s, const char *id);

#endif
