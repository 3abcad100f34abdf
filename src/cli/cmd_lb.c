/* `gitfleet lb`: one listener in front of one target group, from flags. A
 * thin layer over src/lb's C API, which the daemon drives the same way. */
#include "cli/cli.h"

#include "base/base.h"
#include "lb/lb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* How long in-flight requests get to finish after SIGTERM or SIGINT. */
#define LB_GRACE_SECONDS 30

static int parse_seconds(double *out, const char *flag, const char *v)
{
	if (gf_str_to_seconds(out, v) < 0)
		return cli_fail("lb", -1, "--%s: \"%s\" is not a duration (like 1, 0.5 or 500ms)",
		                flag, v);
	return 0;
}

static int parse_int(int *out, const char *flag, const char *v, int min, int max)
{
	int64_t n;
	if (gf_str_to_i64(&n, v, min, max) < 0)
		return cli_fail("lb", -1, "--%s: \"%s\" is not a whole number from %d to %d", flag,
		                v, min, max);
	*out = (int)n;
	return 0;
}

/* --targets-file: the targets registered from it, to diff on reload. */
typedef struct {
	lb_balancer *lb;
	const char *path;
	GF_VEC(char *) current;
	int signum;
} lb_run;

static bool has_target(char **items, size_t n, const char *t)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], t) == 0)
			return true;
	return false;
}

/* Registers what the file adds, deregisters (drains) what it no longer
 * lists. A file that cannot be read changes nothing. */
