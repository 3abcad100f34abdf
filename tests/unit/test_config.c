/* config: loading modules, structure diagnostics, type constraints,
 * variable values and their precedence, validation blocks, locals, child
 * modules and validate's reference checks. Each test writes its module
 * into a fresh temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "config/config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char DIR_[256];
static config *CFG;

static void put(const char *name, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", DIR_, name);
	char *slash = strrchr(path, '/');
	*slash = 0;
	gf_fs_mkdirs(path, 0755);
	*slash = '/';
	assert_int_equal(gf_fs_write_atomic(path, content, strlen(content), 0644), 0);
}

static int setup(void **state)
{
	snprintf(DIR_, sizeof(DIR_), "%s/gf-config-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(DIR_));
	CFG = NULL;
	return 0;
}

static int teardown(void **state)
{
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
	return CFG;
}

/* All diagnostics as "summary | detail" lines. */
static const char *diags(void)
{
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < CFG->diags.list.len; i++) {
		const hcl_diag *d = &CFG->diags.list.items[i];
		gf_buf_printf(&b, "%s%s | %s", i ? "\n" : "", d->summary,
		              d->detail ? d->detail : "");
	}
	char *s = gf_arena_strdup(&CFG->arena, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return s;
}

static void expect_diag(const char *needle)
{
	const char *all = diags();
	if (!strstr(all, needle))
		fail_msg("expected [%s] in diagnostics:\n%s", needle, all);
}

static const config_variable *var(const char *name)
{
	for (size_t i = 0; i < CFG->root->variables.len; i++)
		if (!strcmp(CFG->root->variables.items[i].name, name))
			return &CFG->root->variables.items[i];
	fail_msg("no variable %s", name);
	return NULL;
}

static const char *render(const hcl_value *v)
{
	return v ? hcl_value_render(&CFG->arena, v) : "NULL";
}

static const char *eval_str(const char *src)
{
	hcl_expr *e = hcl_parse_expression("t", src, strlen(src), hcl_pos_start(), &CFG->arena,
	                                   &CFG->diags);
	return render(config_eval(CFG, CFG->root, e, NULL));
}

static void test_load_blocks(void **state)
{
	put("main.tf",
	    "terraform {\n  required_version = \">= 1.0, < 2.0\"\n"
	    "  backend \"gitfleet\" { name = \"x\" }\n"
	    "  required_providers {\n    fleet = { source = \"gitfleet/fleet\" }\n  }\n}\n"
	    "provider \"fleet\" {}\n"
	    "variable \"port\" {\n  type = number\n  default = 80\n"
	    "  description = \"the port\"\n  sensitive = true\n}\n"
	    "locals { a = 1 }\nlocals { b = local.a + 1 }\n"
	    "resource \"fleet_lb\" \"web\" {\n  count = 2\n  name = \"x\"\n"
	    "  lifecycle {\n    create_before_destroy = true\n"
	    "    ignore_changes = [name]\n  }\n"
	    "  dynamic \"tag\" {\n    for_each = {}\n    content { k = tag.key }\n  }\n}\n"
	    "data \"fleet_lb\" \"d\" {}\n"
	    "output \"o\" {\n  value = fleet_lb.web[0].id\n  sensitive = true\n}\n");
	put("b.tf", "variable \"name\" {}\n");
	put("notes.txt", "not configuration");
	load();
	assert_string_equal(diags(), "");
	config_module *m = CFG->root;
	assert_int_equal(m->nfiles, 2);
	assert_int_equal(m->variables.len, 2);
	assert_string_equal(m->variables.items[0].name, "name"); /* b.tf sorts first */
	assert_string_equal(var("port")->description, "the port");
	assert_true(var("port")->sensitive);
	assert_string_equal(render(var("port")->default_value), "80");
	assert_null(var("name")->default_value);
	assert_int_equal(m->locals.len, 2);
	assert_int_equal(m->resources.len, 2);
	assert_true(m->resources.items[0].lifecycle.create_before_destroy);
	assert_non_null(m->resources.items[0].count);
	assert_int_equal(m->resources.items[1].mode, CONFIG_DATA);
	assert_string_equal(m->backend_type, "gitfleet");
	assert_string_equal(m->required_providers.items[0].source, "gitfleet/fleet");
	assert_int_equal(m->outputs.len, 1);
	assert_true(m->outputs.items[0].sensitive);
	assert_true(config_validate(CFG));
}

