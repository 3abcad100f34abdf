/* The blocking client of http/api.h: framing of every kind of answer
 * (from a canned one-shot server), streaming reads, caps, URLs, and the
 * errors the CLI shows. A small real server runs on a libuv loop in a
 * thread for the cases that need one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "http/api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define TOKEN "client-test-token"

static struct {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	http_server *srv;
	char dir[32];
	char unix_url[100];
	char tcp_url[64];
} F;

static void h_get_item(http_req *req, void *payload)
{
	http_respond_json(req, 200, json_pack("{s:s}", "name", http_req_param(req, "name")));
}

/* A live log: ?lines=N chunks, then the end. */
static void h_log(http_req *req, void *payload)
{
	const char *lines = http_req_query_param(req, "lines");
	http_stream_begin(req, 200, "text/plain; charset=utf-8");
	for (int i = 1; i <= atoi(lines ? lines : "3"); i++) {
		char line[32];
		snprintf(line, sizeof(line), "line %d\n", i);
		assert_int_equal(http_stream_write(req, line, strlen(line)), 0);
	}
	http_stream_end(req);
}

static void h_text(http_req *req, void *payload)
{
	http_respond(req, 200, "text/plain", "latest", 6);
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
	char sock[64];
	int port = 0;
	/* /tmp rather than $TMPDIR: socket paths must fit in 108 bytes. */
	snprintf(F.dir, sizeof(F.dir), "/tmp/gf-httpc-XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	snprintf(sock, sizeof(sock), "%s/api.sock", F.dir);
	snprintf(F.unix_url, sizeof(F.unix_url), "unix:%s", sock);
	assert_int_equal(uv_loop_init(&F.loop), 0);
	uv_async_init(&F.loop, &F.stop, on_stop);
	http_server_config cfg;
	http_server_config_init(&cfg);
	cfg.max_connections = 3;
	cfg.access_log = true;
	assert_int_equal(http_server_new(&F.srv, &F.loop, &cfg), 0);
	assert_int_equal(
	        http_server_route(F.srv, "GET", "/v1/items/{name}", h_get_item, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/log", h_log, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/v1/builds/latest", h_text, NULL, NULL),
	                 0);
	assert_int_equal(http_server_listen_unix(F.srv, sock), 0);
	assert_int_equal(http_server_listen_tcp(F.srv, "127.0.0.1", 0, TOKEN, &port), 0);
	snprintf(F.tcp_url, sizeof(F.tcp_url), "http://127.0.0.1:%d", port);
	assert_int_equal(pthread_create(&F.thread, NULL, loop_main, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	uv_async_send(&F.stop);
	pthread_join(F.thread, NULL);
	assert_int_equal(uv_loop_close(&F.loop), 0);
	rmdir(F.dir);
	return 0;
}

/* A one-shot server on a unix socket that answers any request with fixed
 * bytes, then closes: for answers our server never gives. */
typedef struct {
	int lfd;
	const char *answer;
} canned;

static void *canned_main(void *arg)
{
	canned *c = arg;
	int fd = accept(c->lfd, NULL, NULL);
	char buf[4096];
	gf_buf req = GF_BUF_INIT;
	while (!strstr(gf_buf_cstr(&req), "\r\n\r\n")) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		gf_buf_put(&req, buf, (size_t)n);
	}
	if (*c->answer)
		send(fd, c->answer, strlen(c->answer), MSG_NOSIGNAL);
	close(fd);
	gf_buf_dispose(&req);
	return NULL;
}

static int canned_request(http_client_resp *resp, const char *answer)
{
	char path[100];
	snprintf(path, sizeof(path), "%s/canned.sock", F.dir);
	canned c = {socket(AF_UNIX, SOCK_STREAM, 0), answer};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(c.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(c.lfd, 1), 0);
	pthread_t t;
	pthread_create(&t, NULL, canned_main, &c);
	char url[120];
	snprintf(url, sizeof(url), "unix:%s", path);
	http_client_req r = {.url = url, .path = "/x", .timeout = 10};
	int rc = http_client_request(resp, &r);
	pthread_join(t, NULL);
	close(c.lfd);
	unlink(path);
	return rc;
}

static void test_client_framing(void **state)
{
	http_client_resp resp;
	/* Delimited by the close. */
	assert_int_equal(canned_request(&resp, "HTTP/1.1 200 OK\r\n\r\nuntil the end"), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.ptr, "until the end");
	http_client_resp_dispose(&resp);
	/* Interim answers are skipped; chunked with trailers. */
	assert_int_equal(canned_request(&resp,
	                                "HTTP/1.1 100 Continue\r\n\r\n"
	                                "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n"
	                                "X-A: b\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n"),
	                 0);
	assert_int_equal(resp.status, 201);
	assert_string_equal(resp.body.ptr, "abcde");
	assert_string_equal(http_client_header(&resp, "x-a"), "b");
	http_client_resp_dispose(&resp);
	/* Cut short, malformed, or no answer at all. */
	assert_int_equal(canned_request(&resp, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
	                 GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "closed the connection mid-answer"));
	http_client_resp_dispose(&resp);
	assert_int_equal(canned_request(&resp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	                                       "\r\nzz\r\n"),
	                 GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "malformed chunked body"));
	http_client_resp_dispose(&resp);
	assert_int_equal(canned_request(&resp, "HTTP/1.1 200 OK\nContent-Length: 0\n\n"),
	                 GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "sent a malformed answer"));
	http_client_resp_dispose(&resp);
	assert_int_equal(canned_request(&resp, ""), GF_EIO);
	assert_non_null(strstr(gf_err_msg(), "closed the connection without answering"));
	http_client_resp_dispose(&resp);
}

