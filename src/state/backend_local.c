/*
 * The local backend: a state file, written atomically with the previous
 * content kept in PATH.backup, and a lock taken with an open-file-description
 * fcntl lock (F_OFD_SETLK) on DIR/.NAME.lock.info, which holds Terraform's
 * LockInfo JSON while the lock is held. The kernel drops the lock when its
 * holder dies, so a crashed process never leaves the state locked; a stale
 * info file left behind is overwritten by the next locker.
 */
#include "state/state.h"
#include "state/state_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	char *path;      /* the state file */
	char *info_path; /* .NAME.lock.info beside it */
	int fd;          /* the lock file while b holds the lock, else -1 */
	bool backed_up;  /* the previous content was saved by this backend */
} local;

static int local_get(state_backend *b, gf_buf *out, bool *found)
{
	local *l = b->impl;
	int rc = gf_fs_read(out, l->path);
	*found = rc == 0;
	if (rc == GF_ENOTFOUND) {
		gf_err_clear();
		return 0;
	}
	if (rc == GF_ETOOBIG)
		return gf_err_set(rc, "%s: the state file is too large", l->path);
	return rc;
}

static int local_put(state_backend *b, const char *data, size_t len)
{
	local *l = b->impl;
	if (!l->backed_up) {
		gf_buf old = GF_BUF_INIT;
		int rc = gf_fs_read(&old, l->path);
		if (rc == 0) {
			char *backup = gf_xasprintf("%s.backup", l->path);
			rc = gf_fs_write_atomic(backup, old.ptr ? old.ptr : "", old.len, 0644);
			free(backup);
		} else if (rc == GF_ENOTFOUND) {
			rc = 0;
		}
		gf_buf_dispose(&old);
		if (rc < 0)
			return rc;
		l->backed_up = true;
	}
	return gf_fs_write_atomic(l->path, data, len, 0644);
}

static int local_del(state_backend *b)
{
	local *l = b->impl;
	if (unlink(l->path) < 0 && errno != ENOENT)
		return gf_err_errno("cannot remove %s", l->path);
	return 0;
}

static int read_info(state_lock_info *out, const char *path)
{
	gf_buf b = GF_BUF_INIT;
	int rc = gf_fs_read(&b, path);
	memset(out, 0, sizeof(*out));
	if (rc == 0 && b.len)
		rc = state_lock_info_parse(out, b.ptr, b.len);
	gf_buf_dispose(&b);
	return rc;
}

static struct flock write_lock(short type)
{
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fl;
}

static int local_lock(state_backend *b, const state_lock_info *li, state_lock_info *holder)
{
	local *l = b->impl;
	for (int attempt = 0; attempt < 8; attempt++) {
		int fd = open(l->info_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return gf_err_errno("cannot open the lock file %s", l->info_path);
		struct flock fl = write_lock(F_WRLCK);
		if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
			int e = errno;
			close(fd);
			if (e != EAGAIN && e != EACCES) {
				errno = e;
				return gf_err_errno("cannot lock %s", l->info_path);
			}
			read_info(holder, l->info_path);
			return gf_err_set(GF_ELOCKED, "%s is locked by another process (%s)",
			                  l->path, holder->who[0] ? holder->who : "unknown");
		}
		/* The file may have been removed by an unlocker between our open
		 * and our lock: then the lock is on a dead inode; start again. */
		struct stat a, p;
		if (fstat(fd, &a) < 0 || stat(l->info_path, &p) < 0 || a.st_ino != p.st_ino ||
		    a.st_dev != p.st_dev) {
			close(fd);
			continue;
		}
		json_t *j = state_lock_info_to_json(li);
		char *text = json_dumps(j, JSON_INDENT(2));
		json_decref(j);
		size_t n = strlen(text);
		int rc = 0;
		/* Not synced: the lock is the OFD lock, which a crash releases
		 * anyway; the file only names its holder while the holder lives. */
		if (ftruncate(fd, 0) < 0 || pwrite(fd, text, n, 0) != (ssize_t)n)
			rc = gf_err_errno("cannot write the lock info %s", l->info_path);
		free(text);
		if (rc < 0) {
			close(fd);
			return rc;
		}
		l->fd = fd;
		return 0;
	}
	return gf_err_set(GF_ERROR, "cannot lock %s: the lock file keeps changing", l->info_path);
}

static int local_unlock(state_backend *b, const char *id, bool force)
{
	local *l = b->impl;
	if (l->fd >= 0 && b->locked && strcmp(id, b->lock.id) == 0) {
		unlink(l->info_path);
		close(l->fd);
		l->fd = -1;
		return 0;
	}
	/* Another process's lock: fcntl locks die with their holder, so a
	 * live holder cannot be unlocked from here (as in Terraform). */
	state_lock_info info;
	int fd = open(l->info_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return gf_err_set(GF_ENOTFOUND, "%s is not locked", l->path);
	struct flock fl = write_lock(F_WRLCK);
	bool held = fcntl(fd, F_OFD_SETLK, &fl) < 0;
	read_info(&info, l->info_path);
	int rc = 0;
	if (held)
		rc = gf_err_set(GF_ELOCKED,
		                "%s is locked by a running process (%s, lock ID %s); local state "
		                "cannot be unlocked by another process: stop that process or wait "
		                "for it to finish",
		                l->path, info.who[0] ? info.who : "unknown", info.id);
	else if (!force && strcmp(info.id, id) != 0)
		rc = gf_err_set(GF_EINVALID, "%s: lock ID \"%s\" does not match the lock \"%s\"",
		                l->path, id, info.id);
	else if (force && info.id[0] && strcmp(info.id, id) != 0)
		rc = gf_err_set(GF_EINVALID,
		                "%s: lock ID \"%s\" does not match the existing lock ID \"%s\"",
		                l->path, id, info.id);
	else
		unlink(l->info_path);
	close(fd);
	return rc;
}

static void local_free(state_backend *b)
{
	local *l = b->impl;
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l->info_path);
	free(l);
}

static const state_backend_ops local_ops = {
        local_get, local_put, local_del, local_lock, local_unlock, local_free,
};

int state_backend_local_open(state_backend *b, const json_t *config, const char *dir)
{
	static const char *const known[] = {"path", NULL};
	const char *path = NULL;
	int rc;
	if ((rc = state_config_check(config, "local", known)) < 0 ||
	    (rc = state_config_string(&path, config, "local", "path")) < 0)
		return rc;
	if (!path || !*path)
		path = STATE_DEFAULT_PATH;
	local *l = gf_xcalloc(1, sizeof(*l));
	l->fd = -1;
	l->path = path[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0
	                  ? gf_xstrdup(path)
	                  : gf_path_join(dir, path);
	char *d = gf_xstrdup(l->path), *f = gf_xstrdup(l->path);
	char *name = gf_xasprintf(".%s.lock.info", basename(f));
	l->info_path = gf_path_join(dirname(d), name);
	free(name);
	free(d);
	free(f);
	b->impl = l;
	b->ops = &local_ops;
	b->type = "local";
	b->describe = gf_xstrdup(l->path);
	b->lock_path = gf_xstrdup(l->path);
	return 0;
}
