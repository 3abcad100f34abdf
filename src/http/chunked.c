/* The chunked transfer coding (RFC 9112 §7.1): a strict incremental
 * decoder that yields slices of its input, and the encoder's framing. */
#include "http/http.h"

#include "base/base.h"
#include "http/internal.h"

/* The states of the diagram in http.h, one per byte of framing. */
enum {
	S_SIZE_START, /* first hex digit of a chunk size */
	S_SIZE,       /* more hex digits, ';', BWS or CR */
	S_EXT_PRE,    /* BWS before ';' */
	S_EXT_NAME0,  /* BWS after ';', then the first tchar of a name */
	S_EXT_NAME,   /* name tchars */
	S_EXT_EQ,     /* BWS after a name: '=' or ';' must follow */
	S_EXT_VAL0,   /* BWS after '=', then a token or a quoted string */
	S_EXT_TOKEN,  /* token value */
	S_EXT_QUOTED, /* inside a quoted string */
	S_EXT_QPAIR,  /* after a backslash in a quoted string */
	S_EXT_AFTERQ, /* after the closing quote */
	S_SIZE_LF,    /* the LF ending the size line */
	S_DATA,       /* `remaining` bytes of data */
	S_DATA_CR,    /* the CRLF after the data */
	S_DATA_LF,
	S_TRAILER0, /* start of a trailer field line, or the final CRLF */
	S_TR_NAME,
	S_TR_VALUE,
	S_TR_LF,
	S_END_LF,
	S_DONE,
	S_ERROR,
};

/* Chunk-size lines longer than this are refused: a peer could otherwise
 * send endless leading zeros or extensions. */
#define CHUNK_LINE_MAX 4096

void http_chunked_init(http_chunked *c, const http_limits *lim)
{
	c->state = S_SIZE_START;
	c->remaining = 0;
	c->line = 0;
	c->max_line = CHUNK_LINE_MAX;
	c->max_trailer = (lim ? lim : &http_limits_default)->max_head;
}

