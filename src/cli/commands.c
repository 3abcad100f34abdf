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
        {"fmt", "Rewrite configuration files in the canonical style",
         "Usage: gitfleet fmt [options] [PATH...]\n"
         "\n"
         "  Rewrites the configuration files (.tf) and variable files (.tfvars) of each\n"
         "  PATH in the canonical style, exactly as `terraform fmt` does: two-space\n"
         "  indentation, aligned `=` in runs of arguments, one space around operators,\n"
         "  quoted block labels, \"${x}\" unwrapped to x. A directory PATH means its\n"
         "  files (not its subdirectories unless -recursive); without PATH, the current\n"
         "  directory. PATH \"-\" reads standard input and writes the result to standard\n"
         "  output. Files with syntax errors are reported and left untouched.\n"
         "\n"
         "Options:\n"
         "\n"
         "  -list=false    Don't list the files whose formatting changed.\n"
         "  -write=false   Don't rewrite the files; with -list=false too, print the\n"
         "                 formatted content instead.\n"
         "  -diff          Print a unified diff of the changes (needs diff(1)).\n"
         "  -check         Change nothing; list the files that are not formatted and\n"
         "                 exit with status 3 if there are any.\n"
         "  -recursive     Also process the subdirectories of directory PATHs.\n"
         "  -no-color      Print diagnostics without colour (the default when standard\n"
         "                 error is not a terminal).\n"
         "\n"
         "Exit status: 0 success, 1 usage or file errors, 2 syntax errors, 3 -check\n"
         "found files to format.\n",
         cmd_fmt},
};

const size_t cli_commands_len = sizeof(cli_commands) / sizeof(cli_commands[0]);

const cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_commands_len; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}
