/* Unit tests of webhook filter groups (src/pipeline/filter.c) with
 * CodeBuild's semantics, driven by real-shaped payloads from
 * tests/data/hooks/ decoded by src/hooks, and the errors of bad groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void load_event(hooks_event *ev, hooks_forge forge, const char *header, const char *file)
{
	const char *dir = getenv("GF_TEST_DATA");
	assert_non_null(dir);
	char *path = gf_xasprintf("%s/hooks/%s", dir, file);
	gf_buf b;
	gf_buf_init(&b, 1 << 20);
	if (gf_fs_read(&b, path))
		fail_msg("%s: %s", path, gf_err_msg());
	hooks_event_init(ev);
	if (hooks_decode(ev, forge, header, b.ptr, b.len))
		fail_msg("%s: %s", file, gf_err_msg());
	gf_buf_dispose(&b);
	free(path);
}

static pipeline_filters *compile(const char *json)
{
	json_error_t jerr;
	json_t *j = json ? json_loads(json, 0, &jerr) : NULL;
	if (json && !j)
		fail_msg("bad test JSON: %s", jerr.text);
	pipeline_filters *f = NULL;
	if (pipeline_filters_compile(&f, j))
		fail_msg("%s: %s", json, gf_err_msg());
	json_decref(j);
	return f;
}

/* The issue's two groups: pushes to master, and pull requests into master. */
#define ISSUE_GROUPS                                                            \
	"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"                       \
	"  {\"type\": \"HEAD_REF\", \"pattern\": \"^refs/heads/master$\"}],"    \
	" [{\"type\": \"EVENT\", \"pattern\": "                                 \
	"\"PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED\"}," \
	"  {\"type\": \"BASE_REF\", \"pattern\": \"^refs/heads/master$\"}]]"

