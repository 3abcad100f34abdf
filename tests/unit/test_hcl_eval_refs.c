/* The evaluator: references and scopes, attribute and index access,
 * collections, for expressions, splats, function calls, try() and can(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hcl_eval_test.h"

static void test_scopes(void **state)
{
	CHECK("var.port", "8080");
	CHECK("local.greeting", "\"hello\"");
	CHECK("fleet_lb.web.name", "\"web\"");
	CHECK("fleet_lb.web.id", "(known after apply)");
	CHECK("fleet_lb.web", "{\n  \"id\" = (known after apply)\n  \"name\" = \"web\"\n}");
	CHECK("fleet_lb.many[1].name", "\"m1\"");
	CHECK("fleet_lb.many[*].name", "[\n  \"m0\",\n  \"m1\",\n]");
	CHECK("length(fleet_lb.many)", "2");
	CHECK("data.fleet_lb.x.id", "\"d1\"");
	CHECK("module.app.url", "\"http://x\"");
	CHECK("path.module", "\".\"");
	CHECK("terraform.workspace", "\"default\"");
	CHECK("count.index + 1", "2");
	CHECK("\"${each.key}=${each.value}\"", "\"k=v\"");
}

static void test_reference_errors(void **state)
{
	CHECK("var.prot", "ERR Reference to undeclared input variable | An input variable with the "
	                  "name \"prot\" has not been declared. Did you mean \"port\"?");
	assert_string_equal(SUBJECT(), "1:1-9");
	CHECK("var.zzzzzz", "ERR Reference to undeclared input variable | An input variable with "
	                    "the name \"zzzzzz\" has not been declared. This variable can be "
	                    "declared with a variable \"zzzzzz\" {} block.");
	CHECK("local.gretting", "ERR Reference to undeclared local value | A local value with the "
	                        "name \"gretting\" has not been declared. Did you mean "
	                        "\"greeting\"?");
	CHECK("fleet_lb.wbe.id",
	      "ERR Reference to undeclared resource | A managed resource "
	      "\"fleet_lb\" \"wbe\" has not been declared in the root module. Did "
	      "you mean \"fleet_lb.web\"?");
	assert_string_equal(SUBJECT(), "1:1-13");
	CHECK("data.fleet_lb.y.id",
	      "ERR Reference to undeclared resource | A data resource "
	      "\"fleet_lb\" \"y\" has not been declared in the root module. Did "
	      "you mean \"fleet_lb.x\"?");
	CHECK("module.ap.url", "ERR Reference to undeclared module | No module call named \"ap\" "
	                       "is declared in the root module. Did you mean \"app\"?");
	CHECK("var", "ERR Invalid reference | The \"var\" object cannot be accessed directly. "
	             "Instead, access one of its attributes.");
	CHECK("var[0]", "ERR Invalid reference | The \"var\" object does not support this "
	                "operation.");
	CHECK("fleet_lb", "ERR Invalid reference | A reference to a resource type must be followed "
	                  "by at least one attribute access, specifying the resource name.");
	CHECK("data.x", "ERR Invalid reference | The \"data\" object must be followed by two "
	                "attribute names: the data source type and the resource name.");
	CHECK("module", "ERR Invalid reference | The \"module\" object cannot be accessed "
	                "directly. Instead, access one of its attributes.");
	CHECK("count.foo", "ERR Invalid \"count\" attribute | The \"count\" object does not have "
	                   "an attribute named \"foo\". The only supported attribute is "
	                   "count.index, which is the index of each instance of a resource block "
	                   "that has the \"count\" argument set.");
	CHECK("each.foo", "ERR Invalid \"each\" attribute | The \"each\" object does not have an "
	                  "attribute named \"foo\". The supported attributes are each.key and "
	                  "each.value, the current key and value pair of the \"for_each\" "
	                  "attribute set.");
	CHECK("terraform.env", "ERR Invalid \"terraform\" attribute | The \"terraform\" object "
	                       "does not have an attribute named \"env\". The only supported "
	                       "attribute is terraform.workspace, the name of the "
	                       "currently-selected workspace.");
	CHECK("self", "ERR Invalid \"self\" reference | The \"self\" object is not available in "
	              "this context. This object can be used only in resource provisioner, "
	              "connection, and postcondition blocks.");
	/* every undeclared reference of an expression in one pass */
	assert_null(EVAL("[var.a1, local.b1, fleet_lb.c1.id]"));
	assert_int_equal(LAST_DIAGS.errors, 3);
}

