/*
 * base — the small library every other module stands on.
 *
 * What is here, and the one rule each part keeps:
 *
 *   gf_err    One error object per thread. A function that fails returns a
 *             negative GF_E* code and leaves the message in it
 *             (gf_err_set); the caller that reports the failure reads it
 *             with gf_err_msg. Codes name the few failures callers branch
 *             on; everything else is GF_ERROR with a message.
 *   gf_buf    A growable byte buffer with a hard size cap. Appending past
 *             the cap fails with GF_ETOOBIG and leaves the buffer as it
 *             was, so untrusted input can never grow memory without bound.
 *             The content is always NUL-terminated for convenience.
 *   gf_arena  A bump allocator for objects that die together (a parse, an
 *             evaluation, a request). Allocation never fails silently: it
 *             aborts on out-of-memory, like gf_xmalloc.
 *   gf_vec    Typed growable arrays through macros (GF_VEC(T)).
 *   gf_log    Leveled logging to stderr, `key=value` text by default or one
 *             JSON object per line (gf_log_set_format).
 *   gf_fs     Whole-file reads with a size cap, and durable writes:
 *             temporary file, fsync, rename, fsync of the directory (the
 *             same without the fsyncs for files cheap to make again).
 *
 * Allocation failure of the process heap is not a recoverable condition in
 * gitfleet: gf_xmalloc and friends abort with a message. Limits on what
 * untrusted input may allocate are enforced by caps (gf_buf, parser depth),
 * not by hoping malloc fails.
 */
#ifndef GF_BASE_H
#define GF_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define GF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GF_NORETURN     __attribute__((noreturn))
#else
#define GF_PRINTF(a, b)
#define GF_NORETURN
#endif

#define GF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GF_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define GF_MAX(a, b)    ((a) > (b) ? (a) : (b))

/* ---- errors ------------------------------------------------------------ */

enum {
	GF_OK = 0,
	GF_ERROR = -1,     /* generic failure; see gf_err_msg() */
	GF_ENOTFOUND = -2, /* the named thing does not exist */
	GF_EEXISTS = -3,   /* it exists already */
	GF_ELOCKED = -4,   /* somebody else holds the lock */
	GF_ETOOBIG = -5,   /* a size cap was reached */
	GF_EINVALID = -6,  /* the input is malformed */
	GF_EIO = -7,       /* the operating system refused (errno kept) */
	GF_EAGAIN = -8,    /* not now: more input, or try again later */
};

/* Sets the calling thread's error and returns `code`, so that a failure can
 * be reported and returned in one statement: `return gf_err_set(...)`. */
int gf_err_set(int code, const char *fmt, ...) GF_PRINTF(2, 3);
/* As gf_err_set, appending ": strerror(errno)" and returning GF_EIO. */
int gf_err_errno(const char *fmt, ...) GF_PRINTF(1, 2);
/* The last error's message ("" when none); valid until the next set. */
const char *gf_err_msg(void);
int gf_err_code(void);
void gf_err_clear(void);

GF_NORETURN void gf_die(const char *fmt, ...) GF_PRINTF(1, 2);

/* ---- memory ------------------------------------------------------------ */

void *gf_xmalloc(size_t n);
void *gf_xcalloc(size_t n, size_t size);
void *gf_xrealloc(void *p, size_t n);
/* Big zeroed scratch memory (a lexer's tokens, an arena's large chunks):
 * n bytes from 512 KiB up are mapped directly, 2 MiB-aligned and advised as
 * transparent huge pages, so that filling them costs a few page faults
 * rather than one per 4 KiB; smaller ones come from calloc. Released with
 * gf_big_free and the same n. Aborts on out-of-memory. */
void *gf_big_alloc(size_t n);
void gf_big_free(void *p, size_t n);
char *gf_xstrdup(const char *s);
char *gf_xstrndup(const char *s, size_t n);
char *gf_xasprintf(const char *fmt, ...) GF_PRINTF(1, 2);

/* ---- buffers ----------------------------------------------------------- */

typedef struct {
	char *ptr;  /* NUL-terminated content, NULL until the first append */
	size_t len; /* bytes of content, not counting the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard cap on len; 0 means SIZE_MAX/2 */
} gf_buf;

#define GF_BUF_INIT           \
	{                     \
		NULL, 0, 0, 0 \
	}

