/*
 * Fuzz target for the function library: the first byte picks a function,
 * the rest is a JSON array of arguments (decoded with hcl_value_from_json;
 * a second byte's bits make some arguments unknown or sensitive, and ask
 * for `...` expansion). Any call must either succeed with a value that
 * renders, or fail with a summary and a detail. Functions that touch the
 * filesystem are skipped: they would walk the machine, not the input.
 */
#include "hcl/hcl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool touches_files(const char *name)
{
	return strncmp(name, "file", 4) == 0 || strcmp(name, "templatefile") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t nnames;
	const char *const *names = hcl_func_names(&nnames);
	const char *name = names[data[0] % nnames];
	unsigned flags = data[1];
	if (touches_files(name))
		return 0;
	gf_arena a;
	gf_arena_init(&a);
	const char *why = NULL;
	const hcl_value *args = hcl_value_from_json(&a, (const char *)data + 2, size - 2, &why);
	if (args && args->kind == HCL_VAL_TUPLE) {
		size_t n = args->u.coll.len;
		const hcl_value **argv = gf_arena_alloc(&a, (n + 1) * sizeof(*argv));
		for (size_t i = 0; i < n; i++) {
			argv[i] = args->u.coll.items[i];
			if (i < 3 && (flags >> i) & 1)
				argv[i] = hcl_unknown(&a, argv[i]->type);
			if (i < 3 && (flags >> (i + 3)) & 1)
				argv[i] = hcl_mark(&a, argv[i], HCL_MARK_SENSITIVE);
		}
		hcl_func_env env = {.arena = &a};
		hcl_func_error err;
		const hcl_value *r = hcl_func_call(&env, name, argv, n, (flags & 0x80) != 0, &err);
		if (r) {
			(void)hcl_value_render(&a, r);
			if (hcl_value_is_wholly_known(r))
				(void)hcl_value_to_json(&a, r);
		} else if (!err.summary || !err.detail) {
			abort();
		}
	}
	gf_arena_dispose(&a);
	return 0;
}
