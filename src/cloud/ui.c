/* The daemon's routes for people and scrapers (cloud.h: cloud_ui_register):
 * GET /metrics, the dashboard's files, and the dashboard's read-only
 * sessions with the auth check that accepts them (docs/dashboard.md). */
#include "ui/ui.h"
#include "cloud/daemon_int.h"
#include "http/api.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_IDLE 43200.0 /* s without a request before a session ends */
#define MAX_SESSIONS 256     /* the oldest is dropped past this */

/* The policy of every dashboard answer: only our own files, no framing. */
#define UI_CSP                                                                            \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

typedef struct {
	char token[65];
	double last; /* gf_now() of its last use */
} ui_session;

struct cloud_ui {
	cloud_daemon *d;
	char *api_token;
	ui_session sessions[MAX_SESSIONS];
	size_t nsessions;
};

void cloud_ui_free(cloud_ui *u)
{
	if (!u)
		return;
	free(u->api_token);
	OPENSSL_cleanse(u->sessions, sizeof(u->sessions));
	free(u);
}

/* ---- the trust rule (pure) ----------------------------------------------------- */

static bool host_is_loopback(const char *host, size_t n)
{
	char h[64];
	if (n == 0 || n >= sizeof(h))
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "::1") == 0)
		return true;
	/* 127.a.b.c, digits and dots only */
	if (strncmp(h, "127.", 4) != 0)
		return false;
	int dots = 0;
	for (const char *p = h + 4; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return false;
	}
	return dots == 2;
}

bool cloud_ui_trusted(const char *peer_addr, const char *host)
{
	if (gf_str_has_prefix(peer_addr, "unix:"))
		return true;
	bool loop_peer = gf_str_has_prefix(peer_addr, "127.") ||
	                 gf_str_has_prefix(peer_addr, "[::1]:") ||
	                 gf_str_has_prefix(peer_addr, "[::ffff:127.");
	if (!loop_peer || !host)
		return false;
	/* The Host field's name and port: "[::1]:7070", "localhost:7070". */
	const char *name = host, *end;
	if (host[0] == '[') {
		name++;
		end = strchr(host, ']');
		if (!end)
			return false;
		if (*++end != '\0' && *end != ':')
			return false;
	} else {
		end = host + strcspn(host, ":");
	}
	if (*end == ':' && strspn(end + 1, "0123456789") != strlen(end + 1))
		return false;
	return host_is_loopback(name, (size_t)(end - name) - (host[0] == '['));
}

bool cloud_ui_session_allows(const char *method, const char *path)
{
	if (strcmp(method, "DELETE") == 0)
		return strcmp(path, "/ui/session") == 0; /* logging out */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return false;
	if (strcmp(path, "/metrics") == 0)
		return true;
	/* Terraform states may hold secrets: they are the CLI's business. */
	return gf_str_has_prefix(path, "/v1/") && !gf_str_has_prefix(path, "/v1/state/") &&
	       strcmp(path, "/v1/state") != 0;
}

/* ---- sessions ---------------------------------------------------------------------- */

static ui_session *session_find(cloud_ui *u, const char *token)
{
	size_t tl = strlen(token);
	double now = gf_now();
	for (size_t i = 0; i < u->nsessions;) {
		ui_session *s = &u->sessions[i];
		if (now - s->last > SESSION_IDLE) {
			*s = u->sessions[--u->nsessions];
			continue;
		}
		if (tl == strlen(s->token) && CRYPTO_memcmp(token, s->token, tl) == 0)
			return s;
		i++;
	}
	return NULL;
}

static int ui_auth(const char *method, const char *path, const char *token, char *why,
                   size_t why_len, void *payload)
{
	ui_session *s = session_find(payload, token);
	if (!s)
		return 0;
	if (!cloud_ui_session_allows(method, path)) {
		snprintf(why, why_len,
		         "a dashboard session may only read (GET /v1/..., /metrics), not %s %s: "
		         "changes go through git and the CLI, with the API token",
		         method, path);
		return 403;
	}
	s->last = gf_now();
	return 1;
}

