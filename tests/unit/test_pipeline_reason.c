/* Unit tests of the reason of a failed build (src/pipeline/reason.c): how
 * output lines are cleaned, which one is quoted, and how the failing
 * command and its end are named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#include <string.h>

static void clean_is(const char *in, size_t max, const char *want)
{
	char out[256];
	size_t n = pipeline_text_clean(out, max, in, strlen(in));
	if (strcmp(out, want))
		fail_msg("clean(\"%s\", %zu)\n got: \"%s\"\nwant: \"%s\"", in, max, out, want);
	assert_int_equal(n, strlen(want));
}

static void test_clean(void **state)
{
	(void)state;
	clean_is("plain text", 100, "plain text");
	/* Colours, a cursor move, a window title, a two-byte escape. */
	clean_is("\x1b[1m\x1b[31mError: \x1b[0mbad\x1b[2K", 100, "Error: bad");
	clean_is("\x1b]0;title\x07x\x1b]8;;http://a\x1b\\y", 100, "xy");
	clean_is("a\x1b"
	         "7b",
	         100, "ab");
	/* A carriage return: what stays on the screen; CRLF is not one. */
	clean_is("10%\r50%\r100% done", 100, "100% done");
	clean_is("windows line\r\n", 100, "windows line");
	clean_is("ends with cr\r", 100, "ends with cr");
	/* Controls dropped, tabs become spaces, C1 controls dropped. */
	clean_is("a\tb\x01\x7f"
	         "c\xc2\x85"
	         "d",
	         100, "a bcd");
	/* Not UTF-8: each bad byte is '?'; UTF-8 is kept. */
	clean_is("caf\xe9 \xc3\xa9t\xc3\xa9 \xed\xa0\x80", 100, "caf? \xc3\xa9t\xc3\xa9 ???");
	/* Cut on a character boundary, with "...". */
	clean_is("abcdef", 4, "abcd...");
	clean_is("ab\xc3\xa9\xc3\xa9", 5, "ab\xc3\xa9...");
	clean_is("abcd", 4, "abcd");
	/* An escape sequence cut by the end of the line. */
	clean_is("x\x1b[31", 100, "x");
	clean_is("x\x1b", 100, "x");
}

static void feed(pipeline_output_tail *t, const char *line)
{
	pipeline_output_tail_add(t, line, strlen(line));
}

static void test_tail(void **state)
{
	(void)state;
	pipeline_output_tail t;
	pipeline_output_tail_reset(&t);
	assert_string_equal(pipeline_output_tail_best(&t), "");
	feed(&t, "compiling");
	feed(&t, "   ");
	feed(&t, "");
	assert_string_equal(pipeline_output_tail_best(&t), "compiling");
	/* gitfleet's error box, plain and coloured: the summary line wins
	 * over everything after it. */
	feed(&t, "\xe2\x95\xb7");
	feed(&t, "\xe2\x94\x82 Error: instance refresh failed: instance i-1 failed health check");
	feed(&t, "\xe2\x94\x82 ");
	feed(&t, "\xe2\x94\x82 the previous version keeps serving");
	feed(&t, "\xe2\x95\xb5");
	assert_string_equal(pipeline_output_tail_best(&t),
	                    "Error: instance refresh failed: instance i-1 failed health check");
	feed(&t, "\x1b[31m\xe2\x94\x82\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1m"
	         "second\x1b[0m");
	assert_string_equal(pipeline_output_tail_best(&t), "Error: second");
	/* Only at the start of the line, and with its capital. */
	feed(&t, "no Error: here");
	feed(&t, "error: lower case");
	assert_string_equal(pipeline_output_tail_best(&t), "Error: second");
	assert_string_equal(t.last, "error: lower case");
	/* Reset for the next command. */
	pipeline_output_tail_reset(&t);
	assert_string_equal(pipeline_output_tail_best(&t), "");
	/* A long line is cut. */
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	feed(&t, big);
	assert_int_equal(strlen(pipeline_output_tail_best(&t)), PIPELINE_REASON_LINE_MAX + 3);
	assert_true(gf_str_has_suffix(pipeline_output_tail_best(&t), "x..."));
}

static void reason_is(const pipeline_failure *f, const char *want)
{
	char out[512];
	pipeline_failure_reason(out, sizeof(out), f);
	if (strcmp(out, want))
		fail_msg("reason\n got: %s\nwant: %s", out, want);
}

