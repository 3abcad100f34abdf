/* The server end to end: a real server on a libuv loop in a thread (a
 * unix socket in a temporary directory, and TCP on 127.0.0.1 port 0),
 * driven by the blocking client, by raw sockets where the exact bytes
 * matter, and by curl where it is installed. The client alone is tested in
 * test_http_client.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "http/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define TOKEN "s3cret-token"

typedef struct {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	http_server *srv;
	char dir[32];
	char sock[100];
	char unix_url[160];
	char app_sock[100]; /* a socket of application tokens only */
	char app_url[160];
	char tcp_url[64];
	int port;
	atomic_int disconnects;   /* async requests whose client went away */
	atomic_int body_chunks;   /* on_body calls of the streaming route */
	atomic_int stream_aborts; /* streamed bodies that ended without an answer */
} fixture;

static fixture F;

/* ---- handlers (run on the loop thread) --------------------------------- */

static void h_get_item(http_req *req, void *payload)
{
	const http_peer *p = http_req_peer(req);
	http_respond_json(req, 200,
	                  json_pack("{s:s, s:s, s:b}", "name", http_req_param(req, "name"), "peer",
	                            p->kind == HTTP_PEER_UNIX ? "unix" : "tcp", "authorized",
	                            p->authorized));
}

static void h_put_item(http_req *req, void *payload)
{
	json_t *body;
	if (http_req_json(&body, req) != 0)
		return;
	http_respond_json(
	        req, 201,
	        json_pack("{s:s, s:o}", "name", http_req_param(req, "name"), "spec", body));
}

static void h_delete_item(http_req *req, void *payload)
{
	http_respond(req, 204, NULL, NULL, 0);
}

static void h_upload(http_req *req, void *payload)
{
	size_t len;
	http_req_body(req, &len);
	http_respond_json(req, 200, json_pack("{s:I}", "bytes", (json_int_t)len));
}

static void stream_aborted(http_req *req, void *payload)
{
	atomic_fetch_add(&F.stream_aborts, 1);
}

static int on_stream_body(http_req *req, const char *data, size_t len, void *payload)
{
	size_t *total = http_req_data(req);
	if (!total) {
		total = gf_arena_alloc(http_req_arena(req), sizeof(*total));
		http_req_set_data(req, total);
		http_req_on_close(req, stream_aborted, NULL);
	}
	*total += len;
	atomic_fetch_add(&F.body_chunks, 1);
	if (memchr(data, 'X', len))
		return gf_err_set(GF_EINVALID, "an X is not welcome here"), 422;
	return 0;
}

static void h_stream_upload(http_req *req, void *payload)
{
	size_t *total = http_req_data(req);
	http_respond_json(req, 200, json_pack("{s:I}", "bytes", (json_int_t)(total ? *total : 0)));
}

/* The long poll: answers after ?wait=MS milliseconds, or never if absent. */
typedef struct {
	uv_timer_t timer;
	http_req *req;
} waiter;

static void waiter_closed(uv_handle_t *h)
{
	free(h->data);
}

static void waiter_fire(uv_timer_t *t)
{
	waiter *w = t->data;
	http_respond_json(w->req, 200, json_pack("{s:b}", "waited", 1));
	uv_close((uv_handle_t *)&w->timer, waiter_closed);
}

static void waiter_gone(http_req *req, void *payload)
{
	waiter *w = payload;
	atomic_fetch_add(&F.disconnects, 1);
	uv_close((uv_handle_t *)&w->timer, waiter_closed);
}

static void h_wait(http_req *req, void *payload)
{
	const char *ms = http_req_query_param(req, "wait");
	waiter *w = gf_xcalloc(1, sizeof(*w));
	w->req = req;
	uv_timer_init(payload, &w->timer);
	w->timer.data = w;
	if (ms)
		uv_timer_start(&w->timer, waiter_fire, (uint64_t)atoi(ms), 0);
	http_req_on_close(req, waiter_gone, w);
}

/* Event stream: three events after Last-Event-ID, then the end, unless
 * ?follow is given (then it stays open with heartbeats). */
static void h_events(http_req *req, void *payload)
{
	const char *last = http_req_last_event_id(req);
	int from = last ? atoi(last) : 0;
	http_sse_begin(req, 0.05);
	for (int i = from + 1; i <= from + 3; i++) {
		char id[16], data[64];
		snprintf(id, sizeof(id), "%d", i);
		snprintf(data, sizeof(data), "{\"n\":%d}\nsecond line", i);
		http_sse_send(req, id, "tick", data);
	}
	if (http_req_query_param(req, "follow")) {
		waiter *w = gf_xcalloc(1, sizeof(*w));
		w->req = req;
		uv_timer_init(payload, &w->timer);
		w->timer.data = w;
		http_req_on_close(req, waiter_gone, w);
		return;
	}
	http_stream_end(req);
}

/* Answers from its close callback, which the server must ignore. */
static void rude_gone(http_req *req, void *payload)
{
	http_respond_json(req, 200, json_pack("{s:b}", "late", 1));
	atomic_fetch_add(&F.disconnects, 1);
}

static void h_rude(http_req *req, void *payload)
{
	http_req_on_close(req, rude_gone, NULL);
}

/* A bug: neither answers nor keeps the request. */
static void h_forget(http_req *req, void *payload)
{
}

/* Streams 1 MiB every millisecond to a client that does not read, until
 * the server drops it. */
static atomic_int flood_dropped;

