/*
 * state — what gitfleet knows about the objects it manages: the state
 * model (Terraform's state format v4), resource addresses, and the
 * backends that keep a state and its lock (a local file, an http server,
 * the gitfleet daemon).
 *
 * NOTES ON THE DESIGN
 *
 * 1. Addresses (addr.c) are shared by the whole IaC engine: the plan, the
 *    provider and the commands parse and print resource addresses with
 *    state_addr_parse / state_addr_format, never by hand. An address is a
 *    module path (module.net, module.net[0], module.net["a"]) followed by
 *    an optional resource (fleet_lb.web, data.fleet_lb.x) with an optional
 *    instance key ([0], ["a"]). `module.net` alone addresses a module.
 *
 * 2. The model (state.c) is plain C structs whose attribute values are
 *    jansson JSON (the state file's own representation: the plan engine
 *    converts with hcl_value_to_json / hcl_value_from_json). Resources and
 *    instances are held by pointer, so a pointer returned by a lookup stays
 *    valid until that very object is removed or the state is freed.
 *
 * 3. Serialisation (json.c) is deterministic: keys in Terraform's order,
 *    resources sorted by (module, mode with data first, type, name),
 *    instances by key (ints numerically, then strings), outputs and the
 *    keys inside attribute objects sorted, and the text Go's
 *    json.MarshalIndent writes (json_write.c: two-space indentation, <>&
 *    escaped, shortest reals), so files match Terraform's byte for byte.
 *    state_parse → state_serialize reproduces a file written by gitfleet
 *    byte for byte. Parsing is strict: a wrong type,
 *    an unknown key or a bad address is an error naming the source (file
 *    or URL) and the JSON path (`resources[2].instances[0].attributes`);
 *    a corrupt state is never replaced silently.
 *
 * 4. Serial and lineage. The lineage (a random UUID) is set once when a
 *    state is created and never changes. A backend remembers the last
 *    state it read or wrote; state_backend_write bumps the serial only
 *    when the content differs from that state (writing the same state
 *    twice is a no-op), so a serial names exactly one content per lineage.
 *
 * 5. Backends (backend_*.c) all speak one interface:
 *
 *      open ──► [lock] ──► read ──► write ... write ──► [unlock] ──► free
 *
 *    Locks are advisory and held by ID (a UUID made by the locker). A lock
 *    held by someone else is GF_ELOCKED with the holder's state_lock_info.
 *    Lock info is Terraform's LockInfo JSON (ID, Operation, Info, Who,
 *    Version, Created, Path). Backends:
 *      local     the file `path` (default gitfleet.tfstate), written
 *                atomically with the previous state kept as PATH.backup;
 *                locked with fcntl on .PATH.lock.info, which holds the
 *                lock info while locked.
 *      http      Terraform's http backend protocol (see docs/state.md).
 *      gitfleet  the http protocol against the daemon's /v1/state/{name},
 *                reached as every gitfleet client reaches the daemon
 *                (cloud_endpoint_resolve in cloud.h, shared with the
 *                provider: GITFLEET_ADDR / GITFLEET_TOKEN, else the
 *                block's address / token, else the unix socket of the
 *                daemon's home).
 *
 * 6. The working directory (workdir.c): `gitfleet init` records the
 *    backend type, its merged configuration and a hash of it in
 *    .gitfleet/terraform.tfstate. Commands open the backend with
 *    state_backend_open_dir, which checks that record against the
 *    configuration ("Backend initialization required ...").
 *
 * Threads: none. Every function is for the CLI's one thread (the daemon
 * side of the gitfleet backend lives in statesrv/).
 */
#ifndef GF_STATE_H
#define GF_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct config;

#define STATE_FORMAT_VERSION 4
/* The provider string written for fleet_*, random_* and terraform_data. */
#define STATE_PROVIDER_FLEET   "provider[\"registry.terraform.io/gitfleet/fleet\"]"
#define STATE_PROVIDER_BUILTIN "provider[\"terraform.io/builtin/terraform\"]"
#define STATE_PROVIDER_RANDOM  "provider[\"registry.terraform.io/hashicorp/random\"]"
#define STATE_DEFAULT_PATH     "gitfleet.tfstate"
#define STATE_WORKDIR          ".gitfleet"
#define STATE_UUID_LEN         37 /* 36 characters and a NUL */

