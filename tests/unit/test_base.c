/* Unit tests of src/base: buffers, arena, errors, strings, logging, files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_buf_append_and_cap(void **state)
{
	gf_buf b;
	gf_buf_init(&b, 8);
	assert_string_equal(gf_buf_cstr(&b), "");
	assert_int_equal(gf_buf_puts(&b, "abcd"), 0);
	assert_int_equal(gf_buf_printf(&b, "%d", 123), 0);
	assert_string_equal(b.ptr, "abcd123");
	/* Two more bytes would pass the cap of 8: refused, content unchanged. */
	assert_int_equal(gf_buf_puts(&b, "xy"), GF_ETOOBIG);
	assert_string_equal(b.ptr, "abcd123");
	assert_int_equal(gf_buf_putc(&b, '!'), 0);
	assert_int_equal(b.len, 8);
	gf_buf_consume(&b, 3);
	assert_string_equal(b.ptr, "d123!");
	char *s = gf_buf_detach(&b);
	assert_string_equal(s, "d123!");
	assert_null(b.ptr);
	free(s);
	s = gf_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

static void test_arena(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	char *s = gf_arena_strdup(&a, "hello");
	assert_string_equal(s, "hello");
	int *big = gf_arena_alloc(&a, 1 << 20);
	assert_int_equal(big[1000], 0);
	assert_true(((uintptr_t)big % _Alignof(max_align_t)) == 0);
	for (int i = 0; i < 10000; i++) {
		char *p = gf_arena_printf(&a, "n%d", i);
		assert_int_equal(p[0], 'n');
	}
	assert_string_equal(s, "hello");
	assert_true(a.total >= (1 << 20));
	gf_arena_dispose(&a);
	assert_null(a.head);
}

static void test_errors(void **state)
{
	assert_int_equal(gf_err_set(GF_ENOTFOUND, "no %s", "thing"), GF_ENOTFOUND);
	assert_string_equal(gf_err_msg(), "no thing");
	assert_int_equal(gf_err_code(), GF_ENOTFOUND);
	gf_err_clear();
	assert_string_equal(gf_err_msg(), "");
}

static void test_suggest(void **state)
{
	const char *const words[] = {"resource", "variable", "output", "locals"};
	assert_int_equal(gf_str_distance("kitten", "sitting"), 3);
	assert_string_equal(gf_str_suggest("resorce", words, 4), "resource");
	assert_string_equal(gf_str_suggest("outptu", words, 4), "output");
	assert_null(gf_str_suggest("zzzzzz", words, 4));
	assert_null(gf_str_suggest("output", words, 4));
}

static void test_numbers(void **state)
{
	int64_t v;
	assert_int_equal(gf_str_to_i64(&v, "42", 0, 100), 0);
	assert_int_equal(v, 42);
	assert_int_equal(gf_str_to_i64(&v, "101", 0, 100), GF_EINVALID);
	assert_int_equal(gf_str_to_i64(&v, "4x", 0, 100), GF_EINVALID);
	assert_int_equal(gf_str_to_i64(&v, " 4", 0, 100), GF_EINVALID);
	double d;
	assert_int_equal(gf_str_to_seconds(&d, "1.5"), 0);
	assert_true(d == 1.5);
	assert_int_equal(gf_str_to_seconds(&d, "250ms"), 0);
	assert_true(d == 0.25);
	assert_int_equal(gf_str_to_seconds(&d, "2m"), 0);
	assert_true(d == 120);
	assert_int_equal(gf_str_to_seconds(&d, "2 weeks"), GF_EINVALID);
	assert_int_equal(gf_str_to_seconds(&d, "-1"), GF_EINVALID);
}

static void test_log_quote(void **state)
{
	char q[64];
	assert_string_equal(gf_log_quote(q, sizeof(q), "plain"), "plain");
	assert_string_equal(gf_log_quote(q, sizeof(q), "two words"), "\"two words\"");
	assert_string_equal(gf_log_quote(q, sizeof(q), "a\"b"), "\"a\\\"b\"");
	assert_string_equal(gf_log_quote(q, sizeof(q), ""), "\"\"");
}

