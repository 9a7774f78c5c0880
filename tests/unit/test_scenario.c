/* test_scenario.c: the scenario engine (mr_scenario.h): parser errors name the file, line and
 * field; names the network lacks fail at application with the scenario's file and line; a
 * scenario applied to the built fixture equals, arc by arc, a network rebuilt from the same edit
 * made to the source data; node and country closures; routing on the derived network; and
 * allocation failures in parsing and application. Tests named test_regression_* hold cases where the
 * engine was found to disagree with docs/scenarios.md or mr_scenario.h (see each comment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"
#include "meridian/mr_scenario.h"

#define FIXTURE MR_SOURCE_DIR "/tests/fixtures/mini"

/* ---- helpers: source, network, scenarios ---- */

static void read_src(mr_src *src)
{
	mr_error e;
	memset(src, 0, sizeof(*src));
	memset(&e, 0, sizeof(e));
	if (mr_csvnet_read(FIXTURE, src, NULL, NULL, NULL, &e))
		fail_msg("reading the fixture: %s:%ld: %s", e.file, e.line, e.msg);
}

static void build(const mr_src *src, mr_net *net)
{
	mr_error e;
	memset(&e, 0, sizeof(e));
	if (mr_net_build(src, net, &e))
		fail_msg("building: %s", e.msg);
}

static mr_scenario *parse_ok(const char *name, const char *text)
{
	mr_scenario *s = NULL;
	mr_error e;
	int rc;
	memset(&e, 0, sizeof(e));
	rc = mr_scenario_parse(name, text, strlen(text), &s, &e);
	if (rc)
		fail_msg("%s: %s (line %ld, field '%s')\n--- text:\n%s", name, e.msg, e.line, e.field, text);
	assert_non_null(s);
	return s;
}

static uint32_t src_link(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nlinks; i++)
		if (strcmp(s->links[i].id, id) == 0)
			return (uint32_t)i;
	fail_msg("no link %s in the source", id);
	return MR_NONE;
}

static mr_src_border *src_border(const mr_src *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nborders; i++)
		if (strcmp(s->borders[i].id, id) == 0)
			return &s->borders[i];
	fail_msg("no border %s in the source", id);
	return NULL;
}

/* The tariff row of exactly (mode, country); country "" = the '*' row. */
static mr_src_tariff *src_tariff(const mr_src *s, int mode, const char *country)
{
	size_t i;
	for (i = 0; i < s->ntariffs; i++)
		if (s->tariffs[i].mode == mode && strcmp(s->tariffs[i].country, country) == 0)
			return &s->tariffs[i];
	fail_msg("no tariff row %s/%s", mr_mode_name(mode), country[0] ? country : "*");
	return NULL;
}

/* A per-country row with the same figures as the mode's '*' row. */
static void add_country_tariff(mr_src *s, int mode, const char *country)
{
	mr_src_tariff t = *src_tariff(s, mode, "");
	memcpy(t.country, country, 4);
	assert_int_equal(mr_src_add_tariff(s, &t), MR_OK);
}

static void set_link_status(mr_src *s, const char *id, int status)
{
	s->links[src_link(s, id)].status = status;
}

static void set_passage_status(mr_src *s, const char *passage, int status)
{
	size_t i, n = 0;
	for (i = 0; i < s->nlinks; i++)
		if (s->links[i].passage && strcmp(s->links[i].passage, passage) == 0) {
			s->links[i].status = status;
			n++;
		}
	assert_true(n > 0);
}

/* The running speed the build gives a link. */
static double src_speed(const mr_src *s, const char *id)
{
	const mr_src_link *l = &s->links[src_link(s, id)];
	const char *c = l->country[0] ? l->country : s->nodes[l->from].country;
	size_t i;
	const mr_src_tariff *d = NULL;
	if (l->free_speed_kmh > 0)
		return l->free_speed_kmh;
	for (i = 0; i < s->ntariffs; i++)
		if (s->tariffs[i].mode == l->mode) {
			if (strcmp(s->tariffs[i].country, c) == 0)
				return s->tariffs[i].speed_kmh;
			if (!s->tariffs[i].country[0])
				d = &s->tariffs[i];
		}
	assert_non_null(d);
	return d->speed_kmh;
}

