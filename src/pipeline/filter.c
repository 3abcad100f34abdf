/*
 * Webhook filter groups with CodeBuild's semantics (see pipeline.h and
 * docs/pipeline.md):
 *
 *   - a build starts when any group matches; a group matches when every
 *     one of its filters matches;
 *   - EVENT is a comma-separated list of event names; every other type is
 *     a PCRE2 regular expression searched for (not anchored: write ^...$)
 *     in the event's value; FILE_PATH matches when any changed file does;
 *   - exclude_matched_pattern inverts the filter's result;
 *   - a value the event does not have (BASE_REF of a push, TAG_NAME of a
 *     branch push) never matches a pattern, so it matches an excluding
 *     filter;
 *   - no groups: every PUSH builds, nothing else does.
 */
#include "pipeline/pipeline.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[PIPELINE_FILTER_COUNT] = {
        "EVENT",          "HEAD_REF",         "BASE_REF", "FILE_PATH",
        "COMMIT_MESSAGE", "ACTOR_ACCOUNT_ID", "TAG_NAME",
};

/* The events a webhook can be filtered on. */
static const hooks_event_type buildable[] = {
        HOOKS_EVENT_PUSH,
        HOOKS_EVENT_PULL_REQUEST_CREATED,
        HOOKS_EVENT_PULL_REQUEST_UPDATED,
        HOOKS_EVENT_PULL_REQUEST_REOPENED,
        HOOKS_EVENT_PULL_REQUEST_MERGED,
        HOOKS_EVENT_PULL_REQUEST_CLOSED,
};

typedef struct {
	pipeline_filter_type type;
	bool exclude;
	unsigned events; /* EVENT: bit (1 << hooks_event_type) per listed event */
	pcre2_code *re;  /* every other type */
} pl_filter;

typedef struct {
	pl_filter *filters;
	size_t n;
} pl_group;

struct pipeline_filters {
	pl_group *groups;
	size_t n;
};

const char *pipeline_filter_type_name(pipeline_filter_type t)
{
	return t < PIPELINE_FILTER_COUNT ? type_names[t] : "?";
}

int pipeline_filter_type_parse(pipeline_filter_type *out, const char *name)
{
	for (int i = 0; i < PIPELINE_FILTER_COUNT; i++)
		if (!strcmp(name, type_names[i])) {
			*out = (pipeline_filter_type)i;
			return 0;
		}
	const char *hint = gf_str_suggest(name, type_names, PIPELINE_FILTER_COUNT);
	if (hint)
		return gf_err_set(GF_EINVALID, "unknown filter type \"%s\"; did you mean %s?", name,
		                  hint);
	return gf_err_set(GF_EINVALID,
	                  "unknown filter type \"%s\" (EVENT, HEAD_REF, BASE_REF, FILE_PATH, "
	                  "COMMIT_MESSAGE, ACTOR_ACCOUNT_ID or TAG_NAME)",
	                  name);
}

static int parse_events(unsigned *out, const char *where, const char *pattern)
{
	*out = 0;
	const char *p = pattern;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, ",");
		size_t end = n;
		while (end > 0 && p[end - 1] == ' ')
			end--;
		char name[64];
		if (end == 0 || end >= sizeof(name))
			return gf_err_set(GF_EINVALID,
			                  "%s: \"%s\" is not a comma-separated list of events",
			                  where, pattern);
		memcpy(name, p, end);
		name[end] = '\0';
		hooks_event_type t;
		bool ok = hooks_event_type_parse(&t, name) == 0;
		size_t i = 0;
		while (ok && i < GF_ARRAY_LEN(buildable) && buildable[i] != t)
			i++;
		if (!ok || i == GF_ARRAY_LEN(buildable))
			return gf_err_set(GF_EINVALID,
			                  "%s: unknown event \"%s\" (PUSH, PULL_REQUEST_CREATED, "
			                  "PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED, "
			                  "PULL_REQUEST_MERGED or PULL_REQUEST_CLOSED)",
			                  where, name);
		*out |= 1u << t;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*out)
		return gf_err_set(GF_EINVALID, "%s: the EVENT pattern is empty", where);
	return 0;
}

