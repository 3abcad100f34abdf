/* Unit tests of the build workspaces (src/pipeline/workspace.c): removal
 * and the artifact copy never follow a link a build left behind, the
 * layout and modes of a new workspace, the reachability check of the
 * build user's paths, and the check that keeps the daemon from reading a
 * buildspec through a link of the commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/service_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static char *at(const char *rel)
{
	return gf_path_join(tmp, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	assert_int_equal(gf_fs_write_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static void mkd(const char *rel)
{
	char *p = at(rel);
	assert_int_equal(gf_fs_mkdirs(p, 0755), 0);
	free(p);
}

static void lnk(const char *target_rel, const char *rel)
{
	char *t = at(target_rel), *p = at(rel);
	assert_int_equal(symlink(t, p), 0);
	free(t);
	free(p);
}

static bool there(const char *rel)
{
	char *p = at(rel);
	struct stat st;
	bool ok = lstat(p, &st) == 0;
	free(p);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/gf-ws-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	mkd("outside/dir");
	put("outside/secret", "secret\n");
	put("outside/dir/keep", "keep\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(pl_tree_remove(tmp), 0);
	return 0;
}

static void test_remove_does_not_follow_links(void **state)
{
	(void)state;
	mkd("ws/src/sub/deeper");
	put("ws/src/sub/deeper/f", "x");
	put("ws/src/a", "a");
	lnk("outside/secret", "ws/src/link-to-file");
	lnk("outside/dir", "ws/src/sub/link-to-dir");
	char *ws = at("ws");
	assert_int_equal(pl_tree_remove(ws), 0);
	free(ws);
	assert_false(there("ws"));
	assert_true(there("outside/secret"));
	assert_true(there("outside/dir/keep"));
	/* A tree that is not there is already removed. */
	char *none = at("none");
	assert_int_equal(pl_tree_remove(none), 0);
	free(none);
	/* The root itself as a link: not followed either. */
	lnk("outside/dir", "rootlink");
	char *rl = at("rootlink");
	assert_int_not_equal(pl_tree_remove(rl), 0);
	free(rl);
	assert_true(there("outside/dir/keep"));
	char *p = at("rootlink");
	unlink(p);
	free(p);
}

static pipeline_buildspec *spec_of(const char *yaml)
{
	pipeline_buildspec *spec = NULL;
	assert_int_equal(pipeline_buildspec_parse(&spec, "buildspec.yaml", yaml, strlen(yaml)), 0);
	return spec;
}

static void test_artifacts_skip_links(void **state)
{
	(void)state;
	mkd("b/src/out/sub");
	put("b/src/out/app.txt", "app");
	put("b/src/out/sub/x.txt", "x");
	lnk("outside/secret", "b/src/out/stolen.txt");
	lnk("outside/dir", "b/src/out/stolen-dir");
	mkd("b/dest");
	pipeline_buildspec *spec =
	        spec_of("version: 0.2\nphases:\n  build:\n    commands: [x]\n"
	                "artifacts:\n  files: ['**/*']\n  base-directory: out\n");
	char *src = at("b/src"), *dest = at("b/dest");
	assert_int_equal(pl_artifacts_collect(src, spec, dest), 2);
	assert_true(there("b/dest/app.txt"));
	assert_true(there("b/dest/sub/x.txt"));
	assert_false(there("b/dest/stolen.txt"));
	assert_false(there("b/dest/stolen-dir/keep"));
	pipeline_buildspec_free(spec);

	/* A base-directory that is a link leads nowhere. */
	lnk("outside", "b/src/dist");
	spec = spec_of("version: 0.2\nphases:\n  build:\n    commands: [x]\n"
	               "artifacts:\n  files: ['*']\n  base-directory: dist\n");
	assert_true(pl_artifacts_collect(src, spec, dest) < 0);
	assert_false(there("b/dest/secret"));
	pipeline_buildspec_free(spec);
	free(src);
	free(dest);
}

