/* Files: capped whole-file reads, durable atomic writes, directories, clocks. */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int gf_fs_read(gf_buf *out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return gf_err_set(GF_ENOTFOUND, "%s: no such file", path);
		return gf_err_errno("cannot open %s", path);
	}
	int rc = 0;
	size_t max = out->max ? out->max : SIZE_MAX / 2;
	/* A regular file gets one allocation of its size (and a byte more, to
	 * see the end) rather than a doubling series of copies: big files are
	 * read into memory that is touched once. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < max - out->len)
		rc = gf_buf_grow(out, (size_t)st.st_size + 1);
	while (rc == 0) {
		size_t room = out->cap > out->len + 1 ? out->cap - out->len - 1 : 0;
		size_t want = GF_MIN(room ? room : (size_t)65536, max - out->len);
		if (want == 0) {
			/* At the cap: fine if the file ends exactly here. */
			char probe;
			ssize_t n = read(fd, &probe, 1);
			if (n != 0)
				rc = gf_err_set(GF_ETOOBIG, "%s: file is larger than %zu bytes",
				                path, max);
			break;
		}
		if ((rc = gf_buf_grow(out, want)) != 0)
			break;
		ssize_t n = read(fd, out->ptr + out->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = gf_err_errno("cannot read %s", path);
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}
	close(fd);
	return rc;
}

/* gf_fs_read_arena for what is not a plain file of a stable size (a pipe, a
 * file growing while read) or is over the cap: the general reader, which
 * grows its buffer as it goes and reports the cap, then one copy. */
static int read_arena_slow(char **out, size_t *len, gf_arena *a, const char *path, size_t max)
{
	gf_buf b;
	gf_buf_init(&b, max);
	int rc = gf_fs_read(&b, path);
	if (rc == 0) {
		*len = b.len;
		*out = gf_arena_memdup(a, gf_buf_cstr(&b), b.len + 1);
	}
	gf_buf_dispose(&b);
	return rc;
}

int gf_fs_read_arena(char **out, size_t *len, gf_arena *a, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return gf_err_set(GF_ENOTFOUND, "%s: no such file", path);
		return gf_err_errno("cannot open %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size >= max) {
		close(fd);
		return read_arena_slow(out, len, a, path, max);
	}
	/* One byte more than the size: a file that grew since fstat fills it
	 * and is read again the slow way. */
	size_t want = (size_t)st.st_size + 1;
	char *p = gf_arena_alloc(a, want + 1);
	size_t got = 0;
	int rc = 0;
	while (got < want) {
		ssize_t n = read(fd, p + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = gf_err_errno("cannot read %s", path);
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (rc == 0 && got == want)
		return read_arena_slow(out, len, a, path, max);
	if (rc == 0) {
		p[got] = '\0'; /* arena memory is zeroed; this is for a file that shrank */
		*out = p;
		*len = got;
	}
	return rc;
}

static int fsync_dir_of(const char *path)
{
	char *copy = gf_xstrdup(path);
	const char *dir = dirname(copy);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (fd < 0 || fsync(fd) != 0)
		rc = gf_err_errno("cannot sync directory %s", dir);
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

static int write_all(int fd, const void *data, size_t len, const char *path)
{
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gf_err_errno("cannot write %s", path);
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* PATH.tmp-PID, renamed over PATH; `durable`: fsynced before, and the
 * directory after. */
static int write_renamed(const char *path, const void *data, size_t len, unsigned mode,
                         bool durable)
{
	char *tmp = gf_xasprintf("%s.tmp-%ld", path, (long)getpid());
	int rc = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		rc = gf_err_errno("cannot create %s", tmp);
		goto done;
	}
	rc = write_all(fd, data, len, tmp);
	if (rc == 0 && durable && fsync(fd) != 0)
		rc = gf_err_errno("cannot sync %s", tmp);
	if (close(fd) != 0 && rc == 0)
		rc = gf_err_errno("cannot close %s", tmp);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = gf_err_errno("cannot rename %s to %s", tmp, path);
	if (rc != 0)
		unlink(tmp);
	else if (durable)
		rc = fsync_dir_of(path);
done:
	free(tmp);
	return rc;
}

int gf_fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_renamed(path, data, len, mode, true);
}

int gf_fs_write_replace(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_renamed(path, data, len, mode, false);
}

int gf_fs_write_scratch(const char *path, const void *data, size_t len, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return gf_err_errno("cannot create %s", path);
	int rc = write_all(fd, data, len, path);
	if (close(fd) != 0 && rc == 0)
		rc = gf_err_errno("cannot close %s", path);
	return rc;
}

int gf_fs_mkdirs(const char *path, unsigned mode)
{
	char *p = gf_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
			rc = gf_err_errno("cannot create directory %s", p);
			break;
		}
		*s = saved;
		if (saved == '\0')
			break;
	}
	if (rc == 0 && !gf_fs_is_dir(path))
		rc = gf_err_set(GF_EEXISTS, "%s exists and is not a directory", path);
	free(p);
	return rc;
}

bool gf_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool gf_fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

char *gf_path_join(const char *a, const char *b)
{
	if (!*a)
		return gf_xstrdup(b);
	if (*b == '/')
		b++;
	size_t n = strlen(a);
	return gf_xasprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

double gf_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t gf_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
