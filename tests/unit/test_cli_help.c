/*
 * Every command's help is complete, and docs/cli.md holds it.
 *
 * The command table (cli_commands) and the flag tables the commands hand
 * to cli_parse_flags are the truth: each command is run under a flag probe
 * (cli_set_flag_probe), which records every flag table it reaches (every
 * subcommand's too, through cli_dispatch) without running anything. Then
 * every recorded flag must be documented in the command's help on an
 * option line with a description, and every public command's help must
 * have a usage line, a sentence of what it does, and an example. A flag or
 * command added without its help fails here.
 *
 * The end of docs/cli.md (after REFERENCE_MARK) is every public command's
 * help, generated from the table: the test fails when they differ, and
 * GF_UPDATE_GOLDEN=1 rewrites it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFERENCE_MARK "<!-- Generated from the command table by tests/unit/test_cli_help.c -->"

typedef struct {
	char cmd[64];
	char flag[64];
} probed;

static GF_VEC(probed) seen;

static void record(const char *cmd, const cli_flag *flags, size_t n, void *payload)
{
	size_t *tables = payload;
	(*tables)++;
	for (size_t i = 0; i < n; i++) {
		probed p;
		snprintf(p.cmd, sizeof(p.cmd), "%s", cmd);
		snprintf(p.flag, sizeof(p.flag), "%s", flags[i].name);
		gf_vec_push(&seen, p);
	}
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static size_t indent_of(const char *line)
{
	size_t n = 0;
	while (line[n] == ' ')
		n++;
	return n;
}

/*
 * True when `line` is an option line for `flag`: indented, starting with
 * flag tokens ("-x", "--name VALUE", "-f, --follow", "-lock=false"), and a
 * description after two spaces on the line or on the next, deeper
 * indented line.
 */
static bool option_line_documents(const char *line, const char *next, const char *flag)
{
	size_t ind = indent_of(line);
	if (ind < 2 || line[ind] != '-')
		return false;
	const char *p = line + ind;
	bool found = false;
	while (*p == '-') {
		p += p[1] == '-' ? 2 : 1;
		const char *name = p;
		while (is_name_char(*p))
			p++;
		if ((size_t)(p - name) == strlen(flag) && strncmp(name, flag, strlen(flag)) == 0)
			found = true;
		/* The token's value placeholder ("=K=V", " NAME=VALUE"), up to the
		 * next alias (", -x") or the description (two spaces). */
		while (*p && *p != '\n' && strncmp(p, ", -", 3) != 0 && strncmp(p, "  ", 2) != 0)
			p++;
		if (strncmp(p, ", -", 3) == 0)
			p += 2;
	}
	if (!found)
		return false;
	while (*p == ' ')
		p++;
	if (*p && *p != '\n')
		return true;
	return next && *next && *next != '\n' && indent_of(next) > ind;
}

static bool documents_flag(const char *help, const char *flag)
{
	for (const char *line = help; *line;) {
		const char *nl = strchr(line, '\n');
		const char *next = nl ? nl + 1 : NULL;
		if (option_line_documents(line, next, flag))
			return true;
		if (!nl)
			break;
		line = next;
	}
	return false;
}

/* Runs every command under the probe; returns the flags each reached. */
static void probe_all(void)
{
	seen.len = 0;
	for (size_t i = 0; i < cli_commands_len; i++) {
		const cli_command *c = &cli_commands[i];
		size_t tables = 0;
		cli_set_flag_probe(record, &tables);
		char *argv[] = {(char *)c->name, NULL};
		c->run(1, argv);
		cli_set_flag_probe(NULL, NULL);
	}
}

static const cli_command *command_of(const char *probed_name)
{
	char word[64];
	snprintf(word, sizeof(word), "%s", probed_name);
	word[strcspn(word, " ")] = '\0';
	return cli_find(word);
}

