/* hcl JSON syntax: blocks and labels by schema, arrays of blocks, templates,
 * expression strings, "//" comments, and errors with their positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hcl/eval.h"
#include "hcl/json_syntax.h"

#include <stdio.h>
#include <string.h>

static const hcl_json_schema RULE = {.expr_attrs = (const char *const[]){"type", NULL}};
static const hcl_json_block_schema INNER_BLOCKS[] = {{"rule", 0, &RULE}, {NULL, 0, NULL}};
static const hcl_json_schema INNER = {.blocks = INNER_BLOCKS,
                                      .expr_attrs = (const char *const[]){"type", NULL}};
static const hcl_json_block_schema TOP_BLOCKS[] = {
        {"resource", 2, &INNER}, {"variable", 1, &INNER}, {"locals", 0, NULL}, {NULL, 0, NULL}};
static const hcl_json_schema TOP = {.blocks = TOP_BLOCKS};

static gf_arena A;
static hcl_diags D;

static int setup(void **unused)
{
	(void)unused;
	gf_arena_init(&A);
	hcl_diags_init(&D, &A);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	hcl_diags_dispose(&D);
	gf_arena_dispose(&A);
	return 0;
}

static hcl_body *parse(const char *src)
{
	return hcl_parse_json_file("main.tf.json", src, strlen(src), &TOP, &A, &D);
}

static const hcl_block *block(const hcl_body *b, size_t i)
{
	assert_true(i < b->len);
	assert_int_equal(b->items[i].kind, HCL_ITEM_BLOCK);
	return b->items[i].u.block;
}

/* var.x is "X"; nothing else exists. */
static const hcl_value *lookup(void *payload, const hcl_ref *ref, gf_arena *a, hcl_diags *d)
{
	(void)payload;
	if (ref->kind == HCL_REF_VAR && !strcmp(ref->name, "x"))
		return hcl_cstring(a, "X");
	hcl_diags_add(d, HCL_DIAG_ERROR, &ref->range, "Unknown reference", "none");
	return NULL;
}

/* The value of attribute `name` of b, evaluated with var.x = "X". */
static const hcl_value *value(const hcl_body *b, const char *name)
{
	const hcl_attribute *at = hcl_body_attribute(b, name);
	assert_non_null(at);
	hcl_scope s = {.lookup = lookup};
	const hcl_value *v = hcl_eval(&A, at->expr, &s, &D);
	assert_non_null(v);
	return v;
}

static void test_blocks_and_labels(void **unused)
{
	(void)unused;
	hcl_body *b = parse("{\n"
	                    "  \"//\": \"a comment\",\n"
	                    "  \"resource\": {\n"
	                    "    \"fleet_lb\": {\n"
	                    "      \"web\": {\"name\": \"web\", \"port\": 80},\n"
	                    "      \"api\": [{\"name\": \"a\"}, {\"name\": \"b\"}]\n"
	                    "    }\n"
	                    "  },\n"
	                    "  \"locals\": [{\"a\": 1}, {\"b\": true}]\n"
	                    "}\n");
	assert_false(hcl_diags_has_errors(&D));
	assert_true(b->json);
	assert_int_equal(b->len, 5);
	const hcl_block *web = block(b, 0);
	assert_string_equal(web->type, "resource");
	assert_int_equal(web->nlabels, 2);
	assert_string_equal(web->labels[0].value, "fleet_lb");
	assert_string_equal(web->labels[1].value, "web");
	assert_int_equal(web->labels[1].range.start.line, 5);
	assert_int_equal(web->labels[1].range.start.column, 7);
	assert_int_equal(web->type_range.start.line, 3);
	assert_int_equal(web->type_range.start.column, 3);
	assert_int_equal(value(web->body, "port")->kind, HCL_VAL_NUMBER);
	assert_string_equal(block(b, 1)->labels[1].value, "api");
	assert_string_equal(block(b, 2)->labels[1].value, "api");
	assert_string_equal(value(block(b, 2)->body, "name")->u.str.ptr, "b");
	assert_string_equal(block(b, 3)->type, "locals");
	assert_true(value(block(b, 4)->body, "b")->u.b);
}

