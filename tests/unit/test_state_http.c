/* The http backend protocol in both directions: the daemon's state
 * handler (statesrv) driven directly for every status it answers, the
 * backend client (http and gitfleet) against statesrv on a real server in
 * a thread, and the client against a plain in-test server for retries and
 * basic auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/api.h"
#include "state/state.h"
#include "statesrv/statesrv.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	http_server *srv;
	statesrv *states;
	char dir[40];
	char db[80];
	char url[64];
	int port;
	atomic_int flaky_calls;
	char auth[128]; /* Authorization seen by the plain route */
	atomic_int lock_calls;
	char lock_body[2048]; /* the LockInfo the lossy lock route took */
} fixture;

static fixture F;

/* A server that fails twice with 503 before answering: the client retries. */
static void h_flaky(http_req *req, void *payload)
{
	const char *a = http_req_header(req, "Authorization");
	snprintf(F.auth, sizeof(F.auth), "%s", a ? a : "");
	if (atomic_fetch_add(&F.flaky_calls, 1) < 2) {
		http_respond_error(req, 503, "busy", NULL, "try later");
		return;
	}
	http_respond(req, 204, NULL, NULL, 0);
}

/* A lock server behind a proxy that times out: the first LOCK takes the
 * lock but the client gets 504; the retry is told the lock is held, by
 * the client's own ID. */
static void h_lossy_lock(http_req *req, void *payload)
{
	size_t len;
	const char *body = http_req_body(req, &len);
	if (atomic_fetch_add(&F.lock_calls, 1) == 0) {
		snprintf(F.lock_body, sizeof(F.lock_body), "%.*s", (int)len, body);
		http_respond_error(req, 504, "gateway_timeout", NULL, "the upstream took too long");
		return;
	}
	http_respond(req, 423, "application/json", F.lock_body, strlen(F.lock_body));
}

