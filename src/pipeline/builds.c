/*
 * Builds in the daemon: the queue (at most one running build per project,
 * the others QUEUED in order), the preparation of a build on a worker
 * thread (fetch, resolve, checkout, read the buildspec), its environment,
 * the runner, artifacts, history rows, and the per-build API token.
 */
#include "pipeline/service_int.h"

#include "git/git.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void schedule(pipeline_service *ps);

void pl_random_hex(char *out, size_t bytes)
{
	unsigned char rnd[32];
	if (bytes > sizeof(rnd) || RAND_bytes(rnd, (int)bytes) != 1)
		gf_die("no randomness for a build id or token");
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

const char *pl_jstr(const json_t *info, const char *key)
{
	const char *s = json_string_value(json_object_get(info, key));
	return s ? s : "";
}

/* ---- history rows ------------------------------------------------------------------ */

static void save_build(pipeline_service *ps, pl_build *b, const char *reason, int64_t end_ms)
{
	char *info = json_dumps(b->info, JSON_COMPACT | JSON_SORT_KEYS);
	pl_db_exec(
	        ps,
	        "UPDATE pl_builds SET status=?, info=?, reason=?, start_ms=?, end_ms=? WHERE id=?",
	        "tttiit", pipeline_build_status_name(b->status), info, reason ? reason : "",
	        b->start_ms, end_ms, b->id);
	free(info);
	pl_notify(ps, b->project_spec, b->id, b->project, pipeline_build_status_name(b->status),
	          reason);
}

static void log_to_build(pl_build *b, const char *text)
{
	char *path = gf_path_join(b->dir, "build.log");
	FILE *f = fopen(path, "a");
	if (f) {
		gf_buf line = GF_BUF_INIT;
		pipeline_log_line(&line, gf_wall_ms(), text, strlen(text), NULL, 0);
		fputs(line.ptr, f);
		gf_buf_dispose(&line);
		fclose(f);
	}
	free(path);
}

static void build_free(pl_build *b)
{
	json_decref(b->info);
	json_decref(b->project_spec);
	pipeline_buildspec_free(b->spec);
	for (size_t i = 0; b->env && b->env[i]; i++)
		free(b->env[i]);
	free(b->env);
	for (size_t i = 0; b->mask && b->mask[i]; i++)
		free(b->mask[i]);
	free(b->mask);
	free(b->spec_text);
	free(b->dir);
	free(b->ws);
	free(b);
}

static void forget(pipeline_service *ps, pl_build *b)
{
	for (size_t i = 0; i < ps->live.len; i++)
		if (ps->live.items[i] == b) {
			memmove(&ps->live.items[i], &ps->live.items[i + 1],
			        (ps->live.len - i - 1) * sizeof(b));
			ps->live.len--;
			break;
		}
}

/* A build ends: history updated, the build leaves the queue, the next one
 * of its project may start. */
static void end_build(pipeline_service *ps, pl_build *b, pipeline_build_status st,
                      const char *reason)
{
	b->status = st;
	if (reason && reason[0])
		log_to_build(b, reason);
	save_build(ps, b, reason, gf_wall_ms());
	gf_log(GF_LOG_INFO, "build ended", "build=%s status=%s", b->id,
	       pipeline_build_status_name(st));
	forget(ps, b);
	if (b->run)
		pipeline_run_free(b->run);
	if (b->ws)
		pl_workspace_remove_async(ps, b->ws);
	build_free(b);
	if (!ps->closing)
		schedule(ps);
}

/* ---- artifacts --------------------------------------------------------------------- */

static int collect_artifacts(pl_build *b)
{
	if (!b->spec || b->spec->nartifact_files == 0)
		return 0;
	char *src = gf_path_join(b->ws, "src");
	char *dest = gf_path_join(b->dir, "artifacts");
	gf_fs_mkdirs(dest, 0755);
	int n = pl_artifacts_collect(src, b->spec, dest);
	if (n < 0)
		log_to_build(b, gf_err_msg());
	free(src);
	free(dest);
	return n < 0 ? 0 : n;
}

/* ---- running ------------------------------------------------------------------------- */

static void on_run_done(pipeline_run *r, const pipeline_run_result *res, void *payload)
{
	(void)r;
	pl_build *b = payload;
	pipeline_service *ps = b->ps;
	for (int k = 0; k < PIPELINE_PHASE_COUNT; k++) {
		const pipeline_phase_result *p = &res->phases[k];
		if (!p->start_ms)
			continue;
		pl_db_exec(
		        ps,
		        "INSERT OR REPLACE INTO pl_phases(build, phase, status, start_ms, end_ms, "
		        "exit_code) VALUES(?,?,?,?,?,?)",
		        "tttiii", b->id, pipeline_phase_name((pipeline_phase_kind)k),
		        pipeline_phase_status_name(p->status), p->start_ms, p->end_ms,
		        (int64_t)p->exit_code);
	}
	if (json_object_size(res->exported))
		json_object_set(b->info, "exported_variables", res->exported);
	if (res->status == PIPELINE_BUILD_SUCCEEDED || res->status == PIPELINE_BUILD_FAILED) {
		int n = collect_artifacts(b);
		json_object_set_new(b->info, "artifacts", json_integer(n));
	}
	end_build(ps, b, res->status, res->reason);
}

typedef GF_VEC(char *) strvec;

static void env_set(strvec *env, const char *name, const char *value)
{
	size_t n = strlen(name);
	char *kv = gf_xasprintf("%s=%s", name, value ? value : "");
	for (size_t i = 0; i < env->len; i++)
		if (!strncmp(env->items[i], name, n) && env->items[i][n] == '=') {
			free(env->items[i]);
			env->items[i] = kv;
			return;
		}
	gf_vec_push(env, kv);
}

/* Sets CODEBUILD_<name> and GITFLEET_<name>. */
static void env_both(strvec *env, const char *name, const char *value)
{
	char a[96], g[96];
	snprintf(a, sizeof(a), "CODEBUILD_%s", name);
	snprintf(g, sizeof(g), "GITFLEET_%s", name);
	env_set(env, a, value);
	env_set(env, g, value);
}

static int make_env(pl_build *b, char *err, size_t errlen)
{
	pipeline_service *ps = b->ps;
	strvec env = {0};
	strvec mask = {0};
	char *exe = gf_xstrdup(ps->exe);
	const char *path = getenv("PATH");
	char *p = gf_xasprintf("%s:%s", dirname(exe), path ? path : "/usr/bin:/bin");
	env_set(&env, "PATH", p);
	free(p);
	free(exe);
	static const char *const keep[] = {"LANG", "TZ", "GITFLEET_LOG_FORMAT"};
	for (size_t i = 0; i < GF_ARRAY_LEN(keep); i++)
		if (getenv(keep[i]))
			env_set(&env, keep[i], getenv(keep[i]));
	/* The build's own home and temporary directory, in its workspace. */
	char *bhome = gf_path_join(b->ws, "home"), *btmp = gf_path_join(b->ws, "tmp");
	env_set(&env, "HOME", bhome);
	env_set(&env, "TMPDIR", btmp);
	env_set(&env, "USER", ps->user.name);
	env_set(&env, "LOGNAME", ps->user.name);
	free(bhome);
	free(btmp);
	char *src = gf_path_join(b->ws, "src");
	char num[32], start[32];
	snprintf(num, sizeof(num), "%lld", (long long)b->number);
	snprintf(start, sizeof(start), "%lld", (long long)b->start_ms);
	const json_t *source = json_object_get(b->project_spec, "source");
	const char *type = pl_jstr(source, "type");
	char *url = !strcmp(type, "GIT") ? gf_xstrdup(pl_jstr(source, "location"))
	                                 : gf_xasprintf("%s/%s.git", ps->repos, b->project);
	env_both(&env, "SRC_DIR", src);
	env_both(&env, "RESOLVED_SOURCE_VERSION", b->resolved);
	env_both(&env, "SOURCE_VERSION", pl_jstr(b->info, "source_version"));
	env_both(&env, "SOURCE_REPO_URL", url);
	env_both(&env, "BUILD_ID", b->id);
	env_both(&env, "BUILD_NUMBER", num);
	env_both(&env, "BUILD_SUCCEEDING", "1");
	env_both(&env, "START_TIME", start);
	env_both(&env, "INITIATOR", pl_jstr(b->info, "initiator"));
	if (pl_jstr(b->info, "event")[0]) {
		env_both(&env, "WEBHOOK_EVENT", pl_jstr(b->info, "event"));
		env_both(&env, "WEBHOOK_HEAD_REF", pl_jstr(b->info, "head_ref"));
		env_both(&env, "WEBHOOK_BASE_REF", pl_jstr(b->info, "base_ref"));
		env_both(&env, "WEBHOOK_ACTOR_ACCOUNT_ID", pl_jstr(b->info, "actor"));
		env_both(&env, "WEBHOOK_PREV_COMMIT", pl_jstr(b->info, "prev_commit"));
		env_both(&env, "WEBHOOK_TRIGGER", pl_jstr(b->info, "trigger"));
	}
	free(src);
	free(url);
	/* Precedence as CodeBuild: the project's variables over the buildspec's. */
	for (size_t i = 0; i < b->spec->nvariables; i++)
		env_set(&env, b->spec->variables[i].name, b->spec->variables[i].value);
	const json_t *penv = json_object_get(b->project_spec, "environment");
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(penv, "variables"), k, v)
	        env_set(&env, k, json_string_value(v));
	const json_t *secrets = json_object_get(penv, "secrets");
	json_object_foreach((json_t *)secrets, k, v)
	        gf_vec_push(&mask, gf_xstrdup(json_string_value(v)));
	int rc = 0;
	for (size_t i = 0; i < b->spec->nsecrets; i++) {
		const char *val =
		        json_string_value(json_object_get(secrets, b->spec->secrets[i].value));
		if (!val) {
			snprintf(
			        err, errlen,
			        "env.secrets.%s names the secret \"%s\", which project %s does not "
			        "have: add it to the project's environment.secrets",
			        b->spec->secrets[i].name, b->spec->secrets[i].value, b->project);
			rc = GF_EINVALID;
			break;
		}
		env_set(&env, b->spec->secrets[i].name, val);
	}
	/* The token-only socket: the admin socket is out of a build's reach. */
	char *addr = gf_xasprintf("unix:%s", ps->build_sock);
	env_set(&env, "GITFLEET_ADDR", addr);
	free(addr);
	env_set(&env, "GITFLEET_TOKEN", b->token);
	env_set(&env, "GITFLEET_READ_ONLY", b->read_only ? "1" : "0");
	gf_vec_push(&mask, gf_xstrdup(b->token));
	gf_vec_push(&env, NULL);
	gf_vec_push(&mask, NULL);
	b->env = env.items;
	b->mask = mask.items;
	return rc;
}

