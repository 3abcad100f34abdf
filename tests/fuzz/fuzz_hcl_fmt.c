/*
 * Fuzz target: the formatter. For every input that parses, formatting
 * must succeed, its output must parse too, and formatting it again must
 * change nothing: fmt(fmt(x)) == fmt(x).
 */
#include "hcl/fmt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	gf_arena arena;
	gf_arena_init(&arena);
	hcl_diags d;
	hcl_diags_init(&d, &arena);
	char *once = NULL, *twice = NULL;
	size_t once_len = 0, twice_len = 0;
	if (hcl_fmt(&once, &once_len, "fuzz.tf", (const char *)data, size, &d) == 0) {
		if (hcl_fmt(&twice, &twice_len, "fuzz.tf", once, once_len, &d) != 0) {
			fprintf(stderr, "formatted output does not parse:\n%s\n", once);
			abort();
		}
		if (twice_len != once_len || memcmp(once, twice, once_len) != 0) {
			fprintf(stderr, "fmt is not idempotent:\n--- once\n%s\n--- twice\n%s\n",
			        once, twice);
			abort();
		}
	}
	free(once);
	free(twice);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&arena);
	return 0;
}
