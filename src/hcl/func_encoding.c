/*
 * Encoding functions (base64decode base64encode csvdecode jsondecode
 * jsonencode urlencode) and hashing functions (md5 sha1 sha256 sha512, the
 * file* variants, uuid) through OpenSSL's libcrypto.
 */
#include "hcl/func_impl.h"

#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void hclv_base64_put(gf_buf *b, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		gf_buf_putc(b, b64[(v >> 18) & 63]);
		gf_buf_putc(b, b64[(v >> 12) & 63]);
		gf_buf_putc(b, i + 1 < len ? b64[(v >> 6) & 63] : '=');
		gf_buf_putc(b, i + 2 < len ? b64[v & 63] : '=');
	}
}

static const hcl_value *fn_base64encode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	hclv_base64_put(&b, (const unsigned char *)args[0]->u.str.ptr, args[0]->u.str.len);
	return hclv_cstr(c, hclv_buf_finish(c->a, &b));
}

static int b64_value(char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;
	return p ? (int)(p - b64) : -1;
}

static const hcl_value *fn_base64decode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	gf_buf b = GF_BUF_INIT;
	bool ok = len % 4 == 0;
	for (size_t i = 0; ok && i < len; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
			} else {
				v[k] = pad ? -1 : b64_value(s[i + k]);
			}
			if (v[k] < 0)
				ok = false;
		}
		if (!ok || (pad == 1 && s[i + 3] != '='))
			break;
		unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
		             (unsigned)v[3];
		gf_buf_putc(&b, (char)(x >> 16));
		if (pad < 2)
			gf_buf_putc(&b, (char)(x >> 8));
		if (pad < 1)
			gf_buf_putc(&b, (char)x);
	}
	if (!ok) {
		gf_buf_dispose(&b);
		gf_buf q = GF_BUF_INIT;
		hclv_quote_go(&q, s, len);
		const hcl_value *r = hclv_call_error(c, "failed to decode base64 data %s", q.ptr);
		gf_buf_dispose(&q);
		return r;
	}
	if (!hclv_utf8_valid(gf_buf_cstr(&b), b.len)) {
		gf_buf_dispose(&b);
		return hclv_call_error(c, "the result of decoding the provided string is not valid "
		                          "UTF-8");
	}
	const hcl_value *r = hclv_str(c, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_urlencode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	const unsigned char *s = (const unsigned char *)args[0]->u.str.ptr;
	for (size_t i = 0; i < args[0]->u.str.len; i++) {
		unsigned char ch = s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~')
			gf_buf_putc(&b, (char)ch);
		else if (ch == ' ')
			gf_buf_putc(&b, '+');
		else
			gf_buf_printf(&b, "%%%02X", ch);
	}
	return hclv_cstr(c, hclv_buf_finish(c->a, &b));
}

static const hcl_value *fn_jsonencode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	if (args[0]->kind == HCL_VAL_NULL)
		return hclv_cstr(c, "null");
	return hclv_cstr(c, hcl_value_to_json(c->a, args[0]));
}

static const hcl_value *fn_jsondecode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *why = NULL;
	const hcl_value *v =
	        hcl_value_from_json(c->a, args[0]->u.str.ptr, args[0]->u.str.len, &why);
	if (!v)
		return hclv_call_error(c, "%s", why);
	return v;
}

/* ---- csvdecode: RFC 4180 as Go's encoding/csv reads it ---------------- */

typedef GF_VEC(const hcl_value *) field_vec;

#define CSV_EQUOTE "extraneous or missing \" in quoted-field"

/* Reads one record starting at *pos; false at end of input. */
static bool csv_record(hclv_call *c, const char *s, size_t len, size_t *pos, size_t line,
                       field_vec *fields, const char **err)
{
	fields->len = 0;
	/* blank lines are skipped, as Go's csv.Reader does */
	while (*pos < len &&
	       (s[*pos] == '\n' || (s[*pos] == '\r' && *pos + 1 < len && s[*pos + 1] == '\n')))
		*pos += s[*pos] == '\r' ? 2 : 1;
	if (*pos >= len)
		return false;
	size_t i = *pos;
	gf_buf f = GF_BUF_INIT;
	for (;;) {
		gf_buf_clear(&f);

		if (i < len && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					*err = gf_arena_printf(c->a,
					                       "CSV parse error on line %zu: %s",
					                       line, CSV_EQUOTE);
					gf_buf_dispose(&f);
					return false;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						gf_buf_putc(&f, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				gf_buf_putc(&f, s[i++]);
			}
			if (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
				*err = gf_arena_printf(c->a, "CSV parse error on line %zu: %s",
				                       line, CSV_EQUOTE);
				gf_buf_dispose(&f);
				return false;
			}
		} else {
			while (i < len && s[i] != ',' && s[i] != '\n' &&
			       !(s[i] == '\r' && (i + 1 == len || s[i + 1] == '\n'))) {
				if (s[i] == '"') {
					*err = gf_arena_printf(
					        c->a,
					        "CSV parse error on line %zu: bare \" in "
					        "non-quoted-field",
					        line);
					gf_buf_dispose(&f);
					return false;
				}
				gf_buf_putc(&f, s[i++]);
			}
		}
		gf_vec_push(fields, hclv_str(c, gf_buf_cstr(&f), f.len));
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i < len && s[i] == '\r')
			i++;
		if (i < len && s[i] == '\n')
			i++;
		break;
	}
	gf_buf_dispose(&f);
	*pos = i;
	return true;
}