/* A sanitizer build of gitfleet reserves terabytes of shadow memory, which
 * RLIMIT_DATA counts: the `gitfleet` a build runs would not start under
 * the default memory limit, so such a daemon sets none unless asked. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* A limit of the project's environment, or its default. */
static int64_t env_limit(const json_t *env, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(env, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* The resource limits of a build: the project's environment.*_limit*
 * fields, or the defaults of docs/pipeline.md. The process limit counts
 * every process of the user, so it applies by default only to a build
 * user of its own (a root daemon's). */
static void build_limits(pipeline_run_options *o, const pipeline_service *ps, const json_t *env)
{
	o->memory_mb = env_limit(env, "memory_limit_mib", SANITIZED ? 0 : PL_DEFAULT_MEMORY_MIB);
	o->file_size_mb = env_limit(env, "file_size_limit_mib", PL_DEFAULT_FILE_SIZE_MIB);
	o->processes = env_limit(env, "process_limit", ps->user.drop ? PL_DEFAULT_PROCESSES : 0);
	o->open_files = PL_DEFAULT_OPEN_FILES;
}

static void prepare_work(uv_work_t *w)
{
	pl_build *b = w->data;
	pipeline_service *ps = b->ps;
	const json_t *source = json_object_get(b->project_spec, "source");
	bool hosted = !strcmp(pl_jstr(source, "type"), "GITFLEET");
	char *repo = gf_xasprintf("%s/%s.git", hosted ? ps->repos : ps->mirrors, b->project);
	char *src = gf_path_join(b->ws, "src");
	const char *want = pl_jstr(b->info, "source_version");
	b->prep_status = PIPELINE_BUILD_FAULT;
	int rc = 0;
	if (ps->user.err[0]) {
		snprintf(b->prep_err, sizeof(b->prep_err), "%s", ps->user.err);
		rc = GF_EINVALID;
		goto done;
	}
	if ((rc = pl_workspace_create(&ps->user, b->ws)) < 0) {
		snprintf(b->prep_err, sizeof(b->prep_err), "cannot make the build's workspace: %s",
		         gf_err_msg());
		goto done;
	}
	if (!hosted && (rc = gf_git_fetch_mirror(repo, pl_jstr(source, "location"))) < 0) {
		snprintf(b->prep_err, sizeof(b->prep_err), "DOWNLOAD_SOURCE: %s", gf_err_msg());
		goto done;
	}
	const char *commit = pl_jstr(b->info, "commit");
	if ((rc = gf_git_resolve(b->resolved, NULL, repo,
	                         commit[0] ? commit
	                         : want[0] ? want
	                                   : "HEAD")) < 0) {
		snprintf(b->prep_err, sizeof(b->prep_err), "DOWNLOAD_SOURCE: %s", gf_err_msg());
		b->prep_status = PIPELINE_BUILD_FAILED;
		goto done;
	}
	/* Absent in a project saved before depth was honoured: the default.
	 * A depth past any history is all of it. */
	const json_t *dj = json_object_get(source, "git_clone_depth");
	json_int_t depth = json_is_integer(dj) ? json_integer_value(dj) : 1;
	if ((rc = gf_git_checkout(repo, b->resolved, depth > INT_MAX ? 0 : (int)depth, src)) < 0) {
		snprintf(b->prep_err, sizeof(b->prep_err), "DOWNLOAD_SOURCE: %s", gf_err_msg());
		goto done;
	}
	const char *bs = pl_jstr(source, "buildspec");
	char *bspath = gf_path_join(src, bs[0] ? bs : "buildspec.yaml");
	gf_buf text;
	gf_buf_init(&text, PIPELINE_BUILDSPEC_MAX);
	if ((rc = pl_workspace_plain_file(src, bs[0] ? bs : "buildspec.yaml")) == 0)
		rc = gf_fs_read(&text, bspath);
	free(bspath);
	if (rc < 0) {
		snprintf(b->prep_err, sizeof(b->prep_err),
		         "%s: %s (the project's source.buildspec names it)", bs,
		         rc == GF_ENOTFOUND ? "no such file in the commit" : gf_err_msg());
		b->prep_status = PIPELINE_BUILD_FAILED;
		gf_buf_dispose(&text);
		goto done;
	}
	b->spec_len = text.len;
	b->spec_text = gf_buf_detach(&text);
	/* Read by the daemon first; from now on the checkout is the build's. */
	if ((rc = pl_workspace_give(&ps->user, src)) < 0)
		snprintf(b->prep_err, sizeof(b->prep_err), "cannot prepare the workspace: %s",
		         gf_err_msg());
done:
	b->prep_rc = rc;
	free(repo);
	free(src);
}

static void prepare_done(uv_work_t *w, int status)
{
	pl_build *b = w->data;
	pipeline_service *ps = b->ps;
	b->preparing = false;
	(void)status;
	if (b->stop_requested) {
		end_build(ps, b, PIPELINE_BUILD_STOPPED, "the build was stopped before it ran");
		return;
	}
	json_object_set_new(b->info, "resolved_source_version", json_string(b->resolved));
	if (b->prep_rc < 0) {
		end_build(ps, b, b->prep_status, b->prep_err);
		return;
	}
	const char *bs = pl_jstr(json_object_get(b->project_spec, "source"), "buildspec");
	if (pipeline_buildspec_parse(&b->spec, bs, b->spec_text, b->spec_len) < 0) {
		char why[600];
		snprintf(why, sizeof(why), "YAML_FILE_ERROR: %s", gf_err_msg());
		end_build(ps, b, PIPELINE_BUILD_FAILED, why);
		return;
	}
	char err[512] = "";
	if (make_env(b, err, sizeof(err)) < 0) {
		end_build(ps, b, PIPELINE_BUILD_FAILED, err);
		return;
	}
	char *log = gf_path_join(b->dir, "build.log");
	char *scratch = gf_path_join(b->ws, "scratch");
	char *src = gf_path_join(b->ws, "src");
	json_int_t minutes = json_integer_value(json_object_get(b->project_spec, "build_timeout"));
	pipeline_run_options o = {
	        .cwd = src,
	        .env = (const char *const *)b->env,
	        .log_path = log,
	        .scratch = scratch,
	        .mask = (const char *const *)b->mask,
	        .timeout = (double)(minutes > 0 ? minutes : 60) * 60.0,
	        .set_user = ps->user.drop,
	        .uid = (unsigned)ps->user.uid,
	        .gid = (unsigned)ps->user.gid,
	        .user = ps->user.name,
	};
	build_limits(&o, ps, json_object_get(b->project_spec, "environment"));
	/* A test knob: GITFLEET_BUILD_TIMEOUT_SCALE=0.01 makes minutes short. */
	const char *scale = getenv("GITFLEET_BUILD_TIMEOUT_SCALE");
	if (scale && atof(scale) > 0)
		o.timeout *= atof(scale);
	int rc = pipeline_run_start(&b->run, ps->loop, b->spec, &o, on_run_done, b);
	free(log);
	free(scratch);
	free(src);
	if (rc < 0) {
		char why[600];
		snprintf(why, sizeof(why), "%s", gf_err_msg());
		end_build(ps, b, PIPELINE_BUILD_FAULT, why);
	}
}

static void start_build(pipeline_service *ps, pl_build *b)
{
	b->status = PIPELINE_BUILD_IN_PROGRESS;
	b->start_ms = gf_wall_ms();
	b->dir = gf_xasprintf("%s/%s/%lld", ps->builds, b->project, (long long)b->number);
	gf_fs_mkdirs(b->dir, 0700);
	pl_random_hex(b->token, 32);
	save_build(ps, b, "", 0);
	gf_log(GF_LOG_INFO, "build started", "build=%s", b->id);
	b->ws = gf_xasprintf("%s/%s/%lld", ps->build_dir, b->project, (long long)b->number);
	b->preparing = true;
	b->work.data = b;
	uv_queue_work(ps->loop, &b->work, prepare_work, prepare_done);
}

static void schedule(pipeline_service *ps)
{
	for (size_t i = 0; i < ps->live.len; i++) {
		pl_build *b = ps->live.items[i];
		if (b->status != PIPELINE_BUILD_QUEUED)
			continue;
		bool busy = false;
		for (size_t j = 0; j < ps->live.len && !busy; j++)
			busy = ps->live.items[j]->status == PIPELINE_BUILD_IN_PROGRESS &&
			       !strcmp(ps->live.items[j]->project, b->project);
		if (!busy)
			start_build(ps, b);
	}
}

/* ---- the queue ------------------------------------------------------------------------ */

json_t *pl_event_info(const hooks_event *ev, const char *initiator)
{
	hooks_event *e = (hooks_event *)ev;
	json_t *files = json_array();
	for (size_t i = 0; i < ev->nfiles; i++)
		json_array_append_new(files, json_string(ev->files[i]));
	const char *version =
	        hooks_event_is_pull_request(ev->type) ? hooks_event_trigger(e) : ev->head_ref;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
	                 "initiator", initiator, "event", hooks_event_type_name(ev->type),
	                 "head_ref", ev->head_ref, "base_ref", ev->base_ref, "actor", ev->actor,
	                 "prev_commit", ev->before, "trigger", hooks_event_trigger(e), "commit",
	                 ev->after, "source_version", version, "message", ev->message, "files",
	                 files, "read_only", hooks_event_is_pull_request(ev->type));
}

int pl_build_enqueue(pipeline_service *ps, char id[128], const char *project, json_t *info)
{
	json_t *spec = pl_project_get(ps, project);
	if (!spec) {
		json_decref(info);
		return gf_err_set(GF_ENOTFOUND, "project \"%s\" not found", project);
	}
	pl_build *b = gf_xcalloc(1, sizeof(*b));
	b->ps = ps;
	b->info = info;
	b->project_spec = spec;
	b->read_only = json_is_true(json_object_get(info, "read_only"));
	snprintf(b->project, sizeof(b->project), "%s", project);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ps->db,
	                       "SELECT COALESCE(MAX(number), 0) FROM pl_builds WHERE project=?", -1,
	                       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			b->number = sqlite3_column_int64(st, 0) + 1;
		sqlite3_finalize(st);
	}
	char u[33];
	pl_random_hex(u, 16);
	snprintf(b->id, sizeof(b->id), "%s:%.8s-%.4s-%.4s-%.4s-%.12s", project, u, u + 8, u + 12,
	         u + 16, u + 20);
	b->status = PIPELINE_BUILD_QUEUED;
	b->queued_ms = gf_wall_ms();
	char *text = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = pl_db_exec(ps,
	                    "INSERT INTO pl_builds(id, project, number, status, info, reason, "
	                    "queued_ms, start_ms, end_ms) VALUES(?,?,?,?,?,'',?,0,0)",
	                    "ttitti", b->id, project, b->number, "QUEUED", text, b->queued_ms);
	free(text);
	if (rc < 0) {
		build_free(b);
		return rc;
	}
	snprintf(id, 128, "%s", b->id);
	gf_log(GF_LOG_INFO, "build queued", "build=%s", b->id);
	pl_notify(ps, b->project_spec, b->id, b->project, "QUEUED", "");
	gf_vec_push(&ps->live, b);
	schedule(ps);
	return 0;
}

static void add_path(const char *path, void *payload)
{
	hooks_event_add_file(payload, path);
}

int pl_push_event(pipeline_service *ps, json_t **result, const char *project, const char *repo_path,
                  const char *ref, const char *before, const char *after, const char *initiator)
{
	*result = NULL;
	hooks_event ev;
	hooks_event_init(&ev);
	ev.type = HOOKS_EVENT_PUSH;
	hooks_event_set_ref(&ev, ref);
	ev.before = gf_arena_strdup(&ev.arena, before);
	ev.after = gf_arena_strdup(&ev.arena, after);
	ev.created = gf_git_is_zero(before);
	ev.deleted = gf_git_is_zero(after);
	char *repo = gf_xstrdup(repo_path);
	int rc = 0;
	if (!ev.deleted) {
		bool trunc = false;
		char oid[GF_GIT_OID_HEX];
		char *msg = NULL;
		if ((rc = gf_git_changed_files(repo, before, after, HOOKS_FILES_MAX, add_path, &ev,
		                               &trunc)) < 0 ||
		    (rc = gf_git_resolve(oid, &msg, repo, after)) < 0)
			goto done;
		ev.files_truncated = trunc;
		ev.message = gf_arena_strdup(&ev.arena, msg ? msg : "");
		free(msg);
	}
	json_t *hook = pl_webhook_get(ps, project);
	pipeline_filters *f = NULL;
	if (hook && pipeline_filters_compile(&f, json_object_get(hook, "filter_groups")) < 0) {
		rc = GF_EINVALID;
		json_decref(hook);
		goto done;
	}
	json_decref(hook);
	bool build = !ev.deleted && pipeline_filters_match(f, &ev);
	pipeline_filters_free(f);
	json_t *res = json_pack("{s:s, s:b}", "ref", ref, "build", build);
	if (ev.deleted)
		json_object_set_new(res, "reason",
		                    json_string("a deleted ref has nothing to build"));
	else if (!build)
		json_object_set_new(res, "reason",
		                    json_string("no filter group of the webhook matches"));
	if (build) {
		char id[128];
		if ((rc = pl_build_enqueue(ps, id, project, pl_event_info(&ev, initiator))) < 0) {
			json_decref(res);
			goto done;
		}
		json_object_set_new(res, "build_id", json_string(id));
	}
	*result = res;
done:
	free(repo);
	hooks_event_dispose(&ev);
	return rc;
}

int pl_hosted_push(pipeline_service *ps, json_t **result, const char *project, const char *ref,
                   const char *before, const char *after)
{
	char *repo = gf_xasprintf("%s/%s.git", ps->repos, project);
	int rc = pl_push_event(ps, result, project, repo, ref, before, after, "push");
	free(repo);
	return rc;
}

/* ---- queries ------------------------------------------------------------------------ */

pl_build *pl_build_live(pipeline_service *ps, const char *id)
{
	for (size_t i = 0; i < ps->live.len; i++)
		if (!strcmp(ps->live.items[i]->id, id))
			return ps->live.items[i];
	return NULL;
}

static json_t *row_json(pipeline_service *ps, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	json_t *info = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
	if (!info)
		info = json_object();
	json_t *b = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I}", "id", id, "project",
	                      (const char *)sqlite3_column_text(st, 1), "number",
	                      (json_int_t)sqlite3_column_int64(st, 2), "status",
	                      (const char *)sqlite3_column_text(st, 3), "reason",
	                      (const char *)sqlite3_column_text(st, 5), "queued_ms",
	                      (json_int_t)sqlite3_column_int64(st, 6), "start_ms",
	                      (json_int_t)sqlite3_column_int64(st, 7), "end_ms",
	                      (json_int_t)sqlite3_column_int64(st, 8));
	json_object_update(b, info);
	json_object_del(b, "files");
	json_decref(info);
	json_t *phases = json_array();
	sqlite3_stmt *ph = NULL;
	if (sqlite3_prepare_v2(ps->db,
	                       "SELECT phase, status, start_ms, end_ms, exit_code FROM pl_phases "
	                       "WHERE build=? ORDER BY start_ms",
	                       -1, &ph, NULL) == SQLITE_OK) {
		sqlite3_bind_text(ph, 1, id, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(ph) == SQLITE_ROW) {
			int64_t s = sqlite3_column_int64(ph, 2), e = sqlite3_column_int64(ph, 3);
			json_array_append_new(
			        phases,
			        json_pack("{s:s, s:s, s:I, s:I, s:f, s:i}", "phase",
			                  (const char *)sqlite3_column_text(ph, 0), "status",
			                  (const char *)sqlite3_column_text(ph, 1), "start_ms",
			                  (json_int_t)s, "end_ms", (json_int_t)e, "duration",
			                  (double)(e - s) / 1000.0, "exit_code",
			                  sqlite3_column_int(ph, 4)));
		}
		sqlite3_finalize(ph);
	}
	json_object_set_new(b, "phases", phases);
	return b;
}