static void test_no_lookup(void **state)
{
	hcl_scope bare = {0};
	hcl_diags d;
	hcl_diags_init(&d, &A);
	const char *src = "var.x";
	hcl_expr *e = hcl_parse_expression("t.tf", src, 5, hcl_pos_start(), &A, &d);
	assert_null(hcl_eval(&A, e, &bare, &d));
	assert_string_equal(d.list.items[0].summary, "Variables not allowed");
	hcl_diags_dispose(&d);
	hcl_diags_init(&d, &A);
	bare.no_functions = true;
	e = hcl_parse_expression("t.tf", "upper(\"a\")", 10, hcl_pos_start(), &A, &d);
	assert_null(hcl_eval(&A, e, &bare, &d));
	assert_string_equal(d.list.items[0].summary, "Function calls not allowed");
	hcl_diags_dispose(&d);
}

static void test_attributes(void **state)
{
	CHECK("var.obj.a", "1");
	CHECK("var.obj[\"b\"]", "\"x\"");
	CHECK("var.map.x", "1");
	CHECK("var.map[\"y\"]", "2");
	CHECK("var.unk_any.foo.bar", "(known after apply)");
	CHECK("var.obj.c", "ERR Unsupported attribute | This object does not have an attribute "
	                   "named \"c\". Did you mean \"a\"?");
	assert_string_equal(SUBJECT(), "1:8-10");
	CHECK("var.obj.zzzz", "ERR Unsupported attribute | This object does not have an attribute "
	                      "named \"zzzz\".");
	CHECK("var.map.z", "ERR Missing map element | This map does not have an element with the "
	                   "key \"z\".");
	CHECK("var.nul.x", "ERR Attempt to get attribute from null value | This value is null, so "
	                   "it does not have any attributes.");
	CHECK("var.port.x", "ERR Unsupported attribute | Can't access attributes on a "
	                    "primitive-typed value (number).");
	CHECK("var.list.x", "ERR Unsupported attribute | This value does not have any "
	                    "attributes.");
	CHECK("tolist(var.objs).id",
	      "ERR Unsupported attribute | Can't access attributes on a "
	      "list of objects. Did you mean to access attribute \"id\" for a "
	      "specific element of the list, or across all elements of the "
	      "list?");
}

static void test_index(void **state)
{
	CHECK("var.list[0]", "1");
	CHECK("var.list[\"2\"]", "3");
	CHECK("var.list.1", "2"); /* legacy index */
	CHECK("var.names[var.port - 8079]", "\"b\"");
	CHECK("var.names[var.unk_any]", "(known after apply)");
	CHECK("var.unk_list[0]", "(known after apply)");
	CHECK("var.obj[var.unk_any]", "(known after apply)");
	CHECK("var.list[5]", "ERR Invalid index | The given key does not identify an element in "
	                     "this collection value.");
	CHECK("var.list[-1]", "ERR Invalid index | The given key does not identify an element in "
	                      "this collection value: a negative number is not a valid index for a "
	                      "sequence.");
	CHECK("var.list[0.5]", "ERR Invalid index | The given key does not identify an element in "
	                       "this collection value: the given index is not a whole number.");
	CHECK("var.list[\"a\"]", "ERR Invalid index | The given key does not identify an element "
	                         "in this collection value: a number is required.");
	CHECK("var.map[\"q\"]", "ERR Invalid index | The given key does not identify an element "
	                        "in this collection value.");
	CHECK("var.obj[0]", "ERR Invalid index | The given key does not identify an element in "
	                    "this collection value. An object only supports looking up attributes "
	                    "by name, not by numeric index.");
	CHECK("var.set[0]",
	      "ERR Invalid index | Elements of a set are identified only by their "
	      "value and don't have any separate index or key to select with, so it's "
	      "only possible to perform operations across all elements of the set.");
	CHECK("var.nul[0]", "ERR Attempt to index null value | This value is null, so it does "
	                    "not have any indices.");
	CHECK("var.list[null]", "ERR Invalid index | Can't use a null value as an indexing key.");
	CHECK("var.port[0]", "ERR Invalid index | This value does not have any indices.");
	CHECK("var.secret[0]", "ERR Invalid index | This value does not have any indices.");
}

