/* provider: the schemas agree with the daemon (every default of a fleet_*
 * argument is the default the daemon's spec decoding fills in, under the
 * same name), and docs/resources.md is exactly what the schemas say
 * (GF_UPDATE_GOLDEN=1 regenerates it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cloud/cloud.h"
#include "pipeline/pipeline.h"
#include "provider/provider.h"

#include <stdio.h>
#include <string.h>

/* A minimal valid API body per fleet type (the required fields). */
static const struct {
	const char *type;
	cloud_kind kind;
	const char *body;
} MINIMAL[] = {
        {"fleet_lb", CLOUD_LB, "{}"},
        {"fleet_lb_listener", CLOUD_LISTENER,
         "{\"load_balancer_id\": \"web\", \"port\": 8080, \"default_action\": "
         "{\"type\": \"forward\", \"target_group_id\": \"tg\"}}"},
        {"fleet_target_group", CLOUD_TARGET_GROUP, "{}"},
        {"fleet_launch_template", CLOUD_LAUNCH_TEMPLATE,
         "{\"release\": \"0000000000000000000000000000000000000000000000000000000000000000\"}"},
        {"fleet_autoscaling_group", CLOUD_ASG,
         "{\"min_size\": 1, \"max_size\": 2, \"launch_template\": \"web\"}"},
};

static void check_defaults(const provider_block_schema *s, json_t *spec, const char *where)
{
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		if (!pa->default_json)
			continue;
		json_t *want = json_loads(pa->default_json, JSON_DECODE_ANY, NULL);
		json_t *got = json_object_get(spec, pa->name);
		if (!got || !json_equal(want, got))
			fail_msg("%s.%s: the schema's default %s is not the daemon's", where,
			         pa->name, pa->default_json);
		json_decref(want);
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		json_t *inner = json_object_get(spec, s->blocks[i].name);
		if (s->blocks[i].defaulted || inner) {
			if (!json_is_object(inner))
				fail_msg("%s.%s: the daemon has no such object", where,
				         s->blocks[i].name);
			check_defaults(s->blocks[i].schema, inner, s->blocks[i].name);
		}
	}
}

/* fleet_build_project's defaults are those of the pipeline's project
 * decoding. */
static void test_project_defaults_match_daemon(void **unused)
{
	const provider_schema *s = provider_schema_find("fleet_build_project");
	assert_non_null(s);
	json_t *body = json_loads("{\"source\": {\"type\": \"GITFLEET\"}}", 0, NULL), *spec = NULL;
	char err[256];
	if (pipeline_project_decode(&spec, err, sizeof(err), "site", body) < 0)
		fail_msg("fleet_build_project: %s", err);
	check_defaults(&s->body, spec, "fleet_build_project");
	json_decref(spec);
	json_decref(body);
}

static void test_fleet_defaults_match_daemon(void **unused)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(MINIMAL); i++) {
		const provider_schema *s = provider_schema_find(MINIMAL[i].type);
		assert_non_null(s);
		json_t *body = json_loads(MINIMAL[i].body, 0, NULL), *spec = NULL;
		cloud_spec_error err;
		if (cloud_spec_decode(&spec, &err, MINIMAL[i].kind, "web", body) < 0)
			fail_msg("%s: %s: %s", MINIMAL[i].type, err.field, err.message);
		check_defaults(&s->body, spec, MINIMAL[i].type);
		json_decref(spec);
		json_decref(body);
	}
}

/* ---- docs/resources.md ----------------------------------------------------- */

static const char *type_name(const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_STRING:
		return "string";
	case HCL_TYPE_NUMBER:
		return "number";
	case HCL_TYPE_BOOL:
		return "bool";
	case HCL_TYPE_LIST:
		return "list(string)";
	case HCL_TYPE_MAP:
		return "map(string)";
	default:
		return "any";
	}
}

