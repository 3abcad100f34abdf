/* The schemas of every resource type. Names, defaults and ranges follow
 * the daemon's spec decoding (src/cloud/spec.c), so an argument means
 * exactly what the API field of the same name means. */
#include "provider/provider.h"

#include <string.h>

#include "state/state.h"

static const hcl_type list_string = {.kind = HCL_TYPE_LIST, .elem = &hcl_type_string};
static const hcl_type map_string = {.kind = HCL_TYPE_MAP, .elem = &hcl_type_string};

#define S   &hcl_type_string
#define N   &hcl_type_number
#define B   &hcl_type_bool
#define LS  &list_string
#define MS  &map_string
#define DYN &hcl_type_dynamic

#define REQ  PROVIDER_REQUIRED
#define OPT  PROVIDER_OPTIONAL
#define COMP PROVIDER_COMPUTED
#define FN   PROVIDER_FORCE_NEW
#define SENS PROVIDER_SENSITIVE

/* ---- fleet_lb ------------------------------------------------------------ */

static const provider_attr lb_attrs[] = {
        {"id", S, COMP, NULL, "The load balancer's name, as the API names it."},
        {"name", S, REQ | FN, NULL,
         "A DNS label (1-63 of a-z, 0-9, -); changing it replaces the load balancer."},
};

/* ---- fleet_lb_listener --------------------------------------------------- */

static const provider_attr action_attrs[] = {
        {"target_group_id", S, REQ, NULL, "The target group requests are forwarded to."},
        {"type", S, REQ, NULL, "\"forward\", the only action today."},
};
static const provider_block_schema action_schema = {action_attrs, GF_ARRAY_LEN(action_attrs), NULL,
                                                    0};
static const provider_block listener_blocks[] = {
        {"default_action", &action_schema, true, false, 0,
         "What the listener does with every request.", false},
};
static const provider_attr listener_attrs[] = {
        {"address", S, OPT, "\"127.0.0.1\"", "The IP address to listen on."},
        {"allow_cidrs", LS, OPT, "[]",
         "Client networks allowed to connect (\"127.0.0.0/8\"); empty allows all."},
        {"id", S, COMP, NULL, "The listener's name."},
        {"load_balancer_id", S, REQ, NULL, "The load balancer the listener belongs to."},
        {"name", S, OPT | COMP | FN, NULL, "A DNS label; default \"<load_balancer_id>-<port>\"."},
        {"port", N, REQ, NULL, "The TCP port, 1 to 65535."},
};

/* ---- fleet_target_group -------------------------------------------------- */

static const provider_attr health_attrs[] = {
        {"healthy_threshold", N, OPT, "2",
         "Consecutive successes before a target is healthy, 1 to 10."},
        {"interval", N, OPT, "1", "Seconds between checks, 0.05 to 300."},
        {"matcher", S, OPT, "\"200-399\"",
         "Statuses counted as healthy: \"200\", \"200-299\", \"200,302\"."},
        {"path", S, OPT, "\"/\"", "The path requested."},
        {"timeout", N, OPT, "1", "Seconds a check may take, 0.05 to 120."},
        {"unhealthy_threshold", N, OPT, "2",
         "Consecutive failures before a target is unhealthy, 1 to 10."},
};
static const provider_block_schema health_schema = {health_attrs, GF_ARRAY_LEN(health_attrs), NULL,
                                                    0};
static const provider_block tg_blocks[] = {
        {"health_check", &health_schema, false, true, 0, "How targets are checked.", false},
};
static const provider_attr tg_attrs[] = {
        {"algorithm", S, OPT, "\"round_robin\"",
         "\"round_robin\" or \"least_outstanding_requests\"."},
        {"deregistration_delay", N, OPT, "5",
         "Seconds a draining target keeps its requests, 0 to 3600."},
        {"id", S, COMP, NULL, "The target group's name."},
        {"name", S, REQ | FN, NULL, "A DNS label; changing it replaces the target group."},
};

/* ---- fleet_launch_template ----------------------------------------------- */

