/* test_csvnet.c: unit tests of the network folder reader (mr_csvnet_read), the source checks
 * (mr_src_check) and the model names (mr_model.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meridian/mr_io.h"

/* ---- helpers ---- */

#define MAXDIAG 64

typedef struct diags {
	size_t n, errors, warnings;
	int sev[MAXDIAG];
	char text[MAXDIAG][600];
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

/* Index of the first diagnostic of severity sev whose text contains s, or -1. */
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

typedef struct tmpnet {
	char dir[64];
} tmpnet;

static void net_init(tmpnet *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/mr_test_csvnet_XXXXXX");
	assert_non_null(mkdtemp(t->dir));
}

static void net_write(tmpnet *t, const char *name, const char *text)
{
	char path[128];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void net_remove(tmpnet *t, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	unlink(path);
}

static void net_done(tmpnet *t)
{
	static const char *files[] = {"node.csv", "link.csv", "transfer.csv", "border.csv",
	                              "tariff.csv"};
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		net_remove(t, files[i]);
	rmdir(t->dir);
}

static const char *NODES =
	"node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases\n"
	"BND,Bandar Abbas,56.28,27.18,port,IRN,irbnd,Bandar-e Abbas;Gameron\n"
	"TEH,Tehran,51.39,35.69,city,IRN,IRTHR,\n"
	"AST,Astara,48.87,38.43,border,IRN,,\n"
	"BAK,Baku,49.87,40.41,port,AZE,AZBAK,\n";
static const char *LINKS =
	"link_id,from_node_id,to_node_id,directed,mode,length_km,gauge_mm,electrified,"
	"free_speed_kmh,capacity,status,tags,source\n"
	"L1,BND,TEH,1,rail,1350,1435,true,,500000,open,instc-east;instc,RAI map 2020\n"
	"L2,TEH,AST,,road,450,,,70,,,instc-west,OSM\n"
	"L3,AST,BAK,0,road,250,0,,,,restricted,instc-west,OSM\n";
static const char *TRANSFERS =
	"node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd,co2e_kg,directed,source\n"
	"TEH,rail,road,1435,,12,150,20,0,estimate\n"
	"*,road,rail,,1520,24,200,,1,default\n";
static const char *BORDERS =
	"border_id,node_id,country_a,country_b,dwell_h,fee_usd,status,name,source\n"
	"B1,AST,IRN,AZE,6,120,,Astara crossing,estimate\n";
static const char *TARIFFS =
	"mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source\n"
	"rail,*,0.6,100,0.02,40,estimate\n"
	"road,,1.2,50,0.08,55,estimate\n"
	"road,IRN,0.9,,,,estimate\n";

static void write_base(tmpnet *t)
{
	net_write(t, "node.csv", NODES);
	net_write(t, "link.csv", LINKS);
	net_write(t, "transfer.csv", TRANSFERS);
	net_write(t, "border.csv", BORDERS);
	net_write(t, "tariff.csv", TARIFFS);
}

static int read_net(tmpnet *t, mr_src *src, diags *d, mr_diag_counts *counts, mr_error *first)
{
	memset(d, 0, sizeof(*d));
	return mr_csvnet_read(t->dir, src, on_diag, d, counts, first);
}

/* ---- model ---- */

static void test_model_names(void **state)
{
	mr_src s;
	int i;
	(void)state;
	for (i = 0; i < MR_MODE_COUNT; i++)
		assert_int_equal(mr_mode_parse(mr_mode_name(i)), i);
	assert_string_equal(mr_mode_name(MR_MODE_FERRY), "ferry");
	assert_string_equal(mr_mode_name(MR_MODE_IWW), "iww");
	assert_int_equal(mr_mode_parse("Rail"), MR_MODE_RAIL);
	assert_int_equal(mr_mode_parse("truck"), -1);
	assert_int_equal(mr_mode_parse(""), -1);
	assert_int_equal(mr_mode_parse(NULL), -1);
	assert_string_equal(mr_mode_name(-1), "unknown");
	assert_string_equal(mr_mode_name(MR_MODE_COUNT), "unknown");
	for (i = 0; i < MR_STATUS_COUNT; i++)
		assert_int_equal(mr_status_parse(mr_status_name(i)), i);
	assert_int_equal(mr_status_parse("restricted"), MR_STATUS_RESTRICTED);
	assert_int_equal(mr_status_parse("gone"), -1);
	assert_string_equal(mr_status_name(99), "unknown");
	assert_true(mr_gauge_known(1520));
	assert_true(mr_gauge_known(1435));
	assert_true(mr_gauge_known(1676));
	assert_true(mr_gauge_known(1067));
	assert_true(mr_gauge_known(1000));
	assert_false(mr_gauge_known(0));
	assert_false(mr_gauge_known(1600));
	memset(&s, 0, sizeof(s));
	mr_src_free(&s);
	mr_src_free(NULL);
}

/* ---- reading ---- */

static void test_read_good(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	mr_error first;
	const mr_src_link *l;
	const mr_src_transfer *tr;
	(void)state;
	net_init(&t);
	write_base(&t);
	assert_int_equal(read_net(&t, &s, &d, &c, &first), MR_OK);
	if (d.n)
		dump(&d);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.warnings, 0);
	assert_int_equal(first.code, MR_OK);
	assert_string_equal(s.dir, t.dir);

	assert_int_equal(s.nnodes, 4);
	assert_string_equal(s.nodes[0].id, "BND");
	assert_string_equal(s.nodes[0].name, "Bandar Abbas");
	assert_string_equal(s.nodes[0].type, "port");
	assert_string_equal(s.nodes[0].country, "IRN");
	assert_string_equal(s.nodes[0].unlocode, "IRBND"); /* stored uppercase */
	assert_string_equal(s.nodes[0].aliases, "Bandar-e Abbas;Gameron");
	assert_true(s.nodes[0].lon == 56.28 && s.nodes[0].lat == 27.18);
	assert_int_equal(s.nodes[0].line, 2);
	assert_string_equal(s.nodes[2].unlocode, "");
	assert_string_equal(s.nodes[3].country, "AZE");
	assert_int_equal(s.nodes[3].line, 5);

	assert_int_equal(s.nlinks, 3);
	l = &s.links[0];
	assert_string_equal(l->id, "L1");
	assert_int_equal(l->from, 0);
	assert_int_equal(l->to, 1);
	assert_int_equal(l->directed, 1);
	assert_int_equal(l->mode, MR_MODE_RAIL);
	assert_true(l->length_km == 1350);
	assert_int_equal(l->gauge_mm, 1435);
	assert_int_equal(l->electrified, 1);
	assert_true(l->free_speed_kmh == 0);
	assert_true(l->capacity == 500000);
	assert_int_equal(l->status, MR_STATUS_OPEN);
	assert_string_equal(l->tags, "instc-east;instc");
	assert_string_equal(l->source, "RAI map 2020");
	assert_string_equal(l->country, "");
	assert_string_equal(l->passage, "");
	assert_string_equal(l->name, "");
	assert_int_equal(l->line, 2);
	l = &s.links[1];
	assert_int_equal(l->from, 1);
	assert_int_equal(l->to, 2);
	assert_int_equal(l->directed, 0);
	assert_int_equal(l->mode, MR_MODE_ROAD);
	assert_int_equal(l->gauge_mm, 0);
	assert_int_equal(l->electrified, 0);
	assert_true(l->free_speed_kmh == 70);
	assert_int_equal(l->status, MR_STATUS_OPEN); /* empty = open */
	assert_int_equal(s.links[2].status, MR_STATUS_RESTRICTED);
	assert_int_equal(s.links[2].to, 3);

	/* one record per row; directed defaults to 0 (both ways) */
	assert_int_equal(s.ntransfers, 2);
	tr = &s.transfers[0];
	assert_int_equal(tr->node, 1);
	assert_int_equal(tr->from_mode, MR_MODE_RAIL);
	assert_int_equal(tr->from_gauge_mm, 1435);
	assert_int_equal(tr->to_mode, MR_MODE_ROAD);
	assert_int_equal(tr->to_gauge_mm, 0);
	assert_int_equal(tr->directed, 0);
	assert_true(tr->time_h == 12 && tr->cost_usd == 150 && tr->co2e_kg == 20);
	assert_string_equal(tr->source, "estimate");
	assert_int_equal(tr->line, 2);
	tr = &s.transfers[1];
	assert_int_equal(tr->node, MR_NONE);
	assert_int_equal(tr->from_mode, MR_MODE_ROAD);
	assert_int_equal(tr->to_mode, MR_MODE_RAIL);
	assert_int_equal(tr->to_gauge_mm, 1520);
	assert_int_equal(tr->directed, 1);
	assert_true(tr->co2e_kg == 0);
	assert_int_equal(tr->line, 3);

	assert_int_equal(s.nborders, 1);
	assert_string_equal(s.borders[0].id, "B1");
	assert_int_equal(s.borders[0].node, 2);
	assert_string_equal(s.borders[0].country_a, "IRN");
	assert_string_equal(s.borders[0].country_b, "AZE");
	assert_true(s.borders[0].dwell_h == 6 && s.borders[0].fee_usd == 120);
	assert_int_equal(s.borders[0].status, MR_STATUS_OPEN);
	assert_string_equal(s.borders[0].name, "Astara crossing");

	assert_int_equal(s.ntariffs, 3);
	assert_int_equal(s.tariffs[0].mode, MR_MODE_RAIL);
	assert_string_equal(s.tariffs[0].country, ""); /* '*' */
	assert_true(s.tariffs[0].speed_kmh == 40 && s.tariffs[0].fixed_usd == 100);
	assert_string_equal(s.tariffs[1].country, ""); /* empty */
	assert_string_equal(s.tariffs[2].country, "IRN");
	assert_true(s.tariffs[2].fixed_usd == 0 && s.tariffs[2].speed_kmh == 0);

	/* a clean network passes the checks */
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n)
		dump(&d);
	assert_int_equal(d.n, 0);
	mr_src_free(&s);
	assert_null(s.nodes);
	assert_int_equal(s.nlinks, 0);
	net_done(&t);
}

