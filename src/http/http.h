/*
 * http — a strict, incremental, zero-copy HTTP/1.1 message codec
 * (RFC 9112 syntax, RFC 9110 semantics), shared by the static server
 * (src/www) and the load balancer (src/lb). It owns no sockets, no event
 * loop and no memory: the caller owns the bytes, the codec returns slices
 * (http_str) into them.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Heads are parsed whole. http_parse_request / http_parse_response are
 *    called each time bytes are appended to the caller's buffer. An
 *    http_parser remembers how far the end-of-head search got, so feeding a
 *    head one byte at a time is linear, not quadratic. Until the empty line
 *    arrives the answer is GF_EAGAIN (after checking the limits, so a peer
 *    cannot make us wait for an over-long head); once it arrives the whole
 *    head is validated in one pass and the headers are returned as
 *    (name, value) slices into the buffer, which must therefore stay put
 *    (and keep its prefix) between calls and for as long as the slices are
 *    used. The return value is then the head's length: the body, or the
 *    next pipelined request, starts right after it.
 *
 * 2. Strict by construction, because a proxy and its backends must agree
 *    on where every message ends (request smuggling is a disagreement on
 *    exactly that). Rejected, with the status to answer in http_msg.err_status:
 *      - bare LF anywhere in a head (requests and responses; RFC 9112 §2.2
 *        allows a recipient to accept it, we do not: one line ending only);
 *      - obs-fold and whitespace before the first field line (§5.2, §2.2);
 *      - whitespace between field name and colon (§5.1), field names that
 *        are not tokens, values with CR, LF, NUL or other controls (§5.5);
 *      - request lines with extra or missing spaces, a fragment, non-ASCII
 *        bytes, a malformed version (400) or one other than 1.0/1.1 (505);
 *      - Content-Length that is not 1*DIGIT, overflows, or conflicts.
 *        A list of equal values ("5, 5", or two equal field lines) is
 *        accepted as RFC 9110 §8.6 allows; any difference is rejected;
 *      - Transfer-Encoding together with Content-Length (requests: 400;
 *        responses: rejected so the proxy answers 502), Transfer-Encoding
 *        in an HTTP/1.0 request, a request Transfer-Encoding whose final
 *        coding is not chunked or with chunked twice (400), a coding
 *        with parameters (400), a request coding other than chunked
 *        (501, we decode no other);
 *      - HTTP/1.1 requests without Host or with more than one (400), or a
 *        Host value that cannot be a uri-host[:port].
 *    Leading empty lines before a request line are skipped (§2.2).
 *
 * 3. Body framing is decided separately (http_request_framing,
 *    http_response_framing), from the validated head and, for a response,
 *    the request method: HEAD, 1xx, 204 and 304 have no body; a response
 *    with neither length nor chunked is delimited by the connection close.
 *
 * 4. Chunked bodies are decoded by a byte-exact state machine
 *    (http_chunked) that yields data slices into the caller's input and
 *    never copies. It validates sizes (hex only, no sign, no overflow, a
 *    cap on the size line), extensions (token[=token|quoted-string]) and
 *    trailer field lines, and stops exactly after the final CRLF so a
 *    pipelined message that follows is left alone. A proxy that forwards
 *    the body verbatim forwards the consumed bytes; a server uses the
 *    data slices.
 *
 *      SIZE ──hex──► SIZE ──';'──► EXT ──CR LF──► DATA ──n bytes──► DATA_CR LF ──► SIZE
 *        └ size 0 ──CR LF──► TRAILER ──field CR LF──► TRAILER ──CR LF──► DONE
 *
 * 5. Connection semantics are computed at parse time: keep_alive from the
 *    version and the Connection tokens, upgrade, Expect: 100-continue.
 *    http_is_hop_by_hop tells a proxy which fields not to forward.
 *
 * Limits (http_limits) are parameters; their defaults suit both servers.
 */
#ifndef GF_HTTP_H
#define GF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/base.h"

