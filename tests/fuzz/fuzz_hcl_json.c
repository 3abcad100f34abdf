/*
 * Fuzz target for jsondecode (hcl_value_from_json): any input either fails
 * with a message or yields a value whose jsonencode decodes back to an
 * equal value and encodes to the same bytes.
 */
#include "hcl/hcl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_arena a;
	gf_arena_init(&a);
	const char *why = NULL;
	const hcl_value *v = hcl_value_from_json(&a, (const char *)data, size, &why);
	if (!v) {
		if (!why || !*why)
			abort();
	} else {
		char *json = hcl_value_to_json(&a, v);
		if (!json)
			abort();
		const hcl_value *back = hcl_value_from_json(&a, json, strlen(json), &why);
		if (!back || !hcl_value_equal(v, back))
			abort();
		if (strcmp(hcl_value_to_json(&a, back), json) != 0)
			abort();
		(void)hcl_value_render(&a, v);
	}
	gf_arena_dispose(&a);
	return 0;
}
