/* test_csv.c: unit tests of the RFC 4180 CSV row reader (src/io/mr_csv.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/mr_csv.h"

/* Open a reader on a string (without its NUL). */
static void open_str(mr_csv *c, const char *s, int flags)
{
	mr_error e;
	assert_int_equal(mr_csv_open_mem(c, s, strlen(s), "mem.csv", flags, &e), MR_OK);
}

/* Expect the next row to be exactly the given fields (NULL-terminated list) at line `line`. */
static void expect_row(mr_csv *c, long line, ...)
{
	mr_error e;
	va_list ap;
	const char *want;
	size_t i = 0;

	mr_error_clear(&e);
	assert_int_equal(mr_csv_next(c, &e), 1);
	assert_int_equal(c->row_line, line);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL) {
		assert_true(i < mr_csv_nfields(c));
		assert_string_equal(mr_csv_field(c, i), want);
		i++;
	}
	va_end(ap);
	assert_int_equal(mr_csv_nfields(c), i);
}

static void expect_end(mr_csv *c)
{
	mr_error e;
	assert_int_equal(mr_csv_next(c, &e), 0);
	assert_int_equal(mr_csv_next(c, &e), 0);
}

static void test_simple(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "a,b,c\n1,2,3\n", 0);
	expect_row(&c, 1, "a", "b", "c", NULL);
	expect_row(&c, 2, "1", "2", "3", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_empty_fields_and_no_final_newline(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, ",x,\n,,\nlast", 0);
	expect_row(&c, 1, "", "x", "", NULL);
	expect_row(&c, 2, "", "", "", NULL);
	expect_row(&c, 3, "last", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_quotes(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"multi\nline\",x\nnext,\"\"\"\"\n", 0);
	expect_row(&c, 1, "a,b", "say \"hi\"", "", NULL);
	assert_true(mr_csv_quoted(&c, 0));
	assert_true(mr_csv_quoted(&c, 2));
	expect_row(&c, 2, "multi\nline", "x", NULL);
	assert_false(mr_csv_quoted(&c, 1));
	/* the quoted line end counts: this row starts on line 4 */
	expect_row(&c, 4, "next", "\"", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_crlf_and_bom(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c\r\n", 0);
	expect_row(&c, 1, "id", "name", NULL);
	expect_row(&c, 2, "1", "a\r\nb", NULL);
	expect_row(&c, 4, "2", "c", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_bom_only_at_start(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "x\n\xEF\xBB\xBFy\n", 0);
	expect_row(&c, 1, "x", NULL);
	expect_row(&c, 2, "\xEF\xBB\xBFy", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_comments_and_blank_lines(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "# a comment, with \"quotes\n\nid,v\n  \t \n# another\r\n1,2\n\n", MR_CSV_SKIP_COMMENTS);
	expect_row(&c, 3, "id", "v", NULL);
	expect_row(&c, 6, "1", "2", NULL);
	expect_end(&c);
	mr_csv_close(&c);
	/* without the flag, the same lines are rows */
	open_str(&c, "#x\n\nid\n", 0);
	expect_row(&c, 1, "#x", NULL);
	expect_row(&c, 2, "", NULL);
	expect_row(&c, 3, "id", NULL);
	expect_end(&c);
	mr_csv_close(&c);
	/* a '#' not at the start of a line is data; a quoted empty line is a row */
	open_str(&c, " #x,1\n\"\"\n", MR_CSV_SKIP_COMMENTS);
	expect_row(&c, 1, " #x", "1", NULL);
	expect_row(&c, 2, "", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_lone_cr(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "a\rb\r\rc", 0);
	expect_row(&c, 1, "a", NULL);
	expect_row(&c, 2, "b", NULL);
	expect_row(&c, 3, "", NULL);
	expect_row(&c, 4, "c", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_char_after_closing_quote(void **state)
{
	mr_csv c;
	mr_error e;
	(void)state;
	open_str(&c, "a,b\n1,\"x\"y,3\n2,z\n", 0);
	expect_row(&c, 1, "a", "b", NULL);
	mr_error_clear(&e);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	assert_int_equal(e.code, MR_EPARSE);
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 2);
	assert_string_equal(e.file, "mem.csv");
	assert_non_null(strstr(e.msg, "'y' after a closing quote"));
	/* reading goes on with the next line */
	expect_row(&c, 3, "2", "z", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_quote_in_unquoted_field(void **state)
{
	mr_csv c;
	mr_error e;
	(void)state;
	open_str(&c, "ab\"c,d\nok\n", 0);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	assert_int_equal(e.line, 1);
	assert_int_equal(e.column, 1);
	assert_non_null(strstr(e.msg, "quote inside an unquoted field"));
	expect_row(&c, 2, "ok", NULL);
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_unterminated_quote(void **state)
{
	mr_csv c;
	mr_error e;
	(void)state;
	open_str(&c, "a\n1,\"open\n2,3\n", 0);
	expect_row(&c, 1, "a", NULL);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 2);
	assert_non_null(strstr(e.msg, "unterminated quoted field"));
	expect_end(&c);
	mr_csv_close(&c);
}

static void test_nul_byte(void **state)
{
	static const char data[] = "a,b\n1,x\0y\n3,4\n";
	mr_csv c;
	mr_error e;
	(void)state;
	assert_int_equal(mr_csv_open_mem(&c, data, sizeof(data) - 1, "nul.csv", 0, &e), MR_OK);
	expect_row(&c, 1, "a", "b", NULL);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "NUL byte"));
	/* a NUL ends the file */
	expect_end(&c);
	mr_csv_close(&c);
	/* also inside quotes and in a comment */
	assert_int_equal(mr_csv_open_mem(&c, "\"a\0\"", 4, "nul.csv", 0, &e), MR_OK);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	mr_csv_close(&c);
	assert_int_equal(mr_csv_open_mem(&c, "#\0\nx\n", 5, "nul.csv", MR_CSV_SKIP_COMMENTS, &e), MR_OK);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	expect_end(&c);
	mr_csv_close(&c);
}

static char *make_row(size_t payload, const char *tail)
{
	size_t tl = strlen(tail);
	char *s = malloc(payload + tl + 1);
	assert_non_null(s);
	memset(s, 'x', payload);
	memcpy(s + payload, tail, tl + 1);
	return s;
}

static void test_row_limit(void **state)
{
	mr_csv c;
	mr_error e;
	char *s;
	(void)state;
	/* exactly MR_CSV_MAX_ROW bytes before the line end: accepted */
	s = make_row(MR_CSV_MAX_ROW, "\nnext\n");
	open_str(&c, s, 0);
	assert_int_equal(mr_csv_next(&c, &e), 1);
	assert_int_equal(strlen(mr_csv_field(&c, 0)), MR_CSV_MAX_ROW);
	expect_row(&c, 2, "next", NULL);
	mr_csv_close(&c);
	free(s);
	/* one byte more: an error, and the reader goes on with the next row */
	s = make_row(MR_CSV_MAX_ROW + 1, "\nnext\n");
	open_str(&c, s, 0);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	assert_int_equal(e.line, 1);
	assert_non_null(strstr(e.msg, "longer than 65536"));
	expect_row(&c, 2, "next", NULL);
	expect_end(&c);
	mr_csv_close(&c);
	free(s);
	/* a long quoted field with line ends inside: the row still ends where the quote closes */
	s = make_row(MR_CSV_MAX_ROW, "\"\nnext\n");
	s[0] = '"';
	s[100] = '\n';
	open_str(&c, s, 0);
	assert_int_equal(mr_csv_next(&c, &e), MR_EPARSE);
	expect_row(&c, 3, "next", NULL);
	mr_csv_close(&c);
	free(s);
}

static void test_many_fields(void **state)
{
	mr_csv c;
	char buf[4096];
	size_t i, n = 0;
	mr_error e;
	(void)state;
	for (i = 0; i < 500; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%zu", i ? "," : "", i);
	open_str(&c, buf, 0);
	assert_int_equal(mr_csv_next(&c, &e), 1);
	assert_int_equal(mr_csv_nfields(&c), 500);
	assert_string_equal(mr_csv_field(&c, 0), "0");
	assert_string_equal(mr_csv_field(&c, 499), "499");
	mr_csv_close(&c);
}

static void test_file_across_buffer(void **state)
{
	char path[] = "/tmp/mr_test_csv_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;
	mr_csv c;
	mr_error e;
	long i;
	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("\xEF\xBB\xBFid,text\r\n", fp);
	for (i = 0; i < 5000; i++)
		fprintf(fp, "%ld,\"row %ld, with \"\"quotes\"\"\"\r\n", i, i);
	fclose(fp);
	assert_int_equal(mr_csv_open(&c, path, 0, &e), MR_OK);
	expect_row(&c, 1, "id", "text", NULL);
	for (i = 0; i < 5000; i++) {
		char id[32], text[64];
		snprintf(id, sizeof(id), "%ld", i);
		snprintf(text, sizeof(text), "row %ld, with \"quotes\"", i);
		expect_row(&c, i + 2, id, text, NULL);
	}
	expect_end(&c);
	mr_csv_close(&c);
	unlink(path);
}

static void test_open_missing(void **state)
{
	mr_csv c;
	mr_error e;
	(void)state;
	mr_error_clear(&e);
	assert_int_equal(mr_csv_open(&c, "/nonexistent/dir/x.csv", 0, &e), MR_ENOTFOUND);
	assert_string_equal(e.file, "/nonexistent/dir/x.csv");
	mr_csv_close(&c); /* a failed open leaves a zeroed reader */
}

static void test_empty_input(void **state)
{
	mr_csv c;
	(void)state;
	open_str(&c, "", 0);
	expect_end(&c);
	mr_csv_close(&c);
	open_str(&c, "\xEF\xBB\xBF", MR_CSV_SKIP_COMMENTS);
	expect_end(&c);
	mr_csv_close(&c);
}

/* Failing allocator: fails every allocation after `left` successes. */
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
	long budget;
	int ok = 0;
	char *s = make_row(5000, "\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\n");
	(void)state;
	for (budget = 0; budget < 100 && !ok; budget++) {
		mr_csv c;
		mr_error e;
		int rc, rows = 0;
		alloc_left = budget;
		mr_set_allocator(failing_alloc, NULL);
		rc = mr_csv_open_mem(&c, s, strlen(s), "m.csv", 0, &e);
		if (rc == MR_OK) {
			while ((rc = mr_csv_next(&c, &e)) == 1)
				rows++;
			mr_csv_close(&c);
		}
		mr_set_allocator(NULL, NULL);
		assert_true(rc == 0 || rc == MR_ENOMEM);
		ok = rc == 0 && rows == 2;
	}
	assert_true(ok);
	assert_true(budget > 3); /* some runs did fail */
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_empty_fields_and_no_final_newline),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_bom_only_at_start),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_char_after_closing_quote),
		cmocka_unit_test(test_quote_in_unquoted_field),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_row_limit),
		cmocka_unit_test(test_many_fields),
		cmocka_unit_test(test_file_across_buffer),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
