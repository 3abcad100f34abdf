/* Releases: unpacking uploads into releases/<sha256>/ and collecting the
 * ones no template version refers to. A release is published by renaming a
 * complete, verified directory, so it is whole or absent (cloud.h #4). */
#include "cloud/cloud.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_PREFIX ".upload-"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* rm -rf, making directories writable first (published releases are
 * read-only). */
static int chmod_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_D)
		chmod(path, 0755);
	return 0;
}

static int remove_tree(const char *path)
{
	nftw(path, chmod_one, 16, FTW_PHYS);
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		return gf_err_errno("cannot remove %s", path);
	return 0;
}

/* An entry path must stay inside the release: relative, no "..", no empty
 * or "." components other than a leading "./". */
static int check_path(const char *p)
{
	if (gf_str_has_prefix(p, "./"))
		p += 2;
	if (!*p || strcmp(p, ".") == 0)
		return 1; /* the root itself: skipped */
	if (*p == '/')
		return gf_err_set(GF_EINVALID, "tar entry \"%s\": absolute paths are not allowed",
		                  p);
	const char *c = p;
	while (*c) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if ((n == 2 && c[0] == '.' && c[1] == '.'))
			return gf_err_set(GF_EINVALID,
			                  "tar entry \"%s\": \"..\" would leave the release", p);
		if (!e)
			break;
		c = e + 1;
	}
	return 0;
}

static int extract(struct archive *a, const char *dest)
{
	struct archive_entry *e;
	uint64_t total = 0;
	size_t entries = 0;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name)
			return gf_err_set(GF_EINVALID, "tar entry without a path");
		if (++entries > CLOUD_RELEASE_MAX_ENTRIES)
			return gf_err_set(
			        GF_ETOOBIG,
			        "the archive has more than %d entries, the most a release "
			        "may hold",
			        CLOUD_RELEASE_MAX_ENTRIES);
		/* Checked from the header, before a byte is written: a sparse or
		 * highly compressed entry can claim far more than the upload. */
		la_int64_t declared = archive_entry_size(e);
		if (declared < 0 || (uint64_t)declared > CLOUD_RELEASE_MAX_BYTES - total)
			return gf_err_set(
			        GF_ETOOBIG,
			        "tar entry \"%s\" (%lld bytes): the release would unpack to "
			        "more than %llu MiB, the most a release may hold",
			        name, (long long)declared,
			        (unsigned long long)(CLOUD_RELEASE_MAX_BYTES >> 20));
		total += (uint64_t)declared;
		int c = check_path(name);
		if (c < 0)
			return c;
		if (c > 0)
			continue;
		if (gf_str_has_prefix(name, "./"))
			name += 2;
		char *full = gf_path_join(dest, name);
		mode_t type = archive_entry_filetype(e);
		int rc = 0;
		char *parent = gf_xstrdup(full);
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if ((rc = gf_fs_mkdirs(parent, 0755)) < 0) {
			free(parent);
			free(full);
			return rc;
		}
		free(parent);
		if (archive_entry_hardlink(e)) {
			rc = gf_err_set(GF_EINVALID, "tar entry \"%s\": hard links are not allowed",
			                name);
		} else if (type == AE_IFDIR) {
			if (mkdir(full, 0755) != 0 && errno != EEXIST)
				rc = gf_err_errno("cannot create %s", name);
		} else if (type == AE_IFLNK) {
			const char *t = archive_entry_symlink(e);
			if (!t || *t == '/' || strstr(t, ".."))
				rc = gf_err_set(GF_EINVALID,
				                "tar entry \"%s\": a symlink must point inside the "
				                "release with a relative path",
				                name);
			else if (symlink(t, full) != 0)
				rc = gf_err_errno("cannot create symlink %s", name);
		} else if (type == AE_IFREG) {
			mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
			int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
			if (fd < 0) {
				rc = gf_err_errno("cannot create %s", name);
			} else {
				const void *buf;
				size_t size;
				la_int64_t off;
				while ((r = archive_read_data_block(a, &buf, &size, &off)) ==
				       ARCHIVE_OK) {
					if (off < 0 || size > (uint64_t)declared ||
					    (uint64_t)off > (uint64_t)declared - size) {
						rc = gf_err_set(
						        GF_EINVALID,
						        "tar entry \"%s\": data beyond its size",
						        name);
						break;
					}
					if (pwrite(fd, buf, size, off) != (ssize_t)size) {
						rc = gf_err_errno("cannot write %s", name);
						break;
					}
				}
				if (rc == 0 && r != ARCHIVE_EOF)
					rc = gf_err_set(GF_EINVALID, "tar entry \"%s\": %s", name,
					                archive_error_string(a));
				if (rc == 0 && ftruncate(fd, declared) != 0)
					rc = gf_err_errno("cannot write %s", name);
				if (rc == 0 && fsync(fd) != 0)
					rc = gf_err_errno("cannot write %s", name);
				close(fd);
			}
		} else {
			rc = gf_err_set(GF_EINVALID,
			                "tar entry \"%s\": only files, directories and symlinks "
			                "may be in a release",
			                name);
		}
		free(full);
		if (rc < 0)
			return rc;
	}
	if (r != ARCHIVE_EOF)
		return gf_err_set(GF_EINVALID, "not a valid tar archive: %s",
		                  archive_error_string(a));
	return 0;
}

