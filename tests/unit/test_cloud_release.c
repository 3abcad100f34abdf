/* Unit tests of releases (src/cloud/release_hash.c, release.c,
 * release_tar.c): the hash definition of docs/releases.md against a vector
 * computed by the Python reference implementation printed there, tar
 * uploads: accepted, verified, refused when they would escape or do not
 * match, and the tar the provider uploads, read back by the daemon's
 * unpacking (libarchive). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cloud/cloud.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* docs/releases.md's fixture, hashed by its reference implementation. */
#define FIXTURE_HASH "4765fe2188261d3b18996371c120678008849facdd0b9fad72a67fbc6a9b5bd9"

static char tmp[256];

static void write_file(const char *rel, const char *content, unsigned mode)
{
	char *p = gf_path_join(tmp, rel);
	assert_int_equal(gf_fs_write_atomic(p, content, strlen(content), mode), 0);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static char *make_fixture(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/gf-release-test.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char *site = gf_path_join(tmp, "site");
	char *p = gf_path_join(site, "css");
	assert_int_equal(gf_fs_mkdirs(p, 0755), 0);
	free(p);
	p = gf_path_join(site, "empty");
	assert_int_equal(gf_fs_mkdirs(p, 0755), 0);
	free(p);
	write_file("site/index.html", "hello\n", 0644);
	write_file("site/css/a.css", "body{}", 0644);
	write_file("site/run.sh", "#!/bin/sh\n", 0755);
	p = gf_path_join(site, "home.html");
	assert_int_equal(symlink("index.html", p), 0);
	free(p);
	return site;
}

static void cleanup(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", tmp, tmp);
	assert_int_equal(system(cmd), 0);
}

static void test_hash_vector(void **state)
{
	char *site = make_fixture();
	char h[CLOUD_SHA256_HEX];
	assert_int_equal(cloud_release_hash_dir(h, site), 0);
	assert_string_equal(h, FIXTURE_HASH);
	assert_true(cloud_is_sha256(h));

	/* Only the executable bit of a mode counts. */
	char *p = gf_path_join(site, "index.html");
	chmod(p, 0600);
	char h2[CLOUD_SHA256_HEX];
	assert_int_equal(cloud_release_hash_dir(h2, site), 0);
	assert_string_equal(h2, FIXTURE_HASH);
	chmod(p, 0700);
	assert_int_equal(cloud_release_hash_dir(h2, site), 0);
	assert_string_not_equal(h2, FIXTURE_HASH);
	chmod(p, 0644);
	/* Content counts. */
	write_file("site/css/a.css", "body{ }", 0644);
	assert_int_equal(cloud_release_hash_dir(h2, site), 0);
	assert_string_not_equal(h2, FIXTURE_HASH);
	free(p);
	free(site);
	cleanup();
}

static void test_hash_errors(void **state)
{
	char h[CLOUD_SHA256_HEX];
	assert_int_equal(cloud_release_hash_dir(h, "/nonexistent/dir"), GF_ENOTFOUND);
	assert_false(cloud_is_sha256("abc"));
	assert_false(cloud_is_sha256(
	        "4765FE2188261d3b18996371c120678008849facdd0b9fad72a67fbc6a9b5bd9"));
}

/* A tar in memory from (path, type, content) triples. */
typedef struct {
	const char *path;
	char type; /* f file, x executable, d dir, l symlink, h hardlink */
	const char *content;
} entry;

static void *make_tar(size_t *len, const entry *e, size_t n)
{
	size_t cap = 1 << 20;
	void *buf = malloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		size_t size = 0;
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].content);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].content);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, e[i].type == 'x' ? 0755 : 0644);
			size = strlen(e[i].content);
			archive_entry_set_size(ae, (la_int64_t)size);
		}
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (size)
			assert_int_equal(archive_write_data(a, e[i].content, size), (ssize_t)size);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	return buf;
}

static const entry fixture_entries[] = {
        {"./", 'd', NULL},
        {"./css", 'd', NULL},
        {"./css/a.css", 'f', "body{}"},
        {"./empty", 'd', NULL},
        {"./home.html", 'l', "index.html"},
        {"./index.html", 'f', "hello\n"},
        {"./run.sh", 'x', "#!/bin/sh\n"},
};