static void flood_tick(uv_timer_t *t)
{
	waiter *w = t->data;
	static char mib[1 << 20];
	int rc = http_stream_write(w->req, mib, sizeof(mib));
	if (rc == GF_ETOOBIG)
		atomic_store(&flood_dropped, 1);
	if (rc != 0)
		uv_timer_stop(t);
}

static void h_flood(http_req *req, void *payload)
{
	waiter *w = gf_xcalloc(1, sizeof(*w));
	w->req = req;
	uv_timer_init(payload, &w->timer);
	w->timer.data = w;
	http_stream_begin(req, 200, "application/octet-stream");
	uv_timer_start(&w->timer, flood_tick, 1, 1);
	http_req_on_close(req, waiter_gone, w);
}

static void h_hook(http_req *req, void *payload)
{
	http_respond(req, 200, "text/plain", "hooked\n", 7);
}

static void h_builds_latest(http_req *req, void *payload)
{
	http_respond(req, 200, "text/plain", "latest", 6);
}

static void h_build_log(http_req *req, void *payload)
{
	http_respond(req, 200, "text/plain", http_req_param(req, "id"),
	             strlen(http_req_param(req, "id")));
}

/* ---- fixture ----------------------------------------------------------- */

/* Application tokens (http_server_add_auth): "app-rw" may do anything,
 * "app-ro" only GET; every other token is left to the listener's rule. */
static int app_auth(const char *method, const char *path, const char *token, char *why,
                    size_t why_len, void *payload)
{
	(void)path;
	(void)payload;
	if (!strcmp(token, "app-rw"))
		return 1;
	if (strcmp(token, "app-ro"))
		return 0;
	if (!strcmp(method, "GET"))
		return 1;
	snprintf(why, why_len, "a read-only token may not %s", method);
	return 403;
}

/* A second check, asked after app_auth: "second" may GET, and "app-ro"
 * never reaches it (app_auth answers first). */
static int second_auth(const char *method, const char *path, const char *token, char *why,
                       size_t why_len, void *payload)
{
	(void)path;
	(void)payload;
	if (!strcmp(token, "app-ro"))
		return 500;
	if (strcmp(token, "second"))
		return 0;
	if (!strcmp(method, "GET"))
		return 1;
	snprintf(why, why_len, "the second check refuses %s", method);
	return 403;
}

static void *loop_main(void *arg)
{
	uv_run(&F.loop, UV_RUN_DEFAULT);
	return NULL;
}

static void on_stop(uv_async_t *a)
{
	http_server_free(F.srv);
	uv_close((uv_handle_t *)a, NULL);
}

