/* The content hash of a release directory, as docs/releases.md defines it.
 * The IaC provider computes it without uploading; the daemon checks every
 * upload against it. Any change here is a change of format: keep the
 * definition in docs/releases.md and the test vectors in step. */
#include "cloud/cloud.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_MAGIC "gitfleet-release-v1\n"

typedef GF_VEC(char *) path_vec;

bool cloud_is_sha256(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Collects every path under root/rel (relative to root), depth first. */
static int collect(path_vec *out, const char *root, const char *rel, int depth)
{
	if (depth > 64)
		return gf_err_set(GF_EINVALID, "%s/%s: directories nested too deep", root, rel);
	char *dir = *rel ? gf_path_join(root, rel) : gf_xstrdup(root);
	DIR *d = opendir(dir);
	if (!d) {
		int rc = gf_err_errno("cannot read directory %s", dir);
		free(dir);
		return rc;
	}
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = *rel ? gf_xasprintf("%s/%s", rel, e->d_name) : gf_xstrdup(e->d_name);
		gf_vec_push(out, p);
		struct stat st;
		char *full = gf_path_join(root, p);
		if (lstat(full, &st) != 0)
			rc = gf_err_errno("cannot stat %s", full);
		else if (S_ISDIR(st.st_mode))
			rc = collect(out, root, p, depth + 1);
		free(full);
		if (rc < 0)
			break;
	}
	closedir(d);
	free(dir);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hash_file(gf_sha256 *md, const char *path, off_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return gf_err_errno("cannot open %s", path);
	char buf[65536];
	off_t total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		gf_sha256_update(md, buf, (size_t)n);
		total += n;
	}
	int rc = 0;
	if (n < 0)
		rc = gf_err_errno("cannot read %s", path);
	else if (total != size)
		rc = gf_err_set(GF_EIO, "%s changed while it was hashed", path);
	close(fd);
	return rc;
}

static int hash_entry(gf_sha256 *md, const char *root, const char *rel)
{
	char *full = gf_path_join(root, rel);
	struct stat st;
	int rc = 0;
	char head[64];
	if (lstat(full, &st) != 0) {
		rc = gf_err_errno("cannot stat %s", full);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		gf_sha256_update(md, "040000 ", 7);
		gf_sha256_update(md, rel, strlen(rel) + 1);
		gf_sha256_update(md, "0", 2);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(full, target, sizeof(target));
		if (n < 0 || n == (ssize_t)sizeof(target)) {
			rc = gf_err_errno("cannot read link %s", full);
			goto done;
		}
		gf_sha256_update(md, "120000 ", 7);
		gf_sha256_update(md, rel, strlen(rel) + 1);
		int hl = snprintf(head, sizeof(head), "%zd", n);
		gf_sha256_update(md, head, (size_t)hl + 1);
		gf_sha256_update(md, target, (size_t)n);
	} else if (S_ISREG(st.st_mode)) {
		gf_sha256_update(md, (st.st_mode & 0111) ? "100755 " : "100644 ", 7);
		gf_sha256_update(md, rel, strlen(rel) + 1);
		int hl = snprintf(head, sizeof(head), "%lld", (long long)st.st_size);
		gf_sha256_update(md, head, (size_t)hl + 1);
		rc = hash_file(md, full, st.st_size);
	} else {
		rc = gf_err_set(GF_EINVALID,
		                "%s: not a regular file, directory or symlink; a release holds "
		                "only those",
		                full);
	}
done:
	free(full);
	return rc;
}

int cloud_release_hash_dir(char out[CLOUD_SHA256_HEX], const char *dir)
{
	path_vec paths = {0};
	gf_sha256 md;
	int rc = 0;
	if (!gf_fs_is_dir(dir)) {
		rc = gf_err_set(GF_ENOTFOUND, "%s: not a directory", dir);
		goto done;
	}
	if ((rc = collect(&paths, dir, "", 0)) < 0)
		goto done;
	qsort(paths.items, paths.len, sizeof(char *), cmp_path);
	gf_sha256_init(&md);
	gf_sha256_update(&md, HASH_MAGIC, strlen(HASH_MAGIC));
	for (size_t i = 0; i < paths.len; i++)
		if ((rc = hash_entry(&md, dir, paths.items[i])) < 0)
			goto done;
	gf_sha256_final_hex(&md, out);
done:
	for (size_t i = 0; i < paths.len; i++)
		free(paths.items[i]);
	gf_vec_dispose(&paths);
	return rc;
}
