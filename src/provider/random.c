/* random_id and terraform_data: resources that live only in state, and
 * the dispatch of provider_apply/provider_read by provider. */
#include "provider/provider_int.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>
#include <string.h>

static char *b64(gf_arena *a, const unsigned char *in, size_t n, bool url)
{
	const char *alpha =
	        url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = gf_arena_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*o++ = alpha[(v >> 18) & 63];
		*o++ = alpha[(v >> 12) & 63];
		if (i + 1 < n)
			*o++ = alpha[(v >> 6) & 63];
		else if (!url)
			*o++ = '=';
		if (i + 2 < n)
			*o++ = alpha[v & 63];
		else if (!url)
			*o++ = '=';
	}
	*o = 0;
	return out;
}

/* The bytes as one big-endian unsigned integer in decimal (Go's
 * big.Int.SetBytes(...).String()). */
static char *decimal(gf_arena *a, const unsigned char *in, size_t n)
{
	unsigned char *num = gf_arena_memdup(a, in, n ? n : 1);
	size_t len = n;
	char *digits = gf_arena_alloc(a, n * 3 + 2);
	size_t nd = 0;
	size_t start = 0;
	while (start < len && num[start] == 0)
		start++;
	while (start < len) {
		unsigned rem = 0;
		for (size_t i = start; i < len; i++) {
			unsigned cur = rem * 256 + num[i];
			num[i] = (unsigned char)(cur / 10);
			rem = cur % 10;
		}
		digits[nd++] = (char)('0' + rem);
		while (start < len && num[start] == 0)
			start++;
	}
	if (nd == 0)
		digits[nd++] = '0';
	char *out = gf_arena_alloc(a, nd + 1);
	for (size_t i = 0; i < nd; i++)
		out[i] = digits[nd - 1 - i];
	return out;
}

void provider_random_id_encode(provider_random_id *out, gf_arena *a, const unsigned char *bytes,
                               size_t n, const char *prefix)
{
	static const char hexd[] = "0123456789abcdef";
	const char *p = prefix ? prefix : "";
	char *hex = gf_arena_alloc(a, n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = hexd[bytes[i] >> 4];
		hex[2 * i + 1] = hexd[bytes[i] & 15];
	}
	out->id = b64(a, bytes, n, true);
	out->b64_url = gf_arena_printf(a, "%s%s", p, out->id);
	out->b64_std = gf_arena_printf(a, "%s%s", p, b64(a, bytes, n, false));
	out->hex = gf_arena_printf(a, "%s%s", p, hex);
	out->dec = gf_arena_printf(a, "%s%s", p, decimal(a, bytes, n));
}

#define RANDOM_ID_MAX_BYTES 1024

static int random_id_create(const hcl_value **out, gf_arena *a, const hcl_value *planned)
{
	const hcl_value *bl = pvi_get(planned, "byte_length");
	if (bl->kind != HCL_VAL_NUMBER || bl->u.num < 1 || bl->u.num > RANDOM_ID_MAX_BYTES ||
	    bl->u.num != (double)(size_t)bl->u.num)
		return gf_err_set(GF_EINVALID, "byte_length must be a whole number from 1 to %d",
		                  RANDOM_ID_MAX_BYTES);
	size_t n = (size_t)bl->u.num;
	unsigned char *bytes = gf_arena_alloc(a, n);
	if (RAND_bytes(bytes, (int)n) != 1)
		return gf_err_set(GF_ERROR, "no randomness available from the system");
	provider_random_id r;
	provider_random_id_encode(&r, a, bytes, n, pvi_str(planned, "prefix"));
	const hcl_value *v = planned;
	v = pvi_with(a, v, "id", hcl_cstring(a, r.id));
	v = pvi_with(a, v, "b64_url", hcl_cstring(a, r.b64_url));
	v = pvi_with(a, v, "b64_std", hcl_cstring(a, r.b64_std));
	v = pvi_with(a, v, "hex", hcl_cstring(a, r.hex));
	v = pvi_with(a, v, "dec", hcl_cstring(a, r.dec));
	*out = v;
	return 0;
}

static int uuid4(char out[37])
{
	unsigned char u[16];
	if (RAND_bytes(u, sizeof(u)) != 1)
		return gf_err_set(GF_ERROR, "no randomness available from the system");
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
	         u[13], u[14], u[15]);
	return 0;
}

int pvi_local_apply(const hcl_value **out, gf_arena *a, const provider_schema *s, provider_op op,
                    const hcl_value *planned)
{
	*out = NULL;
	if (op == PROVIDER_OP_DELETE)
		return 0;
	if (strcmp(s->type, "random_id") == 0) {
		if (op == PROVIDER_OP_CREATE)
			return random_id_create(out, a, planned);
		*out = planned; /* every argument forces replacement: nothing to do */
		return 0;
	}
	const hcl_value *v = pvi_with(a, planned, "output", pvi_get(planned, "input"));
	if (op == PROVIDER_OP_CREATE) {
		char id[37];
		if (uuid4(id) < 0)
			return GF_ERROR;
		v = pvi_with(a, v, "id", hcl_cstring(a, id));
	}
	*out = v;
	return 0;
}

int provider_apply(const hcl_value **out, gf_arena *a, const provider_conn *c,
                   const provider_schema *s, provider_op op, const hcl_value *prior,
                   const hcl_value *planned, const hcl_value *config)
{
	if (strcmp(s->provider, "fleet") == 0)
		return pvi_fleet_apply(out, a, c, s, op, prior, planned, config);
	return pvi_local_apply(out, a, s, op, planned);
}

int provider_read(const hcl_value **out, gf_arena *a, const provider_conn *c,
                  const provider_schema *s, const hcl_value *prior)
{
	if (strcmp(s->provider, "fleet") == 0)
		return pvi_fleet_read(out, a, c, s, prior);
	*out = prior;
	return 0;
}
