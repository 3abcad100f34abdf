/* Unit tests of the state model (src/state): addresses parse and print
 * back, the golden state file round-trips byte for byte, strict parsing
 * names what is wrong, instances are found, created and removed by
 * address, and outputs and types convert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/value.h"
#include "state/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("GF_TEST_DATA");
	assert_non_null(dir);
	char *path = gf_xasprintf("%s/state/%s", dir, name);
	gf_buf b = GF_BUF_INIT;
	if (gf_fs_read(&b, path) != 0)
		fail_msg("%s", gf_err_msg());
	free(path);
	*len = b.len;
	return gf_buf_detach(&b);
}

static void check_addr(const char *text, const char *canonical)
{
	state_addr a;
	if (state_addr_parse(&a, text) != 0)
		fail_msg("%s: %s", text, gf_err_msg());
	char *s = state_addr_string(&a);
	assert_string_equal(s, canonical ? canonical : text);
	free(s);
	state_addr b;
	state_addr_copy(&b, &a);
	assert_true(state_addr_equal(&a, &b));
	state_addr_dispose(&a);
	state_addr_dispose(&b);
}

static void check_bad_addr(const char *text, const char *msg_part)
{
	state_addr a;
	assert_int_equal(state_addr_parse(&a, text), GF_EINVALID);
	if (!strstr(gf_err_msg(), msg_part))
		fail_msg("%s: message \"%s\" lacks \"%s\"", text, gf_err_msg(), msg_part);
	assert_null(a.type);
	assert_int_equal(a.nmodules, 0);
}

static void test_addr_parse(void **unused)
{
	check_addr("fleet_lb.web", NULL);
	check_addr("fleet_lb.web[0]", NULL);
	check_addr("fleet_lb.web[12]", NULL);
	check_addr("fleet_lb.web[\"a\"]", NULL);
	check_addr("fleet_lb.web[\"say \\\"hi\\\" \\\\ there\"]", NULL);
	check_addr("data.fleet_lb.x", NULL);
	check_addr("module.net.fleet_lb.x", NULL);
	check_addr("module.net[0].module.db[\"k\"].data.fleet_lb.x[3]", NULL);
	check_addr("module.net", NULL);
	check_addr("module.net[1]", NULL);

	state_addr a;
	assert_int_equal(state_addr_parse(&a, "module.net[\"a\"].random_id.suffix[\"x\"]"), 0);
	assert_int_equal(a.nmodules, 1);
	assert_string_equal(a.modules[0].name, "net");
	assert_int_equal(a.modules[0].key.kind, STATE_KEY_STRING);
	assert_string_equal(a.modules[0].key.s, "a");
	assert_string_equal(a.type, "random_id");
	assert_string_equal(a.name, "suffix");
	assert_int_equal(a.mode, STATE_MANAGED);
	assert_int_equal(a.key.kind, STATE_KEY_STRING);
	char *m = state_addr_module_string(&a);
	assert_string_equal(m, "module.net[\"a\"]");
	free(m);
	state_addr_dispose(&a);

	check_bad_addr("", "empty");
	check_bad_addr("fleet_lb", "TYPE.NAME");
	check_bad_addr("fleet_lb.", "resource name");
	check_bad_addr("fleet_lb.web[", "instance key");
	check_bad_addr("fleet_lb.web[-1]", "instance key");
	check_bad_addr("fleet_lb.web[\"a]", "unterminated");
	check_bad_addr("fleet_lb.web.x", "unexpected");
	check_bad_addr("module.", "module name");
	check_bad_addr("fleet_lb.web[9999999999999999999]", "index too large");
}

static bool matches(const char *pattern, const char *inst)
{
	state_addr p, i;
	assert_int_equal(state_addr_parse(&p, pattern), 0);
	assert_int_equal(state_addr_parse(&i, inst), 0);
	bool m = state_addr_matches(&p, &i);
	state_addr_dispose(&p);
	state_addr_dispose(&i);
	return m;
}

static void test_addr_match(void **unused)
{
	assert_true(matches("fleet_lb.web", "fleet_lb.web"));
	assert_true(matches("fleet_lb.web", "fleet_lb.web[3]"));
	assert_true(matches("fleet_lb.web[3]", "fleet_lb.web[3]"));
	assert_false(matches("fleet_lb.web[3]", "fleet_lb.web[4]"));
	assert_false(matches("fleet_lb.web[\"3\"]", "fleet_lb.web[3]"));
	assert_false(matches("fleet_lb.web", "data.fleet_lb.web"));
	assert_false(matches("fleet_lb.web", "module.a.fleet_lb.web"));
	assert_true(matches("module.a", "module.a.fleet_lb.web"));
	assert_true(matches("module.a", "module.a[1].module.b.fleet_lb.web"));
	assert_false(matches("module.a[0]", "module.a[1].fleet_lb.web"));
	assert_false(matches("module.ab", "module.a.fleet_lb.web"));
	assert_true(matches("module.a.fleet_lb.web", "module.a.fleet_lb.web[\"k\"]"));
}

static void test_round_trip(void **unused)
{
	size_t len;
	char *text = read_data("golden.tfstate", &len);
	state *s;
	if (state_parse(&s, text, len, "golden.tfstate") != 0)
		fail_msg("%s", gf_err_msg());
	assert_int_equal(s->serial, 7);
	assert_string_equal(s->lineage, "3f2a9c1e-5b7d-4e21-9a0c-6d8e1f2b3c4d");
	assert_int_equal(s->resources.len, 4);
	gf_buf out = GF_BUF_INIT;
	assert_int_equal(state_serialize(&out, s), 0);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.ptr, text, len);

	/* A copy serialises the same. */
	state *c = state_copy(s);
	gf_buf out2 = GF_BUF_INIT;
	assert_int_equal(state_serialize(&out2, c), 0);
	assert_string_equal(gf_buf_cstr(&out2), text);

	/* Instances look the way the file says. */
	state_addr a;
	assert_int_equal(state_addr_parse(&a, "fleet_target_group.web[1]"), 0);
	state_instance *i = state_instance_find(s, &a);
	assert_non_null(i);
	assert_true(i->tainted);
	assert_true(i->create_before_destroy);
	state_addr_dispose(&a);
	assert_int_equal(state_addr_parse(&a, "fleet_target_group.web[0]"), 0);
	i = state_instance_find(s, &a);
	assert_int_equal(i->ndependencies, 1);
	assert_string_equal(i->dependencies[0], "fleet_lb.web");
	state_addr_dispose(&a);
	const state_output *o = state_output_find(s, "token");
	assert_non_null(o);
	assert_true(o->sensitive);

	gf_buf_dispose(&out);
	gf_buf_dispose(&out2);
	state_free(c);
	state_free(s);
	free(text);
}

