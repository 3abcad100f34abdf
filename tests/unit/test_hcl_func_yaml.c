/* Unit tests of yamlencode and yamldecode, and of the Base64 digest and
 * text encoding functions, bcrypt, uuidv5, templatestring and
 * plantimestamp. Expected outputs are Terraform's (go-cty-yaml's tests,
 * Terraform's documentation) unless docs/functions.md lists a
 * difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <stdlib.h>

#include "hcl_func_test.h"

static int setup_files(void **state)
{
	setup(state);
	const char *data = getenv("GF_TEST_DATA");
	assert_non_null(data);
	ENV.base_dir = gf_arena_printf(&A, "%s/hcl_func", data);
	return 0;
}

/* The raw string a string-valued call returns. */
static const char *RAW(const char *name, const char *json_args)
{
	const hcl_value *t = J(json_args);
	hcl_func_error err;
	const hcl_value *r = hcl_func_call(&ENV, name, t->u.coll.items, t->u.coll.len, false, &err);
	if (!r)
		fail_msg("%s failed: %s", name, err.detail);
	assert_int_equal(r->kind, HCL_VAL_STRING);
	return r->u.str.ptr;
}

#define ENC(json, want) assert_string_equal(RAW("yamlencode", "[" json "]"), want)

static void test_yamlencode(void **state)
{
	/* go-cty-yaml's own expectations */
	ENC("true", "true\n...\n");
	ENC("\"\"", "\"\"\n");
	ENC("\"hello\"", "\"hello\"\n");
	ENC("\"hello\\nworld\"", "|-\n  hello\n  world\n");
	ENC("0", "0\n...\n");
	ENC("null", "null\n...\n");
	ENC("{}", "{}\n");
	ENC("[]", "[]\n");
	ENC("{\"a\": \"b\"}", "\"a\": \"b\"\n");
	ENC("[\"b\"]", "- \"b\"\n");
	/* Terraform's documentation examples */
	ENC("{\"a\": \"b\", \"c\": \"d\"}", "\"a\": \"b\"\n\"c\": \"d\"\n");
	ENC("{\"foo\": [1, 2, 3], \"bar\": \"baz\"}",
	    "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n");
	ENC("{\"foo\": [1, {\"a\": \"b\", \"c\": \"d\"}, 3], \"bar\": \"baz\"}",
	    "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n");
	/* strings that look like other things stay strings: always quoted */
	ENC("[\"true\", \"1\", \"null\", \" lead\", \"trail \", \"a: b\", \"#c\", \"\"]",
	    "- \"true\"\n- \"1\"\n- \"null\"\n- \" lead\"\n- \"trail \"\n- \"a: b\"\n- \"#c\"\n- "
	    "\"\"\n");
	ENC("{\"n\": 1.5, \"big\": 1e21, \"neg\": -3, \"t\": false, \"z\": null}",
	    "\"big\": 1000000000000000000000\n\"n\": 1.5\n\"neg\": -3\n\"t\": false\n\"z\": "
	    "null\n");
	/* multi-line: literal blocks with the chomping and indentation
	 * indicators YAML needs; a trailing space forces double quotes */
	ENC("{\"s\": \"x\\ny\\n\"}", "\"s\": |\n  x\n  y\n");
	ENC("\"a\\nb\\n\\n\"", "|+\n  a\n  b\n\n...\n");
	ENC("\" a\\nb\"", "|2-\n   a\n  b\n");
	ENC("\"a \\nb\"", "\"a \\nb\"\n");
	ENC("{\"multi\\nkey\": 1}", "? |-\n  multi\n  key\n: 1\n");
	/* nesting, empty collections inside, unicode kept */
	ENC("{\"a\": {\"b\": [[], {}, [1]]}, \"u\": \"h\\u00e9 \\u2713\"}",
	    "\"a\":\n  \"b\":\n  - []\n  - {}\n  - - 1\n\"u\": \"hé ✓\"\n");
	/* long strings are folded at 80 columns, as go-yaml folds them */
	ENC("{\"x\": \"this is a very long string with many words in it that goes beyond the "
	    "eighty column limit ok\"}",
	    "\"x\": \"this is a very long string with many words in it that goes beyond the "
	    "eighty\n  column limit ok\"\n");
	/* control characters are escaped */
	ENC("\"tab\\there\\u0001\"", "\"tab\\there\\x01\"\n");
}

