/*
 * The pipeline in the daemon: projects and webhooks (stored in the
 * inventory's pl_* tables, created by the cloud store's migration 2), the
 * build queue, and each build's life (pipeline.h draws it):
 *
 *   pl_build_enqueue   a row QUEUED, the build kept in `live`
 *   schedule           per project, when none runs: the oldest QUEUED
 *                      build → IN_PROGRESS, prepared on a worker thread
 *   prepare (thread)   fetch (GIT), resolve, checkout, read the buildspec
 *   after_prepare      parse, environment, pipeline_run_start
 *   on_run_done        phases, artifacts and the final status stored;
 *                      the build leaves `live`; schedule again
 *
 * One thread: everything but `prepare` runs on the daemon's loop; prepare
 * touches only its own build's fields and files.
 */
#include "pipeline/service_int.h"

#include "git/git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------- */

int pl_db_exec(pipeline_service *ps, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK)
		return gf_err_set(GF_EIO, "pipeline store: %s", sqlite3_errmsg(ps->db));
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 't')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
			                  SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		gf_log(GF_LOG_ERROR, "pipeline store write failed", "error=%s",
		       GF_LOG_QUOTED(sqlite3_errmsg(ps->db)));
		return gf_err_set(GF_EIO, "pipeline store: %s", sqlite3_errmsg(ps->db));
	}
	return 0;
}

/* A JSON column of one row, or NULL. */
static json_t *db_json(pipeline_service *ps, const char *sql, const char *key)
{
	sqlite3_stmt *st = NULL;
	json_t *j = NULL;
	if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		j = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	return j;
}

json_t *pl_project_get(pipeline_service *ps, const char *name)
{
	return db_json(ps, "SELECT spec FROM pl_projects WHERE name=?", name);
}

json_t *pl_projects_list(pipeline_service *ps)
{
	json_t *items = json_array();
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ps->db, "SELECT name, spec FROM pl_projects ORDER BY name", -1, &st,
	                       NULL) != SQLITE_OK)
		return items;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *spec = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		if (spec)
			json_array_append_new(
			        items, pl_project_public(
			                       ps, (const char *)sqlite3_column_text(st, 0), spec));
		json_decref(spec);
	}
	sqlite3_finalize(st);
	return items;
}

json_t *pl_webhook_get(pipeline_service *ps, const char *project)
{
	return db_json(ps, "SELECT spec FROM pl_webhooks WHERE project=?", project);
}

/* ---- projects ------------------------------------------------------------------ */

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), GF_EINVALID)

static int check_string_map(const json_t *m, const char *what, char *err, size_t errlen)
{
	if (!m)
		return 0;
	if (!json_is_object(m))
		return BAD("%s: must be an object of NAME: \"value\"", what);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)m, k, v) if (!json_is_string(v)) return BAD(
	        "%s.%s: must be a string", what, k);
	return 0;
}

