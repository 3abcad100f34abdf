/* Unit tests of buildspec.yaml parsing (src/pipeline/buildspec.c): a full
 * buildspec, defaults, and for each kind of malformed input the exact
 * file:line:col and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pipeline_buildspec *parse_ok(const char *text)
{
	pipeline_buildspec *s = NULL;
	if (pipeline_buildspec_parse(&s, "buildspec.yaml", text, strlen(text)))
		fail_msg("%s", gf_err_msg());
	assert_non_null(s);
	return s;
}

static void test_full(void **state)
{
	(void)state;
	pipeline_buildspec *s = parse_ok("version: 0.2\n"
	                                 "run-as: nobody\n"
	                                 "env:\n"
	                                 "  shell: bash\n"
	                                 "  variables:\n"
	                                 "    STAGE: prod\n"
	                                 "    REPLICAS: 3\n"
	                                 "    EMPTY:\n"
	                                 "  exported-variables: [STAGE, URL]\n"
	                                 "  secrets:\n"
	                                 "    DB_PASSWORD: db-password\n"
	                                 "  parameter-store:\n"
	                                 "    X: /a/b\n"
	                                 "phases:\n"
	                                 "  install:\n"
	                                 "    runtime-versions: {python: 3.11}\n"
	                                 "    commands:\n"
	                                 "      - echo install\n"
	                                 "  build:\n"
	                                 "    on-failure: CONTINUE\n"
	                                 "    commands:\n"
	                                 "      - \"echo Hello: world\"\n"
	                                 "      - |\n"
	                                 "        for i in 1 2; do\n"
	                                 "          echo $i\n"
	                                 "        done\n"
	                                 "    finally:\n"
	                                 "      - echo done\n"
	                                 "  post_build:\n"
	                                 "artifacts:\n"
	                                 "  files:\n"
	                                 "    - '**/*'\n"
	                                 "  base-directory: dist\n"
	                                 "  discard-paths: yes\n"
	                                 "  name: site\n");
	assert_string_equal(s->shell, "bash");
	assert_int_equal(s->nvariables, 3);
	assert_string_equal(s->variables[0].name, "STAGE");
	assert_string_equal(s->variables[0].value, "prod");
	assert_string_equal(s->variables[1].value, "3");
	assert_string_equal(s->variables[2].value, "");
	assert_int_equal(s->nexported, 2);
	assert_string_equal(s->exported[1], "URL");
	assert_int_equal(s->nsecrets, 1);
	assert_string_equal(s->secrets[0].name, "DB_PASSWORD");
	assert_string_equal(s->secrets[0].value, "db-password");

	const pipeline_phase *in = &s->phases[PIPELINE_PHASE_INSTALL];
	assert_true(in->present);
	assert_int_equal(in->ncommands, 1);
	assert_int_equal(in->on_failure, PIPELINE_ON_FAILURE_ABORT);
	assert_false(s->phases[PIPELINE_PHASE_PRE_BUILD].present);
	const pipeline_phase *b = &s->phases[PIPELINE_PHASE_BUILD];
	assert_int_equal(b->on_failure, PIPELINE_ON_FAILURE_CONTINUE);
	assert_int_equal(b->ncommands, 2);
	assert_string_equal(b->commands[0], "echo Hello: world");
	assert_string_equal(b->commands[1], "for i in 1 2; do\n  echo $i\ndone\n");
	assert_int_equal(b->nfinally, 1);
	assert_true(s->phases[PIPELINE_PHASE_POST_BUILD].present);
	assert_int_equal(s->phases[PIPELINE_PHASE_POST_BUILD].ncommands, 0);

	assert_int_equal(s->nartifact_files, 1);
	assert_string_equal(s->artifact_files[0], "**/*");
	assert_string_equal(s->base_directory, "dist");
	assert_true(s->discard_paths);

	/* Keys CodeBuild knows and gitfleet does not act on, with their place. */
	assert_int_equal(s->nignored, 4);
	assert_string_equal(s->ignored[0], "buildspec.yaml:2:1: run-as");
	assert_string_equal(s->ignored[1], "buildspec.yaml:12:3: env.parameter-store");
	assert_string_equal(s->ignored[2], "buildspec.yaml:16:5: phases.install.runtime-versions");
	assert_string_equal(s->ignored[3], "buildspec.yaml:35:3: artifacts.name");
	pipeline_buildspec_free(s);
}