/* ---- addresses (addr.c) ---------------------------------------------------- */

typedef enum {
	STATE_KEY_NONE,   /* no count or for_each: `fleet_lb.web` */
	STATE_KEY_INT,    /* count: `fleet_lb.web[0]` */
	STATE_KEY_STRING, /* for_each: `fleet_lb.web["a"]` */
} state_key_kind;

typedef struct {
	state_key_kind kind;
	int64_t i; /* STATE_KEY_INT */
	char *s;   /* STATE_KEY_STRING, malloc'd */
} state_key;

typedef enum {
	STATE_MANAGED,
	STATE_DATA,
} state_mode;

typedef struct {
	char *name; /* "net" of module.net */
	state_key key;
} state_module_step;

typedef struct {
	state_module_step *modules; /* the module path; NULL when in the root */
	size_t nmodules;
	char *type; /* NULL: the address names a module (or the root) only */
	char *name;
	state_mode mode;
	state_key key; /* the instance key; NONE also for a whole resource */
} state_addr;

/*
 * Parses an address: `fleet_lb.web`, `fleet_lb.web[0]`, `data.x.y["k"]`,
 * `module.net[1].fleet_lb.x`, `module.net`. Keys are integers ≥ 0 or
 * double-quoted strings with \" and \\ escapes. GF_EINVALID with a message
 * saying what is wrong (`invalid resource address "x": ...`). Dispose *out.
 */
int state_addr_parse(state_addr *out, const char *text);
void state_addr_dispose(state_addr *a);
/* Deep copy. */
void state_addr_copy(state_addr *out, const state_addr *a);
/* Appends the canonical text of `a` (the form state_addr_parse reads). */
int state_addr_format(gf_buf *out, const state_addr *a);
/* The canonical text, malloc'd. */
char *state_addr_string(const state_addr *a);
/* The module part only: "" for the root, "module.net[0].module.db". */
char *state_addr_module_string(const state_addr *a);
/* Parses a module path such as a state file's "module" value ("" is the
 * root) into out->modules; the resource part of *out is left empty. */
int state_addr_parse_module(state_addr *out, const char *text);
bool state_key_equal(const state_key *a, const state_key *b);
/* Orders keys: none, then ints numerically, then strings bytewise. */
int state_key_compare(const state_key *a, const state_key *b);
void state_key_copy(state_key *out, const state_key *k);
void state_key_dispose(state_key *k);
bool state_addr_equal(const state_addr *a, const state_addr *b);
/*
 * Whether the instance address `inst` is selected by `pattern`, as
 * `terraform state list|rm PATTERN` selects: a module address selects
 * everything in it and its children, a resource address without a key
 * every instance of the resource, an address with a key that instance.
 */
bool state_addr_matches(const state_addr *pattern, const state_addr *inst);

/* ---- the model (state.c) ------------------------------------------------- */

typedef enum {
	STATE_EACH_NONE, /* no "each" key */
	STATE_EACH_LIST, /* count: "each": "list" */
	STATE_EACH_MAP,  /* for_each: "each": "map" */
} state_each;

typedef struct {
	state_key key;          /* "index_key" */
	int64_t schema_version; /* "schema_version" */
	json_t *attributes;     /* object, owned; never NULL */
	/* Terraform's paths of sensitive attributes, e.g.
	 * [[{"type": "get_attr", "value": "token"}]]; array, owned, never NULL */
	json_t *sensitive_attributes;
	char *private_data;  /* "private" (opaque base64), NULL when absent */
	char **dependencies; /* resource addresses, sorted and unique on write */
	size_t ndependencies;
	bool create_before_destroy;
	bool tainted; /* "status": "tainted" */
} state_instance;

typedef struct {
	char *module; /* "" for the root module, else "module.net[0]" ... */
	state_mode mode;
	char *type, *name;
	state_each each;
	char *provider; /* STATE_PROVIDER_FLEET and friends */
	GF_VEC(state_instance *) instances;
} state_resource;

