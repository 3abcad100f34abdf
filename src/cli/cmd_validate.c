/* `gitfleet validate [-json] [-no-color] [DIR]`: terraform validate. */
#include "cli/cli.h"

#include "config/config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int print_json(const config *cfg)
{
	const hcl_diags *d = &cfg->diags;
	json_t *list = json_array();
	size_t warnings = 0;
	for (size_t i = 0; i < d->list.len; i++) {
		warnings += d->list.items[i].severity == HCL_DIAG_WARNING;
		json_array_append_new(list, hcl_diag_to_json(&d->list.items[i], &cfg->sources));
	}
	json_t *o = json_object();
	json_object_set_new(o, "format_version", json_string("1.0"));
	json_object_set_new(o, "valid", json_boolean(d->errors == 0));
	json_object_set_new(o, "error_count", json_integer((json_int_t)d->errors));
	json_object_set_new(o, "warning_count", json_integer((json_int_t)warnings));
	json_object_set_new(o, "diagnostics", list);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	puts(s);
	free(s);
	json_decref(o);
	return d->errors ? 1 : 0;
}

int cmd_validate(int argc, char **argv)
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
		return cli_fail("validate", 1, "expected at most one directory, got %d arguments",
		                argc - next);
	const char *dir = next < argc ? argv[next] : ".";
	if (!gf_fs_is_dir(dir))
		return cli_fail("validate", 1, "%s is not a directory", dir);
	config *cfg = config_load(dir);
	config_validate(cfg);
	int status;
	if (json) {
		status = print_json(cfg);
	} else {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		status = cfg->diags.errors ? 1 : 0;
		if (!status) {
			bool warned = cfg->diags.list.len > 0;
			if (warned)
				fputs("\n", stdout);
			bool color = !no_color && isatty(fileno(stdout));
			fputs(color ? "\033[32m\033[1mSuccess!\033[0m" : "Success!", stdout);
			fputs(warned ? " The configuration is valid, but there were some "
			               "validation "
			               "warnings as shown above.\n"
			             : " The configuration is valid.\n",
			      stdout);
		}
	}
	config_free(cfg);
	return status;
}