static int setup(void **state)
{
	memset(&F, 0, sizeof(F));
	/* /tmp rather than $TMPDIR: socket paths must fit in 108 bytes. */
	snprintf(F.dir, sizeof(F.dir), "/tmp/gf-http-XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	snprintf(F.sock, sizeof(F.sock), "%s/api.sock", F.dir);
	snprintf(F.unix_url, sizeof(F.unix_url), "unix:%s", F.sock);
	snprintf(F.app_sock, sizeof(F.app_sock), "%s/app.sock", F.dir);
	snprintf(F.app_url, sizeof(F.app_url), "unix:%s", F.app_sock);
	assert_int_equal(uv_loop_init(&F.loop), 0);
	uv_async_init(&F.loop, &F.stop, on_stop);
	http_server_config cfg;
	http_server_config_init(&cfg);
	cfg.header_timeout = 1;
	cfg.idle_timeout = 2;
	assert_int_equal(http_server_new(&F.srv, &F.loop, &cfg), 0);
	http_route_opts big = {.max_body = 4u << 20};
	http_route_opts pub = {.public = true};
	http_route_opts streamed = {.on_body = on_stream_body, .max_body = 1u << 30};
	assert_int_equal(
	        http_server_route(F.srv, "GET", "/v1/items/{name}", h_get_item, NULL, NULL), 0);
	assert_int_equal(
	        http_server_route(F.srv, "PUT", "/v1/items/{name}", h_put_item, NULL, NULL), 0);
	assert_int_equal(
	        http_server_route(F.srv, "DELETE", "/v1/items/{name}", h_delete_item, NULL, NULL),
	        0);
	assert_int_equal(http_server_route(F.srv, "POST", "/v1/upload", h_upload, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "POST", "/v1/big", h_upload, NULL, &big), 0);
	assert_int_equal(
	        http_server_route(F.srv, "POST", "/v1/stream", h_stream_upload, NULL, &streamed),
	        0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/wait", h_wait, &F.loop, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/forget", h_forget, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/rude", h_rude, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/flood", h_flood, &F.loop, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/events", h_events, &F.loop, NULL), 0);
	assert_int_equal(
	        http_server_route(F.srv, "POST", "/hooks/github/{project}", h_hook, NULL, &pub), 0);
	assert_int_equal(
	        http_server_route(F.srv, "GET", "/v1/builds/latest", h_builds_latest, NULL, NULL),
	        0);
	assert_int_equal(
	        http_server_route(F.srv, "GET", "/v1/builds/{id}/log", h_build_log, NULL, NULL), 0);
	assert_int_equal(http_server_add_auth(F.srv, app_auth, NULL), 0);
	assert_int_equal(http_server_add_auth(F.srv, second_auth, NULL), 0);
	assert_int_equal(http_server_listen_unix(F.srv, F.sock), 0);
	http_unix_opts app_only = {.mode = 0666, .app_tokens_only = true};
	assert_int_equal(http_server_listen_unix_opts(F.srv, F.app_sock, &app_only), 0);
	assert_int_equal(http_server_listen_tcp(F.srv, "127.0.0.1", 0, TOKEN, &F.port), 0);
	assert_true(F.port > 0);
	snprintf(F.tcp_url, sizeof(F.tcp_url), "http://127.0.0.1:%d", F.port);
	assert_int_equal(pthread_create(&F.thread, NULL, loop_main, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	uv_async_send(&F.stop);
	pthread_join(F.thread, NULL);
	assert_int_equal(uv_loop_close(&F.loop), 0);
	/* The socket file goes with the server. */
	assert_false(gf_fs_exists(F.sock));
	assert_false(gf_fs_exists(F.app_sock));
	rmdir(F.dir);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static int request(http_client_resp *resp, const char *url, const char *method, const char *path,
                   const char *token, const char *body)
{
	http_client_req r = {
	        .method = method, .url = url, .path = path, .token = token, .timeout = 10};
	if (body) {
		r.body = body;
		r.body_len = strlen(body);
		r.content_type = "application/json";
	}
	return http_client_request(resp, &r);
}

static int raw_connect_tcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)F.port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int raw_connect_unix(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", F.sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_send(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads until `want` responses' worth of text containing `until` appears
 * `count` times, the peer closes, or `seconds` pass. */
static void raw_read(int fd, gf_buf *out, const char *until, int count, double seconds)
{
	double deadline = gf_now() + seconds;
	for (;;) {
		int seen = 0;
		for (const char *p = gf_buf_cstr(out); (p = strstr(p, until)) != NULL; p++)
			seen++;
		if (seen >= count)
			return;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((deadline - gf_now()) * 1000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return;
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return;
		gf_buf_put(out, buf, (size_t)n);
	}
}

/* ---- tests ------------------------------------------------------------- */

static void test_unix_socket_mode(void **state)
{
	struct stat st;
	assert_int_equal(stat(F.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_json_get_put_delete(void **state)
{
	http_client_resp resp;
	assert_int_equal(
	        request(&resp, F.unix_url, "PUT", "/v1/items/web", NULL, "{\"port\":8080}"), 0);
	assert_int_equal(resp.status, 201);
	json_t *j = json_loads(resp.body.ptr, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "spec"), "port")),
	                 8080);
	json_decref(j);
	http_client_resp_dispose(&resp);

	/* Path parameters are percent-decoded. */
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/items/a%20b%2Fc", NULL, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.ptr, "\"name\":\"a b/c\""));
	assert_non_null(strstr(resp.body.ptr, "\"peer\":\"unix\""));
	assert_string_equal(http_client_header(&resp, "content-type"), "application/json");
	http_client_resp_dispose(&resp);

	assert_int_equal(request(&resp, F.unix_url, "DELETE", "/v1/items/web", NULL, NULL), 0);
	assert_int_equal(resp.status, 204);
	assert_int_equal(resp.body.len, 0);
	http_client_resp_dispose(&resp);

	/* Bad JSON: 400 with the standard error shape. */
	json_t *out = NULL;
	int status = 0;
	http_client_req r = {.method = "PUT",
	                     .url = F.unix_url,
	                     .path = "/v1/items/x",
	                     .body = "{nope",
	                     .body_len = 5};
	assert_int_equal(http_client_json(&out, &status, &r, NULL), HTTP_ESTATUS);
	assert_int_equal(status, 400);
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(out, "error"), "code")),
	        "invalid_json");
	assert_non_null(
	        strstr(gf_err_msg(), "400 Bad Request: the request body is not valid JSON"));
	json_decref(out);

	/* The JSON round trip. */
	json_t *spec = json_pack("{s:s}", "kind", "lb");
	r = (http_client_req){.method = "PUT", .url = F.unix_url, .path = "/v1/items/lb1"};
	assert_int_equal(http_client_json(&out, &status, &r, spec), 0);
	assert_int_equal(status, 201);
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(out, "spec"), "kind")), "lb");
	json_decref(out);
	json_decref(spec);
}

