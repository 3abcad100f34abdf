/*
 * buildspec.yaml version 0.2 → pipeline_buildspec (see pipeline.h).
 *
 * libyaml loads the whole document into a node tree first; the walk below
 * then checks the shape key by key, so that every error can point at the
 * node it is about. The walk only descends into keys it knows, to a fixed
 * depth, so aliases (which libyaml resolves to shared nodes) cannot make it
 * loop or blow up.
 */
#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
	yaml_document_t doc;
	const char *file;
	pipeline_buildspec *spec;
	GF_VEC(const char *) ignored;
} bs_parser;

/* What a mapping may hold: keys that are read, and keys that CodeBuild
 * knows but gitfleet accepts without acting on them. */
typedef struct {
	const char *const *known;
	size_t nknown;
	const char *const *ignored;
	size_t nignored;
} bs_keys;

static const char *const phase_names[PIPELINE_PHASE_COUNT] = {"install", "pre_build", "build",
                                                              "post_build"};

const char *pipeline_phase_name(pipeline_phase_kind k)
{
	return k < PIPELINE_PHASE_COUNT ? phase_names[k] : "?";
}

GF_PRINTF(3, 4)
static int bs_error(bs_parser *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t line = n ? n->start_mark.line + 1 : 1;
	size_t col = n ? n->start_mark.column + 1 : 1;
	return gf_err_set(GF_EINVALID, "%s:%zu:%zu: %s", p->file, line, col, msg);
}

static yaml_node_t *bs_node(bs_parser *p, int index)
{
	return yaml_document_get_node(&p->doc, index);
}

static bool bs_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !v[0] || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *bs_scalar(bs_parser *p, const yaml_node_t *n)
{
	return gf_arena_strndup(&p->spec->arena, (const char *)n->data.scalar.value,
	                        n->data.scalar.length);
}

static bool bs_in(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

/* Checks a mapping's keys (strings, no duplicates, known or ignored) and
 * records ignored ones. `where` is the mapping's path for messages. */
static int bs_check_keys(bs_parser *p, yaml_node_t *map, const char *where, const bs_keys *keys)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top;
	     a++) {
		yaml_node_t *k = bs_node(p, a->key);
		if (k->type != YAML_SCALAR_NODE)
			return bs_error(p, k, "%s: keys must be plain names", where);
		const char *key = (const char *)k->data.scalar.value;
		for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
			yaml_node_t *kb = bs_node(p, b->key);
			if (kb->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)kb->data.scalar.value, key))
				return bs_error(
				        p, k, "%s%s%s is declared twice (first at line %zu)", where,
				        where[0] ? "." : "", key, kb->start_mark.line + 1);
		}
		if (bs_in(key, keys->known, keys->nknown))
			continue;
		if (bs_in(key, keys->ignored, keys->nignored)) {
			gf_vec_push(&p->ignored,
			            gf_arena_printf(&p->spec->arena, "%s:%zu:%zu: %s%s%s", p->file,
			                            k->start_mark.line + 1,
			                            k->start_mark.column + 1, where,
			                            where[0] ? "." : "", key));
			continue;
		}
		const char *hint = gf_str_suggest(key, keys->known, keys->nknown);
		char known[256] = "";
		for (size_t i = 0; i < keys->nknown; i++) {
			size_t used = strlen(known);
			snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
			         keys->known[i]);
		}
		if (hint)
			return bs_error(p, k, "unknown key %s%s%s; did you mean %s?", where,
			                where[0] ? "." : "", key, hint);
		return bs_error(p, k, "unknown key %s%s%s (%s may hold: %s)", where,
		                where[0] ? "." : "", key, where[0] ? where : "the top level",
		                known);
	}
	return 0;
}

static yaml_node_t *bs_get(bs_parser *p, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top;
	     a++) {
		yaml_node_t *k = bs_node(p, a->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return bs_node(p, a->value);
	}
	return NULL;
}

