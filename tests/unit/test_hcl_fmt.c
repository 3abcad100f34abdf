/*
 * Unit tests of the formatter: the input/expected pairs of
 * tests/data/hcl/fmt (NAME.in.tf formats to NAME.out.tf; the expected files
 * were produced by terraform fmt 1.11, with gitfleet's one final newline),
 * idempotency, every module of tests/data/hcl/modules being already
 * canonical and free of syntax errors, and syntax errors refusing to format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/ast.h"
#include "hcl/fmt.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
	gf_buf b;
	gf_buf_init(&b, 1 << 22);
	if (gf_fs_read(&b, path) != 0)
		fail_msg("cannot read %s: %s", path, gf_err_msg());
	*len = b.len;
	return gf_buf_detach(&b);
}

static char *format(const char *name, const char *src, size_t len, size_t *out_len)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	char *out = NULL;
	if (hcl_fmt(&out, out_len, name, src, len, &d) != 0)
		fail_msg("%s: does not format: %s", name, d.list.items[0].summary);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
	return out;
}

static char *data_path(const char *rel)
{
	const char *data = getenv("GF_TEST_DATA");
	assert_non_null(data);
	return gf_path_join(data, rel);
}

static void test_fmt_pairs(void **state)
{
	char *dir = data_path("hcl/fmt");
	DIR *dh = opendir(dir);
	assert_non_null(dh);
	int pairs = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		if (!gf_str_has_suffix(de->d_name, ".in.tf"))
			continue;
		char *in_path = gf_path_join(dir, de->d_name);
		char *want_path = gf_xasprintf("%.*s.out.tf",
		                               (int)(strlen(in_path) - strlen(".in.tf")), in_path);
		size_t in_len, want_len, got_len, again_len;
		char *in = read_file(in_path, &in_len);
		char *want = read_file(want_path, &want_len);
		char *got = format(de->d_name, in, in_len, &got_len);
		if (got_len != want_len || memcmp(got, want, got_len) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", de->d_name, got, want);
		char *again = format(de->d_name, got, got_len, &again_len);
		assert_int_equal(again_len, got_len);
		assert_memory_equal(again, got, got_len);
		free(again);
		free(got);
		free(want);
		free(in);
		free(want_path);
		free(in_path);
		pairs++;
	}
	closedir(dh);
	free(dir);
	assert_true(pairs >= 10);
}

/* Every module file parses without errors and is already canonical. */
static void check_module_dir(const char *dir, int *files)
{
	DIR *dh = opendir(dir);
	assert_non_null(dh);
	struct dirent *de;
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = gf_path_join(dir, de->d_name);
		if (gf_fs_is_dir(path)) {
			check_module_dir(path, files);
		} else if (gf_str_has_suffix(de->d_name, ".tf") ||
		           gf_str_has_suffix(de->d_name, ".tfvars")) {
			size_t len, out_len;
			char *src = read_file(path, &len);
			gf_arena a;
			gf_arena_init(&a);
			hcl_diags d;
			hcl_diags_init(&d, &a);
			hcl_parse_file(path, src, len, &a, &d);
			if (d.list.len)
				fail_msg("%s: %s at line %d", path, d.list.items[0].summary,
				         d.list.items[0].subject.start.line);
			char *out = format(path, src, len, &out_len);
			if (out_len != len || memcmp(out, src, len) != 0)
				fail_msg("%s is not fmt-stable; fmt gives:\n%s", path, out);
			free(out);
			free(src);
			hcl_diags_dispose(&d);
			gf_arena_dispose(&a);
			(*files)++;
		}
		free(path);
	}
	closedir(dh);
}

static void test_fmt_modules_stable(void **state)
{
	char *dir = data_path("hcl/modules");
	int files = 0;
	check_module_dir(dir, &files);
	free(dir);
	assert_true(files >= 7);
}

static void check_fmt(const char *in, const char *want)
{
	size_t n;
	char *got = format("t.tf", in, strlen(in), &n);
	if (strcmp(got, want) != 0)
		fail_msg("fmt [%s]\n  got  [%s]\n  want [%s]", in, got, want);
	free(got);
}

static void test_fmt_small(void **state)
{
	check_fmt("", "");
	check_fmt("\n\n", "");
	check_fmt("a=1", "a = 1\n");
	check_fmt("a=1\r\n", "a = 1\r\n");
	check_fmt("a = 1 # c", "a = 1 # c\n");
	check_fmt("x{\n}\n", "x {\n}\n");
	check_fmt("x  \"a\"   {}\n", "x \"a\" {}\n");
	check_fmt("b { a = 1 }\n", "b { a = 1 }\n");
	check_fmt("a = \"${x}\"\n", "a = x\n");
	check_fmt("resource a \"b\\\"c\" {}\n", "resource \"a\" \"b\\\"c\" {}\n");
}

static void test_fmt_refuses_errors(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	char *out = NULL;
	size_t n = 0;
	assert_int_equal(hcl_fmt(&out, &n, "bad.tf", "a = \n", 5, &d), GF_EINVALID);
	assert_null(out);
	assert_true(hcl_diags_has_errors(&d));
	assert_string_equal(d.list.items[0].summary, "Invalid expression");
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fmt_pairs),
	        cmocka_unit_test(test_fmt_modules_stable),
	        cmocka_unit_test(test_fmt_small),
	        cmocka_unit_test(test_fmt_refuses_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