static void h_unlock(http_req *req, void *payload)
{
	http_respond(req, 200, NULL, NULL, 0);
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

static int setup(void **unused)
{
	memset(&F, 0, sizeof(F));
	snprintf(F.dir, sizeof(F.dir), "/tmp/gf-statesrv-XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	snprintf(F.db, sizeof(F.db), "%s/inventory.db", F.dir);
	if (statesrv_open(&F.states, F.db) != 0)
		fail_msg("%s", gf_err_msg());
	assert_int_equal(uv_loop_init(&F.loop), 0);
	uv_async_init(&F.loop, &F.stop, on_stop);
	assert_int_equal(http_server_new(&F.srv, &F.loop, NULL), 0);
	assert_int_equal(statesrv_register(F.srv, F.states), 0);
	assert_int_equal(http_server_route(F.srv, "GET", "/flaky", h_flaky, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "LOCK", "/lossy", h_lossy_lock, NULL, NULL), 0);
	assert_int_equal(http_server_route(F.srv, "UNLOCK", "/lossy", h_unlock, NULL, NULL), 0);
	assert_int_equal(http_server_listen_tcp(F.srv, "127.0.0.1", 0, NULL, &F.port), 0);
	snprintf(F.url, sizeof(F.url), "http://127.0.0.1:%d", F.port);
	assert_int_equal(pthread_create(&F.thread, NULL, loop_main, NULL), 0);
	return 0;
}

static int teardown(void **unused)
{
	uv_async_send(&F.stop);
	pthread_join(F.thread, NULL);
	assert_int_equal(uv_loop_close(&F.loop), 0);
	statesrv_free(F.states);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", F.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the handler alone (its own database) ---------------------------------- */

static const char *reply(statesrv *s, statesrv_reply *r, const char *method, const char *name,
                         const char *id, const char *body)
{
	free(r->body);
	statesrv_handle(s, r, method, name, id, body, body ? strlen(body) : 0);
	return r->body ? r->body : "";
}

static char *state_text(state *s)
{
	gf_buf b = GF_BUF_INIT;
	state_serialize(&b, s);
	return gf_buf_detach(&b);
}

static void test_handler(void **unused)
{
	char db[80];
	snprintf(db, sizeof(db), "%s/handler.db", F.dir);
	statesrv *s;
	assert_int_equal(statesrv_open(&s, db), 0);
	statesrv_reply r = {0};
	state *st = state_new();
	char *text = state_text(st);

	reply(s, &r, "GET", "site", NULL, NULL);
	assert_int_equal(r.status, 204);
	reply(s, &r, "POST", "site", NULL, "{\"version\": 3}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "version 3 is not supported"));
	reply(s, &r, "POST", "site", NULL, text);
	assert_int_equal(r.status, 200);
	reply(s, &r, "GET", "site", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, text);
	reply(s, &r, "GET", "Bad_Name", NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "state name \\\"Bad_Name\\\" is not valid: use 1-63"));

	/* Lock: taken, taken again by the same ID, refused to another (423
	 * with the holder's info). */
	const char *lock_a = "{\"ID\": \"a\", \"Who\": \"alice@host\", \"Operation\": "
	                     "\"OperationTypeApply\"}";
	reply(s, &r, "LOCK", "site", NULL, lock_a);
	assert_int_equal(r.status, 200);
	reply(s, &r, "LOCK", "site", NULL, lock_a);
	assert_int_equal(r.status, 200);
	reply(s, &r, "LOCK", "site", NULL, "{\"ID\": \"b\"}");
	assert_int_equal(r.status, 423);
	state_lock_info holder;
	assert_int_equal(state_lock_info_parse(&holder, r.body, r.len), 0);
	assert_string_equal(holder.id, "a");
	assert_string_equal(holder.who, "alice@host");
	reply(s, &r, "LOCK", "site", NULL, "{}");
	assert_int_equal(r.status, 400);

	/* Writes while locked: with the lock's ID only (409 with the lock). */
	reply(s, &r, "POST", "site", NULL, text);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "alice@host"));
	reply(s, &r, "POST", "site", "b", text);
	assert_int_equal(r.status, 409);
	reply(s, &r, "POST", "site", "a", text);
	assert_int_equal(r.status, 200);
	reply(s, &r, "DELETE", "site", NULL, NULL);
	assert_int_equal(r.status, 409);

	/* The list shows the state and its lock. */
	reply(s, &r, "GET", NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	json_t *list = json_loads(r.body, 0, NULL);
	json_t *one = json_array_get(json_object_get(list, "states"), 0);
	assert_string_equal(json_string_value(json_object_get(one, "name")), "site");
	assert_string_equal(json_string_value(json_object_get(one, "lineage")), st->lineage);
	assert_string_equal(json_string_value(json_object_get(json_object_get(one, "lock"), "ID")),
	                    "a");
	json_decref(list);

	/* Unlock: another ID is refused with the holder; the right one works;
	 * then there is nothing to unlock. An empty body forces. */
	reply(s, &r, "UNLOCK", "site", NULL, "{\"ID\": \"b\"}");
	assert_int_equal(r.status, 409);
	reply(s, &r, "UNLOCK", "site", NULL, "{\"ID\": \"a\"}");
	assert_int_equal(r.status, 200);
	reply(s, &r, "UNLOCK", "site", NULL, "{\"ID\": \"a\"}");
	assert_int_equal(r.status, 404);
	reply(s, &r, "LOCK", "site", NULL, "{\"ID\": \"c\"}");
	reply(s, &r, "UNLOCK", "site", NULL, NULL);
	assert_int_equal(r.status, 200);

	/* Without a lock, writes need no ID. */
	reply(s, &r, "DELETE", "site", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply(s, &r, "GET", "site", NULL, NULL);
	assert_int_equal(r.status, 204);

	/* A lock survives reopening the database (a daemon restart). */
	reply(s, &r, "LOCK", "site", NULL, lock_a);
	statesrv_free(s);
	assert_int_equal(statesrv_open(&s, db), 0);
	reply(s, &r, "LOCK", "site", NULL, "{\"ID\": \"z\"}");
	assert_int_equal(r.status, 423);

	free(r.body);
	free(text);
	state_free(st);
	statesrv_free(s);
}

/* ---- what reaches the disk --------------------------------------------------- */

/* A VFS that is SQLite's default one, counting the files' syncs: the
 * real open, then the file's methods (one set per kind of file) with a
 * counting xSync. */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs counting_vfs;
static struct {
	const sqlite3_io_methods *real;
	sqlite3_io_methods counting;
} method_sets[8];
static int syncs;

static int counting_sync(sqlite3_file *f, int flags)
{
	syncs++;
	for (size_t i = 0; i < GF_ARRAY_LEN(method_sets); i++)
		if (f->pMethods == &method_sets[i].counting)
			return method_sets[i].real->xSync(f, flags);
	fail_msg("a file with unknown methods");
	return SQLITE_IOERR;
}

static int counting_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                         int *out_flags)
{
	int rc = real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	size_t i = 0;
	while (i < GF_ARRAY_LEN(method_sets) && method_sets[i].real &&
	       method_sets[i].real != f->pMethods)
		i++;
	assert_true(i < GF_ARRAY_LEN(method_sets));
	if (!method_sets[i].real) {
		method_sets[i].real = f->pMethods;
		method_sets[i].counting = *f->pMethods;
		method_sets[i].counting.xSync = counting_sync;
	}
	f->pMethods = &method_sets[i].counting;
	return rc;
}

/* statesrv.h, note 2: a state write is synced before it is answered; a
 * lock change is not, and still survives reopening. */
static void test_handler_durability(void **unused)
{
	real_vfs = sqlite3_vfs_find(NULL);
	counting_vfs = *real_vfs;
	counting_vfs.zName = "counting";
	counting_vfs.xOpen = counting_open;
	assert_int_equal(sqlite3_vfs_register(&counting_vfs, 1), SQLITE_OK);
	char db[80];
	snprintf(db, sizeof(db), "%s/durability.db", F.dir);
	statesrv *s;
	assert_int_equal(statesrv_open(&s, db), 0);
	statesrv_reply r = {0};
	state *st = state_new();
	char *text = state_text(st);
	const char *lock = "{\"ID\": \"a\", \"Operation\": \"OperationTypeApply\"}";

	syncs = 0;
	reply(s, &r, "LOCK", "site", NULL, lock);
	assert_int_equal(r.status, 200);
	assert_int_equal(syncs, 0);
	reply(s, &r, "POST", "site", "a", text);
	assert_int_equal(r.status, 200);
	assert_true(syncs > 0);
	syncs = 0;
	reply(s, &r, "UNLOCK", "site", NULL, lock);
	assert_int_equal(r.status, 200);
	assert_int_equal(syncs, 0);
	reply(s, &r, "LOCK", "site", NULL, lock);
	assert_int_equal(syncs, 0);
	reply(s, &r, "DELETE", "site", "a", NULL);
	assert_int_equal(r.status, 200);
	assert_true(syncs > 0);

	statesrv_free(s);
	assert_int_equal(statesrv_open(&s, db), 0);
	reply(s, &r, "LOCK", "site", NULL, "{\"ID\": \"z\"}");
	assert_int_equal(r.status, 423);

	free(r.body);
	free(text);
	state_free(st);
	statesrv_free(s);
	assert_int_equal(sqlite3_vfs_unregister(&counting_vfs), SQLITE_OK);
}

/* ---- the client against the server ------------------------------------------ */

static state_backend *open_backend(const char *type, json_t *conf)
{
	state_backend *b = NULL;
	if (state_backend_open(&b, type, conf, NULL) != 0)
		fail_msg("%s", gf_err_msg());
	json_decref(conf);
	return b;
}

/* Both the http and the gitfleet backend speak to statesrv; `name` is the
 * state each uses. */
static void exercise(state_backend *b1, state_backend *b2)
{
	state *s;
	assert_int_equal(state_backend_read(b1, &s), 0);
	assert_null(s);
	s = state_new();
	state_output_set(s, "url", json_string("http://x/"), json_string("string"), false);

	/* b1 locks; b2 cannot, and learns who holds it. */
	assert_int_equal(state_backend_lock_wait(b1, "OperationTypeApply", 0), 0);
	const char *id = state_backend_lock_id(b1);
	assert_non_null(id);
	state_lock_info li, holder;
	state_lock_info_init(&li, "OperationTypePlan", NULL);
	assert_int_equal(state_backend_lock(b2, &li, &holder), GF_ELOCKED);
	assert_string_equal(holder.id, id);
	assert_string_equal(holder.operation, "OperationTypeApply");
	assert_int_equal(state_backend_lock_wait(b2, "OperationTypePlan", 0.2), GF_ELOCKED);
	assert_non_null(strstr(gf_err_msg(), "Error acquiring the state lock"));
	assert_non_null(strstr(gf_err_msg(), id));

	/* b1 writes with its lock ID (POST ?ID=); b2 without one is refused. */
	assert_int_equal(state_backend_write(b1, s), 0);
	assert_int_equal(s->serial, 1);
	state *r;
	assert_int_equal(state_backend_read(b2, &r), 0);
	assert_non_null(r);
	assert_int_equal(r->serial, 1);
	state_output_set(r, "more", json_true(), json_string("bool"), false);
	assert_int_equal(state_backend_write(b2, r), GF_ERROR);
	assert_non_null(strstr(gf_err_msg(), "409"));

	/* A wrong ID cannot force the lock; the right one can. */
	assert_int_equal(state_backend_force_unlock(b2, "not-the-id"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "does not match"));
	char *held = gf_xstrdup(id);
	assert_int_equal(state_backend_force_unlock(b2, held), 0);
	assert_int_equal(state_backend_force_unlock(b2, held), GF_ENOTFOUND);
	free(held);
	/* b1 still believes it holds it; its unlock is then told 404. */
	assert_int_equal(state_backend_unlock(b1), GF_ERROR);

	/* Unlocked: b2 writes without an ID. */
	assert_int_equal(state_backend_write(b2, r), 0);
	assert_int_equal(r->serial, 2);
	assert_int_equal(state_backend_delete(b2), 0);
	state *gone;
	assert_int_equal(state_backend_read(b1, &gone), 0);
	assert_null(gone);
	state_free(s);
	state_free(r);
}

static void test_http_backend(void **unused)
{
	char *addr = gf_xasprintf("%s/v1/state/web", F.url);
	state_backend *b1 =
	        open_backend("http", json_pack("{s:s, s:s, s:s}", "address", addr, "lock_address",
	                                       addr, "unlock_address", addr));
	state_backend *b2 = open_backend("http", json_pack("{s:s, s:s, s:s, s:s}", "address", addr,
	                                                   "lock_address", addr, "unlock_address",
	                                                   addr, "retry_max", "0"));
	assert_string_equal(state_backend_describe(b1), addr);
	exercise(b1, b2);
	state_backend_free(b1);
	state_backend_free(b2);
	free(addr);
}

static void test_gitfleet_backend(void **unused)
{
	state_backend *b1 =
	        open_backend("gitfleet", json_pack("{s:s, s:s}", "name", "site", "address", F.url));
	/* Inside a build GITFLEET_ADDR wins over a configured address (here
	 * one where nothing listens), as for the provider. */
	setenv("GITFLEET_ADDR", F.url, 1);
	state_backend *b2 = open_backend(
	        "gitfleet", json_pack("{s:s, s:s}", "name", "site", "address", "127.0.0.1:1"));
	unsetenv("GITFLEET_ADDR");
	exercise(b1, b2);
	state_backend_free(b1);
	state_backend_free(b2);
}

static void test_http_retry_and_auth(void **unused)
{
	char *addr = gf_xasprintf("%s/flaky", F.url);
	state_backend *b =
	        open_backend("http", json_pack("{s:s, s:s, s:s, s:s, s:s}", "address", addr,
	                                       "username", "u", "password", "p", "retry_wait_min",
	                                       "0.01", "retry_wait_max", "0.02"));
	state *s = NULL;
	assert_int_equal(state_backend_read(b, &s), 0);
	assert_null(s);
	assert_int_equal(atomic_load(&F.flaky_calls), 3);
	assert_string_equal(F.auth, "Basic dTpw");
	/* No lock_address: locking is a no-op, as in terraform. */
	assert_int_equal(state_backend_lock_wait(b, "OperationTypeApply", 0), 0);
	state_backend_free(b);
	free(addr);

	atomic_store(&F.flaky_calls, 0);
	addr = gf_xasprintf("%s/flaky", F.url);
	b = open_backend("http", json_pack("{s:s, s:i}", "address", addr, "retry_max", 0));
	assert_int_equal(state_backend_read(b, &s), GF_ERROR);
	assert_non_null(strstr(gf_err_msg(), "503"));
	assert_non_null(strstr(gf_err_msg(), "try later"));
	state_backend_free(b);
	free(addr);

	/* A retried LOCK that finds the lock held by its own ID has it. */
	addr = gf_xasprintf("%s/lossy", F.url);
	b = open_backend("http",
	                 json_pack("{s:s, s:s, s:s, s:s}", "address", addr, "lock_address", addr,
	                           "retry_wait_min", "0.01", "retry_wait_max", "0.02"));
	if (state_backend_lock_wait(b, "OperationTypeApply", 0) != 0)
		fail_msg("%s", gf_err_msg());
	assert_int_equal(atomic_load(&F.lock_calls), 2);
	assert_non_null(strstr(F.lock_body, state_backend_lock_id(b)));
	assert_int_equal(state_backend_unlock(b), 0);
	state_backend_free(b);
	free(addr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_handler),
	        cmocka_unit_test(test_handler_durability),
	        cmocka_unit_test(test_http_backend),
	        cmocka_unit_test(test_gitfleet_backend),
	        cmocka_unit_test(test_http_retry_and_auth),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