static void test_templates_and_values(void **unused)
{
	(void)unused;
	hcl_body *b = parse("{\"locals\": {\n"
	                    "  \"plain\": \"a$b\",\n"
	                    "  \"wrap\": \"${var.x}\",\n"
	                    "  \"wrapped_tuple\": \"${[1, 2]}\",\n"
	                    "  \"tpl\": \"web-${var.x}-%{ if true }y%{ endif }\",\n"
	                    "  \"esc\": \"\\u00e9\\n\",\n"
	                    "  \"list\": [1, null, \"${var.x}\"],\n"
	                    "  \"obj\": {\"${var.x}\": {\"n\": 2.5e1}}\n"
	                    "}}");
	assert_false(hcl_diags_has_errors(&D));
	const hcl_body *l = block(b, 0)->body;
	assert_string_equal(value(l, "plain")->u.str.ptr, "a$b");
	assert_string_equal(value(l, "wrap")->u.str.ptr, "X");
	/* "${expr}" alone is expr's value, not converted to a string */
	assert_int_equal(value(l, "wrapped_tuple")->kind, HCL_VAL_TUPLE);
	assert_string_equal(value(l, "tpl")->u.str.ptr, "web-X-y");
	assert_string_equal(value(l, "esc")->u.str.ptr, "\xc3\xa9\n");
	const hcl_value *list = value(l, "list");
	assert_int_equal(list->u.coll.len, 3);
	const hcl_value *obj = value(l, "obj");
	const hcl_value *inner = hcl_value_get(obj, "X");
	assert_non_null(inner);
	assert_true(hcl_value_get(inner, "n")->u.num == 25);
}

static void test_expression_strings(void **unused)
{
	(void)unused;
	hcl_body *b = parse("{\"variable\": {\"v\": {\"type\": \"list(string)\",\n"
	                    "  \"rule\": {\"type\": \"number\"}}}}");
	assert_false(hcl_diags_has_errors(&D));
	const hcl_block *v = block(b, 0);
	const hcl_attribute *t = hcl_body_attribute(v->body, "type");
	assert_int_equal(t->expr->kind, HCL_EXPR_CALL);
	assert_int_equal(t->expr->range.start.column, 30);
	const hcl_block *rule = block(v->body, 1);
	assert_string_equal(rule->type, "rule");
	assert_string_equal(hcl_expr_as_keyword(hcl_body_attribute(rule->body, "type")->expr),
	                    "number");
}

static void test_expr_blocks(void **unused)
{
	(void)unused;
	hcl_body *b = parse("{\"locals\": {\"hc\": [{\"path\": \"/\"}, {\"path\": \"/x\"}],\n"
	                    "  \"bad\": 3}}");
	const hcl_body *l = block(b, 0)->body;
	hcl_block *out;
	assert_int_equal(hcl_json_expr_blocks(&A, hcl_body_attribute(l, "hc"), &out, &D), 2);
	assert_string_equal(out[1].type, "hc");
	assert_string_equal(value(out[1].body, "path")->u.str.ptr, "/x");
	assert_int_equal(hcl_json_expr_blocks(&A, hcl_body_attribute(l, "bad"), &out, &D), -1);
	assert_string_equal(D.list.items[0].summary, "Incorrect JSON value type");
}

/* One syntax error: its summary and where it is. */
static void expect_error(const char *src, const char *summary, int line, int col)
{
	hcl_diags_dispose(&D);
	hcl_diags_init(&D, &A);
	hcl_body *b = parse(src);
	assert_non_null(b);
	assert_true(hcl_diags_has_errors(&D));
	const hcl_diag *d = &D.list.items[0];
	if (strcmp(d->summary, summary) != 0 || d->subject.start.line != line ||
	    d->subject.start.column != col)
		fail_msg("%s: got %s at %d:%d", src, d->summary, d->subject.start.line,
		         d->subject.start.column);
	assert_string_equal(d->subject.filename, "main.tf.json");
}

static void test_errors_with_positions(void **unused)
{
	(void)unused;
	expect_error("{\"locals\": {\"a\": 1,}}", "Invalid JSON syntax", 1, 20);
	expect_error("{\n  \"locals\": {\"a\" 1}}", "Invalid JSON syntax", 2, 18);
	expect_error("{\"locals\": {\"a\": \"x\n\"}}", "Unterminated JSON string", 1, 20);
	expect_error("{\"locals\": {\"a\": \"\\q\"}}", "Invalid JSON string escape", 1, 20);
	expect_error("{\"locals\": {\"a\": 01}}", "Invalid JSON syntax", 1, 19);
	expect_error("[1]", "Root value must be object", 1, 1);
	expect_error("{} x", "Extraneous data after value", 1, 4);
	expect_error("{\"resource\": {\"t\": 3}}", "Incorrect JSON value type", 1, 20);
	expect_error("{\"locals\": {\"a\": 1, \"a\": 2}}", "Duplicate argument", 1, 21);
	expect_error("{\"locals\": {\"a\": \"${1 +}\"}}", "Invalid expression", 1, 24);
	expect_error("{\"variable\": {\"v\": {\"type\": \"list(\"}}}", "Missing expression", 1, 35);
	char deep[1200];
	size_t n = 0;
	n += (size_t)sprintf(deep, "{\"locals\": {\"a\": ");
	for (int i = 0; i < 300; i++)
		deep[n++] = '[';
	deep[n] = 0;
	expect_error(deep, "Nesting too deep", 1, 273);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_blocks_and_labels, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_templates_and_values, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_expression_strings, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_expr_blocks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_errors_with_positions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