typedef struct {
	char *name;
	json_t *value; /* owned */
	json_t *type;  /* cty type JSON ("string", ["list", "string"], ...); owned */
	bool sensitive;
} state_output;

typedef struct state {
	int64_t serial;
	char lineage[STATE_UUID_LEN];
	char *terraform_version; /* the writer's version; gitfleet writes GF_VERSION */
	GF_VEC(state_output *) outputs;
	GF_VEC(state_resource *) resources;
	json_t *check_results; /* kept as read; json null when absent */
} state;

/* A random version 4 UUID ("8-4-4-4-12" lowercase hex); GF_ERROR when the
 * system has no randomness. */
int state_uuid(char out[STATE_UUID_LEN]);

/* A new empty state: serial 0, a fresh lineage. */
state *state_new(void);
void state_free(state *s);
/* Deep copy (saved plans keep the snapshot they were made from). */
state *state_copy(const state *s);
/* True when no resource and no output is left. */
bool state_is_empty(const state *s);

/*
 * Parses state JSON. `source` names where it came from ("gitfleet.tfstate",
 * "http://host/state") and starts every error message. Versions other than
 * 4 are refused (GF_EINVALID) with what to do. Free *out with state_free.
 */
int state_parse(state **out, const char *json, size_t len, const char *source);
/* Appends the canonical JSON of `s` (note 3) to `out`. */
int state_serialize(gf_buf *out, const state *s);

/* The resource `a` is in (its key ignored); NULL if none. */
state_resource *state_resource_find(const state *s, const state_addr *a);
/* The instance at `a`; NULL if none. */
state_instance *state_instance_find(const state *s, const state_addr *a);
/*
 * The instance at `a` (a resource address; data. for data sources),
 * created empty ({} attributes, schema_version 0) with its resource when
 * absent. `provider` (may be NULL for an existing resource) sets the
 * resource's provider. Its resource's "each" follows the key kind.
 */
state_instance *state_instance_ensure(state *s, const state_addr *a, const char *provider);
/* Replaces an instance's attributes (consumed, like json_object_set_new). */
void state_instance_set_attributes(state_instance *i, json_t *attributes);
/* Replaces its dependencies (copied). */
void state_instance_set_dependencies(state_instance *i, const char *const *deps, size_t n);
/* Removes the instance at `a`, and its resource when it was the last one.
 * GF_ENOTFOUND (message naming the address) when there is none. */
int state_instance_remove(state *s, const state_addr *a);
/* The address of instance `i` of resource `r`. Dispose *out. */
int state_instance_addr(state_addr *out, const state_resource *r, const state_instance *i);

/*
 * Moves what is at `from` to `to`, as `terraform state mv` does (move.c):
 *   module → module     (neither has a type) every resource whose module
 *                       path starts with from's steps, keys compared
 *                       exactly (`module.a` is the no-key instance), goes
 *                       under to's steps: module.a → module.b,
 *                       module.a → module.a[0];
 *   resource → resource (neither has a key) the whole resource, every
 *                       instance, its "each" kept;
 *   instance → instance (a key on either side; a keyless side names the
 *                       no-key instance) fleet_lb.a → fleet_lb.b[0],
 *                       fleet_lb.a[0] → fleet_lb.a["x"].
 * Returns the number of resource instances moved. Everything is checked
 * before anything moves: GF_ENOTFOUND when nothing is at `from`,
 * GF_EEXISTS when something is already at `to`, GF_EINVALID for a module
 * and a resource, different types or modes; the message is Terraform's
 * ("Cannot move fleet_lb.a: does not match anything in the current
 * state."). Dependencies that named what moved name its new address (after
 * an instance move the old one too, for the instances left there), where
 * Terraform drops them: gitfleet orders destroys by them, and an instance
 * that does not change does not record them again.
 */
int state_move(state *s, const state_addr *from, const state_addr *to);
/* Called once per instance moved, with its old and new address. */
typedef void (*state_moved_fn)(const state_addr *from, const state_addr *to, void *payload);
/* state_move telling fn (may be NULL) about every instance it moved. */
int state_move_each(state *s, const state_addr *from, const state_addr *to, state_moved_fn fn,
                    void *payload);

/* Calls fn for every instance in serialisation order (note 3); a nonzero
 * return stops and is returned. */
