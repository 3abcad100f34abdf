/* fleet_* resources through the daemon's JSON API: objects to specs and
 * back, PUT/DELETE with ?wait, the daemon's failure reasons as errors. */
#include "provider/provider_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/api.h"

#define FLEET_WAIT_DEFAULT 300.0 /* s a PUT/DELETE may wait for convergence */

void provider_conn_init(provider_conn *c, const char *address, const char *token)
{
	cloud_endpoint e;
	cloud_endpoint_resolve(&e, address, token);
	c->url = e.url;
	c->token = e.token;
	c->wait = FLEET_WAIT_DEFAULT;
}

void provider_conn_dispose(provider_conn *c)
{
	free(c->url);
	free(c->token);
	c->url = c->token = NULL;
}

static const struct fleet_type {
	const char *type, *path, *key;
} fleet_types[] = {
        {"fleet_lb", "lbs", "name"},
        {"fleet_lb_listener", "listeners", "name"},
        {"fleet_target_group", "target-groups", "name"},
        {"fleet_launch_template", "launch-templates", "name"},
        {"fleet_autoscaling_group", "autoscaling-groups", "name"},
        {"fleet_build_project", "projects", "name"},
        {"fleet_webhook", "webhooks", "project_name"},
};

static const struct fleet_type *fleet_type(const provider_schema *s)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(fleet_types); i++)
		if (strcmp(fleet_types[i].type, s->type) == 0)
			return &fleet_types[i];
	gf_die("provider: %s is not a fleet type", s->type);
}

static const char *collection(const provider_schema *s)
{
	return fleet_type(s)->path;
}

const char *pvi_fleet_key(const provider_schema *s)
{
	return fleet_type(s)->key;
}

static void request_init(http_client_req *r, const provider_conn *c, const char *method,
                         const char *path)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = c->url;
	r->path = path;
	r->token = c->token;
	r->timeout = c->wait + 30;
	r->peer_name = "the gitfleet daemon";
	r->hint = "start it with: gitfleet daemon";
}

/* ---- objects ↔ specs ------------------------------------------------------ */

static json_t *value_json(gf_arena *a, const hcl_value *v)
{
	const char *text = hcl_value_to_json(a, v);
	return json_loads(text, JSON_DECODE_ANY, NULL);
}

static json_t *spec_of(gf_arena *a, const provider_block_schema *s, const hcl_value *obj)
{
	json_t *j = json_object();
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		const hcl_value *v = pvi_get(obj, pa->name);
		if (!(pa->flags & (PROVIDER_REQUIRED | PROVIDER_OPTIONAL)) ||
		    strcmp(pa->name, "source") == 0 || v->kind == HCL_VAL_NULL ||
		    !hcl_value_is_wholly_known(v))
			continue;
		if (strcmp(pa->name, "launch_template_version") == 0 && v->kind == HCL_VAL_STRING &&
		    strcmp(v->u.str.ptr, "$Latest") != 0) {
			json_object_set_new(j, pa->name,
			                    json_integer(strtoll(v->u.str.ptr, NULL, 10)));
			continue;
		}
		json_object_set_new(j, pa->name, value_json(a, v));
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		const provider_block *pb = &s->blocks[i];
		const hcl_value *list = pvi_get(obj, pb->name);
		if (list->kind != HCL_VAL_LIST || (list->u.coll.len == 0 && !pb->many))
			continue;
		if (!pb->many) {
			json_object_set_new(j, pb->name,
			                    spec_of(a, pb->schema, list->u.coll.items[0]));
			continue;
		}
		json_t *arr = json_array();
		for (size_t k = 0; k < list->u.coll.len; k++)
			json_array_append_new(arr, spec_of(a, pb->schema, list->u.coll.items[k]));
		json_object_set_new(j, pb->name, arr);
	}
	return j;
}

static const hcl_value *attr_from_json(gf_arena *a, const provider_attr *pa, json_t *v)
{
	if (!v || json_is_null(v))
		return hcl_null(a, pa->type);
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	const char *why = NULL;
	const hcl_value *h = hcl_value_from_json(a, text, strlen(text), &why);
	free(text);
	const hcl_value *c = h ? hcl_convert(a, h, pa->type, &why) : NULL;
	return c ? c : hcl_null(a, pa->type);
}

/* The object for what the daemon answered; `keep` (may be NULL) gives the
 * attributes the daemon does not hold (source). */
