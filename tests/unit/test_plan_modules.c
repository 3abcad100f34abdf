/* plan: local modules (the graph across modules, module instances and
 * their addresses, inputs typed, defaulted and validated, outputs, orphaned
 * module instances), data sources (read during plan, or deferred to apply
 * with "<= read"), and dynamic blocks (for_each, iterator, nested
 * content). Golden files in tests/data/plan/ (GF_UPDATE_GOLDEN=1 rewrites
 * them). No daemon: refresh is off. */
#include "plan_fixture.h"

static const hcl_value *output(const char *name)
{
	for (size_t i = 0; P && i < P->outputs.len; i++)
		if (!strcmp(P->outputs.items[i].name, name))
			return P->outputs.items[i].after;
	fail_msg("no output %s", name);
	return NULL;
}

static const char *str(const hcl_value *obj, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	const hcl_value *v = obj;
	for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, "."))
		v = (tok[0] >= '0' && tok[0] <= '9') ? v->u.coll.items[atoi(tok)]
		                                     : hcl_value_get(v, tok);
	assert_non_null(v);
	if (v->kind == HCL_VAL_UNKNOWN)
		return "(unknown)";
	assert_int_equal(v->kind, HCL_VAL_STRING);
	return v->u.str.ptr;
}

/* ---- modules ------------------------------------------------------------------- */

static const char *APP = "variable \"name\" { type = string }\n"
                         "variable \"port\" {\n  type = number\n"
                         "  validation {\n    condition     = var.port > 1024\n"
                         "    error_message = \"The port must be above 1024.\"\n  }\n}\n"
                         "variable \"shared\" { type = string }\n"
                         "variable \"suffix\" {\n  type    = string\n  default = \"!\"\n}\n"
                         "locals { full = \"${var.name}-${var.port}${var.suffix}\" }\n"
                         "resource \"terraform_data\" \"this\" {\n"
                         "  input = { full = local.full, shared = var.shared }\n}\n"
                         "output \"full\" { value = terraform_data.this.input.full }\n"
                         "output \"id\" { value = terraform_data.this.id }\n"
                         "output \"dir\" { value = path.module }\n";

static const char *ROOT = "variable \"sites\" {\n  default = { a = 8081, b = 8082 }\n}\n"
                          "resource \"terraform_data\" \"shared\" { input = \"s\" }\n"
                          "module \"web\" {\n  source   = \"./app\"\n"
                          "  for_each = var.sites\n  name     = each.key\n"
                          "  port     = each.value\n"
                          "  shared   = terraform_data.shared.id\n}\n"
                          "module \"one\" {\n  source = \"./app\"\n  count  = 1\n"
                          "  name   = \"solo\"\n  port   = 9000\n  shared = \"x\"\n"
                          "  suffix = \"?\"\n}\n"
                          "resource \"terraform_data\" \"after\" {\n"
                          "  input = [for k, m in module.web : m.id]\n}\n"
                          "output \"fulls\" { value = { for k, m in module.web : k => m.full } }\n"
                          "output \"one\" { value = module.one[0].full }\n";

static void test_module_graph_and_addresses(void **unused)
{
	put("app/main.tf", APP);
	assert_non_null(make(ROOT, NULL));
	const plan_change *a = change("module.web[\"a\"].terraform_data.this");
	const plan_change *b = change("module.web[\"b\"].terraform_data.this");
	const plan_change *one = change("module.one[0].terraform_data.this");
	const plan_change *sh = change("terraform_data.shared");
	const plan_change *after = change("terraform_data.after");
	assert_int_equal(a->action, PLAN_CREATE);
	assert_int_equal(a->saddr.nmodules, 1);
	assert_string_equal(a->saddr.modules[0].key.s, "a");
	/* inputs: each.key/each.value of the call, defaults, locals per instance */
	assert_string_equal(str(a->after, "input.full"), "a-8081!");
	assert_string_equal(str(b->after, "input.full"), "b-8082!");
	assert_string_equal(str(one->after, "input.full"), "solo-9000?");
	assert_string_equal(str(a->after, "input.shared"), "(unknown)");
	/* edges across modules: into the child through an input, back out
	 * through an output */
	assert_true(sh->seq < a->seq && sh->seq < b->seq);
	assert_true(a->seq < after->seq && b->seq < after->seq);
	assert_int_equal(a->ndeps, 1);
	assert_string_equal(a->deps[0], "terraform_data.shared");
	assert_int_equal(after->ndeps, 1);
	assert_string_equal(after->deps[0], "module.web.terraform_data.this");
	const hcl_value *fulls = output("fulls");
	assert_string_equal(str(fulls, "a"), "a-8081!");
	assert_string_equal(str(output("one"), ""), "solo-9000?");
	golden("modules.txt");

	/* -target with a module instance key: that instance and what it needs */
	const char *const t[] = {"module.web[\"a\"]"};
	plan_options o = {.targets = t, .ntargets = 1};
	assert_non_null(make(ROOT, &o));
	assert_int_equal(change("module.web[\"a\"].terraform_data.this")->action, PLAN_CREATE);
	assert_int_equal(change("terraform_data.shared")->action, PLAN_CREATE);
	assert_int_equal(change("module.web[\"b\"].terraform_data.this")->action, PLAN_NOOP);
	assert_int_equal(change("module.one[0].terraform_data.this")->action, PLAN_NOOP);
}