/* Before publishing: files read-only, so that nothing changes a release by
 * accident, and directories synced (the files were as they were written),
 * so that after a power loss the renamed release is whole, not a directory
 * of missing entries (cloud.h, invariant 4). */
static int seal(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		chmod(path, st->st_mode & 0555);
	if (flag != FTW_D)
		return 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) != 0 ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

int cloud_release_unpack(const char *releases_dir, const char *sha256, const void *tar, size_t len)
{
	if (!cloud_is_sha256(sha256))
		return gf_err_set(GF_EINVALID,
		                  "\"%s\" is not a release id: expected 64 lowercase hex digits",
		                  sha256);
	char *final = gf_path_join(releases_dir, sha256);
	char *tmp = NULL;
	struct archive *a = NULL;
	int rc = 0;
	if (gf_fs_is_dir(final)) {
		rc = gf_err_set(GF_EEXISTS, "release %s exists", sha256);
		goto done;
	}
	if ((rc = gf_fs_mkdirs(releases_dir, 0755)) < 0)
		goto done;
	tmp = gf_xasprintf("%s/" TMP_PREFIX "%d-%lld", releases_dir, (int)getpid(),
	                   (long long)gf_wall_ms());
	if (mkdir(tmp, 0755) != 0) {
		rc = gf_err_errno("cannot create %s", tmp);
		goto done;
	}
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK) {
		rc = gf_err_set(GF_EINVALID, "not a valid tar archive: %s",
		                archive_error_string(a));
		goto done;
	}
	if ((rc = extract(a, tmp)) < 0)
		goto done;
	char got[CLOUD_SHA256_HEX];
	if ((rc = cloud_release_hash_dir(got, tmp)) < 0)
		goto done;
	if (strcmp(got, sha256) != 0) {
		rc = gf_err_set(GF_EINVALID,
		                "the archive's content hashes to %s, not %s: compute the id as "
		                "docs/releases.md says, or upload the right archive",
		                got, sha256);
		goto done;
	}
	if (nftw(tmp, seal, 16, FTW_PHYS) != 0) {
		rc = gf_err_errno("cannot sync the release %s before publishing it", sha256);
		goto done;
	}
	if (rename(tmp, final) != 0) {
		if (errno == ENOTEMPTY || errno == EEXIST)
			rc = gf_err_set(GF_EEXISTS, "release %s exists", sha256);
		else
			rc = gf_err_errno("cannot publish release %s", sha256);
		goto done;
	}
	/* The rename must survive a crash before anyone refers to it. */
	int dfd = open(releases_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
done:
	if (a)
		archive_read_free(a);
	if (tmp && rc < 0)
		remove_tree(tmp);
	free(tmp);
	free(final);
	return rc;
}

int cloud_release_gc(const char *releases_dir, const char *const *keep, size_t nkeep, double grace)
{
	DIR *d = opendir(releases_dir);
	if (!d)
		return errno == ENOENT ? 0 : gf_err_errno("cannot read %s", releases_dir);
	int removed = 0, rc = 0;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		bool tmp = gf_str_has_prefix(e->d_name, TMP_PREFIX);
		if (!tmp && !cloud_is_sha256(e->d_name))
			continue;
		bool kept = false;
		for (size_t i = 0; i < nkeep && !kept; i++)
			kept = strcmp(keep[i], e->d_name) == 0;
		if (kept)
			continue;
		char *p = gf_path_join(releases_dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && difftime(now, st.st_mtime) >= grace) {
			if (remove_tree(p) == 0)
				removed++;
			else
				rc = GF_EIO;
		}
		free(p);
	}
	closedir(d);
	return rc < 0 ? rc : removed;
}
