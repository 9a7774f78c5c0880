/* mr_critical.c: criticality sweeps (mr_critical.h): the elements and their removal sets, the OD
 * sets, and the exact fast recomputation of shortest-path costs with elements removed.
 *
 * Why the fast answer equals the naive one, bit for bit. Let d be the labels of a Dijkstra search
 * with weights w >= 0 from seeds with offsets, and call a path's float cost the sum of its seed
 * offset and its weights added left to right in double arithmetic. Since x + w >= x for w >= 0 in
 * rounded arithmetic and rounding is monotone, every final label satisfies d[v] <= d[u] + w(u,v)
 * on every arc (an arc from a vertex settled later starts at a label >= d[v]), so by induction
 * d[v] <= the float cost of every path to v; and d[v] is the float cost of v's tree path. So
 * d[v] = min over all paths of their float cost: the labels do not depend on the order of ties,
 * and any correct Dijkstra gives the same bits (mr_dijkstra included).
 * Remove an arc set R. The labels d' on the smaller graph are >= d (fewer paths), and for every
 * vertex whose tree path avoids R, d'[v] <= the float cost of that path = d[v]: those labels do not
 * change, whichever of several shortest trees the search chose. A destination's cost is the
 * smallest label over its target vertices; if the tree path to the target that gave it avoids R,
 * that cost cannot change either (the others can only grow). Hence an origin needs searching
 * again for R only if R meets the tree path of one of its destinations, and then only the
 * vertices below the removed tree arcs (their subtrees) can change: they are seeded with the best
 * label over their arcs from unchanged vertices (and their own seed offset) and settled by a
 * Dijkstra restricted to them. That computes the same minimum over paths, hence the same bits.
 *
 * State of one worker (one per thread), reused across origins:
 *   d, par      the base labels and parent arcs of the current origin (full search; par MR_NONE
 *               for a seed and for an unreached vertex);
 *   cfirst, child  the tree's children in CSR;
 *   nd, nst     labels of the current removal, valid iff nst[v] == st;
 *   aff         aff[v] == st iff v lies below a removed tree arc (its label may change);
 *   rm          rm[a] == st iff arc a is removed;
 *   tst, tix    target marks of the current removal (tst[v] == st: v is a target of watched
 *               destination tix[v]);
 *   sst, soff   the current origin's seeds (sst[v] == ost) and their offsets.
 * Stamps grow by one per use, so no array is cleared between removals. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/mr_heap.h"
#include "core/mr_names.h"
#include "core/mr_progress.h"
#include "core/mr_vec.h"
#include "meridian/mr_critical.h"
#include "meridian/mr_places.h"
#include "meridian/mr_search.h"

/* ---- names ---- */

static const char *const kind_names[MR_CRIT_KIND_COUNT] = {
#define MR__X_NAME(e, s) s,
	MR_CRIT_KIND_MAP(MR__X_NAME)
#undef MR__X_NAME
};

const char *mr_crit_kind_name(int kind)
{
	return mr__name_of(kind_names, MR_CRIT_KIND_COUNT, kind);
}

static const char *const measure_names[MR_CRIT_BY_COUNT] = {"lost", "cost", "used"};

const char *mr_crit_measure_name(int measure)
{
	return mr__name_of(measure_names, MR_CRIT_BY_COUNT, measure);
}

int mr_crit_measure_parse(const char *s)
{
	return mr__name_index(measure_names, MR_CRIT_BY_COUNT, s);
}

int mr_crit_kinds_parse(const char *list, unsigned *mask, mr_error *err)
{
	static const struct {
		const char *name;
		unsigned bits;
	} words[] = {
		{"links", 1u << MR_CRIT_LINK},         {"link", 1u << MR_CRIT_LINK},
		{"borders", 1u << MR_CRIT_BORDER},     {"border", 1u << MR_CRIT_BORDER},
		{"passages", 1u << MR_CRIT_PASSAGE},   {"passage", 1u << MR_CRIT_PASSAGE},
		{"nodes", 1u << MR_CRIT_NODE},         {"node", 1u << MR_CRIT_NODE},
		{"transfers", 1u << MR_CRIT_TRANSFER}, {"transfer", 1u << MR_CRIT_TRANSFER},
		{"ferries", MR_CRIT_FERRIES},          {"ferry", MR_CRIT_FERRIES},
		{"all", MR_CRIT_ALL},
	};
	const char *p = list ? list : "";
	unsigned m = 0;
	for (;;) {
		size_t len = strcspn(p, ","), k;
		for (k = 0; k < sizeof(words) / sizeof(*words); k++)
			if (strlen(words[k].name) == len && strncmp(words[k].name, p, len) == 0)
				break;
		if (k == sizeof(words) / sizeof(*words))
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, "elements",
			                    "unknown element kind '%.*s' (links, borders, passages, nodes, transfers, ferries, all)",
			                    (int)len, p);
		m |= words[k].bits;
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = m;
	return MR_OK;
}

/* ---- elements ---- */

void mr_crit_elements_free(mr_crit_elements *el)
{
	if (!el)
		return;
	mr_free(el->v);
	mr_free(el->first);
	mr_free(el->arcs);
	memset(el, 0, sizeof(*el));
}

/* The links of arc a (one for a link arc, the chain's for a chain, none for a transfer) into
 * *first..*end of net->chain_steps, or the single link in *one. Returns the count. */
static uint32_t arc_links(const mr_net *net, uint32_t a, const uint32_t **steps, uint32_t *one)
{
	const mr_arc_rec *arc = &net->arcs[a];
	if (arc->kind == MR_ARC_LINK) {
		*one = arc->ref;
		*steps = one;
		return 1;
	}
	if (arc->kind == MR_ARC_CHAIN) {
		*steps = net->chain_steps + net->chain_first[arc->ref];
		return net->chain_first[arc->ref + 1] - net->chain_first[arc->ref];
	}
	return 0;
}

typedef MR_VEC(uint32_t) u32vec;
typedef MR_VEC(mr_crit_element) elvec;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Append element e with the arcs in tmp[0 .. n) (sorted and deduplicated here). */
static int add_element(elvec *ev, u32vec *first, u32vec *arcs, int kind, uint32_t ref, uint32_t *tmp, size_t n)
{
	mr_crit_element e;
	size_t i;
	if (!n)
		return MR_OK;
	qsort(tmp, n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < n; i++)
		if ((i == 0 || tmp[i] != tmp[i - 1]) && mr_vec_push(arcs, tmp[i]))
			return MR_ENOMEM;
	e.kind = kind;
	e.ref = ref;
	e.set = 0;
	if (mr_vec_push(ev, e) || mr_vec_push(first, (uint32_t)arcs->n))
		return MR_ENOMEM;
	return MR_OK;
}

/* A passage name to sort by (the sort keys carry their data: no global state). */
typedef struct pname {
	const char *s;
	uint32_t off;
} pname;

static int cmp_passage(const void *a, const void *b)
{
	return strcmp(((const pname *)a)->s, ((const pname *)b)->s);
}

/* Removal sets: elements that exclude the same node and remove the same arcs share one; a set's
 * id is the order of its first element. The sort keys carry their arcs. */
typedef struct setkey {
	uint64_t h;
	const uint32_t *arcs;
	uint32_t n, excl, el;
} setkey;

static uint32_t el_excl(const mr_crit_element *e)
{
	return e->kind == MR_CRIT_NODE ? e->ref : MR_NONE;
}

/* Order by content (hash, size, excluded node, arcs); 0 when the two remove the same. */
static int cmp_content(const setkey *a, const setkey *b)
{
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if (a->excl != b->excl)
		return a->excl < b->excl ? -1 : 1;
	return memcmp(a->arcs, b->arcs, a->n * sizeof(uint32_t));
}

static int cmp_setkey(const void *pa, const void *pb)
{
	const setkey *a = pa, *b = pb;
	int c = cmp_content(a, b);
	return c ? c : (a->el > b->el) - (a->el < b->el);
}

static int assign_sets(mr_crit_elements *el)
{
	setkey *k = mr_malloc((el->n + 1) * sizeof(*k));
	uint32_t *rep = mr_malloc((el->n + 1) * sizeof(uint32_t));
	size_t i, j, q;
	if (!k || !rep) {
		mr_free(k);
		mr_free(rep);
		return MR_ENOMEM;
	}
	for (i = 0; i < el->n; i++) {
		uint64_t h = 1469598103934665603ull ^ el_excl(&el->v[i]);
		for (j = el->first[i]; j < el->first[i + 1]; j++)
			h = (h ^ el->arcs[j]) * 1099511628211ull;
		k[i].h = h;
		k[i].arcs = el->arcs + el->first[i];
		k[i].n = el->first[i + 1] - el->first[i];
		k[i].excl = el_excl(&el->v[i]);
		k[i].el = (uint32_t)i;
	}
	qsort(k, el->n, sizeof(*k), cmp_setkey);
	for (i = 0; i < el->n; i = j) {
		/* the group [i, j) removes the same arcs; k[i].el is its smallest element */
		for (j = i + 1; j < el->n && cmp_content(&k[i], &k[j]) == 0; j++)
			;
		for (q = i; q < j; q++)
			rep[k[q].el] = k[i].el;
	}
	el->nsets = 0;
	for (i = 0; i < el->n; i++)
		el->v[i].set = rep[i] == i ? (uint32_t)el->nsets++ : el->v[rep[i]].set;
	mr_free(k);
	mr_free(rep);
	return MR_OK;
}

