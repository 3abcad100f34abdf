/*
 * Where builds run, and as whom (docs/pipeline.md, "Isolation").
 *
 * The build user. A daemon never runs a build as root: builds run as
 * --build-user (default gitfleet-build), resolved once when the pipeline
 * opens, when the daemon can switch users — it is root, or it holds the
 * capabilities of PL_BUILD_CAPS (a non-root daemon of the systemd unit,
 * given them as ambient capabilities). What they are for:
 *
 *   CAP_SETUID, CAP_SETGID  the build's shell becomes the build user and
 *                           drops the daemon's groups (libuv, in the child)
 *   CAP_CHOWN               hand over the checkout, $HOME, $TMPDIR, the
 *                           command files and the shell's script pipe
 *   CAP_KILL                signal the build's process group (timeout, stop)
 *   CAP_DAC_OVERRIDE        read artifacts from, and remove, trees that the
 *                           build user owns and may have made 0700 or 0000
 *   CAP_FOWNER              remove files in a sticky directory a build made
 *
 * The daemon keeps them to itself: pipeline_caps_confine clears its
 * ambient and inheritable sets at start, so every program it starts
 * (builds, instances, git) begins with none. If the user does not exist
 * the daemon still serves the cloud, says so in its log, and every build
 * ends FAULT with the same message: never a silent fallback to root. A
 * daemon that is neither root nor holds the capabilities runs builds as
 * itself, and says at start, once, how to change that.
 *
 * The workspaces. The daemon's home is 0700 and holds the trusted admin
 * socket, the API token and the inventory, so builds live elsewhere, in
 * the build directory (--build-dir, default HOME-builds):
 *
 *   <build-dir>/                 daemon's, 0711: the build user may pass, not list
 *     build.sock                 the token-only API socket of builds, 0666
 *     <project>/<number>/        daemon's, 0711
 *       scratch/                 daemon's, group of the build user, 0750:
 *                                the runner's command files (pipeline.h),
 *                                each given to that group (no setgid bit:
 *                                systemd's RestrictSUIDSGID forbids it);
 *                                the build may read them, never replace them
 *       src/ home/ tmp/          the build user's, 0700: the checkout, $HOME,
 *                                $TMPDIR
 *
 * A workspace is removed when its build ends (the log and artifacts stay
 * in the home), and the whole build directory is emptied when the pipeline
 * opens (a crashed daemon's builds cannot be resumed).
 *
 * Files the build user controls are handled with privilege, so every walk here
 * goes through directory descriptors opened with O_NOFOLLOW (the walk
 * below): a symbolic link planted by a build is never followed, whether it
 * names a file outside the workspace or replaces a directory during the
 * walk. Removal, the hand-over of a checkout and the artifact copy all use
 * that one walk.
 */
#include "pipeline/service_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WALK_MAX_DEPTH 256

/* ---- the build user ------------------------------------------------------------------ */

