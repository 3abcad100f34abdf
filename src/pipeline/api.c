/*
 * The pipeline's HTTP routes (docs/pipeline.md): projects, webhooks,
 * builds and their logs, pushes from hosted repositories, and the public
 * webhook routes /hooks/{github,gitea,gitlab}/{project}.
 *
 * A webhook delivery is answered at once: its signature is checked over
 * the raw body before anything else (401 and nothing more when wrong), a
 * delivery id seen before is answered 200 "duplicate", and a matching
 * event only queues a build (202); the checkout happens later.
 */
#include "http/api.h"
#include "pipeline/service_int.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_MAX_BODY (1u << 20)

static void reply(http_req *req, int status, json_t *body)
{
	http_respond_json(req, status, body);
}

/* ---- projects and webhooks ---------------------------------------------------------- */

static void h_project_put(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	json_t *body = NULL, *spec = NULL;
	if (http_req_json(&body, req) < 0)
		return;
	const char *name = http_req_param(req, "name");
	char err[512];
	int rc = pl_project_put(ps, &spec, err, sizeof(err), name, body);
	json_decref(body);
	if (rc < 0) {
		http_respond_error(req, rc == GF_EINVALID ? 422 : 500,
		                   rc == GF_EINVALID ? "invalid_spec" : "internal", NULL, "%s",
		                   err);
		return;
	}
	reply(req, 200, pl_project_public(ps, name, spec));
	json_decref(spec);
}

static void h_project_get(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *name = http_req_param(req, "name");
	json_t *spec = pl_project_get(ps, name);
	if (!spec) {
		http_respond_error(req, 404, "not_found", NULL, "project \"%s\" not found", name);
		return;
	}
	reply(req, 200, pl_project_public(ps, name, spec));
	json_decref(spec);
}

static void h_projects(http_req *req, void *payload)
{
	reply(req, 200, json_pack("{s:o}", "items", pl_projects_list(payload)));
}

static void h_project_delete(http_req *req, void *payload)
{
	const char *name = http_req_param(req, "name");
	int rc = pl_project_delete(payload, name);
	if (rc == GF_ENOTFOUND)
		http_respond_error(req, 404, "not_found", NULL, "%s", gf_err_msg());
	else if (rc < 0)
		http_respond_error(req, 500, "internal", NULL, "%s", gf_err_msg());
	else
		http_respond(req, 204, NULL, NULL, 0);
}

static void h_webhook_put(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	json_t *body = NULL, *spec = NULL;
	if (http_req_json(&body, req) < 0)
		return;
	const char *project = http_req_param(req, "project");
	char err[512];
	int rc = pl_webhook_put(ps, &spec, err, sizeof(err), project, body);
	json_decref(body);
	if (rc < 0) {
		http_respond_error(req, 422, "invalid_spec", NULL, "%s", err);
		return;
	}
	reply(req, 200, pl_webhook_public(ps, project, spec));
	json_decref(spec);
}

static void h_webhook_get(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *project = http_req_param(req, "project");
	json_t *spec = pl_webhook_get(ps, project);
	if (!spec) {
		http_respond_error(req, 404, "not_found", NULL, "no webhook on project \"%s\"",
		                   project);
		return;
	}
	reply(req, 200, pl_webhook_public(ps, project, spec));
	json_decref(spec);
}

static void h_webhook_delete(http_req *req, void *payload)
{
	int rc = pl_webhook_delete(payload, http_req_param(req, "project"));
	if (rc < 0)
		http_respond_error(req, rc == GF_ENOTFOUND ? 404 : 500,
		                   rc == GF_ENOTFOUND ? "not_found" : "internal", NULL, "%s",
		                   gf_err_msg());
	else
		http_respond(req, 204, NULL, NULL, 0);
}

/* ---- builds ------------------------------------------------------------------------- */

static void h_build_start(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *project = http_req_param(req, "name");
	json_t *body = NULL;
	size_t len;
	http_req_body(req, &len);
	if (len && http_req_json(&body, req) < 0)
		return;
	const char *ref = json_string_value(json_object_get(body, "ref"));
	const char *commit = json_string_value(json_object_get(body, "commit"));
	if (ref && commit) {
		json_decref(body);
		http_respond_error(req, 422, "invalid_request", "ref",
		                   "give ref or commit, not both");
		return;
	}
	json_t *info = json_pack("{s:s, s:s, s:s, s:b}", "initiator", "manual", "source_version",
	                         commit ? commit
	                         : ref  ? ref
	                                : "",
	                         "commit", commit ? commit : "", "read_only", 0);
	json_decref(body);
	char id[128];
	int rc = pl_build_enqueue(ps, id, project, info);
	if (rc < 0) {
		http_respond_error(req, rc == GF_ENOTFOUND ? 404 : 500,
		                   rc == GF_ENOTFOUND ? "not_found" : "internal", NULL, "%s",
		                   gf_err_msg());
		return;
	}
	reply(req, 202, pl_build_json(ps, id));
}

