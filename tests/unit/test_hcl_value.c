/* Unit tests of hcl values: constructors and canonical forms, equality and
 * order, marks, copies, terraform console rendering, and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/hcl.h"

#include <string.h>

static gf_arena A;

static int setup(void **state)
{
	gf_arena_init(&A);
	return 0;
}

static int teardown(void **state)
{
	gf_arena_dispose(&A);
	return 0;
}

static const hcl_value *J(const char *json)
{
	const char *why = NULL;
	const hcl_value *v = hcl_value_from_json(&A, json, strlen(json), &why);
	if (!v)
		fail_msg("bad test JSON %s: %s", json, why);
	return v;
}

static const hcl_value *S(const char *s)
{
	return hcl_cstring(&A, s);
}

static const hcl_value *N(double n)
{
	return hcl_number(&A, n);
}

static const hcl_value **arr(size_t n, ...)
{
	const hcl_value **items = gf_arena_alloc(&A, (n + 1) * sizeof(*items));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		items[i] = va_arg(ap, const hcl_value *);
	va_end(ap);
	return items;
}

static const char **keys(size_t n, ...)
{
	const char **k = gf_arena_alloc(&A, (n + 1) * sizeof(*k));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		k[i] = va_arg(ap, const char *);
	va_end(ap);
	return k;
}

static void test_canonical_forms(void **state)
{
	const hcl_value *set =
	        hcl_set(&A, &hcl_type_string, arr(4, S("b"), S("a"), S("b"), S("c")), 4);
	assert_int_equal(set->u.coll.len, 3);
	assert_string_equal(set->u.coll.items[0]->u.str.ptr, "a");
	assert_string_equal(set->u.coll.items[2]->u.str.ptr, "c");

	const hcl_value *nums = hcl_set(&A, &hcl_type_number, arr(3, N(10), N(9), N(10)), 3);
	assert_int_equal(nums->u.coll.len, 2);
	assert_true(nums->u.coll.items[0]->u.num == 9); /* numeric, not textual */

	const hcl_value *m =
	        hcl_map(&A, &hcl_type_number, keys(3, "z", "a", "z"), arr(3, N(1), N(2), N(3)), 3);
	assert_int_equal(m->u.coll.len, 2);
	assert_string_equal(m->u.coll.keys[0], "a");
	assert_true(hcl_value_get(m, "z")->u.num == 3); /* the last duplicate wins */
	assert_null(hcl_value_get(m, "q"));

	const hcl_value *o = hcl_object(&A, keys(2, "port", "host"), arr(2, N(80), S("h")), 2);
	assert_string_equal(o->type->names[0], "host");
	assert_int_equal(o->type->types[1]->kind, HCL_TYPE_NUMBER);
	assert_string_equal(hcl_type_string_of(&A, o->type), "object({host=string,port=number})");
	/* a set with unknown elements keeps each unknown */
	const hcl_value *u = hcl_set(&A, &hcl_type_string,
	                             arr(3, hcl_unknown(&A, &hcl_type_string),
	                                 hcl_unknown(&A, &hcl_type_string), S("a")),
	                             3);
	assert_int_equal(u->u.coll.len, 3);
	assert_false(hcl_value_is_wholly_known(u));
	/* large maps take the qsort path and still keep the last duplicate */
	const char **k = gf_arena_alloc(&A, 40 * sizeof(*k));
	const hcl_value **it = gf_arena_alloc(&A, 40 * sizeof(*it));
	for (int i = 0; i < 40; i++) {
		k[i] = gf_arena_printf(&A, "k%02d", (39 - i) % 20);
		it[i] = N(i);
	}
	const hcl_value *big = hcl_map(&A, &hcl_type_number, k, it, 40);
	assert_int_equal(big->u.coll.len, 20);
	assert_string_equal(big->u.coll.keys[0], "k00");
	assert_true(hcl_value_get(big, "k00")->u.num == 39);
}

