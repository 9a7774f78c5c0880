/* mr_constrained.h: exact regular-language-constrained shortest paths: Dijkstra over the product
 * of a graph and a small DFA over arc classes, and a compiler from corridor patterns (require,
 * forbid, only, sequence over arc features) to such a DFA. See docs/constrained-search.md. */
#ifndef MERIDIAN_MR_CONSTRAINED_H
#define MERIDIAN_MR_CONSTRAINED_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"
#include "meridian/mr_net.h"
#include "meridian/mr_search.h"

/* ---------------------------------------------------------------------------------------------
 * Automaton over arc classes.
 * ------------------------------------------------------------------------------------------- */

#define MR_DFA_DEAD 0xffffu      /* transition target: the arc may not be taken in this state */
#define MR_DFA_MAX_STATES 256u   /* states are 0 .. nstates-1 (they fit in a byte) */

/* A deterministic automaton read along a path: it starts in `start`, each arc a moves it from q
 * to delta[q * nclasses + cls[a]] (MR_DFA_DEAD: the arc is forbidden in q), and the path is
 * accepted when it ends in a state with accepting[q] != 0.
 * The caller may build one by hand over its own arrays (storage = NULL, nothing to free), or get
 * one from mr_pattern_compile (storage owns delta and accepting; release with mr_dfa_free). */
typedef struct mr_dfa {
	uint32_t nstates;          /* 1 .. MR_DFA_MAX_STATES */
	uint32_t nclasses;         /* arc classes are 0 .. nclasses-1 (at most 65536) */
	uint32_t start;            /* < nstates */
	const uint16_t *delta;     /* nstates * nclasses entries, each < nstates or MR_DFA_DEAD */
	const uint8_t *accepting;  /* nstates flags */
	void *storage;             /* block owning delta and accepting, or NULL */
} mr_dfa;

/* MR_OK if d is well formed (the ranges above), else MR_EINVAL. O(nstates * nclasses). */
MR_API int mr_dfa_check(const mr_dfa *d);
/* Free what mr_pattern_compile allocated and zero *d. Accepts a zeroed or hand-built DFA (only
 * `storage` is freed). */
MR_API void mr_dfa_free(mr_dfa *d);

/* ---------------------------------------------------------------------------------------------
 * Constrained search.
 * ------------------------------------------------------------------------------------------- */

/* The best accepted path. `path` is as in mr_search.h (cost with offsets, forward arc ids from
 * source to target, first and last vertex; `settled` counts (vertex, state) pairs taken from the
 * queue). states[i] is the automaton state before path.arcs[i]; states[path.narcs] is the final,
 * accepting state; states[0] is the start state. Both arrays belong to the search object and
 * stay valid until its next search. A path may pass a vertex more than once (in different
 * states), but never a (vertex, state) pair. */
typedef struct mr_cpath {
	mr_path path;
	const uint16_t *states; /* path.narcs + 1 entries */
} mr_cpath;

typedef struct mr_constrained mr_constrained;

/* New search state for graphs of up to n vertices and m arcs and automata of up to max_states
 * states (1 .. MR_DFA_MAX_STATES). Memory is about 42 bytes per (vertex, state) pair, with the
 * state count rounded up to a power of two: size it for the largest automaton you will use.
 * MR_EINVAL if the pairs would not fit 32-bit ids; MR_ENOMEM. After this, searches allocate
 * nothing. One object per thread. */
MR_API int mr_constrained_new(mr_constrained **out, uint32_t n, uint32_t m, uint32_t max_states);
MR_API void mr_constrained_free(mr_constrained *s); /* accepts NULL */

/* Shortest path from the sources to the targets among the paths (walks) the automaton accepts:
 * Dijkstra on the product graph whose nodes are (vertex, state) pairs. Sources start in
 * dfa->start with their offset; a target counts only when reached in an accepting state, and
 * its offset is added. A source that is also a target gives the empty path if the start state
 * accepts.
 * w[a] >= 0 per arc (INFINITY: unusable); cls[a] is the class of arc a.
 * Returns MR_OK with *out filled, MR_ENOROUTE if no accepted path exists (out->path.cost is then
 * INFINITY), or MR_EINVAL for bad arguments: graph larger than the object, dfa malformed or with
 * more states than the object, no sources or no targets, vertex out of range, negative or NaN
 * offset, or an arc reached during the search whose class is >= dfa->nclasses.
 * Cost: O(nstates * nclasses) to check the DFA, then O(touched pairs and their arcs) with a
 * heap. If g has a backward CSR (first_in, tail_in, in_arc; optional), the automaton has a class
 * that no state can take (as a forbid or an only gives) and the search settles more than n / 4
 * pairs, it also makes one O(n + arcs) pass that finds the vertices from which no target can be
 * reached over arcs some state can take, and drops their pairs from then on (exact: no accepted
 * path passes through them); a corridor whose forbids cut its target off then fails at once
 * instead of exhausting the product graph. That pass can also meet (and reject with MR_EINVAL)
 * an arc of out-of-range class that the search itself would not reach. */
MR_API int mr_constrained_search(mr_constrained *s, const mr_graph *g, const double *w,
                                 const uint16_t *cls, const mr_dfa *dfa, const mr_seed *src,
                                 size_t nsrc, const mr_seed *dst, size_t ndst, mr_cpath *out);

