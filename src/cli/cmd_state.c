/* `gitfleet state list|show|rm|mv|pull|push` and `gitfleet force-unlock`:
 * terraform's state commands over the configured backend. */
#include "cli/cli.h"

#include "hcl/value.h"
#include "state/state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opens the backend and reads the state (*s may be NULL: none yet). */
static int open_read(state_backend **b, state **s, bool no_color)
{
	*s = NULL;
	if (cli_backend_open(b, no_color) < 0)
		return 1;
	if (state_backend_read(*b, s) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), no_color);
		state_backend_free(*b);
		*b = NULL;
		return 1;
	}
	return 0;
}

static int parse_patterns(state_addr **out, int argc, char **argv, int next, bool no_color)
{
	*out = argc > next ? gf_xcalloc((size_t)(argc - next), sizeof(**out)) : NULL;
	for (int i = next; i < argc; i++)
		if (state_addr_parse(&(*out)[i - next], argv[i]) < 0) {
			cli_print_error("Invalid address", gf_err_msg(), no_color);
			for (int k = next; k < i; k++)
				state_addr_dispose(&(*out)[k - next]);
			free(*out);
			*out = NULL;
			return -1;
		}
	return 0;
}

static void free_patterns(state_addr *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		state_addr_dispose(&p[i]);
	free(p);
}

