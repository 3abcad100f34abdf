/* fleet_build_project and fleet_webhook: the generic object JSON of
 * fleet.c in the shapes of /v1/projects and /v1/webhooks, and back
 * (provider.h, note 6). */
#include "provider/provider_int.h"

#include <string.h>

static bool is_type(const provider_schema *s, const char *type)
{
	return strcmp(s->type, type) == 0;
}

void pvi_pipeline_spec(const provider_schema *s, json_t *spec)
{
	if (!is_type(s, "fleet_webhook"))
		return;
	/* Always sent, empty included: removing every group must reach the
	 * daemon (no group: every push builds). */
	json_t *groups = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(spec, "filter_group"), i, g)
	{
		json_t *filters = json_object_get(g, "filter");
		json_array_append_new(groups, filters ? json_incref(filters) : json_array());
	}
	json_object_del(spec, "filter_group");
	json_object_set_new(spec, "filter_groups", groups);
}

/* The daemon shows "(sensitive)" for a secret's value: the value is the
 * one of `keep` (planned or prior) under the same name. */
static void keep_secrets(json_t *body, const hcl_value *keep)
{
	json_t *secrets = json_object_get(json_object_get(body, "environment"), "secrets");
	const hcl_value *env = pvi_get(keep, "environment");
	const hcl_value *kept = NULL;
	if (env->kind == HCL_VAL_LIST && env->u.coll.len == 1)
		kept = pvi_get(env->u.coll.items[0], "secrets");
	const char *k;
	json_t *v;
	json_object_foreach(secrets, k, v)
	{
		const hcl_value *kv =
		        kept && kept->kind == HCL_VAL_MAP ? hcl_value_get(kept, k) : NULL;
		if (kv && kv->kind == HCL_VAL_STRING)
			json_object_set_new(secrets, k, json_string(kv->u.str.ptr));
	}
}

void pvi_pipeline_answer(const provider_schema *s, json_t *body, const hcl_value *keep)
{
	if (is_type(s, "fleet_build_project")) {
		json_object_set(body, "id", json_object_get(body, "name"));
		keep_secrets(body, keep);
		return;
	}
	if (!is_type(s, "fleet_webhook"))
		return;
	json_object_set(body, "id", json_object_get(body, "project_name"));
	json_t *blocks = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(body, "filter_groups"), i, g)
	        json_array_append_new(blocks, json_pack("{s:O}", "filter", g));
	json_object_set_new(body, "filter_group", blocks);
}
