/* Unit tests of resource spec decoding (src/cloud/spec.c): defaults, and
 * for every kind of bad input the status, the field path and a message
 * that says what to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cloud/cloud.h"

#include <string.h>

#define SHA "4765fe2188261d3b18996371c120678008849facdd0b9fad72a67fbc6a9b5bd9"

static json_t *decode_ok(cloud_kind k, const char *name, const char *text)
{
	json_t *body = json_loads(text, 0, NULL);
	assert_non_null(body);
	json_t *out = NULL;
	cloud_spec_error err;
	int rc = cloud_spec_decode(&out, &err, k, name, body);
	if (rc != 0)
		fail_msg("%s: %s", err.field, err.message);
	json_decref(body);
	return out;
}

static void decode_bad(cloud_kind k, const char *name, const char *text, int status,
                       const char *field, const char *needle)
{
	json_t *body = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(body);
	json_t *out = NULL;
	cloud_spec_error err;
	assert_int_equal(cloud_spec_decode(&out, &err, k, name, body), GF_EINVALID);
	assert_null(out);
	assert_int_equal(err.status, status);
	assert_string_equal(err.field, field);
	if (!strstr(err.message, needle))
		fail_msg("\"%s\" not in \"%s\"", needle, err.message);
	json_decref(body);
}

static void test_asg_defaults(void **state)
{
	json_t *s = decode_ok(CLOUD_ASG, "web",
	                      "{\"min_size\": 1, \"max_size\": 3, \"launch_template\": \"web\"}");
	assert_string_equal(json_string_value(json_object_get(s, "name")), "web");
	assert_int_equal(json_integer_value(json_object_get(s, "desired_capacity")), 1);
	assert_string_equal(json_string_value(json_object_get(s, "launch_template_version")),
	                    "$Latest");
	assert_int_equal(json_integer_value(json_object_get(s, "min_healthy_percentage")), 100);
	assert_true(json_number_value(json_object_get(s, "health_check_grace_period")) == 30);
	json_decref(s);
	/* A version given as digits becomes a number; GET's read-only
	 * attributes may come back in a PUT. */
	s = decode_ok(CLOUD_ASG, "web",
	              "{\"min_size\": 0, \"max_size\": 3, \"desired_capacity\": 2,"
	              " \"launch_template\": \"web\", \"launch_template_version\": \"4\","
	              " \"status\": {\"phase\": \"converged\"}, \"id\": \"web\"}");
	assert_int_equal(json_integer_value(json_object_get(s, "launch_template_version")), 4);
	assert_null(json_object_get(s, "status"));
	json_decref(s);
}

static void test_tg_nested_defaults(void **state)
{
	json_t *s = decode_ok(CLOUD_TARGET_GROUP, "web-tg",
	                      "{\"health_check\": {\"path\": \"/healthz\", \"interval\": 0.2}}");
	json_t *hc = json_object_get(s, "health_check");
	assert_string_equal(json_string_value(json_object_get(hc, "path")), "/healthz");
	assert_true(json_number_value(json_object_get(hc, "interval")) == 0.2);
	assert_int_equal(json_integer_value(json_object_get(hc, "healthy_threshold")), 2);
	assert_string_equal(json_string_value(json_object_get(hc, "matcher")), "200-399");
	assert_true(json_number_value(json_object_get(s, "deregistration_delay")) == 5);
	json_decref(s);
}

static void test_bad_documents(void **state)
{
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 1, \"max_size\": 3, \"launch_template\": \"w\","
	           " \"desired_capacty\": 2}",
	           400, "desired_capacty", "did you mean \"desired_capacity\"?");
	decode_bad(CLOUD_ASG, "web", "{\"min_size\": \"1\", \"max_size\": 3}", 400, "min_size",
	           "min_size is a string: it must be an integer");
	decode_bad(CLOUD_ASG, "web", "{\"max_size\": 3, \"launch_template\": \"w\"}", 400,
	           "min_size", "min_size is required");
	decode_bad(CLOUD_TARGET_GROUP, "tg", "{\"health_check\": {\"intervl\": 1}}", 400,
	           "health_check.intervl", "did you mean \"interval\"?");
	decode_bad(CLOUD_TARGET_GROUP, "tg", "{\"health_check\": {\"interval\": \"fast\"}}", 400,
	           "health_check.interval", "must be a number");
	decode_bad(CLOUD_LB, "web", "[1, 2]", 400, "", "must be a JSON object");
	decode_bad(CLOUD_LB, "web", "{\"zzzzzz\": 1}", 400, "zzzzzz",
	           "unknown field \"zzzzzz\": the fields here are name");
	decode_bad(CLOUD_LAUNCH_TEMPLATE, "web", "{\"release\": \"" SHA "\", \"env\": {\"A\": 1}}",
	           400, "env", "values must be strings");
}