static void test_module_path_and_nesting(void **unused)
{
	put("app/main.tf", "module \"db\" {\n  source = \"../lib/db\"\n  size = 2\n}\n"
	                   "output \"db_dir\" { value = module.db.dir }\n"
	                   "output \"dir\" { value = path.module }\n");
	put("lib/db/main.tf", "variable \"size\" { type = number }\n"
	                      "resource \"terraform_data\" \"x\" { count = var.size }\n"
	                      "output \"dir\" { value = path.module }\n");
	assert_non_null(make("module \"app\" { source = \"./app\" }\n"
	                     "output \"dirs\" { value = [module.app.dir, module.app.db_dir] }\n",
	                     NULL));
	change("module.app.module.db.terraform_data.x[0]");
	change("module.app.module.db.terraform_data.x[1]");
	char want[400];
	snprintf(want, sizeof(want), "%s/app", DIR_);
	assert_string_equal(str(output("dirs"), "0"), want);
	snprintf(want, sizeof(want), "%s/lib/db", DIR_);
	assert_string_equal(str(output("dirs"), "1"), want);
}

static void test_module_depends_on(void **unused)
{
	put("m/main.tf", "resource \"terraform_data\" \"c\" {}\n"
	                 "module \"inner\" { source = \"./inner\" }\n");
	put("m/inner/main.tf", "resource \"terraform_data\" \"i\" {}\n");
	assert_non_null(make("resource \"terraform_data\" \"first\" {}\n"
	                     "module \"m\" {\n  source = \"./m\"\n"
	                     "  depends_on = [terraform_data.first]\n}\n"
	                     "resource \"terraform_data\" \"last\" { depends_on = [module.m] }\n",
	                     NULL));
	/* the call's depends_on reaches every resource below it */
	const plan_change *i = change("module.m.module.inner.terraform_data.i");
	assert_int_equal(i->ndeps, 1);
	assert_string_equal(i->deps[0], "terraform_data.first");
	/* depends_on = [module.m]: everything in m and its children */
	const plan_change *last = change("terraform_data.last");
	assert_int_equal(last->ndeps, 2);
	assert_true(i->seq < last->seq);
	assert_true(change("module.m.terraform_data.c")->seq < last->seq);
}

static void test_module_inputs_checked(void **unused)
{
	put("app/main.tf", APP);
	assert_null(make("module \"m\" {\n  source = \"./app\"\n  name = \"n\"\n"
	                 "  port = \"eighty\"\n  shared = \"s\"\n}\n",
	                 NULL));
	assert_non_null(strstr(diags(), "Invalid value for input variable | The given value is "
	                                "not suitable for module.m's input variable \"port\""));
	assert_null(make("module \"m\" {\n  source = \"./app\"\n  name = \"n\"\n"
	                 "  port = 80\n  shared = \"s\"\n}\n",
	                 NULL));
	assert_non_null(strstr(diags(), "Invalid value for variable | The port must be above "
	                                "1024."));
}