static int state_list_cmd(int argc, char **argv)
{
	const char *id = NULL;
	const cli_flag flags[] = {{"id", CLI_FLAG_STRING, &id}};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	state_addr *pat = NULL;
	size_t npat = (size_t)(argc - next);
	if (parse_patterns(&pat, argc, argv, next, false) < 0)
		return 1;
	state_backend *b = NULL;
	state *s = NULL;
	int status = open_read(&b, &s, false);
	if (status == 0 && s) {
		char **list;
		size_t n = state_list(&list, s, pat, npat);
		for (size_t i = 0; i < n; i++) {
			bool show = true;
			if (id) {
				state_addr a;
				state_addr_parse(&a, list[i]);
				const state_instance *inst = state_instance_find(s, &a);
				const json_t *v = json_object_get(inst->attributes, "id");
				show = json_is_string(v) && strcmp(json_string_value(v), id) == 0;
				state_addr_dispose(&a);
			}
			if (show)
				puts(list[i]);
		}
		state_strings_free(list, n);
	}
	free_patterns(pat, npat);
	state_free(s);
	state_backend_free(b);
	return status;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The top-level attribute names marked sensitive in `i`. */
static bool attr_sensitive(const state_instance *i, const char *name)
{
	size_t k;
	json_t *path;
	json_array_foreach(i->sensitive_attributes, k, path)
	{
		json_t *step = json_array_get(path, 0);
		json_t *v = json_object_get(step, "value");
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

/* Writes `text` with its continuation lines indented as terraform's state
 * show does (4 spaces per level where the console uses 2). */
static void put_indented(const char *text, int base)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (p != text) {
			size_t sp = 0;
			while (sp < n && p[sp] == ' ')
				sp++;
			printf("%*s%.*s", base + (int)sp * 2, "", (int)(n - sp), p + sp);
		} else {
			printf("%.*s", (int)n, p);
		}
		if (!nl)
			break;
		putchar('\n');
		p = nl + 1;
	}
}

static void show_instance(const state_resource *r, const state_instance *i, const char *addr)
{
	gf_arena a;
	gf_arena_init(&a);
	printf("# %s:%s\n", addr, i->tainted ? " (tainted)" : "");
	printf("%s \"%s\" \"%s\" {\n", r->mode == STATE_DATA ? "data" : "resource", r->type,
	       r->name);
	size_t n = json_object_size(i->attributes), k = 0, width = 0;
	const char **keys = gf_xcalloc(n ? n : 1, sizeof(*keys));
	const char *key;
	json_t *v;
	json_object_foreach(i->attributes, key, v)
	{
		if (json_is_null(v))
			continue;
		keys[k++] = key;
		width = GF_MAX(width, strlen(key));
	}
	qsort(keys, k, sizeof(*keys), cmp_names);
	for (size_t j = 0; j < k; j++) {
		printf("    %-*s = ", (int)width, keys[j]);
		const hcl_value *hv;
		if (attr_sensitive(i, keys[j]))
			fputs("(sensitive value)", stdout);
		else if ((hv = state_value_from_json(&a, json_object_get(i->attributes, keys[j]),
		                                     NULL)))
			put_indented(hcl_value_render(&a, hv), 4);
		else
			fputs("(unreadable value)", stdout);
		putchar('\n');
	}
	puts("}");
	free(keys);
	gf_arena_dispose(&a);
}

static int state_show_cmd(int argc, char **argv)
{
	int next;
	if (cli_parse_flags(argc, argv, NULL, 0, &next) < 0)
		return 1;
	if (argc - next != 1)
		return cli_fail("state show", 1,
		                "expected one resource instance address, like fleet_lb.web");
	state_addr a;
	if (state_addr_parse(&a, argv[next]) < 0 || !a.type) {
		if (!a.type && gf_err_code() != GF_EINVALID)
			gf_err_set(GF_EINVALID, "%s is a module address, not a resource instance",
			           argv[next]);
		cli_print_error("Invalid address", gf_err_msg(), false);
		state_addr_dispose(&a);
		return 1;
	}
	state_backend *b = NULL;
	state *s = NULL;
	int status = open_read(&b, &s, false);
	if (status == 0) {
		const state_resource *r = s ? state_resource_find(s, &a) : NULL;
		const state_instance *i = s ? state_instance_find(s, &a) : NULL;
		if (!i) {
			char *detail = gf_xasprintf(
			        "No instance found for the given address %s!\n\nThis command "
			        "requires "
			        "that the address references one specific instance. To view the "
			        "available instances, use \"gitfleet state list\".",
			        argv[next]);
			cli_print_error("No instance found for the given address!", detail, false);
			free(detail);
			status = 1;
		} else {
			char *text = state_addr_string(&a);
			show_instance(r, i, text);
			free(text);
		}
	}
	state_addr_dispose(&a);
	state_free(s);
	state_backend_free(b);
	return status;
}

static int state_rm_cmd(int argc, char **argv)
{
	bool dry_run = false, lock = true;
	const char *lock_timeout = NULL, *backup = NULL;
	const cli_flag flags[] = {
	        {"dry-run", CLI_FLAG_BOOL, &dry_run},
	        {"lock", CLI_FLAG_BOOL, &lock},
	        {"lock-timeout", CLI_FLAG_STRING, &lock_timeout},
	        {"backup", CLI_FLAG_STRING, &backup},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (next >= argc)
		return cli_fail("state rm", 1, "at least one address is required");
	state_addr *pat;
	size_t npat = (size_t)(argc - next);
	if (parse_patterns(&pat, argc, argv, next, false) < 0)
		return 1;
	state_backend *b = NULL;
	state *s = NULL;
	int status = 1;
	if (cli_backend_open(&b, false) < 0 ||
	    cli_backend_lock(b, lock && !dry_run, lock_timeout, "OperationTypeInvalid", false) < 0)
		goto done;
	if (state_backend_read(b, &s) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), false);
		goto done;
	}
	char **list = NULL;
	size_t n = s ? state_list(&list, s, pat, npat) : 0;
	if (n == 0) {
		cli_print_error("Invalid target address",
		                "No matching objects found. To view the available instances, use "
		                "\"gitfleet state list\". Please modify the address to reference "
		                "a specific instance.",
		                false);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		state_addr a;
		state_addr_parse(&a, list[i]);
		if (!dry_run)
			state_instance_remove(s, &a);
		printf("%s %s\n", dry_run ? "Would remove" : "Removed", list[i]);
		state_addr_dispose(&a);
	}
	state_strings_free(list, n);
	if (dry_run) {
		printf("Would have removed %zu resource instance(s).\n", n);
		status = 0;
		goto done;
	}
	if (state_backend_write(b, s) < 0) {
		cli_print_error("Error saving the state", gf_err_msg(), false);
		goto done;
	}
	printf("Successfully removed %zu resource instance(s).\n", n);
	status = 0;
done:
	if (b && state_backend_unlock(b) < 0 && status == 0) {
		cli_print_error("Error releasing the state lock", gf_err_msg(), false);
		status = 1;
	}
	free_patterns(pat, npat);
	state_free(s);
	state_backend_free(b);
	return status;
}

/* What state mv prints: one line per resource or instance, one per
 * module instance (a module's children included) for a module. */
typedef struct {
	GF_VEC(char *) lines;
	bool modules;
	const char *prefix; /* "Move" or "Would move" */
} mv_report;

