/* `gitfleet show [-json] [-no-color] [PLANFILE]`: terraform show — the
 * state, or a saved plan, for people or (-json) for programs. */
#include "cli/iac.h"

#include "config/config.h"
#include "plan/plan.h"
#include "state/state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* JSON of a planned value: unknowns become null, and true at the same
 * place in *unknown (terraform's after_unknown). */
static json_t *value_json(gf_arena *a, const hcl_value *v, json_t **unknown)
{
	*unknown = NULL;
	if (!v)
		return json_null();
	if (v->kind == HCL_VAL_UNKNOWN) {
		*unknown = json_true();
		return json_null();
	}
	if (hcl_value_is_wholly_known(v)) {
		const char *t = hcl_value_to_json(a, v);
		return json_loads(t, JSON_DECODE_ANY, NULL);
	}
	bool obj = v->kind == HCL_VAL_OBJECT || v->kind == HCL_VAL_MAP;
	json_t *out = obj ? json_object() : json_array();
	json_t *unk = obj ? json_object() : json_array();
	for (size_t i = 0; i < v->u.coll.len; i++) {
		json_t *u = NULL;
		json_t *e = value_json(a, v->u.coll.items[i], &u);
		if (obj) {
			json_object_set_new(out, v->u.coll.keys[i], e);
			if (u)
				json_object_set_new(unk, v->u.coll.keys[i], u);
		} else {
			json_array_append_new(out, e);
			json_array_append_new(unk, u ? u : json_false());
		}
	}
	*unknown = unk;
	return out;
}

static json_t *actions_json(plan_action a)
{
	switch (a) {
	case PLAN_CREATE:
		return json_pack("[s]", "create");
	case PLAN_UPDATE:
		return json_pack("[s]", "update");
	case PLAN_DELETE:
		return json_pack("[s]", "delete");
	case PLAN_DELETE_CREATE:
		return json_pack("[s, s]", "delete", "create");
	case PLAN_CREATE_DELETE:
		return json_pack("[s, s]", "create", "delete");
	case PLAN_READ:
		return json_pack("[s]", "read");
	case PLAN_FORGET:
		return json_pack("[s]", "forget");
	default:
		return json_pack("[s]", "no-op");
	}
}

/* Terraform's provider_name: the source address alone,
 * "registry.terraform.io/gitfleet/fleet" of provider["..."]. */
static json_t *provider_name_json(const char *provider)
{
	static const char pre[] = "provider[\"";
	size_t n = strlen(provider);
	if (n >= sizeof(pre) + 1 && memcmp(provider, pre, sizeof(pre) - 1) == 0 &&
	    strcmp(provider + n - 2, "\"]") == 0)
		return json_stringn(provider + sizeof(pre) - 1, n - (sizeof(pre) - 1) - 2);
	return json_string(provider);
}

/* Sets "index" from an instance key, as terraform does for count and
 * for_each instances. */
static void set_index(json_t *obj, const state_key *k)
{
	if (k->kind == STATE_KEY_INT)
		json_object_set_new(obj, "index", json_integer(k->i));
	else if (k->kind == STATE_KEY_STRING)
		json_object_set_new(obj, "index", json_string(k->s));
}

static json_t *plan_json(const plan *p)
{
	gf_arena a;
	gf_arena_init(&a);
	json_t *rcs = json_array();
	for (size_t i = 0; i < p->changes.len; i++) {
		const plan_change *c = p->changes.items[i];
		json_t *unk = NULL, *bunk = NULL;
		json_t *before = value_json(&a, c->before, &bunk);
		json_t *after = value_json(&a, c->after, &unk);
		json_decref(bunk);
		json_t *rc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "address", c->addr, "mode",
		                       c->saddr.mode == STATE_DATA ? "data" : "managed", "type",
		                       c->saddr.type, "name", c->saddr.name, "provider_name",
		                       provider_name_json(c->schema->state_provider));
		if (c->saddr.nmodules) {
			char *m = state_addr_module_string(&c->saddr);
			json_object_set_new(rc, "module_address", json_string(m));
			free(m);
		}
		set_index(rc, &c->saddr.key);
		if (c->prev_addr)
			json_object_set_new(rc, "previous_address", json_string(c->prev_addr));
		json_object_set_new(rc, "change",
		                    json_pack("{s:o, s:o, s:o, s:o}", "actions",
		                              actions_json(c->action), "before", before, "after",
		                              after, "after_unknown", unk ? unk : json_object()));
		if (c->reason)
			json_object_set_new(rc, "action_reason", json_string(c->reason));
		json_array_append_new(rcs, rc);
	}
	json_t *outs = json_object();
	for (size_t i = 0; i < p->outputs.len; i++) {
		const plan_output *o = &p->outputs.items[i];
		json_t *unk = NULL, *bunk = NULL;
		json_t *before = value_json(&a, o->before, &bunk);
		json_t *after = value_json(&a, o->after, &unk);
		json_decref(bunk);
		if (o->sensitive) {
			json_decref(before);
			json_decref(after);
			before = json_null();
			after = json_null();
		}
		json_object_set_new(outs, o->name,
		                    json_pack("{s:o, s:o, s:o, s:o, s:b}", "actions",
		                              actions_json(o->action), "before", before, "after",
		                              after, "after_unknown", unk ? unk : json_false(),
		                              "after_sensitive", o->sensitive));
	}
	gf_arena_dispose(&a);
	return json_pack("{s:s, s:s, s:o, s:o, s:b}", "format_version", "1.2", "terraform_version",
	                 GF_VERSION, "resource_changes", rcs, "output_changes", outs, "errored",
	                 p->errored);
}

