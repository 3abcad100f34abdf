/*
 * statesrv — the daemon side of the gitfleet state backend: Terraform's
 * http backend protocol at /v1/state/{name}, with states and locks kept in
 * the daemon's SQLite inventory, so that every build (each in a fresh
 * checkout) and a person at a terminal share one locked state, and a lock
 * survives a daemon restart.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Protocol (docs/state.md):
 *
 *      GET    /v1/state              200 {"states": [{name, serial, lineage,
 *                                    updated, size, lock}]}
 *      GET    /v1/state/{name}       200 state JSON | 204 no state yet
 *      POST   /v1/state/{name}[?ID=] 200: the state is replaced whole.
 *                                    400 not a valid state; 409 + LockInfo:
 *                                    locked and ID missing or not the lock's
 *      DELETE /v1/state/{name}[?ID=] 200 (also when absent); 409 as POST
 *      LOCK   /v1/state/{name}       LockInfo body. 200 taken (or already
 *                                    held with that ID); 423 + the holder's
 *                                    LockInfo when someone else holds it
 *      UNLOCK /v1/state/{name}       LockInfo body. 200 released; 409 + the
 *                                    holder's LockInfo: another ID; 404 not
 *                                    locked. An empty body (or no ID)
 *                                    releases whatever lock there is, as
 *                                    Terraform's force-unlock sends it.
 *
 * 2. Storage: two tables of the inventory database (tf_states, tf_locks)
 *    created by this module on its own connection, so the cloud store's
 *    schema is untouched. Every change is one SQL statement or one
 *    transaction: a POST replaces the whole state or changes nothing.
 *
 *    Durability differs by what is written. A state write (POST, DELETE)
 *    is on disk before it is answered (synchronous=FULL: the WAL is
 *    fsynced), so a state an apply was told is saved survives a power
 *    loss. A lock change (LOCK, UNLOCK) is not synced (synchronous=NORMAL,
 *    as the inventory's): it survives a daemon restart, the next synced
 *    state write carries it to disk, and it costs no fsync on the loop
 *    thread (a plan and an apply take and release the lock once each, on
 *    the path of every push). What a power loss can do to a lock: forget
 *    one taken just before (its holder lost the daemon mid-operation and
 *    fails anyway), or bring back one released just before; the next
 *    operation then reports the lock and `gitfleet force-unlock ID`
 *    releases it.
 *
 * 3. Authorization: every route runs on the daemon's API server (unix
 *    socket trusted, TCP with the bearer token). A `may_write` callback
 *    (statesrv_set_write_check) can refuse POST, DELETE, LOCK and UNLOCK
 *    for a request (403): the hook for read-only tokens of pull-request
 *    builds.
 *
 * Threads: statesrv_handle and the routes run on the daemon's loop thread.
 */
#ifndef GF_STATESRV_H
#define GF_STATESRV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

typedef struct statesrv statesrv;
typedef struct http_server http_server;
typedef struct http_req http_req;

/* Opens (creating its tables in) the SQLite database at `db_path`, the
 * daemon's inventory. */
int statesrv_open(statesrv **out, const char *db_path);
void statesrv_free(statesrv *s);

/* Registers the routes of note 1 on the API server. */
int statesrv_register(http_server *srv, statesrv *s);

/* Note 3: `fn` says whether `req` may change state `name`. */
typedef bool (*statesrv_write_fn)(http_req *req, const char *name, void *payload);
void statesrv_set_write_check(statesrv *s, statesrv_write_fn fn, void *payload);

/* One request of note 1, without HTTP: `name` NULL for the list, `id` the
 * ?ID= query (may be NULL). *body is malloc'd (may be NULL for none). */
typedef struct {
	int status;
	char *body;
	size_t len;
} statesrv_reply;

void statesrv_handle(statesrv *s, statesrv_reply *out, const char *method, const char *name,
                     const char *id, const char *body, size_t len);

#endif
