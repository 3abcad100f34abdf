/* The evaluator: operators, conversions, unknowns, marks, conditionals,
 * templates and their diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hcl_eval_test.h"

static void test_literals(void **state)
{
	CHECK("1", "1");
	CHECK("1.5e3", "1500");
	CHECK("\"a\\tb\"", "\"a\\tb\"");
	CHECK("true", "true");
	CHECK("null", "null");
	CHECK("(2)", "2");
}

static void test_arithmetic(void **state)
{
	CHECK("1 + 2 * 3", "7");
	CHECK("(1 + 2) * 3", "9");
	CHECK("7 / 2", "3.5");
	CHECK("5 % 3", "2");
	CHECK("-5 % 3", "-2");
	CHECK("10 - 4 - 3", "3");
	CHECK("\"1\" + 1", "2");
	CHECK("\"2.5\" * \"2\"", "5");
	CHECK("-var.port", "-8080");
	CHECK("-\"3\"", "-3");
	CHECK("\"a\" + 1", "ERR Invalid operand | Unsuitable value for left operand: a number "
	                   "is required.");
	assert_string_equal(SUBJECT(), "1:1-4");
	CHECK("1 + true", "ERR Invalid operand | Unsuitable value for right operand: number "
	                  "required, but have bool.");
	CHECK("null + 1", "ERR Operation failed | Error during operation: argument must not be "
	                  "null.");
	CHECK("1 + var.nul", "ERR Operation failed | Error during operation: argument must not "
	                     "be null.");
	CHECK("1 / 0", "ERR Operation failed | Error during operation: can't divide by zero.");
	CHECK("1 % 0", "ERR Operation failed | Error during operation: can't use modulo by zero.");
	CHECK("-[1]", "ERR Invalid operand | Unsuitable value for unary operand: number "
	              "required, but have tuple.");
	/* both operands are checked in one pass */
	assert_null(EVAL("\"a\" + \"b\""));
	assert_int_equal(LAST_DIAGS.errors, 2);
}

static void test_comparison(void **state)
{
	CHECK("1 < 2", "true");
	CHECK("2 <= 2", "true");
	CHECK("\"10\" > 9", "true");
	CHECK("3 >= 4", "false");
	CHECK("\"a\" < 1", "ERR Invalid operand | Unsuitable value for left operand: a number "
	                   "is required.");
}

static void test_equality(void **state)
{
	CHECK("1 == 1", "true");
	CHECK("1 == \"1\"", "false"); /* no conversion */
	CHECK("1 != \"1\"", "true");
	CHECK("\"a\" == \"a\"", "true");
	CHECK("[1, 2] == [1, 2]", "true");
	CHECK("[1] == [2]", "false");
	CHECK("{a = 1} == {a = 1}", "true");
	CHECK("var.names == [\"a\", \"b\"]", "false"); /* list vs tuple */
	CHECK("var.names == tolist([\"a\", \"b\"])", "true");
	CHECK("null == null", "true");
	CHECK("var.nul == null", "true");
	CHECK("var.name == null", "false");
	CHECK("var.unk == \"x\"", "(known after apply)");
	CHECK("var.unk != \"x\"", "(known after apply)");
	CHECK("var.unk == 1", "false"); /* an unknown string is never a number */
	CHECK("var.unk_any == 1", "(known after apply)");
	CHECK("[var.unk] == [\"x\"]", "(known after apply)");
	CHECK("[var.unk, 1] == [\"x\", 2]", "false");
}

static void test_logic(void **state)
{
	CHECK("true && false", "false");
	CHECK("true || false", "true");
	CHECK("!true", "false");
	CHECK("!\"false\"", "true");
	CHECK("\"true\" && true", "true");
	/* unknowns: a known controlling side decides */
	CHECK("false && var.unk_any", "false");
	CHECK("var.unk_any && false", "false");
	CHECK("true && var.unk_any", "(known after apply)");
	CHECK("true || var.unk_any", "true");
	CHECK("var.unk_any || true", "true");
	CHECK("false || var.unk_any", "(known after apply)");
	CHECK("!var.unk_any", "(known after apply)");
	/* short-circuit: the failed right side does not matter */
	CHECK("var.nul != null && var.nul.x == 1", "false");
	CHECK("var.nul == null || var.nul.x == 1", "true");
	CHECK("true && var.nul.x", "ERR Attempt to get attribute from null value | This value is "
	                           "null, so it does not have any attributes.");
	CHECK("1 && true", "ERR Invalid operand | Unsuitable value for left operand: bool "
	                   "required, but have number.");
	CHECK("null && true", "ERR Operation failed | Error during operation: argument must not "
	                      "be null.");
}

