/* provider: fleet_build_project and fleet_webhook. Their configuration
 * decodes (repeated filter_group and filter blocks, "Did you mean"), the
 * PUT bodies they make are what the daemon's own decoding accepts, and
 * the object read back from the daemon's answer equals the planned one —
 * which is what makes the next plan empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"
#include "provider/provider.h"

#include <string.h>

static gf_arena A;
static hcl_diags D;

static int setup(void **unused)
{
	(void)unused;
	gf_arena_init(&A);
	hcl_diags_init(&D, &A);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	hcl_diags_dispose(&D);
	gf_arena_dispose(&A);
	return 0;
}

/* The configuration object of the one resource block in `src`; NULL when
 * it has errors (left in D). */
static const hcl_value *decode(const char *src)
{
	hcl_body *body = hcl_parse_file("main.tf", src, strlen(src), &A, &D);
	assert_false(hcl_diags_has_errors(&D));
	assert_int_equal(body->len, 1);
	const hcl_block *b = body->items[0].u.block;
	const provider_schema *s = provider_schema_find(b->labels[0].value);
	assert_non_null(s);
	hcl_scope scope = {0};
	return provider_decode(&A, s, b->body, &b->open_brace, &scope, &D);
}

static const hcl_value *plan(const char *type, const hcl_value *config, const hcl_value *prior,
                             size_t *nreplace)
{
	const char **replace;
	size_t n;
	const hcl_value *p =
	        provider_plan(&A, provider_schema_find(type), config, prior, NULL, &replace, &n);
	assert_non_null(p);
	if (nreplace)
		*nreplace = n;
	return p;
}

static const char *str(const hcl_value *obj, const char *name)
{
	const hcl_value *v = hcl_value_get(obj, name);
	assert_non_null(v);
	return v->kind == HCL_VAL_STRING ? v->u.str.ptr : NULL;
}

/* The first (only) block `name` of an object. */
static const hcl_value *block(const hcl_value *obj, const char *name, size_t i)
{
	const hcl_value *l = hcl_value_get(obj, name);
	assert_non_null(l);
	assert_true(l->kind == HCL_VAL_LIST && l->u.coll.len > i);
	return l->u.coll.items[i];
}

/* Every argument (non-computed attribute) and block of `s` equal. */
static void assert_same_config(const provider_schema *s, const hcl_value *a, const hcl_value *b)
{
	for (size_t i = 0; i < s->body.nattrs; i++) {
		const provider_attr *pa = &s->body.attrs[i];
		if (!(pa->flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL)))
			continue;
		if (!hcl_value_equal(hcl_value_get(a, pa->name), hcl_value_get(b, pa->name)))
			fail_msg("%s.%s differs: %s vs %s", s->type, pa->name,
			         hcl_value_to_json(&A, hcl_value_get(a, pa->name)),
			         hcl_value_to_json(&A, hcl_value_get(b, pa->name)));
	}
	for (size_t i = 0; i < s->body.nblocks; i++) {
		const char *n = s->body.blocks[i].name;
		if (!hcl_value_equal(hcl_value_get(a, n), hcl_value_get(b, n)))
			fail_msg("%s.%s differs: %s vs %s", s->type, n,
			         hcl_value_to_json(&A, hcl_value_get(a, n)),
			         hcl_value_to_json(&A, hcl_value_get(b, n)));
	}
}

static const char PROJECT[] = "resource \"fleet_build_project\" \"site\" {\n"
                              "  name          = \"site\"\n"
                              "  build_timeout = 10\n"
                              "  source {\n"
                              "    type      = \"GITFLEET\"\n"
                              "    buildspec = \"buildspec.yaml\"\n"
                              "    git_clone_depth = 1\n"
                              "  }\n"
                              "  environment {\n"
                              "    variables = { STAGE = \"prod\" }\n"
                              "    secrets   = { db = \"s3cr3t-value\" }\n"
                              "  }\n"
                              "}\n";

