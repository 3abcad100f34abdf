/*
 * provider — the resource types gitfleet manages: their schemas, how a
 * resource block is decoded against its schema, how a planned object is
 * computed from configuration and prior state, and the operations that
 * make it real (create, read, update, delete).
 *
 * NOTES ON THE DESIGN
 *
 * 1. Three providers, one table. "fleet" (fleet_lb, fleet_lb_listener,
 *    fleet_target_group, fleet_launch_template, fleet_autoscaling_group,
 *    and the pipeline's fleet_build_project and fleet_webhook) talks to
 *    the daemon's JSON API; "random" (random_id) and "terraform"
 *    (terraform_data) live entirely in the CLI process. A resource type
 *    is found by name with provider_schema_find; its prefix names its
 *    provider, as in Terraform.
 *
 * 2. Objects are hcl values. An instance's object is an hcl object with
 *    exactly one attribute per schema attribute (null when unset) and one
 *    per nested block type (a list of objects: at most one element,
 *    except for blocks marked `many`, such as a webhook's filter_group,
 *    which keep every block in configuration order). Config, prior
 *    state, planned and new objects all have
 *    this shape, so the plan engine compares them attribute by attribute
 *    (provider_object_type gives the type to convert state JSON with).
 *
 * 3. Attribute kinds, as in Terraform's SDK:
 *      required              set by the configuration, always
 *      optional              may be set; a schema default fills it when
 *                            absent, so plans show the value the daemon
 *                            will use and the next plan is empty
 *      computed              set by the provider only; unknown
 *                            ("(known after apply)") until created
 *      optional + computed   the configuration may set it, else the
 *                            provider chooses (a listener's name)
 *    plus flags: sensitive (redacted in plans and outputs) and
 *    forces-replacement (a change means destroy + create).
 *
 * 4. The content of a launch template's `source` is its identity.
 *    `release` is computed at plan time by hashing the directory with the
 *    daemon's own function (cloud_release_hash_dir), and when the release
 *    equals the prior one the prior `source` text is kept, so the same
 *    content under another directory plans no change. A changed release
 *    is an in-place update (a new template version, `latest_version`
 *    unknown), and an autoscaling group following "$Latest" of that
 *    template plans an in-place update of its `template_version` through
 *    the `planned` callback of provider_plan_ctx — never a replacement.
 *
 * 5. Fleet operations PUT and DELETE with ?wait, so that apply returns
 *    when the daemon converged, and turn a daemon failure into an error
 *    whose message is the daemon's reason ("instance refresh failed: ...;
 *    rolled back, the previous version keeps serving"). The daemon is
 *    found with cloud_endpoint_resolve; an unreachable daemon is reported
 *    with "start it with: gitfleet daemon".
 *
 * 6. The pipeline's resources map onto /v1/projects/{name} and
 *    /v1/webhooks/{project} (docs/pipeline.md) through pipeline.c, which
 *    turns the generic object JSON into the API's shape and back: a
 *    webhook's filter_group { filter {...} } blocks are the API's
 *    filter_groups array of arrays, and its id is its project_name. The
 *    daemon never returns the values of a project's environment secrets
 *    (it shows "(sensitive)"), so the values come from the planned or
 *    prior object: a secret changed outside gitfleet is not seen, a
 *    secret added or removed is.
 *
 * Memory: schemas are static; objects are allocated from the caller's
 * arena. Threads: provider_apply and provider_read may run on several
 * threads at once (the apply walk's parallelism); they share nothing but
 * the read-only provider_conn.
 */
#ifndef GF_PROVIDER_H
#define GF_PROVIDER_H

#include "hcl/ast.h"
#include "hcl/diag.h"
#include "hcl/eval.h"
#include "hcl/value.h"

#include <jansson.h>

enum {
	PROVIDER_REQUIRED = 1u << 0,
	PROVIDER_OPTIONAL = 1u << 1,
	PROVIDER_COMPUTED = 1u << 2,
	PROVIDER_SENSITIVE = 1u << 3,
	PROVIDER_FORCE_NEW = 1u << 4,
};

typedef struct provider_block_schema provider_block_schema;

typedef struct {
	const char *name;
	const hcl_type *type;
	unsigned flags;
	const char *default_json; /* optional attributes: the default, as JSON; NULL none */
	const char *description;
} provider_attr;

typedef struct {
	const char *name;
	const provider_block_schema *schema;
	bool required;  /* exactly one block; else zero or one */
	bool defaulted; /* absent: one block of defaults (the daemon always has one) */
	unsigned flags; /* PROVIDER_FORCE_NEW applies to every attribute inside */
	const char *description;
	bool many; /* any number of blocks, in order (with `required`: at least one) */
} provider_block;

struct provider_block_schema {
	const provider_attr *attrs;
	size_t nattrs;
	const provider_block *blocks;
	size_t nblocks;
};

typedef struct {
	const char *type;     /* "fleet_lb" */
	const char *provider; /* "fleet", "random", "terraform" */
	const char *state_provider;
	const char *description;
	provider_block_schema body;
} provider_schema;

