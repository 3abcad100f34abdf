/*
 * IP network functions: cidrhost cidrnetmask cidrsubnet cidrsubnets, for
 * IPv4 and IPv6. Addresses are 128-bit big-endian byte arrays (IPv4 uses
 * the last 4 bytes' worth of bits, counted from bit 0 of its own width),
 * so one set of bit helpers serves both families.
 */
#include "hcl/func_impl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	unsigned char ip[16];
	int bits;   /* 32 or 128 */
	int prefix; /* prefix length */
} cidr;

/* Parses a prefix as Go's net.ParseCIDR does. Terraform reports a bad
 * prefix as a failed call, except cidrsubnets, which blames argument 0:
 * `arg` is -1 for the former. */
static bool cidr_parse(hclv_call *c, int arg, const char *s, cidr *out)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	char *end;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->ip) == 1)
		out->bits = 32;
	else if (inet_pton(AF_INET6, addr, out->ip) == 1)
		out->bits = 128;
	else
		goto bad;
	if (slash[1] < '0' || slash[1] > '9')
		goto bad;
	long p = strtol(slash + 1, &end, 10);
	if (*end || p < 0 || p > out->bits || (slash[1] == '0' && slash[2]))
		goto bad;
	out->prefix = (int)p;
	/* keep the network address, as Go's net.ParseCIDR does */
	for (int b = out->prefix; b < out->bits; b++)
		out->ip[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
	return true;
bad:
	if (arg < 0)
		hclv_call_error(c, "invalid CIDR expression: invalid CIDR address: %s", s);
	else
		hclv_arg_error(c, (size_t)arg, "invalid CIDR expression: invalid CIDR address: %s",
		               s);
	return false;
}

static void set_bit(cidr *x, int b, bool on)
{
	unsigned char m = (unsigned char)(0x80u >> (b % 8));
	if (on)
		x->ip[b / 8] |= m;
	else
		x->ip[b / 8] &= (unsigned char)~m;
}

/* Writes `value` (non-negative) into bits [from, to) of the address,
 * most significant first; false if it does not fit. */
static bool put_number(cidr *x, int from, int to, uint64_t value)
{
	int width = to - from;
	if (width < 64 && value >> width)
		return false;
	for (int i = 0; i < width; i++) {
		int shift = width - 1 - i;
		set_bit(x, from + i, shift < 64 && ((value >> shift) & 1));
	}
	return true;
}

static const hcl_value *cidr_string(hclv_call *c, const cidr *x, bool with_prefix)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(x->bits == 32 ? AF_INET : AF_INET6, x->ip, buf, sizeof(buf));
	if (with_prefix)
		return hclv_cstr(c, gf_arena_printf(c->a, "%s/%d", buf, x->prefix));
	return hclv_cstr(c, buf);
}

static const hcl_value *fn_cidrhost(hclv_call *c, const hcl_value *const *args, size_t n)
{
	cidr x;
	int64_t host;
	if (!hclv_arg_int(c, 1, args[1], &host) || !cidr_parse(c, -1, args[0]->u.str.ptr, &x))
		return NULL;
	int hostbits = x.bits - x.prefix;
	bool fits;
	if (host >= 0) {
		fits = put_number(&x, x.prefix, x.bits, (uint64_t)host);
	} else {
		/* counting back from the last address: all ones minus (-host - 1) */
		uint64_t back = (uint64_t)(-(host + 1));
		fits = hostbits >= 64 || (hostbits > 0 && back < (1ull << hostbits));
		if (fits) {
			for (int b = x.prefix; b < x.bits; b++)
				set_bit(&x, b, true);
			for (int i = 0; i < 64 && i < hostbits; i++)
				if ((back >> i) & 1)
					set_bit(&x, x.bits - 1 - i, false);
		}
	}
	if (!fits)
		return hclv_call_error(c,
		                       "prefix of %d bits cannot accommodate a host numbered %lld",
		                       x.prefix, (long long)host);
	return cidr_string(c, &x, false);
}

static const hcl_value *fn_cidrnetmask(hclv_call *c, const hcl_value *const *args, size_t n)
{
	cidr x;
	if (!cidr_parse(c, -1, args[0]->u.str.ptr, &x))
		return NULL;
	if (x.bits != 32)
		return hclv_call_error(c, "IPv6 addresses cannot have a netmask: %s",
		                       args[0]->u.str.ptr);
	for (int b = 0; b < 32; b++)
		set_bit(&x, b, b < x.prefix);
	return cidr_string(c, &x, false);
}

/* Extends x's prefix by newbits and places netnum there. */
static bool subnet(hclv_call *c, cidr *x, int64_t newbits, int64_t netnum)
{
	if (newbits < 0 || x->prefix + newbits > x->bits) {
		hclv_call_error(c, "insufficient address space to extend prefix of %d by %lld",
		                x->prefix, (long long)newbits);
		return false;
	}
	if (netnum < 0 || !put_number(x, x->prefix, x->prefix + (int)newbits, (uint64_t)netnum)) {
		hclv_call_error(c,
		                "prefix extension of %lld does not accommodate a subnet numbered "
		                "%lld",
		                (long long)newbits, (long long)netnum);
		return false;
	}
	x->prefix += (int)newbits;
	return true;
}