static int show_plan(const char *path, bool json, bool no_color)
{
	plan_file pf;
	int status = 1;
	if (plan_read(&pf, path) < 0) {
		cli_print_error("Failed to load the plan file", gf_err_msg(), no_color);
		return 1;
	}
	config *cfg = config_load(".");
	provider_conn conn;
	provider_conn_init(&conn, NULL, NULL);
	plan *p = NULL;
	plan_file_set_variables(&pf, cfg);
	if (!hcl_diags_has_errors(&cfg->diags)) {
		plan_options opts = pf.opts;
		opts.refresh = false;
		p = plan_make(cfg, pf.prior, &opts, &conn);
	}
	if (p)
		plan_file_restore(p, &pf);
	if (!p) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		goto done;
	}
	if (json) {
		json_t *j = plan_json(p);
		char *t = json_dumps(j, JSON_COMPACT);
		puts(t);
		free(t);
		json_decref(j);
	} else {
		gf_buf out = GF_BUF_INIT;
		plan_render_opts ro = {!no_color && isatty(fileno(stdout)), pf.opts.destroy};
		plan_render(&out, p, &ro);
		fputs(gf_buf_cstr(&out), stdout);
		gf_buf_dispose(&out);
	}
	status = 0;
done:
	plan_free(p);
	provider_conn_dispose(&conn);
	config_free(cfg);
	plan_file_dispose(&pf);
	return status;
}

static void show_object(gf_buf *out, const hcl_value *v, int ind)
{
	size_t pad = 0;
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *x = v->u.coll.items[i];
		if (x->kind != HCL_VAL_NULL && !(x->kind == HCL_VAL_LIST && x->type->elem &&
		                                 x->type->elem->kind == HCL_TYPE_OBJECT))
			pad = GF_MAX(pad, strlen(v->u.coll.keys[i]));
	}
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *x = v->u.coll.items[i];
		if (x->kind == HCL_VAL_NULL)
			continue;
		if (x->kind == HCL_VAL_LIST && x->type->elem &&
		    x->type->elem->kind == HCL_TYPE_OBJECT)
			continue;
		gf_buf_printf(out, "%*s%-*s = ", ind, "", (int)pad, v->u.coll.keys[i]);
		plan_render_value(out, x, ind);
		gf_buf_putc(out, '\n');
	}
	for (size_t i = 0; i < v->u.coll.len; i++) {
		const hcl_value *x = v->u.coll.items[i];
		if (!(x->kind == HCL_VAL_LIST && x->type->elem &&
		      x->type->elem->kind == HCL_TYPE_OBJECT))
			continue;
		for (size_t k = 0; k < x->u.coll.len; k++) {
			gf_buf_printf(out, "\n%*s%s {\n", ind, "", v->u.coll.keys[i]);
			show_object(out, x->u.coll.items[k], ind + 4);
			gf_buf_printf(out, "%*s}\n", ind, "");
		}
	}
}

