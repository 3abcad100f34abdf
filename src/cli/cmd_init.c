/* `gitfleet init`: reads the module tree (local modules only; the loader
 * reports any other source) and records it in .gitfleet/modules/
 * modules.json as terraform does in .terraform/modules/; reads the backend
 * block, merges -backend-config, checks the backend answers, and records
 * it in .gitfleet/ for the other commands. */
#include "cli/cli.h"

#include "config/config.h"
#include "hcl/ast.h"
#include "hcl/eval.h"
#include "hcl/value.h"
#include "state/state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a -backend-config FILE (HCL attributes, constants only) into cfg. */
static int merge_file(json_t *conf, const char *path, config *cfg)
{
	gf_buf b = GF_BUF_INIT;
	int rc = gf_fs_read(&b, path);
	if (rc < 0) {
		hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, NULL, "Failed to read file",
		              "The backend configuration file %s could not be read: %s", path,
		              gf_err_msg());
		gf_buf_dispose(&b);
		return rc;
	}
	/* The sources must outlive the rendering of diagnostics: the arena. */
	size_t len = b.len;
	const char *src = gf_arena_strndup(&cfg->arena, gf_buf_cstr(&b), len);
	gf_buf_dispose(&b);
	hcl_body *body = hcl_parse_file(path, src, len, &cfg->arena, &cfg->diags);
	hcl_sources_add(&cfg->sources, gf_arena_strdup(&cfg->arena, path), src, len, body);
	if (hcl_diags_has_errors(&cfg->diags))
		return GF_EINVALID;
	hcl_scope scope = {.lookup = NULL, .no_functions = true};
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (it->kind != HCL_ITEM_ATTRIBUTE) {
			hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, &it->u.block->type_range,
			              "Unsupported block type",
			              "A backend configuration file holds arguments only.");
			return GF_EINVALID;
		}
		const hcl_value *v = hcl_eval(&cfg->arena, it->u.attr->expr, &scope, &cfg->diags);
		char *text = v ? hcl_value_to_json(&cfg->arena, v) : NULL;
		json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
		if (!j)
			return GF_EINVALID;
		json_object_set_new(conf, it->u.attr->name, j);
	}
	return 0;
}

static int merge_args(json_t *conf, const cli_strlist *args, config *cfg)
{
	for (size_t i = 0; i < args->len; i++) {
		const char *a = args->items[i], *eq = strchr(a, '=');
		if (!eq) {
			if (merge_file(conf, a, cfg) < 0)
				return GF_EINVALID;
			continue;
		}
		char *key = gf_xstrndup(a, (size_t)(eq - a));
		/* As terraform: a K=V value is a string; backends read numbers
		 * and bools from strings. */
		json_object_set_new(conf, key, json_string(eq + 1));
		free(key);
	}
	return 0;
}

static void say(bool color, const char *code, const char *text)
{
	if (color)
		printf("\033[%sm%s\033[0m", code, text);
	else
		fputs(text, stdout);
}

/* One entry per module call of `mod` and below, as terraform's
 * modules.json ("Key": call names joined by dots, "Source", "Dir"), and
 * "- KEY in DIR" lines for the user. */
static void module_entries(json_t *list, gf_buf *lines, const config_module *mod,
                           const char *prefix)
{
	for (size_t i = 0; i < mod->calls.len; i++) {
		const config_module_call *c = &mod->calls.items[i];
		if (!c->child)
			continue;
		char *key = gf_xasprintf("%s%s%s", prefix, *prefix ? "." : "", c->name);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "Key", key, "Source",
		                                      c->source, "Dir", c->child->dir));
		gf_buf_printf(lines, "- %s in %s\n", key, c->child->dir);
		module_entries(list, lines, c->child, key);
		free(key);
	}
}