static int rel_close(double a, double b, double tol)
{
	if (a == b)
		return 1;
	return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* Two networks with the same graph compared arc by arc: kind, ref, border, mode, status equal;
 * figures within 1e-3 relative; A* ratios within 1e-6 relative; link and border records that a
 * scenario may change (status, headway, speed, dwell, fee) equal too. */
static void compare_nets(const char *what, const mr_net *x, const mr_net *y)
{
	uint32_t v, a, i;
	int k;
	assert_int_equal(x->g.n, y->g.n);
	assert_int_equal(x->g.m, y->g.m);
	assert_int_equal(x->meta.narcs, y->meta.narcs);
	for (v = 0; v <= x->g.n; v++)
		assert_int_equal(x->g.first_out[v], y->g.first_out[v]);
	for (v = 0; v < x->g.n; v++)
		for (a = x->g.first_out[v]; a < x->g.first_out[v + 1]; a++) {
			const mr_arc_rec *p = &x->arcs[a], *q = &y->arcs[a];
			const char *tail = mr_net_str(x, x->nodes[x->vnodes[v].node].id);
			const char *head = mr_net_str(x, x->nodes[x->vnodes[x->g.head[a]].node].id);
			assert_int_equal(x->g.head[a], y->g.head[a]);
			assert_int_equal(p->kind, q->kind);
			assert_int_equal(p->ref, q->ref);
			assert_int_equal(p->border, q->border);
			assert_int_equal(p->mode, q->mode);
			if (p->status != q->status)
				fail_msg("%s: arc %u %s->%s (%s): status %s, rebuilt %s", what, a, tail, head,
				         mr_mode_name(p->mode), mr_status_name(p->status), mr_status_name(q->status));
			if (!rel_close(p->distance_km, q->distance_km, 1e-3) || !rel_close(p->time_h, q->time_h, 1e-3) ||
			    !rel_close(p->cost_usd, q->cost_usd, 1e-3) || !rel_close(p->co2e_kg, q->co2e_kg, 1e-3))
				fail_msg("%s: arc %u %s->%s (%s): scenario km %.6g h %.6g usd %.6g co2e %.6g; "
				         "rebuilt km %.6g h %.6g usd %.6g co2e %.6g",
				         what, a, tail, head, mr_mode_name(p->mode), p->distance_km, p->time_h, p->cost_usd,
				         p->co2e_kg, q->distance_km, q->time_h, q->cost_usd, q->co2e_kg);
		}
	for (k = 0; k < 4; k++)
		if (!rel_close(x->meta.astar_ratio[k], y->meta.astar_ratio[k], 1e-6))
			fail_msg("%s: astar_ratio[%d] %.12g, rebuilt %.12g", what, k, x->meta.astar_ratio[k],
			         y->meta.astar_ratio[k]);
	assert_int_equal(x->meta.nlinks, y->meta.nlinks);
	for (i = 0; i < x->meta.nlinks; i++) {
		const mr_link_rec *p = &x->links[i], *q = &y->links[i];
		if (p->status != q->status || !rel_close(p->headway_h, q->headway_h, 1e-6) ||
		    !rel_close(p->speed_kmh, q->speed_kmh, 1e-6))
			fail_msg("%s: link %s: status %s headway %g speed %g; rebuilt %s %g %g", what,
			         mr_net_str(x, p->id), mr_status_name(p->status), p->headway_h, p->speed_kmh,
			         mr_status_name(q->status), q->headway_h, q->speed_kmh);
	}
	assert_int_equal(x->meta.nborders, y->meta.nborders);
	for (i = 0; i < x->meta.nborders; i++) {
		const mr_border_rec *p = &x->borders[i], *q = &y->borders[i];
		if (p->status != q->status || !rel_close(p->dwell_h, q->dwell_h, 1e-6) ||
		    !rel_close(p->fee_usd, q->fee_usd, 1e-6))
			fail_msg("%s: border %s: status %s dwell %g fee %g; rebuilt %s %g %g", what, mr_net_str(x, p->id),
			         mr_status_name(p->status), p->dwell_h, p->fee_usd, mr_status_name(q->status), q->dwell_h,
			         q->fee_usd);
	}
}

/* How many arcs differ (status or a figure) between two networks with one graph. */
static size_t arcs_changed(const mr_net *x, const mr_net *y)
{
	size_t n = 0;
	uint32_t a;
	for (a = 0; a < x->g.m; a++) {
		const mr_arc_rec *p = &x->arcs[a], *q = &y->arcs[a];
		n += p->status != q->status || !rel_close(p->time_h, q->time_h, 1e-6) ||
		     !rel_close(p->cost_usd, q->cost_usd, 1e-6) || !rel_close(p->co2e_kg, q->co2e_kg, 1e-6);
	}
	return n;
}

/* ---- 1. parser ---- */

typedef struct bad_case {
	const char *text;
	int code;
	long line;
	const char *field;
} bad_case;

static const bad_case bad_cases[] = {
	{"frobnicate link=a", MR_EPARSE, 1, "statement"},                           /* unknown verb */
	{"# comment\n\n  # indented comment\nclose link=a\nshut link=b", MR_EPARSE, 5, "statement"},
	{"Close link=a", MR_EPARSE, 1, "statement"},                                /* verbs are lower case */
	{"close mode=rail", MR_EPARSE, 1, "mode"},                                  /* field of another verb */
	{"close colour=red", MR_EPARSE, 1, "colour"},                               /* no such field */
	{"vot usd_per_h=10 factor=2", MR_EPARSE, 1, "factor"},
	{"open link=a hours=2", MR_EPARSE, 1, "hours"},
	{"close link=a link=b", MR_EPARSE, 1, "link"},                              /* twice */
	{"tariff mode=rail factor=2 mode=road", MR_EPARSE, 1, "mode"},
	{"close link", MR_EPARSE, 1, "close"},                                      /* no '=' */
	{"close =a", MR_EPARSE, 1, "close"},                                        /* no field name */
	{"close link = a", MR_EPARSE, 1, "close"},                                  /* spaces around '=' */
	{"close link=", MR_EPARSE, 1, "link"},                                      /* empty value */
	{"close link=a,,b", MR_EPARSE, 1, "link"},                                  /* empty list item */
	{"close link=a,", MR_EPARSE, 1, "link"},
	{"close passage=a=b", MR_EPARSE, 1, "passage"},
	{"tariff factor=abc", MR_EPARSE, 1, "factor"},                              /* bad number */
	{"tariff factor=1.5x", MR_EPARSE, 1, "factor"},
	{"tariff factor=nan", MR_EPARSE, 1, "factor"},
	{"tariff factor=inf", MR_EPARSE, 1, "factor"},
	{"dwell hours=-2", MR_EPARSE, 1, "hours"},                                  /* negative */
	{"fee usd=-0.5", MR_EPARSE, 1, "usd"},
	{"vot usd_per_h=-1", MR_EPARSE, 1, "usd_per_h"},
	{"dwell hours=2000000", MR_EPARSE, 1, "hours"},                             /* absurd */
	{"tariff mode=rail factor=0", MR_EPARSE, 1, "factor"},                      /* zero where positive */
	{"emissions factor=-1", MR_EPARSE, 1, "factor"},
	{"speed link=a kmh=0", MR_EPARSE, 1, "kmh"},
	{"speed link=a factor=0", MR_EPARSE, 1, "factor"},
	{"sailings mode=ferry per_week=0", MR_EPARSE, 1, "per_week"},
	{"tariff mode=ship factor=2", MR_EPARSE, 1, "mode"},                        /* bad mode */
	{"sailings mode=boat per_week=2", MR_EPARSE, 1, "mode"},
	{"tariff country=Iran factor=2", MR_EPARSE, 1, "country"},                  /* bad country */
	{"tariff mode=rail country=IRN,AZE factor=2", MR_EPARSE, 1, "country"},
	{"dwell country=ir hours=2", MR_EPARSE, 1, "country"},
	{"close country=irn", MR_EPARSE, 1, "country"},
	{"close country=IRN,RU", MR_EPARSE, 1, "country"},
	{"close link=a node=b", MR_EPARSE, 1, "close"},                             /* two targets */
	{"open border=x passage=y", MR_EPARSE, 1, "open"},
	{"dwell border=x link=y hours=2", MR_EPARSE, 1, "link"},
	{"close", MR_EPARSE, 1, "close"},                                           /* no target */
	{"open", MR_EPARSE, 1, "open"},
	{"sailings per_week=2", MR_EPARSE, 1, "sailings"},                          /* no link/mode */
	{"sailings mode=* per_week=2", MR_EPARSE, 1, "sailings"},
	{"delay hours=3", MR_EPARSE, 1, "delay"},                                   /* no link */
	{"speed kmh=50", MR_EPARSE, 1, "speed"},
	{"delay link=a", MR_EPARSE, 1, "delay"},                                    /* missing number */
	{"tariff mode=rail", MR_EPARSE, 1, "tariff"},
	{"emissions country=IRN", MR_EPARSE, 1, "emissions"},
	{"vot", MR_EPARSE, 1, "vot"},
	{"speed link=a", MR_EPARSE, 1, "speed"},
	{"sailings link=a", MR_EPARSE, 1, "sailings"},
	{"dwell hours=2 factor=2", MR_EPARSE, 1, "dwell"},                          /* two numbers */
	{"fee usd=10 factor=2", MR_EPARSE, 1, "fee"},
	{"description =   \nclose link=a", MR_EPARSE, 1, "description"},           /* empty description */
	{"description=\nclose link=a", MR_EPARSE, 1, "description"},
	{"description = a\nclose link=a\ndescription = b", MR_EPARSE, 3, "description"},
	{"source =\nclose link=a", MR_EPARSE, 1, "source"},
	{"close link=a # a trailing comment", MR_EPARSE, 1, "close"},              /* '#' starts lines only */
	{"close link=a\r\n\r\n# c\r\nfrob x=1\r\n", MR_EPARSE, 4, "statement"},   /* CRLF counted */
	{"# only\n# comments\n\n", MR_EPARSE, 3, ""},                              /* no statement */
	{"", MR_EPARSE, 0, ""},
	{"description = just words\nsource = a book\n", MR_EPARSE, 2, ""},
};

static void check_bad(const char *text, size_t len, int code, long line, const char *field)
{
	mr_scenario *s = (mr_scenario *)&s; /* must be set to NULL */
	mr_error e;
	int rc;
	memset(&e, 0, sizeof(e));
	rc = mr_scenario_parse("t.scn", text, len, &s, &e);
	if (rc == MR_OK) {
		mr_scenario_free(s);
		s = NULL;
	}
	if (rc != code || e.code != code || e.line != line || strcmp(e.field, field) != 0 ||
	    strcmp(e.file, "t.scn") != 0)
		fail_msg("text \"%s\": got %s line %ld field '%s' file '%s' (%s); expected %s line %ld field '%s'", text,
		         mr_errname(rc), e.line, e.field, e.file, e.msg, mr_errname(code), line, field);
	assert_null(s);
	assert_true(e.msg[0] != '\0');
}

static void test_parse_errors(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(bad_cases[i].text, strlen(bad_cases[i].text), bad_cases[i].code, bad_cases[i].line,
		          bad_cases[i].field);
	print_message("%zu bad scenario texts rejected\n", i);
	assert_true(i >= 25);
}

/* A NUL byte in the text, with the statements around it valid. */
static void test_parse_nul(void **state)
{
	static const char text[] = "close link=a\n# fine\nclose li\0nk=b\nclose link=c\n";
	static const char last[] = "close link=a\nclose link=b\0";
	(void)state;
	check_bad(text, sizeof(text) - 1, MR_EPARSE, 3, "");
	check_bad(last, sizeof(last) - 1, MR_EPARSE, 2, "");
}

/* A file name with nothing left for the id. */
static void test_parse_bad_name(void **state)
{
	mr_scenario *s = NULL;
	mr_error e;
	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(mr_scenario_parse("dir/", "close link=a", 12, &s, &e), MR_EINVAL);
	assert_null(s);
	assert_string_equal(e.file, "dir/");
}

static void test_parse_good(void **state)
{
	mr_scenario *s;
	const char *crlf = "description = with CRLF\r\nclose link=a\r\n\r\nopen link=b\r\n";
	const char *every = "# every statement\n"
	                    "description = a = b, with an equals sign  \n"
	                    "source = one\n"
	                    "source = two\n"
	                    "\n"
	                    "close link=a,b\n"
	                    "open node=X\n"
	                    "close\tborder=b1\n"
	                    "  open passage=suez,bab-el-mandeb  \n"
	                    "close country=IRN,AZE\n"
	                    "tariff factor=1.5\n"
	                    "tariff mode=* country=* factor=2\n"
	                    "tariff mode=rail country=IRN factor=0.5\n"
	                    "emissions mode=sea factor=1.1\n"
	                    "dwell hours=0\n"
	                    "dwell border=b1,b2 factor=0\n"
	                    "dwell country=AZE hours=12.5\n"
	                    "fee usd=0\n"
	                    "fee country=RUS factor=2\n"
	                    "sailings link=f1 per_week=3\n"
	                    "sailings mode=ferry factor=0.5\n"
	                    "sailings mode=ferry country=IRN per_week=2\n"
	                    "delay link=a hours=0\n"
	                    "delay link=a,b hours=72\n"
	                    "speed link=a kmh=60\n"
	                    "speed link=a factor=0.75\n"
	                    "vot usd_per_h=0\n"
	                    "vot usd_per_h=25\n";
	(void)state;
	s = parse_ok("dir/sub/x.scn", "description = Suez closed\n# why\nclose passage=suez\n");
	assert_string_equal(mr_scenario_id(s), "x");
	assert_string_equal(mr_scenario_path(s), "dir/sub/x.scn");
	assert_string_equal(mr_scenario_description(s), "Suez closed");
	assert_int_equal(mr_scenario_nops(s), 1);
	mr_scenario_free(s);

	s = parse_ok("plain", "close link=a");
	assert_string_equal(mr_scenario_id(s), "plain");
	assert_string_equal(mr_scenario_description(s), "");
	assert_int_equal(mr_scenario_nops(s), 1);
	mr_scenario_free(s);

	s = parse_ok("a/y.scn.scn", "open link=a\n");
	assert_string_equal(mr_scenario_id(s), "y.scn");
	mr_scenario_free(s);

	s = parse_ok("crlf.scn", crlf);
	assert_string_equal(mr_scenario_description(s), "with CRLF");
	assert_int_equal(mr_scenario_nops(s), 2);
	mr_scenario_free(s);

	s = parse_ok("every.scn", every);
	assert_string_equal(mr_scenario_id(s), "every");
	assert_string_equal(mr_scenario_description(s), "a = b, with an equals sign");
	assert_int_equal(mr_scenario_nops(s), 23);
	mr_scenario_free(s);

	/* the text need not end the string: len counts */
	{
		mr_error e;
		const char *t = "close link=a\nfrobnicate";
		memset(&e, 0, sizeof(e));
		s = NULL;
		assert_int_equal(mr_scenario_parse("n.scn", t, 13, &s, &e), MR_OK);
		assert_int_equal(mr_scenario_nops(s), 1);
		mr_scenario_free(s);
	}
	mr_scenario_free(NULL);
}

/* Every shipped scenario parses, and mr_scenario_read reports a missing file. */
static void test_read_files(void **state)
{
	static const char *const ids[] = {"suez-closed", "red-sea-closed", "rasht-astara-open", "astara-border-closed",
	                                  "caspian-ferries-halved", "instc-borders-faster", "rail-tariffs-up",
	                                  "green-rail", "high-value-cargo", "eastern-polygon-congested"};
	char path[1024];
	mr_scenario *s;
	mr_error e;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(path, sizeof(path), "%s/data/eurasia/scenarios/%s.scn", MR_SOURCE_DIR, ids[i]);
		if (access(path, R_OK) != 0)
			continue; /* the shipped set may change; the ones present must parse */
		memset(&e, 0, sizeof(e));
		if (mr_scenario_read(path, &s, &e))
			fail_msg("%s:%ld: field '%s': %s", e.file, e.line, e.field, e.msg);
		assert_string_equal(mr_scenario_id(s), ids[i]);
		assert_string_equal(mr_scenario_path(s), path);
		assert_true(mr_scenario_description(s)[0] != '\0');
		assert_true(mr_scenario_nops(s) >= 1);
		mr_scenario_free(s);
	}
	memset(&e, 0, sizeof(e));
	s = (mr_scenario *)&s;
	assert_int_equal(mr_scenario_read(MR_BINARY_DIR "/no-such-dir/none.scn", &s, &e), MR_EIO);
	assert_null(s);
	assert_string_equal(e.file, MR_BINARY_DIR "/no-such-dir/none.scn");

	/* a file written here reads like the same text parsed, errors naming the path */
	{
		FILE *f;
		snprintf(path, sizeof(path), "%s/test_scenario_tmp.scn", MR_BINARY_DIR);
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs("description = tmp\nclose link=a\n\nfrob x=1\n", f);
		fclose(f);
		memset(&e, 0, sizeof(e));
		assert_int_equal(mr_scenario_read(path, &s, &e), MR_EPARSE);
		assert_null(s);
		assert_string_equal(e.file, path);
		assert_int_equal(e.line, 4);
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs("description = tmp\nclose link=a\n", f);
		fclose(f);
		assert_int_equal(mr_scenario_read(path, &s, &e), MR_OK);
		assert_string_equal(mr_scenario_id(s), "test_scenario_tmp");
		assert_int_equal(mr_scenario_nops(s), 1);
		mr_scenario_free(s);
		remove(path);
	}
}

