/*
 * Fuzz target: the configuration file parser, and everything a parse error
 * leads to — rendering the diagnostics in every form, the traversal
 * walker over every attribute. Any input must parse (with or without
 * errors) without crashing, leaking or hanging.
 */
#include "hcl/ast.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

/* Inputs past this size only make runs slower, not more interesting. */
#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const hcl_expr *t, void *payload)
{
	gf_arena a;
	gf_arena_init(&a);
	(void)hcl_traversal_string(&a, t);
	gf_arena_dispose(&a);
	++*(size_t *)payload;
	return 0;
}

static void walk_body(const hcl_body *b, size_t *n)
{
	for (size_t i = 0; i < b->len; i++) {
		if (b->items[i].kind == HCL_ITEM_ATTRIBUTE)
			hcl_expr_walk_traversals(b->items[i].u.attr->expr, count, n);
		else
			walk_body(b->items[i].u.block->body, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	gf_arena arena;
	gf_arena_init(&arena);
	hcl_diags d;
	hcl_diags_init(&d, &arena);
	const char *src = (const char *)data;
	hcl_body *body = hcl_parse_file("fuzz.tf", src, size, &arena, &d);
	size_t n = 0;
	walk_body(body, &n);
	hcl_sources s = {0};
	hcl_sources_add(&s, "fuzz.tf", src, size, body);
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_diags_render(&out, &d, &s, HCL_RENDER_COLOR, 78);
	hcl_diags_render(&out, &d, &s, HCL_RENDER_PLAIN, 40);
	for (size_t i = 0; i < d.list.len && i < 8; i++)
		json_decref(hcl_diag_to_json(&d.list.items[i], &s));
	/* The same bytes as a standalone expression. */
	hcl_parse_expression("fuzz.tf", src, size, hcl_pos_start(), &arena, &d);
	gf_buf_dispose(&out);
	hcl_sources_dispose(&s);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&arena);
	return 0;
}