/* Serialisation sorts what the writer left unsorted. */
static void test_canonical_order(void **unused)
{
	const char *in = "{\"resources\": [{\"type\": \"b\", \"name\": \"x\", \"mode\": "
	                 "\"managed\", \"provider\": \"p\", \"instances\": [{\"index_key\": 1, "
	                 "\"schema_version\": 0, \"attributes\": {\"z\": 1, \"a\": {\"d\": 1, "
	                 "\"c\": 2}}, \"dependencies\": [\"y.b\", \"x.a\", \"y.b\"]}, "
	                 "{\"index_key\": 0, \"schema_version\": 0}]}, {\"type\": \"a\", \"name\": "
	                 "\"x\", \"mode\": \"managed\", \"provider\": \"p\", \"instances\": []}], "
	                 "\"version\": 4, \"serial\": 1, \"lineage\": \"l\", "
	                 "\"terraform_version\": \"1.9.0\", \"outputs\": {\"b\": {\"value\": 1, "
	                 "\"type\": \"number\"}, \"a\": {\"value\": \"x\", \"type\": \"string\"}}}";
	state *s;
	if (state_parse(&s, in, strlen(in), "t") != 0)
		fail_msg("%s", gf_err_msg());
	gf_buf out = GF_BUF_INIT;
	assert_int_equal(state_serialize(&out, s), 0);
	const char *t = gf_buf_cstr(&out);
	assert_true(strstr(t, "\"type\": \"a\"") < strstr(t, "\"type\": \"b\""));
	assert_true(strstr(t, "\"index_key\": 0") < strstr(t, "\"index_key\": 1"));
	assert_true(strstr(t, "\"c\": 2") < strstr(t, "\"d\": 1"));
	assert_true(strstr(t, "\"a\": {\n") < strstr(t, "\"z\": 1"));
	assert_non_null(strstr(t, "\"dependencies\": [\n            \"x.a\",\n            "
	                          "\"y.b\"\n          ]"));
	assert_true(strstr(t, "\"version\": 4") < strstr(t, "\"terraform_version\""));
	assert_non_null(strstr(t, "\"check_results\": null\n}\n"));
	/* ... and reads back to the same bytes. */
	state *s2;
	assert_int_equal(state_parse(&s2, out.ptr, out.len, "t2"), 0);
	gf_buf out2 = GF_BUF_INIT;
	state_serialize(&out2, s2);
	assert_string_equal(gf_buf_cstr(&out2), t);
	gf_buf_dispose(&out);
	gf_buf_dispose(&out2);
	state_free(s);
	state_free(s2);
}

