/* `gitfleet plan`, and the run shared with apply and destroy: terraform's
 * flags, output and exit codes over the plan engine (src/plan). */
#include "cli/iac.h"

#include "config/config.h"
#include "plan/plan.h"
#include "state/state.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

typedef struct {
	bool no_color, lock, refresh, refresh_only, destroy, detailed, auto_approve;
	const char *out, *lock_timeout, *parallelism;
	cli_strlist targets, replaces, vars, var_files;
} iac_flags;

static volatile int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void on_refresh(const char *addr, const char *id, void *payload)
{
	(void)payload;
	if (id)
		printf("%s: Refreshing state... [id=%s]\n", addr, id);
	else
		printf("%s: Refreshing state...\n", addr);
}

static void on_read(const char *addr, bool done, const char *id, double secs, void *payload)
{
	(void)payload;
	if (!done)
		printf("%s: Reading...\n", addr);
	else if (id)
		printf("%s: Read complete after %lds [id=%s]\n", addr, (long)secs, id);
	else
		printf("%s: Read complete after %lds\n", addr, (long)secs);
	fflush(stdout);
}

static const char *verb_name(iac_verb v)
{
	return v == IAC_PLAN ? "plan" : v == IAC_APPLY ? "apply" : "destroy";
}

/* provider "fleet" { address, token }: both optional. */
static bool provider_settings(config *cfg, provider_conn *conn)
{
	const char *address = NULL, *token = NULL;
	for (size_t i = 0; i < cfg->root->providers.len; i++) {
		const config_provider *p = &cfg->root->providers.items[i];
		if (strcmp(p->name, "fleet") != 0 || p->alias)
			continue;
		for (size_t k = 0; k < p->body->len; k++) {
			const hcl_body_item *it = &p->body->items[k];
			if (it->kind != HCL_ITEM_ATTRIBUTE)
				continue;
			const hcl_attribute *at = it->u.attr;
			const char *const names[] = {"address", "token"};
			if (strcmp(at->name, "address") && strcmp(at->name, "token")) {
				const char *s = hcl_suggest(at->name, names, 2);
				hcl_diags_add(
				        &cfg->diags, HCL_DIAG_ERROR, &at->name_range,
				        "Unsupported argument",
				        "An argument named \"%s\" is not expected here.%s",
				        at->name,
				        s ? gf_arena_printf(&cfg->arena, " Did you mean \"%s\"?", s)
				          : "");
				continue;
			}
			const hcl_value *v = config_eval(cfg, cfg->root, at->expr, NULL);
			const char *why = NULL;
			const hcl_value *sv =
			        v ? hcl_convert(&cfg->arena, v, &hcl_type_string, &why) : NULL;
			if (!sv || sv->kind != HCL_VAL_STRING) {
				if (v)
					hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, &at->expr->range,
					              "Invalid provider argument",
					              "\"%s\" must be a known string.", at->name);
				continue;
			}
			*(strcmp(at->name, "address") == 0 ? &address : &token) = sv->u.str.ptr;
		}
	}
	provider_conn_init(conn, address, token);
	return !hcl_diags_has_errors(&cfg->diags);
}

static bool approve(iac_verb verb)
{
	if (verb == IAC_DESTROY)
		fputs("\nDo you really want to destroy all resources?\n"
		      "  gitfleet will destroy all your managed infrastructure, as shown above.\n"
		      "  There is no undo. Only 'yes' will be accepted to confirm.\n\n"
		      "  Enter a value: ",
		      stdout);
	else
		fputs("\nDo you want to perform these actions?\n"
		      "  gitfleet will perform the actions described above.\n"
		      "  Only 'yes' will be accepted to approve.\n\n"
		      "  Enter a value: ",
		      stdout);
	fflush(stdout);
	char line[64] = "";
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	line[strcspn(line, "\r\n")] = 0;
	if (strcmp(line, "yes") == 0) {
		fputs("\n", stdout);
		return true;
	}
	fputs(verb == IAC_DESTROY ? "\nDestroy cancelled.\n" : "\nApply cancelled.\n", stdout);
	return false;
}

static void print_buf(gf_buf *b)
{
	fwrite(gf_buf_cstr(b), 1, b->len, stdout);
	fflush(stdout);
	gf_buf_clear(b);
}