static void mv_moved(const state_addr *from, const state_addr *to, void *payload)
{
	mv_report *r = payload;
	if (!r->modules)
		return;
	char *f = state_addr_module_string(from), *t = state_addr_module_string(to);
	char *line = gf_xasprintf("%s \"%s\" to \"%s\"", r->prefix, f, t);
	free(f);
	free(t);
	for (size_t i = 0; i < r->lines.len; i++)
		if (!strcmp(r->lines.items[i], line)) {
			free(line);
			return;
		}
	gf_vec_push(&r->lines, line);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int state_mv_cmd(int argc, char **argv)
{
	bool dry_run = false, lock = true;
	const char *lock_timeout = NULL;
	const cli_flag flags[] = {
	        {"dry-run", CLI_FLAG_BOOL, &dry_run},
	        {"lock", CLI_FLAG_BOOL, &lock},
	        {"lock-timeout", CLI_FLAG_STRING, &lock_timeout},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (argc - next != 2)
		return cli_fail("state mv", 1,
		                "exactly two arguments expected: SOURCE DESTINATION, like "
		                "fleet_lb.a fleet_lb.b");
	state_addr from = {0}, to = {0};
	state_backend *b = NULL;
	state *s = NULL, *work = NULL;
	mv_report rep = {.prefix = dry_run ? "Would move" : "Move"};
	int status = 1;
	if (state_addr_parse(&from, argv[next]) < 0 || state_addr_parse(&to, argv[next + 1]) < 0) {
		cli_print_error("Invalid address", gf_err_msg(), false);
		goto done;
	}
	if (cli_backend_open(&b, false) < 0 ||
	    cli_backend_lock(b, lock && !dry_run, lock_timeout, "OperationTypeInvalid", false) < 0)
		goto done;
	if (state_backend_read(b, &s) < 0) {
		cli_print_error("Failed to load state", gf_err_msg(), false);
		goto done;
	}
	if (!s) {
		cli_print_error("No state file was found!",
		                "State management commands require a state. Run this command in "
		                "a directory where gitfleet has been applied.",
		                false);
		goto done;
	}
	/* a dry run moves a copy: the same checks, nothing kept */
	work = dry_run ? state_copy(s) : s;
	rep.modules = !from.type && !to.type;
	int rc = state_move_each(work, &from, &to, mv_moved, &rep);
	if (rc < 0) {
		bool request = from.type && to.type &&
		               (from.mode != to.mode || strcmp(from.type, to.type) != 0);
		cli_print_error(rc == GF_ENOTFOUND ? "Invalid source address"
		                : request          ? "Invalid state move request"
		                                   : "Invalid target address",
		                gf_err_msg(), false);
		goto done;
	}
	if (!rep.modules) {
		char *f = state_addr_string(&from);
		/* as terraform: an instance's destination as it was written */
		char *t = from.key.kind || to.key.kind ? gf_xstrdup(argv[next + 1])
		                                       : state_addr_string(&to);
		gf_vec_push(&rep.lines, gf_xasprintf("%s \"%s\" to \"%s\"", rep.prefix, f, t));
		free(f);
		free(t);
	}
	if (rep.lines.len)
		qsort(rep.lines.items, rep.lines.len, sizeof(char *), cmp_lines);
	for (size_t i = 0; i < rep.lines.len; i++)
		puts(rep.lines.items[i]);
	if (dry_run) {
		status = 0;
		goto done;
	}
	if (state_backend_write(b, s) < 0) {
		cli_print_error("Error saving the state", gf_err_msg(), false);
		goto done;
	}
	printf("Successfully moved %zu object(s).\n", rep.lines.len);
	status = 0;
done:
	if (b && state_backend_unlock(b) < 0 && status == 0) {
		cli_print_error("Error releasing the state lock", gf_err_msg(), false);
		status = 1;
	}
	for (size_t i = 0; i < rep.lines.len; i++)
		free(rep.lines.items[i]);
	gf_vec_dispose(&rep.lines);
	if (work != s)
		state_free(work);
	state_free(s);
	state_backend_free(b);
	state_addr_dispose(&from);
	state_addr_dispose(&to);
	return status;
}

static int state_pull_cmd(int argc, char **argv)
{
	int next;
	if (cli_parse_flags(argc, argv, NULL, 0, &next) < 0)
		return 1;
	if (next < argc)
		return cli_fail("state pull", 1, "unexpected argument \"%s\"", argv[next]);
	state_backend *b = NULL;
	state *s = NULL;
	int status = open_read(&b, &s, false);
	if (status == 0 && s) {
		gf_buf out = GF_BUF_INIT;
		state_serialize(&out, s);
		fwrite(gf_buf_cstr(&out), 1, out.len, stdout);
		gf_buf_dispose(&out);
	}
	state_free(s);
	state_backend_free(b);
	return status;
}

static int state_push_cmd(int argc, char **argv)
{
	bool force = false, lock = true;
	const char *lock_timeout = NULL;
	const cli_flag flags[] = {
	        {"force", CLI_FLAG_BOOL, &force},
	        {"lock", CLI_FLAG_BOOL, &lock},
	        {"lock-timeout", CLI_FLAG_STRING, &lock_timeout},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (argc - next != 1)
		return cli_fail("state push", 1,
		                "expected one state file (or - for standard input)");
	const char *path = argv[next];
	gf_buf in = GF_BUF_INIT;
	int rc;
	if (strcmp(path, "-") == 0) {
		char chunk[65536];
		size_t n;
		rc = 0;
		while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			rc = gf_buf_put(&in, chunk, n);
	} else {
		rc = gf_fs_read(&in, path);
	}
	state *s = NULL;
	state_backend *b = NULL;
	int status = 1;
	if (rc < 0) {
		cli_print_error("Failed to read the state file", gf_err_msg(), false);
		goto done;
	}
	if (state_parse(&s, gf_buf_cstr(&in), in.len, strcmp(path, "-") == 0 ? "stdin" : path) <
	    0) {
		cli_print_error("Failed to read the state file", gf_err_msg(), false);
		goto done;
	}
	if (cli_backend_open(&b, false) < 0 ||
	    cli_backend_lock(b, lock, lock_timeout, "OperationTypeInvalid", false) < 0)
		goto done;
	if (state_backend_push(b, s, force) < 0) {
		cli_print_error("Failed to write state", gf_err_msg(), false);
		goto done;
	}
	status = 0;
done:
	if (b && state_backend_unlock(b) < 0 && status == 0) {
		cli_print_error("Error releasing the state lock", gf_err_msg(), false);
		status = 1;
	}
	state_free(s);
	state_backend_free(b);
	gf_buf_dispose(&in);
	return status;
}

int cmd_state(int argc, char **argv)
{
	static const cli_subcommand subs[] = {
	        {"list", state_list_cmd}, {"show", state_show_cmd}, {"rm", state_rm_cmd},
	        {"mv", state_mv_cmd},     {"pull", state_pull_cmd}, {"push", state_push_cmd},
	};
	return cli_dispatch("state", argc, argv, subs, GF_ARRAY_LEN(subs));
}

int cmd_force_unlock(int argc, char **argv)
{
	bool force = false;
	const cli_flag flags[] = {{"force", CLI_FLAG_BOOL, &force}};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) < 0)
		return 1;
	if (argc - next != 1)
		return cli_fail("force-unlock", 1, "expected exactly one argument: the lock ID");
	const char *id = argv[next];
	if (!force) {
		fputs("Do you really want to force-unlock?\n"
		      "  gitfleet will remove the lock on the remote state.\n"
		      "  This will allow local gitfleet commands to modify this state, even though "
		      "it\n"
		      "  may still be in use. Only 'yes' will be accepted to confirm.\n\n"
		      "  Enter a value: ",
		      stdout);
		fflush(stdout);
		char line[64] = "";
		if (!fgets(line, sizeof(line), stdin))
			line[0] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "yes") != 0) {
			puts("\nforce-unlock cancelled.");
			return 1;
		}
		putchar('\n');
	}
	state_backend *b = NULL;
	if (cli_backend_open(&b, false) < 0)
		return 1;
	int status = 0;
	if (state_backend_force_unlock(b, id) < 0) {
		cli_print_error("Failed to unlock state", gf_err_msg(), false);
		status = 1;
	} else {
		bool color = isatty(fileno(stdout));
		printf("%sgitfleet state has been successfully unlocked!%s\n\n"
		       "The state has been unlocked, and gitfleet commands should now be able to\n"
		       "obtain a new lock on the remote state.\n",
		       color ? "\033[1m\033[32m" : "", color ? "\033[0m" : "");
	}
	state_backend_free(b);
	return status;
}
