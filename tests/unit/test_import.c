/* test_import.c: unit tests of the TNTP, DIMACS and GMNS importers (mr_import.h) on small
 * fixtures written by the test, a table of malformed inputs (file, line, field of each error),
 * allocation failures, and TNTP SiouxFalls and Chicago Regional from ../shared/data when present. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "meridian/mr_import.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"

/* ---- helpers ---- */

#define MAXDIAG 64

typedef struct diags {
	size_t n, errors, warnings;
	mr_error e[MAXDIAG];
	int sev[MAXDIAG];
} diags;

static void on_diag(void *ud, int severity, const mr_error *e)
{
	diags *d = ud;
	if (severity == MR_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->n < MAXDIAG) {
		d->e[d->n] = *e;
		d->sev[d->n] = severity;
		d->n++;
	}
}

static char tmpdir[256];

static void put(const char *name, const char *text)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm(const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	unlink(p);
}

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static uint32_t node_of(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nnodes; i++)
		if (strcmp(s->nodes[i].id, id) == 0)
			return (uint32_t)i;
	return MR_NONE;
}

static uint32_t net_node(const mr_net *n, const char *id)
{
	uint32_t i;
	for (i = 0; i < n->meta.nnodes; i++)
		if (strcmp(mr_net_str(n, n->nodes[i].id), id) == 0)
			return i;
	return MR_NONE;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mr_test_import_XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- TNTP ---- */

/* Zones 1 and 2 (first thru node 3). 1 -> 2 -> 4 would be fastest (2 min) but passes through
 * zone 2; the route from zone 1 to node 4 must take 1 -> 3 -> 4 (40 min). */
static const char tntp_net[] =
	"<NUMBER OF ZONES> 2\n"
	"<NUMBER OF NODES> 4\n"
	"<FIRST THRU NODE> 3\n"
	"<NUMBER OF LINKS> 5\n"
	"<END OF METADATA>\n"
	"\n"
	"~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;\n"
	"\t1\t2\t1000\t1\t1\t0.15\t4\t0\t0\t1\t;\n"
	"\t2\t4\t1000\t1\t1\t0.15\t4\t0\t0\t1\t;\n"
	"\t1\t3\t2000\t10\t20\t0.15\t4\t0\t0\t1\t;\n"
	"\t3\t4\t2000\t10\t20\t0.15\t4\t0\t0\t1\t;\n"
	"\t4\t2\t500\t2\t0\t0.15\t4\t0\t0\t2\t;\n";
static const char tntp_node[] =
	"node\tX\tY\t;\n1\t10.0\t50.0\t;\n2\t10.01\t50.0\t;\n3\t10.0\t50.1\t;\n4\t10.1\t50.1\t;\n";

static void test_tntp_small(void **state)
{
	mr_src s;
	mr_import_report rep;
	mr_error e;
	diags d;
	mr_net net;
	mr_router *r = NULL;
	mr_route_opts o;
	mr_route route;
	uint32_t pl[2];
	size_t i;
	(void)state;
	put("t_net.tntp", tntp_net);
	put("t_node.tntp", tntp_node);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_tntp_import(tpath("t_net.tntp"), NULL, &s, &rep, on_diag, &d, &e), MR_OK);
	assert_int_equal(d.errors, 0);
	assert_int_equal(rep.nodes_read, 4);
	assert_int_equal(rep.links_read, 5);
	assert_int_equal(rep.zones, 2);
	assert_int_equal(rep.zero_time, 1);
	assert_int_equal(rep.synthetic_coords, 0);
	assert_int_equal(s.nnodes, 6); /* o1 d1 o2 d2 3 4 */
	assert_int_equal(s.nlinks, 5);
	assert_int_not_equal(node_of(&s, "o1"), MR_NONE);
	assert_int_not_equal(node_of(&s, "d2"), MR_NONE);
	assert_int_equal(node_of(&s, "1"), MR_NONE);
	assert_int_not_equal(node_of(&s, "3"), MR_NONE);
	assert_true(fabs(s.nodes[node_of(&s, "4")].lon - 10.1) < 1e-12);
	/* origins have no incoming links, destinations no outgoing ones */
	for (i = 0; i < s.nlinks; i++) {
		const mr_src_link *l = &s.links[i];
		assert_true(l->directed);
		assert_int_equal(l->mode, MR_MODE_ROAD);
		assert_false(s.nodes[l->to].id[0] == 'o');
		assert_false(s.nodes[l->from].id[0] == 'd');
	}
	/* link 3: 1 -> 3, 10 km in 20 min = 30 km/h, capacity kept, the time visible */
	assert_string_equal(s.links[2].id, "3");
	assert_int_equal(s.links[2].from, node_of(&s, "o1"));
	assert_int_equal(s.links[2].to, node_of(&s, "3"));
	assert_true(fabs(s.links[2].free_speed_kmh - 30.0) < 1e-9);
	assert_true(fabs(s.links[2].capacity - 2000) < 1e-9);
	assert_non_null(strstr(s.links[2].tags, "free_flow_time=20"));
	assert_non_null(strstr(s.links[2].source, "= 0.3333333333 h"));
	/* free-flow time 0 */
	assert_true(s.links[4].free_speed_kmh == MR_IMPORT_ZERO_TIME_KMH);
	/* the network builds; zone 1 -> node 4 avoids zone 2 */
	assert_int_equal(mr_net_build(&s, &net, &e), MR_OK);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	mr_route_opts_default(&o);
	o.objective = MR_BY_TIME;
	pl[0] = net_node(&net, "o1");
	pl[1] = net_node(&net, "4");
	memset(&route, 0, sizeof(route));
	assert_int_equal(mr_router_route(r, pl, 2, &o, &route, &e), MR_OK);
	assert_true(fabs(route.duration_h - 40.0 / 60.0) < 1e-4);
	assert_int_equal(route.nnodes, 3);
	assert_int_equal(route.nodes[1], net_node(&net, "3"));
	mr_route_free(&route);
	/* zone to zone works: o1 -> d2 directly (1 min) */
	pl[1] = net_node(&net, "d2");
	memset(&route, 0, sizeof(route));
	assert_int_equal(mr_router_route(r, pl, 2, &o, &route, &e), MR_OK);
	assert_true(fabs(route.duration_h - 1.0 / 60.0) < 1e-4);
	mr_route_free(&route);
	mr_router_free(r);
	mr_net_free(&net);
	/* a round trip through the writer and reader keeps the records */
	{
		mr_src back;
		mr_diag_counts c = {0, 0};
		assert_int_equal(mr_csvnet_write(&s, tpath("t_out"), &e), MR_OK);
		assert_int_equal(mr_csvnet_read(tpath("t_out"), &back, NULL, NULL, &c, &e), MR_OK);
		assert_int_equal(back.nnodes, s.nnodes);
		assert_int_equal(back.nlinks, s.nlinks);
		assert_true(fabs(back.links[2].free_speed_kmh - 30.0) < 1e-9);
		mr_src_free(&back);
	}
	mr_src_free(&s);
}