int pipeline_project_decode(json_t **out, char *err, size_t errlen, const char *name,
                            const json_t *body)
{
	*out = NULL;
	if (!name_ok(name))
		return BAD("name: \"%s\" is not a project name (a-z, 0-9, '-', '_', '.', at most "
		           "63)",
		           name);
	if (!json_is_object(body))
		return BAD("the body must be a JSON object with source");
	static const char *const top[] = {"name",          "source",     "environment",
	                                  "build_timeout", "notify_url", "repo_url",
	                                  "notify_secret", "http_url"};
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v)
	{
		size_t i = 0;
		while (i < GF_ARRAY_LEN(top) && strcmp(k, top[i]))
			i++;
		if (i == GF_ARRAY_LEN(top))
			return BAD("%s: unknown field (source, environment, build_timeout, "
			           "notify_url)",
			           k);
	}
	const json_t *src = json_object_get(body, "source");
	if (!json_is_object(src))
		return BAD("source: required, an object with type GITFLEET or GIT");
	const char *type = json_string_value(json_object_get(src, "type"));
	if (!type || (strcmp(type, "GITFLEET") && strcmp(type, "GIT")))
		return BAD("source.type: must be \"GITFLEET\" (a repository hosted by the daemon) "
		           "or \"GIT\" (with a location)");
	const char *loc = json_string_value(json_object_get(src, "location"));
	if (!strcmp(type, "GIT") && (!loc || !*loc))
		return BAD("source.location: required for type GIT (the URL to fetch)");
	const char *bs = json_string_value(json_object_get(src, "buildspec"));
	if (json_object_get(src, "buildspec") && (!bs || !*bs || bs[0] == '/' || strstr(bs, "..")))
		return BAD("source.buildspec: a path inside the repository, like buildspec.yaml");
	const json_t *poll = json_object_get(src, "poll_interval");
	if (poll && (!json_is_integer(poll) || json_integer_value(poll) < 0 ||
	             (json_integer_value(poll) > 0 && json_integer_value(poll) < 10)))
		return BAD("source.poll_interval: seconds, 0 (off) or at least 10");
	const json_t *depth = json_object_get(src, "git_clone_depth");
	if (depth && (!json_is_integer(depth) || json_integer_value(depth) < 0))
		return BAD("source.git_clone_depth: a number of commits, 0 for all");
	const json_t *env = json_object_get(body, "environment");
	if (env && !json_is_object(env))
		return BAD("environment: an object with variables and secrets");
	int rc;
	if ((rc = check_string_map(json_object_get(env, "variables"), "environment.variables", err,
	                           errlen)) ||
	    (rc = check_string_map(json_object_get(env, "secrets"), "environment.secrets", err,
	                           errlen)))
		return rc;
	static const char *const limits[] = {"memory_limit_mib", "file_size_limit_mib",
	                                     "process_limit"};
	for (size_t i = 0; i < GF_ARRAY_LEN(limits); i++) {
		const json_t *l = json_object_get(env, limits[i]);
		if (l && (!json_is_integer(l) || json_integer_value(l) < 0 ||
		          json_integer_value(l) > ((json_int_t)1 << 40)))
			return BAD("environment.%s: a whole number, 0 for unlimited", limits[i]);
	}
	const json_t *to = json_object_get(body, "build_timeout");
	if (to &&
	    (!json_is_integer(to) || json_integer_value(to) < 1 || json_integer_value(to) > 2160))
		return BAD("build_timeout: minutes, 1 to 2160");
	const char *notify = json_string_value(json_object_get(body, "notify_url"));
	if (json_object_get(body, "notify_url") &&
	    (!notify || (*notify && !gf_str_has_prefix(notify, "http://"))))
		return BAD("notify_url: an http:// URL, or \"\"");

	json_t *s = json_pack(
	        "{s:s, s:{s:s, s:s, s:s, s:I, s:I}, s:{s:O, s:O}, s:I, s:s}", "name", name,
	        "source", "type", type, "location", loc ? loc : "", "buildspec",
	        bs ? bs : "buildspec.yaml", "poll_interval",
	        poll ? json_integer_value(poll) : (json_int_t)0, "git_clone_depth",
	        depth ? json_integer_value(depth) : (json_int_t)1, "environment", "variables",
	        json_object_get(env, "variables") ? json_object_get(env, "variables")
	                                          : json_object(),
	        "secrets",
	        json_object_get(env, "secrets") ? json_object_get(env, "secrets") : json_object(),
	        "build_timeout", to ? json_integer_value(to) : (json_int_t)60, "notify_url",
	        notify ? notify : "");
	/* json_pack's "O" took a reference of fresh objects too: drop ours. */
	if (!json_object_get(env, "variables"))
		json_decref(json_object_get(json_object_get(s, "environment"), "variables"));
	if (!json_object_get(env, "secrets"))
		json_decref(json_object_get(json_object_get(s, "environment"), "secrets"));
	for (size_t i = 0; i < GF_ARRAY_LEN(limits); i++)
		if (json_object_get(env, limits[i]))
			json_object_set(json_object_get(s, "environment"), limits[i],
			                json_object_get(env, limits[i]));
	*out = s;
	return 0;
}

static char *repo_path(pipeline_service *ps, const char *project, bool hosted)
{
	return gf_xasprintf("%s/%s.git", hosted ? ps->repos : ps->mirrors, project);
}

