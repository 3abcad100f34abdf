/*
 * git's smart HTTP protocol for hosted repositories, through the daemon's
 * API listeners: `git clone/fetch/push http://HOST:PORT/git/PROJECT.git`.
 *
 * git itself speaks the protocol: each request runs `git http-backend` as a
 * CGI program (RFC 3875) with GIT_PROJECT_ROOT at the home's repos/ and
 * REMOTE_USER set (which is what enables receive-pack, i.e. push). A push
 * then runs the repository's post-receive hook exactly as a local push
 * does, so it starts builds the same way.
 *
 * Authentication. The API token is the password of HTTP basic auth (any
 * user name; it becomes REMOTE_USER in the repository's reflog when it is
 * a plain name), which is what git asks for when it is answered 401 with
 * `WWW-Authenticate: Basic`. The API token as a bearer token, and the
 * trusted admin socket, are accepted as well; build tokens are not: a
 * build pushes nowhere through here.
 *
 * Bodies. A request body (a pushed pack, sent chunked by git when it is
 * larger than http.postBuffer) is spooled to an unlinked temporary file in
 * the home as it arrives, then given to http-backend as its stdin with an
 * exact CONTENT_LENGTH: the CGI never sees chunked framing, and a slow
 * backend never holds the connection's buffers. The answer streams back
 * as it is produced (chunked); reading from the backend pauses while the
 * client has more than QUEUE_HIGH bytes unread, so a large clone to a slow
 * client is paced instead of dropped.
 *
 *   handler ──spawn──► RUNNING ──stdout: CGI head──► streaming ──EOF + exit──► end
 *      │                  └── the client leaves: SIGKILL, then the same end
 *      └── 401 / 404 (nothing spawned)
 */
#include "http/api.h"
#include "pipeline/service_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define GIT_BODY_MAX  ((size_t)2 << 30) /* a pushed pack */
#define CGI_HEAD_MAX  (64u << 10)
#define QUEUE_HIGH    (1u << 20)
#define QUEUE_LOW     (256u << 10)
#define QUEUE_POLL_MS 10

typedef struct {
	pipeline_service *ps;
	http_req *req; /* NULL once answered or gone */
	int body_fd;   /* the spooled request body; -1 if none */
	size_t body_len;
	char user[65];
	uv_process_t proc;
	uv_pipe_t out;
	uv_timer_t pace;
	int handles;
	bool spawned, exited, eof, head_done, paused;
	gf_buf head; /* the CGI head while it arrives */
} git_req;

/* ---- authentication ---------------------------------------------------------------- */

