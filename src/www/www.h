/*
 * www — the static file server behind `gitfleet www`. Every instance of
 * the product runs it by default, serving one immutable release; it is
 * benchmarked against nginx, so it is built for speed and small memory.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Threads and loops. N worker threads, each with its own epoll loop and
 *    its own SO_REUSEPORT listening socket, so the kernel spreads
 *    connections and no lock is shared on the request path. The main thread
 *    only waits for SIGTERM/SIGINT and tells the workers through an
 *    eventfd. The loop is epoll directly rather than libuv (DESIGN's
 *    default) for three reasons: bodies go out with sendfile(2), which
 *    needs write readiness on the raw socket that uv_tcp_t hides (libuv's
 *    own uv_fs_sendfile runs on its thread pool); libuv 1.44, the packaged
 *    one, cannot set SO_REUSEPORT on a uv_tcp_t; and a connection costs
 *    ~120 bytes here against a uv_tcp_t plus a uv_poll_t.
 *
 * 2. Memory. A connection is a small struct. While it has a request in
 *    progress it borrows a 20 KiB I/O buffer (16 KiB for the request head,
 *    which is also the head limit, 4 KiB for the response head) from a
 *    per-worker free list; idle keep-alive connections hold none. The
 *    request parse (http_msg) and path scratch space live in the worker:
 *    a request is handled synchronously from parse to response head, so
 *    one of each per thread suffices. Nothing is malloc'd per request once
 *    the free lists are warm.
 *
 * 3. Timers. All timeouts of one kind have the same duration, so each
 *    kind is a FIFO list ordered by deadline: arming is an append,
 *    re-arming a move to the tail, expiry pops from the head — O(1) like a
 *    timer wheel, without the wheel. The kinds and their states:
 *
 *      accept ──► HEAD (header timeout, absolute: a peer trickling bytes
 *                  │    is closed when it expires — slowloris)
 *                  │ head parsed → response built
 *                  ▼
 *                 SEND (send timeout, re-armed on every progress)
 *                  │ response written
 *                  ├─ keep-alive, bytes buffered ──► HEAD (next pipelined request)
 *                  ├─ keep-alive, nothing buffered ──► IDLE (idle timeout;
 *                  │                    first byte → HEAD)
 *                  └─ close ──► LINGER (shutdown(SHUT_WR), drain input
 *                               until EOF or 2 s, then close) — so an unread
 *                               request body cannot turn our close into a
 *                               RST that destroys the response in flight.
 *
 *    Pipelined requests are answered strictly in order: the next request
 *    is parsed only after the previous response has been written.
 *
 * 4. Requests. GET and HEAD (others: 405 with Allow). The target's path is
 *    percent-decoded and normalised by www_path_normalize before any file
 *    system access; files are opened with openat2(RESOLVE_BENEATH) under
 *    the root directory fd, so neither `..` nor a symlink can leave the
 *    root (on kernels without openat2 the resolved path is checked with
 *    realpath against the root's). There is no open-file or stat cache:
 *    every request sees the file system as it is, and the kernel's dentry
 *    cache makes the lookup cheap.
 *
 * 5. Responses: Content-Type by extension (www_mime_type); a strong ETag
 *    from inode, size and mtime; Last-Modified; conditional GET (RFC 9110
 *    §13: If-None-Match, weak comparison, takes precedence over
 *    If-Modified-Since); single byte ranges with If-Range (a multi-range
 *    request is answered 200 with the whole file, which RFC 9110 allows);
 *    precompressed siblings (file.br, file.gz) chosen by Accept-Encoding
 *    q-values; `Vary: Accept-Encoding` whenever a sibling exists.
 *
 * The functions below other than www_run are the pure decisions the server
 * makes, exposed for unit tests.
 */
#ifndef GF_WWW_H
#define GF_WWW_H

