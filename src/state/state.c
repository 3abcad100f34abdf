/* The state model: creation, lookup, insertion and removal (state.h, note 2). */
#include "state/state.h"
#include "state/state_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int state_uuid(char out[STATE_UUID_LEN])
{
	/* The kernel's generator itself: OpenSSL's RAND_bytes would first set
	 * up its own generator, seeded from the same source, at a cost of a
	 * sixth of a `gitfleet plan`'s instructions, for the 16 bytes of a
	 * lock ID or a lineage. */
	unsigned char r[16];
	ssize_t n;
	do
		n = getrandom(r, sizeof(r), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(r))
		return gf_err_set(GF_ERROR, "cannot make a UUID: the system has no randomness");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, STATE_UUID_LEN,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
	         r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
	         r[15]);
	return 0;
}

state *state_new(void)
{
	state *s = gf_xcalloc(1, sizeof(*s));
	if (state_uuid(s->lineage) < 0)
		gf_die("%s", gf_err_msg());
	s->terraform_version = gf_xstrdup(GF_VERSION);
	s->check_results = json_null();
	return s;
}

void state_instance_free(state_instance *i)
{
	if (!i)
		return;
	state_key_dispose(&i->key);
	json_decref(i->attributes);
	json_decref(i->sensitive_attributes);
	free(i->private_data);
	state_strings_free(i->dependencies, i->ndependencies);
	free(i);
}

void state_resource_free(state_resource *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->instances.len; i++)
		state_instance_free(r->instances.items[i]);
	gf_vec_dispose(&r->instances);
	free(r->module);
	free(r->type);
	free(r->name);
	free(r->provider);
	free(r);
}

static void output_free(state_output *o)
{
	if (!o)
		return;
	free(o->name);
	json_decref(o->value);
	json_decref(o->type);
	free(o);
}

void state_outputs_clear(state *s)
{
	for (size_t i = 0; i < s->outputs.len; i++)
		output_free(s->outputs.items[i]);
	s->outputs.len = 0;
}

void state_free(state *s)
{
	if (!s)
		return;
	state_outputs_clear(s);
	gf_vec_dispose(&s->outputs);
	for (size_t i = 0; i < s->resources.len; i++)
		state_resource_free(s->resources.items[i]);
	gf_vec_dispose(&s->resources);
	free(s->terraform_version);
	json_decref(s->check_results);
	free(s);
}

void state_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **strings_copy(const char *const *v, size_t n)
{
	char **out = n ? gf_xcalloc(n, sizeof(*out)) : NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = gf_xstrdup(v[i]);
	return out;
}

static state_instance *instance_copy(const state_instance *i)
{
	state_instance *c = gf_xcalloc(1, sizeof(*c));
	state_key_copy(&c->key, &i->key);
	c->schema_version = i->schema_version;
	c->attributes = json_deep_copy(i->attributes);
	c->sensitive_attributes = json_deep_copy(i->sensitive_attributes);
	c->private_data = i->private_data ? gf_xstrdup(i->private_data) : NULL;
	c->dependencies = strings_copy((const char *const *)i->dependencies, i->ndependencies);
	c->ndependencies = i->ndependencies;
	c->create_before_destroy = i->create_before_destroy;
	c->tainted = i->tainted;
	return c;
}

state *state_copy(const state *s)
{
	state *c = gf_xcalloc(1, sizeof(*c));
	c->serial = s->serial;
	memcpy(c->lineage, s->lineage, sizeof(c->lineage));
	c->terraform_version = gf_xstrdup(s->terraform_version);
	c->check_results = json_deep_copy(s->check_results);
	for (size_t i = 0; i < s->outputs.len; i++) {
		const state_output *o = s->outputs.items[i];
		state_output_set(c, o->name, json_deep_copy(o->value), json_deep_copy(o->type),
		                 o->sensitive);
	}
	for (size_t i = 0; i < s->resources.len; i++) {
		const state_resource *r = s->resources.items[i];
		state_resource *rc = gf_xcalloc(1, sizeof(*rc));
		rc->module = gf_xstrdup(r->module);
		rc->mode = r->mode;
		rc->type = gf_xstrdup(r->type);
		rc->name = gf_xstrdup(r->name);
		rc->each = r->each;
		rc->provider = gf_xstrdup(r->provider);
		for (size_t j = 0; j < r->instances.len; j++)
			gf_vec_push(&rc->instances, instance_copy(r->instances.items[j]));
		gf_vec_push(&c->resources, rc);
	}
	return c;
}