void gf_buf_init(gf_buf *b, size_t max);
void gf_buf_dispose(gf_buf *b);
void gf_buf_clear(gf_buf *b);
/* Makes room for `extra` more bytes. GF_ETOOBIG past the cap. */
int gf_buf_grow(gf_buf *b, size_t extra);
int gf_buf_put(gf_buf *b, const void *data, size_t len);
int gf_buf_puts(gf_buf *b, const char *s);
int gf_buf_putc(gf_buf *b, char c);
int gf_buf_printf(gf_buf *b, const char *fmt, ...) GF_PRINTF(2, 3);
int gf_buf_vprintf(gf_buf *b, const char *fmt, va_list ap);
/* Removes the first n bytes, shifting the rest down. */
void gf_buf_consume(gf_buf *b, size_t n);
/* Hands the content to the caller (free() it) and resets the buffer. An
 * empty buffer yields an empty string, never NULL. */
char *gf_buf_detach(gf_buf *b);
/* The content as a C string; "" for an empty buffer. */
const char *gf_buf_cstr(const gf_buf *b);

/* ---- arena ------------------------------------------------------------- */

typedef struct gf_arena_chunk gf_arena_chunk;
typedef struct {
	gf_arena_chunk *head;
	size_t total; /* bytes handed out, for tests and limits */
} gf_arena;

void gf_arena_init(gf_arena *a);
/* Frees every allocation made from the arena at once. */
void gf_arena_dispose(gf_arena *a);
/* Zeroed memory aligned for any type; lives until gf_arena_dispose. */
void *gf_arena_alloc(gf_arena *a, size_t n);
char *gf_arena_strdup(gf_arena *a, const char *s);
char *gf_arena_strndup(gf_arena *a, const char *s, size_t n);
char *gf_arena_printf(gf_arena *a, const char *fmt, ...) GF_PRINTF(2, 3);
void *gf_arena_memdup(gf_arena *a, const void *p, size_t n);

/* ---- vectors ----------------------------------------------------------- */

/* A typed growable array: `GF_VEC(int) v = {0}; gf_vec_push(&v, 3);`. */
#define GF_VEC(T)                \
	struct {                 \
		T *items;        \
		size_t len, cap; \
	}
#define gf_vec_reserve(v, n)                                                            \
	do {                                                                            \
		if ((v)->len + (n) > (v)->cap) {                                        \
			size_t c_ = (v)->cap ? (v)->cap * 2 : 8;                        \
			while (c_ < (v)->len + (n))                                     \
				c_ *= 2;                                                \
			(v)->items = gf_xrealloc((v)->items, c_ * sizeof(*(v)->items)); \
			(v)->cap = c_;                                                  \
		}                                                                       \
	} while (0)
#define gf_vec_push(v, x)                     \
	do {                                  \
		gf_vec_reserve(v, 1);         \
		(v)->items[(v)->len++] = (x); \
	} while (0)
#define gf_vec_dispose(v)                \
	do {                             \
		free((v)->items);        \
		(v)->items = NULL;       \
		(v)->len = (v)->cap = 0; \
	} while (0)

/* ---- strings ----------------------------------------------------------- */

bool gf_str_has_prefix(const char *s, const char *prefix);
bool gf_str_has_suffix(const char *s, const char *suffix);
/* Levenshtein distance, for "Did you mean ...?" suggestions. */
size_t gf_str_distance(const char *a, const char *b);
/* The candidate closest to `word`, or NULL if none is close enough to be a
 * plausible misspelling (distance ≤ max(1, len/3)). */
const char *gf_str_suggest(const char *word, const char *const *candidates, size_t n);
/* Parses a whole decimal integer in [min, max]; GF_EINVALID otherwise. */
int gf_str_to_i64(int64_t *out, const char *s, int64_t min, int64_t max);
/* Parses a duration such as "1.5", "500ms", "2s", "1m": seconds as double. */
int gf_str_to_seconds(double *out, const char *s);
/* Length of the well-formed UTF-8 sequence at s, of n bytes (n ≥ 1), or 0
 * if there is none (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF). */
size_t gf_utf8_seq_len(const unsigned char *s, size_t n);

/* ---- logging ----------------------------------------------------------- */

typedef enum {
	GF_LOG_DEBUG,
	GF_LOG_INFO,
	GF_LOG_WARN,
	GF_LOG_ERROR
} gf_log_level;
typedef enum {
	GF_LOG_TEXT,
	GF_LOG_JSON
} gf_log_format;

