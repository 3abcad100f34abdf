/* How clients find the daemon (cloud.h: cloud_endpoint_resolve). */
#include "cloud/cloud.h"

#include <stdlib.h>
#include <string.h>

static char *address_url(const char *address)
{
	if (gf_str_has_prefix(address, "unix:") || gf_str_has_prefix(address, "http://") ||
	    gf_str_has_prefix(address, "https://"))
		return gf_xstrdup(address);
	if (address[0] == '/')
		return gf_xasprintf("unix:%s", address);
	return gf_xasprintf("http://%s", address);
}

void cloud_endpoint_home(cloud_endpoint *out, const char *home)
{
	char *sock = gf_path_join(home, "run/gitfleet.sock");
	out->url = gf_xasprintf("unix:%s", sock);
	out->token = NULL;
	free(sock);
}

void cloud_endpoint_resolve(cloud_endpoint *out, const char *address, const char *token)
{
	memset(out, 0, sizeof(*out));
	const char *env_addr = getenv("GITFLEET_ADDR");
	const char *env_token = getenv("GITFLEET_TOKEN");
	/* The address and its token go together: a token is never sent to an
	 * address it was not given with. */
	if (env_addr && *env_addr) {
		out->url = address_url(env_addr);
		out->token = env_token && *env_token ? gf_xstrdup(env_token) : NULL;
		return;
	}
	if (address && *address) {
		out->url = address_url(address);
	} else {
		char *home = cloud_home_default();
		cloud_endpoint_home(out, home);
		free(home);
	}
	out->token = token && *token ? gf_xstrdup(token) : NULL;
}

void cloud_endpoint_dispose(cloud_endpoint *e)
{
	free(e->url);
	free(e->token);
	e->url = e->token = NULL;
}