static void h_builds(http_req *req, void *payload)
{
	reply(req, 200,
	      json_pack("{s:o}", "builds",
	                pl_builds_list(payload, http_req_query_param(req, "project"))));
}

static void h_build_get(http_req *req, void *payload)
{
	const char *id = http_req_param(req, "id");
	json_t *b = pl_build_json(payload, id);
	if (!b) {
		http_respond_error(req, 404, "not_found", NULL, "build %s not found", id);
		return;
	}
	reply(req, 200, b);
}

static void h_build_stop(http_req *req, void *payload)
{
	const char *id = http_req_param(req, "id");
	int rc = pl_build_stop(payload, id);
	if (rc == GF_ENOTFOUND) {
		http_respond_error(req, 404, "not_found", NULL, "%s", gf_err_msg());
		return;
	}
	if (rc == GF_EEXISTS) {
		http_respond_error(req, 409, "conflict", NULL, "%s", gf_err_msg());
		return;
	}
	reply(req, 202, pl_build_json(payload, id));
}

/* nftw has no payload argument; the loop thread is the only caller. */
static struct {
	const char *root;
	json_t *files;
} listing;

static int list_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F)
		json_array_append_new(listing.files, json_pack("{s:s, s:I}", "path",
		                                               path + strlen(listing.root) + 1,
		                                               "size", (json_int_t)st->st_size));
	return 0;
}

static void h_artifacts(http_req *req, void *payload)
{
	const char *id = http_req_param(req, "id");
	char *dir = pl_build_dir(payload, id);
	if (!dir) {
		http_respond_error(req, 404, "not_found", NULL, "build %s not found", id);
		return;
	}
	const char *file = http_req_query_param(req, "file");
	if (file) {
		if (file[0] == '/' || strstr(file, "..")) {
			http_respond_error(req, 400, "invalid_request", "file",
			                   "file: a path inside the build's artifacts");
		} else {
			char *path = gf_xasprintf("%s/artifacts/%s", dir, file);
			gf_buf b;
			gf_buf_init(&b, (size_t)256 << 20);
			if (gf_fs_read(&b, path) < 0)
				http_respond_error(req, 404, "not_found", "file",
				                   "build %s has no artifact %s", id, file);
			else
				http_respond(req, 200, "application/octet-stream", b.ptr, b.len);
			gf_buf_dispose(&b);
			free(path);
		}
		free(dir);
		return;
	}
	char *art = gf_xasprintf("%s/artifacts", dir);
	json_t *files = json_array();
	listing.root = art;
	listing.files = files;
	nftw(art, list_visit, 16, FTW_PHYS);
	free(art);
	free(dir);
	reply(req, 200, json_pack("{s:s, s:o}", "build", id, "files", files));
}

/* ---- logs ---------------------------------------------------------------------------- */

typedef struct {
	http_req *req;
	pipeline_service *ps;
	uv_timer_t timer;
	char *path;
	char id[128];
	off_t off;
	gf_buf partial;
	bool sse;
} log_follow;

static void follow_closed(uv_handle_t *h)
{
	log_follow *f = h->data;
	free(f->path);
	gf_buf_dispose(&f->partial);
	free(f);
}

static void on_follow_close(http_req *req, void *payload)
{
	log_follow *f = payload;
	(void)req;
	uv_timer_stop(&f->timer);
	uv_close((uv_handle_t *)&f->timer, follow_closed);
}

