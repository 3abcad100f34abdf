/*
 * cli/iac.h — private to src/cli: what plan, apply, destroy and show
 * share (cmd_plan.c).
 */
#ifndef GF_CLI_IAC_H
#define GF_CLI_IAC_H

#include "cli/cli.h"

typedef enum {
	IAC_PLAN,
	IAC_APPLY,
	IAC_DESTROY,
} iac_verb;

/* The whole of `gitfleet plan|apply|destroy`: flags, configuration,
 * backend and lock, plan, rendering, approval, apply. Returns the exit
 * status. */
int cli_iac_run(iac_verb verb, int argc, char **argv);

#endif
