/* What a handler sees of a request and how it answers: accessors, whole
 * and streamed answers, JSON and the standard error shape, event streams,
 * and the bearer token check. */
#include "http/server_internal.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- requests ---------------------------------------------------------- */

const http_msg *http_req_msg(const http_req *req)
{
	return &req->msg;
}

const char *http_req_method(const http_req *req)
{
	return req->method;
}

const char *http_req_path(const http_req *req)
{
	return req->path;
}

const char *http_req_query(const http_req *req)
{
	return req->query;
}

const char *http_req_param(const http_req *req, const char *name)
{
	for (size_t i = 0; i < req->match.nparams; i++)
		if (strcmp(req->match.names[i], name) == 0)
			return req->match.values[i];
	return NULL;
}

/* Decodes a query component in place: %XX, and '+' as a space. */
static bool query_decode(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '+')
			s[i] = ' ';
	size_t out = 0;
	if (http_pct_decode(s, &out, s, len) != 0 || memchr(s, '\0', out))
		return false;
	s[out] = '\0';
	return true;
}

const char *http_req_query_param(http_req *req, const char *name)
{
	const char *p = req->query;
	while (*p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char *key = gf_arena_strndup(&req->arena, p, klen);
		if (query_decode(key, klen) && strcmp(key, name) == 0) {
			size_t vlen = eq ? len - klen - 1 : 0;
			char *value = gf_arena_strndup(&req->arena, eq ? eq + 1 : "", vlen);
			return query_decode(value, vlen) ? value : NULL;
		}
		p = end ? end + 1 : p + len;
	}
	return NULL;
}

const char *http_req_header(http_req *req, const char *name)
{
	size_t from = 0;
	const http_header *h = http_find(&req->msg, name, &from);
	return h ? gf_arena_strndup(&req->arena, h->value.ptr, h->value.len) : NULL;
}

const char *http_req_body(const http_req *req, size_t *len)
{
	if (len)
		*len = req->body.len;
	return gf_buf_cstr(&req->body);
}

int http_req_json(json_t **out, http_req *req)
{
	json_error_t err;
	*out = json_loadb(req->body.ptr ? req->body.ptr : "", req->body.len, JSON_REJECT_DUPLICATES,
	                  &err);
	if (*out)
		return 0;
	if (req->body.len == 0)
		http_respond_error(req, 400, "invalid_json", NULL,
		                   "the request body is empty; a JSON document was expected");
	else
		http_respond_error(req, 400, "invalid_json", NULL,
		                   "the request body is not valid JSON: %s (line %d, column %d)",
		                   err.text, err.line, err.column);
	return GF_EINVALID;
}

const http_peer *http_req_peer(const http_req *req)
{
	return &req->conn->peer;
}

const char *http_req_last_event_id(http_req *req)
{
	return http_req_header(req, "Last-Event-ID");
}

gf_arena *http_req_arena(http_req *req)
{
	return &req->arena;
}

void http_req_set_data(http_req *req, void *data)
{
	req->data = data;
}

void *http_req_data(const http_req *req)
{
	return req->data;
}

void http_req_on_close(http_req *req, void (*fn)(http_req *req, void *payload), void *payload)
{
	req->close_fn = fn;
	req->close_payload = payload;
}

/* ---- answers ----------------------------------------------------------- */

void http_resp_header(http_req *req, const char *name, const char *value)
{
	if (req->begun || strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n")) {
		gf_log(GF_LOG_ERROR, "response field dropped", "name=%s begun=%d", name,
		       (int)req->begun);
		return;
	}
	gf_buf_printf(&req->resp_headers, "%s: %s\r\n", name, value);
}

static bool status_has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

/* Writes the status line and fields to `b`. length < 0: a streamed body. */
static void head_build(gf_buf *b, http_req *req, int status, const char *ctype, int64_t length)
{
	char date[HTTP_DATE_LEN + 1];
	bool http10 = req->msg.version == 10;
	http_date_format(date, time(NULL));
	req->begun = true;
	req->status = status;
	req->keep_alive = req->keep_alive && !req->conn->srv->closing;
	gf_buf_printf(b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, http_reason(status), date);
	if (ctype)
		gf_buf_printf(b, "Content-Type: %s\r\n", ctype);
	if (status_has_body(status)) {
		if (length >= 0)
			gf_buf_printf(b, "Content-Length: %lld\r\n", (long long)length);
		else if (!http10)
			gf_buf_puts(b, "Transfer-Encoding: chunked\r\n");
		else
			req->keep_alive = false; /* HTTP/1.0 streams end with the connection */
	}
	gf_buf_put(b, req->resp_headers.ptr, req->resp_headers.len);
	if (!req->keep_alive)
		gf_buf_puts(b, "Connection: close\r\n");
	else if (http10)
		gf_buf_puts(b, "Connection: keep-alive\r\n");
	gf_buf_puts(b, "\r\n");
}

void http_respond(http_req *req, int status, const char *content_type, const void *body, size_t len)
{
	gf_buf b = GF_BUF_INIT;
	if (req->ending)
		return;
	if (req->begun) {
		gf_log(GF_LOG_ERROR, "a request was answered twice", "path=%s", req->path);
		return;
	}
	if (!status_has_body(status))
		len = 0;
	head_build(&b, req, status, len ? content_type : NULL, (int64_t)len);
	if (!req->no_body)
		gf_buf_put(&b, body, len);
	srv_conn_write(req->conn, b.ptr, b.len);
	gf_buf_dispose(&b);
	srv_req_complete(req);
}