int mr_crit_elements_make(const mr_net *net, unsigned kinds, mr_crit_elements *out)
{
	const mr_graph *g = &net->g;
	uint32_t m = g->m, a, i, v;
	uint32_t *cnt = NULL, *pos = NULL, *by = NULL, *tmp = NULL;
	pname *pass = NULL;
	size_t npass = 0, ntmp = 0;
	elvec ev = {0};
	u32vec first = {0}, arcs = {0};
	int rc = MR_ENOMEM;

	memset(out, 0, sizeof(*out));
	if (mr_vec_push(&first, 0))
		goto out;
	if (!(tmp = mr_malloc((2 * (size_t)m + 1) * sizeof(uint32_t)))) /* a node's arcs in and out */
		goto out;
	/* links: the arcs of each link (bucketed by link) */
	if (kinds & ((1u << MR_CRIT_LINK) | MR_CRIT_FERRIES)) {
		uint32_t nl = net->meta.nlinks, total = 0;
		cnt = mr_calloc((size_t)nl + 2, sizeof(uint32_t));
		if (!cnt)
			goto out;
		for (a = 0; a < m; a++) {
			const uint32_t *st;
			uint32_t one, n = arc_links(net, a, &st, &one), q;
			for (q = 0; q < n; q++)
				cnt[MR_CHAIN_LINK(st[q]) + 1]++;
			total += n;
		}
		for (i = 0; i < nl; i++)
			cnt[i + 1] += cnt[i];
		pos = mr_malloc(((size_t)nl + 1) * sizeof(uint32_t));
		by = mr_malloc(((size_t)total + 1) * sizeof(uint32_t));
		if (!pos || !by)
			goto out;
		memcpy(pos, cnt, (size_t)nl * sizeof(uint32_t));
		for (a = 0; a < m; a++) {
			const uint32_t *st;
			uint32_t one, n = arc_links(net, a, &st, &one), q;
			for (q = 0; q < n; q++)
				by[pos[MR_CHAIN_LINK(st[q])]++] = a;
		}
		for (i = 0; i < nl; i++) {
			uint32_t n = cnt[i + 1] - cnt[i];
			if (!(kinds & (1u << MR_CRIT_LINK)) && net->links[i].mode != MR_MODE_FERRY)
				continue;
			memcpy(tmp, by + cnt[i], n * sizeof(uint32_t));
			if ((rc = add_element(&ev, &first, &arcs, MR_CRIT_LINK, i, tmp, n)))
				goto out;
			rc = MR_ENOMEM;
		}
	}
	/* borders */
	if (kinds & (1u << MR_CRIT_BORDER)) {
		for (i = 0; i < net->meta.nborders; i++) {
			ntmp = 0;
			for (a = 0; a < m; a++)
				if (net->arcs[a].border == i)
					tmp[ntmp++] = a;
			if ((rc = add_element(&ev, &first, &arcs, MR_CRIT_BORDER, i, tmp, ntmp)))
				goto out;
			rc = MR_ENOMEM;
		}
	}
	/* passages, by name */
	if (kinds & (1u << MR_CRIT_PASSAGE)) {
		if (!(pass = mr_malloc(((size_t)net->meta.nlinks + 1) * sizeof(*pass))))
			goto out;
		for (i = 0; i < net->meta.nlinks; i++)
			if (net->links[i].passage) {
				pass[npass].off = net->links[i].passage;
				pass[npass++].s = mr_net_str(net, net->links[i].passage);
			}
		qsort(pass, npass, sizeof(*pass), cmp_passage);
		for (i = 0; i < npass; i++) {
			uint32_t p = pass[i].off;
			if (i > 0 && strcmp(pass[i - 1].s, pass[i].s) == 0)
				continue;
			ntmp = 0;
			for (a = 0; a < m; a++) {
				const uint32_t *st;
				uint32_t one, n = arc_links(net, a, &st, &one), q;
				for (q = 0; q < n; q++) {
					uint32_t lp = net->links[MR_CHAIN_LINK(st[q])].passage;
					if (lp && (lp == p || strcmp(mr_net_str(net, lp), mr_net_str(net, p)) == 0)) {
						tmp[ntmp++] = a;
						break;
					}
				}
			}
			if ((rc = add_element(&ev, &first, &arcs, MR_CRIT_PASSAGE, p, tmp, ntmp)))
				goto out;
			rc = MR_ENOMEM;
		}
	}
	/* nodes: every arc into or out of their virtual nodes */
	if (kinds & (1u << MR_CRIT_NODE)) {
		for (i = 0; i < net->meta.nnodes; i++) {
			const mr_node_rec *nd = &net->nodes[i];
			ntmp = 0;
			for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes; v++) {
				for (a = g->first_out[v]; a < g->first_out[v + 1]; a++)
					tmp[ntmp++] = a;
				for (a = g->first_in[v]; a < g->first_in[v + 1]; a++)
					tmp[ntmp++] = g->in_arc[a];
			}
			if ((rc = add_element(&ev, &first, &arcs, MR_CRIT_NODE, i, tmp, ntmp)))
				goto out;
			rc = MR_ENOMEM;
		}
	}
	/* transfer points */
	if (kinds & (1u << MR_CRIT_TRANSFER)) {
		for (i = 0; i < net->meta.nnodes; i++) {
			const mr_node_rec *nd = &net->nodes[i];
			ntmp = 0;
			for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes; v++)
				for (a = g->first_out[v]; a < g->first_out[v + 1]; a++)
					if (net->arcs[a].kind == MR_ARC_TRANSFER)
						tmp[ntmp++] = a;
			if ((rc = add_element(&ev, &first, &arcs, MR_CRIT_TRANSFER, i, tmp, ntmp)))
				goto out;
			rc = MR_ENOMEM;
		}
	}
	out->v = ev.v;
	out->n = ev.n;
	out->first = first.v;
	out->arcs = arcs.v;
	ev.v = NULL;
	first.v = arcs.v = NULL;
	if (!out->arcs && !(out->arcs = mr_malloc(sizeof(uint32_t))))
		goto out;
	if (!out->v && !(out->v = mr_malloc(sizeof(mr_crit_element))))
		goto out;
	rc = assign_sets(out);
out:
	if (rc)
		mr_crit_elements_free(out);
	mr_vec_free(&ev);
	mr_vec_free(&first);
	mr_vec_free(&arcs);
	mr_free(cnt);
	mr_free(pos);
	mr_free(by);
	mr_free(tmp);
	mr_free(pass);
	return rc;
}

static const char *node_label(const mr_net *net, uint32_t node)
{
	const mr_node_rec *n = &net->nodes[node];
	return n->name ? mr_net_str(net, n->name) : mr_net_str(net, n->id);
}

void mr_crit_element_id(const mr_net *net, const mr_crit_element *e, char *buf, size_t size)
{
	const char *s = "";
	switch (e->kind) {
	case MR_CRIT_LINK: s = mr_net_str(net, net->links[e->ref].id); break;
	case MR_CRIT_BORDER: s = mr_net_str(net, net->borders[e->ref].id); break;
	case MR_CRIT_PASSAGE: s = mr_net_str(net, e->ref); break;
	default: s = mr_net_str(net, net->nodes[e->ref].id); break;
	}
	snprintf(buf, size, "%s", s);
}

void mr_crit_element_label(const mr_net *net, const mr_crit_element *e, char *buf, size_t size)
{
	switch (e->kind) {
	case MR_CRIT_LINK: {
		const mr_link_rec *l = &net->links[e->ref];
		if (l->name)
			snprintf(buf, size, "%s", mr_net_str(net, l->name));
		else
			snprintf(buf, size, "%s - %s (%s)", node_label(net, l->from), node_label(net, l->to), mr_mode_name(l->mode));
		break;
	}
	case MR_CRIT_BORDER: {
		const mr_border_rec *b = &net->borders[e->ref];
		snprintf(buf, size, "%s", b->name ? mr_net_str(net, b->name) : mr_net_str(net, b->id));
		break;
	}
	case MR_CRIT_PASSAGE: snprintf(buf, size, "passage %s", mr_net_str(net, e->ref)); break;
	case MR_CRIT_NODE: snprintf(buf, size, "%s", node_label(net, e->ref)); break;
	default: snprintf(buf, size, "transfers at %s", node_label(net, e->ref)); break;
	}
}

long mr_crit_element_find(const mr_net *net, const mr_crit_elements *el, int kind, const char *id)
{
	size_t i;
	char buf[256];
	for (i = 0; i < el->n; i++) {
		const mr_crit_element *e = &el->v[i];
		if (e->kind != kind)
			continue;
		mr_crit_element_id(net, e, buf, sizeof(buf));
		if (strcasecmp(buf, id) == 0)
			return (long)i;
		if ((kind == MR_CRIT_NODE || kind == MR_CRIT_TRANSFER) && net->nodes[e->ref].unlocode &&
		    strcasecmp(mr_net_str(net, net->nodes[e->ref].unlocode), id) == 0)
			return (long)i;
		if (kind == MR_CRIT_BORDER && net->borders[e->ref].name &&
		    strcasecmp(mr_net_str(net, net->borders[e->ref].name), id) == 0)
			return (long)i;
	}
	return -1;
}

