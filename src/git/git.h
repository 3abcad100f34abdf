/*
 * git — the pipeline's use of git, through libgit2: repositories hosted by
 * the daemon, what a push changed, fetching a project's source, and a
 * fresh checkout of one exact commit for each build.
 *
 * Names carry the prefix gf_git_ (libgit2 owns git_).
 *
 * NOTES ON THE DESIGN
 *
 * Hosted repositories. A GITFLEET project owns a bare repository,
 * <home>/repos/<project>.git. Its hooks/post-receive is written by
 * gf_git_hosted_init and runs `<daemon's gitfleet> hook post-receive
 * PROJECT`, with the daemon's socket in the environment; git feeds it one
 * "before after ref" line per updated ref, and it hands the daemon one PUSH
 * event per line (creations and deletions included). The daemon, not the
 * hook, computes changed files (gf_git_changed_files), so the hook stays a
 * dumb pipe and a hook edited by hand cannot lie about more than the refs.
 *
 * Sources. A GIT project's repository is fetched into a mirror in the
 * daemon's home (<home>/mirrors/<project>.git) from the URL configured on
 * the project — never from a URL found in a webhook payload. A build then
 * clones from the local repository (hosted or mirror) into its workspace
 * and checks out the exact commit, detached: the build sees that commit
 * and nothing else of the working state.
 *
 * Depth. libgit2 1.5 cannot fetch shallow, so a mirror's fetch is always
 * complete. A build's checkout honours the project's `git_clone_depth`:
 * it copies the commit and its ancestors up to that depth (0: all), and
 * names the cut in .git/shallow, as `git clone --depth` does.
 *
 * Checkouts are independent. A workspace's repository holds a copy of the
 * objects it needs, written in-process as one pack (libgit2's pack builder
 * streaming into its indexer): no alternates, no hard links, nothing that
 * points back into the local repository. Whatever a build does to its
 * repository (rewriting a pack, deleting objects) cannot reach the
 * hosted repository or the mirror, and a build user that cannot read the
 * daemon's home still has a working git repository.
 *
 * Every function opens and frees its own libgit2 objects; none keeps state
 * between calls, so they may run on a worker thread (uv_queue_work).
 */
#ifndef GF_GIT_H
#define GF_GIT_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>

#define GF_GIT_OID_HEX 41 /* 40 hex digits and a NUL */

/* Initialises libgit2 once per process (idempotent, thread-safe). */
void gf_git_init(void);

/* True for 40 hex digits of zeros: the "no commit" of a created or
 * deleted ref. */
bool gf_git_is_zero(const char *oid);

/*
 * Creates the bare repository `path` (if absent) and (re)writes its
 * hooks/post-receive to run `hook_command` with the pushed lines on its
 * stdin. `hook_command` is a shell command line, quoted by the caller.
 */
int gf_git_hosted_init(const char *path, const char *hook_command);

/*
 * The paths changed between two commits of `repo` (added, modified,
 * deleted, both sides of a rename), each once, via `cb`. A zero `before`
 * means every file of `after`; a zero `after` (a deleted ref) gives none.
 * At most `max` paths are reported; *truncated says if more changed.
 */
typedef void (*gf_git_path_cb)(const char *path, void *payload);
int gf_git_changed_files(const char *repo, const char *before, const char *after, size_t max,
                         gf_git_path_cb cb, void *payload, bool *truncated);

/* The commit a ref, a short name or a commit id names in `repo`, and the
 * commit's message (malloc'd; may be NULL). GF_ENOTFOUND if nothing. */
int gf_git_resolve(char out[GF_GIT_OID_HEX], char **message, const char *repo, const char *spec);

/*
 * Fetches every branch, tag and pull-request head (refs/pull/...) of `url`
 * into the bare mirror `mirror` (created when absent), pruning refs the
 * remote no longer has.
 */
int gf_git_fetch_mirror(const char *mirror, const char *url);

/* Lists the refs (refs/heads/..., refs/tags/...) and their commits. */
typedef void (*gf_git_ref_cb)(const char *ref, const char *oid, void *payload);
int gf_git_list_refs(const char *repo, gf_git_ref_cb cb, void *payload);

/*
 * Makes the new directory `dest` a repository with `repo` (a local
 * repository) as its origin and checks out `commit` detached. It holds a
 * copy (one pack) of the objects of `commit` and of its ancestors up to
 * `depth` commits in all (1: the commit alone; 0: its whole history);
 * when the history is cut, .git/shallow lists the commits whose parents
 * were left out, so git in `dest` treats it as a shallow clone. Nothing in
 * `dest` refers to `repo`'s files. GF_ENOTFOUND if the commit is not there.
 */
int gf_git_checkout(const char *repo, const char *commit, int depth, const char *dest);

#endif