/* ---- 2. application errors ---- */

typedef struct app_case {
	const char *text;
	long line;
	const char *field;
} app_case;

static const app_case app_cases[] = {
	{"close link=no-such-link", 1, "link"},
	{"# the second name is wrong\nclose link=rail-asf-mow,no-such-link", 2, "link"},
	{"open link=rail-rsh-ast\nopen link=rail-rsh-astX", 2, "link"},
	{"close node=XXNOPE", 1, "node"},
	{"close node=IR_AST,XXNOPE", 1, "node"},
	{"close border=b-no-such", 1, "border"},
	{"open border=b-irn-aze-astara,b-no-such", 1, "border"},
	{"close passage=panama", 1, "passage"},
	{"close passage=suez,malacca", 1, "passage"},
	{"close country=FRA", 1, "country"},
	{"open country=IRN,FRA", 1, "country"},
	{"dwell border=b-irn-aze-astara,b-no-such hours=2", 1, "border"},
	{"fee border=b-no-such usd=1", 1, "border"},
	{"sailings link=ferry-baz-asf,no-such-link per_week=2", 1, "link"},
	{"delay link=no-such-link hours=1", 1, "link"},
	{"speed link=rail-asf-mow,no-such-link kmh=10", 1, "link"},
	{"tariff mode=rail country=FRA factor=2", 1, "country"},
	{"emissions country=FRA factor=2", 1, "country"},
	{"dwell country=FRA hours=1", 1, "country"},
	{"dwell country=TUR hours=1", 1, "country"}, /* TUR exists, no border touches it */
	{"fee country=EGY usd=1", 1, "country"},
	{"sailings mode=ferry country=FRA factor=2", 1, "country"},
	{"sailings mode=rail factor=2", 1, "mode"}, /* no scheduled rail service */
};

static void test_apply_errors(void **state)
{
	mr_src src;
	mr_net net;
	size_t i;
	(void)state;
	read_src(&src);
	build(&src, &net);
	mr_src_free(&src);
	for (i = 0; i < sizeof(app_cases) / sizeof(app_cases[0]); i++) {
		mr_scenario *s = parse_ok("dir/app.scn", app_cases[i].text);
		mr_scenario_net sn;
		mr_error e;
		int rc;
		memset(&e, 0, sizeof(e));
		rc = mr_scenario_apply(&net, &s, 1, &sn, &e);
		if (rc != MR_ENOTFOUND || e.code != MR_ENOTFOUND || e.line != app_cases[i].line ||
		    strcmp(e.field, app_cases[i].field) != 0 || strcmp(e.file, "dir/app.scn") != 0)
			fail_msg("\"%s\": got %s file '%s' line %ld field '%s' (%s); expected NOTFOUND line %ld field '%s'",
			         app_cases[i].text, mr_errname(rc), e.file, e.line, e.field, e.msg, app_cases[i].line,
			         app_cases[i].field);
		/* nothing is left: the output is zeroed */
		assert_null(sn.arcs_);
		assert_null(sn.links_);
		assert_null(sn.borders_);
		assert_true(isnan(sn.vot_usd_per_h));
		mr_scenario_net_free(&sn);
		mr_scenario_free(s);
	}
	/* an error in the second scenario names that scenario's file and line */
	{
		mr_scenario *s[2];
		mr_scenario_net sn;
		mr_error e;
		s[0] = parse_ok("first.scn", "close passage=suez\n");
		s[1] = parse_ok("more/second.scn", "# x\nopen passage=suez\nclose border=b-irn-aze-astara,nope\n");
		memset(&e, 0, sizeof(e));
		assert_int_equal(mr_scenario_apply(&net, s, 2, &sn, &e), MR_ENOTFOUND);
		assert_string_equal(e.file, "more/second.scn");
		assert_int_equal(e.line, 3);
		assert_string_equal(e.field, "border");
		assert_true(strstr(e.msg, "nope") != NULL);
		mr_scenario_free(s[0]);
		mr_scenario_free(s[1]);
	}
	print_message("%zu unknown names rejected\n", i);
	mr_net_free(&net);
}

/* ---- 3. equivalence with a rebuild from edited source data ---- */

/* edits of the source: the base's (both networks) and the scenario's equivalent */
static void e_rail_country_rows(mr_src *s)
{
	add_country_tariff(s, MR_MODE_RAIL, "IRN");
	add_country_tariff(s, MR_MODE_RAIL, "AZE");
	add_country_tariff(s, MR_MODE_RAIL, "RUS");
}
static void e_sea_irn_row(mr_src *s) { add_country_tariff(s, MR_MODE_SEA, "IRN"); }
static void e_road_irn_row(mr_src *s) { add_country_tariff(s, MR_MODE_ROAD, "IRN"); }
static void e_rail_irn_row(mr_src *s) { add_country_tariff(s, MR_MODE_RAIL, "IRN"); }