static void test_constructors(void **state)
{
	CHECK("[1, \"a\", true]", "[\n  1,\n  \"a\",\n  true,\n]");
	CHECK("[]", "[]");
	CHECK("{a = 1, \"b\" = 2, c: 3}", "{\n  \"a\" = 1\n  \"b\" = 2\n  \"c\" = 3\n}");
	CHECK("{(var.name) = 1}", "{\n  \"web\" = 1\n}");
	CHECK("{(var.port) = 1}", "{\n  \"8080\" = 1\n}");
	CHECK("{(var.unk_any) = 1}", "(known after apply)");
	CHECK("{a = 1, a = 2}", "ERR Duplicate object key | The key \"a\" was already defined at "
	                        "t.tf:1,2-3. Each key may appear only once in an object.");
	CHECK("{(null) = 1}", "ERR Null value as key | Can't use a null value as a key.");
	CHECK("{([1]) = 1}", "ERR Incorrect key type | Can't use this value as a key: string "
	                     "required, but have tuple.");
}

static void test_for(void **state)
{
	CHECK("[for i in range(3) : i * 2]", "[\n  0,\n  2,\n  4,\n]");
	CHECK("jsonencode([for i in range(3) : i * 2])", "\"[0,2,4]\"");
	CHECK("[for i, v in [\"a\", \"b\"] : \"${i}${v}\"]", "[\n  \"0a\",\n  \"1b\",\n]");
	CHECK("[for s in var.set : upper(s)]", "[\n  \"A\",\n  \"B\",\n]");
	CHECK("[for k, v in var.set : k == v]", "[\n  true,\n  true,\n]");
	CHECK("{for k, v in var.map : k => v * 2}", "{\n  \"x\" = 2\n  \"y\" = 4\n}");
	CHECK("{for k, v in var.obj : v => k}", "{\n  \"1\" = \"a\"\n  \"x\" = \"b\"\n}");
	CHECK("[for s in var.list : s if s > 1]", "[\n  2,\n  3,\n]");
	CHECK("{for s in [\"a\", \"b\", \"a\"] : s => s...}",
	      "{\n  \"a\" = [\n    \"a\",\n    \"a\",\n  ]\n  \"b\" = [\n    \"b\",\n  ]\n}");
	/* every element filtered out (found by fuzz_hcl_eval) */
	CHECK("[for k, v in var.map : k if v > 5]", "[]");
	CHECK("{for k, v in var.map : k => v if false}", "{}");
	CHECK("[for s in var.unk_list : s]", "(known after apply)");
	CHECK("[for s in var.list : s if var.unk_any]", "(known after apply)");
	CHECK("{for s in var.names : (var.unk_any) => s}", "(known after apply)");
	CHECK("{for s in [\"a\", \"a\"] : s => 1}", "ERR Duplicate object key | Two different "
	                                            "items produced the key \"a\" in this 'for' "
	                                            "expression. If duplicates are expected, use "
	                                            "the ellipsis (...) after the value expression "
	                                            "to enable grouping by key.");
	CHECK("[for s in null : s]", "ERR Iteration over null value | A null value cannot be used "
	                             "as the collection in a 'for' expression.");
	CHECK("[for s in 3 : s]", "ERR Iteration over non-iterable value | A value of type number "
	                          "cannot be used as the collection in a 'for' expression.");
	CHECK("[for s in [1] : s if null]", "ERR Condition is null | The value of the 'if' clause "
	                                    "must not be null.");
	CHECK("[for s in [1] : s if \"x\"]", "ERR Invalid 'for' condition | The 'if' clause value "
	                                     "is invalid: a bool is required.");
	CHECK("{for s in [1] : null => s}", "ERR Invalid object key | Key expression in 'for' "
	                                    "expression must not produce a null value.");
	/* iterator names shadow the scope only inside the for */
	CHECK("[for var in [1] : var]", "[\n  1,\n]");
}

