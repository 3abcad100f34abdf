/*
 * cli — the command line: one file per command (cmd_<verb>.c), registered
 * in one table (commands.c). main() only dispatches.
 *
 * A command's run function gets argv with argv[0] being the command's name
 * and returns the process exit status. It prints its own errors to stderr;
 * the conventions are Terraform's where a Terraform command exists (flags
 * like `-check`, `-var K=V`, exit codes), and `--long-flags` elsewhere. Both
 * `-flag` and `--flag` are accepted everywhere, with `=value` or the value
 * as the next argument, as Go's flag package (and so terraform) does.
 */
#ifndef GF_CLI_H
#define GF_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "hcl/diag.h"

typedef struct {
	const char *name;
	const char *summary; /* one line for `gitfleet --help`; NULL: an internal command */
	const char *help;    /* the full text of `gitfleet help NAME` */
	int (*run)(int argc, char **argv);
} cli_command;

extern const cli_command cli_commands[];
extern const size_t cli_commands_len;

const cli_command *cli_find(const char *name);

/* ---- flags ------------------------------------------------------------- */

typedef struct {
	const char **items;
	size_t len, cap;
} cli_strlist;

typedef enum {
	CLI_FLAG_BOOL,   /* bool *: -x, -x=true, -x=false */
	CLI_FLAG_STRING, /* const char **: -x V or -x=V */
	CLI_FLAG_LIST,   /* cli_strlist *: repeatable -x V */
} cli_flag_kind;

typedef struct {
	const char *name; /* without leading dashes */
	cli_flag_kind kind;
	void *out;
} cli_flag;

/*
 * Parses the flags of argv[1..] into `flags`, stopping at `--` or at the
 * first argument that is not a flag. On success returns 0 and sets *next to
 * the index of the first positional argument. On an unknown or malformed
 * flag prints `gitfleet CMD: ...` with a suggestion to stderr and returns
 * -1; the caller exits with status 1.
 */
int cli_parse_flags(int argc, char **argv, const cli_flag *flags, size_t nflags, int *next);
void cli_strlist_dispose(cli_strlist *l);

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is "CMD NAME", as "state list" */
} cli_subcommand;

/*
 * Runs the subcommand argv[1] of command `cmd` among `subs`, with argv + 1
 * (argv[0] becoming "CMD SUB" so that its messages name both). A missing
 * or unknown subcommand prints the choices (and a suggestion) and returns 1.
 */
int cli_dispatch(const char *cmd, int argc, char **argv, const cli_subcommand *subs, size_t n);

/*
 * For the test that every flag is documented (tests/unit/test_cli_help.c):
 * while a probe is set, cli_parse_flags hands it the flag table and fails
 * at once (silently, before reading argv), and cli_dispatch runs every
 * subcommand, so that running a command with no arguments shows every
 * flag table it has. NULL turns probing off.
 */
typedef void (*cli_flag_probe)(const char *cmd, const cli_flag *flags, size_t n, void *payload);
void cli_set_flag_probe(cli_flag_probe fn, void *payload);

/* Prints `gitfleet CMD: <message>` to stderr and returns `status`; after
 * cli_log_setup chose JSON, the message is an error log line instead. */
int cli_fail(const char *cmd, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- logging ----------------------------------------------------------- */

#define CLI_LOG_FORMAT_ENV "GITFLEET_LOG_FORMAT"

/*
 * The log format of a command that logs (daemon, www, lb): `flag` (its
 * --log-format, may be NULL), else $GITFLEET_LOG_FORMAT, else text. The
 * choice is exported as GITFLEET_LOG_FORMAT, so that the processes it
 * starts (instances, builds and the gitfleet commands they run) log the
 * same way, and in JSON its own errors (cli_fail) become log lines. A bad
 * value is reported (`gitfleet CMD: ...`) and returns -1.
 *
 * With cmd NULL (main, for every command) only $GITFLEET_LOG_FORMAT is
 * applied to gf_log, quietly: a bad value is left for the commands that
 * log to report.
 */
int cli_log_setup(const char *cmd, const char *flag);

/* ---- diagnostics and variables ----------------------------------------- */

/* Prints the diagnostics d->list[from..] as terraform does: the boxed form
 * in colour on a terminal, the box without colour elsewhere, the plain form
 * with `no_color`; errors to stderr, warnings to stdout. */
void cli_print_diags(const hcl_diags *d, size_t from, const hcl_sources *sources, bool no_color);
/* The -var and -var-file flags of argv[1..end) in command-line order (their
 * relative order matters, so they are collected here rather than as two
 * lists). *out is malloc'd; returns the count. */
struct config_var_arg;
size_t cli_var_args(struct config_var_arg **out, int argc, char **argv, int end);

/* ---- state (state_common.c) --------------------------------------------- */

struct state_backend;
/* Prints one error as terraform's boxed diagnostic (to stderr). */
void cli_print_error(const char *summary, const char *detail, bool no_color);
/* The same for a message whose first paragraph is the summary. */
void cli_print_error_msg(const char *msg, bool no_color);
/* Opens the backend of the configuration in the current directory (as
 * `gitfleet init` recorded it; the local default without one). Errors are
 * printed; returns 0 or a negative code. */
int cli_backend_open(struct state_backend **out, bool no_color);
/* Locks for `operation` ("OperationTypeApply") unless `lock` is false,
 * retrying for -lock-timeout (NULL: once). Errors (the held lock with its
 * info and the force-unlock advice) are printed. */
int cli_backend_lock(struct state_backend *b, bool lock, const char *lock_timeout,
                     const char *operation, bool no_color);

/* ---- commands ---------------------------------------------------------- */

/* The command overview on stderr, for `gitfleet` run with no command. */
void cli_print_usage_error(void);

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_lb(int argc, char **argv);
int cmd_www(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_force_unlock(int argc, char **argv);
int cmd_output(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_instances(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_builds(int argc, char **argv);
int cmd_repo(int argc, char **argv);
int cmd_hook(int argc, char **argv);

#endif
