/* State JSON: strict parsing and canonical serialisation (state.h, note 3). */
#include "state/state.h"
#include "state/state_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing --------------------------------------------------------------- */

typedef struct {
	const char *source;
	char path[160]; /* the JSON path being read, for messages */
} ctx;

static int bad(ctx *c, const char *fmt, ...) GF_PRINTF(2, 3);
static int bad(ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gf_err_set(GF_EINVALID, "%s: invalid state: %s%s%s", c->source, c->path,
	                  c->path[0] ? ": " : "", msg);
}

/* Refuses keys of `obj` not in `known` (NULL-terminated). */
static int check_keys(ctx *c, const json_t *obj, const char *const *known)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], k) == 0;
		if (!ok)
			return bad(c, "unknown key \"%s\"", k);
	}
	return 0;
}

static int get_string(ctx *c, char **out, const json_t *obj, const char *key, bool required)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return bad(c, "\"%s\" is missing", key);
		return 0;
	}
	if (!json_is_string(v))
		return bad(c, "\"%s\" must be a string", key);
	*out = gf_xstrdup(json_string_value(v));
	return 0;
}

static int parse_instance(ctx *c, state_instance **out, const json_t *j)
{
	static const char *const known[] = {"index_key",
	                                    "status",
	                                    "schema_version",
	                                    "attributes",
	                                    "sensitive_attributes",
	                                    "private",
	                                    "dependencies",
	                                    "create_before_destroy",
	                                    NULL};
	if (!json_is_object(j))
		return bad(c, "an instance must be an object");
	int rc = check_keys(c, j, known);
	if (rc < 0)
		return rc;
	state_instance *i = gf_xcalloc(1, sizeof(*i));
	json_t *v;
	if ((v = json_object_get(j, "index_key"))) {
		if (json_is_integer(v) && json_integer_value(v) >= 0) {
			i->key.kind = STATE_KEY_INT;
			i->key.i = json_integer_value(v);
		} else if (json_is_string(v)) {
			i->key.kind = STATE_KEY_STRING;
			i->key.s = gf_xstrdup(json_string_value(v));
		} else {
			rc = bad(c, "\"index_key\" must be a whole number ≥ 0 or a string");
			goto fail;
		}
	}
	if ((v = json_object_get(j, "status"))) {
		if (!json_is_string(v) || strcmp(json_string_value(v), "tainted") != 0) {
			rc = bad(c, "\"status\" can only be \"tainted\"");
			goto fail;
		}
		i->tainted = true;
	}
	v = json_object_get(j, "schema_version");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rc = bad(c, "\"schema_version\" must be a whole number ≥ 0");
		goto fail;
	}
	i->schema_version = json_integer_value(v);
	v = json_object_get(j, "attributes");
	if (v && !json_is_object(v)) {
		rc = bad(c, "\"attributes\" must be an object");
		goto fail;
	}
	i->attributes = v ? json_incref(v) : json_object();
	v = json_object_get(j, "sensitive_attributes");
	if (v && !json_is_array(v)) {
		rc = bad(c, "\"sensitive_attributes\" must be an array");
		goto fail;
	}
	i->sensitive_attributes = v ? json_incref(v) : json_array();
	if ((rc = get_string(c, &i->private_data, j, "private", false)) < 0)
		goto fail;
	if ((v = json_object_get(j, "dependencies"))) {
		if (!json_is_array(v)) {
			rc = bad(c, "\"dependencies\" must be an array of resource addresses");
			goto fail;
		}
		i->dependencies = gf_xcalloc(json_array_size(v) + 1, sizeof(char *));
		for (size_t k = 0; k < json_array_size(v); k++) {
			json_t *d = json_array_get(v, k);
			state_addr a;
			if (!json_is_string(d)) {
				rc = bad(c, "dependencies[%zu] must be a string", k);
				goto fail;
			}
			if (state_addr_parse(&a, json_string_value(d)) < 0) {
				rc = bad(c, "dependencies[%zu]: %s", k, gf_err_msg());
				goto fail;
			}
			state_addr_dispose(&a);
			i->dependencies[i->ndependencies++] = gf_xstrdup(json_string_value(d));
		}
	}
	if ((v = json_object_get(j, "create_before_destroy"))) {
		if (!json_is_boolean(v)) {
			rc = bad(c, "\"create_before_destroy\" must be true or false");
			goto fail;
		}
		i->create_before_destroy = json_is_true(v);
	}
	*out = i;
	return 0;
fail:
	if (!i->attributes)
		i->attributes = json_object();
	state_instance_free(i);
	return rc;
}

/* An instance's key and where it was in the file. */
typedef struct {
	const state_key *key;
	size_t index;
} placed_key;

static int placed_key_cmp(const void *pa, const void *pb)
{
	const placed_key *a = pa, *b = pb;
	int c = state_key_compare(a->key, b->key);
	return c ? c : a->index < b->index ? -1 : a->index > b->index;
}