static void test_not_found_and_method(void **state)
{
	http_client_resp resp;
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/nothing", NULL, NULL), 0);
	assert_int_equal(resp.status, 404);
	assert_non_null(strstr(resp.body.ptr, "\"code\":\"not_found\""));
	http_client_resp_dispose(&resp);

	assert_int_equal(request(&resp, F.unix_url, "POST", "/v1/items/x", NULL, "{}"), 0);
	assert_int_equal(resp.status, 405);
	assert_string_equal(http_client_header(&resp, "Allow"), "GET, HEAD, PUT, DELETE");
	http_client_resp_dispose(&resp);

	/* A literal segment wins over a parameter; params in the middle. */
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/builds/latest", NULL, NULL), 0);
	assert_string_equal(resp.body.ptr, "latest");
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/builds/42/log", NULL, NULL), 0);
	assert_string_equal(resp.body.ptr, "42");
	http_client_resp_dispose(&resp);

	/* HEAD on a GET route: the head, no body. */
	assert_int_equal(request(&resp, F.unix_url, "HEAD", "/v1/builds/latest", NULL, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(http_client_header(&resp, "Content-Length"), "6");
	assert_int_equal(resp.body.len, 0);
	http_client_resp_dispose(&resp);

	/* A malformed escape in a parameter: 400. */
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/items/%zz", NULL, NULL), 0);
	assert_int_equal(resp.status, 400);
	http_client_resp_dispose(&resp);
}

static void test_bearer(void **state)
{
	http_client_resp resp;
	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", NULL, NULL), 0);
	assert_int_equal(resp.status, 401);
	assert_string_equal(http_client_header(&resp, "WWW-Authenticate"), "Bearer");
	assert_non_null(strstr(resp.body.ptr, "\"code\":\"unauthorized\""));
	http_client_resp_dispose(&resp);

	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", "wrong", NULL), 0);
	assert_int_equal(resp.status, 401);
	http_client_resp_dispose(&resp);

	/* Unknown paths are 401 too: nothing is learnt without the token. */
	assert_int_equal(request(&resp, F.tcp_url, "GET", "/secret", NULL, NULL), 0);
	assert_int_equal(resp.status, 401);
	http_client_resp_dispose(&resp);

	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", TOKEN, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.ptr, "\"peer\":\"tcp\""));
	assert_non_null(strstr(resp.body.ptr, "\"authorized\":true"));
	http_client_resp_dispose(&resp);

	/* A public route (webhooks) needs no token. */
	assert_int_equal(request(&resp, F.tcp_url, "POST", "/hooks/github/site", NULL, "{}"), 0);
	assert_int_equal(resp.status, 200);
	http_client_resp_dispose(&resp);
}

static void test_app_tokens(void **state)
{
	http_client_resp resp;
	/* Accepted on a TCP listener whose own token they are not. */
	assert_int_equal(request(&resp, F.tcp_url, "PUT", "/v1/items/a", "app-rw", "{}"), 0);
	assert_in_range(resp.status, 200, 201);
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", "app-ro", NULL), 0);
	assert_int_equal(resp.status, 200);
	http_client_resp_dispose(&resp);
	/* Refused with the hook's reason, on the trusted unix socket too. */
	assert_int_equal(request(&resp, F.unix_url, "PUT", "/v1/items/a", "app-ro", "{}"), 0);
	assert_int_equal(resp.status, 403);
	assert_non_null(strstr(resp.body.ptr, "\"code\":\"forbidden\""));
	assert_non_null(strstr(resp.body.ptr, "a read-only token may not PUT"));
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.tcp_url, "DELETE", "/v1/items/a", "app-ro", NULL), 0);
	assert_int_equal(resp.status, 403);
	http_client_resp_dispose(&resp);
	/* Without a token, the unix socket's trust is unchanged. */
	assert_int_equal(request(&resp, F.unix_url, "PUT", "/v1/items/a", NULL, "{}"), 0);
	assert_in_range(resp.status, 200, 201);
	http_client_resp_dispose(
	        &resp); /* Checks are asked in order: the first that knows the token answers. */
	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", "second", NULL), 0);
	assert_int_equal(resp.status, 200);
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.tcp_url, "PUT", "/v1/items/a", "second", "{}"), 0);
	assert_int_equal(resp.status, 403);
	assert_non_null(strstr(resp.body.ptr, "the second check refuses PUT"));
	http_client_resp_dispose(&resp);
	/* A token no check knows is left to the listener's rule. */
	assert_int_equal(request(&resp, F.tcp_url, "GET", "/v1/items/a", "nobody", NULL), 0);
	assert_int_equal(resp.status, 401);
	http_client_resp_dispose(&resp);
}

/* A socket of application tokens only (the pipeline's build socket):
 * open to everyone (0666), trusting nobody for arriving on it. */
static void test_app_tokens_only_socket(void **state)
{
	struct stat st;
	assert_int_equal(stat(F.app_sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	http_client_resp resp;
	/* No token, the TCP listener's token, an unknown token: 401. */
	const char *refused[] = {NULL, TOKEN, "nobody-knows-me"};
	for (size_t i = 0; i < GF_ARRAY_LEN(refused); i++) {
		assert_int_equal(request(&resp, F.app_url, "GET", "/v1/items/a", refused[i], NULL),
		                 0);
		assert_int_equal(resp.status, 401);
		assert_non_null(strstr(resp.body.ptr, "takes only the tokens the server issued"));
		http_client_resp_dispose(&resp);
	}
	/* Public routes too: nothing is open without a token here. */
	assert_int_equal(request(&resp, F.app_url, "POST", "/hooks/github/p", NULL, "{}"), 0);
	assert_int_equal(resp.status, 401);
	http_client_resp_dispose(&resp);
	/* Application tokens work, with their own restrictions. */
	assert_int_equal(request(&resp, F.app_url, "GET", "/v1/items/a", "app-ro", NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.ptr, "\"authorized\":true"));
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.app_url, "PUT", "/v1/items/a", "app-ro", "{}"), 0);
	assert_int_equal(resp.status, 403);
	http_client_resp_dispose(&resp);
	assert_int_equal(request(&resp, F.app_url, "PUT", "/v1/items/a", "app-rw", "{}"), 0);
	assert_in_range(resp.status, 200, 201);
	http_client_resp_dispose(&resp);
}

