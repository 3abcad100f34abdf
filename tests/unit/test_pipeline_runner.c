/* Unit tests of the build runner (src/pipeline/runner.c) with a real shell
 * on a private loop: one shell for all commands, the phase rules end to
 * end, masking, a command reading stdin, the timeout killing a background
 * grandchild, and stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[256];

typedef struct {
	bool done;
	pipeline_run_result res;
	json_t *exported; /* a reference of our own: the run's goes with it */
} outcome;

static void on_done(pipeline_run *r, const pipeline_run_result *res, void *payload)
{
	(void)r;
	outcome *o = payload;
	o->done = true;
	o->res = *res;
	o->exported = json_incref(res->exported);
}

/* Runs a buildspec to the end; returns the log text (free it). */
static char *run(outcome *o, const char *yaml, double timeout, pipeline_run **keep)
{
	pipeline_buildspec *spec = NULL;
	if (pipeline_buildspec_parse(&spec, "b.yaml", yaml, strlen(yaml)))
		fail_msg("%s", gf_err_msg());
	uv_loop_t loop;
	uv_loop_init(&loop);
	char log[300];
	snprintf(log, sizeof(log), "%s/build.log", tmp);
	unlink(log);
	char path_env[1024];
	snprintf(path_env, sizeof(path_env), "PATH=%s", getenv("PATH"));
	const char *env[] = {path_env, "SECRET_TOKEN=hunter2-secret",
	                     "CODEBUILD_BUILD_SUCCEEDING=1", NULL};
	const char *mask[] = {"hunter2-secret", NULL};
	pipeline_run_options opt = {.cwd = tmp,
	                            .env = env,
	                            .log_path = log,
	                            .scratch = tmp,
	                            .mask = mask,
	                            .timeout = timeout};
	memset(o, 0, sizeof(*o));
	pipeline_run *r = NULL;
	if (pipeline_run_start(&r, &loop, spec, &opt, on_done, o))
		fail_msg("%s", gf_err_msg());
	if (keep)
		*keep = r;
	while (!o->done)
		uv_run(&loop, UV_RUN_ONCE);
	pipeline_run_free(r);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	pipeline_buildspec_free(spec);
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&b, log), 0);
	return gf_buf_detach(&b);
}

static void must_contain(const char *log, const char *needle)
{
	if (!strstr(log, needle))
		fail_msg("\"%s\" not in the log:\n%s", needle, log);
}