static void test_unpack(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/gf-release-test.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char *rels = gf_path_join(tmp, "releases");
	size_t len;
	void *tar = make_tar(&len, fixture_entries, GF_ARRAY_LEN(fixture_entries));
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, tar, len), 0);
	char *dir = gf_path_join(rels, FIXTURE_HASH);
	char h[CLOUD_SHA256_HEX];
	assert_int_equal(cloud_release_hash_dir(h, dir), 0);
	assert_string_equal(h, FIXTURE_HASH);
	/* Immutable: a second upload changes nothing. */
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, tar, len), GF_EEXISTS);

	/* The wrong name is refused, and nothing is left behind. */
	const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(cloud_release_unpack(rels, wrong, tar, len), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), FIXTURE_HASH));
	char *w = gf_path_join(rels, wrong);
	assert_false(gf_fs_exists(w));
	free(w);

	/* Unreferenced releases go after the grace period, kept ones stay. */
	assert_int_equal(cloud_release_gc(rels, NULL, 0, 3600), 0);
	const char *keep[] = {FIXTURE_HASH};
	assert_int_equal(cloud_release_gc(rels, keep, 1, 0), 0);
	assert_true(gf_fs_is_dir(dir));
	assert_int_equal(cloud_release_gc(rels, NULL, 0, 0), 1);
	assert_false(gf_fs_exists(dir));
	free(tar);
	free(dir);
	free(rels);
	cleanup();
}

static void expect_refused(const entry *e, size_t n, const char *needle)
{
	snprintf(tmp, sizeof(tmp), "/tmp/gf-release-test.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char *rels = gf_path_join(tmp, "releases");
	size_t len;
	void *tar = make_tar(&len, e, n);
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, tar, len), GF_EINVALID);
	if (!strstr(gf_err_msg(), needle))
		fail_msg("\"%s\" not in \"%s\"", needle, gf_err_msg());
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", rels);
	assert_int_equal(system(cmd), 0);
	assert_false(gf_fs_exists("/tmp/evil-gitfleet"));
	free(tar);
	free(rels);
	cleanup();
}

static void test_unpack_refuses_escapes(void **state)
{
	const entry dotdot[] = {{"../../../../tmp/evil-gitfleet", 'f', "x"}};
	expect_refused(dotdot, 1, "\"..\" would leave the release");
	const entry abs[] = {{"/tmp/evil-gitfleet", 'f', "x"}};
	expect_refused(abs, 1, "absolute paths are not allowed");
	const entry link[] = {{"l", 'l', "/etc/passwd"}};
	expect_refused(link, 1, "symlink must point inside");
	const entry hard[] = {{"a", 'f', "x"}, {"b", 'h', "a"}};
	expect_refused(hard, 2, "hard links are not allowed");
	const char junk[] = "this is not a tar archive at all, not even close.";
	snprintf(tmp, sizeof(tmp), "/tmp/gf-release-test.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char *rels = gf_path_join(tmp, "releases");
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, junk, sizeof(junk)), GF_EINVALID);
	assert_int_equal(cloud_release_unpack(rels, "nothex", junk, sizeof(junk)), GF_EINVALID);
	free(rels);
	cleanup();
}

/* A tar whose one file claims `size` bytes but holds a single data byte:
 * a sparse entry (pax GNU.sparse), tiny on the wire. */
static void *make_sparse_tar(size_t *len, int64_t size)
{
	size_t cap = 1 << 16;
	void *buf = malloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, "zeros");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, size);
	archive_entry_sparse_add_entry(ae, 0, 1);
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, "x", 1), 1);
	archive_entry_free(ae);
	archive_write_close(a);
	archive_write_free(a);
	return buf;
}

/* What an archive unpacks to is capped from the headers, before a byte is
 * written or hashed: a sparse 8 GiB file is refused at once. */