static void check_bad_state(const char *json, const char *msg_part)
{
	state *s = (state *)1;
	assert_int_equal(state_parse(&s, json, strlen(json), "bad.tfstate"), GF_EINVALID);
	assert_null(s);
	if (!strstr(gf_err_msg(), msg_part) || !strstr(gf_err_msg(), "bad.tfstate"))
		fail_msg("message \"%s\" lacks \"%s\"", gf_err_msg(), msg_part);
}

#define HEAD "{\"version\": 4, \"terraform_version\": \"1\", \"serial\": 1, \"lineage\": \"l\", "

static void test_parse_errors(void **unused)
{
	check_bad_state("", "not JSON");
	check_bad_state("{", "not JSON");
	check_bad_state("[]", "must be a JSON object");
	check_bad_state("{}", "\"version\" is missing");
	check_bad_state("{\"version\": 3}", "version 3 is not supported");
	check_bad_state(HEAD "\"extra\": 1}", "unknown key \"extra\"");
	check_bad_state("{\"version\": 4, \"serial\": 1, \"lineage\": \"l\"}",
	                "\"terraform_version\" is missing");
	check_bad_state("{\"version\": 4, \"terraform_version\": \"1\", \"serial\": -1, "
	                "\"lineage\": \"l\"}",
	                "\"serial\"");
	check_bad_state(HEAD "\"resources\": {}}", "\"resources\" must be an array");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": [{\"schema_version\": 0, "
	                     "\"attributes\": []}]}]}",
	                "resources[0].instances[0]: \"attributes\" must be an object");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"weird\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": []}]}",
	                "resources[0]: \"mode\" must be");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a b\", "
	                     "\"name\": \"b\", \"provider\": \"p\", \"instances\": []}]}",
	                "identifiers");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": [{\"schema_version\": 0, "
	                     "\"index_key\": 1}, {\"schema_version\": 0, \"index_key\": 1}]}]}",
	                "resources[0].instances[1]: two instances have the same index_key");
	/* The first repeat in file order is named, whatever lies between. */
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": [{\"schema_version\": 0, "
	                     "\"index_key\": \"x\"}, {\"schema_version\": 0, \"index_key\": 2}, "
	                     "{\"schema_version\": 0, \"index_key\": 2}, {\"schema_version\": 0, "
	                     "\"index_key\": \"x\"}]}]}",
	                "resources[0].instances[2]: two instances have the same index_key");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": [{\"schema_version\": 0, "
	                     "\"dependencies\": [\"no\"]}]}]}",
	                "dependencies[0]");
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": []}, {\"mode\": "
	                     "\"managed\", \"type\": \"a\", \"name\": \"b\", \"provider\": \"p\", "
	                     "\"instances\": []}]}",
	                "appears twice");
	/* The later of the two is named, whatever lies between them. */
	check_bad_state(HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	                     "\"b\", \"provider\": \"p\", \"instances\": []}, {\"mode\": "
	                     "\"data\", \"type\": \"a\", \"name\": \"b\", \"provider\": \"p\", "
	                     "\"instances\": []}, {\"mode\": \"managed\", \"type\": \"a\", "
	                     "\"name\": \"b\", \"provider\": \"p\", \"instances\": []}]}",
	                "resources[2]: the resource a.b appears twice");
	check_bad_state(HEAD "\"outputs\": {\"x\": {\"value\": 1}}}", "outputs.x");
	check_bad_state("{\"version\": 4, \"version\": 4}", "not JSON");
}

