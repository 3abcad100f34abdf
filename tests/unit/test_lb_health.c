/* Unit tests of src/lb's health checks: matchers, settings and the target
 * state machine, driven directly with check results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb/lb.h"

#include <string.h>

static void test_matcher(void **state)
{
	lb_matcher m;
	assert_int_equal(lb_matcher_parse(&m, "200"), 0);
	assert_true(lb_matcher_match(&m, 200));
	assert_false(lb_matcher_match(&m, 201));
	assert_int_equal(lb_matcher_parse(&m, "200-299"), 0);
	assert_true(lb_matcher_match(&m, 200));
	assert_true(lb_matcher_match(&m, 299));
	assert_false(lb_matcher_match(&m, 300));
	assert_int_equal(lb_matcher_parse(&m, "200,301,302-308"), 0);
	assert_true(lb_matcher_match(&m, 301));
	assert_true(lb_matcher_match(&m, 305));
	assert_false(lb_matcher_match(&m, 300));
	assert_false(lb_matcher_match(&m, 500));
	const char *bad[] = {"",        "20",       "2000", "abc", "200-",    "-200",
	                     "299-200", "200,,201", "99",   "600", "200, 201"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lb_matcher_parse(&m, bad[i]), GF_EINVALID);
		assert_non_null(strstr(gf_err_msg(), "matcher"));
	}
}

static void test_settings(void **state)
{
	lb_health_settings s;
	lb_health_settings_default(&s);
	assert_string_equal(s.path, "/");
	assert_int_equal(lb_health_settings_check(&s), 0);
	s.interval = 0;
	assert_int_equal(lb_health_settings_check(&s), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "interval"));
	lb_health_settings_default(&s);
	s.unhealthy_threshold = 0;
	assert_int_equal(lb_health_settings_check(&s), GF_EINVALID);
	lb_health_settings_default(&s);
	strcpy(s.path, "health");
	assert_int_equal(lb_health_settings_check(&s), GF_EINVALID);
	strcpy(s.path, "/a b");
	assert_int_equal(lb_health_settings_check(&s), GF_EINVALID);
	/* No path: checks off, the rest does not matter. */
	s.path[0] = '\0';
	s.interval = -1;
	assert_int_equal(lb_health_settings_check(&s), 0);
}

static void test_initial_becomes_healthy_after_threshold(void **state)
{
	lb_health_settings s;
	lb_health_settings_default(&s);
	s.healthy_threshold = 3;
	lb_health h;
	lb_health_init(&h, true);
	assert_int_equal(h.state, LB_TARGET_INITIAL);
	assert_false(lb_health_record(&h, &s, true, ""));
	assert_false(lb_health_record(&h, &s, true, ""));
	assert_int_equal(h.state, LB_TARGET_INITIAL);
	assert_true(lb_health_record(&h, &s, true, ""));
	assert_int_equal(h.state, LB_TARGET_HEALTHY);
	/* No checks configured: healthy from the start. */
	lb_health_init(&h, false);
	assert_int_equal(h.state, LB_TARGET_HEALTHY);
}

static void test_thresholds_need_consecutive_results(void **state)
{
	lb_health_settings s;
	lb_health_settings_default(&s);
	s.healthy_threshold = 2;
	s.unhealthy_threshold = 3;
	lb_health h;
	lb_health_init(&h, true);
	lb_health_record(&h, &s, true, "");
	lb_health_record(&h, &s, true, "");
	assert_int_equal(h.state, LB_TARGET_HEALTHY);
	/* Two failures, a success, two failures: never three in a row. */
	lb_health_record(&h, &s, false, "status 500");
	lb_health_record(&h, &s, false, "status 500");
	lb_health_record(&h, &s, true, "");
	lb_health_record(&h, &s, false, "status 500");
	assert_false(lb_health_record(&h, &s, false, "status 500"));
	assert_int_equal(h.state, LB_TARGET_HEALTHY);
	assert_true(lb_health_record(&h, &s, false, "connection refused"));
	assert_int_equal(h.state, LB_TARGET_UNHEALTHY);
	assert_string_equal(h.reason, "connection refused");
	/* Back to healthy after healthy_threshold successes in a row. */
	assert_false(lb_health_record(&h, &s, true, ""));
	assert_true(lb_health_record(&h, &s, true, ""));
	assert_int_equal(h.state, LB_TARGET_HEALTHY);
	assert_string_equal(h.reason, "");
}

static void test_initial_target_that_fails(void **state)
{
	lb_health_settings s;
	lb_health_settings_default(&s);
	lb_health h;
	lb_health_init(&h, true);
	lb_health_record(&h, &s, false, "timeout");
	assert_int_equal(h.state, LB_TARGET_INITIAL);
	lb_health_record(&h, &s, false, "timeout");
	assert_int_equal(h.state, LB_TARGET_UNHEALTHY);
}

static void test_draining_is_final(void **state)
{
	lb_health_settings s;
	lb_health_settings_default(&s);
	lb_health h;
	lb_health_init(&h, true);
	h.state = LB_TARGET_DRAINING;
	for (int i = 0; i < 5; i++)
		assert_false(lb_health_record(&h, &s, true, ""));
	assert_int_equal(h.state, LB_TARGET_DRAINING);
	assert_string_equal(lb_target_state_name(h.state), "draining");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_matcher),
	        cmocka_unit_test(test_settings),
	        cmocka_unit_test(test_initial_becomes_healthy_after_threshold),
	        cmocka_unit_test(test_thresholds_need_consecutive_results),
	        cmocka_unit_test(test_initial_target_that_fails),
	        cmocka_unit_test(test_draining_is_final),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