static void test_structure_errors(void **state)
{
	put("main.tf", "resorce \"fleet_lb\" \"web\" {}\n"
	               "resource \"fleet_lb\" \"web\" {}\n"
	               "resource \"fleet_lb\" \"web\" {}\n"
	               "resource \"fleet_lb\" {}\n"
	               "variable \"a\" {\n  typ = string\n}\n"
	               "variable \"a\" {}\n"
	               "variable \"b\" \"c\" {}\n"
	               "module \"m\" {}\n"
	               "output \"o\" {}\n"
	               "import {}\n"
	               "check \"c\" {}\n"
	               "locals { x = 1 }\nlocals { x = 2 }\n");
	load();
	expect_diag("Unsupported block type | Blocks of type \"resorce\" are not expected here. "
	            "Did you mean \"resource\"?");
	expect_diag("Duplicate resource \"fleet_lb\" configuration | A fleet_lb resource named "
	            "\"web\" was already declared at ");
	expect_diag("main.tf:2,1-26. Resource names must be unique per type in each module.");
	expect_diag("Missing name for resource | All resource blocks must have 2 labels (type, "
	            "name).");
	expect_diag("Unsupported argument | An argument named \"typ\" is not expected here. Did "
	            "you mean \"type\"?");
	expect_diag("Duplicate variable declaration | A variable named \"a\" was already declared "
	            "at ");
	expect_diag("Extraneous label for variable | Only 1 labels (name) are expected for "
	            "variable blocks.");
	expect_diag("Missing required argument | The argument \"source\" is required, but no "
	            "definition was found.");
	expect_diag("Missing required argument | The argument \"value\" is required, but no "
	            "definition was found.");
	expect_diag("Unsupported block type | gitfleet does not support \"import\" blocks yet. "
	            "Remove the block, or make the change it describes by hand.");
	expect_diag("Block ignored | gitfleet does not evaluate \"check\" blocks yet: its "
	            "assertions are not checked.");
	expect_diag("Duplicate local value definition | A local value named \"x\" was already "
	            "defined at ");
	/* every problem in one pass */
	if (CFG->diags.errors != 10)
		fail_msg("%s", diags());
}

static void test_moved_blocks(void **state)
{
	put("main.tf", "moved {\n  from = fleet_lb.a\n  to   = fleet_lb.b\n}\n"
	               "moved {\n  from = module.a\n  to   = module.b[\"x\"]\n}\n"
	               "moved {\n  from = module.c[0].fleet_lb.a\n  to = fleet_lb.c[1]\n}\n"
	               "moved {\n  from = \"fleet_lb.x\"\n  to   = fleet_lb.y\n}\n"
	               "moved {\n  from = fleet_lb.x[var.i]\n  to   = fleet_lb.y\n}\n"
	               "moved {\n  from = fleet_lb.x\n  to   = module.y\n}\n"
	               "moved {\n  from = fleet_lb.x\n  to   = fleet_target_group.x\n}\n"
	               "moved {\n  from = fleet_lb.x[0]\n  to   = fleet_lb.x[0]\n}\n"
	               "moved {\n  from = data.fleet_lb.x\n  to   = data.fleet_lb.y\n}\n"
	               "moved {\n  from = fleet_lb\n}\n"
	               "removed {\n  from = fleet_lb.r\n  lifecycle { destroy = false }\n}\n"
	               "removed {\n  from = module.r\n}\n"
	               "removed {\n  from = fleet_lb.r[0]\n}\n"
	               "removed {\n  from = module.r[\"a\"]\n}\n"
	               "removed {\n  from = data.fleet_lb.r\n}\n");
	load();
	const config_module *m = CFG->root;
	assert_int_equal(m->moved.len, 3);
	assert_string_equal(m->moved.items[0].from, "fleet_lb.a");
	assert_string_equal(m->moved.items[0].to, "fleet_lb.b");
	assert_int_equal(m->moved.items[0].decl_range.start.line, 1);
	assert_int_equal(m->moved.items[0].from_range.start.line, 2);
	assert_string_equal(m->moved.items[1].to, "module.b[\"x\"]");
	assert_string_equal(m->moved.items[2].from, "module.c[0].fleet_lb.a");
	expect_diag("Invalid expression | A single static variable reference is required: only "
	            "attribute access and indexing with constant keys.");
	expect_diag("Invalid \"moved\" addresses | The \"from\" and \"to\" addresses must either "
	            "both refer to resources or both refer to modules.");
	expect_diag("Resource type mismatch | This statement declares a move from fleet_lb.x to "
	            "fleet_target_group.x, which is a resource of a different type.");
	expect_diag("Redundant move statement | This statement declares a move from fleet_lb.x[0] "
	            "to the same address, which is the same as not declaring this move at all.");
	expect_diag("Invalid \"moved\" address | data.fleet_lb.x is a data source.");
	expect_diag("Invalid address | invalid resource address \"fleet_lb\": expected TYPE.NAME");
	expect_diag("Missing required argument | The argument \"to\" is required");
	assert_int_equal(m->removed.len, 2);
	assert_string_equal(m->removed.items[0].from, "fleet_lb.r");
	assert_false(m->removed.items[0].destroy);
	assert_string_equal(m->removed.items[1].from, "module.r");
	assert_true(m->removed.items[1].destroy);
	expect_diag("Resource instance address with keys is not allowed | Resource address cannot "
	            "be a resource instance");
	expect_diag("Module instance address with keys is not allowed | Module address cannot be "
	            "a module instance");
	expect_diag("Data source address is not allowed | Data sources cannot be destroyed");
	if (CFG->diags.errors != 11)
		fail_msg("%s", diags());
}

