/* Unit tests of the encoding, hash, filesystem, network and time
 * functions. File fixtures live in tests/data/hcl_func. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

#include "hcl_func_test.h"

static int setup_files(void **state)
{
	setup(state);
	const char *data = getenv("GF_TEST_DATA");
	assert_non_null(data);
	ENV.base_dir = gf_arena_printf(&A, "%s/hcl_func", data);
	return 0;
}

static void test_encoding(void **state)
{
	CHECK("base64encode", "[\"Hello World\"]", "\"SGVsbG8gV29ybGQ=\"");
	CHECK("base64encode", "[\"\"]", "\"\"");
	CHECK("base64encode", "[\"ab\"]", "\"YWI=\"");
	CHECK("base64decode", "[\"SGVsbG8gV29ybGQ=\"]", "\"Hello World\"");
	CHECK("base64decode", "[\"YWI=\"]", "\"ab\"");
	CHECK("base64decode", "[\"YW=I\"]",
	      "ERR Error in function call | Call to function \"base64decode\" failed: failed to "
	      "decode base64 data \"YW=I\".");
	CHECK("base64decode", "[\"YWJj\\n\"]",
	      "ERR Error in function call | Call to function \"base64decode\" failed: failed to "
	      "decode base64 data \"YWJj\\n\".");
	CHECK("base64decode", "[\"/w==\"]",
	      "ERR Error in function call | Call to function \"base64decode\" failed: the result "
	      "of decoding the provided string is not valid UTF-8.");
	CHECK("urlencode", "[\"Hello World!\"]", "\"Hello+World%21\"");
	CHECK("urlencode", "[\"caf\xc3\xa9/a-b_c.d~\"]", "\"caf%C3%A9%2Fa-b_c.d~\"");
	CHECK("jsonencode", "[{\"hello\": \"world\", \"n\": [1, 2.5, null]}]",
	      "\"{\\\"hello\\\":\\\"world\\\",\\\"n\\\":[1,2.5,null]}\"");
	CHECK("jsonencode", "[null]", "\"null\"");
	CHECK("jsonencode", "[\"<b>\"]", "\"\\\"\\\\u003cb\\\\u003e\\\"\"");
	CHECK("jsondecode", "[\"{\\\"hello\\\": \\\"world\\\"}\"]",
	      "{\n  \"hello\" = \"world\"\n}");
	CHECK("jsondecode", "[\"true\"]", "true");
	CHECK("jsondecode", "[\"{\"]",
	      "ERR Error in function call | Call to function \"jsondecode\" failed: unexpected end "
	      "of JSON input.");
	const hcl_value *items[1] = {UNK(&hcl_type_string)};
	const hcl_value *t = hcl_tuple(&A, items, 1);
	assert_string_equal(callv("jsonencode", &t, 1, false), "(known after apply)");
	CHECK("csvdecode", "[\"a,b,c\\n1,2,3\\n4,\\\"x,\\\"\\\"y\\\",6\\n\"]",
	      "tolist([\n  {\n    \"a\" = \"1\"\n    \"b\" = \"2\"\n    \"c\" = \"3\"\n  },\n  {\n "
	      "   "
	      "\"a\" = \"4\"\n    \"b\" = \"x,\\\"y\"\n    \"c\" = \"6\"\n  },\n])");
	CHECK("csvdecode", "[\"a,b\\r\\n1,2\"]",
	      "tolist([\n  {\n    \"a\" = \"1\"\n    \"b\" = \"2\"\n  },\n])");
	CHECK("csvdecode", "[\"a,b\\n1\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: CSV parse error "
	      "on line 2: wrong number of fields.");
	CHECK("csvdecode", "[\"a,b\\n\\n1,2\\n\\n\"]",
	      "tolist([\n  {\n    \"a\" = \"1\"\n    \"b\" = \"2\"\n  },\n])");
	CHECK("csvdecode", "[\"a,a\\n1,2\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: duplicate "
	      "column "
	      "name \"a\".");
	CHECK("csvdecode", "[\"a\\n\\\"x\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: CSV parse error "
	      "on line 2: extraneous or missing \" in quoted-field.");
	CHECK("csvdecode", "[\"a\\n\\\"x\\\"y\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: CSV parse error "
	      "on line 2: extraneous or missing \" in quoted-field.");
	CHECK("csvdecode", "[\"a\\n\"]", "tolist([])");
	CHECK("csvdecode", "[\"\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: missing header "
	      "line.");
	CHECK("csvdecode", "[\"a\\nx\\\"y\"]",
	      "ERR Error in function call | Call to function \"csvdecode\" failed: CSV parse error "
	      "on line 2: bare \" in non-quoted-field.");
}

static void test_hashes(void **state)
{
	CHECK("md5", "[\"hello world\"]", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
	CHECK("sha1", "[\"hello world\"]", "\"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\"");
	CHECK("sha256", "[\"hello world\"]",
	      "\"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9\"");
	CHECK("sha512", "[\"\"]",
	      "\"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff"
	      "8318d2877eec2f63b931bd47417a81a538327af927da3e\"");
	const char *u = CALL("uuid", "[]");
	assert_int_equal(strlen(u), 38);
	assert_int_equal(u[15], '4');
	assert_string_not_equal(u, CALL("uuid", "[]"));
}

static void test_files(void **state)
{
	CHECK("file", "[\"hello.txt\"]", "\"Hello World\"");
	CHECK("filebase64", "[\"hello.txt\"]", "\"SGVsbG8gV29ybGQ=\"");
	CHECK("filemd5", "[\"hello.txt\"]", "\"b10a8db164e0754105b7a99be72e3fe5\"");
	CHECK("filesha1", "[\"hello.txt\"]", "\"0a4d55a8d778e5022fab701977c5d840bbc486d0\"");
	CHECK("filesha256", "[\"hello.txt\"]",
	      "\"a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e\"");
	CHECK("file", "[\"missing.txt\"]",
	      "ERR Invalid function argument | Invalid value for \"path\" parameter: no file "
	      "exists "
	      "at \"missing.txt\"; this function works only with files that are distributed as "
	      "part "
	      "of the configuration source code, so if this file will be created by a resource in "
	      "this configuration you must instead obtain this result from an attribute of that "
	      "resource.");
	CHECK("file", "[\"binary.bin\"]",
	      "ERR Error in function call | Call to function \"file\" failed: contents of "
	      "\"binary.bin\" are not valid UTF-8; use the filebase64 function to obtain the "
	      "Base64 "
	      "encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain "
	      "file hashing results instead.");
	CHECK("filebase64", "[\"binary.bin\"]", "\"//4gYmluYXJ5\"");
	CHECK("fileexists", "[\"hello.txt\"]", "true");
	CHECK("fileexists", "[\"nope.txt\"]", "false");
	/* the message names the resolved, cleaned path */
	const char *dir = CALL("fileexists", "[\"files/../files/\"]");
	assert_true(gf_str_has_prefix(dir, "ERR Invalid function argument | Invalid value for "
	                                   "\"path\" parameter: \"/"));
	assert_true(gf_str_has_suffix(dir, "/hcl_func/files\" is a directory, not a file."));
	CHECK("fileexists", "[\"hello.txt/x\"]", "false");
	CHECK("fileset", "[\"files\", \"*.txt\"]", "toset([\n  \"a.txt\",\n])");
	CHECK("fileset", "[\"files\", \"**/*.txt\"]",
	      "toset([\n  \"a.txt\",\n  \"other/e.txt\",\n  \"sub/c.txt\",\n  "
	      "\"sub/deep/d.txt\",\n])");
	CHECK("fileset", "[\"files\", \"{sub,other}/*\"]",
	      "toset([\n  \"other/e.txt\",\n  \"sub/c.txt\",\n])");
	CHECK("fileset", "[\"files\", \"[ab].*\"]", "toset([\n  \"a.txt\",\n  \"b.md\",\n])");
	CHECK("fileset", "[\"files\", \"sub/**\"]",
	      "toset([\n  \"sub/c.txt\",\n  \"sub/deep/d.txt\",\n])");
	CHECK("fileset", "[\"files\", \"?.md\"]", "toset([\n  \"b.md\",\n])");
	CHECK("fileset", "[\"nowhere\", \"*\"]", "toset([])");
	CHECK("basename", "[\"foo/bar/baz.txt\"]", "\"baz.txt\"");
	CHECK("basename", "[\"/foo/bar/\"]", "\"bar\"");
	CHECK("basename", "[\"\"]", "\".\"");
	CHECK("dirname", "[\"foo/bar/baz.txt\"]", "\"foo/bar\"");
	CHECK("dirname", "[\"baz.txt\"]", "\".\"");
	CHECK("dirname", "[\"/baz.txt\"]", "\"/\"");
	CHECK("abspath", "[\"/a/b/../c/./d/\"]", "\"/a/c/d\"");
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_string_equal(CALL("abspath", "[\"x/../y\"]"), gf_arena_printf(&A, "\"%s/y\"", cwd));
	setenv("HOME", "/home/tester", 1);
	CHECK("pathexpand", "[\"~/.ssh/id_rsa\"]", "\"/home/tester/.ssh/id_rsa\"");
	CHECK("pathexpand", "[\"/etc/resolv.conf\"]", "\"/etc/resolv.conf\"");
	CHECK("templatefile", "[\"greeting.tftpl\", {\"name\": \"x\"}]",
	      "ERR Error in function call | Call to function \"templatefile\" failed: templates "
	      "cannot be rendered in this context.");
}

