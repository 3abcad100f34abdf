/* Unit tests of the HCL lexer: token types, positions, modes, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/ast.h"

#include <stdio.h>
#include <string.h>

/* The token stream as "TYPE:text TYPE:text ...", EOF and NEWLINE shortened. */
static char *lex_str(gf_arena *a, const char *src, hcl_lex_mode mode, hcl_diags *d)
{
	size_t n;
	hcl_token *t = hcl_lex(&n, "t.tf", src, strlen(src), mode, hcl_pos_start(), a, d);
	gf_buf b;
	gf_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			gf_buf_putc(&b, ' ');
		switch (t[i].type) {
		case HCL_TOK_EOF:
			gf_buf_puts(&b, "EOF");
			break;
		case HCL_TOK_NEWLINE:
			gf_buf_puts(&b, "NL");
			break;
		default:
			gf_buf_printf(&b, "%s:", hcl_token_type_name(t[i].type));
			for (size_t k = 0; k < t[i].len; k++)
				gf_buf_putc(&b, t[i].bytes[k] == '\n' ? '|' : t[i].bytes[k]);
		}
	}
	char *out = gf_arena_strdup(a, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return out;
}

typedef struct {
	const char *src;
	const char *want;
} lex_case;

static void run_cases(const lex_case *cases, size_t n, hcl_lex_mode mode)
{
	for (size_t i = 0; i < n; i++) {
		gf_arena a;
		gf_arena_init(&a);
		hcl_diags d;
		hcl_diags_init(&d, &a);
		char *got = lex_str(&a, cases[i].src, mode, &d);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("lex [%s]\n  got  %s\n  want %s", cases[i].src, got,
			         cases[i].want);
		assert_false(hcl_diags_has_errors(&d));
		hcl_diags_dispose(&d);
		gf_arena_dispose(&a);
	}
}

static void test_lex_basic(void **state)
{
	static const lex_case cases[] = {
	        {"a = 1\n", "identifier:a =:= number:1 NL EOF"},
	        {"foo-bar_2 = x", "identifier:foo-bar_2 =:= identifier:x EOF"},
	        {"1.5e+3 2E10 0.25 7", "number:1.5e+3 number:2E10 number:0.25 number:7 EOF"},
	        {"a.0.1", "identifier:a .:. number:0.1 EOF"},
	        {"== != <= >= && || ... => < > ! ? : , * / % + -",
	         "==:== !=:!= <=:<= >=:>= &&:&& ||:|| ...:... =>:=> <:< >:> !:! ?:? ::: ,:, *:* "
	         "/:/ %:% +:+ -:- EOF"},
	        {"# c\nx // d\n/* e\nf */ y",
	         "comment:# c| identifier:x comment:// d| comment:/* e|f */ identifier:y EOF"},
	        {"a {\n}\r\n", "identifier:a {:{ NL }:} NL EOF"},
	        {"\"a\\\"b\"", "quote:\" string:a\\\"b quote:\" EOF"},
	        {"\"a${b}c\"",
	         "quote:\" string:a \"${\":${ identifier:b \"}\":} string:c quote:\" EOF"},
	        {"\"${ {a=1} }\"",
	         "quote:\" \"${\":${ {:{ identifier:a =:= number:1 }:} \"}\":} quote:\" EOF"},
	        {"\"$${x}%%{y}\"", "quote:\" string:$${x}%%{y} quote:\" EOF"},
	        {"\"${~x~}\"", "quote:\" \"${\":${~ identifier:x \"}\":~} quote:\" EOF"},
	        {"x = <<EOT\nhello ${a}\nEOT\n",
	         "identifier:x =:= heredoc marker:<<EOT| string:hello  \"${\":${ identifier:a "
	         "\"}\":} string:| heredoc end marker:EOT NL EOF"},
	        {"x = <<-EOT\n  a\n  EOT\n",
	         "identifier:x =:= heredoc marker:<<-EOT| string:  a| heredoc end marker:  EOT NL "
	         "EOF"},
	        {"x = <<EOT\nEOTX\nEOT", "identifier:x =:= heredoc marker:<<EOT| string:EOTX| "
	                                 "heredoc end marker:EOT EOF"},
	        {"héllo = \"ü\"", "identifier:héllo =:= quote:\" string:ü quote:\" EOF"},
	        {"\xEF\xBB\xBF"
	         "a",
	         "identifier:a EOF"},
	};
	run_cases(cases, GF_ARRAY_LEN(cases), HCL_LEX_CONFIG);
}