static void test_fs_atomic_write(void **state)
{
	char dir[] = "/tmp/gf-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *sub = gf_path_join(dir, "a/b/c");
	assert_int_equal(gf_fs_mkdirs(sub, 0755), 0);
	assert_true(gf_fs_is_dir(sub));
	char *file = gf_path_join(sub, "state.json");
	assert_int_equal(gf_fs_write_atomic(file, "{\"v\":1}", 7, 0600), 0);
	assert_int_equal(gf_fs_write_atomic(file, "{\"v\":2}", 7, 0600), 0);
	gf_buf b;
	gf_buf_init(&b, 0);
	assert_int_equal(gf_fs_read(&b, file), 0);
	assert_string_equal(b.ptr, "{\"v\":2}");
	gf_buf_dispose(&b);
	/* A file exactly at the cap is read; one byte more is refused. */
	gf_buf_init(&b, 7);
	assert_int_equal(gf_fs_read(&b, file), 0);
	gf_buf_dispose(&b);
	gf_buf_init(&b, 6);
	assert_int_equal(gf_fs_read(&b, file), GF_ETOOBIG);
	gf_buf_dispose(&b);
	char *missing = gf_path_join(dir, "nope");
	gf_buf_init(&b, 0);
	assert_int_equal(gf_fs_read(&b, missing), GF_ENOTFOUND);
	gf_buf_dispose(&b);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A write into a missing directory fails and leaves nothing behind. */
	char *bad = gf_path_join(dir, "missing/x");
	assert_int_equal(gf_fs_write_atomic(bad, "x", 1, 0600), GF_EIO);
	assert_false(gf_fs_exists(bad));
	char *cmd = gf_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(bad);
	free(missing);
	free(file);
	free(sub);
}

static void test_fs_read_arena(void **state)
{
	char dir[] = "/tmp/gf-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *file = gf_path_join(dir, "f.tf");
	assert_int_equal(gf_fs_write_scratch(file, "ab\0cdef", 7, 0600), 0);
	gf_arena a;
	gf_arena_init(&a);
	char *text;
	size_t len;
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, file, 100), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(text, "ab\0cdef", 8); /* NUL-terminated */
	/* The cap as gf_fs_read's: a file at the cap is read, one byte more is refused. */
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, file, 7), 0);
	assert_int_equal(len, 7);
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, file, 6), GF_ETOOBIG);
	/* An empty file, a missing one, a directory. */
	assert_int_equal(gf_fs_write_scratch(file, "", 0, 0600), 0);
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, file, 100), 0);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	char *missing = gf_path_join(dir, "nope");
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, missing, 100), GF_ENOTFOUND);
	assert_true(gf_fs_read_arena(&text, &len, &a, dir, 100) < 0);
	/* A file bigger than the arena's small chunks, read whole. */
	size_t n = 300 << 10;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(gf_fs_write_scratch(file, big, n, 0600), 0);
	assert_int_equal(gf_fs_read_arena(&text, &len, &a, file, 1 << 20), 0);
	assert_int_equal(len, n);
	assert_memory_equal(text, big, n);
	assert_int_equal(text[n], '\0');
	gf_arena_dispose(&a);
	char *cmd = gf_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(big);
	free(missing);
	free(file);
}

/* The write without fsyncs replaces as the durable one does: whole, with
 * its mode, no temporary left; a failure leaves nothing. */
static void test_fs_replace_write(void **state)
{
	char dir[] = "/tmp/gf-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *file = gf_path_join(dir, "tfplan");
	assert_int_equal(gf_fs_write_replace(file, "one", 3, 0600), 0);
	assert_int_equal(gf_fs_write_replace(file, "two!", 4, 0640), 0);
	gf_buf b;
	gf_buf_init(&b, 0);
	assert_int_equal(gf_fs_read(&b, file), 0);
	assert_string_equal(b.ptr, "two!");
	gf_buf_dispose(&b);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	char *tmp = gf_xasprintf("%s.tmp-%ld", file, (long)getpid());
	assert_false(gf_fs_exists(tmp));
	char *bad = gf_path_join(dir, "missing/x");
	assert_int_equal(gf_fs_write_replace(bad, "x", 1, 0600), GF_EIO);
	assert_false(gf_fs_exists(bad));
	char *cmd = gf_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(bad);
	free(tmp);
	free(file);
}

/* FIPS 180-2's vectors; any split of the input gives the same digest. */
static void test_sha256(void **state)
{
	char hex[65];
	gf_sha256 h;
	gf_sha256_init(&h);
	gf_sha256_final_hex(&h, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	gf_sha256_init(&h);
	gf_sha256_update(&h, "abc", 3);
	gf_sha256_final_hex(&h, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	gf_sha256_init(&h);
	for (size_t i = 0; i < strlen(two); i += 5)
		gf_sha256_update(&h, two + i, GF_MIN((size_t)5, strlen(two) - i));
	gf_sha256_final_hex(&h, hex);
	assert_string_equal(hex,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_path_join(void **state)
{
	char *p = gf_path_join("a/", "/b");
	assert_string_equal(p, "a/b");
	free(p);
	p = gf_path_join("", "b");
	assert_string_equal(p, "b");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_buf_append_and_cap),
	        cmocka_unit_test(test_arena),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_suggest),
	        cmocka_unit_test(test_numbers),
	        cmocka_unit_test(test_log_quote),
	        cmocka_unit_test(test_fs_atomic_write),
	        cmocka_unit_test(test_fs_read_arena),
	        cmocka_unit_test(test_fs_replace_write),
	        cmocka_unit_test(test_sha256),
	        cmocka_unit_test(test_path_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
