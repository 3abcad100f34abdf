/*
 * provider/provider_int.h — private to src/provider.
 *
 * schema.c    the schemas of every resource type
 * decode.c    a resource body → configuration object
 * resource.c  provider_plan and the object helpers below
 * random.c    random_id and terraform_data (local, no daemon)
 * fleet.c     fleet_* through the daemon's API (a release is uploaded,
 *             as cloud_release_tar makes it, when the daemon lacks it)
 * pipeline.c  the API shapes of fleet_build_project and fleet_webhook
 * data.c      data sources: fleet lookups, terraform_remote_state
 */
#ifndef GF_PROVIDER_INT_H
#define GF_PROVIDER_INT_H

#include "provider/provider.h"

#include <jansson.h>

/* Attribute `name` of an object; the null value when absent. */
const hcl_value *pvi_get(const hcl_value *obj, const char *name);
/* A copy of object `obj` with attribute `name` (which it has) set to v. */
const hcl_value *pvi_with(gf_arena *a, const hcl_value *obj, const char *name, const hcl_value *v);
/* A string attribute's text; NULL when it is not a known string. */
const char *pvi_str(const hcl_value *obj, const char *name);
bool pvi_known(const hcl_value *v);

int pvi_local_apply(const hcl_value **out, gf_arena *a, const provider_schema *s, provider_op op,
                    const hcl_value *planned);
int pvi_fleet_apply(const hcl_value **out, gf_arena *a, const provider_conn *c,
                    const provider_schema *s, provider_op op, const hcl_value *prior,
                    const hcl_value *planned, const hcl_value *config);
int pvi_fleet_read(const hcl_value **out, gf_arena *a, const provider_conn *c,
                   const provider_schema *s, const hcl_value *prior);

/* The attribute that names a fleet object in the API's path and is its
 * id: "name", or a webhook's "project_name". */
const char *pvi_fleet_key(const provider_schema *s);

/* pipeline.c: the object JSON fleet.c made (spec_of) → the API's body,
 * in place. */
void pvi_pipeline_spec(const provider_schema *s, json_t *spec);
/* The API's answer → the object JSON fleet.c reads (object_of), in place;
 * `keep` (planned or prior, may be NULL) gives what the daemon hides. */
void pvi_pipeline_answer(const provider_schema *s, json_t *body, const hcl_value *keep);

/* A fleet data source: GET of the object named by config's `name`. */
int pvi_fleet_lookup(const hcl_value **out, gf_arena *a, const provider_conn *c,
                     const provider_schema *s, const hcl_value *config);

#endif
