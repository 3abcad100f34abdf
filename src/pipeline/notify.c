/*
 * Notifications: when a project has a notify_url, every status change of
 * its builds (QUEUED, IN_PROGRESS, and the final one) is POSTed there as
 * JSON, signed like a GitHub webhook so receivers can reuse their check:
 *
 *   X-Gitfleet-Signature-256: sha256=<hex HMAC-SHA256 of the body, keyed
 *                             by the project's notify_secret>
 *   X-Gitfleet-Event: build
 *
 * The POST runs on the thread pool with a 5 s timeout; a failure is logged
 * and not retried (the build history is the record, not the receiver).
 * Two changes close together may arrive in either order: each carries its
 * time_ms.
 */
#include "pipeline/service_int.h"

#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uv_work_t work;
	char *url, *body, *signature;
	int rc, status;
	char err[300];
} notify_job;

static void notify_work(uv_work_t *w)
{
	notify_job *j = w->data;
	char sig[120];
	snprintf(sig, sizeof(sig), "X-Gitfleet-Signature-256: sha256=%s", j->signature);
	const char *headers[] = {sig, "X-Gitfleet-Event: build", NULL};
	http_client_req r = {
	        .method = "POST",
	        .url = j->url,
	        .headers = headers,
	        .content_type = "application/json",
	        .body = j->body,
	        .body_len = strlen(j->body),
	        .connect_timeout = 5,
	        .timeout = 5,
	        .max_body = 1 << 16,
	        .peer_name = "the notify_url",
	};
	http_client_resp resp;
	j->rc = http_client_request(&resp, &r);
	j->status = j->rc == 0 ? resp.status : 0;
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", gf_err_msg());
	http_client_resp_dispose(&resp);
}

static void notify_done(uv_work_t *w, int status)
{
	notify_job *j = w->data;
	(void)status;
	if (j->rc < 0 || j->status < 200 || j->status > 299) {
		char q[340];
		gf_log(GF_LOG_WARN, "notification failed", "url=%s status=%d error=%s", j->url,
		       j->status, gf_log_quote(q, sizeof(q), j->err));
	}
	free(j->url);
	free(j->body);
	free(j->signature);
	free(j);
}

void pl_notify(pipeline_service *ps, const json_t *project_spec, const char *id,
               const char *project, const char *status, const char *reason)
{
	const char *url = json_string_value(json_object_get(project_spec, "notify_url"));
	const char *secret = json_string_value(json_object_get(project_spec, "notify_secret"));
	if (!url || !*url || !secret || ps->closing)
		return;
	json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:I}", "build_id", id, "project", project,
	                        "status", status, "reason", reason ? reason : "", "time_ms",
	                        (json_int_t)gf_wall_ms());
	notify_job *j = gf_xcalloc(1, sizeof(*j));
	j->url = gf_xstrdup(url);
	j->body = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(msg);
	char hex[65];
	hooks_hmac_sha256_hex(hex, secret, j->body, strlen(j->body));
	j->signature = gf_xstrdup(hex);
	j->work.data = j;
	uv_queue_work(ps->loop, &j->work, notify_work, notify_done);
}