static const provider_attr limits_attrs[] = {
        {"cpu_seconds", N, OPT, NULL, "RLIMIT_CPU of each instance, seconds."},
        {"memory_mb", N, OPT, NULL, "RLIMIT_AS of each instance, MiB."},
        {"open_files", N, OPT, NULL, "RLIMIT_NOFILE of each instance."},
        {"processes", N, OPT, NULL, "RLIMIT_NPROC of each instance."},
};
static const provider_block_schema limits_schema = {limits_attrs, GF_ARRAY_LEN(limits_attrs), NULL,
                                                    0};
static const provider_block lt_blocks[] = {
        {"limits", &limits_schema, false, true, 0, "Resource limits of each instance.", false},
};
static const provider_attr lt_attrs[] = {
        {"command", LS, OPT, NULL,
         "The instance's program and arguments; default: the built-in static server serving the "
         "release."},
        {"env", MS, OPT, "{}", "Environment variables of each instance."},
        {"id", S, COMP, NULL, "The launch template's name."},
        {"latest_version", N, COMP, NULL,
         "The template's newest version; a changed template makes a new one."},
        {"name", S, REQ | FN, NULL, "A DNS label; changing it replaces the template."},
        {"release", S, OPT | COMP, NULL,
         "The SHA-256 content hash of the release (docs/releases.md); computed from `source`."},
        {"source", S, OPT, NULL,
         "A directory whose content is the release; identified by content, not path."},
        {"stop_grace_period", N, OPT, "10", "Seconds between SIGTERM and SIGKILL, 0 to 600."},
};

/* ---- fleet_autoscaling_group --------------------------------------------- */

static const provider_attr asg_attrs[] = {
        {"desired_capacity", N, OPT | COMP, NULL, "Instances to run; default min_size."},
        {"health_check_grace_period", N, OPT, "30",
         "Seconds a new instance has to become healthy, 0 to 3600."},
        {"id", S, COMP, NULL, "The group's name."},
        {"launch_template", S, REQ, NULL, "The launch template instances run."},
        {"launch_template_version", S, OPT, "\"$Latest\"",
         "A version number, or \"$Latest\" to follow the template."},
        {"max_size", N, REQ, NULL, "0 to 100."},
        {"min_healthy_percentage", N, OPT, "100",
         "Instance refresh: in-service instances kept, percent of desired."},
        {"min_size", N, REQ, NULL, "0 to 100."},
        {"name", S, REQ | FN, NULL, "A DNS label; changing it replaces the group."},
        {"target_group_ids", LS, OPT, "[]", "Target groups instances register with."},
        {"template_version", N, COMP, NULL,
         "The template version the group runs; a new one rolls the group in place."},
};

/* ---- fleet_build_project ------------------------------------------------ */

static const provider_attr source_attrs[] = {
        {"buildspec", S, OPT, "\"buildspec.yaml\"", "The buildspec's path in the repository."},
        {"git_clone_depth", N, OPT, "1",
         "Commits of history in a build's checkout (CodeBuild's clone depth); 0 for all."},
        {"location", S, OPT, "\"\"", "The git URL to fetch, for type \"GIT\"."},
        {"poll_interval", N, OPT, "0",
         "Seconds between fetches of a \"GIT\" location, 0 (off) or at least 10; every moved "
         "branch or tag is a PUSH event."},
        {"type", S, REQ, NULL,
         "\"GITFLEET\" (a repository hosted by the daemon, see repo_url) or \"GIT\" (any git "
         "URL in location)."},
};
static const provider_block_schema source_schema = {source_attrs, GF_ARRAY_LEN(source_attrs), NULL,
                                                    0};
static const provider_attr environment_attrs[] = {
        {"secrets", MS, OPT | SENS, "{}",
         "Values of the buildspec's env.secrets, by name; masked in build logs, never shown by "
         "the API."},
        {"variables", MS, OPT, "{}", "Variables that override the buildspec's env.variables."},
};
static const provider_block_schema environment_schema = {environment_attrs,
                                                         GF_ARRAY_LEN(environment_attrs), NULL, 0};
