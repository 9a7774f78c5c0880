/* mr_places.c: place resolution (node id, UN/LOCODE, "lon,lat", name, alias, name prefix) over a
 * compiled network, with accent folding and "did you mean" suggestions.
 *
 * Matching levels, tried in order; the first level with any match decides:
 *   0. "lon,lat" (text that reads as two numbers): snapped to the nearest node that has a virtual
 *      node of an allowed mode;
 *   1. exact node id (case-sensitive);
 *   2. UN/LOCODE, 5 letters/digits ("INNSA") or with the space of the code lists ("IN NSA"),
 *      case-insensitive;
 *   3. text that starts like a coordinate but is not one is an error (MR_EINVAL);
 *   4. folded name equal to the folded text;
 *   5. one of the ';'-separated folded aliases equal to the folded text;
 *   6. folded name starting with the folded text (at least MR__PREFIX_MIN bytes);
 *   7. the folded text as whole words inside a folded name (at least MR__WORDS_MIN bytes).
 * Several nodes at one level give MR_EAMBIGUOUS; no match at all gives MR_ENOTFOUND with up to
 * five suggestions. Every scan is linear over the nodes and allocates nothing: folded strings
 * live in fixed buffers on the stack (a name longer than MR__KEY_MAX bytes is compared on its
 * first MR__KEY_MAX folded bytes). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meridian/mr_places.h"
#include "core/mr_geo.h"

#define MR__KEY_MAX 256     /* folded key buffer, bytes including the NUL */
#define MR__PREFIX_MIN 3    /* shortest folded text tried as a name prefix */
#define MR__WORDS_MIN 4     /* shortest folded text tried as words inside a name */
#define MR__LIST_MAX 5      /* nodes listed in an ambiguity or suggestion message */
#define MR__SHOW_MAX 80     /* bytes of the user's text quoted in messages */

/* ------------------------------------------------------------------------------------------ */
/* Folding */

