/* The daemon's /v1/state routes (statesrv.h). */
#include "statesrv/statesrv.h"

#include "cloud/cloud.h"
#include "http/api.h"
#include "state/state.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAX_BODY (64u << 20)

struct statesrv {
	sqlite3 *db;
	statesrv_write_fn may_write;
	void *payload;
};

static const char SCHEMA[] = "CREATE TABLE IF NOT EXISTS tf_states ("
                             "  name TEXT PRIMARY KEY, data BLOB NOT NULL, serial INTEGER NOT NULL,"
                             "  lineage TEXT NOT NULL, updated_ms INTEGER NOT NULL);"
                             "CREATE TABLE IF NOT EXISTS tf_locks ("
                             "  name TEXT PRIMARY KEY, id TEXT NOT NULL, info TEXT NOT NULL,"
                             "  created_ms INTEGER NOT NULL);";

static int db_error(statesrv *s, const char *what)
{
	return gf_err_set(GF_EIO, "state store: %s: %s", what, sqlite3_errmsg(s->db));
}

int statesrv_open(statesrv **out, const char *db_path)
{
	*out = NULL;
	statesrv *s = gf_xcalloc(1, sizeof(*s));
	int rc = 0;
	if (sqlite3_open_v2(db_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	            SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
	                 NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
		rc = gf_err_set(GF_EIO, "cannot open the state store %s: %s", db_path,
		                s->db ? sqlite3_errmsg(s->db) : "out of memory");
		statesrv_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void statesrv_free(statesrv *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

void statesrv_set_write_check(statesrv *s, statesrv_write_fn fn, void *payload)
{
	s->may_write = fn;
	s->payload = payload;
}

/* ---- replies ----------------------------------------------------------------- */

static void reply_json(statesrv_reply *r, int status, json_t *j)
{
	r->status = status;
	r->body = json_dumps(j, JSON_COMPACT);
	r->len = r->body ? strlen(r->body) : 0;
	json_decref(j);
}

static void reply_error(statesrv_reply *r, int status, const char *code, const char *msg)
{
	reply_json(r, status, http_error_json(code, NULL, msg));
}

static void reply_text(statesrv_reply *r, int status, const char *text)
{
	r->status = status;
	r->body = gf_xstrdup(text);
	r->len = strlen(text);
}

/* ---- the lock ------------------------------------------------------------------ */

/* The lock of `name`: 0 with *id and *info malloc'd, GF_ENOTFOUND, or an
 * error. */
static int lock_get(statesrv *s, const char *name, char **id, char **info)
{
	sqlite3_stmt *st = NULL;
	int rc = GF_ENOTFOUND;
	*id = *info = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT id, info FROM tf_locks WHERE name = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_error(s, "reading a lock");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = gf_xstrdup((const char *)sqlite3_column_text(st, 0));
		*info = gf_xstrdup((const char *)sqlite3_column_text(st, 1));
		rc = 0;
	} else if (step != SQLITE_DONE) {
		rc = db_error(s, "reading a lock");
	}
	sqlite3_finalize(st);
	return rc;
}

static int exec_bind(statesrv *s, const char *sql, const char *what, int n, const char **text,
                     sqlite3_int64 num)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, what);
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) > n)
		sqlite3_bind_int64(st, n + 1, num);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, what);
	sqlite3_finalize(st);
	return rc;
}

/* exec_bind for a lock change: not synced to disk (statesrv.h, note 2).
 * The connection is back to synchronous=FULL after it, whatever happened. */