/* A plain user name for the reflog, or NULL. */
static bool plain_name(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Basic credentials whose password is `token`; the user name into user. */
static bool basic_ok(const char *auth, const char *token, char user[65])
{
	if (!auth || !token || strncasecmp(auth, "Basic ", 6))
		return false;
	const char *b64 = auth + 6;
	while (*b64 == ' ')
		b64++;
	size_t n = strlen(b64);
	unsigned char raw[1024];
	if (n == 0 || n % 4 || n / 4 * 3 >= sizeof(raw))
		return false;
	int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return false;
	len -= (b64[n - 1] == '=') + (b64[n - 2] == '=');
	const unsigned char *colon = memchr(raw, ':', (size_t)len);
	if (!colon)
		return false;
	size_t ul = (size_t)(colon - raw), pl = (size_t)len - ul - 1, tl = strlen(token);
	if (pl != tl || CRYPTO_memcmp(colon + 1, token, tl))
		return false;
	if (plain_name((const char *)raw, ul)) {
		memcpy(user, raw, ul);
		user[ul] = '\0';
	}
	return true;
}

/* May this request use git over HTTP? Sets user (default "gitfleet"). */
static bool git_auth(http_req *req, const pipeline_service *ps, char user[65])
{
	const http_peer *p = http_req_peer(req);
	snprintf(user, 65, "gitfleet");
	/* The admin socket, or the API token as a bearer token. */
	if (p->authorized && !p->app_token)
		return true;
	return basic_ok(http_req_header(req, "Authorization"), ps->api_token, user);
}

static void deny(http_req *req)
{
	http_resp_header(req, "WWW-Authenticate", "Basic realm=\"gitfleet\", charset=\"UTF-8\"");
	http_respond_error(req, 401, "unauthorized", NULL,
	                   "git over HTTP needs the daemon's API token as the password "
	                   "(HOME/api-token of the daemon)");
}

/* ---- life ---------------------------------------------------------------------------- */

static void maybe_free(git_req *g)
{
	if (g->req || g->handles)
		return;
	if (g->body_fd >= 0)
		close(g->body_fd);
	gf_buf_dispose(&g->head);
	free(g);
}

static void on_closed(uv_handle_t *h)
{
	git_req *g = h->data;
	g->handles--;
	maybe_free(g);
}

static void close_handles(git_req *g)
{
	uv_close((uv_handle_t *)&g->proc, on_closed);
	uv_close((uv_handle_t *)&g->out, on_closed);
	uv_close((uv_handle_t *)&g->pace, on_closed);
}

static void on_req_gone(http_req *req, void *payload)
{
	git_req *g = payload;
	(void)req;
	g->req = NULL;
	if (g->spawned && !g->exited)
		uv_process_kill(&g->proc, SIGKILL);
	maybe_free(g);
}

static git_req *git_req_new(http_req *req, pipeline_service *ps, const char *user)
{
	git_req *g = gf_xcalloc(1, sizeof(*g));
	g->ps = ps;
	g->req = req;
	g->body_fd = -1;
	snprintf(g->user, sizeof(g->user), "%s", user);
	gf_buf_init(&g->head, CGI_HEAD_MAX);
	http_req_set_data(req, g);
	http_req_on_close(req, on_req_gone, g);
	return g;
}

/* Both the backend's output and its life are over: end the answer. */
static void finish(git_req *g)
{
	if (!g->exited || !g->eof)
		return;
	uv_timer_stop(&g->pace);
	if (g->req) {
		if (g->head_done)
			http_stream_end(g->req);
		else
			http_respond_error(g->req, 502, "bad_gateway", NULL,
			                   "git http-backend ended without an answer (the daemon's "
			                   "log has its messages)");
		g->req = NULL;
	}
	close_handles(g);
}

/* ---- the CGI answer ------------------------------------------------------------------ */

/* Parses the CGI head in g->head (complete up to `end`) and starts the
 * answer; the bytes after it are the body's first. */
static void start_answer(git_req *g, size_t end, size_t body_at)
{
	int status = 200;
	char *ctype = NULL;
	char *text = gf_xstrndup(g->head.ptr, end);
	for (char *save = NULL, *line = strtok_r(text, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcasecmp(line, "Status"))
			status = atoi(v);
		else if (!strcasecmp(line, "Content-Type"))
			ctype = v;
		else if (strcasecmp(line, "Content-Length") && strcasecmp(line, "Connection") &&
		         strcasecmp(line, "Transfer-Encoding") && strcasecmp(line, "Date"))
			http_resp_header(g->req, line, v);
	}
	if (status < 100 || status > 599)
		status = 502;
	http_stream_begin(g->req, status, ctype);
	free(text);
	g->head_done = true;
	if (g->head.len > body_at)
		http_stream_write(g->req, g->head.ptr + body_at, g->head.len - body_at);
	gf_buf_clear(&g->head);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char chunk[65536];
	(void)h;
	(void)suggested;
	buf->base = chunk;
	buf->len = sizeof(chunk);
}

static void on_pace(uv_timer_t *t);

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	git_req *g = s->data;
	if (n < 0) {
		uv_read_stop(s);
		g->eof = true;
		finish(g);
		return;
	}
	if (!g->req || n == 0)
		return;
	if (g->head_done) {
		http_stream_write(g->req, buf->base, (size_t)n);
	} else {
		if (gf_buf_put(&g->head, buf->base, (size_t)n) < 0) {
			http_respond_error(g->req, 502, "bad_gateway", NULL,
			                   "git http-backend sent a head over %u bytes",
			                   CGI_HEAD_MAX);
			g->req = NULL;
			uv_process_kill(&g->proc, SIGKILL);
			return;
		}
		const char *h = gf_buf_cstr(&g->head);
		const char *crlf = strstr(h, "\r\n\r\n"), *lf = strstr(h, "\n\n");
		if (crlf && (!lf || crlf < lf))
			start_answer(g, (size_t)(crlf - h), (size_t)(crlf - h) + 4);
		else if (lf)
			start_answer(g, (size_t)(lf - h), (size_t)(lf - h) + 2);
	}
	if (g->req && g->head_done && http_stream_queued(g->req) > QUEUE_HIGH) {
		uv_read_stop(s);
		g->paused = true;
		uv_timer_start(&g->pace, on_pace, QUEUE_POLL_MS, QUEUE_POLL_MS);
	}
}