static const provider_block project_blocks[] = {
        {"environment", &environment_schema, false, true, 0, "The builds' environment.", false},
        {"source", &source_schema, true, false, 0, "Where the builds' commits come from.", false},
};
static const provider_attr project_attrs[] = {
        {"build_timeout", N, OPT, "60",
         "Minutes a build may run, 1 to 2160, enforced on its whole process tree."},
        {"id", S, COMP, NULL, "The project's name."},
        {"name", S, REQ | FN, NULL,
         "1-63 of a-z, 0-9, '-', '_', '.'; changing it replaces the project."},
        {"notify_secret", S, COMP | SENS, NULL,
         "The key of the notifications' X-Gitfleet-Signature-256 (HMAC-SHA256)."},
        {"notify_url", S, OPT, "\"\"",
         "An http:// URL that receives a signed JSON POST on each build status change; \"\" "
         "for none."},
        {"repo_url", S, COMP, NULL,
         "For type \"GITFLEET\": the hosted repository to add as a git remote; pushes to it "
         "are PUSH events."},
};

/* ---- fleet_webhook ------------------------------------------------------- */

static const provider_attr filter_attrs[] = {
        {"exclude_matched_pattern", B, OPT, "false",
         "Inverts the filter: it matches when the pattern does not."},
        {"pattern", S, REQ, NULL,
         "For EVENT a comma-separated list of PUSH, PULL_REQUEST_CREATED, "
         "PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED, PULL_REQUEST_MERGED, "
         "PULL_REQUEST_CLOSED; else a PCRE2 regular expression, searched (anchor it with ^ "
         "and $)."},
        {"type", S, REQ, NULL,
         "EVENT, HEAD_REF, BASE_REF, FILE_PATH, COMMIT_MESSAGE, ACTOR_ACCOUNT_ID or TAG_NAME."},
};
static const provider_block_schema filter_schema = {filter_attrs, GF_ARRAY_LEN(filter_attrs), NULL,
                                                    0};
static const provider_block filter_group_blocks[] = {
        {"filter", &filter_schema, true, false, 0,
         "One condition; the group matches when all its filters do.", true},
};
static const provider_block_schema filter_group_schema = {NULL, 0, filter_group_blocks,
                                                          GF_ARRAY_LEN(filter_group_blocks)};
static const provider_block webhook_blocks[] = {
        {"filter_group", &filter_group_schema, false, false, 0,
         "A build starts when any group matches; no group: every push builds (CodeBuild's "
         "semantics, docs/pipeline.md).",
         true},
};
static const provider_attr webhook_attrs[] = {
        {"id", S, COMP, NULL, "The project's name."},
        {"payload_url", S, COMP, NULL,
         "Where GitHub delivers: the daemon's /hooks/github/PROJECT (Gitea and GitLab: "
         "/hooks/gitea/, /hooks/gitlab/); absolute when the daemon has --api-listen."},
        {"project_name", S, REQ | FN, NULL,
         "The project whose builds the webhook starts; changing it replaces the webhook."},
        {"secret", S, COMP | SENS, NULL,
         "The key forges sign deliveries with (made by the daemon, kept across updates)."},
};

/* ---- random_id ----------------------------------------------------------- */

static const provider_attr random_id_attrs[] = {
        {"b64_std", S, COMP, NULL, "The bytes in standard base64 with padding, prefixed."},
        {"b64_url", S, COMP, NULL, "The bytes in URL-safe base64 without padding, prefixed."},
        {"byte_length", N, REQ | FN, NULL, "How many random bytes."},
        {"dec", S, COMP, NULL, "The bytes as a big-endian unsigned decimal number, prefixed."},
        {"hex", S, COMP, NULL, "The bytes in lowercase hex, prefixed."},
        {"id", S, COMP, NULL, "The bytes in URL-safe base64 without padding (no prefix)."},
        {"keepers", MS, OPT | FN, NULL, "Arbitrary values whose change makes new bytes."},
        {"prefix", S, OPT | FN, NULL, "Text put before every encoding but id."},
};

/* ---- terraform_data ------------------------------------------------------ */

static const provider_attr data_attrs[] = {
        {"id", S, COMP, NULL, "A random UUID."},
        {"input", DYN, OPT, NULL, "Any value; copied to output."},
        {"output", DYN, COMP, NULL, "The value of input after apply."},
        {"triggers_replace", DYN, OPT | FN, NULL, "Any value whose change replaces the resource."},
};