static void test_type_constraints(void **state)
{
	put("main.tf",
	    "variable \"o\" {\n"
	    "  type = object({\n    name = string\n    size = optional(number, 2)\n"
	    "    tags = optional(map(string))\n  })\n"
	    "  default = { name = \"web\" }\n}\n"
	    "variable \"l\" {\n  type = list(number)\n  default = [\"1\", 2]\n}\n"
	    "variable \"t\" {\n  type = tuple([string, bool])\n  default = [\"a\", true]\n}\n"
	    "variable \"s\" {\n  type = set(string)\n  default = [\"b\", \"a\", \"b\"]\n}\n"
	    "variable \"legacy\" {\n  type = list\n  default = [1]\n}\n"
	    "variable \"bad1\" { type = strin }\n"
	    "variable \"bad2\" { type = list(string, number) }\n"
	    "variable \"bad3\" { type = optional(string) }\n"
	    "variable \"bad4\" { type = \"string\" }\n"
	    "variable \"bad5\" {\n  type = number\n  default = \"x\"\n}\n"
	    "variable \"bad6\" {\n  type = object({ a = optional(number, \"x\") })\n}\n");
	load();
	assert_string_equal(render(var("o")->default_value),
	                    "{\n  \"name\" = \"web\"\n  \"size\" = 2\n  \"tags\" = tomap(null) /* "
	                    "of string */\n}");
	assert_string_equal(render(var("l")->default_value), "tolist([\n  1,\n  2,\n])");
	assert_string_equal(hcl_type_string_of(&CFG->arena, var("t")->type),
	                    "tuple([string,bool])");
	assert_string_equal(render(var("s")->default_value), "toset([\n  \"a\",\n  \"b\",\n])");
	assert_string_equal(hcl_type_string_of(&CFG->arena, var("legacy")->type), "list(any)");
	expect_diag("Invalid type specification | The keyword \"strin\" is not a valid type "
	            "specification.");
	expect_diag("Invalid type specification | The list type constructor requires one argument "
	            "specifying the element type.");
	expect_diag("Invalid type specification | Keyword \"optional\" is valid only as a modifier "
	            "for object type attributes.");
	expect_diag("Invalid quoted type constraints | Terraform 0.11 and earlier required type "
	            "constraints to be given in quotes");
	expect_diag("Invalid default value for variable | This default value is not compatible "
	            "with the variable's type constraint: a number is required.");
	expect_diag("Invalid default value for optional attribute | This default value is not "
	            "compatible with the attribute's type constraint: a number is required.");
}

