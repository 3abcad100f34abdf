/* The inventory: one SQLite database in WAL mode. Migrations are numbered
 * by PRAGMA user_version: each one runs once, in a transaction, in order.
 * Every write here is small; the daemon groups a request's writes in one
 * transaction (cloud_store_begin/commit) so nothing is half-applied. */
#include "cloud/cloud_int.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cloud_store {
	sqlite3 *db;
	char *path;
};

static const char *const migrations[] = {
        /* 1: the first schema. */
        "CREATE TABLE resources(kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL,"
        " updated_ms INTEGER NOT NULL, PRIMARY KEY(kind, name));"
        "CREATE TABLE template_versions(template TEXT NOT NULL, version INTEGER NOT NULL,"
        " spec TEXT NOT NULL, release TEXT NOT NULL, created_ms INTEGER NOT NULL,"
        " PRIMARY KEY(template, version));"
        "CREATE TABLE instances(id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
        " grp TEXT NOT NULL, template TEXT NOT NULL, version INTEGER NOT NULL,"
        " release TEXT NOT NULL, port INTEGER NOT NULL, pid INTEGER NOT NULL,"
        " state TEXT NOT NULL, reason TEXT NOT NULL, created_ms INTEGER NOT NULL,"
        " updated_ms INTEGER NOT NULL);"
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT NULL,"
        " type TEXT NOT NULL, resource TEXT NOT NULL, data TEXT NOT NULL);",
        /* 2: the pipeline (src/pipeline/service.c): projects, webhooks, build
         * history with one row per phase, webhook deliveries seen. */
        "CREATE TABLE pl_projects(name TEXT PRIMARY KEY, spec TEXT NOT NULL,"
        " updated_ms INTEGER NOT NULL);"
        "CREATE TABLE pl_webhooks(project TEXT PRIMARY KEY, spec TEXT NOT NULL,"
        " updated_ms INTEGER NOT NULL);"
        "CREATE TABLE pl_builds(id TEXT PRIMARY KEY, project TEXT NOT NULL,"
        " number INTEGER NOT NULL, status TEXT NOT NULL, info TEXT NOT NULL,"
        " reason TEXT NOT NULL, queued_ms INTEGER NOT NULL, start_ms INTEGER NOT NULL,"
        " end_ms INTEGER NOT NULL, UNIQUE(project, number));"
        "CREATE TABLE pl_phases(build TEXT NOT NULL, phase TEXT NOT NULL,"
        " status TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,"
        " exit_code INTEGER NOT NULL, PRIMARY KEY(build, phase));"
        "CREATE TABLE pl_deliveries(forge TEXT NOT NULL, id TEXT NOT NULL,"
        " ts_ms INTEGER NOT NULL, PRIMARY KEY(forge, id));",
};

static int db_err(cloud_store *s, const char *what)
{
	return gf_err_set(GF_EIO, "inventory %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec(cloud_store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = gf_err_set(GF_EIO, "inventory %s: %s", s->path, msg ? msg : "?");
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static int prepare(cloud_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_err(s, "prepare");
	return 0;
}

/* Runs a statement with text/integer arguments given as a format: 't' a
 * const char *, 'i' an int64_t. */
static int run(cloud_store *s, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, sql) < 0)
		return GF_EIO;
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
	return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : db_err(s, "write");
}

static int migrate(cloud_store *s)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "PRAGMA user_version") < 0)
		return GF_EIO;
	int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	int want = (int)GF_ARRAY_LEN(migrations);
	if (have > want)
		return gf_err_set(GF_EINVALID,
		                  "inventory %s has schema version %d, newer than this gitfleet "
		                  "(%d): run a newer gitfleet",
		                  s->path, have, want);
	for (int v = have; v < want; v++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d;", v + 1);
		int rc;
		if ((rc = exec(s, "BEGIN IMMEDIATE")) < 0)
			return rc;
		if ((rc = exec(s, migrations[v])) < 0 || (rc = exec(s, pragma)) < 0) {
			exec(s, "ROLLBACK");
			return rc;
		}
		if ((rc = exec(s, "COMMIT")) < 0)
			return rc;
	}
	return 0;
}