static void test_defaults(void **state)
{
	(void)state;
	pipeline_buildspec *s =
	        parse_ok("version: \"0.2\"\nphases:\n  build:\n    commands: [make]\n");
	assert_string_equal(s->shell, "bash");
	assert_int_equal(s->nvariables, 0);
	assert_null(s->base_directory);
	assert_false(s->discard_paths);
	assert_int_equal(s->nignored, 0);
	for (int k = 0; k < PIPELINE_PHASE_COUNT; k++)
		assert_int_equal(s->phases[k].on_failure, PIPELINE_ON_FAILURE_ABORT);
	pipeline_buildspec_free(s);
	s = parse_ok("version: 0.2\nenv: {shell: /bin/sh}\nphases: {build: {commands: [true]}}\n");
	assert_string_equal(s->shell, "sh");
	pipeline_buildspec_free(s);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	        {"",
	         "buildspec.yaml:1:1: the buildspec is empty; it needs `version: 0.2` and phases"},
	        {"- a\n", "buildspec.yaml:1:1: a buildspec is a mapping with version and phases"},
	        {"phases: {}\n", "buildspec.yaml:1:1: version is missing; add `version: 0.2`"},
	        {"version: 0.1\nphases: {}\n",
	         "buildspec.yaml:1:10: version 0.1 is not supported (it runs each command in its "
	         "own shell); use version: 0.2"},
	        {"version: 1\n", "buildspec.yaml:1:10: version must be 0.2"},
	        {"version: 0.2\n",
	         "buildspec.yaml:1:1: phases is missing; a buildspec needs at least one phase"},
	        {"version: 0.2\nphases:\n  build:\n    commands:\n      - echo a\n      - b: c\n",
	         "buildspec.yaml:6:9: phases.build.commands must be a list of strings"},
	        {"version: 0.2\nphases:\n  build:\n    commands: make\n",
	         "buildspec.yaml:4:15: phases.build.commands must be a list of strings"},
	        {"version: 0.2\nphases:\n  build:\n    commands:\n      -\n",
	         "buildspec.yaml:5:8: phases.build.commands[0] is empty"},
	        {"version: 0.2\nphases:\n  pre-build:\n    commands: [a]\n",
	         "buildspec.yaml:3:3: unknown key phases.pre-build; did you mean pre_build?"},
	        {"version: 0.2\nphases:\n  build:\n    command: [a]\n",
	         "buildspec.yaml:4:5: unknown key phases.build.command; did you mean commands?"},
	        {"version: 0.2\nphases:\n  build:\n    on-failure: RETRY\n",
	         "buildspec.yaml:4:17: phases.build.on-failure must be ABORT or CONTINUE"},
	        {"version: 0.2\nfoo: 1\nphases: {}\n", "buildspec.yaml:2:1: unknown key foo (the "
	                                               "top level may hold: version, env, phases, "
	                                               "artifacts)"},
	        {"version: 0.2\nversion: 0.2\n",
	         "buildspec.yaml:2:1: version is declared twice (first at line 1)"},
	        {"version: 0.2\nenv:\n  variables:\n    1X: a\nphases: {}\n",
	         "buildspec.yaml:4:5: env.variables: variable names are letters, digits and _ and "
	         "do not start with a digit"},
	        {"version: 0.2\nenv:\n  variables: [a]\nphases: {}\n",
	         "buildspec.yaml:3:14: env.variables must be a mapping of NAME: value"},
	        {"version: 0.2\nenv:\n  variables:\n    A: [1]\nphases: {}\n",
	         "buildspec.yaml:4:8: env.variables.A must be a string"},
	        {"version: 0.2\nenv:\n  shell: zsh\nphases: {}\n",
	         "buildspec.yaml:3:10: env.shell must be bash or /bin/sh"},
	        {"version: 0.2\nenv:\n  exported-variables: [a-b]\nphases: {}\n",
	         "buildspec.yaml:3:23: env.exported-variables[0]: \"a-b\" is not a variable name"},
	        {"version: 0.2\nenv:\n  secrets:\n    PW:\nphases: {}\n",
	         "buildspec.yaml:4:5: env.secrets.PW must name a secret of the project"},
	        {"version: 0.2\nphases: {}\nartifacts:\n  base-directory: x\n",
	         "buildspec.yaml:4:3: artifacts needs files (a list of paths or globs)"},
	        {"version: 0.2\nphases: {}\nartifacts:\n  files: [../etc/passwd]\n",
	         "buildspec.yaml:4:10: artifacts.files[0]: \"../etc/passwd\" leaves the source "
	         "directory; use a path relative to it"},
	        {"version: 0.2\nphases: {}\nartifacts:\n  files: [a]\n  discard-paths: maybe\n",
	         "buildspec.yaml:5:18: artifacts.discard-paths must be yes or no"},
	        {"version: 0.2\nphases:\n  build:\n    commands:\n  - a\n   b: c\n",
	         "buildspec.yaml:5:3: invalid YAML: did not find expected key (while parsing a "
	         "block mapping)"},
	        {"version: 0.2\nphases: [build]\n",
	         "buildspec.yaml:2:9: phases must be a mapping of install, pre_build, build, "
	         "post_build"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(cases); i++) {
		pipeline_buildspec *s = (void *)1;
		int rc = pipeline_buildspec_parse(&s, "buildspec.yaml", cases[i].text,
		                                  strlen(cases[i].text));
		if (rc != GF_EINVALID || s != NULL)
			fail_msg("case %zu: rc %d", i, rc);
		if (strcmp(gf_err_msg(), cases[i].want))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, gf_err_msg(), cases[i].want);
	}
}

static void test_too_big(void **state)
{
	(void)state;
	size_t n = PIPELINE_BUILDSPEC_MAX + 1;
	char *big = gf_xmalloc(n);
	memset(big, '#', n);
	pipeline_buildspec *s = NULL;
	assert_int_equal(pipeline_buildspec_parse(&s, "b.yaml", big, n), GF_ETOOBIG);
	assert_null(s);
	free(big);
}

static void test_aliases_share_nodes(void **state)
{
	(void)state;
	/* Anchors are plain YAML; a shared list is read twice, not expanded. */
	pipeline_buildspec *s = parse_ok("version: 0.2\n"
	                                 "phases:\n"
	                                 "  pre_build:\n"
	                                 "    commands: &c [a, b]\n"
	                                 "  build:\n"
	                                 "    commands: *c\n");
	assert_int_equal(s->phases[PIPELINE_PHASE_BUILD].ncommands, 2);
	assert_string_equal(s->phases[PIPELINE_PHASE_BUILD].commands[1], "b");
	pipeline_buildspec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full),
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_too_big),
	        cmocka_unit_test(test_aliases_share_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