static void test_body_caps(void **state)
{
	/* A declared 100 MB body is refused from the head alone: none of the
	 * body is ever sent, so a server waiting for it would not answer. */
	int fd = raw_connect_tcp();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "POST /v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
	             "\r\nContent-Length: 100000000\r\n\r\n");
	raw_read(fd, &out, "\r\n\r\n", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 413 "));
	assert_non_null(strstr(out.ptr, "Connection: close"));
	close(fd);
	gf_buf_dispose(&out);

	/* With Expect: 100-continue, the 413 comes instead of the 100. */
	fd = raw_connect_unix();
	raw_send(fd, "PUT /v1/items/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
	             "Content-Length: 100000000\r\n\r\n");
	raw_read(fd, &out, "\r\n\r\n", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 413 "));
	close(fd);
	gf_buf_dispose(&out);

	/* ... and the 100 when it fits. */
	fd = raw_connect_unix();
	raw_send(fd, "POST /v1/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
	             "Content-Length: 5\r\n\r\n");
	raw_read(fd, &out, "\r\n\r\n", 1, 10);
	assert_string_equal(gf_buf_cstr(&out), "HTTP/1.1 100 Continue\r\n\r\n");
	raw_send(fd, "hello");
	raw_read(fd, &out, "}", 1, 10);
	assert_non_null(strstr(out.ptr, "{\"bytes\":5}"));
	close(fd);
	gf_buf_dispose(&out);

	/* The client sending a big body stops when the early 413 comes. */
	size_t big = 100u << 20;
	char *body = gf_xcalloc(1, big);
	http_client_req r = {.method = "POST",
	                     .url = F.unix_url,
	                     .path = "/v1/upload",
	                     .body = body,
	                     .body_len = big,
	                     .timeout = 10};
	http_client_resp resp;
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 413);
	http_client_resp_dispose(&resp);

	/* A route may allow more. */
	r.path = "/v1/big";
	r.body_len = 3u << 20;
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.ptr, "\"bytes\":3145728"));
	http_client_resp_dispose(&resp);
	free(body);
}

static void test_chunked_request(void **state)
{
	int fd = raw_connect_unix();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "POST /v1/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	             "5\r\nhello\r\n");
	raw_send(fd, "6;ext=1\r\n world\r\n0\r\nTrailer-Field: t\r\n\r\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "{\"bytes\":11}"));
	close(fd);
	gf_buf_dispose(&out);

	/* Chunks are counted against the cap as they arrive. */
	fd = raw_connect_unix();
	raw_send(fd, "POST /v1/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	char line[64];
	snprintf(line, sizeof(line), "%x\r\n", (1u << 20) + 1);
	raw_send(fd, line);
	raw_read(fd, &out, "\r\n\r\n", 1, 0.2);
	assert_int_equal(out.len, 0); /* not refused on the size line alone */
	char *chunk = gf_xmalloc(65536);
	memset(chunk, 'a', 65536);
	for (int i = 0; i < 17 && out.len == 0; i++) {
		if (send(fd, chunk, 65536, MSG_NOSIGNAL) < 0)
			break;
		raw_read(fd, &out, "\r\n\r\n", 1, 0.05);
	}
	raw_read(fd, &out, "\r\n\r\n", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 413 "));
	free(chunk);
	close(fd);
	gf_buf_dispose(&out);

	/* A streamed body goes to on_body chunk by chunk; it may refuse. */
	fd = raw_connect_unix();
	raw_send(fd, "POST /v1/stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	             "3\r\nabc\r\n");
	raw_send(fd, "2\r\nde\r\n0\r\n\r\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "{\"bytes\":5}"));
	assert_true(atomic_load(&F.body_chunks) >= 2);
	assert_int_equal(atomic_load(&F.stream_aborts), 0);
	close(fd);
	gf_buf_dispose(&out);
	fd = raw_connect_unix();
	raw_send(fd, "POST /v1/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\naXa");
	raw_read(fd, &out, "}", 2, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 422 "));
	assert_non_null(strstr(out.ptr, "an X is not welcome here"));
	assert_int_equal(atomic_load(&F.stream_aborts), 1); /* its state can be freed */
	close(fd);
	gf_buf_dispose(&out);
}

static void test_keep_alive_and_pipelining(void **state)
{
	int fd = raw_connect_unix();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "GET /v1/items/one HTTP/1.1\r\nHost: x\r\n\r\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "\"name\":\"one\""));
	raw_send(fd, "GET /v1/items/two HTTP/1.1\r\nHost: x\r\n\r\n");
	raw_read(fd, &out, "}", 2, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "\"name\":\"two\""));
	gf_buf_clear(&out);

	/* Pipelined, with a slow (async) one first: answered in order. */
	raw_send(fd, "GET /v1/wait?wait=100 HTTP/1.1\r\nHost: x\r\n\r\n"
	             "GET /v1/items/three HTTP/1.1\r\nHost: x\r\n\r\n"
	             "GET /v1/items/four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	raw_read(fd, &out, "}", 3, 10);
	const char *a = strstr(gf_buf_cstr(&out), "waited");
	const char *b = strstr(gf_buf_cstr(&out), "three");
	const char *c = strstr(gf_buf_cstr(&out), "four");
	assert_true(a && b && c && a < b && b < c);
	/* Connection: close is honoured: the server closes after the third. */
	char tmp[16];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 3000), 1);
	assert_int_equal(recv(fd, tmp, sizeof(tmp), 0), 0);
	close(fd);
	gf_buf_dispose(&out);
}

