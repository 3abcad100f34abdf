/* gitfleet: command dispatch only. Each command lives in src/cli/cmd_*.c. */
#include "base/base.h"
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static bool is_help_flag(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "-help") == 0 || strcmp(s, "--help") == 0;
}

int main(int argc, char **argv)
{
	/* A closed pipe is an error to report where it happens, not a death. */
	signal(SIGPIPE, SIG_IGN);
	cli_log_setup(NULL, NULL);
	if (argc < 2) {
		cli_print_usage_error();
		return 1;
	}
	const char *name = argv[1];
	if (is_help_flag(name))
		return cmd_help(1, argv + 1);
	if (strcmp(name, "-v") == 0 || strcmp(name, "-version") == 0 ||
	    strcmp(name, "--version") == 0)
		return cmd_version(1, argv + 1);
	const cli_command *c = cli_find(name);
	if (!c) {
		char *help[] = {"help", argv[1], NULL};
		return cmd_help(2, help);
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (is_help_flag(argv[i])) {
			fputs(c->help, stdout);
			return 0;
		}
	}
	return c->run(argc - 1, argv + 1);
}
