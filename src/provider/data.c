/* Data sources (provider.h, note 6): lookups of fleet objects by name,
 * derived from the resource schemas, and terraform_remote_state, which
 * reads the root outputs of another configuration's state. */
#include "provider/provider_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "state/state.h"

/* Fleet types that can be looked up by name, with the description of
 * their data source. */
static const struct {
	const char *type, *description;
} LOOKUPS[] = {
        {"fleet_autoscaling_group", "An existing autoscaling group, looked up by name."},
        {"fleet_launch_template", "An existing launch template, looked up by name."},
        {"fleet_lb", "An existing load balancer, looked up by name."},
        {"fleet_lb_listener", "An existing listener, looked up by name."},
        {"fleet_target_group", "An existing target group, looked up by name."},
};

/* Attributes a lookup cannot return: the daemon does not hold them. */
static bool not_held(const char *name)
{
	return strcmp(name, "source") == 0;
}

static const provider_attr remote_attrs[] = {
        {"backend", &hcl_type_string, PROVIDER_REQUIRED, NULL,
         "Where the other configuration keeps its state: \"local\", \"gitfleet\" or \"http\"."},
        {"config", &hcl_type_dynamic, PROVIDER_OPTIONAL, NULL,
         "The backend's arguments, as in that configuration's backend block: `path` (local), "
         "`name` (gitfleet), `address` (http)."},
        {"defaults", &hcl_type_dynamic, PROVIDER_OPTIONAL, NULL,
         "An object of values used for outputs the state does not have."},
        {"outputs", &hcl_type_dynamic, PROVIDER_COMPUTED, NULL,
         "The root outputs of that state (over `defaults`), as an object."},
        {"workspace", &hcl_type_string, PROVIDER_OPTIONAL, "\"default\"",
         "The workspace; only \"default\" exists."},
};

#define NDATA (GF_ARRAY_LEN(LOOKUPS) + 1)

static provider_schema data_schemas[NDATA];
static const provider_schema *data_ptrs[NDATA];
static pthread_once_t data_once = PTHREAD_ONCE_INIT;

/* A lookup's block: `name` required, every other attribute computed,
 * nested blocks computed. Allocated once, for the life of the process. */
static provider_block_schema derive(const provider_block_schema *r, bool top)
{
	provider_block_schema d = {0};
	provider_attr *attrs = gf_xcalloc(r->nattrs + 1, sizeof(*attrs));
	for (size_t i = 0; i < r->nattrs; i++) {
		if (not_held(r->attrs[i].name))
			continue;
		provider_attr a = r->attrs[i];
		a.flags = (top && strcmp(a.name, "name") == 0)
		                  ? PROVIDER_REQUIRED
		                  : PROVIDER_COMPUTED | (a.flags & PROVIDER_SENSITIVE);
		a.default_json = NULL;
		if (top && strcmp(a.name, "name") == 0)
			a.description = "The name of the object to look up.";
		attrs[d.nattrs++] = a;
	}
	provider_block *blocks = gf_xcalloc(r->nblocks + 1, sizeof(*blocks));
	for (size_t i = 0; i < r->nblocks; i++) {
		provider_block_schema *inner = gf_xmalloc(sizeof(*inner));
		*inner = derive(r->blocks[i].schema, false);
		blocks[i] = r->blocks[i];
		blocks[i].schema = inner;
		blocks[i].required = blocks[i].defaulted = false;
		blocks[i].flags = PROVIDER_COMPUTED;
	}
	d.attrs = attrs;
	d.blocks = blocks;
	d.nblocks = r->nblocks;
	return d;
}

static void build(void)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(LOOKUPS); i++) {
		const provider_schema *r = provider_schema_find(LOOKUPS[i].type);
		if (!r)
			gf_die("provider: no resource schema for data source %s", LOOKUPS[i].type);
		data_schemas[i] = *r;
		data_schemas[i].description = LOOKUPS[i].description;
		data_schemas[i].body = derive(&r->body, true);
	}
	data_schemas[NDATA - 1] = (provider_schema){
	        "terraform_remote_state",
	        "terraform",
	        STATE_PROVIDER_BUILTIN,
	        "The root outputs of another configuration's state, as Terraform's "
	        "terraform_remote_state: how a deployment pipeline reads what the infrastructure "
	        "exposes.",
	        {remote_attrs, GF_ARRAY_LEN(remote_attrs), NULL, 0}};
	for (size_t i = 0; i < NDATA; i++)
		data_ptrs[i] = &data_schemas[i];
}