/* As mr_constrained_search, but A* with the lower bound h (NULL: Dijkstra, exactly
 * mr_constrained_search): h[v] (g->n values, >= 0, INFINITY allowed) bounds from below the cost of
 * every accepted way on from v to a target, offset included, in every state. Pairs leave the
 * queue in order of d + h and the result stays exact when h is consistent:
 *     h[tail(a)] <= w[a] + h[head(a)]  for every arc a with finite w[a] that some state can take,
 *     h[t] <= off(t)                    for every target t.
 * Pairs (v, q) with h[v] == INFINITY are never entered. mr_constrained_potential makes such
 * bounds; a maximum of consistent bounds is consistent. The bound
 * is not checked (that would cost O(arcs)): with an inconsistent one the search still ends and
 * returns a real accepted path, but maybe not the cheapest. Allocates nothing. */
MR_API int mr_constrained_search_astar(mr_constrained *s, const mr_graph *g, const double *w,
                                       const uint16_t *cls, const mr_dfa *dfa, const double *h,
                                       const mr_seed *src, size_t nsrc, const mr_seed *dst,
                                       size_t ndst, mr_cpath *out);

/* A bound for mr_constrained_search_astar from a reverse Dijkstra over g's backward CSR
 * (first_in, tail_in, in_arc): pot[v] = min over seeds (x, off) of (the cheapest path from v to
 * x) + off, INFINITY where no seed can be reached, over the arcs with finite w[a] and, when dfa
 * is given (with cls), whose class some state can take. With seeds = the targets it is
 * consistent, and exact for the graph: the automaton only removes walks, so no accepted walk is
 * cheaper. It depends on the targets and w only (without dfa), so one serves every automaton
 * searched towards the same targets. nseeds may be 0 (all INFINITY). MR_EINVAL for bad
 * arguments (as mr_constrained_search, or no backward CSR). Uses the object's heap (the path
 * of the last search stays valid); allocates nothing; O(n + arcs) with a heap. */
MR_API int mr_constrained_potential(mr_constrained *s, const mr_graph *g, const double *w,
                                    const uint16_t *cls, const mr_dfa *dfa, const mr_seed *seeds,
                                    size_t nseeds, double *pot);

/* ---------------------------------------------------------------------------------------------
 * Corridor patterns. The caller gives each arc a bitmask of the predicates (0 .. 15) it
 * satisfies, e.g. bit 0 = "sea", bit 1 = "passage suez", bit 2 = "tag instc-west". A pattern is
 * a conjunction of:
 *   require(p)   the path uses at least one arc with p;
 *   forbid(p)    no arc of the path has p;
 *   only(p)      every arc of the path has p (the empty path satisfies it);
 *   sequence(p1, ..., pk)  the path has arcs a1, ..., ak in this order, each strictly after the
 *                previous one, with ai satisfying pi (one sequence per pattern).
 * ------------------------------------------------------------------------------------------- */

#define MR_PATTERN_MAX_PRED 16 /* predicates 0 .. 15 */
#define MR_PATTERN_MAX_SEQ 32  /* longest sequence */

/* Caller-owned, plain data; it holds no heap memory, but call mr_pattern_free for symmetry. */
typedef struct mr_pattern {
	uint16_t require, forbid, only; /* predicate bitmasks */
	uint8_t seq[MR_PATTERN_MAX_SEQ];
	uint32_t nseq;                  /* 0 = no sequence */
} mr_pattern;

MR_API void mr_pattern_init(mr_pattern *p);  /* the empty pattern: accepts every path */
MR_API void mr_pattern_free(mr_pattern *p);  /* resets to the empty pattern */
/* Each returns MR_OK, or MR_EINVAL for a predicate >= MR_PATTERN_MAX_PRED (pattern unchanged). */
MR_API int mr_pattern_require(mr_pattern *p, unsigned pred);
MR_API int mr_pattern_forbid(mr_pattern *p, unsigned pred);
MR_API int mr_pattern_only(mr_pattern *p, unsigned pred);
/* MR_EINVAL also for k == 0, k > MR_PATTERN_MAX_SEQ, or a second sequence. */
MR_API int mr_pattern_sequence(mr_pattern *p, const unsigned *preds, size_t k);

/* Compile pattern p for a graph of m arcs whose features are arc_features[0..m-1]: fills *dfa_out
 * (owning its storage: mr_dfa_free) and arc_class_out[0..m-1] with each arc's class, ready for
 * mr_constrained_search. Arcs with the same features relevant to p share a class; every arc that
 * p forbids (forbid or only) is in one class whose transitions are all MR_DFA_DEAD.
 * States are the progress tuples (set of satisfied requires, position in the sequence)
 * reachable from (none, 0) with the classes present; the accepting ones have every require
 * satisfied and the sequence complete. States that cannot lead to acceptance are then dropped
 * (transitions to them become MR_DFA_DEAD), so an unsatisfiable pattern compiles to a start
 * state without moves (the search then returns MR_ENOROUTE at once).
 * Errors (details in err, may be NULL): MR_EINVAL (NULL arguments, bad pattern), MR_ELIMIT
 * (more than MR_DFA_MAX_STATES reachable states, e.g. nine requires), MR_ENOMEM. On error
 * *dfa_out is zeroed, nothing is left allocated and arc_class_out is unspecified.
 * Cost O(m + states * classes); about 0.03 ms for 12,000 arcs. */
MR_API int mr_pattern_compile(const mr_pattern *p, const uint16_t *arc_features, size_t m,
                              mr_dfa *dfa_out, uint16_t *arc_class_out, mr_error *err);

#endif
