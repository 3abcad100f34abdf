/*
 * Fuzz target: the reason of a failed build (src/pipeline/reason.c), which
 * quotes whatever a build printed. The input is split into lines, fed to
 * an output tail, and its first line is the failing command. Whatever the
 * bytes, every quoted line and the reason are valid UTF-8 without control
 * characters, within their bounds, and JSON can carry them (the API,
 * notify_url).
 */
#include "pipeline/pipeline.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = gf_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (k == 0 || c < 0x20 || c == 0x7f)
			abort();
		i += k;
	}
	json_t *j = json_string(s);
	if (!j)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t first = nl ? (size_t)(nl - s) : size;
	char *command = gf_xstrndup(s, first);
	pipeline_output_tail t;
	pipeline_output_tail_reset(&t);
	for (size_t i = nl ? first + 1 : size; i < size;) {
		const char *e = memchr(s + i, '\n', size - i);
		size_t len = e ? (size_t)(e - (s + i)) : size - i;
		pipeline_output_tail_add(&t, s + i, len);
		i += len + 1;
	}
	check_text(t.error, PIPELINE_REASON_LINE_MAX + 3);
	check_text(t.last, PIPELINE_REASON_LINE_MAX + 3);
	const char *best = pipeline_output_tail_best(&t);
	if (best[0] && best != t.error && best != t.last)
		abort();
	pipeline_failure f = {.phase = (pipeline_phase_kind)(size % PIPELINE_PHASE_COUNT),
	                      .is_finally = size & 1,
	                      .command = command,
	                      .step = size & 2 ? command + first / 2 : NULL,
	                      .status = (int)(size % 300),
	                      .shell_ended = size & 4,
	                      .shell_signal = size & 8 ? (int)(size % 70) : 0,
	                      .output = best};
	char reason[512];
	pipeline_failure_reason(reason, sizeof(reason), &f);
	check_text(reason, sizeof(reason) - 1);
	char small[37];
	pipeline_failure_reason(small, sizeof(small), &f);
	check_text(small, sizeof(small) - 1);
	free(command);
	return 0;
}
