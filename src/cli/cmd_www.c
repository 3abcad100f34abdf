/* `gitfleet www`: the built-in static file server. */
#include "cli/cli.h"

#include "base/base.h"
#include "www/www.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_timeout(double *out, const char *flag, const char *v)
{
	if (!v)
		return 0;
	if (gf_str_to_seconds(out, v) != 0 || *out <= 0 || *out > 3600)
		return cli_fail(
		        "www", 1,
		        "-%s %s: expected a duration between 0 and 1h such as 10, 500ms or 2s",
		        flag, v);
	return 0;
}

int cmd_www(int argc, char **argv)
{
	const char *root = NULL, *listen = NULL, *workers = NULL, *cache = NULL;
	const char *header_to = NULL, *idle_to = NULL, *send_to = NULL, *log_format = NULL;
	bool access_log = false;
	const cli_flag flags[] = {
	        {"root", CLI_FLAG_STRING, &root},
	        {"listen", CLI_FLAG_STRING, &listen},
	        {"workers", CLI_FLAG_STRING, &workers},
	        {"cache-control", CLI_FLAG_STRING, &cache},
	        {"header-timeout", CLI_FLAG_STRING, &header_to},
	        {"idle-timeout", CLI_FLAG_STRING, &idle_to},
	        {"send-timeout", CLI_FLAG_STRING, &send_to},
	        {"access-log", CLI_FLAG_BOOL, &access_log},
	        {"log-format", CLI_FLAG_STRING, &log_format},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (cli_log_setup("www", log_format) < 0)
		return 1;
	if (next < argc)
		return cli_fail("www", 1, "unexpected argument \"%s\". See 'gitfleet help www'.",
		                argv[next]);
	www_config cfg;
	www_config_init(&cfg);
	if (!root)
		return cli_fail("www", 1, "-root DIR is required: the directory to serve");
	if (!gf_fs_is_dir(root))
		return cli_fail("www", 1, "-root %s: not a directory", root);
	cfg.root = root;
	char *from_env = NULL;
	if (!listen) {
		const char *port = getenv("PORT");
		if (!port || !*port)
			return cli_fail(
			        "www", 1,
			        "no address to listen on: pass -listen ADDR:PORT or set $PORT");
		int64_t p;
		if (gf_str_to_i64(&p, port, 0, 65535) != 0)
			return cli_fail("www", 1, "$PORT=%s is not a port number (0-65535)", port);
		from_env = gf_xasprintf("127.0.0.1:%s", port);
		listen = from_env;
	}
	cfg.listen = listen;
	int status = 1;
	if (workers) {
		int64_t n;
		if (gf_str_to_i64(&n, workers, 0, 256) != 0) {
			cli_fail("www", 1, "-workers %s: expected 0 (one per CPU) to 256", workers);
			goto done;
		}
		cfg.workers = n ? (int)n : (int)sysconf(_SC_NPROCESSORS_ONLN);
	}
	if (cache) {
		if (strlen(cache) > 1024 || strpbrk(cache, "\r\n")) {
			cli_fail("www", 1,
			         "-cache-control: the value must be one line under 1 KiB");
			goto done;
		}
		cfg.cache_control = cache;
	}
	if (parse_timeout(&cfg.header_timeout, "header-timeout", header_to) ||
	    parse_timeout(&cfg.idle_timeout, "idle-timeout", idle_to) ||
	    parse_timeout(&cfg.send_timeout, "send-timeout", send_to))
		goto done;
	cfg.access_log = access_log;
	if (www_run(&cfg) != 0) {
		cli_fail("www", 1, "%s", gf_err_msg());
		goto done;
	}
	status = 0;
done:
	free(from_env);
	return status;
}