#define BUILD_COLS "id, project, number, status, info, reason, queued_ms, start_ms, end_ms"

json_t *pl_build_json(pipeline_service *ps, const char *id)
{
	sqlite3_stmt *st = NULL;
	json_t *out = NULL;
	if (sqlite3_prepare_v2(ps->db, "SELECT " BUILD_COLS " FROM pl_builds WHERE id=?", -1, &st,
	                       NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = row_json(ps, st);
	sqlite3_finalize(st);
	return out;
}

json_t *pl_builds_list(pipeline_service *ps, const char *project)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	const char *sql = project ? "SELECT " BUILD_COLS " FROM pl_builds WHERE project=? "
	                            "ORDER BY queued_ms DESC, number DESC LIMIT 200"
	                          : "SELECT " BUILD_COLS " FROM pl_builds "
	                            "ORDER BY queued_ms DESC, number DESC LIMIT 200";
	if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK)
		return arr;
	if (project)
		sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, row_json(ps, st));
	sqlite3_finalize(st);
	return arr;
}

char *pl_build_dir(pipeline_service *ps, const char *id)
{
	json_t *b = pl_build_json(ps, id);
	if (!b)
		return NULL;
	char *dir = gf_xasprintf("%s/%s/%lld", ps->builds,
	                         json_string_value(json_object_get(b, "project")),
	                         (long long)json_integer_value(json_object_get(b, "number")));
	json_decref(b);
	return dir;
}

