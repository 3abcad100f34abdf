/* Unit tests of the HCL parser: every construct, precedence, templates,
 * error messages and recovery, the depth limit, the traversal walker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/ast.h"
#include "hcl/hcl.h"
#include "hcl_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *src;
	const char *want;
} pcase;

static void check_expr(const char *src, const char *want, bool tpl)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_expr *e = tpl ? hcl_parse_template("t.tpl", src, strlen(src), hcl_pos_start(), &a, &d)
	                  : hcl_parse_expression("t.tf", src, strlen(src), hcl_pos_start(), &a, &d);
	gf_buf b;
	gf_buf_init(&b, 0);
	dump_expr(&b, e);
	if (hcl_diags_has_errors(&d))
		fail_msg("[%s]: unexpected error %s: %s", src, d.list.items[0].summary,
		         d.list.items[0].detail);
	if (strcmp(gf_buf_cstr(&b), want) != 0)
		fail_msg("[%s]\n  got  %s\n  want %s", src, gf_buf_cstr(&b), want);
	gf_buf_dispose(&b);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_parse_literals(void **state)
{
	static const pcase c[] = {
	        {"null", "null"},
	        {"true", "true"},
	        {"false", "false"},
	        {"42", "42"},
	        {"1.5", "1.5"},
	        {"1e3", "1000"},
	        {"2.5E-1", "0.25"},
	        {"9007199254740993", "9007199254740992"},
	        {"9007199254740991", "9007199254740991"},
	        {"-3", "(neg 3)"},
	        {"\"\"", "\"\""},
	        {"\"plain\"", "\"plain\""},
	        {"\"a\\nb\\rc\\td\\\"e\\\\f\"", "\"a\\nb\\x0dc\\td\\\"e\\\\f\""},
	        {"\"\\u00e9\\u20AC\\U0001F600\"", "\"é€😀\""},
	        {"\"$${a} %%{b} $ % $$ %%\"", "\"${a} %{b} $ % $$ %%\""},
	        {"\"\\u0000x\"", "\"\\x00x\""},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_operators(void **state)
{
	static const pcase c[] = {
	        {"a + b * c", "(+ a (* b c))"},
	        {"a * b + c", "(+ (* a b) c)"},
	        {"a - b - c", "(- (- a b) c)"},
	        {"a / b % c * d", "(* (% (/ a b) c) d)"},
	        {"a || b && c", "(|| a (&& b c))"},
	        {"a == b || c != d", "(|| (== a b) (!= c d))"},
	        {"a < b == c >= d", "(== (< a b) (>= c d))"},
	        {"a + b < c * d", "(< (+ a b) (* c d))"},
	        {"!a && -b > c", "(&& (! a) (> (neg b) c))"},
	        {"!!a", "(! (! a))"},
	        {"-a.b", "(neg a.b)"},
	        {"(a + b) * c", "(* (paren (+ a b)) c)"},
	        {"a ? b : c ? d : e", "(? a b (? c d e))"},
	        {"a || b ? c + 1 : d", "(? (|| a b) (+ c 1) d)"},
	        {"a ? b ? c : d : e", "(? a (? b c d) e)"},
	        {"a <= b", "(<= a b)"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_traversals(void **state)
{
	static const pcase c[] = {
	        {"var.x", "var.x"},
	        {"fleet_lb.web.id", "fleet_lb.web.id"},
	        {"a.b[0].c[\"d\"]", "a.b[0].c[\"d\"]"},
	        {"a.0.b", "a[0].b"},
	        {"a[var.i]", "(index a var.i)"},
	        {"a.b[var.i].c", "(rel (index a.b var.i) .c)"},
	        {"a[var.i][0]", "(rel (index a var.i) [0])"},
	        {"f(x).y[1]", "(rel (call f x) .y[1])"},
	        {"[1, 2][0]", "(rel [1 2] [0])"},
	        {"a[\n0\n]", "a[0]"},
	        {"a.*.b", "(splat.* a (rel @ .b))"},
	        {"a.*.b[0]", "(rel (splat.* a (rel @ .b)) [0])"},
	        {"a.*.b.0", "(splat.* a (rel @ .b[0]))"},
	        {"a[*].b[0]", "(splat[*] a (rel @ .b[0]))"},
	        {"a[*]", "(splat[*] a @)"},
	        {"a[*].b[*].c", "(splat[*] a (splat[*] (rel @ .b) (rel @ .c)))"},
	        {"fleet_lb.web[*].id", "(splat[*] fleet_lb.web (rel @ .id))"},
	        {"a[x].*.b", "(splat.* (index a x) (rel @ .b))"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_collections(void **state)
{
	static const pcase c[] = {
	        {"[]", "[]"},
	        {"[1, \"a\", b]", "[1 \"a\" b]"},
	        {"[\n  1,\n  2,\n]", "[1 2]"},
	        {"{}", "{}"},
	        {"{ a = 1, b = 2 }", "{'a=1 'b=2}"},
	        {"{\n  a = 1\n  \"b c\" = 2,\n  (k) = 3\n  d: 4\n}",
	         "{'a=1 \"b c\"=2 (paren k)=3 'd:4}"},
	        {"{ null = 1, true = 2 }", "{'null=1 'true=2}"},
	        {"{ a.b = 1 }", "{a.b=1}"},
	        {"{ a = { b = [1] } }", "{'a={'b=[1]}}"},
	        {"f()", "(call f)"},
	        {"f(1, 2,)", "(call f 1 2)"},
	        {"f(\n  a,\n  b\n)", "(call f a b)"},
	        {"concat(a, b...)", "(call concat a b ...)"},
	        {"f(g(x), [y])", "(call f (call g x) [y])"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_for(void **state)
{
	static const pcase c[] = {
	        {"[for s in var.l : upper(s)]", "(for[] s var.l (call upper s))"},
	        {"[for i, s in var.l : s if i > 0]", "(for[] i,s var.l s if (> i 0))"},
	        {"{for k, v in var.m : k => v}", "(for{} k,v var.m k => v)"},
	        {"{for s in var.l : s.k => s...}", "(for{} s var.l s.k => s ...)"},
	        {"{for s in var.l : s.k => s... if s.ok}", "(for{} s var.l s.k => s ... if s.ok)"},
	        {"[\n  for s in l :\n  s\n]", "(for[] s l s)"},
	        {"{\n  for k, v in m :\n  k => v\n}", "(for{} k,v m k => v)"},
	        {"[for x in [for y in z : y] : x]", "(for[] x (for[] y z y) x)"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_templates(void **state)
{
	static const pcase c[] = {
	        {"\"a${b}c\"", "(tpl \"a\" ${b} \"c\")"},
	        {"\"${b}\"", "(wrap b)"},
	        {"\"${b} \"", "(tpl ${b} \" \")"},
	        {"\"${a}${b}\"", "(tpl ${a} ${b})"},
	        {"\"x ${ a ~} y\"", "(tpl \"x \" ${a} \"y\")"},
	        {"\"x ${~ a} y\"", "(tpl \"x\" ${a} \" y\")"},
	        {"\"%{ if a }y%{ else }n%{ endif }\"", "(tpl (if a (then \"y\") (else \"n\")))"},
	        {"\"%{ if a }y%{ endif }\"", "(tpl (if a (then \"y\")))"},
	        {"\"%{ for k, v in m }${k}=${v},%{ endfor }\"",
	         "(tpl (for k,v m ${k} \"=\" ${v} \",\"))"},
	        {"\"%{ for v in l }%{ if v }${v}%{ endif }%{ endfor }\"",
	         "(tpl (for v l (if v (then ${v}))))"},
	        {"\"${ {a = \"}\"}.a }\"", "(wrap (rel {'a=\"}\"} .a))"},
	        {"\"${\"nested ${x}\"}\"", "(wrap (tpl \"nested \" ${x}))"},
	        {"<<EOT\nhello\nEOT", "\"hello\\n\""},
	        {"<<EOT\nEOT", "\"\""},
	        {"<<EOT\n  a ${b}\n  c\nEOT", "(tpl \"  a \" ${b} \"\\n  c\\n\")"},
	        {"<<-EOT\n    a\n      b\n    EOT", "\"a\\n  b\\n\""},
	        {"<<-EOT\n    a\n\n      b ${c}\n    EOT", "(tpl \"a\\n\\n  b \" ${c} \"\\n\")"},
	        {"<<-EOT\n  a\n${b}\n  c\n  EOT", "(tpl \"  a\\n\" ${b} \"\\n  c\\n\")"},
	        {"<<-EOT\n\t\ta\n\t\tb\n\tEOT", "\"a\\nb\\n\""},
	        {"<<EOT\n\\n stays $${x}\nEOT", "\"\\\\n stays ${x}\\n\""},
	        {"<<EOT\n%{ for x in y ~}\n  ${x}\n%{ endfor ~}\nEOT",
	         "(tpl (for x y \"  \" ${x} \"\\n\"))"},
	        {"<<EOT\nEOTX\n  EOT\n", "\"EOTX\\n\""},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, false);
}

static void test_parse_bare_templates(void **state)
{
	static const pcase c[] = {
	        {"", "\"\""},
	        {"plain text\n", "\"plain text\\n\""},
	        {"${x}", "(wrap x)"},
	        {"Hello ${name}!", "(tpl \"Hello \" ${name} \"!\")"},
	        {"a \"quoted\" \\n $5 50%", "\"a \\\"quoted\\\" \\\\n $5 50%\""},
	        {"%{ if a ~}\n yes\n%{~ else ~}\n no\n%{ endif }",
	         "(tpl (if a (then \" yes\") (else \" no\\n\")))"},
	        {"%{ for s in l ~}\n- ${s}\n%{ endfor ~}\n", "(tpl (for s l \"- \" ${s} \"\\n\"))"},
	        {"$", "\"$\""},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(c); i++)
		check_expr(c[i].src, c[i].want, true);
}

static void check_file(const char *src, const char *want)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_body *body = hcl_parse_file("main.tf", src, strlen(src), &a, &d);
	gf_buf b;
	gf_buf_init(&b, 0);
	dump_body(&b, body);
	if (hcl_diags_has_errors(&d))
		fail_msg("[%s]: unexpected error %s", src, d.list.items[0].summary);
	if (strcmp(gf_buf_cstr(&b), want) != 0)
		fail_msg("[%s]\n  got  %s\n  want %s", src, gf_buf_cstr(&b), want);
	gf_buf_dispose(&b);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_parse_bodies(void **state)
{
	check_file("", "");
	check_file("\n\n# only a comment\n", "");
	check_file("a = 1\nb = \"x\"", "a=1 b=\"x\"");
	check_file("a = 1 # trailing\nb = 2 // also\nc = 3 /* block */\n", "a=1 b=2 c=3");
	check_file("resource \"fleet_lb\" \"web\" {\n  name = \"x\"\n}\n",
	           "<resource \"fleet_lb\" \"web\" {name=\"x\"}>");
	check_file("resource aws_lb lb {\n}\n", "<resource aws_lb lb {}>");
	check_file("a \"x\" y \"z\" {}\n", "<a \"x\" y \"z\" {}>");
	check_file("b { a = 1 }\n", "<b {a=1}>");
	check_file("b {}\nc {\n}\n", "<b {}> <c {}>");
	check_file("terraform {\n  backend \"gitfleet\" { name = \"fox\" }\n}\n",
	           "<terraform {<backend \"gitfleet\" {name=\"fox\"}>}>");
	check_file("x {\n  y {\n    z {\n      a = [\n        1,\n      ]\n    }\n  }\n}",
	           "<x {<y {<z {a=[1]}>}>}>");
	check_file("a = {\n  b = 1\n}\nc = 2\n", "a={'b=1} c=2");
	check_file("a = x ? {\n  b = 1\n} : null\n", "a=(? x {'b=1} null)");
	check_file("a = <<EOT\nx\nEOT\nb = 1\n", "a=\"x\\n\" b=1");
	check_file("a = (\n  1 +\n  2\n)\n", "a=(paren (+ 1 2))");
	check_file("a = 1\r\nb = 2\r\n", "a=1 b=2");
	check_file("\xEF\xBB\xBF"
	           "a = 1\n",
	           "a=1");
}

