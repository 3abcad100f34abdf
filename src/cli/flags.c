/* Go-flag-style parsing shared by every command. */
#include "cli/cli.h"

#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set by cli_log_setup: a command that logs in JSON reports its errors as
 * log lines too, so that its output stays one JSON object per line. */
static bool fail_as_log;

int cli_fail(const char *cmd, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (fail_as_log) {
		gf_buf msg = GF_BUF_INIT;
		gf_buf_vprintf(&msg, fmt, ap);
		gf_log(GF_LOG_ERROR, gf_buf_cstr(&msg), "command=%s", cmd);
		gf_buf_dispose(&msg);
	} else {
		fprintf(stderr, "gitfleet %s: ", cmd);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return status;
}

int cli_log_setup(const char *cmd, const char *flag)
{
	const char *env = getenv(CLI_LOG_FORMAT_ENV);
	const char *name = flag ? flag : env && *env ? env : "text";
	gf_log_format fmt;
	if (gf_log_parse_format(&fmt, name) < 0) {
		if (!cmd)
			return 0;
		if (flag)
			return cli_fail(cmd, -1, "--log-format %s: use text or json", flag);
		return cli_fail(cmd, -1, "%s=%s: use text or json", CLI_LOG_FORMAT_ENV, env);
	}
	gf_log_set_format(fmt);
	if (!cmd)
		return 0;
	fail_as_log = fmt == GF_LOG_JSON;
	/* Instances and builds inherit it through their environment. */
	setenv(CLI_LOG_FORMAT_ENV, name, 1);
	return 0;
}

void cli_strlist_dispose(cli_strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->len = l->cap = 0;
}

static int parse_bool(bool *out, const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static void unknown_flag(const char *cmd, const char *name, const cli_flag *flags, size_t n)
{
	const char *names[64];
	size_t k = GF_MIN(n, GF_ARRAY_LEN(names));
	for (size_t i = 0; i < k; i++)
		names[i] = flags[i].name;
	const char *hint = gf_str_suggest(name, names, k);
	if (hint)
		cli_fail(cmd, 1, "unknown flag -%s. Did you mean -%s? See 'gitfleet help %s'.",
		         name, hint, cmd);
	else
		cli_fail(cmd, 1, "unknown flag -%s. See 'gitfleet help %s'.", name, cmd);
}

static cli_flag_probe probe;
static void *probe_payload;

void cli_set_flag_probe(cli_flag_probe fn, void *payload)
{
	probe = fn;
	probe_payload = payload;
}

int cli_parse_flags(int argc, char **argv, const cli_flag *flags, size_t nflags, int *next)
{
	const char *cmd = argv[0];
	if (probe) {
		probe(cmd, flags, nflags, probe_payload);
		return -1;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		const char *name = arg + (arg[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const cli_flag *f = NULL;
		for (size_t k = 0; k < nflags; k++)
			if (strlen(flags[k].name) == nlen && memcmp(flags[k].name, name, nlen) == 0)
				f = &flags[k];
		if (!f) {
			char *bare = gf_xstrndup(name, nlen);
			unknown_flag(cmd, bare, flags, nflags);
			free(bare);
			return -1;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (f->kind == CLI_FLAG_BOOL) {
			bool b = true;
			if (value && parse_bool(&b, value) != 0)
				return cli_fail(cmd, -1, "flag -%s takes true or false, not \"%s\"",
				                f->name, value);
			*(bool *)f->out = b;
			continue;
		}
		if (!value) {
			if (i + 1 >= argc)
				return cli_fail(cmd, -1, "flag -%s needs a value", f->name);
			value = argv[++i];
		}
		if (f->kind == CLI_FLAG_STRING) {
			*(const char **)f->out = value;
		} else {
			cli_strlist *l = f->out;
			gf_vec_push(l, value);
		}
	}
	*next = i;
	return 0;
}

int cli_dispatch(const char *cmd, int argc, char **argv, const cli_subcommand *subs, size_t n)
{
	const char *names[16];
	size_t k = GF_MIN(n, GF_ARRAY_LEN(names));
	gf_buf list = GF_BUF_INIT;
	for (size_t i = 0; i < k; i++) {
		names[i] = subs[i].name;
		gf_buf_printf(&list, "%s%s", i ? "|" : "", subs[i].name);
	}
	const cli_subcommand *sub = NULL;
	for (size_t i = 0; argc >= 2 && i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			sub = &subs[i];
	int status = 1;
	if (probe) {
		for (size_t i = 0; i < n; i++) {
			char *name = gf_xasprintf("%s %s", cmd, subs[i].name);
			char *av[] = {name, NULL};
			subs[i].run(1, av);
			free(name);
		}
	} else if (sub) {
		char *name = gf_xasprintf("%s %s", cmd, sub->name);
		char **av = gf_xcalloc((size_t)argc, sizeof(*av));
		av[0] = name;
		for (int i = 2; i < argc; i++)
			av[i - 1] = argv[i];
		status = sub->run(argc - 1, av);
		free(av);
		free(name);
	} else if (argc < 2 || argv[1][0] == '-') {
		cli_fail(cmd, 1, "expected a subcommand: gitfleet %s <%s>. See 'gitfleet help %s'.",
		         cmd, gf_buf_cstr(&list), cmd);
	} else {
		const char *hint = gf_str_suggest(argv[1], names, k);
		cli_fail(cmd, 1,
		         "unknown subcommand \"%s\".%s%s%s Use one of %s. See 'gitfleet help %s'.",
		         argv[1], hint ? " Did you mean \"" : "", hint ? hint : "",
		         hint ? "\"?" : "", gf_buf_cstr(&list), cmd);
	}
	gf_buf_dispose(&list);
	return status;
}