static void test_client_errors(void **state)
{
	char url[200];
	snprintf(url, sizeof(url), "unix:%s/nobody.sock", F.dir);
	http_client_req r = {.url = url,
	                     .path = "/v1/lbs",
	                     .peer_name = "the gitfleet daemon",
	                     .hint = "start it with: gitfleet daemon"};
	http_client_resp resp;
	assert_int_equal(http_client_request(&resp, &r), HTTP_EUNREACHABLE);
	char want[300];
	snprintf(want, sizeof(want),
	         "cannot reach the gitfleet daemon at %s: no such socket file (start it with: "
	         "gitfleet daemon)",
	         url);
	assert_string_equal(gf_err_msg(), want);
	http_client_resp_dispose(&resp);

	/* A stale socket file nobody answers on: connection refused. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stale.sock", F.dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	snprintf(url, sizeof(url), "unix:%s", sa.sun_path);
	assert_int_equal(http_client_request(&resp, &r), HTTP_EUNREACHABLE);
	assert_non_null(strstr(gf_err_msg(), ": connection refused (start it with"));
	http_client_resp_dispose(&resp);
	unlink(sa.sun_path);

	const char *bad[] = {"ftp://x",       "http://",        "http://:80",  "http://h:",
	                     "http://h:0",    "http://h:99999", "http://h:8x", "http://[::1",
	                     "http://[::1]x", "unix:",          NULL};
	for (const char **u = bad; *u; u++) {
		r.url = *u;
		assert_int_equal(http_client_request(&resp, &r), GF_EINVALID);
		http_client_resp_dispose(&resp);
	}

	/* No field injection through caller strings. */
	const char *evil[] = {"X-A: b\r\nX-Injected: 1", NULL};
	r = (http_client_req){.url = F.unix_url, .path = "/v1/items/a", .headers = evil};
	assert_int_equal(http_client_request(&resp, &r), GF_EINVALID);
	http_client_resp_dispose(&resp);
	r = (http_client_req){.url = F.unix_url, .path = "/v1/items/a b"};
	assert_int_equal(http_client_request(&resp, &r), GF_EINVALID);
	http_client_resp_dispose(&resp);

	/* A URL with a path prefix: the request path is appended. */
	char prefixed[100];
	snprintf(prefixed, sizeof(prefixed), "%s/v1", F.tcp_url);
	r = (http_client_req){.url = prefixed, .path = "/items/pre", .token = TOKEN};
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.ptr, "\"name\":\"pre\""));
	http_client_resp_dispose(&resp);
	snprintf(prefixed, sizeof(prefixed), "%s/v1/items/whole", F.tcp_url);
	r = (http_client_req){.url = prefixed, .token = TOKEN};
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_non_null(strstr(resp.body.ptr, "\"name\":\"whole\""));
	http_client_resp_dispose(&resp);

	/* Nothing listens on a port just freed: refused, on TCP too. */
	uv_loop_t loop;
	http_server *s;
	int port = 0;
	uv_loop_init(&loop);
	http_server_new(&s, &loop, NULL);
	assert_int_equal(http_server_listen_tcp(s, "127.0.0.1", 0, NULL, &port), 0);
	http_server_free(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	snprintf(prefixed, sizeof(prefixed), "http://127.0.0.1:%d", port);
	r = (http_client_req){.url = prefixed};
	assert_int_equal(http_client_request(&resp, &r), HTTP_EUNREACHABLE);
	assert_non_null(strstr(gf_err_msg(), "cannot reach the server at http://127.0.0.1:"));
	http_client_resp_dispose(&resp);
}

