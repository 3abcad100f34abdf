/*
 * The http backend (Terraform's http backend protocol) and the gitfleet
 * backend, which is the same protocol against the daemon's
 * /v1/state/{name}:
 *
 *   GET    address            200 + state | 204 or 404: no state yet
 *   POST   address[?ID=lock]  the whole new state; 2xx
 *   DELETE address            2xx
 *   LOCK   lock_address       LockInfo JSON; 200 taken, 409/423 + the
 *                             holder's LockInfo: held by someone else
 *   UNLOCK unlock_address     LockInfo JSON of the lock; 200
 *
 * Requests failing without an answer (unreachable, timeout) or answered
 * 5xx are retried retry_max times, waiting retry_wait_min doubling up to
 * retry_wait_max seconds between tries.
 */
#include "state/state.h"
#include "state/state_int.h"

#include "cloud/cloud.h"
#include "http/api.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char *url;  /* for http_client_req.url */
	char *path; /* appended to it ("" for the http backend) */
	char *lock_url, *lock_path, *unlock_url, *unlock_path;
	char *update_method, *lock_method, *unlock_method;
	char *token;      /* bearer (gitfleet backend) */
	char *auth;       /* "Authorization: Basic ..." or NULL */
	const char *peer; /* for messages */
	const char *hint;
	int retry_max;
	double retry_wait_min, retry_wait_max;
} remote;

/* One request with the retry policy; 0 with *resp for any answer. */
static int call(remote *r, http_client_resp *resp, const char *method, const char *url,
                const char *path, const char *body, size_t len)
{
	const char *headers[] = {r->auth, NULL};
	http_client_req req = {
	        .method = method,
	        .url = url,
	        .path = path,
	        .token = r->token,
	        .headers = r->auth ? headers : NULL,
	        .content_type = body ? "application/json" : NULL,
	        .body = body,
	        .body_len = len,
	        .max_body = 256u << 20,
	        .peer_name = r->peer,
	        .hint = r->hint,
	};
	double wait = r->retry_wait_min;
	for (int attempt = 0;; attempt++) {
		memset(resp, 0, sizeof(*resp));
		int rc = http_client_request(resp, &req);
		bool retry = rc == HTTP_EUNREACHABLE || rc == HTTP_ETIMEOUT ||
		             (rc == 0 && resp->status >= 500);
		if (!retry || attempt >= r->retry_max)
			return rc;
		http_client_resp_dispose(resp);
		state_pause(wait);
		wait = GF_MIN(wait * 2, r->retry_wait_max);
	}
}

/* "METHOD URL: STATUS REASON: body" for unexpected answers. */
static int unexpected(remote *r, const http_client_resp *resp, const char *method, const char *what)
{
	const char *body = gf_buf_cstr(&resp->body);
	json_t *j = json_loads(body, 0, NULL);
	const char *msg = body;
	json_t *e = json_object_get(json_object_get(j, "error"), "message");
	if (json_is_string(e))
		msg = json_string_value(e);
	gf_err_set(GF_ERROR, "%s: %s failed: %s answered %d %s%s%.300s", r->peer, what, method,
	           resp->status, http_reason(resp->status), *msg ? ": " : "", msg);
	json_decref(j);
	return GF_ERROR;
}