int pl_build_stop(pipeline_service *ps, const char *id)
{
	pl_build *b = pl_build_live(ps, id);
	if (!b) {
		json_t *j = pl_build_json(ps, id);
		if (!j)
			return gf_err_set(GF_ENOTFOUND, "build %s not found", id);
		json_decref(j);
		return gf_err_set(GF_EEXISTS, "build %s is already over", id);
	}
	if (b->status == PIPELINE_BUILD_QUEUED) {
		b->dir = gf_xasprintf("%s/%s/%lld", ps->builds, b->project, (long long)b->number);
		gf_fs_mkdirs(b->dir, 0700);
		end_build(ps, b, PIPELINE_BUILD_STOPPED, "the build was stopped while queued");
		return 0;
	}
	b->stop_requested = true;
	if (b->run)
		pipeline_run_stop(b->run, "the build was stopped (gitfleet build stop)");
	return 0;
}

/* ---- build tokens ----------------------------------------------------------------------- */

int pl_token_check(const char *method, const char *path, const char *token, char *why,
                   size_t why_len, void *payload)
{
	pipeline_service *ps = payload;
	size_t tl = strlen(token);
	for (size_t i = 0; i < ps->live.len; i++) {
		pl_build *b = ps->live.items[i];
		if (!b->token[0] || tl != strlen(b->token) || CRYPTO_memcmp(token, b->token, tl))
			continue;
		if (!b->read_only)
			return 1;
		bool reads = !strcmp(method, "GET") || !strcmp(method, "HEAD");
		/* plan takes the state lock and releases it; it never writes. */
		bool lock = gf_str_has_prefix(path, "/v1/state/") &&
		            (!strcmp(method, "LOCK") || !strcmp(method, "UNLOCK"));
		if (reads || lock)
			return 1;
		snprintf(why, why_len,
		         "build %s was started by a pull request and has a read-only token: it may "
		         "read (plan) but not %s %s — apply, destroy and state writes run only in "
		         "builds of pushes or manual starts",
		         b->id, method, path);
		return 403;
	}
	return 0;
}

