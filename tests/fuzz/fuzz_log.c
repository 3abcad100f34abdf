/*
 * Fuzz target: the JSON log writer. The input up to its first NUL is the
 * message, the rest the fields (NULs in them end the fields, as in a C
 * string). Whatever they hold, the JSON line must be exactly one line that
 * jansson reads as one object with the message in "msg", and the text line
 * must be one line too when the fields have no newline.
 */
#include "base/base.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = gf_xmalloc(size + 2);
	memcpy(in, data, size);
	in[size] = in[size + 1] = '\0';
	const char *msg = in;
	const char *fields = in + strlen(in) + 1;
	if (fields > in + size)
		fields = in + size + 1;
	gf_buf line = GF_BUF_INIT;
	gf_log_render(&line, GF_LOG_JSON, GF_LOG_INFO, "2026-01-02T03:04:05.678Z", msg, fields);
	if (line.len < 2 || line.ptr[line.len - 1] != '\n' ||
	    memchr(line.ptr, '\n', line.len - 1) != NULL)
		abort();
	json_t *j = json_loadb(line.ptr, line.len, 0, NULL);
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "msg")) ||
	    !json_is_string(json_object_get(j, "level")))
		abort();
	json_decref(j);
	gf_buf_clear(&line);
	gf_log_render(&line, GF_LOG_TEXT, GF_LOG_INFO, "ts", msg, fields);
	if (!strchr(fields, '\n') && memchr(line.ptr, '\n', line.len - 1) != NULL)
		abort();
	gf_buf_dispose(&line);
	free(in);
	return 0;
}