static void test_parse_ranges(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	const char *src = "resource \"x\" y {\n  name = var.a\n}\n";
	hcl_body *body = hcl_parse_file("main.tf", src, strlen(src), &a, &d);
	assert_false(hcl_diags_has_errors(&d));
	const hcl_block *blk = body->items[0].u.block;
	assert_int_equal(blk->type_range.start.column, 1);
	assert_int_equal(blk->type_range.end.column, 9);
	assert_int_equal(blk->labels[0].range.start.column, 10);
	assert_int_equal(blk->labels[0].range.end.column, 13);
	assert_true(blk->labels[0].quoted);
	assert_false(blk->labels[1].quoted);
	assert_int_equal(blk->open_brace.start.column, 16);
	assert_int_equal(blk->close_brace.start.line, 3);
	assert_int_equal(blk->range.end.line, 3);
	assert_int_equal(blk->range.end.column, 2);
	const hcl_attribute *at = hcl_body_attribute(blk->body, "name");
	assert_non_null(at);
	assert_int_equal(at->name_range.start.line, 2);
	assert_int_equal(at->name_range.start.column, 3);
	assert_int_equal(at->expr->range.start.column, 10);
	assert_int_equal(at->expr->range.end.column, 15);
	assert_int_equal(at->range.end.column, 15);
	assert_null(hcl_body_attribute(blk->body, "other"));
	gf_arena_dispose(&a);
}

