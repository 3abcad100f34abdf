/* Character classes of RFC 9110 shared by the files of src/http only. */
#ifndef GF_HTTP_INTERNAL_H
#define GF_HTTP_INTERNAL_H

#include <stdbool.h>

/* tchar: the characters of a token (RFC 9110 §5.6.2). */
static inline bool http_is_tchar(unsigned char c)
{
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return true;
	if (c >= '0' && c <= '9')
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	default:
		return false;
	}
}

/* field-vchar, SP and HTAB: everything but controls (obs-text allowed). */
static inline bool http_is_field_char(unsigned char c)
{
	return c >= 0x20 ? c != 0x7f : c == '\t';
}

static inline bool http_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

#endif