static int remote_get(state_backend *b, gf_buf *out, bool *found)
{
	remote *r = b->impl;
	http_client_resp resp;
	*found = false;
	int rc = call(r, &resp, "GET", r->url, r->path, NULL, 0);
	if (rc == 0) {
		if (resp.status == 200) {
			*found = resp.body.len > 0;
			rc = gf_buf_put(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		} else if (resp.status != 204 && resp.status != 404) {
			rc = unexpected(r, &resp, "GET", "reading the state");
		}
	}
	http_client_resp_dispose(&resp);
	return rc;
}

static int remote_put(state_backend *b, const char *data, size_t len)
{
	remote *r = b->impl;
	http_client_resp resp;
	char *path = NULL;
	if (b->locked) {
		const char *base = *r->path ? r->path : "";
		bool has_query = strchr(r->url, '?') || strchr(base, '?');
		path = gf_xasprintf("%s%sID=%s", base, has_query ? "&" : "?", b->lock.id);
	}
	int rc = call(r, &resp, r->update_method, r->url, path ? path : r->path, data, len);
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = unexpected(r, &resp, r->update_method, "writing the state");
	http_client_resp_dispose(&resp);
	free(path);
	return rc;
}

static int remote_del(state_backend *b)
{
	remote *r = b->impl;
	http_client_resp resp;
	int rc = call(r, &resp, "DELETE", r->url, r->path, NULL, 0);
	if (rc == 0 && (resp.status < 200 || resp.status > 299) && resp.status != 404)
		rc = unexpected(r, &resp, "DELETE", "deleting the state");
	http_client_resp_dispose(&resp);
	return rc;
}

static int remote_lock(state_backend *b, const state_lock_info *li, state_lock_info *holder)
{
	remote *r = b->impl;
	http_client_resp resp;
	if (!*r->lock_url)
		return 0;
	json_t *j = state_lock_info_to_json(li);
	char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	int rc = call(r, &resp, r->lock_method, r->lock_url, r->lock_path, body, strlen(body));
	free(body);
	if (rc == 0) {
		if (resp.status == 409 || resp.status == 423) {
			if (resp.body.len)
				state_lock_info_parse(holder, resp.body.ptr, resp.body.len);
			/* A retried LOCK whose first try took the lock but lost its
			 * answer (a timeout, a proxy's 502/504) finds our own ID. */
			if (strcmp(holder->id, li->id) != 0)
				rc = gf_err_set(GF_ELOCKED, "%s: the state is locked (HTTP %d)",
				                r->peer, resp.status);
		} else if (resp.status < 200 || resp.status > 299) {
			rc = unexpected(r, &resp, r->lock_method, "locking the state");
		}
	}
	http_client_resp_dispose(&resp);
	return rc;
}

static int remote_unlock(state_backend *b, const char *id, bool force)
{
	remote *r = b->impl;
	http_client_resp resp;
	state_lock_info li;
	if (!*r->unlock_url)
		return 0;
	if (b->locked && strcmp(b->lock.id, id) == 0)
		li = b->lock;
	else {
		memset(&li, 0, sizeof(li));
		snprintf(li.id, sizeof(li.id), "%s", id);
	}
	json_t *j = state_lock_info_to_json(&li);
	char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	int rc =
	        call(r, &resp, r->unlock_method, r->unlock_url, r->unlock_path, body, strlen(body));
	free(body);
	if (rc == 0 && (resp.status == 409 || resp.status == 423)) {
		state_lock_info holder;
		memset(&holder, 0, sizeof(holder));
		if (resp.body.len)
			state_lock_info_parse(&holder, resp.body.ptr, resp.body.len);
		rc = gf_err_set(GF_EINVALID,
		                "%s: lock ID \"%s\" does not match the existing lock ID \"%s\"",
		                r->peer, id, holder.id);
	} else if (rc == 0 && resp.status == 404 && force) {
		rc = gf_err_set(GF_ENOTFOUND, "%s: the state is not locked", r->peer);
	} else if (rc == 0 && (resp.status < 200 || resp.status > 299)) {
		rc = unexpected(r, &resp, r->unlock_method, "unlocking the state");
	}
	http_client_resp_dispose(&resp);
	return rc;
}

static void remote_free(state_backend *b)
{
	remote *r = b->impl;
	if (!r)
		return;
	free(r->url);
	free(r->path);
	free(r->lock_url);
	free(r->lock_path);
	free(r->unlock_url);
	free(r->unlock_path);
	free(r->update_method);
	free(r->lock_method);
	free(r->unlock_method);
	free(r->token);
	free(r->auth);
	free(r);
}

static const state_backend_ops remote_ops = {
        remote_get, remote_put, remote_del, remote_lock, remote_unlock, remote_free,
};

/* A number argument given as a number or a numeric string (as
 * -backend-config values are). */
static int config_number(double *out, const json_t *config, const char *key, double def, double min,
                         double max)
{
	const json_t *v = json_object_get(config, key);
	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_number(v))
		*out = json_number_value(v);
	else if (!json_is_string(v) || gf_str_to_seconds(out, json_string_value(v)) < 0)
		return gf_err_set(GF_EINVALID, "backend \"http\": \"%s\" must be a number", key);
	if (*out < min || *out > max)
		return gf_err_set(GF_EINVALID, "backend \"http\": \"%s\" must be within %g-%g", key,
		                  min, max);
	return 0;
}

static int check_url(const char *key, const char *url)
{
	if (url && !gf_str_has_prefix(url, "http://"))
		return gf_err_set(GF_EINVALID,
		                  "backend \"http\": \"%s\" must be an http:// URL (got \"%s\"); "
		                  "https is not supported yet",
		                  key, url);
	return 0;
}