static const hcl_value *fn_cidrsubnet(hclv_call *c, const hcl_value *const *args, size_t n)
{
	cidr x;
	int64_t newbits, netnum;
	if (!hclv_arg_int(c, 1, args[1], &newbits) || !hclv_arg_int(c, 2, args[2], &netnum) ||
	    !cidr_parse(c, -1, args[0]->u.str.ptr, &x))
		return NULL;
	if (!subnet(c, &x, newbits, netnum))
		return NULL;
	return cidr_string(c, &x, true);
}

/* Adds one at bit position `bit` (the last bit of a prefix); false on
 * overflow past the start of the address. */
static bool add_one_at(cidr *x, int bit)
{
	for (int b = bit; b >= 0; b--) {
		unsigned char m = (unsigned char)(0x80u >> (b % 8));
		if (!(x->ip[b / 8] & m)) {
			x->ip[b / 8] |= m;
			return true;
		}
		x->ip[b / 8] &= (unsigned char)~m;
	}
	return false;
}

static int cmp_addr(const cidr *a, const cidr *b)
{
	return memcmp(a->ip, b->ip, 16);
}

static const hcl_value *fn_cidrsubnets(hclv_call *c, const hcl_value *const *args, size_t n)
{
	cidr base;
	if (!cidr_parse(c, 0, args[0]->u.str.ptr, &base))
		return NULL;
	const hcl_value **out = gf_arena_alloc(c->a, n * sizeof(*out));
	cidr next = base; /* first free address */
	bool exhausted = false;
	for (size_t i = 1; i < n; i++) {
		int64_t nb;
		if (!hclv_arg_int(c, i, args[i], &nb))
			return NULL;
		if (nb < 1)
			return hclv_arg_error(c, i, "must extend prefix by at least one bit");
		if (nb > 32)
			return hclv_arg_error(c, i, "may not extend prefix by more than 32 bits");
		if (base.prefix + nb > base.bits)
			return hclv_arg_error(
			        c, i,
			        "would extend prefix to %lld bits, which is too long for "
			        "an IPv%d address",
			        (long long)(base.prefix + nb), base.bits == 32 ? 4 : 6);
		cidr s = next;
		s.prefix = base.prefix + (int)nb;
		/* align up to the new prefix */
		bool misaligned = false;
		for (int b = s.prefix; b < s.bits; b++)
			if (s.ip[b / 8] & (0x80u >> (b % 8)))
				misaligned = true;
		for (int b = s.prefix; b < s.bits; b++)
			set_bit(&s, b, false);
		if (misaligned && !add_one_at(&s, s.prefix - 1))
			exhausted = true;
		/* it must still be inside the base prefix */
		cidr check = s;
		for (int b = base.prefix; b < base.bits; b++)
			set_bit(&check, b, false);
		cidr bnet = base;
		if (exhausted || cmp_addr(&check, &bnet) != 0 || (i > 1 && cmp_addr(&s, &next) < 0))
			return hclv_arg_error(c, i,
			                      "not enough remaining address space for a subnet "
			                      "with a prefix of %d bits after %s",
			                      s.prefix,
			                      i > 1 ? out[i - 2]->u.str.ptr : args[0]->u.str.ptr);
		out[i - 1] = cidr_string(c, &s, true);
		next = s;
		for (int b = s.prefix; b < s.bits; b++)
			set_bit(&next, b, false);
		if (!add_one_at(&next, s.prefix - 1))
			exhausted = true;
	}
	return hcl_list(c->a, &hcl_type_string, out, n - 1);
}

const hclv_func hclv_funcs_net[] = {
        HCLV_FUNC("cidrhost", fn_cidrhost, &hcl_type_string, NULL, {"prefix", &hcl_type_string, 0},
                  {"hostnum", &hcl_type_number, 0}),
        HCLV_FUNC("cidrnetmask", fn_cidrnetmask, &hcl_type_string, NULL,
                  {"prefix", &hcl_type_string, 0}),
        HCLV_FUNC("cidrsubnet", fn_cidrsubnet, &hcl_type_string, NULL,
                  {"prefix", &hcl_type_string, 0}, {"newbits", &hcl_type_number, 0},
                  {"netnum", &hcl_type_number, 0}),
        HCLV_FUNC("cidrsubnets", fn_cidrsubnets, &hclv_list_string,
                  HCLV_VAR("newbits", &hcl_type_number, 0), {"prefix", &hcl_type_string, 0}),
};
const size_t hclv_nfuncs_net = GF_ARRAY_LEN(hclv_funcs_net);
