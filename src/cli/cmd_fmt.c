/*
 * `gitfleet fmt`: rewrites configuration files in the canonical style, as
 * `terraform fmt` does, with its flags and exit codes: 0 done, 1 bad usage
 * or unreadable input, 2 syntax errors (those files are left untouched),
 * 3 with -check when some file is not formatted.
 */
#include "cli/cli.h"

#include "base/base.h"
#include "hcl/ast.h"
#include "hcl/fmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define FMT_MAX_FILE (64u << 20)

typedef struct {
	bool list, write, diff, check, recursive, no_color;
	bool syntax_errors, unformatted, failed;
} fmt_opts;

static int term_width(void)
{
	struct winsize ws;
	if (isatty(STDERR_FILENO) && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 78;
}

static void print_diags(const fmt_opts *o, const hcl_diags *d, const char *path, const char *src,
                        size_t len, const hcl_body *body)
{
	hcl_sources s = {0};
	hcl_sources_add(&s, path, src, len, body);
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_render_style style =
	        !o->no_color && isatty(STDERR_FILENO) ? HCL_RENDER_COLOR : HCL_RENDER_PLAIN;
	hcl_diags_render(&out, d, &s, style, term_width());
	fputs(gf_buf_cstr(&out), stderr);
	gf_buf_dispose(&out);
	hcl_sources_dispose(&s);
}

/* Writes `data` to a new temporary file; returns its malloc'd path. */
static char *write_temp(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = gf_xasprintf("%s/gitfleet-fmt.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	return path;
}

/* A unified diff of the two versions, through diff(1), as terraform's
 * -diff does: labels old/PATH and new/PATH. */
static int print_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen)
{
	char *fa = write_temp(a, alen), *fb = write_temp(b, blen);
	int rc = -1;
	if (!fa || !fb) {
		fprintf(stderr, "gitfleet fmt: cannot write a temporary file for the diff: %s\n",
		        strerror(errno));
		goto done;
	}
	fflush(stdout);
	char *la = gf_xasprintf("--label=old/%s", path), *lb = gf_xasprintf("--label=new/%s", path);
	char *argv[] = {"diff", la, lb, "-u", fa, fb, NULL};
	pid_t pid;
	int err = posix_spawnp(&pid, "diff", NULL, NULL, argv, environ);
	if (err == 0) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		/* diff exits 1 when the files differ, which they do. */
		if (WIFEXITED(status) && WEXITSTATUS(status) <= 1)
			rc = 0;
		else
			fprintf(stderr, "gitfleet fmt: diff failed for %s\n", path);
	} else {
		fprintf(stderr, "gitfleet fmt: cannot run diff to show changes of %s: %s\n", path,
		        strerror(err));
	}
	free(la);
	free(lb);
done:
	if (fa)
		unlink(fa);
	if (fb)
		unlink(fb);
	free(fa);
	free(fb);
	return rc;
}

static void process_source(fmt_opts *o, const char *path, const char *src, size_t len,
                           bool from_stdin)
{
	gf_arena arena;
	gf_arena_init(&arena);
	hcl_diags d;
	hcl_diags_init(&d, &arena);
	char *out = NULL;
	size_t out_len = 0;
	/* Parsed here too so that diagnostics can name their block. */
	hcl_body *body = hcl_parse_file(path, src, len, &arena, &d);
	if (hcl_diags_has_errors(&d)) {
		print_diags(o, &d, path, src, len, body);
		o->syntax_errors = true;
		goto done;
	}
	if (hcl_fmt(&out, &out_len, path, src, len, &d) != 0) {
		print_diags(o, &d, path, src, len, NULL);
		o->syntax_errors = true;
		goto done;
	}
	bool changed = out_len != len || memcmp(out, src, len) != 0;
	if (changed) {
		o->unformatted = true;
		if (o->list)
			printf("%s\n", path);
		if (o->write && !from_stdin && gf_fs_write_atomic(path, out, out_len, 0644) != 0) {
			fprintf(stderr, "gitfleet fmt: failed to write %s: %s\n", path,
			        gf_err_msg());
			o->failed = true;
		}
		if (o->diff && print_diff(path, src, len, out, out_len) != 0)
			o->failed = true;
	}
	if (!o->list && !o->write && !o->diff && !o->check)
		fwrite(out, 1, out_len, stdout);
done:
	free(out);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&arena);
}