/* ASCII replacement of U+00C0..U+00FF; NULL = separator (x and division sign). */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Latin Extended-A (U+0100..U+017F) as ranges of code points sharing one replacement. */
static const struct {
	unsigned short first, last;
	const char *ascii;
} latin_ext_a_fold[] = {
	{0x100, 0x105, "a"},  {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
	{0x11C, 0x123, "g"},  {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
	{0x134, 0x135, "j"},  {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
	{0x14C, 0x151, "o"},  {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
	{0x162, 0x167, "t"},  {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
	{0x179, 0x17E, "z"},  {0x17F, 0x17F, "s"},
	/* Outside Latin Extended-A but frequent in Azerbaijani place names: schwa. */
	{0x18F, 0x18F, "e"},  {0x259, 0x259, "e"},
};

/* Replacement for a code point: an ASCII string, "" to drop it (combining marks), NULL to treat
 * it as a separator, or the sentinel `keep` to copy its bytes unchanged. */
static const char keep_cp[] = "keep";
static const char *fold_cp(unsigned cp)
{
	size_t i;

	if (cp >= 0xA0 && cp <= 0xBF)
		return NULL; /* Latin-1 punctuation and symbols, no-break space */
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1_fold[cp - 0xC0];
	if (cp >= 0x300 && cp <= 0x36F)
		return ""; /* combining diacritical marks (decomposed accents) */
	if (cp == 0x2019 || cp == 0x2018 || cp == 0x2013 || cp == 0x2014)
		return NULL; /* typographic quotes and dashes */
	for (i = 0; i < sizeof(latin_ext_a_fold) / sizeof(latin_ext_a_fold[0]); i++)
		if (cp >= latin_ext_a_fold[i].first && cp <= latin_ext_a_fold[i].last)
			return latin_ext_a_fold[i].ascii;
	return keep_cp;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes) and its code point; 0 if the
 * bytes there are not a well-formed sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len, i;
	unsigned c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return len;
}

/* Fold the n bytes at s into out (size bytes, size >= 1). See mr_place_fold. */
/* "st" as a word is "saint" (St Petersburg, Saint Petersburg, St. Petersburg fold alike);
 * expanded in place while it fits. Returns the new length. */
static size_t expand_saint(char *out, size_t w, size_t size)
{
	size_t i = 0;
	while (i + 2 <= w) {
		if ((i == 0 || out[i - 1] == ' ') && out[i] == 's' && out[i + 1] == 't' && (i + 2 == w || out[i + 2] == ' ')) {
			if (w + 3 > size - 1)
				break;
			memmove(out + i + 5, out + i + 2, w - i - 2 + 1);
			memcpy(out + i, "saint", 5);
			w += 3;
			i += 5;
		} else {
			i++;
		}
	}
	return w;
}

static size_t fold_n(const char *s, size_t n, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0, len, k;
	int space = 0; /* a separator is pending */
	unsigned cp;
	const char *rep;
	char one[2];

	if (size == 0)
		return 0;
	while (i < n && p[i]) {
		len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			rep = keep_cp; /* stray byte: kept as is */
			len = 1;
		} else if (cp < 0x80) {
			if (isalnum((int)cp)) {
				one[0] = (char)tolower((int)cp);
				one[1] = 0;
				rep = one;
			} else {
				rep = NULL;
			}
		} else {
			rep = fold_cp(cp);
		}
		if (!rep) {
			space = 1;
		} else if (rep[0]) {
			const char *src = rep == keep_cp ? (const char *)p + i : rep;
			size_t sl = rep == keep_cp ? len : strlen(rep);
			size_t need = sl + (space && w > 0);
			if (w + need > size - 1)
				break; /* truncate, never inside a sequence */
			if (space && w > 0)
				out[w++] = ' ';
			space = 0;
			for (k = 0; k < sl; k++)
				out[w++] = src[k];
		}
		i += len;
	}
	out[w] = 0;
	return expand_saint(out, w, size);
}

size_t mr_place_fold(const char *s, char *out, size_t size)
{
	if (!s) {
		if (size)
			out[0] = 0;
		return 0;
	}
	return fold_n(s, strlen(s), out, size);
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers over the network */

static const char *node_str(const mr_net *net, uint32_t off)
{
	return net->strings ? net->strings + off : "";
}

/* 1 if node i has a virtual node whose mode is in mask (mask 0 = any mode). */
static int node_has_mode(const mr_net *net, uint32_t i, unsigned mask)
{
	const mr_node_rec *nd = &net->nodes[i];
	uint32_t v;

	if (mask == 0)
		return 1;
	if (!net->vnodes)
		return 0;
	for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes; v++)
		if (net->vnodes[v].mode < MR_MODE_COUNT && (mask & (1u << net->vnodes[v].mode)))
			return 1;
	return 0;
}

/* Call fn for each folded ';'-separated alias of node i; stop when fn returns non-zero and
 * return that value. */
typedef int (*alias_fn)(const char *folded, size_t len, void *ud);
static int each_alias(const mr_net *net, uint32_t i, alias_fn fn, void *ud)
{
	const char *a = node_str(net, net->nodes[i].aliases), *end;
	char buf[MR__KEY_MAX];
	size_t len;
	int r;

	while (*a) {
		end = strchr(a, ';');
		if (!end)
			end = a + strlen(a);
		len = fold_n(a, (size_t)(end - a), buf, sizeof(buf));
		if (len > 0 && (r = fn(buf, len, ud)) != 0)
			return r;
		a = *end ? end + 1 : end;
	}
	return 0;
}

static int alias_equals(const char *folded, size_t len, void *ud)
{
	(void)len;
	return strcmp(folded, (const char *)ud) == 0;
}

/* Nodes matched at one level: the first few are kept for the message, all are counted. */
typedef struct match_set {
	uint32_t first[MR__LIST_MAX];
	size_t count;
} match_set;

static void match_add(match_set *m, uint32_t i)
{
	if (m->count < MR__LIST_MAX)
		m->first[m->count] = i;
	m->count++;
}

/* Quote at most MR__SHOW_MAX bytes of text for a message (cut at a UTF-8 boundary). */
static void show_text(const char *text, char *buf, size_t size)
{
	size_t n = strlen(text), lim = size - 1 < MR__SHOW_MAX ? size - 1 : MR__SHOW_MAX;

	if (n > lim) {
		n = lim - 3;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
		snprintf(buf, size, "%.*s...", (int)n, text);
	} else {
		snprintf(buf, size, "%s", text);
	}
}

/* Append to buf (NUL-terminated, size bytes) as much as fits. */
static void buf_cat(char *buf, size_t size, const char *fmt, ...) MR_PRINTF(3, 4);
static void buf_cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static int found(const mr_net *net, uint32_t i, int how, mr_place *out)
{
	out->node = i;
	out->how = how;
	out->snap_km = 0;
	out->lon = net->nodes[i].lon;
	out->lat = net->nodes[i].lat;
	return MR_OK;
}

/* Resolve a level's matches: one node, or MR_EAMBIGUOUS listing the first few. */
#define MR__SAME_PLACE_KM 50.0
#define MR__FAR_PLACES_KM 500.0

static int decide(const mr_net *net, const match_set *m, int how, const char *shown, mr_place *out,
                  mr_error *err)
{
	char msg[sizeof(((mr_error *)0)->msg)];
	size_t k;

	if (m->count == 1)
		return found(net, m->first[0], how, out);
	/* Two rules decide between nodes of one name, else it stays ambiguous:
	 *  - all in one country within MR__SAME_PLACE_KM of each other (two codes of one port, a port
	 *    and its station) are one place: take the best connected (most arcs), then the first;
	 *  - all more than MR__FAR_PLACES_KM apart (Rotterdam, Netherlands and Rotterdam, New York):
	 *    take the one with strictly more modes than every other (the corridor place), if any.
	 * Near places in two countries (Astara, Iran and Azerbaijan) stay ambiguous. */
	if (m->count <= MR__LIST_MAX) {
		uint32_t best_deg = 0, best_deg_node = m->first[0], best_modes = 0, best_modes_node = MR_NONE, v;
		int same = 1, far = 1, unique_modes = 0;
		size_t j;
		for (k = 0; k < m->count; k++) {
			const mr_node_rec *b = &net->nodes[m->first[k]];
			uint32_t deg = 0;
			for (j = 0; j < k; j++) {
				const mr_node_rec *c = &net->nodes[m->first[j]];
				double d = mr_geo_distance_km(c->lon, c->lat, b->lon, b->lat);
				same &= d <= MR__SAME_PLACE_KM && strcmp(c->country, b->country) == 0;
				far &= d > MR__FAR_PLACES_KM;
			}
			for (v = b->first_vnode; net->g.first_out && v < b->first_vnode + b->nvnodes; v++)
				deg += net->g.first_out[v + 1] - net->g.first_out[v];
			if (deg > best_deg)
				best_deg = deg, best_deg_node = m->first[k];
			if (b->nvnodes > best_modes)
				best_modes = b->nvnodes, best_modes_node = m->first[k], unique_modes = 1;
			else if (b->nvnodes == best_modes)
				unique_modes = 0;
		}
		if (same && best_deg > 0)
			return found(net, best_deg_node, how, out);
		if (far && unique_modes && best_modes_node != MR_NONE)
			return found(net, best_modes_node, how, out);
	}
	snprintf(msg, sizeof(msg), "'%s' is ambiguous: ", shown);
	for (k = 0; k < m->count && k < MR__LIST_MAX; k++) {
		const mr_node_rec *nd = &net->nodes[m->first[k]];
		buf_cat(msg, sizeof(msg), "%s%s (%s%s%s)", k ? ", " : "", node_str(net, nd->name),
		        node_str(net, nd->id), nd->country[0] ? ", " : "", nd->country);
	}
	if (m->count > MR__LIST_MAX)
		buf_cat(msg, sizeof(msg), " and %zu more", m->count - MR__LIST_MAX);
	return mr_error_set(err, MR_EAMBIGUOUS, NULL, 0, 0, NULL, "%s", msg);
}

/* ------------------------------------------------------------------------------------------ */
/* Coordinates */

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parse "lon,lat". Returns 1 (parsed), 0 (not a coordinate: the text does not start with a
 * number followed by a comma) or -1 (starts like one but is malformed). */
static int parse_coord(const char *s, double *lon, double *lat)
{
	char *end;

	s = skip_space(s);
	if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.'))
		return 0;
	*lon = strtod(s, &end);
	if (end == s)
		return 0;
	s = skip_space(end);
	if (*s != ',')
		return 0;
	s = skip_space(s + 1);
	*lat = strtod(s, &end);
	if (end == s)
		return -1;
	s = skip_space(end);
	return *s ? -1 : 1;
}

/* Nearest node by geodesic distance over the network's k-d tree (mr_net.h). The chord through
 * the Earth never exceeds the geodesic, and the distance along one axis never exceeds the chord:
 * a subtree or node is skipped only when such a lower bound already reaches the best geodesic
 * distance found, so the answer is exact, with a handful of geodesic computations per query. */
typedef struct nearest_ctx {
	const mr_net *net;
	unsigned mask;
	double lon, lat, p[3];
	uint32_t best;
	double best_d;
} nearest_ctx;

static void nearest(nearest_ctx *c, uint32_t lo, uint32_t hi, int depth)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, node = c->net->kd[mid];
		const double *x = c->net->vxyz + 3 * (size_t)c->net->nodes[node].first_vnode;
		int axis = depth % 3;
		double diff = c->p[axis] - x[axis];
		if (node_has_mode(c->net, node, c->mask) && mr_geo_chord_km(c->p, x) <= c->best_d) {
			double d = mr_geo_distance_km(c->lon, c->lat, c->net->nodes[node].lon, c->net->nodes[node].lat);
			if (d < c->best_d || (d == c->best_d && node < c->best)) {
				c->best_d = d;
				c->best = node;
			}
		}
		/* The near side first, then the far side if the splitting plane is close enough. */
		if (diff <= 0) {
			nearest(c, lo, mid, depth + 1);
			if (-diff > c->best_d)
				return;
			lo = mid + 1;
		} else {
			nearest(c, mid + 1, hi, depth + 1);
			if (diff > c->best_d)
				return;
			hi = mid;
		}
		depth++;
	}
}

static int resolve_coord(const mr_net *net, double lon, double lat, unsigned mask, double max_km,
                         const char *shown, mr_place *out, mr_error *err)
{
	uint32_t best = MR_NONE;
	double best_d = INFINITY;

	if (!isfinite(lon) || !isfinite(lat) || lon < -180.0 || lon > 180.0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
		                    "coordinate '%s': longitude must be in [-180, 180] (give lon,lat)", shown);
	if (lat < -90.0 || lat > 90.0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
		                    "coordinate '%s': latitude must be in [-90, 90] (give lon,lat)", shown);
	{
		nearest_ctx c;
		c.net = net;
		c.mask = mask;
		c.lon = lon;
		c.lat = lat;
		mr_geo_ecef_km(lon, lat, c.p);
		c.best = MR_NONE;
		c.best_d = INFINITY;
		nearest(&c, 0, net->meta.nkd, 0);
		best = c.best;
		best_d = c.best_d;
	}
	if (best == MR_NONE)
		return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, NULL,
		                    "no node with an allowed mode to snap '%s' to", shown);
	if (max_km > 0 && best_d > max_km)
		return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, NULL,
		                    "no node within %.1f km of (%.5f, %.5f); the nearest, %s (%s), is "
		                    "%.1f km away",
		                    max_km, lon, lat, node_str(net, net->nodes[best].name),
		                    node_str(net, net->nodes[best].id), best_d);
	out->node = best;
	out->how = MR_PLACE_COORD;
	out->snap_km = best_d;
	out->lon = lon;
	out->lat = lat;
	return MR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Suggestions */

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions) between
 * a (m bytes) and b (n bytes), both at most MR__KEY_MAX - 1 bytes. *prefix receives the
 * smallest distance between a and any prefix of b. */