static void test_types(void **state)
{
	const hcl_type *l = hcl_type_list(&A, &hcl_type_string);
	assert_true(hcl_type_equal(l, hcl_type_list(&A, &hcl_type_string)));
	assert_false(hcl_type_equal(l, hcl_type_set(&A, &hcl_type_string)));
	assert_false(hcl_type_has_dynamic(l));
	assert_true(hcl_type_has_dynamic(hcl_type_map(&A, &hcl_type_dynamic)));
	assert_string_equal(hcl_type_string_of(&A, hcl_type_map(&A, l)), "map(list(string))");
	assert_string_equal(hcl_type_friendly(&A, hcl_type_set(&A, &hcl_type_number)),
	                    "set of number");
	const hcl_type **ts = gf_arena_alloc(&A, 2 * sizeof(*ts));
	ts[0] = &hcl_type_string;
	ts[1] = &hcl_type_bool;
	assert_string_equal(hcl_type_string_of(&A, hcl_type_tuple(&A, ts, 2)),
	                    "tuple([string,bool])");
	assert_string_equal(hcl_type_string_of(&A, &hcl_type_dynamic), "any");
}

static void test_equal_compare_marks(void **state)
{
	const hcl_value *a = J("{\"a\":[1,2,{\"x\":\"y\"}],\"b\":null}");
	const hcl_value *b = J("{\"b\":null,\"a\":[1,2,{\"x\":\"y\"}]}");
	assert_true(hcl_value_equal(a, b));
	assert_false(hcl_value_equal(a, J("{\"b\":null,\"a\":[1,2,{\"x\":\"z\"}]}")));
	assert_false(hcl_value_equal(N(1), S("1")));
	assert_true(hcl_value_compare(N(2), N(10)) < 0);
	assert_true(hcl_value_compare(S("10"), S("2")) < 0);
	assert_true(hcl_value_compare(hcl_string(&A, "a\0b", 3), S("a")) > 0);
	assert_true(hcl_value_equal(hcl_unknown(&A, &hcl_type_string),
	                            hcl_unknown(&A, &hcl_type_string)));
	assert_false(hcl_value_equal(hcl_unknown(&A, &hcl_type_string),
	                             hcl_unknown(&A, &hcl_type_number)));
	assert_false(hcl_value_equal(hcl_null(&A, &hcl_type_string), S("")));

	const hcl_value *s = hcl_mark(&A, S("pw"), HCL_MARK_SENSITIVE);
	assert_true(s->marks & HCL_MARK_SENSITIVE);
	assert_true(hcl_value_equal(s, S("pw")));
	assert_ptr_equal(hcl_mark(&A, s, HCL_MARK_SENSITIVE), s);
	assert_int_equal(hcl_unmark(&A, s)->marks, 0);
	assert_string_equal(hcl_unmark(&A, s)->u.str.ptr, "pw");
	assert_int_equal(s->marks, HCL_MARK_SENSITIVE); /* values are immutable */
	const hcl_value *t = hcl_tuple(&A, arr(2, N(1), s), 2);
	assert_int_equal(t->marks, 0);
	assert_int_equal(hcl_value_deep_marks(t), HCL_MARK_SENSITIVE);
	assert_true(hcl_value_compare(hcl_number(&A, -0.0), N(0)) == 0);
}

static void test_copy(void **state)
{
	gf_arena other;
	gf_arena_init(&other);
	const hcl_value *v = J("{\"list\":[1,\"two\",true],\"m\":{\"k\":\"v\"},\"n\":null}");
	const hcl_value *c = hcl_value_copy(&other, v);
	assert_true(hcl_value_equal(v, c));
	gf_arena_dispose(&A);
	gf_arena_init(&A);
	/* the copy survives the original arena */
	assert_string_equal(hcl_value_to_json(&other, c),
	                    "{\"list\":[1,\"two\",true],\"m\":{\"k\":\"v\"},\"n\":null}");
	assert_string_equal(c->type->names[0], "list");
	gf_arena_dispose(&other);
}

