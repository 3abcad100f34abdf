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
        {"lb", "Run a load balancer: one listener in front of a target group",
         "Usage: gitfleet lb --listen HOST:PORT --target HOST:PORT... [options]\n"
         "\n"
         "  Runs an HTTP/1.1 reverse proxy, the data plane of gitfleet's load balancers,\n"
         "  with one listener forwarding to one target group. Targets are health checked\n"
         "  as AWS target groups do: a new target is checked at once and gets traffic\n"
         "  when it has passed --healthy-threshold checks in a row; it stops getting\n"
         "  traffic after --unhealthy-threshold failed checks. With no healthy target\n"
         "  the listener answers 503. Requests that failed without costing the client\n"
         "  anything (a refused connection, a pooled connection closed by the target)\n"
         "  are retried on another target. SIGTERM or SIGINT stops accepting, lets\n"
         "  requests in flight finish (30 s at most), and exits 0. SIGUSR1 logs the\n"
         "  counters of the listener and of each target.\n"
         "\n"
         "Options:\n"
         "  --listen HOST:PORT        address to listen on: 127.0.0.1:8080, [::1]:8080;\n"
         "                            port 0 picks a free port (logged at start)\n"
         "  --target HOST:PORT        a target (repeatable), like 127.0.0.1:9101\n"
         "  --targets-file PATH       more targets, one HOST:PORT a line (# comments); on\n"
         "                            SIGHUP the file is read again: new targets are\n"
         "                            registered, missing ones drained and removed\n"
         "  --algorithm NAME          round_robin (default) or least_outstanding_requests\n"
         "  --health-path PATH        path of the HTTP health check (default /); \"\" turns\n"
         "                            checks off: every target is healthy\n"
         "  --health-interval S       seconds between checks of a target (default 1)\n"
         "  --health-timeout S        a check without an answer by then fails (default 1)\n"
         "  --healthy-threshold N     passed checks in a row to become healthy (default 2)\n"
         "  --unhealthy-threshold N   failed checks in a row to become unhealthy\n"
         "                            (default 2)\n"
         "  --health-matcher CODES    statuses that pass: 200, 200-299, 200,302 (default\n"
         "                            200-399)\n"
         "  --deregistration-delay S  most time a removed target gets to finish its\n"
         "                            requests in flight (default 5)\n"
         "  --allow CIDR              only these clients (repeatable), like 127.0.0.0/8 or\n"
         "                            ::1/128; others get 403. Default: everybody\n"
         "  --workers N               worker threads (default: one per core)\n"
         "  --connect-timeout S       to connect to a target (default 5)\n"
         "  --idle-timeout S          keep-alive time between client requests (default 60)\n"
         "  --head-timeout S          to receive a request head; then 408 (default 30)\n"
         "  --response-timeout S      a target silent for so long gets a 504 (default 60)\n"
         "  --max-body BYTES          larger request bodies get 413 (default 0: no limit)\n"
         "  --log-format text|json    log lines as key=value text or JSON (default text)\n"
         "\n"
         "Example:\n"
         "  gitfleet www --root ./site --listen 127.0.0.1:9101 &\n"
         "  gitfleet www --root ./site --listen 127.0.0.1:9102 &\n"
         "  gitfleet lb --listen 127.0.0.1:8080 \\\n"
         "      --target 127.0.0.1:9101 --target 127.0.0.1:9102\n",
         cmd_lb},
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
        {"daemon", "Run the local cloud: load balancers, autoscaling groups, the API",
         "Usage: gitfleet daemon [--home DIR] [--api-listen HOST:PORT] [options]\n"
         "\n"
         "  Runs the local cloud in the foreground, logging to stderr: load balancers,\n"
         "  listeners, target groups, launch templates with their releases, and\n"
         "  autoscaling groups of supervised instance processes, all kept in an SQLite\n"
         "  inventory in the home and restored when the daemon starts again. The JSON\n"
         "  API (docs/api.md) is served on HOME/run/gitfleet.sock (mode 0600), and with\n"
         "  --api-listen on TCP too, where every request needs the bearer token kept in\n"
         "  HOME/api-token (created at first start, mode 0600).\n"
         "\n"
         "  SIGTERM or SIGINT stops it cleanly: listeners stop accepting, requests in\n"
         "  flight finish (10 s at most), every instance is stopped (SIGTERM, then\n"
         "  SIGKILL after its stop_grace_period), and the daemon exits 0. Only one\n"
         "  daemon runs per home; a second one says which pid holds it.\n"
         "\n"
         "Options:\n"
         "  --home DIR                 where the daemon keeps everything (default\n"
         "                             $GITFLEET_HOME, else /var/lib/gitfleet as root,\n"
         "                             else ~/.local/share/gitfleet)\n"
         "  --api-listen HOST:PORT     also serve the API on TCP, like 127.0.0.1:7070\n"
         "  --instance-ports LO-HI     ports given to instances (default 41000-48999)\n"
         "  --log-format text|json     log lines as key=value text or JSON (default text)\n"
         "\n"
         "Example:\n"
         "  gitfleet daemon --home ./cloud &\n"
         "  curl --unix-socket ./cloud/run/gitfleet.sock http://localhost/v1/instances\n",
         cmd_daemon},
        {"init", "Prepare the working directory: configure the state backend",
         "Usage: gitfleet init [options]\n"
         "\n"
         "  Reads the backend block of the configuration in the current directory\n"
         "  (terraform { backend \"local\" | \"http\" | \"gitfleet\" { ... } }), merges the\n"
         "  -backend-config values into it, checks that the backend answers, and\n"
         "  records it in .gitfleet/ (as terraform uses .terraform/). Other commands\n"
         "  use what was recorded; a non-local backend must be initialised before\n"
         "  plan or apply. Without a backend block the state is the local file\n"
         "  gitfleet.tfstate.\n"
         "\n"
         "  Running init again is safe. When the backend configuration changed since\n"
         "  the last init, init stops with \"Backend configuration changed\" unless\n"
         "  -reconfigure is given. State is never migrated between backends: copy it\n"
         "  with `gitfleet state pull` and `gitfleet state push`.\n"
         "\n"
         "Options:\n"
         "\n"
         "  -backend-config=K=V   Set a backend argument (a string); repeatable.\n"
         "  -backend-config=FILE  Read backend arguments from an HCL file of\n"
         "                        attributes (like backend.hcl); repeatable. Later\n"
         "                        values win.\n"
         "  -reconfigure          Use the current backend configuration even though it\n"
         "                        differs from the recorded one, without touching any\n"
         "                        state.\n"
         "  -input=false          Never ask for input (init never does; accepted for\n"
         "                        terraform compatibility).\n"
         "  -no-color             Print without colours.\n",
         cmd_init},
        {"output", "Show output values from the state",
         "Usage: gitfleet output [options] [NAME]\n"
         "\n"
         "  Prints the root module's output values recorded in the state by the last\n"
         "  apply. Without NAME every output is printed as `name = value` in the\n"
         "  console format, sensitive ones as <sensitive>; with NAME that value alone\n"
         "  (sensitive values included).\n"
         "\n"
         "Options:\n"
         "\n"
         "  -json       Print JSON: with NAME its value, else an object of\n"
         "              {\"sensitive\", \"type\", \"value\"} per output.\n"
         "  -raw        Print the value of NAME (a string, number or bool) as is,\n"
         "              without quotes or a newline, for shell scripts.\n"
         "  -state=PATH Read this local state file instead of the configured backend.\n"
         "  -no-color   Print without colours.\n",
         cmd_output},
        {"state", "Inspect and change the state",
         "Usage: gitfleet state <subcommand> [options] [args]\n"
         "\n"
         "  Reads and edits the state kept by the configured backend (see\n"
         "  `gitfleet init`). Commands that change it take the state lock first.\n"
         "\n"
         "Subcommands:\n"
         "\n"
         "  list [-id=ID] [ADDR...]  List the resource instances in the state, or those\n"
         "                           ADDR selects (fleet_lb.web, fleet_lb.web[0],\n"
         "                           module.net); -id keeps those whose id is ID.\n"
         "  show ADDR                Show the attributes of one resource instance.\n"
         "  rm [-dry-run] ADDR...    Forget resource instances: the objects keep\n"
         "                           running but gitfleet no longer manages them.\n"
         "  pull                     Print the state as JSON.\n"
         "  push [-force] FILE       Replace the state by FILE (- for standard input).\n"
         "                           Refused without -force when FILE has another\n"
         "                           lineage or a serial lower than the stored one.\n"
         "\n"
         "Options of rm and push:\n"
         "\n"
         "  -lock=false        Don't take the state lock (dangerous when others may\n"
         "                     write the state).\n"
         "  -lock-timeout=D    Retry a held lock for up to D (like 10s, 2m).\n",
         cmd_state},
        {"force-unlock", "Release a stuck state lock",
         "Usage: gitfleet force-unlock [-force] LOCK_ID\n"
         "\n"
         "  Releases the state lock with ID LOCK_ID, left behind by a gitfleet process\n"
         "  that died while it held it. The ID is printed by the command that found\n"
         "  the lock held. Asks for confirmation unless -force is given. A local\n"
         "  state's lock is released by the system when its holder exits, so it cannot\n"
         "  be forced while its holder still runs.\n"
         "\n"
         "Options:\n"
         "\n"
         "  -force   Don't ask for confirmation.\n",
         cmd_force_unlock},
        {"status", "Show the local cloud as a tree: lbs, listeners, groups, instances",
         "Usage: gitfleet status [--json] [--home DIR]\n"
         "\n"
         "  Asks the daemon for every lb, listener, target group and autoscaling group\n"
         "  and prints them as a tree: lbs → listeners → target groups → groups →\n"
         "  instances, with each instance's state, health in the target group,\n"
         "  version, port and age. --json prints the resources as JSON instead.\n"
         "\n"
         "  The daemon is found on the unix socket of --home (default $GITFLEET_HOME,\n"
         "  else the default home), or at GITFLEET_ADDR with the token GITFLEET_TOKEN.\n",
         cmd_status},
        {"instances", "List the daemon's instances",
         "Usage: gitfleet instances [--all] [--json] [--home DIR]\n"
         "\n"
         "  Lists live instances: id, group, template version, state, port, pid, age\n"
         "  and the reason of the last state change. --all adds those that terminated\n"
         "  or failed in the last hour; --json prints every instance as JSON.\n",
         cmd_instances},
        {"events", "Show the daemon's event log",
         "Usage: gitfleet events [-f] [--after ID] [--json] [--home DIR]\n"
         "\n"
         "  Prints the event log: resources created and deleted, instance state\n"
         "  changes, rollouts and their failures. -f keeps following new events;\n"
         "  --after ID starts after that event; --json prints one JSON object a line.\n",
         cmd_events},
        {"logs", "Show the output of an instance or the log of a build",
         "Usage: gitfleet logs --instance ID [-f] [--json] [--home DIR]\n"
         "       gitfleet logs BUILD [-f] [--json] [--home DIR]\n"
         "\n"
         "  Prints what the instance wrote to stdout and stderr (kept by the daemon,\n"
         "  rotated at 10 MiB). -f keeps following it. --json prints JSON objects\n"
         "  {\"instance\", \"log\"}.\n"
         "\n"
         "  With a BUILD id (see `gitfleet builds`), prints the build's log: one\n"
         "  timestamped line per output line, with phase markers; -f follows it live\n"
         "  until the build is over.\n",
         cmd_logs},
        {"build", "Start or stop a build of a pipeline project",
         "Usage: gitfleet build start PROJECT [--ref REF | --commit SHA] [--json] [--home DIR]\n"
         "       gitfleet build stop ID [--home DIR]\n"
         "\n"
         "  start queues a build of PROJECT and prints its id (project:uuid). Without\n"
         "  --ref or --commit it builds the default branch (HEAD) of the project's\n"
         "  repository. A project runs one build at a time; later ones wait in order.\n"
         "  stop ends a queued or running build as STOPPED (its processes are killed).\n"
         "  Follow a build with `gitfleet logs ID -f`.\n",
         cmd_build},
        {"builds", "List the builds of the pipeline",
         "Usage: gitfleet builds [PROJECT] [--json] [--home DIR]\n"
         "\n"
         "  Lists the latest builds (of PROJECT, or of every project), newest first:\n"
         "  id, status, duration, what triggered it and the status of each phase.\n"
         "  --json prints every build with its phases, durations and exit codes.\n",
         cmd_builds},
        {"repo", "Show the git URL of a project hosted by the daemon",
         "Usage: gitfleet repo url PROJECT [--home DIR]\n"
         "\n"
         "  Prints the URL of the repository the daemon hosts for PROJECT (source\n"
         "  type GITFLEET), to add as a remote: every push to it runs the pipeline.\n"
         "\n"
         "Example:\n"
         "  git remote add fleet \"$(gitfleet repo url site)\"\n"
         "  git push fleet master\n",
         cmd_repo},
        {"hook", NULL, "Usage: gitfleet hook post-receive PROJECT (run by git)\n", cmd_hook},
};

const size_t cli_commands_len = sizeof(cli_commands) / sizeof(cli_commands[0]);

const cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_commands_len; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}