static bool bs_is_name(const char *s)
{
	if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* A list of strings (a null value is an empty list). */
static int bs_strings(bs_parser *p, const char ***out, size_t *n, yaml_node_t *node,
                      const char *what)
{
	*out = NULL;
	*n = 0;
	if (bs_is_null(node))
		return 0;
	if (node->type != YAML_SEQUENCE_NODE)
		return bs_error(p, node, "%s must be a list of strings", what);
	size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	const char **items = gf_arena_alloc(&p->spec->arena, (count + 1) * sizeof(*items));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = bs_node(p, node->data.sequence.items.start[i]);
		if (item->type != YAML_SCALAR_NODE)
			return bs_error(p, item, "%s must be a list of strings", what);
		if (bs_is_null(item))
			return bs_error(p, item, "%s[%zu] is empty", what, i);
		items[i] = bs_scalar(p, item);
	}
	*out = items;
	*n = count;
	return 0;
}

/* A mapping of variable names to string values. */
static int bs_vars(bs_parser *p, pipeline_kv **out, size_t *n, yaml_node_t *node, const char *what)
{
	*out = NULL;
	*n = 0;
	if (bs_is_null(node))
		return 0;
	if (node->type != YAML_MAPPING_NODE)
		return bs_error(p, node, "%s must be a mapping of NAME: value", what);
	size_t count = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	pipeline_kv *kv = gf_arena_alloc(&p->spec->arena, (count + 1) * sizeof(*kv));
	for (size_t i = 0; i < count; i++) {
		yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
		yaml_node_t *k = bs_node(p, pair->key);
		yaml_node_t *v = bs_node(p, pair->value);
		if (k->type != YAML_SCALAR_NODE || !bs_is_name((const char *)k->data.scalar.value))
			return bs_error(p, k,
			                "%s: variable names are letters, digits and _ and do "
			                "not start with a digit",
			                what);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(kv[j].name, (const char *)k->data.scalar.value))
				return bs_error(p, k, "%s.%s is declared twice", what, kv[j].name);
		if (v->type != YAML_SCALAR_NODE)
			return bs_error(p, v, "%s.%s must be a string", what,
			                (const char *)k->data.scalar.value);
		kv[i].name = bs_scalar(p, k);
		kv[i].value = bs_is_null(v) ? "" : bs_scalar(p, v);
	}
	*out = kv;
	*n = count;
	return 0;
}

static int bs_env(bs_parser *p, yaml_node_t *env)
{
	static const char *const known[] = {"shell", "variables", "exported-variables", "secrets"};
	static const char *const ignored[] = {"parameter-store", "secrets-manager",
	                                      "git-credential-helper"};
	static const bs_keys keys = {known, GF_ARRAY_LEN(known), ignored, GF_ARRAY_LEN(ignored)};
	pipeline_buildspec *s = p->spec;
	if (bs_is_null(env))
		return 0;
	if (env->type != YAML_MAPPING_NODE)
		return bs_error(p, env, "env must be a mapping");
	int rc = bs_check_keys(p, env, "env", &keys);
	if (rc)
		return rc;
	yaml_node_t *n = bs_get(p, env, "shell");
	if (n) {
		const char *sh =
		        n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
		if (!strcmp(sh, "bash") || !strcmp(sh, "/bin/bash"))
			s->shell = "bash";
		else if (!strcmp(sh, "sh") || !strcmp(sh, "/bin/sh"))
			s->shell = "sh";
		else
			return bs_error(p, n, "env.shell must be bash or /bin/sh");
	}
	if ((n = bs_get(p, env, "variables")) &&
	    (rc = bs_vars(p, &s->variables, &s->nvariables, n, "env.variables")))
		return rc;
	if ((n = bs_get(p, env, "secrets")) &&
	    (rc = bs_vars(p, &s->secrets, &s->nsecrets, n, "env.secrets")))
		return rc;
	for (size_t i = 0; i < s->nsecrets; i++)
		if (!s->secrets[i].value[0])
			return bs_error(p, bs_get(p, env, "secrets"),
			                "env.secrets.%s must name a secret of the project",
			                s->secrets[i].name);
	if ((n = bs_get(p, env, "exported-variables"))) {
		if ((rc = bs_strings(p, &s->exported, &s->nexported, n, "env.exported-variables")))
			return rc;
		for (size_t i = 0; i < s->nexported; i++)
			if (!bs_is_name(s->exported[i]))
				return bs_error(
				        p, n,
				        "env.exported-variables[%zu]: \"%s\" is not a variable "
				        "name",
				        i, s->exported[i]);
	}
	return 0;
}