static int compile_filter(pl_filter *f, const char *where, const json_t *obj)
{
	if (!json_is_object(obj))
		return gf_err_set(GF_EINVALID, "%s: a filter is an object with type and pattern",
		                  where);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		if (strcmp(key, "type") && strcmp(key, "pattern") &&
		    strcmp(key, "exclude_matched_pattern"))
			return gf_err_set(GF_EINVALID,
			                  "%s.%s: unknown field (type, pattern, "
			                  "exclude_matched_pattern)",
			                  where, key);
	}
	const char *type = json_string_value(json_object_get(obj, "type"));
	const char *pattern = json_string_value(json_object_get(obj, "pattern"));
	const json_t *ex = json_object_get(obj, "exclude_matched_pattern");
	if (!type)
		return gf_err_set(GF_EINVALID, "%s.type: required (a string such as \"EVENT\")",
		                  where);
	if (!pattern)
		return gf_err_set(GF_EINVALID, "%s.pattern: required (a string)", where);
	if (ex && !json_is_boolean(ex))
		return gf_err_set(GF_EINVALID, "%s.exclude_matched_pattern: must be true or false",
		                  where);
	f->exclude = json_is_true(ex);
	if (pipeline_filter_type_parse(&f->type, type)) {
		char why[256];
		snprintf(why, sizeof(why), "%s", gf_err_msg());
		return gf_err_set(GF_EINVALID, "%s.type: %s", where, why);
	}
	if (f->type == PIPELINE_FILTER_EVENT)
		return parse_events(&f->events, where, pattern);
	int errcode;
	PCRE2_SIZE erroff;
	f->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode,
	                      &erroff, NULL);
	if (!f->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return gf_err_set(GF_EINVALID, "%s.pattern: %s at offset %zu of \"%s\"", where,
		                  (const char *)msg, (size_t)erroff, pattern);
	}
	return 0;
}

int pipeline_filters_compile(pipeline_filters **out, const json_t *groups)
{
	*out = NULL;
	pipeline_filters *fs = gf_xcalloc(1, sizeof(*fs));
	int rc = 0;
	if (!groups || json_is_null(groups))
		goto ok;
	if (!json_is_array(groups)) {
		rc = gf_err_set(GF_EINVALID, "filter_groups: must be a list of lists of filters");
		goto fail;
	}
	fs->groups = gf_xcalloc(json_array_size(groups) + 1, sizeof(*fs->groups));
	size_t gi;
	const json_t *g;
	json_array_foreach(groups, gi, g)
	{
		if (!json_is_array(g) || json_array_size(g) == 0) {
			rc = gf_err_set(
			        GF_EINVALID,
			        "filter_groups[%zu]: a group is a non-empty list of filters", gi);
			goto fail;
		}
		pl_group *grp = &fs->groups[fs->n++];
		grp->filters = gf_xcalloc(json_array_size(g), sizeof(*grp->filters));
		bool has_event = false;
		size_t fi;
		const json_t *f;
		json_array_foreach(g, fi, f)
		{
			char where[64];
			snprintf(where, sizeof(where), "filter_groups[%zu][%zu]", gi, fi);
			pl_filter *pf = &grp->filters[grp->n++];
			if ((rc = compile_filter(pf, where, f)))
				goto fail;
			has_event |= pf->type == PIPELINE_FILTER_EVENT;
		}
		if (!has_event) {
			rc = gf_err_set(GF_EINVALID,
			                "filter_groups[%zu]: every group needs an EVENT filter "
			                "(e.g. {\"type\": \"EVENT\", \"pattern\": \"PUSH\"})",
			                gi);
			goto fail;
		}
	}
ok:
	*out = fs;
	return 0;
fail:
	pipeline_filters_free(fs);
	return rc;
}

void pipeline_filters_free(pipeline_filters *f)
{
	if (!f)
		return;
	for (size_t g = 0; g < f->n; g++) {
		for (size_t i = 0; i < f->groups[g].n; i++)
			pcre2_code_free(f->groups[g].filters[i].re);
		free(f->groups[g].filters);
	}
	free(f->groups);
	free(f);
}

static bool re_search(const pcre2_code *re, const char *subject)
{
	if (!subject || !subject[0])
		return false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		gf_die("out of memory matching a filter");
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static bool filter_hit(const pl_filter *f, const hooks_event *ev)
{
	switch (f->type) {
	case PIPELINE_FILTER_EVENT:
		return (f->events >> ev->type) & 1u;
	case PIPELINE_FILTER_HEAD_REF:
		return re_search(f->re, ev->head_ref);
	case PIPELINE_FILTER_BASE_REF:
		return re_search(f->re, ev->base_ref);
	case PIPELINE_FILTER_COMMIT_MESSAGE:
		return re_search(f->re, ev->message);
	case PIPELINE_FILTER_ACTOR_ACCOUNT_ID:
		return re_search(f->re, ev->actor);
	case PIPELINE_FILTER_TAG_NAME:
		return re_search(f->re, ev->tag);
	case PIPELINE_FILTER_FILE_PATH:
		for (size_t i = 0; i < ev->nfiles; i++)
			if (re_search(f->re, ev->files[i]))
				return true;
		return false;
	case PIPELINE_FILTER_COUNT:
		break;
	}
	return false;
}

bool pipeline_filters_match(const pipeline_filters *f, const hooks_event *ev)
{
	if (ev->type == HOOKS_EVENT_PING || ev->type == HOOKS_EVENT_OTHER)
		return false;
	if (!f || f->n == 0)
		return ev->type == HOOKS_EVENT_PUSH;
	for (size_t g = 0; g < f->n; g++) {
		bool all = true;
		for (size_t i = 0; i < f->groups[g].n && all; i++) {
			const pl_filter *pf = &f->groups[g].filters[i];
			all = filter_hit(pf, ev) != pf->exclude;
		}
		if (all)
			return true;
	}
	return false;
}
