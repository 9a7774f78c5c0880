/* test_places.c: place resolution (id, UN/LOCODE, coordinates, names, aliases, prefixes,
 * ambiguity and suggestions) and accent folding, on a small network built by hand in memory. */
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
#include "meridian/mr_net.h"
#include "core/mr_geo.h"
#include "net/mr_kd.h"
#include "meridian/mr_places.h"

/* ------------------------------------------------------------------------------------------ */
/* A hand-built network: strings blob, nodes and their virtual nodes. */

#define MAX_NODES 32
#define MAX_VNODES 96
#define BIT(m) (1u << (m))

static char blob[8192];
static size_t blob_len;
static mr_node_rec nodes[MAX_NODES];
static mr_vnode_rec vnodes[MAX_VNODES];
static double vxyz[3 * MAX_VNODES];
static uint32_t kd[MAX_VNODES];
static uint32_t nnodes, nvnodes;
static mr_net net;

static uint32_t str_add(const char *s)
{
	size_t n = strlen(s);
	uint32_t off;

	if (n == 0)
		return 0;
	assert_true(blob_len + n + 1 <= sizeof(blob));
	off = (uint32_t)blob_len;
	memcpy(blob + blob_len, s, n + 1);
	blob_len += n + 1;
	return off;
}

/* modes: bit set of enum mr_mode; a rail mode gets gauge `gauge`. */
static uint32_t node_add(const char *id, const char *name, const char *locode, const char *aliases,
                         const char *country, double lon, double lat, unsigned modes, int gauge)
{
	mr_node_rec *nd = &nodes[nnodes];
	int m;

	assert_true(nnodes < MAX_NODES);
	memset(nd, 0, sizeof(*nd));
	nd->id = str_add(id);
	nd->name = str_add(name);
	nd->unlocode = str_add(locode);
	nd->aliases = str_add(aliases);
	nd->type = 0;
	snprintf(nd->country, sizeof(nd->country), "%s", country);
	nd->lon = lon;
	nd->lat = lat;
	nd->first_vnode = nvnodes;
	for (m = 0; m < MR_MODE_COUNT; m++) {
		if (!(modes & BIT(m)))
			continue;
		assert_true(nvnodes < MAX_VNODES);
		vnodes[nvnodes].node = nnodes;
		vnodes[nvnodes].mode = (uint8_t)m;
		vnodes[nvnodes].gauge_mm = (uint16_t)(m == MR_MODE_RAIL ? gauge : 0);
		mr_geo_ecef_km(nd->lon, nd->lat, vxyz + 3 * nvnodes);
		nvnodes++;
		nd->nvnodes++;
	}
	return nnodes++;
}

enum {
	N_MUMBAI, N_MOSCOW, N_TURKMENBASY, N_ASTARA_IRN, N_ASTARA_AZE, N_BANDAR_ABBAS, N_MAKHACHKALA,
	N_BAKU, N_GDANSK, N_NVS_PORT, N_NVS_RAIL, N_STATION1
};