/* The text is what Terraform (Go's MarshalIndent) writes for the same
 * values, and reading it back gives the same bytes. */
static void test_go_format(void **unused)
{
	const char *in =
	        HEAD "\"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": "
	             "\"b\", \"provider\": \"p\", \"instances\": [{\"schema_version\": 0, "
	             "\"attributes\": {\"html\": \"<a&b>\", \"ctl\": \"\\u0001\\b\\n\\t\", "
	             "\"ls\": \"x\\u2028y\", \"r1\": 0.1, \"r2\": 1e21, \"r3\": 1e-7, "
	             "\"r4\": 2.5, \"r5\": 1e300, \"r6\": 123456789.125, \"r7\": 1.0, "
	             "\"r8\": -0.000001, \"r9\": 1e20, \"r0\": -0.0, \"u\": \"caf\\u00e9\", \"e\": "
	             "{}, \"l\": []}}]}]}";
	state *s;
	if (state_parse(&s, in, strlen(in), "t") != 0)
		fail_msg("%s", gf_err_msg());
	gf_buf out = GF_BUF_INIT;
	assert_int_equal(state_serialize(&out, s), 0);
	const char *t = gf_buf_cstr(&out);
	const char *want[] = {
	        "\"html\": \"\\u003ca\\u0026b\\u003e\"",
	        "\"ctl\": \"\\u0001\\u0008\\n\\t\"",
	        "\"ls\": \"x\\u2028y\"",
	        "\"r1\": 0.1,",
	        "\"r2\": 1e+21,",
	        "\"r3\": 1e-7,",
	        "\"r4\": 2.5,",
	        "\"r5\": 1e+300,",
	        "\"r6\": 123456789.125,",
	        "\"r7\": 1,",
	        "\"r8\": -0.000001,",
	        "\"r9\": 1e+20,",
	        "\"r0\": 0,",
	        "\"u\": \"caf\xc3\xa9\"",
	        "\"e\": {},",
	        "\"l\": [],",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(want); i++)
		if (!strstr(t, want[i]))
			fail_msg("%s not in:\n%s", want[i], t);
	state *s2;
	assert_int_equal(state_parse(&s2, out.ptr, out.len, "t2"), 0);
	gf_buf out2 = GF_BUF_INIT;
	state_serialize(&out2, s2);
	assert_string_equal(gf_buf_cstr(&out2), t);
	gf_buf_dispose(&out);
	gf_buf_dispose(&out2);
	state_free(s);
	state_free(s2);
}

