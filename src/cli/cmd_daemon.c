/* `gitfleet daemon`: the local cloud in the foreground, with its API on a
 * unix socket in the home (and optionally on TCP with a bearer token), and
 * the token-only socket of builds in the build directory. */
#include "cli/cli.h"

#include "base/base.h"
#include "cloud/cloud.h"
#include "http/api.h"
#include "pipeline/pipeline.h"
#include "statesrv/statesrv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#define SHUTDOWN_GRACE 10.0 /* s for requests in flight at a clean stop */

static int stop_signal;

static void on_signal(uv_signal_t *s, int signum)
{
	stop_signal = signum;
	uv_stop(s->loop);
}

/* The API token: home/api-token, 0600, made at first start. */
static int load_token(char **out, const char *home)
{
	char *path = gf_path_join(home, "api-token");
	gf_buf b;
	gf_buf_init(&b, 4096);
	int rc = gf_fs_read(&b, path);
	if (rc == GF_ENOTFOUND) {
		unsigned char raw[32];
		char hex[65];
		if (RAND_bytes(raw, sizeof(raw)) != 1) {
			rc = gf_err_set(GF_ERROR, "cannot make an API token: no randomness");
			goto done;
		}
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(hex + 2 * i, 3, "%02x", raw[i]);
		if ((rc = gf_fs_write_atomic(path, hex, 64, 0600)) < 0)
			goto done;
		gf_log(GF_LOG_INFO, "API token created", "path=%s", path);
		*out = gf_xstrdup(hex);
		goto done;
	}
	if (rc < 0)
		goto done;
	b.ptr[strcspn(b.ptr, "\r\n")] = '\0';
	if (strlen(b.ptr) < 16) {
		rc = gf_err_set(GF_EINVALID, "%s: the token is shorter than 16 characters", path);
		goto done;
	}
	*out = gf_buf_detach(&b);
done:
	gf_buf_dispose(&b);
	free(path);
	return rc;
}

/* The build directory: created 0711 and the daemon's own, since the
 * daemon writes into it what builds may read but never replace. */