/* A stand-in for the evaluator's template renderer: replaces ${name}. */
static const hcl_value *fake_render(void *payload, const char *path, const char *text,
                                    const hcl_value *vars, const char **why)
{
	*(int *)payload += 1;
	const hcl_value *name = hcl_value_get(vars, "name");
	if (!name) {
		*why = "vars has no \"name\"";
		return NULL;
	}
	const char *at = strstr(text, "${name}");
	return hcl_cstring(&A, gf_arena_printf(&A, "%.*s%s%s", (int)(at - text), text,
	                                       name->u.str.ptr, at + 7));
}

static void test_templatefile(void **state)
{
	int calls = 0;
	ENV.render_template = fake_render;
	ENV.payload = &calls;
	CHECK("templatefile", "[\"greeting.tftpl\", {\"name\": \"Ander\"}]", "\"Hello, Ander!\"");
	assert_int_equal(calls, 1);
	CHECK("templatefile", "[\"greeting.tftpl\", {}]",
	      "ERR Error in function call | Call to function \"templatefile\" failed: vars has no "
	      "\"name\".");
	CHECK("templatefile", "[\"greeting.tftpl\", {\"name\": \"x\", \"1st\": 1}]",
	      "ERR Invalid function argument | Invalid value for \"vars\" parameter: invalid "
	      "template variable name \"1st\": must start with a letter, followed by zero or more "
	      "letters, digits, and underscores.");
	CHECK("templatefile", "[\"missing.tftpl\", {}]",
	      "ERR Invalid function argument | Invalid value for \"path\" parameter: no file "
	      "exists "
	      "at \"missing.tftpl\"; this function works only with files that are distributed as "
	      "part of the configuration source code, so if this file will be created by a "
	      "resource "
	      "in this configuration you must instead obtain this result from an attribute of that "
	      "resource.");
	CHECK("templatefile", "[\"greeting.tftpl\", [1]]",
	      "ERR Invalid function argument | Invalid value for \"vars\" parameter: invalid vars "
	      "value: must be a map.");
}

