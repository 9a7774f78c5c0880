/* test_net.c: virtual network expansion, the .mnet file round trip, and corrupted files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "meridian/mr_io.h"
#include "meridian/mr_net.h"
#include "meridian/mr_route.h"
#include "net/mr_file.h"

static char dir[256], mnet[300];

static void write_file(const char *name, const char *text)
{
	char path[400];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A: port with rail 1435 and road; C: gauge break and IRN-AZE border; E: end, reachable by rail
 * 1520 and road; F: planned link; G: island reached by ferry only. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mr_test_net_%ld", (long)getpid());
	mkdir(dir, 0755);
	write_file("node.csv", "node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases\n"
	                       "A,Alpha,50.0,25.0,port,IRN,IRAAA,\n"
	                       "B,Beta,51.0,27.0,city,IRN,,\n"
	                       "C,Gamma,51.5,29.0,border,IRN,,\n"
	                       "D,Delta,51.6,29.1,border,AZE,,\n"
	                       "E,Epsilon,52.0,31.0,city,AZE,AZEEE,\n"
	                       "F,Phi,50.5,24.0,city,IRN,,\n"
	                       "G,Gamma Island,49.0,24.5,port,IRN,,\n");
	write_file("link.csv", "link_id,from_node_id,to_node_id,directed,mode,length_km,gauge_mm,electrified,"
	                       "free_speed_kmh,capacity,status,tags,source,services_per_week,passage,toll_usd\n"
	                       "L1,A,B,0,rail,250,1435,0,,,open,t1,test,,,\n"
	                       "L2,B,C,0,rail,240,1435,0,,,open,t1,test,,,\n"
	                       "L3,C,D,0,rail,15,1520,0,,,open,t1,test,,,\n"
	                       "L4,D,E,0,rail,230,1520,0,,,open,t1,test,,,\n"
	                       "L5,A,E,0,road,800,,,80,,open,,test,,,\n"
	                       "L6,A,F,1,road,130,,,,,planned,,test,,,\n"
	                       "L7,A,G,0,ferry,120,,,20,,open,,test,7,strait-x,30\n");
	write_file("transfer.csv", "node_id,from_mode,to_mode,from_gauge_mm,to_gauge_mm,time_h,cost_usd,co2e_kg,directed,source\n"
	                           "C,rail,rail,1435,1520,12,150,5,0,test\n"
	                           "*,rail,road,1435,,3,50,2,0,test\n"
	                           "A,ferry,road,,,4,80,1,1,test\n");
	write_file("border.csv", "border_id,node_id,country_a,country_b,dwell_h,fee_usd,status,name,source\n"
	                         "BX,C,IRN,AZE,10,100,open,IRN-AZE Gamma,test\n");
	write_file("tariff.csv", "mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source\n"
	                         "rail,*,0.5,100,0.2,40,test\n"
	                         "rail,AZE,0.7,100,0.2,40,test\n"
	                         "road,*,1.2,50,0.9,60,test\n"
	                         "ferry,*,0.8,20,0.5,15,test\n");
	snprintf(mnet, sizeof(mnet), "%s/net.mnet", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void build(mr_net *net)
{
	mr_src src;
	mr_error e;
	memset(&src, 0, sizeof(src));
	mr_error_clear(&e);
	assert_int_equal(mr_csvnet_read(dir, &src, NULL, NULL, NULL, &e), MR_OK);
	assert_int_equal(mr_net_build(&src, net, &e), MR_OK);
	mr_src_free(&src);
}

static uint32_t node_by_id(const mr_net *net, const char *id)
{
	uint32_t i;
	for (i = 0; i < net->meta.nnodes; i++)
		if (strcmp(mr_net_str(net, net->nodes[i].id), id) == 0)
			return i;
	fail_msg("no node %s", id);
	return MR_NONE;
}

static uint32_t vnode(const mr_net *net, const char *id, int mode, int gauge)
{
	const mr_node_rec *n = &net->nodes[node_by_id(net, id)];
	uint32_t v;
	for (v = n->first_vnode; v < n->first_vnode + n->nvnodes; v++)
		if (net->vnodes[v].mode == mode && net->vnodes[v].gauge_mm == gauge)
			return v;
	return MR_NONE;
}

static const mr_arc_rec *arc_between(const mr_net *net, uint32_t u, uint32_t v)
{
	uint32_t a;
	for (a = net->g.first_out[u]; a < net->g.first_out[u + 1]; a++)
		if (net->g.head[a] == v)
			return &net->arcs[a];
	return NULL;
}

static void test_expansion(void **state)
{
	mr_net net;
	const mr_arc_rec *a;
	uint32_t c1435, c1520, d1520, a_rail, a_road, a_ferry, b_rail;
	(void)state;
	build(&net);
	assert_int_equal(net.meta.nnodes, 7);
	/* A: ferry, rail 1435, road; B: rail; C: rail 1435, rail 1520; D: rail; E: rail, road; F: road;
	 * G: ferry. */
	assert_int_equal(net.meta.nvnodes, 3 + 1 + 2 + 1 + 2 + 1 + 1);
	c1435 = vnode(&net, "C", MR_MODE_RAIL, 1435);
	c1520 = vnode(&net, "C", MR_MODE_RAIL, 1520);
	d1520 = vnode(&net, "D", MR_MODE_RAIL, 1520);
	a_rail = vnode(&net, "A", MR_MODE_RAIL, 1435);
	a_road = vnode(&net, "A", MR_MODE_ROAD, 0);
	a_ferry = vnode(&net, "A", MR_MODE_FERRY, 0);
	b_rail = vnode(&net, "B", MR_MODE_RAIL, 1435);
	assert_int_not_equal(c1435, MR_NONE);
	assert_int_not_equal(c1520, MR_NONE);
	assert_int_equal(vnode(&net, "B", MR_MODE_ROAD, 0), MR_NONE);

	/* Link arc A-B rail in IRN: 250 km at 40 km/h, 0.5 USD and 0.2 kg per km. */
	a = arc_between(&net, a_rail, b_rail);
	assert_non_null(a);
	assert_true(fabs(a->distance_km - 250) < 1e-4);
	assert_true(fabs(a->time_h - 6.25) < 1e-4);
	assert_true(fabs(a->cost_usd - 125) < 1e-4);
	assert_true(fabs(a->co2e_kg - 50) < 1e-4);
	assert_int_equal(a->border, MR_NONE);
	/* C-D crosses IRN-AZE: half the length at each country's rate, plus border dwell and fee. */
	a = arc_between(&net, c1520, d1520);
	assert_non_null(a);
	assert_true(fabs(a->cost_usd - (7.5 * 0.5 + 7.5 * 0.7 + 100)) < 1e-3);
	assert_true(fabs(a->time_h - (15.0 / 40 + 10)) < 1e-4);
	assert_int_equal(a->border, 0);
	/* Gauge break at C both ways (undirected rule), cost includes the 1520 leg's fixed fee. */
	a = arc_between(&net, c1435, c1520);
	assert_non_null(a);
	assert_int_equal(a->kind, MR_ARC_TRANSFER);
	assert_true(fabs(a->time_h - 12) < 1e-6);
	assert_true(fabs(a->cost_usd - 250) < 1e-4);
	assert_non_null(arc_between(&net, c1520, c1435));
	/* Default rail-road rule at A and E; directed ferry->road only at A; no rail-ferry rule. */
	assert_non_null(arc_between(&net, a_rail, a_road));
	assert_non_null(arc_between(&net, a_road, a_rail));
	assert_non_null(arc_between(&net, a_ferry, a_road));
	assert_null(arc_between(&net, a_road, a_ferry));
	assert_null(arc_between(&net, a_rail, a_ferry));
	/* Ferry: 120 km at 20 km/h plus half the headway of 7 sailings a week (12 h), toll 30. */
	a = arc_between(&net, a_ferry, vnode(&net, "G", MR_MODE_FERRY, 0));
	assert_non_null(a);
	assert_true(fabs(a->time_h - (6 + 12)) < 1e-4);
	assert_true(fabs(a->cost_usd - (120 * 0.8 + 30)) < 1e-3);
	/* Directed planned link: one arc, status planned. */
	a = arc_between(&net, a_road, vnode(&net, "F", MR_MODE_ROAD, 0));
	assert_non_null(a);
	assert_int_equal(a->status, MR_STATUS_PLANNED);
	assert_null(arc_between(&net, vnode(&net, "F", MR_MODE_ROAD, 0), a_road));
	/* Fixed fee on virtual nodes. */
	assert_true(fabs(net.vnodes[a_rail].fixed_usd - 100) < 1e-6);
	assert_true(fabs(net.vnodes[a_road].fixed_usd - 50) < 1e-6);
	/* Backward CSR mirrors the forward one. */
	{
		uint32_t v, b;
		for (v = 0; v < net.g.n; v++)
			for (b = net.g.first_in[v]; b < net.g.first_in[v + 1]; b++)
				assert_int_equal(net.g.head[net.g.in_arc[b]], v);
	}
	assert_int_equal(net.meta.ncountries, 2);
	assert_true(net.meta.astar_ratio[0] > 0.9 && net.meta.astar_ratio[0] <= 3.0);
	mr_net_free(&net);
}

