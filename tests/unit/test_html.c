/* test_html.c: the HTML comparison report and the cairo bar chart on the fixture network: the
 * page is well-formed (xmllint, as HTML and as XML), holds a map with country outlines, the
 * table, the bar charts, the scenario differences and the sources; names are escaped; output is
 * reproducible; every allocation failure is reported without a leak; the plot writes a real PNG
 * and SVG atomically and an unwritable path leaves nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "meridian/mr_constrained.h"
#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_places.h"
#include "meridian/mr_report.h"
#include "meridian/mr_route.h"

#define NROWS 4
#define ATLAS MR_SOURCE_DIR "/node_modules/world-atlas/countries-110m.json"
#define EVIL_NAME "Suez <via> \"canal\" & Bosporus"

static mr_net net;
static mr_router *router;
static mr_place from, to;
static mr_route_opts opts, vs_opts;
static mr_route routes[NROWS], vs_routes[NROWS];
static mr_compare_row rows[NROWS], vs_rows[NROWS];
static const char *vs_avoid[] = {"IRN"};
static const mr_scenario_info scen[] = {
	{"avoid-iran", "Routes avoid Iran <test> & more", "/tmp/avoid-iran.scn", 1},
};
static char tmpdir[64];
static int have_xmllint;

/* Route corridor i ("best", "suez", "ferry", "cape") under o into r; fills row. */
static void route_row(int i, const mr_route_opts *o, mr_route *r, mr_compare_row *row)
{
	static const char *const ids[NROWS] = {"best", "suez", "ferry", "cape"};
	static const char *const names[NROWS] = {"Best overall", EVIL_NAME, "Caspian ferry", "Round the Cape"};
	static const char *const texts[NROWS] = {"", "require passage:suez", "require mode:ferry",
	                                         "require passage:cape-of-good-hope"};
	static const mr_pred preds[NROWS] = {
		{MR_PRED_TAG, ""}, {MR_PRED_PASSAGE, "suez"}, {MR_PRED_MODE, "ferry"}, {MR_PRED_PASSAGE, "cape-of-good-hope"}};
	mr_error e;
	int rc;
	memset(row, 0, sizeof(*row));
	row->id = ids[i];
	row->name = names[i];
	row->constraints = texts[i];
	if (i == 0) {
		uint32_t pl[2] = {from.node, to.node};
		rc = mr_router_route(router, pl, 2, o, r, &e);
	} else {
		mr_pattern p;
		mr_pattern_init(&p);
		assert_int_equal(mr_pattern_require(&p, 0), MR_OK);
		rc = mr_router_route_pattern(router, from.node, to.node, o, &p, &preds[i], 1, r, &e);
	}
	if (rc == MR_OK) {
		row->feasible = 1;
		row->route = r;
	} else {
		assert_int_equal(rc, MR_ENOROUTE);
		row->reason = "no route satisfies <the> pattern & its \"rules\"";
	}
}

