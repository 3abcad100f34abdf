/* The blocking HTTP/1.1 client of the CLI and the tests (api.h, note 5):
 * one request per connection over a unix socket or TCP, non-blocking
 * sockets driven by poll(2) so every step has a deadline. */
#include "http/api.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT 5.0
#define DEFAULT_TIMEOUT         30.0
#define DEFAULT_MAX_BODY        (64u << 20)
#define READ_CHUNK              65536
/* wait_fd: the deadline passed. */
#define TIMED_OUT 1

typedef struct {
	const http_client_req *r;
	const char *peer; /* "the gitfleet daemon" */
	char where[300];  /* the URL, for messages */
	bool unix_sock;
	char host[256]; /* TCP host (brackets removed), or the socket path */
	char port[8];
	const char *prefix; /* the URL's path ("" for none) */
	int fd;
	double deadline; /* of the whole exchange, or of the current silence (streams) */
	bool stream;
	double idle; /* streams: the silence allowed */
	gf_buf in;
} client;

/* ---- URL --------------------------------------------------------------- */

static int url_parse(client *c, const char *url)
{
	if (!url)
		return gf_err_set(GF_EINVALID, "no URL given for %s", c->peer);
	snprintf(c->where, sizeof(c->where), "%s", url);
	if (gf_str_has_prefix(url, "unix:")) {
		c->unix_sock = true;
		if (snprintf(c->host, sizeof(c->host), "%s", url + 5) >= (int)sizeof(c->host) ||
		    c->host[0] == '\0')
			return gf_err_set(GF_EINVALID,
			                  "bad socket address %s: use unix:/path/to/socket", url);
		c->prefix = "";
		return 0;
	}
	if (!gf_str_has_prefix(url, "http://"))
		return gf_err_set(
		        GF_EINVALID,
		        "unsupported URL %s: use unix:/path/to/socket or http://host:port", url);
	const char *h = url + 7;
	const char *slash = strchr(h, '/');
	const char *end = slash ? slash : h + strlen(h);
	const char *host = h, *host_end, *rest;
	c->prefix = slash ? slash : "";
	if (*h == '[') {
		host_end = memchr(h, ']', (size_t)(end - h));
		if (!host_end)
			return gf_err_set(GF_EINVALID, "bad URL %s: unclosed '['", url);
		host = h + 1;
		rest = host_end + 1;
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		host_end = colon ? colon : end;
		rest = host_end;
	}
	const char *port = "80", *port_end = port + 2;
	if (rest < end) {
		if (*rest != ':')
			return gf_err_set(GF_EINVALID, "bad URL %s: expected http://host:port",
			                  url);
		port = rest + 1;
		port_end = end;
	}
	size_t hlen = (size_t)(host_end - host), plen = (size_t)(port_end - port);
	if (hlen == 0 || hlen >= sizeof(c->host) || plen == 0 || plen >= sizeof(c->port))
		return gf_err_set(GF_EINVALID, "bad URL %s: expected http://host:port", url);
	memcpy(c->host, host, hlen);
	c->host[hlen] = '\0';
	memcpy(c->port, port, plen);
	c->port[plen] = '\0';
	int64_t n;
	if (gf_str_to_i64(&n, c->port, 1, 65535) != 0)
		return gf_err_set(GF_EINVALID, "bad port in URL %s", url);
	return 0;
}

/* ---- connecting -------------------------------------------------------- */

