/* test_malformed.c: runs the network reader (and the checks) on every case folder in
 * tests/malformed/ and compares the first error, as mr_error_format prints it, with the case's
 * `expected` file. Each case has exactly one defect, so exactly one error is expected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meridian/mr_io.h"

typedef struct capture {
	char first[1024];
	size_t errors;
} capture;

static void on_diag(void *ud, int severity, const mr_error *e)
{
	capture *cap = ud;
	if (severity != MR_ERROR)
		return;
	if (cap->errors++ == 0)
		mr_error_format(e, cap->first, sizeof(cap->first));
}

static void run_case(void **state)
{
	const char *name = *state;
	char path[512], want[1024];
	FILE *fp;
	mr_src src;
	mr_error first;
	mr_diag_counts counts;
	capture cap;
	int rc;

	snprintf(path, sizeof(path), "%s/expected", name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(want, sizeof(want), fp));
	fclose(fp);
	want[strcspn(want, "\r\n")] = '\0';
	/* the expected line names the file relative to tests/malformed */
	assert_int_equal(strncmp(want, name, strlen(name)), 0);
	assert_int_equal(want[strlen(name)], '/');

	memset(&cap, 0, sizeof(cap));
	rc = mr_csvnet_read(name, &src, on_diag, &cap, &counts, &first);
	if (rc == MR_OK) {
		/* the defect is one that only the checks find */
		mr_src_check(&src, on_diag, &cap, &counts);
		mr_src_free(&src);
		assert_int_equal(counts.errors, 1);
	} else {
		char buf[1024];
		assert_true(rc == MR_EPARSE || rc == MR_EIO);
		/* on failure the source is freed (zeroed) and first_err is the first error */
		assert_null(src.nodes);
		assert_null(src.links);
		assert_int_equal(src.nnodes, 0);
		mr_error_format(&first, buf, sizeof(buf));
		assert_string_equal(buf, cap.first);
		assert_int_equal(counts.errors, 1);
	}
	assert_int_equal(cap.errors, 1);
	assert_string_equal(cap.first, want);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	struct CMUnitTest *tests;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *d;
	struct dirent *de;
	int rc;

	if (chdir(MR_SOURCE_DIR "/tests/malformed") != 0) {
		perror(MR_SOURCE_DIR "/tests/malformed");
		return 1;
	}
	d = opendir(".");
	if (!d) {
		perror("opendir");
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char exp[512];
		if (de->d_name[0] == '.')
			continue;
		snprintf(exp, sizeof(exp), "%s/expected", de->d_name);
		if (stat(de->d_name, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (stat(exp, &st) != 0) {
			fprintf(stderr, "case %s has no expected file\n", de->d_name);
			closedir(d);
			return 1;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				return 1;
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n < 25) {
		fprintf(stderr, "only %zu malformed cases (at least 25 expected)\n", n);
		return 1;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	tests = calloc(n, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = run_case;
		tests[i].initial_state = names[i];
	}
	rc = _cmocka_run_group_tests("malformed", tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