/* Writes .gitfleet/modules/modules.json; prints what it found. */
static int record_modules(const config *cfg, bool color)
{
	if (cfg->root->calls.len == 0)
		return 0;
	json_t *list = json_array();
	json_array_append_new(list,
	                      json_pack("{s:s, s:s, s:s}", "Key", "", "Source", "", "Dir", "."));
	gf_buf lines = GF_BUF_INIT;
	module_entries(list, &lines, cfg->root, "");
	json_t *doc = json_pack("{s:o}", "Modules", list);
	char *text = json_dumps(doc, JSON_INDENT(2));
	char *dir = gf_path_join(STATE_WORKDIR, "modules");
	char *path = gf_path_join(dir, "modules.json");
	int rc = gf_fs_mkdirs(dir, 0755);
	if (rc == 0)
		rc = gf_fs_write_atomic(path, text, strlen(text), 0644);
	if (rc == 0) {
		say(color, "1", "Initializing modules...\n");
		fputs(gf_buf_cstr(&lines), stdout);
	}
	free(path);
	free(dir);
	free(text);
	json_decref(doc);
	gf_buf_dispose(&lines);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	cli_strlist backend_config = {0};
	bool reconfigure = false, input = true, no_color = false, backend = true;
	const cli_flag flags[] = {
	        {"backend-config", CLI_FLAG_LIST, &backend_config},
	        {"reconfigure", CLI_FLAG_BOOL, &reconfigure},
	        {"input", CLI_FLAG_BOOL, &input},
	        {"no-color", CLI_FLAG_BOOL, &no_color},
	        {"backend", CLI_FLAG_BOOL, &backend},
	};
	int next, status = 1;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (next < argc) {
		cli_strlist_dispose(&backend_config);
		return cli_fail("init", 1,
		                "unexpected argument \"%s\": init works on the current directory",
		                argv[next]);
	}
	bool color = !no_color && isatty(fileno(stdout));
	config *cfg = config_load(".");
	if (cfg->root && cfg->root->nfiles == 0 && !hcl_diags_has_errors(&cfg->diags)) {
		say(color, "1", "gitfleet initialized in an empty directory!\n");
		puts("\nThe directory has no gitfleet configuration files. You may begin working\n"
		     "with gitfleet immediately by creating gitfleet configuration files.");
		config_free(cfg);
		cli_strlist_dispose(&backend_config);
		return 0;
	}
	char *type = NULL, *hash = NULL;
	json_t *block = NULL, *merged = NULL;
	state_backend *b = NULL;
	state_backend_record rec = {0}, old = {0};
	bool have_old = false;
	if (hcl_diags_has_errors(&cfg->diags) ||
	    state_backend_config_eval(&type, &block, cfg) < 0) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		goto done;
	}
	if (!type && backend_config.len) {
		cli_print_error("Missing backend configuration",
		                "-backend-config was used without a \"backend\" block in the "
		                "configuration.\n\nAdd a backend block such as\n  terraform {\n    "
		                "backend \"gitfleet\" { name = \"site\" }\n  }\nto configure it.",
		                no_color);
		goto done;
	}
	if (!type) {
		type = gf_xstrdup("local");
		block = json_object();
	}
	merged = json_deep_copy(block);
	if (merge_args(merged, &backend_config, cfg) < 0) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		goto done;
	}
	if (record_modules(cfg, color) < 0) {
		cli_print_error("Failed to record the modules", gf_err_msg(), no_color);
		goto done;
	}
	hash = state_backend_config_hash(type, block);
	if (backend && cfg->root->backend_type) {
		say(color, "1", "\nInitializing the backend...\n");
	}
	int rrc = state_workdir_read(&old, ".");
	have_old = rrc == 0;
	if (rrc < 0 && rrc != GF_ENOTFOUND && !reconfigure) {
		cli_print_error_msg(gf_err_msg(), no_color);
		goto done;
	}
	bool same = have_old && strcmp(old.type, type) == 0 && json_equal(old.config, merged);
	if (have_old && !same && !reconfigure) {
		cli_print_error("Backend configuration changed",
		                "A change in the backend configuration has been detected, which "
		                "may require migrating existing state.\n\nIf you wish to store the "
		                "current configuration with no changes to the state, use "
		                "\"gitfleet init -reconfigure\". gitfleet does not migrate state "
		                "between backends: copy it with \"gitfleet state pull\" and "
		                "\"gitfleet state push\".",
		                no_color);
		goto done;
	}
	if (state_backend_open(&b, type, merged, ".") < 0) {
		cli_print_error("Invalid backend configuration", gf_err_msg(), no_color);
		goto done;
	}
	state *s = NULL;
	if (state_backend_read(b, &s) < 0) {
		char *why = gf_xasprintf("Error loading state: %s", gf_err_msg());
		cli_print_error("Failed to get existing workspaces", why, no_color);
		free(why);
		goto done;
	}
	state_free(s);
	rec.type = type;
	rec.config = merged;
	rec.hash = hash;
	if (!same || strcmp(old.hash, hash) != 0) {
		if (state_workdir_write(".", &rec) < 0) {
			cli_print_error("Failed to write the working directory", gf_err_msg(),
			                no_color);
			goto done;
		}
		if (cfg->root->backend_type) {
			char *line = gf_xasprintf("\nSuccessfully configured the backend \"%s\"! "
			                          "gitfleet will automatically\nuse this backend "
			                          "unless the backend configuration changes.\n",
			                          type);
			say(color, "32", line);
			free(line);
		}
	}
	say(color, "32;1", "\ngitfleet has been successfully initialized!\n");
	say(color, "32",
	    "\nYou may now begin working with gitfleet. Try running \"gitfleet plan\" to see\n"
	    "any changes that are required for your infrastructure. All gitfleet commands\n"
	    "should now work.\n\n"
	    "If you ever set or change modules or backend configuration for gitfleet,\n"
	    "rerun this command to reinitialize your working directory. If you forget, other\n"
	    "commands will detect it and remind you to do so if necessary.\n");
	status = 0;
done:
	if (have_old)
		state_backend_record_dispose(&old);
	state_backend_free(b);
	json_decref(block);
	json_decref(merged);
	free(type);
	free(hash);
	config_free(cfg);
	cli_strlist_dispose(&backend_config);
	return status;
}