void http_respond_json(http_req *req, int status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(body);
	if (!text) {
		http_respond_error(req, 500, "internal", NULL,
		                   "the server could not build its answer");
		return;
	}
	size_t len = strlen(text);
	text = gf_xrealloc(text, len + 2);
	memcpy(text + len, "\n", 2);
	http_respond(req, status, "application/json", text, len + 1);
	free(text);
}

json_t *http_error_json(const char *code, const char *field, const char *message)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code ? code : "error"));
	json_object_set_new(e, "message", json_string(message ? message : ""));
	if (field)
		json_object_set_new(e, "field", json_string(field));
	json_t *root = json_object();
	json_object_set_new(root, "error", e);
	return root;
}

void http_respond_error(http_req *req, int status, const char *code, const char *field,
                        const char *fmt, ...)
{
	gf_buf msg = GF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	gf_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	http_respond_json(req, status, http_error_json(code, field, gf_buf_cstr(&msg)));
	gf_buf_dispose(&msg);
}

/* ---- streamed answers -------------------------------------------------- */

void http_stream_begin(http_req *req, int status, const char *content_type)
{
	gf_buf b = GF_BUF_INIT;
	if (req->ending)
		return;
	if (req->begun) {
		gf_log(GF_LOG_ERROR, "a request was answered twice", "path=%s", req->path);
		return;
	}
	head_build(&b, req, status, content_type, -1);
	req->streaming = true;
	srv_conn_write(req->conn, b.ptr, b.len);
	gf_buf_dispose(&b);
}

int http_stream_write(http_req *req, const void *data, size_t len)
{
	srv_conn *c = req->conn;
	if (!req->streaming)
		return gf_err_set(GF_EINVALID, "http_stream_write before http_stream_begin");
	if (req->ending || c->closing || c->eof)
		return gf_err_set(GF_EIO, "the client at %s is gone", c->peer.addr);
	if (len == 0 || req->no_body || !status_has_body(req->status))
		return 0;
	if (c->queued > c->srv->cfg.max_queued) {
		srv_conn_close(c);
		return gf_err_set(GF_ETOOBIG, "the client at %s reads too slowly: dropped",
		                  c->peer.addr);
	}
	if (req->msg.version == 10)
		return srv_conn_write(c, data, len);
	char hdr[HTTP_CHUNK_HEADER_MAX];
	size_t hlen = http_chunk_header(hdr, len);
	gf_buf b = GF_BUF_INIT;
	gf_buf_put(&b, hdr, hlen);
	gf_buf_put(&b, data, len);
	gf_buf_puts(&b, "\r\n");
	int rc = srv_conn_write(c, b.ptr, b.len);
	gf_buf_dispose(&b);
	return rc;
}

size_t http_stream_queued(const http_req *req)
{
	return req->conn->queued;
}

void http_stream_end(http_req *req)
{
	srv_conn *c = req->conn;
	if (!req->streaming || req->ending)
		return;
	uv_timer_stop(&c->timer);
	if (!req->no_body && req->msg.version != 10 && status_has_body(req->status))
		srv_conn_write(c, HTTP_CHUNK_LAST, sizeof(HTTP_CHUNK_LAST) - 1);
	srv_req_complete(req);
}

static void heartbeat(uv_timer_t *t)
{
	srv_conn *c = t->data;
	static const char beat[] = ": keep-alive\n\n";
	if (c->req && c->req->streaming)
		http_stream_write(c->req, beat, sizeof(beat) - 1);
}

void http_sse_begin(http_req *req, double interval)
{
	http_resp_header(req, "Cache-Control", "no-cache");
	http_resp_header(req, "X-Accel-Buffering", "no");
	http_stream_begin(req, 200, "text/event-stream");
	if (interval > 0) {
		uint64_t ms = (uint64_t)(interval * 1000);
		uv_timer_start(&req->conn->timer, heartbeat, ms ? ms : 1, ms ? ms : 1);
	}
}

int http_sse_send(http_req *req, const char *id, const char *event, const char *data)
{
	gf_buf b = GF_BUF_INIT;
	int rc = http_sse_format(&b, id, event, data);
	if (rc == 0)
		rc = http_stream_write(req, b.ptr, b.len);
	gf_buf_dispose(&b);
	return rc;
}

/* ---- authentication ---------------------------------------------------- */

bool http_bearer_ok(const char *authorization, const char *token)
{
	unsigned char want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
	if (!token)
		return true;
	if (!authorization || strncasecmp(authorization, "Bearer", 6) != 0 ||
	    (authorization[6] != ' ' && authorization[6] != '\t'))
		return false;
	const char *cred = authorization + 7;
	while (*cred == ' ' || *cred == '\t')
		cred++;
	/* Comparing digests takes the same time whatever the lengths. */
	SHA256((const unsigned char *)cred, strlen(cred), got);
	SHA256((const unsigned char *)token, strlen(token), want);
	return CRYPTO_memcmp(got, want, sizeof(want)) == 0;
}
