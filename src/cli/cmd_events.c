/* `gitfleet events [-f]`: the daemon's event log. */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
	bool as_json;
} events_ctx;

static int on_event(const http_sse_event *ev, void *payload)
{
	events_ctx *c = payload;
	if (c->as_json) {
		puts(ev->data);
		fflush(stdout);
		return ferror(stdout) ? 1 : 0;
	}
	json_t *j = json_loads(ev->data, 0, NULL);
	if (!j)
		return 0;
	time_t t = (time_t)(json_integer_value(json_object_get(j, "time_ms")) / 1000);
	struct tm tm;
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *res = json_string_value(json_object_get(j, "resource"));
	const char *msg = json_string_value(json_object_get(j, "message"));
	printf("%s  %-22s %-12s %s\n", when, type ? type : "", res ? res : "", msg ? msg : "");
	fflush(stdout);
	json_decref(j);
	return ferror(stdout) ? 1 : 0;
}

int cmd_events(int argc, char **argv)
{
	const char *home = NULL, *after = NULL;
	bool follow = false;
	events_ctx c = {false};
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home},    {"f", CLI_FLAG_BOOL, &follow},
	        {"follow", CLI_FLAG_BOOL, &follow},  {"after", CLI_FLAG_STRING, &after},
	        {"json", CLI_FLAG_BOOL, &c.as_json},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (next < argc)
		return cli_fail("events", 1,
		                "unexpected argument \"%s\". See 'gitfleet help events'.",
		                argv[next]);
	int64_t n = 0;
	if (after && gf_str_to_i64(&n, after, 0, INT64_MAX) < 0)
		return cli_fail("events", 1, "--after %s: expected an event id (a number)", after);
	cli_daemon d;
	cli_daemon_init(&d, home);
	char *path =
	        gf_xasprintf("/v1/events?after=%lld%s", (long long)n, follow ? "" : "&follow=0");
	http_client_req r;
	cli_daemon_req(&r, &d, path);
	r.on_event = on_event;
	r.payload = &c;
	r.timeout = 60; /* the daemon sends a heartbeat every 15 s */
	http_client_resp resp;
	int status = 0;
	if (http_client_request(&resp, &r) < 0)
		status = cli_fail("events", 1, "%s", gf_err_msg());
	else if (resp.status != 200)
		status = cli_fail("events", 1, "the daemon answered %d: %s", resp.status,
		                  gf_buf_cstr(&resp.body));
	http_client_resp_dispose(&resp);
	free(path);
	cli_daemon_dispose(&d);
	return status;
}