static void e_open_rasht_astara(mr_src *s) { set_link_status(s, "rail-rsh-ast", MR_STATUS_OPEN); }
static void e_close_two_links(mr_src *s)
{
	set_link_status(s, "rail-asf-mow", MR_STATUS_CLOSED);
	set_link_status(s, "road-rsh-baz", MR_STATUS_CLOSED);
}
static void e_close_astara(mr_src *s) { src_border(s, "b-irn-aze-astara")->status = MR_STATUS_CLOSED; }
static void e_close_yalama(mr_src *s) { src_border(s, "b-aze-rus-yalama")->status = MR_STATUS_CLOSED; }
static void e_open_yalama(mr_src *s) { src_border(s, "b-aze-rus-yalama")->status = MR_STATUS_OPEN; }
static void e_restrict_anzali(mr_src *s) { src_border(s, "b-irn-rus-anzali")->status = MR_STATUS_RESTRICTED; }
static void e_open_anzali(mr_src *s) { src_border(s, "b-irn-rus-anzali")->status = MR_STATUS_OPEN; }
static void e_close_suez(mr_src *s) { set_passage_status(s, "suez", MR_STATUS_CLOSED); }
static void e_close_hormuz_bosporus(mr_src *s)
{
	set_passage_status(s, "hormuz", MR_STATUS_CLOSED);
	set_passage_status(s, "bosporus", MR_STATUS_CLOSED);
}
static void e_close_gibraltar(mr_src *s) { set_passage_status(s, "gibraltar", MR_STATUS_CLOSED); }
static void e_open_gibraltar(mr_src *s) { set_passage_status(s, "gibraltar", MR_STATUS_OPEN); }
static void e_tariff_rail_aze(mr_src *s) { src_tariff(s, MR_MODE_RAIL, "AZE")->usd_per_teu_km *= 1.5; }
static void e_tariff_sea_irn(mr_src *s) { src_tariff(s, MR_MODE_SEA, "IRN")->usd_per_teu_km *= 3; }
static void e_tariff_all(mr_src *s)
{
	size_t i;
	for (i = 0; i < s->ntariffs; i++)
		s->tariffs[i].usd_per_teu_km *= 0.8;
}
static void e_tariff_rail_everywhere(mr_src *s)
{
	src_tariff(s, MR_MODE_RAIL, "")->usd_per_teu_km *= 2;
	src_tariff(s, MR_MODE_RAIL, "IRN")->usd_per_teu_km *= 2;
}
static void e_tariff_composed(mr_src *s)
{
	src_tariff(s, MR_MODE_RAIL, "")->usd_per_teu_km *= 1.5625;
	src_tariff(s, MR_MODE_RAIL, "IRN")->usd_per_teu_km *= 1.5625 * 2;
}
static void e_emis_ferry(mr_src *s) { src_tariff(s, MR_MODE_FERRY, "")->co2e_kg_per_teu_km *= 0.5; }
static void e_emis_road_irn(mr_src *s) { src_tariff(s, MR_MODE_ROAD, "IRN")->co2e_kg_per_teu_km *= 2; }
static void e_dwell_astara(mr_src *s) { src_border(s, "b-irn-aze-astara")->dwell_h = 48; }
static void e_dwell_half(mr_src *s)
{
	size_t i;
	for (i = 0; i < s->nborders; i++)
		s->borders[i].dwell_h *= 0.5;
}
static void e_dwell_rus(mr_src *s)
{
	src_border(s, "b-aze-rus-yalama")->dwell_h = 6;
	src_border(s, "b-irn-rus-anzali")->dwell_h = 6;
}
static void e_fee_two(mr_src *s)
{
	src_border(s, "b-aze-rus-yalama")->fee_usd = 120;
	src_border(s, "b-irn-rus-anzali")->fee_usd = 120;
}
static void e_fee_irn_double(mr_src *s)
{
	src_border(s, "b-irn-aze-astara")->fee_usd *= 2;
	src_border(s, "b-irn-rus-anzali")->fee_usd *= 2;
}
static void e_fee_zero(mr_src *s)
{
	size_t i;
	for (i = 0; i < s->nborders; i++)
		s->borders[i].fee_usd = 0;
}
static void e_sail_asf(mr_src *s) { s->links[src_link(s, "ferry-baz-asf")].services_per_week = 3; }
static void e_sail_ferries_double(mr_src *s)
{
	s->links[src_link(s, "ferry-baz-asf")].services_per_week *= 2;
	s->links[src_link(s, "ferry-baz-mcx")].services_per_week *= 2;
}
static void e_sail_ferries_rus(mr_src *s)
{
	s->links[src_link(s, "ferry-baz-asf")].services_per_week = 4;
	s->links[src_link(s, "ferry-baz-mcx")].services_per_week = 4;
}
static void e_sail_rail(mr_src *s) { s->links[src_link(s, "rail-asf-mow")].services_per_week = 7; }
static void e_delay_suez(mr_src *s) { s->links[src_link(s, "sea-egsuz-egpsd")].delay_h += 72; }
static void e_delay_yalama(mr_src *s) { s->links[src_link(s, "rail-ylm-smr")].delay_h += 12; }
static void e_speed_kmh(mr_src *s) { s->links[src_link(s, "rail-asf-mow")].free_speed_kmh = 60; }
static void e_speed_factor(mr_src *s)
{
	double a = src_speed(s, "sea-innsa-irbnd"), b = src_speed(s, "rail-bafq-thr");
	s->links[src_link(s, "sea-innsa-irbnd")].free_speed_kmh = a * 0.5;
	s->links[src_link(s, "rail-bafq-thr")].free_speed_kmh = b * 0.5;
}
static void e_speed_composed(mr_src *s) { s->links[src_link(s, "road-rsh-ast")].free_speed_kmh = 80 * 1.25; }
static void e_mixed(mr_src *s)
{
	e_open_rasht_astara(s);
	e_close_yalama(s);
	src_tariff(s, MR_MODE_RAIL, "IRN")->usd_per_teu_km *= 0.7;
	src_tariff(s, MR_MODE_ROAD, "")->co2e_kg_per_teu_km *= 1.2;
	src_border(s, "b-irn-aze-astara")->dwell_h = 8;
	src_border(s, "b-irn-aze-astara")->fee_usd = 10;
	e_sail_ferries_double(s);
	s->links[src_link(s, "rail-ast-bak")].delay_h += 5;
	s->links[src_link(s, "rail-ast-bak")].free_speed_kmh = 50;
}
static void e_mixed2(mr_src *s)
{
	e_mixed(s);
	e_open_yalama(s);
	e_close_suez(s);
	s->links[src_link(s, "ferry-baz-mcx")].services_per_week = 5;
}

typedef void (*src_edit)(mr_src *s);

typedef struct eq_case {
	const char *name;
	const char *scn[3];  /* scenario texts, applied in order */
	src_edit base_edit;  /* applied to the source of both networks (NULL: none) */
	src_edit edit;       /* the scenario's equivalent on the source (NULL: none) */
	int changes;         /* 1 if the scenario must change some arc */
} eq_case;

static const eq_case eq_cases[] = {
	{"open a planned link", {"open link=rail-rsh-ast"}, NULL, e_open_rasht_astara, 1},
	{"close two links", {"close link=rail-asf-mow,road-rsh-baz"}, NULL, e_close_two_links, 1},
	{"close a border", {"close border=b-irn-aze-astara"}, NULL, e_close_astara, 1},
	{"open a closed border", {"open border=b-aze-rus-yalama"}, e_close_yalama, e_open_yalama, 1},
	{"open a restricted border", {"open border=b-irn-rus-anzali"}, e_restrict_anzali, e_open_anzali, 1},
	{"close a passage", {"close passage=suez"}, NULL, e_close_suez, 1},
	{"close two passages", {"close passage=hormuz,bosporus"}, NULL, e_close_hormuz_bosporus, 1},
	{"open a closed passage", {"open passage=gibraltar"}, e_close_gibraltar, e_open_gibraltar, 1},
	{"tariff one mode one country", {"tariff mode=rail country=AZE factor=1.5"}, e_rail_country_rows,
	 e_tariff_rail_aze, 1},
	{"tariff sea, one country of cross-border links", {"tariff mode=sea country=IRN factor=3"}, e_sea_irn_row,
	 e_tariff_sea_irn, 1},
	{"tariff every mode and country", {"tariff mode=* country=* factor=0.8"}, e_rail_irn_row, e_tariff_all, 1},
	{"tariff one mode, every country", {"tariff mode=rail factor=2"}, e_rail_irn_row, e_tariff_rail_everywhere, 1},
	{"tariff factors multiply", {"tariff mode=rail factor=1.25\ntariff mode=rail factor=1.25",
	                             "tariff mode=rail country=IRN factor=2"},
	 e_rail_irn_row, e_tariff_composed, 1},
	{"emissions one mode", {"emissions mode=ferry factor=0.5"}, NULL, e_emis_ferry, 1},
	{"emissions one mode one country", {"emissions mode=road country=IRN factor=2"}, e_road_irn_row,
	 e_emis_road_irn, 1},
	{"dwell hours", {"dwell border=b-irn-aze-astara hours=48"}, NULL, e_dwell_astara, 1},
	{"dwell factor", {"dwell factor=0.5"}, NULL, e_dwell_half, 1},
	{"dwell country", {"dwell country=RUS hours=6"}, NULL, e_dwell_rus, 1},
	{"fee usd", {"fee border=b-aze-rus-yalama,b-irn-rus-anzali usd=120"}, NULL, e_fee_two, 1},
	{"fee factor by country", {"fee country=IRN factor=2"}, NULL, e_fee_irn_double, 1},
	{"fee factor zero", {"fee factor=0"}, NULL, e_fee_zero, 1},
	{"sailings per_week", {"sailings link=ferry-baz-asf per_week=3"}, NULL, e_sail_asf, 1},
	{"sailings factor", {"sailings mode=ferry factor=2"}, NULL, e_sail_ferries_double, 1},
	{"sailings mode and country", {"sailings mode=ferry country=RUS per_week=4"}, NULL, e_sail_ferries_rus, 1},
	{"sailings on an unscheduled link", {"sailings link=rail-asf-mow per_week=7"}, NULL, e_sail_rail, 1},
	{"delay", {"delay link=sea-egsuz-egpsd hours=72"}, NULL, e_delay_suez, 1},
	{"delays add, on a border link", {"delay link=rail-ylm-smr hours=5\ndelay link=rail-ylm-smr hours=7"}, NULL,
	 e_delay_yalama, 1},
	{"speed kmh", {"speed link=rail-asf-mow kmh=60"}, NULL, e_speed_kmh, 1},
	{"speed factor", {"speed link=sea-innsa-irbnd,rail-bafq-thr factor=0.5"}, NULL, e_speed_factor, 1},
	{"speed set then multiplied", {"speed link=road-rsh-ast kmh=80", "speed link=road-rsh-ast factor=1.25"}, NULL,
	 e_speed_composed, 1},
	{"close then open a border = base", {"close border=b-irn-aze-astara", "open border=b-irn-aze-astara"}, NULL,
	 NULL, 0},
	{"close then open a passage = base", {"close passage=suez\nopen passage=suez"}, NULL, NULL, 0},
	{"factors that cancel = base", {"tariff mode=rail factor=2\nemissions factor=4", "tariff mode=rail factor=0.5",
	                                "emissions factor=0.25"},
	 NULL, NULL, 0},
	{"vot only = base", {"vot usd_per_h=25"}, NULL, NULL, 0},
	{"mixed", {"open link=rail-rsh-ast\nclose border=b-aze-rus-yalama\ntariff mode=rail country=IRN factor=0.7\n"
	           "emissions mode=road factor=1.2\ndwell border=b-irn-aze-astara hours=8\n"
	           "fee border=b-irn-aze-astara usd=10\nsailings mode=ferry factor=2\n"
	           "delay link=rail-ast-bak hours=5\nspeed link=rail-ast-bak kmh=50"},
	 e_rail_irn_row, e_mixed, 1},
	{"mixed, then more", {"open link=rail-rsh-ast\nclose border=b-aze-rus-yalama\ntariff mode=rail country=IRN factor=0.7\n"
	                      "emissions mode=road factor=1.2\ndwell border=b-irn-aze-astara hours=8\n"
	                      "fee border=b-irn-aze-astara usd=10\nsailings mode=ferry factor=2\n"
	                      "delay link=rail-ast-bak hours=5\nspeed link=rail-ast-bak kmh=50",
	                      "open border=b-aze-rus-yalama\nclose passage=suez",
	                      "sailings link=ferry-baz-mcx per_week=5"},
	 e_rail_irn_row, e_mixed2, 1},
};

