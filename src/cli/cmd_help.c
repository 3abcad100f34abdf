/* `gitfleet help [CMD]`, `gitfleet --help` and `gitfleet version`. */
#include "cli/cli.h"

#include "base/base.h"

#include <stdio.h>

static void print_overview(FILE *out)
{
	fputs("Usage: gitfleet [--help] COMMAND [ARGS]\n"
	      "\n"
	      "gitfleet is GitOps in one binary: a pipeline that runs on every push, an\n"
	      "infrastructure-as-code engine that reads Terraform's language, and a local\n"
	      "cloud of load balancers and autoscaling groups that it deploys to.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < cli_commands_len; i++)
		if (cli_commands[i].summary)
			fprintf(out, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fputs("\nRun 'gitfleet help COMMAND' for the options of one command.\n", out);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stdout);
		return 0;
	}
	const cli_command *c = cli_find(argv[1]);
	if (!c) {
		const char *names[64];
		size_t n = GF_MIN(cli_commands_len, GF_ARRAY_LEN(names));
		for (size_t i = 0; i < n; i++)
			names[i] = cli_commands[i].name;
		const char *hint = gf_str_suggest(argv[1], names, n);
		if (hint)
			return cli_fail("help", 1, "no command \"%s\". Did you mean \"%s\"?",
			                argv[1], hint);
		return cli_fail("help", 1, "no command \"%s\". Run 'gitfleet help' for the list.",
		                argv[1]);
	}
	fputs(c->help, stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	printf("gitfleet v%s\n", GF_VERSION);
	return 0;
}

void cli_print_usage_error(void)
{
	print_overview(stderr);
}