void gf_log_set_level(gf_log_level level);
void gf_log_set_format(gf_log_format format);
gf_log_format gf_log_get_format(void);
/* "text" or "json"; GF_EINVALID for anything else. */
int gf_log_parse_format(gf_log_format *out, const char *name);
/*
 * Logs one event. `fields` is printf-style and must expand to
 * space-separated key=value pairs; a value that may contain spaces or quotes
 * must be quoted with gf_log_quote. Text output:
 *   2026-01-02T03:04:05.678Z level=info msg="listener started" port=8080
 * JSON output: {"ts":"...","level":"info","msg":"...","port":"8080"}
 * (field values are JSON strings, a bare key is true; fields named ts,
 * level or msg become _ts, _level, _msg).
 */
void gf_log(gf_log_level level, const char *msg, const char *fields, ...) GF_PRINTF(3, 4);
/* Appends the line gf_log writes (with its '\n') to `out`: `fields` already
 * formatted, `ts` the time as text. For tests and fuzzing. */
void gf_log_render(gf_buf *out, gf_log_format format, gf_log_level level, const char *ts,
                   const char *msg, const char *fields);
/* Quotes a value for a log field into `buf` (always NUL-terminated). */
const char *gf_log_quote(char *buf, size_t size, const char *value);
/* The same into a buffer of the enclosing block (a compound literal), for
 * one gf_log argument: gf_log(..., "err=%s", GF_LOG_QUOTED(gf_err_msg())). */
#define GF_LOG_QUOTED(value) gf_log_quote((char[512]){0}, 512, (value))

/* ---- SHA-256 ----------------------------------------------------------- */

/* SHA-256 by OpenSSL's implementation, called directly (its SHA256_*
 * functions) rather than through EVP: a process's first EVP digest loads
 * OpenSSL's configuration, asks for engines and fills its algorithm tables,
 * about 6 M instructions, a third of a `gitfleet plan`, to hash a few
 * kilobytes. Those functions are deprecated in OpenSSL 3 (not removed);
 * sha256.c is the one file that calls them. */
typedef struct {
	_Alignas(8) unsigned char ctx[128]; /* a SHA256_CTX */
} gf_sha256;

void gf_sha256_init(gf_sha256 *h);
void gf_sha256_update(gf_sha256 *h, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void gf_sha256_final_hex(gf_sha256 *h, char out[65]);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole file into `out` (initialised by the caller, cap honoured).
 * GF_ENOTFOUND if it does not exist, GF_ETOOBIG past out->max. */
int gf_fs_read(gf_buf *out, const char *path);
/* Reads a whole file into memory of arena `a`, NUL-terminated, with one
 * read into its final place (a file that is parsed and kept is not copied
 * from a buffer); errors as gf_fs_read's, GF_ETOOBIG past `max` bytes. */
int gf_fs_read_arena(char **out, size_t *len, gf_arena *a, const char *path, size_t max);
/* Writes `len` bytes durably: PATH.tmp-PID, fsync, rename over PATH, fsync
 * of the directory. On failure PATH is untouched and the temporary removed. */
int gf_fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* Writes `len` bytes as gf_fs_write_atomic does, without the fsyncs: a
 * reader sees the old content or the new, never a part, but a crash of the
 * machine (not of the process) may leave the old content or an empty
 * file. For files that are cheap to make again and that nobody loses
 * anything with: a saved plan, init's record of the working directory
 * (each costs a plan and an init of every build two fsyncs otherwise). */
int gf_fs_write_replace(const char *path, const void *data, size_t len, unsigned mode);
/* Writes `len` bytes to PATH (created or truncated) without fsync: for
 * scratch files read back at once by the same run (a build's command
 * files), which a crash may lose without harm. Everything that must
 * survive a crash goes through gf_fs_write_atomic. */
int gf_fs_write_scratch(const char *path, const void *data, size_t len, unsigned mode);
/* mkdir -p with the given mode for created directories. */
int gf_fs_mkdirs(const char *path, unsigned mode);
bool gf_fs_is_dir(const char *path);
bool gf_fs_exists(const char *path);
/* Joins two path parts with exactly one '/'; result is malloc'd. */
char *gf_path_join(const char *a, const char *b);

/* Monotonic clock in seconds, and wall clock in milliseconds. */
double gf_now(void);
int64_t gf_wall_ms(void);

#endif