static int unreachable(client *c, int err)
{
	const char *hint = c->r->hint;
	char why[128];
	snprintf(why, sizeof(why), "%s", err == ENOENT ? "no such socket file" : strerror(err));
	/* "connection refused": the rest of the sentence is lower case. */
	if (why[0] >= 'A' && why[0] <= 'Z' && !(why[1] >= 'A' && why[1] <= 'Z'))
		why[0] = (char)(why[0] - 'A' + 'a');
	return gf_err_set(HTTP_EUNREACHABLE, "cannot reach %s at %s: %s%s%s%s", c->peer, c->where,
	                  why, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

/* Waits until fd is ready for `events`, or the deadline. */
static int wait_fd(int fd, short events, double deadline, short *revents)
{
	for (;;) {
		double left = deadline - gf_now();
		if (left <= 0)
			return TIMED_OUT;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n > 0) {
			*revents = p.revents;
			return 0;
		}
		if (n < 0 && errno != EINTR)
			return gf_err_errno("poll");
	}
}

/* Connects one address; 0, an errno value for "try the next", or < 0. */
static int connect_addr(client *c, const struct sockaddr *sa, socklen_t len, double deadline)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, sa, len) != 0 && errno != EINPROGRESS) {
		int err = errno;
		close(fd);
		return err;
	}
	short rev = 0;
	int rc = wait_fd(fd, POLLOUT, deadline, &rev);
	if (rc == TIMED_OUT) {
		close(fd);
		return gf_err_set(HTTP_ETIMEOUT, "%s at %s did not accept a connection within %g s",
		                  c->peer, c->where,
		                  c->r->connect_timeout > 0 ? c->r->connect_timeout
		                                            : DEFAULT_CONNECT_TIMEOUT);
	}
	int err = 0;
	socklen_t elen = sizeof(err);
	if (rc != 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
		close(fd);
		return err ? err : EIO;
	}
	c->fd = fd;
	return 0;
}

static int client_connect(client *c)
{
	double deadline = gf_now() + (c->r->connect_timeout > 0 ? c->r->connect_timeout
	                                                        : DEFAULT_CONNECT_TIMEOUT);
	if (c->unix_sock) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		if (strlen(c->host) >= sizeof(sa.sun_path))
			return gf_err_set(GF_EINVALID, "socket path of %s is too long", c->where);
		memcpy(sa.sun_path, c->host, strlen(c->host) + 1);
		int rc = connect_addr(c, (struct sockaddr *)&sa, sizeof(sa), deadline);
		return rc > 0 ? unreachable(c, rc) : rc;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int grc = getaddrinfo(c->host, c->port, &hints, &ai);
	if (grc != 0)
		return gf_err_set(HTTP_EUNREACHABLE, "cannot reach %s at %s: %s", c->peer, c->where,
		                  gai_strerror(grc));
	int rc = ECONNREFUSED;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		rc = connect_addr(c, a->ai_addr, a->ai_addrlen, deadline);
		if (rc <= 0)
			break;
	}
	freeaddrinfo(ai);
	return rc > 0 ? unreachable(c, rc) : rc;
}

/* ---- exchanging -------------------------------------------------------- */

static int timed_out(client *c)
{
	if (c->stream)
		return gf_err_set(HTTP_ETIMEOUT, "%s at %s sent nothing for %g s", c->peer,
		                  c->where, c->idle);
	return gf_err_set(HTTP_ETIMEOUT, "%s at %s did not answer within %g s", c->peer, c->where,
	                  c->r->timeout > 0 ? c->r->timeout : DEFAULT_TIMEOUT);
}

/* Sends the request; stops early when the server answers before reading
 * all of it (then the answer is what matters). */
static int client_send(client *c, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		short rev = 0;
		int rc = wait_fd(c->fd, POLLOUT | POLLIN, c->deadline, &rev);
		if (rc == TIMED_OUT)
			return timed_out(c);
		if (rc)
			return rc;
		if (rev & POLLIN)
			return 0;
		ssize_t n = send(c->fd, data + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return 0; /* perhaps it answered and closed: read that */
		if (n < 0)
			return gf_err_errno("sending to %s at %s", c->peer, c->where);
		off += (size_t)n;
	}
	return 0;
}