static void test_errors_from_codec(void **state)
{
	int fd = raw_connect_unix();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "GET /v1/items/x HTTP/1.1\nHost: x\n\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 400 "));
	assert_non_null(strstr(out.ptr, "\"code\":\"bad_request\""));
	close(fd);
	gf_buf_dispose(&out);

	/* A head that never ends: 408 after the header timeout (1 s here). */
	fd = raw_connect_unix();
	raw_send(fd, "GET /v1/items/x HTTP/1.1\r\nHost: x\r\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 408 "));
	close(fd);
	gf_buf_dispose(&out);

	/* A request line over the limit: 414. */
	fd = raw_connect_unix();
	gf_buf big = GF_BUF_INIT;
	gf_buf_puts(&big, "GET /v1/items/");
	for (int i = 0; i < 9000; i++)
		gf_buf_putc(&big, 'a');
	gf_buf_puts(&big, " HTTP/1.1\r\nHost: x\r\n\r\n");
	send(fd, big.ptr, big.len, MSG_NOSIGNAL);
	raw_read(fd, &out, "}", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 414 "));
	close(fd);
	gf_buf_dispose(&out);
	gf_buf_clear(&big);

	/* Too many header bytes: 431. */
	fd = raw_connect_unix();
	gf_buf_puts(&big, "GET /v1/items/x HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 400; i++)
		gf_buf_printf(&big, "X-Filler-%d: %060d\r\n", i, i);
	gf_buf_puts(&big, "\r\n");
	send(fd, big.ptr, big.len, MSG_NOSIGNAL);
	raw_read(fd, &out, "}", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 431 "));
	close(fd);
	gf_buf_dispose(&out);
	gf_buf_dispose(&big);

	/* Idle keep-alive connections are closed (2 s here), silently. */
	fd = raw_connect_unix();
	raw_send(fd, "GET /v1/items/x HTTP/1.1\r\nHost: x\r\n\r\n");
	raw_read(fd, &out, "}", 1, 10);
	gf_buf_clear(&out);
	double t0 = gf_now();
	raw_read(fd, &out, "never", 1, 20);
	assert_int_equal(out.len, 0);
	assert_true(gf_now() - t0 >= 1.5);
	close(fd);
	gf_buf_dispose(&out);
}

static void test_http10_and_forgotten(void **state)
{
	/* HTTP/1.0: closed after the answer unless keep-alive is asked. */
	int fd = raw_connect_unix();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "GET /v1/items/old HTTP/1.0\r\n\r\n");
	raw_read(fd, &out, "never", 1, 10);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&out), "HTTP/1.1 200 "));
	assert_non_null(strstr(out.ptr, "Connection: close\r\n"));
	assert_non_null(strstr(out.ptr, "\"name\":\"old\""));
	close(fd);
	gf_buf_clear(&out);

	fd = raw_connect_unix();
	raw_send(fd, "GET /v1/items/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	raw_read(fd, &out, "}", 1, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "Connection: keep-alive\r\n"));
	raw_send(fd, "GET /v1/items/b HTTP/1.0\r\n\r\n");
	raw_read(fd, &out, "}", 2, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "\"name\":\"b\""));
	close(fd);
	gf_buf_clear(&out);

	/* An HTTP/1.0 event stream is delimited by the close, not chunked. */
	fd = raw_connect_unix();
	raw_send(fd, "GET /v1/events HTTP/1.0\r\n\r\n");
	raw_read(fd, &out, "never", 1, 10);
	assert_null(strstr(gf_buf_cstr(&out), "chunked"));
	assert_true(gf_str_has_suffix(out.ptr, "data: second line\n\n"));
	close(fd);
	gf_buf_clear(&out);

	/* A handler that forgets the request: 500, not a hanging client. */
	http_client_resp resp;
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/forget", NULL, NULL), 0);
	assert_int_equal(resp.status, 500);
	assert_non_null(strstr(resp.body.ptr, "\"code\":\"internal\""));
	http_client_resp_dispose(&resp);
	gf_buf_dispose(&out);
}

static void test_async_and_disconnect(void **state)
{
	http_client_resp resp;
	double t0 = gf_now();
	assert_int_equal(request(&resp, F.unix_url, "GET", "/v1/wait?wait=200", NULL, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_true(gf_now() - t0 >= 0.19);
	assert_non_null(strstr(resp.body.ptr, "\"waited\":true"));
	http_client_resp_dispose(&resp);

	/* A client that leaves a pending request: the handler is told. */
	int before = atomic_load(&F.disconnects);
	int fd = raw_connect_unix();
	raw_send(fd, "GET /v1/wait HTTP/1.1\r\nHost: x\r\n\r\n");
	usleep(100 * 1000);
	close(fd);
	for (int i = 0; i < 1000 && atomic_load(&F.disconnects) == before; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&F.disconnects), before + 1);

	/* An answer from the close callback is ignored (no double free). */
	before = atomic_load(&F.disconnects);
	fd = raw_connect_unix();
	raw_send(fd, "GET /v1/rude HTTP/1.1\r\nHost: x\r\n\r\n");
	usleep(50 * 1000);
	close(fd);
	for (int i = 0; i < 1000 && atomic_load(&F.disconnects) == before; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&F.disconnects), before + 1);

	/* A client timeout: the client gives up, the server notices. */
	before = atomic_load(&F.disconnects);
	http_client_req r = {.url = F.unix_url, .path = "/v1/wait", .timeout = 0.2};
	assert_int_equal(http_client_request(&resp, &r), HTTP_ETIMEOUT);
	assert_non_null(strstr(gf_err_msg(), "did not answer within 0.2 s"));
	http_client_resp_dispose(&resp);
	for (int i = 0; i < 1000 && atomic_load(&F.disconnects) == before; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&F.disconnects), before + 1);
}

