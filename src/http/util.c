/* Field helpers, reason phrases, percent-decoding and HTTP dates. */
#include "http/http.h"

#include "base/base.h"
#include "http/internal.h"

#include <string.h>

bool http_str_eq(http_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static bool str_ieq(http_str a, http_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
			return false;
	return true;
}

bool http_str_ieq(http_str s, const char *lit)
{
	size_t i = 0;
	for (; i < s.len; i++)
		if (!lit[i] || lower((unsigned char)s.ptr[i]) != lower((unsigned char)lit[i]))
			return false;
	return lit[i] == '\0';
}

const http_header *http_find(const http_msg *m, const char *name, size_t *from)
{
	size_t start = from ? *from : 0;
	for (size_t i = start; i < m->nheaders; i++) {
		if (http_str_ieq(m->headers[i].name, name)) {
			if (from)
				*from = i + 1;
			return &m->headers[i];
		}
	}
	if (from)
		*from = m->nheaders;
	return NULL;
}

bool http_list_next(http_str *rest, http_str *item)
{
	const char *p = rest->ptr, *e = p + rest->len;
	while (p < e && (*p == ' ' || *p == '\t' || *p == ','))
		p++;
	if (p == e) {
		*rest = (http_str){e, 0};
		return false;
	}
	const char *s = p;
	bool quoted = false;
	for (; p < e; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == ',') {
			break;
		}
	}
	const char *t = p;
	while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	*item = (http_str){s, (size_t)(t - s)};
	*rest = (http_str){p, (size_t)(e - p)};
	return true;
}

bool http_is_hop_by_hop(const http_msg *m, http_str name)
{
	static const char *const fixed[] = {
	        "connection", "keep-alive",        "proxy-connection", "te",
	        "trailer",    "transfer-encoding", "upgrade",
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(fixed); i++)
		if (http_str_ieq(name, fixed[i]))
			return true;
	if (!(m->connection & HTTP_CONN_OTHER))
		return false;
	size_t from = 0;
	const http_header *h;
	while ((h = http_find(m, "connection", &from)) != NULL) {
		http_str rest = h->value, item;
		while (http_list_next(&rest, &item))
			if (str_ieq(item, name))
				return true;
	}
	return false;
}