/* ---- life ------------------------------------------------------------------------------- */

static void on_poll(uv_timer_t *t)
{
	pipeline_service *ps = t->data;
	if (ps->closing)
		return;
	schedule(ps);
	pl_poll_projects(ps);
}

char *pipeline_build_dir_default(const char *home)
{
	size_t n = strlen(home);
	while (n > 1 && home[n - 1] == '/')
		n--;
	return gf_xasprintf("%.*s-builds", (int)n, home);
}

/* The build user must reach its socket and the daemon's gitfleet (first
 * on its PATH): said at start, not as a puzzling failure of every build. */
static int check_reach(pipeline_service *ps)
{
	char why[600];
	const char *what[] = {ps->build_sock, ps->exe};
	const int want[] = {W_OK, X_OK}; /* connect, run */
	for (size_t i = 0; i < GF_ARRAY_LEN(what); i++)
		if (pl_build_user_can_reach(&ps->user, what[i], want[i], why, sizeof(why)) < 0)
			return gf_err_set(
			        GF_EINVALID,
			        "builds run as user %s, who cannot reach %s: %s (make the "
			        "directories above it searchable, e.g. chmod o+x, or choose "
			        "another --build-dir)",
			        ps->user.name, what[i], why);
	return 0;
}

/* Workspaces of a previous daemon's builds: none can be resumed. Removed
 * before any build starts (their trees would share the project folders). */