/* Refuses two instances of r with the same index_key, naming the first one
 * (in file order) that repeats an earlier one. Sorted, as resources are in
 * check_duplicates: the daemon parses every state POSTed to it, and a
 * resource of a million instances must not take a million squared. */
static int check_keys_unique(ctx *c, const state_resource *r)
{
	size_t n = r->instances.len, dup = n;
	placed_key *p = gf_xcalloc(n ? n : 1, sizeof(*p));
	for (size_t i = 0; i < n; i++)
		p[i] = (placed_key){&r->instances.items[i]->key, i};
	qsort(p, n, sizeof(*p), placed_key_cmp);
	for (size_t i = 1; i < n; i++)
		if (state_key_equal(p[i - 1].key, p[i].key) && p[i].index < dup)
			dup = p[i].index;
	free(p);
	if (dup == n)
		return 0;
	size_t base = strlen(c->path);
	snprintf(c->path + base, sizeof(c->path) - base, ".instances[%zu]", dup);
	return bad(c, "two instances have the same index_key");
}

static int parse_resource(ctx *c, state_resource **out, const json_t *j)
{
	static const char *const known[] = {"module", "mode",     "type",      "name",
	                                    "each",   "provider", "instances", NULL};
	if (!json_is_object(j))
		return bad(c, "a resource must be an object");
	int rc = check_keys(c, j, known);
	if (rc < 0)
		return rc;
	state_resource *r = gf_xcalloc(1, sizeof(*r));
	char *mode = NULL, *each = NULL;
	state_addr a;
	if ((rc = get_string(c, &r->module, j, "module", false)) < 0 ||
	    (rc = get_string(c, &mode, j, "mode", true)) < 0 ||
	    (rc = get_string(c, &r->type, j, "type", true)) < 0 ||
	    (rc = get_string(c, &r->name, j, "name", true)) < 0 ||
	    (rc = get_string(c, &each, j, "each", false)) < 0 ||
	    (rc = get_string(c, &r->provider, j, "provider", true)) < 0)
		goto fail;
	if (!r->module)
		r->module = gf_xstrdup("");
	if (state_addr_parse_module(&a, r->module) < 0) {
		rc = bad(c, "\"module\": %s", gf_err_msg());
		goto fail;
	}
	state_addr_dispose(&a);
	if (strcmp(mode, "managed") == 0)
		r->mode = STATE_MANAGED;
	else if (strcmp(mode, "data") == 0)
		r->mode = STATE_DATA;
	else {
		rc = bad(c, "\"mode\" must be \"managed\" or \"data\", not \"%s\"", mode);
		goto fail;
	}
	/* The type and name must make an address. */
	char *text = gf_xasprintf("%s.%s", r->type, r->name);
	rc = state_addr_parse(&a, text);
	free(text);
	if (rc < 0 || a.key.kind != STATE_KEY_NONE || a.nmodules || a.mode != STATE_MANAGED) {
		if (rc == 0)
			state_addr_dispose(&a);
		rc = bad(c, "\"type\" and \"name\" must be identifiers");
		goto fail;
	}
	state_addr_dispose(&a);
	if (each && strcmp(each, "list") == 0)
		r->each = STATE_EACH_LIST;
	else if (each && strcmp(each, "map") == 0)
		r->each = STATE_EACH_MAP;
	else if (each) {
		rc = bad(c, "\"each\" must be \"list\" or \"map\"");
		goto fail;
	}
	json_t *insts = json_object_get(j, "instances");
	if (!json_is_array(insts)) {
		rc = bad(c, "\"instances\" must be an array");
		goto fail;
	}
	size_t base = strlen(c->path);
	for (size_t k = 0; k < json_array_size(insts); k++) {
		state_instance *inst = NULL;
		snprintf(c->path + base, sizeof(c->path) - base, ".instances[%zu]", k);
		if ((rc = parse_instance(c, &inst, json_array_get(insts, k))) < 0)
			goto fail;
		gf_vec_push(&r->instances, inst);
	}
	c->path[base] = '\0';
	if ((rc = check_keys_unique(c, r)) < 0)
		goto fail;
	*out = r;
	r = NULL;
fail:
	free(mode);
	free(each);
	state_resource_free(r);
	return rc;
}

/* One resource and where it was in the file, to name the later of two
 * with the same address. */
typedef struct {
	const state_resource *r;
	size_t index;
} placed;

static int placed_cmp(const void *pa, const void *pb)
{
	const placed *a = pa, *b = pb;
	int c = strcmp(a->r->module, b->r->module);
	if (!c)
		c = (int)a->r->mode - (int)b->r->mode;
	if (!c)
		c = strcmp(a->r->type, b->r->type);
	if (!c)
		c = strcmp(a->r->name, b->r->name);
	if (!c)
		c = a->index < b->index ? -1 : a->index > b->index;
	return c;
}

