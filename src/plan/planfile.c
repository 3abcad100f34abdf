/* Saved plans (plan.h, note 4): one JSON document written atomically. */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

#define PLANFILE_FORMAT "gitfleet-plan"
#define PLANFILE_MAX    (256u << 20)

void plan_config_hash(char out[65], const config *cfg)
{
	gf_sha256 h;
	gf_sha256_init(&h);
	for (size_t i = 0; i < cfg->sources.list.len; i++) {
		const hcl_source *s = &cfg->sources.list.items[i];
		char len[32];
		snprintf(len, sizeof(len), ":%zu:", s->len);
		gf_sha256_update(&h, s->filename, strlen(s->filename));
		gf_sha256_update(&h, len, strlen(len));
		gf_sha256_update(&h, s->src, s->len);
	}
	gf_sha256_final_hex(&h, out);
}

static json_t *strings_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int plan_write(const plan *p, const char *path)
{
	gf_buf st = GF_BUF_INIT;
	if (state_serialize(&st, p->prior) < 0)
		return GF_ERROR;
	json_t *changes = json_array();
	for (size_t i = 0; i < p->changes.len; i++) {
		const plan_change *c = p->changes.items[i];
		if (c->action != PLAN_NOOP)
			json_array_append_new(changes, json_pack("{s:s, s:i}", "address", c->addr,
			                                         "action", (int)c->action));
	}
	json_t *moves = json_array();
	for (size_t i = 0; i < p->moves.len; i++)
		json_array_append_new(moves, json_pack("{s:s, s:s}", "from", p->moves.items[i].from,
		                                       "to", p->moves.items[i].to));
	json_t *doc = json_pack(
	        "{s:s, s:s, s:s, s:b, s:I, s:s, s:O, s:{s:o, s:o, s:b, s:b, s:b}, s:s, s:o, "
	        "s:o}",
	        "format", PLANFILE_FORMAT, "gitfleet_version", GF_VERSION, "config_hash",
	        p->config_hash, "state_existed", p->state_existed, "state_serial",
	        (json_int_t)p->state_serial, "state_lineage", p->state_lineage, "variables",
	        p->variables, "options", "targets", strings_json(p->opts.targets, p->opts.ntargets),
	        "replaces", strings_json(p->opts.replaces, p->opts.nreplaces), "destroy",
	        p->opts.destroy, "refresh", p->opts.refresh, "refresh_only", p->opts.refresh_only,
	        "prior_state", gf_buf_cstr(&st), "changes", changes, "moves", moves);
	gf_buf_dispose(&st);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	/* Not fsynced: a plan lost to a crash of the machine is made again
	 * by running plan, as Terraform's plan files are not synced either. */
	int rc = gf_fs_write_replace(path, text, strlen(text), 0600);
	free(text);
	return rc;
}