typedef struct {
	const char *src;
	const char *summary;
	int line, column;
} ecase;

/* Parses src; the diagnostics must be exactly `want` (summary + position). */
static void check_errors(const char *src, const ecase *want, size_t n)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_parse_file("main.tf", src, strlen(src), &a, &d);
	gf_buf got;
	gf_buf_init(&got, 0);
	for (size_t i = 0; i < d.list.len; i++)
		gf_buf_printf(&got, "%s@%d:%d; ", d.list.items[i].summary,
		              d.list.items[i].subject.start.line,
		              d.list.items[i].subject.start.column);
	gf_buf exp;
	gf_buf_init(&exp, 0);
	for (size_t i = 0; i < n; i++)
		gf_buf_printf(&exp, "%s@%d:%d; ", want[i].summary, want[i].line, want[i].column);
	if (strcmp(gf_buf_cstr(&got), gf_buf_cstr(&exp)) != 0)
		fail_msg("[%s]\n  got  %s\n  want %s", src, gf_buf_cstr(&got), gf_buf_cstr(&exp));
	gf_buf_dispose(&got);
	gf_buf_dispose(&exp);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

#define ERR1(src, sum, l, c)                                   \
	do {                                                   \
		static const ecase e_[] = {{NULL, sum, l, c}}; \
		check_errors(src, e_, 1);                      \
	} while (0)