static void follow_tick(uv_timer_t *t)
{
	log_follow *f = t->data;
	/* Is the build over? Then read what is left and end the stream. */
	bool over = !pl_build_live(f->ps, f->id);
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[16384];
		ssize_t n;
		while ((n = pread(fd, buf, sizeof(buf), f->off)) > 0) {
			f->off += n;
			if (!f->sse) {
				if (http_stream_write(f->req, buf, (size_t)n) < 0) {
					close(fd);
					return;
				}
				continue;
			}
			gf_buf_put(&f->partial, buf, (size_t)n);
			char *nl;
			while (f->partial.len &&
			       (nl = memchr(f->partial.ptr, '\n', f->partial.len))) {
				*nl = '\0';
				if (http_sse_send(f->req, NULL, "line", f->partial.ptr) < 0) {
					close(fd);
					return;
				}
				gf_buf_consume(&f->partial, (size_t)(nl - f->partial.ptr) + 1);
			}
		}
		close(fd);
	}
	if (!over)
		return;
	if (f->sse) {
		json_t *b = pl_build_json(f->ps, f->id);
		const char *st = json_string_value(json_object_get(b, "status"));
		http_sse_send(f->req, NULL, "end", st ? st : "");
		json_decref(b);
	}
	uv_timer_stop(&f->timer);
	http_req_on_close(f->req, NULL, NULL);
	http_stream_end(f->req);
	uv_close((uv_handle_t *)&f->timer, follow_closed);
}

static void h_build_log(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *id = http_req_param(req, "id");
	char *dir = pl_build_dir(ps, id);
	if (!dir) {
		http_respond_error(req, 404, "not_found", NULL, "build %s not found", id);
		return;
	}
	char *path = gf_path_join(dir, "build.log");
	free(dir);
	const char *accept = http_req_header(req, "Accept");
	const char *fq = http_req_query_param(req, "follow");
	bool sse = accept && strstr(accept, "text/event-stream");
	bool follow = sse || (fq && (!strcmp(fq, "1") || !strcmp(fq, "true")));
	if (!follow) {
		gf_buf b;
		gf_buf_init(&b, (size_t)64 << 20);
		int rc = gf_fs_read(&b, path);
		if (rc < 0 && rc != GF_ENOTFOUND)
			http_respond_error(req, 500, "internal", NULL, "%s", gf_err_msg());
		else
			http_respond(req, 200, "text/plain; charset=utf-8", b.ptr ? b.ptr : "",
			             b.len);
		gf_buf_dispose(&b);
		free(path);
		return;
	}
	log_follow *f = gf_xcalloc(1, sizeof(*f));
	f->req = req;
	f->ps = ps;
	f->path = path;
	f->sse = sse;
	snprintf(f->id, sizeof(f->id), "%s", id);
	uv_timer_init(ps->loop, &f->timer);
	f->timer.data = f;
	http_req_on_close(req, on_follow_close, f);
	if (sse)
		http_sse_begin(req, 15);
	else
		http_stream_begin(req, 200, "text/plain; charset=utf-8");
	uv_timer_start(&f->timer, follow_tick, 0, 200);
}

/* ---- pushes to hosted repositories -------------------------------------------------------- */

static void h_pushes(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *project = http_req_param(req, "name");
	json_t *body = NULL;
	if (http_req_json(&body, req) < 0)
		return;
	json_t *spec = pl_project_get(ps, project);
	if (!spec) {
		json_decref(body);
		http_respond_error(req, 404, "not_found", NULL, "project \"%s\" not found",
		                   project);
		return;
	}
	json_decref(spec);
	const json_t *updates = json_object_get(body, "updates");
	json_t *results = json_array();
	size_t i;
	const json_t *u;
	json_array_foreach(updates, i, u)
	{
		const char *ref = json_string_value(json_object_get(u, "ref"));
		const char *before = json_string_value(json_object_get(u, "before"));
		const char *after = json_string_value(json_object_get(u, "after"));
		if (!ref || !before || !after) {
			json_decref(results);
			json_decref(body);
			http_respond_error(req, 400, "invalid_request", "updates",
			                   "updates[%zu]: ref, before and after are required", i);
			return;
		}
		json_t *r = NULL;
		if (pl_hosted_push(ps, &r, project, ref, before, after) < 0)
			r = json_pack("{s:s, s:b, s:s}", "ref", ref, "build", 0, "error",
			              gf_err_msg());
		json_array_append_new(results, r);
	}
	json_decref(body);
	reply(req, 200, json_pack("{s:o}", "results", results));
}

/* ---- webhooks from forges ------------------------------------------------------------------- */

