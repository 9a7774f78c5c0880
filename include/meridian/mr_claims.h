/* mr_claims.h: published claims about corridors (data/eurasia/claims.ini), checked against a
 * comparison: which baseline each claim uses, what the model gives, and whether it confirms it. */
#ifndef MERIDIAN_MR_CLAIMS_H
#define MERIDIAN_MR_CLAIMS_H

#include <stddef.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_report.h"

enum mr_claim_figure { MR_CLAIM_KM, MR_CLAIM_DAYS, MR_CLAIM_USD, MR_CLAIM_KG_CO2E, MR_CLAIM_FIGURE_COUNT };

/* One claim: over the route from `from` to `to` (places, matched within radius_km of the
 * compared ones), the corridor's figure lies in [lo, hi], the baseline corridor's in
 * [base_lo, base_hi], and/or their ratio (corridor / baseline) is `ratio`; each part may be
 * absent (NAN). A part holds when the model is within the range widened by `tolerance`
 * (relative, default 0.10). */
typedef struct mr_claim {
	char *id, *text, *source, *from, *to, *corridor, *baseline;
	int figure;
	double lo, hi, base_lo, base_hi, ratio, tolerance, radius_km;
	long line;
} mr_claim;

typedef struct mr_claim_set {
	mr_claim *v;
	size_t n;
} mr_claim_set;

/* INI-style:
 *   [id]
 *   claim = what was claimed, in words       source = who claimed it, where
 *   from = PLACE   to = PLACE                 radius_km = 50
 *   figure = km | days | usd | kg_co2e
 *   corridor = ID  value = X or LO-HI          baseline = ID  baseline_value = X or LO-HI
 *   ratio = R                                  tolerance = 0.10
 * Errors name the file, line and field. */
MR_API int mr_claims_read(const char *path, mr_claim_set *out, mr_error *err);
MR_API void mr_claims_free(mr_claim_set *s);
MR_API const char *mr_claim_figure_name(int figure);

enum mr_claim_verdict { MR_CLAIM_CONFIRMED, MR_CLAIM_NOT_CONFIRMED, MR_CLAIM_UNTESTABLE };
MR_API const char *mr_claim_verdict_name(int verdict); /* "confirmed", "not confirmed", "cannot be tested" */

typedef struct mr_claim_check {
	const mr_claim *claim;
	int verdict;
	double model, model_base, model_ratio; /* NAN where a corridor has no route or is not compared */
	char why[320];                          /* which parts hold and which do not, in words */
} mr_claim_check;

/* The claims of s that are about this origin and destination (both within the claim's radius),
 * checked against rows (those whose ids the claims name). out has room for s->n. */
MR_API size_t mr_claims_check(const mr_claim_set *s, const mr_net *net, uint32_t from, uint32_t to,
                              const mr_compare_row *rows, size_t nrows, mr_claim_check *out);

#endif