static void test_parse_errors(void **state)
{
	ERR1("a = 1\na = 2\n", "Attribute redefined", 2, 1);
	ERR1("x {\n  bad bad bad\n}\n", "Invalid block definition", 2, 14);
	ERR1("x {\n  a\n}\n", "Argument or block definition required", 2, 3);
	ERR1("\"a\" = 1\n", "Invalid argument name", 1, 1);
	ERR1("= 1\n", "Argument or block definition required", 1, 1);
	ERR1("a = 1 b = 2\n", "Missing newline after argument", 1, 7);
	ERR1("a = 1,\n", "Unexpected comma after argument", 1, 6);
	ERR1("a = \n", "Invalid expression", 1, 5);
	ERR1("a = ", "Missing expression", 1, 5);
	ERR1("a = )\n", "Invalid expression", 1, 5);
	ERR1("x {\n  a = 1\n", "Unclosed configuration block", 1, 3);
	ERR1("x \"y\" = {}\n", "Invalid block definition", 1, 7);
	{
		static const ecase e[] = {{NULL, "Invalid block definition", 1, 6},
		                          {NULL, "Argument or block definition required", 2, 1}};
		check_errors("x \"y\"\n{}\n", e, 2);
	}
	ERR1("x { a = 1, b = 2 }\n", "Invalid single-argument block definition", 1, 10);
	ERR1("x { a = 1\n}\n", "Invalid single-argument block definition", 1, 10);
	ERR1("x { y {} }\n", "Argument definition required", 1, 5);
	ERR1("x {} y = 1\n", "Missing newline after block definition", 1, 6);
	ERR1("x \"${a}\" {}\n", "Invalid string literal", 1, 4);
	ERR1("a = [1 2]\n", "Missing item separator", 1, 8);
	ERR1("a = [1, 2\n", "Unterminated tuple constructor expression", 1, 5);
	ERR1("a = {b = 1 c = 2}\n", "Missing attribute separator", 1, 12);
	ERR1("a = {b}\n", "Missing key/value separator", 1, 7);
	ERR1("a = {\n  b\n}\n", "Missing attribute value", 2, 4);
	ERR1("a = {b = 1\n", "Missing expression", 2, 1);
	ERR1("a = f(1 2)\n", "Missing argument separator", 1, 9);
	ERR1("a = f(1...,2)\n", "Missing closing parenthesis", 1, 11);
	ERR1("a = f(1\n", "Unterminated function call", 1, 5);
	ERR1("a = (1 + 2\n", "Unbalanced parentheses", 2, 1);
	ERR1("a = x[1\n", "Missing close bracket on index", 2, 1);
	ERR1("a = x[*\n", "Missing close bracket on splat index", 1, 8);
	ERR1("a = x.\n", "Invalid attribute name", 1, 7);
	ERR1("a = x.*.*\n", "Nested splat expression not allowed", 1, 9);
	ERR1("a = x.0.1\n", "Invalid legacy index syntax", 1, 7);
	ERR1("a = 1.2.3\n", "Invalid number literal", 1, 5);
	ERR1("a = x ? y\n", "Missing false expression in conditional", 1, 10);
	ERR1("a = [for 1 in x : y]\n", "Invalid 'for' expression", 1, 10);
	ERR1("a = [for a, 1 in x : y]\n", "Invalid 'for' expression", 1, 13);
	ERR1("a = [for a x : y]\n", "Invalid 'for' expression", 1, 12);
	ERR1("a = [for a in x y]\n", "Invalid 'for' expression", 1, 17);
	ERR1("a = [for a in x : y z]\n", "Invalid 'for' expression", 1, 21);
	ERR1("a = [for a in x : y => z]\n", "Invalid 'for' expression", 1, 19);
	ERR1("a = [for a in x : y...]\n", "Invalid 'for' expression", 1, 20);
	ERR1("a = {for a in x : y}\n", "Invalid 'for' expression", 1, 19);
	ERR1("a = \"abc\n", "Invalid multi-line string", 1, 9);
	ERR1("a = \"abc", "Unterminated template string", 1, 9);
	ERR1("a = \"${b\"\n", "Unclosed template interpolation sequence", 1, 6);
	ERR1("a = \"${b c}\"\n", "Extra characters after interpolation expression", 1, 10);
	ERR1("a = \"%{ iff b }\"\n", "Invalid template control keyword", 1, 9);
	ERR1("a = \"%{ 1 }\"\n", "Invalid template directive", 1, 9);
	ERR1("a = \"%{ if b }\"\n", "Unexpected end of template", 1, 15);
	ERR1("a = \"%{ endif }\"\n", "Unexpected endif directive", 1, 6);
	ERR1("a = \"%{ for x y }%{ endfor }\"\n", "Invalid 'for' directive", 1, 15);
	ERR1("a = \"%{ if x }%{ else }%{ else }%{ endif }\"\n", "Unexpected else directive", 1, 24);
	ERR1("a = \"%{ if x y }%{ endif }\"\n", "Extra characters in if marker", 1, 14);
	ERR1("a = \"\\q\"\n", "Invalid escape sequence", 1, 6);
	ERR1("a = \"\\u12\"\n", "Invalid escape sequence", 1, 6);
	ERR1("a = \"\\uD800\"\n", "Invalid escape sequence", 1, 6);
	ERR1("a = <<EOT\nno end\n", "Unterminated template string", 3, 1);
	ERR1("a = 1\n}\n", "Argument or block definition required", 2, 1);
	ERR1("a = 1 & 2\n", "Unsupported operator", 1, 7);
	ERR1("a = “x\n", "Invalid character", 1, 5);
}