static const struct {
	int cap;
	const char *name;
} build_caps[] = {{CAP_SETUID, "CAP_SETUID"},
                  {CAP_SETGID, "CAP_SETGID"},
                  {CAP_CHOWN, "CAP_CHOWN"},
                  {CAP_KILL, "CAP_KILL"},
                  {CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"},
                  {CAP_FOWNER, "CAP_FOWNER"}};

/* The calling process's capability sets (capget(2): no libcap needed). */
static int caps_get(struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	memset(d, 0, sizeof(*d) * _LINUX_CAPABILITY_U32S_3);
	return (int)syscall(SYS_capget, &h, d);
}

size_t pl_build_caps_missing(char *out, size_t n)
{
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	bool known = caps_get(d) == 0;
	size_t missing = 0, o = 0;
	if (n)
		out[0] = '\0';
	for (size_t i = 0; i < GF_ARRAY_LEN(build_caps); i++) {
		int c = build_caps[i].cap;
		if (known && (d[CAP_TO_INDEX(c)].effective & CAP_TO_MASK(c)))
			continue;
		missing++;
		if (o < n) {
			int k = snprintf(out + o, n - o, "%s%s", o ? " " : "", build_caps[i].name);
			o += k > 0 ? (size_t)k : 0;
		}
	}
	return missing;
}

void pipeline_caps_confine(void)
{
	/* Clearing the ambient set needs no privilege; kernels before 4.3
	 * have none (EINVAL). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		gf_log(GF_LOG_WARN, "cannot clear the ambient capabilities", "error=%s",
		       GF_LOG_QUOTED(strerror(errno)));
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	if (caps_get(d) != 0)
		return;
	bool any = false;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		any |= d[i].inheritable != 0;
		d[i].inheritable = 0;
	}
	if (any && syscall(SYS_capset, &h, d) != 0)
		gf_log(GF_LOG_WARN, "cannot clear the inheritable capabilities", "error=%s",
		       GF_LOG_QUOTED(strerror(errno)));
}

/* A daemon that cannot switch users runs builds as itself. */
static void resolve_self(pl_build_user *u, const char *name, const char *missing)
{
	struct passwd *pw = getpwuid(geteuid());
	u->uid = geteuid();
	u->gid = getegid();
	if (pw)
		snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	else
		snprintf(u->name, sizeof(u->name), "uid %ld", (long)u->uid);
	gf_log(GF_LOG_WARN,
	       "builds run as the daemon's own user and can reach its home: run the daemon "
	       "as root, or give it the capabilities it lacks (contrib/systemd/gitfleet.service "
	       "does), to run them as the build user",
	       "runs_as=%s build_user=%s missing=%s", GF_LOG_QUOTED(u->name),
	       name && *name ? name : PIPELINE_BUILD_USER_DEFAULT, GF_LOG_QUOTED(missing));
}

void pl_build_user_resolve(pl_build_user *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	char missing[256];
	if (geteuid() != 0 && pl_build_caps_missing(missing, sizeof(missing)) > 0) {
		resolve_self(u, name, missing);
		return;
	}
	const char *want = name && *name ? name : PIPELINE_BUILD_USER_DEFAULT;
	struct passwd *pw = getpwnam(want);
	if (!pw) {
		snprintf(
		        u->err, sizeof(u->err),
		        "builds run as a user of their own, but the build user \"%s\" "
		        "does not exist: create it (useradd --system --user-group --no-create-home "
		        "--shell /usr/sbin/nologin %s) or start the daemon with --build-user NAME",
		        want, want);
		return;
	}
	if (pw->pw_uid == 0) {
		snprintf(u->err, sizeof(u->err),
		         "--build-user %s is uid 0: builds never run as root; choose an "
		         "unprivileged user",
		         want);
		return;
	}
	if (pw->pw_uid == geteuid()) {
		snprintf(u->err, sizeof(u->err),
		         "--build-user %s is the daemon's own user: builds would reach its home; "
		         "choose another user",
		         want);
		return;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->drop = true;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
}

/* Does (uid, gid) have `want` (R_OK/W_OK/X_OK bits) on st? */
static bool may(const pl_build_user *u, const struct stat *st, int want)
{
	if (!u->drop)
		return true; /* the daemon's own user: its files */
	int bits = st->st_uid == u->uid   ? (int)(st->st_mode >> 6)
	           : st->st_gid == u->gid ? (int)(st->st_mode >> 3)
	                                  : (int)st->st_mode;
	return (bits & want) == want;
}

int pl_build_user_can_reach(const pl_build_user *u, const char *path, int want, char *why, size_t n)
{
	char *real = realpath(path, NULL);
	if (!real) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return GF_ENOTFOUND;
	}
	int rc = 0;
	struct stat st;
	for (char *s = real + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		bool last = saved == '\0';
		if (stat(real, &st) != 0) {
			snprintf(why, n, "%s: %s", real, strerror(errno));
			rc = GF_EIO;
			break;
		}
		/* Directories: search; the end: what the caller wants. */
		if (!may(u, &st, last ? want : X_OK)) {
			snprintf(why, n, "%s (mode %04o, owner %ld) does not let user %s %s it",
			         real, (unsigned)(st.st_mode & 07777), (long)st.st_uid, u->name,
			         !last          ? "pass through"
			         : want == X_OK ? "run"
			         : want & W_OK  ? "write to"
			                        : "read");
			rc = GF_EINVALID;
			break;
		}
		*s = saved;
		if (last)
			break;
	}
	free(real);
	return rc;
}

/* ---- the walk ----------------------------------------------------------------------------- */

/* Called for every entry below the root, directories after their
 * contents. `dfd` is the directory holding `name`; `rel` its path from the
 * root; `st` from fstatat without following links. */
typedef int (*walk_fn)(int dfd, const char *name, const char *rel, const struct stat *st,
                       void *payload);

static int walk_dir(int fd, gf_buf *rel, int depth, walk_fn fn, void *payload)
{
	if (depth > WALK_MAX_DEPTH)
		return gf_err_set(GF_ETOOBIG, "%s: more than %d directories deep", gf_buf_cstr(rel),
		                  WALK_MAX_DEPTH);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return gf_err_errno("cannot read directory %s", gf_buf_cstr(rel));
	}
	int rc = 0;
	struct dirent *e;
	size_t base = rel->len;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		rel->len = base;
		if (base)
			gf_buf_putc(rel, '/');
		gf_buf_puts(rel, e->d_name);
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;
			rc = gf_err_errno("cannot stat %s", gf_buf_cstr(rel));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = gf_err_errno("cannot open directory %s", gf_buf_cstr(rel));
				break;
			}
			if ((rc = walk_dir(sub, rel, depth + 1, fn, payload)) < 0)
				break;
		}
		rc = fn(dirfd(d), e->d_name, gf_buf_cstr(rel), &st, payload);
	}
	rel->len = base;
	if (rel->ptr)
		rel->ptr[base] = '\0';
	closedir(d);
	return rc;
}