int cloud_store_open(cloud_store **out, const char *path)
{
	cloud_store *s = gf_xcalloc(1, sizeof(*s));
	s->path = gf_xstrdup(path);
	int rc = 0;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = db_err(s, "open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if ((rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                  "PRAGMA foreign_keys=ON;")) < 0)
		goto fail;
	if ((rc = migrate(s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	cloud_store_close(s);
	return rc;
}

void cloud_store_close(cloud_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int cloud_store_begin(cloud_store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int cloud_store_commit(cloud_store *s)
{
	return exec(s, "COMMIT");
}

void cloud_store_rollback(cloud_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
}

int cloud_store_put(cloud_store *s, cloud_kind k, const char *name, const char *spec)
{
	return run(s,
	           "INSERT INTO resources(kind, name, spec, updated_ms) VALUES(?, ?, ?, ?)"
	           " ON CONFLICT(kind, name) DO UPDATE SET spec=excluded.spec,"
	           " updated_ms=excluded.updated_ms",
	           "ttti", cloud_kind_path(k), name, spec, (int64_t)gf_wall_ms());
}

/* One text column of the first row of a query with text arguments. */
static int get_text(cloud_store *s, char **out, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, sql) < 0)
		return GF_EIO;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	int rc = 0;
	if (r == SQLITE_ROW)
		*out = gf_xstrdup((const char *)sqlite3_column_text(st, 0));
	else if (r == SQLITE_DONE)
		rc = GF_ENOTFOUND;
	else
		rc = db_err(s, "read");
	sqlite3_finalize(st);
	return rc;
}

int cloud_store_get(cloud_store *s, char **spec, cloud_kind k, const char *name)
{
	return get_text(s, spec, "SELECT spec FROM resources WHERE kind=? AND name=?",
	                cloud_kind_path(k), name);
}

int cloud_store_delete(cloud_store *s, cloud_kind k, const char *name)
{
	return run(s, "DELETE FROM resources WHERE kind=? AND name=?", "tt", cloud_kind_path(k),
	           name);
}

int cloud_store_list(cloud_store *s, cloud_kind k, cloud_store_row_cb cb, void *payload)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT name, spec FROM resources WHERE kind=? ORDER BY name") < 0)
		return GF_EIO;
	sqlite3_bind_text(st, 1, cloud_kind_path(k), -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1), payload);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : db_err(s, "read");
}

int cloud_store_version_add(cloud_store *s, int *out, const char *tmpl, const char *spec)
{
	sqlite3_stmt *st;
	if (prepare(s, &st,
	            "SELECT COALESCE(MAX(version), 0) FROM template_versions WHERE "
	            "template=?") < 0)
		return GF_EIO;
	sqlite3_bind_text(st, 1, tmpl, -1, SQLITE_TRANSIENT);
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) + 1 : 1;
	sqlite3_finalize(st);
	json_t *j = json_loads(spec, 0, NULL);
	const char *rel = json_string_value(json_object_get(j, "release"));
	int rc = run(s,
	             "INSERT INTO template_versions(template, version, spec, release, created_ms)"
	             " VALUES(?, ?, ?, ?, ?)",
	             "titti", tmpl, (int64_t)v, spec, rel ? rel : "", (int64_t)gf_wall_ms());
	json_decref(j);
	if (rc == 0)
		*out = v;
	return rc;
}

int cloud_store_version_get(cloud_store *s, char **spec, int *version, const char *tmpl, int want)
{
	sqlite3_stmt *st;
	const char *sql = want > 0 ? "SELECT spec, version FROM template_versions WHERE "
	                             "template=? AND version=?"
	                           : "SELECT spec, version FROM template_versions WHERE "
	                             "template=? ORDER BY version DESC LIMIT 1";
	if (prepare(s, &st, sql) < 0)
		return GF_EIO;
	sqlite3_bind_text(st, 1, tmpl, -1, SQLITE_TRANSIENT);
	if (want > 0)
		sqlite3_bind_int(st, 2, want);
	int r = sqlite3_step(st);
	int rc = 0;
	if (r == SQLITE_ROW) {
		if (spec)
			*spec = gf_xstrdup((const char *)sqlite3_column_text(st, 0));
		if (version)
			*version = sqlite3_column_int(st, 1);
	} else {
		rc = r == SQLITE_DONE ? GF_ENOTFOUND : db_err(s, "read");
	}
	sqlite3_finalize(st);
	return rc;
}

int cloud_store_versions_delete(cloud_store *s, const char *tmpl)
{
	return run(s, "DELETE FROM template_versions WHERE template=?", "t", tmpl);
}

int cloud_store_releases(cloud_store *s, cloud_store_row_cb cb, void *payload)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT DISTINCT release FROM template_versions") < 0)
		return GF_EIO;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(st, 0), NULL, payload);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : db_err(s, "read");
}