#define SCHEMA(type, prov, sp, desc, attrs, blocks, nblocks)        \
	{                                                           \
		type, prov, sp, desc,                               \
		{                                                   \
			attrs, GF_ARRAY_LEN(attrs), blocks, nblocks \
		}                                                   \
	}

static const provider_schema schemas[] = {
        SCHEMA("fleet_autoscaling_group", "fleet", STATE_PROVIDER_FLEET,
               "A group of instances running a launch template; rolls to new template versions in "
               "place.",
               asg_attrs, NULL, 0),
        SCHEMA("fleet_build_project", "fleet", STATE_PROVIDER_FLEET,
               "A pipeline project: where commits come from and how builds run "
               "(docs/pipeline.md).",
               project_attrs, project_blocks, 2),
        SCHEMA("fleet_launch_template", "fleet", STATE_PROVIDER_FLEET,
               "What an instance runs: a release (content-addressed directory) and a command.",
               lt_attrs, lt_blocks, 1),
        SCHEMA("fleet_lb", "fleet", STATE_PROVIDER_FLEET, "A load balancer: a set of listeners.",
               lb_attrs, NULL, 0),
        SCHEMA("fleet_lb_listener", "fleet", STATE_PROVIDER_FLEET,
               "A port of a load balancer forwarding to a target group.", listener_attrs,
               listener_blocks, 1),
        SCHEMA("fleet_target_group", "fleet", STATE_PROVIDER_FLEET,
               "Health-checked instances a listener forwards to.", tg_attrs, tg_blocks, 1),
        SCHEMA("fleet_webhook", "fleet", STATE_PROVIDER_FLEET,
               "The events that start builds of a project: filter groups, and the signed "
               "webhook URL forges deliver to.",
               webhook_attrs, webhook_blocks, 1),
        SCHEMA("random_id", "random", STATE_PROVIDER_RANDOM,
               "Random bytes in several encodings, as hashicorp/random's random_id.",
               random_id_attrs, NULL, 0),
        SCHEMA("terraform_data", "terraform", STATE_PROVIDER_BUILTIN,
               "A value that follows the resource lifecycle, as Terraform's built-in "
               "terraform_data.",
               data_attrs, NULL, 0),
};

static const provider_schema *const schema_ptrs[] = {
        &schemas[0], &schemas[1], &schemas[2], &schemas[3], &schemas[4],
        &schemas[5], &schemas[6], &schemas[7], &schemas[8],
};

const provider_schema *const *provider_schemas(size_t *n)
{
	*n = GF_ARRAY_LEN(schema_ptrs);
	return schema_ptrs;
}

const provider_schema *provider_schema_find(const char *type)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(schemas); i++)
		if (strcmp(schemas[i].type, type) == 0)
			return &schemas[i];
	return NULL;
}

const provider_attr *provider_attr_find(const provider_block_schema *s, const char *name)
{
	for (size_t i = 0; i < s->nattrs; i++)
		if (strcmp(s->attrs[i].name, name) == 0)
			return &s->attrs[i];
	return NULL;
}

const provider_block *provider_block_find(const provider_block_schema *s, const char *name)
{
	for (size_t i = 0; i < s->nblocks; i++)
		if (strcmp(s->blocks[i].name, name) == 0)
			return &s->blocks[i];
	return NULL;
}

const hcl_type *provider_object_type(gf_arena *a, const provider_block_schema *s)
{
	size_t n = s->nattrs + s->nblocks;
	const char **names = gf_arena_alloc(a, n * sizeof(*names));
	const hcl_type **types = gf_arena_alloc(a, n * sizeof(*types));
	for (size_t i = 0; i < s->nattrs; i++) {
		names[i] = s->attrs[i].name;
		types[i] = s->attrs[i].type;
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		names[s->nattrs + i] = s->blocks[i].name;
		types[s->nattrs + i] =
		        hcl_type_list(a, provider_object_type(a, s->blocks[i].schema));
	}
	return hcl_type_object(a, names, types, n);
}
