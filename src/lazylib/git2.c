/* libgit2's functions that gitfleet calls, forwarded to the library
 * loaded on first use (lazylib.h: rule 1 says when to add one). */
#include "lazylib/lazylib.h"

#include <git2.h>

static lazylib git2 = LAZYLIB_INIT(GF_LIBGIT2_SONAME, "libgit2");

#define LAZY(name) ((__typeof__(&name))lazylib_sym(&git2, #name))

int git_checkout_options_init(git_checkout_options *opts, unsigned int version)
{
	return LAZY(git_checkout_options_init)(opts, version);
}

int git_checkout_tree(git_repository *repo, const git_object *treeish,
                      const git_checkout_options *opts)
{
	return LAZY(git_checkout_tree)(repo, treeish, opts);
}

void git_commit_free(git_commit *commit)
{
	LAZY(git_commit_free)(commit);
}

const git_oid *git_commit_id(const git_commit *commit)
{
	return LAZY(git_commit_id)(commit);
}

int git_commit_lookup(git_commit **commit, git_repository *repo, const git_oid *id)
{
	return LAZY(git_commit_lookup)(commit, repo, id);
}

const char *git_commit_message(const git_commit *commit)
{
	return LAZY(git_commit_message)(commit);
}

const git_oid *git_commit_parent_id(const git_commit *commit, unsigned int n)
{
	return LAZY(git_commit_parent_id)(commit, n);
}

unsigned int git_commit_parentcount(const git_commit *commit)
{
	return LAZY(git_commit_parentcount)(commit);
}

int git_commit_tree(git_tree **tree_out, const git_commit *commit)
{
	return LAZY(git_commit_tree)(tree_out, commit);
}

const git_oid *git_commit_tree_id(const git_commit *commit)
{
	return LAZY(git_commit_tree_id)(commit);
}

void git_diff_free(git_diff *diff)
{
	LAZY(git_diff_free)(diff);
}

const git_diff_delta *git_diff_get_delta(const git_diff *diff, size_t idx)
{
	return LAZY(git_diff_get_delta)(diff, idx);
}

size_t git_diff_num_deltas(const git_diff *diff)
{
	return LAZY(git_diff_num_deltas)(diff);
}

int git_diff_tree_to_tree(git_diff **diff, git_repository *repo, git_tree *old_tree,
                          git_tree *new_tree, const git_diff_options *opts)
{
	return LAZY(git_diff_tree_to_tree)(diff, repo, old_tree, new_tree, opts);
}

const git_error *git_error_last(void)
{
	return LAZY(git_error_last)();
}

int git_fetch_options_init(git_fetch_options *opts, unsigned int version)
{
	return LAZY(git_fetch_options_init)(opts, version);
}

int git_libgit2_init(void)
{
	return LAZY(git_libgit2_init)();
}

void git_object_free(git_object *object)
{
	LAZY(git_object_free)(object);
}

const git_oid *git_object_id(const git_object *obj)
{
	return LAZY(git_object_id)(obj);
}

int git_object_peel(git_object **peeled, const git_object *object, git_object_t target_type)
{
	return LAZY(git_object_peel)(peeled, object, target_type);
}

void git_odb_free(git_odb *db)
{
	LAZY(git_odb_free)(db);
}

int git_odb_write_pack(git_odb_writepack **out, git_odb *db, git_indexer_progress_cb progress_cb,
                       void *progress_payload)
{
	return LAZY(git_odb_write_pack)(out, db, progress_cb, progress_payload);
}

char *git_oid_tostr(char *out, size_t n, const git_oid *id)
{
	return LAZY(git_oid_tostr)(out, n, id);
}

int git_packbuilder_foreach(git_packbuilder *pb, git_packbuilder_foreach_cb cb, void *payload)
{
	return LAZY(git_packbuilder_foreach)(pb, cb, payload);
}

void git_packbuilder_free(git_packbuilder *pb)
{
	LAZY(git_packbuilder_free)(pb);
}

int git_packbuilder_insert(git_packbuilder *pb, const git_oid *id, const char *name)
{
	return LAZY(git_packbuilder_insert)(pb, id, name);
}

int git_packbuilder_insert_tree(git_packbuilder *pb, const git_oid *id)
{
	return LAZY(git_packbuilder_insert_tree)(pb, id);
}

int git_packbuilder_insert_walk(git_packbuilder *pb, git_revwalk *walk)
{
	return LAZY(git_packbuilder_insert_walk)(pb, walk);
}

int git_packbuilder_new(git_packbuilder **out, git_repository *repo)
{
	return LAZY(git_packbuilder_new)(out, repo);
}

size_t git_packbuilder_object_count(git_packbuilder *pb)
{
	return LAZY(git_packbuilder_object_count)(pb);
}

void git_reference_free(git_reference *ref)
{
	LAZY(git_reference_free)(ref);
}

void git_reference_iterator_free(git_reference_iterator *iter)
{
	LAZY(git_reference_iterator_free)(iter);
}

int git_reference_iterator_new(git_reference_iterator **out, git_repository *repo)
{
	return LAZY(git_reference_iterator_new)(out, repo);
}

const char *git_reference_name(const git_reference *ref)
{
	return LAZY(git_reference_name)(ref);
}

int git_reference_next(git_reference **out, git_reference_iterator *iter)
{
	return LAZY(git_reference_next)(out, iter);
}

int git_reference_peel(git_object **out, const git_reference *ref, git_object_t type)
{
	return LAZY(git_reference_peel)(out, ref, type);
}

int git_remote_create(git_remote **out, git_repository *repo, const char *name, const char *url)
{
	return LAZY(git_remote_create)(out, repo, name, url);
}

int git_remote_create_anonymous(git_remote **out, git_repository *repo, const char *url)
{
	return LAZY(git_remote_create_anonymous)(out, repo, url);
}

int git_remote_fetch(git_remote *remote, const git_strarray *refspecs,
                     const git_fetch_options *opts, const char *reflog_message)
{
	return LAZY(git_remote_fetch)(remote, refspecs, opts, reflog_message);
}

void git_remote_free(git_remote *remote)
{
	LAZY(git_remote_free)(remote);
}

void git_repository_free(git_repository *repo)
{
	LAZY(git_repository_free)(repo);
}

int git_repository_init(git_repository **out, const char *path, unsigned is_bare)
{
	return LAZY(git_repository_init)(out, path, is_bare);
}

int git_repository_odb(git_odb **out, git_repository *repo)
{
	return LAZY(git_repository_odb)(out, repo);
}

int git_repository_open(git_repository **out, const char *path)
{
	return LAZY(git_repository_open)(out, path);
}

int git_repository_open_bare(git_repository **out, const char *bare_path)
{
	return LAZY(git_repository_open_bare)(out, bare_path);
}

const char *git_repository_path(const git_repository *repo)
{
	return LAZY(git_repository_path)(repo);
}

int git_repository_set_head_detached(git_repository *repo, const git_oid *committish)
{
	return LAZY(git_repository_set_head_detached)(repo, committish);
}

int git_revparse_single(git_object **out, git_repository *repo, const char *spec)
{
	return LAZY(git_revparse_single)(out, repo, spec);
}

void git_revwalk_free(git_revwalk *walk)
{
	LAZY(git_revwalk_free)(walk);
}

int git_revwalk_new(git_revwalk **out, git_repository *repo)
{
	return LAZY(git_revwalk_new)(out, repo);
}

int git_revwalk_push(git_revwalk *walk, const git_oid *id)
{
	return LAZY(git_revwalk_push)(walk, id);
}

void git_tree_free(git_tree *tree)
{
	LAZY(git_tree_free)(tree);
}