static void test_tntp_options_and_folder(void **state)
{
	mr_src s;
	mr_import_report rep;
	mr_error e;
	mr_tntp_opts o;
	char dir[512];
	(void)state;
	/* a folder with one *_net.tntp and no node file: synthetic grid; units and mode by option */
	snprintf(dir, sizeof(dir), "%s/tf", tmpdir);
	mkdir(dir, 0755);
	put("tf/x_net.tntp", tntp_net);
	memset(&o, 0, sizeof(o));
	o.mode = "rail";
	o.length_km = 1.609344; /* miles */
	o.time_h = 1;           /* hours */
	assert_int_equal(mr_tntp_import(dir, &o, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_int_equal(rep.synthetic_coords, 1);
	assert_int_equal(s.links[0].mode, MR_MODE_RAIL);
	assert_int_equal(s.links[0].gauge_mm, 1435);
	assert_true(fabs(s.links[2].length_km - 16.09344) < 1e-9);
	assert_true(fabs(s.links[2].free_speed_kmh - 16.09344 / 20) < 1e-9);
	mr_src_free(&s);
	/* two net files: which one? */
	put("tf/y_net.tntp", tntp_net);
	assert_int_equal(mr_tntp_import(dir, NULL, &s, NULL, NULL, NULL, &e), MR_EIO);
	assert_non_null(strstr(e.msg, "2 *_net.tntp files"));
	assert_int_equal(s.nnodes, 0);
	o.mode = "truck";
	assert_int_equal(mr_tntp_import(tpath("t_net.tntp"), &o, &s, NULL, NULL, NULL, &e), MR_EINVAL);
	assert_int_equal(mr_tntp_import(tpath("nope_net.tntp"), NULL, &s, NULL, NULL, NULL, &e), MR_EIO);
}

/* ---- malformed inputs: every case names the file, line, field number and field ---- */

typedef struct bad_case {
	const char *what;
	const char *file; /* name to write; "" = none */
	const char *text;
	const char *file2, *text2;
	const char *err_file; /* suffix of e.file */
	long line;
	int column;
	const char *field;
	const char *msg; /* substring */
} bad_case;

#define TNTP_HEAD "<NUMBER OF ZONES> 1\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 2\n<END OF METADATA>\n"

static const bad_case tntp_bad[] = {
	{"node out of range", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n1 9 10 1 1 ;\n", NULL, NULL, "b_net.tntp", 7, 2,
	 "term_node", "unknown node 9"},
	{"not a number", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n2 3 10 1,5 1 ;\n", NULL, NULL, "b_net.tntp", 7, 4,
	 "length", "'1,5' is not a number"},
	{"negative time", "b_net.tntp", TNTP_HEAD "1 2 10 1 -1 ;\n2 3 10 1 1 ;\n", NULL, NULL, "b_net.tntp", 6, 5,
	 "free_flow_time", "negative"},
	{"too few fields", "b_net.tntp", TNTP_HEAD "1 2 10 ;\n2 3 10 1 1 ;\n", NULL, NULL, "b_net.tntp", 6, 4, "length",
	 "row has 3 fields"},
	{"link count", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n", NULL, NULL, "b_net.tntp", 4, 2, "<NUMBER OF LINKS>",
	 "says 2 links but the file has 1"},
	{"missing metadata", "b_net.tntp", "<NUMBER OF NODES> 3\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n1 2 1 1 1 ;\n",
	 NULL, NULL, "b_net.tntp", 3, 0, "<FIRST THRU NODE>", "missing metadata"},
	{"bad metadata", "b_net.tntp", "<NUMBER OF NODES> many\n", NULL, NULL, "b_net.tntp", 1, 2, "<NUMBER OF NODES>",
	 "'many' is not a positive integer"},
	{"loop", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n3 3 10 1 1 ;\n", NULL, NULL, "b_net.tntp", 7, 2, "term_node",
	 "starts and ends at node 3"},
	{"node file: unknown node", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n2 3 10 1 1 ;\n", "b_node.tntp",
	 "node X Y ;\n1 1 1 ;\n2 2 2 ;\n7 3 3 ;\n", "b_node.tntp", 4, 1, "node", "unknown node '7'"},
	{"node file: bad Y", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n2 3 10 1 1 ;\n", "b_node.tntp",
	 "node X Y ;\n1 1 1 ;\n2 2 x ;\n3 3 3 ;\n", "b_node.tntp", 3, 3, "Y", "'x' is not a number"},
	{"node file: missing node", "b_net.tntp", TNTP_HEAD "1 2 10 1 1 ;\n2 3 10 1 1 ;\n", "b_node.tntp",
	 "node X Y ;\n1 1 1 ;\n3 3 3 ;\n", "b_node.tntp", 3, 0, "node", "1 node without coordinates (first: 2)"},
};

static const bad_case dimacs_bad[] = {
	{"no p line", "b.gr", "c hello\na 1 2 3\n", NULL, NULL, "b.gr", 2, 1, "p", "arc before the problem line"},
	{"bad weight", "b.gr", "p sp 3 2\na 1 2 3\na 2 3 x\n", NULL, NULL, "b.gr", 3, 4, "weight", "'x' is not an integer"},
	{"negative weight", "b.gr", "p sp 3 2\na 1 2 3\na 2 3 -4\n", NULL, NULL, "b.gr", 3, 4, "weight", "negative"},
	{"unknown node", "b.gr", "p sp 3 2\na 1 2 3\na 4 3 1\n", NULL, NULL, "b.gr", 3, 2, "from", "unknown node '4'"},
	{"arc count", "b.gr", "p sp 3 3\na 1 2 3\na 2 3 1\n", NULL, NULL, "b.gr", 1, 4, "arcs",
	 "says 3 arcs but the file has 2"},
	{"short arc", "b.gr", "p sp 3 2\na 1 2\na 2 3 1\n", NULL, NULL, "b.gr", 2, 4, "weight", "arc has 3 fields"},
	{"unknown line", "b.gr", "p sp 3 2\nx 1 2 3\na 1 2 3\na 2 3 1\n", NULL, NULL, "b.gr", 2, 1, NULL,
	 "unknown line type 'x'"},
	{"co: latitude", "b.gr", "p sp 3 2\na 1 2 3\na 2 3 1\n", "b.co",
	 "p aux sp co 3\nv 1 10000000 50000000\nv 2 10000000 95000000\nv 3 1 1\n", "b.co", 3, 4, "y",
	 "not a latitude"},
	{"co: missing node", "b.gr", "p sp 3 2\na 1 2 3\na 2 3 1\n", "b.co", "v 1 1 1\nv 3 1 1\n", "b.co", 2, 0, "id",
	 "1 node without coordinates (first: 2)"},
};

static const bad_case gmns_bad[] = {
	{"unknown to node", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id,length\na,1,2,1000\nb,2,3,1000\n", "g/link.csv", 3, 3, "to_node_id",
	 "unknown node '3'"},
	{"bad length", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id,length\na,1,2,1km\n", "g/link.csv", 2, 4, "length", "'1km' is not a number"},
	{"zero speed", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id,free_speed\na,1,2,0\n", "g/link.csv", 2, 4, "free_speed", "must be > 0"},
	{"duplicate node", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n1,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id\n", "g/node.csv", 3, 1, "node_id", "duplicate node_id '1' (first at line 2)"},
	{"projected x", "g/node.csv", "node_id,x_coord,y_coord\n1,712475,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id\n", "g/node.csv", 2, 2, "x_coord", "outside -180..180"},
	{"missing column", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,length\na,1,2\n", "g/link.csv", 1, 0, "to_node_id", "missing required column"},
	{"bad directed", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id,directed\na,1,2,yes\n", "g/link.csv", 2, 4, "directed", "not a boolean"},
	{"duplicate link", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/link.csv",
	 "link_id,from_node_id,to_node_id\na,1,2\na,2,1\n", "g/link.csv", 3, 1, "link_id", "duplicate link_id 'a'"},
	{"bad unit", "g/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n", "g/config.csv",
	 "long_length,speed\nleague,mph\n", "g/config.csv", 2, 1, "long_length", "unknown unit 'league'"},
};

static void check_case(const bad_case *c, int kind)
{
	mr_src s;
	mr_error e;
	diags d;
	int rc;
	size_t n;
	memset(&d, 0, sizeof(d));
	mr_error_clear(&e);
	if (kind == 2) {
		char p[512];
		snprintf(p, sizeof(p), "%s/g", tmpdir);
		mkdir(p, 0755);
		rm("g/config.csv");
		put("g/link.csv", "link_id,from_node_id,to_node_id\n");
	}
	put(c->file, c->text);
	if (c->file2)
		put(c->file2, c->text2);
	if (kind == 0)
		rc = mr_tntp_import(tpath(c->file), NULL, &s, NULL, on_diag, &d, &e);
	else if (kind == 1) {
		mr_dimacs_opts o;
		memset(&o, 0, sizeof(o));
		o.coords_file = c->file2 ? tpath(c->file2) : NULL;
		rc = mr_dimacs_import(tpath(c->file), &o, &s, NULL, on_diag, &d, &e);
	} else
		rc = mr_gmns_import(tpath("g"), NULL, &s, NULL, on_diag, &d, &e);
	if (rc != MR_EPARSE || d.errors < 1)
		fail_msg("%s: rc %d, %zu errors", c->what, rc, d.errors);
	n = strlen(c->err_file);
	if (strlen(e.file) < n || strcmp(e.file + strlen(e.file) - n, c->err_file) != 0 || e.line != c->line ||
	    e.column != c->column || strcmp(e.field, c->field ? c->field : "") != 0 || !strstr(e.msg, c->msg))
		fail_msg("%s: got %s:%ld:%d field '%s': %s", c->what, e.file, e.line, e.column, e.field, e.msg);
	assert_int_equal(s.nnodes, 0);
	assert_int_equal(s.nlinks, 0);
	assert_null(s.nodes);
	if (c->file2)
		rm(c->file2);
	rm(c->file);
}

static void test_malformed(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(tntp_bad) / sizeof(tntp_bad[0]); i++)
		check_case(&tntp_bad[i], 0);
	for (i = 0; i < sizeof(dimacs_bad) / sizeof(dimacs_bad[0]); i++)
		check_case(&dimacs_bad[i], 1);
	for (i = 0; i < sizeof(gmns_bad) / sizeof(gmns_bad[0]); i++)
		check_case(&gmns_bad[i], 2);
}

/* ---- DIMACS ---- */

static void test_dimacs(void **state)
{
	mr_src s;
	mr_import_report rep;
	mr_error e;
	mr_dimacs_opts o;
	diags d;
	(void)state;
	put("d.gr", "c a small graph\np sp 3 4\na 1 2 1500\na 2 1 1500\na 2 3 0\na 3 3 7\n");
	put("d.co", "c coords\np aux sp co 3\nv 1 10000000 50000000\nv 2 10100000 50000000\nv 3 -73530767 41085396\n");
	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	o.coords_file = tpath("d.co");
	assert_int_equal(mr_dimacs_import(tpath("d.gr"), &o, &s, &rep, on_diag, &d, &e), MR_OK);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1); /* the loop */
	assert_int_equal(rep.skipped, 1);
	assert_int_equal(s.nnodes, 3);
	assert_int_equal(s.nlinks, 3);
	assert_true(fabs(s.nodes[2].lon + 73.530767) < 1e-9);
	assert_true(fabs(s.nodes[2].lat - 41.085396) < 1e-9);
	assert_true(fabs(s.links[0].length_km - 1.5) < 1e-12);
	assert_true(s.links[0].directed);
	assert_true(fabs(s.links[0].free_speed_kmh - MR_DIMACS_SPEED_KMH) < 1e-12);
	assert_int_equal(s.links[1].from, 1);
	assert_int_equal(s.links[1].to, 0);
	assert_non_null(strstr(s.links[0].source, "line 3"));
	mr_src_free(&s);
	/* time weights in seconds: length from the coordinates */
	o.weight = MR_DIMACS_TIME;
	assert_int_equal(mr_dimacs_import(tpath("d.gr"), &o, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_true(s.links[0].length_km > 7 && s.links[0].length_km < 7.3); /* 0.1 degree of longitude at 50 N */
	assert_true(fabs(s.links[0].length_km / s.links[0].free_speed_kmh - 1500.0 / 3600.0) < 1e-9);
	mr_src_free(&s);
	/* no coordinates: a grid */
	memset(&o, 0, sizeof(o));
	assert_int_equal(mr_dimacs_import(tpath("d.gr"), &o, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_int_equal(rep.synthetic_coords, 1);
	assert_true(s.nodes[1].lon != s.nodes[0].lon || s.nodes[1].lat != s.nodes[0].lat);
	mr_src_free(&s);
}

/* ---- GMNS ---- */

static void test_gmns(void **state)
{
	mr_src s;
	mr_import_report rep;
	mr_error e;
	diags d;
	char p[512];
	(void)state;
	snprintf(p, sizeof(p), "%s/gm", tmpdir);
	mkdir(p, 0755);
	put("gm/node.csv", "node_id,name,x_coord,y_coord,node_type,zone_id\n"
	                   "10,Alpha,44.5,40.1,,\n20,Beta,44.6,40.1,,1\n30,\"Gamma, C\",44.6,40.2,station,\n");
	put("gm/link.csv", "link_id,from_node_id,to_node_id,directed,length,free_speed,lanes,capacity,allowed_uses,name\n"
	                   "1,10,20,1,5,30,2,1800,auto,Main\n"
	                   "2,20,30,false,,,1,,rail,\n"
	                   "3,30,10,1,2,10,1,,walk,path\n");
	put("gm/config.csv", "dataset_name,long_length,speed\ntest,mi,mph\n");
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_gmns_import(p, NULL, &s, &rep, on_diag, &d, &e), MR_OK);
	assert_int_equal(d.errors, 0);
	assert_int_equal(rep.skipped, 1); /* the footpath */
	assert_int_equal(s.nnodes, 3);
	assert_int_equal(s.nlinks, 2);
	assert_string_equal(s.nodes[2].name, "Gamma, C");
	assert_string_equal(s.nodes[2].type, "station");
	assert_true(fabs(s.links[0].length_km - 5 * 1.609344) < 1e-9);
	assert_true(fabs(s.links[0].free_speed_kmh - 30 * 1.609344) < 1e-9);
	assert_true(fabs(s.links[0].capacity - 1800) < 1e-9);
	assert_non_null(strstr(s.links[0].tags, "lanes=2"));
	assert_true(s.links[0].directed);
	assert_int_equal(s.links[0].mode, MR_MODE_ROAD);
	assert_int_equal(s.links[1].mode, MR_MODE_RAIL);
	assert_int_equal(s.links[1].gauge_mm, 1435);
	assert_false(s.links[1].directed);
	assert_true(s.links[1].length_km > 11 && s.links[1].length_km < 11.2); /* geodesic: 0.1 degree of latitude */
	assert_true(s.links[1].free_speed_kmh == 0);
	mr_src_free(&s);
	/* without config.csv: metres and km/h */
	rm("gm/config.csv");
	assert_int_equal(mr_gmns_import(p, NULL, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_true(fabs(s.links[0].length_km - 0.005) < 1e-12);
	assert_true(fabs(s.links[0].free_speed_kmh - 30) < 1e-12);
	mr_src_free(&s);
	/* no node.csv */
	rm("gm/node.csv");
	assert_int_equal(mr_gmns_import(p, NULL, &s, &rep, NULL, NULL, &e), MR_EIO);
	assert_non_null(strstr(e.file, "node.csv"));
}

/* ---- allocation failures ---- */

static long fail_at = -1, nallocs, live;

static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		if (ptr)
			live--;
		free(ptr);
		return NULL;
	}
	if (fail_at >= 0 && nallocs++ == fail_at)
		return NULL;
	if (!ptr)
		live++;
	return realloc(ptr, nsize);
}

static void test_alloc_failure(void **state)
{
	int which;
	(void)state;
	put("a_net.tntp", tntp_net);
	put("a_node.tntp", tntp_node);
	put("a.gr", "p sp 3 2\na 1 2 1\na 2 3 1\n");
	{
		char p[512];
		snprintf(p, sizeof(p), "%s/ga", tmpdir);
		mkdir(p, 0755);
	}
	put("ga/node.csv", "node_id,x_coord,y_coord\n1,10,50\n2,11,50\n");
	put("ga/link.csv", "link_id,from_node_id,to_node_id,length\na,1,2,1000\n");
	for (which = 0; which < 3; which++) {
		long k;
		for (k = 0;; k++) {
			mr_src s;
			mr_error e;
			int rc;
			mr_set_allocator(failing_alloc, NULL);
			fail_at = k;
			nallocs = 0;
			live = 0;
			if (which == 0)
				rc = mr_tntp_import(tpath("a_net.tntp"), NULL, &s, NULL, NULL, NULL, &e);
			else if (which == 1)
				rc = mr_dimacs_import(tpath("a.gr"), NULL, &s, NULL, NULL, NULL, &e);
			else
				rc = mr_gmns_import(tpath("ga"), NULL, &s, NULL, NULL, NULL, &e);
			if (rc == MR_OK) {
				mr_src_free(&s);
				assert_int_equal(live, 0);
				break;
			}
			mr_set_allocator(NULL, NULL);
			if (rc != MR_ENOMEM)
				fail_msg("importer %d, failing allocation %ld: rc %d (%s)", which, k, rc, e.msg);
			assert_int_equal(live, 0);
			assert_int_equal(s.nnodes, 0);
			assert_true(k < 10000);
		}
		mr_set_allocator(NULL, NULL);
	}
}

/* ---- reference networks ---- */

static int ref_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/../shared/data/tntp/%s", MR_SOURCE_DIR, rel);
	return access(buf, R_OK) == 0;
}

static void test_sioux_falls(void **state)
{
	char p[1024];
	mr_src s;
	mr_import_report rep;
	mr_error e;
	(void)state;
	if (!ref_path(p, sizeof(p), "SiouxFalls/SiouxFalls_net.tntp")) {
		printf("skipped: %s is absent\n", p);
		skip();
	}
	assert_int_equal(mr_tntp_import(p, NULL, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_int_equal(rep.nodes_read, 24);
	assert_int_equal(rep.links_read, 76);
	assert_int_equal(rep.first_thru, 1);
	assert_int_equal(rep.zones, 0);
	assert_int_equal(rep.synthetic_coords, 0); /* SiouxFalls_node.tntp was found */
	assert_int_equal(s.nnodes, 24);
	assert_int_equal(s.nlinks, 76);
	assert_true(fabs(s.nodes[0].lon + 96.77041974) < 1e-9);
	assert_true(fabs(s.links[0].free_speed_kmh - 60) < 1e-9); /* 6 / (6 min) */
	mr_src_free(&s);
}

static void test_chicago(void **state)
{
	char p[1024];
	mr_src s;
	mr_import_report rep;
	mr_error e;
	mr_net net;
	mr_router *r = NULL;
	mr_route_opts o;
	size_t i, routes = 0;
	uint32_t seed = 12345;
	(void)state;
	if (!ref_path(p, sizeof(p), "chicago-regional")) {
		printf("skipped: %s is absent\n", p);
		skip();
	}
	assert_int_equal(mr_tntp_import(p, NULL, &s, &rep, NULL, NULL, &e), MR_OK);
	assert_int_equal(rep.nodes_read, 12982);
	assert_int_equal(rep.links_read, 39018);
	assert_int_equal(rep.first_thru, 1791);
	assert_int_equal(rep.zones, 1790);
	assert_int_equal(s.nnodes, 12982 + 1790);
	assert_int_equal(s.nlinks, 39018);
	assert_int_equal(mr_net_build(&s, &net, &e), MR_OK);
	mr_src_free(&s);
	assert_int_equal(mr_router_new(&r, &net), MR_OK);
	mr_route_opts_default(&o);
	o.objective = MR_BY_TIME;
	for (i = 0; i < 40; i++) {
		char a[16], b[16];
		uint32_t pl[2];
		mr_route route;
		size_t k;
		int rc;
		seed = seed * 1103515245u + 12345u;
		snprintf(a, sizeof(a), "o%u", 1 + (seed >> 8) % 1790);
		seed = seed * 1103515245u + 12345u;
		snprintf(b, sizeof(b), "d%u", 1 + (seed >> 8) % 1790);
		pl[0] = net_node(&net, a);
		pl[1] = net_node(&net, b);
		assert_int_not_equal(pl[0], MR_NONE);
		assert_int_not_equal(pl[1], MR_NONE);
		memset(&route, 0, sizeof(route));
		rc = mr_router_route(r, pl, 2, &o, &route, &e);
		if (rc == MR_ENOROUTE)
			continue;
		assert_int_equal(rc, MR_OK);
		routes++;
		assert_int_equal(route.nodes[0], pl[0]);
		assert_int_equal(route.nodes[route.nnodes - 1], pl[1]);
		for (k = 1; k + 1 < route.nnodes; k++)
			if (strcmp(mr_net_str(&net, net.nodes[route.nodes[k]].type), "zone") == 0)
				fail_msg("%s -> %s passes through zone node %s", a, b,
				         mr_net_str(&net, net.nodes[route.nodes[k]].id));
		mr_route_free(&route);
	}
	assert_true(routes >= 30);
	mr_router_free(r);
	mr_net_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tntp_small),  cmocka_unit_test(test_tntp_options_and_folder),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_dimacs),
		cmocka_unit_test(test_gmns),        cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_sioux_falls), cmocka_unit_test(test_chicago),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