static void test_every_flag_is_documented(void **state)
{
	probe_all();
	assert_true(seen.len > 50); /* the probe reaches the flag tables */
	int missing = 0;
	for (size_t i = 0; i < seen.len; i++) {
		const cli_command *c = command_of(seen.items[i].cmd);
		if (!c) {
			print_error("flags of \"%s\" reached from no command of the table\n",
			            seen.items[i].cmd);
			missing++;
			continue;
		}
		if (!documents_flag(c->help, seen.items[i].flag)) {
			print_error("gitfleet %s: flag -%s is not documented in `gitfleet help %s` "
			            "(an indented option line with a description)\n",
			            seen.items[i].cmd, seen.items[i].flag, c->name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* Usage line, a sentence of what it does, and an example. */
static void test_every_help_is_complete(void **state)
{
	int bad = 0;
	for (size_t i = 0; i < cli_commands_len; i++) {
		const cli_command *c = &cli_commands[i];
		char usage[80];
		snprintf(usage, sizeof(usage), "Usage: gitfleet %s", c->name);
		if (!gf_str_has_prefix(c->help, usage) ||
		    (c->help[strlen(usage)] != ' ' && c->help[strlen(usage)] != '\n')) {
			print_error("gitfleet %s: help does not start with \"%s\"\n", c->name,
			            usage);
			bad++;
		}
		if (!gf_str_has_suffix(c->help, "\n")) {
			print_error("gitfleet %s: help does not end with a newline\n", c->name);
			bad++;
		}
		if (!c->summary)
			continue; /* internal: run by git, not by people */
		/* The usage block, a blank line, then an indented description. */
		const char *blank = strstr(c->help, "\n\n");
		if (!blank || indent_of(blank + 2) < 2 || !strchr(blank + 2, '.')) {
			print_error("gitfleet %s: no description after the usage lines\n", c->name);
			bad++;
		}
		const char *ex = strstr(c->help, "\nExample:\n");
		if (!ex)
			ex = strstr(c->help, "\nExamples:\n");
		char run[80];
		snprintf(run, sizeof(run), "gitfleet %s", c->name);
		if (!ex || !strstr(ex, run)) {
			print_error("gitfleet %s: no \"Example:\" section with a command line that "
			            "runs %s\n",
			            c->name, run);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The checker itself, on made-up help texts. */
static void test_checker(void **state)
{
	const char *help = "Usage: gitfleet x [options]\n\n  Does x.\n\nOptions:\n"
	                   "  -json          Print JSON.\n"
	                   "  -var NAME=V    Set a variable.\n"
	                   "  -f, --follow   Keep following.\n"
	                   "  -lock=false    Do not lock.\n"
	                   "  --deregistration-delay S\n"
	                   "                 Seconds to drain.\n"
	                   "  --bare\n"
	                   "  Mentions -inline in prose.\n";
	assert_true(documents_flag(help, "json"));
	assert_true(documents_flag(help, "var"));
	assert_true(documents_flag(help, "f"));
	assert_true(documents_flag(help, "follow"));
	assert_true(documents_flag(help, "lock"));
	assert_true(documents_flag(help, "deregistration-delay"));
	assert_false(documents_flag(help, "bare"));   /* no description */
	assert_false(documents_flag(help, "inline")); /* not an option line */
	assert_false(documents_flag(help, "jso"));
	assert_false(documents_flag(help, "V"));
}

static char *reference(void)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_puts(&b, REFERENCE_MARK
	            "\n\n## Reference\n\n"
	            "The help of every command, as `gitfleet help COMMAND` prints it.\n");
	for (size_t i = 0; i < cli_commands_len; i++) {
		const cli_command *c = &cli_commands[i];
		if (!c->summary)
			continue;
		gf_buf_printf(&b, "\n### gitfleet %s\n\n%s.\n\n```\n%s```\n", c->name, c->summary,
		              c->help);
	}
	return gf_buf_detach(&b);
}

static void test_docs_cli_md(void **state)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/../../docs/cli.md", getenv("GF_TEST_DATA"));
	gf_buf doc;
	gf_buf_init(&doc, 1 << 22);
	assert_int_equal(gf_fs_read(&doc, path), 0);
	char *want = reference();
	const char *mark = strstr(gf_buf_cstr(&doc), REFERENCE_MARK);
	if (getenv("GF_UPDATE_GOLDEN")) {
		gf_buf out = GF_BUF_INIT;
		gf_buf_put(&out, doc.ptr, mark ? (size_t)(mark - doc.ptr) : doc.len);
		gf_buf_puts(&out, want);
		assert_int_equal(gf_fs_write_atomic(path, out.ptr, out.len, 0644), 0);
		gf_buf_dispose(&out);
	}
	bool same = getenv("GF_UPDATE_GOLDEN") || (mark && strcmp(mark, want) == 0);
	free(want);
	gf_buf_dispose(&doc);
	if (!same)
		fail_msg("docs/cli.md does not end with the help of every command: regenerate it "
		         "with GF_UPDATE_GOLDEN=1 tests/test_cli_help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_checker),
	        cmocka_unit_test(test_every_flag_is_documented),
	        cmocka_unit_test(test_every_help_is_complete),
	        cmocka_unit_test(test_docs_cli_md),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	gf_vec_dispose(&seen);
	return rc;
}