bool state_is_empty(const state *s)
{
	return s->resources.len == 0 && s->outputs.len == 0;
}

/* The index of the resource of `a` (module, mode, type, name), or -1. */
static ssize_t resource_index(const state *s, const state_addr *a)
{
	if (!a->type)
		return -1;
	char *mod = state_addr_module_string(a);
	ssize_t found = -1;
	for (size_t i = 0; i < s->resources.len && found < 0; i++) {
		const state_resource *r = s->resources.items[i];
		if (r->mode == a->mode && strcmp(r->type, a->type) == 0 &&
		    strcmp(r->name, a->name) == 0 && strcmp(r->module, mod) == 0)
			found = (ssize_t)i;
	}
	free(mod);
	return found;
}

state_resource *state_resource_find(const state *s, const state_addr *a)
{
	ssize_t i = resource_index(s, a);
	return i < 0 ? NULL : s->resources.items[i];
}

static ssize_t instance_index(const state_resource *r, const state_key *k)
{
	for (size_t i = 0; i < r->instances.len; i++)
		if (state_key_equal(&r->instances.items[i]->key, k))
			return (ssize_t)i;
	return -1;
}

state_instance *state_instance_find(const state *s, const state_addr *a)
{
	state_resource *r = state_resource_find(s, a);
	if (!r)
		return NULL;
	ssize_t i = instance_index(r, &a->key);
	return i < 0 ? NULL : r->instances.items[i];
}

state_resource *state_resource_ensure(state *s, const state_addr *a, const char *provider)
{
	state_resource *r = state_resource_find(s, a);
	if (!r) {
		r = gf_xcalloc(1, sizeof(*r));
		r->module = state_addr_module_string(a);
		r->mode = a->mode;
		r->type = gf_xstrdup(a->type);
		r->name = gf_xstrdup(a->name);
		r->provider = gf_xstrdup(provider ? provider : STATE_PROVIDER_FLEET);
		gf_vec_push(&s->resources, r);
	} else if (provider && strcmp(provider, r->provider) != 0) {
		free(r->provider);
		r->provider = gf_xstrdup(provider);
	}
	r->each = a->key.kind == STATE_KEY_INT      ? STATE_EACH_LIST
	          : a->key.kind == STATE_KEY_STRING ? STATE_EACH_MAP
	                                            : STATE_EACH_NONE;
	return r;
}

state_instance *state_instance_ensure(state *s, const state_addr *a, const char *provider)
{
	state_resource *r = state_resource_ensure(s, a, provider);
	ssize_t idx = instance_index(r, &a->key);
	if (idx >= 0)
		return r->instances.items[idx];
	state_instance *i = gf_xcalloc(1, sizeof(*i));
	state_key_copy(&i->key, &a->key);
	i->attributes = json_object();
	i->sensitive_attributes = json_array();
	gf_vec_push(&r->instances, i);
	return i;
}

void state_instance_set_attributes(state_instance *i, json_t *attributes)
{
	json_decref(i->attributes);
	i->attributes = attributes ? attributes : json_object();
}

void state_instance_set_dependencies(state_instance *i, const char *const *deps, size_t n)
{
	state_strings_free(i->dependencies, i->ndependencies);
	i->dependencies = strings_copy(deps, n);
	i->ndependencies = n;
}

int state_instance_remove(state *s, const state_addr *a)
{
	ssize_t ri = resource_index(s, a);
	state_resource *r = ri < 0 ? NULL : s->resources.items[ri];
	ssize_t ii = r ? instance_index(r, &a->key) : -1;
	if (ii < 0) {
		char *text = state_addr_string(a);
		gf_err_set(GF_ENOTFOUND, "no resource instance %s in the state", text);
		free(text);
		return GF_ENOTFOUND;
	}
	state_instance_free(r->instances.items[ii]);
	memmove(&r->instances.items[ii], &r->instances.items[ii + 1],
	        (r->instances.len - (size_t)ii - 1) * sizeof(r->instances.items[0]));
	r->instances.len--;
	if (r->instances.len == 0) {
		state_resource_free(r);
		memmove(&s->resources.items[ri], &s->resources.items[ri + 1],
		        (s->resources.len - (size_t)ri - 1) * sizeof(s->resources.items[0]));
		s->resources.len--;
	}
	return 0;
}

