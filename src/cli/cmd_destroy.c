/* `gitfleet destroy [-auto-approve]`: terraform destroy, which is apply
 * of a destroy plan (cli_iac_run in cmd_plan.c). */
#include "cli/iac.h"

int cmd_destroy(int argc, char **argv)
{
	return cli_iac_run(IAC_DESTROY, argc, argv);
}