static char *shell_quote(const char *s)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_putc(&b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			gf_buf_puts(&b, "'\\''");
		else
			gf_buf_putc(&b, *s);
	gf_buf_putc(&b, '\'');
	return gf_buf_detach(&b);
}

int pl_project_put(pipeline_service *ps, json_t **out, char *err, size_t errlen, const char *name,
                   const json_t *body)
{
	json_t *spec = NULL;
	int rc = pipeline_project_decode(&spec, err, errlen, name, body);
	if (rc)
		return rc;
	const char *type =
	        json_string_value(json_object_get(json_object_get(spec, "source"), "type"));
	if (!strcmp(type, "GITFLEET")) {
		char *path = repo_path(ps, name, true);
		char *q_exe = shell_quote(ps->exe), *q_addr = NULL, *q_name = shell_quote(name);
		char *addr = gf_xasprintf("unix:%s", ps->sock);
		q_addr = shell_quote(addr);
		char *cmd = gf_xasprintf("env GITFLEET_ADDR=%s %s hook post-receive %s", q_addr,
		                         q_exe, q_name);
		rc = gf_git_hosted_init(path, cmd);
		free(cmd);
		free(addr);
		free(q_addr);
		free(q_exe);
		free(q_name);
		free(path);
		if (rc) {
			snprintf(err, errlen, "cannot create the hosted repository: %s",
			         gf_err_msg());
			json_decref(spec);
			return GF_EIO;
		}
	}
	/* The key of notification signatures: kept across updates. */
	json_t *old = pl_project_get(ps, name);
	const char *ns = json_string_value(json_object_get(old, "notify_secret"));
	char fresh[65];
	if (!ns) {
		pl_random_hex(fresh, 32);
		ns = fresh;
	}
	json_object_set_new(spec, "notify_secret", json_string(ns));
	json_decref(old);
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	rc = pl_db_exec(ps,
	                "INSERT INTO pl_projects(name, spec, updated_ms) VALUES(?,?,?) "
	                "ON CONFLICT(name) DO UPDATE SET spec=excluded.spec, "
	                "updated_ms=excluded.updated_ms",
	                "tti", name, text, gf_wall_ms());
	free(text);
	if (rc) {
		snprintf(err, errlen, "%s", gf_err_msg());
		json_decref(spec);
		return rc;
	}
	*out = spec;
	return 0;
}

int pl_project_delete(pipeline_service *ps, const char *name)
{
	json_t *p = pl_project_get(ps, name);
	if (!p)
		return gf_err_set(GF_ENOTFOUND, "project \"%s\" not found", name);
	json_decref(p);
	for (size_t i = 0; i < ps->live.len; i++)
		if (!strcmp(ps->live.items[i]->project, name))
			pl_build_stop(ps, ps->live.items[i]->id);
	pl_db_exec(ps, "DELETE FROM pl_webhooks WHERE project=?", "t", name);
	/* The hosted repository and the history stay: deleting a project must
	 * not lose commits; docs/pipeline.md says how to remove them. */
	return pl_db_exec(ps, "DELETE FROM pl_projects WHERE name=?", "t", name);
}

json_t *pl_project_public(pipeline_service *ps, const char *name, const json_t *spec)
{
	json_t *out = json_deep_copy(spec);
	json_t *secrets = json_object_get(json_object_get(out, "environment"), "secrets");
	const char *k;
	json_t *v;
	json_object_foreach(secrets, k, v)
	        json_object_set_new(secrets, k, json_string("(sensitive)"));
	const char *type =
	        json_string_value(json_object_get(json_object_get(out, "source"), "type"));
	if (type && !strcmp(type, "GITFLEET")) {
		char *path = repo_path(ps, name, true);
		json_object_set_new(out, "repo_url", json_string(path));
		free(path);
		/* git's smart HTTP through the TCP listener (githttp.c). */
		if (ps->public_url)
			json_object_set_new(out, "http_url",
			                    json_sprintf("%s/git/%s.git", ps->public_url, name));
	}
	return out;
}

/* ---- webhooks ------------------------------------------------------------------- */

