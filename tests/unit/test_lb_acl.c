/* Unit tests of src/lb's allow-lists: IPv4, IPv6 and v4-mapped addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb/lb.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static bool allows(const lb_acl *acl, const char *ip)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		fail_msg("bad test address %s", ip);
	return lb_acl_allows(acl, (struct sockaddr *)&ss);
}

static void test_ipv4(void **state)
{
	const char *rules[] = {"10.0.0.0/8", "192.168.1.7", "172.16.0.0/12"};
	lb_acl *acl = NULL;
	assert_int_equal(lb_acl_new(&acl, rules, 3), 0);
	assert_true(allows(acl, "10.1.2.3"));
	assert_true(allows(acl, "10.255.255.255"));
	assert_false(allows(acl, "11.0.0.1"));
	assert_true(allows(acl, "192.168.1.7"));
	assert_false(allows(acl, "192.168.1.8"));
	assert_true(allows(acl, "172.31.0.1"));
	assert_false(allows(acl, "172.32.0.1"));
	/* An IPv6 client is not in an IPv4 list. */
	assert_false(allows(acl, "::1"));
	lb_acl_free(acl);
}

static void test_ipv6(void **state)
{
	const char *rules[] = {"2001:db8::/32", "::1/128"};
	lb_acl *acl = NULL;
	assert_int_equal(lb_acl_new(&acl, rules, 2), 0);
	assert_true(allows(acl, "2001:db8:1::5"));
	assert_false(allows(acl, "2001:db9::1"));
	assert_true(allows(acl, "::1"));
	assert_false(allows(acl, "::2"));
	assert_false(allows(acl, "127.0.0.1"));
	lb_acl_free(acl);
}

static void test_v4_mapped(void **state)
{
	/* IPv4 clients of a dual-stack socket arrive as ::ffff:a.b.c.d. */
	const char *v4rules[] = {"127.0.0.0/8"};
	lb_acl *acl = NULL;
	assert_int_equal(lb_acl_new(&acl, v4rules, 1), 0);
	assert_true(allows(acl, "::ffff:127.0.0.1"));
	assert_false(allows(acl, "::ffff:128.0.0.1"));
	lb_acl_free(acl);
	/* And a rule written in the mapped form matches plain IPv4. */
	const char *mapped[] = {"::ffff:10.0.0.0/104"};
	assert_int_equal(lb_acl_new(&acl, mapped, 1), 0);
	assert_true(allows(acl, "10.9.8.7"));
	assert_false(allows(acl, "11.9.8.7"));
	lb_acl_free(acl);
}

static void test_edges(void **state)
{
	lb_acl *acl = NULL;
	/* Empty list: everybody. */
	assert_int_equal(lb_acl_new(&acl, NULL, 0), 0);
	assert_true(allows(acl, "203.0.113.1"));
	lb_acl_free(acl);
	assert_true(allows(NULL, "203.0.113.1"));
	const char *all[] = {"0.0.0.0/0"};
	assert_int_equal(lb_acl_new(&acl, all, 1), 0);
	assert_true(allows(acl, "203.0.113.1"));
	assert_false(allows(acl, "2001:db8::1"));
	lb_acl_free(acl);
	/* A prefix that is not on a byte boundary. */
	const char *odd[] = {"192.168.0.0/23"};
	assert_int_equal(lb_acl_new(&acl, odd, 1), 0);
	assert_true(allows(acl, "192.168.1.255"));
	assert_false(allows(acl, "192.168.2.0"));
	lb_acl_free(acl);
	const char *bad[] = {"10.0.0.0/33", "10.0.0/8", "::1/129", "", "host/8", "10.0.0.0/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lb_acl_new(&acl, &bad[i], 1), GF_EINVALID);
		assert_non_null(strstr(gf_err_msg(), "invalid CIDR"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ipv4),
	        cmocka_unit_test(test_ipv6),
	        cmocka_unit_test(test_v4_mapped),
	        cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