/* Walks the directory `path` itself opened without following a link at
 * its last component. */
static int walk(const char *path, walk_fn fn, void *payload)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : gf_err_errno("cannot open directory %s", path);
	gf_buf rel = GF_BUF_INIT;
	int rc = walk_dir(fd, &rel, 0, fn, payload);
	gf_buf_dispose(&rel);
	return rc;
}

/* ---- removal and hand-over ------------------------------------------------------------------ */

static int remove_one(int dfd, const char *name, const char *rel, const struct stat *st,
                      void *payload)
{
	(void)payload;
	if (unlinkat(dfd, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
		return gf_err_errno("cannot remove %s", rel);
	return 0;
}

int pl_tree_remove(const char *path)
{
	int rc = walk(path, remove_one, NULL);
	if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
		rc = gf_err_errno("cannot remove %s", path);
	return rc;
}

static int chown_one(int dfd, const char *name, const char *rel, const struct stat *st,
                     void *payload)
{
	const pl_build_user *u = payload;
	(void)st;
	if (fchownat(dfd, name, u->uid, u->gid, AT_SYMLINK_NOFOLLOW) != 0)
		return gf_err_errno("cannot hand %s to user %s", rel, u->name);
	return 0;
}

/* mkdir + owner + mode, failing if something else is there. */
static int make_dir(const char *path, uid_t uid, gid_t gid, unsigned mode, bool chown_it)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return gf_err_errno("cannot create directory %s", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return gf_err_errno("cannot open directory %s", path);
	/* The mode first, while the directory is the daemon's: changing the
	 * mode of another user's file would need CAP_FOWNER. */
	int rc = 0;
	if (fchmod(fd, (mode_t)mode) != 0 || (chown_it && fchown(fd, uid, gid) != 0))
		rc = gf_err_errno("cannot set the owner or mode of %s", path);
	close(fd);
	return rc;
}

int pl_workspace_create(const pl_build_user *u, const char *ws)
{
	char *parent = gf_xstrdup(ws);
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	/* The project's folder: explicit mode, whatever the daemon's umask. */
	int rc = gf_fs_mkdirs(parent, 0711);
	if (rc == 0)
		rc = make_dir(parent, 0, 0, 0711, false);
	free(parent);
	if (rc < 0)
		return rc;
	/* A stale workspace of the same number (a crash) goes first. */
	if ((rc = pl_tree_remove(ws)) < 0 || (rc = make_dir(ws, 0, 0, 0711, false)) < 0)
		return rc;
	static const char *const own[] = {"home", "tmp"};
	char *scratch = gf_path_join(ws, "scratch");
	rc = make_dir(scratch, geteuid(), u->gid, 0750, u->drop);
	free(scratch);
	for (size_t i = 0; rc == 0 && i < GF_ARRAY_LEN(own); i++) {
		char *p = gf_path_join(ws, own[i]);
		rc = make_dir(p, u->uid, u->gid, 0700, u->drop);
		free(p);
	}
	return rc;
}

int pl_workspace_give(const pl_build_user *u, const char *dir)
{
	if (!u->drop)
		return 0;
	int rc = walk(dir, chown_one, (void *)u);
	if (rc == 0 && (chmod(dir, 0700) != 0 || chown(dir, u->uid, u->gid) != 0))
		rc = gf_err_errno("cannot hand %s to user %s", dir, u->name);
	return rc;
}

/*
 * The daemon reads the buildspec from the checkout as root, before the
 * hand-over: a symbolic link in the commit (buildspec.yaml -> /etc/shadow,
 * or a directory of its path linked elsewhere) would make it read a file
 * the build user may not, or block on a FIFO. Each component is checked
 * without following links; nothing can change them in between, since no
 * process of the build exists yet and the tree is still the daemon's.
 */
int pl_workspace_plain_file(const char *root, const char *rel)
{
	gf_buf path = GF_BUF_INIT;
	gf_buf_puts(&path, root);
	int rc = 0;
	for (const char *c = rel; rc == 0 && *c;) {
		size_t n = strcspn(c, "/");
		int upto = (int)(c + n - rel);
		bool last = c[n] == '\0';
		gf_buf_putc(&path, '/');
		gf_buf_put(&path, c, n);
		struct stat st;
		if (lstat(gf_buf_cstr(&path), &st) != 0)
			rc = errno == ENOENT
			             ? gf_err_set(GF_ENOTFOUND, "%.*s: no such file", upto, rel)
			             : gf_err_errno("cannot read %.*s", upto, rel);
		else if (S_ISLNK(st.st_mode))
			rc = gf_err_set(GF_EINVALID,
			                "%.*s is a symbolic link: it must be a regular file of the "
			                "commit, not a link",
			                upto, rel);
		else if (last ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode))
			rc = gf_err_set(GF_EINVALID, "%.*s is not a %s", upto, rel,
			                last ? "regular file" : "directory");
		c += n;
		while (*c == '/')
			c++;
	}
	gf_buf_dispose(&path);
	return rc;
}

/* ---- artifacts --------------------------------------------------------------------------- */

/* Every regular file found: `rel` is its path below the walk's root, `fd`
 * open on it. */
typedef void (*artifact_fn)(const char *rel, int fd, void *payload);

typedef struct {
	artifact_fn fn;
	void *payload;
} art_walk;

static int art_one(int dfd, const char *name, const char *rel, const struct stat *st, void *payload)
{
	art_walk *a = payload;
	if (!S_ISREG(st->st_mode))
		return 0; /* links, devices, pipes are never artifacts */
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat now;
	if (fstat(fd, &now) == 0 && S_ISREG(now.st_mode))
		a->fn(rel, fd, a->payload);
	close(fd);
	return 0;
}

static int artifacts_walk(const char *src, const char *base_directory, artifact_fn fn,
                          void *payload)
{
	int fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return gf_err_errno("cannot open %s", src);
	/* base-directory one component at a time, none of them a link. */
	char *copy = gf_xstrdup(base_directory ? base_directory : "");
	int rc = 0;
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, ".."))
			continue;
		int sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
		if (fd < 0) {
			rc = gf_err_errno("artifacts.base-directory %s", base_directory);
			break;
		}
	}
	free(copy);
	if (rc < 0)
		return rc;
	gf_buf rel = GF_BUF_INIT;
	art_walk a = {fn, payload};
	rc = walk_dir(fd, &rel, 0, art_one, &a);
	gf_buf_dispose(&rel);
	return rc;
}