static void test_columns_any_order(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	net_write(&t, "node.csv",
	          "y_coord,extra,node_id,x_coord\n"
	          "1.5,whatever,A,2.5\n"
	          "1.6,,B,2.6\n");
	net_write(&t, "link.csv",
	          "toll_usd,name,services_per_week,passage,country,source,length_km,mode,gauge_mm,"
	          "to_node_id,from_node_id,link_id,notes\n"
	          "12.5,Ferry A-B,3.5,suez,EGY,test,15,ferry,,B,A,F1,ignored\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	if (d.n)
		dump(&d);
	assert_int_equal(c.errors, 0);
	assert_int_equal(s.nnodes, 2);
	assert_true(s.nodes[1].lon == 2.6 && s.nodes[1].lat == 1.6);
	assert_string_equal(s.nodes[1].name, "");
	assert_string_equal(s.nodes[1].country, "");
	assert_int_equal(s.nlinks, 1);
	assert_int_equal(s.links[0].from, 0);
	assert_int_equal(s.links[0].to, 1);
	assert_int_equal(s.links[0].mode, MR_MODE_FERRY);
	assert_true(s.links[0].toll_usd == 12.5);
	assert_true(s.links[0].services_per_week == 3.5);
	assert_string_equal(s.links[0].passage, "suez");
	assert_string_equal(s.links[0].country, "EGY");
	assert_string_equal(s.links[0].name, "Ferry A-B");
	/* no transfer, border or tariff file: nothing, and no complaint */
	assert_int_equal(s.ntransfers + s.nborders + s.ntariffs, 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_bom_crlf_comments_quotes(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	net_write(&t, "node.csv",
	          "\xEF\xBB\xBF# nodes of a test network\r\n"
	          "\r\n"
	          "node_id,name,x_coord,y_coord\r\n"
	          "A,\"Port \"\"A\"\", north, side\",10,20\r\n"
	          "# a comment between rows\r\n"
	          "  \r\n"
	          "B ,\"multi\r\nline\",10.5, 20.5\r\n"
	          "C,Cé (UTF-8),11,21");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,A,B,road,60,,x\n"
	          "\n"
	          "L2,B,C,rail,130,1520,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	if (d.n)
		dump(&d);
	assert_int_equal(c.errors, 0);
	assert_int_equal(s.nnodes, 3);
	assert_string_equal(s.nodes[0].name, "Port \"A\", north, side");
	assert_int_equal(s.nodes[0].line, 4);
	assert_string_equal(s.nodes[1].id, "B"); /* fields are trimmed */
	assert_string_equal(s.nodes[1].name, "multi\r\nline");
	assert_int_equal(s.nodes[1].line, 7);
	assert_true(s.nodes[1].lat == 20.5);
	assert_string_equal(s.nodes[2].name, "Cé (UTF-8)");
	assert_int_equal(s.nodes[2].line, 9);
	assert_int_equal(s.nlinks, 2);
	assert_int_equal(s.links[1].line, 4);
	assert_int_equal(s.links[1].from, 1);
	mr_src_free(&s);
	net_done(&t);
}

static void test_all_errors_reported(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	mr_error first;
	char buf[600];
	(void)state;
	net_init(&t);
	write_base(&t);
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,BND,TEH,rail,'12,5',1435,x\n" /* a bad quote: one error */
	          "L2,TEH,XXX,road,-3,,x\n"          /* two errors in one row */
	          "L3,AST,BAK,boat,250,,x\n"
	          "L4,AST,BAK,road,\"12,5\",,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, &first), MR_EPARSE);
	if (d.errors != 5)
		dump(&d);
	assert_int_equal(c.errors, 5);
	assert_int_equal(d.errors, 5);
	/* the reader went on after each bad row */
	assert_true(find_diag(&d, MR_ERROR, "link.csv:2:") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:3:3: field 'to_node_id': unknown node 'XXX'") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:3:5: field 'length_km': '-3' is negative") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:4:4: field 'mode': unknown mode 'boat'") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:5:5: field 'length_km': '12,5' is not a number") >= 0);
	/* first_err is the first one reported, with the full path */
	mr_error_format(&first, buf, sizeof(buf));
	assert_string_equal(buf, d.text[0]);
	assert_int_equal(first.code, MR_EPARSE);
	assert_int_equal(first.line, 2);
	assert_true(strncmp(first.file, t.dir, strlen(t.dir)) == 0);
	assert_string_equal(first.file + strlen(t.dir), "/link.csv");
	/* on failure *src is freed and zeroed */
	assert_null(s.nodes);
	assert_null(s.dir);
	assert_int_equal(s.nnodes, 0);
	net_done(&t);
}

static void test_path_and_missing_files(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	mr_error first;
	char dir[80];
	(void)state;
	net_init(&t);
	net_write(&t, "node.csv", NODES);
	/* no link.csv: MR_EIO, and the file named as "<dir>/link.csv" */
	assert_int_equal(read_net(&t, &s, &d, &c, &first), MR_EIO);
	assert_int_equal(c.errors, 1);
	assert_int_equal(first.code, MR_EIO);
	assert_int_equal(first.line, 1);
	assert_string_equal(first.msg, "required file is missing");
	assert_string_equal(first.file + strlen(t.dir), "/link.csv");
	/* a trailing '/' in the folder is not doubled */
	net_write(&t, "link.csv", LINKS);
	net_write(&t, "border.csv", "border_id,node_id,country_a,country_b,dwell_h,fee_usd\nB1,AST,IRN,IRN,1,1\n");
	snprintf(dir, sizeof(dir), "%s/", t.dir);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_csvnet_read(dir, &s, on_diag, &d, &c, &first), MR_EPARSE);
	assert_string_equal(first.file + strlen(t.dir), "/border.csv");
	assert_string_equal(first.field, "country_b");
	assert_int_equal(first.column, 4);
	/* a folder that does not exist */
	memset(&d, 0, sizeof(d));
	assert_int_equal(mr_csvnet_read("/nonexistent/mr", &s, on_diag, &d, &c, &first), MR_EIO);
	assert_int_equal(c.errors, 2);
	assert_string_equal(d.text[0], "/nonexistent/mr/node.csv:1: required file is missing");
	net_done(&t);
}