static void test_unpack_refuses_too_large(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/gf-release-test.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char *rels = gf_path_join(tmp, "releases");
	size_t len;
	void *tar = make_sparse_tar(&len, (int64_t)8 << 30);
	assert_true(len < 16384);
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, tar, len), GF_ETOOBIG);
	if (!strstr(gf_err_msg(), "\"zeros\" (8589934592 bytes)") ||
	    !strstr(gf_err_msg(), "more than 1024 MiB"))
		fail_msg("unexpected message: %s", gf_err_msg());
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", rels);
	assert_int_equal(system(cmd), 0);
	free(tar);

	/* Too many entries, counted before anything else: the root entry
	 * "./" again and again creates nothing, so the test stays cheap. */
	size_t n = CLOUD_RELEASE_MAX_ENTRIES + 1, cap = (n + 64) * 512;
	void *big = malloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, big, cap, &len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, "./");
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, 0755);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	assert_int_equal(cloud_release_unpack(rels, FIXTURE_HASH, big, len), GF_ETOOBIG);
	assert_non_null(strstr(gf_err_msg(), "more than 100000 entries"));
	assert_int_equal(system(cmd), 0);
	free(big);
	free(rels);
	cleanup();
}

/* What cloud_release_tar writes, the daemon unpacks to the same hash:
 * ustar names, prefix/name splits past 100 bytes, pax records past 255
 * and for long link targets, executable bits, empty files and
 * directories, content on block boundaries. */
static void test_tar_round_trip(void **state)
{
	char *site = make_fixture();
	char *deep = gf_xstrdup(site);
	char *rel = gf_xstrdup("");
	/* 3 levels of 60 bytes: past ustar's name (100) and, with a long
	 * file name, past its prefix + name (255). */
	for (int i = 0; i < 3; i++) {
		char part[61];
		memset(part, 'a' + i, 60);
		part[60] = '\0';
		char *d = gf_path_join(deep, part);
		char *r = *rel ? gf_xasprintf("%s/%s", rel, part) : gf_xstrdup(part);
		free(deep);
		free(rel);
		deep = d;
		rel = r;
	}
	assert_int_equal(gf_fs_mkdirs(deep, 0755), 0);
	char name[101];
	memset(name, 'n', 100);
	name[100] = '\0';
	char *f = gf_xasprintf("site/%s/%s", rel, name);
	write_file(f, "far down\n", 0755);
	free(f);
	f = gf_xasprintf("site/%s/short.txt", rel);
	write_file(f, "", 0644);
	free(f);
	char block[1025];
	memset(block, 'b', 1024);
	block[1024] = '\0';
	write_file("site/block.txt", block, 0644);
	char *link = gf_path_join(site, "far.txt");
	char *target = gf_xasprintf("%s/short.txt", rel);
	assert_int_equal(symlink(target, link), 0);

	char h[CLOUD_SHA256_HEX];
	assert_int_equal(cloud_release_hash_dir(h, site), 0);
	gf_buf tar = GF_BUF_INIT;
	assert_int_equal(cloud_release_tar(&tar, site), 0);
	assert_int_equal(tar.len % 512, 0);
	char *rels = gf_path_join(tmp, "releases");
	if (cloud_release_unpack(rels, h, tar.ptr, tar.len) != 0)
		fail_msg("%s", gf_err_msg());
	char *got = gf_path_join(rels, h);
	char *far = gf_xasprintf("%s/%s/%s", got, rel, name);
	struct stat st;
	assert_int_equal(stat(far, &st), 0);
	assert_true(st.st_mode & 0100);
	free(far);
	far = gf_path_join(got, "far.txt");
	char back[400];
	ssize_t n = readlink(far, back, sizeof(back) - 1);
	assert_true(n > 0);
	back[n] = '\0';
	assert_string_equal(back, target);

	/* A special file cannot be in a release. */
	char *fifo = gf_path_join(site, "pipe");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	gf_buf_clear(&tar);
	assert_int_equal(cloud_release_tar(&tar, site), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "not a regular file"));

	gf_buf_dispose(&tar);
	free(fifo);
	free(far);
	free(got);
	free(rels);
	free(target);
	free(link);
	free(rel);
	free(deep);
	free(site);
	cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hash_vector),
	        cmocka_unit_test(test_hash_errors),
	        cmocka_unit_test(test_unpack),
	        cmocka_unit_test(test_unpack_refuses_escapes),
	        cmocka_unit_test(test_unpack_refuses_too_large),
	        cmocka_unit_test(test_tar_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
