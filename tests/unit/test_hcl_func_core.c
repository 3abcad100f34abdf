/* Unit tests of the function dispatcher (arity, types, unknowns, marks,
 * `...` expansion, names) and of the numeric, conversion, string, format
 * and regex families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "hcl_func_test.h"

static void test_dispatch_errors(void **state)
{
	CHECK("lenght", "[[]]",
	      "ERR Call to unknown function | There is no function named \"lenght\". Did you mean "
	      "\"length\"?");
	CHECK("nosuchthing", "[]",
	      "ERR Call to unknown function | There is no function named \"nosuchthing\".");
	CHECK("substr", "[\"abc\", 1]",
	      "ERR Not enough function arguments | Function \"substr\" expects 3 argument(s). "
	      "Missing value for \"length\".");
	CHECK("upper", "[\"a\", \"b\"]",
	      "ERR Too many function arguments | Function \"upper\" expects only 1 argument(s).");
	assert_int_equal(LAST_ARG, 1);
	CHECK("join", "[]",
	      "ERR Not enough function arguments | Function \"join\" expects at least 1 "
	      "argument(s). Missing value for \"separator\".");
	CHECK("upper", "[[]]",
	      "ERR Invalid function argument | Invalid value for \"str\" parameter: string "
	      "required, but have tuple.");
	assert_int_equal(LAST_ARG, 0);
	CHECK("abs", "[\"x\"]",
	      "ERR Invalid function argument | Invalid value for \"num\" parameter: a number is "
	      "required.");
	CHECK("upper", "[null]",
	      "ERR Invalid function argument | Invalid value for \"str\" parameter: argument must "
	      "not be null.");
	CHECK("try", "[1]",
	      "ERR Error in function call | Call to function \"try\" failed: try() must be "
	      "evaluated by the expression evaluator.");
}

static void test_names_and_arity(void **state)
{
	size_t n;
	const char *const *names = hcl_func_names(&n);
	assert_int_equal(n, 99); /* the 97 functions of the library, try and can */
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	int min, max;
	assert_int_equal(hcl_func_arity("substr", &min, &max), 0);
	assert_int_equal(min, 3);
	assert_int_equal(max, 3);
	assert_int_equal(hcl_func_arity("try", &min, &max), 0);
	assert_int_equal(min, 1);
	assert_int_equal(max, -1);
	assert_int_equal(hcl_func_arity("can", &min, &max), 0);
	assert_int_equal(max, 1);
	assert_int_equal(hcl_func_arity("max", &min, &max), 0);
	assert_int_equal(min, 0);
	assert_int_equal(hcl_func_arity("nope", &min, &max), GF_ENOTFOUND);
	assert_true(hcl_func_exists("cidrsubnets"));
	assert_false(hcl_func_exists("Upper"));
}

