/*
 * Webhook signatures and payload decoding per forge (see hooks.h).
 */
#include "hooks/hooks.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const forge_names[HOOKS_FORGE_COUNT] = {"github", "gitea", "gitlab"};
static const char *const event_names[HOOKS_EVENT_COUNT] = {
        "OTHER",
        "PING",
        "PUSH",
        "PULL_REQUEST_CREATED",
        "PULL_REQUEST_UPDATED",
        "PULL_REQUEST_REOPENED",
        "PULL_REQUEST_MERGED",
        "PULL_REQUEST_CLOSED",
};

const char *hooks_forge_name(hooks_forge f)
{
	return f < HOOKS_FORGE_COUNT ? forge_names[f] : "?";
}

int hooks_forge_parse(hooks_forge *out, const char *name)
{
	for (int i = 0; i < HOOKS_FORGE_COUNT; i++)
		if (!strcmp(name, forge_names[i])) {
			*out = (hooks_forge)i;
			return 0;
		}
	return gf_err_set(GF_EINVALID, "unknown forge \"%s\" (github, gitea or gitlab)", name);
}

const char *hooks_event_type_name(hooks_event_type t)
{
	return t < HOOKS_EVENT_COUNT ? event_names[t] : "?";
}

int hooks_event_type_parse(hooks_event_type *out, const char *name)
{
	for (int i = 0; i < HOOKS_EVENT_COUNT; i++)
		if (!strcmp(name, event_names[i])) {
			*out = (hooks_event_type)i;
			return 0;
		}
	return gf_err_set(GF_EINVALID, "unknown event \"%s\"", name);
}

bool hooks_event_is_pull_request(hooks_event_type t)
{
	return t >= HOOKS_EVENT_PULL_REQUEST_CREATED && t <= HOOKS_EVENT_PULL_REQUEST_CLOSED;
}

const char *hooks_signature_header(hooks_forge f)
{
	static const char *const h[HOOKS_FORGE_COUNT] = {"X-Hub-Signature-256", "X-Gitea-Signature",
	                                                 "X-Gitlab-Token"};
	return f < HOOKS_FORGE_COUNT ? h[f] : "";
}

const char *hooks_event_header(hooks_forge f)
{
	static const char *const h[HOOKS_FORGE_COUNT] = {"X-GitHub-Event", "X-Gitea-Event",
	                                                 "X-Gitlab-Event"};
	return f < HOOKS_FORGE_COUNT ? h[f] : "";
}

const char *hooks_delivery_header(hooks_forge f)
{
	static const char *const h[HOOKS_FORGE_COUNT] = {"X-GitHub-Delivery", "X-Gitea-Delivery",
	                                                 "X-Gitlab-Event-UUID"};
	return f < HOOKS_FORGE_COUNT ? h[f] : "";
}

/* ---- events ------------------------------------------------------------ */

void hooks_event_init(hooks_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	gf_arena_init(&ev->arena);
	ev->head_ref = ev->base_ref = ev->before = ev->after = "";
	ev->message = ev->actor = ev->tag = "";
}

void hooks_event_dispose(hooks_event *ev)
{
	gf_arena_dispose(&ev->arena);
	free(ev->files);
	memset(ev, 0, sizeof(*ev));
}

void hooks_event_set_ref(hooks_event *ev, const char *ref)
{
	ev->head_ref = gf_arena_strdup(&ev->arena, ref);
	ev->tag = gf_str_has_prefix(ref, "refs/tags/") ? ev->head_ref + strlen("refs/tags/") : "";
}

void hooks_event_add_file(hooks_event *ev, const char *path)
{
	if (ev->nfiles >= HOOKS_FILES_MAX) {
		ev->files_truncated = true;
		return;
	}
	for (size_t i = 0; i < ev->nfiles; i++)
		if (!strcmp(ev->files[i], path))
			return;
	/* Grows by powers of two; nfiles is the capacity's lower bound. */
	if ((ev->nfiles & (ev->nfiles - 1)) == 0)
		ev->files =
		        gf_xrealloc(ev->files, (ev->nfiles ? ev->nfiles * 2 : 1) * sizeof(char *));
	ev->files[ev->nfiles++] = gf_arena_strdup(&ev->arena, path);
}

const char *hooks_event_trigger(hooks_event *ev)
{
	if (hooks_event_is_pull_request(ev->type))
		return gf_arena_printf(&ev->arena, "pr/%ld", ev->pr_number);
	if (ev->tag[0])
		return gf_arena_printf(&ev->arena, "tag/%s", ev->tag);
	if (gf_str_has_prefix(ev->head_ref, "refs/heads/"))
		return gf_arena_printf(&ev->arena, "branch/%s",
		                       ev->head_ref + strlen("refs/heads/"));
	return ev->head_ref;
}

/* ---- signatures -------------------------------------------------------- */

void hooks_hmac_sha256_hex(char out[65], const char *key, const void *data, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	static const char hex[] = "0123456789abcdef";
	if (!HMAC(EVP_sha256(), key, (int)strlen(key), data, len, mac, &maclen) || maclen != 32)
		gf_die("HMAC-SHA256 failed in libcrypto");
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
}

