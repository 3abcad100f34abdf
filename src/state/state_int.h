/* Private to src/state: helpers shared by its files, and the backend
 * interface every backend implements. */
#ifndef GF_STATE_INT_H
#define GF_STATE_INT_H

#include "state/state.h"

void state_instance_free(state_instance *i);
void state_resource_free(state_resource *r);
/* The resource of `a` (its key sets the resource's "each"), created empty
 * when absent; `provider` as for state_instance_ensure. */
state_resource *state_resource_ensure(state *s, const state_addr *a, const char *provider);
/* Puts resources, instances and outputs in serialisation order (note 3). */
void state_sort(state *s);
/* qsort comparator of C strings held by pointer. */
int state_strcmp_ptr(const void *a, const void *b);
/* Appends `j` with the state file's formatting (2-space indent, final
 * newline). */
int state_json_dump(gf_buf *out, const json_t *j);

/* What a backend implements. Every function returns 0 or a negative code
 * with the message set. */
typedef struct {
	/* The stored bytes into `out`; *found false when there is no state. */
	int (*get)(state_backend *b, gf_buf *out, bool *found);
	/* Replaces the stored state with `data` whole (the lock ID is in b). */
	int (*put)(state_backend *b, const char *data, size_t len);
	int (*del)(state_backend *b);
	/* Takes the lock described by `li`; GF_ELOCKED with *holder filled. */
	int (*lock)(state_backend *b, const state_lock_info *li, state_lock_info *holder);
	/* Releases the lock of ID `id` (b's own, or another's when forced). */
	int (*unlock)(state_backend *b, const char *id, bool force);
	void (*free)(state_backend *b);
} state_backend_ops;

struct state_backend {
	const state_backend_ops *ops;
	const char *type;
	char *describe;
	char *lock_path; /* the Path of LockInfo */
	bool locked;
	state_lock_info lock;
	/* The state last read or written through b (note 4). */
	bool known;     /* `stored` below reflects the backend */
	bool stored;    /* a state exists there */
	int64_t serial; /* its serial */
	char lineage[STATE_UUID_LEN];
	/* Its canonical JSON, made only when a write or push compares with it
	 * (a plan reads and never writes): after a read `json` holds the bytes
	 * as read and `canonical` is false. */
	gf_buf json;
	bool canonical;
	void *impl;
};

int state_backend_local_open(state_backend *b, const json_t *config, const char *dir);
int state_backend_http_open(state_backend *b, const json_t *config);
int state_backend_gitfleet_open(state_backend *b, const json_t *config);

/* Sleeps `s` seconds (fractions too): the pause between tries of a lock
 * or a request. */
void state_pause(double s);

/* Reads an optional string argument of a backend configuration;
 * GF_EINVALID naming `type`.`key` when it is not a string. */
int state_config_string(const char **out, const json_t *config, const char *type, const char *key);
/* Refuses arguments not in `known` (NULL-terminated) with a suggestion. */
int state_config_check(const json_t *config, const char *type, const char *const *known);

#endif