static int make_build_dir(const char *dir)
{
	struct stat st;
	if (gf_fs_mkdirs(dir, 0711) < 0)
		return GF_EIO;
	if (lstat(dir, &st) != 0)
		return gf_err_errno("--build-dir %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return gf_err_set(
		        GF_EINVALID,
		        "--build-dir %s must be a directory of the daemon's own user (uid "
		        "%ld), not a link or another user's",
		        dir, (long)geteuid());
	if (chmod(dir, 0711) != 0)
		return gf_err_errno("--build-dir %s: cannot make it mode 0711", dir);
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT". */
static int split_addr(char *host, size_t hn, int *port, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	int64_t p;
	if (!colon || gf_str_to_i64(&p, colon + 1, 0, 65535) < 0)
		return GF_EINVALID;
	size_t n = (size_t)(colon - addr);
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	if (n == 0 || n >= hn)
		return GF_EINVALID;
	memcpy(host, addr, n);
	host[n] = '\0';
	*port = (int)p;
	return 0;
}

int cmd_daemon(int argc, char **argv)
{
	const char *home_flag = NULL, *api_listen = NULL, *log_format = NULL, *ports = NULL;
	const char *build_user = NULL, *build_dir_flag = NULL;
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home_flag},
	        {"build-user", CLI_FLAG_STRING, &build_user},
	        {"build-dir", CLI_FLAG_STRING, &build_dir_flag},
	        {"api-listen", CLI_FLAG_STRING, &api_listen},
	        {"log-format", CLI_FLAG_STRING, &log_format},
	        {"instance-ports", CLI_FLAG_STRING, &ports},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (next < argc)
		return cli_fail("daemon", 1,
		                "unexpected argument \"%s\". See 'gitfleet help daemon'.",
		                argv[next]);
	if (cli_log_setup("daemon", log_format) < 0)
		return 1;
	/* Before any child: what the daemon may do (switch to the build
	 * user), the programs it starts may not. */
	pipeline_caps_confine();
	cloud_options o;
	memset(&o, 0, sizeof(o));
	if (ports) {
		int64_t lo, hi;
		char *dash = strchr(ports, '-');
		char lo_s[16];
		if (!dash || (size_t)(dash - ports) >= sizeof(lo_s))
			return cli_fail("daemon", 1, "--instance-ports %s: expected LO-HI", ports);
		memcpy(lo_s, ports, (size_t)(dash - ports));
		lo_s[dash - ports] = '\0';
		if (gf_str_to_i64(&lo, lo_s, 1024, 65535) < 0 ||
		    gf_str_to_i64(&hi, dash + 1, lo, 65535) < 0)
			return cli_fail("daemon", 1,
			                "--instance-ports %s: expected LO-HI within 1024-65535",
			                ports);
		o.port_lo = (int)lo;
		o.port_hi = (int)hi;
	}
	char host[128];
	int api_port = 0;
	if (api_listen && split_addr(host, sizeof(host), &api_port, api_listen) < 0)
		return cli_fail("daemon", 1,
		                "--api-listen %s: expected HOST:PORT like 127.0.0.1:7070",
		                api_listen);

	char *home = home_flag ? gf_xstrdup(home_flag) : cloud_home_default();
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	o.home = home;
	o.exe = n > 0 ? exe : "gitfleet";

	int status = 1;
	char *sock = NULL, *token = NULL, *inventory = gf_path_join(home, "inventory.db");
	char *build_dir =
	        build_dir_flag ? gf_xstrdup(build_dir_flag) : pipeline_build_dir_default(home);
	char *build_sock = gf_path_join(build_dir, "build.sock");
	cloud_daemon *d = NULL;
	statesrv *states = NULL;
	pipeline_service *ps = NULL;
	char *public_url = NULL;
	http_server *srv = NULL;
	uv_loop_t *loop = uv_default_loop();
	uv_signal_t term, intr;
	bool signals = false;
	if (gf_fs_mkdirs(home, 0700) < 0) {
		cli_fail("daemon", 1, "%s", gf_err_msg());
		goto done;
	}
	if (cloud_daemon_open(&d, loop, &o) < 0) {
		cli_fail("daemon", 1, "%s", gf_err_msg());
		goto done;
	}
	if (http_server_new(&srv, loop, NULL) < 0 || cloud_api_register(srv, d) < 0 ||
	    statesrv_open(&states, inventory) < 0 || statesrv_register(srv, states) < 0) {
		cli_fail("daemon", 1, "cannot start the API: %s", gf_err_msg());
		goto stop;
	}
	sock = gf_path_join(home, "run/gitfleet.sock");
	if (http_server_listen_unix(srv, sock) < 0) {
		cli_fail("daemon", 1, "cannot listen on %s: %s", sock, gf_err_msg());
		goto stop;
	}
	if (api_listen) {
		int bound = 0;
		if (load_token(&token, home) < 0 ||
		    http_server_listen_tcp(srv, host, api_port, token, &bound) < 0) {
			cli_fail("daemon", 1, "--api-listen %s: %s", api_listen, gf_err_msg());
			goto stop;
		}
		public_url = gf_xasprintf(strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d",
		                          host, bound);
		gf_log(GF_LOG_INFO, "API listening", "address=%s:%d token_file=%s/api-token", host,
		       bound, home);
		gf_log(GF_LOG_INFO, "dashboard", "url=%s/", public_url);
	}
	if (cloud_ui_register(srv, d, token) < 0) {
		cli_fail("daemon", 1, "cannot start the dashboard: %s", gf_err_msg());
		goto stop;
	}
	/* Builds reach the daemon only here, and only with their token: the
	 * admin socket above trusts whoever can open it, so it stays in the
	 * 0700 home (docs/pipeline.md, "Isolation"). */
	http_unix_opts bo = {.mode = 0666, .app_tokens_only = true};
	if (make_build_dir(build_dir) < 0 ||
	    http_server_listen_unix_opts(srv, build_sock, &bo) < 0) {
		cli_fail("daemon", 1, "cannot open the build socket: %s", gf_err_msg());
		goto stop;
	}
	pipeline_service_options po = {.home = home,
	                               .exe = o.exe,
	                               .socket = sock,
	                               .public_url = public_url,
	                               .api_token = token,
	                               .build_dir = build_dir,
	                               .build_socket = build_sock,
	                               .build_user = build_user};
	if (pipeline_service_open(&ps, loop, &po) < 0 || pipeline_api_register(srv, ps) < 0 ||
	    cloud_metrics_add(d, pipeline_metrics_write, ps) < 0) {
		cli_fail("daemon", 1, "cannot start the pipeline: %s", gf_err_msg());
		goto stop;
	}
	gf_log(GF_LOG_INFO, "daemon ready", "home=%s socket=%s pid=%d", home, sock, (int)getpid());
	uv_signal_init(loop, &term);
	uv_signal_init(loop, &intr);
	uv_signal_start(&term, on_signal, SIGTERM);
	uv_signal_start(&intr, on_signal, SIGINT);
	signals = true;
	uv_run(loop, UV_RUN_DEFAULT);
	gf_log(GF_LOG_INFO, "stopping", "signal=%s", stop_signal ? strsignal(stop_signal) : "?");
	status = 0;
stop:
	if (srv)
		http_server_shutdown(srv, NULL, NULL);
	pipeline_service_close(ps);
	ps = NULL;
	cloud_daemon_shutdown(d, SHUTDOWN_GRACE);
	d = NULL;
	if (srv)
		http_server_free(srv);
	if (signals) {
		uv_close((uv_handle_t *)&term, NULL);
		uv_close((uv_handle_t *)&intr, NULL);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
done:
	statesrv_free(states);
	free(inventory);
	free(public_url);
	free(sock);
	free(build_sock);
	free(build_dir);
	free(token);
	free(home);
	return status;
}