static const hcl_value *object_of(gf_arena *a, const provider_block_schema *s, json_t *j,
                                  const hcl_value *keep)
{
	size_t n = s->nattrs + s->nblocks;
	const char **keys = gf_arena_alloc(a, n * sizeof(*keys));
	const hcl_value **vals = gf_arena_alloc(a, n * sizeof(*vals));
	for (size_t i = 0; i < s->nattrs; i++) {
		const provider_attr *pa = &s->attrs[i];
		keys[i] = pa->name;
		json_t *v = json_object_get(j, pa->name);
		if (strcmp(pa->name, "template_version") == 0)
			v = json_object_get(json_object_get(j, "status"), "version");
		if (strcmp(pa->name, "source") == 0)
			vals[i] = keep ? pvi_get(keep, "source") : hcl_null(a, pa->type);
		else
			vals[i] = attr_from_json(a, pa, v);
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		const provider_block *pb = &s->blocks[i];
		keys[s->nattrs + i] = pb->name;
		json_t *b = json_object_get(j, pb->name);
		const hcl_type *et = provider_object_type(a, pb->schema);
		size_t k = 0;
		const hcl_value **items =
		        gf_arena_alloc(a, (json_array_size(b) + 1) * sizeof(*items));
		if (json_is_object(b))
			items[k++] = object_of(a, pb->schema, b, NULL);
		for (size_t e = 0; pb->many && e < json_array_size(b); e++)
			if (json_is_object(json_array_get(b, e)))
				items[k++] = object_of(a, pb->schema, json_array_get(b, e), NULL);
		vals[s->nattrs + i] = hcl_list(a, et, items, k);
	}
	return hcl_object(a, keys, vals, n);
}

json_t *provider_fleet_body(gf_arena *a, const provider_schema *s, const hcl_value *obj)
{
	json_t *spec = spec_of(a, &s->body, obj);
	pvi_pipeline_spec(s, spec);
	return spec;
}

const hcl_value *provider_fleet_object(gf_arena *a, const provider_schema *s, json_t *answer,
                                       const hcl_value *keep)
{
	pvi_pipeline_answer(s, answer, keep);
	return object_of(a, &s->body, answer, keep);
}

/* ---- releases --------------------------------------------------------------- */

static int ensure_release(const provider_conn *c, const char *sha, const char *dir)
{
	http_client_req r;
	http_client_resp resp = {0};
	char *path = gf_xasprintf("/v1/releases/%s", sha);
	gf_buf tar = GF_BUF_INIT;
	request_init(&r, c, "HEAD", path);
	int rc = http_client_request(&resp, &r);
	if (rc < 0 || resp.status == 200)
		goto done;
	if (resp.status != 404) {
		rc = gf_err_set(GF_ERROR, "HEAD %s: the daemon answered %d", path, resp.status);
		goto done;
	}
	if (!dir) {
		rc = gf_err_set(GF_ENOTFOUND,
		                "release %s is not on the daemon and no source directory was given "
		                "to upload it from",
		                sha);
		goto done;
	}
	char now[CLOUD_SHA256_HEX];
	if ((rc = cloud_release_hash_dir(now, dir)) < 0)
		goto done;
	if (strcmp(now, sha) != 0) {
		rc = gf_err_set(
		        GF_EINVALID,
		        "source \"%s\" changed after the plan was made (its content hash is "
		        "%s, the plan has %s); run plan again",
		        dir, now, sha);
		goto done;
	}
	if ((rc = cloud_release_tar(&tar, dir)) < 0)
		goto done;
	http_client_resp_dispose(&resp);
	memset(&resp, 0, sizeof(resp));
	request_init(&r, c, "PUT", path);
	r.content_type = "application/x-tar";
	r.body = tar.ptr;
	r.body_len = tar.len;
	if ((rc = http_client_request(&resp, &r)) < 0)
		goto done;
	if (resp.status != 200 && resp.status != 201)
		rc = gf_err_set(GF_ERROR, "upload of release %s from \"%s\" failed: %d %s", sha,
		                dir, resp.status, gf_buf_cstr(&resp.body));
done:
	gf_buf_dispose(&tar);
	http_client_resp_dispose(&resp);
	free(path);
	return rc;
}

/* ---- operations -------------------------------------------------------------- */

/* The daemon's reason for a failed rollout, as a sentence for the user. */
static int rollout_error(json_t *body)
{
	json_t *st = json_object_get(body, "status");
	const char *reason =
	        json_string_value(json_object_get(json_object_get(body, "wait"), "reason"));
	if (!reason || !*reason)
		reason = json_string_value(json_object_get(st, "reason"));
	json_int_t good = json_integer_value(json_object_get(st, "good_version"));
	json_int_t failed = json_integer_value(json_object_get(st, "failed_version"));
	if (good > 0 && good != failed)
		return gf_err_set(GF_ERROR,
		                  "instance refresh failed: %s; rolled back, the previous version "
		                  "(%lld) keeps serving",
		                  reason ? reason : "no reason given", (long long)good);
	return gf_err_set(GF_ERROR, "instances of version %lld failed to start: %s",
	                  (long long)failed, reason ? reason : "no reason given");
}