static void test_unknown_marks_expand(void **state)
{
	const hcl_value *args[3];
	args[0] = UNK(&hcl_type_string);
	hcl_func_error err;
	const hcl_value *r = hcl_func_call(&ENV, "upper", args, 1, false, &err);
	assert_int_equal(r->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(r->type->kind, HCL_TYPE_STRING);
	/* a type error is still reported for unknowns of the wrong type */
	args[0] = UNK(hcl_type_list(&A, &hcl_type_string));
	assert_null(hcl_func_call(&ENV, "upper", args, 1, false, &err));
	/* length of a list with unknown elements is known */
	const hcl_value *items[2] = {UNK(&hcl_type_string), J("\"a\"")};
	args[0] = hcl_tuple(&A, items, 2);
	assert_string_equal(callv("length", args, 1, false), "2");
	assert_string_equal(callv("join", (const hcl_value *[]){J("\",\""), args[0]}, 2, false),
	                    "(known after apply)");
	/* sensitive arguments make sensitive results */
	args[0] = hcl_mark(&A, J("\"secret\""), HCL_MARK_SENSITIVE);
	r = hcl_func_call(&ENV, "upper", args, 1, false, &err);
	assert_string_equal(r->u.str.ptr, "SECRET");
	assert_true(r->marks & HCL_MARK_SENSITIVE);
	assert_string_equal(hcl_value_render(&A, r), "(sensitive value)");
	/* expansion */
	args[0] = J("[3, 9, 2]");
	assert_string_equal(callv("max", args, 1, true), "9");
	args[0] = J("\"x\"");
	assert_string_equal(callv("max", args, 1, true),
	                    "ERR Invalid expanding argument value | The expanding argument "
	                    "(indicated by ...) must be of a tuple, list, or set type.");
	args[0] = &hcl_null_dynamic;
	assert_string_equal(callv("max", args, 1, true),
	                    "ERR Invalid expanding argument value | The expanding argument "
	                    "(indicated by ...) must not be null.");
	args[0] = &hcl_unknown_dynamic;
	assert_string_equal(callv("max", args, 1, true), "(known after apply)");
}

static void test_numeric(void **state)
{
	CHECK("abs", "[-2.5]", "2.5");
	CHECK("ceil", "[1.2]", "2");
	CHECK("floor", "[-1.2]", "-2");
	CHECK("log", "[16, 2]", "4");
	CHECK("pow", "[3, 2]", "9");
	CHECK("pow", "[\"2\", 10]", "1024");
	CHECK("signum", "[-7]", "-1");
	CHECK("signum", "[0]", "0");
	CHECK("max", "[12, 54, 3]", "54");
	CHECK("min", "[12, 54, 3]", "3");
	CHECK("max", "[]",
	      "ERR Error in function call | Call to function \"max\" failed: must pass at least "
	      "one "
	      "number.");
	CHECK("parseint", "[\"100\", 10]", "100");
	CHECK("parseint", "[\"FF\", 16]", "255");
	CHECK("parseint", "[\"-1010\", 2]", "-10");
	CHECK("parseint", "[\"zz\", 36]", "1295");
	CHECK("parseint", "[\"12\", 2]",
	      "ERR Invalid function argument | Invalid value for \"number\" parameter: cannot "
	      "parse "
	      "\"12\" as a base 2 integer.");
	CHECK("parseint", "[\"1\", 1]",
	      "ERR Invalid function argument | Invalid value for \"base\" parameter: base must be "
	      "a "
	      "whole number between 2 and 62 inclusive.");
	CHECK("parseint", "[1, 10]",
	      "ERR Invalid function argument | Invalid value for \"number\" parameter: first "
	      "argument must be a string, not number.");
	CHECK("log", "[0, 10]",
	      "ERR Error in function call | Call to function \"log\" failed: the result is not a "
	      "finite number.");
}

static void test_conversion_functions(void **state)
{
	CHECK("tostring", "[5]", "\"5\"");
	CHECK("tostring", "[true]", "\"true\"");
	CHECK("tostring", "[null]", "tostring(null)");
	CHECK("tonumber", "[\"1.5\"]", "1.5");
	CHECK("tonumber", "[\"no\"]",
	      "ERR Invalid function argument | Invalid value for \"v\" parameter: cannot convert "
	      "\"no\" to number; given string must be a decimal representation of a number.");
	CHECK("tobool", "[\"true\"]", "true");
	CHECK("tobool", "[\"yes\"]",
	      "ERR Invalid function argument | Invalid value for \"v\" parameter: cannot convert "
	      "\"yes\" to bool; only the strings \"true\" or \"false\" are allowed.");
	CHECK("tobool", "[[]]",
	      "ERR Invalid function argument | Invalid value for \"v\" parameter: cannot convert "
	      "tuple to bool.");
	CHECK("tolist", "[[\"a\", 1]]", "tolist([\n  \"a\",\n  \"1\",\n])");
	CHECK("toset", "[[\"b\", \"a\", \"b\"]]", "toset([\n  \"a\",\n  \"b\",\n])");
	CHECK("tomap", "[{\"a\": 1, \"b\": \"x\"}]",
	      "tomap({\n  \"a\" = \"1\"\n  \"b\" = \"x\"\n})");
	CHECK("tolist", "[[1, true]]",
	      "ERR Invalid function argument | Invalid value for \"v\" parameter: cannot convert "
	      "tuple to list of any single type.");
	const hcl_value *s = hcl_mark(&A, J("\"pw\""), HCL_MARK_SENSITIVE);
	assert_string_equal(callv("tonumber", &s, 1, false),
	                    "ERR Invalid function argument | Invalid value for \"v\" parameter: "
	                    "cannot convert this sensitive string to number.");
	const hcl_value *u = UNK(&hcl_type_string);
	hcl_func_error err;
	const hcl_value *r = hcl_func_call(&ENV, "tonumber", &u, 1, false, &err);
	assert_int_equal(r->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(r->type->kind, HCL_TYPE_NUMBER);
}

static void test_strings(void **state)
{
	CHECK("upper", "[\"hello caf\xc3\xa9\"]", "\"HELLO CAF\xc3\x89\"");
	CHECK("lower", "[\"\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2\"]",
	      "\"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\"");
	CHECK("title", "[\"hello world-wide web_x\"]", "\"Hello World-Wide Web_x\"");
	CHECK("chomp", "[\"hello\\n\\r\\n\"]", "\"hello\"");
	CHECK("trimspace", "[\"  \\t hi \\n\"]", "\"hi\"");
	CHECK("trim", "[\"?!hello?!\", \"!?\"]", "\"hello\"");
	CHECK("trimprefix", "[\"helloworld\", \"hello\"]", "\"world\"");
	CHECK("trimsuffix", "[\"helloworld\", \"world\"]", "\"hello\"");
	CHECK("trimprefix", "[\"hello\", \"x\"]", "\"hello\"");
	CHECK("startswith", "[\"hello\", \"he\"]", "true");
	CHECK("endswith", "[\"hello\", \"he\"]", "false");
	CHECK("strcontains", "[\"hello\", \"ll\"]", "true");
	CHECK("strcontains", "[\"hello\", \"\"]", "true");
	CHECK("strrev", "[\"abc\"]", "\"cba\"");
	CHECK("strrev", "[\"e\xcc\x81x\"]", "\"xe\xcc\x81\"");
	CHECK("substr", "[\"hello world\", 1, 4]", "\"ello\"");
	CHECK("substr", "[\"hello world\", -5, -1]", "\"world\"");
	CHECK("substr", "[\"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd!\", 0, 1]",
	      "\"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd\"");
	CHECK("substr", "[\"abc\", 10, 1]", "\"\"");
	CHECK("substr", "[\"abc\", 0.5, 1]",
	      "ERR Invalid function argument | Invalid value for \"offset\" parameter: value must "
	      "be a whole number.");
	CHECK("indent", "[2, \"a\\nb\\n\"]", "<<EOT\na\n  b\n  \nEOT");
	CHECK("join", "[\", \", [\"a\", \"b\"], [\"c\"]]", "\"a, b, c\"");
	CHECK("join", "[\",\"]",
	      "ERR Error in function call | Call to function \"join\" failed: at least one list is "
	      "required.");
	CHECK("join", "[\",\", [\"a\", null]]",
	      "ERR Invalid function argument | Invalid value for \"lists\" parameter: element 1 is "
	      "null; cannot concatenate null values.");
	CHECK("split", "[\",\", \"a,b,,c\"]",
	      "tolist([\n  \"a\",\n  \"b\",\n  \"\",\n  \"c\",\n])");
	CHECK("split", "[\",\", \"\"]", "tolist([\n  \"\",\n])");
	CHECK("split", "[\"\", \"\"]", "tolist([])");
	CHECK("split", "[\"\", \"ab\"]", "tolist([\n  \"a\",\n  \"b\",\n])");
	/* found by fuzzing: the parts were copied one element too far, which
	 * ASan sees when they fill the vector (8 parts) */
	const hcl_value *sp[2] = {J("\",\""), J("\"a,,,,,,,\"")};
	hcl_func_error err;
	const hcl_value *parts = hcl_func_call(&ENV, "split", sp, 2, false, &err);
	assert_int_equal(parts->u.coll.len, 8);
	assert_string_equal(parts->u.coll.items[0]->u.str.ptr, "a");
	CHECK("length", "[\"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7 e\xcc\x81\"]", "3");
}

static void test_format(void **state)
{
	CHECK("format", "[\"Hello, %s!\", \"Ander\"]", "\"Hello, Ander!\"");
	CHECK("format", "[\"%d items\", 3]", "\"3 items\"");
	CHECK("format", "[\"%5d|%-5d|%05d\", 42, 42, -42]", "\"   42|42   |-0042\"");
	CHECK("format", "[\"%.2f %e %g\", 3.14159, 1500, 0.000012]",
	      "\"3.14 1.500000e+03 1.2e-05\"");
	CHECK("format", "[\"%x %X %o %b %#x\", 255, 255, 8, 5, 255]", "\"ff FF 10 101 0xff\"");
	CHECK("format", "[\"%t %v %v %#v\", true, 1000000, \"s\", \"s\"]",
	      "\"true 1e+06 s \\\"s\\\"\"");
	CHECK("format", "[\"%v\", [1, \"a\"]]", "\"[1,\\\"a\\\"]\"");
	CHECK("format", "[\"%q\", \"a\\\"b\"]", "\"\\\"a\\\\\\\"b\\\"\"");
	CHECK("format", "[\"%.3s|%6s|%-4s|\", \"abcdef\", \"ab\", \"x\"]", "\"abc|    ab|x   |\"");
	CHECK("format", "[\"%[2]s %[1]s %s\", \"a\", \"b\"]", "\"b a b\"");
	CHECK("format", "[\"100%%\"]", "\"100%\"");
	CHECK("format", "[\"%s\", 1.5]", "\"1.5\"");
	CHECK("format", "[\"%d\", 1.5]",
	      "ERR Error in function call | Call to function \"format\" failed: unsupported value "
	      "for \"%d\" at 0: an integer is required.");
	CHECK("format", "[\"%d\", \"x\"]",
	      "ERR Error in function call | Call to function \"format\" failed: unsupported value "
	      "for \"%d\" at 0: a number is required.");
	CHECK("format", "[\"%s %s\", \"a\"]",
	      "ERR Error in function call | Call to function \"format\" failed: not enough "
	      "arguments for \"%s\" at 3: need index 2 but have 1 total.");
	CHECK("format", "[\"%s\", \"a\", \"b\"]",
	      "ERR Invalid function argument | Invalid value for \"args\" parameter: too many "
	      "arguments; only 1 used by format string.");
	CHECK("format", "[\"x\", 1]",
	      "ERR Invalid function argument | Invalid value for \"args\" parameter: too many "
	      "arguments; no verbs in format string.");
	CHECK("format", "[\"%s\", null]",
	      "ERR Error in function call | Call to function \"format\" failed: unsupported value "
	      "for \"%s\" at 0: null value cannot be formatted.");
	CHECK("format", "[\"%v\", null]", "\"null\"");
	CHECK("format", "[\"%y\", 1]",
	      "ERR Error in function call | Call to function \"format\" failed: unsupported format "
	      "verb 'y' in \"%y\" at offset 0.");
	CHECK("format", "[\"%\"]",
	      "ERR Error in function call | Call to function \"format\" failed: invalid format "
	      "string starting at offset 1.");
	const hcl_value *args[2] = {J("\"%s\""), UNK(&hcl_type_string)};
	assert_string_equal(callv("format", args, 2, false), "(known after apply)");
	CHECK("formatlist", "[\"%s=%d\", [\"a\", \"b\"], [1, 2]]",
	      "tolist([\n  \"a=1\",\n  \"b=2\",\n])");
	CHECK("formatlist", "[\"%s-%s\", \"x\", [\"a\", \"b\"]]",
	      "tolist([\n  \"x-a\",\n  \"x-b\",\n])");
	CHECK("formatlist", "[\"%s\", []]", "tolist([])");
	CHECK("formatlist", "[\"%s%s\", [\"a\"], [\"b\", \"c\"]]",
	      "ERR Invalid function argument | Invalid value for \"args\" parameter: argument 2 "
	      "has "
	      "length 2, which is inconsistent with argument 1 of length 1.");
}

static void test_regex(void **state)
{
	CHECK("regex", "[\"[a-z]+\", \"53453453.345345aaabbbccc23454\"]", "\"aaabbbccc\"");
	CHECK("regex", "[\"(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)\", \"2019-02-01\"]",
	      "[\n  \"2019\",\n  \"02\",\n  \"01\",\n]");
	CHECK("regex",
	      "[\"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?\", "
	      "\"https://terraform.io/docs/\"]",
	      "{\n  \"authority\" = \"terraform.io\"\n  \"scheme\" = \"https\"\n}");
	CHECK("regex", "[\"(a)|(b)\", \"b\"]", "[\n  tostring(null),\n  \"b\",\n]");
	CHECK("regex", "[\"x\", \"abc\"]",
	      "ERR Error in function call | Call to function \"regex\" failed: pattern did not "
	      "match "
	      "any part of the given string.");
	CHECK("regex", "[\"(?P<a>x)(y)\", \"xy\"]",
	      "ERR Invalid function argument | Invalid value for \"pattern\" parameter: invalid "
	      "regexp pattern: cannot mix both named and unnamed capture groups.");
	CHECK("regex", "[\"(\", \"x\"]",
	      "ERR Invalid function argument | Invalid value for \"pattern\" parameter: invalid "
	      "regexp pattern: missing closing parenthesis at offset 1 in `(`.");
	CHECK("replace", "[\"x\", \"/(/\", \"y\"]",
	      "ERR Error in function call | Call to function \"replace\" failed: error parsing "
	      "regexp: missing closing parenthesis at offset 1: `(`.");
	CHECK("replace", "[\"ab\", \"/(?P<x>a)(b)/\", \"${x}-$2\"]", "\"a-b\"");
	/* backtracking patterns are cut off instead of running away */
	assert_true(strstr(CALL("regex", "[\"(a+)+$\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"]"),
	                   "failed: regular expression matching failed: match limit exceeded") !=
	            NULL);
	CHECK("regexall", "[\"[a-z]+\", \"1234abcd5678efgh9\"]",
	      "tolist([\n  \"abcd\",\n  \"efgh\",\n])");
	CHECK("regexall", "[\"[a-z]+\", \"1234\"]", "tolist([])");
	CHECK("length", "[[]]", "0");
	CHECK("regexall", "[\"(\\\\w)=(\\\\d)\", \"a=1 b=2\"]",
	      "tolist([\n  [\n    \"a\",\n    \"1\",\n  ],\n  [\n    \"b\",\n    \"2\",\n  ],\n])");
	CHECK("regex", "[\"a$\", \"a\\n\"]",
	      "ERR Error in function call | Call to function \"regex\" failed: pattern did not "
	      "match "
	      "any part of the given string.");
	CHECK("replace", "[\"1 + 2 + 3\", \"+\", \"-\"]", "\"1 - 2 - 3\"");
	CHECK("replace", "[\"hello world\", \"/w.*d/\", \"everybody\"]", "\"hello everybody\"");
	CHECK("replace", "[\"key=value\", \"/(\\\\w+)=(\\\\w+)/\", \"$2=${1}!$$\"]",
	      "\"value=key!$\"");
	CHECK("replace", "[\"abc\", \"/x*/\", \"-\"]", "\"-a-b-c-\"");
	CHECK("replace", "[\"ab\", \"\", \"-\"]", "\"-a-b-\"");
	CHECK("replace", "[\"a/b\", \"/\", \"_\"]", "\"a_b\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_dispatch_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_names_and_arity, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_marks_expand, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_numeric, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_conversion_functions, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_regex, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
