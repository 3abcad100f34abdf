/*
 * Date and time functions: timestamp formatdate timeadd. Timestamps are
 * RFC 3339 strings as in Terraform; a parsed timestamp keeps its UTC
 * offset so that results are printed in the zone they were given in.
 */
#include "hcl/func_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
	int64_t secs;  /* Unix time, UTC */
	int offset;    /* seconds east of UTC */
	bool utc;      /* written with Z */
	struct tm loc; /* broken-down local time (secs + offset) */
} tstamp;

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void tstamp_local(tstamp *t)
{
	time_t local = (time_t)(t->secs + t->offset);
	gmtime_r(&local, &t->loc);
}

static bool parse_rfc3339(const char *s, tstamp *t)
{
	size_t len = strlen(s);
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
	    mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 59)
		return false;
	size_t i = 19;
	if (s[i] == '.') {
		i++;
		size_t start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	memset(t, 0, sizeof(*t));
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		t->utc = true;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		t->offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return false;
	}
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = se};
	int64_t local = (int64_t)timegm(&tm);
	if (tm.tm_mday != d) /* 31 February and friends */
		return false;
	t->secs = local - t->offset;
	tstamp_local(t);
	return true;
}

static void put_offset(gf_buf *b, int offset, bool colon)
{
	int a = offset < 0 ? -offset : offset;
	gf_buf_printf(b, "%c%02d%s%02d", offset < 0 ? '-' : '+', a / 3600, colon ? ":" : "",
	              (a % 3600) / 60);
}

static const hcl_value *rfc3339(hclv_call *c, const tstamp *t)
{
	gf_buf b = GF_BUF_INIT;
	gf_buf_printf(&b, "%04d-%02d-%02dT%02d:%02d:%02d", t->loc.tm_year + 1900, t->loc.tm_mon + 1,
	              t->loc.tm_mday, t->loc.tm_hour, t->loc.tm_min, t->loc.tm_sec);
	if (t->offset == 0)
		gf_buf_putc(&b, 'Z');
	else
		put_offset(&b, t->offset, true);
	return hclv_cstr(c, hclv_buf_finish(c->a, &b));
}

static const hcl_value *fn_timestamp(hclv_call *c, const hcl_value *const *args, size_t n)
{
	tstamp t = {.secs = gf_wall_ms() / 1000, .utc = true};
	tstamp_local(&t);
	return rfc3339(c, &t);
}

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};

static const hcl_value *fn_formatdate(hclv_call *c, const hcl_value *const *args, size_t n)
{
	tstamp t;
	if (!parse_rfc3339(args[1]->u.str.ptr, &t))
		return hclv_arg_error(c, 1,
		                      "not a valid RFC3339 timestamp: cannot use \"%s\" as "
		                      "RFC3339",
		                      args[1]->u.str.ptr);
	const char *f = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len, i = 0;
	gf_buf b = GF_BUF_INIT;
	const struct tm *tm = &t.loc;
	while (i < len) {
		char ch = f[i];
		if (ch == '\'') {
			/* a quoted literal; '' is a literal quote */
			if (i + 1 < len && f[i + 1] == '\'') {
				gf_buf_putc(&b, '\'');
				i += 2;
				continue;
			}
			size_t j = i + 1;
			for (;;) {
				if (j >= len) {
					gf_buf_dispose(&b);
					return hclv_arg_error(c, 0, "unterminated literal '");
				}
				if (f[j] == '\'') {
					if (j + 1 < len && f[j + 1] == '\'') {
						gf_buf_putc(&b, '\'');
						j += 2;
						continue;
					}
					break;
				}
				gf_buf_putc(&b, f[j++]);
			}
			i = j + 1;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
			gf_buf_putc(&b, ch);
			i++;
			continue;
		}
		size_t run = 1;
		while (i + run < len && f[i + run] == ch)
			run++;
		int h12 = tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12;
		bool ok = true;
		switch (ch) {
		case 'Y':
			if (run == 4)
				gf_buf_printf(&b, "%04d", tm->tm_year + 1900);
			else if (run == 2)
				gf_buf_printf(&b, "%02d", (tm->tm_year + 1900) % 100);
			else
				ok = false;
			break;
		case 'M':
			if (run == 1)
				gf_buf_printf(&b, "%d", tm->tm_mon + 1);
			else if (run == 2)
				gf_buf_printf(&b, "%02d", tm->tm_mon + 1);
			else if (run == 3)
				gf_buf_printf(&b, "%.3s", months[tm->tm_mon]);
			else if (run == 4)
				gf_buf_puts(&b, months[tm->tm_mon]);
			else
				ok = false;
			break;
		case 'D':
			if (run <= 2)
				gf_buf_printf(&b, run == 1 ? "%d" : "%02d", tm->tm_mday);
			else
				ok = false;
			break;
		case 'E':
			if (run == 3)
				gf_buf_printf(&b, "%.3s", days[tm->tm_wday]);
			else if (run == 4)
				gf_buf_puts(&b, days[tm->tm_wday]);
			else
				ok = false;
			break;
		case 'h':
			if (run <= 2)
				gf_buf_printf(&b, run == 1 ? "%d" : "%02d", tm->tm_hour);
			else
				ok = false;
			break;
		case 'H':
			if (run <= 2)
				gf_buf_printf(&b, run == 1 ? "%d" : "%02d", h12);
			else
				ok = false;
			break;
		case 'A':
		case 'a':
			if (run == 2)
				gf_buf_puts(&b, tm->tm_hour < 12 ? (ch == 'A' ? "AM" : "am")
				                                 : (ch == 'A' ? "PM" : "pm"));
			else
				ok = false;
			break;
		case 'm':
			if (run <= 2)
				gf_buf_printf(&b, run == 1 ? "%d" : "%02d", tm->tm_min);
			else
				ok = false;
			break;
		case 's':
			if (run <= 2)
				gf_buf_printf(&b, run == 1 ? "%d" : "%02d", tm->tm_sec);
			else
				ok = false;
			break;
		case 'Z':
			if (run == 1) {
				if (t.offset == 0)
					gf_buf_putc(&b, 'Z');
				else
					put_offset(&b, t.offset, true);
			} else if (run == 3) {
				if (t.offset == 0)
					gf_buf_puts(&b, "UTC");
				else
					put_offset(&b, t.offset, false);
			} else if (run == 4) {
				put_offset(&b, t.offset, false);
			} else if (run == 5) {
				put_offset(&b, t.offset, true);
			} else {
				ok = false;
			}
			break;
		default:
			ok = false;
		}
		if (!ok) {
			const hcl_value *r = hclv_arg_error(
			        c, 0, "invalid date format verb \"%.*s\"", (int)run, f + i);
			gf_buf_dispose(&b);
			return r;
		}
		i += run;
	}
	return hclv_cstr(c, hclv_buf_finish(c->a, &b));
}

