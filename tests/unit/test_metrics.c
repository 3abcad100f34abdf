/* The Prometheus text exposition writer: HELP/TYPE lines, escaping,
 * counter and histogram naming rules, cumulative buckets, numbers, and the
 * process families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_counter_and_gauge(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_writer w;
	metrics_init(&w, &b);
	assert_int_equal(metrics_family(&w, "gitfleet_lb_requests_total", METRICS_COUNTER,
	                                "Requests received."),
	                 0);
	metrics_label l[] = {{"listener", "http"}, {"target_group", "web-tg"}};
	metrics_sample(&w, l, 2, 42);
	assert_int_equal(metrics_family(&w, "gitfleet_up", METRICS_GAUGE, "Up."), 0);
	metrics_sample(&w, NULL, 0, 1);
	assert_string_equal(gf_buf_cstr(&b),
	                    "# HELP gitfleet_lb_requests_total Requests received.\n"
	                    "# TYPE gitfleet_lb_requests_total counter\n"
	                    "gitfleet_lb_requests_total{listener=\"http\",target_group=\"web-tg\"} "
	                    "42\n"
	                    "# HELP gitfleet_up Up.\n"
	                    "# TYPE gitfleet_up gauge\n"
	                    "gitfleet_up 1\n");
	gf_buf_dispose(&b);
}

static void test_escaping(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_writer w;
	metrics_init(&w, &b);
	assert_int_equal(metrics_family(&w, "x", METRICS_GAUGE, "a \"q\" back\\slash\nline"), 0);
	metrics_label l[] = {{"v", "say \"hi\"\\n\nend"}};
	metrics_sample(&w, l, 1, 0.5);
	assert_string_equal(gf_buf_cstr(&b), "# HELP x a \"q\" back\\\\slash\\nline\n"
	                                     "# TYPE x gauge\n"
	                                     "x{v=\"say \\\"hi\\\"\\\\n\\nend\"} 0.5\n");
	gf_buf_dispose(&b);
}

static void test_names_refused(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_writer w;
	metrics_init(&w, &b);
	/* A counter must end in _total; its samples are then dropped. */
	assert_int_equal(metrics_family(&w, "requests", METRICS_COUNTER, "h"), GF_EINVALID);
	metrics_sample(&w, NULL, 0, 1);
	assert_int_equal(metrics_family(&w, "9lives", METRICS_GAUGE, "h"), GF_EINVALID);
	assert_int_equal(metrics_family(&w, "a-b", METRICS_GAUGE, "h"), GF_EINVALID);
	assert_int_equal(metrics_family(&w, "", METRICS_GAUGE, "h"), GF_EINVALID);
	assert_int_equal(metrics_family(&w, "lat_count", METRICS_HISTOGRAM, "h"), GF_EINVALID);
	assert_int_equal(metrics_family(&w, "lat_bucket", METRICS_HISTOGRAM, "h"), GF_EINVALID);
	assert_int_equal(b.len, 0);
	/* A histogram family takes no plain sample, a gauge no histogram. */
	assert_int_equal(metrics_family(&w, "lat_seconds", METRICS_HISTOGRAM, "h"), 0);
	size_t after_head = b.len;
	metrics_sample(&w, NULL, 0, 1);
	assert_int_equal(b.len, after_head);
	assert_int_equal(metrics_family(&w, "ns:ok_total", METRICS_COUNTER, "h"), 0);
	after_head = b.len;
	double bounds[] = {1};
	uint64_t counts[] = {1, 1};
	metrics_histogram(&w, NULL, 0, bounds, 1, counts, 3);
	assert_int_equal(b.len, after_head);
	gf_buf_dispose(&b);
}

static void test_histogram(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_writer w;
	metrics_init(&w, &b);
	assert_int_equal(metrics_family(&w, "lat_seconds", METRICS_HISTOGRAM, "Latency."), 0);
	double bounds[] = {0.0005, 0.25, 1};
	uint64_t counts[] = {2, 0, 3, 1}; /* non-cumulative; the last is above 1 s */
	metrics_label l[] = {{"listener", "http"}};
	metrics_histogram(&w, l, 1, bounds, 3, counts, 7.25);
	assert_string_equal(gf_buf_cstr(&b),
	                    "# HELP lat_seconds Latency.\n"
	                    "# TYPE lat_seconds histogram\n"
	                    "lat_seconds_bucket{listener=\"http\",le=\"0.0005\"} 2\n"
	                    "lat_seconds_bucket{listener=\"http\",le=\"0.25\"} 2\n"
	                    "lat_seconds_bucket{listener=\"http\",le=\"1\"} 5\n"
	                    "lat_seconds_bucket{listener=\"http\",le=\"+Inf\"} 6\n"
	                    "lat_seconds_sum{listener=\"http\"} 7.25\n"
	                    "lat_seconds_count{listener=\"http\"} 6\n");
	gf_buf_clear(&b);
	metrics_histogram(&w, NULL, 0, bounds, 0, counts, 0);
	assert_string_equal(gf_buf_cstr(&b), "lat_seconds_bucket{le=\"+Inf\"} 2\n"
	                                     "lat_seconds_sum 0\n"
	                                     "lat_seconds_count 2\n");
	gf_buf_dispose(&b);
}

static void test_numbers(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_number(&b, 0);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, 18446744073709551615.0);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, -3);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, 0.1);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, INFINITY);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, -INFINITY);
	gf_buf_putc(&b, ' ');
	metrics_number(&b, NAN);
	assert_string_equal(gf_buf_cstr(&b), "0 1.8446744073709552e+19 -3 0.1 +Inf -Inf NaN");
	gf_buf_dispose(&b);
}

static void test_hist_observe(void **state)
{
	static const double bounds[] = {1, 5};
	metrics_hist h;
	metrics_hist_init(&h, bounds, 2);
	metrics_hist_observe(&h, 0.5);
	metrics_hist_observe(&h, 1); /* le is inclusive */
	metrics_hist_observe(&h, 3);
	metrics_hist_observe(&h, 60);
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[1], 1);
	assert_int_equal(h.counts[2], 1);
	assert_true(fabs(h.sum - 64.5) < 1e-9);
}

static void test_process(void **state)
{
	gf_buf b = GF_BUF_INIT;
	metrics_writer w;
	metrics_init(&w, &b);
	metrics_write_process(&w);
	const char *s = gf_buf_cstr(&b);
	assert_non_null(strstr(s, "# TYPE process_cpu_seconds_total counter\n"));
	assert_non_null(strstr(s, "\nprocess_resident_memory_bytes "));
	assert_non_null(strstr(s, "\nprocess_open_fds "));
	assert_non_null(strstr(s, "\nprocess_start_time_seconds 1"));
	/* Resident memory of a running test: more than a megabyte. */
	double rss = strtod(strstr(s, "\nprocess_resident_memory_bytes ") + 31, NULL);
	assert_true(rss > 1e6);
	gf_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_counter_and_gauge), cmocka_unit_test(test_escaping),
	        cmocka_unit_test(test_names_refused),     cmocka_unit_test(test_histogram),
	        cmocka_unit_test(test_numbers),           cmocka_unit_test(test_hist_observe),
	        cmocka_unit_test(test_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