static void test_variable_precedence(void **state)
{
	put("main.tf", "variable \"a\" { default = \"default\" }\n"
	               "variable \"b\" { default = \"default\" }\n"
	               "variable \"c\" { default = \"default\" }\n"
	               "variable \"d\" { default = \"default\" }\n"
	               "variable \"e\" { default = \"default\" }\n"
	               "variable \"f\" { default = \"default\" }\n"
	               "variable \"g\" { default = \"default\" }\n");
	put("terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n"
	                        "e = \"tfvars\"\nf = \"tfvars\"\ng = \"tfvars\"\n");
	put("terraform.tfvars.json", "{\"c\": \"tfvars.json\", \"d\": \"tfvars.json\", "
	                             "\"e\": \"tfvars.json\", \"f\": \"tfvars.json\", "
	                             "\"g\": \"tfvars.json\"}");
	put("a.auto.tfvars", "d = \"a.auto\"\ne = \"a.auto\"\nf = \"a.auto\"\ng = \"a.auto\"\n");
	put("b.auto.tfvars.json", "{\"e\": \"b.auto\", \"f\": \"b.auto\", \"g\": \"b.auto\"}");
	put("extra.tfvars", "f = \"var-file\"\ng = \"var-file\"\n");
	load();
	char file[600];
	snprintf(file, sizeof(file), "%s/extra.tfvars", DIR_);
	config_var_arg args[] = {{false, "g=flag1"}, {true, file}, {false, "g=flag2"}};
	char *env[] = {"TF_VAR_a=env", "TF_VAR_b=env", "TF_VAR_zzz=ignored", "PATH=/bin", NULL};
	assert_true(config_set_variables(CFG, args, 3, env));
	assert_string_equal(render(var("a")->value), "\"env\"");
	assert_string_equal(render(var("b")->value), "\"tfvars\"");
	assert_string_equal(render(var("c")->value), "\"tfvars.json\"");
	assert_string_equal(render(var("d")->value), "\"a.auto\"");
	assert_string_equal(render(var("e")->value), "\"b.auto\"");
	assert_string_equal(render(var("f")->value), "\"var-file\"");
	assert_string_equal(render(var("g")->value), "\"flag2\"");
}

static void test_variable_values(void **state)
{
	put("main.tf", "variable \"n\" { type = number }\n"
	               "variable \"s\" { type = string }\n"
	               "variable \"l\" { type = list(string) }\n"
	               "variable \"m\" { type = map(number) }\n"
	               "variable \"secret\" {\n  default = \"x\"\n  sensitive = true\n}\n");
	load();
	config_var_arg ok[] = {{false, "n=42"},
	                       {false, "s=[not hcl]"},
	                       {false, "l=[\"a\", \"b\"]"},
	                       {false, "m={a = 1}"}};
	assert_true(config_set_variables(CFG, ok, 4, NULL));
	assert_string_equal(render(var("n")->value), "42");
	assert_string_equal(render(var("s")->value), "\"[not hcl]\"");
	assert_string_equal(eval_str("var.l[1]"), "\"b\"");
	assert_string_equal(eval_str("var.m.a + 1"), "2");
	assert_string_equal(eval_str("var.secret"), "(sensitive value)");

	load();
	put("terraform.tfvars", "n = \"abc\"\nundeclared = 1\n");
	config_var_arg bad[] = {{false, "l=notalist"}, {false, "nope=1"}, {false, "novalue"}};
	char *env[] = {"TF_VAR_m=[1]", NULL};
	assert_false(config_set_variables(CFG, bad, 3, env));
	expect_diag("Invalid value for input variable | The given value is not suitable for var.n "
	            "declared at ");
	expect_diag("Value for undeclared variable | The root module does not declare a variable "
	            "named \"undeclared\" but a value was found in file ");
	expect_diag("Variables not allowed | Variables may not be used here.");
	expect_diag("Value for undeclared variable | A variable named \"nope\" was assigned on "
	            "the command line");
	expect_diag("Invalid -var option | The given -var option \"novalue\" is not correctly "
	            "specified.");
	expect_diag("Invalid value for input variable | The environment variable TF_VAR_m does "
	            "not contain a valid value for variable \"m\": map of number required");
	expect_diag("No value for required variable | The root module input variable \"s\" is not "
	            "set, and has no default value.");
}

