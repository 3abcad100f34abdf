/* Allow-lists of CIDRs. Every rule and every address is held as 16 bytes of
 * IPv6, IPv4 as its v4-mapped form (::ffff:a.b.c.d, prefix + 96), so that
 * IPv4 clients reaching a dual-stack socket match IPv4 rules and the other
 * way round, with one comparison routine. */
#include "lb/lb_int.h"

#include "base/base.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
	uint8_t net[16];
	unsigned prefix; /* 0..128 */
} acl_rule;

struct lb_acl {
	size_t n;
	acl_rule rules[];
};

static void map_v4(uint8_t out[16], const void *v4)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

static int parse_rule(acl_rule *r, const char *cidr)
{
	char host[64];
	const char *slash = strchr(cidr, '/');
	size_t hlen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, cidr, hlen);
	host[hlen] = '\0';
	unsigned max;
	struct in_addr v4;
	if (inet_pton(AF_INET, host, &v4) == 1) {
		map_v4(r->net, &v4);
		max = 32;
	} else if (inet_pton(AF_INET6, host, r->net) == 1) {
		max = 128;
	} else {
		goto bad;
	}
	int64_t prefix = max;
	if (slash && gf_str_to_i64(&prefix, slash + 1, 0, max) < 0)
		goto bad;
	r->prefix = (unsigned)prefix + (max == 32 ? 96 : 0);
	/* Host bits set ("10.1.2.3/8") are a common typo for a network:
	 * accept it as the network it names, as iptables does. */
	return 0;
bad:
	return gf_err_set(GF_EINVALID,
	                  "invalid CIDR \"%s\": use an address with an optional prefix length, "
	                  "like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32",
	                  cidr);
}

int lb_acl_new(lb_acl **out, const char *const *cidrs, size_t n)
{
	lb_acl *acl = gf_xmalloc(sizeof(*acl) + n * sizeof(acl_rule));
	acl->n = n;
	for (size_t i = 0; i < n; i++) {
		if (parse_rule(&acl->rules[i], cidrs[i]) < 0) {
			free(acl);
			return GF_EINVALID;
		}
	}
	*out = acl;
	return 0;
}

void lb_acl_free(lb_acl *acl)
{
	free(acl);
}

bool lb_acl_allows(const lb_acl *acl, const struct sockaddr *addr)
{
	if (!acl || acl->n == 0)
		return true;
	uint8_t a[16];
	if (addr->sa_family == AF_INET)
		map_v4(a, &((const struct sockaddr_in *)(const void *)addr)->sin_addr);
	else if (addr->sa_family == AF_INET6)
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, 16);
	else
		return false;
	for (size_t i = 0; i < acl->n; i++)
		if (prefix_equal(a, acl->rules[i].net, acl->rules[i].prefix))
			return true;
	return false;
}

lb_acl *lb_acl_dup(const lb_acl *acl)
{
	if (!acl)
		return NULL;
	size_t size = sizeof(*acl) + acl->n * sizeof(acl_rule);
	lb_acl *copy = gf_xmalloc(size);
	memcpy(copy, acl, size);
	return copy;
}
