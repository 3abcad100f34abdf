/* plan: the dependency graph (order, cycle path), diffs against provider
 * schemas (required, optional, computed, forces replacement, unknowns),
 * lifecycle rules, rendering against golden files (tests/data/plan/;
 * GF_UPDATE_GOLDEN=1 rewrites them), random_id's encodings, and saved
 * plans (round trip, staleness). No daemon: refresh is off. */
#include "plan_fixture.h"

static void put_state(const char *addr, const char *provider, const char *attrs)
{
	state_addr a;
	assert_int_equal(state_addr_parse(&a, addr), 0);
	state_instance *i = state_instance_ensure(ST, &a, provider);
	json_error_t je;
	json_t *j = json_loads(attrs, 0, &je);
	assert_non_null(j);
	state_instance_set_attributes(i, j);
	state_addr_dispose(&a);
}

static size_t seq(const char *addr)
{
	return change(addr)->seq;
}

#define LB_STATE "{\"id\":\"web\",\"name\":\"web\"}"
#define TG_STATE                                                                         \
	"{\"algorithm\":\"round_robin\",\"deregistration_delay\":5,\"id\":\"web-tg\","   \
	"\"name\":\"web-tg\",\"health_check\":[{\"healthy_threshold\":2,\"interval\":1," \
	"\"matcher\":\"200-399\",\"path\":\"/\",\"timeout\":1,\"unhealthy_threshold\":2}]}"
#define ASG_STATE                                                                             \
	"{\"desired_capacity\":2,\"health_check_grace_period\":30,\"id\":\"web\","            \
	"\"launch_template\":\"web\",\"launch_template_version\":\"$Latest\",\"max_size\":3," \
	"\"min_healthy_percentage\":100,\"min_size\":1,\"name\":\"web\","                     \
	"\"target_group_ids\":[\"web-tg\"],\"template_version\":1}"

static const char *STACK =
        "resource \"fleet_lb\" \"web\" { name = \"web\" }\n"
        "resource \"fleet_target_group\" \"web\" { name = \"web-tg\" }\n"
        "resource \"fleet_autoscaling_group\" \"web\" {\n"
        "  name = \"web\"\n  min_size = 1\n  max_size = 3\n  desired_capacity = %d\n"
        "  launch_template = \"web\"\n  target_group_ids = [fleet_target_group.web.id]\n"
        "  %s\n}\n"
        "resource \"fleet_lb_listener\" \"http\" {\n"
        "  load_balancer_id = fleet_lb.web.id\n  port = 8080\n"
        "  default_action {\n    type = \"forward\"\n"
        "    target_group_id = fleet_target_group.web.id\n  }\n}\n"
        "output \"url\" { value = \"http://127.0.0.1:${fleet_lb_listener.http.port}/\" }\n";

static const char *stack(int desired, const char *extra)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), STACK, desired, extra);
	return buf;
}

/* ---- graph ---------------------------------------------------------------------- */

static void test_graph_order(void **unused)
{
	assert_non_null(
	        make("resource \"terraform_data\" \"c\" { input = terraform_data.b.id }\n"
	             "locals { x = terraform_data.a.id }\n"
	             "resource \"terraform_data\" \"b\" { input = local.x }\n"
	             "resource \"terraform_data\" \"a\" {}\n"
	             "resource \"terraform_data\" \"d\" { depends_on = [terraform_data.c] }\n",
	             NULL));
	assert_true(seq("terraform_data.a") < seq("terraform_data.b"));
	assert_true(seq("terraform_data.b") < seq("terraform_data.c"));
	assert_true(seq("terraform_data.c") < seq("terraform_data.d"));
	const plan_change *b = change("terraform_data.b");
	assert_int_equal(b->ndeps, 1);
	assert_string_equal(b->deps[0], "terraform_data.a");
}

static void test_graph_cycle(void **unused)
{
	assert_null(make("resource \"terraform_data\" \"a\" { input = terraform_data.c.id }\n"
	                 "resource \"terraform_data\" \"b\" { input = terraform_data.a.id }\n"
	                 "resource \"terraform_data\" \"c\" { input = terraform_data.b.output }\n",
	                 NULL));
	assert_non_null(strstr(diags(), "Cycle: terraform_data.a, terraform_data.c, "
	                                "terraform_data.b |"));
}

/* ---- diff ------------------------------------------------------------------------- */