static void test_splat(void **state)
{
	CHECK("var.objs[*].id", "[\n  \"i-1\",\n  \"i-2\",\n]");
	CHECK("var.objs.*.id", "[\n  \"i-1\",\n  \"i-2\",\n]");
	CHECK("var.objs[*].tags[0]", "ERR Invalid index | The given key does not identify an "
	                             "element in this collection value.");
	CHECK("tolist(var.objs)[*].id", "tolist([\n  \"i-1\",\n  \"i-2\",\n])");
	CHECK("var.nul[*]", "[]");
	CHECK("var.port[*]", "[\n  8080,\n]");
	CHECK("var.obj[*].a", "[\n  1,\n]");
	CHECK("var.unk_list[*]", "(known after apply)");
	CHECK("var.set[*]", "tolist([\n  \"a\",\n  \"b\",\n])");
	CHECK("length(var.nul[*])", "0");
}

static void test_calls(void **state)
{
	CHECK("upper(\"a\")", "\"A\"");
	CHECK("max(var.list...)", "3");
	CHECK("format(\"%s-%d\", var.name, var.port)", "\"web-8080\"");
	CHECK("upper(var.unk)", "(known after apply)");
	CHECK("nope(1)", "ERR Call to unknown function | There is no function named \"nope\".");
	assert_string_equal(SUBJECT(), "1:1-5");
	CHECK("uper(\"a\")", "ERR Call to unknown function | There is no function named \"uper\". "
	                     "Did you mean \"upper\"?");
	CHECK("substr(\"hello\", 1)", "ERR Not enough function arguments | Function \"substr\" "
	                              "expects 3 argument(s). Missing value for \"length\".");
	CHECK("upper(\"a\", \"b\")", "ERR Too many function arguments | Function \"upper\" "
	                             "expects only 1 argument(s).");
	assert_string_equal(SUBJECT(), "1:12-15");
	CHECK("substr(\"hello\", \"x\", 1)", "ERR Invalid function argument | Invalid value for "
	                                     "\"offset\" parameter: a number is required.");
	assert_string_equal(SUBJECT(), "1:17-20");
	CHECK("max(1...)", "ERR Invalid expanding argument value | The expanding argument "
	                   "(indicated by ...) must be of a tuple, list, or set type.");
}

static void test_try_can(void **state)
{
	CHECK("try(var.obj.c, \"fallback\")", "\"fallback\"");
	CHECK("try(var.obj.a, \"fallback\")", "1");
	CHECK("try(var.unk_any.x, 1)", "(known after apply)");
	CHECK("try(var.list[9], var.list[1])", "2");
	CHECK("can(var.obj.c)", "false");
	CHECK("can(var.obj.a)", "true");
	CHECK("can(var.unk)", "(known after apply)");
	CHECK("can(tonumber(\"x\"))", "false");
	CHECK("can(regex(\"^a\", \"abc\"))", "true");
	CHECK("try(var.obj.c, var.obj.d)",
	      "ERR Error in function call | Call to function \"try\" failed: no expression "
	      "succeeded:\n- Unsupported attribute (at t.tf:1,12-14)\n  This object does not have "
	      "an attribute named \"c\". Did you mean \"a\"?\n- Unsupported attribute (at "
	      "t.tf:1,23-25)\n  This object does not have an attribute named \"d\". Did you mean "
	      "\"a\"?\n\nAt least one expression must produce a successful result.");
	/* references to undeclared things are errors even inside try */
	CHECK("try(var.nope, 1)", "ERR Reference to undeclared input variable | An input variable "
	                          "with the name \"nope\" has not been declared. Did you mean "
	                          "\"name\"?");
	CHECK("can(local.nope)", "ERR Reference to undeclared local value | A local value with the "
	                         "name \"nope\" has not been declared.");
	CHECK("try()", "ERR Not enough function arguments | Function \"try\" expects at least 1 "
	               "argument(s). Missing value for \"expressions\".");
	CHECK("can(1, 2)", "ERR Too many function arguments | Function \"can\" expects only 1 "
	                   "argument(s).");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reference_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_lookup, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_index, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_constructors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_for, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_splat, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_try_can, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
