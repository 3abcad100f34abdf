/*
 * Base64 digests and encodings: base64sha256 base64sha512 (and the file*
 * variants), base64gzip (zlib), textencodebase64 textdecodebase64 (iconv),
 * uuidv5 (SHA-1 name-based UUIDs) and bcrypt (libcrypt's $2a$ hashes, as
 * Go's x/crypto/bcrypt writes them).
 */
#include "hcl/func_impl.h"

#include <crypt.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>

static const hcl_value *b64_result(hclv_call *c, const unsigned char *data, size_t len)
{
	gf_buf b = GF_BUF_INIT;
	hclv_base64_put(&b, data, len);
	return hclv_cstr(c, hclv_buf_finish(c->a, &b));
}

static const hcl_value *b64_digest(hclv_call *c, const char *data, size_t len)
{
	const EVP_MD *md = strstr(c->fn->name, "512") ? EVP_sha512() : EVP_sha256();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int outlen = 0;
	if (!EVP_Digest(data, len, out, &outlen, md, NULL))
		return hclv_call_error(c, "the hash could not be computed");
	return b64_result(c, out, outlen);
}

static const hcl_value *fn_base64sha(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return b64_digest(c, args[0]->u.str.ptr, args[0]->u.str.len);
}

static const hcl_value *fn_filebase64sha(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	const hcl_value *r = NULL;
	if (hclv_read_file(c, 0, args[0]->u.str.ptr, &b))
		r = b64_digest(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

/* gzip as Go's gzip.Writer frames it (no name, mtime 0, OS "unknown"),
 * with the sync flush Terraform's Flush() adds before Close(). */
static const hcl_value *fn_base64gzip(hclv_call *c, const hcl_value *const *args, size_t n)
{
	z_stream z = {0};
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return hclv_call_error(c, "failed to write gzip raw data: %s",
		                       z.msg ? z.msg : "zlib failed");
	gz_header h = {.os = 255};
	deflateSetHeader(&z, &h);
	size_t cap = deflateBound(&z, args[0]->u.str.len) + 64;
	unsigned char *out = gf_arena_alloc(c->a, cap);
	z.next_in = (Bytef *)args[0]->u.str.ptr;
	z.avail_in = (uInt)args[0]->u.str.len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_SYNC_FLUSH);
	if (rc == Z_OK)
		rc = deflate(&z, Z_FINISH);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		return hclv_call_error(c, "failed to close gzip writer: zlib error %d", rc);
	return b64_result(c, out, len);
}

/* ---- textencodebase64 / textdecodebase64 ------------------------------- */

/* iconv over the whole input; false on an unconvertible sequence. */
static bool convert(iconv_t cd, const char *in, size_t len, gf_buf *out)
{
	char chunk[4096];
	char *ip = (char *)in;
	size_t left = len;
	for (;;) {
		char *op = chunk;
		size_t room = sizeof(chunk);
		size_t r = iconv(cd, left ? &ip : NULL, left ? &left : NULL, &op, &room);
		gf_buf_put(out, chunk, sizeof(chunk) - room);
		if (r != (size_t)-1) {
			if (!left)
				break;
			continue;
		}
		if (errno != E2BIG)
			return false;
	}
	return true;
}

static iconv_t open_encoding(hclv_call *c, const char *to, const char *from)
{
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		hclv_arg_error(c, 1,
		               "\"%s\" is not a supported IANA encoding name or alias in this "
		               "gitfleet version",
		               strcmp(to, "UTF-8") ? to : from);
	return cd;
}

/* IANA's "UTF-16" is big-endian with a byte order mark; glibc's writes
 * the machine's order. */
static bool is_utf16(const char *enc)
{
	return strcasecmp(enc, "UTF-16") == 0;
}

static const hcl_value *fn_textencodebase64(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *enc = args[1]->u.str.ptr;
	iconv_t cd = open_encoding(c, is_utf16(enc) ? "UTF-16BE" : enc, "UTF-8");
	if (cd == (iconv_t)-1)
		return NULL;
	gf_buf b = GF_BUF_INIT;
	if (is_utf16(enc))
		gf_buf_put(&b, "\xfe\xff", 2);
	bool ok = convert(cd, args[0]->u.str.ptr, args[0]->u.str.len, &b);
	iconv_close(cd);
	const hcl_value *r =
	        ok ? b64_result(c, (const unsigned char *)b.ptr, b.len)
	           : hclv_arg_error(c, 0,
	                            "the given string contains characters that cannot be "
	                            "represented in %s",
	                            enc);
	gf_buf_dispose(&b);
	return r;
}

static int b64_digit(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Standard padded Base64 as Go decodes it (CR and LF ignored); on error
 * the offset of the offending input byte. */
static bool b64_decode(const char *s, size_t len, gf_buf *out, size_t *bad)
{
	unsigned acc = 0;
	int nbits = 0, quad = 0, pad = 0;
	size_t qstart = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '\r' || ch == '\n')
			continue;
		if (quad == 0)
			qstart = i;
		if (ch == '=') {
			if (quad < 2 || (pad && quad == 4)) {
				*bad = i;
				return false;
			}
			pad++;
			quad++;
		} else {
			int v = b64_digit(ch);
			if (v < 0 || pad) {
				*bad = i;
				return false;
			}
			acc = acc << 6 | (unsigned)v;
			nbits += 6;
			quad++;
			if (nbits >= 8) {
				nbits -= 8;
				gf_buf_putc(out, (char)(acc >> nbits));
				acc &= (1u << nbits) - 1;
			}
		}
		if (quad == 4) {
			if (pad && i + 1 < len) {
				*bad = i + 1;
				return false;
			}
			quad = 0, nbits = 0, acc = 0;
		}
	}
	if (quad) {
		*bad = qstart;
		return false;
	}
	return true;
}

