/*
 * `gitfleet console [-var K=V] [-var-file F]`: terraform console. Reads one
 * expression at a time from stdin (an expression spans several lines while
 * brackets are open or a heredoc is unterminated) and prints its value in
 * the context of the module in the current directory.
 */
#include "cli/cli.h"

#include "config/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Whether `text` needs more lines: open brackets outside strings, or a
 * heredoc whose closing marker has not come yet. */
static bool incomplete(const char *text)
{
	int depth = 0;
	bool in_str = false;
	const char *p = text;
	while (*p) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = false;
			p++;
			continue;
		}
		if (*p == '"') {
			in_str = true;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (*p == ')' || *p == ']' || *p == '}') {
			depth--;
		} else if (p[0] == '<' && p[1] == '<') {
			const char *m = p + 2 + (p[2] == '-');
			const char *e = m;
			while (isalnum((unsigned char)*e) || *e == '_' || *e == '-')
				e++;
			if (e > m && *e == '\n') {
				size_t n = (size_t)(e - m);
				const char *line = e + 1;
				bool closed = false;
				while (*line && !closed) {
					const char *s = line;
					while (*s == ' ' || *s == '\t')
						s++;
					const char *nl = strchr(line, '\n');
					size_t len = nl ? (size_t)(nl - s) : strlen(s);
					closed = len == n && strncmp(s, m, n) == 0;
					line = nl ? nl + 1 : s + strlen(s);
				}
				if (!closed)
					return true;
				p = line;
				continue;
			}
		}
		p++;
	}
	return depth > 0 || in_str;
}

static void eval_line(config *cfg, const char *text)
{
	gf_arena *a = &cfg->arena;
	const char *src = gf_arena_strdup(a, text);
	size_t from = cfg->diags.list.len;
	hcl_sources_add(&cfg->sources, "<console-input>", src, strlen(src), NULL);
	hcl_expr *e = hcl_parse_expression("<console-input>", src, strlen(src), hcl_pos_start(), a,
	                                   &cfg->diags);
	const hcl_value *v = NULL;
	if (cfg->diags.errors == 0)
		v = config_eval(cfg, cfg->root, e, NULL);
	if (v && cfg->diags.errors == 0) {
		fputs(hcl_value_render(a, v), stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	cli_print_diags(&cfg->diags, from, &cfg->sources, false);
	/* Each line starts clean: the sources list keeps its text for later
	 * rendering, the diagnostics do not need to be kept. */
	cfg->diags.list.len = from;
	cfg->diags.errors = 0;
	for (size_t i = 0; i < from; i++)
		cfg->diags.errors += cfg->diags.list.items[i].severity == HCL_DIAG_ERROR;
}

int cmd_console(int argc, char **argv)
{
	cli_strlist vars = {0}, var_files = {0};
	const cli_flag flags[] = {
	        {"var", CLI_FLAG_LIST, &vars},
	        {"var-file", CLI_FLAG_LIST, &var_files},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	cli_strlist_dispose(&vars);
	cli_strlist_dispose(&var_files);
	if (next < argc)
		return cli_fail("console", 1, "unexpected argument \"%s\"", argv[next]);
	config_var_arg *args = NULL;
	size_t nargs = cli_var_args(&args, argc, argv, next);
	config *cfg = config_load(".");
	if (!hcl_diags_has_errors(&cfg->diags))
		config_set_variables(cfg, args, nargs, environ);
	free(args);
	if (hcl_diags_has_errors(&cfg->diags)) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, false);
		config_free(cfg);
		return 1;
	}
	cli_print_diags(&cfg->diags, 0, &cfg->sources, false); /* warnings */
	cfg->diags.list.len = 0;
	bool tty = isatty(fileno(stdin));
	gf_buf pending = GF_BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		if (tty) {
			fputs(pending.len ? ". " : "> ", stdout);
			fflush(stdout);
		}
		ssize_t n = getline(&line, &cap, stdin);
		if (n < 0)
			break;
		gf_buf_put(&pending, line, (size_t)n);
		if (incomplete(gf_buf_cstr(&pending)))
			continue;
		const char *t = gf_buf_cstr(&pending);
		while (isspace((unsigned char)*t))
			t++;
		if (strncmp(t, "exit", 4) == 0 && (t[4] == 0 || isspace((unsigned char)t[4]))) {
			gf_buf_clear(&pending);
			break;
		}
		if (*t)
			eval_line(cfg, gf_buf_cstr(&pending));
		gf_buf_clear(&pending);
	}
	if (pending.len)
		eval_line(cfg, gf_buf_cstr(&pending));
	free(line);
	gf_buf_dispose(&pending);
	config_free(cfg);
	return 0;
}