static void on_pace(uv_timer_t *t)
{
	git_req *g = t->data;
	if (g->req && http_stream_queued(g->req) > QUEUE_LOW)
		return;
	uv_timer_stop(t);
	g->paused = false;
	uv_read_start((uv_stream_t *)&g->out, on_alloc, on_read);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	git_req *g = p->data;
	g->exited = true;
	if (status || sig)
		gf_log(GF_LOG_WARN, "git http-backend failed", "status=%lld signal=%d",
		       (long long)status, sig);
	finish(g);
}

/* ---- requests ------------------------------------------------------------------------ */

/* An unlinked file in the home's run/ for a request body. */
static int spool_open(const pipeline_service *ps)
{
	char *run = gf_path_join(ps->home, "run");
	int fd = open(run, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) { /* a file system without O_TMPFILE */
		char *tmpl = gf_path_join(run, "git-body-XXXXXX");
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
		free(tmpl);
	}
	free(run);
	return fd;
}

static int git_body(http_req *req, const char *data, size_t len, void *payload)
{
	pipeline_service *ps = payload;
	git_req *g = http_req_data(req);
	if (!g) {
		char user[65];
		if (!git_auth(req, ps, user)) {
			http_resp_header(req, "WWW-Authenticate", "Basic realm=\"gitfleet\"");
			gf_err_set(GF_EINVALID, "git over HTTP needs the daemon's API token as the "
			                        "password (HOME/api-token of the daemon)");
			return 401;
		}
		g = git_req_new(req, ps, user);
		g->body_fd = spool_open(ps);
		if (g->body_fd < 0) {
			gf_err_errno("cannot spool the request body");
			return 500;
		}
	}
	if (g->body_len + len > GIT_BODY_MAX) {
		gf_err_set(GF_ETOOBIG, "the pushed data is larger than %zu bytes", GIT_BODY_MAX);
		return 413;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(g->body_fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gf_err_errno("cannot spool the request body");
			return 500;
		}
		off += (size_t)n;
	}
	g->body_len += len;
	return 0;
}

typedef GF_VEC(char *) strvec;

static void env_add(strvec *env, const char *name, const char *value)
{
	if (value)
		gf_vec_push(env, gf_xasprintf("%s=%s", name, value));
}

