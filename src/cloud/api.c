/* The daemon's HTTP routes (docs/api.md): thin glue from http/api.h
 * requests to the operations of resources.c, plus the asynchronous ones:
 * ?wait, the event stream and log following. */
#include "http/api.h"
#include "cloud/daemon_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RELEASE_MAX_BODY (256u << 20) /* an uploaded release archive */
#define JSON_MAX_BODY    (1u << 20)   /* a resource spec */
#define WAIT_MAX         600.0        /* s a ?wait may last */

typedef struct {
	cloud_daemon *d;
	cloud_kind kind;
} route_ctx;

static route_ctx routes[CLOUD_KIND_COUNT];

static void send_reply(http_req *req, cloud_reply *r)
{
	http_respond_json(req, r->status, r->body);
	r->body = NULL;
}

/* ---- ?wait ---------------------------------------------------------------------- */

typedef struct {
	http_req *req;
	cloud_daemon *d;
	cloud_kind kind;
	char name[64];
	int status; /* of the operation itself */
	cloud_waiter *w;
} wait_ctx;

static void on_wait_done(const char *outcome, const char *reason, void *payload)
{
	wait_ctx *c = payload;
	cloud_reply r = {0};
	cloud_get(c->d, &r, c->kind, c->name);
	json_t *body = r.status == 200 ? r.body : json_object();
	if (r.status != 200)
		json_decref(r.body);
	json_object_set_new(
	        body, "wait",
	        json_pack("{s:s, s:s}", "outcome", outcome, "reason", reason ? reason : ""));
	int status = c->status;
	if (strcmp(outcome, "failed") == 0) {
		json_t *err = json_pack("{s:s, s:s}", "code", "rollout_failed", "message", reason);
		json_object_set_new(body, "error", err);
		status = 422;
	} else if (strcmp(outcome, "timeout") == 0) {
		status = 202;
	}
	http_respond_json(c->req, status, body);
	free(c);
}

static void on_wait_closed(http_req *req, void *payload)
{
	wait_ctx *c = payload;
	cloud_wait_cancel(c->d, c->w);
	free(c);
}

/* Answers r now, or after the resource settled when ?wait=SECONDS. */
static void answer(http_req *req, cloud_daemon *d, cloud_kind k, const char *name, cloud_reply *r)
{
	const char *wait = http_req_query_param(req, "wait");
	double secs = 0;
	if (wait && (gf_str_to_seconds(&secs, wait) < 0 || secs < 0 || secs > WAIT_MAX)) {
		json_decref(r->body);
		http_respond_error(req, 400, "invalid_request", "wait",
		                   "wait=%s: give the seconds to wait, 0 to %g", wait, WAIT_MAX);
		return;
	}
	if (!wait || secs == 0 || r->status >= 300) {
		send_reply(req, r);
		return;
	}
	json_decref(r->body);
	wait_ctx *c = gf_xcalloc(1, sizeof(*c));
	c->req = req;
	c->d = d;
	c->kind = k;
	c->status = r->status;
	snprintf(c->name, sizeof(c->name), "%s", name);
	http_req_on_close(req, on_wait_closed, c);
	c->w = cloud_wait(d, k, name, secs, on_wait_done, c);
}

/* ---- resources -------------------------------------------------------------------- */

static void h_put(http_req *req, void *payload)
{
	route_ctx *rc = payload;
	json_t *body = NULL;
	if (http_req_json(&body, req) < 0)
		return;
	const char *name = http_req_param(req, "name");
	cloud_reply r = {0};
	cloud_put(rc->d, &r, rc->kind, name, body);
	json_decref(body);
	answer(req, rc->d, rc->kind, name, &r);
}

static void h_get(http_req *req, void *payload)
{
	route_ctx *rc = payload;
	cloud_reply r = {0};
	cloud_get(rc->d, &r, rc->kind, http_req_param(req, "name"));
	send_reply(req, &r);
}