typedef struct {
	gf_buf text;
	int calls, stop_after;
} chunks_seen;

static int on_chunk(const char *data, size_t len, void *payload)
{
	chunks_seen *c = payload;
	gf_buf_put(&c->text, data, len);
	return ++c->calls == c->stop_after ? 1 : 0;
}

static void test_client_streams(void **state)
{
	/* Log following: the chunks reach the callback, not resp.body. */
	chunks_seen seen = {GF_BUF_INIT, 0, 0};
	http_client_req r = {.url = F.unix_url,
	                     .path = "/v1/log?lines=50",
	                     .on_data = on_chunk,
	                     .payload = &seen,
	                     .timeout = 10};
	http_client_resp resp;
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.body.len, 0);
	assert_false(resp.stopped);
	assert_true(gf_str_has_prefix(gf_buf_cstr(&seen.text), "line 1\nline 2\n"));
	assert_true(gf_str_has_suffix(seen.text.ptr, "line 49\nline 50\n"));
	http_client_resp_dispose(&resp);
	gf_buf_dispose(&seen.text);

	/* The callback may stop the read. */
	seen = (chunks_seen){GF_BUF_INIT, 0, 1};
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_true(resp.stopped);
	assert_int_equal(seen.calls, 1);
	http_client_resp_dispose(&resp);
	gf_buf_dispose(&seen.text);

	/* Error answers are collected even when streaming was asked. */
	seen = (chunks_seen){GF_BUF_INIT, 0, 0};
	r.path = "/v1/nothing";
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 404);
	assert_int_equal(seen.calls, 0);
	assert_non_null(strstr(resp.body.ptr, "not_found"));
	http_client_resp_dispose(&resp);

	/* Answers over the cap are refused. */
	r = (http_client_req){.url = F.unix_url, .path = "/v1/log?lines=50", .max_body = 100};
	assert_int_equal(http_client_request(&resp, &r), GF_ETOOBIG);
	http_client_resp_dispose(&resp);

	/* A 2xx that is not JSON, for the JSON helper. */
	json_t *out = NULL;
	int status = 0;
	r = (http_client_req){
	        .url = F.unix_url, .path = "/v1/builds/latest", .peer_name = "the gitfleet daemon"};
	assert_int_equal(http_client_json(&out, &status, &r, NULL), GF_EINVALID);
	assert_int_equal(status, 200);
	assert_null(out);
	assert_non_null(strstr(gf_err_msg(), "the gitfleet daemon at unix:"));
	assert_non_null(strstr(gf_err_msg(), "answered 200 with a body that is not JSON "
	                                     "(text/plain): latest"));
}

static void test_server_busy(void **state)
{
	/* Three connections held open fill the server (max_connections 3):
	 * a fourth is answered 503, and served again once one leaves. */
	int fds[3];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", F.unix_url + 5);
	for (int i = 0; i < 3; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	http_client_req r = {.url = F.unix_url, .path = "/v1/items/a", .timeout = 10};
	http_client_resp resp;
	assert_int_equal(http_client_request(&resp, &r), 0);
	assert_int_equal(resp.status, 503);
	assert_string_equal(http_client_header(&resp, "Retry-After"), "1");
	assert_non_null(strstr(resp.body.ptr, "\"code\":\"busy\""));
	http_client_resp_dispose(&resp);
	close(fds[0]);
	int status = 0;
	for (int i = 0; i < 500 && status != 200; i++) {
		usleep(10 * 1000);
		assert_int_equal(http_client_request(&resp, &r), 0);
		status = resp.status;
		http_client_resp_dispose(&resp);
	}
	assert_int_equal(status, 200);
	close(fds[1]);
	close(fds[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_client_framing),
	        cmocka_unit_test(test_client_streams),
	        cmocka_unit_test(test_client_errors),
	        cmocka_unit_test(test_server_busy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