typedef struct {
	const pipeline_buildspec *spec;
	const char *dest;
	int copied;
} art_ctx;

/* Copies one file the workspace walk found (never through a link: the
 * files are the build user's, the copy is made by the daemon). */
static void art_visit(const char *rel, int fd, void *payload)
{
	art_ctx *a = payload;
	if (gf_str_has_prefix(rel, ".git/"))
		return;
	for (size_t i = 0; i < a->spec->nartifact_files; i++) {
		const char *pat = a->spec->artifact_files[i];
		/* `**` spans directories: then '*' may match '/' too. */
		int flags = strstr(pat, "**") ? 0 : FNM_PATHNAME;
		if (fnmatch(pat, rel, flags) != 0 &&
		    (strncmp(pat, "**/", 3) || fnmatch(pat + 3, rel, 0) != 0))
			continue;
		const char *slash = strrchr(rel, '/');
		const char *name = a->spec->discard_paths && slash ? slash + 1 : rel;
		char *to = gf_path_join(a->dest, name);
		char *dir = gf_xstrdup(to);
		gf_buf b;
		gf_buf_init(&b, (size_t)1 << 30);
		int rc = gf_buf_grow(&b, 65536);
		for (ssize_t n = 1; rc == 0 && n > 0;) {
			if ((rc = gf_buf_grow(&b, 65536)) < 0)
				break;
			n = read(fd, b.ptr + b.len, 65536);
			if (n < 0)
				rc = gf_err_errno("cannot read the artifact %s", rel);
			else
				b.len += (size_t)n;
		}
		if (rc == 0 && gf_fs_mkdirs(dirname(dir), 0755) == 0 &&
		    gf_fs_write_atomic(to, b.ptr ? b.ptr : "", b.len, 0644) == 0)
			a->copied++;
		gf_buf_dispose(&b);
		free(dir);
		free(to);
		return;
	}
}

