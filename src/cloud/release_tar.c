/* The tar archive of a release directory, as PUT /v1/releases/{sha256}
 * takes it (cloud.h): what the IaC provider uploads when the daemon lacks a
 * release.
 *
 * Written here rather than with libarchive, which still reads every upload
 * on the daemon's side (untrusted input, every tar dialect): what we write
 * is one small, fixed dialect, POSIX ustar headers with a pax extended
 * header only for a path, a link target or a size that does not fit in
 * them. Loading libarchive and the fifteen libraries it needs took an
 * apply about 10 ms of CPU, as much as starting the whole process, on the
 * path of every push that changes a site (docs/benchmarks.md, "Push to
 * live"). tests/unit/test_cloud_release.c reads what this writes with
 * libarchive, through the daemon's own unpacking.
 *
 * Only what the release hash covers goes in (docs/releases.md):
 * directories, regular files with their executable bit (mode 644 or 755),
 * symlinks; owner 0, mtime 0. */
#include "cloud/cloud.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 512

/* The ustar header fields used here: offset and width. */
enum {
	NAME = 0,
	NAME_LEN = 100,
	MODE = 100,
	UID = 108,
	GID = 116,
	SIZE = 124,
	SIZE_LEN = 12,
	MTIME = 136,
	CHKSUM = 148,
	TYPEFLAG = 156,
	LINKNAME = 157,
	LINKNAME_LEN = 100,
	MAGIC = 257,
	DEVMAJOR = 329,
	DEVMINOR = 337,
	PREFIX = 345,
	PREFIX_LEN = 155,
};

/* `v` in octal, zero-padded, in a field of `width` bytes ending in NUL. */
static void put_octal(char *field, size_t width, uint64_t v)
{
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

/* Whether `v` fits a field of `width` bytes (width - 1 octal digits). */
static bool octal_fits(uint64_t v, size_t width)
{
	return v >> (3 * (width - 1)) == 0;
}

/* Where to split `path` into a ustar prefix and name: the index of the '/'
 * between them, 0 when the name alone holds it, -1 when neither does. */
static long split_at(const char *path)
{
	size_t len = strlen(path);
	if (len <= NAME_LEN)
		return 0;
	for (size_t i = 1; i < len - 1 && i <= PREFIX_LEN; i++)
		if (path[i] == '/' && len - i - 1 <= NAME_LEN)
			return (long)i;
	return -1;
}

/* Appends `n` bytes, then zeros up to the next block boundary. */
static int put_padded(gf_buf *out, const void *data, size_t n)
{
	static const char zeros[BLOCK];
	int rc = n ? gf_buf_put(out, data, n) : 0;
	if (rc == 0 && n % BLOCK)
		rc = gf_buf_put(out, zeros, BLOCK - n % BLOCK);
	return rc;
}

/* One pax record, "LEN KEY=VALUE\n", where LEN counts the whole record,
 * its own digits included. */
static int pax_record(gf_buf *pax, const char *key, const char *value)
{
	size_t base = strlen(key) + strlen(value) + 3, len = base + 1;
	for (;;) {
		size_t digits = (size_t)snprintf(NULL, 0, "%zu", len);
		if (base + digits == len)
			break;
		len = base + digits;
	}
	return gf_buf_printf(pax, "%zu %s=%s\n", len, key, value);
}

/* The header block(s) of one entry: a pax extended header first when the
 * path, the link target or the size does not fit the ustar fields. */
static int put_header(gf_buf *out, const char *path, char type, unsigned mode, uint64_t size,
                      const char *link)
{
	char h[BLOCK];
	long split = split_at(path);
	bool long_link = link && strlen(link) > LINKNAME_LEN;
	bool big = !octal_fits(size, SIZE_LEN);
	int rc = 0;
	if (split < 0 || long_link || big) {
		gf_buf pax = GF_BUF_INIT;
		if (split < 0)
			rc = pax_record(&pax, "path", path);
		if (rc == 0 && long_link)
			rc = pax_record(&pax, "linkpath", link);
		if (rc == 0 && big) {
			char num[32];
			snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
			rc = pax_record(&pax, "size", num);
		}
		if (rc == 0)
			rc = put_header(out, "././@PaxHeader", 'x', 0644, pax.len, NULL);
		if (rc == 0)
			rc = put_padded(out, pax.ptr, pax.len);
		gf_buf_dispose(&pax);
		if (rc < 0)
			return rc;
	}
	memset(h, 0, sizeof(h));
	/* Where a pax record holds the real value, the field holds a
	 * truncated one, as readers without pax would show it. */
	if (split > 0) {
		memcpy(h + PREFIX, path, (size_t)split);
		memcpy(h + NAME, path + split + 1, strlen(path + split + 1));
	} else {
		memcpy(h + NAME, path, GF_MIN(strlen(path), (size_t)NAME_LEN));
	}
	put_octal(h + MODE, 8, mode);
	put_octal(h + UID, 8, 0);
	put_octal(h + GID, 8, 0);
	put_octal(h + SIZE, SIZE_LEN, big ? 0 : size);
	put_octal(h + MTIME, 12, 0);
	h[TYPEFLAG] = type;
	if (link)
		memcpy(h + LINKNAME, link, GF_MIN(strlen(link), (size_t)LINKNAME_LEN));
	memcpy(h + MAGIC,
	       "ustar\0"
	       "00",
	       8);
	put_octal(h + DEVMAJOR, 8, 0);
	put_octal(h + DEVMINOR, 8, 0);
	/* The checksum: the sum of the header's bytes, its own field counted
	 * as eight spaces; six octal digits, NUL, space. */
	memset(h + CHKSUM, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	put_octal(h + CHKSUM, 7, sum);
	h[CHKSUM + 7] = ' ';
	return gf_buf_put(out, h, BLOCK);
}

static int add_tree(gf_buf *out, const char *root, const char *rel)
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
		if (lstat(full, &st) < 0) {
			rc = gf_err_errno("cannot stat %s", full);
		} else if (S_ISDIR(st.st_mode)) {
			char *name = gf_xasprintf("%s/", r);
			rc = put_header(out, name, '5', 0755, 0, NULL);
			free(name);
			if (rc == 0)
				rc = add_tree(out, root, r);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(full, target, sizeof(target) - 1);
			if (n < 0) {
				rc = gf_err_errno("cannot read link %s", full);
			} else {
				target[n] = '\0';
				rc = put_header(out, r, '2', 0777, 0, target);
			}
		} else if (S_ISREG(st.st_mode)) {
			gf_buf content = GF_BUF_INIT;
			if ((rc = gf_fs_read(&content, full)) == 0)
				rc = put_header(out, r, '0', (st.st_mode & 0111) ? 0755 : 0644,
				                content.len, NULL);
			if (rc == 0)
				rc = put_padded(out, content.ptr, content.len);
			gf_buf_dispose(&content);
		} else {
			rc = gf_err_set(GF_EINVALID,
			                "%s is not a regular file, directory or symlink: a release "
			                "cannot hold it",
			                full);
		}
		if (rc == GF_ETOOBIG)
			rc = gf_err_set(GF_ETOOBIG, "the release archive of %s is too large", root);
		free(full);
		free(r);
	}
	closedir(d);
	free(dirpath);
	return rc;
}

int cloud_release_tar(gf_buf *out, const char *dir)
{
	static const char end[2 * BLOCK];
	int rc = add_tree(out, dir, "");
	/* The end of the archive: two zero blocks. */
	return rc < 0 ? rc : gf_buf_put(out, end, sizeof(end));
}