static void attr_rows(gf_buf *b, const provider_block_schema *s, bool computed_only)
{
	gf_buf_puts(b, "| Name | Type | Kind | Default | Description |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		bool only = !(pa->flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL));
		if (only != computed_only)
			continue;
		const char *kind =
		        pa->flags & PROVIDER_REQUIRED ? "required"
		        : (pa->flags & PROVIDER_OPTIONAL) && (pa->flags & PROVIDER_COMPUTED)
		                ? "optional, computed"
		        : pa->flags & PROVIDER_OPTIONAL ? "optional"
		                                        : "computed";
		gf_buf_printf(b, "| `%s` | %s | %s%s%s | %s%s%s | %s |\n", pa->name,
		              type_name(pa->type), kind,
		              pa->flags & PROVIDER_FORCE_NEW ? ", forces replacement" : "",
		              pa->flags & PROVIDER_SENSITIVE ? ", sensitive" : "",
		              pa->default_json ? "`" : "", pa->default_json ? pa->default_json : "",
		              pa->default_json ? "`" : "", pa->description);
	}
}

/* A block's section, then its nested blocks' (named `outer.inner`). */
static void block_docs(gf_buf *b, const provider_block *pb, const char *outer)
{
	const char *kind = pb->many && pb->required ? "required, at least one"
	                   : pb->many               ? "optional, any number, in order"
	                   : pb->required           ? "required, exactly one"
	                   : pb->defaulted ? "optional, at most one; absent means every default"
	                                   : "optional, at most one";
	char path[128];
	snprintf(path, sizeof(path), "%s%s%s", outer, *outer ? "." : "", pb->name);
	gf_buf_printf(b, "\n### Block `%s` (%s)\n\n%s\n", path, kind, pb->description);
	if (pb->schema->nattrs) {
		gf_buf_putc(b, '\n');
		attr_rows(b, pb->schema, false);
	}
	for (size_t i = 0; i < pb->schema->nblocks; i++)
		block_docs(b, &pb->schema->blocks[i], path);
}

static void render_docs(gf_buf *b)
{
	gf_buf_puts(b,
	            "# Resources\n\n"
	            "Every resource type gitfleet manages, with its arguments (set in the\n"
	            "configuration) and attributes (computed, readable by references such as\n"
	            "`fleet_lb.web.id`). This file is generated from the provider schemas\n"
	            "(src/provider/schema.c): tests/unit/test_provider.c fails when they\n"
	            "disagree; run it with GF_UPDATE_GOLDEN=1 to regenerate it.\n\n"
	            "An optional argument with a default takes it when absent, and plans show\n"
	            "it. A change of an argument that forces replacement destroys the object and\n"
	            "creates a new one (or the reverse order with `create_before_destroy`);\n"
	            "other changes update the object in place.\n");
	size_t n;
	const provider_schema *const *all = provider_schemas(&n);
	for (size_t i = 0; i < n; i++) {
		const provider_schema *s = all[i];
		gf_buf_printf(b, "\n## %s\n\n%s (provider \"%s\")\n\n### Arguments\n\n", s->type,
		              s->description, s->provider);
		attr_rows(b, &s->body, false);
		for (size_t k = 0; k < s->body.nblocks; k++)
			block_docs(b, &s->body.blocks[k], "");
		gf_buf_puts(b, "\n### Attributes\n\n");
		attr_rows(b, &s->body, true);
	}
}

static void test_docs_match_schemas(void **unused)
{
	gf_buf b = GF_BUF_INIT;
	render_docs(&b);
	char path[512];
	snprintf(path, sizeof(path), "%s/../../docs/resources.md", getenv("GF_TEST_DATA"));
	if (getenv("GF_UPDATE_GOLDEN"))
		assert_int_equal(gf_fs_write_atomic(path, b.ptr, b.len, 0644), 0);
	gf_buf want = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&want, path), 0);
	if (strcmp(gf_buf_cstr(&want), gf_buf_cstr(&b)) != 0)
		fail_msg("docs/resources.md does not match the schemas: regenerate it with "
		         "GF_UPDATE_GOLDEN=1 tests/test_provider");
	gf_buf_dispose(&want);
	gf_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fleet_defaults_match_daemon),
	        cmocka_unit_test(test_project_defaults_match_daemon),
	        cmocka_unit_test(test_docs_match_schemas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