int pl_artifacts_collect(const char *src, const pipeline_buildspec *spec, const char *dest)
{
	art_ctx a = {spec, dest, 0};
	int rc = artifacts_walk(src, spec->base_directory, art_visit, &a);
	return rc < 0 ? rc : a.copied;
}

/* ---- removal on the thread pool ----------------------------------------------------------- */

typedef struct {
	uv_work_t work;
	char *path;
	int rc;
	char err[400];
} ws_removal;

static void remove_work(uv_work_t *w)
{
	ws_removal *r = w->data;
	if ((r->rc = pl_tree_remove(r->path)) < 0)
		snprintf(r->err, sizeof(r->err), "%s", gf_err_msg());
}

static void remove_done(uv_work_t *w, int status)
{
	ws_removal *r = w->data;
	(void)status;
	if (r->rc < 0)
		gf_log(GF_LOG_WARN, "cannot remove a build workspace", "path=%s error=%s", r->path,
		       GF_LOG_QUOTED(r->err));
	free(r->path);
	free(r);
}

/* Removes a workspace on the thread pool: a build's tree may be large. */
void pl_workspace_remove_async(pipeline_service *ps, const char *path)
{
	ws_removal *r = gf_xcalloc(1, sizeof(*r));
	r->path = gf_xstrdup(path);
	r->work.data = r;
	uv_queue_work(ps->loop, &r->work, remove_work, remove_done);
}
