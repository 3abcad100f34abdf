/* Small string helpers: prefixes, suggestions, number and duration parsing. */
#include "base/base.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool gf_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool gf_str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

size_t gf_str_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 256 || m > 256)
		return SIZE_MAX;
	size_t row[257];
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = GF_MIN(row[j] + 1, row[j - 1] + 1);
			row[j] = GF_MIN(best, diag + cost);
			diag = up;
		}
	}
	return row[m];
}

const char *gf_str_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word);
	size_t limit = GF_MAX((size_t)1, len / 3);
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t d = gf_str_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit && best_d > 0 ? best : NULL;
}

int gf_str_to_i64(int64_t *out, const char *s, int64_t min, int64_t max)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return gf_err_set(GF_EINVALID, "\"%s\" is not an integer", s ? s : "");
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || errno)
		return gf_err_set(GF_EINVALID, "\"%s\" is not an integer", s);
	if (v < min || v > max)
		return gf_err_set(GF_EINVALID, "%s is out of range [%lld, %lld]", s, (long long)min,
		                  (long long)max);
	*out = v;
	return 0;
}

int gf_str_to_seconds(double *out, const char *s)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return gf_err_set(GF_EINVALID, "\"%s\" is not a duration", s ? s : "");
	char *end;
	double v = strtod(s, &end);
	double unit = 1;
	if (end == s)
		return gf_err_set(GF_EINVALID, "\"%s\" is not a duration", s);
	if (strcmp(end, "ms") == 0)
		unit = 0.001;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else
		return gf_err_set(GF_EINVALID,
		                  "\"%s\" is not a duration (use a number of seconds, or a "
		                  "suffix ms, s, m or h)",
		                  s);
	if (!isfinite(v) || v < 0)
		return gf_err_set(GF_EINVALID, "\"%s\" is not a duration", s);
	*out = v * unit;
	return 0;
}

size_t gf_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}