/* Refuses two resources with the same address, naming the first one (in
 * file order) that repeats an earlier one. Sorting makes it n log n: a
 * state of thousands of resources is read on every plan. */
static int check_duplicates(ctx *c, const state *s)
{
	size_t n = s->resources.len, dup = n;
	placed *p = gf_xcalloc(n ? n : 1, sizeof(*p));
	for (size_t i = 0; i < n; i++)
		p[i] = (placed){s->resources.items[i], i};
	qsort(p, n, sizeof(*p), placed_cmp);
	for (size_t i = 1; i < n; i++) {
		placed x = p[i - 1], y = p[i];
		if (x.r->mode == y.r->mode && !strcmp(x.r->module, y.r->module) &&
		    !strcmp(x.r->type, y.r->type) && !strcmp(x.r->name, y.r->name) && y.index < dup)
			dup = y.index;
	}
	free(p);
	if (dup == n)
		return 0;
	const state_resource *r = s->resources.items[dup];
	snprintf(c->path, sizeof(c->path), "resources[%zu]", dup);
	return bad(c, "the resource %s.%s appears twice", r->type, r->name);
}

int state_parse(state **out, const char *text, size_t len, const char *source)
{
	static const char *const known[] = {
	        "version", "terraform_version", "serial",        "lineage",
	        "outputs", "resources",         "check_results", NULL};
	ctx c = {.source = source ? source : "state"};
	json_error_t jerr;
	*out = NULL;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return gf_err_set(GF_EINVALID,
		                  "%s: invalid state: not JSON: %s at line %d column %d", c.source,
		                  jerr.text, jerr.line, jerr.column);
	state *s = gf_xcalloc(1, sizeof(*s));
	int rc;
	json_t *v;
	if (!json_is_object(j)) {
		rc = bad(&c, "the state must be a JSON object");
		goto fail;
	}
	v = json_object_get(j, "version");
	if (!json_is_integer(v)) {
		rc = bad(&c, "\"version\" is missing; is this a state file?");
		goto fail;
	}
	if (json_integer_value(v) != STATE_FORMAT_VERSION) {
		rc = bad(&c,
		         "state format version %lld is not supported: gitfleet reads version %d "
		         "(written by Terraform 0.12 and later)",
		         (long long)json_integer_value(v), STATE_FORMAT_VERSION);
		goto fail;
	}
	if ((rc = check_keys(&c, j, known)) < 0)
		goto fail;
	char *lineage = NULL;
	if ((rc = get_string(&c, &s->terraform_version, j, "terraform_version", true)) < 0 ||
	    (rc = get_string(&c, &lineage, j, "lineage", true)) < 0)
		goto fail;
	if (strlen(lineage) == 0 || strlen(lineage) >= sizeof(s->lineage)) {
		free(lineage);
		rc = bad(&c, "\"lineage\" must be a UUID");
		goto fail;
	}
	strcpy(s->lineage, lineage);
	free(lineage);
	v = json_object_get(j, "serial");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rc = bad(&c, "\"serial\" must be a whole number ≥ 0");
		goto fail;
	}
	s->serial = json_integer_value(v);
	json_t *outs = json_object_get(j, "outputs");
	if (outs && !json_is_object(outs)) {
		rc = bad(&c, "\"outputs\" must be an object");
		goto fail;
	}
	const char *name;
	json_object_foreach(outs, name, v)
	{
		static const char *const oknown[] = {"value", "type", "sensitive", NULL};
		snprintf(c.path, sizeof(c.path), "outputs.%s", name);
		if (!json_is_object(v)) {
			rc = bad(&c, "an output must be an object");
			goto fail;
		}
		if ((rc = check_keys(&c, v, oknown)) < 0)
			goto fail;
		json_t *val = json_object_get(v, "value"), *type = json_object_get(v, "type");
		json_t *sens = json_object_get(v, "sensitive");
		if (!val || !type) {
			rc = bad(&c, "an output needs \"value\" and \"type\"");
			goto fail;
		}
		if (sens && !json_is_boolean(sens)) {
			rc = bad(&c, "\"sensitive\" must be true or false");
			goto fail;
		}
		state_output_set(s, name, json_incref(val), json_incref(type), json_is_true(sens));
	}
	json_t *res = json_object_get(j, "resources");
	if (res && !json_is_array(res)) {
		c.path[0] = '\0';
		rc = bad(&c, "\"resources\" must be an array");
		goto fail;
	}
	for (size_t k = 0; k < json_array_size(res); k++) {
		state_resource *r = NULL;
		snprintf(c.path, sizeof(c.path), "resources[%zu]", k);
		if ((rc = parse_resource(&c, &r, json_array_get(res, k))) < 0)
			goto fail;
		gf_vec_push(&s->resources, r);
	}
	if ((rc = check_duplicates(&c, s)) < 0)
		goto fail;
	v = json_object_get(j, "check_results");
	s->check_results = v ? json_incref(v) : json_null();
	json_decref(j);
	state_sort(s);
	*out = s;
	return 0;
