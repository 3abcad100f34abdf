/*
 * The libgit2 wrapper of git.h: hosted repositories, changed files,
 * mirrors and checkouts.
 */
#include "git/git.h"

#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
	git_libgit2_init();
}

void gf_git_init(void)
{
	pthread_once(&init_once, do_init);
}

/* Sets the thread's gf_err from libgit2's last error, prefixed by `what`. */
static int git_fail(int code, const char *what, const char *where)
{
	const git_error *e = git_error_last();
	if (code == GIT_ENOTFOUND)
		return gf_err_set(GF_ENOTFOUND, "%s %s: %s", what, where,
		                  e && e->message ? e->message : "not found");
	return gf_err_set(GF_ERROR, "%s %s: %s", what, where,
	                  e && e->message ? e->message : "libgit2 failed");
}

bool gf_git_is_zero(const char *oid)
{
	if (!oid || strlen(oid) != 40)
		return false;
	for (; *oid; oid++)
		if (*oid != '0')
			return false;
	return true;
}

int gf_git_hosted_init(const char *path, const char *hook_command)
{
	gf_git_init();
	git_repository *repo = NULL;
	int rc = git_repository_open_bare(&repo, path);
	if (rc == GIT_ENOTFOUND)
		rc = git_repository_init(&repo, path, 1);
	if (rc < 0)
		return git_fail(rc, "cannot create the repository", path);
	git_repository_free(repo);
	char *hooks = gf_path_join(path, "hooks");
	char *hook = gf_path_join(hooks, "post-receive");
	char *text = gf_xasprintf("#!/bin/sh\n"
	                          "# Written by gitfleet: hands every pushed ref to the daemon.\n"
	                          "exec %s\n",
	                          hook_command);
	int out = gf_fs_mkdirs(hooks, 0755);
	if (out == 0)
		out = gf_fs_write_atomic(hook, text, strlen(text), 0755);
	free(text);
	free(hook);
	free(hooks);
	return out;
}

static int lookup_commit(git_commit **out, git_repository *repo, const char *spec)
{
	git_object *obj = NULL;
	int rc = git_revparse_single(&obj, repo, spec);
	if (rc < 0)
		return git_fail(rc, "no commit", spec);
	rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return git_fail(rc, "not a commit:", spec);
	return 0;
}

int gf_git_changed_files(const char *path, const char *before, const char *after, size_t max,
                         gf_git_path_cb cb, void *payload, bool *truncated)
{
	gf_git_init();
	*truncated = false;
	if (gf_git_is_zero(after))
		return 0;
	git_repository *repo = NULL;
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	int rc = git_repository_open(&repo, path);
	if (rc < 0) {
		rc = git_fail(rc, "cannot open the repository", path);
		goto done;
	}
	if ((rc = lookup_commit(&b, repo, after)) < 0)
		goto done;
	if (before && before[0] && !gf_git_is_zero(before)) {
		/* A force push may name a commit the repository no longer has:
		 * then every file of `after` counts as changed. */
		if (lookup_commit(&a, repo, before) == 0 && (rc = git_commit_tree(&ta, a)) < 0) {
			rc = git_fail(rc, "cannot read the tree of", before);
			goto done;
		}
	}
	if ((rc = git_commit_tree(&tb, b)) < 0 ||
	    (rc = git_diff_tree_to_tree(&diff, repo, ta, tb, NULL)) < 0) {
		rc = git_fail(rc, "cannot diff", after);
		goto done;
	}
	size_t n = git_diff_num_deltas(diff), sent = 0;
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *paths[2] = {d->old_file.path, d->new_file.path};
		for (int k = 0; k < 2; k++) {
			if (!paths[k] || (k == 1 && paths[0] && !strcmp(paths[0], paths[1])))
				continue;
			if (sent == max) {
				*truncated = true;
				goto out;
			}
			cb(paths[k], payload);
			sent++;
		}
	}
out:
	rc = 0;
done:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	git_repository_free(repo);
	return rc;
}