int cli_iac_run(iac_verb verb, int argc, char **argv)
{
	iac_flags f = {.lock = true, .refresh = true};
	bool input = false;
	/* Flags every verb takes, then each verb's own (as terraform's). */
	cli_flag flags[16] = {
	        {"no-color", CLI_FLAG_BOOL, &f.no_color},
	        {"lock", CLI_FLAG_BOOL, &f.lock},
	        {"lock-timeout", CLI_FLAG_STRING, &f.lock_timeout},
	        {"refresh", CLI_FLAG_BOOL, &f.refresh},
	        {"refresh-only", CLI_FLAG_BOOL, &f.refresh_only},
	        {"parallelism", CLI_FLAG_STRING, &f.parallelism},
	        {"target", CLI_FLAG_LIST, &f.targets},
	        {"replace", CLI_FLAG_LIST, &f.replaces},
	        {"var", CLI_FLAG_LIST, &f.vars},
	        {"var-file", CLI_FLAG_LIST, &f.var_files},
	        {"input", CLI_FLAG_BOOL, &input},
	};
	size_t nflags = 11;
	if (verb != IAC_DESTROY)
		flags[nflags++] = (cli_flag){"destroy", CLI_FLAG_BOOL, &f.destroy};
	if (verb == IAC_PLAN) {
		flags[nflags++] = (cli_flag){"detailed-exitcode", CLI_FLAG_BOOL, &f.detailed};
		flags[nflags++] = (cli_flag){"out", CLI_FLAG_STRING, &f.out};
	} else {
		flags[nflags++] = (cli_flag){"auto-approve", CLI_FLAG_BOOL, &f.auto_approve};
	}
	const char *name = verb_name(verb);
	int next, status = 1;
	config *cfg = NULL;
	state_backend *backend = NULL;
	state *st = NULL;
	plan *p = NULL;
	plan_file pf;
	bool have_pf = false;
	provider_conn conn = {0};
	config_var_arg *vargs = NULL;
	gf_buf out = GF_BUF_INIT;
	if (cli_parse_flags(argc, argv, flags, nflags, &next) < 0)
		goto done;
	size_t nvargs = cli_var_args(&vargs, argc, argv, next);
	const char *planfile = NULL;
	if (verb == IAC_APPLY && next < argc)
		planfile = argv[next++];
	if (next < argc) {
		cli_fail(name, 1, "unexpected argument \"%s\": %s takes flags only%s", argv[next],
		         name, verb == IAC_APPLY ? " and an optional plan file" : "");
		goto done;
	}
	int parallelism = 10;
	if (f.parallelism) {
		int64_t n;
		if (gf_str_to_i64(&n, f.parallelism, 1, 1000) < 0) {
			cli_fail(name, 1, "-parallelism=%s: give a whole number from 1 to 1000",
			         f.parallelism);
			goto done;
		}
		parallelism = (int)n;
	}
	bool color = !f.no_color && isatty(fileno(stdout));
	if (planfile) {
		if (plan_read(&pf, planfile) < 0) {
			cli_print_error("Failed to load the plan file", gf_err_msg(), f.no_color);
			goto done;
		}
		have_pf = true;
		if (nvargs) {
			cli_print_error(
			        "Can't set variables when applying a saved plan",
			        "The -var and -var-file options cannot be used when applying a "
			        "saved plan file, because a saved plan includes the variable "
			        "values that were set when it was created.",
			        f.no_color);
			goto done;
		}
	}
	cfg = config_load(".");
	if (!hcl_diags_has_errors(&cfg->diags) && cfg->root->nfiles == 0) {
		cli_print_error("No configuration files",
		                gf_arena_printf(&cfg->arena,
		                                "%s requires configuration to be present. "
		                                "Running it against an empty directory does "
		                                "nothing; change to a directory with .tf files.",
		                                verb == IAC_PLAN    ? "Planning"
		                                : verb == IAC_APPLY ? "Apply"
		                                                    : "Destroy"),
		                f.no_color);
		goto done;
	}
	if (have_pf)
		plan_file_set_variables(&pf, cfg);
	else
		config_set_variables(cfg, vargs, nvargs, environ);
	if (hcl_diags_has_errors(&cfg->diags) || !provider_settings(cfg, &conn)) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, f.no_color);
		goto done;
	}
	if (state_backend_open_dir(&backend, ".", cfg) < 0) {
		if (cfg->diags.errors)
			cli_print_diags(&cfg->diags, 0, &cfg->sources, f.no_color);
		else
			cli_print_error_msg(gf_err_msg(), f.no_color);
		goto done;
	}
	if (cli_backend_lock(backend, f.lock, f.lock_timeout,
	                     verb == IAC_PLAN ? "OperationTypePlan" : "OperationTypeApply",
	                     f.no_color) < 0)
		goto done;
	if (state_backend_read(backend, &st) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), f.no_color);
		goto done;
	}
	plan_options opts = {
	        .targets = f.targets.items,
	        .ntargets = f.targets.len,
	        .replaces = f.replaces.items,
	        .nreplaces = f.replaces.len,
	        .destroy = f.destroy || verb == IAC_DESTROY,
	        .refresh = f.refresh,
	        .refresh_only = f.refresh_only,
	        .on_refresh = on_refresh,
	        .on_read = on_read,
	};
	if (have_pf) {
		char hash[65];
		const char *summary = NULL;
		plan_config_hash(hash, cfg);
		if (plan_file_check(&pf, st, hash, &summary) < 0) {
			cli_print_error(summary, gf_err_msg(), f.no_color);
			goto done;
		}
		opts = pf.opts;
		opts.refresh = false; /* the saved plan holds the refreshed state */
		p = plan_make(cfg, pf.prior, &opts, &conn);
		if (p && plan_file_match(&pf, p) < 0) {
			cli_print_error("Saved plan is stale", gf_err_msg(), f.no_color);
			goto done;
		}
		if (p) /* the staleness check passed: serial/lineage are the backend's */
			plan_file_restore(p, &pf);
	} else {
		p = plan_make(cfg, st, &opts, &conn);
	}
	if (!p) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, f.no_color);
		goto done;
	}
	cli_print_diags(&cfg->diags, 0, &cfg->sources, f.no_color); /* warnings */
	bool empty = plan_is_empty(p);
	if (!have_pf) {
		plan_render_opts ro = {color, opts.destroy};
		plan_render(&out, p, &ro);
		print_buf(&out);
	}
	if (verb == IAC_PLAN) {
		if (f.out) {
			if (plan_write(p, f.out) < 0) {
				cli_print_error("Failed to write plan file", gf_err_msg(),
				                f.no_color);
				goto done;
			}
			printf("\n");
			for (int i = 0; i < 77; i++)
				fputs("\u2500", stdout);
			printf("\n\nSaved the plan to: %s\n\nTo perform exactly these actions, run "
			       "the "
			       "following command to apply:\n    gitfleet apply \"%s\"\n",
			       f.out, f.out);
		} else if (!empty) {
			printf("\n");
			for (int i = 0; i < 77; i++)
				fputs("\u2500", stdout);
			printf("\n\nNote: You didn't use the -out option to save this plan, so "
			       "gitfleet "
			       "can't\nguarantee to take exactly these actions if you run "
			       "\"gitfleet "
			       "apply\" now.\n");
		}
		status = f.detailed && !empty ? 2 : 0;
		goto done;
	}
	if (!have_pf && !f.auto_approve && (!empty || p->drift.len) && !approve(verb))
		goto done;
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	plan_apply_opts ao = {parallelism, color, &interrupted, verb == IAC_DESTROY};
	int rc = plan_apply(p, cfg, &st, backend, &conn, &ao);
	sigaction(SIGINT, &old, NULL);
	if (rc < 0) {
		cli_print_diags(&cfg->diags, 0, &cfg->sources, f.no_color);
		goto done;
	}
	int add, change, destroy;
	plan_counts(p, &add, &change, &destroy);
	if (verb == IAC_DESTROY || opts.destroy)
		printf(color ? "\n\x1b[1m\x1b[32mDestroy complete! Resources: %d "
		               "destroyed.\x1b[0m\n"
		             : "\nDestroy complete! Resources: %d destroyed.\n",
		       destroy);
	else
		printf(color ? "\n\x1b[1m\x1b[32mApply complete! Resources: %d added, %d changed, "
		               "%d destroyed.\x1b[0m\n"
		             : "\nApply complete! Resources: %d added, %d changed, %d destroyed.\n",
		       add, change, destroy);
	if (!opts.destroy) {
		plan_render_outputs(&out, st, color);
		print_buf(&out);
	}
	status = 0;
done:
	if (backend) {
		state_backend_unlock(backend);
		state_backend_free(backend);
	}
	plan_free(p);
	state_free(st);
	if (have_pf)
		plan_file_dispose(&pf);
	provider_conn_dispose(&conn);
	config_free(cfg);
	free(vargs);
	gf_buf_dispose(&out);
	cli_strlist_dispose(&f.targets);
	cli_strlist_dispose(&f.replaces);
	cli_strlist_dispose(&f.vars);
	cli_strlist_dispose(&f.var_files);
	return status;
}

int cmd_plan(int argc, char **argv)
{
	return cli_iac_run(IAC_PLAN, argc, argv);
}
