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
	double frac;   /* fraction of a second, [0, 1) */
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

/* A quoted copy of the rest of the input, as Go's time errors show it. */
static const char *rest_q(gf_arena *a, const char *s)
{
	gf_buf q = GF_BUF_INIT;
	hclv_quote_go(&q, s, strlen(s));
	return hclv_buf_finish(a, &q);
}

/* Reads `n` digits for `what`; NULL or cty's message. */
static const char *read_field(gf_arena *a, const char **p, int n, int min, int max,
                              const char *what, int *out)
{
	const char *s = *p;
	if (!*s)
		return gf_arena_printf(a, "end of string before %s", what);
	int v = (int)strnlen(s, (size_t)n) == n ? digits(s, n) : -1;
	if (v < 0 || v < min || v > max) {
		if (!strcmp(what, "hour") && strchr(s, ':'))
			return "hour must be between 0 and 23 inclusive";
		if ((!strcmp(what, "hour") || !strcmp(what, "minute")) && strlen(s) != 2 && v < 0)
			return gf_arena_printf(a, "%s must have exactly two digits", what);
		if (v >= 0 && !strcmp(what, "month"))
			return "month out of range";
		if (v >= 0 && !strcmp(what, "day of month"))
			return "day out of range";
		return gf_arena_printf(a, "cannot use %s as %s", rest_q(a, s), what);
	}
	*out = v;
	*p = s + n;
	return NULL;
}

static const char *expect_sep(gf_arena *a, const char **p, char sep)
{
	if (**p == sep) {
		(*p)++;
		return NULL;
	}
	if (!**p)
		return gf_arena_printf(a, "end of string where \"%c\" is expected", sep);
	return gf_arena_printf(a, "found %s where \"%c\" is expected", rest_q(a, *p), sep);
}

/* Strict RFC 3339, with the messages cty gives for each way it can fail
 * (without the "not a valid RFC3339 timestamp" prefix). */
static const char *parse_rfc3339(gf_arena *a, const char *s, tstamp *t)
{
	const char *p = s, *err;
	int y, mo, d, h, mi, se;
	if ((err = read_field(a, &p, 4, 0, 9999, "year", &y)) || (err = expect_sep(a, &p, '-')) ||
	    (err = read_field(a, &p, 2, 1, 12, "month", &mo)) || (err = expect_sep(a, &p, '-')) ||
	    (err = read_field(a, &p, 2, 1, 31, "day of month", &d)))
		return err;
	if (*p != 'T' && *p != 't')
		return "missing required time introducer 'T'";
	p++;
	if ((err = read_field(a, &p, 2, 0, 23, "hour", &h)) || (err = expect_sep(a, &p, ':')) ||
	    (err = read_field(a, &p, 2, 0, 59, "minute", &mi)) || (err = expect_sep(a, &p, ':')) ||
	    (err = read_field(a, &p, 2, 0, 59, "second", &se)))
		return err;
	double frac = 0;
	if (*p == '.') {
		const char *start = p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start + 1)
			return gf_arena_printf(a, "cannot use %s as second", rest_q(a, start));
		frac = strtod(gf_arena_printf(a, "0%.*s", (int)(p - start), start), NULL);
	}
	memset(t, 0, sizeof(*t));
	t->frac = frac;
	if (*p == 'Z' || *p == 'z') {
		t->utc = true;
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) >= 6 && p[3] == ':' &&
	           digits(p + 1, 2) >= 0 && digits(p + 4, 2) >= 0) {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh > 23 || om > 59)
			return "UTC offset out of range";
		t->offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else if (!*p) {
		return "end of string before UTC offset";
	} else {
		return gf_arena_printf(a, "cannot use %s as UTC offset", rest_q(a, p));
	}
	if (*p)
		return gf_arena_printf(a, "extra text: %s", rest_q(a, p));
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = se};
	int64_t local = (int64_t)timegm(&tm);
	if (tm.tm_mday != d) /* 31 February and friends */
		return "day out of range";
	t->secs = local - t->offset;
	tstamp_local(t);
	return NULL;
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

/* What cty says a mistyped verb should have been. */
static const char *verb_rule(gf_arena *a, char ch)
{
	switch (ch) {
	case 'Y':
		return "year must either be \"YY\" or \"YYYY\"";
	case 'M':
		return "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"";
	case 'D':
		return "day of month must either be \"D\" or \"DD\"";
	case 'E':
		return "day of week must either be \"EEE\" or \"EEEE\"";
	case 'h':
		return "24-hour must either be \"h\" or \"hh\"";
	case 'H':
		return "12-hour must either be \"H\" or \"HH\"";
	case 'A':
	case 'a':
		return gf_arena_printf(a, "must be \"%c%c\"", ch, ch);
	case 'm':
		return "minute must either be \"m\" or \"mm\"";
	case 's':
		return "second must either be \"s\" or \"ss\"";
	case 'Z':
		return "timezone must be Z, ZZZZ, or ZZZZZ";
	default:
		return NULL;
	}
}

static const hcl_value *fn_formatdate(hclv_call *c, const hcl_value *const *args, size_t n)
{
	tstamp t;
	const char *err = parse_rfc3339(c->a, args[1]->u.str.ptr, &t);
	if (err)
		return hclv_arg_error(c, 1, "not a valid RFC3339 timestamp: %s", err);
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
			const char *why = verb_rule(c->a, ch);
			const hcl_value *r =
			        hclv_arg_error(c, 0, "invalid date format verb \"%.*s\"%s%s",
			                       (int)run, f + i, why ? ": " : "", why ? why : "");
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
	const char *err = parse_rfc3339(c->a, args[0]->u.str.ptr, &t);
	if (err)
		return hclv_call_error(c, "not a valid RFC3339 timestamp: %s", err);
	double d;
	if (!parse_duration(args[1]->u.str.ptr, &d))
		return hclv_call_error(c, "time: invalid duration %s",
		                       rest_q(c->a, args[1]->u.str.ptr));
	/* whole seconds of (fraction + duration); the output, like Go's
	 * time.RFC3339, has no fractional part */
	double total = t.frac + d;
	t.secs += (int64_t)floor(total);
	tstamp_local(&t);
	return rfc3339(c, &t);
}

const hclv_func hclv_funcs_time[] = {
        HCLV_FUNC("formatdate", fn_formatdate, &hcl_type_string, NULL,
                  {"format", &hcl_type_string, 0}, {"time", &hcl_type_string, 0}),
        HCLV_FUNC("timeadd", fn_timeadd, &hcl_type_string, NULL, {"timestamp", &hcl_type_string, 0},
                  {"duration", &hcl_type_string, 0}),
        /* gitfleet has no separate plan phase: the time of the call */
        HCLV_FUNC0("plantimestamp", fn_timestamp, &hcl_type_string),
        HCLV_FUNC0("timestamp", fn_timestamp, &hcl_type_string),
};
const size_t hclv_nfuncs_time = GF_ARRAY_LEN(hclv_funcs_time);