static void h_list(http_req *req, void *payload)
{
	route_ctx *rc = payload;
	cloud_reply r = {0};
	cloud_list(rc->d, &r, rc->kind);
	send_reply(req, &r);
}

static void h_delete(http_req *req, void *payload)
{
	route_ctx *rc = payload;
	const char *name = http_req_param(req, "name");
	cloud_reply r = {0};
	cloud_delete(rc->d, &r, rc->kind, name);
	answer(req, rc->d, rc->kind, name, &r);
}

static void h_release_get(http_req *req, void *payload)
{
	cloud_reply r = {0};
	cloud_release_head(payload, &r, http_req_param(req, "sha256"));
	send_reply(req, &r);
}

static void h_release_put(http_req *req, void *payload)
{
	size_t len;
	const char *body = http_req_body(req, &len);
	cloud_reply r = {0};
	cloud_release_put(payload, &r, http_req_param(req, "sha256"), body, len);
	send_reply(req, &r);
}

static void h_instances(http_req *req, void *payload)
{
	cloud_reply r = {0};
	cloud_instances(payload, &r);
	send_reply(req, &r);
}

/* ---- events ------------------------------------------------------------------------- */

typedef struct {
	http_req *req;
	cloud_daemon *d;
	cloud_sub *sub;
} events_ctx;

static void on_event(int64_t id, const char *json, void *payload)
{
	events_ctx *c = payload;
	char ids[32];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	http_sse_send(c->req, ids, "event", json);
}

static void on_events_closed(http_req *req, void *payload)
{
	events_ctx *c = payload;
	cloud_unsubscribe(c->d, c->sub);
	free(c);
}

static void h_events(http_req *req, void *payload)
{
	cloud_daemon *d = payload;
	const char *last = http_req_last_event_id(req);
	if (!last)
		last = http_req_query_param(req, "after");
	int64_t after = 0;
	if (last && gf_str_to_i64(&after, last, 0, INT64_MAX) < 0) {
		http_respond_error(req, 400, "invalid_request", "Last-Event-ID",
		                   "Last-Event-ID %s is not an event id (a number)", last);
		return;
	}
	/* ?last=N without a position: only the N newest events, then live. */
	const char *lastn = http_req_query_param(req, "last");
	int64_t n = 0, newest = 0;
	if (lastn && gf_str_to_i64(&n, lastn, 0, INT64_MAX) < 0) {
		http_respond_error(req, 400, "invalid_request", "last",
		                   "last=%s: give how many of the newest events to replay", lastn);
		return;
	}
	if (lastn && !last && cloud_store_events_last(d->store, &newest) == 0)
		after = newest > n ? newest - n : 0;
	const char *f = http_req_query_param(req, "follow");
	bool follow = !f || strcmp(f, "0") != 0;
	events_ctx *c = gf_xcalloc(1, sizeof(*c));
	c->req = req;
	c->d = d;
	if (follow)
		http_req_on_close(req, on_events_closed, c);
	http_sse_begin(req, 15);
	c->sub = cloud_subscribe(d, after, on_event, c);
	if (!follow) {
		/* ?follow=0: the log so far, then the end of the stream. */
		cloud_unsubscribe(d, c->sub);
		free(c);
		http_stream_end(req);
	}
}

/* ---- instance logs --------------------------------------------------------------------- */

typedef struct {
	http_req *req;
	uv_timer_t timer;
	int fd;
	off_t off;
	char *path;
} follow_ctx;

static void follow_closed(uv_handle_t *h)
{
	follow_ctx *c = h->data;
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c);
}

static void on_follow_close(http_req *req, void *payload)
{
	follow_ctx *c = payload;
	uv_close((uv_handle_t *)&c->timer, follow_closed);
}

/* Sends what was appended since the last look; a rotation (the file got
 * shorter) starts again from its beginning. */