static const hcl_value *fn_csvdecode(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *s = args[0]->u.str.ptr, *err = NULL;
	size_t len = args[0]->u.str.len, pos = 0, line = 1;
	field_vec header = {0}, fields = {0};
	GF_VEC(const hcl_value *) rows = {0};
	const hcl_value *r = NULL;
	if (!csv_record(c, s, len, &pos, line, &header, &err)) {
		hclv_call_error(c, "%s", err ? err : "missing header line");
		goto done;
	}
	size_t ncols = header.len;
	const hcl_type **types = gf_arena_alloc(c->a, (ncols + 1) * sizeof(*types));
	const char **names = gf_arena_alloc(c->a, (ncols + 1) * sizeof(*names));
	for (size_t i = 0; i < ncols; i++) {
		types[i] = &hcl_type_string;
		names[i] = header.items[i]->u.str.ptr;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(names[j], names[i]) == 0) {
				gf_buf q = GF_BUF_INIT;
				hclv_quote_go(&q, names[i], strlen(names[i]));
				hclv_call_error(c, "duplicate column name %s", q.ptr);
				gf_buf_dispose(&q);
				goto done;
			}
		}
	}
	while (++line, csv_record(c, s, len, &pos, line, &fields, &err)) {
		if (fields.len != ncols) {
			hclv_call_error(c, "CSV parse error on line %zu: wrong number of fields",
			                line);
			goto done;
		}
		const char **keys = gf_arena_alloc(c->a, (ncols + 1) * sizeof(*keys));
		const hcl_value **vals = gf_arena_alloc(c->a, (ncols + 1) * sizeof(*vals));
		for (size_t i = 0; i < ncols; i++) {
			keys[i] = names[i];
			vals[i] = fields.items[i];
		}
		gf_vec_push(&rows, hcl_object(c->a, keys, vals, ncols));
	}
	if (err) {
		hclv_call_error(c, "%s", err);
		goto done;
	}
	const hcl_value **items = gf_arena_alloc(c->a, (rows.len + 1) * sizeof(*items));
	for (size_t i = 0; i < rows.len; i++)
		items[i] = rows.items[i];
	const char **tn = gf_arena_alloc(c->a, (ncols + 1) * sizeof(*tn));
	memcpy(tn, names, ncols * sizeof(*tn));
	r = hcl_list(c->a, hcl_type_object(c->a, tn, types, ncols), items, rows.len);
done:
	gf_vec_dispose(&header);
	gf_vec_dispose(&fields);
	gf_vec_dispose(&rows);
	return r;
}

/* ---- hashes ------------------------------------------------------------ */

static const hcl_value *digest_hex(hclv_call *c, const EVP_MD *md, const char *data, size_t len)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int outlen = 0;
	if (!EVP_Digest(data, len, out, &outlen, md, NULL))
		return hclv_call_error(c, "the hash could not be computed");
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned i = 0; i < outlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	return hclv_str(c, hex, 2 * outlen);
}

static const EVP_MD *md_of(const char *name)
{
	const char *algo = name[0] == 'f' ? name + 4 : name;
	if (!strcmp(algo, "md5"))
		return EVP_md5();
	if (!strcmp(algo, "sha1"))
		return EVP_sha1();
	if (!strcmp(algo, "sha256"))
		return EVP_sha256();
	return EVP_sha512();
}

static const hcl_value *fn_hash(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return digest_hex(c, md_of(c->fn->name), args[0]->u.str.ptr, args[0]->u.str.len);
}

static const hcl_value *fn_filehash(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	const hcl_value *r = NULL;
	if (hclv_read_file(c, 0, args[0]->u.str.ptr, &b))
		r = digest_hex(c, md_of(c->fn->name), gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_uuid(hclv_call *c, const hcl_value *const *args, size_t n)
{
	unsigned char u[16];
	if (RAND_bytes(u, sizeof(u)) != 1)
		return hclv_call_error(c, "the system random number generator failed");
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	char s[37];
	snprintf(s, sizeof(s),
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
	         u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
	         u[15]);
	return hclv_cstr(c, s);
}

#define STR(nm)                         \
	{                               \
		nm, &hcl_type_string, 0 \
	}

const hclv_func hclv_funcs_encoding[] = {
        HCLV_FUNC("base64decode", fn_base64decode, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("base64encode", fn_base64encode, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("csvdecode", fn_csvdecode, &hcl_type_dynamic, NULL, STR("str")),
        HCLV_FUNC("jsondecode", fn_jsondecode, &hcl_type_dynamic, NULL, STR("str")),
        HCLV_FUNC("jsonencode", fn_jsonencode, &hcl_type_string, NULL,
                  {"val", &hcl_type_dynamic, HCLV_ALLOW_NULL}),
        HCLV_FUNC("urlencode", fn_urlencode, &hcl_type_string, NULL, STR("str")),
};
const size_t hclv_nfuncs_encoding = GF_ARRAY_LEN(hclv_funcs_encoding);

const hclv_func hclv_funcs_crypto[] = {
        HCLV_FUNC("filemd5", fn_filehash, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("filesha1", fn_filehash, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("filesha256", fn_filehash, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("filesha512", fn_filehash, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("md5", fn_hash, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("sha1", fn_hash, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("sha256", fn_hash, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC("sha512", fn_hash, &hcl_type_string, NULL, STR("str")),
        HCLV_FUNC0("uuid", fn_uuid, &hcl_type_string),
};
const size_t hclv_nfuncs_crypto = GF_ARRAY_LEN(hclv_funcs_crypto);
