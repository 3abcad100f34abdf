/* Types and values of the state file as hcl values (output, state show). */
#include "state/state.h"

#include "hcl/value.h"

#include <stdlib.h>
#include <string.h>

json_t *state_type_to_json(const hcl_type *t)
{
	switch (t->kind) {
	case HCL_TYPE_STRING:
		return json_string("string");
	case HCL_TYPE_NUMBER:
		return json_string("number");
	case HCL_TYPE_BOOL:
		return json_string("bool");
	case HCL_TYPE_LIST:
		return json_pack("[s, o]", "list", state_type_to_json(t->elem));
	case HCL_TYPE_SET:
		return json_pack("[s, o]", "set", state_type_to_json(t->elem));
	case HCL_TYPE_MAP:
		return json_pack("[s, o]", "map", state_type_to_json(t->elem));
	case HCL_TYPE_TUPLE: {
		json_t *a = json_array();
		for (size_t i = 0; i < t->n; i++)
			json_array_append_new(a, state_type_to_json(t->types[i]));
		return json_pack("[s, o]", "tuple", a);
	}
	case HCL_TYPE_OBJECT: {
		json_t *o = json_object();
		for (size_t i = 0; i < t->n; i++)
			json_object_set_new(o, t->names[i], state_type_to_json(t->types[i]));
		return json_pack("[s, o]", "object", o);
	}
	case HCL_TYPE_DYNAMIC:
		break;
	}
	return json_string("dynamic");
}

const hcl_type *state_type_from_json(gf_arena *a, const json_t *j)
{
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		if (strcmp(s, "string") == 0)
			return &hcl_type_string;
		if (strcmp(s, "number") == 0)
			return &hcl_type_number;
		if (strcmp(s, "bool") == 0)
			return &hcl_type_bool;
		if (strcmp(s, "dynamic") == 0)
			return &hcl_type_dynamic;
		gf_err_set(GF_EINVALID, "unknown type \"%s\"", s);
		return NULL;
	}
	const char *kind = json_string_value(json_array_get(j, 0));
	const json_t *arg = json_array_get(j, 1);
	if (!json_is_array(j) || json_array_size(j) != 2 || !kind) {
		gf_err_set(GF_EINVALID, "a type is a name or [kind, argument]");
		return NULL;
	}
	if (strcmp(kind, "list") == 0 || strcmp(kind, "set") == 0 || strcmp(kind, "map") == 0) {
		const hcl_type *e = state_type_from_json(a, arg);
		if (!e)
			return NULL;
		return kind[0] == 'l'   ? hcl_type_list(a, e)
		       : kind[0] == 's' ? hcl_type_set(a, e)
		                        : hcl_type_map(a, e);
	}
	if (strcmp(kind, "tuple") == 0 && json_is_array(arg)) {
		size_t n = json_array_size(arg);
		const hcl_type **types = gf_arena_alloc(a, (n + 1) * sizeof(*types));
		for (size_t i = 0; i < n; i++)
			if (!(types[i] = state_type_from_json(a, json_array_get(arg, i))))
				return NULL;
		return hcl_type_tuple(a, types, n);
	}
	if (strcmp(kind, "object") == 0 && json_is_object(arg)) {
		size_t n = json_object_size(arg), i = 0;
		const char **names = gf_arena_alloc(a, (n + 1) * sizeof(*names));
		const hcl_type **types = gf_arena_alloc(a, (n + 1) * sizeof(*types));
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)arg, k, v)
		{
			names[i] = gf_arena_strdup(a, k);
			if (!(types[i++] = state_type_from_json(a, v)))
				return NULL;
		}
		return hcl_type_object(a, names, types, n);
	}
	gf_err_set(GF_EINVALID, "unknown type kind \"%s\"", kind);
	return NULL;
}

const hcl_value *state_value_from_json(gf_arena *a, const json_t *value, const json_t *type)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *why = NULL;
	const hcl_value *v = text ? hcl_value_from_json(a, text, strlen(text), &why) : NULL;
	free(text);
	if (!v) {
		gf_err_set(GF_EINVALID, "not a value: %s", why ? why : "unreadable JSON");
		return NULL;
	}
	if (!type || json_is_null(type))
		return v;
	const hcl_type *t = state_type_from_json(a, type);
	if (!t)
		return NULL;
	const hcl_value *c = hcl_convert(a, v, t, &why);
	if (!c)
		gf_err_set(GF_EINVALID, "the value does not match its type: %s", why);
	return c;
}