static void test_broken_invariants(void **state)
{
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 2, \"max_size\": 3, \"desired_capacity\": 5,"
	           " \"launch_template\": \"w\"}",
	           422, "desired_capacity", "must be between min_size (2) and max_size (3)");
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 4, \"max_size\": 3, \"launch_template\": \"w\"}", 422,
	           "min_size", "larger than max_size");
	decode_bad(CLOUD_ASG, "Web_1", "{}", 422, "name", "use a DNS label");
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 1, \"max_size\": 3, \"launch_template\": \"w\","
	           " \"target_group_ids\": [\"a\", \"a\"]}",
	           422, "target_group_ids", "lists \"a\" twice");
	decode_bad(CLOUD_LISTENER, "http",
	           "{\"load_balancer_id\": \"web\", \"port\": 70000,"
	           " \"default_action\": {\"type\": \"forward\", \"target_group_id\": \"tg\"}}",
	           422, "port", "port is 70000: it must be a TCP port");
	decode_bad(CLOUD_LISTENER, "http",
	           "{\"load_balancer_id\": \"web\", \"port\": 80,"
	           " \"default_action\": {\"type\": \"redirect\", \"target_group_id\": \"tg\"}}",
	           422, "default_action.type", "must be \"forward\"");
	decode_bad(CLOUD_TARGET_GROUP, "tg", "{\"health_check\": {\"matcher\": \"ok\"}}", 422,
	           "health_check.matcher", "status codes");
	decode_bad(CLOUD_TARGET_GROUP, "tg", "{\"health_check\": {\"path\": \"x\"}}", 422,
	           "health_check.path", "must start with '/'");
	decode_bad(CLOUD_TARGET_GROUP, "tg", "{\"health_check\": {\"interval\": 0}}", 422,
	           "health_check.interval", "0.05 to 300");
	decode_bad(CLOUD_LAUNCH_TEMPLATE, "web", "{\"release\": \"" SHA "\", \"command\": []}", 422,
	           "command", "must name a program");
	decode_bad(
	        CLOUD_LAUNCH_TEMPLATE, "web",
	        "{\"release\": \"4765FE2188261d3b18996371c120678008849facdd0b9fad72a67fbc6a9b5bd9"
	        "\"}",
	        422, "release", "64 lowercase hex digits");
	decode_bad(CLOUD_LB, "web", "{\"name\": \"other\"}", 422, "name", "must match the name");
	/* A version is a C int in the daemon: 2^32 + 1 must not wrap to 1. */
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 1, \"max_size\": 3, \"launch_template\": \"w\","
	           " \"launch_template_version\": 4294967297}",
	           422, "launch_template_version", "is 4294967297: it must be");
	decode_bad(CLOUD_ASG, "web",
	           "{\"min_size\": 1, \"max_size\": 3, \"launch_template\": \"w\","
	           " \"launch_template_version\": 0}",
	           422, "launch_template_version", "1 to 1000000000");
}

static void test_names(void **state)
{
	assert_true(cloud_name_valid("web"));
	assert_true(cloud_name_valid("fox-or-bear-2"));
	assert_false(cloud_name_valid("-web"));
	assert_false(cloud_name_valid("web-"));
	assert_false(cloud_name_valid("Web"));
	assert_false(cloud_name_valid(""));
	assert_false(cloud_name_valid("a.b"));
	char long_name[80];
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_false(cloud_name_valid(long_name));
	cloud_kind k;
	assert_int_equal(cloud_kind_from_path(&k, "autoscaling-groups"), 0);
	assert_int_equal(k, CLOUD_ASG);
	assert_int_equal(cloud_kind_from_path(&k, "asgs"), GF_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_asg_defaults),  cmocka_unit_test(test_tg_nested_defaults),
	        cmocka_unit_test(test_bad_documents), cmocka_unit_test(test_broken_invariants),
	        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
