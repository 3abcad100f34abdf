/* Request and response heads: end-of-head search, line grammar, and the
 * semantic checks that keep message framing unambiguous (see http.h). */
#include "http/http.h"

#include "base/base.h"
#include "http/internal.h"

#include <string.h>

const http_limits http_limits_default = {8192, 100, 16384};

static const http_str slash = {"/", 1};

static int fail(http_msg *m, int status, const char *msg)
{
	m->err_status = status;
	m->err_msg = msg;
	return gf_err_set(GF_EINVALID, "%s", msg);
}

void http_parser_init(http_parser *p)
{
	p->scanned = 0;
	p->first_eol = 0;
}

static void msg_reset(http_msg *m)
{
	m->method = HTTP_OTHER;
	m->method_name = m->target = m->path = m->authority = m->reason = (http_str){NULL, 0};
	m->form = HTTP_FORM_ORIGIN;
	m->status = 0;
	m->version = 11;
	m->nheaders = 0;
	m->content_length = -1;
	m->has_transfer_encoding = m->chunked = false;
	m->connection = 0;
	m->keep_alive = m->upgrade = m->expect_continue = m->expect_other = false;
	m->err_status = 0;
	m->err_msg = NULL;
}

/*
 * Searches buf[start..len) for the empty line ending the head, looking no
 * further than the limits allow: the first line must end within max_line
 * bytes and the head within max_head. Returns the head's end (offset after
 * the final LF), 0 when not found in the allowed region, or -1 on a LF not
 * preceded by CR. Bounding the search is what makes a whole parse and a
 * byte-by-byte parse give the same answer on every input.
 */
static long find_end(http_parser *p, const char *buf, size_t len, size_t start,
                     const http_limits *lim)
{
	size_t stop = GF_MIN(len, lim->max_head);
	size_t i = GF_MAX(p->scanned, start);
	while (i < stop) {
		size_t region = p->first_eol ? stop : GF_MIN(stop, start + lim->max_line);
		if (i >= region)
			break;
		const char *nl = memchr(buf + i, '\n', region - i);
		if (!nl) {
			i = region;
			break;
		}
		size_t k = (size_t)(nl - buf);
		if (k == start || buf[k - 1] != '\r')
			return -1;
		if (!p->first_eol)
			p->first_eol = k + 1;
		if (k >= start + 2 && buf[k - 2] == '\n')
			return (long)(k + 1);
		i = k + 1;
	}
	p->scanned = i;
	return 0;
}

/* Where the head starts after empty lines (RFC 9112 §2.2); -1 on bare LF,
 * -2 when the input so far is only empty lines. */
static long skip_empty_lines(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (buf[i] == '\n')
			return -1;
		if (buf[i] != '\r')
			return (long)i;
		if (i + 1 == len)
			return -2;
		if (buf[i + 1] != '\n')
			return (long)i; /* a bare CR: the line grammar rejects it */
		i += 2;
	}
	return -2;
}

/* Digits only, at most 18 of them, so the value fits in int64_t. */
static bool parse_decimal(int64_t *out, http_str s)
{
	if (s.len == 0 || s.len > 18)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (!http_is_digit((unsigned char)s.ptr[i]))
			return false;
		v = v * 10 + (s.ptr[i] - '0');
	}
	*out = v;
	return true;
}

/* unreserved, pct-encoded (the '%'), and sub-delims of RFC 3986. */
static bool is_regname_char(unsigned char c)
{
	if (c == '^' || c == '`' || c == '|' || c == '#')
		return false;
	return http_is_tchar(c) || c == '(' || c == ')' || c == ',' || c == ';' || c == '=';
}

/* uri-host [ ":" port ] where uri-host is an IP-literal or a reg-name
 * (IPv4 addresses are reg-names syntactically). Empty is valid. */