static int load_targets_file(lb_run *r)
{
	gf_buf buf;
	gf_buf_init(&buf, 1 << 20);
	if (gf_fs_read(&buf, r->path) < 0) {
		gf_log(GF_LOG_ERROR, "cannot read the targets file", "path=%s error=%s", r->path,
		       GF_LOG_QUOTED(gf_err_msg()));
		gf_buf_dispose(&buf);
		return -1;
	}
	GF_VEC(char *) want = {0};
	for (char *line = buf.ptr ? strtok(buf.ptr, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		line += strspn(line, " \t\r");
		line[strcspn(line, " \t\r#")] = '\0';
		if (*line && !has_target(want.items, want.len, line))
			gf_vec_push(&want, gf_xstrdup(line));
	}
	gf_buf_dispose(&buf);
	for (size_t i = 0; i < want.len; i++) {
		if (has_target(r->current.items, r->current.len, want.items[i]))
			continue;
		if (lb_target_add(r->lb, "default", want.items[i]) < 0)
			gf_log(GF_LOG_ERROR, "cannot register a target", "path=%s error=%s",
			       r->path, GF_LOG_QUOTED(gf_err_msg()));
		else
			gf_log(GF_LOG_INFO, "target registered", "target=%s", want.items[i]);
	}
	for (size_t i = 0; i < r->current.len; i++) {
		if (has_target(want.items, want.len, r->current.items[i]))
			continue;
		if (lb_target_deregister(r->lb, "default", r->current.items[i]) == 0)
			gf_log(GF_LOG_INFO, "target draining", "target=%s", r->current.items[i]);
	}
	for (size_t i = 0; i < r->current.len; i++)
		free(r->current.items[i]);
	gf_vec_dispose(&r->current);
	r->current.items = want.items;
	r->current.len = want.len;
	r->current.cap = want.cap;
	return 0;
}

/* SIGUSR1: one log line per listener and per target with its counters. */
static void log_stats(lb_balancer *lb)
{
	lb_snapshot snap;
	lb_stats(lb, &snap);
	for (size_t i = 0; i < snap.nlisteners; i++) {
		const lb_counters *c = &snap.listeners[i].c;
		gf_log(GF_LOG_INFO, "listener stats",
		       "listener=%s requests=%llu 1xx=%llu 2xx=%llu 3xx=%llu 4xx=%llu 5xx=%llu "
		       "bytes_in=%llu bytes_out=%llu connections=%llu",
		       snap.listeners[i].name, (unsigned long long)c->requests,
		       (unsigned long long)c->responses[0], (unsigned long long)c->responses[1],
		       (unsigned long long)c->responses[2], (unsigned long long)c->responses[3],
		       (unsigned long long)c->responses[4], (unsigned long long)c->bytes_in,
		       (unsigned long long)c->bytes_out, (unsigned long long)c->active);
	}
	for (size_t i = 0; i < snap.ntargets; i++) {
		const lb_target_stats *t = &snap.targets[i];
		const lb_counters *c = &t->c;
		char q[160];
		gf_log(GF_LOG_INFO, "target stats",
		       "target=%s state=%s requests=%llu 2xx=%llu 5xx=%llu errors=%llu "
		       "retries=%llu connections=%llu reason=%s",
		       t->address, lb_target_state_name(t->state), (unsigned long long)c->requests,
		       (unsigned long long)c->responses[1], (unsigned long long)c->responses[4],
		       (unsigned long long)c->conn_errors, (unsigned long long)c->retries,
		       (unsigned long long)c->active, gf_log_quote(q, sizeof(q), t->reason));
	}
	lb_snapshot_dispose(&snap);
}

static void on_signal(uv_signal_t *s, int signum)
{
	lb_run *r = s->data;
	if (signum == SIGUSR1) {
		log_stats(r->lb);
		return;
	}
	if (signum == SIGHUP) {
		if (r->path)
			load_targets_file(r);
		return;
	}
	r->signum = signum;
	uv_stop(s->loop);
}

/* Runs until SIGTERM or SIGINT; SIGHUP reloads the targets file, SIGUSR1
 * logs the counters. */
static void wait_for_signal(lb_run *r)
{
	uv_loop_t loop;
	uv_signal_t sig[4];
	const int signums[4] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
	uv_loop_init(&loop);
	for (int i = 0; i < 4; i++) {
		uv_signal_init(&loop, &sig[i]);
		sig[i].data = r;
		uv_signal_start(&sig[i], on_signal, signums[i]);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	gf_log(GF_LOG_INFO, "stopping: finishing requests in flight", "signal=%s",
	       r->signum == SIGTERM ? "SIGTERM" : "SIGINT");
	for (int i = 0; i < 4; i++)
		uv_close((uv_handle_t *)&sig[i], NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
}

int cmd_lb(int argc, char **argv)
{
	const char *listen = NULL, *algorithm = "round_robin", *health_path = "/";
	const char *interval = "1", *timeout = "1", *healthy = "2", *unhealthy = "2";
	const char *matcher = "200-399", *workers = "0", *delay = "5", *log_format = NULL;
	const char *connect_timeout = "5", *idle_timeout = "60", *targets_file = NULL;
	const char *response_timeout = "60", *head_timeout = "30", *max_body = "0";
	cli_strlist targets = {0}, allow = {0};
	const cli_flag flags[] = {
	        {"listen", CLI_FLAG_STRING, &listen},
	        {"target", CLI_FLAG_LIST, &targets},
	        {"algorithm", CLI_FLAG_STRING, &algorithm},
	        {"health-path", CLI_FLAG_STRING, &health_path},
	        {"health-interval", CLI_FLAG_STRING, &interval},
	        {"health-timeout", CLI_FLAG_STRING, &timeout},
	        {"healthy-threshold", CLI_FLAG_STRING, &healthy},
	        {"unhealthy-threshold", CLI_FLAG_STRING, &unhealthy},
	        {"health-matcher", CLI_FLAG_STRING, &matcher},
	        {"deregistration-delay", CLI_FLAG_STRING, &delay},
	        {"allow", CLI_FLAG_LIST, &allow},
	        {"workers", CLI_FLAG_STRING, &workers},
	        {"connect-timeout", CLI_FLAG_STRING, &connect_timeout},
	        {"idle-timeout", CLI_FLAG_STRING, &idle_timeout},
	        {"response-timeout", CLI_FLAG_STRING, &response_timeout},
	        {"head-timeout", CLI_FLAG_STRING, &head_timeout},
	        {"targets-file", CLI_FLAG_STRING, &targets_file},
	        {"max-body", CLI_FLAG_STRING, &max_body},
	        {"log-format", CLI_FLAG_STRING, &log_format},
	};
	int status = 1, next = 0;
	lb_balancer *lb = NULL;
	lb_run run = {.path = targets_file};
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0 ||
	    cli_log_setup("lb", log_format) < 0)
		goto out;
	if (next < argc) {
		cli_fail("lb", 1, "unexpected argument \"%s\"; targets are given with --target",
		         argv[next]);
		goto out;
	}
	if (!listen) {
		cli_fail("lb", 1, "--listen is required, like --listen 127.0.0.1:8080");
		goto out;
	}

	lb_options o;
	lb_options_default(&o);
	lb_group_settings gs;
	lb_group_settings_default(&gs);
	int nworkers = 0;
	if (parse_int(&nworkers, "workers", workers, 0, 256) < 0 ||
	    parse_seconds(&gs.health.interval, "health-interval", interval) < 0 ||
	    parse_seconds(&gs.health.timeout, "health-timeout", timeout) < 0 ||
	    parse_seconds(&gs.deregistration_delay, "deregistration-delay", delay) < 0 ||
	    parse_seconds(&o.connect_timeout, "connect-timeout", connect_timeout) < 0 ||
	    parse_seconds(&o.client_idle_timeout, "idle-timeout", idle_timeout) < 0 ||
	    parse_seconds(&o.response_timeout, "response-timeout", response_timeout) < 0 ||
	    parse_seconds(&o.request_head_timeout, "head-timeout", head_timeout) < 0 ||
	    parse_int(&gs.health.healthy_threshold, "healthy-threshold", healthy, 1, 10) < 0 ||
	    parse_int(&gs.health.unhealthy_threshold, "unhealthy-threshold", unhealthy, 1, 10) < 0)
		goto out;
	o.workers = (unsigned)nworkers;
	int64_t body_cap;
	if (gf_str_to_i64(&body_cap, max_body, 0, INT64_MAX) < 0) {
		cli_fail("lb", 1, "--max-body: \"%s\" is not a number of bytes", max_body);
		goto out;
	}
	o.max_body = (uint64_t)body_cap;
	if (lb_algorithm_parse(&gs.algorithm, algorithm) < 0 ||
	    lb_matcher_parse(&gs.health.matcher, matcher) < 0) {
		cli_fail("lb", 1, "%s", gf_err_msg());
		goto out;
	}
	if (strlen(health_path) >= sizeof(gs.health.path)) {
		cli_fail("lb", 1, "--health-path is longer than %zu bytes",
		         sizeof(gs.health.path) - 1);
		goto out;
	}
	strcpy(gs.health.path, health_path);

	if (lb_new(&lb, &o) < 0 || lb_group_add(lb, "default", &gs) < 0) {
		cli_fail("lb", 1, "%s", gf_err_msg());
		goto out;
	}
	for (size_t i = 0; i < targets.len; i++)
		if (lb_target_add(lb, "default", targets.items[i]) < 0) {
			cli_fail("lb", 1, "--target: %s", gf_err_msg());
			goto out;
		}
	run.lb = lb;
	run.path = targets_file;
	if (targets_file && load_targets_file(&run) < 0) {
		cli_fail("lb", 1, "--targets-file: %s", gf_err_msg());
		goto out;
	}
	if (lb_listener_add(lb, "default", listen, "default") < 0 ||
	    (allow.len && lb_listener_set_allow(lb, "default", allow.items, allow.len) < 0)) {
		cli_fail("lb", 1, "%s", gf_err_msg());
		goto out;
	}
	gf_log(GF_LOG_INFO, "load balancer started",
	       "listen=%s port=%d targets=%zu algorithm=%s workers=%u health_path=%s", listen,
	       lb_listener_port(lb, "default"), targets.len + run.current.len,
	       lb_algorithm_name(gs.algorithm), o.workers ? o.workers : uv_available_parallelism(),
	       gs.health.path[0] ? gs.health.path : "off");
	wait_for_signal(&run);
	lb_free(lb, LB_GRACE_SECONDS);
	lb = NULL;
	gf_log(GF_LOG_INFO, "load balancer stopped", "listen=%s", listen);
	status = 0;
out:
	if (lb)
		lb_free(lb, 0);
	cli_strlist_dispose(&targets);
	cli_strlist_dispose(&allow);
	for (size_t i = 0; i < run.current.len; i++)
		free(run.current.items[i]);
	gf_vec_dispose(&run.current);
	return status;
}