static void test_diff_required_and_unknown_args(void **unused)
{
	assert_null(make("resource \"fleet_lb_listener\" \"x\" {\n  nme = \"a\"\n  port = 1\n"
	                 "  load_balancer_id = \"lb\"\n}\n"
	                 "resource \"fleet_lb\" \"y\" {\n  nam = \"a\"\n}\n"
	                 "resource \"fleet_lbb\" \"z\" {}\n",
	                 NULL));
	const char *d = diags();
	assert_non_null(strstr(d, "Unsupported argument | An argument named \"nme\" is not "
	                          "expected here. Did you mean \"name\"?"));
	assert_non_null(strstr(d, "Insufficient default_action blocks | At least 1 "
	                          "\"default_action\" blocks are required."));
	assert_non_null(strstr(d, "Missing required argument | The argument \"name\" is "
	                          "required, but no definition was found."));
	assert_non_null(strstr(d, "Invalid resource type | The provider does not support "
	                          "resource type \"fleet_lbb\". Did you mean \"fleet_lb\"?"));
}

static void test_diff_create_defaults_computed(void **unused)
{
	assert_non_null(make(stack(2, ""), NULL));
	const plan_change *l = change("fleet_lb_listener.http");
	assert_int_equal(l->action, PLAN_CREATE);
	/* defaults filled, a computed name from its parts, id = name */
	assert_string_equal(hcl_value_get(l->after, "address")->u.str.ptr, "127.0.0.1");
	assert_string_equal(hcl_value_get(l->after, "name")->u.str.ptr, "web-8080");
	assert_string_equal(hcl_value_get(l->after, "id")->u.str.ptr, "web-8080");
	const plan_change *g = change("fleet_autoscaling_group.web");
	assert_int_equal(hcl_value_get(g->after, "template_version")->kind, HCL_VAL_UNKNOWN);
	const plan_change *r = NULL;
	(void)r;
	assert_int_equal(hcl_value_get(g->after, "min_healthy_percentage")->u.num, 100);
}

static void test_diff_update_replace_noop(void **unused)
{
	put_state("fleet_lb.web", STATE_PROVIDER_FLEET, LB_STATE);
	put_state("fleet_target_group.web", STATE_PROVIDER_FLEET, TG_STATE);
	put_state("fleet_autoscaling_group.web", STATE_PROVIDER_FLEET, ASG_STATE);
	assert_non_null(make(stack(3, ""), NULL));
	assert_int_equal(change("fleet_lb.web")->action, PLAN_NOOP);
	assert_int_equal(change("fleet_target_group.web")->action, PLAN_NOOP);
	assert_int_equal(change("fleet_autoscaling_group.web")->action, PLAN_UPDATE);
	assert_int_equal(change("fleet_lb_listener.http")->action, PLAN_CREATE);
	int add, chg, del;
	plan_counts(P, &add, &chg, &del);
	assert_int_equal(add, 1);
	assert_int_equal(chg, 1);
	assert_int_equal(del, 0);

	/* a new name forces replacement */
	char tf[4096];
	snprintf(tf, sizeof(tf), "%s", stack(2, ""));
	char *at = strstr(tf, "\"web-tg\"");
	memcpy(at, "\"web-tx\"", 8);
	assert_non_null(make(tf, NULL));
	const plan_change *t = change("fleet_target_group.web");
	assert_int_equal(t->action, PLAN_DELETE_CREATE);
	assert_int_equal(t->nreplace, 1);
	assert_string_equal(t->replace_paths[0], "name");
	/* the group that refers to it updates in place with the new id */
	assert_int_equal(change("fleet_autoscaling_group.web")->action, PLAN_UPDATE);
}

static void test_diff_orphan_and_count(void **unused)
{
	put_state("terraform_data.n[0]", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"a\",\"input\":null,\"output\":null,\"triggers_replace\":null}");
	put_state("terraform_data.n[1]", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"b\",\"input\":null,\"output\":null,\"triggers_replace\":null}");
	put_state("terraform_data.gone", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"c\",\"input\":null,\"output\":null,\"triggers_replace\":null}");
	assert_non_null(make("resource \"terraform_data\" \"n\" { count = 1 }\n", NULL));
	assert_int_equal(change("terraform_data.n[0]")->action, PLAN_NOOP);
	assert_int_equal(change("terraform_data.n[1]")->action, PLAN_DELETE);
	assert_string_equal(change("terraform_data.n[1]")->reason,
	                    "because index [1] is out of range for count");
	assert_string_equal(change("terraform_data.gone")->reason,
	                    "because terraform_data.gone is not in configuration");
	golden("orphans.txt");
}

