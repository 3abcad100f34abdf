/* The command table: every command gitfleet has, in the order help lists them. */
#include "cli/cli.h"

#include <string.h>

const cli_command cli_commands[] = {
        {"help", "Show help for gitfleet or one of its commands",
         "Usage: gitfleet help [COMMAND]\n"
         "\n"
         "  Shows the list of commands, or the full help of one command.\n",
         cmd_help},
        {"version", "Print the gitfleet version",
         "Usage: gitfleet version\n"
         "\n"
         "  Prints the version of this gitfleet binary.\n",
         cmd_version},
};

const size_t cli_commands_len = sizeof(cli_commands) / sizeof(cli_commands[0]);

const cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_commands_len; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}