static int setup(void **state)
{
	char name[32], id[8];
	int k;

	(void)state;
	memset(&net, 0, sizeof(net));
	blob[0] = 0;
	blob_len = 1;
	nnodes = nvnodes = 0;
	node_add("INNSA_P", "Mumbai (Nhava Sheva)", "INNSA", "Bombay;Nhava Sheva;JNPT", "IND", 72.95,
	         18.95, BIT(MR_MODE_SEA) | BIT(MR_MODE_RAIL), 1676);
	node_add("RU_MOW", "Moscow", "RUMOW", "Moskva;Москва", "RUS", 37.62, 55.75,
	         BIT(MR_MODE_RAIL) | BIT(MR_MODE_ROAD), 1520);
	node_add("TM_TKM", "Türkmenbaşy", "TMKRW", "Turkmenbashi;Krasnovodsk", "TKM", 52.97, 40.02,
	         BIT(MR_MODE_SEA) | BIT(MR_MODE_FERRY) | BIT(MR_MODE_RAIL), 1520);
	node_add("IR_AST", "Astara (IRN)", "", "", "IRN", 48.87, 38.43,
	         BIT(MR_MODE_ROAD) | BIT(MR_MODE_RAIL), 1435);
	node_add("AZ_AST", "Astara (AZE)", "", "", "AZE", 48.87, 38.46,
	         BIT(MR_MODE_ROAD) | BIT(MR_MODE_RAIL), 1520);
	node_add("IR_BND", "Bandar Abbas", "IRBND", "Shahid Rajaee;Bandar-e Abbas", "IRN", 56.07, 27.11,
	         BIT(MR_MODE_SEA) | BIT(MR_MODE_RAIL), 1435);
	node_add("RU_MCX", "Makhachkala", "RUMCX", "Petrovsk-Port", "RUS", 47.52, 42.98,
	         BIT(MR_MODE_FERRY) | BIT(MR_MODE_RAIL), 1520);
	node_add("AZ_BAK", "Bakı", "AZBAK", "Baku;Баку", "AZE", 49.87, 40.36,
	         BIT(MR_MODE_SEA) | BIT(MR_MODE_RAIL), 1520);
	node_add("PL_GDN", "Gdańsk", "PLGDN", "Danzig", "POL", 18.65, 54.40, BIT(MR_MODE_SEA), 0);
	node_add("RU_NVS_P", "Novorossiysk", "RUNVS", "", "RUS", 37.79, 44.72, BIT(MR_MODE_SEA), 0);
	node_add("RU_NVS_R", "Novorossiysk", "RUNVS", "", "RUS", 37.77, 44.73, BIT(MR_MODE_RAIL), 1520);
	for (k = 1; k <= 6; k++) {
		snprintf(name, sizeof(name), "Station %d", k);
		snprintf(id, sizeof(id), "S%d", k);
		node_add(id, name, "", "", "", 10.0 + k, 10.0, BIT(MR_MODE_ROAD), 0);
	}
	net.nodes = nodes;
	net.vnodes = vnodes;
	net.vxyz = vxyz;
	{
		/* the k-d tree over the nodes that have a virtual node */
		static double xyz[3 * MAX_VNODES];
		static uint32_t ids[MAX_VNODES];
		uint32_t q, m = 0;
		for (q = 0; q < nnodes; q++)
			if (nodes[q].nvnodes) {
				mr_geo_ecef_km(nodes[q].lon, nodes[q].lat, xyz + 3 * m);
				ids[m++] = q;
			}
		assert_int_equal(mr__kd_order(xyz, ids, m, kd), MR_OK);
		net.kd = kd;
		net.meta.nkd = m;
	}
	net.strings = blob;
	net.meta.nnodes = nnodes;
	net.meta.nvnodes = nvnodes;
	net.meta.strings_size = blob_len;
	return 0;
}

/* Resolve text expecting success; returns the node. */
static uint32_t ok(const char *text, unsigned mask, double max_km, int how)
{
	mr_place p;
	mr_error e;
	int rc;

	mr_error_clear(&e);
	memset(&p, 0xff, sizeof(p));
	rc = mr_place_resolve(&net, text, mask, max_km, &p, &e);
	if (rc != MR_OK)
		fail_msg("'%s': %s (%s)", text, mr_errname(rc), e.msg);
	assert_int_equal(p.how, how);
	assert_true(p.node < nnodes);
	if (how != MR_PLACE_COORD) {
		assert_true(p.snap_km == 0.0);
		assert_true(p.lon == nodes[p.node].lon && p.lat == nodes[p.node].lat);
	}
	return p.node;
}

/* Resolve text expecting failure with code; the message goes to msg. */
static void fails(const char *text, unsigned mask, double max_km, int code, char *msg, size_t size)
{
	mr_place p;
	mr_error e;
	int rc;

	mr_error_clear(&e);
	rc = mr_place_resolve(&net, text, mask, max_km, &p, &e);
	if (rc != code)
		fail_msg("'%s': expected %s, got %s (%s)", text, mr_errname(code), mr_errname(rc), e.msg);
	assert_int_equal(e.code, code);
	snprintf(msg, size, "%s", e.msg);
}

/* ------------------------------------------------------------------------------------------ */

