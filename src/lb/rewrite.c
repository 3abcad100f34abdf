/* The heads the proxy sends on: hop-by-hop fields out, X-Forwarded-* in. */
#include "lb/lb.h"

#include <string.h>

static int put_str(gf_buf *b, http_str s)
{
	return gf_buf_put(b, s.ptr, s.len);
}

static int put_field(gf_buf *b, const char *name, http_str value)
{
	if (gf_buf_puts(b, name) < 0 || gf_buf_puts(b, ": ") < 0 || put_str(b, value) < 0)
		return GF_ETOOBIG;
	return gf_buf_put(b, "\r\n", 2);
}

static http_str cstr(const char *s)
{
	return (http_str){s, strlen(s)};
}

static bool is_forwarded_field(http_str name)
{
	return http_str_ieq(name, "x-forwarded-for") || http_str_ieq(name, "x-forwarded-proto") ||
	       http_str_ieq(name, "x-forwarded-host");
}

/* Copies every end-to-end field of `m` except the X-Forwarded-* ones, which
 * the proxy writes itself, and Host when `skip_host`. */
static int put_end_to_end(gf_buf *b, const http_msg *m, bool skip_forwarded, bool skip_host)
{
	for (size_t i = 0; i < m->nheaders; i++) {
		const http_header *h = &m->headers[i];
		if (http_is_hop_by_hop(m, h->name))
			continue;
		if (skip_forwarded && is_forwarded_field(h->name))
			continue;
		if (skip_host && http_str_ieq(h->name, "host"))
			continue;
		if (put_str(b, h->name) < 0 || gf_buf_put(b, ": ", 2) < 0 ||
		    put_str(b, h->value) < 0 || gf_buf_put(b, "\r\n", 2) < 0)
			return GF_ETOOBIG;
	}
	return 0;
}

/* Upgrade fields back, for an upgrade request or a 101 response. */
static int put_upgrade(gf_buf *b, const http_msg *m)
{
	size_t from = 0;
	const http_header *h;
	if (gf_buf_puts(b, "Connection: upgrade\r\n") < 0)
		return GF_ETOOBIG;
	while ((h = http_find(m, "upgrade", &from)) != NULL)
		if (put_field(b, "Upgrade", h->value) < 0)
			return GF_ETOOBIG;
	return 0;
}

int lb_rewrite_request(gf_buf *out, const http_msg *req, const lb_fwd *f)
{
	bool absolute = req->form == HTTP_FORM_ABSOLUTE;
	http_str target = absolute ? req->path : req->target;
	/* "http://h?q" has the path "?q": origin form needs "/?q". */
	bool slash = absolute && (target.len == 0 || target.ptr[0] != '/');
	if (put_str(out, req->method_name) < 0 || gf_buf_puts(out, slash ? " /" : " ") < 0 ||
	    put_str(out, target) < 0 || gf_buf_puts(out, " HTTP/1.1\r\n") < 0)
		return GF_ETOOBIG;
	/* An absolute-form target overrides Host (RFC 9112 §3.2.2). */
	if (put_end_to_end(out, req, true, absolute) < 0)
		return GF_ETOOBIG;
	http_str host = req->authority;
	size_t from = 0;
	if (absolute) {
		if (put_field(out, "Host", host) < 0)
			return GF_ETOOBIG;
	} else if (!http_find(req, "host", &from)) {
		/* HTTP/1.0 without Host: the proxy speaks 1.1, which needs one. */
		if (put_field(out, "Host", cstr(f->target_host)) < 0)
			return GF_ETOOBIG;
	}
	/* X-Forwarded-For: every earlier value, in order, then the client. */
	if (gf_buf_puts(out, "X-Forwarded-For: ") < 0)
		return GF_ETOOBIG;
	from = 0;
	const http_header *h;
	while ((h = http_find(req, "x-forwarded-for", &from)) != NULL) {
		if (h->value.len == 0)
			continue;
		if (put_str(out, h->value) < 0 || gf_buf_puts(out, ", ") < 0)
			return GF_ETOOBIG;
	}
	if (gf_buf_puts(out, f->client_ip) < 0 || gf_buf_puts(out, "\r\n") < 0)
		return GF_ETOOBIG;
	if (put_field(out, "X-Forwarded-Proto", cstr(f->proto)) < 0)
		return GF_ETOOBIG;
	if (host.len && put_field(out, "X-Forwarded-Host", host) < 0)
		return GF_ETOOBIG;
	if (req->upgrade && put_upgrade(out, req) < 0)
		return GF_ETOOBIG;
	if (req->chunked && gf_buf_puts(out, "Transfer-Encoding: chunked\r\n") < 0)
		return GF_ETOOBIG;
	return gf_buf_put(out, "\r\n", 2);
}

int lb_rewrite_response(gf_buf *out, const http_msg *res, bool close, bool keep_alive_10,
                        bool chunked)
{
	http_str reason = res->reason.len ? res->reason : cstr(http_reason(res->status));
	if (gf_buf_printf(out, "HTTP/1.1 %03d ", res->status) < 0 || put_str(out, reason) < 0 ||
	    gf_buf_put(out, "\r\n", 2) < 0)
		return GF_ETOOBIG;
	if (put_end_to_end(out, res, false, false) < 0)
		return GF_ETOOBIG;
	if (res->status == 101) {
		if (put_upgrade(out, res) < 0)
			return GF_ETOOBIG;
	} else if (close) {
		if (gf_buf_puts(out, "Connection: close\r\n") < 0)
			return GF_ETOOBIG;
	} else if (keep_alive_10) {
		if (gf_buf_puts(out, "Connection: keep-alive\r\n") < 0)
			return GF_ETOOBIG;
	}
	if (chunked && gf_buf_puts(out, "Transfer-Encoding: chunked\r\n") < 0)
		return GF_ETOOBIG;
	return gf_buf_put(out, "\r\n", 2);
}