static void on_follow_tick(uv_timer_t *t)
{
	follow_ctx *c = t->data;
	struct stat st;
	if (fstat(c->fd, &st) == 0 && st.st_size < c->off)
		c->off = 0;
	char buf[16384];
	ssize_t n;
	while ((n = pread(c->fd, buf, sizeof(buf), c->off)) > 0) {
		if (http_stream_write(c->req, buf, (size_t)n) < 0)
			return; /* the close callback comes */
		c->off += n;
	}
}

static void h_logs(http_req *req, void *payload)
{
	cloud_daemon *d = payload;
	char *path = NULL;
	if (cloud_instance_log(d, &path, http_req_param(req, "id")) < 0) {
		http_respond_error(req, 404, "not_found", NULL, "%s", gf_err_msg());
		return;
	}
	const char *f = http_req_query_param(req, "follow");
	bool follow = f && (strcmp(f, "1") == 0 || strcmp(f, "true") == 0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!follow) {
		gf_buf b;
		gf_buf_init(&b, 64u << 20);
		int rc = fd < 0 ? 0 : gf_fs_read(&b, path);
		if (rc < 0 && rc != GF_ENOTFOUND)
			http_respond_error(req, 500, "internal", NULL, "%s", gf_err_msg());
		else
			http_respond(req, 200, "text/plain; charset=utf-8", b.ptr ? b.ptr : "",
			             b.len);
		gf_buf_dispose(&b);
		if (fd >= 0)
			close(fd);
		free(path);
		return;
	}
	if (fd < 0) {
		http_respond_error(req, 404, "not_found", NULL, "instance has no log yet");
		free(path);
		return;
	}
	follow_ctx *c = gf_xcalloc(1, sizeof(*c));
	c->req = req;
	c->fd = fd;
	c->path = path;
	uv_timer_init(d->loop, &c->timer);
	c->timer.data = c;
	http_req_on_close(req, on_follow_close, c);
	http_stream_begin(req, 200, "text/plain; charset=utf-8");
	uv_timer_start(&c->timer, on_follow_tick, 0, 200);
}

/* ---- registration ------------------------------------------------------------------------ */

int cloud_api_register(http_server *s, cloud_daemon *d)
{
	http_route_opts json_opts = {.max_body = JSON_MAX_BODY};
	http_route_opts tar_opts = {.max_body = RELEASE_MAX_BODY};
	int rc = 0;
	for (int k = 0; k < CLOUD_KIND_COUNT && rc == 0; k++) {
		routes[k].d = d;
		routes[k].kind = (cloud_kind)k;
		char one[96], list[96];
		snprintf(list, sizeof(list), "/v1/%s", cloud_kind_path((cloud_kind)k));
		snprintf(one, sizeof(one), "/v1/%s/{name}", cloud_kind_path((cloud_kind)k));
		if ((rc = http_server_route(s, "GET", list, h_list, &routes[k], NULL)) < 0 ||
		    (rc = http_server_route(s, "GET", one, h_get, &routes[k], NULL)) < 0 ||
		    (rc = http_server_route(s, "PUT", one, h_put, &routes[k], &json_opts)) < 0 ||
		    (rc = http_server_route(s, "DELETE", one, h_delete, &routes[k], NULL)) < 0)
			break;
	}
	if (rc == 0)
		rc = http_server_route(s, "GET", "/v1/releases/{sha256}", h_release_get, d, NULL);
	if (rc == 0)
		rc = http_server_route(s, "PUT", "/v1/releases/{sha256}", h_release_put, d,
		                       &tar_opts);
	if (rc == 0)
		rc = http_server_route(s, "GET", "/v1/instances", h_instances, d, NULL);
	if (rc == 0)
		rc = http_server_route(s, "GET", "/v1/instances/{id}/log", h_logs, d, NULL);
	if (rc == 0)
		rc = http_server_route(s, "GET", "/v1/events", h_events, d, NULL);
	return rc;
}
