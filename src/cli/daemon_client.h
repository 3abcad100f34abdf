/* Private to src/cli: how the commands that talk to the daemon reach it
 * (status, instances, events, logs). */
#ifndef GF_CLI_DAEMON_CLIENT_H
#define GF_CLI_DAEMON_CLIENT_H

#include "http/api.h"

#include <jansson.h>
#include <stddef.h>

/* Where the daemon is: "unix:HOME/run/gitfleet.sock" for `home` (NULL: the
 * default home), unless GITFLEET_ADDR (with GITFLEET_TOKEN) names a TCP
 * address and no --home was given. */
typedef struct {
	char *url;
	char *token;
} cli_daemon;

int cli_daemon_init(cli_daemon *d, const char *home);
void cli_daemon_dispose(cli_daemon *d);
/* A request to the daemon for `path`, with the error wording filled in. */
void cli_daemon_req(http_client_req *r, const cli_daemon *d, const char *path);
/* GET path as JSON; on failure prints `gitfleet CMD: ...` and returns 1. */
int cli_daemon_get(json_t **out, const char *cmd, const cli_daemon *d, const char *path);
/* Pretty JSON on stdout. */
void cli_print_json(const json_t *j);
/* "12s", "5m", "3.2h", "1.5d". */
const char *cli_age(char *buf, size_t n, double seconds);

#endif