/* A slice of the caller's buffer; never NUL-terminated. */
typedef struct {
	const char *ptr;
	size_t len;
} http_str;

typedef struct {
	http_str name;
	http_str value; /* without surrounding whitespace */
} http_header;

/* The most header fields any http_msg can hold; limits go up to it. */
#define HTTP_MAX_HEADERS 128

typedef struct {
	size_t max_line;    /* request-line bytes incl. CRLF; past it: 414 */
	size_t max_headers; /* field lines (≤ HTTP_MAX_HEADERS); past it: 431 */
	size_t max_head;    /* bytes of the whole head; past it: 431 */
} http_limits;

/* 8 KiB request line, 100 fields, 16 KiB head. */
extern const http_limits http_limits_default;

typedef enum {
	HTTP_OTHER = 0, /* a syntactically valid method we do not know */
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_CONNECT,
	HTTP_OPTIONS,
	HTTP_TRACE,
	HTTP_PATCH,
} http_method;

typedef enum {
	HTTP_FORM_ORIGIN,    /* /path?query */
	HTTP_FORM_ABSOLUTE,  /* http://host/path?query */
	HTTP_FORM_AUTHORITY, /* host:port, CONNECT only */
	HTTP_FORM_ASTERISK,  /* *, OPTIONS only */
} http_target_form;

/* Tokens seen in Connection fields. */
enum {
	HTTP_CONN_CLOSE = 1,
	HTTP_CONN_KEEP_ALIVE = 2,
	HTTP_CONN_UPGRADE = 4,
	HTTP_CONN_OTHER = 8, /* some other token: more hop-by-hop fields */
};

/* A parsed head, request or response. Every http_str points into the
 * buffer given to the parser. */
typedef struct {
	/* request line */
	http_method method;
	http_str method_name;
	http_str target; /* as sent */
	http_target_form form;
	/* The origin-form part: "/p?q"; "*" or the authority for those forms.
	 * Slices of the input cannot grow, so "http://h?q" gives "?q" (and
	 * "http://h" gives "/"): a user that needs origin form prepends "/"
	 * when the first byte is not one. */
	http_str path;

	http_str authority; /* from an absolute-form target, else the Host value */
	/* status line */
	int status;
	http_str reason;
	/* both */
	int version; /* 10 or 11 */
	size_t nheaders;
	http_header headers[HTTP_MAX_HEADERS];
	int64_t content_length; /* -1 when absent */
	bool has_transfer_encoding;
	bool chunked;         /* the final transfer coding is chunked */
	unsigned connection;  /* HTTP_CONN_* */
	bool keep_alive;      /* per version and Connection (framing aside) */
	bool upgrade;         /* Upgrade field and "Connection: upgrade" */
	bool expect_continue; /* Expect: 100-continue */
	bool expect_other;    /* an expectation we cannot meet: answer 417 */
	/* on error */
	int err_status;      /* 400, 414, 431, 501, 505; 502 for responses */
	const char *err_msg; /* static text saying what was wrong */
} http_msg;

typedef struct {
	size_t scanned;   /* bytes of the head already searched for its end */
	size_t first_eol; /* offset of the first line's LF + 1, 0 until seen */
} http_parser;

void http_parser_init(http_parser *p);

/*
 * Parses a request head at the start of buf[0..len).
 * Returns the head length (> 0) when complete and valid, GF_EAGAIN when
 * more bytes are needed (call again with the same buffer extended), or
 * GF_EINVALID with out->err_status / err_msg set (and gf_err_set) — the
 * caller answers that status and closes. The parser resets itself after a
 * complete head or an error.
 */
int http_parse_request(http_parser *p, http_msg *out, const char *buf, size_t len,
                       const http_limits *lim);
/* Same for a response head; errors have err_status 502 (bad gateway). */
int http_parse_response(http_parser *p, http_msg *out, const char *buf, size_t len,
                        const http_limits *lim);

/* ---- framing ----------------------------------------------------------- */