static void test_validation_blocks(void **state)
{
	put("main.tf", "variable \"port\" {\n  type = number\n  default = 80\n"
	               "  validation {\n    condition = var.port > 1024\n"
	               "    error_message = \"The port must be above 1024, not ${var.port}.\"\n"
	               "  }\n}\n"
	               "variable \"name\" {\n  default = \"ok\"\n"
	               "  validation {\n    condition = length(var.name) > 1\n"
	               "    error_message = \"short\"\n  }\n}\n");
	load();
	assert_false(config_set_variables(CFG, NULL, 0, NULL));
	expect_diag("Invalid value for variable | The port must be above 1024, not 80.\n\nThis "
	            "was checked by the validation rule at ");
	assert_int_equal(CFG->diags.errors, 1);
	load();
	config_var_arg args[] = {{false, "port=8080"}};
	assert_true(config_set_variables(CFG, args, 1, NULL));
}

static void test_locals(void **state)
{
	put("main.tf", "variable \"env\" { default = \"prod\" }\n"
	               "locals {\n  c = \"${local.b}-c\"\n  b = \"${local.a}-b\"\n"
	               "  a = var.env\n"
	               "  names = [for i in range(2) : \"${local.a}-${i}\"]\n}\n");
	load();
	assert_true(config_set_variables(CFG, NULL, 0, NULL));
	assert_string_equal(eval_str("local.c"), "\"prod-b-c\"");
	assert_string_equal(eval_str("local.names[1]"), "\"prod-1\"");

	put("main.tf", "locals {\n  x = local.y + 1\n  y = local.z\n  z = local.x\n"
	               "  self = local.self\n}\n");
	load();
	assert_false(config_validate(CFG));
	expect_diag("Cycle in local values | The local value \"x\" depends on itself: local.x → "
	            "local.y → local.z → local.x.");
	expect_diag("The local value \"self\" depends on itself: local.self → local.self.");
	assert_int_equal(CFG->diags.errors, 2);
}

static void test_deep_locals(void **state)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_puts(&b, "locals {\n");
	for (int i = 0; i < 2000; i++)
		gf_buf_printf(&b, "  l%d = local.l%d + 1\n", i, i + 1);
	gf_buf_puts(&b, "  l2000 = 0\n}\n");
	put("main.tf", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	load();
	assert_false(config_validate(CFG));
	expect_diag("Local values nested too deeply");
}

static void test_modules(void **state)
{
	put("main.tf", "module \"app\" {\n  source = \"./modules/app\"\n  name = \"x\"\n"
	               "  colour = 1\n}\n"
	               "module \"db\" {\n  source = \"./modules/db\"\n}\n"
	               "module \"remote\" {\n  source = \"hashicorp/consul/aws\"\n}\n"
	               "output \"url\" { value = module.app.url }\n"
	               "output \"bad\" { value = module.app.nope }\n");
	put("modules/app/main.tf", "variable \"name\" { type = string }\n"
	                           "variable \"color\" { default = \"red\" }\n"
	                           "module \"inner\" { source = \"../inner\" }\n"
	                           "output \"url\" { value = \"http://${var.name}\" }\n");
	put("modules/inner/main.tf", "output \"x\" { value = var.undeclared }\n");
	put("modules/db/main.tf", "variable \"size\" { type = number }\n");
	load();
	config_validate(CFG);
	config_module *app = CFG->root->calls.items[0].child;
	assert_non_null(app);
	assert_string_equal(app->addr, "module.app");
	assert_string_equal(app->calls.items[0].child->addr, "module.app.module.inner");
	expect_diag("Unsupported argument | An argument named \"colour\" is not expected here. Did "
	            "you mean \"color\"?");
	expect_diag("Missing required argument | The argument \"size\" is required, but no "
	            "definition was found.");
	expect_diag("Unsupported module source | The module source \"hashicorp/consul/aws\" is not "
	            "a local path.");
	expect_diag("Unsupported attribute | This object does not have an attribute named "
	            "\"nope\".");
	expect_diag("Reference to undeclared input variable | An input variable with the name "
	            "\"undeclared\" has not been declared.");
	assert_int_equal(CFG->diags.errors, 5);
}

