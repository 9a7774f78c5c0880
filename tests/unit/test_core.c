/* test_core.c: errors, allocator hook, vectors, string table, geodesy and progress formatting. */
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
#include "core/mr_geo.h"
#include "core/mr_progress.h"
#include "core/mr_strtab.h"
#include "core/mr_vec.h"

static void test_errors(void **state)
{
	mr_error e;
	char buf[600];
	(void)state;
	assert_int_equal(MR_ENOMEM, -1);
	assert_string_equal(mr_strerror(MR_OK), "success");
	assert_string_equal(mr_strerror(MR_ENOROUTE), "no route");
	assert_string_equal(mr_errname(MR_EPARSE), "PARSE");
	assert_string_equal(mr_strerror(-1000), "unknown error");
	assert_int_equal(mr_exit_status(MR_ENOROUTE), 3);
	assert_int_not_equal(mr_exit_status(MR_ENOROUTE), mr_exit_status(MR_ENOTFOUND));
	assert_int_equal(mr_exit_status(MR_OK), 0);

	assert_int_equal(mr_error_set(&e, MR_EPARSE, "net/link.csv", 4, 6, "length_km", "negative length %g", -3.0),
	                 MR_EPARSE);
	mr_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "net/link.csv:4:6: field 'length_km': negative length -3");
	mr_error_set(&e, MR_EIO, "x.mnet", 0, 0, NULL, NULL);
	mr_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "x.mnet: input/output error");
	mr_error_format(&e, buf, 4);
	assert_string_equal(buf, "x.m");
	assert_int_equal(mr_error_set(NULL, MR_EINVAL, NULL, 0, 0, NULL, NULL), MR_EINVAL);
}

static int fail_after = -1, allocs;
static void *counting_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	if (fail_after >= 0 && allocs++ >= fail_after)
		return NULL;
	return realloc(ptr, nsize);
}

static void test_allocator_and_vec(void **state)
{
	MR_VEC(int) v = {0};
	int i, rc = MR_OK;
	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(mr_vec_push(&v, i * 3), MR_OK);
	assert_int_equal(v.n, 1000);
	assert_true(v.cap >= 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(v.v[i], i * 3);
	mr_vec_free(&v);
	assert_null(v.v);

	/* A failing hook: the push reports MR_ENOMEM and the vector keeps what it had. */
	mr_set_allocator(counting_alloc, NULL);
	fail_after = 1;
	allocs = 0;
	for (i = 0; i < 100 && rc == MR_OK; i++)
		rc = mr_vec_push(&v, i);
	assert_int_equal(rc, MR_ENOMEM);
	assert_int_equal(v.n, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(v.v[i], i);
	mr_vec_free(&v);
	assert_null(mr_strdup("abc"));
	mr_set_allocator(NULL, NULL);
	fail_after = -1;
	{
		char *s = mr_strndup("abcdef", 3);
		assert_string_equal(s, "abc");
		mr_free(s);
	}
	assert_null(mr_calloc((size_t)-1, 16));
}

static void test_strtab(void **state)
{
	mr_strtab t;
	uint32_t a, b, c, e;
	char key[32];
	int i;
	(void)state;
	assert_int_equal(mr_strtab_init(&t), MR_OK);
	assert_int_equal(mr_strtab_add(&t, "", &e), MR_OK);
	assert_int_equal(e, 0);
	assert_int_equal(mr_strtab_add(&t, "Moscow", &a), MR_OK);
	assert_int_equal(mr_strtab_add(&t, "Baku", &b), MR_OK);
	assert_int_equal(mr_strtab_add(&t, "Moscow", &c), MR_OK);
	assert_int_equal(a, c);
	assert_int_not_equal(a, b);
	assert_string_equal(mr_strtab_get(&t, b), "Baku");
	assert_int_equal(mr_strtab_find(&t, "Tehran"), UINT32_MAX);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(mr_strtab_add(&t, key, &c), MR_OK);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		c = mr_strtab_find(&t, key);
		assert_int_not_equal(c, UINT32_MAX);
		assert_string_equal(mr_strtab_get(&t, c), key);
	}
	assert_int_equal(mr_strtab_find(&t, "Moscow"), a);
	mr_strtab_free(&t);
}

static void test_geo(void **state)
{
	double a[3], b[3], d, chord;
	(void)state;
	/* JFK - Singapore Changi, the example of PROJ's geodesic documentation: 15,347.6 km. */
	d = mr_geo_distance_km(-73.78, 40.64, 103.99, 1.36);
	assert_true(fabs(d - 15347.6) < 0.5);
	/* One degree of longitude on the equator: 111.319 km. */
	assert_true(fabs(mr_geo_distance_km(0, 0, 1, 0) - 111.3195) < 0.001);
	assert_true(mr_geo_distance_km(10, 10, 10, 10) == 0.0);
	mr_geo_ecef_km(-73.78, 40.64, a);
	mr_geo_ecef_km(103.99, 1.36, b);
	chord = mr_geo_chord_km(a, b);
	assert_true(chord < d);
	assert_true(chord > 0.6 * d);
	mr_geo_ecef_km(0, 90, a);
	assert_true(fabs(a[2] - 6356.752) < 0.001);
	assert_true(mr_geo_valid(180, -90));
	assert_false(mr_geo_valid(180.01, 0));
	assert_false(mr_geo_valid(0, NAN));
}

static void test_progress(void **state)
{
	char buf[200];
	mr_progress p;
	(void)state;
	mr_progress_format(buf, sizeof(buf), "build", 50, 200, 10.0);
	assert_string_equal(buf, "build [#######.......................]  25.0% 50/200 5/s ETA 00:30");
	mr_progress_format(buf, sizeof(buf), "x", 0, 0, 0.0);
	assert_non_null(strstr(buf, "ETA --:--"));
	/* Not a TTY: silent. */
	{
		FILE *f = tmpfile();
		assert_non_null(f);
		mr_progress_start(&p, f, 0, "x", 10);
		mr_progress_update(&p, 5);
		mr_progress_finish(&p);
		assert_int_equal(ftell(f), 0);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_allocator_and_vec),
		cmocka_unit_test(test_strtab),
		cmocka_unit_test(test_geo),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