/* ---- OD sets ---- */

/* National capitals: ISO 3166-1 alpha-3 country and the capital's names (';'-separated; the
 * first is the common English one). Matched within the country on node names and aliases. */
static const struct {
	const char *country, *names;
} capitals[] = {
	{"AFG", "Kabul"}, {"ALB", "Tirana;Tirane"}, {"ARE", "Abu Dhabi"}, {"ARM", "Yerevan;Erevan"},
	{"AUT", "Vienna;Wien"}, {"AZE", "Baku;Baki"}, {"BEL", "Brussels;Bruxelles;Brussel"},
	{"BGD", "Dhaka;Dacca"}, {"BGR", "Sofia"}, {"BHR", "Manama"}, {"BIH", "Sarajevo"},
	{"BLR", "Minsk"}, {"CHE", "Bern;Berne"}, {"CHN", "Beijing;Peking"}, {"CYP", "Nicosia"},
	{"CZE", "Prague;Praha"}, {"DEU", "Berlin"}, {"DNK", "Copenhagen;Kobenhavn"}, {"DZA", "Algiers;Alger"},
	{"EGY", "Cairo"}, {"ESP", "Madrid"}, {"EST", "Tallinn"}, {"FIN", "Helsinki;Helsingfors"},
	{"FRA", "Paris"}, {"GBR", "London"}, {"GEO", "Tbilisi"}, {"GRC", "Athens;Athina"},
	{"HRV", "Zagreb"}, {"HUN", "Budapest"}, {"IDN", "Jakarta"}, {"IND", "New Delhi;Delhi"},
	{"IRL", "Dublin"}, {"IRN", "Tehran;Teheran"}, {"IRQ", "Baghdad"}, {"ISR", "Jerusalem"},
	{"ITA", "Rome;Roma"}, {"JOR", "Amman"}, {"JPN", "Tokyo"}, {"KAZ", "Astana;Nur-Sultan"},
	{"KGZ", "Bishkek"}, {"KHM", "Phnom Penh"}, {"KOR", "Seoul"}, {"KWT", "Kuwait City;Kuwait"},
	{"LAO", "Vientiane"}, {"LBN", "Beirut"}, {"LBY", "Tripoli"}, {"LKA", "Colombo;Sri Jayawardenepura Kotte"},
	{"LTU", "Vilnius"}, {"LVA", "Riga"}, {"MAR", "Rabat"}, {"MDA", "Chisinau;Kishinev"},
	{"MKD", "Skopje"}, {"MMR", "Naypyidaw;Nay Pyi Taw"}, {"MNE", "Podgorica"}, {"MNG", "Ulaanbaatar;Ulan Bator"},
	{"MYS", "Kuala Lumpur"}, {"NLD", "Amsterdam"}, {"NOR", "Oslo"}, {"NPL", "Kathmandu"},
	{"OMN", "Muscat"}, {"PAK", "Islamabad"}, {"PHL", "Manila"}, {"POL", "Warsaw;Warszawa"},
	{"PRT", "Lisbon;Lisboa"}, {"QAT", "Doha"}, {"ROU", "Bucharest;Bucuresti"}, {"RUS", "Moscow;Moskva"},
	{"SAU", "Riyadh"}, {"SGP", "Singapore"}, {"SRB", "Belgrade;Beograd"}, {"SVK", "Bratislava"},
	{"SVN", "Ljubljana"}, {"SWE", "Stockholm"}, {"SYR", "Damascus"}, {"THA", "Bangkok"},
	{"TJK", "Dushanbe"}, {"TKM", "Ashgabat;Ashkhabad"}, {"TUN", "Tunis"}, {"TUR", "Ankara"},
	{"UKR", "Kyiv;Kiev"}, {"UZB", "Tashkent;Toshkent"}, {"VNM", "Hanoi;Ha Noi"}, {"YEM", "Sanaa;Sana'a"},
};

/* 1 if the folded `key` is one of the names in a ';'-separated list. */
static int fold_in_list(const char *key, const char *list)
{
	char item[128], f[128];
	const char *p = list;
	while (p && *p) {
		size_t len = strcspn(p, ";");
		if (len < sizeof(item)) {
			memcpy(item, p, len);
			item[len] = '\0';
			mr_place_fold(item, f, sizeof(f));
			if (f[0] && strcmp(f, key) == 0)
				return 1;
		}
		p = p[len] ? p + len + 1 : NULL;
	}
	return 0;
}

/* 1 if node n's name (whole, before " (" or ",", inside the parentheses) or an alias is one of
 * the names. */
static int node_named(const mr_net *net, uint32_t n, const char *names)
{
	const mr_node_rec *nd = &net->nodes[n];
	char buf[256], f[256];
	const char *name = mr_net_str(net, nd->name), *al = mr_net_str(net, nd->aliases), *p;
	size_t cut;
	mr_place_fold(name, f, sizeof(f));
	if (fold_in_list(f, names))
		return 1;
	cut = strcspn(name, "(,");
	if (cut < strlen(name) && cut < sizeof(buf)) {
		memcpy(buf, name, cut);
		buf[cut] = '\0';
		mr_place_fold(buf, f, sizeof(f));
		if (fold_in_list(f, names))
			return 1;
		if ((p = strchr(name, '('))) {
			size_t len = strcspn(p + 1, ")");
			if (len < sizeof(buf)) {
				memcpy(buf, p + 1, len);
				buf[len] = '\0';
				mr_place_fold(buf, f, sizeof(f));
				if (fold_in_list(f, names))
					return 1;
			}
		}
	}
	for (p = al; p && *p;) {
		size_t len = strcspn(p, ";");
		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = '\0';
			mr_place_fold(buf, f, sizeof(f));
			if (f[0] && fold_in_list(f, names))
				return 1;
		}
		p = p[len] ? p + len + 1 : NULL;
	}
	return 0;
}

static int has_mode(const mr_net *net, uint32_t n, int mode)
{
	const mr_node_rec *nd = &net->nodes[n];
	uint32_t v;
	for (v = nd->first_vnode; v < nd->first_vnode + nd->nvnodes; v++)
		if (net->vnodes[v].mode == mode)
			return 1;
	return 0;
}

int mr_crit_places(const mr_net *net, const char *set, uint32_t **nodes, size_t *n)
{
	uint32_t nn = net->meta.nnodes, i;
	uint8_t *pick;
	int ports = strcmp(set, "ports") == 0, cities = strcmp(set, "cities") == 0, caps = strcmp(set, "capitals") == 0;
	size_t k, c;
	*nodes = NULL;
	*n = 0;
	if (!ports && !cities && !caps)
		return MR_EINVAL;
	if (!(pick = mr_calloc((size_t)nn + 1, 1)))
		return MR_ENOMEM;
	for (i = 0; i < nn; i++) {
		const mr_node_rec *nd = &net->nodes[i];
		if (!nd->nvnodes)
			continue;
		if (ports && nd->unlocode && has_mode(net, i, MR_MODE_SEA))
			pick[i] = 1;
		if (cities && strcmp(mr_net_str(net, nd->type), "city") == 0)
			pick[i] = 1;
	}
	if (cities || caps) {
		for (c = 0; c < sizeof(capitals) / sizeof(*capitals); c++) {
			uint32_t best = MR_NONE;
			int best_land = 0;
			for (i = 0; i < nn; i++) {
				const mr_node_rec *nd = &net->nodes[i];
				int land;
				if (!nd->nvnodes || strcmp(nd->country, capitals[c].country) != 0 || !node_named(net, i, capitals[c].names))
					continue;
				land = has_mode(net, i, MR_MODE_RAIL) || has_mode(net, i, MR_MODE_ROAD);
				if (best == MR_NONE || (land && !best_land)) {
					best = i;
					best_land = land;
				}
			}
			if (best != MR_NONE)
				pick[best] = 1;
		}
	}
	for (i = 0, k = 0; i < nn; i++)
		k += pick[i];
	if (!(*nodes = mr_malloc((k + 1) * sizeof(uint32_t)))) {
		mr_free(pick);
		return MR_ENOMEM;
	}
	for (i = 0, k = 0; i < nn; i++)
		if (pick[i])
			(*nodes)[k++] = i;
	*n = k;
	mr_free(pick);
	return MR_OK;
}

int mr_crit_od_pairs(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, mr_crit_od **od, size_t *n)
{
	size_t i, j, k = 0;
	*od = NULL;
	*n = 0;
	if (na && nb > ((size_t)-1 / sizeof(mr_crit_od) - 1) / na)
		return MR_ENOMEM;
	if (!(*od = mr_malloc((na * nb + 1) * sizeof(mr_crit_od))))
		return MR_ENOMEM;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (a[i] != b[j]) {
				(*od)[k].from = a[i];
				(*od)[k].to = b[j];
				(*od)[k++].weight = 1.0;
			}
	*n = k;
	return MR_OK;
}

/* ---- the engine ---- */

