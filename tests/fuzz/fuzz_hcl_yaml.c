/*
 * Fuzz target for yamldecode and yamlencode: any input either fails with
 * "Error in function call" and a positioned message, or yields a value
 * whose yamlencode decodes back to an equal value and encodes to the same
 * bytes.
 */
#include "hcl/hcl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const hcl_value *call(hcl_func_env *env, const char *name, const hcl_value *arg,
                             hcl_func_error *err)
{
	return hcl_func_call(env, name, &arg, 1, false, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_func_env env = {.arena = &a};
	hcl_func_error err;
	const hcl_value *src = hcl_string(&a, (const char *)data, size);
	const hcl_value *v = call(&env, "yamldecode", src, &err);
	if (!v) {
		if (!err.detail ||
		    strncmp(err.detail, "Call to function \"yamldecode\" failed: ", 38) != 0)
			abort();
	} else {
		const hcl_value *enc = call(&env, "yamlencode", v, &err);
		if (!enc || enc->kind != HCL_VAL_STRING)
			abort();
		const hcl_value *back = call(&env, "yamldecode", enc, &err);
		if (!back || !hcl_value_equal(v, back))
			abort();
		const hcl_value *enc2 = call(&env, "yamlencode", back, &err);
		if (!enc2 || enc2->u.str.len != enc->u.str.len ||
		    memcmp(enc2->u.str.ptr, enc->u.str.ptr, enc->u.str.len) != 0)
			abort();
		(void)hcl_value_render(&a, v);
	}
	gf_arena_dispose(&a);
	return 0;
}