int gf_git_resolve(char out[GF_GIT_OID_HEX], char **message, const char *path, const char *spec)
{
	gf_git_init();
	if (message)
		*message = NULL;
	git_repository *repo = NULL;
	git_commit *c = NULL;
	int rc = git_repository_open(&repo, path);
	if (rc < 0)
		return git_fail(rc, "cannot open the repository", path);
	if ((rc = lookup_commit(&c, repo, spec)) == 0) {
		git_oid_tostr(out, GF_GIT_OID_HEX, git_commit_id(c));
		if (message && git_commit_message(c))
			*message = gf_xstrdup(git_commit_message(c));
	}
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

int gf_git_fetch_mirror(const char *mirror, const char *url)
{
	gf_git_init();
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	int rc = git_repository_open_bare(&repo, mirror);
	if (rc == GIT_ENOTFOUND)
		rc = git_repository_init(&repo, mirror, 1);
	if (rc < 0)
		return git_fail(rc, "cannot create the mirror", mirror);
	if ((rc = git_remote_create_anonymous(&remote, repo, url)) < 0) {
		rc = git_fail(rc, "bad source location", url);
		goto done;
	}
	/* refs/pull/N/head is where GitHub (and Gitea) keep a pull request's
	 * commits, which may come from a fork. */
	char *specs[] = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
	                 "+refs/pull/*:refs/pull/*"};
	git_strarray refspecs = {specs, 3};
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	if ((rc = git_remote_fetch(remote, &refspecs, &fo, "gitfleet fetch")) < 0)
		rc = git_fail(rc, "cannot fetch", url);
done:
	git_remote_free(remote);
	git_repository_free(repo);
	return rc;
}