/* A state whose attributes do not fit the schema stops the plan with the
 * instance's address (and leaks nothing: the suite runs under LSan). */
static void test_diff_invalid_prior_state(void **unused)
{
	put_state("terraform_data.n", STATE_PROVIDER_BUILTIN,
	          "{\"id\":[1],\"input\":null,\"output\":null,\"triggers_replace\":null}");
	make("resource \"terraform_data\" \"n\" {}\n", NULL);
	assert_non_null(strstr(diags(), "Invalid resource state | The state of terraform_data.n "
	                                "cannot be read: "));
}

/* ---- lifecycle --------------------------------------------------------------------- */

static void test_lifecycle(void **unused)
{
	put_state("fleet_lb.web", STATE_PROVIDER_FLEET, LB_STATE);
	put_state("fleet_target_group.web", STATE_PROVIDER_FLEET, TG_STATE);
	put_state("fleet_autoscaling_group.web", STATE_PROVIDER_FLEET, ASG_STATE);
	/* ignore_changes keeps the recorded value */
	assert_non_null(make(stack(3, "lifecycle { ignore_changes = [desired_capacity] }"), NULL));
	assert_int_equal(change("fleet_autoscaling_group.web")->action, PLAN_NOOP);
	/* -replace forces a replacement; create_before_destroy orders it +/- */
	const char *const rep[] = {"fleet_autoscaling_group.web"};
	plan_options o = {.replaces = rep, .nreplaces = 1};
	assert_non_null(make(stack(2, "lifecycle { create_before_destroy = true }"), &o));
	assert_int_equal(change("fleet_autoscaling_group.web")->action, PLAN_CREATE_DELETE);
	assert_string_equal(change("fleet_autoscaling_group.web")->reason, "because of -replace");
	/* create_before_destroy reaches the dependency */
	assert_true(change("fleet_target_group.web")->create_before_destroy);
	assert_false(change("fleet_lb.web")->create_before_destroy);
	/* prevent_destroy stops a plan that would destroy */
	assert_null(make(stack(2, "lifecycle { prevent_destroy = true }"), &o));
	assert_non_null(strstr(diags(),
	                       "Instance cannot be destroyed | Resource "
	                       "fleet_autoscaling_group.web has lifecycle.prevent_destroy"));
	/* replace_triggered_by: a change of the named resource replaces */
	assert_non_null(make(
	        stack(2, "lifecycle { replace_triggered_by = [fleet_lb_listener.http] }"), NULL));
	assert_int_equal(change("fleet_autoscaling_group.web")->action, PLAN_NOOP);
	put_state("terraform_data.t", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"t\",\"input\":1,\"output\":1,\"triggers_replace\":null}");
	put_state("terraform_data.u", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"u\",\"input\":null,\"output\":null,\"triggers_replace\":null}");
	assert_non_null(make("resource \"terraform_data\" \"t\" { input = 2 }\n"
	                     "resource \"terraform_data\" \"u\" {\n"
	                     "  lifecycle { replace_triggered_by = [terraform_data.t] }\n}\n",
	                     NULL));
	assert_int_equal(change("terraform_data.t")->action, PLAN_UPDATE);
	assert_int_equal(change("terraform_data.u")->action, PLAN_DELETE_CREATE);
	golden("lifecycle.txt");
}

/* ---- rendering ---------------------------------------------------------------------- */

static void test_render_create(void **unused)
{
	assert_non_null(make(stack(2, ""), NULL));
	golden("create.txt");
}

static void test_render_update(void **unused)
{
	put_state("fleet_lb.web", STATE_PROVIDER_FLEET, LB_STATE);
	put_state("fleet_target_group.web", STATE_PROVIDER_FLEET, TG_STATE);
	put_state("fleet_autoscaling_group.web", STATE_PROVIDER_FLEET, ASG_STATE);
	char tf[4096];
	snprintf(tf, sizeof(tf), "%s", stack(3, ""));
	char *at = strstr(tf, "\"web-tg\"");
	memcpy(at, "\"web-tx\"", 8);
	assert_non_null(make(tf, NULL));
	golden("update.txt");
}

static void test_render_no_changes(void **unused)
{
	put_state("terraform_data.a", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"a\",\"input\":\"x\",\"output\":\"x\",\"triggers_replace\":null}");
	ST->serial = 3;
	assert_non_null(make("resource \"terraform_data\" \"a\" { input = \"x\" }\n", NULL));
	assert_true(plan_is_empty(P));
	golden("no_changes.txt");
}