static void test_no_source_warning(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	int i;
	(void)state;
	net_init(&t);
	write_base(&t);
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,BND,TEH,rail,1350,1435,\n"
	          "L2,TEH,AST,road,450,,OSM\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.warnings, 1);
	i = find_diag(&d, MR_WARNING, "link.csv:2:7: field 'source': no source");
	assert_true(i >= 0);
	assert_int_equal(d.err[i].code, MR_OK);
	mr_src_free(&s);
	/* without a source column: one warning for the file, not one per row */
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm\n"
	          "L1,BND,TEH,rail,1350,1435\n"
	          "L2,TEH,AST,road,450,\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	assert_int_equal(c.warnings, 1);
	assert_true(find_diag(&d, MR_WARNING, "link.csv:1: field 'source': no source column") >= 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_values(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord\nA,-180,-90\nB,180,90\nC,+1.5e1,.5\nD,-0,0.\n");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,directed,electrified,source\n"
	          "L1,A,B,RAIL,0,1676.0,TRUE,False,x\n"
	          "L2,C,D,iww,1e3,0,false,1,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	if (d.n)
		dump(&d);
	assert_true(s.nodes[0].lon == -180 && s.nodes[0].lat == -90);
	assert_true(s.nodes[2].lon == 15 && s.nodes[2].lat == 0.5);
	assert_true(s.nodes[3].lon == 0 && s.nodes[3].lat == 0);
	assert_int_equal(s.links[0].mode, MR_MODE_RAIL);
	assert_int_equal(s.links[0].gauge_mm, 1676);
	assert_int_equal(s.links[0].directed, 1);
	assert_int_equal(s.links[0].electrified, 0);
	assert_true(s.links[0].length_km == 0);
	assert_int_equal(s.links[1].mode, MR_MODE_IWW);
	assert_true(s.links[1].length_km == 1000);
	assert_int_equal(s.links[1].electrified, 1);
	mr_src_free(&s);

	/* a file without a gauge_mm column is fine until a rail link needs one */
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,source\n"
	          "L1,A,B,road,10,x\nL2,C,D,rail,10,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_EPARSE);
	assert_int_equal(c.errors, 1);
	assert_string_equal(d.text[0] + strlen(t.dir),
	                    "/link.csv:3: field 'gauge_mm': required for rail links (a gauge in mm: "
	                    "1520, 1435, 1676, 1067 or 1000)");

	/* numbers that are not plain decimals */
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord\nA,1e999,0\nB,inf,0\nC,0x10,0\nD,1.2.3,0\nE,-,0\nF,1 000,0\n");
	net_write(&t, "link.csv", "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_EPARSE);
	assert_int_equal(c.errors, 6);
	assert_true(find_diag(&d, MR_ERROR, "node.csv:2:2: field 'x_coord': '1e999' is out of range") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "node.csv:3:2: field 'x_coord': 'inf' is not a number") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "'0x10' is not a number") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "'1.2.3' is not a number") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "'-' is not a number") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "'1 000' is not a number") >= 0);
	net_done(&t);
}

