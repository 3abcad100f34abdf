/* provider_plan: the planned object of a resource from its configuration
 * and prior state (provider.h, notes 3 and 4). */
#include "provider/provider_int.h"

#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"

const hcl_value *pvi_get(const hcl_value *obj, const char *name)
{
	const hcl_value *v = obj ? hcl_value_get(obj, name) : NULL;
	return v ? v : &hcl_null_dynamic;
}

const hcl_value *pvi_with(gf_arena *a, const hcl_value *obj, const char *name, const hcl_value *v)
{
	size_t n = obj->u.coll.len;
	const char **keys = gf_arena_alloc(a, n * sizeof(*keys));
	const hcl_value **items = gf_arena_alloc(a, n * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		keys[i] = obj->u.coll.keys[i];
		items[i] = strcmp(keys[i], name) == 0 ? v : obj->u.coll.items[i];
	}
	return hcl_object(a, keys, items, n);
}

const char *pvi_str(const hcl_value *obj, const char *name)
{
	const hcl_value *v = pvi_get(obj, name);
	return v->kind == HCL_VAL_STRING ? v->u.str.ptr : NULL;
}

bool pvi_known(const hcl_value *v)
{
	return v->kind != HCL_VAL_UNKNOWN;
}

const char *provider_object_id(const hcl_value *obj)
{
	return obj ? pvi_str(obj, "id") : NULL;
}

static const hcl_value *default_value(gf_arena *a, const provider_attr *pa)
{
	const char *why = NULL;
	const hcl_value *v =
	        hcl_value_from_json(a, pa->default_json, strlen(pa->default_json), &why);
	const hcl_value *c = v ? hcl_convert(a, v, pa->type, &why) : NULL;
	if (!c) /* a schema bug, caught by the schema tests */
		gf_die("provider: bad default for %s: %s", pa->name, why ? why : "?");
	return c;
}

/* Defaults of a block's optional attributes and defaulted blocks. */
static const hcl_value *fill_defaults(gf_arena *a, const provider_block_schema *s,
                                      const hcl_value *obj)
{
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		if (pa->default_json && pvi_get(obj, pa->name)->kind == HCL_VAL_NULL)
			obj = pvi_with(a, obj, pa->name, default_value(a, pa));
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		const provider_block *pb = &s->blocks[i];
		const hcl_value *list = pvi_get(obj, pb->name);
		size_t n = list->kind == HCL_VAL_LIST ? list->u.coll.len : 0;
		const hcl_type *et = provider_object_type(a, pb->schema);
		const hcl_value **items = gf_arena_alloc(a, (n + 1) * sizeof(*items));
		for (size_t j = 0; j < n; j++)
			items[j] = fill_defaults(a, pb->schema, list->u.coll.items[j]);
		if (n == 0 && pb->defaulted) {
			size_t k = pb->schema->nattrs + pb->schema->nblocks;
			const char **keys = gf_arena_alloc(a, k * sizeof(*keys));
			const hcl_value **vals = gf_arena_alloc(a, k * sizeof(*vals));
			for (size_t j = 0; j < pb->schema->nattrs; j++) {
				keys[j] = pb->schema->attrs[j].name;
				vals[j] = hcl_null(a, pb->schema->attrs[j].type);
			}
			items[n++] = fill_defaults(a, pb->schema, hcl_object(a, keys, vals, k));
		}
		obj = pvi_with(a, obj, pb->name, hcl_list(a, et, items, n));
	}
	return obj;
}

/* Attributes (top level) whose change forces replacement and changed. */
static void replace_paths(gf_arena *a, const provider_schema *s, const hcl_value *planned,
                          const hcl_value *prior, const char ***out, size_t *n)
{
	*out = gf_arena_alloc(a, (s->body.nattrs + s->body.nblocks) * sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < s->body.nattrs; i++) {
		const provider_attr *pa = &s->body.attrs[i];
		if ((pa->flags & PROVIDER_FORCE_NEW) &&
		    !hcl_value_equal(pvi_get(planned, pa->name), pvi_get(prior, pa->name)))
			(*out)[(*n)++] = pa->name;
	}
	for (size_t i = 0; i < s->body.nblocks; i++) {
		const provider_block *pb = &s->body.blocks[i];
		if ((pb->flags & PROVIDER_FORCE_NEW) &&
		    !hcl_value_equal(pvi_get(planned, pb->name), pvi_get(prior, pb->name)))
			(*out)[(*n)++] = pb->name;
	}
}

/* Whether any configurable attribute or block differs. */
static bool config_changed(const provider_schema *s, const hcl_value *planned,
                           const hcl_value *prior)
{
	for (size_t i = 0; i < s->body.nattrs; i++) {
		const provider_attr *pa = &s->body.attrs[i];
		if (!(pa->flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL)))
			continue;
		if (!hcl_value_equal(pvi_get(planned, pa->name), pvi_get(prior, pa->name)))
			return true;
	}
	for (size_t i = 0; i < s->body.nblocks; i++)
		if (!hcl_value_equal(pvi_get(planned, s->body.blocks[i].name),
		                     pvi_get(prior, s->body.blocks[i].name)))
			return true;
	return false;
}

static const hcl_value *unknown_string(gf_arena *a)
{
	return hcl_unknown(a, &hcl_type_string);
}

static const hcl_value *plan_listener_name(gf_arena *a, const hcl_value *p)
{
	if (pvi_get(p, "name")->kind != HCL_VAL_NULL)
		return p;
	const hcl_value *lb = pvi_get(p, "load_balancer_id"), *port = pvi_get(p, "port");
	const hcl_value *name;
	if (!pvi_known(lb) || !pvi_known(port))
		name = unknown_string(a);
	else
		name = hcl_cstring(a, gf_arena_printf(a, "%s-%s", lb->u.str.ptr,
		                                      hcl_number_format(a, port->u.num)));
	return pvi_with(a, p, "name", name);
}