/* Base network (fixture + base_edit), the scenario applied to it, and the rebuild. */
typedef struct eq_run {
	mr_net base, rebuilt;
	mr_scenario *s[3];
	size_t ns;
	mr_scenario_net sn;
} eq_run;

static void eq_start(eq_run *r, const eq_case *c)
{
	mr_src src;
	mr_error e;
	size_t k;
	char name[64];
	int rc;

	memset(r, 0, sizeof(*r));
	read_src(&src);
	if (c->base_edit)
		c->base_edit(&src);
	build(&src, &r->base);
	mr_src_free(&src);
	for (k = 0; k < 3 && c->scn[k]; k++) {
		snprintf(name, sizeof(name), "eq%zu.scn", k);
		r->s[r->ns++] = parse_ok(name, c->scn[k]);
	}
	memset(&e, 0, sizeof(e));
	rc = mr_scenario_apply(&r->base, r->s, r->ns, &r->sn, &e);
	if (rc)
		fail_msg("%s: apply: %s:%ld: %s", c->name, e.file, e.line, e.msg);

	read_src(&src);
	if (c->base_edit)
		c->base_edit(&src);
	if (c->edit)
		c->edit(&src);
	build(&src, &r->rebuilt);
	mr_src_free(&src);
}

static void eq_done(eq_run *r)
{
	size_t k;
	mr_scenario_net_free(&r->sn);
	for (k = 0; k < r->ns; k++)
		mr_scenario_free(r->s[k]);
	mr_net_free(&r->rebuilt);
	mr_net_free(&r->base);
}

static void test_equivalence(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(eq_cases) / sizeof(eq_cases[0]); i++) {
		const eq_case *c = &eq_cases[i];
		eq_run r;
		mr_arc_rec *before;
		size_t changed;
		eq_start(&r, c);
		/* the base is not touched by applying (arcs copied before applying again) */
		before = malloc(r.base.g.m * sizeof(mr_arc_rec));
		assert_non_null(before);
		memcpy(before, r.base.arcs, r.base.g.m * sizeof(mr_arc_rec));
		{
			mr_scenario_net again;
			mr_error e;
			memset(&e, 0, sizeof(e));
			assert_int_equal(mr_scenario_apply(&r.base, r.s, r.ns, &again, &e), MR_OK);
			assert_memory_equal(before, r.base.arcs, r.base.g.m * sizeof(mr_arc_rec));
			assert_memory_equal(again.arcs_, r.sn.arcs_, r.base.g.m * sizeof(mr_arc_rec));
			mr_scenario_net_free(&again);
		}
		free(before);
		/* the derived net shares what does not change */
		assert_ptr_equal(r.sn.net.nodes, r.base.nodes);
		assert_ptr_equal(r.sn.net.g.head, r.base.g.head);
		assert_ptr_equal(r.sn.net.strings, r.base.strings);
		assert_ptr_equal(r.sn.net.arcs, r.sn.arcs_);
		assert_ptr_not_equal(r.sn.net.arcs, r.base.arcs);
		compare_nets(c->name, &r.sn.net, &r.rebuilt);
		changed = arcs_changed(&r.sn.net, &r.base);
		if (c->changes ? changed == 0 : changed != 0)
			fail_msg("%s: %zu arcs differ from the base", c->name, changed);
		if (!c->changes) /* and the rebuild equals the base: the comparison means something */
			assert_int_equal(arcs_changed(&r.rebuilt, &r.base), 0);
		eq_done(&r);
	}
	print_message("%zu scenarios equal their rebuilds\n", i);
}

/* `vot` is not an arc change: it is handed to the caller, the last one winning. */
static void test_vot(void **state)
{
	mr_src src;
	mr_net net;
	mr_scenario *s[2];
	mr_scenario_net sn;
	mr_error e;
	(void)state;
	read_src(&src);
	build(&src, &net);
	mr_src_free(&src);
	memset(&e, 0, sizeof(e));
	s[0] = parse_ok("a.scn", "vot usd_per_h=25\nclose passage=suez");
	s[1] = parse_ok("b.scn", "vot usd_per_h=40");
	assert_int_equal(mr_scenario_apply(&net, s, 1, &sn, &e), MR_OK);
	assert_true(sn.vot_usd_per_h == 25);
	mr_scenario_net_free(&sn);
	assert_int_equal(mr_scenario_apply(&net, s, 2, &sn, &e), MR_OK);
	assert_true(sn.vot_usd_per_h == 40);
	mr_scenario_net_free(&sn);
	assert_int_equal(mr_scenario_apply(&net, s + 1, 0, &sn, &e), MR_OK);
	assert_true(isnan(sn.vot_usd_per_h));
	assert_int_equal(arcs_changed(&sn.net, &net), 0);
	mr_scenario_net_free(&sn);
	mr_scenario_net_free(&sn); /* a zeroed one */
	mr_scenario_free(s[0]);
	mr_scenario_free(s[1]);
	mr_net_free(&net);
}

/* ---- node and country closure: no source equivalent ---- */

/* Arcs touching a node with closed[node] are closed; the others keep the base's status; every
 * figure is the base's. Returns how many arcs were closed that way. */
static size_t check_closed_nodes(const char *what, const mr_net *base, const mr_net *d, const uint8_t *closed)
{
	uint32_t v, a;
	size_t n = 0;
	for (v = 0; v < base->g.n; v++)
		for (a = base->g.first_out[v]; a < base->g.first_out[v + 1]; a++) {
			const mr_arc_rec *o = &base->arcs[a], *x = &d->arcs[a];
			uint32_t tn = base->vnodes[v].node, hn = base->vnodes[base->g.head[a]].node;
			if (closed[tn] || closed[hn]) {
				if (x->status != MR_STATUS_CLOSED)
					fail_msg("%s: arc %u %s->%s is %s, not closed", what, a, mr_net_str(base, base->nodes[tn].id),
					         mr_net_str(base, base->nodes[hn].id), mr_status_name(x->status));
				n++;
			} else if (x->status != o->status) {
				fail_msg("%s: arc %u %s->%s is %s, base %s", what, a, mr_net_str(base, base->nodes[tn].id),
				         mr_net_str(base, base->nodes[hn].id), mr_status_name(x->status), mr_status_name(o->status));
			}
			assert_true(x->distance_km == o->distance_km && x->time_h == o->time_h && x->cost_usd == o->cost_usd &&
			            x->co2e_kg == o->co2e_kg);
		}
	return n;
}

