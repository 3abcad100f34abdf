/* Unit tests of src/git against repositories made with the git command:
 * a hosted repository and its hook, changed files of pushes (creation,
 * update, deletion, rename), resolving, mirrors and exact checkouts
 * (their depth, and their independence from the repository they copy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "git/git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char full[3000];
	snprintf(full, sizeof(full),
	         "cd %s && export GIT_CONFIG_NOSYSTEM=1 HOME=%s GIT_AUTHOR_NAME=t "
	         "GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t && (%s) "
	         ">/dev/null 2>&1",
	         tmp, tmp, cmd);
	if (system(full) != 0)
		fail_msg("command failed: %s", cmd);
}

static void head_of(char out[GF_GIT_OID_HEX], const char *repo, const char *spec)
{
	if (gf_git_resolve(out, NULL, repo, spec))
		fail_msg("%s", gf_err_msg());
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/gf-test-git-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void collect(const char *path, void *payload)
{
	gf_buf *b = payload;
	gf_buf_printf(b, "%s%s", b->len ? "," : "", path);
}

static void expect_changed(const char *repo, const char *before, const char *after,
                           const char *want)
{
	gf_buf b = GF_BUF_INIT;
	bool trunc;
	if (gf_git_changed_files(repo, before, after, 100, collect, &b, &trunc))
		fail_msg("%s", gf_err_msg());
	if (strcmp(gf_buf_cstr(&b), want))
		fail_msg("changed \"%s\", want \"%s\"", gf_buf_cstr(&b), want);
	gf_buf_dispose(&b);
}

static void test_hosted_push_and_checkout(void **state)
{
	(void)state;
	char repo[300], hook[320];
	snprintf(repo, sizeof(repo), "%s/repos/site.git", tmp);
	assert_int_equal(gf_git_hosted_init(repo, "cat >> hook.log"), 0);
	/* Idempotent: a second init rewrites the hook and keeps the repo. */
	assert_int_equal(gf_git_hosted_init(repo, "cat >> \"$GIT_DIR/pushed\""), 0);
	snprintf(hook, sizeof(hook), "%s/hooks/post-receive", repo);
	struct stat st;
	assert_int_equal(stat(hook, &st), 0);
	assert_true(st.st_mode & S_IXUSR);

	sh("git init -q -b master work && cd work && echo a > a.txt && mkdir d && echo b > d/b.txt"
	   " && git add . && git commit -qm one && git remote add origin %s"
	   " && git push -q origin master",
	   repo);
	char c1[GF_GIT_OID_HEX], c2[GF_GIT_OID_HEX];
	head_of(c1, repo, "refs/heads/master");
	/* The hook ran with git's line on stdin. */
	char pushed[400];
	snprintf(pushed, sizeof(pushed), "%s/pushed", repo);
	gf_buf log = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&log, pushed), 0);
	char want[200];
	snprintf(want, sizeof(want),
	         "0000000000000000000000000000000000000000 %s refs/heads/master\n", c1);
	assert_string_equal(log.ptr, want);
	gf_buf_dispose(&log);

	expect_changed(repo, "0000000000000000000000000000000000000000", c1, "a.txt,d/b.txt");
	sh("cd work && echo aa > a.txt && git mv d/b.txt c.txt && echo n > new.txt && git add ."
	   " && git commit -qm 'two: [deploy]' && git push -q origin master");
	head_of(c2, repo, "master");
	expect_changed(repo, c1, c2, "a.txt,c.txt,d/b.txt,new.txt");
	expect_changed(repo, c2, "0000000000000000000000000000000000000000", "");

	char *msg = NULL;
	char got[GF_GIT_OID_HEX];
	assert_int_equal(gf_git_resolve(got, &msg, repo, c2), 0);
	assert_string_equal(got, c2);
	assert_string_equal(msg, "two: [deploy]\n");
	free(msg);
	assert_int_equal(gf_git_resolve(got, NULL, repo, "refs/heads/nope"), GF_ENOTFOUND);

	/* A checkout of the first commit has exactly its files. */
	char ws[300], path[400];
	snprintf(ws, sizeof(ws), "%s/ws1", tmp);
	assert_int_equal(gf_git_checkout(repo, c1, 1, ws), 0);
	snprintf(path, sizeof(path), "%s/d/b.txt", ws);
	assert_true(gf_fs_exists(path));
	snprintf(path, sizeof(path), "%s/new.txt", ws);
	assert_false(gf_fs_exists(path));
	snprintf(ws, sizeof(ws), "%s/ws2", tmp);
	assert_int_equal(gf_git_checkout(repo, "0123456789012345678901234567890123456789", 1, ws),
	                 GF_ENOTFOUND);
}

