/*
 * hooks — webhook deliveries from GitHub, Gitea and GitLab: checking that a
 * delivery was signed with the webhook's secret, and decoding its payload
 * into one forge-neutral event that filter groups and builds understand.
 *
 * NOTES ON THE DESIGN
 *
 * Pure functions of (headers, body): no socket, clock or file is touched,
 * so every forge's payloads are unit tested from files in tests/data/hooks/
 * and the decoder is fuzzed (tests/fuzz/fuzz_webhook.c). The daemon's
 * /hooks/{forge}/{project} route calls, in this order:
 *
 *   1. hooks_verify     the signature over the raw body, before anything
 *                       of the body is looked at; a wrong or missing one
 *                       is a 401 and nothing else.
 *   2. hooks_decode     the event header + JSON body → hooks_event.
 *   3. the delivery id  (hooks_delivery_header) deduplicates replays.
 *
 * Signatures. GitHub sends `X-Hub-Signature-256: sha256=<hex>` and Gitea
 * `X-Gitea-Signature: <hex>`, both HMAC-SHA256 of the raw body keyed by the
 * secret; GitLab sends the secret itself in `X-Gitlab-Token`. Every
 * comparison runs in constant time (CRYPTO_memcmp over equal lengths), so
 * timing reveals nothing about the expected value.
 *
 * Events (the names CodeBuild's EVENT filter uses):
 *
 *   forge     header event                 action / kind          → type
 *   GitHub    push                                                → PUSH
 *             pull_request                 opened                 → PULL_REQUEST_CREATED
 *                                          synchronize            → PULL_REQUEST_UPDATED
 *                                          reopened               → PULL_REQUEST_REOPENED
 *                                          closed, merged=true    → PULL_REQUEST_MERGED
 *                                          closed                 → PULL_REQUEST_CLOSED
 *             ping                                                → PING
 *   Gitea     push, pull_request           as GitHub; "synchronized" → UPDATED
 *   GitLab    object_kind push / tag_push                         → PUSH
 *             object_kind merge_request    open → CREATED, update with new
 *                                          commits (oldrev) → UPDATED, reopen,
 *                                          merge, close
 *   anything else (issues, stars, a PR label change) → HOOKS_EVENT_OTHER,
 *   answered 202 and never built.
 *
 * A push's changed files are the union of added, modified and removed
 * files of every commit in the payload. Pull-request payloads carry no
 * file list; the daemon computes it from git (base..head) when a filter
 * needs it. Nothing in a payload is ever used to decide where to fetch
 * from: the project's configured location is.
 */
#ifndef GF_HOOKS_H
#define GF_HOOKS_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>

/* The largest body a hook route reads; larger deliveries get a 413. */
#define HOOKS_BODY_MAX (4u << 20)
/* The most changed paths an event keeps (GitHub itself lists at most 20
 * commits per push); past it files_truncated is set. */
#define HOOKS_FILES_MAX 4096

typedef enum {
	HOOKS_FORGE_GITHUB,
	HOOKS_FORGE_GITEA,
	HOOKS_FORGE_GITLAB,
	HOOKS_FORGE_COUNT
} hooks_forge;

typedef enum {
	HOOKS_EVENT_OTHER, /* a delivery that never starts a build */
	HOOKS_EVENT_PING,
	HOOKS_EVENT_PUSH,
	HOOKS_EVENT_PULL_REQUEST_CREATED,
	HOOKS_EVENT_PULL_REQUEST_UPDATED,
	HOOKS_EVENT_PULL_REQUEST_REOPENED,
	HOOKS_EVENT_PULL_REQUEST_MERGED,
	HOOKS_EVENT_PULL_REQUEST_CLOSED,
	HOOKS_EVENT_COUNT
} hooks_event_type;

/* "github", "gitea", "gitlab"; parse returns GF_EINVALID for others. */
const char *hooks_forge_name(hooks_forge f);
int hooks_forge_parse(hooks_forge *out, const char *name);
/* "PUSH", "PULL_REQUEST_CREATED", ..., "PING", "OTHER". */
const char *hooks_event_type_name(hooks_event_type t);
int hooks_event_type_parse(hooks_event_type *out, const char *name);
bool hooks_event_is_pull_request(hooks_event_type t);

/* The request headers each forge uses (names as sent; compare them
 * case-insensitively). */
const char *hooks_signature_header(hooks_forge f);
const char *hooks_event_header(hooks_forge f);
const char *hooks_delivery_header(hooks_forge f);

/*
 * A forge-neutral event. Every string is owned by `arena` and is "" when
 * the payload has no such value (never NULL after hooks_event_init).
 */
typedef struct {
	gf_arena arena;
	hooks_event_type type;
	const char *head_ref; /* refs/heads/x or refs/tags/v1 (PR: the source branch) */
	const char *base_ref; /* PR: the target branch, refs/heads/y */
	const char *before;   /* push: previous commit id; all zeros on creation */
	const char *after;    /* push: new commit id; PR: the head commit */
	const char *message;  /* the head commit's message */
	const char *actor;    /* account id of who caused the event */
	const char *tag;      /* tag name when head_ref is refs/tags/... */
	const char **files;   /* changed paths, each once */
	size_t nfiles;
	long pr_number; /* 0 for a push */
	bool created, deleted, forced;
	bool files_truncated; /* more than HOOKS_FILES_MAX paths changed */
} hooks_event;

void hooks_event_init(hooks_event *ev);
void hooks_event_dispose(hooks_event *ev);
/* Sets head_ref and derives tag; copies into the event's arena. */
void hooks_event_set_ref(hooks_event *ev, const char *ref);
/* Adds a changed path unless it is already listed (or the list is full). */
void hooks_event_add_file(hooks_event *ev, const char *path);
/* CODEBUILD_WEBHOOK_TRIGGER: "branch/master", "tag/v1", "pr/7". Arena-owned. */
const char *hooks_event_trigger(hooks_event *ev);

/*
 * Checks a delivery's signature header value (NULL when the header was
 * missing) against `secret`. True only for a correct signature; an empty
 * secret never verifies anything.
 */
bool hooks_verify(hooks_forge forge, const char *secret, const char *signature, const void *body,
                  size_t len);

/* Lowercase hex HMAC-SHA256 of data keyed by key, into out[65]. */
void hooks_hmac_sha256_hex(char out[65], const char *key, const void *data, size_t len);

/*
 * Decodes a delivery: `event` is the value of hooks_event_header(forge)
 * (may be NULL for GitLab, whose body names its kind). `out` must have been
 * initialised. GF_EINVALID with a message when the body is not the JSON
 * the event promises (missing ref, wrong types); unknown events decode to
 * HOOKS_EVENT_OTHER with rc 0.
 */
int hooks_decode(hooks_event *out, hooks_forge forge, const char *event, const char *body,
                 size_t len);

#endif
