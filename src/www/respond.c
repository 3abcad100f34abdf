/* From a parsed request to a response head and a body source: lookup under
 * the root, conditionals, ranges, precompressed variants, error pages. */
#include "www/internal.h"

#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- opening files under the root -------------------------------------- */

/* Without openat2: the opened file's real path must be the root or below. */
static int check_beneath(const www_shared *s, int fd)
{
	char link[64], real[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n < 0)
		return -1;
	real[n] = '\0';
	size_t r = strlen(s->root_real);
	if (strncmp(real, s->root_real, r) != 0 || (real[r] != '\0' && real[r] != '/' && r > 1))
		return -1;
	return 0;
}

int www_open_beneath(const www_shared *s, const char *rel)
{
	const char *p = *rel ? rel : ".";
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	if (s->have_openat2) {
		struct open_how how = {
		        .flags = (uint64_t)flags,
		        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		return (int)syscall(SYS_openat2, s->root_fd, p, &how, sizeof(how));
	}
	int fd = openat(s->root_fd, p, flags);
	if (fd >= 0 && check_beneath(s, fd) != 0) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* ---- writing the head -------------------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
	bool overflow;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(outbuf *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(outbuf *o, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + n, sizeof(tmp) - n);
}

static void put_field(outbuf *o, const char *name, const char *value)
{
	puts_(o, name);
	put(o, ": ", 2);
	puts_(o, value);
	put(o, "\r\n", 2);
}

static const char *date_now(www_worker *w)
{
	time_t now = time(NULL);
	if (now != w->date_sec) {
		http_date_format(w->date, now);
		w->date_sec = now;
	}
	return w->date;
}

static outbuf head_start(www_worker *w, www_conn *c, int status)
{
	outbuf o = {c->io->out, 0, WWW_OUT_CAP, false};
	puts_(&o, "HTTP/1.1 ");
	put_u64(&o, (uint64_t)status);
	put(&o, " ", 1);
	puts_(&o, http_reason(status));
	puts_(&o, "\r\nServer: gitfleet\r\nDate: ");
	puts_(&o, date_now(w));
	put(&o, "\r\n", 2);
	return o;
}

/* Ends the head; on overflow (a Location too long) answers 414 instead. */
static void head_end(www_worker *w, www_conn *c, outbuf *o, int version)
{
	if (!c->keep_alive)
		puts_(o, "Connection: close\r\n");
	else if (version == 10)
		puts_(o, "Connection: keep-alive\r\n");
	put(o, "\r\n", 2);
	if (o->overflow) {
		www_respond_error(w, c, 414);
		return;
	}
	c->out_len = o->len;
	c->out_off = 0;
}

static void respond_status(www_worker *w, www_conn *c, int status, int version, bool head_only,
                           uint64_t size)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%d %s\n", status, http_reason(status));
	outbuf o = head_start(w, c, status);
	if (status == 405)
		puts_(&o, "Allow: GET, HEAD\r\n");
	if (status == 416) {
		puts_(&o, "Content-Range: bytes */");
		put_u64(&o, size);
		put(&o, "\r\n", 2);
	}
	puts_(&o, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
	put_u64(&o, (uint64_t)n);
	put(&o, "\r\n", 2);
	head_end(w, c, &o, version);
	if (!head_only && c->out_len + (size_t)n <= WWW_OUT_CAP) {
		memcpy(c->io->out + c->out_len, body, (size_t)n);
		c->out_len += (size_t)n;
	}
}

void www_respond_error(www_worker *w, www_conn *c, int status)
{
	c->keep_alive = false;
	c->file_fd = -1;
	c->file_left = 0;
	respond_status(w, c, status, 11, false, 0);
}

/* ---- the answers -------------------------------------------------------- */

static void not_found(www_worker *w, www_conn *c, const http_msg *m)
{
	bool head_only = m->method == HTTP_HEAD;
	int fd = www_open_beneath(w->srv, "404.html");
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		respond_status(w, c, 404, m->version, head_only, 0);
		return;
	}
	outbuf o = head_start(w, c, 404);
	puts_(&o, "Content-Type: text/html; charset=utf-8\r\nContent-Length: ");
	put_u64(&o, (uint64_t)st.st_size);
	put(&o, "\r\n", 2);
	head_end(w, c, &o, m->version);
	if (head_only || st.st_size == 0) {
		close(fd);
		return;
	}
	c->file_fd = fd;
	c->file_off = 0;
	c->file_left = (uint64_t)st.st_size;
}

static bool is_path_safe(unsigned char ch)
{
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
		return true;
	if (ch >= '0' && ch <= '9')
		return true;
	return ch != 0 && strchr("/-._~!$&'()*+,;=:@", ch) != NULL;
}

/* /dir → 301 /dir/ (the normalised path, re-encoded, with the query). */
static void redirect_dir(www_worker *w, www_conn *c, const http_msg *m, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	outbuf o = head_start(w, c, 301);
	puts_(&o, "Location: /");
	for (const char *p = rel; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (is_path_safe(ch)) {
			put(&o, p, 1);
		} else {
			char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			put(&o, esc, 3);
		}
	}
	put(&o, "/", 1);
	const char *q = memchr(m->path.ptr, '?', m->path.len);
	if (q)
		put(&o, q, (size_t)(m->path.ptr + m->path.len - q));
	puts_(&o, "\r\nContent-Length: 0\r\n");
	head_end(w, c, &o, m->version);
}

static http_str field(const http_msg *m, const char *name)
{
	const http_header *h = http_find(m, name, NULL);
	return h ? h->value : (http_str){NULL, 0};
}

/* Looks for rel.br / rel.gz next to rel, picks one per Accept-Encoding and,
 * if it opens, swaps it in for *fd / *st. Returns the coding's name or
 * NULL; *vary says whether any sibling exists. */
static const char *pick_variant(www_worker *w, const http_msg *m, char *rel, size_t rel_len,
                                int *fd, struct stat *st, bool *vary)
{
	static const struct {
		int enc;
		const char *suffix, *name;
	} variants[] = {{WWW_ENC_BR, ".br", "br"}, {WWW_ENC_GZIP, ".gz", "gzip"}};
	unsigned available = 0;
	struct stat vst;
	for (size_t i = 0; i < GF_ARRAY_LEN(variants); i++) {
		memcpy(rel + rel_len, variants[i].suffix, 4);
		if (fstatat(w->srv->root_fd, rel, &vst, 0) == 0 && S_ISREG(vst.st_mode))
			available |= (unsigned)variants[i].enc;
	}
	rel[rel_len] = '\0';
	*vary = available != 0;
	int enc = www_negotiate_encoding(field(m, "accept-encoding"), available);
	for (size_t i = 0; enc && i < GF_ARRAY_LEN(variants); i++) {
		if (variants[i].enc != enc)
			continue;
		memcpy(rel + rel_len, variants[i].suffix, 4);
		int vfd = www_open_beneath(w->srv, rel);
		rel[rel_len] = '\0';
		if (vfd < 0)
			return NULL;
		if (fstat(vfd, &vst) != 0 || !S_ISREG(vst.st_mode)) {
			close(vfd);
			return NULL;
		}
		close(*fd);
		*fd = vfd;
		*st = vst;
		return variants[i].name;
	}
	return NULL;
}

static void serve_file(www_worker *w, www_conn *c, const http_msg *m, int fd, struct stat *st,
                       char *rel, size_t rel_len)
{
	bool compressible = false, vary = false;
	const char *type = www_mime_type(rel, rel_len, &compressible);
	const char *coding = NULL;
	if (compressible && rel_len + 4 <= WWW_PATH_CAP)
		coding = pick_variant(w, m, rel, rel_len, &fd, st, &vary);

	char etag_buf[64], lastmod[HTTP_DATE_LEN + 1];
	int n = snprintf(etag_buf, sizeof(etag_buf), "\"%llx-%llx-%llx\"",
	                 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	                 (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	                         (unsigned long long)st->st_mtim.tv_nsec);
	http_str etag = {etag_buf, (size_t)n};
	time_t mtime = st->st_mtim.tv_sec;
	http_date_format(lastmod, mtime);
	uint64_t size = (uint64_t)st->st_size, first = 0, len = size;
	int status = 200;

	if (www_not_modified(field(m, "if-none-match"), field(m, "if-modified-since"), etag,
	                     mtime)) {
		status = 304;
	} else if (m->method == HTTP_GET) {
		http_str range = field(m, "range"), if_range = field(m, "if-range");
		www_range r;
		if (range.ptr && (!if_range.ptr || www_if_range_ok(if_range, etag, mtime))) {
			switch (www_range_parse(&r, range, size)) {
			case WWW_RANGE_OK:
				status = 206;
				first = r.first;
				len = r.last - r.first + 1;
				break;
			case WWW_RANGE_UNSATISFIABLE:
				close(fd);
				respond_status(w, c, 416, m->version, false, size);
				return;
			default:
				break;
			}
		}
	}

	outbuf o = head_start(w, c, status);
	if (status != 304) {
		put_field(&o, "Content-Type", type);
		puts_(&o, "Content-Length: ");
		put_u64(&o, len);
		put(&o, "\r\n", 2);
	}
	if (status == 206) {
		puts_(&o, "Content-Range: bytes ");
		put_u64(&o, first);
		put(&o, "-", 1);
		put_u64(&o, first + len - 1);
		put(&o, "/", 1);
		put_u64(&o, size);
		put(&o, "\r\n", 2);
	}
	put_field(&o, "Last-Modified", lastmod);
	put_field(&o, "ETag", etag_buf);
	if (status != 304)
		puts_(&o, "Accept-Ranges: bytes\r\n");
	const char *cc = w->srv->cfg->cache_control;
	if (cc && *cc)
		put_field(&o, "Cache-Control", cc);
	if (vary)
		puts_(&o, "Vary: Accept-Encoding\r\n");
	if (coding)
		put_field(&o, "Content-Encoding", coding);
	head_end(w, c, &o, m->version);
	if (status == 304 || m->method == HTTP_HEAD || len == 0) {
		close(fd);
		return;
	}
	c->file_fd = fd;
	c->file_off = (off_t)first;
	c->file_left = len;
}

static void access_log(www_worker *w, const http_msg *m, www_conn *c)
{
	char target[256], quoted[300];
	size_t n = GF_MIN(m->target.len, sizeof(target) - 1);
	memcpy(target, m->target.ptr, n);
	target[n] = '\0';
	int status = 0;
	if (c->out_len > 12)
		status = atoi(c->io->out + 9);
	gf_log(GF_LOG_INFO, "request", "method=%.*s target=%s status=%d bytes=%llu",
	       (int)m->method_name.len, m->method_name.ptr,
	       gf_log_quote(quoted, sizeof(quoted), target), status,
	       (unsigned long long)c->file_left);
}

static void respond(www_worker *w, www_conn *c, const http_msg *m)
{
	if (m->method != HTTP_GET && m->method != HTTP_HEAD) {
		respond_status(w, c, 405, m->version, false, 0);
		return;
	}
	if (m->expect_other) {
		c->keep_alive = false;
		respond_status(w, c, 417, m->version, m->method == HTTP_HEAD, 0);
		return;
	}
	size_t len;
	bool dir;
	char *rel = w->path;
	int rc = www_path_normalize(rel, WWW_PATH_CAP - sizeof("/index.html"), &len, &dir,
	                            m->path.ptr, m->path.len);
	if (rc == GF_ENOTFOUND) {
		not_found(w, c, m);
		return;
	}
	if (rc < 0) {
		c->keep_alive = false;
		respond_status(w, c, rc == GF_ETOOBIG ? 414 : 400, m->version,
		               m->method == HTTP_HEAD, 0);
		return;
	}
	int fd = www_open_beneath(w->srv, rel);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		not_found(w, c, m);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		if (!dir) {
			redirect_dir(w, c, m, rel);
			return;
		}
		if (len)
			rel[len++] = '/';
		memcpy(rel + len, "index.html", sizeof("index.html"));
		len += sizeof("index.html") - 1;
		fd = www_open_beneath(w->srv, rel);
		if (fd < 0 || fstat(fd, &st) != 0) {
			if (fd >= 0)
				close(fd);
			not_found(w, c, m);
			return;
		}
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		not_found(w, c, m);
		return;
	}
	serve_file(w, c, m, fd, &st, rel, len);
}

void www_respond(www_worker *w, www_conn *c, const http_msg *m)
{
	c->file_fd = -1;
	c->file_left = 0;
	/* We never read request bodies: a request with one is answered and
	 * the connection closed, so the body cannot be taken for a request. */
	c->keep_alive = m->keep_alive && !w->stopping && !m->chunked && m->content_length <= 0;
	respond(w, c, m);
	if (w->srv->cfg->access_log)
		access_log(w, m, c);
}