static int osa_distance(const char *a, size_t m, const char *b, size_t n, int *prefix)
{
	int rows[3][MR__KEY_MAX];
	int *pp = rows[0], *p = rows[1], *c = rows[2], *t;
	size_t i, j;
	int best;

	for (j = 0; j <= n; j++)
		p[j] = (int)j;
	for (i = 1; i <= m; i++) {
		c[0] = (int)i;
		for (j = 1; j <= n; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	/* p holds the last row: distance from a to every prefix of b. */
	best = p[0];
	for (j = 1; j <= n; j++)
		if (p[j] < best)
			best = p[j];
	*prefix = best;
	return p[n];
}

/* Score of one candidate string against the key: lower is better; substring matches come first
 * (negative scores), then edit distance, where matching only a prefix of the candidate costs 1
 * more than matching all of it. */
static int candidate_score(const char *key, size_t klen, const char *s, size_t slen)
{
	const char *hit;
	int full, prefix;

	if (slen == 0)
		return INT32_MAX;
	if (klen >= MR__PREFIX_MIN && (hit = strstr(s, key)) != NULL)
		return -1000 + (int)(hit - s); /* earlier substring hits first */
	full = osa_distance(key, klen, s, slen, &prefix);
	return prefix + 1 < full ? prefix + 1 : full;
}

typedef struct suggest_state {
	const char *key;
	size_t klen;
	int best;
} suggest_state;

static int alias_score(const char *folded, size_t len, void *ud)
{
	suggest_state *st = ud;
	int sc = candidate_score(st->key, st->klen, folded, len);
	if (sc < st->best)
		st->best = sc;
	return 0;
}

static int not_found(const mr_net *net, const char *key, const char *shown, mr_error *err)
{
	char msg[sizeof(((mr_error *)0)->msg)];
	char name[MR__KEY_MAX];
	uint32_t top[MR__LIST_MAX] = {0};
	int top_score[MR__LIST_MAX] = {0};
	size_t ntop = 0, k, klen = strlen(key), nlen;
	int limit = (int)(klen / 3) + 1, cut;
	uint32_t i;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < net->meta.nnodes; i++) {
		suggest_state st;
		nlen = mr_place_fold(node_str(net, net->nodes[i].name), name, sizeof(name));
		st.key = key;
		st.klen = klen;
		st.best = candidate_score(key, klen, name, nlen);
		each_alias(net, i, alias_score, &st);
		if (st.best > limit)
			continue;
		/* insert into the sorted top list; ties keep node order */
		k = ntop < MR__LIST_MAX ? ntop : MR__LIST_MAX;
		if (k == MR__LIST_MAX && top_score[k - 1] <= st.best)
			continue;
		if (k == MR__LIST_MAX)
			k--;
		else
			ntop++;
		while (k > 0 && top_score[k - 1] > st.best) {
			top[k] = top[k - 1];
			top_score[k] = top_score[k - 1];
			k--;
		}
		top[k] = i;
		top_score[k] = st.best;
	}
	/* keep only the suggestions about as good as the best: all substring hits if there is one,
	 * else those at most one edit worse than the best */
	if (ntop) {
		cut = top_score[0] < 0 ? -1 : top_score[0] + 1;
		while (ntop > 0 && top_score[ntop - 1] > cut)
			ntop--;
	}
	snprintf(msg, sizeof(msg), "unknown place '%s'", shown);
	for (k = 0; k < ntop; k++)
		buf_cat(msg, sizeof(msg), "%s%s", k ? ", " : "; did you mean: ",
		        node_str(net, net->nodes[top[k]].name));
	if (ntop)
		buf_cat(msg, sizeof(msg), "?");
	return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, NULL, "%s", msg);
}