static void test_module_cycle_and_orphans(void **unused)
{
	put("m/main.tf", "variable \"x\" {}\n"
	                 "resource \"terraform_data\" \"c\" { input = var.x }\n"
	                 "output \"out\" { value = terraform_data.c.id }\n");
	assert_null(make("resource \"terraform_data\" \"a\" { input = module.m.out }\n"
	                 "module \"m\" {\n  source = \"./m\"\n  x = terraform_data.a.id\n}\n",
	                 NULL));
	assert_non_null(strstr(diags(), "Cycle: "));

	state_addr sa;
	assert_int_equal(state_addr_parse(&sa, "module.m[\"gone\"].terraform_data.c"), 0);
	state_instance *si = state_instance_ensure(ST, &sa, STATE_PROVIDER_BUILTIN);
	state_instance_set_attributes(si, json_pack("{s:s, s:n, s:n, s:n}", "id", "g", "input",
	                                            "output", "triggers_replace"));
	state_addr_dispose(&sa);
	assert_non_null(make("module \"m\" {\n  source = \"./m\"\n  for_each = toset([\"kept\"])\n"
	                     "  x = each.key\n}\n",
	                     NULL));
	const plan_change *c = change("module.m[\"gone\"].terraform_data.c");
	assert_int_equal(c->action, PLAN_DELETE);
	assert_string_equal(c->reason, "because module.m[\"gone\"] is not in configuration");
	assert_int_equal(change("module.m[\"kept\"].terraform_data.c")->action, PLAN_CREATE);
	/* -target with a module instance key selects that instance's orphans only */
	const char *const t[] = {"module.m[\"kept\"]"};
	plan_options o = {.targets = t, .ntargets = 1};
	assert_non_null(make("module \"m\" {\n  source = \"./m\"\n  for_each = toset([\"kept\"])\n"
	                     "  x = each.key\n}\n",
	                     &o));
	for (size_t i = 0; i < P->changes.len; i++)
		assert_int_not_equal(P->changes.items[i]->action, PLAN_DELETE);
}

/* ---- data sources ---------------------------------------------------------------- */

