/* The working directory's record of `gitfleet init` (state.h, note 6) and
 * opening the backend it names. */
#include "state/state.h"
#include "state/state_int.h"

#include "config/config.h"
#include "hcl/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_FILE "terraform.tfstate"

void state_backend_record_dispose(state_backend_record *r)
{
	free(r->type);
	json_decref(r->config);
	free(r->hash);
	memset(r, 0, sizeof(*r));
}

static char *record_path(const char *dir)
{
	char *wd = gf_path_join(dir && *dir ? dir : ".", STATE_WORKDIR);
	char *p = gf_path_join(wd, RECORD_FILE);
	free(wd);
	return p;
}

char *state_backend_config_hash(const char *type, const json_t *bconf)
{
	json_t *empty = json_object();
	char *text = json_dumps(bconf ? bconf : empty, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(empty);
	gf_sha256 h;
	gf_sha256_init(&h);
	gf_sha256_update(&h, type, strlen(type) + 1);
	gf_sha256_update(&h, text, strlen(text));
	free(text);
	char *hex = gf_xmalloc(65);
	gf_sha256_final_hex(&h, hex);
	return hex;
}

int state_workdir_read(state_backend_record *out, const char *dir)
{
	memset(out, 0, sizeof(*out));
	char *path = record_path(dir);
	gf_buf b = GF_BUF_INIT;
	json_t *j = NULL;
	int rc = gf_fs_read(&b, path);
	if (rc < 0)
		goto done;
	json_error_t err;
	if (!(j = json_loadb(b.ptr ? b.ptr : "", b.len, 0, &err))) {
		rc = gf_err_set(GF_EINVALID,
		                "%s: not JSON (%s); run \"gitfleet init -reconfigure\"", path,
		                err.text);
		goto done;
	}
	json_t *be = json_object_get(j, "backend");
	json_t *type = json_object_get(be, "type"), *cfg = json_object_get(be, "config");
	json_t *hash = json_object_get(be, "hash");
	if (!json_is_string(type) || !json_is_object(cfg) || !json_is_string(hash)) {
		rc = gf_err_set(GF_EINVALID,
		                "%s: \"backend\" needs \"type\", \"config\" and \"hash\"; run "
		                "\"gitfleet init -reconfigure\"",
		                path);
		goto done;
	}
	out->type = gf_xstrdup(json_string_value(type));
	out->config = json_incref(cfg);
	out->hash = gf_xstrdup(json_string_value(hash));
done:
	json_decref(j);
	gf_buf_dispose(&b);
	free(path);
	return rc;
}

int state_workdir_write(const char *dir, const state_backend_record *r)
{
	char *wd = gf_path_join(dir && *dir ? dir : ".", STATE_WORKDIR);
	char *path = record_path(dir);
	json_t *j = json_object(), *be = json_object();
	json_object_set_new(j, "version", json_integer(3));
	json_object_set_new(j, "terraform_version", json_string(GF_VERSION));
	json_object_set_new(be, "type", json_string(r->type));
	json_object_set_new(be, "config", json_deep_copy(r->config));
	json_object_set_new(be, "hash", json_string(r->hash));
	json_object_set_new(j, "backend", be);
	gf_buf out = GF_BUF_INIT;
	int rc = gf_fs_mkdirs(wd, 0755);
	if (rc == 0)
		rc = state_json_dump(&out, j);
	if (rc == 0)
		/* Not fsynced: a record a crash of the machine emptied is
		 * reported, and `gitfleet init -reconfigure` makes it again. */
		rc = gf_fs_write_replace(path, out.ptr, out.len, 0600);
	gf_buf_dispose(&out);
	json_decref(j);
	free(path);
	free(wd);
	return rc;
}

int state_backend_config_eval(char **type, json_t **bconf, struct config *cfg)
{
	*type = NULL;
	*bconf = NULL;
	const config_module *root = cfg->root;
	if (!root || !root->backend_type)
		return 0;
	json_t *obj = json_object();
	hcl_scope scope = {.lookup = NULL, .no_functions = true};
	bool ok = true;
	for (size_t i = 0; root->backend_body && i < root->backend_body->len; i++) {
		const hcl_body_item *it = &root->backend_body->items[i];
		if (it->kind != HCL_ITEM_ATTRIBUTE) {
			hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, &it->u.block->type_range,
			              "Unsupported block type",
			              "Blocks of type \"%s\" are not expected in a backend block.",
			              it->u.block->type);
			ok = false;
			continue;
		}
		const hcl_attribute *a = it->u.attr;
		const hcl_value *v = hcl_eval(&cfg->arena, a->expr, &scope, &cfg->diags);
		char *text = v ? hcl_value_to_json(&cfg->arena, v) : NULL;
		json_t *jv = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
		if (!jv) {
			if (v)
				hcl_diags_add(
				        &cfg->diags, HCL_DIAG_ERROR, &a->range,
				        "Invalid backend argument",
				        "The value of \"%s\" cannot be used in a backend block.",
				        a->name);
			ok = false;
			continue;
		}
		json_object_set_new(obj, a->name, jv);
	}
	if (!ok) {
		json_decref(obj);
		return GF_EINVALID;
	}
	*type = gf_xstrdup(root->backend_type);
	*bconf = obj;
	return 0;
}

static int init_required(const char *reason)
{
	return gf_err_set(GF_EINVALID,
	                  "Backend initialization required, please run \"gitfleet init\"\n"
	                  "\n"
	                  "Reason: %s\n"
	                  "\n"
	                  "The \"backend\" is the interface that gitfleet uses to store state.\n"
	                  "Changes to backend configurations require reinitialization: run\n"
	                  "\"gitfleet init\" (with -reconfigure when a backend was already\n"
	                  "configured) to use the current configuration. No changes to your\n"
	                  "configuration or state have been made.",
	                  reason);
}

int state_backend_open_dir(state_backend **out, const char *dir, struct config *cfg)
{
	char *type = NULL, *hash = NULL, *reason = NULL;
	json_t *bconf = NULL;
	state_backend_record rec;
	*out = NULL;
	int rc = cfg ? state_backend_config_eval(&type, &bconf, cfg) : 0;
	if (rc < 0)
		return gf_err_set(rc, "the backend configuration is not valid");
	int rrc = state_workdir_read(&rec, dir);
	if (rrc < 0 && rrc != GF_ENOTFOUND) {
		rc = rrc;
		goto done;
	}
	if (rrc == GF_ENOTFOUND) {
		gf_err_clear();
		if (type && strcmp(type, "local") != 0) {
			reason = gf_xasprintf(
			        "Initial configuration of the requested backend \"%s\"", type);
			rc = init_required(reason);
			goto done;
		}
		rc = state_backend_open(out, "local", bconf, dir);
		goto done;
	}
	if (cfg) {
		const char *want = type ? type : "local";
		hash = state_backend_config_hash(want, bconf);
		if (!type && strcmp(rec.type, "local") != 0) {
			reason = gf_xasprintf("Unsetting the previously set backend \"%s\"",
			                      rec.type);
			rc = init_required(reason);
			goto done;
		}
		if (strcmp(hash, rec.hash) != 0) {
			rc = init_required(strcmp(want, rec.type) == 0
			                           ? "Backend configuration block has changed"
			                           : "Backend type changed");
			goto done;
		}
	}
	rc = state_backend_open(out, rec.type, rec.config, dir);
done:
	if (rrc == 0)
		state_backend_record_dispose(&rec);
	free(type);
	free(hash);
	free(reason);
	json_decref(bconf);
	return rc;
}