#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
	const char *root;          /* directory to serve */
	const char *listen;        /* "ADDR:PORT", "[V6]:PORT" */
	int workers;               /* threads, ≥ 1 */
	const char *cache_control; /* value of Cache-Control, NULL or "" for none */
	double header_timeout;     /* seconds for a whole request head */
	double idle_timeout;       /* seconds a keep-alive connection may idle */
	double send_timeout;       /* seconds without write progress */
	bool access_log;           /* one log line per request */
} www_config;

/* Sensible defaults: 1 worker, no-cache, 10 s / 30 s / 30 s. */
void www_config_init(www_config *c);

/*
 * Serves until SIGTERM or SIGINT, then stops accepting, finishes the
 * responses in flight, and returns 0. Returns a negative code (message in
 * gf_err_msg) if the root cannot be opened or the address cannot be bound.
 */
int www_run(const www_config *cfg);

/* ---- decisions, exposed for tests -------------------------------------- */

/*
 * Percent-decodes and normalises the path of a request target (up to the
 * '?') into out[0..cap): a relative path "a/b/c" without leading or
 * trailing slash ("" for the root), segments separated by one '/'. Empty
 * and "." segments are dropped. *dir is set when the path ends with '/'.
 * Returns 0; GF_EINVALID (answer 400) for a path not starting with '/', a
 * malformed escape, a NUL or backslash (raw or decoded: never a separator
 * here, and never a name we would serve), or any ".." segment (clients
 * normalise dot-segments before sending; one that does not is probing);
 * GF_ENOTFOUND (answer 404) for a segment starting with '.' (dotfiles and
 * dot-directories such as .git, .env are never served); GF_ETOOBIG when
 * the result does not fit.
 */
int www_path_normalize(char *out, size_t cap, size_t *out_len, bool *dir, const char *path,
                       size_t len);

/* The Content-Type for a file name, by its extension (case-insensitive),
 * "; charset=utf-8" on text types; application/octet-stream when unknown.
 * *compressible (may be NULL) says whether precompressed siblings are
 * worth looking for. */
const char *www_mime_type(const char *name, size_t len, bool *compressible);

typedef struct {
	uint64_t first, last; /* inclusive */
} www_range;

enum {
	WWW_RANGE_NONE,          /* no usable Range: send the whole file (200) */
	WWW_RANGE_OK,            /* *r is satisfiable: 206 */
	WWW_RANGE_UNSATISFIABLE, /* 416 with Content-Range: bytes * /size */
};

/* Interprets a Range value for a representation of `size` bytes. Only one
 * range of unit bytes is honoured; anything else (other units, several
 * ranges, bad syntax) is WWW_RANGE_NONE, as RFC 9110 §14.2 permits. */
int www_range_parse(www_range *r, http_str value, uint64_t size);

/* If-None-Match (value, may be empty) against our strong `etag`: "*" or
 * any listed tag equal under weak comparison. */
bool www_etag_list_match(http_str value, http_str etag);
/* Whether a conditional GET/HEAD is answered 304. If-None-Match (inm)
 * takes precedence: when present, If-Modified-Since (ims) is ignored.
 * Absent fields have ptr == NULL. */
bool www_not_modified(http_str inm, http_str ims, http_str etag, time_t mtime);
/* Whether If-Range allows the range: an entity tag must match strongly,
 * a date must equal Last-Modified exactly. */
bool www_if_range_ok(http_str value, http_str etag, time_t mtime);

enum {
	WWW_ENC_IDENTITY = 0,
	WWW_ENC_GZIP = 1,
	WWW_ENC_BR = 2,
};

/* Chooses the content coding among `available` (a mask of WWW_ENC_GZIP |
 * WWW_ENC_BR) per Accept-Encoding (ptr NULL when absent): the acceptable
 * coding with the highest q (q=0 refuses; "*" covers unlisted codings),
 * br before gzip on a tie, identity when an explicitly listed identity
 * has a higher q or nothing else is acceptable. */
int www_negotiate_encoding(http_str accept_encoding, unsigned available);

#endif