static void test_network(void **state)
{
	CHECK("cidrhost", "[\"10.12.112.0/20\", 16]", "\"10.12.112.16\"");
	CHECK("cidrhost", "[\"10.12.112.0/20\", 268]", "\"10.12.113.12\"");
	CHECK("cidrhost", "[\"10.12.112.0/20\", -1]", "\"10.12.127.255\"");
	CHECK("cidrhost", "[\"fd00:fd12:3456:7890:00a2::/72\", 34]", "\"fd00:fd12:3456:7890::22\"");
	CHECK("cidrhost", "[\"10.0.0.0/30\", 4]",
	      "ERR Error in function call | Call to function \"cidrhost\" failed: prefix of 30 "
	      "bits "
	      "cannot accommodate a host numbered 4.");
	CHECK("cidrnetmask", "[\"172.16.0.0/12\"]", "\"255.240.0.0\"");
	CHECK("cidrnetmask", "[\"::/64\"]",
	      "ERR Error in function call | Call to function \"cidrnetmask\" failed: IPv6 "
	      "addresses "
	      "cannot have a netmask: ::/64.");
	CHECK("cidrsubnet", "[\"172.16.0.0/12\", 4, 2]", "\"172.18.0.0/16\"");
	CHECK("cidrsubnet", "[\"10.1.2.0/24\", 4, 15]", "\"10.1.2.240/28\"");
	CHECK("cidrsubnet", "[\"fd00:fd12:3456:7890::/56\", 16, 162]",
	      "\"fd00:fd12:3456:7800:a200::/72\"");
	CHECK("cidrsubnet", "[\"10.0.0.0/24\", 4, 16]",
	      "ERR Error in function call | Call to function \"cidrsubnet\" failed: prefix "
	      "extension of 4 does not accommodate a subnet numbered 16.");
	CHECK("cidrsubnet", "[\"10.0.0.0/30\", 4, 0]",
	      "ERR Error in function call | Call to function \"cidrsubnet\" failed: insufficient "
	      "address space to extend prefix of 30 by 4.");
	CHECK("cidrsubnet", "[\"10.0.0/8\", 4, 0]",
	      "ERR Error in function call | Call to function \"cidrsubnet\" failed: invalid CIDR "
	      "expression: invalid CIDR address: 10.0.0/8.");
	CHECK("cidrsubnets", "[\"10.0.0.0/33\", 1]",
	      "ERR Invalid function argument | Invalid value for \"prefix\" parameter: invalid "
	      "CIDR "
	      "expression: invalid CIDR address: 10.0.0.0/33.");
	CHECK("cidrsubnets", "[\"10.0.0.0/8\"]", "tolist([])");
	CHECK("cidrsubnets", "[\"10.0.0.0/8\", 0]",
	      "ERR Invalid function argument | Invalid value for \"newbits\" parameter: must "
	      "extend "
	      "prefix by at least one bit.");
	CHECK("cidrsubnets", "[\"10.0.0.0/8\", 30]",
	      "ERR Invalid function argument | Invalid value for \"newbits\" parameter: would "
	      "extend prefix to 38 bits, which is too long for an IPv4 address.");
	CHECK("cidrhost", "[\"10.0.0.5/24\", 3]", "\"10.0.0.3\"");
	CHECK("cidrsubnets", "[\"10.1.0.0/16\", 4, 4, 8, 4]",
	      "tolist([\n  \"10.1.0.0/20\",\n  \"10.1.16.0/20\",\n  \"10.1.32.0/24\",\n  "
	      "\"10.1.48.0/20\",\n])");
	CHECK("cidrsubnets", "[\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32]",
	      "tolist([\n  \"fd00:fd12:3456:7800::/72\",\n  \"fd00:fd12:3456:7800:100::/72\",\n  "
	      "\"fd00:fd12:3456:7800:200::/72\",\n  \"fd00:fd12:3456:7800:300::/88\",\n])");
	CHECK("cidrsubnets", "[\"10.0.0.0/30\", 1, 1, 1]",
	      "ERR Invalid function argument | Invalid value for \"newbits\" parameter: not enough "
	      "remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31.");
}

