/*
 * Fuzz target: the bare template parser (templatefile()'s input), with
 * the walker over the result. Any input must parse without crashing,
 * leaking or hanging.
 */
#include "hcl/ast.h"

#include <stdint.h>

#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const hcl_expr *t, void *payload)
{
	++*(size_t *)payload;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	gf_arena arena;
	gf_arena_init(&arena);
	hcl_diags d;
	hcl_diags_init(&d, &arena);
	hcl_expr *e = hcl_parse_template("fuzz.tpl", (const char *)data, size, hcl_pos_start(),
	                                 &arena, &d);
	size_t n = 0;
	hcl_expr_walk_traversals(e, count, &n);
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_diags_render(&out, &d, NULL, HCL_RENDER_BOX, 78);
	gf_buf_dispose(&out);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&arena);
	return 0;
}