typedef int (*state_instance_fn)(const state_resource *r, state_instance *i, void *payload);
int state_foreach_instance(state *s, state_instance_fn fn, void *payload);
/* Every instance address (canonical text) selected by one of `patterns`
 * (all when n is 0), in serialisation order; *out malloc'd strings in a
 * malloc'd array, free with state_strings_free. */
size_t state_list(char ***out, const state *s, const state_addr *patterns, size_t n);
void state_strings_free(char **v, size_t n);

const state_output *state_output_find(const state *s, const char *name);
/* Sets an output (value and type consumed). */
void state_output_set(state *s, const char *name, json_t *value, json_t *type, bool sensitive);
void state_outputs_clear(state *s);

/* ---- values (values.c): state JSON <-> hcl values ------------------------- */

struct hcl_type;
struct hcl_value;

/* A cty type as Terraform writes it in state ("string", ["list","number"],
 * ["object",{"a":"string"}], ["tuple",[...]], "dynamic"): a new reference. */
json_t *state_type_to_json(const struct hcl_type *t);
/* The reverse; NULL (and a message) when `j` is not a type. */
const struct hcl_type *state_type_from_json(gf_arena *a, const json_t *j);
/* A value of the state (attributes, outputs) as an hcl value of type `type`
 * (json null: as jsondecode reads it). NULL with gf_err set on failure. */
const struct hcl_value *state_value_from_json(gf_arena *a, const json_t *value, const json_t *type);

/* ---- lock info ------------------------------------------------------------- */

/* Terraform's LockInfo. Strings are fixed-size and always NUL-terminated. */
typedef struct {
	char id[STATE_UUID_LEN + 64]; /* others' lock IDs need not be UUIDs */
	char operation[64];           /* "OperationTypeApply", "OperationTypePlan", ... */
	char info[256];
	char who[256];    /* user@host */
	char version[32]; /* gitfleet's version */
	char created[64]; /* RFC 3339 with nanoseconds, UTC, as Go writes it */
	char path[1024];  /* the state's location */
} state_lock_info;

/* Fills a new lock's info: a fresh ID, Who from the user and host name,
 * Created now, Version GF_VERSION. `path` may be NULL (the backend fills
 * it). */
int state_lock_info_init(state_lock_info *li, const char *operation, const char *path);
/* {"ID": ..., "Operation": ..., "Info": ..., "Who": ..., "Version": ...,
 * "Created": ..., "Path": ...}: a new reference. */
json_t *state_lock_info_to_json(const state_lock_info *li);
/* Parses LockInfo JSON (missing fields empty; not an object: GF_EINVALID). */
int state_lock_info_from_json(state_lock_info *out, const json_t *j);
int state_lock_info_parse(state_lock_info *out, const char *json, size_t len);
/*
 * Terraform's text for a lock that could not be taken, ending with the
 * force-unlock advice:
 *
 *   Error acquiring the state lock
 *
 *   Error message: <why>
 *   Lock Info:
 *     ID:        ...
 *     Path:      ...
 *     ...
 *
 *   gitfleet acquires a state lock to protect the state from being written
 *   ... "-lock=false" ... `gitfleet force-unlock <ID>` ...
 */
int state_lock_error_format(gf_buf *out, const state_lock_info *holder, const char *why);

/* ---- backends (backend.c, backend_local.c, backend_http.c) ------------------ */

typedef struct state_backend state_backend;

/*
 * Opens a backend of `type` ("local", "http", "gitfleet") with its
 * configuration: a JSON object of the backend block's arguments (strings,
 * numbers, bools), as `gitfleet init` merged them. Unknown or mistyped
 * arguments are GF_EINVALID naming the argument. Relative local paths are
 * relative to `dir` (the configuration's directory; NULL: the current
 * one). Nothing is read or locked yet.
 */
int state_backend_open(state_backend **out, const char *type, const json_t *config,
                       const char *dir);
void state_backend_free(state_backend *b);
const char *state_backend_type(const state_backend *b);
/* Where the state is, for messages: "gitfleet.tfstate",
 * "http://127.0.0.1:8080/state", "gitfleet daemon state \"site\"". */