static void test_time(void **state)
{
	const char *ts = CALL("timestamp", "[]");
	assert_int_equal(strlen(ts), 22);
	assert_int_equal(ts[20], 'Z');
	CHECK("formatdate", "[\"DD MMM YYYY hh:mm ZZZ\", \"2018-01-02T23:12:01Z\"]",
	      "\"02 Jan 2018 23:12 UTC\"");
	CHECK("formatdate", "[\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01Z\"]",
	      "\"Tuesday, 02-Jan-18 23:12:01 UTC\"");
	CHECK("formatdate", "[\"EEE, DD MMM YYYY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01-08:00\"]",
	      "\"Tue, 02 Jan 2018 23:12:01 -0800\"");
	CHECK("formatdate", "[\"MMMM D, YYYY h:m:s\", \"2018-03-04T05:06:07Z\"]",
	      "\"March 4, 2018 5:6:7\"");
	CHECK("formatdate", "[\"HH:mm AA aa ZZZZ ZZZZZ Z\", \"2018-03-04T17:06:07+05:30\"]",
	      "\"05:06 PM pm +0530 +05:30 +05:30\"");
	CHECK("formatdate", "[\"h 'o''clock' '' YYYY-MM-DD\", \"2018-03-04T17:06:07Z\"]",
	      "\"17 o'clock ' 2018-03-04\"");
	CHECK("formatdate", "[\"YYY\", \"2018-03-04T17:06:07Z\"]",
	      "ERR Invalid function argument | Invalid value for \"format\" parameter: invalid "
	      "date "
	      "format verb \"YYY\": year must either be \"YY\" or \"YYYY\".");
	CHECK("formatdate", "[\"q\", \"2018-03-04T17:06:07Z\"]",
	      "ERR Invalid function argument | Invalid value for \"format\" parameter: invalid "
	      "date "
	      "format verb \"q\".");
	CHECK("formatdate", "[\"'abc\", \"2018-03-04T17:06:07Z\"]",
	      "ERR Invalid function argument | Invalid value for \"format\" parameter: "
	      "unterminated "
	      "literal '.");
	static const struct {
		const char *ts, *why;
	} bad[] = {
	        {"2018-03-04", "missing required time introducer 'T'"},
	        {"2018-03", "end of string where \"-\" is expected"},
	        {"2018/03/04T00:00:00Z", "found \"/03/04T00:00:00Z\" where \"-\" is expected"},
	        {"2018-3-04T00:00:00Z", "cannot use \"3-04T00:00:00Z\" as month"},
	        {"2018-13-04T00:00:00Z", "month out of range"},
	        {"2018-02-30T00:00:00Z", "day out of range"},
	        {"2018-02-03T25:00:00Z", "hour must be between 0 and 23 inclusive"},
	        {"2018-02-03T10:00:00", "end of string before UTC offset"},
	        {"2018-02-03T10:00:00Zjunk", "extra text: \"junk\""},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(bad); i++) {
		const hcl_value *args[2] = {J("\"YYYY\""), hcl_cstring(&A, bad[i].ts)};
		assert_string_equal(
		        callv("formatdate", args, 2, false),
		        gf_arena_printf(&A,
		                        "ERR Invalid function argument | Invalid value for "
		                        "\"time\" parameter: not a valid RFC3339 timestamp: "
		                        "%s.",
		                        bad[i].why));
	}
	CHECK("timeadd", "[\"2017-11-22T00:00:00Z\", \"10m\"]", "\"2017-11-22T00:10:00Z\"");
	CHECK("timeadd", "[\"2017-11-22T00:00:00Z\", \"-1h30m\"]", "\"2017-11-21T22:30:00Z\"");
	CHECK("timeadd", "[\"2017-12-31T23:00:00+01:00\", \"1.5h\"]",
	      "\"2018-01-01T00:30:00+01:00\"");
	CHECK("timeadd", "[\"2017-11-22T00:00:00Z\", \"10 minutes\"]",
	      "ERR Error in function call | Call to function \"timeadd\" failed: time: invalid "
	      "duration \"10 minutes\".");
	CHECK("timeadd", "[\"2017-11-22\", \"1h\"]",
	      "ERR Error in function call | Call to function \"timeadd\" failed: not a valid "
	      "RFC3339 timestamp: missing required time introducer 'T'.");
	CHECK("timeadd", "[\"2017-11-22T00:00:00.123Z\", \"1500ms\"]", "\"2017-11-22T00:00:01Z\"");
	CHECK("timeadd", "[\"2017-11-22T00:00:00.9Z\", \"200ms\"]", "\"2017-11-22T00:00:01Z\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_encoding, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_hashes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_files, setup_files, teardown),
	        cmocka_unit_test_setup_teardown(test_templatefile, setup_files, teardown),
	        cmocka_unit_test_setup_teardown(test_network, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