static uint32_t node_index(const mr_net *net, const char *id)
{
	uint32_t i;
	for (i = 0; i < net->meta.nnodes; i++)
		if (strcmp(mr_net_str(net, net->nodes[i].id), id) == 0)
			return i;
	fail_msg("no node %s", id);
	return MR_NONE;
}

static void apply_texts(const mr_net *net, const char *t1, const char *t2, mr_scenario_net *sn)
{
	mr_scenario *s[2];
	size_t n = 0;
	mr_error e;
	int rc;
	s[n++] = parse_ok("c1.scn", t1);
	if (t2)
		s[n++] = parse_ok("c2.scn", t2);
	memset(&e, 0, sizeof(e));
	rc = mr_scenario_apply(net, s, n, sn, &e);
	if (rc)
		fail_msg("%s: %s:%ld %s", t1, e.file, e.line, e.msg);
	while (n)
		mr_scenario_free(s[--n]);
}

static void test_close_nodes_countries(void **state)
{
	mr_src src;
	mr_net net, planned;
	mr_scenario_net sn;
	uint8_t *closed;
	uint32_t i;
	size_t n;
	(void)state;
	read_src(&src);
	build(&src, &net);
	mr_src_free(&src);
	closed = calloc(net.meta.nnodes, 1);
	assert_non_null(closed);

	/* one node: its transfers and every link arc at it */
	closed[node_index(&net, "IR_AST")] = 1;
	apply_texts(&net, "close node=IR_AST", NULL, &sn);
	n = check_closed_nodes("close node=IR_AST", &net, &sn.net, closed);
	assert_true(n >= 8); /* 2 rail 1435 + 2 rail 1520 + 4 road arcs + the transfers */
	mr_scenario_net_free(&sn);

	/* a node closure wins over opening one of its links */
	apply_texts(&net, "close node=IR_AST\nopen link=rail-ast-ast,rail-rsh-ast", NULL, &sn);
	for (i = 0; i < net.g.m; i++) {
		const mr_arc_rec *x = &sn.net.arcs[i];
		if (x->kind == MR_ARC_LINK && (strcmp(mr_net_str(&net, net.links[x->ref].id), "rail-ast-ast") == 0 ||
		                               strcmp(mr_net_str(&net, net.links[x->ref].id), "rail-rsh-ast") == 0))
			assert_int_equal(x->status, MR_STATUS_CLOSED);
	}
	mr_scenario_net_free(&sn);

	/* two nodes, one named by its UN/LOCODE */
	closed[node_index(&net, "RUMCX")] = 1;
	apply_texts(&net, "close node=IR_AST,RUMCX", NULL, &sn);
	assert_true(check_closed_nodes("close node=IR_AST,RUMCX", &net, &sn.net, closed) > n);
	mr_scenario_net_free(&sn);

	/* open after close restores the base: in one scenario and across two */
	memset(closed, 0, net.meta.nnodes);
	apply_texts(&net, "close node=IR_AST,RUMCX\nopen node=IR_AST,RUMCX", NULL, &sn);
	assert_int_equal(check_closed_nodes("close+open node", &net, &sn.net, closed), 0);
	assert_int_equal(arcs_changed(&sn.net, &net), 0);
	mr_scenario_net_free(&sn);
	apply_texts(&net, "close node=RUMCX", "open node=RUMCX", &sn);
	assert_int_equal(arcs_changed(&sn.net, &net), 0);
	mr_scenario_net_free(&sn);

	/* a country: every arc touching one of its nodes */
	for (i = 0; i < net.meta.nnodes; i++)
		closed[i] = strcmp(net.nodes[i].country, "AZE") == 0;
	apply_texts(&net, "close country=AZE", NULL, &sn);
	n = check_closed_nodes("close country=AZE", &net, &sn.net, closed);
	assert_true(n >= 10);
	mr_scenario_net_free(&sn);
	for (i = 0; i < net.meta.nnodes; i++)
		closed[i] = strcmp(net.nodes[i].country, "AZE") == 0 || strcmp(net.nodes[i].country, "EGY") == 0;
	apply_texts(&net, "close country=AZE,EGY", NULL, &sn);
	assert_true(check_closed_nodes("close country=AZE,EGY", &net, &sn.net, closed) > n);
	mr_scenario_net_free(&sn);
	/* reopening one of two */
	for (i = 0; i < net.meta.nnodes; i++)
		closed[i] = strcmp(net.nodes[i].country, "EGY") == 0;
	apply_texts(&net, "close country=AZE,EGY", "open country=AZE", &sn);
	assert_true(check_closed_nodes("close AZE,EGY then open AZE", &net, &sn.net, closed) > 0);
	mr_scenario_net_free(&sn);
	apply_texts(&net, "close country=AZE,EGY\nclose country=AZE", "open country=EGY,AZE", &sn);
	assert_int_equal(arcs_changed(&sn.net, &net), 0);
	mr_scenario_net_free(&sn);
	/* opening a country that was never closed changes nothing */
	apply_texts(&net, "open country=IRN\nopen node=IRBND", NULL, &sn);
	assert_int_equal(arcs_changed(&sn.net, &net), 0);
	mr_scenario_net_free(&sn);

	/* a node closure keeps a planned link planned once the node reopens */
	{
		read_src(&src);
		build(&src, &planned);
		mr_src_free(&src);
		apply_texts(&planned, "close node=IR_RSH", "open node=IR_RSH", &sn);
		for (i = 0; i < net.g.m; i++)
			assert_int_equal(sn.net.arcs[i].status, planned.arcs[i].status);
		mr_scenario_net_free(&sn);
		mr_net_free(&planned);
	}
	free(closed);
	mr_net_free(&net);
}

/* ---- 4. routing on the derived network ---- */

static int route_has_passage(const mr_net *net, const mr_route *r, const char *p)
{
	size_t i;
	for (i = 0; i < r->npassages; i++)
		if (strcmp(mr_net_str(net, r->passages[i]), p) == 0)
			return 1;
	return 0;
}

static int route(const mr_net *net, uint32_t a, uint32_t b, int objective, int algorithm, mr_route *r)
{
	mr_router *rt;
	mr_route_opts o;
	mr_error e;
	uint32_t pl[2] = {a, b};
	int rc;
	assert_int_equal(mr_router_new(&rt, net), MR_OK);
	mr_route_opts_default(&o);
	o.objective = objective;
	o.algorithm = algorithm;
	memset(&e, 0, sizeof(e));
	rc = mr_router_route(rt, pl, 2, &o, r, &e);
	mr_router_free(rt);
	return rc;
}

static void same_route(const char *what, const mr_route *x, const mr_route *y)
{
	if (!rel_close(x->distance_km, y->distance_km, 1e-6) || !rel_close(x->cost_usd, y->cost_usd, 1e-5) ||
	    !rel_close(x->duration_h, y->duration_h, 1e-5) || !rel_close(x->co2e_kg, y->co2e_kg, 1e-5) ||
	    !rel_close(x->objective_value, y->objective_value, 1e-5))
		fail_msg("%s: derived %.3f km %.3f USD %.3f h %.3f kg (obj %.6f), rebuilt %.3f km %.3f USD %.3f h %.3f kg "
		         "(obj %.6f)",
		         what, x->distance_km, x->cost_usd, x->duration_h, x->co2e_kg, x->objective_value, y->distance_km,
		         y->cost_usd, y->duration_h, y->co2e_kg, y->objective_value);
}

static void test_route_suez_closed(void **state)
{
	mr_src src;
	mr_net base, rebuilt;
	mr_scenario_net sn;
	mr_route rb, rd, rr;
	uint32_t a, b;
	(void)state;
	read_src(&src);
	build(&src, &base);
	e_close_suez(&src);
	build(&src, &rebuilt);
	mr_src_free(&src);
	apply_texts(&base, "close passage=suez", NULL, &sn);

	/* Nhava Sheva -> Novorossiysk by cost: through Suez; with Suez closed, by the INSTC */
	a = node_index(&base, "INNSA");
	b = node_index(&base, "RUNVS");
	assert_int_equal(route(&base, a, b, MR_BY_COST, MR_ALGO_AUTO, &rb), MR_OK);
	assert_true(route_has_passage(&base, &rb, "suez"));
	assert_int_equal(route(&sn.net, a, b, MR_BY_COST, MR_ALGO_AUTO, &rd), MR_OK);
	assert_false(route_has_passage(&sn.net, &rd, "suez"));
	assert_int_equal(route(&rebuilt, a, b, MR_BY_COST, MR_ALGO_AUTO, &rr), MR_OK);
	same_route("INNSA->RUNVS cost, suez closed", &rd, &rr);
	assert_int_equal(rd.narcs, rr.narcs);
	assert_memory_equal(rd.arcs, rr.arcs, rd.narcs * sizeof(uint32_t));
	assert_true(rd.cost_usd > rb.cost_usd);
	mr_route_free(&rb);
	mr_route_free(&rd);
	mr_route_free(&rr);

	/* Every pair, every objective, every algorithm: the derived net routes like the rebuild */
	{
		size_t checked = 0, noroute = 0;
		int obj, alg;
		for (obj = 0; obj < MR_BY_COUNT; obj++)
			for (alg = MR_ALGO_AUTO; alg < MR_ALGO_COUNT; alg++)
				for (a = 0; a < base.meta.nnodes; a++)
					for (b = 0; b < base.meta.nnodes; b++) {
						int r1, r2;
						char what[128];
						if (a == b)
							continue;
						r1 = route(&sn.net, a, b, obj, alg, &rd);
						r2 = route(&rebuilt, a, b, obj, alg, &rr);
						snprintf(what, sizeof(what), "%s->%s %s %s", mr_net_str(&base, base.nodes[a].id),
						         mr_net_str(&base, base.nodes[b].id), mr_objective_name(obj),
						         mr_algorithm_name(alg));
						if (r1 != r2)
							fail_msg("%s: derived %s, rebuilt %s", what, mr_errname(r1), mr_errname(r2));
						if (r1 == MR_OK) {
							same_route(what, &rd, &rr);
							assert_false(route_has_passage(&sn.net, &rd, "suez"));
							checked++;
							mr_route_free(&rd);
							mr_route_free(&rr);
						} else {
							noroute++;
						}
					}
		print_message("%zu routes equal on the derived and rebuilt nets, %zu without a route\n", checked, noroute);
		assert_true(checked > 1000);
	}
	mr_scenario_net_free(&sn);
	mr_net_free(&rebuilt);
	mr_net_free(&base);
}