static void h_hook(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	const char *project = http_req_param(req, "project");
	hooks_forge forge;
	if (hooks_forge_parse(&forge, http_req_param(req, "forge")) < 0) {
		http_respond_error(req, 404, "not_found", NULL, "%s", gf_err_msg());
		return;
	}
	json_t *hook = pl_webhook_get(ps, project);
	size_t len;
	const char *body = http_req_body(req, &len);
	const char *sig = http_req_header(req, hooks_signature_header(forge));
	if (!hook || !hooks_verify(forge, json_string_value(json_object_get(hook, "secret")), sig,
	                           body, len)) {
		/* The same answer for "no such webhook": nothing to learn by probing. */
		json_decref(hook);
		http_respond_error(req, 401, "unauthorized", NULL,
		                   "the %s signature does not match this webhook's secret",
		                   hooks_signature_header(forge));
		return;
	}
	const char *delivery = http_req_header(req, hooks_delivery_header(forge));
	if (delivery && *delivery && pl_delivery_seen(ps, hooks_forge_name(forge), delivery)) {
		json_decref(hook);
		reply(req, 200,
		      json_pack("{s:s, s:s}", "status", "duplicate", "delivery", delivery));
		return;
	}
	hooks_event ev;
	hooks_event_init(&ev);
	if (hooks_decode(&ev, forge, http_req_header(req, hooks_event_header(forge)), body, len) <
	    0) {
		hooks_event_dispose(&ev);
		json_decref(hook);
		http_respond_error(req, 400, "invalid_payload", NULL, "%s", gf_err_msg());
		return;
	}
	if (ev.type == HOOKS_EVENT_PING) {
		hooks_event_dispose(&ev);
		json_decref(hook);
		reply(req, 200, json_pack("{s:s}", "status", "pong"));
		return;
	}
	pipeline_filters *f = NULL;
	bool build = pipeline_filters_compile(&f, json_object_get(hook, "filter_groups")) == 0 &&
	             pipeline_filters_match(f, &ev);
	pipeline_filters_free(f);
	json_decref(hook);
	if (!build) {
		json_t *r = json_pack("{s:s, s:s}", "status", "ignored", "event",
		                      hooks_event_type_name(ev.type));
		hooks_event_dispose(&ev);
		reply(req, 200, r);
		return;
	}
	char initiator[64], id[128];
	snprintf(initiator, sizeof(initiator), "webhook/%s", hooks_forge_name(forge));
	int rc = pl_build_enqueue(ps, id, project, pl_event_info(&ev, initiator));
	json_t *r = json_pack("{s:s, s:s}", "status", "queued", "event",
	                      hooks_event_type_name(ev.type));
	hooks_event_dispose(&ev);
	if (rc < 0) {
		json_decref(r);
		http_respond_error(req, 500, "internal", NULL, "%s", gf_err_msg());
		return;
	}
	json_object_set_new(r, "build_id", json_string(id));
	reply(req, 202, r);
}

int pipeline_api_register(http_server *s, pipeline_service *ps)
{
	http_route_opts json_opts = {.max_body = JSON_MAX_BODY};
	http_route_opts hook_opts = {.max_body = HOOKS_BODY_MAX, .public = true};
	struct {
		const char *method, *pattern;
		http_handler_fn fn;
		const http_route_opts *opts;
	} routes[] = {
	        {"PUT", "/v1/projects/{name}", h_project_put, &json_opts},
	        {"GET", "/v1/projects", h_projects, NULL},
	        {"GET", "/v1/projects/{name}", h_project_get, NULL},
	        {"DELETE", "/v1/projects/{name}", h_project_delete, NULL},
	        {"POST", "/v1/projects/{name}/builds", h_build_start, &json_opts},
	        {"POST", "/v1/projects/{name}/pushes", h_pushes, &json_opts},
	        {"PUT", "/v1/webhooks/{project}", h_webhook_put, &json_opts},
	        {"GET", "/v1/webhooks/{project}", h_webhook_get, NULL},
	        {"DELETE", "/v1/webhooks/{project}", h_webhook_delete, NULL},
	        {"GET", "/v1/builds", h_builds, NULL},
	        {"GET", "/v1/builds/{id}", h_build_get, NULL},
	        {"POST", "/v1/builds/{id}/stop", h_build_stop, NULL},
	        {"GET", "/v1/builds/{id}/log", h_build_log, NULL},
	        {"GET", "/v1/builds/{id}/artifacts", h_artifacts, NULL},
	        {"POST", "/hooks/{forge}/{project}", h_hook, &hook_opts},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(routes); i++) {
		int rc = http_server_route(s, routes[i].method, routes[i].pattern, routes[i].fn, ps,
		                           routes[i].opts);
		if (rc < 0)
			return rc;
	}
	int rc = pl_githttp_register(s, ps);
	if (rc < 0)
		return rc;
	return http_server_add_auth(s, pl_token_check, ps);
}