void mr_crit_opts_default(mr_crit_opts *o)
{
	memset(o, 0, sizeof(*o));
	mr_route_opts_default(&o->route);
	o->method = MR_CRIT_FAST;
	o->threads = 1;
}

/* A removal set: up to two arc lists (one per element of a pair) and up to two excluded nodes
 * (pairs that start or end there are left out). */
typedef struct rset {
	const uint32_t *arcs[2];
	uint32_t narcs[2];
	uint32_t excl[2];
} rset;

/* An origin's contribution to one removal set. */
typedef struct rec {
	uint32_t set;
	uint32_t lost, changed, used;
	double dcost, lostw, usedw;
	uint64_t corr;
} rec;

typedef struct orig_out {
	rec *r;
	size_t n;
} orig_out;

typedef struct job {
	const mr_net *net;
	const mr_graph *g;
	const double *w;
	uint32_t *arc_tail;      /* m */
	const rset *sets;
	size_t nsets;
	const uint8_t *active;   /* nsets: evaluated */
	uint32_t *as_first, *as; /* arc -> active sets containing it (CSR) */
	/* pairs, sorted by (from, to), merged */
	const mr_crit_od *od;
	size_t nod;
	size_t norig;
	uint32_t *orig_first;    /* norig + 1: pairs of origin i */
	/* seeds of each node that appears in a pair: slot -> [seed_first[slot], seed_first[slot+1]) */
	uint32_t *slot;          /* nnodes */
	size_t *seed_first;
	mr_seed *seeds;
	int method;
	const mr_corridor_set *corr;
	/* out */
	double *cost;            /* nod: base cost (INFINITY: no route) */
	orig_out *out;           /* norig */
	_Atomic size_t next, done;
	_Atomic int rc;
	pthread_mutex_t lock;
	mr_crit_progress_fn progress;
	void *progress_ud;
} job;

typedef struct watch {
	uint32_t k;     /* pair index */
	double b0;      /* best over targets whose label cannot change (fast), else INFINITY */
	double best;
	int done;
} watch;

typedef struct sk {
	uint32_t set, k;
} sk;

typedef struct wk {
	const job *j;
	double *d, *nd, *soff;
	uint32_t *par, *cfirst, *child, *nst, *aff, *rm, *tst, *tix, *sst, *stack, *list, *setmark;
	uint8_t *fin;
	mr_heap h;
	uint32_t st, ost, kst;
	MR_VEC(sk) pairs;
	MR_VEC(rec) recs;
	MR_VEC(watch) watch;
	MR_VEC(uint32_t) path;
	MR_VEC(uint64_t) odmask;
	mr_router *router;       /* corridor matching */
	uint64_t searches, settled, removals;
} wk;

static void wk_free(wk *w)
{
	mr_free(w->d);
	mr_free(w->nd);
	mr_free(w->soff);
	mr_free(w->par);
	mr_free(w->cfirst);
	mr_free(w->child);
	mr_free(w->nst);
	mr_free(w->aff);
	mr_free(w->rm);
	mr_free(w->tst);
	mr_free(w->tix);
	mr_free(w->sst);
	mr_free(w->stack);
	mr_free(w->list);
	mr_free(w->setmark);
	mr_free(w->fin);
	mr_heap_free(&w->h);
	mr_vec_free(&w->pairs);
	mr_vec_free(&w->recs);
	mr_vec_free(&w->watch);
	mr_vec_free(&w->path);
	mr_vec_free(&w->odmask);
	mr_router_free(w->router);
	memset(w, 0, sizeof(*w));
}

static int wk_init(wk *w, const job *j)
{
	size_t n = (size_t)j->g->n + 1, m = (size_t)j->g->m + 1;
	memset(w, 0, sizeof(*w));
	w->j = j;
	w->d = mr_malloc(n * sizeof(double));
	w->nd = mr_malloc(n * sizeof(double));
	w->soff = mr_malloc(n * sizeof(double));
	w->par = mr_malloc(n * sizeof(uint32_t));
	w->cfirst = mr_malloc((n + 1) * sizeof(uint32_t));
	w->child = mr_malloc(n * sizeof(uint32_t));
	w->nst = mr_calloc(n, sizeof(uint32_t));
	w->aff = mr_calloc(n, sizeof(uint32_t));
	w->rm = mr_calloc(m, sizeof(uint32_t));
	w->tst = mr_calloc(n, sizeof(uint32_t));
	w->tix = mr_malloc(n * sizeof(uint32_t));
	w->sst = mr_calloc(n, sizeof(uint32_t));
	w->stack = mr_malloc(n * sizeof(uint32_t));
	w->list = mr_malloc(n * sizeof(uint32_t));
	w->setmark = mr_calloc(j->nsets + 1, sizeof(uint32_t));
	w->fin = mr_malloc(n);
	if (!w->d || !w->nd || !w->soff || !w->par || !w->cfirst || !w->child || !w->nst || !w->aff || !w->rm ||
	    !w->tst || !w->tix || !w->sst || !w->stack || !w->list || !w->setmark || !w->fin ||
	    mr_heap_init(&w->h, j->g->n) != MR_OK)
		goto fail;
	if (j->corr && j->corr->n && mr_router_new(&w->router, j->net) != MR_OK)
		goto fail;
	return MR_OK;
fail:
	wk_free(w);
	return MR_ENOMEM;
}

/* A fresh stamp for nst/aff/rm/tst (st) or for the seeds (ost); on wrap-around every array
 * stamped with it is cleared once. */
static void next_st(wk *w)
{
	if (++w->st == 0) {
		size_t n = w->j->g->n, m = w->j->g->m;
		memset(w->nst, 0, n * sizeof(uint32_t));
		memset(w->aff, 0, n * sizeof(uint32_t));
		memset(w->tst, 0, n * sizeof(uint32_t));
		memset(w->rm, 0, m * sizeof(uint32_t));
		w->st = 1;
	}
}

static const mr_seed *node_seeds(const job *j, uint32_t node, size_t *n)
{
	uint32_t s = j->slot[node];
	*n = j->seed_first[s + 1] - j->seed_first[s];
	return j->seeds + j->seed_first[s];
}

/* Full Dijkstra from the origin's seeds on the unchanged weights: d, par and fin for every vertex
 * (O(n) to reset, as the search is one-to-all anyway). */
static void base_search(wk *w, const mr_seed *src, size_t nsrc)
{
	const job *j = w->j;
	const mr_graph *g = j->g;
	const double *wt = j->w;
	uint32_t n = g->n, v, a;
	size_t i;
	double k;
	for (v = 0; v < n; v++) {
		w->d[v] = INFINITY;
		w->par[v] = MR_NONE;
	}
	memset(w->fin, 0, n);
	mr_heap_clear(&w->h);
	for (i = 0; i < nsrc; i++)
		if (src[i].offset < w->d[src[i].v]) {
			w->d[src[i].v] = src[i].offset;
			mr_heap_push_or_decrease(&w->h, src[i].v, src[i].offset);
		}
	while (!mr_heap_empty(&w->h)) {
		v = mr_heap_pop(&w->h, &k);
		w->fin[v] = 1;
		w->settled++;
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			uint32_t h = g->head[a];
			double c = k + wt[a];
			if (!w->fin[h] && c < w->d[h]) {
				w->d[h] = c;
				w->par[h] = a;
				mr_heap_push_or_decrease(&w->h, h, c);
			}
		}
	}
	w->searches++;
	/* the tree's children */
	memset(w->cfirst, 0, ((size_t)n + 1) * sizeof(uint32_t));
	for (v = 0; v < n; v++)
		if (w->par[v] != MR_NONE)
			w->cfirst[j->arc_tail[w->par[v]] + 1]++;
	for (v = 0; v < n; v++)
		w->cfirst[v + 1] += w->cfirst[v];
	memcpy(w->stack, w->cfirst, (size_t)n * sizeof(uint32_t)); /* fill positions */
	for (v = 0; v < n; v++)
		if (w->par[v] != MR_NONE)
			w->child[w->stack[j->arc_tail[w->par[v]]]++] = v;
}

static int excluded(const rset *s, uint32_t node)
{
	return s->excl[0] == node || s->excl[1] == node;
}

static void mark_removed(wk *w, const rset *s)
{
	int q;
	uint32_t i;
	for (q = 0; q < 2; q++)
		for (i = 0; i < s->narcs[q]; i++)
			w->rm[s->arcs[q][i]] = w->st;
}

static int cmp_watch_b0(const void *pa, const void *pb)
{
	const watch *a = pa, *b = pb;
	if (a->b0 != b->b0)
		return a->b0 < b->b0 ? -1 : 1;
	return (a->k > b->k) - (a->k < b->k);
}

/* Fast: the labels below the removed tree arcs again, for the watched pairs w->watch (their b0
 * set here). Each watched pair's new cost ends in its `best`. */