const char *http_reason(int status)
{
	static const struct {
		short code;
		const char *text;
	} reasons[] = {
	        {100, "Continue"},
	        {101, "Switching Protocols"},
	        {200, "OK"},
	        {201, "Created"},
	        {202, "Accepted"},
	        {203, "Non-Authoritative Information"},
	        {204, "No Content"},
	        {205, "Reset Content"},
	        {206, "Partial Content"},
	        {300, "Multiple Choices"},
	        {301, "Moved Permanently"},
	        {302, "Found"},
	        {303, "See Other"},
	        {304, "Not Modified"},
	        {307, "Temporary Redirect"},
	        {308, "Permanent Redirect"},
	        {400, "Bad Request"},
	        {401, "Unauthorized"},
	        {403, "Forbidden"},
	        {404, "Not Found"},
	        {405, "Method Not Allowed"},
	        {406, "Not Acceptable"},
	        {408, "Request Timeout"},
	        {409, "Conflict"},
	        {410, "Gone"},
	        {411, "Length Required"},
	        {412, "Precondition Failed"},
	        {413, "Content Too Large"},
	        {414, "URI Too Long"},
	        {415, "Unsupported Media Type"},
	        {416, "Range Not Satisfiable"},
	        {417, "Expectation Failed"},
	        {421, "Misdirected Request"},
	        {422, "Unprocessable Content"},
	        /* RFC 4918; Terraform's http backend answers a held lock with it. */
	        {423, "Locked"},
	        {426, "Upgrade Required"},
	        {428, "Precondition Required"},
	        {429, "Too Many Requests"},
	        {431, "Request Header Fields Too Large"},
	        {500, "Internal Server Error"},
	        {501, "Not Implemented"},
	        {502, "Bad Gateway"},
	        {503, "Service Unavailable"},
	        {504, "Gateway Timeout"},
	        {505, "HTTP Version Not Supported"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(reasons); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

static int hexval(unsigned char c)
{
	if (http_is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_pct_decode(char *out, size_t *out_len, const char *in, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			out[o++] = in[i];
			continue;
		}
		int hi = i + 2 < len ? hexval((unsigned char)in[i + 1]) : -1;
		int lo = i + 2 < len ? hexval((unsigned char)in[i + 2]) : -1;
		if (hi < 0 || lo < 0)
			return gf_err_set(GF_EINVALID, "malformed percent-encoding");
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	*out_len = o;
	return 0;
}

/* ---- dates ------------------------------------------------------------- */

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const long_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void http_date_format(char out[HTTP_DATE_LEN + 1], time_t t)
{
	int64_t z = (int64_t)t;
	int64_t day = z >= 0 ? z / 86400 : (z - 86399) / 86400;
	int64_t secs = z - day * 86400;
	/* civil_from_days */
	int64_t zz = day + 719468;
	int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
	int64_t doe = zz - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	int wd = (int)(((day % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), s = (int)(secs % 60);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	out[0] = days[wd][0];
	out[1] = days[wd][1];
	out[2] = days[wd][2];
	out[3] = ',';
	out[4] = ' ';
	out[5] = (char)('0' + d / 10);
	out[6] = (char)('0' + d % 10);
	out[7] = ' ';
	memcpy(out + 8, months[m - 1], 3);
	out[11] = ' ';
	out[12] = (char)('0' + y / 1000);
	out[13] = (char)('0' + y / 100 % 10);
	out[14] = (char)('0' + y / 10 % 10);
	out[15] = (char)('0' + y % 10);
	out[16] = ' ';
	out[17] = (char)('0' + h / 10);
	out[18] = (char)('0' + h % 10);
	out[19] = ':';
	out[20] = (char)('0' + mi / 10);
	out[21] = (char)('0' + mi % 10);
	out[22] = ':';
	out[23] = (char)('0' + s / 10);
	out[24] = (char)('0' + s % 10);
	memcpy(out + 25, " GMT", 5);
}

/* A cursor over the date text. */
typedef struct {
	const char *p, *e;
	bool ok;
} scan;

static void lit(scan *c, const char *s)
{
	size_t n = strlen(s);
	if (c->ok && (size_t)(c->e - c->p) >= n && memcmp(c->p, s, n) == 0)
		c->p += n;
	else
		c->ok = false;
}

static int num(scan *c, int digits)
{
	int v = 0;
	for (int i = 0; i < digits; i++) {
		if (!c->ok || c->p == c->e || !http_is_digit((unsigned char)*c->p)) {
			c->ok = false;
			return 0;
		}
		v = v * 10 + (*c->p++ - '0');
	}
	return v;
}

static int month(scan *c)
{
	for (int i = 0; i < 12; i++) {
		if (c->ok && c->e - c->p >= 3 && memcmp(c->p, months[i], 3) == 0) {
			c->p += 3;
			return i + 1;
		}
	}
	c->ok = false;
	return 0;
}

static void dayname(scan *c, bool is_long)
{
	for (int i = 0; i < 7; i++) {
		const char *n = is_long ? long_days[i] : days[i];
		size_t k = strlen(n);
		if (c->ok && (size_t)(c->e - c->p) >= k && memcmp(c->p, n, k) == 0) {
			c->p += k;
			return;
		}
	}
	c->ok = false;
}

static void clock_of(scan *c, int *h, int *mi, int *s)
{
	*h = num(c, 2);
	lit(c, ":");
	*mi = num(c, 2);
	lit(c, ":");
	*s = num(c, 2);
}

int http_date_parse(time_t *out, const char *str, size_t len)
{
	scan c = {str, str + len, true};
	int y, m, d, h, mi, s;
	if (len == 29) { /* Sun, 06 Nov 1994 08:49:37 GMT */
		dayname(&c, false);
		lit(&c, ", ");
		d = num(&c, 2);
		lit(&c, " ");
		m = month(&c);
		lit(&c, " ");
		y = num(&c, 4);
		lit(&c, " ");
		clock_of(&c, &h, &mi, &s);
		lit(&c, " GMT");
	} else if (len == 24) { /* Sun Nov  6 08:49:37 1994 */
		dayname(&c, false);
		lit(&c, " ");
		m = month(&c);
		lit(&c, " ");
		if (c.ok && *c.p == ' ') {
			c.p++;
			d = num(&c, 1);
		} else {
			d = num(&c, 2);
		}
		lit(&c, " ");
		clock_of(&c, &h, &mi, &s);
		lit(&c, " ");
		y = num(&c, 4);
	} else { /* Sunday, 06-Nov-94 08:49:37 GMT */
		dayname(&c, true);
		lit(&c, ", ");
		d = num(&c, 2);
		lit(&c, "-");
		m = month(&c);
		lit(&c, "-");
		y = num(&c, 2);
		lit(&c, " ");
		clock_of(&c, &h, &mi, &s);
		lit(&c, " GMT");
		/* RFC 9110 §5.6.7: a two-digit year more than 50 years in the
		 * future is the most recent past year with those digits. */
		time_t now = time(NULL);
		int this_year = 1970 + (int)(now / 31556952);
		y += this_year - this_year % 100;
		if (y > this_year + 50)
			y -= 100;
	}
	if (!c.ok || c.p != c.e)
		return gf_err_set(GF_EINVALID, "not an HTTP date");
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
	    s > 60)
		return gf_err_set(GF_EINVALID, "not an HTTP date");
	if (s == 60)
		s = 59;
	*out = (time_t)(days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s);
	return 0;
}