static void clear_build_dir(pipeline_service *ps)
{
	DIR *d = opendir(ps->build_dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		char *p = gf_path_join(ps->build_dir, e->d_name);
		if (pl_tree_remove(p) < 0)
			gf_log(GF_LOG_WARN, "cannot remove an old build workspace", "error=%s",
			       GF_LOG_QUOTED(gf_err_msg()));
		free(p);
	}
	if (d)
		closedir(d);
}

int pipeline_service_open(pipeline_service **out, uv_loop_t *loop,
                          const pipeline_service_options *o)
{
	gf_git_init();
	pipeline_service *ps = gf_xcalloc(1, sizeof(*ps));
	ps->loop = loop;
	ps->home = gf_xstrdup(o->home);
	ps->exe = gf_xstrdup(o->exe);
	ps->sock = gf_xstrdup(o->socket);
	ps->public_url = o->public_url ? gf_xstrdup(o->public_url) : NULL;
	ps->api_token = o->api_token ? gf_xstrdup(o->api_token) : NULL;
	ps->build_dir =
	        o->build_dir ? gf_xstrdup(o->build_dir) : pipeline_build_dir_default(o->home);
	ps->build_sock = gf_xstrdup(o->build_socket ? o->build_socket : o->socket);
	ps->repos = gf_path_join(o->home, "repos");
	ps->mirrors = gf_path_join(o->home, "mirrors");
	ps->builds = gf_path_join(o->home, "builds");
	char *db = gf_path_join(o->home, "inventory.db");
	int rc = 0;
	pl_build_user_resolve(&ps->user, o->build_user);
	char q[sizeof(ps->user.err) * 2 + 3];
	if (ps->user.err[0])
		gf_log(GF_LOG_ERROR, "builds cannot run", "reason=%s",
		       gf_log_quote(q, sizeof(q), ps->user.err));
	else if ((rc = check_reach(ps)) < 0) {
		free(db);
		goto fail;
	}
	clear_build_dir(ps);
	if (sqlite3_open_v2(db, &ps->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = gf_err_set(GF_EIO, "pipeline: cannot open %s: %s", db,
		                ps->db ? sqlite3_errmsg(ps->db) : "out of memory");
		free(db);
		goto fail;
	}
	free(db);
	sqlite3_busy_timeout(ps->db, 5000);
	/* As the cloud store's connection: in WAL mode a commit is not synced
	 * (the database stays consistent; a power loss may lose the last
	 * rows), so a build's status changes do not stall the daemon's loop
	 * on an fsync each. */
	sqlite3_exec(ps->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
	/* A build the previous daemon was running cannot be resumed. */
	pl_db_exec(ps,
	           "UPDATE pl_builds SET status='FAULT', reason='the daemon stopped during the "
	           "build', end_ms=? WHERE status='IN_PROGRESS'",
	           "i", gf_wall_ms());
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ps->db,
	                       "SELECT id, project, number, info, queued_ms FROM pl_builds WHERE "
	                       "status='QUEUED' ORDER BY queued_ms, number",
	                       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			pl_build *b = gf_xcalloc(1, sizeof(*b));
			b->ps = ps;
			snprintf(b->id, sizeof(b->id), "%s", sqlite3_column_text(st, 0));
			snprintf(b->project, sizeof(b->project), "%s", sqlite3_column_text(st, 1));
			b->number = sqlite3_column_int64(st, 2);
			b->info = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
			b->queued_ms = sqlite3_column_int64(st, 4);
			b->project_spec = pl_project_get(ps, b->project);
			b->status = PIPELINE_BUILD_QUEUED;
			if (!b->info || !b->project_spec) {
				build_free(b);
				continue;
			}
			b->read_only = json_is_true(json_object_get(b->info, "read_only"));
			gf_vec_push(&ps->live, b);
		}
		sqlite3_finalize(st);
	}
	ps->polls = json_object();
	uv_timer_init(loop, &ps->poll);
	ps->poll.data = ps;
	uv_timer_start(&ps->poll, on_poll, 0, 1000);
	*out = ps;
	return 0;
fail:
	sqlite3_close(ps->db);
	free(ps->home);
	free(ps->exe);
	free(ps->sock);
	free(ps->public_url);
	free(ps->api_token);
	free(ps->build_dir);
	free(ps->build_sock);
	free(ps->repos);
	free(ps->mirrors);
	free(ps->builds);
	free(ps);
	return rc;
}