/* Constant time in the content; lengths are public (a hex digest's length
 * is known to everybody, a GitLab token's length leaks only its length). */
static bool equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

bool hooks_verify(hooks_forge forge, const char *secret, const char *signature, const void *body,
                  size_t len)
{
	if (!secret || !secret[0] || !signature)
		return false;
	if (forge == HOOKS_FORGE_GITLAB)
		return equal_ct(signature, secret);
	if (forge == HOOKS_FORGE_GITHUB) {
		if (strncmp(signature, "sha256=", 7))
			return false;
		signature += 7;
	}
	if (forge != HOOKS_FORGE_GITHUB && forge != HOOKS_FORGE_GITEA)
		return false;
	char want[65], got[65];
	size_t n = strlen(signature);
	if (n != 64)
		return false;
	/* Forges send lowercase hex; accept uppercase too by folding. */
	for (size_t i = 0; i < 64; i++)
		got[i] = (char)((signature[i] >= 'A' && signature[i] <= 'F') ? signature[i] + 32
		                                                             : signature[i]);
	got[64] = '\0';
	hooks_hmac_sha256_hex(want, secret, body, len);
	return CRYPTO_memcmp(want, got, 64) == 0;
}

/* ---- payloads ---------------------------------------------------------- */

static const char *jstr(hooks_event *ev, const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? gf_arena_strdup(&ev->arena, s) : "";
}

/* An account id: a number on every forge, kept as its decimal text. */
static const char *jid(hooks_event *ev, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_integer(v))
		return gf_arena_printf(&ev->arena, "%lld", (long long)json_integer_value(v));
	return json_is_string(v) ? gf_arena_strdup(&ev->arena, json_string_value(v)) : "";
}

static bool all_zeros(const char *sha)
{
	if (!sha[0])
		return false;
	for (; *sha; sha++)
		if (*sha != '0')
			return false;
	return true;
}

static void add_files_of(hooks_event *ev, const json_t *commits)
{
	static const char *const kinds[] = {"added", "modified", "removed"};
	size_t i;
	const json_t *c;
	json_array_foreach(commits, i, c)
	{
		for (size_t k = 0; k < GF_ARRAY_LEN(kinds); k++) {
			size_t j;
			const json_t *f;
			json_array_foreach(json_object_get(c, kinds[k]), j,
			                   f) if (json_is_string(f))
			        hooks_event_add_file(ev, json_string_value(f));
		}
	}
}

/* The push of GitHub, Gitea and GitLab share ref/before/after/commits. */
static int decode_push(hooks_event *ev, hooks_forge forge, const json_t *root)
{
	const char *ref = json_string_value(json_object_get(root, "ref"));
	if (!ref || !ref[0])
		return gf_err_set(GF_EINVALID, "%s push payload has no \"ref\"",
		                  hooks_forge_name(forge));
	ev->type = HOOKS_EVENT_PUSH;
	hooks_event_set_ref(ev, ref);
	ev->before = jstr(ev, root, "before");
	ev->after = jstr(ev, root, "after");
	const json_t *commits = json_object_get(root, "commits");
	if (commits && !json_is_array(commits))
		return gf_err_set(GF_EINVALID, "%s push payload: \"commits\" is not a list",
		                  hooks_forge_name(forge));
	add_files_of(ev, commits);
	const json_t *created = json_object_get(root, "created");
	const json_t *deleted = json_object_get(root, "deleted");
	ev->created = json_is_boolean(created) ? json_is_true(created) : all_zeros(ev->before);
	ev->deleted = json_is_boolean(deleted) ? json_is_true(deleted) : all_zeros(ev->after);
	ev->forced = json_is_true(json_object_get(root, "forced"));

	const json_t *head = json_object_get(root, "head_commit");
	if (json_is_object(head)) {
		ev->message = jstr(ev, head, "message");
	} else if (json_array_size(commits) > 0) {
		/* GitLab lists commits oldest first; the head is the one whose id is `after`. */
		size_t i;
		const json_t *c;
		json_array_foreach(commits, i, c)
		{
			const char *id = json_string_value(json_object_get(c, "id"));
			if (id && !strcmp(id, ev->after))
				ev->message = jstr(ev, c, "message");
		}
	}
	if (forge == HOOKS_FORGE_GITLAB)
		ev->actor = jid(ev, root, "user_id");
	else
		ev->actor = jid(ev, json_object_get(root, "sender"), "id");
	return 0;
}