fail:
	json_decref(j);
	state_free(s);
	return rc;
}

/* ---- serialisation --------------------------------------------------------- */

/* A copy of v with every object's keys in sorted order, as Terraform's
 * encoder writes attribute values. */
static json_t *sorted_copy(const json_t *v)
{
	if (json_is_array(v)) {
		json_t *a = json_array();
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append_new(a, sorted_copy(json_array_get(v, i)));
		return a;
	}
	if (!json_is_object(v))
		return json_deep_copy(v);
	size_t n = json_object_size(v), i = 0;
	const char **keys = gf_xcalloc(n ? n : 1, sizeof(*keys));
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), state_strcmp_ptr);
	json_t *o = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(o, keys[i], sorted_copy(json_object_get(v, keys[i])));
	free(keys);
	return o;
}

int state_strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *key_json(const state_key *k)
{
	return k->kind == STATE_KEY_INT ? json_integer(k->i) : json_string(k->s);
}

static json_t *instance_json(const state_instance *i)
{
	json_t *o = json_object();
	if (i->key.kind != STATE_KEY_NONE)
		json_object_set_new(o, "index_key", key_json(&i->key));
	if (i->tainted)
		json_object_set_new(o, "status", json_string("tainted"));
	json_object_set_new(o, "schema_version", json_integer(i->schema_version));
	json_object_set_new(o, "attributes", sorted_copy(i->attributes));
	json_object_set_new(o, "sensitive_attributes", sorted_copy(i->sensitive_attributes));
	if (i->private_data)
		json_object_set_new(o, "private", json_string(i->private_data));
	if (i->ndependencies) {
		char **d = gf_xcalloc(i->ndependencies, sizeof(*d));
		memcpy(d, i->dependencies, i->ndependencies * sizeof(*d));
		qsort(d, i->ndependencies, sizeof(*d), state_strcmp_ptr);
		json_t *a = json_array();
		for (size_t k = 0; k < i->ndependencies; k++)
			if (k == 0 || strcmp(d[k], d[k - 1]) != 0)
				json_array_append_new(a, json_string(d[k]));
		free(d);
		json_object_set_new(o, "dependencies", a);
	}
	if (i->create_before_destroy)
		json_object_set_new(o, "create_before_destroy", json_true());
	return o;
}

static json_t *state_json(state *s)
{
	state_sort(s);
	json_t *o = json_object(), *outs = json_object(), *res = json_array();
	json_object_set_new(o, "version", json_integer(STATE_FORMAT_VERSION));
	json_object_set_new(o, "terraform_version", json_string(s->terraform_version));
	json_object_set_new(o, "serial", json_integer(s->serial));
	json_object_set_new(o, "lineage", json_string(s->lineage));
	for (size_t i = 0; i < s->outputs.len; i++) {
		const state_output *out = s->outputs.items[i];
		json_t *oj = json_object();
		json_object_set_new(oj, "value", sorted_copy(out->value));
		json_object_set_new(oj, "type", sorted_copy(out->type));
		if (out->sensitive)
			json_object_set_new(oj, "sensitive", json_true());
		json_object_set_new(outs, out->name, oj);
	}
	json_object_set_new(o, "outputs", outs);
	for (size_t i = 0; i < s->resources.len; i++) {
		const state_resource *r = s->resources.items[i];
		json_t *rj = json_object(), *insts = json_array();
		if (r->module[0])
			json_object_set_new(rj, "module", json_string(r->module));
		json_object_set_new(rj, "mode",
		                    json_string(r->mode == STATE_DATA ? "data" : "managed"));
		json_object_set_new(rj, "type", json_string(r->type));
		json_object_set_new(rj, "name", json_string(r->name));
		if (r->each != STATE_EACH_NONE)
			json_object_set_new(
			        rj, "each",
			        json_string(r->each == STATE_EACH_LIST ? "list" : "map"));
		json_object_set_new(rj, "provider", json_string(r->provider));
		for (size_t k = 0; k < r->instances.len; k++)
			json_array_append_new(insts, instance_json(r->instances.items[k]));
		json_object_set_new(rj, "instances", insts);
		json_array_append_new(res, rj);
	}
	json_object_set_new(o, "resources", res);
	json_object_set_new(o, "check_results", json_deep_copy(s->check_results));
	return o;
}

int state_serialize(gf_buf *out, const state *s)
{
	json_t *j = state_json((state *)s);
	int rc = state_json_dump(out, j);
	json_decref(j);
	return rc;
}
