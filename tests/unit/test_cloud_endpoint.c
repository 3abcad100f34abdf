/* Unit tests of how clients find the daemon (cloud_endpoint_resolve): the
 * environment a build gets wins over the configuration, an address keeps
 * its own token, and the provider resolves exactly as the rule says (the
 * gitfleet state backend is tested against a live server in
 * test_state_http.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "cloud/cloud.h"
#include "provider/provider.h"

#include <stdlib.h>
#include <string.h>

static int clear_env(void **state)
{
	unsetenv("GITFLEET_ADDR");
	unsetenv("GITFLEET_TOKEN");
	setenv("GITFLEET_HOME", "/srv/fleet-home", 1);
	return 0;
}

static void expect(const char *address, const char *token, const char *url, const char *want_token)
{
	cloud_endpoint e;
	cloud_endpoint_resolve(&e, address, token);
	assert_string_equal(e.url, url);
	if (want_token)
		assert_string_equal(e.token, want_token);
	else
		assert_null(e.token);
	cloud_endpoint_dispose(&e);
}

static void test_default_socket(void **state)
{
	expect(NULL, NULL, "unix:/srv/fleet-home/run/gitfleet.sock", NULL);
	expect("", "", "unix:/srv/fleet-home/run/gitfleet.sock", NULL);
	/* A configured token without an address goes to the default socket. */
	expect(NULL, "cfg", "unix:/srv/fleet-home/run/gitfleet.sock", "cfg");
	/* GITFLEET_TOKEN alone belongs to no address: not sent. */
	setenv("GITFLEET_TOKEN", "env", 1);
	expect(NULL, NULL, "unix:/srv/fleet-home/run/gitfleet.sock", NULL);
}

static void test_configuration_address_forms(void **state)
{
	expect("127.0.0.1:7070", "cfg", "http://127.0.0.1:7070", "cfg");
	expect("/run/g.sock", NULL, "unix:/run/g.sock", NULL);
	expect("unix:/run/g.sock", NULL, "unix:/run/g.sock", NULL);
	expect("http://h:1", NULL, "http://h:1", NULL);
	/* A configured address does not pick up GITFLEET_TOKEN. */
	setenv("GITFLEET_TOKEN", "env", 1);
	expect("127.0.0.1:7070", NULL, "http://127.0.0.1:7070", NULL);
}

/* Inside a build: GITFLEET_ADDR and GITFLEET_TOKEN win over the
 * configuration, address and token together. */
static void test_environment_wins(void **state)
{
	setenv("GITFLEET_ADDR", "unix:/builds/run/gitfleet.sock", 1);
	setenv("GITFLEET_TOKEN", "build-token", 1);
	expect(NULL, NULL, "unix:/builds/run/gitfleet.sock", "build-token");
	expect("127.0.0.1:7070", "cfg", "unix:/builds/run/gitfleet.sock", "build-token");
	/* Without GITFLEET_TOKEN the configuration's token is still not sent
	 * to the environment's address. */
	unsetenv("GITFLEET_TOKEN");
	expect("127.0.0.1:7070", "cfg", "unix:/builds/run/gitfleet.sock", NULL);
	setenv("GITFLEET_ADDR", "10.0.0.5:7070", 1);
	expect("127.0.0.1:7070", NULL, "http://10.0.0.5:7070", NULL);
	/* An empty GITFLEET_ADDR is no address. */
	setenv("GITFLEET_ADDR", "", 1);
	expect("127.0.0.1:7070", "cfg", "http://127.0.0.1:7070", "cfg");
}

static void test_home_flag(void **state)
{
	setenv("GITFLEET_ADDR", "10.0.0.5:7070", 1);
	setenv("GITFLEET_TOKEN", "env", 1);
	cloud_endpoint e;
	cloud_endpoint_home(&e, "/tmp/h");
	assert_string_equal(e.url, "unix:/tmp/h/run/gitfleet.sock");
	assert_null(e.token);
	cloud_endpoint_dispose(&e);
}

/* provider "fleet" { address, token } follows the same rule. */
static void test_provider_follows_the_rule(void **state)
{
	provider_conn c;
	provider_conn_init(&c, "127.0.0.1:7070", "cfg");
	assert_string_equal(c.url, "http://127.0.0.1:7070");
	assert_string_equal(c.token, "cfg");
	provider_conn_dispose(&c);
	setenv("GITFLEET_ADDR", "unix:/builds/run/gitfleet.sock", 1);
	setenv("GITFLEET_TOKEN", "build-token", 1);
	provider_conn_init(&c, "127.0.0.1:7070", "cfg");
	assert_string_equal(c.url, "unix:/builds/run/gitfleet.sock");
	assert_string_equal(c.token, "build-token");
	provider_conn_dispose(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_default_socket, clear_env),
	        cmocka_unit_test_setup(test_configuration_address_forms, clear_env),
	        cmocka_unit_test_setup(test_environment_wins, clear_env),
	        cmocka_unit_test_setup(test_home_flag, clear_env),
	        cmocka_unit_test_setup(test_provider_follows_the_rule, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