static void test_yamlencode_unknown_marks(void **state)
{
	const hcl_value *args[1];
	args[0] = UNK(&hcl_type_string);
	assert_string_equal(callv("yamlencode", args, 1, false), "(known after apply)");
	const hcl_value *items[2] = {J("1"), UNK(&hcl_type_dynamic)};
	args[0] = hcl_tuple(&A, items, 2);
	assert_string_equal(callv("yamlencode", args, 1, false), "(known after apply)");
	items[1] = hcl_mark(&A, J("\"pw\""), HCL_MARK_SENSITIVE);
	args[0] = hcl_tuple(&A, items, 2);
	assert_string_equal(callv("yamlencode", args, 1, false), "(sensitive value)");
	CHECK("yamlencode", "[]",
	      "ERR Not enough function arguments | Function \"yamlencode\" expects 1 "
	      "argument(s). Missing value for \"value\".");
	CHECK("yamlencode", "[1, 2]",
	      "ERR Too many function arguments | Function \"yamlencode\" expects only 1 "
	      "argument(s).");
}

#define DEC(yaml, want) CHECK("yamldecode", "[\"" yaml "\"]", want)
#define DECERR(yaml, msg)                     \
	CHECK("yamldecode", "[\"" yaml "\"]", \
	      "ERR Error in function call | Call to function \"yamldecode\" failed: " msg ".")

static void test_yamldecode_scalars(void **state)
{
	DEC("hello", "\"hello\"");
	DEC("'hello'", "\"hello\"");
	DEC("\\\"true\\\"", "\"true\"");
	assert_string_equal(RAW("yamldecode", "[\"|\\n  hello\\n  world\"]"), "hello\nworld");
	DEC(">\\n  hello\\n  world", "\"hello world\"");
	DEC("<<", "\"<<\"");
	DEC("!!str true", "\"true\"");
	DEC("!<tag:yaml.org,2002:str> true", "\"true\"");
	DEC("true", "true");
	DEC("yes", "true");
	DEC("Off", "false");
	DEC("n", "false");
	DEC("!!bool true", "true");
	DEC(".5", "0.5");
	DEC("1.5", "1.5");
	DEC("-3e2", "-300");
	DEC("!!float 1.5", "1.5");
	DEC("12", "12");
	DEC("-12", "-12");
	DEC("0x1F", "31");
	DEC("0o17", "15");
	DEC("1_000", "\"1_000\""); /* YAML 1.2: not a number */
	DEC("-0x1F", "\"-0x1F\"");
	DEC("!!int 1_000", "1000");
	DEC("!!int 0b101", "5");
	DEC("2006-1-2", "\"2006-01-02T00:00:00Z\"");
	DEC("!!timestamp 2006-1-2", "\"2006-01-02T00:00:00Z\"");
	DEC("2001-12-14t21:59:43.10-05:00", "\"2001-12-14T21:59:43-05:00\"");
	DEC("2001-12-14 21:59:43.10", "\"2001-12-14T21:59:43Z\"");
	DEC("2001-02-30", "\"2001-02-30\""); /* not a date: a string */
	DEC("!!binary 'aGVsbG8='", "\"aGVsbG8=\"");
	DEC("null", "null");
	DEC("~", "null");
	DEC("", "null");
	DEC("# only a comment\\n", "null");
	DEC("x: ", "{\n  \"x\" = null\n}");
	DECERR("!!bool bananas", "on line 1, column 1: cannot parse \"bananas\" as "
	                         "tag:yaml.org,2002:bool");
	DECERR("!!binary '>>>>>>>>>'", "on line 1, column 1: cannot parse \">>>>>>>>>\" as "
	                               "tag:yaml.org,2002:binary: not valid base64");
	DECERR("!!nope foo", "on line 1, column 1: unsupported tag \"tag:yaml.org,2002:nope\"");
	DECERR("! 12", "on line 1, column 1: unsupported tag \"!\"");
	DECERR(".NaN", "on line 1, column 1: floating point NaN is not supported");
	DECERR("x: .inf", "on line 1, column 4: floating point infinity is not supported");
}

