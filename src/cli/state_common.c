/* What the commands that use a state share: opening the configured
 * backend, locking it as -lock and -lock-timeout say, and printing errors
 * as terraform's boxed diagnostics. */
#include "cli/cli.h"

#include "config/config.h"
#include "state/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_print_error(const char *summary, const char *detail, bool no_color)
{
	gf_arena a;
	hcl_diags d;
	gf_arena_init(&a);
	hcl_diags_init(&d, &a);
	hcl_diags_add(&d, HCL_DIAG_ERROR, NULL, summary, "%s", detail ? detail : "");
	cli_print_diags(&d, 0, NULL, no_color);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

void cli_print_error_msg(const char *msg, bool no_color)
{
	const char *nl = strstr(msg, "\n\n");
	if (!nl) {
		cli_print_error(msg, NULL, no_color);
		return;
	}
	char *summary = gf_xstrndup(msg, (size_t)(nl - msg));
	cli_print_error(summary, nl + 2, no_color);
	free(summary);
}

int cli_backend_open(state_backend **out, bool no_color)
{
	*out = NULL;
	config *cfg = NULL;
	bool has_config = false;
	/* A directory without configuration still has a state (the local
	 * default, or what init recorded): state and output work there. */
	cfg = config_load(".");
	has_config = cfg->root && cfg->root->nfiles > 0;
	if (has_config && hcl_diags_has_errors(&cfg->diags)) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		config_free(cfg);
		return GF_EINVALID;
	}
	int rc = state_backend_open_dir(out, ".", has_config ? cfg : NULL);
	if (rc < 0) {
		if (cfg->diags.errors)
			cli_print_diags(&cfg->diags, 0, &cfg->sources, no_color);
		else
			cli_print_error_msg(gf_err_msg(), no_color);
	}
	config_free(cfg);
	return rc;
}

int cli_backend_lock(state_backend *b, bool lock, const char *lock_timeout, const char *operation,
                     bool no_color)
{
	double timeout = 0;
	if (!lock)
		return 0;
	if (lock_timeout && gf_str_to_seconds(&timeout, lock_timeout) < 0) {
		cli_print_error("Invalid -lock-timeout",
		                "The value must be a duration like 10s, 500ms or 2m.", no_color);
		return GF_EINVALID;
	}
	int rc = state_backend_lock_wait(b, operation, timeout);
	if (rc < 0)
		cli_print_error_msg(gf_err_msg(), no_color);
	return rc;
}