/* Marks in `sv` the attributes the schema calls sensitive, down nested
 * blocks (a list of objects each, as the values hold them). */
static void schema_sensitive(json_t *sv, const provider_block_schema *b, const json_t *values)
{
	for (size_t i = 0; i < b->nattrs; i++)
		if ((b->attrs[i].flags & PROVIDER_SENSITIVE) &&
		    !json_is_null(json_object_get(values, b->attrs[i].name)))
			json_object_set_new(sv, b->attrs[i].name, json_true());
	for (size_t i = 0; i < b->nblocks; i++) {
		const json_t *blocks = json_object_get(values, b->blocks[i].name);
		if (!json_is_array(blocks))
			continue;
		json_t *marks = json_array();
		bool any = false;
		size_t k;
		const json_t *v;
		json_array_foreach(blocks, k, v)
		{
			json_t *m = json_object();
			schema_sensitive(m, b->blocks[i].schema, v);
			any |= json_object_size(m) > 0;
			json_array_append_new(marks, m);
		}
		if (any)
			json_object_set_new(sv, b->blocks[i].name, marks);
		else
			json_decref(marks);
	}
}

/* Terraform's sensitive_values of a state object: true at each attribute
 * the schema calls sensitive, and at each path of sensitive_attributes
 * (values made sensitive by the configuration), nested objects on the
 * way; a path through a list index marks the whole list. */
static json_t *sensitive_values_json(const provider_schema *s, const state_instance *inst)
{
	json_t *sv = json_object();
	if (s)
		schema_sensitive(sv, &s->body, inst->attributes);
	const json_t *paths = inst->sensitive_attributes;
	size_t i;
	const json_t *path;
	json_array_foreach(paths, i, path)
	{
		json_t *node = sv;
		size_t n = json_array_size(path);
		for (size_t k = 0; k < n; k++) {
			const char *key = json_string_value(
			        json_object_get(json_array_get(path, k), "value"));
			if (!key)
				break;
			const json_t *after = json_object_get(json_array_get(path, k + 1), "value");
			json_t *next = json_object_get(node, key);
			if (k + 1 == n || !json_is_string(after)) {
				json_object_set_new(node, key, json_true());
				break;
			}
			if (json_is_true(next))
				break; /* already sensitive as a whole */
			if (!json_is_object(next)) {
				next = json_object();
				json_object_set_new(node, key, next);
			}
			node = next;
		}
	}
	return sv;
}

/* The module object of terraform's state representation that holds the
 * resources of `module` ("" is the root, "module.net[0].module.db"):
 * child_modules[] nested by path, each with its "address". */
static json_t *module_json(json_t *root, const char *module)
{
	state_addr m;
	if (!*module || state_addr_parse_module(&m, module) < 0)
		return root;
	json_t *node = root;
	for (size_t k = 0; k < m.nmodules; k++) {
		state_addr prefix = {.modules = m.modules, .nmodules = k + 1};
		char *addr = state_addr_module_string(&prefix);
		json_t *kids = json_object_get(node, "child_modules");
		if (!kids) {
			kids = json_array();
			json_object_set_new(node, "child_modules", kids);
		}
		json_t *found = NULL;
		size_t i;
		json_t *kid;
		json_array_foreach(
		        kids, i, kid) if (strcmp(json_string_value(json_object_get(kid, "address")),
		                                 addr) == 0) found = kid;
		if (!found) {
			found = json_pack("{s:s, s:[]}", "address", addr, "resources");
			json_array_append_new(kids, found);
		}
		free(addr);
		node = found;
	}
	state_addr_dispose(&m);
	return node;
}