int pvi_fleet_apply(const hcl_value **out, gf_arena *a, const provider_conn *c,
                    const provider_schema *s, provider_op op, const hcl_value *prior,
                    const hcl_value *planned, const hcl_value *config)
{
	*out = NULL;
	const char *name = pvi_str(op == PROVIDER_OP_DELETE ? prior : planned, pvi_fleet_key(s));
	if (!name)
		return gf_err_set(GF_EINVALID, "the name is not known: nothing to address");
	char *path = gf_xasprintf("/v1/%s/%s?wait=%g", collection(s), name, c->wait);
	json_t *spec = NULL, *body = NULL;
	int status = 0, rc;
	http_client_req r;
	if (op == PROVIDER_OP_DELETE) {
		request_init(&r, c, "DELETE", path);
		rc = http_client_json(&body, &status, &r, NULL);
		if (rc == HTTP_ESTATUS && status == 404)
			rc = 0; /* already gone: the goal of a delete */
		goto done;
	}
	if (strcmp(s->type, "fleet_launch_template") == 0 && pvi_str(planned, "release") &&
	    (rc = ensure_release(c, pvi_str(planned, "release"), pvi_str(config, "source"))) < 0)
		goto done;
	spec = provider_fleet_body(a, s, planned);
	request_init(&r, c, "PUT", path);
	rc = http_client_json(&body, &status, &r, spec);
	const char *code =
	        json_string_value(json_object_get(json_object_get(body, "error"), "code"));
	if (rc == HTTP_ESTATUS && status == 422 && code && strcmp(code, "rollout_failed") == 0) {
		*out = provider_fleet_object(a, s, body, planned);
		rc = rollout_error(body);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (status == 202) {
		*out = provider_fleet_object(a, s, body, planned);
		rc = gf_err_set(GF_EAGAIN,
		                "did not converge within %g s (the daemon keeps trying; "
		                "see gitfleet's events)",
		                c->wait);
		goto done;
	}
	*out = provider_fleet_object(a, s, body, planned);
done:
	json_decref(spec);
	json_decref(body);
	free(path);
	return rc;
}

/* GET /v1/{collection}/{name}: 0 with *body, or HTTP_ESTATUS with
 * *status (404: there is none); *path is the request path, malloc'd. */
static int get_object(json_t **body, int *status, char **path, const provider_conn *c,
                      const provider_schema *s, const char *name)
{
	*body = NULL;
	*status = 0;
	*path = gf_xasprintf("/v1/%s/%s", collection(s), name);
	http_client_req r;
	request_init(&r, c, "GET", *path);
	return http_client_json(body, status, &r, NULL);
}

int pvi_fleet_read(const hcl_value **out, gf_arena *a, const provider_conn *c,
                   const provider_schema *s, const hcl_value *prior)
{
	*out = NULL;
	const char *name = pvi_str(prior, "id");
	if (!name)
		name = pvi_str(prior, pvi_fleet_key(s));
	if (!name)
		return 0;
	json_t *body;
	int status;
	char *path;
	int rc = get_object(&body, &status, &path, c, s, name);
	if (rc == HTTP_ESTATUS && status == 404)
		rc = 0;
	else if (rc == 0)
		*out = provider_fleet_object(a, s, body, prior);
	json_decref(body);
	free(path);
	return rc;
}

/* A data source's object: the daemon's object named by config's `name`;
 * not found is an error, as a lookup that finds nothing is in Terraform. */
int pvi_fleet_lookup(const hcl_value **out, gf_arena *a, const provider_conn *c,
                     const provider_schema *s, const hcl_value *config)
{
	*out = NULL;
	const char *name = pvi_str(config, "name");
	if (!name)
		return gf_err_set(GF_EINVALID, "the name to look up is not known");
	json_t *body;
	int status;
	char *path;
	int rc = get_object(&body, &status, &path, c, s, name);
	if (rc == HTTP_ESTATUS && status == 404)
		rc = gf_err_set(GF_ENOTFOUND,
		                "no %s named \"%s\" exists on the daemon (GET %s: 404)", s->type,
		                name, path);
	else if (rc == 0)
		*out = object_of(a, &s->body, body, NULL);
	json_decref(body);
	free(path);
	return rc;
}