static void service_closed(uv_handle_t *h)
{
	pipeline_service *ps = h->data;
	sqlite3_close(ps->db);
	json_decref(ps->polls);
	gf_vec_dispose(&ps->live);
	free(ps->home);
	free(ps->exe);
	free(ps->sock);
	free(ps->public_url);
	free(ps->api_token);
	free(ps->build_dir);
	free(ps->build_sock);
	free(ps->repos);
	free(ps->mirrors);
	free(ps->builds);
	free(ps);
}

void pipeline_service_close(pipeline_service *ps)
{
	if (!ps)
		return;
	ps->closing = true;
	/* Builds still preparing finish their thread work first; their
	 * after-work callback ends them as STOPPED. */
	while (ps->live.len) {
		pl_build *b = ps->live.items[ps->live.len - 1];
		if (b->preparing) {
			b->stop_requested = true;
			while (b->preparing)
				uv_run(ps->loop, UV_RUN_ONCE);
			continue;
		}
		if (b->status == PIPELINE_BUILD_QUEUED) {
			ps->live.len--;
			build_free(b);
			continue;
		}
		end_build(ps, b, PIPELINE_BUILD_STOPPED, "the daemon stopped during the build");
	}
	/* A fetch in flight on the thread pool ends before the service goes. */
	while (ps->polling)
		uv_run(ps->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&ps->poll, service_closed);
}