static void test_parse_recovery(void **state)
{
	/* Every broken item is reported, and parsing goes on after each. */
	static const ecase want[] = {
	        {NULL, "Argument or block definition required", 2, 3},
	        {NULL, "Missing newline after argument", 3, 9},
	        {NULL, "Missing item separator", 5, 3},
	        {NULL, "Invalid expression", 8, 7},
	        {NULL, "Attribute redefined", 10, 3},
	        {NULL, "Missing newline after argument", 12, 11},
	};
	/* An unclosed ${ ends with its line, not with the file. */
	static const ecase interp[] = {
	        {NULL, "Unclosed template interpolation sequence", 2, 8},
	        {NULL, "Invalid expression", 3, 7},
	};
	check_errors("x {\n  a = \"${var.b\n  c = )\n  d = \"${f(\n    1)}\"\n}\n", interp,
	             GF_ARRAY_LEN(interp));
	check_errors("resource \"a\" \"b\" {\n"
	             "  oops\n"
	             "  x = 1 2\n"
	             "  l = [1, 2\n"
	             "  y = 3\n"
	             "}\n"
	             "locals {\n"
	             "  z = ]\n"
	             "  ok = 1\n"
	             "  ok = 2\n"
	             "}\n"
	             "block = x {\n",
	             want, GF_ARRAY_LEN(want));
}