static const char *const *strings_of(gf_arena *a, json_t *arr, size_t *n)
{
	*n = json_array_size(arr);
	const char **v = gf_arena_alloc(a, (*n + 1) * sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = gf_arena_strdup(a, json_string_value(json_array_get(arr, i))
		                                  ? json_string_value(json_array_get(arr, i))
		                                  : "");
	return v;
}

int plan_read(plan_file *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	gf_arena_init(&out->arena);
	gf_buf b;
	gf_buf_init(&b, PLANFILE_MAX);
	int rc = gf_fs_read(&b, path);
	if (rc < 0) {
		gf_buf_dispose(&b);
		return gf_err_set(rc, "Failed to load \"%s\" as a plan file: %s", path,
		                  gf_err_msg());
	}
	json_error_t je;
	json_t *doc = json_loadb(b.ptr ? b.ptr : "", b.len, 0, &je);
	gf_buf_dispose(&b);
	const char *fmt = json_string_value(json_object_get(doc, "format"));
	json_t *opts = json_object_get(doc, "options");
	const char *prior = json_string_value(json_object_get(doc, "prior_state"));
	const char *hash = json_string_value(json_object_get(doc, "config_hash"));
	const char *lineage = json_string_value(json_object_get(doc, "state_lineage"));
	if (!doc || !fmt || strcmp(fmt, PLANFILE_FORMAT) != 0 || !json_is_object(opts) || !prior ||
	    !hash || strlen(hash) != 64 || !lineage || strlen(lineage) >= STATE_UUID_LEN) {
		json_decref(doc);
		return gf_err_set(
		        GF_EINVALID,
		        "Failed to load \"%s\" as a plan file: it is not a gitfleet saved "
		        "plan (make one with gitfleet plan -out=FILE)",
		        path);
	}
	if ((rc = state_parse(&out->prior, prior, strlen(prior), path)) < 0) {
		json_decref(doc);
		return rc;
	}
	memcpy(out->config_hash, hash, 65);
	snprintf(out->state_lineage, sizeof(out->state_lineage), "%s", lineage);
	out->state_serial = json_integer_value(json_object_get(doc, "state_serial"));
	out->state_existed = json_is_true(json_object_get(doc, "state_existed"));
	out->variables = json_incref(json_object_get(doc, "variables"));
	out->changes = json_incref(json_object_get(doc, "changes"));
	out->moves = json_incref(json_object_get(doc, "moves"));
	out->opts.targets =
	        strings_of(&out->arena, json_object_get(opts, "targets"), &out->opts.ntargets);
	out->opts.replaces =
	        strings_of(&out->arena, json_object_get(opts, "replaces"), &out->opts.nreplaces);
	out->opts.destroy = json_is_true(json_object_get(opts, "destroy"));
	out->opts.refresh = json_is_true(json_object_get(opts, "refresh"));
	out->opts.refresh_only = json_is_true(json_object_get(opts, "refresh_only"));
	json_decref(doc);
	return 0;
}

void plan_file_dispose(plan_file *f)
{
	state_free(f->prior);
	json_decref(f->variables);
	json_decref(f->changes);
	json_decref(f->moves);
	gf_arena_dispose(&f->arena);
	memset(f, 0, sizeof(*f));
}

int plan_file_check(const plan_file *f, const state *st, const char *config_hash,
                    const char **summary)
{
	const char *lineage = st ? st->lineage : "";
	if (f->state_existed && st && strcmp(f->state_lineage, lineage) != 0) {
		*summary = "Saved plan does not match the given state";
		return gf_err_set(GF_EINVALID, "The given plan file can not be applied because it "
		                               "was created from a different state lineage.");
	}
	int64_t serial = st ? st->serial : 0;
	if (f->state_existed != (st != NULL) || (st && f->state_serial != serial)) {
		*summary = "Saved plan is stale";
		return gf_err_set(GF_EINVALID,
		                  "The given plan file can no longer be applied because "
		                  "the state was changed by another operation after the "
		                  "plan was created.");
	}
	if (strcmp(f->config_hash, config_hash) != 0) {
		*summary = "Saved plan is stale";
		return gf_err_set(GF_EINVALID,
		                  "The given plan file can no longer be applied because "
		                  "the configuration was changed after the plan was "
		                  "created.");
	}
	return 0;
}

int plan_file_set_variables(const plan_file *f, config *cfg)
{
	for (size_t i = 0; i < cfg->root->variables.len; i++) {
		config_variable *v = &cfg->root->variables.items[i];
		json_t *j = json_object_get(f->variables, v->name);
		if (!j)
			continue;
		char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
		const char *why = NULL;
		const hcl_value *val = hcl_value_from_json(&cfg->arena, text, strlen(text), &why);
		free(text);
		const hcl_value *c = val ? hcl_convert(&cfg->arena, val, v->type, &why) : NULL;
		if (!c)
			return gf_err_set(GF_EINVALID,
			                  "the saved value of variable \"%s\" no longer "
			                  "fits its type: %s",
			                  v->name, why ? why : "?");
		v->value = c;
	}
	return 0;
}

int plan_file_match(const plan_file *f, const plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->changes.len; i++) {
		const plan_change *c = p->changes.items[i];
		if (c->action == PLAN_NOOP)
			continue;
		json_t *saved = json_array_get(f->changes, n++);
		const char *addr = json_string_value(json_object_get(saved, "address"));
		if (!addr || strcmp(addr, c->addr) != 0 ||
		    json_integer_value(json_object_get(saved, "action")) != (json_int_t)c->action)
			return gf_err_set(GF_EINVALID,
			                  "The given plan file can no longer be applied: "
			                  "%s would now %s, which the saved plan does not "
			                  "say; make a new plan.",
			                  c->addr, plan_action_name(c->action));
	}
	if (n != json_array_size(f->changes))
		return gf_err_set(GF_EINVALID, "The given plan file can no longer be applied: it "
		                               "has changes the configuration no longer calls for; "
		                               "make a new plan.");
	return 0;
}

void plan_file_restore(plan *p, const plan_file *f)
{
	p->state_existed = f->state_existed;
	p->state_serial = f->state_serial;
	size_t i;
	const json_t *m;
	json_array_foreach(f->moves, i, m)
	{
		const char *from = json_string_value(json_object_get(m, "from"));
		const char *to = json_string_value(json_object_get(m, "to"));
		if (from && to)
			gf_vec_push(&p->moves, ((plan_move){gf_arena_strdup(&p->arena, from),
			                                    gf_arena_strdup(&p->arena, to)}));
	}
	plani_moves_annotate(p);
}