static bool valid_authority(http_str a)
{
	size_t i = 0;
	if (a.len && a.ptr[0] == '[') {
		for (i = 1; i < a.len && a.ptr[i] != ']'; i++) {
			unsigned char c = (unsigned char)a.ptr[i];
			if (!(http_is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') ||
			      c == ':' || c == '.'))
				return false;
		}
		if (i == a.len || i == 1)
			return false;
		i++;
	} else {
		for (; i < a.len && a.ptr[i] != ':'; i++)
			if (!is_regname_char((unsigned char)a.ptr[i]))
				return false;
	}
	if (i == a.len)
		return true;
	if (a.ptr[i] != ':')
		return false;
	for (i++; i < a.len; i++)
		if (!http_is_digit((unsigned char)a.ptr[i]))
			return false;
	return true;
}

static http_method method_of(http_str m)
{
	static const struct {
		const char *name;
		http_method method;
	} known[] = {
	        {"GET", HTTP_GET},         {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
	        {"PUT", HTTP_PUT},         {"DELETE", HTTP_DELETE}, {"CONNECT", HTTP_CONNECT},
	        {"OPTIONS", HTTP_OPTIONS}, {"TRACE", HTTP_TRACE},   {"PATCH", HTTP_PATCH},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(known); i++)
		if (http_str_eq(m, known[i].name))
			return known[i].method;
	return HTTP_OTHER;
}

/* "HTTP/" DIGIT "." DIGIT: 10 or 11, 0 for another version, -1 if malformed. */
static int parse_version(const char *p, size_t n)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || !http_is_digit((unsigned char)p[5]) ||
	    p[6] != '.' || !http_is_digit((unsigned char)p[7]))
		return -1;
	if (p[5] == '1' && (p[7] == '0' || p[7] == '1'))
		return 10 + (p[7] - '0');
	return 0;
}

/* Splits an absolute-form target into authority and path. */
static int parse_absolute(http_msg *m, http_str t)
{
	size_t i = 0;
	while (i < t.len && t.ptr[i] != ':')
		i++;
	http_str scheme = {t.ptr, i};
	if (!http_str_ieq(scheme, "http") && !http_str_ieq(scheme, "https"))
		return fail(m, 400, "request target is neither a path nor an http(s) URI");
	if (t.len - i < 3 || memcmp(t.ptr + i, "://", 3) != 0)
		return fail(m, 400, "malformed absolute request target");
	size_t a0 = i + 3, a1 = a0;
	while (a1 < t.len && t.ptr[a1] != '/' && t.ptr[a1] != '?')
		a1++;
	m->authority = (http_str){t.ptr + a0, a1 - a0};
	if (m->authority.len == 0 || memchr(m->authority.ptr, '@', m->authority.len) ||
	    !valid_authority(m->authority))
		return fail(m, 400, "invalid authority in the request target");
	m->path = a1 == t.len ? slash : (http_str){t.ptr + a1, t.len - a1};
	m->form = HTTP_FORM_ABSOLUTE;
	return 0;
}