/* Reads more into c->in. 1 on bytes, 0 at the end of the stream. */
static int client_fill(client *c)
{
	for (;;) {
		short rev = 0;
		int rc = wait_fd(c->fd, POLLIN, c->deadline, &rev);
		if (rc == TIMED_OUT)
			return timed_out(c);
		if (rc)
			return rc;
		if (gf_buf_grow(&c->in, READ_CHUNK) != 0)
			return gf_err_set(GF_ETOOBIG, "the answer of %s at %s is too large",
			                  c->peer, c->where);
		ssize_t n = recv(c->fd, c->in.ptr + c->in.len, READ_CHUNK, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && errno == ECONNRESET)
			return 0;
		if (n < 0)
			return gf_err_errno("reading from %s at %s", c->peer, c->where);
		c->in.len += (size_t)n;
		c->in.ptr[c->in.len] = '\0';
		if (c->stream)
			c->deadline = gf_now() + c->idle;
		return n > 0;
	}
}

typedef struct {
	client *c;
	http_client_resp *resp;
	http_sse_parser sse;
	bool streaming; /* this body goes to a callback */
} body_sink;

static int sink_put(body_sink *s, const char *data, size_t len)
{
	const http_client_req *r = s->c->r;
	if (!s->streaming) {
		if (gf_buf_put(&s->resp->body, data, len) != 0)
			return gf_err_set(GF_ETOOBIG,
			                  "the answer of %s at %s is larger than %zu bytes",
			                  s->c->peer, s->c->where, s->resp->body.max);
		return 0;
	}
	int rc = r->on_data ? r->on_data(data, len, r->payload)
	                    : http_sse_parser_feed(&s->sse, data, len, r->on_event, r->payload);
	if (rc < 0)
		return rc;
	if (rc > 0)
		s->resp->stopped = true;
	return 0;
}

static int read_body(client *c, body_sink *s, http_framing f)
{
	if (f.kind == HTTP_BODY_NONE)
		return 0;
	if (f.kind == HTTP_BODY_CHUNKED) {
		http_chunked ch;
		http_chunked_init(&ch, &http_limits_default);
		for (;;) {
			size_t off = 0;
			for (;;) {
				size_t used = 0;
				http_str d = {0};
				int rc = http_chunked_decode(&ch, c->in.ptr + off, c->in.len - off,
				                             &used, &d);
				off += used;
				if (rc == HTTP_CHUNK_DONE)
					return 0;
				if (rc == HTTP_CHUNK_DATA) {
					if ((rc = sink_put(s, d.ptr, d.len)) != 0)
						return rc;
					if (s->resp->stopped)
						return 0;
					continue;
				}
				if (rc != GF_EAGAIN)
					return gf_err_set(
					        GF_EINVALID,
					        "%s at %s sent a malformed chunked body: %s",
					        c->peer, c->where, gf_err_msg());
				break;
			}
			gf_buf_consume(&c->in, off);
			int rc = client_fill(c);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return gf_err_set(GF_EINVALID,
				                  "%s at %s closed the connection mid-answer",
				                  c->peer, c->where);
		}
	}
	uint64_t left = f.length;
	for (;;) {
		size_t n = f.kind == HTTP_BODY_LENGTH ? (size_t)GF_MIN((uint64_t)c->in.len, left)
		                                      : c->in.len;
		int rc = sink_put(s, c->in.ptr, n);
		if (rc)
			return rc;
		gf_buf_consume(&c->in, n);
		left -= f.kind == HTTP_BODY_LENGTH ? n : 0;
		if ((f.kind == HTTP_BODY_LENGTH && left == 0) || s->resp->stopped)
			return 0;
		rc = client_fill(c);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return f.kind == HTTP_BODY_UNTIL_CLOSE
			               ? 0
			               : gf_err_set(GF_EINVALID,
			                            "%s at %s closed the connection mid-answer",
			                            c->peer, c->where);
	}
}