/* The output of a command run in tmp, first line, into out. */
static void sh_out(char *out, size_t n, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char full[3000];
	snprintf(full, sizeof(full), "cd %s && export GIT_CONFIG_NOSYSTEM=1 HOME=%s && (%s) 2>&1",
	         tmp, tmp, cmd);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	out[0] = '\0';
	if (!fgets(out, (int)n, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static void test_checkout_depth_and_independence(void **state)
{
	(void)state;
	/* Three commits, the second a merge of a side branch. */
	sh("git init -q -b main hist && cd hist && echo 1 > f && git add f && git commit -qm one"
	   " && git checkout -q -b side && echo s > s && git add s && git commit -qm side"
	   " && git checkout -q main && echo 2 > f && git commit -qam two"
	   " && git merge -q --no-edit side && echo 3 > f && git commit -qam three");
	char up[300], tip[GF_GIT_OID_HEX], parent[GF_GIT_OID_HEX], ws[300], got[256];
	snprintf(up, sizeof(up), "%s/hist", tmp);
	head_of(tip, up, "HEAD");
	head_of(parent, up, "HEAD~1");

	/* Depth 1: the commit alone, its parent named in .git/shallow. */
	snprintf(ws, sizeof(ws), "%s/d1", tmp);
	assert_int_equal(gf_git_checkout(up, tip, 1, ws), 0);
	sh_out(got, sizeof(got), "cat d1/f");
	assert_string_equal(got, "3");
	sh_out(got, sizeof(got), "cat d1/.git/shallow");
	assert_string_equal(got, tip);
	sh_out(got, sizeof(got), "git -C d1 rev-list --count HEAD");
	assert_string_equal(got, "1");
	sh_out(got, sizeof(got), "git -C d1 status --porcelain | wc -l");
	assert_string_equal(got, "0");
	sh_out(got, sizeof(got), "git -C d1 rev-parse HEAD");
	assert_string_equal(got, tip);

	/* Depth 3: three generations (the merge's two parents included). */
	snprintf(ws, sizeof(ws), "%s/d3", tmp);
	assert_int_equal(gf_git_checkout(up, tip, 3, ws), 0);
	sh_out(got, sizeof(got), "git -C d3 rev-list --count HEAD");
	assert_string_equal(got, "4");
	sh_out(got, sizeof(got), "git -C d3 fsck --no-dangling 2>&1 | wc -l");
	assert_string_equal(got, "0");

	/* Depth 0: the whole history, no shallow file. */
	snprintf(ws, sizeof(ws), "%s/all", tmp);
	assert_int_equal(gf_git_checkout(up, parent, 0, ws), 0);
	sh_out(got, sizeof(got), "git -C all rev-list --count HEAD");
	assert_string_equal(got, "4");
	sh_out(got, sizeof(got), "test -e all/.git/shallow && echo shallow || echo complete");
	assert_string_equal(got, "complete");

	/* Independent: nothing points back at hist/, and the copies still work
	 * once it is gone. */
	sh_out(got, sizeof(got),
	       "ls d1/.git/objects/info/alternates all/.git/objects/info/alternates"
	       " 2>/dev/null | wc -l");
	assert_string_equal(got, "0");
	sh("rm -rf hist");
	sh_out(got, sizeof(got), "git -C d1 log -1 --format=%%s");
	assert_string_equal(got, "three");
	sh_out(got, sizeof(got), "git -C all fsck --no-dangling 2>&1 | wc -l");
	assert_string_equal(got, "0");
}

static void count_ref(const char *ref, const char *oid, void *payload)
{
	(void)oid;
	gf_buf *b = payload;
	gf_buf_printf(b, "%s;", ref);
}

static void test_mirror(void **state)
{
	(void)state;
	sh("git init -q -b main up && cd up && echo x > x && git add x && git commit -qm x"
	   " && git tag v1");
	char url[300], mirror[300];
	snprintf(url, sizeof(url), "%s/up", tmp);
	snprintf(mirror, sizeof(mirror), "%s/mirrors/up.git", tmp);
	assert_int_equal(gf_git_fetch_mirror(mirror, url), 0);
	gf_buf refs = GF_BUF_INIT;
	assert_int_equal(gf_git_list_refs(mirror, count_ref, &refs), 0);
	assert_string_equal(gf_buf_cstr(&refs), "refs/heads/main;refs/tags/v1;");
	gf_buf_dispose(&refs);
	/* A branch deleted upstream is pruned. */
	sh("cd up && git checkout -q -b tmp && git checkout -q main && git branch -q -D tmp");
	assert_int_equal(gf_git_fetch_mirror(mirror, url), 0);
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/nothing-here", tmp);
	assert_int_not_equal(gf_git_fetch_mirror(mirror, bad), 0);
	assert_non_null(strstr(gf_err_msg(), "cannot fetch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hosted_push_and_checkout),
	        cmocka_unit_test(test_mirror),
	        cmocka_unit_test(test_checkout_depth_and_independence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