static void check_fold(const char *in, const char *want)
{
	char out[128];
	size_t n = mr_place_fold(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_fold(void **state)
{
	char out[16];
	unsigned cp;
	(void)state;

	check_fold("Türkmenbaşy", "turkmenbasy");
	check_fold("St. Petersburg", "saint petersburg");
	check_fold("Saint-Petersburg", "saint petersburg");
	check_fold("st", "saint");
	check_fold("Stockholm", "stockholm");
	check_fold("Rue St Denis", "rue saint denis");
	check_fold("TÜRKMENBAŞY", "turkmenbasy");
	check_fold("  Bandar-e   Abbas!! ", "bandar e abbas");
	check_fold("Astara (AZE)", "astara aze");
	check_fold("Straße", "strasse");
	check_fold("Łódź", "lodz");
	check_fold("Ğ Ç İ ı Ş ş ğ ç é ü ö", "g c i i s s g c e u o");
	check_fold("Æbeltoft Œuvre", "aebeltoft oeuvre");
	check_fold("Bakı / Ələt", "baki elet");             /* Azerbaijani dotless i and schwa */
	check_fold("Gdańsk", "gdansk");
	check_fold("Москва", "Москва");                    /* Cyrillic kept as is */
	check_fold("МОСКВА-Сити", "МОСКВА Сити");           /* ... not lowercased, hyphen folded */
	check_fold("Mala\xcc\x81ga", "malaga");             /* decomposed accent dropped */
	check_fold("a\xc2\xa0" "b\xc2\xabq\xc2\xbb", "a b q"); /* no-break space, guillemets */
	check_fold("x\xffy", "x\xffy");                     /* stray byte kept */
	check_fold("", "");
	check_fold("--//--", "");

	/* truncation: at most size-1 bytes, never inside a UTF-8 sequence */
	assert_int_equal(mr_place_fold("Türkmenbaşy", out, 5), 4);
	assert_string_equal(out, "turk");
	assert_int_equal(mr_place_fold("abМ", out, 4), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(mr_place_fold("abc", out, 0), 0);
	assert_int_equal(mr_place_fold(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");

	/* every letter of Latin-1 Supplement and Latin Extended-A folds to lowercase ASCII */
	for (cp = 0xC0; cp <= 0x17F; cp++) {
		char in[3], got[8];
		size_t n, k;
		if (cp == 0xD7 || cp == 0xF7)
			continue; /* multiplication and division signs: separators */
		in[0] = (char)(0xC0 | (cp >> 6));
		in[1] = (char)(0x80 | (cp & 0x3F));
		in[2] = 0;
		n = mr_place_fold(in, got, sizeof(got));
		if (n < 1 || n > 2)
			fail_msg("U+%04X folds to %zu bytes", cp, n);
		for (k = 0; k < n; k++)
			if (got[k] < 'a' || got[k] > 'z')
				fail_msg("U+%04X folds to '%s'", cp, got);
	}
	check_fold("\xc3\x97", ""); /* U+00D7 alone: nothing but a separator */
}

static void test_id_and_unlocode(void **state)
{
	char msg[512];
	(void)state;

	assert_int_equal(ok("RU_MOW", 0, 0, MR_PLACE_ID), N_MOSCOW);
	assert_int_equal(ok("  INNSA_P\t", 0, 0, MR_PLACE_ID), N_MUMBAI);
	assert_int_equal(ok("S3", 0, 0, MR_PLACE_ID), N_STATION1 + 2);
	/* ids are exact: a different case is not an id (and matches nothing else) */
	fails("ru_mow", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));

	assert_int_equal(ok("INNSA", 0, 0, MR_PLACE_UNLOCODE), N_MUMBAI);
	assert_int_equal(ok("innsa", 0, 0, MR_PLACE_UNLOCODE), N_MUMBAI);
	assert_int_equal(ok(" IN NSA ", 0, 0, MR_PLACE_UNLOCODE), N_MUMBAI);
	assert_int_equal(ok("AzBaK", 0, 0, MR_PLACE_UNLOCODE), N_BAKU);
	assert_int_equal(ok("TMKRW", 0, 0, MR_PLACE_UNLOCODE), N_TURKMENBASY);

	/* two nodes share RUNVS */
	fails("RUNVS", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	assert_string_equal(msg, "'RUNVS' is ambiguous: Novorossiysk (RU_NVS_P, RUS), "
	                         "Novorossiysk (RU_NVS_R, RUS)");
}

static void test_names_and_aliases(void **state)
{
	(void)state;

	assert_int_equal(ok("Moscow", 0, 0, MR_PLACE_NAME), N_MOSCOW);
	assert_int_equal(ok("MOSCOW", 0, 0, MR_PLACE_NAME), N_MOSCOW);
	assert_int_equal(ok("Türkmenbaşy", 0, 0, MR_PLACE_NAME), N_TURKMENBASY);
	assert_int_equal(ok("turkmenbasy", 0, 0, MR_PLACE_NAME), N_TURKMENBASY);
	assert_int_equal(ok("TURKMENBAŞY", 0, 0, MR_PLACE_NAME), N_TURKMENBASY);
	assert_int_equal(ok("Baki", 0, 0, MR_PLACE_NAME), N_BAKU);
	assert_int_equal(ok("gdansk", 0, 0, MR_PLACE_NAME), N_GDANSK);
	assert_int_equal(ok("astara, aze", 0, 0, MR_PLACE_NAME), N_ASTARA_AZE);
	assert_int_equal(ok("Astara IRN", 0, 0, MR_PLACE_NAME), N_ASTARA_IRN);
	assert_int_equal(ok("Mumbai (Nhava Sheva)", 0, 0, MR_PLACE_NAME), N_MUMBAI);

	assert_int_equal(ok("Bombay", 0, 0, MR_PLACE_ALIAS), N_MUMBAI);
	assert_int_equal(ok("nhava sheva", 0, 0, MR_PLACE_ALIAS), N_MUMBAI);
	assert_int_equal(ok("JNPT", 0, 0, MR_PLACE_ALIAS), N_MUMBAI);
	assert_int_equal(ok("Moskva", 0, 0, MR_PLACE_ALIAS), N_MOSCOW);
	assert_int_equal(ok("Москва", 0, 0, MR_PLACE_ALIAS), N_MOSCOW);
	assert_int_equal(ok(" Баку ", 0, 0, MR_PLACE_ALIAS), N_BAKU);
	assert_int_equal(ok("Baku", 0, 0, MR_PLACE_ALIAS), N_BAKU);
	assert_int_equal(ok("shahid rajaee", 0, 0, MR_PLACE_ALIAS), N_BANDAR_ABBAS);
	assert_int_equal(ok("Bandar e Abbas", 0, 0, MR_PLACE_ALIAS), N_BANDAR_ABBAS);
	assert_int_equal(ok("Turkmenbashi", 0, 0, MR_PLACE_ALIAS), N_TURKMENBASY);
	assert_int_equal(ok("Petrovsk Port", 0, 0, MR_PLACE_ALIAS), N_MAKHACHKALA);
	assert_int_equal(ok("Danzig", 0, 0, MR_PLACE_ALIAS), N_GDANSK);

	/* unique prefixes of names */
	assert_int_equal(ok("Makh", 0, 0, MR_PLACE_NAME), N_MAKHACHKALA);
	assert_int_equal(ok("mum", 0, 0, MR_PLACE_NAME), N_MUMBAI);
	assert_int_equal(ok("Türkmen", 0, 0, MR_PLACE_NAME), N_TURKMENBASY);
	assert_int_equal(ok("bandar ab", 0, 0, MR_PLACE_NAME), N_BANDAR_ABBAS);
}

static void test_ambiguous(void **state)
{
	char msg[512];
	(void)state;

	/* same folded name */
	fails("novorossiysk", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	assert_string_equal(msg, "'novorossiysk' is ambiguous: Novorossiysk (RU_NVS_P, RUS), "
	                         "Novorossiysk (RU_NVS_R, RUS)");
	/* a prefix of two names */
	fails("Astara", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	assert_string_equal(msg, "'Astara' is ambiguous: Astara (IRN) (IR_AST, IRN), "
	                         "Astara (AZE) (AZ_AST, AZE)");
	/* more than five: five listed, the rest counted; no country, no comma */
	fails("Stat", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	assert_string_equal(msg, "'Stat' is ambiguous: Station 1 (S1), Station 2 (S2), Station 3 (S3), "
	                         "Station 4 (S4), Station 5 (S5) and 1 more");
	/* an exact name wins over a longer name it prefixes */
	assert_int_equal(ok("Station 1", 0, 0, MR_PLACE_NAME), N_STATION1);
}

static void test_not_found(void **state)
{
	char msg[512];
	(void)state;

	fails("Moskow", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Moskow'; did you mean: Moscow?");
	/* aliases count for suggestions too */
	fails("Moskwa", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Moskwa'; did you mean: Moscow?");
	fails("Bandar Abas", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Bandar Abas'; did you mean: Bandar Abbas?");
	/* a transposition costs one edit */
	fails("Makhachaklaa", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Makhachaklaa'; did you mean: Makhachkala?");
	/* a substring of a name ranks first */
	/* a whole word of a name is enough when it names one place; part of a word is not */
	assert_int_equal(ok("Sheva", 0, 0, MR_PLACE_NAME), N_MUMBAI);
	fails("Shev", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_non_null(strstr(msg, "unknown place 'Shev'; did you mean: Mumbai (Nhava Sheva)"));
	/* several suggestions, best first, at most five */
	fails("Station", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	fails("Stationx", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Stationx'; did you mean: Station 1, Station 2, "
	                         "Station 3, Station 4, Station 5?");
	/* nothing similar: no suggestion */
	fails("Qwxzzk Vbnm", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place 'Qwxzzk Vbnm'");
	/* two letters are not tried as a prefix */
	fails("Mo", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_non_null(strstr(msg, "unknown place 'Mo'"));
	/* punctuation only */
	fails("--", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_string_equal(msg, "unknown place '--'");
	/* long text is shortened in the message */
	fails("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	      0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_true(strlen(msg) < 120);
	assert_non_null(strstr(msg, "...'"));
}

/* Snapping is exact: the node it picks is the geodesically nearest, for points all over the
 * globe (the chord prefilter must never skip the true nearest). */
static void test_snap_exact(void **state)
{
	uint64_t x = 88172645463325252ull;
	int k;
	(void)state;
	for (k = 0; k < 2000; k++) {
		char text[64];
		double lon, lat, best = INFINITY;
		uint32_t i, want = 0;
		mr_place p;
		mr_error e;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		lon = (double)(x % 360000) / 1000.0 - 180.0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		lat = (double)(x % 180000) / 1000.0 - 90.0;
		for (i = 0; i < nnodes; i++) {
			double d;
			if (!nodes[i].nvnodes)
				continue;
			d = mr_geo_distance_km(lon, lat, nodes[i].lon, nodes[i].lat);
			if (d < best)
				best = d, want = i;
		}
		snprintf(text, sizeof(text), "%.3f,%.3f", lon, lat);
		assert_int_equal(mr_place_resolve(&net, text, 0, 0, &p, &e), MR_OK);
		if (fabs(p.snap_km - best) > 1e-9)
			fail_msg("%s: snapped %.6f km, nearest is %.6f km", text, p.snap_km, best);
		(void)want;
	}
}

static void test_coordinates(void **state)
{
	mr_place p;
	mr_error e;
	char msg[512];
	(void)state;

	/* the nearest node, any mode */
	assert_int_equal(mr_place_resolve(&net, "72.9,19.0", 0, 50, &p, &e), MR_OK);
	assert_int_equal(p.node, N_MUMBAI);
	assert_int_equal(p.how, MR_PLACE_COORD);
	assert_true(p.lon == 72.9 && p.lat == 19.0);
	assert_true(p.snap_km > 5.0 && p.snap_km < 10.0); /* about 7.5 km */
	assert_int_equal(ok(" 37.6 , 55.7 ", 0, 10, MR_PLACE_COORD), N_MOSCOW);
	assert_int_equal(ok("-0.5,+10", 0, 0, MR_PLACE_COORD), N_STATION1); /* 0 = no limit */

	/* the mode mask: from Astara, the nearest sea node is Baku (about 230 km), the nearest
	 * ferry node Turkmenbasy (about 390 km, nearer than Makhachkala), the nearest road node
	 * Astara */
	assert_int_equal(ok("48.87,38.445", BIT(MR_MODE_SEA), 1000, MR_PLACE_COORD), N_BAKU);
	assert_int_equal(ok("48.87,38.44", BIT(MR_MODE_ROAD), 1000, MR_PLACE_COORD), N_ASTARA_IRN);
	assert_int_equal(ok("48.87,38.455", BIT(MR_MODE_RAIL), 1000, MR_PLACE_COORD), N_ASTARA_AZE);
	assert_int_equal(ok("48.87,38.445", BIT(MR_MODE_FERRY), 0, MR_PLACE_COORD), N_TURKMENBASY);
	assert_int_equal(ok("47.6,43.2", BIT(MR_MODE_FERRY), 0, MR_PLACE_COORD), N_MAKHACHKALA);
	assert_int_equal(ok("48.87,38.445", BIT(MR_MODE_FERRY) | BIT(MR_MODE_SEA), 0, MR_PLACE_COORD),
	                 N_BAKU);
	fails("48.87,38.445", BIT(MR_MODE_IWW), 0, MR_ENOTFOUND, msg, sizeof(msg));
	assert_non_null(strstr(msg, "no node with an allowed mode"));

	/* too far: says how far the nearest allowed node is */
	fails("48.87,38.445", BIT(MR_MODE_SEA), 100, MR_ENOTFOUND, msg, sizeof(msg));
	assert_non_null(strstr(msg, "no node within 100.0 km of (48.87000, 38.44500); the nearest, Bakı "
	                            "(AZ_BAK), is "));
	assert_non_null(strstr(msg, " km away"));
	fails("0,-60", 0, 1000, MR_ENOTFOUND, msg, sizeof(msg));

	/* out of range and malformed */
	fails("200,10", 0, 0, MR_EINVAL, msg, sizeof(msg));
	assert_non_null(strstr(msg, "longitude must be in [-180, 180]"));
	fails("10,95", 0, 0, MR_EINVAL, msg, sizeof(msg));
	assert_non_null(strstr(msg, "latitude must be in [-90, 90]"));
	fails("1e400,5", 0, 0, MR_EINVAL, msg, sizeof(msg));
	fails("10,abc", 0, 0, MR_EINVAL, msg, sizeof(msg));
	assert_string_equal(msg, "malformed coordinate '10,abc': expected lon,lat in degrees");
	fails("10,20,30", 0, 0, MR_EINVAL, msg, sizeof(msg));
	fails("10, 20 x", 0, 0, MR_EINVAL, msg, sizeof(msg));
	/* not a coordinate at all: a number without a comma is a (missing) name */
	fails("10 20", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
}

static void test_arguments(void **state)
{
	mr_place p;
	mr_error e;
	char msg[512];
	mr_net empty;
	(void)state;

	assert_int_equal(mr_place_resolve(NULL, "x", 0, 0, &p, &e), MR_EINVAL);
	assert_int_equal(mr_place_resolve(&net, NULL, 0, 0, &p, &e), MR_EINVAL);
	assert_int_equal(mr_place_resolve(&net, "x", 0, 0, NULL, &e), MR_EINVAL);
	assert_int_equal(mr_place_resolve(&net, "Moscow", 0, 0, &p, NULL), MR_OK); /* err optional */
	assert_int_equal(mr_place_resolve(&net, "Moskow", 0, 0, &p, NULL), MR_ENOTFOUND);
	fails("   ", 0, 0, MR_EINVAL, msg, sizeof(msg));
	assert_string_equal(msg, "empty place");
	fails("Moscow", 1u << 20, 0, MR_EINVAL, msg, sizeof(msg));
	/* bits beyond the known modes are ignored when a known mode is set */
	assert_int_equal(ok("37.6,55.7", BIT(MR_MODE_RAIL) | (1u << 20), 0, MR_PLACE_COORD), N_MOSCOW);

	memset(&empty, 0, sizeof(empty));
	assert_int_equal(mr_place_resolve(&empty, "Moscow", 0, 0, &p, &e), MR_ENOTFOUND);
	assert_string_equal(e.msg, "unknown place 'Moscow'");
	assert_int_equal(mr_place_resolve(&empty, "37,55", 0, 0, &p, &e), MR_ENOTFOUND);
}

/* Resolution allocates nothing: it works with an allocator that always fails. */
static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return NULL;
}

static void test_no_allocation(void **state)
{
	mr_alloc_fn fn;
	void *ud;
	char msg[512];
	(void)state;

	mr_get_allocator(&fn, &ud);
	mr_set_allocator(failing_alloc, NULL);
	assert_int_equal(ok("Москва", 0, 0, MR_PLACE_ALIAS), N_MOSCOW);
	assert_int_equal(ok("37.6,55.7", 0, 0, MR_PLACE_COORD), N_MOSCOW);
	fails("Moskow", 0, 0, MR_ENOTFOUND, msg, sizeof(msg));
	fails("Astara", 0, 0, MR_EAMBIGUOUS, msg, sizeof(msg));
	mr_set_allocator(fn, ud);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test_setup(test_id_and_unlocode, setup),
		cmocka_unit_test_setup(test_names_and_aliases, setup),
		cmocka_unit_test_setup(test_ambiguous, setup),
		cmocka_unit_test_setup(test_not_found, setup),
		cmocka_unit_test_setup(test_coordinates, setup),
		cmocka_unit_test_setup(test_snap_exact, setup),
		cmocka_unit_test_setup(test_arguments, setup),
		cmocka_unit_test_setup(test_no_allocation, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