typedef enum {
	HTTP_BODY_NONE,
	HTTP_BODY_LENGTH,      /* exactly `length` bytes */
	HTTP_BODY_CHUNKED,     /* decode with http_chunked */
	HTTP_BODY_UNTIL_CLOSE, /* responses only: the rest of the connection */
} http_body_kind;

typedef struct {
	http_body_kind kind;
	uint64_t length;
} http_framing;

/* The body of a parsed request: none, a length, or chunked (RFC 9112 §6.3). */
http_framing http_request_framing(const http_msg *req);
/* The body of a parsed response to a request with method `req_method`. A
 * 2xx answer to CONNECT has no body: the connection becomes a tunnel. */
http_framing http_response_framing(const http_msg *res, http_method req_method);

/* ---- chunked transfer coding ------------------------------------------- */

typedef struct {
	int state;
	uint64_t remaining; /* data bytes left in the current chunk */
	size_t line;        /* bytes of the current size line or trailer section */
	size_t max_line;    /* cap on a chunk-size line (size + extensions) */
	size_t max_trailer; /* cap on the trailer section */
} http_chunked;

enum {
	HTTP_CHUNK_DATA = 1, /* *data is set: body bytes */
	HTTP_CHUNK_DONE = 2, /* the body and its trailers ended */
};

/* Caps: a size line of at most 4096 bytes; trailers of at most max_head. */
void http_chunked_init(http_chunked *c, const http_limits *lim);
/*
 * Decodes from in[0..len). Sets *consumed to the bytes used and returns
 * HTTP_CHUNK_DATA with *data a slice of `in` (call again with the rest),
 * HTTP_CHUNK_DONE when the last chunk and trailers have ended (bytes after
 * *consumed belong to the next message), GF_EAGAIN when all of `in` was
 * used and more is needed, or GF_EINVALID (malformed; gf_err_msg says why).
 */
int http_chunked_decode(http_chunked *c, const char *in, size_t len, size_t *consumed,
                        http_str *data);

/* Longest chunk header http_chunk_header writes: 16 hex digits + CRLF. */
#define HTTP_CHUNK_HEADER_MAX 18
/* Writes "<hex size>\r\n" into out; returns its length. After the data
 * comes "\r\n"; the body ends with HTTP_CHUNK_LAST. */
size_t http_chunk_header(char out[HTTP_CHUNK_HEADER_MAX], uint64_t size);
#define HTTP_CHUNK_LAST "0\r\n\r\n"

/* ---- fields ------------------------------------------------------------ */

bool http_str_eq(http_str s, const char *lit);
bool http_str_ieq(http_str s, const char *lit); /* ASCII case-insensitive */
/* The first field named `name` at or after index *from; updates *from past
 * it, so repeated calls visit every field line of that name. */
const http_header *http_find(const http_msg *m, const char *name, size_t *from);
/*
 * Iterates over a comma-separated list (RFC 9110 §5.6.1): sets *item to the
 * next non-empty element without surrounding whitespace and advances
 * *rest. Commas inside quoted strings do not split. False at the end.
 */
bool http_list_next(http_str *rest, http_str *item);
/* Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
 * Upgrade, and any field named in the message's Connection fields. */
bool http_is_hop_by_hop(const http_msg *m, http_str name);

/* ---- utilities --------------------------------------------------------- */

/* The standard reason phrase of `status` ("Unknown" when unassigned). */
const char *http_reason(int status);
/* Decodes %XX escapes of in[0..len) into out (which may be `in`); sets
 * *out_len. GF_EINVALID on a malformed escape. '+' stays '+'. */
int http_pct_decode(char *out, size_t *out_len, const char *in, size_t len);
/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes + NUL). */
#define HTTP_DATE_LEN 29
void http_date_format(char out[HTTP_DATE_LEN + 1], time_t t);
/* Parses IMF-fixdate and the obsolete RFC 850 and asctime forms
 * (RFC 9110 §5.6.7). GF_EINVALID for anything else. */
int http_date_parse(time_t *out, const char *s, size_t len);

#endif
