/* Unit tests of hcl_convert and hcl_unify_types: cty's conversion rules and
 * messages. */
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

static const hcl_type *LIST(const hcl_type *e)
{
	return hcl_type_list(&A, e);
}

static const hcl_type *OBJ(size_t n, ...)
{
	const char **names = gf_arena_alloc(&A, (n + 1) * sizeof(*names));
	const hcl_type **types = gf_arena_alloc(&A, (n + 1) * sizeof(*types));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		names[i] = va_arg(ap, const char *);
		types[i] = va_arg(ap, const hcl_type *);
	}
	va_end(ap);
	return hcl_type_object(&A, names, types, n);
}

/* Converts and renders, or returns "error: why". */
static const char *conv(const hcl_value *v, const hcl_type *t)
{
	const char *why = NULL;
	const hcl_value *r = hcl_convert(&A, v, t, &why);
	if (!r)
		return gf_arena_printf(&A, "error: %s", why);
	return hcl_value_render(&A, r);
}

static void test_primitives(void **state)
{
	assert_string_equal(conv(J("\"1\""), &hcl_type_number), "1");
	assert_string_equal(conv(J("\"-1.5e2\""), &hcl_type_number), "-150");
	assert_string_equal(conv(J("\"abc\""), &hcl_type_number), "error: a number is required");
	assert_string_equal(conv(J("\" 1\""), &hcl_type_number), "error: a number is required");
	assert_string_equal(conv(J("1.5"), &hcl_type_string), "\"1.5\"");
	assert_string_equal(conv(J("3"), &hcl_type_string), "\"3\"");
	assert_string_equal(conv(J("true"), &hcl_type_string), "\"true\"");
	assert_string_equal(conv(J("\"false\""), &hcl_type_bool), "false");
	assert_string_equal(conv(J("\"1\""), &hcl_type_bool), "true");
	assert_string_equal(conv(J("\"True\""), &hcl_type_bool),
	                    "error: a bool is required; to convert from string, use lowercase "
	                    "\"true\"");
	assert_string_equal(conv(J("\"yes\""), &hcl_type_bool), "error: a bool is required");
	assert_string_equal(conv(J("true"), &hcl_type_number),
	                    "error: number required, but have bool");
	assert_string_equal(conv(J("[]"), &hcl_type_string),
	                    "error: string required, but have tuple");
	assert_string_equal(conv(J("5"), &hcl_type_dynamic), "5");
}

static void test_collections(void **state)
{
	assert_string_equal(conv(J("[1,\"a\"]"), LIST(&hcl_type_dynamic)),
	                    "tolist([\n  \"1\",\n  \"a\",\n])");
	assert_string_equal(conv(J("[1,true]"), LIST(&hcl_type_dynamic)),
	                    "error: all list elements must have the same type");
	assert_string_equal(conv(J("[1,\"x\",3]"), LIST(&hcl_type_number)),
	                    "error: element 1: a number is required");
	assert_string_equal(conv(J("[\"b\",\"a\",\"b\"]"), hcl_type_set(&A, &hcl_type_string)),
	                    "toset([\n  \"a\",\n  \"b\",\n])");
	assert_string_equal(conv(J("[]"), LIST(&hcl_type_dynamic)), "tolist([])");
	assert_string_equal(conv(J("{\"a\":1,\"b\":\"2\"}"), hcl_type_map(&A, &hcl_type_dynamic)),
	                    "tomap({\n  \"a\" = \"1\"\n  \"b\" = \"2\"\n})");
	assert_string_equal(conv(J("{\"a\":1,\"b\":\"x\"}"), hcl_type_map(&A, &hcl_type_number)),
	                    "error: element \"b\": a number is required");
	assert_string_equal(conv(J("{\"a\":[1],\"b\":true}"), hcl_type_map(&A, &hcl_type_dynamic)),
	                    "error: all map elements must have the same type");
	/* list <-> set */
	const char *why;
	const hcl_value *l = hcl_convert(&A, J("[3,1,3]"), LIST(&hcl_type_number), &why);
	assert_string_equal(conv(l, hcl_type_set(&A, &hcl_type_number)), "toset([\n  1,\n  3,\n])");
	assert_string_equal(conv(hcl_convert(&A, l, hcl_type_set(&A, &hcl_type_number), &why),
	                         LIST(&hcl_type_string)),
	                    "tolist([\n  \"1\",\n  \"3\",\n])");
	assert_string_equal(conv(J("{\"a\":1}"), LIST(&hcl_type_string)),
	                    "error: list of string required");
	assert_string_equal(conv(l, hcl_type_map(&A, &hcl_type_number)),
	                    "error: map of number required");
	/* nested paths */
	assert_string_equal(conv(J("[[1],[2,\"x\"]]"), LIST(LIST(&hcl_type_number))),
	                    "error: element 1: element 1: a number is required");
}

