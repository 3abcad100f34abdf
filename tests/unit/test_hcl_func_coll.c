/* Unit tests of the collection and set functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "hcl_func_test.h"

static void test_bools_and_lists(void **state)
{
	CHECK("alltrue", "[[true, \"true\"]]", "true");
	CHECK("alltrue", "[[true, false]]", "false");
	CHECK("alltrue", "[[]]", "true");
	CHECK("anytrue", "[[false, true]]", "true");
	CHECK("anytrue", "[[]]", "false");
	CHECK("alltrue", "[[1]]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: element 0: "
	      "bool required, but have number.");
	CHECK("chunklist", "[[\"a\", \"b\", \"c\", \"d\", \"e\"], 2]",
	      "tolist([\n  tolist([\n    \"a\",\n    \"b\",\n  ]),\n  tolist([\n    \"c\",\n    "
	      "\"d\",\n  ]),\n  tolist([\n    \"e\",\n  ]),\n])");
	CHECK("chunklist", "[[1, 2], 0]", "tolist([\n  tolist([\n    1,\n    2,\n  ]),\n])");
	CHECK("chunklist", "[[1], -1]",
	      "ERR Error in function call | Call to function \"chunklist\" failed: the size "
	      "argument must be positive.");
	CHECK("compact", "[[\"a\", \"\", null, \"b\"]]", "tolist([\n  \"a\",\n  \"b\",\n])");
	CHECK("distinct", "[[\"a\", \"b\", \"a\", \"c\", \"b\"]]",
	      "tolist([\n  \"a\",\n  \"b\",\n  \"c\",\n])");
	CHECK("concat", "[[\"a\", \"\"], [\"b\", \"c\"]]",
	      "[\n  \"a\",\n  \"\",\n  \"b\",\n  \"c\",\n]");
	CHECK("concat", "[[1], \"x\"]",
	      "ERR Invalid function argument | Invalid value for \"seqs\" parameter: all arguments "
	      "must be lists or tuples; got string.");
	const hcl_value *l =
	        hcl_convert(&A, J("[\"a\"]"), hcl_type_list(&A, &hcl_type_string), NULL);
	assert_string_equal(callv("concat", (const hcl_value *[]){l, l}, 2, false),
	                    "tolist([\n  \"a\",\n  \"a\",\n])");
	CHECK("contains", "[[\"a\", \"b\"], \"b\"]", "true");
	CHECK("contains", "[[\"a\", \"b\"], \"c\"]", "false");
	CHECK("contains", "[\"a\", \"b\"]",
	      "ERR Error in function call | Call to function \"contains\" failed: argument must be "
	      "list, tuple, or set.");
	CHECK("contains", "[[\"1\"], 1]", "false");
	CHECK("index", "[[], 1]",
	      "ERR Error in function call | Call to function \"index\" failed: cannot search an "
	      "empty list.");
	assert_string_equal(callv("contains", (const hcl_value *[]){l, J("\"a\"")}, 2, false),
	                    "true");
	CHECK("index", "[[\"a\", \"b\", \"c\"], \"b\"]", "1");
	CHECK("index", "[[\"a\"], \"z\"]",
	      "ERR Error in function call | Call to function \"index\" failed: item not found.");
	CHECK("element", "[[\"a\", \"b\", \"c\"], 1]", "\"b\"");
	CHECK("element", "[[\"a\", \"b\", \"c\"], 5]", "\"c\"");
	CHECK("element", "[[], 0]",
	      "ERR Error in function call | Call to function \"element\" failed: cannot use "
	      "element "
	      "function with an empty list.");
	CHECK("element", "[[1, 2, 3], -1]", "3");
	CHECK("element", "[\"abc\", 0]",
	      "ERR Error in function call | Call to function \"element\" failed: cannot read "
	      "elements from string.");
	CHECK("flatten", "[[[\"a\", \"b\"], [], [\"c\", [\"d\"]]]]",
	      "[\n  \"a\",\n  \"b\",\n  \"c\",\n  \"d\",\n]");
	CHECK("length", "[{\"a\": 1, \"b\": 2}]", "2");
	CHECK("length", "[\"hello\"]", "5");
	CHECK("length", "[5]",
	      "ERR Invalid function argument | Invalid value for \"value\" parameter: argument "
	      "must "
	      "be a string, a collection type, or a structural type.");
	CHECK("one", "[[]]", "null");
	CHECK("one", "[[\"x\"]]", "\"x\"");
	CHECK("one", "[\"x\"]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: must be a "
	      "list, "
	      "set, or tuple value with either zero or one elements.");
	CHECK("one", "[[1, 2]]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: must be a "
	      "list, "
	      "set, or tuple value with either zero or one elements.");
	CHECK("reverse", "[[1, 2, 3]]", "[\n  3,\n  2,\n  1,\n]");
	CHECK("slice", "[[\"a\", \"b\", \"c\", \"d\"], 1, 3]", "[\n  \"b\",\n  \"c\",\n]");
	CHECK("slice", "[[\"a\"], 0, 2]",
	      "ERR Invalid function argument | Invalid value for \"end_index\" parameter: end "
	      "index "
	      "must not be greater than the length of the list.");
	CHECK("slice", "[[\"a\"], 2, 2]",
	      "ERR Invalid function argument | Invalid value for \"start_index\" parameter: start "
	      "index must not be greater than the length of the list.");
	CHECK("slice", "[[\"a\", \"b\"], 2, 1]",
	      "ERR Invalid function argument | Invalid value for \"start_index\" parameter: start "
	      "index must not be greater than end index.");
	CHECK("sort", "[[\"e\", \"d\", \"a\", \"x\", \"10\", \"9\"]]",
	      "tolist([\n  \"10\",\n  \"9\",\n  \"a\",\n  \"d\",\n  \"e\",\n  \"x\",\n])");
	CHECK("sum", "[[10, 13, 6, 4.5]]", "33.5");
	CHECK("sum", "[\"x\"]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: cannot sum "
	      "noniterable.");
	CHECK("sum", "[{\"a\": 1}]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: argument must "
	      "be list, set, or tuple. Received object.");
	CHECK("sort", "[[\"a\", null]]",
	      "ERR Error in function call | Call to function \"sort\" failed: given list element 1 "
	      "is null; a null string cannot be sorted.");
	CHECK("sum", "[[]]",
	      "ERR Invalid function argument | Invalid value for \"list\" parameter: cannot sum an "
	      "empty list.");
	CHECK("range", "[3]", "tolist([\n  0,\n  1,\n  2,\n])");
	CHECK("range", "[1, 4]", "tolist([\n  1,\n  2,\n  3,\n])");
	CHECK("range", "[4, 1]", "tolist([\n  4,\n  3,\n  2,\n])");
	CHECK("range", "[0, 1, 0.25]", "tolist([\n  0,\n  0.25,\n  0.5,\n  0.75,\n])");
	CHECK("range", "[-3]", "tolist([\n  0,\n  -1,\n  -2,\n])");
	CHECK("range", "[1, 2, 0]",
	      "ERR Invalid function argument | Invalid value for \"params\" parameter: step must "
	      "not be zero.");
	CHECK("range", "[1, 5, -1]",
	      "ERR Invalid function argument | Invalid value for \"params\" parameter: end must be "
	      "less than start when step is negative.");
	CHECK("range", "[0, 2000]",
	      "ERR Error in function call | Call to function \"range\" failed: more than 1024 "
	      "values "
	      "were generated; either decrease the difference between start and end or use a "
	      "smaller step.");
	CHECK("range", "[]",
	      "ERR Error in function call | Call to function \"range\" failed: must have one, two, "
	      "or three arguments.");
	CHECK("coalesce", "[\"\", null, \"b\", \"c\"]", "\"b\"");
	CHECK("coalesce", "[1, \"2\"]", "\"1\"");
	CHECK("coalesce", "[null, \"\"]",
	      "ERR Error in function call | Call to function \"coalesce\" failed: no non-null, "
	      "non-empty-string arguments.");
	CHECK("coalesce", "[1, true]",
	      "ERR Error in function call | Call to function \"coalesce\" failed: all arguments "
	      "must have the same type.");
	CHECK("coalescelist", "[[], [\"c\"]]", "[\n  \"c\",\n]");
	CHECK("coalescelist", "[[], \"x\"]",
	      "ERR Error in function call | Call to function \"coalescelist\" failed: coalescelist "
	      "arguments must be lists or tuples.");
	CHECK("coalescelist", "[null, [], []]",
	      "ERR Error in function call | Call to function \"coalescelist\" failed: no non-null "
	      "arguments.");
}

static void test_maps(void **state)
{
	CHECK("keys", "[{\"b\": 1, \"a\": 2}]", "[\n  \"a\",\n  \"b\",\n]");
	CHECK("values", "[{\"b\": 1, \"a\": 2}]", "[\n  2,\n  1,\n]");
	const hcl_value *m = hcl_convert(&A, J("{\"b\":\"x\",\"a\":\"y\"}"),
	                                 hcl_type_map(&A, &hcl_type_string), NULL);
	assert_string_equal(callv("keys", &m, 1, false), "tolist([\n  \"a\",\n  \"b\",\n])");
	assert_string_equal(callv("values", &m, 1, false), "tolist([\n  \"y\",\n  \"x\",\n])");
	CHECK("keys", "[[]]",
	      "ERR Invalid function argument | Invalid value for \"inputMap\" parameter: must have "
	      "map or object type.");
	CHECK("lookup", "[{\"a\": \"ay\", \"b\": \"bee\"}, \"a\", \"what?\"]", "\"ay\"");
	CHECK("lookup", "[{\"a\": \"ay\"}, \"c\", \"what?\"]", "\"what?\"");
	CHECK("lookup", "[{\"a\": \"ay\"}, \"c\"]",
	      "ERR Invalid function argument | Invalid value for \"inputMap\" parameter: the given "
	      "object has no attribute \"c\".");
	assert_string_equal(callv("lookup", (const hcl_value *[]){m, J("\"c\"")}, 2, false),
	                    "ERR Error in function call | Call to function \"lookup\" failed: "
	                    "lookup failed to find key \"c\".");
	assert_string_equal(
	        callv("lookup", (const hcl_value *[]){m, J("\"c\""), J("[]")}, 3, false),
	        "ERR Invalid function argument | Invalid value for \"default\" "
	        "parameter: the default value must have the same type as the map "
	        "elements.");
	assert_string_equal(callv("lookup", (const hcl_value *[]){m, J("\"c\""), J("1")}, 3, false),
	                    "\"1\"");
	CHECK("lookup", "[{\"a\": 1}, \"a\", 1, 2]",
	      "ERR Error in function call | Call to function \"lookup\" failed: lookup() takes two "
	      "or three arguments, got 4.");
	CHECK("lookup", "[[1], \"a\"]",
	      "ERR Invalid function argument | Invalid value for \"inputMap\" parameter: lookup() "
	      "requires a map as the first argument.");
	CHECK("merge", "[{\"a\": \"b\", \"c\": \"d\"}, {\"e\": \"f\", \"c\": \"z\"}]",
	      "{\n  \"a\" = \"b\"\n  \"c\" = \"z\"\n  \"e\" = \"f\"\n}");
	assert_string_equal(
	        callv("merge", (const hcl_value *[]){m, &hcl_null_dynamic, m}, 3, false),
	        "tomap({\n  \"a\" = \"y\"\n  \"b\" = \"x\"\n})");
	CHECK("merge", "[{\"a\": 1}, [1]]",
	      "ERR Error in function call | Call to function \"merge\" failed: arguments must be "
	      "maps or objects, got \"tuple\".");
	CHECK("values", "[[1]]",
	      "ERR Error in function call | Call to function \"values\" failed: values() requires "
	      "a map as the first argument.");
	CHECK("zipmap", "[[\"a\"], \"x\"]",
	      "ERR Error in function call | Call to function \"zipmap\" failed: values argument "
	      "must be a list or tuple value.");
	CHECK("zipmap", "[[\"a\", \"b\"], [1, 2]]", "{\n  \"a\" = 1\n  \"b\" = 2\n}");
	CHECK("zipmap", "[[\"a\"], [1, 2]]",
	      "ERR Error in function call | Call to function \"zipmap\" failed: number of keys (1) "
	      "does not match number of values (2).");
	CHECK("transpose", "[{\"b\": [\"1\"], \"a\": [\"1\"]}]",
	      "tomap({\n  \"1\" = tolist([\n    \"a\",\n    \"b\",\n  ])\n})");
	CHECK("transpose", "[{\"a\": [\"1\", \"2\"], \"b\": [\"2\", \"3\"]}]",
	      "tomap({\n  \"1\" = tolist([\n    \"a\",\n  ])\n  \"2\" = tolist([\n    \"a\",\n    "
	      "\"b\",\n  ])\n  \"3\" = tolist([\n    \"b\",\n  ])\n})");
	CHECK("matchkeys", "[[\"i-1\", \"i-2\", \"i-3\"], [\"us1\", \"us2\", \"us1\"], [\"us1\"]]",
	      "tolist([\n  \"i-1\",\n  \"i-3\",\n])");
	CHECK("matchkeys", "[[\"a\"], [1], []]", "tolist([])");
	CHECK("matchkeys", "[[\"a\", \"b\"], [1, 2], [\"2\"]]", "tolist([\n  \"b\",\n])");
	CHECK("matchkeys", "[[1], [1, 2], [1]]",
	      "ERR Error in function call | Call to function \"matchkeys\" failed: length of keys "
	      "and values should be equal.");
}

static void test_sets(void **state)
{
	CHECK("setunion", "[[\"a\", \"b\"], [\"b\", \"c\"], [\"d\"]]",
	      "toset([\n  \"a\",\n  \"b\",\n  \"c\",\n  \"d\",\n])");
	CHECK("setintersection", "[[\"a\", \"b\"], [\"b\", \"c\"], [\"b\", \"d\"]]",
	      "toset([\n  \"b\",\n])");
	CHECK("setsubtract", "[[\"a\", \"b\", \"c\"], [\"a\", \"c\"]]", "toset([\n  \"b\",\n])");
	CHECK("setunion", "[[1], [\"a\"]]", "toset([\n  \"1\",\n  \"a\",\n])");
	CHECK("setunion", "[[1], [true]]",
	      "ERR Error in function call | Call to function \"setunion\" failed: given sets must "
	      "all have compatible element types.");
	const hcl_value *s1 =
	        hcl_convert(&A, J("[\"a\",\"b\"]"), hcl_type_set(&A, &hcl_type_string), NULL);
	const hcl_value *s2 =
	        hcl_convert(&A, J("[\"x\"]"), hcl_type_set(&A, &hcl_type_string), NULL);
	assert_string_equal(callv("setproduct", (const hcl_value *[]){s1, s2}, 2, false),
	                    "toset([\n  [\n    \"a\",\n    \"x\",\n  ],\n  [\n    \"b\",\n    "
	                    "\"x\",\n  ],\n])");
	CHECK("setproduct", "[[\"a\", \"b\"], [1, 2]]",
	      "tolist([\n  [\n    \"a\",\n    1,\n  ],\n  [\n    \"a\",\n    2,\n  ],\n  [\n    "
	      "\"b\",\n    1,\n  ],\n  [\n    \"b\",\n    2,\n  ],\n])");
	CHECK("setproduct", "[[\"a\"]]",
	      "ERR Error in function call | Call to function \"setproduct\" failed: at least two "
	      "arguments are required.");
	CHECK("setproduct", "[[], [1]]", "tolist([])");
	/* larger sets: the membership test is a binary search */
	hcl_func_error err;
	const hcl_value *a = hcl_func_call(&ENV, "range", (const hcl_value *[]){J("0"), J("100")},
	                                   2, false, &err);
	const hcl_value *b = hcl_func_call(&ENV, "range", (const hcl_value *[]){J("50"), J("150")},
	                                   2, false, &err);
	const hcl_value *i =
	        hcl_func_call(&ENV, "setintersection", (const hcl_value *[]){a, b}, 2, false, &err);
	assert_int_equal(i->u.coll.len, 50);
	assert_true(i->u.coll.items[0]->u.num == 50 && i->u.coll.items[49]->u.num == 99);
	const hcl_value *d =
	        hcl_func_call(&ENV, "setsubtract", (const hcl_value *[]){a, b}, 2, false, &err);
	assert_int_equal(d->u.coll.len, 50);
	assert_true(d->u.coll.items[49]->u.num == 49);
}