/* A project's source.type, the null value when there is none. */
static const hcl_value *source_type(const hcl_value *project)
{
	const hcl_value *src = pvi_get(project, "source");
	if (src->kind != HCL_VAL_LIST || src->u.coll.len == 0)
		return &hcl_null_dynamic;
	return pvi_get(src->u.coll.items[0], "type");
}

static int plan_template(const hcl_value **out, gf_arena *a, const hcl_value *p,
                         const hcl_value *prior)
{
	const char *source = pvi_str(p, "source");
	if (source) {
		char sha[CLOUD_SHA256_HEX];
		if (!gf_fs_is_dir(source))
			return gf_err_set(GF_ENOTFOUND,
			                  "source \"%s\": no such directory; give the directory "
			                  "whose content the instances serve",
			                  source);
		if (cloud_release_hash_dir(sha, source) < 0)
			return gf_err_set(GF_ERROR, "source \"%s\": %s", source, gf_err_msg());
		p = pvi_with(a, p, "release", hcl_cstring(a, sha));
		/* The content is the identity: the same release from another
		 * directory keeps the recorded path (provider.h, note 4). */
		const char *prior_rel = pvi_str(prior, "release");
		if (prior_rel && strcmp(prior_rel, sha) == 0 && pvi_str(prior, "source"))
			p = pvi_with(a, p, "source", pvi_get(prior, "source"));
	} else if (pvi_get(p, "release")->kind == HCL_VAL_NULL) {
		return gf_err_set(GF_EINVALID, "one of \"source\" or \"release\" must be set");
	}
	*out = p;
	return 0;
}

static const hcl_value *plan_group(gf_arena *a, const hcl_value *p, const hcl_value *prior,
                                   const provider_plan_ctx *ctx)
{
	if (pvi_get(p, "desired_capacity")->kind == HCL_VAL_NULL) {
		const hcl_value *d = pvi_get(prior, "desired_capacity");
		p = pvi_with(a, p, "desired_capacity",
		             d->kind == HCL_VAL_NUMBER ? d : pvi_get(p, "min_size"));
	}
	const hcl_value *ver = pvi_get(p, "launch_template_version");
	const hcl_value *tv = NULL;
	if (!pvi_known(ver)) {
		tv = hcl_unknown(a, &hcl_type_number);
	} else if (strcmp(ver->u.str.ptr, "$Latest") != 0) {
		double n = strtod(ver->u.str.ptr, NULL);
		tv = hcl_number(a, n);
	} else {
		const char *lt = pvi_str(p, "launch_template");
		const hcl_value *tmpl =
		        lt && ctx && ctx->planned
		                ? ctx->planned(ctx->payload, "fleet_launch_template", lt)
		                : NULL;
		if (tmpl)
			tv = pvi_get(tmpl, "latest_version");
		else if (lt && prior && pvi_str(prior, "launch_template") &&
		         strcmp(pvi_str(prior, "launch_template"), lt) == 0)
			tv = pvi_get(prior, "template_version");
		else
			tv = hcl_unknown(a, &hcl_type_number);
		if (tv->kind == HCL_VAL_NULL)
			tv = hcl_unknown(a, &hcl_type_number);
	}
	return pvi_with(a, p, "template_version", tv);
}

const hcl_value *provider_plan(gf_arena *a, const provider_schema *s, const hcl_value *config,
                               const hcl_value *prior, const provider_plan_ctx *ctx,
                               const char ***requires_replace, size_t *nreplace)
{
	const hcl_value *p = fill_defaults(a, &s->body, config);
	*requires_replace = NULL;
	*nreplace = 0;
	if (strcmp(s->type, "fleet_lb_listener") == 0)
		p = plan_listener_name(a, p);
	if (strcmp(s->type, "fleet_launch_template") == 0 && plan_template(&p, a, p, prior) < 0)
		return NULL;
	if (prior) {
		replace_paths(a, s, p, prior, requires_replace, nreplace);
		if (*nreplace)
			prior = NULL; /* computed attributes are those of a new object */
	}
	bool changed = prior && config_changed(s, p, prior);
	for (size_t i = 0; i < s->body.nattrs; i++) {
		const provider_attr *pa = &s->body.attrs[i];
		if (!(pa->flags & PROVIDER_COMPUTED) || pvi_get(p, pa->name)->kind != HCL_VAL_NULL)
			continue;
		const hcl_value *v = prior ? pvi_get(prior, pa->name) : hcl_unknown(a, pa->type);
		if (prior && changed && strcmp(pa->name, "latest_version") == 0)
			v = hcl_unknown(a, pa->type);
		if (prior && changed && strcmp(pa->name, "output") == 0)
			v = pvi_get(p, "input");
		p = pvi_with(a, p, pa->name, v);
	}
	if (strcmp(s->provider, "fleet") == 0)
		p = pvi_with(a, p, "id", pvi_get(p, pvi_fleet_key(s)));
	if (strcmp(s->type, "fleet_build_project") == 0 && prior &&
	    !hcl_value_equal(source_type(p), source_type(prior)))
		p = pvi_with(a, p, "repo_url", unknown_string(a)); /* hosted or not */
	if (strcmp(s->type, "terraform_data") == 0 && !prior)
		p = pvi_with(a, p, "output", pvi_get(p, "input"));
	if (strcmp(s->type, "fleet_autoscaling_group") == 0)
		p = plan_group(a, p, prior, ctx);
	return p;
}
