/*
 * config/config_impl.h — private to src/config. Internal names carry the
 * prefix cfgi_.
 *
 * index.c     the name index of a module (hash table)
 * load.c      files → top-level blocks → config_module (structure checks)
 * body.c      helpers to check bodies against a small schema, decode
 *             constant arguments, report Terraform's structure errors
 * types.c     type constraint expressions, version constraints
 * vars.c      variable values and their precedence
 * scope.c     the lookup behind config_scope: variables, locals (with
 *             cycle detection), outputs, resources, modules
 * validate.c  config_validate's walk over every expression
 * tfjson.c    the schema .tf.json files are read with
 * override.c  override files merged into the blocks they override
 */
#ifndef GF_CONFIG_IMPL_H
#define GF_CONFIG_IMPL_H

#include "config/config.h"
#include "hcl/json_syntax.h"

/* Reports an error or warning at `r` (may be NULL) into cfg->diags. */
hcl_diag *cfgi_error(config *cfg, const hcl_range *r, const char *summary, const char *fmt, ...)
        GF_PRINTF(4, 5);

/* `resource "a" "b"`: from the block type to the last label. */
hcl_range cfgi_decl_range(const hcl_block *b);
/* The zero-length range where a missing argument would go (the `{`). */
hcl_range cfgi_missing_range(const hcl_block *b);

/* Checks that block b has exactly n labels named as in `names` (NULL
 * terminated); reports "Missing name for ..." / "Extraneous label for ...". */
bool cfgi_labels(config *cfg, const hcl_block *b, const char *const *names);

/*
 * Reports every attribute of `body` not in `attrs` ("Unsupported argument")
 * and every block not in `blocks` ("Unsupported block type"), both NULL
 * terminated, with "Did you mean" suggestions. Attributes in `attrs` whose
 * name starts with '!' are required ("Missing required argument"; `owner`
 * gives the missing range).
 */
void cfgi_check_body(config *cfg, const hcl_body *body, const hcl_block *owner,
                     const char *const *attrs, const char *const *blocks);

/* Constant arguments (no variables, no functions), converted; false after
 * reporting. The output is left untouched when the attribute is absent. */
bool cfgi_const_string(config *cfg, const hcl_body *body, const char *name, const char **out);
bool cfgi_const_bool(config *cfg, const hcl_body *body, const char *name, bool *out);
/* A constant value (no variables or functions), NULL after reporting. */
const hcl_value *cfgi_const_value(config *cfg, const hcl_expr *e);

/* Loads one module directory into a new config_module (may recurse for
 * child modules). `depth` guards against modules that include themselves. */
config_module *cfgi_load_module(config *cfg, const char *dir, const char *addr, int depth);

/* index.c: the module's name index (kinds below). cfgi_ix_add records
 * declaration i and returns -1, or returns the position of the earlier
 * declaration of the same name (a duplicate; nothing is recorded). */
enum {
	CFGI_IX_VAR,
	CFGI_IX_LOCAL,
	CFGI_IX_MANAGED,
	CFGI_IX_DATA,
	CFGI_IX_OUTPUT,
	CFGI_IX_CALL
};
long cfgi_ix_add(config_module *m, int kind, const char *type, const char *name, size_t i);
/* Makes room for n more names without rehashing (the loader counts the
 * declarations of a module's files first). */
void cfgi_ix_reserve(config_module *m, size_t n);
long cfgi_ix_find(const config_module *m, int kind, const char *type, const char *name);
void cfgi_ix_free(config_module *m);

/* scope.c: local value i of mod, evaluated on first use; `ref` (may be
 * NULL) is the reference that asked, where a cycle is reported. Never
 * NULL: a local that failed is unknown (its errors are reported once). */
const hcl_value *cfgi_local_value(config *cfg, config_module *mod, size_t i, const hcl_ref *ref);

/* tfjson.c: the schema of a .tf.json file's top-level body. */
const hcl_json_schema *cfgi_json_schema(void);

/* override.c: merges the top-level blocks of the override files' bodies
 * into the blocks of the primary files' bodies, with Terraform's rules
 * (docs/language.md); a block that overrides nothing is an error. */
void cfgi_merge_overrides(config *cfg, hcl_body *const *primary, size_t nprimary,
                          hcl_body *const *overrides, size_t noverrides);

#endif