/* The mixed scenario changes figures of every kind: routes on both nets agree too. */
static void test_route_mixed(void **state)
{
	const eq_case *c = &eq_cases[sizeof(eq_cases) / sizeof(eq_cases[0]) - 1];
	eq_run r;
	uint32_t a, b;
	int obj;
	size_t checked = 0, differ = 0;
	(void)state;
	eq_start(&r, c);
	for (obj = 0; obj < MR_BY_COUNT; obj++)
		for (a = 0; a < r.base.meta.nnodes; a++)
			for (b = 0; b < r.base.meta.nnodes; b++) {
				mr_route rd, rr, rb;
				int r1, r2, r3;
				if (a == b)
					continue;
				r1 = route(&r.sn.net, a, b, obj, MR_ALGO_AUTO, &rd);
				r2 = route(&r.rebuilt, a, b, obj, MR_ALGO_AUTO, &rr);
				assert_int_equal(r1, r2);
				if (r1)
					continue;
				same_route(c->name, &rd, &rr);
				r3 = route(&r.base, a, b, obj, MR_ALGO_AUTO, &rb);
				if (r3 || !rel_close(rb.objective_value, rd.objective_value, 1e-6))
					differ++;
				if (!r3)
					mr_route_free(&rb);
				mr_route_free(&rd);
				mr_route_free(&rr);
				checked++;
			}
	print_message("%zu routes checked, %zu differ from the base\n", checked, differ);
	assert_true(checked > 1000);
	assert_true(differ > 100);
	eq_done(&r);
}

/* ---- compressed lane chains (MR_ARC_CHAIN): not in the fixture, so a small network here ----
 * A (port, IND) - S1 - S2 - S3 - B (port, EGY) by sea lanes through the passage "strait", where
 * S1..S3 are lane vertices (node type "sea") that the build compresses into one arc each way,
 * and a direct sea link A - B of 1000 km. */

static void chain_node(mr_src *s, const char *id, const char *type, const char *country, double lon)
{
	mr_src_node n;
	memset(&n, 0, sizeof(n));
	n.id = (char *)id;
	n.name = (char *)id;
	n.type = (char *)type;
	memcpy(n.country, country, strlen(country) + 1);
	n.lon = lon;
	n.lat = 10;
	assert_int_equal(mr_src_add_node(s, &n, NULL), MR_OK);
}

static void chain_link(mr_src *s, const char *id, uint32_t from, uint32_t to, double km, const char *passage)
{
	mr_src_link l;
	memset(&l, 0, sizeof(l));
	l.id = (char *)id;
	l.source = (char *)"test";
	l.passage = (char *)passage;
	l.from = from;
	l.to = to;
	l.mode = MR_MODE_SEA;
	l.status = MR_STATUS_OPEN;
	l.length_km = km;
	assert_int_equal(mr_src_add_link(s, &l, NULL), MR_OK);
}

static void chain_src(mr_src *s)
{
	mr_src_tariff t;
	memset(s, 0, sizeof(*s));
	s->dir = mr_strdup("chain");
	assert_non_null(s->dir);
	chain_node(s, "A", "port", "IND", 60);
	chain_node(s, "S1", "sea", "", 61);
	chain_node(s, "S2", "sea", "", 62);
	chain_node(s, "S3", "sea", "", 63);
	chain_node(s, "B", "port", "EGY", 64);
	chain_link(s, "a-s1", 0, 1, 120, "strait");
	chain_link(s, "s1-s2", 1, 2, 110, "strait");
	chain_link(s, "s2-s3", 2, 3, 115, "strait");
	chain_link(s, "s3-b", 3, 4, 118, "strait");
	chain_link(s, "a-b", 0, 4, 1000, "");
	memset(&t, 0, sizeof(t));
	t.mode = MR_MODE_SEA;
	t.usd_per_teu_km = 0.1;
	t.fixed_usd = 10;
	t.co2e_kg_per_teu_km = 0.08;
	t.speed_kmh = 30;
	t.source = (char *)"test";
	assert_int_equal(mr_src_add_tariff(s, &t), MR_OK);
	add_country_tariff(s, MR_MODE_SEA, "IND");
}

static void c_delay(mr_src *s) { s->links[src_link(s, "s1-s2")].delay_h += 10; }
static void c_speed(mr_src *s) { s->links[src_link(s, "s2-s3")].free_speed_kmh = 20; }
static void c_tariff(mr_src *s) { src_tariff(s, MR_MODE_SEA, "IND")->usd_per_teu_km *= 2; }
static void c_emis(mr_src *s)
{
	src_tariff(s, MR_MODE_SEA, "IND")->co2e_kg_per_teu_km *= 0.5;
	src_tariff(s, MR_MODE_SEA, "")->co2e_kg_per_teu_km *= 0.5;
}
static void c_sail(mr_src *s)
{
	s->links[src_link(s, "s1-s2")].services_per_week = 7;
	s->links[src_link(s, "s3-b")].services_per_week = 7;
}
static void c_close_strait(mr_src *s) { set_passage_status(s, "strait", MR_STATUS_CLOSED); }
static void c_close_s1s2(mr_src *s) { set_link_status(s, "s1-s2", MR_STATUS_CLOSED); }

static void chain_run(const char *text, src_edit edit, int same_graph)
{
	mr_src src;
	mr_net base, rebuilt;
	mr_scenario_net sn;
	mr_route rd, rr;
	chain_src(&src);
	build(&src, &base);
	assert_true(base.meta.nchains >= 2); /* the lane is compressed */
	if (edit)
		edit(&src);
	build(&src, &rebuilt);
	mr_src_free(&src);
	apply_texts(&base, text, NULL, &sn);
	if (same_graph) {
		compare_nets(text, &sn.net, &rebuilt);
		assert_true(arcs_changed(&sn.net, &base) > 0);
	}
	assert_int_equal(route(&sn.net, 0, 4, MR_BY_TIME, MR_ALGO_AUTO, &rd), MR_OK);
	assert_int_equal(route(&rebuilt, 0, 4, MR_BY_TIME, MR_ALGO_AUTO, &rr), MR_OK);
	same_route(text, &rd, &rr);
	mr_route_free(&rd);
	mr_route_free(&rr);
	assert_int_equal(route(&sn.net, 0, 4, MR_BY_COST, MR_ALGO_AUTO, &rd), MR_OK);
	assert_int_equal(route(&rebuilt, 0, 4, MR_BY_COST, MR_ALGO_AUTO, &rr), MR_OK);
	same_route(text, &rd, &rr);
	mr_route_free(&rd);
	mr_route_free(&rr);
	mr_scenario_net_free(&sn);
	mr_net_free(&rebuilt);
	mr_net_free(&base);
}

static void test_chain_equivalence(void **state)
{
	(void)state;
	chain_run("delay link=s1-s2 hours=10", c_delay, 1);
	chain_run("speed link=s2-s3 kmh=20", c_speed, 1);
	chain_run("tariff mode=sea country=IND factor=2", c_tariff, 1);
	chain_run("emissions factor=0.5", c_emis, 1);
	chain_run("sailings link=s1-s2,s3-b per_week=7", c_sail, 1);
	chain_run("close passage=strait", c_close_strait, 1);
	/* one closed link splits the chain in the rebuild: compare routes only */
	chain_run("close link=s1-s2", c_close_s1s2, 0);
}

/* BUG (reported to the lead, not fixed here): `close node=` on a lane vertex inside a compressed
 * chain is accepted (the name exists) but closes nothing: recompute_arcs only looks at the
 * chain arc's two end vertices, so the chain A -> B through S2 stays open. docs/scenarios.md:
 * `close node=` closes "every arc touching a node". Expected: the chain arcs through S2 closed
 * and the route A -> B by the direct 1000 km link; actual: open, route of 463 km through S2. */
