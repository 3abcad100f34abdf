/* Unit tests of src/hooks: signatures of every forge (GitHub's published
 * example included) and the decoding of real-shaped payloads from
 * tests/data/hooks/ into forge-neutral events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hooks/hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_github_published_example(void **state)
{
	(void)state;
	const char *secret = "It's a Secret to Everybody";
	const char *body = "Hello, World!";
	const char *sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
	char hex[65];
	hooks_hmac_sha256_hex(hex, secret, body, strlen(body));
	assert_string_equal(hex, sig + 7);
	assert_true(hooks_verify(HOOKS_FORGE_GITHUB, secret, sig, body, strlen(body)));
	/* Uppercase hex is the same signature. */
	assert_true(hooks_verify(
	        HOOKS_FORGE_GITHUB, secret,
	        "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17", body,
	        strlen(body)));
}

static void test_signature_failures(void **state)
{
	(void)state;
	const char *secret = "It's a Secret to Everybody";
	const char *body = "Hello, World!";
	const char *hex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
	char with_prefix[80];
	snprintf(with_prefix, sizeof(with_prefix), "sha256=%s", hex);
	struct {
		hooks_forge forge;
		const char *secret, *sig, *body;
		bool ok;
	} cases[] = {
	        {HOOKS_FORGE_GITHUB, secret, NULL, body, false},                  /* missing */
	        {HOOKS_FORGE_GITHUB, secret, "", body, false},                    /* empty */
	        {HOOKS_FORGE_GITHUB, secret, hex, body, false},                   /* no sha256= */
	        {HOOKS_FORGE_GITHUB, secret, with_prefix, "Hello, World", false}, /* body */
	        {HOOKS_FORGE_GITHUB, "other", with_prefix, body, false},          /* secret */
	        {HOOKS_FORGE_GITHUB, "", with_prefix, body, false},               /* no secret */
	        {HOOKS_FORGE_GITHUB, secret, "sha256=757107ea", body, false},
	        {HOOKS_FORGE_GITHUB, secret,
	         "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", body,
	         false},
	        {HOOKS_FORGE_GITEA, secret, hex, body, true},
	        {HOOKS_FORGE_GITEA, secret, with_prefix, body, false},
	        {HOOKS_FORGE_GITEA, secret,
	         "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18", body, false},
	        {HOOKS_FORGE_GITLAB, "tok-123", "tok-123", body, true},
	        {HOOKS_FORGE_GITLAB, "tok-123", "tok-124", body, false},
	        {HOOKS_FORGE_GITLAB, "tok-123", "tok-1234", body, false},
	        {HOOKS_FORGE_GITLAB, "tok-123", NULL, body, false},
	        {HOOKS_FORGE_GITLAB, "", "", body, false},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++) {
		bool got = hooks_verify(cases[i].forge, cases[i].secret, cases[i].sig,
		                        cases[i].body, strlen(cases[i].body));
		if (got != cases[i].ok)
			fail_msg("case %zu: %s verify(%s) = %d", i,
			         hooks_forge_name(cases[i].forge),
			         cases[i].sig ? cases[i].sig : "(null)", got);
	}
}

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("GF_TEST_DATA");
	assert_non_null(dir);
	char *path = gf_xasprintf("%s/hooks/%s", dir, name);
	gf_buf b;
	gf_buf_init(&b, 1 << 20);
	if (gf_fs_read(&b, path))
		fail_msg("%s: %s", path, gf_err_msg());
	free(path);
	*len = b.len;
	return gf_buf_detach(&b);
}

/* Expected event fields; files are "a,b,c" in order. */
typedef struct {
	const char *file;
	hooks_forge forge;
	const char *header;
	hooks_event_type type;
	const char *head_ref, *base_ref, *before, *after, *message, *actor, *tag, *files, *trigger;
	bool created, deleted, forced;
} decode_case;