static void test_objects(void **state)
{
	const hcl_type *svc = OBJ(2, "host", &hcl_type_string, "port", &hcl_type_number);
	assert_string_equal(conv(J("{\"host\":\"h\",\"port\":\"80\",\"extra\":1}"), svc),
	                    "{\n  \"host\" = \"h\"\n  \"port\" = 80\n}");
	assert_string_equal(conv(J("{\"host\":\"h\"}"), svc),
	                    "error: attribute \"port\" is required");
	assert_string_equal(conv(J("{}"), svc),
	                    "error: attributes \"host\" and \"port\" are required");
	assert_string_equal(conv(J("{}"), OBJ(3, "a", &hcl_type_string, "b", &hcl_type_string, "c",
	                                      &hcl_type_string)),
	                    "error: attributes \"a\", \"b\", and \"c\" are required");
	assert_string_equal(conv(J("{\"host\":\"h\",\"port\":\"x\"}"), svc),
	                    "error: attribute \"port\": a number is required");
	assert_string_equal(
	        conv(J("[{\"host\":\"h\",\"port\":[]}]"), LIST(svc)),
	        "error: element 0: attribute \"port\": number required, but have tuple");
	/* map -> object */
	const hcl_value *m = hcl_convert(&A, J("{\"host\":\"h\",\"port\":\"8\"}"),
	                                 hcl_type_map(&A, &hcl_type_string), NULL);
	assert_string_equal(conv(m, svc), "{\n  \"host\" = \"h\"\n  \"port\" = 8\n}");
	/* optional attributes with and without defaults */
	const char **names = gf_arena_alloc(&A, 3 * sizeof(char *));
	const hcl_type **types = gf_arena_alloc(&A, 3 * sizeof(*types));
	bool *opt = gf_arena_alloc(&A, 3 * sizeof(bool));
	const hcl_value **defs = gf_arena_alloc(&A, 3 * sizeof(*defs));
	names[0] = "tls";
	types[0] = &hcl_type_bool;
	opt[0] = true;
	defs[0] = &hcl_false;
	names[1] = "name";
	types[1] = &hcl_type_string;
	names[2] = "port";
	types[2] = &hcl_type_number;
	opt[2] = true;
	const hcl_type *c = hcl_type_object_ex(&A, names, types, opt, defs, 3);
	assert_string_equal(hcl_type_string_of(&A, c),
	                    "object({name=string,port=optional(number),tls=optional(bool)})");
	assert_string_equal(
	        conv(J("{\"name\":\"n\"}"), c),
	        "{\n  \"name\" = \"n\"\n  \"port\" = tonumber(null)\n  \"tls\" = false\n}");
	assert_string_equal(conv(J("{\"name\":\"n\",\"tls\":null,\"port\":1}"), c),
	                    "{\n  \"name\" = \"n\"\n  \"port\" = 1\n  \"tls\" = false\n}");
	assert_string_equal(conv(J("{\"port\":1}"), c), "error: attribute \"name\" is required");
	/* tuple type constraints */
	const hcl_type **tt = gf_arena_alloc(&A, 2 * sizeof(*tt));
	tt[0] = &hcl_type_string;
	tt[1] = &hcl_type_number;
	const hcl_type *tup = hcl_type_tuple(&A, tt, 2);
	assert_string_equal(conv(J("[1,\"2\"]"), tup), "[\n  \"1\",\n  2,\n]");
	assert_string_equal(conv(J("[1]"), tup), "error: tuple required");
}