static void h_git(http_req *req, void *payload)
{
	pipeline_service *ps = payload;
	git_req *g = http_req_data(req);
	char user[65];
	if (!g && !git_auth(req, ps, user)) {
		deny(req);
		return;
	}
	const char *repo = http_req_param(req, "repo");
	size_t rl = strlen(repo);
	json_t *project = NULL;
	char name[64] = "";
	if (rl > 4 && rl - 4 < sizeof(name) && !strcmp(repo + rl - 4, ".git")) {
		memcpy(name, repo, rl - 4);
		name[rl - 4] = '\0';
		project = pl_project_get(ps, name);
	}
	const char *type =
	        json_string_value(json_object_get(json_object_get(project, "source"), "type"));
	bool hosted = type && !strcmp(type, "GITFLEET");
	json_decref(project);
	if (!hosted) {
		http_respond_error(req, 404, "not_found", NULL,
		                   "no hosted repository %s: the daemon hosts PROJECT.git for "
		                   "each project of source type GITFLEET",
		                   repo);
		if (g) {
			g->req = NULL;
			maybe_free(g);
		}
		return;
	}
	if (!g)
		g = git_req_new(req, ps, user);
	const char *path = http_req_path(req);
	const char *rest = strstr(path + 5, "/"); /* after /git/{repo} */
	char *path_info = gf_xasprintf("/%s.git%s", name, rest ? rest : "");
	char len[32];
	snprintf(len, sizeof(len), "%zu", g->body_len);
	strvec env = {0};
	env_add(&env, "PATH", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	env_add(&env, "HOME", ps->home);
	env_add(&env, "GIT_PROJECT_ROOT", ps->repos);
	env_add(&env, "GIT_HTTP_EXPORT_ALL", "1");
	env_add(&env, "GATEWAY_INTERFACE", "CGI/1.1");
	env_add(&env, "SERVER_PROTOCOL", "HTTP/1.1");
	env_add(&env, "REQUEST_METHOD", http_req_method(req));
	env_add(&env, "PATH_INFO", path_info);
	env_add(&env, "QUERY_STRING", http_req_query(req));
	env_add(&env, "REMOTE_USER", g->user);
	env_add(&env, "REMOTE_ADDR", http_req_peer(req)->addr);
	env_add(&env, "CONTENT_TYPE", http_req_header(req, "Content-Type"));
	env_add(&env, "HTTP_CONTENT_ENCODING", http_req_header(req, "Content-Encoding"));
	env_add(&env, "GIT_PROTOCOL", http_req_header(req, "Git-Protocol"));
	if (g->body_fd >= 0)
		env_add(&env, "CONTENT_LENGTH", len);
	gf_vec_push(&env, NULL);
	free(path_info);

	char *argv[] = {"git", "http-backend", NULL};
	uv_stdio_container_t stdio[3];
	if (g->body_fd >= 0 && lseek(g->body_fd, 0, SEEK_SET) == 0) {
		stdio[0].flags = UV_INHERIT_FD;
		stdio[0].data.fd = g->body_fd;
	} else {
		stdio[0].flags = UV_IGNORE;
	}
	uv_pipe_init(ps->loop, &g->out, 0);
	uv_timer_init(ps->loop, &g->pace);
	g->out.data = g->pace.data = g->proc.data = g;
	g->handles = 3;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&g->out;
	stdio[2].flags = UV_INHERIT_FD; /* its messages go to the daemon's log */
	stdio[2].data.fd = 2;
	uv_process_options_t po;
	memset(&po, 0, sizeof(po));
	po.exit_cb = on_exit_cb;
	po.file = "git";
	po.args = argv;
	po.env = env.items;
	po.stdio = stdio;
	po.stdio_count = 3;
	int e = uv_spawn(ps->loop, &g->proc, &po);
	for (size_t i = 0; i < env.len; i++)
		free(env.items[i]);
	gf_vec_dispose(&env);
	if (e < 0) {
		http_respond_error(req, 500, "internal", NULL, "cannot run git http-backend: %s",
		                   uv_strerror(e));
		g->req = NULL;
		close_handles(g);
		return;
	}
	g->spawned = true;
	uv_read_start((uv_stream_t *)&g->out, on_alloc, on_read);
}

int pl_githttp_register(http_server *s, pipeline_service *ps)
{
	http_route_opts get = {.public = true};
	http_route_opts post = {.public = true, .max_body = GIT_BODY_MAX, .on_body = git_body};
	int rc;
	if ((rc = http_server_route(s, "GET", "/git/{repo}/info/refs", h_git, ps, &get)) < 0 ||
	    (rc = http_server_route(s, "POST", "/git/{repo}/git-upload-pack", h_git, ps, &post)) <
	            0 ||
	    (rc = http_server_route(s, "POST", "/git/{repo}/git-receive-pack", h_git, ps, &post)) <
	            0)
		return rc;
	return 0;
}
