/*
 * The schema Terraform reads a .tf.json file with: which properties are
 * blocks (and how many labels they take) and which arguments hold an
 * expression written as a string. Resource bodies name only the
 * meta-blocks; their other nested blocks are told apart later, against
 * the provider's schema (hcl_json_expr_blocks).
 */
#include "config/config_impl.h"

static const char *const CHECK_EXPRS[] = {NULL};
static const hcl_json_schema CHECK = {.expr_attrs = CHECK_EXPRS};
static const hcl_json_block_schema VARIABLE_BLOCKS[] = {{"validation", 0, &CHECK}, {NULL, 0, NULL}};
static const hcl_json_schema VARIABLE = {.blocks = VARIABLE_BLOCKS,
                                         .expr_attrs = (const char *const[]){"type", NULL}};
static const hcl_json_block_schema OUTPUT_BLOCKS[] = {{"precondition", 0, &CHECK}, {NULL, 0, NULL}};
static const hcl_json_schema OUTPUT = {.blocks = OUTPUT_BLOCKS,
                                       .expr_attrs = (const char *const[]){"depends_on", NULL}};
static const hcl_json_block_schema LIFECYCLE_BLOCKS[] = {
        {"precondition", 0, &CHECK}, {"postcondition", 0, &CHECK}, {NULL, 0, NULL}};
static const hcl_json_schema LIFECYCLE = {
        .blocks = LIFECYCLE_BLOCKS,
        .expr_attrs = (const char *const[]){"ignore_changes", "replace_triggered_by", NULL}};
static const hcl_json_block_schema PROVISIONER_BLOCKS[] = {{"connection", 0, NULL},
                                                           {NULL, 0, NULL}};
static const hcl_json_schema PROVISIONER = {.blocks = PROVISIONER_BLOCKS};
static const hcl_json_block_schema DYNAMIC_BLOCKS[] = {{"content", 0, NULL}, {NULL, 0, NULL}};
static const hcl_json_schema DYNAMIC = {.blocks = DYNAMIC_BLOCKS};
static const hcl_json_block_schema RESOURCE_BLOCKS[] = {{"lifecycle", 0, &LIFECYCLE},
                                                        {"provisioner", 1, &PROVISIONER},
                                                        {"connection", 0, NULL},
                                                        {"dynamic", 1, &DYNAMIC},
                                                        {NULL, 0, NULL}};
static const hcl_json_schema RESOURCE = {
        .blocks = RESOURCE_BLOCKS,
        .expr_attrs = (const char *const[]){"depends_on", "provider", NULL}};
static const hcl_json_schema MODULE = {
        .expr_attrs = (const char *const[]){"depends_on", "providers", NULL}};
static const hcl_json_block_schema TERRAFORM_BLOCKS[] = {{"required_providers", 0, NULL},
                                                         {"backend", 1, NULL},
                                                         {"cloud", 0, NULL},
                                                         {"provider_meta", 1, NULL},
                                                         {NULL, 0, NULL}};
static const hcl_json_schema TERRAFORM = {.blocks = TERRAFORM_BLOCKS};
static const hcl_json_schema MOVED = {.expr_attrs = (const char *const[]){"from", "to", NULL}};
static const hcl_json_block_schema REMOVED_BLOCKS[] = {{"lifecycle", 0, NULL}, {NULL, 0, NULL}};
static const hcl_json_schema REMOVED = {.blocks = REMOVED_BLOCKS,
                                        .expr_attrs = (const char *const[]){"from", NULL}};
static const hcl_json_block_schema TOP_BLOCKS[] = {{"terraform", 0, &TERRAFORM},
                                                   {"provider", 1, NULL},
                                                   {"variable", 1, &VARIABLE},
                                                   {"locals", 0, NULL},
                                                   {"output", 1, &OUTPUT},
                                                   {"module", 1, &MODULE},
                                                   {"resource", 2, &RESOURCE},
                                                   {"data", 2, &RESOURCE},
                                                   {"moved", 0, &MOVED},
                                                   {"import", 0, &MOVED},
                                                   {"check", 1, NULL},
                                                   {"removed", 0, &REMOVED},
                                                   {NULL, 0, NULL}};
static const hcl_json_schema TOP = {.blocks = TOP_BLOCKS};

const hcl_json_schema *cfgi_json_schema(void)
{
	return &TOP;
}