static void test_regression_close_lane_vertex(void **state)
{
	mr_src src;
	mr_net base;
	mr_scenario_net sn;
	mr_route r;
	uint32_t a;
	size_t nchain = 0, open = 0;
	double km;
	(void)state;
	chain_src(&src);
	build(&src, &base);
	mr_src_free(&src);
	apply_texts(&base, "close node=S2", NULL, &sn);
	for (a = 0; a < base.g.m; a++)
		if (sn.net.arcs[a].kind == MR_ARC_CHAIN) {
			nchain++;
			open += sn.net.arcs[a].status != MR_STATUS_CLOSED;
		}
	assert_int_equal(route(&sn.net, 0, 4, MR_BY_DISTANCE, MR_ALGO_AUTO, &r), MR_OK);
	km = r.distance_km;
	mr_route_free(&r);
	mr_scenario_net_free(&sn);
	mr_net_free(&base);
	assert_true(nchain >= 2);
	if (open || fabs(km - 1000) > 1e-3)
		fail_msg("close node=S2 (a lane vertex): %zu of %zu chain arcs through it still open; route A->B %.1f km, "
		         "expected the direct 1000 km link",
		         open, nchain, km);
}

/* Regression (found by this test, fixed in mr_scenario.c): a statement with two targets where the syntax gives alternatives is accepted
 * and one of them silently ignored. docs/scenarios.md: dwell/fee take "optionally `border=ID,...`
 * or `country=ISO3`", sailings "`link=ID,...` or `mode=M`"; close/open reject two targets. So
 * `fee border=b-irn-aze-astara country=RUS usd=5` (a border that does not even touch RUS) sets
 * the Astara fee, and `sailings link=ferry-baz-asf mode=rail per_week=2` changes a ferry.
 * Expected MR_EPARSE at line 1 naming the statement; actual MR_OK. */
static void test_regression_two_targets(void **state)
{
	(void)state;
	check_bad("dwell border=b-irn-aze-astara country=IRN hours=5", strlen("dwell border=b-irn-aze-astara country=IRN hours=5"), MR_EPARSE, 1, "dwell");
	check_bad("fee border=b-irn-aze-astara country=RUS usd=5", strlen("fee border=b-irn-aze-astara country=RUS usd=5"), MR_EPARSE, 1, "fee");
	check_bad("sailings link=ferry-baz-asf mode=rail per_week=2", strlen("sailings link=ferry-baz-asf mode=rail per_week=2"), MR_EPARSE, 1, "sailings");
}

/* Regression (found by this test, fixed in mr_scenario.c): numbers go through strtod unchecked, so hexadecimal is accepted:
 * `dwell hours=0x10` is 16 hours, `tariff factor=0x1p1` is 2. docs/scenarios.md: "numbers are
 * plain decimals (`0.5`, `72`)". Expected MR_EPARSE naming the field; actual MR_OK. */
static void test_regression_hex_numbers(void **state)
{
	(void)state;
	check_bad("dwell hours=0x10", strlen("dwell hours=0x10"), MR_EPARSE, 1, "hours");
	check_bad("tariff factor=0x1p1", strlen("tariff factor=0x1p1"), MR_EPARSE, 1, "factor");
}

/* Regression (found by this test, fixed in mr_scenario.c): fixed buffers cut long lists silently. (a) check_list (dwell, fee, sailings,
 * delay, speed) copies the list into 1024 bytes, so a list of valid links longer than that fails
 * with MR_ENOTFOUND naming a cut name ("link 'rail-asf-' is not in the network"); close/open
 * give MR_ELIMIT for the same list. Expected MR_OK or MR_ELIMIT; actual MR_ENOTFOUND.
 * (b) the parser checks the codes of `close country=` in a 256-byte copy, so a bad code past
 * the 64th is not a parse error (exit 1) but MR_ENOTFOUND at application. Expected MR_EPARSE
 * field country; actual MR_OK from the parser. */
static void test_regression_long_lists(void **state)
{
	char text[2048];
	mr_src src;
	mr_net net;
	mr_scenario *s;
	mr_scenario_net sn;
	mr_error e;
	int i, rc;
	(void)state;
	read_src(&src);
	build(&src, &net);
	mr_src_free(&src);
	strcpy(text, "delay link=");
	for (i = 0; i < 90; i++)
		strcat(text, "rail-asf-mow,");
	strcat(text, "rail-asf-mow hours=1");
	s = parse_ok("long.scn", text);
	memset(&e, 0, sizeof(e));
	rc = mr_scenario_apply(&net, &s, 1, &sn, &e);
	mr_scenario_net_free(&sn);
	mr_scenario_free(s);
	mr_net_free(&net);

	strcpy(text, "close country=");
	for (i = 0; i < 64; i++)
		strcat(text, "IRN,");
	strcat(text, "ir1");
	check_bad(text, strlen(text), MR_EPARSE, 1, "country");
	if (rc != MR_OK && rc != MR_ELIMIT) /* (a), after (b) so that both are seen */
		fail_msg("a list of 91 valid links (1200 characters): %s (%s)", mr_errname(rc), e.msg);
}

/* ---- 5. allocation failure ---- */

static long fail_at = -1, nallocs;

static void *failing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	if (nallocs++ == fail_at)
		return NULL;
	return realloc(ptr, nsize);
}

static void test_alloc_failure(void **state)
{
	/* more than 8 statements, so that the statement array grows */
	static const char text[] = "description = many statements\nsource = here\n# c\n"
	                           "close passage=suez\nclose country=AZE,EGY\nclose node=IR_AST\n"
	                           "open node=IR_AST\nopen country=EGY\ntariff mode=rail factor=1.2\n"
	                           "emissions factor=0.9\ndwell country=IRN hours=5\nfee usd=3\n"
	                           "sailings mode=ferry factor=2\ndelay link=rail-asf-mow hours=3\n"
	                           "speed link=rail-asf-mow kmh=70\nvot usd_per_h=12\nclose country=RUS\n"
	                           "open country=RUS\n";
	mr_src src;
	mr_net net;
	mr_scenario *s = NULL, *two[2];
	mr_scenario_net sn;
	mr_error e;
	long k, failures = 0;
	int rc;
	(void)state;

	mr_set_allocator(failing_alloc, NULL);
	for (k = 0; k < 10000; k++) {
		fail_at = k;
		nallocs = 0;
		memset(&e, 0, sizeof(e));
		s = (mr_scenario *)&s;
		rc = mr_scenario_parse("dir/alloc.scn", text, sizeof(text) - 1, &s, &e);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_int_equal(e.code, MR_ENOMEM);
		assert_null(s);
		failures++;
	}
	fail_at = -1;
	assert_int_equal(rc, MR_OK);
	assert_true(failures >= 5);
	assert_int_equal(mr_scenario_nops(s), 15);
	print_message("parse: %ld allocation failures handled\n", failures);

	/* a failing allocation inside a bad text: still the error, or ENOMEM */
	for (k = 0; k < 100; k++) {
		mr_scenario *b = NULL;
		fail_at = k;
		nallocs = 0;
		memset(&e, 0, sizeof(e));
		rc = mr_scenario_parse("bad.scn", "close link=a\nclose link=b\nfrob", 30, &b, &e);
		assert_true(rc == MR_ENOMEM || rc == MR_EPARSE);
		assert_null(b);
		if (rc == MR_EPARSE)
			break;
	}
	fail_at = -1;
	mr_set_allocator(NULL, NULL);

	read_src(&src);
	build(&src, &net);
	mr_src_free(&src);
	two[0] = s;
	two[1] = parse_ok("b.scn", "close country=IRN\nopen country=IRN\nclose country=TUR\n");
	mr_set_allocator(failing_alloc, NULL);
	for (failures = 0, k = 0; k < 10000; k++) {
		fail_at = k;
		nallocs = 0;
		memset(&e, 0, sizeof(e));
		rc = mr_scenario_apply(&net, two, 2, &sn, &e);
		if (rc == MR_OK)
			break;
		assert_int_equal(rc, MR_ENOMEM);
		assert_int_equal(e.code, MR_ENOMEM);
		assert_null(sn.arcs_);
		assert_null(sn.links_);
		assert_null(sn.borders_);
		failures++;
	}
	fail_at = -1;
	mr_set_allocator(NULL, NULL);
	assert_int_equal(rc, MR_OK);
	assert_true(failures >= 5);
	assert_true(sn.vot_usd_per_h == 12);
	print_message("apply: %ld allocation failures handled\n", failures);
	mr_scenario_net_free(&sn);
	mr_scenario_free(two[0]);
	mr_scenario_free(two[1]);
	mr_net_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_nul),
		cmocka_unit_test(test_parse_bad_name),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_read_files),
		cmocka_unit_test(test_apply_errors),
		cmocka_unit_test(test_equivalence),
		cmocka_unit_test(test_vot),
		cmocka_unit_test(test_close_nodes_countries),
		cmocka_unit_test(test_route_suez_closed),
		cmocka_unit_test(test_route_mixed),
		cmocka_unit_test(test_chain_equivalence),
		cmocka_unit_test(test_alloc_failure),
		/* cases that fail until the engine is fixed (see each comment) */
		cmocka_unit_test(test_regression_close_lane_vertex),
		cmocka_unit_test(test_regression_two_targets),
		cmocka_unit_test(test_regression_hex_numbers),
		cmocka_unit_test(test_regression_long_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