static void test_workspace_layout(void **state)
{
	(void)state;
	pl_build_user self = {.uid = geteuid(), .gid = getegid(), .name = "self"};
	char *ws = at("builds/site/7");
	put("stale", "");
	assert_int_equal(pl_workspace_create(&self, ws), 0);
	struct stat st;
	char *p = at("builds/site/7");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
	free(p);
	p = at("builds/site/7/scratch");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	free(p);
	p = at("builds/site/7/home");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	free(p);
	/* Made again: what a previous daemon left there goes. */
	put("builds/site/7/tmp/old", "old");
	assert_int_equal(pl_workspace_create(&self, ws), 0);
	assert_false(there("builds/site/7/tmp/old"));
	free(ws);
}

static void test_plain_file(void **state)
{
	(void)state;
	mkd("co/ci");
	put("co/ci/buildspec.yaml", "version: 0.2\n");
	lnk("outside/secret", "co/linked.yaml");
	lnk("outside", "co/out");
	lnk("co/ci", "co/inner");
	char *co = at("co"), *fifo = at("co/fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pl_workspace_plain_file(co, "ci/buildspec.yaml"), 0);
	assert_int_equal(pl_workspace_plain_file(co, "ci//buildspec.yaml"), 0);
	assert_int_equal(pl_workspace_plain_file(co, "ci/none.yaml"), GF_ENOTFOUND);
	assert_int_equal(pl_workspace_plain_file(co, "linked.yaml"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "linked.yaml is a symbolic link"));
	/* A linked directory on the way, even one inside the checkout. */
	assert_int_equal(pl_workspace_plain_file(co, "out/secret"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "out is a symbolic link"));
	assert_int_equal(pl_workspace_plain_file(co, "inner/buildspec.yaml"), GF_EINVALID);
	assert_int_equal(pl_workspace_plain_file(co, "fifo"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "fifo is not a regular file"));
	assert_int_equal(pl_workspace_plain_file(co, "ci"), GF_EINVALID);
	free(co);
	free(fifo);
}

static void test_reach(void **state)
{
	(void)state;
	mkd("closed/open");
	put("closed/open/tool", "#!/bin/sh\n");
	char *closed = at("closed"), *tool = at("closed/open/tool"), *why = NULL;
	assert_int_equal(chmod(closed, 0700), 0);
	char *open_dir = at("closed/open");
	assert_int_equal(chmod(open_dir, 0755), 0);
	assert_int_equal(chmod(tool, 0755), 0);
	assert_int_equal(chmod(tmp, 0711), 0); /* mkdtemp made it 0700 */
	char msg[600];
	/* The daemon's own user reaches its own files. */
	pl_build_user self = {.uid = geteuid(), .gid = getegid(), .name = "self"};
	assert_int_equal(pl_build_user_can_reach(&self, tool, X_OK, msg, sizeof(msg)), 0);
	/* Another user is stopped by the 0700 directory, which is named. */
	pl_build_user other = {.drop = true, .uid = 4242, .gid = 4242, .name = "other"};
	assert_int_equal(pl_build_user_can_reach(&other, tool, X_OK, msg, sizeof(msg)),
	                 GF_EINVALID);
	assert_non_null(strstr(msg, "closed (mode 0700"));
	assert_non_null(strstr(msg, "does not let user other pass through it"));
	assert_int_equal(chmod(closed, 0711), 0);
	assert_int_equal(pl_build_user_can_reach(&other, tool, X_OK, msg, sizeof(msg)), 0);
	/* A socket must be writable to connect; the tool is not. */
	assert_int_equal(pl_build_user_can_reach(&other, tool, W_OK, msg, sizeof(msg)),
	                 GF_EINVALID);
	assert_non_null(strstr(msg, "write to it"));
	free(why);
	free(closed);
	free(open_dir);
	free(tool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_remove_does_not_follow_links),
	        cmocka_unit_test(test_artifacts_skip_links),
	        cmocka_unit_test(test_workspace_layout),
	        cmocka_unit_test(test_reach),
	        cmocka_unit_test(test_plain_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