static void search_fast(wk *w, const rset *s)
{
	const job *j = w->j;
	const mr_graph *g = j->g;
	const double *wt = j->w;
	uint32_t st = w->st, nl = 0, sp = 0, q, i, a, v;
	size_t nw = w->watch.n, x, ptr = 0, left = nw;
	double k;
	/* the roots: heads of removed tree arcs; their subtrees */
	for (q = 0; q < 2; q++)
		for (i = 0; i < s->narcs[q]; i++) {
			a = s->arcs[q][i];
			v = g->head[a];
			if (w->par[v] == a && w->aff[v] != st) {
				w->aff[v] = st; /* marked when pushed: each vertex enters the stack once */
				w->stack[sp++] = v;
			}
		}
	while (sp) {
		v = w->stack[--sp];
		w->list[nl++] = v;
		for (i = w->cfirst[v]; i < w->cfirst[v + 1]; i++)
			if (w->aff[w->child[i]] != st) { /* a root below another root is already in */
				w->aff[w->child[i]] = st;
				w->stack[sp++] = w->child[i];
			}
	}
	/* watched pairs: the best label that stays, and marks on the targets that may change */
	for (x = 0; x < nw; x++) {
		watch *wa = &w->watch.v[x];
		size_t nt, t;
		const mr_seed *tg = node_seeds(j, j->od[wa->k].to, &nt);
		wa->b0 = INFINITY;
		wa->done = 0;
		for (t = 0; t < nt; t++) {
			v = tg[t].v;
			if (w->aff[v] != st) {
				if (w->d[v] < wa->b0)
					wa->b0 = w->d[v];
			}
		}
		wa->best = wa->b0;
	}
	if (nw > 1)
		qsort(w->watch.v, nw, sizeof(watch), cmp_watch_b0);
	for (x = 0; x < nw; x++) {
		size_t nt, t;
		const mr_seed *tg = node_seeds(j, j->od[w->watch.v[x].k].to, &nt);
		for (t = 0; t < nt; t++) {
			v = tg[t].v;
			if (w->aff[v] == st) {
				w->tst[v] = st;
				w->tix[v] = (uint32_t)x;
			}
		}
	}
	/* seed the changed vertices from the unchanged ones (and their own seed offset) */
	mr_heap_clear(&w->h);
	for (i = 0; i < nl; i++) {
		double key = w->sst[v = w->list[i]] == w->ost ? w->soff[v] : INFINITY;
		uint32_t b;
		for (b = g->first_in[v]; b < g->first_in[v + 1]; b++) {
			uint32_t u = g->tail_in[b], arc = g->in_arc[b];
			double c;
			if (w->rm[arc] == st || w->aff[u] == st || !(w->d[u] < INFINITY))
				continue;
			c = w->d[u] + wt[arc];
			if (c < key)
				key = c;
		}
		if (key < INFINITY) {
			w->nd[v] = key;
			w->nst[v] = st;
			mr_heap_push(&w->h, v, key);
		}
	}
	w->searches++;
	/* Dijkstra restricted to the changed vertices; a settled vertex leaves the heap with its
	 * final label (nst == st, not in the heap) */
	while (left && !mr_heap_empty(&w->h)) {
		v = mr_heap_pop(&w->h, &k);
		w->settled++;
		while (ptr < nw && w->watch.v[ptr].b0 <= k) { /* no label can fall below k any more */
			if (!w->watch.v[ptr].done) {
				w->watch.v[ptr].done = 1;
				left--;
			}
			ptr++;
		}
		if (w->tst[v] == st) {
			watch *wa = &w->watch.v[w->tix[v]];
			if (!wa->done) {
				if (k < wa->best)
					wa->best = k;
				wa->done = 1;
				left--;
			}
		}
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			uint32_t h = g->head[a];
			double c;
			if (w->rm[a] == st || w->aff[h] != st)
				continue;
			c = k + wt[a];
			if (w->nst[h] != st) {
				w->nst[h] = st;
				w->nd[h] = c;
				mr_heap_push(&w->h, h, c);
			} else if (c < w->nd[h] && mr_heap_contains(&w->h, h)) {
				w->nd[h] = c;
				mr_heap_decrease(&w->h, h, c);
			}
		}
	}
}

/* Naive: Dijkstra from the origin's seeds again with the set removed, until every watched pair's
 * first target is settled. */
static void search_naive(wk *w, const mr_seed *src, size_t nsrc)
{
	const job *j = w->j;
	const mr_graph *g = j->g;
	const double *wt = j->w;
	uint32_t st = w->st, v, a;
	size_t nw = w->watch.n, x, i, left = nw;
	double k;
	for (x = 0; x < nw; x++) {
		watch *wa = &w->watch.v[x];
		size_t nt, t;
		const mr_seed *tg = node_seeds(j, j->od[wa->k].to, &nt);
		wa->b0 = wa->best = INFINITY;
		wa->done = 0;
		for (t = 0; t < nt; t++) {
			w->tst[tg[t].v] = st;
			w->tix[tg[t].v] = (uint32_t)x;
		}
	}
	mr_heap_clear(&w->h);
	for (i = 0; i < nsrc; i++) {
		v = src[i].v;
		if (w->nst[v] != st || src[i].offset < w->nd[v]) {
			w->nst[v] = st;
			w->nd[v] = src[i].offset;
			mr_heap_push_or_decrease(&w->h, v, src[i].offset);
		}
	}
	w->searches++;
	while (left && !mr_heap_empty(&w->h)) {
		v = mr_heap_pop(&w->h, &k);
		w->settled++;
		if (w->tst[v] == st) {
			watch *wa = &w->watch.v[w->tix[v]];
			if (!wa->done) {
				wa->best = k;
				wa->done = 1;
				left--;
			}
		}
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++) {
			uint32_t h = g->head[a];
			double c;
			if (w->rm[a] == st)
				continue;
			c = k + wt[a];
			if (w->nst[h] != st) {
				w->nst[h] = st;
				w->nd[h] = c;
				mr_heap_push(&w->h, h, c);
			} else if (c < w->nd[h] && mr_heap_contains(&w->h, h)) {
				w->nd[h] = c;
				mr_heap_decrease(&w->h, h, c);
			}
		}
	}
}

static int cmp_watch_k(const void *pa, const void *pb)
{
	const watch *a = pa, *b = pb;
	return (a->k > b->k) - (a->k < b->k);
}

/* Add the watched pairs' outcome (in pair order) to r. */
static void tally(wk *w, rec *r)
{
	const job *j = w->j;
	size_t x;
	if (w->watch.n > 1)
		qsort(w->watch.v, w->watch.n, sizeof(watch), cmp_watch_k);
	for (x = 0; x < w->watch.n; x++) {
		const watch *wa = &w->watch.v[x];
		double c0 = j->cost[wa->k], c1 = wa->best, wgt = j->od[wa->k].weight;
		if (!(c1 < INFINITY)) {
			r->lost++;
			r->lostw += wgt;
		} else {
			if (c1 != c0)
				r->changed++;
			r->dcost += wgt * (c1 - c0);
		}
	}
}

static int cmp_sk(const void *pa, const void *pb)
{
	const sk *a = pa, *b = pb;
	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	return (a->k > b->k) - (a->k < b->k);
}

/* The corridors that the route of arcs path[0 .. n) (forward order) satisfies. */
static uint64_t corridor_mask(wk *w, const uint32_t *path, size_t n)
{
	const mr_corridor_set *cs = w->j->corr;
	mr_route r;
	uint64_t mask = 0;
	size_t c;
	memset(&r, 0, sizeof(r));
	r.arcs = (uint32_t *)path;
	r.narcs = n;
	for (c = 0; c < cs->n && c < 64; c++) {
		const mr_corridor *cor = &cs->v[c];
		const mr_pattern *pt = &cor->pattern;
		if (!pt->require && !pt->forbid && !pt->only && !pt->nseq)
			continue; /* no constraint: every route */
		if (mr_router_route_matches(w->router, &r, pt, cor->preds, cor->npred) == 1)
			mask |= (uint64_t)1 << c;
	}
	return mask;
}

