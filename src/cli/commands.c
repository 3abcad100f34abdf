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
        {"validate", "Check whether the configuration is valid",
         "Usage: gitfleet validate [-json] [-no-color] [DIR]\n"
         "\n"
         "  Validates the configuration files in DIR (default: the current\n"
         "  directory) and in the local modules it calls, as terraform validate\n"
         "  does: syntax, blocks and arguments of the language, duplicate\n"
         "  definitions, references to variables, locals, resources, data sources\n"
         "  and modules that are not declared, function names and arities, and\n"
         "  type errors in constant expressions. Input variables are treated as\n"
         "  unknown values of their declared types, so no values are needed.\n"
         "\n"
         "  Every problem is reported in one run. The exit status is 0 when the\n"
         "  configuration is valid, 1 otherwise.\n"
         "\n"
         "Options:\n"
         "\n"
         "  -json      Print the result as terraform validate -json does:\n"
         "             {\"format_version\": \"1.0\", \"valid\": ..., \"error_count\": N,\n"
         "             \"warning_count\": N, \"diagnostics\": [...]}.\n"
         "\n"
         "  -no-color  Print diagnostics without colours or box drawing.\n",
         cmd_validate},
        {"console", "Evaluate expressions interactively",
         "Usage: gitfleet console [-var NAME=VALUE] [-var-file FILE]\n"
         "\n"
         "  Reads expressions from standard input, one per line (or several lines\n"
         "  while brackets are open or a heredoc is unterminated), and prints each\n"
         "  value as terraform console does. Expressions are evaluated in the\n"
         "  context of the module in the current directory: its input variables,\n"
         "  local values, path.module, path.root, path.cwd, terraform.workspace and\n"
         "  every function. Resource attributes print as (known after apply).\n"
         "\n"
         "  A prompt is shown when standard input is a terminal. An error is printed\n"
         "  as a diagnostic and the console goes on; \"exit\" or end of input ends\n"
         "  it with status 0. The status is 1 if the module itself cannot be loaded\n"
         "  or its variables cannot be set.\n"
         "\n"
         "Options:\n"
         "\n"
         "  -var NAME=VALUE  Set an input variable; repeatable. Values of string,\n"
         "                   number and bool variables are taken literally, others\n"
         "                   are read as HCL expressions ('-var=ports=[80, 443]').\n"
         "\n"
         "  -var-file FILE   Read variable values from a .tfvars (HCL) or\n"
         "                   .tfvars.json file; repeatable. -var and -var-file apply\n"
         "                   in command-line order, after TF_VAR_NAME environment\n"
         "                   variables, terraform.tfvars and *.auto.tfvars.\n",
         cmd_console},
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
        {"www", "Serve a directory over HTTP (the built-in static server)",
         "Usage: gitfleet www --root DIR [--listen ADDR:PORT] [options]\n"
         "\n"
         "  Serves the files under DIR over HTTP/1.1: GET and HEAD, keep-alive and\n"
         "  pipelining, index.html for directories, 404.html from the root as the\n"
         "  not-found page, ETag/Last-Modified revalidation (304), single byte ranges\n"
         "  (206/416), and precompressed FILE.br / FILE.gz siblings chosen by\n"
         "  Accept-Encoding. Nothing outside DIR is ever served, symlinks included;\n"
         "  dotfiles and dot-directories (.git, .env) answer 404.\n"
         "\n"
         "  This is what an instance of a launch template runs by default. It stops\n"
         "  on SIGTERM or SIGINT after finishing the responses in flight (exit 0).\n"
         "\n"
         "Options:\n"
         "  --root DIR             the directory to serve (required)\n"
         "  --listen ADDR:PORT     where to listen; default 127.0.0.1:$PORT, an error\n"
         "                         when neither is given. [::1]:8080 for IPv6\n"
         "  --workers N            threads, each with its own event loop and\n"
         "                         SO_REUSEPORT socket (default 1; 0 = one per CPU)\n"
         "  --cache-control VALUE  Cache-Control of file responses (default no-cache:\n"
         "                         clients revalidate, so a new release shows at once;\n"
         "                         --cache-control= sends none)\n"
         "  --header-timeout DUR   time allowed for a whole request head (default 10s)\n"
         "  --idle-timeout DUR     keep-alive idle time (default 30s)\n"
         "  --send-timeout DUR     time allowed without write progress (default 30s)\n"
         "  --access-log           log one line per request\n"
         "  --log-format FORMAT    text (default) or json\n"
         "\n"
         "Example:\n"
         "  gitfleet www --root ./public --listen 127.0.0.1:8080 --workers 0\n",
         cmd_www},
};

const size_t cli_commands_len = sizeof(cli_commands) / sizeof(cli_commands[0]);

const cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_commands_len; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}