static void test_null_unknown_marks(void **state)
{
	const hcl_value *r = hcl_convert(&A, &hcl_null_dynamic, &hcl_type_string, NULL);
	assert_int_equal(r->kind, HCL_VAL_NULL);
	assert_int_equal(r->type->kind, HCL_TYPE_STRING);
	r = hcl_convert(&A, hcl_unknown(&A, &hcl_type_string), &hcl_type_number, NULL);
	assert_int_equal(r->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(r->type->kind, HCL_TYPE_NUMBER);
	assert_string_equal(conv(hcl_unknown(&A, &hcl_type_bool), &hcl_type_number),
	                    "error: number required, but have bool");
	r = hcl_convert(&A, hcl_null(&A, hcl_type_list(&A, &hcl_type_number)),
	                hcl_type_set(&A, &hcl_type_string), NULL);
	assert_string_equal(hcl_value_render(&A, r), "toset(null) /* of string */");
	r = hcl_convert(&A, hcl_mark(&A, J("1"), HCL_MARK_SENSITIVE), &hcl_type_string, NULL);
	assert_true(r->marks & HCL_MARK_SENSITIVE);
	assert_string_equal(r->u.str.ptr, "1");
	/* an unknown element converts to an unknown of the element type */
	const hcl_value **items = gf_arena_alloc(&A, 2 * sizeof(*items));
	items[0] = &hcl_unknown_dynamic;
	items[1] = J("\"a\"");
	r = hcl_convert(&A, hcl_tuple(&A, items, 2), LIST(&hcl_type_dynamic), NULL);
	assert_string_equal(hcl_type_string_of(&A, r->type), "list(string)");
	assert_int_equal(r->u.coll.items[0]->kind, HCL_VAL_UNKNOWN);
	assert_int_equal(r->u.coll.items[0]->type->kind, HCL_TYPE_STRING);
}

static const char *unify(const char *json_tuple)
{
	const hcl_value *t = J(json_tuple);
	const hcl_type *u = hcl_unify_types(&A, t->u.coll.items, t->u.coll.len);
	return u ? hcl_type_string_of(&A, u) : "none";
}

static void test_unify(void **state)
{
	assert_string_equal(unify("[1,2]"), "number");
	assert_string_equal(unify("[1,\"a\"]"), "string");
	assert_string_equal(unify("[true,\"a\"]"), "string");
	assert_string_equal(unify("[1,true]"), "none");
	assert_string_equal(unify("[null,1]"), "number");
	assert_string_equal(unify("[null]"), "any");
	assert_string_equal(unify("[{\"a\":1},{\"a\":\"x\"}]"), "object({a=string})");
	assert_string_equal(unify("[{\"a\":1},{\"b\":2}]"), "map(number)");
	assert_string_equal(unify("[[1],[2,3]]"), "list(number)");
	assert_string_equal(unify("[[1,\"a\"],[2,\"b\"]]"), "tuple([number,string])");
	assert_string_equal(unify("[[1],{}]"), "none");
	/* a conditional between a literal and a typed collection */
	const hcl_value *vals[2];
	vals[0] = J("[]");
	vals[1] = hcl_convert(&A, J("[\"a\"]"), LIST(&hcl_type_string), NULL);
	assert_string_equal(hcl_type_string_of(&A, hcl_unify_types(&A, vals, 2)), "list(string)");
	vals[0] = J("{}");
	vals[1] = hcl_convert(&A, J("{\"a\":1}"), hcl_type_map(&A, &hcl_type_number), NULL);
	assert_string_equal(hcl_type_string_of(&A, hcl_unify_types(&A, vals, 2)), "map(number)");
	vals[0] = J("[1]");
	vals[1] = hcl_convert(&A, J("[\"a\"]"), LIST(&hcl_type_string), NULL);
	assert_string_equal(hcl_type_string_of(&A, hcl_unify_types(&A, vals, 2)), "list(string)");
	vals[0] = J("[true]");
	vals[1] = hcl_convert(&A, J("[1]"), LIST(&hcl_type_number), NULL);
	assert_null(hcl_unify_types(&A, vals, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_primitives, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_collections, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_null_unknown_marks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unify, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
