/*
 * hcl/json_syntax.h — HCL's JSON syntax (hashicorp/hcl json/spec.md), the
 * second way to write a body: Terraform's *.tf.json files.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Same tree, second reader. A JSON file is read into the very hcl_body,
 *    hcl_block and hcl_attribute nodes the native parser builds, so code
 *    that reads configuration does not care where a body came from. The
 *    body is marked `json` for the one consumer that must know (a provider
 *    whose schema says a property is a nested block, see point 3).
 *
 * 2. The schema decides. A JSON property is an argument or a block
 *    according to the schema the reader is given (hcl_json_schema):
 *    a block type with n labels takes n levels of nested object keys, and
 *    at any level an array of objects means several blocks. Properties the
 *    schema does not name are arguments. "//" properties of a body are
 *    comments and are skipped.
 *
 * 3. Values. A string is a template ("${var.x}", "web-${count.index}"),
 *    parsed with the native template parser at the string's position;
 *    numbers, booleans and null are literals; arrays are tuples, objects
 *    are objects whose keys are templates too. Arguments the schema lists
 *    in `expr_attrs` (variable's `type`, `depends_on`, a resource's
 *    `provider`) hold an expression written as a string, parsed as one
 *    (an array of such strings is a tuple, an object's values are
 *    expressions). A property the reader took for an argument because the
 *    schema was not known (a resource body, decoded later against its
 *    provider's schema) is turned into blocks by hcl_json_expr_blocks.
 *
 * 4. Positions. Every node has a file:line:col range like the native
 *    parser's; the range of a template inside a string starts after the
 *    opening quote (exact unless the string holds JSON escapes before the
 *    point reported). Syntax errors say where and what was expected, and
 *    nesting deeper than HCL_MAX_DEPTH is refused.
 */
#ifndef GF_HCL_JSON_SYNTAX_H
#define GF_HCL_JSON_SYNTAX_H

#include "hcl/ast.h"

typedef struct hcl_json_schema hcl_json_schema;

typedef struct {
	const char *type;
	size_t nlabels;
	const hcl_json_schema *body; /* NULL: every property is an argument */
} hcl_json_block_schema;

struct hcl_json_schema {
	const hcl_json_block_schema *blocks; /* terminated by a NULL type */
	const char *const *expr_attrs;       /* NULL terminated; may be NULL */
};

/*
 * Parses a JSON configuration file whose root must be an object, read
 * against `schema` (NULL: every property is an argument, as in a
 * .tfvars.json file). Returns the root body, never NULL, possibly partial
 * when diags has errors.
 */
hcl_body *hcl_parse_json_file(const char *filename, const char *src, size_t len,
                              const hcl_json_schema *schema, gf_arena *arena, hcl_diags *diags);

/*
 * The blocks of type `type` (no labels) an argument of a JSON body stands
 * for: an object is one block, a tuple of objects one block per element.
 * Returns the number of blocks (*out arena-allocated), or -1 after adding
 * a diagnostic when the expression is neither.
 */
long hcl_json_expr_blocks(gf_arena *a, const hcl_attribute *at, hcl_block **out, hcl_diags *diags);

#endif
