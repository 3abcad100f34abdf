/* The tar of a launch template's source directory, for upload when the
 * daemon does not have the release yet. Only what the release hash
 * covers goes in (docs/releases.md): directories, regular files with
 * their executable bit, symlinks. */
#include "provider/provider_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static la_ssize_t write_cb(struct archive *ar, void *payload, const void *buf, size_t len)
{
	gf_buf *out = payload;
	if (gf_buf_put(out, buf, len) < 0) {
		archive_set_error(ar, ENOMEM, "release archive too large");
		return -1;
	}
	return (la_ssize_t)len;
}

static int add_tree(struct archive *ar, const char *root, const char *rel)
{
	char *dirpath = *rel ? gf_path_join(root, rel) : gf_xstrdup(root);
	DIR *d = opendir(dirpath);
	int rc = 0;
	if (!d) {
		rc = gf_err_errno("cannot read directory %s", dirpath);
		free(dirpath);
		return rc;
	}
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *r = *rel ? gf_xasprintf("%s/%s", rel, de->d_name) : gf_xstrdup(de->d_name);
		char *full = gf_path_join(root, r);
		struct stat st;
		struct archive_entry *e = archive_entry_new();
		if (lstat(full, &st) < 0) {
			rc = gf_err_errno("cannot stat %s", full);
			goto next;
		}
		archive_entry_set_pathname(e, r);
		archive_entry_set_mtime(e, 0, 0);
		if (S_ISDIR(st.st_mode)) {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(full, target, sizeof(target) - 1);
			if (n < 0) {
				rc = gf_err_errno("cannot read link %s", full);
				goto next;
			}
			target[n] = 0;
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, target);
		} else if (S_ISREG(st.st_mode)) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, (st.st_mode & 0111) ? 0755 : 0644);
			archive_entry_set_size(e, st.st_size);
		} else {
			rc = gf_err_set(GF_EINVALID,
			                "%s is not a regular file, directory or symlink: a release "
			                "cannot hold it",
			                full);
			goto next;
		}
		if (archive_write_header(ar, e) != ARCHIVE_OK) {
			rc = gf_err_set(GF_ERROR, "tar of %s: %s", full, archive_error_string(ar));
			goto next;
		}
		if (S_ISREG(st.st_mode)) {
			gf_buf content = GF_BUF_INIT;
			if ((rc = gf_fs_read(&content, full)) == 0 &&
			    archive_write_data(ar, content.ptr ? content.ptr : "", content.len) < 0)
				rc = gf_err_set(GF_ERROR, "tar of %s: %s", full,
				                archive_error_string(ar));
			gf_buf_dispose(&content);
		}
		if (rc == 0 && S_ISDIR(st.st_mode))
			rc = add_tree(ar, root, r);
	next:
		archive_entry_free(e);
		free(full);
		free(r);
	}
	closedir(d);
	free(dirpath);
	return rc;
}

int pvi_release_tar(gf_buf *out, const char *dir)
{
	struct archive *ar = archive_write_new();
	archive_write_set_format_pax_restricted(ar);
	archive_write_set_bytes_in_last_block(ar, 1);
	int rc = 0;
	if (archive_write_open(ar, out, NULL, write_cb, NULL) != ARCHIVE_OK) {
		rc = gf_err_set(GF_ERROR, "tar: %s", archive_error_string(ar));
		goto done;
	}
	rc = add_tree(ar, dir, "");
	if (archive_write_close(ar) != ARCHIVE_OK && rc == 0)
		rc = gf_err_set(GF_ERROR, "tar: %s", archive_error_string(ar));
done:
	archive_write_free(ar);
	return rc;
}