/* Every resource type, sorted by name. */
const provider_schema *const *provider_schemas(size_t *n);
/* The schema of a resource type, NULL when gitfleet has none. */
const provider_schema *provider_schema_find(const char *type);
/* The hcl type of an object of `s` (note 2). */
const hcl_type *provider_object_type(gf_arena *a, const provider_block_schema *s);
/* The attribute `name` of a block schema, NULL if none. */
const provider_attr *provider_attr_find(const provider_block_schema *s, const char *name);
const provider_block *provider_block_find(const provider_block_schema *s, const char *name);

/*
 * Decodes a resource body against the schema: each argument evaluated in
 * `scope`, converted to its type; "Unsupported argument" (with "Did you
 * mean") for names the schema lacks or only computes, "Missing required
 * argument", "Unsupported block type", "Too many ... blocks". `dynamic`
 * blocks are expanded. Returns the configuration object (computed
 * attributes null, defaults not applied), or NULL after adding
 * diagnostics.
 */
const hcl_value *provider_decode(gf_arena *a, const provider_schema *s, const hcl_body *body,
                                 const hcl_range *owner, const hcl_scope *scope, hcl_diags *diags);

/* What provider_plan may ask of the rest of the plan. */
typedef struct {
	/* The planned object of the resource of `type` whose id is `id`, NULL
	 * when there is none (or it is unknown). */
	const hcl_value *(*planned)(void *payload, const char *type, const char *id);
	void *payload;
} provider_plan_ctx;

/*
 * The planned object for `config` (NULL: destroy — not called then) over
 * `prior` (NULL: create). Fills defaults, keeps prior values of computed
 * attributes on update, makes computed ones unknown where the change
 * affects them, hashes a launch template's source. *requires_replace
 * gets the attributes whose change forces replacement (arena array of
 * names, *nreplace of them). NULL with a message in gf_err (e.g. a source
 * directory that cannot be hashed).
 */
const hcl_value *provider_plan(gf_arena *a, const provider_schema *s, const hcl_value *config,
                               const hcl_value *prior, const provider_plan_ctx *ctx,
                               const char ***requires_replace, size_t *nreplace);

/* A connection to the daemon, shared read-only by provider calls. */
typedef struct {
	char *url;
	char *token;
	double wait; /* seconds a PUT/DELETE may wait for convergence */
} provider_conn;

/* Resolves the daemon (cloud_endpoint_resolve) from `provider "fleet"`'s
 * address and token (both may be NULL). Dispose with provider_conn_dispose. */
void provider_conn_init(provider_conn *c, const char *address, const char *token);
void provider_conn_dispose(provider_conn *c);

typedef enum {
	PROVIDER_OP_CREATE,
	PROVIDER_OP_UPDATE,
	PROVIDER_OP_DELETE,
} provider_op;

/*
 * Makes `planned` real (create/update) or removes `prior` (delete).
 * `config` is the decoded configuration (a launch template's `source`
 * directory is read from it to upload the release when the daemon lacks
 * it); NULL for delete.
 * Returns the new object in *out (create/update; fully known), 0 on
 * success. On failure a negative code and a message that is the daemon's
 * reason; *out may still be set to what exists now (a created object that
 * failed to converge), which the caller must record in state.
 */
int provider_apply(const hcl_value **out, gf_arena *a, const provider_conn *c,
                   const provider_schema *s, provider_op op, const hcl_value *prior,
                   const hcl_value *planned, const hcl_value *config);

/*
 * Refresh: the object as it exists now, from `prior`. *out NULL when it
 * was deleted outside gitfleet. Local-only types return prior unchanged.
 */
int provider_read(const hcl_value **out, gf_arena *a, const provider_conn *c,
                  const provider_schema *s, const hcl_value *prior);

/* The JSON body of the PUT that makes `obj` (a planned object of fleet
 * type `s`) real: every known configurable attribute and block, in the
 * API's shape. A new reference. */
json_t *provider_fleet_body(gf_arena *a, const provider_schema *s, const hcl_value *obj);
/* The object the daemon's JSON `answer` (of GET or PUT) describes, in
 * place of `keep` (planned or prior, may be NULL), which gives what the
 * daemon does not hold or hides (note 6). `answer` is modified. */
const hcl_value *provider_fleet_object(gf_arena *a, const provider_schema *s, json_t *answer,
                                       const hcl_value *keep);

/* The id of an object ("web"), NULL when unknown or absent. */
const char *provider_object_id(const hcl_value *obj);

/* random_id's encodings of `bytes` with `prefix` (NULL: none), as the
 * hashicorp/random provider computes them: id (base64 URL, unpadded, no
 * prefix), b64_url, b64_std (padded), hex and dec (big-endian unsigned
 * integer in decimal), each with the prefix. Arena strings. */
typedef struct {
	const char *id, *b64_url, *b64_std, *hex, *dec;
} provider_random_id;
void provider_random_id_encode(provider_random_id *out, gf_arena *a, const unsigned char *bytes,
                               size_t n, const char *prefix);

#endif