static const hcl_value *fn_textdecodebase64(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *enc = args[1]->u.str.ptr;
	iconv_t cd = open_encoding(c, "UTF-8", enc);
	if (cd == (iconv_t)-1)
		return NULL;
	gf_buf raw = GF_BUF_INIT, b = GF_BUF_INIT;
	size_t bad = 0;
	const hcl_value *r = NULL;
	if (!b64_decode(args[0]->u.str.ptr, args[0]->u.str.len, &raw, &bad))
		hclv_arg_error(
		        c, 0, "the given value is has an invalid base64 symbol at offset %zu", bad);
	else if (!convert(cd, raw.ptr ? raw.ptr : "", raw.len, &b) ||
	         memmem(b.ptr ? b.ptr : "", b.len, "\xef\xbf\xbd", 3))
		hclv_arg_error(
		        c, 0, "the given string contains symbols that are not defined for %s", enc);
	else
		r = hclv_str(c, b.ptr ? b.ptr : "", b.len);
	iconv_close(cd);
	gf_buf_dispose(&raw);
	gf_buf_dispose(&b);
	return r;
}

/* ---- uuidv5 ------------------------------------------------------------ */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)(ch | 0x20);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* google/uuid's Parse: 36 characters with dashes, 38 in braces, 45 with an
 * "urn:uuid:" prefix, or 32 hex digits. */
static const char *uuid_parse(const char *s, size_t len, unsigned char u[16])
{
	if (len == 45 && strncasecmp(s, "urn:uuid:", 9) == 0)
		s += 9, len -= 9;
	else if (len == 38 && s[0] == '{' && s[37] == '}')
		s += 1, len -= 2;
	else if (len != 36 && len != 32)
		return NULL;
	if (len == 36 && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-'))
		return "invalid UUID format";
	size_t k = 0;
	for (size_t i = 0; i < len && k < 16;) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23))
			i++;
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return "invalid UUID format";
		u[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return "";
}

