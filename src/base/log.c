/*
 * Leveled logging. Callers write fields as `key=value` pairs; the text
 * format prints them as given, the JSON format splits them back into
 * members, honouring values quoted by gf_log_quote. Whatever the fields
 * hold, a JSON line is one valid JSON object: control characters escaped,
 * ill-formed UTF-8 replaced, never a raw newline.
 */
#include "base/base.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static gf_log_level log_level = GF_LOG_INFO;
static gf_log_format log_format = GF_LOG_TEXT;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void gf_log_set_level(gf_log_level level)
{
	log_level = level;
}

void gf_log_set_format(gf_log_format format)
{
	log_format = format;
}

gf_log_format gf_log_get_format(void)
{
	return log_format;
}

int gf_log_parse_format(gf_log_format *out, const char *name)
{
	if (strcmp(name, "text") == 0)
		*out = GF_LOG_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = GF_LOG_JSON;
	else
		return gf_err_set(GF_EINVALID, "unknown log format \"%s\" (use text or json)",
		                  name);
	return 0;
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '"' || *s == '=' || *s == '\\' || (unsigned char)*s < 0x20)
			return true;
	return false;
}

const char *gf_log_quote(char *buf, size_t size, const char *value)
{
	size_t o = 0;
	if (size == 0)
		return buf;
	if (!needs_quotes(value)) {
		snprintf(buf, size, "%s", value);
		return buf;
	}
#define PUT(c)                          \
	do {                            \
		if (o + 2 < size)       \
			buf[o++] = (c); \
	} while (0)
	PUT('"');
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT((char)c);
		} else if (c == '\n') {
			PUT('\\');
			PUT('n');
		} else if (c < 0x20) {
			PUT('?');
		} else {
			PUT((char)c);
		}
	}
	if (o + 1 < size)
		buf[o++] = '"';
	buf[o] = '\0';
#undef PUT
	return buf;
}

/* A JSON string of n bytes of s. Control characters are escaped and a
 * byte that does not start well-formed UTF-8 becomes U+FFFD, so a line is
 * valid JSON whatever a log field held (a peer's request target, a
 * process's output). */
static void json_string(gf_buf *out, const char *s, size_t n)
{
	gf_buf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = gf_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (len == 0) {
			gf_buf_puts(out, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			gf_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			gf_buf_puts(out, "\\n");
		else if (c == '\t')
			gf_buf_puts(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			gf_buf_printf(out, "\\u%04x", c);
		else
			gf_buf_put(out, s + i, len);
		i += len;
	}
	gf_buf_putc(out, '"');
}

/* The value of a quoted field, p just past its opening quote. The escapes
 * are gf_log_quote's (\" \\ \n); any other backslash is literal. The value
 * ends at a quote followed by a space or the end, so that a caller's
 * err="%s" around a message with quotes in it still reads as one value.
 * Returns the position after the value. */
static const char *quoted_value(gf_buf *val, const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == 'n')) {
			p++;
			gf_buf_putc(val, *p == 'n' ? '\n' : *p);
		} else if (*p == '"' && (p[1] == ' ' || p[1] == '\0')) {
			return p + 1;
		} else {
			gf_buf_putc(val, *p);
		}
	}
	return p;
}

/* Appends the key=value pairs of `fields` as JSON members: values are
 * strings, a bare key is true. A key that would repeat one of the line's
 * own members (ts, level, msg) gets a leading underscore. */
static void json_fields(gf_buf *out, const char *p)
{
	while (*p) {
		while (*p == ' ')
			p++;
		const char *key = p;
		while (*p && *p != '=' && *p != ' ')
			p++;
		size_t klen = (size_t)(p - key);
		if (klen == 0) {
			if (*p == '=') /* "=value" with no key: skip it */
				while (*p && *p != ' ')
					p++;
			continue;
		}
		gf_buf_putc(out, ',');
		bool reserved = (klen == 2 && !memcmp(key, "ts", 2)) ||
		                (klen == 5 && !memcmp(key, "level", 5)) ||
		                (klen == 3 && !memcmp(key, "msg", 3));
		if (reserved) {
			gf_buf kb = GF_BUF_INIT;
			gf_buf_putc(&kb, '_');
			gf_buf_put(&kb, key, klen);
			json_string(out, kb.ptr, kb.len);
			gf_buf_dispose(&kb);
		} else {
			json_string(out, key, klen);
		}
		gf_buf_putc(out, ':');
		if (*p != '=') {
			gf_buf_puts(out, "true");
			continue;
		}
		p++;
		if (*p == '"') {
			gf_buf val = GF_BUF_INIT;
			p = quoted_value(&val, p + 1);
			json_string(out, gf_buf_cstr(&val), val.len);
			gf_buf_dispose(&val);
		} else {
			const char *v = p;
			while (*p && *p != ' ')
				p++;
			json_string(out, v, (size_t)(p - v));
		}
	}
}

static void format_time(char *buf, size_t size)
{
	int64_t ms = gf_wall_ms();
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

void gf_log_render(gf_buf *out, gf_log_format format, gf_log_level level, const char *ts,
                   const char *msg, const char *fields)
{
	if (format == GF_LOG_JSON) {
		gf_buf_puts(out, "{\"ts\":");
		json_string(out, ts, strlen(ts));
		gf_buf_printf(out, ",\"level\":\"%s\",\"msg\":", level_names[level]);
		json_string(out, msg, strlen(msg));
		json_fields(out, fields);
		gf_buf_puts(out, "}\n");
	} else {
		char q[512];
		gf_buf_printf(out, "%s level=%s msg=%s%s%s\n", ts, level_names[level],
		              gf_log_quote(q, sizeof(q), msg), *fields ? " " : "", fields);
	}
}

void gf_log(gf_log_level level, const char *msg, const char *fields, ...)
{
	if (level < log_level)
		return;
	gf_buf f = GF_BUF_INIT, line = GF_BUF_INIT;
	va_list ap;
	va_start(ap, fields);
	gf_buf_vprintf(&f, fields, ap);
	va_end(ap);
	char ts[40];
	format_time(ts, sizeof(ts));
	gf_log_render(&line, log_format, level, ts, msg, gf_buf_cstr(&f));
	pthread_mutex_lock(&log_lock);
	fwrite(line.ptr, 1, line.len, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	gf_buf_dispose(&f);
	gf_buf_dispose(&line);
}
