/* `gitfleet logs --instance ID [-f]`: an instance's stdout and stderr. */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"

#include <stdio.h>
#include <stdlib.h>

static int on_data(const char *data, size_t len, void *payload)
{
	fwrite(data, 1, len, stdout);
	fflush(stdout);
	return ferror(stdout) ? 1 : 0;
}

/* --json: one object per piece of log, as it comes. */
static int on_data_json(const char *data, size_t len, void *payload)
{
	json_t *j = json_pack("{s:s, s:s%}", "instance", (const char *)payload, "log", data, len);
	char *t = json_dumps(j, JSON_COMPACT);
	puts(t ? t : "{}");
	fflush(stdout);
	free(t);
	json_decref(j);
	return ferror(stdout) ? 1 : 0;
}

int cmd_logs(int argc, char **argv)
{
	const char *home = NULL, *id = NULL;
	bool follow = false, as_json = false;
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home},  {"instance", CLI_FLAG_STRING, &id},
	        {"f", CLI_FLAG_BOOL, &follow},     {"follow", CLI_FLAG_BOOL, &follow},
	        {"json", CLI_FLAG_BOOL, &as_json},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (next < argc)
		return cli_fail("logs", 1, "unexpected argument \"%s\". See 'gitfleet help logs'.",
		                argv[next]);
	if (!id)
		return cli_fail("logs", 1,
		                "--instance ID is required: see `gitfleet instances` for the ids");
	cli_daemon d;
	cli_daemon_init(&d, home);
	char *path = gf_xasprintf("/v1/instances/%s/log%s", id, follow ? "?follow=1" : "");
	http_client_req r;
	cli_daemon_req(&r, &d, path);
	r.on_data = as_json ? on_data_json : on_data;
	r.payload = (void *)id;
	if (follow)
		r.timeout = 1e9; /* a quiet instance is not an error */
	http_client_resp resp;
	int status = 0;
	int rc = http_client_request(&resp, &r);
	if (rc < 0) {
		status = cli_fail("logs", 1, "%s", gf_err_msg());
	} else if (resp.status != 200) {
		json_t *e = json_loads(gf_buf_cstr(&resp.body), 0, NULL);
		const char *msg =
		        json_string_value(json_object_get(json_object_get(e, "error"), "message"));
		status = cli_fail("logs", 1, "%s", msg ? msg : gf_buf_cstr(&resp.body));
		json_decref(e);
	}
	http_client_resp_dispose(&resp);
	free(path);
	cli_daemon_dispose(&d);
	return status;
}
