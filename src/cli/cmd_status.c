/* `gitfleet status`: the local cloud as a tree, lbs → listeners → target
 * groups → autoscaling groups → instances, with health, version and age. */
#include "cli/cli.h"

#include "base/base.h"
#include "cli/daemon_client.h"

#include <stdio.h>
#include <string.h>

static const char *s(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static json_t *items(json_t *list)
{
	return json_object_get(list, "items");
}

/* The health of instance `id` in target group `tg` ("-" if not there). */
static const char *health_in(json_t *tgs, const char *tg, const char *id)
{
	size_t i, k;
	json_t *t, *x;
	json_array_foreach(items(tgs), i, t)
	{
		if (strcmp(s(t, "name"), tg) != 0)
			continue;
		json_array_foreach(json_object_get(json_object_get(t, "status"), "targets"), k,
		                   x) if (strcmp(s(x, "instance"), id) == 0) return s(x, "state");
	}
	return "-";
}

static void print_group(json_t *g, json_t *tgs, const char *tg, const char *indent)
{
	json_t *st = json_object_get(g, "status");
	json_t *insts = json_object_get(st, "instances");
	printf("%s└─ group %s  %s  version %lld  %lld/%lld in service\n", indent, s(g, "name"),
	       s(st, "phase"), (long long)json_integer_value(json_object_get(st, "version")),
	       (long long)json_integer_value(json_object_get(st, "in_service")),
	       (long long)json_integer_value(json_object_get(g, "desired_capacity")));
	if (json_object_get(st, "reason"))
		printf("%s   ! %s\n", indent, s(st, "reason"));
	size_t n = json_array_size(insts), i;
	json_t *x;
	json_array_foreach(insts, i, x)
	{
		char age[32];
		printf("%s   %s %-6s %-12s %-10s v%-3lld port %-6lld %s\n", indent,
		       i + 1 == n ? "└─" : "├─", s(x, "id"), s(x, "state"),
		       tg ? health_in(tgs, tg, s(x, "id")) : "-",
		       (long long)json_integer_value(json_object_get(x, "version")),
		       (long long)json_integer_value(json_object_get(x, "port")),
		       cli_age(age, sizeof(age),
		               json_number_value(json_object_get(x, "age_seconds"))));
	}
}

static bool attached(json_t *g, const char *tg)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(g, "target_group_ids"), i,
	                   x) if (strcmp(json_string_value(x), tg) == 0) return true;
	return false;
}

static void print_tg(json_t *tg, json_t *tgs, json_t *asgs, const char *indent)
{
	json_t *hc = json_object_get(tg, "health_check");
	printf("%s└─ target group %s  GET %s every %gs\n", indent, s(tg, "name"), s(hc, "path"),
	       json_number_value(json_object_get(hc, "interval")));
	char deeper[64];
	snprintf(deeper, sizeof(deeper), "%s   ", indent);
	size_t i;
	json_t *g;
	json_array_foreach(items(asgs), i, g) if (attached(g, s(tg, "name")))
	        print_group(g, tgs, s(tg, "name"), deeper);
}

static json_t *find(json_t *list, const char *name)
{
	size_t i;
	json_t *x;
	json_array_foreach(items(list), i, x) if (strcmp(s(x, "name"), name) == 0) return x;
	return NULL;
}

int cmd_status(int argc, char **argv)
{
	const char *home = NULL;
	bool as_json = false;
	const cli_flag flags[] = {
	        {"home", CLI_FLAG_STRING, &home},
	        {"json", CLI_FLAG_BOOL, &as_json},
	};
	int next;
	if (cli_parse_flags(argc, argv, flags, GF_ARRAY_LEN(flags), &next) != 0)
		return 1;
	if (next < argc)
		return cli_fail("status", 1,
		                "unexpected argument \"%s\". See 'gitfleet help status'.",
		                argv[next]);
	cli_daemon d;
	cli_daemon_init(&d, home);
	json_t *lbs = NULL, *ls = NULL, *tgs = NULL, *asgs = NULL;
	int rc = cli_daemon_get(&lbs, "status", &d, "/v1/lbs");
	if (!rc)
		rc = cli_daemon_get(&ls, "status", &d, "/v1/listeners");
	if (!rc)
		rc = cli_daemon_get(&tgs, "status", &d, "/v1/target-groups");
	if (!rc)
		rc = cli_daemon_get(&asgs, "status", &d, "/v1/autoscaling-groups");
	cli_daemon_dispose(&d);
	if (rc)
		goto done;
	if (as_json) {
		json_t *all =
		        json_pack("{s:O, s:O, s:O, s:O}", "lbs", items(lbs), "listeners", items(ls),
		                  "target_groups", items(tgs), "autoscaling_groups", items(asgs));
		cli_print_json(all);
		json_decref(all);
		goto done;
	}
	size_t i, k;
	json_t *lb, *l, *g;
	json_array_foreach(items(lbs), i, lb)
	{
		printf("lb %s\n", s(lb, "name"));
		json_array_foreach(items(ls), k, l)
		{
			if (strcmp(s(l, "load_balancer_id"), s(lb, "name")) != 0)
				continue;
			json_t *st = json_object_get(l, "status");
			printf("└─ listener %s  %s  %s  %lld requests\n", s(l, "name"),
			       json_is_true(json_object_get(st, "bound")) ? s(st, "address")
			                                                  : "NOT BOUND",
			       s(l, "address"),
			       (long long)json_integer_value(json_object_get(st, "requests")));
			const char *tgn =
			        s(json_object_get(l, "default_action"), "target_group_id");
			json_t *tg = find(tgs, tgn);
			if (tg)
				print_tg(tg, tgs, asgs, "   ");
		}
	}
	/* Whatever no listener leads to. */
	json_array_foreach(items(asgs), i, g)
	{
		bool reached = false;
		json_array_foreach(items(ls), k, l)
		{
			const char *tgn =
			        s(json_object_get(l, "default_action"), "target_group_id");
			reached |= attached(g, tgn);
		}
		if (!reached) {
			printf("(no listener)\n");
			print_group(g, tgs, NULL, "");
		}
	}
done:
	json_decref(lbs);
	json_decref(ls);
	json_decref(tgs);
	json_decref(asgs);
	return rc;
}