static void test_roundtrip(void **state)
{
	mr_net net, back;
	mr_error e;
	(void)state;
	build(&net);
	mr_error_clear(&e);
	assert_int_equal(mr_net_write(&net, mnet, &e), MR_OK);
	assert_int_equal(mr_net_load(mnet, &back, &e), MR_OK);
	assert_int_equal(back.map_size, net.map_size);
	assert_memory_equal(back.map, net.map, net.map_size);
	assert_int_equal(back.meta.narcs, net.meta.narcs);
	assert_string_equal(mr_net_str(&back, back.nodes[4].name), "Epsilon");
	/* No temporary file is left beside it. */
	{
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q tmp", dir);
		assert_int_not_equal(system(cmd), 0);
	}
	mr_net_free(&back);
	mr_net_free(&net);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void test_corruption(void **state)
{
	mr_net net, back;
	mr_error e;
	char bad[400];
	uint8_t *copy;
	size_t i, n;
	(void)state;
	build(&net);
	n = net.map_size;
	copy = malloc(n);
	assert_non_null(copy);
	snprintf(bad, sizeof(bad), "%s/bad.mnet", dir);

	/* Truncated, at several lengths. */
	{
		size_t cuts[] = {0, 7, 8, 63, 64, 200, n / 2, n - 1};
		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			write_bytes(bad, net.map, cuts[i]);
			assert_int_equal(mr_net_load(bad, &back, &e), MR_ETRUNCATED);
			assert_non_null(strstr(e.msg, "truncated"));
		}
	}
	/* Wrong magic. */
	memcpy(copy, net.map, n);
	memcpy(copy, "PK\x03\x04xxxx", 8);
	write_bytes(bad, copy, n);
	assert_int_equal(mr_net_load(bad, &back, &e), MR_EBADMAGIC);
	/* Wrong version. */
	memcpy(copy, net.map, n);
	((mr_file_header *)copy)->version = MR_FILE_VERSION + 1;
	write_bytes(bad, copy, n);
	assert_int_equal(mr_net_load(bad, &back, &e), MR_EVERSION);
	assert_non_null(strstr(e.msg, "rebuild"));
	/* Other byte order. */
	memcpy(copy, net.map, n);
	((mr_file_header *)copy)->byte_order = 0x04030201u;
	write_bytes(bad, copy, n);
	assert_int_equal(mr_net_load(bad, &back, &e), MR_EVERSION);
	/* Trailing garbage. */
	{
		uint8_t *longer = calloc(1, n + 8);
		assert_non_null(longer);
		memcpy(longer, net.map, n);
		write_bytes(bad, longer, n + 8);
		assert_int_equal(mr_net_load(bad, &back, &e), MR_ECORRUPT);
		free(longer);
	}
	/* Every single flipped byte is caught (header fields by their own checks, the rest by the
	 * checksum), and none crashes. */
	for (i = 0; i < n; i++) {
		int rc;
		memcpy(copy, net.map, n);
		copy[i] ^= 0x5a;
		write_bytes(bad, copy, n);
		rc = mr_net_load(bad, &back, &e);
		if (rc == MR_OK)
			fail_msg("flipping byte %zu went unnoticed", i);
		assert_true(rc == MR_ECORRUPT || rc == MR_EBADMAGIC || rc == MR_EVERSION || rc == MR_ETRUNCATED);
	}
	/* A structurally bad image with a valid checksum is still refused (a forged file). */
	memcpy(copy, net.map, n);
	{
		const mr_file_section *sec = (const mr_file_section *)(copy + sizeof(mr_file_header));
		uint32_t *head = (uint32_t *)(copy + sec[MR_SEC_HEAD].offset);
		mr_file_header *h = (mr_file_header *)copy;
		head[0] = 1000000;
		h->checksum = mr__image_checksum(copy, n);
		write_bytes(bad, copy, n);
		assert_int_equal(mr_net_load(bad, &back, &e), MR_ECORRUPT);
		assert_non_null(strstr(e.msg, "out of range"));
	}
	/* Missing file, and a directory. */
	assert_int_equal(mr_net_load("/nonexistent/x.mnet", &back, &e), MR_EIO);
	assert_int_equal(mr_net_load(dir, &back, &e), MR_EIO);
	free(copy);
	mr_net_free(&net);
}