/* ------------------------------------------------------------------------------------------ */

/* 1 if t (n bytes) looks like a UN/LOCODE: 5 alphanumerics, or 2 letters, a space and 3. */
static int locode_key(const char *t, size_t n, char key[6])
{
	size_t i, w = 0;

	if (n == 6 && t[2] == ' ') {
		for (i = 0; i < 6; i++)
			if (i != 2)
				key[w++] = t[i];
	} else if (n == 5) {
		memcpy(key, t, 5);
		w = 5;
	} else {
		return 0;
	}
	key[5] = 0;
	for (i = 0; i < 5; i++) {
		if (!isalnum((unsigned char)key[i]))
			return 0;
		key[i] = (char)toupper((unsigned char)key[i]);
	}
	return isalpha((unsigned char)key[0]) && isalpha((unsigned char)key[1]);
}

static int locode_equal(const char *a, const char *b)
{
	size_t i;
	for (i = 0; i < 5; i++)
		if (!b[i] || toupper((unsigned char)b[i]) != a[i])
			return 0;
	return b[5] == 0;
}

int mr_place_resolve(const mr_net *net, const char *text, unsigned mode_mask, double max_snap_km,
                     mr_place *out, mr_error *err)
{
	char trimmed[MR__KEY_MAX * 2], shown[MR__SHOW_MAX + 4], key[MR__KEY_MAX], name[MR__KEY_MAX];
	const char *t;
	size_t n, klen;
	uint32_t i;
	match_set m;
	double lon = 0, lat = 0;
	int rc;
	const unsigned all_modes = (1u << MR_MODE_COUNT) - 1;

	if (!net || !text || !out || (net->meta.nnodes > 0 && !net->nodes))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "mr_place_resolve: missing argument");
	if (mode_mask != 0 && (mode_mask & all_modes) == 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "mode mask 0x%x names no mode",
		                    mode_mask);
	mode_mask &= all_modes;

	/* trim surrounding white space */
	t = text;
	while (isspace((unsigned char)*t))
		t++;
	n = strlen(t);
	while (n > 0 && isspace((unsigned char)t[n - 1]))
		n--;
	if (n == 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "empty place");
	if (n >= sizeof(trimmed)) {
		show_text(t, shown, sizeof(shown));
		return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, NULL, "unknown place '%s'", shown);
	}
	memcpy(trimmed, t, n);
	trimmed[n] = 0;
	show_text(trimmed, shown, sizeof(shown));

	/* 0. Text that reads as two numbers is a coordinate (node ids are not numbers pairs): decided
	 * first, so that a coordinate costs no scan of ids and names. */
	rc = parse_coord(trimmed, &lon, &lat);
	if (rc > 0)
		return resolve_coord(net, lon, lat, mode_mask, max_snap_km, shown, out, err);

	/* 1. node id */
	for (i = 0; i < net->meta.nnodes; i++)
		if (strcmp(node_str(net, net->nodes[i].id), trimmed) == 0)
			return found(net, i, MR_PLACE_ID, out);

	/* 2. UN/LOCODE */
	if (locode_key(trimmed, n, key)) {
		memset(&m, 0, sizeof(m));
		for (i = 0; i < net->meta.nnodes; i++)
			if (locode_equal(key, node_str(net, net->nodes[i].unlocode)))
				match_add(&m, i);
		if (m.count)
			return decide(net, &m, MR_PLACE_UNLOCODE, shown, out, err);
	}

	/* 3. something that starts like a coordinate but is not one */
	if (rc < 0)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
		                    "malformed coordinate '%s': expected lon,lat in degrees", shown);
	klen = mr_place_fold(trimmed, key, sizeof(key));
	if (klen == 0)
		return mr_error_set(err, MR_ENOTFOUND, NULL, 0, 0, NULL, "unknown place '%s'", shown);

	/* 4. folded name */
	memset(&m, 0, sizeof(m));
	for (i = 0; i < net->meta.nnodes; i++) {
		mr_place_fold(node_str(net, net->nodes[i].name), name, sizeof(name));
		if (strcmp(name, key) == 0)
			match_add(&m, i);
	}
	if (m.count)
		return decide(net, &m, MR_PLACE_NAME, shown, out, err);

	/* 5. folded alias */
	for (i = 0; i < net->meta.nnodes; i++)
		if (each_alias(net, i, alias_equals, key))
			match_add(&m, i);
	if (m.count)
		return decide(net, &m, MR_PLACE_ALIAS, shown, out, err);

	/* 6. unique prefix of a folded name */
	if (klen >= MR__PREFIX_MIN) {
		for (i = 0; i < net->meta.nnodes; i++) {
			mr_place_fold(node_str(net, net->nodes[i].name), name, sizeof(name));
			if (strncmp(name, key, klen) == 0)
				match_add(&m, i);
		}
		if (m.count)
			return decide(net, &m, MR_PLACE_NAME, shown, out, err);
	}

	/* 7. the folded text as whole words inside a folded name ("Nhava Sheva" in "Jawaharlal
	 * Nehru (Nhava Sheva)"), at least MR__WORDS_MIN bytes */
	if (klen >= MR__WORDS_MIN) {
		for (i = 0; i < net->meta.nnodes; i++) {
			const char *hit;
			size_t nl = mr_place_fold(node_str(net, net->nodes[i].name), name, sizeof(name));
			for (hit = strstr(name, key); hit; hit = strstr(hit + 1, key))
				if ((hit == name || hit[-1] == ' ') && ((size_t)(hit - name) + klen == nl || hit[klen] == ' ')) {
					match_add(&m, i);
					break;
				}
		}
		if (m.count)
			return decide(net, &m, MR_PLACE_NAME, shown, out, err);
	}

	return not_found(net, key, shown, err);
}