static void test_parse_depth_limit(void **state)
{
	/* Deep nesting of every kind is refused with one diagnostic, fast,
	 * whatever the input size. */
	const char *shapes[][3] = {
	        {"a = ", "(", ")"},      {"a = ", "[", "]"},
	        {"a = ", "{x=", "}"},    {"a = ", "-", "1"},
	        {"a = ", "f(", ")"},     {"", "b {\n", "}\n"},
	        {"a = ", "\"${", "}\""}, {"a = \"", "%{if x}", "%{endif}"},
	};
	for (size_t s = 0; s < GF_ARRAY_LEN(shapes); s++) {
		gf_buf src;
		gf_buf_init(&src, 0);
		gf_buf_puts(&src, shapes[s][0]);
		for (int i = 0; i < 20000; i++)
			gf_buf_puts(&src, shapes[s][1]);
		if (s == 7)
			gf_buf_puts(&src, "x");
		for (int i = 0; i < 20000; i++)
			gf_buf_puts(&src, shapes[s][2]);
		if (s == 7)
			gf_buf_puts(&src, "\"");
		gf_arena a;
		gf_arena_init(&a);
		hcl_diags d;
		hcl_diags_init(&d, &a);
		hcl_parse_file("deep.tf", src.ptr, src.len, &a, &d);
		assert_true(hcl_diags_has_errors(&d));
		bool found = false;
		for (size_t i = 0; i < d.list.len; i++)
			found |= strcmp(d.list.items[i].summary, "Nesting too deep") == 0;
		if (!found)
			fail_msg("shape %zu: no depth diagnostic (first: %s)", s,
			         d.list.items[0].summary);
		hcl_diags_dispose(&d);
		gf_arena_dispose(&a);
		gf_buf_dispose(&src);
	}
	/* Long flat chains are depth too: a + a + ... builds a deep tree. */
	gf_buf src;
	gf_buf_init(&src, 0);
	gf_buf_puts(&src, "a = x");
	for (int i = 0; i < 5000; i++)
		gf_buf_puts(&src, " + x[y]");
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_parse_file("chain.tf", src.ptr, src.len, &a, &d);
	assert_string_equal(d.list.items[0].summary, "Nesting too deep");
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
	gf_buf_dispose(&src);
	/* Within the limit, nesting parses. */
	check_expr("((((((((((1))))))))))",
	           "(paren (paren (paren (paren (paren (paren (paren (paren (paren (paren "
	           "1))))))))))",
	           false);
}

static int collect(const hcl_expr *t, void *payload)
{
	gf_buf *b = payload;
	gf_arena a;
	gf_arena_init(&a);
	gf_buf_printf(b, "%s%s", b->len ? " " : "", hcl_traversal_string(&a, t));
	gf_arena_dispose(&a);
	return 0;
}

static void check_refs(const char *src, const char *want)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_expr *e = hcl_parse_expression("t.tf", src, strlen(src), hcl_pos_start(), &a, &d);
	assert_false(hcl_diags_has_errors(&d));
	gf_buf b;
	gf_buf_init(&b, 0);
	assert_int_equal(hcl_expr_walk_traversals(e, collect, &b), 0);
	if (strcmp(gf_buf_cstr(&b), want) != 0)
		fail_msg("[%s]\n  got  %s\n  want %s", src, gf_buf_cstr(&b), want);
	gf_buf_dispose(&b);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static int stop_at_second(const hcl_expr *t, void *payload)
{
	int *n = payload;
	return ++*n == 2 ? 7 : 0;
}