static void test_lex_template_mode(void **state)
{
	static const lex_case cases[] = {
	        {"a ${b} c\nd", "string:a  \"${\":${ identifier:b \"}\":} string: c| string:d EOF"},
	        {"%{if x}y%{endif}", "\"%{\":%{ identifier:if identifier:x \"}\":} string:y "
	                             "\"%{\":%{ identifier:endif \"}\":} EOF"},
	        {"cost: $5 and 50%", "string:cost: $5 and 50% EOF"},
	        {"\"quoted\" stays", "string:\"quoted\" stays EOF"},
	};
	run_cases(cases, GF_ARRAY_LEN(cases), HCL_LEX_TEMPLATE);
}

static void test_lex_positions(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	const char *src = "ab = \"é€😀\" + x\n  y";
	size_t n;
	hcl_token *t =
	        hcl_lex(&n, "f.tf", src, strlen(src), HCL_LEX_CONFIG, hcl_pos_start(), &a, &d);
	/* ab = " lit " + x NL y EOF */
	assert_int_equal(n, 10);
	assert_int_equal(t[3].type, HCL_TOK_QUOTED_LIT);
	assert_int_equal(t[3].range.start.column, 7);
	assert_int_equal(t[3].range.end.column, 10); /* three characters, nine bytes */
	assert_int_equal(t[3].range.start.byte, 6);
	assert_int_equal(t[3].range.end.byte, 15);
	assert_int_equal(t[6].type, HCL_TOK_IDENT);
	assert_int_equal(t[6].range.start.column, 14);
	assert_int_equal(t[8].type, HCL_TOK_IDENT);
	assert_int_equal(t[8].range.start.line, 2);
	assert_int_equal(t[8].range.start.column, 3);
	assert_string_equal(t[8].range.filename, "f.tf");
	assert_false(hcl_diags_has_errors(&d));
	gf_arena_dispose(&a);
}

static void expect_lex_error(const char *src, const char *summary, int line, int column)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	lex_str(&a, src, HCL_LEX_CONFIG, &d);
	if (d.list.len != 1)
		fail_msg("lex [%s]: %zu diagnostics, want 1", src, d.list.len);
	assert_string_equal(d.list.items[0].summary, summary);
	assert_int_equal(d.list.items[0].subject.start.line, line);
	assert_int_equal(d.list.items[0].subject.start.column, column);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_lex_errors(void **state)
{
	expect_lex_error("a = 1 & 2", "Unsupported operator", 1, 7);
	expect_lex_error("a = 2 ** 3", "Unsupported operator", 1, 7);
	expect_lex_error("a = 'x'", "Invalid character", 1, 5); /* one error per pair */
	expect_lex_error("a = `x`", "Invalid character", 1, 5);
	expect_lex_error("a = 1;;", "Invalid character", 1, 6);
	expect_lex_error("a = “x", "Invalid character", 1, 5);
	expect_lex_error("a = 1;", "Invalid character", 1, 6);
	expect_lex_error("a = \"\xff\"", "Invalid character encoding", 1, 6);
	expect_lex_error("a = \xc3\x28", "Invalid character encoding", 1, 5);
	expect_lex_error("a = \xed\xa0\x80", "Invalid character encoding", 1, 5); /* surrogate */
	expect_lex_error("a = 1\n/* never closed", "Unterminated comment", 2, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lex_basic),
	        cmocka_unit_test(test_lex_template_mode),
	        cmocka_unit_test(test_lex_positions),
	        cmocka_unit_test(test_lex_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