static void test_table(void **state)
{
	(void)state;
	static const struct {
		const char *groups; /* NULL: no groups */
		hooks_forge forge;
		const char *header, *file;
		bool build;
	} cases[] = {
	        /* No groups: every push builds, nothing else. */
	        {NULL, HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {NULL, HOOKS_FORGE_GITHUB, "push", "github_push_tag_created.json", true},
	        {NULL, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_opened.json", false},
	        {"[]", HOOKS_FORGE_GITLAB, NULL, "gitlab_push.json", true},
	        {NULL, HOOKS_FORGE_GITHUB, "ping", "github_ping.json", false},
	        /* The issue's groups. */
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "push", "github_push_deleted_forced.json",
	         false},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "push", "github_push_tag_created.json", false},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_opened.json", true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_synchronize.json",
	         true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_reopened.json", true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_merged.json", false},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITHUB, "pull_request", "github_pr_closed.json", false},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITEA, "push", "gitea_push.json", false}, /* main */
	        {ISSUE_GROUPS, HOOKS_FORGE_GITEA, "pull_request", "gitea_pr_synchronized.json",
	         false}, /* into main */
	        {ISSUE_GROUPS, HOOKS_FORGE_GITLAB, NULL, "gitlab_push.json", true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITLAB, NULL, "gitlab_mr_open.json", true},
	        {ISSUE_GROUPS, HOOKS_FORGE_GITLAB, NULL, "gitlab_mr_merge.json", false},
	        /* FILE_PATH: any changed file of any commit. */
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"FILE_PATH\", \"pattern\": \"^infra/\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"FILE_PATH\", \"pattern\": \"^docs/\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", false},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"FILE_PATH\", \"pattern\": \"^README$\"}]]",
	         HOOKS_FORGE_GITLAB, NULL, "gitlab_push.json", true}, /* removed in commit 2 */
	        /* exclude_matched_pattern inverts one filter. */
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"FILE_PATH\", \"pattern\": \"^docs/\", "
	         "\"exclude_matched_pattern\": true}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"FILE_PATH\", \"pattern\": \"\\\\.md$\", "
	         "\"exclude_matched_pattern\": true}]]",
	         HOOKS_FORGE_GITEA, "push", "gitea_push.json", false},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\", \"exclude_matched_pattern\": "
	         "true}]]",
	         HOOKS_FORGE_GITHUB, "pull_request", "github_pr_opened.json", true},
	        /* COMMIT_MESSAGE, ACTOR_ACCOUNT_ID, TAG_NAME. */
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"COMMIT_MESSAGE\", \"pattern\": \"\\\\[deploy\\\\]\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"COMMIT_MESSAGE\", \"pattern\": \"\\\\[skip ci\\\\]\", "
	         "\"exclude_matched_pattern\": true}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"ACTOR_ACCOUNT_ID\", \"pattern\": \"^21031067$\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PULL_REQUEST_CREATED\"},"
	         "  {\"type\": \"ACTOR_ACCOUNT_ID\", \"pattern\": \"^21031067$\"}]]",
	         HOOKS_FORGE_GITHUB, "pull_request", "github_pr_opened.json", false},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"TAG_NAME\", \"pattern\": \"^v1\\\\.\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push_tag_created.json", true},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"TAG_NAME\", \"pattern\": \".*\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", false}, /* a branch: no tag */
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"BASE_REF\", \"pattern\": \"master\", "
	         "\"exclude_matched_pattern\": true}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true}, /* a push has no base */
	        /* Any group: the second one matches. */
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"},"
	         "  {\"type\": \"HEAD_REF\", \"pattern\": \"^refs/heads/prod$\"}],"
	         " [{\"type\": \"EVENT\", \"pattern\": \" PULL_REQUEST_MERGED , PUSH \"},"
	         "  {\"type\": \"HEAD_REF\", \"pattern\": \"^refs/heads/ma\"}]]",
	         HOOKS_FORGE_GITHUB, "push", "github_push.json", true},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++) {
		hooks_event ev;
		load_event(&ev, cases[i].forge, cases[i].header, cases[i].file);
		pipeline_filters *f = compile(cases[i].groups);
		bool got = pipeline_filters_match(f, &ev);
		if (got != cases[i].build)
			fail_msg("case %zu (%s): build=%d, want %d", i, cases[i].file, got,
			         cases[i].build);
		pipeline_filters_free(f);
		hooks_event_dispose(&ev);
	}
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *groups, *want;
	} cases[] = {
	        {"{}", "filter_groups: must be a list of lists of filters"},
	        {"[[]]", "filter_groups[0]: a group is a non-empty list of filters"},
	        {"[[{\"type\": \"HEAD_REF\", \"pattern\": \"x\"}]]",
	         "filter_groups[0]: every group needs an EVENT filter (e.g. {\"type\": \"EVENT\", "
	         "\"pattern\": \"PUSH\"})"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH,PULL_REQUEST_OPENED\"}]]",
	         "filter_groups[0][0]: unknown event \"PULL_REQUEST_OPENED\" (PUSH, "
	         "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED, "
	         "PULL_REQUEST_MERGED or PULL_REQUEST_CLOSED)"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PING\"}]]",
	         "filter_groups[0][0]: unknown event \"PING\""},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH,,\"}]]",
	         "filter_groups[0][0]: \"PUSH,,\" is not a comma-separated list of events"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"}, {\"type\": \"HEAD_REFS\", "
	         "\"pattern\": \"x\"}]]",
	         "filter_groups[0][1].type: unknown filter type \"HEAD_REFS\"; did you mean "
	         "HEAD_REF?"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\"}, {\"type\": \"HEAD_REF\", "
	         "\"pattern\": \"(\"}]]",
	         "filter_groups[0][1].pattern: missing closing parenthesis at offset 1 of \"(\""},
	        {"[[{\"type\": \"EVENT\"}]]", "filter_groups[0][0].pattern: required (a string)"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\", \"exclude_matched_pattern\": 1}]]",
	         "filter_groups[0][0].exclude_matched_pattern: must be true or false"},
	        {"[[{\"type\": \"EVENT\", \"pattern\": \"PUSH\", \"exclude\": true}]]",
	         "filter_groups[0][0].exclude: unknown field (type, pattern, "
	         "exclude_matched_pattern)"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++) {
		json_t *j = json_loads(cases[i].groups, 0, NULL);
		assert_non_null(j);
		pipeline_filters *f = (void *)1;
		int rc = pipeline_filters_compile(&f, j);
		if (rc != GF_EINVALID || f)
			fail_msg("case %zu: rc %d", i, rc);
		if (strncmp(gf_err_msg(), cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, gf_err_msg(), cases[i].want);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table),
	        cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