static void test_transfer_rules(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	write_base(&t);
	/* gauge breaks and the same rule at a node and as a default are fine */
	net_write(&t, "transfer.csv",
	          "node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd\n"
	          "*,rail,rail,1435,1520,24,300\n"
	          "AST,rail,rail,1435,1520,12,250\n"
	          "BAK,sea,rail,0,1520,8,90\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	if (d.n)
		dump(&d);
	assert_int_equal(s.ntransfers, 3);
	assert_int_equal(s.transfers[0].node, MR_NONE);
	assert_int_equal(s.transfers[0].from_gauge_mm, 1435);
	assert_int_equal(s.transfers[0].to_gauge_mm, 1520);
	assert_int_equal(s.transfers[1].node, 2);
	assert_int_equal(s.transfers[2].from_mode, MR_MODE_SEA);
	assert_int_equal(s.transfers[2].from_gauge_mm, 0);
	mr_src_free(&s);
	/* one direction each way is no duplicate; the same direction again is */
	net_write(&t, "transfer.csv",
	          "node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd,directed\n"
	          "TEH,road,rail,,1435,1,1,1\n"
	          "TEH,rail,road,1435,,2,2,1\n"
	          "*,rail,road,1435,,2,2,0\n"
	          "TEH,rail,road,1435,,3,3,0\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_EPARSE);
	assert_int_equal(c.errors, 1);
	assert_string_equal(d.text[0] + strlen(t.dir),
	                    "/transfer.csv:5:1: field 'node_id': duplicate transfer rule at 'TEH' "
	                    "from rail to road (first at line 3)");
	/* a gauge on a non-rail side, a negative cost, a bad directed */
	net_write(&t, "transfer.csv",
	          "node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd,directed\n"
	          "TEH,road,rail,1435,1435,1,1,0\n"
	          "TEH,sea,road,,,1,-1,0\n"
	          "TEH,sea,ferry,,,1,1,2\n"
	          "TEH,road,road,,,1,1,1\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_EPARSE);
	if (d.errors != 4)
		dump(&d);
	assert_int_equal(c.errors, 4);
	assert_true(find_diag(&d, MR_ERROR, "transfer.csv:2:4: field 'from_gauge_mm': must be empty or 0 for a road side") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "transfer.csv:3:7: field 'cost_usd': '-1' is negative") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "transfer.csv:4:8: field 'directed'") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "transfer.csv:5:3: field 'to_mode': both sides are road") >= 0);
	net_done(&t);
}