static int exec_lock_change(statesrv *s, const char *sql, const char *what, int n,
                            const char **text, sqlite3_int64 num)
{
	if (sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, what);
	int rc = exec_bind(s, sql, what, n, text, num);
	if (sqlite3_exec(s->db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK &&
	    rc == 0)
		rc = db_error(s, what);
	return rc;
}

/* The lock as a 409/423 answer: the holder's LockInfo. */
static void reply_locked(statesrv_reply *r, int status, const char *info)
{
	r->status = status;
	r->body = gf_xstrdup(info);
	r->len = strlen(info);
}

/* Checks a write's ?ID= against the lock; false after replying. */
static bool write_allowed(statesrv *s, statesrv_reply *r, const char *name, const char *id)
{
	char *lid, *info;
	int rc = lock_get(s, name, &lid, &info);
	if (rc == GF_ENOTFOUND)
		return true;
	if (rc < 0) {
		reply_error(r, 500, "internal", gf_err_msg());
		return false;
	}
	bool ok = id && strcmp(id, lid) == 0;
	if (!ok)
		reply_locked(r, 409, info);
	free(lid);
	free(info);
	return ok;
}

static void do_lock(statesrv *s, statesrv_reply *r, const char *name, const char *body, size_t len)
{
	state_lock_info li;
	if (state_lock_info_parse(&li, body, len) < 0 || !li.id[0]) {
		reply_error(r, 400, "invalid_lock",
		            "the body must be LockInfo JSON with an \"ID\"");
		return;
	}
	char *lid, *info;
	int rc = lock_get(s, name, &lid, &info);
	if (rc == 0) {
		if (strcmp(lid, li.id) == 0)
			reply_locked(r, 200, info);
		else
			reply_locked(r, 423, info);
		free(lid);
		free(info);
		return;
	}
	if (rc != GF_ENOTFOUND) {
		reply_error(r, 500, "internal", gf_err_msg());
		return;
	}
	json_t *j = state_lock_info_to_json(&li);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	const char *args[] = {name, li.id, text};
	/* INSERT fails on a lock taken in between: never two holders. */
	rc = exec_lock_change(
	        s, "INSERT INTO tf_locks(name, id, info, created_ms) VALUES (?, ?, ?, ?)",
	        "taking a lock", 3, args, gf_wall_ms());
	if (rc < 0)
		reply_error(r, 500, "internal", gf_err_msg());
	else
		reply_locked(r, 200, text);
	free(text);
}

static void do_unlock(statesrv *s, statesrv_reply *r, const char *name, const char *body,
                      size_t len)
{
	state_lock_info li;
	memset(&li, 0, sizeof(li));
	if (len && state_lock_info_parse(&li, body, len) < 0) {
		reply_error(r, 400, "invalid_lock", "the body must be LockInfo JSON");
		return;
	}
	char *lid, *info;
	int rc = lock_get(s, name, &lid, &info);
	if (rc == GF_ENOTFOUND) {
		reply_error(r, 404, "not_locked", "the state is not locked");
		return;
	}
	if (rc < 0) {
		reply_error(r, 500, "internal", gf_err_msg());
		return;
	}
	if (li.id[0] && strcmp(li.id, lid) != 0) {
		reply_locked(r, 409, info);
	} else {
		const char *args[] = {name};
		if (exec_lock_change(s, "DELETE FROM tf_locks WHERE name = ?", "releasing a lock",
		                     1, args, 0) < 0)
			reply_error(r, 500, "internal", gf_err_msg());
		else
			reply_text(r, 200, "");
	}
	free(lid);
	free(info);
}

/* ---- the state ------------------------------------------------------------------- */

static void do_get(statesrv *s, statesrv_reply *r, const char *name)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT data FROM tf_states WHERE name = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		db_error(s, "reading a state");
		reply_error(r, 500, "internal", gf_err_msg());
		return;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		r->status = 200;
		r->body = gf_xmalloc(n + 1);
		memcpy(r->body, sqlite3_column_blob(st, 0), n);
		r->body[n] = '\0';
		r->len = n;
	} else if (step == SQLITE_DONE) {
		reply_text(r, 204, "");
	} else {
		reply_error(r, 500, "internal", sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
}

static void do_post(statesrv *s, statesrv_reply *r, const char *name, const char *id,
                    const char *body, size_t len)
{
	state *st = NULL;
	char *source = gf_xasprintf("state \"%s\"", name);
	int rc = state_parse(&st, body, len, source);
	free(source);
	if (rc < 0) {
		reply_error(r, 400, "invalid_state", gf_err_msg());
		return;
	}
	if (write_allowed(s, r, name, id)) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(
		            s->db,
		            "INSERT OR REPLACE INTO tf_states(name, data, serial, lineage, "
		            "updated_ms) VALUES (?, ?, ?, ?, ?)",
		            -1, &q, NULL) != SQLITE_OK) {
			reply_error(r, 500, "internal", sqlite3_errmsg(s->db));
		} else {
			sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_blob(q, 2, body, (int)len, SQLITE_STATIC);
			sqlite3_bind_int64(q, 3, st->serial);
			sqlite3_bind_text(q, 4, st->lineage, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 5, gf_wall_ms());
			if (sqlite3_step(q) != SQLITE_DONE)
				reply_error(r, 500, "internal", sqlite3_errmsg(s->db));
			else
				reply_text(r, 200, "");
			sqlite3_finalize(q);
		}
	}
	state_free(st);
}