/* Go's time.ParseDuration, in seconds. */
static bool parse_duration(const char *s, double *out)
{
	double total = 0;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*out = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		char *end;
		if (!((*s >= '0' && *s <= '9') || *s == '.'))
			return false;
		double v = strtod(s, &end);
		if (end == s)
			return false;
		s = end;
		double unit;
		if (!strncmp(s, "ns", 2)) {
			unit = 1e-9;
			s += 2;
		} else if (!strncmp(s, "us", 2)) {
			unit = 1e-6;
			s += 2;
		} else if (!strncmp(s, "\xc2\xb5s", 3) || !strncmp(s, "\xce\xbcs", 3)) {
			unit = 1e-6;
			s += 3;
		} else if (!strncmp(s, "ms", 2)) {
			unit = 1e-3;
			s += 2;
		} else if (*s == 's') {
			unit = 1;
			s++;
		} else if (*s == 'm') {
			unit = 60;
			s++;
		} else if (*s == 'h') {
			unit = 3600;
			s++;
		} else {
			return false;
		}
		total += v * unit;
	}
	*out = neg ? -total : total;
	return isfinite(total);
}

static const hcl_value *fn_timeadd(hclv_call *c, const hcl_value *const *args, size_t n)
{
	tstamp t;
	if (!parse_rfc3339(args[0]->u.str.ptr, &t))
		return hclv_arg_error(c, 0,
		                      "not a valid RFC3339 timestamp: cannot use \"%s\" as "
		                      "RFC3339",
		                      args[0]->u.str.ptr);
	double d;
	if (!parse_duration(args[1]->u.str.ptr, &d))
		return hclv_arg_error(c, 1, "time: invalid duration \"%s\"", args[1]->u.str.ptr);
	t.secs += (int64_t)floor(d);
	tstamp_local(&t);
	return rfc3339(c, &t);
}

const hclv_func hclv_funcs_time[] = {
        HCLV_FUNC("formatdate", fn_formatdate, &hcl_type_string, NULL,
                  {"format", &hcl_type_string, 0}, {"time", &hcl_type_string, 0}),
        HCLV_FUNC("timeadd", fn_timeadd, &hcl_type_string, NULL, {"timestamp", &hcl_type_string, 0},
                  {"duration", &hcl_type_string, 0}),
        HCLV_FUNC0("timestamp", fn_timestamp, &hcl_type_string),
};
const size_t hclv_nfuncs_time = GF_ARRAY_LEN(hclv_funcs_time);