static const hcl_value *fn_uuidv5(hclv_call *c, const hcl_value *const *args, size_t n)
{
	static const struct {
		const char *name;
		unsigned char last;
	} named[] = {{"dns", 0x10}, {"url", 0x11}, {"oid", 0x12}, {"x500", 0x14}};
	const char *ns = args[0]->u.str.ptr;
	unsigned char u[16] = {0x6b, 0xa7, 0xb8, 0x00, 0x9d, 0xad, 0x11, 0xd1,
	                       0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	bool found = false;
	for (size_t i = 0; i < GF_ARRAY_LEN(named); i++)
		if (strcmp(ns, named[i].name) == 0) {
			u[3] = named[i].last;
			found = true;
		}
	if (!found) {
		const char *why = uuid_parse(ns, args[0]->u.str.len, u);
		if (!why)
			return hclv_call_error(
			        c,
			        "uuidv5() doesn't support namespace %s (invalid UUID length: %zu)",
			        ns, args[0]->u.str.len);
		if (*why)
			return hclv_call_error(c, "uuidv5() doesn't support namespace %s (%s)", ns,
			                       why);
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
	          EVP_DigestUpdate(ctx, u, sizeof(u)) &&
	          EVP_DigestUpdate(ctx, args[1]->u.str.ptr, args[1]->u.str.len) &&
	          EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return hclv_call_error(c, "the hash could not be computed");
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	char s[37];
	snprintf(s, sizeof(s),
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
	         md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
	         md[12], md[13], md[14], md[15]);
	return hclv_cstr(c, s);
}

/* ---- bcrypt ------------------------------------------------------------ */

static const hcl_value *fn_bcrypt(hclv_call *c, const hcl_value *const *args, size_t n)
{
	int64_t cost = 10;
	if (n > 2)
		return hclv_call_error(c, "bcrypt() takes no more than two arguments");
	if (n == 2 && !hclv_arg_int(c, 1, args[1], &cost))
		return NULL;
	if (cost < 4)
		cost = 10; /* x/crypto/bcrypt's rule for a cost below the minimum */
	if (cost > 31)
		return hclv_call_error(c,
		                       "error occured generating password crypto/bcrypt: cost %d "
		                       "is outside allowed inclusive range 4..31",
		                       (int)cost);
	if (args[0]->u.str.len > 72)
		return hclv_call_error(c, "error occured generating password bcrypt: password "
		                          "length exceeds 72 bytes");
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$2a$", (unsigned long)cost, NULL, 0, salt, sizeof(salt)))
		return hclv_call_error(c, "error occured generating password %s", strerror(errno));
	struct crypt_data *cd = gf_arena_alloc(c->a, sizeof(*cd));
	memset(cd, 0, sizeof(*cd));
	if (!crypt_rn(args[0]->u.str.ptr, salt, cd, sizeof(*cd)) || cd->output[0] == '*')
		return hclv_call_error(c, "error occured generating password %s",
		                       "the system's bcrypt failed");
	return hclv_cstr(c, cd->output);
}

#define STR(nm)                         \
	{                               \
		nm, &hcl_type_string, 0 \
	}

const hclv_func hclv_funcs_digest[] = {
        HCLV_FUNC("base64gzip", fn_base64gzip, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("base64sha256", fn_base64sha, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("base64sha512", fn_base64sha, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("bcrypt", fn_bcrypt, &hcl_type_string, HCLV_VAR("cost", &hcl_type_number, 0),
                  STR("str")),
        HCLV_FUNC("filebase64sha256", fn_filebase64sha, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("filebase64sha512", fn_filebase64sha, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("textdecodebase64", fn_textdecodebase64, &hcl_type_string, NULL, STR("source"),
                  STR("encoding")),
        HCLV_FUNC("textencodebase64", fn_textencodebase64, &hcl_type_string, NULL, STR("string"),
                  STR("encoding")),
        HCLV_FUNC("uuidv5", fn_uuidv5, &hcl_type_string, NULL, STR("namespace"), STR("name")),
};
const size_t hclv_nfuncs_digest = GF_ARRAY_LEN(hclv_funcs_digest);
