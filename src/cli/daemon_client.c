/* How the CLI reaches the daemon: the unix socket of the home (--home,
 * else the default home), or GITFLEET_ADDR + GITFLEET_TOKEN over TCP. */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"
#include "cloud/cloud.h"
#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_daemon_init(cli_daemon *d, const char *home)
{
	/* One rule for every client (cloud_endpoint_resolve); --home is a
	 * flag, so it wins over GITFLEET_ADDR. */
	cloud_endpoint ep;
	if (home)
		cloud_endpoint_home(&ep, home);
	else
		cloud_endpoint_resolve(&ep, NULL, NULL);
	memset(d, 0, sizeof(*d));
	d->url = ep.url;
	d->token = ep.token;
	return 0;
}

void cli_daemon_dispose(cli_daemon *d)
{
	free(d->url);
	free(d->token);
}

void cli_daemon_req(http_client_req *r, const cli_daemon *d, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->url = d->url;
	r->path = path;
	r->token = d->token;
	r->peer_name = CLOUD_PEER_NAME;
	r->hint = "is `gitfleet daemon` running? --home or GITFLEET_HOME pick its socket; "
	          "GITFLEET_ADDR and GITFLEET_TOKEN a TCP address";
}

int cli_daemon_get(json_t **out, const char *cmd, const cli_daemon *d, const char *path)
{
	http_client_req r;
	cli_daemon_req(&r, d, path);
	int status = 0;
	if (http_client_json(out, &status, &r, NULL) < 0) {
		json_decref(*out);
		*out = NULL;
		return cli_fail(cmd, 1, "%s", gf_err_msg());
	}
	return 0;
}

void cli_print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	puts(s ? s : "null");
	free(s);
}

const char *cli_age(char *buf, size_t n, double seconds)
{
	if (seconds < 60)
		snprintf(buf, n, "%.0fs", seconds);
	else if (seconds < 3600)
		snprintf(buf, n, "%.0fm", seconds / 60);
	else if (seconds < 86400)
		snprintf(buf, n, "%.1fh", seconds / 3600);
	else
		snprintf(buf, n, "%.1fd", seconds / 86400);
	return buf;
}
