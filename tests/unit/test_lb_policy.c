/* Unit tests of src/lb's pure decisions: the balancer and retries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb/lb.h"

#include <string.h>

static lb_candidate healthy(uint32_t outstanding)
{
	return (lb_candidate){.state = LB_TARGET_HEALTHY, .outstanding = outstanding};
}

static void test_round_robin_rotates_over_healthy(void **state)
{
	lb_candidate c[3] = {healthy(0), healthy(0), healthy(0)};
	uint32_t cursor = 0;
	int seen[3] = {0};
	for (int i = 0; i < 30; i++)
		seen[lb_balance_pick(c, 3, LB_ALG_ROUND_ROBIN, &cursor)]++;
	assert_int_equal(seen[0], 10);
	assert_int_equal(seen[1], 10);
	assert_int_equal(seen[2], 10);
	/* Only HEALTHY targets get traffic: not initial, unhealthy, draining. */
	c[0].state = LB_TARGET_INITIAL;
	c[2].state = LB_TARGET_DRAINING;
	for (int i = 0; i < 5; i++)
		assert_int_equal(lb_balance_pick(c, 3, LB_ALG_ROUND_ROBIN, &cursor), 1);
	c[1].state = LB_TARGET_UNHEALTHY;
	assert_int_equal(lb_balance_pick(c, 3, LB_ALG_ROUND_ROBIN, &cursor), -1);
	assert_int_equal(lb_balance_pick(c, 0, LB_ALG_ROUND_ROBIN, &cursor), -1);
}

static void test_least_outstanding(void **state)
{
	lb_candidate c[3] = {healthy(5), healthy(2), healthy(7)};
	uint32_t cursor = 0;
	assert_int_equal(lb_balance_pick(c, 3, LB_ALG_LEAST_OUTSTANDING, &cursor), 1);
	c[1].outstanding = 9;
	assert_int_equal(lb_balance_pick(c, 3, LB_ALG_LEAST_OUTSTANDING, &cursor), 0);
	/* Ties are broken in turn, not always to the first. */
	lb_candidate t[2] = {healthy(1), healthy(1)};
	int a = lb_balance_pick(t, 2, LB_ALG_LEAST_OUTSTANDING, &cursor);
	int b = lb_balance_pick(t, 2, LB_ALG_LEAST_OUTSTANDING, &cursor);
	assert_int_not_equal(a, b);
	/* An unhealthy target with no load is still not used. */
	c[2].state = LB_TARGET_UNHEALTHY;
	c[2].outstanding = 0;
	assert_int_equal(lb_balance_pick(c, 3, LB_ALG_LEAST_OUTSTANDING, &cursor), 0);
}

static void test_suspect_and_tried(void **state)
{
	lb_candidate c[2] = {healthy(0), healthy(0)};
	uint32_t cursor = 0;
	c[0].suspect = true;
	for (int i = 0; i < 4; i++)
		assert_int_equal(lb_balance_pick(c, 2, LB_ALG_ROUND_ROBIN, &cursor), 1);
	/* Every healthy target suspect: try them rather than refuse. */
	c[1].suspect = true;
	assert_true(lb_balance_pick(c, 2, LB_ALG_ROUND_ROBIN, &cursor) >= 0);
	/* A target that failed this request is never tried again for it. */
	c[0].suspect = c[1].suspect = false;
	c[1].tried = true;
	for (int i = 0; i < 4; i++)
		assert_int_equal(lb_balance_pick(c, 2, LB_ALG_LEAST_OUTSTANDING, &cursor), 0);
	c[0].tried = true;
	assert_int_equal(lb_balance_pick(c, 2, LB_ALG_ROUND_ROBIN, &cursor), -1);
}

static void test_algorithm_names(void **state)
{
	lb_algorithm a;
	assert_int_equal(lb_algorithm_parse(&a, "least_outstanding_requests"), 0);
	assert_int_equal(a, LB_ALG_LEAST_OUTSTANDING);
	assert_string_equal(lb_algorithm_name(a), "least_outstanding_requests");
	assert_int_equal(lb_algorithm_parse(&a, "round_robin"), 0);
	assert_int_equal(a, LB_ALG_ROUND_ROBIN);
	assert_int_equal(lb_algorithm_parse(&a, "random"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "round_robin or least_outstanding_requests"));
}

static void test_retry_decisions(void **state)
{
	/* A failed connect costs nothing: retried, whatever the method. */
	lb_attempt a = {.connect_failed = true, .attempts = 1};
	assert_true(lb_retry_allowed(&a));
	/* ...but not forever. */
	a.attempts = LB_MAX_ATTEMPTS;
	assert_false(lb_retry_allowed(&a));

	/* Reset on a reused connection before any response byte. */
	lb_attempt r = {.reused = true, .request_written = true, .attempts = 1};
	r.idempotent = true;
	assert_true(lb_retry_allowed(&r));
	r.idempotent = false; /* a POST that may have reached the target */
	assert_false(lb_retry_allowed(&r));
	r.request_written = false; /* ...or that never left the proxy */
	assert_true(lb_retry_allowed(&r));

	/* The same on a fresh connection: idempotent requests may be repeated
	 * (a target killed under its requests costs the clients nothing). */
	lb_attempt f = {.idempotent = true, .request_written = true, .attempts = 1};
	assert_true(lb_retry_allowed(&f));
	f.idempotent = false;
	assert_false(lb_retry_allowed(&f));

	/* A response that began but did not reach the client (held whole
	 * while small): an idempotent request is repeated, a POST is not. */
	lb_attempt h = {
	        .idempotent = true, .request_written = true, .response_begun = true, .attempts = 1};
	assert_true(lb_retry_allowed(&h));
	h.idempotent = false;
	assert_false(lb_retry_allowed(&h));
	h.request_written = false; /* an answer before the request was sent */
	assert_false(lb_retry_allowed(&h));

	/* Once the response head went to the client, or body bytes are
	 * gone: never. */
	lb_attempt b = {.idempotent = true,
	                .reused = true,
	                .response_begun = true,
	                .response_sent = true,
	                .attempts = 1};
	assert_false(lb_retry_allowed(&b));
	b.response_begun = b.response_sent = false;
	b.body_streamed = true;
	assert_false(lb_retry_allowed(&b));
}

static void test_idempotent_methods(void **state)
{
	assert_true(lb_method_idempotent("GET", 3));
	assert_true(lb_method_idempotent("PUT", 3));
	assert_true(lb_method_idempotent("DELETE", 6));
	assert_false(lb_method_idempotent("POST", 4));
	assert_false(lb_method_idempotent("PATCH", 5));
	assert_false(lb_method_idempotent("GE", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_round_robin_rotates_over_healthy),
	        cmocka_unit_test(test_least_outstanding),
	        cmocka_unit_test(test_suspect_and_tried),
	        cmocka_unit_test(test_algorithm_names),
	        cmocka_unit_test(test_retry_decisions),
	        cmocka_unit_test(test_idempotent_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