int state_backend_http_open(state_backend *b, const json_t *config)
{
	static const char *const known[] = {"address",
	                                    "update_method",
	                                    "lock_address",
	                                    "unlock_address",
	                                    "lock_method",
	                                    "unlock_method",
	                                    "username",
	                                    "password",
	                                    "skip_cert_verification",
	                                    "retry_max",
	                                    "retry_wait_min",
	                                    "retry_wait_max",
	                                    NULL};
	const char *address, *lock, *unlock, *update, *lm, *um, *user, *pass;
	double retry_max, wmin, wmax;
	int rc;
	if ((rc = state_config_check(config, "http", known)) < 0 ||
	    (rc = state_config_string(&address, config, "http", "address")) < 0 ||
	    (rc = state_config_string(&lock, config, "http", "lock_address")) < 0 ||
	    (rc = state_config_string(&unlock, config, "http", "unlock_address")) < 0 ||
	    (rc = state_config_string(&update, config, "http", "update_method")) < 0 ||
	    (rc = state_config_string(&lm, config, "http", "lock_method")) < 0 ||
	    (rc = state_config_string(&um, config, "http", "unlock_method")) < 0 ||
	    (rc = state_config_string(&user, config, "http", "username")) < 0 ||
	    (rc = state_config_string(&pass, config, "http", "password")) < 0 ||
	    (rc = config_number(&retry_max, config, "retry_max", 2, 0, 100)) < 0 ||
	    (rc = config_number(&wmin, config, "retry_wait_min", 1, 0, 3600)) < 0 ||
	    (rc = config_number(&wmax, config, "retry_wait_max", 30, 0, 3600)) < 0)
		return rc;
	if (!address || !*address)
		return gf_err_set(
		        GF_EINVALID,
		        "backend \"http\": \"address\" is required: the URL of the state");
	if ((rc = check_url("address", address)) < 0 ||
	    (rc = check_url("lock_address", lock)) < 0 ||
	    (rc = check_url("unlock_address", unlock)) < 0)
		return rc;
	remote *r = gf_xcalloc(1, sizeof(*r));
	r->url = gf_xstrdup(address);
	r->path = gf_xstrdup("");
	/* Without lock_address the backend cannot lock (as in Terraform);
	 * locking is then a no-op that always succeeds. */
	r->lock_url = gf_xstrdup(lock && *lock ? lock : "");
	r->lock_path = gf_xstrdup("");
	r->unlock_url = gf_xstrdup(unlock && *unlock ? unlock : r->lock_url);
	r->unlock_path = gf_xstrdup("");
	r->update_method = gf_xstrdup(update && *update ? update : "POST");
	r->lock_method = gf_xstrdup(lm && *lm ? lm : "LOCK");
	r->unlock_method = gf_xstrdup(um && *um ? um : "UNLOCK");
	if (user || pass) {
		char *plain = gf_xasprintf("%s:%s", user ? user : "", pass ? pass : "");
		size_t n = strlen(plain);
		char *enc = gf_xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)enc, (const unsigned char *)plain, (int)n);
		r->auth = gf_xasprintf("Authorization: Basic %s", enc);
		free(enc);
		free(plain);
	}
	r->peer = "the http state backend";
	r->retry_max = (int)retry_max;
	r->retry_wait_min = wmin;
	r->retry_wait_max = GF_MAX(wmin, wmax);
	b->impl = r;
	b->ops = &remote_ops;
	b->type = "http";
	b->describe = gf_xstrdup(address);
	b->lock_path = gf_xstrdup("");
	return 0;
}

/* The name of a state on the daemon: a DNS label, as every daemon name. */
int state_backend_gitfleet_open(state_backend *b, const json_t *config)
{
	static const char *const known[] = {"name", "address", "token", NULL};
	const char *name, *address, *token;
	int rc;
	if ((rc = state_config_check(config, "gitfleet", known)) < 0 ||
	    (rc = state_config_string(&name, config, "gitfleet", "name")) < 0 ||
	    (rc = state_config_string(&address, config, "gitfleet", "address")) < 0 ||
	    (rc = state_config_string(&token, config, "gitfleet", "token")) < 0)
		return rc;
	if (!name || !*name)
		return gf_err_set(GF_EINVALID,
		                  "backend \"gitfleet\": \"name\" is required: the name of the "
		                  "state on the daemon, like name = \"site\"");
	if (!cloud_name_valid(name))
		return gf_err_set(GF_EINVALID,
		                  "backend \"gitfleet\": name \"%s\" is not valid: use 1-63 "
		                  "lowercase letters, digits and '-', not starting or ending with "
		                  "'-'",
		                  name);
	cloud_endpoint ep;
	cloud_endpoint_resolve(&ep, address, token);
	remote *r = gf_xcalloc(1, sizeof(*r));
	r->url = ep.url;
	r->token = ep.token;
	r->path = gf_xasprintf("/v1/state/%s", name);
	r->lock_url = gf_xstrdup(r->url);
	r->lock_path = gf_xstrdup(r->path);
	r->unlock_url = gf_xstrdup(r->url);
	r->unlock_path = gf_xstrdup(r->path);
	r->update_method = gf_xstrdup("POST");
	r->lock_method = gf_xstrdup("LOCK");
	r->unlock_method = gf_xstrdup("UNLOCK");
	r->peer = CLOUD_PEER_NAME;
	r->hint = CLOUD_UNREACHABLE_HINT;
	r->retry_max = 0;
	b->impl = r;
	b->ops = &remote_ops;
	b->type = "gitfleet";
	b->describe = gf_xasprintf("gitfleet daemon state \"%s\"", name);
	b->lock_path = gf_xasprintf("%s%s", r->url, r->path);
	return 0;
}