static void test_reason(void **state)
{
	(void)state;
	pipeline_failure f = {.phase = PIPELINE_PHASE_BUILD,
	                      .command = "gitfleet apply -input=false tfplan",
	                      .status = 1,
	                      .output = "Error: instance refresh failed"};
	reason_is(&f, "phase build failed: command \"gitfleet apply -input=false tfplan\" exited "
	              "with status 1: Error: instance refresh failed");
	/* No output: nothing quoted. */
	f.output = "";
	reason_is(&f, "phase build failed: command \"gitfleet apply -input=false tfplan\" exited "
	              "with status 1");
	/* A signal, as the shell reports it (128 + N). */
	f = (pipeline_failure){
	        .phase = PIPELINE_PHASE_PRE_BUILD, .command = "sleep 100", .status = 143};
	reason_is(&f, "phase pre_build failed: command \"sleep 100\" was killed by SIGTERM "
	              "(status 143)");
	f.status = 128 + 40;
	reason_is(&f, "phase pre_build failed: command \"sleep 100\" was killed by signal 40 "
	              "(status 168)");
	f.status = 255;
	reason_is(&f, "phase pre_build failed: command \"sleep 100\" exited with status 255");
	/* A finally command; a note. */
	f = (pipeline_failure){.phase = PIPELINE_PHASE_POST_BUILD,
	                       .is_finally = true,
	                       .command = "./cleanup",
	                       .status = 2,
	                       .note = "after running out of memory",
	                       .output = "MemoryError"};
	reason_is(&f, "phase post_build failed: finally command \"./cleanup\" exited with status 2 "
	              "after running out of memory: MemoryError");
	/* The shell itself ended: by exit, or killed. */
	f = (pipeline_failure){.phase = PIPELINE_PHASE_INSTALL,
	                       .command = "exit 3",
	                       .status = 3,
	                       .shell_ended = true};
	reason_is(&f,
	          "phase install failed: command \"exit 3\" ended the build shell (status 3), so "
	          "the commands after it could not run");
	/* The step of a script that failed, unless it is the command itself. */
	f = (pipeline_failure){.phase = PIPELINE_PHASE_BUILD,
	                       .command = "if [ -n \"$X\" ]; then\n  gitfleet apply tfplan\nfi\n",
	                       .step = "gitfleet apply tfplan",
	                       .status = 1};
	reason_is(&f,
	          "phase build failed: command \"if [ -n \"$X\" ]; then ...\" at \"gitfleet apply "
	          "tfplan\" exited with status 1");
	f.command = "make   ";
	f.step = "make";
	reason_is(&f, "phase build failed: command \"make\" exited with status 1");
	f = (pipeline_failure){.phase = PIPELINE_PHASE_INSTALL,
	                       .command = "exit 3",
	                       .status = 3,
	                       .shell_ended = true,
	                       .shell_signal = 9};
	reason_is(&f, "phase install failed: command \"exit 3\" ended the build shell (killed by "
	              "SIGKILL), so the commands after it could not run");
}

static void test_reason_command(void **state)
{
	(void)state;
	/* A multi-line command: its first line, and " ..." for the rest. */
	pipeline_failure f = {.phase = PIPELINE_PHASE_BUILD,
	                      .command = "\n  for i in 1 2; do\n  make $i\ndone\n",
	                      .status = 2};
	reason_is(&f, "phase build failed: command \"for i in 1 2; do ...\" exited with status 2");
	/* Trailing blank lines are not "more". */
	f.command = "make   \n\n  \n";
	reason_is(&f, "phase build failed: command \"make\" exited with status 2");
	/* A long first line is cut at PIPELINE_REASON_COMMAND_MAX bytes. */
	char big[300];
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f.command = big;
	char out[512];
	pipeline_failure_reason(out, sizeof(out), &f);
	char want[200];
	snprintf(want, sizeof(want), "command \"%.*s...\" exited", PIPELINE_REASON_COMMAND_MAX,
	         big);
	if (!strstr(out, want))
		fail_msg("%s", out);
	/* Control characters in the command are dropped. */
	f.command = "echo \x1b[31mred\x1b[0m\ttab";
	reason_is(&f, "phase build failed: command \"echo red tab\" exited with status 2");
}

static void test_reason_bounded(void **state)
{
	(void)state;
	/* The whole reason fits the buffer it is given, cut on a character
	 * boundary: here every character of the output is two bytes. */
	char line[PIPELINE_REASON_LINE_MAX + 4];
	size_t n = 0;
	while (n + 2 <= PIPELINE_REASON_LINE_MAX) {
		memcpy(line + n, "\xc3\xa9", 2);
		n += 2;
	}
	line[n] = '\0';
	pipeline_failure f = {
	        .phase = PIPELINE_PHASE_BUILD, .command = "make", .status = 1, .output = line};
	char full[512];
	pipeline_failure_reason(full, sizeof(full), &f);
	assert_int_equal(strlen(full), strlen("phase build failed: command \"make\" exited with "
	                                      "status 1: ") +
	                                       n);
	for (size_t size = 5; size < 300; size += 7) {
		char out[300];
		pipeline_failure_reason(out, size, &f);
		size_t len = strlen(out);
		assert_true(len < size);
		if (strlen(full) < size) {
			assert_string_equal(out, full);
			continue;
		}
		/* Cut: a prefix of the whole, whole characters, then "...". */
		assert_true(gf_str_has_suffix(out, "..."));
		assert_memory_equal(out, full, len - 3);
		for (size_t i = 0; i < len;) {
			size_t k = gf_utf8_seq_len((const unsigned char *)out + i, len - i);
			assert_true(k > 0);
			i += k;
		}
	}
	char tiny[2] = "x";
	pipeline_failure_reason(tiny, sizeof(tiny), &f);
	assert_string_equal(tiny, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_clean),          cmocka_unit_test(test_tail),
	        cmocka_unit_test(test_reason),         cmocka_unit_test(test_reason_command),
	        cmocka_unit_test(test_reason_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