static int parse_request_line(http_msg *m, const char *line, size_t len)
{
	const char *p = line, *e = line + len;
	while (p < e && http_is_tchar((unsigned char)*p))
		p++;
	if (p == line || p == e || *p != ' ')
		return fail(m, 400, "malformed request line: expected METHOD SP TARGET SP VERSION");
	m->method_name = (http_str){line, (size_t)(p - line)};
	m->method = method_of(m->method_name);
	const char *t0 = ++p;
	while (p < e && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
		p++;
	if (p == t0 || p == e || *p != ' ')
		return fail(m, 400, "malformed request line: expected METHOD SP TARGET SP VERSION");
	m->target = (http_str){t0, (size_t)(p - t0)};
	p++;
	int v = parse_version(p, (size_t)(e - p));
	if (v < 0)
		return fail(m, 400, "malformed HTTP version in the request line");
	if (v == 0)
		return fail(m, 505, "only HTTP/1.0 and HTTP/1.1 are supported");
	m->version = v;
	if (memchr(m->target.ptr, '#', m->target.len))
		return fail(m, 400, "a request target cannot contain a fragment");
	if (m->method == HTTP_CONNECT) {
		if (m->target.ptr[0] == '/' || !valid_authority(m->target))
			return fail(m, 400, "CONNECT needs an authority-form target host:port");
		m->form = HTTP_FORM_AUTHORITY;
		m->path = m->authority = m->target;
	} else if (m->target.ptr[0] == '/') {
		m->form = HTTP_FORM_ORIGIN;
		m->path = m->target;
	} else if (m->target.len == 1 && m->target.ptr[0] == '*') {
		if (m->method != HTTP_OPTIONS)
			return fail(m, 400, "the asterisk target is only valid with OPTIONS");
		m->form = HTTP_FORM_ASTERISK;
		m->path = m->target;
	} else {
		return parse_absolute(m, m->target);
	}
	return 0;
}

static int parse_status_line(http_msg *m, const char *line, size_t len)
{
	if (len < 12 || line[8] != ' ')
		return fail(m, 502, "malformed status line");
	int v = parse_version(line, 8);
	if (v <= 0)
		return fail(m, 502, "unsupported HTTP version in the status line");
	m->version = v;
	if (!http_is_digit((unsigned char)line[9]) || !http_is_digit((unsigned char)line[10]) ||
	    !http_is_digit((unsigned char)line[11]))
		return fail(m, 502, "malformed status code");
	m->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (m->status < 100 || m->status > 599)
		return fail(m, 502, "status code out of range");
	/* RFC 9112 wants the SP before an empty reason; many servers omit it. */
	if (len > 12) {
		if (line[12] != ' ')
			return fail(m, 502, "malformed status line");
		for (size_t i = 13; i < len; i++)
			if (!http_is_field_char((unsigned char)line[i]))
				return fail(m, 502, "invalid character in the reason phrase");
		m->reason = (http_str){line + 13, len - 13};
	}
	return 0;
}

/* Per-head facts collected while the fields are read. */
typedef struct {
	int hosts;
	int te_codings;
	int te_chunked;
	bool te_unknown;
	bool te_last_chunked;
	bool upgrade_field;
} field_facts;

static int on_content_length(http_msg *m, http_str v, int bad)
{
	http_str rest = v, item;
	int64_t n = -1;
	bool any = false;
	/* A list of equal values is one value (RFC 9110 §8.6). */
	while (http_list_next(&rest, &item)) {
		int64_t x;
		if (!parse_decimal(&x, item) || (any && x != n))
			return fail(m, bad, "invalid or conflicting Content-Length");
		n = x;
		any = true;
	}
	if (!any || (m->content_length >= 0 && m->content_length != n))
		return fail(m, bad, "invalid or conflicting Content-Length");
	m->content_length = n;
	return 0;
}

static int on_transfer_encoding(http_msg *m, field_facts *f, http_str v, int bad)
{
	http_str rest = v, item;
	bool any = false;
	m->has_transfer_encoding = true;
	while (http_list_next(&rest, &item)) {
		for (size_t i = 0; i < item.len; i++)
			if (!http_is_tchar((unsigned char)item.ptr[i]))
				return fail(m, bad, "malformed Transfer-Encoding");
		any = true;
		f->te_codings++;
		f->te_last_chunked = http_str_ieq(item, "chunked");
		if (f->te_last_chunked)
			f->te_chunked++;
		else
			f->te_unknown = true;
	}
	if (!any)
		return fail(m, bad, "empty Transfer-Encoding");
	return 0;
}

static void on_connection(http_msg *m, http_str v)
{
	http_str rest = v, item;
	while (http_list_next(&rest, &item)) {
		if (http_str_ieq(item, "close"))
			m->connection |= HTTP_CONN_CLOSE;
		else if (http_str_ieq(item, "keep-alive"))
			m->connection |= HTTP_CONN_KEEP_ALIVE;
		else if (http_str_ieq(item, "upgrade"))
			m->connection |= HTTP_CONN_UPGRADE;
		else
			m->connection |= HTTP_CONN_OTHER;
	}
}

/* The fields every message may carry, dispatched by name. */
static int on_field(http_msg *m, field_facts *f, const http_header *h, bool request)
{
	int bad = request ? 400 : 502;
	switch (h->name.len) {
	case 4:
		if (request && http_str_ieq(h->name, "host")) {
			if (++f->hosts > 1)
				return fail(m, 400, "more than one Host field");
			if (!valid_authority(h->value))
				return fail(m, 400, "invalid Host field");
			if (m->form != HTTP_FORM_ABSOLUTE && m->form != HTTP_FORM_AUTHORITY)
				m->authority = h->value;
		}
		break;
	case 6:
		if (request && http_str_ieq(h->name, "expect")) {
			http_str rest = h->value, item;
			while (http_list_next(&rest, &item)) {
				if (http_str_ieq(item, "100-continue"))
					m->expect_continue = true;
				else
					m->expect_other = true;
			}
		}
		break;
	case 7:
		if (http_str_ieq(h->name, "upgrade"))
			f->upgrade_field = true;
		break;
	case 10:
		if (http_str_ieq(h->name, "connection"))
			on_connection(m, h->value);
		break;
	case 14:
		if (http_str_ieq(h->name, "content-length"))
			return on_content_length(m, h->value, bad);
		break;
	case 17:
		if (http_str_ieq(h->name, "transfer-encoding"))
			return on_transfer_encoding(m, f, h->value, bad);
		break;
	default:
		break;
	}
	return 0;
}

/* Reads the field lines of buf[pos..end) where end is the final CRLF. */
static int parse_fields(http_msg *m, field_facts *f, const char *buf, size_t pos, size_t end,
                        const http_limits *lim, bool request)
{
	int bad = request ? 400 : 502;
	while (pos < end) {
		const char *p = buf + pos, *e = buf + end;
		if (*p == ' ' || *p == '\t')
			return fail(m, bad, "folded or indented field line (obs-fold)");
		const char *n0 = p;
		while (p < e && http_is_tchar((unsigned char)*p))
			p++;
		if (p == n0)
			return fail(m, bad, "invalid character in a field name");
		if (p == e || *p != ':')
			return fail(m, bad,
			            *p == ' ' || *p == '\t'
			                    ? "whitespace between field name and colon"
			                    : "invalid character in a field name");
		http_header h = {{n0, (size_t)(p - n0)}, {NULL, 0}};
		p++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *v0 = p;
		while (p < e && http_is_field_char((unsigned char)*p))
			p++;
		if (p >= e || p[0] != '\r' || p[1] != '\n')
			return fail(m, bad, "invalid character in a field value");
		const char *v1 = p;
		while (v1 > v0 && (v1[-1] == ' ' || v1[-1] == '\t'))
			v1--;
		h.value = (http_str){v0, (size_t)(v1 - v0)};
		if (m->nheaders >= lim->max_headers || m->nheaders >= HTTP_MAX_HEADERS)
			return fail(m, request ? 431 : 502, "too many header fields");
		m->headers[m->nheaders++] = h;
		int rc = on_field(m, f, &h, request);
		if (rc < 0)
			return rc;
		pos = (size_t)(p + 2 - buf);
	}
	return 0;
}

static int finish_request(http_msg *m, const field_facts *f)
{
	if (m->version == 11 && f->hosts == 0)
		return fail(m, 400, "HTTP/1.1 request without a Host field");
	if (m->has_transfer_encoding) {
		if (m->version == 10)
			return fail(m, 400, "Transfer-Encoding in an HTTP/1.0 request");
		if (m->content_length >= 0)
			return fail(m, 400, "both Content-Length and Transfer-Encoding");
		if (!f->te_last_chunked || f->te_chunked != 1)
			return fail(m, 400,
			            "the final transfer coding of a request must be chunked");
		if (f->te_unknown)
			return fail(m, 501, "unsupported transfer coding");
		m->chunked = true;
	}
	if (m->version == 10)
		m->expect_continue = false; /* RFC 9110 §10.1.1 */
	return 0;
}

static int finish_response(http_msg *m, const field_facts *f)
{
	if (m->has_transfer_encoding) {
		if (m->content_length >= 0)
			return fail(m, 502, "both Content-Length and Transfer-Encoding");
		if (f->te_chunked > 1 || (f->te_chunked == 1 && !f->te_last_chunked))
			return fail(m, 502, "chunked is applied more than once or not last");
		m->chunked = f->te_last_chunked;
	}
	return 0;
}

static int parse_head(http_parser *p, http_msg *m, const char *buf, size_t len,
                      const http_limits *lim, bool request)
{
	int bad = request ? 400 : 502;
	msg_reset(m);
	long start = skip_empty_lines(buf, GF_MIN(len, lim->max_head + 1));
	if (start == -1) {
		http_parser_init(p);
		return fail(m, bad, "bare LF in the message head");
	}
	long end = start == -2 ? 0 : find_end(p, buf, len, (size_t)start, lim);
	if (end < 0) {
		http_parser_init(p);
		return fail(m, bad, "bare LF in the message head");
	}
	if (end == 0) {
		if (start >= 0 && !p->first_eol && len > (size_t)start + lim->max_line) {
			http_parser_init(p);
			return fail(m, request ? 414 : 502,
			            request ? "request line too long" : "status line too long");
		}
		if (len > lim->max_head) {
			http_parser_init(p);
			return fail(m, request ? 431 : 502, "message head too large");
		}
		return GF_EAGAIN;
	}
	size_t first = p->first_eol;
	http_parser_init(p);
	size_t line_len = first - 2 - (size_t)start;
	int rc = request ? parse_request_line(m, buf + start, line_len)
	                 : parse_status_line(m, buf + start, line_len);
	if (rc < 0)
		return rc;
	field_facts f = {0};
	rc = parse_fields(m, &f, buf, first, (size_t)end - 2, lim, request);
	if (rc < 0)
		return rc;
	rc = request ? finish_request(m, &f) : finish_response(m, &f);
	if (rc < 0)
		return rc;
	if (m->version == 11)
		m->keep_alive = !(m->connection & HTTP_CONN_CLOSE);
	else
		m->keep_alive = (m->connection & (HTTP_CONN_KEEP_ALIVE | HTTP_CONN_CLOSE)) ==
		                HTTP_CONN_KEEP_ALIVE;
	/* RFC 9110 §7.8: an HTTP/1.0 request's Upgrade is ignored. */
	m->upgrade = f.upgrade_field && (m->connection & HTTP_CONN_UPGRADE) &&
	             (m->version == 11 || !request);
	return (int)end;
}

int http_parse_request(http_parser *p, http_msg *out, const char *buf, size_t len,
                       const http_limits *lim)
{
	return parse_head(p, out, buf, len, lim ? lim : &http_limits_default, true);
}

int http_parse_response(http_parser *p, http_msg *out, const char *buf, size_t len,
                        const http_limits *lim)
{
	return parse_head(p, out, buf, len, lim ? lim : &http_limits_default, false);
}

http_framing http_request_framing(const http_msg *req)
{
	if (req->chunked)
		return (http_framing){HTTP_BODY_CHUNKED, 0};
	if (req->content_length > 0)
		return (http_framing){HTTP_BODY_LENGTH, (uint64_t)req->content_length};
	return (http_framing){HTTP_BODY_NONE, 0};
}

http_framing http_response_framing(const http_msg *res, http_method req_method)
{
	if (req_method == HTTP_HEAD || res->status < 200 || res->status == 204 ||
	    res->status == 304)
		return (http_framing){HTTP_BODY_NONE, 0};
	if (req_method == HTTP_CONNECT && res->status < 300)
		return (http_framing){HTTP_BODY_NONE, 0};
	if (res->chunked)
		return (http_framing){HTTP_BODY_CHUNKED, 0};
	if (res->has_transfer_encoding)
		return (http_framing){HTTP_BODY_UNTIL_CLOSE, 0};
	if (res->content_length > 0)
		return (http_framing){HTTP_BODY_LENGTH, (uint64_t)res->content_length};
	if (res->content_length == 0)
		return (http_framing){HTTP_BODY_NONE, 0};
	return (http_framing){HTTP_BODY_UNTIL_CLOSE, 0};
}
