/* Unit tests of the phase rules (src/pipeline/steps.c): which commands run
 * for every combination of failures, finally and on-failure, as CodeBuild
 * runs them. Each case is a buildspec and the exit status of each command
 * by its text; the expected trace lists what ran, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands are named like "b1" or "fail-b2": those starting with "fail"
 * exit 3. */
static void run_case(const char *yaml, const char *want_trace, const char *want_status,
                     bool want_failed)
{
	pipeline_buildspec *spec = NULL;
	if (pipeline_buildspec_parse(&spec, "b.yaml", yaml, strlen(yaml)))
		fail_msg("%s", gf_err_msg());
	pipeline_steps st;
	pipeline_steps_init(&st, spec);
	gf_buf trace = GF_BUF_INIT;
	pipeline_phase_kind ph;
	const char *cmd;
	bool fin, entering;
	int guard = 0;
	while (pipeline_steps_next(&st, &ph, &cmd, &fin, &entering)) {
		if (entering)
			gf_buf_printf(&trace, "%s[%s] ", trace.len ? "" : "",
			              pipeline_phase_name(ph));
		gf_buf_printf(&trace, "%s%s ", fin ? "finally:" : "", cmd);
		pipeline_steps_report(&st, strncmp(cmd, "fail", 4) == 0 ? 3 : 0);
		assert_true(++guard < 100);
	}
	gf_buf status = GF_BUF_INIT;
	for (int k = 0; k < PIPELINE_PHASE_COUNT; k++)
		gf_buf_printf(&status, "%s%s:%d", k ? " " : "",
		              pipeline_phase_status_name(st.status[k]), st.exit_code[k]);
	if (strcmp(gf_buf_cstr(&trace), want_trace))
		fail_msg("trace\n got: %s\nwant: %s", gf_buf_cstr(&trace), want_trace);
	if (strcmp(gf_buf_cstr(&status), want_status))
		fail_msg("status\n got: %s\nwant: %s", gf_buf_cstr(&status), want_status);
	assert_int_equal(st.build_failed, want_failed);
	gf_buf_dispose(&trace);
	gf_buf_dispose(&status);
	pipeline_buildspec_free(spec);
}

#define ALL4(i, p, b, post)       \
	"version: 0.2\nphases:\n" \
	"  install: {" i "}\n  pre_build: {" p "}\n  build: {" b "}\n  post_build: {" post "}\n"

static void test_all_succeed(void **state)
{
	(void)state;
	run_case(ALL4("commands: [i1]", "commands: [p1, p2]", "commands: [b1], finally: [bf]",
	              "commands: [o1]"),
	         "[install] i1 [pre_build] p1 p2 [build] b1 finally:bf [post_build] o1 ",
	         "SUCCEEDED:0 SUCCEEDED:0 SUCCEEDED:0 SUCCEEDED:0", false);
}

static void test_build_fails_post_build_runs(void **state)
{
	(void)state;
	run_case(ALL4("commands: [i1]", "commands: [p1]",
	              "commands: [b1, fail-b2, b3], finally: [bf1, bf2]", "commands: [o1]"),
	         "[install] i1 [pre_build] p1 [build] b1 fail-b2 finally:bf1 finally:bf2 "
	         "[post_build] o1 ",
	         "SUCCEEDED:0 SUCCEEDED:0 FAILED:3 SUCCEEDED:0", true);
}

static void test_pre_build_abort_skips_everything(void **state)
{
	(void)state;
	run_case(ALL4("commands: [i1]", "commands: [fail-p1, p2], finally: [pf]", "commands: [b1]",
	              "commands: [o1]"),
	         "[install] i1 [pre_build] fail-p1 finally:pf ",
	         "SUCCEEDED:0 FAILED:3 NOT_RUN:0 NOT_RUN:0", true);
}

static void test_continue(void **state)
{
	(void)state;
	run_case(ALL4("commands: [fail-i1, i2], on-failure: CONTINUE", "commands: [p1]",
	              "commands: [b1]", "commands: [o1]"),
	         "[install] fail-i1 [pre_build] p1 [build] b1 [post_build] o1 ",
	         "FAILED:3 SUCCEEDED:0 SUCCEEDED:0 SUCCEEDED:0", true);
}

static void test_finally_failure_stops_finally(void **state)
{
	(void)state;
	run_case(ALL4("commands: [i1]", "commands: [p1], finally: [fail-pf1, pf2]",
	              "commands: [b1]", "commands: [o1]"),
	         "[install] i1 [pre_build] p1 finally:fail-pf1 ",
	         "SUCCEEDED:0 FAILED:3 NOT_RUN:0 NOT_RUN:0", true);
}

static void test_post_build_failure(void **state)
{
	(void)state;
	run_case(ALL4("commands: [i1]", "commands: [p1]", "commands: [fail-b1]",
	              "commands: [fail-o1, o2], finally: [of]"),
	         "[install] i1 [pre_build] p1 [build] fail-b1 [post_build] fail-o1 finally:of ",
	         "SUCCEEDED:0 SUCCEEDED:0 FAILED:3 FAILED:3", true);
}

static void test_missing_and_empty_phases(void **state)
{
	(void)state;
	run_case("version: 0.2\nphases:\n  pre_build:\n  build:\n    commands: [b1]\n",
	         "[build] b1 ", "NOT_RUN:0 SUCCEEDED:0 SUCCEEDED:0 NOT_RUN:0", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_all_succeed),
	        cmocka_unit_test(test_build_fails_post_build_runs),
	        cmocka_unit_test(test_pre_build_abort_skips_everything),
	        cmocka_unit_test(test_continue),
	        cmocka_unit_test(test_finally_failure_stops_finally),
	        cmocka_unit_test(test_post_build_failure),
	        cmocka_unit_test(test_missing_and_empty_phases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