static int do_origin(wk *w, size_t oi)
{
	const job *j = w->j;
	uint32_t o = j->od[j->orig_first[oi]].from, f = j->orig_first[oi], l = j->orig_first[oi + 1], kk;
	size_t nsrc, i, x;
	const mr_seed *src = node_seeds(j, o, &nsrc);
	orig_out *out = &j->out[oi];

	w->pairs.n = 0;
	w->recs.n = 0;
	if (++w->ost == 0) {
		memset(w->sst, 0, (size_t)j->g->n * sizeof(uint32_t));
		w->ost = 1;
	}
	for (i = 0; i < nsrc; i++) {
		uint32_t v = src[i].v;
		if (w->sst[v] != w->ost || src[i].offset < w->soff[v]) {
			w->sst[v] = w->ost;
			w->soff[v] = src[i].offset;
		}
	}
	if (!nsrc) {
		for (kk = f; kk < l; kk++)
			j->cost[kk] = INFINITY;
		out->r = NULL;
		out->n = 0;
		return MR_OK;
	}
	base_search(w, src, nsrc);
	/* each pair's cost, and the removal sets its tree path meets */
	w->odmask.n = 0;
	for (kk = f; kk < l; kk++) {
		size_t nt, t;
		const mr_seed *tg = node_seeds(j, j->od[kk].to, &nt);
		uint32_t best = MR_NONE, v, to = j->od[kk].to;
		double c = INFINITY;
		uint64_t mask = 0;
		for (t = 0; t < nt; t++)
			if (w->d[tg[t].v] < c) {
				c = w->d[tg[t].v];
				best = tg[t].v;
			}
		j->cost[kk] = c;
		if (best == MR_NONE) {
			if (mr_vec_push(&w->odmask, 0))
				return MR_ENOMEM;
			continue;
		}
		w->path.n = 0;
		for (v = best; w->par[v] != MR_NONE; v = j->arc_tail[w->par[v]])
			if (mr_vec_push(&w->path, w->par[v]))
				return MR_ENOMEM;
		if (j->corr && j->corr->n) {
			for (i = 0; i < w->path.n / 2; i++) {
				uint32_t tmp = w->path.v[i];
				w->path.v[i] = w->path.v[w->path.n - 1 - i];
				w->path.v[w->path.n - 1 - i] = tmp;
			}
			mask = corridor_mask(w, w->path.v, w->path.n);
		}
		if (mr_vec_push(&w->odmask, mask))
			return MR_ENOMEM;
		if (++w->kst == 0) {
			memset(w->setmark, 0, (j->nsets + 1) * sizeof(uint32_t));
			w->kst = 1;
		}
		for (i = 0; i < w->path.n; i++) {
			uint32_t a = w->path.v[i], q;
			for (q = j->as_first[a]; q < j->as_first[a + 1]; q++) {
				uint32_t s = j->as[q];
				sk p;
				if (w->setmark[s] == w->kst || excluded(&j->sets[s], o) || excluded(&j->sets[s], to))
					continue;
				w->setmark[s] = w->kst;
				p.set = s;
				p.k = kk;
				if (mr_vec_push(&w->pairs, p))
					return MR_ENOMEM;
			}
		}
	}
	if (w->pairs.n > 1)
		qsort(w->pairs.v, w->pairs.n, sizeof(sk), cmp_sk);
	if (j->method == MR_CRIT_NAIVE) {
		/* every active set, each searched from scratch with every connected pair watched */
		size_t p = 0;
		uint32_t s;
		for (s = 0; s < j->nsets; s++) {
			rec r;
			if (!j->active[s] || excluded(&j->sets[s], o))
				continue;
			memset(&r, 0, sizeof(r));
			r.set = s;
			for (; p < w->pairs.n && w->pairs.v[p].set == s; p++) {
				r.used++;
				r.usedw += j->od[w->pairs.v[p].k].weight;
				r.corr |= w->odmask.v[w->pairs.v[p].k - f];
			}
			next_st(w);
			w->watch.n = 0;
			for (kk = f; kk < l; kk++) {
				watch wa;
				if (!(j->cost[kk] < INFINITY) || excluded(&j->sets[s], j->od[kk].to))
					continue;
				memset(&wa, 0, sizeof(wa));
				wa.k = kk;
				if (mr_vec_push(&w->watch, wa))
					return MR_ENOMEM;
			}
			mark_removed(w, &j->sets[s]);
			search_naive(w, src, nsrc);
			w->removals++;
			tally(w, &r);
			if (mr_vec_push(&w->recs, r))
				return MR_ENOMEM;
		}
	} else {
		for (i = 0; i < w->pairs.n; i = x) {
			uint32_t s = w->pairs.v[i].set;
			rec r;
			memset(&r, 0, sizeof(r));
			r.set = s;
			next_st(w);
			w->watch.n = 0;
			for (x = i; x < w->pairs.n && w->pairs.v[x].set == s; x++) {
				watch wa;
				uint32_t k = w->pairs.v[x].k;
				r.used++;
				r.usedw += j->od[k].weight;
				r.corr |= w->odmask.v[k - f];
				memset(&wa, 0, sizeof(wa));
				wa.k = k;
				if (mr_vec_push(&w->watch, wa))
					return MR_ENOMEM;
			}
			mark_removed(w, &j->sets[s]);
			search_fast(w, &j->sets[s]);
			w->removals++;
			tally(w, &r);
			if (mr_vec_push(&w->recs, r))
				return MR_ENOMEM;
		}
	}
	out->n = w->recs.n;
	out->r = NULL;
	if (w->recs.n) {
		if (!(out->r = mr_malloc(w->recs.n * sizeof(rec))))
			return MR_ENOMEM;
		memcpy(out->r, w->recs.v, w->recs.n * sizeof(rec));
	}
	return MR_OK;
}

static void *worker_main(void *arg)
{
	wk *w = arg;
	job *j = (job *)w->j;
	for (;;) {
		size_t oi, done;
		int rc;
		if (atomic_load(&j->rc) != MR_OK)
			break;
		oi = atomic_fetch_add(&j->next, 1);
		if (oi >= j->norig)
			break;
		if ((rc = do_origin(w, oi)) != MR_OK) {
			int ok = MR_OK;
			atomic_compare_exchange_strong(&j->rc, &ok, rc);
			break;
		}
		done = atomic_fetch_add(&j->done, 1) + 1;
		if (j->progress) {
			pthread_mutex_lock(&j->lock);
			j->progress(j->progress_ud, done, j->norig);
			pthread_mutex_unlock(&j->lock);
		}
	}
	return NULL;
}

static unsigned thread_count(unsigned want, size_t work)
{
	if (want == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		want = c > 0 ? (unsigned)c : 1;
	}
	if (want > 64)
		want = 64;
	if (want > work)
		want = work ? (unsigned)work : 1;
	return want;
}

/* Run the job on `threads` workers; set scores accumulate in origin order. */
static int run_job(job *j, unsigned threads, mr_crit_score *set_score, uint64_t stats[3])
{
	wk *w;
	pthread_t th[64];
	int started[64] = {0};
	unsigned t, nt = thread_count(threads, j->norig);
	size_t oi, i;
	int rc = MR_OK;

	if (!(w = mr_calloc(nt, sizeof(wk))))
		return MR_ENOMEM;
	for (t = 0; t < nt; t++)
		if ((rc = wk_init(&w[t], j)))
			goto out;
	atomic_store(&j->next, 0);
	atomic_store(&j->done, 0);
	atomic_store(&j->rc, MR_OK);
	if (pthread_mutex_init(&j->lock, NULL) != 0) {
		rc = MR_ENOMEM;
		goto out;
	}
	/* threads 1 .. nt-1 and this one; if a thread cannot start, the others take its share */
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, worker_main, &w[t]) == 0;
	worker_main(&w[0]);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	pthread_mutex_destroy(&j->lock);
	if ((rc = atomic_load(&j->rc)) != MR_OK)
		goto out;
	for (oi = 0; oi < j->norig; oi++)
		for (i = 0; i < j->out[oi].n; i++) {
			const rec *r = &j->out[oi].r[i];
			mr_crit_score *s = &set_score[r->set];
			s->cost_increase += r->dcost;
			s->lost_weight += r->lostw;
			s->lost_pairs += r->lost;
			s->changed_pairs += r->changed;
			s->used_pairs += r->used;
			s->used_weight += r->usedw;
			s->corridors |= r->corr;
		}
	for (t = 0; t < nt; t++) {
		stats[0] += w[t].searches;
		stats[1] += w[t].settled;
		stats[2] += w[t].removals;
	}
out:
	for (t = 0; t < nt; t++)
		wk_free(&w[t]);
	mr_free(w);
	return rc;
}

static int cmp_od(const void *pa, const void *pb)
{
	const mr_crit_od *a = pa, *b = pb;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return (a->to > b->to) - (a->to < b->to);
}

/* Pairs sorted by (from, to) with duplicates merged (weights added in the order given). */
typedef struct odi {
	mr_crit_od od;
	size_t i;
} odi;

static int cmp_odi(const void *pa, const void *pb)
{
	const odi *a = pa, *b = pb;
	int c = cmp_od(&a->od, &b->od);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int normalize_od(const mr_net *net, const mr_crit_od *od, size_t nod, mr_crit_od **out, size_t *nout,
                        mr_error *err)
{
	mr_crit_od *v;
	odi *x;
	size_t i, e, k = 0;
	if (nod >= MR_NONE)
		return mr_error_set(err, MR_ELIMIT, NULL, 0, 0, NULL, "%zu pairs: at most %u", nod, MR_NONE - 1);
	for (i = 0; i < nod; i++)
		if (od[i].from >= net->meta.nnodes || od[i].to >= net->meta.nnodes || od[i].from == od[i].to ||
		    !(od[i].weight > 0) || !isfinite(od[i].weight))
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL,
			                    "pair %zu: a node out of range, the same node twice, or a weight not > 0", i + 1);
	v = mr_malloc((nod + 1) * sizeof(*v));
	x = mr_malloc((nod + 1) * sizeof(*x));
	if (!v || !x) {
		mr_free(v);
		mr_free(x);
		return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
	}
	for (i = 0; i < nod; i++) {
		x[i].od = od[i];
		x[i].i = i;
	}
	qsort(x, nod, sizeof(*x), cmp_odi);
	for (i = 0; i < nod; i = e) {
		v[k] = x[i].od;
		for (e = i + 1; e < nod && x[e].od.from == x[i].od.from && x[e].od.to == x[i].od.to; e++)
			v[k].weight += x[e].od.weight;
		k++;
	}
	mr_free(x);
	*out = v;
	*nout = k;
	return MR_OK;
}