static void test_project_round_trip(void **unused)
{
	(void)unused;
	const provider_schema *s = provider_schema_find("fleet_build_project");
	const hcl_value *config = decode(PROJECT);
	assert_non_null(config);
	const hcl_value *p = plan("fleet_build_project", config, NULL, NULL);
	assert_string_equal(str(p, "id"), "site");
	assert_int_equal(hcl_value_get(p, "repo_url")->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(hcl_value_get(p, "notify_secret")->kind, HCL_VAL_UNKNOWN);
	assert_string_equal(str(block(p, "source", 0), "location"), "");
	assert_string_equal(str(p, "notify_url"), "");

	/* The body is what the daemon accepts, and it keeps every value. */
	json_t *body = provider_fleet_body(&A, s, p);
	assert_null(json_object_get(body, "repo_url"));
	assert_null(json_object_get(body, "id"));
	json_t *spec = NULL;
	char err[256];
	if (pipeline_project_decode(&spec, err, sizeof(err), "site", body) < 0)
		fail_msg("the daemon refused the body: %s", err);
	json_t *sent = json_object_get(body, "source");
	assert_true(json_equal(sent, json_object_get(spec, "source")));
	assert_true(json_equal(json_object_get(body, "environment"),
	                       json_object_get(spec, "environment")));
	assert_int_equal(json_integer_value(json_object_get(spec, "build_timeout")), 10);

	/* The answer, as GET shows it: secret values hidden, repo_url added. */
	json_t *answer = json_deep_copy(spec);
	json_object_set_new(json_object_get(json_object_get(answer, "environment"), "secrets"),
	                    "db", json_string("(sensitive)"));
	json_object_set_new(answer, "repo_url", json_string("/home/gf/repos/site.git"));
	json_object_set_new(answer, "notify_secret", json_string("abcd"));
	json_t *copy = json_deep_copy(answer);
	const hcl_value *got = provider_fleet_object(&A, s, copy, p);
	json_decref(copy);
	assert_same_config(s, got, p);
	assert_string_equal(str(got, "id"), "site");
	assert_string_equal(str(got, "repo_url"), "/home/gf/repos/site.git");
	assert_string_equal(str(got, "notify_secret"), "abcd");

	/* The next plan over what was read changes nothing. */
	size_t nrep;
	const hcl_value *again = plan("fleet_build_project", config, got, &nrep);
	assert_int_equal(nrep, 0);
	assert_true(hcl_value_equal(again, got));

	/* A secret added outside gitfleet shows up as a difference. */
	json_object_set_new(json_object_get(json_object_get(answer, "environment"), "secrets"),
	                    "other", json_string("(sensitive)"));
	copy = json_deep_copy(answer);
	const hcl_value *drift = provider_fleet_object(&A, s, copy, p);
	json_decref(copy);
	assert_false(hcl_value_equal(hcl_value_get(block(drift, "environment", 0), "secrets"),
	                             hcl_value_get(block(p, "environment", 0), "secrets")));

	/* A GIT project is no longer hosted: repo_url is unknown again. */
	const hcl_value *git = decode("resource \"fleet_build_project\" \"site\" {\n"
	                              "  name = \"site\"\n"
	                              "  source {\n"
	                              "    type     = \"GIT\"\n"
	                              "    location = \"https://example.com/site.git\"\n"
	                              "  }\n"
	                              "}\n");
	const hcl_value *gp = plan("fleet_build_project", git, got, &nrep);
	assert_int_equal(nrep, 0);
	assert_int_equal(hcl_value_get(gp, "repo_url")->kind, HCL_VAL_UNKNOWN);

	/* A new name replaces the project. */
	const char *renamed = "resource \"fleet_build_project\" \"site\" {\n"
	                      "  name = \"web\"\n"
	                      "  source { type = \"GITFLEET\" }\n"
	                      "}\n";
	plan("fleet_build_project", decode(renamed), got, &nrep);
	assert_int_equal(nrep, 1);

	json_decref(answer);
	json_decref(spec);
	json_decref(body);
}

/* As the issue writes it, but with one argument per line: HCL (and
 * Terraform) refuse two arguments in a single-line block. */
static const char WEBHOOK[] = "resource \"fleet_webhook\" \"site\" {\n"
                              "  project_name = \"site\"\n"
                              "  filter_group {\n"
                              "    filter {\n"
                              "      type    = \"EVENT\"\n"
                              "      pattern = \"PUSH\"\n"
                              "    }\n"
                              "    filter {\n"
                              "      type    = \"HEAD_REF\"\n"
                              "      pattern = \"^refs/heads/master$\"\n"
                              "    }\n"
                              "  }\n"
                              "  filter_group {\n"
                              "    filter {\n"
                              "      type    = \"EVENT\"\n"
                              "      pattern = \"PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,"
                              "PULL_REQUEST_REOPENED\"\n"
                              "    }\n"
                              "    filter {\n"
                              "      type                    = \"BASE_REF\"\n"
                              "      pattern                 = \"^refs/heads/master$\"\n"
                              "      exclude_matched_pattern = false\n"
                              "    }\n"
                              "  }\n"
                              "}\n";

static void test_webhook_round_trip(void **unused)
{
	(void)unused;
	const provider_schema *s = provider_schema_find("fleet_webhook");
	const hcl_value *config = decode(WEBHOOK);
	assert_non_null(config);
	assert_int_equal(hcl_value_get(config, "filter_group")->u.coll.len, 2);
	const hcl_value *p = plan("fleet_webhook", config, NULL, NULL);
	assert_string_equal(str(p, "id"), "site");
	assert_int_equal(hcl_value_get(p, "secret")->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(hcl_value_get(p, "payload_url")->kind, HCL_VAL_UNKNOWN);

	/* The API's shape: filter_groups, an array of arrays of filters. */
	json_t *body = provider_fleet_body(&A, s, p);
	json_t *want = json_loads(
	        "{\"project_name\": \"site\", \"filter_groups\": ["
	        "[{\"type\": \"EVENT\", \"pattern\": \"PUSH\", \"exclude_matched_pattern\": false},"
	        " {\"type\": \"HEAD_REF\", \"pattern\": \"^refs/heads/master$\","
	        "  \"exclude_matched_pattern\": false}],"
	        "[{\"type\": \"EVENT\", \"pattern\": "
	        "\"PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED\","
	        "  \"exclude_matched_pattern\": false},"
	        " {\"type\": \"BASE_REF\", \"pattern\": \"^refs/heads/master$\","
	        "  \"exclude_matched_pattern\": false}]]}",
	        0, NULL);
	assert_non_null(want);
	if (!json_equal(body, want))
		fail_msg("body: %s", json_dumps(body, JSON_COMPACT));
	pipeline_filters *f = NULL;
	assert_int_equal(pipeline_filters_compile(&f, json_object_get(body, "filter_groups")), 0);
	pipeline_filters_free(f);

	/* The answer: the spec stored, the secret, the payload URLs. */
	json_t *answer = json_deep_copy(body);
	json_object_set_new(answer, "secret", json_string("0123456789abcdef0123456789abcdef"));
	json_object_set_new(answer, "payload_url", json_string("/hooks/github/site"));
	json_object_set_new(answer, "payload_urls",
	                    json_pack("{s:s}", "github", "/hooks/github/site"));
	const hcl_value *got = provider_fleet_object(&A, s, answer, p);
	json_decref(answer);
	assert_same_config(s, got, p);
	assert_string_equal(str(got, "id"), "site");
	assert_string_equal(str(got, "secret"), "0123456789abcdef0123456789abcdef");
	assert_string_equal(str(got, "payload_url"), "/hooks/github/site");
	size_t nrep;
	assert_true(hcl_value_equal(plan("fleet_webhook", config, got, &nrep), got));
	assert_int_equal(nrep, 0);

	/* A changed filter is an update in place that keeps the secret. */
	char *changed = gf_xstrdup(WEBHOOK);
	memcpy(strstr(changed, "master$\"\n"), "main$\"  \n", 9);
	const hcl_value *up = plan("fleet_webhook", decode(changed), got, &nrep);
	free(changed);
	assert_int_equal(nrep, 0);
	assert_false(hcl_value_equal(up, got));
	assert_string_equal(str(up, "secret"), "0123456789abcdef0123456789abcdef");
	assert_string_equal(str(block(block(up, "filter_group", 0), "filter", 1), "pattern"),
	                    "^refs/heads/main$");

	/* Another project replaces the webhook. */
	plan("fleet_webhook",
	     decode("resource \"fleet_webhook\" \"site\" { project_name = \"web\" }\n"), got,
	     &nrep);
	assert_int_equal(nrep, 1);

	/* No group: an empty filter_groups is sent, so that removing the
	 * last group reaches the daemon. */
	const hcl_value *none =
	        plan("fleet_webhook",
	             decode("resource \"fleet_webhook\" \"site\" { project_name = \"site\" }\n"),
	             got, NULL);
	json_t *nb = provider_fleet_body(&A, s, none);
	assert_int_equal(json_array_size(json_object_get(nb, "filter_groups")), 0);
	assert_non_null(json_object_get(nb, "filter_groups"));
	json_decref(nb);
	json_decref(want);
	json_decref(body);
}

/* The first error's summary and detail, "" when none. */
static const char *first_error(void)
{
	for (size_t i = 0; i < D.list.len; i++)
		if (D.list.items[i].severity == HCL_DIAG_ERROR)
			return gf_arena_printf(&A, "%s: %s", D.list.items[i].summary,
			                       D.list.items[i].detail);
	return "";
}

static void check_error(const char *src, const char *want)
{
	hcl_diags_dispose(&D);
	hcl_diags_init(&D, &A);
	assert_null(decode(src));
	if (!strstr(first_error(), want))
		fail_msg("[%s]\n  got  %s\n  want %s", src, first_error(), want);
}

static void test_decode_errors(void **unused)
{
	(void)unused;
	check_error("resource \"fleet_webhook\" \"w\" {\n"
	            "  project_name = \"site\"\n"
	            "  filter_grup {\n"
	            "    filter { type = \"EVENT\" }\n"
	            "  }\n"
	            "}\n",
	            "Did you mean \"filter_group\"?");
	check_error("resource \"fleet_webhook\" \"w\" {\n"
	            "  project_name = \"site\"\n"
	            "  filter_group {\n"
	            "    filter {\n"
	            "      type   = \"EVENT\"\n"
	            "      patern = \"PUSH\"\n"
	            "    }\n"
	            "  }\n"
	            "}\n",
	            "Did you mean \"pattern\"?");
	check_error("resource \"fleet_webhook\" \"w\" {\n"
	            "  project_name = \"site\"\n"
	            "  secret = \"0123456789abcdef\"\n"
	            "}\n",
	            "computed by the provider");
	check_error("resource \"fleet_webhook\" \"w\" {\n"
	            "  project_name = \"site\"\n"
	            "  filter_group {}\n"
	            "}\n",
	            "Insufficient filter blocks");
	check_error("resource \"fleet_build_project\" \"p\" {\n"
	            "  name = \"site\"\n"
	            "  source { type = \"GITFLEET\" }\n"
	            "  source { type = \"GIT\" }\n"
	            "}\n",
	            "Too many source blocks");
	check_error("resource \"fleet_build_project\" \"p\" {\n"
	            "  name = \"site\"\n"
	            "}\n",
	            "Insufficient source blocks");
	check_error("resource \"fleet_build_project\" \"p\" {\n"
	            "  name = \"site\"\n"
	            "  build_timeuot = 5\n"
	            "  source { type = \"GITFLEET\" }\n"
	            "}\n",
	            "Did you mean \"build_timeout\"?");
	check_error("resource \"fleet_build_project\" \"p\" {\n"
	            "  name = \"site\"\n"
	            "  repo_url = \"x\"\n"
	            "  source { type = \"GITFLEET\" }\n"
	            "}\n",
	            "computed by the provider");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_project_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_webhook_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_decode_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