int cloud_store_next_seq(cloud_store *s, int64_t *out)
{
	char *v = NULL;
	int64_t n = 1;
	int rc = cloud_store_meta_get(s, &v, "next_instance");
	if (rc == 0)
		gf_str_to_i64(&n, v, 1, INT64_MAX);
	else if (rc != GF_ENOTFOUND)
		return rc;
	free(v);
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)(n + 1));
	if ((rc = cloud_store_meta_put(s, "next_instance", buf)) < 0)
		return rc;
	*out = n;
	return 0;
}

int cloud_store_inst_put(cloud_store *s, const cloud_inst_rec *r)
{
	return run(s,
	           "INSERT OR REPLACE INTO instances(id, seq, grp, template, version, release,"
	           " port, pid, state, reason, created_ms, updated_ms)"
	           " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	           "tittitiittii", r->id, r->seq, r->group, r->tmpl, (int64_t)r->version,
	           r->release, (int64_t)r->port, (int64_t)r->pid, cloud_inst_state_name(r->state),
	           r->reason, r->created_ms, (int64_t)gf_wall_ms());
}

int cloud_store_inst_list(cloud_store *s, cloud_store_inst_cb cb, void *payload)
{
	sqlite3_stmt *st;
	if (prepare(s, &st,
	            "SELECT id, seq, grp, template, version, release, port, pid, state, reason,"
	            " created_ms, updated_ms FROM instances ORDER BY seq") < 0)
		return GF_EIO;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cloud_inst_rec rec;
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.id, sizeof(rec.id), "%s", sqlite3_column_text(st, 0));
		rec.seq = sqlite3_column_int64(st, 1);
		snprintf(rec.group, sizeof(rec.group), "%s", sqlite3_column_text(st, 2));
		snprintf(rec.tmpl, sizeof(rec.tmpl), "%s", sqlite3_column_text(st, 3));
		rec.version = sqlite3_column_int(st, 4);
		snprintf(rec.release, sizeof(rec.release), "%s", sqlite3_column_text(st, 5));
		rec.port = sqlite3_column_int(st, 6);
		rec.pid = sqlite3_column_int(st, 7);
		if (cloud_inst_state_parse(&rec.state, (const char *)sqlite3_column_text(st, 8)) <
		    0)
			rec.state = CLOUD_INST_FAILED;
		snprintf(rec.reason, sizeof(rec.reason), "%s", sqlite3_column_text(st, 9));
		rec.created_ms = sqlite3_column_int64(st, 10);
		rec.updated_ms = sqlite3_column_int64(st, 11);
		cb(&rec, payload);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : db_err(s, "read");
}

int cloud_store_inst_prune(cloud_store *s, int64_t before_ms)
{
	return run(s,
	           "DELETE FROM instances WHERE state IN ('terminated', 'failed')"
	           " AND updated_ms < ?",
	           "i", before_ms);
}

int cloud_store_meta_put(cloud_store *s, const char *key, const char *value)
{
	return run(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", "tt", key, value);
}

int cloud_store_meta_get(cloud_store *s, char **value, const char *key)
{
	return get_text(s, value, "SELECT value FROM meta WHERE key=?", key, NULL);
}

int cloud_store_meta_delete(cloud_store *s, const char *key)
{
	return run(s, "DELETE FROM meta WHERE key=?", "t", key);
}

int cloud_store_event_add(cloud_store *s, int64_t *id, int64_t ts_ms, const char *type,
                          const char *resource, const char *data)
{
	int rc = run(s, "INSERT INTO events(ts_ms, type, resource, data) VALUES(?, ?, ?, ?)",
	             "ittt", ts_ms, type, resource, data);
	if (rc == 0 && id)
		*id = sqlite3_last_insert_rowid(s->db);
	/* The log is bounded: the newest 100000 events are kept. */
	if (rc == 0 && id && *id % 1000 == 0)
		run(s, "DELETE FROM events WHERE id <= ?", "i", *id - 100000);
	return rc;
}

int cloud_store_events(cloud_store *s, int64_t after, int limit, cloud_store_event_cb cb,
                       void *payload)
{
	sqlite3_stmt *st;
	if (prepare(s, &st,
	            "SELECT id, ts_ms, type, resource, data FROM events WHERE id > ?"
	            " ORDER BY id LIMIT ?") < 0)
		return GF_EIO;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		cb(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		   (const char *)sqlite3_column_text(st, 2),
		   (const char *)sqlite3_column_text(st, 3),
		   (const char *)sqlite3_column_text(st, 4), payload);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : db_err(s, "read");
}

int cloud_store_events_last(cloud_store *s, int64_t *id)
{
	sqlite3_stmt *st;
	*id = 0;
	if (prepare(s, &st, "SELECT COALESCE(MAX(id), 0) FROM events") < 0)
		return GF_EIO;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : db_err(s, "read");
}