static void test_one_shell(void **state)
{
	(void)state;
	outcome o;
	char *log = run(&o,
	                "version: 0.2\n"
	                "env:\n"
	                "  exported-variables: [GREETING, UNSET_ONE, SECRET_TOKEN]\n"
	                "phases:\n"
	                "  install:\n"
	                "    commands:\n"
	                "      - mkdir -p sub && cd sub\n"
	                "      - export GREETING=hello\n"
	                "  build:\n"
	                "    commands:\n"
	                "      - echo \"pwd=$(basename $PWD) greeting=$GREETING\"\n"
	                "      - cat; echo after-cat\n"
	                "      - |\n"
	                "        for i in 1 2; do\n"
	                "          echo \"line $i\"\n"
	                "        done\n"
	                "      - echo \"token=$SECRET_TOKEN\"\n"
	                "      - printf no-newline\n",
	                60, NULL);
	assert_int_equal(o.res.status, PIPELINE_BUILD_SUCCEEDED);
	must_contain(log, "Z pwd=sub greeting=hello\n");
	must_contain(log, "Z after-cat\n");
	must_contain(log, "Z line 2\n");
	must_contain(log, "Z token=***\n");
	must_contain(log, "Z no-newline\n");
	must_contain(log, "==> phase build SUCCEEDED (exit 0");
	must_contain(log, "==> build SUCCEEDED");
	assert_null(strstr(log, "hunter2"));
	assert_int_equal(o.res.phases[PIPELINE_PHASE_INSTALL].status, PIPELINE_PHASE_SUCCEEDED);
	assert_int_equal(o.res.phases[PIPELINE_PHASE_PRE_BUILD].status, PIPELINE_PHASE_NOT_RUN);
	/* Final values of the exported variables, masked, and not in the log. */
	char *ex = json_dumps(o.exported, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(ex,
	                    "{\"GREETING\":\"hello\",\"SECRET_TOKEN\":\"***\",\"UNSET_ONE\":\"\"}");
	free(ex);
	assert_null(strstr(log, "GFV"));
	json_decref(o.exported);
	free(log);
}

static void test_failure_then_post_build(void **state)
{
	(void)state;
	outcome o;
	char *log =
	        run(&o,
	            "version: 0.2\n"
	            "phases:\n"
	            "  build:\n"
	            "    commands:\n"
	            "      - echo first\n"
	            "      - |\n"
	            "        if true; then\n"
	            "          sh -c 'echo \"Error: broke, $SECRET_TOKEN\" >&2; echo more; exit 7' "
	            "hunter2-secret\n"
	            "        fi\n"
	            "      - echo never\n"
	            "    finally:\n"
	            "      - echo finally-ran\n"
	            "  post_build:\n"
	            "    commands:\n"
	            "      - echo succeeding=$CODEBUILD_BUILD_SUCCEEDING\n",
	            60, NULL);
	assert_int_equal(o.res.status, PIPELINE_BUILD_FAILED);
	assert_null(strstr(log, "never"));
	must_contain(log, "Z finally-ran\n");
	must_contain(log, "Z succeeding=0\n");
	must_contain(log, "command failed with exit status 7");
	must_contain(log, "==> phase build FAILED (exit 7");
	/* The reason names the command (its first line), the step that
	 * failed in it (masked), its status and its "Error:" line (masked),
	 * though another line came after it. */
	assert_string_equal(o.res.reason,
	                    "phase build failed: command \"if true; then ...\" at \"sh -c 'echo "
	                    "\"Error: broke, $SECRET_TOKEN\" >&2; echo more; exit 7' ***\" exited "
	                    "with status 7: Error: broke, ***");
	assert_int_equal(o.res.phases[PIPELINE_PHASE_BUILD].exit_code, 7);
	assert_int_equal(o.res.phases[PIPELINE_PHASE_POST_BUILD].status, PIPELINE_PHASE_SUCCEEDED);
	json_decref(o.exported);
	free(log);
}

static void test_shell_exit(void **state)
{
	(void)state;
	outcome o;
	char *log = run(&o,
	                "version: 0.2\nphases:\n  build:\n    commands:\n      - exit 4\n"
	                "      - echo never\n",
	                60, NULL);
	assert_int_equal(o.res.status, PIPELINE_BUILD_FAILED);
	assert_null(strstr(log, "never"));
	must_contain(log, "the shell exited during the command (status 4)");
	assert_string_equal(o.res.reason,
	                    "phase build failed: command \"exit 4\" ended the build shell (status "
	                    "4), so the commands after it could not run");
	json_decref(o.exported);
	free(log);
}

static void test_timeout_kills_grandchildren(void **state)
{
	(void)state;
	outcome o;
	char pidfile[300];
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", tmp);
	char yaml[600];
	snprintf(yaml, sizeof(yaml),
	         "version: 0.2\nphases:\n  build:\n    commands:\n"
	         "      - sh -c 'sleep 300 & echo $! > %s; wait'\n",
	         pidfile);
	char *log = run(&o, yaml, 1.0, NULL);
	assert_int_equal(o.res.status, PIPELINE_BUILD_TIMED_OUT);
	must_contain(log, "the build ran longer than its timeout of 1 s");
	must_contain(log, "==> build TIMED_OUT");
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&b, pidfile), 0);
	int pid = atoi(b.ptr);
	assert_true(pid > 0);
	/* The grandchild is gone (SIGKILL to the group; poll for its reaping). */
	int alive = 1;
	for (int i = 0; i < 100 && alive; i++) {
		alive = kill(pid, 0) == 0;
		if (alive)
			usleep(50000);
	}
	assert_false(alive);
	gf_buf_dispose(&b);
	json_decref(o.exported);
	free(log);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/gf-test-runner-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_one_shell),
	        cmocka_unit_test(test_failure_then_post_build),
	        cmocka_unit_test(test_shell_exit),
	        cmocka_unit_test(test_timeout_kills_grandchildren),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
