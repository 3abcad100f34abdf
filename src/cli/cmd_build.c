/* The pipeline's commands: `gitfleet build start|stop`, `gitfleet builds`,
 * `gitfleet repo url`, and the hidden `gitfleet hook post-receive` that a
 * hosted repository's hook runs. */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A JSON request to the daemon; prints the error and returns 1 on failure. */
static int call(json_t **out, const char *cmd, const cli_daemon *d, const char *method,
                const char *path, json_t *body)
{
	http_client_req r;
	cli_daemon_req(&r, d, path);
	r.method = method;
	int status = 0;
	*out = NULL;
	if (http_client_json(out, &status, &r, body) < 0) {
		json_decref(*out);
		*out = NULL;
		return cli_fail(cmd, 1, "%s", gf_err_msg());
	}
	return 0;
}

/* Flags before, between or after the positional arguments (`build start
 * PROJECT --ref REF`): the Go-style parser stops at the first positional,
 * so it is run again after each one. Returns the number of positionals
 * (at most `max`, more is an error reported as max + 1), or -1. */
static int parse_mixed(int argc, char **argv, const cli_flag *flags, size_t nflags,
                       const char **pos, int max)
{
	int n = 0, base = 0;
	while (base < argc) {
		int next;
		if (cli_parse_flags(argc - base, argv + base, flags, nflags, &next) != 0)
			return -1;
		if (base + next >= argc)
			break;
		if (n == max)
			return max + 1;
		pos[n++] = argv[base + next];
		base += next;
	}
	return n;
}

static char *escape_id(const char *id)
{
	gf_buf b = GF_BUF_INIT;
	for (const char *p = id; *p; p++)
		if (*p == ':')
			gf_buf_puts(&b, "%3A");
		else
			gf_buf_putc(&b, *p);
	return gf_buf_detach(&b);
}

static int build_start(int argc, char **argv)
{
	const char *home = NULL, *ref = NULL, *commit = NULL;
	bool as_json = false;
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home},
	        {"ref", CLI_FLAG_STRING, &ref},
	        {"commit", CLI_FLAG_STRING, &commit},
	        {"json", CLI_FLAG_BOOL, &as_json},
	};
	const char *pos[1];
	int np = parse_mixed(argc, argv, flags, GF_ARRAY_LEN(flags), pos, 1);
	if (np < 0)
		return 1;
	if (np != 1)
		return cli_fail("build start", 1,
		                "give one PROJECT: gitfleet build start PROJECT [--ref REF | "
		                "--commit SHA]");
	if (ref && commit)
		return cli_fail("build start", 1, "give --ref or --commit, not both");
	cli_daemon d;
	cli_daemon_init(&d, home);
	json_t *body = json_object();
	if (ref)
		json_object_set_new(body, "ref", json_string(ref));
	if (commit)
		json_object_set_new(body, "commit", json_string(commit));
	char *path = gf_xasprintf("/v1/projects/%s/builds", pos[0]);
	json_t *out = NULL;
	int rc = call(&out, "build start", &d, "POST", path, body);
	if (rc == 0) {
		if (as_json)
			cli_print_json(out);
		else
			printf("%s\n", json_string_value(json_object_get(out, "id")));
	}
	json_decref(out);
	json_decref(body);
	free(path);
	cli_daemon_dispose(&d);
	return rc;
}

static int build_stop(int argc, char **argv)
{
	const char *home = NULL;
	const cli_flag flags[] = {{"home", CLI_FLAG_STRING, &home}};
	const char *pos[1];
	int np = parse_mixed(argc, argv, flags, GF_ARRAY_LEN(flags), pos, 1);
	if (np < 0)
		return 1;
	if (np != 1)
		return cli_fail("build stop", 1, "give one build ID: gitfleet build stop ID");
	cli_daemon d;
	cli_daemon_init(&d, home);
	char *id = escape_id(pos[0]);
	char *path = gf_xasprintf("/v1/builds/%s/stop", id);
	json_t *out = NULL;
	int rc = call(&out, "build stop", &d, "POST", path, NULL);
	if (rc == 0)
		printf("stopping %s\n", pos[0]);
	json_decref(out);
	free(path);
	free(id);
	cli_daemon_dispose(&d);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	static const cli_subcommand subs[] = {{"start", build_start}, {"stop", build_stop}};
	return cli_dispatch("build", argc, argv, subs, GF_ARRAY_LEN(subs));
}