static void session_new(cloud_ui *u, char token[65])
{
	unsigned char raw[32];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort(); /* no randomness: nothing safe to hand out */
	if (u->nsessions == MAX_SESSIONS) {
		size_t oldest = 0;
		for (size_t i = 1; i < u->nsessions; i++)
			if (u->sessions[i].last < u->sessions[oldest].last)
				oldest = i;
		u->sessions[oldest] = u->sessions[--u->nsessions];
	}
	ui_session *s = &u->sessions[u->nsessions++];
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(s->token + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
	s->last = gf_now();
	memcpy(token, s->token, 65);
}

static void h_session(http_req *req, void *payload)
{
	cloud_ui *u = payload;
	json_t *body = NULL;
	size_t len;
	http_req_body(req, &len);
	if (len && http_req_json(&body, req) < 0)
		return;
	const char *given = json_string_value(json_object_get(body, "token"));
	bool trusted = cloud_ui_trusted(http_req_peer(req)->addr, http_req_header(req, "Host"));
	bool ok = given ? u->api_token && strlen(given) == strlen(u->api_token) &&
	                          CRYPTO_memcmp(given, u->api_token, strlen(given)) == 0
	                : trusted;
	json_decref(body);
	if (!ok) {
		if (given)
			gf_log(GF_LOG_WARN, "dashboard login refused", "peer=%s",
			       http_req_peer(req)->addr);
		http_respond_error(req, 401, given ? "unauthorized" : "login_required", "token",
		                   given ? "this is not the daemon's API token (the file api-token "
		                           "in its home)"
		                         : "sign in with the daemon's API token (the file "
		                           "api-token in its home)");
		return;
	}
	char token[65];
	session_new(u, token);
	http_respond_json(req, 201,
	                  json_pack("{s:s, s:f, s:b}", "session", token, "idle_timeout",
	                            SESSION_IDLE, "trusted", given == NULL));
	OPENSSL_cleanse(token, sizeof(token));
}

static void h_logout(http_req *req, void *payload)
{
	cloud_ui *u = payload;
	const char *auth = http_req_header(req, "Authorization");
	ui_session *s =
	        auth && strncasecmp(auth, "Bearer ", 7) == 0 ? session_find(u, auth + 7) : NULL;
	if (s)
		*s = u->sessions[--u->nsessions];
	http_respond(req, 204, NULL, NULL, 0);
}

/* ---- files and metrics ---------------------------------------------------------------- */

static void serve(http_req *req, const char *name)
{
	const ui_asset *a = ui_asset_find(name);
	if (!a) {
		http_respond_error(req, 404, "not_found", NULL, "the dashboard has no file %s",
		                   name);
		return;
	}
	http_resp_header(req, "ETag", a->etag);
	http_resp_header(req, "Cache-Control", "no-cache");
	http_resp_header(req, "X-Content-Type-Options", "nosniff");
	http_resp_header(req, "Referrer-Policy", "no-referrer");
	if (gf_str_has_suffix(name, ".html")) {
		http_resp_header(req, "Content-Security-Policy", UI_CSP);
		http_resp_header(req, "X-Frame-Options", "DENY");
	}
	const char *inm = http_req_header(req, "If-None-Match");
	if (inm && strstr(inm, a->etag)) {
		http_respond(req, 304, NULL, NULL, 0);
		return;
	}
	http_respond(req, 200, ui_content_type(name), a->data, a->len);
}

static void h_index(http_req *req, void *payload)
{
	serve(req, "index.html");
}

static void h_file(http_req *req, void *payload)
{
	serve(req, http_req_param(req, "file"));
}

static void h_metrics(http_req *req, void *payload)
{
	cloud_ui *u = payload;
	gf_buf b;
	gf_buf_init(&b, 0);
	metrics_writer w;
	metrics_init(&w, &b);
	cloud_metrics_write(u->d, &w);
	http_respond(req, 200, METRICS_CONTENT_TYPE, gf_buf_cstr(&b), b.len);
	gf_buf_dispose(&b);
}

int cloud_ui_register(http_server *s, cloud_daemon *d, const char *api_token)
{
	cloud_ui *u = gf_xcalloc(1, sizeof(*u));
	u->d = d;
	u->api_token = api_token ? gf_xstrdup(api_token) : NULL;
	cloud_ui_free(d->ui);
	d->ui = u;
	http_route_opts pub = {.public = true};
	http_route_opts login = {.public = true, .max_body = 4096};
	int rc;
	if ((rc = http_server_route(s, "GET", "/metrics", h_metrics, u, NULL)) < 0 ||
	    (rc = http_server_route(s, "GET", "/", h_index, u, &pub)) < 0 ||
	    (rc = http_server_route(s, "GET", "/ui/{file}", h_file, u, &pub)) < 0 ||
	    (rc = http_server_route(s, "POST", "/ui/session", h_session, u, &login)) < 0 ||
	    (rc = http_server_route(s, "DELETE", "/ui/session", h_logout, u, NULL)) < 0)
		return rc;
	return http_server_add_auth(s, ui_auth, u);
}
