/* The static server's pure decisions: path normalisation, MIME types,
 * ranges, conditional requests and content-coding negotiation. */
#include "www/www.h"

#include "base/base.h"

#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int www_path_normalize(char *out, size_t cap, size_t *out_len, bool *dir, const char *path,
                       size_t len)
{
	const char *q = memchr(path, '?', len);
	if (q)
		len = (size_t)(q - path);
	if (len == 0 || path[0] != '/')
		return GF_EINVALID;
	size_t o = 0;   /* bytes written */
	size_t seg = 0; /* start of the current segment in out */
	bool hidden = false;
	*dir = false;
	for (size_t i = 1; i <= len; i++) {
		unsigned char c;
		if (i == len) {
			c = '/';
		} else if (path[i] == '%') {
			int hi = i + 2 < len ? hexval((unsigned char)path[i + 1]) : -1;
			int lo = i + 2 < len ? hexval((unsigned char)path[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return GF_EINVALID;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else {
			c = (unsigned char)path[i];
		}
		if (c == '\0' || c == '\\')
			return GF_EINVALID;
		if (c != '/') {
			if (o >= cap)
				return GF_ETOOBIG;
			out[o++] = (char)c;
			continue;
		}
		/* end of a segment: out[seg..o) */
		size_t n = o - seg;
		if (i == len)
			*dir = n == 0;
		if (n == 0 || (n == 1 && out[seg] == '.')) {
			o = seg;
			continue;
		}
		if (n == 2 && out[seg] == '.' && out[seg + 1] == '.')
			return GF_EINVALID;
		if (out[seg] == '.')
			hidden = true;
		if (o >= cap)
			return GF_ETOOBIG;
		out[o++] = '/';
		seg = o;
	}
	if (hidden)
		return GF_ENOTFOUND;
	if (o > 0)
		o--; /* the separator after the last segment */
	if (o >= cap)
		return GF_ETOOBIG;
	out[o] = '\0';
	*out_len = o;
	return 0;
}

/* ---- MIME types ---------------------------------------------------------- */

typedef struct {
	const char *ext;
	const char *type;
	bool compressible;
} mime_entry;

static const mime_entry mime_table[] = {
        {"html", "text/html; charset=utf-8", true},
        {"htm", "text/html; charset=utf-8", true},
        {"css", "text/css; charset=utf-8", true},
        {"js", "text/javascript; charset=utf-8", true},
        {"mjs", "text/javascript; charset=utf-8", true},
        {"json", "application/json", true},
        {"map", "application/json", true},
        {"webmanifest", "application/manifest+json", true},
        {"xml", "application/xml", true},
        {"rss", "application/rss+xml", true},
        {"atom", "application/atom+xml", true},
        {"svg", "image/svg+xml", true},
        {"txt", "text/plain; charset=utf-8", true},
        {"md", "text/markdown; charset=utf-8", true},
        {"csv", "text/csv; charset=utf-8", true},
        {"ics", "text/calendar; charset=utf-8", true},
        {"wasm", "application/wasm", true},
        {"ttf", "font/ttf", true},
        {"otf", "font/otf", true},
        {"eot", "application/vnd.ms-fontobject", true},
        {"ico", "image/vnd.microsoft.icon", true},
        {"woff", "font/woff", false},
        {"woff2", "font/woff2", false},
        {"png", "image/png", false},
        {"jpg", "image/jpeg", false},
        {"jpeg", "image/jpeg", false},
        {"gif", "image/gif", false},
        {"webp", "image/webp", false},
        {"avif", "image/avif", false},
        {"bmp", "image/bmp", false},
        {"tif", "image/tiff", false},
        {"tiff", "image/tiff", false},
        {"pdf", "application/pdf", false},
        {"mp4", "video/mp4", false},
        {"webm", "video/webm", false},
        {"ogv", "video/ogg", false},
        {"mp3", "audio/mpeg", false},
        {"ogg", "audio/ogg", false},
        {"oga", "audio/ogg", false},
        {"wav", "audio/wav", false},
        {"flac", "audio/flac", false},
        {"m4a", "audio/mp4", false},
        {"zip", "application/zip", false},
        {"gz", "application/gzip", false},
        {"tgz", "application/gzip", false},
        {"br", "application/x-brotli", false},
        {"zst", "application/zstd", false},
        {"tar", "application/x-tar", false},
        {"xz", "application/x-xz", false},
        {"7z", "application/x-7z-compressed", false},
};

static bool ext_eq(const char *a, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (!lit[i] || c != (unsigned char)lit[i])
			return false;
	}
	return lit[i] == '\0';
}

const char *www_mime_type(const char *name, size_t len, bool *compressible)
{
	size_t dot = len;
	while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/')
		dot--;
	if (compressible)
		*compressible = false;
	if (dot == 0 || name[dot - 1] != '.')
		return "application/octet-stream";
	for (size_t i = 0; i < GF_ARRAY_LEN(mime_table); i++) {
		if (ext_eq(name + dot, len - dot, mime_table[i].ext)) {
			if (compressible)
				*compressible = mime_table[i].compressible;
			return mime_table[i].type;
		}
	}
	return "application/octet-stream";
}

/* ---- ranges -------------------------------------------------------------- */

/* 1*DIGIT into *out (no overflow past 2^62); false otherwise. */
static bool parse_u64(uint64_t *out, const char *p, size_t n)
{
	if (n == 0 || n > 18)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

int www_range_parse(www_range *r, http_str value, uint64_t size)
{
	const char *p = value.ptr;
	size_t n = value.len;
	if (n < 6 || !ext_eq(p, 5, "bytes") || p[5] != '=')
		return WWW_RANGE_NONE;
	http_str rest = {p + 6, n - 6}, spec;
	if (!http_list_next(&rest, &spec))
		return WWW_RANGE_NONE;
	http_str more;
	if (http_list_next(&rest, &more))
		return WWW_RANGE_NONE; /* several ranges: the whole file instead */
	const char *dash = memchr(spec.ptr, '-', spec.len);
	if (!dash)
		return WWW_RANGE_NONE;
	size_t a_len = (size_t)(dash - spec.ptr), b_len = spec.len - a_len - 1;
	uint64_t a, b;
	if (a_len == 0) { /* -N: the last N bytes */
		if (!parse_u64(&b, dash + 1, b_len))
			return WWW_RANGE_NONE;
		if (b == 0 || size == 0)
			return WWW_RANGE_UNSATISFIABLE;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
		return WWW_RANGE_OK;
	}
	if (!parse_u64(&a, spec.ptr, a_len))
		return WWW_RANGE_NONE;
	if (b_len == 0) {
		b = UINT64_MAX;
	} else if (!parse_u64(&b, dash + 1, b_len) || b < a) {
		return WWW_RANGE_NONE;
	}
	if (a >= size)
		return WWW_RANGE_UNSATISFIABLE;
	r->first = a;
	r->last = b >= size ? size - 1 : b;
	return WWW_RANGE_OK;
}

/* ---- conditionals -------------------------------------------------------- */

/* The opaque part of an entity tag ("xyz" with quotes), and whether weak. */
static bool etag_split(http_str tag, http_str *opaque, bool *weak)
{
	*weak = tag.len >= 2 && tag.ptr[0] == 'W' && tag.ptr[1] == '/';
	if (*weak) {
		tag.ptr += 2;
		tag.len -= 2;
	}
	if (tag.len < 2 || tag.ptr[0] != '"' || tag.ptr[tag.len - 1] != '"')
		return false;
	*opaque = tag;
	return true;
}

static bool same(http_str a, http_str b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

bool www_etag_list_match(http_str value, http_str etag)
{
	http_str rest = value, item, ours, theirs;
	bool weak;
	if (!etag_split(etag, &ours, &weak))
		return false;
	while (http_list_next(&rest, &item)) {
		if (item.len == 1 && item.ptr[0] == '*')
			return true;
		if (etag_split(item, &theirs, &weak) && same(theirs, ours))
			return true;
	}
	return false;
}

bool www_not_modified(http_str inm, http_str ims, http_str etag, time_t mtime)
{
	if (inm.ptr)
		return www_etag_list_match(inm, etag);
	time_t since;
	if (ims.ptr && http_date_parse(&since, ims.ptr, ims.len) == 0)
		return mtime <= since;
	return false;
}

bool www_if_range_ok(http_str value, http_str etag, time_t mtime)
{
	http_str theirs, ours;
	bool weak, ours_weak;
	if (value.len && (value.ptr[0] == '"' || value.ptr[0] == 'W')) {
		return etag_split(value, &theirs, &weak) && !weak &&
		       etag_split(etag, &ours, &ours_weak) && !ours_weak && same(theirs, ours);
	}
	time_t t;
	return http_date_parse(&t, value.ptr, value.len) == 0 && t == mtime;
}

/* ---- content codings ----------------------------------------------------- */

/* A qvalue (RFC 9110 §12.4.2) in thousandths, or -1 if malformed. */
static int parse_qvalue(http_str v)
{
	if (v.len == 0 || v.len > 5 || (v.ptr[0] != '0' && v.ptr[0] != '1'))
		return -1;
	int q = (v.ptr[0] - '0') * 1000;
	if (v.len == 1)
		return q;
	if (v.ptr[1] != '.')
		return -1;
	int scale = 100;
	for (size_t i = 2; i < v.len; i++, scale /= 10) {
		if (v.ptr[i] < '0' || v.ptr[i] > '9')
			return -1;
		q += (v.ptr[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* Splits "coding;q=0.5" into the coding and its q (1000 without one). */
static bool coding_q(http_str item, http_str *coding, int *q)
{
	const char *semi = memchr(item.ptr, ';', item.len);
	*q = 1000;
	size_t n = semi ? (size_t)(semi - item.ptr) : item.len;
	while (n > 0 && (item.ptr[n - 1] == ' ' || item.ptr[n - 1] == '\t'))
		n--;
	*coding = (http_str){item.ptr, n};
	if (!semi)
		return n > 0;
	const char *p = semi + 1, *e = item.ptr + item.len;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (e - p < 2 || (p[0] | 0x20) != 'q' || p[1] != '=')
		return false;
	*q = parse_qvalue((http_str){p + 2, (size_t)(e - p - 2)});
	return *q >= 0 && n > 0;
}

int www_negotiate_encoding(http_str accept_encoding, unsigned available)
{
	if (!accept_encoding.ptr || !available)
		return WWW_ENC_IDENTITY;
	int q_br = -1, q_gzip = -1, q_star = -1, q_identity = -1;
	http_str rest = accept_encoding, item, coding;
	while (http_list_next(&rest, &item)) {
		int q;
		if (!coding_q(item, &coding, &q))
			continue;
		if (http_str_ieq(coding, "br"))
			q_br = q;
		else if (http_str_ieq(coding, "gzip") || http_str_ieq(coding, "x-gzip"))
			q_gzip = q;
		else if (http_str_ieq(coding, "identity"))
			q_identity = q;
		else if (http_str_eq(coding, "*"))
			q_star = q;
	}
	if (q_br < 0)
		q_br = q_star < 0 ? 0 : q_star;
	if (q_gzip < 0)
		q_gzip = q_star < 0 ? 0 : q_star;
	if (!(available & WWW_ENC_BR))
		q_br = 0;
	if (!(available & WWW_ENC_GZIP))
		q_gzip = 0;
	int best = q_br >= q_gzip ? WWW_ENC_BR : WWW_ENC_GZIP;
	int best_q = GF_MAX(q_br, q_gzip);
	if (best_q == 0 || q_identity > best_q)
		return WWW_ENC_IDENTITY;
	return best;
}