static int bs_phase(bs_parser *p, pipeline_phase *ph, yaml_node_t *node, const char *name)
{
	static const char *const known[] = {"commands", "finally", "on-failure"};
	static const char *const ignored[] = {"run-as", "runtime-versions"};
	static const bs_keys keys = {known, GF_ARRAY_LEN(known), ignored, GF_ARRAY_LEN(ignored)};
	char where[64];
	snprintf(where, sizeof(where), "phases.%s", name);
	ph->present = true;
	ph->on_failure = PIPELINE_ON_FAILURE_ABORT;
	if (bs_is_null(node))
		return 0;
	if (node->type != YAML_MAPPING_NODE)
		return bs_error(p, node, "%s must be a mapping with commands", where);
	int rc = bs_check_keys(p, node, where, &keys);
	if (rc)
		return rc;
	char what[96];
	yaml_node_t *n = bs_get(p, node, "commands");
	snprintf(what, sizeof(what), "%s.commands", where);
	if (n && (rc = bs_strings(p, &ph->commands, &ph->ncommands, n, what)))
		return rc;
	n = bs_get(p, node, "finally");
	snprintf(what, sizeof(what), "%s.finally", where);
	if (n && (rc = bs_strings(p, &ph->finally_cmds, &ph->nfinally, n, what)))
		return rc;
	if ((n = bs_get(p, node, "on-failure"))) {
		const char *v =
		        n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
		if (!strcmp(v, "ABORT"))
			ph->on_failure = PIPELINE_ON_FAILURE_ABORT;
		else if (!strcmp(v, "CONTINUE"))
			ph->on_failure = PIPELINE_ON_FAILURE_CONTINUE;
		else
			return bs_error(p, n, "%s.on-failure must be ABORT or CONTINUE", where);
	}
	return 0;
}

static int bs_phases(bs_parser *p, yaml_node_t *phases)
{
	static const bs_keys keys = {phase_names, PIPELINE_PHASE_COUNT, NULL, 0};
	if (phases->type != YAML_MAPPING_NODE)
		return bs_error(
		        p, phases,
		        "phases must be a mapping of install, pre_build, build, post_build");
	int rc = bs_check_keys(p, phases, "phases", &keys);
	if (rc)
		return rc;
	for (int k = 0; k < PIPELINE_PHASE_COUNT; k++) {
		yaml_node_t *n = bs_get(p, phases, phase_names[k]);
		if (n && (rc = bs_phase(p, &p->spec->phases[k], n, phase_names[k])))
			return rc;
	}
	return 0;
}

