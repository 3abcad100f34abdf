/*
 * Fuzz target for the evaluator: the input is one expression, parsed and
 * evaluated against a small fixed scope (known, unknown, sensitive and null
 * variables, a list, a map, an object, a resource with count). Whatever the
 * input, evaluation must either give a value that renders, with no error
 * reported, or report at least one error. Inputs that mention file
 * functions are skipped: they would read the machine, not the input.
 */
#include "hcl/ast.h"
#include "hcl/eval.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const hcl_value *lookup(void *payload, const hcl_ref *ref, gf_arena *a, hcl_diags *diags)
{
	const char *n = ref->name;
	switch (ref->kind) {
	case HCL_REF_VAR:
		if (!strcmp(n, "n"))
			return hcl_number(a, 3);
		if (!strcmp(n, "s"))
			return hcl_cstring(a, "web");
		if (!strcmp(n, "u"))
			return &hcl_unknown_dynamic;
		if (!strcmp(n, "us"))
			return hcl_unknown(a, &hcl_type_string);
		if (!strcmp(n, "x"))
			return hcl_mark(a, hcl_cstring(a, "secret"), HCL_MARK_SENSITIVE);
		if (!strcmp(n, "z"))
			return &hcl_null_dynamic;
		if (!strcmp(n, "l") || !strcmp(n, "m") || !strcmp(n, "o")) {
			const char *json = n[0] == 'l'   ? "[1, \"2\", [3]]"
			                   : n[0] == 'm' ? "{\"a\": 1, \"b\": 2}"
			                                 : "{\"id\": \"i\", \"tags\": [\"t\"]}";
			return hcl_value_from_json(a, json, strlen(json), NULL);
		}
		return hcl_ref_undeclared(diags, ref, (const char *const[]){"n", "s", "l"}, 3,
		                          NULL);
	case HCL_REF_LOCAL:
		return hcl_ref_undeclared(diags, ref, NULL, 0, NULL);
	case HCL_REF_RESOURCE: {
		const hcl_value **items = gf_arena_alloc(a, 2 * sizeof(*items));
		items[0] = items[1] = &hcl_unknown_dynamic;
		return hcl_tuple(a, items, 2);
	}
	case HCL_REF_COUNT:
		return hcl_number(a, 0);
	default:
		return hcl_ref_not_allowed(diags, ref);
	}
}

static bool mentions_files(const uint8_t *data, size_t size)
{
	static const char *const bad[] = {"file", "path"};
	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(bad[k]);
		for (size_t i = 0; i + n <= size; i++)
			if (memcmp(data + i, bad[k], n) == 0)
				return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096 || mentions_files(data, size))
		return 0;
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags diags;
	hcl_diags_init(&diags, &a);
	hcl_expr *e =
	        hcl_parse_expression("fuzz", (const char *)data, size, hcl_pos_start(), &a, &diags);
	if (!hcl_diags_has_errors(&diags)) {
		hcl_scope scope = {.lookup = lookup};
		const hcl_value *v = hcl_eval(&a, e, &scope, &diags);
		if (v) {
			if (hcl_diags_has_errors(&diags))
				__builtin_trap();
			(void)hcl_value_render(&a, v);
		} else if (!hcl_diags_has_errors(&diags)) {
			__builtin_trap();
		}
	}
	hcl_diags_dispose(&diags);
	gf_arena_dispose(&a);
	return 0;
}
