/* `gitfleet instances`: the daemon's instances as a table (or JSON). */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"

#include <stdio.h>
#include <string.h>

static const char *s(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

int cmd_instances(int argc, char **argv)
{
	const char *home = NULL;
	bool as_json = false, all = false;
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home},
	        {"json", CLI_FLAG_BOOL, &as_json},
	        {"all", CLI_FLAG_BOOL, &all},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (next < argc)
		return cli_fail("instances", 1,
		                "unexpected argument \"%s\". See 'gitfleet help instances'.",
		                argv[next]);
	cli_daemon d;
	cli_daemon_init(&d, home);
	json_t *j = NULL;
	int rc = cli_daemon_get(&j, "instances", &d, "/v1/instances");
	cli_daemon_dispose(&d);
	if (rc)
		return rc;
	json_t *items = json_object_get(j, "items");
	if (as_json) {
		cli_print_json(items);
		json_decref(j);
		return 0;
	}
	printf("%-8s %-16s %-4s %-12s %-6s %-8s %-6s %s\n", "ID", "GROUP", "VER", "STATE", "PORT",
	       "PID", "AGE", "REASON");
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x)
	{
		const char *st = s(x, "state");
		if (!all && (strcmp(st, "terminated") == 0 || strcmp(st, "failed") == 0))
			continue;
		char age[32];
		printf("%-8s %-16s %-4lld %-12s %-6lld %-8lld %-6s %s\n", s(x, "id"), s(x, "group"),
		       (long long)json_integer_value(json_object_get(x, "version")), st,
		       (long long)json_integer_value(json_object_get(x, "port")),
		       (long long)json_integer_value(json_object_get(x, "pid")),
		       cli_age(age, sizeof(age),
		               json_number_value(json_object_get(x, "age_seconds"))),
		       s(x, "reason"));
	}
	json_decref(j);
	return 0;
}