static int decode_github_pr(hooks_event *ev, hooks_forge forge, const json_t *root)
{
	const char *action = json_string_value(json_object_get(root, "action"));
	const json_t *pr = json_object_get(root, "pull_request");
	if (!action || !json_is_object(pr))
		return gf_err_set(GF_EINVALID,
		                  "%s pull_request payload needs \"action\" and \"pull_request\"",
		                  hooks_forge_name(forge));
	if (!strcmp(action, "opened"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_CREATED;
	else if (!strcmp(action, "synchronize") || !strcmp(action, "synchronized"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_UPDATED;
	else if (!strcmp(action, "reopened"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_REOPENED;
	else if (!strcmp(action, "closed"))
		ev->type = json_is_true(json_object_get(pr, "merged"))
		                   ? HOOKS_EVENT_PULL_REQUEST_MERGED
		                   : HOOKS_EVENT_PULL_REQUEST_CLOSED;
	else
		return 0; /* labeled, edited, assigned...: not a build event */
	const json_t *head = json_object_get(pr, "head");
	const json_t *base = json_object_get(pr, "base");
	const char *head_ref = json_string_value(json_object_get(head, "ref"));
	const char *base_ref = json_string_value(json_object_get(base, "ref"));
	if (!head_ref || !base_ref) {
		ev->type = HOOKS_EVENT_OTHER;
		return gf_err_set(GF_EINVALID,
		                  "%s pull_request payload has no head.ref or base.ref",
		                  hooks_forge_name(forge));
	}
	ev->head_ref = gf_arena_printf(&ev->arena, "refs/heads/%s", head_ref);
	ev->base_ref = gf_arena_printf(&ev->arena, "refs/heads/%s", base_ref);
	ev->after = jstr(ev, head, "sha");
	ev->before = jstr(ev, base, "sha");
	const json_t *num = json_object_get(root, "number");
	if (!json_is_integer(num))
		num = json_object_get(pr, "number");
	ev->pr_number = json_is_integer(num) ? (long)json_integer_value(num) : 0;
	ev->actor = jid(ev, json_object_get(root, "sender"), "id");
	return 0;
}

static int decode_gitlab_mr(hooks_event *ev, const json_t *root)
{
	const json_t *attrs = json_object_get(root, "object_attributes");
	const char *action = json_string_value(json_object_get(attrs, "action"));
	if (!json_is_object(attrs) || !action)
		return gf_err_set(GF_EINVALID,
		                  "gitlab merge_request payload needs object_attributes.action");
	if (!strcmp(action, "open"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_CREATED;
	else if (!strcmp(action, "update") && json_object_get(attrs, "oldrev"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_UPDATED;
	else if (!strcmp(action, "reopen"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_REOPENED;
	else if (!strcmp(action, "merge"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_MERGED;
	else if (!strcmp(action, "close"))
		ev->type = HOOKS_EVENT_PULL_REQUEST_CLOSED;
	else
		return 0; /* an update of the title, labels...: no new commits */
	const char *src = json_string_value(json_object_get(attrs, "source_branch"));
	const char *dst = json_string_value(json_object_get(attrs, "target_branch"));
	if (!src || !dst) {
		ev->type = HOOKS_EVENT_OTHER;
		return gf_err_set(GF_EINVALID, "gitlab merge_request payload has no source_branch "
		                               "or target_branch");
	}
	ev->head_ref = gf_arena_printf(&ev->arena, "refs/heads/%s", src);
	ev->base_ref = gf_arena_printf(&ev->arena, "refs/heads/%s", dst);
	const json_t *last = json_object_get(attrs, "last_commit");
	ev->after = jstr(ev, last, "id");
	ev->message = jstr(ev, last, "message");
	ev->before = jstr(ev, attrs, "oldrev");
	const json_t *iid = json_object_get(attrs, "iid");
	ev->pr_number = json_is_integer(iid) ? (long)json_integer_value(iid) : 0;
	ev->actor = jid(ev, json_object_get(root, "user"), "id");
	return 0;
}

int hooks_decode(hooks_event *out, hooks_forge forge, const char *event, const char *body,
                 size_t len)
{
	if (len > HOOKS_BODY_MAX)
		return gf_err_set(GF_ETOOBIG, "the payload is %zu bytes; the limit is %u", len,
		                  HOOKS_BODY_MAX);
	out->type = HOOKS_EVENT_OTHER;
	if (event && !strcmp(event, "ping") && forge != HOOKS_FORGE_GITLAB) {
		out->type = HOOKS_EVENT_PING;
		return 0;
	}
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return gf_err_set(GF_EINVALID, "the payload is not JSON: %s (line %d, column %d)",
		                  jerr.text, jerr.line, jerr.column);
	int rc = 0;
	if (!json_is_object(root)) {
		rc = gf_err_set(GF_EINVALID, "the payload is not a JSON object");
		goto done;
	}
	if (forge == HOOKS_FORGE_GITLAB) {
		const char *kind = json_string_value(json_object_get(root, "object_kind"));
		if (!kind)
			rc = gf_err_set(GF_EINVALID, "gitlab payload has no \"object_kind\"");
		else if (!strcmp(kind, "push") || !strcmp(kind, "tag_push"))
			rc = decode_push(out, forge, root);
		else if (!strcmp(kind, "merge_request"))
			rc = decode_gitlab_mr(out, root);
		goto done;
	}
	if (!event) {
		rc = gf_err_set(GF_EINVALID, "the %s header is missing", hooks_event_header(forge));
		goto done;
	}
	if (!strcmp(event, "push"))
		rc = decode_push(out, forge, root);
	else if (!strcmp(event, "pull_request"))
		rc = decode_github_pr(out, forge, root);
done:
	if (rc)
		out->type = HOOKS_EVENT_OTHER;
	json_decref(root);
	return rc;
}