int cmd_builds(int argc, char **argv)
{
	const char *home = NULL;
	bool as_json = false;
	const cli_flag flags[] = {{"home", CLI_FLAG_STRING, &home},
	                          {"json", CLI_FLAG_BOOL, &as_json}};
	const char *pos[1];
	int np = parse_mixed(argc, argv, flags, GF_ARRAY_LEN(flags), pos, 1);
	if (np < 0)
		return 1;
	if (np > 1)
		return cli_fail("builds", 1,
		                "give at most one PROJECT. See 'gitfleet help builds'.");
	cli_daemon d;
	cli_daemon_init(&d, home);
	char *path = np ? gf_xasprintf("/v1/builds?project=%s", pos[0]) : gf_xstrdup("/v1/builds");
	json_t *out = NULL;
	int rc = cli_daemon_get(&out, "builds", &d, path);
	if (rc == 0 && as_json) {
		cli_print_json(json_object_get(out, "builds"));
	} else if (rc == 0) {
		printf("%-44s %-11s %-8s %-22s %s\n", "BUILD", "STATUS", "TIME", "SOURCE",
		       "PHASES");
		size_t i;
		json_t *b;
		json_array_foreach(json_object_get(out, "builds"), i, b)
		{
			int64_t s = json_integer_value(json_object_get(b, "start_ms"));
			int64_t e = json_integer_value(json_object_get(b, "end_ms"));
			char took[32] = "-";
			if (s && e)
				snprintf(took, sizeof(took), "%.1fs", (double)(e - s) / 1000.0);
			const char *src = json_string_value(json_object_get(b, "trigger"));
			if (!src || !*src)
				src = json_string_value(json_object_get(b, "source_version"));
			gf_buf ph = GF_BUF_INIT;
			size_t j;
			json_t *p;
			json_array_foreach(json_object_get(b, "phases"), j, p)
			        gf_buf_printf(&ph, "%s%s:%s", j ? " " : "",
			                      json_string_value(json_object_get(p, "phase")),
			                      json_string_value(json_object_get(p, "status")));
			printf("%-44s %-11s %-8s %-22s %s\n",
			       json_string_value(json_object_get(b, "id")),
			       json_string_value(json_object_get(b, "status")), took,
			       src && *src ? src : "(default branch)", gf_buf_cstr(&ph));
			/* Why a build did not succeed, under it (as `gitfleet status`). */
			const char *why = json_string_value(json_object_get(b, "reason"));
			if (why && *why)
				printf("  ! %s\n", why);
			gf_buf_dispose(&ph);
		}
	}
	json_decref(out);
	free(path);
	cli_daemon_dispose(&d);
	return rc;
}

static int repo_url(int argc, char **argv)
{
	const char *home = NULL;
	bool http = false;
	const cli_flag flags[] = {{"home", CLI_FLAG_STRING, &home}, {"http", CLI_FLAG_BOOL, &http}};
	const char *pos[1];
	int np = parse_mixed(argc, argv, flags, GF_ARRAY_LEN(flags), pos, 1);
	if (np < 0)
		return 1;
	if (np != 1)
		return cli_fail("repo", 1, "give one PROJECT: gitfleet repo url PROJECT");
	cli_daemon d;
	cli_daemon_init(&d, home);
	char *path = gf_xasprintf("/v1/projects/%s", pos[0]);
	json_t *out = NULL;
	int rc = cli_daemon_get(&out, "repo url", &d, path);
	if (rc == 0) {
		const char *url = json_string_value(json_object_get(out, "repo_url"));
		const char *http_url = json_string_value(json_object_get(out, "http_url"));
		if (url && http && !http_url)
			rc = cli_fail("repo url", 1,
			              "the daemon serves git over HTTP only on its TCP listener: "
			              "start it with --api-listen HOST:PORT");
		else if (url)
			printf("%s\n", http ? http_url : url);
		else
			rc = cli_fail(
			        "repo url", 1,
			        "project %s is not hosted by gitfleet (its source.type is not "
			        "GITFLEET): push to its own remote",
			        pos[0]);
	}
	json_decref(out);
	free(path);
	cli_daemon_dispose(&d);
	return rc;
}

int cmd_repo(int argc, char **argv)
{
	static const cli_subcommand subs[] = {{"url", repo_url}};
	return cli_dispatch("repo", argc, argv, subs, GF_ARRAY_LEN(subs));
}

/* `gitfleet hook post-receive PROJECT`: git gives "before after ref" lines
 * on stdin; the daemon gets them in one request and answers what it queued,
 * which is printed back to the pusher (git shows it as "remote: ..."). */
int cmd_hook(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "post-receive"))
		return cli_fail("hook", 1, "internal command: run by a hosted repository's hook");
	json_t *updates = json_array();
	char line[1024];
	while (fgets(line, sizeof(line), stdin)) {
		char before[64], after[64], ref[900];
		if (sscanf(line, "%63s %63s %899s", before, after, ref) == 3)
			json_array_append_new(updates, json_pack("{s:s, s:s, s:s}", "ref", ref,
			                                         "before", before, "after", after));
	}
	cli_daemon d;
	cli_daemon_init(&d, NULL);
	json_t *body = json_pack("{s:o}", "updates", updates);
	char *path = gf_xasprintf("/v1/projects/%s/pushes", argv[2]);
	json_t *out = NULL;
	int rc = call(&out, "hook", &d, "POST", path, body);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(out, "results"), i, r)
	{
		const char *id = json_string_value(json_object_get(r, "build_id"));
		const char *why = json_string_value(json_object_get(r, "reason"));
		const char *err = json_string_value(json_object_get(r, "error"));
		printf("gitfleet: %s: %s%s\n", json_string_value(json_object_get(r, "ref")),
		       id    ? "build queued "
		       : err ? "error: "
		             : "no build: ",
		       id    ? id
		       : err ? err
		       : why ? why
		             : "");
	}
	json_decref(out);
	json_decref(body);
	free(path);
	cli_daemon_dispose(&d);
	return rc;
}
