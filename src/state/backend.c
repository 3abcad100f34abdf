/* The backend interface: what every backend shares (serial and lineage
 * rules, locking with a timeout) over its get/put/lock operations. */
#include "state/state.h"
#include "state/state_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATE_MAX_BYTES (256u << 20)

int state_config_string(const char **out, const json_t *config, const char *type, const char *key)
{
	const json_t *v = json_object_get(config, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return gf_err_set(GF_EINVALID, "backend \"%s\": \"%s\" must be a string", type,
		                  key);
	*out = json_string_value(v);
	return 0;
}

int state_config_check(const json_t *config, const char *type, const char *const *known)
{
	const char *k;
	json_t *v;
	size_t n = 0;
	while (known[n])
		n++;
	json_object_foreach((json_t *)config, k, v)
	{
		bool ok = false;
		for (size_t i = 0; i < n && !ok; i++)
			ok = strcmp(known[i], k) == 0;
		if (ok)
			continue;
		const char *s = gf_str_suggest(k, known, n);
		return gf_err_set(GF_EINVALID, "backend \"%s\": unsupported argument \"%s\"%s%s%s",
		                  type, k, s ? "; did you mean \"" : "", s ? s : "",
		                  s ? "\"?" : "");
	}
	return 0;
}

int state_backend_open(state_backend **out, const char *type, const json_t *config, const char *dir)
{
	*out = NULL;
	state_backend *b = gf_xcalloc(1, sizeof(*b));
	json_t *empty = config ? NULL : json_object();
	const json_t *cfg = config ? config : empty;
	int rc;
	gf_buf_init(&b->json, STATE_MAX_BYTES);
	if (!json_is_object(cfg))
		rc = gf_err_set(GF_EINVALID, "backend \"%s\": the configuration must be an object",
		                type);
	else if (strcmp(type, "local") == 0)
		rc = state_backend_local_open(b, cfg, dir);
	else if (strcmp(type, "http") == 0)
		rc = state_backend_http_open(b, cfg);
	else if (strcmp(type, "gitfleet") == 0)
		rc = state_backend_gitfleet_open(b, cfg);
	else {
		static const char *const types[] = {"local", "http", "gitfleet"};
		const char *s = gf_str_suggest(type, types, GF_ARRAY_LEN(types));
		rc = gf_err_set(GF_EINVALID,
		                "unsupported backend type \"%s\"%s%s%s: gitfleet has the backends "
		                "\"local\", \"http\" and \"gitfleet\"",
		                type, s ? " (did you mean \"" : "", s ? s : "", s ? "\"?)" : "");
	}
	json_decref(empty);
	if (rc < 0) {
		state_backend_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void state_backend_free(state_backend *b)
{
	if (!b)
		return;
	if (b->locked)
		state_backend_unlock(b);
	if (b->ops)
		b->ops->free(b);
	free(b->describe);
	free(b->lock_path);
	gf_buf_dispose(&b->json);
	free(b);
}

const char *state_backend_type(const state_backend *b)
{
	return b->type;
}

const char *state_backend_describe(const state_backend *b)
{
	return b->describe;
}

const char *state_backend_lock_id(const state_backend *b)
{
	return b->locked ? b->lock.id : NULL;
}

/* Remembers `s` (NULL: no state) as what the backend holds; `text` is its
 * canonical JSON. */
static int remember(state_backend *b, const state *s, const gf_buf *text)
{
	gf_buf_clear(&b->json);
	b->known = true;
	b->stored = s != NULL;
	b->canonical = true;
	if (!s)
		return 0;
	b->serial = s->serial;
	memcpy(b->lineage, s->lineage, sizeof(b->lineage));
	return gf_buf_put(&b->json, text->ptr, text->len);
}

/* After a read: the bytes as read stand for the stored state until a
 * comparison needs its canonical form (stored_json). */
static void remember_read(state_backend *b, const state *s, gf_buf *raw)
{
	b->known = true;
	b->stored = s != NULL;
	b->canonical = s == NULL;
	gf_buf_clear(&b->json);
	if (!s)
		return;
	b->serial = s->serial;
	memcpy(b->lineage, s->lineage, sizeof(b->lineage));
	gf_buf tmp = b->json;
	b->json = *raw;
	*raw = tmp;
}

/* The canonical JSON of the stored state (b->stored must be true). */
static int stored_json(state_backend *b, const gf_buf **out)
{
	*out = &b->json;
	if (b->canonical)
		return 0;
	state *s = NULL;
	gf_buf canon;
	gf_buf_init(&canon, STATE_MAX_BYTES);
	int rc = state_parse(&s, b->json.ptr, b->json.len, b->describe);
	if (rc == 0 && (rc = state_serialize(&canon, s)) == 0) {
		gf_buf tmp = b->json;
		b->json = canon;
		canon = tmp;
		b->canonical = true;
	}
	gf_buf_dispose(&canon);
	state_free(s);
	return rc;
}

/* Whether the canonical JSON of `s` is that of the stored state (b->stored
 * must be true). */
static int same_as_stored(bool *out, state_backend *b, const state *s)
{
	gf_buf mine;
	const gf_buf *known = NULL;
	gf_buf_init(&mine, STATE_MAX_BYTES);
	int rc = stored_json(b, &known);
	if (rc == 0)
		rc = state_serialize(&mine, s);
	*out = rc == 0 && mine.len == known->len && memcmp(mine.ptr, known->ptr, mine.len) == 0;
	gf_buf_dispose(&mine);
	return rc;
}

int state_backend_read_raw(state_backend *b, gf_buf *out)
{
	bool found = false;
	gf_buf_clear(out);
	return b->ops->get(b, out, &found);
}

int state_backend_read(state_backend *b, state **out)
{
	gf_buf raw;
	bool found = false;
	*out = NULL;
	gf_buf_init(&raw, STATE_MAX_BYTES);
	int rc = b->ops->get(b, &raw, &found);
	if (rc == 0 && found && raw.len > 0)
		rc = state_parse(out, raw.ptr, raw.len, b->describe);
	if (rc == 0)
		remember_read(b, *out, &raw);
	gf_buf_dispose(&raw);
	return rc;
}

/* Makes sure b knows what is stored (a read when nothing was read yet). */
static int ensure_known(state_backend *b)
{
	if (b->known)
		return 0;
	state *cur = NULL;
	int rc = state_backend_read(b, &cur);
	state_free(cur);
	return rc;
}

static int put_state(state_backend *b, const state *s)
{
	gf_buf out;
	gf_buf_init(&out, STATE_MAX_BYTES);
	int rc = state_serialize(&out, s);
	if (rc == 0)
		rc = b->ops->put(b, out.ptr, out.len);
	if (rc == 0)
		rc = remember(b, s, &out);
	gf_buf_dispose(&out);
	return rc;
}

int state_backend_write(state_backend *b, state *s)
{
	int64_t given = s->serial;
	int rc = ensure_known(b);
	if (rc < 0)
		return rc;
	if (b->stored && strcmp(b->lineage, s->lineage) != 0)
		return gf_err_set(GF_EINVALID,
		                  "%s: the stored state has lineage %s, not %s: it belongs to "
		                  "another configuration; refusing to overwrite it",
		                  b->describe, b->lineage, s->lineage);
	if (b->stored) {
		int64_t mine = s->serial;
		bool unchanged = false;
		s->serial = b->serial;
		rc = same_as_stored(&unchanged, b, s);
		if (rc < 0 || unchanged) {
			if (rc < 0)
				s->serial = mine;
			return rc;
		}
		s->serial = GF_MAX(b->serial, mine) + 1;
	} else {
		s->serial++;
	}
	/* A failed write leaves the caller's state as it was. */
	if ((rc = put_state(b, s)) < 0)
		s->serial = given;
	return rc;
}

int state_backend_push(state_backend *b, const state *s, bool force)
{
	int rc = ensure_known(b);
	if (rc < 0)
		return rc;
	if (b->stored && !force) {
		if (strcmp(b->lineage, s->lineage) != 0)
			return gf_err_set(GF_EINVALID,
			                  "cannot import state with lineage \"%s\" over unrelated "
			                  "state with lineage \"%s\"",
			                  s->lineage, b->lineage);
		if (s->serial < b->serial)
			return gf_err_set(GF_EINVALID,
			                  "cannot import state with serial %lld over newer state "
			                  "with serial %lld",
			                  (long long)s->serial, (long long)b->serial);
		if (s->serial == b->serial) {
			bool same = false;
			if ((rc = same_as_stored(&same, b, s)) < 0)
				return rc;
			if (!same)
				return gf_err_set(
				        GF_EINVALID,
				        "cannot overwrite existing state with serial %lld "
				        "with a different state that has the same serial",
				        (long long)s->serial);
		}
	}
	return put_state(b, s);
}

int state_backend_delete(state_backend *b)
{
	int rc = b->ops->del(b);
	if (rc == 0)
		remember(b, NULL, NULL);
	return rc;
}

int state_backend_lock(state_backend *b, state_lock_info *li, state_lock_info *holder)
{
	state_lock_info dummy;
	if (b->locked)
		return gf_err_set(GF_EEXISTS, "%s: the state is already locked by this process",
		                  b->describe);
	snprintf(li->path, sizeof(li->path), "%s", b->lock_path ? b->lock_path : b->describe);
	int rc = b->ops->lock(b, li, holder ? holder : &dummy);
	if (rc == 0) {
		b->lock = *li;
		b->locked = true;
	}
	return rc;
}

void state_pause(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

int state_backend_lock_wait(state_backend *b, const char *operation, double timeout)
{
	state_lock_info li, holder;
	double deadline = gf_now() + timeout, pause = 0.1;
	int rc = state_lock_info_init(&li, operation, NULL);
	if (rc < 0)
		return rc;
	for (;;) {
		memset(&holder, 0, sizeof(holder));
		rc = state_backend_lock(b, &li, &holder);
		if (rc != GF_ELOCKED)
			break;
		double left = deadline - gf_now();
		if (left <= 0)
			break;
		state_pause(GF_MIN(pause, left));
		pause = GF_MIN(pause * 2, 2.0);
	}
	if (rc == GF_ELOCKED) {
		gf_buf msg = GF_BUF_INIT;
		char *why = gf_xstrdup(gf_err_msg());
		state_lock_error_format(&msg, &holder, why);
		gf_err_set(GF_ELOCKED, "%s", gf_buf_cstr(&msg));
		free(why);
		gf_buf_dispose(&msg);
	} else if (rc < 0) {
		char *why = gf_xstrdup(gf_err_msg());
		gf_err_set(rc, "Error acquiring the state lock\n\nError message: %s", why);
		free(why);
	}
	return rc;
}

int state_backend_unlock(state_backend *b)
{
	if (!b->locked)
		return 0;
	int rc = b->ops->unlock(b, b->lock.id, false);
	b->locked = false;
	return rc;
}

int state_backend_force_unlock(state_backend *b, const char *id)
{
	return b->ops->unlock(b, id, true);
}