static void test_unknowns(void **state)
{
	const hcl_value *items[2] = {UNK(&hcl_type_string), J("\"b\"")};
	const hcl_value *t = hcl_tuple(&A, items, 2);
	assert_string_equal(callv("element", (const hcl_value *[]){t, J("1")}, 2, false), "\"b\"");
	assert_string_equal(callv("element", (const hcl_value *[]){t, J("0")}, 2, false),
	                    "(known after apply)");
	assert_string_equal(callv("sort", &t, 1, false), "(known after apply)");
	assert_string_equal(callv("concat", (const hcl_value *[]){t, J("[1]")}, 2, false),
	                    "[\n  (known after apply),\n  \"b\",\n  1,\n]");
	assert_string_equal(callv("length", (const hcl_value *[]){UNK(&hcl_type_string)}, 1, false),
	                    "(known after apply)");
	assert_string_equal(callv("coalesce",
	                          (const hcl_value *[]){UNK(&hcl_type_string), J("\"a\"")}, 2,
	                          false),
	                    "(known after apply)");
	assert_string_equal(callv("coalesce",
	                          (const hcl_value *[]){J("\"a\""), UNK(&hcl_type_string)}, 2,
	                          false),
	                    "\"a\"");
	assert_string_equal(callv("flatten", (const hcl_value *[]){J("[[1]]"), NULL}, 1, false),
	                    "[\n  1,\n]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_bools_and_lists, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_sets, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknowns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