const provider_schema *const *provider_data_schemas(size_t *n)
{
	pthread_once(&data_once, build);
	*n = NDATA;
	return data_ptrs;
}

const provider_schema *provider_data_schema_find(const char *type)
{
	size_t n;
	const provider_schema *const *all = provider_data_schemas(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->type, type) == 0)
			return all[i];
	return NULL;
}

const hcl_value *provider_data_plan(gf_arena *a, const provider_schema *s, const hcl_value *config)
{
	const hcl_value *p = config;
	for (size_t i = 0; i < s->body.nattrs; i++) {
		const provider_attr *pa = &s->body.attrs[i];
		if (pa->flags == PROVIDER_COMPUTED)
			p = pvi_with(a, p, pa->name, hcl_unknown(a, pa->type));
	}
	for (size_t i = 0; i < s->body.nblocks; i++) {
		const provider_block *pb = &s->body.blocks[i];
		if (pb->flags & PROVIDER_COMPUTED)
			p = pvi_with(a, p, pb->name,
			             hcl_unknown(a, hcl_type_list(a, provider_object_type(
			                                                     a, pb->schema))));
	}
	return p;
}

/* ---- terraform_remote_state ------------------------------------------------ */

static int read_remote_state(const hcl_value **out, gf_arena *a, const hcl_value *config)
{
	const char *backend = pvi_str(config, "backend");
	const char *ws = pvi_str(config, "workspace");
	if (ws && strcmp(ws, "default") != 0)
		return gf_err_set(GF_EINVALID,
		                  "workspace \"%s\": gitfleet states have only the \"default\" "
		                  "workspace",
		                  ws);
	const hcl_value *cv = pvi_get(config, "config");
	json_t *bcfg = cv->kind == HCL_VAL_NULL
	                       ? json_object()
	                       : json_loads(hcl_value_to_json(a, cv), JSON_DECODE_ANY, NULL);
	state_backend *b = NULL;
	state *st = NULL;
	int rc;
	if (!json_is_object(bcfg)) {
		rc = gf_err_set(GF_EINVALID, "config must be an object of the backend's arguments");
		goto done;
	}
	if ((rc = state_backend_open(&b, backend, bcfg, NULL)) < 0 ||
	    (rc = state_backend_read(b, &st)) < 0)
		goto done;
	const hcl_value *defaults = pvi_get(config, "defaults");
	size_t nd = defaults->kind == HCL_VAL_OBJECT || defaults->kind == HCL_VAL_MAP
	                    ? defaults->u.coll.len
	                    : 0;
	size_t n = nd + (st ? st->outputs.len : 0);
	const char **keys = gf_arena_alloc(a, (n + 1) * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, (n + 1) * sizeof(*vals));
	size_t k = 0;
	for (size_t i = 0; st && i < st->outputs.len; i++) {
		const state_output *o = st->outputs.items[i];
		const hcl_value *v = state_value_from_json(a, o->value, o->type);
		if (!v) {
			rc = gf_err_set(GF_EINVALID, "output \"%s\" of the state in %s: %s",
			                o->name, state_backend_describe(b), gf_err_msg());
			goto done;
		}
		keys[k] = gf_arena_strdup(a, o->name);
		vals[k++] = o->sensitive ? hcl_mark(a, v, HCL_MARK_SENSITIVE) : v;
	}
	for (size_t i = 0; i < nd; i++) {
		bool shadowed = false;
		for (size_t j = 0; j < k && !shadowed; j++)
			shadowed = strcmp(keys[j], defaults->u.coll.keys[i]) == 0;
		if (!shadowed) {
			keys[k] = defaults->u.coll.keys[i];
			vals[k++] = defaults->u.coll.items[i];
		}
	}
	*out = pvi_with(a, config, "outputs", hcl_object(a, keys, vals, k));
done:
	state_free(st);
	state_backend_free(b);
	json_decref(bcfg);
	return rc;
}

int provider_data_read(const hcl_value **out, gf_arena *a, const provider_conn *c,
                       const provider_schema *s, const hcl_value *config)
{
	*out = NULL;
	if (strcmp(s->type, "terraform_remote_state") == 0)
		return read_remote_state(out, a, config);
	return pvi_fleet_lookup(out, a, c, s, config);
}
