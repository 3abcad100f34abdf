/* `gitfleet output [-json] [-raw] [NAME]`: the root module's outputs from
 * the state, in terraform's formats. */
#include "cli/cli.h"

#include "hcl/value.h"
#include "state/state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_json(const json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY);
	puts(text ? text : "null");
	free(text);
	return 0;
}

static int print_console(gf_arena *a, const state_output *o)
{
	const hcl_value *v = state_value_from_json(a, o->value, o->type);
	if (!v) {
		char *why = gf_xasprintf("output \"%s\": %s", o->name, gf_err_msg());
		cli_print_error("Invalid output value in the state", why, false);
		free(why);
		return 1;
	}
	puts(hcl_value_render(a, v));
	return 0;
}

static int print_raw(gf_arena *a, const state_output *o, bool no_color)
{
	const json_t *v = o->value;
	if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
		return 0;
	}
	if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", stdout);
		return 0;
	}
	if (json_is_number(v)) {
		fputs(hcl_number_format(a, json_number_value(v)), stdout);
		return 0;
	}
	const hcl_type *t = state_type_from_json(a, o->type);
	char *detail = gf_xasprintf(
	        "The -raw option only supports strings, numbers, and boolean values, but output "
	        "value \"%s\" is %s.\n\nUse the -json option for machine-readable representations "
	        "of output values that have complex types.",
	        o->name,
	        json_is_null(v) ? "null"
	        : t             ? hcl_type_friendly(a, t)
	                        : "complex");
	cli_print_error("Unsupported value for raw output", detail, no_color);
	free(detail);
	return 1;
}

int cmd_output(int argc, char **argv)
{
	bool json = false, raw = false, no_color = false;
	const char *state_path = NULL;
	const cli_flag flags[] = {
	        {"json", CLI_FLAG_BOOL, &json},
	        {"raw", CLI_FLAG_BOOL, &raw},
	        {"no-color", CLI_FLAG_BOOL, &no_color},
	        {"state", CLI_FLAG_STRING, &state_path},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (argc - next > 1)
		return cli_fail("output", 1, "expected at most one output name");
	if (json && raw)
		return cli_fail("output", 1, "the -raw and -json options are mutually exclusive");
	const char *name = next < argc ? argv[next] : NULL;
	if (raw && !name)
		return cli_fail("output", 1, "the -raw option requires a single output name");
	state_backend *b = NULL;
	state *s = NULL;
	int status = 1;
	if (state_path) {
		json_t *conf = json_pack("{s:s}", "path", state_path);
		int rc = state_backend_open(&b, "local", conf, ".");
		json_decref(conf);
		if (rc < 0) {
			cli_print_error("Invalid -state", gf_err_msg(), no_color);
			return 1;
		}
	} else if (cli_backend_open(&b, no_color) < 0) {
		return 1;
	}
	if (state_backend_read(b, &s) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), no_color);
		state_backend_free(b);
		return 1;
	}
	gf_arena a;
	gf_arena_init(&a);
	if (name) {
		const state_output *o = s ? state_output_find(s, name) : NULL;
		if (!o) {
			char *summary = gf_xasprintf("Output \"%s\" not found", name);
			cli_print_error(
			        summary,
			        "The output variable requested could not be found in the state "
			        "file. If you recently added this to your configuration, be "
			        "sure to run `gitfleet apply`, since the state won't be updated "
			        "with new output variables until that command is run.",
			        no_color);
			free(summary);
		} else if (json) {
			status = print_json(o->value);
		} else if (raw) {
			status = print_raw(&a, o, no_color);
		} else {
			status = print_console(&a, o);
		}
		goto done;
	}
	if (json) {
		json_t *all = json_object();
		for (size_t i = 0; s && i < s->outputs.len; i++) {
			const state_output *o = s->outputs.items[i];
			json_object_set_new(all, o->name,
			                    json_pack("{s:b, s:O, s:O}", "sensitive", o->sensitive,
			                              "type", o->type, "value", o->value));
		}
		status = print_json(all);
		json_decref(all);
		goto done;
	}
	if (!s || s->outputs.len == 0) {
		gf_arena_dispose(&a);
		hcl_diags d;
		gf_arena_init(&a);
		hcl_diags_init(&d, &a);
		hcl_diags_add(&d, HCL_DIAG_WARNING, NULL, "No outputs found",
		              "The state file either has no outputs defined, or all the defined "
		              "outputs are empty. Please define an output in your configuration "
		              "with the `output` keyword and run `gitfleet apply` for it to become "
		              "available.");
		cli_print_diags(&d, 0, NULL, no_color);
		hcl_diags_dispose(&d);
		status = 0;
		goto done;
	}
	status = 0;
	for (size_t i = 0; i < s->outputs.len && status == 0; i++) {
		const state_output *o = s->outputs.items[i];
		printf("%s = ", o->name);
		if (o->sensitive)
			puts("<sensitive>");
		else
			status = print_console(&a, o);
	}
done:
	gf_arena_dispose(&a);
	state_free(s);
	state_backend_free(b);
	return status;
}