static void check_decode(const decode_case *c)
{
	size_t len;
	char *body = read_data(c->file, &len);
	hooks_event ev;
	hooks_event_init(&ev);
	if (hooks_decode(&ev, c->forge, c->header, body, len))
		fail_msg("%s: %s", c->file, gf_err_msg());
	if (ev.type != c->type)
		fail_msg("%s: type %s, want %s", c->file, hooks_event_type_name(ev.type),
		         hooks_event_type_name(c->type));
#define EQ(field)                       \
	if (strcmp(ev.field, c->field)) \
		fail_msg("%s: " #field " \"%s\", want \"%s\"", c->file, ev.field, c->field);
	EQ(head_ref);
	EQ(base_ref);
	EQ(before);
	EQ(after);
	EQ(message);
	EQ(actor);
	EQ(tag);
#undef EQ
	gf_buf files = GF_BUF_INIT;
	for (size_t i = 0; i < ev.nfiles; i++)
		gf_buf_printf(&files, "%s%s", i ? "," : "", ev.files[i]);
	if (strcmp(gf_buf_cstr(&files), c->files))
		fail_msg("%s: files \"%s\", want \"%s\"", c->file, gf_buf_cstr(&files), c->files);
	gf_buf_dispose(&files);
	assert_string_equal(hooks_event_trigger(&ev), c->trigger);
	assert_int_equal(ev.created, c->created);
	assert_int_equal(ev.deleted, c->deleted);
	assert_int_equal(ev.forced, c->forced);
	hooks_event_dispose(&ev);
	free(body);
}

#define Z40     "0000000000000000000000000000000000000000"
#define GH_HEAD "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
#define GH_BASE "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"

static void test_decode_table(void **state)
{
	(void)state;
	static const decode_case cases[] = {
	        {"github_push.json", HOOKS_FORGE_GITHUB, "push", HOOKS_EVENT_PUSH,
	         "refs/heads/master", "", "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
	         "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "Scale to three instances [deploy]",
	         "21031067", "", "www/fox.jpg,www/index.html,infra/main.tf,infra/old.tf",
	         "branch/master", false, false, false},
	        {"github_push_tag_created.json", HOOKS_FORGE_GITHUB, "push", HOOKS_EVENT_PUSH,
	         "refs/tags/v1.2.0", "", Z40, "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
	         "Scale to three instances [deploy]", "21031067", "v1.2.0", "", "tag/v1.2.0", true,
	         false, false},
	        {"github_push_deleted_forced.json", HOOKS_FORGE_GITHUB, "push", HOOKS_EVENT_PUSH,
	         "refs/heads/feature/x", "", "a10867b14bb761a232cd80139fbd4c0d33264240", Z40, "",
	         "21031067", "", "", "branch/feature/x", false, true, true},
	        {"github_ping.json", HOOKS_FORGE_GITHUB, "ping", HOOKS_EVENT_PING, "", "", "", "",
	         "", "", "", "", "", false, false, false},
	        {"github_pr_opened.json", HOOKS_FORGE_GITHUB, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_CREATED, "refs/heads/changes", "refs/heads/master",
	         GH_BASE, GH_HEAD, "", "583231", "", "", "pr/7", false, false, false},
	        {"github_pr_synchronize.json", HOOKS_FORGE_GITHUB, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_UPDATED, "refs/heads/changes", "refs/heads/master",
	         GH_BASE, GH_HEAD, "", "583231", "", "", "pr/7", false, false, false},
	        {"github_pr_reopened.json", HOOKS_FORGE_GITHUB, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_REOPENED, "refs/heads/changes", "refs/heads/master",
	         GH_BASE, GH_HEAD, "", "583231", "", "", "pr/7", false, false, false},
	        {"github_pr_merged.json", HOOKS_FORGE_GITHUB, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_MERGED, "refs/heads/changes", "refs/heads/master",
	         GH_BASE, GH_HEAD, "", "583231", "", "", "pr/7", false, false, false},
	        {"github_pr_closed.json", HOOKS_FORGE_GITHUB, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_CLOSED, "refs/heads/changes", "refs/heads/master",
	         GH_BASE, GH_HEAD, "", "583231", "", "", "pr/7", false, false, false},
	        {"github_pr_labeled.json", HOOKS_FORGE_GITHUB, "pull_request", HOOKS_EVENT_OTHER,
	         "", "", "", "", "", "", "", "", "", false, false, false},
	        {"github_push.json", HOOKS_FORGE_GITHUB, "star", HOOKS_EVENT_OTHER, "", "", "", "",
	         "", "", "", "", "", false, false, false},
	        {"gitea_push.json", HOOKS_FORGE_GITEA, "push", HOOKS_EVENT_PUSH, "refs/heads/main",
	         "", "28e1879d029cb852e4844d9c718537df08844e03",
	         "bffeb74224043ba2feb48d137756c8a9331c449a", "Webhooks Yay!", "1", "",
	         "docs/new.md,README.md", "branch/main", false, false, false},
	        {"gitea_pr_synchronized.json", HOOKS_FORGE_GITEA, "pull_request",
	         HOOKS_EVENT_PULL_REQUEST_UPDATED, "refs/heads/feature/login", "refs/heads/main",
	         GH_BASE, GH_HEAD, "", "1", "", "", "pr/3", false, false, false},
	        {"gitlab_push.json", HOOKS_FORGE_GITLAB, "Push Hook", HOOKS_EVENT_PUSH,
	         "refs/heads/master", "", "95790bf891e76fee5e1747ab589903a6a1f80f22",
	         "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "fixed readme", "4", "",
	         "CHANGELOG,app/controller/application.rb,README", "branch/master", false, false,
	         false},
	        {"gitlab_mr_open.json", HOOKS_FORGE_GITLAB, "Merge Request Hook",
	         HOOKS_EVENT_PULL_REQUEST_CREATED, "refs/heads/ms-viewport", "refs/heads/master",
	         "", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "fixed readme", "1", "", "",
	         "pr/1", false, false, false},
	        {"gitlab_mr_update.json", HOOKS_FORGE_GITLAB, NULL,
	         HOOKS_EVENT_PULL_REQUEST_UPDATED, "refs/heads/ms-viewport", "refs/heads/master",
	         "95790bf891e76fee5e1747ab589903a6a1f80f22",
	         "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "fixed readme", "1", "", "", "pr/1",
	         false, false, false},
	        {"gitlab_mr_update_title.json", HOOKS_FORGE_GITLAB, NULL, HOOKS_EVENT_OTHER, "", "",
	         "", "", "", "", "", "", "", false, false, false},
	        {"gitlab_mr_merge.json", HOOKS_FORGE_GITLAB, NULL, HOOKS_EVENT_PULL_REQUEST_MERGED,
	         "refs/heads/ms-viewport", "refs/heads/master", "",
	         "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "fixed readme", "1", "", "", "pr/1",
	         false, false, false},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++)
		check_decode(&cases[i]);
}

static void test_decode_errors(void **state)
{
	(void)state;
	struct {
		hooks_forge forge;
		const char *header, *body, *needle;
	} cases[] = {
	        {HOOKS_FORGE_GITHUB, "push", "not json", "not JSON"},
	        {HOOKS_FORGE_GITHUB, "push", "[1]", "not a JSON object"},
	        {HOOKS_FORGE_GITHUB, "push", "{\"before\": \"x\"}", "no \"ref\""},
	        {HOOKS_FORGE_GITHUB, "push", "{\"ref\": \"refs/heads/a\", \"commits\": 3}",
	         "not a list"},
	        {HOOKS_FORGE_GITHUB, "push", "{\"ref\": \"a\", \"ref\": \"b\"}", "not JSON"},
	        {HOOKS_FORGE_GITHUB, "pull_request", "{\"action\": \"opened\"}", "pull_request"},
	        {HOOKS_FORGE_GITHUB, "pull_request",
	         "{\"action\": \"opened\", \"pull_request\": {\"head\": {}}}", "head.ref"},
	        {HOOKS_FORGE_GITEA, NULL, "{}", "X-Gitea-Event"},
	        {HOOKS_FORGE_GITLAB, NULL, "{}", "object_kind"},
	        {HOOKS_FORGE_GITLAB, NULL,
	         "{\"object_kind\": \"merge_request\", \"object_attributes\": {\"action\": "
	         "\"open\"}}",
	         "source_branch"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++) {
		hooks_event ev;
		hooks_event_init(&ev);
		int rc = hooks_decode(&ev, cases[i].forge, cases[i].header, cases[i].body,
		                      strlen(cases[i].body));
		if (rc != GF_EINVALID || !strstr(gf_err_msg(), cases[i].needle))
			fail_msg("case %zu: rc %d, \"%s\" does not say \"%s\"", i, rc, gf_err_msg(),
			         cases[i].needle);
		assert_int_equal(ev.type, HOOKS_EVENT_OTHER);
		hooks_event_dispose(&ev);
	}
}

static void test_files_are_capped_and_unique(void **state)
{
	(void)state;
	hooks_event ev;
	hooks_event_init(&ev);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < HOOKS_FILES_MAX + 10; i++) {
			char p[32];
			snprintf(p, sizeof(p), "f%d", i);
			hooks_event_add_file(&ev, p);
		}
	assert_int_equal(ev.nfiles, HOOKS_FILES_MAX);
	assert_true(ev.files_truncated);
	assert_string_equal(ev.files[HOOKS_FILES_MAX - 1], "f4095");
	hooks_event_dispose(&ev);
}

static void test_names(void **state)
{
	(void)state;
	hooks_forge f;
	assert_int_equal(hooks_forge_parse(&f, "gitlab"), 0);
	assert_int_equal(f, HOOKS_FORGE_GITLAB);
	assert_int_equal(hooks_forge_parse(&f, "bitbucket"), GF_EINVALID);
	assert_string_equal(hooks_delivery_header(HOOKS_FORGE_GITHUB), "X-GitHub-Delivery");
	assert_string_equal(hooks_delivery_header(HOOKS_FORGE_GITEA), "X-Gitea-Delivery");
	assert_string_equal(hooks_delivery_header(HOOKS_FORGE_GITLAB), "X-Gitlab-Event-UUID");
	hooks_event_type t;
	assert_int_equal(hooks_event_type_parse(&t, "PULL_REQUEST_MERGED"), 0);
	assert_int_equal(t, HOOKS_EVENT_PULL_REQUEST_MERGED);
	assert_true(hooks_event_is_pull_request(t));
	assert_false(hooks_event_is_pull_request(HOOKS_EVENT_PUSH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_github_published_example),
	        cmocka_unit_test(test_signature_failures),
	        cmocka_unit_test(test_decode_table),
	        cmocka_unit_test(test_decode_errors),
	        cmocka_unit_test(test_files_are_capped_and_unique),
	        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