static int show_state(bool json, bool no_color)
{
	state_backend *b = NULL;
	state *st = NULL;
	if (cli_backend_open(&b, no_color) < 0)
		return 1;
	int status = 1;
	if (state_backend_read(b, &st) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), no_color);
		goto done;
	}
	gf_arena a;
	gf_arena_init(&a);
	gf_buf out = GF_BUF_INIT;
	json_t *root = json_pack("{s:[]}", "resources");
	for (size_t r = 0; st && r < st->resources.len; r++) {
		const state_resource *res = st->resources.items[r];
		const provider_schema *s = res->mode == STATE_DATA
		                                   ? provider_data_schema_find(res->type)
		                                   : provider_schema_find(res->type);
		for (size_t i = 0; i < res->instances.len; i++) {
			state_instance *inst = res->instances.items[i];
			state_addr addr;
			state_instance_addr(&addr, res, inst);
			char *text = state_addr_string(&addr);
			json_t *rj = json_pack(
			        "{s:s, s:s, s:s, s:s, s:o, s:I, s:O, s:o}", "address", text, "mode",
			        res->mode == STATE_DATA ? "data" : "managed", "type", res->type,
			        "name", res->name, "provider_name",
			        provider_name_json(res->provider), "schema_version",
			        (json_int_t)inst->schema_version, "values", inst->attributes,
			        "sensitive_values", sensitive_values_json(s, inst));
			set_index(rj, &inst->key);
			if (inst->tainted)
				json_object_set_new(rj, "tainted", json_true());
			json_array_append_new(
			        json_object_get(module_json(root, res->module), "resources"), rj);
			gf_buf_printf(&out, "# %s:%s\n%s \"%s\" \"%s\" {\n", text,
			              inst->tainted ? " (tainted)" : "",
			              res->mode == STATE_DATA ? "data" : "resource", res->type,
			              res->name);
			char *t = json_dumps(inst->attributes, JSON_COMPACT);
			const char *why;
			const hcl_value *v = hcl_value_from_json(&a, t, strlen(t), &why);
			free(t);
			if (s && v)
				v = hcl_convert(&a, v, provider_object_type(&a, &s->body), &why);
			if (v && v->kind == HCL_VAL_OBJECT)
				show_object(&out, v, 4);
			gf_buf_puts(&out, "}\n\n");
			free(text);
			state_addr_dispose(&addr);
		}
	}
	if (json) {
		json_t *outputs = json_object();
		for (size_t i = 0; st && i < st->outputs.len; i++) {
			const state_output *o = st->outputs.items[i];
			json_object_set_new(outputs, o->name,
			                    json_pack("{s:b, s:O, s:O}", "sensitive", o->sensitive,
			                              "value", o->value, "type", o->type));
		}
		json_t *j = json_pack("{s:s, s:s}", "format_version", "1.0", "terraform_version",
		                      GF_VERSION);
		if (st)
			json_object_set_new(
			        j, "values",
			        json_pack("{s:o, s:o}", "outputs", outputs, "root_module", root));
		else {
			json_decref(outputs);
			json_decref(root);
		}
		char *t = json_dumps(j, JSON_COMPACT);
		puts(t);
		free(t);
		json_decref(j);
	} else {
		json_decref(root);
		if (!st || state_is_empty(st))
			gf_buf_puts(&out, "No state.\n");
		else if (st->outputs.len) {
			gf_buf_puts(&out, "\nOutputs:\n\n");
			for (size_t i = 0; i < st->outputs.len; i++) {
				const state_output *o = st->outputs.items[i];
				gf_buf_printf(&out, "%s = ", o->name);
				const hcl_value *v = state_value_from_json(&a, o->value, o->type);
				gf_buf_puts(&out, o->sensitive ? "(sensitive value)"
				                  : v          ? hcl_value_render(&a, v)
				                               : "?");
				gf_buf_putc(&out, '\n');
			}
		}
		fputs(gf_buf_cstr(&out), stdout);
	}
	gf_buf_dispose(&out);
	gf_arena_dispose(&a);
	status = 0;
done:
	state_free(st);
	state_backend_free(b);
	return status;
}

int cmd_show(int argc, char **argv)
{
	bool json = false, no_color = false;
	const cli_flag flags[] = {
	        {"json", CLI_FLAG_BOOL, &json},
	        {"no-color", CLI_FLAG_BOOL, &no_color},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (argc - next > 1)
		return cli_fail("show", 1, "expected at most one plan file, got %d arguments",
		                argc - next);
	return next < argc ? show_plan(argv[next], json, no_color) : show_state(json, no_color);
}