/* Caller-given strings go into the head verbatim: no line breaks. */
static int check_fields(const http_client_req *r)
{
	const char *method = r->method ? r->method : "GET";
	if (!*method || strpbrk(method, " \r\n") || (r->path && strpbrk(r->path, " \r\n")) ||
	    (r->token && strpbrk(r->token, "\r\n")) ||
	    (r->content_type && strpbrk(r->content_type, "\r\n")))
		return gf_err_set(GF_EINVALID, "a request method, path, token or content type "
		                               "contains a space or a line break");
	for (const char *const *h = r->headers; h && *h; h++)
		if (strpbrk(*h, "\r\n") || !strchr(*h, ':'))
			return gf_err_set(
			        GF_EINVALID,
			        "request field \"%.100s\" is not one \"Name: value\" line", *h);
	return 0;
}

static void build_request(gf_buf *b, const client *c, const char *method)
{
	const http_client_req *r = c->r;
	const char *path = r->path ? r->path : "";
	const char *prefix = c->prefix;
	if (!*prefix && !*path)
		path = "/";
	gf_buf_printf(b, "%s %s%s HTTP/1.1\r\n", method, prefix, path);
	if (c->unix_sock)
		gf_buf_puts(b, "Host: localhost\r\n");
	else if (strchr(c->host, ':'))
		gf_buf_printf(b, "Host: [%s]:%s\r\n", c->host, c->port);
	else
		gf_buf_printf(b, "Host: %s:%s\r\n", c->host, c->port);
	gf_buf_puts(b, "User-Agent: gitfleet/" GF_VERSION "\r\nConnection: close\r\n");
	if (r->token)
		gf_buf_printf(b, "Authorization: Bearer %s\r\n", r->token);
	for (const char *const *h = r->headers; h && *h; h++)
		gf_buf_printf(b, "%s\r\n", *h);
	if (r->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0) {
		if (r->content_type)
			gf_buf_printf(b, "Content-Type: %s\r\n", r->content_type);
		gf_buf_printf(b, "Content-Length: %zu\r\n", r->body ? r->body_len : 0);
	}
	gf_buf_puts(b, "\r\n");
}

static void copy_headers(http_client_resp *resp, const http_msg *m)
{
	resp->headers = gf_xcalloc(m->nheaders ? m->nheaders : 1, sizeof(*resp->headers));
	for (size_t i = 0; i < m->nheaders; i++) {
		resp->headers[i].name = gf_xstrndup(m->headers[i].name.ptr, m->headers[i].name.len);
		resp->headers[i].value =
		        gf_xstrndup(m->headers[i].value.ptr, m->headers[i].value.len);
	}
	resp->nheaders = m->nheaders;
}