static void test_missing_column_no_cascade(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	write_base(&t);
	/* without node_id in node.csv, links are not reported as dangling */
	net_write(&t, "node.csv", "id,x_coord,y_coord\nBND,1,1\nTEH,2,2\nAST,3,3\nBAK,4,4\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_EPARSE);
	if (d.errors != 1)
		dump(&d);
	assert_int_equal(c.errors, 1);
	assert_string_equal(d.text[0] + strlen(t.dir), "/node.csv:1: field 'node_id': missing required column");
	net_done(&t);
}

/* ---- checks ---- */

static void test_check_lengths(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	int i;
	(void)state;
	net_init(&t);
	write_base(&t);
	/* TEH-AST is about 380 km: 300 km is too short, 1200 km too long; A-B is 0.1 km */
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord,country\n"
	          "TEH,51.39,35.69,IRN\nAST,48.87,38.43,IRN\nA,51.390,35.690,IRN\nB,51.391,35.690,IRN\n"
	          "BND,56.28,27.18,IRN\nBAK,49.87,40.41,AZE\n");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,free_speed_kmh,source\n"
	          "L1,TEH,AST,road,300,,,x\n"
	          "L2,AST,TEH,road,1200,,,x\n"
	          "L3,TEH,AST,road,400,,,x\n"
	          "L4,A,B,road,5,,,x\n"
	          "L5,A,TEH,road,0,,,x\n"
	          "L6,BND,TEH,road,1200,,,x\n"
	          "L7,AST,BAK,road,250,,,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n != 2)
		dump(&d);
	assert_int_equal(d.n, 2);
	assert_int_equal(c.warnings, 2); /* added to the counts */
	i = find_diag(&d, MR_WARNING, "link.csv:2: field 'length_km': link 'L1': 300 km is 0.79 times");
	assert_true(i >= 0);
	assert_int_equal(d.err[i].code, MR_OK);
	assert_true(find_diag(&d, MR_WARNING, "link.csv:3: field 'length_km': link 'L2': 1200 km is 3.1") >= 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_check_components_and_isolated(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c = {0, 0};
	(void)state;
	net_init(&t);
	write_base(&t);
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord\n"
	          "A,10,10\nB,10.5,10\nC,11,10\nX,30,30\nY,30.5,30\nLONE,50,50\n");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,A,B,road,60,,x\nL2,C,B,road,60,,x\nL3,Y,X,road,55,,x\n");
	net_remove(&t, "border.csv");
	net_remove(&t, "transfer.csv");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n != 3)
		dump(&d);
	assert_int_equal(d.n, 3);
	assert_true(find_diag(&d, MR_WARNING, "node.csv:7: field 'node_id': no mode can reach node 'LONE'") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "node.csv:2: field 'node_id': the links form 2 disconnected components; component 1 has 3 nodes, e.g. 'A'") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "node.csv:5: field 'node_id': the links form 2 disconnected components; component 2 has 2 nodes, e.g. 'X'") >= 0);
	mr_src_free(&s);

	/* joined: no component warning */
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,A,B,road,60,,x\nL2,C,B,road,60,,x\nL3,Y,X,road,55,,x\nL4,C,X,road,3500,,x\n"
	          "L5,LONE,A,road,6000,,x\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n)
		dump(&d);
	assert_int_equal(d.n, 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_check_borders(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	(void)state;
	net_init(&t);
	write_base(&t);
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord,country\n"
	          "AST,48.87,38.43,IRN\nBAK,49.87,40.41,AZE\nDER,48.29,42.06,RUS\nANZ,49.46,37.47,IRN\n");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,source\n"
	          "L1,AST,BAK,road,250,,x\n"   /* border row at AST (given as AZE-IRN) */
	          "L2,BAK,DER,rail,210,1520,x\n" /* no border row: warning */
	          "L3,ANZ,BAK,sea,350,,x\n"      /* sea: no border needed */
	          "L4,ANZ,AST,road,120,,x\n");   /* same country */
	net_write(&t, "border.csv",
	          "border_id,node_id,country_a,country_b,dwell_h,fee_usd\n"
	          "B1,AST,AZE,IRN,6,120\n"
	          "B2,DER,RUS,KAZ,6,120\n");
	net_write(&t, "tariff.csv",
	          "mode,country,speed_kmh\nrail,*,40\nroad,*,50\nsea,*,25\n");
	net_remove(&t, "transfer.csv");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n != 1)
		dump(&d);
	assert_int_equal(d.n, 1);
	assert_true(find_diag(&d, MR_WARNING, "link.csv:3: link 'L2' crosses AZE-RUS with no border crossing") >= 0);
	mr_src_free(&s);
	/* a border row at the other end counts too */
	net_write(&t, "border.csv",
	          "border_id,node_id,country_a,country_b,dwell_h,fee_usd\n"
	          "B1,AST,AZE,IRN,6,120\n"
	          "B2,DER,RUS,AZE,6,120\n");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, &c);
	assert_int_equal(d.n, 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_check_tariffs_and_speeds(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	int i;
	(void)state;
	net_init(&t);
	write_base(&t);
	net_write(&t, "node.csv",
	          "node_id,x_coord,y_coord,country\n"
	          "A,50,30,IRN\nB,50.5,30,IRN\nC,51,30,AZE\n");
	net_write(&t, "link.csv",
	          "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,free_speed_kmh,country,source\n"
	          "L1,A,B,road,60,,,,x\n"        /* road speed from the IRN tariff */
	          "L2,B,C,road,60,,,,x\n"        /* B is in IRN: speed found */
	          "L3,C,A,iww,120,,,,x\n"        /* no iww tariff: warning, and no speed: error */
	          "L4,A,C,ferry,110,,20,,x\n"    /* no ferry tariff: warning only */
	          "L5,C,B,rail,60,1520,,AZE,x\n" /* rail tariff without speed: error */
	          "L6,A,B,rail,60,1435,,TKM,x\n");
	net_write(&t, "tariff.csv",
	          "mode,country,usd_per_teu_km,speed_kmh\nroad,IRN,1,60\nrail,*,0.5,\n");
	net_write(&t, "border.csv",
	          "border_id,node_id,country_a,country_b,dwell_h,fee_usd\nB1,C,IRN,AZE,2,10\n");
	net_remove(&t, "transfer.csv");
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	memset(&d, 0, sizeof(d));
	c.errors = c.warnings = 0;
	mr_src_check(&s, on_diag, &d, &c);
	if (d.n != 5)
		dump(&d);
	assert_int_equal(d.errors, 3);
	assert_int_equal(d.warnings, 2);
	assert_int_equal(c.errors, 3);
	i = find_diag(&d, MR_ERROR, "link.csv:4: field 'free_speed_kmh': no speed: link 'L3'");
	assert_true(i >= 0);
	assert_int_equal(d.err[i].code, MR_EINVALID);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:6: field 'free_speed_kmh': no speed: link 'L5'") >= 0);
	assert_true(find_diag(&d, MR_ERROR, "link.csv:7: field 'free_speed_kmh': no speed: link 'L6'") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "link.csv:4: field 'mode': no tariff for iww in tariff.csv: cost and CO2e are 0") >= 0);
	assert_true(find_diag(&d, MR_WARNING, "link.csv:5: field 'mode': no tariff for ferry") >= 0);
	mr_src_free(&s);
	net_done(&t);
}

