/* SHA-256 through OpenSSL's low-level functions (base.h says why). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base/base.h"

#include <openssl/sha.h>
#include <stdio.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((gf_sha256 *)0)->ctx),
               "gf_sha256 is too small for a SHA256_CTX");

void gf_sha256_init(gf_sha256 *h)
{
	SHA256_Init((SHA256_CTX *)h->ctx);
}

void gf_sha256_update(gf_sha256 *h, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)h->ctx, data, len);
}

void gf_sha256_final_hex(gf_sha256 *h, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_Final(md, (SHA256_CTX *)h->ctx);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