static void do_delete(statesrv *s, statesrv_reply *r, const char *name, const char *id)
{
	if (!write_allowed(s, r, name, id))
		return;
	const char *args[] = {name};
	if (exec_bind(s, "DELETE FROM tf_states WHERE name = ?", "deleting a state", 1, args, 0) <
	    0)
		reply_error(r, 500, "internal", gf_err_msg());
	else
		reply_text(r, 200, "");
}

static void do_list(statesrv *s, statesrv_reply *r)
{
	sqlite3_stmt *st = NULL;
	const char *sql = "SELECT name, serial, lineage, updated_ms, length(data), NULL FROM "
	                  "tf_states UNION ALL SELECT name, NULL, NULL, NULL, NULL, info FROM "
	                  "tf_locks ORDER BY 1";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		reply_error(r, 500, "internal", sqlite3_errmsg(s->db));
		return;
	}
	json_t *list = json_array();
	json_t *cur = NULL;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!cur || strcmp(json_string_value(json_object_get(cur, "name")), name) != 0) {
			cur = json_pack("{s:s, s:n, s:n, s:n, s:n, s:n}", "name", name, "serial",
			                "lineage", "updated_ms", "size", "lock");
			json_array_append_new(list, cur);
		}
		if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
			json_object_set_new(cur, "serial",
			                    json_integer(sqlite3_column_int64(st, 1)));
			json_object_set_new(cur, "lineage",
			                    json_string((const char *)sqlite3_column_text(st, 2)));
			json_object_set_new(cur, "updated_ms",
			                    json_integer(sqlite3_column_int64(st, 3)));
			json_object_set_new(cur, "size", json_integer(sqlite3_column_int64(st, 4)));
		} else {
			json_t *info =
			        json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
			json_object_set_new(cur, "lock", info ? info : json_null());
		}
	}
	/* A list cut short by an error is not the list: say so. */
	if (step != SQLITE_DONE) {
		db_error(s, "listing the states");
		reply_error(r, 500, "internal", gf_err_msg());
		json_decref(list);
	} else {
		reply_json(r, 200, json_pack("{s:o}", "states", list));
	}
	sqlite3_finalize(st);
}

void statesrv_handle(statesrv *s, statesrv_reply *out, const char *method, const char *name,
                     const char *id, const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (!name) {
		do_list(s, out);
		return;
	}
	if (!cloud_name_valid(name)) {
		char *msg = gf_xasprintf("state name \"%.100s\" is not valid: use 1-63 lowercase "
		                         "letters, digits and '-', not starting or ending with '-'",
		                         name);
		reply_error(out, 400, "invalid_name", msg);
		free(msg);
		return;
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		do_get(s, out, name);
	else if (strcmp(method, "POST") == 0)
		do_post(s, out, name, id, body, len);
	else if (strcmp(method, "DELETE") == 0)
		do_delete(s, out, name, id);
	else if (strcmp(method, "LOCK") == 0)
		do_lock(s, out, name, body, len);
	else if (strcmp(method, "UNLOCK") == 0)
		do_unlock(s, out, name, body, len);
	else
		reply_error(out, 405, "method_not_allowed",
		            "use GET, POST, DELETE, LOCK or UNLOCK");
}

/* ---- routes ------------------------------------------------------------------------ */

static void h_state(http_req *req, void *payload)
{
	statesrv *s = payload;
	const char *method = http_req_method(req);
	const char *name = http_req_param(req, "name");
	bool write = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	if (write && s->may_write && !s->may_write(req, name, s->payload)) {
		http_respond_error(req, 403, "forbidden", NULL,
		                   "this token may read the state \"%s\" but not change it", name);
		return;
	}
	size_t len;
	const char *body = http_req_body(req, &len);
	statesrv_reply r;
	statesrv_handle(s, &r, method, name, http_req_query_param(req, "ID"), body, len);
	const char *ct = r.len ? "application/json" : NULL;
	http_respond(req, r.status, ct, r.body, r.len);
	free(r.body);
}

int statesrv_register(http_server *srv, statesrv *s)
{
	static const char *const methods[] = {"GET", "POST", "DELETE", "LOCK", "UNLOCK"};
	http_route_opts opts = {.max_body = STATE_MAX_BODY};
	int rc = http_server_route(srv, "GET", "/v1/state", h_state, s, NULL);
	for (size_t i = 0; i < GF_ARRAY_LEN(methods) && rc == 0; i++)
		rc = http_server_route(srv, methods[i], "/v1/state/{name}", h_state, s, &opts);
	return rc;
}