static void test_check_handles_bad_indexes(void **state)
{
	mr_src_node nodes[2];
	mr_src_link link;
	mr_src s;
	diags d;
	(void)state;
	memset(nodes, 0, sizeof(nodes));
	memset(&link, 0, sizeof(link));
	memset(&s, 0, sizeof(s));
	nodes[0].id = "A";
	nodes[1].id = "B";
	link.id = "L";
	link.from = 0;
	link.to = MR_NONE; /* unresolved */
	link.mode = MR_MODE_ROAD;
	link.free_speed_kmh = 10;
	s.nodes = nodes;
	s.nnodes = 2;
	s.links = &link;
	s.nlinks = 1;
	memset(&d, 0, sizeof(d));
	mr_src_check(&s, on_diag, &d, NULL);
	/* two unreachable nodes and the missing road tariff; nothing read out of bounds */
	assert_int_equal(d.warnings, 3);
	assert_true(find_diag(&d, MR_WARNING, "./node.csv") >= 0);
}

/* ---- scale and memory ---- */

static void test_large_network(void **state)
{
	tmpnet t;
	mr_src s;
	diags d;
	mr_diag_counts c;
	char path[128];
	FILE *fp;
	long i, n = 50000;
	(void)state;
	net_init(&t);
	snprintf(path, sizeof(path), "%s/node.csv", t.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "node_id,x_coord,y_coord\n");
	for (i = 0; i < n; i++)
		fprintf(fp, "N%ld,%.4f,%.4f\n", i, (double)(i % 300) * 0.1, (double)(i / 300) * 0.1);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/link.csv", t.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "link_id,from_node_id,to_node_id,mode,length_km,gauge_mm,free_speed_kmh,source\n");
	for (i = 0; i + 1 < n; i++)
		fprintf(fp, "E%ld,N%ld,N%ld,road,%d,,60,osm\n", i, i, i + 1, 20);
	fclose(fp);
	assert_int_equal(read_net(&t, &s, &d, &c, NULL), MR_OK);
	assert_int_equal(s.nnodes, n);
	assert_int_equal(s.nlinks, n - 1);
	assert_int_equal(s.links[12345].from, 12345);
	assert_int_equal(s.links[12345].to, 12346);
	mr_src_free(&s);
	net_done(&t);
}

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
	tmpnet t;
	long budget;
	int rc = MR_ENOMEM, failures = 0;
	(void)state;
	net_init(&t);
	write_base(&t);
	for (budget = 0; budget < 2000 && rc == MR_ENOMEM; budget++) {
		mr_src s;
		mr_error first;
		mr_diag_counts c;
		alloc_left = budget;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_csvnet_read(t.dir, &s, NULL, NULL, &c, &first);
		if (rc == MR_OK) {
			mr_src_check(&s, NULL, NULL, &c); /* may report out of memory, must not leak */
			mr_src_free(&s);
		}
		mr_set_allocator(NULL, NULL);
		if (rc == MR_ENOMEM) {
			failures++;
			assert_int_equal(first.code, MR_ENOMEM);
			assert_null(s.nodes);
		}
	}
	assert_int_equal(rc, MR_OK);
	assert_true(failures > 20);
	net_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_names),
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_columns_any_order),
		cmocka_unit_test(test_bom_crlf_comments_quotes),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_path_and_missing_files),
		cmocka_unit_test(test_no_source_warning),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_transfer_rules),
		cmocka_unit_test(test_missing_column_no_cascade),
		cmocka_unit_test(test_check_lengths),
		cmocka_unit_test(test_check_components_and_isolated),
		cmocka_unit_test(test_check_borders),
		cmocka_unit_test(test_check_tariffs_and_speeds),
		cmocka_unit_test(test_check_handles_bad_indexes),
		cmocka_unit_test(test_large_network),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