typedef struct {
	int n;
	char ids[8][16];
	char data[8][64];
	char event[16];
} events_seen;

static int on_event(const http_sse_event *ev, void *payload)
{
	events_seen *s = payload;
	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", ev->id);
		snprintf(s->data[s->n], sizeof(s->data[0]), "%s", ev->data);
		snprintf(s->event, sizeof(s->event), "%s", ev->event);
	}
	s->n++;
	return s->n == 5 ? 1 : 0;
}

static void test_sse(void **state)
{
	events_seen seen = {0};
	const char *hdrs[] = {"Last-Event-ID: 7", NULL};
	http_client_req r = {.url = F.unix_url,
	                     .path = "/v1/events",
	                     .headers = hdrs,
	                     .on_event = on_event,
	                     .payload = &seen,
	                     .timeout = 5};
	http_client_resp resp;
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(http_client_header(&resp, "Content-Type"), "text/event-stream");
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.ids[0], "8");
	assert_string_equal(seen.ids[2], "10");
	assert_string_equal(seen.event, "tick");
	assert_string_equal(seen.data[0], "{\"n\":8}\nsecond line");
	http_client_resp_dispose(&resp);

	/* Following: the stream stays open with heartbeats until the client
	 * leaves, and its handler is told. */
	int before = atomic_load(&F.disconnects);
	int fd = raw_connect_unix();
	gf_buf out = GF_BUF_INIT;
	raw_send(fd, "GET /v1/events?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	raw_read(fd, &out, ": keep-alive", 2, 10);
	assert_non_null(strstr(gf_buf_cstr(&out), "Transfer-Encoding: chunked"));
	assert_non_null(
	        strstr(out.ptr, "id: 3\nevent: tick\ndata: {\"n\":3}\ndata: second line\n\n"));
	close(fd);
	gf_buf_dispose(&out);
	for (int i = 0; i < 1000 && atomic_load(&F.disconnects) == before; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&F.disconnects), before + 1);
}

static void test_slow_reader_dropped(void **state)
{
	/* A client that does not read a stream is dropped, its handler told. */
	int before = atomic_load(&F.disconnects);
	int fd = raw_connect_unix();
	raw_send(fd, "GET /v1/flood HTTP/1.1\r\nHost: x\r\n\r\n");
	for (int i = 0; i < 1000 && atomic_load(&F.disconnects) == before; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&flood_dropped), 1);
	assert_int_equal(atomic_load(&F.disconnects), before + 1);
	close(fd);
}