static int hexval(unsigned char ch)
{
	if (http_is_digit(ch))
		return ch - '0';
	ch |= 0x20;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static bool is_ws(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

/* qdtext of RFC 9110 §5.6.4. */
static bool is_qdtext(unsigned char ch)
{
	return ch == '\t' || ch == ' ' || ch == 0x21 || (ch >= 0x23 && ch <= 0x5b) ||
	       (ch >= 0x5d && ch <= 0x7e) || ch >= 0x80;
}

/* The state after one byte of framing, or S_ERROR with *why set. */
static int step(http_chunked *c, unsigned char ch, const char **why)
{
	int hv;
	switch (c->state) {
	case S_SIZE_START:
		if ((hv = hexval(ch)) < 0)
			break;
		c->remaining = (uint64_t)hv;
		return S_SIZE;
	case S_SIZE:
		if ((hv = hexval(ch)) >= 0) {
			/* Sizes stay below 2^60: far beyond any body, and no overflow. */
			if (c->remaining >> 56) {
				*why = "chunk size too large";
				return S_ERROR;
			}
			c->remaining = c->remaining << 4 | (uint64_t)hv;
			return S_SIZE;
		}
		if (ch == ';')
			return S_EXT_NAME0;
		if (is_ws(ch))
			return S_EXT_PRE;
		if (ch == '\r')
			return S_SIZE_LF;
		break;
	case S_EXT_PRE:
		if (is_ws(ch))
			return S_EXT_PRE;
		if (ch == ';')
			return S_EXT_NAME0;
		break;
	case S_EXT_NAME0:
		if (is_ws(ch))
			return S_EXT_NAME0;
		if (http_is_tchar(ch))
			return S_EXT_NAME;
		break;
	case S_EXT_NAME:
		if (http_is_tchar(ch))
			return S_EXT_NAME;
		if (is_ws(ch))
			return S_EXT_EQ;
		if (ch == '=')
			return S_EXT_VAL0;
		if (ch == ';')
			return S_EXT_NAME0;
		if (ch == '\r')
			return S_SIZE_LF;
		break;
	case S_EXT_EQ:
		if (is_ws(ch))
			return S_EXT_EQ;
		if (ch == '=')
			return S_EXT_VAL0;
		if (ch == ';')
			return S_EXT_NAME0;
		break;
	case S_EXT_VAL0:
		if (is_ws(ch))
			return S_EXT_VAL0;
		if (ch == '"')
			return S_EXT_QUOTED;
		if (http_is_tchar(ch))
			return S_EXT_TOKEN;
		break;
	case S_EXT_TOKEN:
		if (http_is_tchar(ch))
			return S_EXT_TOKEN;
		/* After a token value the same bytes may follow as after a quote. */
		/* fall through */
	case S_EXT_AFTERQ:
		if (is_ws(ch))
			return S_EXT_PRE;
		if (ch == ';')
			return S_EXT_NAME0;
		if (ch == '\r')
			return S_SIZE_LF;
		break;
	case S_EXT_QUOTED:
		if (ch == '"')
			return S_EXT_AFTERQ;
		if (ch == '\\')
			return S_EXT_QPAIR;
		if (is_qdtext(ch))
			return S_EXT_QUOTED;
		break;
	case S_EXT_QPAIR:
		if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
			return S_EXT_QUOTED;
		break;
	case S_SIZE_LF:
		if (ch == '\n')
			return c->remaining ? S_DATA : S_TRAILER0;
		break;
	case S_DATA_CR:
		if (ch == '\r')
			return S_DATA_LF;
		*why = "chunk data not followed by CRLF";
		return S_ERROR;
	case S_DATA_LF:
		if (ch == '\n')
			return S_SIZE_START;
		*why = "chunk data not followed by CRLF";
		return S_ERROR;
	case S_TRAILER0:
		if (ch == '\r')
			return S_END_LF;
		if (http_is_tchar(ch))
			return S_TR_NAME;
		*why = "malformed trailer field";
		return S_ERROR;
	case S_TR_NAME:
		if (http_is_tchar(ch))
			return S_TR_NAME;
		if (ch == ':')
			return S_TR_VALUE;
		*why = "malformed trailer field";
		return S_ERROR;
	case S_TR_VALUE:
		if (http_is_field_char(ch))
			return S_TR_VALUE;
		if (ch == '\r')
			return S_TR_LF;
		*why = "invalid character in a trailer field";
		return S_ERROR;
	case S_TR_LF:
	case S_END_LF:
		if (ch == '\n')
			return c->state == S_TR_LF ? S_TRAILER0 : S_DONE;
		*why = "bare CR in the trailer section";
		return S_ERROR;
	default:
		break;
	}
	*why = "malformed chunk size line";
	return S_ERROR;
}

int http_chunked_decode(http_chunked *c, const char *in, size_t len, size_t *consumed,
                        http_str *data)
{
	size_t i = 0;
	if (c->state == S_DONE) {
		*consumed = 0;
		return HTTP_CHUNK_DONE;
	}
	if (c->state == S_ERROR) {
		*consumed = 0;
		return gf_err_set(GF_EINVALID, "chunked body: decoding failed earlier");
	}
	while (i < len) {
		if (c->state == S_DATA) {
			size_t n = (size_t)GF_MIN((uint64_t)(len - i), c->remaining);
			*data = (http_str){in + i, n};
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = S_DATA_CR;
			*consumed = i + n;
			return HTTP_CHUNK_DATA;
		}
		const char *why = NULL;
		int prev = c->state;
		int next = step(c, (unsigned char)in[i++], &why);
		if (next == S_ERROR) {
			c->state = S_ERROR;
			*consumed = i;
			return gf_err_set(GF_EINVALID, "chunked body: %s", why);
		}
		if (prev == S_SIZE_START)
			c->line = 0;
		if (prev < S_SIZE_LF && ++c->line > c->max_line) {
			c->state = S_ERROR;
			*consumed = i;
			return gf_err_set(GF_EINVALID, "chunked body: chunk size line too long");
		}
		if (prev == S_SIZE_LF)
			c->line = 0;
		if (prev >= S_TRAILER0 && ++c->line > c->max_trailer) {
			c->state = S_ERROR;
			*consumed = i;
			return gf_err_set(GF_EINVALID, "chunked body: trailer section too large");
		}
		c->state = next;
		if (next == S_DONE) {
			*consumed = i;
			return HTTP_CHUNK_DONE;
		}
	}
	*consumed = len;
	return GF_EAGAIN;
}

size_t http_chunk_header(char out[HTTP_CHUNK_HEADER_MAX], uint64_t size)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;
	do {
		tmp[n++] = hex[size & 15];
		size >>= 4;
	} while (size);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\r';
	out[n + 1] = '\n';
	return n + 2;
}
