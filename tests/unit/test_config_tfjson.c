/* config: modules written in .tf.json (alone and mixed with .tf, planned
 * the same as the all-.tf module) and override files with Terraform's
 * merging rules. Each test writes its module into a fresh directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "config/config.h"
#include "plan/plan.h"
#include "provider/provider.h"
#include "state/state.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char DIR_[256];
static config *CFG;

static void put_in(const char *dir, const char *name, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(gf_fs_write_atomic(path, content, strlen(content), 0644), 0);
}

static void put(const char *name, const char *content)
{
	put_in(DIR_, name, content);
}

static int setup(void **unused)
{
	(void)unused;
	snprintf(DIR_, sizeof(DIR_), "%s/gf-tfjson-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(DIR_));
	CFG = NULL;
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	config_free(CFG);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", DIR_);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static config *load(void)
{
	config_free(CFG);
	CFG = config_load(DIR_);
	config_set_variables(CFG, NULL, 0, NULL);
	return CFG;
}

static const char *diags(void)
{
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < CFG->diags.list.len; i++) {
		const hcl_diag *d = &CFG->diags.list.items[i];
		gf_buf_printf(&b, "%s | %s | %s\n", d->summary, d->detail ? d->detail : "",
		              d->subject.filename ? hcl_range_string(&CFG->arena, &d->subject)
		                                  : "-");
	}
	char *s = gf_arena_strdup(&CFG->arena, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return s;
}

static void no_errors(void)
{
	if (hcl_diags_has_errors(&CFG->diags))
		fail_msg("unexpected errors:\n%s", diags());
}

static const char *output_string(const char *name)
{
	for (size_t i = 0; i < CFG->root->outputs.len; i++)
		if (!strcmp(CFG->root->outputs.items[i].name, name)) {
			const hcl_value *v =
			        config_output_value(CFG, CFG->root, &CFG->root->outputs.items[i]);
			assert_non_null(v);
			if (v->kind != HCL_VAL_STRING)
				return hcl_value_to_json(&CFG->arena, v);
			return v->u.str.ptr;
		}
	fail_msg("no output %s", name);
	return NULL;
}

/* ---- a module half in JSON plans as the all-.tf one -------------------- */

static const char *MAIN_TF =
        "variable \"port\" {\n  type = number\n  default = 8080\n}\n"
        "locals {\n  name = \"web\"\n}\n"
        "resource \"fleet_lb\" \"web\" { name = local.name }\n"
        "resource \"fleet_target_group\" \"web\" {\n  name = \"${local.name}-tg\"\n"
        "  health_check {\n    path = \"/health\"\n  }\n}\n";
static const char *REST_TF = "resource \"fleet_lb_listener\" \"http\" {\n"
                             "  load_balancer_id = fleet_lb.web.id\n  port = var.port\n"
                             "  default_action {\n    type = \"forward\"\n"
                             "    target_group_id = fleet_target_group.web.id\n  }\n"
                             "  depends_on = [fleet_lb.web]\n}\n"
                             "output \"url\" { value = \"http://127.0.0.1:${var.port}/\" }\n";
static const char *REST_JSON =
        "{\n  \"//\": \"the listener, in JSON\",\n"
        "  \"resource\": {\"fleet_lb_listener\": {\"http\": {\n"
        "    \"load_balancer_id\": \"${fleet_lb.web.id}\",\n"
        "    \"port\": \"${var.port}\",\n"
        "    \"default_action\": {\"type\": \"forward\",\n"
        "      \"target_group_id\": \"${fleet_target_group.web.id}\"},\n"
        "    \"depends_on\": [\"fleet_lb.web\"]\n  }}},\n"
        "  \"output\": {\"url\": {\"value\": \"http://127.0.0.1:${var.port}/\"}}\n}\n";