static void test_unknown_operands(void **state)
{
	CHECK("var.unk_any + 1", "(known after apply)");
	CHECK("1 - var.unk_any", "(known after apply)");
	CHECK("var.unk_any < 1", "(known after apply)");
	CHECK("-var.unk_any", "(known after apply)");
	const hcl_value *v = EVAL("var.unk_any * 2");
	assert_int_equal(v->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(v->type->kind, HCL_TYPE_NUMBER);
	v = EVAL("var.unk_any > 2");
	assert_int_equal(v->type->kind, HCL_TYPE_BOOL);
	/* an unknown string still fails conversion only when known */
	CHECK("var.unk + 1", "(known after apply)");
}

static void test_sensitive(void **state)
{
	CHECK("var.secret", "(sensitive value)");
	CHECK("\"x-${var.secret}\"", "(sensitive value)");
	CHECK("var.secret == \"x\"", "(sensitive value)");
	CHECK("length(var.secret)", "(sensitive value)");
	CHECK("upper(var.secret)", "(sensitive value)");
	CHECK("[var.secret][0]", "(sensitive value)");
	CHECK("{a = var.secret}.a", "(sensitive value)");
	CHECK("nonsensitive(var.secret)", "\"s3cr3t\"");
	CHECK("issensitive(var.secret)", "true");
	CHECK("issensitive(var.name)", "false");
	CHECK("sensitive(1) + 1", "(sensitive value)");
	CHECK("var.secret != null ? 1 : 2", "(sensitive value)");
	CHECK("true ? var.secret : \"b\"", "(sensitive value)");
	CHECK("[for s in [sensitive(\"a\")] : s][0]", "(sensitive value)");
	CHECK("sensitive([1, 2])[0]", "(sensitive value)");
	const hcl_value *v = EVAL("var.secret");
	assert_true(v->marks & HCL_MARK_SENSITIVE);
	v = EVAL("var.secret == \"s3cr3t\"");
	assert_true(v->marks & HCL_MARK_SENSITIVE);
	assert_true(v->u.b);
}

static void test_conditional(void **state)
{
	CHECK("true ? 1 : 2", "1");
	CHECK("false ? 1 : 2", "2");
	CHECK("var.port > 80 ? \"high\" : \"low\"", "\"high\"");
	CHECK("true ? \"a\" : 1", "\"a\"");
	CHECK("false ? \"a\" : 1", "\"1\""); /* unified to string */
	CHECK("true ? null : \"x\"", "tostring(null)");
	CHECK("false ? [1] : null", "null /* tuple */");
	CHECK("\"true\" ? 1 : 2", "1");
	CHECK("var.unk_any ? 1 : 2", "(known after apply)");
	const hcl_value *v = EVAL("var.unk_any ? 1 : 2");
	assert_int_equal(v->type->kind, HCL_TYPE_NUMBER);
	CHECK("true ? \"a\" : [1]", "ERR Inconsistent conditional result types | The true and "
	                            "false result expressions must have consistent types. The "
	                            "'true' value is string, but the 'false' value is tuple.");
	CHECK("null ? 1 : 2", "ERR Null condition | The condition value is null. Conditions must "
	                      "either be true or false.");
	CHECK("\"x\" ? 1 : 2", "ERR Incorrect condition type | The condition expression must be "
	                       "of type bool.");
	assert_string_equal(SUBJECT(), "1:1-4");
	/* the branch not taken may fail */
	CHECK("true ? 1 : var.nul.x", "1");
	CHECK("var.nul == null ? \"none\" : var.nul.x", "\"none\"");
}

static void test_templates(void **state)
{
	CHECK("\"port ${var.port}\"", "\"port 8080\"");
	CHECK("\"${var.port}\"", "8080"); /* unwrapped: the value, not a string */
	CHECK("\"${true}!\"", "\"true!\"");
	CHECK("\"a${var.unk}b\"", "(known after apply)");
	const hcl_value *v = EVAL("\"a${var.unk}b\"");
	assert_int_equal(v->type->kind, HCL_TYPE_STRING);
	CHECK("\"%{ for x in var.list }${x},%{ endfor }\"", "\"1,2,3,\"");
	CHECK("\"%{ for k, v in var.map }${k}=${v};%{ endfor }\"", "\"x=1;y=2;\"");
	CHECK("\"%{ if var.port > 1 }big%{ else }small%{ endif }\"", "\"big\"");
	CHECK("\"%{ if false }x%{ endif }\"", "\"\"");
	CHECK("\"%{ if var.unk_any }x%{ endif }\"", "(known after apply)");
	CHECK("jsonencode(<<EOT\nhello ${var.name}\n%{ for n in var.names }- ${n}\n%{ endfor "
	      "}\nEOT\n)",
	      "\"\\\"hello web\\\\n- a\\\\n- b\\\\n\\\\n\\\"\"");
	CHECK("jsonencode(\"%{ for n in var.names ~} ${n} %{~ endfor }\")", "\"\\\"ab\\\"\"");
	CHECK("\"${[1]}\"", "[\n  1,\n]");
	CHECK("\"a${[1]}\"", "ERR Invalid template interpolation value | Cannot include the "
	                     "given value in a string template: string required, but have "
	                     "tuple.");
	CHECK("\"a${var.nul}\"", "ERR Invalid template interpolation value | The expression "
	                         "result is null. Cannot include a null value in a string "
	                         "template.");
	CHECK("\"%{ for x in 1 }x%{ endfor }\"", "ERR Iteration over non-iterable value | A "
	                                         "value of type number cannot be used as the "
	                                         "collection in a 'for' expression.");
	CHECK("\"%{ if \"x\" }x%{ endif }\"", "ERR Invalid template if condition | The condition "
	                                      "expression must be of type bool.");
}

static void test_templatefile(void **state)
{
	CHECK("templatefile(\"hcl/eval/list.tftpl\", {name = \"fox\", items = [\"a\", \"b\"]})",
	      "<<EOT\nHello, fox!\n- a\n- b\n\nEOT");
	const char *r = EV("templatefile(\"hcl/eval/list.tftpl\", {name = \"fox\"})");
	assert_non_null(strstr(r, "vars map does not contain key \"items\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_literals, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arithmetic, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_comparison, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_equality, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_logic, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_operands, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_sensitive, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_conditional, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_templatefile, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