static void test_write_failure_keeps_old_file(void **state)
{
	mr_net net;
	mr_error e;
	char path[400];
	(void)state;
	build(&net);
	/* A path in a missing folder: clean error, nothing created. */
	snprintf(path, sizeof(path), "%s/missing/x.mnet", dir);
	assert_int_equal(mr_net_write(&net, path, &e), MR_EIO);
	assert_int_not_equal(access(path, F_OK), 0);
	mr_net_free(&net);
}

static void test_no_speed_is_an_error(void **state)
{
	mr_src src;
	mr_net net;
	mr_error e;
	(void)state;
	write_file("tariff.csv", "mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source\n"
	                         "rail,*,0.5,100,0.2,,test\n"
	                         "road,*,1.2,50,0.9,60,test\n"
	                         "ferry,*,0.8,20,0.5,15,test\n");
	memset(&src, 0, sizeof(src));
	assert_int_equal(mr_csvnet_read(dir, &src, NULL, NULL, NULL, &e), MR_OK);
	assert_int_equal(mr_net_build(&src, &net, &e), MR_EINVALID);
	assert_string_equal(e.field, "free_speed_kmh");
	assert_int_equal(e.line, 2);
	mr_src_free(&src);
	setup(NULL);
}

/* Several folders read as one network: links may name nodes of another folder, ids are global,
 * and messages name the folder a record came from. */