static void test_model(void **unused)
{
	state *s = state_new();
	assert_int_equal(strlen(s->lineage), 36);
	assert_int_equal(s->lineage[14], '4');
	assert_true(state_is_empty(s));
	state_addr a, b, m;
	assert_int_equal(state_addr_parse(&a, "module.net.fleet_lb.web[1]"), 0);
	assert_int_equal(state_addr_parse(&b, "module.net.fleet_lb.web[0]"), 0);
	assert_int_equal(state_addr_parse(&m, "module.net"), 0);
	state_instance *i1 = state_instance_ensure(s, &a, STATE_PROVIDER_FLEET);
	state_instance *i0 = state_instance_ensure(s, &b, NULL);
	assert_ptr_equal(state_instance_ensure(s, &a, NULL), i1);
	state_instance_set_attributes(i1, json_pack("{s:s}", "id", "web-1"));
	const char *deps[] = {"fleet_lb.x"};
	state_instance_set_dependencies(i0, deps, 1);
	assert_ptr_equal(state_instance_find(s, &a), i1);
	const state_resource *r = state_resource_find(s, &a);
	assert_int_equal(r->each, STATE_EACH_LIST);
	assert_string_equal(r->module, "module.net");
	char **list;
	size_t n = state_list(&list, s, &m, 1);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "module.net.fleet_lb.web[0]");
	assert_string_equal(list[1], "module.net.fleet_lb.web[1]");
	state_strings_free(list, n);
	/* Pointers survive the sorting done by listing. */
	assert_ptr_equal(state_instance_find(s, &a), i1);

	assert_int_equal(state_instance_remove(s, &a), 0);
	assert_null(state_instance_find(s, &a));
	assert_int_equal(state_instance_remove(s, &a), GF_ENOTFOUND);
	assert_non_null(strstr(gf_err_msg(), "module.net.fleet_lb.web[1]"));
	assert_int_equal(state_instance_remove(s, &b), 0);
	assert_null(state_resource_find(s, &b));
	assert_true(state_is_empty(s));

	state_output_set(s, "url", json_string("x"), json_string("string"), false);
	state_output_set(s, "url", json_string("y"), json_string("string"), true);
	assert_int_equal(s->outputs.len, 1);
	assert_string_equal(json_string_value(state_output_find(s, "url")->value), "y");
	state_outputs_clear(s);
	assert_null(state_output_find(s, "url"));
	state_addr_dispose(&a);
	state_addr_dispose(&b);
	state_addr_dispose(&m);
	state_free(s);
}

static void test_types_and_values(void **unused)
{
	gf_arena a;
	gf_arena_init(&a);
	const char *types[] = {"\"string\"", "[\"list\", \"number\"]",
	                       "[\"map\", [\"set\", \"bool\"]]",
	                       "[\"object\", {\"a\": \"string\", \"b\": [\"tuple\", [\"number\", "
	                       "\"dynamic\"]]}]"};
	for (size_t i = 0; i < GF_ARRAY_LEN(types); i++) {
		json_t *j = json_loads(types[i], JSON_DECODE_ANY, NULL);
		const hcl_type *t = state_type_from_json(&a, j);
		assert_non_null(t);
		json_t *back = state_type_to_json(t);
		assert_true(json_equal(j, back));
		json_decref(j);
		json_decref(back);
	}
	json_t *bad = json_loads("[\"list\"]", 0, NULL);
	assert_null(state_type_from_json(&a, bad));
	json_decref(bad);

	json_t *v = json_loads("[1, 2]", 0, NULL),
	       *t = json_loads("[\"set\", \"number\"]", 0, NULL);
	const hcl_value *hv = state_value_from_json(&a, v, t);
	assert_non_null(hv);
	assert_string_equal(hcl_value_render(&a, hv), "toset([\n  1,\n  2,\n])");
	json_decref(t);
	t = json_string("number");
	assert_null(state_value_from_json(&a, v, t));
	json_decref(v);
	json_decref(t);
	gf_arena_dispose(&a);
}

/* Lock IDs and lineages: random version 4 UUIDs, 8-4-4-4-12 lowercase hex. */
static void test_uuid(void **unused)
{
	char a[STATE_UUID_LEN], b[STATE_UUID_LEN];
	assert_int_equal(state_uuid(a), 0);
	assert_int_equal(state_uuid(b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 36);
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_addr_parse),   cmocka_unit_test(test_addr_match),
	        cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_canonical_order),
	        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_go_format),
	        cmocka_unit_test(test_model),        cmocka_unit_test(test_types_and_values),
	        cmocka_unit_test(test_uuid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
