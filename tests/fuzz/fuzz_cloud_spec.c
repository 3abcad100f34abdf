/*
 * Fuzz target: the API's JSON decoding of resource specs. The first byte
 * picks the resource kind, the rest is the request body. Whatever the
 * input, decoding must either fail with a status of 400 or 422, a message
 * and a field path that is a C string, or succeed with a spec that decodes
 * again to itself (normalisation is idempotent).
 */
#include "cloud/cloud.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	cloud_kind k = (cloud_kind)(data[0] % CLOUD_KIND_COUNT);
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, &jerr);
	if (!body)
		return 0;
	json_t *spec = NULL;
	cloud_spec_error err;
	if (cloud_spec_decode(&spec, &err, k, "web", body) == 0) {
		json_t *again = NULL;
		if (!spec || cloud_spec_decode(&again, &err, k, "web", spec) != 0 ||
		    !json_equal(spec, again))
			abort();
		json_decref(again);
	} else {
		if (spec || (err.status != 400 && err.status != 422) || !err.message[0] ||
		    strlen(err.field) >= sizeof(err.field))
			abort();
	}
	json_decref(spec);
	json_decref(body);
	return 0;
}
