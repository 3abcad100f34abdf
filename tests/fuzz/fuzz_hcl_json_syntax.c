/*
 * Fuzz target: the JSON syntax reader (hcl/json_syntax.h) with a schema
 * shaped like Terraform's (labelled blocks, nested blocks, expression
 * strings), then every attribute turned into blocks and evaluated with no
 * scope. Any input must read (with or without errors) without crashing,
 * leaking or hanging.
 */
#include "hcl/eval.h"
#include "hcl/json_syntax.h"

#include <stdint.h>
#include <stdlib.h>

/* Inputs past this size only make runs slower, not more interesting. */
#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const hcl_json_block_schema NESTED[] = {{"lifecycle", 0, NULL}, {NULL, 0, NULL}};
static const hcl_json_schema BLOCK = {.blocks = NESTED,
                                      .expr_attrs = (const char *const[]){"type", NULL}};
static const hcl_json_block_schema TOP_BLOCKS[] = {
        {"resource", 2, &BLOCK}, {"variable", 1, &BLOCK}, {"locals", 0, NULL}, {NULL, 0, NULL}};
static const hcl_json_schema TOP = {.blocks = TOP_BLOCKS};

static void walk(gf_arena *a, const hcl_body *b, hcl_diags *d, int depth)
{
	static const hcl_scope none = {.no_functions = true};
	for (size_t i = 0; i < b->len; i++) {
		if (b->items[i].kind == HCL_ITEM_BLOCK) {
			walk(a, b->items[i].u.block->body, d, depth + 1);
			continue;
		}
		const hcl_attribute *at = b->items[i].u.attr;
		(void)hcl_eval(a, at->expr, &none, d);
		hcl_block *blocks;
		long n = depth < 8 ? hcl_json_expr_blocks(a, at, &blocks, d) : -1;
		for (long k = 0; k < n; k++)
			walk(a, blocks[k].body, d, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_body *b = hcl_parse_json_file("fuzz.tf.json", (const char *)data, size, &TOP, &a, &d);
	walk(&a, b, &d, 0);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
	return 0;
}