/* Shared setup of a sweep: weights, sorted pairs, origins, seeds. */
typedef struct prep {
	mr_router *router;
	double *w;
	mr_crit_od *od;
	size_t nod, norig;
	uint32_t *orig_first, *slot, *arc_tail;
	size_t *seed_first;
	mr_seed *seeds;
} prep;

static void prep_free(prep *p)
{
	mr_router_free(p->router);
	mr_free(p->w);
	mr_free(p->od);
	mr_free(p->orig_first);
	mr_free(p->slot);
	mr_free(p->arc_tail);
	mr_free(p->seed_first);
	mr_free(p->seeds);
	memset(p, 0, sizeof(*p));
}

static int prep_make(const mr_net *net, const mr_crit_od *od, size_t nod, const mr_crit_opts *o, prep *p,
                     mr_error *err)
{
	const mr_graph *g = &net->g;
	const double *w;
	size_t i, nslots = 0, ns = 0, maxv = 1;
	uint32_t v, a;
	mr_seed *tmp = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!net->meta.nnodes || !g->n)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "an empty network");
	if ((rc = normalize_od(net, od, nod, &p->od, &p->nod, err)))
		return rc;
	if ((rc = mr_router_new(&p->router, net)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	if ((rc = mr_router_weights(p->router, &o->route, &w, err)))
		return rc;
	rc = MR_ENOMEM;
	if (!(p->w = mr_malloc(((size_t)g->m + 1) * sizeof(double))))
		goto nomem;
	memcpy(p->w, w, (size_t)g->m * sizeof(double));
	if (!(p->arc_tail = mr_malloc(((size_t)g->m + 1) * sizeof(uint32_t))))
		goto nomem;
	for (v = 0; v < g->n; v++)
		for (a = g->first_out[v]; a < g->first_out[v + 1]; a++)
			p->arc_tail[a] = v;
	/* origins */
	if (!(p->orig_first = mr_malloc((p->nod + 1) * sizeof(uint32_t))))
		goto nomem;
	for (i = 0; i < p->nod; i++)
		if (i == 0 || p->od[i].from != p->od[i - 1].from)
			p->orig_first[p->norig++] = (uint32_t)i;
	p->orig_first[p->norig] = (uint32_t)p->nod;
	/* seeds of every node in a pair, slots in node order */
	if (!(p->slot = mr_malloc(((size_t)net->meta.nnodes + 1) * sizeof(uint32_t))))
		goto nomem;
	for (i = 0; i < net->meta.nnodes; i++) {
		p->slot[i] = MR_NONE;
		if (net->nodes[i].nvnodes > maxv)
			maxv = net->nodes[i].nvnodes;
	}
	for (i = 0; i < p->nod; i++)
		p->slot[p->od[i].from] = p->slot[p->od[i].to] = 0;
	for (i = 0; i < net->meta.nnodes; i++)
		nslots += p->slot[i] == 0;
	p->seed_first = mr_malloc((nslots + 1) * sizeof(size_t));
	p->seeds = mr_malloc((nslots * maxv + 1) * sizeof(mr_seed));
	tmp = mr_malloc(maxv * sizeof(mr_seed));
	if (!p->seed_first || !p->seeds || !tmp)
		goto nomem;
	nslots = 0;
	for (i = 0; i < net->meta.nnodes; i++) {
		size_t n = 0, q;
		if (p->slot[i] == MR_NONE)
			continue;
		p->slot[i] = (uint32_t)nslots;
		if (mr_router_start_offsets(p->router, &o->route, (uint32_t)i, tmp, maxv, &n))
			goto nomem;
		p->seed_first[nslots++] = ns;
		for (q = 0; q < n; q++)
			p->seeds[ns++] = tmp[q];
	}
	p->seed_first[nslots] = ns;
	mr_free(tmp);
	return MR_OK;
nomem:
	mr_free(tmp);
	return mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
}

/* arc -> active sets (CSR) */
static int arc_sets(const mr_graph *g, const rset *sets, size_t nsets, const uint8_t *active, uint32_t **first,
                    uint32_t **as)
{
	size_t s, total = 0;
	uint32_t a, i;
	int q;
	uint32_t *f = mr_calloc((size_t)g->m + 2, sizeof(uint32_t)), *x, *pos;
	if (!f)
		return MR_ENOMEM;
	for (s = 0; s < nsets; s++)
		if (active[s])
			for (q = 0; q < 2; q++)
				for (i = 0; i < sets[s].narcs[q]; i++) {
					f[sets[s].arcs[q][i] + 1]++;
					total++;
				}
	for (a = 0; a < g->m; a++)
		f[a + 1] += f[a];
	x = mr_malloc((total + 1) * sizeof(uint32_t));
	pos = mr_malloc(((size_t)g->m + 1) * sizeof(uint32_t));
	if (!x || !pos) {
		mr_free(f);
		mr_free(x);
		mr_free(pos);
		return MR_ENOMEM;
	}
	memcpy(pos, f, (size_t)g->m * sizeof(uint32_t));
	for (s = 0; s < nsets; s++)
		if (active[s])
			for (q = 0; q < 2; q++)
				for (i = 0; i < sets[s].narcs[q]; i++) {
					uint32_t arc = sets[s].arcs[q][i];
					/* a pair's two lists may share an arc: list the set once per arc */
					if (pos[arc] > f[arc] && x[pos[arc] - 1] == (uint32_t)s)
						continue;
					x[pos[arc]++] = (uint32_t)s;
				}
	/* compact the holes left by shared arcs */
	{
		uint32_t w = 0, start;
		for (a = 0; a < g->m; a++) {
			start = w;
			for (i = f[a]; i < pos[a]; i++)
				x[w++] = x[i];
			f[a] = start;
		}
		f[g->m] = w;
	}
	mr_free(pos);
	*first = f;
	*as = x;
	return MR_OK;
}

/* Run a sweep over the removal sets (active ones) and sum their scores per set. */
static int sweep(const mr_net *net, const prep *p, const rset *sets, size_t nsets, const uint8_t *active,
                 const mr_crit_opts *o, mr_crit_score *set_score, double *cost, uint64_t stats[3], mr_error *err)
{
	job j;
	size_t oi;
	int rc;
	memset(&j, 0, sizeof(j));
	j.net = net;
	j.g = &net->g;
	j.w = p->w;
	j.arc_tail = p->arc_tail;
	j.sets = sets;
	j.nsets = nsets;
	j.active = active;
	j.od = p->od;
	j.nod = p->nod;
	j.norig = p->norig;
	j.orig_first = p->orig_first;
	j.slot = p->slot;
	j.seed_first = p->seed_first;
	j.seeds = p->seeds;
	j.method = o->method;
	j.corr = o->corridors;
	j.cost = cost;
	j.progress = o->progress;
	j.progress_ud = o->progress_ud;
	if ((rc = arc_sets(&net->g, sets, nsets, active, &j.as_first, &j.as)))
		return mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	if (!(j.out = mr_calloc(p->norig + 1, sizeof(orig_out)))) {
		rc = MR_ENOMEM;
		goto out;
	}
	rc = run_job(&j, o->threads, set_score, stats);
out:
	if (j.out)
		for (oi = 0; oi < p->norig; oi++)
			mr_free(j.out[oi].r);
	mr_free(j.out);
	mr_free(j.as_first);
	mr_free(j.as);
	if (rc)
		mr_error_set(err, rc, NULL, 0, 0, NULL, NULL);
	return rc;
}

static int check_opts(const mr_crit_opts *o, const mr_crit_elements *el, mr_error *err)
{
	if (o->method != MR_CRIT_FAST && o->method != MR_CRIT_NAIVE)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "unknown method");
	if (o->corridors && o->corridors->n > 64)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "at most 64 corridors can be named");
	if (o->hi && (o->hi > el->n || o->lo > o->hi))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "element range [%zu, %zu) out of 0..%zu", o->lo, o->hi,
		                    el->n);
	return MR_OK;
}

void mr_crit_result_free(mr_crit_result *res)
{
	if (!res)
		return;
	mr_free(res->score);
	memset(res, 0, sizeof(*res));
}