static void test_data_read_and_deferred(void **unused)
{
	/* another configuration's state, read through the local backend */
	state *other = state_new();
	state_output_set(other, "url", json_string("http://127.0.0.1:8080/"), json_string("string"),
	                 false);
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(state_serialize(&b, other), 0);
	state_free(other);
	put("infra/gitfleet.tfstate", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	char tf[2048];
	snprintf(tf, sizeof(tf),
	         "data \"terraform_remote_state\" \"infra\" {\n  backend = \"local\"\n"
	         "  config = { path = \"%s/infra/gitfleet.tfstate\" }\n"
	         "  defaults = { extra = 1, url = \"no\" }\n}\n"
	         "resource \"terraform_data\" \"lb\" { input = \"web\" }\n"
	         "data \"fleet_lb\" \"later\" { name = terraform_data.lb.id }\n"
	         "data \"fleet_lb\" \"pending\" { name = terraform_data.lb.output }\n"
	         "resource \"terraform_data\" \"use\" { input = data.fleet_lb.later.id }\n"
	         "output \"url\" { value = data.terraform_remote_state.infra.outputs.url }\n"
	         "output \"extra\" { value = data.terraform_remote_state.infra.outputs.extra }\n",
	         DIR_);
	assert_non_null(make(tf, NULL));
	const plan_change *rs = change("data.terraform_remote_state.infra");
	assert_int_equal(rs->action, PLAN_NOOP);
	assert_int_equal(rs->saddr.mode, STATE_DATA);
	assert_string_equal(str(output("url"), ""), "http://127.0.0.1:8080/");
	assert_int_equal(output("extra")->u.num, 1);
	const plan_change *later = change("data.fleet_lb.later");
	assert_int_equal(later->action, PLAN_READ);
	assert_string_equal(later->reason, "config refers to values not yet known");
	assert_true(change("terraform_data.lb")->seq < later->seq);
	const plan_change *pending = change("data.fleet_lb.pending");
	assert_int_equal(pending->action, PLAN_READ);
	assert_string_equal(pending->reason,
	                    "depends on a resource or a module with changes pending");
	assert_true(later->seq < change("terraform_data.use")->seq);
	assert_string_equal(str(change("terraform_data.use")->after, "input"), "(unknown)");
	int add, chg, del;
	plan_counts(P, &add, &chg, &del);
	assert_int_equal(add, 2); /* reads are not counted */
	golden("data_read.txt");
}

static void test_data_errors(void **unused)
{
	/* a known name is read during plan: no daemon here */
	assert_null(make("data \"fleet_lb\" \"x\" { name = \"web\" }\n", NULL));
	assert_non_null(strstr(diags(), "Failed to read data source | data.fleet_lb.x: "));
	assert_null(make("data \"fleet_lbb\" \"x\" { name = \"web\" }\n"
	                 "data \"fleet_target_group\" \"y\" {\n  name = \"tg\"\n"
	                 "  health_check {}\n}\n",
	                 NULL));
	const char *d = diags();
	assert_non_null(strstr(d, "Invalid data source | The provider does not support data "
	                          "source \"fleet_lbb\". Did you mean \"fleet_lb\"?"));
	assert_non_null(strstr(d, "Blocks of type \"health_check\" are computed"));
}

/* ---- dynamic blocks --------------------------------------------------------------- */

static void test_dynamic_blocks(void **unused)
{
	const char *tf = "variable \"checks\" {\n  default = [{ path = \"/health\" }]\n}\n"
	                 "resource \"fleet_target_group\" \"web\" {\n  name = \"web\"\n"
	                 "  dynamic \"health_check\" {\n    for_each = var.checks\n"
	                 "    iterator = hc\n    content {\n"
	                 "      path     = hc.value.path\n"
	                 "      interval = hc.key + 2\n    }\n  }\n}\n";
	assert_non_null(make(tf, NULL));
	const hcl_value *hc =
	        hcl_value_get(change("fleet_target_group.web")->after, "health_check");
	assert_int_equal(hc->u.coll.len, 1);
	assert_string_equal(str(hc, "0.path"), "/health");
	assert_int_equal(hcl_value_get(hc->u.coll.items[0], "interval")->u.num, 2);
	assert_string_equal(str(hc, "0.matcher"), "200-399"); /* defaults still apply */
	golden("dynamic.txt");

	/* no element: the defaulted block; two: too many for this block */
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", tf);
	memcpy(strstr(buf, "[{ path = \"/health\" }]"), "[                    ]", 22);
	assert_non_null(make(buf, NULL));
	hc = hcl_value_get(change("fleet_target_group.web")->after, "health_check");
	assert_string_equal(str(hc, "0.path"), "/");
	assert_null(make("resource \"fleet_target_group\" \"web\" {\n  name = \"web\"\n"
	                 "  dynamic \"health_check\" {\n    for_each = [\"/a\", \"/b\"]\n"
	                 "    content { path = health_check.value }\n  }\n}\n",
	                 NULL));
	assert_non_null(strstr(diags(), "Too many health_check blocks"));
	/* for_each known only after apply: the block list is unknown */
	assert_non_null(make("resource \"terraform_data\" \"p\" { input = [\"/x\"] }\n"
	                     "resource \"fleet_target_group\" \"web\" {\n  name = \"web\"\n"
	                     "  dynamic \"health_check\" {\n"
	                     "    for_each = [terraform_data.p.id]\n"
	                     "    content { path = health_check.value }\n  }\n}\n",
	                     NULL));
	hc = hcl_value_get(change("fleet_target_group.web")->after, "health_check");
	assert_int_equal(hc->kind, HCL_VAL_UNKNOWN);
}

/* Nested dynamic blocks: the inner content sees both iterators. */
static const provider_attr LEAF_ATTRS[] = {{"v", &hcl_type_string, PROVIDER_OPTIONAL, NULL, ""}};
static const provider_block_schema LEAF = {LEAF_ATTRS, 1, NULL, 0};
static const provider_block MID_BLOCKS[] = {{.name = "inner", .schema = &LEAF, .description = ""}};
static const provider_block_schema MID = {NULL, 0, MID_BLOCKS, 1};
static const provider_block TOP_BLOCKS[] = {{.name = "outer", .schema = &MID, .description = ""}};
static const provider_schema NESTED = {"t", "t", "", "", {NULL, 0, TOP_BLOCKS, 1}};

static void test_dynamic_nested(void **unused)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	const char *src = "dynamic \"outer\" {\n  for_each = { k = \"x\" }\n  iterator = o\n"
	                  "  content {\n    dynamic \"inner\" {\n      for_each = [o.key]\n"
	                  "      content { v = \"${o.value}-${inner.value}-${inner.key}\" }\n"
	                  "    }\n  }\n}\n";
	hcl_body *body = hcl_parse_file("t.tf", src, strlen(src), &a, &d);
	hcl_scope scope = {0};
	hcl_range r = {0};
	const hcl_value *v = provider_decode(&a, &NESTED, body, &r, &scope, &d);
	assert_false(hcl_diags_has_errors(&d));
	assert_non_null(v);
	assert_string_equal(str(v, "outer.0.inner.0.v"), "x-k-0");
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_module_graph_and_addresses, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_module_path_and_nesting, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_module_depends_on, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_module_inputs_checked, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_module_cycle_and_orphans, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_read_and_deferred, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_dynamic_blocks, setup, teardown),
	        cmocka_unit_test(test_dynamic_nested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