static void process_file(fmt_opts *o, const char *path)
{
	gf_buf b;
	gf_buf_init(&b, FMT_MAX_FILE);
	if (gf_fs_read(&b, path) != 0) {
		fprintf(stderr, "gitfleet fmt: failed to read %s: %s\n", path, gf_err_msg());
		o->failed = true;
	} else {
		process_source(o, path, b.ptr ? b.ptr : "", b.len, false);
	}
	gf_buf_dispose(&b);
}

static bool is_config_name(const char *name)
{
	return gf_str_has_suffix(name, ".tf") || gf_str_has_suffix(name, ".tfvars");
}

/* Terraform's ignored files: hidden files and editor backups. */
static bool is_ignored(const char *name)
{
	size_t n = strlen(name);
	return name[0] == '.' || (n > 0 && name[n - 1] == '~') ||
	       (n > 1 && name[0] == '#' && name[n - 1] == '#');
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void process_dir(fmt_opts *o, const char *dir)
{
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "gitfleet fmt: cannot read directory %s: %s\n", dir,
		        strerror(errno));
		o->failed = true;
		return;
	}
	GF_VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(dh)))
		if (!is_ignored(de->d_name))
			gf_vec_push(&names, gf_xstrdup(de->d_name));
	closedir(dh);
	if (names.len)
		qsort(names.items, names.len, sizeof(char *), cmp_names);
	for (size_t i = 0; i < names.len; i++) {
		char *path = strcmp(dir, ".") == 0 ? gf_xstrdup(names.items[i])
		                                   : gf_path_join(dir, names.items[i]);
		if (gf_fs_is_dir(path)) {
			if (o->recursive)
				process_dir(o, path);
		} else if (is_config_name(names.items[i])) {
			process_file(o, path);
		}
		free(path);
		free(names.items[i]);
	}
	gf_vec_dispose(&names);
}

static int fmt_stdin(fmt_opts *o)
{
	gf_buf b;
	gf_buf_init(&b, FMT_MAX_FILE);
	int rc = 0;
	for (;;) {
		if (gf_buf_grow(&b, 65536) != 0) {
			fprintf(stderr, "gitfleet fmt: standard input is larger than %u bytes\n",
			        FMT_MAX_FILE);
			rc = 1;
			break;
		}
		ssize_t n = read(STDIN_FILENO, b.ptr + b.len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "gitfleet fmt: failed to read standard input: %s\n",
			        strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	if (rc == 0) {
		o->list = false;
		o->write = false;
		process_source(o, "<stdin>", b.ptr ? b.ptr : "", b.len, true);
	}
	gf_buf_dispose(&b);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	fmt_opts o = {.list = true, .write = true};
	const cli_flag flags[] = {
	        {"list", CLI_FLAG_BOOL, &o.list},
	        {"write", CLI_FLAG_BOOL, &o.write},
	        {"diff", CLI_FLAG_BOOL, &o.diff},
	        {"check", CLI_FLAG_BOOL, &o.check},
	        {"recursive", CLI_FLAG_BOOL, &o.recursive},
	        {"no-color", CLI_FLAG_BOOL, &o.no_color},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (o.check)
		o.write = false;
	if (next < argc && strcmp(argv[next], "-") == 0) {
		if (fmt_stdin(&o) != 0)
			return 1;
	} else {
		const char *dot[] = {"."};
		const char **paths = next < argc ? (const char **)argv + next : dot;
		size_t npaths = next < argc ? (size_t)(argc - next) : 1;
		for (size_t i = 0; i < npaths; i++) {
			struct stat st;
			if (stat(paths[i], &st) != 0) {
				fprintf(stderr, "gitfleet fmt: no file or directory at %s\n",
				        paths[i]);
				return 1;
			}
			if (S_ISDIR(st.st_mode)) {
				process_dir(&o, paths[i]);
			} else if (is_config_name(paths[i])) {
				process_file(&o, paths[i]);
			} else {
				fprintf(stderr,
				        "gitfleet fmt: only .tf and .tfvars files can be "
				        "formatted, not "
				        "%s\n",
				        paths[i]);
				o.failed = true;
			}
		}
	}
	fflush(stdout);
	if (o.syntax_errors)
		return 2;
	if (o.failed)
		return 1;
	if (o.check && o.unformatted)
		return 3;
	return 0;
}