static char *plan_text(void)
{
	load();
	no_errors();
	state *st = state_new();
	provider_conn conn;
	provider_conn_init(&conn, "unix:/nonexistent", NULL);
	plan_options o = {0};
	plan *p = plan_make(CFG, st, &o, &conn);
	assert_non_null(p);
	if (hcl_diags_has_errors(&CFG->diags))
		fail_msg("plan errors:\n%s", diags());
	gf_buf out = GF_BUF_INIT;
	plan_render_opts ro = {false, false};
	plan_render(&out, p, &ro);
	char *s = gf_buf_detach(&out);
	plan_free(p);
	provider_conn_dispose(&conn);
	state_free(st);
	return s;
}

static void test_mixed_json_plans_like_native(void **unused)
{
	(void)unused;
	put("main.tf", MAIN_TF);
	put("rest.tf", REST_TF);
	char *native = plan_text();
	assert_non_null(strstr(native, "fleet_lb_listener.http"));
	assert_non_null(strstr(native, "/health"));
	assert_int_equal(unlink(gf_arena_printf(&CFG->arena, "%s/rest.tf", DIR_)), 0);
	put("rest.tf.json", REST_JSON);
	char *json = plan_text();
	assert_int_equal(CFG->root->nfiles, 2);
	assert_string_equal(native, json);
	free(native);
	free(json);
}

/* A JSON override's nested block replaces a native one: the property is
 * told to be blocks only by the provider's schema, at plan time. */
static void test_json_override_of_native_blocks(void **unused)
{
	(void)unused;
	put("main.tf", MAIN_TF);
	put("rest.tf", REST_TF);
	put("web_override.tf.json", "{\"resource\": {\"fleet_target_group\": {\"web\": {\n"
	                            "  \"health_check\": [{\"path\": \"/json\"}]}}}}\n");
	char *text = plan_text();
	if (!strstr(text, "/json") || strstr(text, "/health"))
		fail_msg("override not applied:\n%s", text);
	free(text);
}

static void test_json_variable_type_and_errors(void **unused)
{
	(void)unused;
	put("vars.tf.json", "{\"variable\": {\"l\": {\"type\": \"list(number)\",\n"
	                    "  \"default\": [\"1\", 2]}},\n"
	                    " \"output\": {\"o\": {\"value\": \"${var.l[0] + 1}\"}}}");
	load();
	no_errors();
	assert_string_equal(output_string("o"), "2");
	put("bad.tf.json", "{\"resource\": {\"fleet_lb\": {\"x\": {\"name\": 1,}}}}");
	load();
	assert_non_null(strstr(diags(), "Invalid JSON syntax"));
	if (!strstr(diags(), "bad.tf.json:1,44-45"))
		fail_msg("%s", diags());
}

/* moved and removed blocks read from JSON as from the native syntax */
static void test_json_moved_and_removed(void **unused)
{
	(void)unused;
	put("moves.tf.json",
	    "{\"moved\": [{\"from\": \"fleet_lb.a\", \"to\": \"module.m.fleet_lb.b\"}],\n"
	    " \"removed\": [{\"from\": \"fleet_lb.r\",\n"
	    "   \"lifecycle\": {\"destroy\": false}}]}\n");
	load();
	no_errors();
	assert_int_equal(CFG->root->moved.len, 1);
	assert_string_equal(CFG->root->moved.items[0].from, "fleet_lb.a");
	assert_string_equal(CFG->root->moved.items[0].to, "module.m.fleet_lb.b");
	assert_int_equal(CFG->root->removed.len, 1);
	assert_string_equal(CFG->root->removed.items[0].from, "fleet_lb.r");
	assert_false(CFG->root->removed.items[0].destroy);
}

/* ---- overrides ------------------------------------------------------------ */