static void test_yamldecode_structure(void **state)
{
	DEC("{a: 1, b: true}", "{\n  \"a\" = 1\n  \"b\" = true\n}");
	DEC("\\na: 1\\nb:\\n  - foo\\n  - <<\\n  - baz\\n",
	    "{\n  \"a\" = 1\n  \"b\" = [\n    \"foo\",\n    \"<<\",\n    \"baz\",\n  ]\n}");
	DEC("[]", "[]");
	DEC("{}", "{}");
	DEC("[a, b, true]", "[\n  \"a\",\n  \"b\",\n  true,\n]");
	/* keys: numbers and bools as strings, a later key wins */
	DEC("{1: a, true: b, x: c, x: d}",
	    "{\n  \"1\" = \"a\"\n  \"true\" = \"b\"\n  \"x\" = \"d\"\n}");
	/* anchors, aliases, merge keys */
	DEC("\\nfoo: &bar\\n  - x\\nbar: *bar\\n",
	    "{\n  \"bar\" = [\n    \"x\",\n  ]\n  \"foo\" = [\n    \"x\",\n  ]\n}");
	DEC("\\nfoo: &bar\\n  a: b\\nbar:\\n  <<: *bar\\n  c: d\\n",
	    "{\n  \"bar\" = {\n    \"a\" = \"b\"\n    \"c\" = \"d\"\n  }\n  \"foo\" = {\n    \"a\" "
	    "= "
	    "\"b\"\n  }\n}");
	DEC("{<<: [{a: 1}, {b: 2}], c: 3}", "{\n  \"a\" = 1\n  \"b\" = 2\n  \"c\" = 3\n}");
	DEC("- &foo a\\n- b\\n- *foo\\n", "[\n  \"a\",\n  \"b\",\n  \"a\",\n]");
	DECERR("\\nfoo: &bar\\n  - x\\n  - *bar\\n",
	       "on line 4, column 5: cannot refer to anchor \"bar\" from inside its own "
	       "definition");
	DECERR("a: *b", "on line 1, column 4: reference to undefined anchor \"b\"");
	DECERR("{<<: 1}", "on line 1, column 2: cannot merge number into mapping");
	DECERR("{<<: [1]}",
	       "on line 1, column 2: cannot merge number (from sequence) into mapping");
	DECERR("{[a]: 1}", "on line 1, column 2: only strings are allowed as mapping keys");
	DECERR("{~: 1}", "on line 1, column 2: mapping key cannot be null");
	DECERR("!!seq {a: 1}", "on line 1, column 1: can't interpret mapping as "
	                       "tag:yaml.org,2002:seq");
	/* one document only; syntax errors from the parser, with positions */
	DECERR("a: 1\\n---\\nb: 2", "on line 2, column 1: only a single document is allowed");
	DECERR("a: [", "on line 2, column 1: did not find expected node content");
	DECERR("a: b: c", "on line 1, column 5: mapping values are not allowed in this context");
}

static void test_yamldecode_limits(void **state)
{
	/* deep nesting is refused, not a stack overflow */
	gf_buf b = GF_BUF_INIT;
	for (int i = 0; i < 1100; i++)
		gf_buf_putc(&b, '[');
	const hcl_value *args[1] = {hcl_string(&A, b.ptr, b.len)};
	gf_buf_dispose(&b);
	const char *r = callv("yamldecode", args, 1, false);
	assert_non_null(strstr(r, "ERR Error in function call"));
	/* a billion laughs: aliases that expand exponentially */
	gf_buf_init(&b, 0);
	gf_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		gf_buf_printf(&b,
		              "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
		              "*a%d]\n",
		              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		              i - 1);
	args[0] = hcl_string(&A, b.ptr, b.len);
	gf_buf_dispose(&b);
	r = callv("yamldecode", args, 1, false);
	assert_non_null(strstr(r, "document contains excessive aliasing"));
	/* unknown source, sensitive source */
	args[0] = UNK(&hcl_type_string);
	assert_string_equal(callv("yamldecode", args, 1, false), "(known after apply)");
	args[0] = hcl_mark(&A, J("\"a: 1\""), HCL_MARK_SENSITIVE);
	assert_string_equal(callv("yamldecode", args, 1, false), "(sensitive value)");
	CHECK("yamldecode", "[[1]]",
	      "ERR Invalid function argument | Invalid value for \"src\" parameter: string "
	      "required, but have tuple.");
	CHECK("yamldecode", "[null]",
	      "ERR Invalid function argument | Invalid value for \"src\" parameter: argument "
	      "must not be null.");
}