static void test_stale_socket_replaced(void **state)
{
	/* A live server's socket is not taken over; a stale file is. */
	uv_loop_t loop;
	http_server *s;
	uv_loop_init(&loop);
	http_server_new(&s, &loop, NULL);
	assert_int_equal(http_server_listen_unix(s, F.sock), GF_EEXISTS);
	char stale[100];
	snprintf(stale, sizeof(stale), "%s/stale2.sock", F.dir);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", stale);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(http_server_listen_unix(s, stale), 0);
	char notsock[200];
	snprintf(notsock, sizeof(notsock), "%s/file", F.dir);
	gf_fs_write_atomic(notsock, "x", 1, 0600);
	assert_int_equal(http_server_listen_unix(s, notsock), GF_EINVALID);
	assert_int_equal(http_server_listen_tcp(s, "127.0.0.1", F.port, NULL, NULL), GF_EEXISTS);
	assert_int_equal(http_server_listen_tcp(s, "127.0.0.1", 0, "", NULL), GF_EINVALID);
	assert_int_equal(http_server_listen_tcp(s, "no such host.invalid", 0, NULL, NULL),
	                 GF_EINVALID);
	unlink(notsock);
	http_server_free(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_false(gf_fs_exists(stale));
}

/* ---- graceful shutdown ------------------------------------------------- */

typedef struct {
	uv_loop_t loop;
	uv_async_t go;
	http_server *srv;
	atomic_int done;
	char url[160];
	http_client_resp resp;
	int rc;
} shutdown_fixture;

static void shutdown_done(void *payload)
{
	shutdown_fixture *sf = payload;
	atomic_store(&sf->done, 1);
	uv_close((uv_handle_t *)&sf->go, NULL);
}

static void shutdown_go(uv_async_t *a)
{
	shutdown_fixture *sf = a->data;
	http_server_shutdown(sf->srv, shutdown_done, sf);
}

static void *shutdown_loop(void *arg)
{
	uv_run(arg, UV_RUN_DEFAULT);
	return NULL;
}

static void *slow_client(void *arg)
{
	shutdown_fixture *sf = arg;
	http_client_req r = {.url = sf->url, .path = "/v1/wait?wait=400", .timeout = 10};
	sf->rc = http_client_request(&sf->resp, &r);
	return NULL;
}

static void test_graceful_shutdown(void **state)
{
	shutdown_fixture sf = {0};
	char sock[100];
	snprintf(sock, sizeof(sock), "%s/shut.sock", F.dir);
	snprintf(sf.url, sizeof(sf.url), "unix:%s", sock);
	uv_loop_init(&sf.loop);
	uv_async_init(&sf.loop, &sf.go, shutdown_go);
	sf.go.data = &sf;
	http_server_new(&sf.srv, &sf.loop, NULL);
	http_server_route(sf.srv, "GET", "/v1/wait", h_wait, &sf.loop, NULL);
	http_server_route(sf.srv, "GET", "/v1/events", h_events, &sf.loop, NULL);
	assert_int_equal(http_server_listen_unix(sf.srv, sock), 0);
	pthread_t loop_thread, client_thread;
	pthread_create(&loop_thread, NULL, shutdown_loop, &sf.loop);

	/* An idle keep-alive connection, an event stream, a slow request. */
	int idle = socket(AF_UNIX, SOCK_STREAM, 0), events = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(connect(idle, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(connect(events, (struct sockaddr *)&sa, sizeof(sa)), 0);
	raw_send(events, "GET /v1/events?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	gf_buf out = GF_BUF_INIT;
	raw_read(events, &out, "id: 3", 1, 10);
	pthread_create(&client_thread, NULL, slow_client, &sf);
	usleep(150 * 1000);
	int before = atomic_load(&F.disconnects);
	uv_async_send(&sf.go);

	/* The stream ends cleanly, its handler told; the idle one closes. */
	raw_read(events, &out, "\r\n0\r\n\r\n", 1, 10);
	assert_true(gf_str_has_suffix(gf_buf_cstr(&out), "\r\n0\r\n\r\n"));
	assert_int_equal(atomic_load(&F.disconnects), before + 1);
	char tmp[8];
	struct pollfd p = {.fd = idle, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_int_equal(recv(idle, tmp, sizeof(tmp), 0), 0);
	/* No new connections. */
	assert_false(gf_fs_exists(sock));

	/* The request in flight is still answered, then everything closes. */
	pthread_join(client_thread, NULL);
	assert_int_equal(sf.rc, 0);
	assert_int_equal(sf.resp.status, 200);
	assert_string_equal(http_client_header(&sf.resp, "Connection"), "close");
	pthread_join(loop_thread, NULL);
	assert_int_equal(atomic_load(&sf.done), 1);
	http_server_free(sf.srv);
	assert_int_equal(uv_loop_close(&sf.loop), 0);
	http_client_resp_dispose(&sf.resp);
	gf_buf_dispose(&out);
	close(idle);
	close(events);
}

/* curl, where installed, as an independent client. */
static int run(const char *cmd, gf_buf *out)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		gf_buf_put(out, buf, n);
	return pclose(p);
}

static void test_curl(void **state)
{
	gf_buf out = GF_BUF_INIT;
	if (run("curl --version >/dev/null 2>&1", &out) != 0) {
		skip();
		return;
	}
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "curl -sS --max-time 10 --unix-socket %s -X PUT -H 'Content-Type: "
	         "application/json' "
	         "--data '{\"a\":1}' http://localhost/v1/items/c1",
	         F.sock);
	assert_int_equal(run(cmd, &out), 0);
	assert_string_equal(gf_buf_cstr(&out), "{\"name\":\"c1\",\"spec\":{\"a\":1}}\n");
	gf_buf_clear(&out);

	snprintf(cmd, sizeof(cmd),
	         "curl -sS --max-time 10 -o /dev/null -o /dev/null "
	         "-w '%%{http_code}:%%{num_connects} ' -H 'Authorization: Bearer %s' "
	         "http://127.0.0.1:%d/v1/items/a http://127.0.0.1:%d/v1/items/b",
	         TOKEN, F.port, F.port);
	assert_int_equal(run(cmd, &out), 0);
	/* Two answers on one connection: the second needed no connect. */
	assert_string_equal(gf_buf_cstr(&out), "200:1 200:0 ");
	gf_buf_clear(&out);

	/* A real 100 MB upload: curl asks 100-continue, gets 413 at once. */
	char file[200];
	snprintf(file, sizeof(file), "%s/big", F.dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 100 << 20), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "curl -sS --max-time 20 -o /dev/null -w '%%{http_code}' --unix-socket %s "
	         "--data-binary @%s http://localhost/v1/upload",
	         F.sock, file);
	run(cmd, &out);
	assert_string_equal(gf_buf_cstr(&out), "413");
	unlink(file);
	gf_buf_clear(&out);

	/* Chunked upload from curl. */
	snprintf(cmd, sizeof(cmd),
	         "printf 'abcdef' | curl -sS --max-time 10 --unix-socket %s "
	         "-H 'Transfer-Encoding: chunked' --data-binary @- http://localhost/v1/upload",
	         F.sock);
	assert_int_equal(run(cmd, &out), 0);
	assert_string_equal(gf_buf_cstr(&out), "{\"bytes\":6}\n");
	gf_buf_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unix_socket_mode),
	        cmocka_unit_test(test_json_get_put_delete),
	        cmocka_unit_test(test_not_found_and_method),
	        cmocka_unit_test(test_bearer),
	        cmocka_unit_test(test_app_tokens),
	        cmocka_unit_test(test_app_tokens_only_socket),
	        cmocka_unit_test(test_body_caps),
	        cmocka_unit_test(test_chunked_request),
	        cmocka_unit_test(test_keep_alive_and_pipelining),
	        cmocka_unit_test(test_errors_from_codec),
	        cmocka_unit_test(test_http10_and_forgotten),
	        cmocka_unit_test(test_async_and_disconnect),
	        cmocka_unit_test(test_sse),
	        cmocka_unit_test(test_slow_reader_dropped),
	        cmocka_unit_test(test_stale_socket_replaced),
	        cmocka_unit_test(test_graceful_shutdown),
	        cmocka_unit_test(test_curl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
