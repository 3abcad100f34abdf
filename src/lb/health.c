/* Health check settings, status matchers and the per-target health state
 * machine of lb.h's diagram. The checks themselves run in hcheck.c. */
#include "lb/lb.h"

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_code(uint16_t *out, const char *s, size_t len, const char *spec)
{
	if (len != 3)
		goto bad;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 100 || v > 599)
		goto bad;
	*out = (uint16_t)v;
	return 0;
bad:
	return gf_err_set(GF_EINVALID,
	                  "invalid health check matcher \"%s\": use status codes 100-599 "
	                  "like \"200\", \"200-299\" or \"200,302\"",
	                  spec);
}

int lb_matcher_parse(lb_matcher *out, const char *spec)
{
	lb_matcher m = {.n = 0};
	const char *p = spec;
	if (*p == '\0')
		return parse_code(&m.lo[0], p, 0, spec);
	for (;;) {
		const char *end = p + strcspn(p, ",");
		const char *dash = memchr(p, '-', (size_t)(end - p));
		if (m.n == LB_MATCHER_MAX)
			return gf_err_set(GF_EINVALID,
			                  "health check matcher \"%s\" has more than %d parts",
			                  spec, LB_MATCHER_MAX);
		if (dash) {
			if (parse_code(&m.lo[m.n], p, (size_t)(dash - p), spec) < 0 ||
			    parse_code(&m.hi[m.n], dash + 1, (size_t)(end - dash - 1), spec) < 0)
				return GF_EINVALID;
			if (m.hi[m.n] < m.lo[m.n])
				return gf_err_set(
				        GF_EINVALID,
				        "health check matcher \"%s\": range %u-%u is empty", spec,
				        m.lo[m.n], m.hi[m.n]);
		} else {
			if (parse_code(&m.lo[m.n], p, (size_t)(end - p), spec) < 0)
				return GF_EINVALID;
			m.hi[m.n] = m.lo[m.n];
		}
		m.n++;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*out = m;
	return 0;
}

bool lb_matcher_match(const lb_matcher *m, int status)
{
	for (size_t i = 0; i < m->n; i++)
		if (status >= m->lo[i] && status <= m->hi[i])
			return true;
	return false;
}

void lb_health_settings_default(lb_health_settings *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->path, "/");
	s->interval = 1;
	s->timeout = 1;
	s->healthy_threshold = 2;
	s->unhealthy_threshold = 2;
	s->matcher.n = 1;
	s->matcher.lo[0] = 200;
	s->matcher.hi[0] = 399;
}

int lb_health_settings_check(const lb_health_settings *s)
{
	if (s->path[0] == '\0')
		return 0;
	if (s->path[0] != '/')
		return gf_err_set(GF_EINVALID, "health check path \"%s\" must start with /",
		                  s->path);
	for (const char *p = s->path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return gf_err_set(GF_EINVALID,
			                  "health check path \"%s\" contains a space or a control "
			                  "character; percent-encode it",
			                  s->path);
	if (!(s->interval >= 0.05 && s->interval <= 300))
		return gf_err_set(GF_EINVALID, "health check interval must be 0.05 to 300 seconds");
	if (!(s->timeout >= 0.01 && s->timeout <= 120))
		return gf_err_set(GF_EINVALID, "health check timeout must be 0.01 to 120 seconds");
	if (s->healthy_threshold < 1 || s->healthy_threshold > 10)
		return gf_err_set(GF_EINVALID, "healthy threshold must be 1 to 10");
	if (s->unhealthy_threshold < 1 || s->unhealthy_threshold > 10)
		return gf_err_set(GF_EINVALID, "unhealthy threshold must be 1 to 10");
	if (s->matcher.n == 0)
		return gf_err_set(GF_EINVALID, "health check matcher is empty");
	return 0;
}

void lb_health_init(lb_health *h, bool checks_enabled)
{
	memset(h, 0, sizeof(*h));
	h->state = checks_enabled ? LB_TARGET_INITIAL : LB_TARGET_HEALTHY;
}

bool lb_health_record(lb_health *h, const lb_health_settings *s, bool ok, const char *why)
{
	lb_target_state before = h->state;
	if (h->state == LB_TARGET_DRAINING)
		return false;
	if (ok) {
		h->failures = 0;
		h->successes++;
		if (h->state != LB_TARGET_HEALTHY && h->successes >= s->healthy_threshold) {
			h->state = LB_TARGET_HEALTHY;
			h->reason[0] = '\0';
		}
	} else {
		h->successes = 0;
		h->failures++;
		snprintf(h->reason, sizeof(h->reason), "%s", why);
		if (h->state != LB_TARGET_UNHEALTHY && h->failures >= s->unhealthy_threshold)
			h->state = LB_TARGET_UNHEALTHY;
	}
	return h->state != before;
}