/* yamldecode(yamlencode(v)) == v for values made of strings, numbers,
 * bools, objects and tuples. */
static void test_yaml_round_trip(void **state)
{
	const char *vals[] = {
	        "{\"a\": [1, 2.5, -3, true, false, null, \"x\"], \"b\": {\"c\": "
	        "\"multi\\nline\\n\"}}",
	        "[\"true\", \"1\", \"~\", \"yes\", \" lead\", \"a: b\", \"#c\", \"\", \"<<\"]",
	        "{\"k\\nk\": \"\\t\\u0001\", \"e\": [], \"o\": {}}",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(vals); i++) {
		const hcl_value *v = J(vals[i]);
		hcl_func_error err;
		const hcl_value *s = hcl_func_call(&ENV, "yamlencode", &v, 1, false, &err);
		assert_non_null(s);
		const hcl_value *back = hcl_func_call(&ENV, "yamldecode", &s, 1, false, &err);
		if (!back)
			fail_msg("%s: %s", s->u.str.ptr, err.detail);
		if (!hcl_value_equal(back, v))
			fail_msg("round trip of %s gave %s", vals[i], hcl_value_render(&A, back));
	}
}

static void test_digests(void **state)
{
	CHECK("base64sha256", "[\"hello world\"]",
	      "\"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\"");
	CHECK("base64sha512", "[\"hello world\"]",
	      "\"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+"
	      "YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzX"
	      "bw==\"");
	CHECK("filebase64sha256", "[\"hello.txt\"]",
	      "\"pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4=\"");
	CHECK("filebase64sha512", "[\"hello.txt\"]",
	      "\"LHT9F+2v2A6ER7DUZ0HuJDt+t03SFJoKsbkkb7MDgvJ+hT2FhXGeDmfL2g2qj1FnEGRhXWRa4nrLFb+"
	      "xRH9F"
	      "mw==\"");
	assert_non_null(strstr(CALL("filebase64sha256", "[\"nope.txt\"]"),
	                       "ERR Invalid function argument"));
	/* gzip framing as Go's; the deflate data is zlib's (see the docs) */
	CHECK("base64gzip", "[\"test\"]", "\"H4sIAAAAAAAA/ypJLS4BAAAA//8DAAx+f9gEAAAA\"");
	CHECK("base64sha256", "[1]", "\"a4ayc/80/OGda4BO/1o/V0etpOqiLx1JwB5S3beHW0s=\"");
	CHECK("base64sha256", "[[1]]",
	      "ERR Invalid function argument | Invalid value for \"str\" parameter: string "
	      "required, but have tuple.");
	const hcl_value *args[1] = {hcl_mark(&A, J("\"pw\""), HCL_MARK_SENSITIVE)};
	assert_string_equal(callv("base64sha512", args, 1, false), "(sensitive value)");
	args[0] = UNK(&hcl_type_string);
	assert_string_equal(callv("base64gzip", args, 1, false), "(known after apply)");
}

static void test_text_encodings(void **state)
{
	CHECK("textencodebase64", "[\"Hello World\", \"UTF-16LE\"]",
	      "\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\"");
	CHECK("textdecodebase64", "[\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\", \"UTF-16LE\"]",
	      "\"Hello World\"");
	CHECK("textencodebase64", "[\"Hello\", \"UTF-16BE\"]", "\"AEgAZQBsAGwAbw==\"");
	CHECK("textencodebase64", "[\"Hello\", \"UTF-16\"]", "\"/v8ASABlAGwAbABv\"");
	CHECK("textencodebase64", "[\"héllo\", \"ISO-8859-1\"]", "\"aOlsbG8=\"");
	CHECK("textencodebase64", "[\"\", \"UTF-8\"]", "\"\"");
	CHECK("textdecodebase64", "[\"aOlsbG8=\", \"ISO-8859-1\"]", "\"héllo\"");
	CHECK("textencodebase64", "[\"\\u2713\", \"ISO-8859-1\"]",
	      "ERR Invalid function argument | Invalid value for \"string\" parameter: the given "
	      "string contains characters that cannot be represented in ISO-8859-1.");
	CHECK("textencodebase64", "[\"a\", \"nope\"]",
	      "ERR Invalid function argument | Invalid value for \"encoding\" parameter: "
	      "\"nope\" is not a supported IANA encoding name or alias in this gitfleet "
	      "version.");
	CHECK("textdecodebase64", "[\"SGV!\", \"UTF-8\"]",
	      "ERR Invalid function argument | Invalid value for \"source\" parameter: the given "
	      "value is has an invalid base64 symbol at offset 3.");
	CHECK("textdecodebase64", "[\"/w==\", \"UTF-8\"]",
	      "ERR Invalid function argument | Invalid value for \"source\" parameter: the given "
	      "string contains symbols that are not defined for UTF-8.");
	CHECK("textdecodebase64", "[\"aGk\", \"UTF-8\"]",
	      "ERR Invalid function argument | Invalid value for \"source\" parameter: the given "
	      "value is has an invalid base64 symbol at offset 0.");
	CHECK("textencodebase64", "[\"a\"]",
	      "ERR Not enough function arguments | Function \"textencodebase64\" expects 2 "
	      "argument(s). Missing value for \"encoding\".");
}