int http_client_request(http_client_resp *resp, const http_client_req *r)
{
	client c = {.r = r, .fd = -1, .peer = r->peer_name ? r->peer_name : "the server"};
	const char *method = r->method ? r->method : "GET";
	http_msg *m = gf_xcalloc(1, sizeof(*m));
	gf_buf out = GF_BUF_INIT;
	body_sink sink = {.c = &c, .resp = resp};
	int rc;
	memset(resp, 0, sizeof(*resp));
	gf_buf_init(&resp->body, r->max_body ? r->max_body : DEFAULT_MAX_BODY);
	gf_buf_init(&c.in, 0);
	http_sse_parser_init(&sink.sse);
	if ((rc = url_parse(&c, r->url)) != 0 || (rc = check_fields(r)) != 0 ||
	    (rc = client_connect(&c)) != 0)
		goto cleanup;
	c.deadline = gf_now() + (r->timeout > 0 ? r->timeout : DEFAULT_TIMEOUT);
	build_request(&out, &c, method);
	if ((rc = client_send(&c, out.ptr, out.len)) != 0 ||
	    (r->body && (rc = client_send(&c, r->body, r->body_len)) != 0))
		goto cleanup;
	/* The head, skipping interim (1xx) answers. */
	http_parser p;
	http_parser_init(&p);
	for (;;) {
		rc = http_parse_response(&p, m, c.in.ptr, c.in.len, &http_limits_default);
		if (rc > 0 && m->status >= 100 && m->status < 200) {
			gf_buf_consume(&c.in, (size_t)rc);
			continue;
		}
		if (rc > 0)
			break;
		if (rc != GF_EAGAIN) {
			rc = gf_err_set(GF_EINVALID, "%s at %s sent a malformed answer: %s", c.peer,
			                c.where, m->err_msg ? m->err_msg : gf_err_msg());
			goto cleanup;
		}
		rc = client_fill(&c);
		if (rc < 0)
			goto cleanup;
		if (rc == 0) {
			rc = gf_err_set(GF_EIO, "%s at %s closed the connection without answering",
			                c.peer, c.where);
			goto cleanup;
		}
	}
	size_t head_len = (size_t)rc;
	resp->status = m->status;
	copy_headers(resp, m);
	http_framing f =
	        http_response_framing(m, strcmp(method, "HEAD") == 0 ? HTTP_HEAD : HTTP_GET);
	gf_buf_consume(&c.in, head_len);
	sink.streaming = (r->on_data || r->on_event) && m->status >= 200 && m->status < 300;
	if (sink.streaming && (r->on_data || r->on_event)) {
		c.stream = true;
		c.idle = r->timeout > 0 ? r->timeout : DEFAULT_TIMEOUT;
		c.deadline = gf_now() + c.idle;
	}
	rc = read_body(&c, &sink, f);
cleanup:
	if (c.fd >= 0)
		close(c.fd);
	http_sse_parser_dispose(&sink.sse);
	gf_buf_dispose(&c.in);
	gf_buf_dispose(&out);
	free(m);
	return rc;
}

void http_client_resp_dispose(http_client_resp *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = 0;
	gf_buf_dispose(&resp->body);
}

const char *http_client_header(const http_client_resp *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* ---- JSON -------------------------------------------------------------- */

int http_client_json(json_t **out, int *status, const http_client_req *req, json_t *body)
{
	http_client_req r = *req;
	http_client_resp resp;
	char *text = NULL;
	int rc;
	*out = NULL;
	if (status)
		*status = 0;
	if (body) {
		text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			return gf_err_set(GF_EINVALID, "cannot serialize the request body as JSON");
		r.body = text;
		r.body_len = strlen(text);
		r.content_type = "application/json";
	}
	rc = http_client_request(&resp, &r);
	free(text);
	if (rc)
		goto cleanup;
	if (status)
		*status = resp.status;
	const char *peer = req->peer_name ? req->peer_name : "the server";
	bool ok = resp.status >= 200 && resp.status < 300;
	if (resp.body.len == 0) {
		*out = json_null();
	} else {
		json_error_t err;
		*out = json_loadb(resp.body.ptr, resp.body.len, 0, &err);
		if (!*out && ok) {
			const char *ct = http_client_header(&resp, "Content-Type");
			rc = gf_err_set(
			        GF_EINVALID,
			        "%s at %s answered %d with a body that is not JSON (%s): %.200s",
			        peer, req->url, resp.status, ct ? ct : "no Content-Type",
			        resp.body.ptr);
			goto cleanup;
		}
	}
	if (ok)
		goto cleanup;
	json_t *e = *out ? json_object_get(*out, "error") : NULL;
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (msg)
		rc = gf_err_set(HTTP_ESTATUS, "%d %s: %s", resp.status, http_reason(resp.status),
		                msg);
	else
		rc = gf_err_set(HTTP_ESTATUS, "%s at %s answered %d %s%s%.200s", peer, req->url,
		                resp.status, http_reason(resp.status), resp.body.len ? ": " : "",
		                gf_buf_cstr(&resp.body));
cleanup:
	http_client_resp_dispose(&resp);
	return rc;
}
