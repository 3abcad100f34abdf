/*
 * Polling of GIT projects with source.poll_interval: their location is
 * fetched into the mirror on the thread pool; the first fetch only learns
 * where the refs are, later ones turn every branch or tag that moved (or
 * appeared) into a PUSH event (pl_push_event), initiator "poll".
 */
#include "pipeline/service_int.h"

#include "git/git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uv_work_t work;
	pipeline_service *ps;
	char project[64];
	char *url, *mirror;
	json_t *refs; /* ref → commit after the fetch */
	int rc;
	char err[400];
} poll_job;

static void collect_ref(const char *ref, const char *oid, void *payload)
{
	if (gf_str_has_prefix(ref, "refs/heads/") || gf_str_has_prefix(ref, "refs/tags/"))
		json_object_set_new(payload, ref, json_string(oid));
}

static void poll_work(uv_work_t *w)
{
	poll_job *j = w->data;
	j->refs = json_object();
	if ((j->rc = gf_git_fetch_mirror(j->mirror, j->url)) == 0)
		j->rc = gf_git_list_refs(j->mirror, collect_ref, j->refs);
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", gf_err_msg());
}

static void poll_done(uv_work_t *w, int status)
{
	poll_job *j = w->data;
	pipeline_service *ps = j->ps;
	(void)status;
	ps->polling--;
	json_t *st = json_object_get(ps->polls, j->project);
	json_object_set_new(st, "busy", json_false());
	if (j->rc < 0) {
		char q[420];
		gf_log(GF_LOG_WARN, "poll failed", "project=%s error=%s", j->project,
		       gf_log_quote(q, sizeof(q), j->err));
	} else if (!ps->closing) {
		/* The first poll only learns where the refs are. */
		json_t *old = json_object_get(st, "refs");
		const char *ref;
		json_t *oid;
		json_object_foreach(old ? j->refs : NULL, ref, oid)
		{
			const char *was = json_string_value(json_object_get(old, ref));
			if (was && !strcmp(was, json_string_value(oid)))
				continue;
			json_t *res = NULL;
			if (pl_push_event(ps, &res, j->project, j->mirror, ref,
			                  was ? was : "0000000000000000000000000000000000000000",
			                  json_string_value(oid), "poll") < 0)
				gf_log(GF_LOG_WARN, "poll event failed", "project=%s ref=%s",
				       j->project, ref);
			json_decref(res);
		}
		json_object_set(st, "refs", j->refs);
	}
	json_decref(j->refs);
	free(j->url);
	free(j->mirror);
	free(j);
}

void pl_poll_projects(pipeline_service *ps)
{
	sqlite3_stmt *q = NULL;
	if (ps->closing || sqlite3_prepare_v2(ps->db, "SELECT name, spec FROM pl_projects", -1, &q,
	                                      NULL) != SQLITE_OK)
		return;
	int64_t now = gf_wall_ms();
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		json_t *spec = json_loads((const char *)sqlite3_column_text(q, 1), 0, NULL);
		const json_t *src = json_object_get(spec, "source");
		json_int_t every = json_integer_value(json_object_get(src, "poll_interval"));
		json_t *st = json_object_get(ps->polls, name);
		if (!st) {
			st = json_object();
			json_object_set_new(ps->polls, name, st);
		}
		if (strcmp(pl_jstr(src, "type"), "GIT") || every <= 0 ||
		    json_is_true(json_object_get(st, "busy")) ||
		    json_integer_value(json_object_get(st, "due")) > now) {
			json_decref(spec);
			continue;
		}
		json_object_set_new(st, "busy", json_true());
		json_object_set_new(st, "due", json_integer(now + every * 1000));
		poll_job *j = gf_xcalloc(1, sizeof(*j));
		j->ps = ps;
		snprintf(j->project, sizeof(j->project), "%s", name);
		j->url = gf_xstrdup(pl_jstr(src, "location"));
		j->mirror = gf_xasprintf("%s/%s.git", ps->mirrors, name);
		j->work.data = j;
		ps->polling++;
		uv_queue_work(ps->loop, &j->work, poll_work, poll_done);
		json_decref(spec);
	}
	sqlite3_finalize(q);
}