int mr_crit_run(const mr_net *net, const mr_crit_elements *el, const mr_crit_od *od, size_t nod,
                const mr_crit_opts *o, mr_crit_result *res, mr_error *err)
{
	prep p;
	rset *sets = NULL;
	uint32_t *rep = NULL;
	uint8_t *active = NULL;
	mr_crit_score *ss = NULL;
	double *cost = NULL, t0 = 0;
	uint64_t stats[3] = {0, 0, 0};
	size_t i, lo, hi;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = check_opts(o, el, err)))
		return rc;
	lo = o->hi ? o->lo : 0;
	hi = o->hi ? o->hi : el->n;
	t0 = mr_now_s();
	if ((rc = prep_make(net, od, nod, o, &p, err)))
		goto out;
	rc = MR_ENOMEM;
	sets = mr_calloc(el->nsets + 1, sizeof(rset));
	rep = mr_malloc((el->nsets + 1) * sizeof(uint32_t));
	active = mr_calloc(el->nsets + 1, 1);
	ss = mr_calloc(el->nsets + 1, sizeof(mr_crit_score));
	cost = mr_malloc((p.nod + 1) * sizeof(double));
	res->score = mr_calloc(el->n + 1, sizeof(mr_crit_score));
	if (!sets || !rep || !active || !ss || !cost || !res->score) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	for (i = 0; i < el->nsets; i++)
		rep[i] = MR_NONE;
	for (i = 0; i < el->n; i++) {
		uint32_t s = el->v[i].set;
		if (s >= el->nsets) {
			rc = mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "element %zu: bad removal set", i);
			goto out;
		}
		if (rep[s] == MR_NONE) {
			rep[s] = (uint32_t)i;
			sets[s].arcs[0] = el->arcs + el->first[i];
			sets[s].narcs[0] = el->first[i + 1] - el->first[i];
			sets[s].excl[0] = el_excl(&el->v[i]);
			sets[s].excl[1] = MR_NONE;
		}
		if (i >= lo && i < hi)
			active[s] = 1;
	}
	for (i = 0; i < el->first[el->n]; i++)
		if (el->arcs[i] >= net->g.m) {
			rc = mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "an element's arc is out of range");
			goto out;
		}
	if ((rc = sweep(net, &p, sets, el->nsets, active, o, ss, cost, stats, err)))
		goto out;
	for (i = lo; i < hi; i++)
		res->score[i] = ss[el->v[i].set];
	res->nelem = el->n;
	res->lo = lo;
	res->hi = hi;
	res->npairs = p.nod;
	res->norigins = p.norig;
	for (i = 0; i < p.nod; i++) {
		res->total_weight += p.od[i].weight;
		if (cost[i] < INFINITY) {
			res->connected_pairs++;
			res->connected_weight += p.od[i].weight;
			res->base_cost += p.od[i].weight * cost[i];
		}
	}
	res->searches = stats[0];
	res->settled = stats[1];
	res->removals = stats[2];
	res->threads = thread_count(o->threads, p.norig);
	res->seconds = mr_now_s() - t0;
	rc = MR_OK;
out:
	if (rc)
		mr_crit_result_free(res);
	prep_free(&p);
	mr_free(sets);
	mr_free(rep);
	mr_free(active);
	mr_free(ss);
	mr_free(cost);
	return rc;
}

int mr_crit_result_merge(mr_crit_result *dst, const mr_crit_result *src)
{
	size_t i;
	if (!dst || !src || dst->nelem != src->nelem || dst->npairs != src->npairs || !dst->score || !src->score)
		return MR_EINVAL;
	for (i = src->lo; i < src->hi; i++)
		dst->score[i] = src->score[i];
	if (src->lo < dst->lo)
		dst->lo = src->lo;
	if (src->hi > dst->hi)
		dst->hi = src->hi;
	dst->searches += src->searches;
	dst->settled += src->settled;
	dst->removals += src->removals;
	dst->seconds += src->seconds;
	return MR_OK;
}

/* ---- ranking ---- */

static int cmp_double_desc(double a, double b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

/* -1 if element a ranks before b by the measure (a total order: ties go by index). */
static int cmp_rank(const mr_crit_score *score, int measure, uint32_t a, uint32_t b)
{
	const mr_crit_score *x = &score[a], *y = &score[b];
	int c = 0;
	switch (measure) {
	case MR_CRIT_BY_COST:
		if (!(c = cmp_double_desc(x->cost_increase, y->cost_increase)))
			c = cmp_double_desc(x->lost_weight, y->lost_weight);
		break;
	case MR_CRIT_BY_USED:
		if (!(c = cmp_double_desc(x->used_weight, y->used_weight)) &&
		    !(c = cmp_double_desc(x->lost_weight, y->lost_weight)))
			c = cmp_double_desc(x->cost_increase, y->cost_increase);
		break;
	default:
		if (!(c = cmp_double_desc(x->lost_weight, y->lost_weight)))
			c = cmp_double_desc(x->cost_increase, y->cost_increase);
		break;
	}
	if (!c)
		c = cmp_double_desc(x->used_weight, y->used_weight);
	return c ? c : (a > b) - (a < b);
}

/* Heap sort of order[0 .. n) by cmp_rank: in place, no allocation, no global state. */
static void sift(const mr_crit_score *score, int measure, uint32_t *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1, big = i;
		uint32_t t;
		if (c < n && cmp_rank(score, measure, v[c], v[big]) > 0)
			big = c;
		if (c + 1 < n && cmp_rank(score, measure, v[c + 1], v[big]) > 0)
			big = c + 1;
		if (big == i)
			return;
		t = v[i];
		v[i] = v[big];
		v[big] = t;
		i = big;
	}
}

size_t mr_crit_rank(const mr_crit_result *res, int measure, uint32_t *order, uint32_t *rank)
{
	size_t i, n = 0;
	for (i = res->lo; i < res->hi; i++)
		order[n++] = (uint32_t)i;
	for (i = n / 2; i-- > 0;)
		sift(res->score, measure, order, i, n);
	for (i = n; i-- > 1;) {
		uint32_t t = order[0];
		order[0] = order[i];
		order[i] = t;
		sift(res->score, measure, order, 0, i);
	}
	if (rank) {
		memset(rank, 0, res->nelem * sizeof(uint32_t));
		for (i = 0; i < n; i++)
			rank[order[i]] = (uint32_t)(i + 1);
	}
	return n;
}

/* ---- pairs ---- */

static int cmp_pair(const void *pa, const void *pb)
{
	const mr_crit_pair *a = pa, *b = pb;
	int c;
	if (a->synergy != b->synergy)
		return a->synergy ? -1 : 1;
	if ((c = cmp_double_desc(a->excess_lost, b->excess_lost)))
		return c;
	if ((c = cmp_double_desc(a->excess_cost, b->excess_cost)))
		return c;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

int mr_crit_pairs(const mr_net *net, const mr_crit_elements *el, const mr_crit_od *od, size_t nod,
                  const mr_crit_opts *o, const mr_crit_result *singles, const uint32_t *top, size_t k,
                  double factor, mr_crit_pair **out, size_t *npairs, mr_error *err)
{
	prep p;
	rset *sets = NULL;
	uint8_t *active = NULL;
	mr_crit_score *ss = NULL;
	mr_crit_pair *v = NULL;
	double *cost = NULL;
	uint64_t stats[3] = {0, 0, 0};
	size_t i, q, n = k > 1 ? k * (k - 1) / 2 : 0, x = 0;
	int rc;

	*out = NULL;
	*npairs = 0;
	memset(&p, 0, sizeof(p));
	if ((rc = check_opts(o, el, err)))
		return rc;
	if (!singles || singles->nelem != el->n)
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "the single scores do not match the elements");
	for (i = 0; i < k; i++)
		if (top[i] >= el->n || top[i] < singles->lo || top[i] >= singles->hi)
			return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "element %u has no single score", top[i]);
	if (!(factor >= 1) || !isfinite(factor))
		return mr_error_set(err, MR_EINVAL, NULL, 0, 0, NULL, "the synergy factor must be >= 1");
	if ((rc = prep_make(net, od, nod, o, &p, err)))
		goto out;
	sets = mr_calloc(n + 1, sizeof(rset));
	active = mr_malloc(n + 1);
	ss = mr_calloc(n + 1, sizeof(mr_crit_score));
	v = mr_calloc(n + 1, sizeof(mr_crit_pair));
	cost = mr_malloc((p.nod + 1) * sizeof(double));
	if (!sets || !active || !ss || !v || !cost) {
		rc = mr_error_set(err, MR_ENOMEM, NULL, 0, 0, NULL, NULL);
		goto out;
	}
	for (i = 0; i < k; i++)
		for (q = i + 1; q < k; q++) {
			uint32_t a = top[i], b = top[q];
			rset *s = &sets[x];
			s->arcs[0] = el->arcs + el->first[a];
			s->narcs[0] = el->first[a + 1] - el->first[a];
			s->arcs[1] = el->arcs + el->first[b];
			s->narcs[1] = el->first[b + 1] - el->first[b];
			s->excl[0] = el_excl(&el->v[a]);
			s->excl[1] = el_excl(&el->v[b]);
			active[x] = 1;
			v[x].a = a;
			v[x].b = b;
			x++;
		}
	{
		mr_crit_opts po = *o;
		po.progress = NULL;
		if ((rc = sweep(net, &p, sets, n, active, &po, ss, cost, stats, err)))
			goto out;
	}
	for (x = 0; x < n; x++) {
		const mr_crit_score *sa = &singles->score[v[x].a], *sb = &singles->score[v[x].b];
		double sum_cost = sa->cost_increase + sb->cost_increase;
		v[x].joint = ss[x];
		v[x].excess_cost = ss[x].cost_increase - sum_cost;
		v[x].excess_lost = ss[x].lost_weight - (sa->lost_weight + sb->lost_weight);
		v[x].synergy = v[x].excess_lost > 1e-9 * fmax(1.0, singles->total_weight) ||
		               (ss[x].cost_increase > factor * sum_cost &&
		                v[x].excess_cost > 1e-9 * fmax(1.0, singles->base_cost));
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pair);
	*out = v;
	*npairs = n;
	v = NULL;
	rc = MR_OK;
out:
	prep_free(&p);
	mr_free(sets);
	mr_free(active);
	mr_free(ss);
	mr_free(v);
	mr_free(cost);
	return rc;
}