static void test_override_resource_and_variable(void **unused)
{
	(void)unused;
	put("main.tf", "variable \"v\" {\n  type = string\n  default = \"a\"\n}\n"
	               "resource \"fleet_target_group\" \"t\" {\n  name = \"t\"\n"
	               "  algorithm = \"round_robin\"\n"
	               "  health_check {\n    path = \"/a\"\n  }\n"
	               "  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
	               "output \"o\" { value = var.v }\n");
	put("main_override.tf", "variable \"v\" { default = \"b\" }\n"
	                        "resource \"fleet_target_group\" \"t\" {\n"
	                        "  name = \"t2\"\n"
	                        "  health_check {\n    path = \"/b\"\n  }\n"
	                        "  lifecycle {\n    create_before_destroy = true\n  }\n}\n");
	put("override.tf.json", "{\"output\": {\"o\": {\"value\": \"${var.v}!\"}}}");
	load();
	no_errors();
	assert_string_equal(output_string("o"), "b!");
	const config_resource *r = &CFG->root->resources.items[0];
	assert_int_equal(CFG->root->resources.len, 1);
	assert_true(r->lifecycle.prevent_destroy);
	assert_true(r->lifecycle.create_before_destroy);
	const hcl_attribute *name = hcl_body_attribute(r->body, "name");
	assert_string_equal(name->expr->u.lit.text, "t2");
	assert_string_equal(name->name_range.filename + strlen(name->name_range.filename) -
	                            strlen("main_override.tf"),
	                    "main_override.tf");
	assert_non_null(hcl_body_attribute(r->body, "algorithm"));
	size_t hc = 0;
	for (size_t i = 0; i < r->body->len; i++)
		if (r->body->items[i].kind == HCL_ITEM_BLOCK &&
		    !strcmp(r->body->items[i].u.block->type, "health_check")) {
			hc++;
			const hcl_attribute *p =
			        hcl_body_attribute(r->body->items[i].u.block->body, "path");
			assert_string_equal(p->expr->u.lit.text, "/b");
		}
	assert_int_equal(hc, 1);
}

static void test_override_locals_and_terraform(void **unused)
{
	(void)unused;
	put("a.tf", "locals {\n  x = 1\n  y = 2\n}\n"
	            "terraform {\n  required_providers {\n"
	            "    fleet = { source = \"gitfleet/fleet\", version = \"1.0\" }\n"
	            "    random = { source = \"hashicorp/random\" }\n  }\n"
	            "  backend \"local\" {\n    path = \"a.tfstate\"\n  }\n}\n"
	            "output \"sum\" { value = local.x + local.y }\n");
	put("b_override.tf",
	    "locals {\n  y = 40\n}\n"
	    "terraform {\n  required_providers {\n"
	    "    fleet = { source = \"gitfleet/fleet\", version = \"2.0\" }\n"
	    "  }\n"
	    "  backend \"http\" {\n    address = \"http://127.0.0.1:1/\"\n  }\n}\n");
	load();
	no_errors();
	assert_string_equal(output_string("sum"), "41");
	assert_string_equal(CFG->root->backend_type, "http");
	assert_int_equal(CFG->root->required_providers.len, 2);
	for (size_t i = 0; i < 2; i++) {
		const config_required_provider *rp = &CFG->root->required_providers.items[i];
		if (!strcmp(rp->name, "fleet"))
			assert_string_equal(rp->version, "2.0");
		else
			assert_string_equal(rp->source, "hashicorp/random");
	}
}

static void test_override_without_base_is_an_error(void **unused)
{
	(void)unused;
	put("main.tf", "locals {\n  x = 1\n}\nresource \"fleet_lb\" \"a\" { name = \"a\" }\n");
	put("override.tf", "resource \"fleet_lb\" \"b\" { name = \"b\" }\n"
	                   "locals {\n  z = 2\n}\n"
	                   "resource \"fleet_lb\" \"a\" {\n  depends_on = []\n}\n");
	load();
	const char *d = diags();
	assert_non_null(strstr(d, "Missing base resource to override | There is no resource "
	                          "\"fleet_lb\" \"b\" block"));
	assert_non_null(strstr(d, "override.tf:1,1-9"));
	assert_non_null(strstr(d, "Missing base local value definition to override"));
	assert_non_null(strstr(d, "override.tf:3,3-4"));
	assert_non_null(strstr(d, "Unsupported override"));
	/* the override's resource is not declared on its own */
	assert_int_equal(CFG->root->resources.len, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_mixed_json_plans_like_native, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_json_override_of_native_blocks, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_json_variable_type_and_errors, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_json_moved_and_removed, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_override_resource_and_variable, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_override_locals_and_terraform, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_override_without_base_is_an_error, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