static int bs_bool(bs_parser *p, bool *out, yaml_node_t *n, const char *what)
{
	static const char *const yes[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On"};
	static const char *const no[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off"};
	const char *v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
	if (bs_in(v, yes, GF_ARRAY_LEN(yes)))
		*out = true;
	else if (bs_in(v, no, GF_ARRAY_LEN(no)))
		*out = false;
	else
		return bs_error(p, n, "%s must be yes or no", what);
	return 0;
}

static int bs_artifacts(bs_parser *p, yaml_node_t *art)
{
	static const char *const known[] = {"files", "base-directory", "discard-paths"};
	static const char *const ignored[] = {"name", "exclude-paths", "enable-symlinks",
	                                      "s3-prefix", "secondary-artifacts"};
	static const bs_keys keys = {known, GF_ARRAY_LEN(known), ignored, GF_ARRAY_LEN(ignored)};
	pipeline_buildspec *s = p->spec;
	if (bs_is_null(art))
		return 0;
	if (art->type != YAML_MAPPING_NODE)
		return bs_error(p, art, "artifacts must be a mapping with files");
	int rc = bs_check_keys(p, art, "artifacts", &keys);
	if (rc)
		return rc;
	yaml_node_t *n = bs_get(p, art, "files");
	if (!n)
		return bs_error(p, art, "artifacts needs files (a list of paths or globs)");
	if ((rc = bs_strings(p, &s->artifact_files, &s->nartifact_files, n, "artifacts.files")))
		return rc;
	for (size_t i = 0; i < s->nartifact_files; i++)
		if (s->artifact_files[i][0] == '/' || strstr(s->artifact_files[i], "../") ||
		    !strcmp(s->artifact_files[i], ".."))
			return bs_error(p, n,
			                "artifacts.files[%zu]: \"%s\" leaves the source directory; "
			                "use a path relative to it",
			                i, s->artifact_files[i]);
	if ((n = bs_get(p, art, "base-directory"))) {
		if (n->type != YAML_SCALAR_NODE || bs_is_null(n))
			return bs_error(p, n, "artifacts.base-directory must be a path");
		s->base_directory = bs_scalar(p, n);
		if (s->base_directory[0] == '/' || strstr(s->base_directory, ".."))
			return bs_error(p, n,
			                "artifacts.base-directory must be a path inside the source "
			                "directory");
	}
	if ((n = bs_get(p, art, "discard-paths")) &&
	    (rc = bs_bool(p, &s->discard_paths, n, "artifacts.discard-paths")))
		return rc;
	return 0;
}

static int bs_walk(bs_parser *p)
{
	static const char *const known[] = {"version", "env", "phases", "artifacts"};
	static const char *const ignored[] = {"run-as", "proxy", "batch", "reports", "cache"};
	static const bs_keys keys = {known, GF_ARRAY_LEN(known), ignored, GF_ARRAY_LEN(ignored)};
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	if (!root || bs_is_null(root))
		return bs_error(p, root,
		                "the buildspec is empty; it needs `version: 0.2` and phases");
	if (root->type != YAML_MAPPING_NODE)
		return bs_error(p, root, "a buildspec is a mapping with version and phases");
	int rc = bs_check_keys(p, root, "", &keys);
	if (rc)
		return rc;
	yaml_node_t *n = bs_get(p, root, "version");
	if (!n)
		return bs_error(p, root, "version is missing; add `version: 0.2`");
	const char *v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
	if (!strcmp(v, "0.1"))
		return bs_error(p, n,
		                "version 0.1 is not supported (it runs each command in its own "
		                "shell); use version: 0.2");
	if (strcmp(v, "0.2"))
		return bs_error(p, n, "version must be 0.2");
	if ((n = bs_get(p, root, "env")) && (rc = bs_env(p, n)))
		return rc;
	if (!(n = bs_get(p, root, "phases")))
		return bs_error(p, root, "phases is missing; a buildspec needs at least one phase");
	if ((rc = bs_phases(p, n)))
		return rc;
	if ((n = bs_get(p, root, "artifacts")) && (rc = bs_artifacts(p, n)))
		return rc;
	return 0;
}

int pipeline_buildspec_parse(pipeline_buildspec **out, const char *file, const char *text,
                             size_t len)
{
	*out = NULL;
	if (len > PIPELINE_BUILDSPEC_MAX)
		return gf_err_set(GF_ETOOBIG, "%s: the buildspec is %zu bytes; the limit is %u",
		                  file, len, PIPELINE_BUILDSPEC_MAX);
	bs_parser p = {.file = file};
	p.spec = gf_xcalloc(1, sizeof(*p.spec));
	gf_arena_init(&p.spec->arena);
	p.spec->shell = "bash";
	for (int k = 0; k < PIPELINE_PHASE_COUNT; k++)
		p.spec->phases[k].on_failure = PIPELINE_ON_FAILURE_ABORT;

	yaml_parser_t yp;
	int rc = 0;
	bool loaded = false;
	if (!yaml_parser_initialize(&yp))
		gf_die("out of memory initialising the YAML parser");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &p.doc)) {
		size_t line = yp.problem_mark.line + 1, col = yp.problem_mark.column + 1;
		if (yp.error == YAML_MEMORY_ERROR)
			gf_die("out of memory parsing %s", file);
		rc = gf_err_set(GF_EINVALID, "%s:%zu:%zu: invalid YAML: %s%s%s%s", file, line, col,
		                yp.problem ? yp.problem : "malformed document",
		                yp.context ? " (" : "", yp.context ? yp.context : "",
		                yp.context ? ")" : "");
		goto done;
	}
	loaded = true;
	if ((rc = bs_walk(&p)))
		goto done;
	if (p.ignored.len) {
		p.spec->ignored = gf_arena_memdup(&p.spec->arena, p.ignored.items,
		                                  p.ignored.len * sizeof(char *));
		p.spec->nignored = p.ignored.len;
	}
	*out = p.spec;
	p.spec = NULL;
done:
	if (loaded)
		yaml_document_delete(&p.doc);
	yaml_parser_delete(&yp);
	gf_vec_dispose(&p.ignored);
	pipeline_buildspec_free(p.spec);
	return rc;
}

void pipeline_buildspec_free(pipeline_buildspec *spec)
{
	if (!spec)
		return;
	gf_arena_dispose(&spec->arena);
	free(spec);
}