static void test_walk_traversals(void **state)
{
	check_refs("1 + 2", "");
	check_refs("var.x + local.y", "var.x local.y");
	check_refs("fleet_lb.web.id", "fleet_lb.web.id");
	check_refs("count.index * 2", "count.index");
	check_refs("each.value[\"k\"]", "each.value[\"k\"]");
	check_refs("a.b[0].c", "a.b[0].c");
	check_refs("a[var.i].x", "a var.i");
	check_refs("\"http://${fleet_lb.web.address}:${var.port}/\"",
	           "fleet_lb.web.address var.port");
	check_refs("[for s in var.list : upper(s) if s != local.skip]", "var.list local.skip");
	check_refs("{for k, v in var.m : k => v + k + other}", "var.m other");
	check_refs("[for s in s : s]", "s");
	check_refs("[for x in a : [for y in x : y + z]]", "a z");
	check_refs("{ key = 1, (var.k) = var.v }", "var.k var.v");
	check_refs("fleet_target_group.web[*].id", "fleet_target_group.web");
	check_refs("x ? y : z", "x y z");
	check_refs("\"%{ for s in var.l }${s}${t}%{ endfor }\"", "var.l t");
	check_refs("\"%{ if c }${a}%{ else }${b}%{ endif }\"", "c a b");
	check_refs("f(a, g(b), [c], {d = e}...)", "a b c e");
	/* A non-zero return stops the walk and is returned. */
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_expr *e = hcl_parse_expression("t", "a + b + c", 9, hcl_pos_start(), &a, &d);
	int n = 0;
	assert_int_equal(hcl_expr_walk_traversals(e, stop_at_second, &n), 7);
	assert_int_equal(n, 2);
	gf_arena_dispose(&a);
}

static void test_expr_helpers(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_expr *e = hcl_parse_expression("t", "string", 6, hcl_pos_start(), &a, &d);
	assert_string_equal(hcl_expr_as_keyword(e), "string");
	e = hcl_parse_expression("t", "a.b", 3, hcl_pos_start(), &a, &d);
	assert_null(hcl_expr_as_keyword(e));
	e = hcl_parse_expression("t", "\"s\\n\"", 5, hcl_pos_start(), &a, &d);
	const char *s;
	size_t n;
	assert_true(hcl_expr_as_string(e, &s, &n));
	assert_int_equal(n, 2);
	assert_memory_equal(s, "s\n", 2);
	e = hcl_parse_expression("t", "\"${x}\"", 6, hcl_pos_start(), &a, &d);
	assert_false(hcl_expr_as_string(e, &s, &n));
	assert_int_equal(hcl_op_precedence(HCL_OP_OR), 1);
	assert_true(hcl_op_precedence(HCL_OP_MUL) > hcl_op_precedence(HCL_OP_ADD));
	assert_true(hcl_op_precedence(HCL_OP_NOT) > hcl_op_precedence(HCL_OP_MOD));
	assert_string_equal(hcl_op_symbol(HCL_OP_GE), ">=");
	/* Extra input after an expression is an error. */
	hcl_parse_expression("t", "a b", 3, hcl_pos_start(), &a, &d);
	assert_true(hcl_diags_has_errors(&d));
	assert_string_equal(d.list.items[d.list.len - 1].summary,
	                    "Extra characters after expression");
	gf_arena_dispose(&a);
	hcl_diags_dispose(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_literals),
	        cmocka_unit_test(test_parse_operators),
	        cmocka_unit_test(test_parse_traversals),
	        cmocka_unit_test(test_parse_collections),
	        cmocka_unit_test(test_parse_for),
	        cmocka_unit_test(test_parse_templates),
	        cmocka_unit_test(test_parse_bare_templates),
	        cmocka_unit_test(test_parse_bodies),
	        cmocka_unit_test(test_parse_ranges),
	        cmocka_unit_test(test_parse_errors),
	        cmocka_unit_test(test_parse_recovery),
	        cmocka_unit_test(test_parse_depth_limit),
	        cmocka_unit_test(test_walk_traversals),
	        cmocka_unit_test(test_expr_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