const char *state_backend_describe(const state_backend *b);

/* Reads the state: 0 with *out a state, or 0 with *out NULL when there is
 * none yet. Errors: unreachable server, a corrupt state (GF_EINVALID). */
int state_backend_read(state_backend *b, state **out);
/* The state bytes as stored (for `state pull`); 0 with an empty buffer
 * when there is none. */
int state_backend_read_raw(state_backend *b, gf_buf *out);
/*
 * Persists `s` (note 4: the serial is bumped when the content changed since
 * the last read or write through b; an unchanged state is not written).
 * Refuses (GF_EINVALID) a state whose lineage differs from the stored one.
 * When b holds the lock, the write carries its ID.
 */
int state_backend_write(state_backend *b, state *s);
/*
 * `state push`: writes `s` as given (its serial kept). Without `force`,
 * refuses another lineage or a serial not above the stored one, with
 * Terraform's messages.
 */
int state_backend_push(state_backend *b, const state *s, bool force);
/* Deletes the stored state (local: the file; http: DELETE). */
int state_backend_delete(state_backend *b);

/*
 * Takes the lock once with `li` (ID, Operation, Who ... filled by
 * state_lock_info_init; Path filled here). GF_ELOCKED with the holder's
 * info in *holder (may be NULL) when someone else holds it; other errors
 * for an unreachable server and the like.
 */
int state_backend_lock(state_backend *b, state_lock_info *li, state_lock_info *holder);
/*
 * As Terraform's -lock-timeout: tries to lock for `operation` until it
 * succeeds or `timeout` seconds passed (0: once), with a growing pause
 * between tries. On GF_ELOCKED, gf_err_msg() is the whole
 * state_lock_error_format text.
 */
int state_backend_lock_wait(state_backend *b, const char *operation, double timeout);
/* Releases the lock b holds (no-op when it holds none). */
int state_backend_unlock(state_backend *b);
/* `force-unlock ID`: releases a lock by ID whoever holds it. GF_ENOTFOUND
 * when no lock is held; GF_EINVALID when the held lock has another ID;
 * GF_ELOCKED for a local lock whose holder still runs (the kernel owns
 * it: it goes when that process exits). */
int state_backend_force_unlock(state_backend *b, const char *id);
/* The ID of the lock b holds, or NULL. */
const char *state_backend_lock_id(const state_backend *b);

/* ---- the working directory (workdir.c) ------------------------------------- */

/* What `gitfleet init` recorded in .gitfleet/terraform.tfstate. */
typedef struct {
	char *type;     /* "local", "http", "gitfleet" */
	json_t *config; /* the block's arguments merged with -backend-config; owned */
	char *hash;     /* state_backend_config_hash of the type and the block's
	                   arguments alone, which is what later commands can
	                   check against the configuration */
} state_backend_record;

void state_backend_record_dispose(state_backend_record *r);
/* Reads DIR/.gitfleet/terraform.tfstate; GF_ENOTFOUND when not
 * initialised. */
int state_workdir_read(state_backend_record *out, const char *dir);
int state_workdir_write(const char *dir, const state_backend_record *r);
/* The hash of a type and configuration (as recorded). */
char *state_backend_config_hash(const char *type, const json_t *config);

/*
 * Evaluates the root module's `terraform { backend "T" { ... } }` block
 * (constants only: variables are not allowed there, as in Terraform) into
 * *type (NULL when there is no block: "local" is implied) and *config (a
 * new JSON object). Errors go to cfg->diags; returns GF_EINVALID then.
 */
int state_backend_config_eval(char **type, json_t **config, struct config *cfg);

/*
 * What plan, apply, destroy, output, show, state and force-unlock call:
 * opens the backend recorded by `gitfleet init` in `dir` after checking
 * that it still matches the configuration `cfg` (may be NULL: the record
 * is used as it is). With no backend block and no record, the local
 * backend with its defaults. Errors (GF_EINVALID), with Terraform's words:
 * "Backend initialization required, please run \"gitfleet init\"" (a
 * non-local backend configured but not initialised) and "Backend
 * configuration changed" (the record differs from the configuration).
 */
int state_backend_open_dir(state_backend **out, const char *dir, struct config *cfg);

#endif