static int setup(void **state)
{
	mr_src src;
	mr_error e;
	int i;
	(void)state;
	memset(&src, 0, sizeof(src));
	if (mr_csvnet_read(MR_SOURCE_DIR "/tests/fixtures/mini", &src, NULL, NULL, NULL, &e))
		return -1;
	if (mr_net_build(&src, &net, &e))
		return -1;
	mr_src_free(&src);
	if (mr_router_new(&router, &net))
		return -1;
	if (mr_place_resolve(&net, "INNSA", 0, 0, &from, &e) || mr_place_resolve(&net, "RUMOW", 0, 0, &to, &e))
		return -1;
	mr_route_opts_default(&opts);
	mr_route_opts_default(&vs_opts);
	vs_opts.avoid = vs_avoid;
	vs_opts.navoid = 1;
	for (i = 0; i < NROWS; i++) {
		route_row(i, &opts, &routes[i], &rows[i]);
		route_row(i, &vs_opts, &vs_routes[i], &vs_rows[i]);
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_html.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	have_xmllint = system("command -v xmllint >/dev/null 2>&1") == 0;
	if (!have_xmllint)
		printf("skipped: xmllint is not installed (libxml2-utils): the well-formedness and XPath checks\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int i;
	(void)state;
	for (i = 0; i < NROWS; i++) {
		mr_route_free(&routes[i]);
		mr_route_free(&vs_routes[i]);
	}
	mr_router_free(router);
	mr_net_free(&net);
	mr_plot_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void report(mr_compare_report *rep, int vs, const char *atlas)
{
	memset(rep, 0, sizeof(*rep));
	rep->net = &net;
	rep->from = &from;
	rep->to = &to;
	rep->opts = &opts;
	rep->rows = rows;
	rep->nrows = NROWS;
	rep->label = "base";
	rep->atlas_path = atlas;
	if (vs) {
		rep->vs_rows = vs_rows;
		rep->vs_net = &net;
		rep->vs_opts = &vs_opts;
		rep->vs_label = "avoid-iran";
		rep->scenarios = scen;
		rep->nscenarios = 1;
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static int nfeasible(const mr_compare_row *r)
{
	int i, n = 0;
	for (i = 0; i < NROWS; i++)
		n += r[i].feasible;
	return n;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Run a shell command, return its first line of output (trimmed) in out and its status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	assert_non_null(p);
	out[0] = '\0';
	if (!fgets(out, (int)size, p))
		out[0] = '\0';
	while (fgetc(p) != EOF)
		;
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return pclose(p);
}

static long xpath_count(const char *file, const char *expr)
{
	char cmd[1024], out[256];
	snprintf(cmd, sizeof(cmd), "xmllint --html --xpath 'count(%s)' '%s' 2>/dev/null", expr, file);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	return strtol(out, NULL, 10);
}

/* The page parses: as HTML, with no error but libxml2's notes on HTML5 and SVG tags it does not
 * know, and as XML (every element closed, attributes quoted, entities known). */
static void check_wellformed(const char *file)
{
	char cmd[512], out[512];
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s' 2>&1", file);
	if (run(cmd, out, sizeof(out)) != 0)
		fail_msg("not well-formed XML: %s", out);
	snprintf(cmd, sizeof(cmd),
	         "xmllint --html --noout '%s' 2>&1 | grep -i 'error' | grep -v 'error : Tag [a-zA-Z]* invalid' | head -1",
	         file);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (out[0])
		fail_msg("HTML parser error: %s", out);
	snprintf(cmd, sizeof(cmd), "xmllint --html --noout '%s' >/dev/null 2>&1", file);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
}

static void test_html_content(void **state)
{
	mr_compare_report rep;
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	mr_error e;
	int i;
	(void)state;

	/* the fixture gives what the checks below need */
	assert_true(rows[0].feasible && rows[1].feasible && rows[2].feasible && !rows[3].feasible);
	assert_true(!vs_rows[2].feasible); /* the Caspian ferries all call at Anzali (IRN): infeasible */

	report(&rep, 1, access(ATLAS, R_OK) == 0 ? ATLAS : NULL);
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_OK);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	assert_int_equal(strncmp(out, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(out, "<meta charset=\"utf-8\"/>"));
	assert_non_null(strstr(out, "</html>\n"));

	/* self-contained: nothing is fetched, no script */
	assert_int_equal(count(out, "http"), count(out, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "src="));
	assert_null(strstr(out, "url("));
	assert_null(strstr(out, "@import"));

	/* escaping: the corridor name, the reason and the scenario description */
	assert_non_null(strstr(out, "Suez &lt;via&gt; &quot;canal&quot; &amp; Bosporus"));
	assert_null(strstr(out, "<via>"));
	assert_non_null(strstr(out, "no route satisfies &lt;the&gt; pattern &amp; its &quot;rules&quot;"));
	assert_null(strstr(out, "<the>"));
	assert_non_null(strstr(out, "Routes avoid Iran &lt;test&gt; &amp; more"));

	/* the parts */
	assert_non_null(strstr(out, "<svg class=\"map\""));
	assert_non_null(strstr(out, "<table class=\"cmp\" id=\"compare\">"));
	assert_non_null(strstr(out, "<table class=\"cmp\" id=\"compare-vs\">"));
	assert_non_null(strstr(out, "<section id=\"scenario\">"));
	assert_non_null(strstr(out, "Becomes infeasible"));
	assert_non_null(strstr(out, "id=\"tariffs\""));
	assert_non_null(strstr(out, "id=\"borders\""));
	assert_non_null(strstr(out, "id=\"link-sources\""));
	/* the sources section quotes the fixture's records */
	assert_non_null(strstr(out, "Suez Canal Authority figure via Wikipedia"));  /* a link source */
	assert_non_null(strstr(out, "estimate: cost 0.10 USD/TEU-km + 150 USD/leg")); /* the sea tariff */
	for (i = 0; i < NROWS; i++)
		assert_non_null(strstr(out, rows[i].id));
	/* one route group per feasible corridor on each side; legs coloured by mode */
	assert_int_equal(count(out, "<g class=\"route b"), (size_t)nfeasible(rows));
	assert_int_equal(count(out, "<g class=\"route v"), (size_t)nfeasible(vs_rows));
	assert_true(count(out, "class=\"leg sea\"") >= 3);
	assert_true(count(out, "class=\"leg rail\"") >= 3);
	assert_true(count(out, "class=\"leg ferry\"") >= 1);
	assert_true(count(out, "class=\"xfer\"") >= 3);
	assert_true(count(out, "class=\"bord\"") >= 1); /* the ferry route clears customs at Anzali */
	assert_int_equal(count(out, "class=\"plabel\""), 2);
	if (rep.atlas_path) {
		assert_true(count(out, "class=\"land\"") > 10);
		assert_non_null(strstr(out, "<title>Iran</title>"));
		assert_non_null(strstr(out, "<title>Azerbaijan</title>"));
		assert_null(strstr(out, "<title>Brazil</title>")); /* cropped to the routes */
	} else {
		printf("skipped: world-atlas is not installed: the outline checks\n");
	}
	/* figures, with thousands separators: Mumbai-Moscow via Suez and the Bosporus is about
	 * 9,600 km on the fixture */
	{
		char want[64];
		long km = lround(routes[1].distance_km);
		assert_true(km > 9000 && km < 10000);
		snprintf(want, sizeof(want), "<b>%ld,%03ld</b>", km / 1000, km % 1000);
		assert_non_null(strstr(out, want));
	}

	/* reproducible */
	assert_int_equal(mr_report_compare_html(&rep, &again, &len2, &e), MR_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(out, again, len);
	mr_free(again);
	mr_free(out);
}

static void test_html_parses(void **state)
{
	mr_compare_report rep;
	char *out = NULL, path[128];
	size_t len = 0;
	mr_error e;
	int atlas = access(ATLAS, R_OK) == 0;
	long bars;
	(void)state;

	if (!have_xmllint) {
		printf("skipped: xmllint is not installed\n");
		skip();
	}
	report(&rep, 1, atlas ? ATLAS : NULL);
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_OK);
	snprintf(path, sizeof(path), "%s/vs.html", tmpdir);
	write_file(path, out, len);
	mr_free(out);
	check_wellformed(path);
	assert_int_equal(xpath_count(path, "//svg[@class=\"map\"]"), 1);
	if (atlas)
		assert_true(xpath_count(path, "//svg[@class=\"map\"]//path[@class=\"land\"]") > 10);
	assert_int_equal(xpath_count(path, "//svg[@class=\"map\"]//g[contains(@class,\"route\")]"),
	                 nfeasible(rows) + nfeasible(vs_rows));
	assert_true(xpath_count(path, "//svg[@class=\"map\"]//polyline[contains(@class,\"leg\")]") >=
	            nfeasible(rows) + nfeasible(vs_rows));
	assert_int_equal(xpath_count(path, "//table[@id=\"compare\"]/tbody/tr"), NROWS);
	assert_int_equal(xpath_count(path, "//table[@id=\"compare\"]/tbody/tr[@class=\"infeasible\"]"), 1);
	assert_int_equal(xpath_count(path, "//table[@id=\"compare-vs\"]/tbody/tr"), NROWS);
	assert_int_equal(xpath_count(path, "//table[@id=\"diff\"]/tbody/tr"), NROWS);
	/* 4 charts, paired bars: one per feasible corridor and side */
	assert_int_equal(xpath_count(path, "//svg[contains(@class,\"chart\")]"), 4);
	bars = xpath_count(path, "//svg[contains(@class,\"chart\")]//rect[contains(@class,\"bar\")]");
	assert_int_equal(bars, 4 * (nfeasible(rows) + nfeasible(vs_rows)));
	assert_int_equal(xpath_count(path, "//svg[contains(@class,\"chart\")]//rect[contains(@class,\"vs\")]"),
	                 4 * nfeasible(vs_rows));
	/* the best of each figure highlighted: at least one per chart and side, and in the table */
	assert_true(xpath_count(path, "//svg[contains(@class,\"chart\")]//rect[contains(@class,\"best\")]") >= 8);
	assert_true(xpath_count(path, "//table[@id=\"compare\"]//td[contains(@class,\"best\")]") >= 4);
	/* a checkbox per corridor shown on the map, before it */
	assert_int_equal(xpath_count(path, "//section[@id=\"map\"]/input[@type=\"checkbox\"]"),
	                 nfeasible(rows) + nfeasible(vs_rows));
	assert_int_equal(xpath_count(path, "//table[@id=\"scenarios\"]/tbody/tr"), 1);
}

/* No --vs, no atlas, and no corridor at all: still a complete page that says what is missing. */
static void test_html_plain(void **state)
{
	mr_compare_report rep;
	char *out = NULL, path[128];
	size_t len = 0;
	mr_error e;
	(void)state;

	report(&rep, 0, NULL);
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_OK);
	assert_non_null(strstr(out, "Country outlines are not drawn"));
	assert_null(strstr(out, "class=\"land\""));
	assert_null(strstr(out, "id=\"scenario\""));
	assert_null(strstr(out, "compare-vs"));
	assert_non_null(strstr(out, "id=\"no-scenarios\""));
	assert_int_equal(count(out, "<g class=\"route b"), (size_t)nfeasible(rows));
	assert_int_equal(count(out, "<rect class=\"bar"), 4 * (size_t)nfeasible(rows));
	if (have_xmllint) {
		snprintf(path, sizeof(path), "%s/plain.html", tmpdir);
		write_file(path, out, len);
		check_wellformed(path);
		assert_int_equal(xpath_count(path, "//table[@id=\"compare\"]/tbody/tr"), NROWS);
	}
	mr_free(out);

	/* an atlas that is not TopoJSON: the map says so, the report does not fail */
	report(&rep, 0, MR_SOURCE_DIR "/tests/fixtures/mini/node.csv");
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_OK);
	assert_non_null(strstr(out, "Country outlines are not drawn: cannot read"));
	mr_free(out);

	/* no corridor */
	report(&rep, 0, NULL);
	rep.nrows = 0;
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_OK);
	assert_non_null(strstr(out, "No corridor has a route"));
	assert_int_equal(count(out, "<g class=\"route"), 0);
	if (have_xmllint) {
		snprintf(path, sizeof(path), "%s/empty.html", tmpdir);
		write_file(path, out, len);
		check_wellformed(path);
	}
	mr_free(out);

	/* incomplete input */
	report(&rep, 0, NULL);
	rep.opts = NULL;
	assert_int_equal(mr_report_compare_html(&rep, &out, &len, &e), MR_EINVAL);
	assert_null(out);
	assert_int_equal(e.code, MR_EINVAL);
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

static void test_html_alloc_failure(void **state)
{
	mr_compare_report rep;
	char *out;
	size_t len;
	mr_error e;
	long k, failures = 0;
	(void)state;

	report(&rep, 1, access(ATLAS, R_OK) == 0 ? ATLAS : NULL);
	mr_set_allocator(failing_alloc, NULL);
	for (k = 0;; k++) {
		int rc;
		fail_at = k;
		nallocs = 0;
		live = 0;
		out = NULL;
		rc = mr_report_compare_html(&rep, &out, &len, &e);
		if (rc == MR_OK) {
			mr_free(out);
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, MR_ENOMEM);
		assert_int_equal(e.code, MR_ENOMEM);
		assert_null(out);
		assert_int_equal(live, 0);
		failures++;
	}
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
	assert_true(failures >= 10);
}

/* ---- the cairo plot ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Files in tmpdir whose name starts with prefix. */
static int files_like(const char *prefix)
{
	DIR *d = opendir(tmpdir);
	struct dirent *x;
	int n = 0;
	assert_non_null(d);
	while ((x = readdir(d)))
		n += strncmp(x->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void test_plot_png(void **state)
{
	mr_compare_report rep;
	unsigned char head[33];
	char path[128];
	FILE *fp;
	mr_error e;
	struct stat st;
	int vs;
	(void)state;

	for (vs = 0; vs < 2; vs++) {
		report(&rep, vs, NULL);
		snprintf(path, sizeof(path), "%s/chart%d.png", tmpdir, vs);
		assert_int_equal(mr_plot_compare(&rep, path, &e), MR_OK);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		assert_int_equal(fread(head, 1, sizeof(head), fp), sizeof(head));
		fclose(fp);
		assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
		assert_int_equal(be32(head + 8), 13);
		assert_memory_equal(head + 12, "IHDR", 4);
		assert_int_equal(be32(head + 16), 1200);
		assert_true(be32(head + 20) >= 300 && be32(head + 20) <= 1000);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 10000); /* bars and text, not an empty canvas */
		assert_int_equal(st.st_mode & 0777, 0644);
	}
	/* the paired chart is taller: two bars a corridor */
	{
		unsigned char h0[24], h1[24];
		snprintf(path, sizeof(path), "%s/chart0.png", tmpdir);
		fp = fopen(path, "rb");
		assert_int_equal(fread(h0, 1, 24, fp), 24);
		fclose(fp);
		snprintf(path, sizeof(path), "%s/chart1.png", tmpdir);
		fp = fopen(path, "rb");
		assert_int_equal(fread(h1, 1, 24, fp), 24);
		fclose(fp);
		assert_true(be32(h1 + 20) > be32(h0 + 20));
	}
	assert_int_equal(files_like("chart"), 2); /* no temporary left */
}

static void test_plot_svg(void **state)
{
	mr_compare_report rep;
	char path[128], cmd[256], out[512], *data;
	FILE *fp;
	long n;
	mr_error e;
	(void)state;

	report(&rep, 1, NULL);
	snprintf(path, sizeof(path), "%s/chart.SVG", tmpdir);
	assert_int_equal(mr_plot_compare(&rep, path, &e), MR_OK);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	assert_true(n > 1000);
	data = malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
	data[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(data, "<svg"));
	assert_non_null(strstr(data, "width=\"1200\""));
	free(data);
	if (have_xmllint) {
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s' 2>&1", path);
		if (run(cmd, out, sizeof(out)) != 0)
			fail_msg("the SVG does not parse: %s", out);
	} else {
		printf("skipped: xmllint is not installed: parsing the SVG\n");
	}
}

static void test_plot_errors(void **state)
{
	mr_compare_report rep;
	char path[128];
	mr_error e;
	(void)state;

	report(&rep, 0, NULL);
	/* a folder that does not exist: MR_EIO, a message, no file */
	snprintf(path, sizeof(path), "%s/missing/chart.png", tmpdir);
	assert_int_equal(mr_plot_compare(&rep, path, &e), MR_EIO);
	assert_int_equal(e.code, MR_EIO);
	assert_true(strlen(e.msg) > 0);
	assert_int_equal(access(path, F_OK), -1);
	/* a folder in the way of the file: the rename fails and the temporary is removed */
	snprintf(path, sizeof(path), "%s/dir.png", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(mr_plot_compare(&rep, path, &e), MR_EIO);
	assert_int_equal(files_like("dir.png"), 1);
	/* an extension cairo cannot write here */
	snprintf(path, sizeof(path), "%s/chart.pdf", tmpdir);
	assert_int_equal(mr_plot_compare(&rep, path, &e), MR_EINVAL);
	assert_non_null(strstr(e.msg, ".png or .svg"));
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/chart", tmpdir);
	assert_int_equal(mr_plot_compare(&rep, path, &e), MR_EINVAL);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(files_like("chart.tmp"), 0);
	assert_int_equal(files_like("chart.pdf"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_content),
		cmocka_unit_test(test_html_parses),
		cmocka_unit_test(test_html_plain),
		cmocka_unit_test(test_html_alloc_failure),
		cmocka_unit_test(test_plot_png),
		cmocka_unit_test(test_plot_svg),
		cmocka_unit_test(test_plot_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