static void test_number_format(void **state)
{
	static const struct {
		double n;
		const char *s;
	} cases[] = {
	        {0, "0"},
	        {3, "3"},
	        {-3, "-3"},
	        {1.5, "1.5"},
	        {0.1, "0.1"},
	        {1e21, "1000000000000000000000"},
	        {1e-7, "0.0000001"},
	        {123456.789, "123456.789"},
	        {9007199254740993.0, "9007199254740992"},
	        {1152921504606846976.0, "1152921504606846976"}, /* 2^60, exact */
	        {388888888888888896.0, "388888888888888896"},
	        {1e23, "100000000000000000000000"}, /* beyond 2^64: shortest digits */
	        {-0.25, "-0.25"},
	        {1e100, "1"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"
	                "0000000000"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++)
		assert_string_equal(hcl_number_format(&A, cases[i].n), cases[i].s);
}

static void check_render(const hcl_value *v, const char *want)
{
	assert_string_equal(hcl_value_render(&A, v), want);
}

static void test_render(void **state)
{
	check_render(S("a \"q\"\t\\"), "\"a \\\"q\\\"\\t\\\\\"");
	check_render(S("caf\xc3\xa9 \x01 \xff"), "\"caf\xc3\xa9 \\x01 \\xff\"");
	check_render(N(1.5), "1.5");
	check_render(&hcl_true, "true");
	check_render(&hcl_null_dynamic, "null");
	check_render(hcl_null(&A, &hcl_type_string), "tostring(null)");
	check_render(hcl_null(&A, hcl_type_list(&A, &hcl_type_number)),
	             "tolist(null) /* of number */");
	check_render(hcl_unknown(&A, &hcl_type_string), "(known after apply)");
	check_render(hcl_mark(&A, S("x"), HCL_MARK_SENSITIVE), "(sensitive value)");
	check_render(J("[]"), "[]");
	check_render(J("{}"), "{}");
	check_render(hcl_list(&A, &hcl_type_string, NULL, 0), "tolist([])");
	check_render(hcl_map(&A, &hcl_type_string, NULL, NULL, 0), "tomap({})");
	check_render(J("[1,\"a\",null]"), "[\n  1,\n  \"a\",\n  null,\n]");
	check_render(hcl_list(&A, &hcl_type_string, arr(2, S("a"), S("b")), 2),
	             "tolist([\n  \"a\",\n  \"b\",\n])");
	check_render(hcl_set(&A, &hcl_type_number, arr(2, N(2), N(1)), 2),
	             "toset([\n  1,\n  2,\n])");
	check_render(hcl_map(&A, &hcl_type_number, keys(2, "b", "a"), arr(2, N(2), N(1)), 2),
	             "tomap({\n  \"a\" = 1\n  \"b\" = 2\n})");
	check_render(J("{\"name\":\"web\",\"ports\":[80,443],\"tags\":{}}"),
	             "{\n  \"name\" = \"web\"\n  \"ports\" = [\n    80,\n    443,\n  ]\n"
	             "  \"tags\" = {}\n}");
	check_render(S("one\ntwo\n"), "<<EOT\none\ntwo\n\nEOT");
	check_render(S("a\nEOT\n"), "<<EOT_\na\nEOT\n\nEOT_");
	check_render(J("{\"s\":\"x\\ny\"}"), "{\n  \"s\" = <<-EOT\n  x\n  y\n  EOT\n}");
	check_render(hcl_tuple(&A, arr(1, hcl_mark(&A, N(1), HCL_MARK_SENSITIVE)), 1),
	             "[\n  (sensitive value),\n]");
}

static void test_json_encode(void **state)
{
	assert_string_equal(
	        hcl_value_to_json(&A, J(" { \"b\" : [1, 2.5, true, null], \"a\" : \"x\" } ")),
	        "{\"a\":\"x\",\"b\":[1,2.5,true,null]}");
	assert_string_equal(hcl_value_to_json(&A, S("<a href='x'>&\"\n\x01\xe2\x80\xa8")),
	                    "\"\\u003ca href='x'\\u003e\\u0026\\\"\\n\\u0001\\u2028\"");
	assert_string_equal(hcl_value_to_json(&A, S("bad\xff")), "\"bad\\ufffd\"");
	assert_string_equal(hcl_value_to_json(&A, N(1e21)), "1000000000000000000000");
	assert_string_equal(
	        hcl_value_to_json(&A, hcl_set(&A, &hcl_type_string, arr(2, S("b"), S("a")), 2)),
	        "[\"a\",\"b\"]");
	/* unknowns cannot be encoded: the caller must rule them out */
	assert_null(
	        hcl_value_to_json(&A, hcl_tuple(&A, arr(1, hcl_unknown(&A, &hcl_type_number)), 1)));
}

static void check_json_error(const char *json, const char *want)
{
	const char *why = NULL;
	assert_null(hcl_value_from_json(&A, json, strlen(json), &why));
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void test_json_decode(void **state)
{
	const hcl_value *v =
	        J("{\"n\":-12.5e1,\"s\":\"\\u00e9\\ud83d\\ude00\\/\",\"a\":[],\"o\":{}}");
	assert_int_equal(v->kind, HCL_VAL_OBJECT);
	assert_true(hcl_value_get(v, "n")->u.num == -125);
	assert_string_equal(hcl_value_get(v, "s")->u.str.ptr, "\xc3\xa9\xf0\x9f\x98\x80/");
	assert_int_equal(hcl_value_get(v, "a")->kind, HCL_VAL_TUPLE);
	assert_int_equal(J("null")->kind, HCL_VAL_NULL);
	assert_true(J("9007199254740992")->u.num == 9007199254740992.0);
	assert_true(J("18014398509481984")->u.num == 18014398509481984.0); /* 2^54 exact */
	/* found by fuzzing: an exact big integer must print back unchanged */
	assert_string_equal(hcl_value_to_json(&A, J("388888888888888896")), "388888888888888896");
	assert_string_equal(hcl_value_to_json(&A, J("-388888888888888896")), "-388888888888888896");
	assert_string_equal(hcl_value_to_json(&A, J("100000000000000000000000")),
	                    "100000000000000000000000");
	const hcl_value *nul = J("\"a\\u0000b\"");
	assert_int_equal(nul->u.str.len, 3);

	check_json_error("", "unexpected end of JSON input");
	check_json_error("{", "unexpected end of JSON input");
	check_json_error("[1,]", "invalid character ']' looking for beginning of value");
	check_json_error("[1 2]", "invalid character '2' after array element");
	check_json_error("{\"a\" 1}", "invalid character '1' after object key");
	check_json_error("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair");
	check_json_error("{1:2}",
	                 "invalid character '1' looking for beginning of object key string");
	check_json_error("1 2", "invalid character '2' after top-level value");
	check_json_error("tru", "unexpected end of JSON input");
	check_json_error("nul1", "invalid character '1' in literal null (expecting 'l')");
	check_json_error("01", "invalid character '1' after top-level value");
	check_json_error("\"a\nb\"", "invalid character '\\x0a' in string literal");
	check_json_error("\"\\q\"", "invalid character 'q' in string escape code");
	check_json_error("{\"a\":1,\"a\":2}", "duplicate \"a\" property in JSON object");
	check_json_error("1e999", "number 1e999 is too large");
	check_json_error(
	        "388888888888888900",
	        "the integer 388888888888888900 cannot be represented exactly (numbers are "
	        "64-bit floating point, exact to 9007199254740992); quote it as a string to "
	        "keep every digit");
	check_json_error("12345678901234567891",
	                 "the integer 12345678901234567891 cannot be represented exactly "
	                 "(numbers are 64-bit floating point, exact to 9007199254740992); quote "
	                 "it as a string to keep every digit");
	char deep[600];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	check_json_error(deep, "JSON nested deeper than 256 levels");
}

static void test_json_round_trip(void **state)
{
	static const char *docs[] = {
	        "{\"a\":[1,2,3],\"b\":{\"c\":null,\"d\":true},\"e\":\"\\u003c\\u0026\"}",
	        "[0.5,-1,1000000,\"x\\\\y\",[],{}]",
	        "\"\"",
	        "0.0000001",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(docs); i++) {
		const hcl_value *v = J(docs[i]);
		char *out = hcl_value_to_json(&A, v);
		assert_true(hcl_value_equal(v, J(out)));
		assert_string_equal(hcl_value_to_json(&A, J(out)), out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_canonical_forms, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_equal_compare_marks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_number_format, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_render, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_json_encode, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_json_decode, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_json_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