int pl_webhook_put(pipeline_service *ps, json_t **out, char *err, size_t errlen,
                   const char *project, const json_t *body)
{
	json_t *p = pl_project_get(ps, project);
	if (!p)
		return BAD("project \"%s\" not found: PUT /v1/projects/%s first", project, project);
	json_decref(p);
	if (!json_is_object(body))
		return BAD("the body must be a JSON object with filter_groups");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v) if (
	        strcmp(k, "filter_groups") && strcmp(k, "secret") && strcmp(k, "project_name") &&
	        strcmp(k, "payload_urls")) return BAD("%s: unknown field (filter_groups, secret)",
	                                              k);
	const json_t *groups = json_object_get(body, "filter_groups");
	pipeline_filters *f = NULL;
	if (pipeline_filters_compile(&f, groups))
		return BAD("%s", gf_err_msg());
	pipeline_filters_free(f);
	const char *secret = json_string_value(json_object_get(body, "secret"));
	char fresh[65];
	if (json_object_get(body, "secret") && (!secret || strlen(secret) < 16))
		return BAD("secret: at least 16 characters (or leave it out: one is made)");
	json_t *old = pl_webhook_get(ps, project);
	if (!secret && old)
		secret = json_string_value(json_object_get(old, "secret"));
	if (!secret) {
		pl_random_hex(fresh, 32);
		secret = fresh;
	}
	json_t *spec = json_pack("{s:s, s:O, s:s}", "project_name", project, "filter_groups",
	                         groups ? (json_t *)groups : json_array(), "secret", secret);
	if (!groups)
		json_decref(json_object_get(spec, "filter_groups"));
	json_decref(old);
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = pl_db_exec(ps,
	                    "INSERT INTO pl_webhooks(project, spec, updated_ms) VALUES(?,?,?) "
	                    "ON CONFLICT(project) DO UPDATE SET spec=excluded.spec, "
	                    "updated_ms=excluded.updated_ms",
	                    "tti", project, text, gf_wall_ms());
	free(text);
	if (rc) {
		json_decref(spec);
		return BAD("%s", gf_err_msg());
	}
	*out = spec;
	return 0;
}

int pl_webhook_delete(pipeline_service *ps, const char *project)
{
	json_t *w = pl_webhook_get(ps, project);
	if (!w)
		return gf_err_set(GF_ENOTFOUND, "no webhook on project \"%s\"", project);
	json_decref(w);
	return pl_db_exec(ps, "DELETE FROM pl_webhooks WHERE project=?", "t", project);
}

json_t *pl_webhook_public(pipeline_service *ps, const char *project, const json_t *spec)
{
	json_t *out = json_deep_copy(spec);
	json_t *urls = json_object();
	for (int f = 0; f < HOOKS_FORGE_COUNT; f++)
		json_object_set_new(urls, hooks_forge_name((hooks_forge)f),
		                    json_sprintf("%s/hooks/%s/%s",
		                                 ps->public_url ? ps->public_url : "",
		                                 hooks_forge_name((hooks_forge)f), project));
	json_object_set_new(out, "payload_url",
	                    json_string(json_string_value(json_object_get(urls, "github"))));
	json_object_set_new(out, "payload_urls", urls);
	return out;
}

bool pl_delivery_seen(pipeline_service *ps, const char *forge, const char *id)
{
	sqlite3_stmt *st = NULL;
	bool seen = false;
	if (sqlite3_prepare_v2(ps->db, "SELECT 1 FROM pl_deliveries WHERE forge=? AND id=?", -1,
	                       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, forge, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		seen = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	if (!seen) {
		pl_db_exec(ps,
		           "INSERT OR IGNORE INTO pl_deliveries(forge, id, ts_ms) VALUES(?,?,?)",
		           "tti", forge, id, gf_wall_ms());
		/* Forges retry for hours, not weeks: forget ids after 7 days. */
		pl_db_exec(ps, "DELETE FROM pl_deliveries WHERE ts_ms < ?", "i",
		           gf_wall_ms() - (int64_t)7 * 86400 * 1000);
	}
	return seen;
}