static void test_validate_references(void **state)
{
	put("main.tf",
	    "variable \"port\" { type = number }\n"
	    "variable \"names\" { type = list(string) }\n"
	    "locals { url = \"http://x:${var.prot}\" }\n"
	    "resource \"fleet_lb\" \"web\" {\n  name = fleet_lb.wbe.name\n"
	    "  port = var.port + \"x\"\n  up = uper(\"a\")\n  n = length(1, 2)\n"
	    "  idx = count.index\n}\n"
	    "resource \"fleet_lb\" \"many\" {\n  for_each = toset(var.names)\n"
	    "  name = each.value\n  i = count.index\n}\n"
	    "resource \"fleet_lb\" \"counted\" {\n  count = \"x\"\n}\n"
	    "resource \"fleet_lb\" \"fe\" {\n  for_each = [1]\n}\n"
	    "data \"fleet_lb\" \"d\" { id = data.fleet_lb.e.id }\n"
	    "output \"ok\" { value = [fleet_lb.many[\"a\"].id, var.names[0], local.url] }\n"
	    "output \"s\" { value = sensitive(var.port) }\n"
	    "output \"k\" { value = fleet_lb.many.id }\n"
	    "output \"p\" {\n  value = 1\n  precondition {\n    condition = var.porrt > 0\n"
	    "    error_message = \"x\"\n  }\n}\n");
	load();
	assert_false(config_validate(CFG));
	expect_diag("Reference to undeclared input variable | An input variable with the name "
	            "\"prot\" has not been declared. Did you mean \"port\"?");
	expect_diag(
	        "Reference to undeclared resource | A managed resource \"fleet_lb\" \"wbe\" has "
	        "not been declared in the root module. Did you mean \"fleet_lb.web\"?");
	expect_diag("Invalid operand | Unsuitable value for right operand: a number is required.");
	expect_diag("Call to unknown function | There is no function named \"uper\". Did you mean "
	            "\"upper\"?");
	expect_diag(
	        "Too many function arguments | Function \"length\" expects only 1 argument(s).");
	expect_diag("Reference to \"count\" in non-counted context");
	expect_diag("Invalid count argument | The given \"count\" argument value is unsuitable: a "
	            "number is required.");
	expect_diag("Invalid for_each argument | The given \"for_each\" argument value is "
	            "unsuitable: the \"for_each\" argument must be a map, or set of strings, and "
	            "you have provided a value of type tuple.");
	expect_diag("Reference to undeclared resource | A data resource \"fleet_lb\" \"e\" has not "
	            "been declared in the root module.");
	expect_diag("Output refers to sensitive values");
	expect_diag("\"porrt\" has not been declared. Did you mean \"port\"?");
	expect_diag("Missing resource instance key | Because fleet_lb.many has \"for_each\" set, "
	            "its attributes must be accessed on specific instances.\n\nFor example, to "
	            "correlate with indices of a referring resource, use:\n    "
	            "fleet_lb.many[each.key]");
	assert_int_equal(CFG->diags.errors, 13);
}

static void test_required_version(void **state)
{
	assert_int_equal(config_version_check(">= 1.0, < 2.0", "1.9.0"), 1);
	assert_int_equal(config_version_check("~> 1.2", "1.9.0"), 1);
	assert_int_equal(config_version_check("~> 1.2.0", "1.9.0"), 0);
	assert_int_equal(config_version_check("~> 1.9.0", "1.9.5"), 1);
	assert_int_equal(config_version_check("1.9.0", "1.9.0"), 1);
	assert_int_equal(config_version_check("!= 1.9.0", "1.9.0"), 0);
	assert_int_equal(config_version_check("> 2", "1.9.0"), 0);
	assert_int_equal(config_version_check(">= 1.0.0-beta", "1.9.0"), 1);
	assert_int_equal(config_version_check(">= banana", "1.9.0"), -1);
	assert_int_equal(config_version_check("", "1.9.0"), -1);
	put("main.tf", "terraform { required_version = \">= 2.0\" }\n"
	               "terraform { required_version = \"=> 1\" }\n");
	load();
	expect_diag("Unsupported Terraform Core version | This configuration does not support "
	            "Terraform version 1.9.0");
	expect_diag("Invalid version constraint | This string does not use correct version "
	            "constraint syntax.");
}

static void test_empty_dir(void **state)
{
	load();
	assert_int_equal(CFG->root->nfiles, 0);
	assert_string_equal(diags(), "");
	assert_true(config_validate(CFG));
	assert_string_equal(eval_str("upper(\"ok\")"), "\"OK\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_load_blocks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_moved_blocks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_structure_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_type_constraints, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_variable_precedence, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_variable_values, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_validation_blocks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_locals, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_deep_locals, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_validate_references, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_required_version, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_empty_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
