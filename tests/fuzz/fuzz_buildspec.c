/*
 * Fuzz target: buildspec.yaml parsing. Whatever the input, the parser
 * either succeeds with a buildspec whose every phase and list is
 * consistent, or fails with GF_EINVALID/GF_ETOOBIG and a message that
 * starts with the file name and a line:column.
 */
#include "pipeline/pipeline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pipeline_buildspec *s = NULL;
	int rc = pipeline_buildspec_parse(&s, "b.yaml", (const char *)data, size);
	if (rc == 0) {
		if (!s || (strcmp(s->shell, "bash") && strcmp(s->shell, "sh")))
			abort();
		for (int k = 0; k < PIPELINE_PHASE_COUNT; k++) {
			const pipeline_phase *ph = &s->phases[k];
			for (size_t i = 0; i < ph->ncommands; i++)
				if (!ph->commands[i] || !ph->commands[i][0])
					abort();
			for (size_t i = 0; i < ph->nfinally; i++)
				if (!ph->finally_cmds[i])
					abort();
		}
		for (size_t i = 0; i < s->nvariables; i++)
			if (!s->variables[i].name[0] || !s->variables[i].value)
				abort();
		pipeline_buildspec_free(s);
	} else {
		if (s || (rc != GF_EINVALID && rc != GF_ETOOBIG))
			abort();
		if (rc == GF_EINVALID && strncmp(gf_err_msg(), "b.yaml:", 7))
			abort();
	}
	return 0;
}