static void test_uuidv5_bcrypt(void **state)
{
	CHECK("uuidv5", "[\"dns\", \"www.terraform.io\"]",
	      "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\"");
	CHECK("uuidv5", "[\"url\", \"https://www.terraform.io/\"]",
	      "\"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5\"");
	CHECK("uuidv5", "[\"oid\", \"1.3.6.1.4\"]", "\"af9d40a5-7a36-5c07-b23a-851cd99fbfa5\"");
	CHECK("uuidv5", "[\"x500\", \"CN=Example Alice,OU=Engineering,DC=example,DC=com\"]",
	      "\"3ae6fe6c-c6b9-55f6-a356-0953cd23548a\"");
	CHECK("uuidv5", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\", \"www.terraform.io\"]",
	      "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\"");
	CHECK("uuidv5", "[\"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}\", \"www.terraform.io\"]",
	      "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\"");
	CHECK("uuidv5", "[\"6ba7b8109dad11d180b400c04fd430c8\", \"www.terraform.io\"]",
	      "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\"");
	CHECK("uuidv5", "[\"tada\", \"x\"]",
	      "ERR Error in function call | Call to function \"uuidv5\" failed: uuidv5() doesn't "
	      "support namespace tada (invalid UUID length: 4).");
	CHECK("uuidv5", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430cz\", \"x\"]",
	      "ERR Error in function call | Call to function \"uuidv5\" failed: uuidv5() doesn't "
	      "support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430cz (invalid UUID format).");

	const char *h = RAW("bcrypt", "[\"test\", 4]");
	assert_int_equal(strncmp(h, "$2a$04$", 7), 0);
	struct crypt_data cd = {0};
	assert_string_equal(crypt_rn("test", h, &cd, sizeof(cd)), h);
	h = RAW("bcrypt", "[\"test\"]");
	assert_int_equal(strncmp(h, "$2a$10$", 7), 0);
	CHECK("bcrypt", "[\"test\", 32]",
	      "ERR Error in function call | Call to function \"bcrypt\" failed: error occured "
	      "generating password crypto/bcrypt: cost 32 is outside allowed inclusive range "
	      "4..31.");
	CHECK("bcrypt", "[\"test\", 4, 5]",
	      "ERR Error in function call | Call to function \"bcrypt\" failed: bcrypt() takes no "
	      "more than two arguments.");
	CHECK("bcrypt", "[\"test\", 4.5]",
	      "ERR Invalid function argument | Invalid value for \"cost\" parameter: value must be "
	      "a whole number.");
	const hcl_value *args[1] = {UNK(&hcl_type_string)};
	assert_string_equal(callv("bcrypt", args, 1, false), "(known after apply)");
}

static void test_plantimestamp(void **state)
{
	const char *t = RAW("plantimestamp", "[]");
	assert_int_equal(strlen(t), 20);
	assert_int_equal(t[10], 'T');
	assert_int_equal(t[19], 'Z');
	CHECK("plantimestamp", "[1]",
	      "ERR Too many function arguments | Function \"plantimestamp\" expects only 0 "
	      "argument(s).");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_yamlencode, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_yamlencode_unknown_marks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_yamldecode_scalars, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_yamldecode_structure, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_yamldecode_limits, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_yaml_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_digests, setup_files, teardown),
	        cmocka_unit_test_setup_teardown(test_text_encodings, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_uuidv5_bcrypt, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_plantimestamp, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
