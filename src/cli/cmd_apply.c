/* `gitfleet apply [-auto-approve] [PLANFILE]`: terraform apply (the run
 * itself is cli_iac_run in cmd_plan.c). */
#include "cli/iac.h"

int cmd_apply(int argc, char **argv)
{
	return cli_iac_run(IAC_APPLY, argc, argv);
}