int state_instance_addr(state_addr *out, const state_resource *r, const state_instance *i)
{
	int rc = state_addr_parse_module(out, r->module);
	if (rc < 0)
		return rc;
	out->mode = r->mode;
	out->type = gf_xstrdup(r->type);
	out->name = gf_xstrdup(r->name);
	state_key_copy(&out->key, &i->key);
	return 0;
}

/* Serialisation order of resources (note 3); data ('D') sorts before
 * managed ('M'), as in Terraform's writer. */
static int resource_cmp(const void *pa, const void *pb)
{
	const state_resource *a = *(state_resource *const *)pa, *b = *(state_resource *const *)pb;
	int c = strcmp(a->module, b->module);
	if (c)
		return c;
	if (a->mode != b->mode)
		return a->mode == STATE_DATA ? -1 : 1;
	if ((c = strcmp(a->type, b->type)))
		return c;
	return strcmp(a->name, b->name);
}

static int instance_cmp(const void *pa, const void *pb)
{
	const state_instance *a = *(state_instance *const *)pa, *b = *(state_instance *const *)pb;
	return state_key_compare(&a->key, &b->key);
}

static int output_cmp(const void *pa, const void *pb)
{
	const state_output *a = *(state_output *const *)pa, *b = *(state_output *const *)pb;
	return strcmp(a->name, b->name);
}

void state_sort(state *s)
{
	if (s->resources.len)
		qsort(s->resources.items, s->resources.len, sizeof(s->resources.items[0]),
		      resource_cmp);
	for (size_t i = 0; i < s->resources.len; i++) {
		state_resource *r = s->resources.items[i];
		if (r->instances.len)
			qsort(r->instances.items, r->instances.len, sizeof(r->instances.items[0]),
			      instance_cmp);
	}
	if (s->outputs.len)
		qsort(s->outputs.items, s->outputs.len, sizeof(s->outputs.items[0]), output_cmp);
}

int state_foreach_instance(state *s, state_instance_fn fn, void *payload)
{
	state_sort(s);
	for (size_t i = 0; i < s->resources.len; i++) {
		state_resource *r = s->resources.items[i];
		for (size_t j = 0; j < r->instances.len; j++) {
			int rc = fn(r, r->instances.items[j], payload);
			if (rc)
				return rc;
		}
	}
	return 0;
}

size_t state_list(char ***out, const state *s, const state_addr *patterns, size_t n)
{
	GF_VEC(char *) v = {0};
	state_sort((state *)s);
	for (size_t i = 0; i < s->resources.len; i++) {
		const state_resource *r = s->resources.items[i];
		for (size_t j = 0; j < r->instances.len; j++) {
			state_addr a;
			if (state_instance_addr(&a, r, r->instances.items[j]) < 0)
				continue;
			bool hit = n == 0;
			for (size_t k = 0; k < n && !hit; k++)
				hit = state_addr_matches(&patterns[k], &a);
			if (hit)
				gf_vec_push(&v, state_addr_string(&a));
			state_addr_dispose(&a);
		}
	}
	*out = v.items;
	return v.len;
}

const state_output *state_output_find(const state *s, const char *name)
{
	for (size_t i = 0; i < s->outputs.len; i++)
		if (strcmp(s->outputs.items[i]->name, name) == 0)
			return s->outputs.items[i];
	return NULL;
}

void state_output_set(state *s, const char *name, json_t *value, json_t *type, bool sensitive)
{
	state_output *o = (state_output *)state_output_find(s, name);
	if (!o) {
		o = gf_xcalloc(1, sizeof(*o));
		o->name = gf_xstrdup(name);
		gf_vec_push(&s->outputs, o);
	}
	json_decref(o->value);
	json_decref(o->type);
	o->value = value ? value : json_null();
	o->type = type ? type : json_string("dynamic");
	o->sensitive = sensitive;
}