static void test_several_folders(void **state)
{
	char dir2[300], path[400];
	const char *dirs[2];
	mr_src src;
	mr_net net;
	mr_error e;
	mr_diag_counts counts;
	FILE *f;
	(void)state;
	snprintf(dir2, sizeof(dir2), "%s/second", dir);
	mkdir(dir2, 0755);
	snprintf(path, sizeof(path), "%s/node.csv", dir2);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases\nH,Eta,52.5,32.0,city,AZE,,\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/link.csv", dir2);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("link_id,from_node_id,to_node_id,mode,length_km,source,delay_h\nLH,E,H,road,140,test,2.5\n", f);
	fclose(f);
	dirs[0] = dir;
	dirs[1] = dir2;
	memset(&src, 0, sizeof(src));
	assert_int_equal(mr_csvnet_read_dirs(dirs, 2, &src, NULL, NULL, &counts, &e), MR_OK);
	assert_int_equal(src.nnodes, 8);
	assert_int_equal(src.ndirs, 2);
	assert_int_equal(src.links[src.nlinks - 1].dir, 1);
	assert_true(src.links[src.nlinks - 1].delay_h == 2.5);
	mr_src_path(&src, 1, "link", path, sizeof(path));
	assert_non_null(strstr(path, "second/link.csv"));
	assert_int_equal(mr_net_build(&src, &net, &e), MR_OK);
	assert_non_null(strstr(mr_net_str(&net, net.meta.build_source), " + "));
	/* 140 km at the road tariff's 60 km/h plus the 2.5 h delay. */
	{
		uint32_t a;
		int found = 0;
		for (a = 0; a < net.g.m; a++)
			if (net.arcs[a].kind == MR_ARC_LINK && strcmp(mr_net_str(&net, net.links[net.arcs[a].ref].id), "LH") == 0) {
				assert_true(fabs(net.arcs[a].time_h - (140.0 / 60 + 2.5)) < 1e-4);
				found = 1;
			}
		assert_true(found);
	}
	mr_net_free(&net);
	mr_src_free(&src);

	/* The same node id in two folders is an error that names the second folder. */
	snprintf(path, sizeof(path), "%s/node.csv", dir2);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases\nH,Eta,52.5,32.0,city,AZE,,\nA,Again,1,1,city,,,\n", f);
	fclose(f);
	assert_int_equal(mr_csvnet_read_dirs(dirs, 2, &src, NULL, NULL, &counts, &e), MR_EPARSE);
	assert_non_null(strstr(e.file, "second/node.csv"));
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.msg, "duplicate"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_write_failure_keeps_old_file),
		cmocka_unit_test(test_no_speed_is_an_error),
		cmocka_unit_test(test_several_folders),
	};
	return cmocka_run_group_tests_name("net", tests, setup, teardown);
}