/* ---- random_id -------------------------------------------------------------------------- */

static void test_random_id_encodings(void **unused)
{
	gf_arena a;
	gf_arena_init(&a);
	provider_random_id r;
	const unsigned char b1[] = {0xde, 0xad, 0xbe, 0xef};
	provider_random_id_encode(&r, &a, b1, sizeof(b1), "p-");
	assert_string_equal(r.id, "3q2-7w");
	assert_string_equal(r.b64_url, "p-3q2-7w");
	assert_string_equal(r.b64_std, "p-3q2+7w==");
	assert_string_equal(r.hex, "p-deadbeef");
	assert_string_equal(r.dec, "p-3735928559");
	const unsigned char b2[] = {0x00, 0x01, 0xfb};
	provider_random_id_encode(&r, &a, b2, sizeof(b2), NULL);
	assert_string_equal(r.id, "AAH7");
	assert_string_equal(r.b64_std, "AAH7");
	assert_string_equal(r.dec, "507");
	unsigned char b3[16];
	memset(b3, 0xff, sizeof(b3));
	provider_random_id_encode(&r, &a, b3, sizeof(b3), NULL);
	assert_string_equal(r.dec, "340282366920938463463374607431768211455");
	assert_string_equal(r.b64_url, "_____________________w");
	assert_string_equal(r.b64_std, "/////////////////////w==");
	gf_arena_dispose(&a);
}

/* ---- saved plans ----------------------------------------------------------------------- */

static void test_saved_plan(void **unused)
{
	put_state("terraform_data.a", STATE_PROVIDER_BUILTIN,
	          "{\"id\":\"a\",\"input\":\"x\",\"output\":\"x\",\"triggers_replace\":null}");
	ST->serial = 7;
	const char *tf = "variable \"v\" { default = \"y\" }\n"
	                 "resource \"terraform_data\" \"a\" { input = var.v }\n";
	assert_non_null(make(tf, NULL));
	char path[512];
	snprintf(path, sizeof(path), "%s/saved.plan", DIR_);
	assert_int_equal(plan_write(P, path), 0);
	plan_file f;
	assert_int_equal(plan_read(&f, path), 0);
	const char *summary = NULL;
	assert_int_equal(plan_file_check(&f, ST, P->config_hash, &summary), 0);
	assert_string_equal(json_string_value(json_object_get(f.variables, "v")), "y");
	/* the same plan made again from the file matches */
	plan *again = plan_make(CFG, f.prior, &f.opts, &CONN);
	assert_non_null(again);
	assert_int_equal(plan_file_match(&f, again), 0);
	plan_free(again);
	/* another apply bumped the serial */
	ST->serial = 8;
	assert_int_equal(plan_file_check(&f, ST, P->config_hash, &summary), GF_EINVALID);
	assert_string_equal(summary, "Saved plan is stale");
	assert_non_null(strstr(gf_err_msg(), "the state was changed by another operation"));
	/* another lineage */
	ST->serial = 7;
	char lineage[STATE_UUID_LEN];
	memcpy(lineage, ST->lineage, sizeof(lineage));
	memcpy(ST->lineage, "00000000-0000-4000-8000-000000000000", STATE_UUID_LEN);
	assert_int_equal(plan_file_check(&f, ST, P->config_hash, &summary), GF_EINVALID);
	assert_string_equal(summary, "Saved plan does not match the given state");
	memcpy(ST->lineage, lineage, sizeof(lineage));
	/* changed configuration */
	char other[65];
	memset(other, 'a', 64);
	other[64] = 0;
	assert_int_equal(plan_file_check(&f, ST, other, &summary), GF_EINVALID);
	assert_string_equal(summary, "Saved plan is stale");
	plan_file_dispose(&f);
	/* not a plan file */
	assert_int_equal(gf_fs_write_atomic(path, "{}", 2, 0644), 0);
	assert_int_equal(plan_read(&f, path), GF_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_graph_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_graph_cycle, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_diff_required_and_unknown_args, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_diff_create_defaults_computed, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_diff_update_replace_noop, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_diff_orphan_and_count, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_diff_invalid_prior_state, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_render_create, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_render_update, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_render_no_changes, setup, teardown),
	        cmocka_unit_test(test_random_id_encodings),
	        cmocka_unit_test_setup_teardown(test_saved_plan, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