int gf_git_list_refs(const char *path, gf_git_ref_cb cb, void *payload)
{
	gf_git_init();
	git_repository *repo = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	int rc = git_repository_open(&repo, path);
	if (rc < 0)
		return git_fail(rc, "cannot open the repository", path);
	if ((rc = git_reference_iterator_new(&it, repo)) < 0) {
		rc = git_fail(rc, "cannot list the refs of", path);
		goto done;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		git_object *obj = NULL;
		const char *name = git_reference_name(ref);
		if ((gf_str_has_prefix(name, "refs/heads/") ||
		     gf_str_has_prefix(name, "refs/tags/")) &&
		    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			char oid[GF_GIT_OID_HEX];
			git_oid_tostr(oid, sizeof(oid), git_object_id(obj));
			cb(name, oid, payload);
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	rc = rc == GIT_ITEROVER ? 0 : git_fail(rc, "cannot list the refs of", path);
done:
	git_reference_iterator_free(it);
	git_repository_free(repo);
	return rc;
}

/* ---- checkout ------------------------------------------------------------------------ */

/* The objects a checkout copies: `commit`, and its ancestors up to `depth`
 * commits in all (0: every one), each with its whole tree. The commits of
 * the last generation kept that have parents are the shallow boundary
 * (`git clone --depth`), appended to `shallow` one hex id a line. */
static int pack_history(git_packbuilder *pb, git_repository *repo, const git_commit *commit,
                        int depth, gf_buf *shallow)
{
	if (depth <= 0) {
		git_revwalk *walk = NULL;
		int rc = git_revwalk_new(&walk, repo);
		if (rc == 0)
			rc = git_revwalk_push(walk, git_commit_id(commit));
		if (rc == 0)
			rc = git_packbuilder_insert_walk(pb, walk);
		git_revwalk_free(walk);
		return rc;
	}
	/* Breadth first, so a commit is met first at its shortest distance;
	 * the pack builder's own count says whether it was met before. */
	GF_VEC(git_oid) level = {0}, next = {0}, swap;
	gf_vec_push(&level, *git_commit_id(commit));
	int rc = 0;
	for (int d = 0; rc == 0 && d < depth && level.len; d++) {
		next.len = 0;
		for (size_t i = 0; rc == 0 && i < level.len; i++) {
			size_t before = git_packbuilder_object_count(pb);
			git_commit *c = NULL;
			if ((rc = git_packbuilder_insert(pb, &level.items[i], NULL)) < 0)
				break;
			if (git_packbuilder_object_count(pb) == before)
				continue; /* met at a shorter distance already */
			if ((rc = git_commit_lookup(&c, repo, &level.items[i])) < 0 ||
			    (rc = git_packbuilder_insert_tree(pb, git_commit_tree_id(c))) < 0) {
				git_commit_free(c);
				break;
			}
			unsigned n = git_commit_parentcount(c);
			if (n && d == depth - 1) {
				char hex[GF_GIT_OID_HEX];
				gf_buf_printf(shallow, "%s\n",
				              git_oid_tostr(hex, sizeof(hex), git_commit_id(c)));
			}
			for (unsigned k = 0; d < depth - 1 && k < n; k++)
				gf_vec_push(&next, *git_commit_parent_id(c, k));
			git_commit_free(c);
		}
		swap = level;
		level = next;
		next = swap;
	}
	gf_vec_dispose(&level);
	gf_vec_dispose(&next);
	return rc;
}

/* The indexer keeps its progress in the caller's stats between calls. */
typedef struct {
	git_odb_writepack *w;
	git_indexer_progress stats;
} pack_sink;

static int append_pack(void *data, size_t size, void *payload)
{
	pack_sink *sink = payload;
	return sink->w->append(sink->w, data, size, &sink->stats);
}

/* Streams the pack builder's pack into `repo`'s object database, which
 * indexes it (objects/pack/pack-*.{pack,idx}). */
static int write_pack(git_repository *repo, git_packbuilder *pb)
{
	git_odb *odb = NULL;
	pack_sink sink;
	memset(&sink, 0, sizeof(sink));
	int rc = git_repository_odb(&odb, repo);
	if (rc == 0)
		rc = git_odb_write_pack(&sink.w, odb, NULL, NULL);
	if (rc == 0)
		rc = git_packbuilder_foreach(pb, append_pack, &sink);
	if (rc == 0)
		rc = sink.w->commit(sink.w, &sink.stats);
	if (sink.w)
		sink.w->free(sink.w);
	git_odb_free(odb);
	return rc;
}

int gf_git_checkout(const char *path, const char *commit, int depth, const char *dest)
{
	gf_git_init();
	git_repository *src = NULL, *repo = NULL;
	git_packbuilder *pb = NULL;
	git_remote *origin = NULL;
	git_commit *c = NULL, *copy = NULL;
	gf_buf shallow = GF_BUF_INIT;
	int rc = git_repository_open(&src, path);
	if (rc < 0)
		return git_fail(rc, "cannot open the repository", path);
	if ((rc = lookup_commit(&c, src, commit)) < 0)
		goto done;
	if ((rc = git_packbuilder_new(&pb, src)) < 0 ||
	    (rc = pack_history(pb, src, c, depth, &shallow)) < 0) {
		rc = git_fail(rc, "cannot collect the objects of", commit);
		goto done;
	}
	if ((rc = git_repository_init(&repo, dest, 0)) < 0) {
		rc = git_fail(rc, "cannot create the repository", dest);
		goto done;
	}
	if ((rc = write_pack(repo, pb)) < 0) {
		rc = git_fail(rc, "cannot copy the objects into", dest);
		goto done;
	}
	if (shallow.len) {
		char *file = gf_path_join(git_repository_path(repo), "shallow");
		rc = gf_fs_write_scratch(file, shallow.ptr, shallow.len, 0644);
		free(file);
		if (rc < 0)
			goto done;
	}
	if ((rc = git_remote_create(&origin, repo, "origin", path)) < 0) {
		rc = git_fail(rc, "cannot set the origin of", dest);
		goto done;
	}
	if ((rc = git_commit_lookup(&copy, repo, git_commit_id(c))) < 0) {
		rc = git_fail(rc, "the copy lacks the commit", commit);
		goto done;
	}
	git_checkout_options opts;
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE;
	if ((rc = git_checkout_tree(repo, (git_object *)copy, &opts)) < 0 ||
	    (rc = git_repository_set_head_detached(repo, git_commit_id(copy))) < 0)
		rc = git_fail(rc, "cannot check out", commit);
done:
	gf_buf_dispose(&shallow);
	git_commit_free(copy);
	git_commit_free(c);
	git_remote_free(origin);
	git_packbuilder_free(pb);
	git_repository_free(repo);
	git_repository_free(src);
	return rc;
}

/*
 * libgit2 1.5 as Debian builds it (regex backend: PCRE2) leaks the match
 * data of every regexec it runs while reading configuration, a few hundred
 * bytes per clone or fetch. Under LeakSanitizer (the test builds) that
 * would fail every test that touches git, so allocations made inside
 * libpcre2 are not reported (the fast unwinder sees no further than
 * libpcre2's own frames). gitfleet's own PCRE2 objects (filter.c) are
 * freed by their owners and checked by tests that do not link this file. Without a sanitizer this is never called.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}
